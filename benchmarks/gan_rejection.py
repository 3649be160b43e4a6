"""Does keeping only the digits lesson 5's own discriminator rates most real (discriminator
rejection, after Azadi et al. 2019) buy its DCGAN the fidelity the recipe search could not,
at a smaller cost in diversity than the truncation trick?

benchmarks/gan_truncation.py measured codes ``psi * z``: precision rose, recall fell, and
at the recall target (0.6) precision stayed just under 0.7. Truncation shrinks every code
towards the mean; rejection instead throws away the samples D scores as fake, wherever they
are. This script:

1. trains the chosen recipe of benchmarks/results/gan_recipes.json with seeds 0, 1, 2 for
   lesson 5's 30 epochs (its default run; the same ``train_run`` as the search);
2. draws candidates from one fixed noise per seed and, for every keep fraction ``f`` in
   ``--keep``, keeps the 1,000 digits with the highest discriminator logit among the first
   ``1000 / f`` candidates (``f = 1``: no rejection);
3. chooses ``f`` on the **validation** digits by the rule stated before looking: the
   largest mean precision among the fractions whose mean validation recall is at least
   ``--min-recall`` (the recall target);
4. scores the chosen ``f`` and ``f = 1`` once on the **test** digits.

Writes ``benchmarks/results/gan_rejection.json`` and ``.md``. One command (about 6 minutes
on 2 idle cores)::

    .venv/bin/python benchmarks/gan_rejection.py
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

import course_utils as cu

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


sys.path.insert(0, str(Path(__file__).resolve().parent))
import gan_truncation  # noqa: E402  (the GAN benchmarks' shared report helpers; it loads gan_recipes)

gan_recipes = gan_truncation.gan_recipes
SCORES = gan_truncation.SCORES
N_KEPT = 1000


def candidates(gan, seed, keep_fractions):
    """Raw generator outputs in [-1, 1] for the largest pool any fraction needs, and D's
    logit for each (inference mode). The noise is fixed by ``seed``."""
    pool = int(np.ceil(N_KEPT / min(keep_fractions)))
    latent_dim = gan.generator.inputs[0].shape[-1]
    codes = np.random.default_rng(seed + 1000).normal(size=(pool, latent_dim)).astype(np.float32)
    raw = gan.sampling_generator.predict(codes, batch_size=500, verbose=0)
    logits = gan.discriminator.predict(raw, batch_size=500, verbose=0).reshape(-1)
    return raw, logits


def kept_images(raw, logits, fraction):
    """The N_KEPT digits with the highest logits among the first N_KEPT / fraction, in [0, 1]."""
    pool = int(round(N_KEPT / fraction))
    best = np.argsort(-logits[:pool], kind="stable")[:N_KEPT]
    return cu.gan.to_unit_range(raw[np.sort(best)])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipe", default=None, help="default: the search's chosen recipe")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=30, help="lesson 5's EPOCHS")
    parser.add_argument("--keep", nargs="+", type=float, default=[1.0, 0.8, 0.6, 0.4, 0.25])
    parser.add_argument("--min-recall", type=float, default=0.6, help="the recall target (issue 10)")
    parser.add_argument("--out", default=str(RESULTS / "gan_rejection"), help="results path without suffix")
    arguments = parser.parse_args(argv)
    if 1.0 not in arguments.keep or not all(0 < f <= 1 for f in arguments.keep):
        raise SystemExit("--keep: fractions in (0, 1], including 1.0 (no rejection)")
    recipe_name = arguments.recipe or json.loads((RESULTS / "gan_recipes.json").read_text())["chosen"]

    cu.setup(0, verbose=False)
    data = cu.data.load_mnist("offline", seed=gan_recipes.baseline_recipe().data_seed)
    evaluator_recipe = cu.trained.recipe("evaluator", "classroom")
    evaluator = cu.trained.load_or_train(evaluator_recipe, verbose=False).model
    runs, pools = {}, {}
    for seed in arguments.seeds:
        gan, reached = gan_recipes.train_run(gan_recipes.recipe_of(recipe_name, seed), data, None,
                                             epochs=arguments.epochs)
        pools[seed] = candidates(gan, seed, arguments.keep)
        scores = {}
        for fraction in arguments.keep:
            images = kept_images(*pools[seed], fraction)
            scores[f"{fraction:g}"] = gan_recipes.validation_scores(images, data, evaluator, seed)
            print(f"seed {seed}, keep {fraction:g}: validation precision "
                  f"{scores[f'{fraction:g}']['precision']:.3f}, recall {scores[f'{fraction:g}']['recall']:.3f}",
                  flush=True)
        runs[seed] = {"reached": reached, "validation": scores}

    mean_scores = {fraction: {score: float(np.mean([runs[seed]["validation"][f"{fraction:g}"][score]
                                                    for seed in runs])) for score in SCORES}
                   for fraction in arguments.keep}
    chosen = gan_truncation.choose_by_rule(mean_scores, arguments.min_recall, fallback=1.0)  # 1: keep all
    test = {f"{fraction:g}": {str(seed): gan_recipes.test_scores(kept_images(*pools[seed], fraction), data,
                                                                 evaluator, seed) for seed in runs}
            for fraction in sorted({1.0, chosen}, reverse=True)}
    results = {"recipe": recipe_name, "changes": gan_recipes.changes_of(recipe_name), "epochs": arguments.epochs,
               "seeds": arguments.seeds, "keep": arguments.keep, "min_recall": arguments.min_recall,
               "chosen_keep": chosen, **gan_truncation.run_context(evaluator_recipe, data, evaluator),
               "runs": {str(seed): run for seed, run in runs.items()}, "test": test}
    gan_truncation.write_results(results, arguments.out, report)
    return results


def report(results):
    """The results file's tables in Markdown (``python -c`` can re-write the .md from the .json)."""

    row_of = gan_truncation.row_of
    header = "| kept | FD | precision | recall | min share | max share | diversity ratio |"
    runs = results["runs"]
    lines = [
        "# Discriminator rejection on lesson 5's DCGAN (offline digits)", "",
        (f"Written by `benchmarks/gan_rejection.py` on {results['machine']} ({results['date_utc']} UTC). Recipe "
         f"`{results['recipe']}` ({json.dumps(results['changes'])}), seeds "
         f"{', '.join(map(str, results['seeds']))}, {results['epochs']} epochs each (lesson 5's default). "
         f"Keep f: the {N_KEPT:,} digits with the highest discriminator logit among the first {N_KEPT:,} / f "
         "candidates of one fixed noise per seed. Mean ± standard deviation over seeds."), "",
        (f"Rule, fixed before the runs: choose the f with the largest mean validation precision among those "
         f"whose mean validation recall is at least {results['min_recall']:g}. Chosen: f = "
         f"{results['chosen_keep']:g}."), "",
        gan_truncation.split_header("Validation", results["references"]["n_validation"],
                                    results["references"]["validation"], header)]
    for fraction in results["keep"]:
        lines.append(f"| f = {fraction:g} | "
                     + row_of([run["validation"][f"{fraction:g}"] for run in runs.values()]) + " |")
    lines += ["", gan_truncation.split_header("Test, once", results["references"]["n_test"],
                                              results["references"]["test"], header)]
    for fraction, per_seed in results["test"].items():
        lines.append(f"| f = {fraction} | " + row_of(list(per_seed.values())) + " |")
    per_seed = {fraction: [run["validation"][f"{fraction:g}"]["precision"] for run in runs.values()]
                for fraction in results["keep"]}
    clear = cu.results.clearly_above(per_seed[results["chosen_keep"]], per_seed[1.0])
    lines += ["", (f"Is the chosen f's validation precision above f = 1's by more than the two seed spreads "
                   f"added (`cu.results.clearly_above`)? {'yes' if clear else 'no: the gain is inside the noise'}.")]
    chosen = list(results["test"][f"{results['chosen_keep']:g}"].values())
    mean = {score: gan_truncation.mean_std([row[score] for row in chosen])[0] for score in SCORES}
    lines += ["", f"## Targets (issue 10, lesson 5, on test) at f = {results['chosen_keep']:g}", "",
              f"- precision >= 0.7: {mean['precision']:.3f} -> {'met' if mean['precision'] >= 0.7 else 'NOT met'}",
              f"- recall >= 0.6: {mean['recall']:.3f} -> {'met' if mean['recall'] >= 0.6 else 'NOT met'}",
              f"- every class 5%-15%: {mean['min_class_share']:.3f}-{mean['max_class_share']:.3f} -> "
              f"{'met' if mean['min_class_share'] >= 0.05 and mean['max_class_share'] <= 0.15 else 'NOT met'}"]
    for fraction, per_seed_rows in results["test"].items():
        inside = [seed for seed, row in per_seed_rows.items()
                  if row["min_class_share"] >= 0.05 and row["max_class_share"] <= 0.15]
        lines.append(f"- f = {fraction}, seeds whose every class is within 5%-15% on test: {len(inside)} of "
                     f"{len(per_seed_rows)} (" + ", ".join(
                         f"seed {seed}: {row['min_class_share']:.3f}-{row['max_class_share']:.3f}"
                         for seed, row in per_seed_rows.items()) + ")")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
