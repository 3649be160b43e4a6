"""Run lessons 0 and 1 in an environment built like Google Colab's, installing the course
exactly as the lessons' first cell does there.

    python benchmarks/colab_like_environment.py [--fresh] [--cell-timeout 600]
        [--overlay pyproject.toml ...] [--python /path/to/python3.13] [NOTEBOOK ...]

What it builds, under build/colab-like/:

* ``venv/``: Python 3.13 with Colab's versions (:data:`COLAB_PINS`, from the 2026-08
  snapshot in NOTEBOOK_TESTING.md) plus papermill as the runner, a stand-in ``google.colab``
  package, and a kernelspec ``colab-like`` pointing at this venv's python. Reused when every
  pin is still installed; ``--fresh`` rebuilds it.
* ``ipython/``: an IPython profile whose startup file imports ``google.colab``, so the kernel
  starts with it in ``sys.modules`` as Colab's does.
* ``course.git/``: a fresh clone of this repository's committed HEAD (``--overlay PATH``
  copies working-tree files over it and commits them there, never here).
* ``home/``: HOME and GIT_CONFIG_GLOBAL for the run. Its .gitconfig rewrites
  ``https://github.com/tl-gan-course/course.git`` to the clone, so the lessons' unchanged
  ``!pip install -q "git+https://github.com/tl-gan-course/course.git"`` clones, builds and
  installs the course non-editable, offline, without touching this machine's git config.

Each lesson runs with papermill in its default mode (no parameters), one time limit per
cell, the venv's bin first on PATH (so ``!pip`` is the venv's pip), a scratch working
directory and a scratch ``COURSE_ARTIFACTS``. Results: benchmarks/results/
colab_like_environment.json and .md, one slot for the committed HEAD and one for HEAD with
overlays (a run replaces its own slot): per lesson pass/fail, seconds and the error; the
versions of Colab's packages before and after the lessons ran (none may change); how
course_utils got installed. Exits 1 when a lesson fails or a pinned package changed.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
BUILD = REPOSITORY / "build" / "colab-like"
VENV = BUILD / "venv"
CLONE = BUILD / "course.git"
HOME = BUILD / "home"
IPYTHON_DIR = BUILD / "ipython"
RUNS = BUILD / "runs"
RESULTS = REPOSITORY / "benchmarks" / "results"
COURSE_URL = "https://github.com/tl-gan-course/course.git"
KERNEL_NAME = "colab-like"
DEFAULT_LESSONS = ("notebooks/00_start_here.ipynb", "notebooks/01_cross_entropy.ipynb")

# Colab's preinstalled versions (the first eight are reported after the run) ...
COLAB_PINS = {
    "tensorflow": "2.20.*", "keras": "3.13.*", "numpy": "2.1.*", "ipywidgets": "7.7.*",
    "ipykernel": "6.17.*", "jupyter_client": "7.4.*", "mlxtend": "0.23.*", "scikit-learn": "1.6.*",
    # ... and versions of the other course dependencies that go with them.
    "matplotlib": "3.10.*", "scipy": "1.15.*", "pillow": "11.*",
}
REPORTED = ("tensorflow", "keras", "numpy", "ipywidgets", "ipykernel", "jupyter_client", "mlxtend", "scikit-learn")
# The runner: papermill 2.7 with nbclient 0.11, which accept jupyter_client 7.4 (>=6.1.12).
RUNNER = ("papermill==2.7.*", "nbclient==0.11.*")

COLAB_STUB = '''"""Stand-in for Google Colab's package, made by benchmarks/colab_like_environment.py:
only its presence in sys.modules matters to the lessons."""
'''
STARTUP_FILE = "import google.colab  # as in Colab's kernel: lessons test 'google.colab' in sys.modules\n"


def log(message: str) -> None:
    print(f"[colab-like] {message}", flush=True)


def run(command, **kwargs) -> subprocess.CompletedProcess:
    """Run a command, echoing it; raise with its output when it fails."""
    log("$ " + " ".join(shorten(part) for part in command))
    result = subprocess.run([str(part) for part in command], check=False, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} exited {result.returncode}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def shorten(part, limit: int = 100) -> str:
    text = str(part)
    return text if len(text) <= limit else text[:limit] + "..."


def find_python(requested: str | None) -> str:
    """A Python 3.13 interpreter: --python, else python3.13 on PATH, else a pyenv one."""
    candidates = [requested] if requested else (
        [shutil.which("python3.13")] + sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13"))))
    for candidate in filter(None, candidates):
        try:
            version = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"], check=False,
                                     capture_output=True, text=True).stdout.strip()
        except OSError:
            continue
        if version == "True":
            return candidate
    raise SystemExit(f"--python: no Python 3.13 found (tried {[c for c in candidates if c]}); Colab runs 3.13")


def venv_python() -> Path:
    return VENV / "bin" / "python"


def installed_versions(names=None) -> dict:
    """{distribution name: version} in the venv, for ``names`` or for everything."""
    code = ("import importlib.metadata as m, json, sys; names = json.loads(sys.argv[1]);"
            "found = {d.metadata['Name']: d.version for d in m.distributions()};"
            "lower = {k.lower().replace('_', '-'): v for k, v in found.items()};"
            "print(json.dumps(found if names is None else"
            " {n: lower.get(n.lower().replace('_', '-')) for n in names}))")
    result = run([venv_python(), "-c", code, json.dumps(names)])
    return json.loads(result.stdout)


def matches(version: str | None, pin: str) -> bool:
    """Whether ``version`` satisfies a ``2.20.*`` style pin."""
    prefix = pin.removesuffix("*").removesuffix(".")
    return version is not None and (version == prefix or version.startswith(prefix + "."))


def pins_installed() -> bool:
    if not venv_python().exists():
        return False
    found = installed_versions(list(COLAB_PINS) + ["papermill"])
    return all(matches(found[name], pin) for name, pin in COLAB_PINS.items()) and found["papermill"] is not None


def build_environment(python: str, fresh: bool) -> None:
    """Create or reuse the venv with Colab's versions, the google.colab stub and the kernelspec."""
    if fresh and BUILD.exists():
        log(f"--fresh: removing {BUILD}")
        shutil.rmtree(BUILD)
    if not venv_python().exists():
        run([python, "-m", "venv", VENV])
    if pins_installed():
        log("reusing the venv: every Colab pin is installed")
    else:
        run([venv_python(), "-m", "pip", "install", "--quiet",
             *(f"{name}=={pin}" for name, pin in COLAB_PINS.items()), *RUNNER])
    site_packages = Path(run([venv_python(), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    stub = site_packages / "google" / "colab" / "__init__.py"  # no google/__init__.py: protobuf shares `google`
    stub.parent.mkdir(parents=True, exist_ok=True)
    stub.write_text(COLAB_STUB)
    startup = IPYTHON_DIR / "profile_default" / "startup" / "00-google-colab.py"
    startup.parent.mkdir(parents=True, exist_ok=True)
    startup.write_text(STARTUP_FILE)
    kernel = VENV / "share" / "jupyter" / "kernels" / KERNEL_NAME / "kernel.json"
    kernel.parent.mkdir(parents=True, exist_ok=True)
    kernel.write_text(json.dumps({
        "argv": [str(venv_python()), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (Colab-like)", "language": "python",
        "env": {"IPYTHONDIR": str(IPYTHON_DIR)},
    }, indent=1))


def clone_course(overlays) -> dict:
    """A fresh clone of the committed HEAD (plus overlays, committed in the clone only)."""
    shutil.rmtree(CLONE, ignore_errors=True)
    run(["git", "clone", "--quiet", "--no-hardlinks", REPOSITORY, CLONE], env=git_environment())
    for relative in overlays:
        (CLONE / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPOSITORY / relative, CLONE / relative)
    if overlays:
        run(["git", "-C", CLONE, "add", "--", *overlays], env=git_environment())
        run(["git", "-C", CLONE, "-c", "user.name=colab-like benchmark", "-c", "user.email=benchmark@localhost",
             "commit", "--quiet", "-m", "working-tree overlay: " + ", ".join(overlays)], env=git_environment())
    head = run(["git", "-C", CLONE, "rev-parse", "HEAD"], env=git_environment()).stdout.strip()
    source_head = run(["git", "-C", REPOSITORY, "rev-parse", "HEAD"]).stdout.strip()
    return {"repository_head": source_head, "clone_head": head, "overlays": list(overlays)}


def git_environment() -> dict:
    """Environment whose git reads only build/colab-like/home/.gitconfig (with the rewrite)."""
    HOME.mkdir(parents=True, exist_ok=True)
    config = HOME / ".gitconfig"
    config.write_text(f'[url "{CLONE.as_uri()}"]\n\tinsteadOf = {COURSE_URL}\n'
                      '[protocol "file"]\n\tallow = always\n')
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("GIT_", "PYTHON", "JUPYTER", "VIRTUAL_ENV", "COURSE_", "KERAS_"))}
    environment.update(HOME=str(HOME), GIT_CONFIG_GLOBAL=str(config), GIT_CONFIG_NOSYSTEM="1")
    return environment


def run_lesson(notebook: Path, cell_timeout: int) -> dict:
    """Execute one lesson with papermill; its pass/fail, seconds, error and slowest cells."""
    scratch = RUNS / notebook.stem
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "cwd").mkdir(parents=True)
    environment = git_environment()
    environment.update(
        PATH=f"{VENV / 'bin'}{os.pathsep}{environment.get('PATH', '')}",
        VIRTUAL_ENV=str(VENV), IPYTHONDIR=str(IPYTHON_DIR), COURSE_ARTIFACTS=str(scratch / "artifacts"),
    )
    output = scratch / notebook.name
    command = [VENV / "bin" / "papermill", notebook, output, "-k", KERNEL_NAME, "--cwd", scratch / "cwd",
               "--execution-timeout", str(cell_timeout), "--no-progress-bar"]
    log("$ " + " ".join(str(part) for part in command))
    start = time.monotonic()
    result = subprocess.run([str(part) for part in command], check=False, capture_output=True, text=True, env=environment)
    seconds = time.monotonic() - start
    (scratch / "papermill.log").write_text(result.stdout + result.stderr)
    record = {"passed": result.returncode == 0, "seconds": round(seconds, 1), "error": None,
              "output": str(output.relative_to(REPOSITORY))}
    if output.exists():
        record.update(inspect_output(json.loads(output.read_text()), cell_timeout))
    if result.returncode != 0 and record["error"] is None:  # papermill failed before or outside a cell
        last_lines = (result.stderr or result.stdout).strip().splitlines()
        record["error"] = last_lines[-1] if last_lines else f"papermill exited {result.returncode}"
    log(f"{notebook.name}: {'passed' if record['passed'] else 'FAILED'} in {seconds:.1f} s"
        + (f" -- {record['error']}" if record["error"] else ""))
    return record


def inspect_output(notebook: dict, cell_timeout: int) -> dict:
    """The first error, the install cell's output, the setup report line and the slowest cells."""
    error, install_output, report, durations = None, None, None, []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        texts = ["".join(out.get("text", "")) for out in cell.get("outputs", []) if out["output_type"] == "stream"]
        if install_output is None and "pip install" in source:
            install_output = "".join(texts).strip()
        report = report or next((line for text in texts for line in text.splitlines() if line.startswith("Device:")), None)
        for out in cell.get("outputs", []):
            if out["output_type"] == "error" and error is None:
                error = f"cell {index}: {out['ename']}: {out['evalue']}"[:500]
        duration = (cell.get("metadata", {}).get("papermill") or {}).get("duration")
        if duration is not None:
            durations.append((round(duration, 1), index))
    slowest = sorted(durations, reverse=True)[:3]
    return {"error": error, "install_cell_output": install_output, "setup_report": report,
            "slowest_cells": [{"cell": index, "seconds": seconds} for seconds, index in slowest],
            "cells_at_time_limit": [index for seconds, index in durations if seconds >= cell_timeout - 1]}


def course_installation() -> dict:
    """How course_utils is installed in the venv: from which URL, editable or not, where."""
    code = ("import importlib.metadata as m, json, pathlib, sysconfig\n"
            "d = m.distribution('course-utils')\n"
            "url = json.loads(d.read_text('direct_url.json') or '{}')\n"
            "import importlib.util; spec = importlib.util.find_spec('course_utils')\n"
            "site = pathlib.Path(sysconfig.get_paths()['purelib'])\n"
            "print(json.dumps({'version': d.version, 'url': url.get('url'), 'vcs_info': url.get('vcs_info'),"
            " 'editable': bool(url.get('dir_info', {}).get('editable')), 'file': spec.origin,"
            " 'inside_venv_site_packages': pathlib.Path(spec.origin).is_relative_to(site)}))")
    try:
        found = json.loads(run([venv_python(), "-c", code], cwd=BUILD).stdout)
    except RuntimeError as error:
        return {"installed": False, "error": str(error).splitlines()[-1]}
    found["installed"] = True
    found["non_editable_from_git_url"] = (found["url"] == COURSE_URL and found["vcs_info"] is not None
                                          and not found["editable"] and found["inside_venv_site_packages"])
    return found


def source_label(source: dict) -> str:
    """Results slot of a run: the committed HEAD alone, or HEAD with working-tree overlays."""
    return "committed HEAD + working-tree overlay" if source["overlays"] else "committed HEAD"


def write_results(run_results: dict) -> None:
    """Store this run in its slot of the JSON file (the other slot is kept) and rewrite the .md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_file = RESULTS / "colab_like_environment.json"
    stored = json.loads(json_file.read_text()) if json_file.exists() else {}
    runs = stored.get("runs", {})
    runs[source_label(run_results["source"])] = run_results
    json_file.write_text(json.dumps({"runs": dict(sorted(runs.items()))}, indent=2) + "\n")
    rows = ["# Lessons 0 and 1 in a Colab-like environment", "",
            "Written by `benchmarks/colab_like_environment.py`: Colab's package versions in a Python 3.13 venv,",
            f"the course installed by the lessons' own `!pip install git+{COURSE_URL}` cell",
            "(git rewrites the URL to a clone of this repository), papermill in default mode."]
    for label, results in sorted(runs.items()):
        source = results["source"]
        rows += ["", f"## {label}", "",
                 f"{results['date']}, Python {results['python']}, {results['machine']['cpus']} CPUs, "
                 f"HEAD `{source['repository_head'][:10]}`"
                 + (f" with {', '.join(f'`{path}`' for path in source['overlays'])} from the working tree" if source["overlays"] else "")
                 + f", {results['cell_timeout']} s limit per cell.", "",
                 "| lesson | result | seconds | error |", "| --- | --- | ---: | --- |"]
        rows += [f"| `{name}` | {'pass' if r['passed'] else 'FAIL'} | {r['seconds']:.0f} | {(r['error'] or '').replace('|', '/')} |"
                 for name, r in results["lessons"].items()]
        rows += ["", "| package | Colab pin | before the lessons | after |", "| --- | --- | --- | --- |"]
        rows += [f"| {name} | {COLAB_PINS[name]} | {results['versions_before'][name]} | {results['versions_after'][name]} |"
                 for name in REPORTED]
        install = results["course_utils"]
        how = ("non-editable from the git URL" if install.get("non_editable_from_git_url")
               else "NOT non-editable from the git URL")
        rows += ["", f"course_utils {install.get('version', '')} installed {how}: {install.get('file') or install.get('error')}.",
                 "Packages the install cell changed: "
                 + (", ".join(f"{name} {old} -> {new}" for name, (old, new) in results["changed_by_lessons"].items()) or "none") + "."]
    (RESULTS / "colab_like_environment.md").write_text("\n".join(rows) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, default=[Path(p) for p in DEFAULT_LESSONS],
                        help="lessons to run (default: lessons 0 and 1)")
    parser.add_argument("--fresh", action="store_true", help="rebuild build/colab-like/ from nothing")
    parser.add_argument("--cell-timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    parser.add_argument("--overlay", action="append", default=[], metavar="PATH",
                        help="working-tree file to commit over HEAD in the clone (repeatable)")
    parser.add_argument("--python", help="Python 3.13 interpreter for the venv")
    arguments = parser.parse_args()
    if arguments.cell_timeout <= 0:
        parser.error("--cell-timeout must be a positive number of seconds")
    notebooks = [(REPOSITORY / path if not path.is_absolute() else path).resolve() for path in arguments.notebooks]
    for path in notebooks:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"notebook {path} is not an existing .ipynb file")
    overlays = []
    for overlay in arguments.overlay:
        path = (REPOSITORY / overlay).resolve()
        if not path.is_file() or not path.is_relative_to(REPOSITORY):
            parser.error(f"--overlay {overlay} is not a file of the repository")
        overlays.append(path.relative_to(REPOSITORY).as_posix())

    build_environment(find_python(arguments.python), arguments.fresh)
    source = clone_course(overlays)
    run([venv_python(), "-m", "pip", "uninstall", "--quiet", "--yes", "course-utils"])  # the lesson installs it
    before = installed_versions()
    lessons = {path.name: run_lesson(path, arguments.cell_timeout) for path in notebooks}
    after = installed_versions()
    changed = {name: [before.get(name), version] for name, version in sorted(after.items())
               if before.get(name) != version and name.lower().replace("_", "-") != "course-utils"}
    lower = lambda versions: {k.lower().replace("_", "-"): v for k, v in versions.items()}
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "python": run([venv_python(), "-c", "import platform; print(platform.python_version())"]).stdout.strip(),
        "machine": {"cpus": os.cpu_count(), "system": platform.system()},
        "cell_timeout": arguments.cell_timeout,
        "source": source,
        "lessons": lessons,
        "versions_before": {name: lower(before).get(name.replace("_", "-")) for name in REPORTED},
        "versions_after": {name: lower(after).get(name.replace("_", "-")) for name in REPORTED},
        "other_versions_after": {name: lower(after).get(name) for name in ("matplotlib", "scipy", "pillow", "ipython", "papermill", "nbclient", "setuptools")},
        "changed_by_lessons": changed,
        "course_utils": course_installation(),
    }
    write_results(results)
    print((RESULTS / "colab_like_environment.md").read_text())
    pins_kept = all(matches(results["versions_after"][name], COLAB_PINS[name]) for name in REPORTED)
    return 0 if pins_kept and all(r["passed"] for r in lessons.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
