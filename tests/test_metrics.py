"""Unit tests of course_utils.metrics with a tiny hand-built classifier whose prediction
is known: an image of constant brightness v is classified as digit round(10 v)."""

import keras
import numpy as np
import pytest
from keras import layers

from course_utils import metrics


@pytest.fixture(scope="module")
def brightness_classifier():
    """features = mean pixel value m; logit_k = 10 k m - k^2 / 2, whose argmax is round(10 m)."""
    images = keras.Input((28, 28, 1))
    flat = layers.Flatten()(images)
    features = layers.Dense(1, name="features")(flat)
    logits = layers.Dense(10, name="logits")(features)
    model = keras.Model(images, logits, name="brightness")
    model.get_layer("features").set_weights([np.full((784, 1), 1 / 784, "float32"), np.zeros(1, "float32")])
    k = np.arange(10, dtype="float32")
    model.get_layer("logits").set_weights([10 * k[None, :], -(k ** 2) / 2])
    return model


def constant_images(values):
    return np.asarray(values, "float32")[:, None, None, None] * np.ones((1, 28, 28, 1), "float32")


def test_predicted_classes_histogram_and_accuracy(brightness_classifier):
    images = constant_images([0.0, 0.1, 0.52, 0.9, 0.9, 1.0])
    np.testing.assert_array_equal(metrics.predicted_classes(images, brightness_classifier), [0, 1, 5, 9, 9, 9])
    np.testing.assert_array_equal(metrics.class_histogram(images, brightness_classifier),
                                  [1, 1, 0, 0, 0, 1, 0, 0, 0, 3])
    assert metrics.class_accuracy(images, [0, 1, 5, 9, 0, 0], brightness_classifier) == pytest.approx(4 / 6)


def test_class_coverage_counts_classes_above_the_share(brightness_classifier):
    every_digit = constant_images(np.repeat(np.arange(10) / 10, 5))
    assert metrics.class_coverage(every_digit, brightness_classifier) == 1.0
    collapsed = constant_images([0.3] * 98 + [0.7] * 2)
    assert metrics.class_coverage(collapsed, brightness_classifier) == pytest.approx(0.2)
    assert metrics.class_coverage(collapsed, brightness_classifier, min_share=0.05) == pytest.approx(0.1)


def test_frechet_distance_of_identical_sets_is_zero(brightness_classifier):
    images = constant_images(np.linspace(0, 1, 50))
    assert metrics.frechet_distance(images, images, brightness_classifier) == pytest.approx(0.0, abs=1e-9)


def test_frechet_distance_matches_the_one_dimensional_formula():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 2.0, size=(400, 1)), rng.normal(-0.5, 0.5, size=(300, 1))
    expected = (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2
    assert metrics.frechet_distance_from_features(a, b) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_in_several_dimensions():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(500, 4)) @ rng.normal(size=(4, 4))
    shift = np.array([1.0, -2.0, 0.0, 0.5])
    # same covariance, shifted mean: the distance is the squared shift
    assert metrics.frechet_distance_from_features(a, a + shift) == pytest.approx(np.sum(shift ** 2), rel=1e-6)
    b = rng.normal(size=(500, 4)) * 3
    assert metrics.frechet_distance_from_features(a, b) == pytest.approx(metrics.frechet_distance_from_features(b, a), rel=1e-6)
    # diagonal covariances: the trace term is sum (sigma_a - sigma_b)^2
    c, d = rng.normal(size=(800, 3)) * [1, 2, 3], rng.normal(size=(800, 3)) * [2, 2, 1]
    var_c, var_d = np.var(c, axis=0, ddof=1), np.var(d, axis=0, ddof=1)
    covariance_c, covariance_d = np.cov(c, rowvar=False), np.cov(d, rowvar=False)
    assert np.allclose(covariance_c - np.diag(var_c), 0, atol=0.3) and np.allclose(covariance_d - np.diag(var_d), 0, atol=0.3)
    approximate = np.sum((c.mean(0) - d.mean(0)) ** 2) + np.sum((np.sqrt(var_c) - np.sqrt(var_d)) ** 2)
    assert metrics.frechet_distance_from_features(c, d) == pytest.approx(approximate, rel=0.05)


def test_frechet_distance_with_singular_covariances_stays_real_and_finite():
    rng = np.random.default_rng(2)
    a = np.repeat(rng.normal(size=(50, 1)), 6, axis=1)  # rank-1 covariance in 6 dimensions
    b = np.repeat(rng.normal(size=(50, 1)), 6, axis=1) + 1
    distance = metrics.frechet_distance_from_features(a, b)
    assert np.isfinite(distance) and distance > 0


def test_features_use_the_layer_named_features(brightness_classifier):
    values = metrics.features(constant_images([0.2, 0.8]), brightness_classifier)
    np.testing.assert_allclose(values, [[0.2], [0.8]], atol=1e-5)


def test_bad_arguments_are_rejected(brightness_classifier):
    images = constant_images([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="images"):
        metrics.predicted_classes(images * 2 - 1, brightness_classifier)
    with pytest.raises(TypeError, match="classifier"):
        metrics.predicted_classes(images, "model")
    with pytest.raises(ValueError, match="requested_labels"):
        metrics.class_accuracy(images, [1, 2], brightness_classifier)
    with pytest.raises(ValueError, match="requested_labels"):
        metrics.class_accuracy(images, [1, 2, 10], brightness_classifier)
    with pytest.raises(ValueError, match="min_share"):
        metrics.class_coverage(images, brightness_classifier, min_share=2)
    with pytest.raises(ValueError, match="images_b"):
        metrics.frechet_distance(images, np.zeros((3, 28, 28, 2)), brightness_classifier)
    with pytest.raises(ValueError, match="width"):
        metrics.frechet_distance_from_features(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="features_b"):
        metrics.frechet_distance_from_features(np.zeros((5, 2)), np.zeros((1, 2)))
    no_features = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(10)])
    with pytest.raises(ValueError, match="features"):
        metrics.features(images, no_features)
    with pytest.raises(ValueError, match="batch_size"):
        metrics.features(images, brightness_classifier, batch_size=0)


# ------------------------------------------------- precision, recall, within-class diversity


def brute_force_precision_recall(real, generated, k):
    """The paper's definition written out with explicit distances, for small sets."""
    def radii(points):
        distances = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=-1)
        return np.sort(distances, axis=1)[:, k]  # position 0 is the point itself

    def inside(points, centres, centre_radii):
        distances = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=-1)
        return np.any(distances <= centre_radii[None, :], axis=1)

    return inside(generated, real, radii(real)).mean(), inside(real, generated, radii(generated)).mean()


@pytest.mark.parametrize("k", [1, 3, 5])
def test_precision_recall_agrees_with_a_brute_force_implementation(k):
    rng = np.random.default_rng(k)
    real = rng.normal(size=(120, 5))
    generated = rng.normal(size=(90, 5)) * 1.3 + 0.4
    expected = brute_force_precision_recall(real, generated, k)
    result = metrics.precision_recall_from_features(real, generated, k=k, min_images=10)
    assert (result.precision, result.recall) == expected
    assert 0 < expected[0] < 1 and 0 < expected[1] < 1  # the case is not trivial


def test_identical_sets_have_precision_and_recall_one():
    features = np.random.default_rng(0).normal(size=(200, 8)) * 10 + 50
    assert metrics.precision_recall_from_features(features, features, min_images=10) == (1.0, 1.0)


def test_collapsed_generator_keeps_precision_and_loses_recall():
    real = np.random.default_rng(1).normal(size=(400, 6))
    collapsed = np.repeat(real[:4], 100, axis=0)  # 4 real points, copied
    precision, recall = metrics.precision_recall_from_features(real, collapsed, min_images=10)
    assert precision == 1.0
    assert recall == pytest.approx(4 / 400)  # only the 4 copied points are covered


def test_far_away_noise_has_precision_zero():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(300, 6))
    noise = rng.normal(size=(300, 6)) + 20
    assert metrics.precision_recall_from_features(real, noise, min_images=10) == (0.0, 0.0)


def test_precision_recall_on_images_uses_the_evaluator_features(brightness_classifier):
    rng = np.random.default_rng(3)
    real = constant_images(rng.uniform(0.2, 0.4, size=60))
    shifted = constant_images(rng.uniform(0.6, 0.8, size=60))  # other brightness: outside
    assert metrics.precision_recall(real, real, brightness_classifier, min_images=20) == (1.0, 1.0)
    assert metrics.precision_recall(real, shifted, brightness_classifier, min_images=20) == (0.0, 0.0)


def test_precision_recall_needs_enough_images(brightness_classifier):
    images = constant_images(np.linspace(0, 1, 50))
    with pytest.raises(ValueError, match="min_images=1000"):
        metrics.precision_recall(images, images, brightness_classifier)
    with pytest.raises(ValueError, match="generated_features.*min_images=100"):
        metrics.precision_recall_from_features(np.zeros((200, 2)), np.zeros((50, 2)), min_images=100)
    with pytest.raises(ValueError, match="min_images"):
        metrics.precision_recall_from_features(np.zeros((20, 2)), np.zeros((20, 2)), k=3, min_images=3)
    with pytest.raises(ValueError, match="width"):
        metrics.precision_recall_from_features(np.zeros((20, 2)), np.zeros((20, 3)), min_images=10)
    with pytest.raises(ValueError, match="k"):
        metrics.precision_recall_from_features(np.zeros((20, 2)), np.zeros((20, 2)), k=0, min_images=10)


def digit_like_images(count, seed):
    """Random blobs, each shifted by its class: classes differ, images inside a class vary."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10
    images = rng.uniform(0.0, 0.5, size=(count, 28, 28, 1)).astype("float32")
    images[np.arange(count), 2 * labels, :, 0] = 1.0  # a bright row whose place says the class
    return images, labels


@pytest.mark.parametrize("space", ["features", "pixels"])
def test_within_class_diversity_of_real_halves_is_about_one(brightness_classifier, space):
    images, labels = digit_like_images(600, seed=4)
    diversity = metrics.within_class_diversity(images[:300], labels[:300], images[300:], brightness_classifier,
                                               labels=labels[300:], space=space)
    assert diversity.ratio == pytest.approx(1.0, abs=0.1)
    assert diversity.per_class_ratio.shape == (10,) and np.all(np.isfinite(diversity.per_class_ratio))
    np.testing.assert_array_equal(diversity.generated_counts, np.full(10, 30))


@pytest.mark.parametrize("space", ["features", "pixels"])
def test_copies_of_one_image_per_class_have_diversity_near_zero(brightness_classifier, space):
    images, labels = digit_like_images(600, seed=5)
    copies = np.repeat(images[:10], 30, axis=0)
    copy_labels = np.repeat(labels[:10], 30)
    diversity = metrics.within_class_diversity(images, labels, copies, brightness_classifier, labels=copy_labels,
                                               space=space)
    assert diversity.ratio < 0.01
    # near-copies (a little noise on each) stay far below real variety in pixel space too
    noisy = np.clip(copies + np.random.default_rng(6).normal(0, 0.01, copies.shape), 0, 1)
    assert metrics.within_class_diversity(images, labels, noisy, brightness_classifier, labels=copy_labels,
                                          space="pixels").ratio < 0.1


def test_within_class_diversity_reads_classes_with_the_evaluator_without_labels(brightness_classifier):
    real = constant_images(np.repeat([0.2, 0.5], 20) + np.tile(np.linspace(-0.04, 0.04, 20), 2))
    real_labels = np.repeat([2, 5], 20)
    generated = constant_images(np.full(20, 0.5) + np.linspace(-0.02, 0.02, 20))  # all read as 5
    diversity = metrics.within_class_diversity(real, real_labels, generated, brightness_classifier)
    assert diversity.generated_counts[5] == 20 and diversity.generated_counts.sum() == 20
    assert np.isnan(diversity.per_class_ratio[2])  # no generated 2: left out, not 0
    assert diversity.ratio == pytest.approx(0.5, rel=1e-3)  # half the spread of real 5s


def test_within_class_diversity_rejects_bad_arguments(brightness_classifier):
    images, labels = digit_like_images(40, seed=7)
    with pytest.raises(ValueError, match="space"):
        metrics.within_class_diversity(images, labels, images, brightness_classifier, labels=labels, space="latent")
    with pytest.raises(ValueError, match="real_labels"):
        metrics.within_class_diversity(images, labels[:5], images, brightness_classifier, labels=labels)
    with pytest.raises(ValueError, match="labels"):
        metrics.within_class_diversity(images, labels, images, brightness_classifier, labels=labels + 10)
    with pytest.raises(ValueError, match="max_per_class"):
        metrics.within_class_diversity(images, labels, images, brightness_classifier, labels=labels,
                                       max_per_class=1)
    with pytest.raises(TypeError, match="classifier"):
        metrics.within_class_diversity(images, labels, images, "evaluator", labels=labels, space="pixels")


def test_quality_and_reference_scores(brightness_classifier):
    images, labels = digit_like_images(400, seed=8)
    reference = metrics.reference_scores(images, brightness_classifier, real_labels=labels, min_images=50)
    assert reference["size"] == 200
    assert set(reference) >= {"frechet_distance", "precision", "recall", "class_coverage", "class_shares",
                              "class_accuracy", "diversity_ratio"}
    assert reference["diversity_ratio"] == pytest.approx(1.0, abs=0.15)
    assert sum(reference["class_shares"]) == pytest.approx(1.0)
    collapsed = np.repeat(images[:5], 40, axis=0)
    scores = metrics.quality_scores(images[:200], collapsed, brightness_classifier, real_labels=labels[:200],
                                    labels=np.repeat(labels[:5], 40), min_images=50)
    assert scores["recall"] < reference["recall"] and scores["diversity_ratio"] < 0.05
    with pytest.raises(ValueError, match="size"):
        metrics.reference_scores(images, brightness_classifier, size=300, min_images=50)
    with pytest.raises(ValueError, match="min_images"):
        metrics.reference_scores(images, brightness_classifier)


# ------------------------------------------------------------------ the QualityCurve callback


@pytest.mark.parametrize("kind", ["dcgan", "cgan"])
def test_quality_curve_scores_a_tiny_gan_every_epoch(brightness_classifier, kind, capsys):
    import matplotlib

    matplotlib.use("Agg")
    from course_utils import gan as gans
    from course_utils import quality

    real, labels = digit_like_images(64, seed=9)
    tiny_gan = gans.make_gan(kind, latent_dim=8, seed=0)
    curve = quality.QualityCurve(real, brightness_classifier, real_labels=labels, every=1, num_images=40,
                                 min_images=20)
    gans.train(tiny_gan, real[:32] * 2 - 1, labels[:32] if kind == "cgan" else None, epochs=2, batch_size=16,
               callbacks=[curve])
    assert curve.history["epoch"] == [0, 1, 2]
    for name in ("frechet_distance", "precision", "recall", "class_coverage", "class_shares", "diversity_ratio"):
        assert len(curve.history[name]) == 3, name
    assert ("class_accuracy" in curve.history) == (kind == "cgan")
    if kind == "cgan":
        np.testing.assert_array_equal(np.bincount(curve.labels), np.full(10, 4))
    first = curve.generate()
    np.testing.assert_array_equal(first, curve.generate())  # fixed noise: the same images
    assert first.shape == (40, 28, 28, 1) and first.min() >= 0 and first.max() <= 1
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 3 and printed[-1].startswith("epoch   2 | FD ")
    reference = metrics.reference_scores(real, brightness_classifier, real_labels=labels, min_images=20)
    figure = quality.plot_quality_curve(curve.history, reference)
    dashed = [line for axis in figure.axes for line in axis.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) >= 5 and all(axis.get_xlabel() == "epoch" for axis in figure.axes)


def test_quality_curve_rejects_bad_arguments(brightness_classifier):
    from course_utils import quality

    real, labels = digit_like_images(64, seed=10)
    with pytest.raises(ValueError, match="min_images"):
        quality.QualityCurve(real, brightness_classifier)  # 64 real images, 1,000 needed
    with pytest.raises(ValueError, match="num_images"):
        quality.QualityCurve(real, brightness_classifier, num_images=10, min_images=20)
    with pytest.raises(ValueError, match="every"):
        quality.QualityCurve(real, brightness_classifier, every=0, min_images=20, num_images=40)
    with pytest.raises(TypeError, match="classifier"):
        quality.QualityCurve(real, "evaluator", min_images=20, num_images=40)
    with pytest.raises(ValueError, match="history"):
        quality.plot_quality_curve({"epoch": []})
