"""Both lenses on families of real architectures: fields against autograd, sizes against
PyTorch.

Every field :func:`convdocs.receptive_field` computes for a traced model is compared,
unit by unit, with the one-hot gradients of :func:`convdocs.empirical_receptive_field`
(a positive-weight, linear copy of the network); every verdict of
:func:`convdocs.valid_input_sizes` and :func:`convdocs.explain_shapes` with running the
model.
"""

import math
import subprocess
import sys
import tracemalloc

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from convdocs import (
    empirical_receptive_field,
    explain_shapes,
    parse_layers,
    receptive_field,
    valid_input_sizes,
)

# --- families --------------------------------------------------------------------------------


class InvertedResidual(nn.Module):
    """MobileNet-v2's block: expand, depthwise (strided or dilated), project, residual."""

    def __init__(self, kernel, stride, dilation):
        super().__init__()
        self.stem = nn.Conv2d(1, 2, 3, padding=1)
        pad = dilation * (kernel - 1) // 2
        self.expand = nn.Conv2d(2, 4, 1)
        self.depthwise = nn.Conv2d(4, 4, kernel, stride, pad, dilation, groups=4)
        self.project = nn.Conv2d(4, 2, 1)
        self.residual = stride == 1 and kernel % 2 == 1

    def forward(self, x):
        x = F.relu6(self.stem(x))
        y = self.project(F.relu6(self.depthwise(F.relu6(self.expand(x)))))
        return x + y if self.residual else y


class Inception(nn.Module):
    """Four branches of different kernels, concatenated along the channels."""

    def __init__(self, wide):
        super().__init__()
        self.stem = nn.Conv2d(1, 2, 3, stride=2, padding=1)
        self.b1 = nn.Conv2d(2, 1, 1)
        self.b3 = nn.Sequential(nn.Conv2d(2, 1, 1), nn.Conv2d(1, 1, 3, padding=1))
        self.b5 = nn.Conv2d(2, 1, wide, padding=wide // 2)
        self.pool = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(2, 1, 1))

    def forward(self, x):
        x = self.stem(x)
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.pool(x)], dim=1)


class ASPP(nn.Module):
    """Dilated 3x3 branches at several rates, concatenated and projected."""

    def __init__(self, rates):
        super().__init__()
        self.stem = nn.Conv2d(1, 2, 3, stride=2, padding=1)
        self.branches = nn.ModuleList(nn.Conv2d(2, 1, 3, padding=r, dilation=r) for r in rates)
        self.project = nn.Conv2d(len(rates), 1, 1)

    def forward(self, x):
        x = self.stem(x)
        return self.project(torch.cat([b(x) for b in self.branches], dim=1))


class FPN(nn.Module):
    """Bottom-up strided convolutions, top-down nearest upsampling added to laterals."""

    def __init__(self, mode):
        super().__init__()
        self.c2 = nn.Conv2d(1, 2, 3, stride=2, padding=1)
        self.c3 = nn.Conv2d(2, 2, 3, stride=2, padding=1)
        self.c4 = nn.Conv2d(2, 2, 3, stride=2, padding=1)
        self.l3, self.l2 = nn.Conv2d(2, 2, 1), nn.Conv2d(2, 2, 1)
        self.smooth = nn.Conv2d(2, 1, 3, padding=1)
        self.mode = mode

    def forward(self, x):
        c2 = self.c2(x)
        c3 = self.c3(c2)
        p4 = self.c4(c3)
        options = {} if self.mode == "nearest" else {"align_corners": False}
        p3 = self.l3(c3) + F.interpolate(p4, scale_factor=2, mode=self.mode, **options)
        p2 = self.l2(c2) + F.interpolate(p3, scale_factor=2, mode=self.mode, **options)
        return self.smooth(p2)


class EncoderDecoder(nn.Module):
    """Two levels down, transposed convolutions up, skips concatenated."""

    def __init__(self, kernel):
        super().__init__()
        self.e1 = nn.Conv2d(1, 2, 3, padding=1)
        self.e2 = nn.Conv2d(2, 2, 3, padding=1)
        self.mid = nn.Conv2d(2, 2, 3, padding=1)
        self.u2 = nn.ConvTranspose2d(2, 2, kernel, 2, (kernel - 2) // 2)
        self.d2 = nn.Conv2d(4, 2, 3, padding=1)
        self.u1 = nn.ConvTranspose2d(2, 2, kernel, 2, (kernel - 2) // 2)
        self.d1 = nn.Conv2d(4, 1, 1)

    def forward(self, x):
        s1 = self.e1(x)
        s2 = self.e2(F.max_pool2d(s1, 2))
        y = self.u2(self.mid(F.max_pool2d(s2, 2)))
        y = self.d2(torch.cat([s2, y], dim=1))
        return self.d1(torch.cat([s1, self.u1(y)], dim=1))


class Misaligned(nn.Module):
    """Joins whose branches are centred apart: an even kernel and an off-centre crop."""

    def __init__(self, shift):
        super().__init__()
        self.even = nn.Conv2d(1, 1, 2)
        self.odd = nn.Conv2d(1, 1, 3, padding=1)
        self.shift = shift

    def forward(self, x):
        a = self.odd(x)
        h, w = a.shape[-2] - 1, a.shape[-1] - 1
        return self.even(x) + a[..., self.shift : self.shift + h, self.shift : self.shift + w]


FAMILIES = {
    "inverted_residual": (
        st.builds(InvertedResidual, st.sampled_from([3, 5]), st.integers(1, 2), st.integers(1, 2)),
        st.integers(6, 20),
    ),
    "inception": (st.builds(Inception, st.sampled_from([3, 5, 7])), st.integers(6, 20)),
    "aspp": (
        st.builds(ASPP, st.lists(st.integers(1, 4), min_size=2, max_size=3, unique=True)),
        st.integers(6, 20),
    ),
    "fpn": (
        st.builds(FPN, st.sampled_from(["nearest", "bilinear"])),
        st.sampled_from([8, 16, 24]),
    ),
    "encoder_decoder": (
        st.builds(EncoderDecoder, st.sampled_from([2, 4])),
        st.sampled_from([8, 12, 16]),
    ),
    "misaligned": (st.builds(Misaligned, st.integers(0, 1)), st.integers(6, 16)),
}


def every_unit(shape):
    """Every unit of a 2-D output of this shape."""
    return [(i, j) for i in range(shape[0]) for j in range(shape[1])]


def units_to_measure(shape):
    """Every unit of a small output; of a larger one (autograd takes a tenth of a second a
    unit), the middle row, the middle column and the corners."""
    if shape[0] * shape[1] <= 49:
        return every_unit(shape)
    h, w = shape
    cross = {(h // 2, j) for j in range(w)} | {(i, w // 2) for i in range(h)}
    return sorted(cross | {(0, 0), (0, w - 1), (h - 1, 0), (h - 1, w - 1)})


@pytest.mark.parametrize("family", list(FAMILIES))
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_every_family_equals_its_gradients(family, data):
    models, sizes = FAMILIES[family]
    model = data.draw(models)
    size = (data.draw(sizes), data.draw(sizes))
    rf = receptive_field(model, size)
    for unit in units_to_measure(rf.output_size):
        exact = rf.interval(unit, clip=True)
        assert empirical_receptive_field(model, size, unit).interval == exact, unit
        if exact is not None:  # within the theoretical field
            theory = rf.interval(unit)
            assert all(lo <= a < b <= hi for (a, b), (lo, hi) in zip(exact, theory))


def runs(model, size):
    """Whether PyTorch runs ``model`` on a zero input of spatial ``size``."""
    channels = next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels
    try:
        with torch.no_grad():
            model(torch.zeros(1, channels, *size))
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("family", [f for f in FAMILIES if f != "misaligned"])
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_every_family_accepts_exactly_the_sizes_pytorch_runs(family, data):
    models, _ = FAMILIES[family]
    model = data.draw(models)
    sizes = valid_input_sizes(model, range(1, 41))
    for n in range(1, 41):
        report = explain_shapes(model, n)
        assert report.runs == runs(model, (n, n)), n
        assert (n in sizes) == report.ok, n
        if family != "fpn":  # only the FPN broadcasts a 1-pixel map (valid: runs, aligned)
            assert report.ok == report.runs, n


# --- verdicts that must match PyTorch ------------------------------------------------------


class OneSidedPad(nn.Module):
    """A branch padded at the top only: its first row sees nothing but padding."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 1, 1)
        self.b = nn.Conv2d(1, 1, (1, 5), padding=(0, 2))

    def forward(self, x):
        return self.a(x) + F.pad(self.b(x), (0, 0, 1, 0))[..., :-1, :]


class Holes(nn.Module):
    """A transposed convolution whose odd rows are holes, added to an upsampling."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 1, 1)
        self.t = nn.ConvTranspose2d(1, 1, (1, 3), stride=(2, 1), padding=(0, 1))
        self.up = nn.Upsample(scale_factor=(2, 1))

    def forward(self, x):
        return self.up(self.a(x))[..., :-1, :] + self.t(x)


@pytest.mark.parametrize("model", [OneSidedPad(), Holes()], ids=["pad", "holes"])
@pytest.mark.parametrize("size", [5, 8])
def test_a_branch_empty_along_one_axis_does_not_widen_the_other(model, size):
    rf = receptive_field(model, size)
    for unit in every_unit(rf.output_size):
        assert (
            rf.interval(unit, clip=True) == empirical_receptive_field(model, size, unit).interval
        )


class GlobalGate(nn.Module):
    """Squeeze-and-excitation with a global mean instead of adaptive pooling."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Conv2d(4, 4, 1)

    def forward(self, x):
        x = self.c(x)
        return x * torch.sigmoid(self.fc(x.mean((2, 3), keepdim=True)))


def test_a_global_average_gate_broadcasts_at_every_size():
    sizes = valid_input_sizes(GlobalGate(), range(1, 30))
    assert sizes.rule == "every size"
    assert explain_shapes(GlobalGate(), 7).ok


class OutputSize(nn.Module):
    """A transposed convolution told its output size by the skip connection."""

    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(1, 2, 3, stride=2, padding=1)
        self.up = nn.ConvTranspose2d(2, 1, 3, stride=2, padding=1)

    def forward(self, x):
        return self.up(self.down(x), output_size=x.shape) + x


@pytest.mark.parametrize("size", [7, 8, 15])
def test_a_transposed_convolution_takes_the_output_size_it_is_given(size):
    report = explain_shapes(OutputSize(), size)
    assert report.ok
    assert report.steps[-1].shape == (1, 1, size, size)
    assert 7 in valid_input_sizes(OutputSize(), [7, 8])
    rf = receptive_field(OutputSize(), size)
    assert rf.output_size == (size, size)
    for unit in [(0, 0), (size // 2, size - 1)]:
        assert (
            rf.interval(unit, clip=True)
            == empirical_receptive_field(OutputSize(), size, unit).interval
        )


class HalfSlice(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 1, 3)

    def forward(self, x):
        y = self.c(x)
        return y[..., : y.shape[-1] // 2]


def test_a_size_dependent_slice_with_no_join_is_not_misaligned():
    assert explain_shapes(HalfSlice(), 13).ok
    # from 3 on: at 3 and 4 the slice is empty, which PyTorch runs
    assert valid_input_sizes(HalfSlice(), range(1, 12)).rule == "every size from 3 on"


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 1, 3)

    def forward(self, x, y):
        return self.c(x) + self.c(y)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: valid_input_sizes(m, [8]),
        lambda m: explain_shapes(m, 8),
        lambda m: receptive_field(m, 8),
    ],
)
def test_a_model_with_two_inputs_is_refused(call):
    with pytest.raises(ValueError, match=r"TwoInputs takes 2 tensor inputs \(x, y\)"):
        call(TwoInputs())


class DefaultArgument(nn.Module):
    """One tensor input and an argument with a default, which torch.fx makes a placeholder."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(3, 4, 3, stride=2)

    def forward(self, x, scale: float = 2.0):
        return F.relu(self.c(x)) * scale


@pytest.mark.parametrize("size", [5, 8, 9])
def test_an_argument_with_a_default_takes_its_default(size):
    model = DefaultArgument()
    out = model(torch.zeros(1, 3, size, size))
    assert explain_shapes(model, size).ok
    assert explain_shapes(model, size).steps[-1].shape == tuple(out.shape)
    rf = receptive_field(model, size)
    assert rf.size == (3, 3)
    for unit in [(0, 0), tuple(n - 1 for n in out.shape[2:])]:
        measured = empirical_receptive_field(model, size, unit).interval
        assert rf.interval(unit, clip=True) == measured


class Gated(nn.Module):
    """A gated convolution (GLU, WaveNet's gated activation): one convolution's channels
    cut in two, one half gating the other, by chunk, split, tensor_split or unbind."""

    def __init__(self, how):
        super().__init__()
        self.how = how
        self.conv = nn.Conv2d(3, 4, 3, stride=2, dilation=2)
        self.head = nn.Conv2d(2, 2, 3, padding=1)

    def forward(self, x):
        y = self.conv(x)
        if self.how == "chunk":
            a, b = y.chunk(2, dim=1)
        elif self.how == "split":
            a, b = torch.split(y, 2, 1)
        elif self.how == "tensor_split":
            a, b = y.tensor_split(2, dim=1)
        else:
            p = y.unbind(1)
            a = torch.cat((p[0].unsqueeze(1), p[1].unsqueeze(1)), 1)
            b = torch.cat((p[2].unsqueeze(1), p[3].unsqueeze(1)), 1)
        return self.head(torch.tanh(a) * torch.sigmoid(b))


@pytest.mark.parametrize("how", ["chunk", "split", "tensor_split", "unbind"])
def test_a_channel_split_keeps_the_grid(how):
    model = Gated(how)
    for size in (5, 6, 9, 12):
        out = model(torch.zeros(1, 3, size, size))
        report = explain_shapes(model, size)
        assert report.ok
        assert report.steps[-1].shape == tuple(out.shape)
        rf = receptive_field(model, size)
        assert rf.size == (9, 9)  # a span of 5, then 3 taps 2 pixels apart: 5 + 2·2
        for unit in [(0, 0), tuple(n - 1 for n in out.shape[2:])]:
            measured = empirical_receptive_field(model, size, unit).interval
            assert rf.interval(unit, clip=True) == measured


def test_a_split_of_a_spatial_dimension_has_no_field():
    class Halves(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 1, 3)

        def forward(self, x):
            top, bottom = self.conv(x).chunk(2, dim=2)
            return top + bottom

    assert explain_shapes(Halves(), 10).runs
    with pytest.raises(ValueError, match=r"node 'chunk' .*chunk cuts spatial dimension 2 into"):
        receptive_field(Halves(), 10)


class ChannelsLast(nn.Module):
    """ConvNeXt's block: a depthwise 7x7 convolution, then a permute to channels-last,
    LayerNorm and two Linear layers over channels, a scale, and the permute back."""

    def __init__(self, channels=4):
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 4, stride=4)
        self.dw = nn.Conv2d(channels, channels, 7, padding=3, groups=channels)
        self.norm = nn.LayerNorm(channels)
        self.pw1 = nn.Linear(channels, 4 * channels)
        self.pw2 = nn.Linear(4 * channels, channels)
        self.gamma = nn.Parameter(torch.full((channels,), 0.5))

    def forward(self, x):
        x = self.stem(x)
        y = self.dw(x).permute(0, 2, 3, 1)
        y = self.gamma * self.pw2(F.gelu(self.pw1(self.norm(y))))
        return x + torch.permute(y, (0, 3, 1, 2))


def _gradient_hull(model, x, unit):
    """The input rows and columns one output unit depends on, by autograd (random
    weights: LayerNorm keeps the empirical field's constant weights from applying)."""
    x = x.detach().requires_grad_()
    (grad,) = torch.autograd.grad(model(x)[0, :, unit[0], unit[1]].sum(), x)
    hit = grad[0].abs().sum(0) > 0
    rows, cols = hit.any(1).nonzero().flatten(), hit.any(0).nonzero().flatten()
    return (int(rows[0]), int(rows[-1]) + 1), (int(cols[0]), int(cols[-1]) + 1)


@pytest.mark.parametrize("size", [28, 30, 33])
def test_a_channels_last_block_is_followed_through_its_permutes(size):
    torch.manual_seed(0)
    model = ChannelsLast().double()
    x = torch.randn(1, 3, size, size, dtype=torch.float64)
    out = model(x)
    report = explain_shapes(model, size)
    assert report.ok
    assert report.steps[-1].shape == tuple(out.shape)
    rf = receptive_field(model, size)
    assert rf.size == (28, 28)  # 4, then 7 taps 4 pixels apart: 4 + 6·4
    h, w = out.shape[2:]
    for unit in [(u, v) for u in range(h) for v in range(w)]:
        assert rf.interval(unit, clip=True) == _gradient_hull(model, x, unit)


class _AfterPermute(nn.Module):
    def __init__(self, how):
        super().__init__()
        self.how = how
        self.conv = nn.Conv2d(2, 2, 3)
        self.across = nn.Conv2d(6, 1, 1)  # for (batch, height, channels, width)
        self.norm = nn.LayerNorm([2, 6, 6])

    def forward(self, x):
        y = self.conv(x)
        if self.how == "reshape":  # channels-last, then the positions flattened
            return y.permute(0, 2, 3, 1).reshape(1, 36, 2)
        if self.how == "swap":  # height and width exchanged
            return y.permute(0, 1, 3, 2)
        if self.how == "conv_on_moved":
            return self.across(y.permute(0, 2, 1, 3))
        return self.norm(y)  # LayerNorm over (channels, height, width)


def test_a_round_trip_through_channels_last_keeps_the_field():
    model = nn.Sequential(nn.Conv2d(2, 2, 3))
    rf = receptive_field(model, 8)

    class RoundTrip(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = model[0]

        def forward(self, x):
            return self.conv(x).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)

    traced = receptive_field(RoundTrip(), 8)
    assert (traced.size, traced.stride, traced.padding) == (rf.size, rf.stride, rf.padding)


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("reshape", r"method reshape on a tensor whose spatial dimensions a permute moved"),
        ("swap", r"permute changes the order of the spatial dimensions"),
        ("conv_on_moved", r"Conv2d on a tensor whose spatial dimensions a permute moved"),
        ("norm", r"LayerNorm over a spatial dimension mixes every position"),
    ],
)
def test_what_convdocs_cannot_follow_after_a_permute_is_refused(how, message):
    model = _AfterPermute(how)
    model(torch.zeros(1, 2, 8, 8))  # PyTorch runs each of them
    assert explain_shapes(model, 8).runs
    with pytest.raises(ValueError, match=message):
        receptive_field(model, 8)


def test_valid_input_sizes_over_a_billion_sizes_in_bounded_memory():
    model = nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"candidates holds 999999999 sizes; convdocs walks"):
            valid_input_sizes(model, range(1, 10**9))
        with pytest.raises(ValueError, match=r"candidates holds more than 100000 sizes"):
            valid_input_sizes(model, iter(range(1, 10**9)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20
    assert valid_input_sizes(model, range(1, 100)).rule == "every size from 4 on"


# --- exact at any magnitude, cost independent of the input size -----------------------------


def test_a_deep_stride_3_stack_is_exact():
    for depth in (36, 40, 60):
        rf = receptive_field(",".join(["conv3s3"] * depth))
        assert rf.stride == 3**depth
        assert rf.size == 3**depth  # 1 + sum 2 * 3**l
        assert rf.interval(2) == (2 * 3**depth, 3 * 3**depth)


def test_an_input_size_beyond_float_precision_is_exact():
    n = 2**60 + 1
    rf = receptive_field("conv3p1,conv3s2", n)
    assert rf.output_size == (n - 3) // 2 + 1
    last = rf.output_size - 1
    assert rf.interval(last, clip=True) == (2 * last - 1, n)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("conv1000000000", False),
        ("conv3d1000000000p1000000000", False),
        ("convT1000000000s1000000000", True),  # a period of 10**9 units
        ("up2," * 29 + "up2", True),  # a period of 2**30 units
    ],
)
def test_huge_parameters_are_answered_or_refused_at_once(text, refused):
    # Answered by arithmetic, never by arrays of the parameters' size: the memory is
    # bounded (benchmarks/graph.py reports the time; a test does not assert it).
    tracemalloc.start()
    try:
        if refused:
            with pytest.raises(ValueError, match=r"the field repeats only every \d+ units"):
                receptive_field(text)
        else:
            assert receptive_field(text).size >= 10**9
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def test_a_kernel_of_a_billion_is_answered_arithmetically():
    rf = receptive_field("conv1000000000,conv3s2")
    assert (rf.size, rf.stride, rf.padding) == (10**9 + 2, 2, 0)


# --- the layer grammar -----------------------------------------------------------------------


GRAMMAR_HANG_GUARD = 120  # seconds: a hang guard, not a budget (the regex took hours)
READ_PATHOLOGICAL = """
from convdocs import parse_layers
for text in ("conv" + "1" * 44 + "!", "conv" + "3x" * 20000 + "!"):
    try:
        parse_layers(text)
    except ValueError as err:
        print(str(err)[:30])  # 'cannot read layer 1, ' and the start of the text
"""


def test_the_layer_grammar_reads_in_linear_time():
    # "conv" + 44 digits + "!" made the old regex backtrack for hours. In a subprocess,
    # so that a regression fails at the guard instead of hanging the suite;
    # benchmarks/graph.py reports how long these strings take to read.
    result = subprocess.run(
        [sys.executable, "-c", READ_PATHOLOGICAL],
        capture_output=True,
        text=True,
        timeout=GRAMMAR_HANG_GUARD,
        check=True,
    )
    assert result.stdout.splitlines() == [
        "cannot read layer 1, 'conv1111",
        "cannot read layer 1, 'conv3x3x",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("conv\u0663", r"cannot read layer 1"),  # an Arabic-Indic digit
        ("conv3s\uff12", r"cannot read layer 1"),  # a full-width digit
        ("pool3p2", r"padding must be at most half the kernel size"),
        ("pool2x4p0x3", r"padding must be at most half the kernel size"),
        ("convT3s2o2", r"output_padding must be smaller than stride or dilation"),
        ("convT3o1", r"output_padding must be smaller than stride or dilation"),
        (
            "convT3x3s2x2o0x2",
            r"dilation along spatial dimension 1 \(here max\(stride, dilation\) = 2\), got 2$",
        ),
    ],
)
def test_the_layer_grammar_refuses_what_pytorch_refuses(text, message):
    with pytest.raises(ValueError, match=message):
        parse_layers(text)


def test_the_layer_grammar_accepts_what_pytorch_accepts():
    assert str(parse_layers("pool3p1")[0]) == "pool3p1"
    assert str(parse_layers("convT3s2o1")[0]) == "convT3s2o1"
    assert str(parse_layers("convT3d2o1")[0]) == "convT3o1d2"
    assert math.prod(parse_layers("pool4x2p2x1")[0].kernel_size) == 8


def test_an_exact_field_over_a_billion_units_is_refused_not_allocated():
    rf = receptive_field("conv1000000000", 2 * 10**9)
    assert rf.interval(0) == (0, 10**9)
    with pytest.raises(ValueError, match=r"depends on 1000000000 units of one layer"):
        rf.interval(0, clip=True)
