"""
How a convolution really runs: unfold, then one matrix multiply
===============================================================

The :ref:`convolution matrix <sphx_glr_auto_examples_transposed_plot_03_conv_matrix.py>`
writes a convolution as one sparse matrix acting on the flattened input: right for the
mathematics, wasteful to compute with, since almost every entry is zero. Libraries
turn it around: they copy the input's windows into the columns of a dense *patch
matrix* ("im2col", PyTorch's ``F.unfold``) and multiply it by the weights, reshaped to
one row per output channel. One large matrix multiply is what BLAS libraries and GPUs
do best: Chellapilla, Puri & Simard (2006) "unrolled" convolutions this way to compute
CNNs with BLAS, 2.4 to 3 times faster than directly.

The price is memory: the patch matrix holds each input pixel once for every kernel
tap that reads it. :func:`convdocs.unfold_shape` and :func:`convdocs.unfold_nbytes`
give its shape and size by arithmetic; this example checks them against
``F.unfold`` for every convolution of ResNet-50.
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from convdocs import conv2d, conv_matrix, unfold_nbytes, unfold_shape
from convdocs.models import resnet50
from convdocs.plot import COLORS

torch.manual_seed(0)

# %%
# The patch matrix of a 3x3 kernel on a 4x4 input
# -----------------------------------------------
# The same layer as on the convolution-matrix page: a 4x4 input, a 3x3 kernel, a
# 2x2 output. ``F.unfold`` gives a 9x4 matrix: one column per output pixel, holding
# the 9 input pixels its window reads, one row per kernel tap. The 16 input pixels
# now take 36 entries: the centre ones appear four times.

x = torch.arange(16, dtype=torch.float64).reshape(1, 1, 4, 4)
cols = F.unfold(x, kernel_size=3)
print("unfold(x) has shape", tuple(cols.shape))
assert tuple(cols.shape) == unfold_shape((1, 1, 4, 4), 3) == (1, 9, 4)

fig, axes = plt.subplots(1, 2, figsize=(6.4, 4.6), layout="constrained")
axes[0].imshow(np.ones((4, 4)), cmap="Blues", vmin=0, vmax=3)
for (i, j), v in np.ndenumerate(x[0, 0].numpy().astype(int)):
    axes[0].text(j, i, v, ha="center", va="center")
axes[0].set_title("input x (4x4),\npixel numbers")
axes[0].set_xlabel("column")
axes[0].set_ylabel("row")
axes[0].set_xticks(range(4))
axes[0].set_yticks(range(4))
matrix = cols[0].numpy().astype(int)
axes[1].imshow(
    np.ones(matrix.shape), cmap="Oranges", vmin=0, vmax=3, aspect=0.45
)
for (i, j), v in np.ndenumerate(matrix):
    axes[1].text(j, i, v, ha="center", va="center")
axes[1].set_yticks(
    range(9), [f"tap {i},{j}" for i in range(3) for j in range(3)]
)
axes[1].set_xticks(range(4), [f"{i},{j}" for i in range(2) for j in range(2)])
axes[1].set_xlabel("output pixel (row, column)")
axes[1].set_title("unfold(x):\n9 taps x 4 windows")
fig.suptitle("im2col: each window of the input\nbecomes a column")
plt.show()

# %%
# Three ways, one answer
# ----------------------
# The kernel, flattened to a row of 9 weights, times the patch matrix gives the 4
# outputs. The convolution matrix :math:`C` (4x16, 28 of its 64 entries zero) gives
# the same from the flattened input, and so do :func:`convdocs.conv2d` and
# ``F.conv2d``.

kernel = np.arange(1, 10, dtype=float).reshape(3, 3)
by_unfold = (kernel.reshape(1, 9) @ cols[0].numpy()).reshape(2, 2)
by_matrix = (conv_matrix((4, 4), kernel) @ x.numpy().ravel()).reshape(2, 2)
by_torch = F.conv2d(x, torch.from_numpy(kernel)[None, None])[0, 0].numpy()
np.testing.assert_allclose(by_unfold, by_matrix)
np.testing.assert_allclose(by_unfold, conv2d(x.numpy()[0, 0], kernel))
np.testing.assert_allclose(by_unfold, by_torch)
print("kernel.ravel() @ unfold(x) =", by_unfold.ravel())

# %%
# A real layer: channels become rows too
# --------------------------------------
# With :math:`C` input channels the patch matrix has :math:`C k_h k_w` rows, one per
# (channel, tap), and a weight of shape :math:`(C_\text{out}, C, k_h, k_w)` viewed as
# :math:`C_\text{out} \times C k_h k_w` multiplies it: one matrix product computes
# every output channel at every position. Here a 3x3 convolution of ResNet's first
# stage, 64 channels to 64 on a 56x56 map, a product of a 64x576 matrix with a
# 576x3136 one.

layer = nn.Conv2d(64, 64, 3, padding=1, bias=False).double()
x = torch.randn(1, 64, 56, 56, dtype=torch.float64)
cols = F.unfold(x, 3, padding=1)
assert tuple(cols.shape) == unfold_shape((1, 64, 56, 56), 3, padding=1)
with torch.no_grad():
    out = (layer.weight.view(64, -1) @ cols).view(1, 64, 56, 56)
    expected = layer(x)
torch.testing.assert_close(out, expected)
np.testing.assert_allclose(
    conv2d(x.numpy(), layer.weight.detach().numpy(), padding=1),
    expected.numpy(),
    atol=1e-10,
)
print(
    f"weights {tuple(layer.weight.view(64, -1).shape)} @ patches {tuple(cols.shape[1:])}"
)
print(
    f"input {x.numel() * 4:,} bytes, patch matrix {unfold_nbytes(tuple(x.shape), 3, padding=1):,} bytes (float32)"
)

# %%
# What it costs in ResNet-50
# --------------------------
# For every convolution of ResNet-50 at 224x224 (batch 1, float32), the bytes of
# its input and of its patch matrix, by :func:`convdocs.unfold_nbytes`, checked
# against ``F.unfold`` on the real input of each layer (captured with forward
# hooks). A 3x3 layer at stride 1 multiplies its input by 9, the 7x7 stem by
# :math:`49/4`; a 1x1 convolution at stride 1 needs no unfolding at all: its patch
# matrix *is* its input, reshaped.

model = resnet50().eval()
found = []


def record(module, args, _output):
    (inp,) = args
    k, s, p, d = (
        module.kernel_size,
        module.stride,
        module.padding,
        module.dilation,
    )
    predicted = unfold_nbytes(tuple(inp.shape), k, s, p, d, dtype="float32")
    measured = F.unfold(inp, k, dilation=d, padding=p, stride=s)
    assert predicted == measured.numel() * measured.element_size()
    found.append((k, s, inp.numel() * 4, predicted))


hooks = [
    m.register_forward_hook(record)
    for m in model.modules()
    if isinstance(m, nn.Conv2d)
]
with torch.no_grad():
    model(torch.randn(1, 3, 224, 224))
for hook in hooks:
    hook.remove()

inputs = np.array([f[2] for f in found]) / 2**20
patches = np.array([f[3] for f in found]) / 2**20
kinds = [f"{k[0]}x{k[1]}" for k, *_ in found]
largest = int(np.argmax(patches))
print(f"{len(found)} convolutions; all patch matrices agree with F.unfold")
print(
    f"largest patch matrix: layer {largest} ({kinds[largest]}), {patches[largest]:.1f} MiB"
)
print(
    f"patch matrices together: {patches.sum():.0f} MiB, inputs together {inputs.sum():.0f} MiB"
)
assert len(found) == 53
assert kinds.count("1x1") == 36 and kinds.count("3x3") == 16
assert np.isclose(patches[0] / inputs[0], 49 / 4)
assert largest == 0
assert round(32 * patches[largest]) == 225

fig, ax = plt.subplots(figsize=(6.4, 5.2), layout="constrained")
index = np.arange(len(found))
ax.semilogy(
    index, inputs, "o-", color=COLORS["input"], label="input", linewidth=2
)
markers = {"1x1": "s", "3x3": "^", "7x7": "D"}
for kind, marker in markers.items():
    where = [i for i, k in enumerate(kinds) if k == kind]
    ax.semilogy(where, patches[where], marker, color=COLORS["kernel"],
                markeredgecolor="black", label=f"patch matrix, {kind}")  # fmt: skip
ax.set_xlabel("convolution (in the order they run)")
ax.set_ylabel("MiB (float32, batch 1, log scale)")
ax.set_yticks([0.1, 0.3, 1, 3])  # more than the powers of 10 in range
ax.yaxis.set_major_formatter("{x:g}")  # 0.1, not 10 with a superscript -1
ax.set_title(
    "ResNet-50 at 224x224: input and\nim2col matrix of each convolution"
)
ax.grid(True, alpha=0.3)
fig.legend(loc="outside lower center", ncols=2)
plt.show()

# %%
# The matrices are built one layer at a time and freed, so what counts is the
# largest one, times the batch: the stem's 7 MiB per image here (the first 3x3
# layers need almost as much), 225 MiB at batch 32, and four times as much at
# twice the resolution.
# This is why implementations bound it: :func:`convdocs.conv2d` builds the patch
# matrix for a block of output rows at a time, at most
# ``convdocs.conv.WORKSPACE_BYTES`` (32 MiB), and optimised libraries avoid storing
# it at all ("implicit GEMM", which gathers the windows on the fly), or use FFT or
# Winograd algorithms for some kernel sizes.
#
# In the guide: :doc:`/guide/network_effects`.
#
# .. admonition:: References
#
#    :func:`convdocs.unfold_shape`, :func:`convdocs.unfold_nbytes`,
#    :func:`convdocs.conv_matrix`; K. Chellapilla, S. Puri and P. Simard, "High
#    performance convolutional neural networks for document processing", IWFHR 2006
#    (:ref:`references <chellapilla-puri-simard>`).
