"""Time every lesson in default mode and with its smoke parameters.

    .venv/bin/python benchmarks/notebook_times.py [--modes default,smoke] [notebooks/NN_x.ipynb ...]

Each run is a fresh papermill execution (kernel start-up included). The lessons run in
teaching order and share one folder of trained models per mode, emptied at the start, as
in a classroom (and in CI): lesson 5 loads the evaluator lesson 2 trained. Timing one
lesson alone measures it "cold", training whatever it needs. Results go to ``benchmarks/results/notebook_times.json`` (merged with earlier
results for other notebooks) and ``notebook_times.md``, the table the README quotes.
Run it on an otherwise idle machine: the targets are for this 2-core CPU.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from tools import notebook_runner  # noqa: E402
RESULTS = REPOSITORY / "benchmarks" / "results"
BUILD = REPOSITORY / "build" / "benchmark"


def time_notebook(path: Path, modes) -> dict:
    timings = {}
    for mode in modes:
        os.environ["COURSE_ARTIFACTS"] = str(BUILD / f"artifacts-{mode}")
        parameters = notebook_runner.smoke_parameters(path) if mode == "smoke" else {}
        seconds = notebook_runner.execute(path, BUILD / mode / path.name, parameters)
        timings[mode] = round(seconds, 1)
        print(f"{path.name:40s} {mode:8s} {seconds:7.1f} s", flush=True)
    return timings


def main(paths, modes=("default", "smoke")) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    results_file = RESULTS / "notebook_times.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {"notebooks": {}}
    load_before = os.getloadavg()[0]
    for mode in modes:
        shutil.rmtree(BUILD / f"artifacts-{mode}", ignore_errors=True)
    for path in paths or notebook_runner.list_notebooks():
        timings = results["notebooks"].setdefault(Path(path).name, {})
        timings.update(time_notebook(Path(path), modes))
    results["machine"] = {
        "cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.system(),
        "load_average_before": round(load_before, 2), "measured": time.strftime("%Y-%m-%d"),
    }
    results["notebooks"] = dict(sorted(results["notebooks"].items()))
    results_file.write_text(json.dumps(results, indent=2) + "\n")
    rows = ["| lesson | default run (s) | smoke run (s) |", "| --- | ---: | ---: |"]
    show = lambda timings, mode: f"{timings[mode]:.0f}" if mode in timings else "-"
    rows += [f"| `{name}` | {show(t, 'default')} | {show(t, 'smoke')} |" for name, t in results["notebooks"].items()]
    (RESULTS / "notebook_times.md").write_text("\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    chosen_modes = ("default", "smoke")
    if arguments[:1] == ["--modes"]:
        chosen_modes = tuple(arguments[1].split(","))
        arguments = arguments[2:]
    unknown = set(chosen_modes) - {"default", "smoke"}
    if unknown:
        sys.exit(f"--modes takes default and/or smoke, got {sorted(unknown)}")
    main([Path(argument) for argument in arguments], chosen_modes)
