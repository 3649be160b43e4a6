"""Tests of the lesson-4 exercises: each reference solution passes, each typical wrong
answer fails with its own message, and each template counts as "not attempted"."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from course_utils.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from course_utils.exercises import gan_basics as ex

bce = keras.losses.BinaryCrossentropy(from_logits=True)
probability_bce = keras.losses.BinaryCrossentropy()


def outcome_of(exercise, answer):
    return exercise.grade(answer)


def assert_incorrect(exercise, answer, *words):
    outcome, message = exercise.grade(answer)
    assert outcome == INCORRECT, message
    for word in words:
        assert word in message, message


def assert_not_attempted(exercise, answer):
    outcome, message = exercise.grade(answer)
    assert outcome == NOT_ATTEMPTED, message


def run_solution(exercise):
    """Execute the exercise's printed solution and return its namespace."""
    import textwrap

    namespace = {"keras": keras, "tf": tf, "layers": layers, "np": np}
    exec(textwrap.dedent(exercise.solution_code), namespace)
    return namespace


# ------------------------------------------------------------------ discriminator loss


def test_discriminator_loss_solution_passes():
    solution = run_solution(ex.discriminator_loss)["discriminator_loss"]
    assert outcome_of(ex.discriminator_loss, solution) == (CORRECT, "Correct!")


def test_discriminator_loss_by_hand_with_stable_formula_passes():
    def by_hand(real_logits, fake_logits):
        real = tf.reduce_mean(tf.nn.softplus(-real_logits))  # -log sigmoid(x)
        fake = tf.reduce_mean(tf.nn.softplus(fake_logits))  # -log(1 - sigmoid(x))
        return real + fake

    assert outcome_of(ex.discriminator_loss, by_hand)[0] == CORRECT


@pytest.mark.parametrize("answer, words", [
    (lambda r, f: bce(tf.zeros_like(r), r) + bce(tf.ones_like(f), f), ["labels are swapped"]),
    (lambda r, f: -(bce(tf.ones_like(r), r) + bce(tf.zeros_like(f), f)), ["wrong sign"]),
    (lambda r, f: 0.5 * (bce(tf.ones_like(r), r) + bce(tf.zeros_like(f), f)), ["averaged the two terms"]),
    (lambda r, f: bce(tf.concat([tf.ones_like(r), tf.zeros_like(f)], 0), tf.concat([r, f], 0)),
     ["concatenated batch"]),
    (lambda r, f: probability_bce(tf.ones_like(r), r) + probability_bce(tf.zeros_like(f), f),
     ["logits as probabilities", "from_logits=True"]),
    (lambda r, f: bce(tf.ones_like(r), r), ["only the real term"]),
    (lambda r, f: bce(tf.zeros_like(f), f), ["only the fake term"]),
    (lambda r, f: tf.reduce_mean(r) - tf.reduce_mean(f), ["seed's"]),
    (lambda r, f: tf.reduce_mean(tf.sigmoid(r) - 0) - tf.reduce_mean(tf.sigmoid(f)), ["seed's"]),
    (lambda r, f: bce(tf.ones_like(r), r) + 2 * bce(tf.zeros_like(f), f), ["your loss is", "but BCE(1, real) + BCE(0, fake) is"]),
    (lambda r, f: tf.concat([r, f], 0), ["one number", "(10, 1)"]),
    (lambda r, f: tf.reduce_mean(tf.math.log(r)), ["on ordinary logits"]),
])
def test_discriminator_loss_wrong_answers(answer, words):
    assert_incorrect(ex.discriminator_loss, answer, *words)


def test_discriminator_loss_unstable_formula_fails_on_extreme_logits():
    def naive(real_logits, fake_logits):
        return (-tf.reduce_mean(tf.math.log(tf.sigmoid(real_logits)))
                - tf.reduce_mean(tf.math.log(1 - tf.sigmoid(fake_logits))))

    assert_incorrect(ex.discriminator_loss, naive, "overflows", "from-logits")


def test_discriminator_loss_templates_are_not_attempted():
    def template(real_logits, fake_logits):
        ...

    def raising(real_logits, fake_logits):
        raise NotImplementedError

    assert_not_attempted(ex.discriminator_loss, template)
    assert_not_attempted(ex.discriminator_loss, raising)
    assert_not_attempted(ex.discriminator_loss, ...)


# ---------------------------------------------------------------------- generator loss


def test_generator_loss_solution_passes():
    solution = run_solution(ex.generator_loss)["generator_loss"]
    assert outcome_of(ex.generator_loss, solution) == (CORRECT, "Correct!")


@pytest.mark.parametrize("answer, words", [
    (lambda f: -bce(tf.zeros_like(f), f), ["saturating loss log(1 - D(G(z)))"]),
    (lambda f: tf.reduce_mean(tf.math.log(1 - tf.sigmoid(f))), ["saturating loss"]),
    (lambda f: bce(tf.zeros_like(f), f), ["label 0", "use label 1"]),
    (lambda f: -bce(tf.ones_like(f), f), ["wrong sign"]),
    (lambda f: probability_bce(tf.ones_like(f), f), ["logits as probabilities"]),
    (lambda f: -tf.reduce_mean(f), ["raw scores"]),
    (lambda f: 3 * bce(tf.ones_like(f), f), ["your loss is"]),
    (lambda f: tf.nn.softplus(-f), ["one number", "(4, 1)"]),
])
def test_generator_loss_wrong_answers(answer, words):
    assert_incorrect(ex.generator_loss, answer, *words)


def test_generator_loss_unstable_formula_fails_on_extreme_logits():
    assert_incorrect(ex.generator_loss, lambda f: -tf.reduce_mean(tf.math.log(tf.sigmoid(f))), "underflows")


def test_generator_loss_template_is_not_attempted():
    def template(fake_logits):
        return ...

    assert_not_attempted(ex.generator_loss, template)


# ---------------------------------------------------------------- build_discriminator


def test_build_discriminator_solution_passes():
    solution = run_solution(ex.build_discriminator)["build_discriminator"]
    assert outcome_of(ex.build_discriminator, solution) == (CORRECT, "Correct!")


def test_build_discriminator_accepts_other_correct_designs():
    without_bias = lambda: keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Flatten(),  # noqa: E731
                                             layers.Dense(16, use_bias=False), layers.LeakyReLU(0.2), layers.Dense(1)])
    convolutional = lambda: keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(4, 3, strides=2),  # noqa: E731
                                              layers.Flatten(), layers.Dense(1)])
    assert outcome_of(ex.build_discriminator, without_bias)[0] == CORRECT
    assert outcome_of(ex.build_discriminator, convolutional)[0] == CORRECT


def _seed_discriminator():
    inputs = keras.Input(shape=(28, 28, 1))
    hidden = layers.Dense(8, activation="relu")(inputs)
    return keras.Model(inputs, layers.Dense(1)(hidden))


@pytest.mark.parametrize("answer, words", [
    (_seed_discriminator, ["one verdict per pixel", "Flatten()"]),
    (lambda: keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Flatten(), layers.Dense(8),
                               layers.Dense(1, activation="sigmoid")]), ["'sigmoid'", "raw logits"]),
    (lambda: keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Flatten(), layers.Dense(8),
                               layers.Dense(1), layers.Activation("sigmoid")]), ["'sigmoid'"]),
    (lambda: keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Flatten(), layers.Dense(2)]),
     ["shape (5, 1)", "(5, 2)"]),
    (lambda: keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Flatten(), layers.Dense(1)]),
     ["hidden layer"]),
    (lambda: keras.Sequential([keras.Input(shape=(784,)), layers.Dense(4), layers.Dense(1)]),
     ["cannot take a batch"]),
    (lambda: layers.Dense(1), ["keras.Model", "Dense"]),
])
def test_build_discriminator_wrong_answers(answer, words):
    assert_incorrect(ex.build_discriminator, answer, *words)


def test_build_discriminator_template_is_not_attempted():
    def template():
        return None

    assert_not_attempted(ex.build_discriminator, template)


# -------------------------------------------------------------- generator_train_step


def _step_with(loss_of_logits, *, variables="generator", return_loss=True):
    def step(generator, discriminator, optimizer, noise):
        with tf.GradientTape() as tape:
            loss = loss_of_logits(discriminator(generator(noise)))
        chosen = {"generator": generator.trainable_variables,
                  "both": generator.trainable_variables + discriminator.trainable_variables,
                  "discriminator": discriminator.trainable_variables}[variables]
        gradients = tape.gradient(loss, chosen)
        optimizer.apply_gradients(zip(gradients, chosen))
        return loss if return_loss else tf.constant(123.0)
    return step


def test_generator_train_step_solution_passes():
    solution = run_solution(ex.generator_train_step)["generator_train_step"]
    assert outcome_of(ex.generator_train_step, solution) == (CORRECT, "Correct!")


def test_generator_train_step_with_trainable_flag_passes():
    """The keras-io style: freeze the discriminator, then take all trainable weights."""
    def step(generator, discriminator, optimizer, noise):
        discriminator.trainable = False
        with tf.GradientTape() as tape:
            logits = discriminator(generator(noise))
            loss = bce(tf.ones_like(logits), logits)
        variables = generator.trainable_variables + discriminator.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    assert outcome_of(ex.generator_train_step, step)[0] == CORRECT


@pytest.mark.parametrize("answer, words", [
    (_step_with(lambda x: bce(tf.ones_like(x), x), variables="both"), ["discriminator's weights"]),
    (_step_with(lambda x: bce(tf.ones_like(x), x), variables="discriminator"), ["discriminator's weights"]),
    (_step_with(lambda x: -bce(tf.zeros_like(x), x)), ["saturating loss"]),
    (_step_with(lambda x: bce(tf.zeros_like(x), x)), ["MORE fake", "label 1"]),
    (_step_with(lambda x: -bce(tf.ones_like(x), x)), ["climbed"]),
    (_step_with(lambda x: tf.reduce_mean(x * x)), ["not as one step"]),
    (_step_with(lambda x: bce(tf.ones_like(x), x), return_loss=False), ["returned 123.0000"]),
])
def test_generator_train_step_wrong_answers(answer, words):
    assert_incorrect(ex.generator_train_step, answer, *words)


def test_generator_train_step_that_forgets_to_apply_fails():
    def forgetful(generator, discriminator, optimizer, noise):
        with tf.GradientTape() as tape:
            logits = discriminator(generator(noise))
            loss = bce(tf.ones_like(logits), logits)
        tape.gradient(loss, generator.trainable_variables)
        return loss

    assert_incorrect(ex.generator_train_step, forgetful, "did not change", "apply_gradients")


def test_generator_train_step_pytorch_style_fails_with_the_error():
    def pytorch_style(generator, discriminator, optimizer, noise):
        optimizer.zero_grad()

    assert_incorrect(ex.generator_train_step, pytorch_style, "AttributeError", "zero_grad")


def test_generator_train_step_template_is_not_attempted():
    def template(generator, discriminator, optimizer, noise):
        raise NotImplementedError

    assert_not_attempted(ex.generator_train_step, template)


def test_graders_leave_global_random_state_alone():
    keras.utils.set_random_seed(11)
    expected = np.random.random()
    keras.utils.set_random_seed(11)
    solution = run_solution(ex.generator_train_step)["generator_train_step"]
    ex.generator_train_step.grade(solution)
    assert np.random.random() == expected


def test_every_exercise_has_hint_and_solution(capsys):
    for exercise in (ex.discriminator_loss, ex.generator_loss, ex.build_discriminator, ex.generator_train_step):
        exercise.hint()
        exercise.solution()
        printed = capsys.readouterr().out
        assert f"[{exercise.name}] Hint:" in printed and f"[{exercise.name}] Solution:" in printed


# ------------------------------------------------------------- optimal discriminator


def test_optimal_discriminator_solution_and_other_forms_pass():
    solution = run_solution(ex.optimal_discriminator)["optimal_discriminator"]
    assert outcome_of(ex.optimal_discriminator, solution) == (CORRECT, "Correct!")
    assert outcome_of(ex.optimal_discriminator, lambda a, b: np.divide(a, np.add(a, b)))[0] == CORRECT
    assert outcome_of(ex.optimal_discriminator, lambda a, b: 1 / (1 + b / np.maximum(a, 1e-300)))[0] == CORRECT


def _in_place(a, b):
    a /= a + b
    return a


@pytest.mark.parametrize("answer, words", [
    (lambda a, b: b / (a + b), ["probability that x is GENERATED"]),
    (lambda a, b: a / b, ["ratio of densities"]),
    (lambda a, b: np.full_like(a, 0.5), ["only where the two densities are equal"]),
    (lambda a, b: (a > b).astype(float), ["hard decision"]),
    (lambda a, b: a - b, ["difference of densities"]),
    (lambda a, b: 1 / (1 + np.exp(b - a)), ["sigmoid of the difference"]),
    (lambda a, b: a / (a + b + 1), ["nothing more"]),
    (lambda a, b: a / (a + 2 * b), ["your D*(x) is", "derivative"]),
    (lambda a, b: np.where(a == 0, np.nan, a / (a + b)), ["nan", "density can be 0"]),
    (lambda a, b: float(np.mean(a / (a + b))), ["one value per point", "shape (7,)"]),
    (lambda a, b: "a / (a + b)", ["array of numbers", "str"]),
    (lambda a, b: {"D": 1}, ["array of numbers", "dict"]),
    (_in_place, ["changed the density arrays"]),
])
def test_optimal_discriminator_wrong_answers(answer, words):
    assert_incorrect(ex.optimal_discriminator, answer, *words)


def test_optimal_discriminator_templates_are_not_attempted():
    assert_not_attempted(ex.optimal_discriminator, lambda a, b: ...)
    assert_not_attempted(ex.optimal_discriminator, ...)


# -------------------------------------------------------------------- Jensen-Shannon


def test_jensen_shannon_solution_and_scipy_pass():
    from scipy.spatial.distance import jensenshannon

    solution = run_solution(ex.jensen_shannon)["jensen_shannon"]
    assert outcome_of(ex.jensen_shannon, solution) == (CORRECT, "Correct!")
    assert outcome_of(ex.jensen_shannon, lambda p, q, dx: jensenshannon(p, q) ** 2)[0] == CORRECT


def _kl_terms(p, q, dx, *, halve=True, log=np.log, mask=True):
    m = (p + q) / 2

    def kl(a):
        inside = a > 0 if mask else np.ones_like(a, dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sum(a[inside] * log(a[inside] / m[inside])) * dx

    return (0.5 if halve else 1.0) * (kl(p) + kl(q))


def _kl(p, q, dx):
    return np.sum(p * np.log(p / q)) * dx


def _mutating_js(p, q, dx):
    p += 0.0
    p *= 2
    return _kl_terms(p / 2, q, dx)


@pytest.mark.parametrize("answer, words", [
    (lambda p, q, dx: _kl_terms(p, q, dx, halve=False), ["without halving"]),
    (lambda p, q, dx: _kl_terms(p, q, dx, log=np.log2), ["bits"]),
    (lambda p, q, dx: np.sqrt(_kl_terms(p, q, dx)), ["DISTANCE", "square root"]),
    (lambda p, q, dx: _kl_terms(p, q, 1.0), ["without multiplying by dx"]),
    (lambda p, q, dx: _kl(p, q, dx), ["that is KL(p || q)"]),
    (lambda p, q, dx: 0.5 * _kl(p, q, dx) + 0.5 * _kl(q, p, dx), ["symmetrised KL"]),
    (lambda p, q, dx: _kl_terms(p, q, dx, mask=False), ["0 on half the grid", "counts as 0"]),
    (lambda p, q, dx: _kl_terms(p, q, dx) + 0.01, ["your divergence is", "1/2 KL(p || m)"]),
    (lambda p, q, dx: (p + q) / 2, ["one number"]),
    (_mutating_js, ["changed the density arrays"]),
])
def test_jensen_shannon_wrong_answers(answer, words):
    assert_incorrect(ex.jensen_shannon, answer, *words)


def test_jensen_shannon_template_is_not_attempted():
    def template(p, q, dx):
        raise NotImplementedError

    assert_not_attempted(ex.jensen_shannon, template)


# ------------------------------------------- whole discriminator, inputs, the checker's own crashes


@pytest.mark.parametrize("last_layers, words", [
    ([layers.Dense(1), layers.Lambda(lambda x: tf.sigmoid(x))], ["never leave [0, 1]", "Lambda"]),
    ([layers.Dense(1), layers.Lambda(lambda x: tf.tanh(x))], ["never leave [-1, 1]", "tanh"]),
    ([layers.Dense(1), layers.Lambda(lambda x: 0.0 * x + 0.3)], ["same output"]),
    ([layers.Dense(1), layers.Lambda(lambda x: x - tf.reduce_mean(x))], ["other images in its batch"]),
])
def test_build_discriminator_checks_the_whole_model(last_layers, words):
    def build():
        return keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Flatten(), layers.Dense(16),
                                 layers.LeakyReLU(0.2), *last_layers])

    assert_incorrect(ex.build_discriminator, build, *words)


def test_build_discriminator_accepts_tanh_hidden_units_and_an_identity_after_the_logit():
    def build():
        return keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Flatten(),
                                 layers.Dense(16, activation="tanh"), layers.Dense(1), layers.Lambda(lambda x: x)])

    assert outcome_of(ex.build_discriminator, build)[0] == CORRECT


def test_an_answer_that_rewrites_the_module_constants_does_not_pass(monkeypatch):
    for name in ("_REAL_LOGITS", "_FAKE_LOGITS", "_EXTREME_REAL", "_EXTREME_FAKE"):
        monkeypatch.setattr(ex, name, getattr(ex, name))  # restored after the test

    def cheat(real_logits, fake_logits):
        ex._REAL_LOGITS = ((0.0,),) * 6
        ex._FAKE_LOGITS = ((0.0,),) * 4
        return 2 * np.log(2.0)  # the loss the rewritten logits would give

    assert_incorrect(ex.discriminator_loss, cheat, "your loss is")


def test_the_module_holds_no_array_an_answer_could_change():
    constants = {name: value for name, value in vars(ex).items() if name.isupper() or name[1:].isupper()}
    assert "_REAL_LOGITS" in constants
    assert not [name for name, value in constants.items() if isinstance(value, np.ndarray)]


def test_a_crash_in_the_learners_code_is_theirs():
    def crashing(real_logits, fake_logits):
        return 1 / 0

    outcome, message = ex.discriminator_loss.grade(crashing)
    assert outcome == INCORRECT and "your code raised ZeroDivisionError" in message, message


def test_a_crash_in_the_checker_is_the_checkers(monkeypatch, capsys):
    def broken(*args):
        raise IndexError("tuple index out of range")

    monkeypatch.setattr(ex, "_bce", broken)
    outcome, message = ex.discriminator_loss.grade(run_solution(ex.discriminator_loss)["discriminator_loss"])
    assert outcome == ex.CHECKER_ERROR, message
    assert "checker itself failed" in message and "not a mistake in your answer" in message
    assert "IndexError" in message and "your code raised" not in message
    ex.discriminator_loss.check(lambda r, f: r)
    printed = capsys.readouterr().out
    assert "checker itself failed" in printed and "Stuck?" not in printed


def test_new_exercises_have_hint_and_solution(capsys):
    for exercise in (ex.optimal_discriminator, ex.jensen_shannon):
        exercise.hint()
        exercise.solution()
        printed = capsys.readouterr().out
        assert f"[{exercise.name}] Hint:" in printed and f"[{exercise.name}] Solution:" in printed
