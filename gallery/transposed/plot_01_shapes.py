"""
Transposed convolution shapes
=============================

``torch.nn.ConvTranspose2d`` maps an :math:`i \\times i` map to
:math:`o = (i - 1)s - 2p + d(k - 1) + a + 1` pixels per side, where :math:`a` is
``output_padding``. This example checks that formula
(:func:`convdocs.conv_transpose_output_size`) against PyTorch for a
typical decoder layer (4x4 input, kernel 3, stride 2, padding 1, output padding 1) and for the upsampling
layers of common architectures, and shows what the layer computes on a small input.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from convdocs import conv_transpose2d, conv_transpose_output_size

# %%
# Shapes, checked against PyTorch
# -------------------------------
# Kernel 2 with stride 2 (U-Net's up-convolution) exactly doubles the size; kernel 4,
# stride 2, padding 1 (DCGAN's generator) also doubles it; kernel 3, stride 2,
# padding 1 gives :math:`2i - 1` unless ``output_padding=1`` adds the last row and
# column.

settings = [  # (input, kernel, stride, padding, output_padding)
    (4, 3, 2, 1, 1),  # undoes Conv2d(k=3, s=2, p=1) on 8x8
    (4, 3, 2, 1, 0),
    (16, 2, 2, 0, 0),  # U-Net
    (8, 4, 2, 1, 0),  # DCGAN
    (7, 3, 1, 1, 0),  # stride 1, padding 1: the size is kept
    (5, 5, 3, 0, 2),
]
print(" i  k  s  p  a  ->  o")
for i, k, s, p, a in settings:
    o = conv_transpose_output_size(i, k, s, p, a)
    layer = torch.nn.ConvTranspose2d(1, 1, k, s, p, a)
    with torch.no_grad():
        shape = layer(torch.zeros(1, 1, i, i)).shape
    assert shape[-2:] == (o, o)
    print(f"{i:2} {k:2} {s:2} {p:2} {a:2}  -> {o:2}   PyTorch {tuple(shape)}")

# %%
# What the layer computes
# -----------------------
# Each input pixel adds a copy of the kernel, scaled by its value, to the output,
# placed :math:`s` pixels further for each step in the input; ``padding`` then crops
# :math:`p` pixels from every side, and ``output_padding`` extends the bottom and
# right. With a kernel of ones the output counts, for each pixel, the sum of the
# inputs whose copies reach it.

x = np.arange(1.0, 17.0).reshape(4, 4)
kernel = np.ones((3, 3))
params = {"stride": 2, "padding": 1, "output_padding": 1}
y = conv_transpose2d(x, kernel, **params)
expected = F.conv_transpose2d(
    torch.from_numpy(x)[None, None],
    torch.from_numpy(kernel)[None, None],
    **params,
)
np.testing.assert_allclose(y, expected[0, 0].numpy())

fig, axes = plt.subplots(
    1,
    2,
    figsize=(6.4, 4.4),
    layout="constrained",
    gridspec_kw={"width_ratios": [4, 8]},
)
for ax, values, title, cmap in [
    (axes[0], x, "input 4x4", "Blues"),
    (axes[1], y, "output 8x8\n(kernel of ones)", "Greens"),
]:
    ax.imshow(values, cmap=cmap, vmin=0, vmax=values.max() * 1.6)
    for (r, c), value in np.ndenumerate(values):
        ax.text(c, r, f"{value:g}", ha="center", va="center")
    ax.set_title(title)
    ax.set_xticks(range(values.shape[1]))
    ax.set_yticks(range(values.shape[0]))
    ax.set_xlabel("column")
axes[0].set_ylabel("row")
fig.suptitle(
    "ConvTranspose2d(kernel_size=3, stride=2,\npadding=1, output_padding=1): 4x4 -> 8x8"
)
plt.show()

# %%
# Even rows and columns of the output lie under one input pixel's kernel centre
# and hold that pixel's value alone; odd ones sit where two (or four) copies
# overlap and hold their sums. The last row and column, added by
# ``output_padding``, are reached by only the last input row or column, like the
# row and column before them.

np.testing.assert_array_equal(y[::2, ::2], x)
np.testing.assert_array_equal(y[1, 1], x[:2, :2].sum())
np.testing.assert_array_equal(y[7], y[6])

# %%
# In the guide: :doc:`/guide/transposed`.
#
# .. admonition:: References
#
#    :func:`convdocs.conv_transpose_output_size`,
#    :func:`convdocs.conv_transpose2d`; Dumoulin & Visin, section 4.
