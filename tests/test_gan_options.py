"""Unit tests of the GAN options lesson 9 compares (hinge loss, one-sided label smoothing,
differentiable augmentation, weight average, spectral norm, Reed et al.'s weighting) and
of the code-space helpers (course_utils.gan.latent)."""

import numpy as np
import pytest

import course_utils as cu
from course_utils import gan as G
from course_utils.gan import augmentation, losses

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


@pytest.fixture(scope="module")
def tiny_images():
    data = cu.data.load_mnist("offline", seed=0)
    return data.x_train[:96] * 2 - 1, data.y_train[:96]


# ---------------------------------------------------------------------------- losses


def test_hinge_losses_match_their_formulas():
    real = np.array([[2.0], [0.5], [-1.0]], "float32")
    fake = np.array([[-2.0], [0.0], [1.5]], "float32")
    expected_d = np.maximum(0, 1 - real[:, 0]) + np.maximum(0, 1 + fake[:, 0])
    np.testing.assert_allclose(losses.discriminator_loss(real, fake, loss="hinge"), expected_d, rtol=1e-6)
    np.testing.assert_allclose(losses.generator_loss(fake, loss="hinge"), -fake[:, 0], rtol=1e-6)
    with pytest.raises(ValueError, match="non-saturating"):
        losses.generator_loss(fake, "saturating", loss="hinge")


def test_one_sided_label_smoothing_changes_only_the_real_target():
    logits = np.array([[1.3], [-0.4]], "float32")
    probability = 1 / (1 + np.exp(-logits[:, 0]))
    smoothed = -(0.9 * np.log(probability) + 0.1 * np.log(1 - probability))
    np.testing.assert_allclose(losses.real_term(logits, label_smoothing=0.1), smoothed, rtol=1e-5)
    # generated images keep target 0 whatever the smoothing
    np.testing.assert_allclose(losses.fake_term(logits), -np.log(1 - probability), rtol=1e-5)
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.real_term(logits, label_smoothing=0.7)


# ---------------------------------------------------------------------- augmentation


def test_translation_shifts_content_and_fills_with_background():
    image = -np.ones((1, 28, 28, 1), "float32")
    image[0, 10:14, 10:14, 0] = 1.0
    seed = tf.constant([3, 4], "int64")
    shifted = augmentation.translate(tf.constant(image), seed, 3).numpy()
    assert shifted.shape == image.shape
    assert np.isclose(shifted.sum(), image.sum())  # the square moved whole, background filled in
    rows, columns = np.nonzero(shifted[0, :, :, 0] > 0)
    assert abs(rows.min() - 10) <= 3 and abs(columns.min() - 10) <= 3
    again = augmentation.translate(tf.constant(image), seed, 3).numpy()
    np.testing.assert_array_equal(shifted, again)  # stateless: same seed, same shift


def test_cutout_blanks_a_quarter_square_and_lets_gradients_through():
    images = tf.ones((8, 28, 28, 1))
    with tf.GradientTape() as tape:
        tape.watch(images)
        out = augmentation.cutout(images, tf.constant([1, 2], "int64"))
        total = tf.reduce_sum(out)
    blanked = (out.numpy() < 0).reshape(8, -1).sum(axis=1)
    assert np.all(blanked > 0) and np.all(blanked <= 14 * 14)
    gradient = tape.gradient(total, images).numpy()
    assert set(np.unique(gradient)) <= {0.0, 1.0} and gradient.sum() > 0


@pytest.mark.parametrize("policy, error", [("rotation", ValueError), (5, TypeError), (["cutout", 3], TypeError)])
def test_augment_rejects_unknown_policies(policy, error):
    with pytest.raises(error, match="policy"):
        augmentation.check_policy(policy)


def test_augmentation_is_applied_to_real_and_generated_images(tiny_images, monkeypatch):
    seen = []
    original = augmentation.augment

    def spy(images, policy, seed, **kwargs):
        seen.append(policy)
        return original(images, policy, seed, **kwargs)

    monkeypatch.setattr(augmentation, "augment", spy)
    gan = G.make_gan("dcgan", latent_dim=8, seed=0, augment=("translation", "cutout"))
    gan.train_step(tf.constant(tiny_images[0][:16]))  # eager: every call is seen
    assert len(seen) == 3  # real and generated for D, generated for G
    assert all(policy == ("translation", "cutout") for policy in seen)


# ------------------------------------------------------------------------- the GAN


def test_weight_average_follows_the_generator_and_is_sampled_from(tiny_images):
    gan = G.make_gan("dcgan", latent_dim=8, seed=0, ema_decay=0.9)
    start = [w.numpy() for w in gan.ema_generator.trainable_weights]
    G.train(gan, tiny_images[0], epochs=2, batch_size=32)
    average = [w.numpy() for w in gan.ema_generator.trainable_weights]
    live = [w.numpy() for w in gan.generator.trainable_weights]
    assert gan.sampling_generator is gan.ema_generator
    assert any(not np.allclose(a, s) for a, s in zip(average, start))  # it moved...
    assert any(not np.allclose(a, b) for a, b in zip(average, live))  # ...but is not the live weights
    for a, b in zip(gan.ema_generator.non_trainable_weights, gan.generator.non_trainable_weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())  # BatchNorm statistics are copied


def test_without_average_the_generator_is_sampled_from():
    gan = G.make_gan("dcgan", latent_dim=8, seed=0)
    assert gan.ema_generator is None and gan.sampling_generator is gan.generator


def test_spectral_norm_wraps_every_weight_layer_of_d():
    discriminator = G.build_discriminator(spectral_norm=True)
    wrapped = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrapped) == 3
    assert discriminator(np.zeros((2, 28, 28, 1), "float32")).shape == (2, 1)
    with pytest.raises(TypeError, match="spectral_norm"):
        G.build_discriminator(spectral_norm="yes")


def test_reed_weighting_halves_the_two_negative_terms(tiny_images):
    images, labels = tiny_images[0][:16], tiny_images[1][:16]
    values = {}
    for negative_terms in ("sum", "average"):
        gan = G.make_gan("cgan", latent_dim=8, seed=0, negative_terms=negative_terms)
        real_logits = gan.discriminate(tf.constant(images), tf.constant(labels, "int32"))
        fake_logits = tf.zeros_like(real_logits)
        per_example = gan.discriminator_objective(tf.constant(images), tf.constant(labels, "int32"),
                                                  real_logits, fake_logits).numpy()
        values[negative_terms] = (per_example, losses.real_term(real_logits).numpy())
    sum_negatives = values["sum"][0] - values["sum"][1]
    average_negatives = values["average"][0] - values["average"][1]
    np.testing.assert_allclose(average_negatives, sum_negatives / 2, rtol=1e-5)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(loss="wasserstein"), ValueError, "loss"),
    (dict(label_smoothing=0.9), ValueError, "label_smoothing"),
    (dict(augment=("flip",)), ValueError, "policy"),
    (dict(ema_decay=1.5), ValueError, "ema_decay"),
    (dict(negative_terms="average"), ValueError, "negative_terms"),
    (dict(loss="hinge", generator_loss="saturating"), ValueError, "generator_loss"),
])
def test_make_gan_rejects_bad_options(kwargs, error, name):
    with pytest.raises(error, match=name):
        G.make_gan("dcgan", latent_dim=8, **kwargs)


@pytest.mark.parametrize("options", [dict(loss="hinge"), dict(label_smoothing=0.1),
                                     dict(augment=("translation",), spectral_norm=True)])
def test_every_option_trains_both_networks(tiny_images, options):
    gan = G.make_gan("cgan", latent_dim=8, seed=1, **options)
    before_g, before_d = weights_of(gan.generator), weights_of(gan.discriminator)
    history = G.train(gan, tiny_images[0], tiny_images[1], epochs=1, batch_size=32)
    assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])
    assert any(not np.allclose(a, b) for a, b in zip(before_g, weights_of(gan.generator)))
    assert any(not np.allclose(a, b) for a, b in zip(before_d, weights_of(gan.discriminator)))


def tiny_dense_gan(track_gradient_norm):
    """A GAN of two small dense networks (no BatchNorm), G frozen by a zero learning rate."""
    keras.utils.set_random_seed(3)
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="relu"),
                                  keras.layers.Dense(8, activation="tanh")])
    discriminator = keras.Sequential([keras.Input((8,)), keras.layers.Dense(5, activation="relu"),
                                      keras.layers.Dense(1)])
    gan = G.GAN(generator, discriminator, 4, seed=7, track_gradient_norm=track_gradient_norm)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.0))
    return gan


def test_generator_gradient_norm_is_the_global_norm_of_g_gradients():
    gan = tiny_dense_gan(track_gradient_norm=True)
    real = np.random.default_rng(0).uniform(-1, 1, size=(10, 8)).astype("float32")
    reported = float(gan.train_step(tf.constant(real))["g_gradient_norm"])
    # By hand: the step's noise (key: seed, step 0), D after its update, G unchanged (rate 0).
    noise = tf.random.stateless_normal((10, 4), seed=tf.constant([7, 0], "int64"))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(losses.generator_loss(gan.discriminator(gan.generator(noise)))) / 10
    gradients = tape.gradient(loss, gan.generator.trainable_weights)
    by_hand = np.sqrt(sum(float(np.sum(g.numpy().astype("float64") ** 2)) for g in gradients))
    assert reported > 0
    np.testing.assert_allclose(reported, by_hand, rtol=1e-5)


def test_generator_gradient_norm_is_off_by_default_and_reported_by_make_gan(tiny_images):
    names = [metric.name for metric in tiny_dense_gan(track_gradient_norm=False).metrics]
    assert "g_gradient_norm" not in names
    history = G.train(G.make_gan("dcgan", latent_dim=8, seed=0), tiny_images[0][:32], epochs=1, batch_size=32)
    assert "g_gradient_norm" not in history.history
    gan = G.make_gan("dcgan", latent_dim=8, seed=0, track_gradient_norm=True)
    history = G.train(gan, tiny_images[0][:32], epochs=1, batch_size=32)
    assert history.history["g_gradient_norm"][0] > 0
    with pytest.raises(TypeError, match="track_gradient_norm"):
        G.make_gan("dcgan", latent_dim=8, track_gradient_norm="yes")


def weights_of(model):
    return [w.numpy() for w in model.trainable_weights]


# ------------------------------------------------------------------------ code space


def test_slerp_keeps_the_length_and_lerp_shortens_it():
    rng = np.random.default_rng(0)
    z0, z1 = rng.normal(size=(2, 64))
    np.testing.assert_allclose(G.slerp(z0, z1, 0.0), z0)
    np.testing.assert_allclose(G.slerp(z0, z1, 1.0), z1, atol=1e-12)
    middle = G.slerp(z0, z1, 0.5)
    assert abs(np.linalg.norm(middle) - np.sqrt(np.linalg.norm(z0) * np.linalg.norm(z1))) < 1.0
    assert np.linalg.norm(G.lerp(z0, z1, 0.5)) < 0.8 * np.linalg.norm(middle)


def test_slerp_of_parallel_codes_is_the_line():
    z0 = np.arange(1.0, 5.0)
    np.testing.assert_allclose(G.slerp(z0, 2 * z0, 0.5), 1.5 * z0)
    assert np.all(np.isfinite(G.slerp(z0, z0, 0.3)))
    with pytest.raises(ValueError, match="non-zero"):
        G.slerp(np.zeros(4), z0, 0.5)
    with pytest.raises(ValueError, match="same length"):
        G.slerp(z0, np.ones(3), 0.5)


def test_project_to_sphere_and_generate():
    codes = G.project_to_sphere(np.random.default_rng(1).normal(size=(5, 8)) * 3)
    np.testing.assert_allclose(np.linalg.norm(codes, axis=1), np.sqrt(8), rtol=1e-5)
    images = G.generate(G.build_generator(8), codes, batch_size=2)
    assert images.shape == (5, 28, 28, 1) and images.min() >= 0 and images.max() <= 1
    conditional = G.build_conditional_generator(8)
    assert G.generate(conditional, codes, np.arange(5)).shape == (5, 28, 28, 1)
    with pytest.raises(ValueError, match="labels"):
        G.generate(conditional, codes)
    with pytest.raises(ValueError, match="non-zero"):
        G.project_to_sphere(np.zeros((2, 8)))


def test_minibatch_std_sees_a_batch_of_copies():
    layer = G.networks.MinibatchStdDev()
    varied = np.random.default_rng(0).normal(size=(8, 7, 7, 4)).astype("float32")
    copies = np.repeat(varied[:1], 8, axis=0)
    varied_out, copies_out = np.asarray(layer(varied)), np.asarray(layer(copies))
    assert varied_out.shape == (8, 7, 7, 5)
    np.testing.assert_array_equal(varied_out[..., :4], varied)  # the features pass unchanged
    assert varied_out[..., 4].min() > 0.5 and np.allclose(copies_out[..., 4], 0.0, atol=1e-3)
    discriminator = G.build_conditional_discriminator(minibatch_std=True)
    assert discriminator([np.zeros((3, 28, 28, 1), "float32"), np.arange(3)]).shape == (3, 1)
    with pytest.raises(TypeError, match="minibatch_std"):
        G.build_discriminator(minibatch_std=1)


def test_minibatch_std_has_finite_gradients_on_a_batch_of_copies():
    # the recipe search's minibatch_std run ended with every generated pixel NaN: the square
    # root of a zero variance has an infinite gradient
    layer = G.networks.MinibatchStdDev()
    copies = tf.Variable(np.ones((4, 3, 3, 2), "float32"))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(layer(copies))
    gradient = tape.gradient(total, copies).numpy()
    assert np.all(np.isfinite(gradient))
