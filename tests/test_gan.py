"""Unit tests of course_utils.gan: shapes, losses, the training step, data, callbacks,
checkpoints (atomic, with fallback to an intact one) and resume. Tiny data and few steps
keep them fast."""

from pathlib import Path

import numpy as np
import pytest

import course_utils as cu
from course_utils import gan as G

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


@pytest.fixture(scope="module")
def tiny_images():
    data = cu.data.load_mnist("offline", seed=0)
    return data.x_train[:96] * 2 - 1, data.y_train[:96]


def weights_of(model):
    return [w.numpy() for w in model.weights]


# ------------------------------------------------------------------------- builders


def test_generator_shapes_and_range():
    generator = G.build_generator(8)
    images = generator(np.random.default_rng(0).normal(size=(5, 8)).astype("float32"), training=False)
    assert images.shape == (5, 28, 28, 1)
    assert float(np.min(images)) >= -1 and float(np.max(images)) <= 1
    assert generator.inputs[0].shape[-1] == 8
    assert generator.name == "generator"
    assert generator.layers[-1].activation.__name__ == "tanh"


def test_discriminator_outputs_one_logit_without_sigmoid():
    discriminator = G.build_discriminator()
    logits = discriminator(np.ones((3, 28, 28, 1), "float32") * 5)
    assert logits.shape == (3, 1)
    assert discriminator.layers[-1].activation.__name__ == "linear"


def test_conditional_models_take_labels():
    generator = G.build_conditional_generator(8, 10)
    discriminator = G.build_conditional_discriminator(10)
    noise = np.zeros((4, 8), "float32")
    labels = np.array([0, 3, 9, 1])
    images = generator([noise, labels], training=False)
    assert images.shape == (4, 28, 28, 1)
    assert discriminator([np.array(images), labels]).shape == (4, 1)
    # the label changes the image for the same noise
    other = generator([noise, np.array([5, 5, 5, 5])], training=False)
    assert not np.allclose(images, other)


@pytest.mark.parametrize("builder, kwargs, error", [
    (G.build_generator, {"latent_dim": 0}, ValueError),
    (G.build_generator, {"latent_dim": 2.5}, TypeError),
    (G.build_generator, {"name": ""}, TypeError),
    (G.build_discriminator, {"name": 3}, TypeError),
    (G.build_conditional_generator, {"num_classes": 1}, ValueError),
    (G.build_conditional_discriminator, {"num_classes": "ten"}, TypeError),
])
def test_builders_reject_bad_arguments(builder, kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        builder(**kwargs)


# --------------------------------------------------------------------------- losses


def test_losses_match_their_formulas():
    real = np.array([[2.0], [-1.0], [0.0]], "float32")
    fake = np.array([[-3.0], [0.5], [1.0]], "float32")
    softplus = lambda x: np.log1p(np.exp(x))  # noqa: E731
    d = np.array(G.discriminator_loss(real, fake))
    np.testing.assert_allclose(d, softplus(-real[:, 0]) + softplus(fake[:, 0]), rtol=1e-5)
    np.testing.assert_allclose(np.array(G.generator_loss(fake)), softplus(-fake[:, 0]), rtol=1e-5)
    np.testing.assert_allclose(np.array(G.generator_loss(fake, "saturating")), -softplus(fake[:, 0]), rtol=1e-5)
    with pytest.raises(ValueError, match="kind"):
        G.generator_loss(fake, "minimax")


def test_saturating_gradient_vanishes_when_d_rejects_fakes():
    logits = tf.constant([[-8.0]])
    gradients = {}
    for kind in G.GENERATOR_LOSSES:
        with tf.GradientTape() as tape:
            tape.watch(logits)
            loss = G.generator_loss(logits, kind)
        gradients[kind] = abs(float(tape.gradient(loss, logits)[0, 0]))
    assert gradients["saturating"] < 1e-3 < 0.99 < gradients["non-saturating"]


def test_average_over_global_batch_is_the_mean_on_one_device():
    assert float(G.average_over_global_batch(tf.constant([1.0, 2.0, 6.0]))) == pytest.approx(3.0)


# ----------------------------------------------------------------------- GAN model


def test_gan_rejects_bad_arguments():
    generator, discriminator = G.build_generator(4), G.build_discriminator()
    with pytest.raises(TypeError, match="generator"):
        G.GAN("g", discriminator, 4)
    with pytest.raises(TypeError, match="discriminator"):
        G.GAN(generator, None, 4)
    with pytest.raises(ValueError, match="latent_dim"):
        G.GAN(generator, discriminator, 0)
    with pytest.raises(ValueError, match="generator_loss"):
        G.GAN(generator, discriminator, 4, generator_loss="wasserstein")
    gan = G.GAN(generator, discriminator, 4)
    with pytest.raises(TypeError, match="d_optimizer"):
        gan.compile(d_optimizer="adam", g_optimizer=keras.optimizers.Adam())
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="different"):
        gan.compile(d_optimizer=optimizer, g_optimizer=optimizer)


def test_fit_reports_the_four_metrics_and_trains_both_networks(tiny_images):
    images, _ = tiny_images
    gan = G.make_gan("dcgan", latent_dim=8, seed=0)
    g_before, d_before = weights_of(gan.generator), weights_of(gan.discriminator)
    history = G.train(gan, images, epochs=2, batch_size=32, seed=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_accuracy_real", "d_accuracy_fake"}
    assert all(len(values) == 2 for values in history.history.values())
    for name in ("d_accuracy_real", "d_accuracy_fake"):
        assert all(0 <= value <= 1 for value in history.history[name])
    assert all(np.isfinite(history.history["d_loss"]))
    assert int(gan.g_optimizer.iterations) == int(gan.d_optimizer.iterations) == 2 * 3
    assert not any(np.allclose(a, b) for a, b in zip(g_before[:1], weights_of(gan.generator)[:1]))
    assert not np.allclose(d_before[0], weights_of(gan.discriminator)[0])


def test_train_step_metrics_match_a_hand_computation(tiny_images):
    images, _ = tiny_images
    gan = G.make_gan("dcgan", latent_dim=8, seed=3)
    batch = tf.constant(images[:16])
    noise = gan.sample_noise(16)  # the step-0 noise train_step will draw
    fake = gan.generator(noise, training=True)
    real_logits = np.array(gan.discriminator(batch)).ravel()
    fake_logits = np.array(gan.discriminator(fake)).ravel()
    logs = gan.train_step(batch)
    assert float(logs["d_accuracy_real"]) == pytest.approx(np.mean(real_logits > 0))
    assert float(logs["d_accuracy_fake"]) == pytest.approx(np.mean(fake_logits < 0))
    expected = np.mean(np.log1p(np.exp(-real_logits)) + np.log1p(np.exp(fake_logits)))
    assert float(logs["d_loss"]) == pytest.approx(expected, rel=1e-4)


def test_noise_depends_on_seed_and_step_only():
    gan = G.make_gan("dcgan", latent_dim=4, seed=1)
    first, again = np.array(gan.sample_noise(5)), np.array(gan.sample_noise(5))
    np.testing.assert_array_equal(first, again)
    gan.g_optimizer.iterations.assign(7)
    assert not np.allclose(first, np.array(gan.sample_noise(5)))
    other = G.make_gan("dcgan", latent_dim=4, seed=2)
    assert not np.allclose(first, np.array(other.sample_noise(5)))


def test_conditional_gan_trains_on_images_and_labels(tiny_images):
    images, labels = tiny_images
    gan = G.make_gan("cgan", latent_dim=8, seed=0)
    history = G.train(gan, images, labels, epochs=1, batch_size=32, seed=0)
    assert np.isfinite(history.history["g_loss"][0])
    assert set(history.history) == {"d_loss", "g_loss", "d_accuracy_real", "d_accuracy_fake", "d_accuracy_wrong_label"}
    assert 0 <= history.history["d_accuracy_wrong_label"][0] <= 1
    generated = gan([np.zeros((2, 8), "float32"), np.array([1, 7])])
    assert generated.shape == (2, 28, 28, 1)
    with pytest.raises(ValueError, match="labels"):
        gan.unpack(tf.constant(images[:4]))


def test_wrong_labels_are_never_the_true_ones():
    gan = G.make_gan("cgan", latent_dim=4, seed=0)
    labels = tf.constant(np.arange(200) % 10, "int32")
    wrong = gan.wrong_labels(labels).numpy()
    assert wrong.min() >= 0 and wrong.max() <= 9
    assert not np.any(wrong == labels.numpy())
    assert len(set((wrong - labels.numpy()) % 10)) == 9  # every other class is used
    np.testing.assert_array_equal(wrong, gan.wrong_labels(labels).numpy())  # keyed by seed and step


def test_training_is_repeatable(tiny_images):
    images, _ = tiny_images
    runs = []
    for _ in range(2):
        gan = G.make_gan("dcgan", latent_dim=8, seed=5)
        G.train(gan, images, epochs=1, batch_size=32, seed=5)
        runs.append(weights_of(gan.generator))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------- data


def test_make_dataset_shuffles_each_epoch_from_seed_and_epoch_alone():
    images = (np.arange(10, dtype="float32").reshape(10, 1, 1, 1) * np.ones((1, 28, 28, 1), "float32")) / 10
    ids = lambda batch: [int(round(v * 10)) for v in np.array(batch)[:, 0, 0, 0]]  # noqa: E731
    stream = iter(G.make_dataset(images, batch_size=3, seed=0))
    epochs = [[ids(next(stream)) for _ in range(3)] for _ in range(3)]  # 3 batches of 3 = one epoch
    assert all(len(set(sum(epoch, []))) == 9 for epoch in epochs)  # no repeats within an epoch
    assert epochs[0] != epochs[1]
    resumed = iter(G.make_dataset(images, batch_size=3, seed=0, start_epoch=2))
    assert [ids(next(resumed)) for _ in range(3)] == epochs[2]
    assert G.steps_per_epoch(10, 3) == 3


def test_make_dataset_pairs_images_with_labels():
    images = np.linspace(-1, 1, 20, dtype="float32")[:, None, None, None] * np.ones((1, 28, 28, 1), "float32")
    labels = np.arange(20) % 10
    batch_images, batch_labels = next(iter(G.make_dataset(images, labels, batch_size=5, seed=1)))
    positions = [int(np.argmin(np.abs(images[:, 0, 0, 0] - v))) for v in np.array(batch_images)[:, 0, 0, 0]]
    np.testing.assert_array_equal(np.array(batch_labels), labels[positions])


@pytest.mark.parametrize("kwargs, error, name", [
    ({"images": np.zeros((4, 28, 28, 1)) + 2}, ValueError, "images"),
    ({"images": np.zeros((4, 28, 28, 3))}, ValueError, "images"),
    ({"labels": np.arange(3)}, ValueError, "labels"),
    ({"labels": np.full(4, 10)}, ValueError, "labels"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 5}, ValueError, "batch_size"),
    ({"seed": -1}, ValueError, "seed"),
    ({"start_epoch": 1.0}, TypeError, "start_epoch"),
])
def test_make_dataset_rejects_bad_arguments(kwargs, error, name):
    arguments = {"images": np.zeros((4, 28, 28, 1)), "batch_size": 2, **kwargs}
    with pytest.raises(error, match=name):
        G.make_dataset(**arguments)


def test_to_unit_range():
    np.testing.assert_allclose(G.to_unit_range(np.array([-1.0, 0.0, 1.0, 1.5])), [0.0, 0.5, 1.0, 1.0])


# ----------------------------------------------------------------------- callbacks


def test_sample_grid_keeps_one_frame_per_epoch_from_fixed_noise(tiny_images):
    images, labels = tiny_images
    gan = G.make_gan("cgan", latent_dim=8, seed=0)
    noise = np.random.default_rng(0).normal(size=(6, 8))
    grid = G.SampleGrid(noise, labels=np.arange(6))
    before = grid.sample(gan.generator)
    G.train(gan, images, labels, epochs=2, batch_size=32, seed=0, callbacks=[grid])
    assert grid.epochs == [1, 2]
    assert [frame.shape for frame in grid.frames] == [(6, 28, 28, 1)] * 2
    assert all(frame.min() >= 0 and frame.max() <= 1 for frame in grid.frames)
    np.testing.assert_allclose(grid.frames[-1], grid.sample(gan.generator), atol=1e-6)  # same noise each time
    assert not np.allclose(before, grid.frames[-1])
    with pytest.raises(ValueError, match="noise"):
        G.SampleGrid(np.zeros(8))
    with pytest.raises(ValueError, match="labels"):
        G.SampleGrid(noise, labels=np.arange(5))


def test_image_grid_and_gif():
    frames = [np.full((3, 28, 28, 1), value, "float32") for value in (0.0, 1.0)]
    grid = G.image_grid(frames[1], n_columns=2, padding=1)
    assert grid.shape == (2 * 29 + 1, 2 * 29 + 1)
    assert grid[1, 1] == 1.0 and grid[0, 0] == 0.0 and grid[30:59, 30:59].max() == 0.0  # empty 4th slot
    gif = G.make_gif(frames, n_columns=3, scale=1, captions=["epoch 1", "epoch 2"])
    from PIL import Image
    import io
    picture = Image.open(io.BytesIO(gif))
    assert gif[:6] == b"GIF89a" and picture.n_frames == 2
    with pytest.raises(ValueError, match="frames"):
        G.make_gif([])
    with pytest.raises(ValueError, match="captions"):
        G.make_gif(frames, captions=["one"])
    with pytest.raises(ValueError, match="scale"):
        G.make_gif(frames, scale=0)


def test_resumed_training_equals_uninterrupted_training(tiny_images, tmp_path):
    images, _ = tiny_images
    settings = {"epochs": 3, "batch_size": 32, "seed": 4}

    straight = G.make_gan("dcgan", latent_dim=8, seed=4)
    G.train(straight, images, **settings)

    interrupted = G.make_gan("dcgan", latent_dim=8, seed=4)
    G.train(interrupted, images, **{**settings, "epochs": 2}, callbacks=[G.EpochCheckpoint(tmp_path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch_001.weights.h5", "epoch_002.weights.h5"]
    assert G.restore_latest(G.make_gan("dcgan", latent_dim=8, seed=4), tmp_path, epoch=1) == 1

    resumed = G.make_gan("dcgan", latent_dim=8, seed=4)  # same settings, as a fresh process would use
    rng = np.random.default_rng(0)
    for variable in resumed.weights:  # ... but weights that are not the ones to resume from
        variable.assign(rng.normal(size=variable.shape).astype("float32"))
    initial_epoch = G.restore_latest(resumed, tmp_path)
    assert initial_epoch == 2
    assert int(resumed.g_optimizer.iterations) == 2 * 3  # the optimizer state came back too
    G.train(resumed, images, **settings, initial_epoch=initial_epoch)

    for a, b in zip(weights_of(straight), weights_of(resumed)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    for a, b in zip(straight.d_optimizer.variables, resumed.d_optimizer.variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=0, atol=1e-6)


def test_restore_latest_without_checkpoints_and_bad_arguments(tmp_path):
    gan = G.make_gan("dcgan", latent_dim=4)
    assert G.restore_latest(gan, tmp_path) == 0
    with pytest.raises(TypeError, match="gan"):
        G.restore_latest("gan", tmp_path)
    with pytest.raises(TypeError, match="directory"):
        G.restore_latest(gan, 3)
    with pytest.raises(TypeError, match="directory"):
        G.EpochCheckpoint(None)
    with pytest.raises(ValueError, match="keep"):
        G.EpochCheckpoint(tmp_path, keep=0)
    with pytest.raises(ValueError, match="epoch 3"):
        G.restore_latest(gan, tmp_path, epoch=3)


def test_epoch_checkpoint_keeps_the_newest_files(tiny_images, tmp_path):
    images, _ = tiny_images
    gan = G.make_gan("dcgan", latent_dim=4, seed=0)
    G.train(gan, images, epochs=3, batch_size=48, callbacks=[G.EpochCheckpoint(tmp_path, keep=2)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch_002.weights.h5", "epoch_003.weights.h5"]
    uncompiled = G.GAN(G.build_generator(4), G.build_discriminator(), 4)
    with pytest.raises(ValueError, match="compiled"):
        G.save_training_state(uncompiled, tmp_path / "x.weights.h5")


def _truncate(path, keep_bytes=200):
    data = path.read_bytes()
    path.write_bytes(data[:keep_bytes])


def test_restore_latest_falls_back_to_the_newest_intact_checkpoint(tiny_images, tmp_path):
    images, _ = tiny_images
    gan = G.make_gan("dcgan", latent_dim=4, seed=0)
    G.train(gan, images, epochs=3, batch_size=48, callbacks=[G.EpochCheckpoint(tmp_path)])
    _truncate(tmp_path / "epoch_003.weights.h5")  # a run killed while writing, before atomic saves
    messages = []
    fresh = G.make_gan("dcgan", latent_dim=4, seed=0)
    assert G.restore_latest(fresh, tmp_path, report=messages.append) == 2
    assert messages == ["The checkpoint epoch_003.weights.h5 is damaged (OSError); trying the previous one."]
    assert int(fresh.g_optimizer.iterations) == 2 * 2
    assert G.restore_latest(G.make_gan("dcgan", latent_dim=4, seed=0), tmp_path, at_most=1, report=messages.append) == 1
    with pytest.raises(ValueError, match="epoch_003.weights.h5 is damaged"):
        G.restore_latest(fresh, tmp_path, epoch=3)
    for name in ("epoch_001.weights.h5", "epoch_002.weights.h5"):
        _truncate(tmp_path / name)
    assert G.restore_latest(fresh, tmp_path, report=messages.append) == 0  # nothing intact: start again
    with pytest.raises(TypeError, match="report"):
        G.restore_latest(fresh, tmp_path, report="print")


def test_a_checkpoint_killed_while_saving_leaves_no_file(tiny_images, tmp_path, monkeypatch):
    gan = G.make_gan("dcgan", latent_dim=4, seed=0)
    original = G.GAN.save_weights

    def dies_half_way(self, filepath, *args, **kwargs):
        original(self, filepath, *args, **kwargs)
        Path(filepath).write_bytes(Path(filepath).read_bytes()[:100])
        raise KeyboardInterrupt("kernel interrupted while saving")

    monkeypatch.setattr(G.GAN, "save_weights", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        G.save_training_state(gan, tmp_path / "epoch_001.weights.h5")
    assert list(tmp_path.iterdir()) == []  # neither a truncated checkpoint nor a partial file


def test_plot_gan_history_draws_the_curves():
    history = {"d_loss": [1.0, 0.8], "g_loss": [0.7, 0.9], "d_accuracy_real": [0.6, 0.7], "d_accuracy_fake": [0.5, 0.4]}
    figure = G.plot_gan_history(history, title="t")
    losses, accuracies = figure.axes
    np.testing.assert_allclose(losses.lines[1].get_ydata(), [0.7, 0.9])
    np.testing.assert_allclose(accuracies.lines[1].get_ydata(), [0.5, 0.4])
    assert accuracies.get_ylabel() == "discriminator accuracy"
    with pytest.raises(ValueError, match="g_loss"):
        G.plot_gan_history({"d_loss": [1.0]})
    with pytest.raises(TypeError, match="history"):
        G.plot_gan_history([1, 2])


def test_ink_picture_draws_dark_ink_on_white_enlarged():
    image = np.array([[0.0, 1.0], [0.5, 0.0]])
    picture = G.ink_picture(image, scale=3)
    assert picture.mode == "L" and picture.size == (6, 6)
    assert picture.getpixel((0, 0)) == 255 and picture.getpixel((3, 0)) == 0 and picture.getpixel((0, 3)) == 127  # 255 - round(127.5)
    with pytest.raises(ValueError, match="image"):
        G.ink_picture(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="scale"):
        G.ink_picture(image, scale=0)
