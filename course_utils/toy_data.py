"""A one-dimensional toy distribution for watching a GAN learn, and a figure to watch it.

Lesson 4 trains a tiny GAN on numbers drawn from a mixture of Gaussians (two bumps by
default): small enough to train in seconds, and one-dimensional, so the generator's whole
distribution fits in a histogram beside the true density.

    mixture = Mixture1D(means=(-2.0, 2.0), stds=(0.5, 0.5))
    real = mixture.sample(512, seed=0)              # float32, shape (512, 1)
    mixture.mode_shares(fake)                       # share of samples near each bump
    plot_density_snapshots(mixture, {0: fake_at_start, 1000: fake_later});
    plot_density_rows(mixture, {"healthy": snapshots, "collapsed": other_snapshots});
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_utils.validation import as_float_array, check_float, check_int


@dataclass(frozen=True)
class Mixture1D:
    """A mixture of one-dimensional Gaussians.

    Attributes:
        means: centre of each component.
        stds: standard deviation of each component (> 0), one per mean.
        weights: mixing weights (>= 0, summing to 1); ``None`` means equal weights.
    """

    means: tuple = (-2.0, 2.0)
    stds: tuple = (0.5, 0.5)
    weights: tuple | None = None

    def __post_init__(self):
        means = as_float_array(self.means, "means", ndim=1)
        stds = as_float_array(self.stds, "stds", ndim=1)
        if len(means) == 0:
            raise ValueError("means must hold at least one component")
        if len(stds) != len(means):
            raise ValueError(f"stds must have one entry per mean: {len(stds)} stds for {len(means)} means")
        if np.any(stds <= 0):
            raise ValueError(f"stds must all be > 0, got {stds.tolist()}")
        if self.weights is None:
            weights = np.full(len(means), 1.0 / len(means))
        else:
            weights = as_float_array(self.weights, "weights", ndim=1)
            if len(weights) != len(means):
                raise ValueError(f"weights must have one entry per mean: {len(weights)} weights for {len(means)} means")
            if np.any(weights < 0) or not np.isclose(weights.sum(), 1.0, atol=1e-6):
                raise ValueError(f"weights must be >= 0 and sum to 1, got {weights.tolist()}")
        # Stored as plain tuples so the object stays hashable and prints readably.
        object.__setattr__(self, "means", tuple(means.tolist()))
        object.__setattr__(self, "stds", tuple(stds.tolist()))
        object.__setattr__(self, "weights", tuple(weights.tolist()))

    def sample(self, n: int, *, seed: int = 0) -> np.ndarray:
        """Draw ``n`` numbers, returned as float32 shaped ``(n, 1)`` (a batch of 1-D points,
        the shape a Keras model takes). The same ``seed`` gives the same numbers."""
        n = check_int(n, "n", minimum=1)
        seed = check_int(seed, "seed", minimum=0)
        rng = np.random.default_rng(seed)
        component = rng.choice(len(self.means), size=n, p=self.weights)
        values = rng.normal(np.asarray(self.means)[component], np.asarray(self.stds)[component])
        return values.astype(np.float32)[:, None]

    def density(self, x) -> np.ndarray:
        """The probability density at each point of ``x`` (any shape; same shape returned)."""
        x = as_float_array(x, "x")
        total = np.zeros_like(x)
        for mean, std, weight in zip(self.means, self.stds, self.weights):
            total += weight * np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2.0 * np.pi))
        return total

    def mode_shares(self, samples, *, within: float = 3.0) -> np.ndarray:
        """The share of ``samples`` that fall at each component (each "mode"), in order.

        A sample counts for the component it is nearest to, measured in that component's
        standard deviations, if it lies within ``within`` of them; samples near no component
        count for none, so the shares sum to at most 1. A generator that has collapsed onto
        one mode puts (almost) all of its samples in one share.
        """
        values = as_float_array(samples, "samples", ndim=(1, 2)).reshape(-1)
        if len(values) == 0:
            raise ValueError("samples must hold at least one value")
        within = check_float(within, "within", minimum=0.0, inclusive=False)
        distances = np.abs(values[:, None] - np.asarray(self.means)) / np.asarray(self.stds)
        nearest = np.argmin(distances, axis=1)
        near = distances[np.arange(len(values)), nearest] <= within
        return np.bincount(nearest[near], minlength=len(self.means)) / len(values)

    def plot_range(self, margin: float = 4.0) -> tuple[float, float]:
        """An x-range that holds (almost) all the mass: ``margin`` standard deviations
        beyond the outermost components."""
        low = min(m - margin * s for m, s in zip(self.means, self.stds))
        high = max(m + margin * s for m, s in zip(self.means, self.stds))
        return float(low), float(high)


def _draw_panel(axis, mixture: Mixture1D, values: np.ndarray, edges: np.ndarray, title: str):
    """One panel: a histogram of ``values`` (clipped into the plotted range, so points that
    wandered off still show in the outermost bins) over the density of ``mixture``."""
    low, high = edges[0], edges[-1]
    grid = np.linspace(low, high, 400)
    axis.hist(np.clip(values, low, high), bins=edges, density=True, color="tab:orange",
              alpha=0.6, label="generator")
    axis.plot(grid, mixture.density(grid), color="tab:blue", label="real density")
    axis.set_title(title)
    axis.set_ylim(0, 2.5 * float(mixture.density(grid).max()))
    axis.set_xlabel("x")
    axis.set_ylabel("density")


def plot_density_snapshots(mixture: Mixture1D, snapshots: dict, *, n_columns: int = 3,
                           bins: int = 60, title: str | None = None):
    """One panel per training step: a histogram of the generator's samples over the true
    density of ``mixture``.

    Args:
        mixture: the real distribution (its density is drawn as a curve).
        snapshots: ``{step: generated_samples}``, samples shaped ``(N,)`` or ``(N, 1)``;
            panels follow the order of the keys.
        n_columns: panels per row.
        bins: histogram bins over ``mixture.plot_range()``; samples outside it are counted
            in the outermost bins, so a generator that wandered off still shows.
        title: figure title.

    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(mixture, Mixture1D):
        raise TypeError(f"mixture must be a Mixture1D, got {type(mixture).__name__}")
    if not isinstance(snapshots, dict) or not snapshots:
        raise ValueError("snapshots must be a non-empty dict {step: samples}")
    n_columns = check_int(n_columns, "n_columns", minimum=1)
    bins = check_int(bins, "bins", minimum=2)
    samples = {step: as_float_array(values, f"snapshots[{step!r}]", ndim=(1, 2)).reshape(-1)
               for step, values in snapshots.items()}

    low, high = mixture.plot_range()
    edges = np.linspace(low, high, bins + 1)
    n_columns = min(n_columns, len(samples))
    n_rows = int(np.ceil(len(samples) / n_columns))
    figure, axes = plt.subplots(n_rows, n_columns, figsize=(3.4 * n_columns, 2.6 * n_rows),
                                sharex=True, sharey=True, squeeze=False)
    for axis, (step, values) in zip(axes.flat, samples.items()):
        _draw_panel(axis, mixture, values, edges, f"step {step}")
    for axis in list(axes.flat)[len(samples):]:
        axis.axis("off")
    axes.flat[0].legend(fontsize=8)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_density_rows(mixture: Mixture1D, runs: dict, *, bins: int = 60,
                      title: str | None = None, panel_size: tuple = (2.4, 2.1)):
    """Several training runs side by side: one row of snapshot panels per run, as in
    :func:`plot_density_snapshots`; each panel is titled ``"step <step>"`` and the first
    panel of a row names its run above the y-axis label.

    Args:
        mixture: the real distribution (its density is drawn as a curve).
        runs: ``{run_name: {step: generated_samples}}``; rows follow the order of the runs,
            panels the order of each run's steps (runs may hold different numbers of steps).
        bins: histogram bins over ``mixture.plot_range()``.
        title: figure title.
        panel_size: width and height of one panel, in inches.

    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(mixture, Mixture1D):
        raise TypeError(f"mixture must be a Mixture1D, got {type(mixture).__name__}")
    if not isinstance(runs, dict) or not runs:
        raise ValueError("runs must be a non-empty dict {run_name: {step: samples}}")
    rows = {}
    for name, snapshots in runs.items():
        if not isinstance(snapshots, dict) or not snapshots:
            raise ValueError(f"runs[{name!r}] must be a non-empty dict {{step: samples}}")
        rows[name] = {step: as_float_array(values, f"runs[{name!r}][{step!r}]", ndim=(1, 2)).reshape(-1)
                      for step, values in snapshots.items()}
    bins = check_int(bins, "bins", minimum=2)
    if (not isinstance(panel_size, (tuple, list)) or len(panel_size) != 2
            or not all(isinstance(v, (int, float)) and v > 0 for v in panel_size)):
        raise ValueError(f"panel_size must be two positive numbers (width, height), got {panel_size!r}")

    low, high = mixture.plot_range()
    edges = np.linspace(low, high, bins + 1)
    n_columns = max(len(snapshots) for snapshots in rows.values())
    figure, axes = plt.subplots(len(rows), n_columns,
                                figsize=(panel_size[0] * n_columns, panel_size[1] * len(rows)),
                                sharex=True, sharey=True, squeeze=False)
    for row_axes, (name, snapshots) in zip(axes, rows.items()):
        for axis, (step, values) in zip(row_axes, snapshots.items()):
            _draw_panel(axis, mixture, values, edges, f"step {step}")
        row_axes[0].set_ylabel(f"{name}\ndensity")
        for axis in row_axes[len(snapshots):]:
            axis.axis("off")
    axes[0, 0].legend(fontsize=7)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
