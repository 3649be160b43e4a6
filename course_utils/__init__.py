"""course_utils: the small helper package of the course.

Import it as ``import course_utils as cu`` and call ``cu.setup()`` at the top of a lesson.

Modules: ``data`` (offline-safe digit domains), ``losses`` (NumPy reference losses),
``models`` (the digit classifier and its saved copies), ``gan`` (GAN models trained with
``fit()``), ``metrics`` (Frechet distance, class coverage), ``plotting`` (image grids and
curves), ``exercises`` (graded exercises), ``validation`` (argument checks), ``paths``
(where trained models go), ``notebook_runner`` (executing the lessons).
"""

from course_utils.session import in_colab, setup  # first: quiets TensorFlow before its import

from course_utils import data, exercises, gan, losses, metrics, models, paths, plotting, validation  # noqa: E402

__all__ = [
    "data", "exercises", "gan", "in_colab", "losses", "metrics", "models", "paths", "plotting",
    "setup", "validation",
]
__version__ = "0.1.0"
