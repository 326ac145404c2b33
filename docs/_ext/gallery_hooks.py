"""sphinx-gallery hooks, referenced from conf.py by name so Sphinx can cache the config."""

import html
import json
import random
import re

import numpy as np


def reset_seeds(gallery_conf, fname):
    """Seed every random generator an example may use, so each page is reproducible."""
    random.seed(0)
    np.random.seed(0)  # noqa: NPY002 (examples that use the legacy global state)
    import torch

    torch.manual_seed(0)


def figure_style(gallery_conf, fname):
    """The site's figure style (text as large as the page's), after matplotlib's reset."""
    import matplotlib.pyplot as plt

    from convdocs.plot import STYLE

    plt.style.use(STYLE)


# The order of the gallery's topic folders, as a reader meets the ideas; topics not
# listed yet come after these, alphabetically.
TOPICS = [
    "padding",
    "stride",
    "dilation",
    "transposed",
    "arithmetic",
    "upsampling",
    "grouped",
    "receptive_field",
    "effective_field",
    "sequences",
    "architectures",
    "network_effects",
    "applications",
    "performance",
]


def topic_order(path):
    """Sort key for sphinx-gallery's ``subsection_order``: topic folders in TOPICS order."""
    name = str(path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return (TOPICS.index(name) if name in TOPICS else len(TOPICS), name)


# -- Figures: SVG for diagrams, JPEG for photographs, PNG for pixel grids -------------
# A diagram (lines, patches, text) is sharpest and lightest as SVG, at any screen
# density; a photograph is lightest as JPEG; a small array shown pixel by pixel stays a
# PNG (lossless, and an SVG would embed the same PNG).
PHOTO_PIXELS = 128 * 128  # an image at least this large, in many shades, is a photo
PHOTO_SHADES = 64


def _figure_format(fig):
    images = [im for ax in fig.axes for im in ax.get_images()]
    if not images:
        return "svg"
    for image in images:
        array = np.asarray(image.get_array())
        if array.size >= PHOTO_PIXELS and len(np.unique(array)) >= PHOTO_SHADES:
            return "jpg"
    return "png"


# -- Declared text size of raster figures ---------------------------------------------
# The text of a PNG or JPEG cannot be read back to check that it is legible on the page
# (tests/test_figure_text.py): the scraper writes the smallest text it drew into the
# file (a PNG text chunk, a JPEG comment) or, for an animation's frames, into the
# frame image's data-smallest-text attribute, as JSON: {"text", "points"[, "dpi"]}.
DECLARATION = "convdocs:smallest-text"
_FRAME_IMAGE = re.compile(r'<img (?!data-smallest-text)(id="_anim_img)')  # not yet declared


def smallest_text(fig):
    """The text of ``fig`` drawn smallest, and its size in points.

    Draws the figure and records every text the renderer is asked to draw (hidden
    texts, such as the tick labels of an axes turned off, are not drawn). A mathtext
    string counts at the size of its smallest glyph (sub- and superscripts are
    smaller than the text's font size). Returns ``("", inf)`` for a figure without
    text.
    """
    from matplotlib.textpath import TextToPath

    renderer = fig.canvas.get_renderer()
    drawn = []

    def record(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        drawn.append((s, prop, ismath))
        return type(renderer).draw_text(renderer, gc, x, y, s, prop, angle, ismath, mtext)

    renderer.draw_text = record  # this renderer only, for one drawing
    try:
        fig.draw(renderer)
    finally:
        del renderer.draw_text
    smallest = ("", float("inf"))
    for string, prop, ismath in drawn:
        if not string.strip():
            continue
        size = prop.get_size_in_points()
        if ismath is True:
            glyphs = TextToPath().get_glyphs_mathtext(prop, string)[0]
            # glyph scales are relative to the text's size (TextToPath.FONT_SCALE)
            size *= min((glyph[3] for glyph in glyphs), default=1.0)
        if size < smallest[1]:
            smallest = (string, size)
    return smallest


def _declaration(fig, **extra) -> str:
    text, points = smallest_text(fig)
    return json.dumps({"text": text, "points": round(points, 2), **extra})


def scraper(block, block_vars, gallery_conf, **kwargs):
    """sphinx-gallery's matplotlib scraper, choosing each figure's format.

    Animations and the layout of several figures are left to sphinx-gallery: each
    static figure is handed to its scraper alone, with the format it should have and,
    for a raster, the size of its smallest text. PNGs also get a 2x version for
    high-density screens (``image_srcset``); SVGs are sharp at any density, and
    photographs stay light at 1x.
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import Animation
    from sphinx_gallery.scrapers import matplotlib_scraper

    animated = {
        value._fig
        for value in block_vars["example_globals"].values()
        if isinstance(value, Animation)
    }
    numbers = plt.get_fignums()
    if not numbers or any(plt.figure(n) in animated for n in numbers):
        declarations = [
            _declaration(plt.figure(n), dpi=plt.figure(n).dpi)
            for n in numbers
            if plt.figure(n) in animated
        ]
        rst = matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
        for declaration in declarations:  # one frame image per animation, in order
            attribute = f'data-smallest-text="{html.escape(declaration)}" '
            rst = _FRAME_IMAGE.sub(lambda m, a=attribute: f"<img {a}{m[1]}", rst, count=1)
        return rst
    figures = [plt.figure(n) for n in numbers]
    registry = plt._pylab_helpers.Gcf  # matplotlib's open figures
    rsts = []
    for fig in figures:
        options = {"format": _figure_format(fig)}
        conf = gallery_conf
        if options["format"] == "jpg":
            options["pil_kwargs"] = {"quality": 85, "optimize": True, "comment": _declaration(fig)}
        elif options["format"] == "png":
            options["metadata"] = {DECLARATION: _declaration(fig)}
        if options["format"] != "png":
            conf = {**gallery_conf, "image_srcset": []}
        # The scraper saves (and then closes) every open figure: show it this one only.
        others = {n: m for n, m in registry.figs.items() if m.canvas.figure is not fig}
        for number in others:
            registry.figs.pop(number)
        try:
            rsts.append(matplotlib_scraper(block, block_vars, conf, **options))
        finally:
            registry.figs.update(others)
    plt.close("all")
    if len(rsts) == 1:
        return rsts[0]
    from sphinx_gallery.scrapers import HLIST_HEADER, HLIST_IMAGE_MATPLOTLIB

    images = [
        HLIST_IMAGE_MATPLOTLIB
        + "      "
        + rst.strip()
        .replace("sphx-glr-single-img", "sphx-glr-multi-img")
        .replace("\n", "\n      ")
        + "\n"
        for rst in rsts
    ]
    return HLIST_HEADER + "".join(images)
