"""Sequences and video: causal padding, dilated causal stacks, Conv1d and Conv3d models.

PyTorch is the oracle: a ``Conv1d`` after ``F.pad`` with :func:`convdocs.causal_padding`
must keep the length and ignore the future (checked with autograd and by perturbing
the future); the field of a dilated causal stack is measured with
:func:`convdocs.empirical_receptive_field`; every 1-D and 3-D shape and field the graph
walk computes is compared with a forward pass and with autograd.
"""

import itertools
import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn

from convdocs import (
    Conv,
    causal_padding,
    conv_output_size,
    empirical_receptive_field,
    explain_shapes,
    receptive_field,
    same_padding,
)
from tests.bad_calls import bad_input_test
from tests.strategies import dilations, hostile_ints, kernel_fits, kernels, span, strides


class CausalConv1d(nn.Module):
    """A Conv1d that pads every pixel before the sequence (WaveNet, TCN)."""

    def __init__(self, channels_in, channels_out, kernel_size, dilation=1, stride=1):
        super().__init__()
        self.pads = causal_padding(kernel_size, dilation)
        self.conv = nn.Conv1d(
            channels_in, channels_out, kernel_size, stride=stride, dilation=dilation
        )

    def forward(self, x):
        return self.conv(F.pad(x, self.pads))


# --- causal_padding against PyTorch ----------------------------------------------------------


def test_causal_padding_is_all_before():
    assert causal_padding(1) == (0, 0)
    assert causal_padding(3) == (2, 0)
    assert causal_padding(2, dilation=8) == (8, 0)
    assert causal_padding((3, 1, 1), dilation=(2, 1, 1)) == ((4, 0), (0, 0), (0, 0))
    assert causal_padding([3, 5]) == ((2, 0), (4, 0))


@given(
    size=st.integers(1, 30),
    kernel=kernels,
    dilation=dilations,
    stride=strides,
    seed=st.integers(0, 2**32 - 1),
)
def test_causal_conv1d_keeps_length_and_ignores_the_future(size, kernel, dilation, stride, seed):
    rng = np.random.default_rng(seed)
    layer = CausalConv1d(2, 3, kernel, dilation, stride).double()
    with torch.no_grad():  # weights away from zero: every tap shows in the gradient
        layer.conv.weight.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, (3, 2, kernel))))
    x = torch.from_numpy(rng.standard_normal((1, 2, size))).requires_grad_()
    out = layer(x)
    expected = conv_output_size(size, kernel, stride, causal_padding(kernel, dilation), dilation)
    assert out.shape[-1] == expected == -(-size // stride)
    for t in range(expected):
        (grad,) = torch.autograd.grad(out[0, :, t].sum(), x, retain_graph=True)
        seen = np.flatnonzero(grad[0].abs().sum(0).numpy())
        # the taps of the window ending at input step t*s, the present and the past
        taps = range(t * stride - dilation * (kernel - 1), t * stride + 1, dilation)
        assert seen.tolist() == [i for i in taps if i >= 0], (t, seen)
    # perturbing the future leaves the past alone
    cut = int(rng.integers(0, size))
    changed = x.detach().clone()
    changed[..., cut + 1 :] += torch.from_numpy(rng.standard_normal(size - cut - 1))
    with torch.no_grad():
        before, after = layer(x), layer(changed)
    past = cut // stride + 1  # the units at steps t*s <= cut
    assert torch.equal(before[..., :past], after[..., :past])


@given(size=st.integers(1, 30), kernel=kernels, dilation=dilations)
def test_causal_is_same_padding_delayed(size, kernel, dilation):
    """At stride 1 with an odd span, the causal output is the "same" output shifted
    right by half the span: the same windows, each reported (span - 1) / 2 steps later."""
    assume(span(kernel, dilation) % 2 == 1)
    torch.manual_seed(0)
    weight = torch.randn(1, 1, kernel, dtype=torch.float64)
    x = torch.randn(1, 1, size + span(kernel, dilation), dtype=torch.float64)
    causal = F.conv1d(F.pad(x, causal_padding(kernel, dilation)), weight, dilation=dilation)
    same = F.conv1d(
        F.pad(x, same_padding(size, kernel, dilation=dilation)), weight, dilation=dilation
    )
    delay = (span(kernel, dilation) - 1) // 2
    torch.testing.assert_close(causal[..., delay:], same[..., : same.shape[-1] - delay])


# --- dilated causal stacks: field 1 + sum d (k - 1) ------------------------------------------


def taps(layers):
    """Every choice of one tap per layer, as the tap's distance from the window's end."""
    return itertools.product(*[range(k) for k, _ in layers])


@settings(max_examples=40)
@given(
    layers=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 6)), min_size=1, max_size=5),
    size=st.integers(1, 40),
    data=st.data(),
)
def test_causal_stack_field_against_autograd(layers, size, data):
    specs = [Conv(k, padding=causal_padding(k, d), dilation=d) for k, d in layers]
    module = nn.Sequential(*[CausalConv1d(1, 1, k, d) for k, d in layers])
    field = 1 + sum(d * (k - 1) for k, d in layers)
    rf = receptive_field(specs, size)
    traced = receptive_field(module, size)
    assert (rf.size, traced.size) == (field, (field,))
    assert (rf.output_size, traced.output_size) == (size, (size,))
    assert traced.padding == (field - 1,)  # every unit reaches r - 1 steps into the past
    for t in {0, size - 1, data.draw(st.integers(0, size - 1))}:
        assert rf.interval(t) == (t - field + 1, t + 1)
        # the inputs a path of taps reaches, t - sum m_l d_l (0 <= m_l < k_l); a path
        # through the padding of any layer ends below 0: their hull in the sequence
        reached = {t - sum(m * d for m, (_, d) in zip(ms, layers)) for ms in taps(layers)}
        exact = (min(i for i in reached if i >= 0), t + 1)
        assert rf.interval(t, clip=True) == exact
        assert traced.interval(t, clip=True) == (exact,)
        assert empirical_receptive_field(module, size, t).interval == (exact,)


@pytest.mark.parametrize("levels", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("kernel", [2, 3])
def test_wavenet_doubling_dilations(levels, kernel):
    """Dilations 1, 2, ..., 2**(L-1): a field of 1 + (k - 1)(2**L - 1), 2**L for k = 2."""
    dilations_ = [2**i for i in range(levels)]
    module = nn.Sequential(*[CausalConv1d(1, 1, kernel, d) for d in dilations_])
    size = 2 ** (levels + 2)
    rf = receptive_field(module, size)
    assert rf.size == (1 + (kernel - 1) * (2**levels - 1),)
    measured = empirical_receptive_field(module, size, size - 1)
    assert measured.size == rf.size


class Chomp1d(nn.Module):
    """The TCN reference implementation's causal trick: pad both sides, cut the end."""

    def __init__(self, chomp):
        super().__init__()
        self.chomp = chomp

    def forward(self, x):
        return x[:, :, : -self.chomp].contiguous()


class TemporalBlock(nn.Module):
    """A TCN residual block (Bai, Kolter & Koltun 2018): two dilated causal convolutions."""

    def __init__(self, channels_in, channels_out, kernel_size, dilation):
        super().__init__()
        pad = (kernel_size - 1) * dilation
        self.net = nn.Sequential(
            nn.Conv1d(channels_in, channels_out, kernel_size, padding=pad, dilation=dilation),
            Chomp1d(pad),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Conv1d(channels_out, channels_out, kernel_size, padding=pad, dilation=dilation),
            Chomp1d(pad),
            nn.ReLU(),
            nn.Dropout(0.2),
        )
        self.downsample = nn.Conv1d(channels_in, channels_out, 1)

    def forward(self, x):
        return torch.relu(self.net(x) + self.downsample(x))


def test_tcn_with_chomp_is_causal_with_two_layers_per_level():
    kernel, levels, size = 3, 3, 50
    tcn = nn.Sequential(*[TemporalBlock(2, 2, kernel, 2**i) for i in range(levels)])
    rf = receptive_field(tcn, size)
    field = 1 + 2 * (kernel - 1) * (2**levels - 1)  # two convolutions per dilation
    assert rf.size == (field,)
    report = explain_shapes(tcn, size)
    assert report.runs
    assert tcn.eval()(torch.zeros(report.input_shape)).shape == report.steps[-1].shape
    for t in (0, 20, size - 1):
        exact = ((max(0, t - field + 1), t + 1),)
        assert rf.interval(t, clip=True) == exact
        assert empirical_receptive_field(tcn, size, t).interval == exact


# --- Conv3d shapes: the same formula along time, height and width ---------------------------

triples = st.tuples


@st.composite
def conv3d_configs(draw):
    size = draw(triples(st.integers(1, 10), st.integers(1, 10), st.integers(1, 10)))
    kernel = draw(triples(kernels, kernels, kernels))
    stride = draw(triples(strides, strides, strides))
    dilation = draw(triples(dilations, dilations, dilations))
    padding = draw(triples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)))
    return size, kernel, stride, padding, dilation


@given(conv3d_configs())
def test_conv3d_shapes_against_pytorch(config):
    size, kernel, stride, padding, dilation = config
    fits = kernel_fits(size, kernel, dilation, tuple(2 * p for p in padding))
    x = torch.empty(1, 1, *size, device="meta")
    weight = torch.empty(1, 1, *kernel, device="meta")
    if not fits:
        with pytest.raises(ValueError, match="kernel_size"):
            conv_output_size(size, kernel, stride, padding, dilation)
        with pytest.raises(RuntimeError):
            F.conv3d(x, weight, stride=stride, padding=padding, dilation=dilation)
        return
    out = F.conv3d(x, weight, stride=stride, padding=padding, dilation=dilation)
    assert conv_output_size(size, kernel, stride, padding, dilation) == tuple(out.shape[2:])
    # one axis at a time: the 3-D answer is the 1-D formula three times
    for axis in range(3):
        one = conv_output_size(
            size[axis], kernel[axis], stride[axis], padding[axis], dilation[axis]
        )
        assert one == out.shape[2 + axis]


@given(conv3d_configs(), st.booleans())
def test_maxpool3d_shapes_against_pytorch(config, ceil_mode):
    size, kernel, stride, _, dilation = config
    padding = tuple(k // 2 for k in kernel)  # PyTorch's limit for pooling
    assume(kernel_fits(size, kernel, dilation, tuple(2 * p for p in padding)))
    pool = nn.MaxPool3d(kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    try:
        out = pool(torch.zeros(1, 1, *size)).shape[2:]
    except RuntimeError:  # an output of size 0: convdocs refuses the kernel first
        return
    assert conv_output_size(size, kernel, stride, padding, dilation, ceil_mode) == tuple(out)


# --- the graph tools on random 1-D and 3-D stacks -------------------------------------------

LAYERS = {1: (nn.Conv1d, nn.MaxPool1d, nn.ConvTranspose1d, nn.ConstantPad1d),
          3: (nn.Conv3d, nn.MaxPool3d, nn.ConvTranspose3d, nn.ConstantPad3d)}  # fmt: skip


@st.composite
def stacks(draw, ndim):
    """A random stack of 1-D or 3-D layers that fits its input, as a nn.Sequential."""
    conv, pool, transposed, pad = LAYERS[ndim]
    top = 24 if ndim == 1 else 7
    size = tuple(draw(st.integers(3, top)) for _ in range(ndim))
    per_axis = lambda values: draw(st.tuples(*[values] * ndim))
    modules = [conv(1, 1, per_axis(st.integers(1, 3)))]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["conv", "conv", "pool", "convT", "pad"]))
        k, s, d = per_axis(st.integers(1, 3)), per_axis(st.integers(1, 2)), per_axis(dilations)
        if kind == "conv":
            modules.append(conv(1, 1, k, s, per_axis(st.integers(0, 2)), d))
        elif kind == "pool":
            modules.append(pool(k, s, tuple(draw(st.integers(0, kk // 2)) for kk in k), d))
        elif kind == "convT":
            modules.append(transposed(1, 1, k, s))
        else:  # left-only (causal) or any asymmetric zero padding
            modules.append(pad(tuple(draw(st.integers(0, 3)) for _ in range(2 * ndim)), 0.0))
    return size, nn.Sequential(*modules)


def forward_shape(module, shape):
    """The output shape PyTorch gives, or None where it refuses."""
    try:
        with torch.no_grad():
            return tuple(module(torch.zeros(shape)).shape)
    except RuntimeError:
        return None


@pytest.mark.parametrize("ndim", [1, 3])
@settings(max_examples=40)
@given(data=st.data())
def test_random_stacks_shapes_and_fields(ndim, data):
    size, module = data.draw(stacks(ndim))
    report = explain_shapes(module, size)
    torch_shape = forward_shape(module, report.input_shape)
    assert report.runs == (torch_shape is not None)
    assume(torch_shape is not None and math.prod(torch_shape) > 0)
    assert report.steps[-1].shape == torch_shape
    rf = receptive_field(module, size)
    assert rf.output_size == torch_shape[2:]
    units = [tuple(0 for _ in size), tuple(n - 1 for n in rf.output_size)]
    units.append(tuple(data.draw(st.integers(0, n - 1)) for n in rf.output_size))
    for unit in units:
        assert empirical_receptive_field(module, size, unit).interval == rf.interval(
            unit, clip=True
        )


def test_c3d_style_video_network():
    """3x3x3 convolutions, a first pooling of 1x2x2 that keeps time, then 2x2x2 (C3D)."""
    net = nn.Sequential(
        nn.Conv3d(3, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool3d((1, 2, 2)),
        nn.Conv3d(4, 4, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool3d(2),
        nn.Conv3d(4, 4, 3, stride=(1, 2, 2), padding=1),
    )
    size = (16, 32, 32)
    report = explain_shapes(net, size)
    assert report.ok
    assert report.steps[-1].shape == tuple(net(torch.zeros(1, 3, *size)).shape) == (1, 4, 8, 4, 4)
    assert re.search(r"16 \+ 2·1 - 3 \+ 1 = 16", str(report))
    rf = receptive_field(net, size)
    assert rf.size == (10, 18, 18)  # time pooled once; height and width twice, then strided
    assert rf.stride == (2, 8, 8)
    unit = (3, 2, 1)
    assert empirical_receptive_field(net, size, unit).interval == rf.interval(unit, clip=True)


def test_two_plus_one_d_has_the_field_of_the_full_kernel():
    full = nn.Conv3d(4, 8, 3, padding=1)
    factorised = nn.Sequential(
        nn.Conv3d(4, 8, (1, 3, 3), padding=(0, 1, 1)),
        nn.ReLU(),
        nn.Conv3d(8, 8, (3, 1, 1), padding=(1, 0, 0)),
    )
    size = (6, 9, 9)
    a, b = receptive_field(full, size), receptive_field(factorised, size)
    assert a.size == b.size == (3, 3, 3)
    assert a.interval((2, 4, 4)) == b.interval((2, 4, 4)) == ((1, 4), (3, 6), (3, 6))
    assert empirical_receptive_field(factorised, size, (0, 0, 8)).interval == (
        (0, 2),
        (0, 2),
        (7, 9),
    )


def test_causal_in_time_only_video():
    """F.pad lists the last axis first: (left, right, top, bottom, past, future)."""
    (past, future), *_ = causal_padding((3, 3, 3), dilation=(2, 1, 1))
    assert (past, future) == (4, 0)

    class Video(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv3d(1, 1, 3, dilation=(2, 1, 1), padding=(0, 1, 1))

        def forward(self, x):
            return self.conv(F.pad(x, (0, 0, 0, 0, past, future)))

    size = (8, 5, 5)
    rf = receptive_field(Video(), size)
    assert rf.output_size == size
    assert rf.interval((7, 2, 2), clip=True) == ((3, 8), (1, 4), (1, 4))
    assert empirical_receptive_field(Video(), size, (7, 2, 2)).interval == ((3, 8), (1, 4), (1, 4))


# --- layers of another dimensionality: shapes by PyTorch's rules, fields refused -------------


MIXED = [
    # a 2-D pool reads the (batch, channels, time) tensor as an unbatched image
    (nn.Sequential(nn.Conv1d(1, 4, 3), nn.MaxPool2d(2)), 8, r"MaxPool2d is a 2-D layer"),
    # a 1-D convolution over time after 2-D features (a CRNN)
    (nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(1, 2), nn.Conv1d(24, 4, 3)), 8, None),
    # a 2-D convolution reads it as an unbatched image too
    (nn.Sequential(nn.Conv1d(1, 2, 3), nn.Conv2d(1, 1, 2)), 8, r"Conv2d is a 2-D layer"),
]


@pytest.mark.parametrize(("module", "size", "message"), MIXED)
def test_layers_of_another_dimensionality(module, size, message):
    report = explain_shapes(module, size)
    assert report.runs
    assert report.steps[-1].shape == tuple(module(torch.zeros(report.input_shape)).shape)
    if message is None:  # the spatial structure ended before: the field stops there
        assert "ends the spatial structure" in receptive_field(module, size).note
    else:
        with pytest.raises(ValueError, match=rf"layer '1' \(\w+\): {message} in a model"):
            receptive_field(module, size)


# --- hostile input ---------------------------------------------------------------------------


def call_or_refuse(kernel, dilation):
    """causal_padding's answer, or None after an error that names the argument."""
    try:
        return causal_padding(kernel, dilation)
    except (TypeError, ValueError) as err:
        message = str(err)
        assert re.search(r"\b(kernel_size|dilation)\b", message), message
        assert "\n" not in message
        return None


@given(kernel=hostile_ints, dilation=st.one_of(st.just(1), hostile_ints))
def test_causal_padding_answers_or_refuses_clearly(kernel, dilation):
    result = call_or_refuse(kernel, dilation)
    if result is None:
        return
    ndim = next((len(v) for v in (kernel, dilation) if isinstance(v, tuple)), 1)
    k = kernel if isinstance(kernel, tuple) else (kernel,) * ndim
    d = dilation if isinstance(dilation, tuple) else (dilation,) * ndim
    pairs = result if isinstance(result[0], tuple) else (result,)
    # Python ints: numpy 1.x scalars overflow (or turn to float) where convdocs must not.
    assert pairs == tuple((int(dd) * (int(kk) - 1), 0) for kk, dd in zip(k, d))


test_bad_input_raises_a_clear_error = bad_input_test(
    [
        (causal_padding, (0,), {}, ValueError, r"kernel_size must be a positive int .*got 0"),
        (causal_padding, (3,), {"dilation": 0}, ValueError, r"dilation must be a positive"),
        (causal_padding, (3.0,), {}, TypeError, r"kernel_size must be .*3\.0 \(type float\)"),
        (causal_padding, (True,), {}, TypeError, r"kernel_size must be .*True \(type bool\)"),
        (causal_padding, ("3",), {}, TypeError, r"kernel_size must be"),
        (causal_padding, ((),), {}, ValueError, r"kernel_size must have one value per"),
        (
            causal_padding,
            ((3, 3),),
            {"dilation": (1, 2, 4)},
            ValueError,
            r"dilation has 3 values but kernel_size has 2",
        ),
        (causal_padding, ((3, -1),), {}, ValueError, r"kernel_size .*got \(3, -1\)"),
    ]
)


def test_a_layer_pytorch_refuses_is_reported_with_pytorchs_message():
    module = nn.Sequential(nn.Conv3d(1, 2, 3), nn.Conv2d(2, 2, 2))
    report = explain_shapes(module, 5)
    assert (report.runs, report.layer) == (False, "1")
    assert "Expected 3D (unbatched) or 4D (batched) input to conv2d" in report.problem
    with pytest.raises(RuntimeError, match="Expected 3D"):
        module(torch.zeros(report.input_shape))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: explain_shapes(nn.Conv1d(1, 1, 3), (8, 8)), r"input_size .*got \(8, 8\)"),
        (lambda: receptive_field(nn.Conv3d(1, 1, 3), (8, 8)), r"input_size .*got \(8, 8\)"),
        (
            lambda: empirical_receptive_field(nn.Conv3d(1, 1, 3), (8, 8, 8), (0, 0)),
            r"unit .*got \(0, 0\)",
        ),
        (lambda: receptive_field(nn.Conv1d(1, 1, 3), 2), r"the kernel spans 3 pixels"),
        (lambda: explain_shapes(nn.Conv3d(1, 1, 3), (8, 0, 8)), r"input_size .*got \(8, 0, 8\)"),
    ],
)
def test_graph_tools_refuse_sizes_of_the_wrong_dimensionality(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_astronomical_video_sizes_are_arithmetic_not_arrays():
    """explain_shapes never allocates the clip: a 2**40-frame video is just numbers."""
    report = explain_shapes(nn.Sequential(nn.Conv3d(1, 1, 3, stride=(1, 2, 2))), 2**40)
    assert report.steps[-1].shape == (1, 1, 2**40 - 2, 2**39 - 1, 2**39 - 1)
