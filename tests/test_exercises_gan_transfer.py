"""The lesson-8 exercises: reference passes, each typical mistake gets its own message,
the template is "not attempted"."""

import textwrap

import keras
import numpy as np
import pytest

from course_utils.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from course_utils.exercises import gan_transfer as ex


def _solution(exercise, name):
    namespace = {"np": np, "keras": keras}
    exec(textwrap.dedent(exercise.solution_code), namespace)
    return namespace[name]


def _template(*args):
    ...


def _raises_template(*args):
    raise NotImplementedError


@pytest.mark.parametrize("exercise", [ex.copy_pretrained, ex.freeze_lower_layers, ex.frechet_distance_from_statistics])
def test_templates_are_not_attempted(exercise):
    assert exercise.grade(_template)[0] == NOT_ATTEMPTED
    assert exercise.grade(_raises_template)[0] == NOT_ATTEMPTED


# ------------------------------------------------------------------------ copy


def test_copy_reference_passes():
    assert ex.copy_pretrained.grade(_solution(ex.copy_pretrained, "copy_pretrained"))[0] == CORRECT


@pytest.mark.parametrize("answer, message", [
    (lambda model: model, "same object"),
    (lambda model: keras.models.clone_model(model), "fresh random weights"),
    (lambda model: model.get_weights(), "return a keras Model"),
    (lambda model: keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]),
     "same architecture"),
    (lambda model: keras.Model(model.inputs, model.outputs), "shares its weight variables"),
])
def test_copy_mistakes_are_named(answer, message):
    outcome, text = ex.copy_pretrained.grade(answer)
    assert outcome == INCORRECT
    assert message in text


def _copy_after_zeroing_the_source(model):
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def _copy_with_other_activations(model):
    layers = keras.layers
    copy = keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, strides=2, padding="same"), layers.ReLU(),
        layers.Conv2D(8, 3, strides=2, padding="same"), layers.ReLU(),
        layers.Flatten(), layers.Dense(1),
    ])
    copy.set_weights(model.get_weights())
    return copy


def _copy_that_crashes(model):
    return model.layers[99]


@pytest.mark.parametrize("answer, message", [
    (_copy_after_zeroing_the_source, "changed the weights of the model it was given"),
    (_copy_with_other_activations, "computes something else"),
    (_copy_that_crashes, "your code raised IndexError"),
])
def test_copy_checks_the_source_the_computation_and_blames_the_learner_crash(answer, message):
    outcome, text = ex.copy_pretrained.grade(answer)
    assert outcome == INCORRECT, text
    assert message in text


# ----------------------------------------------------------------------- freeze


def test_freeze_reference_passes():
    assert ex.freeze_lower_layers.grade(_solution(ex.freeze_lower_layers, "freeze_lower_layers"))[0] == CORRECT


def _freeze_everything(model, n):
    model.trainable = False
    return model


def _freeze_top(model, n):
    weighted = [layer for layer in model.layers if layer.weights]
    for layer in weighted[-n:]:
        layer.trainable = False
    return model


def _freeze_counting_all_layers(model, n):
    for layer in model.layers[:n]:
        layer.trainable = False
    return model


def _freeze_copy(model, n):
    copy = keras.models.clone_model(model)
    for layer in [layer for layer in copy.layers if layer.weights][:n]:
        layer.trainable = False
    return copy


def _freeze_one_too_many(model, n):
    for layer in [layer for layer in model.layers if layer.weights][:n + 1]:
        layer.trainable = False
    return model


@pytest.mark.parametrize("answer, message", [
    (_freeze_everything, "everything is frozen"),
    (_freeze_top, "TOP layer"),
    (_freeze_counting_all_layers, "count only layers that have weights"),
    (_freeze_copy, "not a copy"),
    (_freeze_one_too_many, "with n=1 the first weighted layer"),
    (lambda model, n: None, "Not attempted"),
    (lambda model, n: [model], "return the model itself"),
])
def test_freeze_mistakes_are_named(answer, message):
    outcome, text = ex.freeze_lower_layers.grade(answer)
    assert message in text
    assert outcome == (NOT_ATTEMPTED if message == "Not attempted" else INCORRECT)


def _freeze_and_reset(model, n):
    for layer in [layer for layer in model.layers if layer.weights][:n]:
        layer.trainable = False
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    return model


def test_freeze_must_keep_the_weights():
    outcome, text = ex.freeze_lower_layers.grade(_freeze_and_reset)
    assert outcome == INCORRECT
    assert "changed the model's weights" in text


# ------------------------------------------------------------- Frechet distance


def test_frechet_reference_passes():
    function = _solution(ex.frechet_distance_from_statistics, "frechet_distance")
    assert ex.frechet_distance_from_statistics.grade(function)[0] == CORRECT


def test_frechet_reference_matches_a_closed_form():
    function = _solution(ex.frechet_distance_from_statistics, "frechet_distance")
    # diagonal covariances: trace term is sum((sqrt(a) - sqrt(b))^2)
    a, b = np.array([1.0, 4.0]), np.array([9.0, 1.0])
    got = function(np.zeros(2), np.diag(a), np.ones(2), np.diag(b))
    assert got == pytest.approx(2.0 + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2))


def _frechet_parts(mean_a, cov_a, mean_b, cov_b):
    from scipy import linalg

    return np.sum((mean_a - mean_b) ** 2), np.real(linalg.sqrtm(cov_a @ cov_b))


@pytest.mark.parametrize("answer, message", [
    (lambda ma, ca, mb, cb: np.sqrt(_frechet_parts(ma, ca, mb, cb)[0]
                                    + np.trace(ca + cb - 2 * _frechet_parts(ma, ca, mb, cb)[1])), "square root"),
    (lambda ma, ca, mb, cb: _frechet_parts(ma, ca, mb, cb)[0], "only the means"),
    (lambda ma, ca, mb, cb: _frechet_parts(ma, ca, mb, cb)[0] + np.trace(ca + cb - 2 * np.sqrt(np.abs(ca * cb))),
     "MATRIX square root"),
    (lambda ma, ca, mb, cb: _frechet_parts(ma, ca, mb, cb)[0] + np.trace(ca + cb - _frechet_parts(ma, ca, mb, cb)[1]),
     "factor 2"),
    (lambda ma, ca, mb, cb: np.complex128(1 + 1e-9j), "complex"),
    (lambda ma, ca, mb, cb: np.ones(3), "return one number"),
    (lambda ma, ca, mb, cb: 1.0, "expected"),
])
def test_frechet_mistakes_are_named(answer, message):
    outcome, text = ex.frechet_distance_from_statistics.grade(answer)
    assert outcome == INCORRECT
    assert message in text


def _frechet_that_equalises_its_inputs(mean_a, cov_a, mean_b, cov_b):
    cov_a[:] = cov_b  # makes the two Gaussians equal, so a reference computed afterwards is 0
    mean_a[:] = mean_b
    return 0.0


def _frechet_that_scales_after(mean_a, cov_a, mean_b, cov_b):
    distance = _solution(ex.frechet_distance_from_statistics, "frechet_distance")(mean_a, cov_a, mean_b, cov_b)
    cov_a *= 2.0
    return distance


def _frechet_right_then_text(mean_a, cov_a, mean_b, cov_b):
    if np.array_equal(mean_a, mean_b):
        return "zero"  # the grader's second call (a Gaussian against itself)
    return _solution(ex.frechet_distance_from_statistics, "frechet_distance")(mean_a, cov_a, mean_b, cov_b)


@pytest.mark.parametrize("answer, message", [
    (_frechet_that_equalises_its_inputs, "changed the arrays it was given"),
    (_frechet_that_scales_after, "changed the arrays it was given"),
    (_frechet_right_then_text, "return one number"),
    (lambda ma, ca, mb, cb: 1 / 0, "your code raised ZeroDivisionError"),
])
def test_frechet_inputs_are_copies_and_answers_are_numbers(answer, message):
    outcome, text = ex.frechet_distance_from_statistics.grade(answer)
    assert outcome == INCORRECT, text
    assert message in text


def test_frechet_constants_are_read_only():
    with pytest.raises(ValueError):
        ex._COV_A[0, 0] = 0.0
