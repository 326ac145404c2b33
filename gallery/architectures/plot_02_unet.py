"""
U-Net: which input sizes work, and why the others fail
======================================================

The original U-Net (Ronneberger et al., 2015) uses unpadded 3x3 convolutions: every
convolution trims 2 pixels, a 572x572 tile gives a 388x388 segmentation, and the
skip connections are centre-cropped to the size of the upsampled maps. The common
padded variant keeps sizes and needs no crops. This example asks
:func:`convdocs.valid_input_sizes` which input sizes each network accepts, and
:func:`convdocs.explain_shapes` what goes wrong with the others. Both walk the
traced model with convdocs' arithmetic, without running it; every answer is then
checked by running the real models from :mod:`convdocs.models`.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import torch

from convdocs import explain_shapes, valid_input_sizes
from convdocs.models import unet
from convdocs.plot import COLORS

_EDGES_KERNEL = "#a63603"  # a darker shade of the kernel colour, for text

# The channel counts do not change any spatial size; narrow models run fast.
original = unet(base_channels=4)
padded = unet(padded=True, base_channels=4)

# %%
# Every size in the network at 572
# --------------------------------
# Each level of the contracting path applies two 3x3 convolutions and a 2x2 max-pool
# with stride 2; each level of the expansive path a 2x2 up-convolution (stride 2),
# a crop of the skip connection, and two 3x3 convolutions. The report lists every
# layer with the arithmetic that gives its output size; here are the layers that
# change the size.

report = explain_shapes(original, 572)
assert report.ok
for step in report.steps:
    if step.changes_size:
        print(f"{step.layer:14} {step.kind:16} {step.arithmetic}")

with torch.no_grad():
    out = original(torch.zeros(1, 1, 572, 572))
assert tuple(out.shape) == report.steps[-1].shape == (1, 2, 388, 388)

# %%
# The input sizes the original U-Net accepts
# ------------------------------------------
# A size is *valid* when every layer accepts its input and every crop removes as
# many pixels on each side, so that the skip connection and the upsampled map stay
# aligned. Four max-pools make validity repeat every 16 pixels, and the rule comes
# out in closed form: every 16th size from 188 on. These are exactly the sizes for
# which every max-pool sees an even size, as the paper asks.

sizes = valid_input_sizes(original, range(100, 701))
print(sizes)
assert sizes.rule == "16k + 12 from 188 on"
assert list(sizes.valid) == list(range(188, 701, 16))
assert 572 in sizes

# %%
# A size that runs but is not valid: 570
# --------------------------------------
# At 570 PyTorch raises nothing: each crop adapts to the upsampled map. But a
# max-pool sees an odd size and drops its last row, the crop after it can no longer
# be centred, and the skip connection is concatenated half a pixel off: output tiles
# no longer stitch seamlessly. The report names the first crop that is off-centre
# and shows, for both sides of the concatenation, the steps since the paths split.

report = explain_shapes(original, 570)
print(report)
assert report.runs
assert not report.ok
assert report.nearest == (556, 572)
with torch.no_grad():
    out = original(torch.zeros(1, 1, 570, 570))
assert tuple(out.shape) == report.steps[-1].shape

# %%
# The padded U-Net: multiples of 16
# ---------------------------------
# With padding 1 the convolutions keep sizes, so the output has the input's size,
# and only sizes that can be halved four times survive. At 500 the third max-pool
# halves 125 to 62, the decoder doubles that back to 124, and the concatenation with
# the 125-pixel skip connection fails. PyTorch's message says that sizes differ; the
# report says where they came from and which sizes would work.

print(valid_input_sizes(padded, range(480, 530)))
try:
    with torch.no_grad():
        padded(torch.zeros(1, 1, 500, 500))
except RuntimeError as error:
    print("PyTorch:", error)

report = explain_shapes(padded, 500)
print(report)
assert (report.runs, report.layer, report.nearest) == (
    False,
    "cat_1",
    (496, 512),
)
with torch.no_grad():
    for n in report.nearest:
        assert padded(torch.zeros(1, 1, n, n)).shape[-1] == n

# %%
# Valid sizes at a glance
# -----------------------

span = range(150, 701)
fig, ax = plt.subplots(figsize=(6.4, 2.8), layout="constrained")
ax.eventplot(
    [
        valid_input_sizes(original, span).valid,
        valid_input_sizes(padded, span).valid,
    ],
    lineoffsets=[1, 0],
    linelengths=0.6,
    colors=["C0", "C1"],
)
ax.set_yticks([1, 0], ["original (unpadded)", "padded"])
# 500, the size of the failure above, falls between two valid sizes in both rows.
assert 500 not in valid_input_sizes(original, span).valid
assert 500 not in valid_input_sizes(padded, span).valid
ax.axvline(500, color=COLORS["kernel"], linestyle="--", linewidth=1.5)
ax.annotate(
    "500: not valid",
    (500, 1.45),
    xytext=(6, 0),
    textcoords="offset points",
    color=_EDGES_KERNEL,
    va="center",
)
ax.set_ylim(-0.5, 1.7)
ax.set_xlabel("input size (pixels per side)")
ax.set_xlim(150, 700)
ax.set_title(
    "Input sizes a depth-4 U-Net accepts:\n16k + 12 from 188, or multiples of 16"
)
plt.show()

# %%
# The command line gives the same answers: ``convdocs sizes unet --range 500 600``
# and ``convdocs sizes unet-padded 500``.
#
# In the guide: :doc:`/guide/working_backwards`.
#
# .. admonition:: References
#
#    :func:`convdocs.valid_input_sizes`, :func:`convdocs.explain_shapes`,
#    :func:`convdocs.models.unet`; O. Ronneberger, P. Fischer and T. Brox, "U-Net:
#    Convolutional Networks for Biomedical Image Segmentation", MICCAI 2015.
