"""Graded exercises of lesson 5 (DCGAN).

* :data:`discriminator_accuracies` -- D's accuracy on real and on generated images, read
  from its logits (the two curves that diagnose a discriminator that wins);
* :data:`global_batch_loss` -- the per-replica loss that makes a ``train_step`` correct
  under ``MirroredStrategy``: sum of per-example losses over the GLOBAL batch size;
* :data:`frechet_distance` -- the Frechet distance between two Gaussians, from their means
  and covariances, as the lesson's quality score computes it.

Each grader runs the learner's function on small fixed inputs, compares with the
reference, and names the usual mistakes.
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import Exercise, Incorrect, call_answer

_REAL_LOGITS = np.array([[2.0], [0.3], [-1.0], [4.0], [-0.2], [0.6], [1.5], [-3.0]], dtype=np.float32)
_FAKE_LOGITS = np.array([[-2.0], [0.4], [-0.1], [-5.0], [0.2]], dtype=np.float32)


def _number(value, what):
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise Incorrect(f"{what} must be one number, got an array of shape {array.shape}.")
    return float(array.reshape(()))


def _close(a, b, tolerance=1e-5):
    return abs(a - b) <= tolerance * max(1.0, abs(b))


# ------------------------------------------------------------ discriminator accuracies


def _accuracy(logits, real: bool, threshold=0.0):
    return float(np.mean(logits > threshold) if real else np.mean(logits < threshold))


def _grade_discriminator_accuracies(function):
    import tensorflow as tf

    answer = call_answer(function, tf.constant(_REAL_LOGITS), tf.constant(_FAKE_LOGITS))
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Incorrect("return two numbers: (accuracy on real images, accuracy on generated images).")
    real, fake = _number(answer[0], "The accuracy on real images"), _number(answer[1], "The accuracy on generated images")
    expected = (_accuracy(_REAL_LOGITS, True), _accuracy(_FAKE_LOGITS, False))
    if _close(real, expected[0]) and _close(fake, expected[1]):
        return
    if _close(real, expected[1]) and _close(fake, expected[0]):
        raise Incorrect("the two numbers are swapped: return (accuracy on real, accuracy on generated).")
    if _close(real, _accuracy(_REAL_LOGITS, True, 0.5)) and _close(fake, _accuracy(_FAKE_LOGITS, False, 0.5)):
        raise Incorrect("you compared the LOGITS with 0.5; a probability of 0.5 is a logit of 0 (sigmoid(0) = 0.5).")
    if _close(real, expected[0]) and _close(fake, 1 - expected[1]):
        raise Incorrect("the accuracy on generated images counts the images D calls FAKE (logit < 0), not real.")
    if _close(real, float(np.mean(1 / (1 + np.exp(-_REAL_LOGITS))))):
        raise Incorrect("you averaged D's probabilities; accuracy is the share of images classified correctly.")
    raise Incorrect(f"on test logits the answer is ({expected[0]:.3f}, {expected[1]:.3f}); you returned ({real:.3f}, {fake:.3f}).")


discriminator_accuracies = Exercise(
    name="Discriminator accuracies",
    grader=_grade_discriminator_accuracies,
    hint_text=(
        "D outputs logits. It calls an image real when its logit is above 0 (probability above 0.5). "
        "Accuracy on real images: the share of real logits above 0. On generated images: the share "
        "of fake logits below 0. Cast the comparisons to float and take the mean."
    ),
    solution_code="""
        def discriminator_accuracies(real_logits, fake_logits):
            accuracy_real = tf.reduce_mean(tf.cast(real_logits > 0, "float32"))
            accuracy_fake = tf.reduce_mean(tf.cast(fake_logits < 0, "float32"))
            return accuracy_real, accuracy_fake
    """,
)


# ---------------------------------------------------------------- global batch loss

_PER_EXAMPLE = np.array([0.5, 1.5, 2.0, 0.25, 0.75], dtype=np.float32)
_GLOBAL_BATCH = 20  # e.g. 4 replicas x 5 examples


def _grade_global_batch_loss(function):
    import tensorflow as tf

    got = _number(call_answer(function, tf.constant(_PER_EXAMPLE), _GLOBAL_BATCH), "Your loss")
    expected = float(_PER_EXAMPLE.sum() / _GLOBAL_BATCH)
    if _close(got, expected):
        other = _number(call_answer(function, tf.constant(_PER_EXAMPLE), 5), "Your loss")
        if not _close(other, float(_PER_EXAMPLE.mean())):
            raise Incorrect("the result must use the global_batch_size argument, not a fixed number.")
        return
    mistakes = [
        (float(_PER_EXAMPLE.mean()),
         "that is the mean over this replica's examples. The optimizer SUMS the replicas' gradients, "
         "so with 4 replicas the step would be 4 times too large: divide the sum by the GLOBAL batch size."),
        (float(_PER_EXAMPLE.sum()), "that is the plain sum: divide it by the global batch size."),
        (float(_PER_EXAMPLE.mean() / _GLOBAL_BATCH), "you divided the MEAN by the global batch size; divide the SUM."),
        (float(_PER_EXAMPLE.sum() * _GLOBAL_BATCH), "multiply? Divide the sum by the global batch size."),
    ]
    for value, message in mistakes:
        if _close(got, value):
            raise Incorrect(message)
    raise Incorrect(f"for these losses and a global batch of {_GLOBAL_BATCH} the answer is {expected:.4f}, not {got:.4f}.")


global_batch_loss = Exercise(
    name="Loss over the global batch",
    grader=_grade_global_batch_loss,
    hint_text=(
        "Each replica sees per_example_loss for its own slice of the batch. The gradients of all "
        "replicas are added together, so each replica must contribute sum(its losses) / "
        "global_batch_size: then the total is the mean over the whole batch."
    ),
    solution_code="""
        def global_batch_loss(per_example_loss, global_batch_size):
            return tf.reduce_sum(per_example_loss) / global_batch_size
            # tf.nn.compute_average_loss(per_example_loss, global_batch_size=...) does the same
    """,
)


# ---------------------------------------------------------------- Frechet distance


def _gaussians():
    rng = np.random.default_rng(7)
    a = rng.normal(size=(3, 3))
    b = rng.normal(size=(3, 3))
    return (np.array([0.5, -1.0, 2.0]), a @ a.T + 0.5 * np.eye(3),
            np.array([1.0, 0.0, 1.5]), b @ b.T + 0.2 * np.eye(3))


def _reference_frechet(mean_a, cov_a, mean_b, cov_b):
    from scipy import linalg

    root = linalg.sqrtm(cov_a @ cov_b).real
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def _grade_frechet_distance(function):
    mean_a, cov_a, mean_b, cov_b = _gaussians()
    answer = call_answer(function, mean_a, cov_a, mean_b, cov_b)
    if np.iscomplexobj(np.asarray(answer)):
        raise Incorrect("the result is a complex number: keep the real part of sqrtm's result (.real).")
    got = _number(answer, "The Frechet distance")
    expected = _reference_frechet(mean_a, cov_a, mean_b, cov_b)
    if _close(got, expected, 1e-4):
        same = _number(call_answer(function, mean_a, cov_a, mean_a, cov_a), "The Frechet distance")
        if abs(same) > 1e-6:
            raise Incorrect(f"two identical Gaussians must be at distance 0, you get {same:.3g}.")
        return
    distance_of_means = float(np.sum((mean_a - mean_b) ** 2))
    mistakes = [
        (float(np.sqrt(np.sum((mean_a - mean_b) ** 2)) + np.trace(cov_a + cov_b - 2 * np.real(_sqrtm(cov_a @ cov_b)))),
         "the mean term is the SQUARED distance |mu_a - mu_b|^2, without a square root."),
        (distance_of_means, "only the means are compared: add the covariance term Tr(S_a + S_b - 2 (S_a S_b)^(1/2))."),
        (float(distance_of_means + np.trace(cov_a + cov_b - 2 * np.sqrt(np.abs(cov_a @ cov_b)))),
         "np.sqrt takes the square root of each ENTRY; the formula needs the MATRIX square root, scipy.linalg.sqrtm."),
        (float(distance_of_means + np.trace(cov_a + cov_b - np.real(_sqrtm(cov_a @ cov_b)))),
         "the matrix square root is counted twice: Tr(S_a + S_b - 2 (S_a S_b)^(1/2))."),
        (float(distance_of_means + np.trace(cov_a + cov_b + 2 * np.real(_sqrtm(cov_a @ cov_b)))),
         "wrong sign: the cross term is SUBTRACTED, Tr(S_a + S_b - 2 (S_a S_b)^(1/2))."),
    ]
    for value, message in mistakes:
        if _close(got, value, 1e-4):
            raise Incorrect(message)
    raise Incorrect(f"for the test Gaussians the distance is {expected:.4f}, not {got:.4f}.")


def _sqrtm(matrix):
    from scipy import linalg

    return linalg.sqrtm(matrix)


frechet_distance = Exercise(
    name="Frechet distance",
    grader=_grade_frechet_distance,
    hint_text=(
        "d^2 = |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)). The square root is a matrix square "
        "root (scipy.linalg.sqrtm); rounding can give it a tiny imaginary part, so keep .real."
    ),
    solution_code="""
        from scipy import linalg

        def frechet_distance(mean_a, cov_a, mean_b, cov_b):
            root = linalg.sqrtm(cov_a @ cov_b).real
            return np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root)
    """,
)
