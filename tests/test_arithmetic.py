"""convdocs.arithmetic against PyTorch's layers and TensorFlow's documented SAME rule."""

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from convdocs import (
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    same_padding,
)
from tests.bad_calls import bad_input_test
from tests.strategies import (
    conv2d_configs,
    dilations,
    kernel_fits,
    kernels,
    paddings,
    pairs,
    sizes,
    strides,
)


def torch_conv_shape(cfg):
    """Output (H, W) of nn.ZeroPad2d + nn.Conv2d, or None where PyTorch refuses."""
    (top, bottom), (left, right) = cfg.padding
    layer = torch.nn.Sequential(
        torch.nn.ZeroPad2d((left, right, top, bottom)),
        torch.nn.Conv2d(1, 1, cfg.kernel_size, stride=cfg.stride, dilation=cfg.dilation),
    )
    try:
        with torch.no_grad():
            return tuple(layer(torch.zeros(1, 1, *cfg.size)).shape[2:])
    except RuntimeError:
        return None


@given(conv2d_configs())
def test_conv_output_size_matches_torch_conv2d(cfg):
    expected = torch_conv_shape(cfg)
    if cfg.fits():
        got = conv_output_size(cfg.size, cfg.kernel_size, cfg.stride, cfg.padding, cfg.dilation)
        assert got == expected
    else:
        assert expected is None
        with pytest.raises(ValueError, match=r"kernel_size .* spans .* more than the padded"):
            conv_output_size(cfg.size, cfg.kernel_size, cfg.stride, cfg.padding, cfg.dilation)


@given(conv2d_configs(symmetric=True))
def test_symmetric_padding_int_form_matches_torch(cfg):
    assume(cfg.fits())
    padding = tuple(p for p, _ in cfg.padding)
    layer = torch.nn.Conv2d(
        1, 1, cfg.kernel_size, stride=cfg.stride, padding=padding, dilation=cfg.dilation
    )
    with torch.no_grad():
        expected = tuple(layer(torch.zeros(1, 1, *cfg.size)).shape[2:])
    assert conv_output_size(cfg.size, cfg.kernel_size, cfg.stride, padding, cfg.dilation) == (
        expected
    )


@given(st.data(), pairs(sizes), pairs(kernels), pairs(strides), pairs(dilations), st.booleans())
def test_pooling_sizes_match_torch_maxpool2d(data, size, kernel, stride, dilation, ceil_mode):
    # PyTorch's pooling allows at most half the (undilated) kernel size as padding.
    padding = tuple(data.draw(st.integers(0, k // 2)) for k in kernel)
    pool = torch.nn.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    try:
        expected = tuple(pool(torch.zeros(1, 1, *size)).shape[2:])
    except RuntimeError:
        expected = None
    try:
        got = conv_output_size(size, kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    except ValueError:
        got = None
    assert got == expected


@given(pairs(sizes), pairs(kernels), pairs(strides), st.data(), st.booleans())
def test_pooling_sizes_match_torch_avgpool2d(size, kernel, stride, data, ceil_mode):
    padding = tuple(data.draw(st.integers(0, k // 2)) for k in kernel)
    pool = torch.nn.AvgPool2d(kernel, stride, padding, ceil_mode=ceil_mode)
    try:
        expected = tuple(pool(torch.zeros(1, 1, *size)).shape[2:])
    except RuntimeError:
        expected = None
    try:
        got = conv_output_size(size, kernel, stride, padding, ceil_mode=ceil_mode)
    except ValueError:
        got = None
    assert got == expected


@given(pairs(sizes), pairs(kernels), pairs(strides), pairs(dilations), pairs(paddings), st.data())
def test_conv_transpose_output_size_matches_torch(size, kernel, stride, dilation, padding, data):
    output_padding = tuple(
        data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation)
    )
    layer = torch.nn.ConvTranspose2d(
        1, 1, kernel, stride, padding, output_padding, dilation=dilation
    )
    try:
        with torch.no_grad():
            expected = tuple(layer(torch.zeros(1, 1, *size)).shape[2:])
    except RuntimeError:
        expected = None
    if expected is None or 0 in expected:
        # PyTorch fails, or returns an empty tensor; convdocs says why instead.
        with pytest.raises(ValueError, match="crops the whole output"):
            conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    else:
        got = conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
        assert got == expected


@given(sizes, kernels, strides, paddings, paddings, dilations)
def test_asymmetric_transpose_padding_crops_each_side(size, kernel, stride, before, after, dil):
    full = conv_transpose_output_size(size, kernel, stride, dilation=dil)
    if full - before - after < 1:
        with pytest.raises(ValueError, match="crops the whole output"):
            conv_transpose_output_size(size, kernel, stride, (before, after), dilation=dil)
        return
    layer = torch.nn.ConvTranspose1d(1, 1, kernel, stride, dilation=dil, bias=False)
    with torch.no_grad():
        cropped = layer(torch.ones(1, 1, size))[..., before : full - after]
    got = conv_transpose_output_size(size, kernel, stride, (before, after), dilation=dil)
    assert got == cropped.shape[-1] == full - before - after


@given(sizes, kernels, strides, paddings, dilations)
def test_transpose_inverts_the_forward_size(size, kernel, stride, padding, dilation):
    """Every input size the convolution maps to ``o`` is reachable by one output_padding.

    Self-consistency (convdocs against convdocs): both formulas are checked against
    PyTorch's layers by the tests above.
    """
    assume(kernel_fits(size, kernel, dilation, 2 * padding))
    out = conv_output_size(size, kernel, stride, padding, dilation)
    # The transposed formula without output_padding, written out (it may be < 1 here).
    base = (out - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1
    extra = size - base
    assert 0 <= extra < stride  # the input sizes that collide differ by less than the stride
    assert conv_transpose_output_size(out, kernel, stride, padding, extra, dilation) == size


# --- TensorFlow's 'SAME' ---------------------------------------------------------------
# TensorFlow documents SAME as: out = ceil(in / stride); pad_total =
# max((out - 1) * stride + k_eff - in, 0); pad_before = pad_total // 2 and the rest after.
TF_DOCUMENTED_EXAMPLES = [
    # (in, kernel, stride, dilation) -> (before, after); the first is the worked example
    # in TensorFlow's convolution guide (13 wide, filter 6, stride 5: 1 left, 2 right).
    ((13, 6, 5, 1), (1, 2)),
    ((224, 7, 2, 1), (2, 3)),
    ((224, 3, 2, 1), (0, 1)),
    ((225, 3, 2, 1), (1, 1)),
    ((8, 4, 1, 1), (1, 2)),
    ((10, 3, 1, 2), (2, 2)),
    ((5, 1, 3, 1), (0, 0)),
]


@pytest.mark.parametrize(("args", "expected"), TF_DOCUMENTED_EXAMPLES)
def test_same_padding_documented_examples(args, expected):
    assert same_padding(*args) == expected


@given(sizes, kernels, strides, dilations)
def test_same_padding_gives_ceil_and_is_minimal(size, kernel, stride, dilation):
    """TensorFlow's documented SAME size, ceil(size / stride), by convdocs' own
    conv_output_size (self-consistency: that formula is checked against PyTorch above)."""
    before, after = same_padding(size, kernel, stride, dilation)
    assert 0 <= after - before <= 1  # the odd pixel goes after
    out = conv_output_size(size, kernel, stride, (before, after), dilation)
    assert out == math.ceil(size / stride)
    total = before + after
    if total:  # one pixel less and the last window is lost (or does not fit)
        try:
            smaller = conv_output_size(size, kernel, stride, (before, after - 1), dilation)
        except ValueError:
            smaller = 0
        assert smaller < out


# PyTorch warns that even kernels with odd dilation need a padded copy: a speed note.
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@given(pairs(sizes), pairs(kernels), pairs(dilations), st.integers(0, 2**31 - 1))
def test_same_padding_equals_torch_padding_same_at_stride_1(size, kernel, dilation, seed):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(1, 1, *size, generator=generator, dtype=torch.float64)
    w = torch.randn(1, 1, *kernel, generator=generator, dtype=torch.float64)
    expected = torch.nn.functional.conv2d(x, w, padding="same", dilation=dilation)
    (top, bottom), (left, right) = same_padding(size, kernel, dilation=dilation)
    padded = torch.nn.functional.pad(x, (left, right, top, bottom))
    got = torch.nn.functional.conv2d(padded, w, dilation=dilation)
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12, atol=1e-12)


def test_torch_refuses_same_padding_with_stride():
    """The restriction the site documents; convdocs' same_padding has no such limit."""
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        torch.nn.Conv2d(1, 1, 3, stride=2, padding="same")
    assert same_padding(112, 3, stride=2) == (0, 1)


# --- forms of the arguments --------------------------------------------------------------


def test_scalar_calls_return_scalars_and_tuple_calls_tuples():
    assert conv_output_size(32, 3) == 30
    assert conv_output_size((32,), 3) == (30,)
    assert conv_output_size(32, (3, 5)) == (30, 28)
    assert conv_output_size(32, 3, padding=((1, 1), (0, 2))) == (32, 32)
    assert conv_output_size((8, 9), (3, 4), stride=(1, 2), padding=(1, (0, 1))) == (8, 4)
    assert effective_kernel_size(np.int64(3), dilation=np.int8(2)) == 5
    assert same_padding((6, 7), 3) == ((1, 1), (1, 1))


def test_ceil_mode_drops_a_window_starting_in_the_right_padding():
    # 5 + 1 + 1 padded, kernel 2, stride 2: ceil gives 4 windows, but the 4th would start
    # at 6 >= 5 + 1 (inside the right padding), so PyTorch keeps 3.
    assert conv_output_size(5, 2, stride=2, padding=1, ceil_mode=True) == 3
    assert conv_output_size(5, 2, stride=2, padding=1) == 3
    assert conv_output_size(6, 2, stride=2, ceil_mode=True) == 3


# --- bad input ---------------------------------------------------------------------------
BAD_CALLS = [
    (
        conv_output_size,
        (0, 3),
        {},
        ValueError,
        r"size must be a positive int or a tuple of them, got 0",
    ),
    (
        conv_output_size,
        (-4, 3),
        {},
        ValueError,
        r"size must be a positive int or a tuple of them, got -4",
    ),
    (conv_output_size, (8, 3), {"stride": 0}, ValueError, r"stride must be a positive int"),
    (
        conv_output_size,
        ((8, 8), 3),
        {"stride": (2, 0)},
        ValueError,
        r"stride must be a positive int or a tuple of them, got \(2, 0\)",
    ),
    (conv_output_size, (8, 3), {"dilation": -1}, ValueError, r"dilation must be a positive"),
    (conv_output_size, (8, 3.0), {}, TypeError, r"kernel_size must be .*got 3.0 \(type float\)"),
    (conv_output_size, ("8", 3), {}, TypeError, r"size must be .*got '8' \(type str\)"),
    (conv_output_size, (8, 3), {"stride": True}, TypeError, r"stride must be .*type bool"),
    (conv_output_size, (8, 3), {"padding": -1}, ValueError, r"padding must be a non-negative"),
    (conv_output_size, (8, 3), {"padding": 1.5}, TypeError, r"padding must be .*got 1.5"),
    (
        conv_output_size,
        ((8, 8), 3),
        {"padding": (1, 2, 3)},
        ValueError,
        r"padding must be .*\(2 here\), got \(1, 2, 3\)",
    ),
    (
        conv_output_size,
        ((8, 8), (3, 3, 3)),
        {},
        ValueError,
        r"kernel_size has 3 values but size has 2",
    ),
    (
        conv_output_size,
        ((8, 8), 3),
        {"padding": ((1, 1), (1, 1), (1, 1))},
        ValueError,
        r"size has 2 values but padding has 3",
    ),
    (
        conv_output_size,
        (4, 5),
        {"dilation": 2},
        ValueError,
        r"kernel_size 5 with dilation 2 spans 9 pixels, more than the padded input of 4",
    ),
    (
        conv_output_size,
        ((8, 4), 5),
        {},
        ValueError,
        r"along spatial dimension 1, more than the padded input of 4",
    ),
    (conv_output_size, (8, 3), {"ceil_mode": 1}, TypeError, r"ceil_mode must be a bool, got 1"),
    (
        conv_transpose_output_size,
        (4, 3),
        {"stride": 2, "output_padding": 2},
        ValueError,
        r"output_padding must be smaller than stride or dilation .*= 2\), got 2",
    ),
    (
        conv_transpose_output_size,
        (4, 3),
        {"output_padding": 1},
        ValueError,
        r"output_padding must be smaller .*got 1",
    ),
    (
        conv_transpose_output_size,
        (4, 3),
        {"output_padding": -1},
        ValueError,
        r"output_padding must be a non-negative int or a tuple of them, got -1",
    ),
    (
        conv_transpose_output_size,
        (1, 1),
        {"padding": 1},
        ValueError,
        r"padding \(1, 1\) crops the whole output",
    ),
    (
        same_padding,
        (10, 0),
        {},
        ValueError,
        r"kernel_size must be a positive int or a tuple of them, got 0",
    ),
    (same_padding, (10, 3), {"stride": 1.0}, TypeError, r"stride must be .*got 1.0"),
    (effective_kernel_size, (3,), {"dilation": 0}, ValueError, r"dilation must be a positive"),
    (effective_kernel_size, ([3, None],), {}, TypeError, r"kernel_size must be .*\(3, None\)"),
]


test_bad_input_raises_a_clear_error = bad_input_test(BAD_CALLS)
