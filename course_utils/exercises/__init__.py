"""Graded exercises in the spirit of Kaggle's learntools.

A lesson writes ``from course_utils.exercises import cross_entropy as ex`` and then, for
each exercise, lets the learner fill in a function and call::

    ex.stable_softmax.check(stable_softmax)   # "not attempted", "incorrect: ...", or "correct"
    ex.stable_softmax.hint()
    ex.stable_softmax.solution()

An :class:`Exercise` tells three outcomes apart:

* **not attempted** -- the answer is still the template (``...``, ``None``, or a function
  that raises ``NotImplementedError``);
* **incorrect** -- the grader found a specific mistake and says what is wrong;
* **correct**.

* **error** -- the checker itself crashed (a bug in the course, not a verdict on the answer).

Graders are plain functions ``grader(answer, **inputs) -> None`` that raise
:class:`Incorrect` with a message naming the mistake; ``inputs`` are the lesson's own data a
check needs (``ex.hardest_digit.check(answer, matrix=confusion)``). A grader calls the
learner's code through :func:`call_answer` (their function) or :func:`run_learner_code`
(anything else of theirs, such as their model), so that a crash there is reported as the
learner's and any other crash as the checker's. Messages are plain text, so they read the same in
JupyterLab, Colab and in a notebook executed by papermill.

Two environment variables, read at each call:

* ``COURSE_EXERCISE_RECORD`` (set by ``./course grade``): a file to which every
  :meth:`Exercise.check` appends one JSON line ``{"exercise", "name", "outcome",
  "message"}``; the grader reads outcomes from it instead of parsing printed text.
* ``COURSE_ASSESSMENT`` (set by a teacher for a class, see TEACHING.md): when on
  (any value except empty, ``0``, ``false``, ``no``, ``off``), :meth:`Exercise.hint` and
  :meth:`Exercise.solution` say they are disabled instead of answering.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from dataclasses import dataclass
from typing import Callable

NOT_ATTEMPTED = "not attempted"
INCORRECT = "incorrect"
CORRECT = "correct"
ERROR = "error"
OUTCOMES = (CORRECT, INCORRECT, NOT_ATTEMPTED, ERROR)

RECORD_VARIABLE = "COURSE_EXERCISE_RECORD"
ASSESSMENT_VARIABLE = "COURSE_ASSESSMENT"
_PACKAGE = __name__
_RAISED_BY_ANSWER = "_course_raised_by_answer"


def assessment_mode() -> bool:
    """True when ``$COURSE_ASSESSMENT`` switches hints and solutions off."""
    value = os.environ.get(ASSESSMENT_VARIABLE, "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def exercise_id(exercise) -> str:
    """``"<lesson module>.<attribute>"``, e.g. ``"cross_entropy.stable_softmax"``: the name under
    which a lesson's exercise module defines ``exercise`` (its grader's module and its
    ``name`` when no loaded exercise module holds it)."""
    if not isinstance(exercise, Exercise):
        raise TypeError(f"exercise must be an Exercise, got {type(exercise).__name__}")
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith(_PACKAGE + "."):
            continue
        for attribute, value in list(vars(module).items()):
            if value is exercise:
                return f"{module_name[len(_PACKAGE) + 1:]}.{attribute}"
    module_name = getattr(exercise.grader, "__module__", "") or "unknown"
    return f"{module_name.rpartition('.')[2]}.{exercise.name}"


def exercises_of(module) -> dict:
    """The exercises a lesson's module defines, ``{exercise id: Exercise}`` in definition order."""
    if not hasattr(module, "__name__") or not module.__name__.startswith(_PACKAGE + "."):
        raise ValueError(f"module must be one of {_PACKAGE}.*, got {module!r}")
    short = module.__name__[len(_PACKAGE) + 1:]
    return {f"{short}.{name}": value for name, value in vars(module).items()
            if isinstance(value, Exercise) and not name.startswith("_")}


def _raised_by_answer(error: BaseException) -> bool:
    """Whether ``error`` came from the learner's code: :func:`call_answer` marked it, or it
    passed through code defined in the notebook itself (module ``__main__``)."""
    if getattr(error, _RAISED_BY_ANSWER, False):
        return True
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__") == "__main__":
            return True
        traceback = traceback.tb_next
    return False


def _write_record(exercise, outcome: str, message: str) -> None:
    """Append one JSON line to ``$COURSE_EXERCISE_RECORD`` (when set); never raises."""
    path = os.environ.get(RECORD_VARIABLE)
    if not path:
        return
    try:
        line = json.dumps({"exercise": exercise_id(exercise), "name": exercise.name,
                           "outcome": outcome, "message": message})
        with open(path, "a", encoding="utf-8") as record:
            record.write(line + "\n")
    except Exception as error:  # grading must never break the learner's notebook
        print(f"(could not write the exercise record {path}: {error})", file=sys.stderr)


class Incorrect(Exception):
    """Raised by a grader with a message that says what is wrong with the answer."""


class NotAttempted(Exception):
    """Raised by a grader when the answer is still the unedited template."""


@dataclass
class Exercise:
    """One graded exercise: a grader plus its hint and reference solution.

    Attributes:
        name: short title shown in every message.
        grader: ``grader(answer)`` returns ``None`` when correct, raises :class:`Incorrect`
            (or :class:`NotAttempted`) otherwise.
        hint_text: a nudge that does not give the answer away.
        solution_code: the reference solution, as source code.
    """

    name: str
    grader: Callable
    hint_text: str
    solution_code: str

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError("name must be a non-empty string")
        if not callable(self.grader):
            raise TypeError(f"grader must be callable, got {type(self.grader).__name__}")

    def grade(self, answer=..., **inputs) -> tuple[str, str]:
        """Return ``(outcome, message)`` without printing; outcome is one of
        ``"not attempted"``, ``"incorrect"``, ``"correct"`` or ``"error"``. ``inputs`` go to
        the grader by keyword."""
        if answer is ... or answer is None:
            return NOT_ATTEMPTED, "Not attempted yet: fill in your answer, then run this cell again."
        try:
            self.grader(answer, **inputs)
        except NotAttempted as reason:
            return NOT_ATTEMPTED, f"Not attempted yet: {reason}"
        except NotImplementedError:
            return NOT_ATTEMPTED, (
                "Not attempted yet: replace `raise NotImplementedError` with your code, "
                "then run this cell again."
            )
        except Incorrect as reason:
            return INCORRECT, f"Incorrect: {reason}"
        except Exception as error:
            if _raised_by_answer(error):  # the learner's code crashed: say how, not where
                return INCORRECT, f"Incorrect: your code raised {type(error).__name__}: {error}"
            return ERROR, (
                f"The checker itself failed ({type(error).__name__}: {error}). This is a bug in "
                "course_utils, not a mistake in your answer: please tell your teacher."
            )
        return CORRECT, "Correct!"

    def check(self, answer=..., **inputs) -> None:
        """Grade ``answer`` (with the lesson's ``inputs``, by keyword) and print the verdict
        (use :meth:`grade` to get it as a value).

        It returns nothing on purpose: a notebook cell that ends with ``ex.q.check(...)``
        then shows only the message, also under nbval, which ignores a trailing ``;``.
        """
        outcome, message = self.grade(answer, **inputs)
        _write_record(self, outcome, message)
        print(f"[{self.name}] {message}")
        if outcome == INCORRECT:
            print(f"[{self.name}] Stuck? Call .hint(), or .solution() to see one answer.")

    def hint(self) -> None:
        """Print the hint (in assessment mode: that hints are disabled)."""
        if assessment_mode():
            print(f"[{self.name}] Hints are disabled during this assessment ({ASSESSMENT_VARIABLE} is set).")
            return
        print(f"[{self.name}] Hint: " + textwrap.fill(self.hint_text, 88, subsequent_indent="  "))

    def solution_namespace(self, **names) -> dict:
        """Run the reference solution with ``names`` (e.g. ``np=numpy``) as its globals and
        return what it defined; the tests grade the solution a learner would be shown."""
        namespace = dict(names)
        exec(textwrap.dedent(self.solution_code), namespace)
        return namespace

    def solution(self) -> None:
        """Print the reference solution (in assessment mode: that solutions are disabled)."""
        if assessment_mode():
            print(f"[{self.name}] Solutions are disabled during this assessment ({ASSESSMENT_VARIABLE} is set).")
            return
        print(f"[{self.name}] Solution:\n" + textwrap.indent(textwrap.dedent(self.solution_code).strip(), "    "))


def run_learner_code(function, *args, **kwargs):
    """Run code of the learner's (their model, a method of an object they built) and return
    its result; whatever it raises is marked as theirs, so :meth:`Exercise.grade` reports
    "your code raised ..." instead of a checker crash."""
    try:
        return function(*args, **kwargs)
    except (Incorrect, NotAttempted, NotImplementedError):
        raise
    except Exception as error:  # marked, so that Exercise.grade reports it as the learner's
        try:
            setattr(error, _RAISED_BY_ANSWER, True)
        except AttributeError:  # an exception type without a __dict__
            pass
        raise


def call_answer(function, *args, **kwargs):
    """Call the learner's function, turning a template that returns ``...`` or ``None``
    into :class:`NotAttempted`. Graders use this instead of calling directly."""
    if not callable(function):
        raise Incorrect(f"expected a function, got {type(function).__name__}")
    result = run_learner_code(function, *args, **kwargs)
    if result is ... or result is None:
        raise NotAttempted("your function returns nothing yet; finish it and return the result.")
    return result
