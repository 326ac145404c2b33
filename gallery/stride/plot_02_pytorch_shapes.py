"""
Padding and stride in PyTorch layers
====================================

``torch.nn.Conv2d`` takes ``padding`` and ``stride`` per layer and returns a feature map
whose size follows the output-size rule. This example runs the three classic settings on
a 28x28 image (no padding; padding 1; padding 1 with stride 2), checks every shape
against :func:`convdocs.conv_output_size`, and shows the feature maps side by side.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from convdocs import conv_output_size
from convdocs.data import photograph

# %%
# A 28x28 input
# -------------
# A photograph that ships with matplotlib (:func:`convdocs.data.photograph`), in
# grayscale, cropped to a square and averaged down to 28x28 (the size of an MNIST
# digit).

photo = photograph()
side = min(photo.shape)
square = torch.tensor(photo[:side, :side], dtype=torch.float32)
image = torch.nn.functional.adaptive_avg_pool2d(square[None, None], 28)
print("input shape:", tuple(image.shape))

# %%
# Three layers, one kernel
# ------------------------
# The three layers share a vertical-edge kernel (Sobel, without bias) so that their
# outputs differ only by padding and stride. PyTorch computes a cross-correlation: the
# kernel is not flipped.

settings = {
    "padding 0, stride 1": {"padding": 0, "stride": 1},
    "padding 1, stride 1": {"padding": 1, "stride": 1},
    "padding 1, stride 2": {"padding": 1, "stride": 2},
}
sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])

outputs = {}
for name, params in settings.items():
    layer = torch.nn.Conv2d(1, 1, kernel_size=3, bias=False, **params)
    with torch.no_grad():
        layer.weight.copy_(sobel_x)
        outputs[name] = layer(image)[0, 0].numpy()
    expected = conv_output_size((28, 28), kernel_size=3, **params)
    assert outputs[name].shape == expected
    print(f"{name}: PyTorch {outputs[name].shape}, convdocs {expected}")

# %%
# The feature maps at their true sizes
# ------------------------------------
# All panels use the same pixel scale, so the 26x26, 28x28 and 14x14 maps appear at
# their actual sizes relative to the input. Padding keeps the size (and answers strongly
# at the image border, where the zeros meet the photograph); stride 2 halves it.

fig, axes = plt.subplots(2, 2, figsize=(6.4, 7), layout="constrained")
axes = axes.ravel()
panels = {"input": image[0, 0].numpy(), **outputs}
for ax, (name, values) in zip(axes, panels.items()):
    rows, cols = values.shape
    if name == "input":
        style = {"cmap": "gray"}
    else:  # signed responses: zero is white, both signs equally saturated
        limit = np.abs(values).max()
        style = {"cmap": "RdBu_r", "vmin": -limit, "vmax": limit}
    ax.imshow(values, extent=(0, cols, rows, 0), **style)
    ax.set(xlim=(0, 28), ylim=(28, 0))
    ax.set_title(f"{name}\n{rows}x{cols}")
for ax in axes[2:]:
    ax.set_xlabel("column")
for ax in axes[::2]:
    ax.set_ylabel("row")
fig.suptitle(
    "Conv2d(kernel_size=3) on a 28x28 image:\nsizes from padding and stride"
)
plt.show()

# %%
# The same arithmetic for any input size
# --------------------------------------
# The check is not specific to 28x28: for every input size from 3 to 64 the three
# layers produce exactly the sizes ``conv_output_size`` predicts.

for size in range(3, 65):
    x = torch.zeros(1, 1, size, size)
    for params in settings.values():
        layer = torch.nn.Conv2d(1, 1, kernel_size=3, **params)
        assert layer(x).shape[-1] == conv_output_size(size, 3, **params)
print(
    "PyTorch agrees with convdocs for input sizes 3 to 64 in all three settings"
)

# %%
# In the guide: :doc:`/guide/arithmetic`.
#
# .. admonition:: References
#
#    :func:`convdocs.conv_output_size`; :class:`torch.nn.Conv2d`.
