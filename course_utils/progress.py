"""A progress line per epoch, so that no training cell sits silent for minutes.

``model.fit(..., verbose=0, callbacks=[cu.progress.EpochProgress()])`` prints one short
line every ``every`` epochs -- the epoch, the metrics Keras logged, the seconds so far --
instead of Keras' progress bar, whose per-step timings and padding change on every run.
"""

from __future__ import annotations

import time

import keras

from course_utils.validation import check_int


class EpochProgress(keras.callbacks.Callback):
    """Print ``epoch 3/30 | d_loss 1.21 | g_loss 0.84 | 21 s`` every ``every`` epochs.

    Args:
        every: print after every ``every``-th epoch (the last epoch is always printed).
        metrics: names of the logged metrics to show, in order; None shows all of them.
        prefix: text put in front of every line (e.g. the model's name).
    """

    def __init__(self, every: int = 1, *, metrics=None, prefix: str = ""):
        super().__init__()
        self.every = check_int(every, "every", minimum=1)
        if metrics is not None and (isinstance(metrics, str) or not all(isinstance(m, str) for m in metrics)):
            raise TypeError(f"metrics must be a list of metric names or None, got {metrics!r}")
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a string, got {type(prefix).__name__}")
        self.metrics = None if metrics is None else list(metrics)
        self.prefix = prefix

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        total = self.params.get("epochs")
        if (epoch + 1) % self.every and epoch + 1 != total:
            return
        logs = logs or {}
        names = self.metrics if self.metrics is not None else sorted(logs)
        shown = " | ".join(f"{name} {float(logs[name]):.3f}" for name in names if name in logs)
        width = len(str(total)) if total else 1
        epochs = f"epoch {epoch + 1:>{width}}/{total}" if total else f"epoch {epoch + 1}"
        seconds = time.perf_counter() - self.start
        print(f"{self.prefix}{epochs} | {shown} | {seconds:.0f} s", flush=True)
