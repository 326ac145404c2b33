"""
Why ``output_padding`` exists
=============================

A stride-2 convolution maps two input sizes to the same output size: with kernel 3
and padding 1, both 7 and 8 pixels become 4. Going back, a transposed convolution
with the same parameters cannot know which one it came from, and PyTorch picks the
smaller (7). ``output_padding=1`` selects the larger. This example shows the
collision, restores both sizes exactly, and shows that ``output_padding`` adds
computed rows at the bottom and right, not zeros.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from convdocs import (
    conv_output_size,
    conv_transpose2d,
    conv_transpose_output_size,
)

# %%
# Two input sizes, one output size
# --------------------------------
# The forward size is :math:`\\lfloor (i + 2p - k)/s \\rfloor + 1`; under stride 2 the
# floor merges each pair of consecutive sizes. The transposed size
# :math:`(o - 1)s - 2p + k + a` reaches the smaller of the pair with :math:`a = 0`
# and the larger with :math:`a = 1`.

k, s, p = 3, 2, 1
sizes = np.arange(4, 17)
forward = [conv_output_size(int(i), k, s, p) for i in sizes]
fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
ax.plot(
    sizes, forward, "o", color="C0", label="conv: input size -> output size"
)
for o in sorted(set(forward)):
    for a, marker in [(0, "v"), (1, "^")]:
        back = conv_transpose_output_size(o, k, s, p, output_padding=a)
        assert conv_output_size(back, k, s, p) == o  # it really is a preimage
        ax.plot(
            back,
            o,
            marker,
            color="C1" if a == 0 else "C3",
            markersize=9,
            fillstyle="none",
            label=f"transposed, output_padding={a}"
            if o == forward[0]
            else None,
        )
ax.set_xlabel("input size of the convolution")
ax.set_ylabel("output size")
ax.set_title("Kernel 3, stride 2, padding 1: each output size has two inputs")
ax.legend(loc="upper left")
ax.grid(True, alpha=0.3)
plt.show()

# %%
# Restoring the exact size in an encoder-decoder
# ----------------------------------------------
# An encoder layer ``Conv2d(k=3, s=2, p=1)`` followed by a decoder layer
# ``ConvTranspose2d`` with the same parameters restores an odd input size with
# ``output_padding=0`` and an even one with ``output_padding=1``.

for size in (7, 8):
    x = torch.zeros(1, 1, size, size)
    down = torch.nn.Conv2d(1, 1, k, s, p)(x)
    a = size - conv_transpose_output_size(down.shape[-1], k, s, p)
    up = torch.nn.ConvTranspose2d(1, 1, k, s, p, output_padding=a)(down)
    assert up.shape == x.shape
    print(
        f"input {size} -> conv {down.shape[-1]} -> "
        f"ConvTranspose2d(output_padding={a}) -> {up.shape[-1]}"
    )

# %%
# ``output_padding`` adds computed pixels, not zeros
# --------------------------------------------------
# The extra row and column are part of the transposed convolution's full output
# that ``padding`` would otherwise have cropped: with a kernel of ones on an input
# of ones they hold the same kind of sums as the rest.

ones = np.ones((4, 4))
without = conv_transpose2d(ones, np.ones((3, 3)), stride=2, padding=1)
with_extra = conv_transpose2d(
    ones, np.ones((3, 3)), stride=2, padding=1, output_padding=1
)
np.testing.assert_array_equal(with_extra[:7, :7], without)
print("output_padding=0:\n", without, "\noutput_padding=1:\n", with_extra)
assert with_extra[-1].min() > 0

# %%
# .. admonition:: References
#
#    :func:`convdocs.conv_transpose_output_size`,
#    :func:`convdocs.conv_output_size`, :func:`convdocs.conv_transpose2d`;
#    Dumoulin & Visin, relationship 14 (their :math:`a`).
#
# sphinx_gallery_thumbnail_number = 1
