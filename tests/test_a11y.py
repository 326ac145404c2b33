"""Accessibility and layout at a phone's width in the dark theme, on every built page.

Run after the docs build (``nox -s docs`` then ``nox -s browser``). One tab, 390 px
wide, with the dark colour scheme, is reused for every page: the page must not scroll
sideways (wide code, outputs, tables and equations scroll inside their own boxes), and
axe-core must find no serious or critical violation of WCAG 2.x A/AA. tests/test_site.py
runs the same axe check at 1280 px in the light theme as it opens each page. The
heaviest page's first visit must stay under 1 MB (``benchmarks/page_weight.py``, text
gzip-compressed as static hosts serve it).
"""

import importlib.util
import json
from pathlib import Path

import pytest

from tests.browser import HTML
from tests.test_site import PAGES, axe_problems

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[1]
PHONE = {"width": 390, "height": 844}

OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll("body *")) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 1) continue;
        let clipped = false;  // inside a box that scrolls or clips, it does not count
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(p).overflowX)) {
                clipped = true;
                break;
            }
        }
        if (!clipped) wide.push(`${el.tagName.toLowerCase()}.${el.className}`);
    }
    return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


@pytest.fixture(scope="module")
def phone(browser):
    """One dark-themed, phone-sized tab, reused for every page."""
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("page", PAGES)
def test_fits_a_phone_and_is_accessible_in_dark_mode(site, phone, page):
    phone.goto(site + page, wait_until="load")
    phone.wait_for_load_state("networkidle")
    if phone.locator(".math").count():
        phone.wait_for_selector("mjx-container", timeout=10_000)
    assert phone.evaluate("document.documentElement.dataset.theme") == "dark"
    problems = []
    fit = phone.evaluate(OVERFLOW)
    if fit["scroll"] > fit["width"]:
        problems.append(f"the page scrolls sideways at {PHONE['width']} px: {json.dumps(fit)}")
    problems += axe_problems(phone)
    assert not problems, "\n".join(problems)


def test_heaviest_page_under_1_mb():
    spec = importlib.util.spec_from_file_location(
        "page_weight", ROOT / "benchmarks" / "page_weight.py"
    )
    page_weight = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(page_weight)
    root = HTML.resolve()
    weights = sorted(
        (page_weight.transfer_weight(page, root), page.relative_to(root).as_posix())
        for page in page_weight.pages(root)
    )
    heaviest, name = weights[-1]
    assert heaviest <= page_weight.MB, f"{name} transfers {heaviest / 1e6:.3f} MB"
