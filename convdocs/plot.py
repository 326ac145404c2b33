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
  each output pixel (the checkerboard pattern).
"""

from __future__ import annotations

import base64
import html as _html
import io
import re
from dataclasses import dataclass

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.collections import PatchCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle

from convdocs._validate import _pad_width2d, check_int, int_tuple, padding_pairs
from convdocs.arithmetic import (
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
)
from convdocs.conv import conv_transpose2d
from convdocs.padding import canonical_mode
from convdocs.padding import pad as pad_array

__all__ = [
    "COLORS",
    "STYLE",
    "ConvolutionDiagram",
    "animate_convolution",
    "draw_convolution",
    "draw_overlap",
    "draw_padding",
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


def _cells(ax, rows, cols, role: str, *, x0=0.0, y0=0.0, face=None, **style):
    """Draw the cells ``(rows[i], cols[i])`` as one collection, its gid the role."""
    squares = [Rectangle((x0 + c, y0 + r), 1, 1) for r, c in zip(rows, cols)]
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
    convdocs.conv_transpose2d : Computes the counts (the transposed convolution of
        ones with a kernel of ones).
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
    counts = conv_transpose2d(np.ones(size), np.ones(kernel), stride=stride)
    assert counts.shape == conv_transpose_output_size(size, kernel, stride)
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
