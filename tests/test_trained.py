"""course_utils.trained: recipes name their models, one call loads or trains, nothing is lost.

Tiny recipes (one or two epochs, huge batches) keep these tests to seconds each.
"""

import dataclasses
import re

import numpy as np
import pytest

import course_utils as cu
from course_utils import trained

TINY_CLASSIFIER = trained.ClassifierRecipe(domain="sklearn-8x8", epochs=1, batch_size=256, patience=1)
TINY_GAN = trained.GANRecipe(kind="dcgan", epochs=2, batch_size=400, latent_dim=4)  # bit-repeatable


@pytest.fixture()
def artifacts(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_ARTIFACTS", str(tmp_path))
    return tmp_path


def weights_of(model):
    return [np.asarray(w) for w in model.get_weights()]


def assert_same_weights(first, second):
    for a, b in zip(weights_of(first), weights_of(second), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


# ---------------------------------------------------------------------------- recipes


@pytest.mark.parametrize("recipe, changes", [
    (trained.ClassifierRecipe(), {"domain": "printed", "seed": 1, "epochs": 3, "batch_size": 32, "patience": 2,
                                  "learning_rate": 0.01, "augment": False, "batch_norm_momentum": 0.9}),
    (trained.GANRecipe(kind="cgan"), {"kind": "dcgan", "seed": 1, "epochs": 3, "batch_size": 32, "latent_dim": 8,
                                      "learning_rate": 1e-3, "data_source": "keras", "data_seed": 1,
                                      "discriminator_learning_rate": 4e-4, "loss": "hinge", "label_smoothing": 0.1,
                                      "augment": ("translation",), "ema_decay": 0.99, "spectral_norm": True,
                                      "minibatch_std": True, "negative_terms": "average"}),
])
def test_every_setting_changes_the_identity(recipe, changes):
    assert set(changes) == {field.name for field in dataclasses.fields(recipe)}, "test every field"
    assert recipe.identity == dataclasses.replace(recipe).identity  # stable: derived from the fields alone
    identities = {dataclasses.replace(recipe, **{name: value}).identity for name, value in changes.items()}
    assert recipe.identity not in identities and len(identities) == len(changes)
    assert re.fullmatch(r"[a-z0-9-]+-epochs\d+-[0-9a-f]{10}", recipe.identity)


def test_a_new_version_gives_every_model_a_new_identity(monkeypatch):
    before = trained.GANRecipe().identity
    monkeypatch.setattr(trained, "VERSION", trained.VERSION + 1)
    assert trained.GANRecipe().identity != before


@pytest.mark.parametrize("make, error, words", [
    (lambda: trained.ClassifierRecipe(domain="svhn"), ValueError, "domain"),
    (lambda: trained.ClassifierRecipe(epochs=0), ValueError, "epochs"),
    (lambda: trained.ClassifierRecipe(batch_size=1.5), TypeError, "batch_size"),
    (lambda: trained.ClassifierRecipe(augment=1), TypeError, "augment"),
    (lambda: trained.ClassifierRecipe(batch_norm_momentum=1.0), ValueError, "batch_norm_momentum"),
    (lambda: trained.GANRecipe(kind="vae"), ValueError, "kind"),
    (lambda: trained.GANRecipe(data_source="auto"), ValueError, "data_source"),
    (lambda: trained.GANRecipe(learning_rate=0), ValueError, "learning_rate"),
    (lambda: trained.GANRecipe(augment=["translation"]), TypeError, "augment"),
    (lambda: trained.GANRecipe(augment=("rotate",)), ValueError, "policy"),
    (lambda: trained.GANRecipe(loss="wasserstein"), ValueError, "loss"),
    (lambda: trained.GANRecipe(ema_decay=1.0), ValueError, "ema_decay"),
    (lambda: trained.GANRecipe(negative_terms="average"), ValueError, "negative_terms"),
    (lambda: trained.GANRecipe(discriminator_learning_rate=-1e-4), ValueError, "discriminator_learning_rate"),
    (lambda: trained.recipe("gan"), ValueError, "name"),
    (lambda: trained.recipe("dcgan", "fast"), ValueError, "run_mode"),
    (lambda: trained.load_or_train("evaluator"), TypeError, "recipe"),
    (lambda: trained.load_or_train(TINY_CLASSIFIER, verbose=1), TypeError, "verbose"),
    (lambda: trained.sample_inputs(TINY_CLASSIFIER), TypeError, "GANRecipe"),
])
def test_bad_input_is_refused_by_name(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_the_catalogue_gives_the_size_of_the_run_mode():
    for name, entry in trained.CATALOGUE.items():
        assert entry.smoke.epochs < entry.classroom.epochs, name
        assert dataclasses.replace(entry.classroom, epochs=entry.smoke.epochs) == entry.smoke, name
        assert trained.recipe(name, "smoke") == entry.smoke
        assert trained.recipe(name, "classroom") == trained.recipe(name, "explore") == entry.classroom
    try:
        cu.setup(0, run_mode="smoke", verbose=False)
        assert trained.recipe("evaluator") == trained.CATALOGUE["evaluator"].smoke
    finally:
        cu.setup(0, verbose=False)
    assert trained.recipe("evaluator") == trained.CATALOGUE["evaluator"].classroom


# ------------------------------------------------------------------------ classifiers


def test_a_classifier_is_trained_once_then_loaded_identically(artifacts, capsys):
    first = trained.load_or_train(TINY_CLASSIFIER)
    after_training = np.random.random()
    printed = capsys.readouterr().out
    assert printed.startswith("No saved sklearn-8x8 classifier (up to 1 epochs) found (a new recipe): training it now")
    assert "progress below" in printed and "epoch 1/1 |" in printed and "val_accuracy" in printed
    assert not first.loaded
    folder = artifacts / TINY_CLASSIFIER.identity
    assert sorted(path.name for path in folder.iterdir()) == ["model.keras", "recipe.json", "record.json"]

    second = trained.load_or_train(TINY_CLASSIFIER)
    after_loading = np.random.random()
    printed = capsys.readouterr().out
    assert printed.startswith("Loaded the sklearn-8x8 classifier (up to 1 epochs), trained earlier with these exact")
    assert str(artifacts) not in printed  # no machine paths in a learner's output
    assert second.loaded and second.history == first.history
    assert after_training == after_loading  # the random state is the same either way
    assert_same_weights(first.model, second.model)
    trained.load_or_train(TINY_CLASSIFIER, verbose=False)
    assert capsys.readouterr().out == ""


def test_a_changed_setting_never_loads_the_other_model(artifacts, capsys):
    trained.load_or_train(TINY_CLASSIFIER, verbose=False)
    changed = dataclasses.replace(TINY_CLASSIFIER, batch_size=128)
    result = trained.load_or_train(changed)
    assert not result.loaded and "No saved" in capsys.readouterr().out
    assert len(list(artifacts.iterdir())) == 2


def test_a_damaged_model_file_is_named_and_replaced_by_training_again(artifacts, capsys):
    original = trained.load_or_train(TINY_CLASSIFIER, verbose=False)
    model_file = artifacts / TINY_CLASSIFIER.identity / "model.keras"
    model_file.write_bytes(model_file.read_bytes()[:1000])  # what a killed save used to leave
    again = trained.load_or_train(TINY_CLASSIFIER)
    printed = capsys.readouterr().out
    assert f"The saved file {artifacts.name}/{TINY_CLASSIFIER.identity}/model.keras is damaged" in printed
    assert "training it again" in printed and not again.loaded
    assert_same_weights(original.model, again.model)  # retrained identically
    assert trained.load_or_train(TINY_CLASSIFIER, verbose=False).loaded


def test_an_unwritable_artifacts_folder_is_reported_before_any_training(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    monkeypatch.setenv("COURSE_ARTIFACTS", str(blocker / "models"))

    def must_not_train(*args, **kwargs):
        raise AssertionError("training started although nothing could be saved")

    monkeypatch.setattr(cu.models, "train_classifier", must_not_train)
    monkeypatch.setattr(cu.gan, "train", must_not_train)
    for recipe in (TINY_CLASSIFIER, TINY_GAN):
        with pytest.raises(PermissionError, match="COURSE_ARTIFACTS"):
            trained.load_or_train(recipe)


def test_the_catalogue_names_the_teaching_lesson(artifacts, capsys, monkeypatch):
    smoke_evaluator = trained.CATALOGUE["evaluator"].smoke
    monkeypatch.setitem(trained.CATALOGUE, "evaluator", trained.CatalogueEntry(2, smoke_evaluator, smoke_evaluator))
    trained.load_or_train(smoke_evaluator, verbose=False)
    trained.load_or_train(smoke_evaluator)
    assert "mnist classifier (up to 1 epochs), trained in lesson 2" in capsys.readouterr().out


# ------------------------------------------------------------------------------- GANs


def test_a_gan_is_trained_with_samples_and_checkpoints_then_loaded_identically(artifacts, capsys):
    first = trained.load_or_train(TINY_GAN)
    printed = capsys.readouterr().out
    assert "No saved DCGAN (2 epochs) found (a new recipe): training it now" in printed
    assert "epoch 1/2 |" in printed and "epoch 2/2 |" in printed
    folder = artifacts / TINY_GAN.identity
    assert sorted(path.name for path in (folder / "checkpoints").iterdir()) == [
        "epoch_001.weights.h5", "epoch_002.weights.h5"]
    assert first.samples.shape == (2, 32, 28, 28, 1) and first.sample_epochs == [1, 2]
    assert len(first.history["d_loss"]) == 2

    second = trained.load_or_train(TINY_GAN)
    assert capsys.readouterr().out.startswith("Loaded the DCGAN (2 epochs), trained earlier")
    assert second.loaded and second.history == first.history
    np.testing.assert_array_equal(second.samples, first.samples)
    assert_same_weights(first.model, second.model)
    assert int(second.model.g_optimizer.iterations) == 2 * 9  # the optimizers came back too
    noise, labels = trained.sample_inputs(TINY_GAN)
    assert labels is None
    np.testing.assert_allclose(second.samples[-1], np.round(cu.gan.to_unit_range(
        second.generator(noise, training=False)) * 255) / 255, atol=1e-6)


def train_interrupted_after_epoch_two(monkeypatch, train):
    """Run ``train()`` and stop it with a KeyboardInterrupt after epoch 2 (the laptop lid closed)."""
    original = trained._GANRecordKeeper.on_epoch_end

    def interrupted_after_epoch_two(self, epoch, logs=None):
        original(self, epoch, logs)
        if epoch == 1:
            raise KeyboardInterrupt("the laptop lid was closed")

    monkeypatch.setattr(trained._GANRecordKeeper, "on_epoch_end", interrupted_after_epoch_two)
    with pytest.raises(KeyboardInterrupt):
        train()
    monkeypatch.setattr(trained._GANRecordKeeper, "on_epoch_end", original)


def test_an_interrupted_gan_run_resumes_to_the_same_model(tmp_path, monkeypatch, capsys):
    recipe = dataclasses.replace(TINY_GAN, epochs=3)
    monkeypatch.setenv("COURSE_ARTIFACTS", str(tmp_path / "uninterrupted"))
    straight = trained.load_or_train(recipe, verbose=False)

    monkeypatch.setenv("COURSE_ARTIFACTS", str(tmp_path / "interrupted"))
    train_interrupted_after_epoch_two(monkeypatch, lambda: trained.load_or_train(recipe, verbose=False))

    resumed = trained.load_or_train(recipe)
    printed = capsys.readouterr().out
    assert "Found an interrupted training run of the DCGAN (3 epochs)" in printed
    assert "resuming after epoch 2" in printed and not resumed.loaded
    assert_same_weights(straight.model, resumed.model)
    assert resumed.history == straight.history  # the curves of the first two epochs were kept
    np.testing.assert_array_equal(resumed.samples, straight.samples)
    assert trained.load_or_train(recipe, verbose=False).loaded


def test_a_damaged_final_checkpoint_costs_one_epoch_not_the_model(artifacts, capsys):
    first = trained.load_or_train(TINY_GAN, verbose=False)
    last = artifacts / TINY_GAN.identity / "checkpoints" / "epoch_002.weights.h5"
    last.write_bytes(last.read_bytes()[:300])
    again = trained.load_or_train(TINY_GAN)
    printed = capsys.readouterr().out
    assert "The checkpoint epoch_002.weights.h5 is damaged (OSError); trying the previous one." in printed
    assert "resuming after epoch 1" in printed
    assert_same_weights(first.model, again.model)
    assert len(again.history["d_loss"]) == 2


def test_conditional_samples_have_one_digit_per_row_of_four():
    noise, labels = trained.sample_inputs(trained.GANRecipe(kind="cgan", latent_dim=3))
    assert noise.shape == (40, 3) and labels.tolist() == [digit for digit in range(10) for _ in range(4)]
    np.testing.assert_array_equal(noise[:4], noise[4:8])  # the same four codes for every digit


# ------------------------------------------------------------- a quality curve with the run


def brightness_classifier():
    """features = mean pixel value; logits whose argmax is round(10 * mean): a tiny evaluator."""
    import keras

    images = keras.Input((28, 28, 1))
    features = keras.layers.Dense(1, name="features")(keras.layers.Flatten()(images))
    model = keras.Model(images, keras.layers.Dense(10, name="logits")(features))
    model.get_layer("features").set_weights([np.full((784, 1), 1 / 784, "float32"), np.zeros(1, "float32")])
    k = np.arange(10, dtype="float32")
    model.get_layer("logits").set_weights([10 * k[None, :], -(k ** 2) / 2])
    return model


def same_scores(first, second):
    """Equal histories (NaN, a class the images never show, equal to NaN)."""
    import json

    return json.dumps(trained._plain(first), sort_keys=True) == json.dumps(trained._plain(second), sort_keys=True)


def tiny_curve(classifier, every=1):
    data = cu.data.load_mnist("offline", seed=0)
    return cu.quality.QualityCurve(data.x_test[:60], classifier, real_labels=data.y_test[:60], every=every,
                                   num_images=40, min_images=20, verbose=False)


def test_a_quality_curve_is_saved_with_the_run_and_loaded_without_training(artifacts, capsys):
    classifier = brightness_classifier()
    curve = tiny_curve(classifier)
    first = trained.load_or_train(TINY_GAN, quality_curve=curve)
    assert curve.history["epoch"] == [0, 1, 2] and first.quality is curve.history
    assert len(curve.history["precision"]) == 3 and len(curve.history["class_shares"][0]) == 10
    capsys.readouterr()

    again = tiny_curve(classifier)
    second = trained.load_or_train(TINY_GAN, quality_curve=again)
    assert capsys.readouterr().out.startswith("Loaded the DCGAN (2 epochs)") and second.loaded
    assert same_scores(again.history, curve.history)  # read from record.json, not recomputed
    assert trained.load_or_train(TINY_GAN, verbose=False).quality is None  # default: no curve


def test_a_run_saved_without_that_curve_is_trained_again_to_record_it(artifacts, capsys):
    classifier = brightness_classifier()
    plain = trained.load_or_train(TINY_GAN, verbose=False)
    curve = tiny_curve(classifier, every=2)
    with_curve = trained.load_or_train(TINY_GAN, quality_curve=curve)
    printed = capsys.readouterr().out
    assert "has no quality curve with these settings: training it again from the start" in printed
    assert not with_curve.loaded and curve.history["epoch"] == [0, 2]
    assert_same_weights(plain.model, with_curve.model)  # same recipe, same model
    other = tiny_curve(classifier, every=1)  # other settings: not the saved curve
    trained.load_or_train(TINY_GAN, quality_curve=other, verbose=False)
    assert other.history["epoch"] == [0, 1, 2]


def test_an_interrupted_run_resumes_with_its_quality_curve(tmp_path, monkeypatch):
    recipe = dataclasses.replace(TINY_GAN, epochs=3)
    classifier = brightness_classifier()
    monkeypatch.setenv("COURSE_ARTIFACTS", str(tmp_path / "uninterrupted"))
    straight = tiny_curve(classifier)
    trained.load_or_train(recipe, verbose=False, quality_curve=straight)

    monkeypatch.setenv("COURSE_ARTIFACTS", str(tmp_path / "interrupted"))
    train_interrupted_after_epoch_two(
        monkeypatch, lambda: trained.load_or_train(recipe, verbose=False, quality_curve=tiny_curve(classifier)))
    resumed = tiny_curve(classifier)
    trained.load_or_train(recipe, verbose=False, quality_curve=resumed)
    assert resumed.history["epoch"] == [0, 1, 2, 3]
    for name in ("frechet_distance", "precision", "recall", "class_shares"):
        np.testing.assert_allclose(resumed.history[name], straight.history[name], rtol=1e-6, atol=1e-9)


def test_a_bad_quality_curve_is_refused_by_name(artifacts):
    with pytest.raises(TypeError, match="quality_curve"):
        trained.load_or_train(TINY_GAN, quality_curve="every epoch")
    with pytest.raises(ValueError, match="quality_curve"):
        trained.load_or_train(TINY_CLASSIFIER, quality_curve=tiny_curve(brightness_classifier()))


def test_build_gan_can_track_the_generator_gradient_norm():
    assert "g_gradient_norm" in [metric.name for metric in trained.build_gan(TINY_GAN, track_gradient_norm=True).metrics]
    assert "g_gradient_norm" not in [metric.name for metric in trained.build_gan(TINY_GAN).metrics]
