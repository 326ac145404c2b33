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
