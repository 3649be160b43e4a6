"""Checkpoints of a GAN's whole training state, so an interrupted run resumes exactly.

:class:`EpochCheckpoint` saves both networks AND both optimizers (Adam's moments and its
step counter, which also keys the training noise) after every epoch, atomically;
:func:`restore_latest` loads the newest intact one and returns the epoch to resume from.
"""

from __future__ import annotations

import re
from pathlib import Path

import keras

from course_utils.gan.training import GAN, build_optimizers, check_gan
from course_utils.validation import check_int


class EpochCheckpoint(keras.callbacks.Callback):
    """Save the whole training state after every epoch: both networks AND both optimizers
    (Adam's moments and step counter, which also keys the training noise).

    Files are ``<directory>/epoch_<NNN>.weights.h5``, each written to a temporary name and
    then renamed, so a run killed while saving never leaves a truncated checkpoint; only
    the newest ``keep`` are kept (None keeps all). :func:`restore_latest` loads one and
    returns the epoch to resume from.
    """

    def __init__(self, directory, *, keep: int | None = None):
        super().__init__()
        if not isinstance(directory, (str, Path)):
            raise TypeError(f"directory must be a path, got {type(directory).__name__}")
        self.directory = Path(directory)
        self.keep = None if keep is None else check_int(keep, "keep", minimum=1)

    def on_epoch_end(self, epoch, logs=None):
        self.directory.mkdir(parents=True, exist_ok=True)
        save_training_state(self.model, self.directory / f"epoch_{epoch + 1:03d}.weights.h5")
        if self.keep is not None:
            for _, old in _checkpoints(self.directory)[:-self.keep]:
                old.unlink()


_CHECKPOINT_NAME = re.compile(r"^epoch_(\d+)\.weights\.h5$")


def save_training_state(gan: GAN, path) -> None:
    """Write the networks' and optimizers' variables to one ``.weights.h5`` file, atomically."""
    from course_utils.paths import atomic_path

    check_gan(gan)
    build_optimizers(gan)
    with atomic_path(path) as temporary:
        gan.save_weights(str(temporary))


def restore_latest(gan: GAN, directory, *, epoch: int | None = None, at_most: int | None = None,
                   report=print) -> int:
    """Load the newest intact checkpoint of ``directory`` into ``gan`` and return its epoch
    number (the ``initial_epoch`` to pass to ``fit``), or 0 when there is none.

    A checkpoint that cannot be read (a truncated or corrupt file) is named through
    ``report`` (``print`` by default) and the previous one is tried. ``epoch`` asks for one
    epoch's checkpoint exactly (``ValueError`` if it is missing or damaged); ``at_most``
    ignores checkpoints of later epochs. ``gan`` must be built with the same settings (seed
    included) as the saved one.
    """
    check_gan(gan)
    if not isinstance(directory, (str, Path)):
        raise TypeError(f"directory must be a path, got {type(directory).__name__}")
    if not callable(report):
        raise TypeError(f"report must be a function such as print, got {type(report).__name__}")
    found = dict(_checkpoints(Path(directory)))
    if epoch is not None:
        epoch = check_int(epoch, "epoch", minimum=1)
        if epoch not in found:
            raise ValueError(f"epoch {epoch} has no checkpoint in {directory}; saved epochs: {sorted(found)}")
        candidates = [epoch]
    else:
        limit = None if at_most is None else check_int(at_most, "at_most", minimum=0)
        candidates = sorted((e for e in found if limit is None or e <= limit), reverse=True)
    build_optimizers(gan)
    for candidate in candidates:
        try:
            gan.load_weights(str(found[candidate]))
            return candidate
        except Exception as error:  # h5py and Keras raise several kinds for a damaged file
            message = f"checkpoint {found[candidate].name} is damaged ({type(error).__name__})"
            if epoch is not None:
                raise ValueError(f"{message}; saved epochs: {sorted(found)}") from error
            report(f"The {message}; trying the previous one.")
    return 0


def _checkpoints(directory: Path):
    """(epoch, path) of every checkpoint in ``directory``, oldest first."""
    return sorted((int(match.group(1)), path) for path in directory.glob("epoch_*.weights.h5")
                  if (match := _CHECKPOINT_NAME.search(path.name)))
