import numpy as np
import pytest

from course_utils.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from course_utils.exercises import start_here as ex


def test_reference_and_template():
    assert ex.image_shape.grade(np.zeros((5, 28, 28, 1))[0].shape)[0] == CORRECT
    assert ex.image_shape.grade(...)[0] == NOT_ATTEMPTED


@pytest.mark.parametrize("answer, words", [
    ((28, 28), "channel axis"),
    ((1, 28, 28), "channels come LAST"),
    ((3600, 28, 28, 1), "whole batch"),
    ([28, 28, 1], "as a tuple"),
    ((32, 32, 3), "not the shape of one image"),
])
def test_mistakes(answer, words):
    outcome, message = ex.image_shape.grade(answer)
    assert outcome == INCORRECT and words in message
