"""course_utils.results: benchmark results files for the lessons, and the spread rule."""

import json
from pathlib import Path

import pytest

from course_utils import results

REPOSITORY_RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"


def test_loads_a_results_file_of_the_checkout():
    loaded = results.load_benchmark("gan_recipes.json")
    assert loaded == json.loads((REPOSITORY_RESULTS / "gan_recipes.json").read_text())
    assert "chosen" in loaded


def test_a_lesson_run_from_a_checkout_finds_the_files_through_its_working_folder(
    tmp_path, monkeypatch
):
    # As with a wheel install: the package is not inside the checkout, the lesson's working
    # folder (notebooks/) is, so ../benchmarks/results is where the file is.
    checkout = tmp_path / "course"
    (checkout / "benchmarks" / "results").mkdir(parents=True)
    (checkout / "benchmarks" / "results" / "made_up.json").write_text('{"seeds": [0, 1]}')
    (checkout / "notebooks").mkdir()
    monkeypatch.chdir(checkout / "notebooks")
    monkeypatch.setattr(results, "__file__", str(tmp_path / "site-packages" / "results.py"))
    assert results.load_benchmark("made_up.json") == {"seeds": [0, 1]}


def test_a_missing_file_says_where_to_read_it_and_returns_none(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(results, "__file__", str(tmp_path / "site-packages" / "results.py"))
    assert results.load_benchmark("gan_recipes.json") is None
    message = capsys.readouterr().out
    assert "gan_recipes.json is not in this installation" in message
    assert "gan_recipes.md" in message and results.REPOSITORY in message


def test_a_broken_file_is_named(tmp_path, monkeypatch):
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    (tmp_path / "benchmarks" / "results" / "broken.json").write_text('{"half": ')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(results, "__file__", str(tmp_path / "site-packages" / "results.py"))
    with pytest.raises(ValueError, match=r"broken\.json is not valid JSON"):
        results.load_benchmark("broken.json")


@pytest.mark.parametrize(
    "name, error",
    [
        (3, TypeError),
        (Path("gan_recipes.json"), TypeError),
        ("gan_recipes.md", ValueError),
        (".json", ValueError),
        ("../results/gan_recipes.json", ValueError),
        ("results\\gan_recipes.json", ValueError),
    ],
)
def test_a_bad_name_is_refused(name, error):
    with pytest.raises(error, match="name must be"):
        results.load_benchmark(name)


def test_clearly_above_needs_the_gap_to_beat_both_spreads():
    # means 10 and 7, standard deviations 1 and 1: a gap of 3 against a spread of 2
    assert results.clearly_above([9.0, 10.0, 11.0], [6.0, 7.0, 8.0])
    # the same means with standard deviations 2 and 2: a gap of 3 against 4
    assert not results.clearly_above([8.0, 10.0, 12.0], [5.0, 7.0, 9.0])
    # the direction matters: a lower mean is never clearly above
    assert not results.clearly_above([6.0, 7.0, 8.0], [9.0, 10.0, 11.0])


def test_clearly_above_is_strict_at_the_boundary():
    # gap 2 against spread 1 + 1 exactly: not more than the spread
    assert not results.clearly_above([8.0, 9.0, 10.0], [6.0, 7.0, 8.0])


@pytest.mark.parametrize(
    "higher, lower, error, match",
    [
        ([1.0], [0.0, 1.0], ValueError, "higher must hold at least 2"),
        ([1.0, 2.0], 0.5, ValueError, "lower must hold at least 2"),
        ([[1.0, 2.0]], [0.0, 1.0], ValueError, "higher must hold at least 2"),
        ("12", [0.0, 1.0], TypeError, "higher must be a sequence"),
        ([1.0, "a"], [0.0, 1.0], TypeError, "higher must be a sequence"),
        ([1.0, 2.0], [0.0, float("nan")], ValueError, "lower must hold finite"),
    ],
)
def test_clearly_above_refuses_what_is_not_one_score_per_run(higher, lower, error, match):
    with pytest.raises(error, match=match):
        results.clearly_above(higher, lower)
