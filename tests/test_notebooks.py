"""Every lesson executes top to bottom with its smoke-size parameters (papermill), and every
committed lesson is what a learner should see: executed in order, no errors, no stderr, no
test markers in the code, no raw widget reprs, no machine paths, lines that fit the screen.

New notebooks in ``notebooks/`` are picked up automatically; their smoke parameters come
from their own metadata (see ``tools/notebook_runner.py``). Smoke runs write their trained
models to a separate folder so a default run never loads a smoke-sized model.
"""

import json
import re

import pytest

from conftest import NOTEBOOK_TIMES, REPOSITORY
from tools import notebook_runner

NOTEBOOKS = notebook_runner.list_notebooks()
MAX_LINE = 100
MACHINE_PATH = re.compile(r"/(root|work|tmp|home|Users|content)/")
WIDGET_REPR = re.compile(r"^\w+\(children=")


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]


def outputs_text(output):
    return "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))


def test_there_are_lessons():
    assert [path.name[:2] for path in NOTEBOOKS][:2] == ["00", "01"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_with_smoke_parameters(path, monkeypatch):
    monkeypatch.setenv("COURSE_ARTIFACTS", str(REPOSITORY / "build" / "smoke-artifacts"))
    output = REPOSITORY / "build" / "smoke" / path.name
    seconds = notebook_runner.execute(path, output, notebook_runner.smoke_parameters(path))
    NOTEBOOK_TIMES[path.name]["smoke (papermill)"] = seconds
    executed = json.loads(output.read_text())
    # A papermill kernel records what C++ code writes to stderr, as JupyterLab does: a
    # learner would see it as a pink block.
    stderr = [outputs_text(o) for cell in code_cells(executed) for o in cell["outputs"] if o.get("name") == "stderr"]
    assert not stderr, f"{path.name} writes to stderr: {stderr[0][:300]}"
    injected = [cell for cell in executed["cells"] if "injected-parameters" in cell["metadata"].get("tags", [])]
    assert len(injected) == 1 and 'RUN_MODE = "smoke"' in "".join(injected[0]["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_notebook_is_executed_in_order_without_errors(path):
    """nbval silently skips cells that have no execution count: make sure none is missing."""
    notebook = json.loads(path.read_text())
    code = code_cells(notebook)
    counts = [cell["execution_count"] for cell in code]
    assert None not in counts, f"{path.name} has unexecuted cells"
    assert counts == list(range(1, len(code) + 1)), f"{path.name} was not run top to bottom in one fresh kernel"
    assert any(cell["outputs"] for cell in code)
    assert not [o for cell in code for o in cell["outputs"] if o["output_type"] == "error"]
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert "language_info" in notebook["metadata"]
    assert "papermill" not in notebook["metadata"], "commit the in-place run, not a papermill output"
    silence = notebook["metadata"].get("course", {}).get("longest_silence_seconds")
    assert silence is not None, f"{path.name}: commit the run of tools/notebook_runner.py (it times silent cells)"
    assert silence <= notebook_runner.MAX_SILENCE_SECONDS, f"{path.name}: a cell showed nothing for {silence} s"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_notebook_shows_a_learner_nothing_meant_for_machines(path):
    notebook = json.loads(path.read_text())
    for index, cell in enumerate(code_cells(notebook)):
        source = "".join(cell["source"])
        where = f"{path.name}, code cell {index + 1}"
        assert "NBVAL_" not in source, f"{where}: an nbval marker in the code; use a cell tag (nbval-ignore-output)"
        long_lines = [line for line in source.splitlines() if len(line) > MAX_LINE]
        assert not long_lines, f"{where}: {len(long_lines)} line(s) over {MAX_LINE} characters: {long_lines[0]!r}"
        for output in cell["outputs"]:
            text = outputs_text(output)
            assert output.get("name") != "stderr", f"{where}: a stderr output (a pink block): {text[:200]!r}"
            assert not MACHINE_PATH.search(text), f"{where}: an output shows a machine path: {text[:200]!r}"
            assert not WIDGET_REPR.match(text), f"{where}: a widget's Python repr: {text[:80]!r}"
            assert not (output.get("output_type") == "execute_result" and text.startswith("{'python'")), \
                f"{where}: cu.setup's report echoed as a dict"
            assert not (output.get("output_type") == "execute_result" and text in ("True", "False", "None")), \
                f"{where}: a cell ends with a value nobody wants to see ({text})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_follows_the_lesson_layout(path):
    notebook = json.loads(path.read_text())
    cells = notebook["cells"]
    first = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and first.startswith("# ")
    badge = f"colab.research.google.com/github/tl-gan-course/course/blob/main/notebooks/{path.name}"
    assert badge in first, f"{path.name}: Open-in-Colab badge missing or pointing elsewhere"
    assert "What you will learn" in first
    defaults = notebook_runner.parameter_values(path)  # exactly one parameters cell, of literals
    smoke = notebook_runner.smoke_parameters(path)  # smoke names exist in it
    assert defaults.get("RUN_MODE") == "classroom", f"{path.name}: the parameters cell needs RUN_MODE = \"classroom\""
    assert smoke.get("RUN_MODE") == "smoke", f"{path.name}: its smoke parameters need RUN_MODE: smoke"
    setup_calls = [cell for cell in code_cells(notebook) if "cu.setup(" in "".join(cell["source"])]
    assert len(setup_calls) == 1 and "run_mode=RUN_MODE" in "".join(setup_calls[0]["source"])
    install = "".join(code_cells(notebook)[0]["source"])
    assert "google.colab" in install and "COURSE_ARTIFACTS" in install, \
        f"{path.name}: the Colab cell must say how to keep trained models on Drive"
    size = path.stat().st_size
    assert size < 3_000_000, f"{path.name} is {size / 1e6:.1f} MB; keep committed notebooks small"
