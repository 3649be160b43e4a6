"""Graded exercises of lesson 2 (training a source model properly).

1. ``choose_loss`` -- the Keras loss for integer labels and a model that outputs logits.
2. ``early_stopping`` -- an ``EarlyStopping`` callback that watches validation accuracy and
   keeps the best epoch's weights.
3. ``best_epoch`` -- read a learning curve: which epoch does early stopping keep?
4. ``per_class_accuracy`` -- the accuracy of each true class, from a confusion matrix.
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import Exercise, Incorrect, call_answer

# ---------------------------------------------------------------------- 1. the loss


def _grade_loss(loss):
    import keras

    if isinstance(loss, str):
        raise Incorrect(
            f"a string like {loss!r} gives the loss's default from_logits=False; "
            "build the loss object so you can say the model outputs logits"
        )
    if isinstance(loss, type):
        raise Incorrect("that is the class itself; call it to make a loss object, e.g. SomeLoss(...)")
    if isinstance(loss, keras.losses.CategoricalCrossentropy):
        raise Incorrect("categorical cross-entropy needs one-hot labels; our labels are integers 0-9")
    if isinstance(loss, keras.losses.BinaryCrossentropy):
        raise Incorrect("binary cross-entropy is for two classes (or independent yes/no outputs); we have 10 classes")
    if not isinstance(loss, keras.losses.SparseCategoricalCrossentropy):
        raise Incorrect(f"expected a cross-entropy for 10 classes with integer labels, got {type(loss).__name__}")
    if not loss.from_logits:
        raise Incorrect(
            "right loss, but from_logits=False treats the model's outputs as probabilities; "
            "the last layer has no softmax, so pass from_logits=True"
        )


choose_loss = Exercise(
    name="Choose the loss",
    grader=_grade_loss,
    hint_text=(
        "The labels are integers (not one-hot vectors), and the last Dense layer has no "
        "activation. Which keras.losses class takes integer labels, and which argument says "
        "the inputs are logits?"
    ),
    solution_code="loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
)


# ----------------------------------------------------------------- 2. early stopping


def _grade_early_stopping(callback):
    import keras

    if not isinstance(callback, keras.callbacks.EarlyStopping):
        raise Incorrect(f"expected a keras.callbacks.EarlyStopping, got {type(callback).__name__}")
    if callback.monitor != "val_accuracy":
        if callback.monitor == "accuracy":
            raise Incorrect("it monitors the TRAINING accuracy, which keeps rising while the model overfits; "
                            "monitor 'val_accuracy'")
        raise Incorrect(f"it monitors {callback.monitor!r}; this exercise asks for the validation accuracy, 'val_accuracy'")
    if callback.mode == "min":
        raise Incorrect("mode='min' stops when accuracy goes UP; use mode='max' or leave mode='auto'")
    if callback.patience != 3:
        raise Incorrect(f"patience is {callback.patience}; the exercise asks to wait 3 epochs without improvement")
    if not callback.restore_best_weights:
        raise Incorrect("without restore_best_weights=True the model keeps the LAST epoch's weights, "
                        "not the best ones")


early_stopping = Exercise(
    name="Early stopping",
    grader=_grade_early_stopping,
    hint_text=(
        "keras.callbacks.EarlyStopping takes monitor=, patience= and restore_best_weights=. "
        "Watch a metric of data the model does not train on."
    ),
    solution_code=(
        'callback = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=3, '
        "restore_best_weights=True)"
    ),
)


# ------------------------------------------------------------------- 3. best epoch

_HISTORIES = [
    {"accuracy": [0.60, 0.80, 0.88, 0.97, 0.95, 0.96], "val_accuracy": [0.55, 0.81, 0.90, 0.89, 0.88, 0.87]},
    {"accuracy": [0.50, 0.70, 0.80, 0.85, 0.90], "val_accuracy": [0.52, 0.66, 0.79, 0.84, 0.86]},
    {"accuracy": [0.40, 0.75, 0.81, 0.86, 0.88, 0.93, 0.95],
     "val_accuracy": [0.70, 0.72, 0.85, 0.85, 0.84, 0.83, 0.82]},
]


def _expected_best_epoch(history):
    return int(np.argmax(history["val_accuracy"])) + 1


def _grade_best_epoch(function):
    for history in _HISTORIES:
        copy = {key: list(values) for key, values in history.items()}
        got = call_answer(function, copy)
        expected = _expected_best_epoch(history)
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
            raise Incorrect(f"return an epoch number (an int), got {type(got).__name__}")
        got = int(got)
        if got == expected:
            continue
        if got == expected - 1:
            raise Incorrect("off by one: np.argmax gives a 0-based index, but epochs are counted from 1")
        if got == len(history["val_accuracy"]):
            raise Incorrect("that is the last epoch; early stopping with restore_best_weights keeps the best one")
        if got == int(np.argmax(history["accuracy"])) + 1:
            raise Incorrect("you picked the best TRAINING accuracy; early stopping watches 'val_accuracy'")
        if got == int(np.argmin(history["val_accuracy"])) + 1:
            raise Incorrect("you picked the LOWEST validation accuracy; accuracy is better when higher")
        raise Incorrect(f"for val_accuracy {history['val_accuracy']} expected epoch {expected}, got {got}")


best_epoch = Exercise(
    name="Read the learning curve",
    grader=_grade_best_epoch,
    hint_text=(
        "Look at history['val_accuracy'] only. np.argmax finds the position of the largest "
        "value (the first one on a tie, as EarlyStopping keeps the first best epoch); "
        "Keras numbers epochs from 1."
    ),
    solution_code="""
        def best_epoch(history):
            return int(np.argmax(history["val_accuracy"])) + 1
    """,
)


# ------------------------------------------------------------ 4. per-class accuracy

_MATRIX = np.array([
    [50, 0, 2, 0, 0, 0, 1, 0, 0, 0],
    [0, 58, 0, 0, 0, 0, 0, 1, 0, 0],
    [1, 2, 40, 3, 0, 0, 0, 2, 1, 0],
    [0, 0, 1, 45, 0, 4, 0, 1, 2, 0],
    [0, 0, 0, 0, 47, 0, 1, 0, 0, 6],
    [1, 0, 0, 3, 0, 38, 1, 0, 2, 0],
    [2, 0, 0, 0, 1, 1, 50, 0, 0, 0],
    [0, 3, 2, 0, 0, 0, 0, 49, 0, 4],
    [1, 0, 1, 2, 1, 2, 0, 0, 35, 2],
    [0, 0, 0, 1, 5, 0, 0, 3, 0, 44],
])


def _grade_per_class_accuracy(function):
    got = call_answer(function, _MATRIX.copy())
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"return an array of 10 numbers, got {type(got).__name__}") from None
    if got.shape != (10,):
        raise Incorrect(f"return one number per class, shape (10,); got shape {got.shape}")
    diagonal = np.diag(_MATRIX).astype(float)
    expected = diagonal / _MATRIX.sum(axis=1)
    if np.allclose(got, expected):
        return
    if np.allclose(got, diagonal / _MATRIX.sum(axis=0)):
        raise Incorrect("you divided by the COLUMN sums (how often a class was predicted: precision); "
                        "rows are the true classes, so divide by the row sums")
    if np.allclose(got, diagonal):
        raise Incorrect("those are counts of correct predictions; divide by how many examples each class has")
    if np.allclose(got, expected * 100):
        raise Incorrect("percentages: return fractions between 0 and 1")
    raise Incorrect(f"expected {np.round(expected, 3)}, got {np.round(got, 3)}")


per_class_accuracy = Exercise(
    name="Per-class accuracy",
    grader=_grade_per_class_accuracy,
    hint_text=(
        "matrix[true, predicted]: the diagonal holds the correct predictions of each class; "
        "each row holds every example of one true class."
    ),
    solution_code="""
        def per_class_accuracy(matrix):
            matrix = np.asarray(matrix, dtype=float)
            return np.diag(matrix) / matrix.sum(axis=1)
    """,
)
