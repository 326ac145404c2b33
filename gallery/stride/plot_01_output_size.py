"""
Output size versus input size
=============================

A convolution with kernel size :math:`k`, padding :math:`p` and stride :math:`s` turns
an input of size :math:`i` into :math:`\\lfloor (i + 2p - k) / s \\rfloor + 1` outputs.
This example plots that rule for every input size from 3 (the kernel size) to 40 and
for strides 1, 2 and 3, with and without padding, and shows the staircase the floor
creates: under stride :math:`s`, :math:`s` neighbouring input sizes give the same
output size.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np

from convdocs import conv_output_size

kernel_size = 3
input_sizes = np.arange(kernel_size, 41)
strides = [1, 2, 3]
colors = ["C0", "C1", "C2"]

# %%
# Output size for every input size
# --------------------------------
# Plotting only every fifth input size, as is often done, draws straight lines and
# hides the floor. Every integer input size is drawn here, as steps. The dashed lines
# are the same formula without the floor: the gap between a step and its dashed line
# is the fraction of a stride that does not fit in the input.

fig, axes = plt.subplots(
    1, 2, figsize=(6.4, 5), sharey=True, layout="constrained"
)
for ax, padding in zip(axes, [0, 1]):
    for stride, color in zip(strides, colors):
        sizes = [
            conv_output_size(int(n), kernel_size, stride, padding)
            for n in input_sizes
        ]
        exact = (input_sizes + 2 * padding - kernel_size) / stride + 1
        ax.step(
            input_sizes,
            sizes,
            where="post",
            color=color,
            label=f"stride {stride}",
        )
        ax.plot(input_sizes, exact, "--", color=color, linewidth=0.8)
    ax.set_title(f"kernel {kernel_size}, padding {padding}")
    ax.set_xlabel("input size $i$")
    ax.grid(True, alpha=0.3)
axes[0].set_ylabel("output size $o$")
fig.legend(
    *axes[0].get_legend_handles_labels(),
    title="solid: floor, dashed: no floor",
    loc="outside lower center",
    ncols=3,
)
fig.suptitle(r"Output size: $o = \lfloor (i + 2p - k)/s \rfloor + 1$")
plt.show()

# %%
# Input sizes that collide
# ------------------------
# With stride 2 and padding 1, the inputs 27 and 28 both give 14 outputs; with
# stride 3, three input sizes share each output size. A transposed convolution cannot
# tell which one it started from, which is why PyTorch's ``ConvTranspose2d`` has an
# ``output_padding`` argument.

assert conv_output_size(27, 3, stride=2, padding=1) == 14
assert conv_output_size(28, 3, stride=2, padding=1) == 14
for stride in strides:
    groups = {}
    for n in range(24, 31):
        out = conv_output_size(n, kernel_size, stride, padding=1)
        groups.setdefault(out, []).append(str(n))
    pairs = [f"{'/'.join(ns)} -> {out}" for out, ns in groups.items()]
    print(f"stride {stride}: " + ",  ".join(pairs))

# %%
# The rows a strided layer never reads
# ------------------------------------
# The windows start at :math:`0, s, 2s, \dots` in the padded input. When the stride
# does not divide :math:`i + 2p - k`, the last :math:`(i + 2p - k) \bmod s` pixels
# come after the last window and are never read. Without padding those are real input
# rows: a 3x3 kernel at stride 2 ignores the last row (and column) of every even-sized
# input. With padding 1 the pixel left out of an even-sized input is the zero padding
# after it, so no input is lost; TensorFlow's "SAME" rule pads ``(0, 1)`` there.

fig, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
for stride, color in zip(strides[1:], colors[1:]):
    outputs = np.array(
        [conv_output_size(int(n), kernel_size, stride) for n in input_sizes]
    )
    last_read = (outputs - 1) * stride + kernel_size  # rows 0 .. last_read - 1
    unread = input_sizes - last_read
    ax.plot(
        input_sizes,
        unread,
        "o",
        color=color,
        markersize=4,
        label=f"stride {stride}",
    )
    if stride == 2:  # even sizes lose their last row
        assert list(unread) == [1 - n % 2 for n in input_sizes]
ax.set_title("Input rows after the last window\n(kernel 3, no padding)")
ax.set_xlabel("input size $i$")
ax.set_ylabel("rows never read")
ax.set_yticks([0, 1, 2])
fig.legend(*ax.get_legend_handles_labels(), loc="outside right center")
ax.grid(True, alpha=0.3)
plt.show()

# %%
# In the guide: :doc:`/guide/arithmetic`.
#
# .. admonition:: References
#
#    :func:`convdocs.conv_output_size`; Dumoulin & Visin, *A guide to convolution
#    arithmetic for deep learning*, relationship 6.
