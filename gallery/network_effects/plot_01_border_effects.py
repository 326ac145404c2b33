"""
How much of a unit's receptive field is padding
===============================================

Padding keeps the sizes, but a unit near the border then reads zeros where its field
reaches past the image. How many units does that concern, and how much of their field?
:func:`convdocs.padding_share` answers per output unit, by arithmetic on the exact
receptive-field intervals: the share of the unit's *theoretical* field (the input
pixels it would depend on if the image went on for ever) that lies outside the image.

For a small network only the units near the border are touched. For ResNet-50 at its
usual 224x224 input every output unit's field (427 pixels across) is larger than the
image, so every unit sees padding, and at least 72% of every field is padding.
Autograd measures the same fields on an image padded explicitly by a wide margin.
"""

# sphinx_gallery_thumbnail_number = 2

import copy

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch
from torch import nn

from convdocs import (
    empirical_receptive_field,
    padding_share,
    parse_layers,
    receptive_field,
)
from convdocs.models import resnet50
from convdocs.plot import COLORS, draw_padding_share

# %%
# A small network, one axis
# -------------------------
# Five 3x3 convolutions with padding 1 and two 2x2 max pools, on a row of 48
# pixels: 12 output units, each with a field of 24 pixels, 4 pixels apart. The first
# unit's field starts 10 pixels before the image (the effective padding), so 10 of
# its 24 pixels are padding; the fields of units 3 to 8 lie inside the image.

net = parse_layers("conv3p1,conv3p1,pool2,conv3p1,conv3p1,pool2,conv3p1")
size = 48
result = padding_share(net, size)
start, stop = result.start[0], result.stop[0]
print("fields:", list(zip(start.tolist(), stop.tolist())))
print("share in the padding:", result.share.round(3).tolist())
assert receptive_field(net).size == 24
assert start.tolist() == [4 * u - 10 for u in range(12)]
assert np.flatnonzero(result.share == 0).tolist() == [3, 4, 5, 6, 7, 8]
assert np.isclose(result.share[0], 10 / 24)

fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
ax.axvspan(-0.5, size - 0.5, color=COLORS["input"], label="image")
for u, (a, b) in enumerate(zip(start, stop)):
    lo, hi = max(a, 0), min(b, size)  # the part inside the image
    ax.barh(u, b - a, left=a - 0.5, color=COLORS["padding"], edgecolor="k")
    ax.barh(u, hi - lo, left=lo - 0.5, color=COLORS["output"])
    ax.text(b + 0.5, u, f"{100 * result.share[u]:.0f}%", va="center")
ax.set_xlim(start.min() - 1, stop.max() + 5)
ax.invert_yaxis()
ax.set_xlabel("input pixel")
ax.set_ylabel("output unit")
ax.set_title("Fields of the 12 output units on a 48-pixel row")
roles = [("image", "input"), ("field in the image", "output")]
roles.append(("field in the padding", "padding"))
handles = [Patch(color=COLORS[role], label=label) for label, role in roles]
fig.legend(handles=handles, loc="outside lower center", ncols=2)
plt.show()

# %%
# Measured with autograd
# ----------------------
# A unit's theoretical field is what it depends on when no layer's padding is in
# reach. Padding the image explicitly by a margin of :math:`c` times the total
# stride shifts every unit by :math:`c`: unit :math:`u` becomes unit :math:`u + c`,
# and with a margin wider than the field, that unit reads no padding at all. Its
# gradient (:func:`convdocs.empirical_receptive_field`) marks its field; shifted back
# by the margin, it equals the interval convdocs computed, for every unit.

stride, c = 4, 8
margin = c * stride  # 32 pixels: more than the field
for u in range(12):
    measured = empirical_receptive_field(net, size + 2 * margin, unit=u + c)
    a, b = measured.interval
    assert (a - margin, b - margin) == (start[u], stop[u])
print("the fields of all 12 units agree with autograd")

# %%
# ResNet-50 at 224x224
# --------------------
# ResNet-50's last spatial layer has 7x7 units with a field of 427x427 pixels, 32
# pixels apart, starting 213 pixels before the image: the corner unit's field covers
# the rows -213 to 213, the last unit's -21 to 405. Every unit sees padding; along
# one axis at least 203 of the 427 pixels are padding, so in two dimensions at least
# :math:`1 - (224/427)^2 = 72.5\%` of every field. The map is not symmetric: the
# units are centred on pixels 0, 32, ..., 192, so the grid sits 15.5 pixels above
# and left of the image's centre, and the first row and column see more padding
# than the last.

model = resnet50()
rn = padding_share(model, 224)
rf = receptive_field(model, 224)
print(rf.size, rf.stride, rf.padding, rn.output_size)
print(
    "fields along one axis:",
    list(zip(rn.start[0].tolist(), rn.stop[0].tolist())),
)
assert (rf.size, rf.stride, rf.padding) == ((427, 427), (32, 32), (213, 213))
assert rn.sees_padding.all()
assert np.isclose(rn.share.min(), 1 - (224 / 427) ** 2)
assert np.isclose(rn.share[0, 0], 1 - (214 / 427) ** 2)

ax = draw_padding_share(rn)
ax.set_title("ResNet-50 at 224x224:\nshare in the padding")
plt.show()

# %%
# The ResNet-50 fields, measured
# ------------------------------
# The same measurement for ResNet-50 needs a margin of 448 pixels (14 strides of
# 32) on each side, a 1120x1120 canvas. Only the geometry matters for the field, so
# the network is measured with one channel per layer (every convolution keeps its
# kernel, stride and padding; batch norms and the classifier become identities),
# which makes the canvas cheap.


def one_channel(model):
    """A copy of ``model`` with every Conv2d one channel wide, batch norms and linear
    layers replaced by identities: the same geometry, hence the same fields."""
    thin = copy.deepcopy(model)
    for name, module in list(thin.named_modules()):
        owner, _, attr = name.rpartition(".")
        if isinstance(module, nn.Conv2d):
            k, s, p, d = (
                module.kernel_size,
                module.stride,
                module.padding,
                module.dilation,
            )
            layer = nn.Conv2d(1, 1, k, s, p, d, bias=False)
            setattr(thin.get_submodule(owner), attr, layer)
        elif isinstance(module, (nn.BatchNorm2d, nn.Linear)):
            setattr(thin.get_submodule(owner), attr, nn.Identity())
    return thin


thin, c, margin = one_channel(model), 14, 448
assert receptive_field(thin, 224).size == rf.size
for u in (0, 6):
    measured = empirical_receptive_field(
        thin, 224 + 2 * margin, unit=(u + c, u + c), layer="layer4"
    )
    fields = [(a - margin, b - margin) for a, b in measured.interval]
    print(f"unit ({u}, {u}): measured {fields}")
    assert fields == [
        (rn.start[0][u], rn.stop[0][u]),
        (rn.start[1][u], rn.stop[1][u]),
    ]

# %%
# Larger inputs
# -------------
# The field does not depend on the input; the image does. As it grows, the share in
# the padding falls and the units away from the border stop seeing any: from 448x448
# some of ResNet-50's units see only the image, and at 896x896 still 71% of the
# units see some padding. Networks trained at 224 see padding everywhere; this is
# what lets them learn where the border is (the next example).

sizes = [64, 128, 224, 320, 448, 640, 896]
shares = [padding_share(model, n) for n in sizes]
mean = [r.share.mean() for r in shares]
touched = [r.sees_padding.mean() for r in shares]
for n, m, t in zip(sizes, mean, touched):
    print(
        f"{n:4d}x{n:<4d}: mean share {m:.3f}, units seeing padding {100 * t:.0f}%"
    )
assert touched[:4] == [1.0] * 4
assert touched[4] < 1
assert round(touched[-1], 2) == 0.71

fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
ax.plot(
    sizes,
    mean,
    "o-",
    color=COLORS["kernel"],
    label="mean share of a field in the padding",
)
ax.plot(
    sizes, touched, "s--", color="0.3", label="share of units that see padding"
)
ax.axvline(
    224, color=COLORS["input"], linewidth=3, label="224: the usual input"
)
ax.set_xlabel("input size (pixels per side)")
ax.set_ylabel("share")
ax.set_ylim(0, 1.05)
ax.set_title("ResNet-50: padding in the fields\nof its output units")
ax.grid(True, alpha=0.3)
fig.legend(loc="outside lower center")  # below: the lines fill the axes
plt.show()

# %%
# In the guide: :doc:`/guide/network_effects` and :doc:`/guide/receptive_field`.
#
# .. admonition:: References
#
#    :func:`convdocs.padding_share`, :func:`convdocs.receptive_field`,
#    :func:`convdocs.empirical_receptive_field`; A. Araujo, W. Norris and J. Sim,
#    "Computing receptive fields of convolutional neural networks", Distill, 2019
#    (:ref:`references <araujo-norris-sim>`).
