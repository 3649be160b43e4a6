"""How often does papermill stall at a widget cell? ``interactive`` (an Output widget) against
``cu.editing.image_sliders`` (sliders that redraw an Image widget).

nbclient, which papermill uses, sometimes misses a cell's reply while it handles the
messages of an Output widget (jupyter/nbclient#312); with a per-cell time limit the cell
then ends only when the limit runs out. Lesson 7's sliders are built without an Output
widget for that reason. This script measures it: each variant is a 3-cell notebook run
``--runs`` times by papermill with a ``--limit`` second cell limit; a run that takes
longer than ``--limit`` seconds stalled.

    .venv/bin/python benchmarks/widget_stalls.py [--runs 30] [--limit 20]

Writes ``benchmarks/results/widget_stalls.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPOSITORY = Path(__file__).resolve().parent.parent
RESULT = REPOSITORY / "benchmarks" / "results" / "widget_stalls.json"

VARIANTS = {
    "ipywidgets.interactive (an Output widget)": [
        "import ipywidgets as widgets\nfrom IPython.display import display",
        "def show(value=1):\n    print(value)\n\n\ndisplay(widgets.interactive(show, value=widgets.IntSlider(1, 0, 5)))",
        "print('done')",
    ],
    "cu.editing.image_sliders (an Image widget)": [
        "import ipywidgets as widgets\nimport numpy as np\nfrom IPython.display import display\n"
        "from course_utils import editing",
        "display(editing.image_sliders(lambda value: np.full((28, 28), value / 5),\n"
        "                              {'value': widgets.IntSlider(1, 0, 5)}))",
        "print('done')",
    ],
}


def notebook(sources, path):
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    document = nbformat.v4.new_notebook(cells=cells)
    document.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    document.metadata["language_info"] = {"name": "python"}
    nbformat.write(document, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--limit", type=int, default=20, help="papermill's per-cell limit, seconds")
    arguments = parser.parse_args(argv)
    if arguments.runs < 1 or arguments.limit < 5:
        parser.error("--runs must be >= 1 and --limit >= 5")
    results = {"runs_per_variant": arguments.runs, "cell_limit_seconds": arguments.limit,
               "measured": time.strftime("%Y-%m-%d"), "variants": {}}
    with tempfile.TemporaryDirectory() as folder:
        for name, sources in VARIANTS.items():
            path = Path(folder) / "widget.ipynb"
            notebook(sources, path)
            seconds = []
            for _ in range(arguments.runs):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "papermill", "-k", "python3", "--execution-timeout",
                                str(arguments.limit), str(path), str(Path(folder) / "out.ipynb")],
                               capture_output=True, check=False)
                seconds.append(round(time.perf_counter() - start, 1))
            stalls = sum(second >= arguments.limit for second in seconds)
            results["variants"][name] = {"stalled_runs": stalls, "seconds": seconds}
            print(f"{name}: {stalls} of {arguments.runs} runs stalled until the {arguments.limit} s limit", flush=True)
    RESULT.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
