"""Does sampling with shorter codes (the truncation trick) buy lesson 5's DCGAN the fidelity
its recipe search could not?

benchmarks/gan_recipes.py chose the DCGAN's recipe (learning rate 3.2e-3 + hinge): it
raised recall and lowered the Frechet distance, but not precision (test 0.56, target 0.7).
Lesson 7 measures the truncation trick on the conditional GAN: codes ``psi * z`` with
``psi < 1`` trade diversity for fidelity. This script measures the same trade on the DCGAN:

1. train the chosen recipe with seeds 0, 1, 2 at the search's CPU budget B (read from
   ``benchmarks/results/gan_recipes.json``; the same ``train_run`` as the search);
2. score 1,000 digits from codes ``psi * z`` for every ``psi`` in ``--psis`` against the
   **validation** digits (precision, recall, FD, class shares);
3. choose ``psi`` on validation by the rule stated before looking: the largest mean
   precision among the ``psi`` whose mean validation recall stays >= ``--min-recall``;
4. score the chosen ``psi`` and ``psi = 1`` once on the **test** digits.

Writes ``benchmarks/results/gan_truncation.json`` and ``.md``. One command (about 5 CPU
minutes)::

    nice -n 10 .venv/bin/python benchmarks/gan_truncation.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

import course_utils as cu

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
_spec = importlib.util.spec_from_file_location("gan_recipes", ROOT / "benchmarks" / "gan_recipes.py")
gan_recipes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gan_recipes)

SCORES = ("frechet_distance", "precision", "recall", "min_class_share", "max_class_share", "diversity_ratio")


def truncated_images(generator, psi, seed, n=1000):
    """``n`` digits from codes ``psi * z``; z is the same for every psi (seeded by ``seed``)."""
    latent_dim = generator.inputs[0].shape[-1]
    codes = np.random.default_rng(seed + 1000).normal(size=(n, latent_dim)).astype(np.float32)
    return cu.gan.generate(generator, psi * codes)


def choose_by_rule(mean_scores, min_recall, fallback):
    """The rule the truncation, rejection and frontier scripts fix before their runs: the key
    of ``mean_scores`` (psi, kept fraction, minutes) with the largest mean validation
    precision among those whose mean validation recall is >= ``min_recall``; ``fallback``
    if none qualifies."""
    eligible = [key for key, row in mean_scores.items() if row["recall"] >= min_recall]
    if not eligible:
        return fallback
    return max(eligible, key=lambda key: mean_scores[key]["precision"])


def mean_std(values):
    values = np.asarray(values, float)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipe", default="rate_3.2e-3+hinge", help="a gan_recipes candidate name")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--psis", nargs="+", type=float, default=[1.0, 0.9, 0.8, 0.7, 0.6])
    parser.add_argument("--min-recall", type=float, default=0.6, help="the recall target (issue 10)")
    parser.add_argument("--budget-cpu-seconds", type=float, default=None,
                        help="default: B of benchmarks/results/gan_recipes.json")
    parser.add_argument("--out", default=str(RESULTS / "gan_truncation"), help="results path without suffix")
    arguments = parser.parse_args(argv)
    if 1.0 not in arguments.psis:
        raise SystemExit("--psis must include 1.0 (the untruncated reference)")
    budget = arguments.budget_cpu_seconds
    if budget is None:
        budget = json.loads((RESULTS / "gan_recipes.json").read_text())["budget_cpu_seconds"]

    cu.setup(0, verbose=False)
    data = cu.data.load_mnist("offline", seed=gan_recipes.baseline_recipe().data_seed)
    evaluator_recipe = cu.trained.recipe("evaluator", "classroom")
    evaluator = cu.trained.load_or_train(evaluator_recipe, verbose=False).model
    runs = {}
    for seed in arguments.seeds:
        recipe = gan_recipes.recipe_of(arguments.recipe, seed)
        gan, reached = gan_recipes.train_run(recipe, data, budget)
        generator = gan.sampling_generator
        scores = {}
        for psi in arguments.psis:
            images = truncated_images(generator, psi, seed)
            scores[f"{psi:g}"] = gan_recipes.validation_scores(images, data, evaluator, seed)
            print(f"seed {seed}, psi {psi:g}: validation precision {scores[f'{psi:g}']['precision']:.3f}, "
                  f"recall {scores[f'{psi:g}']['recall']:.3f}", flush=True)
        runs[seed] = {"reached": reached, "validation": scores, "generator": generator}

    mean_scores = {psi: {score: float(np.mean([runs[seed]["validation"][f"{psi:g}"][score] for seed in runs]))
                         for score in SCORES} for psi in arguments.psis}
    chosen = choose_by_rule(mean_scores, arguments.min_recall, fallback=1.0)  # 1: no truncation
    test = {}
    for psi in sorted({1.0, chosen}, reverse=True):
        test[f"{psi:g}"] = {seed: gan_recipes.test_scores(truncated_images(runs[seed]["generator"], psi, seed), data,
                                                          evaluator, seed) for seed in runs}
    results = {"recipe": arguments.recipe, "changes": gan_recipes.changes_of(arguments.recipe),
               "budget_cpu_seconds": budget, "seeds": arguments.seeds, "psis": arguments.psis,
               "min_recall": arguments.min_recall, "chosen_psi": chosen,
               **run_context(evaluator_recipe, data, evaluator),
               "runs": {str(seed): {"reached": run["reached"], "validation": run["validation"]}
                        for seed, run in runs.items()},
               "test": {psi: {str(seed): row for seed, row in rows.items()} for psi, rows in test.items()}}
    write_results(results, arguments.out, report)
    return results


def row_of(per_seed):
    """Markdown cells 'mean ± std' of every score in SCORES over a list of per-seed score dicts."""
    cells = []
    for score, digits in zip(SCORES, (1, 3, 3, 3, 3, 2)):
        mean, std = mean_std([scores[score] for scores in per_seed])
        cells.append(f"{mean:.{digits}f} ± {std:.{digits}f}")
    return " | ".join(cells)


def split_header(title, n_digits, reference, header):
    """A report section's heading (with the real-vs-real precision and recall at the same
    sizes) and the head of its table, whose columns are those of ``header``."""
    return "\n".join([
        f"## {title} ({n_digits:,} digits; real vs real: precision {reference['precision']:.3f}, "
        f"recall {reference['recall']:.3f})", "", header, "|" + " --- |" * header.count(" | ") + " --- |"])


def run_context(evaluator_recipe, data, evaluator):
    """What a GAN benchmark records of how it was scored and where: the evaluator, this
    machine (with its CPU model, which sets the scale of the evaluator's features), the load
    average at the end, the date, and the real-vs-real reference scores."""
    return {"evaluator": evaluator_recipe.identity,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {cpu_model()}",
            "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
            "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "references": gan_recipes.references(data, evaluator)}


def cpu_model(cpuinfo=Path("/proc/cpuinfo")):
    """The CPU's model name (Linux's ``cpuinfo``), or the platform's processor string where
    that file or its "model name" line is missing."""
    try:
        for line in Path(cpuinfo).read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def write_results(results, out, report):
    """``out``.json holds ``results``; ``out``.md the Markdown ``report(results)``, also printed."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
    out.with_suffix(".md").write_text(report(results) + "\n")
    print(report(results))


def report(results):
    seeds = results["runs"]
    header = "| codes | FD | precision | recall | min share | max share | diversity ratio |"
    reached = [run["reached"] for run in seeds.values()]
    lines = [
        "# The truncation trick on lesson 5's DCGAN (offline digits)", "",
        (f"Written by `benchmarks/gan_truncation.py` on {results['machine']} ({results['date_utc']} UTC). Recipe "
         f"`{results['recipe']}` ({json.dumps(results['changes'])} on lesson 5's pre-search recipe), seeds "
         f"{', '.join(map(str, results['seeds']))}, each trained to the search's budget B = "
         f"{results['budget_cpu_seconds']} CPU s: {', '.join(str(r['epochs']) for r in reached)} epochs reached. "
         "1,000 digits per run from codes psi * z (the same z for every psi). Mean ± standard deviation over "
         "seeds."), "",
        (f"Rule, fixed before the runs: choose the psi with the largest mean validation precision among those "
         f"whose mean validation recall is at least {results['min_recall']:g}. Chosen: psi = "
         f"{results['chosen_psi']:g}."), "",
        split_header("Validation", results["references"]["n_validation"], results["references"]["validation"],
                     header)]
    for psi in results["psis"]:
        lines.append(f"| psi = {psi:g} | " + row_of([run["validation"][f"{psi:g}"] for run in seeds.values()]) + " |")
    lines += ["", split_header("Test, once", results["references"]["n_test"], results["references"]["test"],
                               header)]
    for psi, per_seed in results["test"].items():
        lines.append(f"| psi = {psi} | " + row_of(list(per_seed.values())) + " |")
    chosen = results["test"][f"{results['chosen_psi']:g}"]
    precision, recall = (mean_std([row[score] for row in chosen.values()])[0] for score in ("precision", "recall"))
    shares = [mean_std([row[score] for row in chosen.values()])[0] for score in ("min_class_share", "max_class_share")]
    lines += ["", f"## Targets (issue 10, lesson 5, on test) at psi = {results['chosen_psi']:g}", "",
              f"- precision >= 0.7: {precision:.3f} -> {'met' if precision >= 0.7 else 'NOT met'}",
              f"- recall >= 0.6: {recall:.3f} -> {'met' if recall >= 0.6 else 'NOT met'}",
              f"- every class 5%-15%: {shares[0]:.3f}-{shares[1]:.3f} -> "
              f"{'met' if shares[0] >= 0.05 and shares[1] <= 0.15 else 'NOT met'}"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
