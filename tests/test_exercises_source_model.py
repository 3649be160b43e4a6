"""The lesson-2 exercises: the reference passes, each typical mistake gets its own message,
and the untouched template counts as not attempted."""

import keras
import numpy as np
import pytest

from course_utils.exercises import source_model as ex


def outcome(exercise, answer, **inputs):
    return exercise.grade(answer, **inputs)


def run_solution(exercise, name):
    return exercise.solution_namespace(np=np, keras=keras)[name]


# ------------------------------------------------------------------------ choose_loss


def test_choose_loss_solution_passes():
    assert outcome(ex.choose_loss, run_solution(ex.choose_loss, "loss"))[0] == "correct"


@pytest.mark.parametrize("answer, message", [
    (keras.losses.SparseCategoricalCrossentropy(), "from_logits=True"),
    (keras.losses.CategoricalCrossentropy(from_logits=True), "one-hot"),
    (keras.losses.BinaryCrossentropy(from_logits=True), "two classes"),
    ("sparse_categorical_crossentropy", "from_logits=False"),
    (keras.losses.SparseCategoricalCrossentropy, "the class itself"),
    (keras.losses.MeanSquaredError(), "MeanSquaredError"),
    (keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0), "ignore_class=0"),
    (keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=7), "digit 7"),
    (keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="sum"), "reduction='sum'"),
    (keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None), "one loss per image"),
    (keras.losses.SparseCategoricalCrossentropy(from_logits=True, axis=0), "axis=0"),
])
def test_choose_loss_mistakes(answer, message):
    result, text = outcome(ex.choose_loss, answer)
    assert result == "incorrect" and message in text


def test_choose_loss_template_is_not_attempted():
    assert outcome(ex.choose_loss, ...)[0] == "not attempted"


# --------------------------------------------------------------------- early_stopping


def test_early_stopping_solution_passes():
    assert outcome(ex.early_stopping, run_solution(ex.early_stopping, "callback"))[0] == "correct"


@pytest.mark.parametrize("kwargs, message", [
    ({"monitor": "accuracy", "patience": 3, "restore_best_weights": True}, "TRAINING accuracy"),
    ({"monitor": "val_loss", "patience": 3, "restore_best_weights": True}, "'val_loss'"),
    ({"monitor": "val_accuracy", "patience": 3, "restore_best_weights": True, "mode": "min"}, "mode='min'"),
    ({"monitor": "val_accuracy", "patience": 10, "restore_best_weights": True}, "patience is 10"),
    ({"monitor": "val_accuracy", "patience": 3}, "LAST epoch"),
    ({"monitor": "val_accuracy", "patience": 3, "restore_best_weights": True, "start_from_epoch": 100},
     "start_from_epoch=100"),
    ({"monitor": "val_accuracy", "patience": 3, "restore_best_weights": True, "start_from_epoch": 2},
     "from the first epoch"),
    ({"monitor": "val_accuracy", "patience": 3, "restore_best_weights": True, "min_delta": 0.5}, "min_delta=0.5"),
    ({"monitor": "val_accuracy", "patience": 3, "restore_best_weights": True, "min_delta": -0.5}, "min_delta=0.5"),
    ({"monitor": "val_accuracy", "patience": 3, "restore_best_weights": True, "min_delta": 0.01}, "min_delta=0.01"),
    ({"monitor": "val_accuracy", "patience": 3, "restore_best_weights": True, "baseline": 0.99}, "baseline"),
])
def test_early_stopping_mistakes(kwargs, message):
    result, text = outcome(ex.early_stopping, keras.callbacks.EarlyStopping(**kwargs))
    assert result == "incorrect" and message in text


def test_early_stopping_rejects_other_callbacks_and_template():
    result, text = outcome(ex.early_stopping, keras.callbacks.ModelCheckpoint("x.keras"))
    assert result == "incorrect" and "EarlyStopping" in text
    assert outcome(ex.early_stopping, None)[0] == "not attempted"


def test_early_stopping_accepts_a_gain_below_one_validation_image():
    callback = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=3, restore_best_weights=True,
                                             min_delta=0.001, mode="max")
    assert outcome(ex.early_stopping, callback)[0] == "correct"


# ------------------------------------------------------------------------ best_epoch


def test_best_epoch_solution_passes():
    assert outcome(ex.best_epoch, run_solution(ex.best_epoch, "best_epoch"))[0] == "correct"


@pytest.mark.parametrize("answer, message", [
    (lambda history: int(np.argmax(history["val_accuracy"])), "off by one"),
    (lambda history: len(history["val_accuracy"]), "last epoch"),
    (lambda history: int(np.argmax(history["accuracy"])) + 1, "TRAINING accuracy"),
    (lambda history: int(np.argmin(history["val_accuracy"])) + 1, "LOWEST"),
    (lambda history: float(np.argmax(history["val_accuracy"]) + 1), "an int"),
    (lambda history: 5, "expected epoch"),
    (lambda history: len(history["val_accuracy"]) - int(np.argmax(history["val_accuracy"][::-1])), "FIRST epoch"),
])
def test_best_epoch_mistakes(answer, message):
    result, text = outcome(ex.best_epoch, answer)
    assert result == "incorrect" and message in text


def test_best_epoch_answer_that_changes_its_input_cannot_change_the_next_check():
    def destructive(history):
        best = int(np.argmax(history["val_accuracy"])) + 1
        history["val_accuracy"].clear()
        return best

    assert outcome(ex.best_epoch, destructive)[0] == "correct"
    assert outcome(ex.best_epoch, run_solution(ex.best_epoch, "best_epoch"))[0] == "correct"


def test_best_epoch_template_is_not_attempted():
    def best_epoch(history):
        ...  # the notebook's template

    assert outcome(ex.best_epoch, best_epoch)[0] == "not attempted"


# ---------------------------------------------------------------- per_class_accuracy


def test_per_class_accuracy_solution_passes():
    answer = run_solution(ex.per_class_accuracy, "per_class_accuracy")
    assert outcome(ex.per_class_accuracy, answer)[0] == "correct"


@pytest.mark.parametrize("answer, message", [
    (lambda m: np.diag(m) / m.sum(axis=0), "COLUMN sums"),
    (lambda m: np.diag(m), "counts"),
    (lambda m: 100 * np.diag(m) / m.sum(axis=1), "percentages"),
    (lambda m: np.diag(m).sum() / m.sum(), "shape (10,)"),
    (lambda m: np.diag(m) / m.sum(), "expected"),
])
def test_per_class_accuracy_mistakes(answer, message):
    result, text = outcome(ex.per_class_accuracy, answer)
    assert result == "incorrect" and message in text


def test_per_class_accuracy_template_is_not_attempted():
    def per_class_accuracy(matrix):
        raise NotImplementedError

    assert outcome(ex.per_class_accuracy, per_class_accuracy)[0] == "not attempted"


def test_per_class_accuracy_answer_that_changes_its_input_cannot_change_the_next_check():
    def destructive(m):
        result = np.diag(m) / m.sum(axis=1)
        m[:] = 0
        return result

    assert outcome(ex.per_class_accuracy, destructive)[0] == "correct"
    assert outcome(ex.per_class_accuracy, run_solution(ex.per_class_accuracy, "per_class_accuracy"))[0] == "correct"


# ---------------------------------------------------------------------- hardest_digit

# Rows of different sizes, so that the fewest correct images (digit 1) is not the lowest
# accuracy (digit 3); the most predicted wrong answer is 8 and the lowest precision is 5.
LESSON_MATRIX = np.array([
    [90, 0, 0, 0, 0, 0, 0, 0, 10, 0],
    [0, 30, 0, 0, 0, 0, 0, 0, 2, 0],
    [0, 0, 80, 0, 0, 0, 0, 0, 20, 0],
    [0, 0, 0, 40, 0, 30, 0, 0, 30, 0],
    [0, 0, 0, 0, 95, 0, 0, 0, 5, 0],
    [0, 0, 0, 0, 0, 58, 0, 0, 2, 0],
    [0, 0, 0, 0, 0, 20, 80, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 99, 1, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 99, 1],
    [0, 0, 0, 0, 0, 10, 0, 0, 10, 80],
])


def per_class(m):
    m = np.asarray(m, dtype=float)
    return np.diag(m) / m.sum(axis=1)


def test_hardest_digit_is_computed_from_the_matrix_it_is_given():
    assert outcome(ex.hardest_digit, 3, matrix=LESSON_MATRIX) == ("correct", "Correct!")
    # the same answer is wrong for another matrix: nothing is hard-coded
    other = LESSON_MATRIX.copy()
    other[3] = [0, 0, 0, 100, 0, 0, 0, 0, 0, 0]
    assert outcome(ex.hardest_digit, 3, matrix=other)[0] == "incorrect"
    assert outcome(ex.hardest_digit, int(np.argmin(per_class(other))), matrix=other)[0] == "correct"


def test_hardest_digit_solution_passes_on_the_lesson_matrix():
    namespace = ex.hardest_digit.solution_namespace(np=np, per_class_accuracy=per_class, mnist_matrix=LESSON_MATRIX)
    assert outcome(ex.hardest_digit, namespace["hardest_digit"], matrix=LESSON_MATRIX)[0] == "correct"


@pytest.mark.parametrize("answer, message", [
    (7, "EASIEST"),
    (1, "fewest correct images"),
    (5, "COLUMN"),
    (8, "wrong answer the model gives most often"),
    (0, "digit 3 has 0.400"),
    (3.0, "an int 0-9"),
    (True, "an int 0-9"),
    ([3], "several numbers"),
    (12, "a digit is 0-9"),
])
def test_hardest_digit_mistakes(answer, message):
    result, text = outcome(ex.hardest_digit, answer, matrix=LESSON_MATRIX)
    assert result == "incorrect" and message in text, text


@pytest.mark.parametrize("matrix, message", [
    (None, "matrix=mnist_matrix"),
    (np.ones((3, 3)), "shape (3, 3)"),
    (np.full((10, 10), 0.5), "whole numbers"),
    (np.diag([1] * 9 + [0]), "digits [9]"),
    ("matrix", "10x10"),
])
def test_hardest_digit_says_what_is_wrong_with_the_matrix(matrix, message):
    result, text = outcome(ex.hardest_digit, 3, matrix=matrix)
    assert result == "incorrect" and message in text, text


def test_hardest_digit_does_not_change_the_lessons_matrix_and_accepts_ties():
    matrix = np.diag([10] * 10)
    matrix[2, 2], matrix[2, 3], matrix[6, 6], matrix[6, 5] = 5, 5, 5, 5
    before = matrix.copy()
    assert outcome(ex.hardest_digit, 2, matrix=matrix)[0] == "correct"
    assert outcome(ex.hardest_digit, 6, matrix=matrix)[0] == "correct"
    assert np.array_equal(matrix, before)
    assert outcome(ex.hardest_digit, ...)[0] == "not attempted"


# ------------------------------------------------------------- the checker's own crashes


def test_a_crash_in_the_checker_is_the_checkers_not_the_learners(monkeypatch, capsys):
    def broken(history):
        raise IndexError("a bug in the checker")

    monkeypatch.setattr(ex, "_expected_best_epoch", broken)
    result, text = outcome(ex.best_epoch, run_solution(ex.best_epoch, "best_epoch"))
    assert result == ex.CHECKER_ERROR and "checker itself failed" in text and "not a mistake in your answer" in text
    ex.best_epoch.check(run_solution(ex.best_epoch, "best_epoch"))
    printed = capsys.readouterr().out
    assert "checker itself failed" in printed and "Stuck?" not in printed


def test_a_crash_in_the_learners_code_is_the_learners():
    def crashing(matrix):
        return matrix.shape[5]

    result, text = outcome(ex.per_class_accuracy, crashing)
    assert result == "incorrect" and "your code raised IndexError" in text
