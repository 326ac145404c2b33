"""
Planning a network's sizes
==========================

Before writing a network, plan its sizes: what each layer outputs, how far apart its
units are in the input (the effective stride), and how much of the input each unit
sees. This example plans a small network (a ResNet-style stem: 7x7 stride-2
convolution, 3x3 stride-2 max-pool, then 3x3 convolutions) with convdocs instead of
by hand, checks the plan against the PyTorch layers, and compares design choices:
where to put the strides, and what "same" padding costs or saves.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import torch

from convdocs import Pool, parse_layers, receptive_field

# %%
# The plan, as a table
# --------------------
# A network written as a layer string (``conv7s2p3`` is a 7x7 convolution with stride
# 2 and padding 3) gives one row per layer: output size, effective stride and
# receptive field. The last expression of the cell is the result, shown as a table.

network = "conv7s2p3,pool3s2p1,conv3p1,conv3s2p1"
plan = receptive_field(network, 224)
plan

# %%
# The same layers in PyTorch
# --------------------------
# Built from the same specs, the PyTorch layers produce exactly the planned sizes.

layers = []
for spec in parse_layers(network):
    if isinstance(spec, Pool):
        layers.append(
            torch.nn.MaxPool2d(spec.kernel_size, spec.stride, spec.padding)
        )
    else:
        layers.append(
            torch.nn.Conv2d(
                8,
                8,
                spec.kernel_size,
                spec.stride,
                spec.padding,
                spec.dilation,
            )
        )
x = torch.zeros(1, 8, 224, 224)
with torch.no_grad():
    for layer, row in zip(layers, plan.layers[1:]):
        x = layer(x)
        assert tuple(x.shape[-1:]) == row.output_size
        print(
            f"{row.name:10} PyTorch {tuple(x.shape[-2:])}, "
            f"plan {row.output_size[0]}"
        )

# %%
# Where the strides go
# --------------------
# The same four layers with the strides moved: downsampling early makes the later
# layers cheap (small maps) and their fields grow fast; downsampling late keeps full
# resolution longer, at a higher cost, with a smaller final field. To reach the same
# total stride (8), the "strides late" variant ends with ``conv3s4p1``: a 3x3 kernel
# at stride 4, whose windows leave one input row and column out between
# neighbours. Those pixels are read by no output at all (counted below the
# figure); a kernel at least as large as its stride would read them.

variants = {
    "strides early (the plan)": "conv7s2p3,pool3s2p1,conv3p1,conv3s2p1",
    "strides late": "conv7p3,pool3s1p1,conv3s2p1,conv3s4p1",
    "no pooling, stride-2 convs": "conv7s2p3,conv3s2p1,conv3p1,conv3s2p1",
}
fig, axes = plt.subplots(
    2, 1, figsize=(6.4, 7), sharex=True, layout="constrained"
)
for name, layers_text in variants.items():
    result = receptive_field(layers_text, 224)
    rows = result.layers
    sizes = [row.output_size[0] for row in rows]
    fields = [row.size[0] for row in rows]
    axes[0].plot(range(len(rows)), sizes, "o-", label=name)
    axes[1].plot(range(len(rows)), fields, "o-", label=name)
    print(
        f"{name:28} output {result.output_size}, field {result.size}, "
        f"stride {result.stride}"
    )
axes[0].set_title("Output size after each layer (224 input)")
axes[0].set_ylabel("pixels per side")
axes[1].set_title("Receptive field after each layer")
axes[1].set_ylabel("input pixels per side")
axes[1].set_xlabel("layer (0 = input)")
for ax in axes:
    ax.grid(True, alpha=0.3)
fig.legend(
    *axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=1
)
plt.show()

# The rows conv3s4p1 skips: window j reads input rows 4j - 1 to 4j + 1 (padding 1).
late = receptive_field(variants["strides late"], 224).layers
rows_in, rows_out = late[-2].output_size[0], late[-1].output_size[0]
read = {4 * j - 1 + t for j in range(rows_out) for t in range(3)}
skipped = sorted(set(range(rows_in)) - read)
# every fourth row, and the last one, which the floor drops
assert skipped == [*range(2, rows_in, 4), rows_in - 1]
print(
    f"conv3s4p1: {rows_in} -> {rows_out} rows; {len(skipped)} of the {rows_in} "
    f"input rows are read by no window: {skipped[:3]} ... {skipped[-2:]}"
)

# %%
# In the guide: :doc:`/guide/receptive_field`.
#
# .. admonition:: References
#
#    :func:`convdocs.receptive_field`, :func:`convdocs.parse_layers`.
