"""convdocs.plot: the drawn grids against convdocs.arithmetic, conv2d and convdocs.pad.

The diagrams are checked twice: the geometry they report (``ConvolutionDiagram``)
against the formulas and against the numpy convolutions (the kernel taps of one step,
weighted by the kernel, must give that step's output of ``conv2d`` or
``conv_transpose2d``), and what is on the axes (cells by role, kernel taps, the
highlighted output cell) against that geometry.
"""

import re

import matplotlib
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.animation import AbstractMovieWriter, FuncAnimation

from convdocs import (
    PADDING_MODES,
    conv2d,
    conv_output_size,
    conv_transpose2d,
    conv_transpose_output_size,
    effective_kernel_size,
    pad,
)
from convdocs.plot import (
    COLORS,
    animate_convolution,
    draw_convolution,
    draw_overlap,
    draw_padding,
)
from tests.strategies import kernel_fits

GRID_ROLES = ("input", "padding", "inserted")
MODES = [mode.name for mode in PADDING_MODES]

# Dumoulin & Visin's settings: (input, kernel, stride, padding, dilation) of the direct
# convolutions; the transposed ones take the direct output size as their input.
PAPER = [
    (4, 3, 1, 0, 1),  # no padding, unit strides
    (5, 4, 1, 2, 1),  # arbitrary padding
    (5, 3, 1, 1, 1),  # half ("same") padding
    (5, 3, 1, 2, 1),  # full padding
    (5, 3, 2, 0, 1),  # no padding, strides
    (5, 3, 2, 1, 1),  # padding, strides
    (6, 3, 2, 1, 1),  # padding, strides, odd
    (7, 3, 1, 0, 2),  # dilation
]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# -- Reading the axes back ----------------------------------------------------------------


def corners(collection, origin=(0, 0)) -> list[tuple[int, int]]:
    """(x, y) lower-left corners of a collection's unit squares, relative to ``origin``."""
    return [
        tuple(int(v) for v in np.rint(p.vertices.min(axis=0) - origin))
        for p in collection.get_paths()
    ]


def drawn(ax):
    """What an axes shows: grid roles, output cells, kernel taps, highlighted cell."""
    # The grid starts at x = 0; the output grid is to its right, at a fractional x.
    by_role = {c.get_gid(): corners(c) for c in ax.collections if c.get_gid() != "output"}
    grid = [xy for role in GRID_ROLES for xy in by_role.get(role, [])]
    x0, y0 = min(x for x, _ in grid), min(y for _, y in grid)
    assert x0 == 0
    width = max(x for x, _ in grid) - x0 + 1
    height = max(y for _, y in grid) - y0 + 1
    roles = np.full((height, width), "", dtype=object)
    for role in GRID_ROLES:
        for x, y in by_role.get(role, []):
            assert roles[y - y0, x - x0] == "", "two cells drawn at one place"
            roles[y - y0, x - x0] = role
    (output,) = [c for c in ax.collections if c.get_gid() == "output"]
    ox, oy = output.get_paths()[0].vertices.min(axis=0)
    outputs = corners(output, (ox, oy))
    patches = {
        gid: [p for p in ax.patches if p.get_gid() == gid]
        for gid in ("kernel", "window", "current")
    }
    taps = set()
    for patch in patches["kernel"]:
        cx, cy = patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2
        assert patch.get_width() < 1  # inside its cell: the cell's own colour shows around it
        taps.add((int(cy - y0), int(cx - x0)))
    (window,) = patches["window"]
    (current,) = patches["current"]
    return {
        "roles": roles,
        "outputs": sorted((y, x) for x, y in outputs),
        "taps": taps,
        "window": tuple(
            round(v)
            for v in (
                window.get_y() - y0,
                window.get_x() - x0,
                window.get_height(),
                window.get_width(),
            )
        ),
        "current": (round(current.get_y() - oy), round(current.get_x() - ox)),
        "n_taps": len(patches["kernel"]),
    }


def check_drawing(diagram, kernel, dilation):
    """The axes show exactly the geometry the diagram reports."""
    seen = drawn(diagram.ax)
    np.testing.assert_array_equal(seen["roles"], diagram.roles)
    oh, ow = diagram.output_shape
    assert seen["outputs"] == [(r, c) for r in range(oh) for c in range(ow)]
    assert seen["taps"] == set(diagram.taps)
    assert seen["n_taps"] == kernel[0] * kernel[1] == len(diagram.taps)
    span = effective_kernel_size(kernel, dilation)
    assert seen["window"] == (*diagram.taps[0], *span)
    assert seen["current"] == diagram.output_cell
    assert diagram.output_cell == divmod(diagram.step, ow)


# -- Strategies ---------------------------------------------------------------------------

small = st.integers(1, 6)
pair = st.tuples


def paddings(largest):
    """((top, bottom), (left, right)), each from 0 to ``largest``."""
    side = st.integers(0, largest)
    return pair(pair(side, side), pair(side, side))


@st.composite
def direct_settings(draw):
    size = draw(pair(small, small))
    kernel = draw(pair(st.integers(1, 4), st.integers(1, 4)))
    stride = draw(pair(st.integers(1, 3), st.integers(1, 3)))
    dilation = draw(pair(st.integers(1, 2), st.integers(1, 2)))
    pads = draw(paddings(2))
    assume(kernel_fits(size, kernel, dilation, pads))
    out = conv_output_size(size, kernel, stride, pads, dilation)
    step = draw(st.integers(0, out[0] * out[1] - 1))
    return size, kernel, stride, pads, dilation, step


@st.composite
def transposed_settings(draw):
    size = draw(pair(st.integers(1, 4), st.integers(1, 4)))
    kernel = draw(pair(st.integers(1, 4), st.integers(1, 4)))
    stride = draw(pair(st.integers(1, 3), st.integers(1, 3)))
    dilation = draw(pair(st.integers(1, 2), st.integers(1, 2)))
    pads = draw(paddings(3))
    extra = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    try:
        out = conv_transpose_output_size(size, kernel, stride, pads, extra, dilation)
    except ValueError:  # the padding crops the whole output
        assume(False)
    step = draw(st.integers(0, out[0] * out[1] - 1))
    return size, kernel, stride, pads, extra, dilation, step


# -- draw_convolution ---------------------------------------------------------------------


@settings(max_examples=60)
@given(direct_settings(), st.randoms(use_true_random=False))
def test_direct_diagram_matches_arithmetic_and_conv2d(setting, random):
    plt.close("all")  # the fixture closes figures per test, not per example
    size, kernel, stride, pads, dilation, step = setting
    diagram = draw_convolution(size, kernel, stride, pads, dilation, step=step)
    out = conv_output_size(size, kernel, stride, pads, dilation)
    assert diagram.output_shape == out
    assert diagram.input_shape == size
    assert diagram.grid_shape == tuple(n + b + a for n, (b, a) in zip(size, pads))
    assert diagram.padding == pads
    assert diagram.stride == stride
    assert (diagram.roles == "input").sum() == size[0] * size[1]
    assert (diagram.roles == "inserted").sum() == 0
    (top, _), (left, _) = pads
    assert (diagram.roles[top : top + size[0], left : left + size[1]] == "input").all()
    # The taps, weighted by the kernel, give conv2d's output at the highlighted cell.
    rng = np.random.default_rng(random.randrange(2**32))
    x, w = rng.normal(size=size), rng.normal(size=kernel)
    expected = conv2d(x, w, stride=stride, padding=pads, dilation=dilation)
    padded = np.pad(x, pads)
    got = sum(weight * padded[tap] for weight, tap in zip(w.ravel(), diagram.taps))
    np.testing.assert_allclose(got, expected[diagram.output_cell], atol=1e-12)
    check_drawing(diagram, kernel, dilation)


@settings(max_examples=60)
@given(transposed_settings(), st.randoms(use_true_random=False))
def test_transposed_diagram_is_the_equivalent_direct_convolution(setting, random):
    plt.close("all")  # the fixture closes figures per test, not per example
    size, kernel, stride, pads, extra, dilation, step = setting
    diagram = draw_convolution(
        size, kernel, stride, pads, dilation, transposed=True, output_padding=extra, step=step
    )
    out = conv_transpose_output_size(size, kernel, stride, pads, extra, dilation)
    assert diagram.output_shape == out
    assert diagram.transposed
    assert diagram.stride == (1, 1)
    # Dumoulin & Visin: d(k - 1) - p zeros each side, output_padding more after.
    span = effective_kernel_size(kernel, dilation)
    assert diagram.padding == tuple(
        (k - 1 - b, k - 1 - a + e) for k, (b, a), e in zip(span, pads, extra)
    )
    assert conv_output_size(diagram.grid_shape, kernel, 1, 0, dilation) == out
    # Put the input values at the input cells: cell g holds input pixel (g - before) / s.
    rng = np.random.default_rng(random.randrange(2**32))
    x, w = rng.normal(size=size), rng.normal(size=kernel)
    grid = np.zeros(diagram.grid_shape)
    inputs = 0
    for r, c in zip(*np.nonzero(diagram.roles == "input")):
        (i, di), (j, dj) = (
            divmod(g - before, s) for g, (before, _), s in zip((r, c), diagram.padding, stride)
        )
        assert di == dj == 0, "an input cell off the stride lattice"
        grid[r, c] = x[i, j]
        inputs += 1
    # Every input pixel is drawn unless the padding crops it.
    uncropped = all(before >= 0 and after >= 0 for before, after in diagram.padding)
    assert inputs == size[0] * size[1] or not uncropped
    if uncropped:
        expected_inserted = np.prod([(n - 1) * s + 1 for n, s in zip(size, stride)]) - inputs
        assert (diagram.roles == "inserted").sum() == expected_inserted
    # The kernel rotated by 180 degrees over that grid, at stride 1, is conv_transpose2d.
    expected = conv_transpose2d(
        x, w, stride=stride, padding=pads, output_padding=extra, dilation=dilation
    )
    rotated = w[::-1, ::-1]
    got = sum(weight * grid[tap] for weight, tap in zip(rotated.ravel(), diagram.taps))
    np.testing.assert_allclose(got, expected[diagram.output_cell], atol=1e-12)
    check_drawing(diagram, kernel, dilation)


@pytest.mark.parametrize(("size", "kernel", "stride", "padding", "dilation"), PAPER)
def test_paper_settings(size, kernel, stride, padding, dilation):
    out = conv_output_size(size, kernel, stride, padding, dilation)
    last = draw_convolution(size, kernel, stride, padding, dilation, step=out * out - 1)
    assert last.output_shape == (out, out)
    assert last.output_cell == (out - 1, out - 1)
    # The last window starts at (o - 1) s and may leave rows unread (the odd case).
    assert last.taps[0] == ((out - 1) * stride, (out - 1) * stride)
    assert last.taps[-1][0] <= last.grid_shape[0] - 1
    back = draw_convolution(out, kernel, stride, padding, dilation, transposed=True)
    if stride > 1 and (size + 2 * padding - effective_kernel_size(kernel, dilation)) % stride:
        assert back.output_shape != (size, size)  # needs output_padding to get back
        back = draw_convolution(
            out, kernel, stride, padding, dilation, transposed=True, output_padding=1
        )
    assert back.output_shape == (size, size)


def test_odd_case_skips_the_last_row_and_column():
    # i=6, k=3, s=2, p=1: the last window ends one cell before the padded input does.
    diagram = draw_convolution(6, 3, stride=2, padding=1, step=8)
    assert diagram.grid_shape == (8, 8)
    assert diagram.taps[-1] == (6, 6)
    rows_read = {r for r, _ in diagram.taps}
    assert max(rows_read) == 6  # row 7 (padding after the input) is never read
    # ... so the transposed convolution needs output_padding=1 to give 6 back.
    back = draw_convolution(3, 3, stride=2, padding=1, transposed=True, output_padding=1)
    assert back.output_shape == (6, 6)
    assert back.padding == ((1, 2), (1, 2))


def test_transposed_example_from_the_paper():
    # Dumoulin & Visin figure 4.5: i'=2, k=3, s=2, p=0 -> zeros inserted, padded by 2.
    diagram = draw_convolution(2, 3, stride=2, transposed=True)
    assert diagram.grid_shape == (7, 7)
    assert diagram.output_shape == (5, 5)
    expected = np.full((7, 7), "padding", dtype=object)
    expected[2:5, 2:5] = "inserted"
    expected[2:5:2, 2:5:2] = "input"
    np.testing.assert_array_equal(diagram.roles, expected)


def test_large_padding_crops_the_zero_inserted_input():
    # p = 3 > d(k - 1) = 2: the equivalent convolution starts inside the stretched input.
    diagram = draw_convolution(4, 3, stride=2, padding=3, transposed=True)
    assert diagram.padding == ((-1, -1), (-1, -1))
    assert diagram.output_shape == (conv_transpose_output_size(4, 3, 2, 3),) * 2 == (3, 3)
    assert diagram.grid_shape == (5, 5)
    assert (diagram.roles == "padding").sum() == 0


def test_rectangular_and_asymmetric_settings():
    diagram = draw_convolution((3, 6), (1, 3), stride=(1, 2), padding=((0, 1), (2, 0)), step=5)
    assert diagram.grid_shape == (4, 8)
    assert diagram.output_shape == conv_output_size((3, 6), (1, 3), (1, 2), ((0, 1), (2, 0)))
    assert diagram.output_shape == (4, 3)
    assert diagram.output_cell == (1, 2)
    assert diagram.taps == ((1, 4), (1, 5), (1, 6))
    check_drawing(diagram, (1, 3), (1, 1))


def test_draws_on_given_axes_and_colours_roles():
    _, ax = plt.subplots()
    diagram = draw_convolution(5, 3, padding=1, ax=ax)
    assert diagram.ax is ax
    faces = {c.get_gid(): matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in ax.collections}
    assert faces == {k: COLORS[k] for k in ("input", "padding", "output")}
    for c in ax.collections:
        dashes = c.get_linestyle()[0][1]
        assert (dashes is not None) == (c.get_gid() == "padding")
    kernel = [p for p in ax.patches if p.get_gid() == "kernel"]
    assert {matplotlib.colors.to_hex(p.get_facecolor()) for p in kernel} == {COLORS["kernel"]}
    assert ax.get_title() == "i=5, k=3, s=1, p=1 \N{RIGHTWARDS ARROW} o=5"


def test_repr():
    diagram = draw_convolution(4, 3, step=3)
    assert repr(diagram) == (
        "ConvolutionDiagram(input (4, 4), grid (4, 4), output (2, 2), step 3 at (1, 1))"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"step": 4},
            ValueError,
            r"step must be in range(0, 4) (one step per output position, row-major), got 4",
        ),
        ({"step": -1}, ValueError, "step must be a non-negative int, got -1"),
        ({"step": 1.0}, TypeError, "step must be a non-negative int, got 1.0 (type float)"),
        ({"transposed": 1}, TypeError, "transposed must be a bool, got 1 (type int)"),
        (
            {"output_padding": 1},
            ValueError,
            "output_padding applies to transposed convolutions only",
        ),
        (
            {"input_size": (4, 0)},
            ValueError,
            "input_size must be a positive int or a tuple of them, got (4, 0)",
        ),
        ({"kernel_size": 5}, ValueError, "kernel_size 5 with dilation 1 spans 5 pixels"),
        ({"stride": 0}, ValueError, "stride must be a positive int or a tuple of them, got 0"),
        ({"padding": -1}, ValueError, "padding must be a non-negative int"),
        ({"dilation": 2.0}, TypeError, "dilation must be a positive int or a tuple of them"),
        (
            {"transposed": True, "output_padding": 1},
            ValueError,
            "output_padding must be smaller than stride or dilation",
        ),
        ({"transposed": True, "padding": 5}, ValueError, "crops the whole output"),
    ],
)
def test_argument_errors(kwargs, error, message):
    arguments = {"input_size": 4, "kernel_size": 3, **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        draw_convolution(**arguments)
    if "step" not in kwargs:
        with pytest.raises(error, match=re.escape(message)):
            animate_convolution(**arguments)


def test_step_range_of_a_transposed_diagram():
    with pytest.raises(ValueError, match=re.escape("step must be in range(0, 25)")):
        draw_convolution(2, 3, stride=2, transposed=True, step=25)


# -- animate_convolution ------------------------------------------------------------------


class Recorder(AbstractMovieWriter):
    """A movie writer that encodes nothing and records what each frame shows."""

    def __init__(self):
        super().__init__(fps=1)
        self.frames = []

    def setup(self, fig, outfile, dpi=None):
        self.fig, self.outfile, self.dpi = fig, outfile, dpi

    def grab_frame(self, **_savefig_kwargs):
        (ax,) = self.fig.axes
        self.frames.append(drawn(ax))

    def finish(self):
        pass


@pytest.mark.parametrize(
    "kwargs",
    [
        {"input_size": 4, "kernel_size": 3},
        {"input_size": 6, "kernel_size": 3, "stride": 2, "padding": 1},
        {"input_size": 7, "kernel_size": 3, "dilation": 2},
        {"input_size": 3, "kernel_size": 3, "stride": 2, "padding": 1, "transposed": True,
         "output_padding": 1},
        {"input_size": (2, 5), "kernel_size": (1, 2), "stride": (1, 2)},
    ],
)  # fmt: skip
def test_animation_has_one_frame_per_output_position(kwargs, tmp_path):
    animation = animate_convolution(**kwargs)
    assert isinstance(animation, FuncAnimation)
    recorder = Recorder()
    animation.save(tmp_path / "unused", writer=recorder)
    first = draw_convolution(**kwargs)
    count = first.output_shape[0] * first.output_shape[1]
    assert len(recorder.frames) == count
    for step, frame in enumerate(recorder.frames):
        expected = draw_convolution(**kwargs, step=step)
        assert frame["current"] == expected.output_cell == divmod(step, first.output_shape[1])
        assert frame["taps"] == set(expected.taps)
        np.testing.assert_array_equal(frame["roles"], expected.roles)
        plt.close(expected.ax.figure)
    assert not list(tmp_path.iterdir())


def test_embedded_animation_is_small():
    # Full padding, the paper's largest direct setting: 49 frames.
    animation = animate_convolution(5, 3, padding=2)
    html = animation.to_jshtml()
    frames = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert len(frames) == conv_output_size(5, 3, padding=2) ** 2 == 49
    assert len(html) < 350_000  # about 7 kB per frame, a sixth of the 2 MB page budget
    assert animation.to_jshtml() is html  # encoded once
    # Self-contained: no stylesheet from a CDN, plain characters for the buttons.
    assert "https://" not in html
    assert "<i class=" not in html
    assert animation._fig.dpi == 72


# -- draw_padding -------------------------------------------------------------------------


@settings(max_examples=40)
@given(
    st.tuples(st.integers(1, 4), st.integers(1, 4)),
    paddings(3),
    st.sampled_from(MODES),
    st.randoms(use_true_random=False),
)
def test_draw_padding_shows_convdocs_pad(shape, widths, mode, random):
    plt.close("all")  # the fixture closes figures per test, not per example
    x = np.array([random.randrange(-20, 100) for _ in range(shape[0] * shape[1])]).reshape(shape)
    ax = draw_padding(x, widths, mode)
    expected = pad(x, widths, mode=mode)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in expected.ravel()]
    by_role = {c.get_gid(): sorted(corners(c)) for c in ax.collections}
    (top, _), (left, _) = widths
    inside = [(left + j, top + i) for i in range(shape[0]) for j in range(shape[1])]
    assert by_role["input"] == sorted(inside)
    assert len(by_role.get("padding", [])) == expected.size - x.size
    (frame,) = ax.patches
    assert (frame.get_x(), frame.get_y(), frame.get_width(), frame.get_height()) == (
        left,
        top,
        shape[1],
        shape[0],
    )
    assert ax.get_title() == f'mode="{mode}"'


def test_draw_padding_accepts_aliases_floats_and_blank_padding():
    ax = draw_padding([[0.5, 1.25]], (0, 1), "edge")  # one row below, one column right
    assert [t.get_text() for t in ax.texts] == ["0.5", "1.25", "1.25"] * 2
    assert ax.get_title() == 'mode="replicate"'
    ax = draw_padding(np.arange(4).reshape(2, 2), 2, None)
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2", "3"]
    padding = next(c for c in ax.collections if c.get_gid() == "padding")
    assert matplotlib.colors.to_hex(padding.get_facecolor()[0]) == "#ffffff"
    assert ax.get_title() == "input"


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            (np.arange(3), 1, "zeros"),
            ValueError,
            "x must be a two-dimensional array (H, W) to draw, got shape (3,)",
        ),
        ((np.ones((2, 2)), -1, "zeros"), ValueError, "pad must be a non-negative int"),
        ((np.ones((2, 2)), 1, "BORDER_REFLECT"), ValueError, "use mode='symmetric'"),
        ((np.ones((2, 2)), 1, 4), TypeError, "mode must be a str"),
    ],
)
def test_draw_padding_errors(args, error, message):
    with pytest.raises(error, match=re.escape(message)):
        draw_padding(*args)


# -- draw_overlap -------------------------------------------------------------------------


def brute_force_overlap(kernel, stride, size):
    (kh, kw), (sh, sw), (h, w) = kernel, stride, size
    counts = np.zeros(((h - 1) * sh + kh, (w - 1) * sw + kw), dtype=int)
    for y in range(h):
        for x in range(w):
            for u in range(kh):
                for v in range(kw):
                    counts[y * sh + u, x * sw + v] += 1
    return counts


@settings(max_examples=40)
@given(
    st.tuples(st.integers(1, 5), st.integers(1, 5)),
    st.tuples(st.integers(1, 4), st.integers(1, 4)),
    st.tuples(st.integers(1, 4), st.integers(1, 4)),
)
def test_draw_overlap_counts_kernel_placements(kernel, stride, size):
    plt.close("all")  # the fixture closes figures per test, not per example
    ax = draw_overlap(kernel, stride, size)
    expected = brute_force_overlap(kernel, stride, size)
    counts = ax.images[0].get_array()
    assert counts.shape == conv_transpose_output_size(size, kernel, stride)
    np.testing.assert_array_equal(counts, expected)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in expected.ravel()]
    uneven = kernel[0] % stride[0] or kernel[1] % stride[1]
    assert ax.get_title().endswith("uneven overlap" if uneven else " even overlap")


def test_draw_overlap_one_dimensional_checkerboard():
    ax = draw_overlap(3, 2, 5)
    assert ax.images[0].get_array().tolist() == [[1, 1, 2, 1, 2, 1, 2, 1, 2, 1, 1]]
    assert ax.get_title() == "kernel 3, stride 2: uneven overlap"
    # In two dimensions the counts multiply: 1, 2 and 4 in a checkerboard.
    ax = draw_overlap(3, 2, (5, 5))
    assert set(np.unique(ax.images[0].get_array())) == {1, 2, 4}
    # Dark cells get white numbers.
    colors = {t.get_text(): t.get_color() for t in ax.texts}
    assert colors["4"] == "white"
    assert colors["1"] == "black"


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((3, 0, 4), ValueError, "stride must be a positive int, got 0"),
        ((3, 2, 0), ValueError, "size must be a positive int, got 0"),
        ((3.0, 2, 4), TypeError, "kernel_size must be a positive int, got 3.0 (type float)"),
        (((3, 3), 2, (4, 4, 4)), ValueError, "size must be a positive int or a tuple of them"),
    ],
)
def test_draw_overlap_errors(args, error, message):
    with pytest.raises(error, match=re.escape(message)):
        draw_overlap(*args)


def test_embedded_animation_has_text_alternatives():
    # Every frame is shown in one <img>: its alt says what the frames show, with the
    # layer's numbers; the frame slider has a label for screen readers.
    animation = animate_convolution(5, 3, stride=2, padding=1, transposed=True)
    html = animation.to_jshtml()
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 1
    alt = re.search(r'alt="([^"]*)"', images[0]).group(1)
    assert alt.startswith("Animated transposed convolution (transposed: i=5, k=3, s=2, p=1")
    assert "one frame per output cell" in alt
    assert re.search(r'<input id="_anim_slider\w*" type="range" aria-label="Frame"', html)
    plt.close("all")
