"""The GAN class trains unchanged under tf.distribute.MirroredStrategy.

Logical devices must be configured before TensorFlow initialises, so the check runs in a
fresh Python process with two logical CPU devices. With networks that have no BatchNorm
(whose statistics are per replica by design), two replicas of 16 images must take the
same steps as one device with batches of 32: that holds only if the losses are divided
by the GLOBAL batch size (the optimizer sums the replicas' gradients) and the noise is
the same slice of the same global draw.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    import course_utils as cu
    cu.setup(0, verbose=False)
    import keras
    from keras import layers
    from course_utils import gan as G

    images = cu.data.load_mnist("offline", seed=0).x_train[:96] * 2 - 1

    def small_gan(seed):
        keras.utils.set_random_seed(seed)
        noise = keras.Input((8,))
        x = layers.Reshape((7, 7, 4))(layers.Dense(7 * 7 * 4)(noise))
        fake = layers.Conv2DTranspose(1, 4, strides=4, activation="tanh")(x)
        image = keras.Input((28, 28, 1))
        logit = layers.Dense(1)(layers.Flatten()(layers.Conv2D(4, 4, strides=4)(image)))
        gan = G.GAN(keras.Model(noise, fake), keras.Model(image, logit), 8, seed=seed)
        gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
        return gan

    def run(strategy, build):
        with strategy.scope():
            gan = build()
        history = G.train(gan, images, epochs=2, batch_size=32, seed=0)
        return gan, history.history

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    one, one_history = run(tf.distribute.get_strategy(), lambda: small_gan(1))
    two, two_history = run(strategy, lambda: small_gan(1))
    difference = max(float(np.max(np.abs(a.numpy() - b.numpy()))) for a, b in zip(one.weights, two.weights))
    changed = max(float(np.max(np.abs(a.numpy() - b.numpy())))
                  for a, b in zip(one.weights, small_gan(1).weights))

    lesson_gan, lesson_history = run(strategy, lambda: G.make_gan("dcgan", latent_dim=8, seed=0))
    json.dump({
        "replicas": strategy.num_replicas_in_sync,
        "max_weight_difference": difference,
        "max_weight_change": changed,
        "d_loss": [one_history["d_loss"], two_history["d_loss"]],
        "g_loss": [one_history["g_loss"], two_history["g_loss"]],
        "lesson_history": lesson_history,
        "steps": int(lesson_gan.g_optimizer.iterations.numpy()),
    }, sys.stdout)
    """
)


def test_gan_trains_the_same_on_two_replicas_as_on_one_device(tmp_path):
    repository = Path(__file__).resolve().parent.parent
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "COURSE_ARTIFACTS": str(tmp_path)}
    completed = subprocess.run([sys.executable, "-c", SCRIPT], cwd=repository, env=environment,
                               capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2
    assert result["max_weight_change"] > 1e-3  # training moved the weights ...
    assert result["max_weight_difference"] < 1e-5  # ... identically on 1 and 2 devices
    for one, two in (result["d_loss"], result["g_loss"]):
        assert len(one) == len(two) == 2
        for a, b in zip(one, two):
            assert abs(a - b) < 1e-4
    history = result["lesson_history"]
    assert set(history) == {"d_loss", "g_loss", "d_accuracy_real", "d_accuracy_fake"}
    assert all(0 < value < 10 for value in history["d_loss"] + history["g_loss"])
    assert all(0 <= value <= 1 for value in history["d_accuracy_real"] + history["d_accuracy_fake"])
    assert result["steps"] == 2 * 3
