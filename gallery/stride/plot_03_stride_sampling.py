"""
Where a strided kernel looks
============================

Stride is how far the kernel moves between two outputs. This example runs a 3x3
vertical-edge kernel at strides 1, 2 and 3 over a small image, marks on the input
the windows each stride samples, prints the outputs, and then applies the same
kernel to a photograph, where stride 2 and 4 keep every second or fourth response.
The convolution is :func:`convdocs.conv2d`, checked against PyTorch.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle

from convdocs import conv2d, conv_output_size
from convdocs.data import photograph, step_edge
from convdocs.plot import COLORS, draw_convolution

# %%
# A small image with a vertical edge
# ----------------------------------
# A 7x7 image, dark on the left and bright on the right, and the kernel that responds
# to vertical edges. Deep-learning "convolution" is a cross-correlation: the kernel is
# not flipped, so this one computes *left column minus right column* and the edge
# from dark to bright gives negative values.

image = step_edge(7, edge=4)
kernel = np.array([[1.0, 0.0, -1.0]] * 3)

outputs = {s: conv2d(image, kernel, stride=s) for s in (1, 2, 3)}
for stride, out in outputs.items():
    expected = F.conv2d(
        torch.from_numpy(image)[None, None],
        torch.from_numpy(kernel)[None, None],
        stride=stride,
    )
    np.testing.assert_allclose(out, expected[0, 0].numpy())
    assert out.shape[0] == conv_output_size(7, 3, stride=stride)
    print(f"stride {stride}: output {out.shape}\n{out}")

# %%
# The windows each stride samples
# -------------------------------
# The dots are the centres of the windows each stride samples; the first and the last
# window are outlined. With stride 3 the windows start at rows and columns 0 and 3:
# :math:`\lfloor (7 - 3) / 3 \rfloor + 1 = 2` windows fit, and the last row and
# column (hatched) are never read.

fig, axes = plt.subplots(
    2,
    3,
    figsize=(6.4, 6.4),
    layout="constrained",
    gridspec_kw={"height_ratios": [7, 5]},
)
for col, (stride, out) in enumerate(outputs.items()):
    ax = axes[0, col]
    ax.imshow(image, cmap="gray", vmin=-0.6, vmax=1.4)
    n = out.shape[0]
    centres = np.arange(n) * stride + 1
    ax.plot(*np.meshgrid(centres, centres), "o", color=COLORS["kernel"])
    for start in (0, (n - 1) * stride):
        ax.add_patch(
            Rectangle(
                (start - 0.5, start - 0.5),
                3,
                3,
                fill=False,
                edgecolor=COLORS["kernel"],
                linewidth=2.5,
            )
        )
    read = (n - 1) * stride + 3  # rows and columns 0 .. read - 1 are read
    if read < 7:
        for xy, w, h in [
            ((read - 0.5, -0.5), 7 - read, 7),
            ((-0.5, read - 0.5), read, 7 - read),
        ]:
            ax.add_patch(
                Rectangle(
                    xy,
                    w,
                    h,
                    fill=False,
                    hatch="//",
                    edgecolor="0.5",
                    linewidth=0,
                )
            )
    ax.set_title(f"stride {stride}:\n{n}x{n} windows")
    ax.set_xlabel("column")
    ax = axes[1, col]
    ax.imshow(out, cmap="Greens_r", vmin=-4, vmax=1)
    for (r, c), value in np.ndenumerate(out):
        ax.text(c, r, f"{value:g}", ha="center", va="center")
    ax.set_title(f"output\n{out.shape[0]}x{out.shape[1]}")
    ax.set_xlim(-0.5, 4.5)
    ax.set_ylim(4.5, -0.5)
    ax.set_xlabel("column")
axes[0, 0].set_ylabel("input row")
axes[1, 0].set_ylabel("output row")
fig.suptitle("A 3x3 vertical-edge kernel on a 7x7 image\nat strides 1, 2, 3")
plt.show()

# %%
# The same windows as a convolution diagram
# -----------------------------------------
# :func:`convdocs.plot.draw_convolution` draws one step of the same layers: the
# window of the last output at stride 2 and at stride 3 (where the last row and
# column of the input are never read).

fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.6), layout="constrained")
for ax, stride in zip(axes, (2, 3)):
    n = conv_output_size(7, 3, stride=stride)
    draw_convolution(7, 3, stride=stride, step=n * n - 1, ax=ax)
fig.suptitle("The last window at strides 2 and 3\non a 7x7 input")
plt.show()

# %%
# On a photograph
# ---------------
# The same kernel (in Sobel's smoothed form) on a photograph that ships with
# matplotlib. A stride of :math:`s` keeps one response in :math:`s` along each
# axis: the edges are still found, on a coarser grid.

photo = photograph(downsample=2)  # grayscale, 300x256
sobel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])

fig, axes = plt.subplots(2, 2, figsize=(6.4, 7.4), layout="constrained")
axes = axes.ravel()
axes[0].imshow(photo, cmap="gray")
axes[0].set_title(f"input {photo.shape[0]}x{photo.shape[1]}")
for ax, stride in zip(axes[1:], (1, 2, 4)):
    edges = conv2d(photo, sobel, stride=stride, padding=1)
    limit = np.abs(edges).max()
    ax.imshow(edges, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"stride {stride}: {edges.shape[0]}x{edges.shape[1]}")
for ax in axes[2:]:
    ax.set_xlabel("column")
for ax in axes[::2]:
    ax.set_ylabel("row")
fig.suptitle("Vertical edges (left minus right)\nat strides 1, 2 and 4")
plt.show()

# %%
# In the guide: :doc:`/guide/arithmetic`.
#
# .. admonition:: References
#
#    :func:`convdocs.conv2d`, :func:`convdocs.conv_output_size`.
