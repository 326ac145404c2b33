"""Sphinx configuration for the convdocs site."""

import os
import sys
from pathlib import Path

import convdocs

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

CI = os.environ.get("CI", "").lower() == "true"

project = "convdocs"
author = "the convdocs developers"
copyright = "2026, the convdocs developers"
release = version = convdocs.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_nb",
    "sphinx_copybutton",
    "offline",
    "explorer",
]

# Every reference must resolve; the build runs with -W.
nitpicky = True
exclude_patterns = [
    "_build",
    "**.ipynb_checkpoints",
    "jupyter_execute",
    # sphinx-gallery writes a notebook next to each example page; myst-nb would claim it.
    "auto_examples/*.ipynb",
    "auto_examples/**/*.ipynb",
]
templates_path = ["_templates"]

# -- API reference --------------------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # numpydoc docstrings carry the types
numpydoc_show_class_members = False
numpydoc_xref_param_type = True
numpydoc_xref_ignore = {"of", "or", "optional", "default", "pair", "layer", "specs"}
numpydoc_xref_aliases = {
    "Fraction": "fractions.Fraction",
    "ReceptiveField": "convdocs.receptive.ReceptiveField",
    "EmpiricalField": "convdocs.receptive.EmpiricalField",
    "LayerField": "convdocs.receptive.LayerField",
    "SizeRange": "convdocs.receptive.SizeRange",
    "ShapeReport": "convdocs.shapes.ShapeReport",
    "ShapeStep": "convdocs.shapes.ShapeStep",
    "InputSizes": "convdocs.shapes.InputSizes",
    "LayerCost": "convdocs.cost.LayerCost",
    "ModelCost": "convdocs.cost.ModelCost",
}
# Result types are built by functions, not by users: their fields are documented as
# Attributes and their examples live with the functions that return them.
numpydoc_validation_exclude = {
    r"convdocs\.receptive\.(ReceptiveField|EmpiricalField|LayerField|SizeRange)$",
    r"convdocs\.shapes\.(ShapeReport|ShapeStep|InputSizes)$",
    r"convdocs\.cost\.(LayerCost|ModelCost)$",
}
# Fail the build when a public docstring lacks a summary, a parameter, Returns or Examples.
numpydoc_validation_checks = {"PR01", "PR02", "PR03", "PR10", "RT01", "SS01", "EX01"}

# -- Cross-project links (see docs/_ext/offline.py for offline builds) ----------------
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "matplotlib": ("https://matplotlib.org/stable/", None),
    "torch": ("https://docs.pytorch.org/docs/stable/", None),
}
intersphinx_timeout = 10

# -- Gallery --------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../gallery"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "subsection_order": "gallery_hooks.topic_order",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("convdocs",),
    "reference_url": {"convdocs": None},
    "exclude_implicit_doc": {r"pyplot\.", r"numpy\."},
    # matplotlib's defaults, then the site's figure style (convdocs.plot.STYLE).
    "reset_modules": ("matplotlib", "gallery_hooks.figure_style", "gallery_hooks.reset_seeds"),
    "reset_modules_order": "before",
    "remove_config_comments": True,
    # Only rich (HTML) reprs: a bare "Text(0.5, 1, ...)" under a figure helps nobody.
    "capture_repr": ("_repr_html_",),
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "download_all_examples": True,
    # The site's figure style (applied to the examples by the reset hook) in the
    # downloaded notebooks too.
    "first_notebook_cell": (
        "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
        "from convdocs.plot import STYLE\n\nplt.style.use(STYLE)"
    ),
    "min_reported_time": 0,
    "show_memory": False,
    "matplotlib_animations": (True, "jshtml"),
    # SVG for diagrams, JPEG for photographs (docs/_ext/gallery_hooks.py).
    "image_scrapers": ("gallery_hooks.scraper",),
    # A 2x PNG beside each 1x one, for high-density screens (the scraper keeps SVGs
    # and JPEG photographs at 1x).
    "image_srcset": ["2x"],
}

# -- Guide pages: MyST-NB text notebooks, executed at build time ----------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
# Cached locally (a no-change rebuild re-runs nothing); fresh in CI (the cache keys on
# the code cells only and would not notice a change in convdocs itself).
nb_execution_mode = os.environ.get("NB_EXECUTION_MODE", "force" if CI else "cache")
nb_execution_timeout = 120
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# -- HTML -----------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "convdocs"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_css_files = ["convdocs.css"]
html_js_files = [("convdocs.js", {"defer": "defer"})]
# Sends a search result to the section of its page whose title answers the query.
html_search_scorer = str(HERE / "_ext" / "search_scorer.js")  # read from the working directory
html_context = {"default_mode": "auto"}
html_theme_options = {
    "logo": {"text": "convdocs", "alt_text": "convdocs home"},
    "navbar_end": ["theme-switcher", "navbar-icon-links"],
    # sg_download_links renders only on gallery example pages.
    "secondary_sidebar_items": ["page-toc", "sg_download_links"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {
    "auto_examples/index": [],
    "index": [],
    "questions": [],
    "references": [],
    "explorer": [],
}
html_show_sourcelink = False


# -- Light thumbnails and figures -------------------------------------------------------
# The gallery's and the API pages' thumbnails are 400x280 RGBA PNGs of flat-coloured
# diagrams, and its PNG figures (1x and 2x) pixel grids with flat colours and text: an
# 8-bit palette stores them in well under half the bytes, with no visible change. The
# figures keep their resolution and the text size the scraper declared in them
# (docs/_ext/gallery_hooks.py). Done on the built copies, after every build.
def _palette_pngs(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from PIL import Image, PngImagePlugin

    for path in (Path(app.outdir) / "_images").glob("sphx_glr_*.png"):
        with Image.open(path) as image:
            if image.mode == "P":
                continue
            colors = 128 if path.stem.endswith("_thumb") else 256
            quantized = image.convert("RGB").quantize(
                colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
            )
            info = PngImagePlugin.PngInfo()
            for key, value in image.text.items():
                info.add_text(key, value)
            dpi = image.info.get("dpi")
        quantized.save(path, optimize=True, pnginfo=info, **({"dpi": dpi} if dpi else {}))


def setup(app):
    app.connect("build-finished", _palette_pngs)
