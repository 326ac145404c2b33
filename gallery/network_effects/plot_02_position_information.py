"""
Zero padding tells a network where it is
========================================

A convolution applies the same weights at every position, so a stack of them is
said to be translation-equivariant: shift the input and the output shifts with it.
It knows *what* it sees, not *where*. Near the border this is false: a unit whose
field reaches the padding reads zeros there, and zeros are a signal the network can
use. Islam, Jia & Bruce (ICLR 2020) showed that networks trained for classification
encode the absolute position of a pixel, and found zero padding a major source of it;
Kayhan & van Gemert (CVPR 2020) showed that convolutional layers learn filters that
exploit it, even far from the border, because modern fields are so large.

This example shows the effect with four random convolution layers, no training. A
constant image gives a constant output with circular padding (the network on a
torus, where there is no border) and an output that varies with position with zero
padding, exactly on the units :func:`convdocs.padding_share` says see padding. A
linear readout then recovers a pixel's row from the zero-padded network's features
of random images, and not from the circular one's.
"""

# sphinx_gallery_thumbnail_number = 2

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from convdocs import conv2d, padding_share
from convdocs.plot import COLORS

torch.manual_seed(0)
rng = np.random.default_rng(0)

# %%
# Four random layers
# ------------------
# 3x3 convolutions with dilations 1, 2, 4 and 8 and ReLUs, 16 channels, padding
# equal to the dilation so that the size stays 32x32. The two networks share their
# weights and differ only in what the padding contains. The field is 31 pixels
# across, so on a 32x32 image only the 2x2 units at the centre see no padding.

dilations, channels, size = (1, 2, 4, 8), 16, 32


def network(padding_mode):
    layers, c_in = [], 1
    for d in dilations:
        conv = nn.Conv2d(
            c_in, channels, 3, padding=d, dilation=d, padding_mode=padding_mode
        )
        layers += [conv, nn.ReLU()]
        c_in = channels
    return nn.Sequential(*layers).double()


zeros = network("zeros")
circular = network("circular")
circular.load_state_dict(zeros.state_dict())

share = padding_share(zeros, size)
print(f"{share.sees_padding.sum()} of {share.share.size} units see padding")
assert share.sees_padding.sum() == size * size - 4


def run_numpy(model, x, mode):
    """The same network with convdocs.conv2d: the check on PyTorch."""
    for layer in model:
        if isinstance(layer, nn.Conv2d):
            weight = layer.weight.detach().numpy()
            bias = layer.bias.detach().numpy()
            d = layer.dilation[0]
            x = conv2d(
                x, weight, bias, padding=d, dilation=d, padding_mode=mode
            )
        else:
            x = np.maximum(x, 0)
    return x


# %%
# A constant image
# ----------------
# Every window of a constant image is the same, so with circular padding every unit
# computes the same number: the output is constant, up to rounding. With zero
# padding, the units whose field reaches the padding see zeros in some windows and
# give other values: the output differs from the centre's on exactly the units that
# see padding (grey in the last panel). The network has written the distance to the
# border into its output.

ones = np.ones((1, 1, size, size))
with torch.no_grad():
    by_torch = {m: net(torch.from_numpy(ones))[0].numpy() for m, net in
                (("zeros", zeros), ("circular", circular))}  # fmt: skip
outputs = {}
for mode, net in (("zeros", zeros), ("circular", circular)):
    outputs[mode] = run_numpy(net, ones, mode)[0]
    np.testing.assert_allclose(
        outputs[mode], by_torch[mode], rtol=1e-10, atol=1e-12
    )


def differs_from_centre(out):
    """Units whose feature vector differs from the centre unit's."""
    centre = out[:, size // 2, size // 2][:, None, None]
    return np.abs(out - centre).max(axis=0) > 1e-9


spread = {m: np.ptp(o, axis=(1, 2)).max() for m, o in outputs.items()}
print(
    f"largest spread over positions: zeros {spread['zeros']:.3f}, circular {spread['circular']:.1e}"
)
assert spread["circular"] < 1e-12
assert np.array_equal(
    differs_from_centre(outputs["zeros"]), share.sees_padding
)

channel = int(np.argmax(np.ptp(outputs["zeros"], axis=(1, 2))))
low = min(outputs[m][channel].min() for m in outputs)
high = max(outputs[m][channel].max() for m in outputs)
fig, axes = plt.subplots(
    1, 3, figsize=(6.4, 3.4), sharey=True, layout="constrained"
)
for ax, mode in zip(axes, ("circular", "zeros")):
    image = ax.imshow(
        outputs[mode][channel], cmap="viridis", vmin=low, vmax=high
    )
    ax.set_title(f'padding\n"{mode}"')
fig.colorbar(image, ax=axes[:2], shrink=0.75, label=f"channel {channel}")
axes[2].imshow(
    share.sees_padding,
    cmap=plt.matplotlib.colors.ListedColormap(["white", COLORS["padding"]]),
)
axes[2].set_title("units that\nsee padding")
for ax in axes:
    ax.set_xlabel("column")
    ax.set_xticks([0, 20])
axes[0].set_ylabel("row")
fig.suptitle("Output for a constant input image")
plt.show()

# %%
# Reading the position back
# -------------------------
# Islam et al. measure position information by training a readout to predict a
# pixel's position from the network's features. The simplest readout is linear:
# least squares from the 64 features of a pixel (every layer's 16 channels) and a
# constant to its row index, fitted on 10 random images and tested on 10 others.
# :math:`R^2 = 1` would be a perfect prediction, :math:`R^2 = 0` no better than
# predicting the mean row everywhere.

images = rng.standard_normal((20, 1, size, size))


def features(model, x):
    """Every layer's output at each pixel: (images, pixels, 64)."""
    found = []
    with torch.no_grad():
        h = torch.from_numpy(x)
        for layer in model:
            h = layer(h)
            if isinstance(layer, nn.ReLU):
                found.append(h.numpy())
    f = np.concatenate(found, axis=1)
    return f.transpose(0, 2, 3, 1).reshape(len(x), size * size, -1)


rows = np.repeat(np.arange(size, dtype=float), size)  # the row of each pixel


def fit_and_test(model):
    f = features(model, images)
    design = np.concatenate([f, np.ones((*f.shape[:2], 1))], axis=2)
    train, test = design[:10].reshape(-1, design.shape[2]), design[10:]
    coef, *_ = np.linalg.lstsq(train, np.tile(rows, 10), rcond=None)
    predicted = test @ coef  # (10, pixels)
    target = np.broadcast_to(rows, predicted.shape)
    r2 = (
        1
        - ((predicted - target) ** 2).sum()
        / ((target - rows.mean()) ** 2).sum()
    )
    return r2, predicted[0].reshape(size, size)


# The features, checked once against convdocs' convolution:
np.testing.assert_allclose(
    features(zeros, images[:1])[0, :, -channels:].T.reshape(
        channels, size, size
    ),
    run_numpy(zeros, images[:1], "zeros")[0],
    rtol=1e-10,
    atol=1e-12,
)

results = {
    mode: fit_and_test(net)
    for mode, net in (("zeros", zeros), ("circular", circular))
}
for mode, (r2, _) in results.items():
    print(
        f"padding_mode={mode!r:11}: R^2 of the predicted row on unseen images = {r2:.3f}"
    )
assert results["zeros"][0] > 0.5
assert abs(results["circular"][0]) < 0.02

fig, axes = plt.subplots(
    1, 3, figsize=(6.4, 3.4), sharey=True, layout="constrained"
)
panels = [("true row", rows.reshape(size, size))]
panels += [
    (f'"{m}":\nR^2 = {results[m][0]:.2f}', results[m][1])
    for m in ("zeros", "circular")
]
for ax, (title, values) in zip(axes, panels):
    image = ax.imshow(values, cmap="viridis", vmin=-4, vmax=size + 3)
    ax.set_title(title)
    ax.set_xlabel("column")
    ax.set_xticks([0, 20])
axes[0].set_ylabel("row")
fig.colorbar(image, ax=axes, shrink=0.8, label="row index")
fig.suptitle(
    "A pixel's row, predicted linearly\nfrom the features (unseen image)"
)
plt.show()

# %%
# The zero-padded network's features give the row away (most clearly near the top
# and bottom, where the fields reach furthest into the padding); the circular one's
# give nothing: a circularly padded network is exactly equivariant to circular
# shifts, so its features have the same statistics at every pixel. Kayhan & van
# Gemert remove the cue another way, with "full" convolutions that pad by the whole
# kernel so that every filter tap meets every input pixel; reflect or replicate
# padding only change what the border looks like. A network trained at one size
# also keeps its border cues when run on larger images, where the border moves.
#
# In the guide: :doc:`/guide/network_effects`; the padding modes are drawn in
# :ref:`gallery_padding`.
#
# .. admonition:: References
#
#    :func:`convdocs.padding_share`, :func:`convdocs.conv2d`; M. A. Islam, S. Jia and
#    N. D. B. Bruce, "How much position information do convolutional neural networks
#    encode?", ICLR 2020 (:ref:`references <islam-jia-bruce>`); O. S. Kayhan and J. C.
#    van Gemert, "On translation invariance in CNNs: convolutional layers can exploit
#    absolute spatial location", CVPR 2020 (:ref:`references <kayhan-van-gemert>`).
