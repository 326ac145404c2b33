"""
What stride and padding cost
============================

A convolution's work is one multiply-accumulate (MAC) per weight per output pixel:
:math:`O \\cdot (C/g) \\cdot k_h k_w \\cdot H_o W_o`. Stride divides the output size,
and with it the work; padding adds output pixels. This example counts MACs with
:func:`convdocs.conv_output_size`, measures PyTorch's time for the same layers with
``torch.utils.benchmark`` (warm-up, no autograd, a fixed thread count, the median of
repeated runs), and compares a stride-2 convolution with the common alternative,
a stride-1 convolution followed by 2x2 max pooling.
"""

# sphinx_gallery_thumbnail_number = 1

import matplotlib.pyplot as plt
import torch
from torch.utils import benchmark

from convdocs import conv_output_size

torch.set_num_threads(
    1
)  # one thread: steadier numbers on a shared build machine
torch.manual_seed(0)


def macs(layer, size):
    """Multiply-accumulates of a Conv2d on a square input of this size."""
    out = conv_output_size(
        size, layer.kernel_size, layer.stride, layer.padding, layer.dilation
    )
    per_pixel = (
        layer.out_channels * layer.weight[0].numel()
    )  # O * C/g * kh * kw
    return per_pixel * out[0] * out[1]


def median_ms(function, x):
    """Median time of ``function(x)`` over repeated runs, after a warm-up."""
    timer = benchmark.Timer(stmt="f(x)", globals={"f": function, "x": x})
    return timer.blocked_autorange(min_run_time=0.2).median * 1e3


# %%
# MACs and time for strides 1 to 4
# --------------------------------
# A 3x3 convolution from 32 to 32 channels on a 64x64 map, with padding 1. The
# count falls as :math:`1/s^2`; the measured time follows it until fixed costs per
# call start to dominate.

x = torch.randn(1, 32, 64, 64)
rows = []
with torch.inference_mode():
    for stride in (1, 2, 3, 4):
        layer = torch.nn.Conv2d(32, 32, 3, stride=stride, padding=1)
        out = layer(x).shape[-1]
        assert out == conv_output_size(64, 3, stride, 1)
        rows.append((stride, out, macs(layer, 64), median_ms(layer, x)))
for stride, out, count, ms in rows:
    print(
        f"stride {stride}: output {out}x{out}, {count / 1e6:6.1f} M MACs, "
        f"{ms:6.3f} ms"
    )

fig, ax = plt.subplots(figsize=(6.4, 4.6), layout="constrained")
counts = [r[2] / 1e6 for r in rows]
times = [r[3] for r in rows]
ax.plot(counts, times, "o-")
for stride, out, count, ms in rows:
    ax.annotate(
        f"stride {stride} ({out}x{out})",
        (count / 1e6, ms),
        textcoords="offset points",
        xytext=(6, -12),
    )
ax.set_xlabel("million multiply-accumulates")
ax.set_ylabel("median time (ms, 1 thread)")
ax.set_title("Conv2d 32->32, 3x3, padding 1, on 64x64:\ntime follows the MACs")
ax.grid(True, alpha=0.3)
plt.show()

# %%
# Padding's share of the work
# ---------------------------
# Padding adds output pixels: on small maps the border is a large share of them.

for size in (8, 16, 64):
    plain = conv_output_size(size, 3) ** 2
    padded = conv_output_size(size, 3, padding=1) ** 2
    print(
        f"{size}x{size}: padding 1 computes {padded / plain - 1:.0%} more "
        "output pixels"
    )

# %%
# Strided convolution versus convolution + pooling
# ------------------------------------------------
# Both halve the size. Pooling has no weights, so the two have the same number of
# parameters: what the strided convolution saves is computation, about 4x, because
# it computes only the output pixels it keeps.

conv_s2 = torch.nn.Conv2d(32, 32, 3, stride=2, padding=1)
conv_s1 = torch.nn.Conv2d(32, 32, 3, stride=1, padding=1)
conv_pool = torch.nn.Sequential(conv_s1, torch.nn.MaxPool2d(2))
with torch.inference_mode():
    assert conv_s2(x).shape == conv_pool(x).shape
    t_s2, t_pool = median_ms(conv_s2, x), median_ms(conv_pool, x)


def count_parameters(module):
    return sum(p.numel() for p in module.parameters())


assert count_parameters(conv_s2) == count_parameters(conv_pool)
print(f"parameters: {count_parameters(conv_s2)} in both")
print(
    f"MACs: stride 2 {macs(conv_s2, 64) / 1e6:.1f} M, "
    f"stride 1 + pool {macs(conv_s1, 64) / 1e6:.1f} M"
)
print(f"time: stride 2 {t_s2:.3f} ms, stride 1 + pool {t_pool:.3f} ms")

# %%
# In the guide: :doc:`/guide/arithmetic`.
#
# .. admonition:: References
#
#    :func:`convdocs.conv_output_size`; ``torch.utils.benchmark``.
