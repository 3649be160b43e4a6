"""Quality of a GAN while it trains: a Keras callback and its curve.

:class:`QualityCurve` scores the generator every ``every`` epochs with
:func:`course_utils.metrics.quality_scores` (Frechet distance, precision, recall, class
coverage and shares, within-class diversity; class accuracy for a conditional GAN) on
images drawn from one fixed noise, so the curve shows the generator changing, not the
noise. :func:`plot_quality_curve` draws the scores against the epoch, with the
real-vs-real values of :func:`course_utils.metrics.reference_scores` as dashed lines.

    curve = cu.quality.QualityCurve(data.x_test, evaluator, real_labels=data.y_test)
    cu.gan.train(gan, images, epochs=30, callbacks=[curve])
    reference = cu.metrics.reference_scores(data.x_train, evaluator, real_labels=data.y_train,
                                            size=curve.num_images)
    cu.quality.plot_quality_curve(curve.history, reference)

Cost: about 1-2 s per evaluation with 1,000 images on 2 CPU cores (every 5 epochs by
default).
"""

from __future__ import annotations

import keras
import numpy as np

from course_utils import metrics
from course_utils.validation import as_images, check_int

CURVE_SCORES = ("frechet_distance", "precision", "recall", "class_coverage", "min_class_share", "max_class_share",
                "class_accuracy", "diversity_ratio")


class QualityCurve(keras.callbacks.Callback):
    """Score a GAN's generator every ``every`` epochs (and before the first, and after the last).

    Works with :class:`course_utils.gan.GAN` (the generator takes noise) and
    :class:`course_utils.gan.ConditionalGAN` (it takes ``[noise, labels]``; the labels are
    ``0, 1, ..., 9, 0, 1, ...``, so every class gets ``num_images / 10`` images). It uses the
    GAN's ``sampling_generator`` when it has one (the weight average), else ``generator``.

    Args:
        real_images: real digits in [0, 1] to compare with (at least ``min_images``).
        classifier: the evaluator.
        real_labels: true classes of ``real_images``; adds the within-class diversity.
        every: evaluate after every ``every``-th epoch.
        num_images: generated images per evaluation (the same noise each time).
        seed: seed of the fixed noise.
        min_images, k: passed to the precision and recall.
        verbose: print one line per evaluation.

    ``history`` maps ``"epoch"`` and every score name to a list, one entry per evaluation.
    """

    def __init__(self, real_images, classifier, *, real_labels=None, every: int = 5, num_images: int = 1000,
                 seed: int = 0, min_images: int = metrics.MIN_IMAGES, k: int = 3, verbose: bool = True):
        super().__init__()
        self.real_images = as_images(real_images, "real_images")
        metrics._check_classifier(classifier)
        self.classifier = classifier
        self.real_labels = None if real_labels is None else metrics._labels_for(real_labels, "real_labels",
                                                                               len(self.real_images))
        self.every = check_int(every, "every", minimum=1)
        self.k = check_int(k, "k", minimum=1)
        self.min_images = check_int(min_images, "min_images", minimum=self.k + 1)
        self.num_images = check_int(num_images, "num_images", minimum=self.min_images)
        metrics._check_enough("real_images", len(self.real_images), self.min_images)
        self.seed = check_int(seed, "seed", minimum=0)
        self.verbose = bool(verbose)
        self.history: dict = {"epoch": []}

    def on_train_begin(self, logs=None):
        gan = self.model
        if not hasattr(gan, "generator") or not hasattr(gan, "latent_dim"):
            raise TypeError(f"QualityCurve needs a GAN with .generator and .latent_dim, got {type(gan).__name__}")
        rng = np.random.default_rng(self.seed)
        self.noise = rng.normal(size=(self.num_images, gan.latent_dim)).astype("float32")
        num_classes = getattr(gan, "num_classes", None)
        self.labels = None if num_classes is None else (np.arange(self.num_images) % num_classes).astype("int32")
        if not self.history["epoch"]:
            self.evaluate(0)

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every == 0 or done == self.params.get("epochs"):
            if not self.history["epoch"] or self.history["epoch"][-1] != done:
                self.evaluate(done)

    def generate(self) -> np.ndarray:
        """The current generator's images in [0, 1] for the fixed noise (and labels)."""
        generator = getattr(self.model, "sampling_generator", None)
        generator = self.model.generator if generator is None else generator
        inputs = self.noise if self.labels is None else [self.noise, self.labels]
        images = np.asarray(generator.predict(inputs, batch_size=500, verbose=0))
        return np.clip((images + 1.0) / 2.0, 0.0, 1.0)  # generators draw in [-1, 1]

    def evaluate(self, epoch: int) -> dict:
        """Score the generator now, append to ``history`` under ``epoch`` and return the scores."""
        scores = metrics.quality_scores(self.real_images, self.generate(), self.classifier,
                                        real_labels=self.real_labels, labels=self.labels, k=self.k,
                                        min_images=self.min_images, seed=self.seed)
        self.history["epoch"].append(int(epoch))
        for name, value in scores.items():
            self.history.setdefault(name, []).append(value)
        if self.verbose:
            print(describe(scores, epoch), flush=True)
        return scores


def describe(scores: dict, epoch=None) -> str:
    """One compact line: ``epoch 10 | FD 72.4 | precision 0.61 | recall 0.42 | ...``."""
    parts = [] if epoch is None else [f"epoch {epoch:3d}"]
    parts += [f"FD {scores['frechet_distance']:.1f}", f"precision {scores['precision']:.2f}",
              f"recall {scores['recall']:.2f}", f"classes {scores['class_coverage']:.0%}",
              f"shares {scores['min_class_share']:.0%}-{scores['max_class_share']:.0%}"]
    if "class_accuracy" in scores:
        parts.append(f"class accuracy {scores['class_accuracy']:.0%}")
    if "diversity_ratio" in scores:
        parts.append(f"diversity {scores['diversity_ratio']:.2f} of real")
    return " | ".join(parts)


def plot_quality_curve(history, reference=None, *, title: str = "Generated digits during training"):
    """Scores against the epoch: Frechet distance (left), precision, recall, diversity and
    class accuracy (middle), the smallest and largest class share (right). ``reference``
    (a :func:`course_utils.metrics.reference_scores` dict) adds each score's real-vs-real
    value as a dashed line of the same colour. Returns the figure."""
    import matplotlib.pyplot as plt

    history = getattr(history, "history", history)
    if not isinstance(history, dict) or not history.get("epoch"):
        raise ValueError("history must be a QualityCurve's history dict with at least one evaluation")
    if reference is not None and not isinstance(reference, dict):
        raise TypeError(f"reference must be a dict from cu.metrics.reference_scores, got {type(reference).__name__}")
    panels = [("Frechet distance (lower is better)", ("frechet_distance",)),
              ("score (higher is better)", ("precision", "recall", "diversity_ratio", "class_accuracy")),
              ("share of generated images", ("min_class_share", "max_class_share"))]
    figure, axes = plt.subplots(1, 3, figsize=(14, 4.6))
    epochs = history["epoch"]
    for axis, (label, names) in zip(axes, panels):
        for index, name in enumerate(name for name in names if name in history):
            colour = f"C{index}"
            axis.plot(epochs, history[name], marker="o", markersize=3, color=colour, label=name.replace("_", " "))
            if reference is not None and name in reference:
                axis.axhline(reference[name], color=colour, linestyle="--", linewidth=1,
                             label=f"{name.replace('_', ' ')}, real vs real")
        axis.set_xlabel("epoch")
        axis.set_ylabel(label)
        axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)  # below: no curve hidden
    axes[0].set_yscale("log")
    axes[1].set_ylim(bottom=0)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


__all__ = ["CURVE_SCORES", "QualityCurve", "describe", "plot_quality_curve"]
