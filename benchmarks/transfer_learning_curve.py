"""The full transfer-learning curve of lesson 3, over three seeds, and its targets.

It executes ``notebooks/03_fine_tuning.ipynb`` itself (with papermill, into
``build/benchmarks/``) with ``CURVE_SEEDS=[0, 1, 2]``, so the numbers come from exactly
the code the lesson teaches. One extra cell, run in the lesson's kernel after its last
cell (the lesson itself writes no file), saves the curve to a JSON file; this script
summarises it (mean and standard deviation over seeds, fine-tuning minus scratch with its
standard deviation over seeds) and writes

* ``benchmarks/results/transfer_learning_curve.json`` -- every accuracy and the summary;
* ``benchmarks/results/transfer_learning_curve.md`` -- the same as a table, and the
  README's transfer table (``readme_table``), which is pasted into README.md by hand.

Every method gets the same budget of ``CURVE_STEPS`` gradient steps: scratch, feature
extraction (the head alone for all of them) and fine-tuning (``TRANSFER_STEPS`` of
feature extraction, then the rest with the top unfrozen).

It then runs the curve a second time with the scratch models' BatchNorm momentum at
Keras' default 0.99 (unless ``--skip-momentum-comparison``), to record how much a
baseline whose moving statistics lag behind its weights flatters transfer (at 1, 5 and
10 labels per class, to keep the run short).

Targets: at 1 labelled example per class, fine-tuning beats scratch by >= 15 points, at
5 by >= 3 (mean over seeds, on each target domain). Usage::

    .venv/bin/python benchmarks/transfer_learning_curve.py [--seeds 0 1 2]
    .venv/bin/python benchmarks/transfer_learning_curve.py --resummarise  # tables from the JSON
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parent.parent
NOTEBOOK = REPOSITORY / "notebooks" / "03_fine_tuning.ipynb"
RESULTS = REPOSITORY / "benchmarks" / "results"
TARGET_GAPS = {1: 0.15, 5: 0.03}
MOMENTUM_LABELS_PER_CLASS = [1, 5, 10]
# The curve is one cell that trains every seed's models: on a shared 2-core machine it can
# run far beyond the lessons' cell limit (a run on 2026-12-03 timed out after 600 s).
CURVE_CELL_TIMEOUT_SECONDS = 3 * 3600


def summarise(raw: dict) -> dict:
    """Means, spreads and the fine-tuning - scratch gaps of a curve the notebook saved."""
    summary = {}
    for shift, by_strategy in raw["curve"].items():
        summary[shift] = {"mean": {}, "std": {}, "gap_fine_tuning_minus_scratch": {}, "gap_std": {}}
        for strategy, by_n in by_strategy.items():
            summary[shift]["mean"][strategy] = {n: float(np.mean(v)) for n, v in by_n.items()}
            summary[shift]["std"][strategy] = {n: float(np.std(v)) for n, v in by_n.items()}
        for n in by_strategy["scratch"]:
            summary[shift]["gap_fine_tuning_minus_scratch"][n] = (
                summary[shift]["mean"]["fine-tuning"][n] - summary[shift]["mean"]["scratch"][n])
            per_seed = np.subtract(by_strategy["fine-tuning"][n], by_strategy["scratch"][n])
            summary[shift]["gap_std"][n] = float(np.std(per_seed))
    return summary


def single_budget(steps: list) -> int:
    """The one step count a strategy's models took in every setting, or an error."""
    if len(steps) != 1:
        raise RuntimeError(f"the models of one strategy took different numbers of steps: {steps}")
    return int(steps[0])


def check_targets(summary: dict) -> dict:
    checks = {}
    for shift, numbers in summary.items():
        for n, minimum in TARGET_GAPS.items():
            gap = numbers["gap_fine_tuning_minus_scratch"][str(n)]
            checks[f"{shift}, {n}/class: gap >= {minimum:.2f}"] = bool(gap >= minimum)
    return checks


def markdown(result: dict) -> str:
    lines = [
        "# Transfer-learning curve (lesson 3)",
        "",
        f"Target test accuracy, mean +- std over seeds {result['seeds']}; produced by "
        f"`benchmarks/transfer_learning_curve.py` in {result['seconds']:.0f} s "
        f"({result['machine']}; other jobs may have shared the CPU). Every model gets "
        f"{result['curve_steps']} gradient steps (feature extraction: "
        f"{result['feature_extraction_steps']}; fine-tuning: {result['transfer_steps']} of feature "
        f"extraction, then the rest unfrozen); scratch models use BatchNorm momentum "
        f"{result['scratch_bn_momentum']}. "
        + (f"Steps counted by the models' optimizers: {result['steps_used']}. " if "steps_used" in result else "")
        + "The gap row gives the mean and the std over seeds of "
        "the per-seed gap.",
        "",
    ]
    sizes = [str(n) for n in result["labels_per_class"]]
    for shift, numbers in result["summary"].items():
        lines += [f"## {shift} (source model, no target labels: {result['zero_shot'][shift]:.3f})", "",
                  "| labels per class | " + " | ".join(n if n != "0" else "all" for n in sizes) + " |",
                  "|---|" + "---|" * len(sizes)]
        for strategy in numbers["mean"]:
            cells = [f"{numbers['mean'][strategy][n]:.3f} +- {numbers['std'][strategy][n]:.3f}" for n in sizes]
            lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
        gaps = [f"{100 * numbers['gap_fine_tuning_minus_scratch'][n]:+.1f} +- {100 * numbers['gap_std'][n]:.1f}"
                for n in sizes]
        lines += ["| fine-tuning - scratch (points) | " + " | ".join(gaps) + " |", ""]
    wrong = result.get("scratch_with_momentum_0.99")
    if wrong:
        lines += ["## The wrong baseline: scratch with Keras' default BatchNorm momentum 0.99", "",
                  "Same seeds and steps; only the scratch models change. Fine-tuning minus scratch "
                  "(points) with momentum 0.99, against the fair baseline above:", "",
                  "| shift | labels per class | scratch (0.99) | gap with 0.99 | gap with "
                  f"{result['scratch_bn_momentum']} |", "|---|---:|---:|---:|---:|"]
        for shift, gaps in wrong["gap_fine_tuning_minus_scratch"].items():
            for n in gaps:
                fair = result["summary"][shift]["gap_fine_tuning_minus_scratch"][n]
                lines.append(f"| {shift} | {n if n != '0' else 'all'} | {wrong['scratch_mean'][shift][n]:.3f} | "
                             f"{100 * gaps[n]:+.1f} | {100 * fair:+.1f} |")
        lines.append("")
    lines += ["## Targets", ""]
    lines += [f"- {name}: {'met' if ok else 'NOT met'}" for name, ok in result["targets"].items()]
    return "\n".join(lines) + "\n"


COLLECT_CURVE = """
import json
with open({path!r}, "w") as file:
    json.dump({{"seeds": CURVE_SEEDS, "labels_per_class": LABELS_PER_CLASS, "zero_shot": zero_shot,
               "curve_steps": CURVE_STEPS, "scratch_bn_momentum": SCRATCH_BN_MOMENTUM,
               "transfer_steps": TRANSFER_STEPS,
               "steps_used": {{strategy: sorted(steps) for strategy, steps in curve_steps_used.items()}},
               "curve": {{shift: {{strategy: {{str(n): values for n, values in by_n.items()}}
                                 for strategy, by_n in by_strategy.items()}}
                         for shift, by_strategy in curve.items()}}}}, file, indent=1)
"""


def run_curve(seeds, extra_parameters=None, tag="") -> tuple[dict, float]:
    """Execute lesson 3's curve with ``seeds``; return the curve it computed and the seconds.

    ``RUN_MODE = "explore"``: a different number of seeds or another momentum is not the
    lesson's default run, so its claims are reported rather than stopping the run.
    """
    import tools.notebook_runner as runner
    from tools.notebook_runner import execute

    runner.CELL_TIMEOUT_SECONDS = max(runner.CELL_TIMEOUT_SECONDS, CURVE_CELL_TIMEOUT_SECONDS)
    with tempfile.TemporaryDirectory() as folder:
        raw_path = Path(folder) / "curve.json"
        parameters = {"RUN_MODE": "explore", "CURVE_SEEDS": seeds, **(extra_parameters or {})}
        output = REPOSITORY / "build" / "benchmarks" / f"{NOTEBOOK.stem}{tag}.ipynb"
        start = time.perf_counter()
        execute(NOTEBOOK, output, parameters, extra_code=COLLECT_CURVE.format(path=str(raw_path)))
        seconds = time.perf_counter() - start
        return json.loads(raw_path.read_text()), seconds


def readme_table(result: dict) -> str:
    """The README's transfer table (means over seeds; the spreads are in the .md file)."""
    names = {"scratch": "from scratch", "feature extraction": "feature extraction", "fine-tuning": "fine-tuning"}
    sizes = [str(n) for n in result["labels_per_class"]]
    lines = ["| shift | method | " + " | ".join(n if n != "0" else "all" for n in sizes) + " |",
             "| --- | --- |" + " ---: |" * len(sizes)]
    for shift, numbers in result["summary"].items():
        label = shift.replace(" digits", "")
        for index, strategy in enumerate(names):
            cells = " | ".join(f"{numbers['mean'][strategy][n]:.3f}" for n in sizes)
            lines.append(f"| {label} | {names[strategy]} | {cells} |" if index == 0 else f"| | {names[strategy]} | {cells} |")
        gaps = " | ".join(f"*{100 * numbers['gap_fine_tuning_minus_scratch'][n]:+.1f}*" for n in sizes)
        lines.append(f"| | *fine-tuning - scratch (points)* | {gaps} |")
    return "\n".join(lines) + "\n"


def write_results(result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    result["summary"] = summarise({"curve": result["accuracies"]})
    result["targets"] = check_targets(result["summary"])
    (RESULTS / "transfer_learning_curve.json").write_text(json.dumps(result, indent=1) + "\n")
    (RESULTS / "transfer_learning_curve.md").write_text(markdown(result))
    print(markdown(result))
    print("README table:\n" + readme_table(result))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--skip-momentum-comparison", action="store_true",
                        help="do not also run the scratch baseline with Keras' default BN momentum 0.99")
    parser.add_argument("--resummarise", action="store_true",
                        help="recompute the summary and tables from the accuracies in the results file; run nothing")
    arguments = parser.parse_args(argv)
    if len(arguments.seeds) < 3:
        parser.error("--seeds: the benchmark needs at least 3 seeds")
    sys.path.insert(0, str(REPOSITORY))
    if arguments.resummarise:
        result = json.loads((RESULTS / "transfer_learning_curve.json").read_text())
        write_results(result)
        return 0 if all(result["targets"].values()) else 1

    raw, seconds = run_curve(arguments.seeds)
    result = {
        "seeds": raw["seeds"], "labels_per_class": raw["labels_per_class"], "zero_shot": raw["zero_shot"],
        "curve_steps": raw["curve_steps"], "transfer_steps": raw["transfer_steps"],
        "steps_used": raw["steps_used"],  # gradient steps each model took, counted by its optimizers
        "feature_extraction_steps": single_budget(raw["steps_used"]["feature extraction"]),
        "scratch_bn_momentum": raw["scratch_bn_momentum"], "accuracies": raw["curve"],
        "seconds": round(seconds, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}",
    }
    write_results(result)  # the main curve first, so that a long comparison run cannot lose it
    if not arguments.skip_momentum_comparison:
        wrong, wrong_seconds = run_curve(
            arguments.seeds, {"SCRATCH_BN_MOMENTUM": 0.99, "LABELS_PER_CLASS": MOMENTUM_LABELS_PER_CLASS},
            tag="-momentum-0.99")
        wrong_summary = summarise(wrong)
        result["scratch_with_momentum_0.99"] = {
            "scratch_mean": {shift: numbers["mean"]["scratch"] for shift, numbers in wrong_summary.items()},
            "gap_fine_tuning_minus_scratch": {shift: numbers["gap_fine_tuning_minus_scratch"]
                                              for shift, numbers in wrong_summary.items()},
            "seconds": round(wrong_seconds, 1),
        }
        write_results(result)
    return 0 if all(result["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
