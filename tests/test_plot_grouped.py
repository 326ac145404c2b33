"""convdocs.plot.draw_group_connectivity: the lines drawn against PyTorch's dependencies."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.text import Text
from torch import nn

from convdocs.plot import COLORS, STYLE, draw_group_connectivity


def drawn_pairs(ax, in_channels, out_channels):
    """reads[o, c] from the segments: (1, y_out) -> (0, y_in), y = (index + 0.5) * top / n."""
    top = max(in_channels, out_channels)
    lines = next(c for c in ax.collections if c.get_gid() == "weights")
    reads = np.zeros((out_channels, in_channels), dtype=int)
    for (x_out, y_out), (x_in, y_in) in lines.get_segments():
        assert (x_out, x_in) == (1, 0)
        o = round(y_out * out_channels / top - 0.5)
        c = round(y_in * in_channels / top - 0.5)
        reads[o, c] += 1
    return reads


def pytorch_pairs(in_channels, out_channels, groups):
    """reads[o, c]: does output channel o of a grouped 1x1 convolution depend on input c?"""
    layer = nn.Conv2d(in_channels, out_channels, 1, groups=groups, bias=False)
    x = torch.zeros(1, in_channels, 1, 1, requires_grad=True)
    rows = []
    for o in range(out_channels):
        (grad,) = torch.autograd.grad(layer(x)[0, o].sum(), x)
        rows.append((grad[0, :, 0, 0] != 0).numpy())
    with torch.no_grad():  # a weight that is exactly zero would hide a dependency
        assert (layer.weight != 0).all()
    return np.stack(rows).astype(int)


@settings(max_examples=30, deadline=None)
@given(
    per_in=st.integers(1, 4),
    per_out=st.integers(1, 4),
    groups=st.integers(1, 6),
)
def test_lines_are_the_dependencies_pytorch_has(per_in, per_out, groups):
    in_channels, out_channels = per_in * groups, per_out * groups
    ax = draw_group_connectivity(in_channels, out_channels, groups)
    try:
        drawn = drawn_pairs(ax, in_channels, out_channels)
        np.testing.assert_array_equal(drawn, pytorch_pairs(in_channels, out_channels, groups))
        dots = {c.get_gid(): len(c.get_offsets()) for c in ax.collections}
        assert (dots["input"], dots["output"]) == (in_channels, out_channels)
        assert ax.get_title().startswith(f"groups = {groups}:\n{per_in} input")
        assert ax.get_ylabel().startswith("channels (")
    finally:
        plt.close(ax.figure)


def test_colours_and_given_axes():
    fig, ax = plt.subplots()
    assert draw_group_connectivity(4, 4, 4, ax=ax) is ax
    by_gid = {c.get_gid(): c for c in ax.collections}
    assert matplotlib.colors.same_color(by_gid["input"].get_facecolor()[0], COLORS["input"])
    assert matplotlib.colors.same_color(by_gid["output"].get_facecolor()[0], COLORS["output"])
    assert len(ax.patches) == 2  # shaded bands behind groups 1 and 3
    plt.close(fig)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((6, 8, 4), ValueError, r"in_channels must be divisible by groups"),
        ((8, 8, 0), ValueError, r"groups must be a positive int"),
        ((8, 8, 2.0), TypeError, r"groups must be a positive int"),
        ((128, 8, 1), ValueError, r"in_channels must be at most 64 to draw legibly, got 128"),
        ((8, 10**9, 1), ValueError, r"out_channels must be at most 64"),
    ],
)
def test_bad_input_raises_a_clear_error(args, error, message):
    with pytest.raises(error, match=message):
        draw_group_connectivity(*args)
    assert not plt.get_fignums()  # refused before creating a figure


def test_text_is_at_least_the_site_style_size():
    with plt.rc_context(STYLE):
        ax = draw_group_connectivity(8, 4, groups=2)
        ax.figure.canvas.draw()
    try:
        texts = [t for t in ax.figure.findobj(Text) if t.get_visible() and t.get_text()]
        assert texts
        assert min(t.get_fontsize() for t in texts) >= STYLE["font.size"]
    finally:
        plt.close(ax.figure)
