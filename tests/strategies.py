"""Hypothesis strategies shared by the test modules, and the rules they draw by.

The rules are written here once, from the definitions (Dumoulin & Visin), never by
calling convdocs: a test that filters its cases with convdocs' own formula would
check convdocs against itself.
"""

from dataclasses import dataclass

from hypothesis import strategies as st

sizes = st.integers(1, 40)
kernels = st.integers(1, 7)
strides = st.integers(1, 4)
dilations = st.integers(1, 3)
paddings = st.integers(0, 4)


def span(kernel: int, dilation: int = 1) -> int:
    """Pixels a dilated kernel covers: ``d (k - 1) + 1``."""
    return dilation * (kernel - 1) + 1


def kernel_fits(size, kernel, dilation=1, padding=0) -> bool:
    """The "kernel fits" rule: the dilated kernel is no larger than the padded input.

    Ints for one axis, or tuples (one entry per axis); a padding entry is the total of
    both sides, or a ``(before, after)`` pair. PyTorch refuses the layers that break it.
    """
    if isinstance(size, int):
        size, kernel, dilation, padding = (size,), (kernel,), (dilation,), (padding,)
    else:
        kernel, dilation, padding = (
            v if isinstance(v, tuple) else (v,) * len(size) for v in (kernel, dilation, padding)
        )
    return all(
        span(k, d) <= n + (sum(p) if isinstance(p, tuple) else p)
        for n, k, d, p in zip(size, kernel, dilation, padding)
    )


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
        return kernel_fits(self.size, self.kernel_size, self.dilation, self.padding)


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


@st.composite
def conv_layers(draw, transposed=False):
    """A random conv2d (or conv_transpose2d) call: float64 ``x``, weight, bias, params.

    ``params`` holds stride, dilation, symmetric padding (a pair) and groups; the
    kernel may not fit (filter with :func:`layer_fits`).
    """
    import numpy as np

    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    size = draw(st.tuples(st.integers(1, 12), st.integers(1, 12)))
    kernel = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
    params = {
        "stride": draw(st.tuples(st.integers(1, 3), st.integers(1, 3))),
        "dilation": draw(st.tuples(st.integers(1, 2), st.integers(1, 2))),
        "padding": draw(st.tuples(st.integers(0, 2), st.integers(0, 2))),
        "groups": groups,
    }
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    batch = draw(st.sampled_from([(), (1,), (2,)]))
    x = rng.standard_normal((*batch, c_in, *size))
    shape = (c_in, c_out // groups) if transposed else (c_out, c_in // groups)
    weight = rng.standard_normal((*shape, *kernel))
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    return x, weight, bias, params


def layer_fits(x, weight, params) -> bool:
    """:func:`kernel_fits` for a :func:`conv_layers` draw (padding on both sides)."""
    padding = tuple(2 * p for p in params["padding"])
    return kernel_fits(x.shape[-2:], weight.shape[-2:], params["dilation"], padding)


# Hostile input -------------------------------------------------------------------------

# Integers a caller should never pass, away from the "large but legal" middle: small or
# negative ones, and ones so large that any array they imply is astronomically big (so
# a missing size check shows up as an error, never as a real multi-gigabyte allocation).
extreme_ints = st.one_of(
    st.integers(-3, 64),
    st.integers(2**33, 2**80),
    st.sampled_from([2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, -(2**63), 10**30]),
)


def _odd_scalars():
    import numpy as np

    return st.sampled_from(
        [
            True,
            False,
            np.True_,
            np.False_,
            np.int64(3),
            np.uint8(2),
            np.int8(-1),
            3.0,
            np.float64(2.0),
            float("nan"),
            float("inf"),
            -float("inf"),
            2 + 0j,
            None,
            "3",
            b"3",
            (),
            [],
            (1, 2, 3),
            ((1, 2), 3),
            [[1]],
        ]
    )


# Anything passed where an int or a tuple of ints belongs.
hostile_ints = st.one_of(extreme_ints, _odd_scalars(), st.tuples(extreme_ints, extreme_ints))


@st.composite
def hostile_arrays(draw):
    """Array-likes where an image belongs: odd dtypes, ranks, masks, ragged lists."""
    import numpy as np

    kind = draw(
        st.sampled_from(
            [
                "float",
                "inf",
                "nan",
                "huge",
                "masked",
                "ragged",
                "object",
                "complex",
                "datetime",
                "string",
                "empty",
                "scalar",
                "bool",
                "uint8",
                "float16",
                "longdouble",
                "list",
                "rank5",
                "broadcast",
            ]
        )
    )
    shape = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    base = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    return {
        "float": base,
        "inf": np.where(base % 2 == 0, np.inf, -np.inf),
        "nan": np.full(shape, np.nan),
        "huge": np.full(shape, 1e308),
        "masked": np.ma.masked_array(base, mask=base % 2 == 0),
        "ragged": [[1.0, 2.0], [3.0]],
        "object": base.astype(object),
        "complex": base.astype(complex),
        "datetime": base.astype("M8[s]"),
        "string": base.astype(str),
        "empty": np.zeros((0, shape[1])),
        "scalar": np.float64(1.0),
        "bool": base % 2 == 0,
        "uint8": base.astype(np.uint8),
        "float16": base.astype(np.float16),
        "longdouble": base.astype(np.longdouble),
        "list": base.tolist(),
        "rank5": base.reshape(1, 1, 1, *shape),
        # A zero-stride view of 10**10 entries: costs nothing unless copied.
        "broadcast": np.broadcast_to(np.float64(1.0), (1, 1, 10**5, 10**5)),
    }[kind]
