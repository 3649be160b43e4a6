"""Shared pytest set-up for the three test layers (unit tests, papermill smoke runs, nbval).

* One cell time limit for every notebook run: ``tools.notebook_runner.CELL_TIMEOUT_SECONDS``
  (nbval's own default of 2000 s is replaced by it unless ``--nbval-cell-timeout`` is given).
* The lessons nbval runs keep their trained models in ``build/nbval-artifacts``, never in a
  learner's own ``artifacts/`` folder (the kernels nbval starts inherit this environment);
  unit tests use ``build/unit-test-artifacts`` (or a temporary folder of their own).
* TensorFlow's C++ log lines reach stderr in a papermill or JupyterLab kernel but not in
  the kernel nbval starts, so stderr can never match: nbval is told not to compare it
  (tests/test_notebooks.py checks instead that no committed notebook holds any stderr).
* Every notebook's execution time, smoke (papermill) and default (nbval, summed over its
  cells), is written to ``build/notebook_times.json`` and printed at the end of the run.
"""

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

from tools.notebook_runner import CELL_TIMEOUT_SECONDS

REPOSITORY = Path(__file__).resolve().parent
TIMES_FILE = REPOSITORY / "build" / "notebook_times.json"
NBVAL_ARTIFACTS = REPOSITORY / "build" / "nbval-artifacts"
UNIT_TEST_ARTIFACTS = REPOSITORY / "build" / "unit-test-artifacts"
NOTEBOOK_TIMES = defaultdict(dict)  # notebook name -> {"smoke (papermill)": s, "default (nbval)": s}
NBVAL_DEFAULT_TIMEOUT = 2000

# COURSE_NBVAL_ARTIFACTS picks another folder (benchmarks/nbval_other_kernels.sh does).
os.environ["COURSE_ARTIFACTS"] = os.environ.get("COURSE_NBVAL_ARTIFACTS", str(NBVAL_ARTIFACTS))


@pytest.fixture(autouse=True)
def unit_test_artifacts(monkeypatch):
    """Unit tests (not the nbval cells, which use no fixtures) get a folder of their own."""
    monkeypatch.setenv("COURSE_ARTIFACTS", str(UNIT_TEST_ARTIFACTS))
    return UNIT_TEST_ARTIFACTS


def pytest_configure(config):
    if getattr(config.option, "nbval_cell_timeout", None) == NBVAL_DEFAULT_TIMEOUT:
        config.option.nbval_cell_timeout = CELL_TIMEOUT_SECONDS


def pytest_collectstart(collector):
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)


def pytest_runtest_logreport(report):
    if ".ipynb::" in report.nodeid and report.when == "call":
        name = Path(report.nodeid.split("::")[0]).name
        times = NOTEBOOK_TIMES[name]
        times["default (nbval)"] = times.get("default (nbval)", 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    if not NOTEBOOK_TIMES:
        return
    TIMES_FILE.parent.mkdir(parents=True, exist_ok=True)
    rounded = {name: {mode: round(seconds, 1) for mode, seconds in modes.items()}
               for name, modes in sorted(NOTEBOOK_TIMES.items())}
    TIMES_FILE.write_text(json.dumps(rounded, indent=2) + "\n")
    terminalreporter.section("notebook execution times (seconds)")
    for name, modes in rounded.items():
        terminalreporter.write_line(f"{name:40s} " + "  ".join(f"{mode}: {seconds:7.1f}" for mode, seconds in modes.items()))
    terminalreporter.write_line(f"written to {TIMES_FILE.relative_to(REPOSITORY)}")
