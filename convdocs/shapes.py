r"""Input sizes of a network: which ones work, and why the others fail.

:func:`convdocs.explain_shapes` follows one input size through a model, layer by layer,
with the formulas of :mod:`convdocs.arithmetic`, and reports where PyTorch would fail
and why; :func:`convdocs.valid_input_sizes` applies the same walk to many sizes and
states the rule they follow ("multiples of 16", "16k + 12 from 188 on").

How it works: the model is traced once with ``torch.fx`` (``convdocs._fx.Graph``). Each
walk then visits the graph's nodes in order with the shape lens defined here, which
computes the shape of every tensor without running any layer: convolutions, pooling,
transposed convolutions, resizing, padding, crops, concatenations, additions and linear
layers by convdocs' own arithmetic and checks; the rare operation convdocs does not know,
on PyTorch's ``meta`` device, which computes shapes without data. The lens also leaves
each node's record of what it does to the grid, which the field lens
(:mod:`convdocs.receptive`) and the cost lens (:mod:`convdocs.cost`) read. A size is
*valid* when every layer gets an input it accepts, and every skip connection or residual
addition joins tensors of equal spatial size, or of sizes a centre crop of the model
makes equal, with as many pixels dropped on each side.
"""

from __future__ import annotations

import math
import operator
import textwrap
from dataclasses import dataclass, field
from html import escape

from convdocs import _fx
from convdocs._fx import Fail, Tensor
from convdocs._text import aligned, shape_text, size_text
from convdocs._validate import (
    _describe,
    _is_int,
    check_pool_padding,
    copied_padding_limit,
    int_tuple,
)
from convdocs.arithmetic import (
    _cached_conv_output_size,
    _cached_conv_transpose_output_size,
    _span,
)

__all__ = ["InputSizes", "ShapeReport", "ShapeStep", "explain_shapes", "valid_input_sizes"]

_SCAN_LIMIT = 4096  # the largest size the rule of valid_input_sizes is checked up to
_CANDIDATE_LIMIT = 100_000  # the most candidates valid_input_sizes walks one by one


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapeStep:
    """One layer of a walk: its output shape and the arithmetic that gave it.

    Attributes
    ----------
    layer : str
        The submodule's name (``'encoder.1.0'``) or, for a function call, the traced
        node's name (``'cat_1'``).
    kind : str
        ``'Conv2d'``, ``'MaxPool2d'``, ``'cat'``, ``'crop'``, ...
    shape : tuple of int
        The shape of the tensor the layer produces, batch and channels included.
    arithmetic : str
        How the spatial size follows from the layer's input, e.g.
        ``'⌊(125 - 2)/2⌋ + 1 = 62'``; empty when the size does not change.
    changes_size : bool
        Whether the spatial size differs from that of the layer's (first) input.
    """

    layer: str
    kind: str
    shape: tuple
    arithmetic: str = ""
    changes_size: bool = False


@dataclass(frozen=True)
class ShapeReport:
    """What happens to the shapes of one input in a network (see :func:`convdocs.explain_shapes`).

    Attributes
    ----------
    model : str
        The model's class name.
    input_shape : tuple of int
        The shape walked, ``(1, channels, *input_size)``.
    ok : bool
        True when the size is valid: every layer accepts its input and every
        skip connection joins aligned tensors.
    runs : bool
        Whether PyTorch would run the model on this size (True also when the only
        problems are misaligned joins, which PyTorch does not notice).
    steps : tuple of ShapeStep
        Every layer reached, in the order the model runs them.
    layer : str or None
        The layer (or node) of the first problem: where PyTorch raises when
        ``runs`` is False.
    problem : str
        What goes wrong there, with the sizes that disagree; empty when ``ok``.
    trail : dict
        For each tensor that disagrees, the size-changing steps since the point
        where the paths split (name of the tensor -> tuple of ShapeStep).
    misaligned : tuple of str
        Every misaligned join the walk met (crops that are not centred, maps of
        different sizes broadcast against each other).
    nearest : tuple
        The closest valid input sizes below and above, when the size is not valid.
    """

    model: str
    input_shape: tuple
    ok: bool
    runs: bool
    steps: tuple
    layer: str | None = None
    problem: str = ""
    trail: dict = field(default_factory=dict)
    misaligned: tuple = ()
    nearest: tuple = ()

    def _lines(self) -> list[str]:
        shown = size_text(self.input_shape)
        if self.ok:
            head = f"{self.model} on a {shown} input: every layer accepts its input"
        elif self.runs:
            head = f"{self.model} on a {shown} input: runs, but misaligned at '{self.layer}'"
        else:
            head = f"{self.model} on a {shown} input: PyTorch fails at '{self.layer}'"
        lines = [head]
        if self.problem:
            lines.extend(_wrap(self.problem, "  "))
        since = "the paths split" if len(self.trail) > 1 else "the model's input"
        for name, steps in self.trail.items():
            lines.append(f"  how {name} got its size:")
            lines.extend(_step_lines(steps, indent="    ") or [f"    (no change since {since})"])
        for m in self.misaligned[1:] if not self.ok else ():
            lines.extend(_wrap(f"also: {m}", "  "))
        if self.nearest:
            lines.append(
                f"  nearest valid input sizes: {' and '.join(map(size_text, self.nearest))}"
            )
        if self.ok:
            lines.extend(_step_lines(self.steps, indent="  "))
        return lines

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"


@dataclass(frozen=True)
class InputSizes:
    """The input sizes a network accepts (see :func:`convdocs.valid_input_sizes`).

    Iterating, ``len`` and ``size in result`` refer to the valid candidates; the
    ``rule`` covers every square size.

    Attributes
    ----------
    model : str
        The model's class name.
    valid : tuple
        The candidates that are valid, in the order given.
    invalid : dict
        Each candidate that is not valid -> a one-line reason.
    rule : str or None
        The square sizes ``n x n`` that are valid, in closed form ("multiples of 16",
        "16k + 12 from 188 on", "every size from 32 on", "only 224 to 255"); None when
        the sizes follow no simple rule up to ``checked_up_to``.
    period : int
        The product of the strides on the longest downsampling path: validity
        repeats with this period once sizes are large enough.
    checked_up_to : int
        The rule holds for every square size from 1 to this one (each was walked).
    """

    model: str
    valid: tuple
    invalid: dict
    rule: str | None
    period: int
    checked_up_to: int

    def __contains__(self, size) -> bool:
        return size in self.valid

    def __iter__(self):
        return iter(self.valid)

    def __len__(self) -> int:
        return len(self.valid)

    def __str__(self) -> str:
        rule = self.rule or "no simple rule"
        lines = [
            (
                f"{self.model}: {rule} (every square size from 1 to {self.checked_up_to} "
                f"checked; period {self.period})"
            ),
            *_wrap(f"valid candidates: {', '.join(map(size_text, self.valid)) or 'none'}", ""),
        ]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"


def _wrap(text, indent) -> list[str]:
    """``text`` in lines of at most 88 characters; continuation lines indented 2 more."""
    return textwrap.wrap(
        text, 88, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False
    )


def _step_lines(steps, indent) -> list[str]:
    """One aligned line per step: layer, kind, shape, arithmetic."""
    if not steps:
        return []
    return aligned(
        [(s.layer, s.kind, shape_text(s.shape), s.arithmetic) for s in steps], indent=indent
    )


# --- the walk --------------------------------------------------------------------------------


class _ShapeLens:
    """The shape lens: the value of every node of a walk (its shape, computed with the
    formulas of :mod:`convdocs.arithmetic`), what it does to the grid (its record, for the
    other lenses), and the arithmetic that explains each size (``walk.steps``)."""

    def __init__(self, graph):
        self.graph = graph
        self.torch = graph.torch
        self.ndim, self.kinds, self.op_kinds = graph.ndim, graph.kinds, graph.op_kinds
        self.modules = graph.modules
        self.cached = {}  # node -> _fx.Geometry, for modules (their geometry does not change)
        self.handlers = {node: self.classify(node) for node in graph.nodes}
        # the nodes that cannot follow a tensor whose spatial dimensions a permute moved
        # (none in a model without a permute: the check then costs nothing per walk)
        follows = {self.same, self.broadcast, self.linear, self.layer_norm, self.permute}
        follows |= {self.getattr, self.size}
        permutes = "permute" in self.op_kinds.values()
        self.refuses_moved = {n for n, h in self.handlers.items() if permutes and h not in follows}

    def walk(self, input_size, explain=True):
        """Walk one size: a ``_fx.Walk``, and the node and message of a failure (or None)."""
        return self.graph.walk(self, input_size, explain)

    def placeholder(self, node, walk, input_size):
        value = Tensor(self.graph.input_shape(input_size), varies=True)
        walk.down[node] = 1
        self.record(walk, node, "input", value, "")
        return value

    def call(self, node, walk, args, kwargs):
        inputs = [n for n in node.all_input_nodes if n in walk.down]
        walk.down[node] = math.lcm(1, *(walk.down[n] for n in inputs))
        value = self.handlers[node](node, walk, args, kwargs)
        if node in self.refuses_moved and any(
            getattr(walk.values[n], "moved", None) for n in node.all_input_nodes
        ):
            walk.records[node] = _fx.Unsupported(
                f"{self.graph.label(node)} on a tensor whose spatial dimensions a permute moved "
                "from the last places: there convdocs follows only element-wise operations, "
                "Linear and LayerNorm over channels, and the permute back"
            )
        return value

    def record(self, walk, node, kind, value, arithmetic, source=None):
        if not walk.explain:
            return
        before = source.spatial(self.ndim) if source is not None else None
        changes = before is not None and before != value.spatial(self.ndim)
        walk.steps[node] = ShapeStep(self.graph.name(node), kind, value.shape, arithmetic, changes)

    def misalign(self, walk, node, message):
        walk.misaligned.append((node, message))

    # --- sorting the nodes into handlers (once, at trace time) ---

    def classify(self, node):
        handlers = {
            "conv": self.conv,
            "conv_transpose": self.conv_transpose,
            "pool": self.pool,
            "adaptive_pool": self.adaptive,
            "interpolate": self.interpolate,
            "pixel_shuffle": self.pixel_shuffle,
            "pixel_unshuffle": self.pixel_shuffle,
            "pad": self.pad,
            "pad_copy": self.pad,
            "linear": self.linear,
            "batch_norm": self.batch_norm,
            "softmax": self.same,
            "elementwise": self.same,
            "binary": self.broadcast,
            "cat": self.cat,
            "getitem": self.getitem,
            "split": self.split,
            "permute": self.permute,
            "layer_norm": self.layer_norm,
            "getattr": self.getattr,
            "size": self.size,
        }
        kind = self.op_kinds[node]
        if kind in ("conv", "conv_transpose", "pool") and self.graph.layer_ndim(node) != self.ndim:
            return self.other_ndim
        return handlers.get(kind, self.meta)

    def other_ndim(self, node, walk, args, kwargs):
        """A layer of another number of spatial dimensions than the input (a 1-D
        convolution over time after 2-D ones, say): its shape by PyTorch's own rules,
        which may read a batched tensor as an unbatched one, and no field."""
        value = self.meta(node, walk, args, kwargs)
        walk.records[node] = _fx.Unsupported(
            f"{self.kinds[node]} is a {self.graph.layer_ndim(node)}-D layer in a model whose input "
            f"has {self.ndim} spatial dimension{'s' * (self.ndim > 1)} (its first "
            "convolution's); convdocs cannot compute its receptive field"
        )
        return value

    # --- handlers: each returns the node's value (a Tensor for tensors) ---

    def tensor_input(self, args):
        x = args[0] if args else None
        if not isinstance(x, Tensor):
            raise Fail(f"expects a tensor as its first argument, got {_describe(x)}")
        if len(x.shape) not in (self.ndim + 1, self.ndim + 2):
            raise Fail(
                f"expects a {self.ndim + 2}-D input (batch, channels, {self.ndim} spatial "
                f"dimensions), got shape {shape_text(x.shape)}"
            )
        return x

    def arguments(self, node, args, kwargs, names):
        """The layer's settings: the module's attributes or the call's arguments."""
        return _fx.bind(self.graph.graph_module, node, args, kwargs, names)

    def check_channels(self, node, x, expected):
        got = x.shape[-self.ndim - 1]
        if expected is not None and got != expected:
            raise Fail(
                f"{self.kinds[node]} expects {expected} input channels, got {got} "
                f"(input shape {shape_text(x.shape)})"
            )

    def settings(self, node, args, kwargs) -> _fx.Geometry:
        """The geometry of a convolution or pooling node: a module's, once; a call's, each time."""
        if node in self.cached:
            return self.cached[node]
        layer = _fx.geometry(self.graph.graph_module, node, args, kwargs, self.ndim)
        if _fx.family(self.graph.graph_module, node).endswith("pool"):
            try:
                check_pool_padding(layer.kernel, tuple(max(pair) for pair in layer.pads))
            except ValueError as err:
                raise Fail(f"{err} (PyTorch's pooling)") from None
        if node.op == "call_module":
            self.cached[node] = layer
        return layer

    def conv(self, node, walk, args, kwargs):
        layer = self.settings(node, args, kwargs)
        value = self.windows(node, walk, args, layer)
        if layer.padding_mode != "zeros":
            walk.records[node] = _copies(f"padding_mode={layer.padding_mode!r}")
        elif kwargs.get("return_indices") or getattr(self.modules.get(node), "return_indices", 0):
            walk.records[node] = _fx.Unsupported("return_indices=True returns several tensors")
        else:
            walk.records[node] = _fx.Window(
                layer.kernel, layer.stride, tuple(p for p, _ in layer.pads), layer.dilation
            )
        return value

    pool = conv

    def windows(self, node, walk, args, layer):
        x = self.tensor_input(args)
        self.check_channels(node, x, layer.channels)
        sizes = x.spatial(self.ndim)
        if layer.padding_mode != "zeros":  # the common case needs no check
            _check_copied(
                f"padding_mode={layer.padding_mode!r} with padding",
                layer.padding_mode,
                sizes,
                layer.pads,
            )
        out = []
        for n, k, s, p, d in zip(sizes, layer.kernel, layer.stride, layer.pads, layer.dilation):
            try:
                out.append(_cached_conv_output_size(n, k, s, p, d, layer.ceil_mode))
            except ValueError:
                padding = _padding_text(layer.pads)
                raise Fail(
                    f"the kernel spans {_span(k, d)} pixels but the input, padded, has "
                    f"{n + sum(p)} (size {size_text(sizes)}, padding {padding}): the kernel "
                    "does not fit"
                ) from None
        walk.down[node] *= math.lcm(*layer.stride)
        channels = x.shape[-self.ndim - 1] if layer.out_channels is None else layer.out_channels
        value = Tensor((*x.shape[: -self.ndim - 1], channels, *out), x.varies)
        if walk.explain:
            formulas = [
                _window_formula(*c, layer.ceil_mode, o)
                for c, o in zip(
                    zip(sizes, layer.kernel, layer.stride, layer.pads, layer.dilation), out
                )
            ]
            self.record(walk, node, self.kinds[node], value, _per_axis(formulas), x)
        return value

    def conv_transpose(self, node, walk, args, kwargs):
        x = self.tensor_input(args)
        layer = self.settings(node, args, kwargs)
        self.check_channels(node, x, layer.channels)
        sizes = x.spatial(self.ndim)
        columns = list(
            zip(
                sizes, layer.kernel, layer.stride, layer.pads, layer.output_padding, layer.dilation
            )
        )
        out = []
        for n, k, s, (p, _), op, d in columns:
            try:
                out.append(_cached_conv_transpose_output_size(n, k, s, p, op, d))
            except ValueError as err:
                raise Fail(str(err)) from None
        wanted = args[1] if len(args) > 1 else kwargs.get("output_size")
        if wanted is not None and node.op == "call_module":
            out, columns = self.requested(wanted, out, columns)
        walk.records[node] = _fx.Transposed(
            layer.kernel, layer.stride, tuple(p for p, _ in layer.pads), layer.dilation
        )
        value = Tensor((*x.shape[: -self.ndim - 1], layer.out_channels, *out), x.varies)
        if walk.explain:
            formulas = [
                _transpose_formula(n, k, s, p, op, d, o)
                for (n, k, s, (p, _), op, d), o in zip(columns, out)
            ]
            self.record(walk, node, self.kinds[node], value, _per_axis(formulas), x)
        return value

    def requested(self, wanted, out, columns):
        """``forward(x, output_size)`` of a transposed convolution: the size asked for, if
        an ``output_padding`` below ``max(stride, dilation)`` gives it, as PyTorch checks."""
        wanted = tuple(wanted)[-self.ndim :]
        smallest = [o - op for o, (*_, op, _) in zip(out, columns)]
        largest = [m + max(s, d) - 1 for m, (_, _, s, _, _, d) in zip(smallest, columns)]
        if any(not a <= w <= b for w, a, b in zip(wanted, smallest, largest)):
            raise Fail(
                f"requested an output size of {list(wanted)}, but valid sizes range from "
                f"{smallest} to {largest} (for an input of {[c[0] for c in columns]})"
            )
        columns = [(*c[:4], w - a, c[5]) for c, w, a in zip(columns, wanted, smallest)]
        return list(wanted), columns

    def adaptive(self, node, walk, args, kwargs):
        walk.records[node] = _fx.End()
        x = self.tensor_input(args)
        g = self.arguments(node, args, kwargs, ["output_size"])
        wanted = g["output_size"]
        wanted = wanted if isinstance(wanted, (tuple, list)) else (wanted,) * self.ndim
        sizes = x.spatial(self.ndim)
        out = tuple(n if w is None else w for w, n in zip(wanted, sizes))
        value = Tensor((*x.shape[: -self.ndim], *out), x.varies and None in wanted)
        self.record(walk, node, self.kinds[node], value, f"fixed at {size_text(out)}", x)
        return value

    def interpolate(self, node, walk, args, kwargs):
        x = self.tensor_input(args)
        names = ["size", "scale_factor", "mode", "align_corners"]
        g = self.arguments(node, args, kwargs, names)
        sizes = x.spatial(self.ndim)
        if g.get("size") is not None:
            size = g["size"]
            out = tuple(size) if isinstance(size, (tuple, list)) else (size,) * self.ndim
            walk.records[node] = _resize(g, sizes, out)
            value = Tensor((*x.shape[: -self.ndim], *out), varies=False)
            self.record(walk, node, self.kinds[node], value, f"fixed at {size_text(out)}", x)
            return value
        scale = g.get("scale_factor")
        if scale is None:  # neither size nor scale: PyTorch's error, from the meta device
            return self.meta(node, walk, args, kwargs)
        scales = scale if isinstance(scale, (tuple, list)) else (scale,) * self.ndim
        out = tuple(math.floor(n * float(f)) for n, f in zip(sizes, scales))
        for f in scales:  # a downscale by an integer factor divides like a stride
            if 0 < float(f) < 1 and (1 / float(f)).is_integer():
                walk.down[node] *= int(1 / float(f))
        formulas = [
            f"⌊{n} x {f:g}⌋ = {o}" if not float(f).is_integer() else f"{n} x {f:g} = {o}"
            for n, f, o in zip(sizes, map(float, scales), out)
        ]
        value = Tensor((*x.shape[: -self.ndim], *out), x.varies)
        walk.records[node] = _resize(g, sizes, out, scales)
        self.record(walk, node, self.kinds[node], value, _per_axis(formulas), x)
        return value

    def pixel_shuffle(self, node, walk, args, kwargs):
        """``PixelShuffle(r)``: channels C·r² → C, each spatial size x r; ``PixelUnshuffle(r)``
        the reverse. Other forms (a model that is not 2-D, a factor that is not an int):
        the meta device, which gives PyTorch's shape or error."""
        up = self.op_kinds[node] == "pixel_shuffle"
        name = "upscale_factor" if up else "downscale_factor"
        r = self.arguments(node, args, kwargs, [name]).get(name)
        x = args[0] if args else kwargs.get("input")
        if _is_int(r) and r < 1:  # the meta device divides by it before checking
            raise Fail(f"{self.kinds[node]} needs a positive {name}, got {r}")
        simple = self.ndim == 2 and isinstance(x, Tensor) and len(x.shape) >= 3
        if not (simple and _is_int(r)):
            value = self.meta(node, walk, args, kwargs)
            if self.ndim != 2:
                walk.records[node] = _fx.Unsupported(
                    f"{self.kinds[node]} rearranges (channels, height, width), the last three "
                    f"dimensions; this model has {self.ndim} spatial dimensions"
                )
            return value
        *batch, c, h, w = x.shape
        if up and c % (r * r):
            raise Fail(
                f"{self.kinds[node]} by {r} needs channels divisible by {r}² = {r * r}, got "
                f"{c} (input shape {shape_text(x.shape)})"
            )
        if not up and (h % r or w % r):
            raise Fail(
                f"{self.kinds[node]} by {r} needs a height and width divisible by {r}, got "
                f"{h}x{w} (input shape {shape_text(x.shape)})"
            )
        if up:
            out, channels = (h * r, w * r), c // (r * r)
            formulas = [f"{n} x {r} = {n * r}" for n in (h, w)]
            walk.records[node] = _fx.Resize((r, r), "nearest")
        else:
            out, channels = (h // r, w // r), c * r * r
            formulas = [f"{n} / {r} = {n // r}" for n in (h, w)]
            walk.records[node] = _fx.Window((r, r), (r, r), (0, 0), (1, 1))
            walk.down[node] *= r  # divides sizes like a stride
        value = Tensor((*batch, channels, *out), x.varies)
        if walk.explain:
            mixed = f"channels {c} {'/' if up else 'x'} {r}² = {channels}"
            self.record(walk, node, self.kinds[node], value, f"{_per_axis(formulas)}; {mixed}", x)
        return value

    def pad(self, node, walk, args, kwargs):
        x = args[0] if args else None
        if not isinstance(x, Tensor):
            return self.meta(node, walk, args, kwargs)
        if node.op == "call_module":
            module = self.modules[node]
            pad, mode = module.padding, type(module).__name__
        else:
            g = self.arguments(node, args, kwargs, ["pad", "mode", "value"])
            pad, mode = g["pad"], g.get("mode", "constant")
        pairs = _fx.pad_pairs(pad, len(x.shape))
        copies = self.op_kinds[node] == "pad_copy" or (mode != "constant" and "Pad" not in mode)
        walk.records[node] = (
            _copies(mode if "Pad" in mode else f"mode={mode!r}")
            if copies
            else _fx.Window(
                (1,) * self.ndim,
                (1,) * self.ndim,
                tuple(b for b, _ in pairs[-self.ndim :]),
                (1,) * self.ndim,
            )
        )
        out, formulas = [], []
        copied = "reflect" if "Reflection" in mode else "circular" if "Circular" in mode else mode
        _check_copied(f"{copied} padding of", copied, x.shape, pairs)
        for n, (before, after) in zip(x.shape, pairs):
            size = n + before + after
            if size < 1:
                raise Fail(f"padding ({before}, {after}) removes all {n} pixels")
            out.append(size)
            if before or after:
                formulas.append(f"{n} + {before} + {after} = {size}")
        value = Tensor(tuple(out), x.varies)
        self.record(walk, node, self.kinds[node], value, "; ".join(formulas), x)
        return value

    def linear(self, node, walk, args, kwargs):  # noqa: ARG002 (every handler takes kwargs)
        x = args[0]
        module = self.modules[node]
        if x.shape[-1] != module.in_features:
            raise Fail(
                f"Linear expects {module.in_features} input features in the last dimension, "
                f"got {x.shape[-1]} (input shape {shape_text(x.shape)})"
            )
        value = Tensor((*x.shape[:-1], module.out_features), x.varies, x.moved)
        walk.records[node] = self.over_last(
            node, x, 1, "applied to a spatial tensor mixes its last (width) dimension"
        )
        self.record(walk, node, "Linear", value, "", x)
        return value

    def over_last(self, node, x, count, what):
        """The record of an operation over the last ``count`` dimensions of ``x``: Same
        when they are channels (after a permute to channels-last), else Unsupported."""
        if set(x.spatial_dims(self.ndim)) & set(range(len(x.shape) - count, len(x.shape))):
            return _fx.Unsupported(f"{self.graph.label(node)} {what}")
        return _fx.Same()

    def layer_norm(self, node, walk, args, kwargs):
        """LayerNorm: normalises over the last dimensions, per position when they are
        channels (ConvNeXt's, after a permute to channels-last)."""
        x = args[0] if args else None
        shape = self.arguments(node, args, kwargs, ["normalized_shape"]).get("normalized_shape")
        shape = (shape,) if _is_int(shape) else tuple(shape or ())
        if not (isinstance(x, Tensor) and shape and x.shape[len(x.shape) - len(shape) :] == shape):
            return self.meta(node, walk, args, kwargs)  # PyTorch's shape or its error
        walk.records[node] = self.over_last(
            node, x, len(shape), "over a spatial dimension mixes every position"
        )
        return x

    def permute(self, node, walk, args, kwargs):
        """A permutation of the dimensions: the spatial ones are followed to their new
        places (a channels-last block moves them, then moves them back)."""
        x, *rest = args
        dims = kwargs.get("dims", rest[0] if len(rest) == 1 else rest)
        rank = len(x.shape) if isinstance(x, Tensor) else 0
        if not (
            rank and _is_int_list(dims) and sorted(d % rank for d in dims) == list(range(rank))
        ):
            return self.meta(node, walk, args, kwargs)  # PyTorch's shape or its error
        dims = [d % rank for d in dims]
        places = tuple(dims.index(d) for d in x.spatial_dims(self.ndim))
        value = Tensor.placed(tuple(x.shape[d] for d in dims), x.varies, places, self.ndim)
        walk.records[node] = (
            _fx.Same()
            if list(places) == sorted(places)
            else _fx.Unsupported(
                f"{self.graph.label(node)} changes the order of the spatial dimensions"
            )
        )
        self.record(walk, node, self.kinds[node], value, "", x)
        return value

    def batch_norm(self, node, walk, args, kwargs):  # noqa: ARG002
        x = args[0]
        module = self.modules[node]
        if len(x.shape) < 2 or x.shape[1] != module.num_features:
            raise Fail(
                f"{type(module).__name__} expects {module.num_features} channels, got shape "
                f"{shape_text(x.shape)}"
            )
        walk.records[node] = _fx.Same()
        return x

    def same(self, node, walk, args, kwargs):
        tensors = [a for a in args if isinstance(a, Tensor)]
        if not tensors:
            return self.meta(node, walk, args, kwargs)
        walk.records[node] = _fx.Same()
        if self.op_kinds[node] == "softmax":
            dim = self.arguments(node, args, kwargs, ["dim"]).get("dim")
            rank = len(tensors[0].shape)
            if dim is None or dim % rank >= rank - self.ndim:
                walk.records[node] = _fx.Unsupported(
                    f"{self.graph.label(node)} over a spatial dimension mixes every position"
                )
        return tensors[0]

    def broadcast(self, node, walk, args, kwargs):
        tensors = [a for a in [*args, *kwargs.values()] if isinstance(a, Tensor)]
        if len(tensors) < 2:
            return self.same(node, walk, args, kwargs)
        walk.records[node] = _fx.Join()
        rank = max(len(t.shape) for t in tensors)
        padded = [(1,) * (rank - len(t.shape)) + t.shape for t in tensors]
        out = []
        for sizes in zip(*padded):
            big = {s for s in sizes if s != 1}
            if len(big) > 1:
                shown = " and ".join(shape_text(t.shape) for t in tensors)
                raise Fail(
                    f"cannot {self.kinds[node].strip('_')} tensors of shapes {shown}: "
                    f"{_disagreement(padded, self.ndim)}"
                )
            out.append(big.pop() if big else 1)
        varying = [t for t in tensors if t.varies]
        spatial = {t.spatial(self.ndim) for t in varying}
        if len(spatial) > 1:
            self.misalign(
                walk,
                node,
                f"combines maps of spatial sizes {' and '.join(map(size_text, sorted(spatial)))}: "
                "one is broadcast over the other",
            )
        # where each varying input's spatial dimensions land in the result
        places = {
            tuple(d + rank - len(t.shape) for d in t.spatial_dims(self.ndim)) for t in varying
        }
        if len(places) > 1:
            walk.records[node] = _fx.Unsupported(
                "combines tensors whose spatial dimensions are in different places (a permute "
                "moved them in one)"
            )
        dims = places.pop() if len(places) == 1 else range(rank - self.ndim, rank)
        value = Tensor.placed(tuple(out), any(t.varies for t in tensors), dims, self.ndim)
        self.record(
            walk, node, self.kinds[node].strip("_"), value, "", varying[0] if varying else None
        )
        return value

    def cat(self, node, walk, args, kwargs):
        tensors = args[0] if args else kwargs.get("tensors")
        dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
        ranks = {len(t.shape) for t in tensors}
        if len(ranks) > 1:
            raise Fail(f"cannot concatenate tensors of ranks {sorted(ranks)}")
        (rank,) = ranks
        dim %= rank
        others = [t.shape[:dim] + t.shape[dim + 1 :] for t in tensors]
        if len(set(others)) > 1:
            shapes = " and ".join(shape_text(t.shape) for t in tensors)
            raise Fail(
                f"cannot concatenate {shapes} along dimension {dim}: "
                f"{_disagreement([t.shape for t in tensors], self.ndim)}"
            )
        shape = list(tensors[0].shape)
        shape[dim] = sum(t.shape[dim] for t in tensors)
        walk.records[node] = (
            _fx.Unsupported("concatenates along a spatial dimension")
            if dim >= rank - self.ndim
            else _fx.Join()
        )
        value = Tensor(tuple(shape), any(t.varies for t in tensors))
        joined = " + ".join(str(t.shape[dim]) for t in tensors)
        self.record(walk, node, "cat", value, f"dimension {dim}: {joined} = {shape[dim]}")
        return value

    def split(self, node, walk, args, kwargs):
        """``chunk``, ``split``, ``tensor_split``, ``unbind``: the pieces' shapes by PyTorch's
        rules; the pieces keep the grid unless the split cuts a spatial dimension."""
        value = self.meta(node, walk, args, kwargs)
        x = args[0] if args else kwargs.get("input")
        if not (isinstance(x, Tensor) and isinstance(value, (tuple, list))):
            return value
        names = ["dim"] if self.kinds[node] == "unbind" else ["sections", "dim"]
        rank = len(x.shape)
        dim = self.arguments(node, args, kwargs, names).get("dim", 0) % rank
        walk.records[node] = (
            _fx.Unsupported(f"{self.graph.label(node)} cuts spatial dimension {dim} into pieces")
            if dim >= rank - self.ndim
            else _fx.Same()
        )
        return value

    def getitem(self, node, walk, args, kwargs):
        source, index = args
        if not isinstance(source, Tensor):
            value = operator.getitem(source, index)
            if isinstance(value, Tensor):  # one piece of several: see the record of the split
                walk.records[node] = _fx.Same()
            return value
        items = index if isinstance(index, tuple) else (index,)
        if not all(
            i is None or i is Ellipsis or isinstance(i, slice) or _is_int(i) for i in items
        ):
            return self.meta(node, walk, args, kwargs)
        items = _fx.expand_ellipsis(items, len(source.shape))
        walk.records[node] = self.crop_record(items, source.shape)
        return self.index(node, walk, source, items)

    def crop_record(self, items, shape):
        """A crop of the spatial dimensions as a window of kernel 1, else Unsupported."""
        rank = len(shape)
        if any(i is None for i in items) or len(items) > rank:
            return _fx.Unsupported(f"indexing with {items} is not a crop convdocs can follow")
        items = (*items, *(slice(None),) * (rank - len(items)))
        starts, steps = [], []
        for axis, (item, n) in enumerate(
            zip(items[rank - self.ndim :], shape[rank - self.ndim :])
        ):
            if not isinstance(item, slice):
                return _fx.Unsupported(
                    f"indexing spatial dimension {axis} with {item!r} removes it"
                )
            start, _, step = item.indices(n)
            starts.append(-start)
            steps.append(step)
        ones = (1,) * self.ndim
        return _fx.Window(ones, tuple(steps), tuple(starts), ones)

    def index(self, node, walk, source, items):
        rank = len(source.shape)
        shape, axis, crops = [], 0, []
        for item in items:
            if item is None:
                shape.append(1)
                continue
            if axis >= rank:
                raise Fail(f"indexes {axis + 1} dimensions of a {rank}-D tensor")
            n = source.shape[axis]
            if isinstance(item, slice):
                start, stop, step = item.indices(n)
                size = len(range(start, stop, step))
                shape.append(size)
                if axis >= rank - self.ndim and step == 1 and size != n:
                    crops.append((n, start, n - max(stop, start), size))
            elif not -n <= item < n:
                raise Fail(f"index {item} is out of range for dimension {axis} of size {n}")
            axis += 1
        shape.extend(source.shape[axis:])
        value = Tensor(tuple(shape), source.varies)
        if crops:
            texts = list(
                dict.fromkeys(  # one text when every axis is cropped alike
                    f"{n} → {size}: drops {before} before, {after} after"
                    for n, before, after, size in crops
                )
            )
            uneven = any(before != after for _, before, after, _ in crops)
            if uneven and source.varies and self.feeds_join(node):
                self.misalign(walk, node, "the crop is not centred (" + "; ".join(texts) + ")")
            self.record(walk, node, "crop", value, "; ".join(texts), source)
        return value

    def feeds_join(self, node) -> bool:
        """Whether ``node``'s tensor reaches an addition or concatenation with no change of
        positions on the way (a crop alone, with no join, mixes nothing)."""
        todo, seen = list(node.users), set()
        while todo:
            user = todo.pop()
            if user in seen:
                continue
            seen.add(user)
            kind = self.op_kinds.get(user)
            if kind in ("binary", "cat"):
                return True
            if kind in ("elementwise", "batch_norm", "softmax"):
                todo.extend(user.users)
        return False

    def getattr(self, node, walk, args, kwargs):
        source, name = args
        if isinstance(source, Tensor) and name == "shape":
            return self.torch.Size(source.shape)
        if isinstance(source, Tensor) and name == "ndim":
            return len(source.shape)
        return self.meta(node, walk, args, kwargs)

    def size(self, node, walk, args, kwargs):  # noqa: ARG002 (every handler takes the walk)
        source, *rest = args
        if node.target == "dim":
            return len(source.shape)
        if node.target == "numel":
            return math.prod(source.shape)
        dim = rest[0] if rest else kwargs.get("dim")
        return self.torch.Size(source.shape) if dim is None else source.shape[dim]

    def meta(self, node, walk, args, kwargs):
        """Anything else: evaluate it directly (plain values) or on the meta device."""
        tensors = [a for a in _flatten((args, kwargs)) if isinstance(a, Tensor)]
        if not tensors and node.op == "call_method":  # arithmetic on sizes, shapes, ints
            return getattr(args[0], node.target)(*args[1:], **kwargs)
        if not tensors and node.op == "call_function":
            return node.target(*args, **kwargs)
        try:
            out = self.on_meta(node, _to_meta(args, self.torch), _to_meta(kwargs, self.torch))
        except Exception as err:  # noqa: BLE001 (PyTorch's shape checks raise many types: report, not raise)
            raise Fail(f"PyTorch's shape rules reject it: {_fx.first_line(err)}") from None
        value = _from_meta(out, any(t.varies for t in tensors), self.torch)
        if isinstance(value, Tensor):
            source = next((t for t in tensors if len(t.shape) == len(value.shape)), None)
            walk.records[node] = self.meta_record(node, args, kwargs, tensors[0], value)
            if self.reduces_every_axis(node, args, kwargs, tensors[0]):
                value = Tensor(value.shape, varies=False)  # a global reduction: fixed size
            self.record(walk, node, self.kinds[node], value, "", source)
        return value

    def on_meta(self, node, args, kwargs):
        """The node's output, run on PyTorch's meta device (shapes without data)."""
        torch = self.torch
        if node.op == "call_module":
            module = self.modules[node]
            state_dict = {
                k: torch.empty(v.shape, dtype=v.dtype, device="meta")
                for k, v in [*module.named_parameters(), *module.named_buffers()]
            }
            return torch.func.functional_call(module, state_dict, args, kwargs)
        if node.op == "call_method":
            return getattr(args[0], node.target)(*args[1:], **kwargs)
        return node.target(*args, **kwargs)

    def reduced(self, node, args, kwargs, before) -> set:
        """The spatial axes a reduction (``mean``, ``sum``, ...) removes or sets to 1."""
        if self.op_kinds[node] != "reduce":
            return set()
        dims = self.arguments(node, args, kwargs, ["dim"]).get("dim")
        rank = len(before.shape)
        dims = range(rank) if dims is None else dims if isinstance(dims, (tuple, list)) else [dims]
        return {d % rank for d in dims} & set(range(rank - self.ndim, rank))

    def reduces_every_axis(self, node, args, kwargs, before) -> bool:
        return len(self.reduced(node, args, kwargs, before)) == self.ndim

    def meta_record(self, node, args, kwargs, before, after):
        """What a view, a reduction or an unknown operation does to the grid."""
        kind = self.op_kinds[node]
        if kind == "view":
            keeps = after.spatial(self.ndim) == before.spatial(self.ndim)
            same = keeps and math.prod(after.shape) == math.prod(before.shape)
            return _fx.Same() if same else _fx.End()
        if kind == "reduce":
            return _fx.End() if self.reduced(node, args, kwargs, before) else _fx.Same()
        return self.graph.unsupported(node)


def _to_meta(value, torch):
    """``value`` with every Tensor replaced by an empty tensor on the meta device."""
    if isinstance(value, Tensor):
        return torch.empty(value.shape, device="meta")
    if isinstance(value, (tuple, list)):
        return type(value)(_to_meta(v, torch) for v in value)
    if isinstance(value, dict):
        return {k: _to_meta(v, torch) for k, v in value.items()}
    return value


def _from_meta(value, varies, torch):
    """``value`` with every tensor replaced by a Tensor of its shape."""
    if isinstance(value, torch.Tensor):
        return Tensor(tuple(value.shape), varies)
    if isinstance(value, (tuple, list)) and not isinstance(value, torch.Size):
        return type(value)(_from_meta(v, varies, torch) for v in value)
    return value


def _is_int_list(values) -> bool:
    return isinstance(values, (tuple, list)) and all(_is_int(v) for v in values)


def _check_copied(what, mode, sizes, pairs):
    """Fail where PyTorch refuses a padding that copies pixels ("reflect", "circular")."""
    for n, (before, after) in zip(sizes, pairs):
        limit = copied_padding_limit(mode, n)
        if limit is not None and max(before, after) > limit:
            needs = "larger than that" if mode == "reflect" else "at least that large"
            raise Fail(
                f"{what} {max(before, after)} needs an input {needs} (PyTorch's rule), "
                f"got size {n}"
            )


def _copies(what) -> _fx.Unsupported:
    return _fx.Unsupported(
        f"{what} pads with copies of input pixels; convdocs handles zero padding only"
    )


def _resize(options, sizes, out, scales=None):
    """The record of an interpolation from ``sizes`` to ``out``."""
    factors = []
    for n, o in zip(sizes, out):
        if o % n:
            return _fx.Unsupported(f"resizes {n} to {o}, not by an integer factor")
        factors.append(o // n)
    if scales is not None and [float(f) for f in scales] != [float(f) for f in factors]:
        shown = options.get("scale_factor")
        return _fx.Unsupported(f"scale_factor {shown} is not an integer")
    mode = options.get("mode") or "nearest"
    corners = options.get("align_corners")
    if mode in ("nearest", "nearest-exact"):
        return _fx.Resize(tuple(factors), "nearest")
    if mode in ("linear", "bilinear", "trilinear") and not corners:
        if any(f % 2 and f > 1 for f in factors):
            return _fx.Unsupported(
                f"{mode} upsampling by the odd factor {factors} puts output pixels exactly "
                "on input pixels, where rounding decides whether a neighbour counts"
            )
        return _fx.Resize(tuple(factors), "linear")
    shown = ", align_corners=True" if corners else ""
    return _fx.Unsupported(f"mode={mode!r}{shown} is not supported (use nearest or bilinear)")


def _flatten(value):
    if isinstance(value, (tuple, list)):
        for v in value:
            yield from _flatten(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _flatten(v)
    else:
        yield value


def _disagreement(shapes, ndim) -> str:
    """``'spatial sizes 125x125 and 124x124 differ'``, or the first other axis that does."""
    spatial = [s[len(s) - ndim :] for s in shapes]
    if len(set(spatial)) > 1:
        return f"spatial sizes {' and '.join(map(size_text, spatial))} differ"
    for axis, sizes in enumerate(zip(*shapes)):
        if len(set(sizes)) > 1:
            return f"sizes {' and '.join(map(str, sizes))} of dimension {axis} differ"
    return "the shapes differ"


def _padding_text(pads) -> str:
    """``'1'`` for symmetric padding alike on every axis, else the pairs."""
    if len(set(pads)) == 1 and pads[0][0] == pads[0][1]:
        return str(pads[0][0])
    return str(pads)


def _per_axis(formulas) -> str:
    formulas = [f for f in formulas if f]
    if len(set(formulas)) <= 1:
        return formulas[0] if formulas else ""
    return "; ".join(formulas)


def _window_formula(n, k, s, pads, d, ceil_mode, out) -> str:
    """``'⌊(125 + 2 - 3)/2⌋ + 1 = 63'``: the output-size formula with the numbers in."""
    before, after = pads
    span = _span(k, d)
    terms = str(n)
    if before == after and before:
        terms += f" + 2·{before}"
    elif before or after:
        terms += f" + {before} + {after}"
    terms += f" - {span}"
    if s == 1:
        return f"{terms} + 1 = {out}"
    left, right = ("⌈", "⌉") if ceil_mode else ("⌊", "⌋")
    return f"{left}({terms})/{s}{right} + 1 = {out}"


def _transpose_formula(n, k, s, p, op, d, out) -> str:
    """``'(31 - 1)·2 + 2 = 62'``: the transposed convolution's size, numbers in."""
    span = _span(k, d)
    text = f"({n} - 1)·{s}" if s > 1 else f"{n} - 1"
    if p:
        text += f" - 2·{p}"
    text += f" + {span}"
    if op:
        text += f" + {op}"
    return f"{text} = {out}"


# --- the public functions --------------------------------------------------------------------


def _shape_lens(model) -> _ShapeLens:
    """The shape lens on ``model``'s traced graph (a TypeError if it is not a module)."""
    return _ShapeLens(_fx.Graph(model))


def _verdict(lens, size) -> str | None:
    """None when ``size`` is valid, else the first problem: ``"'layer': what"``."""
    return _first_problem(lens, *lens.walk(size, explain=False))


def _first_problem(lens, walk, failure) -> str | None:
    problems = [failure] if failure is not None else walk.misaligned
    return lens.graph.where(*problems[0]) if problems else None


def explain_shapes(model, input_size):
    r"""Follow one input size through a network, layer by layer, and explain any failure.

    Computes the shape of every tensor of ``model`` (traced with ``torch.fx``) with the
    output-size formulas, without running any layer. Where PyTorch would raise (a
    concatenation or addition of tensors of different sizes, a kernel larger than its
    input, a ``Linear`` layer fed the wrong number of features), the report names the
    layer, shows the sizes that disagree and the arithmetic that produced each of
    them, and gives the nearest input sizes that work.

    Parameters
    ----------
    model : torch.nn.Module
        The network. It must be traceable by ``torch.fx.symbolic_trace`` and take one
        tensor of shape ``(batch, channels, *spatial)``; the channels and the number of
        spatial dimensions are read from its first convolution.
    input_size : int or tuple of int
        The spatial size of the input: an int for a square (cube) input, else one
        size per spatial dimension.

    Returns
    -------
    ShapeReport
        ``ok``, ``runs``, every step with its arithmetic, and for a failing size the
        ``layer``, the ``problem``, the ``trail`` of each disagreeing tensor and the
        ``nearest`` valid sizes. ``print(report)`` shows it all.

    Raises
    ------
    TypeError
        If ``model`` is not a ``torch.nn.Module`` or cannot be traced, or
        ``input_size`` is not an int or a tuple of ints.
    ValueError
        If ``input_size`` has a value below 1 or the wrong number of dimensions, the
        model has no convolution to read its input channels from, or it takes more than
        one tensor.

    See Also
    --------
    valid_input_sizes : Which sizes of a range are valid, and the rule behind them.
    convdocs.conv_output_size, convdocs.conv_transpose_output_size : The formulas used.

    Notes
    -----
    A size counts as valid (``report.ok``) when PyTorch runs the model *and* every join
    of two paths is aligned: the joined tensors have equal spatial sizes, or the model
    crops one of them with as many pixels removed on each side. An off-centre crop or a
    one-pixel map broadcast over a larger one runs without an error but mixes pixels
    from different places; the report lists them in ``misaligned``.

    Examples
    --------
    The padded U-Net needs sizes divisible by 16. At 500, the third max-pool halves
    125 to 62, the decoder doubles that back to 124, and the concatenation with the
    125-pixel skip connection fails:

    >>> from convdocs import explain_shapes
    >>> from convdocs.models import unet
    >>> report = explain_shapes(unet(padded=True, base_channels=4), 500)
    >>> report.ok, report.runs, report.layer
    (False, False, 'cat_1')
    >>> print(report.problem)
    cannot concatenate (1, 16, 125, 125) and (1, 16, 124, 124) along dimension 1: spatial sizes 125x125 and 124x124 differ
    >>> for step in report.trail["'ups.1' (1, 16, 124, 124)"]:
    ...     print(f"{step.layer:8}{step.arithmetic}")
    pools.2 ⌊(125 - 2)/2⌋ + 1 = 62
    ups.1   (62 - 1)·2 + 2 = 124
    >>> report.nearest
    (496, 512)
    """
    lens = _shape_lens(model)
    size = int_tuple("input_size", input_size, lens.ndim)
    return _explain(lens, size)


def _explain(lens, size) -> ShapeReport:
    walk, failure = lens.walk(size)
    steps = tuple(walk.steps[n] for n in lens.graph.nodes if n in walk.steps)
    common = {
        "model": lens.graph.model_name,
        "input_shape": lens.graph.input_shape(size),
        "steps": steps,
        "misaligned": tuple(lens.graph.where(*m) for m in walk.misaligned),
    }
    if failure is None and not walk.misaligned:
        return ShapeReport(ok=True, runs=True, **common)
    runs = failure is None
    node, problem = failure if failure is not None else walk.misaligned[0]
    layer = lens.graph.name(node)
    if runs:  # a crop is explained by the join it prepares: the sizes of both sides
        joins = [u for u in node.users if lens.handlers.get(u) in (lens.cat, lens.broadcast)]
        node = joins[0] if joins else node
    return ShapeReport(
        ok=False,
        runs=runs,
        layer=layer,
        problem=problem,
        trail=_trail(lens, walk, node),
        nearest=_nearest(lens, size),
        **common,
    )


def _tensor_inputs(node, walk) -> list:
    """The inputs of ``node`` that are tensors whose size follows the model's input."""
    values = walk.values
    return [
        n for n in node.all_input_nodes if isinstance(values.get(n), Tensor) and values[n].varies
    ]


def _ancestors(node, walk) -> set:
    """``node`` and every node its tensor data comes from (not its size arithmetic)."""
    seen, todo = set(), [node]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(_tensor_inputs(n, walk))
    return seen


def _trail(lens, walk, node) -> dict:
    """For each input of ``node`` that varies with the input size: its size-changing steps.

    Each path is followed back (through its first input) to where it meets another
    input's history, or to the model's input.
    """
    inputs = _tensor_inputs(node, walk)
    trail = {}
    for source in inputs:
        others = set().union(*(_ancestors(o, walk) for o in inputs if o is not source))
        path, n = [], source
        while n is not None and n not in others:
            if n in walk.steps and walk.steps[n].changes_size:
                path.append(walk.steps[n])
            n = next(iter(_tensor_inputs(n, walk)), None)
        label = f"'{lens.graph.name(source)}' {shape_text(walk.values[source].shape)}"
        trail[label] = tuple(reversed(path))
    return trail


def _nearest(lens, size) -> tuple:
    """The closest valid sizes below and above ``size`` (squares, or per dimension)."""
    scans = {n: (_scan(lens, n, -1), _scan(lens, n, +1)) for n in set(size)}
    found = []
    for side in (0, 1):
        pick = tuple(scans[n][side] for n in size)
        if None in pick:
            continue
        if len(scans) == 1:  # a square input: its scan walked this very size
            found.append(pick[0])
        elif _verdict(lens, pick) is None:  # one size per dimension: check them together
            found.append(pick)
    return tuple(found)


def _scan(lens, n, direction, reach=512):
    """The first valid square size from ``n`` on, going down or up."""
    for m in range(n, max(0, n + direction * reach), direction):
        if _verdict(lens, (m,) * lens.ndim) is None:
            return m
    return None


def valid_input_sizes(model, candidates):
    r"""Which input sizes a network accepts, and the rule they follow.

    Each candidate is walked through the traced network with the output-size formulas
    (as :func:`explain_shapes` does; no layer is run). A size is valid when PyTorch
    would run the model and every skip connection or residual addition joins tensors
    of equal spatial size, or of sizes a centre crop of the model makes equal with the
    same number of pixels removed on each side.

    Parameters
    ----------
    model : torch.nn.Module
        The network, traceable by ``torch.fx`` (see :func:`explain_shapes`).
    candidates : iterable
        Sizes to test: ints for square inputs (``range(500, 601)``), or tuples with
        one size per spatial dimension.

    Returns
    -------
    InputSizes
        ``valid`` (the candidates that work, in order), ``invalid`` (each other
        candidate with the reason), and ``rule``: the valid square sizes in closed
        form, e.g. ``'multiples of 16'``, found by walking every square size from 1
        up to ``checked_up_to`` (at least two periods past the largest candidate).

    Raises
    ------
    TypeError
        If ``model`` is not a traceable ``torch.nn.Module``, or ``candidates`` is not
        an iterable of sizes.
    ValueError
        If a candidate has a value below 1 or the wrong number of dimensions, there
        are more than 100,000 candidates (the rule covers every square size), or the
        model takes more than one tensor.

    See Also
    --------
    explain_shapes : What goes wrong at one size, layer by layer.
    convdocs.models.unet : The network of the examples.

    Notes
    -----
    Why a rule exists: a layer with stride :math:`s` maps :math:`i` and :math:`i + s`
    to outputs exactly one apart, and a transposed convolution or an upsampling by
    :math:`f` multiplies differences by :math:`f`. So if :math:`S` is the product of
    the strides on the longest downsampling path (16 for a U-Net of depth 4), adding
    :math:`S` to the input adds a whole number of pixels to every tensor, the same
    number to the two sides of each join that stays aligned, and validity repeats with
    period :math:`S` once the input is large enough for every kernel. The rule is
    read off the walks over that range.

    Examples
    --------
    The original U-Net: unpadded convolutions and cropped skip connections.

    >>> from convdocs import valid_input_sizes
    >>> from convdocs.models import unet
    >>> sizes = valid_input_sizes(unet(base_channels=4), range(500, 601))
    >>> sizes.rule
    '16k + 12 from 188 on'
    >>> sizes.valid
    (508, 524, 540, 556, 572, 588)
    >>> print(sizes.invalid[500])
    'getitem_4': the crop is not centred (55 → 46: drops 4 before, 5 after)

    The padded variant needs no crops, but only multiples of 16 survive its four
    max-pools:

    >>> valid_input_sizes(unet(padded=True, base_channels=4), [64, 100, 128]).rule
    'multiples of 16'
    """
    lens = _shape_lens(model)
    sizes = _candidates(candidates, lens.ndim)
    largest = max((max(size) for _, size in sizes), default=1)
    rule, period, squares = _rule(lens, largest)
    valid, invalid = [], {}
    for given, size in sizes:
        square = len(set(size)) == 1 and size[0] in squares  # walked by _rule already
        verdict = squares[size[0]] if square else _verdict(lens, size)
        if verdict is None:
            valid.append(given)
        else:
            invalid[given] = verdict
    return InputSizes(lens.graph.model_name, tuple(valid), invalid, rule, period, len(squares))


def _candidates(candidates, ndim) -> list:
    if isinstance(candidates, (str, bytes)) or not hasattr(candidates, "__iter__"):
        msg = (
            "candidates must be an iterable of sizes, ints or tuples such as "
            f"range(500, 601) or [(480, 640)], got {_describe(candidates)}"
        )
        raise TypeError(msg)
    out = []
    count = len(candidates) if hasattr(candidates, "__len__") else None
    for i, given in enumerate(candidates):
        if i == _CANDIDATE_LIMIT:
            count = count or f"more than {_CANDIDATE_LIMIT}"
        if count is not None and (i == _CANDIDATE_LIMIT or count > _CANDIDATE_LIMIT):
            msg = (
                f"candidates holds {count} sizes; convdocs walks at most {_CANDIDATE_LIMIT}: "
                "pass a smaller range (the rule it reports covers every square size)"
            )
            raise ValueError(msg)
        size = int_tuple(f"candidates[{i}]", given, ndim)
        out.append((given if _is_int(given) else tuple(given), size))
    return out


def _rule(lens, largest):
    """The closed form of the valid square sizes, the period, and the verdict of every
    square size walked (``{n: None or the problem}`` for ``n = 1, 2, ...``)."""
    verdicts, valid, period, first = {}, [False], 1, None  # valid[n] for n = 0, 1, ...
    while True:
        n = len(valid)
        walk, failure = lens.walk((n,) * lens.ndim, explain=False)
        verdicts[n] = _first_problem(lens, walk, failure)
        valid.append(verdicts[n] is None)
        period = math.lcm(period, *walk.down.values())
        first = n if first is None and valid[n] else first
        enough = n >= max(largest, first or 0) + 2 * period
        repeats = (
            n > 2 * period
            and valid[n - period + 1 :] == valid[n - 2 * period + 1 : n - period + 1]
        )
        if (enough and repeats) or n >= _SCAN_LIMIT:
            return _describe_rule(valid, period, n), period, verdicts


def _describe_rule(valid, period, top) -> str | None:
    sizes = [m for m in range(1, top + 1) if valid[m]]
    residues = sorted({m % period for m in range(top - period + 1, top + 1) if valid[m]})
    if not residues:
        return f"only {_ranges(sizes)}" if sizes else f"no size up to {top}"
    # from where on the sizes follow the residues exactly
    start = top
    while start > 1 and valid[start - 1] == ((start - 1) % period in residues):
        start -= 1
    first = next(m for m in range(start, top + 1) if valid[m])
    extra = [m for m in sizes if m < start]
    if len(residues) == period:
        rule = "every size" + (f" from {first} on" if first > 1 else "")
    elif len(residues) == 1 and residues[0] == 0:
        rule = f"multiples of {period}" + (f" from {first} on" if first > period else "")
    elif len(residues) == 1:
        rule = f"{period}k + {residues[0]} from {first} on"
    else:
        rule = f"n ≡ {', '.join(map(str, residues))} (mod {period}) from {first} on"
    return rule + (f", and {_ranges(extra)}" if extra else "")


def _ranges(sizes) -> str:
    """``'1, 3 to 7 and 9'``: sorted ints as runs."""
    runs = []
    for m in sizes:
        if runs and m == runs[-1][1] + 1:
            runs[-1][1] = m
        else:
            runs.append([m, m])
    texts = []
    for a, b in runs:
        texts += [f"{a} to {b}"] if b > a + 1 else list(map(str, range(a, b + 1)))
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]
