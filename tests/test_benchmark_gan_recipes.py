"""Tests of benchmarks/gan_recipes.py: the CPU budget stops training, and a --quick run
writes every field of every run (not the recipes' scores, which need the full budget)."""

import importlib.util
import json
import time
from pathlib import Path

import keras
import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "gan_recipes.py"
spec = importlib.util.spec_from_file_location("gan_recipes", SCRIPT)
benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(benchmark)

RUN_FIELDS = {"name", "seed", "budget_scale", "budget_cpu_seconds", "recipe", "changes", "cpu_seconds",
              "wall_seconds", "steps", "epochs", "epochs_completed", "stopped_by_budget", "last_epoch_logs", "grid",
              "validation", "load_average", "date_utc"}
SCORE_FIELDS = {"frechet_distance", "precision", "recall", "class_coverage", "class_shares", "min_class_share",
                "max_class_share", "diversity_ratio", "diversity_per_class"}


def _tiny_model():
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_cpu_budget_stops_fit_after_the_batch_that_spends_it():
    budget = benchmark.CPUBudget(0.0)
    history = _tiny_model().fit(np.zeros((64, 2)), np.zeros((64, 1)), batch_size=8, epochs=50, verbose=0,
                                callbacks=[budget])
    assert budget.steps == 1 and budget.stopped
    assert len(history.history["loss"]) == 1


def test_cpu_budget_counts_cpu_not_sleep():
    class Sleepy(keras.callbacks.Callback):  # wall-clock passes, the process uses no CPU
        def on_train_batch_end(self, batch, logs=None):
            time.sleep(0.05)

    budget = benchmark.CPUBudget(5.0)
    _tiny_model().fit(np.zeros((64, 2)), np.zeros((64, 1)), batch_size=8, epochs=3, verbose=0,
                      callbacks=[Sleepy(), budget])
    assert not budget.stopped and budget.steps == 24  # 3 epochs of 8 batches: all ran
    assert budget.wall_seconds > 1.0 > budget.cpu_seconds


def test_no_budget_runs_every_epoch():
    budget = benchmark.CPUBudget(None)
    _tiny_model().fit(np.zeros((16, 2)), np.zeros((16, 1)), batch_size=8, epochs=4, verbose=0, callbacks=[budget])
    assert budget.steps == 8 and budget.epochs_completed == 4 and not budget.stopped


def test_candidate_names_and_bad_names():
    assert benchmark.changes_of("baseline") == {}
    assert benchmark.changes_of("ema+smoothing") == {"ema_decay": 0.99, "label_smoothing": 0.1}
    recipe = benchmark.recipe_of("ttur", 2)
    assert recipe.seed == 2 and recipe.discriminator_learning_rate == 4e-4 and recipe.learning_rate == 1e-4
    assert benchmark.recipe_of("baseline", 0) == benchmark.baseline_recipe()
    # the baseline is the recipe before the search (GANRecipe's defaults), whatever the catalogue holds now
    assert benchmark.baseline_recipe().learning_rate == 2e-4 and benchmark.baseline_recipe().loss == "bce"
    conditional = benchmark.recipe_of("rate_3.2e-3+hinge", 1, "conditional_gan")
    assert conditional.kind == "cgan" and conditional.learning_rate == 3.2e-3 and conditional.loss == "hinge"
    assert conditional.epochs == benchmark.baseline_recipe("conditional_gan").epochs
    with pytest.raises(ValueError, match="model"):
        benchmark.baseline_recipe("vae")
    with pytest.raises(ValueError, match="name"):
        benchmark.changes_of("ema+adam")
    with pytest.raises(TypeError, match="name"):
        benchmark.changes_of(3)


def test_quick_run_stops_on_budget_and_records_every_field(tmp_path, monkeypatch):
    monkeypatch.setattr(benchmark, "GRIDS", tmp_path / "grids")
    # its own artifacts: the quick run's images must not overwrite a real run's of the same key
    monkeypatch.setenv("COURSE_ARTIFACTS", str(tmp_path / "artifacts"))
    out = tmp_path / "gan_recipes"
    benchmark.main(["--quick", "--out", str(out)])
    results = json.loads(out.with_suffix(".json").read_text())
    assert results["budget_cpu_seconds"] == benchmark.QUICK_BUDGET
    assert set(results["runs"]) == {"baseline-seed0-budget1B", "ema-seed0-budget1B"}
    steps_per_epoch = 3600 // 64
    for run in results["runs"].values():
        assert RUN_FIELDS <= set(run), RUN_FIELDS - set(run)
        assert SCORE_FIELDS <= set(run["validation"]), SCORE_FIELDS - set(run["validation"])
        assert run["stopped_by_budget"]
        assert run["cpu_seconds"] >= benchmark.QUICK_BUDGET
        assert 0 < run["steps"] < 20 * steps_per_epoch  # stopped long before MAX_EPOCHS
        assert run["epochs"] == round(run["steps"] / steps_per_epoch, 2)
        assert (tmp_path / "grids" / Path(run["grid"]).name).exists()
    assert results["runs"]["ema-seed0-budget1B"]["recipe"]["ema_decay"] == 0.99
    for split in ("validation", "test"):
        assert SCORE_FIELDS <= set(results["references"][split])
    table = out.with_suffix(".md").read_text()
    assert "| baseline @ 1 B | 0 |" in table and "| ema @ 1 B | 0 |" in table


def test_quick_conditional_run_scores_class_accuracy_and_keeps_labels(tmp_path, monkeypatch):
    monkeypatch.setattr(benchmark, "GRIDS", tmp_path / "grids")
    monkeypatch.setenv("COURSE_ARTIFACTS", str(tmp_path / "artifacts"))
    out = tmp_path / "gan_recipes_conditional"
    benchmark.main(["--quick", "--model", "conditional_gan", "--recipes", "baseline", "--out", str(out)])
    results = json.loads(out.with_suffix(".json").read_text())
    assert results["model"] == "conditional_gan"
    run = results["runs"]["baseline-seed0-budget1B"]
    assert run["recipe"]["kind"] == "cgan" and 0 <= run["validation"]["class_accuracy"] <= 1
    images, labels = benchmark.load_images("baseline-seed0-budget1B", "conditional_gan")
    assert images.shape == (1000, 28, 28, 1) and np.array_equal(np.bincount(labels), np.full(10, 100))
    assert "class accuracy" in out.with_suffix(".md").read_text()
    with pytest.raises(SystemExit, match="conditional_gan"):  # one results file holds one model's runs
        benchmark.main(["--report", "--out", str(out)])


def test_linear_decay_candidate_lowers_both_rates_towards_zero_over_the_budget():
    assert benchmark.schedule_of("rate_3.2e-3+hinge+decay") == "linear_decay"
    assert benchmark.schedule_of("rate_3.2e-3+hinge") is None
    recipe = benchmark.recipe_of("rate_3.2e-3+hinge+decay", 0)  # the schedule is not a recipe field
    assert recipe.learning_rate == 3.2e-3
    import course_utils as cu

    data = cu.data.load_mnist("offline", seed=0)
    gan, reached = benchmark.train_run(recipe, data, 2.0, schedule="linear_decay")
    assert reached["stopped_by_budget"]
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert 0 <= float(optimizer.learning_rate.numpy()) < 3.2e-3 * 0.5  # spent: near 0, not the start
    with pytest.raises(ValueError, match="schedule"):
        benchmark.train_run(recipe, data, None, epochs=1, schedule="linear_decay")
