"""Benchmark of lesson 8 (transfer learning for GANs): run time and the lesson's targets.

Runs ``notebooks/08_transfer_learning_for_gans.ipynb`` with papermill, with its smoke
parameters and with its defaults, and writes ``benchmarks/results/gan_transfer.json`` and
``.md``: run times (targets <= 60 s smoke, <= 360 s default) and what the lesson measured,
collected from its kernel: for each method (scratch, fine-tune all, FreezeD) and seed, the
validation Frechet curves with the generator's BatchNorm statistics as training left them
and recalibrated (the lesson recalibrates before every score), the test scores (Frechet
distance, precision, recall, within-class diversity, class accuracy; mean and standard
deviation over seeds) beside their real-vs-real values, the verdicts (a winner only when
the gap exceeds the spread), the generator chosen for editing and the editing numbers.

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


def _rounded(value):
    if isinstance(value, dict):
        return {{str(key): _rounded(item) for key, item in value.items()}}
    if isinstance(value, (list, tuple)):
        return [_rounded(item) for item in value]
    if isinstance(value, (bool, str, int)) or value is None:
        return value
    return round(float(value), 4)


Path({path!r}).write_text(json.dumps(_rounded({{
    "seeds": seeds,
    "claim_epochs": CLAIM_EPOCHS,
    "target_epochs": TARGET_EPOCHS,
    "batch_norm": "generators recalibrated (cu.models.recalibrate_batch_norm) before every score",
    "validation_floor": floor,
    "source_generator_validation_frechet_distance": source_fd,
    "validation_curves": {{method: {{"epochs": trackers[method][0].epochs,
                                   "recalibrated_per_seed": [t.recalibrated for t in trackers[method]],
                                   "raw_per_seed": [t.raw for t in trackers[method]]}} for method in methods}},
    "validation_raw_vs_recalibrated_mean_std": {{f"epoch {{epoch}}, {{method}}": {{"raw": raw, "recalibrated": calibrated}}
                                                for (epoch, method), (raw, calibrated) in bn_effect.items()}},
    "test_scores_mean_std": {{f"epoch {{epoch}}, {{method}}": scores for (epoch, method), scores in report.items()}},
    "test_real_vs_real": {{"size": reference["size"], **{{name: reference[name] for name in score_names}}}},
    "small_budget_winner": small_budget_winner,
    "small_budget_winner_clear": small_budget_clear,
    "fine_tuning_winner": fine_tuning_winner,
    "fine_tuning_winner_clear": fine_tuning_clear,
    "transfer_vs_scratch_winner": transfer_vs_scratch,
    "transfer_vs_scratch_clear": transfer_clear,
    "fine_tuning_beats_scratch_at_small_budget": bool(transfer_vs_scratch != "scratch" and transfer_clear),
    "final_winner": final_winner,
    "final_winner_clear": final_clear,
    "edit_method": edit_method,
    "edit_seed": seeds[edit_run],
    "training_seconds_per_run": {{method: [t.seconds for t in trackers[method]] for method in methods}},
    "training_cpu_seconds_per_run": {{method: [t.cpu_seconds for t in trackers[method]] for method in methods}},
    "target_inversion_mse": inversion_errors.mean(),
    "target_nearest_training_image_mse": nearest_errors.mean(),
    "target_class_edit_success": target_edit_success,
    "n_target_images": len(target_images),
}}), indent=2))
"""

TARGETS = {
    "smoke_seconds": ("<=", 60.0),
    "default_seconds": ("<=", 360.0),
    "fine_tuning_beats_scratch_at_small_budget": ("==", True),
}

if __name__ == "__main__":
    sys.exit(run_lesson_benchmark("08_transfer_learning_for_gans", "gan_transfer", TARGETS, sys.argv[1:], COLLECT))
