"""
Receptive field growth with depth
=================================

How many input pixels does a unit see after :math:`L` layers? This example computes
the receptive field of stacks of identical layers with
:func:`convdocs.receptive_field`: linear growth for kernel sizes 3, 5 and 7 at
stride 1, exponential growth for stride-2 stacks, and the same exponential growth
without losing resolution for 3x3 layers with dilations 1, 2, 4, 8, ...

A common slide formula, :math:`r = k + (L - 1)(k - 1)s`, adds :math:`(k - 1)s`
pixels per layer. It is shown side by side with the correct values: it is right at
stride 1 and for two layers, and wrong from the third strided layer on, because a
stride multiplies the growth of every layer *after* it. Finally the fields are
measured with autograd on real ``nn.Sequential`` stacks.
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle
from torch import nn

from convdocs import Conv, empirical_receptive_field, receptive_field
from convdocs.plot import COLORS

kernel_sizes = [3, 5, 7]
colors = ["C0", "C1", "C2"]


def slide_formula(k, stride, depth):
    """The formula often seen in slides and posts: (k - 1) * stride per layer (wrong)."""
    return k + (depth - 1) * (k - 1) * stride


def stack_field(k, stride, depth):
    """The receptive field of ``depth`` identical layers, from convdocs."""
    return receptive_field([Conv(k, stride=stride)] * depth).size


# %%
# Stride 1: linear growth
# -----------------------
# Each layer with kernel :math:`k` adds :math:`k - 1` pixels to the field, so
# :math:`L` layers see :math:`1 + L(k - 1)`: two 3x3 layers see 5 pixels, three see
# 7, VGG's argument for small kernels. At stride 1 the slide formula gives the
# same numbers (open circles on the lines).

depths = np.arange(1, 11)
fig, ax = plt.subplots(figsize=(6.4, 4), layout="constrained")
for k, color in zip(kernel_sizes, colors):
    fields = [stack_field(k, 1, int(L)) for L in depths]
    assert fields == [1 + L * (k - 1) for L in depths]
    assert fields == [slide_formula(k, 1, int(L)) for L in depths]
    ax.plot(depths, fields, "-", color=color, label=f"kernel {k}: convdocs")
    slide = [slide_formula(k, 1, int(L)) for L in depths]
    ax.plot(depths, slide, "o", color=color, fillstyle="none")
ax.plot([], [], "o", color="0.3", fillstyle="none", label="slide formula")
ax.set_title("Stride 1: the field grows by k - 1 per layer")
ax.set_xlabel("depth $L$ (layers)")
ax.set_ylabel("receptive field (pixels)")
ax.set_xticks(depths)
ax.grid(True, alpha=0.3)
ax.legend()
plt.show()

# %%
# Stride 2: the slide formula, corrected
# --------------------------------------
# With stride :math:`s` on every layer, layer :math:`l` reads pixels of its own
# input, which lie :math:`s^{l-1}` input pixels apart, so it adds
# :math:`(k - 1)s^{l-1}` pixels, not :math:`(k - 1)s`:
#
# .. math::
#
#    r = 1 + (k - 1) \sum_{l=1}^{L} s^{l-1}
#      = 1 + (k - 1)\,\frac{s^L - 1}{s - 1}.
#
# The two agree for one and two layers and part from the third on.

depths = np.arange(1, 9)
print(" L   k     slide   convdocs")
first_wrong = {}
for k in kernel_sizes:
    for L in depths:
        wrong = slide_formula(k, 2, int(L))
        right = stack_field(k, 2, int(L))
        assert right == 1 + (k - 1) * (2**L - 1)
        if wrong != right:
            first_wrong.setdefault(k, int(L))
        if L <= 5:
            flag = "" if wrong == right else "  <- wrong"
            print(f"{L:2d}  {k:2d}  {wrong:8d}  {right:9d}{flag}")
print("first depth where the slide formula is wrong, per kernel:", first_wrong)
assert first_wrong == {3: 3, 5: 3, 7: 3}

# %%
# On a logarithmic scale the correct field is a straight line (exponential
# growth); the slide formula stays linear. At depth 5 a stack of 3x3 stride-2
# layers sees 63 pixels, not 19.

fig, ax = plt.subplots(figsize=(6.4, 5.2), layout="constrained")
for k, color in zip(kernel_sizes, colors):
    right = [stack_field(k, 2, int(L)) for L in depths]
    wrong = [slide_formula(k, 2, int(L)) for L in depths]
    ax.plot(depths, right, "o-", color=color, label=f"kernel {k}: convdocs")
    ax.plot(
        depths, wrong, "x--", color=color, label=f"kernel {k}: slide formula"
    )
ax.axvspan(2.5, depths[-1] + 0.5, color=COLORS["padding"], alpha=0.5)
ax.text(2.6, 2000, "the slide formula is\nwrong from here on", va="top")
ax.set_yscale("log", base=2)
ax.yaxis.set_major_formatter("{x:g}")  # 4, not 2 with a small superscript 2
ax.set_title("Stride 2 on every layer:\nconvdocs vs the slide formula")
ax.set_xlabel("depth $L$ (layers)")
ax.set_ylabel("receptive field (pixels, log scale)")
ax.set_xticks(depths)
ax.set_xlim(0.5, depths[-1] + 0.5)
ax.grid(True, alpha=0.3)
fig.legend(
    *ax.get_legend_handles_labels(), loc="outside lower center", ncols=2
)
plt.show()
assert stack_field(3, 2, 5) == 63 and slide_formula(3, 2, 5) == 19

# %%
# A stride counts for the layers after it
# ---------------------------------------
# The same two layers in the other order show the mistake plainly. A stride-2
# layer followed by a 3x3 layer sees 7 pixels: the second layer's 3 taps are 2
# input pixels apart. The other way round, the second layer's taps are neighbours
# and it sees 5. Adding :math:`(k_l - 1)s_l` per layer, the slide's rule, gives 7
# for both orders. The correct contribution of layer :math:`l` is
# :math:`(k_l - 1)` times the jump :math:`j_{l-1} = s_1 \cdots s_{l-1}` of its
# input, read from the result's per-layer rows.

for stack in ([Conv(3, stride=2), Conv(3)], [Conv(3), Conv(3, stride=2)]):
    rf = receptive_field(stack)
    jumps = [row.stride[0] for row in rf.layers]  # row 0 is the input
    right = [(c.kernel_size - 1) * j for c, j in zip(stack, jumps)]
    wrong = [(c.kernel_size - 1) * c.stride for c in stack]
    names = ", ".join(map(str, stack))
    print(f"{names:12s}: convdocs 1 + {right} = {rf.size}")
    print(f"{'':12s}  slide    1 + {wrong} = {1 + sum(wrong)}")
assert receptive_field([Conv(3, stride=2), Conv(3)]).size == 7
assert receptive_field([Conv(3), Conv(3, stride=2)]).size == 5

# %%
# Dilation: exponential growth at stride 1
# ----------------------------------------
# 3x3 layers with dilations :math:`1, 2, 4, \dots, 2^{L-1}` (padding equal to the
# dilation, which keeps the size) span :math:`2^l + 1` pixels each, so after
# :math:`L` layers a unit sees :math:`1 + \sum_l 2 \cdot 2^{l-1} = 2^{L+1} - 1`
# pixels, as many as :math:`L` 3x3 layers with stride 2, but the output keeps the
# input's resolution (right, for a 256-pixel input), where the stride-2 stack
# halves it at every layer (Yu & Koltun's context module).

depths = np.arange(1, 8)
stacks = {
    "3x3, stride 1": lambda L: [Conv(3, padding=1)] * L,
    "3x3, stride 2": lambda L: [Conv(3, stride=2, padding=1)] * L,
    "3x3, dilation 1, 2, 4, ...": lambda L: [
        Conv(3, padding=2**i, dilation=2**i) for i in range(L)
    ],
}
styles = [
    {"marker": "o", "linestyle": "-", "markersize": 9, "linewidth": 3},
    {"marker": "o", "linestyle": "-", "markersize": 9, "linewidth": 3},
    {"marker": "x", "linestyle": "--", "markersize": 8},
]
fig, axes = plt.subplots(
    2, 1, figsize=(6.4, 8), sharex=True, layout="constrained"
)
for (label, build), color, style in zip(stacks.items(), colors, styles):
    results = [receptive_field(build(int(L)), 256) for L in depths]
    fields = [rf.size for rf in results]
    outputs = [rf.output_size for rf in results]
    axes[0].plot(depths, fields, color=color, label=label, **style)
    axes[1].plot(depths, outputs, color=color, label=label, **style)
    print(f"{label:27s} fields {fields}")
dilated = [
    receptive_field(stacks["3x3, dilation 1, 2, 4, ..."](int(L)))
    for L in depths
]
assert [rf.size for rf in dilated] == [2 ** (L + 1) - 1 for L in depths]
axes[0].set_title("Receptive field")
axes[0].set_ylabel("receptive field (pixels, log scale)")
axes[1].set_title("Output size for a 256-pixel input")
axes[1].set_ylabel("output size (pixels, log scale)")
for ax in axes:
    ax.set_yscale("log", base=2)
    ax.yaxis.set_major_formatter("{x:g}")
    ax.set_xticks(depths)
    ax.grid(True, alpha=0.3)
axes[1].set_xlabel("depth $L$ (layers)")
axes[0].legend()
fig.suptitle("Stride and dilation both grow the field\nas 2^(L+1) - 1")
plt.show()

# %%
# Measured with autograd
# ----------------------
# Four-layer stacks as real PyTorch modules, with ReLUs, on a 48x48 input. The
# gradient of the centre output unit with respect to the input is non-zero exactly
# on the pixels the unit depends on (:func:`convdocs.empirical_receptive_field`
# makes sure no ReLU or max pool hides a path). The measured pixels (blue) fill
# exactly the interval that :func:`convdocs.receptive_field` computes from the
# traced module (orange outline): 9, 31 and 31 pixels.

modules = {
    "stride 1": nn.Sequential(
        *[
            m
            for _ in range(4)
            for m in (nn.Conv2d(1, 1, 3, padding=1), nn.ReLU())
        ]
    ),
    "stride 2": nn.Sequential(
        *[
            m
            for _ in range(4)
            for m in (nn.Conv2d(1, 1, 3, stride=2, padding=1), nn.ReLU())
        ]
    ),
    "dilations 1-8": nn.Sequential(
        *[
            m
            for d in (1, 2, 4, 8)
            for m in (nn.Conv2d(1, 1, 3, padding=d, dilation=d), nn.ReLU())
        ]
    ),
}
size = 48
fig, axes = plt.subplots(1, 3, figsize=(6.4, 3.6), layout="constrained")
for ax, (label, module) in zip(axes, modules.items()):
    rf = receptive_field(module, size)
    measured = empirical_receptive_field(module, size)  # the centre unit
    assert measured.interval == rf.interval(measured.unit)
    assert measured.size == rf.size
    (top, bottom), (left, right) = rf.interval(measured.unit)
    ax.imshow(measured.mask, cmap=ListedColormap(["white", COLORS["input"]]))
    ax.add_patch(
        Rectangle(
            (left - 0.5, top - 0.5),
            right - left,
            bottom - top,
            fill=False,
            edgecolor=COLORS["kernel"],
            linewidth=2,
        )
    )
    ax.set_title(f"{label}:\n{measured.size[0]}x{measured.size[1]}")
    ax.set_xlabel("input column")
    ax.set_xticks([0, 24, 47])
    ax.set_yticks([0, 24, 47])
    print(f"{label:21s} computed {rf.interval(measured.unit)}")
    print(f"{'':21s} measured {measured.interval}")
axes[0].set_ylabel("input row")
fig.suptitle("Pixels the centre unit depends on\nafter 4 layers (48x48 input)")
plt.show()

# %%
# In the guide: :doc:`/guide/receptive_field` and :doc:`/guide/dilation`.
#
# .. admonition:: References
#
#    :func:`convdocs.receptive_field`, :func:`convdocs.empirical_receptive_field`,
#    :class:`convdocs.Conv`; A. Araujo, W. Norris and J. Sim, "Computing receptive
#    fields of convolutional neural networks", Distill, 2019; F. Yu and V. Koltun,
#    "Multi-scale context aggregation by dilated convolutions", ICLR 2016.
