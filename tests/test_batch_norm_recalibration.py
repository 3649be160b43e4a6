"""course_utils.models.recalibrate_batch_norm: BatchNorm moving statistics re-estimated from
batches (the average of the per-batch statistics, old values forgotten), nothing else changed."""

import keras
import numpy as np
import pytest
from keras import layers

from course_utils import gan
from course_utils.models import recalibrate_batch_norm


def _one_norm(features=3, name="norm"):
    inputs = keras.Input((features,))
    return keras.Model(inputs, layers.BatchNormalization(name=name)(inputs))


def _batches(seed=0, count=4, size=16, features=3):
    rng = np.random.default_rng(seed)
    return [rng.normal(5.0, 2.0, size=(size, features)).astype("float32") for _ in range(count)]


def test_statistics_become_the_average_of_the_batch_statistics():
    model = _one_norm()
    norm = model.get_layer("norm")
    norm.moving_mean.assign(np.full(3, 100.0, "float32"))  # far from the data: must be forgotten
    norm.moving_variance.assign(np.full(3, 50.0, "float32"))
    batches = _batches()
    assert recalibrate_batch_norm(model, batches) == ["norm"]
    means = np.mean([batch.mean(axis=0) for batch in batches], axis=0)
    variances = np.mean([batch.var(axis=0) for batch in batches], axis=0)  # biased, as BatchNorm's
    np.testing.assert_allclose(norm.moving_mean.numpy(), means, rtol=1e-5)
    np.testing.assert_allclose(norm.moving_variance.numpy(), variances, rtol=1e-4)


def test_one_batch_makes_inference_equal_training_mode():
    model = _one_norm()
    batch = _batches(count=1)[0]
    assert not np.allclose(model(batch, training=False), model(batch, training=True), atol=1e-3)
    recalibrate_batch_norm(model, [batch])
    np.testing.assert_allclose(model(batch, training=False), model(batch, training=True), atol=1e-4)


def test_weights_and_momentum_are_unchanged():
    model = _one_norm()
    norm = model.get_layer("norm")
    norm.gamma.assign(np.array([2.0, 3.0, 4.0], "float32"))
    norm.beta.assign(np.array([-1.0, 0.0, 1.0], "float32"))
    recalibrate_batch_norm(model, _batches())
    np.testing.assert_array_equal(norm.gamma.numpy(), [2.0, 3.0, 4.0])
    np.testing.assert_array_equal(norm.beta.numpy(), [-1.0, 0.0, 1.0])
    assert norm.momentum == pytest.approx(0.99)


def test_momentum_is_restored_when_a_batch_fails():
    model = _one_norm()
    with pytest.raises(ValueError):
        recalibrate_batch_norm(model, [_batches()[0], np.zeros((4, 7), "float32")])  # wrong width
    assert model.get_layer("norm").momentum == pytest.approx(0.99)


def test_frozen_layers_are_left_alone_and_nested_models_are_reached():
    inner = _one_norm(name="inner_norm")
    inputs = keras.Input((3,))
    outer_norm = layers.BatchNormalization(name="outer_norm")
    model = keras.Model(inputs, outer_norm(inner(inputs)))
    outer_norm.trainable = False
    before = outer_norm.moving_mean.numpy().copy()
    assert recalibrate_batch_norm(model, _batches()) == ["inner_norm"]
    np.testing.assert_array_equal(outer_norm.moving_mean.numpy(), before)
    assert not np.allclose(inner.get_layer("inner_norm").moving_mean.numpy(), 0.0)


def test_a_conditional_generator_with_two_inputs():
    generator = gan.build_conditional_generator(8)
    rng = np.random.default_rng(1)
    batches = [[rng.normal(size=(16, 8)).astype("float32"), np.arange(16, dtype="int32") % 10] for _ in range(3)]
    weights = [w.numpy().copy() for w in generator.trainable_weights]
    assert recalibrate_batch_norm(generator, batches) == ["project_bn", "up_14x14_bn"]
    assert all(np.array_equal(a, b.numpy()) for a, b in zip(weights, generator.trainable_weights))
    variance = generator.get_layer("project_bn").moving_variance.numpy()
    assert not np.allclose(variance, 1.0)  # moved from its initial value


@pytest.mark.parametrize("model, batches, error, message", [
    ("not a model", [np.zeros((2, 3))], TypeError, "model must be a keras.Model"),
    (None, np.zeros((2, 3), "float32"), TypeError, "batches must be an iterable"),
    (None, 3, TypeError, "batches must be an iterable"),
    (None, [], ValueError, "at least one batch"),
])
def test_bad_arguments_are_named(model, batches, error, message):
    with pytest.raises(error, match=message):
        recalibrate_batch_norm(_one_norm() if model is None else model, batches)


def test_a_model_without_batch_norm_is_refused():
    inputs = keras.Input((3,))
    with pytest.raises(ValueError, match="no trainable BatchNormalization"):
        recalibrate_batch_norm(keras.Model(inputs, layers.Dense(2)(inputs)), _batches())
