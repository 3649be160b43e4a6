"""Looking at a GAN while and after it trains: sample grids, animations, loss curves.

* :class:`SampleGrid` -- a callback drawing images from the same fixed noise after every
  epoch (the weight average's images when the GAN keeps one);
* :func:`image_grid`, :func:`ink_picture`, :func:`make_gif` -- tiles, a picture, an
  animation of those frames (dark ink on white, like the course's figures);
* :func:`plot_gan_history` -- D's and G's losses and D's accuracies per epoch.
"""

from __future__ import annotations

import io

import keras
import numpy as np

from course_utils.gan.networks import NUM_CLASSES
from course_utils.gan.stream import to_unit_range
from course_utils.validation import as_float_array, as_images, as_label_array, check_int


class SampleGrid(keras.callbacks.Callback):
    """After every epoch, draw images from the same fixed noise and keep them.

    Args:
        noise: fixed noise ``(K, latent_dim)``; a conditional GAN also needs ``labels``.
        labels: ``(K,)`` integer labels, or None.

    ``frames`` holds one ``(K, 28, 28, 1)`` array in [0, 1] per epoch, ``epochs`` the epoch
    numbers (1-based); :func:`make_gif` turns them into an animation.
    """

    def __init__(self, noise, labels=None):
        super().__init__()
        self.noise = as_float_array(noise, "noise", ndim=2).astype(np.float32)
        self.labels = None
        if labels is not None:
            self.labels = as_label_array(labels, "labels", num_classes=NUM_CLASSES).astype(np.int32)
            if len(self.labels) != len(self.noise):
                raise ValueError(f"labels must have one label per noise vector: {len(self.labels)} and {len(self.noise)}")
        self.frames = []
        self.epochs = []

    def sample(self, generator):
        inputs = self.noise if self.labels is None else [self.noise, self.labels]
        return to_unit_range(generator(inputs, training=False))

    def on_epoch_end(self, epoch, logs=None):
        self.frames.append(self.sample(self.model.sampling_generator))
        self.epochs.append(epoch + 1)


def image_grid(images, n_columns: int = 8, *, padding: int = 1) -> np.ndarray:
    """Tile ``(K, 28, 28, 1)`` images in [0, 1] into one 2-D array (ink = 1), white gaps."""
    images = as_images(images, "images")
    n_columns = check_int(n_columns, "n_columns", minimum=1)
    padding = check_int(padding, "padding", minimum=0)
    n_rows = int(np.ceil(len(images) / n_columns))
    height, width = images.shape[1:3]
    grid = np.zeros((n_rows * (height + padding) + padding, n_columns * (width + padding) + padding), np.float32)
    for index, image in enumerate(images):
        row, column = divmod(index, n_columns)
        top, left = padding + row * (height + padding), padding + column * (width + padding)
        grid[top:top + height, left:left + width] = image[..., 0]
    return grid


def ink_picture(image, scale: int = 1):
    """A 2-D image in [0, 1] (ink = 1) as a greyscale PIL image: dark ink on white, each
    pixel enlarged to ``scale`` x ``scale`` (for animations and live widgets)."""
    from PIL import Image

    pixels = as_float_array(image, "image", ndim=2)
    scale = check_int(scale, "scale", minimum=1, maximum=20)
    grey = (255 - np.round(np.clip(pixels, 0.0, 1.0) * 255)).astype(np.uint8)
    picture = Image.fromarray(grey, mode="L")
    return picture.resize((grey.shape[1] * scale, grey.shape[0] * scale), Image.NEAREST)


def make_gif(frames, n_columns: int = 8, *, scale: int = 2, milliseconds_per_frame: int = 300,
             captions=None) -> bytes:
    """An animated GIF (bytes) of image grids, one frame per entry of ``frames``.

    Display it in a notebook with ``IPython.display.Image(data=gif_bytes, format="gif")``
    or write it to a ``.gif`` file. Dark ink on white, like the course's figures.
    """
    from PIL import Image, ImageDraw

    if not isinstance(frames, (list, tuple)) or len(frames) == 0:
        raise ValueError("frames must be a non-empty list of image batches")
    scale = check_int(scale, "scale", minimum=1, maximum=8)
    milliseconds_per_frame = check_int(milliseconds_per_frame, "milliseconds_per_frame", minimum=20)
    if captions is not None and len(captions) != len(frames):
        raise ValueError(f"captions must have one entry per frame: {len(captions)} and {len(frames)}")
    pictures = []
    for index, frame in enumerate(frames):
        grid = image_grid(frame, n_columns)
        picture = ink_picture(grid, scale)
        if captions is not None:
            canvas = Image.new("L", (picture.width, picture.height + 14), 255)
            canvas.paste(picture, (0, 14))
            ImageDraw.Draw(canvas).text((2, 1), str(captions[index]), fill=0)
            picture = canvas
        pictures.append(picture)
    buffer = io.BytesIO()
    pictures[0].save(buffer, format="GIF", save_all=True, append_images=pictures[1:],
                     duration=milliseconds_per_frame, loop=0)
    return buffer.getvalue()


def plot_gan_history(history, *, title: str | None = None):
    """Two panels: D and G losses, and D's accuracy on real and on generated images."""
    import matplotlib.pyplot as plt

    curves = getattr(history, "history", history)
    if not isinstance(curves, dict):
        raise TypeError(f"history must be a keras History or a dict of lists, got {type(history).__name__}")
    needed = ("d_loss", "g_loss", "d_accuracy_real", "d_accuracy_fake")
    missing = [name for name in needed if name not in curves]
    if missing:
        raise ValueError(f"history lacks {missing}; it has {sorted(curves)}")
    epochs = np.arange(1, len(curves["d_loss"]) + 1)
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(9, 3.2))
    loss_axis.plot(epochs, curves["d_loss"], marker="o", markersize=3, label="discriminator")
    loss_axis.plot(epochs, curves["g_loss"], marker="o", markersize=3, label="generator")
    loss_axis.set(xlabel="epoch", ylabel="loss (mean per batch)", title="Losses")
    accuracy_axis.plot(epochs, curves["d_accuracy_real"], marker="o", markersize=3, label="on real images")
    accuracy_axis.plot(epochs, curves["d_accuracy_fake"], marker="o", markersize=3, label="on generated images")
    accuracy_axis.axhline(0.5, color="grey", linestyle=":", linewidth=1)
    accuracy_axis.set(xlabel="epoch", ylabel="discriminator accuracy", title="Discriminator accuracy", ylim=(-0.02, 1.02))
    loss_axis.legend()
    accuracy_axis.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
