"""
Padding modes side by side
==========================

Five ways to fill the pixels around an image: ``"zeros"``, ``"reflect"``,
``"replicate"``, ``"symmetric"`` and ``"circular"``. This example shows each
mode on a 4x4 grid of the numbers 1 to 16, with every value printed, then on a
photograph padded by a third of its size, where the patterns become visible at
a glance. It prints the name each library gives each mode, and checks the
results against OpenCV and PyTorch. Watch the word "reflect": numpy's
``"reflect"`` is *not* OpenCV's ``BORDER_REFLECT``.
"""

# sphinx_gallery_thumbnail_number = 1

import cv2
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Rectangle

from convdocs import PADDING_MODES, pad
from convdocs.data import photograph
from convdocs.plot import COLORS, draw_padding

# %%
# Every mode on a 4x4 grid
# ------------------------
# The grid is padded by 2 on every side. Blue cells are the original pixels,
# grey cells the padding. ``"reflect"`` mirrors about the edge pixel, so the
# edge is not repeated (``3 2 | 1 2 3 4``); ``"symmetric"`` mirrors about the
# edge of the pixel, so it is (``2 1 | 1 2 3 4``). ``"replicate"`` repeats the
# edge pixel and ``"circular"`` continues with the other side, as if the image
# tiled the plane.

grid = np.arange(1, 17).reshape(4, 4)
width = 2


fig, axes = plt.subplots(3, 2, figsize=(6.4, 10.4), layout="constrained")
draw_padding(grid, width, mode=None, ax=axes[0, 0])
axes[0, 0].set_title("input\na b c d")
for ax, mode in zip(axes.flat[1:], PADDING_MODES):
    alias = f"\n(alias {', '.join(mode.aliases)})" if mode.aliases else ""
    # The pattern of each mode, cut to 2 padded pixels: "c b | a b c d | c b".
    left, middle, right = mode.pattern.split(" | ")
    pattern = f"{left[2:]} | {middle} | {right[:3]}"
    draw_padding(grid, width, mode=mode.name, ax=ax)
    ax.set_title(f'mode="{mode.name}"{alias}\n{pattern}')
fig.suptitle("4x4 grid padded by 2:\nblue = input, grey = padding")
plt.show()

# %%
# One word, different modes
# -------------------------
# Each library names the modes differently, and the same word does not always
# mean the same mode. The table below comes from
# :data:`convdocs.PADDING_MODES`, whose every entry is checked against the
# installed libraries by convdocs' tests (a dash: the library has no such
# mode). The word "reflect" (starred) appears in two rows: OpenCV's
# ``BORDER_REFLECT`` and scipy.ndimage's ``"reflect"`` repeat the edge pixel,
# so they are numpy's ``"symmetric"``, while numpy's and PyTorch's
# ``"reflect"`` is OpenCV's ``BORDER_REFLECT_101`` (its default border,
# ``BORDER_DEFAULT``) and scipy's ``"mirror"``. Code ported from OpenCV or
# scipy with the same word shifts every padded pixel by one.

columns = [
    "name",
    "numpy",
    "torch_pad",
    "torch_conv",
    "opencv",
    "scipy",
    "tensorflow",
]
rows = [
    [f"*{word}*" if "reflect" in word.lower() else word for word in row]
    for row in PADDING_MODES.as_rows(columns)
]
widths = [max(len(row[col]) for row in rows) for col in range(len(columns))]
print("What each library calls each mode (*starred*: the word 'reflect')\n")
for row in rows:
    print("  ".join(word.ljust(width) for word, width in zip(row, widths)))

# %%
# The trap in numbers, checked with OpenCV
# ----------------------------------------
# The row ``1 2 3 4`` padded by 3 on each side. OpenCV's ``copyMakeBorder``
# takes the padding as ``top, bottom, left, right``.

row = np.array([[1, 2, 3, 4]], dtype=np.uint8)
widths = ((0, 0), (3, 3))
opencv = {
    name: cv2.copyMakeBorder(row, 0, 0, 3, 3, getattr(cv2, name))
    for name in ["BORDER_REFLECT", "BORDER_REFLECT_101"]
}
np.testing.assert_array_equal(
    opencv["BORDER_REFLECT"], pad(row, widths, mode="symmetric")
)
np.testing.assert_array_equal(
    opencv["BORDER_REFLECT_101"], pad(row, widths, mode="reflect")
)
print("cv2.BORDER_REFLECT     ", opencv["BORDER_REFLECT"][0])
print("convdocs 'symmetric'   ", pad(row, widths, mode="symmetric")[0])
print("cv2.BORDER_REFLECT_101 ", opencv["BORDER_REFLECT_101"][0])
print("convdocs 'reflect'     ", pad(row, widths, mode="reflect")[0])

# %%
# The same pixels as OpenCV and PyTorch, for every mode
# -----------------------------------------------------
# The 4x4 grid again, padded with every library that has the mode. PyTorch's
# ``F.pad`` takes the padding as ``(left, right, top, bottom)`` and its
# non-constant modes need a batch axis; it has no ``"symmetric"`` mode. The
# padded uint8 image stays uint8: padding copies pixels and computes nothing.

image = grid.astype(np.uint8)
x = torch.tensor(grid, dtype=torch.float64)[None, None]
for mode in PADDING_MODES:
    ours = pad(image, width, mode=mode.name)
    assert ours.dtype == np.uint8
    flag = getattr(cv2, mode.opencv)
    theirs = cv2.copyMakeBorder(image, width, width, width, width, flag)
    np.testing.assert_array_equal(ours, theirs)
    checked = [f"cv2.{mode.opencv}"]
    if mode.torch_pad is not None:
        padded = torch.nn.functional.pad(x, (width,) * 4, mode=mode.torch_pad)
        np.testing.assert_array_equal(ours, padded[0, 0].numpy())
        checked.append(f"F.pad(mode={mode.torch_pad!r})")
    print(f"{mode.name:9} equals " + " and ".join(checked))

# %%
# Wide padding on a photograph
# ----------------------------
# A grayscale photograph, downsampled by 4, padded by a third of its size on
# every side; the blue frame marks the original image. Zeros draw a black
# frame, which a convolution sees as a strong edge; ``"replicate"`` smears the
# edge pixels into streaks; ``"reflect"`` and ``"symmetric"`` continue the
# picture as a mirror image (the two differ by one pixel, invisible at this
# scale); ``"circular"`` puts the opposite side next to each edge, so the
# medals at the bottom of the picture appear above the cap. OpenCV gives the
# same pixels for every mode.

photo = photograph(downsample=4)  # matplotlib's sample photograph, 150x128
rows, cols = photo.shape
border = rows // 3
print(f"photograph: {rows}x{cols}, padded by {border} on every side")

fig, axes = plt.subplots(3, 2, figsize=(6.4, 10.6), layout="constrained")
padded = {"input": np.full((rows + 2 * border, cols + 2 * border), np.nan)}
padded["input"][border:-border, border:-border] = photo
for mode in PADDING_MODES:
    padded[mode.name] = pad(photo, border, mode=mode.name)
    theirs = cv2.copyMakeBorder(
        photo, border, border, border, border, getattr(cv2, mode.opencv)
    )
    np.testing.assert_array_equal(padded[mode.name], theirs)
for ax, (name, values) in zip(axes.flat, padded.items()):
    cmap = plt.get_cmap("gray").with_extremes(bad="white")
    ax.imshow(values, cmap=cmap, vmin=0, vmax=1)
    ax.add_patch(
        Rectangle(
            (border - 0.5, border - 0.5),
            cols,
            rows,
            fill=False,
            edgecolor=COLORS["input"],
            linewidth=2,
        )
    )
    ax.set(xticks=[], yticks=[])
    ax.set_title(name if name == "input" else f'mode="{name}"')
fig.suptitle(f"{rows}x{cols} photograph padded by {border} pixels")
plt.show()

# %%
# In the guide: :doc:`/guide/padding` and :doc:`/guide/pitfalls`.
#
# .. admonition:: References
#
#    :func:`convdocs.pad`, :func:`convdocs.canonical_mode`,
#    :data:`convdocs.PADDING_MODES`; :func:`numpy.pad`;
#    ``torch.nn.functional.pad``; OpenCV's ``cv2.copyMakeBorder`` and its
#    ``BorderTypes``; the ``mode`` argument of the scipy.ndimage filters.
