"""What convdocs needs from ``torch.fx``: tracing a model, and one interpreter over its graph.

A model is traced once into a :class:`Graph`, which sorts its nodes into a few kinds
(:func:`op_kind`) and names them. :meth:`Graph.walk` then visits the nodes in order at one
input size, the way ``torch.fx.Interpreter`` does, with a *lens* supplying what each
operation does: the shape lens of :mod:`convdocs.shapes` gives every node's value (a
:class:`Tensor`, a shape and no data) and its record (what it does to the grid:
:class:`Window`, :class:`Transposed`, :class:`Resize`, :class:`Join`, :class:`Same`,
:class:`End` or :class:`Unsupported`). Further lenses read the finished :class:`Walk`: the
field lens of :mod:`convdocs.receptive` and the cost lens of :mod:`convdocs.cost`.
PyTorch is imported only inside functions, so ``import convdocs`` does not need it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from convdocs._validate import _describe, int_tuple
from convdocs.arithmetic import torch_padding

# Operations that keep the shape of their tensor argument (and mix no positions).
ELEMENTWISE_MODULES = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "SyncBatchNorm",
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "RReLU",
    "ELU",
    "SELU",
    "CELU",
    "GELU",
    "SiLU",
    "Mish",
    "Sigmoid",
    "Tanh",
    "Hardtanh",
    "Hardswish",
    "Hardsigmoid",
    "Softplus",
    "Softsign",
    "Softshrink",
    "Hardshrink",
    "Tanhshrink",
    "Threshold",
    "LogSigmoid",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "AlphaDropout",
    "FeatureAlphaDropout",
    "Identity",
]
ELEMENTWISE_FUNCTIONS = [
    "relu",
    "relu_",
    "relu6",
    "leaky_relu",
    "leaky_relu_",
    "elu",
    "elu_",
    "selu",
    "celu",
    "gelu",
    "silu",
    "mish",
    "hardtanh",
    "hardtanh_",
    "hardswish",
    "hardsigmoid",
    "sigmoid",
    "tanh",
    "softplus",
    "softsign",
    "logsigmoid",
    "threshold",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    "batch_norm",
]
ELEMENTWISE_TORCH = [
    "relu",
    "relu_",
    "sigmoid",
    "tanh",
    "exp",
    "abs",
    "neg",
    "clamp",
    "clip",
    "square",
    "sqrt",
]
ELEMENTWISE_METHODS = [
    "relu",
    "relu_",
    "sigmoid",
    "sigmoid_",
    "tanh",
    "tanh_",
    "clamp",
    "clamp_",
    "clip",
    "contiguous",
    "clone",
    "float",
    "double",
    "half",
    "bfloat16",
    "to",
    "type_as",
    "detach",
    "abs",
    "exp",
    "neg",
    "square",
    "sqrt",
]
BINARY_OPERATORS = ["add", "iadd", "sub", "isub", "mul", "imul", "truediv", "itruediv"]
BINARY_TORCH = ["add", "sub", "mul", "div", "maximum", "minimum"]
BINARY_METHODS = ["add", "add_", "sub", "sub_", "mul", "mul_", "div", "div_"]
VIEW_METHODS = ["view", "reshape", "flatten", "squeeze", "unsqueeze"]
SPLITS = ["chunk", "split", "tensor_split", "unbind"]  # methods and torch functions
REDUCE = ["mean", "sum", "amax", "amin"]


# The arguments of each functional form after the input, in order (``conv_transpose``
# before ``conv``: the first family whose name starts a function's name is its own).
ARGUMENTS = {
    "conv_transpose": [
        "weight",
        "bias",
        "stride",
        "padding",
        "output_padding",
        "groups",
        "dilation",
    ],
    "conv": ["weight", "bias", "stride", "padding", "dilation", "groups"],
    "max_pool": ["kernel_size", "stride", "padding", "dilation", "ceil_mode"],
    "avg_pool": ["kernel_size", "stride", "padding", "ceil_mode"],
}


@dataclass(frozen=True)
class Geometry:
    """The geometry of a convolution, pooling or transposed convolution, normalised."""

    kernel: tuple
    stride: tuple
    pads: tuple  # (before, after) per spatial dimension
    dilation: tuple
    output_padding: tuple
    ceil_mode: bool = False
    channels: int | None = None  # input channels it expects (None: any)
    out_channels: int | None = None  # None: as many as it gets
    padding_mode: str = "zeros"


# What a module holds beyond its functional form's arguments.
_MODULE_ATTRIBUTES = ["kernel_size", "in_channels", "out_channels", "padding_mode", "groups"]


def bind(graph_module, node, args, kwargs, names) -> dict:
    """A layer's settings by name: a module's attributes, or a call's arguments after
    the input (``args`` and ``kwargs`` are the call's, with values for its nodes)."""
    if node.op == "call_module":
        module = graph_module.get_submodule(node.target)
        return {n: getattr(module, n) for n in names if hasattr(module, n)}
    bound = dict(zip(names, args[1:]))
    bound.update(kwargs)
    return bound


def family(graph_module, node) -> str:
    """``"conv"``, ``"conv_transpose"``, ``"max_pool"`` or ``"avg_pool"`` (the
    argument lists of ``ARGUMENTS``), from the one classification, :func:`op_kind`."""
    kind = op_kind(graph_module, node)
    if kind != "pool":
        return kind
    if node.op == "call_module":
        name = type(graph_module.get_submodule(node.target)).__name__
    else:
        name = node.target.__name__
    return "max_pool" if "max" in name.lower() else "avg_pool"


def geometry(graph_module, node, args, kwargs, ndim) -> Geometry:
    """The ``Geometry`` of a convolution, transposed convolution or pooling node.

    ``args`` and ``kwargs`` are the call's, with values in place of its nodes; a
    weight may be a tensor or just its shape.
    """
    kind = family(graph_module, node)
    names = ARGUMENTS[kind] + (_MODULE_ATTRIBUTES if node.op == "call_module" else [])
    g = bind(graph_module, node, args, kwargs, names)
    if "weight" in g:  # the weight's shape gives the kernel and the channels
        weight = tuple(getattr(g["weight"], "shape", g["weight"]))
        kernel = weight[2:]
        channels, out_channels = _channels(kind, weight, g.get("groups", 1))
    else:
        kernel, channels, out_channels = g["kernel_size"], None, None
    kernel = int_tuple("kernel_size", kernel, ndim)
    dilation = int_tuple("dilation", g.get("dilation", 1), ndim)
    stride = g.get("stride")
    if not stride:  # PyTorch's default: the kernel size for pooling, else 1
        stride = kernel if kind.endswith("pool") else 1
    return Geometry(
        kernel,
        int_tuple("stride", stride, ndim),
        torch_padding(g.get("padding", 0), kernel, dilation),
        dilation,
        int_tuple("output_padding", g.get("output_padding", 0), ndim, 0),
        bool(g.get("ceil_mode", False)),
        channels,
        out_channels,
        g.get("padding_mode", "zeros"),
    )


def _channels(kind, weight, groups) -> tuple[int, int]:
    """(input, output) channels of a convolution (``kind``) from its weight's shape."""
    if kind == "conv":  # (out, in // groups, *kernel)
        return weight[1] * groups, weight[0]
    return weight[0], weight[1] * groups  # transposed: (in, out // groups, *kernel)


def first_line(error) -> str:
    """``"TypeError: first line of the message"``, for one-line error reports."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def trace(model):
    """``torch.fx.symbolic_trace(model)``, with a ``TypeError`` naming the model on failure."""
    import torch.fx

    try:
        return torch.fx.symbolic_trace(model)
    except Exception as err:  # torch.fx raises many types; all mean "cannot trace"
        msg = f"cannot trace {type(model).__name__} with torch.fx: {first_line(err)}"
        raise TypeError(msg) from err


def input_layer(model, graph_module=None):
    """Input channels and number of spatial dimensions, from the first convolution.

    The first convolution ``graph_module`` (the traced ``model``) runs, a module or a
    functional call with a parameter as its weight; else the first one ``model`` holds.
    """
    import torch

    nodes = [] if graph_module is None else list(graph_module.graph.nodes)
    for node in nodes:
        found = _convolution_input(graph_module, node)
        if found is not None:
            return found
    for module in model.modules():
        if isinstance(module, torch.nn.modules.conv._ConvNd):
            return module.in_channels, len(module.kernel_size)
    msg = (
        "cannot tell the input's channels and dimensions: "
        f"{type(model).__name__} has no nn.ConvNd layer"
    )
    raise ValueError(msg)


def _convolution_input(graph_module, node):
    """(input channels, spatial dimensions) if ``node`` is a convolution whose weight is
    known before the model runs (a module's, or a parameter), else None."""
    import torch.fx

    kind = op_kind(graph_module, node)
    if kind not in ("conv", "conv_transpose"):
        return None

    def parameters_only(n):  # the values of other nodes are not known yet
        return attribute(graph_module, n.target) if n.op == "get_attr" else None

    args, kwargs = torch.fx.node.map_arg((node.args, node.kwargs), parameters_only)
    g = bind(graph_module, node, args, kwargs, ARGUMENTS[kind])
    if g.get("weight") is None:
        return None
    weight, groups = tuple(g["weight"].shape), g.get("groups", 1)
    return _channels(kind, weight, groups if isinstance(groups, int) else 1)[0], len(weight) - 2


def attribute(graph_module, target):
    """The module attribute a ``get_attr`` node reads (``"layer1.0.weight"``)."""
    value = graph_module
    for part in target.split("."):
        value = getattr(value, part)
    return value


def eval_mode(model):
    """Put ``model`` in evaluation mode; return a function that restores its modes."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()

    def restore():
        for m, mode in modes:
            m.training = mode

    return restore


def op_kind(graph_module, node) -> str | None:
    """What a traced node does, as one of a few kinds the lenses handle.

    ``"conv"``, ``"conv_transpose"``, ``"pool"``, ``"adaptive_pool"``, ``"interpolate"``,
    ``"pixel_shuffle"``, ``"pixel_unshuffle"``, ``"pad"`` (constant), ``"pad_copy"`` (reflect, replicate, circular), ``"linear"``,
    ``"batch_norm"``, ``"softmax"``, ``"elementwise"``, ``"binary"``, ``"cat"``,
    ``"getitem"``, ``"getattr"``, ``"size"``, ``"view"``, ``"reduce"``, ``"split"`` (chunk,
    split, tensor_split, unbind: several tensors), ``"permute"``, ``"layer_norm"``; None for
    anything else (a placeholder, a parameter, an operation no lens knows).
    """
    if node.op == "call_module":
        return _module_kind(graph_module.get_submodule(node.target))
    if node.op == "call_method":
        for names, kind in (
            (("size", "dim", "numel"), "size"),
            (ELEMENTWISE_METHODS, "elementwise"),
            (BINARY_METHODS, "binary"),
            (VIEW_METHODS, "view"),
            (REDUCE, "reduce"),
            (SPLITS, "split"),
            (["permute"], "permute"),
        ):
            if node.target in names:
                return kind
        return None
    if node.op == "call_function":
        return next((kind for kind, f in _function_kinds() if node.target is f), None)
    return None


def _module_kind(module) -> str | None:
    import torch

    nn = torch.nn
    table = [
        (nn.modules.conv._ConvTransposeNd, "conv_transpose"),
        (nn.modules.conv._ConvNd, "conv"),
        ((nn.modules.pooling._MaxPoolNd, nn.modules.pooling._AvgPoolNd), "pool"),
        (
            (nn.modules.pooling._AdaptiveAvgPoolNd, nn.modules.pooling._AdaptiveMaxPoolNd),
            "adaptive_pool",
        ),
        (nn.Upsample, "interpolate"),
        (nn.PixelShuffle, "pixel_shuffle"),
        (nn.PixelUnshuffle, "pixel_unshuffle"),
        (nn.Flatten, "view"),
        (nn.modules.padding._ConstantPadNd, "pad"),
        (
            (
                nn.modules.padding._ReflectionPadNd,
                nn.modules.padding._ReplicationPadNd,
                nn.modules.padding._CircularPadNd,
            ),
            "pad_copy",
        ),
        ((nn.Softmax, nn.LogSoftmax, nn.Softmin), "softmax"),
        (nn.Linear, "linear"),
        (nn.LayerNorm, "layer_norm"),
        (nn.modules.batchnorm._BatchNorm, "batch_norm"),
    ]
    for types, kind in table:
        if isinstance(module, types):
            return kind
    name = type(module).__name__
    if name in ELEMENTWISE_MODULES and type(module).__module__.startswith("torch.nn"):
        return "elementwise"
    return None


@functools.cache
def _function_kinds() -> tuple:
    """(kind, function) pairs for the functions a traced graph may call."""
    import builtins
    import operator

    import torch

    functional = torch.nn.functional

    dims = (1, 2, 3)
    pairs = [
        ("getitem", operator.getitem),
        ("getattr", builtins.getattr),
        ("cat", torch.cat),
        ("cat", torch.concat),
        ("cat", torch.concatenate),
        ("interpolate", functional.interpolate),
        ("interpolate", functional.upsample),
        ("pixel_shuffle", functional.pixel_shuffle),  # torch.pixel_shuffle is the same
        ("pixel_unshuffle", functional.pixel_unshuffle),
        ("pad", functional.pad),
        ("permute", torch.permute),
        ("layer_norm", functional.layer_norm),
        ("softmax", functional.softmax),
        ("softmax", functional.log_softmax),
        ("softmax", torch.softmax),
    ]
    families = [
        (BINARY_OPERATORS, "binary", operator),
        (BINARY_TORCH, "binary", torch),
        ([f"conv{n}d" for n in dims], "conv", functional),
        ([f"conv_transpose{n}d" for n in dims], "conv_transpose", functional),
        ([f"{p}_pool{n}d" for p in ("max", "avg") for n in dims], "pool", functional),
        (
            [f"adaptive_{p}_pool{n}d" for p in ("max", "avg") for n in dims],
            "adaptive_pool",
            functional,
        ),
        (["flatten", "reshape", "squeeze", "unsqueeze"], "view", torch),
        (REDUCE, "reduce", torch),
        (SPLITS, "split", torch),
        (ELEMENTWISE_FUNCTIONS, "elementwise", functional),
        (ELEMENTWISE_TORCH, "elementwise", torch),
    ]
    for names, kind, namespace in families:
        pairs += [(kind, getattr(namespace, n)) for n in names if hasattr(namespace, n)]
    return tuple(pairs)


# --- what a node does to the grid: one record per node, read by both lenses -----------------
# Per spatial dimension, tuples. A pad is a window of kernel 1 (``before`` pixels added), a
# crop ``x[start::step]`` a window of kernel 1 with ``before = -start``. A pixel shuffle by
# ``r`` moves input unit ``u`` to units ``u*r .. u*r + r - 1`` (in other channels): for
# positions, a nearest Resize by ``r``; a pixel unshuffle, a window of kernel and stride ``r``.


@dataclass(frozen=True)
class Window:
    """Unit ``u`` reads input units ``u*stride - before + j*dilation``, ``0 <= j < kernel``."""

    kernel: tuple
    stride: tuple
    before: tuple
    dilation: tuple


@dataclass(frozen=True)
class Transposed:
    """Unit ``v`` is reached by input units ``u`` with ``v = u*stride - before + j*dilation``."""

    kernel: tuple
    stride: tuple
    before: tuple
    dilation: tuple


@dataclass(frozen=True)
class Resize:
    """An upsampling by integer factors: ``"nearest"``, or ``"linear"`` (half-pixel centres)."""

    factors: tuple
    mode: str = "nearest"


@dataclass(frozen=True)
class Join:
    """Tensors of the same grid combined (an addition, a concatenation of channels)."""


@dataclass(frozen=True)
class Same:
    """Changes no position (activations, normalisation, channel-only views)."""


@dataclass(frozen=True)
class End:
    """Ends the spatial structure: every unit depends on every position (flatten, pooling
    to a fixed size, a reduction over a spatial dimension)."""


@dataclass(frozen=True)
class Unsupported:
    """Convdocs cannot say which positions the output depends on: ``reason`` says why."""

    reason: str


def pad_pairs(pad, rank) -> list:
    """``F.pad``'s flat list, which starts at the last dimension, as ``(before, after)``
    pairs for each of ``rank`` dimensions, first dimension first."""
    pad = list(pad) + [0] * (2 * rank - len(pad))
    return [(pad[2 * i], pad[2 * i + 1]) for i in range(rank)][::-1]


def expand_ellipsis(items, rank) -> tuple:
    """An index tuple with its ``...`` replaced by as many full slices as it stands for."""
    used = sum(1 for i in items if i is not None and i is not Ellipsis)
    if Ellipsis not in items:
        return tuple(items)
    at = items.index(Ellipsis)
    return (*items[:at], *(slice(None),) * (rank - used), *items[at + 1 :])


# --- the interpreter: one walk of the graph at one input size --------------------------------


class Fail(Exception):
    """PyTorch would raise at this node: the message says why."""


@dataclass(frozen=True)
class Tensor:
    """A tensor of the walk: its shape, and whether its spatial size follows the input's."""

    shape: tuple
    varies: bool
    # Where the spatial dimensions are when a permute moved them from the last places
    # (channels-last blocks); None: the last ones, as convolutions read them.
    moved: tuple | None = None

    @classmethod
    def placed(cls, shape, varies, dims, ndim) -> Tensor:
        """A tensor whose spatial dimensions are at ``dims`` (``moved`` only when those
        are not the last ones)."""
        last = tuple(range(len(shape) - ndim, len(shape)))
        return cls(shape, varies, None if tuple(dims) == last else tuple(dims))

    def spatial_dims(self, ndim) -> tuple:
        rank = len(self.shape)
        return self.moved if self.moved is not None else tuple(range(rank - ndim, rank))

    def spatial(self, ndim) -> tuple:
        if self.moved is None:  # the common case, on every node of every walk
            return self.shape[len(self.shape) - ndim :]
        return tuple(self.shape[d] for d in self.moved)


@dataclass
class Walk:
    """One walk at one input size: what the lens found for each node."""

    explain: bool  # whether the shape lens writes its steps (explanations) too
    values: dict = field(default_factory=dict)  # node -> Tensor, or a plain value (a size)
    records: dict = field(default_factory=dict)  # node -> what it does to the grid
    steps: dict = field(default_factory=dict)  # node -> its shapes.ShapeStep
    down: dict = field(default_factory=dict)  # node -> the down-sampling of its grid
    misaligned: list = field(default_factory=list)  # (node, message) pairs


class Graph:
    """A traced model: its nodes in order, their kinds and names, and the walk over them."""

    def __init__(self, model):
        import torch

        if not isinstance(model, torch.nn.Module):
            msg = f"model must be a torch.nn.Module, got {_describe(model)}"
            raise TypeError(msg)
        self.torch = torch
        self.model_name = type(model).__name__
        self.graph_module = trace(model)
        inputs = [
            n.target for n in self.graph_module.graph.nodes if n.op == "placeholder" and not n.args
        ]
        if len(inputs) > 1:
            msg = (
                f"{self.model_name} takes {len(inputs)} tensor inputs ({', '.join(inputs)}); "
                "convdocs follows models with one input tensor"
            )
            raise ValueError(msg)
        self.channels, self.ndim = input_layer(model, self.graph_module)
        self.nodes = [n for n in self.graph_module.graph.nodes if n.op != "output"]
        self.output = next(n for n in self.graph_module.graph.nodes if n.op == "output")
        self.modules = {
            n: self.graph_module.get_submodule(n.target)
            for n in self.nodes
            if n.op == "call_module"
        }
        self.kinds = {n: self._kind(n) for n in self.nodes}
        self.op_kinds = {n: op_kind(self.graph_module, n) for n in self.nodes}

    # --- naming ---

    def _kind(self, node) -> str:
        if node.op == "call_module":
            return type(self.modules[node]).__name__
        return getattr(node.target, "__name__", str(node.target))

    def name(self, node) -> str:
        """A submodule's path (``'layer1.0.conv1'``), else the node's name (``'add_3'``)."""
        return node.target if node.op == "call_module" else node.name

    def where(self, node, message) -> str:
        return f"'{self.name(node)}': {message}"

    def label(self, node) -> str:
        """The kind of a node, as messages and tables name it."""
        if node.op == "call_method":
            return f"method {node.target}"
        return self.kinds[node].strip("_") if self.op_kinds[node] == "binary" else self.kinds[node]

    def unsupported(self, node) -> Unsupported:
        """The record of an operation no lens knows, with the field lens's reason."""
        if node.op == "call_module":
            what = f"{self.kinds[node]} is not a layer convdocs knows"
        elif node.op == "call_method":
            what = f"method .{node.target}() is not an operation convdocs knows"
        else:
            what = f"{self.kinds[node]} is not an operation convdocs knows"
        return Unsupported(f"{what}; convdocs cannot compute its receptive field")

    def layer_ndim(self, node) -> int:
        """Spatial dimensions of a convolution or pooling: its kernel's, else its name's
        (``MaxPool2d``, ``F.avg_pool1d``)."""
        module = self.modules.get(node)
        kernel = getattr(module, "kernel_size", None)
        if isinstance(module, self.torch.nn.modules.conv._ConvNd) and isinstance(kernel, tuple):
            return len(kernel)
        name = self.kinds[node]
        return int(name[-2]) if name[-2:] in ("1d", "2d", "3d") else self.ndim

    def input_shape(self, input_size) -> tuple:
        return (1, self.channels, *input_size)

    # --- walking ---

    def walk(self, lens, input_size, explain=True):
        """Visit every node at ``input_size``: the ``Walk``, and the node and message of
        the first failure (or None). ``lens.placeholder(node, walk, input_size)`` gives
        the input's value, ``lens.call(node, walk, args, kwargs)`` every operation's."""
        walk = Walk(explain)
        for node in self.nodes:
            try:
                walk.values[node] = self._visit(lens, node, walk, input_size)
            except Fail as err:
                return walk, (node, str(err))
        return walk, None

    def _visit(self, lens, node, walk, input_size):
        if node.op == "placeholder":  # the input tensor, or an argument's default value
            return node.args[0] if node.args else lens.placeholder(node, walk, input_size)
        if node.op == "get_attr":
            value = attribute(self.graph_module, node.target)
            if isinstance(value, self.torch.Tensor):
                return Tensor(tuple(value.shape), varies=False)
            return value
        args, kwargs = self.arguments(node, walk)
        # a lens covers its forms of the call and hands the others to PyTorch itself:
        # an exception here is a bug in convdocs, never a verdict on the model
        return lens.call(node, walk, args, kwargs)

    def runs(self, lens, input_size) -> Walk:
        """The walk at ``input_size``, which must succeed: the other lenses read it."""
        walk, failure = self.walk(lens, input_size, explain=False)
        if failure is not None:
            msg = (
                f"{self.model_name} cannot run on an input of shape "
                f"{self.input_shape(input_size)}: {self.where(*failure)}"
            )
            raise ValueError(msg)
        return walk

    def arguments(self, node, walk):
        """``node``'s arguments with the walk's values in place of other nodes."""
        value = walk.values.__getitem__
        return (
            self.torch.fx.node.map_arg(node.args, value),
            self.torch.fx.node.map_arg(node.kwargs, value),
        )
