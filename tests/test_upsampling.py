"""convdocs.upsampling against PyTorch: overlap counts, ICNR and the sub-pixel convolution."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from convdocs import (
    conv_transpose2d,
    conv_transpose_output_size,
    icnr,
    overlap_counts,
    subpixel_to_transposed,
)
from tests.strategies import hostile_ints

# --- overlap_counts --------------------------------------------------------------------------


@st.composite
def transposed_configs(draw):
    """A 2-D transposed convolution PyTorch accepts: per-axis size, kernel, stride,
    padding, output padding and dilation."""
    axes = []
    for _ in range(2):
        n, k, s, d = (draw(st.integers(1, m)) for m in (9, 7, 4, 3))
        a = draw(st.integers(0, max(s, d) - 1))
        full = (n - 1) * s + d * (k - 1) + 1 + a
        p = draw(st.integers(0, min(4, (full - 1) // 2)))
        axes.append((n, k, s, p, a, d))
    return tuple(zip(*axes))


@settings(max_examples=300)
@given(transposed_configs())
def test_the_counts_are_pytorchs_transposed_convolution_of_ones(config):
    size, kernel, stride, padding, output_padding, dilation = config
    counts = overlap_counts(size, kernel, stride, padding, output_padding, dilation)
    torch_counts = F.conv_transpose2d(
        torch.ones(1, 1, *size, dtype=torch.float64),
        torch.ones(1, 1, *kernel, dtype=torch.float64),
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
    )[0, 0]
    assert counts.dtype == np.int64
    np.testing.assert_array_equal(counts, torch_counts.numpy())


@settings(max_examples=200)
@given(
    n=st.integers(1, 30),
    k=st.integers(1, 9),
    s=st.integers(1, 5),
    pads=st.tuples(st.integers(0, 3), st.integers(0, 3)),
)
def test_one_dimension_with_uneven_padding_equals_pytorch(n, k, s, pads):
    full = (n - 1) * s + k
    if sum(pads) >= full:
        with pytest.raises(ValueError, match="crops the whole output"):
            overlap_counts(n, k, s, [pads])
        return
    counts = overlap_counts(n, k, s, [pads])
    ones = F.conv_transpose1d(torch.ones(1, 1, n), torch.ones(1, 1, k), stride=s)[0, 0]
    np.testing.assert_array_equal(counts, ones[pads[0] : full - pads[1]].numpy())
    assert counts.shape == conv_transpose_output_size(n, k, s, [pads])  # a 1-tuple


@settings(max_examples=100)
@given(k=st.integers(1, 12), s=st.integers(1, 6))
def test_the_interior_counts_follow_the_ceiling_formula(k, s):
    n = 2 * k + 4  # wide enough for an interior of several periods
    counts = overlap_counts(n, k, s)
    z = np.arange(k, (n - 1) * s + 1)  # pixels that every tap can reach from some x
    expected = -(-(k - z % s) // s)
    np.testing.assert_array_equal(counts[z], expected)
    assert (len(set(counts[z].tolist())) == 1) == (k % s == 0)


def test_the_counts_match_convdocs_own_transposed_convolution():
    counts = overlap_counts((5, 4), (3, 4), 2, padding=1, output_padding=1)
    np.testing.assert_array_equal(
        counts,
        conv_transpose2d(np.ones((5, 4)), np.ones((3, 4)), stride=2, padding=1, output_padding=1),
    )


def test_a_huge_output_is_refused_before_allocating():
    with pytest.raises(ValueError, match=r"4,000,004,000,001 pixels; .* at most 16,777,216"):
        overlap_counts((10**6, 10**6), 3, 2)
    assert overlap_counts(10**6, 3, 2).shape == (2 * 10**6 + 1,)


@given(value=hostile_ints)
def test_hostile_ints_are_refused_or_answered(value):
    for name in ("size", "kernel_size", "stride", "dilation"):
        arguments = {"size": 3, "kernel_size": 2, "stride": 2, name: value}
        try:
            counts = overlap_counts(**arguments)
        except (TypeError, ValueError) as err:
            message = str(err)
        else:
            message = f"{name}: answered"
            assert counts.size <= 2**24
        assert name in message or "pixels" in message or "crops" in message


def test_the_errors_name_the_argument():
    with pytest.raises(ValueError, match="stride must be a positive int"):
        overlap_counts(3, 3, 0)
    with pytest.raises(TypeError, match="kernel_size must be a positive int"):
        overlap_counts(3, 2.5)
    with pytest.raises(ValueError, match="output_padding must be smaller than stride"):
        overlap_counts(3, 3, 2, output_padding=2)


# --- icnr ------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    r=st.integers(1, 3),
    c=st.integers(1, 3),
    cin=st.integers(1, 3),
    k=st.sampled_from([1, 3, 5]),
    size=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    seed=st.integers(0, 2**32 - 1),
    init=st.sampled_from(["kaiming_normal", "kaiming_uniform", "pytorch"]),
)
def test_icnr_makes_pixel_shuffle_nearest_upsampling_exactly(r, c, cin, k, size, seed, init):
    weight = torch.from_numpy(icnr((c * r * r, cin, k, k), r, init=init, seed=seed))
    x = torch.from_numpy(np.random.default_rng(seed).standard_normal((1, cin, *size)))
    shuffled = F.pixel_shuffle(F.conv2d(x, weight, padding=k // 2), r)
    base = F.conv2d(x, weight[:: r * r], padding=k // 2)  # one kernel per group
    nearest = F.interpolate(base, scale_factor=r, mode="nearest")
    # equal but for rounding: PyTorch may sum a channel's terms in another order
    torch.testing.assert_close(shuffled, nearest, rtol=1e-13, atol=1e-13)


def test_icnr_accepts_a_weight_and_leaves_it_alone():
    conv = torch.nn.Conv2d(3, 12, 3)
    before = conv.weight.detach().clone()
    w = icnr(conv.weight, 2, seed=1)
    assert w.shape == tuple(conv.weight.shape)
    assert w.dtype == np.float64
    assert torch.equal(conv.weight, before)
    np.testing.assert_array_equal(w, icnr((12, 3, 3, 3), 2, seed=1))
    np.testing.assert_array_equal(w, icnr(np.zeros((12, 3, 3, 3), np.float32), 2, seed=1))


@pytest.mark.parametrize(
    ("init", "spread"),
    [("kaiming_normal", math.sqrt(2 / 27)), ("pytorch", 1 / math.sqrt(3 * 27))],
)
def test_the_named_initialisations_have_their_spread(init, spread):
    w = icnr((4 * 500, 27, 1, 1), 2, init=init, seed=0)[::4]
    assert w.std() == pytest.approx(spread, rel=0.03)
    if init == "pytorch":  # PyTorch's Conv2d draws uniformly in +-1/sqrt(fan_in)
        bound = 1 / math.sqrt(27)
        assert -bound <= w.min()
        assert w.max() <= bound
        torch_w = torch.nn.Conv2d(27, 2000, 1).weight.detach().numpy()
        assert torch_w.std() == pytest.approx(spread, rel=0.03)


def test_a_callable_init_draws_the_distinct_kernels():
    def counting(shape, rng):  # noqa: ARG001 (init's signature)
        return np.arange(math.prod(shape)).reshape(shape)

    w = icnr((8, 1, 2, 2), 2, init=counting)
    assert w[:, 0, 0, 0].tolist() == [0, 0, 0, 0, 4, 4, 4, 4]


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (((6, 3, 3, 3), 2), ValueError, r"multiple of scale² = 4 .* got shape \(6, 3, 3, 3\)"),
        (((4, 3, 3), 2), ValueError, "4-D shape of a Conv2d weight"),
        (((4, 3, 0, 3), 2), ValueError, "weight_or_shape must be a positive int"),
        (((4, 3, 3.0, 3), 2), TypeError, "weight_or_shape must hold ints"),
        ((4, 2), TypeError, "weight_or_shape must be a weight shape"),
        (("4333", 2), TypeError, "weight_or_shape must be a weight shape"),
        (((4, 3, 3, 3), 0), ValueError, "scale must be a positive int, got 0"),
        (((4, 3, 3, 3), 2.0), TypeError, "scale must be a positive int"),
        (((4, 3, 3, 3), 2, "he"), ValueError, "init must be one of .* got 'he'"),
        (((4, 3, 3, 3), 2, 3), TypeError, "init must be one of"),
        (((2**40, 1, 1, 1), 1), ValueError, "entries; allowed"),
        (((4, 1, 1, 1), 2, lambda *_: np.zeros(3)), ValueError, "init must return .* \\(1, 1"),
    ],
)
def test_icnr_refuses_with_a_message_naming_the_problem(arguments, error, message):
    with pytest.raises(error, match=message):
        icnr(*arguments)


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), ("0", TypeError), (1.5, TypeError)])
def test_icnr_refuses_bad_seeds(seed, error):
    with pytest.raises(error, match="seed must be None"):
        icnr((4, 1, 1, 1), 2, seed=seed)


# --- subpixel_to_transposed -------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    r=st.integers(1, 3),
    c=st.integers(1, 2),
    cin=st.integers(1, 2),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    data=st.data(),
)
def test_a_subpixel_convolution_equals_its_transposed_convolution(r, c, cin, kernel, data):
    pads = tuple(data.draw(st.integers(0, k - 1)) for k in kernel)
    size = tuple(data.draw(st.integers(max(1, k - 2 * p), 6)) for k, p in zip(kernel, pads))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    w = rng.standard_normal((c * r * r, cin, *kernel))
    x = torch.from_numpy(rng.standard_normal((1, cin, *size)))
    subpixel = F.pixel_shuffle(F.conv2d(x, torch.from_numpy(w), padding=pads), r)
    v, padding = subpixel_to_transposed(w, r, pads)
    transposed = F.conv_transpose2d(x, torch.from_numpy(v), stride=r, padding=padding)
    assert v.shape == (cin, c, kernel[0] * r, kernel[1] * r)
    assert transposed.shape == subpixel.shape
    torch.testing.assert_close(transposed, subpixel, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ((np.zeros((6, 1, 3, 3)), 2), ValueError, "multiple of scale² = 4"),
        ((np.zeros((4, 1, 3)), 2), ValueError, "must have 4 dimensions"),
        ((np.zeros((4, 1, 3, 3)), 2, 3), ValueError, "padding must be at most kernel - 1 = 2"),
        ((np.zeros((4, 1, 3, 3)), 2, -1), ValueError, "padding must be a non-negative int"),
        ((np.zeros((4, 1, 3, 3), complex), 2), TypeError, "real numeric array"),
        ((np.zeros((4, 1, 3, 3)), 0), ValueError, "scale must be a positive int"),
        ((np.zeros((0, 1, 3, 3)), 1), ValueError, "positive multiple"),
    ],
)
def test_subpixel_to_transposed_refuses_with_a_message(arguments, error, message):
    with pytest.raises(error, match=message):
        subpixel_to_transposed(*arguments)
