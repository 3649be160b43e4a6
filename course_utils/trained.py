"""The models lessons train and reuse: one recipe each, one call that loads or trains it.

A **recipe** (:class:`ClassifierRecipe`, :class:`GANRecipe`) is a frozen dataclass whose
fields are every setting that changes the model's weights. Its :attr:`identity` (a readable
prefix plus a hash of all fields and :data:`VERSION`) names the folder the trained model is
saved in, so a model trained with other settings can never be loaded in its place: change
``BATCH_SIZE`` in lesson 5 and lessons that ask for lesson 5's default DCGAN get another
identity, and train it, instead of silently loading yours.

:func:`load_or_train` is the one call that gives a trained model. The lesson that teaches a
model and the lessons that reuse it all go through it, and it says what happened:
"Loaded the conditional GAN (trained in lesson 6) ..." or "No saved ... found: training it
now (about N s on 2 CPU cores), progress below", followed by one line per epoch.

:data:`CATALOGUE` lists the models of the course with the lesson that teaches each, in
its classroom and its smoke size; :func:`recipe` picks the size of the session's run mode
(see :func:`course_utils.setup`). A test checks that each teaching lesson's parameters
cell produces exactly these recipes.

Nothing is lost: every file is written atomically (:func:`course_utils.paths.atomic_path`);
a damaged or half-written file is named and replaced by retraining; a GAN is checkpointed
every epoch (newest 3 kept) and an interrupted run resumes from its newest intact
checkpoint; an unwritable artifacts folder is reported before any training starts.

Saved layout, in :func:`course_utils.paths.artifacts_dir`::

    <identity>/recipe.json        the recipe's fields, for a person reading the folder
    <identity>/record.json        history and training seconds; "complete" once finished
                                  (and a quality curve's scores, when one was asked for)
    <identity>/model.keras        classifiers: the trained model (Keras' native format)
    <identity>/checkpoints/       GANs: both networks and both optimizers, per epoch
    <identity>/samples.npz        GANs: images from fixed noise after every epoch
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from course_utils import paths
from course_utils.validation import check_choice, check_float, check_int

#: Bumped whenever a builder or a training procedure changes, so that models trained the
#: old way get a new identity and are not loaded by mistake.
VERSION = 2

CLASSIFIER_DOMAINS = ("mnist", "printed", "sklearn-8x8")
GAN_KINDS = ("dcgan", "cgan")
GAN_DATA_SOURCES = ("offline", "keras")
CHECKPOINTS_KEPT = 3

# Seconds per training epoch measured on the reference machine (2 CPU cores) with the
# offline data; only used to tell a learner how long to wait.
_SECONDS_PER_EPOCH = {"classifier": 1.6, "dcgan": 2.3, "cgan": 3.5}


# ---------------------------------------------------------------------------- recipes


@dataclass(frozen=True)
class ClassifierRecipe:
    """A digit classifier (:func:`course_utils.models.build_classifier`) trained on one
    domain with Adam, sparse cross-entropy on logits and early stopping on the validation
    accuracy (best weights restored)."""

    domain: str = "mnist"
    seed: int = 0
    epochs: int = 20
    batch_size: int = 64
    patience: int = 5
    learning_rate: float = 1e-3
    augment: bool = True
    batch_norm_momentum: float = 0.99

    def __post_init__(self):
        check_choice(self.domain, "domain", CLASSIFIER_DOMAINS)
        check_int(self.seed, "seed", minimum=0)
        check_int(self.epochs, "epochs", minimum=1)
        check_int(self.batch_size, "batch_size", minimum=1)
        check_int(self.patience, "patience", minimum=0)
        check_float(self.learning_rate, "learning_rate", minimum=0.0, inclusive=False)
        if not isinstance(self.augment, bool):
            raise TypeError(f"augment must be True or False, got {type(self.augment).__name__}")
        check_float(self.batch_norm_momentum, "batch_norm_momentum", minimum=0.0, maximum=1.0, inclusive=False)

    @property
    def description(self) -> str:
        return f"{self.domain} classifier (up to {self.epochs} epochs)"

    @property
    def identity(self) -> str:
        return f"classifier-{self.domain}-epochs{self.epochs}-{_fingerprint(self)}"


@dataclass(frozen=True)
class GANRecipe:
    """A GAN of :func:`course_utils.gan.make_gan` trained on MNIST digits with
    :func:`course_utils.gan.train`: ``kind`` ``"dcgan"`` or ``"cgan"`` (conditional),
    both networks with Adam (``beta_1 = 0.5``) at ``learning_rate``, or D at
    ``discriminator_learning_rate`` when it is set (two time-scale rates). ``data_seed``
    picks the train/validation/test split of the digits, ``seed`` the weights and the
    noise. ``loss``, ``label_smoothing``, ``augment``, ``ema_decay``, ``spectral_norm``,
    ``minibatch_std`` and ``negative_terms`` are :func:`course_utils.gan.make_gan`'s options."""

    kind: str = "dcgan"
    seed: int = 0
    epochs: int = 30
    batch_size: int = 64
    latent_dim: int = 64
    learning_rate: float = 2e-4
    data_source: str = "offline"
    data_seed: int = 0
    discriminator_learning_rate: float | None = None
    loss: str = "bce"
    label_smoothing: float = 0.0
    augment: tuple = ()
    ema_decay: float | None = None
    spectral_norm: bool = False
    minibatch_std: bool = False
    negative_terms: str = "sum"

    def __post_init__(self):
        from course_utils.gan import LOSSES, NEGATIVE_TERMS
        from course_utils.gan.augmentation import check_policy

        check_choice(self.kind, "kind", GAN_KINDS)
        check_int(self.seed, "seed", minimum=0, maximum=2**31 - 1)
        check_int(self.epochs, "epochs", minimum=1)
        check_int(self.batch_size, "batch_size", minimum=1)
        check_int(self.latent_dim, "latent_dim", minimum=1)
        check_float(self.learning_rate, "learning_rate", minimum=0.0, maximum=1.0, inclusive=False)
        check_choice(self.data_source, "data_source", GAN_DATA_SOURCES)
        check_int(self.data_seed, "data_seed", minimum=0)
        if self.discriminator_learning_rate is not None:
            check_float(self.discriminator_learning_rate, "discriminator_learning_rate", minimum=0.0, maximum=1.0,
                        inclusive=False)
        check_choice(self.loss, "loss", LOSSES)
        check_float(self.label_smoothing, "label_smoothing", minimum=0.0, maximum=0.5)
        if not isinstance(self.augment, tuple):
            raise TypeError(f'augment must be a tuple such as ("translation", "cutout"), got {self.augment!r}')
        check_policy(self.augment)
        if self.ema_decay is not None:
            check_float(self.ema_decay, "ema_decay", minimum=0.0, maximum=1.0, inclusive=False)
        if not isinstance(self.spectral_norm, bool):
            raise TypeError(f"spectral_norm must be True or False, got {type(self.spectral_norm).__name__}")
        if not isinstance(self.minibatch_std, bool):
            raise TypeError(f"minibatch_std must be True or False, got {type(self.minibatch_std).__name__}")
        check_choice(self.negative_terms, "negative_terms", NEGATIVE_TERMS)
        if self.kind == "dcgan" and self.negative_terms != "sum":
            raise ValueError('negative_terms is a conditional GAN option; leave it "sum" for kind="dcgan"')

    @property
    def description(self) -> str:
        name = "DCGAN" if self.kind == "dcgan" else "conditional GAN"
        return f"{name} ({self.epochs} epochs)"

    @property
    def identity(self) -> str:
        return f"{self.kind}-epochs{self.epochs}-{_fingerprint(self)}"


RECIPE_TYPES = (ClassifierRecipe, GANRecipe)


def _fingerprint(recipe) -> str:
    fields = {"recipe": type(recipe).__name__, "version": VERSION, **dataclasses.asdict(recipe)}
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:10]


# -------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class CatalogueEntry:
    """A model of the course: the lesson that teaches it and its two sizes."""

    lesson: int
    classroom: object
    smoke: object


#: The fields the GAN recipe search changed from GANRecipe's defaults (its results:
#: benchmarks/results/gan_recipes.md).
_CHOSEN = {"learning_rate": 3.2e-3, "loss": "hinge"}

#: The models the course trains and reuses, by name. Smoke sizes are what the tests'
#: smoke runs of the teaching lesson produce (its ``course.smoke_parameters``).
CATALOGUE = {
    "printed_classifier": CatalogueEntry(2, ClassifierRecipe(domain="printed"),
                                         ClassifierRecipe(domain="printed", epochs=1)),
    "evaluator": CatalogueEntry(2, ClassifierRecipe(domain="mnist"), ClassifierRecipe(domain="mnist", epochs=1)),
    "dcgan": CatalogueEntry(5, GANRecipe(kind="dcgan", epochs=30, **_CHOSEN),
                            GANRecipe(kind="dcgan", epochs=2, **_CHOSEN)),
    # The conditional GANs use the recipe benchmarks/gan_recipes.py chose for the DCGAN
    # (learning rate 3.2e-3, hinge loss); benchmarks/results/gan_recipes_conditional.md
    # measures that it carries over.
    "conditional_gan": CatalogueEntry(6, GANRecipe(kind="cgan", epochs=15, **_CHOSEN),
                                      GANRecipe(kind="cgan", epochs=1, **_CHOSEN)),
    "source_gan": CatalogueEntry(8, GANRecipe(kind="cgan", epochs=10, seed=42, **_CHOSEN),
                                 GANRecipe(kind="cgan", epochs=1, seed=42, **_CHOSEN)),
    "digits_8x8_classifier": CatalogueEntry(8, ClassifierRecipe(domain="sklearn-8x8", epochs=30),
                                            ClassifierRecipe(domain="sklearn-8x8", epochs=1)),
}


def recipe(name: str, run_mode: str | None = None):
    """The recipe of the course's model ``name`` (a key of :data:`CATALOGUE`) in the size of
    ``run_mode`` (default: the session's, set by :func:`course_utils.setup`): the smoke
    size in ``"smoke"``, the classroom size otherwise."""
    from course_utils.session import RUN_MODES, run_mode as session_run_mode

    check_choice(name, "name", tuple(CATALOGUE))
    mode = session_run_mode() if run_mode is None else check_choice(run_mode, "run_mode", RUN_MODES)
    entry = CATALOGUE[name]
    return entry.smoke if mode == "smoke" else entry.classroom


def _teaching_lesson(a_recipe):
    for entry in CATALOGUE.values():
        if a_recipe in (entry.classroom, entry.smoke):
            return entry.lesson
    return None


# ---------------------------------------------------------------------------- results


@dataclass
class TrainedModel:
    """What :func:`load_or_train` returns.

    ``model`` is the trained keras model (a classifier, or for a GAN recipe the whole
    :class:`course_utils.gan.GAN` with both networks and optimizers); ``history`` the
    per-epoch metrics of its training (as ``History.history``); ``seconds`` how long the
    training took when it ran; ``loaded`` whether it came from disk. GANs also carry
    ``sample_epochs`` and ``samples``: images in [0, 1] drawn after every epoch from the
    fixed ``sample_noise`` (and ``sample_labels`` for a conditional GAN), and ``quality``
    the history of the ``quality_curve`` passed to :func:`load_or_train` (None without one).
    """

    recipe: object
    model: object
    history: dict
    seconds: float
    loaded: bool
    folder: Path
    sample_epochs: list | None = None
    samples: np.ndarray | None = None
    sample_noise: np.ndarray | None = None
    sample_labels: np.ndarray | None = None
    quality: dict | None = None

    @property
    def generator(self):
        if not isinstance(self.recipe, GANRecipe):
            raise AttributeError("only a GAN recipe's model has a generator")
        return self.model.sampling_generator  # the weight average when the recipe keeps one


def folder_of(a_recipe) -> Path:
    """The folder where the model of ``a_recipe`` is (or will be) saved."""
    _check_recipe(a_recipe)
    return paths.artifacts_dir() / a_recipe.identity


def load_or_train(a_recipe, *, verbose: bool = True, quality_curve=None) -> TrainedModel:
    """Load the model of ``a_recipe`` when it was trained before, else train and save it.

    Training is seeded from the recipe, so the same recipe gives the same model on the
    same machine. Either way the function leaves Keras' global random generators seeded
    with the recipe's seed, so what a lesson does next does not depend on whether the
    model was on disk. With ``verbose`` it prints what happened (and, while training, one
    line per epoch).

    ``quality_curve`` (GAN recipes only; default None): a
    :class:`course_utils.quality.QualityCurve` that scores the generator while it trains.
    Its history is saved with the run (``record.json``) under the curve's settings (real
    images, labels, evaluator weights, ``every``, ``num_images``, ``seed``, ``k``), so a
    loaded run fills ``quality_curve.history`` without training. A saved run without a
    curve of these settings is trained again from the start (same recipe, same model) to
    record one: the curve cannot be computed afterwards from the three kept checkpoints.
    """
    _check_recipe(a_recipe)
    if not isinstance(verbose, bool):
        raise TypeError(f"verbose must be True or False, got {type(verbose).__name__}")
    if quality_curve is not None:
        from course_utils.quality import QualityCurve

        if not isinstance(quality_curve, QualityCurve):
            raise TypeError(f"quality_curve must be a course_utils.quality.QualityCurve or None, "
                            f"got {type(quality_curve).__name__}")
        if not isinstance(a_recipe, GANRecipe):
            raise ValueError("quality_curve scores a generator: pass it with a GANRecipe only")
    folder = paths.check_writable(folder_of(a_recipe))  # before any training starts
    say = print if verbose else (lambda *args, **kwargs: None)
    if isinstance(a_recipe, ClassifierRecipe):
        result = _load_or_train_classifier(a_recipe, folder, say)
    else:
        result = _load_or_train_gan(a_recipe, folder, say, quality_curve)
    keras.utils.set_random_seed(a_recipe.seed)
    return result


def _announce(a_recipe, say, *, loaded: bool, seconds: float = 0.0, resume_epoch: int = 0):
    lesson = _teaching_lesson(a_recipe)
    origin = f"trained in lesson {lesson}" if lesson is not None else "trained earlier with these exact settings"
    if loaded:
        say(f"Loaded the {a_recipe.description}, {origin} ({a_recipe.identity}; training took {seconds:.0f} s).")
        return
    kind = "classifier" if isinstance(a_recipe, ClassifierRecipe) else a_recipe.kind
    scale = 1.0 if getattr(a_recipe, "data_source", "offline") == "offline" else 15.0
    estimate = _SECONDS_PER_EPOCH[kind] * scale * (a_recipe.epochs - resume_epoch)
    where = f"lesson {lesson} trains it" if lesson is not None else "a new recipe"
    if resume_epoch:
        say(f"Found an interrupted training run of the {a_recipe.description} ({where}): resuming after "
            f"epoch {resume_epoch} (about {estimate:.0f} s on 2 CPU cores), progress below.")
    else:
        limit = "up to " if isinstance(a_recipe, ClassifierRecipe) else ""
        say(f"No saved {a_recipe.description} found ({where}): training it now "
            f"({limit}about {estimate:.0f} s on 2 CPU cores), progress below.")


# ------------------------------------------------------------------------ classifiers


def _load_or_train_classifier(a_recipe, folder, say) -> TrainedModel:
    from course_utils import models

    model_path, record = folder / "model.keras", _read_record(folder, say)
    if record is not None and record.get("complete") and model_path.exists():
        try:
            model = keras.models.load_model(model_path)
        except Exception as error:  # a truncated or corrupt zip: Keras' messages mislead
            say(f"The saved file {_shown(model_path)} is damaged ({type(error).__name__}); training it again.")
        else:
            _announce(a_recipe, say, loaded=True, seconds=record["seconds"])
            return TrainedModel(a_recipe, model, record["history"], record["seconds"], True, folder)
    _announce(a_recipe, say, loaded=False)
    _write_json(folder / "recipe.json", dataclasses.asdict(a_recipe))
    data = models.load_domain(a_recipe.domain, seed=a_recipe.seed)
    keras.utils.set_random_seed(a_recipe.seed)
    model = models.build_classifier(name=f"{a_recipe.domain.replace('-', '_')}_classifier", augment=a_recipe.augment,
                                    batch_norm_momentum=a_recipe.batch_norm_momentum, seed=a_recipe.seed)
    models.compile_classifier(model, learning_rate=a_recipe.learning_rate)
    start = time.perf_counter()
    history = models.train_classifier(model, data, epochs=a_recipe.epochs, batch_size=a_recipe.batch_size,
                                      patience=a_recipe.patience, callbacks=_progress(say, every=1))
    seconds = time.perf_counter() - start
    history = _plain_history(history.history)
    best = int(np.argmax(history["val_accuracy"])) + 1
    say(f"Trained {len(history['loss'])} epochs in {seconds:.0f} s; kept epoch {best}, "
        f"the best validation accuracy ({max(history['val_accuracy']):.3f}).")
    with paths.atomic_path(model_path) as temporary:
        model.save(temporary)
    _write_json(folder / "record.json", {"complete": True, "seconds": round(seconds, 1), "history": history})
    return TrainedModel(a_recipe, model, history, seconds, False, folder)


# ------------------------------------------------------------------------------- GANs


def sample_inputs(a_recipe):
    """The fixed noise (and labels) a GAN's per-epoch samples are drawn from.

    DCGAN: 32 codes from ``default_rng(seed)``. Conditional GAN: 4 codes, each asked for
    every digit: 40 samples, digit ``d`` at positions ``4 d .. 4 d + 3`` (a grid with 4
    columns has one digit per row and one code per column).
    """
    if not isinstance(a_recipe, GANRecipe):
        raise TypeError(f"a_recipe must be a GANRecipe, got {type(a_recipe).__name__}")
    rng = np.random.default_rng(a_recipe.seed)
    if a_recipe.kind == "dcgan":
        return rng.normal(size=(32, a_recipe.latent_dim)).astype("float32"), None
    codes = rng.normal(size=(4, a_recipe.latent_dim)).astype("float32")
    return np.tile(codes, (10, 1)), np.repeat(np.arange(10), 4)


def build_gan(a_recipe, *, track_gradient_norm: bool = False):
    """A fresh, compiled GAN of ``a_recipe`` (its weights initialised from the seed).
    ``track_gradient_norm`` adds the ``g_gradient_norm`` metric (see
    :class:`course_utils.gan.GAN`); it does not change the training."""
    from course_utils import gan

    if not isinstance(a_recipe, GANRecipe):
        raise TypeError(f"a_recipe must be a GANRecipe, got {type(a_recipe).__name__}")
    d_learning_rate = a_recipe.discriminator_learning_rate or a_recipe.learning_rate
    return gan.make_gan(a_recipe.kind, latent_dim=a_recipe.latent_dim, seed=a_recipe.seed,
                        d_learning_rate=d_learning_rate, g_learning_rate=a_recipe.learning_rate,
                        loss=a_recipe.loss, label_smoothing=a_recipe.label_smoothing, augment=a_recipe.augment,
                        ema_decay=a_recipe.ema_decay, spectral_norm=a_recipe.spectral_norm,
                        minibatch_std=a_recipe.minibatch_std,
                        negative_terms=a_recipe.negative_terms, track_gradient_norm=track_gradient_norm)


def _load_or_train_gan(a_recipe, folder, say, curve=None) -> TrainedModel:
    from course_utils import gan as gans
    from course_utils.data import load_mnist

    checkpoints = folder / "checkpoints"
    record = _read_record(folder, say) or {}
    samples = _read_samples(folder / "samples.npz", say)
    model = build_gan(a_recipe)
    # Epochs whose curves AND samples were saved: a run can resume from those only.
    recorded = 0 if samples is None else min(len(record.get("history", {}).get("d_loss", [])), len(samples[0]))
    settings = None if curve is None else _curve_settings(curve)
    saved_quality = record.get("quality") if isinstance(record.get("quality"), dict) else {}
    if curve is not None and recorded and saved_quality.get("settings") != settings:
        say(f"The saved {a_recipe.description} has no quality curve with these settings: training it "
            "again from the start to record one.")
        recorded = 0
    resume_epoch = gans.restore_latest(model, checkpoints, at_most=recorded, report=say) if recorded else 0
    quality = None
    if curve is not None:
        saved = saved_quality.get("history", {}) if resume_epoch else {}
        kept = [index for index, epoch in enumerate(saved.get("epoch", [])) if epoch <= resume_epoch]
        curve.history = {name: [values[index] for index in kept] for name, values in saved.items()}
        curve.history.setdefault("epoch", [])
        quality = {"settings": settings, "history": curve.history}
    noise, labels = sample_inputs(a_recipe)
    if record.get("complete") and resume_epoch == a_recipe.epochs:
        _announce(a_recipe, say, loaded=True, seconds=record["seconds"])
        return TrainedModel(a_recipe, model, record["history"], record["seconds"], True, folder,
                            samples[0], samples[1], noise, labels, None if curve is None else curve.history)

    _announce(a_recipe, say, loaded=False, resume_epoch=resume_epoch)
    _write_json(folder / "recipe.json", dataclasses.asdict(a_recipe))
    history = {name: values[:resume_epoch] for name, values in record.get("history", {}).items()}
    grid = gans.SampleGrid(noise, labels)
    if resume_epoch:
        grid.epochs, grid.frames = list(samples[0][:resume_epoch]), list(samples[1][:resume_epoch])
    seconds_before = record.get("seconds", 0.0) if resume_epoch else 0.0
    data = load_mnist(a_recipe.data_source, seed=a_recipe.data_seed)
    keeper = _GANRecordKeeper(folder, history, grid, seconds_before, quality)
    start = time.perf_counter()
    gans.train(model, data.x_train * 2 - 1, data.y_train if a_recipe.kind == "cgan" else None,
               epochs=a_recipe.epochs, batch_size=a_recipe.batch_size, seed=a_recipe.seed,
               initial_epoch=resume_epoch,
               callbacks=[gans.EpochCheckpoint(checkpoints, keep=CHECKPOINTS_KEPT), grid,
                          *([] if curve is None else [curve]), keeper,  # the curve scores before the save
                          *_progress(say, every=max(1, a_recipe.epochs // 30))])
    seconds = seconds_before + time.perf_counter() - start
    keeper.save(complete=True, seconds=seconds)
    return TrainedModel(a_recipe, model, keeper.history, seconds, False, folder,
                        list(grid.epochs), _as_saved(np.stack(grid.frames)), noise, labels,
                        None if curve is None else curve.history)


def _curve_settings(curve) -> dict:
    """What a quality curve's scores depend on, besides the GAN: its settings and
    fingerprints of its real images, their labels and the evaluator's weights."""
    def digest(arrays):
        hasher = hashlib.sha256()
        for array in arrays:
            hasher.update(np.ascontiguousarray(np.asarray(array)).tobytes())
        return hasher.hexdigest()[:16]

    return {"every": curve.every, "num_images": curve.num_images, "seed": curve.seed, "k": curve.k,
            "min_images": curve.min_images, "real_images": digest([curve.real_images]),
            "real_labels": None if curve.real_labels is None else digest([curve.real_labels]),
            "classifier": digest(curve.classifier.get_weights())}


def _plain(value):
    """Scores as JSON keeps them (numpy numbers and arrays to Python floats and lists)."""
    if isinstance(value, dict):
        return {name: _plain(item) for name, item in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(item) for item in value]
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return value


class _GANRecordKeeper(keras.callbacks.Callback):
    """Saves history and samples after every epoch, after the checkpoint, so that an
    interrupted run resumes with its curves intact."""

    def __init__(self, folder, history, grid, seconds_before, quality=None):
        super().__init__()
        self.folder, self.history, self.grid, self.seconds_before = folder, history, grid, seconds_before
        self.quality = quality  # {"settings": ..., "history": the curve's history}, or None
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(float(value))
        self.save(complete=False, seconds=self.seconds_before + time.perf_counter() - self.start)

    def save(self, *, complete: bool, seconds: float):
        with paths.atomic_path(self.folder / "samples.npz") as temporary:
            np.savez_compressed(temporary, epochs=np.asarray(self.grid.epochs, np.int64),
                                frames=_eight_bit(np.stack(self.grid.frames)))
        content = {"complete": complete, "seconds": round(seconds, 1), "history": self.history}
        if self.quality is not None:
            content["quality"] = _plain(self.quality)
        _write_json(self.folder / "record.json", content)


def _eight_bit(frames):
    """Samples in [0, 1] as the 8-bit grey levels they are saved with."""
    return np.round(np.asarray(frames) * 255).astype(np.uint8)


def _as_saved(frames):
    """Samples exactly as :func:`_read_samples` gives them back, so a lesson shows the same
    pixels whether the model was trained or loaded."""
    return _eight_bit(frames).astype(np.float32) / 255.0


# -------------------------------------------------------------------------- the files


def _progress(say, every):
    """[an EpochProgress callback] when ``say`` prints, [] when the caller asked for silence."""
    from course_utils.progress import EpochProgress

    return [EpochProgress(every=every, prefix="  ")] if say is print else []


def _write_json(path, content):
    paths.write_text_atomic(path, json.dumps(content, indent=1) + "\n")


def _read_record(folder, say):
    path = folder / "record.json"
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("history"), dict):
            raise ValueError("not a training record")
        return record
    except (OSError, ValueError) as error:
        say(f"The saved file {_shown(path)} is damaged ({type(error).__name__}); it will be rewritten.")
        return None


def _read_samples(path, say):
    if not path.exists():
        return None
    try:
        with np.load(path) as archive:
            return [int(epoch) for epoch in archive["epochs"]], archive["frames"].astype(np.float32) / 255.0
    except Exception as error:  # a truncated zip raises several kinds of errors
        say(f"The saved file {_shown(path)} is damaged ({type(error).__name__}); training again from the start.")
        return None


def _plain_history(history):
    return {name: [float(value) for value in values] for name, values in history.items()}


def _shown(path) -> str:
    """A path as a learner should see it: relative to the artifacts folder."""
    try:
        return str(Path(path).relative_to(paths.artifacts_dir().parent))
    except ValueError:
        return Path(path).name


def _check_recipe(a_recipe):
    if not isinstance(a_recipe, RECIPE_TYPES):
        raise TypeError(f"recipe must be a ClassifierRecipe or a GANRecipe (from course_utils.trained), "
                        f"got {type(a_recipe).__name__}")


__all__ = [
    "CATALOGUE", "ClassifierRecipe", "GANRecipe", "TrainedModel", "VERSION", "build_gan", "folder_of",
    "load_or_train", "recipe", "sample_inputs",
]
