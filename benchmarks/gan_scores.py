"""Quality and speed of the lesson 5/6 GANs with their default settings (offline MNIST).

For each kind ("dcgan", "cgan") it trains the lesson's GAN from scratch and, every
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

    .venv/bin/python benchmarks/gan_scores.py            # both kinds, lesson defaults
    .venv/bin/python benchmarks/gan_scores.py --kinds cgan --epochs 5
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

    recipe = dataclasses.replace(cu.trained.recipe(LESSON_MODEL[kind], "classroom"), epochs=epochs, seed=seed,
                                 data_seed=seed)
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kinds", nargs="+", default=list(cu.gan.KINDS), choices=cu.gan.KINDS)
    parser.add_argument("--epochs", type=int, default=None, help="default: the lesson's")
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default="gan_scores")
    arguments = parser.parse_args(argv)

    cu.setup(arguments.seed, verbose=False)
    data = cu.data.load_mnist("offline", seed=arguments.seed)
    evaluator = cu.trained.load_or_train(cu.trained.recipe("evaluator", "classroom"), verbose=False).model
    real_vs_real = rounded(cu.metrics.quality_scores(data.x_test, data.x_train[:N_SAMPLES], evaluator,
                                                     real_labels=data.y_test, labels=data.y_train[:N_SAMPLES],
                                                     seed=arguments.seed))
    baseline = {"real_vs_real": real_vs_real, "real_vs_real_frechet_distance": real_vs_real["frechet_distance"],
                "evaluator_test_accuracy": round(float(np.mean(
                    cu.metrics.predicted_classes(data.x_test, evaluator) == data.y_test)), 4)}
    print(baseline, flush=True)
    results = {"machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores", "data": data.name,
               "n_generated": N_SAMPLES, "baseline": baseline}
    for kind in arguments.kinds:
        epochs = arguments.epochs or cu.trained.recipe(LESSON_MODEL[kind], "classroom").epochs
        results[kind] = run(kind, epochs, arguments.every, arguments.seed, data, evaluator)

    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{arguments.output}.json").write_text(json.dumps(results, indent=1) + "\n")
    lines = [f"Scores of {N_SAMPLES:,} generated digits against the {len(data.x_test):,} real test digits; "
             f"real vs real: {N_SAMPLES:,} training digits in place of the generated ones. Untrained -> trained.", "",
             "| score | real vs real | " + " | ".join(f"{kind} ({results[kind]['epochs']} epochs)"
                                                    for kind in arguments.kinds) + " |",
             "| --- | --- |" + " --- |" * len(arguments.kinds)]
    for key in ("frechet_distance", "precision", "recall", "diversity_ratio", "class_coverage", "min_class_share",
                "max_class_share", "class_accuracy"):
        cells = [f"{results[kind]['untrained'][key]:g} -> {results[kind]['trained'][key]:g}"
                 if key in results[kind]["trained"] else "-" for kind in arguments.kinds]
        lines.append(f"| {key} | {real_vs_real[key]:g} | " + " | ".join(cells) + " |")
    for kind in arguments.kinds:
        trained = results[kind]["trained"]
        lines += ["", f"{kind}: class shares (evaluator's reading) "
                  + ", ".join(f"{digit}: {share:.1%}" for digit, share in enumerate(trained["class_shares"]))
                  + "; within-class diversity ratio per class "
                  + ", ".join(f"{digit}: {ratio:.2f}" for digit, ratio in enumerate(trained["diversity_per_class"]))
                  + f"; {results[kind]['seconds_per_epoch_median']} s/epoch (median)."]
    (RESULTS / f"{arguments.output}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
