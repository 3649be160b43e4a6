"""The NumPy reference losses agree with Keras on random and on extreme inputs."""

import keras
import numpy as np
import pytest

from course_utils import losses

RNG = np.random.default_rng(0)
RANDOM_LOGITS = RNG.normal(0.0, 4.0, size=(32, 10))
RANDOM_LABELS = RNG.integers(0, 10, size=32)
EXTREME_LOGITS = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [0.0, 0.0, -1000.0]])
EXTREME_LABELS = np.array([1, 2, 2])


def keras_value(loss, targets, predictions):
    return float(keras.ops.convert_to_numpy(loss(np.asarray(targets, "float64"), np.asarray(predictions, "float64"))))


@pytest.mark.parametrize("logits, labels", [(RANDOM_LOGITS, RANDOM_LABELS), (EXTREME_LOGITS, EXTREME_LABELS)],
                         ids=["random", "extreme"])
def test_sparse_and_categorical_from_logits_match_keras(logits, labels):
    expected = keras_value(keras.losses.SparseCategoricalCrossentropy(from_logits=True), labels, logits)
    assert losses.sparse_categorical_cross_entropy_from_logits(labels, logits) == pytest.approx(expected, rel=1e-6, abs=1e-6)
    one_hot = losses.one_hot(labels, logits.shape[1])
    expected = keras_value(keras.losses.CategoricalCrossentropy(from_logits=True), one_hot, logits)
    assert losses.categorical_cross_entropy_from_logits(one_hot, logits) == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_probability_losses_match_keras_on_random_inputs():
    probabilities = losses.softmax(RANDOM_LOGITS / 4)
    one_hot = losses.one_hot(RANDOM_LABELS, 10)
    expected = keras_value(keras.losses.CategoricalCrossentropy(), one_hot, probabilities)
    assert losses.categorical_cross_entropy(one_hot, probabilities) == pytest.approx(expected, rel=1e-6)
    expected = keras_value(keras.losses.SparseCategoricalCrossentropy(), RANDOM_LABELS, probabilities)
    assert losses.sparse_categorical_cross_entropy(RANDOM_LABELS, probabilities) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("scale", [3.0, 1000.0], ids=["random", "extreme"])
def test_binary_from_logits_matches_keras(scale):
    logits = RNG.normal(0.0, 1.0, size=64) * scale
    labels = RNG.integers(0, 2, size=64).astype(float)
    expected = keras_value(keras.losses.BinaryCrossentropy(from_logits=True), labels, logits)
    assert losses.binary_cross_entropy_from_logits(labels, logits) == pytest.approx(expected, rel=1e-6)
    assert np.isfinite(losses.binary_cross_entropy_from_logits(labels, logits))


def test_binary_on_probabilities_matches_keras_and_clips():
    probabilities = RNG.uniform(0.01, 0.99, size=50)
    labels = RNG.integers(0, 2, size=50).astype(float)
    expected = keras_value(keras.losses.BinaryCrossentropy(), labels, probabilities)
    assert losses.binary_cross_entropy(labels, probabilities) == pytest.approx(expected, rel=1e-6)
    # p = 0 for a true label: clipped to 1e-7 instead of infinity, as Keras does
    assert losses.binary_cross_entropy([1.0], [0.0]) == pytest.approx(-np.log(1e-7), rel=1e-6)


def test_label_smoothing_matches_keras():
    one_hot = losses.one_hot(RANDOM_LABELS, 10)
    expected = keras_value(keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), one_hot, RANDOM_LOGITS)
    smoothed = losses.smooth_labels(one_hot, 0.1)
    assert losses.categorical_cross_entropy_from_logits(smoothed, RANDOM_LOGITS) == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(smoothed.sum(axis=1), 1.0)


def test_softmax_and_logsumexp_are_stable_and_right():
    probabilities = losses.softmax(EXTREME_LOGITS)
    assert np.all(np.isfinite(probabilities))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    np.testing.assert_allclose(losses.softmax(RANDOM_LOGITS), keras.ops.convert_to_numpy(keras.ops.softmax(RANDOM_LOGITS)), atol=1e-7)
    np.testing.assert_allclose(losses.logsumexp(np.array([1000.0, 1000.0])), 1000.0 + np.log(2.0))
    np.testing.assert_allclose(np.exp(losses.log_softmax(RANDOM_LOGITS)), losses.softmax(RANDOM_LOGITS), rtol=1e-12)


def test_sigmoid_is_stable_and_symmetric():
    values = losses.sigmoid(np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0]))
    np.testing.assert_allclose(values, [0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1.0])


def test_entropy_cross_entropy_and_kl():
    uniform = np.full(4, 0.25)
    certain = np.array([1.0, 0.0, 0.0, 0.0])
    assert losses.entropy(uniform) == pytest.approx(np.log(4))
    assert losses.entropy(certain) == 0.0
    p = np.array([0.5, 0.3, 0.2])
    q = np.array([0.2, 0.3, 0.5])
    assert losses.cross_entropy(p, q) == pytest.approx(-(0.5 * np.log(0.2) + 0.3 * np.log(0.3) + 0.2 * np.log(0.5)))
    assert losses.kl_divergence(p, q) > 0
    assert losses.kl_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    assert losses.cross_entropy(p, np.array([0.0, 0.5, 0.5])) == np.inf
    expected = keras_value(keras.losses.KLDivergence(), p[None], q[None])
    assert losses.kl_divergence(p, q) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("call, error, words", [
    (lambda: losses.sparse_categorical_cross_entropy_from_logits([0, 10], np.zeros((2, 10))), ValueError, "labels must be < 10"),
    (lambda: losses.sparse_categorical_cross_entropy_from_logits([0, -1], np.zeros((2, 10))), ValueError, "labels must be >= 0"),
    (lambda: losses.sparse_categorical_cross_entropy_from_logits([0.5, 1], np.zeros((2, 10))), TypeError, "labels must hold integer"),
    (lambda: losses.sparse_categorical_cross_entropy_from_logits([0, 1, 2], np.zeros((2, 10))), ValueError, "one label per row"),
    (lambda: losses.sparse_categorical_cross_entropy_from_logits([0, 1], np.zeros(10)), ValueError, "logits must have 2 dimensions"),
    (lambda: losses.categorical_cross_entropy_from_logits(np.zeros((2, 3)), np.zeros((2, 3))), ValueError, "one_hot_labels must sum to 1"),
    (lambda: losses.categorical_cross_entropy_from_logits(np.eye(3)[:2], np.zeros((2, 4))), ValueError, "same shape"),
    (lambda: losses.binary_cross_entropy_from_logits([1.0, np.nan], [0.0, 0.0]), ValueError, "labels contains NaN"),
    (lambda: losses.binary_cross_entropy_from_logits([2.0], [0.0]), ValueError, "labels must be in [0, 1]"),
    (lambda: losses.binary_cross_entropy([1.0], [1.5]), ValueError, "probabilities must be in [0, 1]"),
    (lambda: losses.binary_cross_entropy_from_logits("1", [0.0]), TypeError, "labels must be an array"),
    (lambda: losses.softmax([["a", "b"]]), TypeError, "logits must hold numbers"),
    (lambda: losses.softmax(np.array([1.0, np.inf])), ValueError, "logits contains NaN or infinite"),
    (lambda: losses.entropy([0.5, 0.6]), ValueError, "probabilities must sum to 1"),
    (lambda: losses.cross_entropy([0.5, 0.5], [1.0, 0.0, 0.0]), ValueError, "same shape"),
    (lambda: losses.smooth_labels(np.eye(3), 1.5), ValueError, "smoothing must be in"),
    (lambda: losses.one_hot([0, 3], 3), ValueError, "labels must be < 3"),
    (lambda: losses.one_hot([0, 1], 1), ValueError, "num_classes must be >= 2"),
    (lambda: losses.sparse_categorical_cross_entropy_from_logits([0], np.zeros((1, 2)), reduction="sum"), ValueError, "reduction must be one of"),
])
def test_bad_input_is_rejected_with_a_clear_message(call, error, words):
    with pytest.raises(error, match=__import__("re").escape(words)):
        call()
