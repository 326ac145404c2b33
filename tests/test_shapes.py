"""convdocs.shapes: the walked shapes against running the traced model in PyTorch."""

import operator
import re
import warnings
from html import escape

import pytest
import torch
import torch.fx
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from convdocs import explain_shapes, valid_input_sizes
from convdocs.models import MODELS, alexnet, center_crop, resnet18, unet, vgg16
from convdocs.shapes import InputSizes, ShapeReport

# --- the truth: run the traced model, node by node ------------------------------------------


class Truth:
    """Run ``model`` on a zero input: every node's shape, where it fails, and misalignment."""

    def __init__(self, model, size, channels=None):
        self.graph_module = torch.fx.symbolic_trace(model)
        self.shapes, self.failed_at, self.misaligned = {}, None, False
        truth = self

        class Recorder(torch.fx.Interpreter):
            def run_node(self, node):
                args, _ = self.fetch_args_kwargs_from_env(node)
                try:
                    out = super().run_node(node)
                except Exception:
                    truth.failed_at = truth.name(node)
                    raise
                if isinstance(out, torch.Tensor):
                    truth.shapes[truth.name(node)] = tuple(out.shape)
                    truth.check_alignment(node, args)
                return out

        if channels is None:
            channels = next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels
        x = torch.zeros(1, channels, *size)
        try:
            # PyTorch warns once about even kernels with padding="same"; not a failure
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                Recorder(self.graph_module).run(x)
        except Exception:  # noqa: BLE001 (whatever PyTorch raises, at the recorded node)
            assert self.failed_at is not None

    def name(self, node):
        return node.target if node.op == "call_module" else node.name

    def check_alignment(self, node, args):
        tensors = [a for a in args if isinstance(a, torch.Tensor)]
        if node.target is operator.getitem and tensors:
            # a crop of the spatial dimensions must drop as much on each side
            index = args[1] if isinstance(args[1], tuple) else (args[1],)
            spatial = [i for i in index if isinstance(i, slice)][-2:]
            for item, n in zip(spatial, tensors[0].shape[-2:]):
                start, stop, _ = item.indices(n)
                if stop - start != n and start != n - stop:
                    self.misaligned = True
        elif node.target in (operator.add, torch.add) and len(tensors) == 2:
            # the random networks join only maps that follow the input's size
            self.misaligned |= tensors[0].shape[-2:] != tensors[1].shape[-2:]

    @property
    def valid(self):
        return self.failed_at is None and not self.misaligned


# --- random networks: two branches joined by an addition or a cropped concatenation ----------

CHANNELS = 2


@st.composite
def layers(draw):
    kind = draw(st.sampled_from(["conv", "conv", "max", "avg", "transpose", "up", "pad"]))
    k, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    if kind == "conv":
        mode = draw(st.sampled_from(["zeros", "zeros", "reflect", "circular"]))
        padding = draw(st.sampled_from([0, 1, 2, "same"])) if s == 1 else draw(st.integers(0, 2))
        return nn.Conv2d(CHANNELS, CHANNELS, k, s, padding, d, padding_mode=mode)
    if kind == "max":
        ceil = draw(st.booleans())
        return nn.MaxPool2d(k, s, draw(st.integers(0, k // 2)), d, ceil_mode=ceil)
    if kind == "avg":
        return nn.AvgPool2d(k, s, draw(st.integers(0, k // 2)), ceil_mode=draw(st.booleans()))
    if kind == "transpose":
        extra = draw(st.integers(0, max(s, d) - 1))
        padding = draw(st.integers(0, 1))
        return nn.ConvTranspose2d(CHANNELS, CHANNELS, k, s, padding, extra, dilation=d)
    if kind == "up":
        return nn.Upsample(scale_factor=2)
    return nn.ZeroPad2d(tuple(draw(st.integers(0, 2)) for _ in range(4)))


class TwoBranches(nn.Module):
    def __init__(self, stem, left, right, join, head=None):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, CHANNELS, 1), *stem)
        self.left, self.right = nn.Sequential(*left), nn.Sequential(*right)
        self.join, self.head = join, head

    def forward(self, x):
        x = self.stem(x)
        a, b = self.left(x), self.right(x)
        if self.join == "add":
            y = a + b
        else:
            y = torch.cat([center_crop(a, b) if self.join == "crop" else a, b], dim=1)
        return y if self.head is None else self.head(torch.flatten(y, 1))


@st.composite
def networks(draw):
    chain = st.lists(layers(), max_size=3)
    join = draw(st.sampled_from(["add", "cat", "crop"]))
    head = None
    if draw(st.booleans()):  # a Linear layer sized for one input size
        channels = CHANNELS * (1 if join == "add" else 2)
        head = nn.Linear(channels * draw(st.integers(1, 30)) ** 2, 3)
    return TwoBranches(draw(chain), draw(chain), draw(chain), join, head)


sizes = st.tuples(st.integers(1, 40), st.integers(1, 40))


@settings(max_examples=300)
@given(networks(), sizes)
def test_explain_shapes_agrees_with_pytorch(model, size):
    report = explain_shapes(model, size)
    truth = Truth(model, size)
    if truth.failed_at is not None:
        assert not report.runs
        assert report.layer == truth.failed_at, report.problem
    else:
        assert report.runs, report.problem
        for step in report.steps:
            assert step.shape == truth.shapes[step.layer], step
        assert report.ok == truth.valid, report


@settings(max_examples=60)
@given(networks(), st.integers(1, 40))
def test_valid_input_sizes_equal_running_the_model(model, start):
    candidates = range(start, start + 8)
    result = valid_input_sizes(model, candidates)
    assert list(result.valid) == [n for n in candidates if Truth(model, (n, n)).valid]
    assert set(result.invalid) == set(candidates) - set(result.valid)


def runs_of(text):
    """``'12 to 14 and 20'`` -> [(12, 14), (20, 20)]."""
    return [(int(a), int(b or a)) for a, b in re.findall(r"(\d+)(?: to (\d+))?", text)]


def rule_predicate(rule):
    """The sizes a rule of valid_input_sizes describes, as a predicate (parsed back)."""
    if rule.startswith("only "):
        listed = runs_of(rule[len("only ") :])
        return lambda n: any(a <= n <= b for a, b in listed)
    main, _, extra = rule.partition(", and ")
    extras = runs_of(extra)
    start = re.search(r"from (\d+) on", main)
    first = int(start.group(1)) if start else 1
    if main.startswith("every size"):
        period, allowed = 1, {0}
    elif match := re.match(r"multiples of (\d+)", main):
        period, allowed = int(match.group(1)), {0}
        first = first if start else period
    elif match := re.match(r"(\d+)k \+ (\d+)", main):
        period, allowed = int(match.group(1)), {int(match.group(2))}
    else:
        residues, period = re.match(r"n ≡ ([\d, ]+) \(mod (\d+)\)", main).groups()
        period, allowed = int(period), {int(r) for r in residues.split(",")}
    return lambda n: (n >= first and n % period in allowed) or any(a <= n <= b for a, b in extras)


@settings(max_examples=40)
@given(networks(), st.data())
def test_the_rule_describes_the_valid_sizes(model, data):
    result = valid_input_sizes(model, [1])
    if result.rule is None or result.rule.startswith("no size"):
        return
    claims = rule_predicate(result.rule)
    checked = [data.draw(st.integers(1, result.checked_up_to)) for _ in range(6)]
    for n in checked:
        assert claims(n) == Truth(model, (n, n)).valid, (n, result.rule)


# --- the models of the site ---------------------------------------------------------------


def test_the_original_unet_takes_16k_plus_12_from_188():
    model = unet(base_channels=1)
    result = valid_input_sizes(model, range(100, 701))
    assert result.rule == "16k + 12 from 188 on"
    assert result.period == 16
    assert list(result.valid) == list(range(188, 701, 16))
    for n in (188, 190, 570, 572):  # two valid sizes and two that run off-centre
        truth = Truth(model, (n, n))
        assert truth.failed_at is None
        assert truth.valid == (n in result)


def test_the_padded_unet_takes_multiples_of_16():
    model = unet(padded=True, base_channels=1)
    result = valid_input_sizes(model, range(1, 200))
    assert result.rule == "multiples of 16"
    assert list(result.valid) == list(range(16, 200, 16))
    report = explain_shapes(model, 500)
    assert (report.runs, report.layer, report.nearest) == (False, "cat_1", (496, 512))
    assert Truth(model, (500, 500)).failed_at == "cat_1"


@pytest.mark.parametrize(
    ("build", "rule", "period"),
    [
        (vgg16, "every size from 32 on", 32),
        (resnet18, "every size", 32),
        (alexnet, "every size from 63 on", 32),
    ],
)
def test_classifiers_with_adaptive_pooling_take_every_size_past_a_minimum(build, rule, period):
    result = valid_input_sizes(build(num_classes=2), [224])
    assert (result.rule, result.period, result.valid) == (rule, period, (224,))


def test_a_linear_layer_without_adaptive_pooling_takes_a_finite_range():
    model = nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(25, 2))
    result = valid_input_sizes(model, range(1, 20))
    assert result.rule == "only 12 and 13"
    assert result.valid == (12, 13)
    report = explain_shapes(model, 20)
    assert report.layer == "3"
    assert report.problem.startswith(
        "Linear expects 25 input features in the last dimension, got 81"
    )
    assert report.nearest == (13,)


def test_report_text_names_the_layer_the_sizes_and_the_nearest_sizes():
    text = str(explain_shapes(unet(padded=True, base_channels=1), 500))
    assert "PyTorch fails at 'cat_1'" in text
    assert "spatial sizes 125x125 and 124x124 differ" in " ".join(text.split())
    assert "pools.2" in text
    assert "⌊(125 - 2)/2⌋ + 1 = 62" in text
    assert "nearest valid input sizes: 496 and 512" in text
    html = explain_shapes(unet(padded=True, base_channels=1), 500)._repr_html_()
    assert html == f"<pre>{escape(text)}</pre>"


def test_a_valid_size_lists_every_layer():
    report = explain_shapes(unet(base_channels=1), 572)
    assert report.ok
    assert report.runs
    assert not report.problem
    assert report.steps[-1].shape == (1, 2, 388, 388)
    assert isinstance(report, ShapeReport)
    assert "every layer accepts its input" in str(report)


def test_rectangular_candidates_and_membership():
    result = valid_input_sizes(unet(padded=True, base_channels=1), [(32, 48), (32, 40), 64])
    assert isinstance(result, InputSizes)
    assert result.valid == ((32, 48), 64)
    assert (32, 48) in result
    assert (32, 40) not in result
    assert len(result) == 2
    assert "(32, 40)" not in str(result)
    assert "32x48" in str(result)


# --- errors ------------------------------------------------------------------------------


class Untraceable(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3)

    def forward(self, x):
        if x.sum() > 0:  # data-dependent control flow: torch.fx cannot trace it
            return self.conv(x)
        return x


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: explain_shapes("unet", 500),
            TypeError,
            "model must be a torch.nn.Module, got 'unet'",
        ),
        (
            lambda: explain_shapes(Untraceable(), 8),
            TypeError,
            "cannot trace Untraceable with torch.fx",
        ),
        (lambda: explain_shapes(nn.ReLU(), 8), ValueError, "ReLU has no nn.ConvNd layer"),
        (
            lambda: explain_shapes(unet(base_channels=1), 0),
            ValueError,
            "input_size must be a positive int",
        ),
        (lambda: explain_shapes(unet(base_channels=1), (1, 2, 3)), ValueError, "input_size"),
        (
            lambda: valid_input_sizes(unet(base_channels=1), 500),
            TypeError,
            "candidates must be an iterable of sizes",
        ),
        (
            lambda: valid_input_sizes(unet(base_channels=1), [500, 0]),
            ValueError,
            "candidates[1] must be a positive int or a tuple of them, got 0",
        ),
    ],
)
def test_errors_name_the_argument(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("size", [(224, 224), (100, 161)])
def test_every_builtin_model_agrees_with_pytorch(name, size):
    kwargs = {"base_channels": 2} if name.startswith("unet") else {}
    model = MODELS[name](**kwargs)
    report, truth = explain_shapes(model, size), Truth(model, size)
    assert report.layer == truth.failed_at if truth.failed_at else report.runs
    for step in report.steps:
        assert step.shape == truth.shapes[step.layer]
    assert report.ok == truth.valid


class Functional(nn.Module):
    """The functional forms, sizes read from the tensor, and a view into a Linear layer."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(4, 1, 3, 3))
        self.up = nn.ConvTranspose2d(4, 4, 2, stride=2)
        self.head = nn.Linear(4 * 6 * 6, 2)

    def forward(self, x):
        x = torch.nn.functional.conv2d(x, self.weight, stride=2, padding=1)
        x = torch.nn.functional.max_pool2d(x, 3, stride=2, ceil_mode=True)
        y = torch.nn.functional.interpolate(x, scale_factor=2.0, mode="nearest")
        y = torch.nn.functional.pad(y, (0, 1, 0, 1))
        x = torch.relu(self.up(x))[..., : y.shape[-2], : y.size(-1)] + y
        x = torch.nn.functional.adaptive_avg_pool2d(x, (6, 6))
        return self.head(x.view(x.size(0), -1))


@pytest.mark.parametrize("size", [1, 2, 5, 8, 15, 16, 17, 31, (8, 9), (33, 20)])
def test_functional_forms_agree_with_pytorch(size):
    model = Functional()
    size = (size, size) if isinstance(size, int) else size
    report, truth = explain_shapes(model, size), Truth(model, size, channels=1)
    assert report.input_shape[:2] == (1, 1)
    if truth.failed_at:
        assert report.layer == truth.failed_at
    else:
        assert report.runs
        for step in report.steps:
            assert step.shape == truth.shapes[step.layer]


# --- paddings that copy pixels: PyTorch's limits, in every form they take ------------------


class _FunctionalPad(nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.conv, self.mode = nn.Conv2d(1, 1, 1), mode

    def forward(self, x):
        return torch.nn.functional.pad(self.conv(x), (4, 4, 4, 4), mode=self.mode)


def _copying_pads():
    one = nn.Conv2d(1, 1, 1)
    return [
        ("F.pad reflect", _FunctionalPad("reflect"), "larger than that"),
        ("F.pad circular", _FunctionalPad("circular"), "at least that large"),
        ("ReflectionPad2d", nn.Sequential(one, nn.ReflectionPad2d(4)), "larger than that"),
        ("CircularPad2d", nn.Sequential(one, nn.CircularPad2d(4)), "at least that large"),
        (
            "padding_mode reflect",
            nn.Sequential(nn.Conv2d(1, 1, 3, padding=4, padding_mode="reflect")),
            "larger than that",
        ),
        (
            "padding_mode circular",
            nn.Sequential(nn.Conv2d(1, 1, 3, padding=4, padding_mode="circular")),
            "at least that large",
        ),
    ]


@pytest.mark.parametrize(("name", "model", "needs"), _copying_pads(), ids=lambda v: str(v)[:24])
@pytest.mark.parametrize("size", [3, 4, 5])
def test_copied_padding_limits_match_pytorch(name, model, needs, size):
    report = explain_shapes(model, size)
    try:
        model(torch.zeros(1, 1, size, size))
    except RuntimeError:
        runs = False
    else:
        runs = True
    assert report.runs == runs, name
    if not runs:
        assert f"4 needs an input {needs} (PyTorch's rule), got size {size}" in report.problem


def test_pool_padding_above_half_the_kernel_is_refused_as_pytorch_does():
    model = nn.Sequential(nn.Conv2d(1, 1, 1), nn.MaxPool2d(3, padding=2))
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        model(torch.zeros(1, 1, 8, 8))
    report = explain_shapes(model, 8)
    assert not report.runs
    assert report.problem == (
        "padding must be at most half the kernel size, kernel_size // 2 = (1, 1) for "
        "kernel_size (3, 3), got (2, 2) (PyTorch's pooling)"
    )
