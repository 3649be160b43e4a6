"""Graded exercises of the cross-entropy lesson.

Each grader compares the learner's function with the reference in
:mod:`course_utils.losses` on fixed inputs, then looks for the typical mistakes
(overflow at large logits, the wrong axis, a sum instead of a mean, log base 2, a flipped
sign or label) so the message says *what* is wrong, not only *that* it is wrong.
"""

from __future__ import annotations

import numpy as np

from course_utils import losses
from course_utils.exercises import Exercise, Incorrect, call_answer

_RNG = np.random.default_rng(7)
_LOGITS = _RNG.normal(0.0, 3.0, size=(6, 5))
_LABELS = np.array([0, 4, 2, 2, 1, 3])
_EXTREME_LOGITS = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -999.0, -1000.0]])
_EXTREME_LABELS = np.array([2, 1])
_BINARY_LOGITS = _RNG.normal(0.0, 3.0, size=8)
_BINARY_LABELS = np.array([1, 0, 1, 1, 0, 0, 1, 0], dtype=float)


def _as_array(result, what):
    try:
        return np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} should be numbers, got {type(result).__name__}") from None


def _scalar(result):
    array = _as_array(result, "the loss")
    if array.shape != ():
        raise Incorrect(
            f"wrong shape: return one number (the mean over the batch), got an array of shape {array.shape}"
        )
    return float(array)


def _diagnose_scalar(got, expected, n_examples):
    """Name the usual ways a loss value goes wrong; silent when ``got`` is right."""
    if np.isclose(got, expected, rtol=1e-6, atol=1e-9):
        return
    if not np.isfinite(got):
        raise Incorrect(f"the loss is {got} on ordinary logits; check for log(0) or a division by zero")
    if np.isclose(got, -expected, rtol=1e-6):
        raise Incorrect("the sign is flipped: cross-entropy is MINUS the log-probability of the true class")
    if np.isclose(got, expected * n_examples, rtol=1e-6):
        raise Incorrect(f"{n_examples} times too large: average over the batch instead of summing")
    if np.isclose(got, expected / np.log(2.0), rtol=1e-6):
        raise Incorrect("off by a constant factor 1/ln(2): you used log base 2; Keras uses the natural log")
    if np.isclose(got, expected * np.log(10.0) ** -1, rtol=1e-6):
        raise Incorrect("off by a constant factor 1/ln(10): you used log base 10; use the natural log")
    raise Incorrect(f"expected {expected:.6f} on the test batch, got {got:.6f}")


# --------------------------------------------------------------------- 1. softmax


def _grade_softmax(function):
    result = _as_array(call_answer(function, _LOGITS.copy()), "the probabilities")
    if result.shape != _LOGITS.shape:
        raise Incorrect(f"wrong shape: expected {_LOGITS.shape} (same as the logits), got {result.shape}")
    if np.allclose(result.sum(axis=0), 1.0) and not np.allclose(result.sum(axis=1), 1.0):
        raise Incorrect("each COLUMN sums to 1: normalise along the last axis (the classes), e.g. axis=-1, keepdims=True")
    if not np.allclose(result.sum(axis=-1), 1.0, atol=1e-6):
        raise Incorrect("the probabilities of each row must sum to 1; divide by the row's sum")
    if not np.allclose(result, losses.softmax(_LOGITS), atol=1e-9):
        raise Incorrect("the rows sum to 1 but the values are not softmax(logits) = exp(z) / sum(exp(z))")
    with np.errstate(all="ignore"):
        extreme = _as_array(call_answer(function, _EXTREME_LOGITS.copy()), "the probabilities")
    if not np.all(np.isfinite(extreme)):
        raise Incorrect(
            "unstable for large logits: exp(1000) overflows to inf and inf/inf is NaN. "
            "Subtract each row's maximum before exponentiating (it does not change the result)"
        )
    if not np.allclose(extreme, losses.softmax(_EXTREME_LOGITS), atol=1e-9):
        raise Incorrect("correct for small logits but wrong at +-1000: subtract each row's own maximum")


stable_softmax = Exercise(
    name="stable softmax",
    grader=_grade_softmax,
    hint_text=(
        "softmax(z) = softmax(z - c) for any constant c. Pick c as the largest logit of each "
        "row (np.max(..., axis=-1, keepdims=True)) so the biggest exponent is exp(0) = 1."
    ),
    solution_code="""
        def stable_softmax(logits):
            shifted = logits - np.max(logits, axis=-1, keepdims=True)
            exponentials = np.exp(shifted)
            return exponentials / np.sum(exponentials, axis=-1, keepdims=True)
    """,
)


# ------------------------------------------- 2. sparse cross-entropy from logits


def _grade_sparse_from_logits(function):
    expected = losses.sparse_categorical_cross_entropy_from_logits(_LABELS, _LOGITS)
    got = _scalar(call_answer(function, _LABELS.copy(), _LOGITS.copy()))
    _diagnose_scalar(got, expected, len(_LABELS))
    with np.errstate(all="ignore"):
        extreme = _scalar(call_answer(function, _EXTREME_LABELS.copy(), _EXTREME_LOGITS.copy()))
    expected_extreme = losses.sparse_categorical_cross_entropy_from_logits(_EXTREME_LABELS, _EXTREME_LOGITS)
    if not np.isfinite(extreme):
        raise Incorrect(
            "unstable for large logits: log(softmax(z)) hits exp overflow or log(0). "
            "Use log-softmax directly: z[label] - logsumexp(z), with the max trick inside logsumexp"
        )
    if not np.isclose(extreme, expected_extreme, rtol=1e-6, atol=1e-9):
        raise Incorrect(
            f"right on small logits, but at +-1000 you get {extreme:.4f} instead of {expected_extreme:.4f}: "
            "probabilities were probably clipped; work with log-probabilities instead"
        )


sparse_cross_entropy_from_logits = Exercise(
    name="sparse cross-entropy from logits",
    grader=_grade_sparse_from_logits,
    hint_text=(
        "-log softmax(z)[y] = logsumexp(z) - z[y]. Compute logsumexp with the max trick, pick "
        "each row's true-class logit with logits[np.arange(len(labels)), labels], and average."
    ),
    solution_code="""
        def sparse_cross_entropy_from_logits(labels, logits):
            peak = np.max(logits, axis=-1, keepdims=True)
            log_sum_exp = peak[:, 0] + np.log(np.sum(np.exp(logits - peak), axis=-1))
            true_class_logit = logits[np.arange(len(labels)), labels]
            return np.mean(log_sum_exp - true_class_logit)
    """,
)


# ------------------------------------------- 3. binary cross-entropy from logits


def _grade_binary_from_logits(function):
    expected = losses.binary_cross_entropy_from_logits(_BINARY_LABELS, _BINARY_LOGITS)
    got = _scalar(call_answer(function, _BINARY_LABELS.copy(), _BINARY_LOGITS.copy()))
    swapped = losses.binary_cross_entropy_from_logits(1.0 - _BINARY_LABELS, _BINARY_LOGITS)
    if np.isclose(got, swapped, rtol=1e-6) and not np.isclose(got, expected, rtol=1e-6):
        raise Incorrect("the labels are swapped: label 1 must score log(sigmoid(z)), label 0 log(1 - sigmoid(z))")
    _diagnose_scalar(got, expected, len(_BINARY_LABELS))
    extreme_logits = np.array([1000.0, -1000.0, 1000.0, -1000.0])
    extreme_labels = np.array([1.0, 0.0, 0.0, 1.0])
    with np.errstate(all="ignore"):
        extreme = _scalar(call_answer(function, extreme_labels, extreme_logits))
    if not np.isfinite(extreme):
        raise Incorrect(
            "unstable for large logits: sigmoid(1000) rounds to 1 and log(1 - 1) = -inf. Use the "
            "stable form max(z, 0) - z * y + log(1 + exp(-|z|))"
        )
    if not np.isclose(extreme, 500.0, rtol=1e-6):
        raise Incorrect(
            "at logits of +-1000 (two right answers, two confident mistakes of 1000 nats each) the mean "
            f"loss is 500, got {extreme:.4f}: probabilities were probably clipped"
        )


binary_cross_entropy_from_logits = Exercise(
    name="binary cross-entropy from logits",
    grader=_grade_binary_from_logits,
    hint_text=(
        "Write -[y log s(z) + (1 - y) log(1 - s(z))] with log s(z) = -log(1 + exp(-z)) and simplify: "
        "it becomes max(z, 0) - z*y + log(1 + exp(-|z|)), where no exponent is ever positive. "
        "np.log1p helps."
    ),
    solution_code="""
        def binary_cross_entropy_from_logits(labels, logits):
            per_example = np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))
            return np.mean(per_example)
    """,
)


# ---------------------------------------------------------------- 4. label smoothing

_ONE_HOT = losses.one_hot(np.array([2, 0, 1]), 4)


def _grade_label_smoothing(function):
    result = _as_array(call_answer(function, _ONE_HOT.copy(), 0.1), "the smoothed labels")
    if result.shape != _ONE_HOT.shape:
        raise Incorrect(f"wrong shape: expected {_ONE_HOT.shape}, got {result.shape}")
    expected = losses.smooth_labels(_ONE_HOT, 0.1)
    if np.allclose(result, expected, atol=1e-9):
        return
    if not np.allclose(result.sum(axis=-1), 1.0, atol=1e-6):
        raise Incorrect(
            f"each row must still sum to 1 (it is a distribution), yours sum to {np.round(result.sum(axis=-1), 4)}"
        )
    alternative = _ONE_HOT * (1 - 0.1) + (1 - _ONE_HOT) * 0.1 / 3
    if np.allclose(result, alternative, atol=1e-9):
        raise Incorrect(
            "you spread the smoothing over the K-1 wrong classes; Keras spreads it over all K classes: "
            "y * (1 - smoothing) + smoothing / K"
        )
    raise Incorrect(f"expected the first row {np.round(expected[0], 4)}, got {np.round(result[0], 4)}")


label_smoothing = Exercise(
    name="label smoothing",
    grader=_grade_label_smoothing,
    hint_text="Keep (1 - smoothing) of each one-hot row and share `smoothing` equally among all K classes.",
    solution_code="""
        def smooth(one_hot_labels, smoothing):
            num_classes = one_hot_labels.shape[-1]
            return one_hot_labels * (1 - smoothing) + smoothing / num_classes
    """,
)
