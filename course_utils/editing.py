"""Plumbing for the image-editing lessons: pixel measures, baselines, masks, slider figures.

The lessons write the ideas themselves (interpolation, the inversion loop, masked
inversion for inpainting, fine-tuning a GAN). This module holds what they lean on:

* :func:`stroke_thickness` and :func:`slant` -- two attributes of a digit measured from its
  pixels alone, so a direction in latent space can be fitted to them;
* :func:`nearest_images` -- the nearest-training-image baseline an inversion must beat;
* :func:`box_mask` and :func:`region_mse` -- the hidden region of an inpainting task and
  the error measured inside it;
* :func:`slider_strip` -- the static figure that stands in for interactive sliders;
* :func:`image_sliders` -- the interactive sliders themselves (an image redrawn live);
* :func:`widgets_available` -- whether an interactive ipywidgets slider can be shown;
* :func:`invert` -- the GAN inversion loop lesson 7 writes out, packaged so lesson 8 can
  edit real images of a new domain with it.

Images follow the course's convention: float arrays shaped ``(N, 28, 28, 1)`` (or
``(N, H, W)``) with 0 = background and 1 = ink.
"""

from __future__ import annotations

import numpy as np

from course_utils.validation import as_float_array, as_images, check_float, check_int

# ------------------------------------------------------------------- pixel attributes


def stroke_thickness(images) -> np.ndarray:
    """Mean stroke width of each image, in pixels, measured from the pixels alone.

    A stroke of length ``L`` and width ``w`` has area ``L * w`` and an outline about
    ``2 * L`` long, so ``w ~= 2 * area / outline``. For grey-level images the area is the
    total ink and the outline is the total variation (the sum of absolute differences
    between horizontally and vertically neighbouring pixels), which equals the number of
    edge pixel-sides for a black-and-white image. No threshold, no skeleton.

    Returns a float64 array of shape ``(N,)``; a blank image gets thickness 0.
    """
    pixels = as_images(images, "images")[..., 0].astype(np.float64)
    padded = np.pad(pixels, ((0, 0), (1, 1), (1, 1)))  # so strokes touching the border count their outline
    outline = (np.abs(np.diff(padded, axis=1)).sum(axis=(1, 2))
               + np.abs(np.diff(padded, axis=2)).sum(axis=(1, 2)))
    ink = pixels.sum(axis=(1, 2))
    return np.where(outline > 0, 2.0 * ink / np.maximum(outline, 1e-12), 0.0)


def slant(images) -> np.ndarray:
    """Slant of each digit from its second image moments: horizontal shift per pixel upwards.

    With ``x`` to the right and ``y`` upwards, both centred on the ink's centre of mass,
    the slant is ``cov(x, y) / var(y)``: the slope of the line that best predicts a
    pixel's column from its height. 0 is upright, positive leans right (top to the right),
    negative leans left; ``arctan(slant)`` is the angle from the vertical. A blank image
    gets 0.

    Returns a float64 array of shape ``(N,)``.
    """
    pixels = as_images(images, "images")[..., 0].astype(np.float64)
    height, width = pixels.shape[1:]
    rows, columns = np.mgrid[0:height, 0:width].astype(np.float64)
    y = -rows  # image rows grow downwards; make "up" positive
    x = columns
    mass = pixels.sum(axis=(1, 2))
    safe_mass = np.maximum(mass, 1e-12)
    mean_x = (pixels * x).sum(axis=(1, 2)) / safe_mass
    mean_y = (pixels * y).sum(axis=(1, 2)) / safe_mass
    dx = x[None] - mean_x[:, None, None]
    dy = y[None] - mean_y[:, None, None]
    covariance = (pixels * dx * dy).sum(axis=(1, 2)) / safe_mass
    variance_y = (pixels * dy * dy).sum(axis=(1, 2)) / safe_mass
    return np.where((mass > 0) & (variance_y > 1e-12), covariance / np.maximum(variance_y, 1e-12), 0.0)


# ------------------------------------------------------------------------ baselines


def nearest_images(queries, pool, *, batch_size: int = 256):
    """For each query image, the pool image with the smallest mean squared pixel error.

    This is the baseline a GAN inversion has to beat: "copy the closest training image".

    Returns ``(indices, errors)``: int64 indices into ``pool`` and the float64 mean squared
    error (over pixels) between each query and its nearest pool image, both shaped ``(N,)``.
    """
    queries = as_images(queries, "queries")
    pool = as_images(pool, "pool")
    if len(pool) == 0:
        raise ValueError("pool must hold at least one image")
    if queries.shape[1:] != pool.shape[1:]:
        raise ValueError(f"queries and pool must have the same image shape, got {queries.shape[1:]} and {pool.shape[1:]}")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    flat_pool = pool.reshape(len(pool), -1).astype(np.float64)
    pool_norms = (flat_pool ** 2).sum(axis=1)
    n_pixels = flat_pool.shape[1]
    indices = np.zeros(len(queries), np.int64)
    errors = np.zeros(len(queries), np.float64)
    for start in range(0, len(queries), batch_size):
        block = queries[start:start + batch_size].reshape(-1, n_pixels).astype(np.float64)
        # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, for every pair at once
        squared = (block ** 2).sum(axis=1)[:, None] + pool_norms[None, :] - 2.0 * block @ flat_pool.T
        best = np.argmin(squared, axis=1)
        indices[start:start + len(block)] = best
        errors[start:start + len(block)] = np.maximum(squared[np.arange(len(block)), best], 0.0) / n_pixels
    return indices, errors


# --------------------------------------------------------------------- inpainting


def box_mask(top: int, left: int, height: int, width: int, *, image_size: int = 28) -> np.ndarray:
    """A mask shaped ``(image_size, image_size, 1)``: 1 inside the box (hidden), 0 outside.

    ``1 - mask`` is then the region an inpainting inversion is allowed to look at.
    """
    image_size = check_int(image_size, "image_size", minimum=1)
    top = check_int(top, "top", minimum=0, maximum=image_size - 1)
    left = check_int(left, "left", minimum=0, maximum=image_size - 1)
    height = check_int(height, "height", minimum=1, maximum=image_size - top)
    width = check_int(width, "width", minimum=1, maximum=image_size - left)
    mask = np.zeros((image_size, image_size, 1), np.float32)
    mask[top:top + height, left:left + width] = 1.0
    return mask


def region_mse(images, targets, mask) -> np.ndarray:
    """Mean squared error of each image against its target, over the pixels where ``mask`` is 1.

    ``mask`` is one image-shaped mask (``(H, W)`` or ``(H, W, 1)``) shared by all images,
    or one mask per image (``(N, H, W)`` or ``(N, H, W, 1)``). Returns float64 ``(N,)``.
    """
    images = as_images(images, "images")
    targets = as_images(targets, "targets")
    if images.shape != targets.shape:
        raise ValueError(f"images and targets must have the same shape, got {images.shape} and {targets.shape}")
    mask = as_float_array(mask, "mask", ndim=(2, 3, 4))
    if mask.size and (mask.min() < 0 or mask.max() > 1):
        raise ValueError("mask must hold values in [0, 1] (1 = pixel counted)")
    if mask.ndim == 2 or (mask.ndim == 3 and mask.shape[-1] == 1 and mask.shape[:2] == images.shape[1:3]):
        mask = mask.reshape(1, *images.shape[1:3], 1)
    elif mask.ndim == 3:
        mask = mask[..., None]
    if mask.shape[1:] != images.shape[1:] or mask.shape[0] not in (1, len(images)):
        raise ValueError(f"mask shape {mask.shape} does not fit images shaped {images.shape}")
    weights = np.broadcast_to(mask, images.shape)
    counted = weights.sum(axis=(1, 2, 3))
    if np.any(counted == 0):
        raise ValueError("mask selects no pixel for at least one image")
    squared = (images.astype(np.float64) - targets) ** 2
    return (squared * weights).sum(axis=(1, 2, 3)) / counted


# ------------------------------------------------------------------ slider figures


def slider_strip(rows, values, *, row_labels=None, value_label: str = "slider value",
                 title: str | None = None, value_range=(0.0, 1.0), scale: float = 0.9):
    """The static twin of an interactive slider: one row per edited image, one column per value.

    Args:
        rows: images shaped ``(n_rows, n_values, H, W)`` or ``(n_rows, n_values, H, W, 1)``:
            ``rows[i, j]`` is image ``i`` with the slider at ``values[j]``.
        values: the ``n_values`` slider positions, written under the columns.
        row_labels: None or ``n_rows`` strings written left of the rows.
        value_label: name of the slider, the x-axis label of the figure.
        title: figure title.
        value_range: pixel range of the images (``(-1, 1)`` for raw tanh output).
        scale: size of one image in inches.

    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    array = as_float_array(rows, "rows", ndim=(4, 5))
    if array.ndim == 5 and array.shape[-1] != 1:
        raise ValueError(f"rows must hold grayscale images, got shape {array.shape}")
    n_rows, n_values = array.shape[:2]
    if n_rows == 0 or n_values == 0:
        raise ValueError("rows must hold at least one image")
    images = as_images(array.reshape(n_rows * n_values, *array.shape[2:]), "rows", value_range=value_range)
    images = images.reshape(n_rows, n_values, *images.shape[1:3])
    values = as_float_array(values, "values", ndim=1)
    if len(values) != n_values:
        raise ValueError(f"values must have one entry per column: {len(values)} values for {n_values} columns")
    if row_labels is not None:
        row_labels = [str(label) for label in row_labels]
        if len(row_labels) != n_rows:
            raise ValueError(f"row_labels must have one entry per row: {len(row_labels)} for {n_rows} rows")
    figure, axes = plt.subplots(n_rows, n_values, figsize=(n_values * scale + 0.6, n_rows * scale + 0.8),
                                squeeze=False)
    for row in range(n_rows):
        for column in range(n_values):
            axis = axes[row, column]
            axis.imshow(images[row, column], cmap="gray_r", vmin=value_range[0], vmax=value_range[1])
            axis.set_xticks([])
            axis.set_yticks([])
            axis.grid(False)
            if row == n_rows - 1:
                axis.set_xlabel(f"{values[column]:.3g}", fontsize=8)
            if column == 0 and row_labels is not None:
                axis.set_ylabel(row_labels[row], fontsize=8)
    figure.supxlabel(value_label)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def image_sliders(render, sliders: dict, *, scale: int = 6):
    """Interactive sliders that redraw an image: the live twin of :func:`slider_strip`.

    Args:
        render: function called with one keyword argument per slider (its current value)
            that returns the image to show, a 2-D array (or ``(H, W, 1)``) in [0, 1] with
            1 = ink; several images side by side are one wide array.
        sliders: name -> ipywidgets slider (``IntSlider``, ``FloatSlider``, ...), in the
            order they are shown.
        scale: pixels on screen per image pixel.

    Returns an ``ipywidgets.VBox`` (display it, or make it a cell's last line). The image is
    an ``ipywidgets.Image`` whose PNG bytes are replaced when a slider moves; there is no
    ``Output`` widget, whose message handling makes papermill/nbclient runs stall now and
    then (jupyter/nbclient#312).
    """
    import ipywidgets

    if not callable(render):
        raise TypeError(f"render must be a function of the slider values, got {type(render).__name__}")
    if not isinstance(sliders, dict) or not sliders:
        raise TypeError("sliders must be a non-empty dict of names to ipywidgets sliders")
    for name, slider in sliders.items():
        if not isinstance(name, str) or not isinstance(slider, ipywidgets.ValueWidget):
            raise TypeError(f"sliders must map names to ipywidgets sliders, got {name!r}: {type(slider).__name__}")
    scale = check_int(scale, "scale", minimum=1, maximum=20)
    picture = ipywidgets.Image(format="png")

    def redraw(change=None):
        image = as_float_array(render(**{name: slider.value for name, slider in sliders.items()}), "render()")
        picture.value = _png(image, scale)

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([*sliders.values(), picture])


def _png(image, scale):
    """A 2-D image (or ``(H, W, 1)``) in [0, 1] as PNG bytes, dark ink on white."""
    import io

    from course_utils.gan import ink_picture

    pixels = np.asarray(image, np.float64)
    if pixels.ndim == 3 and pixels.shape[-1] == 1:
        pixels = pixels[..., 0]
    if pixels.ndim != 2:
        raise ValueError(f"render() must return one 2-D image, got shape {pixels.shape}")
    buffer = io.BytesIO()
    ink_picture(pixels, scale).save(buffer, format="PNG")
    return buffer.getvalue()


def widgets_available() -> bool:
    """True when interactive ipywidgets can be displayed: ipywidgets is installed and the
    code runs in a Jupyter kernel (JupyterLab, Notebook, Colab, VS Code).

    A kernel cannot tell whether a person is watching (papermill and nbval also run one),
    so a lesson always draws the static figure as well; the widget is extra.

    False, with one printed line saying why, for ipywidgets < 8 under ipykernel >= 7: a pair
    the course does not install anywhere (Colab has ipywidgets 7 with ipykernel 6, the dev
    extra ipywidgets 8 with ipykernel 7) and under which papermill was reported to wait
    forever at a slider cell.
    """
    import re
    import sys

    try:
        import ipywidgets
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return False

    def major(module):
        """Leading number of ``module.__version__``; None if unknown."""
        found = re.match(r"\s*(\d+)", str(getattr(module, "__version__", "")))
        return int(found.group(1)) if found else None

    kernel_module = sys.modules.get("ipykernel")  # loaded whenever an ipykernel kernel runs
    widgets_major, kernel_major = major(ipywidgets), major(kernel_module)
    if widgets_major is not None and kernel_major is not None and widgets_major < 8 and kernel_major >= 7:
        print(f"Interactive sliders are off: ipywidgets {ipywidgets.__version__} with ipykernel "
              f"{kernel_module.__version__} is not a supported pair (install ipywidgets>=8); "
              "see the static figure.")
        return False
    return True


# ------------------------------------------------------------------------ inversion


def invert(generator, targets, *, known=None, labels=None, search_steps: int = 50, steps: int = 150,
           learning_rate: float = 0.05, seed: int = 0, feature_model=None, feature_weight: float = 0.0):
    """GAN inversion as lesson 7 writes it, packaged for reuse (lesson 8 edits with it).

    Gradient descent (Adam) on the codes so that the generator's images match ``targets``
    on the ``known`` pixels; after every step the codes are put back on the sphere
    ``|z| = sqrt(latent_dim)`` where Gaussian codes live. For a conditional generator
    (inputs ``[noise, labels]``) with ``labels=None`` the label is searched: every class
    is tried for ``search_steps`` steps and the best one refined for ``steps`` more.

    Args:
        generator: keras model, ``noise -> images`` or ``[noise, labels] -> images``, with
            ``tanh`` output in [-1, 1].
        targets: images in [0, 1], ``(N, H, W, 1)``.
        known: None (every pixel counts) or a mask shaped like one image or like
            ``targets``, 1 where a pixel may be looked at (``1 - box_mask(...)``).
        labels: None (search, conditional generators only) or ``N`` integer labels.
        search_steps, steps: gradient steps per candidate label, then for the kept one.
        learning_rate: Adam's step size.
        seed: seed of the starting codes.
        feature_model, feature_weight: lesson 7's feature term. With a keras model that maps
            images in [0, 1] to feature vectors (``cu.models.feature_extractor(evaluator)``)
            and a weight > 0, each image's loss adds ``feature_weight`` times the mean
            squared distance between the features of its reconstruction and of its target.
            Whole images only: not with ``known``.

    Returns ``(codes, labels, errors)``: codes ``(N, latent_dim)`` float32, labels int64
    (``None`` for an unconditional generator) and each image's mean squared error over
    the known pixels, in [0, 1] units.
    """
    import keras
    import tensorflow as tf

    if not isinstance(generator, keras.Model):
        raise TypeError(f"generator must be a keras.Model, got {type(generator).__name__}")
    targets = as_images(targets, "targets")
    if len(targets) == 0:
        raise ValueError("targets must hold at least one image")
    conditional = len(generator.inputs) == 2
    search_steps = check_int(search_steps, "search_steps", minimum=0)
    steps = check_int(steps, "steps", minimum=0)
    seed = check_int(seed, "seed", minimum=0)
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    feature_weight = check_float(feature_weight, "feature_weight", minimum=0.0)
    if feature_model is not None and not isinstance(feature_model, keras.Model):
        raise TypeError(f"feature_model must be a keras.Model or None, got {type(feature_model).__name__}")
    if feature_weight > 0 and feature_model is None:
        raise ValueError("feature_weight > 0 needs a feature_model (cu.models.feature_extractor(evaluator))")
    if feature_weight > 0 and known is not None:
        raise ValueError("feature_weight > 0 compares whole images; it cannot be combined with a known mask")
    if known is None:
        known = np.ones(targets.shape, np.float32)
    else:
        known = as_float_array(known, "known", ndim=(3, 4))
        if known.min() < 0 or known.max() > 1:
            raise ValueError("known must hold values in [0, 1] (1 = pixel looked at)")
        try:
            known = np.broadcast_to(known, targets.shape).astype(np.float32)
        except ValueError:
            raise ValueError(f"known shaped {known.shape} does not fit targets shaped {targets.shape}") from None
        if np.any(known.sum(axis=(1, 2, 3)) == 0):
            raise ValueError("known selects no pixel for at least one image")
    if labels is not None:
        if not conditional:
            raise ValueError("labels were given but the generator takes no labels")
        from course_utils.validation import as_label_array

        labels = as_label_array(labels, "labels")
        if len(labels) != len(targets):
            raise ValueError(f"labels must have one label per target: {len(labels)} for {len(targets)} targets")
    latent_dim = int(generator.inputs[0].shape[-1])
    radius = float(np.sqrt(latent_dim))
    rng = np.random.default_rng(seed)

    def run(images, label_values, start, n_steps, mask):
        codes = tf.Variable(start.astype(np.float32))
        goal = tf.constant(images * 2.0 - 1.0)
        weights = tf.constant(mask)
        counts = tf.reduce_sum(weights, axis=(1, 2, 3))
        label_tensor = None if label_values is None else tf.constant(label_values.astype(np.int32))
        optimizer = keras.optimizers.Adam(learning_rate)
        goal_features = feature_model(images.astype(np.float32), training=False) if feature_weight > 0 else None

        def draw():
            return generator(codes if label_tensor is None else [codes, label_tensor], training=False)

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                drawn = draw()
                per_image = tf.reduce_sum(weights * tf.square(drawn - goal), axis=(1, 2, 3)) / counts
                if goal_features is not None:
                    drawn_features = feature_model((drawn + 1.0) / 2.0, training=False)
                    per_image += feature_weight * tf.reduce_mean(tf.square(drawn_features - goal_features), axis=1)
                loss = tf.reduce_sum(per_image)
            optimizer.apply_gradients([(tape.gradient(loss, codes), codes)])
            codes.assign(radius * tf.math.l2_normalize(codes, axis=1))

        for _ in range(n_steps):
            step()
        drawn = np.clip((draw().numpy() + 1.0) / 2.0, 0.0, 1.0)
        errors = (mask * (drawn - images) ** 2).sum(axis=(1, 2, 3)) / mask.sum(axis=(1, 2, 3))
        return codes.numpy(), errors.astype(np.float64)

    count = len(targets)
    if conditional and labels is None:
        num_classes = _num_classes(generator)
        start = rng.normal(size=(count * num_classes, latent_dim))
        start = radius * start / np.linalg.norm(start, axis=1, keepdims=True)
        candidates = np.tile(np.arange(num_classes), count)
        codes, errors = run(np.repeat(targets, num_classes, axis=0), candidates, start, search_steps,
                            np.repeat(known, num_classes, axis=0))
        labels = errors.reshape(count, num_classes).argmin(axis=1).astype(np.int64)
        start = codes.reshape(count, num_classes, latent_dim)[np.arange(count), labels]
    else:
        start = rng.normal(size=(count, latent_dim))
        start = radius * start / np.linalg.norm(start, axis=1, keepdims=True)
    codes, errors = run(targets, labels, start, steps, known)
    return codes, labels, errors


def _num_classes(generator) -> int:
    """Number of classes a conditional generator accepts: the size of the first layer that
    encodes the label (``Embedding`` or ``CategoryEncoding``); 10 when none is found."""
    for layer in generator.layers:
        for attribute in ("input_dim", "num_tokens"):
            if layer.__class__.__name__ in ("Embedding", "CategoryEncoding") and hasattr(layer, attribute):
                return int(getattr(layer, attribute))
    return 10
