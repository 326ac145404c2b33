"""Make the site build and work without a network.

Three things in a stock Sphinx + sphinx-gallery site reach the internet:

* intersphinx downloads the inventories of Python, numpy, matplotlib and PyTorch. When
  one cannot be reached (an offline machine, a CI sandbox), Sphinx warns and ``-W``
  fails the build. Here that one message is logged as information, and references into
  a project whose inventory is missing are rendered as plain text. With the network up,
  links resolve as usual, and a reference that resolves nowhere still fails the build.
* MathJax loads from a CDN; a copy installed from PyPI (``sphinx-mathjax-offline``) is
  served from ``_static/mathjax`` instead.
* sphinx-gallery's execution-times pages load jQuery and DataTables from CDNs; they are
  pointed at copies installed from PyPI (``xstatic-jquery``, ``xstatic-datatables``).
"""

from __future__ import annotations

import importlib.util
import logging
import posixpath
import re
from pathlib import Path

from docutils import nodes
from sphinx.ext.intersphinx import InventoryAdapter
from sphinx.util import logging as sphinx_logging
from sphinx.util.fileutil import copy_asset

logger = sphinx_logging.getLogger(__name__)

UNREACHABLE = "failed to reach any of the inventories"
MATHJAX_PATH = "mathjax/tex-chtml.js"
# The parts of MathJax that tex-chtml.js loads at run time (fonts, the menu, assistive
# MathML, TeX extensions on first use). The speech engine is left out: it loads only
# when a reader turns on the explorer in the math menu.
MATHJAX_PARTS = ("tex-chtml.js", "output/chtml/fonts", "ui", "a11y", "input/tex/extensions")


class _DemoteUnreachable(logging.Filter):
    """Turn intersphinx's "failed to reach" warning into an info message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.WARNING and str(record.msg).startswith(UNREACHABLE):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = "intersphinx (offline, links rendered as text): " + str(record.msg)
        return True


def _note_missing_inventories(app) -> None:
    loaded = set(InventoryAdapter(app.env).named_inventory)
    app.env.convdocs_offline_projects = sorted(set(app.config.intersphinx_mapping) - loaded)
    if app.env.convdocs_offline_projects:
        logger.info(
            "intersphinx: no inventory for %s; their links are plain text in this build",
            ", ".join(app.env.convdocs_offline_projects),
        )


# Standard-library modules the docs refer to, resolved by the "python" inventory.
PYTHON_MODULES = {
    "operator",
    "math",
    "dataclasses",
    "collections",
    "typing",
    "numbers",
    "fractions",
}


def _plain_text_when_offline(app, env, node, contnode):
    """Resolve a reference into a project whose inventory could not be loaded."""
    offline = getattr(env, "convdocs_offline_projects", ())
    target = node.get("reftarget", "")
    prefix, colon, _ = target.partition(":")  # an explicit "python:int"-style target
    top = prefix if colon else target.lstrip("~.").split(".")[0]
    project = "python" if top in PYTHON_MODULES else top
    if project not in offline:
        return None
    if colon and contnode.astext() == target:  # show "int", not "python:int"
        contnode = contnode.deepcopy()
        contnode.children = [nodes.Text(target.partition(":")[2])]
    return contnode


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        msg = f"{name} is not installed; install the docs extra: pip install -e '.[docs]'"
        raise RuntimeError(msg)
    return Path(next(iter(spec.submodule_search_locations)))


def _vendor_dirs() -> dict[str, Path]:
    import xstatic.pkg.datatables
    import xstatic.pkg.jquery

    return {
        "vendor/jquery": Path(xstatic.pkg.jquery.BASE_DIR),
        "vendor/datatables": Path(xstatic.pkg.datatables.BASE_DIR),
    }


def _copy_assets(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    mathjax = _package_dir("sphinx-mathjax-offline") / "static" / "mathjax"
    for part in MATHJAX_PARTS:
        source, target = mathjax / part, static / "mathjax" / part
        if source.is_dir():
            copy_asset(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            copy_asset(source, target.parent)
    for name, source in _vendor_dirs().items():
        for sub in ("js", "css", "images"):
            if (source / sub).is_dir():
                copy_asset(source / sub, static / name / sub)
        if name == "vendor/jquery":
            copy_asset(source / "jquery.min.js", static / name)


_CDN_TAG = re.compile(
    r"^\s*<(?:link|script)[^>]*https?://[^>]*>(?:</script>)?\s*$\n?", re.MULTILINE
)


def _local_datatables(app, docname: str, source: list[str]) -> None:
    """Point sphinx-gallery's execution-times tables at local jQuery and DataTables."""
    if not docname.endswith("sg_execution_times"):
        return
    root = posixpath.relpath("_static", posixpath.dirname(docname) or ".")
    local = (
        f'    <link href="{root}/vendor/datatables/css/jquery.dataTables.min.css" '
        'rel="stylesheet" />\n'
        f'    <script src="{root}/vendor/jquery/jquery.min.js"></script>\n'
        f'    <script src="{root}/vendor/datatables/js/jquery.dataTables.min.js"></script>\n'
    )
    text = _CDN_TAG.sub("", source[0])
    text = text.replace("    <style scoped>\n    </style>\n", "")
    init = '    <script type="text/javascript" class="init">'
    text = text.replace(init, local + init, 1)
    if "://" in text.split(".. list-table::")[0]:
        logger.warning("%s still loads something from the network", docname)
    source[0] = text


def setup(app):
    logging.getLogger("sphinx.sphinx.ext.intersphinx").addFilter(_DemoteUnreachable())
    app.config.mathjax_path = MATHJAX_PATH
    app.connect("builder-inited", _note_missing_inventories, priority=900)
    app.connect("missing-reference", _plain_text_when_offline, priority=900)
    app.connect("source-read", _local_datatables)
    app.connect("build-finished", _copy_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
