"""./course grade (tools/grade.py) on a synthetic class, and the exercise record it reads.

The class is built from the committed lessons 0 and 1 (the cheapest smoke runs) by
editing their exercise cells; the whole gradebook is asserted cell by cell.
"""

from __future__ import annotations

import csv
import re
import json
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import nbformat
import pytest

from course_utils import exercises
from course_utils.exercises import cross_entropy, start_here

REPOSITORY = Path(__file__).resolve().parent.parent
GRADE = REPOSITORY / "tools" / "grade.py"
LESSON_0 = REPOSITORY / "notebooks" / "00_start_here.ipynb"
LESSON_1 = REPOSITORY / "notebooks" / "01_cross_entropy.ipynb"
CE = ["stable_softmax", "sparse_cross_entropy_from_logits", "binary_cross_entropy_from_logits", "label_smoothing"]


# ------------------------------------------------------------------ the record and assessment mode


def test_check_appends_one_json_line_per_call(tmp_path, monkeypatch, capsys):
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv(exercises.RECORD_VARIABLE, str(record))
    start_here.image_shape.check(...)
    start_here.image_shape.check((28, 28))
    start_here.image_shape.check((28, 28, 1))
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [line["exercise"] for line in lines] == ["start_here.image_shape"] * 3
    assert [line["outcome"] for line in lines] == ["not attempted", "incorrect", "correct"]
    assert "channel axis" in lines[1]["message"]
    assert "channel axis" in capsys.readouterr().out  # still printed for the learner


def test_no_record_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(exercises.RECORD_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    start_here.image_shape.check((28, 28, 1))
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_record_does_not_break_the_check(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(exercises.RECORD_VARIABLE, str(tmp_path / "missing-folder" / "record.jsonl"))
    start_here.image_shape.check((28, 28, 1))
    captured = capsys.readouterr()
    assert "Correct" in captured.out and "could not write the exercise record" in captured.err


def test_a_checker_crash_is_recorded_as_the_checkers(tmp_path, monkeypatch):
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv(exercises.RECORD_VARIABLE, str(record))

    def broken_grader(answer):
        return {}["missing"]  # a bug in the checker, not in the answer

    exercise = exercises.Exercise("broken", broken_grader, "hint", "answer = 1")
    exercise.check(1)
    line = json.loads(record.read_text())
    assert line["outcome"] == exercises.ERROR
    assert "checker itself failed" in line["message"] and "not a mistake in your answer" in line["message"]


def test_a_crash_in_the_answer_is_the_learners(monkeypatch):
    def crashing(logits):
        raise ZeroDivisionError("division by zero")

    outcome, message = cross_entropy.stable_softmax.grade(crashing)
    assert outcome == exercises.INCORRECT and "your code raised ZeroDivisionError" in message


def test_exercise_ids_name_module_and_attribute():
    assert exercises.exercise_id(cross_entropy.stable_softmax) == "cross_entropy.stable_softmax"
    assert list(exercises.exercises_of(cross_entropy)) == [f"cross_entropy.{name}" for name in CE]
    with pytest.raises(TypeError, match="exercise must be an Exercise"):
        exercises.exercise_id("stable_softmax")
    with pytest.raises(ValueError, match="module must be one of"):
        exercises.exercises_of(json)


@pytest.mark.parametrize("value", ["1", "yes", "true", "on"])
def test_assessment_mode_disables_hint_and_solution(monkeypatch, capsys, value):
    monkeypatch.setenv(exercises.ASSESSMENT_VARIABLE, value)
    cross_entropy.stable_softmax.hint()
    cross_entropy.stable_softmax.solution()
    printed = capsys.readouterr().out
    assert "Hints are disabled" in printed and "Solutions are disabled" in printed
    assert "np.max" not in printed and cross_entropy.stable_softmax.hint_text[:30] not in printed
    cross_entropy.stable_softmax.check(...)  # checking still works
    assert "Not attempted" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["", "0", "false", "off"])
def test_hint_and_solution_answer_outside_assessment_mode(monkeypatch, capsys, value):
    monkeypatch.setenv(exercises.ASSESSMENT_VARIABLE, value)
    cross_entropy.stable_softmax.solution()
    assert "np.max" in capsys.readouterr().out


# --------------------------------------------------------------------------- a synthetic class


def _lesson(path, answers=None, insert_after_parameters=None):
    """The committed lesson with exercise cells replaced: answers {attribute: code}."""
    notebook = nbformat.read(path, as_version=4)
    for attribute, code in (answers or {}).items():
        cell = next(cell for cell in notebook.cells if cell.cell_type == "code" and f"ex.{attribute}.check(" in cell.source)
        lines = cell.source.splitlines()
        imports = [line for line in lines if line.startswith(("from ", "import "))]
        check_line = next(line for line in lines if f"ex.{attribute}.check(" in line)
        cell.source = "\n".join(imports + [textwrap.dedent(code).strip(), "", check_line])
    if insert_after_parameters:
        index = next(i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
        notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(insert_after_parameters))
    return notebook


def _write(folder: Path, name: str, notebook) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / name)


def _solution(attribute):
    return getattr(cross_entropy, attribute).solution_code


def build_class(root: Path) -> Path:
    submissions = root / "submissions"
    submissions.mkdir()
    # alice: lesson 0 right; lesson 1 two right, one wrong, one untouched (as a .tar.gz archive)
    alice = root / "alice"
    _write(alice, "00_start_here.ipynb", _lesson(LESSON_0, {"image_shape": "answer = mnist.x_train[0].shape"}))
    _write(alice, "01_cross_entropy.ipynb", _lesson(LESSON_1, {
        "stable_softmax": _solution("stable_softmax"),
        "sparse_cross_entropy_from_logits": _solution("sparse_cross_entropy_from_logits"),
        "binary_cross_entropy_from_logits": "def binary_cross_entropy_from_logits(labels, logits):\n"
                                            "    return -np.mean(labels * logits)",
    }))
    with tarfile.open(submissions / "alice.tar.gz", "w:gz") as archive:
        archive.add(alice, arcname="alice")
    # bob: lesson 0 wrong (forgot the channel axis)
    _write(submissions / "bob", "00_start_here.ipynb", _lesson(LESSON_0, {"image_shape": "answer = (28, 28)"}))
    # carol: lesson 0 crashes before the exercise (a zip archive)
    crashing = _lesson(LESSON_0, {"image_shape": "answer = (28, 28, 1)"},
                       insert_after_parameters='raise RuntimeError("my experiment broke")')
    with zipfile.ZipFile(submissions / "carol.zip", "w") as archive:
        archive.writestr("carol/00_start_here.ipynb", nbformat.writes(crashing))
    # dave: lesson 0 never ends
    _write(submissions / "dave", "00_start_here.ipynb",
           _lesson(LESSON_0, insert_after_parameters="import time\nwhile True:\n    time.sleep(0.2)"))
    # erin: lesson 0 prints without end
    _write(submissions / "erin", "00_start_here.ipynb",
           _lesson(LESSON_0, insert_after_parameters='while True:\n    print("x" * 10000)'))
    # frank: lesson 0 is not valid JSON
    (submissions / "frank").mkdir()
    (submissions / "frank" / "00_start_here.ipynb").write_text('{"cells": [ this is not json', encoding="utf-8")
    # grace: lesson 1's notebook, unedited, saved under lesson 0's name
    _write(submissions / "grace", "00_start_here.ipynb", nbformat.read(LESSON_1, as_version=4))
    # henry: an empty archive
    with zipfile.ZipFile(submissions / "henry.zip", "w"):
        pass
    return submissions


def run_grade(submissions, output, *extra):
    command = [sys.executable, str(GRADE), str(submissions), "--lessons", "0", "1", "--output", str(output),
               "--time-limit", "120", "--output-limit", "1000000", "--workers", "2", *extra]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=REPOSITORY)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submissions = build_class(root)
    output = root / "grades"
    stdout = run_grade(submissions, output)
    return submissions, output, stdout


EXPECTED = {
    # student: (notebook 0 status, notebook 1 status, image_shape, the four cross-entropy exercises)
    "alice": ("ok", "ok", "correct", ["correct", "correct", "incorrect", "not attempted"]),
    "bob": ("ok", "missing", "incorrect", ["not submitted"] * 4),
    "carol": ("crashed", "missing", "not reached", ["not submitted"] * 4),
    "dave": ("timeout", "missing", "not reached", ["not submitted"] * 4),
    "erin": ("output", "missing", "not reached", ["not submitted"] * 4),
    "frank": ("invalid", "missing", "not graded", ["not submitted"] * 4),
    "grace": ("wrong lesson", "ok", "not submitted", ["not attempted"] * 4),
    "henry": ("missing", "missing", "not submitted", ["not submitted"] * 4),
}


def test_the_gradebook_is_exactly_as_expected(graded):
    _, output, _ = graded
    with open(output / "gradebook.csv", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == (["student", "notebook 00_start_here", "notebook 01_cross_entropy", "start_here.image_shape"]
                       + [f"cross_entropy.{name}" for name in CE])
    expected = [[student, first, second, shape, *rest] for student, (first, second, shape, rest) in EXPECTED.items()]
    assert rows[1:] == expected


def test_every_bad_submission_has_a_clear_reason(graded):
    _, output, _ = graded

    def lesson(student, stem="00_start_here"):
        return json.loads((output / "students" / student / "result.json").read_text())["lessons"][stem]

    assert "RuntimeError: my experiment broke" in lesson("carol")["reason"]
    assert "timed out" in lesson("dave")["reason"]
    assert "output limit" in lesson("erin")["reason"]
    assert "not valid JSON" in lesson("frank")["reason"]
    assert "holds lesson 1 (01_cross_entropy)" in lesson("grace")["reason"]
    henry = json.loads((output / "students" / "henry" / "result.json").read_text())
    assert any("empty submission" in problem for problem in henry["problems"])
    erin = nbformat.read(output / "students" / "erin" / "00_start_here.executed.ipynb", as_version=4)
    assert len(nbformat.writes(erin)) < 3_000_000  # the printed megabytes were not kept


def test_messages_reach_feedback_and_summary(graded):
    _, output, _ = graded
    alice = (output / "students" / "alice" / "feedback.md").read_text()
    assert "| `cross_entropy.binary_cross_entropy_from_logits` | incorrect | Incorrect:" in alice
    bob = (output / "students" / "bob" / "feedback.md").read_text()
    assert "channel axis" in bob
    carol = (output / "students" / "carol" / "feedback.md").read_text()
    assert "crashed" in carol and "my experiment broke" in carol
    with open(output / "summary.csv", newline="") as file:
        summary = {row["exercise"]: row for row in csv.DictReader(file)}
    assert summary["start_here.image_shape"]["correct"] == "1"
    assert summary["start_here.image_shape"]["students"] == "8"
    assert "channel axis" in summary["start_here.image_shape"]["most_common_mistake"]
    assert summary["cross_entropy.stable_softmax"]["solve_rate"] == "0.125"
    assert "did not run to the end" in (output / "summary.md").read_text()


def test_the_teachers_environment_does_not_reach_the_notebook(tmp_path):
    import os

    teacher_home = os.environ.get("HOME", "/root")
    spy = _lesson(LESSON_0, {"image_shape": f"""
import os
assert "TEACHER_SECRET_TOKEN" not in os.environ, "the teacher's token leaked"
assert os.environ["HOME"] != {teacher_home!r}, "the teacher's HOME leaked"
assert os.environ["COURSE_ASSESSMENT"] == "1"
answer = (28, 28, 1)
"""})
    submissions = tmp_path / "submissions"
    _write(submissions / "spy", "00_start_here.ipynb", spy)
    environment = dict(os.environ, TEACHER_SECRET_TOKEN="s3cret")
    command = [sys.executable, str(GRADE), str(submissions), "--lessons", "0", "--output", str(tmp_path / "out"),
               "--time-limit", "120"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment)
    assert completed.returncode == 0, completed.stderr
    result = json.loads((tmp_path / "out" / "students" / "spy" / "result.json").read_text())
    lesson = result["lessons"]["00_start_here"]
    assert lesson["status"] == "ok", lesson["reason"]
    assert lesson["exercises"]["start_here.image_shape"]["outcome"] == "correct"


def test_a_second_run_skips_finished_students(graded):
    submissions, output, _ = graded
    before = {path: path.stat().st_mtime_ns for path in (output / "students").glob("*/result.json")}
    stdout = run_grade(submissions, output)
    assert stdout.count("already graded") == len(EXPECTED), stdout
    after = {path: path.stat().st_mtime_ns for path in (output / "students").glob("*/result.json")}
    assert after == before
    # a changed submission is graded again
    _write(submissions / "bob", "00_start_here.ipynb", _lesson(LESSON_0, {"image_shape": "answer = (1, 28, 28)"}))
    stdout = run_grade(submissions, output)
    assert "bob: already graded" not in stdout and stdout.count("already graded") == len(EXPECTED) - 1, stdout
    bob = json.loads((output / "students" / "bob" / "result.json").read_text())
    assert "channels come LAST" in bob["lessons"]["00_start_here"]["exercises"]["start_here.image_shape"]["message"]


# ------------------------------------------------------------------ every lesson's exercises


@pytest.mark.parametrize("path", sorted((REPOSITORY / "notebooks").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda path: path.stem)
def test_the_gradebook_has_a_column_for_every_exercise_the_lesson_checks(path):
    """The gradebook's columns for a lesson are its module's exercises: each one the notebook
    checks must be among them, and each of them must be checked somewhere in the notebook."""
    sys.path.insert(0, str(REPOSITORY))
    try:
        from tools import grade
    finally:
        sys.path.remove(str(REPOSITORY))
    lesson = grade.Lesson(path)
    code = "\n".join(source for kind, source in grade._sources(json.loads(path.read_text())) if kind == "code")
    checked = set(re.findall(r"\bex\.(\w+)\.check\(", code))
    assert lesson.module is not None and checked, f"{path.name} has no graded exercise"
    columns = {exercise_id.split(".", 1)[1] for exercise_id in lesson.exercises}
    assert checked == columns, f"{path.name}: checked {sorted(checked)}, gradebook {sorted(columns)}"
