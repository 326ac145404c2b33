r"""
The effective field is Gaussian and grows like the square root of depth
=======================================================================

A stack of :math:`L` 3x3 convolutions has a receptive field of
:math:`2L + 1` pixels: every pixel in it *can* move the output unit. How
much each one does is another matter. This example measures the gradient
of the centre unit with respect to the input, averaged over random inputs
and random weights, with :func:`convdocs.effective_receptive_field` (the
*effective* receptive field of Luo et al., 2016). With uniform weights the
map is exactly the :math:`L`-fold convolution of a 3x3 box, checked
against numpy; with random weights it is a bump of the same kind. Its
radius grows like :math:`\sqrt{L}` while the theoretical field grows like
:math:`L`, so a deep unit looks at an ever smaller part of what it could
see.

The theoretical field depends on the layers' geometry only; the effective
field (every radius below) depends on the weights.
"""

# sphinx_gallery_thumbnail_number = 3

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy.signal import convolve
from torch import nn

from convdocs import (
    effective_receptive_field,
    empirical_receptive_field,
    receptive_field,
)
from convdocs.plot import draw_effective_field

# One thread: for these small inputs, on a busy machine, threads waiting
# for each other cost more time than they save.
torch.set_num_threads(1)
torch.manual_seed(0)


def conv_stack(depth, uniform):
    """``depth`` one-channel 3x3 convolutions that keep the size."""
    layers = [
        nn.Conv2d(1, 1, 3, padding=1, bias=False, dtype=torch.float64)
        for _ in range(depth)
    ]
    if uniform:
        with torch.no_grad():
            for layer in layers:
                layer.weight.fill_(1 / 9)  # each unit averages its 3x3 window
    return nn.Sequential(*layers)


def measure(depth, uniform):
    """The centre unit's effective field, on an input with room around it."""
    model = conv_stack(depth, uniform)
    size = 2 * depth + 9
    if uniform:  # the weights are fixed: one input is enough, it is linear
        return effective_receptive_field(
            model, size, samples=1, reinitialize=False
        )
    return effective_receptive_field(model, size, samples=32, seed=0)


# %%
# Uniform weights: repeated convolution of a box
# ----------------------------------------------
# With every weight :math:`1/9`, the gradient that reaches the input from
# the centre unit is the 3x3 box :math:`L` times convolved with itself:
# along each axis, the distribution of a sum of :math:`L` independent steps
# of :math:`-1`, 0 or :math:`+1`, with variance :math:`L(k^2 - 1)/12 =
# 2L/3` for :math:`k = 3`. By the central limit theorem it tends to a
# Gaussian. For :math:`L = 16` the map is the numpy convolution of boxes to
# the last digit, and its variance is :math:`32/3`.

depth = 16
uniform = measure(depth, uniform=True)
box = np.ones(1)
for _ in range(depth):
    box = convolve(box, np.full(3, 1 / 3))
(top, bottom), (left, right) = uniform.theoretical
np.testing.assert_allclose(
    uniform.map[top:bottom, left:right], np.outer(box, box), atol=1e-15
)
assert uniform.theoretical_size == (2 * depth + 1,) * 2
np.testing.assert_allclose(uniform.variance, (depth * 8 / 12,) * 2)
print(f"theoretical field: {uniform.theoretical_size} pixels")
print(f"variance per axis: {uniform.variance} (2L/3 = {2 * depth / 3:.4f})")

# %%
# Random weights
# --------------
# At random initialisation (at the scale of PyTorch's default, drawn anew
# for each of 32 samples, each with a fresh standard normal input) the
# weights are as often negative as positive, and the gradient at a pixel is a sum over the
# paths to it of products of weights. Its magnitude, averaged, follows the
# number of paths, the same binomial counts, so the map is again a bump in
# the middle of the field. Every pixel of the field gets some gradient: the
# map's support is exactly the field :func:`convdocs.receptive_field`
# computes and :func:`convdocs.empirical_receptive_field` measures.

random = measure(depth, uniform=False)
model = conv_stack(depth, uniform=False)
size = 2 * depth + 9
measured = empirical_receptive_field(model, size)
assert np.array_equal(random.map > 0, measured.mask)
assert random.theoretical == receptive_field(model, size).interval(
    measured.unit
)

fig, axes = plt.subplots(1, 2, figsize=(6.4, 4.4), layout="constrained")
for ax, field, label in [
    (axes[0], uniform, "uniform"),
    (axes[1], random, "random"),
]:
    title = f"{label} weights:\n95% within r = {field.radius():.1f} px"
    draw_effective_field(field, ax=ax, title=title)
axes[1].set_ylabel("")  # the same rows as on the left
fig.suptitle(
    f"{depth} layers of 3x3: the theoretical field\n"
    f"is {2 * depth + 1}x{2 * depth + 1} (orange)"
)
plt.show()

# %%
# A Gaussian profile
# ------------------
# Each map summed over its rows (its profile along the columns), scaled to
# peak 1, against the Gaussian of the same variance: :math:`2L/3` for
# uniform weights, the measured one for random weights. Far from the centre
# the gradient is orders of magnitude below the peak, although every pixel
# of the theoretical field (orange) has some.

fig, ax = plt.subplots(figsize=(6.4, 5.4), layout="constrained")
for field, label, color in [
    (uniform, "uniform weights", "#d94801"),
    (random, "random weights", "#3182bd"),
]:
    profile = field.map.sum(axis=0)
    x = np.arange(profile.size) - field.center[1]
    gauss = np.exp(-(x**2) / (2 * field.variance[1]))
    ax.plot(x, profile / profile.max(), "o", color=color, label=f"{label}")
    ax.plot(x, gauss, "-", color=color, label=f"Gaussian, {label}")
ax.axvspan(-depth - 0.5, depth + 0.5, color="#feedde", zorder=0)
ax.set_title("Profile of the map and\nthe Gaussian of the same variance")
ax.set_xlabel("input column, from the centre\n(orange: theoretical field)")
ax.set_ylabel("gradient (peak = 1)")
fig.legend(
    *ax.get_legend_handles_labels(), loc="outside lower center", ncols=2
)  # below the axes: inside, it would cover the tails
plt.show()

# %%
# :math:`\sqrt{L}` against :math:`L`
# ----------------------------------
# For depths 2 to 64, the radius holding 95% of the gradient against the
# theoretical field's half-width, :math:`L` pixels. On log axes a power law
# is a straight line whose slope is its exponent: 1 for the theoretical
# field, :math:`1/2` for the effective field (fitted from depth 8 on, where
# the bump has room to be round; at depth 2 the disc must reach the corners
# of the 5x5 field, beyond its half-width). For a 2-D Gaussian of standard deviation
# :math:`\sigma` per axis the 95% disc has radius
# :math:`\sigma\sqrt{-2\ln 0.05} = 2.45\,\sigma`, so with uniform weights
# it is :math:`2.45\sqrt{2L/3} \approx 2\sqrt{L}`.

depths = np.array([2, 4, 8, 16, 32, 64])
radii = {
    name: np.array([measure(int(n), flag).radius(0.95) for n in depths])
    for name, flag in [("uniform", True), ("random", False)]
}
half_width = np.array(
    [
        (receptive_field(conv_stack(int(n), True), 9).size[0] - 1) / 2
        for n in depths
    ]
)
assert half_width.tolist() == depths.tolist()

fit = depths >= 8
slopes = {
    name: np.polyfit(np.log(depths[fit]), np.log(r[fit]), 1)[0]
    for name, r in [("theoretical", half_width), *radii.items()]
}
print(" depth  theoretical  uniform  random")
for i, n in enumerate(depths):
    print(
        f"{n:6d}  {half_width[i]:11.0f}  {radii['uniform'][i]:7.2f}"
        f"  {radii['random'][i]:6.2f}"
    )
print("fitted slopes:", {k: round(float(v), 3) for k, v in slopes.items()})
assert abs(slopes["theoretical"] - 1) < 1e-9
assert abs(slopes["uniform"] - 0.5) < 0.03
assert abs(slopes["random"] - 0.5) < 0.1
sigma = np.sqrt(2 * depths / 3)
expected = sigma * math.sqrt(-2 * math.log(0.05))
np.testing.assert_allclose(radii["uniform"][fit], expected[fit], rtol=0.05)

fig, ax = plt.subplots(figsize=(6.4, 6), layout="constrained")
ax.loglog(
    depths, half_width, "s-", color="#d94801",
    label=f"theoretical half-width (slope {slopes['theoretical']:.2f})",
)  # fmt: skip
ax.loglog(
    depths, radii["uniform"], "o-", color="#31a354",
    label=f"effective, uniform weights (slope {slopes['uniform']:.2f})",
)  # fmt: skip
ax.loglog(
    depths, radii["random"], "^-", color="#3182bd",
    label=f"effective, random weights (slope {slopes['random']:.2f})",
)  # fmt: skip
ax.loglog(depths, 2 * np.sqrt(depths), ":", color="0.4", label="2√L")
ax.set_title("The effective field grows like √L,\nthe field like L")
ax.set_xlabel("depth $L$ (3x3 layers, log scale)")
ax.set_ylabel("radius in pixels (log scale)")
ax.set_xticks(depths, [str(n) for n in depths])
ax.set_yticks(depths, [str(n) for n in depths])
ax.minorticks_off()
ax.grid(True, which="both", alpha=0.3)
fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center")
plt.show()

# %%
# At depth 64 the unit could see 129x129 pixels, and 95% of its gradient
# lies within 16 pixels of the centre: the share of the field that matters
# shrinks like :math:`1/\sqrt{L}`. Luo et al. report the same for random
# weights with ReLUs, and that training makes the effective field grow; see
# :doc:`/guide/effective_field`. The next example shows what dilation,
# stride and pooling do to it, and ResNet-50's unit.
#
# .. admonition:: References
#
#    :func:`convdocs.effective_receptive_field`,
#    :func:`convdocs.receptive_field`,
#    :func:`convdocs.plot.draw_effective_field`; W. Luo, Y. Li, R. Urtasun
#    and R. Zemel, "Understanding the effective receptive field in deep
#    convolutional neural networks", NeurIPS 2016 (:ref:`references
#    <luo-li-urtasun-zemel>`).
