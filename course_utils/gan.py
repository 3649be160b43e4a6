"""GANs for 28x28 digits, trained with ``fit()``: models, losses, data, callbacks, saving.

The pieces, in the order lessons 5 (DCGAN) and 6 (conditional GAN) use them:

* builders -- :func:`build_generator` / :func:`build_discriminator` (a small DCGAN) and
  their label-conditioned twins :func:`build_conditional_generator` /
  :func:`build_conditional_discriminator`. Generators end in ``tanh`` (images in
  ``[-1, 1]``); discriminators output one **logit** per image (no sigmoid).
* losses -- :func:`discriminator_loss` and :func:`generator_loss` (non-saturating or
  saturating), one value per example, binary cross-entropy from logits.
* :class:`GAN` and :class:`ConditionalGAN` -- ``keras.Model`` subclasses whose
  ``train_step`` updates D and then G with ``tf.GradientTape``, so ``fit()``, callbacks
  and the progress bar work. Losses are summed and divided by the GLOBAL batch size, so
  the same class trains unchanged under ``tf.distribute.MirroredStrategy``. Noise is drawn
  from a stateless generator keyed by (seed, training step), sliced per replica: a run
  resumed from a checkpoint draws exactly the noise the uninterrupted run drew.
* :func:`make_dataset` -- an endless ``tf.data`` stream whose epoch ``e`` is shuffled by
  (seed, e) alone, so resuming at epoch ``e`` sees the same batches.
* callbacks -- :class:`SampleGrid` (images from fixed noise after every epoch, for grids
  and an animation, :func:`make_gif`) and :class:`EpochCheckpoint` + :func:`restore_latest`
  (checkpoint every epoch, resume where training stopped).
* :func:`make_gan` and :func:`train` -- a compiled GAN from a seed, and ``fit`` on the
  stream above. The GANs lessons share (trained once, loaded later) are described and
  saved by :mod:`course_utils.trained`.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np

from course_utils.validation import as_float_array, as_images, as_label_array, check_choice, check_float, check_int

import keras  # noqa: E402  (after course_utils.session has quieted TensorFlow)
import tensorflow as tf  # noqa: E402
from keras import layers, ops  # noqa: E402

KINDS = ("dcgan", "cgan")
GENERATOR_LOSSES = ("non-saturating", "saturating")
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)

# ----------------------------------------------------------------------------- models


def build_generator(latent_dim: int = 64, *, name: str = "generator") -> keras.Model:
    """DCGAN generator: noise ``(N, latent_dim)`` -> images ``(N, 28, 28, 1)`` in [-1, 1].

    Dense to a 7x7x64 block, then two stride-2 transposed convolutions (7 -> 14 -> 28),
    BatchNorm + LeakyReLU in between and ``tanh`` at the end (about 235k weights).
    """
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    noise = keras.Input(shape=(latent_dim,), name="noise")
    return keras.Model(noise, _upsampling_stack(noise), name=_check_name(name))


def build_discriminator(*, name: str = "discriminator") -> keras.Model:
    """DCGAN discriminator: images ``(N, 28, 28, 1)`` in [-1, 1] -> one logit per image."""
    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    features = _downsampling_stack(images)
    logits = layers.Dense(1, name="logit")(features)
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


def build_conditional_discriminator(num_classes: int = NUM_CLASSES, *,
                                    name: str = "conditional_discriminator") -> keras.Model:
    """Discriminator taking ``[images (N, 28, 28, 1), labels (N,) int]`` -> one logit.

    The label enters twice: as ``num_classes`` one-hot image channels stacked on the image,
    and as a projection, ``logit = w.features + b + embed(label).features``, which makes
    "right image, wrong label" easy for D to punish, so G must draw the requested digit.
    """
    num_classes = check_int(num_classes, "num_classes", minimum=2)
    images = keras.Input(shape=IMAGE_SHAPE, name="images")
    labels = keras.Input(shape=(), dtype="int32", name="labels")
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="one_hot")(labels)
    label_maps = _label_maps(one_hot, IMAGE_SHAPE[0], num_classes, "label_maps_28x28")
    features = _downsampling_stack(layers.Concatenate(name="image_and_label")([images, label_maps]))
    unconditional = layers.Dense(1, name="logit")(features)
    class_vectors = layers.Embedding(num_classes, features.shape[-1], name="label_projection")(labels)
    projection = layers.Dot(axes=1, name="projection")([features, class_vectors])
    logits = layers.Add(name="conditional_logit")([unconditional, projection])
    return keras.Model([images, labels], logits, name=_check_name(name))


def _label_maps(one_hot, size, num_classes, name):
    """(N, num_classes) one-hot -> (N, size, size, num_classes) constant maps."""
    maps = layers.Reshape((1, 1, num_classes), name=f"{name}_1x1")(one_hot)
    return layers.UpSampling2D(size, name=name)(maps)


def _upsampling_stack(inputs):
    return _upsample(_project(inputs))


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


def _downsampling_stack(inputs):
    x = layers.Conv2D(32, 4, strides=2, padding="same", name="down_14x14")(inputs)
    x = layers.LeakyReLU(0.2, name="down_14x14_relu")(x)
    x = layers.Conv2D(64, 4, strides=2, padding="same", name="down_7x7")(x)
    x = layers.LeakyReLU(0.2, name="down_7x7_relu")(x)
    return layers.Flatten(name="features")(x)


def _check_name(name):
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {name!r}")
    return name


# ----------------------------------------------------------------------------- losses


def discriminator_loss(real_logits, fake_logits):
    """Per-example D loss: ``BCE(1, real) + BCE(0, fake)`` from logits, shape ``(N,)``.

    D is a binary classifier: "real" is class 1, "generated" is class 0.
    """
    real_loss = keras.losses.binary_crossentropy(ops.ones_like(real_logits), real_logits, from_logits=True)
    fake_loss = keras.losses.binary_crossentropy(ops.zeros_like(fake_logits), fake_logits, from_logits=True)
    return real_loss + fake_loss


def generator_loss(fake_logits, kind: str = "non-saturating"):
    """Per-example G loss, shape ``(N,)``.

    ``"non-saturating"`` (what everyone uses): ``BCE(1, fake) = -log D(G(z))``, i.e. G
    wants its images labelled real; its gradient is large exactly when D rejects them.
    ``"saturating"`` (the original minimax form): minimise ``log(1 - D(G(z))) =
    -BCE(0, fake)``; its gradient vanishes when D confidently rejects the fakes, which is
    the situation at the start of training.
    """
    check_choice(kind, "kind", GENERATOR_LOSSES)
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


# ------------------------------------------------------------------------ GAN models


class GAN(keras.Model):
    """A GAN whose ``fit()`` trains the discriminator, then the generator, on every batch.

    Args:
        generator: model mapping noise ``(N, latent_dim)`` to images in [-1, 1].
        discriminator: model mapping images to one logit each.
        latent_dim: size of the noise vectors.
        seed: seed of the training noise (with the step number, see :meth:`sample_noise`).
        generator_loss: ``"non-saturating"`` (default) or ``"saturating"`` (lesson 5 shows
            why the latter stalls).

    ``fit()`` takes batches of real images in [-1, 1] (see :func:`make_dataset`) and
    reports ``d_loss``, ``g_loss``, ``d_accuracy_real`` (share of real images D calls
    real) and ``d_accuracy_fake`` (share of generated images D calls fake).
    """

    def __init__(self, generator, discriminator, latent_dim: int, *, seed: int = 0,
                 generator_loss: str = "non-saturating", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model):
            raise TypeError(f"generator must be a keras.Model, got {type(generator).__name__}")
        if not isinstance(discriminator, keras.Model):
            raise TypeError(f"discriminator must be a keras.Model, got {type(discriminator).__name__}")
        self.latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
        self.seed = check_int(seed, "seed", minimum=0, maximum=2**31 - 1)
        self.generator_loss_kind = check_choice(generator_loss, "generator_loss", GENERATOR_LOSSES)
        self.generator = generator
        self.discriminator = discriminator
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_accuracy_tracker = keras.metrics.Mean(name="d_accuracy_real")
        self.fake_accuracy_tracker = keras.metrics.Mean(name="d_accuracy_fake")
        self.built = True  # the two networks are built; nothing to infer from data

    @property
    def metrics(self):
        # Listed here so Keras resets them at the start of every epoch.
        return [self.d_loss_tracker, self.g_loss_tracker, self.real_accuracy_tracker, self.fake_accuracy_tracker]

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        """One optimizer per network: D and G are trained on different losses."""
        for argument, value in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer)):
            if not isinstance(value, keras.optimizers.Optimizer):
                raise TypeError(f"{argument} must be a keras optimizer, got {type(value).__name__}")
        if d_optimizer is g_optimizer:
            raise ValueError("d_optimizer and g_optimizer must be two different optimizer objects")
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Create the optimizers' variables now (under the strategy scope, if any), not in
        # the middle of a distributed training step, where that is not allowed.
        _build_optimizers(self)

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    # The three hooks below are all a conditional GAN changes.
    def unpack(self, data):
        """A batch from the dataset -> (real images, conditions); no conditions here."""
        return data, None

    def generate(self, noise, conditions, training=False):
        return self.generator(noise, training=training)

    def discriminate(self, images, conditions, training=False):
        return self.discriminator(images, training=training)

    def sample_noise(self, batch_size):
        """Standard normal noise for this replica's share of the batch.

        The noise of the whole (global) batch is drawn from a stateless generator keyed by
        ``(seed, training step)`` and each replica takes its slice: the same step gives the
        same noise after a restart, on one device or on several.
        """
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync if context is not None else 1
        replica = context.replica_id_in_sync_group if context is not None else 0
        step = tf.cast(self.g_optimizer.iterations, "int64")
        key = tf.stack([tf.constant(self.seed, "int64"), step])
        noise = tf.random.stateless_normal((batch_size * replicas, self.latent_dim), seed=key)
        return noise[batch_size * replica: batch_size * (replica + 1)]

    def train_step(self, data):
        real_images, conditions = self.unpack(data)
        batch_size = tf.shape(real_images)[0]
        noise = self.sample_noise(batch_size)

        # 1. Discriminator: real images -> 1, generated images -> 0.
        with tf.GradientTape() as tape:
            fake_images = self.generate(noise, conditions, training=True)
            real_logits = self.discriminate(real_images, conditions, training=True)
            fake_logits = self.discriminate(fake_images, conditions, training=True)
            d_loss = average_over_global_batch(discriminator_loss(real_logits, fake_logits))
        d_gradients = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(d_gradients, self.discriminator.trainable_weights))

        # 2. Generator: make the (just updated) D call its images real.
        with tf.GradientTape() as tape:
            fake_images = self.generate(noise, conditions, training=True)
            fake_logits_for_g = self.discriminate(fake_images, conditions, training=True)
            g_loss = average_over_global_batch(generator_loss(fake_logits_for_g, self.generator_loss_kind))
        g_gradients = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(g_gradients, self.generator.trainable_weights))

        # 3. Monitoring (per replica means; Keras averages them across replicas).
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        self.d_loss_tracker.update_state(d_loss * replicas)
        self.g_loss_tracker.update_state(g_loss * replicas)
        self.real_accuracy_tracker.update_state(ops.mean(ops.cast(real_logits > 0, "float32")))
        self.fake_accuracy_tracker.update_state(ops.mean(ops.cast(fake_logits < 0, "float32")))
        return {metric.name: metric.result() for metric in self.metrics}


class ConditionalGAN(GAN):
    """A GAN whose generator and discriminator also take the class label.

    ``fit()`` takes batches ``(images in [-1, 1], integer labels)``; the generated images of
    every D batch are asked for the same digits as the real ones. D also sees every real
    image with a WRONG label and must call that pair fake (the "matching-aware"
    discriminator of Reed et al., 2016): without it, D can judge realism alone, and G is
    free to ignore the label. ``call([noise, labels])`` draws the requested digits.
    Reports ``d_accuracy_wrong_label`` too: the share of mismatched pairs D rejects.
    """

    def __init__(self, generator, discriminator, latent_dim: int, *, num_classes: int = NUM_CLASSES, **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.num_classes = check_int(num_classes, "num_classes", minimum=2)
        self.mismatch_accuracy_tracker = keras.metrics.Mean(name="d_accuracy_wrong_label")

    @property
    def metrics(self):
        return super().metrics + [self.mismatch_accuracy_tracker]

    def unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError("a ConditionalGAN trains on batches (images, labels); see make_dataset(images, labels)")
        images, labels = data
        return images, tf.cast(labels, "int32")

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def generate(self, noise, conditions, training=False):
        return self.generator([noise, conditions], training=training)

    def discriminate(self, images, conditions, training=False):
        return self.discriminator([images, conditions], training=training)

    def wrong_labels(self, labels):
        """Each label shifted by a random 1..num_classes-1 (never the true one), drawn like
        the noise: keyed by (seed, step), the replica's slice of a global draw."""
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync if context is not None else 1
        replica = context.replica_id_in_sync_group if context is not None else 0
        batch_size = tf.shape(labels)[0]
        key = tf.stack([tf.constant(self.seed + 1, "int64"), tf.cast(self.g_optimizer.iterations, "int64")])
        shifts = tf.random.stateless_uniform((batch_size * replicas,), seed=key, minval=1,
                                             maxval=self.num_classes, dtype="int32")
        return (labels + shifts[batch_size * replica: batch_size * (replica + 1)]) % self.num_classes

    def train_step(self, data):
        real_images, labels = self.unpack(data)
        noise = self.sample_noise(tf.shape(real_images)[0])
        wrong = self.wrong_labels(labels)

        # 1. Discriminator: (real, its label) -> 1; (generated, label) and (real, wrong label) -> 0.
        with tf.GradientTape() as tape:
            fake_images = self.generate(noise, labels, training=True)
            real_logits = self.discriminate(real_images, labels, training=True)
            fake_logits = self.discriminate(fake_images, labels, training=True)
            mismatch_logits = self.discriminate(real_images, wrong, training=True)
            mismatch_loss = keras.losses.binary_crossentropy(ops.zeros_like(mismatch_logits), mismatch_logits,
                                                             from_logits=True)
            d_loss = average_over_global_batch(discriminator_loss(real_logits, fake_logits) + mismatch_loss)
        d_gradients = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(d_gradients, self.discriminator.trainable_weights))

        # 2. Generator: make D call (generated image, requested label) real.
        with tf.GradientTape() as tape:
            fake_images = self.generate(noise, labels, training=True)
            fake_logits_for_g = self.discriminate(fake_images, labels, training=True)
            g_loss = average_over_global_batch(generator_loss(fake_logits_for_g, self.generator_loss_kind))
        g_gradients = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(g_gradients, self.generator.trainable_weights))

        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        self.d_loss_tracker.update_state(d_loss * replicas)
        self.g_loss_tracker.update_state(g_loss * replicas)
        self.real_accuracy_tracker.update_state(ops.mean(ops.cast(real_logits > 0, "float32")))
        self.fake_accuracy_tracker.update_state(ops.mean(ops.cast(fake_logits < 0, "float32")))
        self.mismatch_accuracy_tracker.update_state(ops.mean(ops.cast(mismatch_logits < 0, "float32")))
        return {metric.name: metric.result() for metric in self.metrics}


def make_gan(kind: str = "dcgan", *, latent_dim: int = 64, seed: int = 0, d_learning_rate: float = 2e-4,
             g_learning_rate: float = 2e-4, generator_loss: str = "non-saturating") -> GAN:
    """Build and compile the lesson's GAN: fresh networks initialised from ``seed``, Adam
    with ``beta_1=0.5`` (the DCGAN paper's setting) for each network."""
    check_choice(kind, "kind", KINDS)
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    seed = check_int(seed, "seed", minimum=0, maximum=2**31 - 1)
    d_learning_rate = check_float(d_learning_rate, "d_learning_rate", minimum=0.0, maximum=1.0, inclusive=False)
    g_learning_rate = check_float(g_learning_rate, "g_learning_rate", minimum=0.0, maximum=1.0, inclusive=False)
    keras.utils.set_random_seed(seed)  # the initial weights depend on the seed alone
    if kind == "dcgan":
        gan = GAN(build_generator(latent_dim), build_discriminator(), latent_dim, seed=seed,
                  generator_loss=generator_loss, name="dcgan")
    else:
        gan = ConditionalGAN(build_conditional_generator(latent_dim), build_conditional_discriminator(),
                             latent_dim, seed=seed, generator_loss=generator_loss, name="cgan")
    gan.compile(d_optimizer=keras.optimizers.Adam(d_learning_rate, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(g_learning_rate, beta_1=0.5))
    return gan


# ------------------------------------------------------------------------------- data


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


# -------------------------------------------------------------------------- callbacks


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
        self.frames.append(self.sample(self.model.generator))
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


class EpochCheckpoint(keras.callbacks.Callback):
    """Save the whole training state after every epoch: both networks AND both optimizers
    (Adam's moments and step counter, which also keys the training noise).

    Files are ``<directory>/epoch_<NNN>.weights.h5``, each written to a temporary name and
    then renamed, so a run killed while saving never leaves a truncated checkpoint; only
    the newest ``keep`` are kept (None keeps all). :func:`restore_latest` loads one and
    returns the epoch to resume from.
    """

    def __init__(self, directory, *, keep: int | None = None):
        super().__init__()
        if not isinstance(directory, (str, Path)):
            raise TypeError(f"directory must be a path, got {type(directory).__name__}")
        self.directory = Path(directory)
        self.keep = None if keep is None else check_int(keep, "keep", minimum=1)

    def on_epoch_end(self, epoch, logs=None):
        self.directory.mkdir(parents=True, exist_ok=True)
        save_training_state(self.model, self.directory / f"epoch_{epoch + 1:03d}.weights.h5")
        if self.keep is not None:
            for _, old in _checkpoints(self.directory)[:-self.keep]:
                old.unlink()


_CHECKPOINT_NAME = re.compile(r"^epoch_(\d+)\.weights\.h5$")


def save_training_state(gan: GAN, path) -> None:
    """Write the networks' and optimizers' variables to one ``.weights.h5`` file, atomically."""
    from course_utils.paths import atomic_path

    _check_gan(gan)
    _build_optimizers(gan)
    with atomic_path(path) as temporary:
        gan.save_weights(str(temporary))


def restore_latest(gan: GAN, directory, *, epoch: int | None = None, at_most: int | None = None,
                   report=print) -> int:
    """Load the newest intact checkpoint of ``directory`` into ``gan`` and return its epoch
    number (the ``initial_epoch`` to pass to ``fit``), or 0 when there is none.

    A checkpoint that cannot be read (a truncated or corrupt file) is named through
    ``report`` (``print`` by default) and the previous one is tried. ``epoch`` asks for one
    epoch's checkpoint exactly (``ValueError`` if it is missing or damaged); ``at_most``
    ignores checkpoints of later epochs. ``gan`` must be built with the same settings (seed
    included) as the saved one.
    """
    _check_gan(gan)
    if not isinstance(directory, (str, Path)):
        raise TypeError(f"directory must be a path, got {type(directory).__name__}")
    if not callable(report):
        raise TypeError(f"report must be a function such as print, got {type(report).__name__}")
    found = dict(_checkpoints(Path(directory)))
    if epoch is not None:
        epoch = check_int(epoch, "epoch", minimum=1)
        if epoch not in found:
            raise ValueError(f"epoch {epoch} has no checkpoint in {directory}; saved epochs: {sorted(found)}")
        candidates = [epoch]
    else:
        limit = None if at_most is None else check_int(at_most, "at_most", minimum=0)
        candidates = sorted((e for e in found if limit is None or e <= limit), reverse=True)
    _build_optimizers(gan)
    for candidate in candidates:
        try:
            gan.load_weights(str(found[candidate]))
            return candidate
        except Exception as error:  # h5py and Keras raise several kinds for a damaged file
            message = f"checkpoint {found[candidate].name} is damaged ({type(error).__name__})"
            if epoch is not None:
                raise ValueError(f"{message}; saved epochs: {sorted(found)}") from error
            report(f"The {message}; trying the previous one.")
    return 0


def _checkpoints(directory: Path):
    """(epoch, path) of every checkpoint in ``directory``, oldest first."""
    return sorted((int(match.group(1)), path) for path in directory.glob("epoch_*.weights.h5")
                  if (match := _CHECKPOINT_NAME.search(path.name)))


def _build_optimizers(gan):
    # Optimizers create their variables on their first step; a checkpoint needs them now.
    if not gan.d_optimizer.built:
        gan.d_optimizer.build(gan.discriminator.trainable_weights)
    if not gan.g_optimizer.built:
        gan.g_optimizer.build(gan.generator.trainable_weights)


def _check_gan(gan):
    if not isinstance(gan, GAN):
        raise TypeError(f"gan must be a course_utils.gan.GAN, got {type(gan).__name__}")
    if not hasattr(gan, "d_optimizer"):
        raise ValueError("gan must be compiled (gan.compile(d_optimizer=..., g_optimizer=...)) first")


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


# --------------------------------------------------------------- training and saving


def train(gan: GAN, images, labels=None, *, epochs: int, batch_size: int = 64, seed: int = 0,
          callbacks=None, initial_epoch: int = 0, verbose: int = 0):
    """``gan.fit`` on :func:`make_dataset` batches; returns the Keras ``History``.

    ``images`` are in [-1, 1]; pass ``initial_epoch`` (from :func:`restore_latest`) to resume.
    """
    epochs = check_int(epochs, "epochs", minimum=1)
    initial_epoch = check_int(initial_epoch, "initial_epoch", minimum=0, maximum=epochs)
    dataset = make_dataset(images, labels, batch_size=batch_size, seed=seed, start_epoch=initial_epoch)
    return gan.fit(dataset, epochs=epochs, initial_epoch=initial_epoch, callbacks=callbacks or [],
                   steps_per_epoch=steps_per_epoch(len(images), batch_size), shuffle=False, verbose=verbose)
