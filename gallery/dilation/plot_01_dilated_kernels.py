"""
Dilated kernels: footprint, effective size and what they see
============================================================

A dilated (atrous) convolution spreads the :math:`k` taps of its kernel
:math:`d` pixels apart, so it spans :math:`\\hat{k} = d(k - 1) + 1` pixels with the
same :math:`k^2` weights. This example draws the footprint of a 3x3 kernel at rates
1, 2 and 3, tabulates the effective sizes, and applies a dilated edge kernel to a
photograph, where larger rates respond to coarser structure. Every result is
checked against PyTorch.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from convdocs import conv2d, conv_output_size, effective_kernel_size
from convdocs.data import photograph
from convdocs.plot import draw_convolution

# %%
# The footprint of a 3x3 kernel at rates 1, 2, 3
# ----------------------------------------------
# :func:`convdocs.plot.draw_convolution` draws the first window: orange cells are the
# taps (the only pixels the kernel reads), and the cells between them are skipped.
# The span grows from 3 to 5 to 7 pixels while the number of weights stays 9, and
# the output shrinks from 5x5 to 3x3 to 1x1.

fig, axes = plt.subplots(2, 2, figsize=(6.4, 6.4), layout="constrained")
for ax, d in zip(axes.flat, (1, 2, 3)):
    diagram = draw_convolution(7, 3, dilation=d, step=0, ax=ax)
    assert diagram.output_shape[0] == conv_output_size(7, 3, dilation=d)
axes[1, 1].set_axis_off()
fig.suptitle(
    "A 3x3 kernel at dilations 1, 2, 3 on a 7x7 input\n(orange: the taps it reads)"
)
plt.show()

# %%
# Effective kernel size and output size
# -------------------------------------
# A dilated layer is sized exactly like a dense layer with kernel :math:`\\hat{k}`.
# On a 32-pixel input without padding:

print("k  d  span  output (i=32)  PyTorch")
for k, d in [(3, 1), (3, 2), (3, 4), (3, 8), (5, 2)]:
    span = effective_kernel_size(k, dilation=d)
    out = conv_output_size(32, k, dilation=d)
    layer = torch.nn.Conv2d(1, 1, k, dilation=d)
    torch_out = layer(torch.zeros(1, 1, 32, 32)).shape[-1]
    assert out == torch_out == 32 - span + 1
    print(f"{k}  {d}  {span:4}  {out:13}  {torch_out:7}")

# %%
# On a photograph
# ---------------
# A horizontal-edge kernel (Sobel, top row minus bottom row) at rates 1, 4 and 16.
# With padding :math:`d` (half the span) the output keeps the input's size. Small
# rates answer to fine detail (hair, fabric); large rates compare pixels far apart
# and answer to the large shapes. The rate-16 kernel reads only 9 pixels, spread
# over 33x33.

photo = photograph(downsample=2)
sobel_y = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])
fig, axes = plt.subplots(2, 2, figsize=(6.4, 7), layout="constrained")
axes = axes.ravel()
axes[0].imshow(photo, cmap="gray")
axes[0].set_title(f"input {photo.shape[0]}x{photo.shape[1]}")
for ax, d in zip(axes[1:], (1, 4, 16)):
    edges = conv2d(photo, sobel_y, padding=d, dilation=d)
    expected = F.conv2d(
        torch.from_numpy(photo)[None, None],
        torch.from_numpy(sobel_y)[None, None],
        padding=d,
        dilation=d,
    )
    np.testing.assert_allclose(edges, expected[0, 0].numpy(), atol=1e-12)
    limit = np.abs(edges).max()
    ax.imshow(edges, cmap="RdBu_r", vmin=-limit, vmax=limit)
    span = effective_kernel_size(3, d)
    ax.set_title(f"dilation {d} (spans {span}x{span})")
for ax in axes[2:]:
    ax.set_xlabel("column")
for ax in axes[::2]:
    ax.set_ylabel("row")
fig.suptitle("Horizontal edges at three dilation rates,\nsame 9 weights")
plt.show()

# %%
# In the guide: :doc:`/guide/dilation`.
#
# .. admonition:: References
#
#    :func:`convdocs.effective_kernel_size`, :func:`convdocs.conv2d`,
#    :func:`convdocs.conv_output_size`; Dumoulin & Visin, relationship 15.
