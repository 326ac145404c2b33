"""convdocs.pooling against torch.nn.functional.max_pool2d and avg_pool2d."""

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from convdocs.pooling import avg_pool2d, max_pool2d
from tests.bad_calls import bad_input_test
from tests.strategies import dilations, kernels, pairs, strides

pool_sizes = st.integers(1, 20)


def int_or_pair(draw, pair):
    """``pair`` itself, or its single value when both are equal (half the time)."""
    if pair[0] == pair[1] and draw(st.booleans()):
        return pair[0]
    return pair


@st.composite
def pool_inputs(draw):
    """A float64 array of rank 2, 3 or 4 with spatial sizes 1..20."""
    rank = draw(st.sampled_from([2, 3, 4]))
    leading = draw(st.lists(st.integers(1, 3), min_size=rank - 2, max_size=rank - 2))
    shape = (*leading, *draw(pairs(pool_sizes)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):  # small integers: ties for the maximum, exact sums
        return rng.integers(-9, 10, size=shape).astype(np.float64)
    return rng.standard_normal(shape)


@st.composite
def pool_configs(draw, dilation=True, max_padding=None, ceil_mode=None):
    """Keyword arguments for a pooling call: padding within PyTorch's limit by default."""
    kernel = draw(pairs(kernels))
    limits = [k // 2 if max_padding is None else max_padding for k in kernel]
    padding = tuple(draw(st.integers(0, limit)) for limit in limits)
    config = {
        "kernel_size": int_or_pair(draw, kernel),
        "stride": draw(st.none() | st.integers(1, 4) | pairs(strides)),
        "padding": int_or_pair(draw, padding),
        "ceil_mode": draw(st.booleans()) if ceil_mode is None else ceil_mode,
    }
    if dilation:
        config["dilation"] = int_or_pair(draw, draw(pairs(dilations)))
    return config


def torch_pool(function, x, **config):
    """PyTorch's answer as a numpy array, or None where PyTorch raises."""
    tensor = torch.from_numpy(x)
    if x.ndim == 2:  # torch pools (C, H, W) and (N, C, H, W) only
        tensor = tensor[None]
    try:
        result = function(tensor, **config)
    except RuntimeError:
        return None
    return (result[0] if x.ndim == 2 else result).numpy()


# --- agreement with PyTorch ----------------------------------------------------------------


@given(pool_inputs(), pool_configs())
def test_max_pool2d_matches_torch(x, config):
    expected = torch_pool(torch.nn.functional.max_pool2d, x, **config)
    if expected is None:
        with pytest.raises(ValueError, match=r"x of shape .* spans .* more than the padded"):
            max_pool2d(x, **config)
        return
    got = max_pool2d(x, **config)
    assert got.shape == expected.shape
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, expected)


@given(pool_inputs(), pool_configs(dilation=False), st.booleans())
def test_avg_pool2d_matches_torch(x, config, count_include_pad):
    expected = torch_pool(
        torch.nn.functional.avg_pool2d, x, count_include_pad=count_include_pad, **config
    )
    if expected is None:
        with pytest.raises(ValueError, match=r"x of shape .* spans .* more than the padded"):
            avg_pool2d(x, count_include_pad=count_include_pad, **config)
        return
    got = avg_pool2d(x, count_include_pad=count_include_pad, **config)
    assert got.shape == expected.shape
    assert got.dtype == np.float64
    # atol: a window whose values cancel sums to ~1e-16 in either summation order.
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)


@given(pairs(pool_sizes), pool_configs(dilation=False, ceil_mode=True), st.booleans())
def test_avg_pool2d_divisor_matches_torch(size, config, count_include_pad):
    """On ones, each output is (input pixels in the window) / divisor: the divisor alone.

    Always in ceil_mode, where a last window can cover input, padding and overhang.
    """
    x = np.ones(size)
    expected = torch_pool(
        torch.nn.functional.avg_pool2d, x, count_include_pad=count_include_pad, **config
    )
    assume(expected is not None)  # the refusals: test_padding_limit_matches_torch
    got = avg_pool2d(x, count_include_pad=count_include_pad, **config)
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    if not count_include_pad:
        np.testing.assert_array_equal(got, 1.0)


@given(pool_inputs(), pool_configs(max_padding=4), st.booleans())
def test_padding_limit_matches_torch(x, config, use_max):
    """convdocs raises ValueError exactly where PyTorch raises, padding limit included."""
    function, reference = (
        (max_pool2d, torch.nn.functional.max_pool2d)
        if use_max
        else (avg_pool2d, torch.nn.functional.avg_pool2d)
    )
    if not use_max:
        del config["dilation"]
    expected = torch_pool(reference, x, **config)
    if expected is None:
        with pytest.raises(ValueError, match=r"padding must be at most half|spans"):
            function(x, **config)
    else:
        assert function(x, **config).shape == expected.shape


@given(pool_inputs(), pool_configs(), st.booleans())
def test_float32_stays_float32_and_matches_torch(x, config, use_max):
    x = x.astype(np.float32)
    if use_max:
        function, reference = max_pool2d, torch.nn.functional.max_pool2d
    else:
        function, reference = avg_pool2d, torch.nn.functional.avg_pool2d
        del config["dilation"]
    expected = torch_pool(reference, x, **config)
    assume(expected is not None)  # the refusals: test_padding_limit_matches_torch
    got = function(x, **config)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@given(pool_inputs(), pool_configs())
def test_uint8_input_is_computed_in_float64(x, config):
    """PyTorch on the image in float64 is the oracle (it refuses uint8 pooling on CPU)."""
    image = (np.abs(x) * 20).astype(np.uint8)
    expected = torch_pool(torch.nn.functional.max_pool2d, image.astype(np.float64), **config)
    assume(expected is not None)  # the refusals: test_padding_limit_matches_torch
    got = max_pool2d(image, **config)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, expected)
    del config["dilation"]
    expected = torch_pool(torch.nn.functional.avg_pool2d, image.astype(np.float64), **config)
    got = avg_pool2d(image, **config)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# --- the cases the docstrings and the gallery show ---------------------------------------

GRID = np.arange(16).reshape(4, 4)


def test_max_pool2d_examples():
    np.testing.assert_array_equal(max_pool2d(GRID, 2), [[5, 7], [13, 15]])
    np.testing.assert_array_equal(max_pool2d(GRID, 3, stride=2), [[10]])
    np.testing.assert_array_equal(
        max_pool2d(GRID, 3, stride=2, ceil_mode=True), [[10, 11], [14, 15]]
    )
    np.testing.assert_array_equal(max_pool2d(GRID, 3, stride=2, padding=1), [[5, 7], [13, 15]])
    np.testing.assert_array_equal(max_pool2d(GRID, 2, dilation=2), [[10]])


def test_avg_pool2d_examples():
    np.testing.assert_array_equal(avg_pool2d(GRID, 2), [[2.5, 4.5], [10.5, 12.5]])
    # (2 + 3 + 6 + 7 + 10 + 11) / 6: the ceil_mode overhang is never counted.
    np.testing.assert_array_equal(
        avg_pool2d(GRID, 3, stride=2, ceil_mode=True), [[5, 6.5], [11, 12.5]]
    )
    np.testing.assert_array_equal(
        avg_pool2d(GRID, 2, padding=1), [[0, 0.75, 0.75], [3, 7.5, 4.5], [3, 6.75, 3.75]]
    )
    np.testing.assert_array_equal(
        avg_pool2d(GRID, 2, padding=1, count_include_pad=False),
        [[0, 1.5, 3], [6, 7.5, 9], [12, 13.5, 15]],
    )


def test_ceil_mode_divisor_counts_padding_but_not_overhang():
    # 6 + 2 padding, kernel 3, stride 2, ceil_mode: 4 windows, the last starting at input
    # pixel 5 covers pixel 5, one padded pixel and one pixel of overhang: divisor 2 along
    # that axis, of which 1 pixel is input.
    got = avg_pool2d(np.ones((6, 6)), 3, stride=2, padding=1, ceil_mode=True)
    edge = np.array([2 / 3, 1, 1, 1 / 2])
    np.testing.assert_allclose(got, np.outer(edge, edge), rtol=1e-15)
    expected = torch.nn.functional.avg_pool2d(
        torch.ones(1, 6, 6, dtype=torch.float64), 3, stride=2, padding=1, ceil_mode=True
    )
    np.testing.assert_allclose(got, expected[0].numpy(), rtol=1e-15)


def test_padding_is_never_the_maximum():
    x = -100.0 - GRID  # all negative: zero padding would win every border window
    got = max_pool2d(x, 3, stride=1, padding=1)
    assert got.max() == -100.0
    expected = torch.nn.functional.max_pool2d(torch.from_numpy(x)[None], 3, 1, 1)[0]
    np.testing.assert_array_equal(got, expected.numpy())


def test_nan_propagates_like_torch():
    x = np.array([[1.0, np.nan], [3.0, 4.0]])
    assert np.isnan(max_pool2d(x, 2)).all()
    assert torch.isnan(torch.nn.functional.max_pool2d(torch.from_numpy(x)[None], 2)).all()


def test_output_keeps_the_input_rank():
    x = np.zeros((2, 3, 8, 6))
    assert max_pool2d(x, 2).shape == (2, 3, 4, 3)
    assert max_pool2d(x[0], 2).shape == (3, 4, 3)
    assert avg_pool2d(x[0, 0], (2, 3)).shape == (4, 2)
    assert avg_pool2d(x, 2, stride=(1, 2)).shape == (2, 3, 7, 3)


def test_stride_defaults_to_kernel_size():
    """Self-consistency: the default against the explicit stride (PyTorch's rule)."""
    x = np.random.default_rng(0).standard_normal((9, 7))
    np.testing.assert_array_equal(max_pool2d(x, (3, 2)), max_pool2d(x, (3, 2), stride=(3, 2)))
    np.testing.assert_array_equal(avg_pool2d(x, 3), avg_pool2d(x, 3, stride=3))


# --- bad input ---------------------------------------------------------------------------
X = np.zeros((4, 4))

# Argument checks the two functions share: (args, kwargs, error, message).
SHARED = [
    ((np.zeros(4), 2), {}, ValueError, r"x must have 2, 3 or 4 dimensions, got shape \(4,\)"),
    ((np.zeros((1, 1, 1, 4, 4)), 2), {}, ValueError, r"x must have 2, 3 or 4 dimensions"),
    ((np.zeros((0, 4)), 2), {}, ValueError, r"x must have at least one row and one column"),
    ((X.astype(complex), 2), {}, TypeError, r"x must be a real numeric array, got dtype complex"),
    ((np.array([["a"]]), 1), {}, TypeError, r"x must be a real numeric array, got dtype <U1"),
    ((X, 0), {}, ValueError, r"kernel_size must be a positive int or a tuple of them, got 0"),
    ((X, -2), {}, ValueError, r"kernel_size must be a positive int .*got -2"),
    ((X, (2, 0)), {}, ValueError, r"kernel_size must be .*got \(2, 0\)"),
    ((X, 2.0), {}, TypeError, r"kernel_size must be .*got 2.0 \(type float\)"),
    ((X, (2, 2, 2)), {}, ValueError, r"kernel_size must be .*got \(2, 2, 2\)"),
    ((X, 2), {"stride": 0}, ValueError, r"stride must be a positive int or a tuple of them"),
    ((X, 2), {"stride": (1, -1)}, ValueError, r"stride must be .*got \(1, -1\)"),
    ((X, 2), {"stride": 1.5}, TypeError, r"stride must be .*got 1.5 \(type float\)"),
    ((X, 2), {"stride": True}, TypeError, r"stride must be .*type bool"),
    ((X, 2), {"padding": -1}, ValueError, r"padding must be a non-negative int .*got -1"),
    ((X, 2), {"padding": 0.5}, TypeError, r"padding must be .*got 0.5"),
    (
        (X, 2),
        {"padding": ((1, 1), (1, 1))},
        TypeError,
        r"padding must be .*\(\(1, 1\), \(1, 1\)\)",
    ),
    (
        (X, 3),
        {"padding": 2},
        ValueError,
        (
            r"padding must be at most half the kernel size, kernel_size // 2 = \(1, 1\) "
            r"for kernel_size \(3, 3\), got \(2, 2\)"
        ),
    ),
    (
        (X, (3, 5)),
        {"padding": (2, 0)},
        ValueError,
        r"padding must be at most half .* = \(1, 2\) .*got \(2, 0\)",
    ),
    (
        (X, 5),
        {},
        ValueError,
        (
            r"x of shape \(4, 4\): kernel_size 5 with dilation 1 spans 5 pixels along "
            r"spatial dimension 0, more than the padded input of 4"
        ),
    ),
    (
        (np.zeros((1, 8, 3)), (2, 4)),
        {"padding": (0, 0)},
        ValueError,
        r"x of shape \(1, 8, 3\): .*spans 4 pixels along spatial dimension 1",
    ),
    ((X, 2), {"ceil_mode": 1}, TypeError, r"ceil_mode must be a bool, got 1"),
]

BAD_CALLS = [(f, *case) for f in (max_pool2d, avg_pool2d) for case in SHARED] + [
    (max_pool2d, (X, 2), {"dilation": 0}, ValueError, r"dilation must be a positive int"),
    (max_pool2d, (X, 2), {"dilation": (1, -1)}, ValueError, r"dilation must be .*\(1, -1\)"),
    (max_pool2d, (X, 2), {"dilation": 2.0}, TypeError, r"dilation must be .*got 2.0"),
    (
        max_pool2d,
        (X, 3),
        {"dilation": 2, "padding": 2},  # the limit is on the undilated kernel, as in torch
        ValueError,
        r"padding must be at most half .*got \(2, 2\)",
    ),
    (
        max_pool2d,
        (X, 3),
        {"dilation": 2},
        ValueError,
        r"kernel_size 3 with dilation 2 spans 5 pixels",
    ),
    (
        avg_pool2d,
        (X, 2),
        {"count_include_pad": 1},
        TypeError,
        r"count_include_pad must be a bool, got 1 \(type int\)",
    ),
    (avg_pool2d, (X, 2), {"count_include_pad": None}, TypeError, r"count_include_pad must be"),
]


test_bad_input_raises_a_clear_error = bad_input_test(BAD_CALLS)


def test_torch_refuses_what_convdocs_refuses():
    """The ValueErrors above that are PyTorch's rules, not convdocs' strictness."""
    x = torch.zeros(1, 4, 4)
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        torch.nn.functional.avg_pool2d(x, 3, padding=2)
    # With dilation the check is on the undilated kernel (its message differs).
    with pytest.raises(RuntimeError, match="pad should be smaller than or equal to half"):
        torch.nn.functional.max_pool2d(x, 3, padding=2, dilation=2)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        torch.nn.functional.max_pool2d(x, 5)
