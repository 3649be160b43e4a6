"""Run the lesson notebooks: for the test harness, the timing benchmark and maintainers.

Conventions every lesson follows (the harness relies on them, nothing else):

* one code cell tagged ``parameters`` holds the classroom defaults;
* the notebook's metadata ``course.smoke_parameters`` holds the small values CI injects,
  for example ``{"EPOCHS": 1, "TRAIN_SIZE": 512}``; every name must exist in the
  parameters cell.

Command line (maintainers)::

    python -m course_utils.notebook_runner notebooks/01_cross_entropy.ipynb   # re-execute in place
    python -m course_utils.notebook_runner --smoke notebooks/01_cross_entropy.ipynb

Executing in place is how the committed, executed copy of a lesson is produced: in a
fresh kernel, top to bottom, in default mode.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPOSITORY / "notebooks"
KERNEL_NAME = "python3"  # resolved to the Python that runs this module: the project's environment


def list_notebooks(folder=None) -> list[Path]:
    """The lesson notebooks (``NN_name.ipynb``) in teaching order."""
    folder = Path(folder) if folder is not None else NOTEBOOK_DIR
    if not folder.is_dir():
        raise ValueError(f"folder must be an existing directory, got {folder}")
    return sorted(path for path in folder.glob("[0-9][0-9]_*.ipynb"))


def _load(path) -> dict:
    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"path must be an existing .ipynb file, got {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def parameter_names(path) -> set[str]:
    """Names assigned in the notebook's ``parameters`` cell."""
    notebook = _load(path)
    cells = [cell for cell in notebook["cells"] if "parameters" in cell.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{Path(path).name} must have exactly one cell tagged 'parameters', found {len(cells)}")
    tree = ast.parse("".join(cells[0]["source"]))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def smoke_parameters(path) -> dict:
    """The smoke-size parameters stored in the notebook's metadata, checked against its
    parameters cell (papermill only warns about unknown names; we refuse them)."""
    notebook = _load(path)
    parameters = notebook.get("metadata", {}).get("course", {}).get("smoke_parameters", {})
    if not isinstance(parameters, dict):
        raise ValueError(f"{Path(path).name}: metadata course.smoke_parameters must be a dict")
    unknown = set(parameters) - parameter_names(path)
    if unknown:
        raise ValueError(f"{Path(path).name}: smoke parameters {sorted(unknown)} are not in its parameters cell")
    return parameters


def execute(path, output_path, parameters=None, *, cell_timeout: int = 900) -> float:
    """Execute a notebook with papermill in its own folder; return the seconds it took.

    Raises papermill's ``PapermillExecutionError`` when a cell fails (the output notebook
    is still written, with the error in it).
    """
    import papermill

    path = Path(path)
    _load(path)  # a clear ValueError for a missing or non-notebook path
    if parameters is not None and not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict of names to values, got {type(parameters).__name__}")
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    papermill.execute_notebook(
        str(path), str(output_path), parameters=parameters or {}, kernel_name=KERNEL_NAME,
        cwd=str(path.parent), execution_timeout=cell_timeout, progress_bar=False, log_output=False,
    )
    return time.perf_counter() - start


def execute_in_place(path, *, cell_timeout: int = 900) -> float:
    """Re-execute a lesson in default mode and store its outputs in the file itself.

    Uses nbclient directly (no papermill metadata or injected cell), so the committed
    notebook holds only what a learner's own top-to-bottom run would show.
    """
    import nbclient
    import nbformat

    path = Path(path)
    _load(path)  # a clear ValueError for a missing or non-notebook path
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = nbclient.NotebookClient(notebook, timeout=cell_timeout, kernel_name=KERNEL_NAME,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    seconds = time.perf_counter() - start
    for cell in notebook.cells:
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(notebook, path)
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every lesson")
    parser.add_argument("--smoke", action="store_true", help="run with smoke parameters into build/ instead of in place")
    arguments = parser.parse_args(argv)
    for path in arguments.notebooks or list_notebooks():
        if arguments.smoke:
            seconds = execute(path, REPOSITORY / "build" / "smoke" / path.name, smoke_parameters(path))
        else:
            seconds = execute_in_place(path)
        print(f"{path.name}: {seconds:.1f} s ({'smoke' if arguments.smoke else 'default, saved in place'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
