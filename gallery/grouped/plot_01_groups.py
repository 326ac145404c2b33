"""
Groups: one convolution split into independent ones
====================================================

A convolution with ``groups=g`` splits its input channels and its output
channels into :math:`g` groups and convolves each group on its own: every
output channel reads only the :math:`C_\\text{in}/g` input channels of its
group. The output shape does not change, but the layer holds :math:`g` times
fewer weights and does :math:`g` times less work. This example counts both
with :func:`convdocs.conv_cost` for every :math:`g` from 1 to the channel
count, checks each number against PyTorch's parameter count and
``torch.utils.flop_counter.FlopCounterMode``, draws which input channels each
output channel sees, proves the drawing right by perturbing the input, and
ends at :math:`g = C`, the *depthwise* convolution of MobileNet
(:ref:`Howard et al., 2017 <howard-mobilenets>`) and Xception
(:ref:`Chollet, 2017 <chollet-xception>`). Groups themselves go back to
AlexNet's split over two GPUs (:ref:`Krizhevsky et al., 2012
<krizhevsky-alexnet>`) and became a design choice in ResNeXt
(:ref:`Xie et al., 2017 <xie-resnext>`).
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from convdocs import conv2d, conv_cost
from convdocs.plot import COLORS, draw_group_connectivity

torch.manual_seed(0)


def pytorch_cost(layer, x):
    """PyTorch's parameter count, FLOPs and output shape for one input."""
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        out = layer(x)
    parameters = sum(p.numel() for p in layer.parameters())
    return parameters, counter.get_total_flops(), tuple(out.shape)


# %%
# Every number of groups, counted and checked
# -------------------------------------------
# A 3x3 convolution from 64 to 64 channels, padding 1, on a 32x32 map.
# ``groups`` must divide both channel counts (PyTorch refuses the others, and
# so does convdocs), so the choices are the divisors of 64. With a bias, the
# parameters are :math:`C_\text{out} \cdot (C_\text{in}/g) \cdot k^2 +
# C_\text{out}`, and the multiply-accumulates (MACs) are the weights times the
# :math:`32 \times 32` output positions. FlopCounterMode counts two FLOPs per
# MAC and leaves the bias out, as convdocs does.

channels, size = 64, 32
x = torch.randn(1, channels, size, size)
rows = []
for g in (1, 2, 4, 8, 16, 32, 64):
    cost = conv_cost(
        channels, channels, (3, 3), (size, size), padding=1, groups=g
    )
    layer = nn.Conv2d(channels, channels, 3, padding=1, groups=g)
    parameters, flops, shape = pytorch_cost(layer, x)
    assert (cost.parameters, cost.flops) == (parameters, flops)
    assert cost.output_shape == shape == (1, 64, 32, 32)
    rows.append((g, cost.parameters, cost.macs))
    print(
        f"groups {g:2d}: output {shape}, {cost.parameters:6,} parameters, "
        f"{cost.macs:10,} MACs"
    )

full_macs = rows[0][2]
for g, _, macs in rows:
    assert macs * g == full_macs  # exactly 1/g of the full convolution's work

fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
groups = [r[0] for r in rows]
ax.plot(
    groups,
    [r[2] for r in rows],
    "o-",
    color="C0",
    label="MACs (convdocs = FlopCounterMode / 2)",
)
ax.plot(
    groups,
    [r[1] for r in rows],
    "s--",
    color="C1",
    label="parameters (convdocs = PyTorch)",
)
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.yaxis.set_major_formatter("{x:,.0f}")  # 10,000, not 10 with a superscript 4
ax.set_xticks(groups, [str(g) for g in groups])
ax.set_xlabel("groups $g$ (64 input and 64 output channels)")
ax.set_ylabel("count (log scale)")
ax.set_title("Conv2d 64→64, 3x3, on 32x32:\ncost divided by $g$")
ax.grid(True, alpha=0.3)
ax.legend()
plt.show()

# %%
# Only the biases do not shrink with :math:`g`: at :math:`g = 64` they are
# 64 of the 640 parameters, so the parameters fall by a factor 57.7, not 64.
assert rows[-1][1] == 64 * 9 + 64

# %%
# What each output channel sees
# -----------------------------
# :func:`convdocs.plot.draw_group_connectivity` draws one line per kernel:
# from each output channel to each input channel it reads. With 8 channels,
# :math:`g = 1` joins every pair (64 kernels), :math:`g = 2` two blocks of
# 4x4, and :math:`g = 8` only channel :math:`c` to channel :math:`c`.

fig, axes = plt.subplots(2, 2, figsize=(6.4, 7.6), layout="constrained")
for ax, g in zip(axes.flat, (1, 2, 4, 8)):
    draw_group_connectivity(8, 8, groups=g, ax=ax)
    ax.set_title(f"groups = {g}")
fig.suptitle("Which input channels each output channel\nreads (8 channels)")
plt.show()

# %%
# The drawing is checked against PyTorch: add 1 to one input channel at a
# time and record which output channels change. The pairs that change are
# exactly the lines drawn, for every :math:`g`.


def reads(layer, in_channels):
    """reads[o, c]: does output channel o change when input channel c does?"""
    base = torch.randn(1, in_channels, 6, 6)
    with torch.no_grad():
        before = layer(base)
        changed = []
        for c in range(in_channels):
            bumped = base.clone()
            bumped[0, c] += 1.0
            diff = (layer(bumped) - before).abs().amax(dim=(0, 2, 3))
            changed.append((diff > 0).numpy())
    return np.stack(changed, axis=1)


for g in (1, 2, 4, 8):
    ax = draw_group_connectivity(8, 8, groups=g)
    lines = next(c for c in ax.collections if c.get_gid() == "weights")
    drawn = np.zeros((8, 8), dtype=bool)
    for (_, y_out), (_, y_in) in lines.get_segments():
        drawn[int(y_out), int(y_in)] = True  # 8 channels: channel c at c + 0.5
    plt.close(ax.figure)
    measured = reads(nn.Conv2d(8, 8, 3, padding=1, groups=g), 8)
    assert (measured == drawn).all()
    assert drawn.sum() == 8 * 8 // g
print("lines drawn = channel pairs that PyTorch's output depends on, g = 1..8")

# %%
# A grouped convolution is g convolutions side by side
# ----------------------------------------------------
# Split the input channels into :math:`g` slices and the weight into the
# :math:`g` blocks of output channels, convolve each slice with its block,
# and stack the results: that is PyTorch's grouped convolution, value for
# value. Here with :func:`convdocs.conv2d`, convdocs' numpy reference.

g = 4
layer = nn.Conv2d(8, 12, 3, padding=1, groups=g, bias=False)
x8 = torch.randn(1, 8, 10, 10)
with torch.no_grad():
    expected = layer(x8).numpy()[0]
weight = layer.weight.detach().numpy()  # (12, 8 / 4, 3, 3)
pieces = [
    conv2d(
        x8.numpy()[0, 2 * i : 2 * i + 2], weight[3 * i : 3 * i + 3], padding=1
    )
    for i in range(g)
]
np.testing.assert_allclose(np.concatenate(pieces), expected, atol=1e-5)
np.testing.assert_allclose(
    conv2d(x8.numpy()[0], weight, padding=1, groups=g), expected, atol=1e-5
)
print(f"groups={g}: {g} separate convolutions of 2 -> 3 channels, stacked")

# %%
# Depthwise: one kernel per channel
# ---------------------------------
# At :math:`g = C_\text{in}` every group holds a single input channel: each
# output channel is one input channel filtered by its own :math:`k \times k`
# kernel, with no mixing across channels. This *depthwise* convolution has
# :math:`C k^2` weights instead of :math:`C^2 k^2`, a factor :math:`C`
# fewer. With ``out_channels = m * in_channels`` (a *depth multiplier*
# :math:`m`) each input channel gets :math:`m` kernels of its own.

for multiplier in (1, 2):
    cost = conv_cost(
        64, 64 * multiplier, (3, 3), (32, 32), padding=1, groups=64, bias=False
    )
    layer = nn.Conv2d(64, 64 * multiplier, 3, padding=1, groups=64, bias=False)
    assert (cost.parameters, cost.flops, cost.output_shape) == pytorch_cost(
        layer, x
    )
    assert cost.parameters == 64 * multiplier * 9
    print(
        f"depthwise, multiplier {multiplier}: {cost.parameters} parameters, "
        f"{cost.macs:,} MACs, output {cost.output_shape}"
    )

# one depthwise channel = a plain 2-D convolution of one channel
depthwise = nn.Conv2d(64, 64, 3, padding=1, groups=64, bias=False)
with torch.no_grad():
    out = depthwise(x).numpy()[0]
kernel = depthwise.weight.detach().numpy()[5, 0]  # channel 5's own kernel
np.testing.assert_allclose(
    conv2d(x.numpy()[0, 5], kernel, padding=1), out[5], atol=1e-5
)

# %%
# Depthwise convolution mixes nothing across channels, so on its own it
# cannot combine colours or features: a depthwise-separable block follows it
# with a 1x1 convolution that does the mixing (next example). Its bar in the
# figure below is the depthwise layer's share of the full layer's work.

full = conv_cost(64, 64, (3, 3), (32, 32), padding=1, bias=False)
dw = conv_cost(64, 64, (3, 3), (32, 32), padding=1, groups=64, bias=False)
fig, ax = plt.subplots(figsize=(6.4, 3), layout="constrained")
bars = ax.barh(
    ["full 3x3 (g = 1)", "depthwise 3x3 (g = 64)"],
    [full.macs / 1e6, dw.macs / 1e6],
    color=[COLORS["kernel"], COLORS["output"]],
    edgecolor="black",
)
ax.bar_label(bars, [f"{full.macs:,}", f"{dw.macs:,}"], padding=4)
ax.set_xlim(0, full.macs / 1e6 * 1.35)
ax.set_xlabel("million MACs (64 channels, 32x32)")
ax.set_title("Depthwise: 1/64 of the work\nof the full convolution")
plt.show()
assert full.macs == 64 * dw.macs
