"""Tests of course_utils.toy_data: the 1-D mixture of lesson 4 and its snapshot figures."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.toy_data import Mixture1D, plot_density_rows, plot_density_snapshots  # noqa: E402


def test_sample_shape_dtype_and_repeatability():
    mixture = Mixture1D()
    first = mixture.sample(1000, seed=3)
    assert first.shape == (1000, 1)
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, mixture.sample(1000, seed=3))
    assert not np.array_equal(first, mixture.sample(1000, seed=4))


def test_samples_follow_the_components():
    mixture = Mixture1D(means=(-3.0, 5.0), stds=(0.2, 0.4), weights=(0.25, 0.75))
    values = mixture.sample(20000, seed=0).ravel()
    left, right = values[values < 1.0], values[values >= 1.0]
    assert abs(len(left) / len(values) - 0.25) < 0.02
    assert abs(left.mean() + 3.0) < 0.02 and abs(left.std() - 0.2) < 0.02
    assert abs(right.mean() - 5.0) < 0.02 and abs(right.std() - 0.4) < 0.02


def test_equal_weights_by_default_and_stored_as_tuples():
    mixture = Mixture1D(means=[0.0, 1.0, 2.0], stds=[1.0, 1.0, 1.0])
    assert mixture.weights == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert isinstance(mixture.means, tuple) and isinstance(mixture.stds, tuple)


def test_density_integrates_to_one_and_matches_a_single_gaussian():
    mixture = Mixture1D()
    grid = np.linspace(-10, 10, 20001)
    assert np.trapezoid(mixture.density(grid), grid) == pytest.approx(1.0, abs=1e-6)
    single = Mixture1D(means=(1.0,), stds=(2.0,))
    expected = np.exp(-0.5 * ((0.0 - 1.0) / 2.0) ** 2) / (2.0 * np.sqrt(2 * np.pi))
    assert single.density(np.array([0.0]))[0] == pytest.approx(expected)
    assert single.density(np.zeros((2, 3))).shape == (2, 3)


def test_plot_range_covers_the_components():
    low, high = Mixture1D(means=(-2.0, 2.0), stds=(0.5, 1.0)).plot_range(margin=3.0)
    assert (low, high) == (-3.5, 5.0)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"means": ()}, ValueError, "means"),
    ({"means": "ab"}, TypeError, "means"),
    ({"stds": (0.5,)}, ValueError, "stds"),
    ({"stds": (0.5, 0.0)}, ValueError, "stds"),
    ({"weights": (1.0,)}, ValueError, "weights"),
    ({"weights": (0.7, 0.7)}, ValueError, "weights"),
    ({"weights": (1.5, -0.5)}, ValueError, "weights"),
])
def test_mixture_rejects_bad_parameters(kwargs, error, words):
    with pytest.raises(error, match=words):
        Mixture1D(**kwargs)


def test_sample_and_density_reject_bad_arguments():
    mixture = Mixture1D()
    with pytest.raises(TypeError, match="n must be an integer"):
        mixture.sample(2.5)
    with pytest.raises(ValueError, match="n must be >= 1"):
        mixture.sample(0)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        mixture.sample(5, seed=-1)
    with pytest.raises(TypeError, match="x must"):
        mixture.density("x")
    with pytest.raises(ValueError, match="x contains NaN"):
        mixture.density([np.nan])


def test_plot_density_snapshots_draws_one_panel_per_step():
    mixture = Mixture1D()
    snapshots = {0: np.zeros((50, 1)), 10: mixture.sample(200, seed=1), 99: np.full(30, 100.0)}
    figure = plot_density_snapshots(mixture, snapshots, n_columns=2, bins=20, title="toy")
    try:
        used = [axis for axis in figure.axes if axis.get_visible() and axis.axison]
        assert [axis.get_title() for axis in used] == ["step 0", "step 10", "step 99"]
        assert len(figure.axes) == 4  # 2 x 2 grid, the last panel switched off
        assert figure._suptitle.get_text() == "toy"
        for axis in used:
            assert axis.get_xlabel() == "x" and axis.get_ylabel() == "density"
            assert len(axis.patches) == 20  # the histogram bars
            curve_x, curve_y = axis.lines[0].get_data()
            np.testing.assert_allclose(curve_y, mixture.density(curve_x))
        # samples far outside the range are clipped into the last bin, not dropped
        last_bars = [patch.get_height() for patch in used[2].patches]
        assert last_bars[-1] > 0 and sum(last_bars[:-1]) == 0
    finally:
        plt.close(figure)


def test_plot_density_snapshots_rejects_bad_arguments():
    mixture = Mixture1D()
    with pytest.raises(TypeError, match="mixture"):
        plot_density_snapshots((0.0, 1.0), {0: np.zeros(3)})
    with pytest.raises(ValueError, match="snapshots"):
        plot_density_snapshots(mixture, {})
    with pytest.raises(ValueError, match="snapshots"):
        plot_density_snapshots(mixture, [np.zeros(3)])
    with pytest.raises(ValueError, match=r"snapshots\[5\]"):
        plot_density_snapshots(mixture, {5: np.zeros((2, 2, 2))})
    with pytest.raises(ValueError, match="bins"):
        plot_density_snapshots(mixture, {0: np.zeros(3)}, bins=1)
    with pytest.raises(TypeError, match="n_columns"):
        plot_density_snapshots(mixture, {0: np.zeros(3)}, n_columns=1.5)


def test_mode_shares_follow_the_weights_and_see_a_collapse():
    mixture = Mixture1D(means=(-2.0, 2.0), stds=(0.5, 0.5), weights=(0.3, 0.7))
    shares = mixture.mode_shares(mixture.sample(20000, seed=1))
    assert shares.shape == (2,)
    assert shares == pytest.approx([0.3, 0.7], abs=0.02)
    assert shares.sum() > 0.99  # within 3 standard deviations: almost every sample
    collapsed = np.full((500, 1), 1.8, dtype=np.float32)
    np.testing.assert_array_equal(mixture.mode_shares(collapsed), [0.0, 1.0])
    between = np.zeros(100)  # 4 standard deviations from both means: near no mode
    np.testing.assert_array_equal(mixture.mode_shares(between), [0.0, 0.0])
    np.testing.assert_array_equal(mixture.mode_shares(between, within=5.0), [1.0, 0.0])


def test_mode_shares_measure_distance_in_each_components_stds():
    mixture = Mixture1D(means=(0.0, 10.0), stds=(1.0, 4.0))
    # 3 is 3 stds from 0 but under 2 stds from 10: it belongs to the wide component
    np.testing.assert_array_equal(mixture.mode_shares([3.0, 0.5, 9.0]), [1 / 3, 2 / 3])


def test_mode_shares_reject_bad_arguments():
    mixture = Mixture1D()
    with pytest.raises(ValueError, match="samples must hold"):
        mixture.mode_shares([])
    with pytest.raises(TypeError, match="samples"):
        mixture.mode_shares("abc")
    with pytest.raises(ValueError, match="within"):
        mixture.mode_shares([1.0], within=0.0)


def test_plot_density_rows_draws_one_row_per_run():
    mixture = Mixture1D()
    runs = {
        "healthy": {0: np.zeros(40), 50: mixture.sample(300, seed=2), 100: mixture.sample(300, seed=3)},
        "collapsed": {0: np.zeros((40, 1)), 100: np.full(60, 2.0)},
    }
    figure = plot_density_rows(mixture, runs, bins=30, title="two runs")
    try:
        assert len(figure.axes) == 6  # 2 rows x 3 columns, the collapsed row's last panel off
        used = [axis for axis in figure.axes if axis.axison]
        assert [axis.get_title() for axis in used] == [
            "step 0", "step 50", "step 100", "step 0", "step 100",
        ]
        assert [axis.get_ylabel() for axis in used] == [
            "healthy\ndensity", "density", "density", "collapsed\ndensity", "density",
        ]
        assert figure._suptitle.get_text() == "two runs"
        for axis in used:
            assert len(axis.patches) == 30
            curve_x, curve_y = axis.lines[0].get_data()
            np.testing.assert_allclose(curve_y, mixture.density(curve_x))
        # the collapsed run's last panel: every sample in the one bin that holds x = 2
        heights = np.array([patch.get_height() for patch in used[4].patches])
        assert np.count_nonzero(heights) == 1
        left_edges = np.array([patch.get_x() for patch in used[4].patches])
        widths = np.array([patch.get_width() for patch in used[4].patches])
        filled = int(np.argmax(heights))
        assert left_edges[filled] <= 2.0 < left_edges[filled] + widths[filled]
        np.testing.assert_allclose(figure.get_size_inches(), (3 * 2.4, 2 * 2.1))
    finally:
        plt.close(figure)


def test_plot_density_rows_rejects_bad_arguments():
    mixture = Mixture1D()
    good = {"run": {0: np.zeros(3)}}
    with pytest.raises(TypeError, match="mixture"):
        plot_density_rows("mixture", good)
    with pytest.raises(ValueError, match="runs must"):
        plot_density_rows(mixture, {})
    with pytest.raises(ValueError, match=r"runs\['run'\] must"):
        plot_density_rows(mixture, {"run": {}})
    with pytest.raises(ValueError, match=r"runs\['run'\] must"):
        plot_density_rows(mixture, {"run": [np.zeros(3)]})
    with pytest.raises(ValueError, match=r"runs\['run'\]\[7\]"):
        plot_density_rows(mixture, {"run": {7: np.zeros((2, 2, 2))}})
    with pytest.raises(ValueError, match="bins"):
        plot_density_rows(mixture, good, bins=1)
    with pytest.raises(ValueError, match="panel_size"):
        plot_density_rows(mixture, good, panel_size=(2.0, 0.0))
