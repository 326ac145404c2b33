"""Bounded memory: conv2d, conv_transpose2d and pooling work in blocks of output rows.

Two kinds of check. The blocked code paths (taken when the patch matrix or the padded
input exceeds ``WORKSPACE_BYTES``) are forced on small inputs by shrinking the
workspace, and checked against PyTorch (the oracle) and against convdocs' unblocked path
(a self-consistency check: the same dot products, so equal up to BLAS rounding, and
exactly equal for pooling, which only compares and adds element-wise). Then the peak
memory of large-kernel calls, measured by tracemalloc (which sees numpy's allocations),
stays under the output plus the workspace plus a small margin, where the unblocked
patch matrix alone would be hundreds of MB.
"""

import tracemalloc
from unittest import mock

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import convdocs.conv
import convdocs.pooling
from convdocs import avg_pool2d, conv2d, conv_transpose2d, max_pool2d
from tests.strategies import conv_layers, layer_fits

# Small enough that every drawn layer takes the blocked path, several blocks per call,
# and a single output row is split into column blocks.
WORKSPACES = st.sampled_from([1, 64, 512, 4096])


def small_workspace(size):
    """Patches that make the workspace ``size`` bytes, in conv and pooling."""
    return (
        mock.patch.multiple(convdocs.conv, WORKSPACE_BYTES=size),
        mock.patch.multiple(convdocs.pooling, WORKSPACE_BYTES=size),
    )


@settings(deadline=None)
@given(conv_layers(), WORKSPACES)
def test_blocked_conv2d_matches_torch_and_one_block(layer, workspace):
    x, weight, _, params = layer
    assume(layer_fits(x, weight, params))
    assert_blocked_matches(conv2d, F.conv2d, layer, workspace)


@settings(deadline=None)
@given(conv_layers(transposed=True), WORKSPACES)
def test_blocked_conv_transpose2d_matches_torch_and_one_block(layer, workspace):
    x, weight, _, params = layer
    spans = zip(x.shape[-2:], weight.shape[-2:], params["stride"], params["dilation"])
    full = [(n - 1) * s + d * (k - 1) + 1 for n, k, s, d in spans]
    assume(all(f > 2 * p for f, p in zip(full, params["padding"])))  # not all cropped
    assert_blocked_matches(conv_transpose2d, F.conv_transpose2d, layer, workspace)


def assert_blocked_matches(function, torch_function, layer, workspace):
    """``function`` in blocks of ``workspace`` bytes gives its one-block answer (the
    patch matrices of these layers fit in 32 MiB) and PyTorch's."""
    x, weight, bias, params = layer
    whole = function(x, weight, bias, **params)
    conv, pool = small_workspace(workspace)
    with conv, pool:
        blocked = function(x, weight, bias, **params)
    np.testing.assert_allclose(blocked, whole, rtol=1e-12, atol=1e-12)
    batch = torch.from_numpy(x.reshape((1,) * (4 - x.ndim) + x.shape))
    b = None if bias is None else torch.from_numpy(bias)
    expected = torch_function(batch, torch.from_numpy(weight), b, **params).numpy()
    np.testing.assert_allclose(blocked, expected.reshape(blocked.shape), rtol=1e-10, atol=1e-10)


@settings(deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.tuples(st.integers(1, 9), st.integers(1, 9)),
    st.integers(1, 3),
    st.integers(1, 2),
    st.booleans(),
    WORKSPACES,
)
def test_blocked_pooling_is_exactly_one_block_and_torch(
    seed, size, kernel, stride, ceil_mode, workspace
):
    x = np.random.default_rng(seed).standard_normal((2, 3, *size))
    padding = kernel // 2  # PyTorch's largest; the window then always fits
    args = (x, kernel, stride, padding)
    whole_max = max_pool2d(*args, ceil_mode=ceil_mode)
    whole_avg = avg_pool2d(*args, ceil_mode=ceil_mode)
    conv, pool = small_workspace(workspace)
    with conv, pool:
        blocked_max = max_pool2d(*args, ceil_mode=ceil_mode)
        blocked_avg = avg_pool2d(*args, ceil_mode=ceil_mode)
    np.testing.assert_array_equal(blocked_max, whole_max)
    np.testing.assert_array_equal(blocked_avg, whole_avg)
    tx = torch.from_numpy(x)
    expected = F.max_pool2d(tx, kernel, stride, padding, ceil_mode=ceil_mode).numpy()
    np.testing.assert_array_equal(blocked_max, expected)
    expected = F.avg_pool2d(tx, kernel, stride, padding, ceil_mode=ceil_mode).numpy()
    np.testing.assert_allclose(blocked_avg, expected, rtol=1e-12, atol=1e-12)


def peak_bytes(function, *args, **kwargs):
    """The result of ``function`` and the peak of numpy's allocations during the call."""
    tracemalloc.start()
    try:
        result = function(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


# The workspace, plus 2 MiB for the small objects of a call (tap slices, views, and
# avg_pool2d's divisor: one channel of padded input and one of output).
MARGIN = 2 * 2**20


@pytest.mark.parametrize(
    ("function", "x_shape", "w_shape", "whole"),
    [
        # patch matrix: 40 * 40 taps x 261 * 261 windows x 4 bytes = 436 MB unblocked
        (conv2d, (1, 1, 300, 300), (1, 1, 40, 40), 40 * 40 * 261 * 261 * 4),
        # products: 40 * 40 taps x 150 * 150 pixels x 4 bytes = 144 MB unblocked
        (conv_transpose2d, (1, 1, 150, 150), (1, 1, 40, 40), 40 * 40 * 150 * 150 * 4),
    ],
)
def test_large_kernel_peak_memory_is_output_plus_workspace(function, x_shape, w_shape, whole):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32)
    weight = rng.standard_normal(w_shape).astype(np.float32)
    out, peak = peak_bytes(function, x, weight)
    bound = out.nbytes + convdocs.conv.WORKSPACE_BYTES + MARGIN
    assert peak <= bound, f"peak {peak:,} bytes > {bound:,}"
    assert whole > 4 * bound  # the check means something: unblocked would not fit
    expected = getattr(F, function.__name__)(torch.from_numpy(x), torch.from_numpy(weight))
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("function", [max_pool2d, avg_pool2d])
def test_pooling_peak_memory_is_output_plus_workspace(function):
    # A padded copy of this input would be 8 * 16 * 402 * 402 * 4 bytes = 83 MB.
    x = np.random.default_rng(0).standard_normal((8, 16, 400, 400)).astype(np.float32)
    out, peak = peak_bytes(function, x, 3, 2, 1)
    bound = out.nbytes + convdocs.pooling.WORKSPACE_BYTES + MARGIN
    assert peak <= bound, f"peak {peak:,} bytes > {bound:,}"
