"""Figures the lessons draw again and again: image grids and training curves.

Every function returns the matplotlib ``Figure`` it made, so a lesson can save it or a
test can inspect it; in a notebook the figure shows as the cell's output.
"""

from __future__ import annotations

import numpy as np

from course_utils.validation import as_images, check_int


def show_images(images, labels=None, *, n_columns: int = 10, title: str | None = None,
                value_range=(0.0, 1.0), scale: float = 0.8):
    """Draw a grid of grayscale images, optionally with a label above each.

    Args:
        images: array shaped (N, H, W) or (N, H, W, 1) with values in ``value_range``.
        labels: None, or N labels (numbers or strings) written above the images.
        n_columns: images per row.
        title: figure title.
        value_range: ``(0, 1)`` for the course's data, ``(-1, 1)`` for a tanh generator.
        scale: size of one image in inches.
    """
    import matplotlib.pyplot as plt

    images = as_images(images, "images", value_range=value_range)
    if len(images) == 0:
        raise ValueError("images must hold at least one image")
    n_columns = check_int(n_columns, "n_columns", minimum=1)
    if labels is not None:
        labels = list(np.asarray(labels).reshape(-1))
        if len(labels) != len(images):
            raise ValueError(f"labels must have one entry per image: {len(labels)} labels for {len(images)} images")
    n_columns = min(n_columns, len(images))
    n_rows = int(np.ceil(len(images) / n_columns))
    figure, axes = plt.subplots(n_rows, n_columns, figsize=(n_columns * scale, n_rows * scale * (1.25 if labels is not None else 1.0)),
                                squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < len(images):
            axis.imshow(images[index, ..., 0], cmap="gray_r", vmin=value_range[0], vmax=value_range[1])
            if labels is not None:
                axis.set_title(str(labels[index]), fontsize=9)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_history(history, metrics=("loss",), *, title: str | None = None):
    """Plot training and validation curves from a Keras ``History`` (or its ``.history`` dict).

    One panel per metric; ``val_<metric>`` is drawn beside ``<metric>`` when present.
    """
    import matplotlib.pyplot as plt

    curves = getattr(history, "history", history)
    if not isinstance(curves, dict):
        raise TypeError(f"history must be a keras History or a dict of lists, got {type(history).__name__}")
    if isinstance(metrics, str):
        metrics = (metrics,)
    missing = [name for name in metrics if name not in curves]
    if missing:
        raise ValueError(f"metrics {missing} are not in the history; it has {sorted(curves)}")
    figure, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
    for axis, name in zip(axes.flat, metrics):
        epochs = np.arange(1, len(curves[name]) + 1)
        axis.plot(epochs, curves[name], marker="o", markersize=3, label=f"training {name}")
        if f"val_{name}" in curves:
            axis.plot(epochs, curves[f"val_{name}"], marker="o", markersize=3, label=f"validation {name}")
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
