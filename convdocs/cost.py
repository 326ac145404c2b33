r"""What a convolution costs: parameters and multiply-accumulate operations (MACs).

:func:`convdocs.conv_parameters` counts the weights of a convolution layer from its
settings, :func:`convdocs.conv_cost` adds the multiply-accumulates it performs on one
input, and :func:`convdocs.model_cost` gives both for every layer of a network.

A convolution with :math:`C_\text{in}` input channels, :math:`C_\text{out}` output
channels, :math:`g` groups and a kernel of :math:`\prod_j k_j` taps connects each output
channel to :math:`C_\text{in}/g` input channels only, so it holds

.. math::

    N_\text{params} = C_\text{out} \cdot \frac{C_\text{in}}{g} \cdot \prod_j k_j
        \; + \; C_\text{out} \cdot [\text{bias}]

parameters, and each output value is one dot product of :math:`C_\text{in}/g \cdot \prod_j
k_j` pairs: the layer performs (weights) times (output positions) multiply-accumulates. A
transposed convolution (the gradient of a convolution) does the same work per *input*
position instead. These are the numbers ``torch.utils.flop_counter.FlopCounterMode``
counts (it reports FLOPs, two per MAC, and leaves the bias out).

How :func:`convdocs.model_cost` works: the model is traced and walked once by the shape
lens of :mod:`convdocs.shapes`, which computes the shape of every tensor with
:mod:`convdocs.arithmetic` without running a layer; the cost lens reads each
convolution's and linear layer's weight and the shapes around it from that walk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from convdocs import _fx
from convdocs._text import aligned, shape_text, size_text
from convdocs._validate import check_bool, check_int, int_tuple, padding_ndim, spatial_ndim
from convdocs.arithmetic import conv_output_size, conv_transpose_output_size

__all__ = ["LayerCost", "ModelCost", "conv_cost", "conv_parameters", "model_cost"]

# Parametrised layers that perform no matrix product: FlopCounterMode counts 0 for them.
_NO_MACS = {
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "SyncBatchNorm",
    "GroupNorm",
    "LayerNorm",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "LocalResponseNorm",
    "PReLU",
}


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerCost:
    """One layer's parameters and MACs on one input (see :func:`convdocs.conv_cost`).

    Attributes
    ----------
    layer : str
        The submodule's name (``'layer1.0.conv1'``) or traced node's name; empty for
        :func:`convdocs.conv_cost`.
    kind : str
        ``'Conv2d'``, ``'ConvTranspose1d'``, ``'Linear'``, ``'BatchNorm2d'``, ...
    parameters : int
        The parameters the layer holds (a parameter shared by several layers is
        counted at its first use only).
    macs : int or None
        Multiply-accumulate operations for one input (batch of 1); 0 for layers
        without a matrix product (normalisation, activations, pooling, additions);
        None for a parametrised layer whose work convdocs does not count.
    input_shape : tuple of int
        The shape of the layer's input, batch and channels included.
    output_shape : tuple of int
        The shape of the layer's output, batch and channels included.
    """

    layer: str
    kind: str
    parameters: int
    macs: int | None
    input_shape: tuple = ()
    output_shape: tuple = ()

    @property
    def flops(self) -> int | None:
        """``2 * macs``: the floating-point operations FlopCounterMode reports."""
        return None if self.macs is None else 2 * self.macs

    def __str__(self) -> str:
        name = f"{self.layer} ({self.kind})" if self.layer else self.kind
        return (
            f"{name}: {self.parameters:,} parameters, {_macs(self.macs)} MACs, "
            f"{_shape(self.input_shape)} -> {_shape(self.output_shape)}"
        )

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"


@dataclass(frozen=True)
class ModelCost:
    """Parameters and MACs of every layer of a network (see :func:`convdocs.model_cost`).

    ``cost["layer1.0.conv1"]`` gives the :class:`~convdocs.cost.LayerCost` of a layer by name;
    iterating gives every layer in the order the model runs them.

    Attributes
    ----------
    model : str
        The model's class name.
    input_shape : tuple of int
        The shape walked, ``(1, channels, *input_size)``.
    layers : tuple of LayerCost
        Every layer that holds parameters or multiplies by weights, in order; a last
        row ``'(not in the graph)'`` holds parameters the traced forward never reads.
    parameters : int
        All parameters of the model, each counted once:
        ``sum(p.numel() for p in model.parameters())``.
    macs : int
        The multiply-accumulates of one input through every convolution and linear
        layer (the layers whose ``macs`` is None are left out; see ``uncounted``).
    uncounted : tuple of str
        The layers whose work convdocs does not count (``macs`` is None).
    """

    model: str
    input_shape: tuple
    layers: tuple
    parameters: int
    macs: int
    uncounted: tuple = ()

    @property
    def flops(self) -> int:
        """``2 * macs``: the floating-point operations FlopCounterMode reports."""
        return 2 * self.macs

    def __getitem__(self, name) -> LayerCost:
        for layer in self.layers:
            if layer.layer == name:
                return layer
        known = ", ".join(repr(layer.layer) for layer in self.layers[:6])
        msg = f"{self.model} has no layer named {name!r} with a cost; the first are {known}"
        raise KeyError(msg)

    def __iter__(self):
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def __str__(self) -> str:
        head = (
            f"{self.model} on a {size_text(self.input_shape)} input: "
            f"{self.parameters:,} parameters, {self.macs:,} MACs"
        )
        rows = [("layer", "kind", "output shape", "parameters", "MACs")]
        rows += [
            (c.layer, c.kind, _shape(c.output_shape), f"{c.parameters:,}", _macs(c.macs))
            for c in self.layers
        ]
        rows.append(("total", "", "", f"{self.parameters:,}", f"{self.macs:,}"))
        lines = [head, *aligned(rows, right=(3, 4), indent="  ")]
        if self.uncounted:
            lines.append(f"  MACs not counted for: {', '.join(self.uncounted)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"


def _shape(shape) -> str:
    return shape_text(shape) if shape else "-"


def _macs(macs) -> str:
    return "?" if macs is None else f"{macs:,}"


# --- one layer -------------------------------------------------------------------------------


def _check_groups(in_channels, out_channels, groups) -> tuple[int, int, int]:
    """The checked channel counts and groups, with PyTorch's divisibility rules."""
    in_channels = check_int("in_channels", in_channels)
    out_channels = check_int("out_channels", out_channels)
    groups = check_int("groups", groups)
    for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels % groups:
            msg = (
                f"{name} must be divisible by groups, got {name}={channels} and "
                f"groups={groups}; allowed: groups that divide both {in_channels} and "
                f"{out_channels} ({_divisors(in_channels, out_channels)})"
            )
            raise ValueError(msg)
    return in_channels, out_channels, groups


def _divisors(a, b) -> str:
    """``'1, 2, 4 or 8'``: the common divisors of two ints (the smallest few and the
    largest, in bounded time however large the ints)."""
    g = math.gcd(a, b)
    found = [d for d in range(1, min(g, 64) + 1) if g % d == 0]
    if g > 64:
        found += ["...", g]  # the ones between are not searched for
    *rest, last = map(str, found)
    return f"{', '.join(rest)} or {last}" if rest else last


def conv_parameters(in_channels, out_channels, kernel_size, groups=1, bias=True):
    r"""Number of parameters of a convolution layer (direct or transposed).

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the layer's input and output, at least 1.
    kernel_size : int or tuple of int
        Kernel taps per spatial dimension (one int per dimension, any number of them).
    groups : int, default 1
        Number of groups: each output channel sees ``in_channels / groups`` input
        channels. Must divide both channel counts; ``groups = in_channels`` is a
        depthwise convolution.
    bias : bool, default True
        Whether the layer adds a learned bias per output channel.

    Returns
    -------
    int
        ``out_channels * (in_channels // groups) * prod(kernel_size)``, plus
        ``out_channels`` with a bias: what ``sum(p.numel() for p in layer.parameters())``
        gives for ``torch.nn.Conv2d`` and ``torch.nn.ConvTranspose2d`` alike.

    Raises
    ------
    TypeError
        If a channel count, a kernel size or ``groups`` is not an int, or ``bias`` is
        not a bool.
    ValueError
        If a value is below 1, or ``groups`` does not divide both channel counts.

    See Also
    --------
    conv_cost : The parameters and the multiply-accumulates on a given input.
    model_cost : Both, for every layer of a network.

    Notes
    -----
    Each of the :math:`C_\text{out}` filters has one kernel of :math:`\prod_j k_j` taps
    per input channel of its group, :math:`C_\text{in}/g` of them:

    .. math::

        N_\text{params} = C_\text{out} \cdot \frac{C_\text{in}}{g} \cdot \prod_j k_j
            + C_\text{out} \cdot [\text{bias}].

    A transposed convolution stores its weight as
    :math:`(C_\text{in}, C_\text{out}/g, k_1, \dots)`: the same number of entries.

    Examples
    --------
    A 3x3 convolution from 64 to 128 channels, full and in 4 groups, and a depthwise
    3x3 convolution on 64 channels:

    >>> from convdocs import conv_parameters
    >>> conv_parameters(64, 128, (3, 3))
    73856
    >>> conv_parameters(64, 128, (3, 3), groups=4)
    18560
    >>> conv_parameters(64, 64, (3, 3), groups=64, bias=False)
    576
    """
    in_channels, out_channels, groups = _check_groups(in_channels, out_channels, groups)
    ndim = len(kernel_size) if isinstance(kernel_size, (tuple, list)) else 1
    kernel = int_tuple("kernel_size", kernel_size, ndim)
    bias = check_bool("bias", bias)
    return out_channels * (in_channels // groups) * math.prod(kernel) + out_channels * bias


def conv_cost(
    in_channels,
    out_channels,
    kernel_size,
    input_size=None,
    *,
    output_size=None,
    stride=None,
    padding=None,
    dilation=None,
    output_padding=None,
    groups=1,
    bias=True,
    transposed=False,
):
    r"""Parameters and multiply-accumulates (MACs) of one convolution layer on one input.

    Give the ``input_size`` (and the layer's ``stride``, ``padding``, ``dilation``), from
    which :func:`convdocs.conv_output_size` or :func:`convdocs.conv_transpose_output_size`
    computes the output size; or, for a direct convolution, the ``output_size`` itself.
    Ints stand for one spatial dimension: pass ``(224, 224)`` for an image.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the layer's input and output, at least 1.
    kernel_size : int or tuple of int
        Kernel taps per spatial dimension.
    input_size : int or tuple of int, optional
        Spatial size of the input (any number of dimensions: 1-D, 2-D, 3-D, ...).
    output_size : int or tuple of int, optional, keyword-only
        Spatial size of the output, in place of ``input_size`` (direct convolutions
        only: a transposed convolution's work is counted per input position).
    stride, padding, dilation, output_padding : optional, keyword-only
        As for :func:`convdocs.conv_output_size` (``output_padding`` as for
        :func:`convdocs.conv_transpose_output_size`): default 1, 0, 1 and 0. Only with
        ``input_size``.
    groups : int, default 1
        Number of groups; must divide both channel counts.
    bias : bool, default True
        Whether the layer has a bias (counted in the parameters, not in the MACs).
    transposed : bool, default False
        A transposed convolution (``torch.nn.ConvTranspose2d`` and its kin).

    Returns
    -------
    LayerCost
        ``parameters``, ``macs`` (for a batch of one), ``flops`` (``2 * macs``),
        ``input_shape`` and ``output_shape`` as ``(1, channels, *size)``.

    Raises
    ------
    TypeError
        If an argument has the wrong type (a float size, a bool channel count, ...).
    ValueError
        If a value is out of range, ``groups`` does not divide both channel counts,
        the kernel does not fit the padded input, neither or both of ``input_size``
        and ``output_size`` are given, ``output_size`` comes with ``stride``,
        ``padding``, ``dilation`` or ``output_padding``, or with ``transposed``, or
        ``output_padding`` with a direct convolution.

    See Also
    --------
    conv_parameters : The parameters alone (they do not depend on the input size).
    model_cost : The cost of every layer of a network.

    Notes
    -----
    Every output value of a direct convolution is a dot product of
    :math:`C_\text{in}/g \cdot \prod_j k_j` input values (padding included) with a
    filter, so with output size :math:`o_1 \times o_2 \times \dots`

    .. math::

        \text{MACs} = C_\text{out} \cdot \frac{C_\text{in}}{g} \cdot \prod_j k_j
            \cdot \prod_j o_j ,

    the weight count times the output positions. A transposed convolution adds one
    copy of its :math:`C_\text{in} \times C_\text{out}/g \times \prod_j k_j` weights,
    scaled by the input value, per *input* position :math:`i_1 \times i_2 \times \dots`:
    the same formula with :math:`\prod_j i_j` in place of :math:`\prod_j o_j` (padding
    and ``output_padding`` crop or extend the output, not the work). Both are what
    ``torch.utils.flop_counter.FlopCounterMode`` counts, as ``2 * MACs`` FLOPs; the
    bias (one addition per output value) is not counted.

    Examples
    --------
    ResNet's first layer, a 7x7 convolution with stride 2 on a 224x224 RGB image:

    >>> from convdocs import conv_cost
    >>> cost = conv_cost(3, 64, (7, 7), (224, 224), stride=2, padding=3, bias=False)
    >>> cost.output_shape, cost.parameters, cost.macs
    ((1, 64, 112, 112), 9408, 118013952)

    Groups divide both the parameters and the MACs, and leave the shapes alone:

    >>> conv_cost(64, 64, (3, 3), output_size=(56, 56), groups=64, bias=False).macs
    1806336
    >>> print(conv_cost(16, 8, 4, 100, stride=2, padding=1, transposed=True))
    ConvTranspose1d: 520 parameters, 51,200 MACs, (1, 16, 100) -> (1, 8, 200)
    """
    parameters = conv_parameters(in_channels, out_channels, kernel_size, groups, bias)
    in_channels, out_channels, groups = _check_groups(in_channels, out_channels, groups)
    bias, transposed = check_bool("bias", bias), check_bool("transposed", transposed)
    settings = {"stride": stride, "padding": padding, "dilation": dilation}
    if transposed:
        settings["output_padding"] = output_padding
    elif output_padding is not None:
        msg = "output_padding applies to transposed convolutions only (transposed=True)"
        raise ValueError(msg)
    if (input_size is None) == (output_size is None):
        msg = "give exactly one of input_size and output_size"
        raise ValueError(msg)
    if output_size is None:
        size = _input_size(input_size, kernel_size, settings)
        function = conv_transpose_output_size if transposed else conv_output_size
        out = function(size, kernel_size, **_with_defaults(settings))
    else:
        _check_output_size_alone(settings, transposed)
        size = None
        ndim = spatial_ndim(kernel_size=kernel_size, output_size=output_size) or 1
        out = int_tuple("output_size", output_size, ndim)
    weights = parameters - out_channels * bias
    return LayerCost(
        layer="",
        kind=f"Conv{'Transpose' if transposed else ''}{len(out)}d",
        parameters=parameters,
        macs=weights * math.prod(size if transposed else out),
        input_shape=(1, in_channels, *size) if size else (),
        output_shape=(1, out_channels, *out),
    )


def _with_defaults(settings) -> dict:
    defaults = {"stride": 1, "padding": 0, "dilation": 1, "output_padding": 0}
    return {name: defaults[name] if v is None else v for name, v in settings.items()}


def _input_size(input_size, kernel_size, settings) -> tuple:
    """``input_size`` as a checked tuple, its length that of the tuple-valued settings
    (checked here, before the arithmetic, so that an error names ``input_size``)."""
    given = _with_defaults(settings)
    padding = given.pop("padding")
    ndim = spatial_ndim(input_size=input_size, kernel_size=kernel_size, **given)
    return int_tuple("input_size", input_size, ndim or padding_ndim(padding) or 1)


def _check_output_size_alone(settings, transposed) -> None:
    """Refuse ``output_size`` where it cannot give the MACs, or with settings it ignores."""
    if transposed:
        msg = (
            "a transposed convolution's MACs are counted per input position: give "
            "input_size (and its stride, padding, ...) instead of output_size"
        )
        raise ValueError(msg)
    given = [name for name, value in settings.items() if value is not None]
    if given:
        msg = (
            f"{' and '.join(given)} can only be given with input_size: output_size "
            "already fixes the output"
        )
        raise ValueError(msg)


# --- every layer of a network ----------------------------------------------------------------


def model_cost(model, input_size):
    r"""Parameters and multiply-accumulates (MACs) of every layer of a network.

    The model is traced with ``torch.fx`` and its shapes walked for ``input_size`` as
    :func:`convdocs.explain_shapes` does (no layer runs); each convolution (direct or
    transposed, 1-D to 3-D, grouped or not, a module or a ``F.conv2d`` call) and each
    linear layer then gives its weights and MACs from the shapes around it.

    Parameters
    ----------
    model : torch.nn.Module
        The network, traceable by ``torch.fx`` and taking one tensor
        ``(batch, channels, *spatial)`` (see :func:`convdocs.explain_shapes`).
    input_size : int or tuple of int
        The spatial size of one input: an int for a square (cube) input, else one size
        per spatial dimension.

    Returns
    -------
    ModelCost
        One :class:`~convdocs.cost.LayerCost` per layer (``cost["layer1.0.conv1"]``), the total
        ``parameters`` and ``macs``; ``print(cost)`` shows the table.

    Raises
    ------
    TypeError
        If ``model`` is not a traceable ``torch.nn.Module`` or ``input_size`` is not an
        int or a tuple of ints.
    ValueError
        If ``input_size`` is out of range or has the wrong number of dimensions, or
        the model cannot run on it (the message says where and why, as
        :func:`convdocs.explain_shapes` does).

    See Also
    --------
    conv_cost : One layer, from its settings.
    explain_shapes : The walk that gives the shapes.

    Notes
    -----
    Convolutions count :math:`C_\text{out} \cdot C_\text{in}/g \cdot \prod_j k_j` MACs
    per output position (per input position when transposed; see :func:`convdocs.conv_cost`),
    linear layers :math:`C_\text{in} \cdot C_\text{out}` per row of their input.
    Layers without a matrix product (normalisation, activations, pooling,
    additions) count 0, as ``torch.utils.flop_counter.FlopCounterMode`` does, so
    ``2 * cost.macs`` is the FLOP count it reports for a batch of one.
    ``cost.parameters`` counts every parameter of the model once, as
    ``sum(p.numel() for p in model.parameters())``; each layer's row holds the
    parameters it is first to use.

    Examples
    --------
    >>> from convdocs import model_cost
    >>> from convdocs.models import resnet18
    >>> cost = model_cost(resnet18(), 224)
    >>> cost.parameters, cost.macs
    (11689512, 1814073344)
    >>> print(cost["layer1.0.conv1"])
    layer1.0.conv1 (Conv2d): 36,864 parameters, 115,605,504 MACs, (1, 64, 56, 56) -> (1, 64, 56, 56)
    """
    from convdocs.shapes import _shape_lens

    shapes = _shape_lens(model)
    graph = shapes.graph
    sizes = int_tuple("input_size", input_size, graph.ndim)
    lens = _CostLens(graph, graph.runs(shapes, sizes))
    layers = [row for row in map(lens.row, graph.nodes) if row is not None]
    unused = [p for p in model.parameters() if id(p) not in lens.claimed]
    if unused:
        count = sum(p.numel() for p in unused)
        layers.append(LayerCost("(not in the graph)", "Parameter", count, 0))
    return ModelCost(
        model=graph.model_name,
        input_shape=graph.input_shape(sizes),
        layers=tuple(layers),
        parameters=sum(p.numel() for p in model.parameters()),
        macs=sum(c.macs for c in layers if c.macs is not None),
        uncounted=tuple(c.layer for c in layers if c.macs is None),
    )


class _CostLens:
    """The cost of each node of one shape walk, from the shapes and weights it left."""

    def __init__(self, graph, walk):
        import torch

        self.graph, self.walk = graph, walk
        self.parameter = torch.nn.Parameter
        self.claimed = set()  # ids of the parameters already counted in a row

    def parameters_of(self, node) -> int:
        """The parameters ``node`` is first to use: its module's, or those it reads."""
        if node.op == "call_module":
            found = list(self.graph.modules[node].parameters())
        else:
            found = [
                _attribute(self.graph, n)
                for n in node.all_input_nodes
                if n.op == "get_attr" and isinstance(_attribute(self.graph, n), self.parameter)
            ]
        new = {id(p): p for p in found if id(p) not in self.claimed}
        self.claimed.update(new)
        return sum(p.numel() for p in new.values())

    def row(self, node) -> LayerCost | None:
        kind = self.graph.op_kinds[node]
        output = self.walk.values.get(node)
        if kind in ("conv", "conv_transpose"):
            macs = self.conv_macs(node, kind)
        elif kind == "linear":
            module = self.graph.modules[node]
            macs = module.in_features * module.out_features * math.prod(output.shape[:-1])
        else:
            macs = None
        parameters = self.parameters_of(node)
        if macs is None and not parameters:
            return None
        if macs is None and self.graph.kinds[node] in _NO_MACS:
            macs = 0
        source = self.walk.values.get(node.args[0]) if node.args else None
        return LayerCost(
            layer=self.graph.name(node),
            kind=self.graph.kinds[node],
            parameters=parameters,
            macs=macs,
            input_shape=getattr(source, "shape", ()),
            output_shape=getattr(output, "shape", ()),
        )

    def conv_macs(self, node, kind) -> int:
        """Weights times positions: output positions, or input ones when transposed."""
        graph, values = self.graph, self.walk.values
        if node.op == "call_module":
            weight = tuple(graph.modules[node].weight.shape)
        else:
            args, kwargs = graph.arguments(node, self.walk)
            bound = _fx.bind(graph.graph_module, node, args, kwargs, _fx.ARGUMENTS[kind])
            weight = tuple(bound["weight"].shape)
        x = values[node.args[0]] if kind == "conv_transpose" else values[node]
        # shape (batch, channels, *spatial) or unbatched (channels, *spatial)
        positions = math.prod(x.shape[: len(x.shape) - graph.ndim - 1]) * math.prod(
            x.shape[len(x.shape) - graph.ndim :]
        )
        return math.prod(weight) * positions


def _attribute(graph, node):
    return _fx.attribute(graph.graph_module, node.target)
