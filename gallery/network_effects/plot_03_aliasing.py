"""
Stride breaks shift-equivariance: blur before subsampling
=========================================================

A convolution at stride 1 is shift-equivariant: shift the input by one pixel and
the output shifts by one pixel. A layer with stride 2 keeps every other output, so it
is equivariant only to shifts by an even number of pixels; a one-pixel shift of the
input makes it keep the *other* half of the samples, and where the signal has detail
finer than two pixels the two halves differ: that is aliasing. Max pooling is the
worst case, since the maximum adds high frequencies of its own.

Zhang (ICML 2019) observed that max pooling with stride 2 is the same as a max
pooling with stride 1 followed by subsampling, and inserted the textbook remedy in
between: a low-pass (blur) filter, "MaxBlurPool". This example measures what that
buys on a photograph, with :func:`convdocs.max_pool2d` and :func:`convdocs.conv2d`,
checked against PyTorch.
"""

# sphinx_gallery_thumbnail_number = 2

from itertools import pairwise

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from convdocs import conv2d, max_pool2d
from convdocs.data import photograph
from convdocs.plot import COLORS

# %%
# Max pooling, and max pooling with a blur
# ----------------------------------------
# The blur filters are Zhang's binomial ones: the outer product of a row of
# Pascal's triangle with itself, normalised to sum 1 ([1, 1] is a 2x2 box, [1, 2, 1]
# the 3x3 "triangle", [1, 4, 6, 4, 1] a near-Gaussian). The blur pads by reflection,
# as Zhang's code does, and an even-sized filter pads one pixel more after than
# before.

FILTERS = {
    "[1, 1]": [1, 1],
    "[1, 2, 1]": [1, 2, 1],
    "[1, 4, 6, 4, 1]": [1, 4, 6, 4, 1],
}


def blur_kernel(row):
    kernel = np.outer(row, row).astype(float)
    return kernel / kernel.sum()


def max_pool(x):
    """Max pooling, 2x2 windows, stride 2 (as nn.MaxPool2d(2))."""
    return max_pool2d(x, 2)


def max_blur_pool(x, row):
    """Max pooling at stride 1, then blur and keep every other pixel (MaxBlurPool)."""
    before = (len(row) - 1) // 2
    pads = (before, len(row) - 1 - before)
    dense = max_pool2d(x, 2, stride=1)
    return conv2d(
        dense,
        blur_kernel(row),
        stride=2,
        padding=(pads, pads),
        padding_mode="reflect",
    )


def max_blur_pool_torch(x, row):
    """The same in PyTorch: F.max_pool2d, F.pad (reflect) and F.conv2d."""
    before = (len(row) - 1) // 2
    after = len(row) - 1 - before
    t = torch.from_numpy(x)[None, None]
    dense = F.max_pool2d(t, 2, stride=1)
    padded = F.pad(dense, (before, after, before, after), mode="reflect")
    kernel = torch.from_numpy(blur_kernel(row))[None, None]
    return F.conv2d(padded, kernel, stride=2)[0, 0].numpy()


# %%
# Zhang's one-dimensional example
# -------------------------------
# The signal 0, 0, 1, 1, 0, 0, 1, 1, ... max pooled by 2 gives 0, 1, 0, 1, ...;
# shifted by one pixel it gives 1, 1, 1, 1, ...: a one-pixel shift of the input
# changed every other output from 0 to 1. With the [1, 2, 1] blur the outputs are
# 0.5, 1, 0.5, 1, ... and 0.75, 0.75, ...: each output changes by 0.25 instead of
# every other one by 1 (away from the first unit, where the blur reflects).

signal = np.tile([0.0, 0.0, 1.0, 1.0], 5)[None]  # one row of 20 pixels
shifted = signal[:, 1:-1]  # the row shifted left by one pixel (18 pixels)


def row_max_pool(x):
    return max_pool2d(x, (1, 2))[0]


def row_max_blur_pool(x):
    dense = max_pool2d(x, (1, 2), stride=1)
    kernel = np.array([[1.0, 2.0, 1.0]]) / 4
    out = conv2d(
        dense,
        kernel,
        stride=(1, 2),
        padding=((0, 0), (1, 1)),
        padding_mode="reflect",
    )
    return out[0]


pairs = {
    "max pool": (row_max_pool(signal), row_max_pool(shifted)),
    "max pool + [1, 2, 1] blur": (
        row_max_blur_pool(signal),
        row_max_blur_pool(shifted),
    ),
}
for name, (a, b) in pairs.items():
    print(f"{name:26s} {a[:6]} -> shifted {b[:6]}")
assert pairs["max pool"][0][:4].tolist() == [0, 1, 0, 1]
assert pairs["max pool"][1][:4].tolist() == [1, 1, 1, 1]
assert pairs["max pool + [1, 2, 1] blur"][0][:4].tolist() == [0.5, 1, 0.5, 1]
assert pairs["max pool + [1, 2, 1] blur"][1][1:4].tolist() == [
    0.75,
    0.75,
    0.75,
]
t = torch.from_numpy(signal)[None]
assert np.array_equal(F.max_pool1d(t, 2)[0, 0].numpy(), pairs["max pool"][0])

fig, axes = plt.subplots(
    1, 2, figsize=(6.4, 4), layout="constrained", sharey=True
)
for ax, (name, (a, b)) in zip(axes, pairs.items()):
    units = np.arange(8)
    ax.plot(units, a[:8], "o-", color=COLORS["kernel"], label="the signal")
    ax.plot(units, b[:8], "s--", color="0.3", label="shifted by 1 pixel")
    ax.set_title(name.replace(" + ", " +\n"))
    ax.set_xlabel("output unit")
    ax.set_ylim(-0.1, 1.1)
axes[0].set_ylabel("output")
fig.legend(
    *axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2
)
fig.suptitle("Max pooling by 2 of 0, 0, 1, 1, 0, 0, 1, 1, ...")
plt.show()

# %%
# On a photograph
# ---------------
# Grace Hopper's portrait at 300x256 (area-averaged by 2), cropped to 256x224 at 20
# random places; each crop is compared with the crops one pixel to the right, one
# down, and one diagonally. The measure is the relative change of the pooled map,
# :math:`\|D(T_1 x) - D(x)\| / \|D(x) - \overline{D(x)}\|` for a pooling :math:`D`
# and the crop :math:`T_1 x` shifted by one pixel, averaged over the 60 pairs.
# A shift by two pixels changes nothing: the output shifts by exactly one pixel.

image = photograph(downsample=2)
rng = np.random.default_rng(0)
height, width = 256, 224
corners = rng.integers(0, 30, size=(20, 2))
shifts = [(0, 1), (1, 0), (1, 1)]


def crop(y, x):
    return image[y : y + height, x : x + width]


# Checked against PyTorch on one crop
x0 = crop(*corners[0])
torch_pool = F.max_pool2d(torch.from_numpy(x0)[None, None], 2)[0, 0].numpy()
np.testing.assert_array_equal(max_pool(x0), torch_pool)
for row in FILTERS.values():
    np.testing.assert_allclose(
        max_blur_pool(x0, row), max_blur_pool_torch(x0, row), atol=1e-12
    )
# max pooling by 2 is max pooling by 1, subsampled
np.testing.assert_array_equal(
    max_pool(x0), max_pool2d(x0, 2, stride=1)[::2, ::2]
)
# ... and is exactly equivariant to a shift by 2 pixels
y, x = corners[0]
np.testing.assert_array_equal(
    max_pool(crop(y, x + 2))[:, :-1], max_pool(x0)[:, 1:]
)


def relative_change(pool):
    changes = []
    for y, x in corners:
        before = pool(crop(y, x))
        for dy, dx in shifts:
            after = pool(crop(y + dy, x + dx))
            changes.append(
                np.linalg.norm(after - before)
                / np.linalg.norm(before - before.mean())
            )
    return float(np.mean(changes))


poolings = {"max pool": max_pool}
for name, row in FILTERS.items():
    poolings[f"+ blur {name}"] = lambda x, row=row: max_blur_pool(x, row)
changes = {name: relative_change(pool) for name, pool in poolings.items()}
for name, value in changes.items():
    print(f"{name:24s} relative change under a 1-pixel shift: {value:.3f}")
values = list(changes.values())
assert all(a > b for a, b in pairwise(values))  # more blur, less change
assert values[2] < 0.75 * values[0]

fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
colors = [COLORS["kernel"]] + [COLORS["output"]] * len(FILTERS)
bars = ax.barh(list(changes), values, color=colors, edgecolor="black")
ax.bar_label(bars, fmt="%.3f", padding=3)
ax.invert_yaxis()
ax.set_xlim(0, max(values) * 1.2)
ax.set_xlabel("mean relative change of the output\nunder a 1-pixel shift")
ax.set_title("Max pooling by 2 on a photograph,\nwithout and with a blur")
plt.show()

# %%
# Where the change is
# -------------------
# The difference between the pooled maps of a crop and of the crop shifted one pixel
# to the right: with plain max pooling, every edge of the portrait flickers; after
# the [1, 2, 1] blur, much less does. The remaining change is not an error: a
# one-pixel shift of the input is half a pixel of the output, which no stride-2 map
# can show exactly. What the blur removes is the part that is aliasing.

y, x = corners[0]
diffs = {
    "max pool": max_pool(crop(y, x + 1)) - max_pool(crop(y, x)),
    "max pool + [1, 2, 1] blur": max_blur_pool(crop(y, x + 1), [1, 2, 1])
    - max_blur_pool(crop(y, x), [1, 2, 1]),
}
limit = max(np.abs(d).max() for d in diffs.values())
fig, axes = plt.subplots(
    1, 2, figsize=(6.4, 4.4), sharey=True, layout="constrained"
)
for ax, (name, d) in zip(axes, diffs.items()):
    image_ = ax.imshow(d, cmap="RdBu_r", vmin=-limit, vmax=limit)
    label = name.replace(" + ", " +\n")
    ax.set_title(f"{label}\ntotal |change|: {np.abs(d).sum():.0f}")
    ax.set_xlabel("column")
axes[0].set_ylabel("row")
fig.colorbar(image_, ax=axes, shrink=0.8, label="change of the output")
fig.suptitle("Output change when the input\nmoves one pixel right")
plt.show()
assert (
    np.abs(diffs["max pool + [1, 2, 1] blur"]).sum()
    < np.abs(diffs["max pool"]).sum()
)

# %%
# Zhang applies the same remedy to strided convolutions (convolve at stride 1,
# then blur and subsample) and to average pooling, whose box filter is a weak blur
# already. A network built this way is still equivariant only to shifts by multiples
# of its total stride (32 for a ResNet), but between those it changes smoothly.
#
# In the guide: :doc:`/guide/network_effects`; strided sampling is drawn in
# :ref:`gallery_stride`.
#
# .. admonition:: References
#
#    :func:`convdocs.max_pool2d`, :func:`convdocs.conv2d`; R. Zhang, "Making
#    convolutional networks shift-invariant again", ICML 2019
#    (:ref:`references <zhang-2019>`).
