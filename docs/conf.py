"""Sphinx configuration of the course website (built by tools/build_site.py).

tools/build_site.py stages sanitized copies of the executed lessons and a generated home
page into build/site/source and runs Sphinx with this folder as its configuration folder
(``-c docs``). Nothing here downloads anything: furo bundles its assets and
sphinx-mathjax-offline copies MathJax into the site, so the build works with no network and
the pages work opened from disk.
"""

from pathlib import Path

DOCS = Path(__file__).resolve().parent

project = "Cross-entropy, transfer learning and GANs"
author = "the course's authors"
copyright = "the course's authors, MIT License"

extensions = ["myst_nb", "sphinx-mathjax-offline"]

# The lessons are committed executed: show their stored outputs, never run them.
nb_execution_mode = "off"
# Widgets have no live kernel on a static page: never render their view (the staging step
# keeps their static text instead). GIF animations and PNG figures already win over their
# text/plain repr in myst-nb's priorities; the staging step also drops the repr.
# The gettext builder (translation templates) has no priorities of its own in myst-nb:
# give it those of html, so it picks an output quietly (outputs carry no text to translate).
nb_mime_priority_overrides = [("*", "application/vnd.jupyter.widget-view+json", None)] + [
    ("gettext", mime, priority)
    for priority, mime in enumerate(
        [
            "text/html",
            "image/svg+xml",
            "image/png",
            "image/gif",
            "image/jpeg",
            "text/markdown",
            "text/latex",
            "text/plain",
        ]
    )
]
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "attrs_block"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "Cross-entropy, transfer learning and GANs"
html_static_path = [str(DOCS / "_static")]
html_css_files = ["course.css"]
html_js_files = ["offline_search.js"]
# A local icon, so that browsers do not ask the server for /favicon.ico (a 404 there).
html_favicon = str(DOCS / "_static" / "favicon.svg")
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None

# No external requests from any page: no fonts, no analytics, no edit buttons to GitHub
# icons served from elsewhere (furo draws its icons inline).
html_theme_options = {"top_of_page_buttons": []}

# Translated editions (Chinese first): the catalogs live beside this file in locales/.
# sphinx-build -b gettext build/site/source build/site/gettext -c docs
# sphinx-intl update -p build/site/gettext -l zh_CN -d docs/locales
# python tools/build_site.py --language zh_CN   (sphinx-build ... -D language=zh_CN)
locale_dirs = [str(DOCS / "locales")]
gettext_compact = False
gettext_uuid = False

exclude_patterns = ["notebooks/**"]
suppress_warnings = ["mystnb.unknown_mime_type"]
