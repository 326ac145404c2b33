"""
Depthwise-separable and 1x1 convolutions
========================================

A full :math:`k \\times k` convolution filters space and mixes channels in one
step. MobileNet and Xception split the two: a depthwise :math:`k \\times k`
convolution filters each channel on its own, then a 1x1 (pointwise)
convolution mixes the channels at each pixel. This example derives the cost
ratio of the split, :math:`1/C_\\text{out} + 1/k^2`, measures it with
:func:`convdocs.conv_cost` and :func:`convdocs.model_cost` against
``torch.utils.flop_counter.FlopCounterMode``, shows that a 1x1 convolution is
a matrix multiplication over the channels at every pixel, and uses that view
to read the cost of ResNet-50's bottleneck block layer by layer.
"""

# sphinx_gallery_thumbnail_number = 1

from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from convdocs import conv_cost, model_cost
from convdocs.models import resnet50
from convdocs.plot import COLORS

torch.manual_seed(0)


def flops(model, x):
    """The FLOPs FlopCounterMode counts for ``model(x)``."""
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    return counter.get_total_flops()


# %%
# The ratio, derived
# ------------------
# On an output of :math:`H_o \times W_o` positions, a full :math:`k \times k`
# convolution from :math:`C_\text{in}` to :math:`C_\text{out}` channels costs
# :math:`C_\text{out} C_\text{in} k^2 H_o W_o` MACs. The depthwise
# convolution costs :math:`C_\text{in} k^2 H_o W_o` (one kernel per channel)
# and the pointwise one :math:`C_\text{out} C_\text{in} H_o W_o` (a 1x1
# kernel per channel pair). Dividing,
#
# .. math::
#
#    \frac{C_\text{in} k^2 + C_\text{in} C_\text{out}}
#         {C_\text{in} C_\text{out} k^2}
#    = \frac{1}{C_\text{out}} + \frac{1}{k^2},
#
# independent of the input channels and the image size. For 3x3 kernels and
# a few hundred channels the split costs 8 to 9 times less
# (:ref:`Howard et al., 2017 <howard-mobilenets>`). The weights follow the
# same ratio (without biases).


def separable(c_in, c_out, k):
    """Depthwise k x k then pointwise 1x1, no bias, 'same' padding."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in, bias=False),
        nn.Conv2d(c_in, c_out, 1, bias=False),
    )


size, c_in = 28, 32
x = torch.randn(1, c_in, size, size)
measured = {}
for k in (3, 5):
    for c_out in (8, 16, 32, 64, 128, 256, 512):
        full = conv_cost(
            c_in, c_out, (k, k), (size, size), padding=k // 2, bias=False
        )
        dw = conv_cost(
            c_in,
            c_in,
            (k, k),
            (size, size),
            padding=k // 2,
            groups=c_in,
            bias=False,
        )
        pw = conv_cost(c_in, c_out, (1, 1), (size, size), bias=False)
        # exact ratios of integers (Fraction), not rounded floats
        ratio = Fraction(dw.macs + pw.macs, full.macs)
        assert ratio == Fraction(1, c_out) + Fraction(1, k**2)
        assert (
            Fraction(dw.parameters + pw.parameters, full.parameters) == ratio
        )
        # and PyTorch's counts give the same ratio
        full_layer = nn.Conv2d(c_in, c_out, k, padding=k // 2, bias=False)
        pytorch = Fraction(
            flops(separable(c_in, c_out, k), x), flops(full_layer, x)
        )
        assert pytorch == ratio
        measured[k, c_out] = float(pytorch)

outs = np.array([8, 16, 32, 64, 128, 256, 512])
fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
for k, color in ((3, "C0"), (5, "C1")):
    ax.plot(
        outs,
        1 / outs + 1 / k**2,
        "-",
        color=color,
        label=f"1/C_out + 1/{k * k} ({k}x{k})",
    )
    ax.plot(
        outs,
        [measured[k, c] for c in outs],
        "o",
        color=color,
        fillstyle="none",
        label=f"FlopCounterMode, {k}x{k}",
    )
    ax.axhline(1 / k**2, color=color, linestyle=":", linewidth=1)
ax.set_xscale("log", base=2)
ax.set_xticks(outs, [str(c) for c in outs])
ax.set_xlabel("output channels C_out (32 input channels, 28x28)")
ax.set_ylabel("separable MACs / full MACs")
ax.set_title("Depthwise-separable cost\nrelative to a full convolution")
ax.grid(True, alpha=0.3)
ax.legend()
plt.show()

# %%
# A MobileNet block, layer by layer
# ---------------------------------
# MobileNet's building block puts batch norm and ReLU after both halves.
# :func:`convdocs.model_cost` traces the block, walks its shapes and counts
# each layer; batch norm holds parameters but no matrix product, so it counts
# no MACs (nor does FlopCounterMode). Here a stride-2 block from 64 to 128
# channels on a 56x56 map, as in MobileNet's second stage.

block = nn.Sequential(
    nn.Conv2d(64, 64, 3, stride=2, padding=1, groups=64, bias=False),
    nn.BatchNorm2d(64),
    nn.ReLU(),
    nn.Conv2d(64, 128, 1, bias=False),
    nn.BatchNorm2d(128),
    nn.ReLU(),
).eval()
cost = model_cost(block, 56)
print(cost)
assert cost.parameters == sum(p.numel() for p in block.parameters())
assert cost.flops == flops(block, torch.zeros(1, 64, 56, 56))
full = conv_cost(64, 128, (3, 3), (56, 56), stride=2, padding=1, bias=False)
share = Fraction(cost.macs, full.macs)
assert share == Fraction(1, 128) + Fraction(1, 9)
print(
    f"the block does {float(share):.1%} of the work of a full 3x3 convolution"
)
# the pointwise layer does almost all of it
assert cost["3"].macs / cost.macs > 0.9

# %%
# A 1x1 convolution is a matrix product at every pixel
# ----------------------------------------------------
# A 1x1 kernel sees one pixel, so output pixel :math:`(y, x)` is
# :math:`W\,\mathbf{x}_{y,x} + \mathbf{b}`: the same
# :math:`C_\text{out} \times C_\text{in}` matrix applied to the channel
# vector of every pixel (:ref:`Lin, Chen and Yan, 2014 <lin-chen-yan>`, who
# called it a multilayer perceptron sliding over the image). Flatten the
# pixels and it is
# one matrix product, and the same as ``nn.Linear`` on the channel axis.

pointwise = nn.Conv2d(32, 48, 1)
W = pointwise.weight.detach().numpy()[:, :, 0, 0]  # (48, 32)
b = pointwise.bias.detach().numpy()
with torch.no_grad():
    out = pointwise(x).numpy()[0]  # (48, 28, 28)
pixels = x.numpy()[0].reshape(32, -1)  # one column per pixel
by_matmul = (W @ pixels + b[:, None]).reshape(48, size, size)
np.testing.assert_allclose(by_matmul, out, atol=1e-5)

linear = nn.Linear(32, 48)
with torch.no_grad():
    linear.weight.copy_(torch.from_numpy(W))
    linear.bias.copy_(torch.from_numpy(b))
    by_linear = linear(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
np.testing.assert_allclose(by_linear.numpy()[0], out, atol=1e-5)
one_by_one = conv_cost(32, 48, (1, 1), (size, size))
assert one_by_one.macs == W.size * size * size  # one matrix-vector per pixel
print(
    f"1x1 conv 32->48 on {size}x{size}: {size * size} matrix-vector "
    f"products of a 48x32 matrix = {one_by_one.macs:,} MACs"
)

# %%
# 1x1 convolutions in a bottleneck
# --------------------------------
# ResNet-50's bottleneck block (:ref:`He et al., 2016 <he-zhang-ren-sun>`) wraps a
# 3x3 convolution in two 1x1 convolutions: the first shrinks 256 channels
# to 64, the 3x3 works at 64 channels, and the second expands back to 256.
# The costs of ``layer1.1`` at 56x56, read from :func:`convdocs.model_cost`
# on the whole network:

net = resnet50().eval()
net_cost = model_cost(net, 224)
assert net_cost.flops == flops(net, torch.zeros(1, 3, 224, 224))
names = ["layer1.1.conv1", "layer1.1.conv2", "layer1.1.conv3"]
for name in names:
    print(net_cost[name])
assert net_cost["layer1.1.conv2"].macs == 64 * 64 * 9 * 56 * 56

# %%
# The block reads and writes 256 channels for about the price of two 3x3
# convolutions at 64 channels (the basic block of ResNet-18), and for 1/17
# of the price of two 3x3 convolutions at 256 channels: per pixel,
# :math:`256 \cdot 64 + 64 \cdot 64 \cdot 9 + 64 \cdot 256 = 69{,}632`
# weights against :math:`73{,}728` and :math:`1{,}179{,}648`.

bottleneck = sum(net_cost[name].macs for name in names)
narrow, wide = (
    2 * conv_cost(c, c, (3, 3), (56, 56), padding=1, bias=False).macs
    for c in (64, 256)
)
assert Fraction(bottleneck, 56 * 56) == 69632
assert Fraction(narrow, 56 * 56) == 73728
assert Fraction(wide, 56 * 56) == 1179648
print(
    f"bottleneck {bottleneck:,} MACs; two 3x3 at 64 channels {narrow:,}; "
    f"two 3x3 at 256 channels {wide:,} ({wide / bottleneck:.1f}x)"
)

fig, ax = plt.subplots(figsize=(6.4, 4), layout="constrained")
labels = [
    "1x1, 256→64",
    "3x3, 64→64",
    "1x1, 64→256",
    "two 3x3, 64→64",
    "two 3x3, 256→256",
]
values = [net_cost[name].macs / 1e6 for name in names] + [
    narrow / 1e6,
    wide / 1e6,
]
bars = ax.barh(
    labels,
    values,
    color=[COLORS["kernel"]] * 3 + [COLORS["padding"]] * 2,
    edgecolor="black",
)
ax.bar_label(bars, [f"{v:,.0f} M" for v in values], padding=4)
ax.invert_yaxis()
ax.set_xlim(0, wide / 1e6 * 1.25)
ax.set_xlabel("million MACs at 56x56\n(model_cost = FlopCounterMode / 2)")
ax.set_title("ResNet-50 layer1.1 (orange)\nagainst plain 3x3 blocks (grey)")
plt.show()
