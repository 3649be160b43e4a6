"""Differentiable augmentation for GANs trained on few images (Zhao et al., 2020, "DiffAugment").

With a few thousand training images D soon memorises them, and its verdicts stop being
useful to G. Showing D *randomly transformed* images makes memorising harder -- but only
if the SAME kind of transformation is applied to the real AND the generated images, both
when D is trained and when G is: augmenting real images alone teaches G to draw the
transformations (shifted, cut-out digits). The transformations are built from tensor
operations, so G's gradient flows through them.

:func:`augment` takes images in [-1, 1] (background -1) and a policy, a tuple of:

* ``"translation"`` -- shift each image by up to ``max_shift`` pixels in each direction,
  filling with background;
* ``"cutout"`` -- blank one square of half the image side, at a random place, per image.

Randomness is stateless and keyed by the caller's seed, so training stays reproducible.
"""

from __future__ import annotations

import tensorflow as tf

from course_utils.validation import check_int

POLICIES = ("translation", "cutout")
BACKGROUND = -1.0


def check_policy(policy) -> tuple:
    """``policy`` as a tuple of names from :data:`POLICIES` (``()`` means no augmentation)."""
    if policy is None:
        return ()
    if isinstance(policy, str):
        policy = tuple(part.strip() for part in policy.split(",") if part.strip())
    if not isinstance(policy, (tuple, list)) or not all(isinstance(part, str) for part in policy):
        raise TypeError(f'policy must be a tuple of names such as ("translation", "cutout"), got {policy!r}')
    unknown = [part for part in policy if part not in POLICIES]
    if unknown:
        raise ValueError(f"policy has unknown parts {unknown}; choose from {POLICIES}")
    return tuple(policy)


def augment(images, policy, seed, *, max_shift: int = 3):
    """Apply ``policy`` to a batch ``(N, H, W, C)``; ``seed`` is a shape-(2,) int tensor."""
    policy = check_policy(policy)
    max_shift = check_int(max_shift, "max_shift", minimum=0)
    seed = tf.cast(seed, "int64")
    for index, part in enumerate(policy):
        key = seed + tf.constant([0, 7919 * (index + 1)], "int64")
        images = translate(images, key, max_shift) if part == "translation" else cutout(images, key)
    return images


def translate(images, seed, max_shift: int):
    """Shift every image by its own random (dy, dx) in ``[-max_shift, max_shift]``."""
    size_y, size_x = images.shape[1], images.shape[2]
    batch = tf.shape(images)[0]
    shifts = tf.random.stateless_uniform((batch, 2), seed=seed, minval=-max_shift, maxval=max_shift + 1,
                                         dtype="int32")
    padded = tf.pad(images, [[0, 0], [max_shift, max_shift], [max_shift, max_shift], [0, 0]],
                    constant_values=BACKGROUND)
    rows = tf.range(size_y)[None, :] + max_shift - shifts[:, :1]  # (N, H): source row of each output row
    columns = tf.range(size_x)[None, :] + max_shift - shifts[:, 1:]
    images = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(images, columns, axis=2, batch_dims=1)


def cutout(images, seed):
    """Blank (set to background) a random square of half the image side in every image."""
    size_y, size_x = images.shape[1], images.shape[2]
    batch = tf.shape(images)[0]
    centres = tf.random.stateless_uniform((batch, 2), seed=seed, minval=0, maxval=size_y, dtype="int32")
    half_y, half_x = size_y // 4, size_x // 4
    rows = tf.range(size_y)[None, :, None]
    columns = tf.range(size_x)[None, None, :]
    inside = ((tf.abs(rows - centres[:, :1, None]) < half_y)
              & (tf.abs(columns - centres[:, 1:, None]) < half_x))
    inside = tf.cast(inside, images.dtype)[..., None]
    return images * (1.0 - inside) + BACKGROUND * inside
