"""Graded exercises of lesson 6 (conditional GAN).

* :data:`one_hot_condition` -- label conditioning by hand: concatenate the noise with the
  one-hot label, ``(N, latent_dim) + (N,) -> (N, latent_dim + num_classes)``;
* :data:`grid_inputs` -- the inputs of the "digits (rows) by noise vectors (columns)" grid
  that shows style held while the class changes;
* :data:`per_digit_accuracy` -- the class accuracy of a conditional generator, digit by
  digit (which digits does it draw badly?).
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import Exercise, Incorrect, call_answer

_NOISE = np.arange(12, dtype=np.float32).reshape(4, 3) / 10  # 4 vectors, latent_dim 3
_LABELS = np.array([2, 0, 9, 2])


def _array(value, what):
    try:
        return np.asarray(value)
    except Exception as error:  # a list of tensors, say
        raise Incorrect(f"{what} could not be turned into an array: {error}") from None


# --------------------------------------------------------------- one-hot condition


def _grade_one_hot_condition(function):
    import tensorflow as tf

    got = _array(call_answer(function, tf.constant(_NOISE), tf.constant(_LABELS), 10), "Your result")
    expected = np.concatenate([_NOISE, np.eye(10, dtype=np.float32)[_LABELS]], axis=1)
    if got.shape == expected.shape and np.allclose(got, expected):
        return
    if got.shape == (4, 4):
        raise Incorrect("shape (4, 4): you appended the label as ONE number; turn it into a one-hot "
                        "vector of num_classes entries first (tf.one_hot).")
    if got.shape == (4 + 4, 3) or got.shape[0] != 4:
        raise Incorrect(f"shape {got.shape}: concatenate along the LAST axis (axis=-1), so each row "
                        "stays one example.")
    if got.shape == expected.shape and np.allclose(got[:, :10], np.eye(10)[_LABELS]):
        raise Incorrect("the one-hot label comes first; put the noise first, then the label (the "
                        "generator's first inputs are the noise).")
    if got.shape != expected.shape:
        raise Incorrect(f"for 4 noise vectors of size 3 and 10 classes the result must have shape (4, 13), got {got.shape}.")
    if not np.allclose(got[:, :3], _NOISE):
        raise Incorrect("the noise part changed: keep the noise values as they are.")
    raise Incorrect("the label part is not the one-hot code of the labels (a 1 at the label's index, 0 elsewhere).")


one_hot_condition = Exercise(
    name="Label conditioning",
    grader=_grade_one_hot_condition,
    hint_text=(
        "tf.one_hot(labels, num_classes) turns labels (N,) into (N, num_classes); "
        "tf.concat([noise, ...], axis=-1) joins it to the noise row by row."
    ),
    solution_code="""
        def one_hot_condition(noise, labels, num_classes):
            return tf.concat([noise, tf.one_hot(labels, num_classes)], axis=-1)
    """,
)


# ---------------------------------------------------------------------- grid inputs


def _grade_grid_inputs(function):
    answer = call_answer(function, _NOISE, 10)
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Incorrect("return two arrays: (noise for every cell, label for every cell).")
    noise, labels = _array(answer[0], "The noise"), _array(answer[1], "The labels")
    n_vectors = len(_NOISE)
    expected_noise = np.tile(_NOISE, (10, 1))
    expected_labels = np.repeat(np.arange(10), n_vectors)
    if noise.shape != expected_noise.shape:
        raise Incorrect(f"10 digits x {n_vectors} noise vectors is 40 cells: the noise must have shape (40, 3), got {noise.shape}.")
    if labels.shape != expected_labels.shape:
        raise Incorrect(f"one label per cell: the labels must have shape (40,), got {labels.shape}.")
    if np.allclose(noise, expected_noise) and np.array_equal(labels, expected_labels):
        return
    if np.allclose(noise, np.repeat(_NOISE, 10, axis=0)) and np.array_equal(labels, np.tile(np.arange(10), n_vectors)):
        raise Incorrect("that grid has the noise vectors as rows and the digits as columns; the "
                        "lesson wants digits as rows: tile the noise, repeat the labels.")
    if np.allclose(noise, np.repeat(_NOISE, 10, axis=0)):
        raise Incorrect("np.repeat gives each noise vector 10 times in a row; a row of the grid must "
                        "run through the noise vectors in order: use np.tile.")
    if np.array_equal(labels, np.tile(np.arange(10), n_vectors)):
        raise Incorrect("np.tile gives labels 0, 1, 2, ... along a row; a row of the grid is one digit: "
                        "use np.repeat.")
    raise Incorrect("cell (row d, column j) must hold noise vector j and label d, read row by row.")


grid_inputs = Exercise(
    name="Digit-by-style grid",
    grader=_grade_grid_inputs,
    hint_text=(
        "Read the grid row by row: row d is digit d, column j is noise vector j. The noise is then "
        "the K vectors again and again (np.tile(noise, (num_classes, 1))); the labels are 0 K times, "
        "then 1 K times, ... (np.repeat)."
    ),
    solution_code="""
        def grid_inputs(noise, num_classes):
            grid_noise = np.tile(noise, (num_classes, 1))
            grid_labels = np.repeat(np.arange(num_classes), len(noise))
            return grid_noise, grid_labels
    """,
)


# -------------------------------------------------------------- per-digit accuracy

_REQUESTED = np.repeat(np.arange(10), 4)
_PREDICTED = _REQUESTED.copy()
_PREDICTED[[1, 2, 5, 14, 15, 37]] = [7, 7, 3, 9, 4, 1]  # digit 0: 2 wrong, 1: 1, 3: 2, 9: 1


def _grade_per_digit_accuracy(function):
    got = _array(call_answer(function, _PREDICTED, _REQUESTED), "Your result").astype(float)
    expected = np.array([np.mean(_PREDICTED[_REQUESTED == d] == d) for d in range(10)])
    if got.shape != (10,):
        raise Incorrect(f"return one accuracy per digit, shape (10,); got shape {got.shape}.")
    if np.allclose(got, expected):
        return
    by_prediction = np.array([np.mean(_REQUESTED[_PREDICTED == d] == d) if np.any(_PREDICTED == d) else 0.0
                              for d in range(10)])
    if np.allclose(got, by_prediction):
        raise Incorrect("you grouped the images by the PREDICTED digit (that is precision); group them by "
                        "the digit that was REQUESTED.")
    if np.allclose(got, expected * 4 / len(_REQUESTED)):
        raise Incorrect("you divided by all the images; divide by the number of images requested as that digit.")
    if np.allclose(got, 1 - expected):
        raise Incorrect("that is the error rate; return the share classified as the requested digit.")
    raise Incorrect(f"expected {np.round(expected, 2).tolist()}, got {np.round(got, 2).tolist()}.")


per_digit_accuracy = Exercise(
    name="Class accuracy per digit",
    grader=_grade_per_digit_accuracy,
    hint_text=(
        "For each digit d, keep the images that were requested as d (requested == d) and take the "
        "share of them whose prediction is d."
    ),
    solution_code="""
        def per_digit_accuracy(predicted, requested):
            return np.array([np.mean(predicted[requested == digit] == digit) for digit in range(10)])
    """,
)
