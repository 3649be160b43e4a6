"""Our DCGAN against the architecture of the TensorFlow DCGAN tutorial, same wall-clock budget.

Both GANs train with the same ``cu.gan.GAN`` training step (non-saturating loss, D then G
on every batch) on the same offline MNIST training digits, each for the same number of
seconds (a callback stops ``fit()`` when the budget is spent; graph tracing counts against
it). Both are then scored the same way: the Frechet distance, in the features of the
course's MNIST evaluator (``cu.trained.recipe("evaluator")``), between
``--samples`` generated digits and the real test digits. Lower is better.

The competitor is written here from the tutorial's published layer sizes (not copied):
G = Dense(7*7*256, no bias) + BN + LeakyReLU, Reshape(7, 7, 256),
Conv2DTranspose(128, 5, stride 1) + BN + LeakyReLU, Conv2DTranspose(64, 5, stride 2) +
BN + LeakyReLU, Conv2DTranspose(1, 5, stride 2, tanh), noise 100; D = Conv2D(64, 5,
stride 2) + LeakyReLU + Dropout(0.3), Conv2D(128, 5, stride 2) + LeakyReLU + Dropout(0.3),
Flatten, Dense(1); Adam(1e-4) for both, batch 256.

Ours is ``cu.gan.make_gan("dcgan")`` with the lesson defaults (latent 64, Adam 2e-4 with
beta_1 0.5, batch 64).

Usage::

    .venv/bin/python benchmarks/dcgan_vs_tutorial.py                 # 120 s each, seeds 0 and 1
    .venv/bin/python benchmarks/dcgan_vs_tutorial.py --budget 20 --seeds 0   # quick look

Writes ``benchmarks/results/dcgan_vs_tutorial.json`` and ``.md`` (unless ``--no-save``).
It is a timing race: run it when nothing else is training; the machine's load average
before and after each run is recorded.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

import course_utils as cu  # noqa: E402  (quiets TensorFlow before its import)

RESULTS = REPOSITORY / "benchmarks" / "results"


def build_tutorial_generator(noise_dim: int = 100):
    """The TensorFlow DCGAN tutorial's generator, from its published layer sizes."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(noise_dim,)),
        layers.Dense(7 * 7 * 256, use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Reshape((7, 7, 256)),
        layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh"),
    ], name="tutorial_generator")


def build_tutorial_discriminator():
    """The TensorFlow DCGAN tutorial's discriminator (one logit per image)."""
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(64, 5, strides=2, padding="same"),
        layers.LeakyReLU(),
        layers.Dropout(0.3),
        layers.Conv2D(128, 5, strides=2, padding="same"),
        layers.LeakyReLU(),
        layers.Dropout(0.3),
        layers.Flatten(),
        layers.Dense(1),
    ], name="tutorial_discriminator")


def make_contenders(seed: int) -> dict:
    """name -> (compiled cu.gan.GAN, batch size)."""
    import keras

    ours = cu.gan.make_gan("dcgan", seed=seed)  # lesson defaults: latent 64, Adam 2e-4 / beta_1 0.5
    keras.utils.set_random_seed(seed)
    tutorial = cu.gan.GAN(build_tutorial_generator(100), build_tutorial_discriminator(), 100, seed=seed,
                          name="tutorial_dcgan")
    tutorial.compile(d_optimizer=keras.optimizers.Adam(1e-4), g_optimizer=keras.optimizers.Adam(1e-4))
    return {"ours": (ours, cu.trained.recipe("dcgan", "classroom").batch_size), "tutorial": (tutorial, 256)}


def time_budget_callback(seconds: float):
    """A callback that stops ``fit()`` after the first batch that ends past ``seconds``."""
    import keras

    class TimeBudget(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.perf_counter()
            self.batches = 0

        def on_train_batch_end(self, batch, logs=None):
            self.batches += 1
            if time.perf_counter() - self.start >= seconds:
                self.model.stop_training = True

    return TimeBudget()


def sample_images(gan, n: int, seed: int):
    import numpy as np

    noise = np.random.default_rng(seed + 1000).normal(size=(n, gan.latent_dim)).astype("float32")
    return cu.gan.to_unit_range(gan.generator.predict(noise, batch_size=500, verbose=0))


def race(seed: int, budget: float, n_samples: int, data, evaluator, *, tutorial_first: bool = False) -> dict:
    training_images = data.x_train * 2.0 - 1.0
    results = {}
    contenders = list(make_contenders(seed).items())
    for name, (gan, batch_size) in (contenders[::-1] if tutorial_first else contenders):
        untrained = cu.metrics.frechet_distance(sample_images(gan, n_samples, seed), data.x_test, evaluator)
        budget_callback = time_budget_callback(budget)
        load_before = os.getloadavg()
        start = time.perf_counter()
        cu.gan.train(gan, training_images, epochs=100_000, batch_size=batch_size, seed=seed,
                     callbacks=[budget_callback])
        seconds = time.perf_counter() - start
        load_after = os.getloadavg()
        distance = cu.metrics.frechet_distance(sample_images(gan, n_samples, seed), data.x_test, evaluator)
        steps = budget_callback.batches
        results[name] = {
            "frechet_distance": round(distance, 3),
            "frechet_distance_untrained": round(untrained, 3),
            "train_seconds": round(seconds, 1),
            "steps": steps,
            "batch_size": batch_size,
            "images_seen": steps * batch_size,
            "epochs_equivalent": round(steps * batch_size / len(training_images), 1),
            "generator_parameters": int(gan.generator.count_params()),
            "discriminator_parameters": int(gan.discriminator.count_params()),
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in load_after],
        }
        print(f"seed {seed} {name:8s}: FD {distance:8.3f} (untrained {untrained:.1f}) after {steps} steps "
              f"x {batch_size} in {seconds:.0f} s, load {load_before[0]:.1f} -> {load_after[0]:.1f}", flush=True)
        del gan
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=120.0, help="training seconds per GAN (default 120)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1],
                        help="one race per seed, alternating which GAN trains first (default: 0 1)")
    parser.add_argument("--samples", type=int, default=1000, help="generated images scored per GAN (default 1000)")
    parser.add_argument("--no-save", action="store_true", help="print only, do not write the results files")
    arguments = parser.parse_args(argv)
    if arguments.budget <= 0 or arguments.samples < 100:
        parser.error("--budget must be > 0 and --samples >= 100")

    import numpy as np
    import tensorflow as tf

    cu.setup(arguments.seeds[0], verbose=False)
    data = cu.data.load_mnist(source="auto", seed=0)
    # trained once, before any race starts
    evaluator = cu.trained.load_or_train(cu.trained.recipe("evaluator", "classroom")).model
    real_floor = cu.metrics.frechet_distance(data.x_train[:arguments.samples], data.x_test, evaluator)
    print(f"real-vs-real floor (train digits vs test digits): {real_floor:.3f}")

    # The order alternates from seed to seed, so a change of machine load during the run
    # does not always favour the same contender.
    races = {seed: race(seed, arguments.budget, arguments.samples, data, evaluator, tutorial_first=index % 2 == 1)
             for index, seed in enumerate(arguments.seeds)}
    ours = [races[seed]["ours"]["frechet_distance"] for seed in arguments.seeds]
    tutorial = [races[seed]["tutorial"]["frechet_distance"] for seed in arguments.seeds]
    ratio = float(np.mean(tutorial) / np.mean(ours))
    summary = {
        "what": "Frechet distance (course MNIST evaluator features) of 1000-sample sets vs the real test digits; "
                "lower is better; same training step, data and wall-clock budget for both",
        "budget_seconds_per_gan": arguments.budget,
        "seeds": arguments.seeds,
        "order": "ours first for even-indexed seeds, tutorial first for odd-indexed ones",
        "samples": arguments.samples,
        "data": f"{data.name}: {len(data.x_train)} training digits, {len(data.x_test)} test digits",
        "real_vs_real_floor": round(real_floor, 3),
        "ours_mean_frechet_distance": round(float(np.mean(ours)), 3),
        "tutorial_mean_frechet_distance": round(float(np.mean(tutorial)), 3),
        "ratio_tutorial_over_ours": round(ratio, 2),
        "ours_better": bool(np.mean(ours) < np.mean(tutorial)),
        "runs": {str(seed): result for seed, result in races.items()},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "tensorflow": tf.__version__,
                    "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")},
    }
    add_throughput(summary)
    print(f"ours:     mean Frechet distance {summary['ours_mean_frechet_distance']:.3f}")
    print(f"tutorial: mean Frechet distance {summary['tutorial_mean_frechet_distance']:.3f}")
    print(f"ratio tutorial / ours: {ratio:.2f} ({'ours better' if summary['ours_better'] else 'tutorial better'})")
    if not arguments.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "dcgan_vs_tutorial.json").write_text(json.dumps(summary, indent=2) + "\n")
        (RESULTS / "dcgan_vs_tutorial.md").write_text(markdown_table(summary))
        print(f"written to {(RESULTS / 'dcgan_vs_tutorial.json').relative_to(REPOSITORY)} and .md")
    return 0


def add_throughput(summary: dict) -> dict:
    """Add training speed (images per second) to every run, and how many times more
    compute per image the tutorial's networks need than ours on this machine."""
    speeds = {"ours": [], "tutorial": []}
    for runs in summary["runs"].values():
        for name, run in runs.items():
            run["images_per_second"] = round(run["images_seen"] / run["train_seconds"], 1)
            speeds[name].append(run["images_per_second"])
    summary["tutorial_cost_per_image_vs_ours"] = round(
        (sum(speeds["ours"]) / len(speeds["ours"])) / (sum(speeds["tutorial"]) / len(speeds["tutorial"])), 1)
    return summary


def markdown_table(summary: dict) -> str:
    lines = [
        "# DCGAN: ours vs the TensorFlow tutorial's architecture, same wall-clock budget",
        "",
        f"{summary['budget_seconds_per_gan']:.0f} s of training each on {summary['data']}; "
        f"Frechet distance in the course evaluator's features, {summary['samples']} samples vs the test digits "
        f"(lower is better; real-vs-real floor {summary['real_vs_real_floor']:.2f}). "
        f"Generated by `benchmarks/dcgan_vs_tutorial.py` on {summary['machine']['date_utc']} UTC.",
        "",
        "| seed | model | Frechet distance | untrained | steps x batch | epochs | images/s | G params | D params | load before -> after |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for seed, runs in summary["runs"].items():
        for name, run in runs.items():
            lines.append(
                f"| {seed} | {name} | {run['frechet_distance']:.2f} | {run['frechet_distance_untrained']:.1f} | "
                f"{run['steps']} x {run['batch_size']} | {run['epochs_equivalent']} | {run['images_per_second']:.0f} | "
                f"{run['generator_parameters']:,} | "
                f"{run['discriminator_parameters']:,} | {run['load_average_before'][0]} -> {run['load_average_after'][0]} |")
    lines += ["", f"Ratio tutorial / ours: **{summary['ratio_tutorial_over_ours']:.2f}** "
              f"({'ours better' if summary['ours_better'] else 'tutorial better'}).",
              "",
              f"The tutorial's networks (5x5 kernels, 256/128/64 channels) train on about "
              f"{summary['tutorial_cost_per_image_vs_ours']:.0f} times fewer images per second than ours on this "
              "CPU (graph tracing included), so within the budget they see far fewer images: the race measures "
              "quality per second of CPU, not quality at convergence. Load averages above 2 mean the 2 cores "
              "were shared with other work while it ran: the timings are inflated and vary from run to run."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
