"""Argument checks shared by every public function of ``course_utils``.

Each check raises ``TypeError`` (wrong kind of object) or ``ValueError`` (right kind,
wrong content) with a message that names the argument and says what was expected, so a
learner who passes the wrong thing reads what to fix instead of a deep stack trace.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(value, name: str, *, ndim=None, shape=None, allow_nan=False) -> np.ndarray:
    """Return ``value`` as a float64 NumPy array after checking it.

    ``ndim`` may be an int or a tuple of allowed ranks; ``shape`` is a tuple where ``None``
    means "any size" for that axis.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged lists and other oddities
        raise TypeError(f"{name} must be an array of numbers: {error}") from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == bool
    ):
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    array = array.astype(np.float64)
    _check_rank_and_shape(array, name, ndim, shape)
    if not allow_nan and array.size and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def as_label_array(value, name: str, *, num_classes=None, ndim=1) -> np.ndarray:
    """Return integer class labels as an int64 array, checking the range ``[0, num_classes)``."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of integer labels, got {type(value).__name__}")
    array = np.asarray(value)
    if array.dtype.kind == "f":
        if array.size and not np.all(np.isfinite(array)):
            raise ValueError(f"{name} contains NaN or infinite values")
        if not np.all(array == np.round(array)):
            raise TypeError(
                f"{name} must hold integer class labels; got non-integer floats "
                "(one-hot or probability labels need the categorical version)"
            )
    elif array.dtype.kind not in "iub":
        raise TypeError(f"{name} must hold integer class labels, got dtype {array.dtype}")
    array = array.astype(np.int64)
    _check_rank_and_shape(array, name, ndim, None)
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must be >= 0, found {array.min()}")
    if num_classes is not None and array.size and array.max() >= num_classes:
        raise ValueError(
            f"{name} must be < {num_classes} (the number of classes), found {array.max()}"
        )
    return array


def as_images(value, name: str, *, value_range=(0.0, 1.0)) -> np.ndarray:
    """Check a batch of images shaped (N, H, W) or (N, H, W, 1) and return (N, H, W, 1) float32."""
    array = as_float_array(value, name, ndim=(3, 4))
    if array.ndim == 4 and array.shape[-1] != 1:
        raise ValueError(
            f"{name} must be grayscale images shaped (N, H, W, 1), got shape {array.shape}"
        )
    if array.ndim == 3:
        array = array[..., None]
    if value_range is not None and array.size:
        low, high = value_range
        tolerance = 1e-3 * (high - low)
        if array.min() < low - tolerance or array.max() > high + tolerance:
            raise ValueError(
                f"{name} must have pixel values in [{low}, {high}], "
                f"found [{array.min():.3g}, {array.max():.3g}]"
            )
    return array.astype(np.float32)


def check_int(value, name: str, *, minimum=None, maximum=None) -> int:
    """Check that ``value`` is an integer (not a bool) within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_float(value, name: str, *, minimum=None, maximum=None, inclusive=True) -> float:
    """Check that ``value`` is a finite real number within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    too_low = minimum is not None and (value < minimum if inclusive else value <= minimum)
    too_high = maximum is not None and (value > maximum if inclusive else value >= maximum)
    if too_low or too_high:
        bracket = "[]" if inclusive else "()"
        raise ValueError(
            f"{name} must be in {bracket[0]}{minimum}, {maximum}{bracket[1]}, got {value}"
        )
    return value


def check_choice(value, name: str, choices) -> str:
    """Check that ``value`` is one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def _check_rank_and_shape(array, name, ndim, shape):
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            ranks = " or ".join(str(rank) for rank in allowed)
            raise ValueError(
                f"{name} must have {ranks} dimensions, got shape {array.shape}"
            )
    if shape is not None:
        if array.ndim != len(shape) or any(
            expected is not None and expected != actual
            for expected, actual in zip(shape, array.shape)
        ):
            wanted = "(" + ", ".join("N" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {wanted}, got {array.shape}")
