"""GANs for 28x28 digits, trained with ``fit()``. Each module is one idea:

* :mod:`~course_utils.gan.networks` -- the generator and discriminator builders (a small
  DCGAN and its label-conditioned twin; discriminators output logits);
* :mod:`~course_utils.gan.losses` -- the objectives (binary cross-entropy, non-saturating
  or saturating; hinge; one-sided label smoothing), per example, from logits;
* :mod:`~course_utils.gan.augmentation` -- differentiable augmentation of real AND generated
  images (DiffAugment: translation, cutout);
* :mod:`~course_utils.gan.training` -- :class:`GAN`, ONE training step with hooks, which
  :class:`ConditionalGAN` fills in; :func:`make_gan` and :func:`train`;
* :mod:`~course_utils.gan.stream` -- the reproducible, resumable stream of batches;
* :mod:`~course_utils.gan.figures` -- sample grids, animations, loss curves;
* :mod:`~course_utils.gan.checkpoints` -- save after every epoch, resume exactly;
* :mod:`~course_utils.gan.latent` -- images from codes; lerp, slerp, the sphere.

Everything a lesson needs is importable from here (``cu.gan.make_gan``, ...). The GANs
lessons share (trained once, loaded later) are described by :mod:`course_utils.trained`.
"""

from course_utils.gan.augmentation import augment
from course_utils.gan.checkpoints import EpochCheckpoint, restore_latest, save_training_state
from course_utils.gan.figures import SampleGrid, image_grid, ink_picture, make_gif, plot_gan_history
from course_utils.gan.latent import generate, lerp, project_to_sphere, slerp
from course_utils.gan.losses import (GENERATOR_LOSSES, LOSSES, average_over_global_batch, discriminator_loss,
                                     generator_loss)
from course_utils.gan.networks import (IMAGE_SHAPE, NUM_CLASSES, build_conditional_discriminator,
                                       build_conditional_generator, build_discriminator, build_generator)
from course_utils.gan.stream import make_dataset, steps_per_epoch, to_unit_range
from course_utils.gan.training import KINDS, NEGATIVE_TERMS, GAN, ConditionalGAN, make_gan, train

__all__ = [
    "GAN", "ConditionalGAN", "EpochCheckpoint", "SampleGrid", "GENERATOR_LOSSES", "IMAGE_SHAPE", "KINDS", "LOSSES",
    "NEGATIVE_TERMS", "NUM_CLASSES", "augment", "average_over_global_batch", "build_conditional_discriminator",
    "build_conditional_generator", "build_discriminator", "build_generator", "discriminator_loss", "generate",
    "generator_loss", "image_grid", "ink_picture", "lerp", "make_dataset", "make_gan", "make_gif",
    "plot_gan_history", "project_to_sphere", "restore_latest", "save_training_state", "slerp", "steps_per_epoch",
    "to_unit_range", "train",
]
