"""The course's digit classifier: how it is built, trained, saved and reused.

One small CNN serves three purposes:

* the **source model** of the transfer-learning lessons, trained on one digit domain
  (``"printed"`` fonts, ``"mnist"`` handwriting or the ``"sklearn-8x8"`` digits) and then
  adapted to another;
* the **evaluator** of the GAN lessons: trained on offline MNIST, its ``"features"`` layer
  gives the embedding for a Frechet distance and its logits the class of a generated digit;
* a model trained **from scratch** on a few target labels, as the baseline transfer beats.

The trained copies lessons share (the printed-digit source model, the MNIST evaluator, the
8x8-digit classifier) are described, trained and saved by :mod:`course_utils.trained`,
which uses the functions below.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_utils import data as digit_data
from course_utils.validation import as_images, as_label_array, check_choice, check_float, check_int

DOMAINS = ("mnist", "printed", "sklearn-8x8")
NUM_CLASSES = 10
INPUT_SHAPE = (28, 28, 1)


# --------------------------------------------------------------------------- building


def build_classifier(*, name: str = "digit_classifier", filters=(16, 32), feature_units: int = 128,
                     dropout: float = 0.3, augment: bool = True, batch_norm_momentum: float = 0.99,
                     seed: int = 0):
    """A small CNN for 28x28x1 digits in [0, 1] that outputs 10 logits (no softmax).

    Layout: optional augmentation (random rotation, shift and zoom; active in training
    only) -> for each entry of ``filters``, a 3x3 convolution, BatchNormalization, ReLU
    and 2x2 max-pooling -> flatten -> dropout -> ``Dense(feature_units,
    relu)`` named ``"features"`` -> dropout -> ``Dense(10)`` named ``"logits"``.

    Args:
        name: the model's name.
        filters: channels of each convolution block (one or more positive ints). The
            default trains one epoch of 3,600 digits in a few seconds on 2 CPU cores.
        feature_units: width of the ``"features"`` layer.
        dropout: dropout rate before and after the ``"features"`` layer.
        augment: include the ``"augmentation"`` block (small rotations, shifts, zooms).
        batch_norm_momentum: momentum of the BatchNormalization moving mean and variance
            (Keras' default 0.99). Their estimates trail the weights by roughly
            ``1 / (1 - momentum)`` steps, so a model trained for only a few hundred steps
            needs a lower momentum (lesson 3 uses 0.9) or its inference-mode accuracy lags
            far behind what it has learned.
        seed: seeds the augmentation and dropout layers. Weight initialisation uses
            Keras' global generator: call ``keras.utils.set_random_seed`` first to repeat it.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    filters = _check_filters(filters)
    feature_units = check_int(feature_units, "feature_units", minimum=1)
    dropout = check_float(dropout, "dropout", minimum=0.0, maximum=1.0, inclusive=True)
    if dropout >= 1.0:
        raise ValueError(f"dropout must be below 1, got {dropout}")
    _check_bool(augment, "augment")
    batch_norm_momentum = check_float(batch_norm_momentum, "batch_norm_momentum", minimum=0.0, maximum=1.0,
                                      inclusive=False)
    seed = check_int(seed, "seed", minimum=0)

    import keras
    from keras import layers

    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = inputs
    if augment:
        x = augmentation_block(seed=seed)(x)
    for block, channels in enumerate(filters, start=1):
        x = layers.Conv2D(channels, 3, padding="same", use_bias=False, name=f"block{block}_conv")(x)
        x = layers.BatchNormalization(momentum=batch_norm_momentum, name=f"block{block}_bn")(x)
        x = layers.ReLU(name=f"block{block}_relu")(x)
        x = layers.MaxPooling2D(name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout, seed=seed + 1, name="dropout_1")(x)
    x = layers.Dense(feature_units, activation="relu", name="features")(x)
    x = layers.Dropout(dropout, seed=seed + 2, name="dropout_2")(x)
    outputs = layers.Dense(NUM_CLASSES, name="logits")(x)
    return keras.Model(inputs, outputs, name=name)


def augmentation_block(*, seed: int = 0, name: str = "augmentation"):
    """Random rotation (up to about 11 degrees), shift (10%) and zoom (10%), black fill.

    Active only while training; at inference the block passes images through unchanged.
    """
    seed = check_int(seed, "seed", minimum=0)
    import keras
    from keras import layers

    return keras.Sequential([
        layers.RandomRotation(0.03, fill_mode="constant", seed=seed + 11),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed + 12),
        layers.RandomZoom(0.1, fill_mode="constant", seed=seed + 13),
    ], name=name)


def compile_classifier(model, *, learning_rate: float = 1e-3):
    """Compile with Adam, sparse categorical cross-entropy on logits, and accuracy.

    Returns the model, so ``model = compile_classifier(build_classifier())`` works.
    """
    _check_model(model, "model")
    learning_rate = check_float(learning_rate, "learning_rate", minimum=0.0, inclusive=False)
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return model


def feature_extractor(classifier, *, layer_name: str = "features"):
    """A model that maps images to the output of ``classifier``'s ``layer_name`` layer.

    It shares the classifier's layers (and weights); in inference it is deterministic
    (augmentation and dropout are off).
    """
    _check_model(classifier, "classifier")
    if not isinstance(layer_name, str):
        raise TypeError(f"layer_name must be a string, got {type(layer_name).__name__}")
    names = [layer.name for layer in classifier.layers]
    if layer_name not in names:
        raise ValueError(f"layer_name {layer_name!r} is not a layer of {classifier.name!r}; it has {names}")
    import keras

    return keras.Model(classifier.input, classifier.get_layer(layer_name).output,
                       name=f"{classifier.name}_{layer_name}")


def recalibrate_batch_norm(model, batches) -> list:
    """Re-estimate the moving mean and variance of every trainable BatchNormalization layer
    of ``model`` (nested models included) from ``batches``; no weight changes.

    A moving statistic is an exponential average with weight ``1 - momentum`` per training
    step, so after a few hundred steps at Keras' 0.99 it still holds part of its starting
    value (0 and 1, or a source domain's statistics after fine-tuning) and inference mode
    normalises with numbers the network no longer produces. This runs ``model`` in training
    mode on each batch in turn with the momentum set to ``(i - 1) / i`` on batch ``i``, so
    each layer ends with the plain average of the per-batch means and variances it saw
    (the statistics training mode uses, "precise BatchNorm"), the old values forgotten.
    Use batches like the training batches (same size; for a GAN's generator, noise and
    labels as in training). Frozen BatchNormalization layers (``trainable=False``) run in
    inference mode in training too, so they are left as they are.

    Args:
        model: a built ``keras.Model``.
        batches: a non-empty iterable of model inputs (an array, or a list of arrays for a
            model with several inputs), e.g. a list of ``[noise, labels]`` pairs.

    Returns the names of the recalibrated layers.
    """
    _check_model(model, "model")
    import keras

    if isinstance(batches, np.ndarray) or not hasattr(batches, "__iter__"):
        raise TypeError("batches must be an iterable of model inputs (e.g. a list of arrays), "
                        f"got {type(batches).__name__}")
    norms = [layer for layer in _all_layers(model)
             if isinstance(layer, keras.layers.BatchNormalization) and layer.trainable]
    if not norms:
        raise ValueError(f"model {model.name!r} has no trainable BatchNormalization layer to recalibrate")
    momenta = [layer.momentum for layer in norms]
    count = 0
    try:
        for count, inputs in enumerate(batches, start=1):
            for layer in norms:
                layer.momentum = (count - 1) / count  # 0 on the first batch: old values dropped
            model(inputs, training=True)
    finally:
        for layer, momentum in zip(norms, momenta):
            layer.momentum = momentum
    if count == 0:
        raise ValueError("batches must hold at least one batch")
    return [layer.name for layer in norms]


# --------------------------------------------------------------------------- training


def load_domain(domain: str = "mnist", *, seed: int = 0):
    """The train/validation/test splits of a source domain, as :mod:`course_utils.data`
    returns them. ``"mnist"`` is always the offline MNIST (5,000 real digits), so the
    same model comes out on every machine, online or not."""
    check_choice(domain, "domain", DOMAINS)
    seed = check_int(seed, "seed", minimum=0)
    if domain == "mnist":
        return digit_data.load_mnist(source="offline", seed=seed)
    if domain == "printed":
        return digit_data.load_printed_digits(seed=seed)
    return digit_data.load_sklearn_digits(seed=seed)


def train_classifier(model, data, *, epochs: int = 20, batch_size: int = 64, patience: int = 5,
                     callbacks=None, verbose: int = 0):
    """Fit a compiled classifier on ``data.x_train`` with early stopping on the validation
    accuracy (the best epoch's weights restored at the end), plus any extra ``callbacks``
    (for example :class:`course_utils.progress.EpochProgress`). Returns the Keras ``History``.
    """
    _check_model(model, "model")
    _check_digit_data(data, "data")
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    patience = check_int(patience, "patience", minimum=0)
    verbose = check_int(verbose, "verbose", minimum=0, maximum=2)
    import keras

    extra = list(callbacks or [])
    if not all(isinstance(callback, keras.callbacks.Callback) for callback in extra):
        raise TypeError("callbacks must be a list of keras.callbacks.Callback objects")
    stopping = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=patience, restore_best_weights=True)
    return model.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
                     epochs=epochs, batch_size=batch_size, callbacks=[stopping, *extra], verbose=verbose)


# ------------------------------------------------------------------------- evaluating


def predict_labels(model, images, *, batch_size: int = 256) -> np.ndarray:
    """The class each image's logits rank highest, as an int64 array."""
    _check_model(model, "model")
    images = as_images(images, "images")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    logits = model.predict(images, batch_size=batch_size, verbose=0)
    return np.argmax(logits, axis=-1).astype(np.int64)


def accuracy(model, images, labels, *, batch_size: int = 256) -> float:
    """Share of ``images`` whose predicted class equals ``labels``."""
    labels = as_label_array(labels, "labels", num_classes=NUM_CLASSES)
    predictions = predict_labels(model, images, batch_size=batch_size)
    if len(predictions) != len(labels):
        raise ValueError(f"images and labels must have the same length, got {len(predictions)} and {len(labels)}")
    return float(np.mean(predictions == labels))


def confusion_matrix(labels, predictions, *, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Counts ``matrix[true, predicted]`` as an int64 array (rows: true classes)."""
    num_classes = check_int(num_classes, "num_classes", minimum=1)
    labels = as_label_array(labels, "labels", num_classes=num_classes)
    predictions = as_label_array(predictions, "predictions", num_classes=num_classes)
    if len(labels) != len(predictions):
        raise ValueError(f"labels and predictions must have the same length, got {len(labels)} and {len(predictions)}")
    matrix = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


# ------------------------------------------------------------------------------ checks


def _check_model(model, name):
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"{name} must be a keras.Model, got {type(model).__name__}")


def _all_layers(model):
    """Every layer of ``model``, the layers of nested models included, in order."""
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def _check_bool(value, name):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")


def _check_filters(filters):
    if isinstance(filters, numbers.Integral) and not isinstance(filters, bool):
        filters = (filters,)
    if not isinstance(filters, (tuple, list)) or not filters:
        raise TypeError(f"filters must be a non-empty tuple of ints, got {filters!r}")
    return tuple(check_int(channels, "filters", minimum=1) for channels in filters)


def _check_digit_data(data, name):
    if not isinstance(data, digit_data.DigitData):
        raise TypeError(f"{name} must be a DigitData (from course_utils.data), got {type(data).__name__}")
