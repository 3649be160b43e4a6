"""Where the course keeps what it trains, and how it writes files so that none is half-written.

* :func:`artifacts_dir` -- the git-ignored folder for trained models (``$COURSE_ARTIFACTS``
  overrides it; on Colab point it at a Google Drive folder to keep models between lessons).
* :func:`check_writable` -- fail *before* minutes of training when a folder cannot be written.
* :func:`atomic_path` and :func:`write_text_atomic` -- write to a temporary file next to the
  target, then rename it into place. A run killed half-way leaves the old file (or none),
  never a truncated one: renaming within one folder is atomic on every common file system.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

ENVIRONMENT_VARIABLE = "COURSE_ARTIFACTS"


def artifacts_dir() -> Path:
    """Folder for trained models and other generated files, created if missing.

    ``$COURSE_ARTIFACTS`` when set; otherwise ``artifacts/`` at the root of a source
    checkout of the course, or ``course_artifacts/`` in the working directory when the
    package was installed without the repository (as on Colab).
    """
    override = os.environ.get(ENVIRONMENT_VARIABLE)
    if override:
        folder = Path(override).expanduser()
    else:
        root = Path(__file__).resolve().parent.parent
        folder = root / "artifacts" if (root / "pyproject.toml").exists() else Path.cwd() / "course_artifacts"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PermissionError(_not_writable_message(folder, error)) from error
    return folder


def check_writable(folder) -> Path:
    """Return ``folder`` (created if missing) after proving a file can be written in it.

    Raises ``PermissionError`` naming the folder and the way out (``$COURSE_ARTIFACTS``)
    otherwise. Call it before training, not after.
    """
    if not isinstance(folder, (str, os.PathLike)):
        raise TypeError(f"folder must be a path, got {type(folder).__name__}")
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise PermissionError(_not_writable_message(folder, error)) from error
    return folder


@contextlib.contextmanager
def atomic_path(path):
    """Context manager: yields a temporary path to write; on success renames it to ``path``.

    The temporary name keeps every suffix of ``path`` (``model.keras`` becomes
    ``model.partial-<pid>.keras``) because Keras checks file extensions. When the block
    raises, the temporary file is removed and ``path`` is left as it was.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a path, got {type(path).__name__}")
    path = Path(path)
    stem, dot, suffixes = path.name.partition(".")
    temporary = path.with_name(f"{stem}.partial-{os.getpid()}{dot}{suffixes}")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield temporary
        if not temporary.exists():
            raise FileNotFoundError(f"nothing was written to {temporary.name} for {path.name}")
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_text_atomic(path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return the path."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)


def _not_writable_message(folder, error) -> str:
    return (f"cannot write trained models to {folder} ({type(error).__name__}: {error}). "
            f"Point the course at a writable folder before training, for example "
            f"os.environ['{ENVIRONMENT_VARIABLE}'] = '/tmp/course_artifacts' (or set it in the shell).")
