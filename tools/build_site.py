"""Build the course website from the committed, executed lessons (nothing is re-executed).

Command line (``./course site`` runs it)::

    .venv/bin/python tools/build_site.py                    # build/site/html/index.html
    .venv/bin/python tools/build_site.py --gettext          # translation templates (.pot)
    .venv/bin/python tools/build_site.py --language zh_CN   # build/site/html-zh_CN

The generator is Sphinx with myst-nb (``nb_execution_mode = "off"``) and the furo theme,
configured in ``docs/conf.py``. This script is the glue around it:

1. **stage** a sanitized copy of every lesson in ``<output>/source/lessons/`` (the
   lessons themselves are not touched): stderr streams dropped, ANSI escape codes removed,
   the text/plain repr of an output that has an image (``<Figure size ...>``, an IPython
   ``Image``) dropped, widget views replaced by their static text, cell tags removed (they
   would become CSS classes), ``|`` in code spans of Markdown tables escaped, and the
   Open-in-Colab badge, an external image, replaced by
   three links: Open in Colab, View source (GitHub) and Download notebook (the committed
   ``.ipynb``, copied into the site so it works offline). A staged output that still holds
   a machine path, a Python repr or a test marker stops the build, naming lesson and cell;
2. write the **home page**: the README's lesson table (its one home: what each lesson
   teaches, default and smoke times) with a column of prerequisites computed from the
   lessons (which trained models each loads, and the lesson that trains them, from
   ``course_utils.trained.CATALOGUE``);
3. run **Sphinx**, then **check** the site (:func:`check_site`): every internal link and
   image resolves, no page loads anything from another host, and no page shows a repr,
   a test marker, a machine path or an ANSI escape code.
"""

from __future__ import annotations

import argparse
import ast
import html.parser
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPOSITORY = Path(__file__).resolve().parent.parent
DOCS = REPOSITORY / "docs"
NOTEBOOKS = REPOSITORY / "notebooks"
README = REPOSITORY / "README.md"
DEFAULT_OUTPUT = REPOSITORY / "build" / "site"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
IMAGE_MIMES = ("image/png", "image/gif", "image/jpeg", "image/svg+xml")

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: Text no page may show: Python reprs, test markers, machine paths, ANSI escapes.
FORBIDDEN = {
    "a Python repr": re.compile(
        r"<[A-Za-z_][\w.]* object at 0x[0-9a-f]+>|&lt;[A-Za-z_][\w.]* object at 0x[0-9a-f]+&gt;"
        r"|(<|&lt;)Figure size \d|(<|&lt;)IPython\.core\.display"
    ),
    "a test marker": re.compile(r"NBVAL|nbval-ignore-output"),
    "a machine path": re.compile(r"(?<![\w.:/-])/(work|tmp|root|home)/[\w.-]"),
    # The escape character itself, or what is left visible of a sequence without it. (A
    # lesson's code may spell "\x1b" in a regular expression: that is not an escape code.)
    "an ANSI escape code": re.compile(r"\x1b|&#27;|&#x1b;|\[[0-9;]*[0-9]m"),
}
LOADS_MODEL = re.compile(
    r"load_or_train\(\s*(?:cu\.)?(?:trained\.)?recipe\(\s*[\"']([a-z_0-9]+)[\"']"
)
COLAB_BADGE = re.compile(
    r"\[!\[[^\]]*\]\([^)]*\)\]\((https://colab\.research\.google\.com/github/[^)\s]+)\)"
)


# ---------------------------------------------------------------------------- staging


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else value


def strip_ansi(text: str) -> str:
    """``text`` without ANSI escape sequences (colours, bold) and stray escape characters."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return ANSI_ESCAPE.sub("", text).replace("\x1b", "")


def sanitize_outputs(outputs: list) -> list:
    """The outputs a static page shows: no stderr, no ANSI codes, no repr beside an image,
    widgets as their static text. Returns new output dicts; ``outputs`` is not changed."""
    if not isinstance(outputs, list):
        raise TypeError(f"outputs must be a list, got {type(outputs).__name__}")
    kept = []
    for output in outputs:
        output = json.loads(json.dumps(output))
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stderr":
                continue
            output["text"] = strip_ansi(_text(output.get("text", "")))
        elif kind in ("display_data", "execute_result"):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                text = strip_ansi(_text(data.get("text/plain", "")))
                data = {"text/plain": text} if text.strip() else {}
            if any(mime in data for mime in IMAGE_MIMES):
                data.pop("text/plain", None)
            if "text/plain" in data:
                data["text/plain"] = strip_ansi(_text(data["text/plain"]))
            if not data:
                continue
            output["data"] = data
        elif kind == "error":
            raise ValueError("outputs must not hold an error (re-execute the lesson)")
        kept.append(output)
    return kept


def lesson_links(colab_url: str, download_path: str) -> str:
    """The Markdown line of the three lesson buttons (class ``course-buttons``)."""
    if not colab_url.startswith("https://colab.research.google.com/github/"):
        raise ValueError(f"colab_url must be a Colab URL of a GitHub notebook, got {colab_url!r}")
    github_url = colab_url.replace(
        "https://colab.research.google.com/github/", "https://github.com/", 1
    )
    return (
        "{.course-buttons}\n"
        f"[Open in Colab]({colab_url}) [View source on GitHub]({github_url}) "
        f"{{download}}`Download notebook <{download_path}>`"
    )


def escape_table_code_pipes(markdown: str) -> str:
    """``markdown`` with each ``|`` inside a code span of a table row written ``\\|``: the
    table syntax MyST follows (GitHub's) splits cells there otherwise (``|z|`` in lesson 7)."""
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a str, got {type(markdown).__name__}")

    def escape(row: str) -> str:
        return re.sub(
            r"(`+)(.+?)\1",
            lambda m: m.group(1) + re.sub(r"(?<!\\)\|", r"\\|", m.group(2)) + m.group(1),
            row,
        )

    return "\n".join(
        escape(line) if line.lstrip().startswith("|") else line for line in markdown.split("\n")
    )


def forbidden_text(text: str) -> list[str]:
    """What of :data:`FORBIDDEN` ``text`` contains, as short descriptions with the match."""
    found = []
    for what, pattern in FORBIDDEN.items():
        match = pattern.search(text)
        if match:
            found.append(f"{what} ({match.group(0)!r})")
    return found


def stage_notebook(notebook: dict, name: str, download_path: str) -> dict:
    """A sanitized copy of the executed lesson ``notebook`` (a dict from its JSON) for the
    site; raises ValueError naming the lesson and cell if an output still shows a repr, a
    test marker or a machine path after sanitizing."""
    if not isinstance(notebook, dict) or "cells" not in notebook:
        raise TypeError("notebook must be a notebook dict with 'cells'")
    staged = json.loads(json.dumps(notebook))
    badge_replaced = False
    for index, cell in enumerate(staged["cells"]):
        cell.get("metadata", {}).pop("tags", None)
        if staged.get("nbformat_minor", 0) >= 5:
            cell.setdefault("id", f"cell-{index}")  # nbformat 4.5 requires one (a warning otherwise)
        if cell["cell_type"] == "markdown":
            cell["source"] = escape_table_code_pipes(_text(cell["source"]))
        if cell["cell_type"] == "markdown" and not badge_replaced:
            source = cell["source"]
            match = COLAB_BADGE.search(source)
            if match:
                cell["source"] = COLAB_BADGE.sub(
                    lambda m: "\n" + lesson_links(m.group(1), download_path) + "\n", source, count=1
                )
                badge_replaced = True
        if cell["cell_type"] == "code":
            cell["outputs"] = sanitize_outputs(cell.get("outputs", []))
            for output in cell["outputs"]:
                shown = _text(output.get("text", "")) + _text(
                    output.get("data", {}).get("text/plain", "")
                )
                shown += _text(output.get("data", {}).get("text/html", ""))
                problems = forbidden_text(shown)
                if problems:
                    raise ValueError(f"{name}, cell {index}: an output shows {', '.join(problems)}")
    if not badge_replaced:
        raise ValueError(
            f"{name}: no Open-in-Colab badge found (CONTRIBUTING.md puts one under the title)"
        )
    staged.get("metadata", {}).pop("widgets", None)
    return staged


# ---------------------------------------------------------------------------- home page


def readme_lesson_table(readme_text: str) -> list[dict]:
    """The rows of the README's lesson table (between ``<!-- lesson-table -->`` markers):
    dicts with number, lesson, what, default, smoke."""
    match = re.search(r"<!-- lesson-table -->\n(.*?)<!-- /lesson-table -->", readme_text, re.DOTALL)
    if not match:
        raise ValueError(
            "readme_text has no <!-- lesson-table --> ... <!-- /lesson-table --> block"
        )
    rows = []
    for line in match.group(1).strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5:
            raise ValueError(f"readme_text: a lesson-table row must have 5 cells, got {line!r}")
        number, lesson, what, default, smoke = cells
        rows.append(
            {
                "number": int(number),
                "lesson": lesson.strip("`"),
                "what": what,
                "default": default,
                "smoke": smoke,
            }
        )
    return rows


def catalogue_lessons(trained_source: str) -> dict[str, int]:
    """Model name -> the lesson that trains it, read from ``CATALOGUE`` in the source of
    course_utils/trained.py (parsed, not imported: importing it would import Keras)."""
    for node in ast.walk(ast.parse(trained_source)):
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == "CATALOGUE" for t in node.targets
        ):
            return {
                key.value: value.args[0].value
                for key, value in zip(node.value.keys, node.value.values)
            }
    raise ValueError("trained_source has no CATALOGUE assignment")


def prerequisites(
    notebook: dict, lesson_number: int, catalogue: dict[str, int]
) -> dict[int, list[str]]:
    """Earlier lesson -> the models of it that ``notebook``'s code loads
    (``cu.trained.load_or_train(cu.trained.recipe("name"))``, CONTRIBUTING.md's one way)."""
    code = "\n".join(
        _text(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"
    )
    needed: dict[int, list[str]] = {}
    for name in sorted(set(LOADS_MODEL.findall(code))):
        if name not in catalogue:
            raise ValueError(
                f"lesson {lesson_number} loads {name!r}, which CATALOGUE does not list"
            )
        if catalogue[name] != lesson_number:
            needed.setdefault(catalogue[name], []).append(name)
    return dict(sorted(needed.items()))


def _title(notebook: dict) -> str:
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            for line in _text(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError("notebook has no '# ' title")


def home_page(
    rows: list[dict],
    titles: dict[str, str],
    needs: dict[str, dict[int, list[str]]],
    introduction: str,
) -> str:
    """The MyST source of the home page: introduction, lesson table, hidden toctree."""
    lines = [
        "# Cross-entropy, transfer learning and GANs",
        "",
        introduction,
        "",
        "## Lessons",
        "",
        "Run them in order: a later lesson loads the models an earlier one trained (and trains",
        "them itself if they are missing). *default*: the lesson run top to bottom as a class",
        "runs it; *smoke*: the small run the tests use; both measured on the course's",
        "2-core reference machine without a GPU (see the README).",
        "",
        "| # | lesson | what you learn | default | smoke | needs models from |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for row in rows:
        lesson = row["lesson"]
        if lesson not in titles:
            raise ValueError(
                f"the README's lesson table lists {lesson}, which notebooks/ does not have"
            )
        need = (
            "; ".join(
                f"lesson {number} ({', '.join(name.replace('_', ' ') for name in names)})"
                for number, names in needs[lesson].items()
            )
            or "none"
        )
        link = f"[{titles[lesson]}](lessons/{lesson}.ipynb)"
        lines.append(
            f"| {row['number']} | {link} | {row['what']} | {row['default']} | {row['smoke']} | {need} |"
        )
    missing = set(titles) - {row["lesson"] for row in rows}
    if missing:
        raise ValueError(f"the README's lesson table misses {sorted(missing)}")
    lines += ["", "```{toctree}", ":hidden:", ":maxdepth: 1", ":caption: Lessons", ""]
    lines += [f"lessons/{row['lesson']}" for row in rows]
    lines += ["```", ""]
    return "\n".join(lines)


def readme_introduction(readme_text: str) -> str:
    """The README's first paragraph (under its title)."""
    paragraphs = [p.strip() for p in readme_text.split("\n\n") if p.strip()]
    return next(p for p in paragraphs if not p.startswith("#"))


def stage(source: Path, notebooks_folder: Path = NOTEBOOKS, readme: Path = README) -> list[str]:
    """Write the staged Sphinx source folder; return the lesson names in teaching order."""
    paths = sorted(Path(notebooks_folder).glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise ValueError(f"notebooks_folder has no lessons (NN_name.ipynb): {notebooks_folder}")
    if source.exists():
        shutil.rmtree(source)
    (source / "lessons").mkdir(parents=True)
    (source / "notebooks").mkdir()
    catalogue = catalogue_lessons(
        (REPOSITORY / "course_utils" / "trained.py").read_text(encoding="utf-8")
    )
    titles, needs = {}, {}
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        shutil.copyfile(path, source / "notebooks" / path.name)
        staged = stage_notebook(notebook, path.stem, f"../notebooks/{path.name}")
        (source / "lessons" / path.name).write_text(
            json.dumps(staged, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        titles[path.stem] = _title(notebook)
        needs[path.stem] = prerequisites(notebook, int(path.stem[:2]), catalogue)
    readme_text = readme.read_text(encoding="utf-8")
    page = home_page(
        readme_lesson_table(readme_text), titles, needs, readme_introduction(readme_text)
    )
    (source / "index.md").write_text(page, encoding="utf-8")
    return [path.stem for path in paths]


# ---------------------------------------------------------------------------- checking


class _PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("id", "name"):
            if attributes.get(name) and (name == "id" or tag == "a"):
                self.ids.add(attributes[name])
        for name in ("href", "src"):
            value = attributes.get(name)
            if value is not None and not (tag == "a" and name == "src"):
                self.links.append((tag, name, value))


def parse_page(text: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(text)
    return parser


def _external(value: str) -> bool:
    return bool(urlsplit(value).scheme) or value.startswith("//")


def check_site(html_dir) -> list[str]:
    """Problems of the built site in ``html_dir``: internal links, anchors and images that
    do not resolve, images, scripts or style sheets loaded from another host, and pages
    showing a repr, a test marker, a machine path or an ANSI escape. Empty when all is well."""
    html_dir = Path(html_dir)
    if not html_dir.is_dir():
        raise ValueError(f"html_dir must be an existing folder, got {html_dir}")
    pages = sorted(html_dir.rglob("*.html"))
    parsed = {page.resolve(): parse_page(page.read_text(encoding="utf-8")) for page in pages}
    problems = []
    for page in pages:
        name = page.relative_to(html_dir).as_posix()
        text = page.read_text(encoding="utf-8")
        problems += [f"{name}: shows {what}" for what in forbidden_text(text)]
        for tag, attribute, value in parsed[page.resolve()].links:
            if value.startswith(("mailto:", "javascript:", "data:")):
                continue
            if _external(value):
                if tag != "a":
                    problems.append(f"{name}: <{tag} {attribute}> loads from another host: {value}")
                continue
            parts = urlsplit(value)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{name}: <{tag} {attribute}={value!r}> does not resolve")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse_page(target.read_text()).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(
                        f"{name}: <{tag} {attribute}={value!r}>: no anchor #{parts.fragment}"
                    )
    return problems


def page_images(page_text: str) -> list[str]:
    """The sources of the output figures (myst-nb copies them into ``_images/``) of a page."""
    return [
        value
        for tag, attribute, value in parse_page(page_text).links
        if tag == "img" and attribute == "src" and "_images/" in value
    ]


def notebook_images(notebook: dict) -> int:
    """How many image outputs (PNG, GIF, JPEG, SVG) ``notebook`` has."""
    return sum(
        1
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        if any(mime in output.get("data", {}) for mime in IMAGE_MIMES)
    )


# ---------------------------------------------------------------------------- building


def build(
    output=DEFAULT_OUTPUT,
    language: str | None = None,
    builder: str = "html",
    notebooks_folder: Path = NOTEBOOKS,
    quiet: bool = True,
    readme: Path = README,
) -> Path:
    """Stage the lessons and run Sphinx; return the folder the builder wrote."""
    output = Path(output)
    source = output / "source"
    stage(source, notebooks_folder, readme)
    target = output / (f"{builder}-{language}" if language else builder)
    if target.exists():
        shutil.rmtree(target)
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        builder,
        "-c",
        str(DOCS),
        "-d",
        str(output / "doctrees" / (language or "en")),
        "-E",
        # A Sphinx warning (a broken reference, an output it cannot show) fails the build.
        "-W",
        "--keep-going",
        str(source),
        str(target),
    ]
    if language:
        command += ["-D", f"language={language}"]
    if quiet:
        command.append("-q")
    subprocess.run(command, check=True)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="build folder (default build/site)"
    )
    parser.add_argument(
        "--language", help="build a translated edition from docs/locales (e.g. zh_CN)"
    )
    parser.add_argument(
        "--gettext", action="store_true", help="write translation templates (.pot) instead"
    )
    parser.add_argument(
        "--notebooks", type=Path, default=NOTEBOOKS, help="lesson folder (default notebooks/)"
    )
    arguments = parser.parse_args(argv)
    start = time.perf_counter()
    builder = "gettext" if arguments.gettext else "html"
    try:
        target = build(arguments.output, arguments.language, builder, arguments.notebooks)
    except subprocess.CalledProcessError:
        print("Sphinx failed: its warnings and errors are above.", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    if builder == "gettext":
        print(
            f"Translation templates in {target} ({seconds:.0f} s). Next: "
            f"sphinx-intl update -p {target} -l zh_CN -d docs/locales"
        )
        return 0
    problems = check_site(target)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"The site in {target} has {len(problems)} problems (above).", file=sys.stderr)
        return 1
    print(
        f"Site built in {seconds:.0f} s: open {target / 'index.html'} (or python -m http.server -d {target})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
