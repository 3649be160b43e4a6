"""Graded exercises of the image-editing lesson (lesson 7).

1. :data:`spherical_interpolation` -- write ``slerp(z0, z1, t)``.
2. :data:`masked_reconstruction_loss` -- the loss of an inpainting inversion, which may
   only look at the pixels that are not hidden.
3. :data:`attribute_direction` -- fit the latent direction along which a measured
   attribute grows.

Each grader runs the learner's function on fixed inputs and names the usual mistake
(linear instead of spherical, NaN for parallel vectors, counting hidden pixels, a flipped
or unnormalised direction) rather than only saying "wrong".
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import Exercise, Incorrect, call_answer


def _as_array(result, what):
    try:
        array = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raise Incorrect(f"{what} should be numbers, got {type(result).__name__}") from None
    return array


def _reference_slerp(z0, z1, t):
    cosine = np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1))
    omega = np.arccos(np.clip(cosine, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return (1.0 - t) * z0 + t * z1
    return (np.sin((1.0 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


# --------------------------------------------------------- 1. spherical interpolation

_RNG = np.random.default_rng(11)
_Z0 = _RNG.normal(size=64)
_Z1 = _RNG.normal(size=64)


def _grade_slerp(function):
    for t, where in ((0.0, "t=0"), (1.0, "t=1")):
        got = _as_array(call_answer(function, _Z0.copy(), _Z1.copy(), t), "the interpolated vector")
        if got.shape != _Z0.shape:
            raise Incorrect(f"wrong shape: expected a vector shaped {_Z0.shape} like z0, got {got.shape}")
        expected = _Z0 if t == 0.0 else _Z1
        if not np.allclose(got, expected, atol=1e-6):
            other = _Z1 if t == 0.0 else _Z0
            if np.allclose(got, other, atol=1e-6):
                raise Incorrect(f"at {where} you return the other end point: t=0 must give z0 and t=1 give z1")
            raise Incorrect(f"at {where} the result must be {'z0' if t == 0.0 else 'z1'} itself")
    middle = _as_array(call_answer(function, _Z0.copy(), _Z1.copy(), 0.5), "the interpolated vector")
    if np.allclose(middle, 0.5 * (_Z0 + _Z1), atol=1e-6):
        raise Incorrect(
            "that is linear interpolation: at t=0.5 the mean of two Gaussian vectors is about "
            f"{np.linalg.norm(middle):.1f} long instead of ~{np.sqrt(_Z0.size):.0f}. Follow the arc: "
            "sin((1-t)*omega)/sin(omega) * z0 + sin(t*omega)/sin(omega) * z1"
        )
    expected = _reference_slerp(_Z0, _Z1, 0.5)
    if not np.allclose(middle, expected, atol=1e-6):
        raise Incorrect(f"at t=0.5 expected a vector of length {np.linalg.norm(expected):.3f}, got one of "
                        f"length {np.linalg.norm(middle):.3f}: check the angle omega = arccos(z0.z1 / (|z0| |z1|)) "
                        "(did you divide by the norms?) and the sin weights")
    with np.errstate(all="ignore"):
        parallel = _as_array(call_answer(function, _Z0.copy(), 2.0 * _Z0, 0.5), "the interpolated vector")
    if not np.all(np.isfinite(parallel)):
        raise Incorrect("NaN when z0 and z1 point the same way: sin(omega) is 0 there. "
                        "When sin(omega) is tiny, fall back to linear interpolation")
    if not np.allclose(parallel, 1.5 * _Z0, atol=1e-4):
        raise Incorrect("for parallel z0 and z1 the result should be the linear mix (1-t)*z0 + t*z1")


spherical_interpolation = Exercise(
    name="slerp",
    grader=_grade_slerp,
    hint_text=(
        "Let omega = arccos(z0.z1 / (|z0| |z1|)) be the angle between the two codes. The point "
        "at fraction t of the arc is (sin((1-t) omega) z0 + sin(t omega) z1) / sin(omega). Guard "
        "against sin(omega) close to 0 (nearly parallel codes)."
    ),
    solution_code="""
        def slerp(z0, z1, t):
            cosine = np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1))
            omega = np.arccos(np.clip(cosine, -1.0, 1.0))
            if np.sin(omega) < 1e-6:            # (nearly) parallel: the arc is a line
                return (1 - t) * z0 + t * z1
            return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)
    """,
)


# ------------------------------------------------------ 2. masked reconstruction loss

_IMAGES_RNG = np.random.default_rng(12)
_GENERATED = _IMAGES_RNG.uniform(0.0, 1.0, size=(4, 6, 6, 1))
_TARGETS = _IMAGES_RNG.uniform(0.0, 1.0, size=(4, 6, 6, 1))
_HIDDEN = np.zeros((6, 6, 1))
_HIDDEN[1:4, 2:6] = 1.0  # 12 of 36 pixels hidden


def _per_image(squared_or_abs, weights):
    return (squared_or_abs * weights).sum(axis=(1, 2, 3)) / np.broadcast_to(weights, squared_or_abs.shape).sum(axis=(1, 2, 3))


def _grade_masked_loss(function):
    got = _as_array(call_answer(function, _GENERATED.copy(), _TARGETS.copy(), _HIDDEN.copy()), "the loss")
    n_images = len(_GENERATED)
    if got.shape == ():
        raise Incorrect(f"return one loss per image, shape ({n_images},), not a single number: "
                        "the inversion keeps the best restart of each image separately")
    if got.shape != (n_images,):
        raise Incorrect(f"expected one loss per image, shape ({n_images},), got shape {got.shape}")
    known = 1.0 - _HIDDEN
    squared = (_GENERATED - _TARGETS) ** 2
    expected = _per_image(squared, known)
    if np.allclose(got, expected, atol=1e-6):
        return
    if np.allclose(got, _per_image(squared, _HIDDEN), atol=1e-6):
        raise Incorrect("you measured the error on the HIDDEN pixels (mask = 1); the inversion may only "
                        "compare the known pixels, where 1 - mask = 1")
    if np.allclose(got, (squared * known).mean(axis=(1, 2, 3)), atol=1e-6):
        raise Incorrect("you divided by all the pixels, hidden ones included: the loss then shrinks as "
                        "the hole grows. Divide by the number of known pixels")
    if np.allclose(got, squared.mean(axis=(1, 2, 3)), atol=1e-6):
        raise Incorrect("the mask is ignored: you compared every pixel, including the hidden region")
    if np.allclose(got, _per_image(np.abs(_GENERATED - _TARGETS), known), atol=1e-6):
        raise Incorrect("that is the mean ABSOLUTE error; square the differences")
    raise Incorrect(f"expected losses {np.round(expected, 4)}, got {np.round(got, 4)}")


masked_reconstruction_loss = Exercise(
    name="masked reconstruction loss",
    grader=_grade_masked_loss,
    hint_text=(
        "Multiply the squared difference by known = 1 - hidden_mask, sum over height, width and "
        "channel, and divide by the number of known pixels (the sum of known over the same axes, "
        "broadcast to the image shape)."
    ),
    solution_code="""
        def masked_mse(generated, target, hidden_mask):
            known = 1.0 - hidden_mask                       # 1 where the pixel may be looked at
            squared = (generated - target) ** 2 * known
            n_known = np.sum(known * np.ones_like(target), axis=(1, 2, 3))
            return np.sum(squared, axis=(1, 2, 3)) / n_known
        # the same with tf.reduce_sum works inside a GradientTape
    """,
)


# ------------------------------------------------------------ 3. attribute direction

_DIRECTION_RNG = np.random.default_rng(13)
_LATENTS = _DIRECTION_RNG.normal(size=(400, 16))
_TRUE_DIRECTION = _DIRECTION_RNG.normal(size=16)
_TRUE_DIRECTION /= np.linalg.norm(_TRUE_DIRECTION)
_SCORES = 2.5 + 0.8 * _LATENTS @ _TRUE_DIRECTION + 0.1 * _DIRECTION_RNG.normal(size=400)


def _grade_direction(function):
    got = _as_array(call_answer(function, _LATENTS.copy(), _SCORES.copy()), "the direction")
    dimension = _LATENTS.shape[1]
    if got.shape == (dimension + 1,):
        raise Incorrect(f"{dimension + 1} numbers: drop the intercept; the direction lives in the "
                        f"{dimension}-dimensional latent space")
    if got.shape != (dimension,):
        raise Incorrect(f"expected a vector of shape ({dimension},) (one entry per latent dimension), got {got.shape}")
    length = np.linalg.norm(got)
    if not np.isfinite(length) or length == 0:
        raise Incorrect("the direction is zero or not finite")
    cosine = float(got @ _TRUE_DIRECTION / length)
    if cosine < -0.95:
        raise Incorrect("it points the wrong way: moving along it makes the attribute SMALLER")
    if cosine < 0.95:
        raise Incorrect(f"the direction is off (cosine {cosine:.2f} with the true one): regress the "
                        "scores on all latent dimensions at once, with an intercept")
    if not np.isclose(length, 1.0, atol=1e-3):
        raise Incorrect(f"right direction, but its length is {length:.3f}: divide by its norm so a step "
                        "of 1 along it means the same everywhere")


attribute_direction = Exercise(
    name="attribute direction",
    grader=_grade_direction,
    hint_text=(
        "Fit scores ~ latents @ w + b by least squares: centre both (subtract their means), "
        "then np.linalg.lstsq(centred_latents, centred_scores, rcond=None)[0] gives w. "
        "Return w / |w|."
    ),
    solution_code="""
        def attribute_direction(latents, scores):
            centred_latents = latents - latents.mean(axis=0)
            centred_scores = scores - scores.mean()
            weights = np.linalg.lstsq(centred_latents, centred_scores, rcond=None)[0]
            return weights / np.linalg.norm(weights)
    """,
)
