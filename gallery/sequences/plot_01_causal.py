r"""
Causal and dilated 1-D convolutions
===================================

A model that predicts the next sample of a sequence (audio, a sensor, a price) must
not read the future. A 1-D convolution padded the usual way, "same" padding, centres
its window on the current step and so reads half a window ahead. Causal padding puts
every pad before the sequence: output :math:`t` then reads inputs :math:`t -
d(k-1), \dots, t` and nothing later, and the output keeps the input's length.

This example draws both, shows that a causal layer is a "same" layer delayed by half
its window, and stacks causal layers with dilations :math:`1, 2, 4, \dots`, as
WaveNet (van den Oord et al., 2016) and temporal convolutional networks (Bai, Kolter
and Koltun, 2018) do, so that the field doubles with every layer. Every number comes
from :func:`convdocs.causal_padding` and :func:`convdocs.receptive_field` and is
checked against PyTorch and autograd.
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from convdocs import (
    Conv,
    causal_padding,
    conv_output_size,
    empirical_receptive_field,
    receptive_field,
    same_padding,
)
from convdocs.plot import draw_dilated_stack

torch.manual_seed(0)


def padded_stack(kernel, dilations, pads):
    """A PyTorch stack: zero padding (any sides), then a Conv1d, per layer."""
    layers = []
    for d, pad in zip(dilations, pads):
        layers += [
            nn.ConstantPad1d(pad, 0.0),
            nn.Conv1d(1, 1, kernel, dilation=d),
        ]
    return nn.Sequential(*layers)


# %%
# "Same" versus causal padding
# ----------------------------
# A kernel of :math:`k = 3` taps needs :math:`k - 1 = 2` pads to keep a sequence's
# length. "Same" padding splits them, one before and one after; causal padding puts
# both before. Both keep 10 steps in, 10 out.

length, kernel = 10, 3
same = same_padding(length, kernel)
causal = causal_padding(kernel)
print(f"same padding {same}, causal padding {causal}")
for pads in (same, causal):
    out = conv_output_size(length, kernel, padding=pads)
    conv = nn.Conv1d(1, 1, kernel)
    torch_out = conv(F.pad(torch.zeros(1, 1, length), pads))
    assert out == torch_out.shape[-1] == length
assert (same, causal) == ((1, 1), (2, 0))

# %%
# Two such layers, and the inputs that output 6 depends on (the orange lines are
# the kernel taps; dashed circles are padding). With "same" padding it reads steps
# 7 and 8, its future; the causal stack reads steps 2 to 6, the present and the
# past. Autograd agrees: the gradient of output 6 is non-zero on exactly these
# inputs (:func:`convdocs.empirical_receptive_field`).

unit, dilations, fields = 6, [1, 1], {}
fig, axes = plt.subplots(2, 1, figsize=(6.4, 6.4), layout="constrained")
for ax, padding in zip(axes, ["same", "causal"]):
    diagram = draw_dilated_stack(
        kernel, dilations, length, unit, padding=padding, ax=ax
    )
    model = padded_stack(kernel, dilations, diagram.pads)
    measured = empirical_receptive_field(model, length, unit)
    assert measured.interval == (diagram.field,)
    fields[padding] = diagram.field
    print(f"{padding:6s}: output {unit} depends on inputs {diagram.field}")
plt.show()
assert fields == {"same": (4, 9), "causal": (2, 7)}  # half-open (start, stop)

# %%
# A causal layer is a delayed "same" layer
# ----------------------------------------
# The windows are the same; only the output step they are reported at differs.
# Causal output :math:`t` is "same" output :math:`t - (\hat{k} - 1)/2`, with
# :math:`\hat{k} = d(k - 1) + 1` the window's span: here 1 step later.

x = torch.randn(1, 1, length)
conv = nn.Conv1d(1, 1, kernel)
with torch.no_grad():
    y_same = conv(F.pad(x, same))
    y_causal = conv(F.pad(x, causal))
delay = (kernel - 1) // 2
torch.testing.assert_close(y_causal[..., delay:], y_same[..., :-delay])
print("causal[t] == same[t - 1] for t = 1 ..", length - 1)

# %%
# A stack of dilated causal layers
# --------------------------------
# WaveNet stacks kernel-2 causal layers with dilations 1, 2, 4, 8, ... (its Figure
# 3). Layer :math:`l` with dilation :math:`d_l` adds :math:`d_l (k - 1)` steps of
# past, so the stack sees
#
# .. math::
#
#    r = 1 + (k - 1) \sum_{l=1}^{L} d_l = 1 + (k - 1)(2^L - 1),
#
# :math:`2^L` steps for :math:`k = 2`: 16 after four layers, each output reading
# the whole history in 4 layers instead of 15.

kernel, dilations, length = 2, [1, 2, 4, 8], 16
diagram = draw_dilated_stack(kernel, dilations, length)
plt.show()
specs = [
    Conv(kernel, padding=causal_padding(kernel, d), dilation=d)
    for d in dilations
]
rf = receptive_field(specs, length)
measured = empirical_receptive_field(
    padded_stack(kernel, dilations, diagram.pads), length, length - 1
)
print(f"field {rf.size}, output 15 sees {rf.interval(15)}")
assert rf.size == 1 + (kernel - 1) * (2 ** len(dilations) - 1) == 16
assert diagram.field == rf.interval(15) == measured.interval[0] == (0, 16)

# %%
# The field doubles with every layer
# ----------------------------------
# Without dilation each layer adds :math:`k - 1` steps, so the field grows
# linearly; with doubling dilations it doubles. WaveNet repeats blocks of 10
# layers, dilations 1 to 512: one block sees 1024 samples, 64 ms of 16 kHz audio.

depths = np.arange(1, 11)
fig, ax = plt.subplots(figsize=(6.4, 5.2), layout="constrained")
for k, color in [(2, "C0"), (3, "C1")]:
    dilated = [
        receptive_field(
            [
                Conv(k, padding=causal_padding(k, 2**i), dilation=2**i)
                for i in range(L)
            ]
        ).size
        for L in depths
    ]
    plain = [
        receptive_field([Conv(k, padding=causal_padding(k))] * L).size
        for L in depths
    ]
    assert dilated == [1 + (k - 1) * (2**L - 1) for L in depths]
    assert plain == [1 + L * (k - 1) for L in depths]
    ax.plot(
        depths,
        dilated,
        "o-",
        color=color,
        label=f"k = {k}, dilations 1, 2, 4, ...",
    )
    ax.plot(depths, plain, "x--", color=color, label=f"k = {k}, no dilation")
ax.set_yscale("log", base=2)
ax.yaxis.set_major_formatter("{x:g}")  # 4, not 2 with a small superscript 2
ax.set_xticks(depths)
ax.set_xlabel("layers $L$")
ax.set_ylabel("receptive field (steps, log scale)")
ax.set_title("Causal stacks: doubling dilations\ndouble the field")
ax.grid(True, alpha=0.3)
fig.legend(
    *ax.get_legend_handles_labels(), loc="outside lower center", ncols=2
)
plt.show()

# %%
# The 1024 steps of one WaveNet block, measured: the gradient of the last output
# of a 10-layer PyTorch stack on a 1500-step sequence is non-zero on exactly the
# last 1024 inputs.

dilations = [2**i for i in range(10)]
block = padded_stack(2, dilations, [causal_padding(2, d) for d in dilations])
measured = empirical_receptive_field(block, 1500, 1499)
print("one block of dilations 1 .. 512 sees inputs", measured.interval[0])
assert measured.interval == ((1500 - 1024, 1500),)
assert receptive_field(block, 1500).size == (1024,)

# %%
# Temporal convolutional networks
# -------------------------------
# The reference implementation of Bai, Kolter and Koltun pads a ``Conv1d``
# symmetrically by :math:`d(k-1)` and then cuts the last :math:`d(k-1)` outputs
# ("chomp"): the same outputs as padding every step before the sequence, as
# PyTorch confirms. Each of its residual blocks holds two such convolutions with
# the same dilation, so :math:`L` blocks with dilations :math:`1, \dots, 2^{L-1}`
# see :math:`1 + 2(k - 1)(2^L - 1)` steps.


class Chomp1d(nn.Module):
    """Drop the last ``chomp`` steps: what remains is the causal part."""

    def __init__(self, chomp):
        super().__init__()
        self.chomp = chomp

    def forward(self, x):
        return x[:, :, : -self.chomp]


class TemporalBlock(nn.Module):
    """Two dilated causal convolutions and a residual connection (TCN)."""

    def __init__(self, channels, kernel, dilation):
        super().__init__()
        pad = dilation * (kernel - 1)
        self.net = nn.Sequential(
            nn.Conv1d(
                channels, channels, kernel, padding=pad, dilation=dilation
            ),
            Chomp1d(pad),
            nn.ReLU(),
            nn.Conv1d(
                channels, channels, kernel, padding=pad, dilation=dilation
            ),
            Chomp1d(pad),
            nn.ReLU(),
        )

    def forward(self, x):
        return torch.relu(self.net(x) + x)


conv = nn.Conv1d(1, 1, 3, padding=4, dilation=2)
x = torch.randn(1, 1, 20)
with torch.no_grad():
    chomped = Chomp1d(4)(conv(x))
    padded = F.conv1d(
        F.pad(x, causal_padding(3, 2)), conv.weight, conv.bias, dilation=2
    )
torch.testing.assert_close(chomped, padded)

kernel, levels, length = 3, 4, 80
tcn = nn.Sequential(*[TemporalBlock(4, kernel, 2**i) for i in range(levels)])
rf = receptive_field(tcn, length)
measured = empirical_receptive_field(tcn, length, length - 1)
field = 1 + 2 * (kernel - 1) * (2**levels - 1)
print(
    f"TCN, k = {kernel}, {levels} blocks: field {rf.size[0]} (formula {field})"
)
print("last output depends on inputs", measured.interval[0])
assert rf.size == (field,)
assert measured.interval == ((length - field, length),)

# %%
# In the guide: :doc:`/guide/sequences`. The next example,
# :ref:`sphx_glr_auto_examples_sequences_plot_02_video.py`, moves to three
# dimensions.
#
# .. admonition:: References
#
#    :func:`convdocs.causal_padding`, :func:`convdocs.receptive_field`,
#    :func:`convdocs.empirical_receptive_field`,
#    :func:`convdocs.plot.draw_dilated_stack`; :ref:`van den Oord et al. (2016)
#    <van-den-oord-wavenet>`, section 2.1 and Figure 3; :ref:`Bai, Kolter and
#    Koltun (2018) <bai-kolter-koltun>`, section 3.
