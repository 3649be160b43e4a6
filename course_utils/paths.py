"""Where the course keeps what it trains (git-ignored, never committed)."""

from __future__ import annotations

import os
from pathlib import Path


def artifacts_dir() -> Path:
    """Folder for trained models and other generated files, created if missing.

    ``$COURSE_ARTIFACTS`` when set; otherwise ``artifacts/`` at the root of a source
    checkout of the course, or ``course_artifacts/`` in the working directory when the
    package was installed without the repository (as on Colab).
    """
    override = os.environ.get("COURSE_ARTIFACTS")
    if override:
        folder = Path(override)
    else:
        root = Path(__file__).resolve().parent.parent
        folder = root / "artifacts" if (root / "pyproject.toml").exists() else Path.cwd() / "course_artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
