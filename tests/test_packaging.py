"""The course installs the way Colab installs it: a non-editable wheel, built from the source
tree, from which every module the lessons import can be imported.

An editable install (``./course lab``, CI) reads ``course_utils`` straight from the source
tree, so a subpackage missing from the wheel goes unnoticed there; on Colab the lessons' first
cell runs ``pip install git+...``, which builds and installs that wheel, and ``import
course_utils`` then fails. This test builds the wheel, installs it into a fresh virtual
environment and imports what the notebooks import, from a folder outside the repository.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PACKAGE = "course_utils"
# Left out of the copy the wheel is built from: environments, git data, generated files.
NOT_SOURCE = (".git", ".venv", "build", "artifacts", "course_artifacts", "__pycache__", "*.egg-info",
              ".ipynb_checkpoints", "*.keras", "*.weights.h5", "*.npz")


def notebook_imports():
    """The ``course_utils`` import statements of every code cell of notebooks/*.ipynb, and
    the modules they name (``from course_utils.exercises import x as ex`` names
    ``course_utils.exercises`` and ``course_utils.exercises.x``)."""
    # IPython's own cell transformer turns `!pip ...` and `%magic` lines into plain Python.
    from IPython.core.inputtransformer2 import TransformerManager

    transformer = TransformerManager()
    statements, modules = set(), set()
    for notebook in sorted((REPOSITORY / "notebooks").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            for node in ast.walk(ast.parse(transformer.transform_cell("".join(cell["source"])))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] == PACKAGE:
                    names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names
                                             if is_source_module(f"{node.module}.{alias.name}")]
                else:
                    continue
                statements.add(ast.unparse(node))
                modules.update(names)
    return sorted(statements), sorted(modules)


def is_source_module(dotted):
    """True when ``dotted`` names a module or package of the source tree (not a function)."""
    path = REPOSITORY.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def run(command, **kwargs):
    """Run a command; on failure show its output in the assertion message."""
    result = subprocess.run(command, check=False, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def test_notebook_imports_are_found():
    statements, modules = notebook_imports()
    assert "import course_utils as cu" in statements
    assert PACKAGE in modules and f"{PACKAGE}.exercises" in modules, modules


def test_wheel_installed_into_a_fresh_environment_imports_every_module_the_lessons_use(tmp_path):
    # Build from a copy, as `pip install git+...` builds from a clone: an in-tree build would
    # write build/lib into the repository, whose stale files can slip into later wheels.
    source = tmp_path / "source"
    shutil.copytree(REPOSITORY, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    wheels = tmp_path / "wheels"
    # No build isolation, so no download: the dev extra provides setuptools>=77.
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", str(wheels), str(source)])
    [wheel] = wheels.glob("*.whl")

    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.endswith(".py")}
    expected = {path.relative_to(source).as_posix() for path in (source / PACKAGE).rglob("*.py")}
    assert expected - shipped == set(), f"the wheel leaves out {sorted(expected - shipped)}"

    environment = tmp_path / "fresh-venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(environment)])
    python = environment / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    outside = tmp_path / "elsewhere"  # the working directory: not the repository, so `''` on
    outside.mkdir()                   # sys.path cannot find the source tree
    clean_environment = {name: value for name, value in os.environ.items()
                         if name not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    clean_environment |= {"PYTHONNOUSERSITE": "1", "COURSE_ARTIFACTS": str(tmp_path / "artifacts")}

    def fresh(code):
        return run([str(python), "-c", code], cwd=outside, env=clean_environment)

    fresh_site = Path(fresh("import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # The dependencies (TensorFlow, ...) come from this environment rather than a second
    # multi-gigabyte install: one .pth line per site-packages folder. This does not let the
    # source tree back in: site.py only appends the folders named in a .pth file to sys.path,
    # it does not process the .pth files inside them (site.addsitedir is not called on them),
    # so this environment's `__editable__.course_utils-*.pth`, which installs the finder that
    # maps `course_utils` to the source tree, never runs. The two checks below prove it.
    borrowed = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    (fresh_site / "borrowed-dependencies.pth").write_text("".join(f"{folder}\n" for folder in borrowed))

    probe = ("import importlib.util, json, sys; print(json.dumps({"
             "'path': sys.path, 'found': importlib.util.find_spec('course_utils') is not None,"
             "'editable': [name for name in sys.modules if name.startswith('__editable__')]"
             " + [repr(finder) for finder in sys.meta_path if 'editable' in type(finder).__module__]}))")
    before = json.loads(fresh(probe).stdout)
    assert set(borrowed) <= set(before["path"]), before["path"]
    assert not before["found"] and not before["editable"], f"the source tree is importable before the install: {before}"

    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)])

    statements, modules = notebook_imports()
    check = "\n".join([
        "import importlib, json, sys",
        *statements,  # exactly what the lessons run
        f"files = {{name: importlib.import_module(name).__file__ for name in {modules!r}}}",
        "editable = [name for name in sys.modules if name.startswith('__editable__')]",
        "print(json.dumps({'files': files, 'editable': editable}))",
    ])
    after = json.loads(fresh(check).stdout.strip().splitlines()[-1])
    assert after["editable"] == []
    for name, file in after["files"].items():
        assert Path(file).resolve().is_relative_to(fresh_site.resolve()), f"{name} came from {file}, not the fresh environment"
    assert after["files"][PACKAGE].endswith(f"{PACKAGE}{os.sep}__init__.py")
