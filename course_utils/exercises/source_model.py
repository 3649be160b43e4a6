"""Graded exercises of lesson 2 (training a source model properly).

1. ``choose_loss`` -- the Keras loss for integer labels and a model that outputs logits.
2. ``early_stopping`` -- an ``EarlyStopping`` callback that watches validation accuracy and
   keeps the best epoch's weights.
3. ``best_epoch`` -- read a learning curve: which epoch does early stopping keep?
4. ``per_class_accuracy`` -- the accuracy of each true class, from a confusion matrix.
5. ``hardest_digit`` -- the class with the lowest per-class accuracy in the lesson's own
   confusion matrix, computed by the grader from the matrix it is given (no fixed digit).

Graders hand the learner copies of their inputs (the module's own arrays are read-only),
so an answer that changes its argument cannot change the next check. A crash inside the
learner's code is reported as the learner's; a crash in a grader's own code is reported as
the checker's (outcome :data:`CHECKER_ERROR`), never as a mistake in the answer.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_utils.exercises import ERROR, Exercise, Incorrect, call_answer

#: The outcome of a check when the checker itself crashed (kept here for the tests).
CHECKER_ERROR = ERROR


def _read_only(array):
    array = np.array(array)
    array.setflags(write=False)
    return array

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
    ignore_class = getattr(loss, "ignore_class", None)
    if ignore_class is not None:
        raise Incorrect(
            f"ignore_class={ignore_class!r} leaves every image labelled {ignore_class!r} out of the loss, "
            f"so the model would never be trained to recognise the digit {ignore_class}; leave ignore_class=None"
        )
    if loss.reduction in (None, "none"):
        raise Incorrect("reduction=None returns one loss per image; training needs their mean "
                        "(leave the default reduction)")
    if loss.reduction == "sum":
        raise Incorrect("reduction='sum' adds the losses of a batch, so the gradient grows with the batch "
                        "size (64 times the mean's here); leave the default reduction, the mean")
    axis = getattr(loss, "_fn_kwargs", {}).get("axis", -1)
    if axis not in (-1, 1):
        raise Incorrect(f"axis={axis!r}: the 10 logits lie along the last axis, so leave axis=-1")


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


#: One more correct image out of the lesson's 400 validation images.
_SMALLEST_GAIN = 1 / 400


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
    if callback.start_from_epoch != 0:
        raise Incorrect(
            f"start_from_epoch={callback.start_from_epoch!r} ignores the first {callback.start_from_epoch} "
            "epochs, so it cannot stop (or remember a best epoch) before then"
            + (" -- never, in a 20-epoch run" if callback.start_from_epoch >= 20 else "")
            + "; the exercise watches from the first epoch: leave start_from_epoch=0"
        )
    if abs(callback.min_delta) >= _SMALLEST_GAIN:
        raise Incorrect(
            f"min_delta={abs(callback.min_delta):g} counts a better validation accuracy as progress only "
            f"when it rises by {abs(callback.min_delta):g} or more ({abs(callback.min_delta) * 400:g} of the "
            "400 validation images at once), so real improvements are ignored; leave min_delta=0"
        )
    if callback.baseline is not None:
        raise Incorrect(f"baseline={callback.baseline!r} also stops training that has not beaten that value; "
                        "the exercise asks only for patience, so leave baseline=None")


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

_HISTORIES = (
    {"accuracy": (0.60, 0.80, 0.88, 0.97, 0.95, 0.96), "val_accuracy": (0.55, 0.81, 0.90, 0.89, 0.88, 0.87)},
    {"accuracy": (0.50, 0.70, 0.80, 0.85, 0.90), "val_accuracy": (0.52, 0.66, 0.79, 0.84, 0.86)},
    {"accuracy": (0.40, 0.75, 0.81, 0.86, 0.88, 0.93, 0.95),
     "val_accuracy": (0.70, 0.72, 0.85, 0.85, 0.84, 0.83, 0.82)},
)


def _expected_best_epoch(history):
    return int(np.argmax(history["val_accuracy"])) + 1


def _grade_best_epoch(function):
    for history in _HISTORIES:
        copy = {key: list(values) for key, values in history.items()}  # the learner may change it
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
        values = list(history["val_accuracy"])
        if got - 1 in range(len(values)) and values[got - 1] == max(values):
            raise Incorrect(f"val_accuracy {values} reaches its best value twice; EarlyStopping keeps the "
                            f"FIRST epoch that reached it (epoch {expected}), a later tie is no improvement")
        raise Incorrect(f"for val_accuracy {values} expected epoch {expected}, got {got}")


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

_MATRIX = _read_only([
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
    got = call_answer(function, _MATRIX.copy())  # a writable copy: the learner may change it
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


# ----------------------------------------------------------------- 5. hardest digit


def _confusion_counts(matrix):
    """The lesson's confusion matrix, checked (it is an input of the check, not the answer)."""
    try:
        counts = np.array(matrix, dtype=float)  # a copy: the grader never changes the lesson's matrix
    except (TypeError, ValueError):
        raise Incorrect(f"pass matrix= a 10x10 confusion matrix, got {type(matrix).__name__}") from None
    if counts.shape != (10, 10):
        raise Incorrect(f"pass matrix= the 10x10 confusion matrix of the lesson, got shape {counts.shape}")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise Incorrect("matrix= must hold counts of images (whole numbers >= 0)")
    if np.any(counts.sum(axis=1) == 0):
        empty = [int(row) for row in np.flatnonzero(counts.sum(axis=1) == 0)]
        raise Incorrect(f"matrix= has no image of the digits {empty}: their accuracy is undefined")
    return counts


def _grade_hardest_digit(answer, matrix=None):
    if matrix is None:
        raise Incorrect("call it as ex.hardest_digit.check(hardest_digit, matrix=mnist_matrix): "
                        "the checker computes the answer from that matrix")
    counts = _confusion_counts(matrix)
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (numbers.Integral, np.integer)):
        if isinstance(answer, (list, tuple, np.ndarray)):
            raise Incorrect("that is several numbers; give one digit, the class with the lowest accuracy")
        raise Incorrect(f"give the digit as an int 0-9, got {type(answer).__name__}")
    answer = int(answer)
    if not 0 <= answer <= 9:
        raise Incorrect(f"a digit is 0-9, got {answer}")
    accuracy = np.diag(counts) / counts.sum(axis=1)
    lowest = np.flatnonzero(accuracy == accuracy.min())
    if answer in lowest:
        return
    expected = int(lowest[0])
    if answer == int(np.argmax(accuracy)):
        raise Incorrect(f"digit {answer} is the EASIEST one (accuracy {accuracy[answer]:.3f}); "
                        "look for the lowest accuracy")
    if answer == int(np.argmin(np.diag(counts))):
        raise Incorrect(f"digit {answer} has the fewest correct images, but the classes differ in size: "
                        "divide by each row's sum before comparing")
    column_sums = counts.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(column_sums > 0, np.diag(counts) / column_sums, np.inf)
    if answer == int(np.argmin(precision)):
        raise Incorrect(f"digit {answer} has the lowest share of correct predictions in its COLUMN "
                        "(precision); rows are the true digits")
    off_diagonal = counts - np.diag(np.diag(counts))
    if answer == int(np.argmax(off_diagonal.sum(axis=0))):
        raise Incorrect(f"digit {answer} is the wrong answer the model gives most often (its column), "
                        "not the true digit it reads worst (a row)")
    raise Incorrect(f"in this matrix digit {answer} has accuracy {accuracy[answer]:.3f}, but digit "
                    f"{expected} has {accuracy[expected]:.3f}")


hardest_digit = Exercise(
    name="The hardest digit",
    grader=_grade_hardest_digit,
    hint_text=(
        "Apply your per_class_accuracy to the matrix and take the position of the smallest "
        "value (np.argmin); positions are the digits."
    ),
    solution_code="hardest_digit = int(np.argmin(per_class_accuracy(mnist_matrix)))",
)
