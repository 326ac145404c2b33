"""convdocs.conv against torch.nn.functional, OpenCV and scipy."""

from unittest import mock

import cv2
import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from convdocs import (
    conv2d,
    conv_matrix,
    conv_output_size,
    conv_transpose2d,
    same_padding,
)
from tests.bad_calls import bad_input_test
from tests.strategies import conv_layers, kernel_fits, layer_fits

TORCH_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
               "circular": "circular"}  # fmt: skip


def as_torch(array):
    return None if array is None else torch.from_numpy(np.asarray(array))


def torch_batch(x):
    return torch.from_numpy(x.reshape((1,) * (4 - x.ndim) + x.shape))


@given(conv_layers(), st.sampled_from(sorted(TORCH_MODES)))
def test_conv2d_matches_torch(layer, mode):
    x, weight, bias, params = layer
    assume(layer_fits(x, weight, params))
    ph, pw = params["padding"]
    # PyTorch's own limits: reflect needs pad < size, circular pad <= size.
    assume(mode != "reflect" or (ph < x.shape[-2] and pw < x.shape[-1]))
    assume(mode != "circular" or (ph <= x.shape[-2] and pw <= x.shape[-1]))
    padded = F.pad(torch_batch(x), (pw, pw, ph, ph), mode=TORCH_MODES[mode])
    kwargs = {k: v for k, v in params.items() if k != "padding"}
    expected = F.conv2d(padded, as_torch(weight), as_torch(bias), **kwargs).numpy()
    got = conv2d(x, weight, bias, padding_mode=mode, **params)
    assert got.ndim == x.ndim
    np.testing.assert_allclose(got, expected.reshape(got.shape), rtol=1e-10, atol=1e-10)


@given(st.integers(1, 6), st.integers(0, 2), st.integers(1, 3), st.integers(1, 2), st.booleans())
def test_conv2d_kernel_larger_than_padded_input_raises_like_torch(size, padding, excess, dilation,
                                                                 along_width):  # fmt: skip
    # the smallest kernel whose span exceeds the padded input, plus `excess - 1` taps
    kernel = -(-(size + 2 * padding) // dilation) + excess
    shape = (size + 5, size) if along_width else (size, size + 5)
    kernel_shape = (1, kernel) if along_width else (kernel, 1)
    x, weight = np.zeros((1, *shape)), np.zeros((1, 1, *kernel_shape))
    params = {"padding": padding, "dilation": dilation}
    with pytest.raises(RuntimeError):
        F.conv2d(torch.from_numpy(x)[None], torch.from_numpy(weight), **params)
    with pytest.raises(ValueError, match=r"kernel_size .* spans .* more than the padded input"):
        conv2d(x, weight, **params)


def nan_empty(shape, dtype=float, order="C", *, _empty=np.empty, **kwargs):
    """np.empty that returns NaN-filled memory instead of whatever the allocator had."""
    array = _empty(shape, dtype, order, **kwargs)
    array.fill(np.nan)
    return array


@given(conv_layers(), st.tuples(*[st.integers(0, 3)] * 4))
def test_conv2d_zero_padding_does_not_depend_on_fresh_memory(layer, pads):
    # conv2d's patch matrix comes from np.empty and gets zeros only where windows read
    # the padding: with NaN in every fresh buffer, a strip it forgets shows in the result.
    x, weight, bias, params = layer
    top, bottom, left, right = pads
    padded = F.pad(torch_batch(x), (left, right, top, bottom))
    assume(kernel_fits(padded.shape[-2:], weight.shape[-2:], params["dilation"]))
    kwargs = {k: v for k, v in params.items() if k != "padding"}
    expected = F.conv2d(padded, as_torch(weight), as_torch(bias), **kwargs).numpy()
    with mock.patch.object(np, "empty", nan_empty):
        got = conv2d(x, weight, bias, padding=((top, bottom), (left, right)), **kwargs)
    np.testing.assert_allclose(got, expected.reshape(got.shape), rtol=1e-10, atol=1e-10)


@given(conv_layers(transposed=True), st.data())
def test_conv_transpose2d_matches_torch(layer, data):
    x, weight, bias, params = layer
    stride, dilation = params["stride"], params["dilation"]
    output_padding = tuple(
        data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation)
    )
    args = (as_torch(weight), as_torch(bias))
    try:
        expected = F.conv_transpose2d(torch_batch(x), *args, output_padding=output_padding,
                                      **params).numpy()  # fmt: skip
    except RuntimeError:
        expected = None
    if expected is None or 0 in expected.shape:
        with pytest.raises(ValueError, match="crops the whole output"):
            conv_transpose2d(x, weight, bias, output_padding=output_padding, **params)
        return
    got = conv_transpose2d(x, weight, bias, output_padding=output_padding, **params)
    np.testing.assert_allclose(got, expected.reshape(got.shape), rtol=1e-10, atol=1e-10)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@given(st.integers(1, 20), st.integers(1, 20), st.integers(1, 5), st.integers(1, 5),
       st.integers(1, 3), st.integers(1, 2))  # fmt: skip
def test_same_padding_any_stride(h, w, kh, kw, stride, dilation):
    rng = np.random.default_rng(h * 1000 + w)
    x, k = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
    got = conv2d(x, k, stride=stride, padding="same", dilation=dilation)
    assert got.shape == (-(-h // stride), -(-w // stride))
    (top, bottom), (left, right) = same_padding((h, w), (kh, kw), stride, dilation)
    padded = F.pad(torch.from_numpy(x)[None, None], (left, right, top, bottom))
    expected = F.conv2d(padded, torch.from_numpy(k)[None, None], stride=stride,
                        dilation=dilation)  # fmt: skip
    np.testing.assert_allclose(got, expected[0, 0].numpy(), rtol=1e-10, atol=1e-10)
    if stride == 1:  # where PyTorch's padding="same" exists, it agrees
        torch_same = F.conv2d(torch.from_numpy(x)[None, None], torch.from_numpy(k)[None, None],
                              padding="same", dilation=dilation)  # fmt: skip
        np.testing.assert_allclose(got, torch_same[0, 0].numpy(), rtol=1e-10, atol=1e-10)


# OpenCV's filter2D is a correlation too, with the anchor at the kernel's centre
# (k // 2) and the border mode filling the padding.
CV2_BORDERS = {
    "zeros": cv2.BORDER_CONSTANT,
    "reflect": cv2.BORDER_REFLECT_101,
    "symmetric": cv2.BORDER_REFLECT,
    "replicate": cv2.BORDER_REPLICATE,
}


@given(st.integers(4, 30), st.integers(4, 30), st.integers(1, 4), st.integers(1, 4),
       st.sampled_from(sorted(CV2_BORDERS)), st.integers(0, 2**32 - 1))  # fmt: skip
def test_conv2d_matches_cv2_filter2d(h, w, kh, kw, mode, seed):
    rng = np.random.default_rng(seed)
    x, k = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
    expected = cv2.filter2D(x, cv2.CV_64F, k, borderType=CV2_BORDERS[mode])
    padding = ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2))
    got = conv2d(x, k, padding=padding, padding_mode=mode)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


@given(st.integers(1, 15), st.integers(1, 15), st.integers(1, 5), st.integers(1, 5),
       st.integers(0, 2**32 - 1))  # fmt: skip
def test_conv2d_matches_scipy_correlate2d(h, w, kh, kw, seed):
    rng = np.random.default_rng(seed)
    x, k = rng.standard_normal((h, w)), rng.standard_normal((kh, kw))
    full = conv2d(x, k, padding=(kh - 1, kw - 1))
    np.testing.assert_allclose(full, scipy.signal.correlate2d(x, k, mode="full"), atol=1e-10)
    if kh <= h and kw <= w:
        valid = scipy.signal.correlate2d(x, k, mode="valid")
        np.testing.assert_allclose(conv2d(x, k), valid, atol=1e-10)


def test_uint8_images_are_computed_in_float64_without_saturation():
    image = np.array([[0, 0, 255, 255]] * 4, dtype=np.uint8)
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    reversed_edges = conv2d(image[:, ::-1], sobel_x)
    assert reversed_edges.dtype == np.float64
    np.testing.assert_array_equal(reversed_edges, [[-1020.0, -1020.0]] * 2)
    # OpenCV with an 8-bit output depth saturates the same negative edge to 0
    assert (
        cv2.filter2D(np.ascontiguousarray(image[:, ::-1]), -1, sobel_x.astype(float))[
            1:3, 1:3
        ].max()
        == 0
    )


def test_float32_stays_float32():
    x = np.ones((3, 8, 8), dtype=np.float32)
    w = np.ones((4, 3, 3, 3), dtype=np.float32)
    assert conv2d(x, w).dtype == np.float32
    assert conv_transpose2d(x, np.ones((3, 2, 3, 3), np.float32)).dtype == np.float32


@given(st.integers(1, 3), st.integers(1, 2), st.integers(2, 7), st.integers(2, 7),
       st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(0, 2),
       st.integers(0, 2**32 - 1))  # fmt: skip
def test_conv_matrix_is_conv2d_and_its_transpose_is_conv_transpose2d(
    c, o, h, w, k, stride, dilation, padding, seed
):
    """Self-consistency (convdocs against convdocs): conv2d and conv_transpose2d are the
    oracles here, each checked against PyTorch above; the dense matrix is built
    independently of them (index arithmetic, no patch matrix)."""
    rng = np.random.default_rng(seed)
    weight = rng.standard_normal((o, c, k, k))
    assume(kernel_fits((h, w), k, dilation, 2 * padding))
    params = {"stride": stride, "padding": padding, "dilation": dilation}
    matrix = conv_matrix((c, h, w), weight, **params)
    x = rng.standard_normal((c, h, w))
    np.testing.assert_allclose(matrix @ x.ravel(), conv2d(x, weight, **params).ravel(),
                               atol=1e-10)  # fmt: skip
    out = conv_output_size((h, w), k, **params)
    y = rng.standard_normal((o, *out))
    # the output_padding that restores (h, w): the size the floor dropped
    extra = tuple(n + 2 * padding - dilation * (k - 1) - 1 - (o - 1) * stride
                  for n, o in zip((h, w), out))  # fmt: skip
    back = conv_transpose2d(y, weight, output_padding=extra, **params)
    np.testing.assert_allclose(matrix.T @ y.ravel(), back.ravel(), atol=1e-10)


def test_conv_matrix_of_dumoulin_visin_figure():
    """A 4x4 input and a 3x3 kernel: the 4x16 matrix of Dumoulin & Visin, section 4.1."""
    w = np.arange(1, 10).reshape(3, 3)
    matrix = conv_matrix((4, 4), w)
    assert matrix.shape == (4, 16)
    np.testing.assert_array_equal(matrix[0], [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(matrix[3], [0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9])


BAD_CALLS = [
    (conv2d, (np.zeros(5), np.ones((3, 3))), {}, ValueError,
     r"x must have 2, 3 or 4 dimensions, got shape \(5,\)"),
    (conv2d, (np.zeros((3, 5, 5)), np.ones((3, 3, 3))), {}, ValueError,
     r"weight must have 2 or 4 dimensions, got shape \(3, 3, 3\)"),
    (conv2d, (np.zeros((3, 5, 5)), np.ones((4, 2, 3, 3))), {}, ValueError,
     r"weight of shape \(4, 2, 3, 3\) does not match x of shape \(3, 5, 5\).*must be 3"),
    (conv2d, (np.zeros((3, 5, 5)), np.ones((4, 1, 3, 3))), {"groups": 2}, ValueError,
     r"groups=2 must divide the input channels, got 3 channels"),
    (conv2d, (np.zeros((4, 5, 5)), np.ones((3, 2, 3, 3))), {"groups": 2}, ValueError,
     r"groups=2 must divide the output channels, got 3"),
    (conv2d, (np.zeros((5, 5)), np.ones((2, 1, 3, 3))), {}, ValueError,
     r"single 2-D image, so weight must have one output channel"),
    (conv2d, (np.zeros((5, 5)), np.ones((3, 3))), {"groups": 0}, ValueError,
     r"groups must be a positive int, got 0"),
    (conv2d, (np.zeros((5, 5)), np.ones((3, 3))), {"stride": (1, 0)}, ValueError,
     r"stride must be a positive int or a tuple of them, got \(1, 0\)"),
    (conv2d, (np.zeros((5, 5)), np.ones((3, 3))), {"dilation": 1.5}, TypeError,
     r"dilation must be a positive int or a tuple of them, got 1.5"),
    (conv2d, (np.zeros((5, 5)), np.ones((3, 3))), {"padding": -1}, ValueError,
     r"padding must be a non-negative int"),
    (conv2d, (np.zeros((5, 5)), np.ones((3, 3))), {"padding": "full"}, ValueError,
     r"padding must be an int, a pair, 'valid' or 'same', got 'full'"),
    (conv2d, (np.zeros((5, 5)), np.ones((3, 3))), {"padding_mode": "BORDER_REFLECT_101"},
     ValueError, r"reflect"),
    (conv2d, (np.zeros((2, 2)), np.ones((3, 3))), {}, ValueError,
     r"kernel_size 3 with dilation 1 spans 3 pixels along spatial dimension 0"),
    (conv2d, (np.zeros((5, 5)), np.ones((3, 3))), {"bias": np.ones(2)}, ValueError,
     r"bias must have shape \(1,\) \(one per output channel\), got \(2,\)"),
    (conv2d, (np.zeros((5, 5), complex), np.ones((3, 3))), {}, TypeError,
     r"x must be a real numeric array, got dtype complex128"),
    (conv_transpose2d, (np.zeros((3, 5, 5)), np.ones((4, 2, 3, 3))), {}, ValueError,
     r"\(in_channels, out_channels // groups, kh, kw\), so its first axis must be 3"),
    (conv_transpose2d, (np.zeros((5, 5)), np.ones((3, 3))), {"stride": 2,
     "output_padding": 2}, ValueError, r"output_padding must be smaller than stride"),
    (conv_transpose2d, (np.zeros((1, 1)), np.ones((1, 1))), {"padding": 1}, ValueError,
     r"crops the whole output"),
    (conv_matrix, ((5,), np.ones((3, 3))), {}, ValueError,
     r"input_shape must be \(H, W\) or \(C, H, W\), got \(5,\)"),
    (conv_matrix, ((2, 0, 5), np.ones((3, 3))), {}, ValueError,
     r"input_shape must be a positive int or a tuple of them, got \(2, 0, 5\)"),
    (conv_matrix, ((300, 300), np.ones((3, 3))), {}, ValueError,
     r"input_shape \(300, 300\) .* gives a conv_matrix of 88804 x 90000 = 7,992,360,000 entries"),
]  # fmt: skip


test_bad_input_raises_a_clear_error = bad_input_test(BAD_CALLS)
