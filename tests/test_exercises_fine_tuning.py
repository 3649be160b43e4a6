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


@pytest.mark.parametrize("answer", [1e-4, 3e-4, 1e-5, 5e-5])
def test_learning_rate_reasonable_values_pass(answer):
    assert ex.fine_tuning_learning_rate.grade(answer)[0] == "correct"


def test_learning_rate_solution_passes():
    answer = run_solution(ex.fine_tuning_learning_rate, "fine_tuning_learning_rate")
    assert ex.fine_tuning_learning_rate.grade(answer)[0] == "correct"


@pytest.mark.parametrize("answer, message", [
    (1e-2, "overwrites the pretrained weights"),
    (0.1, "overwrites the pretrained weights"),
    (1e-3, "as high as"),
    (1e-8, "so small"),
    (0.0, "positive"),
    (-1e-4, "positive"),
    ("1e-4", "a number"),
])
def test_learning_rate_mistakes(answer, message):
    result, text = ex.fine_tuning_learning_rate.grade(answer)
    assert result == "incorrect" and message in text


def test_learning_rate_template_is_not_attempted():
    assert ex.fine_tuning_learning_rate.grade(...)[0] == "not attempted"


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


@pytest.mark.parametrize("answer, message", [
    (_first_index, "position in the list"),
    (_never, "does catch up"),
    (_strictly_better, "expected 50"),
    (lambda sizes, scratch, fine_tuned, tolerance=0.01: 1.5, "an int"),
])
def test_curve_mistakes(answer, message):
    result, text = ex.labels_where_scratch_catches_up.grade(answer)
    assert result == "incorrect" and message in text, text


def test_curve_template_is_not_attempted():
    def labels_where_scratch_catches_up(sizes, scratch, fine_tuned, tolerance=0.01):
        ...  # the notebook's template

    assert ex.labels_where_scratch_catches_up.grade(labels_where_scratch_catches_up)[0] == "not attempted"
