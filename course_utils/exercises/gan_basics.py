"""Graded exercises of lesson 4 (GANs from scratch).

* :data:`optimal_discriminator` -- the best discriminator for a fixed generator,
  ``D*(x) = p_data(x) / (p_data(x) + p_g(x))``;
* :data:`jensen_shannon` -- the Jensen-Shannon divergence of two densities on a grid, the
  quantity the minimax game measures once the discriminator is optimal;
* :data:`discriminator_loss` -- binary cross-entropy from logits, real = 1 and fake = 0;
* :data:`generator_loss` -- the non-saturating generator loss ``-log D(G(z))``;
* :data:`build_discriminator` -- the seed's discriminator with its shape bug fixed;
* :data:`generator_train_step` -- one generator update that touches only the generator.

Each grader computes its reference first, hands the learner fresh copies of its inputs
(the module's own arrays are read-only), runs the learner's code, and, when the answer is
wrong, recognises the usual mistakes by name. The loss values come from the NumPy losses of
lesson 1 (``course_utils.losses``). A crash inside the learner's code is reported as the
learner's; a crash in the checker's own code is reported as the checker's (outcome
:data:`CHECKER_ERROR`), never as a mistake in the answer.
"""

from __future__ import annotations

import numpy as np

from course_utils import losses as reference_losses
from course_utils.exercises import ERROR, Exercise, Incorrect, call_answer, run_learner_code

#: The outcome of a check when the checker itself crashed (kept here for the tests).
CHECKER_ERROR = ERROR


def _array(values, dtype="float32") -> np.ndarray:
    """A fresh array from the module's constants, which are tuples that no answer can mutate."""
    return np.array(values, dtype=dtype)


# Logits the loss graders try. Real and fake batches have different sizes on purpose:
# then "average of the concatenated batch" differs from "sum of the two means".
_REAL_LOGITS = ((2.0,), (0.5,), (-1.0,), (3.0,), (0.0,), (-0.3,))
_FAKE_LOGITS = ((-2.5,), (1.0,), (0.2,), (-0.7,))
# Far-out logits: a loss written as log(sigmoid(x)) overflows to inf here.
_EXTREME_REAL = ((-120.0,), (90.0,))
_EXTREME_FAKE = ((150.0,), (-130.0,), (0.0,))


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
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} must be one number, got {type(value).__name__}: {value!r:.80}.") from None
    if array.size != 1:
        raise Incorrect(f"{what} must be one number (the mean over the batch), got an array of shape {array.shape}.")
    return float(array.reshape(()))


def _as_array(value, what: str, shape) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} must be an array of numbers, got {type(value).__name__}.") from None
    if array.shape != tuple(shape):
        raise Incorrect(f"{what} must have one value per point, shape {tuple(shape)}; got shape {array.shape}.")
    return array


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-4 * max(1.0, abs(b))


def _to_tensor(array):
    import tensorflow as tf

    return tf.constant(_array(array))  # a fresh copy for each call


# --------------------------------------------------------------- optimal discriminator

# Densities at a few points: p_data > p_g, p_data < p_g, equal, and each one zero in turn.
_REAL_DENSITY = (0.30, 0.05, 0.20, 0.00, 0.40, 0.12, 0.9)
_GENERATED_DENSITY = (0.10, 0.40, 0.20, 0.25, 0.00, 0.36, 0.3)


def _grade_optimal_discriminator(function):
    real, generated = _array(_REAL_DENSITY, "float64"), _array(_GENERATED_DENSITY, "float64")
    expected = real / (real + generated)
    given_real, given_generated = real.copy(), generated.copy()
    got = _as_array(call_answer(function, given_real, given_generated), "D*(x)", real.shape)
    if not (np.array_equal(given_real, real) and np.array_equal(given_generated, generated)):
        raise Incorrect(
            "your function changed the density arrays it was given (an in-place operation such as "
            "`/=`); return a new array and leave p_data and p_g as they were: the caller still needs them."
        )
    if np.allclose(got, expected, atol=1e-6):
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        mistakes = [
            (generated / (real + generated),
             "that is p_g / (p_data + p_g), the probability that x is GENERATED; D(x) is the "
             "probability that x is real."),
            (real / generated, "a ratio of densities is not a probability: normalise by p_data + p_g."),
            (np.full_like(real, 0.5),
             "D* = 1/2 only where the two densities are equal; here they differ from point to point."),
            ((real > generated).astype(float),
             "that is a hard decision (1 where p_data > p_g); the best discriminator outputs a "
             "probability between 0 and 1."),
            (real - generated, "a difference of densities is not a probability: use p_data / (p_data + p_g)."),
            (reference_losses.sigmoid(real - generated),
             "a sigmoid of the difference is not the optimum; maximise a log D + b log(1 - D) in D."),
            (real / (real + generated + 1.0), "divide by p_data + p_g, nothing more."),
        ]
    for value, message in mistakes:
        if np.allclose(got, value, atol=1e-6, equal_nan=True):
            raise Incorrect(message)
    if not np.all(np.isfinite(got)):
        where = int(np.flatnonzero(~np.isfinite(got))[0])
        raise Incorrect(
            f"D*(x) is {got[where]} where p_data = {real[where]} and p_g = {generated[where]}; "
            "a density can be 0 at a point, and D* is still defined there."
        )
    where = int(np.argmax(np.abs(got - expected)))
    raise Incorrect(
        f"where p_data = {real[where]} and p_g = {generated[where]} your D*(x) is {got[where]:.4f}; "
        "maximise p_data log D + p_g log(1 - D) over D: set its derivative to zero."
    )


optimal_discriminator = Exercise(
    name="The best discriminator",
    grader=_grade_optimal_discriminator,
    hint_text=(
        "At one point x, write a = p_data(x) and b = p_g(x). The discriminator's value there is "
        "a log D + b log(1 - D). Set its derivative a / D - b / (1 - D) to zero and solve for D; "
        "NumPy's arithmetic works on whole arrays at once."
    ),
    solution_code="""
        def optimal_discriminator(real_density, generated_density):
            return real_density / (real_density + generated_density)
    """,
)


# ----------------------------------------------------------------------- Jensen-Shannon

_GRID = (-6.0, 6.0, 1201)  # np.linspace arguments
_GRID_STEP = 12.0 / 1200


def _gaussian(x, mean, std):
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def _js_cases():
    """Fresh pairs of densities on the grid: two bumps against one wide bump, a density that
    is exactly 0 on the left half (an answer must treat 0 * log 0 as 0), and a pair of equals."""
    x = np.linspace(*_GRID)

    def normalised(density):  # sum(density) * dx == 1 exactly on this grid
        return density / (density.sum() * _GRID_STEP)

    two_bumps = normalised(0.5 * _gaussian(x, -2.0, 0.5) + 0.5 * _gaussian(x, 2.0, 0.5))
    wide = normalised(_gaussian(x, 0.0, 1.5))
    right_half = normalised(np.where(x > 0, _gaussian(x, 0.0, 1.0), 0.0))
    return [(two_bumps, wide), (two_bumps, right_half), (wide, wide.copy())]


def _kl(p, q, step):
    """KL(p || q) in nats on a grid, with 0 * log(0 / q) = 0."""
    inside = p > 0
    return float(np.sum(p[inside] * np.log(p[inside] / q[inside])) * step)


def _js(p, q, step):
    middle = (p + q) / 2
    return 0.5 * _kl(p, middle, step) + 0.5 * _kl(q, middle, step)


def _grade_jensen_shannon(function):
    for p, q in _js_cases():
        expected, kl = _js(p, q, _GRID_STEP), _kl(p, q, _GRID_STEP) if np.all(q > 0) else None
        given_p, given_q = p.copy(), q.copy()
        got = _as_scalar(call_answer(function, given_p, given_q, _GRID_STEP), "Your Jensen-Shannon divergence")
        if not (np.array_equal(given_p, p) and np.array_equal(given_q, q)):
            raise Incorrect("your function changed the density arrays it was given; compute with new arrays.")
        if _close(got, expected):
            continue
        if not np.isfinite(got):
            raise Incorrect(
                f"you returned {got} for two densities of which one is 0 on half the grid: where a "
                "density is 0, its term p log(p / m) counts as 0 (the limit of p log p is 0); skip those points."
            )
        mistakes = [
            (2 * expected, "you added KL(p || m) + KL(q || m) without halving: JSD is their average."),
            (expected / np.log(2), "that is the divergence in bits (log base 2); the course uses nats (np.log)."),
            (np.sqrt(expected), "that is the Jensen-Shannon DISTANCE, the square root of the divergence "
                                "(scipy's jensenshannon returns it); return the divergence itself."),
            (expected / _GRID_STEP, "you summed the terms without multiplying by dx: an integral on a grid "
                                    "is sum(values) * dx."),
        ]
        if kl is not None:
            mistakes.append((kl, "that is KL(p || q); the Jensen-Shannon divergence compares p and q each "
                                 "with their average m = (p + q) / 2."))
            mistakes.append((0.5 * kl + 0.5 * _kl(q, p, _GRID_STEP),
                             "that is the symmetrised KL, (KL(p||q) + KL(q||p)) / 2; JSD compares each "
                             "density with the average m = (p + q) / 2 instead."))
        for value, message in mistakes:
            if _close(got, value):
                raise Incorrect(message)
        raise Incorrect(
            f"for one pair of test densities your divergence is {got:.4f}, but "
            f"1/2 KL(p || m) + 1/2 KL(q || m) with m = (p + q) / 2 is {expected:.4f}."
        )


jensen_shannon = Exercise(
    name="The Jensen-Shannon divergence",
    grader=_grade_jensen_shannon,
    hint_text=(
        "Build the average density m = (p + q) / 2. KL(p || m) on a grid is "
        "sum(p * log(p / m)) * dx, taken only where p > 0 (0 log 0 counts as 0). The divergence "
        "is the mean of KL(p || m) and KL(q || m), in nats."
    ),
    solution_code="""
        def jensen_shannon(p, q, dx):
            m = (p + q) / 2

            def kl_to_m(density):
                inside = density > 0
                return np.sum(density[inside] * np.log(density[inside] / m[inside])) * dx

            return 0.5 * kl_to_m(p) + 0.5 * kl_to_m(q)
    """,
)


# ------------------------------------------------------------------ discriminator loss


def _grade_discriminator_loss(function):
    # Read the constants once and work out every reference before the learner's code runs.
    real, fake = _array(_REAL_LOGITS), _array(_FAKE_LOGITS)
    extreme_real, extreme_fake = _array(_EXTREME_REAL), _array(_EXTREME_FAKE)
    real_term, fake_term = _bce(1.0, real), _bce(0.0, fake)
    expected = real_term + fake_term
    expected_extreme = _bce(1.0, extreme_real) + _bce(0.0, extreme_fake)
    labels = np.concatenate([np.ones_like(real), np.zeros_like(fake)])
    mistakes = [
        (_bce(0.0, real) + _bce(1.0, fake),
         "the labels are swapped: real images must get label 1 and generated ones label 0."),
        (-expected,
         "wrong sign: the discriminator minimises the cross-entropy; you returned its negative "
         "(the value function V, which the discriminator maximises)."),
        (0.5 * expected,
         "you averaged the two terms; this exercise asks for their sum, "
         "BCE(1, real logits) + BCE(0, fake logits)."),
        (reference_losses.binary_cross_entropy_from_logits(labels, np.concatenate([real, fake])),
         "you took one mean over the concatenated batch; return the sum of the two means "
         "instead, so real and fake count equally whatever the batch sizes."),
        (_bce_of_raw_numbers(1.0, real) + _bce_of_raw_numbers(0.0, fake),
         "you treated the logits as probabilities: use from_logits=True (the discriminator "
         "has no sigmoid at its output)."),
        (real_term, "only the real term is there: add the cross-entropy of the fakes with label 0."),
        (fake_term, "only the fake term is there: add the cross-entropy of the real images with label 1."),
        (float(np.mean(real) - np.mean(fake)),
         "that is the seed's mean(D(real)) - mean(D(fake)), not a cross-entropy."),
        (float(np.mean(reference_losses.sigmoid(real)) - np.mean(reference_losses.sigmoid(fake))),
         "that is the seed's mean(D(real)) - mean(D(fake)), not a cross-entropy."),
    ]
    got = _as_scalar(call_answer(function, _to_tensor(real), _to_tensor(fake)), "Your discriminator loss")
    if not np.isfinite(got):
        raise Incorrect(f"the loss is {got} on ordinary logits; compute it from the logits with a stable formula.")
    if not _close(got, expected):
        for value, message in mistakes:
            if _close(got, value):
                raise Incorrect(message)
        raise Incorrect(f"on test logits your loss is {got:.4f}, but BCE(1, real) + BCE(0, fake) is {expected:.4f}.")
    extreme = _as_scalar(call_answer(function, _to_tensor(extreme_real), _to_tensor(extreme_fake)),
                         "Your discriminator loss")
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
    fake, extreme_fake = _array(_FAKE_LOGITS), _array(_EXTREME_FAKE)
    expected, expected_extreme = _bce(1.0, fake), _bce(1.0, extreme_fake)
    mistakes = [
        (-_bce(0.0, fake),
         "that is the saturating loss log(1 - D(G(z))) from the minimax game: its gradient "
         "vanishes when the discriminator confidently rejects the fakes. Minimise -log D(G(z)) instead."),
        (_bce(0.0, fake),
         "label 0 for the fakes is the discriminator's target; the generator wants the "
         "discriminator to say 'real', so use label 1."),
        (-expected, "wrong sign: return the cross-entropy with label 1 itself, which the generator minimises."),
        (_bce_of_raw_numbers(1.0, fake), "you treated the logits as probabilities: use from_logits=True."),
        (float(-np.mean(fake)), "that is -mean(D(G(z))) on raw scores, not a cross-entropy."),
    ]
    got = _as_scalar(call_answer(function, _to_tensor(fake)), "Your generator loss")
    if not np.isfinite(got):
        raise Incorrect(f"the loss is {got} on ordinary logits; compute it from the logits with a stable formula.")
    if not _close(got, expected):
        for value, message in mistakes:
            if _close(got, value):
                raise Incorrect(message)
        raise Incorrect(f"on test logits your loss is {got:.4f}, but -mean(log D(G(z))) is {expected:.4f}.")
    extreme = _as_scalar(call_answer(function, _to_tensor(extreme_fake)), "Your generator loss")
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

#: Images are multiplied by these factors to see whether the outputs can leave [0, 1]:
#: a logit grows with its input, a probability (or a tanh) stays bounded.
_INPUT_SCALES = (1.0, 10.0, 100.0, 1000.0)


def _grade_build_discriminator(function):
    import keras

    rng = np.random.default_rng(0)
    images = rng.uniform(size=(5, 28, 28, 1)).astype("float32")
    probes = rng.uniform(-1.0, 1.0, size=(64, 28, 28, 1)).astype("float32")
    model = call_answer(function)
    if not isinstance(model, keras.Model):
        raise Incorrect(f"return a keras.Model, got {type(model).__name__}.")
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
    last = model.layers[-1] if model.layers else None
    activation = getattr(getattr(last, "activation", None), "__name__", "linear")
    if activation != "linear":
        raise Incorrect(
            f"the last layer applies '{activation}'; return raw logits (no activation), because the "
            "losses use from_logits=True."
        )
    kernels = [variable for variable in model.trainable_variables if len(variable.shape) >= 2]
    if len(kernels) < 2:
        raise Incorrect("use at least one hidden layer (a Dense layer, say) between Flatten() and the output Dense(1).")
    # The whole model, not only its last layer: whatever comes after the last Dense (a Lambda,
    # a custom layer), the output must behave like a logit.
    outputs = np.concatenate([np.asarray(run_learner_code(model, probes * scale)).reshape(-1) for scale in _INPUT_SCALES])
    if not np.all(np.isfinite(outputs)):
        raise Incorrect("your discriminator returns inf or NaN for some images; check the layers after the last Dense.")
    if np.ptp(outputs) < 1e-6:
        raise Incorrect("your discriminator gives every image the same output: it ignores its input.")
    if outputs.min() >= 0.0 and outputs.max() <= 1.0:
        raise Incorrect(
            "its outputs never leave [0, 1], even for images scaled up 1000 times: the model ends in a "
            "probability (a sigmoid, perhaps inside a Lambda or Activation layer). Return the logit: "
            "end with Dense(1) and nothing after it, because the losses use from_logits=True."
        )
    if outputs.min() >= -1.0 and outputs.max() <= 1.0:
        raise Incorrect(
            "its outputs never leave [-1, 1], even for images scaled up 1000 times: the model ends in a "
            "squashing function such as tanh. A logit can take any value: end with Dense(1) and nothing after it."
        )
    alone = np.asarray(run_learner_code(model, images[:1])).reshape(-1)
    if not np.allclose(alone, output[:1].reshape(-1), atol=1e-4):
        raise Incorrect("an image's logit changes with the other images in its batch; judge each image on its own.")


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


def _generator_after_one_step(loss_of_logits, noise):
    """The generator's weights after one SGD step on ``loss_of_logits(D(G(z)))``."""
    import keras
    import tensorflow as tf

    generator, discriminator = _tiny_pair()
    noise = _to_tensor(noise)
    optimizer = keras.optimizers.SGD(learning_rate=_LEARNING_RATE)
    with tf.GradientTape() as tape:
        loss = loss_of_logits(discriminator(generator(noise)))
    gradients = tape.gradient(loss, generator.trainable_variables)
    optimizer.apply_gradients(zip(gradients, generator.trainable_variables))
    return _weights(generator), float(loss)


_NOISE = tuple(map(tuple, np.random.default_rng(7).normal(size=(_BATCH, _LATENT)).tolist()))


def _grade_generator_train_step(function):
    import keras
    import tensorflow as tf

    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    candidates = {
        "right": lambda logits: bce(tf.ones_like(logits), logits),
        "saturating": lambda logits: -bce(tf.zeros_like(logits), logits),
        "label 0": lambda logits: bce(tf.zeros_like(logits), logits),
        "ascent": lambda logits: -bce(tf.ones_like(logits), logits),
    }
    # Every reference is computed before the learner's code runs.
    noise = _array(_NOISE)
    references = {name: _generator_after_one_step(loss, noise) for name, loss in candidates.items()}
    generator, discriminator = _tiny_pair()
    generator_before, discriminator_before = _weights(generator), _weights(discriminator)
    optimizer = keras.optimizers.SGD(learning_rate=_LEARNING_RATE)
    returned = call_answer(function, generator, discriminator, optimizer, _to_tensor(noise))
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

    def moved_like(name):
        expected, _ = references[name]
        return all(np.allclose(a, b, atol=1e-5) for a, b in zip(generator_after, expected))

    if not moved_like("right"):
        messages = {
            "saturating": "the generator moved as the saturating loss log(1 - D(G(z))) would move it; use the "
                          "non-saturating loss, the cross-entropy of the fake logits with label 1.",
            "label 0": "the generator moved to make its images look MORE fake: label 0 is the discriminator's "
                       "target for fakes; the generator's loss uses label 1.",
            "ascent": "the generator climbed its loss instead of descending it: check the sign.",
        }
        for name, message in messages.items():
            if moved_like(name):
                raise Incorrect(message)
        raise Incorrect(
            "the generator's weights changed, but not as one step on the non-saturating loss "
            "-log D(G(z)) would change them."
        )
    expected_loss = references["right"][1]
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
