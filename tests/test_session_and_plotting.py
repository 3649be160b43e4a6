"""setup(), the run mode and claims, and the plotting helpers."""

import random
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import course_utils as cu  # noqa: E402


def test_setup_seeds_everything_and_reports(capsys):
    assert cu.setup(5) is None  # a cell ending with cu.setup(SEED) shows only the printed report
    first = (random.random(), np.random.rand())
    import keras
    first_keras = keras.ops.convert_to_numpy(keras.random.normal((3,)))
    cu.setup(5, verbose=False)
    assert (random.random(), np.random.rand()) == first
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(keras.random.normal((3,))), first_keras)
    printed = capsys.readouterr().out
    assert "TensorFlow" in printed and "Network:" in printed and "Colab: no" in printed
    assert "run mode: classroom" in printed
    report = cu.session.environment_report()
    assert report["colab"] is False
    assert set(report) >= {"python", "tensorflow", "keras", "numpy", "device", "online"}


def test_the_run_mode_decides_what_a_failed_claim_does(capsys):
    try:
        cu.setup(0, run_mode="classroom", verbose=False)
        assert cu.run_mode() == "classroom"
        assert cu.claim(2 > 1, "two is more than one") is None  # a cell ending with a claim shows nothing
        with pytest.raises(cu.session.ClaimNotMet, match="The lesson says: one is more than two") as raised:
            cu.claim(1 > 2, "one is more than two")
        assert 'RUN_MODE = "explore"' in str(raised.value)
        cu.setup(0, run_mode="explore", verbose=False)
        cu.claim(False, "one is more than two")
        assert capsys.readouterr().out == "Note: The lesson says: one is more than two. This run does not show it.\n"
        cu.setup(0, run_mode="smoke", verbose=False)
        cu.claim(False, "tiny runs prove nothing")
        assert capsys.readouterr().out == ""
        with pytest.raises(TypeError, match="statement"):
            cu.claim(True, "")
    finally:
        cu.setup(0, verbose=False)
    assert cu.run_mode() == "classroom"


@pytest.mark.parametrize("call, error, words", [
    (lambda: cu.setup(-3), ValueError, "seed must be >= 0"),
    (lambda: cu.setup("42"), TypeError, "seed must be an integer"),
    (lambda: cu.setup(1, verbose="yes"), TypeError, "verbose must be True or False"),
    (lambda: cu.setup(1, run_mode="fast"), ValueError, "run_mode"),
])
def test_setup_rejects_bad_input(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_show_images_draws_a_labelled_grid():
    images = np.random.default_rng(0).uniform(size=(12, 28, 28, 1))
    figure = cu.plotting.show_images(images, labels=list(range(12)), n_columns=5, title="digits")
    axes = figure.axes
    assert len(axes) == 15  # 3 rows of 5
    np.testing.assert_allclose(axes[7].images[0].get_array(), images[7, ..., 0])
    assert axes[7].get_title() == "7"
    assert figure._suptitle.get_text() == "digits"


def test_show_images_accepts_tanh_range():
    figure = cu.plotting.show_images(np.full((2, 28, 28), -1.0), value_range=(-1, 1))
    assert figure.axes[0].images[0].get_clim() == (-1, 1)


def test_plot_history_draws_both_curves():
    figure = cu.plotting.plot_history({"loss": [3, 2, 1], "val_loss": [3.5, 2.5, 2.0], "accuracy": [0.1, 0.5, 0.9]},
                                      metrics=("loss", "accuracy"))
    loss_axis = figure.axes[0]
    assert [list(line.get_ydata()) for line in loss_axis.lines] == [[3, 2, 1], [3.5, 2.5, 2.0]]
    assert loss_axis.get_xlabel() == "epoch" and loss_axis.get_ylabel() == "loss"
    assert len(figure.axes[1].lines) == 1


def test_plot_confusion_matrix_writes_every_nonzero_count_in_its_cell():
    matrix = np.array([[5, 1, 0], [0, 7, 2], [3, 0, 4]])
    figure = cu.plotting.plot_confusion_matrix(matrix, title="counts")
    axis = figure.axes[0]
    np.testing.assert_array_equal(axis.images[0].get_array(), matrix)
    written = {(text.get_position(), text.get_text()) for text in axis.texts}
    assert written == {((1, 0), "1"), ((0, 0), "5"), ((1, 1), "7"), ((2, 1), "2"), ((0, 2), "3"), ((2, 2), "4")}
    assert axis.get_xlabel() == "predicted digit" and axis.get_ylabel() == "true digit"
    assert axis.get_title() == "counts"


def test_show_mistakes_labels_each_image_with_truth_prediction_and_confidence():
    images = np.random.default_rng(0).uniform(size=(3, 28, 28))
    figure = cu.plotting.show_mistakes(images, [7, 4, 2], [1, 9, 3], [0.934, 0.5, 1.0], n_columns=2)
    assert len(figure.axes) == 4
    assert [axis.get_title() for axis in figure.axes[:3]] == [
        "true 7, read 1\n93% sure", "true 4, read 9\n50% sure", "true 2, read 3\n100% sure"]
    np.testing.assert_allclose(figure.axes[2].images[0].get_array(), images[2])


@pytest.mark.parametrize("call, error, words", [
    (lambda: cu.plotting.show_images(np.zeros((0, 28, 28))), ValueError, "at least one image"),
    (lambda: cu.plotting.show_images(np.zeros((2, 28, 28)), labels=[1]), ValueError, "one entry per image"),
    (lambda: cu.plotting.show_images(np.zeros((2, 28, 28)), n_columns=0), ValueError, "n_columns must be >= 1"),
    (lambda: cu.plotting.show_images(np.full((2, 28, 28), -1.0)), ValueError, "pixel values in [0.0, 1.0]"),
    (lambda: cu.plotting.show_images(np.zeros((28, 28))), ValueError, "images must have 3 or 4 dimensions"),
    (lambda: cu.plotting.plot_history([1, 2]), TypeError, "history must be a keras History"),
    (lambda: cu.plotting.plot_history({"loss": [1]}, metrics=("accuracy",)), ValueError, "not in the history"),
    (lambda: cu.plotting.plot_confusion_matrix(np.ones((2, 3))), ValueError, "matrix must be square"),
    (lambda: cu.plotting.plot_confusion_matrix(np.full((2, 2), 0.5)), ValueError, "whole numbers"),
    (lambda: cu.plotting.plot_confusion_matrix(np.ones(4)), ValueError, "matrix must have"),
    (lambda: cu.plotting.show_mistakes(np.zeros((2, 28, 28)), [1, 2], [3], [0.5, 0.5]), ValueError,
     "predicted_labels must have one entry per image"),
    (lambda: cu.plotting.show_mistakes(np.zeros((2, 28, 28)), [1, 2], [3, 4], [0.5, 1.5]), ValueError,
     "confidences must be probabilities"),
    (lambda: cu.plotting.show_mistakes(np.zeros((0, 28, 28)), [], [], []), ValueError, "at least one image"),
])
def test_plotting_rejects_bad_input(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


@pytest.mark.parametrize("call, error, words", [
    (lambda: cu.exercises.Exercise("", print, "", ""), TypeError, "name must be a non-empty string"),
    (lambda: cu.exercises.Exercise("x", "not callable", "", ""), TypeError, "grader must be callable"),
])
def test_exercise_rejects_bad_definitions(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()
