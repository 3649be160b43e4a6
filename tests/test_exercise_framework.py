"""The exercise framework itself: outcomes, keyword inputs, and whose crash a crash is."""

import json

import numpy as np
import pytest

from course_utils.exercises import (
    CORRECT,
    ERROR,
    INCORRECT,
    NOT_ATTEMPTED,
    RECORD_VARIABLE,
    Exercise,
    Incorrect,
    call_answer,
    run_learner_code,
)


def _largest_grader(answer, *, values):
    if call_answer(answer, np.array(values)) != max(values):
        raise Incorrect("that is not the largest value")


largest = Exercise("largest", _largest_grader, "use max", "def f(v):\n    return v.max()\n")


def test_keyword_inputs_reach_the_grader():
    assert largest.grade(lambda v: v.max(), values=[1, 5, 2]) == (CORRECT, "Correct!")
    outcome, message = largest.grade(lambda v: v.min(), values=[1, 5, 2])
    assert outcome == INCORRECT and "not the largest" in message


def test_check_records_the_outcome_of_a_check_with_inputs(tmp_path, monkeypatch, capsys):
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv(RECORD_VARIABLE, str(record))
    largest.check(lambda v: v.min(), values=[3, 4])
    line = json.loads(record.read_text().splitlines()[-1])
    assert line["outcome"] == INCORRECT and line["name"] == "largest"
    assert "Incorrect" in capsys.readouterr().out


def test_a_crash_in_the_learners_model_is_theirs_and_a_crash_in_the_checker_is_not():
    class Model:  # stands for a model the learner built: its own code fails when called
        def __call__(self, x):
            return {}["missing"]

    def grader(build):
        model = call_answer(build)
        run_learner_code(model, 1)

    outcome, message = Exercise("model", grader, "", "").grade(lambda: Model())
    assert outcome == INCORRECT and "your code raised KeyError" in message

    def broken_grader(answer):
        return [][1]  # the checker's own bug

    outcome, message = Exercise("broken", broken_grader, "", "").grade(lambda: 1)
    assert outcome == ERROR and "checker itself failed" in message


def test_run_learner_code_returns_the_result_and_leaves_verdicts_alone():
    assert run_learner_code(lambda a, b: a + b, 2, b=3) == 5
    with pytest.raises(Incorrect):
        run_learner_code(lambda: (_ for _ in ()).throw(Incorrect("no")))


def test_template_answers_are_not_attempted():
    assert largest.grade(..., values=[1])[0] == NOT_ATTEMPTED
    assert largest.grade(lambda v: None, values=[1])[0] == NOT_ATTEMPTED
