"""The lessons and course_utils.trained agree on every model the course trains and reuses.

* A lesson that teaches a model builds its recipe from its parameters cell: with the
  cell's defaults it must be the catalogue's classroom recipe, and with the notebook's
  smoke parameters the catalogue's smoke recipe. So a later lesson that asks for the
  catalogue recipe gets exactly the model the teaching lesson trained, in both modes.
* A lesson that reuses a model asks for it by name (``cu.trained.recipe("...")``), and
  only for models taught in it or before it.
* No lesson builds its own name or path for a trained model, or keeps a parameter that
  re-describes another lesson's model (``EVALUATOR_EPOCHS`` and the like).
"""

import ast
import json

import pytest

from course_utils import trained
from tools import notebook_runner

NOTEBOOKS = notebook_runner.list_notebooks()
RECIPE_CLASSES = {"ClassifierRecipe": trained.ClassifierRecipe, "GANRecipe": trained.GANRecipe}


def lesson_number(path) -> int:
    return int(path.name[:2])


def code_of(path) -> str:
    cells = json.loads(path.read_text())["cells"]
    source = []
    for cell in cells:
        if cell["cell_type"] == "code":
            lines = "".join(cell["source"]).splitlines()  # IPython's !shell lines become `pass`
            source.append("\n".join(line[:len(line) - len(line.lstrip())] + "pass"
                                     if line.lstrip().startswith(("!", "%")) else line for line in lines))
    return "\n\n".join(source)


def recipe_calls(path):
    """(class name, keywords as ast nodes) of every ``...Recipe(...)`` call in the lesson."""
    for node in ast.walk(ast.parse(code_of(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RECIPE_CLASSES:
            assert not node.args, f"{path.name}: pass recipe fields by name"
            yield node.func.attr, {keyword.arg: keyword.value for keyword in node.keywords}


def catalogue_requests(path):
    """Names of the models the lesson loads or trains as ``load_or_train(cu.trained.recipe(name))``."""
    for node in ast.walk(ast.parse(code_of(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load_or_train":
            argument = node.args[0] if node.args else None
            if isinstance(argument, ast.Call) and getattr(argument.func, "attr", None) == "recipe":
                assert argument.args and isinstance(argument.args[0], ast.Constant), \
                    f"{path.name}: name the model literally"
                yield argument.args[0].value


def build(class_name, keywords, parameters):
    """The recipe the lesson's call makes when its parameters cell holds ``parameters``."""
    fields = {}
    for field, value in keywords.items():
        if isinstance(value, ast.Name):
            assert value.id in parameters, f"{value.id} is not a parameter of the lesson"
            fields[field] = parameters[value.id]
        else:
            fields[field] = ast.literal_eval(value)
    return RECIPE_CLASSES[class_name](**fields)


TEACHING = {name: entry for name, entry in trained.CATALOGUE.items()}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_a_lesson_that_builds_a_recipe_builds_the_catalogues_in_both_modes(path):
    defaults = notebook_runner.parameter_values(path)
    smoke = {**defaults, **notebook_runner.smoke_parameters(path)}
    taught_here = {name: entry for name, entry in TEACHING.items() if entry.lesson == lesson_number(path)}
    built = {}
    for class_name, keywords in recipe_calls(path):
        classroom_recipe = build(class_name, keywords, defaults)
        matches = [name for name, entry in taught_here.items() if entry.classroom == classroom_recipe]
        assert matches, (f"{path.name} trains {classroom_recipe} with its defaults, which is no model the "
                         f"catalogue says this lesson teaches ({sorted(taught_here)})")
        name = matches[0]
        assert build(class_name, keywords, smoke) == taught_here[name].smoke, \
            f"{path.name}: its smoke parameters do not give the smoke recipe of {name!r}"
        built[name] = classroom_recipe
    requested = set(catalogue_requests(path))
    missing = set(taught_here) - set(built) - requested
    assert not missing, f"{path.name} teaches {sorted(missing)} but never builds or asks for its recipe"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_a_lesson_reuses_only_models_taught_in_it_or_before_it(path):
    for name in catalogue_requests(path):
        assert name in trained.CATALOGUE, f"{path.name} asks for an unknown model {name!r}"
        assert trained.CATALOGUE[name].lesson <= lesson_number(path), \
            f"{path.name} reuses {name!r}, which lesson {trained.CATALOGUE[name].lesson} teaches later"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_no_lesson_names_or_re_describes_another_lessons_model(path):
    code = code_of(path)
    for old_way in ("load_or_train_classifier", "load_or_train_generator", "classifier_path", "generator_path",
                    "save_generator", "artifacts_dir()", "CHECK_TARGETS", "RESULTS_FILE", "RESULTS_PATH",
                    "CLASSROOM_RUN"):
        assert old_way not in code, f"{path.name} still uses {old_way}"
    for parameter in notebook_runner.parameter_names(path):
        assert not parameter.startswith(("EVALUATOR_", "GENERATOR_", "SOURCE_")), \
            f"{path.name}: {parameter} describes a model of another lesson; ask cu.trained.recipe for it"


def test_every_catalogue_model_is_taught_by_a_lesson_that_exists():
    lessons = {lesson_number(path) for path in NOTEBOOKS}
    assert {entry.lesson for entry in trained.CATALOGUE.values()} <= lessons
