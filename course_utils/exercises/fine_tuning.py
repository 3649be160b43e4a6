"""Graded exercises of lesson 3 (feature extraction and fine-tuning).

1. ``freeze_for_fine_tuning`` -- unfreeze ``"block2_conv"`` and ``"features"`` of a base,
   keep everything else (BatchNormalization included) frozen.
2. ``trainable_parameters`` -- count the weights those two layers hold.
3. ``fine_tuning_learning_rate`` -- pick a learning rate for fine-tuning.
4. ``labels_where_scratch_catches_up`` -- read a learning curve.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_utils.exercises import Exercise, Incorrect, call_answer

TOP_LAYERS = ("block2_conv", "features")
# block2_conv: 3x3 kernel, 16 -> 32 channels, no bias; features: Dense(128) on 7*7*32 inputs
_CONV_PARAMETERS = 3 * 3 * 16 * 32
_DENSE_PARAMETERS = 7 * 7 * 32 * 128 + 128
TRAINABLE_PARAMETERS = _CONV_PARAMETERS + _DENSE_PARAMETERS


# ------------------------------------------------------------ 1. freeze the right layers


def _fresh_base():
    from course_utils import models

    return models.feature_extractor(models.build_classifier(augment=False))


def _grade_freeze(function):
    from keras import layers

    base = _fresh_base()
    result = call_answer(function, base)
    import keras

    if not isinstance(result, keras.Model):
        raise Incorrect(f"return the base (a keras.Model), got {type(result).__name__}")
    trainable_layers = {layer.name for layer in result.layers if layer.trainable_weights}
    if not result.trainable_weights:
        if not result.trainable:
            raise Incorrect("the base itself is still frozen (base.trainable is False), which hides every "
                            "layer inside it; set base.trainable = True first, then freeze layer by layer")
        raise Incorrect("nothing is trainable: unfreeze 'block2_conv' and 'features'")
    batch_norm = [layer.name for layer in result.layers
                  if isinstance(layer, layers.BatchNormalization) and layer.trainable]
    if batch_norm:
        raise Incorrect(f"BatchNormalization layers {batch_norm} are trainable: they would train on tiny target "
                        "batches and their statistics would drift; keep them frozen")
    if trainable_layers == {layer.name for layer in result.layers if layer.weights}:
        raise Incorrect("every layer is trainable; unfreeze only the top two layers")
    missing = sorted(set(TOP_LAYERS) - trainable_layers)
    if missing:
        raise Incorrect(f"{missing} should be trainable")
    extra = sorted(trainable_layers - set(TOP_LAYERS))
    if extra:
        raise Incorrect(f"{extra} should stay frozen")
    count = sum(int(np.prod(weight.shape)) for weight in result.trainable_weights)
    if count != TRAINABLE_PARAMETERS:
        raise Incorrect(f"expected {TRAINABLE_PARAMETERS:,} trainable parameters, found {count:,}")


freeze_for_fine_tuning = Exercise(
    name="Freeze the right layers",
    grader=_grade_freeze,
    hint_text=(
        "Start with base.trainable = True (a frozen container hides every layer in it), then "
        "loop over base.layers and set each layer's trainable to whether its name is one of "
        "the two top layers."
    ),
    solution_code="""
        def freeze_for_fine_tuning(base):
            base.trainable = True
            for layer in base.layers:
                layer.trainable = layer.name in ("block2_conv", "features")
            return base
    """,
)


# -------------------------------------------------------- 2. count trainable parameters


def _grade_count(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give a number, got {type(answer).__name__}")
    if answer == TRAINABLE_PARAMETERS:
        return
    if answer == TRAINABLE_PARAMETERS - 128:
        raise Incorrect("you forgot the 128 biases of the Dense layer")
    if answer == TRAINABLE_PARAMETERS + 32:
        raise Incorrect("the convolution has use_bias=False: it has no biases")
    if answer == _DENSE_PARAMETERS:
        raise Incorrect("that is the Dense layer alone; add the convolution's 3 x 3 x 16 x 32 kernel")
    if answer == _CONV_PARAMETERS:
        raise Incorrect("that is the convolution alone; add the Dense layer's kernel and biases")
    if answer == 3 * 3 * 32 + 1568 * 128 + 128:
        raise Incorrect("a convolution kernel is height x width x input channels x output channels: "
                        "you left out the 16 input channels")
    raise Incorrect(f"{answer:,} is not it; count kernel and bias entries of both layers")


trainable_parameters = Exercise(
    name="Count the trainable parameters",
    grader=_grade_count,
    hint_text=(
        "A Conv2D kernel holds height x width x in_channels x out_channels numbers (no bias "
        "here); a Dense layer holds inputs x units weights plus units biases."
    ),
    solution_code="trainable_parameters = 3 * 3 * 16 * 32 + 1568 * 128 + 128  # 205,440",
)


# --------------------------------------------------------------- 3. the learning rate


def _standard_error(accuracy: float, n: int) -> float:
    """Binomial standard error of an accuracy measured on ``n`` images."""
    return float(np.sqrt(accuracy * (1.0 - accuracy) / n))


def _read_sweep(sweep, n_validation):
    """The lesson's sweep ``{learning rate: validation accuracy}``, copied and checked; a bad
    sweep is the lesson's fault, so it raises ValueError/TypeError (reported as "error")."""
    if not isinstance(sweep, dict) or not sweep:
        raise TypeError(f"sweep must be a non-empty dict of learning rate -> validation accuracy, got {sweep!r}")
    rates = {float(rate): float(value) for rate, value in dict(sweep).items()}  # a copy
    if not all(0.0 <= value <= 1.0 for value in rates.values()):
        raise ValueError(f"sweep accuracies must lie in [0, 1], got {rates}")
    if isinstance(n_validation, bool) or not isinstance(n_validation, numbers.Integral) or n_validation < 1:
        raise ValueError(f"n_validation must be a positive int (validation images), got {n_validation!r}")
    return rates


def _grade_learning_rate(answer, *, sweep=None, n_validation=None):
    if sweep is None or n_validation is None:
        raise TypeError("the check needs the lesson's sweep: "
                        "check(rate, sweep=rate_accuracy, n_validation=len(mnist.y_val))")
    rates = _read_sweep(sweep, n_validation)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give a number, got {type(answer).__name__}")
    answer = float(answer)
    if not np.isfinite(answer) or answer <= 0:
        raise Incorrect("a learning rate is a positive number")
    measured = [rate for rate in rates if np.isclose(rate, answer, rtol=1e-6, atol=0.0)]
    listing = ", ".join(f"{rate:g}: {value:.3f}" for rate, value in rates.items())
    if not measured:
        raise Incorrect(f"{answer:g} is not one of the rates your sweep measured ({listing}); "
                        "choose from what you measured")
    best_rate = max(rates, key=rates.get)
    best = rates[best_rate]
    error = _standard_error(best, n_validation)
    chosen = rates[measured[0]]
    if chosen < best - error:
        raise Incorrect(f"your sweep measured {chosen:.3f} validation accuracy at {answer:g}, and {best:.3f} at "
                        f"{best_rate:g}: more than one standard error ({error:.3f} on {n_validation} images) "
                        f"lower. Read the validation accuracies ({listing}) and pick the best")


fine_tuning_learning_rate = Exercise(
    name="Choose the learning rate",
    grader=_grade_learning_rate,
    hint_text=("Choose on validation data: take the rate with the highest validation accuracy in "
               "rate_accuracy, or one within one standard error, sqrt(p (1 - p) / n), of it (inside "
               "the noise). The test split is not for choosing."),
    solution_code="""
        fine_tuning_learning_rate = max(rate_accuracy, key=rate_accuracy.get)  # best on validation
    """,
)


# ---------------------------------------------------------------- 4. read the curve

_CURVES = [
    # (sizes, scratch means, fine-tuned means, tolerance, expected)
    ([1, 5, 10, 50, 360], [0.20, 0.45, 0.60, 0.85, 0.95], [0.75, 0.80, 0.84, 0.88, 0.94], 0.01, 360),
    ([1, 5, 10, 50, 360], [0.20, 0.45, 0.60, 0.875, 0.95], [0.75, 0.80, 0.84, 0.88, 0.94], 0.01, 50),
    ([1, 5, 10, 50, 130], [0.30, 0.50, 0.70, 0.80, 0.85], [0.80, 0.85, 0.88, 0.90, 0.92], 0.01, -1),
    ([1, 5, 10, 50, 130], [0.30, 0.50, 0.70, 0.80, 0.85], [0.80, 0.85, 0.88, 0.90, 0.92], 0.08, 130),
    # exactly `tolerance` below at 5 (0.5 = 0.75 - 0.25 in binary floating point, no rounding):
    # "no more than tolerance below" includes it, so `>` instead of `>=` answers 10
    ([1, 5, 10, 50], [0.25, 0.5, 0.75, 0.875], [0.75, 0.75, 0.875, 0.875], 0.25, 5),
    # equal accuracies with no tolerance
    ([1, 5, 10], [0.5, 0.75, 0.875], [0.75, 0.75, 0.875], 0.0, 5),
]


def _first_strictly_within(sizes, scratch, fine_tuned, tolerance):
    """What an answer that writes ``>`` instead of ``>=`` returns (to recognise it)."""
    for size, from_scratch, transferred in zip(sizes, scratch, fine_tuned):
        if from_scratch > transferred - tolerance:
            return size
    return -1


def _grade_curve(function):
    for sizes, scratch, fine_tuned, tolerance, expected in _CURVES:
        got = call_answer(function, list(sizes), list(scratch), list(fine_tuned), tolerance)
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            raise Incorrect(f"return a number of labels per class (an int), got {type(got).__name__}")
        got = int(got)
        if got == expected:
            continue
        if expected != -1 and got == sizes.index(expected):
            raise Incorrect("you returned the position in the list; return the number of labels per class")
        if expected == -1:
            raise Incorrect(f"scratch never gets within {tolerance} of fine-tuning here: return -1")
        if got == -1:
            raise Incorrect(f"scratch does catch up here, at {expected} labels per class")
        if got == _first_strictly_within(sizes, scratch, fine_tuned, tolerance):
            raise Incorrect(f"at {expected} labels per class scratch is exactly {tolerance} below fine-tuning "
                            f"(scratch {scratch}, fine-tuned {fine_tuned}), and 'no more than tolerance "
                            "below' includes that: compare with >=, not >")
        raise Incorrect(f"with tolerance {tolerance}, scratch {scratch} and fine-tuned {fine_tuned} "
                        f"over {sizes}: expected {expected}, got {got}")


labels_where_scratch_catches_up = Exercise(
    name="Read the learning curve",
    grader=_grade_curve,
    hint_text=("Walk through the sizes in order and return the first one where "
               "scratch >= fine_tuned - tolerance; after the loop, return -1."),
    solution_code="""
        def labels_where_scratch_catches_up(sizes, scratch, fine_tuned, tolerance=0.01):
            for size, from_scratch, transferred in zip(sizes, scratch, fine_tuned):
                if from_scratch >= transferred - tolerance:
                    return size
            return -1
    """,
)
