"""
Convolutions, step by step
==========================

The seven convolutions of Dumoulin & Visin's guide, animated: no padding, arbitrary,
half and full padding at unit stride, then stride 2 without and with padding,
including the odd case where the last row and column are never read. Each animation
steps the kernel over every output position, row by row: the input is blue, the
padding grey with dashed edges, the kernel's taps orange inside the window they span,
and the output green with the cell being computed in orange. Below each animation,
the parameters (input size ``i``, kernel size ``k``, stride ``s``, padding ``p``) and
the output size ``o`` they give, checked with :func:`convdocs.conv_output_size`.
"""

# sphinx_gallery_thumbnail_number = 8

import matplotlib.pyplot as plt

from convdocs import conv_output_size
from convdocs.plot import animate_convolution, draw_convolution

# %%
# No padding, unit strides
# ------------------------
# A 3x3 kernel on a 4x4 input (``i = 4, k = 3, s = 1, p = 0``). The kernel fits
# in ``i - k + 1`` positions along each axis, so the output is 2x2 (Dumoulin &
# Visin, relationship 1: ``o = (i - k) + 1``).

assert conv_output_size(4, kernel_size=3) == (4 - 3) + 1 == 2
no_padding = animate_convolution(4, 3)

# %%
# Arbitrary padding, unit strides
# -------------------------------
# A 4x4 kernel on a 5x5 input padded by 2 (``i = 5, k = 4, s = 1, p = 2``). The
# padding adds ``2p`` positions: ``o = (i - k) + 2p + 1 = 6`` (relationship
# 2). The output is larger than the input.

assert conv_output_size(5, 4, padding=2) == (5 - 4) + 2 * 2 + 1 == 6
arbitrary_padding = animate_convolution(5, 4, padding=2)

# %%
# Half ("same") padding
# ---------------------
# With an odd kernel and ``p = k // 2``, here ``i = 5, k = 3, s = 1, p = 1``,
# the output has the size of the input: ``o = i`` (relationship 3). This is
# PyTorch's ``padding="same"``.

assert conv_output_size(5, 3, padding=1) == 5
half_padding = animate_convolution(5, 3, padding=1)

# %%
# Full padding
# ------------
# With ``p = k - 1`` (``i = 5, k = 3, s = 1, p = 2``) every overlap of the
# kernel with the input counts, even a single corner pixel: ``o = i + (k - 1)
# = 7`` (relationship 4). The transposed convolution of the first animation
# looks like this.

assert conv_output_size(5, 3, padding=2) == 5 + (3 - 1) == 7
full_padding = animate_convolution(5, 3, padding=2)

# %%
# No padding, stride 2
# --------------------
# The kernel jumps two cells at a time (``i = 5, k = 3, s = 2, p = 0``): ``o =
# (i - k) // s + 1 = 2`` (relationship 5; ``//`` rounds down).

assert conv_output_size(5, 3, stride=2) == (5 - 3) // 2 + 1 == 2
strided = animate_convolution(5, 3, stride=2)

# %%
# Padding and stride 2
# --------------------
# Both at once (``i = 5, k = 3, s = 2, p = 1``): ``o = (i + 2p - k) // s + 1
# = 3`` (relationship 6, the general rule).

assert conv_output_size(5, 3, stride=2, padding=1) == (5 + 2 - 3) // 2 + 1 == 3
padded_strided = animate_convolution(5, 3, stride=2, padding=1)

# %%
# Padding and stride 2, odd case
# ------------------------------
# One more input row and column (``i = 6, k = 3, s = 2, p = 1``) gives the same
# 3x3 output: ``(6 + 2 - 3) // 2 + 1 = 3``, the division rounds down. The last
# window ends one cell before the padded input does, so the last row and column
# (here padding) are never read. Inputs of size 5 and 6 are mapped to the same
# output size, which is why a transposed convolution needs ``output_padding``
# to know which one to give back.

assert conv_output_size(6, 3, stride=2, padding=1) == (6 + 2 - 3) // 2 + 1 == 3
assert conv_output_size(6, 3, 2, 1) == conv_output_size(5, 3, 2, 1)
odd_case = animate_convolution(6, 3, stride=2, padding=1)

# %%
# All settings at a glance
# ------------------------
# One step of each animation above, side by side.

settings = [
    {"input_size": 4, "kernel_size": 3},
    {"input_size": 5, "kernel_size": 4, "padding": 2},
    {"input_size": 5, "kernel_size": 3, "padding": 1},
    {"input_size": 5, "kernel_size": 3, "padding": 2},
    {"input_size": 5, "kernel_size": 3, "stride": 2},
    {"input_size": 5, "kernel_size": 3, "stride": 2, "padding": 1},
    {"input_size": 6, "kernel_size": 3, "stride": 2, "padding": 1},
]
fig, axes = plt.subplots(
    (len(settings) + 1) // 2, 2, figsize=(6.4, 11), layout="constrained"
)
for ax, kwargs in zip(axes.flat, settings):
    draw_convolution(**kwargs, step=0, ax=ax)
for ax in axes.flat[len(settings) :]:
    ax.set_axis_off()
fig.suptitle("Dumoulin & Visin's seven direct settings")
plt.show()

# %%
# In the guide: :doc:`/guide/arithmetic`.
#
# .. admonition:: References
#
#    :func:`convdocs.plot.animate_convolution`,
#    :func:`convdocs.conv_output_size`; V. Dumoulin and F. Visin, *A guide to
#    convolution arithmetic for deep learning* (arXiv:1603.07285), chapters 2
#    and 3, relationships 1 to 6.
