"""The lesson-3 exercises: the reference passes, each typical mistake gets its own message,
and the untouched template counts as not attempted."""

import numpy as np
import pytest
from keras import layers

from course_utils import models
from course_utils.exercises import fine_tuning as ex


def run_solution(exercise, name):
    return exercise.solution_namespace(np=np)[name]


# ------------------------------------------------------------ freeze_for_fine_tuning


def test_freeze_solution_passes_and_matches_the_real_model():
    solution = run_solution(ex.freeze_for_fine_tuning, "freeze_for_fine_tuning")
    assert ex.freeze_for_fine_tuning.grade(solution)[0] == "correct"
    base = solution(models.feature_extractor(models.build_classifier(augment=False)))
    assert sum(int(np.prod(w.shape)) for w in base.trainable_weights) == ex.TRAINABLE_PARAMETERS


def _unfreeze(names, container=True):
    def answer(base):
        base.trainable = container
        for layer in base.layers:
            layer.trainable = layer.name in names
        if not container:
            base.trainable = False
        return base
    return answer


def _everything(base):
    base.trainable = True
    return base


def _with_batch_norm(base):
    base.trainable = True
    for layer in base.layers:
        layer.trainable = layer.name in ex.TOP_LAYERS or isinstance(layer, layers.BatchNormalization)
    return base


@pytest.mark.parametrize("answer, message", [
    (_unfreeze(ex.TOP_LAYERS, container=False), "base.trainable is False"),
    (_unfreeze(()), "nothing is trainable"),
    (_everything, "BatchNormalization"),
    (_with_batch_norm, "BatchNormalization"),
    (_unfreeze(("features",)), "['block2_conv'] should be trainable"),
    (_unfreeze(("block1_conv", "block2_conv", "features")), "['block1_conv'] should stay frozen"),
    (lambda base: "done", "keras.Model"),
])
def test_freeze_mistakes(answer, message):
    result, text = ex.freeze_for_fine_tuning.grade(answer)
    assert result == "incorrect" and message in text, text


def test_freeze_every_layer_without_batch_norm_is_reported():
    def all_but_batch_norm(base):
        base.trainable = True
        for layer in base.layers:
            layer.trainable = not isinstance(layer, layers.BatchNormalization)
        return base

    result, text = ex.freeze_for_fine_tuning.grade(all_but_batch_norm)
    assert result == "incorrect" and "should stay frozen" in text


def test_freeze_template_is_not_attempted():
    def freeze_for_fine_tuning(base):
        ...  # the notebook's template

    assert ex.freeze_for_fine_tuning.grade(freeze_for_fine_tuning)[0] == "not attempted"


# -------------------------------------------------------------- trainable_parameters


def test_count_solution_passes():
    answer = run_solution(ex.trainable_parameters, "trainable_parameters")
    assert answer == 205_440
    assert ex.trainable_parameters.grade(answer)[0] == "correct"


@pytest.mark.parametrize("answer, message", [
    (205_440 - 128, "128 biases"),
    (205_440 + 32, "no biases"),
    (1568 * 128 + 128, "Dense layer alone"),
    (3 * 3 * 16 * 32, "convolution alone"),
    (3 * 3 * 32 + 1568 * 128 + 128, "16 input channels"),
    (12, "not it"),
    ("205440", "a number"),
    (True, "a number"),
])
def test_count_mistakes(answer, message):
    result, text = ex.trainable_parameters.grade(answer)
    assert result == "incorrect" and message in text


def test_count_template_is_not_attempted():
    assert ex.trainable_parameters.grade(...)[0] == "not attempted"


# --------------------------------------------------------- fine_tuning_learning_rate

# a sweep like the lesson's: validation accuracies on 500 images (standard error of 0.9: 0.013)
SWEEP = {1e-1: 0.112, 1e-2: 0.880, 1e-3: 0.900, 1e-4: 0.852}
N_VALIDATION = 500


def grade_rate(answer, sweep=SWEEP, n_validation=N_VALIDATION):
    return ex.fine_tuning_learning_rate.grade(answer, sweep=sweep, n_validation=n_validation)


def test_learning_rate_solution_passes_on_the_learners_sweep():
    with pytest.raises(NameError):
        ex.fine_tuning_learning_rate.solution_namespace(np=np)
    answer = ex.fine_tuning_learning_rate.solution_namespace(rate_accuracy=dict(SWEEP))[
        "fine_tuning_learning_rate"]
    assert answer == 1e-3
    assert grade_rate(answer)[0] == "correct"


def test_learning_rate_follows_the_sweep_not_a_fixed_rule():
    other = {1e-1: 0.10, 1e-2: 0.70, 1e-3: 0.80, 1e-4: 0.90}
    assert grade_rate(1e-4, sweep=other)[0] == "correct"
    assert grade_rate(1e-3, sweep=other)[0] == "incorrect"  # the same rate, another sweep
    assert grade_rate(1e-3)[0] == "correct"


def test_learning_rate_within_one_standard_error_passes():
    # 0.880 is 0.020 below 0.900; one standard error on 500 images is 0.0134, on 50 it is 0.042
    assert grade_rate(1e-2, n_validation=50)[0] == "correct"
    assert grade_rate(1e-2, n_validation=500)[0] == "incorrect"


def test_learning_rate_accepts_an_equal_float_and_numpy_numbers():
    assert grade_rate(0.001)[0] == "correct"
    assert grade_rate(np.float32(1e-3))[0] == "correct"


@pytest.mark.parametrize("answer, message", [
    (1e-4, "more than one standard error"),
    (0.1, "more than one standard error"),
    (3e-4, "not one of the rates your sweep measured"),
    (0.0, "positive"),
    (-1e-4, "positive"),
    (float("nan"), "positive"),
    ("1e-3", "a number"),
    (True, "a number"),
])
def test_learning_rate_mistakes(answer, message):
    result, text = grade_rate(answer)
    assert result == "incorrect" and message in text, text


def test_learning_rate_does_not_change_the_sweep():
    sweep = dict(SWEEP)
    grade_rate(1e-3, sweep=sweep)
    assert sweep == SWEEP


@pytest.mark.parametrize("sweep, n_validation", [
    (None, N_VALIDATION), ({}, N_VALIDATION), ([0.9], N_VALIDATION), ({1e-3: 1.5}, N_VALIDATION),
    (SWEEP, None), (SWEEP, 0), (SWEEP, 2.5),
])
def test_learning_rate_bad_lesson_inputs_are_the_checkers_error(sweep, n_validation):
    result, text = grade_rate(1e-3, sweep=sweep, n_validation=n_validation)
    assert result == "error" and "checker itself failed" in text, text


def test_learning_rate_template_is_not_attempted():
    assert grade_rate(...)[0] == "not attempted"


# -------------------------------------------------- labels_where_scratch_catches_up


def test_curve_solution_passes():
    answer = run_solution(ex.labels_where_scratch_catches_up, "labels_where_scratch_catches_up")
    assert ex.labels_where_scratch_catches_up.grade(answer)[0] == "correct"


def _first_index(sizes, scratch, fine_tuned, tolerance=0.01):
    for index, (a, b) in enumerate(zip(scratch, fine_tuned)):
        if a >= b - tolerance:
            return index
    return -1


def _never(sizes, scratch, fine_tuned, tolerance=0.01):
    return -1


def _strictly_better(sizes, scratch, fine_tuned, tolerance=0.01):
    for size, a, b in zip(sizes, scratch, fine_tuned):
        if a > b:
            return size
    return -1


def _strict_within_tolerance(sizes, scratch, fine_tuned, tolerance=0.01):
    for size, a, b in zip(sizes, scratch, fine_tuned):
        if a > b - tolerance:  # `>` where "no more than tolerance below" needs `>=`
            return size
    return -1


def _crashes(sizes, scratch, fine_tuned, tolerance=0.01):
    return sizes[len(sizes)]


def _changes_its_inputs(sizes, scratch, fine_tuned, tolerance=0.01):
    scratch.clear()  # the grader hands out copies, so its own expectations stay intact
    return -1


@pytest.mark.parametrize("answer, message", [
    (_first_index, "position in the list"),
    (_strict_within_tolerance, "compare with >=, not >"),
    (_crashes, "your code raised IndexError"),
    (_never, "does catch up"),
    (_strictly_better, "expected 50"),
    (lambda sizes, scratch, fine_tuned, tolerance=0.01: 1.5, "an int"),
])
def test_curve_mistakes(answer, message):
    result, text = ex.labels_where_scratch_catches_up.grade(answer)
    assert result == "incorrect" and message in text, text


def test_curve_answer_that_empties_its_inputs_does_not_break_the_grader():
    result, text = ex.labels_where_scratch_catches_up.grade(_changes_its_inputs)
    assert result == "incorrect" and "does catch up" in text, text
    solution = run_solution(ex.labels_where_scratch_catches_up, "labels_where_scratch_catches_up")
    assert ex.labels_where_scratch_catches_up.grade(solution)[0] == "correct"


def test_curve_template_is_not_attempted():
    def labels_where_scratch_catches_up(sizes, scratch, fine_tuned, tolerance=0.01):
        ...  # the notebook's template

    assert ex.labels_where_scratch_catches_up.grade(labels_where_scratch_catches_up)[0] == "not attempted"
