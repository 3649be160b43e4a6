"""course_utils: the small helper package of the course.

Import it as ``import course_utils as cu`` and call ``cu.setup(SEED, run_mode=RUN_MODE)``
at the top of a lesson.

Modules: ``data`` (offline-safe digit domains), ``losses`` (NumPy reference losses),
``models`` (the digit classifier), ``gan`` (GAN models trained with ``fit()``),
``trained`` (the models lessons share: one recipe each, loaded or trained by one call),
``progress`` (a line per epoch), ``editing`` (image-editing plumbing), ``metrics``
(Frechet distance, precision and recall, within-class diversity, class coverage),
``quality`` (those scores during GAN training), ``results`` (benchmark results files, and when a gap
between runs is more than their spread), ``plotting`` (image grids and curves), ``exercises``
(graded exercises), ``validation`` (argument checks), ``paths`` (where trained models go,
atomic writes), ``session`` (``setup``, the run mode and the lessons' claims).
"""

from course_utils.session import claim, in_colab, run_mode, setup  # first: quiets TensorFlow before its import

from course_utils import (  # noqa: E402
    data, editing, exercises, gan, losses, metrics, models, paths, plotting, progress, quality, results,
    trained, validation,
)

__all__ = [
    "claim", "data", "editing", "exercises", "gan", "in_colab", "losses", "metrics", "models", "paths",
    "plotting", "progress", "quality", "results", "run_mode", "setup", "trained", "validation",
]
__version__ = "0.1.0"
