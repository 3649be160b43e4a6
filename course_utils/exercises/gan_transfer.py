"""Graded exercises of the lesson on transfer learning for GANs (lesson 8).

1. :data:`copy_pretrained` -- an independent copy of a pretrained model, weights included,
   so fine-tuning the copy leaves the source model intact.
2. :data:`freeze_lower_layers` -- freeze the first ``n`` weighted layers of a
   discriminator (the "FreezeD" recipe).
3. :data:`frechet_distance_from_statistics` -- the Frechet distance between two Gaussians
   given their means and covariances.

The graders build tiny Keras models (a few hundred weights) so they run in well under a
second each. Every grader makes its own inputs afresh (a new model per call) or hands the
learner copies of read-only module constants, computes its reference values before calling
the learner's code, and checks afterwards that the learner left the inputs unchanged. Code
of the learner's (their function, and methods of the model they return) runs through
:func:`~course_utils.exercises.call_answer` / :func:`~course_utils.exercises.run_learner_code`,
so a crash there is reported as theirs and any other as the checker's.
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import Exercise, Incorrect, call_answer, run_learner_code


def _tiny_discriminator():
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, strides=2, padding="same", name="conv_1"),
        layers.LeakyReLU(0.2, name="activation_1"),
        layers.Conv2D(8, 3, strides=2, padding="same", name="conv_2"),
        layers.LeakyReLU(0.2, name="activation_2"),
        layers.Flatten(name="flatten"),
        layers.Dense(1, name="logit"),
    ], name="tiny_discriminator")


# ------------------------------------------------------------- 1. copy a pretrained model


def _grade_copy(function):
    import keras

    source = _tiny_discriminator()
    rng = np.random.default_rng(21)
    source.set_weights([rng.normal(size=w.shape).astype("float32") for w in source.get_weights()])
    original = [w.copy() for w in source.get_weights()]
    probe = rng.normal(size=(2, 8, 8, 1)).astype("float32")
    expected_output = np.asarray(source(probe))
    copy = call_answer(function, source)
    if not isinstance(copy, keras.Model):
        raise Incorrect(f"return a keras Model (the copy), got {type(copy).__name__}")
    if copy is source:
        raise Incorrect("that is the same object, not a copy: fine-tuning it would overwrite the "
                        "pretrained source model you want to compare against")
    if not all(np.array_equal(a, b) for a, b in zip(source.get_weights(), original)):
        raise Incorrect("your function changed the weights of the model it was given; leave the "
                        "pretrained source as it was and change only the copy")
    copied = run_learner_code(copy.get_weights)
    if len(copied) != len(original) or any(a.shape != b.shape for a, b in zip(copied, original)):
        raise Incorrect("the copy does not have the same architecture (weight shapes differ)")
    if not all(np.array_equal(a, b) for a, b in zip(copied, original)):
        raise Incorrect("the copy has fresh random weights: keras.models.clone_model copies the "
                        "architecture only; copy the weights with copy.set_weights(source.get_weights())")
    output = np.asarray(run_learner_code(copy, probe))
    if output.shape != expected_output.shape or not np.allclose(output, expected_output, atol=1e-5):
        raise Incorrect("the copy has the source's weights but computes something else (different "
                        "layers or activations): clone the model itself, e.g. keras.models.clone_model")
    run_learner_code(copy.set_weights, [w + 1.0 for w in copied])
    if not all(np.array_equal(a, b) for a, b in zip(source.get_weights(), original)):
        raise Incorrect("the copy shares its weight variables with the source (changing one changes "
                        "the other); build new layers, e.g. with keras.models.clone_model")


copy_pretrained = Exercise(
    name="copy a pretrained model",
    grader=_grade_copy,
    hint_text=(
        "keras.models.clone_model(model) builds new layers with the same configuration but "
        "freshly initialised weights; then copy the values across with set_weights/get_weights."
    ),
    solution_code="""
        def copy_pretrained(model):
            copy = keras.models.clone_model(model)
            copy.set_weights(model.get_weights())
            return copy
    """,
)


# ---------------------------------------------------------- 2. freeze the lower layers


def _weighted_layers(model):
    return [layer for layer in model.layers if layer.weights]


def _grade_freeze(function):
    import keras

    model = _tiny_discriminator()
    weights = [w.copy() for w in model.get_weights()]
    result = call_answer(function, model, 1)
    if not isinstance(result, keras.Model):
        raise Incorrect(f"return the model itself after freezing, got {type(result).__name__}")
    if result is not model:
        raise Incorrect("freeze the layers of the model you were given and return that same model, not a copy")
    if not all(np.array_equal(a, b) for a, b in zip(model.get_weights(), weights)):
        raise Incorrect("your function changed the model's weights; freezing only sets "
                        "layer.trainable = False and keeps the pretrained values")
    weighted = _weighted_layers(model)
    flags = [layer.trainable for layer in weighted]
    if not model.trainable or not any(flags):
        raise Incorrect("everything is frozen: only the first n layers with weights should stop "
                        "learning; the top must stay trainable to adapt to the new domain")
    if flags == [True, True, False]:
        raise Incorrect("you froze the TOP layer; freeze the LOWER ones (closest to the input), which "
                        "detect generic strokes and edges")
    if flags != [False, True, True]:
        raise Incorrect(f"with n=1 the first weighted layer (conv_1) should be frozen and the rest "
                        f"trainable; got trainable flags {flags} for {[layer.name for layer in weighted]}")
    model = _tiny_discriminator()
    call_answer(function, model, 2)
    flags = [layer.trainable for layer in _weighted_layers(model)]
    if flags == [False, True, True]:
        raise Incorrect("with n=2 only conv_1 is frozen: you counted layers without weights "
                        "(the LeakyReLU between the convolutions); count only layers that have weights")
    if flags != [False, False, True]:
        raise Incorrect(f"with n=2, conv_1 and conv_2 should be frozen and logit trainable; got {flags}")
    trainable_count = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    if trainable_count != int(np.prod(model.get_layer("logit").kernel.shape)) + 1:
        raise Incorrect("the frozen layers still appear in model.trainable_weights")


freeze_lower_layers = Exercise(
    name="freeze the discriminator's lower layers",
    grader=_grade_freeze,
    hint_text=(
        "Walk model.layers in order, skip layers whose .weights list is empty (activations, "
        "Flatten, Dropout), and set layer.trainable = False on the first n that have weights. "
        "Compile (or re-compile the GAN) afterwards so the change takes effect in training."
    ),
    solution_code="""
        def freeze_lower_layers(model, n_frozen):
            weighted = [layer for layer in model.layers if layer.weights]
            for layer in weighted[:n_frozen]:
                layer.trainable = False
            return model
    """,
)


# ----------------------------------------------------- 3. Frechet distance of Gaussians

_FD_RNG = np.random.default_rng(23)


def _random_covariance(dimension, rng):
    factor = rng.normal(size=(dimension, dimension))
    return factor @ factor.T / dimension + 0.1 * np.eye(dimension)


def _read_only(array):
    array = np.array(array, dtype=float)
    array.setflags(write=False)  # no answer can change the grader's own inputs
    return array


_MEAN_A = _read_only(_FD_RNG.normal(size=5))
_MEAN_B = _read_only(_FD_RNG.normal(size=5))
_COV_A = _read_only(_random_covariance(5, _FD_RNG))
_COV_B = _read_only(_random_covariance(5, _FD_RNG))


def _reference_frechet(mean_a, cov_a, mean_b, cov_b):
    from scipy import linalg

    root = linalg.sqrtm(cov_a @ cov_b)
    root = np.real(root)
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2.0 * root))


def _distance_on_copies(function, *inputs):
    """The learner's distance for fresh, writable copies of ``inputs``, as one float; an
    answer that changes its inputs in place or returns no single real number is Incorrect."""
    copies = [np.array(value) for value in inputs]
    result = call_answer(function, *copies)
    if not all(np.array_equal(given, original) for given, original in zip(copies, inputs)):
        raise Incorrect("your function changed the arrays it was given (an in-place operation such as "
                        "`cov_a += ...`); compute into new arrays and leave the inputs as they were")
    try:
        array = np.asarray(result)
    except (TypeError, ValueError):
        raise Incorrect(f"return one number, got {type(result).__name__}") from None
    if np.iscomplexobj(array):
        raise Incorrect("the result is complex: scipy's sqrtm can return tiny imaginary parts; keep the real part")
    try:
        return float(np.asarray(array, dtype=float))
    except (TypeError, ValueError):
        raise Incorrect(f"return one number, got {type(result).__name__} of shape {np.shape(array)}") from None


def _grade_frechet(function):
    from scipy import linalg

    expected = _reference_frechet(_MEAN_A, _COV_A, _MEAN_B, _COV_B)  # before the learner's code runs
    mean_term = float(np.sum((_MEAN_A - _MEAN_B) ** 2))
    root = np.real(linalg.sqrtm(_COV_A @ _COV_B))
    got = _distance_on_copies(function, _MEAN_A, _COV_A, _MEAN_B, _COV_B)
    if np.isclose(got, expected, rtol=1e-5):
        same = _distance_on_copies(function, _MEAN_A, _COV_A, _MEAN_A, _COV_A)
        if abs(same) > 1e-6:
            raise Incorrect(f"the distance of a Gaussian to itself must be 0, got {same:.3g}")
        return
    if np.isclose(got, np.sqrt(expected), rtol=1e-5):
        raise Incorrect("that is the square root: the Frechet distance used for GANs (FID) is the squared distance")
    if np.isclose(got, mean_term, rtol=1e-5):
        raise Incorrect("only the means are compared: add the covariance term trace(C1 + C2 - 2 sqrtm(C1 @ C2))")
    elementwise = mean_term + np.trace(_COV_A + _COV_B - 2.0 * np.sqrt(np.abs(_COV_A * _COV_B)))
    if np.isclose(got, elementwise, rtol=1e-5):
        raise Incorrect("np.sqrt is element-wise; the formula needs the MATRIX square root, scipy.linalg.sqrtm(C1 @ C2)")
    without_two = mean_term + np.trace(_COV_A + _COV_B - root)
    if np.isclose(got, without_two, rtol=1e-5):
        raise Incorrect("the factor 2 in front of the matrix square root is missing")
    raise Incorrect(f"expected {expected:.5f} on the test Gaussians, got {got:.5f}")


frechet_distance_from_statistics = Exercise(
    name="Frechet distance",
    grader=_grade_frechet,
    hint_text=(
        "d^2 = |m1 - m2|^2 + trace(C1 + C2 - 2 (C1 C2)^(1/2)), where (C1 C2)^(1/2) is the matrix "
        "square root scipy.linalg.sqrtm(C1 @ C2); take its real part."
    ),
    solution_code="""
        from scipy import linalg

        def frechet_distance(mean_a, cov_a, mean_b, cov_b):
            root = np.real(linalg.sqrtm(cov_a @ cov_b))
            return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2.0 * root))
    """,
)
