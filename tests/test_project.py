"""The project's own files agree: pyproject vs environment.yml, README vs .ci/run, and the
notebook runner's conventions."""

import json
import re
import tomllib

import pytest
import yaml

from course_utils import notebook_runner
from conftest import REPOSITORY


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
             "source": ["EPOCHS = 5\n", "SIZE: int = 100  # images\n", "for_loop_variable = [i for i in range(2)]\n"]},
        ],
        "metadata": {"course": {"smoke_parameters": {"EPOCHS": 1}}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "99_example.ipynb"
    path.write_text(json.dumps(notebook))
    assert notebook_runner.parameter_names(path) == {"EPOCHS", "SIZE", "for_loop_variable"}
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
    (lambda tmp_path: notebook_runner.execute(tmp_path / "a.txt", tmp_path / "b.ipynb"), "path must be an existing .ipynb file"),
    (lambda tmp_path: notebook_runner.execute_in_place(tmp_path / "missing.ipynb"), "path must be an existing .ipynb file"),
])
def test_notebook_runner_rejects_bad_paths(call, words, tmp_path):
    with pytest.raises(ValueError, match=words):
        call(tmp_path)


def test_notebook_runner_rejects_parameters_that_are_not_a_dict():
    with pytest.raises(TypeError, match="parameters must be a dict"):
        notebook_runner.execute(notebook_runner.list_notebooks()[0], REPOSITORY / "build" / "x.ipynb", [("EPOCHS", 1)])
