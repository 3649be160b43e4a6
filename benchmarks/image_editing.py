"""Benchmark of lesson 7 (image editing): run time and the lesson's measured targets.

Runs ``notebooks/07_image_editing.ipynb`` with papermill, once with its smoke parameters
and once with its defaults (each in a fresh kernel, models cached in the usual artifacts
folder, smoke models in ``build/smoke-artifacts``), collects the lesson's numbers with
one extra cell run after its last one, and writes
``benchmarks/results/image_editing.json`` and ``.md``:

* seconds of the smoke and the default run (targets: <= 60 s and <= 360 s);
* inversion error of held-out real digits against the nearest training image;
* share of class edits of real digits that the evaluator reads as the requested class;
* inpainting error inside the hidden half against the mean-image and nearest-image fills
  (recorded, not a target: squared error favours the blurry mean, see lesson 7).

Usage: ``python benchmarks/image_editing.py [--skip-smoke]``. Pass ``--cold`` to point the
default run at an empty artifacts folder, so the generator and evaluator are trained
inside the timed run (what a learner who skipped lessons 2 and 6 experiences).
"""

from __future__ import annotations

import sys
from pathlib import Path

import json
import os
import time

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

TARGETS = {
    "smoke_seconds": ("<=", 60.0),
    "default_seconds": ("<=", 360.0),
    "inversion_beats_nearest_image": ("==", True),
    "class_edit_success": (">=", 0.80),
}



COLLECT = """
import json
from pathlib import Path

Path({path!r}).write_text(json.dumps({{
    "generated_class_accuracy": round(float(generated_accuracy), 4),
    "inversion_mse": round(float(inversion_errors.mean()), 5),
    "nearest_image_mse": round(float(nearest_errors.mean()), 5),
    "inversion_beats_nearest_image": bool(inversion_errors.mean() < nearest_errors.mean()),
    "share_of_digits_inversion_beats_nearest": round(float(np.mean(inversion_errors < nearest_errors)), 4),
    "class_edit_success": round(float(edit_success), 4),
    "inpainting_mse_in_hole": round(float(inpaint_errors["GAN inversion"]), 5),
    "mean_image_fill_mse_in_hole": round(float(inpaint_errors["mean training image"]), 5),
    "nearest_image_fill_mse_in_hole": round(float(inpaint_errors["nearest training image"]), 5),
    "inpainting_beats_mean_image": bool(inpaint_errors["GAN inversion"] < inpaint_errors["mean training image"]),
    "restored_read_as_true_class": {{name: round(float(value), 4) for name, value in inpaint_reads.items()}},
    "n_inverted": int(N_INVERT),
}}, indent=2))
"""


def run_lesson_benchmark(notebook: str, name: str, targets: dict, argv: list[str], collect: str = COLLECT) -> int:
    """Run one lesson smoke + default with papermill, collect its numbers with ``collect``
    (code run in the lesson's kernel after its last cell: the lesson writes no file
    itself), check ``targets`` and write ``benchmarks/results/<name>.json|md``."""
    from tools import notebook_runner

    path = REPOSITORY / "notebooks" / f"{notebook}.ipynb"
    build = REPOSITORY / "build" / "benchmarks"
    results = {"notebook": f"notebooks/{path.name}", "cpu_count": os.cpu_count(),
               "load_average_before": round(os.getloadavg()[0], 2)}
    if "--skip-smoke" not in argv:
        os.environ["COURSE_ARTIFACTS"] = str(REPOSITORY / "build" / "smoke-artifacts")
        results["smoke_seconds"] = round(notebook_runner.execute(
            path, build / f"{notebook}.smoke.ipynb", notebook_runner.smoke_parameters(path)), 1)
    if "--cold" in argv:
        cold = build / f"cold-artifacts-{int(time.time())}"
        os.environ["COURSE_ARTIFACTS"] = str(cold)
        results["default_run"] = "cold: generator and evaluator trained inside the timed run"
    else:
        os.environ.pop("COURSE_ARTIFACTS", None)
        results["default_run"] = "warm: models saved by earlier lessons or runs are loaded"
    measured_file = build / f"{name}.measured.json"
    measured_file.unlink(missing_ok=True)
    results["default_seconds"] = round(notebook_runner.execute(
        path, build / f"{notebook}.default.ipynb", extra_code=collect.format(path=str(measured_file))), 1)
    results["load_average_after"] = round(os.getloadavg()[0], 2)
    results.update(json.loads(measured_file.read_text()))
    checks = {}
    for key, (operator, bound) in targets.items():
        value = results.get(key)
        if value is None:
            passed = False
        elif operator == "<=":
            passed = value <= bound
        elif operator == ">=":
            passed = value >= bound
        else:
            passed = value == bound
        checks[key] = {"target": f"{operator} {bound}", "value": value, "passed": bool(passed)}
    results["targets"] = checks
    output = REPOSITORY / "benchmarks" / "results"
    output.mkdir(parents=True, exist_ok=True)
    (output / f"{name}.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"# {name}: measured by benchmarks/{name}.py", "",
             f"Machine: {results['cpu_count']} CPU cores, load average {results['load_average_before']} before and "
             f"{results['load_average_after']} after (other jobs inflate the times). Default run: {results['default_run']}.",
             "", "| quantity | target | measured | passed |", "| --- | --- | --- | --- |"]
    lines += [f"| {key} | {check['target']} | {check['value']} | {'yes' if check['passed'] else 'NO'} |"
              for key, check in checks.items()]
    lines += ["", "| other measured quantity | value |", "| --- | --- |"]
    lines += [f"| {key} | {value} |" for key, value in results.items()
              if key not in checks and key not in ("targets", "notebook", "cpu_count", "default_run")]
    (output / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(check["passed"] for check in checks.values()) else 1


if __name__ == "__main__":
    sys.exit(run_lesson_benchmark("07_image_editing", "image_editing", TARGETS, sys.argv[1:]))
