"""Weight of every page of the built site: the HTML plus every local asset it loads.

For each HTML page, adds up the bytes of the page and of the local files it references:
``<img src>`` (and ``srcset``), ``<script src>``, ``<link href>`` stylesheets, preloads
and icons, and the fonts and images that those stylesheets reference with ``url()``
(for each ``@font-face``, only the first source, the one a browser downloads). Each file
counts once per page; query strings are ignored. Animations embedded by sphinx-gallery
(``jshtml``) are inside the HTML and count with it. What this leaves out: files a
script loads by itself (MathJax's fonts).

Two totals per page: the bytes on disk, and the bytes a first visit transfers from a
static host that compresses text (HTML, CSS, JavaScript, SVG, JSON) with gzip, as
GitHub Pages, Read the Docs and nginx's ``gzip_static`` do; images and fonts are
already compressed and count as they are. The limit applies to the second.

Usage::

    python benchmarks/page_weight.py [SITE_DIR] [--top N] [--limit MB]

Prints the pages sorted by transferred weight (heaviest first) and exits with status 1
if any page transfers more than the limit, 1 MB by default.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

MB = 1_000_000
# Served gzip-compressed by static hosts; everything else is sent as it is.
COMPRESSED_TYPES = {".html", ".js", ".mjs", ".css", ".svg", ".json", ".txt", ".xml", ".map"}

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


@functools.cache
def transfer_size(path: Path) -> int:
    """Bytes a static host sends for ``path``: gzip level 6 for text, else the file."""
    if path.suffix.lower() in COMPRESSED_TYPES:
        return len(gzip.compress(path.read_bytes(), compresslevel=6, mtime=0))
    return path.stat().st_size


def transfer_weight(page: Path, root: Path) -> int:
    """Bytes of a first visit to ``page``: the page and its assets, text gzipped."""
    _, assets = page_weight(page, root)
    return transfer_size(page.resolve()) + sum(transfer_size(path) for path in assets)


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
    parser.add_argument("--limit", type=float, default=1.0, help="MB allowed per page")
    args = parser.parse_args(argv)
    root = args.site.resolve()
    if not (root / "index.html").is_file():
        print(f"{root} has no index.html: build the site first", file=sys.stderr)
        return 2
    weights = []
    for page in pages(root):
        total, _ = page_weight(page, root)
        weights.append((transfer_weight(page, root), total, page.relative_to(root).as_posix()))
    weights.sort(reverse=True)
    shown = weights[: args.top] if args.top else weights
    print(f"{'gzipped':>10}  {'on disk':>10}  page")
    for sent, total, name in shown:
        print(f"{sent / MB:8.3f}MB  {total / MB:8.3f}MB  {name}")
    limit = args.limit * MB
    over = [(sent, name) for sent, _, name in weights if sent > limit]
    for sent, name in over:
        print(f"too heavy: {name} transfers {sent / MB:.3f} MB > {args.limit} MB", file=sys.stderr)
    return 1 if over else 0


def pages(root: Path) -> list[Path]:
    """Every HTML page of the built site (not the theme's or the sources' files)."""
    return sorted(
        p
        for p in root.rglob("*.html")
        if not p.relative_to(root).as_posix().startswith(("_static/", "_sources/"))
    )


if __name__ == "__main__":
    sys.exit(main())
