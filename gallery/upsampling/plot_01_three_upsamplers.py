"""
Three ways to upsample by 2
===========================

A decoder, a generator or a super-resolution network has to double the size of a
feature map, and it can learn how. Three layers do it: a transposed convolution of
stride 2, a sub-pixel convolution (a convolution to four times the channels, then
``PixelShuffle(2)``; Shi et al., 2016) and a resize followed by a convolution (Odena,
Dumoulin & Olah, 2016). This example builds the three with 8 channels in and out, checks
their output shapes and parameter counts against PyTorch, and feeds them a constant
image. A constant input should give a constant output away from the borders; all but
the resize-convolution paint a pattern that repeats every 2 pixels, for one of two
reasons: uneven overlap of the kernel copies, or kernels that differ from one output
pixel of a 2x2 block to the next.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from convdocs import explain_shapes, overlap_counts

torch.manual_seed(0)
C, r, n = 8, 2, 8  # channels in and out, scale factor, input size


def upsamplers():
    """The four layers compared: each maps (1, 8, 8, 8) to (1, 8, 16, 16)."""
    return {
        "transposed k3": nn.Sequential(
            nn.ConvTranspose2d(C, C, 3, stride=r, padding=1, output_padding=1)
        ),
        "transposed k4": nn.Sequential(
            nn.ConvTranspose2d(C, C, 4, stride=r, padding=1)
        ),
        "sub-pixel k3": nn.Sequential(
            nn.Conv2d(C, C * r * r, 3, padding=1), nn.PixelShuffle(r)
        ),
        "resize-conv k3": nn.Sequential(
            nn.Upsample(scale_factor=r, mode="nearest"),
            nn.Conv2d(C, C, 3, padding=1),
        ),
    }


layers = {name: model.double() for name, model in upsamplers().items()}

# %%
# Shapes and parameters
# ---------------------
# :func:`convdocs.explain_shapes` follows the 8x8 input through each layer with the
# size formulas, PixelShuffle included (channels :math:`C r^2 \to C`, sizes
# :math:`\times r`). The parameters follow from the kernel shapes: a transposed
# convolution and a resize-convolution hold :math:`C_\text{in} C_\text{out} k^2 +
# C_\text{out}`; the sub-pixel convolution computes :math:`r^2` times the channels,
# so it holds :math:`r^2 (C_\text{in} C_\text{out} k^2 + C_\text{out})`: four
# different 3x3 kernels per output channel, one for each pixel of a 2x2 block.
# It runs them on the small map, so it costs as many multiply-adds as the
# resize-convolution, whose single kernel runs on the large one.

formulas = {
    "transposed k3": C * C * 3 * 3 + C,
    "transposed k4": C * C * 4 * 4 + C,
    "sub-pixel k3": r * r * (C * C * 3 * 3 + C),
    "resize-conv k3": C * C * 3 * 3 + C,
}
x = torch.ones(1, C, n, n, dtype=torch.float64)
for name, model in layers.items():
    steps = explain_shapes(model, n).steps
    with torch.no_grad():
        shape = tuple(model(x).shape)
    assert steps[-1].shape == shape == (1, C, r * n, r * n)
    assert formulas[name] == sum(p.numel() for p in model.parameters())
    arithmetic = "; then ".join(s.arithmetic for s in steps[1:])
    print(f"{name:15} {formulas[name]:5} parameters  {shape}  {arithmetic}")

# %%
# How flat is the output of a constant input?
# -------------------------------------------
# Every layer gets an input of ones. Two pixels from each border the zero padding
# no longer matters, so an upsampler that treats all output pixels alike gives a
# constant there. The measure is the standard deviation of that interior divided by
# its mean absolute value, per channel (0 for a flat map; the mean itself can be
# near 0 with random weights). The maps show channel 0 as its deviation from the
# interior mean, in the same units, with channel 0's ratio in the title.

border = 2


def unevenness(y):
    """Per channel: std / mean |value| of the interior of ``y`` (channels, h, w)."""
    inner = y[:, border:-border, border:-border]
    return inner.std(axis=(1, 2)) / np.abs(inner).mean(axis=(1, 2))


def outputs(models):
    with torch.no_grad():
        return {name: model(x)[0].numpy() for name, model in models.items()}


def show(results, title):
    fig, axes = plt.subplots(2, 2, figsize=(6.4, 7), layout="constrained")
    for ax, (name, y) in zip(axes.flat, results.items()):
        inner = y[0, border:-border, border:-border]
        deviation = (y[0] - inner.mean()) / np.abs(inner).mean()
        shown = ax.imshow(deviation, cmap="RdBu_r", vmin=-1.5, vmax=1.5)
        ax.set_title(f"{name}\nratio {unevenness(y)[0]:.2f}")
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        ax.set_xticks([0, 15])
        ax.set_yticks([0, 15])
    fig.colorbar(
        shown, ax=axes, shrink=0.8, label="(value - mean) / mean |value|"
    )
    fig.suptitle(title)
    plt.show()


# %%
# Cause 1: uneven overlap
# -----------------------
# With every weight equal (1) and no bias, the output of a transposed convolution
# is the number of kernel taps that reach each pixel, times the 8 input channels:
# :func:`convdocs.overlap_counts`. Kernel 3 at stride 2 gives 1, 2 or 4 taps, a
# checkerboard; kernel 4 gives 4 everywhere inside. The sub-pixel and the
# resize-convolution, with equal weights, are flat.

for model in layers.values():
    for layer in model:
        if hasattr(layer, "weight"):
            torch.nn.init.ones_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
uniform = outputs(layers)
for name, k, extra in [("transposed k3", 3, 1), ("transposed k4", 4, 0)]:
    counts = overlap_counts(
        (n, n), k, stride=r, padding=1, output_padding=extra
    )
    np.testing.assert_array_equal(
        uniform[name], C * np.broadcast_to(counts, (C, 16, 16))
    )
    print(f"{name}: taps per pixel inside", counts[4:6, 4:6].tolist())
ratios = {name: unevenness(y).max() for name, y in uniform.items()}
assert ratios["transposed k3"] > 0.4
assert (
    max(
        ratios["transposed k4"],
        ratios["sub-pixel k3"],
        ratios["resize-conv k3"],
    )
    < 1e-12
)
show(
    uniform,
    "Equal weights: only the kernel-3\ntransposed convolution is uneven",
)

# %%
# Cause 2: a different kernel for each pixel of a block
# -----------------------------------------------------
# With PyTorch's random initialisation the picture changes: both transposed
# convolutions and the sub-pixel convolution paint a pattern of period 2, and only
# the resize-convolution stays flat. A transposed convolution of stride 2 is four
# small convolutions interleaved (output pixels of each parity of row and column
# receive a different subset of the kernel's taps), and a sub-pixel convolution
# is literally four convolutions interleaved by the shuffle. Random kernels give
# the four a different response to the same constant, whatever the overlap. The
# resize-convolution applies one kernel to a nearest-neighbour copy of the input,
# so a constant stays a constant.

# fresh layers, with the seeded random initialisation
layers = {name: model.double() for name, model in upsamplers().items()}
random = outputs(layers)
for y in random.values():  # the interior repeats with period 2
    inner = y[:, border:-border, border:-border]
    np.testing.assert_allclose(inner[:, 2:], inner[:, :-2], atol=1e-12)
    np.testing.assert_allclose(inner[:, :, 2:], inner[:, :, :-2], atol=1e-12)
ratios = {name: unevenness(y).min() for name, y in random.items()}
print(
    {name: round(float(v), 3) for name, v in ratios.items()},
    "(smallest over channels)",
)
assert (
    min(
        ratios["transposed k3"],
        ratios["transposed k4"],
        ratios["sub-pixel k3"],
    )
    > 0.2
)
assert unevenness(random["resize-conv k3"]).max() < 1e-12
show(
    random,
    "Random initialisation: a 2x2 pattern\nunless the layer resizes first",
)

# %%
# The pattern of the sub-pixel convolution is the one its initialisation chooses,
# and it can be chosen away: :ref:`sphx_glr_auto_examples_upsampling_plot_02_icnr.py`
# starts it as a resize-convolution.
# The maths of all three, and why a transposed convolution of stride :math:`r` is a
# sub-pixel convolution, are in the guide: :doc:`/guide/upsampling`. The coverage
# of transposed convolutions is drawn cell by cell in
# :ref:`sphx_glr_auto_examples_transposed_plot_04_checkerboard.py`.
#
# .. admonition:: References
#
#    :func:`convdocs.overlap_counts`, :func:`convdocs.explain_shapes`;
#    :ref:`Odena, Dumoulin & Olah (2016) <odena-dumoulin-olah>`,
#    :ref:`Shi et al. (2016) <shi-2016-subpixel>`,
#    :ref:`Shi et al. (2016b) <shi-2016-deconvolution>`.
