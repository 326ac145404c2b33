"""
Checkerboard artifacts and resize-convolution
=============================================

A transposed convolution paints one copy of its kernel per input pixel, ``stride``
pixels apart. When the kernel size is not a multiple of the stride, neighbouring
output pixels receive different numbers of copies, and in 2-D the row and column
counts multiply into a checkerboard (Odena, Dumoulin & Olah, 2016). This example
draws the coverage for kernels 3 and 4 at stride 2, shows the pattern in the output
of a transposed convolution of a constant image, and the remedy the article
proposes: resize, then convolve at stride 1.
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from convdocs import conv2d, conv_transpose2d
from convdocs.plot import draw_overlap

# %%
# How many kernel copies cover each pixel
# ---------------------------------------
# With kernel 3 and stride 2, interior pixels alternate between 1, 2 and 4 copies;
# with kernel 4 every interior pixel gets exactly 4. Only the borders differ.

fig, axes = plt.subplots(1, 2, figsize=(6.4, 4), layout="constrained")
for ax, k in zip(axes, (3, 4)):
    draw_overlap(k, 2, (4, 4), ax=ax)
    ax.set_title(f"kernel {k}, stride 2")
fig.suptitle(
    "Kernel copies per output pixel of a\ntransposed convolution (4x4 input)"
)
plt.show()

interiors = {}
for k in (3, 4):
    counts = conv_transpose2d(np.ones((4, 4)), np.ones((k, k)), stride=2)
    interiors[k] = sorted(set(counts[k:-k, k:-k].ravel().tolist()))
    print(f"kernel {k}: interior counts {interiors[k]}")
assert interiors == {3: [1.0, 2.0, 4.0], 4: [4.0]}

# %%
# The pattern in an upsampled image
# ---------------------------------
# Upsampling a constant image by 2 with a smooth 3x3 kernel should give a constant
# image. The transposed convolution gives a checkerboard instead, because its
# output is the kernel weighted by the coverage. Nearest-neighbour resizing followed
# by the same kernel at stride 1 (with replicated borders) gives a constant image:
# every output pixel sees all nine weights once.

kernel = np.full((3, 3), 1 / 9)
flat = np.ones((8, 8))
transposed = conv_transpose2d(
    flat, kernel, stride=2, padding=1, output_padding=1
)
resized = np.kron(flat, np.ones((2, 2)))  # nearest-neighbour, 16x16
resize_conv = conv2d(resized, kernel, padding=1, padding_mode="replicate")
assert transposed.shape == resize_conv.shape == (16, 16)
np.testing.assert_allclose(resize_conv, 1.0)

# the same two operations in PyTorch
t_kernel = torch.from_numpy(kernel)[None, None]
t_transposed = F.conv_transpose2d(
    torch.from_numpy(flat)[None, None],
    t_kernel,
    stride=2,
    padding=1,
    output_padding=1,
)
t_resized = F.interpolate(
    torch.from_numpy(flat)[None, None], scale_factor=2, mode="nearest"
)
t_resize_conv = F.conv2d(
    F.pad(t_resized, (1, 1, 1, 1), mode="replicate"), t_kernel
)
np.testing.assert_allclose(transposed, t_transposed[0, 0].numpy())
np.testing.assert_allclose(resize_conv, t_resize_conv[0, 0].numpy())

# Each panel has its own colour scale and colour bar: the transposed output ranges
# over 1/9 to 4/9, the resize-convolution is 1 everywhere.
fig, axes = plt.subplots(1, 2, figsize=(6.4, 4.8), layout="constrained")
for ax, values, title, limits in [
    (
        axes[0],
        transposed,
        "ConvTranspose2d(k=3, s=2):\ncheckerboard",
        (0, 4 / 9),
    ),
    (
        axes[1],
        resize_conv,
        "nearest resize x2,\nthen Conv2d(k=3): flat",
        (0, 1),
    ),
]:
    assert limits[0] <= values.min() and values.max() <= limits[1] + 1e-12
    shown = ax.imshow(values, cmap="viridis", vmin=limits[0], vmax=limits[1])
    ax.set_title(title)
    ax.set_xlabel("column")
    fig.colorbar(shown, ax=ax, shrink=0.7, label="value", location="bottom")
axes[0].set_ylabel("row")
fig.suptitle("Upsampling a constant image (value 1)\nwith a 3x3 mean kernel")
plt.show()
print(
    "transposed output values:",
    sorted(set(np.round(transposed, 4).ravel().tolist())),
)

# %%
# In the guide: :doc:`/guide/transposed`.
#
# .. admonition:: References
#
#    :func:`convdocs.plot.draw_overlap`, :func:`convdocs.conv_transpose2d`,
#    :func:`convdocs.conv2d`; A. Odena, V. Dumoulin and C. Olah, "Deconvolution and
#    Checkerboard Artifacts", Distill, 2016.
