"""How far does more training take lesson 5's DCGAN? Fidelity and diversity against
training minutes, up to 20 minutes (issue 10's frontier).

benchmarks/gan_recipes.py measured the chosen recipe up to 4 B (about 4 CPU minutes): its
validation precision rose from 0.62 to 0.71 while recall held, but test was never scored
beyond 1 B. This script trains the chosen recipe of ``benchmarks/results/gan_recipes.json``
once per seed and, each time the training clock passes a milestone of ``--minutes``, draws
1,000 digits from one fixed noise (the noise ``benchmarks/gan_scores.py`` uses). The clock
is the **wall-clock** time of training on this machine (run it alone on the machine), with
the time spent drawing snapshots taken out; CPU seconds are recorded beside it. The learning
rate is constant, so the snapshot at minute m is the generator a run stopped at minute m
would have. After training:

1. every snapshot is scored against the **validation** digits;
2. a budget is chosen by the rule of the truncation and rejection scripts, fixed before
   the runs: the largest mean validation precision among the milestones whose mean
   validation recall is at least ``--min-recall``;
3. the chosen milestone is scored once on the **test** digits;
4. the report lists, per target of issue 10 (precision, recall, every class 5%-15%), the
   milestones that meet it on validation, and the commonest digit at each milestone.

Writes ``benchmarks/results/gan_frontier.json`` and ``.md``, and a grid of 64 digits of
every snapshot to ``build/gan_frontier/`` (``<recipe>-seed<seed>-<minutes>min.png``). One
command (3 seeds x 20 minutes, plus the evaluator when it is not trained yet)::

    .venv/bin/python benchmarks/gan_frontier.py
    .venv/bin/python benchmarks/gan_frontier.py --quick --out /tmp/x   # seconds (the test's)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import course_utils as cu

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
GRIDS = ROOT / "build" / "gan_frontier"
LESSON_EPOCHS = 30  # lesson 5's EPOCHS
QUICK_MINUTES = (0.02, 0.04)  # --quick: milestones of about a second each


sys.path.insert(0, str(Path(__file__).resolve().parent))
import gan_truncation  # noqa: E402  (the GAN benchmarks' shared report helpers; it loads gan_recipes)

gan_recipes = gan_truncation.gan_recipes
gan_scores = gan_recipes.gan_scores
SCORES = gan_truncation.SCORES


class Snapshots:
    """A Keras callback that, each time training's wall clock passes the next of
    ``milestones`` (seconds), stores 1,000 digits of ``model.sampling_generator`` (uint8)
    with what training reached, and stops ``fit()`` after the last one. The time spent
    drawing a snapshot does not count towards the clock."""

    def __new__(cls, milestones, seed, steps_per_epoch):
        import keras

        milestones = sorted(cu.validation.check_float(value, "milestones", minimum=0.0) for value in milestones)
        if not milestones:
            raise ValueError("milestones: at least one training time in seconds, got none")

        class _Snapshots(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.pending, self.snapshots, self.steps = list(milestones), [], 0

            def on_train_begin(self, logs=None):
                self.wall_start, self.cpu_start = time.perf_counter(), time.process_time()
                self.paused_wall = self.paused_cpu = 0.0

            def on_train_batch_end(self, batch, logs=None):
                self.steps += 1
                wall = time.perf_counter() - self.wall_start - self.paused_wall
                if not self.pending or wall < self.pending[0]:
                    return
                paused_at = time.perf_counter(), time.process_time()
                images, _ = gan_scores.generated_images(self.model.sampling_generator, "gan", seed)
                finite = bool(np.all(np.isfinite(images)))
                self.snapshots.append({
                    "minutes": self.pending.pop(0) / 60, "wall_seconds": round(wall, 1),
                    "cpu_seconds": round(paused_at[1] - self.cpu_start - self.paused_cpu, 1),
                    "steps": self.steps, "epochs": round(self.steps / steps_per_epoch, 2),
                    "load_average": [round(value, 2) for value in os.getloadavg()],
                    "images": np.round(np.nan_to_num(images) * 255).astype(np.uint8) if finite else None})
                self.paused_wall += time.perf_counter() - paused_at[0]
                self.paused_cpu += time.process_time() - paused_at[1]
                if not self.pending or not finite:  # done, or diverged: nothing more to learn
                    self.model.stop_training = True

        return _Snapshots()


def train_with_snapshots(recipe, data, minutes):
    """Train ``recipe`` on ``data.x_train`` until the last of ``minutes``; returns the
    snapshots (see :class:`Snapshots`)."""
    steps_per_epoch = cu.gan.steps_per_epoch(len(data.x_train), recipe.batch_size)
    callback = Snapshots([60 * value for value in minutes], recipe.seed, steps_per_epoch)
    gan = cu.trained.build_gan(recipe)
    cu.gan.train(gan, data.x_train * 2 - 1, None, epochs=gan_recipes.MAX_EPOCHS, batch_size=recipe.batch_size,
                 seed=recipe.seed, callbacks=[callback])
    return callback.snapshots


def validation_means(runs, seeds, minutes):
    """``{milestone: {score: mean over seeds}}`` of the validation scores, for the milestones
    every seed reached and scored (``runs[seed][milestone]["validation"]``)."""
    scored = [key for key in (f"{value:g}" for value in minutes)
              if all("validation" in runs[seed].get(key, {}) for seed in seeds)]
    return {key: {score: float(np.mean([runs[seed][key]["validation"][score] for seed in seeds]))
                  for score in SCORES} for key in scored}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipe", default=None, help="default: the search's chosen recipe")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--minutes", nargs="+", type=float, default=[1, 2, 3, 4, 6, 8, 12, 16, 20],
                        help="milestones: minutes of training (wall clock)")
    parser.add_argument("--min-recall", type=float, default=0.6, help="the recall target (issue 10)")
    parser.add_argument("--quick", action="store_true",
                        help="milestones of seconds, seed 0, the evaluator's smoke size (checks the pipeline)")
    parser.add_argument("--out", default=str(RESULTS / "gan_frontier"), help="results path without suffix")
    arguments = parser.parse_args(argv)
    minutes = sorted(QUICK_MINUTES if arguments.quick else arguments.minutes)
    seeds = [0] if arguments.quick else arguments.seeds
    if minutes[0] <= 0:
        raise SystemExit("--minutes: positive training times")
    recipe_name = arguments.recipe or json.loads((RESULTS / "gan_recipes.json").read_text())["chosen"]

    cu.setup(0, verbose=False)
    data = cu.data.load_mnist("offline", seed=gan_recipes.baseline_recipe().data_seed)
    evaluator_recipe = cu.trained.recipe("evaluator", "smoke" if arguments.quick else "classroom")
    evaluator = cu.trained.load_or_train(evaluator_recipe, verbose=False).model
    runs, images_of = {}, {}
    for seed in seeds:
        snapshots = train_with_snapshots(gan_recipes.recipe_of(recipe_name, seed), data, minutes)
        for snapshot in snapshots:
            key = f"{snapshot['minutes']:g}"
            images = snapshot.pop("images")
            if images is None:
                snapshot["failed"] = "generated pixels are NaN or infinite"
                continue
            images_of[seed, key] = images.astype(np.float32) / 255.0
            snapshot["validation"] = gan_recipes.validation_scores(images_of[seed, key], data, evaluator, seed)
            v = snapshot["validation"]
            print(f"seed {seed}, {key} min: {snapshot['epochs']} epochs, validation FD {v['frechet_distance']:.1f}, "
                  f"precision {v['precision']:.3f}, recall {v['recall']:.3f}, shares "
                  f"{v['min_class_share']:.3f}-{v['max_class_share']:.3f}", flush=True)
        runs[seed] = {f"{snapshot['minutes']:g}": snapshot for snapshot in snapshots}
        partial = Path(arguments.out).with_suffix(".partial.json")  # kept if a later seed fails
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({str(key): run for key, run in runs.items()}, indent=1) + "\n")

    mean_scores = validation_means(runs, seeds, minutes)
    if not mean_scores:
        raise SystemExit("no milestone was reached and scored by every seed")
    chosen = gan_truncation.choose_by_rule(mean_scores, arguments.min_recall, fallback=list(mean_scores)[-1])
    by_rule = any(row["recall"] >= arguments.min_recall for row in mean_scores.values())
    test = {str(seed): gan_recipes.test_scores(images_of[seed, chosen], data, evaluator, seed) for seed in seeds}
    for (seed, key), images in images_of.items():
        gan_recipes.save_grid(images, GRIDS / f"{recipe_name}-seed{seed}-{key}min.png")

    results = {"recipe": recipe_name, "changes": gan_recipes.changes_of(recipe_name), "seeds": seeds,
               "minutes": minutes, "min_recall": arguments.min_recall, "chosen_minutes": chosen,
               "chosen_by": "the rule" if by_rule else "no milestone reached the recall: the longest",
               "lesson_epochs": LESSON_EPOCHS, **gan_truncation.run_context(evaluator_recipe, data, evaluator),
               "runs": {str(seed): run for seed, run in runs.items()}, "test": test}
    gan_truncation.write_results(results, arguments.out, report)
    Path(arguments.out).with_suffix(".partial.json").unlink(missing_ok=True)
    return results


def report(results):
    """The results file's tables in Markdown."""
    runs, seeds = results["runs"], [str(seed) for seed in results["seeds"]]
    header = ("| training minutes | epochs | CPU s | FD | precision | recall | min share | max share | "
              "diversity ratio | commonest digit |")
    lines = [
        "# Lesson 5's DCGAN against training minutes (offline digits)", "",
        (f"Written by `benchmarks/gan_frontier.py` on {results['machine']} ({results['date_utc']} UTC), "
         f"alone on the machine. Recipe `{results['recipe']}` ({json.dumps(results['changes'])}), seeds "
         f"{', '.join(seeds)}: one run per seed, 1,000 digits drawn from one fixed noise each time training's "
         "wall clock passes a milestone (drawing not counted). Mean ± standard deviation over seeds; epochs "
         "and CPU seconds are the seeds' mean. Frechet distances are in this run's evaluator's features "
         f"(`{results['evaluator']}`): compare rows of this file, not other files."), "",
        (f"Rule, fixed before the runs: choose the milestone with the largest mean validation precision among "
         f"those whose mean validation recall is at least {results['min_recall']:g}. Chosen: "
         f"{results['chosen_minutes']} minutes ({results['chosen_by']}). The rule reads precision and recall "
         "only: the class shares and the commonest digit show what it does not see."), "",
        gan_truncation.split_header("Validation", results["references"]["n_validation"],
                                    results["references"]["validation"], header)]
    for value in results["minutes"]:
        key = f"{value:g}"
        rows = [runs[seed][key] for seed in seeds if "validation" in runs[seed].get(key, {})]
        if len(rows) < len(seeds):
            lines.append(f"| {key} | not reached or diverged in {len(seeds) - len(rows)} seed(s) |")
            continue
        epochs, cpu = (np.mean([row[field] for row in rows]) for field in ("epochs", "cpu_seconds"))
        digit, share = commonest_digit(rows)
        lines.append(f"| {key} | {epochs:.1f} | {cpu:.0f} | "
                     + gan_truncation.row_of([row["validation"] for row in rows]) + f" | {digit} ({share:.0%}) |")
    lesson = [next((row for row in runs[seed].values() if row["epochs"] >= results["lesson_epochs"]), None)
              for seed in seeds]
    if all(lesson):
        lines += ["", (f"Lesson 5's {results['lesson_epochs']} epochs were first passed at the "
                       + ", ".join(f"{row['minutes']:g}-minute" for row in lesson) + " milestone (seeds "
                       + ", ".join(seeds) + ").")]
    lines += ["", gan_truncation.split_header(f"Test at {results['chosen_minutes']} minutes, once",
                                              results["references"]["n_test"], results["references"]["test"],
                                              header)]
    rows = [runs[seed][results["chosen_minutes"]] for seed in seeds]
    digit, share = commonest_digit(rows)
    lines.append(f"| {results['chosen_minutes']} | {np.mean([row['epochs'] for row in rows]):.1f} | "
                 f"{np.mean([row['cpu_seconds'] for row in rows]):.0f} | "
                 + gan_truncation.row_of(list(results["test"].values())) + f" | {digit} ({share:.0%}) |")
    mean = {score: gan_truncation.mean_std([row[score] for row in results["test"].values()])[0]
            for score in SCORES}
    values = (f"{mean['precision']:.3f}", f"{mean['recall']:.3f}",
              f"{mean['min_class_share']:.3f}-{mean['max_class_share']:.3f}")
    lines += ["", f"## Targets (issue 10, lesson 5, on test) at {results['chosen_minutes']} minutes", ""]
    lines += [f"- {target}: {value} -> {'met' if met else 'NOT met'}"
              for (target, met), value in zip(targets_met(mean, results["min_recall"]).items(), values)]
    return "\n".join(lines + ["", "## The frontier (validation means)", ""] + frontier(results))


def targets_met(mean, min_recall):
    """Issue 10's three targets for lesson 5's DCGAN, each with whether the scores ``mean``
    meet it."""
    return {"precision >= 0.7": mean["precision"] >= 0.7,
            f"recall >= {min_recall:g}": mean["recall"] >= min_recall,
            "every class 5%-15%": mean["min_class_share"] >= 0.05 and mean["max_class_share"] <= 0.15}


def commonest_digit(rows):
    """The digit with the largest mean share over ``rows`` (snapshots), and that share."""
    shares = np.mean([row["validation"]["class_shares"] for row in rows], axis=0)
    return int(np.argmax(shares)), float(np.max(shares))


def frontier(results):
    """Sentences on which of issue 10's three DCGAN targets each milestone meets on validation."""
    seeds = [str(seed) for seed in results["seeds"]]
    mean = validation_means(results["runs"], seeds, results["minutes"])
    scored = list(mean)
    met = {key: targets_met(mean[key], results["min_recall"]) for key in scored}
    lines = [f"- {target}: met at {', '.join(key for key in scored if met[key][target]) or 'no milestone'} "
             "(minutes)" for target in met[scored[0]]]
    together = [key for key in scored if all(met[key].values())]
    lines.append(f"- all three together: {', '.join(together) + ' (minutes)' if together else 'at no milestone'}")
    digits = [commonest_digit([results["runs"][seed][key] for seed in seeds]) for key in scored]
    lines.append("- commonest digit and its share: " + ", ".join(
        f"{key} min: {digit} ({share:.0%})" for key, (digit, share) in zip(scored, digits)))
    return lines


if __name__ == "__main__":
    main()
