"""Every lesson executes top to bottom with its smoke-size parameters (papermill).

New notebooks in ``notebooks/`` are picked up automatically; their smoke parameters come
from their own metadata (see ``course_utils.notebook_runner``). Smoke runs write their
trained models to a separate folder so a default run never loads a smoke-sized model.
"""

import json

import pytest

from course_utils import notebook_runner
from conftest import NOTEBOOK_TIMES, REPOSITORY

NOTEBOOKS = notebook_runner.list_notebooks()


def test_there_are_lessons():
    assert [path.name[:2] for path in NOTEBOOKS][:2] == ["00", "01"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_with_smoke_parameters(path, monkeypatch):
    monkeypatch.setenv("COURSE_ARTIFACTS", str(REPOSITORY / "build" / "smoke-artifacts"))
    output = REPOSITORY / "build" / "smoke" / path.name
    seconds = notebook_runner.execute(path, output, notebook_runner.smoke_parameters(path), cell_timeout=300)
    NOTEBOOK_TIMES[path.name]["smoke (papermill)"] = seconds
    executed = json.loads(output.read_text())
    errors = [output for cell in executed["cells"] for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_notebook_is_executed_in_order_without_errors(path):
    """nbval silently skips cells that have no execution count: make sure none is missing."""
    notebook = json.loads(path.read_text())
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]
    counts = [cell["execution_count"] for cell in code]
    assert None not in counts, f"{path.name} has unexecuted cells"
    assert counts == list(range(1, len(code) + 1)), f"{path.name} was not run top to bottom in one fresh kernel"
    assert any(cell["outputs"] for cell in code)
    assert not [o for cell in code for o in cell["outputs"] if o["output_type"] == "error"]
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    assert "language_info" in notebook["metadata"]
    assert "papermill" not in notebook["metadata"], "commit the in-place run, not a papermill output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_follows_the_lesson_layout(path):
    notebook = json.loads(path.read_text())
    cells = notebook["cells"]
    first = "".join(cells[0]["source"])
    assert cells[0]["cell_type"] == "markdown" and first.startswith("# ")
    badge = f"colab.research.google.com/github/tl-gan-course/course/blob/main/notebooks/{path.name}"
    assert badge in first, f"{path.name}: Open-in-Colab badge missing or pointing elsewhere"
    assert "What you will learn" in first
    notebook_runner.parameter_names(path)  # exactly one parameters cell
    notebook_runner.smoke_parameters(path)  # smoke names exist in it
    size = path.stat().st_size
    assert size < 3_000_000, f"{path.name} is {size / 1e6:.1f} MB; keep committed notebooks small"
