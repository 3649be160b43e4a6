"""GAN objectives, one value per example, from D's logits.

* ``"bce"`` -- binary cross-entropy: D is a classifier with "real" = 1 and "generated" =
  0; G's loss is ``"non-saturating"`` (``-log D(G(z))``, what everyone uses) or
  ``"saturating"`` (the original minimax ``log(1 - D(G(z)))``, which stalls when D
  confidently rejects the fakes -- lesson 5 shows it).
* ``"hinge"`` -- D minimises ``relu(1 - real) + relu(1 + fake)`` (it stops pushing a logit
  once it is on the right side of +-1), G minimises ``-fake``.

``label_smoothing`` is ONE-SIDED smoothing (Salimans et al., 2016): D's target for real
images is ``1 - label_smoothing`` instead of 1; generated images keep target 0. It only
applies to ``"bce"``.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from course_utils.validation import check_choice, check_float

LOSSES = ("bce", "hinge")
GENERATOR_LOSSES = ("non-saturating", "saturating")


def discriminator_loss(real_logits, fake_logits, *, loss: str = "bce", label_smoothing: float = 0.0):
    """Per-example D loss, shape ``(N,)``: the real term plus the generated term."""
    return real_term(real_logits, loss=loss, label_smoothing=label_smoothing) + fake_term(fake_logits, loss=loss)


def real_term(real_logits, *, loss: str = "bce", label_smoothing: float = 0.0):
    """D's loss on images it should call real (target ``1 - label_smoothing``)."""
    check_choice(loss, "loss", LOSSES)
    label_smoothing = check_float(label_smoothing, "label_smoothing", minimum=0.0, maximum=0.5)
    if loss == "hinge":
        return ops.relu(1.0 - ops.squeeze(real_logits, -1))
    targets = ops.ones_like(real_logits) * (1.0 - label_smoothing)
    return keras.losses.binary_crossentropy(targets, real_logits, from_logits=True)


def fake_term(fake_logits, *, loss: str = "bce"):
    """D's loss on pairs it should call fake (target 0)."""
    check_choice(loss, "loss", LOSSES)
    if loss == "hinge":
        return ops.relu(1.0 + ops.squeeze(fake_logits, -1))
    return keras.losses.binary_crossentropy(ops.zeros_like(fake_logits), fake_logits, from_logits=True)


def generator_loss(fake_logits, kind: str = "non-saturating", *, loss: str = "bce"):
    """Per-example G loss, shape ``(N,)``.

    ``"non-saturating"``: ``BCE(1, fake) = -log D(G(z))``, i.e. G wants its images labelled
    real; its gradient is large exactly when D rejects them. ``"saturating"``: minimise
    ``log(1 - D(G(z))) = -BCE(0, fake)``; its gradient vanishes when D confidently rejects
    the fakes, which is the situation at the start of training. With ``loss="hinge"``
    G minimises ``-logit`` (``kind`` must then be ``"non-saturating"``).
    """
    check_choice(kind, "kind", GENERATOR_LOSSES)
    check_choice(loss, "loss", LOSSES)
    if loss == "hinge":
        if kind != "non-saturating":
            raise ValueError('kind must be "non-saturating" with loss="hinge" (the saturating form is a BCE idea)')
        return -ops.squeeze(fake_logits, -1)
    if kind == "non-saturating":
        return keras.losses.binary_crossentropy(ops.ones_like(fake_logits), fake_logits, from_logits=True)
    return -keras.losses.binary_crossentropy(ops.zeros_like(fake_logits), fake_logits, from_logits=True)


def average_over_global_batch(per_example_loss):
    """Sum of the per-example losses divided by the GLOBAL batch size.

    On one device that is the plain mean. Under ``MirroredStrategy`` each replica sees a
    slice of the batch and the optimizer SUMS the replicas' gradients, so dividing by the
    global batch (not the replica's) gives the gradient of the mean over the whole batch.
    """
    return tf.nn.compute_average_loss(per_example_loss)
