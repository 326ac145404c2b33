"""Hostile input: every public operation answers right or refuses with a clear error.

Each test passes one argument an extreme, odd or malformed value (the strategies in
tests/strategies.py) and accepts two outcomes: a result, checked where an independent
answer exists, or a ``TypeError``/``ValueError`` whose message names the argument.
Anything else fails the test: numpy's or Python's internal errors, ``MemoryError``, an
``OverflowError``, or a warning (the pytest configuration makes warnings errors).
Calls whose arrays would be astronomically large, were a size check missing, run in a
subprocess under a memory limit.
"""

import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from convdocs import (
    avg_pool2d,
    canonical_mode,
    colliding_input_sizes,
    conv2d,
    conv_matrix,
    conv_transpose2d,
    inverse_conv,
    max_pool2d,
    pad,
    solve_padding,
)
from convdocs.data import photograph, step_edge
from tests.strategies import extreme_ints, hostile_arrays, hostile_ints

IMAGE = np.arange(36.0).reshape(6, 6)
KERNEL = np.array([[1.0, -2.0], [0.5, 3.0]])

# (function, valid keyword arguments, names an error about each argument may give).
CALLS = {
    "conv2d": (
        conv2d,
        {"x": IMAGE, "weight": KERNEL, "stride": 1, "padding": 1, "dilation": 1, "groups": 1},
        {"weight": ("weight", "kernel_size", "x")},
    ),
    "conv_transpose2d": (
        conv_transpose2d,
        {"x": IMAGE, "weight": KERNEL, "stride": 2, "padding": 1, "output_padding": 1,
         "groups": 1, "dilation": 1},
        {"weight": ("weight", "x"), "stride": ("stride", "output_padding"),
         "dilation": ("dilation", "output_padding")},
    ),
    "conv_matrix": (
        conv_matrix,
        {"input_shape": (4, 4), "weight": KERNEL, "stride": 1, "padding": 0, "dilation": 1},
        {"input_shape": ("input_shape", "kernel_size"), "weight": ("weight", "kernel_size")},
    ),
    "max_pool2d": (
        max_pool2d,
        {"x": IMAGE, "kernel_size": 2, "stride": 2, "padding": 1, "dilation": 1},
        {"kernel_size": ("kernel_size", "padding")},
    ),
    "avg_pool2d": (
        avg_pool2d,
        {"x": IMAGE, "kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": ("kernel_size", "padding")},
    ),
    "pad": (pad, {"x": IMAGE, "pad": 1}, {}),
    "solve_padding": (
        solve_padding,
        {"input_size": 8, "output_size": 8, "kernel_size": 3, "stride": 1, "dilation": 1},
        {},
    ),
    "colliding_input_sizes": (
        colliding_input_sizes,
        {"output_size": 4, "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1},
        {},
    ),
    "inverse_conv": (
        inverse_conv,
        {"input_size": 8, "kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1},
        {"input_size": ("input_size", "kernel_size")},
    ),
    "step_edge": (step_edge, {"size": 7, "edge": 3}, {}),
}  # fmt: skip

INT_PARAMS = [
    (name, param)
    for name, (_, kwargs, _) in CALLS.items()
    for param, value in kwargs.items()
    if not isinstance(value, np.ndarray)
]
ARRAY_PARAMS = [
    (name, param)
    for name, (_, kwargs, _) in CALLS.items()
    for param, value in kwargs.items()
    if isinstance(value, np.ndarray)
]


def call_or_refuse(name, param, value):
    """Call CALLS[name] with ``param=value``: the result, or None after a clear refusal."""
    function, kwargs, synonyms = CALLS[name]
    try:
        return function(**{**kwargs, param: value})
    except (TypeError, ValueError) as err:
        names = synonyms.get(param, (param,))
        message = str(err)
        assert any(re.search(rf"\b{n}\b", message) for n in names), (names, message)
        assert "\n" not in message
        for leak in ("inhomogeneous", "array is too big", "Maximum allowed dimension",
                     "min() arg", "invalid literal", "np.True_ (type bool)"):  # fmt: skip
            assert leak not in message, message
        return None


@pytest.mark.parametrize(("name", "param"), INT_PARAMS, ids=[f"{n}-{p}" for n, p in INT_PARAMS])
@given(value=hostile_ints)
def test_extreme_and_odd_ints(name, param, value):
    call_or_refuse(name, param, value)


@pytest.mark.parametrize(
    ("name", "param"), ARRAY_PARAMS, ids=[f"{n}-{p}" for n, p in ARRAY_PARAMS]
)
@given(value=hostile_arrays())
def test_odd_arrays(name, param, value):
    result = call_or_refuse(name, param, value)
    if result is None:
        return
    assert isinstance(result, np.ndarray)
    assert result.dtype.kind == "f" or name == "pad"


@given(value=hostile_arrays())
def test_conv2d_of_odd_arrays_agrees_with_pytorch(value):
    result = call_or_refuse("conv2d", "x", value)
    if result is None:
        return
    x = torch.from_numpy(np.array(value, dtype=np.float64, copy=True))
    # Sums that overflow give inf or nan depending on the order of the terms.
    assume(not (torch.isfinite(x) & (x.abs() > 1e300)).any())
    expected = F.conv2d(x[None, None], torch.from_numpy(KERNEL)[None, None], padding=1)[0, 0]
    np.testing.assert_allclose(result, expected.numpy(), rtol=1e-6, equal_nan=True)


@given(value=hostile_arrays())
def test_pooling_of_odd_arrays_agrees_with_pytorch(value):
    result = call_or_refuse("max_pool2d", "x", value)
    if result is None:
        return
    x = torch.from_numpy(np.array(value, dtype=np.float64, copy=True))
    expected = F.max_pool2d(x[None, None], 2, stride=2, padding=1)[0, 0]
    np.testing.assert_array_equal(result, expected.numpy())


@given(stride=extreme_ints)
def test_huge_strides_give_one_window(stride):
    result = call_or_refuse("conv2d", "stride", stride)
    if result is not None and stride > IMAGE.shape[0] + 2:
        # A stride past the padded input leaves the first window only.
        assert result.shape == (1, 1)
        assert result[0, 0] == conv2d(IMAGE, KERNEL, padding=1)[0, 0]


@given(stride=st.integers(2**62, 2**80), padding=st.integers(2**62, 2**80))
def test_conv_matrix_never_overflows_int64(stride, padding):
    # Strides and paddings beyond int64: a right matrix or the size refusal, never an
    # OverflowError.
    try:
        matrix = conv_matrix((3, 3), KERNEL, stride=stride, padding=padding)
    except ValueError as err:
        assert "gives a conv_matrix of" in str(err)  # noqa: PT017 (either outcome is right)
    else:  # every entry from Python ints: tap (i, j) of window (y, x) reads pixel ...
        x = np.arange(9.0).reshape(3, 3)
        n = len(range(0, 3 + 2 * padding - 1, stride))  # windows per axis
        expected = [
            sum(
                KERNEL[i, j] * x[r, c]
                for i in range(2)
                for j in range(2)
                if 0 <= (r := y * stride + i - padding) < 3
                and 0 <= (c := z * stride + j - padding) < 3
            )
            for y in range(n)
            for z in range(n)
        ]
        np.testing.assert_array_equal(matrix @ x.ravel(), expected)


@pytest.mark.parametrize(
    ("mode", "padding", "size", "ok"),
    [
        ("reflect", 2, 3, True),
        ("reflect", 3, 3, False),
        ("reflect", 1, 1, False),
        ("reflect", (1, 3), (2, 4), True),
        ("reflect", (2, 1), (2, 4), False),
        ("circular", 3, 3, True),
        ("circular", 4, 3, False),
        ("replicate", 10, 3, True),
    ],
)
def test_conv2d_refuses_the_paddings_pytorch_refuses(mode, padding, size, ok):
    size = size if isinstance(size, tuple) else (size, size)
    x = np.arange(float(np.prod(size))).reshape(1, 1, *size)
    weight = np.ones((1, 1, 1, 1))
    layer = torch.nn.Conv2d(1, 1, 1, padding=padding, padding_mode=mode, bias=False)
    layer.weight.data[:] = 1.0
    try:
        expected = layer(torch.from_numpy(x).float())
    except RuntimeError:
        expected = None
    assert (expected is not None) == ok
    if ok:
        got = conv2d(x, weight, padding=padding, padding_mode=mode)
        np.testing.assert_allclose(got, expected.detach().numpy(), rtol=1e-6)
    else:
        with pytest.raises(ValueError, match=f"padding_mode='{mode}' needs each pad"):
            conv2d(x, weight, padding=padding, padding_mode=mode)


@settings(max_examples=30)
@given(downsample=hostile_ints)
def test_photograph_downsample(downsample):
    try:
        image = photograph(downsample=downsample)
    except (TypeError, ValueError) as err:
        assert "downsample" in str(err)  # noqa: PT017 (either outcome is right)
    else:
        assert min(image.shape) >= 1


@settings(max_examples=30)
@given(depth=st.one_of(st.integers(-3, 0), st.integers(2**33, 2**80), hostile_ints))
def test_unet_depth(depth):
    from convdocs.models import unet

    if isinstance(depth, (int, np.integer)) and not isinstance(depth, bool) and 0 < depth < 64:
        return  # a real model (built by test_models); too slow to build for every depth
    with pytest.raises((TypeError, ValueError), match="depth"):
        unet(depth=depth, base_channels=1)


@given(mode=hostile_ints)
def test_canonical_mode_of_non_strings(mode):
    assume(not isinstance(mode, str))
    with pytest.raises(TypeError, match="mode must be a str"):
        canonical_mode(mode)


def test_masked_arrays_are_refused_not_unmasked():
    masked = np.ma.masked_array(IMAGE, mask=IMAGE > 30)
    for function, args in [
        (conv2d, (masked, KERNEL)),
        (conv2d, (IMAGE, np.ma.masked_array(KERNEL))),
        (conv_transpose2d, (masked, KERNEL)),
        (max_pool2d, (masked, 2)),
        (avg_pool2d, (masked, 2)),
        (pad, (masked, 1)),
    ]:
        with pytest.raises(TypeError, match="is a masked array"):
            function(*args)


ASTRONOMICAL = """
    import resource, sys
    import numpy as np
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
    import convdocs as cd
    from convdocs.data import step_edge
    view = np.broadcast_to(np.float64(1.0), (1, 1, 10**5, 10**5))  # 10**10 entries, free
    calls = [
        lambda: cd.conv_matrix((10**9, 10**9), np.ones((3, 3))),
        lambda: cd.conv_matrix((10**6, 10, 10), np.ones((1, 10**6, 3, 3))),
        lambda: cd.conv2d(np.ones((3, 3)), np.ones((2, 2)), padding=10**6),
        lambda: cd.conv2d(np.ones((3, 3)), np.ones((2, 2)), padding=10**6, padding_mode="replicate"),
        lambda: cd.conv2d(view, np.ones((1, 1, 1, 1))),
        lambda: cd.conv_transpose2d(np.ones((3, 3)), np.ones((2, 2)), stride=10**9),
        lambda: cd.conv_transpose2d(np.ones((3, 3)), np.ones((2, 2)), dilation=10**30),
        lambda: cd.max_pool2d(np.ones((3, 3)), 10**6, padding=5 * 10**5),
        lambda: cd.avg_pool2d(np.ones((3, 3)), 10**6, padding=5 * 10**5),
        lambda: cd.max_pool2d(view, 1),
        lambda: cd.pad(np.ones((3, 3)), 10**9, mode="reflect"),
        lambda: cd.pad(view, 1),
        lambda: step_edge(10**6),
    ]
    for i, call in enumerate(calls):
        try:
            call()
        except ValueError as err:
            assert "entries" in str(err), (i, err)
        else:
            sys.exit(f"call {i} was not refused")
    print("refused", len(calls))
"""


def test_astronomical_sizes_are_refused_before_allocating():
    # Under a 2 GiB address-space limit: any allocation of the sizes these calls imply
    # would be a MemoryError, not the ValueError the test expects.
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(ASTRONOMICAL)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused 13")


@pytest.mark.parametrize(
    "argv",
    [
        ["solve-padding", "9" * 30, "9" * 30, "-k", "3"],
        ["solve-padding", "8", "9" * 40, "-k", "3", "-s", "9" * 25],
        ["inverse", "9" * 30, "-k", "9" * 31],
        ["inverse", "8", "-k", "3", "-d", "9" * 30],
        ["inverse", "8x8", "-k", "3x1", "-p", "2x9999999999999"],
        ["solve-padding", "8", "8", "-k", "3x3x3"],
    ],
)
def test_cli_with_extreme_numbers(capsys, argv):
    from convdocs.__main__ import main

    code = main(argv)
    out, err = capsys.readouterr()
    assert code in (0, 2)
    if code == 2:
        assert (out, err.count("\n")) == ("", 1)
        assert err.startswith("convdocs: error: ")
    else:
        assert err == ""
