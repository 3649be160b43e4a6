"""Load every page of the course website in a real headless browser (Debian's Chromium).

    apt-get install -y chromium chromium-driver       # once
    .venv/bin/python benchmarks/site_in_browser.py    # builds the site, then checks it

Builds the site (tools/build_site.py, timed), serves it with ``python -m http.server`` on
127.0.0.1 and also opens it from disk (file://), loads every page both ways in a fresh
headless Chromium profile, and saves a screenshot per page in build/site-screenshots/. It
fails on a console error (``driver.get_log("browser")``, level SEVERE), a broken image
(``naturalWidth == 0``), a request to any other host, math left unrendered on a page that
has math, or a search that finds nothing (``search.html?q=cross``), or a build over 2 minutes (it
builds 3 times: wall time on a shared machine varies). The result goes to
benchmarks/results/site_in_browser.json and .md.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import http.server
import io
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "tools"))
import build_site

SCREENSHOTS = REPOSITORY / "build" / "site-screenshots"
RESULTS = REPOSITORY / "benchmarks" / "results" / "site_in_browser"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1600",
]
SEARCH_WORD = "cross"
PAGE_SECONDS = 20

BROKEN_IMAGES_JS = """
return Array.from(document.images)
    .filter(image => !image.complete || image.naturalWidth === 0)
    .map(image => image.getAttribute('src'));
"""


def start_browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit driver: Selenium Manager (which would download one) is never asked.
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


def requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def wait_until(driver, script: str, seconds: float = PAGE_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if driver.execute_script(script):
            return True
        time.sleep(0.2)
    return False


def git(*arguments) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=REPOSITORY, capture_output=True, text=True, check=True
    ).stdout.strip()


def check_page(driver, url: str, local_prefixes: tuple[str, ...], screenshot: Path) -> dict:
    """Load ``url`` and return what was wrong with it (empty lists when nothing)."""
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(url)
    wait_until(driver, "return document.readyState === 'complete'")
    wait_until(driver, "return Array.from(document.images).every(image => image.complete)")
    has_math = driver.execute_script("return document.querySelectorAll('.math').length") > 0
    math_rendered = None
    if has_math:
        math_rendered = wait_until(
            driver, "return document.querySelectorAll('mjx-container').length > 0"
        )
    gifs = driver.execute_script(
        "return Array.from(document.images).filter(i => i.src.endsWith('.gif') && i.naturalWidth > 0).length"
    )
    driver.save_screenshot(str(screenshot))
    # The first animation and the first displayed formula, scrolled into view, to look at.
    from selenium.webdriver.common.by import By

    for selector, suffix in (("img[src$='.gif']", "gif"), ("div.math mjx-container", "math")):
        found = driver.find_elements(By.CSS_SELECTOR, selector)
        if found:
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", found[0])
            time.sleep(0.5)
            driver.save_screenshot(str(screenshot.with_name(f"{screenshot.stem}-{suffix}.png")))
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    # chrome:// and the like are the browser's own pages (its new-tab page on the first load).
    external = [
        u
        for u in requested_urls(driver)
        if u.startswith(("http:", "https:", "ws:", "wss:", "ftp:"))
        and not u.startswith(local_prefixes)
    ]
    return {
        "console_errors": errors,
        "broken_images": driver.execute_script(BROKEN_IMAGES_JS),
        "external_requests": external,
        "images": driver.execute_script("return document.images.length"),
        "gifs_shown": gifs,
        "math_rendered": math_rendered,
    }


def check_search(driver, base: str) -> dict:
    """What the site's search page says and lists for :data:`SEARCH_WORD`, and its console errors."""
    driver.get_log("browser")
    driver.get(f"{base}search.html?q={SEARCH_WORD}")
    wait_until(
        driver,
        "const s = document.querySelector('.search-summary'); return s && s.innerText.length > 0",
    )
    return {
        "summary": driver.execute_script(
            "const s = document.querySelector('.search-summary'); return s ? s.innerText : ''"
        ),
        "results": driver.execute_script("return document.querySelectorAll('ul.search li').length"),
        "console_errors": [
            e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"
        ],
    }


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *arguments):
        pass


def serve(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=build_site.DEFAULT_OUTPUT)
    parser.add_argument(
        "--commit",
        help="build the lessons as committed at this commit (e.g. HEAD) "
        "instead of the working tree's notebooks/",
    )
    parser.add_argument("--builds", type=int, default=3, help="how many times to build (timed)")
    parser.add_argument("--no-record", action="store_true", help="do not write benchmarks/results")
    arguments = parser.parse_args(argv)

    notebooks = build_site.NOTEBOOKS
    if arguments.commit:
        commit = git("rev-parse", "--short", arguments.commit)
        folder = arguments.output / "lessons-at-commit"
        shutil.rmtree(folder, ignore_errors=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit, "notebooks"],
            cwd=REPOSITORY,
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as lessons:
            lessons.extractall(folder, filter="data")
        notebooks = folder / "notebooks"
        built_from = f"as committed at {commit}"
    else:
        commit = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--", "notebooks")
        built_from = (
            "working tree, with uncommitted changes" if changed else f"as committed at {commit}"
        )
    builds = []  # the build is repeated: on a shared machine one wall time says little
    for _ in range(arguments.builds):
        load_before = os.getloadavg()[0]
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        html_dir = build_site.build(arguments.output, notebooks_folder=notebooks)
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        builds.append(
            {
                "wall_seconds": round(time.perf_counter() - start, 1),
                "cpu_seconds": round(
                    cpu_after.ru_utime
                    - cpu_before.ru_utime
                    + cpu_after.ru_stime
                    - cpu_before.ru_stime,
                    1,
                ),
                "load_average": round(load_before, 1),
            }
        )
    site_problems = build_site.check_site(html_dir)
    pages = sorted(p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html"))

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    server = serve(html_dir)
    http_base = f"http://127.0.0.1:{server.server_address[1]}/"
    file_base = html_dir.resolve().as_uri() + "/"
    results, search = {}, {}
    with tempfile.TemporaryDirectory(prefix="site-chromium-") as profile:
        driver = start_browser(Path(profile))
        try:
            browser_version = driver.capabilities.get("browserVersion")
            for mode, base in (("http", http_base), ("file", file_base)):
                for page in pages:
                    shot = SCREENSHOTS / f"{mode}-{page.replace('/', '-')[:-5]}.png"
                    results[f"{mode}:{page}"] = check_page(driver, base + page, (base,), shot)
                search[mode] = check_search(driver, base)
                driver.save_screenshot(str(SCREENSHOTS / f"{mode}-search-{SEARCH_WORD}.png"))
        finally:
            driver.quit()
            server.shutdown()

    failures = list(site_problems)
    for key, result in results.items():
        for what in ("console_errors", "broken_images", "external_requests"):
            failures += [f"{key}: {what[:-1].replace('_', ' ')}: {item}" for item in result[what]]
        if result["math_rendered"] is False:
            failures.append(f"{key}: math not rendered by MathJax")
    for mode, found in search.items():
        if found["results"] == 0:
            failures.append(
                f"{mode}: search for {SEARCH_WORD!r} found nothing ({found['summary']!r})"
            )
        failures += [
            f"{mode}:search.html?q={SEARCH_WORD}: console error: {e}"
            for e in found["console_errors"]
        ]
    gif_pages = sorted({key.split(":", 1)[1] for key, r in results.items() if r["gifs_shown"]})
    math_pages = sorted({key.split(":", 1)[1] for key, r in results.items() if r["math_rendered"]})

    record = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": f"{platform.machine()}, 2 cores, shared with other jobs",
        "browser": f"Chromium {browser_version} (Debian), headless",
        "build_seconds": max(b["wall_seconds"] for b in builds),
        "builds": builds,
        "notebooks": built_from,
        "pages": len(pages),
        "page_loads": len(results),
        "modes": ["http (python -m http.server on 127.0.0.1)", "file://"],
        "console_errors": sum(len(r["console_errors"]) for r in results.values()),
        "broken_images": sum(len(r["broken_images"]) for r in results.values()),
        "external_requests": sum(len(r["external_requests"]) for r in results.values()),
        "images_loaded": sum(r["images"] for r in results.values()),
        "pages_with_gif_shown": gif_pages,
        "pages_with_math_rendered": math_pages,
        "search_results_for_" + SEARCH_WORD: search,
        "site_check_problems": len(site_problems),
        "failures": failures,
        "passed": not failures,
    }
    if record["build_seconds"] > 120:
        failures.append(f"a build took {record['build_seconds']} s, over the 2-minute target")
        record["passed"] = False
    print(json.dumps(record, indent=2))
    if not arguments.no_record:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n")
        RESULTS.with_suffix(".md").write_text(markdown(record))
    return 0 if not failures else 1


def markdown(record: dict) -> str:
    search = record["search_results_for_" + SEARCH_WORD]
    lines = [
        "# The course website in a headless browser",
        "",
        f"`benchmarks/site_in_browser.py` at commit {record['commit']}, {record['date']}, "
        f"{record['browser']}; machine: {record['machine']}.",
        "",
        "| what | value |",
        "| --- | --- |",
        f"| site builds (stage + Sphinx), wall seconds | "
        f"{', '.join(str(b['wall_seconds']) for b in record['builds'])} (target: at most 120) |",
        f"| their CPU seconds (Sphinx process) | {', '.join(str(b['cpu_seconds']) for b in record['builds'])} |",
        f"| load average on 2 cores when each started | "
        f"{', '.join(str(b['load_average']) for b in record['builds'])} |",
        f"| lessons built | {record['notebooks']} |",
        f"| pages | {record['pages']} |",
        f"| page loads (each page over http and file://) | {record['page_loads']} |",
        f"| console errors (SEVERE) | {record['console_errors']} |",
        f"| broken images (naturalWidth 0) | {record['broken_images']} |",
        f"| requests to other hosts | {record['external_requests']} |",
        f"| images loaded | {record['images_loaded']} |",
        f"| pages showing a GIF animation | {', '.join(record['pages_with_gif_shown']) or 'none'} |",
        f"| pages with math rendered by MathJax | {', '.join(record['pages_with_math_rendered']) or 'none'} |",
        f"| search results for '{SEARCH_WORD}' (http / file) | {search['http']['results']} / {search['file']['results']} |",
        f"| result | {'passed' if record['passed'] else 'FAILED: ' + '; '.join(record['failures'][:10])} |",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
