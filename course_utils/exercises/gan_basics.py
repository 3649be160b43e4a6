"""Graded exercises of lesson 4 (GANs from scratch).

* :data:`discriminator_loss` -- binary cross-entropy from logits, real = 1 and fake = 0;
* :data:`generator_loss` -- the non-saturating generator loss ``-log D(G(z))``;
* :data:`build_discriminator` -- the seed's discriminator with its shape bug fixed;
* :data:`generator_train_step` -- one generator update that touches only the generator.

Each grader runs the learner's TensorFlow code on small fixed inputs, compares it with the
reference (the loss values come from the NumPy losses of lesson 1, ``course_utils.losses``)
and, when the answer is wrong, recognises the usual mistakes by name.
"""

from __future__ import annotations

import numpy as np

from course_utils import losses as reference_losses
from course_utils.exercises import Exercise, Incorrect, call_answer

# Logits the loss graders try. Real and fake batches have different sizes on purpose:
# then "average of the concatenated batch" differs from "sum of the two means".
_REAL_LOGITS = np.array([[2.0], [0.5], [-1.0], [3.0], [0.0], [-0.3]], dtype=np.float32)
_FAKE_LOGITS = np.array([[-2.5], [1.0], [0.2], [-0.7]], dtype=np.float32)
# Far-out logits: a loss written as log(sigmoid(x)) overflows to inf here.
_EXTREME_REAL = np.array([[-120.0], [90.0]], dtype=np.float32)
_EXTREME_FAKE = np.array([[150.0], [-130.0], [0.0]], dtype=np.float32)


def _bce(label: float, logits) -> float:
    """Mean binary cross-entropy of ``sigmoid(logits)`` against a constant label."""
    logits = np.asarray(logits, dtype=np.float64)
    return reference_losses.binary_cross_entropy_from_logits(np.full_like(logits, label), logits)


def _bce_of_raw_numbers(label: float, values) -> float:
    """What Keras' probability-based cross-entropy gives when logits are passed to it as
    if they were probabilities (it clips them into (0, 1) first)."""
    import keras

    values = np.asarray(values, dtype=np.float32)
    return float(keras.losses.BinaryCrossentropy()(np.full_like(values, label), values))


def _as_scalar(value, what: str) -> float:
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise Incorrect(f"{what} must be one number (the mean over the batch), got an array of shape {array.shape}.")
    return float(array.reshape(()))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-4 * max(1.0, abs(b))


def _to_tensor(array):
    import tensorflow as tf

    return tf.constant(array)


# ------------------------------------------------------------------ discriminator loss


def _grade_discriminator_loss(function):
    got = _as_scalar(call_answer(function, _to_tensor(_REAL_LOGITS), _to_tensor(_FAKE_LOGITS)),
                     "Your discriminator loss")
    real_term, fake_term = _bce(1.0, _REAL_LOGITS), _bce(0.0, _FAKE_LOGITS)
    expected = real_term + fake_term
    if not np.isfinite(got):
        raise Incorrect(f"the loss is {got} on ordinary logits; compute it from the logits with a stable formula.")
    if not _close(got, expected):
        both = np.concatenate([_REAL_LOGITS, _FAKE_LOGITS])
        labels = np.concatenate([np.ones_like(_REAL_LOGITS), np.zeros_like(_FAKE_LOGITS)])
        mistakes = [
            (_bce(0.0, _REAL_LOGITS) + _bce(1.0, _FAKE_LOGITS),
             "the labels are swapped: real images must get label 1 and generated ones label 0."),
            (-expected,
             "wrong sign: the discriminator minimises the cross-entropy; you returned its negative "
             "(the value function V, which the discriminator maximises)."),
            (0.5 * expected,
             "you averaged the two terms; this exercise asks for their sum, "
             "BCE(1, real logits) + BCE(0, fake logits)."),
            (reference_losses.binary_cross_entropy_from_logits(labels, both),
             "you took one mean over the concatenated batch; return the sum of the two means "
             "instead, so real and fake count equally whatever the batch sizes."),
            (_bce_of_raw_numbers(1.0, _REAL_LOGITS) + _bce_of_raw_numbers(0.0, _FAKE_LOGITS),
             "you treated the logits as probabilities: use from_logits=True (the discriminator "
             "has no sigmoid at its output)."),
            (real_term, "only the real term is there: add the cross-entropy of the fakes with label 0."),
            (fake_term, "only the fake term is there: add the cross-entropy of the real images with label 1."),
            (float(np.mean(_REAL_LOGITS) - np.mean(_FAKE_LOGITS)),
             "that is the seed's mean(D(real)) - mean(D(fake)), not a cross-entropy."),
            (float(np.mean(reference_losses.sigmoid(_REAL_LOGITS)) - np.mean(reference_losses.sigmoid(_FAKE_LOGITS))),
             "that is the seed's mean(D(real)) - mean(D(fake)), not a cross-entropy."),
        ]
        for value, message in mistakes:
            if _close(got, value):
                raise Incorrect(message)
        raise Incorrect(f"on test logits your loss is {got:.4f}, but BCE(1, real) + BCE(0, fake) is {expected:.4f}.")
    extreme = _as_scalar(call_answer(function, _to_tensor(_EXTREME_REAL), _to_tensor(_EXTREME_FAKE)),
                         "Your discriminator loss")
    expected_extreme = _bce(1.0, _EXTREME_REAL) + _bce(0.0, _EXTREME_FAKE)
    if not np.isfinite(extreme) or not _close(extreme, expected_extreme):
        raise Incorrect(
            f"with logits like +-120 your loss is {extreme:.4g} instead of {expected_extreme:.4f}: "
            "taking log(sigmoid(x)) overflows; use the from-logits form (lesson 1)."
        )


discriminator_loss = Exercise(
    name="Discriminator loss",
    grader=_grade_discriminator_loss,
    hint_text=(
        "The discriminator is a binary classifier: real images have label 1, generated ones "
        "label 0. Use keras.losses.BinaryCrossentropy(from_logits=True) once on the real logits "
        "with tf.ones_like(...) and once on the fake logits with tf.zeros_like(...), and add the two."
    ),
    solution_code="""
        cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

        def discriminator_loss(real_logits, fake_logits):
            real_loss = cross_entropy(tf.ones_like(real_logits), real_logits)
            fake_loss = cross_entropy(tf.zeros_like(fake_logits), fake_logits)
            return real_loss + fake_loss
    """,
)


# ---------------------------------------------------------------------- generator loss


def _grade_generator_loss(function):
    got = _as_scalar(call_answer(function, _to_tensor(_FAKE_LOGITS)), "Your generator loss")
    expected = _bce(1.0, _FAKE_LOGITS)
    if not np.isfinite(got):
        raise Incorrect(f"the loss is {got} on ordinary logits; compute it from the logits with a stable formula.")
    if not _close(got, expected):
        mistakes = [
            (-_bce(0.0, _FAKE_LOGITS),
             "that is the saturating loss log(1 - D(G(z))) from the minimax game: its gradient "
             "vanishes when the discriminator confidently rejects the fakes. Minimise -log D(G(z)) instead."),
            (_bce(0.0, _FAKE_LOGITS),
             "label 0 for the fakes is the discriminator's target; the generator wants the "
             "discriminator to say 'real', so use label 1."),
            (-expected, "wrong sign: return the cross-entropy with label 1 itself, which the generator minimises."),
            (_bce_of_raw_numbers(1.0, _FAKE_LOGITS),
             "you treated the logits as probabilities: use from_logits=True."),
            (float(-np.mean(_FAKE_LOGITS)), "that is -mean(D(G(z))) on raw scores, not a cross-entropy."),
        ]
        for value, message in mistakes:
            if _close(got, value):
                raise Incorrect(message)
        raise Incorrect(f"on test logits your loss is {got:.4f}, but -mean(log D(G(z))) is {expected:.4f}.")
    extreme = _as_scalar(call_answer(function, _to_tensor(_EXTREME_FAKE)), "Your generator loss")
    expected_extreme = _bce(1.0, _EXTREME_FAKE)
    if not np.isfinite(extreme) or not _close(extreme, expected_extreme):
        raise Incorrect(
            f"with logits like -130 your loss is {extreme:.4g} instead of {expected_extreme:.4f}: "
            "log(sigmoid(x)) underflows; use the from-logits form (lesson 1)."
        )


generator_loss = Exercise(
    name="Non-saturating generator loss",
    grader=_grade_generator_loss,
    hint_text=(
        "The generator wins when the discriminator calls its images real. Score the fake logits "
        "with the binary cross-entropy against the label the generator wants them to get."
    ),
    solution_code="""
        cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

        def generator_loss(fake_logits):
            return cross_entropy(tf.ones_like(fake_logits), fake_logits)
    """,
)


# ---------------------------------------------------------------- build_discriminator


def _grade_build_discriminator(function):
    import keras

    model = call_answer(function)
    if not isinstance(model, keras.Model):
        raise Incorrect(f"return a keras.Model, got {type(model).__name__}.")
    images = np.random.default_rng(0).uniform(size=(5, 28, 28, 1)).astype("float32")
    try:
        output = np.asarray(model(images))
    except Exception as error:
        raise Incorrect(f"the model cannot take a batch shaped (5, 28, 28, 1): {type(error).__name__}: {error}") from None
    if output.shape == (5, 28, 28, 1) or (output.ndim > 2 and output.shape[0] == 5):
        raise Incorrect(
            f"for 5 images your model returns shape {output.shape}: one verdict per pixel. A Dense "
            "layer acts on the last axis only; put a Flatten() before the Dense layers."
        )
    if output.shape != (5, 1):
        raise Incorrect(f"for 5 images the output must have shape (5, 1), one logit per image; got {output.shape}.")
    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", "linear")
    if activation != "linear":
        raise Incorrect(
            f"the last layer applies '{activation}'; return raw logits (no activation), because the "
            "losses use from_logits=True."
        )
    kernels = [variable for variable in model.trainable_variables if len(variable.shape) >= 2]
    if len(kernels) < 2:
        raise Incorrect("use at least one hidden layer (a Dense layer, say) between Flatten() and the output Dense(1).")


build_discriminator = Exercise(
    name="A discriminator whose shapes fit",
    grader=_grade_build_discriminator,
    hint_text=(
        "Dense layers work on the last axis. Turn each (28, 28, 1) image into a vector first, "
        "then a hidden Dense layer, then Dense(1) with no activation."
    ),
    solution_code="""
        def build_discriminator():
            return keras.Sequential([
                keras.Input(shape=(28, 28, 1)),
                layers.Flatten(),
                layers.Dense(128),
                layers.LeakyReLU(0.2),
                layers.Dense(1),
            ], name="discriminator")
    """,
)


# -------------------------------------------------------------- generator_train_step

_LATENT, _FEATURES, _BATCH, _LEARNING_RATE = 3, 4, 6, 0.5


def _tiny_pair():
    """A tiny generator and discriminator with fixed weights (seeded initialisers, so the
    learner's global random state is left alone)."""
    import keras
    from keras import layers

    def init(seed):
        return keras.initializers.RandomNormal(stddev=0.8, seed=seed)

    generator = keras.Sequential([keras.Input(shape=(_LATENT,)),
                                  layers.Dense(_FEATURES, activation="tanh", kernel_initializer=init(1),
                                               bias_initializer=init(2))], name="tiny_generator")
    discriminator = keras.Sequential([keras.Input(shape=(_FEATURES,)),
                                      layers.Dense(5, activation="tanh", kernel_initializer=init(3),
                                                   bias_initializer=init(4)),
                                      layers.Dense(1, kernel_initializer=init(5))], name="tiny_discriminator")
    return generator, discriminator


def _weights(model):
    return [np.array(v) for v in model.trainable_variables]


def _generator_after_one_step(loss_of_logits):
    """The generator's weights after one SGD step on ``loss_of_logits(D(G(z)))``."""
    import keras
    import tensorflow as tf

    generator, discriminator = _tiny_pair()
    noise = tf.constant(_NOISE)
    optimizer = keras.optimizers.SGD(learning_rate=_LEARNING_RATE)
    with tf.GradientTape() as tape:
        loss = loss_of_logits(discriminator(generator(noise)))
    gradients = tape.gradient(loss, generator.trainable_variables)
    optimizer.apply_gradients(zip(gradients, generator.trainable_variables))
    return _weights(generator), float(loss)


_NOISE = np.random.default_rng(7).normal(size=(_BATCH, _LATENT)).astype("float32")


def _grade_generator_train_step(function):
    import keras
    import tensorflow as tf

    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    generator, discriminator = _tiny_pair()
    generator_before, discriminator_before = _weights(generator), _weights(discriminator)
    optimizer = keras.optimizers.SGD(learning_rate=_LEARNING_RATE)
    returned = call_answer(function, generator, discriminator, optimizer, tf.constant(_NOISE))
    returned = _as_scalar(returned, "The loss your step returns")

    if any(not np.allclose(a, b) for a, b in zip(_weights(discriminator), discriminator_before)):
        raise Incorrect(
            "your step also changed the discriminator's weights: the generator's update must apply "
            "gradients to generator.trainable_variables only."
        )
    generator_after = _weights(generator)
    if all(np.allclose(a, b) for a, b in zip(generator_after, generator_before)):
        raise Incorrect(
            "the generator's weights did not change: compute the gradients of the loss with respect to "
            "generator.trainable_variables inside a tf.GradientTape and apply them with "
            "optimizer.apply_gradients."
        )

    def moved_like(loss_of_logits):
        expected, _ = _generator_after_one_step(loss_of_logits)
        return all(np.allclose(a, b, atol=1e-5) for a, b in zip(generator_after, expected))

    if not moved_like(lambda logits: bce(tf.ones_like(logits), logits)):
        mistakes = [
            (lambda logits: -bce(tf.zeros_like(logits), logits),
             "the generator moved as the saturating loss log(1 - D(G(z))) would move it; use the "
             "non-saturating loss, the cross-entropy of the fake logits with label 1."),
            (lambda logits: bce(tf.zeros_like(logits), logits),
             "the generator moved to make its images look MORE fake: label 0 is the discriminator's "
             "target for fakes; the generator's loss uses label 1."),
            (lambda logits: -bce(tf.ones_like(logits), logits),
             "the generator climbed its loss instead of descending it: check the sign."),
        ]
        for loss_of_logits, message in mistakes:
            if moved_like(loss_of_logits):
                raise Incorrect(message)
        raise Incorrect(
            "the generator's weights changed, but not as one step on the non-saturating loss "
            "-log D(G(z)) would change them."
        )
    _, expected_loss = _generator_after_one_step(lambda logits: bce(tf.ones_like(logits), logits))
    if not _close(returned, expected_loss):
        raise Incorrect(f"the update is right, but the step returned {returned:.4f}; return the loss value "
                        f"({expected_loss:.4f} here).")


generator_train_step = Exercise(
    name="One generator update",
    grader=_grade_generator_train_step,
    hint_text=(
        "Inside `with tf.GradientTape() as tape:` generate images from the noise, score them with "
        "the discriminator and compute the generator's loss. Then take tape.gradient of that loss "
        "with respect to generator.trainable_variables -- and only those -- and apply them."
    ),
    solution_code="""
        cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

        def generator_train_step(generator, discriminator, optimizer, noise):
            with tf.GradientTape() as tape:
                fake_logits = discriminator(generator(noise, training=True), training=True)
                loss = cross_entropy(tf.ones_like(fake_logits), fake_logits)
            gradients = tape.gradient(loss, generator.trainable_variables)
            optimizer.apply_gradients(zip(gradients, generator.trainable_variables))
            return loss
    """,
)
