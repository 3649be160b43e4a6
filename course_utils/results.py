"""Results the lessons report: the benchmarks' results files, and when a gap between two
sets of runs counts as an effect.

* :func:`load_benchmark` -- read one of ``benchmarks/results/*.json``, the files the
  project's benchmark scripts write, so that a lesson shows the measured table instead of
  typing its numbers. Only a clone of the repository has them: where only the package is
  installed (as on Colab) it prints where to read them and returns ``None``, so the lesson
  goes on.
* :func:`clearly_above` -- the course's rule for "more than the noise": the gap between two
  means must exceed the two standard deviations over seeds added together.

    search = cu.results.load_benchmark("gan_recipes.json")
    if search is not None:
        ...
    cu.claim(cu.results.clearly_above(recall_new, recall_old), "the change lifts recall")
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

RESULTS_FOLDER = Path("benchmarks") / "results"
REPOSITORY = "https://github.com/tl-gan-course/course"


def _candidate_folders() -> list[Path]:
    # A source checkout (editable install): the folder next to the package. A lesson run
    # from notebooks/ with the package installed from a wheel: the working directory's
    # parent. Either way the results belong to the checkout the learner is in.
    package_root = Path(__file__).resolve().parent.parent
    working = Path.cwd()
    return [package_root / RESULTS_FOLDER, working / RESULTS_FOLDER, working.parent / RESULTS_FOLDER]


def load_benchmark(name):
    """The contents of ``benchmarks/results/<name>``, or ``None`` where it is not here.

    Args:
        name: a file name such as ``"gan_recipes.json"`` (a ``.json`` file, no folder).

    Returns the parsed JSON (a ``dict``). When no folder holds the file, prints one line
    saying where to read it (the repository, or the ``.md`` table beside it) and returns
    ``None``: a lesson wraps what it does with the results in ``if ... is not None``.

    Raises ``TypeError``/``ValueError`` for a name that is not a ``.json`` file name, and
    ``ValueError`` naming the file when it is there but is not valid JSON.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a file name (str), got {type(name).__name__}")
    if not name.endswith(".json") or name == ".json" or Path(name).name != name or "\\" in name:
        raise ValueError(f"name must be a .json file name without a folder, got {name!r}")
    for folder in _candidate_folders():
        path = folder / name
        if path.is_file():
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path} is not valid JSON ({error}); re-run its benchmark") from error
    table = name[: -len(".json")] + ".md"
    print(
        f"{RESULTS_FOLDER / name} is not in this installation (only the course package is "
        f"installed, as on Colab), so this step is skipped: read {RESULTS_FOLDER / table} in "
        f"{REPOSITORY}, or clone it and run the lesson there"
    )
    return None


def _per_seed(values, argument):
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{argument} must be a sequence of numbers (one per run), got a string")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{argument} must be a sequence of numbers (one per run): {error}") from error
    if array.ndim != 1 or array.size < 2:
        raise ValueError(
            f"{argument} must hold at least 2 numbers, one per run, to measure a spread; "
            f"got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{argument} must hold finite numbers, got {array.tolist()}")
    return array


def clearly_above(higher, lower) -> bool:
    """True when ``mean(higher) - mean(lower)`` exceeds ``std(higher) + std(lower)``.

    Args:
        higher, lower: one score per run (per seed), at least 2 each; the standard
            deviations are the sample ones (``ddof=1``).

    A gap smaller than the two spreads added together could come from the seeds alone, so
    the lessons call it "inside the spread", not an effect. For a score where lower is
    better (a Frechet distance), ask ``clearly_above(worse, better)``.
    """
    higher, lower = _per_seed(higher, "higher"), _per_seed(lower, "lower")
    gap = higher.mean() - lower.mean()
    return bool(gap > higher.std(ddof=1) + lower.std(ddof=1))
