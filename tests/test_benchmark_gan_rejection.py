"""Tests of benchmarks/gan_rejection.py: which generated digits the rejection keeps."""

import importlib.util
from pathlib import Path

import numpy as np

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "gan_rejection.py"
spec = importlib.util.spec_from_file_location("gan_rejection", SCRIPT)
benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(benchmark)


def _pool(size):
    # image i is filled with the value i / size * 2 - 1 (in [-1, 1]), so it can be recognised
    raw = np.repeat((np.arange(size) / size * 2 - 1)[:, None, None, None], 28 * 28, axis=1)
    return raw.reshape(size, 28, 28, 1).astype(np.float32)


def test_keeping_everything_is_the_first_candidates_unchanged():
    raw = _pool(2000)
    logits = np.random.default_rng(0).normal(size=2000)
    kept = benchmark.kept_images(raw, logits, 1.0)
    np.testing.assert_allclose(kept, (raw[:1000] + 1) / 2)


def test_rejection_keeps_the_highest_logits_of_its_pool_only():
    raw = _pool(4000)
    logits = np.zeros(4000)
    logits[1000:2000] = 5.0  # the best 1,000 of the first 2,000 candidates
    logits[3000:] = 9.0  # outside the pool that f = 0.5 looks at: must not be taken
    kept = benchmark.kept_images(raw, logits, 0.5)
    assert kept.shape == (1000, 28, 28, 1)
    np.testing.assert_allclose(kept, (raw[1000:2000] + 1) / 2)


def test_the_pool_is_as_large_as_the_smallest_fraction_needs():
    class Stub:  # a generator and a discriminator that only record what they are asked
        def __init__(self, output):
            self.output, self.inputs = output, [np.zeros((1, 3))]

        def predict(self, values, batch_size, verbose):
            self.seen = len(values)
            return self.output(values)

    gan = type("GAN", (), {})()
    gan.generator = gan.sampling_generator = Stub(lambda codes: np.zeros((len(codes), 28, 28, 1)))
    gan.discriminator = Stub(lambda images: np.ones((len(images), 1)))
    raw, logits = benchmark.candidates(gan, seed=0, keep_fractions=[1.0, 0.4])
    assert len(raw) == len(logits) == 2500 and gan.discriminator.seen == 2500
