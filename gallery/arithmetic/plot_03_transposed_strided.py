"""
Transposed convolutions with stride 2
=====================================

The transpose of a strided convolution is drawn by Dumoulin & Visin as a direct
convolution at stride 1 over a *stretched* input: ``s - 1`` zeros are inserted
between neighbouring input cells (white, hatched), then the stretched input is
padded with ``k - 1 - p`` zeros on each side. That is why a transposed
convolution with stride ``s`` upsamples by ``s``. This page animates the
transposed counterparts of the three strided convolutions of :ref:`the first page
<sphx_glr_auto_examples_arithmetic_plot_01_direct.py>`, including the odd case
that needs ``output_padding``, and ends with the uneven overlap of the kernel's
copies that causes checkerboard artefacts.
"""

# sphinx_gallery_thumbnail_number = 4

import matplotlib.pyplot as plt

from convdocs import conv_output_size, conv_transpose_output_size
from convdocs.plot import animate_convolution, draw_overlap

# %%
# No padding, stride 2, transposed
# --------------------------------
# ``i = 5, k = 3, s = 2, p = 0`` gives 2x2. Its transpose inserts one zero
# between the two input cells of each row and column (2 cells become 3) and
# pads with ``k - 1 = 2``: ``o' = s (i' - 1) + k = 5`` (Dumoulin & Visin,
# relationship 12).

assert conv_output_size(5, 3, stride=2) == 2
assert conv_transpose_output_size(2, 3, stride=2) == 2 * (2 - 1) + 3 == 5
strided = animate_convolution(2, 3, stride=2, transposed=True)

# %%
# Padding and stride 2, transposed
# --------------------------------
# ``i = 5, k = 3, s = 2, p = 1`` gives 3x3. The transpose stretches 3 cells to
# 5 and pads with ``k - 1 - p = 1``: ``o' = s (i' - 1) + k - 2p = 5``
# (relationship 13).

assert conv_output_size(5, 3, stride=2, padding=1) == 3
assert conv_transpose_output_size(3, 3, 2, 1) == 2 * (3 - 1) + 3 - 2 == 5
padded_strided = animate_convolution(
    3, 3, stride=2, padding=1, transposed=True
)

# %%
# The odd case: ``output_padding``
# --------------------------------
# ``i = 6, k = 3, s = 2, p = 1`` gives 3x3 as well, because the convolution
# never reads the last row and column. To give 6 back, the transpose adds ``a =
# (i + 2p - k) % s = 1`` more row and column of zeros after the stretched input
# (bottom and right): ``o' = s (i' - 1) + a + k - 2p = 6`` (relationship 14).
# That ``a`` is PyTorch's ``output_padding``. The zeros are in the grid the
# kernel slides over, not in the result: the window over them still covers the
# last input row, so the extra output row holds computed values, the same ones
# that ``padding`` would otherwise have cropped. The guide's
# :ref:`output-padding-two-views` puts the two views side by side.

assert conv_output_size(6, 3, stride=2, padding=1) == 3
a = 6 - conv_transpose_output_size(3, 3, stride=2, padding=1)  # 6 - 5
assert a == (6 + 2 * 1 - 3) % 2 == 1
assert conv_transpose_output_size(3, 3, 2, 1, output_padding=a) == 6
odd_case = animate_convolution(
    3, 3, stride=2, padding=1, transposed=True, output_padding=a
)

# %%
# Uneven overlap: where checkerboards come from
# ---------------------------------------------
# Seen from the input, a transposed convolution adds one copy of the kernel per
# input pixel, ``s`` pixels apart. Counting the copies that cover each output
# pixel shows the catch: with ``k = 3`` and ``s = 2`` the copies overlap on
# every other row and column, so the counts alternate 1, 2 and 4, and a
# learned upsampling starts out with a checkerboard (Odena et al., 2016). A
# kernel size divisible by the stride, ``k = 4``, covers the inside evenly.

fig, axes = plt.subplots(1, 2, figsize=(6.4, 4.2), layout="constrained")
for ax, kernel in zip(axes, (3, 4)):
    draw_overlap(kernel, 2, (4, 4), ax=ax)
    ax.set_title(
        ax.get_title().replace(": ", ":\n")
    )  # two lines fit the column
fig.suptitle("Kernel copies covering each output pixel\n(4x4 input, stride 2)")
plt.show()

# %%
# In the guide: :doc:`/guide/transposed`.
#
# .. admonition:: References
#
#    :func:`convdocs.plot.animate_convolution`,
#    :func:`convdocs.plot.draw_overlap`,
#    :func:`convdocs.conv_transpose_output_size`; V. Dumoulin and F. Visin, *A
#    guide to convolution arithmetic for deep learning* (arXiv:1603.07285),
#    chapter 4, relationships 12 to 14; A. Odena, V. Dumoulin and C. Olah,
#    *Deconvolution and Checkerboard Artifacts*, Distill, 2016.
