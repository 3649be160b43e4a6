"""The course website (tools/build_site.py): built once from the committed lessons, then
every page, link, image, figure, button and the translation templates are checked; the
checker and the staging step are unit-tested on small inputs that must fail."""

import itertools
import json
import re
import subprocess

import pytest

from conftest import REPOSITORY
from tools import build_site
from tools.notebook_runner import WIDGET_TEXT, list_notebooks

LESSONS = list_notebooks()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site's html folder, built once (nothing is executed: a few seconds of Sphinx)."""
    return build_site.build(tmp_path_factory.mktemp("site"))


def read(path):
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- the built site


def test_the_built_site_has_no_broken_link_image_anchor_external_asset_or_forbidden_text(site):
    assert build_site.check_site(site) == []


def test_every_lesson_has_its_page_linked_from_the_home_page_in_teaching_order(site):
    home = read(site / "index.html")
    positions = []
    for lesson in LESSONS:
        assert (site / "lessons" / f"{lesson.stem}.html").is_file(), lesson.stem
        link = f'href="lessons/{lesson.stem}.html"'
        assert link in home, f"the home page does not link {lesson.stem}"
        positions.append(home.index(link))
    assert positions == sorted(positions)


def test_the_home_page_table_shows_the_readme_times_and_the_prerequisites(site):
    text = re.sub(r"<[^>]+>", " ", read(site / "index.html"))
    rows = build_site.readme_lesson_table(read(REPOSITORY / "README.md"))
    assert len(rows) == len(LESSONS)
    for row in rows:
        default, smoke = (re.escape(row[key]).replace("\\ ", r"\s+") for key in ("default", "smoke"))
        assert re.search(
            rf"\b{row['number']}\s+Lesson {row['number']}:.*?{default}\s+{smoke}",
            text,
            re.DOTALL,
        ), row
    # Lesson 7 edits lesson 6's conditional GAN and is judged by lesson 2's evaluator.
    assert "lesson 2 (evaluator); lesson 6 (conditional gan)" in text


def test_every_lesson_page_shows_every_figure_and_animation_of_its_notebook(site):
    for lesson in LESSONS:
        notebook = json.loads(read(lesson))
        images = build_site.page_images(read(site / "lessons" / f"{lesson.stem}.html"))
        assert len(images) == build_site.notebook_images(notebook), lesson.stem
        gifs = sum(
            "image/gif" in o.get("data", {})
            for c in notebook["cells"]
            for o in c.get("outputs", [])
        )
        assert sum(src.endswith(".gif") for src in images) == gifs, lesson.stem
    assert any(
        src.endswith(".gif")
        for src in build_site.page_images(read(site / "lessons" / "05_dcgan.html"))
    )


def test_every_lesson_page_has_colab_source_and_download_buttons_and_no_badge_image(site):
    for lesson in LESSONS:
        page = read(site / "lessons" / f"{lesson.stem}.html")
        buttons = re.search(r'<p class="course-buttons">(.*?)</p>', page, re.DOTALL)
        assert buttons, f"{lesson.stem}: no buttons"
        hrefs = re.findall(r'href="([^"]+)"', buttons.group(1))
        assert (
            hrefs[0]
            == f"https://colab.research.google.com/github/tl-gan-course/course/blob/main/notebooks/{lesson.name}"
        )
        assert (
            hrefs[1] == f"https://github.com/tl-gan-course/course/blob/main/notebooks/{lesson.name}"
        )
        download = (site / "lessons" / hrefs[2]).resolve()
        assert download.name == lesson.name and download.read_bytes() == lesson.read_bytes()
        assert "colab-badge" not in page and "shields.io" not in page


def test_lesson_pages_link_their_previous_and_next_lessons(site):
    for before, after in itertools.pairwise(LESSONS):
        page = read(site / "lessons" / f"{before.stem}.html")
        assert re.search(rf'<a class="next-page" href="{after.stem}.html"', page), before.stem
        page = read(site / "lessons" / f"{after.stem}.html")
        assert re.search(rf'<a class="prev-page" href="{before.stem}.html"', page), after.stem


def test_widgets_show_their_static_text_and_math_uses_the_local_mathjax(site):
    page = read(site / "lessons" / "07_image_editing.html")
    assert WIDGET_TEXT in page and "widget-view" not in page and "model_id" not in page
    page = read(site / "lessons" / "04_gans_from_scratch.html")
    assert 'class="math' in page
    assert re.search(r'<script[^>]+src="../_static/mathjax/tex-chtml.js', page)
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_no_page_carries_cell_tags_as_classes_or_stderr(site):
    for page in site.rglob("*.html"):
        # myst-nb writes a cell's tags as classes tag_<name>, a stderr stream as "output stderr".
        classes = " ".join(re.findall(r'class="([^"]*)"', read(page))).split()
        assert not [c for c in classes if c.startswith("tag_") or c == "stderr"], page.name


def test_the_search_index_holds_the_lessons(site):
    assert (site / "search.html").is_file()
    index = read(site / "searchindex.js")
    for lesson in LESSONS:
        assert f'"lessons/{lesson.stem}"' in index
    assert '"discrimin' in index  # stemmed words of the lessons' text


def test_gettext_extracts_the_lessons_text_for_translation(tmp_path):
    folder = build_site.build(tmp_path, builder="gettext")
    template = read(folder / "lessons" / "04_gans_from_scratch.pot")
    assert 'msgid "Lesson 4: GANs from scratch"' in template
    assert 'msgid "Lessons"' in read(folder / "index.pot")


# ---------------------------------------------------------------------------- the checker


def write_site(folder, pages):
    for name, text in pages.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


GOOD_PAGE = (
    '<html><body><h1 id="top">x</h1><a href="#top">up</a><a href="b/c.html#here">c</a>'
    '<img src="img.png"><a href="https://example.org/">out</a></body></html>'
)


def test_the_checker_passes_a_clean_site(tmp_path):
    write_site(
        tmp_path,
        {
            "a.html": GOOD_PAGE,
            "b/c.html": '<p id="here"><a href="../a.html">a</a></p>',
            "img.png": "x",
        },
    )
    assert build_site.check_site(tmp_path) == []


@pytest.mark.parametrize(
    "body, problem",
    [
        ('<a href="missing.html">x</a>', "does not resolve"),
        ('<img src="_images/missing.png">', "does not resolve"),
        ('<a href="b/c.html#nowhere">x</a>', "no anchor #nowhere"),
        ('<a href="#nowhere">x</a>', "no anchor #nowhere"),
        ('<img src="https://img.shields.io/badge.svg">', "loads from another host"),
        ('<script src="//cdn.example.org/mathjax.js"></script>', "loads from another host"),
        (
            '<link rel="stylesheet" href="http://fonts.example.org/a.css">',
            "loads from another host",
        ),
        ("<pre>&lt;Figure size 640x480 with 1 Axes&gt;</pre>", "a Python repr"),
        ("<pre>&lt;IPython.core.display.Image object&gt;</pre>", "a Python repr"),
        ("<pre>&lt;keras.src.models.Sequential object at 0x7f3a2c&gt;</pre>", "a Python repr"),
        ("<pre># NBVAL_IGNORE_OUTPUT</pre>", "a test marker"),
        ("<pre>saved in /work/main/artifacts/x</pre>", "a machine path"),
        ("<pre>see /tmp/abc.png</pre>", "a machine path"),
        ("<pre>\x1b[1mModel\x1b[0m</pre>", "an ANSI escape code"),
        ("<pre>[1mModel[0m</pre>", "an ANSI escape code"),
    ],
)
def test_the_checker_finds_each_kind_of_problem(tmp_path, body, problem):
    write_site(
        tmp_path, {"a.html": f"<html><body>{body}</body></html>", "b/c.html": '<p id="here"></p>'}
    )
    problems = build_site.check_site(tmp_path)
    assert len(problems) == 1 and problem in problems[0] and problems[0].startswith("a.html: "), (
        problems
    )


def test_the_checker_leaves_code_that_spells_an_escape_and_urls_alone(tmp_path):
    write_site(
        tmp_path, {"a.html": r'<pre>re.sub(r"\x1b\[[0-9;]*m", "", text) https://x.org/tmp/y</pre>'}
    )
    assert build_site.check_site(tmp_path) == []


def test_the_checker_refuses_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="html_dir"):
        build_site.check_site(tmp_path / "nothing")


# ---------------------------------------------------------------------------- staging


def test_sanitize_drops_stderr_reprs_beside_images_ansi_and_widget_views_without_changing_its_input():
    outputs = [
        {"output_type": "stream", "name": "stderr", "text": "W0000 oneDNN\n"},
        {"output_type": "stream", "name": "stdout", "text": ["\x1b[1mModel\x1b[0m", " ok\n"]},
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {"image/gif": "R0lG", "text/plain": "<IPython.core.display.Image object>"},
        },
        {
            "output_type": "execute_result",
            "metadata": {},
            "execution_count": 1,
            "data": {"image/png": "iVBO", "text/plain": "<Figure size 640x480 with 1 Axes>"},
        },
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {build_site.WIDGET_MIME: {"model_id": "ab"}, "text/plain": WIDGET_TEXT},
        },
        {
            "output_type": "display_data",
            "metadata": {},
            "data": {"text/plain": "\x1b[31mred\x1b[0m"},
        },
    ]
    original = json.dumps(outputs)
    kept = build_site.sanitize_outputs(outputs)
    assert json.dumps(outputs) == original
    assert [o.get("text") for o in kept[:1]] == ["Model ok\n"]
    assert kept[1]["data"] == {"image/gif": "R0lG"} and kept[2]["data"] == {"image/png": "iVBO"}
    assert kept[3]["data"] == {"text/plain": WIDGET_TEXT}
    assert kept[4]["data"] == {"text/plain": "red"}
    assert len(kept) == 5


def test_sanitize_refuses_errors_and_bad_input():
    with pytest.raises(ValueError, match="error"):
        build_site.sanitize_outputs(
            [{"output_type": "error", "ename": "E", "evalue": "", "traceback": []}]
        )
    with pytest.raises(TypeError, match="outputs"):
        build_site.sanitize_outputs("not a list")
    with pytest.raises(TypeError, match="text"):
        build_site.strip_ansi(None)


def lesson(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


TITLE = {
    "cell_type": "markdown",
    "metadata": {},
    "source": [
        "# Lesson 9: A test\n",
        "\n",
        "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        "(https://colab.research.google.com/github/o/r/blob/main/notebooks/09_a.ipynb)\n",
        "\n",
        "Text.",
    ],
}


def code(outputs, tags=("nbval-ignore-output",)):
    return {
        "cell_type": "code",
        "metadata": {"tags": list(tags)},
        "source": "x",
        "outputs": outputs,
        "execution_count": 1,
    }


def test_staging_replaces_the_badge_by_three_local_links_and_strips_tags():
    staged = build_site.stage_notebook(lesson(TITLE, code([])), "09_a", "../notebooks/09_a.ipynb")
    source = staged["cells"][0]["source"]
    assert "colab-badge.svg" not in source and "{.course-buttons}" in source
    assert (
        "[Open in Colab](https://colab.research.google.com/github/o/r/blob/main/notebooks/09_a.ipynb)"
        in source
    )
    assert (
        "[View source on GitHub](https://github.com/o/r/blob/main/notebooks/09_a.ipynb)" in source
    )
    assert "{download}`Download notebook <../notebooks/09_a.ipynb>`" in source
    assert "tags" not in staged["cells"][1]["metadata"]


@pytest.mark.parametrize(
    "text, problem",
    [
        ("saved to /root/.keras/x", "a machine path"),
        ("<keras.Model object at 0x7f00ab>", "a Python repr"),
        ("NBVAL_CHECK_OUTPUT", "a test marker"),
    ],
)
def test_staging_stops_at_an_output_that_would_leak(text, problem):
    notebook = lesson(
        TITLE, code([]), code([{"output_type": "stream", "name": "stdout", "text": text}])
    )
    with pytest.raises(ValueError, match=rf"09_a, cell 2: an output shows {problem}"):
        build_site.stage_notebook(notebook, "09_a", "../notebooks/09_a.ipynb")


def test_staging_needs_the_colab_badge():
    no_badge = {"cell_type": "markdown", "metadata": {}, "source": "# Lesson 9: A test"}
    with pytest.raises(ValueError, match="no Open-in-Colab badge"):
        build_site.stage_notebook(lesson(no_badge), "09_a", "x.ipynb")


def test_the_readme_table_and_the_prerequisites_are_read_as_written():
    readme = (
        "x\n<!-- lesson-table -->\n| # | lesson | what | default | smoke |\n| --- | --- | --- | --- | --- |\n"
        "| 3 | `03_x` | a; b | 5 s | 2 s |\n<!-- /lesson-table -->\n"
    )
    assert build_site.readme_lesson_table(readme) == [
        {"number": 3, "lesson": "03_x", "what": "a; b", "default": "5 s", "smoke": "2 s"}
    ]
    with pytest.raises(ValueError, match="lesson-table"):
        build_site.readme_lesson_table("no table")
    catalogue = build_site.catalogue_lessons(read(REPOSITORY / "course_utils" / "trained.py"))
    assert catalogue["evaluator"] == 2 and catalogue["conditional_gan"] == 6
    notebook = lesson(
        {
            "cell_type": "code",
            "source": 'm = cu.trained.load_or_train(cu.trained.recipe("evaluator"))\n'
            'print(cu.trained.recipe("dcgan"))',
            "outputs": [],
        }
    )
    assert build_site.prerequisites(notebook, 5, catalogue) == {2: ["evaluator"]}
    assert build_site.prerequisites(notebook, 2, catalogue) == {}
    unknown = lesson(
        {"cell_type": "code", "source": 'load_or_train(recipe("nothing"))', "outputs": []}
    )
    with pytest.raises(ValueError, match="nothing"):
        build_site.prerequisites(unknown, 5, catalogue)


def test_the_home_page_refuses_a_readme_table_that_does_not_match_the_lessons():
    rows = [{"number": 0, "lesson": "00_a", "what": "w", "default": "1 s", "smoke": "1 s"}]
    with pytest.raises(ValueError, match="misses"):
        build_site.home_page(rows, {"00_a": "A", "01_b": "B"}, {"00_a": {}, "01_b": {}}, "intro")
    with pytest.raises(ValueError, match="00_a"):
        build_site.home_page(rows, {"01_b": "B"}, {"01_b": {}}, "intro")


def test_a_lesson_folder_without_lessons_is_refused(tmp_path):
    with pytest.raises(ValueError, match="notebooks_folder"):
        build_site.stage(tmp_path / "source", notebooks_folder=tmp_path)
    assert not (tmp_path / "source").exists()


def test_pipes_in_code_spans_of_table_rows_are_escaped_and_nothing_else_changes():
    text = "| a | line `|z|` far | `a\\|b` |\ntext `|z|`\n| ``x|y`` | y |"
    assert (
        build_site.escape_table_code_pipes(text)
        == "| a | line `\\|z\\|` far | `a\\|b` |\ntext `|z|`\n| ``x\\|y`` | y |"
    )
    with pytest.raises(TypeError, match="markdown"):
        build_site.escape_table_code_pipes(None)


def table_cells_with_a_stray_backtick(page: str) -> list[str]:
    cells = (
        re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", page, re.DOTALL)
    )
    return [cell for cell in cells if "`" in cell]


def test_no_table_cell_is_cut_at_a_pipe_inside_code(site):
    # Unescaped, lesson 7's "line midpoints have `|z|` far below" was cut into "line midpoints have `".
    assert table_cells_with_a_stray_backtick("<td>line midpoints have `</td><td>z</td>") == [
        "line midpoints have `"
    ]
    for page in site.rglob("*.html"):
        assert table_cells_with_a_stray_backtick(read(page)) == [], page.name


def test_a_sphinx_warning_fails_the_build(tmp_path):
    # One lesson with a link to a page that does not exist: Sphinx warns, and -W fails the build.
    (tmp_path / "notebooks").mkdir()
    broken = lesson(
        TITLE, {"cell_type": "markdown", "metadata": {}, "source": "[gone](missing.md)"}
    )
    (tmp_path / "notebooks" / "09_a.ipynb").write_text(json.dumps(broken))
    readme = tmp_path / "README.md"
    readme.write_text(
        "# Course\n\nIntroduction.\n\n<!-- lesson-table -->\n| # | lesson | what | default | smoke |\n"
        "| --- | --- | --- | --- | --- |\n| 9 | `09_a` | a test | 1 s | 1 s |\n<!-- /lesson-table -->\n"
    )
    with pytest.raises(subprocess.CalledProcessError):
        build_site.build(tmp_path / "out", notebooks_folder=tmp_path / "notebooks", readme=readme)
    broken["cells"].pop()
    (tmp_path / "notebooks" / "09_a.ipynb").write_text(json.dumps(broken))
    html = build_site.build(
        tmp_path / "out", notebooks_folder=tmp_path / "notebooks", readme=readme
    )
    assert (html / "lessons" / "09_a.html").is_file() and build_site.check_site(html) == []
