"""convdocs.unfold: the patch matrix's shape and bytes against torch.nn.functional.unfold."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from convdocs import unfold_nbytes, unfold_shape
from tests.bad_calls import bad_input_test
from tests.strategies import extreme_ints, kernel_fits, pairs

small = st.integers(1, 12)


@given(
    st.integers(1, 2),
    st.integers(1, 3),
    pairs(small),
    pairs(st.integers(1, 5)),
    pairs(st.integers(1, 3)),
    pairs(st.integers(0, 2)),
    pairs(st.integers(1, 2)),
    st.booleans(),
    st.sampled_from([torch.float16, torch.float32, torch.float64]),
)
def test_shape_and_bytes_equal_pytorch(
    n, c, size, kernel, stride, padding, dilation, batched, dtype
):
    total = tuple(2 * p for p in padding)
    assume(kernel_fits(size, kernel, dilation, total))
    shape = (n, c, *size) if batched else (c, *size)
    x = torch.zeros(shape, dtype=dtype)
    cols = F.unfold(x, kernel, dilation=dilation, padding=padding, stride=stride)
    assert unfold_shape(shape, kernel, stride, padding, dilation) == tuple(cols.shape)
    name = str(dtype).removeprefix("torch.")
    nbytes = unfold_nbytes(shape, kernel, stride, padding, dilation, dtype=name)
    assert nbytes == cols.numel() * cols.element_size()


def test_convolution_is_a_matrix_multiply():
    """The identity the gallery shows: weight.view(C_out, -1) @ unfold(x) == conv2d."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 9, 11, generator=gen, dtype=torch.float64)
    w = torch.randn(4, 3, 3, 2, generator=gen, dtype=torch.float64)
    cols = F.unfold(x, (3, 2), padding=1, stride=2)
    assert tuple(cols.shape) == unfold_shape(tuple(x.shape), (3, 2), 2, 1)
    out = (w.view(4, -1) @ cols).view(2, 4, 5, 6)
    torch.testing.assert_close(out, F.conv2d(x, w, padding=1, stride=2))


def test_examples_and_huge_sizes_need_no_memory():
    assert unfold_shape((1, 1, 4, 4), 3) == (1, 9, 4)
    assert unfold_nbytes((1, 64, 56, 56), 3, padding=1) == 9 * 64 * 56 * 56 * 4
    assert unfold_nbytes((3, 224, 224), 7, stride=2, padding=3) == 3 * 49 * 112 * 112 * 4
    # an exact int far beyond any memory: arithmetic only
    big = unfold_nbytes((2**20, 2**20, 2**20, 2**20), 3, padding=1, dtype=np.float64)
    assert big == 9 * 2**80 * 8


test_bad_input = bad_input_test(
    [
        (unfold_shape, ("1,1,4,4", 3), {}, TypeError, "input_shape must be a tuple"),
        (unfold_shape, ((4, 4), 3), {}, ValueError, "4 entries .* or 3"),
        (unfold_shape, ((1, 0, 4, 4), 3), {}, ValueError, "input_shape must be a positive int"),
        (unfold_shape, ((1, 1, 4, 4), 5), {}, ValueError, "kernel_size 5"),
        (unfold_shape, ((1, 1, 4, 4), 3), {"stride": 0}, ValueError, "stride must be"),
        (unfold_shape, ((1, 1, 4, 4), 3), {"padding": -1}, ValueError, "padding must be"),
        (unfold_shape, ((1, 1, 4, 4), 2.0), {}, TypeError, "kernel_size must be"),
        (unfold_shape, ((1, 1, 4, 4), (3, 3, 3)), {}, ValueError, "kernel_size must be"),
        (unfold_nbytes, ((1, 1, 4, 4), 3), {"dtype": "nonsense"}, TypeError, "dtype must be"),
        (unfold_nbytes, ((1, 1, 4, 4), 3), {"dtype": "V0"}, ValueError, "itemsize"),
    ]
)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", np.int8])
def test_itemsizes(dtype):
    assert unfold_nbytes((1, 1, 4, 4), 3, dtype=dtype) == 36 * np.dtype(dtype).itemsize


@given(extreme_ints, extreme_ints, extreme_ints, extreme_ints)
def test_extreme_ints_answer_or_refuse(size, kernel, stride, padding):
    """Any ints: an exact answer by arithmetic, or a TypeError/ValueError."""
    try:
        nbytes = unfold_nbytes((1, 3, size, size), kernel, stride, padding)
    except (TypeError, ValueError):
        return
    out = (size + 2 * padding - kernel) // stride + 1
    assert nbytes == 3 * kernel * kernel * out * out * 4
