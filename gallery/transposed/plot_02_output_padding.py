"""
Why ``output_padding`` exists
=============================

A stride-2 convolution maps two input sizes to the same output size: with kernel 3
and padding 1, both 7 and 8 pixels become 4. Going back, a transposed convolution
with the same parameters cannot know which one it came from, and PyTorch picks the
smaller (7). ``output_padding=1`` selects the larger. This example shows the
collision, restores both sizes exactly, and shows what the added row and column at
the bottom and right contain.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np
import torch

from convdocs import (
    colliding_input_sizes,
    conv_output_size,
    conv_transpose2d,
    conv_transpose_output_size,
    inverse_conv,
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
fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
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
ax.set_title("Kernel 3, stride 2, padding 1:\neach output size has two inputs")
ax.legend(loc="upper left")
ax.grid(True, alpha=0.3)
plt.show()

# %%
# Restoring the exact size in an encoder-decoder
# ----------------------------------------------
# Which of the colliding sizes was it? Only the encoder knows, so the decoder must be
# told. :func:`convdocs.colliding_input_sizes` lists the sizes that meet at one output,
# and :func:`convdocs.inverse_conv` builds, from the encoder's ``Conv2d`` and the size
# to restore, the ``ConvTranspose2d`` with the ``output_padding`` that picks it:
# 0 for the odd sizes here, 1 for the even ones, chosen per dimension.

encoder = torch.nn.Conv2d(3, 8, kernel_size=k, stride=s, padding=p)
print("inputs that give 4:", list(colliding_input_sizes(4, k, s, p)))
for size in [(7, 7), (8, 8), (8, 7)]:
    x = torch.zeros(1, 3, *size)
    decoder = inverse_conv(size, encoder, module=True)
    with torch.no_grad():
        down = encoder(x)
        up = decoder(down)
    assert up.shape == x.shape
    print(
        f"input {size} -> conv {tuple(down.shape[-2:])} -> "
        f"ConvTranspose2d(output_padding={decoder.output_padding}) "
        f"-> {tuple(up.shape[-2:])}"
    )

# %%
# What the extra row and column contain
# -------------------------------------
# Drawn as a direct convolution (the animated
# :ref:`sphx_glr_auto_examples_arithmetic_plot_03_transposed_strided.py`),
# ``output_padding`` adds zeros after the stretched input; the output rows the
# kernel computes over them still read real input pixels. In the output, they are
# the rows of the transposed convolution's full result that ``padding`` would
# otherwise have cropped: with a kernel of ones on an input of ones they hold the
# same kind of sums as the rest. Only when ``output_padding`` exceeds ``padding``
# are the rows beyond the cropped ones zeros (plus the bias); see
# :ref:`output-padding-two-views`.

ones = np.ones((4, 4))
without = conv_transpose2d(ones, np.ones((3, 3)), stride=2, padding=1)
with_extra = conv_transpose2d(
    ones, np.ones((3, 3)), stride=2, padding=1, output_padding=1
)
np.testing.assert_array_equal(with_extra[:7, :7], without)
print("output_padding=0:\n", without, "\noutput_padding=1:\n", with_extra)
assert with_extra[-1].min() > 0

# With padding=0 nothing was cropped: the extra row is all zeros, as in PyTorch.
no_crop = conv_transpose2d(ones, np.ones((3, 3)), stride=2, output_padding=1)
layer = torch.nn.ConvTranspose2d(
    1, 1, 3, stride=2, output_padding=1, bias=False
)
torch.nn.init.ones_(layer.weight)
with torch.no_grad():
    theirs = layer(torch.ones(1, 1, 4, 4))[0, 0].numpy()
np.testing.assert_allclose(no_crop, theirs)
assert (no_crop[-1] == 0).all() and (no_crop[-2, :-1] > 0).all()
print("padding=0, output_padding=1, last row:", no_crop[-1])

# %%
# In the guide: :doc:`/guide/transposed` and :doc:`/guide/working_backwards`.
#
# .. admonition:: References
#
#    :func:`convdocs.conv_transpose_output_size`,
#    :func:`convdocs.conv_output_size`, :func:`convdocs.conv_transpose2d`,
#    :func:`convdocs.inverse_conv`, :func:`convdocs.colliding_input_sizes`;
#    Dumoulin & Visin, relationship 14 (their :math:`a`).
