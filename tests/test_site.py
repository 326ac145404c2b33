"""Browser smoke test: open every page of the built site in headless Chromium.

Run after the docs build (``nox -s docs`` then ``nox -s browser``). A page fails on any
console error, uncaught exception, failed or non-local request, HTTP error, or image
that does not load; a page with mathematics fails if MathJax did not typeset it.
"""

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

HTML = Path(__file__).parents[1] / "docs" / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = sorted(
    p.relative_to(HTML).as_posix()
    for p in HTML.rglob("*.html")
    if not p.relative_to(HTML).as_posix().startswith(("_static/", "_sources/"))
)

pytestmark = pytest.mark.browser

BROKEN_IMAGES = """() => {
    return Array.from(document.images)
        .filter(img => !img.complete || img.naturalWidth === 0)
        .map(img => img.currentSrc || img.src);
}"""


@pytest.fixture(scope="module")
def site():
    """Serve the built HTML on a free localhost port."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=HTML)
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS)
        yield chromium
        chromium.close()


def test_the_site_was_built():
    assert (HTML / "index.html").exists(), "build the site first: nox -s docs"
    assert len(PAGES) >= 10


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_cleanly(site, browser, page):
    problems = []
    context = browser.new_context()
    tab = context.new_page()
    host = urlparse(site).netloc
    tab.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    tab.on("pageerror", lambda e: problems.append(f"exception: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    tab.on(
        "request",
        lambda r: (
            urlparse(r.url).netloc not in (host, "")
            and not r.url.startswith("data:")
            and problems.append(f"non-local request: {r.url}")
        ),
    )
    tab.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    tab.goto(site + page, wait_until="load")
    # Load lazy images too, then let MathJax and the theme's scripts finish.
    tab.evaluate("document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
    tab.wait_for_load_state("networkidle")
    problems += [f"broken image: {src}" for src in tab.evaluate(BROKEN_IMAGES)]
    if tab.locator(".math").count():
        tab.wait_for_selector("mjx-container", timeout=10_000)
    context.close()
    assert not problems, "\n".join(problems)
