"""GANs trained with ``fit()``: one training step, with hooks for what a variant changes.

:class:`GAN` is a ``keras.Model`` whose ``train_step`` updates D and then G with
``tf.GradientTape``, so ``fit()``, callbacks and the progress bar work. Losses are summed
and divided by the GLOBAL batch size, so the same class trains unchanged under
``tf.distribute.MirroredStrategy``. Noise is drawn from a stateless generator keyed by
(seed, training step), sliced per replica: a run resumed from a checkpoint draws exactly
the noise the uninterrupted run drew.

The step is written once. A variant changes it through hooks:

* :meth:`GAN.unpack`, :meth:`GAN.generate`, :meth:`GAN.discriminate` -- what a batch holds
  and how the networks are called (a conditional GAN passes labels along);
* :meth:`GAN.discriminator_objective` -- D's per-example loss (a conditional GAN adds its
  wrong-label term here);
* options of the constructor -- the loss (``"bce"`` or ``"hinge"``), one-sided label
  smoothing, differentiable augmentation of real and generated images, and an
  exponential moving average of G's weights (:attr:`GAN.sampling_generator`).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from course_utils.gan import augmentation
from course_utils.gan import losses
from course_utils.gan.networks import (NUM_CLASSES, build_conditional_discriminator,
                                       build_conditional_generator, build_discriminator, build_generator)
from course_utils.validation import check_choice, check_float, check_int

KINDS = ("dcgan", "cgan")
NEGATIVE_TERMS = ("sum", "average")


class GAN(keras.Model):
    """A GAN whose ``fit()`` trains the discriminator, then the generator, on every batch.

    Args:
        generator: model mapping noise ``(N, latent_dim)`` to images in [-1, 1].
        discriminator: model mapping images to one logit each.
        latent_dim: size of the noise vectors.
        seed: seed of the training noise (with the step number, see :meth:`sample_noise`).
        generator_loss: ``"non-saturating"`` (default) or ``"saturating"`` (lesson 5 shows
            why the latter stalls).
        loss: ``"bce"`` (binary cross-entropy, default) or ``"hinge"``.
        label_smoothing: one-sided: D's target for real images is ``1 - label_smoothing``.
        augment: differentiable augmentation applied to every image D sees, real and
            generated, in both steps: ``()`` (none), ``("translation",)``,
            ``("translation", "cutout")`` (see :mod:`course_utils.gan.augmentation`).
        ema_decay: keep an exponential moving average of G's weights with this decay
            (warmed up as ``min(decay, (1 + t) / (10 + t))`` at step ``t``) and sample from
            it; None (default) samples from G itself.
        track_gradient_norm: also report ``g_gradient_norm``, the global norm (square root
            of the sum of squares over every weight) of G's loss gradient at each step,
            averaged over the epoch like the other metrics. Off by default.

    ``fit()`` takes batches of real images in [-1, 1] (see :func:`make_dataset`) and
    reports ``d_loss``, ``g_loss``, ``d_accuracy_real`` (share of real images D calls
    real) and ``d_accuracy_fake`` (share of generated images D calls fake).
    """

    def __init__(self, generator, discriminator, latent_dim: int, *, seed: int = 0,
                 generator_loss: str = "non-saturating", loss: str = "bce", label_smoothing: float = 0.0,
                 augment=(), ema_decay: float | None = None, track_gradient_norm: bool = False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(generator, keras.Model):
            raise TypeError(f"generator must be a keras.Model, got {type(generator).__name__}")
        if not isinstance(discriminator, keras.Model):
            raise TypeError(f"discriminator must be a keras.Model, got {type(discriminator).__name__}")
        self.latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
        self.seed = check_int(seed, "seed", minimum=0, maximum=2**31 - 1)
        self.generator_loss_kind = check_choice(generator_loss, "generator_loss", losses.GENERATOR_LOSSES)
        self.loss_kind = check_choice(loss, "loss", losses.LOSSES)
        if self.loss_kind == "hinge" and self.generator_loss_kind != "non-saturating":
            raise ValueError('generator_loss must be "non-saturating" with loss="hinge"')
        self.label_smoothing = check_float(label_smoothing, "label_smoothing", minimum=0.0, maximum=0.5)
        self.augment_policy = augmentation.check_policy(augment)
        self.ema_decay = None if ema_decay is None else check_float(ema_decay, "ema_decay", minimum=0.0,
                                                                     maximum=1.0, inclusive=False)
        if not isinstance(track_gradient_norm, bool):
            raise TypeError(f"track_gradient_norm must be True or False, got {type(track_gradient_norm).__name__}")
        self.track_gradient_norm = track_gradient_norm
        self.generator = generator
        self.discriminator = discriminator
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_accuracy_tracker = keras.metrics.Mean(name="d_accuracy_real")
        self.fake_accuracy_tracker = keras.metrics.Mean(name="d_accuracy_fake")
        self.gradient_norm_tracker = keras.metrics.Mean(name="g_gradient_norm") if track_gradient_norm else None
        self.built = True  # the two networks are built; nothing to infer from data

    @property
    def metrics(self):
        # Listed here so Keras resets them at the start of every epoch.
        trackers = [self.d_loss_tracker, self.g_loss_tracker, self.real_accuracy_tracker, self.fake_accuracy_tracker]
        return trackers + ([self.gradient_norm_tracker] if self.gradient_norm_tracker is not None else [])

    @property
    def sampling_generator(self) -> keras.Model:
        """The network to draw images with: the weight average when ``ema_decay`` is set."""
        return self.generator if self.ema_generator is None else self.ema_generator

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        """One optimizer per network: D and G are trained on different losses."""
        for argument, value in (("d_optimizer", d_optimizer), ("g_optimizer", g_optimizer)):
            if not isinstance(value, keras.optimizers.Optimizer):
                raise TypeError(f"{argument} must be a keras optimizer, got {type(value).__name__}")
        if d_optimizer is g_optimizer:
            raise ValueError("d_optimizer and g_optimizer must be two different optimizer objects")
        if self.ema_decay is not None and tf.distribute.has_strategy():
            raise ValueError("ema_decay is not supported under a distribution strategy; pass ema_decay=None")
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Create the optimizers' variables now (under the strategy scope, if any), not in
        # the middle of a distributed training step, where that is not allowed.
        build_optimizers(self)

    def call(self, noise, training=False):
        return self.sampling_generator(noise, training=training)

    # ------------------------------------------------------------------ hooks
    def unpack(self, data):
        """A batch from the dataset -> (real images, conditions); no conditions here."""
        return data, None

    def generate(self, noise, conditions, training=False):
        return self.generator(noise, training=training)

    def discriminate(self, images, conditions, training=False):
        return self.discriminator(images, training=training)

    def discriminator_objective(self, real_images, conditions, real_logits, fake_logits):
        """D's per-example loss: real images -> real, generated images -> fake."""
        return (losses.real_term(real_logits, loss=self.loss_kind, label_smoothing=self.label_smoothing)
                + losses.fake_term(fake_logits, loss=self.loss_kind))

    # ------------------------------------------------------------------ the step
    def judge(self, images, conditions, salt: int):
        """D's logits for ``images`` after the augmentation (if any); ``salt`` tells apart
        the draws of one step (real, generated for D, generated for G, ...)."""
        if self.augment_policy:
            step = tf.cast(self.g_optimizer.iterations, "int64")
            key = tf.stack([tf.constant(self.seed + 2, "int64"), step * 16 + salt])
            images = augmentation.augment(images, self.augment_policy, self._replica_key(key))
        return self.discriminate(images, conditions, training=True)

    def train_step(self, data):
        real_images, conditions = self.unpack(data)
        noise = self.sample_noise(tf.shape(real_images)[0])

        # 1. Discriminator: real images -> real, generated images -> fake.
        with tf.GradientTape() as tape:
            fake_images = self.generate(noise, conditions, training=True)
            real_logits = self.judge(real_images, conditions, salt=0)
            fake_logits = self.judge(fake_images, conditions, salt=1)
            d_loss = losses.average_over_global_batch(
                self.discriminator_objective(real_images, conditions, real_logits, fake_logits))
        d_gradients = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(d_gradients, self.discriminator.trainable_weights))

        # 2. Generator: make the (just updated) D call its images real.
        with tf.GradientTape() as tape:
            fake_images = self.generate(noise, conditions, training=True)
            fake_logits_for_g = self.judge(fake_images, conditions, salt=2)
            g_loss = losses.average_over_global_batch(
                losses.generator_loss(fake_logits_for_g, self.generator_loss_kind, loss=self.loss_kind))
        g_gradients = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(g_gradients, self.generator.trainable_weights))
        self.update_average()

        # 3. Monitoring (per replica means; Keras averages them across replicas).
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        self.d_loss_tracker.update_state(d_loss * replicas)
        self.g_loss_tracker.update_state(g_loss * replicas)
        self.real_accuracy_tracker.update_state(ops.mean(ops.cast(real_logits > 0, "float32")))
        self.fake_accuracy_tracker.update_state(ops.mean(ops.cast(fake_logits < 0, "float32")))
        if self.gradient_norm_tracker is not None:  # this replica's gradient, before they are added
            self.gradient_norm_tracker.update_state(tf.linalg.global_norm(g_gradients))
        return {metric.name: metric.result() for metric in self.metrics}

    def update_average(self):
        """One step of the weight average (BatchNorm statistics are copied, not averaged)."""
        if self.ema_generator is None:
            return
        step = tf.cast(self.g_optimizer.iterations, "float32")
        decay = tf.minimum(tf.constant(self.ema_decay, "float32"), (1.0 + step) / (10.0 + step))
        for average, live in zip(self.ema_generator.trainable_weights, self.generator.trainable_weights):
            average.assign(decay * average + (1.0 - decay) * live)
        for average, live in zip(self.ema_generator.non_trainable_weights, self.generator.non_trainable_weights):
            average.assign(live)

    def sample_noise(self, batch_size):
        """Standard normal noise for this replica's share of the batch.

        The noise of the whole (global) batch is drawn from a stateless generator keyed by
        ``(seed, training step)`` and each replica takes its slice: the same step gives the
        same noise after a restart, on one device or on several.
        """
        step = tf.cast(self.g_optimizer.iterations, "int64")
        key = tf.stack([tf.constant(self.seed, "int64"), step])
        return self._replica_slice(
            lambda global_batch: tf.random.stateless_normal((global_batch, self.latent_dim), seed=key), batch_size)

    def _replica_slice(self, draw, batch_size):
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync if context is not None else 1
        replica = context.replica_id_in_sync_group if context is not None else 0
        return draw(batch_size * replicas)[batch_size * replica: batch_size * (replica + 1)]

    def _replica_key(self, key):
        context = tf.distribute.get_replica_context()
        replica = context.replica_id_in_sync_group if context is not None else 0
        return key + tf.stack([tf.constant(0, "int64"), tf.cast(replica, "int64") * 1_000_003])


class ConditionalGAN(GAN):
    """A GAN whose generator and discriminator also take the class label.

    ``fit()`` takes batches ``(images in [-1, 1], integer labels)``; the generated images of
    every D batch are asked for the same digits as the real ones. D also sees every real
    image with a WRONG label and must call that pair fake (the "matching-aware"
    discriminator of Reed et al., 2016): without it, D can judge realism alone, and G is
    free to ignore the label. ``negative_terms`` says how D's two "fake" terms (generated
    images, real images with wrong labels) are combined: ``"sum"`` or ``"average"`` (Reed
    et al.'s weighting, 1/2 each). ``call([noise, labels])`` draws the requested digits.
    Reports ``d_accuracy_wrong_label`` too: the share of mismatched pairs D rejects.
    """

    def __init__(self, generator, discriminator, latent_dim: int, *, num_classes: int = NUM_CLASSES,
                 negative_terms: str = "sum", **kwargs):
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        self.num_classes = check_int(num_classes, "num_classes", minimum=2)
        self.negative_terms = check_choice(negative_terms, "negative_terms", NEGATIVE_TERMS)
        self.mismatch_accuracy_tracker = keras.metrics.Mean(name="d_accuracy_wrong_label")

    @property
    def metrics(self):
        return super().metrics + [self.mismatch_accuracy_tracker]

    def unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise ValueError("a ConditionalGAN trains on batches (images, labels); see make_dataset(images, labels)")
        images, labels = data
        return images, tf.cast(labels, "int32")

    def generate(self, noise, conditions, training=False):
        return self.generator([noise, conditions], training=training)

    def discriminate(self, images, conditions, training=False):
        return self.discriminator([images, conditions], training=training)

    def discriminator_objective(self, real_images, labels, real_logits, fake_logits):
        """Adds the wrong-label term: (real image, wrong label) -> fake."""
        mismatch_logits = self.judge(real_images, self.wrong_labels(labels), salt=3)
        self.mismatch_accuracy_tracker.update_state(ops.mean(ops.cast(mismatch_logits < 0, "float32")))
        negatives = losses.fake_term(fake_logits, loss=self.loss_kind) + losses.fake_term(mismatch_logits,
                                                                                          loss=self.loss_kind)
        if self.negative_terms == "average":
            negatives = negatives / 2.0
        return losses.real_term(real_logits, loss=self.loss_kind, label_smoothing=self.label_smoothing) + negatives

    def wrong_labels(self, labels):
        """Each label shifted by a random 1..num_classes-1 (never the true one), drawn like
        the noise: keyed by (seed, step), the replica's slice of a global draw."""
        key = tf.stack([tf.constant(self.seed + 1, "int64"), tf.cast(self.g_optimizer.iterations, "int64")])
        shifts = self._replica_slice(
            lambda global_batch: tf.random.stateless_uniform((global_batch,), seed=key, minval=1,
                                                             maxval=self.num_classes, dtype="int32"),
            tf.shape(labels)[0])
        return (labels + shifts) % self.num_classes


def make_gan(kind: str = "dcgan", *, latent_dim: int = 64, seed: int = 0, d_learning_rate: float = 2e-4,
             g_learning_rate: float = 2e-4, generator_loss: str = "non-saturating", loss: str = "bce",
             label_smoothing: float = 0.0, augment=(), ema_decay: float | None = None,
             spectral_norm: bool = False, minibatch_std: bool = False, negative_terms: str = "sum",
             track_gradient_norm: bool = False) -> GAN:
    """Build and compile the lesson's GAN: fresh networks initialised from ``seed``, Adam
    with ``beta_1=0.5`` (the DCGAN paper's setting) for each network. The other options
    are :class:`GAN`'s (and ``negative_terms`` :class:`ConditionalGAN`'s);
    ``spectral_norm`` and ``minibatch_std`` go to the discriminator's builder."""
    check_choice(kind, "kind", KINDS)
    latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
    seed = check_int(seed, "seed", minimum=0, maximum=2**31 - 1)
    d_learning_rate = check_float(d_learning_rate, "d_learning_rate", minimum=0.0, maximum=1.0, inclusive=False)
    g_learning_rate = check_float(g_learning_rate, "g_learning_rate", minimum=0.0, maximum=1.0, inclusive=False)
    options = dict(seed=seed, generator_loss=generator_loss, loss=loss, label_smoothing=label_smoothing,
                   augment=augment, ema_decay=ema_decay, track_gradient_norm=track_gradient_norm)
    keras.utils.set_random_seed(seed)  # the initial weights depend on the seed alone
    if kind == "dcgan":
        if negative_terms != "sum":
            raise ValueError('negative_terms is a conditional GAN option; leave it "sum" for kind="dcgan"')
        gan = GAN(build_generator(latent_dim), build_discriminator(spectral_norm=spectral_norm, minibatch_std=minibatch_std), latent_dim,
                  name="dcgan", **options)
    else:
        gan = ConditionalGAN(build_conditional_generator(latent_dim),
                             build_conditional_discriminator(spectral_norm=spectral_norm, minibatch_std=minibatch_std), latent_dim,
                             negative_terms=negative_terms, name="cgan", **options)
    gan.compile(d_optimizer=keras.optimizers.Adam(d_learning_rate, beta_1=0.5),
                g_optimizer=keras.optimizers.Adam(g_learning_rate, beta_1=0.5))
    return gan


def build_optimizers(gan):
    """Create both optimizers' variables now (a checkpoint needs them before the first step)."""
    if not gan.d_optimizer.built:
        gan.d_optimizer.build(gan.discriminator.trainable_weights)
    if not gan.g_optimizer.built:
        gan.g_optimizer.build(gan.generator.trainable_weights)


def check_gan(gan):
    """``TypeError``/``ValueError`` unless ``gan`` is a compiled :class:`GAN`."""
    if not isinstance(gan, GAN):
        raise TypeError(f"gan must be a course_utils.gan.GAN, got {type(gan).__name__}")
    if not hasattr(gan, "d_optimizer"):
        raise ValueError("gan must be compiled (gan.compile(d_optimizer=..., g_optimizer=...)) first")


def train(gan: GAN, images, labels=None, *, epochs: int, batch_size: int = 64, seed: int = 0,
          callbacks=None, initial_epoch: int = 0, verbose: int = 0):
    """``gan.fit`` on :func:`~course_utils.gan.stream.make_dataset` batches; returns the
    Keras ``History``. ``images`` are in [-1, 1]; pass ``initial_epoch`` (from
    :func:`~course_utils.gan.checkpoints.restore_latest`) to resume."""
    from course_utils.gan.stream import make_dataset, steps_per_epoch

    check_gan(gan)
    epochs = check_int(epochs, "epochs", minimum=1)
    initial_epoch = check_int(initial_epoch, "initial_epoch", minimum=0, maximum=epochs)
    dataset = make_dataset(images, labels, batch_size=batch_size, seed=seed, start_epoch=initial_epoch)
    return gan.fit(dataset, epochs=epochs, initial_epoch=initial_epoch, callbacks=callbacks or [],
                   steps_per_epoch=steps_per_epoch(len(images), batch_size), shuffle=False, verbose=verbose)
