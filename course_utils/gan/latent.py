"""Walking in a generator's code space: drawing images from codes, and paths between codes.

Gaussian codes in ``latent_dim`` dimensions concentrate near the sphere of radius
``sqrt(latent_dim)``, so the generator only ever saw codes of about that length:

* :func:`lerp` -- the straight line between two codes (its midpoint is too short);
* :func:`slerp` -- the arc between them (keeps the typical length; falls back to the line
  for (nearly) parallel codes, where the arc is undefined);
* :func:`project_to_sphere` -- scale codes back to length ``sqrt(latent_dim)``;
* :func:`generate` -- images in [0, 1] from codes (and labels for a conditional generator).
"""

from __future__ import annotations

import numpy as np

from course_utils.gan.stream import to_unit_range
from course_utils.validation import as_float_array, as_label_array, check_float, check_int

PARALLEL = 1e-6  # below this sin(angle), two codes count as parallel


def lerp(z0, z1, t):
    """``(1 - t) z0 + t z1``: the straight line from ``z0`` (t = 0) to ``z1`` (t = 1)."""
    z0, z1 = _pair(z0, z1)
    t = check_float(t, "t", minimum=0.0, maximum=1.0)
    return (1.0 - t) * z0 + t * z1


def slerp(z0, z1, t):
    """Spherical interpolation between two codes (1-D arrays of the same length).

    ``sin((1 - t) W) / sin W * z0 + sin(t W) / sin W * z1`` with ``cos W`` the cosine of the
    angle between the codes. For (nearly) parallel codes ``sin W`` is about 0 and the
    formula divides by zero; the arc is then the line, so :func:`lerp` is returned.
    """
    z0, z1 = _pair(z0, z1)
    t = check_float(t, "t", minimum=0.0, maximum=1.0)
    lengths = np.linalg.norm(z0) * np.linalg.norm(z1)
    if lengths == 0.0:
        raise ValueError("z0 and z1 must be non-zero codes (the angle to a zero code is undefined)")
    omega = np.arccos(np.clip(np.dot(z0, z1) / lengths, -1.0, 1.0))
    if np.sin(omega) < PARALLEL:
        return lerp(z0, z1, t)
    return (np.sin((1.0 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def project_to_sphere(codes):
    """Scale every code (a row of ``(N, latent_dim)``, or one 1-D code) to length ``sqrt(latent_dim)``."""
    codes = as_float_array(codes, "codes")
    if codes.ndim not in (1, 2):
        raise ValueError(f"codes must be one code (latent_dim,) or a batch (N, latent_dim), got shape {codes.shape}")
    lengths = np.linalg.norm(codes, axis=-1, keepdims=True)
    if np.any(lengths == 0.0):
        raise ValueError("codes must be non-zero (a zero code has no direction to project)")
    return (np.sqrt(codes.shape[-1]) * codes / lengths).astype(np.float32)


def generate(generator, codes, labels=None, *, batch_size: int = 500) -> np.ndarray:
    """Images ``(N, 28, 28, 1)`` in [0, 1] from ``codes`` ``(N, latent_dim)`` (and integer
    ``labels`` ``(N,)`` for a conditional generator), in inference mode, in batches."""
    import keras

    if not isinstance(generator, keras.Model):
        raise TypeError(f"generator must be a keras.Model, got {type(generator).__name__}")
    codes = as_float_array(codes, "codes", ndim=2).astype(np.float32)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    conditional = len(generator.inputs) == 2
    if conditional != (labels is not None):
        raise ValueError("labels must be given for a conditional generator (two inputs) and only for one; "
                         f"this generator has {len(generator.inputs)} input(s)")
    if labels is not None:
        labels = as_label_array(labels, "labels").astype(np.int32)
        if len(labels) != len(codes):
            raise ValueError(f"labels must have one label per code: {len(labels)} labels, {len(codes)} codes")
    batches = []
    for start in range(0, len(codes), batch_size):
        inputs = codes[start:start + batch_size]
        if labels is not None:
            inputs = [inputs, labels[start:start + batch_size]]
        batches.append(to_unit_range(generator(inputs, training=False)))
    return np.concatenate(batches) if batches else np.zeros((0, 28, 28, 1), np.float32)


def _pair(z0, z1):
    z0 = as_float_array(z0, "z0", ndim=1)
    z1 = as_float_array(z1, "z1", ndim=1)
    if z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must have the same length, got {z0.shape[0]} and {z1.shape[0]}")
    return z0, z1
