"""``setup()``: the one call at the top of every lesson, and the lesson's run mode.

``setup(SEED, run_mode=RUN_MODE)`` makes a run repeatable (seeds Python, NumPy and Keras,
turns on TensorFlow's op determinism), keeps the output readable (silences TensorFlow's
C++ log lines, sets plot defaults), prints what the lesson is running on, so that a learner
who gets different numbers can see why, and remembers the run mode.

The run mode is the one switch between a classroom run and the tests' smoke run (see
:data:`RUN_MODES`). Two things read it: :func:`claim`, which checks the results a lesson's
text states, and :func:`course_utils.trained.recipe`, which picks the size of a model an
earlier lesson trains.
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

from course_utils.validation import check_choice, check_int  # noqa: E402


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


RUN_MODES = ("classroom", "explore", "smoke")
_session = {"run_mode": "classroom"}


class ClaimNotMet(AssertionError):
    """A lesson's stated result did not come out of this run (see :func:`claim`)."""


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def setup(seed: int = 42, *, run_mode: str = "classroom", verbose: bool = True) -> None:
    """Seed everything, make TensorFlow deterministic and quiet, set plot defaults, and
    remember the lesson's run mode.

    Args:
        seed: seeds Python's ``random``, NumPy's global generator and Keras/TensorFlow
            (``keras.utils.set_random_seed``). Functions in ``course_utils`` that draw
            random numbers take their own ``seed`` argument as well.
        run_mode: the lesson's ``RUN_MODE`` parameter, one of :data:`RUN_MODES`:
            ``"classroom"`` (the default: the lesson's sizes, and the results its text
            states are checked by :func:`claim`), ``"explore"`` (you changed parameters:
            the same models, but a claim that does not hold is reported, not raised) or
            ``"smoke"`` (the tiny sizes the automatic tests inject: claims are skipped and
            models reused from earlier lessons are their smoke-size versions).
        verbose: print the environment report (versions, devices, Colab, network).

    Returns nothing (so a cell that ends with it shows only the printed report); the
    report itself is :func:`environment_report`.
    """
    seed = check_int(seed, "seed", minimum=0, maximum=2**32 - 1)
    check_choice(run_mode, "run_mode", RUN_MODES)
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose must be True or False, got {type(verbose).__name__}")
    _session["run_mode"] = run_mode

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)

    import absl.logging
    import tensorflow as tf

    absl.logging.set_verbosity(absl.logging.ERROR)
    tf.get_logger().setLevel("ERROR")
    tf.autograph.set_verbosity(0)  # AutoGraph's notes about tf.data functions are not for learners

    import keras

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    _set_plot_defaults()
    if verbose:
        report = environment_report()
        print(
            f"Python {report['python']} | TensorFlow {report['tensorflow']} | "
            f"Keras {report['keras']} | NumPy {report['numpy']}\n"
            f"Device: {report['device']} | Colab: {'yes' if report['colab'] else 'no'} | "
            f"Network: {'online' if report['online'] else 'offline'} | seed {seed} | "
            f"run mode: {run_mode}"
        )


def environment_report() -> dict:
    """What this session runs on: versions, devices, Colab or not, network or not."""
    import keras
    import numpy as np
    import tensorflow as tf

    from course_utils.data import is_online

    with native_stderr_silenced():
        gpus = tf.config.list_physical_devices("GPU")
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "device": f"{len(gpus)} GPU(s)" if gpus else f"CPU only ({os.cpu_count()} cores)",
        "colab": in_colab(),
        "online": is_online(),
    }


def run_mode() -> str:
    """The run mode the lesson passed to :func:`setup` (``"classroom"`` before any call)."""
    return _session["run_mode"]


def claim(holds, statement: str) -> None:
    """Check a result the lesson's text states, the way the run mode says.

    ``claim(accuracy > 0.97, "the source model reads printed digits almost perfectly")``:

    * ``"classroom"``: a claim that does not hold raises :class:`ClaimNotMet` (the tests
      run every lesson this way, so a change that breaks what the text says fails them);
    * ``"explore"``: it prints one line saying the claim does not hold in this run;
    * ``"smoke"``: tiny sizes prove nothing, so nothing is checked.

    Returns nothing, so a cell that ends with a claim shows only what the lesson printed.
    """
    if not isinstance(statement, str) or not statement:
        raise TypeError(f"statement must be a non-empty string, got {statement!r}")
    mode = run_mode()
    if mode == "smoke" or bool(holds):
        return
    message = f"The lesson says: {statement}. This run does not show it."
    if mode == "explore":
        print(f"Note: {message}")
        return
    raise ClaimNotMet(
        f"{message} The lesson's text describes its default parameters; if you changed them, "
        "this is your finding, not a bug: set RUN_MODE = \"explore\" in the parameters cell to "
        "report claims instead of stopping."
    )


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
