"""Figures the lessons draw again and again: image grids, training curves, confusion
matrices and grids of misread images.

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


def plot_confusion_matrix(matrix, *, title: str | None = None, size: float = 6.0):
    """Draw ``matrix[true, predicted]`` (counts) as a heat map with every non-zero count
    written in its cell; rows are true classes, columns predicted ones.

    Args:
        matrix: a square array of counts (whole numbers >= 0), e.g. from
            :func:`course_utils.models.confusion_matrix`.
        title: axes title.
        size: width of the figure in inches (the height follows).
    """
    import matplotlib.pyplot as plt

    from course_utils.validation import as_float_array, check_float

    counts = as_float_array(matrix, "matrix", ndim=2)
    if counts.shape[0] != counts.shape[1] or counts.shape[0] == 0:
        raise ValueError(f"matrix must be square (classes x classes), got shape {counts.shape}")
    if np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ValueError("matrix must hold counts (whole numbers >= 0)")
    size = check_float(size, "size", minimum=1.0)
    classes = counts.shape[0]
    figure, axis = plt.subplots(figsize=(size, size * 0.85))
    shown = axis.imshow(counts, cmap="Blues", vmin=0)
    largest = counts.max() if counts.max() > 0 else 1.0
    for true in range(classes):
        for predicted in range(classes):
            if counts[true, predicted]:
                axis.text(predicted, true, f"{counts[true, predicted]:.0f}", ha="center", va="center",
                          fontsize=10 if classes <= 10 else 7,
                          color="white" if counts[true, predicted] > largest / 2 else "black")
    axis.set_xticks(range(classes))
    axis.set_yticks(range(classes))
    axis.set_xlabel("predicted digit")
    axis.set_ylabel("true digit")
    axis.grid(False)
    if title:
        axis.set_title(title)
    figure.colorbar(shown, ax=axis, label="images")
    figure.tight_layout()
    return figure


def show_mistakes(images, true_labels, predicted_labels, confidences, *, n_columns: int = 8,
                  title: str | None = None, scale: float = 1.3):
    """Draw misread images large, each titled with its true label, the predicted one and the
    model's confidence in that prediction (``"true 7, read 1\\n93% sure"``).

    Args:
        images: array (N, H, W) or (N, H, W, 1) in [0, 1].
        true_labels, predicted_labels: N integer labels each.
        confidences: N probabilities in [0, 1] the model gave its predicted label.
        n_columns: images per row.
        title: figure title.
        scale: size of one image in inches.
    """
    import matplotlib.pyplot as plt

    from course_utils.validation import as_float_array, as_label_array, check_float

    images = as_images(images, "images")
    if len(images) == 0:
        raise ValueError("images must hold at least one image")
    true_labels = as_label_array(true_labels, "true_labels")
    predicted_labels = as_label_array(predicted_labels, "predicted_labels")
    confidences = as_float_array(confidences, "confidences", ndim=1)
    for name, values in (("true_labels", true_labels), ("predicted_labels", predicted_labels),
                         ("confidences", confidences)):
        if len(values) != len(images):
            raise ValueError(f"{name} must have one entry per image: {len(values)} for {len(images)} images")
    if np.any(confidences < 0) or np.any(confidences > 1):
        raise ValueError("confidences must be probabilities in [0, 1]")
    n_columns = min(check_int(n_columns, "n_columns", minimum=1), len(images))
    scale = check_float(scale, "scale", minimum=0.3)
    n_rows = int(np.ceil(len(images) / n_columns))
    figure, axes = plt.subplots(n_rows, n_columns, figsize=(n_columns * scale, n_rows * scale * 1.45),
                                squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < len(images):
            axis.imshow(images[index, ..., 0], cmap="gray_r", vmin=0.0, vmax=1.0)
            axis.set_title(f"true {true_labels[index]}, read {predicted_labels[index]}\n"
                           f"{confidences[index]:.0%} sure", fontsize=10)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
