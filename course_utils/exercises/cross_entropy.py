"""Graded exercises of the cross-entropy lesson.

Each grader compares the learner's function with the reference in
:mod:`course_utils.losses` on fixed inputs, then looks for the typical mistakes
(overflow at large logits, the wrong axis, a sum instead of a mean, log base 2, a flipped
sign or label) so the message says *what* is wrong, not only *that* it is wrong.

Every grader computes its reference values first, from module constants that are
read-only, hands the learner fresh copies, and checks afterwards that the learner's
function left its inputs as they were (an in-place ``logits -= ...`` changes the caller's
array). An answer of the wrong type or shape is reported as such, never as a crash of the
checker.
"""

from __future__ import annotations

import numpy as np

from course_utils import losses
from course_utils.exercises import Exercise, Incorrect, call_answer



def _read_only(array) -> np.ndarray:
    array = np.array(array)
    array.setflags(write=False)  # no answer can change the module's own test inputs
    return array


_RNG = np.random.default_rng(7)
_LOGITS = _read_only(_RNG.normal(0.0, 3.0, size=(6, 5)))
_LABELS = _read_only([0, 4, 2, 2, 1, 3])
_EXTREME_LOGITS = _read_only([[1000.0, 0.0, -1000.0], [-1000.0, -999.0, -1000.0]])
_EXTREME_LABELS = _read_only([2, 1])
_BINARY_LOGITS = _read_only(_RNG.normal(0.0, 3.0, size=8))
_BINARY_LABELS = _read_only(np.array([1, 0, 1, 1, 0, 0, 1, 0], dtype=float))
_BINARY_EXTREME_LOGITS = _read_only([1000.0, -1000.0, 1000.0, -1000.0])
_BINARY_EXTREME_LABELS = _read_only([1.0, 0.0, 0.0, 1.0])


def _call_on_copies(function, *inputs):
    """Call the learner's function on fresh, writable copies of ``inputs``; reject an answer
    that changed them in place (the caller's arrays would be silently overwritten)."""
    copies = [np.array(value) if isinstance(value, np.ndarray) else value for value in inputs]
    result = call_answer(function, *copies)
    for original, given in zip(inputs, copies):
        if isinstance(original, np.ndarray) and not (
            given.shape == original.shape and np.array_equal(given, original)
        ):
            raise Incorrect(
                "your function changed the array it was given (an in-place operation such as "
                "`logits -= ...` or `out=`); compute into a new array and leave the input as it "
                "was: the caller still needs it"
            )
    return result


def _as_array(result, what, shape=None):
    try:
        array = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} should be numbers, got {type(result).__name__}") from None
    if shape is not None and array.shape != tuple(shape):
        raise Incorrect(f"wrong shape: expected {tuple(shape)} (one value per input), got {array.shape}")
    return array


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
    expected, expected_extreme = losses.softmax(_LOGITS), losses.softmax(_EXTREME_LOGITS)
    result = _as_array(_call_on_copies(function, _LOGITS), "the probabilities")
    if result.shape != _LOGITS.shape:
        raise Incorrect(f"wrong shape: expected {_LOGITS.shape} (same as the logits), got {result.shape}")
    if np.allclose(result.sum(axis=0), 1.0) and not np.allclose(result.sum(axis=1), 1.0):
        raise Incorrect("each COLUMN sums to 1: normalise along the last axis (the classes), e.g. axis=-1, keepdims=True")
    if not np.allclose(result.sum(axis=-1), 1.0, atol=1e-6):
        raise Incorrect("the probabilities of each row must sum to 1; divide by the row's sum")
    if not np.allclose(result, expected, atol=1e-9):
        raise Incorrect("the rows sum to 1 but the values are not softmax(logits) = exp(z) / sum(exp(z))")
    with np.errstate(all="ignore"):
        extreme = _as_array(
            _call_on_copies(function, _EXTREME_LOGITS), "the probabilities", _EXTREME_LOGITS.shape
        )
    if not np.all(np.isfinite(extreme)):
        raise Incorrect(
            "unstable for large logits: exp(1000) overflows to inf and inf/inf is NaN. "
            "Subtract each row's maximum before exponentiating (it does not change the result)"
        )
    if not np.allclose(extreme, expected_extreme, atol=1e-9):
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
    expected_extreme = losses.sparse_categorical_cross_entropy_from_logits(_EXTREME_LABELS, _EXTREME_LOGITS)
    got = _scalar(_call_on_copies(function, _LABELS, _LOGITS))
    _diagnose_scalar(got, expected, len(_LABELS))
    with np.errstate(all="ignore"):
        extreme = _scalar(_call_on_copies(function, _EXTREME_LABELS, _EXTREME_LOGITS))
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
    swapped = losses.binary_cross_entropy_from_logits(1.0 - _BINARY_LABELS, _BINARY_LOGITS)
    got = _scalar(_call_on_copies(function, _BINARY_LABELS, _BINARY_LOGITS))
    if np.isclose(got, swapped, rtol=1e-6) and not np.isclose(got, expected, rtol=1e-6):
        raise Incorrect("the labels are swapped: label 1 must score log(sigmoid(z)), label 0 log(1 - sigmoid(z))")
    _diagnose_scalar(got, expected, len(_BINARY_LABELS))
    with np.errstate(all="ignore"):
        extreme = _scalar(_call_on_copies(function, _BINARY_EXTREME_LABELS, _BINARY_EXTREME_LOGITS))
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

# (labels, number of classes K, smoothing): several K and several smoothings, so that an
# answer with a K or a smoothing written into it cannot pass.
_SMOOTHING_CASES = (
    ((2, 0, 1), 4, 0.1),
    ((1, 0, 1, 1), 2, 0.2),
    ((3, 9, 0), 10, 0.25),
    ((0, 2), 3, 0.0),
)


def _grade_label_smoothing(function):
    for labels, num_classes, smoothing in _SMOOTHING_CASES:
        one_hot = _read_only(losses.one_hot(np.array(labels), num_classes))
        expected = losses.smooth_labels(one_hot, smoothing)
        result = _as_array(_call_on_copies(function, one_hot, smoothing), "the smoothed labels")
        if result.shape != one_hot.shape:
            raise Incorrect(
                f"wrong shape: for {len(labels)} labels of K = {num_classes} classes expected "
                f"{one_hot.shape} (the shape of the one-hot labels), got {result.shape}"
            )
        if np.allclose(result, expected, atol=1e-9):
            continue
        case = f"at K = {num_classes} classes and smoothing = {smoothing}"
        added = result - one_hot * (1 - smoothing)
        if abs(added.flat[0]) > 1e-9 and np.allclose(added, added.flat[0], atol=1e-9):
            raise Incorrect(
                f"{case} you add {added.flat[0]:.4g} to every entry; it should be smoothing / K = "
                f"{smoothing / num_classes:.4g}. Read K from one_hot_labels.shape[-1] and use the "
                "`smoothing` argument: a number written into the code is right for one case only"
            )
        for fixed_smoothing in (0.0, 0.1, 0.2, 0.25):
            if fixed_smoothing != smoothing and np.allclose(
                result, losses.smooth_labels(one_hot, fixed_smoothing), atol=1e-9
            ):
                raise Incorrect(
                    f"{case} your targets are those of smoothing = {fixed_smoothing}: use the "
                    "`smoothing` argument, not a fixed number"
                )
        if not np.allclose(result.sum(axis=-1), 1.0, atol=1e-6):
            raise Incorrect(
                f"{case} each row must still sum to 1 (it is a distribution), yours sum to "
                f"{np.round(result.sum(axis=-1), 4)}"
            )
        alternative = one_hot * (1 - smoothing) + (1 - one_hot) * smoothing / (num_classes - 1)
        if np.allclose(result, alternative, atol=1e-9):
            raise Incorrect(
                "you spread the smoothing over the K-1 wrong classes; Keras spreads it over all K "
                "classes: y * (1 - smoothing) + smoothing / K"
            )
        raise Incorrect(f"{case} expected the first row {np.round(expected[0], 4)}, got {np.round(result[0], 4)}")


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
