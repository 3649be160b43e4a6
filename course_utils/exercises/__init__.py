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

Graders are plain functions ``grader(answer) -> None`` that raise :class:`Incorrect`
with a message naming the mistake. Messages are plain text, so they read the same in
JupyterLab, Colab and in a notebook executed by papermill.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Callable

NOT_ATTEMPTED = "not attempted"
INCORRECT = "incorrect"
CORRECT = "correct"


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

    def grade(self, answer=...) -> tuple[str, str]:
        """Return ``(outcome, message)`` without printing; outcome is one of
        ``"not attempted"``, ``"incorrect"`` or ``"correct"``."""
        if answer is ... or answer is None:
            return NOT_ATTEMPTED, "Not attempted yet: fill in your answer, then run this cell again."
        try:
            self.grader(answer)
        except NotAttempted as reason:
            return NOT_ATTEMPTED, f"Not attempted yet: {reason}"
        except NotImplementedError:
            return NOT_ATTEMPTED, (
                "Not attempted yet: replace `raise NotImplementedError` with your code, "
                "then run this cell again."
            )
        except Incorrect as reason:
            return INCORRECT, f"Incorrect: {reason}"
        except Exception as error:  # the learner's code crashed: say how, not where
            return INCORRECT, f"Incorrect: your code raised {type(error).__name__}: {error}"
        return CORRECT, "Correct!"

    def check(self, answer=...) -> None:
        """Grade ``answer`` and print the verdict (use :meth:`grade` to get it as a value).

        It returns nothing on purpose: a notebook cell that ends with ``ex.q.check(...)``
        then shows only the message, also under nbval, which ignores a trailing ``;``.
        """
        outcome, message = self.grade(answer)
        print(f"[{self.name}] {message}")
        if outcome == INCORRECT:
            print(f"[{self.name}] Stuck? Call .hint(), or .solution() to see one answer.")

    def hint(self) -> None:
        """Print the hint."""
        print(f"[{self.name}] Hint: " + textwrap.fill(self.hint_text, 88, subsequent_indent="  "))

    def solution_namespace(self, **names) -> dict:
        """Run the reference solution with ``names`` (e.g. ``np=numpy``) as its globals and
        return what it defined; the tests grade the solution a learner would be shown."""
        namespace = dict(names)
        exec(textwrap.dedent(self.solution_code), namespace)
        return namespace

    def solution(self) -> None:
        """Print the reference solution."""
        print(f"[{self.name}] Solution:\n" + textwrap.indent(textwrap.dedent(self.solution_code).strip(), "    "))


def call_answer(function, *args, **kwargs):
    """Call the learner's function, turning a template that returns ``...`` or ``None``
    into :class:`NotAttempted`. Graders use this instead of calling directly."""
    if not callable(function):
        raise Incorrect(f"expected a function, got {type(function).__name__}")
    result = function(*args, **kwargs)
    if result is ... or result is None:
        raise NotAttempted("your function returns nothing yet; finish it and return the result.")
    return result
