"""Plotting helpers for the documentation (matplotlib only).

One colour per role, used by every figure on the site, so that a reader learns once
that blue is the input, grey the padding, orange the kernel and green the output.
"""

__all__ = ["COLORS"]

COLORS = {
    "input": "#9ecae1",
    "padding": "#e0e0e0",
    "kernel": "#fd8d3c",
    "output": "#a1d99b",
}
"""Colour of each role in every convdocs figure, as matplotlib colour strings.

Light enough for values drawn on top in black, and told apart by lightness as well as
hue, so they survive the common forms of colour blindness and the theme's dark mode
(figures keep a white background).

Examples
--------
>>> from convdocs.plot import COLORS
>>> sorted(COLORS)
['input', 'kernel', 'output', 'padding']
"""
