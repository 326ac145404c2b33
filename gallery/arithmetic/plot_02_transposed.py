"""
Transposed convolutions at unit stride
======================================

A transposed convolution maps the output size of a convolution back to its input
size. Dumoulin & Visin draw it as a *direct* convolution: the same kernel (rotated
by 180 degrees, which does not change its shape) slides at stride 1 over the input
padded with ``k - 1 - p`` zeros on each side. This page animates the transposed
counterparts of the four unit-stride convolutions of :ref:`the previous page
<sphx_glr_auto_examples_arithmetic_plot_01_direct.py>`. Each one takes the output
of its convolution (``i'``) back to that convolution's input size, with the
convolution's parameters ``k``, ``s = 1`` and ``p``, as PyTorch's
``ConvTranspose2d`` takes them; sizes are checked with
:func:`convdocs.conv_transpose_output_size`.
"""

# sphinx_gallery_thumbnail_number = 5

import matplotlib.pyplot as plt

from convdocs import conv_output_size, conv_transpose_output_size
from convdocs.plot import animate_convolution, draw_convolution

# %%
# No padding, unit strides, transposed
# ------------------------------------
# The convolution ``i = 4, k = 3, s = 1, p = 0`` gives 2x2. Its transpose pads
# the 2x2 input with ``k - 1 = 2`` zeros on each side (full padding) and gives
# ``o' = i' + (k - 1) = 4`` (Dumoulin & Visin, relationship 8).

assert conv_output_size(4, 3) == 2
assert conv_transpose_output_size(2, 3) == 2 + (3 - 1) == 4
no_padding = animate_convolution(2, 3, transposed=True)

# %%
# Arbitrary padding, transposed
# -----------------------------
# ``i = 5, k = 4, s = 1, p = 2`` gives 6x6. The transpose pads with ``k - 1 - p
# = 1`` zero and gives ``o' = i' + (k - 1) - 2p = 5`` (relationship 9).

assert conv_output_size(5, 4, padding=2) == 6
assert conv_transpose_output_size(6, 4, padding=2) == 6 + (4 - 1) - 2 * 2 == 5
arbitrary_padding = animate_convolution(6, 4, padding=2, transposed=True)

# %%
# Half ("same") padding, transposed
# ---------------------------------
# ``i = 5, k = 3, s = 1, p = 1`` keeps the size, and so does its transpose,
# which is a half-padded convolution too: ``o' = i'`` (relationship 10).

assert conv_output_size(5, 3, padding=1) == 5
assert conv_transpose_output_size(5, 3, padding=1) == 5
half_padding = animate_convolution(5, 3, padding=1, transposed=True)

# %%
# Full padding, transposed
# ------------------------
# ``i = 5, k = 3, s = 1, p = 2`` gives 7x7. Its transpose needs ``k - 1 - p =
# 0`` padding: it is a convolution without padding, ``o' = i' - (k - 1) = 5``
# (relationship 11).

assert conv_output_size(5, 3, padding=2) == 7
assert conv_transpose_output_size(7, 3, padding=2) == 7 - (3 - 1) == 5
full_padding = animate_convolution(7, 3, padding=2, transposed=True)

# %%
# All settings at a glance
# ------------------------
# One step of each animation above, side by side.

settings = [
    {"input_size": 2, "kernel_size": 3, "transposed": True},
    {"input_size": 6, "kernel_size": 4, "padding": 2, "transposed": True},
    {"input_size": 5, "kernel_size": 3, "padding": 1, "transposed": True},
    {"input_size": 7, "kernel_size": 3, "padding": 2, "transposed": True},
]
fig, axes = plt.subplots(
    (len(settings) + 1) // 2, 2, figsize=(6.4, 6.6), layout="constrained"
)
for ax, kwargs in zip(axes.flat, settings):
    draw_convolution(**kwargs, step=0, ax=ax)
for ax in axes.flat[len(settings) :]:
    ax.set_axis_off()
fig.suptitle("Unit-stride transposed settings,\nas direct convolutions")
plt.show()

# %%
# In the guide: :doc:`/guide/transposed`.
#
# .. admonition:: References
#
#    :func:`convdocs.plot.animate_convolution`,
#    :func:`convdocs.conv_transpose_output_size`, :func:`convdocs.conv_transpose2d`;
#    V. Dumoulin and F. Visin, *A guide to convolution arithmetic for deep
#    learning* (arXiv:1603.07285), chapter 4, relationships 8 to 11.
