"""
Receptive fields of classic architectures
=========================================

How far does one unit at the end of AlexNet, VGG-16, ResNet-18, ResNet-50 or U-Net
see? This example traces the real PyTorch modules of :mod:`convdocs.models` with
:func:`convdocs.receptive_field` and tabulates, for each, the receptive field, the
effective stride (input pixels between neighbouring units) and the effective
padding (how far the first unit's field reaches before the first pixel). The values
are checked with autograd by :func:`convdocs.empirical_receptive_field`, and the
field of one output unit is drawn over a photograph: a ResNet-50 unit sees far more
than the 224x224 image.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle

from convdocs import Conv, Pool, empirical_receptive_field, receptive_field
from convdocs.data import photograph
from convdocs.models import alexnet, resnet18, resnet50, unet, vgg16
from convdocs.plot import COLORS
from convdocs.receptive import SizeRange

# %%
# One table for every architecture
# --------------------------------
# Each model is built once. The field does not depend on the number of channels,
# so the U-Nets are built with 4 channels in their first level instead of 64,
# which makes tracing fast. The classifiers end in an adaptive average pool, which
# ends the spatial structure: their row describes the units of the last spatial
# layer (``units of``), whose 7x7 (AlexNet: 6x6) map the pool averages.

models = {
    "AlexNet": (alexnet(), 224),
    "VGG-16": (vgg16(), 224),
    "ResNet-18": (resnet18(), 224),
    "ResNet-50": (resnet50(), 224),
    "U-Net": (unet(base_channels=4), 572),
    "U-Net, padded": (unet(padded=True, base_channels=4), 512),
}
results = {
    name: receptive_field(model, size)
    for name, (model, size) in models.items()
}

print(
    f"{'model':14s} {'input':>5s}  {'units of':14s} {'output':>7s} "
    f"{'field':>9s} {'stride':>6s} {'padding':>7s}"
)
for name, rf in results.items():
    # every model is square: show one value per quantity
    output = "x".join(map(str, rf.output_size))
    print(
        f"{name:14s} {rf.input_size[0]:5d}  {rf.name:14s} {output:>7s} "
        f"{rf.size[0]!s:>9s} {rf.stride[0]:6d} {rf.padding[0]:7d}"
    )

known = {  # field, effective stride, effective padding
    "AlexNet": (195, 32, 66),
    "VGG-16": (212, 32, 90),
    "ResNet-18": (435, 32, 217),
    "ResNet-50": (427, 32, 213),
    "U-Net": (SizeRange(188, 204), 1, 0),
    "U-Net, padded": (SizeRange(188, 204), 1, 94),
}
for name, (size, stride, padding) in known.items():
    rf = results[name]
    assert (rf.size, rf.stride, rf.padding) == (
        (size,) * 2,
        (stride,) * 2,
        (padding,) * 2,
    )

# %%
# Every classifier has an effective stride of 32: its five stride-2 stages (a
# stride-4 convolution and three stride-2 pools for AlexNet) put neighbouring units
# of the last map 32 input pixels apart. The fields differ widely, and the ResNets' fields are
# about twice the 224-pixel image: most of a corner unit's field is padding.
#
# The per-layer table shows how it happens. For VGG-16 the jump doubles at every
# pool, and each 3x3 convolution adds two jumps to the field: the last
# convolution (``features.28``) sees 196 pixels and the last pool 212, the value
# Araujo, Norris & Sim report. The result is shown as an HTML table:

results["VGG-16"]

# %%
# Checked with autograd
# ---------------------
# :func:`convdocs.empirical_receptive_field` marks the input pixels whose gradient
# for one output unit is non-zero, with every weight positive and no ReLU or max
# pool masking a path. For each model it measures a unit whose whole field lies
# inside the input (AlexNet at 227, the ResNets at 448, the U-Net at 220, a tile
# with a 36x36 output) and gets exactly the computed interval. The field, stride
# and padding do not depend on the input size.

checks = [  # model, input size, unit
    ("AlexNet", 227, (3, 3)),
    ("VGG-16", 224, (3, 3)),
    ("ResNet-18", 448, (7, 7)),
    ("ResNet-50", 448, (7, 7)),
    ("U-Net", 220, (0, 0)),  # a unit that sees 188 x 188 pixels
    ("U-Net", 220, (4, 4)),  # and one that sees 204 x 204
]
for name, size, unit in checks:
    model = models[name][0]
    rf = receptive_field(model, size)
    assert (rf.size, rf.stride, rf.padding) == (
        results[name].size,
        results[name].stride,
        results[name].padding,
    )
    layer = None if name.startswith("U-Net") else rf.name
    measured = empirical_receptive_field(model, size, unit, layer=layer)
    assert measured.interval == rf.interval(unit) == rf.interval(unit, True)
    print(
        f"{name:9s} at {size}: unit {unit} sees rows and columns "
        f"{measured.interval[0]}, {measured.size[0]} pixels"
    )

# %%
# U-Net: 188 or 204 pixels, never 200
# -----------------------------------
# After U-Net's 2x2 up-convolutions with stride 2, neighbouring output units do
# not see the same number of pixels: every output unit of the original U-Net sees
# either 188 or 204 input pixels per dimension. The textbook recurrence, which
# treats an up-convolution as a layer with stride 1/2, gives 200: the field of no
# unit. convdocs reports the range and gives each unit's exact interval.

rf = results["U-Net"]
widths = {}
for u in range(rf.output_size[0]):
    (start, stop), _ = rf.interval((u, 0))
    widths[stop - start] = widths.get(stop - start, 0) + 1
print("output units per field size:", widths)
assert set(widths) == {188, 204}

# %%
# ResNet-50: 427 here, 483 in Araujo et al.
# -----------------------------------------
# Araujo, Norris & Sim report 483 pixels for ResNet-50. They analyse TF-slim's
# ``resnet_v1_50``, which downsamples at the *last* block of stages 1 to 3
# instead of the first block of stages 2 to 4 (torchvision's layout, which
# :func:`convdocs.models.resnet50` follows): three more 3x3 convolutions run at
# the larger jump. The 3x3 convolutions and the stem are all that matter (a 1x1
# convolution adds nothing, and a shortcut's field is the smaller one), so the two
# layouts can be written as layer specs:


def resnet50_specs(tf_slim):
    """ResNet-50's stem and the 3x3 convolutions of its 16 bottlenecks."""
    specs = [Conv(7, stride=2, padding=3), Pool(3, stride=2, padding=1)]
    for stage, blocks in enumerate([3, 4, 6, 3]):
        for block in range(blocks):
            if tf_slim:
                strided = block == blocks - 1 and stage < 3
            else:
                strided = block == 0 and stage > 0
            specs.append(Conv(3, stride=2 if strided else 1, padding=1))
    return specs


torchvision_layout = receptive_field(resnet50_specs(tf_slim=False))
slim_layout = receptive_field(resnet50_specs(tf_slim=True))
print(
    "torchvision layout:", torchvision_layout.size, torchvision_layout.stride
)
print("TF-slim layout:    ", slim_layout.size, slim_layout.stride)
traced = results["ResNet-50"]
assert (torchvision_layout.size, torchvision_layout.padding) == (427, 213)
assert (traced.size, traced.padding) == ((427, 427), (213, 213))
assert (slim_layout.size, slim_layout.stride) == (483, 32)

# %%
# One output unit over a photograph
# ---------------------------------
# The photograph is cropped to a square and resized to 224x224, the input size of
# the classifiers. Each panel draws the field of one unit of the last spatial layer:
# the theoretical interval (dashed orange), which reaches into the padding (grey),
# and the exact field, the image pixels the unit depends on (solid orange), with the
# effective-stride grid: the centres of the fields of all 7x7 units (green dots,
# 32 pixels apart). VGG-16's centre unit sees a 212x212 window inside the image.
# ResNet-50's centre unit sees 427x427 pixels, the whole image and 117 pixels of
# padding on the top and left, 86 on the bottom and right; along each dimension,
# half of its corner unit's field is padding. ResNet's grid is not centred either: its
# first unit is centred on pixel 0, its last on pixel 192, 31 pixels from the far
# edge.

image = photograph(gray=False)[:512]  # the top 512 rows: a square
tensor = torch.from_numpy(image).permute(2, 0, 1)[None]
small = F.interpolate(tensor, size=(224, 224), mode="bilinear", antialias=True)
small = small[0].permute(1, 2, 0).numpy().clip(0, 1)


def draw_field(ax, rf, unit, title):
    """The photograph, a unit's field (theoretical and exact), the grid."""
    n = rf.input_size[0]
    (top, bottom), (left, right) = rf.interval(unit)
    (ctop, cbottom), (cleft, cright) = rf.interval(unit, clip=True)
    # The theoretical field: padding behind the image, its edge on top.
    behind = {"facecolor": COLORS["padding"], "linewidth": 0, "zorder": -1}
    edge = {"fill": False, "linestyle": "--", "linewidth": 2, "zorder": 3}
    for style in (behind, edge):
        ax.add_patch(
            Rectangle(
                (left - 0.5, top - 0.5),
                right - left,
                bottom - top,
                edgecolor=COLORS["kernel"],
                **style,
            )
        )
    inside = np.zeros((n, n, 1))
    inside[ctop:cbottom, cleft:cright] = 1
    faded = small * inside + (0.3 * small + 0.7) * (1 - inside)
    ax.imshow(faded, extent=(-0.5, n - 0.5, n - 0.5, -0.5))
    ax.add_patch(
        Rectangle(
            (cleft - 0.5, ctop - 0.5),
            cright - cleft,
            cbottom - ctop,
            fill=False,
            edgecolor=COLORS["kernel"],
            linewidth=3,
            zorder=2,
        )
    )
    h, w = rf.output_size
    centres = np.array(
        [
            [(a + b - 1) / 2 for a, b in rf.interval((i, j))]
            for i in range(h)
            for j in range(w)
        ]
    )
    ax.plot(
        centres[:, 1],
        centres[:, 0],
        "o",
        color=COLORS["output"],
        markeredgecolor="black",
        markersize=4,
    )
    star = [(a + b - 1) / 2 for a, b in rf.interval(unit)]
    ax.plot(star[1], star[0], "*", color="black", markersize=14)
    ax.set_xlim(-230, 330)
    ax.set_ylim(330, -230)
    ax.set_title(
        f"{title}\nfield {right - left} px,\nexact {cright - cleft}x"
        f"{cbottom - ctop} px"
    )
    ax.set_xlabel("input column")
    ax.set_ylabel("input row")


vgg, resnet = results["VGG-16"], results["ResNet-50"]
assert vgg.interval((3, 3)) == ((6, 218), (6, 218))
assert resnet.interval((3, 3)) == ((-117, 310), (-117, 310))
assert resnet.interval((0, 0), clip=True) == ((0, 214), (0, 214))


def centre(rf, u):
    """Centre of the field of unit (u, u), along the rows."""
    start, stop = rf.interval((u, u))[0]
    return (start + stop - 1) / 2


assert [centre(resnet, 0), centre(resnet, 6)] == [0, 192]
assert [centre(vgg, 0), centre(vgg, 3)] == [15.5, 111.5]
fig, axes = plt.subplots(2, 2, figsize=(6.4, 8.4), layout="constrained")
axes = axes.ravel()
draw_field(axes[0], vgg, (3, 3), "VGG-16, unit (3, 3)")
draw_field(axes[1], resnet, (3, 3), "ResNet-50, unit (3, 3)")
draw_field(axes[2], resnet, (0, 0), "ResNet-50, unit (0, 0)")
axes[3].set_axis_off()  # the legend's place
legend = [
    Rectangle(
        (0, 0), 1, 1, fc=COLORS["padding"], ec=COLORS["kernel"], ls="--"
    ),
    Rectangle((0, 0), 1, 1, fill=False, ec=COLORS["kernel"], lw=3),
    plt.Line2D([], [], ls="", marker="o", mfc=COLORS["output"], mec="black"),
    plt.Line2D([], [], ls="", marker="*", color="black", markersize=12),
]
axes[3].legend(
    legend,
    [
        "theoretical field\n(grey: padding)",
        "exact field: the\nimage pixels it\ndepends on",
        "centres of the 7x7\nunits' fields,\n32 px apart",
        "centre of the\nunit drawn",
    ],
    loc="center",
    frameon=False,
)
fig.suptitle(
    "What one unit of the last 7x7 map\nsees of a 224x224 image\n(VGG-16 pool5, ResNet-50 layer4)"
)
plt.show()

# %%
# In the guide: :doc:`/guide/receptive_field`.
#
# .. admonition:: References
#
#    :func:`convdocs.receptive_field`, :func:`convdocs.empirical_receptive_field`,
#    :mod:`convdocs.models`; A. Araujo, W. Norris and J. Sim, "Computing
#    receptive fields of convolutional neural networks", Distill, 2019;
#    O. Ronneberger, P. Fischer and T. Brox, "U-Net: Convolutional Networks for
#    Biomedical Image Segmentation", MICCAI 2015.
