"""The argument checks every public function relies on."""

import re

import numpy as np
import pytest

from course_utils import validation


def test_valid_values_pass_through_converted():
    assert validation.as_float_array([1, 2], "x").dtype == np.float64
    assert validation.as_label_array(np.array([0.0, 3.0]), "y", num_classes=4).tolist() == [0, 3]
    assert validation.as_images(np.zeros((2, 28, 28)), "images").shape == (2, 28, 28, 1)
    assert validation.check_int(np.int64(3), "n") == 3
    assert validation.check_float(1, "rate", minimum=0.0) == 1.0
    assert validation.check_choice("a", "mode", ("a", "b")) == "a"
    assert validation.as_float_array([[1, 2]], "x", shape=(None, 2)).shape == (1, 2)


@pytest.mark.parametrize("call, error, words", [
    (lambda: validation.as_float_array(None, "x"), TypeError, "x must be an array of numbers, got NoneType"),
    (lambda: validation.as_float_array([1 + 2j], "x"), TypeError, "x must hold real numbers"),
    (lambda: validation.as_float_array([[1], [2, 3]], "x"), TypeError, "x must be an array of numbers"),
    (lambda: validation.as_float_array([[1, 2, 3]], "x", shape=(None, 2)), ValueError, "x must have shape (N, 2), got (1, 3)"),
    (lambda: validation.as_float_array([np.nan], "x"), ValueError, "x contains NaN or infinite values"),
    (lambda: validation.as_label_array(["a"], "y"), TypeError, "y must hold integer class labels"),
    (lambda: validation.as_label_array([[0, 1]], "y"), ValueError, "y must have 1 dimensions"),
    (lambda: validation.as_label_array([np.inf], "y"), ValueError, "y contains NaN or infinite values"),
    (lambda: validation.check_int(True, "n"), TypeError, "n must be an integer, got bool"),
    (lambda: validation.check_int(5, "n", maximum=4), ValueError, "n must be <= 4, got 5"),
    (lambda: validation.check_float(float("nan"), "rate"), ValueError, "rate must be finite"),
    (lambda: validation.check_float(0.0, "rate", minimum=0.0, inclusive=False), ValueError, "rate must be in (0.0, None)"),
    (lambda: validation.check_choice("c", "mode", ("a", "b")), ValueError, "mode must be one of 'a', 'b'; got 'c'"),
])
def test_bad_values_are_named_and_explained(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()
