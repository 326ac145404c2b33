"""
ICNR: a sub-pixel convolution without a checkerboard
====================================================

A sub-pixel convolution computes :math:`r^2` output channels for every channel it
returns, and ``PixelShuffle(r)`` lays them out as the :math:`r \\times r` pixels of a
block. Initialised at random, the :math:`r^2` kernels behind one block differ, and
so do the pixels of every block: a periodic pattern on the output, from the very
first step of training. ICNR (Aitken et al., 2017) draws one kernel per returned
channel and copies it to the :math:`r^2` channels of its group. The layer then starts
as a convolution followed by nearest-neighbour upsampling, with no pattern; training
can still move the kernels apart. This example makes the weights with
:func:`convdocs.icnr`, checks the equivalence in PyTorch, and compares the two
initialisations on a constant image and on a photograph.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from convdocs import icnr
from convdocs.data import photograph

torch.manual_seed(0)
r = 2


def subpixel(channels, init=None, seed=0):
    """Conv2d(channels -> channels·r², 3x3) then PixelShuffle(r), in float64; ICNR weights
    and a zero bias if ``init`` is given, else PyTorch's random initialisation."""
    conv = nn.Conv2d(
        channels, channels * r * r, 3, padding=1, padding_mode="replicate"
    )
    layer = nn.Sequential(conv, nn.PixelShuffle(r)).double()
    if init is not None:
        with torch.no_grad():
            conv.weight.copy_(
                torch.from_numpy(
                    icnr(conv.weight.shape, r, init=init, seed=seed)
                )
            )
            conv.bias.zero_()  # equal within each group of r² channels, as ICNR needs
    return layer


# %%
# What ICNR makes of the layer
# ----------------------------
# :func:`convdocs.icnr` returns a weight whose channels :math:`c r^2, \dots,
# c r^2 + r^2 - 1` are one kernel. With it, the sub-pixel convolution equals the
# convolution with one kernel per channel followed by nearest-neighbour
# upsampling, for any input (here a random one): PixelShuffle places the
# :math:`r^2` equal channels on the :math:`r \times r` pixels of each block.

channels = 3
icnr_layer = subpixel(channels, init="pytorch")
weight = icnr_layer[0].weight.detach()
print(
    "weight",
    tuple(weight.shape),
    "- distinct kernels:",
    len(torch.unique(weight, dim=0)),
)
x = torch.randn(1, channels, 10, 12, dtype=torch.float64)
with torch.no_grad():
    shuffled = icnr_layer(x)
    base = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), weight[:: r * r])
nearest = F.interpolate(base, scale_factor=r, mode="nearest")
torch.testing.assert_close(shuffled, nearest, rtol=0, atol=1e-12)
print("PixelShuffle(conv_icnr(x)) == nearest(conv(x)):", tuple(shuffled.shape))

# %%
# A constant input
# ----------------
# Each layer gets an input of ones. The measure is the one of
# :ref:`sphx_glr_auto_examples_upsampling_plot_01_three_upsamplers.py`: the
# standard deviation of the output divided by its mean absolute value, per
# channel, 0 for a flat map. With PyTorch's random initialisation (weights and
# biases) every channel shows a 2x2 pattern; with ICNR every channel is flat.
# Replicate padding keeps the borders flat too, so the whole map is measured.

random_layer = subpixel(channels)
ones = torch.ones(1, channels, 16, 16, dtype=torch.float64)
with torch.no_grad():
    outputs = {
        "random": random_layer(ones)[0].numpy(),
        "ICNR": icnr_layer(ones)[0].numpy(),
    }


def unevenness(y):
    """Per channel: std / mean |value| of ``y`` (channels, h, w)."""
    return y.std(axis=(1, 2)) / np.abs(y).mean(axis=(1, 2))


ratios = {name: unevenness(y) for name, y in outputs.items()}
print({name: np.round(v, 3).tolist() for name, v in ratios.items()})
assert ratios["random"].min() > 0.2
assert ratios["ICNR"].max() < 1e-12

fig, axes = plt.subplots(1, 2, figsize=(6.4, 4), layout="constrained")
for ax, (name, y) in zip(axes, outputs.items()):
    deviation = (y[0] - y[0].mean()) / np.abs(y[0]).mean()
    shown = ax.imshow(deviation, cmap="RdBu_r", vmin=-1.5, vmax=1.5)
    ax.set_title(f"{name} initialisation\nratio {ratios[name][0]:.2f}")
    ax.set_xlabel("column")
    ax.set_ylabel("row")
fig.colorbar(shown, ax=axes, shrink=0.8, label="(value - mean) / mean |value|")
fig.suptitle("Sub-pixel convolution x2 of a constant\nimage, channel 0")
plt.show()

# %%
# A photograph
# ------------
# A layer fresh from a random initialisation filters an image beyond recognition,
# so for a photograph the kernels are a 3x3 mean plus a small random perturbation
# (standard deviation 0.03), as a layer early in training that has learned to
# smooth might hold: drawn independently for the four channels (``icnr`` with scale
# 1 copies nothing), or once and copied (ICNR). The measure is the part of the
# output that varies inside the 2x2 blocks: the standard deviation of each pixel
# minus its block's mean, relative to the standard deviation of the image.

image = photograph(downsample=4)  # 150 x 128, gray
x = torch.from_numpy(image)[None, None]


def smoothing(shape, rng):
    """A 3x3 mean filter plus Gaussian noise of standard deviation 0.03."""
    return 1 / 9 + rng.normal(0.0, 0.03, shape)


upsampled = {}
for name, copies in [("independent", 1), ("ICNR", r)]:
    conv = nn.Conv2d(
        1, r * r, 3, padding=1, padding_mode="replicate", bias=False
    ).double()
    with torch.no_grad():
        conv.weight.copy_(
            torch.from_numpy(
                icnr(conv.weight.shape, copies, smoothing, seed=3)
            )
        )
        upsampled[name] = F.pixel_shuffle(conv(x), r)[0, 0].numpy()


def inside_blocks(y):
    """Std of ``y`` minus the mean of its 2x2 block, over the std of ``y``."""
    blocks = y.reshape(y.shape[0] // r, r, y.shape[1] // r, r)
    return (blocks - blocks.mean(axis=(1, 3), keepdims=True)).std() / y.std()


within = {name: inside_blocks(y) for name, y in upsampled.items()}
print({name: round(float(v), 4) for name, v in within.items()})
assert within["independent"] > 0.1
assert within["ICNR"] < 1e-12
assert upsampled["ICNR"].shape == (2 * 150, 2 * 128)

rows, cols = slice(34, 58), slice(42, 66)  # an eye, in the 150 x 128 image
crops = {
    "input (24x24 crop)": image[rows, cols],
    f"independent kernels\ninside blocks {within['independent']:.2f}": upsampled[
        "independent"
    ][2 * rows.start : 2 * rows.stop, 2 * cols.start : 2 * cols.stop],
    f"ICNR\ninside blocks {within['ICNR']:.2f}": upsampled["ICNR"][
        2 * rows.start : 2 * rows.stop, 2 * cols.start : 2 * cols.stop
    ],
}
# the input centred above the two upsamplings: rows of at most two panels
fig, axes = plt.subplot_mosaic(
    [[".", 0, 0, "."], [1, 1, 2, 2]], figsize=(6.4, 7.4), layout="constrained"
)
for i, (title, crop) in enumerate(crops.items()):
    ax = axes[i]
    ax.imshow(crop, cmap="gray", vmin=0, vmax=1)
    ax.set_title(title)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
fig.suptitle("Upsampling a photograph by 2\nwith a sub-pixel convolution")
plt.show()

# sphinx_gallery_thumbnail_number = 2

# %%
# The independent kernels lay a fine grid over the face: the four pixels of every
# block come from four slightly different filters. The ICNR layer is a smoothing
# followed by nearest-neighbour upsampling, blocky but without a pattern. ICNR
# fixes the start only; a trained sub-pixel layer can still learn a pattern, as
# any layer whose four phases have their own kernels can.
#
# In the guide: :doc:`/guide/upsampling`.
#
# .. admonition:: References
#
#    :func:`convdocs.icnr`;
#    :ref:`Aitken et al. (2017) <aitken-2017-icnr>`,
#    :ref:`Shi et al. (2016) <shi-2016-subpixel>`.
