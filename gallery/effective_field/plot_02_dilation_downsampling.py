r"""
Dilation, downsampling and ResNet-50's effective field
======================================================

Twelve 3x3 convolutions see 25 pixels; with dilation, a stride or pooling
the same twelve layers see 57 to 90. Does the effective receptive field, where the
gradient's mass actually lies, grow with them? This example measures it
with :func:`convdocs.effective_receptive_field` for four stacks of twelve
layers at random initialisation, then for one unit of ResNet-50 at
224x224, whose theoretical field is 427 pixels wide, much more than the
image.

Which numbers depend on the weights: the theoretical field, its size and
where it lies, are geometry (:func:`convdocs.receptive_field`) and hold for
any weights, trained or not. The effective field, its radius, area and
spread, depends on the weights: here random ones, drawn with a fixed seed.
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from convdocs import (
    effective_receptive_field,
    empirical_receptive_field,
    receptive_field,
)
from convdocs.models import resnet50
from convdocs.plot import draw_effective_field

# One thread: for these small inputs, on a busy machine, threads waiting
# for each other cost more time than they save.
torch.set_num_threads(1)


def conv(dilation=1, stride=1):
    """A one-channel 3x3 convolution that keeps the size (at stride 1)."""
    return nn.Conv2d(1, 1, 3, stride, padding=dilation, dilation=dilation)


torch.manual_seed(0)
stacks = {
    "plain": nn.Sequential(*[conv() for _ in range(12)]),
    "dilations 1, 2, 4, 1, 2, 4, ...": nn.Sequential(
        *[conv(dilation=d) for d in (1, 2, 4) * 4]
    ),
    "stride 2 in layers 1 and 2": nn.Sequential(
        conv(stride=2), conv(stride=2), *[conv() for _ in range(10)]
    ),
    "2x2 average pool after 1 and 2": nn.Sequential(
        conv(), nn.AvgPool2d(2), conv(), nn.AvgPool2d(2),
        *[conv() for _ in range(10)],
    ),
}  # fmt: skip

# %%
# Four stacks of twelve layers
# ----------------------------
# Every stack has twelve 3x3 convolutions, random weights (at the scale of
# PyTorch's default initialisation, drawn anew for each of 16 samples) and no activation, so
# every path from a pixel to the unit carries some gradient: the support of
# each map is exactly the field autograd measures with
# :func:`convdocs.empirical_receptive_field`, and that is the interval
# :func:`convdocs.receptive_field` computes.

size = 96
fields = {}
print(f"{'stack':32s} field  std  4 std  4 std / field  r 95%")
for name, model in stacks.items():
    erf = effective_receptive_field(model, size, samples=16, seed=0)
    measured = empirical_receptive_field(model, size)
    rf = receptive_field(model, size)
    assert erf.unit == measured.unit
    assert erf.theoretical == rf.interval(erf.unit) == measured.interval
    assert np.array_equal(erf.map > 0, measured.mask)
    fields[name] = erf
    width = 4 * erf.std[0]
    print(
        f"{name:32s} {rf.size[0]:5d}  {erf.std[0]:4.1f}  {width:5.1f}"
        f"  {width / rf.size[0]:12.2f}  {erf.radius(0.95):5.1f}"
    )

plain = fields["plain"].std[0]
assert all(f.std[0] > 1.5 * plain for f in list(fields.values())[1:])
assert all(
    4 * f.std[0] < 0.75 * f.theoretical_size[0] for f in fields.values()
)

# %%
# The numbers per axis: a Gaussian holds 95% of its mass within two
# standard deviations of its centre, so :math:`4\sigma` is the width of the
# band that matters, to set against the field's width. Both dilation and
# downsampling widen the effective field together with the theoretical
# one: a layer after a stride or a pool, or a dilated layer, steps over
# several input pixels at once, so the same random walk of :math:`L` steps
# covers more ground. The effective width stays near two thirds of the
# field's at this depth (the ratio shrinks like :math:`1/\sqrt{L}`). The
# dilated stack's map keeps the grid of its taps, and the strided and
# pooled ones show the blocks of their coarser grids: the Gaussian of the
# previous example is a statement about many small steps.

fig, axes = plt.subplots(2, 2, figsize=(6.4, 8), layout="constrained")
for ax, (name, erf) in zip(axes.flat, fields.items()):
    title = (
        f"{name}\nfield {erf.theoretical_size[0]}, "
        f"95% within r = {erf.radius():.1f}"
    )
    draw_effective_field(erf, ax=ax, title=title)
for ax in axes[0]:
    ax.set_xlabel("")  # the same columns as below
for ax in axes[:, 1]:
    ax.set_ylabel("")  # the same rows as on the left
fig.suptitle("Twelve 3x3 layers, random weights,\n96x96 input")
plt.show()

# %%
# ResNet-50's unit at 224x224
# ---------------------------
# The centre unit of ResNet-50's last spatial layer (``layer4``, a 7x7
# map) has a theoretical field of 427x427 pixels that starts 117 pixels
# before the image and ends 86 past it (the effective padding, 213, is
# geometry too). Measured at random initialisation (normal weights at the
# scale of torchvision's initialisation, drawn anew for each of 2 samples;
# two samples keep this example fast and make the map noisy, not wrong),
# the
# gradient's mass lies in a bump around the unit's centre: 95% of it within
# the radius below, half of it much closer. (Only the image has pixels, so
# the shares are of the mass inside it; padding receives none.)

torch.manual_seed(0)
model = resnet50()
rf = receptive_field(model, 224)
erf = effective_receptive_field(model, 224, samples=2, seed=0)
assert erf.layer == rf.name == "layer4.2.relu"
assert rf.size == (427, 427)
assert erf.theoretical == rf.interval(erf.unit) == ((-117, 310),) * 2
r95, r50 = erf.radius(0.95), erf.radius(0.5)
assert r50 < r95 < 213
print(f"unit {erf.unit} of {erf.layer!r}")
print(f"theoretical field (any weights): {rf.size}, at {erf.theoretical}")
print(f"effective field (these weights): 95% within {r95:.0f} px,")
print(f"    50% within {r50:.0f} px, std {erf.std[0]:.0f} px per axis")

fig, ax = plt.subplots(figsize=(5.5, 5.5), layout="constrained")
title = (
    "ResNet-50, layer4 unit (3, 3), random weights\n"
    f"theoretical field 427 (orange),\n95% within r = {r95:.0f} px"
)
draw_effective_field(erf, ax=ax, title=title)
plt.show()

# %%
# The effective field is a few times smaller than the theoretical one
# but, at initialisation, still spans much of the image: ResNet-50 is deep
# (50 layers on its longest path), but its shortcuts add many short paths
# and its strides make every step count 2 to 32 pixels. Luo et al. observe
# that training makes the effective field grow, and that skip connections
# make it smaller; this site does not train, so it shows neither. The
# theoretical numbers above would be the same for trained weights; the
# effective ones would not. See :doc:`/guide/effective_field`.
#
# .. admonition:: References
#
#    :func:`convdocs.effective_receptive_field`,
#    :func:`convdocs.receptive_field`,
#    :func:`convdocs.empirical_receptive_field`; W. Luo, Y. Li, R. Urtasun
#    and R. Zemel, "Understanding the effective receptive field in deep
#    convolutional neural networks", NeurIPS 2016 (:ref:`references
#    <luo-li-urtasun-zemel>`); K. He, X. Zhang, S. Ren and J. Sun, "Deep
#    residual learning for image recognition", CVPR 2016 (:ref:`references
#    <he-zhang-ren-sun>`).
