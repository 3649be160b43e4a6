"""Quality and speed of the lesson 5/6 GANs with their default settings (offline MNIST).

For each kind ("dcgan", "cgan") and each seed it trains the lesson's GAN from scratch and, every
``--every`` epochs, scores 1,000 generated digits with the evaluator classifier
(``cu.trained.recipe("evaluator")``, lesson 2's):

``cu.metrics.quality_scores`` against the 1,000 real test digits: Frechet distance,
improved precision and recall (k = 3), within-class diversity (generated / real, in
evaluator features), class coverage and class shares, and for the conditional GAN the class
accuracy (share classified as the requested digit). Each is reported beside its
real-vs-real value (``cu.metrics.reference_scores``: 1,000 training digits against the
1,000 test digits, disjoint) and the untrained generator's.

Writes ``benchmarks/results/gan_scores.json`` and ``gan_scores.md``. Timings depend on
the machine and on what else runs on it.

    .venv/bin/python benchmarks/gan_scores.py            # both kinds, lesson defaults, seeds 0 1 2
    .venv/bin/python benchmarks/gan_scores.py --kinds cgan --epochs 5 --seeds 0
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import time
from pathlib import Path

import numpy as np

import course_utils as cu

RESULTS = Path(__file__).resolve().parent / "results"
N_SAMPLES = 1000
LESSON_MODEL = {"dcgan": "dcgan", "cgan": "conditional_gan"}  # names in cu.trained.CATALOGUE


def generated_images(generator, kind, seed):
    rng = np.random.default_rng(seed + 1000)
    latent_dim = generator.inputs[0].shape[-1]
    noise = rng.normal(size=(N_SAMPLES, latent_dim)).astype("float32")
    labels = np.repeat(np.arange(10), N_SAMPLES // 10).astype("int32")
    inputs = [noise, labels] if kind == "cgan" else noise
    return cu.gan.to_unit_range(generator.predict(inputs, batch_size=500, verbose=0)), labels


def rounded(scores):
    return {key: [round(value, 4) for value in values] if isinstance(values, list) else round(values, 4)
            for key, values in scores.items()}


def scores(generator, kind, data, evaluator, seed):
    images, labels = generated_images(generator, kind, seed)
    return rounded(cu.metrics.quality_scores(data.x_test, images, evaluator, real_labels=data.y_test,
                                             labels=labels if kind == "cgan" else None, seed=seed))


def run(kind, epochs, every, seed, data, evaluator):
    import keras

    recipe = dataclasses.replace(cu.trained.recipe(LESSON_MODEL[kind], "classroom"), epochs=epochs, seed=seed)
    gan = cu.trained.build_gan(recipe)
    curve = [{"epoch": 0, **scores(gan.generator, kind, data, evaluator, seed)}]
    seconds = []

    class Score(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.start)
            if (epoch + 1) % every == 0 or epoch + 1 == epochs:
                curve.append({"epoch": epoch + 1, **scores(self.model.generator, kind, data, evaluator, seed),
                              "d_accuracy_real": round(logs["d_accuracy_real"], 3),
                              "d_accuracy_fake": round(logs["d_accuracy_fake"], 3)})
                print(kind, curve[-1], flush=True)

    labels = data.y_train if kind == "cgan" else None
    cu.gan.train(gan, data.x_train * 2 - 1, labels, epochs=epochs, batch_size=recipe.batch_size,
                 seed=seed, callbacks=[Score()])
    return {"epochs": epochs, "batch_size": recipe.batch_size, "latent_dim": recipe.latent_dim,
            "seconds_per_epoch_median": round(float(np.median(seconds)), 2),
            "seconds_first_epoch": round(seconds[0], 2), "seconds_training_total": round(float(np.sum(seconds)), 1),
            "untrained": curve[0], "trained": curve[-1], "curve": curve}


#: Issue 10's targets for the lessons' default recipes, on test: (score, sense, value).
TARGETS = {
    "dcgan": (("precision", ">=", 0.7), ("recall", ">=", 0.6), ("min_class_share", ">=", 0.05),
              ("max_class_share", "<=", 0.15)),
    "cgan": (("class_accuracy", ">=", 0.9), ("diversity_ratio", ">=", 0.7), ("recall", ">=", 0.5)),
}
TABLE_SCORES = ("frechet_distance", "precision", "recall", "diversity_ratio", "class_coverage", "min_class_share",
                "max_class_share", "class_accuracy")


def spread(values):
    """(mean, sample standard deviation or nan for one value)."""
    values = np.asarray(values, float)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else float("nan")


def summary_of(runs):
    """Mean and spread over seeds of the trained generators' scores, per score."""
    trained = [run["trained"] for run in runs.values()]
    return {key: spread([scores[key] for scores in trained]) for key in TABLE_SCORES if key in trained[0]}


def shown(mean_std, digits=3):
    mean, std = mean_std
    return f"{mean:.{digits}f}" if np.isnan(std) else f"{mean:.{digits}f} ± {std:.{digits}f}"


def report(results):
    kinds = [kind for kind in cu.gan.KINDS if kind in results]
    real_vs_real = results["baseline"]["real_vs_real"]
    lines = [(f"Scores of {N_SAMPLES:,} generated digits against the {results['n_test']:,} real test digits, for "
              "each lesson's default recipe (`cu.trained.recipe`, classroom size) trained from scratch with "
              "each seed (the data split is the recipe's, the same for every seed); real vs real: "
              f"{N_SAMPLES:,} training digits in place of the generated ones. Mean ± standard deviation over "
              f"seeds. Machine: {results['machine']}, {results['date_utc']} UTC."), "",
             "| score | real vs real | " + " | ".join(
                 f"{kind}, {results[kind]['recipe']['epochs']} epochs (seeds "
                 f"{', '.join(map(str, results[kind]['runs']))})" for kind in kinds) + " |",
             "| --- | --- |" + " --- |" * len(kinds)]
    for key in TABLE_SCORES:
        cells = [shown(results[kind]["summary"][key], 1 if key == "frechet_distance" else 3)
                 if key in results[kind]["summary"] else "-" for kind in kinds]
        lines.append(f"| {key} | {real_vs_real[key]:g} | " + " | ".join(cells) + " |")
    for kind in kinds:
        recipe = results[kind]["recipe"]
        lines += ["", f"## {kind}: learning rate {recipe['learning_rate']:g}, loss {recipe['loss']}, "
                  f"{recipe['epochs']} epochs, batch {recipe['batch_size']}", ""]
        for score, sense, target in TARGETS[kind]:
            mean = results[kind]["summary"][score][0]
            met = mean >= target if sense == ">=" else mean <= target
            lines.append(f"- {score} {sense} {target:g}: {shown(results[kind]['summary'][score])} -> "
                         f"{'met' if met else 'NOT met'}")
        for seed, run in results[kind]["runs"].items():
            trained = run["trained"]
            lines.append(f"- seed {seed}: class shares (evaluator's reading) "
                         + ", ".join(f"{digit}: {share:.1%}" for digit, share in enumerate(trained["class_shares"]))
                         + f"; {run['seconds_training_total']} s of training "
                         f"({run['seconds_per_epoch_median']} s/epoch median, scoring excluded)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", nargs="+", default=list(cu.gan.KINDS), choices=cu.gan.KINDS)
    parser.add_argument("--epochs", type=int, default=None, help="default: the lesson's")
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--output", default="gan_scores")
    arguments = parser.parse_args(argv)

    cu.setup(0, verbose=False)
    data_seeds = {cu.trained.recipe(LESSON_MODEL[kind], "classroom").data_seed for kind in arguments.kinds}
    if len(data_seeds) != 1:
        raise SystemExit(f"the lessons' recipes split the data differently ({sorted(data_seeds)})")
    data = cu.data.load_mnist("offline", seed=data_seeds.pop())
    evaluator = cu.trained.load_or_train(cu.trained.recipe("evaluator", "classroom"), verbose=False).model
    real_vs_real = rounded(cu.metrics.quality_scores(data.x_test, data.x_train[:N_SAMPLES], evaluator,
                                                     real_labels=data.y_test, labels=data.y_train[:N_SAMPLES]))
    baseline = {"real_vs_real": real_vs_real, "real_vs_real_frechet_distance": real_vs_real["frechet_distance"],
                "evaluator_test_accuracy": round(float(np.mean(
                    cu.metrics.predicted_classes(data.x_test, evaluator) == data.y_test)), 4)}
    print(baseline, flush=True)
    path_json = RESULTS / f"{arguments.output}.json"
    earlier = json.loads(path_json.read_text()) if path_json.exists() else {}
    results = {"machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores", "data": data.name,
               "n_generated": N_SAMPLES, "n_test": len(data.x_test), "baseline": baseline,
               "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}
    # kinds not run now are kept from the file if they were scored against the same real digits
    if earlier.get("baseline", {}).get("real_vs_real") == real_vs_real:
        for kind in set(cu.gan.KINDS) - set(arguments.kinds):
            if "summary" in earlier.get(kind, {}):
                results[kind] = earlier[kind]
    for kind in arguments.kinds:
        recipe = cu.trained.recipe(LESSON_MODEL[kind], "classroom")
        epochs = arguments.epochs or recipe.epochs
        runs = {str(seed): run(kind, epochs, arguments.every, seed, data, evaluator) for seed in arguments.seeds}
        results[kind] = {"recipe": {**dataclasses.asdict(dataclasses.replace(recipe, epochs=epochs)),
                                    "augment": list(recipe.augment)},
                         "runs": runs, "summary": summary_of(runs)}

    RESULTS.mkdir(exist_ok=True)
    path_json.write_text(json.dumps(results, indent=1) + "\n")
    (RESULTS / f"{arguments.output}.md").write_text(report(results) + "\n")
    print(report(results))


if __name__ == "__main__":
    main()
