"""Tests of the pieces of benchmarks/dcgan_vs_tutorial.py (not of its timings)."""

import importlib.util
from pathlib import Path

import keras
import numpy as np

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "dcgan_vs_tutorial.py"
spec = importlib.util.spec_from_file_location("dcgan_vs_tutorial", SCRIPT)
benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(benchmark)


def test_tutorial_networks_have_the_published_shapes_and_sizes():
    generator = benchmark.build_tutorial_generator(100)
    discriminator = benchmark.build_tutorial_discriminator()
    assert generator.input_shape == (None, 100)
    assert generator.output_shape == (None, 28, 28, 1)
    assert discriminator.output_shape == (None, 1)
    # the parameter counts the tutorial's model summaries print
    assert generator.count_params() == 2_330_944
    assert discriminator.count_params() == 212_865
    images = generator(np.zeros((2, 100), "float32"), training=False).numpy()
    assert np.all(np.abs(images) <= 1.0)  # tanh output
    kinds = [type(layer).__name__ for layer in generator.layers]
    assert kinds.count("Conv2DTranspose") == 3 and kinds.count("BatchNormalization") == 3
    assert [type(layer).__name__ for layer in discriminator.layers].count("Dropout") == 2


def test_time_budget_callback_stops_fit_early():
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    budget = benchmark.time_budget_callback(0.0)
    history = model.fit(np.zeros((64, 2)), np.zeros((64, 1)), batch_size=8, epochs=50, verbose=0, callbacks=[budget])
    assert budget.batches == 1
    assert len(history.history["loss"]) == 1


def _summary():
    run = {"frechet_distance": 10.0, "frechet_distance_untrained": 700.0, "train_seconds": 10.0, "steps": 100,
           "batch_size": 64, "images_seen": 6400, "epochs_equivalent": 1.8, "generator_parameters": 1,
           "discriminator_parameters": 2, "load_average_before": [1.0, 1.0, 1.0], "load_average_after": [2.0, 2.0, 2.0]}
    slow = dict(run, frechet_distance=40.0, steps=10, batch_size=256, images_seen=2560)
    return {"budget_seconds_per_gan": 10.0, "samples": 500, "data": "toy", "real_vs_real_floor": 1.0,
            "ratio_tutorial_over_ours": 4.0, "ours_better": True, "machine": {"date_utc": "2026-01-01 00:00"},
            "runs": {"0": {"ours": dict(run), "tutorial": slow}}}


def test_throughput_and_report():
    summary = benchmark.add_throughput(_summary())
    assert summary["runs"]["0"]["ours"]["images_per_second"] == 640.0
    assert summary["runs"]["0"]["tutorial"]["images_per_second"] == 256.0
    assert summary["tutorial_cost_per_image_vs_ours"] == 2.5
    table = benchmark.markdown_table(summary)
    assert "| 0 | ours | 10.00 | 700.0 | 100 x 64 | 1.8 | 640 |" in table
    assert "**4.00** (ours better)" in table
    assert "about 2 times fewer images per second" in table
