"""
"Same" padding: odd and even kernels, stride 1 and 2
=====================================================

"Same" padding keeps the output size equal to the input size (at stride 1) or to
:math:`\\lceil i / s \\rceil` (TensorFlow's rule at stride :math:`s`). It is symmetric
only for odd kernels at stride 1. This example computes the padding with
:func:`convdocs.same_padding` for odd and even kernels and for stride 2, compares it
with PyTorch's ``padding="same"``, and shows why PyTorch refuses ``"same"`` for
strides above 1: the padding then depends on the input size. It ends by solving
for the padding that gives a wanted output size.
"""

# sphinx_gallery_thumbnail_number = 1

import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from convdocs import conv2d, conv_output_size, same_padding, solve_padding

# %%
# Stride 1: symmetric for odd kernels only
# ----------------------------------------
# At stride 1 the total padding is :math:`k - 1`. An odd kernel splits it evenly; an
# even kernel cannot, and the extra pixel goes after the input (bottom, right), in
# TensorFlow and in PyTorch alike.

print("kernel  (before, after)")
for k in range(1, 8):
    before, after = same_padding(32, k)
    assert conv_output_size(32, k, padding=(before, after)) == 32
    print(
        f"{k:6}  ({before}, {after})"
        + ("  asymmetric" if before != after else "")
    )

# %%
# PyTorch's ``padding="same"`` gives the same result, even kernels included. (It warns
# that an even kernel needs a padded copy of the input: a speed note, not a different
# result.)

rng = np.random.default_rng(0)
x = rng.standard_normal((1, 1, 9, 9))
for k in (3, 4):
    w = rng.standard_normal((1, 1, k, k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch_same = F.conv2d(
            torch.from_numpy(x), torch.from_numpy(w), padding="same"
        )
    np.testing.assert_allclose(
        conv2d(x, w, padding="same"), torch_same.numpy()
    )
    print(f"kernel {k}: convdocs and PyTorch agree, output {torch_same.shape}")

# %%
# Stride 2: the padding depends on the input size
# -----------------------------------------------
# With stride :math:`s`, TensorFlow fixes the output at :math:`o = \\lceil i/s \\rceil`
# and pads :math:`\\max((o - 1)s + k - i, 0)` in total. For a 3x3 kernel at stride 2 an
# odd input needs one pixel on each side and an even input only one after: the same
# layer pads differently for 224 and 225. A framework that stores one padding per
# layer cannot express that, which is why PyTorch allows ``padding="same"`` only at
# stride 1.

try:
    torch.nn.Conv2d(1, 1, 3, stride=2, padding="same")
except ValueError as error:
    print("PyTorch:", error)

for size in (224, 225):
    pads = same_padding(size, 3, stride=2)
    print(
        f"input {size}: padding {pads} -> output "
        f"{conv_output_size(size, 3, stride=2, padding=pads)}"
    )

sizes = np.arange(8, 41)
fig, axes = plt.subplots(
    1, 2, figsize=(6.4, 4.2), sharey=True, layout="constrained"
)
for ax, k in zip(axes, (3, 4)):
    pairs = np.array([same_padding(int(n), k, stride=2) for n in sizes])
    ax.plot(sizes, pairs[:, 0], "o", label="before (top/left)", markersize=4)
    ax.plot(
        sizes,
        pairs[:, 1],
        "s",
        label="after (bottom/right)",
        markersize=4,
        fillstyle="none",
    )
    ax.set_title(f"kernel {k}, stride 2")
    ax.set_xlabel("input size $i$")
    ax.set_yticks([0, 1, 2])
    ax.grid(True, alpha=0.3)
axes[0].set_ylabel("padding (pixels)")
fig.legend(
    *axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2
)
fig.suptitle(
    "TensorFlow's SAME padding at stride 2\nalternates with the input size"
)
plt.show()

# %%
# convdocs accepts ``"same"`` at any stride
# -----------------------------------------
# :func:`convdocs.conv2d` applies TensorFlow's rule for every stride. The result equals
# PyTorch's convolution of the input padded by ``same_padding`` (the way to get
# TensorFlow's behaviour in PyTorch), and its size is :math:`\\lceil i / s \\rceil`.

for size in (224, 225):
    image = rng.standard_normal((1, 1, size, size))
    weight = rng.standard_normal((1, 1, 3, 3))
    ours = conv2d(image, weight, stride=2, padding="same")
    (top, bottom), (left, right) = same_padding((size, size), 3, stride=2)
    padded = F.pad(torch.from_numpy(image), (left, right, top, bottom))
    theirs = F.conv2d(padded, torch.from_numpy(weight), stride=2)
    np.testing.assert_allclose(ours, theirs.numpy())
    assert ours.shape[-1] == -(-size // 2)
    print(f"input {size}: conv2d(padding='same', stride=2) -> {ours.shape}")

# %%
# Solving for the padding
# -----------------------
# The question is often asked the other way round: *which padding takes 112 to 56
# with a 3x3 kernel at stride 2?* :func:`convdocs.solve_padding` inverts the size
# formula. It prefers a symmetric padding, which ``nn.Conv2d(padding=...)`` can
# hold, and otherwise places the odd pixel after the input, as TensorFlow does. At
# stride 2 a symmetric answer always exists (of two consecutive totals, one is even),
# so only stride 1 with an even kernel needs the asymmetric form. Keeping 112 at 112
# under stride 2 is possible too, with 57 pixels on each side.

cases = [(112, 56, 3, 2), (224, 112, 7, 2), (112, 112, 3, 2), (8, 8, 4, 1)]
for size, out, kernel, stride in cases:
    before, after = solve_padding(size, out, kernel, stride=stride)
    x = F.pad(torch.zeros(1, 1, size, size), (before, after, before, after))
    layer = torch.nn.Conv2d(1, 1, kernel, stride=stride)
    assert layer(x).shape[-1] == out
    print(
        f"{size} -> {out}, kernel {kernel}, stride {stride}: "
        f"padding ({before}, {after})"
    )

# %%
# Same size, different windows. For 224 -> 112 with a 3x3 kernel, TensorFlow's SAME
# pads ``(0, 1)`` while ``solve_padding`` (and PyTorch's ``padding=1``) pads
# ``(1, 1)``. Both give 112 outputs, but the windows sit one pixel apart, so weights
# ported between the two frameworks give different results unless the padding is
# converted too.

image = rng.standard_normal((1, 1, 224, 224))
weight = rng.standard_normal((1, 1, 3, 3))
tf_padding = same_padding((224, 224), 3, stride=2)
tensorflow_like = conv2d(image, weight, stride=2, padding=tf_padding)
pytorch_like = conv2d(image, weight, stride=2, padding=1)
print("TensorFlow's SAME:", tf_padding, "-> output", tensorflow_like.shape)
assert tensorflow_like.shape == pytorch_like.shape == (1, 1, 112, 112)
assert not np.allclose(tensorflow_like, pytorch_like)
# output (5, 7): TensorFlow's window starts at input row 10, column 14, PyTorch's
# one pixel up and left
window = image[0, 0, 10:13, 14:17]
np.testing.assert_allclose(
    tensorflow_like[0, 0, 5, 7], np.sum(window * weight)
)
window = image[0, 0, 9:12, 13:16]
np.testing.assert_allclose(pytorch_like[0, 0, 5, 7], np.sum(window * weight))

# %%
# In the guide: :doc:`/guide/padding` and :doc:`/guide/arithmetic`.
#
# .. admonition:: References
#
#    :func:`convdocs.same_padding`, :func:`convdocs.solve_padding`,
#    :func:`convdocs.conv2d`, :func:`convdocs.conv_output_size`.
