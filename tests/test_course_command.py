"""./course: its commands, help, unknown commands, and JupyterLab as root.

A fake environment (COURSE_VENV) whose ``jupyter`` and ``python`` only print their
arguments shows what ./course would run, without starting anything.
"""

import os
import subprocess

import pytest

from conftest import REPOSITORY

COURSE = str(REPOSITORY / "course")


@pytest.fixture()
def fake_environment(tmp_path):
    bin_folder = tmp_path / "venv" / "bin"
    bin_folder.mkdir(parents=True)
    for program in ("python", "jupyter"):
        script = bin_folder / program
        script.write_text(f'#!/bin/sh\necho "{program} $*"\n')
        script.chmod(0o755)
    stamp = subprocess.run(["cksum"], stdin=open(REPOSITORY / "pyproject.toml"), capture_output=True, text=True)
    (tmp_path / "venv" / ".installed-from").write_text(stamp.stdout)
    return {**os.environ, "COURSE_VENV": str(tmp_path / "venv")}


def run(*arguments, env=None):
    return subprocess.run([COURSE, *arguments], capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("arguments", [(), ("help",), ("-h",), ("--help",)])
def test_help_is_printed_and_exits_zero(arguments):
    result = run(*arguments)
    assert result.returncode == 0, result.stderr
    assert "./course lab" in result.stdout and "./course test" in result.stdout
    assert result.stderr == ""


def test_an_unknown_command_says_so_on_stderr_and_fails():
    result = run("bogus")
    assert result.returncode == 2
    assert result.stderr.startswith("./course: unknown command 'bogus'")
    assert result.stdout == ""


def test_lab_opens_the_notebooks_and_allows_root(fake_environment):
    result = run("lab", "--port", "8899", env=fake_environment)
    assert result.returncode == 0, result.stderr
    expected = "jupyter lab --allow-root notebooks --port 8899" if os.geteuid() == 0 else \
        "jupyter lab notebooks --port 8899"
    assert result.stdout.strip() == expected


def test_test_runs_pytest_on_tests_and_notebooks(fake_environment):
    result = run("test", "-k", "smoke", env=fake_environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "python -m pytest tests notebooks -k smoke"


def test_site_builds_the_website_with_the_build_script_and_help_lists_it(fake_environment):
    result = run("site", "--language", "zh_CN", env=fake_environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "python tools/build_site.py --language zh_CN"
    help_text = run("help").stdout
    assert "./course site" in help_text and "build/site/html" in help_text
    assert help_text.rstrip().endswith("re-installs it when pyproject.toml changes.")
