"""Tests of benchmarks/gan_frontier.py: snapshots are drawn at the training clock's
milestones with the drawing time left out, and a --quick run records every field."""

import importlib.util
import json
import time
from pathlib import Path

import keras
import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "gan_frontier.py"
spec = importlib.util.spec_from_file_location("gan_frontier", SCRIPT)
benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(benchmark)

SNAPSHOT_FIELDS = {"minutes", "wall_seconds", "cpu_seconds", "steps", "epochs", "load_average", "validation"}


def _fit_with_snapshots(milestones, draw_seconds, monkeypatch, epochs=400):
    # a tiny model stands in for the GAN; drawing a snapshot sleeps for draw_seconds
    def slow_draw(generator, kind, seed):
        time.sleep(draw_seconds)
        return np.zeros((3, 28, 28, 1), np.float32), None

    monkeypatch.setattr(benchmark.gan_scores, "generated_images", slow_draw)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.sampling_generator = None
    callback = benchmark.Snapshots(milestones, seed=0, steps_per_epoch=4)
    data = np.zeros((16, 2), np.float32)
    model.fit(data, data[:, :1], batch_size=4, epochs=epochs, verbose=0, callbacks=[callback])
    return callback


def test_one_snapshot_per_milestone_then_training_stops(monkeypatch):
    callback = _fit_with_snapshots([0.2, 0.1], draw_seconds=0.0, monkeypatch=monkeypatch)
    assert [round(row["minutes"] * 60, 3) for row in callback.snapshots] == [0.1, 0.2]
    assert callback.snapshots[0]["steps"] < callback.snapshots[1]["steps"] < 400 * 4
    assert all(row["wall_seconds"] >= row["minutes"] * 60 for row in callback.snapshots)
    assert callback.snapshots[1]["epochs"] == round(callback.snapshots[1]["steps"] / 4, 2)


def test_time_spent_drawing_does_not_count_as_training(monkeypatch):
    # if the 1-second drawing counted, the training clock would jump by a second between
    # the two snapshots
    callback = _fit_with_snapshots([0.1, 0.2], draw_seconds=1.0, monkeypatch=monkeypatch)
    first, second = callback.snapshots
    assert second["wall_seconds"] - first["wall_seconds"] < 0.9
    assert second["cpu_seconds"] - first["cpu_seconds"] < 0.9


def test_bad_milestones():
    with pytest.raises(ValueError, match="milestones"):
        benchmark.Snapshots([], seed=0, steps_per_epoch=4)
    with pytest.raises(ValueError, match="milestones"):
        benchmark.Snapshots([-1.0], seed=0, steps_per_epoch=4)
    with pytest.raises(TypeError, match="milestones"):
        benchmark.Snapshots(["one minute"], seed=0, steps_per_epoch=4)


def test_quick_run_scores_every_milestone_and_tests_the_chosen_one_once(tmp_path, monkeypatch):
    monkeypatch.setattr(benchmark, "GRIDS", tmp_path / "grids")
    monkeypatch.setenv("COURSE_ARTIFACTS", str(tmp_path / "artifacts"))
    out = tmp_path / "gan_frontier"
    benchmark.main(["--quick", "--out", str(out)])
    results = json.loads(out.with_suffix(".json").read_text())
    assert not out.with_suffix(".partial.json").exists()
    run = results["runs"]["0"]
    assert list(run) == [f"{value:g}" for value in benchmark.QUICK_MINUTES]
    for snapshot in run.values():
        assert SNAPSHOT_FIELDS <= set(snapshot), SNAPSHOT_FIELDS - set(snapshot)
    first, second = run.values()
    assert 0 < first["steps"] < second["steps"]
    assert results["chosen_minutes"] in run and set(results["test"]) == {"0"}
    eligible = [key for key, row in run.items() if row["validation"]["recall"] >= results["min_recall"]]
    expected = max(eligible, key=lambda key: run[key]["validation"]["precision"]) if eligible else list(run)[-1]
    assert results["chosen_minutes"] == expected
    assert (tmp_path / "grids" / f"{results['recipe']}-seed0-{expected}min.png").exists()
    table = out.with_suffix(".md").read_text()
    assert f"| {list(run)[0]} | " in table and "## Targets" in table


def _snapshot(precision, recall, shares):
    return {"validation": {"precision": precision, "recall": recall, "class_shares": shares,
                           "min_class_share": min(shares), "max_class_share": max(shares),
                           "frechet_distance": 1.0, "diversity_ratio": 1.0, "class_coverage": 1.0}}


def test_frontier_lists_the_milestones_that_meet_each_target():
    balanced, ones = [0.1] * 10, [0.01] * 9 + [0.91]
    ones = ones[-1:] + ones[:-1]  # digit 0 dominates
    results = {"seeds": [0, 1], "minutes": [1, 2, 3], "min_recall": 0.6, "runs": {
        "0": {"1": _snapshot(0.6, 0.8, balanced), "2": _snapshot(0.8, 0.7, balanced), "3": _snapshot(0.9, 0.3, ones)},
        "1": {"1": _snapshot(0.6, 0.8, balanced), "2": _snapshot(0.7, 0.7, balanced), "3": _snapshot(0.9, 0.3, ones)}}}
    lines = benchmark.frontier(results)
    assert lines[0] == "- precision >= 0.7: met at 2, 3 (minutes)"
    assert lines[1] == "- recall >= 0.6: met at 1, 2 (minutes)"
    assert lines[2] == "- every class 5%-15%: met at 1, 2 (minutes)"
    assert lines[3] == "- all three together: 2 (minutes)"
    assert lines[4].endswith("3 min: 0 (91%)")
    assert benchmark.commonest_digit(list(results["runs"]["0"].values())[2:]) == (0, 0.91)
