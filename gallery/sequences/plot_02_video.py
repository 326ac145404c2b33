r"""
Video: 3-D convolutions over time, height and width
===================================================

A video clip is a tensor of shape (batch, channels, time, height, width), and
``nn.Conv3d`` slides a kernel along all three axes. Nothing new is needed to
follow it: each axis obeys the output-size formula on its own, with its own kernel
size, stride, padding and dilation. This example follows a clip through C3D (Tran
et al., 2015), whose first pooling is 1x2x2 so that it does not merge frames too
early, computes the receptive field along each axis, and compares a full 3x3x3
kernel with its (2+1)-D factorisation into a 1x3x3 spatial and a 3x1x1 temporal
convolution (R(2+1)D, Tran et al., 2018): the same field, and a parameter count that
the factorisation lets one choose. Every shape is checked against PyTorch, every
field against autograd.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from convdocs import (
    conv_output_size,
    empirical_receptive_field,
    explain_shapes,
    receptive_field,
)


def meta_shape(module, shape):
    """The output shape PyTorch computes, on the meta device (no data, no time)."""
    return tuple(module.to("meta")(torch.empty(shape, device="meta")).shape)


# %%
# One formula per axis
# --------------------
# The stem of torchvision's 3-D ResNet (``r3d_18``) has a 3x7x7 kernel with
# stride (1, 2, 2): it halves the height and the width of a 16-frame, 112x112
# clip and keeps all 16 frames. ``conv_output_size`` with tuples is the
# one-dimensional formula applied per axis.

clip = (16, 112, 112)  # time, height, width
kernel, stride, padding = (3, 7, 7), (1, 2, 2), (1, 3, 3)
out = conv_output_size(clip, kernel, stride, padding)
per_axis = tuple(
    conv_output_size(n, k, s, p)
    for n, k, s, p in zip(clip, kernel, stride, padding)
)
stem = nn.Conv3d(3, 64, kernel, stride, padding)
print(f"{clip} -> {out}")
assert out == per_axis == meta_shape(stem, (1, 3, *clip))[2:] == (16, 56, 56)

# %%
# C3D, layer by layer
# -------------------
# C3D has eight 3x3x3 convolutions (padding 1, stride 1) and five max-poolings:
# 1x2x2 first, then 2x2x2; the last pads height and width by 1 so that 7x7 pools to
# 4x4. :func:`convdocs.explain_shapes` follows the clip through the network without
# running it and shows the arithmetic of each axis. The network is built on
# PyTorch's meta device: shapes without weights in memory.


def c3d(width=64, device=None):
    """C3D's convolutional part: 8 convolutions, 5 poolings (Tran et al., 2015)."""
    widths = [width, 2 * width, 4 * width, 8 * width, 8 * width]

    def conv(a, b):
        return [nn.Conv3d(a, b, 3, padding=1, device=device), nn.ReLU()]

    return nn.Sequential(
        *conv(3, widths[0]),
        nn.MaxPool3d((1, 2, 2)),
        *conv(widths[0], widths[1]),
        nn.MaxPool3d(2),
        *conv(widths[1], widths[2]),
        *conv(widths[2], widths[2]),
        nn.MaxPool3d(2),
        *conv(widths[2], widths[3]),
        *conv(widths[3], widths[3]),
        nn.MaxPool3d(2),
        *conv(widths[3], widths[4]),
        *conv(widths[4], widths[4]),
        nn.MaxPool3d(2, padding=(0, 1, 1)),
    )


net = c3d(device="meta")
report = explain_shapes(net, clip)
print(report)
last = report.steps[-1].shape
assert report.ok
assert last == meta_shape(net, (1, 3, *clip)) == (1, 512, 1, 4, 4)
print("features for the first fully connected layer:", np.prod(last[1:]))
assert np.prod(last[1:]) == 8192

# %%
# Time is pooled four times and space five: the 16 frames end as 1, the 112x112
# pixels as 4x4. The receptive field (right) grows along each axis with that
# axis's own strides; the first pooling's 1 in time is why the time field lags.
# :func:`convdocs.receptive_field` follows the same walk; the field does not depend
# on the number of channels, so a one-channel copy gives it.

rf = receptive_field(c3d(width=1), clip)
# C3D's names for its layers; the first row is the clip itself
labels = [
    "clip",
    "c1",
    "p1",
    "c2",
    "p2",
    "c3a",
    "c3b",
    "p3",
    "c4a",
    "c4b",
    "p4",
    "c5a",
    "c5b",
    "p5",
]
assert len(rf.layers) == len(labels)
assert all(row.size[1] == row.size[2] for row in rf.layers)  # height = width
fig, axes = plt.subplots(
    2, 1, figsize=(6.4, 7.4), sharex=True, layout="constrained"
)
for axis, name, style in [(0, "time", "o-"), (1, "height, width", "s--")]:
    sizes = [row.output_size[axis] for row in rf.layers]
    fields = [row.size[axis] for row in rf.layers]
    axes[0].plot(sizes, style, label=name)
    axes[1].plot(fields, style, label=name)
for ax, title, label in [
    (axes[0], "Output size per axis", "size (frames or pixels)"),
    (axes[1], "Receptive field per axis", "field (frames or pixels)"),
]:
    ax.set_yscale("log", base=2)
    # 4, not 2 with a small superscript 2
    ax.yaxis.set_major_formatter("{x:g}")
    ax.set_title(title)
    ax.set_xticks(range(len(labels)), labels, rotation=90)
    ax.set_ylabel(label)
    ax.grid(True, alpha=0.3)
    ax.legend()
axes[1].set_xlabel("layer")
fig.suptitle("C3D on a 16x112x112 clip")
plt.show()
print(f"field {rf.size}, effective stride {rf.stride}")
assert rf.size == (76, 150, 150) and rf.stride == (16, 32, 32)

# %%
# Each pool5 unit sees 76 frames: more than the clip holds, so every unit sees all
# 16. Autograd on the one-channel copy agrees for a corner unit, where the field
# is cut by the clip's borders.

unit = (0, 1, 3)
measured = empirical_receptive_field(c3d(width=1), clip, unit)
print(f"unit {unit} sees {measured.interval}")
assert measured.interval == rf.interval(unit, clip=True)

# %%
# (2+1)-D: a spatial and a temporal convolution
# ---------------------------------------------
# R(2+1)D replaces each :math:`k_t \times k_s \times k_s` kernel (time, then
# space) from :math:`C_\text{in}` to :math:`C_\text{out}` channels by a
# :math:`1 \times k_s \times k_s` convolution to :math:`M` channels followed by
# a :math:`k_t \times 1 \times 1` one. The two reach the same
# :math:`k_t \times k_s \times k_s` block of the input, for every unit:

full = nn.Conv3d(1, 1, 3, padding=1)
factorised = nn.Sequential(
    nn.Conv3d(1, 1, (1, 3, 3), padding=(0, 1, 1)),
    nn.ReLU(),
    nn.Conv3d(1, 1, (3, 1, 1), padding=(1, 0, 0)),
)
size = (6, 8, 8)
a, b = receptive_field(full, size), receptive_field(factorised, size)
assert a.size == b.size == (3, 3, 3)
for unit in [(0, 0, 0), (2, 3, 4), (5, 7, 7)]:
    assert a.interval(unit) == b.interval(unit)
    got = empirical_receptive_field(factorised, size, unit).interval
    assert got == a.interval(unit, clip=True)
print("full and (2+1)-D: field", a.size, "for every unit")

# %%
# The weights (biases left out, as in the paper's count) are
#
# .. math::
#
#    k_t k_s^2 C_\text{in} C_\text{out}
#    \quad\text{against}\quad
#    k_s^2 C_\text{in} M + k_t M C_\text{out}.
#
# With :math:`M = C_\text{out}` the factorisation is cheaper wherever
# :math:`C_\text{out} < 2 k_s^2 C_\text{in} / k_t = 6 C_\text{in}`: every layer
# but the first, whose three colour channels make it dearer. R(2+1)D instead
# picks
#
# .. math::
#
#    M = \left\lfloor \frac{k_t k_s^2 C_\text{in} C_\text{out}}
#                      {k_s^2 C_\text{in} + k_t C_\text{out}} \right\rfloor,
#
# which spends the same budget as the full kernel and adds a nonlinearity between
# the two convolutions. The counts, for C3D's layer widths, against PyTorch's:


def weights(module):
    return sum(p.numel() for p in module.parameters())


def two_plus_one(c_in, c_out, mid, kt=3, ks=3):
    return nn.Sequential(
        nn.Conv3d(c_in, mid, (1, ks, ks), bias=False, device="meta"),
        nn.ReLU(),
        nn.Conv3d(mid, c_out, (kt, 1, 1), bias=False, device="meta"),
    )


kt = ks = 3  # the temporal and the spatial kernel size
widths = [(3, 64), (64, 128), (128, 256), (256, 512), (512, 512)]
counts = {"3x3x3": [], "(2+1)-D, M = C_out": [], "(2+1)-D, R(2+1)D's M": []}
print(" C_in  C_out     3x3x3   M=C_out      M   R(2+1)D")
for c_in, c_out in widths:
    mid = kt * ks * ks * c_in * c_out // (ks * ks * c_in + kt * c_out)
    full = weights(nn.Conv3d(c_in, c_out, 3, bias=False, device="meta"))
    cheap = weights(two_plus_one(c_in, c_out, c_out))
    matched = weights(two_plus_one(c_in, c_out, mid))
    assert full == kt * ks * ks * c_in * c_out
    assert cheap == ks * ks * c_in * c_out + kt * c_out * c_out
    assert matched == ks * ks * c_in * mid + kt * mid * c_out
    # R(2+1)D's M matches the full count to within one intermediate channel
    assert matched <= full < matched + ks * ks * c_in + kt * c_out
    assert (cheap < full) == (c_out < 6 * c_in)
    for key, value in zip(counts, [full, cheap, matched]):
        counts[key].append(value)
    print(f"{c_in:5d} {c_out:6d} {full:9d} {cheap:9d} {mid:6d} {matched:9d}")

x = np.arange(len(widths))
fig, ax = plt.subplots(figsize=(6.4, 5), layout="constrained")
for i, (label, values) in enumerate(counts.items()):
    ax.bar(x + (i - 1) * 0.27, np.array(values) / 1e6, width=0.27, label=label)
ax.set_xticks(x, [f"{a}→{b}" for a, b in widths])
ax.set_xlabel("channels C_in → C_out")
ax.set_ylabel("weights (millions)")
ax.set_title("Full 3x3x3 kernel against\nits (2+1)-D factorisation")
ax.grid(True, axis="y", alpha=0.3)
fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center")
plt.show()

# %%
# In the guide: :doc:`/guide/sequences`. One dimension, with causal padding:
# :ref:`sphx_glr_auto_examples_sequences_plot_01_causal.py`.
#
# .. admonition:: References
#
#    :func:`convdocs.conv_output_size`, :func:`convdocs.explain_shapes`,
#    :func:`convdocs.receptive_field`, :func:`convdocs.empirical_receptive_field`;
#    :ref:`Tran et al. (2015) <tran-c3d>`, section 3 (C3D's architecture);
#    :ref:`Tran et al. (2018) <tran-r2plus1d>`, section 3.5 ((2+1)-D convolutions).
