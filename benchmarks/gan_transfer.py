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

COLLECT = """
import json
from pathlib import Path

Path({path!r}).write_text(json.dumps({{
    "claim_images_seen": int(images_seen[claim_index]),
    "frechet_distance_at_small_budget": {{method: round(float(at_claim[method]), 3) for method in methods}},
    "frechet_distance_final": {{method: round(float(final[method]), 3) for method in methods}},
    "scratch_catches_up_after_images": int(caught_up[0]) if caught_up else None,
    "frechet_distance_curves": {{method: [round(float(d), 3) for d in trackers[method].distances]
                                for method in methods}},
    "target_images_seen": [int(seen) for seen in trackers["scratch"].images_seen],
    "training_seconds": {{method: round(trackers[method].seconds[-1], 1) for method in methods}},
    "real_vs_real_floor": round(float(floor), 3),
    "source_generator_frechet_distance": round(float(source_fd), 3),
    "best_fine_tuning_method": best_fine_tuning,
    "scratch_over_best_fine_tuning_at_small_budget": round(float(at_claim["scratch"] / at_claim[best_fine_tuning]), 3),
    "fine_tuning_beats_scratch": bool(at_claim[best_fine_tuning] < at_claim["scratch"]),
    "class_accuracy_target_evaluator": {{method: round(float(score), 4) for method, score in class_scores.items()}},
    "target_inversion_mse": round(float(inversion_errors.mean()), 5),
    "target_nearest_training_image_mse": round(float(nearest_errors.mean()), 5),
    "target_class_edit_success": round(float(target_edit_success), 4),
    "n_target_images": int(len(target_images)),
}}, indent=2))
"""

TARGETS = {
    "smoke_seconds": ("<=", 60.0),
    "default_seconds": ("<=", 360.0),
    "fine_tuning_beats_scratch": ("==", True),
}

if __name__ == "__main__":
    sys.exit(run_lesson_benchmark("08_transfer_learning_for_gans", "gan_transfer", TARGETS, sys.argv[1:], COLLECT))
