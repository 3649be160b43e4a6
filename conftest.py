"""Shared pytest set-up: nbval ignores stderr, and notebook run times are recorded.

* TensorFlow's C++ log lines reach stderr in a papermill or JupyterLab kernel but not in
  the kernel nbval starts, so stderr can never match: nbval is told not to compare it.
* Every notebook's execution time, smoke (papermill) and default (nbval, summed over its
  cells), is written to ``build/notebook_times.json`` and printed at the end of the run.
"""

import json
from collections import defaultdict
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent
TIMES_FILE = REPOSITORY / "build" / "notebook_times.json"
NOTEBOOK_TIMES = defaultdict(dict)  # notebook name -> {"smoke": s, "default (nbval)": s}


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
    rounded = {name: {mode: round(seconds, 1) for mode, seconds in modes.items()} for name, modes in sorted(NOTEBOOK_TIMES.items())}
    TIMES_FILE.write_text(json.dumps(rounded, indent=2) + "\n")
    terminalreporter.section("notebook execution times (seconds)")
    for name, modes in rounded.items():
        terminalreporter.write_line(f"{name:40s} " + "  ".join(f"{mode}: {seconds:7.1f}" for mode, seconds in modes.items()))
    terminalreporter.write_line(f"written to {TIMES_FILE.relative_to(REPOSITORY)}")
