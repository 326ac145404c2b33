"""Browser smoke test: open every page of the built site in headless Chromium.

Run after the docs build (``nox -s docs`` then ``nox -s browser``). A page fails on any
console error, uncaught exception, failed or non-local request, HTTP error, or image
that does not load; a page with mathematics fails if MathJax did not typeset it.
"""

from urllib.parse import urlparse

import pytest

from tests.browser import HTML

pytestmark = pytest.mark.browser

PAGES = sorted(
    p.relative_to(HTML).as_posix()
    for p in HTML.rglob("*.html")
    if not p.relative_to(HTML).as_posix().startswith(("_static/", "_sources/"))
)

BROKEN_IMAGES = """() => {
    return Array.from(document.images)
        .filter(img => !img.complete || img.naturalWidth === 0)
        .map(img => img.currentSrc || img.src);
}"""


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
