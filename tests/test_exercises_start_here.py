"""Lesson 0's warm-up: the solution a learner is shown runs in the lesson, the template is
'not attempted', and every wrong answer, of any type, gets its own message."""

import numpy as np
import pytest

import course_utils as cu
from course_utils.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from course_utils.exercises import start_here as ex


@pytest.fixture(scope="module")
def mnist():
    return cu.data.load_mnist("offline", seed=0)  # the lesson's variable, offline


def test_the_solution_runs_with_the_lessons_names_and_is_correct(mnist):
    namespace = ex.image_shape.solution_namespace(mnist=mnist)
    assert namespace["answer"] == (28, 28, 1)
    assert ex.image_shape.grade(namespace["answer"]) == (CORRECT, "Correct!")


def test_hint_and_solution_name_only_the_lessons_variable(capsys):
    ex.image_shape.hint()
    ex.image_shape.solution()
    printed = capsys.readouterr().out
    assert "mnist.x_train[0].shape" in printed
    assert "data." not in printed.replace("cu.data.", "")


def test_template_is_not_attempted():
    assert ex.image_shape.grade(...)[0] == NOT_ATTEMPTED
    assert ex.image_shape.grade(None)[0] == NOT_ATTEMPTED


def test_numpy_integers_are_accepted():
    assert ex.image_shape.grade(tuple(np.array([28, 28, 1])))[0] == CORRECT


@pytest.mark.parametrize("answer, words", [
    ((28, 28), "channel axis"),
    ((1, 28, 28), "channels come LAST"),
    ((3600, 28, 28, 1), "whole batch"),
    ([28, 28, 1], "as a tuple"),
    ("(28, 28, 1)", "got str"),
    (784, "got int"),
    (np.zeros((28, 28, 1)), "ask the array for its .shape"),
    ((28.5, 28, 1), "whole numbers"),
    ((np.zeros(2), 28, 1), "whole numbers"),
    ((True, 28, 1), "whole numbers"),
    ((32, 32, 3), "not the shape of one image"),
    ((), "not the shape of one image"),
])
def test_each_wrong_answer_is_incorrect_with_its_own_message(answer, words):
    outcome, message = ex.image_shape.grade(answer)
    assert outcome == INCORRECT, message
    assert words in message, message
