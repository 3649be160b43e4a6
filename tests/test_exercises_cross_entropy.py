"""Every cross-entropy exercise: the reference passes, the template is 'not attempted',
and each typical wrong answer fails with its own message."""

import numpy as np
import pytest

from course_utils.exercises import CORRECT, ERROR, INCORRECT, NOT_ATTEMPTED
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
    # written for the lesson's own K = 4 and smoothing = 0.1: right there, wrong elsewhere
    (ex.label_smoothing, lambda y, s: y * (1 - s) + 0.1 / 4, "you add 0.025 to every entry"),
    (ex.label_smoothing, lambda y, s: y * (1 - s) + s / 4, "you add 0.05 to every entry"),
    (ex.label_smoothing, lambda y, s: y * 0.9 + 0.1 / y.shape[-1], "smoothing = 0.1"),
    (ex.label_smoothing, lambda y, s: y * 0.9 + 0.1 / 4, "still sum to 1"),
    (ex.label_smoothing, lambda y, s: y * (1 - s) + s / 10, "should be smoothing / K"),
    (ex.label_smoothing, lambda y, s: y + s / y.shape[-1], "still sum to 1"),
    (ex.label_smoothing, lambda y, s: np.clip(y, s / y.shape[-1], None) / np.clip(y, s / y.shape[-1], None).sum(-1, keepdims=True), "expected the first row"),
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


def test_label_smoothing_is_graded_at_several_classes_and_smoothings():
    cases = {(num_classes, smoothing) for _, num_classes, smoothing in ex._SMOOTHING_CASES}
    assert len({num_classes for num_classes, _ in cases}) >= 3
    assert len({smoothing for _, smoothing in cases}) >= 3


def in_place_softmax(logits):
    logits -= logits.max(axis=-1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=-1, keepdims=True)
    return logits


def in_place_sparse(labels, logits):
    logits -= logits.max(axis=-1, keepdims=True)
    return np.mean(np.log(np.exp(logits).sum(axis=-1)) - logits[np.arange(len(labels)), labels])


def in_place_binary(labels, logits):
    result = stable_bce(labels, logits)
    labels[:] = 0.0
    return result


def in_place_smooth(one_hot_labels, smoothing):
    one_hot_labels *= 1 - smoothing
    one_hot_labels += smoothing / one_hot_labels.shape[-1]
    return one_hot_labels


@pytest.mark.parametrize("exercise, answer", [
    (ex.stable_softmax, in_place_softmax),
    (ex.sparse_cross_entropy_from_logits, in_place_sparse),
    (ex.binary_cross_entropy_from_logits, in_place_binary),
    (ex.label_smoothing, in_place_smooth),
], ids=lambda value: getattr(value, "name", getattr(value, "__name__", "")))
def test_right_values_computed_in_place_are_rejected(exercise, answer):
    """Each of these returns the right numbers but overwrites the caller's array."""
    outcome, message = exercise.grade(answer)
    assert outcome == INCORRECT
    assert "changed the array it was given" in message, message


def test_the_modules_test_inputs_cannot_be_changed_by_an_answer():
    def vandal(logits):
        ex._LOGITS[:] = 0.0  # an answer that reaches into the checker's own data
        return ex.losses.softmax(logits)

    outcome, message = ex.stable_softmax.grade(vandal)
    assert outcome == INCORRECT and "ValueError" in message  # read-only: the answer's own crash
    assert ex.stable_softmax.grade(solution_function(ex.stable_softmax))[0] == CORRECT


def batch_dependent(correct, good_batch_size, wrong):
    """Right on the batch of ``good_batch_size`` rows, ``wrong`` on any other batch."""
    def answer(*args):
        return correct(*args) if len(args[-1]) == good_batch_size else wrong
    return answer


WRONG_TYPES = [
    (ex.stable_softmax, lambda z: 1.0, "wrong shape"),
    (ex.stable_softmax, lambda z: {"p": 1}, "should be numbers"),
    (ex.stable_softmax, lambda z: [[0.5, 0.5]], "wrong shape"),
    (ex.stable_softmax, batch_dependent(ex.losses.softmax, 6, np.ones(3)), "wrong shape"),
    (ex.stable_softmax, batch_dependent(ex.losses.softmax, 6, "nan"), "wrong shape"),
    (ex.stable_softmax, batch_dependent(ex.losses.softmax, 6, "one"), "should be numbers"),
    (ex.sparse_cross_entropy_from_logits, lambda y, z: "loss", "should be numbers"),
    (ex.sparse_cross_entropy_from_logits, lambda y, z: [1.0, 2.0], "wrong shape"),
    (ex.sparse_cross_entropy_from_logits,
     batch_dependent(ex.losses.sparse_categorical_cross_entropy_from_logits, 6, np.zeros(2)), "wrong shape"),
    (ex.binary_cross_entropy_from_logits, lambda y, z: object(), "should be numbers"),
    (ex.binary_cross_entropy_from_logits,
     batch_dependent(ex.losses.binary_cross_entropy_from_logits, 8, np.zeros(4)), "wrong shape"),
    (ex.label_smoothing, lambda y, s: 0.1, "wrong shape"),
    (ex.label_smoothing, lambda y, s: y.tolist(), "those of smoothing = 0.0"),
    (ex.label_smoothing, lambda y, s: y[0], "wrong shape"),
]


@pytest.mark.parametrize("exercise, answer, words", WRONG_TYPES)
def test_an_answer_of_the_wrong_type_or_shape_is_told_so_not_a_checker_crash(exercise, answer, words):
    with np.errstate(all="ignore"):
        outcome, message = exercise.grade(answer)
    assert outcome != ERROR, message
    assert outcome == INCORRECT
    assert words in message, message
