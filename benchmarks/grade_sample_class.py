"""Grade a sample class with tools/grade.py and compare each submission's time with its
lesson's smoke time (target: at most smoke time + 10 s per submission).

    .venv/bin/python benchmarks/grade_sample_class.py [--students 4] [--workers 1]

The class: lesson 0 and lesson 1 notebooks built from the committed lessons (right answers,
wrong answers, untouched), as in tests/test_grading.py. Writes
benchmarks/results/grading_sample_class.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "tests"))
import test_grading as helpers  # noqa: E402  (the lesson-editing helpers of the grading test)

RESULTS = REPOSITORY / "benchmarks" / "results"
TARGET_MARGIN = 10.0


def build(submissions: Path, students: int) -> None:
    answers = ["answer = mnist.x_train[0].shape", "answer = (28, 28)", "answer = ..."]
    for index in range(students):
        folder = submissions / f"student{index:02d}"
        answer = answers[index % len(answers)]
        helpers._write(folder, "00_start_here.ipynb", helpers._lesson(helpers.LESSON_0, {"image_shape": answer}))
        solved = {name: helpers._solution(name) for name in helpers.CE[: index % 5]}
        helpers._write(folder, "01_cross_entropy.ipynb", helpers._lesson(helpers.LESSON_1, solved))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    arguments = parser.parse_args(argv)
    smoke = {name: item["smoke"] for name, item in
             json.loads((RESULTS / "notebook_times.json").read_text())["notebooks"].items()}
    with tempfile.TemporaryDirectory() as root:
        root = Path(root)
        build(root / "submissions", arguments.students)
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        subprocess.run([sys.executable, str(REPOSITORY / "tools" / "grade.py"), str(root / "submissions"),
                        "--lessons", "0", "1", "--output", str(root / "grades"), "--workers", str(arguments.workers)],
                       check=True, cwd=REPOSITORY)
        total = time.perf_counter() - start
        submissions = []
        for path in sorted((root / "grades" / "students").glob("*/result.json")):
            result = json.loads(path.read_text())
            for stem, lesson in result["lessons"].items():
                limit = smoke[f"{stem}.ipynb"] + TARGET_MARGIN
                submissions.append({"student": result["student"], "lesson": stem, "status": lesson["status"],
                                    "seconds": lesson.get("seconds"), "smoke_seconds": smoke[f"{stem}.ipynb"],
                                    "target_seconds": limit, "met": (lesson.get("seconds") or 1e9) <= limit})
        gradebook = (root / "grades" / "gradebook.csv").read_text()
    record = {"students": arguments.students, "workers": arguments.workers, "total_seconds": round(total, 1),
              "submissions": submissions, "all_met": all(item["met"] for item in submissions),
              "gradebook_csv": gradebook,
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average_before": round(load_before, 2), "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                          "note": "shared machine: other jobs ran at the same time, so times are inflated"}}
    (RESULTS / "grading_sample_class.json").write_text(json.dumps(record, indent=1) + "\n")
    lines = ["# Grading a sample class", "",
             f"{arguments.students} students x 2 lessons, {arguments.workers} worker(s), {total:.0f} s in all "
             f"(load average before: {load_before:.2f}; a shared machine, times inflated).", "",
             "| student | lesson | status | seconds | smoke + 10 s | met |", "| --- | --- | --- | ---: | ---: | --- |"]
    lines += [f"| {item['student']} | {item['lesson']} | {item['status']} | {item['seconds']} | "
              f"{item['target_seconds']:.0f} | {'yes' if item['met'] else 'no'} |" for item in submissions]
    (RESULTS / "grading_sample_class.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
