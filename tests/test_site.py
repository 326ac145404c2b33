"""Browser smoke test: open every page of the built site in headless Chromium.

Run after the docs build (``nox -s docs`` then ``nox -s browser``). A page fails on any
console error, uncaught exception, failed or non-local request, HTTP error, or image
that does not load; a page with mathematics fails if MathJax did not typeset it; and,
at desktop width in the light theme, if axe-core finds a serious or critical
accessibility problem (tests/test_a11y.py checks the dark theme at a phone's width).
"""

import importlib.util
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser import HTML

pytestmark = pytest.mark.browser

PAGES = sorted(
    p.relative_to(HTML).as_posix()
    for p in HTML.rglob("*.html")
    if not p.relative_to(HTML).as_posix().startswith(("_static/", "_sources/"))
)

# axe-core: the copy inside the axe-playwright-python wheel, injected into the page
# (nothing is fetched). WCAG 2.0 and 2.1, levels A and AA; serious and critical fail.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
        // No CSSOM preloading: axe would fetch nested @imports relative to the page
        // (404s); only css-orientation-lock needs it.
        preload: false,
    });
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
        count: v.nodes.length,
    }));
}"""
_AXE_SOURCE = []


def axe_problems(tab):
    """Serious and critical axe-core violations on the page open in ``tab``."""
    if not _AXE_SOURCE:
        spec = importlib.util.find_spec("axe_playwright_python")
        _AXE_SOURCE.append((Path(spec.origin).parent / "axe.min.js").read_text("utf-8"))
    tab.add_script_tag(content=_AXE_SOURCE[0])
    return [
        f"axe {v['impact']}: {v['id']} ({v['help']}), {v['count']} nodes, e.g. {v['nodes']}"
        for v in tab.evaluate(RUN_AXE, AXE_TAGS)
        if v["impact"] in BLOCKING
    ]


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
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
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
    assert tab.evaluate("document.documentElement.dataset.theme") == "light"
    problems += axe_problems(tab)
    context.close()
    assert not problems, "\n".join(problems)


def _search(tab, site, query) -> list[str]:
    """The links of the site's own search results (Sphinx's index, in the page), in order."""
    tab.goto(f"{site}search.html?q={query}", wait_until="load")
    tab.wait_for_selector("#search-results ul.search li", timeout=20_000)
    return tab.eval_on_selector_all(
        "#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))"
    )


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("27x27", "questions.html#q-27x27"),
        ("output_padding", "questions.html#q-output-padding"),
        ("Sizes of tensors must match", "questions.html#q-unet-500"),
    ],
)
def test_search_finds_the_answer(site, browser, query, answer):
    # The site's own search (Sphinx's index, in the page): the question's answer is
    # among the first three results.
    context = browser.new_context()
    links = _search(context.new_page(), site, query)
    context.close()
    assert any(answer.split("#")[0] in link for link in links[:3]), links[:5]


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("same padding stride 2", "q-same-stride-2"),
        ("ResNet-50 receptive field", "q-resnet50-field"),
        ("U-Net fail 500", "q-unet-500"),
    ],
)
def test_search_leads_to_the_answering_section(site, browser, query, label):
    # A question in the reader's own words: one of the first three results links to
    # the section that answers it (docs/_ext/search_scorer.js), not just to its page.
    context = browser.new_context()
    tab = context.new_page()
    links = _search(tab, site, query)
    anchors = [link.split("#")[1] for link in links[:3] if "questions.html#" in link]
    assert anchors, links[:5]
    tab.goto(f"{site}questions.html", wait_until="load")
    found = tab.evaluate(
        """([anchor, label]) => {
            const target = document.getElementById(anchor);
            const answer = document.getElementById(label);
            const section = answer.tagName === "SECTION" ? answer : answer.nextElementSibling;
            return target !== null && (target === section || section.contains(target));
        }""",
        [anchors[0], label],
    )
    context.close()
    assert found, (anchors, label)
