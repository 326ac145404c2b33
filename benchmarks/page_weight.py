"""Weight of every page of the built site: the HTML plus every local asset it loads.

For each HTML page, adds up the bytes of the page and of the local files it references:
``<img src>`` (and ``srcset``), ``<script src>``, ``<link href>`` stylesheets, preloads
and icons, and the fonts and images that those stylesheets reference with ``url()``
(for each ``@font-face``, only the first source, the one a browser downloads). Each file
counts once per page; query strings are ignored. Animations embedded by sphinx-gallery
(``jshtml``) are inside the HTML and count with it. What this leaves out: files a
script loads by itself (MathJax's fonts), and HTTP compression, so the figure is an
upper bound of the bytes on the wire for the files it sees.

Usage::

    python benchmarks/page_weight.py [SITE_DIR] [--top N] [--limit MB]

Prints the pages sorted by weight (heaviest first) and exits with status 1 if a page
under ``auto_examples/arithmetic/`` (the animated gallery) weighs more than the limit,
2 MB by default.
"""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LIMITED = "auto_examples/arithmetic/"  # pages held to the limit
MB = 1_000_000

_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}", re.IGNORECASE)
_LOADED_LINKS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut"}


class _References(HTMLParser):
    """Collect the URLs of the assets a page loads, with their kind."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            if attrs.get("src"):
                self.urls.append(("image", attrs["src"]))
            for candidate in (attrs.get("srcset") or "").split(","):
                if candidate.strip():
                    self.urls.append(("image", candidate.split()[0]))
        elif tag == "script" and attrs.get("src"):
            self.urls.append(("script", attrs["src"]))
        elif tag == "link" and attrs.get("href"):
            rel = set((attrs.get("rel") or "").lower().split())
            if rel & _LOADED_LINKS:
                kind = "stylesheet" if "stylesheet" in rel else "other"
                self.urls.append((kind, attrs["href"]))


def _local(url: str, base: Path, root: Path) -> Path | None:
    """The file a relative URL points to, or None for remote, data and missing URLs."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = (root / parts.path.lstrip("/")) if parts.path.startswith("/") else base / parts.path
    path = Path(unquote(str(path))).resolve()
    return path if path.is_file() else None


def _css_assets(css: Path, root: Path, seen: set[Path]) -> set[Path]:
    """Fonts and images a stylesheet loads (first source of each @font-face)."""
    text = css.read_text(encoding="utf-8", errors="replace")
    found: set[Path] = set()
    font_faces = _FONT_FACE.findall(text)
    urls: list[str] = []
    for face in font_faces:
        first = _URL.search(face)
        if first:
            urls.append(first.group(2))
    outside = _FONT_FACE.sub("", text)
    urls += [m.group(2) for m in _URL.finditer(outside)]
    for url in urls:
        path = _local(url, css.parent, root)
        if path is not None and path not in seen:
            found.add(path)
    return found


def page_weight(page: Path, root: Path) -> tuple[int, dict[Path, int]]:
    """Total bytes of ``page`` and its local assets, and the size of each asset."""
    parser = _References()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    assets: dict[Path, int] = {}
    for kind, url in parser.urls:
        path = _local(url, page.parent, root)
        if path is None or path in assets:
            continue
        assets[path] = path.stat().st_size
        if kind == "stylesheet":
            for extra in _css_assets(path, root, set(assets)):
                assets[extra] = extra.stat().st_size
    return page.stat().st_size + sum(assets.values()), assets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", default="docs/_build/html", type=Path)
    parser.add_argument("--top", type=int, default=0, help="print only the N heaviest")
    parser.add_argument("--limit", type=float, default=2.0, help="MB allowed per page")
    args = parser.parse_args(argv)
    root = args.site.resolve()
    if not (root / "index.html").is_file():
        print(f"{root} has no index.html: build the site first", file=sys.stderr)
        return 2
    pages = [
        p
        for p in root.rglob("*.html")
        if not p.relative_to(root).as_posix().startswith(("_static/", "_sources/"))
    ]
    weights = []
    for page in pages:
        total, _ = page_weight(page, root)
        weights.append((total, page.stat().st_size, page.relative_to(root).as_posix()))
    weights.sort(reverse=True)
    shown = weights[: args.top] if args.top else weights
    print(f"{'total':>10}  {'html':>10}  page")
    for total, html, name in shown:
        print(f"{total / MB:8.3f}MB  {html / MB:8.3f}MB  {name}")
    limit = args.limit * MB
    over = [
        (total, name) for total, _, name in weights if name.startswith(LIMITED) and total > limit
    ]
    for total, name in over:
        print(f"too heavy: {name} weighs {total / MB:.3f} MB > {args.limit} MB", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
