"""
Layer shapes in VGG-16 and ResNet-18
====================================

VGG-16 and ResNet-18 both turn a 224x224 image into a 7x7 feature map, but they
shrink it in different layers. This example runs both networks from
``convdocs.models`` with a forward hook on every convolution and pooling layer,
prints each layer's kernel, stride, padding and output shape, checks every size
against :func:`convdocs.conv_output_size`, and plots the size layer by layer:
VGG-16 halves it only in its five max-pools, ResNet-18 in four stride-2
convolutions and one max-pool.
"""

import functools

import matplotlib.pyplot as plt
import torch
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from convdocs import conv_output_size
from convdocs.models import resnet18, vgg16
from convdocs.plot import COLORS

# %%
# Recording every layer with forward hooks
# ----------------------------------------
# A forward hook runs after a module's ``forward`` and sees its input and
# output. One hook on every ``Conv2d``, ``MaxPool2d`` and ``AdaptiveAvgPool2d``
# records the layer and the spatial sizes it received and produced, in the
# order the forward pass calls the layers. Shapes do not depend on the weights,
# so the models keep their random initialisation and the input is zeros;
# ``torch.no_grad()`` skips the bookkeeping for gradients.

LAYERS = (torch.nn.Conv2d, torch.nn.MaxPool2d, torch.nn.AdaptiveAvgPool2d)


def trace(model, size=224):
    """One row per convolution or pooling layer, in call order."""
    rows = []

    def record(layer, inputs, output, name):
        rows.append(
            {
                "name": name,
                "layer": layer,
                "in": tuple(inputs[0].shape[-2:]),
                "out": tuple(output.shape[-3:]),
            }
        )

    hooks = [
        layer.register_forward_hook(functools.partial(record, name=name))
        for name, layer in model.named_modules()
        if isinstance(layer, LAYERS)
    ]
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for hook in hooks:
        hook.remove()
    return rows


torch.manual_seed(0)
models = {"VGG-16": vgg16(), "ResNet-18": resnet18()}
traces = {title: trace(model) for title, model in models.items()}
print({title: len(rows) for title, rows in traces.items()}, "layers traced")

# %%
# Every size from the output-size rule
# ------------------------------------
# For a convolution or a pooling layer, PyTorch's output size is
# ``conv_output_size(size_in, kernel, stride, padding, dilation, ceil_mode)``.
# The adaptive average pool is the exception: it is given its output size and
# chooses its windows to fit. The table below prints each layer's settings and
# output shape (channels, height, width), and the assertion in the loop checks
# the rule at every layer.


def pair(value):
    return value if isinstance(value, tuple) else (value, value)


def expected_size(layer, size_in):
    if isinstance(layer, torch.nn.AdaptiveAvgPool2d):
        return pair(layer.output_size)
    ceil_mode = getattr(layer, "ceil_mode", False)  # pools only
    return conv_output_size(
        size_in,
        layer.kernel_size,
        layer.stride,
        layer.padding,
        layer.dilation,
        ceil_mode,
    )


def describe(layer):
    """Kind, kernel, stride and padding of a layer, as short strings."""
    if isinstance(layer, torch.nn.AdaptiveAvgPool2d):
        return "adaptive avg", "", "", ""
    kind = "conv" if isinstance(layer, torch.nn.Conv2d) else "max-pool"
    kernel = "x".join(map(str, pair(layer.kernel_size)))
    stride, padding = pair(layer.stride)[0], pair(layer.padding)[0]
    return kind, kernel, str(stride), str(padding)


def print_table(title, rows):
    print(title)
    header = ("layer", "type", "kernel", "stride", "pad", "C x H x W", "rule")
    line = "{:<22} {:<12} {:>6} {:>6} {:>4}  {:<16} {}"
    print(line.format(*header))
    for row in rows:
        expected = expected_size(row["layer"], row["in"])
        assert row["out"][1:] == expected, row["name"]
        output = "x".join(map(str, row["out"]))
        check = f"{row['in'][0]} -> {expected[0]}"
        print(line.format(row["name"], *describe(row["layer"]), output, check))
    print(f"all {len(rows)} layers agree with conv_output_size\n")


for title, rows in traces.items():
    print_table(title, rows)

# %%
# Where the size halves
# ---------------------
# VGG-16's thirteen 3x3 convolutions have padding 1 and keep the size
# (:math:`224 + 2 - 3 + 1 = 224`); only its five 2x2 max-pools halve it.
# ResNet-18 halves it in its 7x7 stride-2 first convolution, its 3x3 stride-2
# max-pool and the first 3x3 convolution of stages 2, 3 and 4. In those three
# blocks the shortcut's 1x1 stride-2 convolution halves the block's input in
# parallel and lands on the same 28x28, 14x14 or 7x7 grid (hollow triangles
# below). The vertical axis is logarithmic, so each halving is one equal step.

SHORTCUT = "downsample"


def halvings(rows):
    """Rows whose layer makes the map smaller, with the kind of layer."""
    found = []
    for i, row in enumerate(rows, start=1):
        if row["out"][-1] < row["in"][-1]:
            kind = describe(row["layer"])[0]
            if kind == "conv":
                kind = "shortcut" if SHORTCUT in row["name"] else "conv"
            found.append((i, row, kind))
    return found


STYLE = {
    "conv": {
        "marker": "^",
        "color": COLORS["kernel"],
        "label": "stride-2 conv",
    },
    "max-pool": {"marker": "s", "color": COLORS["input"], "label": "max-pool"},
    "shortcut": {
        "marker": "^",
        "color": "white",
        "label": "stride-2 1x1 conv (shortcut)",
    },
    "adaptive avg": {
        "marker": "D",
        "color": COLORS["output"],
        "label": "adaptive avg pool",
    },
}

fig, axes = plt.subplots(
    2, 1, figsize=(6.4, 8.4), sharey=True, layout="constrained"
)
for ax, (title, rows) in zip(axes, traces.items()):
    sizes = [224] + [row["out"][-1] for row in rows]
    ax.plot(range(len(sizes)), sizes, "o-", color="0.45", markersize=3)
    found = halvings(rows)
    labels = 0
    for i, row, kind in found:
        style = STYLE[kind]
        ax.plot(
            i,
            row["out"][-1],
            style["marker"],
            markersize=10,
            markerfacecolor=style["color"],
            markeredgecolor="black",
        )
        if (
            kind != "shortcut"
        ):  # labels above and below in turn: neighbours can be close
            above = labels % 2 == 0
            ax.annotate(
                f"{row['name']}\n{row['in'][-1]} -> {row['out'][-1]}",
                (i, row["out"][-1]),
                xytext=(7, 4 if above else -6),
                textcoords="offset points",
                va="bottom" if above else "top",
            )
            labels += 1
    n_conv = sum(kind == "conv" for _, _, kind in found)
    n_pool = sum(kind == "max-pool" for _, _, kind in found)
    convs = f"{n_conv} stride-2 conv" + ("s" if n_conv != 1 else "")
    pools = f"{n_pool} max-pool" + ("s" if n_pool != 1 else "")
    ax.set_title(f"{title}: {convs}, {pools}")
    ax.set_xlabel("conv / pool layer, in call order (0: input)")
    ax.set_xlim(-1, len(sizes) + 3)
axes[0].set_yscale("log", base=2)
axes[0].set_yticks([1, 7, 14, 28, 56, 112, 224])
axes[0].set_yticklabels(["1", "7", "14", "28", "56", "112", "224"])
axes[0].yaxis.set_minor_locator(NullLocator())
axes[0].set_ylim(0.3, 600)  # room for the labels under the last points
for ax in axes:
    ax.set_ylabel("height = width (log)")
handles = [
    Line2D(
        [],
        [],
        linestyle="",
        marker=style["marker"],
        markersize=9,
        markerfacecolor=style["color"],
        markeredgecolor="black",
        label=style["label"],
    )
    for style in STYLE.values()
]
fig.legend(handles=handles, loc="outside lower center", ncols=2)
fig.suptitle("Size after each layer on a 224x224 input")
plt.show()

# %%
# Halving is not always halving
# -----------------------------
# 224 is :math:`7 \cdot 2^5`, so every halving above is exact. On a 200x200
# input the two networks round differently: VGG-16's 2x2 max-pools without
# padding compute :math:`\lfloor i/2 \rfloor`, ResNet-18's stride-2 layers
# (kernel :math:`k = 2p + 1`) compute :math:`\lceil i/2 \rceil`, so at the odd
# size 25 VGG-16 drops a row and a column and ResNet-18 does not. VGG-16's
# adaptive pool then stretches its 6x6 map to the 7x7 its classifier expects.

for title, model in models.items():
    rows = trace(model, size=200)
    steps = [
        r for _, r, kind in halvings(rows) if kind in ("conv", "max-pool")
    ]
    for row in steps:
        assert row["out"][1:] == expected_size(row["layer"], row["in"])
    chain = " -> ".join(str(n) for n in [200] + [r["out"][-1] for r in steps])
    print(f"{title:<10} {chain}")

# %%
# In the guide: :doc:`/guide/arithmetic`.
#
# .. admonition:: References
#
#    :func:`convdocs.conv_output_size`; ``convdocs.models.vgg16`` and
#    ``convdocs.models.resnet18``, torchvision's layouts of VGG-16 (Simonyan &
#    Zisserman, 2015) and ResNet-18 (He et al., 2016); PyTorch's
#    ``torch.nn.Module.register_forward_hook``.
