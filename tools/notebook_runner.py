"""Run the lesson notebooks: for the test harness, the benchmarks and maintainers.

This is tooling, not part of the learners' package (it needs papermill and nbclient,
which only the ``dev`` extra installs). Conventions every lesson follows (the harness
relies on them, nothing else):

* one code cell tagged ``parameters`` holds the classroom defaults, among them
  ``RUN_MODE = "classroom"``;
* the notebook's metadata ``course.smoke_parameters`` holds the small values CI injects,
  for example ``{"RUN_MODE": "smoke", "EPOCHS": 1}``; every name must exist in the
  parameters cell.

Command line (maintainers)::

    .venv/bin/python tools/notebook_runner.py notebooks/01_cross_entropy.ipynb   # re-execute in place
    .venv/bin/python tools/notebook_runner.py --smoke notebooks/01_cross_entropy.ipynb

Executing in place is how the committed, executed copy of a lesson is produced: in a
fresh kernel, top to bottom, in default mode. It also refuses a lesson in which a cell
stays silent for more than :data:`MAX_SILENCE_SECONDS` (a learner must see progress),
measured as an idle machine would show it: the time the kernel's threads waited for a CPU
taken by other work is taken out (:func:`effective_gap`).
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
#: The one per-cell time limit of every notebook run: papermill, nbclient and nbval (see conftest.py).
#: A cell that hangs (a widget waiting for a frontend, a network call) fails after this long.
CELL_TIMEOUT_SECONDS = 600
#: Longest a cell may run without showing any output when a lesson is executed in place.
MAX_SILENCE_SECONDS = 10.0
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_TEXT = "(Interactive sliders: they appear when this notebook runs in Jupyter with a live kernel.)"


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


def _parameters_cell(path) -> str:
    notebook = _load(path)
    cells = [cell for cell in notebook["cells"] if "parameters" in cell.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{Path(path).name} must have exactly one cell tagged 'parameters', found {len(cells)}")
    return "".join(cells[0]["source"])


def parameter_names(path) -> set[str]:
    """Names assigned in the notebook's ``parameters`` cell."""
    names = set()
    for node in ast.walk(ast.parse(_parameters_cell(path))):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
    return names


def parameter_values(path) -> dict:
    """The literal values the ``parameters`` cell assigns (its classroom defaults)."""
    values = {}
    for node in ast.parse(_parameters_cell(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


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


def execute(path, output_path, parameters=None, *, extra_code: str | None = None) -> float:
    """Execute a notebook with papermill in its own folder; return the seconds it took.

    ``extra_code`` is run as one more cell at the end, in the same kernel: how a benchmark
    collects a lesson's numbers without the lesson writing any file itself. Raises
    papermill's ``PapermillExecutionError`` when a cell fails (the output notebook is still
    written, with the error in it) and a timeout error when a cell runs longer than
    :data:`CELL_TIMEOUT_SECONDS`.
    """
    import nbformat
    import papermill

    path = Path(path)
    _load(path)  # a clear ValueError for a missing or non-notebook path
    if parameters is not None and not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict of names to values, got {type(parameters).__name__}")
    if extra_code is not None and not isinstance(extra_code, str):
        raise TypeError(f"extra_code must be a string of Python code, got {type(extra_code).__name__}")
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    source = path
    if extra_code is not None:
        notebook = nbformat.read(path, as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(extra_code))
        source = output_path.with_name(f"{output_path.stem}.input.ipynb")
        nbformat.write(notebook, source)
    start = time.perf_counter()
    papermill.execute_notebook(
        str(source), str(output_path), parameters=parameters or {}, kernel_name=KERNEL_NAME,
        cwd=str(path.parent), execution_timeout=CELL_TIMEOUT_SECONDS, progress_bar=False, log_output=False,
    )
    return time.perf_counter() - start


def execute_in_place(path, *, max_silence: float = MAX_SILENCE_SECONDS) -> float:
    """Re-execute a lesson in default mode and store its outputs in the file itself.

    Uses nbclient directly (no papermill metadata or injected cell), so the committed
    notebook holds only what a learner's own top-to-bottom run would show. Widget outputs
    keep a readable sentence instead of a Python repr. Raises ``RuntimeError`` (and writes
    nothing) when a cell stayed silent longer than ``max_silence`` seconds.
    """
    import nbformat

    path = Path(path)
    _load(path)  # a clear ValueError for a missing or non-notebook path
    notebook = nbformat.read(path, as_version=4)
    client = _timed_client(notebook, timeout=CELL_TIMEOUT_SECONDS, kernel_name=KERNEL_NAME,
                           resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    silent = {index: gap for index, gap in client.longest_silence.items() if gap > max_silence}
    if silent:
        details = ", ".join(f"cell {index} ({gap:.0f} s; {client.longest_wall_silence[index]:.0f} s on this "
                            "machine's clock)" for index, gap in sorted(silent.items()))
        raise RuntimeError(f"{path.name}: cells ran silently for over {max_silence:.0f} s: {details}; "
                           "show progress (one line per epoch) or split the cell. Nothing was written.")
    for cell in notebook.cells:
        cell.get("metadata", {}).pop("execution", None)
        for output in cell.get("outputs", []):
            if WIDGET_MIME in output.get("data", {}):
                output["data"]["text/plain"] = WIDGET_TEXT
    notebook.metadata.pop("widgets", None)
    # The proof, kept with the notebook, that its committed run showed progress.
    longest = max(client.longest_silence.values(), default=0.0)
    longest_wall = max(client.longest_wall_silence.values(), default=0.0)
    course = notebook.metadata.setdefault("course", {})
    course["longest_silence_seconds"] = round(longest, 1)
    course["longest_silence_wall_seconds"] = round(longest_wall, 1)  # larger on a busy machine
    nbformat.write(notebook, path)
    return seconds


def _scheduler_times(pid) -> dict:
    """Per thread of process ``pid``: ``(seconds on a CPU, seconds runnable but waiting for
    one)`` (Linux ``/proc/<pid>/task/*/schedstat``, first two fields); ``{}`` where that is
    unknown."""
    times = {}
    try:
        tasks = Path(f"/proc/{int(pid)}/task").iterdir()
        for task in tasks:
            try:
                fields = (task / "schedstat").read_text().split()
                times[task.name] = (int(fields[0]) / 1e9, int(fields[1]) / 1e9)
            except (OSError, IndexError, ValueError):
                continue
    except (OSError, TypeError, ValueError):
        return {}
    return times


def effective_gap(gap: float, times_before: dict, times_after: dict) -> float:
    """How long a silent stretch of ``gap`` seconds would have lasted on an idle machine, as
    far as the scheduler tells (``times_*`` as :func:`_scheduler_times` returns them).

    While the kernel's threads were mostly asking for a CPU (time served plus time waiting
    at least a quarter of the gap), the stretch is scaled by the share of that demand the
    machine served: other processes' load is taken out. Otherwise (a sleep, a download) the
    clock counts, less the longest wait of any one thread."""
    served = waited = longest_wait = 0.0
    for thread, (cpu, wait) in times_after.items():
        cpu_before, wait_before = times_before.get(thread, (0.0, 0.0))
        served += max(0.0, cpu - cpu_before)
        waited += max(0.0, wait - wait_before)
        longest_wait = max(longest_wait, wait - wait_before)
    if served + waited >= 0.25 * gap and served + waited > 0:
        return gap * served / (served + waited)
    return max(0.0, gap - longest_wait)


def _timed_client_class():
    import nbclient

    class TimedClient(nbclient.NotebookClient):
        """nbclient that notes when each cell starts, shows output and ends.

        ``longest_silence`` holds, per cell, the longest stretch without output that an idle
        machine would have shown (see :func:`effective_gap`), ``longest_wall_silence`` the
        stretch as measured on this one, which may be shared with other work.
        """

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.longest_silence = {}
            self.longest_wall_silence = {}
            self._last_seen = None
            self._delays = {}
            self.on_cell_execute = self._cell_starts
            self.on_cell_executed = self._cell_ends

        def _kernel_delays(self):
            provisioner = getattr(getattr(self, "km", None), "provisioner", None)
            return _scheduler_times(getattr(provisioner, "pid", None)) if provisioner is not None else {}

        def _cell_starts(self, cell, cell_index):
            self._last_seen = time.monotonic()
            self._delays = self._kernel_delays()
            self.longest_silence[cell_index] = 0.0
            self.longest_wall_silence[cell_index] = 0.0

        def _note(self, cell_index):
            now = time.monotonic()
            delays = self._kernel_delays()
            if self._last_seen is not None:
                gap = now - self._last_seen
                adjusted = effective_gap(gap, self._delays, delays)
                self.longest_silence[cell_index] = max(self.longest_silence.get(cell_index, 0.0), adjusted)
                self.longest_wall_silence[cell_index] = max(self.longest_wall_silence.get(cell_index, 0.0), gap)
            self._last_seen, self._delays = now, delays

        def _cell_ends(self, cell, cell_index, execute_reply):
            self._note(cell_index)

        def process_message(self, msg, cell, cell_index):
            if msg.get("msg_type") in ("stream", "display_data", "execute_result", "update_display_data"):
                self._note(cell_index)
            return super().process_message(msg, cell, cell_index)

    return TimedClient


def _timed_client(*args, **kwargs):
    return _timed_client_class()(*args, **kwargs)  # built lazily: nbclient is a dev-only dependency


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
