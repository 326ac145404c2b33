"""The window, matrix and receptive-field diagrams draw what PyTorch computes.

Each diagram is read back (its collections, image data and labels) and compared with
an independent answer: PyTorch's output sizes and autograd's dependencies.
"""

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from convdocs import empirical_receptive_field, parse_layers, receptive_field
from convdocs.plot import COLORS, draw_conv_matrix, draw_field, draw_windows
from tests.strategies import kernel_fits


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _read_by_windows(n, k, s, before, after, d, ceil_mode):
    """PyTorch's window count, and which input pixels its windows read: pixel ``j`` is
    read when max pooling over an input that is -inf except at ``j`` finds it."""

    def pool(x):
        if ceil_mode:  # PyTorch's own padding: its rule for the last window applies
            return F.max_pool1d(x, k, s, padding=before, dilation=d, ceil_mode=True)
        return F.max_pool1d(F.pad(x, (before, after), value=-np.inf), k, s, dilation=d)

    inputs = torch.full((n, 1, n), -np.inf)
    inputs[range(n), 0, range(n)] = 0.0  # one probe per pixel, as a batch
    out = pool(inputs)
    return out.shape[-1], (out == 0).any(-1).flatten().numpy()


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 16),
    k=st.integers(1, 5),
    s=st.integers(1, 4),
    d=st.integers(1, 3),
    before=st.integers(0, 2),
    after=st.integers(0, 2),
    ceil_mode=st.booleans(),
)
def test_windows_are_pytorchs(n, k, s, d, before, after, ceil_mode):
    assume(kernel_fits(n, k, d, (before, after)))
    if ceil_mode:  # PyTorch's pooling pads both sides alike, by at most half the kernel
        after = before
        assume(2 * before <= k)
    windows, read = _read_by_windows(n, k, s, before, after, d, ceil_mode)
    ax = draw_windows(n, k, s, (before, after), d, ceil_mode=ceil_mode)
    plt.close(ax.figure)  # hypothesis runs many examples in one test
    drawn = [c for c in ax.collections if c.get_gid() == "window"]
    assert len(drawn) == windows
    unread = int((~read).sum())
    title = " ".join(ax.get_title().split())  # the title wraps to the column
    assert title.endswith(f"{unread} pixel{'s' * (unread > 1)} never read") == (unread > 0)


def test_ceil_mode_window_past_the_end_is_dashed_and_white():
    ax = draw_windows(6, 3, stride=2, ceil_mode=True)
    last = [c for c in ax.collections if c.get_gid() == "window"][-1]
    faces = last.get_facecolors()
    assert matplotlib.colors.to_hex(faces[-1]) == "#ffffff"  # tap 6: past the input
    assert matplotlib.colors.to_hex(faces[0]) == COLORS["kernel"]
    assert ax.patches[-1].get_linestyle() == "--"


@settings(max_examples=40, deadline=None)
@given(
    size=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.integers(1, 3),
    padding=st.integers(0, 1),
    dilation=st.integers(1, 2),
    transpose=st.booleans(),
)
def test_conv_matrix_pattern_is_autograds(size, kernel, stride, padding, dilation, transpose):
    assume(kernel_fits(size, kernel, dilation, 2 * padding))
    params = {"stride": stride, "padding": padding, "dilation": dilation}
    weight = torch.ones(1, 1, *kernel, dtype=torch.float64)
    x = torch.zeros(1, 1, *size, dtype=torch.float64)
    jacobian = torch.autograd.functional.jacobian(lambda t: F.conv2d(t, weight, **params), x)
    pattern = jacobian.reshape(-1, size[0] * size[1]).numpy() != 0
    ax = draw_conv_matrix(size, kernel, transpose=transpose, **params)
    plt.close(ax.figure)
    drawn = ax.images[0].get_array()
    np.testing.assert_array_equal(drawn, pattern.T if transpose else pattern)
    assert len(ax.texts) == pattern.sum()  # one weight label per non-zero entry


def test_conv_matrix_labels_each_row_with_the_kernel():
    ax = draw_conv_matrix((4, 4), 3)
    first_row = [t.get_text() for t in ax.texts if t.get_position()[1] == 0.5]
    assert first_row == [f"{a}{b}" for a in range(3) for b in range(3)]


LAYERS = ["conv3p1,conv3s2p1,conv3p1,conv3s2p1", "conv3,pool2s2,conv3d2", "conv5s2p2,conv3s3"]


@pytest.mark.parametrize("layers", LAYERS)
def test_field_rows_follow_the_recurrence_and_autograd(layers):
    specs = parse_layers(layers)
    n = 30
    rf = receptive_field(specs, n)
    last = rf.layers[-1].output_size[0]
    for unit in range(last):
        ax = draw_field(specs, n, unit)
        plt.close(ax.figure)
        counts = [int(t.get_text().split()[0]) for t in ax.texts if t.get_position()[0] > 1]
        counts = counts[::-1]  # drawn from the input up; the recurrence runs downwards
        assert counts[0] == 1
        for spec, above, below in zip(reversed(specs), counts, counts[1:]):
            span = spec.dilation * (spec.kernel_size - 1) + 1
            assert below == spec.stride * above + span - spec.stride
        assert counts[-1] == rf.size
        inputs = next(c for c in ax.collections if c.get_gid() == "kernel")  # the input row
        measured = empirical_receptive_field(specs, n, unit)
        start, stop = measured.interval
        assert len(inputs.get_paths()) == stop - start


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: draw_windows(200, 3), ValueError, "input_size is too large to draw"),
        (lambda: draw_windows(5, 3, ceil_mode=1), TypeError, "ceil_mode"),
        (lambda: draw_windows(2, 5), ValueError, "kernel"),
        (lambda: draw_conv_matrix(40, 3), ValueError, "input_size is too large to draw"),
        (lambda: draw_conv_matrix(4, 3, transpose="yes"), TypeError, "transpose"),
        (lambda: draw_field("conv3", 100), ValueError, "input_size is too large to draw"),
        (lambda: draw_field("conv3", 10, unit=8), ValueError, "unit 8 is outside the output"),
        (lambda: draw_field("conv3", 10, unit=-1), ValueError, "unit"),
        (lambda: draw_field("conv3x", 10), ValueError, "conv3x"),
    ],
)
def test_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
