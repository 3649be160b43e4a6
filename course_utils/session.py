"""``setup()``: the one call at the top of every lesson.

It makes a run repeatable (seeds Python, NumPy and Keras, turns on TensorFlow's op
determinism), keeps the output readable (silences TensorFlow's C++ log lines, sets plot
defaults) and prints what the lesson is running on, so that a learner who gets different
numbers can see why.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import sys

# TensorFlow reads this when it is first imported; setting it here, before anything
# imports TensorFlow, hides its C++ INFO, WARNING and ERROR log lines (oneDNN stays on).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from course_utils.validation import check_int  # noqa: E402


@contextlib.contextmanager
def native_stderr_silenced():
    """Send what C++ code writes to the process's stderr to /dev/null for a moment.

    TensorFlow prints a few lines from C++ while it loads and looks for GPUs ("All log
    messages before absl::InitializeLog()", "Could not find cuda drivers") that
    ``TF_CPP_MIN_LOG_LEVEL`` does not stop. Python exceptions are unaffected.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real file descriptor 2 (some embedded consoles)
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


with native_stderr_silenced():
    import tensorflow  # noqa: E402,F401  (loaded once here, quietly, for every module)


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def setup(seed: int = 42, *, verbose: bool = True) -> dict:
    """Seed everything, make TensorFlow deterministic and quiet, set plot defaults.

    Args:
        seed: seeds Python's ``random``, NumPy's global generator and Keras/TensorFlow
            (``keras.utils.set_random_seed``). Functions in ``course_utils`` that draw
            random numbers take their own ``seed`` argument as well.
        verbose: print the environment report (versions, devices, Colab, network).

    Returns the report as a dictionary.
    """
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose must be True or False, got {type(verbose).__name__}")

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)

    import absl.logging
    import tensorflow as tf

    absl.logging.set_verbosity(absl.logging.ERROR)
    tf.get_logger().setLevel("ERROR")

    import keras

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    _set_plot_defaults()

    from course_utils.data import is_online

    with native_stderr_silenced():
        gpus = tf.config.list_physical_devices("GPU")
    report = {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "device": f"{len(gpus)} GPU(s)" if gpus else f"CPU only ({os.cpu_count()} cores)",
        "colab": in_colab(),
        "online": is_online(),
        "seed": seed,
    }
    if verbose:
        print(
            f"Python {report['python']} | TensorFlow {report['tensorflow']} | "
            f"Keras {report['keras']} | NumPy {report['numpy']}\n"
            f"Device: {report['device']} | Colab: {'yes' if report['colab'] else 'no'} | "
            f"Network: {'online' if report['online'] else 'offline'} | seed {seed}"
        )
    return report


def _set_plot_defaults() -> None:
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "figure.dpi": 80,
        "figure.figsize": (6.0, 4.0),
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "image.cmap": "gray_r",
        "savefig.bbox": "tight",
    })
