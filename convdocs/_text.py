"""How convdocs writes sizes and tables as text: reports, messages and the CLI."""

from __future__ import annotations

from html import escape

from convdocs._validate import _is_int


def size_text(size) -> str:
    """A size as messages and tables show it: ``224``, or ``224x192`` per dimension.

    >>> size_text(224), size_text((224, 192))
    ('224', '224x192')
    """
    return str(size) if _is_int(size) else "x".join(map(str, size))


def shape_text(shape) -> str:
    """A tensor's shape as PyTorch prints its tuple: ``(1, 3, 224, 224)``.

    >>> shape_text((1, 3, 224, 224))
    '(1, 3, 224, 224)'
    """
    return "(" + ", ".join(map(str, shape)) + ")"


def column_widths(rows) -> list[int]:
    """The width of each column: its widest cell."""
    return [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]


def aligned(rows, right=(), indent="") -> list[str]:
    """Rows of strings as lines of columns two spaces apart, each as wide as its widest
    cell: left-aligned, or right-aligned for the column indices in ``right`` (numbers).

    >>> aligned([("layer", "size"), ("conv1", "112")], right=(1,))
    ['layer  size', 'conv1   112']
    """
    widths = column_widths(rows)
    return [
        indent
        + "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths))
        ).rstrip()
        for row in rows
    ]


def html_table(header, body) -> str:
    """A header row and body rows of strings as an HTML table, every cell escaped.

    >>> html_table(["layer", "size"], [["conv1", "112"]])
    '<table><thead><tr><th>layer</th><th>size</th></tr></thead><tbody><tr><td>conv1</td><td>112</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in body
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
