r"""Plotting helpers for the documentation (matplotlib only).

One colour per role, used by every figure on the site, so that a reader learns once
that blue is the input, grey the padding, orange the kernel and green the output.

The diagrams take every size from ``convdocs.arithmetic`` and every padded value
from :func:`convdocs.pad`: what they draw is what convdocs computes.

- :func:`draw_convolution`: one step of a convolution (or of a transposed convolution,
  drawn as the equivalent direct convolution), returning a :class:`ConvolutionDiagram`
  that records the geometry it drew;
- :func:`animate_convolution`: the same diagram stepping over every output position;
- :func:`draw_padding`: an array padded in any mode of :func:`convdocs.pad`;
- :func:`draw_overlap`: how many kernel placements of a transposed convolution cover
  each output pixel (the checkerboard pattern);
- :func:`draw_windows`: every window of a one-dimensional layer, and what the floor (or
  ``ceil_mode``) does at the end;
- :func:`draw_conv_matrix`: the matrix of a convolution, or its transpose, entry by
  entry;
- :func:`draw_field`: the units of every layer one output unit depends on (the
  receptive-field recurrence);
- :func:`draw_dilated_stack`: which inputs each unit of a stack of dilated 1-D
  convolutions depends on, causal or "same" (WaveNet's figure);
- :func:`draw_effective_field`: the effective receptive field of a unit (a gradient
  map from :func:`convdocs.effective_receptive_field`) over its theoretical field;
- :func:`draw_group_connectivity`: which input channels each output channel of a
  grouped convolution reads;
- :func:`draw_padding_share`: how much of each output unit's receptive field lies in
  the padding (a map from :func:`convdocs.padding_share`).
"""

from __future__ import annotations

import base64
import html as _html
import io
import math
import re
import textwrap
from dataclasses import dataclass

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.collections import PatchCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle

from convdocs._validate import _pad_width2d, check_bool, check_int, int_tuple, padding_pairs
from convdocs.arithmetic import (
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
)
from convdocs.conv import conv_matrix
from convdocs.padding import canonical_mode
from convdocs.padding import pad as pad_array
from convdocs.upsampling import overlap_counts

__all__ = [
    "COLORS",
    "STYLE",
    "ConvolutionDiagram",
    "StackDiagram",
    "animate_convolution",
    "draw_conv_matrix",
    "draw_convolution",
    "draw_dilated_stack",
    "draw_effective_field",
    "draw_field",
    "draw_group_connectivity",
    "draw_overlap",
    "draw_padding",
    "draw_padding_share",
    "draw_windows",
]

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

STYLE = {
    "font.size": 13,
    "figure.figsize": (6.4, 4.0),
    "legend.fontsize": "medium",
    "legend.title_fontsize": "medium",
}
"""The matplotlib style of the site's figures: text as large as the page's text.

A figure at most 6.5 inches wide (the text column of the documentation, about 620
pixels) is shown at its natural size, 96 pixels per inch: 13-point text then has the
x-height of 16-pixel body text. Every figure of the gallery and the guide uses it
(sphinx-gallery applies it before each example); use it with ``plt.style.use(STYLE)``
or ``matplotlib.rc_context(STYLE)``, and keep explicit font sizes at or above
``STYLE["font.size"]``. The helpers of this module size their text from it.

Examples
--------
>>> import matplotlib.pyplot as plt
>>> from convdocs.plot import STYLE
>>> with plt.rc_context(STYLE):
...     fig, ax = plt.subplots()
...     ax.set_title("a title").get_fontsize() >= STYLE["font.size"]
True
>>> fig.get_size_inches().tolist()
[6.4, 4.0]
>>> plt.close(fig)
"""

# Darker shades of the role colours, for cell edges and outlines.
_EDGES = {
    "input": "#3182bd",
    "padding": "#8c8c8c",
    "inserted": "#8c8c8c",
    "kernel": "#d94801",
    "output": "#31a354",
}
_ROLES = np.array(["padding", "input", "inserted"])  # role codes 0, 1, 2 of the grids
_GAP = 1.5  # cells between the input grid and the output grid, at least
_CELL_INCHES = 0.25  # size of one cell in the figures the functions create
_DPI = 72  # resolution of the animations' frames (the jshtml writer uses the figure dpi)


# -- Geometry (no matplotlib) -----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ConvolutionDiagram:
    """The geometry one :func:`draw_convolution` call drew, in grid coordinates.

    The *grid* is what the kernel slides over: the padded input for a convolution, and
    for a transposed convolution the zero-inserted, padded input of the equivalent
    direct convolution. Cell ``(row, col)`` of the grid is the square
    ``[col, col + 1] x [row, row + 1]`` of the axes (rows grow downwards); the output
    grid is drawn to its right.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes the diagram is drawn on.
    transposed : bool
        Whether the diagram shows a transposed convolution.
    input_shape : tuple of int
        ``(height, width)`` of the input, without padding or inserted zeros.
    grid_shape : tuple of int
        ``(height, width)`` of the grid the kernel slides over.
    padding : tuple of tuple of int
        ``((top, bottom), (left, right))``: cells of padding around the input (or, for
        a transposed convolution, around the zero-inserted input) in the grid. Negative
        for a transposed convolution whose ``padding`` exceeds ``dilation *
        (kernel_size - 1)``: those cells of the zero-inserted input are cropped.
    roles : numpy.ndarray
        Array of ``grid_shape`` strings: ``"input"``, ``"padding"`` or ``"inserted"``
        (the zeros inserted between the input cells of a transposed convolution).
    stride : tuple of int
        Step of the kernel over the grid (always ``(1, 1)`` for a transposed
        convolution, whose stride has become the inserted zeros).
    output_shape : tuple of int
        ``(height, width)`` of the output, from :func:`convdocs.conv_output_size` or
        :func:`convdocs.conv_transpose_output_size`.
    step : int
        Index of the highlighted output cell, row-major.
    output_cell : tuple of int
        ``(row, col)`` of the highlighted output cell.
    taps : tuple of tuple of int
        ``(row, col)`` grid cells under the kernel's taps at this step, row-major.

    See Also
    --------
    draw_convolution : Draws the diagram and returns this record.

    Examples
    --------
    >>> from convdocs.plot import draw_convolution
    >>> diagram = draw_convolution(5, 3, stride=2, padding=1, step=1)
    >>> diagram.grid_shape, diagram.output_shape, diagram.output_cell
    ((7, 7), (3, 3), (0, 1))
    >>> diagram.taps[:3]
    ((0, 2), (0, 3), (0, 4))
    >>> import matplotlib.pyplot as plt
    >>> plt.close(diagram.ax.figure)
    """

    ax: object
    transposed: bool
    input_shape: tuple[int, int]
    grid_shape: tuple[int, int]
    padding: tuple[tuple[int, int], tuple[int, int]]
    roles: np.ndarray
    stride: tuple[int, int]
    output_shape: tuple[int, int]
    step: int
    output_cell: tuple[int, int]
    taps: tuple[tuple[int, int], ...]

    def __repr__(self) -> str:
        kind = "transposed, " if self.transposed else ""
        return (
            f"ConvolutionDiagram({kind}input {self.input_shape}, grid {self.grid_shape}, "
            f"output {self.output_shape}, step {self.step} at {self.output_cell})"
        )


@dataclass(frozen=True)
class _Geometry:
    """Everything about a diagram except the step."""

    transposed: bool
    input_shape: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]  # the kernel's step over the grid
    dilation: tuple[int, int]
    padding: tuple[tuple[int, int], tuple[int, int]]  # in the grid; may be < 0 if transposed
    codes: np.ndarray  # role codes of the grid cells (indices into _ROLES)
    output_shape: tuple[int, int]
    title: str

    @property
    def grid_shape(self) -> tuple[int, int]:
        return self.codes.shape

    @property
    def count(self) -> int:
        return self.output_shape[0] * self.output_shape[1]

    def cell(self, step: int) -> tuple[int, int]:
        return divmod(step, self.output_shape[1])

    def taps(self, step: int) -> tuple[tuple[int, int], ...]:
        row, col = self.cell(step)
        (sh, sw), (dh, dw) = self.stride, self.dilation
        return tuple(
            (row * sh + i * dh, col * sw + j * dw)
            for i in range(self.kernel[0])
            for j in range(self.kernel[1])
        )


def _text(values) -> str:
    """``5`` for ``(5, 5)``, ``5x6`` otherwise."""
    return str(values[0]) if values[0] == values[1] else f"{values[0]}x{values[1]}"


def _pad_text(pairs) -> str:
    flat = {p for pair in pairs for p in pair}
    if len(flat) == 1:
        return str(flat.pop())
    if pairs[0] == pairs[1]:
        return str(pairs[0])
    return str(pairs)


def _geometry(
    input_size, kernel_size, stride, padding, dilation, transposed, output_padding
) -> _Geometry:
    """Check the arguments and lay out the grid of a (transposed) convolution."""
    size = int_tuple("input_size", input_size, 2)
    kernel = int_tuple("kernel_size", kernel_size, 2)
    stride = int_tuple("stride", stride, 2)
    dilation = int_tuple("dilation", dilation, 2)
    pads = padding_pairs(padding, 2)
    extra = int_tuple("output_padding", output_padding, 2, minimum=0)
    if not isinstance(transposed, bool):
        msg = f"transposed must be a bool, got {transposed!r} (type {type(transposed).__name__})"
        raise TypeError(msg)
    params = [f"i={_text(size)}", f"k={_text(kernel)}", f"s={_text(stride)}"]
    params.append(f"p={_pad_text(pads)}")
    if dilation != (1, 1):
        params.append(f"d={_text(dilation)}")
    if not transposed:
        if extra != (0, 0):
            msg = (
                f"output_padding applies to transposed convolutions only, got "
                f"output_padding={output_padding!r} with transposed=False"
            )
            raise ValueError(msg)
        out = conv_output_size(size, kernel, stride, pads, dilation)
        codes = np.zeros([b + n + a for n, (b, a) in zip(size, pads)], dtype=np.int8)
        (top, _), (left, _) = pads
        codes[top : top + size[0], left : left + size[1]] = 1
        title = f"{', '.join(params)} \N{RIGHTWARDS ARROW} o={_text(out)}"
        return _Geometry(False, size, kernel, stride, dilation, pads, codes, out, title)

    out = conv_transpose_output_size(size, kernel, stride, pads, extra, dilation)
    if extra != (0, 0):
        params.append(f"a={_text(extra)}")
    # Dumoulin & Visin, section 4: s - 1 zeros between the input cells, then
    # d(k - 1) - p zeros on each side (and output_padding more after), stride 1.
    span = effective_kernel_size(kernel, dilation)
    inserted = np.full([(n - 1) * s + 1 for n, s in zip(size, stride)], 2, dtype=np.int8)
    inserted[:: stride[0], :: stride[1]] = 1
    grid_pads = tuple((k - 1 - b, k - 1 - a + e) for k, (b, a), e in zip(span, pads, extra))
    grown = np.pad(inserted, [(max(b, 0), max(a, 0)) for b, a in grid_pads])
    codes = grown[
        max(-grid_pads[0][0], 0) : grown.shape[0] - max(-grid_pads[0][1], 0),
        max(-grid_pads[1][0], 0) : grown.shape[1] - max(-grid_pads[1][1], 0),
    ]
    # The equivalent direct convolution produces exactly the transposed output.
    assert conv_output_size(codes.shape, kernel, 1, 0, dilation) == out
    title = f"transposed: {', '.join(params)} \N{RIGHTWARDS ARROW} o={_text(out)}"
    return _Geometry(True, size, kernel, (1, 1), dilation, grid_pads, codes, out, title)


def _check_step(step, count: int) -> int:
    step = check_int("step", step, minimum=0)
    if step >= count:
        msg = (
            f"step must be in range(0, {count}) (one step per output position, "
            f"row-major), got {step}"
        )
        raise ValueError(msg)
    return step


# -- Drawing ----------------------------------------------------------------------------


def _text_points(dpi=None) -> float:
    """Font size of the helpers' text: ``STYLE["font.size"]`` or the rcParams' if
    larger, scaled up for a raster of fewer than 96 dots per inch (an animation's
    frames are shown at their natural size, one pixel per dot)."""
    import matplotlib as mpl

    size = max(mpl.rcParams["font.size"], STYLE["font.size"])
    return size * 96 / min(dpi, 96) if dpi else size


def _new_axes(width_cells: float, height_cells: float, dpi=None, title=""):
    import matplotlib.pyplot as plt

    # Wide enough for the title (about 0.6 em per character), drawn as _Drawing does.
    lines = title.replace(": ", ":\n", 1).split("\n")
    width = max(width_cells * _CELL_INCHES, max(map(len, lines)) * _text_points(dpi) * 0.6 / 72)
    line = _text_points(dpi) * 1.3 / 72
    figsize = (width + 0.2, height_cells * _CELL_INCHES + 0.5 + (len(lines) - 1) * line)
    _, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
    return ax


def _cells(ax, rows, cols, role: str, *, x0=0.0, y0=0.0, face=None, width=1.0, **style):
    """Draw the cells ``(rows[i], cols[i])`` as one collection, its gid the role (cells
    ``width`` wide: a unit of a layer with jump ``j`` spans ``j`` input pixels)."""
    squares = [Rectangle((x0 + c, y0 + r), width, 1) for r, c in zip(rows, cols)]
    dashed = role in ("padding", "inserted")
    collection = PatchCollection(
        squares,
        facecolor=COLORS.get(role, "white") if face is None else face,
        edgecolor=_EDGES[role],
        linewidth=0.8,
        linestyle=(0, (2, 1.5)) if dashed else "solid",
        **style,
    )
    collection.set_gid(role)
    ax.add_collection(collection)
    return collection


def _draw_grid(ax, codes: np.ndarray, *, x0=0.0, y0=0.0) -> None:
    """Draw a grid of role codes: input, dashed padding, hatched inserted zeros."""
    for code, role in enumerate(_ROLES):
        rows, cols = np.nonzero(codes == code)
        if rows.size:
            extra = {"hatch": "////"} if role == "inserted" else {}
            _cells(ax, rows, cols, role, x0=x0, y0=y0, **extra)


def _finish(ax, width: float, height: float) -> None:
    ax.set_xlim(-0.1, width + 0.1)
    ax.set_ylim(height + 0.1, -0.1)  # rows grow downwards
    ax.set_aspect("equal")
    ax.set_axis_off()


class _Drawing:
    """A diagram on an axes, with the artists that move from step to step."""

    def __init__(self, ax, geometry: _Geometry, animated=False):
        self.ax, self.geometry = ax, geometry
        (gh, gw), (oh, ow) = geometry.grid_shape, geometry.output_shape
        size = _text_points(ax.figure.dpi if animated else None)
        gap, label_rows = _layout(geometry, size)
        self.x_out = gw + gap
        self.y_out = max((gh - oh) // 2, 0)
        self.y_in = max((oh - gh) // 2, 0)
        height = max(gh, oh) + label_rows
        _draw_grid(ax, geometry.codes, y0=self.y_in)
        rows, cols = np.indices(geometry.output_shape).reshape(2, -1)
        _cells(ax, rows, cols, "output", x0=self.x_out, y0=self.y_out)
        kernel = {"facecolor": COLORS["kernel"], "edgecolor": _EDGES["kernel"], "lw": 0.8}
        inset = 0.18  # taps are drawn inside their cell, which keeps its role's colour
        self.inset = inset
        self.taps = [
            ax.add_patch(Rectangle((0, 0), 1 - 2 * inset, 1 - 2 * inset, gid="kernel", **kernel))
            for _ in range(geometry.kernel[0] * geometry.kernel[1])
        ]
        span = effective_kernel_size(geometry.kernel, geometry.dilation)
        outline = {"fill": False, "edgecolor": _EDGES["kernel"], "lw": 2, "gid": "window"}
        self.window = ax.add_patch(Rectangle((0, 0), span[1], span[0], **outline))
        self.current = ax.add_patch(Rectangle((0, 0), 1, 1, gid="current", **{**kernel, "lw": 2}))
        label = {"ha": "center", "va": "top", "fontsize": size}
        ax.text(gw / 2, max(gh, oh) + 0.25, _labels(geometry)[0], **label)
        self.output_label = ax.text(self.x_out + ow / 2, max(gh, oh) + 0.25, "", **label)
        # "transposed:" on a line of its own keeps the diagram narrow
        ax.set_title(geometry.title.replace(": ", ":\n", 1), fontsize=size)
        _finish(ax, self.x_out + ow, height)

    def show(self, step: int) -> ConvolutionDiagram:
        g = self.geometry
        taps = g.taps(step)
        for patch, (row, col) in zip(self.taps, taps):
            patch.set_xy((col + self.inset, self.y_in + row + self.inset))
        row, col = taps[0]
        self.window.set_xy((col, self.y_in + row))
        out_row, out_col = g.cell(step)
        self.current.set_xy((self.x_out + out_col, self.y_out + out_row))
        self.output_label.set_text(_output_label(g.output_shape, (out_row, out_col)))
        return ConvolutionDiagram(
            ax=self.ax,
            transposed=g.transposed,
            input_shape=g.input_shape,
            grid_shape=g.grid_shape,
            padding=g.padding,
            roles=_ROLES[g.codes],
            stride=g.stride,
            output_shape=g.output_shape,
            step=step,
            output_cell=(out_row, out_col),
            taps=taps,
        )


def _output_label(shape, cell) -> str:
    return f"output {shape[0]}x{shape[1]}\ncell ({cell[0]}, {cell[1]})"


def _labels(geometry: _Geometry) -> tuple[str, str]:
    """The label under the input grid, and the longest one under the output grid."""
    (ih, iw), (gh, gw) = geometry.input_shape, geometry.grid_shape
    what = f"input {ih}x{iw}"
    if geometry.transposed:
        what += f"\n+ zeros, padding: {gh}x{gw}"
    elif geometry.padding != ((0, 0), (0, 0)):
        what += f"\n+ padding: {gh}x{gw}"
    last = tuple(n - 1 for n in geometry.output_shape)
    return what, _output_label(geometry.output_shape, last)


def _layout(geometry: _Geometry, size: float) -> tuple[float, float]:
    """Cells between the two grids and under them, so that labels of ``size`` points
    (two lines, about 0.6 em per character) fit in a figure of ``_CELL_INCHES`` cells."""
    (_, gw), (_, ow) = geometry.grid_shape, geometry.output_shape
    em = size / 72 / _CELL_INCHES
    left, right = (max(map(len, text.split("\n"))) * 0.6 * em for text in _labels(geometry))
    gap = max(_GAP, (left - gw) / 2 + (right - ow) / 2 + em)
    return gap, 0.25 + 2 * 1.3 * em + 0.3


def _layout_cells(geometry: _Geometry, size: float) -> tuple[float, float]:
    (gh, gw), (oh, ow) = geometry.grid_shape, geometry.output_shape
    gap, label_rows = _layout(geometry, size)
    return gw + gap + ow, max(gh, oh) + label_rows


def draw_convolution(
    input_size,
    kernel_size,
    stride=1,
    padding=0,
    dilation=1,
    *,
    transposed=False,
    output_padding=0,
    step=0,
    ax=None,
):
    r"""Draw one step of a convolution: input, padding, kernel taps and output.

    The input grid (blue) with its padding (grey, dashed edges), the kernel's taps
    (orange squares; with dilation only the taps are coloured, the cells between them
    keep their colour) inside the window they span (orange outline), and, to the
    right, the output grid (green) with the cell this step computes in orange.

    Parameters
    ----------
    input_size : int or tuple of int
        Input size, ``n`` for ``n x n`` or ``(height, width)``.
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    stride : int or tuple of int, default 1
        Step between neighbouring windows (for ``transposed=True``: the stride of
        the convolution being transposed).
    padding : int or tuple, default 0
        Zeros around the input, as in :func:`convdocs.conv_output_size`: an int, one
        int per dimension, or one ``(before, after)`` pair per dimension. For
        ``transposed=True``, the padding of the convolution being transposed, which
        crops the output.
    dilation : int or tuple of int, default 1
        Spacing between kernel taps.
    transposed : bool, default False
        Draw the transposed convolution as Dumoulin & Visin do: the equivalent
        direct convolution, at stride 1, over the input with ``stride - 1`` zeros
        inserted between its cells (white, hatched) and ``dilation * (kernel_size -
        1) - padding`` zeros around it (plus ``output_padding`` after).
    output_padding : int or tuple of int, default 0
        Extra output rows and columns of a transposed convolution (bottom and right).
    step : int, default 0
        Which output position to highlight, row-major: from 0 to the number of
        output cells minus 1.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure sized to the diagram.

    Returns
    -------
    ConvolutionDiagram
        The geometry drawn (grid and output shapes, the role of every grid cell, the
        highlighted output cell and kernel taps) and the axes, as ``.ax``.

    Raises
    ------
    TypeError
        If a size, kernel, stride, padding, dilation or step is not an integer, or
        ``transposed`` is not a bool.
    ValueError
        If a value is out of range (as in :func:`convdocs.conv_output_size` and
        :func:`convdocs.conv_transpose_output_size`: the kernel must fit in the padded
        input, ``output_padding`` must be smaller than the stride or dilation),
        ``output_padding`` is given without ``transposed=True``, or ``step`` is not
        in ``range(0, number of output cells)``.

    See Also
    --------
    animate_convolution : The same diagram for every step, as an animation.
    convdocs.conv_output_size : The number of output cells drawn.
    convdocs.conv_transpose_output_size : The same for ``transposed=True``.

    Notes
    -----
    Every size comes from ``convdocs.arithmetic``. The output grid of a
    convolution has

    .. math:: o = \left\lfloor \frac{i + p_b + p_a - d(k-1) - 1}{s} \right\rfloor + 1

    cells per dimension, and the taps of output cell :math:`(r, c)` sit at grid cells
    :math:`(r s + u d,\ c s + v d)` for :math:`0 \le u, v < k`. A transposed
    convolution (``transposed=True``) is drawn as a direct one over
    :math:`(i - 1)(s - 1)` inserted zeros plus :math:`d(k-1) - p` padding on each side
    (Dumoulin & Visin, relationship 14), which produces

    .. math:: o = (i - 1)\,s - p_b - p_a + d(k - 1) + a + 1

    cells; when :math:`p > d(k-1)` the padding is negative and the zero-inserted input
    is cropped instead. The gallery page :ref:`gallery_arithmetic` animates every
    setting of Dumoulin & Visin's guide.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep
       learning", arXiv:1603.07285, 2016.

    Examples
    --------
    A 5x5 input, padding 1, kernel 3, stride 2: 3x3 outputs; the second one reads the
    window that starts two columns to the right.

    >>> from convdocs.plot import draw_convolution
    >>> diagram = draw_convolution(5, 3, stride=2, padding=1, step=1)
    >>> diagram.output_shape, diagram.output_cell
    ((3, 3), (0, 1))
    >>> print(diagram.roles[:2, :3])
    [['padding' 'padding' 'padding']
     ['padding' 'input' 'input']]

    The transposed convolution of the same layer, as a direct convolution over the
    zero-inserted input (2x2 inputs with one zero between them, padded by 2):

    >>> diagram = draw_convolution(2, 3, stride=2, transposed=True, step=6)
    >>> diagram.grid_shape, diagram.output_shape, diagram.output_cell
    ((7, 7), (5, 5), (1, 1))
    >>> print(diagram.roles[2:5, 2:5])
    [['input' 'inserted' 'input']
     ['inserted' 'inserted' 'inserted']
     ['input' 'inserted' 'input']]
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    geometry = _geometry(
        input_size, kernel_size, stride, padding, dilation, transposed, output_padding
    )
    step = _check_step(step, geometry.count)
    if ax is None:
        ax = _new_axes(*_layout_cells(geometry, _text_points()), title=geometry.title)
    return _Drawing(ax, geometry).show(step)


_PNG_FRAME = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)")


def _palette_png(match: re.Match) -> str:
    """Re-encode one embedded PNG frame with a palette of at most 32 colours."""
    from PIL import Image

    data = base64.b64decode(match.group(1).replace("\\\n", ""))
    image = Image.open(io.BytesIO(data)).convert("RGB")
    # A dozen flat role colours and anti-aliased text: 32 colours keep every edge
    # (the frames' text is large enough to need few shades of grey).
    image = image.quantize(32, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# The jshtml player links Font Awesome 4 from a CDN for its button icons: a request to
# another site from every page with an animation. Plain characters replace the icons.
_CDN_LINK = re.compile(
    r'<link rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/[^"]*">\s*'
)
_LEFT, _RIGHT = "\N{BLACK LEFT-POINTING TRIANGLE}\ufe0e", "\N{BLACK RIGHT-POINTING TRIANGLE}\ufe0e"
_ICONS = {  # symbols every common font has (U+FE0E: the text form, not an emoji)
    "fa fa-minus": "\N{MINUS SIGN}",
    "fa fa-fast-backward": f"|{_LEFT}{_LEFT}",
    "fa fa-step-backward": f"|{_LEFT}",
    "fa fa-play fa-flip-horizontal": _LEFT,
    "fa fa-pause": "\N{DOUBLE VERTICAL LINE}",
    "fa fa-play": _RIGHT,
    "fa fa-step-forward": f"{_RIGHT}|",
    "fa fa-fast-forward": f"{_RIGHT}{_RIGHT}|",
    "fa fa-plus": "+",
}
_ICON = re.compile(r'<i class="(fa [^"]*)"></i>')


_FRAME_IMG = re.compile(r'<img id="(_anim_img\w*)">')
_SLIDER = re.compile(r'(<input id="_anim_slider\w*" type="range")')


def _self_contained(html: str, alt: str = "") -> str:
    """The jshtml player with palette frames, no request to another site, and text
    for screen readers: the frames' ``alt`` and the slider's label."""
    html = _PNG_FRAME.sub(_palette_png, html)
    html = _CDN_LINK.sub("", html)
    html = _FRAME_IMG.sub(lambda m: f'<img id="{m.group(1)}" alt="{_html.escape(alt)}">', html)
    html = _SLIDER.sub(r'\1 aria-label="Frame"', html)
    return _ICON.sub(lambda m: _ICONS.get(m.group(1), "?"), html)


class _PaletteAnimation(FuncAnimation):
    """A FuncAnimation whose HTML is light and self-contained.

    sphinx-gallery and Jupyter embed an animation with ``to_jshtml()``, one base64 PNG
    per frame; the diagrams have a dozen flat colours, which an 8-bit palette stores
    in a third of the bytes. The player's icons, normally Font Awesome loaded from a
    CDN, become plain characters.
    """

    alt = ""  # the frames' text alternative, set by animate_convolution

    def to_jshtml(self, fps=None, embed_frames=True, default_mode=None):
        html = super().to_jshtml(fps, embed_frames, default_mode)
        if getattr(self, "_palette_html", (None,))[0] is not html:
            self._palette_html = (html, _self_contained(html, self.alt))
        return self._palette_html[1]


def animate_convolution(
    input_size,
    kernel_size,
    stride=1,
    padding=0,
    dilation=1,
    *,
    transposed=False,
    output_padding=0,
    ax=None,
    interval=500,
    dpi=_DPI,
):
    r"""Animate a convolution over every output position, row by row.

    One frame per output cell, each drawn as :func:`draw_convolution` draws that
    step. In a Jupyter notebook the animation displays itself; sphinx-gallery embeds
    it in the page (every frame as a PNG image, so the frames are small: 72 dpi, 0.2
    inches per cell).

    Parameters
    ----------
    input_size : int or tuple of int
        Input size, ``n`` for ``n x n`` or ``(height, width)``.
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    stride : int or tuple of int, default 1
        Step between neighbouring windows.
    padding : int or tuple, default 0
        Zeros around the input (for ``transposed=True``: the padding of the
        convolution being transposed), as in :func:`draw_convolution`.
    dilation : int or tuple of int, default 1
        Spacing between kernel taps.
    transposed : bool, default False
        Animate the transposed convolution as the equivalent direct convolution over
        the zero-inserted, padded input.
    output_padding : int or tuple of int, default 0
        Extra output rows and columns of a transposed convolution.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure sized to the diagram.
    interval : int, default 500
        Milliseconds between frames.
    dpi : float, default 72
        Resolution of a new figure, and so of the frames of the embedded animation;
        ignored when ``ax`` is given.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        The animation, with one frame per output position (row-major).

    Raises
    ------
    TypeError
        If an argument is not an integer, or ``transposed`` is not a bool.
    ValueError
        If a value is out of range (see :func:`draw_convolution`).

    See Also
    --------
    draw_convolution : One step, as a static figure.

    Notes
    -----
    Keep the animation referenced (assigned to a variable) until it is displayed:
    matplotlib stops an animation that is garbage-collected, and sphinx-gallery only
    embeds animations it finds among the example's variables. The frames count is the
    product of the output sizes, :func:`convdocs.conv_output_size` per dimension (or
    :func:`convdocs.conv_transpose_output_size`).

    Examples
    --------
    >>> from convdocs.plot import animate_convolution
    >>> animation = animate_convolution(4, 3)  # 2x2 outputs
    >>> html = animation.to_jshtml()  # what sphinx-gallery embeds
    >>> html.count("data:image/png;base64")
    4
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    geometry = _geometry(
        input_size, kernel_size, stride, padding, dilation, transposed, output_padding
    )
    new_figure = ax is None
    if new_figure:
        cells = _layout_cells(geometry, _text_points(dpi))
        ax = _new_axes(*cells, dpi=dpi, title=geometry.title)
    drawing = _Drawing(ax, geometry, animated=True)
    drawing.show(0)
    if new_figure:  # lay the figure out once, not on every frame
        ax.figure.draw_without_rendering()
        ax.figure.set_layout_engine("none")

    def update(step):
        drawing.show(step)
        return [*drawing.taps, drawing.window, drawing.current, drawing.output_label]

    animation = _PaletteAnimation(ax.figure, update, frames=geometry.count, interval=interval)
    kind = "transposed convolution" if geometry.transposed else "convolution"
    animation.alt = (
        f"Animated {kind} ({geometry.title}), one frame per output cell, row by row: "
        f"on the left grid (input blue, padding grey, inserted zeros hatched) an orange "
        f"outline marks the window and orange squares the kernel's taps; on the right "
        f"grid (output, green) the cell they compute is orange."
    )
    return animation


def _format(value) -> str:
    if isinstance(value, (int, np.integer, bool, np.bool_)):
        return str(int(value))
    return f"{value:.3g}"


def draw_padding(x, pad, mode="zeros", *, ax=None):
    """Draw a padded array, value by value: input cells blue, padding cells grey.

    Pads ``x`` with :func:`convdocs.pad` and draws every cell with its value, the
    original pixels in the input colour and the padding in the padding colour
    (dashed edges), with a frame around the original region.

    Parameters
    ----------
    x : array_like
        A two-dimensional array ``(H, W)``.
    pad : int or tuple
        Pixels to add, as in :func:`convdocs.pad`: an int for every side, a
        ``(before, after)`` pair for both axes, or ``((top, bottom), (left, right))``.
    mode : str or None, default "zeros"
        Any mode :func:`convdocs.pad` accepts. ``None`` draws the padding cells empty
        (white, no values): the input in the frame the padding will fill.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure sized to the grid.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, titled with the mode. The cells are two collections whose gid is
        ``"input"`` and ``"padding"``; the values are the axes' texts, row-major.

    Raises
    ------
    TypeError, ValueError
        As :func:`convdocs.pad` raises them (unknown mode, negative ``pad``...);
        ``ValueError`` also if ``x`` is not two-dimensional.

    See Also
    --------
    convdocs.pad : The padding drawn here.
    convdocs.PADDING_MODES : What each library calls each mode.

    Examples
    --------
    >>> import numpy as np
    >>> from convdocs.plot import draw_padding
    >>> ax = draw_padding(np.arange(1, 5).reshape(2, 2), 1, mode="reflect")
    >>> [t.get_text() for t in ax.texts[:4]]
    ['4', '3', '4', '3']
    >>> ax.get_title()
    'mode="reflect"'
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    array = np.asarray(x)
    if array.ndim != 2:
        msg = f"x must be a two-dimensional array (H, W) to draw, got shape {array.shape}"
        raise ValueError(msg)
    name = None if mode is None else canonical_mode(mode)
    values = pad_array(array, pad, mode="zeros" if name is None else name)
    (top, _), (left, _) = _pad_width2d("pad", pad)
    rows, cols = values.shape
    inside = np.zeros(values.shape, dtype=bool)
    inside[top : top + array.shape[0], left : left + array.shape[1]] = True
    if ax is None:
        ax = _new_axes(cols * 2, rows * 2)
    face = {"face": "white"} if name is None else {}
    for role, mask in (("padding", ~inside), ("input", inside)):
        r, c = np.nonzero(mask)
        _cells(ax, r, c, role, **(face if role == "padding" else {}))
    size = _text_points()
    for (i, j), value in np.ndenumerate(values):
        if inside[i, j] or name is not None:
            ax.text(j + 0.5, i + 0.5, _format(value), ha="center", va="center", fontsize=size)
    frame = Rectangle((left, top), *array.shape[::-1], fill=False, edgecolor="black", lw=2)
    ax.add_patch(frame)
    ax.set_title("input" if name is None else f'mode="{name}"')
    _finish(ax, cols, rows)
    return ax


def draw_overlap(kernel_size, stride, size, ax=None):
    r"""Draw how many kernel placements of a transposed convolution cover each pixel.

    A transposed convolution adds one copy of the kernel per input pixel, ``stride``
    pixels apart. Where the kernel size is not a multiple of the stride, the copies
    overlap unevenly and the count alternates from pixel to pixel: the checkerboard
    artefact of upsampling by transposed convolution (Odena et al., 2016).

    Parameters
    ----------
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    stride : int or tuple of int
        Stride, at least 1.
    size : int or tuple of int
        Input size: an int for one row (a one-dimensional map), or ``(height,
        width)``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure sized to the map.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; the counts are its image's data (``ax.images[0].get_array()``) and
        are printed in the cells.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If an argument is smaller than 1, or tuples differ in length.

    See Also
    --------
    convdocs.overlap_counts : Computes the counts (the transposed convolution of ones
        with a kernel of ones), by arithmetic.
    convdocs.conv_transpose_output_size : The size of the map.

    Notes
    -----
    Output pixel :math:`y` is covered by every input pixel :math:`x` with
    :math:`0 \le y - x s < k`, so away from the borders by
    :math:`\lceil k/s \rceil` or :math:`\lfloor k/s \rfloor` placements: the counts
    are even only when :math:`s` divides :math:`k`. In two dimensions the counts are
    the products of the row and column counts.

    References
    ----------
    .. [1] A. Odena, V. Dumoulin and C. Olah, "Deconvolution and Checkerboard
       Artifacts", Distill, 2016. https://distill.pub/2016/deconv-checkerboard/

    Examples
    --------
    >>> from convdocs.plot import draw_overlap
    >>> ax = draw_overlap(3, 2, 4)  # a row of 4 pixels, upsampled by 2
    >>> ax.images[0].get_array().astype(int).tolist()
    [[1, 1, 2, 1, 2, 1, 2, 1, 1]]
    >>> ax = draw_overlap(4, 2, (3, 3))  # kernel a multiple of the stride: even inside
    >>> ax.images[0].get_array()[2:-2, 2:-2].astype(int).tolist()
    [[4, 4, 4, 4], [4, 4, 4, 4], [4, 4, 4, 4], [4, 4, 4, 4]]
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    one_dim = not isinstance(size, (tuple, list))
    if one_dim:
        size = (1, check_int("size", size))
        kernel = (1, check_int("kernel_size", kernel_size))
        stride = (1, check_int("stride", stride))
    else:
        size = int_tuple("size", size, 2)
        kernel = int_tuple("kernel_size", kernel_size, 2)
        stride = int_tuple("stride", stride, 2)
    counts = overlap_counts(size, kernel, stride)
    rows, cols = counts.shape
    if ax is None:
        ax = _new_axes(cols * 1.6, rows * 1.6)
    cmap = LinearSegmentedColormap.from_list("overlap", ["white", _EDGES["output"]])
    top = counts.max()
    ax.imshow(counts, cmap=cmap, vmin=0, vmax=top, extent=(0, cols, rows, 0))
    fontsize = _text_points()
    for (i, j), value in np.ndenumerate(counts):
        color = "white" if value > 0.6 * top else "black"
        ax.text(j + 0.5, i + 0.5, int(value), ha="center", va="center", color=color,
                fontsize=fontsize)  # fmt: skip
    what = _text(kernel) if not one_dim else str(kernel[1])
    step = _text(stride) if not one_dim else str(stride[1])
    uneven = any(k % s for k, s in zip(kernel, stride))
    ax.set_title(f"kernel {what}, stride {step}: {'uneven' if uneven else 'even'} overlap")
    ax.set_xticks(np.arange(cols + 1), minor=True)
    ax.set_yticks(np.arange(rows + 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    return ax


# -- Windows, the convolution matrix and the receptive-field recurrence ------------------

_DIAGRAM_CELLS = 64  # the widest row these diagrams draw legibly in a page's column
_MATRIX_ENTRIES = 2048  # the largest convolution matrix drawn entry by entry
_COLUMN_INCHES = 6.4  # the widest figure the page shows at its natural size (STYLE)


def _check_drawable(name: str, cells: int, limit: int, what: str) -> None:
    if cells > limit:
        msg = f"{name} is too large to draw: {what} would have {cells} cells, at most {limit}"
        raise ValueError(msg)


def _fit_figure(width_units, height_units, ax, title, width=4.9, max_cell=0.4):
    """The axes, titled; a new one, if none is given, whose cells are as large as fit
    ``width`` inches (at most ``max_cell``), with room for row labels on both sides, and
    never wider than the page's column (a longer title wraps)."""
    inch_per_char = _text_points() * 0.55 / 72  # about 0.55 em a character
    lines = textwrap.wrap(title, int((_COLUMN_INCHES - 0.3) / inch_per_char)) or [""]
    if ax is None:
        import matplotlib.pyplot as plt

        cell = min(max_cell, width / width_units)
        title_inches = max(map(len, lines)) * inch_per_char + 0.3
        figure_width = min(max(width_units * cell + 1.5, title_inches), _COLUMN_INCHES)
        figsize = (figure_width, height_units * cell + 0.4 + 0.3 * len(lines))
        ax = plt.subplots(figsize=figsize, layout="constrained")[1]
    ax.set_title("\n".join(lines), fontsize=_text_points())
    return ax


def _row_label(ax, y, text, side="left"):
    """Text beside the row at data height ``y``, outside the axes on one side."""
    x, align = (-0.02, "right") if side == "left" else (1.02, "left")
    ax.text(x, y, text, transform=ax.get_yaxis_transform(), ha=align, va="center",
            fontsize=_text_points())  # fmt: skip


def draw_windows(
    input_size, kernel_size, stride=1, padding=0, dilation=1, *, ceil_mode=False, ax=None
):
    r"""Draw every window of a one-dimensional convolution or pooling layer.

    The top row is the input (blue) with its padding (grey, dashed); below it, one row
    per output unit shows the taps its window reads (orange). Input pixels that no
    window reads, which the floor of the output-size formula drops, are crossed out.
    With ``ceil_mode=True`` a last window that runs past the padded input is kept, as
    PyTorch's pooling keeps it: its outline is dashed and its taps beyond the end are
    white, because pooling ignores them.

    Parameters
    ----------
    input_size : int
        Input length :math:`i`, at least 1.
    kernel_size : int
        Kernel size :math:`k`, at least 1.
    stride : int, default 1
        Step between windows :math:`s`.
    padding : int or tuple of int, default 0
        Zeros before and after the input: an int for both sides, or ``(before,
        after)``.
    dilation : int, default 1
        Spacing between taps :math:`d`.
    ceil_mode : bool, default False
        Round the output size up, as pooling layers with ``ceil_mode=True`` do.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure at most 6.5 inches wide.

    Returns
    -------
    matplotlib.axes.Axes
        The axes. Each window's taps are one collection with gid ``"window"``, in
        order, so ``len(ax.collections)`` minus the input rows counts the windows.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a size is out of range, the layer is refused (see
        :func:`convdocs.conv_output_size`), or the row would be wider than 64 cells.

    See Also
    --------
    convdocs.conv_output_size : The number of windows, which this function draws.
    draw_convolution : One step of a two-dimensional convolution.

    Notes
    -----
    Window :math:`u` reads input pixels :math:`u s - p_b + t d`, :math:`0 \le t < k`.
    There are :math:`o = \lfloor (i + p_b + p_a - d(k - 1) - 1) / s \rfloor + 1`
    windows, or the ceiling instead of the floor with ``ceil_mode``, minus a last
    window that would start in the padding after the input.

    Examples
    --------
    >>> from convdocs.plot import draw_windows
    >>> ax = draw_windows(6, 3, stride=2)  # the floor drops pixel 5
    >>> print(ax.get_title())
    i = 6, k = 3, s = 2: 2 windows, 1 pixel never read
    >>> ax = draw_windows(6, 3, stride=2, ceil_mode=True)  # a third, partial window
    >>> print(ax.get_title())
    i = 6, k = 3, s = 2, ceil_mode: 3 windows
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    n = check_int("input_size", input_size)
    k = check_int("kernel_size", kernel_size)
    s = check_int("stride", stride)
    d = check_int("dilation", dilation)
    ceil = check_bool("ceil_mode", ceil_mode)
    ((before, after),) = padding_pairs(padding, 1)
    span = effective_kernel_size(k, d)
    _check_drawable("input_size", n + before + after, _DIAGRAM_CELLS, "the padded input")
    _check_drawable("kernel_size", span, _DIAGRAM_CELLS, "a window")
    (count,) = conv_output_size((n,), k, s, ((before, after),), d, ceil_mode=ceil)
    starts = np.arange(count) * s - before  # input coordinates of each window's first tap
    taps = starts[:, None] + np.arange(k) * d
    left, right = -before, max(n + after, int(taps.max()) + 1)
    unread = np.setdiff1d(np.arange(n), taps)
    title = _windows_title(n, k, s, d, (before, after), ceil, count, len(unread))
    ax = _fit_figure(right - left, count + 1.3, ax, title)
    x0 = -left  # drawing x of input pixel 0
    _cells(ax, [0] * n, x0 + np.arange(n), "input")
    pads = [*range(-before, 0), *range(n, n + after)]
    _cells(ax, [0] * len(pads), [x0 + p for p in pads], "padding")
    for p in unread:
        ax.text(x0 + p + 0.5, 0.5, "\N{MULTIPLICATION SIGN}", ha="center", va="center",
                fontsize=_text_points() + 2, color="#444444")  # fmt: skip
    _row_label(ax, 0.5, "input")
    for u, row in enumerate(taps, start=1):
        beyond = row >= n + after  # only a ceil_mode window reaches past the padded input
        face = np.where(beyond, "white", COLORS["kernel"])
        _cells(ax, [u + 0.3] * k, x0 + row, "kernel", face=face).set_gid("window")
        ax.add_patch(
            Rectangle((x0 + row[0], u + 0.3), span, 1, fill=False, edgecolor=_EDGES["kernel"],
                      linewidth=1.5, linestyle="--" if beyond.any() else "-")
        )  # fmt: skip
        _row_label(ax, u + 0.8, f"output {u - 1}", side="right")
    _finish(ax, right - left, count + 1.3)
    return ax


def _windows_title(n, k, s, d, pads, ceil, count, unread) -> str:
    setting = f"i = {n}, k = {k}, s = {s}" + (f", d = {d}" if d > 1 else "")
    if pads != (0, 0):
        setting += f", p = {pads[0]}" if pads[0] == pads[1] else f", p = {pads}"
    windows = f"{count} window{'s' * (count > 1)}"
    dropped = f", {unread} pixel{'s' * (unread > 1)} never read" if unread else ""
    return f"{setting}{', ceil_mode' * ceil}: {windows}{dropped}"


def draw_conv_matrix(
    input_size, kernel_size, stride=1, padding=0, dilation=1, *, transpose=False, ax=None
):
    r"""Draw the matrix :math:`C` of a convolution, or its transpose, entry by entry.

    One row per output pixel and one column per input pixel (both in row-major order)
    for :math:`C`; the other way round for :math:`C^T`, the matrix of the transposed
    convolution. Each non-zero entry is labelled ``ab``, the tap of the kernel weight
    :math:`w_{a,b}` it holds: every row of :math:`C` is the kernel, laid out where
    its window sits, and every row of :math:`C^T` lists the output pixels an input
    pixel feeds.

    Parameters
    ----------
    input_size : int or tuple of int
        Input size, ``n`` for ``n x n`` or ``(height, width)``.
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    stride, padding, dilation
        As in :func:`convdocs.conv2d`.
    transpose : bool, default False
        Draw :math:`C^T` instead of :math:`C`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure at most 6.5 inches wide.

    Returns
    -------
    matplotlib.axes.Axes
        The axes; ``ax.images[0].get_array()`` is the matrix's pattern of non-zero
        entries (True where a weight sits).

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a size is out of range, the layer is refused, or the matrix would have more
        than 2048 entries.

    See Also
    --------
    convdocs.conv_matrix : The matrix itself, for any weight.

    Notes
    -----
    Entry :math:`(y, x)` of :math:`C` is :math:`w_{a,b}` when input pixel :math:`x`
    is tap :math:`(a, b)` of output pixel :math:`y`'s window, and 0 otherwise (taps
    that fall in the padding have no column). Transposing swaps the roles:
    :math:`C^T y` spreads each input pixel of the transposed convolution over the
    pixels its kernel copy covers (Dumoulin & Visin, section 4.1).

    Examples
    --------
    >>> from convdocs.plot import draw_conv_matrix
    >>> ax = draw_conv_matrix(4, 3)  # Dumoulin & Visin's 4x4 input, 3x3 kernel
    >>> ax.images[0].get_array().shape, int(ax.images[0].get_array().sum())
    ((4, 16), 36)
    >>> draw_conv_matrix(4, 3, transpose=True).images[0].get_array().shape
    (16, 4)
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    size = int_tuple("input_size", input_size, 2)
    kernel = int_tuple("kernel_size", kernel_size, 2)
    transpose = check_bool("transpose", transpose)
    out = conv_output_size(size, kernel, stride, padding, dilation)
    entries = math.prod(out) * math.prod(size)
    _check_drawable("input_size", entries, _MATRIX_ENTRIES, "the convolution matrix")
    taps = np.arange(1, math.prod(kernel) + 1, dtype=float).reshape(kernel)
    matrix = conv_matrix(size, taps, stride=stride, padding=padding, dilation=dilation)
    if transpose:
        matrix = matrix.T
    rows, cols = matrix.shape
    pixels = ("input pixel", "output pixel")
    title = f"C: {rows} x {cols}, one row per output pixel; entry ab holds weight w[a, b]"
    if transpose:
        title = (
            f"transpose of C: {rows} x {cols}, the transposed convolution from {cols} "
            f"pixels to {rows}; entry ab holds weight w[a, b]"
        )
    ax = _fit_figure(cols + 1.5, rows + 1.5, ax, title, width=4.9, max_cell=0.42)
    cmap = LinearSegmentedColormap.from_list("taps", ["white", COLORS["kernel"]])
    ax.imshow(matrix != 0, cmap=cmap, vmin=0, vmax=1, extent=(0, cols, rows, 0))
    for (y, x), tap in np.ndenumerate(matrix):
        if tap:
            a, b = divmod(int(tap) - 1, kernel[1])
            label = f"{a}{b}" if max(kernel) <= 10 else f"{a},{b}"
            ax.text(x + 0.5, y + 0.5, label, ha="center", va="center", fontsize=_text_points())
    ax.set_xticks(np.arange(cols + 1), minor=True)
    ax.set_yticks(np.arange(rows + 1), minor=True)
    ax.grid(which="minor", color=_EDGES["padding"], linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_xticks(np.arange(cols) + 0.5, [str(i) for i in range(cols)], fontsize=_text_points())
    ax.set_yticks(np.arange(rows) + 0.5, [str(i) for i in range(rows)], fontsize=_text_points())
    ax.set_xlabel(f"{pixels[transpose]} (row-major)", fontsize=_text_points())
    ax.set_ylabel(pixels[not transpose], fontsize=_text_points())
    return ax


def draw_field(layers, input_size, unit=None, *, ax=None):
    r"""Draw the units of every layer that one output unit depends on.

    One row per layer of a one-dimensional stack, the output at the top and the input
    at the bottom, each unit drawn under the centre of its own receptive field, so a
    layer of jump :math:`j` has units :math:`j` pixels wide. The units the chosen
    output unit depends on are orange; positions of its field that fall in a layer's
    padding are grey and dashed. Each row says how many units of that layer the field
    spans, which is what the receptive-field recurrence computes, read downwards.

    Parameters
    ----------
    layers : str or list
        One-dimensional layers, as a layer string (``"conv3p1,conv3s2p1"``) or specs
        (:class:`convdocs.Conv`, :class:`convdocs.Pool`).
    input_size : int
        Input length, at most 64 pixels (the diagram draws every pixel).
    unit : int, optional
        The output unit; by default the middle one.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure at most 6.5 inches wide.

    Returns
    -------
    matplotlib.axes.Axes
        The axes. The text of row ``l`` (0 is the input) is in
        ``ax.texts``; the title gives the field of the unit in input pixels.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If the layers are not one-dimensional or refuse the input size, the unit is
        outside the output, or the input is longer than 64 pixels.

    See Also
    --------
    convdocs.receptive_field : The field sizes, jumps and intervals drawn here.

    Notes
    -----
    Read from the top, each row's count follows from the one above by
    :math:`r_{l-1} = s_l\,r_l + (\hat{k}_l - s_l)`, where :math:`\hat{k}_l =
    d_l(k_l - 1) + 1`, from :math:`r_L = 1`; the input row holds the receptive field
    :math:`r_0` (Araujo, Norris & Sim, 2019).

    Examples
    --------
    >>> from convdocs.plot import draw_field
    >>> ax = draw_field("conv3p1,conv3s2p1,conv3p1,conv3s2p1", 24, unit=3)
    >>> print(ax.get_title())  # wrapped to the column's width
    unit 3 of the last layer sees input pixels 6 to 18: a field of 13
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    from convdocs.receptive import parse_layers, receptive_field

    specs = parse_layers(layers) if isinstance(layers, str) else list(layers)
    n = check_int("input_size", input_size)
    _check_drawable("input_size", n, _DIAGRAM_CELLS, "the input row")
    whole = receptive_field(specs, n)
    rows = whole.layers  # row 0 is the input
    if len(rows[0].output_size) != 1:
        msg = "draw_field draws one-dimensional layers: give specs with int sizes"
        raise ValueError(msg)
    last = rows[-1].output_size[0]
    unit = last // 2 if unit is None else check_int("unit", unit, minimum=0)
    whole.interval(unit)  # refuses a unit outside the output
    # The field of the unit in layer l's units: the field of the layers above l.
    above = [receptive_field(specs[l:], row.output_size[0]) for l, row in enumerate(rows[:-1])]
    intervals = [rf.interval(unit) for rf in above] + [(unit, unit + 1)]
    exact = [rf.interval(unit, clip=True) for rf in above] + [(unit, unit + 1)]
    # Each unit is drawn under the centre of its own field, ``jump`` pixels wide.
    edges = [(row.center[0] + u * row.stride[0] - row.stride[0] / 2, row.stride[0])
             for row, (a, b) in zip(rows, intervals)
             for u in (min(a, 0), max(b, row.output_size[0]) - 1)]  # fmt: skip
    low, high = min(x for x, _ in edges), max(x + w for x, w in edges)
    start, stop = whole.interval(unit)
    title = (f"unit {unit} of the last layer sees input pixels {start} to {stop - 1}: "
             f"a field of {stop - start}")  # fmt: skip
    ax = _fit_figure(high - low, 1.5 * len(rows), ax, title)
    for level, (row, (a, b), real) in enumerate(zip(rows, intervals, exact)):
        y = 1.5 * (len(rows) - 1 - level)
        jump, centre, size = row.stride[0], row.center[0], row.output_size[0]
        left = centre - jump / 2  # of unit 0: units sit under their fields' centres
        units = range(size)
        read = [u for u in range(a, b) if real and real[0] <= u < real[1]]
        pads = [u for u in range(a, b) if not 0 <= u < size]
        for role, drawn in (("input", units), ("kernel", read), ("padding", pads)):
            _cells(ax, [0] * len(drawn), [left + u * jump for u in drawn], role, y0=y, width=jump)
        _row_label(ax, y + 0.5, "input" if level == 0 else row.name)
        _row_label(ax, y + 0.5, f"{b - a} {'pixel' if level == 0 else 'unit'}"
                   f"{'s' * (b - a > 1)}", side="right")  # fmt: skip
    ax.set_xlim(low - 0.2, high + 0.2)
    ax.set_ylim(1.5 * len(rows) - 0.4, -0.1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


# -- Dilated stacks of 1-D convolutions (WaveNet's Figure 3) ------------------------------

_STACK_PADDINGS = ("causal", "same")
_MAX_STACK_LENGTH = 64  # time steps a legible diagram can show
_MAX_STACK_LAYERS = 10


@dataclass(frozen=True, eq=False)
class StackDiagram:
    """What one :func:`draw_dilated_stack` call drew.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes the diagram is drawn on.
    pads : tuple of tuple of int
        ``(before, after)`` padding of each layer, from :func:`convdocs.causal_padding`
        or :func:`convdocs.same_padding`.
    used : tuple of tuple of int
        Per level, from the input (level 0) to the output: the time steps of that
        level the output unit depends on, sorted. Steps below 0 or from ``length`` on
        are padding, read as zeros (nothing below them is used through them).
    field : tuple of int or None
        ``(start, stop)``, half-open: the input steps the unit depends on, the hull of
        the used steps of level 0 inside the sequence. Equal to
        ``receptive_field(...).interval(unit, clip=True)``.

    See Also
    --------
    draw_dilated_stack : Draws the diagram and returns this record.

    Examples
    --------
    >>> from convdocs.plot import draw_dilated_stack
    >>> diagram = draw_dilated_stack(3, [1, 2], 12, unit=4)
    >>> diagram.pads, diagram.field
    (((2, 0), (4, 0)), (0, 5))
    >>> diagram.used  # input, layer 1, output: step -2 is padding
    ((-2, -1, 0, 1, 2, 3, 4), (0, 2, 4), (4,))
    >>> import matplotlib.pyplot as plt
    >>> plt.close(diagram.ax.figure)
    """

    ax: object
    pads: tuple
    used: tuple
    field: tuple | None


def draw_dilated_stack(kernel_size, dilations, length, unit=None, *, padding="causal", ax=None):
    r"""Draw which steps of a stack of dilated 1-D convolutions one output unit depends on.

    One row of circles per level (the input at the bottom, the output at the top), one
    column per time step; the chosen output unit, every unit it depends on, and the
    kernel taps joining them are coloured, as in Figure 3 of WaveNet (van den Oord et
    al., 2016). Padding steps are drawn dashed beside the level they pad.

    Parameters
    ----------
    kernel_size : int
        Kernel size of every layer, at least 1.
    dilations : sequence of int
        Dilation of each layer, from the input up; at most 10 layers.
    length : int
        Length of the sequence, 1 to 64; every layer keeps it (stride 1).
    unit : int, optional
        The output unit to trace. Default: the last one, ``length - 1``.
    padding : {"causal", "same"}, default "causal"
        ``"causal"``: every pad before the sequence (:func:`convdocs.causal_padding`);
        ``"same"``: split between both sides (:func:`convdocs.same_padding`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure, 6.4 inches wide (the page's column),
        its text at ``STYLE["font.size"]`` or larger.

    Returns
    -------
    StackDiagram
        The axes and the steps drawn as used.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If a number is out of range, or ``padding`` is not ``"causal"`` or ``"same"``.

    See Also
    --------
    convdocs.causal_padding : The padding of a causal layer.
    convdocs.receptive_field : Computes the field the diagram shows.

    Notes
    -----
    Unit :math:`u` of a layer with kernel :math:`k`, dilation :math:`d` and
    padding :math:`p_b` before its input reads steps :math:`u - p_b + j d`,
    :math:`0 \le j < k`, of the level below. With causal padding,
    :math:`p_b = d(k-1)`, the last tap is :math:`u` itself, so no unit depends on a
    later step, and the stack sees :math:`1 + (k - 1)\sum_l d_l` steps: with
    dilations :math:`1, 2, \dots, 2^{L-1}`, :math:`1 + (k-1)(2^L - 1)`.

    References
    ----------
    .. [1] A. van den Oord et al., "WaveNet: A generative model for raw audio",
       arXiv:1609.03499, 2016, Figure 3.

    Examples
    --------
    >>> from convdocs.plot import draw_dilated_stack
    >>> diagram = draw_dilated_stack(2, [1, 2, 4, 8], 16)
    >>> diagram.field, diagram.pads
    ((0, 16), ((1, 0), (2, 0), (4, 0), (8, 0)))
    >>> diagram.used[-2]  # the two units of layer 3 the last output reads
    (7, 15)
    >>> draw_dilated_stack(3, [1, 1], 10, unit=4, padding="same").field
    (2, 7)
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    from convdocs._validate import _describe
    from convdocs.arithmetic import causal_padding, same_padding

    kernel = check_int("kernel_size", kernel_size)
    allowed = f"dilations must be a non-empty list of positive ints, got {_describe(dilations)}"
    if not isinstance(dilations, (tuple, list)):
        raise TypeError(allowed)
    if not dilations:
        raise ValueError(allowed)
    if len(dilations) > _MAX_STACK_LAYERS:
        msg = (
            f"dilations must have at most {_MAX_STACK_LAYERS} layers to draw, got {len(dilations)}"
        )
        raise ValueError(msg)
    dilations = [check_int("dilations", d) for d in dilations]
    length = check_int("length", length)
    if length > _MAX_STACK_LENGTH:
        msg = f"length must be at most {_MAX_STACK_LENGTH} steps to draw, got {length}"
        raise ValueError(msg)
    unit = length - 1 if unit is None else check_int("unit", unit, 0)
    if unit >= length:
        msg = f"unit must be an output step, 0 .. {length - 1}, got {unit}"
        raise ValueError(msg)
    if not isinstance(padding, str) or padding not in _STACK_PADDINGS:
        msg = f"padding must be 'causal' or 'same', got {_describe(padding)}"
        raise (ValueError if isinstance(padding, str) else TypeError)(msg)
    if padding == "causal":
        pads = tuple(causal_padding(kernel, d) for d in dilations)
    else:
        pads = tuple(same_padding(length, kernel, dilation=d) for d in dilations)
    used = _stack_used(kernel, dilations, pads, length, unit)
    inside = [t for t in used[0] if 0 <= t < length]
    field = (inside[0], inside[-1] + 1) if inside else None
    if ax is None:
        import matplotlib.pyplot as plt

        figsize = (6.4, 0.6 * len(dilations) + 2.4)  # the page's column; two title lines
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    _draw_stack(ax, kernel, dilations, pads, length, used)
    ax.axvline(unit, color=_EDGES["padding"], linestyle=":", linewidth=1, zorder=0)
    shown = ", ".join(map(str, dilations))
    sees = "no input step" if field is None else f"steps {field[0]}..{field[1] - 1}"
    # two lines: one would be wider than the column at the page's text size
    ax.set_title(
        f"{padding.capitalize()}, kernel {kernel}, dilations {shown}:\noutput {unit} sees {sees}",
        fontsize=_text_points(),
    )
    return StackDiagram(ax, pads, used, field)


def _stack_used(kernel, dilations, pads, length, unit) -> tuple:
    """The steps of every level the unit depends on, top-down through real steps only."""
    levels = [(unit,)]
    for d, (before, _) in zip(reversed(dilations), reversed(pads)):
        real = [u for u in levels[0] if 0 <= u < length]
        taps = {u - before + j * d for u in real for j in range(kernel)}
        levels.insert(0, tuple(sorted(taps)))
    return tuple(levels)


def _draw_stack(ax, kernel, dilations, pads, length, used) -> None:
    from matplotlib.collections import LineCollection

    top = len(dilations)
    left = -max(before for before, _ in pads)
    right = length - 1 + max(after for _, after in pads)
    edges, pad_edges = [], []
    for level in range(1, top + 1):
        d, (before, _) = dilations[level - 1], pads[level - 1]
        for u in used[level]:
            if 0 <= u < length:
                for j in range(kernel):
                    t = u - before + j * d
                    (edges if 0 <= t < length else pad_edges).append([(t, level - 1), (u, level)])
    ax.add_collection(LineCollection(edges, colors=_EDGES["kernel"], linewidths=1.6, zorder=1))
    ax.add_collection(
        LineCollection(
            pad_edges, colors=_EDGES["padding"], linewidths=1.2, linestyles="--", zorder=1
        )
    )
    for level in range(top + 1):
        steps = np.arange(length)
        hit = np.isin(steps, used[level])
        role = "input" if level == 0 else "output"
        face = np.where(hit, COLORS[role], "white")
        edge = np.where(hit, _EDGES[role], _EDGES["padding"])
        ax.scatter(steps, np.full(length, level), s=70, c=face, edgecolors=edge, zorder=2)
        if level < top:  # the padding this level gets from the layer above it
            before, after = pads[level]
            padded = [*range(-before, 0), *range(length, length + after)]
            hit = np.isin(padded, used[level])
            ax.scatter(padded, np.full(len(padded), level), s=70, zorder=2, linestyles="--",
                       c=np.where(hit, COLORS["padding"], "white"), edgecolors=_EDGES["padding"])  # fmt: skip
    ax.set_xlim(left - 0.7, right + 0.7)
    ax.set_ylim(-0.5, top + 0.5)
    ax.set_yticks(range(top + 1))
    ax.set_yticklabels(
        [
            "input",
            *[f"layer {i + 1}, d = {d}" for i, d in enumerate(dilations[:-1])],
            f"output, d = {dilations[-1]}",
        ],
        fontsize=_text_points(),
    )
    ax.set_xlabel("time step", fontsize=_text_points())
    ax.tick_params(axis="x", labelsize=_text_points())
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)


def draw_padding_share(result, ax=None):
    r"""Draw, per output unit, the share of its receptive field that lies in the padding.

    Parameters
    ----------
    result : convdocs.border.PaddingShare
        What :func:`convdocs.padding_share` returns, for a two-dimensional output.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes: an image of ``result.share`` (white: no padding, dark grey: all
        padding), with the percentage printed in each cell when the output is at most
        8 units wide and high (more cells would not hold the numbers at the text
        size of :data:`~convdocs.plot.STYLE` in the text column), a colour bar, and
        units of holes (no field) left blank.

    Raises
    ------
    TypeError
        If ``result`` is not a :class:`~convdocs.border.PaddingShare`.
    ValueError
        If its output is not two-dimensional.

    See Also
    --------
    convdocs.padding_share : Computes the shares.

    Examples
    --------
    >>> from convdocs import padding_share
    >>> from convdocs.plot import draw_padding_share
    >>> ax = draw_padding_share(padding_share("conv3p1,conv3s2p1", (6, 8)))
    >>> ax.images[0].get_array().shape, ax.get_title()
    ((3, 4), "Share of each unit's field\nin the padding")
    >>> [t.get_text() for t in ax.texts][:4]
    ['64%', '40%', '40%', '52%']
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    from convdocs.border import PaddingShare

    if not isinstance(result, PaddingShare):
        msg = f"result must be a PaddingShare (from convdocs.padding_share), got {type(result).__name__}"
        raise TypeError(msg)
    if result.share.ndim != 2:
        msg = f"draw_padding_share draws two-dimensional outputs, got output size {result.output_size}"
        raise ValueError(msg)
    import matplotlib.pyplot as plt

    rows, cols = result.share.shape
    size = _text_points()
    if ax is None:
        # Cells wide enough for "100%" at the text size; room for the colour bar and
        # the two-line title; no wider than the text column.
        cell = 3 * size / 72
        figsize = (min(6.4, max(4.4, 1.9 + cell * cols)), min(6.4, 1.6 + cell * rows))
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    cmap = LinearSegmentedColormap.from_list("share", ["white", _EDGES["padding"]])
    image = ax.imshow(result.share, cmap=cmap, vmin=0, vmax=1)
    if rows <= 8 and cols <= 8:
        for (i, j), value in np.ndenumerate(result.share):
            if np.isfinite(value):
                color = "white" if value > 0.7 else "black"
                ax.text(j, i, f"{100 * value:.0f}%", ha="center", va="center", color=color,
                        fontsize=size)  # fmt: skip
    ax.figure.colorbar(image, ax=ax, label="share in the padding", shrink=0.8)
    ax.set_title("Share of each unit's field\nin the padding")
    ax.set_xlabel("output column")
    ax.set_ylabel("output row")
    return ax


# -- Effective receptive fields -----------------------------------------------------------

_FIELD_MAP = LinearSegmentedColormap.from_list(
    "effective_field", ["white", COLORS["input"], _EDGES["input"], "#08306b"]
)


def draw_effective_field(field, share=0.95, *, ax=None, title=None):
    r"""Draw an effective receptive field over the unit's theoretical field.

    The map of :func:`convdocs.effective_receptive_field`, scaled so its largest value
    is 1 (white is 0, dark blue the largest gradient), with the unit's theoretical field
    outlined in orange (the axes grow to show all of it, even where it reaches past the
    input into the padding), the input's border in grey, and a dashed green circle
    around the centre of mass holding ``share`` of the gradient's mass.

    Parameters
    ----------
    field : convdocs.effective.EffectiveField
        A two-dimensional result of :func:`convdocs.effective_receptive_field`.
    share : float, default 0.95
        The share of the mass the circle holds (see ``EffectiveField.radius``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 3.4-inch square figure by default.
    title : str, optional
        The axes title; by default the radius and the theoretical field's size.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with the map as ``ax.images[0]``, the theoretical field (gid
        ``"theoretical"``) and the circle (gid ``"radius"``) among ``ax.patches``.

    Raises
    ------
    TypeError
        If ``field`` is not an ``EffectiveField``.
    ValueError
        If the map is not two-dimensional, is zero, or ``share`` is not in (0, 1].

    See Also
    --------
    convdocs.effective_receptive_field : Computes the field drawn.

    Examples
    --------
    >>> from convdocs import effective_receptive_field
    >>> from convdocs.plot import draw_effective_field
    >>> erf = effective_receptive_field("conv3p1,conv3p1,conv3p1", (15, 15), samples=2)
    >>> ax = draw_effective_field(erf)
    >>> float(ax.images[0].get_array().max()), erf.theoretical
    (1.0, ((4, 11), (4, 11)))
    >>> [p.get_gid() for p in ax.patches]
    ['input', 'theoretical', 'radius']
    >>> import matplotlib.pyplot as plt
    >>> plt.close("all")
    """
    from matplotlib.patches import Circle

    from convdocs.effective import EffectiveField

    if not isinstance(field, EffectiveField):
        msg = f"field must be an EffectiveField, got {type(field).__name__}"
        raise TypeError(msg)
    if field.map.ndim != 2:
        msg = f"draw_effective_field draws two-dimensional maps, got shape {field.map.shape}"
        raise ValueError(msg)
    radius = field.radius(share)  # checks the share and that the map is not zero
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(3.4, 3.4), layout="constrained")
    rows, cols = field.map.shape
    ax.imshow(field.map / field.map.max(), cmap=_FIELD_MAP, vmin=0, vmax=1)
    border = Rectangle((-0.5, -0.5), cols, rows, fill=False, edgecolor=_EDGES["padding"])
    border.set_gid("input")
    ax.add_patch(border)
    top, left, bottom, right = -0.5, -0.5, rows - 0.5, cols - 0.5
    if field.theoretical is not None:
        (r0, r1), (c0, c1) = field.theoretical
        outline = Rectangle(
            (c0 - 0.5, r0 - 0.5), c1 - c0, r1 - r0, fill=False, edgecolor=_EDGES["kernel"],
            linewidth=2,
        )  # fmt: skip
        outline.set_gid("theoretical")
        ax.add_patch(outline)
        top, left = min(top, r0 - 0.5), min(left, c0 - 0.5)
        bottom, right = max(bottom, r1 - 0.5), max(right, c1 - 0.5)
    cy, cx = field.center
    circle = Circle((cx, cy), radius, fill=False, edgecolor=_EDGES["output"], linewidth=2,
                    linestyle="--")  # fmt: skip
    circle.set_gid("radius")
    ax.add_patch(circle)
    margin = 0.02 * max(bottom - top, right - left)
    ax.set_xlim(left - margin, right + margin)
    ax.set_ylim(bottom + margin, top - margin)
    if title is None:  # short lines: the default figure is 3.4 inches wide
        size = field.theoretical_size
        theory = "" if size is None else f"\ntheoretical field {_text(size)}"
        title = f"{share:.0%} of the gradient\nwithin r = {radius:.1f} px{theory}"
    ax.set_title(title, fontsize=_text_points())
    ax.set_xlabel("input column")
    ax.set_ylabel("input row")
    return ax


# -- Grouped convolutions --------------------------------------------------------------


def draw_group_connectivity(in_channels, out_channels, groups=1, ax=None):
    r"""Draw which input channels each output channel of a grouped convolution reads.

    Input channels form a column on the left, output channels one on the right, and a
    line joins each output channel to each input channel its filter has a kernel for:
    with ``groups`` :math:`g` the channels split into :math:`g` groups (shaded bands)
    and lines stay inside their group. ``groups = 1`` is the full convolution (every
    pair joined), ``groups = in_channels`` the depthwise convolution.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the layer's input and output, at least 1 (up to 64, to stay
        legible).
    groups : int, default 1
        Number of groups; must divide both channel counts.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, titled with the groups. The lines are one collection whose gid is
        ``"weights"`` (one segment per (output, input) pair, from ``(1, out)`` to
        ``(0, in)``); the channels are two collections with gids ``"input"`` and
        ``"output"``.

    Raises
    ------
    TypeError
        If an argument is not an int.
    ValueError
        If an argument is below 1, a channel count above 64, or ``groups`` does not
        divide both channel counts.

    See Also
    --------
    convdocs.conv_parameters : The weights counted: one kernel per line drawn.

    Notes
    -----
    Output channel :math:`o` belongs to group :math:`\lfloor o / (C_\text{out}/g)
    \rfloor` and reads input channels :math:`c` of the same group, :math:`\lfloor c /
    (C_\text{in}/g) \rfloor`, as in PyTorch's ``groups``: :math:`C_\text{out} \cdot
    C_\text{in}/g` lines, one kernel each.

    Examples
    --------
    >>> from convdocs.plot import draw_group_connectivity
    >>> ax = draw_group_connectivity(8, 8, groups=4)
    >>> lines = next(c for c in ax.collections if c.get_gid() == "weights")
    >>> len(lines.get_segments())  # 8 outputs, each reading 8 / 4 inputs
    16
    >>> print(ax.get_title())
    groups = 4:
    2 inputs per output
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    from matplotlib.collections import LineCollection

    from convdocs.cost import _check_groups

    in_channels, out_channels, groups = _check_groups(in_channels, out_channels, groups)
    for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels > 64:
            msg = f"{name} must be at most 64 to draw legibly, got {channels}"
            raise ValueError(msg)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(2.5, 4), layout="constrained")
    per_in, per_out = in_channels // groups, out_channels // groups
    top = max(in_channels, out_channels)
    # channel c of n sits at height y(c) = (c + 0.5) * top / n: both columns span [0, top]
    y_in = (np.arange(in_channels) + 0.5) * top / in_channels
    y_out = (np.arange(out_channels) + 0.5) * top / out_channels
    for group in range(groups):  # a shaded band behind every other group
        if group % 2:
            ax.axhspan(group * top / groups, (group + 1) * top / groups,
                       color=COLORS["padding"], zorder=0)  # fmt: skip
    segments = [
        [(1, y_out[o]), (0, y_in[c])]
        for o in range(out_channels)
        for c in range((o // per_out) * per_in, (o // per_out + 1) * per_in)
    ]
    lines = LineCollection(segments, colors=_EDGES["kernel"], linewidths=1.2, zorder=1)
    lines.set_gid("weights")
    ax.add_collection(lines)
    size = max(8, 40 / top) ** 2
    for x, ys, role in ((0, y_in, "input"), (1, y_out, "output")):
        dots = ax.scatter(np.full(len(ys), x), ys, s=size, color=COLORS[role],
                          edgecolors=_EDGES[role], zorder=2)  # fmt: skip
        dots.set_gid(role)
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylim(top, 0)  # channel 0 at the top
    ax.set_xticks([0, 1], ["input", "output"])
    ax.set_yticks([])
    ax.set_ylabel(f"channels ({groups} group{'s' if groups > 1 else ''})")
    # two short lines: the default figure is 2.5 inches wide
    ax.set_title(f"groups = {groups}:\n{per_in} input{'s' if per_in > 1 else ''} per output")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax
