"""Reference implementations, in NumPy, of the losses lesson 1 builds.

All logarithms are natural (results in nats), all functions work on the last axis as the
class axis, and every ``*_from_logits`` function is numerically stable for logits as
large as +-1000: it never exponentiates a large positive number. The unit tests check
each one against the matching Keras loss on random and on extreme inputs.

Losses return the mean over the batch (what Keras' loss objects return) unless
``reduction="none"``, which returns one value per example.
"""

from __future__ import annotations

import numpy as np

from course_utils.validation import as_float_array, as_label_array, check_choice, check_float, check_int

_REDUCTIONS = ("mean", "none")


# ------------------------------------------------------------------ building blocks


def logsumexp(values, axis: int = -1) -> np.ndarray:
    """``log(sum(exp(values)))`` along ``axis``, computed as ``m + log(sum(exp(values - m)))``
    with ``m`` the maximum, so no exponential ever exceeds 1."""
    values = as_float_array(values, "values", ndim=(1, 2, 3))
    peak = np.max(values, axis=axis, keepdims=True)
    return np.squeeze(peak, axis=axis) + np.log(np.sum(np.exp(values - peak), axis=axis))


def log_softmax(logits) -> np.ndarray:
    """Log-probabilities ``logits - logsumexp(logits)`` over the last axis (stable)."""
    logits = as_float_array(logits, "logits", ndim=(1, 2))
    return logits - logsumexp(logits)[..., None]


def softmax(logits) -> np.ndarray:
    """Probabilities over the last axis; shifting by the maximum keeps it stable."""
    logits = as_float_array(logits, "logits", ndim=(1, 2))
    shifted = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    return shifted / np.sum(shifted, axis=-1, keepdims=True)


def sigmoid(logits) -> np.ndarray:
    """``1 / (1 + exp(-x))`` evaluated without overflow for large negative ``x``."""
    logits = as_float_array(logits, "logits")
    exp_of_minus_abs = np.exp(-np.abs(logits))
    return np.where(logits >= 0, 1.0 / (1.0 + exp_of_minus_abs), exp_of_minus_abs / (1.0 + exp_of_minus_abs))


def one_hot(labels, num_classes: int) -> np.ndarray:
    """Integer labels ``(N,)`` to one-hot rows ``(N, num_classes)``."""
    num_classes = check_int(num_classes, "num_classes", minimum=2)
    labels = as_label_array(labels, "labels", num_classes=num_classes)
    return np.eye(num_classes)[labels]


def smooth_labels(one_hot_labels, smoothing: float) -> np.ndarray:
    """Label smoothing as Keras does it: ``y * (1 - smoothing) + smoothing / num_classes``."""
    targets = _distributions(one_hot_labels, "one_hot_labels")
    smoothing = check_float(smoothing, "smoothing", minimum=0.0, maximum=1.0)
    return targets * (1.0 - smoothing) + smoothing / targets.shape[-1]


# --------------------------------------------------------- information theory (nats)


def entropy(probabilities) -> np.ndarray:
    """``H(p) = -sum p log p`` over the last axis, with ``0 log 0 = 0``."""
    p = _distributions(probabilities, "probabilities")
    return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=-1)


def cross_entropy(targets, predictions) -> np.ndarray:
    """``H(p, q) = -sum p log q`` over the last axis: the average surprise of outcomes
    drawn from ``targets`` (p) when ``predictions`` (q) is believed. Infinite where q
    puts zero mass on something p allows."""
    p = _distributions(targets, "targets")
    q = _distributions(predictions, "predictions")
    _same_shape(p, q, "targets", "predictions")
    with np.errstate(divide="ignore"):
        log_q = np.log(q)
    return -np.sum(np.where(p > 0, p * log_q, 0.0), axis=-1)


def kl_divergence(targets, predictions) -> np.ndarray:
    """``KL(p || q) = H(p, q) - H(p)``: how many extra nats believing q costs (>= 0)."""
    return cross_entropy(targets, predictions) - entropy(targets)


# --------------------------------------------------------------- the training losses


def binary_cross_entropy(labels, probabilities, *, epsilon: float = 1e-7, reduction: str = "mean"):
    """``-[y log p + (1 - y) log(1 - p)]`` with ``p`` clipped to ``[epsilon, 1 - epsilon]``
    (what Keras does; without the clip ``p = 0`` gives infinity)."""
    y = as_float_array(labels, "labels")
    p = as_float_array(probabilities, "probabilities")
    _same_shape(y, p, "labels", "probabilities")
    _in_unit_interval(y, "labels")
    _in_unit_interval(p, "probabilities")
    p = np.clip(p, epsilon, 1.0 - epsilon)
    losses = -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    return _reduce(_mean_last_axis_if_matrix(losses), reduction)


def binary_cross_entropy_from_logits(labels, logits, *, reduction: str = "mean"):
    """Binary cross-entropy of ``sigmoid(logits)`` in the stable form
    ``max(x, 0) - x * y + log(1 + exp(-|x|))``."""
    y = as_float_array(labels, "labels")
    x = as_float_array(logits, "logits")
    _same_shape(y, x, "labels", "logits")
    _in_unit_interval(y, "labels")
    losses = np.maximum(x, 0.0) - x * y + np.log1p(np.exp(-np.abs(x)))
    return _reduce(_mean_last_axis_if_matrix(losses), reduction)


def categorical_cross_entropy(one_hot_labels, probabilities, *, epsilon: float = 1e-7, reduction: str = "mean"):
    """``-sum y log p`` per example, for one-hot (or smoothed) labels and predicted
    probabilities (clipped to ``[epsilon, 1 - epsilon]`` as Keras does)."""
    y = _distributions(one_hot_labels, "one_hot_labels", ndim=2)
    p = _distributions(probabilities, "probabilities", ndim=2)
    _same_shape(y, p, "one_hot_labels", "probabilities")
    return _reduce(-np.sum(y * np.log(np.clip(p, epsilon, 1.0 - epsilon)), axis=-1), reduction)


def categorical_cross_entropy_from_logits(one_hot_labels, logits, *, reduction: str = "mean"):
    """``-sum y log softmax(logits)`` per example, through the stable log-softmax."""
    y = _distributions(one_hot_labels, "one_hot_labels", ndim=2)
    x = as_float_array(logits, "logits", ndim=2)
    _same_shape(y, x, "one_hot_labels", "logits")
    return _reduce(-np.sum(y * log_softmax(x), axis=-1), reduction)


def sparse_categorical_cross_entropy(labels, probabilities, *, epsilon: float = 1e-7, reduction: str = "mean"):
    """``-log p[label]`` per example, for integer labels and predicted probabilities."""
    p = _distributions(probabilities, "probabilities", ndim=2)
    y = as_label_array(labels, "labels", num_classes=p.shape[-1])
    _same_length(y, p, "labels", "probabilities")
    picked = p[np.arange(len(y)), y]
    return _reduce(-np.log(np.clip(picked, epsilon, 1.0 - epsilon)), reduction)


def sparse_categorical_cross_entropy_from_logits(labels, logits, *, reduction: str = "mean"):
    """``logsumexp(logits) - logits[label]`` per example: the stable form of
    ``-log softmax(logits)[label]``."""
    x = as_float_array(logits, "logits", ndim=2)
    y = as_label_array(labels, "labels", num_classes=x.shape[-1])
    _same_length(y, x, "labels", "logits")
    return _reduce(logsumexp(x) - x[np.arange(len(y)), y], reduction)


# ------------------------------------------------------------------------- checks


def _distributions(values, name, ndim=(1, 2)):
    array = as_float_array(values, name, ndim=ndim)
    if array.size and (array.min() < 0 or array.max() > 1 + 1e-9):
        raise ValueError(f"{name} must be probabilities in [0, 1], found [{array.min():.3g}, {array.max():.3g}]")
    if array.size and not np.allclose(array.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError(f"{name} must sum to 1 along the last axis (one distribution per row)")
    return array


def _in_unit_interval(array, name):
    if array.size and (array.min() < 0 or array.max() > 1):
        raise ValueError(f"{name} must be in [0, 1], found [{array.min():.3g}, {array.max():.3g}]")


def _same_shape(first, second, first_name, second_name):
    if first.shape != second.shape:
        raise ValueError(f"{first_name} and {second_name} must have the same shape, got {first.shape} and {second.shape}")


def _same_length(labels, scores, labels_name, scores_name):
    if len(labels) != len(scores):
        raise ValueError(f"{labels_name} must have one label per row of {scores_name}: {len(labels)} labels, {len(scores)} rows")


def _mean_last_axis_if_matrix(losses):
    """Keras' binary cross-entropy averages over the last axis of a (N, K) batch."""
    return losses.mean(axis=-1) if losses.ndim > 1 else losses


def _reduce(losses, reduction):
    check_choice(reduction, "reduction", _REDUCTIONS)
    return float(np.mean(losses)) if reduction == "mean" else losses
