"""The lesson-2 exercises: the reference passes, each typical mistake gets its own message,
and the untouched template counts as not attempted."""

import keras
import numpy as np
import pytest

from course_utils.exercises import source_model as ex


def outcome(exercise, answer):
    return exercise.grade(answer)


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
])
def test_early_stopping_mistakes(kwargs, message):
    result, text = outcome(ex.early_stopping, keras.callbacks.EarlyStopping(**kwargs))
    assert result == "incorrect" and message in text


def test_early_stopping_rejects_other_callbacks_and_template():
    result, text = outcome(ex.early_stopping, keras.callbacks.ModelCheckpoint("x.keras"))
    assert result == "incorrect" and "EarlyStopping" in text
    assert outcome(ex.early_stopping, None)[0] == "not attempted"


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
])
def test_best_epoch_mistakes(answer, message):
    result, text = outcome(ex.best_epoch, answer)
    assert result == "incorrect" and message in text


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
