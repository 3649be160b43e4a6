"""Every cross-entropy exercise: the reference passes, the template is 'not attempted',
and each typical wrong answer fails with its own message."""

import numpy as np
import pytest

from course_utils.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from course_utils.exercises import cross_entropy as ex


def solution_function(exercise):
    namespace = exercise.solution_namespace(np=np)
    return next(value for key, value in namespace.items() if callable(value) and key != "np")


def template(*args):
    raise NotImplementedError


def naive_softmax(logits):
    exponentials = np.exp(logits)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def stable_log_softmax_picked(labels, logits):
    peak = logits.max(axis=-1, keepdims=True)
    log_probabilities = logits - peak - np.log(np.exp(logits - peak).sum(axis=-1, keepdims=True))
    return -log_probabilities[np.arange(len(labels)), labels]


def stable_bce(labels, logits):
    return np.mean(np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits))))


ALL = [ex.stable_softmax, ex.sparse_cross_entropy_from_logits, ex.binary_cross_entropy_from_logits, ex.label_smoothing]


@pytest.mark.parametrize("exercise", ALL, ids=lambda exercise: exercise.name)
def test_reference_solution_is_correct(exercise):
    assert exercise.grade(solution_function(exercise)) == (CORRECT, "Correct!")


@pytest.mark.parametrize("exercise", ALL, ids=lambda exercise: exercise.name)
@pytest.mark.parametrize("answer", [..., None, template, lambda *args: None], ids=["ellipsis", "none", "raises", "returns-none"])
def test_template_is_not_attempted(exercise, answer):
    outcome, message = exercise.grade(answer)
    assert outcome == NOT_ATTEMPTED
    assert message.startswith("Not attempted yet")


MISTAKES = [
    (ex.stable_softmax, naive_softmax, "unstable for large logits"),
    (ex.stable_softmax, lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), "each COLUMN sums to 1"),
    (ex.stable_softmax, lambda z: np.exp(z), "must sum to 1"),
    (ex.stable_softmax, lambda z: naive_softmax(np.clip(z, -50, 50)), "wrong at +-1000"),
    (ex.stable_softmax, lambda z: naive_softmax(z)[:, :3], "wrong shape"),
    (ex.sparse_cross_entropy_from_logits, lambda y, z: -np.mean(np.log(naive_softmax(z)[np.arange(len(y)), y])), "unstable for large logits"),
    (ex.sparse_cross_entropy_from_logits, lambda y, z: np.sum(stable_log_softmax_picked(y, z)), "times too large"),
    (ex.sparse_cross_entropy_from_logits, lambda y, z: np.mean(stable_log_softmax_picked(y, z)) / np.log(2), "log base 2"),
    (ex.sparse_cross_entropy_from_logits, lambda y, z: -np.mean(stable_log_softmax_picked(y, z)), "sign is flipped"),
    (ex.sparse_cross_entropy_from_logits, stable_log_softmax_picked, "wrong shape"),
    (ex.sparse_cross_entropy_from_logits, lambda y, z: np.mean(stable_log_softmax_picked((y + 1) % z.shape[1], z)), "expected"),
    (ex.sparse_cross_entropy_from_logits,
     lambda y, z: -np.mean(np.log(np.clip(np.exp(-stable_log_softmax_picked(y, z)), 1e-7, 1))), "probabilities were probably clipped"),
    (ex.binary_cross_entropy_from_logits, lambda y, z: -np.mean(y * np.log(1 / (1 + np.exp(-z))) + (1 - y) * np.log(1 - 1 / (1 + np.exp(-z)))), "unstable for large logits"),
    (ex.binary_cross_entropy_from_logits, lambda y, z: stable_bce(1 - y, z), "labels are swapped"),
    (ex.binary_cross_entropy_from_logits, lambda y, z: -stable_bce(y, z), "sign is flipped"),
    (ex.binary_cross_entropy_from_logits,
     lambda y, z: -np.mean(y * np.log(np.clip(1 / (1 + np.exp(-z)), 1e-7, 1 - 1e-7)) + (1 - y) * np.log(np.clip(1 - 1 / (1 + np.exp(-z)), 1e-7, 1 - 1e-7))),
     "probabilities were probably clipped"),
    (ex.label_smoothing, lambda y, s: y * (1 - s), "still sum to 1"),
    (ex.label_smoothing, lambda y, s: y * (1 - s) + (1 - y) * s / (y.shape[-1] - 1), "K-1 wrong classes"),
    (ex.label_smoothing, lambda y, s: y[:, :2], "wrong shape"),
    (ex.label_smoothing, lambda y, s: "smooth", "should be numbers"),
]


@pytest.mark.parametrize("exercise, answer, words", MISTAKES)
def test_typical_mistakes_get_their_own_message(exercise, answer, words):
    with np.errstate(all="ignore"):
        outcome, message = exercise.grade(answer)
    assert outcome == INCORRECT
    assert words in message, message


def test_check_prints_the_verdict_and_returns_nothing(capsys):
    assert ex.stable_softmax.check(solution_function(ex.stable_softmax)) is None
    ex.stable_softmax.check(...)
    with np.errstate(all="ignore"):
        ex.stable_softmax.check(naive_softmax)
    printed = capsys.readouterr().out
    assert "[stable softmax] Correct!" in printed
    assert "Not attempted yet" in printed
    assert "Incorrect: unstable" in printed and ".hint()" in printed


def test_crashing_answer_is_incorrect_and_says_why():
    outcome, message = ex.stable_softmax.grade(lambda z: z.undefined_method())
    assert outcome == INCORRECT
    assert "AttributeError" in message


def test_hint_and_solution_print(capsys):
    ex.label_smoothing.hint()
    ex.label_smoothing.solution()
    printed = capsys.readouterr().out
    assert "Hint:" in printed and "def smooth" in printed
