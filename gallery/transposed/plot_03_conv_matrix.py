"""
Convolution as a matrix, transposed convolution as its transpose
================================================================

A convolution is linear in its input, so it is a matrix :math:`C`: flatten the input
into a vector :math:`x` and the output is :math:`C x`. The transposed convolution is
the product with :math:`C^T`, which maps the output's shape back to the input's. This
is where its name comes from (Dumoulin & Visin, section 4.1). This example builds
:math:`C` for their 4x4 input and 3x3 kernel, checks :math:`C x` against
:func:`convdocs.conv2d` and PyTorch, and :math:`C^T y` against
:func:`convdocs.conv_transpose2d` and PyTorch's ``conv_transpose2d``.
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from convdocs import conv2d, conv_matrix, conv_transpose2d

# %%
# The matrix of a 3x3 convolution on a 4x4 input
# -----------------------------------------------
# The output is 2x2, so :math:`C` has 4 rows (one per output pixel) and 16 columns (one
# per input pixel). Each row holds the 9 kernel weights, placed where that window
# reads the input; everything else is zero.

kernel = np.arange(1, 10).reshape(3, 3)
C = conv_matrix((4, 4), kernel)
print("C has shape", C.shape)

fig, ax = plt.subplots(figsize=(6.4, 2.9), layout="constrained")
ax.imshow(C != 0, cmap="Oranges", vmin=0, vmax=1.6, aspect="equal")
for (row, col), value in np.ndenumerate(C.astype(int)):
    if value:
        ax.text(col, row, value, ha="center", va="center")
ax.set_xticks(range(16), [f"{i}{j}" for i in range(4) for j in range(4)])
ax.set_yticks(range(4), [f"out {i}{j}" for i in range(2) for j in range(2)])
ax.set_xlabel("input pixel (row and column)")
ax.set_title(
    "Convolution matrix C of a 3x3 kernel\non a 4x4 input (blank = 0)"
)
plt.show()

# %%
# :math:`C x` is the convolution
# ------------------------------
# Multiplying the flattened input by :math:`C` gives the flattened output of
# :func:`~convdocs.conv2d`, which gives PyTorch's answer.

rng = np.random.default_rng(0)
x = rng.integers(0, 5, size=(4, 4)).astype(float)
by_matrix = (C @ x.ravel()).reshape(2, 2)
direct = conv2d(x, kernel)
torch_out = F.conv2d(
    torch.from_numpy(x)[None, None],
    torch.from_numpy(kernel.astype(float))[None, None],
)
np.testing.assert_allclose(by_matrix, direct)
np.testing.assert_allclose(direct, torch_out[0, 0].numpy())
print("C @ x =", by_matrix.ravel(), "= conv2d(x, kernel).ravel()")

# %%
# :math:`C^T y` is the transposed convolution
# -------------------------------------------
# :math:`C^T` has 16 rows and 4 columns: it takes a 2x2 map to a 4x4 one. Column
# :math:`k` of :math:`C^T` is the kernel placed at output pixel :math:`k`'s window, so
# :math:`C^T y` spreads each value of :math:`y` over the input pixels its window
# read, weighted by the kernel, and adds up where windows overlap. That is exactly
# what ``conv_transpose2d`` computes with the same weights.

y = np.array([[1.0, 0.0], [0.0, 2.0]])
back = (C.T @ y.ravel()).reshape(4, 4)
np.testing.assert_allclose(back, conv_transpose2d(y, kernel))
torch_back = F.conv_transpose2d(
    torch.from_numpy(y)[None, None],
    torch.from_numpy(kernel.astype(float))[None, None],
)
np.testing.assert_allclose(back, torch_back[0, 0].numpy())

fig, axes = plt.subplots(
    1,
    3,
    figsize=(6.4, 3.4),
    layout="constrained",
    gridspec_kw={"width_ratios": [2, 3, 4]},
)
panels = [
    ("y (2x2)", y, "Greens"),
    ("kernel (3x3)", kernel, "Oranges"),
    ("C.T @ y (4x4)", back, "Blues"),
]
for ax, (title, values, cmap) in zip(axes, panels):
    ax.imshow(values, cmap=cmap, vmin=0, vmax=values.max() * 1.8)
    for (row, col), value in np.ndenumerate(values):
        ax.text(col, row, f"{value:g}", ha="center", va="center")
    ax.set_title(title)
    ax.set_xticks(range(values.shape[1]))
    ax.set_yticks(range(values.shape[0]))
    ax.set_xlabel("column")
axes[0].set_ylabel("row")
fig.suptitle(
    "C.T @ y = conv_transpose2d(y): the kernel\n"
    "times 1 at the top left, plus the kernel\ntimes 2 at the bottom right"
)
plt.show()

# %%
# The transpose inverts the shape, not the values
# -----------------------------------------------
# :math:`C^T C` is not the identity: the transposed convolution restores the input's
# *shape*, not its values. (Nor is it a "deconvolution", which would invert the
# convolution.)

restored = (C.T @ C @ x.ravel()).reshape(4, 4)
print("x:\n", x, "\nC.T @ C @ x:\n", restored)
assert restored.shape == x.shape
assert not np.allclose(restored, x)

# %%
# In the guide: :doc:`/guide/transposed`.
#
# .. admonition:: References
#
#    :func:`convdocs.conv_matrix`, :func:`convdocs.conv2d`,
#    :func:`convdocs.conv_transpose2d`; Dumoulin & Visin, *A guide to convolution
#    arithmetic for deep learning*, section 4.1.
