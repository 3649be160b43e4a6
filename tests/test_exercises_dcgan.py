"""Tests of the lesson-5 exercises: each reference solution passes, each typical wrong
answer fails with its own message, and each template counts as "not attempted"."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import linalg

from course_utils.exercises import CORRECT, NOT_ATTEMPTED
from exercise_checks import assert_incorrect, raising_template, template
from course_utils.exercises import dcgan as ex


def solution_of(exercise, name):
    return exercise.solution_namespace(tf=tf, np=np)[name]


@pytest.mark.parametrize("exercise", [ex.discriminator_accuracies, ex.global_batch_loss, ex.frechet_distance])
def test_templates_are_not_attempted(exercise):
    assert exercise.grade(template)[0] == NOT_ATTEMPTED
    assert exercise.grade(raising_template)[0] == NOT_ATTEMPTED
    assert exercise.grade()[0] == NOT_ATTEMPTED


# --------------------------------------------------------- discriminator accuracies


def test_discriminator_accuracies_solution_passes():
    solution = solution_of(ex.discriminator_accuracies, "discriminator_accuracies")
    assert ex.discriminator_accuracies.grade(solution) == (CORRECT, "Correct!")


def test_discriminator_accuracies_in_numpy_also_passes():
    assert ex.discriminator_accuracies.grade(
        lambda r, f: (np.mean(np.asarray(r) > 0), np.mean(np.asarray(f) < 0)))[0] == CORRECT


def mean_above(values, threshold):
    return tf.reduce_mean(tf.cast(values > threshold, "float32"))


@pytest.mark.parametrize("answer, words", [
    (lambda r, f: (mean_above(-f, 0), mean_above(r, 0)), ["swapped"]),
    (lambda r, f: (mean_above(r, 0.5), mean_above(-f, -0.5)), ["0.5", "logit of 0"]),
    (lambda r, f: (mean_above(r, 0), mean_above(f, 0)), ["FAKE"]),
    (lambda r, f: (tf.reduce_mean(tf.sigmoid(r)), tf.reduce_mean(1 - tf.sigmoid(f))), ["probabilities"]),
    (lambda r, f: mean_above(r, 0), ["two numbers"]),
    (lambda r, f: (r > 0, f < 0), ["one number"]),
    (lambda r, f: (mean_above(r, 1), mean_above(-f, 1)), ["on test logits"]),
])
def test_discriminator_accuracies_mistakes(answer, words):
    assert_incorrect(ex.discriminator_accuracies, answer, *words)


# ---------------------------------------------------------------- global batch loss


def test_global_batch_loss_solution_passes():
    solution = solution_of(ex.global_batch_loss, "global_batch_loss")
    assert ex.global_batch_loss.grade(solution) == (CORRECT, "Correct!")
    assert ex.global_batch_loss.grade(
        lambda losses, size: tf.nn.compute_average_loss(losses, global_batch_size=size))[0] == CORRECT


@pytest.mark.parametrize("answer, words", [
    (lambda losses, size: tf.reduce_mean(losses), ["this replica", "GLOBAL"]),
    (lambda losses, size: tf.reduce_sum(losses), ["plain sum"]),
    (lambda losses, size: tf.reduce_mean(losses) / size, ["MEAN"]),
    (lambda losses, size: tf.reduce_sum(losses) * size, ["Divide"]),
    (lambda losses, size: tf.reduce_sum(losses) / 20, ["global_batch_size argument"]),
    (lambda losses, size: losses / size, ["one number"]),
    (lambda losses, size: tf.reduce_max(losses), ["the answer is"]),
])
def test_global_batch_loss_mistakes(answer, words):
    assert_incorrect(ex.global_batch_loss, answer, *words)


# ----------------------------------------------------------------- Frechet distance


def test_frechet_distance_solution_passes():
    solution = solution_of(ex.frechet_distance, "frechet_distance")
    assert ex.frechet_distance.grade(solution) == (CORRECT, "Correct!")


def mean_term(a, b):
    return np.sum((a - b) ** 2)


@pytest.mark.parametrize("answer, words", [
    (lambda ma, ca, mb, cb: np.sqrt(mean_term(ma, mb)) + np.trace(ca + cb - 2 * linalg.sqrtm(ca @ cb).real), ["SQUARED"]),
    (lambda ma, ca, mb, cb: mean_term(ma, mb), ["only the means"]),
    (lambda ma, ca, mb, cb: mean_term(ma, mb) + np.trace(ca + cb - 2 * np.sqrt(np.abs(ca @ cb))), ["ENTRY", "sqrtm"]),
    (lambda ma, ca, mb, cb: mean_term(ma, mb) + np.trace(ca + cb - linalg.sqrtm(ca @ cb).real), ["twice"]),
    (lambda ma, ca, mb, cb: mean_term(ma, mb) + np.trace(ca + cb + 2 * linalg.sqrtm(ca @ cb).real), ["sign"]),
    (lambda ma, ca, mb, cb: mean_term(ma, mb) + np.trace(ca + cb - 2 * linalg.sqrtm(ca @ cb).real) + 0j, ["complex"]),
    (lambda ma, ca, mb, cb: mean_term(ma, mb) + np.trace(ca - cb), ["the distance is"]),
])
def test_frechet_distance_mistakes(answer, words):
    assert_incorrect(ex.frechet_distance, answer, *words)


def test_hint_and_solution_print(capsys):
    for exercise in (ex.discriminator_accuracies, ex.global_batch_loss, ex.frechet_distance):
        exercise.hint()
        exercise.solution()
    printed = capsys.readouterr().out
    assert printed.count("Hint:") == 3 and printed.count("Solution:") == 3
