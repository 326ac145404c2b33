"""
Edge detection, done right
==========================

The Sobel kernels estimate the horizontal and vertical derivatives of an image; the
gradient magnitude :math:`\\sqrt{g_x^2 + g_y^2}` finds edges of every orientation.
This example computes them on a photograph with :func:`convdocs.conv2d` and with
OpenCV, in a floating-point depth, and shows the two things that go wrong in
common code: an 8-bit output depth silently clips negative derivatives to zero, so
half the edges vanish; and the border mode decides what happens along the image
edge.
"""

# sphinx_gallery_thumbnail_number = 1

import cv2
import matplotlib.pyplot as plt
import numpy as np

from convdocs import conv2d
from convdocs.data import photograph

# %%
# Derivatives in float64, checked against OpenCV
# ----------------------------------------------
# ``cv2.filter2D`` is a correlation (no kernel flip) centred on the kernel, with
# ``BORDER_REFLECT_101`` as its default border: in convdocs that is
# ``padding=1, padding_mode="reflect"``. ``cv2.Sobel`` computes the same derivatives.
# Asking for ``cv2.CV_64F`` keeps the sign.

image = photograph(downsample=2)  # float64 in [0, 1]
sobel_x = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
sobel_y = sobel_x.T

gx = conv2d(image, sobel_x, padding=1, padding_mode="reflect")
gy = conv2d(image, sobel_y, padding=1, padding_mode="reflect")
np.testing.assert_allclose(
    gx, cv2.filter2D(image, cv2.CV_64F, sobel_x), atol=1e-12
)
np.testing.assert_allclose(
    gx, cv2.Sobel(image, cv2.CV_64F, 1, 0, ksize=3), atol=1e-12
)
np.testing.assert_allclose(
    gy, cv2.Sobel(image, cv2.CV_64F, 0, 1, ksize=3), atol=1e-12
)
magnitude = np.hypot(gx, gy)
direction = np.degrees(np.arctan2(gy, gx))
print(f"g_x from {gx.min():.2f} to {gx.max():.2f}: both signs occur")

# %%
# Magnitude and direction
# -----------------------
# The magnitude is large wherever the brightness changes, whatever the direction;
# the direction (shown only where the magnitude is large) tells which way the
# brightness increases.

strong = magnitude > np.percentile(magnitude, 80)
fig, axes = plt.subplots(2, 2, figsize=(6.4, 6.6), layout="constrained")
axes = axes.ravel()
limit = np.abs(gx).max()
panels = [
    (image, "input", {"cmap": "gray"}),
    (
        gx,
        "x derivative (Sobel)",
        {"cmap": "RdBu_r", "vmin": -limit, "vmax": limit},
    ),
    (magnitude, "gradient magnitude", {"cmap": "magma"}),
    (
        np.where(strong, direction, np.nan),
        "direction (top 20%)",
        {"cmap": "twilight", "vmin": -180, "vmax": 180},
    ),
]
for ax, (values, title, style) in zip(axes, panels):
    shown = ax.imshow(values, **style)
    ax.set_title(title)
    ax.set_xlabel("column")
fig.colorbar(shown, ax=axes[3], label="degrees", shrink=0.8)
axes[0].set_ylabel("row")
fig.suptitle("Sobel in float64: convdocs equals OpenCV")
plt.show()

# %%
# The 8-bit trap
# --------------
# With an 8-bit image and ``ddepth=-1`` (output depth = input depth), as in much
# example code, ``filter2D`` saturates: negative derivatives become 0 and large ones
# 255. Edges where the brightness *decreases* to the right vanish, and averaging the
# clipped x and y images does not give a magnitude. convdocs computes integer images
# in float64, so nothing is clipped.

image8 = np.round(image * 255).astype(np.uint8)
clipped = cv2.filter2D(image8, -1, sobel_x)
exact = conv2d(image8, sobel_x, padding=1, padding_mode="reflect")
assert exact.dtype == np.float64
np.testing.assert_array_equal(clipped, np.clip(np.round(exact), 0, 255))
lost = (exact < 0).mean()
print(
    f"{lost:.0%} of the pixels have a negative x derivative; "
    "uint8 output sets all of them to 0"
)

fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.8), layout="constrained")
axes[0].imshow(clipped, cmap="gray")
axes[0].set_title("filter2D, uint8 output:\nclipped")
limit = np.abs(exact).max()
axes[1].imshow(exact, cmap="RdBu_r", vmin=-limit, vmax=limit)
axes[1].set_title("conv2d, float64 output:\nsigned")
for ax in axes:
    ax.set_xlabel("column")
axes[0].set_ylabel("row")
fig.suptitle("One derivative, clipped to 8 bits and exact")
plt.show()

# %%
# The border mode along the image edge
# ------------------------------------
# Only the outermost row and column depend on the border. Zero padding invents a
# step from the image to black, so the derivative is large along the whole edge.
# Reflection (OpenCV's default) mirrors the image about the edge pixel, so the x
# derivative is exactly zero in the first and last columns; replication repeats the
# edge pixel and gives about half the interior's typical value.

print("mean |g_x| in the first column, by border mode:")
for mode, border in [
    ("zeros", cv2.BORDER_CONSTANT),
    ("reflect", cv2.BORDER_REFLECT_101),
    ("replicate", cv2.BORDER_REPLICATE),
]:
    ours = conv2d(image, sobel_x, padding=1, padding_mode=mode)
    theirs = cv2.filter2D(image, cv2.CV_64F, sobel_x, borderType=border)
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    np.testing.assert_allclose(ours[1:-1, 1:-1], gx[1:-1, 1:-1], atol=1e-12)
    print(
        f"  {mode:9} {np.abs(ours[:, 0]).mean():.3f}  "
        f"(interior {np.abs(ours[:, 1:-1]).mean():.3f})"
    )
    if mode == "reflect":
        np.testing.assert_allclose(ours[:, [0, -1]], 0, atol=1e-12)

# %%
# In the guide: :doc:`/guide/pitfalls` and :doc:`/guide/padding`.
#
# .. admonition:: References
#
#    :func:`convdocs.conv2d`, :func:`convdocs.pad`; OpenCV ``filter2D`` and
#    ``Sobel``.
