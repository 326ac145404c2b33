"""convdocs.receptive: the computed field against the recurrence and autograd."""

import operator

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from convdocs.models import MODELS, alexnet, resnet18, resnet50, unet, vgg16
from convdocs.receptive import (
    Conv,
    ConvTranspose,
    Pool,
    SizeRange,
    Upsample,
    empirical_receptive_field,
    parse_layers,
    receptive_field,
)
from tests.bad_calls import bad_input_test
from tests.strategies import dilations, kernels, paddings, strides

# --- the recurrence ------------------------------------------------------------------------


def recurrence(layers):
    """Araujo et al.'s recurrence, written out: (size, jump, effective padding)."""
    size, jump, padding = 1, 1, 0
    for k, s, p, d in layers:
        size += d * (k - 1) * jump
        padding += p * jump
        jump *= s
    return size, jump, padding


def slide_10(layers):
    """The outline's (wrong) rule: add (k - 1) * stride per layer."""
    return 1 + sum((k - 1) * s for k, s, _, _ in layers)


conv_params = st.tuples(kernels, strides, paddings, dilations)


@given(st.lists(conv_params, min_size=1, max_size=6))
def test_specs_follow_the_recurrence(layers):
    specs = [Conv(k, s, p, d) for k, s, p, d in layers]
    rf = receptive_field(specs)
    assert (rf.size, rf.stride, rf.padding) == recurrence(layers)
    assert rf.uniform
    # unit u sees u * jump - padding .. + size, as the closed form says
    for unit in (0, 3):
        assert rf.interval(unit) == (unit * rf.stride - rf.padding,) * 1 + (
            unit * rf.stride - rf.padding + rf.size,
        )


def test_the_outline_formula_agrees_only_by_coincidence():
    # A stride counts for the layers after it, not for its own layer.
    first = [(3, 2, 1, 1), (3, 1, 1, 1)]
    assert receptive_field([Conv(*c) for c in first]).size == slide_10(first) == 7
    last = [(3, 1, 1, 1), (3, 2, 1, 1)]
    assert (receptive_field([Conv(*c) for c in last]).size, slide_10(last)) == (5, 7)
    two = [(3, 2, 1, 1), (3, 2, 1, 1), (3, 1, 1, 1)]
    assert (receptive_field([Conv(*c) for c in two]).size, slide_10(two)) == (15, 11)


def test_pool_and_resnet_stem_example():
    rf = receptive_field("conv7s2p3,pool3s2p1,conv3p1,conv3p1", 224)
    assert (rf.size, rf.stride, rf.padding, rf.output_size) == (27, 4, 13, 56)
    assert [row.size for row in rf.layers] == [(1,), (7,), (11,), (19,), (27,)]


def test_theoretical_and_exact_fields_differ_where_rows_are_never_read():
    # 6 inputs, 3x3 stride 2: pixel 5 is never read; the next layer's padding is not it.
    rf = receptive_field([Conv(3, stride=2), Conv(3, padding=1)], 6)
    assert rf.interval(1) == (0, 7)
    assert rf.interval(1, clip=True) == (0, 5)
    assert empirical_receptive_field([Conv(3, stride=2), Conv(3, padding=1)], 6, 1).interval == (
        0,
        5,
    )


# --- random stacks, analysed as specs and as modules, measured with autograd -----------------


@st.composite
def stacks(draw):
    """A random 2-D stack of conv, pool and transposed conv layers that fits its input."""
    size = draw(st.tuples(st.integers(8, 24), st.integers(8, 24)))
    specs, modules, current = [], [], size
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "conv", "pool", "convT", "up"]))
        k = draw(st.tuples(st.integers(1, 4), st.integers(1, 4)))
        s = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
        d = draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))
        if kind == "conv":
            p = draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))
            spec, module = Conv(k, s, p, d), nn.Conv2d(1, 1, k, s, p, d)
        elif kind == "pool":
            p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
            ceil = draw(st.booleans())
            spec = Pool(k, s, p, d, ceil_mode=ceil)
            module = nn.MaxPool2d(k, s, p, d, ceil_mode=ceil)
        elif kind == "convT":
            p = tuple(draw(st.integers(0, (kk - 1) * dd)) for kk, dd in zip(k, d))
            o = tuple(draw(st.integers(0, max(ss, dd) - 1)) for ss, dd in zip(s, d))
            spec = ConvTranspose(k, s, p, o, d)
            module = nn.ConvTranspose2d(1, 1, k, s, p, o, dilation=d)
        else:
            spec, module = Upsample(s), nn.Upsample(scale_factor=tuple(map(float, s)))
        try:
            out = receptive_field([spec], current).output_size
        except ValueError:
            continue  # does not fit: leave it out
        if max(out) > 48:
            continue
        specs.append(spec)
        modules.append(module)
        current = out
    if not any(isinstance(spec, Conv) for spec in specs):  # the input's channels
        specs, modules = [Conv(1), *specs], [nn.Conv2d(1, 1, 1), *modules]
    return size, specs, nn.Sequential(*modules)


@settings(max_examples=60)
@given(stacks(), st.data())
def test_random_stacks_analytic_equals_empirical(stack, data):
    size, specs, module = stack
    rf = receptive_field(specs, size)
    traced = receptive_field(module, size)
    assert (traced.size, traced.stride, traced.padding) == (rf.size, rf.stride, rf.padding)
    assert traced.output_size == rf.output_size
    h, w = rf.output_size
    units = [(0, 0), (h - 1, w - 1), ((h - 1) // 2, (w - 1) // 2)]
    units.append(data.draw(st.tuples(st.integers(0, h - 1), st.integers(0, w - 1))))
    for unit in units:
        exact = rf.interval(unit, clip=True)
        assert traced.interval(unit, clip=True) == exact
        assert empirical_receptive_field(module, size, unit).interval == exact
        if exact is not None:  # the exact field lies in the theoretical one
            for (a, b), (lo, hi) in zip(exact, rf.interval(unit)):
                assert lo <= a < b <= hi


# --- U-Net: the field after up-convolutions depends on the unit -----------------------------


@pytest.fixture(scope="module")
def unet_field():
    return receptive_field(unet(base_channels=4), 572)


def test_unet_units_see_188_or_204_pixels_and_none_200(unet_field):
    rf = unet_field
    assert rf.size == (SizeRange(188, 204), SizeRange(188, 204))
    assert (rf.stride, rf.padding, rf.output_size) == ((1, 1), (0, 0), (388, 388))
    sizes = {rf.interval((u, 0))[0][1] - rf.interval((u, 0))[0][0] for u in range(388)}
    assert sizes == {188, 204}
    # The naive recurrence, with each 2x2 stride-2 up-convolution halving the jump and
    # leaving the field alone (one input unit per output unit), gives 200.
    naive, jump = 1, 1
    for _level in range(4):
        naive += 4 * jump  # two 3x3 convolutions
        naive += jump  # 2x2 max-pool
        jump *= 2
    naive += 4 * jump  # the bottleneck
    for _level in range(4):
        jump //= 2
        naive += 4 * jump
    assert naive == 200
    assert 200 not in sizes
    assert "188..204" in str(rf)
    assert "differs between output units" in str(rf)


def test_unet_crops_are_centred_on_average(unet_field):
    # Per unit the skip's field and the up-convolution's are centred differently (the
    # up-convolution's units come in groups that share a field), on average not.
    assert unet_field.misaligned == ()
    crops = [row for row in unet_field.layers if row.kind == "crop"]
    assert [row.output_size for row in crops] == [(56, 56), (104, 104), (200, 200), (392, 392)]


# --- built-in architectures --------------------------------------------------------------------

# (builder, input size, layer measured, size, stride, padding): every value checked by
# empirical_receptive_field below. Araujo et al. (2019) report 212/32/90 for VGG-16.
KNOWN = {
    "alexnet": (alexnet, 224, "features.12", 195, 32, 66),
    "vgg16": (vgg16, 224, "features.30", 212, 32, 90),
    "resnet18": (resnet18, 224, "layer4.1.relu", 435, 32, 217),
    "resnet50": (resnet50, 224, "layer4.2.relu", 427, 32, 213),
}


@pytest.mark.parametrize("name", list(KNOWN))
def test_classifier_fields(name):
    build, size, layer, rf_size, stride, padding = KNOWN[name]
    rf = receptive_field(build(), size)
    assert rf.name == layer
    assert (rf.size, rf.stride, rf.padding) == ((rf_size,) * 2, (stride,) * 2, (padding,) * 2)
    assert "ends the spatial structure" in rf.note
    assert "avgpool" in rf.note


SMALL = {  # inputs at which every architecture runs fast, with small channel counts
    "alexnet": ({}, 127),
    "vgg16": ({}, 96),
    "resnet18": ({}, 96),
    "resnet50": ({}, 64),
    "unet": ({"base_channels": 4}, 188),
    "unet-padded": ({"base_channels": 4}, 48),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_every_builtin_architecture_analytic_equals_empirical(name):
    kwargs, size = SMALL[name]
    model = MODELS[name](**kwargs)
    rf = receptive_field(model, size)
    layer = None if name.startswith("unet") else rf.name
    h, w = rf.output_size
    for unit in [(0, 0), ((h - 1) // 2, (w - 1) // 2), (h - 1, 1)]:
        measured = empirical_receptive_field(model, size, unit, layer=layer)
        assert measured.interval == rf.interval(unit, clip=True), unit


def test_vgg16_conv5_3_sees_196_and_pool5_212():
    model = vgg16()
    conv5_3 = receptive_field(model.features[:30], 224)  # up to the last ReLU
    assert conv5_3.size == (196, 196)
    assert empirical_receptive_field(model, 224, (6, 6), layer="features.28").size == (196, 196)
    assert empirical_receptive_field(model, 224, (3, 3), layer="features.30").size == (212, 212)


def test_resnet50_field_427_measured_on_a_large_input():
    model = resnet50()
    rf = receptive_field(model, 448)
    assert rf.interval((7, 7)) == ((11, 438), (11, 438))
    measured = empirical_receptive_field(model, 448, (7, 7), layer=rf.name)
    assert measured.interval == ((11, 438), (11, 438))
    assert measured.size == (427, 427)


def test_unet_188_and_204_measured():
    model = unet(base_channels=4)
    rf = receptive_field(model, 220)  # 36x36 output
    sizes = {}
    for u in range(36):
        (start, stop), _ = rf.interval((u, 0))
        sizes.setdefault(stop - start, u)
    assert set(sizes) == {188, 204}
    for size, u in sizes.items():
        measured = empirical_receptive_field(model, 220, (u, 0))
        assert measured.interval == rf.interval((u, 0))
        assert measured.size == (size, 188)


# --- graphs: branches, functional calls, crops ----------------------------------------------


class Functional(nn.Module):
    """Functional calls, a residual addition, a crop, a concatenation and a 1-D conv."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(1, 2, 3, padding=1)
        self.b = nn.Conv2d(2, 2, 3)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x):
        x = F.relu(self.a(x))
        y = F.max_pool2d(x, 2)
        z = F.avg_pool2d(x, 3, stride=2, padding=1)
        y = operator.add(y, z)
        y = F.interpolate(y, scale_factor=2, mode="nearest")
        skip = x[:, :, 1:-1, 1:-1]
        y = self.b(y)
        y = torch.cat([skip[..., : y.shape[2], : y.shape[3]], y], dim=1)
        y = F.interpolate(self.bn(y), scale_factor=2, mode="bilinear", align_corners=False)
        return torch.relu(F.pad(y, (1, 2, 0, 1)))


class OneD(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv1d(2, 3, 5, stride=2, dilation=2)
        self.p = nn.MaxPool1d(3, stride=2, ceil_mode=True)

    def forward(self, x):
        return self.p(self.c(x)) * 2


@pytest.mark.parametrize(("module", "size"), [(Functional(), (16, 20)), (OneD(), 40)])
def test_functional_graphs_analytic_equals_empirical(module, size):
    rf = receptive_field(module, size)
    shape = rf.output_size
    corners = [tuple(0 for _ in shape), tuple(n - 1 for n in shape), tuple(n // 2 for n in shape)]
    for unit in corners:
        assert empirical_receptive_field(module, size, unit).interval == rf.interval(
            unit, clip=True
        )


class SqueezeExcite(nn.Module):
    """A convolution, a gate pooled over every position and multiplied back, a stride."""

    def __init__(self, pool):
        super().__init__()
        self.pool = pool
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Conv2d(4, 4, 1)
        self.down = nn.Conv2d(4, 2, 3, stride=2)

    def forward(self, x):
        y = F.relu(self.conv(x))
        pooled = (
            y.mean((2, 3), keepdim=True) if self.pool == "mean" else F.adaptive_avg_pool2d(y, 1)
        )
        return self.down(y * torch.sigmoid(self.fc(pooled)))


@pytest.mark.parametrize("pool", ["mean", "adaptive"])
def test_a_global_gate_keeps_the_spatial_field_and_says_it_sees_everything(pool):
    # Without the gate the network is conv3p1 then conv3s2: the field is 5, stride 2.
    model = SqueezeExcite(pool)
    rf = receptive_field(model, 12)
    assert (rf.size, rf.stride, rf.padding, rf.output_size) == ((5, 5), (2, 2), (1, 1), (5, 5))
    assert "pooled over every position" in rf.note
    assert "depends on the whole input" in rf.note
    # Autograd: through the gate, every unit depends on every input pixel.
    measured = empirical_receptive_field(model, 12, (2, 2))
    assert measured.interval == ((0, 12), (0, 12))


class Misaligned(nn.Module):
    """A 2-tap branch added to a 3-tap branch: centres half a pixel apart."""

    def __init__(self):
        super().__init__()
        self.even = nn.Conv2d(1, 1, 2)
        self.odd = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x):
        return self.even(x) + self.odd(x)[:, :, :-1, :-1]


def test_misaligned_branches_are_flagged():
    rf = receptive_field(Misaligned(), 10)
    assert rf.misaligned == ("add: the fields of its inputs are centred 0.5 pixels apart",)
    assert "misaligned" in str(rf)


class Strides(nn.Module):
    def __init__(self):
        super().__init__()
        self.s1 = nn.Conv2d(1, 1, 5)
        self.s2 = nn.Conv2d(1, 1, 1, stride=2)

    def forward(self, x):
        return self.s1(x) + self.s2(x)


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 1, 3)

    def forward(self, x):
        if x.sum() > 0:
            return self.c(x)
        return x


def sequential(*layers):
    return nn.Sequential(nn.Conv2d(1, 1, 3), *layers)


BAD_MODULES = [
    (Strides(), 8, ValueError, r"node 'add' .*different effective strides \(1, 2\)"),
    (Branchy(), 8, TypeError, r"cannot trace Branchy with torch.fx: .*control flow"),
    (sequential(nn.GroupNorm(1, 1)), 8, ValueError, r"layer '1' \(GroupNorm\).*not a layer"),
    (sequential(nn.Linear(6, 6)), 8, ValueError, r"layer '1' \(Linear\).*width"),
    (
        sequential(nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect")),
        8,
        ValueError,
        r"layer '1' \(Conv2d\): padding_mode='reflect' pads with copies",
    ),
    (
        nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect"),  # traced: F.pad, then F.conv2d
        8,
        ValueError,
        r"node 'pad' \(call_function pad\): mode='reflect' pads with copies",
    ),
    (sequential(nn.Upsample(scale_factor=2, mode="bicubic")), 8, ValueError, "mode='bicubic'"),
    (sequential(nn.Upsample(scale_factor=3, mode="bilinear")), 8, ValueError, "odd factor"),
    (
        sequential(nn.Flatten(), nn.Unflatten(1, (1, 6, 6)), nn.Conv2d(1, 1, 3)),
        8,
        ValueError,
        r"layer '3' \(Conv2d\): applies Conv2d to a tensor whose spatial structure ended",
    ),
    (nn.Sequential(nn.ReLU()), 8, ValueError, "has no nn.ConvNd layer"),
    (nn.Conv2d(1, 1, 3), None, ValueError, "input_size is required"),
    (
        nn.Conv2d(1, 1, 9),
        4,
        ValueError,
        r"Conv2d cannot run on an input of shape \(1, 1, 4, 4\): 'conv2d': the kernel spans 9",
    ),
]


@pytest.mark.parametrize(("module", "size", "error", "message"), BAD_MODULES)
def test_unsupported_modules_raise_naming_the_layer(module, size, error, message):
    with pytest.raises(error, match=message):
        receptive_field(module, size)


# --- layer strings and display --------------------------------------------------------------

specs = st.one_of(
    st.builds(Conv, kernels, strides, paddings, dilations),
    kernels.flatmap(  # PyTorch pads a pooling window by at most half its kernel
        lambda k: st.builds(
            Pool, st.just(k), st.none() | strides, st.integers(0, k // 2), dilations, st.booleans()
        )
    ),
    st.tuples(strides, dilations).flatmap(  # output_padding < max(stride, dilation)
        lambda sd: st.builds(
            ConvTranspose,
            kernels,
            st.just(sd[0]),
            paddings,
            st.integers(0, max(sd) - 1),
            st.just(sd[1]),
        )
    ),
    st.builds(Upsample, strides),
)


@given(st.lists(specs, min_size=1, max_size=4))
def test_layer_strings_round_trip(layers):
    text = ",".join(map(str, layers))
    assert parse_layers(text) == layers


def test_layer_string_forms():
    assert parse_layers("conv3x5s2, Pool2C, convt4s2") is not None
    assert parse_layers("conv3x5s2")[0] == Conv((3, 5), 2)
    assert parse_layers("pool2c")[0] == Pool(2, ceil_mode=True)
    assert parse_layers("up2x1")[0] == Upsample((2, 1))


def test_text_and_html_tables():
    rf = receptive_field("conv3,convT3s2,conv3", 8)
    text = str(rf)
    assert rf.size == SizeRange(4, 5)
    assert "receptive field    4..5 (differs between output units" in text
    assert "convT3s2  ConvTranspose" in text
    assert repr(rf) == text
    html = rf._repr_html_()
    assert html.count("<table>") == 2
    assert "<td>convT3s2</td>" in html


# --- bad input -----------------------------------------------------------------------------------
BAD_CALLS = [
    (receptive_field, (42,), {}, TypeError, r"model must be a list of layer specs.*got 42"),
    (receptive_field, ([],), {}, ValueError, r"at least one layer, got an empty list"),
    (receptive_field, ([Conv(3), "pool"],), {}, TypeError, r"layer 1 must be a Conv.*'pool'"),
    (receptive_field, ([Conv(5)], 3), {}, ValueError, r"layer 0 \(conv5\): kernel_size 5"),
    (receptive_field, ([Conv(3)], 0), {}, ValueError, r"input_size must be a positive int"),
    (
        receptive_field,
        ([Conv((3, 3)), Conv((3, 3, 3))],),
        {},
        ValueError,
        r"kernel_size of layer 1 \(conv3x3x3\) has 3 values but kernel_size of layer 0",
    ),
    (Conv, (0,), {}, ValueError, r"kernel_size must be a positive int or a tuple of them, got 0"),
    (Conv, (3,), {"stride": 1.5}, TypeError, r"stride must be .*got 1.5"),
    (Pool, (3,), {"ceil_mode": 1}, TypeError, r"ceil_mode must be a bool, got 1"),
    (ConvTranspose, (3,), {"output_padding": -1}, ValueError, r"output_padding must be a non"),
    (Upsample, (0,), {}, ValueError, r"scale_factor must be a positive int"),
    (parse_layers, ("",), {}, ValueError, r"at least one layer, got an empty string"),
    (parse_layers, ("conv3,dense4",), {}, ValueError, r"cannot read layer 2, 'dense4'"),
    (parse_layers, ("convs2",), {}, ValueError, r"'convs2': no kernel size: write e.g. conv3"),
    (parse_layers, ("conv3s2s1",), {}, ValueError, r"'conv3s2s1': stride given twice"),
    (parse_layers, ("conv3o1",), {}, ValueError, r"'conv3o1': Conv has no output_padding"),
    (parse_layers, ("conv3c",), {}, ValueError, r"'conv3c': Conv has no ceil_mode"),
    (parse_layers, (3,), {}, TypeError, r"layers must be a string"),
    (
        empirical_receptive_field,
        (nn.Conv2d(1, 1, 3), 8),
        {"layer": "nope"},
        ValueError,
        r"layer must name a submodule of Conv2d, got 'nope'",
    ),
    (
        empirical_receptive_field,
        (nn.Conv2d(1, 1, 3), 8, (6, 0)),
        {},
        ValueError,
        r"unit \(6, 0\) is outside the output of the model, of spatial size \(6, 6\)",
    ),
    (
        empirical_receptive_field,
        (nn.Sequential(nn.Conv2d(1, 1, 3), nn.Flatten()), 8),
        {},
        ValueError,
        r"must have shape \(N, C, \*spatial\) .* got \(1, 36\); pass layer=",
    ),
    (empirical_receptive_field, ("conv3", 8), {"channel": 1}, ValueError, r"channel must be"),
]


test_bad_input_raises_a_clear_error = bad_input_test(BAD_CALLS)


def test_bad_interval_calls():
    rf = receptive_field([Conv(3)], 8)
    with pytest.raises(ValueError, match=r"unit 6 is outside the output: allowed 0 .. 5"):
        rf.interval(6)
    with pytest.raises(ValueError, match=r"unit must be a non-negative int"):
        rf.interval(-1)
    with pytest.raises(TypeError, match=r"clip must be a bool"):
        rf.interval(0, clip="yes")
    with pytest.raises(ValueError, match=r"clip=True\) needs the input size"):
        receptive_field([Conv(3)]).interval(0, clip=True)
