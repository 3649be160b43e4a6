"""The lesson-7 exercises: reference passes, each typical mistake gets its own message,
the template is "not attempted"."""

import textwrap

import numpy as np
import pytest

from course_utils.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from course_utils.exercises import image_editing as ex


def _solution(exercise, name):
    namespace = {"np": np}
    exec(textwrap.dedent(exercise.solution_code), namespace)
    return namespace[name]


def _template(*args):
    ...


def test_templates_are_not_attempted():
    for exercise in (ex.spherical_interpolation, ex.masked_reconstruction_loss, ex.attribute_direction):
        assert exercise.grade(_template)[0] == NOT_ATTEMPTED
        assert exercise.grade(...)[0] == NOT_ATTEMPTED


# -------------------------------------------------------------------------- slerp


def test_slerp_reference_passes():
    slerp = _solution(ex.spherical_interpolation, "slerp")
    assert ex.spherical_interpolation.grade(slerp) == (CORRECT, "Correct!")


def _slerp_without_guard(z0, z1, t):
    omega = np.arccos(np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1)))
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def _slerp_zero_angle_nan(z0, z1, t):
    cosine = np.clip(np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1, 1)
    omega = np.arccos(cosine)
    if cosine > 0.999999:
        return np.full_like(z0, np.nan)
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def _slerp_unnormalised_angle(z0, z1, t):
    omega = np.arccos(np.clip(np.dot(z0, z1) / 64.0, -1, 1))
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


@pytest.mark.parametrize("answer, message", [
    (lambda z0, z1, t: (1 - t) * z0 + t * z1, "linear interpolation"),
    (lambda z0, z1, t: t * z0 + (1 - t) * z1, "other end point"),
    (lambda z0, z1, t: z0[:3], "wrong shape"),
    (_slerp_zero_angle_nan, "NaN when z0 and z1 point the same way"),
    (_slerp_unnormalised_angle, "divide by the norms"),
    (lambda z0, z1, t: "vector", "should be numbers"),
])
def test_slerp_mistakes_are_named(answer, message):
    outcome, text = ex.spherical_interpolation.grade(answer)
    assert outcome == INCORRECT
    assert message in text


def test_slerp_without_a_guard_for_parallel_codes_is_named():
    # The grader's parallel pair gives omega = 0 (or arccos(1 + eps) = NaN): 0 / 0 either way.
    outcome, text = ex.spherical_interpolation.grade(_slerp_without_guard)
    assert outcome == INCORRECT
    assert "NaN when z0 and z1 point the same way" in text


# --------------------------------------------------------------------- masked loss


def test_masked_loss_reference_passes():
    masked_mse = _solution(ex.masked_reconstruction_loss, "masked_mse")
    assert ex.masked_reconstruction_loss.grade(masked_mse)[0] == CORRECT


def test_masked_loss_in_tensorflow_passes():
    import tensorflow as tf

    def masked_mse(generated, target, hidden_mask):
        known = 1.0 - tf.constant(hidden_mask, tf.float64)
        squared = tf.square(tf.constant(generated) - tf.constant(target)) * known
        n_known = tf.reduce_sum(known * tf.ones_like(target), axis=(1, 2, 3))
        return tf.reduce_sum(squared, axis=(1, 2, 3)) / n_known

    assert ex.masked_reconstruction_loss.grade(masked_mse)[0] == CORRECT


@pytest.mark.parametrize("answer, message", [
    (lambda g, t, m: (((g - t) ** 2) * m).sum(axis=(1, 2, 3)) / (m * np.ones_like(t)).sum(axis=(1, 2, 3)),
     "HIDDEN pixels"),
    (lambda g, t, m: (((g - t) ** 2) * (1 - m)).mean(axis=(1, 2, 3)), "divided by all the pixels"),
    (lambda g, t, m: ((g - t) ** 2).mean(axis=(1, 2, 3)), "mask is ignored"),
    (lambda g, t, m: (np.abs(g - t) * (1 - m)).sum(axis=(1, 2, 3)) / (36 - 12), "ABSOLUTE"),
    (lambda g, t, m: float((((g - t) ** 2) * (1 - m)).sum() / (4 * 24)), "one loss per image"),
    (lambda g, t, m: ((g - t) ** 2 * (1 - m)).sum(axis=(1, 2)), "expected one loss per image"),
    (lambda g, t, m: np.zeros(4), "expected losses"),
])
def test_masked_loss_mistakes_are_named(answer, message):
    outcome, text = ex.masked_reconstruction_loss.grade(answer)
    assert outcome == INCORRECT
    assert message in text


# ---------------------------------------------------------------- attribute direction


def test_direction_reference_passes():
    attribute_direction = _solution(ex.attribute_direction, "attribute_direction")
    assert ex.attribute_direction.grade(attribute_direction)[0] == CORRECT


def test_direction_difference_of_means_also_passes():
    def attribute_direction(latents, scores):
        high = latents[scores > np.median(scores)].mean(axis=0)
        low = latents[scores <= np.median(scores)].mean(axis=0)
        return (high - low) / np.linalg.norm(high - low)

    assert ex.attribute_direction.grade(attribute_direction)[0] == CORRECT


def _reference_weights(latents, scores):
    centred = latents - latents.mean(axis=0)
    return np.linalg.lstsq(centred, scores - scores.mean(), rcond=None)[0]


@pytest.mark.parametrize("answer, message", [
    (lambda z, s: -_reference_weights(z, s) / np.linalg.norm(_reference_weights(z, s)), "wrong way"),
    (lambda z, s: _reference_weights(z, s), "its length is"),
    (lambda z, s: np.append(_reference_weights(z, s), 1.0), "drop the intercept"),
    (lambda z, s: np.ones(3), "expected a vector of shape (16,)"),
    (lambda z, s: np.eye(16)[0], "the direction is off"),
    (lambda z, s: np.zeros(16), "zero or not finite"),
])
def test_direction_mistakes_are_named(answer, message):
    outcome, text = ex.attribute_direction.grade(answer)
    assert outcome == INCORRECT
    assert message in text


def test_hints_and_solutions_print(capsys):
    for exercise in (ex.spherical_interpolation, ex.masked_reconstruction_loss, ex.attribute_direction):
        exercise.hint()
        exercise.solution()
    printed = capsys.readouterr().out
    assert "Hint" in printed and "Solution" in printed and "def slerp" in printed
