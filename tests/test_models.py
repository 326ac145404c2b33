"""convdocs.models against torchvision's published parameter counts, layer names and shapes.

torchvision cannot be used here, so its facts are hard-coded: the parameter counts it
publishes for each model, and the ``state_dict`` key names of its layer layout. The
U-Net's parameter count is derived independently, layer by layer, below.
"""

import operator
import subprocess
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from convdocs import conv_output_size, conv_transpose_output_size
from convdocs.models import (
    MODELS,
    VGG,
    AlexNet,
    BasicBlock,
    Bottleneck,
    ResNet,
    UNet,
    alexnet,
    center_crop,
    get_model,
    resnet18,
    unet,
    vgg16,
)

# torchvision's published parameter counts (the "num_params" of each weights' meta data).
TORCHVISION_PARAMETERS = {
    "alexnet": 61_100_840,
    "vgg16": 138_357_544,
    "resnet18": 11_689_512,
    "resnet50": 25_557_032,
}


@pytest.fixture(scope="module")
def built():
    """Build each full-size model once for this module (in eval mode: no dropout)."""
    cache = {}

    def build(name):
        if name not in cache:
            torch.manual_seed(0)
            cache[name] = get_model(name).eval()
        return cache[name]

    return build


def n_parameters(model):
    return sum(p.numel() for p in model.parameters())


def run_with_hooks(model, names, x, pre=False):
    """Run ``model(x)`` without gradients; return its output and the output shape (or,
    with ``pre``, the first input's shape) of each named submodule, in call order."""
    modules = dict(model.named_modules())
    shapes = {}

    def record(name, tensor):  # returns None: a hook's return value replaces the output
        shapes.setdefault(name, tuple(tensor.shape))

    if pre:
        hooks = [
            modules[name].register_forward_pre_hook(
                lambda _m, args, name=name: record(name, args[0])
            )
            for name in names
        ]
    else:
        hooks = [
            modules[name].register_forward_hook(
                lambda _m, _args, out, name=name: record(name, out)
            )
            for name in names
        ]
    try:
        with torch.no_grad():
            out = model(x)
    finally:
        for hook in hooks:
            hook.remove()
    return out, shapes


# Parameter counts ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(TORCHVISION_PARAMETERS))
def test_parameter_count_matches_torchvision(built, name):
    assert n_parameters(built(name)) == TORCHVISION_PARAMETERS[name]


def conv_parameters(c_in, c_out, kernel):
    return kernel * kernel * c_in * c_out + c_out


def unet_parameters_by_hand(in_channels, num_classes, depth=4, base=64):
    """Count the U-Net's weights from the paper's figure 1, one layer at a time."""
    widths = [base * 2**level for level in range(depth + 1)]  # 64 ... 1024
    total = 0
    c_in = in_channels
    for width in widths:  # the encoder levels and the bottom: two 3x3 convolutions each
        total += conv_parameters(c_in, width, 3) + conv_parameters(width, width, 3)
        c_in = width
    for width in reversed(widths[:-1]):  # 2x2 up-convolution, then two 3x3 convolutions
        total += conv_parameters(2 * width, width, 2)  # halves the channels
        total += conv_parameters(2 * width, width, 3)  # on the concatenation
        total += conv_parameters(width, width, 3)
    return total + conv_parameters(base, num_classes, 1)


def test_unet_parameter_count_by_hand():
    # The paper's network (one input channel, two classes).
    assert unet_parameters_by_hand(1, 2) == 31_030_658
    # 31,030,593, the figure often quoted, is the count with a single output channel.
    assert unet_parameters_by_hand(1, 1) == 31_030_593
    assert conv_parameters(64, 1, 1) == 31_030_658 - 31_030_593


@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize(
    ("in_channels", "num_classes", "depth", "base"),
    [(1, 2, 4, 64), (1, 1, 4, 64), (3, 5, 4, 64), (2, 3, 2, 8), (1, 2, 1, 1)],
)
def test_unet_parameter_count(padded, in_channels, num_classes, depth, base):
    model = unet(padded, in_channels, num_classes, depth, base)
    expected = unet_parameters_by_hand(in_channels, num_classes, depth, base)
    assert n_parameters(model) == expected


def test_default_unet_is_the_papers(built):
    model = built("unet")
    assert n_parameters(model) == 31_030_658
    # "In total the network has 23 convolutional layers."
    layers = [
        m for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))
    ]
    assert len(layers) == 23
    assert model.bottleneck[2].out_channels == 1024
    assert all(m.padding == (0, 0) for m in layers)


# Shapes -------------------------------------------------------------------------------

IMAGENET_SHAPES = {
    "alexnet": {
        "features.0": (1, 64, 55, 55),
        "features.2": (1, 64, 27, 27),
        "features.5": (1, 192, 13, 13),
        "features.12": (1, 256, 6, 6),
        "avgpool": (1, 256, 6, 6),
    },
    "vgg16": {  # after each max-pool
        "features.4": (1, 64, 112, 112),
        "features.9": (1, 128, 56, 56),
        "features.16": (1, 256, 28, 28),
        "features.23": (1, 512, 14, 14),
        "features.30": (1, 512, 7, 7),
        "avgpool": (1, 512, 7, 7),
    },
    "resnet18": {
        "conv1": (1, 64, 112, 112),
        "maxpool": (1, 64, 56, 56),
        "layer1": (1, 64, 56, 56),
        "layer2": (1, 128, 28, 28),
        "layer2.0.downsample": (1, 128, 28, 28),
        "layer3": (1, 256, 14, 14),
        "layer4": (1, 512, 7, 7),
        "avgpool": (1, 512, 1, 1),
    },
    "resnet50": {
        "conv1": (1, 64, 112, 112),
        "maxpool": (1, 64, 56, 56),
        "layer1": (1, 256, 56, 56),
        "layer2": (1, 512, 28, 28),
        "layer3": (1, 1024, 14, 14),
        "layer4": (1, 2048, 7, 7),
        "avgpool": (1, 2048, 1, 1),
    },
}


@pytest.mark.parametrize("name", list(IMAGENET_SHAPES))
def test_imagenet_shapes(built, name):
    expected = IMAGENET_SHAPES[name]
    out, shapes = run_with_hooks(built(name), expected, torch.zeros(1, 3, 224, 224))
    assert out.shape == (1, 1000)
    assert shapes == expected


@pytest.mark.parametrize("name", ["alexnet", "vgg16", "resnet18", "resnet50"])
def test_num_classes(name):
    torch.manual_seed(0)
    model = get_model(name, num_classes=7)
    last = model.fc if isinstance(model, ResNet) else model.classifier[-1]
    assert last.out_features == 7
    assert n_parameters(model) == TORCHVISION_PARAMETERS[name] - 993 * (last.in_features + 1)


def test_original_unet_shapes_at_572():
    # The spatial sizes do not depend on the channels: 2 at the top keeps this fast.
    names = {
        "encoder.0": (1, 2, 568, 568),
        "pools.0": (1, 2, 284, 284),
        "encoder.1": (1, 4, 280, 280),
        "pools.1": (1, 4, 140, 140),
        "encoder.2": (1, 8, 136, 136),
        "pools.2": (1, 8, 68, 68),
        "encoder.3": (1, 16, 64, 64),
        "pools.3": (1, 16, 32, 32),
        "bottleneck": (1, 32, 28, 28),
        "ups.0": (1, 16, 56, 56),
        "decoder.0": (1, 16, 52, 52),
        "ups.1": (1, 8, 104, 104),
        "decoder.1": (1, 8, 100, 100),
        "ups.2": (1, 4, 200, 200),
        "decoder.2": (1, 4, 196, 196),
        "ups.3": (1, 2, 392, 392),
        "decoder.3": (1, 2, 388, 388),
        "head": (1, 2, 388, 388),
    }
    torch.manual_seed(0)
    model = unet(base_channels=2)
    out, shapes = run_with_hooks(model, names, torch.zeros(1, 1, 572, 572))
    assert out.shape == (1, 2, 388, 388)
    assert shapes == names
    # The decoder's input: the skip, cropped to the upsampled map, next to it.
    _, inputs = run_with_hooks(
        model, [f"decoder.{i}" for i in range(4)], torch.zeros(1, 1, 572, 572), pre=True
    )
    assert [shape[1:] for shape in inputs.values()] == [
        (32, 56, 56),
        (16, 104, 104),
        (8, 200, 200),
        (4, 392, 392),
    ]


def test_padded_unet_keeps_the_size():
    torch.manual_seed(0)
    model = unet(padded=True, base_channels=2)
    names = {f"encoder.{i}": (1, 2 * 2**i, n, n) for i, n in enumerate([256, 128, 64, 32])}
    out, shapes = run_with_hooks(model, [*names, "bottleneck"], torch.zeros(1, 1, 256, 256))
    assert out.shape == (1, 2, 256, 256)
    assert shapes == {**names, "bottleneck": (1, 32, 16, 16)}
    with torch.no_grad():
        assert model(torch.zeros(1, 1, 48, 80)).shape == (1, 2, 48, 80)


@pytest.mark.parametrize("size", [188, 204, 572])
def test_unet_tile_sizes_of_the_paper(size):
    # Input sizes 16 b + 124: every max-pool sees an even size, the output is 184 smaller.
    model = unet(base_channels=1)
    pools = [f"pools.{i}" for i in range(4)]
    out, inputs = run_with_hooks(model, pools, torch.zeros(1, 1, size, size), pre=True)
    assert out.shape[-2:] == (size - 184, size - 184)
    assert all(shape[-1] % 2 == 0 for shape in inputs.values())


def unet_output_size(size, depth, padded):
    """The U-Net's output size from convdocs' arithmetic, one layer at a time."""
    padding = 1 if padded else 0

    def double_conv(n):
        return conv_output_size(conv_output_size(n, 3, padding=padding), 3, padding=padding)

    skips = []
    for _ in range(depth):
        size = double_conv(size)
        skips.append(size)
        size = conv_output_size(size, 2, stride=2)
    size = double_conv(size)
    for skip in reversed(skips):
        size = conv_transpose_output_size(size, 2, stride=2)
        assert size <= skip
        size = double_conv(size)
    return size


@settings(max_examples=40)
@given(st.data(), st.integers(1, 3), st.booleans())
def test_unet_output_size_follows_the_arithmetic(data, depth, padded):
    model = unet(padded, depth=depth, base_channels=1)
    if padded:  # sizes divisible by 2**depth
        height, width = (data.draw(st.integers(1, 8)) * 2**depth for _ in range(2))
    else:
        height, width = (data.draw(st.integers(1, 120)) for _ in range(2))
    try:
        expected = tuple(unet_output_size(n, depth, padded) for n in (height, width))
    except ValueError:  # a layer's kernel is larger than its input
        with pytest.raises(RuntimeError), torch.no_grad():
            model(torch.zeros(1, 1, height, width))
        return
    with torch.no_grad():
        assert model(torch.zeros(1, 1, height, width)).shape == (1, 2, *expected)


# torchvision's names ------------------------------------------------------------------


def param_keys(prefix, indices):
    return {f"{prefix}.{i}.{kind}" for i in indices for kind in ("weight", "bias")}


def test_alexnet_state_dict_keys(built):
    expected = param_keys("features", [0, 3, 6, 8, 10]) | param_keys("classifier", [1, 4, 6])
    assert set(built("alexnet").state_dict()) == expected
    assert built("alexnet").state_dict()["features.0.weight"].shape == (64, 3, 11, 11)


def test_vgg16_state_dict_keys(built):
    convs = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]
    expected = param_keys("features", convs) | param_keys("classifier", [0, 3, 6])
    state = built("vgg16").state_dict()
    assert set(state) == expected
    assert state["classifier.6.bias"].shape == (1000,)
    assert state["classifier.0.weight"].shape == (4096, 512 * 7 * 7)


BATCH_NORM = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


@pytest.mark.parametrize(
    ("name", "n_keys", "present", "absent"),
    [
        (
            "resnet18",
            122,  # stem 1 + 5, 8 blocks x 12, 3 shortcuts x 6, fc 2
            {
                "conv1.weight": (64, 3, 7, 7),
                "layer1.0.conv1.weight": (64, 64, 3, 3),
                "layer2.0.downsample.0.weight": (128, 64, 1, 1),
                "layer4.1.conv2.weight": (512, 512, 3, 3),
                "layer4.1.bn2.running_var": (512,),
                "fc.weight": (1000, 512),
                "fc.bias": (1000,),
            },
            ["conv1.bias", "layer1.0.downsample.0.weight", "layer1.0.conv3.weight"],
        ),
        (
            "resnet50",
            320,  # stem 1 + 5, 16 blocks x 18, 4 shortcuts x 6, fc 2
            {
                "layer1.0.downsample.0.weight": (256, 64, 1, 1),
                "layer1.0.downsample.1.running_mean": (256,),
                "layer2.0.conv2.weight": (128, 128, 3, 3),
                "layer3.5.conv3.weight": (1024, 256, 1, 1),
                "layer4.2.bn3.bias": (2048,),
                "fc.weight": (1000, 2048),
            },
            ["layer1.1.downsample.0.weight", "layer3.6.conv1.weight"],
        ),
    ],
)
def test_resnet_state_dict_keys(built, name, n_keys, present, absent):
    state = built(name).state_dict()
    assert len(state) == n_keys
    assert {key: tuple(state[key].shape) for key in present} == present
    assert not set(absent) & set(state)
    assert all(f"bn1.{kind}" in state for kind in BATCH_NORM)


def test_resnet50_puts_the_stride_on_the_3x3_convolution(built):
    model = built("resnet50")
    for stage in (model.layer2, model.layer3, model.layer4):
        first = stage[0]
        assert isinstance(first, Bottleneck)
        assert (first.conv1.stride, first.conv2.stride, first.conv3.stride) == (
            (1, 1),
            (2, 2),
            (1, 1),
        )
        assert first.downsample[0].stride == (2, 2)
        assert all(block.downsample is None for block in stage[1:])


# Initialisation -----------------------------------------------------------------------


def assert_std(tensor, expected):
    assert tensor.std().item() == pytest.approx(expected, rel=0.05)
    assert abs(tensor.mean().item()) < 0.1 * expected


def test_initialisation(built):
    resnet = built("resnet18")
    assert_std(resnet.conv1.weight, (2 / (64 * 7 * 7)) ** 0.5)  # He, fan_out
    assert torch.all(resnet.layer3[1].bn2.weight == 1)
    assert torch.all(resnet.layer3[1].bn2.bias == 0)
    vgg = built("vgg16")
    assert_std(vgg.features[28].weight, (2 / (512 * 3 * 3)) ** 0.5)
    assert_std(vgg.classifier[3].weight, 0.01)
    assert torch.all(vgg.classifier[3].bias == 0)
    net = built("unet")  # the paper's sqrt(2 / N), N the inputs of one unit
    assert_std(net.encoder[1][0].weight, (2 / (9 * 64)) ** 0.5)
    assert_std(net.ups[0].weight, (2 / 1024) ** 0.5)
    assert torch.all(net.decoder[0][2].bias == 0)


# center_crop, the registry, errors -------------------------------------------------


def test_center_crop():
    skip = torch.arange(2 * 5 * 7).reshape(1, 2, 5, 7)
    out = center_crop(skip, torch.zeros(3, 2, 4))
    assert out.shape == (1, 2, 2, 4)
    # Odd differences: top = (5 - 2) // 2 = 1, left = (7 - 4) // 2 = 1.
    assert torch.equal(out, skip[..., 1:3, 1:5])
    assert torch.equal(center_crop(skip, skip), skip)
    with pytest.raises(ValueError, match=r"cannot crop skip of spatial size \(5, 7\) to \(6, 7\)"):
        center_crop(skip, torch.zeros(6, 7))


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("alexnet", AlexNet),
        ("vgg16", VGG),
        ("resnet18", ResNet),
        ("resnet50", ResNet),
        ("unet", UNet),
        ("unet-padded", UNet),
    ],
)
def test_get_model(name, cls):
    kwargs = {"base_channels": 1} if "unet" in name else {"num_classes": 3}
    model = get_model(name, **kwargs)
    assert type(model) is cls
    assert set(MODELS) == {"alexnet", "vgg16", "resnet18", "resnet50", "unet", "unet-padded"}
    if cls is UNet:
        assert model.padded is name.endswith("padded")
    if cls is ResNet:
        assert isinstance(model.layer1[0], BasicBlock if name == "resnet18" else Bottleneck)


@pytest.mark.parametrize("name", ["resnet", "VGG16", "", None, 18])
def test_get_model_unknown_name(name):
    allowed = "'alexnet', 'vgg16', 'resnet18', 'resnet50', 'unet', 'unet-padded'"
    with pytest.raises(ValueError, match=f"unknown model name {name!r}; allowed: {allowed}$"):
        get_model(name)


@pytest.mark.parametrize(
    ("build", "kwargs", "error", "message"),
    [
        (alexnet, {"num_classes": 0}, ValueError, "num_classes must be a positive int, got 0"),
        (
            vgg16,
            {"num_classes": 10.0},
            TypeError,
            r"num_classes must be a positive int, got 10\.0",
        ),
        (resnet18, {"num_classes": -1}, ValueError, "num_classes must be a positive int, got -1"),
        (unet, {"padded": "yes"}, TypeError, r"padded must be a bool, got 'yes' \(type str\)"),
        (unet, {"depth": 0}, ValueError, "depth must be a positive int, got 0"),
        (unet, {"in_channels": 0}, ValueError, "in_channels must be a positive int, got 0"),
        (unet, {"base_channels": True}, TypeError, "base_channels must be a positive int"),
    ],
)
def test_argument_errors(build, kwargs, error, message):
    with pytest.raises(error, match=message):
        build(**kwargs)


def test_padded_unet_fails_at_the_concatenation_on_indivisible_sizes():
    # No size check of its own: PyTorch's torch.cat error is what convdocs.explain_shapes
    # explains, and the guide shows.
    model = unet(padded=True, base_channels=1)
    with pytest.raises(RuntimeError, match="Sizes of tensors must match"), torch.no_grad():
        model(torch.zeros(1, 1, 100, 96))


# Tracing ------------------------------------------------------------------------------


def slicing_nodes(graph):
    return [
        node
        for node in graph.nodes
        if node.target is operator.getitem
        and isinstance(node.args[1], tuple)
        and any(isinstance(item, slice) for item in node.args[1])
    ]


@pytest.mark.parametrize("name", list(MODELS))
def test_symbolic_tracing(built, name):
    # The receptive-field code traces the models with torch.fx: they must trace, and
    # the traced module must compute what the model does.
    torch.manual_seed(0)
    model = get_model(name, base_channels=2) if "unet" in name else built(name)
    traced = torch.fx.symbolic_trace(model)
    size = 188 if name == "unet" else 64
    x = torch.randn(1, 1 if "unet" in name else 3, size, size)
    with torch.no_grad():
        torch.testing.assert_close(traced(x), model(x), rtol=0, atol=0)
    # U-Net's crops are explicit slicing in the graph, computed from the shapes.
    n_crops = len(slicing_nodes(traced.graph))
    assert n_crops == (4 if name == "unet" else 0)


def test_import_convdocs_does_not_import_models_or_torch():
    code = "import sys, convdocs; print('convdocs.models' in sys.modules, 'torch' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(("depth", "base"), [(40, 64), (40, 1), (8, 64), (25, 1)])
def test_unet_refuses_models_too_large_to_allocate(depth, base):
    # PyTorch fails on these with an allocator or overflow error, after a long wait.
    with pytest.raises(
        ValueError, match=rf"depth={depth} with base_channels={base} gives a U-Net of"
    ):
        unet(depth=depth, base_channels=base)


@pytest.mark.parametrize("args", [(1, 2, 4, 64), (3, 5, 2, 4), (1, 2, 1, 1), (2, 3, 7, 2)])
def test_unet_parameter_count_before_building_is_exact(args):
    from convdocs.models import _unet_parameters

    model = unet(False, *args)
    assert _unet_parameters(*args) == sum(p.numel() for p in model.parameters())
