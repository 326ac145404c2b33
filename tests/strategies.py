"""Hypothesis strategies shared by the test modules: valid layer configurations."""

from dataclasses import dataclass

from hypothesis import strategies as st

sizes = st.integers(1, 40)
kernels = st.integers(1, 7)
strides = st.integers(1, 4)
dilations = st.integers(1, 3)
paddings = st.integers(0, 4)


@dataclass(frozen=True)
class Conv2dConfig:
    """One 2-D convolution: (height, width) for every field, padding as pairs."""

    size: tuple[int, int]
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    padding: tuple[tuple[int, int], tuple[int, int]]

    def fits(self) -> bool:
        """True when the dilated kernel fits in the padded input along both axes."""
        return all(
            d * (k - 1) + 1 <= n + sum(p)
            for n, k, d, p in zip(self.size, self.kernel_size, self.dilation, self.padding)
        )


def pairs(elements):
    """A (height, width) pair drawn from ``elements``."""
    return st.tuples(elements, elements)


@st.composite
def conv2d_configs(draw, symmetric=False):
    """Random 2-D convolution configurations, fitting or not."""
    if symmetric:
        padding = tuple((p, p) for p in draw(pairs(paddings)))
    else:
        padding = (draw(pairs(paddings)), draw(pairs(paddings)))
    return Conv2dConfig(
        size=draw(pairs(sizes)),
        kernel_size=draw(pairs(kernels)),
        stride=draw(pairs(strides)),
        dilation=draw(pairs(dilations)),
        padding=padding,
    )
