"""
Dilated convolution
===================

A dilated (atrous) convolution spreads its kernel's taps ``d`` cells apart, so a
3x3 kernel with dilation 2 spans 5x5 input cells while keeping 9 weights. The
animation shows Dumoulin & Visin's example, ``i = 7, k = 3, d = 2, s = 1, p =
0``: only the orange taps are read, the cells between them are skipped. Then a
dense 5x5 kernel is drawn next to it: same span, same output size, 25 weights
instead of 9.
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt

from convdocs import conv_output_size, effective_kernel_size
from convdocs.plot import animate_convolution, draw_convolution

# %%
# Dilation 2
# ----------
# The kernel spans ``d (k - 1) + 1 = 5`` cells, and the output size is that of a
# dense kernel of that size: ``o = (i + 2p - k - (k - 1)(d - 1)) // s + 1 = 3``
# (relationship 15).

assert effective_kernel_size(3, dilation=2) == 2 * (3 - 1) + 1 == 5
assert conv_output_size(7, 3, dilation=2) == 7 - 3 - (3 - 1) * 1 + 1 == 3
dilated = animate_convolution(7, 3, dilation=2)

# %%
# Same span, fewer weights
# ------------------------
# The middle output cell of both: the dilated 3x3 kernel and a dense 5x5 kernel
# read the same 5x5 window of the input, and both give a 3x3 output.

assert conv_output_size(7, 5) == conv_output_size(7, 3, dilation=2)
fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.4), layout="constrained")
draw_convolution(7, 3, dilation=2, step=4, ax=axes[0])
draw_convolution(7, 5, step=4, ax=axes[1])
axes[0].set_title("k=3, d=2: 9 taps over 5x5")
axes[1].set_title("k=5, d=1: 25 taps over 5x5")
plt.show()

# %%
# In the guide: :doc:`/guide/dilation`.
#
# .. admonition:: References
#
#    :func:`convdocs.plot.animate_convolution`,
#    :func:`convdocs.plot.draw_convolution`,
#    :func:`convdocs.effective_kernel_size`; V. Dumoulin and F. Visin, *A guide
#    to convolution arithmetic for deep learning* (arXiv:1603.07285), chapter
#    5, relationship 15.
