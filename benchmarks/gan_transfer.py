"""Benchmark of lesson 8 (transfer learning for GANs): run time and the lesson's targets.

Runs ``notebooks/08_transfer_learning_for_gans.ipynb`` with papermill, with its smoke
parameters and with its defaults, and writes ``benchmarks/results/gan_transfer.json`` and
``.md``: run times (targets <= 60 s smoke, <= 360 s default), the Frechet distance on the
printed-digit domain of each method at the same budget (scratch, fine-tune all,
FreezeD) with the real-vs-real floor, and the editing numbers in the new domain.

Usage: ``python benchmarks/gan_transfer.py [--skip-smoke] [--cold]`` (see
``benchmarks/image_editing.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from image_editing import run_lesson_benchmark  # noqa: E402  (the shared runner lives there)

TARGETS = {
    "smoke_seconds": ("<=", 60.0),
    "default_seconds": ("<=", 360.0),
    "fine_tuning_beats_scratch": ("==", True),
}

if __name__ == "__main__":
    sys.exit(run_lesson_benchmark("08_transfer_learning_for_gans", "gan_transfer", TARGETS, sys.argv[1:]))
