"""
Zero padding a small image
==========================

Padding adds a border of pixels around an image before it is convolved. With zero
padding the border is black (0). This example pads a 5x5 binary image by one
pixel, shows that a 3x3 convolution then keeps the 5x5 size instead of shrinking it
to 3x3, and counts how often each input pixel is read: without padding the corners
are read once and the centre nine times; padding evens that out.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from convdocs import conv2d, conv_output_size, conv_transpose2d, pad
from convdocs.data import small_image
from convdocs.plot import draw_padding

image = small_image()

# %%
# The image, padded by one pixel
# ------------------------------

fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.9), layout="constrained")
draw_padding(image, 1, mode=None, ax=axes[0])
axes[0].set_title("5x5 image")
draw_padding(image, 1, mode="zeros", ax=axes[1])
axes[1].set_title("zero padded by 1: 7x7")
fig.suptitle("Zero padding adds a border of zeros")
plt.show()

padded = pad(image, 1)
assert padded.shape == (7, 7)
np.testing.assert_array_equal(
    padded, F.pad(torch.from_numpy(image), (1, 1, 1, 1)).numpy()
)

# %%
# Padding keeps the size
# ----------------------
# A 3x3 kernel fits :math:`5 - 3 + 1 = 3` times along each side of the 5x5 image,
# but 5 times along the padded 7x7 one: padding 1 keeps the output at 5x5, which
# is what lets deep networks stack many 3x3 layers.

kernel = np.ones((3, 3))  # counts the ones under each window
for p in (0, 1):
    out = conv2d(image, kernel, padding=p)
    assert out.shape[0] == conv_output_size(5, 3, padding=p)
    expected = F.conv2d(
        torch.from_numpy(image.astype(float))[None, None],
        torch.from_numpy(kernel)[None, None],
        padding=p,
    )
    np.testing.assert_allclose(out, expected[0, 0].numpy())
    print(f"padding {p}: output {out.shape}\n{out.astype(int)}")

# %%
# How often each pixel is read
# ----------------------------
# Each window reads the 3x3 pixels under it. Counting, for every pixel, the windows
# that read it is a transposed convolution of ones with a kernel of ones (each
# window adds one to the pixels it covers). Without padding the corners are read
# once and the centre nine times, so border content weighs less in the output;
# padding 1 raises the corners to 4 reads and the edges to 6.

reads = {}
for p in (0, 1):
    windows = conv_output_size(5, 3, padding=p)
    coverage = conv_transpose2d(np.ones((windows, windows)), np.ones((3, 3)))
    reads[p] = coverage[p : p + 5, p : p + 5].astype(int)  # the image's pixels
    print(f"padding {p}: reads per input pixel\n{reads[p]}")
assert reads[0][0, 0] == 1 and reads[0][2, 2] == 9
assert reads[1][0, 0] == 4 and reads[1][0, 2] == 6 and reads[1][2, 2] == 9

# %%
# In the guide: :doc:`/guide/padding`.
#
# .. admonition:: References
#
#    :func:`convdocs.pad`, :func:`convdocs.conv2d`,
#    :func:`convdocs.conv_output_size`, :func:`convdocs.conv_transpose2d`,
#    :func:`convdocs.plot.draw_padding`,
#    :func:`convdocs.data.small_image`.
