"""The figure-text measurement itself, without a browser: the sizes it reads from SVG
files and from the declarations the gallery scraper writes are the sizes matplotlib
drew (tests/test_figure_text.py applies them to every figure of the built site)."""

import io
import json
import math
import sys
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

from tests.test_figure_text import DECLARATION, raster_texts, svg_texts

sys.path.insert(0, str(Path(__file__).parents[1] / "docs" / "_ext"))
import gallery_hooks  # docs/_ext is not a package: found through sys.path

SUBSCRIPT = 0.7  # mathtext's scale for a first-level sub- or superscript


@pytest.fixture
def figure():
    with mpl.rc_context({"font.size": 13, "svg.fonttype": "path"}):
        fig, (ax, hidden) = plt.subplots(1, 2, figsize=(6, 3))
        ax.set_title("title")  # "large": 1.2 x 13 points
        ax.text(0.5, 0.5, "$x_i$", fontsize=20)  # the subscript i: 0.7 x 20 = 14 points
        ax.set_xticks([0, 1], ["a", "b"], fontsize=15)
        ax.set_yticks([0, 1], ["c", "d"], fontsize=16)
        hidden.set_xticks([0], ["tiny"], fontsize=4)
        hidden.set_axis_off()  # its tick labels are not drawn
        yield fig
        plt.close(fig)


def test_svg_text_sizes_are_matplotlib_font_sizes(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg")
    width, texts = svg_texts(buffer.getvalue())
    assert width == pytest.approx(6 * 72)  # SVG units are points
    sizes = dict(texts)
    assert sizes["title"] == pytest.approx(1.2 * 13)
    assert sizes["a"] == pytest.approx(15)
    assert sizes["d"] == pytest.approx(16)
    assert sizes["$x_i$"] == pytest.approx(SUBSCRIPT * 20)
    assert "tiny" not in sizes
    assert min(size for _, size in texts) == pytest.approx(SUBSCRIPT * 20)


def test_the_scraper_declares_the_smallest_text_drawn(figure):
    text, points = gallery_hooks.smallest_text(figure)
    assert (text, points) == ("$x_i$", pytest.approx(SUBSCRIPT * 20))


def test_a_declared_png_reads_back_in_its_own_pixels(figure):
    buffer = io.BytesIO()
    declaration = gallery_hooks._declaration(figure)
    figure.savefig(buffer, format="png", dpi=150, metadata={DECLARATION: declaration})
    width, texts = raster_texts(buffer.getvalue())
    assert width == 6 * 150
    ((text, em),) = texts
    assert text == "$x_i$"
    assert em == pytest.approx(SUBSCRIPT * 20 * 150 / 72, rel=1e-3)  # points to pixels


def test_an_animation_frame_declares_its_dpi(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=72)  # frames are re-encoded: no metadata
    declaration = json.dumps({"text": "x", "points": 17.0, "dpi": 72})
    _, ((_, em),) = raster_texts(buffer.getvalue(), declaration)
    assert em == pytest.approx(17.0)
    assert raster_texts(buffer.getvalue())[1] is None  # undeclared: reported, not passed


def test_a_figure_without_text_declares_no_size():
    fig = plt.figure()
    try:
        assert gallery_hooks.smallest_text(fig) == ("", math.inf)
    finally:
        plt.close(fig)
