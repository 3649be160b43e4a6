"""The stream of training batches a GAN's ``fit()`` reads, and the image-range helpers.

:func:`make_dataset` is an endless ``tf.data`` stream whose epoch ``e`` is shuffled by
(seed, e) alone, so a run resumed at epoch ``e`` sees the same batches as the
uninterrupted run. The GANs work on images in [-1, 1] (``tanh``); the rest of the course
on [0, 1]: :func:`to_unit_range` converts back.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from course_utils.gan.networks import NUM_CLASSES
from course_utils.validation import as_images, as_label_array, check_int


def make_dataset(images, labels=None, *, batch_size: int = 64, seed: int = 0, start_epoch: int = 0):
    """An endless ``tf.data.Dataset`` of training batches, for ``fit(steps_per_epoch=...)``.

    Args:
        images: real images in [-1, 1] (``x * 2 - 1`` of the course data).
        labels: integer labels for a conditional GAN (batches are then ``(images, labels)``).
        batch_size: images per batch; the last incomplete batch of each epoch is dropped,
            so ``steps_per_epoch = len(images) // batch_size``.
        seed: the shuffle of epoch ``e`` depends on ``(seed, e)`` only.
        start_epoch: first epoch to produce: pass the epoch you resume from.
    """
    images = as_images(images, "images", value_range=(-1.0, 1.0))
    if labels is not None:
        labels = as_label_array(labels, "labels", num_classes=NUM_CLASSES)
        if len(labels) != len(images):
            raise ValueError(f"labels must have one label per image: {len(labels)} labels, {len(images)} images")
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=len(images))
    seed = check_int(seed, "seed", minimum=0, maximum=2**31 - 1)
    start_epoch = check_int(start_epoch, "start_epoch", minimum=0)
    steps = len(images) // batch_size
    image_tensor = tf.constant(images)
    label_tensor = tf.constant(labels.astype(np.int32)) if labels is not None else None

    def epoch_order(epoch):  # the image indices of one epoch, shuffled by (seed, epoch)
        key = tf.stack([tf.constant(seed, "int64"), epoch])
        order = tf.random.experimental.stateless_shuffle(tf.range(len(images), dtype="int64"), seed=key)
        return tf.data.Dataset.from_tensor_slices(order[:steps * batch_size])

    def gather(indices):
        if label_tensor is None:
            return tf.gather(image_tensor, indices)
        return tf.gather(image_tensor, indices), tf.gather(label_tensor, indices)

    dataset = tf.data.Dataset.counter(start_epoch).flat_map(epoch_order)
    dataset = dataset.batch(batch_size, drop_remainder=True).map(gather)
    return dataset.prefetch(2)


def steps_per_epoch(n_images: int, batch_size: int) -> int:
    """Batches per epoch of :func:`make_dataset` (incomplete batches are dropped)."""
    n_images = check_int(n_images, "n_images", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=n_images)
    return n_images // batch_size


def to_unit_range(images):
    """Generator output in [-1, 1] -> images in [0, 1] (what the course's plots and
    classifiers expect)."""
    images = np.asarray(images, np.float32)
    return np.clip((images + 1.0) / 2.0, 0.0, 1.0)
