"""
Max and average pooling
=======================

A pooling layer slides a window over its input like a convolution, with the
same output-size rule, but takes the maximum or the mean of each window instead
of a weighted sum. This example pools a small grid with 2x2 and 3x3 windows at
stride 2 and prints every value, then draws the extra, partial window that
``ceil_mode`` adds, and shows how ``count_include_pad`` changes the means at
the border. Every result is computed by :func:`convdocs.max_pool2d` and
:func:`convdocs.avg_pool2d` and checked against PyTorch.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle

from convdocs import avg_pool2d, conv_output_size, max_pool2d
from convdocs.plot import COLORS


def draw_cells(ax, values, color, fmt="{:.0f}", origin=(0, 0)):
    """Draw ``values`` as a grid of coloured cells with the value in each."""
    top, left = origin
    for (row, col), value in np.ndenumerate(values):
        cell = color if isinstance(color, str) else color[row][col]
        xy = (left + col - 0.5, top + row - 0.5)
        ax.add_patch(Rectangle(xy, 1, 1, facecolor=cell, edgecolor="white"))
        ax.text(
            left + col,
            top + row,
            fmt.format(value),
            ha="center",
            va="center",
        )


def outline(ax, row, col, height, width, inset=0.0, **style):
    """Outline the window whose top-left cell is ``(row, col)``."""
    style = {
        "fill": False,
        "edgecolor": COLORS["kernel"],
        "linewidth": 2.5,
        **style,
    }
    xy = (col - 0.5 + inset, row - 0.5 + inset)
    size = (width - 2 * inset, height - 2 * inset)
    ax.add_patch(Rectangle(xy, *size, **style))


def frame(ax, rows, cols, title, margin=0.0):
    """Square cells, row 0 at the top, no axis lines."""
    ax.set_xlim(-0.5 - margin, cols - 0.5 + margin)
    ax.set_ylim(rows - 0.5 + margin, -0.5 - margin)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize="medium")
    ax.axis("off")


def torch_pool(function, x, **params):
    """PyTorch's answer for a 2-D numpy array."""
    return function(torch.from_numpy(x)[None], **params)[0].numpy()


# %%
# Four poolings of one grid
# -------------------------
# A 6x6 grid holding the numbers 0 to 35 in random order. With 2x2 windows at
# stride 2 the windows tile the grid: 3x3 outputs, each the maximum or the mean
# of four values. With 3x3 windows at stride 2 neighbouring windows share a row
# or a column, and only :math:`\lfloor (6 - 3) / 2 \rfloor + 1 = 2` fit: the
# last row and column are never read. The outlined windows give the top-left
# outputs.

x = np.random.default_rng(3).permutation(36).reshape(6, 6).astype(float)
results = {}
for k in (2, 3):
    results["max", k] = max_pool2d(x, k, stride=2)
    results["avg", k] = avg_pool2d(x, k, stride=2)
    np.testing.assert_array_equal(
        results["max", k], torch_pool(F.max_pool2d, x, kernel_size=k, stride=2)
    )
    np.testing.assert_allclose(
        results["avg", k], torch_pool(F.avg_pool2d, x, kernel_size=k, stride=2)
    )
    assert results["max", k].shape == conv_output_size((6, 6), k, stride=2)
print(x.astype(int))
for (kind, k), out in results.items():
    print(f"{kind} pool, {k}x{k} stride 2:\n{np.round(out, 2)}")

# %%

fig, axes = plt.subplot_mosaic(
    [["input", "max2", "avg2"], ["input", "max3", "avg3"]],
    figsize=(6.4, 4.6),
    layout="constrained",
    width_ratios=[5, 3.6, 3.6],  # output cells wide enough for "17.25"
)
draw_cells(axes["input"], x, COLORS["input"])
outline(axes["input"], 0, 0, 2, 2)
outline(axes["input"], 0, 0, 3, 3, inset=0.08, linestyle="--")
frame(axes["input"], 6, 6, "input 6x6\n2x2 window solid,\n3x3 dashed")
for (kind, k), out in results.items():
    ax = axes[f"{kind}{k}"]
    draw_cells(
        ax, out, COLORS["output"], "{:.0f}" if kind == "max" else "{:.2f}"
    )
    outline(ax, 0, 0, 1, 1, linestyle="-" if k == 2 else "--")
    name = "max_pool2d" if kind == "max" else "avg_pool2d"
    frame(ax, 3, 3, f"{kind}, window {k}")
fig.suptitle(
    "Pooling a 6x6 grid at stride 2:\nmaximum (max_pool2d) and mean (avg_pool2d)"
)
plt.show()

# %%
# The extra window of ``ceil_mode``
# ---------------------------------
# With ``ceil_mode=True`` the division in the output-size rule is rounded up:
# :math:`\lceil (6 - 3) / 2 \rceil + 1 = 3` windows per dimension. The third
# window starts at pixel 4 and overhangs the input by one pixel; the overhang
# is not padding with a value, it is simply left out of the window (of the
# maximum, and of the divisor of the mean). PyTorch drops a last window only
# when it would start in the padding after the input.

floor_out = max_pool2d(x, 3, stride=2)
ceil_out = max_pool2d(x, 3, stride=2, ceil_mode=True)
np.testing.assert_array_equal(
    ceil_out,
    torch_pool(F.max_pool2d, x, kernel_size=3, stride=2, ceil_mode=True),
)
ceil_avg = avg_pool2d(x, 3, stride=2, ceil_mode=True)
np.testing.assert_allclose(
    ceil_avg,
    torch_pool(F.avg_pool2d, x, kernel_size=3, stride=2, ceil_mode=True),
)
# The last column of the means divides by the 3x2 pixels inside the input.
np.testing.assert_allclose(ceil_avg[0, 2], x[0:3, 4:6].mean())
print(f"ceil_mode=False: {floor_out.shape}, ceil_mode=True: {ceil_out.shape}")

# %%

fig, axes = plt.subplots(
    1, 3, figsize=(6.4, 4.4), layout="constrained", width_ratios=[7, 3, 3]
)
ax = axes[0]
draw_cells(ax, x, COLORS["input"])
for row in range(6):  # the column the third windows overhang into
    ax.add_patch(
        Rectangle(
            (5.5, row - 0.5), 1, 1, fill=False, hatch="//", edgecolor="0.6"
        )
    )
outline(ax, 0, 4, 3, 2, inset=0.06, linestyle="--")
for i, start in enumerate((0, 2, 4)):  # the windows along the first rows
    y = -1.0 - 0.9 * (2 - i)
    last = start == 4
    ax.plot(
        [start - 0.45, start + 1.45 if last else start + 2.45],
        [y, y],
        color=COLORS["kernel"],
        linewidth=3,
        solid_capstyle="butt",
    )
    if last:  # the overhang: part of the window's extent, not of the window
        ax.plot(
            [start + 1.55, start + 2.45], [y, y], ":", color="0.5", linewidth=3
        )
    label = "ceil_mode only" if last else f"window {i + 1}"
    ax.text(start - 0.5, y - 0.15, label, va="bottom")
frame(
    ax,
    6,
    7,
    "input 6x6, 3x3 windows\nat stride 2 (columns);\n"
    "hatched: overhang, left\nout of the last window",
    margin=0.1,
)
ax.set_ylim(5.6, -3.7)  # the last row and the dashed outline stay inside
for ax, out, mode in zip(axes[1:], (floor_out, ceil_out), (False, True)):
    draw_cells(ax, out, COLORS["output"])
    if mode:
        outline(ax, 0, 2, 3, 1, inset=0.05, linestyle="--")
        outline(ax, 2, 0, 1, 3, inset=0.05, linestyle="--")
    rows, cols = out.shape  # both drawn on a 3x3 frame: equal cell sizes
    frame(
        ax, 3, 3, f"max_pool2d\nceil_mode=\n{mode}: {rows}x{cols}", margin=0.1
    )
fig.suptitle("ceil_mode keeps a last, partial window (dashed)")
plt.show()

# %%
# ``count_include_pad`` and the border
# ------------------------------------
# Padding adds zeros around the input, and with ``count_include_pad=True`` (the
# default) a window that covers them divides by all its pixels, padded ones
# included: on a flat region of 9s the corner window averages four 9s and five
# zeros, giving 4, and an edge window gives 6. With ``count_include_pad=False``
# the mean is over the input pixels only, and a flat input stays flat. Max
# pooling needs no such choice: its padding is :math:`-\infty` and never the
# maximum.

flat = np.full((5, 5), 9.0)
means = {
    flag: avg_pool2d(flat, 3, stride=2, padding=1, count_include_pad=flag)
    for flag in (True, False)
}
for flag, out in means.items():
    expected = torch_pool(
        F.avg_pool2d,
        flat,
        kernel_size=3,
        stride=2,
        padding=1,
        count_include_pad=flag,
    )
    np.testing.assert_allclose(out, expected)
    print(f"count_include_pad={flag}:\n{out}")
assert (max_pool2d(flat, 3, stride=2, padding=1) == 9).all()

# %%

fig, axes = plt.subplots(
    1, 3, figsize=(6.4, 4), layout="constrained", width_ratios=[5, 3.7, 3.7]
)
padded = np.pad(flat, 1)
roles = np.where(padded > 0, COLORS["input"], COLORS["padding"])
draw_cells(axes[0], padded, roles, origin=(-1, -1))
outline(axes[0], -1, -1, 3, 3)
outline(axes[0], -1, 1, 3, 3, inset=0.08, linestyle="--")
frame(
    axes[0],
    6,
    6,
    "input 5x5 of 9s,\npadding 1 (grey);\n"
    "corner window solid,\nedge window dashed",
    margin=1,
)
for ax, (flag, out) in zip(axes[1:], means.items()):
    draw_cells(ax, out, COLORS["output"], "{:g}")
    outline(ax, 0, 0, 1, 1)
    outline(ax, 0, 1, 1, 1, inset=0.05, linestyle="--")
    frame(ax, 3, 3, f"count_include_pad\n={flag}")
fig.suptitle("avg_pool2d of a flat image,\n3x3 windows at stride 2, padding 1")
plt.show()

# %%
# The divisor with ``ceil_mode`` and padding together
# ---------------------------------------------------
# When both are on, a last window can cover input pixels, padding and overhang
# at once. PyTorch counts the padding (with ``count_include_pad=True``) but
# never the overhang. On a 6x6 input of ones with 3x3 windows, stride 2 and
# padding 1, the last window along each dimension starts at input pixel 5: it
# covers one input pixel, one padded pixel and one pixel of overhang, so it
# divides by 2 and the mean is 1/2, not 1/3.

ones = np.ones((6, 6))
params = {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}
out = avg_pool2d(ones, **params)
np.testing.assert_allclose(out, torch_pool(F.avg_pool2d, ones, **params))
print(np.round(out, 3))
assert out[1, 3] == 0.5

# %%
# In the guide: :doc:`/guide/arithmetic`.
#
# .. admonition:: References
#
#    :func:`convdocs.max_pool2d`, :func:`convdocs.avg_pool2d`,
#    :func:`convdocs.conv_output_size`; PyTorch's ``torch.nn.MaxPool2d`` and
#    ``torch.nn.AvgPool2d``.
