"""
U-Net: which input sizes work, padded and unpadded
==================================================

The original U-Net (Ronneberger et al., 2015) uses unpadded 3x3 convolutions: every
convolution trims 2 pixels, a 572x572 tile gives a 388x388 segmentation, and the
skip connections are centre-cropped to the size of the upsampled maps. The common
padded variant keeps sizes and needs no crops. This example computes, with
convdocs' arithmetic, every size inside both networks, finds the input sizes each
one accepts, and shows what goes wrong with the others. The sizes are checked
against the real models from :mod:`convdocs.models`.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from convdocs import conv_output_size, conv_transpose_output_size
from convdocs.models import unet

# %%
# Every size in the network, from the arithmetic
# ----------------------------------------------
# Each level of the contracting path applies two 3x3 convolutions and a 2x2 max-pool
# with stride 2; each level of the expansive path a 2x2 up-convolution (stride 2),
# a crop of the skip connection, and two 3x3 convolutions. Ronneberger et al. ask
# that every max-pool see an even size, so that no row is dropped and the crops stay
# centred.


def unet_sizes(size, padding=0, depth=4):
    """Sizes through a U-Net: pool inputs, crops (before, after), output."""
    pool_inputs, skips = [], []
    for _ in range(depth):
        size = conv_output_size(
            conv_output_size(size, 3, padding=padding), 3, padding=padding
        )
        pool_inputs.append(size)
        skips.append(size)
        size = conv_output_size(size, 2, stride=2)
    crops = []
    size = conv_output_size(
        conv_output_size(size, 3, padding=padding), 3, padding=padding
    )
    for skip in reversed(skips):
        size = conv_transpose_output_size(size, 2, stride=2)
        extra = skip - size
        crops.append((extra // 2, extra - extra // 2))
        size = conv_output_size(
            conv_output_size(size, 3, padding=padding), 3, padding=padding
        )
    return pool_inputs, crops, size


pools, crops, out = unet_sizes(572)
print("572x572 input")
print("  max-pool inputs:", pools)
print("  skip crops (top, bottom):", crops)
print("  output:", out)

model = unet(base_channels=4)  # the sizes do not depend on the channel count
with torch.no_grad():
    assert (
        model(torch.zeros(1, 1, 572, 572)).shape[-2:]
        == (out, out)
        == (388, 388)
    )

# %%
# The input sizes the original U-Net accepts
# ------------------------------------------
# A size is *valid* when every max-pool input is even (so every crop is centred).
# Scanning 100 to 700 with the arithmetic gives a closed form: 188, 204, 220, ...,
# every 16th size from 188 on, and the output is always 184 pixels smaller.

candidates = range(100, 701)
valid = []
for n in candidates:
    try:
        pools, crops, out = unet_sizes(n)
    except ValueError:  # too small: a kernel no longer fits
        continue
    if all(p % 2 == 0 for p in pools):
        assert all(top == bottom for top, bottom in crops)
        assert out == n - 184
        valid.append(n)
print("valid sizes:", valid[:6], "...", valid[-2:])
assert valid == list(range(188, 701, 16))
assert 572 in valid

# %%
# A size that is not valid: 570
# -----------------------------
# The network still runs at 570 (the crop of each skip connection adapts), but a
# max-pool sees an odd size and drops its last row, and the crops are no longer
# symmetric: the skip connection and the upsampled map are misaligned by half a
# pixel, and output tiles no longer stitch seamlessly.

pools, crops, out = unet_sizes(570)
print("570: max-pool inputs", pools, "-> crops", crops, "-> output", out)
assert any(p % 2 for p in pools)
assert any(top != bottom for top, bottom in crops)
with torch.no_grad():
    assert model(torch.zeros(1, 1, 570, 570)).shape[-1] == out

# %%
# The padded U-Net
# ----------------
# With padding 1 the convolutions keep sizes, so the output has the input's size,
# and a size is valid when it can be halved four times: multiples of 16. Other sizes
# make the upsampled map one pixel smaller than its skip connection. Without crops the
# concatenation then fails; the model in :mod:`convdocs.models` checks the size first
# and names the nearest valid ones.

for n in (512, 500):
    pools, crops, out = unet_sizes(n, padding=1)
    print(f"{n}: max-pool inputs {pools}, skip minus upsampled {crops}")
padded = unet(padded=True, base_channels=4)
with torch.no_grad():
    assert padded(torch.zeros(1, 1, 512, 512)).shape[-1] == 512
    try:
        padded(torch.zeros(1, 1, 500, 500))
    except ValueError as error:
        print("padded U-Net at 500:", error)

# %%
# Valid sizes at a glance
# -----------------------

fig, ax = plt.subplots(figsize=(9, 2.8), layout="constrained")
sizes = np.arange(150, 701)
padded_valid = [
    n
    for n in sizes
    if all(p % 2 == 0 for p in unet_sizes(int(n), padding=1)[0])
]
ax.eventplot(
    [valid, padded_valid],
    lineoffsets=[1, 0],
    linelengths=0.6,
    colors=["C0", "C1"],
)
ax.set_yticks([1, 0], ["original (unpadded)", "padded"])
ax.set_xlabel("input size (pixels per side)")
ax.set_xlim(150, 700)
ax.set_title(
    "Input sizes a depth-4 U-Net accepts: 16k + 12 from 188, "
    "or multiples of 16"
)
plt.show()
assert padded_valid == list(range(160, 701, 16))

# %%
# .. admonition:: References
#
#    :func:`convdocs.conv_output_size`,
#    :func:`convdocs.conv_transpose_output_size`, :func:`convdocs.models.unet`;
#    O. Ronneberger, P. Fischer and T. Brox, "U-Net: Convolutional Networks for
#    Biomedical Image Segmentation", MICCAI 2015.
#
# sphinx_gallery_thumbnail_number = 1
