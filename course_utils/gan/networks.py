"""The two networks of the course's GANs, for 28x28 digits.

* :func:`build_generator` / :func:`build_discriminator` -- a small DCGAN. The generator
  ends in ``tanh`` (images in ``[-1, 1]``); the discriminator outputs one **logit** per
  image (no sigmoid).
* :func:`build_conditional_generator` / :func:`build_conditional_discriminator` -- their
  label-conditioned twins (lesson 6).

Two options of the discriminators, both measured in lesson 9:

* ``spectral_norm=True`` wraps every weight layer in ``keras.layers.SpectralNormalization``
  (Miyato et al., 2018), which bounds how fast D's output can change with its input;
* ``minibatch_std=True`` adds :class:`MinibatchStdDev` before the last layer: one feature
  map holding how much the images of the batch differ from each other (Karras et al.,
  2018). A D that judges every image alone cannot see that a generator draws the same
  digit again and again; with this feature it can.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from course_utils.validation import check_int

NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)


def build_generator(latent_dim: int = 64, *, name: str = "generator") -> keras.Model:
    """DCGAN generator: noise ``(N, latent_dim)`` -> images ``(N, 28, 28, 1)`` in [-1, 1].

    Dense to a 7x7x64 block, then two stride-2 transposed convolutions (7 -> 14 -> 28),
    BatchNorm + LeakyReLU in between and ``tanh`` at the end (about 235k weights).
    """
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    noise = keras.Input(shape=(latent_dim,), name="noise")
    return keras.Model(noise, _upsample(_project(noise)), name=_check_name(name))


def build_discriminator(*, spectral_norm: bool = False, minibatch_std: bool = False,
                        name: str = "discriminator") -> keras.Model:
    """DCGAN discriminator: images ``(N, 28, 28, 1)`` in [-1, 1] -> one logit per image."""
    wrap = _wrapper(spectral_norm)
    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    features = _downsample(images, wrap, _check_flag(minibatch_std, "minibatch_std"))
    logits = wrap(layers.Dense(1, name="logit"))(features)
    return keras.Model(images, logits, name=_check_name(name))


def build_conditional_generator(latent_dim: int = 64, num_classes: int = NUM_CLASSES, *,
                                name: str = "conditional_generator") -> keras.Model:
    """Generator taking ``[noise (N, latent_dim), labels (N,) int]``.

    The label enters twice, as a one-hot code: appended to the noise, and as ``num_classes``
    constant 7x7 maps stacked on the first feature block, so every upsampling layer knows
    which digit it is drawing and the noise is left to carry the style.
    """
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    num_classes = check_int(num_classes, "num_classes", minimum=2)
    noise = keras.Input(shape=(latent_dim,), name="noise")
    labels = keras.Input(shape=(), dtype="int32", name="labels")
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="one_hot")(labels)
    inputs = layers.Concatenate(name="noise_and_label")([noise, one_hot])
    x = _project(inputs)
    x = layers.Concatenate(name="block_and_label")([x, _label_maps(one_hot, 7, num_classes, "label_maps_7x7")])
    return keras.Model([noise, labels], _upsample(x), name=_check_name(name))


def build_conditional_discriminator(num_classes: int = NUM_CLASSES, *, spectral_norm: bool = False,
                                    minibatch_std: bool = False,
                                    name: str = "conditional_discriminator") -> keras.Model:
    """Discriminator taking ``[images (N, 28, 28, 1), labels (N,) int]`` -> one logit.

    The label enters twice: as ``num_classes`` one-hot image channels stacked on the image,
    and as a projection, ``logit = w.features + b + embed(label).features``, which makes
    "right image, wrong label" easy for D to punish, so G must draw the requested digit.
    """
    num_classes = check_int(num_classes, "num_classes", minimum=2)
    wrap = _wrapper(spectral_norm)
    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    labels = keras.Input(shape=(), dtype="int32", name="labels")
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="one_hot")(labels)
    label_maps = _label_maps(one_hot, IMAGE_SHAPE[0], num_classes, "label_maps_28x28")
    features = _downsample(layers.Concatenate(name="image_and_label")([images, label_maps]), wrap,
                           _check_flag(minibatch_std, "minibatch_std"))
    unconditional = wrap(layers.Dense(1, name="logit"))(features)
    class_vectors = layers.Embedding(num_classes, features.shape[-1], name="label_projection")(labels)
    projection = layers.Dot(axes=1, name="projection")([features, class_vectors])
    logits = layers.Add(name="conditional_logit")([unconditional, projection])
    return keras.Model([images, labels], logits, name=_check_name(name))


def _label_maps(one_hot, size, num_classes, name):
    """(N, num_classes) one-hot -> (N, size, size, num_classes) constant maps."""
    maps = layers.Reshape((1, 1, num_classes), name=f"{name}_1x1")(one_hot)
    return layers.UpSampling2D(size, name=name)(maps)


def _project(inputs):
    x = layers.Dense(7 * 7 * 64, use_bias=False, name="project")(inputs)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.LeakyReLU(0.2, name="project_relu")(x)
    return layers.Reshape((7, 7, 64), name="to_7x7")(x)


def _upsample(x):
    x = layers.Conv2DTranspose(32, 4, strides=2, padding="same", use_bias=False, name="up_14x14")(x)
    x = layers.BatchNormalization(name="up_14x14_bn")(x)
    x = layers.LeakyReLU(0.2, name="up_14x14_relu")(x)
    return layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", name="up_28x28")(x)


def _downsample(inputs, wrap, minibatch_std=False):
    x = wrap(layers.Conv2D(32, 4, strides=2, padding="same", name="down_14x14"))(inputs)
    x = layers.LeakyReLU(0.2, name="down_14x14_relu")(x)
    x = wrap(layers.Conv2D(64, 4, strides=2, padding="same", name="down_7x7"))(x)
    x = layers.LeakyReLU(0.2, name="down_7x7_relu")(x)
    if minibatch_std:
        x = MinibatchStdDev(name="minibatch_std")(x)
    return layers.Flatten(name="features")(x)


@keras.saving.register_keras_serializable(package="course_utils")
class MinibatchStdDev(layers.Layer):
    """Appends one constant feature map: the standard deviation of every feature over the
    batch, averaged. Real batches are varied; a batch of near-copies has a small value.
    The deviation is ``sqrt(variance + 1e-8)``: the square root's gradient is infinite at
    0, so a batch of exact copies would otherwise turn every weight into NaN."""

    EPSILON = 1e-8

    def call(self, features):
        # (H, W, C): how much the batch differs
        deviation = ops.sqrt(ops.var(features, axis=0) + self.EPSILON)
        value = ops.mean(deviation)
        shape = ops.shape(features)
        return ops.concatenate([features, ops.ones((shape[0], shape[1], shape[2], 1)) * value], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)


def _check_flag(value, name):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return value


def _wrapper(spectral_norm):
    if not isinstance(spectral_norm, bool):
        raise TypeError(f"spectral_norm must be True or False, got {type(spectral_norm).__name__}")
    if not spectral_norm:
        return lambda layer: layer
    return lambda layer: layers.SpectralNormalization(layer, name=f"{layer.name}_sn")


def _check_name(name):
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    return name
