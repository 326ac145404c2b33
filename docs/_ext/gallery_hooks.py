"""sphinx-gallery hooks, referenced from conf.py by name so Sphinx can cache the config."""

import random

import numpy as np


def reset_seeds(gallery_conf, fname):
    """Seed every random generator an example may use, so each page is reproducible."""
    random.seed(0)
    np.random.seed(0)  # noqa: NPY002 (examples that use the legacy global state)
    import torch

    torch.manual_seed(0)


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


def scraper(block, block_vars, gallery_conf, **kwargs):
    """sphinx-gallery's matplotlib scraper, choosing each figure's format.

    Animations and the layout of several figures are left to sphinx-gallery: each
    static figure is handed to its scraper alone, with the format it should have.
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
        return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
    figures = [plt.figure(n) for n in numbers]
    registry = plt._pylab_helpers.Gcf  # matplotlib's open figures
    rsts = []
    for fig in figures:
        options = {"format": _figure_format(fig)}
        if options["format"] == "jpg":
            options["pil_kwargs"] = {"quality": 85, "optimize": True}
        # The scraper saves (and then closes) every open figure: show it this one only.
        others = {n: m for n, m in registry.figs.items() if m.canvas.figure is not fig}
        for number in others:
            registry.figs.pop(number)
        try:
            rsts.append(matplotlib_scraper(block, block_vars, gallery_conf, **options))
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
