"""Unit tests of course_utils.editing: pixel attributes, baselines, masks, slider figures."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import editing  # noqa: E402


def _bar(width, length=18, top=5, left=10):
    image = np.zeros((28, 28, 1), np.float32)
    image[top:top + length, left:left + width] = 1.0
    return image


def _leaning_bar(shear):
    image = np.zeros((28, 28, 1), np.float32)
    for row in range(4, 24):
        centre = 13.5 + shear * (13.5 - row)  # rows grow downwards: upper rows shift right
        column = int(round(centre))
        image[row, column - 1:column + 2] = 1.0
    return image


# ----------------------------------------------------------------- stroke thickness


def test_stroke_thickness_grows_with_width_and_is_close_to_it():
    images = np.stack([_bar(width) for width in (1, 2, 3, 4, 6)])
    thickness = editing.stroke_thickness(images)
    assert np.all(np.diff(thickness) > 0)
    # 2 * area / perimeter = 2 * L * w / (2 * L + 2 * w): within the end-cap bias of w
    expected = np.array([2 * 18 * w / (2 * 18 + 2 * w) for w in (1, 2, 3, 4, 6)])
    np.testing.assert_allclose(thickness, expected, rtol=1e-9)


def test_stroke_thickness_does_not_depend_on_length_much_or_position():
    short, long_ = editing.stroke_thickness(np.stack([_bar(3, length=10), _bar(3, length=20, top=2)]))
    assert abs(short - long_) < 0.4
    moved = editing.stroke_thickness(np.stack([_bar(3, left=0)]))  # touching the border
    np.testing.assert_allclose(moved, editing.stroke_thickness(np.stack([_bar(3)])))


def test_stroke_thickness_of_blank_image_is_zero_and_accepts_3d_input():
    blank = np.zeros((2, 28, 28), np.float32)
    np.testing.assert_array_equal(editing.stroke_thickness(blank), [0.0, 0.0])


def test_stroke_thickness_rejects_bad_images():
    with pytest.raises(ValueError, match="images"):
        editing.stroke_thickness(np.full((1, 28, 28, 1), 2.0))
    with pytest.raises(TypeError, match="images"):
        editing.stroke_thickness("not images")
    with pytest.raises(ValueError, match="images"):
        editing.stroke_thickness(np.zeros((28, 28)))


# -------------------------------------------------------------------------- slant


def test_slant_is_zero_upright_and_signed_by_lean():
    values = editing.slant(np.stack([_bar(3), _leaning_bar(0.3), _leaning_bar(-0.3)]))
    assert abs(values[0]) < 1e-9
    assert 0.2 < values[1] < 0.4
    assert -0.4 < values[2] < -0.2
    assert np.isclose(values[1], -values[2], atol=0.02)


def test_slant_is_zero_for_blank_image_and_rejects_bad_input():
    np.testing.assert_array_equal(editing.slant(np.zeros((1, 28, 28, 1))), [0.0])
    with pytest.raises(ValueError, match="images"):
        editing.slant(np.zeros((1, 28, 28, 3)))


# ----------------------------------------------------------------- nearest images


def test_nearest_images_finds_the_closest_and_its_error():
    rng = np.random.default_rng(0)
    pool = rng.uniform(0, 1, size=(50, 28, 28, 1)).astype(np.float32)
    queries = np.clip(pool[[7, 3, 41]] + rng.normal(0, 0.01, size=(3, 28, 28, 1)), 0, 1)
    indices, errors = editing.nearest_images(queries, pool, batch_size=2)
    np.testing.assert_array_equal(indices, [7, 3, 41])
    brute = ((queries - pool[indices]) ** 2).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(errors, brute, atol=1e-9)


def test_nearest_images_exact_copy_has_zero_error():
    pool = np.stack([_bar(w) for w in (1, 2, 3)])
    indices, errors = editing.nearest_images(pool[[2]], pool)
    assert indices[0] == 2 and errors[0] == pytest.approx(0.0, abs=1e-12)


def test_nearest_images_rejects_bad_arguments():
    pool = np.zeros((3, 28, 28, 1))
    with pytest.raises(ValueError, match="pool"):
        editing.nearest_images(pool, np.zeros((0, 28, 28, 1)))
    with pytest.raises(ValueError, match="same image shape"):
        editing.nearest_images(np.zeros((1, 8, 8, 1)), pool)
    with pytest.raises(TypeError, match="batch_size"):
        editing.nearest_images(pool, pool, batch_size=2.5)
    with pytest.raises(ValueError, match="queries"):
        editing.nearest_images(np.full((1, 28, 28, 1), -3.0), pool)


# ------------------------------------------------------------------ masks and error


def test_box_mask_marks_the_box():
    mask = editing.box_mask(14, 0, 14, 28)
    assert mask.shape == (28, 28, 1) and mask.dtype == np.float32
    assert mask[:14].sum() == 0 and mask[14:].sum() == 14 * 28


@pytest.mark.parametrize("arguments, name", [
    ((28, 0, 1, 1), "top"), ((0, -1, 1, 1), "left"), ((20, 0, 9, 1), "height"), ((0, 20, 1, 9), "width"),
])
def test_box_mask_rejects_boxes_outside_the_image(arguments, name):
    with pytest.raises(ValueError, match=name):
        editing.box_mask(*arguments)


def test_box_mask_rejects_non_integer_sizes():
    with pytest.raises(TypeError, match="height"):
        editing.box_mask(0, 0, 2.0, 3)


def test_region_mse_counts_only_masked_pixels():
    images = np.zeros((2, 28, 28, 1))
    targets = np.zeros((2, 28, 28, 1))
    targets[0, :14] = 1.0   # error only in the top half
    targets[1, 14:] = 0.5   # error only in the bottom half
    bottom = editing.box_mask(14, 0, 14, 28)
    np.testing.assert_allclose(editing.region_mse(images, targets, bottom), [0.0, 0.25])
    np.testing.assert_allclose(editing.region_mse(images, targets, 1.0 - bottom[..., 0]), [1.0, 0.0])
    per_image = np.stack([bottom, 1.0 - bottom])
    np.testing.assert_allclose(editing.region_mse(images, targets, per_image), [0.0, 0.0])


def test_region_mse_rejects_bad_masks():
    images = np.zeros((2, 28, 28, 1))
    with pytest.raises(ValueError, match="mask"):
        editing.region_mse(images, images, np.zeros((28, 28)))
    with pytest.raises(ValueError, match="mask"):
        editing.region_mse(images, images, np.full((28, 28), 2.0))
    with pytest.raises(ValueError, match="mask"):
        editing.region_mse(images, images, np.ones((3, 28, 28, 1)))
    with pytest.raises(ValueError, match="same shape"):
        editing.region_mse(images, images[:1], np.ones((28, 28)))


# ----------------------------------------------------------------- slider figures


def test_slider_strip_draws_every_image_with_values_and_labels():
    rows = np.stack([np.stack([_bar(w) for w in (1, 2, 3)]), np.stack([_bar(w) for w in (4, 5, 6)])])
    figure = editing.slider_strip(rows, [-1.0, 0.0, 1.0], row_labels=["a", "b"], value_label="thickness",
                                  title="strip")
    axes = figure.axes
    assert len(axes) == 6
    np.testing.assert_array_equal(axes[4].images[0].get_array(), rows[1, 1, ..., 0])
    assert [axis.get_xlabel() for axis in axes[3:]] == ["-1", "0", "1"]
    assert axes[0].get_ylabel() == "a" and axes[3].get_ylabel() == "b"
    assert figure._suptitle.get_text() == "strip"
    assert figure._supxlabel.get_text() == "thickness"
    plt.close(figure)


def test_slider_strip_accepts_tanh_range():
    rows = np.full((1, 2, 28, 28), -1.0)
    figure = editing.slider_strip(rows, [0, 1], value_range=(-1, 1))
    assert figure.axes[0].images[0].get_clim() == (-1, 1)
    plt.close(figure)


def test_slider_strip_rejects_mismatched_arguments():
    rows = np.zeros((2, 3, 28, 28, 1))
    with pytest.raises(ValueError, match="values"):
        editing.slider_strip(rows, [0, 1])
    with pytest.raises(ValueError, match="row_labels"):
        editing.slider_strip(rows, [0, 1, 2], row_labels=["only one"])
    with pytest.raises(ValueError, match="rows"):
        editing.slider_strip(np.zeros((2, 3, 28, 28, 3)), [0, 1, 2])
    with pytest.raises(ValueError, match="rows"):
        editing.slider_strip(np.zeros((3, 28, 28)), [0, 1, 2])


def test_widgets_are_not_available_outside_a_kernel():
    assert editing.widgets_available() is False


# ------------------------------------------------------------------------ inversion


def _tiny_generators():
    import keras
    from keras import layers

    keras.utils.set_random_seed(3)
    noise = keras.Input(shape=(4,))
    labels = keras.Input(shape=(), dtype="int32")
    embedded = layers.Embedding(3, 4)(labels)
    hidden = layers.Dense(16, activation="tanh")(layers.Concatenate()([noise, embedded]))
    images = layers.Reshape((8, 8, 1))(layers.Dense(64, activation="tanh")(hidden))
    conditional = keras.Model([noise, labels], images)
    plain_images = layers.Reshape((8, 8, 1))(layers.Dense(64, activation="tanh")(noise))
    return conditional, keras.Model(noise, plain_images)


def _targets(generator, count, conditional=True, seed=5):
    rng = np.random.default_rng(seed)
    codes = rng.normal(size=(count, 4)).astype(np.float32)
    codes = 2.0 * codes / np.linalg.norm(codes, axis=1, keepdims=True)  # radius sqrt(4)
    labels = rng.integers(0, 3, size=count)
    inputs = [codes, labels.astype(np.int32)] if conditional else codes
    return np.clip((generator(inputs).numpy() + 1) / 2, 0, 1), labels


def test_invert_reduces_error_and_keeps_codes_on_the_sphere():
    conditional, _ = _tiny_generators()
    targets, _ = _targets(conditional, 6)
    _, _, before = editing.invert(conditional, targets, search_steps=0, steps=0, seed=1)
    codes, labels, after = editing.invert(conditional, targets, search_steps=20, steps=60, seed=1)
    assert codes.shape == (6, 4) and labels.shape == (6,) and after.shape == (6,)
    assert set(labels.tolist()) <= {0, 1, 2}
    assert after.mean() < 0.25 * before.mean()
    np.testing.assert_allclose(np.linalg.norm(codes, axis=1), 2.0, rtol=1e-5)


def test_invert_with_given_labels_and_a_mask_only_fits_known_pixels():
    conditional, _ = _tiny_generators()
    targets, labels = _targets(conditional, 4)
    corrupted = targets.copy()
    corrupted[:, 4:] = 1.0 - corrupted[:, 4:]  # garbage in the bottom half
    known = 1.0 - editing.box_mask(4, 0, 4, 8, image_size=8)
    _, found, errors = editing.invert(conditional, corrupted, known=known, labels=labels, steps=80, seed=2)
    np.testing.assert_array_equal(found, labels)
    assert errors.mean() < 0.01  # the error is measured on the known (clean) half only


def test_invert_unconditional_generator():
    _, plain = _tiny_generators()
    targets, _ = _targets(plain, 3, conditional=False)
    codes, labels, errors = editing.invert(plain, targets, steps=80)
    assert labels is None and codes.shape == (3, 4) and errors.mean() < 0.01


def test_invert_rejects_bad_arguments():
    conditional, plain = _tiny_generators()
    targets = np.zeros((2, 8, 8, 1))
    with pytest.raises(TypeError, match="generator"):
        editing.invert("generator", targets)
    with pytest.raises(ValueError, match="targets"):
        editing.invert(plain, np.zeros((0, 8, 8, 1)))
    with pytest.raises(ValueError, match="known"):
        editing.invert(plain, targets, known=np.ones((5, 5, 1)))
    with pytest.raises(ValueError, match="known"):
        editing.invert(plain, targets, known=np.zeros((8, 8, 1)))
    with pytest.raises(ValueError, match="labels"):
        editing.invert(plain, targets, labels=[0, 1])
    with pytest.raises(ValueError, match="labels"):
        editing.invert(conditional, targets, labels=[0])
    with pytest.raises(ValueError, match="steps"):
        editing.invert(plain, targets, steps=-1)
    with pytest.raises(ValueError, match="learning_rate"):
        editing.invert(plain, targets, learning_rate=0)


def test_invert_searches_the_classes_of_a_one_hot_label_input():
    import keras
    from keras import layers

    keras.utils.set_random_seed(4)
    noise = keras.Input(shape=(4,))
    labels = keras.Input(shape=(), dtype="int32")
    one_hot = layers.CategoryEncoding(5, output_mode="one_hot")(labels)
    images = layers.Reshape((8, 8, 1))(layers.Dense(64, activation="tanh")(layers.Concatenate()([noise, one_hot])))
    generator = keras.Model([noise, labels], images)
    targets = np.clip((generator([np.ones((3, 4), np.float32), np.array([4, 4, 4], np.int32)]).numpy() + 1) / 2, 0, 1)
    _, found, errors = editing.invert(generator, targets, search_steps=30, steps=30)
    assert set(found.tolist()) <= set(range(5)) and errors.shape == (3,)
    assert 4 in found  # the class only reachable through the one-hot input's 5th slot


def _tiny_feature_model(seed=5):
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    images = keras.Input(shape=(8, 8, 1))
    features = layers.Dense(6, activation="tanh")(layers.Flatten()(images))
    return keras.Model(images, features)


def test_invert_feature_term_brings_reconstructions_closer_in_features():
    _, plain = _tiny_generators()
    targets, _ = _targets(plain, 4, conditional=False)
    targets = np.clip(targets + np.random.default_rng(3).normal(0, 0.2, targets.shape), 0, 1)  # not reachable exactly
    feature_model = _tiny_feature_model()

    def feature_distance(codes):
        images = np.clip((plain(codes).numpy() + 1) / 2, 0, 1)
        return np.mean((feature_model(images).numpy() - feature_model(targets).numpy()) ** 2)

    pixel_codes, _, _ = editing.invert(plain, targets, steps=80, seed=1)
    feature_codes, _, errors = editing.invert(plain, targets, steps=80, seed=1, feature_model=feature_model,
                                              feature_weight=50.0)
    assert errors.shape == (4,) and np.all(np.isfinite(errors))
    assert feature_distance(feature_codes) < feature_distance(pixel_codes)
    np.testing.assert_allclose(np.linalg.norm(feature_codes, axis=1), 2.0, rtol=1e-5)
    # weight 0 ignores the feature model: the same codes as the pixel-only inversion
    same_codes, _, _ = editing.invert(plain, targets, steps=80, seed=1, feature_model=feature_model)
    np.testing.assert_allclose(same_codes, pixel_codes, atol=1e-6)


def test_invert_rejects_bad_feature_arguments():
    _, plain = _tiny_generators()
    targets = np.zeros((2, 8, 8, 1))
    with pytest.raises(ValueError, match="feature_weight"):
        editing.invert(plain, targets, feature_weight=-1.0, feature_model=_tiny_feature_model())
    with pytest.raises(ValueError, match="feature_model"):
        editing.invert(plain, targets, feature_weight=1.0)
    with pytest.raises(TypeError, match="feature_model"):
        editing.invert(plain, targets, feature_weight=1.0, feature_model="evaluator")
    with pytest.raises(ValueError, match="known"):
        editing.invert(plain, targets, feature_weight=1.0, feature_model=_tiny_feature_model(),
                       known=np.ones((8, 8, 1)))
