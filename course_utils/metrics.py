"""How good are generated digits? Scores computed with an evaluator digit classifier.

* :func:`frechet_distance` -- the Frechet distance between two sets of images, measured in
  the evaluator's feature space (the FID formula, with our classifier instead of
  Inception): fit a Gaussian to each set's features and compare means and covariances,
  ``|mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))``. 0 means identical statistics.
  The number only means something beside baselines computed the same way: two disjoint
  sets of real images (the floor), and an untrained generator (the ceiling).
* :func:`predicted_classes`, :func:`class_histogram` -- what the evaluator thinks the
  images are; a histogram piled on a few classes is the signature of mode collapse.
* :func:`class_accuracy` -- share of conditional samples classified as the digit asked for.
* :func:`class_coverage` -- share of the 10 classes a generator actually produces.
* :func:`precision_recall` -- improved precision and recall (Kynkaanniemi et al., 2019).
  Around every real feature vector draw a ball reaching its k-th nearest real neighbour
  (k = 3): the union of the balls is the "real manifold". *Precision* is the share of
  generated images inside it (are the samples realistic?); *recall* is the share of real
  images inside the same kind of manifold built from the generated features (does the
  generator cover everything real digits do?). A collapsed generator keeps its precision
  and loses its recall, which a single Frechet distance cannot tell apart.
* :func:`within_class_diversity` -- how different the images of one class are from each
  other (mean pairwise distance), generated against real, per class. A conditional
  generator that draws the same 3 for every noise vector scores a ratio near 0.
* :func:`quality_scores` -- all of the above at once, as a dict; :func:`reference_scores`
  -- the same dict for two disjoint halves of the real images, the value a perfect
  generator would reach at that sample size (report every score beside it).

All functions take images in ``[0, 1]`` shaped ``(N, 28, 28, 1)`` (use
``cu.gan.to_unit_range`` on generator output) and a Keras classifier whose features come
from ``cu.models.feature_extractor(classifier)`` (the layer named ``"features"``).
"""

from __future__ import annotations

import weakref
from typing import NamedTuple

import numpy as np

from course_utils.validation import (
    as_float_array,
    as_images,
    as_label_array,
    check_choice,
    check_float,
    check_int,
)

NUM_CLASSES = 10
MIN_IMAGES = 1000  # per side, for precision and recall (k-NN radii from fewer images are too wide)
DIVERSITY_SPACES = ("pixels", "features")
_EXTRACTORS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def features(images, classifier, *, batch_size: int = 500) -> np.ndarray:
    """The evaluator's feature vectors ``(N, D)`` for images in [0, 1]."""
    images = as_images(images, "images")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    extractor = _feature_extractor(classifier)
    return np.asarray(extractor.predict(images, batch_size=batch_size, verbose=0), np.float64).reshape(len(images), -1)


def frechet_distance_from_features(features_a, features_b) -> float:
    """Frechet distance between Gaussians fitted to two feature sets ``(N, D)``."""
    features_a = as_float_array(features_a, "features_a", ndim=2)
    features_b = as_float_array(features_b, "features_b", ndim=2)
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"features_a and features_b must have the same width, got {features_a.shape[1]} and {features_b.shape[1]}")
    for name, values in (("features_a", features_a), ("features_b", features_b)):
        if len(values) < 2:
            raise ValueError(f"{name} needs at least 2 rows to estimate a covariance, got {len(values)}")
    mean_a, mean_b = features_a.mean(axis=0), features_b.mean(axis=0)
    covariance_a = np.atleast_2d(np.cov(features_a, rowvar=False))
    covariance_b = np.atleast_2d(np.cov(features_b, rowvar=False))
    root = _sqrt_of_product(covariance_a, covariance_b)
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(covariance_a) + np.trace(covariance_b) - 2.0 * np.trace(root)
    return float(max(distance, 0.0))  # rounding can push an exact 0 slightly below


def frechet_distance(images_a, images_b, classifier) -> float:
    """Frechet distance between two image sets (in [0, 1]) in ``classifier``'s feature space.

    Use a few hundred images or more per set: the covariance of D-dimensional features
    needs well over D samples, and the score shrinks as the sets grow.
    """
    images_a = as_images(images_a, "images_a")
    images_b = as_images(images_b, "images_b")
    return frechet_distance_from_features(features(images_a, classifier), features(images_b, classifier))


def predicted_classes(images, classifier, *, batch_size: int = 500) -> np.ndarray:
    """The evaluator's predicted digit (argmax of its outputs) for every image."""
    images = as_images(images, "images")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    _check_classifier(classifier)
    outputs = np.asarray(classifier.predict(images, batch_size=batch_size, verbose=0))
    return outputs.reshape(len(images), -1).argmax(axis=1).astype(np.int64)


def class_histogram(images, classifier) -> np.ndarray:
    """How many images the evaluator puts in each of the 10 classes."""
    return np.bincount(predicted_classes(images, classifier), minlength=NUM_CLASSES)[:NUM_CLASSES]


def class_accuracy(images, requested_labels, classifier) -> float:
    """Share of images the evaluator classifies as the label they were generated for."""
    images = as_images(images, "images")
    requested_labels = as_label_array(requested_labels, "requested_labels", num_classes=NUM_CLASSES)
    if len(requested_labels) != len(images):
        raise ValueError(f"requested_labels must have one label per image: {len(requested_labels)} labels, {len(images)} images")
    return float(np.mean(predicted_classes(images, classifier) == requested_labels))


def class_coverage(images, classifier, *, min_share: float = 0.01) -> float:
    """Share of the 10 classes that the evaluator finds among the images.

    A class counts when at least ``min_share`` of the images are classified as it (1% by
    default), so a handful of ambiguous scribbles does not count as "produces a 7".
    A generator that draws every digit scores 1.0; a collapsed one scores 0.1-0.3.
    """
    min_share = check_float(min_share, "min_share", minimum=0.0, maximum=1.0)
    counts = class_histogram(images, classifier)
    shares = counts / max(counts.sum(), 1)
    return float(np.mean((shares >= min_share) & (counts > 0)))


# -------------------------------------------------------- fidelity and diversity


class PrecisionRecall(NamedTuple):
    """Improved precision and recall, both in [0, 1] (unpack: ``precision, recall = ...``)."""

    precision: float
    recall: float


def precision_recall_from_features(real_features, generated_features, *, k: int = 3,
                                   min_images: int = MIN_IMAGES) -> PrecisionRecall:
    """Improved precision and recall (Kynkaanniemi et al., 2019) of two feature sets ``(N, D)``.

    Each real feature vector gets a radius: the distance to its k-th nearest other real
    vector. A generated vector is *inside the real manifold* when it lies within the
    radius of at least one real vector; precision is the share of generated vectors
    inside. Recall swaps the roles: the share of real vectors inside the manifold of the
    generated ones (radii from the generated set). Distances are Euclidean; they are
    compared as squares with a tolerance of 1e-10 of the largest squared norm, so exact
    copies count as inside despite rounding.

    Both scores depend on the sample size (radii shrink as sets grow): compare only
    numbers computed with the same number of images, such as :func:`reference_scores`.
    ``min_images`` (default 1,000, as the paper's smallest sets) guards against radii so
    wide that every score looks good; lower it only in tests.
    """
    real = as_float_array(real_features, "real_features", ndim=2)
    generated = as_float_array(generated_features, "generated_features", ndim=2)
    if real.shape[1] != generated.shape[1]:
        raise ValueError(f"real_features and generated_features must have the same width, "
                         f"got {real.shape[1]} and {generated.shape[1]}")
    k = check_int(k, "k", minimum=1)
    min_images = check_int(min_images, "min_images", minimum=k + 1)
    for name, values in (("real_features", real), ("generated_features", generated)):
        _check_enough(name, len(values), min_images)
    centre = np.concatenate([real, generated]).mean(axis=0)  # smaller norms: less rounding
    real, generated = real - centre, generated - centre
    tolerance = 1e-10 * max(float(np.max(np.sum(real ** 2, axis=1))),
                            float(np.max(np.sum(generated ** 2, axis=1))), 1e-300)
    real_radii = _squared_knn_radii(real, k)
    generated_radii = _squared_knn_radii(generated, k)
    precision = np.mean(_inside_balls(generated, real, real_radii, tolerance))
    recall = np.mean(_inside_balls(real, generated, generated_radii, tolerance))
    return PrecisionRecall(float(precision), float(recall))


def precision_recall(real_images, generated_images, classifier, *, k: int = 3,
                     min_images: int = MIN_IMAGES) -> PrecisionRecall:
    """Improved precision and recall of generated images against real ones, in the
    evaluator's feature space (see :func:`precision_recall_from_features`).

    Precision near 1: almost every generated digit looks like some real digit. Recall
    near 1: almost every real digit has a generated digit like it. Use at least 1,000
    images a side, the same number on both sides, and compare with
    :func:`reference_scores` (two halves of the real data score below 1, not 1).
    """
    real_images = as_images(real_images, "real_images")
    generated_images = as_images(generated_images, "generated_images")
    min_images = check_int(min_images, "min_images", minimum=2)
    _check_enough("real_images", len(real_images), min_images)  # before the slow feature pass
    _check_enough("generated_images", len(generated_images), min_images)
    return precision_recall_from_features(features(real_images, classifier), features(generated_images, classifier),
                                          k=k, min_images=min_images)


class Diversity(NamedTuple):
    """Within-class diversity: mean pairwise distance per class (arrays of 10, NaN where a
    class has fewer than 2 images), their per-class ratio generated / real, ``ratio`` (the
    mean of the per-class ratios over the classes present on both sides) and
    ``generated_counts`` (generated images per class)."""

    generated: np.ndarray
    real: np.ndarray
    per_class_ratio: np.ndarray
    ratio: float
    generated_counts: np.ndarray


def within_class_diversity_from_vectors(real_vectors, real_labels, generated_vectors, generated_labels, *,
                                        max_per_class: int = 500, seed: int = 0) -> Diversity:
    """Within-class diversity of vectors ``(N, D)`` (flattened pixels or evaluator features).

    For every class, the mean Euclidean distance between two different vectors of that
    class (at most ``max_per_class`` of them, drawn with ``seed``), for the generated and
    the real vectors. A ratio of 1 means generated digits of a class differ from each
    other as much as real ones do; 0.3 means they are near copies.
    """
    real = as_float_array(real_vectors, "real_vectors", ndim=2)
    generated = as_float_array(generated_vectors, "generated_vectors", ndim=2)
    if real.shape[1] != generated.shape[1]:
        raise ValueError(f"real_vectors and generated_vectors must have the same width, "
                         f"got {real.shape[1]} and {generated.shape[1]}")
    real_labels = _labels_for(real_labels, "real_labels", len(real))
    generated_labels = _labels_for(generated_labels, "generated_labels", len(generated))
    max_per_class = check_int(max_per_class, "max_per_class", minimum=2)
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    real_spread = _per_class_spread(real, real_labels, max_per_class, rng)
    generated_spread = _per_class_spread(generated, generated_labels, max_per_class, rng)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class_ratio = np.where(real_spread > 0, generated_spread / real_spread, np.nan)
    present = np.isfinite(per_class_ratio)
    ratio = float(np.mean(per_class_ratio[present])) if present.any() else float("nan")
    return Diversity(generated_spread, real_spread, per_class_ratio, ratio,
                     np.bincount(generated_labels, minlength=NUM_CLASSES)[:NUM_CLASSES])


def within_class_diversity(real_images, real_labels, generated_images, classifier, *, labels=None,
                           space: str = "features", max_per_class: int = 500, seed: int = 0) -> Diversity:
    """How much generated digits of one class differ from each other, against real digits.

    Args:
        real_images, real_labels: real digits in [0, 1] and their true classes.
        generated_images: generated digits in [0, 1].
        classifier: the evaluator; it reads the class of each generated digit when
            ``labels`` is None (a DCGAN), and gives the features when ``space="features"``.
        labels: the class each generated digit was asked for (a conditional GAN), or None.
        space: ``"features"`` (default: distances between evaluator features, the space
            of the other scores; noise sprinkled on one digit does not count as variety)
            or ``"pixels"`` (distances between the images themselves). Both expose the
            conditional GAN of lessons 6-7 (ratio 0.34 in features, 0.36 in pixels, where
            two halves of the real digits score 0.98; ``benchmarks/gan_scores.py``).
        max_per_class, seed: at most this many images per class enter the average.

    Returns a :class:`Diversity`; ``.ratio`` is the headline number (1 = as varied as
    real digits).
    """
    real_images = as_images(real_images, "real_images")
    generated_images = as_images(generated_images, "generated_images")
    check_choice(space, "space", DIVERSITY_SPACES)
    real_labels = _labels_for(real_labels, "real_labels", len(real_images))
    if labels is None:
        labels = predicted_classes(generated_images, classifier)
    labels = _labels_for(labels, "labels", len(generated_images))
    if space == "features":
        real_vectors, generated_vectors = features(real_images, classifier), features(generated_images, classifier)
    else:
        _check_classifier(classifier)
        real_vectors = real_images.reshape(len(real_images), -1)
        generated_vectors = generated_images.reshape(len(generated_images), -1)
    return within_class_diversity_from_vectors(real_vectors, real_labels, generated_vectors, labels,
                                               max_per_class=max_per_class, seed=seed)


def quality_scores(real_images, generated_images, classifier, *, real_labels=None, labels=None, k: int = 3,
                   min_images: int = MIN_IMAGES, space: str = "features", seed: int = 0) -> dict:
    """Every score of this module for one set of generated images, as a plain dict.

    ``real_labels`` (true classes of the real images) adds the within-class diversity;
    ``labels`` (classes asked of a conditional generator) adds the class accuracy and is
    used as the classes for the diversity (else the evaluator's reading is used). Keys:
    ``frechet_distance``, ``precision``, ``recall``, ``class_coverage``, ``class_shares``
    (10 shares, the evaluator's reading), ``min_class_share``, ``max_class_share``, and
    when available ``class_accuracy``, ``diversity_ratio``, ``diversity_per_class``.
    Features are computed once for all the scores.
    """
    real_images = as_images(real_images, "real_images")
    generated_images = as_images(generated_images, "generated_images")
    min_images = check_int(min_images, "min_images", minimum=2)
    _check_enough("real_images", len(real_images), min_images)
    _check_enough("generated_images", len(generated_images), min_images)
    check_choice(space, "space", DIVERSITY_SPACES)
    if labels is not None:
        labels = _labels_for(labels, "labels", len(generated_images))
    if real_labels is not None:
        real_labels = _labels_for(real_labels, "real_labels", len(real_images))
    real_features, generated_features = features(real_images, classifier), features(generated_images, classifier)
    predicted = predicted_classes(generated_images, classifier)
    shares = np.bincount(predicted, minlength=NUM_CLASSES)[:NUM_CLASSES] / len(predicted)
    precision, recall = precision_recall_from_features(real_features, generated_features, k=k, min_images=min_images)
    scores = {
        "frechet_distance": frechet_distance_from_features(real_features, generated_features),
        "precision": precision,
        "recall": recall,
        "class_coverage": float(np.mean(shares >= 0.01)),
        "class_shares": [float(share) for share in shares],
        "min_class_share": float(shares.min()),
        "max_class_share": float(shares.max()),
    }
    if labels is not None:
        scores["class_accuracy"] = float(np.mean(predicted == labels))
    if real_labels is not None:
        if space == "features":
            vectors = real_features, generated_features
        else:
            vectors = real_images.reshape(len(real_images), -1), generated_images.reshape(len(generated_images), -1)
        diversity = within_class_diversity_from_vectors(vectors[0], real_labels, vectors[1],
                                                        predicted if labels is None else labels, seed=seed)
        scores["diversity_ratio"] = diversity.ratio
        scores["diversity_per_class"] = [float(value) for value in diversity.per_class_ratio]
    return scores


def reference_scores(real_images, classifier, *, real_labels=None, size: int | None = None, k: int = 3,
                     min_images: int = MIN_IMAGES, space: str = "features", seed: int = 0) -> dict:
    """:func:`quality_scores` of real digits against other real digits: the value a perfect
    generator would reach, to print beside every generator's score.

    ``real_images`` is shuffled with ``seed`` and cut into two disjoint halves of ``size``
    images each (default: as large as possible); the second half plays the generated
    images (its true classes play the requested labels). Use the ``size`` you generate:
    precision and recall of two real halves are below 1 and grow with the sample size,
    and the Frechet distance shrinks. The dict also holds ``size``.
    """
    real_images = as_images(real_images, "real_images")
    if real_labels is not None:
        real_labels = _labels_for(real_labels, "real_labels", len(real_images))
    size = len(real_images) // 2 if size is None else check_int(size, "size", minimum=2)
    if 2 * size > len(real_images):
        raise ValueError(f"size={size} needs 2 * size = {2 * size} real_images for two disjoint halves, "
                         f"got {len(real_images)}")
    order = np.random.default_rng(check_int(seed, "seed", minimum=0)).permutation(len(real_images))
    first, second = order[:size], order[size:2 * size]
    split_labels = (None, None) if real_labels is None else (real_labels[first], real_labels[second])
    scores = quality_scores(real_images[first], real_images[second], classifier, real_labels=split_labels[0],
                            labels=split_labels[1], k=k, min_images=min_images, space=space, seed=seed)
    return {"size": size, **scores}


# ------------------------------------------------------------------------- helpers


def _sqrt_of_product(covariance_a, covariance_b):
    """``(S_a S_b)^(1/2)`` with scipy's sqrtm. A nearly singular product can give a
    non-finite or slightly complex root: retry with a small ridge on the diagonals, then
    keep the real part when the imaginary part is only rounding noise."""
    import warnings

    from scipy import linalg

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)  # handled below
        root = linalg.sqrtm(covariance_a @ covariance_b)
        if not np.all(np.isfinite(root)):
            ridge = np.eye(len(covariance_a)) * 1e-6
            root = linalg.sqrtm((covariance_a + ridge) @ (covariance_b + ridge))
    if np.iscomplexobj(root):
        scale = max(np.abs(root).max(), 1e-12)
        if np.abs(root.imag).max() > 1e-3 * scale:
            raise ValueError("the covariance product has a matrix square root with a large imaginary part; "
                             "use more images than feature dimensions")
        root = root.real
    return root


def _check_classifier(classifier):
    import keras

    if not isinstance(classifier, keras.Model):
        raise TypeError(f"classifier must be a keras.Model, got {type(classifier).__name__}")


def _feature_extractor(classifier):
    """``cu.models.feature_extractor(classifier)`` when available, else the output of the
    classifier's layer named ``"features"``; built once per classifier."""
    _check_classifier(classifier)
    if classifier in _EXTRACTORS:
        return _EXTRACTORS[classifier]
    from course_utils import models

    if callable(getattr(models, "feature_extractor", None)):
        extractor = models.feature_extractor(classifier)
    else:
        import keras

        try:
            layer = classifier.get_layer("features")
        except ValueError:
            raise ValueError("classifier must have a layer named 'features' (its penultimate layer)") from None
        extractor = keras.Model(classifier.inputs, layer.output, name=f"{classifier.name}_features")
    _EXTRACTORS[classifier] = extractor
    return extractor


def _check_enough(name, count, min_images):
    if count < min_images:
        raise ValueError(f"{name} has {count} images/rows; precision and recall need at least "
                         f"min_images={min_images} a side (radii from few samples are so wide that every score "
                         "looks good). Use more images, or lower min_images for a quick check.")


def _labels_for(labels, name, count):
    labels = as_label_array(labels, name, num_classes=NUM_CLASSES)
    if len(labels) != count:
        raise ValueError(f"{name} must have one label per image: {len(labels)} labels, {count} images")
    return labels


def _rows_per_batch(n_columns):
    return max(1, 4_000_000 // max(n_columns, 1))  # about 32 MB of float64 distances at a time


def _squared_distances(rows, columns, column_norms):
    """``|r - c|^2`` for every row and column vector, with the matrix product (fast)."""
    squared = np.sum(rows ** 2, axis=1)[:, None] + column_norms[None, :] - 2.0 * rows @ columns.T
    return np.maximum(squared, 0.0)


def _squared_knn_radii(points, k):
    """Squared distance from each point to its k-th nearest other point (the point itself
    sits at distance 0, position 0 of the sorted row; duplicates at 0 count as neighbours)."""
    norms = np.sum(points ** 2, axis=1)
    radii = np.empty(len(points))
    step = _rows_per_batch(len(points))
    for start in range(0, len(points), step):
        squared = _squared_distances(points[start:start + step], points, norms)
        radii[start:start + step] = np.partition(squared, k, axis=1)[:, k]
    return radii


def _inside_balls(points, centres, squared_radii, tolerance):
    """For each point: is it within the radius of at least one centre?"""
    norms = np.sum(centres ** 2, axis=1)
    inside = np.empty(len(points), bool)
    step = _rows_per_batch(len(centres))
    for start in range(0, len(points), step):
        squared = _squared_distances(points[start:start + step], centres, norms)
        inside[start:start + step] = np.any(squared <= squared_radii[None, :] + tolerance, axis=1)
    return inside


def _per_class_spread(vectors, labels, max_per_class, rng):
    """Mean distance between two different vectors of each class (NaN below 2 vectors)."""
    spread = np.full(NUM_CLASSES, np.nan)
    for digit in range(NUM_CLASSES):
        members = np.flatnonzero(labels == digit)
        if len(members) < 2:
            continue
        if len(members) > max_per_class:
            members = rng.choice(members, max_per_class, replace=False)
        chosen = vectors[members] - vectors[members].mean(axis=0)
        squared = _squared_distances(chosen, chosen, np.sum(chosen ** 2, axis=1))
        upper = np.triu_indices(len(chosen), k=1)
        spread[digit] = float(np.mean(np.sqrt(squared[upper])))
    return spread
