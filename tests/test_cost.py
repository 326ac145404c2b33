"""convdocs.cost: parameter and MAC counts against PyTorch's parameters and FlopCounterMode."""

import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from convdocs import conv_cost, conv_parameters, model_cost
from convdocs.cost import LayerCost, ModelCost
from convdocs.models import Bottleneck, alexnet, resnet18, resnet50, unet, vgg16
from tests.bad_calls import bad_input_test
from tests.strategies import dilations, extreme_ints, hostile_ints, kernels, paddings, strides

CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
CONV_TRANSPOSE = {1: nn.ConvTranspose1d, 2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}


def pytorch_cost(model, x):
    """(parameters, FLOPs, output shape) of running ``model`` on ``x``, or None if it fails."""
    parameters = sum(p.numel() for p in model.parameters())
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            out = model(x)
    except RuntimeError:
        return None
    if out.numel() == 0:  # a transposed convolution whose padding crops everything
        return None
    return parameters, counter.get_total_flops(), tuple(out.shape)


# --- one layer, on random configurations -----------------------------------------------------


@st.composite
def layer_configs(draw, ndim=None):
    """A random direct or transposed convolution, 1-D to 3-D, and an input size."""
    ndim = draw(st.integers(1, 3)) if ndim is None else ndim
    per_dim = st.lists  # one value per spatial dimension
    groups = draw(st.integers(1, 4))
    config = {
        "in_channels": groups * draw(st.integers(1, 3)),
        "out_channels": groups * draw(st.integers(1, 3)),
        "kernel_size": tuple(draw(per_dim(kernels, min_size=ndim, max_size=ndim))),
        "stride": tuple(draw(per_dim(strides, min_size=ndim, max_size=ndim))),
        "padding": tuple(draw(per_dim(paddings, min_size=ndim, max_size=ndim))),
        "dilation": tuple(draw(per_dim(dilations, min_size=ndim, max_size=ndim))),
        "groups": groups,
        "bias": draw(st.booleans()),
        "transposed": draw(st.booleans()),
    }
    if config["transposed"]:  # below max(stride, dilation), as PyTorch requires
        config["output_padding"] = tuple(
            draw(st.integers(0, max(s, d) - 1))
            for s, d in zip(config["stride"], config["dilation"])
        )
    small = 12 if ndim < 3 else 6
    size = tuple(draw(per_dim(st.integers(1, small), min_size=ndim, max_size=ndim)))
    return config, size


def torch_layer(config):
    config = dict(config)
    transposed = config.pop("transposed")
    layers = CONV_TRANSPOSE if transposed else CONV
    return layers[len(config["kernel_size"])](**config)


@settings(max_examples=150, deadline=None)
@given(layer_configs())
def test_conv_cost_matches_pytorch(case):
    config, size = case
    layer = torch_layer(config)
    x = torch.zeros(1, config["in_channels"], *size)
    expected = pytorch_cost(layer, x)
    if expected is None:  # PyTorch refuses: the kernel does not fit, or nothing is left
        with pytest.raises(ValueError, match=r"kernel_size|crops the whole output"):
            conv_cost(input_size=size, **config)
        return
    cost = conv_cost(input_size=size, **config)
    parameters, flops, shape = expected
    assert cost.parameters == parameters
    assert cost.macs * 2 == cost.flops == flops
    assert cost.output_shape == shape
    assert cost.input_shape == tuple(x.shape)
    assert cost.kind == type(layer).__name__
    assert conv_parameters(
        config["in_channels"], config["out_channels"], config["kernel_size"],
        config["groups"], config["bias"],
    ) == parameters  # fmt: skip


@settings(max_examples=50, deadline=None)
@given(layer_configs())
def test_output_size_gives_the_same_cost_as_input_size(case):
    config, size = case
    config = dict(config, transposed=False)
    config.pop("output_padding", None)
    try:
        from_input = conv_cost(input_size=size, **config)
    except ValueError:
        return
    stripped = {k: v for k, v in config.items() if k not in ("stride", "padding", "dilation")}
    from_output = conv_cost(output_size=from_input.output_shape[2:], **stripped)
    assert from_output.macs == from_input.macs
    assert from_output.parameters == from_input.parameters
    assert from_output.output_shape == from_input.output_shape


@given(groups=st.sampled_from([1, 2, 4, 8, 16, 32]))
def test_groups_divide_parameters_and_macs_and_leave_the_shape(groups):
    full = conv_cost(32, 64, (3, 3), (16, 16), padding=1, bias=False)
    grouped = conv_cost(32, 64, (3, 3), (16, 16), padding=1, bias=False, groups=groups)
    assert grouped.output_shape == full.output_shape
    assert grouped.parameters * groups == full.parameters
    assert grouped.macs * groups == full.macs


def test_transposed_counts_input_positions():
    # FlopCounterMode: 2 * C_in * C_out/g * prod(k) * prod(input size), whatever the
    # padding and output_padding do to the output
    cost = conv_cost(8, 4, (4, 4), (5, 5), stride=2, padding=1, output_padding=1, transposed=True)
    assert cost.macs == 8 * 4 * 16 * 25
    assert cost.output_shape == (1, 4, 11, 11)


def test_layer_cost_text():
    cost = conv_cost(3, 64, (7, 7), (224, 224), stride=2, padding=3, bias=False)
    assert str(cost) == (
        "Conv2d: 9,408 parameters, 118,013,952 MACs, (1, 3, 224, 224) -> (1, 64, 112, 112)"
    )
    assert cost._repr_html_().startswith("<pre>Conv2d")
    assert conv_cost(4, 4, 3, output_size=10).input_shape == ()
    assert str(LayerCost("x", "Mystery", 3, None)) == "x (Mystery): 3 parameters, ? MACs, - -> -"


def test_huge_layers_are_counted_exactly():
    # arithmetic on Python ints: no overflow, no array
    big = 2**40
    cost = conv_cost(big, big, (3, 3), output_size=(big, big), groups=big)
    assert cost.parameters == big * 9 + big
    assert cost.macs == big * 9 * big * big


# --- hostile input -----------------------------------------------------------------------------

VALID = {
    "in_channels": 4,
    "out_channels": 8,
    "kernel_size": (3, 3),
    "input_size": (9, 9),
    "stride": 2,
    "padding": 1,
    "dilation": 1,
    "groups": 2,
}
SYNONYMS = {  # names an error about each argument may give
    "kernel_size": ("kernel_size", "input_size"),
    "input_size": ("input_size", "kernel_size"),
    "padding": ("padding", "kernel_size"),
    "dilation": ("dilation", "kernel_size"),
    "in_channels": ("in_channels", "groups"),
    "out_channels": ("out_channels", "groups"),
    "groups": ("groups", "in_channels", "out_channels"),
}


@pytest.mark.parametrize("param", list(VALID))
@given(value=hostile_ints)
def test_extreme_and_odd_ints_are_counted_or_refused(param, value):
    try:
        cost = conv_cost(**{**VALID, param: value})
    except (TypeError, ValueError) as err:
        message = str(err)
        assert any(re.search(rf"\b{n}\b", message) for n in SYNONYMS.get(param, (param,)))
        assert "\n" not in message
        return
    assert cost.parameters > 0
    assert cost.macs > 0


@given(channels=extreme_ints, groups=extreme_ints)
def test_groups_are_checked_like_pytorch(channels, groups):
    try:
        conv_parameters(channels, channels, 3, groups=groups)
    except (TypeError, ValueError):
        refused = True
    else:
        refused = False
    assert refused == (channels < 1 or groups < 1 or channels % groups != 0)
    if 0 < channels <= 64 and 0 < groups <= 64:  # PyTorch refuses the same ones
        try:
            nn.Conv1d(channels, channels, 3, groups=groups)
        except ValueError:
            assert refused
        else:
            assert not refused


class Branching(nn.Module):
    """A forward that depends on the data: torch.fx cannot trace it."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3)

    def forward(self, x):
        return self.conv(x) if x.sum() > 0 else x


BAD_CALLS = [
    (conv_parameters, (6, 8, 3), {"groups": 4}, ValueError,
     r"in_channels must be divisible by groups, got in_channels=6 and groups=4; allowed: "
     + r"groups that divide both 6 and 8 \(1 or 2\)"),
    (conv_parameters, (8, 6, 3), {"groups": 4}, ValueError,
     r"out_channels must be divisible by groups, got out_channels=6 and groups=4"),
    (conv_parameters, (8, 8, 3), {"groups": 0}, ValueError, r"groups must be a positive int"),
    (conv_parameters, (True, 8, 3), {}, TypeError, r"in_channels must be a positive int"),
    (conv_parameters, (8, 8, 3.0), {}, TypeError, r"kernel_size must be a positive int"),
    (conv_parameters, (8, 8, (3, 0)), {}, ValueError, r"kernel_size must be a positive int"),
    (conv_parameters, (8, 8, 3), {"bias": 1}, TypeError, r"bias must be a bool, got 1"),
    (conv_cost, (8, 8, 3), {}, ValueError, r"give exactly one of input_size and output_size"),
    (conv_cost, (8, 8, 3, 10), {"output_size": 8}, ValueError, r"exactly one of input_size"),
    (conv_cost, (8, 8, 3), {"output_size": 8, "stride": 2}, ValueError,
     r"stride can only be given with input_size: output_size already fixes the output"),
    (conv_cost, (8, 8, 3), {"output_size": 8, "transposed": True}, ValueError,
     r"transposed convolution's MACs are counted per input position: give input_size"),
    (conv_cost, (8, 8, 3, 10), {"output_padding": 1}, ValueError,
     r"output_padding applies to transposed convolutions only"),
    (conv_cost, (8, 8, 3, 10), {"transposed": "yes"}, TypeError, r"transposed must be a bool"),
    (conv_cost, (8, 8, 3, 0), {}, ValueError, r"input_size must be a positive int"),
    (conv_cost, (8, 8, 3, 2.5), {}, TypeError, r"input_size must be a positive int"),
    (conv_cost, (8, 8, 5, 3), {}, ValueError, r"kernel_size 5 with dilation 1 spans 5 pixels"),
    (conv_cost, (8, 8, (3, 3), (9, 9, 9)), {}, ValueError,
     r"kernel_size has 2 values but input_size has 3"),
    (conv_cost, (8, 8, 3), {"output_size": (4, 0)}, ValueError,
     r"output_size must be a positive int"),
    (conv_cost, (8, 8, 3, 4), {"stride": 2, "output_padding": 2, "transposed": True}, ValueError,
     r"output_padding must be smaller than stride or dilation"),
    (model_cost, ("resnet18", 224), {}, TypeError, r"model must be a torch.nn.Module"),
    (model_cost, (Branching(), 8), {}, TypeError, r"cannot trace Branching with torch.fx"),
    (model_cost, (resnet18(num_classes=10), 224.0), {}, TypeError,
     r"input_size must be a positive int"),
    (model_cost, (resnet18(num_classes=10), 0), {}, ValueError, r"input_size must be a positive"),
    (model_cost, (resnet18(num_classes=10), (224, 224, 3)), {}, ValueError,
     r"input_size must be a positive int or a tuple of them"),
    (model_cost, (alexnet(num_classes=10), 32), {}, ValueError,
     r"AlexNet cannot run on an input of shape \(1, 3, 32, 32\): 'features.\d+'"),
]  # fmt: skip

test_bad_input_raises_a_clear_error = bad_input_test(BAD_CALLS)


def test_unknown_layer_name_is_a_clear_key_error():
    cost = model_cost(unet(padded=True, base_channels=4), 32)
    with pytest.raises(KeyError, match=r"UNet has no layer named 'nope' with a cost"):
        cost["nope"]


# --- whole models --------------------------------------------------------------------------------


def check_model(model, size, channels=3):
    """model_cost equals PyTorch's parameter count and FlopCounterMode on a zero input."""
    model.eval()
    cost = model_cost(model, size)
    x = torch.zeros(1, channels, *((size,) * 2 if isinstance(size, int) else size))
    parameters, flops, _ = pytorch_cost(model, x)
    assert cost.parameters == parameters
    assert sum(layer.parameters for layer in cost) == parameters
    assert cost.flops == flops
    assert not cost.uncounted
    return cost


@pytest.mark.parametrize(
    ("build", "size", "channels"),
    [
        (resnet18, 224, 3),
        (lambda: resnet50(num_classes=10), 64, 3),
        (lambda: alexnet(num_classes=10), 224, 3),
        (lambda: vgg16(num_classes=10), 32, 3),
        (lambda: unet(padded=True, base_channels=4), 48, 1),
        (lambda: unet(base_channels=4), 188, 1),
    ],
    ids=["resnet18", "resnet50", "alexnet", "vgg16", "unet-padded", "unet"],
)
def test_models_match_pytorch(build, size, channels):
    check_model(build(), size, channels)


def mobilenet_block(channels, out_channels, stride=1):
    """A depthwise-separable block: depthwise 3x3, batch norm, ReLU, pointwise 1x1."""
    return nn.Sequential(
        nn.Conv2d(channels, channels, 3, stride, 1, groups=channels, bias=False),
        nn.BatchNorm2d(channels),
        nn.ReLU(),
        nn.Conv2d(channels, out_channels, 1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )


def test_mobilenet_block_rows():
    cost = check_model(mobilenet_block(32, 64, stride=2), 16, channels=32)
    depthwise, pointwise = cost["0"], cost["3"]
    assert depthwise.parameters == 32 * 9
    assert depthwise.macs == 32 * 9 * 8 * 8
    assert pointwise.parameters == 32 * 64
    assert pointwise.macs == 32 * 64 * 8 * 8
    assert cost["1"].macs == 0
    assert [layer.layer for layer in cost] == ["0", "1", "3", "4"]


def test_bottleneck_per_layer():
    cost = check_model(Bottleneck(256, 64), 14, channels=256)
    assert [cost[f"conv{i}"].macs for i in (1, 2, 3)] == [
        256 * 64 * 14 * 14,
        64 * 64 * 9 * 14 * 14,
        64 * 256 * 14 * 14,
    ]


class Stack(nn.Module):
    """1-D or 3-D convolutions, direct and transposed, grouped, and a functional conv."""

    def __init__(self, ndim):
        super().__init__()
        self.down = CONV[ndim](4, 8, 3, stride=2, padding=1, groups=2)
        self.up = CONV_TRANSPOSE[ndim](8, 4, 2, stride=2, groups=4, bias=False)
        self.weight = nn.Parameter(torch.zeros(6, 2, *(3,) * ndim))
        self.conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[ndim]

    def forward(self, x):
        return self.conv(self.up(self.down(x)), self.weight, groups=2, dilation=2)


@pytest.mark.parametrize(("ndim", "size"), [(1, 20), (2, (12, 10)), (3, (8, 6, 10))])
def test_any_dimension_and_functional_convolutions(ndim, size):
    model = Stack(ndim)
    cost = model_cost(model, size)
    size = (size,) if isinstance(size, int) else size
    parameters, flops, shape = pytorch_cost(model, torch.zeros(1, 4, *size))
    assert (cost.parameters, cost.flops) == (parameters, flops)
    conv = cost[f"conv{ndim}d"]  # a function call: the traced node's name
    assert conv.kind == f"conv{ndim}d"
    assert conv.parameters == 6 * 2 * 3**ndim
    assert conv.output_shape == shape


@st.composite
def stacks(draw):
    """A random nn.Sequential of 1 to 3 convolutions (direct or transposed, grouped), with
    batch norm and ReLU after each, 1-D to 3-D, and an input size."""
    ndim = draw(st.integers(1, 3))
    norm = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d, 3: nn.BatchNorm3d}[ndim]
    channels = draw(st.sampled_from([2, 4, 6]))
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        config, _ = draw(layer_configs(ndim))
        groups = draw(st.sampled_from([1, 2]))  # every channel count here is even
        out_channels = 2 * draw(st.integers(1, 3))
        config.update(in_channels=channels, out_channels=out_channels, groups=groups)
        layers += [torch_layer(config), norm(out_channels), nn.ReLU()]
        channels = out_channels
    small = 10 if ndim < 3 else 5
    size = tuple(draw(st.lists(st.integers(1, small), min_size=ndim, max_size=ndim)))
    return nn.Sequential(*layers).eval(), size


@settings(max_examples=40, deadline=None)
@given(stacks())
def test_random_stacks_match_pytorch(case):
    model, size = case
    x = torch.zeros(1, model[0].in_channels, *size)
    expected = pytorch_cost(model, x)
    if expected is None:  # PyTorch fails (or empties the tensor) somewhere in the stack
        with pytest.raises(ValueError, match=r"cannot run on an input of shape"):
            model_cost(model, size)
        return
    cost = model_cost(model, size)
    parameters, flops, shape = expected
    assert (cost.parameters, cost.flops) == (parameters, flops)
    assert cost.layers[-2].output_shape == shape  # the last convolution's output
    assert [c.kind for c in cost][::2] == [type(m).__name__ for m in model[::3]]


class Shared(nn.Module):
    """One convolution used twice, and a parameter forward never reads."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.spare = nn.Parameter(torch.zeros(5))

    def forward(self, x):
        return self.conv(self.conv(x))


def test_shared_and_unused_parameters_are_counted_once():
    model = Shared()
    cost = model_cost(model, 8)
    parameters, flops, _ = pytorch_cost(model, torch.zeros(1, 4, 8, 8))
    assert (cost.parameters, cost.flops) == (parameters, flops)
    rows = [(c.layer, c.parameters, c.macs) for c in cost]
    assert rows == [
        ("conv", 4 * 4 * 9 + 4, 4 * 4 * 9 * 64),
        ("conv", 0, 4 * 4 * 9 * 64),  # the second call: its parameters are counted
        ("(not in the graph)", 5, 0),
    ]


class Scale(nn.Module):
    """A parametrised layer convdocs does not know (a leaf for torch.fx, like torch.nn's)."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(1, 4, 1, 1))

    def forward(self, x):
        return x * self.weight


Scale.__module__ = "torch.nn.modules.convdocs_test"  # torch.fx keeps torch.nn modules whole


def test_unknown_parametrised_layers_are_reported_uncounted():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), Scale(), nn.PReLU())
    cost = model_cost(model, 10)
    assert cost.uncounted == ("1",)
    assert cost["1"].macs is None
    assert cost["2"].macs == 0
    assert cost.macs == 3 * 4 * 9 * 64
    assert cost.parameters == 3 * 4 * 9 + 4 + 4 + 1
    assert "MACs not counted for: 1" in str(cost)


def test_model_cost_text():
    cost = model_cost(mobilenet_block(8, 16), 4)
    assert isinstance(cost, ModelCost)
    assert str(cost).splitlines() == [
        "Sequential on a 1x8x4x4 input: 248 parameters, 3,200 MACs",
        "  layer  kind         output shape   parameters   MACs",
        "  0      Conv2d       (1, 8, 4, 4)           72  1,152",
        "  1      BatchNorm2d  (1, 8, 4, 4)           16      0",
        "  3      Conv2d       (1, 16, 4, 4)         128  2,048",
        "  4      BatchNorm2d  (1, 16, 4, 4)          32      0",
        "  total                                     248  3,200",
    ]
    assert len(cost) == 4
    assert "&gt;" not in cost._repr_html_()
