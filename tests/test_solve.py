"""convdocs.solve: every answer checked with PyTorch or by brute force."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from convdocs import (
    colliding_input_sizes,
    conv_output_size,
    conv_transpose_output_size,
    inverse_conv,
    solve_padding,
)
from tests.strategies import dilations, kernel_fits, kernels, paddings, sizes, span, strides


def total_paddings(size, out, kernel, stride, dilation):
    """Brute force: every total padding (0..299) that maps size to out.

    By convdocs' own conv_output_size: the callers check its answers in PyTorch.
    """
    return [
        total
        for total in range(300)
        if kernel_fits(size, kernel, dilation, total)
        and conv_output_size(size, kernel, stride, (0, total), dilation) == out
    ]


@given(sizes, st.integers(1, 30), kernels, strides, dilations)
def test_solve_padding_gives_the_output_in_pytorch(size, out, kernel, stride, dilation):
    totals = total_paddings(size, out, kernel, stride, dilation)
    if not totals:
        with pytest.raises(ValueError, match="no padding maps input_size"):
            solve_padding(size, out, kernel, stride, dilation)
        return
    before, after = solve_padding(size, out, kernel, stride, dilation)
    x = F.pad(torch.zeros(1, 1, 1, size), (before, after))
    layer = torch.nn.Conv2d(1, 1, (1, kernel), stride=(1, stride), dilation=(1, dilation))
    assert layer(x).shape[-1] == out
    even = [t for t in totals if t % 2 == 0]
    if even:  # the symmetric padding PyTorch can express, the smallest one
        assert before == after == even[0] // 2
    else:  # otherwise the least total, the odd pixel after (TensorFlow's placement)
        assert (before, after) == (totals[0] // 2, totals[0] - totals[0] // 2)


def test_solve_padding_examples_and_tuples():
    assert solve_padding(2, 1, 5) == (1, 2)  # a kernel larger than the input needs padding
    assert solve_padding(112, 112, 3, stride=1) == (1, 1)
    assert solve_padding(112, 56, 3, stride=2) == (1, 1)
    assert solve_padding(224, 112, 7, stride=2) == (3, 3)
    assert solve_padding(8, 8, 4) == (1, 2)
    assert solve_padding((5, 8), (5, 8), (3, 4)) == ((1, 1), (1, 2))


@given(st.integers(1, 20), kernels, strides, paddings, dilations)
def test_colliding_input_sizes_equal_brute_force(out, kernel, stride, padding, dilation):
    """Brute force over input sizes with the paper's formula (Dumoulin & Visin,
    relationship 15), written here rather than taken from convdocs."""
    brute = [
        i
        for i in range(1, 200)
        if kernel_fits(i, kernel, dilation, 2 * padding)
        and (i + 2 * padding - span(kernel, dilation)) // stride + 1 == out
    ]
    if not brute:
        with pytest.raises(ValueError, match="no input size gives output_size"):
            colliding_input_sizes(out, kernel, stride, padding, dilation)
        return
    assert list(colliding_input_sizes(out, kernel, stride, padding, dilation)) == brute


@given(st.tuples(sizes, sizes), kernels, strides, paddings, dilations)
def test_inverse_conv_restores_the_shape_in_pytorch(size, kernel, stride, padding, dilation):
    assume(kernel_fits(min(size), kernel, dilation, 2 * padding))
    down = torch.nn.Conv2d(2, 3, kernel, stride, padding, dilation)
    up = inverse_conv(size, down, module=True)
    x = torch.zeros(1, 2, *size)
    with torch.no_grad():
        assert up(down(x)).shape == x.shape
    params = inverse_conv(size, kernel, stride, padding, dilation)
    layer = torch.nn.ConvTranspose2d(3, 2, **params.kwargs)
    with torch.no_grad():
        assert layer(down(x)).shape == x.shape


def test_inverse_conv_of_a_same_padded_layer():
    down = torch.nn.Conv2d(1, 1, 3, padding="same")
    up = inverse_conv(10, down, module=True)
    assert up(down(torch.zeros(1, 1, 10, 10))).shape[-1] == 10


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: solve_padding(10, 0, 3), ValueError, "output_size must be a positive int"),
        (lambda: solve_padding(10.0, 5, 3), TypeError, "input_size must be a positive int"),
        (lambda: solve_padding(112, 40, 3, 2), ValueError, r"reachable output sizes are 55 and"),
        (lambda: colliding_input_sizes(1, 3, padding=5), ValueError, r"padding \(5, 5\) alone"),
        (lambda: inverse_conv(2, 5), ValueError, "kernel_size 5 with dilation 1 spans 5"),
        (lambda: inverse_conv(8, 3, padding=((0, 1),)), ValueError, "padding must be symmetric"),
        (lambda: inverse_conv(8, 3, module=True), ValueError, "module=True needs an nn.Conv1d"),
        (
            lambda: inverse_conv(8, torch.nn.Conv2d(1, 1, 4, padding="same")),
            ValueError,
            "pads asymmetrically",
        ),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


CONVS = {1: torch.nn.Conv1d, 2: torch.nn.Conv2d, 3: torch.nn.Conv3d}
TRANSPOSED = {
    1: torch.nn.ConvTranspose1d,
    2: torch.nn.ConvTranspose2d,
    3: torch.nn.ConvTranspose3d,
}


@given(st.sampled_from([1, 2, 3]), st.data())
def test_inverse_conv_of_every_dimensionality_runs_in_pytorch(ndim, data):
    size = data.draw(st.tuples(*[st.integers(1, 12)] * ndim))
    kernel, stride, padding, dilation = (
        data.draw(s) for s in (kernels, strides, paddings, dilations)
    )
    assume(kernel_fits(min(size), kernel, dilation, 2 * padding))
    down = CONVS[ndim](2, 3, kernel, stride, padding, dilation, bias=False, dtype=torch.float64)
    up = inverse_conv(size, down, module=True)
    assert type(up) is TRANSPOSED[ndim]
    assert (up.in_channels, up.out_channels, up.bias, up.weight.dtype) == (
        3,
        2,
        None,
        torch.float64,
    )
    x = torch.zeros(1, 2, *size, dtype=torch.float64)
    with torch.no_grad():
        assert up(down(x)).shape == x.shape


def test_inverse_conv_refuses_modules_it_cannot_invert():
    with pytest.raises(TypeError, match=r"ConvTranspose2d.*a transposed convolution"):
        inverse_conv(8, torch.nn.ConvTranspose2d(1, 1, 3), module=True)
    with pytest.raises(TypeError, match=r"ConvTranspose1d.*a transposed convolution"):
        inverse_conv(8, torch.nn.ConvTranspose1d(1, 1, 3))
    with pytest.raises(TypeError, match="got a Linear module"):
        inverse_conv(8, torch.nn.Linear(1, 1), module=True)
    with pytest.raises(TypeError, match="got a MaxPool2d module"):
        inverse_conv(8, torch.nn.MaxPool2d(2), module=True)
    with pytest.raises(ValueError, match=r"input_size \(8, 8\) has 2 values but Conv1d"):
        inverse_conv((8, 8), torch.nn.Conv1d(1, 1, 3), module=True)
    with pytest.raises(TypeError, match="module must be a bool, got 1"):
        inverse_conv(8, torch.nn.Conv2d(1, 1, 3), module=1)


def test_inverse_conv_ignores_lookalikes_of_modules():
    class LooksLikeAConv:  # duck typing once took this for an nn.Conv2d
        kernel_size, out_channels = (3, 3), 4

    with pytest.raises(TypeError, match="kernel_size must be a positive int"):
        inverse_conv(8, LooksLikeAConv())


@pytest.mark.parametrize(
    ("padding", "size"),
    [((1, 1), 8), ((2, 2), 9), (((1, 1),), 8), ((1, 2), (8, 9))],
)
def test_inverse_conv_reads_padding_as_conv_output_size_does(padding, size):
    """Self-consistency (convdocs against convdocs), by design: the same argument means
    the same thing in inverse_conv and conv_output_size."""
    # With scalar sizes a pair is (before, after) for one dimension, as in
    # conv_output_size; with tuple sizes it is one value per dimension.
    params = inverse_conv(size, 3, stride=2, padding=padding)
    ndim = len(size) if isinstance(size, tuple) else 1
    assert len(params.padding) == ndim
    out = conv_output_size(size, 3, stride=2, padding=padding)
    restored = conv_transpose_output_size(
        out, 3, stride=2, padding=params.padding, output_padding=params.output_padding
    )
    assert restored == (size if isinstance(size, tuple) else (size,))
    with pytest.raises(ValueError, match="padding must be symmetric"):
        inverse_conv(8, 3, padding=(0, 1))
