"""The project's own files agree (pyproject vs environment.yml, README vs .ci/run), and the
notebook runner (tools/notebook_runner.py) keeps its conventions: parameters, one cell time
limit for every run, no silent cells in a committed lesson, no widget reprs."""

import json
import os
import re
import threading
import tomllib

import pytest
import yaml

from conftest import REPOSITORY
from tools import notebook_runner


def test_environment_yml_installs_the_same_dependencies_as_pyproject():
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]
    declared = set(project["dependencies"]) | set(project["optional-dependencies"]["dev"])
    environment = yaml.safe_load((REPOSITORY / "environment.yml").read_text())
    pip_section = next(entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict))
    assert "-e .[dev]" in pip_section, "environment.yml must install the course package itself"
    assert set(pip_section) - {"-e .[dev]"} == declared
    python = next(entry for entry in environment["dependencies"] if isinstance(entry, str) and entry.startswith("python"))
    assert python.replace("python", "") == project["requires-python"].replace(" ", "")


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPOSITORY / "README.md").read_text()
    commands = re.findall(r"```(?:bash|sh)?\n(\./course \w+)\n```", readme)
    assert commands[:2] == ["./course lab", "./course test"]
    ci_lines = [line for line in (REPOSITORY / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci_lines[-1] == "exec ./course test"


def test_notebook_runner_reads_parameters_and_smoke_values(tmp_path):
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Title"]},
            {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "execution_count": None, "outputs": [],
             "source": ["EPOCHS = 5\n", "SIZE: int = 100  # images\n", "RATES = [1e-3, 1e-4]\n"]},
        ],
        "metadata": {"course": {"smoke_parameters": {"EPOCHS": 1}}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "99_example.ipynb"
    path.write_text(json.dumps(notebook))
    assert notebook_runner.parameter_names(path) == {"EPOCHS", "SIZE", "RATES"}
    assert notebook_runner.parameter_values(path) == {"EPOCHS": 5, "RATES": [1e-3, 1e-4]}
    assert notebook_runner.smoke_parameters(path) == {"EPOCHS": 1}
    assert notebook_runner.list_notebooks(tmp_path) == [path]

    notebook["metadata"]["course"]["smoke_parameters"] = {"EPOCH": 1}
    path.write_text(json.dumps(notebook))
    with pytest.raises(ValueError, match=r"smoke parameters \['EPOCH'\] are not in its parameters cell"):
        notebook_runner.smoke_parameters(path)

    notebook["cells"][1]["metadata"] = {}
    path.write_text(json.dumps(notebook))
    with pytest.raises(ValueError, match="exactly one cell tagged 'parameters', found 0"):
        notebook_runner.parameter_names(path)


@pytest.mark.parametrize("call, words", [
    (lambda tmp_path: notebook_runner.parameter_names(tmp_path / "missing.ipynb"), "path must be an existing .ipynb file"),
    (lambda tmp_path: notebook_runner.list_notebooks(tmp_path / "nowhere"), "folder must be an existing directory"),
    (lambda tmp_path: notebook_runner.execute(tmp_path / "a.txt", tmp_path / "b.ipynb"),
     "path must be an existing .ipynb file"),
    (lambda tmp_path: notebook_runner.execute_in_place(tmp_path / "missing.ipynb"), "path must be an existing .ipynb file"),
])
def test_notebook_runner_rejects_bad_paths(call, words, tmp_path):
    with pytest.raises(ValueError, match=words):
        call(tmp_path)


def test_notebook_runner_rejects_parameters_that_are_not_a_dict():
    with pytest.raises(TypeError, match="parameters must be a dict"):
        notebook_runner.execute(notebook_runner.list_notebooks()[0], REPOSITORY / "build" / "x.ipynb", [("EPOCHS", 1)])


def _notebook(tmp_path, *sources):
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / "99_example.ipynb"
    nbformat.write(notebook, path)
    return path


def test_one_cell_time_limit_for_every_notebook_run(pytestconfig, tmp_path, monkeypatch):
    from nbclient.exceptions import CellTimeoutError

    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
    assert not [option for option in project["tool"]["pytest"]["ini_options"]["addopts"] if "timeout" in option]
    assert pytestconfig.option.nbval_cell_timeout == notebook_runner.CELL_TIMEOUT_SECONDS  # set by conftest.py
    # A cell that hangs (as a widget cell once did with ipywidgets 7 and ipykernel 7) fails.
    monkeypatch.setattr(notebook_runner, "CELL_TIMEOUT_SECONDS", 2)
    path = _notebook(tmp_path, "import time\ntime.sleep(30)")
    with pytest.raises(CellTimeoutError, match="timed out"):
        notebook_runner.execute(path, tmp_path / "out.ipynb")


def test_extra_code_runs_in_the_lessons_kernel(tmp_path):
    path = _notebook(tmp_path, "answer = 6 * 7")
    notebook_runner.execute(path, tmp_path / "out.ipynb", extra_code="print('answer', answer)")
    executed = json.loads((tmp_path / "out.ipynb").read_text())
    assert "".join(executed["cells"][-1]["outputs"][0]["text"]) == "answer 42\n"
    assert "".join(json.loads(path.read_text())["cells"][-1]["source"]) == "answer = 6 * 7"  # lesson unchanged


def test_executing_in_place_refuses_a_silent_cell_and_writes_nothing(tmp_path):
    path = _notebook(tmp_path, "import time\nprint('start')\ntime.sleep(2.5)", "print('done')")
    before = path.read_text()
    with pytest.raises(RuntimeError, match=r"cell 0 \(\d s; \d s on this machine"):
        notebook_runner.execute_in_place(path, max_silence=1.5)
    assert path.read_text() == before
    notebook_runner.execute_in_place(path, max_silence=5.0)
    executed = json.loads(path.read_text())
    assert "".join(executed["cells"][1]["outputs"][0]["text"]) == "done\n"
    assert 1.5 < executed["metadata"]["course"]["longest_silence_seconds"] < 5.0  # the 2.5 s sleep


def test_silence_does_not_count_time_other_processes_took_the_cpu():
    # 12 s of silence; two busy threads were served 6 s of CPU and waited 18 s for one: the
    # machine served a quarter of what the kernel asked for, so 3 s on an idle machine
    before = {"1": (10.0, 1.0), "2": (4.0, 0.5)}
    after = {"1": (13.0, 10.0), "2": (7.0, 9.5)}
    assert notebook_runner.effective_gap(12.0, before, after) == pytest.approx(3.0)
    assert notebook_runner.effective_gap(12.0, {}, {}) == 12.0  # nothing known: the clock
    # a sleeping kernel (almost no CPU asked for): the clock, less the longest single wait
    assert notebook_runner.effective_gap(12.0, {"1": (1.0, 1.0)}, {"1": (1.1, 2.0)}) == pytest.approx(11.0)
    assert notebook_runner.effective_gap(12.0, before, before) == 12.0


def test_scheduler_times_are_read_for_every_thread_of_a_process():
    times = notebook_runner._scheduler_times(os.getpid())
    if os.path.isdir("/proc/self/task"):  # Linux: (CPU, wait) seconds per thread, never negative
        assert str(threading.get_native_id()) in times
        assert all(cpu >= 0 and wait >= 0 for cpu, wait in times.values())
    assert notebook_runner._scheduler_times(None) == {}


def test_executing_in_place_replaces_a_widget_repr_with_a_sentence(tmp_path):
    path = _notebook(tmp_path, "import ipywidgets\nipywidgets.IntSlider(value=3)")
    notebook_runner.execute_in_place(path)
    output = json.loads(path.read_text())["cells"][0]["outputs"][0]
    assert notebook_runner.WIDGET_MIME in output["data"]
    assert "".join(output["data"]["text/plain"]) == notebook_runner.WIDGET_TEXT
