"""The ``explorer`` directive: the interactive layer explorer, embedded in a page.

Usage (reST ``.. explorer::`` or MyST ```` ```{explorer} ````)::

    ```{explorer}
    :input: 7
    :kernel: 3
    :stride: 2
    :padding: 1
    ```

Options mirror the explorer's URL parameters, so a page opens at its own example and a
link to the Explorer page reproduces it: ``input`` (``i``), ``kernel`` (``k``),
``stride`` (``s``), ``padding`` (``p``: a number, ``HxW``, ``valid``, ``same`` or
``SAME``), ``dilation`` (``d``), ``transposed`` (flag, ``t=1``), ``output-padding``
(``op``), ``target``, ``layers`` and ``layer-input`` (the stack mode, ``layers`` and
``n``). ``url-state`` (flag) makes the widget keep its state in the page's address,
as the Explorer page does; embedded copies leave the address alone and link to the
Explorer page instead.

The widget is rendered by ``_static/explorer/explorer.js`` (an ES module, added only
to the pages that use the directive); without JavaScript the page shows what to do.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from docutils import nodes
from docutils.parsers.rst import Directive, directives

# directive option -> URL parameter of the explorer
PARAMETERS = {
    "input": "i",
    "kernel": "k",
    "stride": "s",
    "padding": "p",
    "dilation": "d",
    "output-padding": "op",
    "target": "target",
    "layers": "layers",
    "layer-input": "n",
}
NOSCRIPT = (
    "<noscript><p class='cd-noscript'>The explorer needs JavaScript. The same answers "
    "come from the package: <code>convdocs.conv_output_size</code>, "
    "<code>convdocs.solve_padding</code> and the <code>convdocs</code> command line."
    "</p></noscript>"
)


class explorer_node(nodes.General, nodes.Element):  # docutils' node naming
    pass


class Explorer(Directive):
    """Embed the explorer widget, opened at the settings its options give."""

    has_content = False
    option_spec = dict.fromkeys(PARAMETERS, directives.unchanged_required) | {
        "transposed": directives.flag,
        "url-state": directives.flag,
    }

    def run(self):
        query = {
            PARAMETERS[name]: value for name, value in self.options.items() if name in PARAMETERS
        }
        if "transposed" in self.options:
            query["t"] = "1"
        if "layers" in query:
            query["mode"] = "stack"
        node = explorer_node()
        node["query"] = urlencode(query, safe=",x")
        node["url_state"] = "url-state" in self.options
        self.state.document.settings.env.note_dependency(__file__)
        env = self.state.document.settings.env
        pages = getattr(env, "explorer_pages", set())
        pages.add(env.docname)
        env.explorer_pages = pages
        return [node]


def visit_html(self, node):
    from convdocs.models import MODELS

    explorer_page = self.builder.get_relative_uri(self.builder.current_docname, "explorer")
    attributes = {
        "class": "cd-explorer",
        "data-state": node["query"],
        "data-url-state": "true" if node["url_state"] else "false",
        "data-explorer-page": explorer_page,
        "data-models": " ".join(MODELS),
    }
    html = " ".join(f'{key}="{escape(value)}"' for key, value in attributes.items())
    self.body.append(f"<div {html}>{NOSCRIPT}</div>")
    raise nodes.SkipNode


def skip(self, node):
    raise nodes.SkipNode


def add_assets(app, pagename, templatename, context, doctree):
    """Load the widget's module and styles on the pages that embed it, and no others."""
    if pagename in getattr(app.env, "explorer_pages", ()):
        app.add_js_file("explorer/explorer.js", type="module")
        app.add_css_file("explorer/explorer.css")


def purge(app, env, docname):
    getattr(env, "explorer_pages", set()).discard(docname)


def merge(app, env, docnames, other):
    env.explorer_pages = getattr(env, "explorer_pages", set()) | getattr(
        other, "explorer_pages", set()
    )


def setup(app):
    app.add_node(
        explorer_node,
        html=(visit_html, None),
        latex=(skip, None),
        text=(skip, None),
        man=(skip, None),
        texinfo=(skip, None),
    )
    app.add_directive("explorer", Explorer)
    app.connect("html-page-context", add_assets)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
