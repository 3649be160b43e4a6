"""Grade a class's submitted lesson notebooks: ``./course grade SUBMISSIONS [--lessons ...]``.

SUBMISSIONS is a folder with one subfolder or one archive (.zip, .tar.gz, .tgz) per
student, holding that student's lesson notebooks (``01_cross_entropy.ipynb``, ...). Each
notebook is identified by its file name and its content (its "# Lesson N" title, the
exercise module it imports), then executed with the lesson's smoke parameters (from the
committed lesson's metadata ``course.smoke_parameters``) in its own process, temporary
working folder, HOME and COURSE_ARTIFACTS folder, with a time limit, an output-size limit
and an allow-listed environment (none of the teacher's variables). Outcomes come from the
JSON lines ``Exercise.check()`` appends to ``$COURSE_EXERCISE_RECORD``.

Output folder (default ``grades/``): ``gradebook.csv`` (student x exercise), ``summary.md``
and ``summary.csv`` (solve rate and most common mistake per exercise),
``students/<name>/feedback.md``, ``result.json`` and the executed notebooks. Each student's
result is written atomically when they finish; a re-run skips finished students whose
submission is unchanged (``--force`` re-grades). See TEACHING.md.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import csv
import hashlib
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
import notebook_runner  # noqa: E402

REPOSITORY = notebook_runner.REPOSITORY
sys.path.insert(0, str(REPOSITORY))

TIMES_FILE = REPOSITORY / "benchmarks" / "results" / "notebook_times.json"
DEFAULT_SMOKE_SECONDS = 60.0
DEFAULT_TIME_FACTOR = 3.0
DEFAULT_TIME_MARGIN = 60.0
DEFAULT_OUTPUT_LIMIT = 16_000_000  # bytes of cell output per notebook; the lessons' own stay under 2 MB
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")
MAX_ARCHIVE_BYTES = 200_000_000

# Gradebook cell values besides the four exercise outcomes (course_utils.exercises.OUTCOMES).
NOT_REACHED = "not reached"  # the run stopped (crash, time or output limit) before this check
NOT_SUBMITTED = "not submitted"  # no notebook of this lesson in the submission
NOT_GRADED = "not graded"  # the notebook could not be run (invalid file)
STATUS_OK = "ok"

_TITLE = re.compile(r"^#\s*Lesson\s+(\d+)\b", re.MULTILINE | re.IGNORECASE)
_EXERCISE_IMPORT = re.compile(r"from\s+course_utils\.exercises\s+import\s+(\w+)|course_utils\.exercises\.(\w+)")


# ----------------------------------------------------------------------------- lessons


class Lesson:
    """A committed lesson: its file, smoke parameters, exercise module and exercise ids."""

    def __init__(self, path: Path):
        from course_utils import exercises

        self.path = path
        self.stem = path.stem
        self.number = int(path.name[:2])
        self.smoke_parameters = notebook_runner.smoke_parameters(path)
        if "MNIST_SOURCE" in notebook_runner.parameter_names(path):
            self.smoke_parameters["MNIST_SOURCE"] = "offline"  # no download per student, same digits for all
        self.module = _exercise_module(_sources(json.loads(path.read_text(encoding="utf-8"))))
        self.exercises = []
        if self.module:
            module = importlib.import_module(f"course_utils.exercises.{self.module}")
            self.exercises = list(exercises.exercises_of(module))


def _sources(notebook) -> list[tuple[str, str]]:
    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    result = []
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict):
            source = cell.get("source", "")
            result.append((cell.get("cell_type", ""), "".join(source) if isinstance(source, list) else str(source)))
    return result


def _exercise_module(sources) -> str | None:
    for cell_type, source in sources:
        if cell_type == "code":
            match = _EXERCISE_IMPORT.search(source)
            if match:
                return match.group(1) or match.group(2)
    return None


ALL_LESSONS: list[Lesson] = []


def load_lessons(selected=None) -> list[Lesson]:
    """The lessons to grade (all when ``selected`` is empty); fills :data:`ALL_LESSONS`."""
    if not ALL_LESSONS:
        ALL_LESSONS.extend(Lesson(path) for path in notebook_runner.list_notebooks())
    lessons = list(ALL_LESSONS)
    if selected:
        wanted = {str(item) for item in selected}
        chosen = [lesson for lesson in lessons
                  if lesson.stem in wanted or f"{lesson.number}" in wanted or lesson.path.name[:2] in wanted]
        unknown = wanted - {key for lesson in chosen for key in (lesson.stem, str(lesson.number), lesson.path.name[:2])}
        if unknown:
            raise SystemExit(f"grade: unknown lessons {sorted(unknown)}; use numbers (0, 01) or names like 01_cross_entropy")
        lessons = chosen
    return lessons


def identify(notebook, lessons) -> Lesson | None:
    """The lesson a notebook's content belongs to: its '# Lesson N' title, else its exercise import."""
    sources = _sources(notebook)
    for cell_type, source in sources:
        if cell_type == "markdown":
            match = _TITLE.search(source)
            if match:
                number = int(match.group(1))
                return next((lesson for lesson in lessons if lesson.number == number), None)
            break  # only the first markdown cell holds the title
    module = _exercise_module(sources)
    return next((lesson for lesson in lessons if module and lesson.module == module), None)


def lesson_of_name(name: str, lessons) -> Lesson | None:
    lowered = name.lower()
    for lesson in lessons:
        if lesson.stem.lower() in lowered or re.match(rf"^{lesson.path.name[:2]}_", lowered):
            return lesson
    return None


def time_limit(lesson: Lesson, arguments) -> float:
    if arguments.time_limit:
        return arguments.time_limit
    try:
        times = json.loads(TIMES_FILE.read_text())["notebooks"]
        smoke = float(times[lesson.path.name]["smoke"])
    except (OSError, KeyError, ValueError, TypeError):
        smoke = DEFAULT_SMOKE_SECONDS
    return smoke * arguments.time_factor + arguments.time_margin


# ------------------------------------------------------------------------- submissions


def find_students(submissions: Path) -> dict[str, Path]:
    students = {}
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        name = entry.name
        for suffix in ARCHIVE_SUFFIXES:
            if entry.is_file() and name.lower().endswith(suffix):
                name = name[: -len(suffix)]
                break
        else:
            if not entry.is_dir():
                continue
        students[name] = entry
    return students


def fingerprint(entry: Path) -> str:
    digest = hashlib.sha256()
    files = [entry] if entry.is_file() else sorted(path for path in entry.rglob("*") if path.is_file())
    for path in files:
        digest.update(str(path.relative_to(entry.parent)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def unpack(entry: Path, destination: Path) -> Path:
    """The folder holding the student's files (an archive is extracted safely into ``destination``)."""
    if entry.is_dir():
        return entry
    destination.mkdir(parents=True, exist_ok=True)
    if entry.name.lower().endswith(".zip"):
        with zipfile.ZipFile(entry) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_ARCHIVE_BYTES:
                raise ValueError(f"the archive unpacks to more than {MAX_ARCHIVE_BYTES // 1_000_000} MB")
            for info in archive.infolist():
                target = (destination / info.filename).resolve()
                if not target.is_relative_to(destination.resolve()):
                    raise ValueError(f"the archive holds a path outside itself: {info.filename}")
            archive.extractall(destination)
    else:
        with tarfile.open(entry) as archive:
            if sum(member.size for member in archive.getmembers()) > MAX_ARCHIVE_BYTES:
                raise ValueError(f"the archive unpacks to more than {MAX_ARCHIVE_BYTES // 1_000_000} MB")
            archive.extractall(destination, filter="data")  # refuses absolute paths, '..', devices, links out
    return destination


def submitted_notebooks(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.ipynb")
                  if not any(part.startswith(".") or part == "__MACOSX" for part in path.relative_to(folder).parts))


# --------------------------------------------------------------------------- execution


def minimal_environment(work: Path, record: Path, artifacts: Path) -> dict:
    """Only what a kernel needs; nothing of the teacher's environment (tokens, keys, paths)."""
    home = work / "home"
    home.mkdir(exist_ok=True)
    environment = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "TMPDIR": str(work / "tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
        "COURSE_ARTIFACTS": str(artifacts),
        "COURSE_EXERCISE_RECORD": str(record),
        "COURSE_ASSESSMENT": "1",  # hint()/solution() in a submission print nothing to hand back
    }
    if sys.prefix != sys.base_prefix:
        environment["VIRTUAL_ENV"] = sys.prefix
    (work / "tmp").mkdir(exist_ok=True)
    return environment


def run_notebook(notebook_path: Path, lesson: Lesson, work: Path, arguments, artifacts_from=None) -> dict:
    """Execute one notebook in its own process; return {status, reason, seconds, records}."""
    record = work / "record.jsonl"
    artifacts = work / "artifacts"
    if artifacts_from:
        shutil.copytree(artifacts_from, artifacts)  # a copy: a submission cannot change the teacher's models
    artifacts.mkdir(exist_ok=True)
    status_file = work / "status.json"
    limit = time_limit(lesson, arguments)
    command = [sys.executable, str(Path(__file__).resolve()), "--run-one", str(notebook_path),
               "--executed", str(work / "executed.ipynb"), "--status", str(status_file),
               "--parameters", json.dumps(lesson.smoke_parameters), "--seconds", str(limit),
               "--output-limit", str(arguments.output_limit)]
    log = work / "runner.log"
    start = time.monotonic()
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=work / "cwd", env=minimal_environment(work, record, artifacts),
                                   stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        killed = None
        while process.poll() is None:
            time.sleep(0.2)
            if time.monotonic() - start > limit + 60:
                killed = f"timed out: still running {limit:.0f} s + 60 s after it started (killed)"
            elif log.stat().st_size > arguments.output_limit:
                killed = f"output limit: printed more than {arguments.output_limit:,} bytes outside cells (killed)"
            if killed:
                _kill_tree(process)
                break
        process.wait()
    seconds = time.monotonic() - start
    try:
        result = json.loads(status_file.read_text())
    except (OSError, ValueError):
        tail = log.read_bytes()[-600:].decode("utf-8", "replace").strip()
        result = {"status": "error", "reason": killed or f"the runner stopped (exit code {process.returncode}): {tail}"}
    if killed:
        result = {"status": "timeout" if "timed out" in killed else "output", "reason": killed}
    result["seconds"] = round(seconds, 1)
    result["time_limit"] = round(limit, 1)
    result["records"] = _read_records(record)
    return result


def _kill_tree(process) -> None:
    import psutil

    try:
        parent = psutil.Process(process.pid)
        for child in parent.children(recursive=True):  # the kernel runs in a session of its own
            child.kill()
        parent.kill()
    except psutil.NoSuchProcess:
        pass


def _read_records(path: Path) -> list[dict]:
    records = []
    if not path.exists():
        return records
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[:10_000]:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and isinstance(item.get("exercise"), str):
            records.append(item)
    return records


def run_one(arguments) -> int:
    """In the child process: parameterize (papermill) and execute (nbclient) with the limits."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.parameterize import parameterize_notebook

    status_path = Path(arguments.status)
    deadline = time.monotonic() + arguments.seconds
    notebook = nbformat.read(arguments.run_one, as_version=4)
    notebook.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    notebook.metadata.setdefault("language_info", {"name": "python"})
    notebook.metadata.setdefault("papermill", {})
    for cell in notebook.cells:
        cell.metadata.setdefault("tags", [])  # papermill reads every cell's tags
    notebook = parameterize_notebook(notebook, json.loads(arguments.parameters), kernel_name=notebook_runner.KERNEL_NAME,
                                     language="python")
    client = _limited_client(notebook, arguments.output_limit, deadline)
    status = {"status": STATUS_OK, "reason": ""}
    try:
        client.execute()
    except CellTimeoutError:
        status = {"status": "timeout", "reason": f"timed out: the notebook ran longer than {arguments.seconds:.0f} s "
                                                 f"(stopped in cell {client.current_cell})"}
    except CellExecutionError as error:
        if client.output_exceeded:
            status = {"status": "output", "reason": f"output limit: cell {client.current_cell} printed more than "
                                                    f"{arguments.output_limit:,} bytes (stopped)"}
        else:
            status = {"status": "crashed", "reason": f"crashed in cell {client.current_cell}: "
                                                     f"{error.ename}: {str(error.evalue)[:300]}"}
    except DeadKernelError as error:
        status = {"status": "crashed", "reason": f"the kernel died in cell {client.current_cell}: {error}"}
    except Exception as error:  # nbclient itself failed: still a result, never a stopped class
        status = {"status": "crashed", "reason": f"could not run the notebook: {type(error).__name__}: {error}"}
    try:
        nbformat.write(notebook, arguments.executed)
    except Exception:
        pass
    temporary = status_path.with_name(status_path.name + ".partial")
    temporary.write_text(json.dumps(status))
    os.replace(temporary, status_path)  # the child imports no course_utils (TensorFlow): it starts fast
    return 0


def _limited_client(notebook, output_limit: int, deadline: float):
    import nbclient

    class LimitedClient(nbclient.NotebookClient):
        """nbclient that stops a notebook printing more than ``output_limit`` bytes and keeps none of it."""

        output_bytes = 0
        output_exceeded = False
        current_cell = None

        def process_message(self, msg, cell, cell_index):
            self.current_cell = cell_index
            if msg.get("msg_type") in ("stream", "display_data", "execute_result", "update_display_data", "error"):
                self.output_bytes += len(json.dumps(msg.get("content", {})))
                if self.output_bytes > output_limit:
                    if not self.output_exceeded:
                        self.output_exceeded = True
                        cell.outputs.append(nbformat_output(f"[grader] output limit of {output_limit:,} bytes "
                                                            "reached: the rest was dropped and the cell stopped"))
                        import asyncio

                        asyncio.ensure_future(self.km.interrupt_kernel())  # async manager: schedule it
                    return None
            return super().process_message(msg, cell, cell_index)

    def remaining(cell):
        return max(1, int(deadline - time.monotonic()))

    return LimitedClient(notebook, timeout_func=remaining, kernel_name=notebook_runner.KERNEL_NAME,
                         resources={"metadata": {"path": os.getcwd()}}, allow_errors=False,
                         interrupt_on_timeout=False)


def nbformat_output(text: str):
    import nbformat

    return nbformat.v4.new_output("stream", name="stderr", text=text + "\n")


# ----------------------------------------------------------------------------- grading


def grade_student(name: str, entry: Path, lessons, arguments) -> dict:
    """Everything about one student; never raises for a bad submission."""
    import nbformat

    from course_utils import paths

    result = {"student": name, "fingerprint": fingerprint(entry), "lessons": {}, "problems": []}
    student_out = Path(arguments.output) / "students" / _safe(name)
    student_out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
        scratch = Path(scratch)
        try:
            folder = unpack(entry, scratch / "unpacked")
            files = submitted_notebooks(folder)
        except Exception as error:
            result["problems"].append(f"the submission could not be opened ({type(error).__name__}: {error})")
            files = []
        if not files:
            result["problems"].append("empty submission: no .ipynb notebook in it")
        by_lesson, problems = {}, []
        for path in files:
            shown = str(path.relative_to(folder))
            named = lesson_of_name(path.name, ALL_LESSONS)
            try:
                notebook = json.loads(path.read_text(encoding="utf-8"))
            except ValueError as error:
                invalid = f"{shown} is not valid JSON ({str(error)[:200]})"
            else:
                try:
                    nbformat.validate(nbformat.reads(json.dumps(notebook), as_version=4))
                    invalid = None
                except Exception as error:
                    invalid = f"{shown} is not a valid notebook ({str(error).splitlines()[0][:200]})"
            if invalid:
                if named and named.stem not in by_lesson:
                    by_lesson[named.stem] = (path, shown, invalid)
                elif not named:
                    problems.append(f"{invalid}; not named like a lesson, ignored")
                continue
            content = identify(notebook, ALL_LESSONS)
            lesson = content or named
            if named and content and named is not content:
                problems.append(f"{shown} is named like lesson {named.number} but holds lesson {content.number} "
                                f"({content.stem})")
                by_lesson.setdefault(named.stem, (None, shown, f"wrong lesson: {shown} holds lesson "
                                                               f"{content.number} ({content.stem}), not {named.stem}"))
            if lesson is None:
                problems.append(f"{shown} is not one of the course's lessons; ignored")
                continue
            current = by_lesson.get(lesson.stem)
            if current is None or current[0] is None or current[2]:
                by_lesson[lesson.stem] = (path, shown, None)
            else:
                problems.append(f"{shown}: a second notebook of lesson {lesson.number}; only {current[1]} was graded")
        result["problems"].extend(problems)
        for lesson in lessons:
            result["lessons"][lesson.stem] = _grade_lesson(lesson, by_lesson.get(lesson.stem), scratch, student_out, arguments)
    paths.write_text_atomic(student_out / "feedback.md", feedback_page(result, lessons))
    paths.write_text_atomic(student_out / "result.json", json.dumps(result, indent=1))
    return result


def _grade_lesson(lesson, found, scratch: Path, student_out: Path, arguments) -> dict:
    outcome = {"file": None, "status": "", "reason": "", "exercises": {}}
    if found is None:
        outcome.update(status="missing", reason=f"no notebook of lesson {lesson.number} ({lesson.stem}.ipynb)")
        outcome["exercises"] = {exercise: {"outcome": NOT_SUBMITTED, "message": ""} for exercise in lesson.exercises}
        return outcome
    path, shown, problem = found
    outcome["file"] = shown
    if path is None or problem:
        status = "wrong lesson" if path is None else "invalid"
        outcome.update(status=status, reason=problem)
        value = NOT_SUBMITTED if path is None else NOT_GRADED
        outcome["exercises"] = {exercise: {"outcome": value, "message": ""} for exercise in lesson.exercises}
        return outcome
    work = scratch / lesson.stem
    (work / "cwd").mkdir(parents=True)
    copy = work / "cwd" / f"{lesson.stem}.ipynb"
    shutil.copyfile(path, copy)
    run = run_notebook(copy, lesson, work, arguments, arguments.artifacts_from)
    if (work / "executed.ipynb").exists():
        shutil.copyfile(work / "executed.ipynb", student_out / f"{lesson.stem}.executed.ipynb")
    outcome.update(status=run["status"], reason=run["reason"], seconds=run["seconds"], time_limit=run["time_limit"])
    first = {}
    for record in run["records"]:  # the first check of an exercise is the learner's cell (later ones: demos)
        first.setdefault(record["exercise"], record)
    for exercise in lesson.exercises:
        record = first.get(exercise)
        if record is not None:
            value = record.get("outcome") if record.get("outcome") in _outcomes() else "error"
            outcome["exercises"][exercise] = {"outcome": value, "message": str(record.get("message", ""))[:1000]}
        else:
            value = "not attempted" if run["status"] == STATUS_OK else NOT_REACHED
            outcome["exercises"][exercise] = {"outcome": value, "message": ""}
    return outcome


def _outcomes():
    from course_utils.exercises import OUTCOMES

    return OUTCOMES


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "_"


# ------------------------------------------------------------------------------ output


def feedback_page(result: dict, lessons) -> str:
    lines = [f"# Feedback for {result['student']}", ""]
    for problem in result["problems"]:
        lines.append(f"- **Submission:** {problem}")
    for lesson in lessons:
        graded = result["lessons"].get(lesson.stem)
        if graded is None:
            continue
        lines += ["", f"## Lesson {lesson.number}: {lesson.stem}", ""]
        status = graded["status"]
        if status != STATUS_OK:
            lines.append(f"**Notebook:** {status}: {graded['reason']}")
        else:
            lines.append(f"**Notebook:** ran to the end in {graded.get('seconds', 0):.0f} s")
        lines += ["", "| exercise | outcome | message |", "| --- | --- | --- |"]
        for exercise, item in graded["exercises"].items():
            message = item["message"].replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{exercise}` | {item['outcome']} | {message} |")
    return "\n".join(lines) + "\n"


def write_class_files(output: Path, lessons) -> list[dict]:
    from course_utils import paths

    results = []
    for path in sorted((output / "students").glob("*/result.json")):
        try:
            results.append(json.loads(path.read_text()))
        except ValueError:
            continue
    exercises = [exercise for lesson in lessons for exercise in lesson.exercises]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student"] + [f"notebook {lesson.stem}" for lesson in lessons] + exercises)
    for result in sorted(results, key=lambda item: item["student"]):
        row = [result["student"]]
        row += [result["lessons"].get(lesson.stem, {}).get("status", "not graded") for lesson in lessons]
        cells = {exercise: item["outcome"] for graded in result["lessons"].values()
                 for exercise, item in graded["exercises"].items()}
        row += [cells.get(exercise, NOT_GRADED) for exercise in exercises]
        writer.writerow(row)
    paths.write_text_atomic(output / "gradebook.csv", buffer.getvalue())
    summary = []
    for exercise in exercises:
        outcomes = collections.Counter()
        mistakes = collections.Counter()
        for result in results:
            for graded in result["lessons"].values():
                item = graded["exercises"].get(exercise)
                if item:
                    outcomes[item["outcome"]] += 1
                    if item["outcome"] == "incorrect":
                        mistakes[item["message"]] += 1
        total = sum(outcomes.values())
        common, count = mistakes.most_common(1)[0] if mistakes else ("", 0)
        summary.append({"exercise": exercise, "students": total, "correct": outcomes["correct"],
                        "solve_rate": round(outcomes["correct"] / total, 3) if total else 0.0,
                        "incorrect": outcomes["incorrect"], "not_attempted": outcomes["not attempted"],
                        "most_common_mistake": common, "mistake_count": count})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(summary[0]) if summary else ["exercise"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(summary)
    paths.write_text_atomic(output / "summary.csv", buffer.getvalue())
    lines = ["# Class summary", "", f"{len(results)} students graded.", "",
             "| exercise | solved | solve rate | most common mistake (students) |", "| --- | ---: | ---: | --- |"]
    for item in summary:
        mistake = item["most_common_mistake"].replace("|", "\\|").replace("\n", " ")
        mistake = f"{mistake} ({item['mistake_count']})" if mistake else ""
        lines.append(f"| `{item['exercise']}` | {item['correct']}/{item['students']} | "
                     f"{100 * item['solve_rate']:.0f}% | {mistake} |")
    problems = [(result["student"], lesson, graded["status"], graded["reason"]) for result in results
                for lesson, graded in result["lessons"].items() if graded["status"] != STATUS_OK]
    if problems:
        lines += ["", "## Notebooks that did not run to the end", "", "| student | lesson | status | reason |",
                  "| --- | --- | --- | --- |"]
        lines += [f"| {student} | {lesson} | {status} | {reason.replace('|', '/')} |"
                  for student, lesson, status, reason in problems]
    paths.write_text_atomic(output / "summary.md", "\n".join(lines) + "\n")
    return results


# -------------------------------------------------------------------------------- main


def parse(argv):
    parser = argparse.ArgumentParser(prog="./course grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", nargs="?", type=Path, help="folder with one subfolder or archive per student")
    parser.add_argument("--lessons", nargs="+", help="lessons to grade (numbers or names; default: all)")
    parser.add_argument("--output", type=Path, default=Path("grades"), help="output folder (default: grades)")
    parser.add_argument("--workers", type=int, default=1, help="notebooks graded at the same time (default 1)")
    parser.add_argument("--force", action="store_true", help="re-grade students already graded")
    parser.add_argument("--time-limit", type=float, help="seconds per notebook (default: smoke time x factor + margin)")
    parser.add_argument("--time-factor", type=float, default=DEFAULT_TIME_FACTOR)
    parser.add_argument("--time-margin", type=float, default=DEFAULT_TIME_MARGIN)
    parser.add_argument("--output-limit", type=int, default=DEFAULT_OUTPUT_LIMIT, help="bytes of output per notebook")
    parser.add_argument("--artifacts-from", type=Path,
                        help="a folder of trained models copied into each run's COURSE_ARTIFACTS (lessons 3+)")
    parser.add_argument("--run-one", help=argparse.SUPPRESS)
    parser.add_argument("--executed", help=argparse.SUPPRESS)
    parser.add_argument("--status", help=argparse.SUPPRESS)
    parser.add_argument("--parameters", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.run_one is None:
        if arguments.submissions is None or not arguments.submissions.is_dir():
            parser.error(f"SUBMISSIONS must be an existing folder, got {arguments.submissions}")
        if arguments.workers < 1:
            parser.error(f"--workers must be at least 1, got {arguments.workers}")
        if arguments.output_limit < 1000:
            parser.error(f"--output-limit must be at least 1000 bytes, got {arguments.output_limit}")
        if arguments.artifacts_from is not None and not arguments.artifacts_from.is_dir():
            parser.error(f"--artifacts-from must be an existing folder, got {arguments.artifacts_from}")
    return arguments


def main(argv=None) -> int:
    arguments = parse(argv)
    if arguments.run_one is not None:
        return run_one(arguments)
    lessons = load_lessons(arguments.lessons)
    output = arguments.output
    (output / "students").mkdir(parents=True, exist_ok=True)
    students = find_students(arguments.submissions)
    wanted = [lesson.stem for lesson in lessons]
    to_grade = {}
    for name, entry in students.items():
        previous = output / "students" / _safe(name) / "result.json"
        if previous.exists() and not arguments.force:
            try:
                old = json.loads(previous.read_text())
                if list(old["lessons"]) == wanted and old["fingerprint"] == fingerprint(entry):
                    print(f"{name}: already graded (use --force to re-grade)")
                    continue
            except (ValueError, KeyError):
                pass
        to_grade[name] = entry
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=arguments.workers) as pool:
        futures = {pool.submit(grade_student, name, entry, lessons, arguments): name for name, entry in to_grade.items()}
        for future in concurrent.futures.as_completed(futures):
            name = futures[future]
            try:
                result = future.result()
                line = ", ".join(f"{stem}: {graded['status']}" for stem, graded in result["lessons"].items())
                print(f"{name}: {line}", flush=True)
            except Exception as error:  # a bug here must not stop the class either
                print(f"{name}: grading failed ({type(error).__name__}: {error}); re-run to retry", flush=True)
    results = write_class_files(output, lessons)
    print(f"graded {len(to_grade)} students in {time.monotonic() - start:.0f} s ({len(results)} in the gradebook); "
          f"see {output / 'gradebook.csv'} and {output / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
