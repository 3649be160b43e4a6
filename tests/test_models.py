"""Unit tests of course_utils.models: tiny models and one-epoch trainings only."""

import numpy as np
import pytest

import course_utils as cu
from course_utils import models


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


@pytest.fixture(scope="module")
def small_data():
    """A small, real DigitData (scikit-learn digits) cut down to a few hundred images."""
    full = cu.data.load_sklearn_digits(seed=0)
    return cu.data.DigitData(full.x_train[:200], full.y_train[:200], full.x_val[:60], full.y_val[:60],
                             full.x_test[:80], full.y_test[:80], full.name)


# ------------------------------------------------------------------- build_classifier


def test_classifier_outputs_ten_logits_and_has_the_promised_layers(keras):
    model = models.build_classifier()
    images = np.random.default_rng(0).uniform(size=(5, 28, 28, 1)).astype("float32")
    logits = np.asarray(model(images, training=False))
    assert logits.shape == (5, 10)
    # logits, not probabilities: rows do not sum to one and values can be negative
    assert not np.allclose(logits.sum(axis=1), 1.0)
    assert model.get_layer("logits").activation.__name__ == "linear"
    assert model.get_layer("features").units == 128
    assert any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers)
    assert model.name == "digit_classifier"
    assert model.input_shape == (None, 28, 28, 1)


def test_classifier_options_change_the_architecture():
    with_augmentation = models.build_classifier(augment=True)
    without = models.build_classifier(augment=False, filters=(8,), feature_units=16, name="tiny")
    assert "augmentation" in [layer.name for layer in with_augmentation.layers]
    assert "augmentation" not in [layer.name for layer in without.layers]
    assert without.get_layer("features").units == 16
    assert without.get_layer("block1_conv").filters == 8
    assert without.name == "tiny"
    # same weights in both: augmentation has none
    assert with_augmentation.count_params() > without.count_params()


def test_batch_norm_momentum_sets_how_fast_the_moving_statistics_follow_the_data(keras):
    images = cu.data.load_sklearn_digits(seed=0).x_test[:32]
    moved = {}
    for momentum in (0.99, 0.9):
        keras.utils.set_random_seed(0)  # same initial weights, so the same batch statistics
        model = models.build_classifier(augment=False, batch_norm_momentum=momentum)
        layer = model.get_layer("block1_bn")
        assert layer.momentum == pytest.approx(momentum)
        before = layer.moving_mean.numpy().copy()
        model(images, training=True)  # one training-mode call updates the moving mean once
        moved[momentum] = float(np.abs(layer.moving_mean.numpy() - before).sum())
    assert models.build_classifier().get_layer("block2_bn").momentum == pytest.approx(0.99)
    # the update is (1 - momentum) * (batch mean - moving mean): ten times larger at 0.9
    assert moved[0.9] == pytest.approx(10 * moved[0.99], rel=1e-3)


def test_augmentation_is_active_in_training_only():
    block = models.augmentation_block(seed=3)
    images = cu.data.load_sklearn_digits(seed=0).x_test[:4]
    np.testing.assert_allclose(np.asarray(block(images, training=False)), images)
    assert not np.allclose(np.asarray(block(images, training=True)), images)


@pytest.mark.parametrize("kwargs, error", [
    ({"name": ""}, TypeError),
    ({"name": 3}, TypeError),
    ({"filters": ()}, TypeError),
    ({"filters": "16"}, TypeError),
    ({"filters": (16, 0)}, ValueError),
    ({"filters": (16, 2.5)}, TypeError),
    ({"feature_units": 0}, ValueError),
    ({"dropout": 1.0}, ValueError),
    ({"dropout": -0.1}, ValueError),
    ({"augment": "yes"}, TypeError),
    ({"batch_norm_momentum": 1.0}, ValueError),
    ({"batch_norm_momentum": 0.0}, ValueError),
    ({"batch_norm_momentum": "0.9"}, TypeError),
    ({"seed": -1}, ValueError),
])
def test_build_classifier_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs)) if kwargs != {"name": 3} else "name"):
        models.build_classifier(**kwargs)


def test_compile_uses_sparse_cross_entropy_on_logits(keras):
    model = models.compile_classifier(models.build_classifier(augment=False), learning_rate=0.01)
    assert isinstance(model.loss, keras.losses.SparseCategoricalCrossentropy)
    assert model.loss.from_logits is True
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="learning_rate"):
        models.compile_classifier(model, learning_rate=0.0)
    with pytest.raises(TypeError, match="model"):
        models.compile_classifier("a model")


# ------------------------------------------------------------------ feature_extractor


def test_feature_extractor_returns_the_features_layer_output(keras):
    keras.utils.set_random_seed(0)
    model = models.build_classifier(augment=False, feature_units=32)
    extractor = models.feature_extractor(model)
    images = cu.data.load_sklearn_digits(seed=0).x_test[:6]
    features = np.asarray(extractor(images, training=False))
    assert features.shape == (6, 32)
    # the head applied to these features gives the classifier's logits (dropout is off)
    head = model.get_layer("logits")
    np.testing.assert_allclose(np.asarray(head(features)), np.asarray(model(images, training=False)),
                               rtol=1e-5, atol=1e-5)
    # shares weights with the classifier
    assert extractor.get_layer("features") is model.get_layer("features")


def test_feature_extractor_rejects_bad_arguments():
    model = models.build_classifier(augment=False)
    with pytest.raises(TypeError, match="classifier"):
        models.feature_extractor(np.zeros(3))
    with pytest.raises(ValueError, match="layer_name"):
        models.feature_extractor(model, layer_name="no_such_layer")
    with pytest.raises(TypeError, match="layer_name"):
        models.feature_extractor(model, layer_name=3)


# ---------------------------------------------------------------------- evaluation


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    labels = np.array([0, 0, 1, 2, 2, 2])
    predictions = np.array([0, 1, 1, 2, 0, 2])
    matrix = models.confusion_matrix(labels, predictions, num_classes=3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert matrix.dtype == np.int64
    assert models.confusion_matrix(labels, predictions).shape == (10, 10)


def test_confusion_matrix_rejects_bad_arguments():
    with pytest.raises(ValueError, match="same length"):
        models.confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="predictions"):
        models.confusion_matrix([0, 1], [0, 10])
    with pytest.raises(TypeError, match="labels"):
        models.confusion_matrix([0.5, 1], [0, 1])
    with pytest.raises(ValueError, match="num_classes"):
        models.confusion_matrix([0], [0], num_classes=0)


def test_predict_labels_and_accuracy_agree_with_argmax_of_logits(keras):
    keras.utils.set_random_seed(1)
    model = models.build_classifier(augment=False, filters=(4,), feature_units=8)
    data = cu.data.load_sklearn_digits(seed=0)
    images, labels = data.x_test[:50], data.y_test[:50]
    expected = np.argmax(np.asarray(model(images, training=False)), axis=1)
    predicted = models.predict_labels(model, images, batch_size=16)
    np.testing.assert_array_equal(predicted, expected)
    assert models.accuracy(model, images, labels) == pytest.approx(np.mean(expected == labels))
    with pytest.raises(ValueError, match="same length"):
        models.accuracy(model, images, labels[:10])
    with pytest.raises(ValueError, match="images"):
        models.predict_labels(model, images * 255)
    with pytest.raises(ValueError, match="batch_size"):
        models.predict_labels(model, images, batch_size=0)
    with pytest.raises(TypeError, match="model"):
        models.predict_labels(None, images)


# -------------------------------------------------------------------------- training


def test_train_classifier_records_validation_accuracy_and_runs_extra_callbacks(keras, small_data):
    keras.utils.set_random_seed(0)
    model = models.compile_classifier(models.build_classifier(augment=False, filters=(4,), feature_units=8))
    seen = []
    spy = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    history = models.train_classifier(model, small_data, epochs=2, batch_size=50, patience=1, callbacks=[spy])
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.history)
    assert 1 <= len(history.history["loss"]) <= 2
    assert seen == list(range(len(history.history["loss"])))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"model": "model"}, TypeError, "model"),
    ({"data": (1, 2)}, TypeError, "data"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"batch_size": 1.5}, TypeError, "batch_size"),
    ({"patience": -1}, ValueError, "patience"),
    ({"verbose": 3}, ValueError, "verbose"),
    ({"callbacks": ["not a callback"]}, TypeError, "callbacks"),
])
def test_train_classifier_rejects_bad_arguments(small_data, kwargs, error, match):
    arguments = {"model": models.compile_classifier(models.build_classifier(augment=False, filters=(4,))),
                 "data": small_data}
    arguments.update(kwargs)
    model, data = arguments.pop("model"), arguments.pop("data")
    with pytest.raises(error, match=match):
        models.train_classifier(model, data, **arguments)


def test_load_domain_gives_each_domain_and_always_offline_mnist():
    assert models.load_domain("mnist").name == "mnist-offline"
    assert models.load_domain("sklearn-8x8").name == "sklearn-8x8"
    with pytest.raises(ValueError, match="domain"):
        models.load_domain("svhn")
    with pytest.raises(TypeError, match="seed"):
        models.load_domain("mnist", seed="0")
