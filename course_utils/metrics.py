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

All functions take images in ``[0, 1]`` shaped ``(N, 28, 28, 1)`` (use
``cu.gan.to_unit_range`` on generator output) and a Keras classifier whose features come
from ``cu.models.feature_extractor(classifier)`` (the layer named ``"features"``).
"""

from __future__ import annotations

import weakref

import numpy as np

from course_utils.validation import as_float_array, as_images, as_label_array, check_float, check_int

NUM_CLASSES = 10
_EXTRACTORS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


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
