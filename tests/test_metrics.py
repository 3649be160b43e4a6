"""Unit tests of course_utils.metrics with a tiny hand-built classifier whose prediction
is known: an image of constant brightness v is classified as digit round(10 v)."""

import numpy as np
import pytest

import keras
from keras import layers

from course_utils import metrics


@pytest.fixture(scope="module")
def brightness_classifier():
    """features = mean pixel value m; logit_k = 10 k m - k^2 / 2, whose argmax is round(10 m)."""
    images = keras.Input((28, 28, 1))
    flat = layers.Flatten()(images)
    features = layers.Dense(1, name="features")(flat)
    logits = layers.Dense(10, name="logits")(features)
    model = keras.Model(images, logits, name="brightness")
    model.get_layer("features").set_weights([np.full((784, 1), 1 / 784, "float32"), np.zeros(1, "float32")])
    k = np.arange(10, dtype="float32")
    model.get_layer("logits").set_weights([10 * k[None, :], -(k ** 2) / 2])
    return model


def constant_images(values):
    return np.asarray(values, "float32")[:, None, None, None] * np.ones((1, 28, 28, 1), "float32")


def test_predicted_classes_histogram_and_accuracy(brightness_classifier):
    images = constant_images([0.0, 0.1, 0.52, 0.9, 0.9, 1.0])
    np.testing.assert_array_equal(metrics.predicted_classes(images, brightness_classifier), [0, 1, 5, 9, 9, 9])
    np.testing.assert_array_equal(metrics.class_histogram(images, brightness_classifier),
                                  [1, 1, 0, 0, 0, 1, 0, 0, 0, 3])
    assert metrics.class_accuracy(images, [0, 1, 5, 9, 0, 0], brightness_classifier) == pytest.approx(4 / 6)


def test_class_coverage_counts_classes_above_the_share(brightness_classifier):
    every_digit = constant_images(np.repeat(np.arange(10) / 10, 5))
    assert metrics.class_coverage(every_digit, brightness_classifier) == 1.0
    collapsed = constant_images([0.3] * 98 + [0.7] * 2)
    assert metrics.class_coverage(collapsed, brightness_classifier) == pytest.approx(0.2)
    assert metrics.class_coverage(collapsed, brightness_classifier, min_share=0.05) == pytest.approx(0.1)


def test_frechet_distance_of_identical_sets_is_zero(brightness_classifier):
    images = constant_images(np.linspace(0, 1, 50))
    assert metrics.frechet_distance(images, images, brightness_classifier) == pytest.approx(0.0, abs=1e-9)


def test_frechet_distance_matches_the_one_dimensional_formula():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 2.0, size=(400, 1)), rng.normal(-0.5, 0.5, size=(300, 1))
    expected = (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2
    assert metrics.frechet_distance_from_features(a, b) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_in_several_dimensions():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(500, 4)) @ rng.normal(size=(4, 4))
    shift = np.array([1.0, -2.0, 0.0, 0.5])
    # same covariance, shifted mean: the distance is the squared shift
    assert metrics.frechet_distance_from_features(a, a + shift) == pytest.approx(np.sum(shift ** 2), rel=1e-6)
    b = rng.normal(size=(500, 4)) * 3
    assert metrics.frechet_distance_from_features(a, b) == pytest.approx(metrics.frechet_distance_from_features(b, a), rel=1e-6)
    # diagonal covariances: the trace term is sum (sigma_a - sigma_b)^2
    c, d = rng.normal(size=(800, 3)) * [1, 2, 3], rng.normal(size=(800, 3)) * [2, 2, 1]
    var_c, var_d = np.var(c, axis=0, ddof=1), np.var(d, axis=0, ddof=1)
    covariance_c, covariance_d = np.cov(c, rowvar=False), np.cov(d, rowvar=False)
    assert np.allclose(covariance_c - np.diag(var_c), 0, atol=0.3) and np.allclose(covariance_d - np.diag(var_d), 0, atol=0.3)
    approximate = np.sum((c.mean(0) - d.mean(0)) ** 2) + np.sum((np.sqrt(var_c) - np.sqrt(var_d)) ** 2)
    assert metrics.frechet_distance_from_features(c, d) == pytest.approx(approximate, rel=0.05)


def test_frechet_distance_with_singular_covariances_stays_real_and_finite():
    rng = np.random.default_rng(2)
    a = np.repeat(rng.normal(size=(50, 1)), 6, axis=1)  # rank-1 covariance in 6 dimensions
    b = np.repeat(rng.normal(size=(50, 1)), 6, axis=1) + 1
    distance = metrics.frechet_distance_from_features(a, b)
    assert np.isfinite(distance) and distance > 0


def test_features_use_the_layer_named_features(brightness_classifier):
    values = metrics.features(constant_images([0.2, 0.8]), brightness_classifier)
    np.testing.assert_allclose(values, [[0.2], [0.8]], atol=1e-5)


def test_bad_arguments_are_rejected(brightness_classifier):
    images = constant_images([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="images"):
        metrics.predicted_classes(images * 2 - 1, brightness_classifier)
    with pytest.raises(TypeError, match="classifier"):
        metrics.predicted_classes(images, "model")
    with pytest.raises(ValueError, match="requested_labels"):
        metrics.class_accuracy(images, [1, 2], brightness_classifier)
    with pytest.raises(ValueError, match="requested_labels"):
        metrics.class_accuracy(images, [1, 2, 10], brightness_classifier)
    with pytest.raises(ValueError, match="min_share"):
        metrics.class_coverage(images, brightness_classifier, min_share=2)
    with pytest.raises(ValueError, match="images_b"):
        metrics.frechet_distance(images, np.zeros((3, 28, 28, 2)), brightness_classifier)
    with pytest.raises(ValueError, match="width"):
        metrics.frechet_distance_from_features(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="features_b"):
        metrics.frechet_distance_from_features(np.zeros((5, 2)), np.zeros((1, 2)))
    no_features = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(10)])
    with pytest.raises(ValueError, match="features"):
        metrics.features(images, no_features)
    with pytest.raises(ValueError, match="batch_size"):
        metrics.features(images, brightness_classifier, batch_size=0)
