"""Figures that can be read: the smallest text of every figure, at the size the page
shows the figure, is at least as tall as the body text (x-height against x-height).

Run after the docs build (``nox -s docs`` then ``nox -s browser``). Each built page is
opened at 1280 px in the light theme; the page measures the x-height of its body text
(the font of the article's paragraphs, on a canvas) and the displayed width of every
figure in the article. The text sizes come from the figure files:

- SVG (matplotlib writes text as glyph outlines): each text is a group
  ``<g id="text_N">`` whose glyphs are ``<use>`` elements; matplotlib's glyphs are
  100 units to the em, so a glyph's em, in the SVG's own units, is 100 times the
  scale of every transform above it. Sub- and superscripts count at their own size.
- PNG and JPEG (pixel grids and photographs, which cannot be read back): the gallery's
  scraper (``docs/_ext/gallery_hooks.py``) declares the smallest text it drew, in
  points, in the file itself (a PNG text chunk or a JPEG comment), and the file's
  resolution turns points into the file's pixels.
- Animation frames (PNGs embedded in the page): the same declaration, in the frame
  image's ``data-smallest-text`` attribute.

Displayed x-height = em x (displayed width / file width) x the x-height of DejaVu Sans,
matplotlib's font (0.547 em). Gallery thumbnails are links, not figures, and do not
count. ``python tests/test_figure_text.py`` prints every figure's ratio, smallest first.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import statistics
import xml.etree.ElementTree as ET
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser import HTML
from tests.test_site import PAGES

pytestmark = pytest.mark.browser

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
GLYPH_UNITS_PER_EM = 100  # matplotlib's textpath.TextToPath.FONT_SCALE
FIGURE_FONT = "DejaVuSans"  # matplotlib's default; glyph ids start with the font name
X_HEIGHT = 0.546875  # DejaVu Sans (and Sans Mono): 1120 / 2048 of the em
DECLARATION = "convdocs:smallest-text"  # PNG text key; a JPEG comment holds the same JSON

MEASURE = """async () => {
    await document.fonts.ready;
    const article = document.querySelector("article.bd-article") || document.body;
    const paragraph = article.querySelector("p") || article;
    const style = getComputedStyle(paragraph);
    const context = document.createElement("canvas").getContext("2d");
    context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const metrics = context.measureText("x");
    const figures = Array.from(article.querySelectorAll("img"))
        // Thumbnails link to pages: a preview, not a figure to read; togglers are icons.
        .filter(img => !img.closest(".sphx-glr-thumbcontainer") && !img.matches(".toggler"))
        .map(img => ({
            src: img.currentSrc || img.src,
            width: img.getBoundingClientRect().width,
            declared: img.dataset.smallestText || null,
            label: img.alt ? img.alt.slice(0, 60) : (img.id || ""),
        }));
    return {
        xHeight: metrics.actualBoundingBoxAscent,
        font: `${style.fontSize} ${style.fontFamily.split(",")[0]}`,
        figures,
    };
}"""


# -- Text sizes in the figure files ---------------------------------------------------------

_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")


def transform_scale(transform: str | None) -> float:
    """How much an SVG ``transform`` attribute scales lengths (the square root of the
    determinant: exact for rotations and uniform scales, the geometric mean otherwise)."""
    factor = 1.0
    for name, args in _TRANSFORM.findall(transform or ""):
        values = [float(v) for v in re.split(r"[\s,]+", args.strip()) if v]
        if name == "scale":
            sx, sy = values[0], values[1] if len(values) > 1 else values[0]
            factor *= math.sqrt(abs(sx * sy))
        elif name == "matrix":
            a, b, c, d = values[:4]
            factor *= math.sqrt(abs(a * d - b * c))
    return factor


def svg_texts(data: bytes) -> tuple[float, list[tuple[str, float]]]:
    """The SVG's width in its own units, and each text's smallest em in those units."""
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(data, parser=parser)
    width = float(root.get("viewBox").split()[2])
    texts = []

    def walk(element, scale, group):
        scale *= transform_scale(element.get("transform"))
        if element.tag == SVG_NS + "use" and group is not None:
            glyph = element.get(XLINK_HREF, "")
            # Mathtext takes symbols DejaVu lacks (big brackets) from STIX: not letters.
            if glyph.startswith("#" + FIGURE_FONT):
                group[1] = min(group[1], GLYPH_UNITS_PER_EM * scale)
            else:
                group[2] = glyph
        for child in element:
            if child.tag == SVG_NS + "g" and re.fullmatch(r"text_\d+", child.get("id", "")):
                comment = next((c.text for c in child if c.tag is ET.Comment), "")
                text_group = [(comment or "").strip(), math.inf, None]
                walk(child, scale, text_group)
                if text_group[1] < math.inf:
                    texts.append(tuple(text_group[:2]))
                elif text_group[2]:
                    msg = f"text {text_group[0]!r} has no {FIGURE_FONT} glyph ({text_group[2]})"
                    raise ValueError(msg)
            elif child.tag is not ET.Comment:
                walk(child, scale, group)

    walk(root, 1.0, None)
    return width, texts


def raster_texts(data: bytes, declaration: str | None = None):
    """A PNG's or JPEG's width in pixels and its declared smallest text."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        width = image.width
        dpi = image.info.get("dpi", (72, 72))[0]
        if declaration is None:
            declaration = image.info.get(DECLARATION) or image.info.get("comment")
    if not declaration:
        return width, None
    if isinstance(declaration, bytes):
        declaration = declaration.decode("utf-8")
    value = json.loads(declaration)
    dpi = value.get("dpi", dpi)  # animation frames: re-encoded, so the dpi is declared
    return width, [(value["text"], value["points"] * dpi / 72)]


def figure_file(src: str) -> tuple[bytes, str]:
    """The bytes and the type of the image at ``src``: a data URI or a built file."""
    if src.startswith("data:"):
        header, payload = src.split(",", 1)
        return base64.b64decode(payload), header[5:].split(";")[0]
    path = HTML / unquote(urlsplit(src).path).lstrip("/")
    suffix = path.suffix.lower()
    return path.read_bytes(), {".svg": "image/svg+xml"}.get(suffix, "image/" + suffix[1:])


def measure_page(tab, url: str) -> dict:
    """Open ``url`` and measure its body x-height and the smallest text of each figure."""
    tab.goto(url, wait_until="load")
    tab.evaluate("document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
    tab.wait_for_load_state("networkidle")
    page = tab.evaluate(MEASURE)
    for figure in page["figures"]:
        data, kind = figure_file(figure["src"])
        if kind == "image/svg+xml":
            width, texts = svg_texts(data)
        else:
            width, texts = raster_texts(data, figure["declared"])
        figure["name"] = figure["src"][:40] if kind != "image/svg+xml" else ""
        if not figure["src"].startswith("data:"):
            figure["name"] = urlsplit(figure["src"]).path.rsplit("/", 1)[-1]
        if texts is None:
            figure["smallest"] = None
            continue
        scale = figure["width"] / width  # CSS pixels per unit of the file
        figure["texts"] = len(texts)
        if texts:
            text, em = min(texts, key=lambda t: t[1])
            x_height = em * scale * X_HEIGHT
            figure["smallest"] = (text, x_height, x_height / page["xHeight"])
        else:
            figure["smallest"] = ("", math.inf, math.inf)
    return page


@pytest.fixture(scope="module")
def desktop(browser):
    """One light-themed tab at desktop width, reused for every page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("page", PAGES)
def test_figure_text_is_as_tall_as_the_body_text(site, desktop, page):
    measured = measure_page(desktop, site + page)
    body = measured["xHeight"]
    assert body > 0, f"no body text measured ({measured['font']})"
    problems = []
    for figure in measured["figures"]:
        if figure["smallest"] is None:
            problems.append(f"{figure['name']}: raster with no declared text size")
            continue
        text, x_height, ratio = figure["smallest"]
        if ratio < 1:
            problems.append(
                f"{figure['name']} shown {figure['width']:.0f} px wide: text {text!r} has "
                f"x-height {x_height:.1f} px, body text ({measured['font']}) "
                f"{body:.1f} px: {ratio:.2f} of it"
            )
    assert not problems, "\n".join(problems)


def main():
    """Print every figure's smallest text against the body text, smallest first."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, LAUNCH_FLAGS

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=HTML)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        for page in PAGES:
            measured = measure_page(tab, site + page)
            for figure in measured["figures"]:
                kind = figure["src"][:15] if figure["src"].startswith("data:") else ""
                smallest = figure["smallest"] or ("(none declared)", math.nan, math.nan)
                rows.append((smallest[2], page, figure["name"] or kind, figure["width"], smallest))
            body = measured["xHeight"]
        chromium.close()
    server.shutdown()
    print(f"body text x-height {body:.2f} px ({measured['font']})")
    for ratio, page, name, width, (text, x_height, _) in sorted(rows, key=lambda r: r[0]):
        print(f"{ratio:5.2f} {x_height:5.1f}px {width:4.0f}w {page} {name} {text[:30]!r}")
    ratios = [r[0] for r in rows if math.isfinite(r[0])]
    print(
        f"{len(rows)} figures, {len(ratios)} with text: ratio min {min(ratios):.2f}, "
        f"median {statistics.median(ratios):.2f}, max {max(ratios):.2f}; "
        f"{sum(r < 1 for r in ratios)} below 1"
    )


if __name__ == "__main__":
    main()
