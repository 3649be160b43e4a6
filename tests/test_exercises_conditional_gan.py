"""Tests of the lesson-6 exercises: each reference solution passes, each typical wrong
answer fails with its own message, and each template counts as "not attempted"."""

import numpy as np
import pytest
import tensorflow as tf

from course_utils.exercises import CORRECT, NOT_ATTEMPTED
from exercise_checks import assert_incorrect, raising_template, template
from course_utils.exercises import conditional_gan as ex


def solution_of(exercise, name):
    return exercise.solution_namespace(tf=tf, np=np)[name]


@pytest.mark.parametrize("exercise", [ex.one_hot_condition, ex.grid_inputs, ex.per_digit_accuracy])
def test_templates_are_not_attempted(exercise):
    assert exercise.grade(template)[0] == NOT_ATTEMPTED
    assert exercise.grade(raising_template)[0] == NOT_ATTEMPTED
    assert exercise.grade(None)[0] == NOT_ATTEMPTED


@pytest.mark.parametrize("exercise, name", [
    (ex.one_hot_condition, "one_hot_condition"), (ex.grid_inputs, "grid_inputs"),
    (ex.per_digit_accuracy, "per_digit_accuracy"),
])
def test_solutions_pass(exercise, name):
    assert exercise.grade(solution_of(exercise, name)) == (CORRECT, "Correct!")


# ---------------------------------------------------------------- one-hot condition


@pytest.mark.parametrize("answer, words", [
    (lambda n, l, k: tf.concat([n, tf.cast(l[:, None], "float32")], axis=-1), ["ONE number", "tf.one_hot"]),
    (lambda n, l, k: tf.concat([n, tf.one_hot(l, 3)], axis=0), ["LAST axis"]),
    (lambda n, l, k: tf.concat([tf.one_hot(l, k), n], axis=-1), ["comes first"]),
    (lambda n, l, k: tf.concat([n, tf.one_hot(l, k + 1)], axis=-1), ["(4, 13)"]),
    (lambda n, l, k: tf.concat([n * 2, tf.one_hot(l, k)], axis=-1), ["noise part"]),
    (lambda n, l, k: tf.concat([n, tf.one_hot(9 - l, k)], axis=-1), ["one-hot code"]),
])
def test_one_hot_condition_mistakes(answer, words):
    assert_incorrect(ex.one_hot_condition, answer, *words)


# --------------------------------------------------------------------- grid inputs


@pytest.mark.parametrize("answer, words", [
    (lambda n, k: (np.repeat(n, k, axis=0), np.tile(np.arange(k), len(n))), ["rows", "digits as columns"]),
    (lambda n, k: (np.repeat(n, k, axis=0), np.repeat(np.arange(k), len(n))), ["np.tile"]),
    (lambda n, k: (np.tile(n, (k, 1)), np.tile(np.arange(k), len(n))), ["np.repeat"]),
    (lambda n, k: (n, np.arange(k)), ["(40, 3)"]),
    (lambda n, k: (np.tile(n, (k, 1)), np.arange(k)), ["(40,)"]),
    (lambda n, k: np.tile(n, (k, 1)), ["two arrays"]),
    (lambda n, k: (np.tile(n, (k, 1)), np.repeat(np.arange(k)[::-1], len(n))), ["row d"]),
])
def test_grid_inputs_mistakes(answer, words):
    assert_incorrect(ex.grid_inputs, answer, *words)


# -------------------------------------------------------------- per-digit accuracy


@pytest.mark.parametrize("answer, words", [
    (lambda p, r: np.array([np.mean(r[p == d] == d) if np.any(p == d) else 0.0 for d in range(10)]), ["PREDICTED"]),
    (lambda p, r: np.array([np.sum((p == d) & (r == d)) / len(r) for d in range(10)]), ["all the images"]),
    (lambda p, r: np.array([np.mean(p[r == d] != d) for d in range(10)]), ["error rate"]),
    (lambda p, r: np.mean(p == r), ["shape (10,)"]),
    (lambda p, r: np.ones(10), ["expected"]),
])
def test_per_digit_accuracy_mistakes(answer, words):
    assert_incorrect(ex.per_digit_accuracy, answer, *words)
