r"""Receptive fields: which input pixels each output unit of a network sees.

Layer specs (:class:`Conv`, :class:`Pool`, :class:`ConvTranspose`, :class:`Upsample`)
describe a network as data; :func:`convdocs.receptive_field` computes, exactly, the receptive
field of such a list or of a real ``torch.nn.Module`` (traced with ``torch.fx``), and
:func:`convdocs.empirical_receptive_field` measures it with autograd, to prove the answer.

How it works: every layer becomes one record of what it does to the grid (a window, a
transposed window, a resize, a join, ...; ``convdocs._fx``). A list of specs or a layer
string gives the records directly; a module is traced with ``torch.fx`` and walked once
by the shape lens of :mod:`convdocs.shapes`, which computes every size with
:mod:`convdocs.arithmetic` and leaves each node's record: no layer runs. The field lens
(``convdocs._field``) then carries, per spatial dimension, a map from unit index to the
interval of input pixels the unit depends on, with integer arithmetic (the windows of a
convolution, the taps that reach an output of a transposed convolution, the source pixel
of an upsampling), so the answer is exact for every unit, including after transposed
convolutions and upsampling, where the field differs between neighbouring units. The
*theoretical* field, where the padding of every layer is extended as if the input went on
for ever (the textbook receptive field, which may reach beyond the image), is kept as
one period of the map: its cost does not grow with the input size. The *exact* field,
where only real input pixels count, is computed for the unit asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from html import escape
from typing import NamedTuple

import numpy as np

from convdocs import _field, _fx
from convdocs._fx import eval_mode, first_line, input_layer
from convdocs._text import aligned, html_table, size_text
from convdocs._validate import (
    _describe,
    check_int,
    check_pool_padding,
    int_tuple,
    padding_pairs,
)
from convdocs.arithmetic import (
    _check_output_padding,
    _extent,
    conv_output_size,
    conv_transpose_output_size,
)

__all__ = [
    "Conv",
    "ConvTranspose",
    "EmpiricalField",
    "LayerField",
    "Pool",
    "ReceptiveField",
    "SizeRange",
    "Upsample",
    "empirical_receptive_field",
    "parse_layers",
    "receptive_field",
]


# --- layer specs -------------------------------------------------------------------------


def _check_ints(name, value, minimum):
    """Validate an int or a tuple of ints (one per spatial dimension) without changing it."""
    ndim = len(value) if isinstance(value, (tuple, list)) else 1
    int_tuple(name, value, ndim, minimum)
    return tuple(value) if isinstance(value, list) else value


def _check_padding(value):
    if isinstance(value, list):
        value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
    ndim = len(value) if isinstance(value, tuple) else 1
    padding_pairs(value, ndim)
    return value


def _axes(*values) -> list[tuple]:
    """The values per axis, an int standing for every axis (as many as the longest)."""
    ndim = max(len(v) if isinstance(v, tuple) else 1 for v in values)
    return list(zip(*(v if isinstance(v, tuple) else (v,) * ndim for v in values)))


def _token(value) -> str:
    """``3`` -> ``"3"``; ``(3, 5)`` -> ``"3x5"`` (the layer-string form of a value)."""
    if isinstance(value, tuple) and any(isinstance(v, tuple) for v in value):
        msg = f"padding {value} has (before, after) pairs, which layer strings cannot show"
        raise ValueError(msg)
    return size_text(value)


@dataclass(frozen=True)
class Conv:
    """A convolution layer, as data: ``torch.nn.Conv2d``'s geometry without the weights.

    Every parameter is an int (the same for every spatial dimension) or a tuple with one
    value per dimension; ``padding`` may also hold ``(before, after)`` pairs.

    Parameters
    ----------
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    stride : int or tuple of int, default 1
        Stride, at least 1.
    padding : int or tuple, default 0
        Padding on each side, or ``(before, after)`` pairs.
    dilation : int or tuple of int, default 1
        Spacing between kernel taps.

    Examples
    --------
    >>> from convdocs import Conv
    >>> Conv(7, stride=2, padding=3)
    Conv(kernel_size=7, stride=2, padding=3, dilation=1)
    >>> str(Conv(7, stride=2, padding=3)), str(Conv((3, 5), dilation=2))
    ('conv7s2p3', 'conv3x5d2')
    """

    kernel_size: int | tuple[int, ...]
    stride: int | tuple[int, ...] = 1
    padding: int | tuple = 0
    dilation: int | tuple[int, ...] = 1

    def __post_init__(self):
        for name, minimum in (("kernel_size", 1), ("stride", 1), ("dilation", 1)):
            object.__setattr__(self, name, _check_ints(name, getattr(self, name), minimum))
        object.__setattr__(self, "padding", _check_padding(self.padding))

    def __str__(self) -> str:
        return _spec_string(
            "conv", self, ("stride", "s", 1), ("padding", "p", 0), ("dilation", "d", 1)
        )

    def _columns(self, ndim):
        return _columns(self, ndim, ("kernel_size", "stride", "dilation"))

    def _out_size(self, n, c):
        return conv_output_size(n, c["kernel_size"], c["stride"], c["padding"], c["dilation"])

    def _record(self, columns):
        return _fx.Window(*_per_axis(columns, "kernel_size", "stride", "padding", "dilation"))


@dataclass(frozen=True)
class Pool:
    """A max- or average-pooling layer, as data (``torch.nn.MaxPool2d``'s geometry).

    ``stride`` defaults to the kernel size, as in PyTorch; ``ceil_mode`` keeps a last
    partial window. For the receptive field, max and average pooling are the same.

    Parameters
    ----------
    kernel_size : int or tuple of int
        Window size, at least 1.
    stride : int or tuple of int, optional
        Stride; defaults to ``kernel_size``, as in PyTorch.
    padding : int or tuple, default 0
        Padding on each side, or ``(before, after)`` pairs.
    dilation : int or tuple of int, default 1
        Spacing between window taps.
    ceil_mode : bool, default False
        Round the output size up, as PyTorch's ``ceil_mode=True``.

    Examples
    --------
    >>> from convdocs import Pool
    >>> str(Pool(3, stride=2, padding=1)), str(Pool(2)), str(Pool(3, 2, ceil_mode=True))
    ('pool3s2p1', 'pool2', 'pool3s2c')
    """

    kernel_size: int | tuple[int, ...]
    stride: int | tuple[int, ...] | None = None
    padding: int | tuple = 0
    dilation: int | tuple[int, ...] = 1
    ceil_mode: bool = False

    def __post_init__(self):
        for name, minimum in (("kernel_size", 1), ("stride", 1), ("dilation", 1)):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _check_ints(name, getattr(self, name), minimum))
        object.__setattr__(self, "padding", _check_padding(self.padding))
        if not isinstance(self.ceil_mode, bool):
            msg = f"ceil_mode must be a bool, got {_describe(self.ceil_mode)}"
            raise TypeError(msg)
        check_pool_padding(self.kernel_size, self.padding)

    def __str__(self) -> str:
        text = _spec_string(
            "pool", self, ("stride", "s", None), ("padding", "p", 0), ("dilation", "d", 1)
        )
        return text + ("c" if self.ceil_mode else "")

    def _columns(self, ndim):
        stride = self.kernel_size if self.stride is None else self.stride
        return _columns(self, ndim, ("kernel_size", "dilation"), stride=stride)

    def _out_size(self, n, c):
        return conv_output_size(
            n, c["kernel_size"], c["stride"], c["padding"], c["dilation"], self.ceil_mode
        )

    def _record(self, columns):
        return _fx.Window(*_per_axis(columns, "kernel_size", "stride", "padding", "dilation"))


@dataclass(frozen=True)
class ConvTranspose:
    """A transposed convolution, as data (``torch.nn.ConvTranspose2d``'s geometry).

    Parameters
    ----------
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    stride : int or tuple of int, default 1
        Stride, at least 1.
    padding : int or tuple, default 0
        Padding of the convolution it transposes (crops the output).
    output_padding : int or tuple of int, default 0
        Extra pixels after the output, smaller than the stride or the dilation.
    dilation : int or tuple of int, default 1
        Spacing between kernel taps.

    Examples
    --------
    >>> from convdocs import ConvTranspose
    >>> str(ConvTranspose(2, stride=2)), str(ConvTranspose(3, 2, padding=1, output_padding=1))
    ('convT2s2', 'convT3s2p1o1')
    """

    kernel_size: int | tuple[int, ...]
    stride: int | tuple[int, ...] = 1
    padding: int | tuple = 0
    output_padding: int | tuple[int, ...] = 0
    dilation: int | tuple[int, ...] = 1

    def __post_init__(self):
        for name, minimum in (
            ("kernel_size", 1),
            ("stride", 1),
            ("output_padding", 0),
            ("dilation", 1),
        ):
            object.__setattr__(self, name, _check_ints(name, getattr(self, name), minimum))
        object.__setattr__(self, "padding", _check_padding(self.padding))
        axes = _axes(self.stride, self.dilation, self.output_padding)
        for axis, (s, d, o) in enumerate(axes):
            where = f" along spatial dimension {axis}" if len(axes) > 1 else ""
            _check_output_padding(o, s, d, where)

    def __str__(self) -> str:
        return _spec_string(
            "convT",
            self,
            ("stride", "s", 1),
            ("padding", "p", 0),
            ("output_padding", "o", 0),
            ("dilation", "d", 1),
        )

    def _columns(self, ndim):
        return _columns(self, ndim, ("kernel_size", "stride", "output_padding", "dilation"))

    def _out_size(self, n, c):
        return conv_transpose_output_size(
            n, c["kernel_size"], c["stride"], c["padding"], c["output_padding"], c["dilation"]
        )

    def _record(self, columns):
        return _fx.Transposed(*_per_axis(columns, "kernel_size", "stride", "padding", "dilation"))


@dataclass(frozen=True)
class Upsample:
    """Nearest-neighbour upsampling by an integer factor (``torch.nn.Upsample``).

    Parameters
    ----------
    scale_factor : int or tuple of int
        How many output pixels each input pixel becomes, per dimension.

    Examples
    --------
    >>> from convdocs import Upsample
    >>> str(Upsample(2))
    'up2'
    """

    scale_factor: int | tuple[int, ...]

    def __post_init__(self):
        value = _check_ints("scale_factor", self.scale_factor, 1)
        object.__setattr__(self, "scale_factor", value)

    def __str__(self) -> str:
        return f"up{_token(self.scale_factor)}"

    def _columns(self, ndim):
        return _columns(self, ndim, ("scale_factor",))

    def _out_size(self, n, c):
        return n * c["scale_factor"]

    def _record(self, columns):
        return _fx.Resize(*_per_axis(columns, "scale_factor"))


SPECS = (Conv, Pool, ConvTranspose, Upsample)


def _spec_string(kind, spec, *optional) -> str:
    text = kind + _token(spec.kernel_size)
    for name, letter, default in optional:
        value = getattr(spec, name)
        if value != default and value is not None:
            text += letter + _token(value)
    return text


def _per_axis(columns, *names) -> list[tuple]:
    """One tuple per name, of its value along each axis (padding: the ``before`` side)."""
    return [tuple(c[n][0] if n == "padding" else c[n] for c in columns) for n in names]


def _columns(spec, ndim, names, **extra) -> list[dict]:
    """One dict of checked ints per spatial dimension (padding as a (before, after) pair)."""
    values = {name: getattr(spec, name) for name in names} | extra
    values = {
        name: int_tuple(name, v, ndim, 0 if "padding" in name else 1) for name, v in values.items()
    }
    if hasattr(spec, "padding"):
        values["padding"] = padding_pairs(spec.padding, ndim)
    return [{name: v[i] for name, v in values.items()} for i in range(ndim)]


_KINDS = {"convt": ConvTranspose, "conv": Conv, "pool": Pool, "up": Upsample}
_LETTERS = {
    "k": "kernel_size",
    "s": "stride",
    "p": "padding",
    "d": "dilation",
    "o": "output_padding",
}
_DIGITS = frozenset("0123456789")

LAYER_GRAMMAR = """\
Layers are separated by commas. Each layer is a kind followed by its parameters:
  kind: conv (convolution), pool (max/avg pooling), convT (transposed convolution),
        up (nearest-neighbour upsampling; its number is the scale factor)
  k<n> or a bare <n>: kernel size   s<n>: stride (pool: default = kernel)
  p<n>: padding   d<n>: dilation   o<n>: output padding (convT)   c: ceil_mode (pool)
  <n> may be HxW for different values per dimension, e.g. conv3x5. As in PyTorch,
  pool padding is at most half the kernel, and convT's o is below max(s, d).
Example: conv7s2p3,pool3s2p1,conv3p1,conv3p1 (the stem of ResNet and two 3x3 convs)"""


def parse_layers(text):
    """Read a network written as a layer string such as ``"conv7s2p3,pool3s2p1"``.

    Parameters
    ----------
    text : str
        Layers separated by commas (spaces allowed). Each is a kind, ``conv``, ``pool``,
        ``convT`` or ``up``, followed by parameters: ``k<n>`` or a bare ``<n>`` for the
        kernel size (the scale factor for ``up``), ``s<n>`` stride, ``p<n>`` padding,
        ``d<n>`` dilation, ``o<n>`` output padding (``convT``) and ``c`` for
        ``ceil_mode`` (``pool``). A number may be ``HxW``, as in ``conv3x5``.

    Returns
    -------
    list
        The layer specs: :class:`Conv`, :class:`Pool`, :class:`ConvTranspose` and
        :class:`Upsample`. ``str`` of each gives its part of the string back.

    Raises
    ------
    ValueError
        If a layer cannot be read, or describes geometry PyTorch refuses (pooling
        padding above half the kernel, ``output_padding >= max(stride, dilation)``);
        the message quotes it. Numbers are ASCII digits; the text is read in one pass.

    See Also
    --------
    receptive_field : Accepts the string itself, too.

    Examples
    --------
    >>> from convdocs import parse_layers
    >>> parse_layers("conv7s2p3, pool3s2p1, convT2s2, up2")
    [Conv(kernel_size=7, stride=2, padding=3, dilation=1), Pool(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False), ConvTranspose(kernel_size=2, stride=2, padding=0, output_padding=0, dilation=1), Upsample(scale_factor=2)]
    >>> parse_layers("conv3,conv3q1")
    Traceback (most recent call last):
    ...
    ValueError: cannot read layer 2, 'conv3q1': expected conv, pool, convT or up followed by parameters k<n>, s<n>, p<n>, d<n>, o<n>, c (see convdocs rf --help)
    """
    if not isinstance(text, str):
        msg = f"layers must be a string such as 'conv3p1,pool2', got {_describe(text)}"
        raise TypeError(msg)
    parts = [part.strip() for part in text.split(",")]
    if not text.strip():
        msg = "layers must name at least one layer, got an empty string"
        raise ValueError(msg)
    return [_parse_one(i, part) for i, part in enumerate(parts, start=1)]


def _keywords(kind, first, tokens, error) -> dict:
    """The spec's keyword arguments from the tokens of one layer."""
    kwargs = {}
    for letter, number, ceil in tokens:
        if ceil:
            name, value = "ceil_mode", True
        else:
            name = _LETTERS[letter] if letter else first
            if letter == "k" and kind is Upsample:
                name = "scale_factor"
            values = tuple(int(v) for v in number.split("x"))
            value = values[0] if len(values) == 1 else values
        if name in kwargs:
            reason = f"{name} given twice"
            raise error(reason)
        kwargs[name] = value
    return kwargs


def _parse_one(position, part):
    def error(reason):
        return ValueError(f"cannot read layer {position}, {part!r}: {reason}")

    found = _scan(part)
    if found is None:
        reason = (
            "expected conv, pool, convT or up followed by parameters k<n>, s<n>, p<n>, "
            "d<n>, o<n>, c (see convdocs rf --help)"
        )
        raise error(reason)
    typed, tokens = found
    kind = _KINDS[typed.lower()]
    first = "scale_factor" if kind is Upsample else "kernel_size"
    kwargs = _keywords(kind, first, tokens, error)
    if first not in kwargs:
        reason = f"no {first.replace('_', ' ')}: write e.g. {typed}3"
        raise error(reason)
    try:
        return kind(**kwargs)
    except TypeError as err:
        if "unexpected keyword" in str(err):
            bad = next(n for n in kwargs if n not in kind.__dataclass_fields__)
            reason = f"{kind.__name__} has no {bad}"
            raise error(reason) from None
        raise error(str(err)) from None
    except ValueError as err:
        raise error(str(err)) from None


def _scan(part):
    """``(kind as typed, [(letter, number, ceil), ...])`` of one layer, or None: one pass
    over the text, ASCII digits only (a number is ``digits`` or ``digits x digits ...``)."""
    low = part.lower()
    kind = next((k for k in ("convt", "conv", "pool", "up") if low.startswith(k)), None)
    if kind is None:
        return None
    tokens, at, end = [], len(kind), len(part)
    while at < end:
        if low[at] == "c":
            tokens.append(("", "", "c"))
            at += 1
            continue
        letter = low[at] if low[at] in "ksdpo" else ""
        at += len(letter)
        start = at
        while True:
            if at >= end or part[at] not in _DIGITS:
                return None
            while at < end and part[at] in _DIGITS:
                at += 1
            if at + 1 < end and low[at] == "x" and part[at + 1] in _DIGITS:
                at += 1
            else:
                break
        tokens.append((letter, part[start:at], ""))
    return part[: len(kind)], tokens


def _half(value):
    """A pixel coordinate (a Fraction): an int when whole, else a float ending in .5."""
    return int(value) if value.denominator == 1 else float(value)


# --- results ---------------------------------------------------------------------------------


class SizeRange(NamedTuple):
    """The smallest and largest receptive field over the units of one dimension.

    Reported in place of a single size where the field differs between output units
    (after a transposed convolution or an upsampling).
    """

    smallest: int
    largest: int

    def __str__(self) -> str:
        return f"{self.smallest}..{self.largest}"


@dataclass(frozen=True)
class LayerField:
    """One row of the ``layers`` of a :class:`~convdocs.receptive.ReceptiveField`.

    The field after one layer.

    Attributes
    ----------
    name : str
        The layer's name (a module path such as ``"layer1.0.conv1"``, a ``torch.fx``
        node name such as ``"add_3"``, or the layer string of a spec).
    kind : str
        What it is: ``"Conv2d"``, ``"conv"``, ``"add"``, ``"cat"``, ``"crop"``, ...
    output_size : tuple of int or None
        Spatial size of the layer's output (None when no input size was given).
    stride : tuple
        Effective stride (jump) per dimension: input pixels between neighbouring units;
        a Fraction after upsampling.
    size : tuple
        Receptive field size per dimension: an int, or a :class:`SizeRange`.
    center : tuple
        Centre of the first unit's field, per dimension, in input pixel coordinates
        (pixel ``i`` spans ``i - 1/2 .. i + 1/2``).
    """

    name: str
    kind: str
    output_size: tuple | None
    stride: tuple
    size: tuple
    center: tuple


@dataclass(frozen=True, repr=False)
class ReceptiveField:
    """The receptive field of a network's output units; see :func:`convdocs.receptive_field`.

    Attributes
    ----------
    size : int, SizeRange or tuple
        Receptive field size, one entry per spatial dimension (an int for a network of
        one-dimensional specs): an int when every unit sees the same number of input
        pixels, else a :class:`SizeRange` ``(smallest, largest)``.
    stride : int, Fraction or tuple
        Effective stride (jump): input pixels between the fields of neighbouring units.
    padding : int or tuple
        Effective padding: how many pixels the first unit's field reaches before the
        input's first pixel (negative if it starts inside the input).
    layers : tuple of LayerField
        One row per layer, in the order they run.
    input_size, output_size : tuple of int or None
        Spatial sizes (None when no input size was given).
    name : str
        The layer whose units are described: the output, or the last layer before the
        spatial structure ends (flatten, adaptive pooling).
    note : str
        Why the description stops before the output, if it does.
    misaligned : tuple of str
        Where branches meet with fields centred differently (Araujo et al. 2019).
    """

    size: object
    stride: object
    padding: object
    layers: tuple
    input_size: tuple | None
    output_size: tuple | None
    name: str
    note: str = ""
    misaligned: tuple = ()
    _branches: tuple = field(default=(), compare=False)  # theoretical: per branch, per axis
    _steps: tuple | None = field(default=None, compare=False)  # the walk, for exact fields

    @property
    def _scalar(self) -> bool:
        """True for a network of one-dimensional specs, whose results are single numbers
        (a stride is never a tuple then, while a size may be a SizeRange)."""
        return not isinstance(self.stride, tuple)

    def _axes(self, value) -> tuple:
        """``value`` (one of the attributes) as one entry per dimension."""
        return (value,) if self._scalar else value

    @property
    def uniform(self) -> bool:
        """True when every output unit has a field of the same size."""
        return not any(isinstance(s, SizeRange) for s in self._axes(self.size))

    def interval(self, unit, clip=False):
        """The input pixels one output unit depends on, per dimension.

        Parameters
        ----------
        unit : int or tuple of int
            Index of the output unit, one per spatial dimension (an int is used for
            every dimension).
        clip : bool, default False
            False: the theoretical field, as if every layer's padding were more input,
            so it may start before 0 or end after the input (effective padding).
            True: only the pixels of the real input that the unit depends on, found by
            propagating the exact field through every layer: padding contributes
            nothing, and neither do rows a strided layer never reads. This is what
            :func:`convdocs.empirical_receptive_field` measures, and it can be smaller than the
            theoretical field cut to the image. Needs the input size.

        Returns
        -------
        tuple
            ``(start, stop)`` per dimension, half-open as in slicing: the unit sees
            pixels ``start .. stop - 1``, ``stop - start`` of them. A single pair for a
            network of one-dimensional specs. None if the unit depends on no input
            pixel (a hole of a transposed convolution whose kernel is smaller than its
            stride, or a unit that reads only padding, with ``clip=True``).

        Raises
        ------
        ValueError
            If the unit is outside the output, or ``clip=True`` without an input size.

        Examples
        --------
        >>> from convdocs import Conv, receptive_field
        >>> rf = receptive_field([Conv(3, padding=1), Conv(3, stride=2, padding=1)], 8)
        >>> rf.interval(0), rf.interval(0, clip=True), rf.interval(3, clip=True)
        ((-2, 3), (0, 3), (4, 8))
        """
        ndim = len(self._branches[0])
        units = int_tuple("unit", unit, ndim, minimum=0)
        if not isinstance(clip, bool):
            msg = f"clip must be a bool, got {_describe(clip)}"
            raise TypeError(msg)
        if self.output_size is not None:
            for axis, (u, n) in enumerate(zip(units, self._axes(self.output_size))):
                if u >= n:
                    where = "" if ndim == 1 else f" along spatial dimension {axis}"
                    msg = f"unit {unit} is outside the output{where}: allowed 0 .. {n - 1}"
                    raise ValueError(msg)
        if clip and self._steps is None:
            msg = (
                "interval(..., clip=True) needs the input size: pass input_size to receptive_field"
            )
            raise ValueError(msg)
        if clip:
            result = _field.exact_interval(self._steps, units)
        else:
            result = _field.interval(self._branches, units)
        if result is None:
            return None
        return result[0] if self._scalar else tuple(result)

    # --- display ---

    def _summary(self) -> list[tuple[str, str]]:
        size = _fmt(self._axes(self.size))
        if not self.uniform:
            size += " (differs between output units: smallest..largest; see interval())"
        rows = [
            ("receptive field", size),
            ("effective stride", _fmt(self._axes(self.stride))),
            ("effective padding", _fmt(self._axes(self.padding))),
        ]
        if self.input_size is not None:
            rows.insert(0, ("input size", size_text(self.input_size)))
            rows.insert(1, ("output size", size_text(self.output_size)))
        rows.insert(0, ("units of", self.name))
        if self.note:
            rows.append(("note", self.note))
        rows.extend(("misaligned", text) for text in self.misaligned)
        return rows

    def _table(self) -> tuple[list[str], list[list[str]]]:
        header = ["layer", "kind", "output", "stride", "field", "centre"]
        body = [
            [
                row.name,
                row.kind,
                "-" if row.output_size is None else size_text(row.output_size),
                _fmt(row.stride),
                _fmt(row.size),
                _fmt(row.center),
            ]
            for row in self.layers
        ]
        return header, body

    def __str__(self) -> str:
        lines = aligned(self._summary())
        header, body = self._table()
        lines.append("")
        lines += aligned([header, *body], right=range(2, len(header)))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        summary = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>"
            f"{escape(v)}</td></tr>"
            for k, v in self._summary()
        )
        return (
            f"<div class='convdocs-receptive-field'><table>{summary}</table>"
            f"{html_table(*self._table())}</div>"
        )


def _fmt(values) -> str:
    """One value per dimension, shown once when all are equal: 212, 7x5, 188..204."""
    texts = [str(_half(Fraction(v))) if isinstance(v, float) else str(v) for v in values]
    if len(set(texts)) == 1:
        return texts[0]
    return " x ".join(texts) if any(".." in t for t in texts) else "x".join(texts)


def _row(name, kind, branches, sizes) -> LayerField:
    maps = _field.hull_maps(branches)
    counts = sizes if sizes is not None else (None,) * len(maps)
    centres, fields = [], []
    for m, n in zip(maps, counts):
        first = m.at(0)
        centres.append(None if first is None else _half(Fraction(first[0] + first[1], 2)))
        smallest, largest = _field.size_of(m, n)
        fields.append(smallest if smallest == largest else SizeRange(smallest, largest))
    return LayerField(
        name=name,
        kind=kind,
        output_size=None if sizes is None else tuple(sizes),
        stride=tuple(_field.number(m.jump) for m in maps),
        size=tuple(fields),
        center=tuple(centres),
    )


def _result(lens, branches, sizes, name, note=""):
    last = _row(name, "", branches, sizes)
    padding = []
    for m in _field.hull_maps(branches):
        first = m.at(0)
        padding.append(None if first is None else -first[0])

    def one(values):
        return values[0] if lens.scalar else tuple(values)

    return ReceptiveField(
        size=one(last.size),
        stride=one(last.stride),
        padding=one(padding),
        layers=tuple(lens.rows),
        input_size=None if lens.input_size is None else one(lens.input_size),
        output_size=None if sizes is None else one(sizes),
        name=name,
        note=note,
        misaligned=tuple(lens.misaligned),
        _branches=branches,
        _steps=None if lens.steps is None else tuple(lens.steps),
    )


class _FieldLens:
    """The field lens: the field of every tensor of a walk, from the records of its steps.

    ``fields[key]`` is a tuple of branches (tuples of one ``_field.Map`` per axis);
    ``steps`` keeps the walk for the exact fields (None without an input size).
    """

    def __init__(self, ndim, input_size, scalar=False):
        self.ndim, self.input_size, self.scalar = ndim, input_size, scalar
        self.fields = {"input": ((_field.IDENTITY,) * ndim,)}
        self.steps = None if input_size is None else [_field.Step("input", None, (), input_size)]
        self.rows = [_row("input", "input", self.fields["input"], input_size)]
        self.misaligned = []

    def step(self, key, record, sources, sizes):
        """The field of ``key``: ``record`` applied to the fields of ``sources``."""
        if self.steps is not None:
            self.steps.append(_field.Step(key, record, tuple(sources), tuple(sizes)))
        if isinstance(record, (_fx.Join, _fx.Same)):
            branches = [b for s in sources for b in self.fields[s]]
            result = _field.merge(branches)
        else:
            (source,) = sources
            result = _field.merge(
                [
                    tuple(_field.apply(record, m, axis) for axis, m in enumerate(branch))
                    for branch in self.fields[source]
                ]
            )
        self.fields[key] = result
        return result

    def offsets(self, sources) -> tuple:
        """How far apart the fields of ``sources`` are centred, per axis."""
        hulls = [_field.hull_maps(self.fields[s]) for s in sources]
        return tuple(_field.centre_offset([h[axis] for h in hulls]) for axis in range(self.ndim))


# --- the public function ----------------------------------------------------------------------


def receptive_field(model, input_size=None):
    r"""Receptive field, effective stride and effective padding of a network's output.

    Parameters
    ----------
    model : sequence of layer specs, str, or torch.nn.Module
        The network: a list of :class:`Conv`, :class:`Pool`, :class:`ConvTranspose`
        and :class:`Upsample` specs; a layer string such as
        ``"conv7s2p3,pool3s2p1,conv3p1"`` (see :func:`parse_layers`); or a PyTorch
        module, whose computation graph is traced with ``torch.fx``.
    input_size : int or tuple of int, optional
        Spatial size of the input, an int for every dimension or one per dimension.
        Required for a module (its traced graph is walked with the output-size
        formulas; no layer runs); for specs it adds the output sizes and the exact,
        image-bounded fields (``interval(u, clip=True)``).

    Returns
    -------
    ReceptiveField
        ``size``, ``stride`` and ``padding`` of the output units, one entry per
        spatial dimension; ``layers``, one row per layer; and ``interval(unit)``, the
        input pixels of any unit. Prints as a table (an HTML table in Jupyter).

    Raises
    ------
    TypeError
        If ``model`` is neither specs nor a module, a spec is malformed, or
        ``torch.fx`` cannot trace the module (the message names the construct).
    ValueError
        If a layer does not fit its input, the module contains a layer whose
        receptive field convdocs cannot compute (the message names it: it never
        guesses), the module takes more than one tensor, branches that meet have
        different effective strides, or the field repeats only after more than 4096
        units (the product of the upsampling factors and transposed strides).

    See Also
    --------
    empirical_receptive_field : Measures the field with autograd.
    parse_layers : The layer-string grammar.
    convdocs.conv_output_size : The output sizes in the table.

    Notes
    -----
    With kernel size :math:`k_l`, stride :math:`s_l`, padding :math:`p_l` and
    dilation :math:`d_l` for layer :math:`l` (effective kernel
    :math:`\hat{k}_l = d_l(k_l - 1) + 1`), the jump :math:`j`, field size :math:`r`
    and the start :math:`a` of the first unit's field follow

    .. math::

        j_l = j_{l-1}\,s_l, \qquad
        r_l = r_{l-1} + (\hat{k}_l - 1)\,j_{l-1}, \qquad
        a_l = a_{l-1} - p_l\,j_{l-1},

    from :math:`j_0 = r_0 = 1`, :math:`a_0 = 0`, so that

    .. math::

        r_L = 1 + \sum_{l=1}^{L} (\hat{k}_l - 1) \prod_{i=1}^{l-1} s_i ,

    and unit :math:`u` sees pixels :math:`u\,j_L + a_L` to :math:`u\,j_L + a_L + r_L -
    1`; the effective padding is :math:`-a_L`. Each layer's kernel counts in pixels
    of its own input, which are :math:`j_{l-1}` input pixels apart: adding
    :math:`(k_l - 1)\,s_l` instead, a common mistake, is wrong from the second
    strided layer on.

    convdocs does not use the formula but propagates, for every unit, the interval of
    input pixels it depends on (a unit of a convolution depends on units
    :math:`u s - p + j d`, :math:`0 \le j < k`, of its input), which gives the same
    numbers for convolutions and pooling and stays exact where the formula fails:
    after a transposed convolution or an upsampling the field depends on the unit (the
    original U-Net's output units see 188 or 204 pixels, and the formula's 200 is the
    field of none of them), and where branches meet it is the union of the branches'
    fields (largest; the effective strides must agree). Element-wise layers (ReLU,
    batch norm in evaluation mode, dropout, ...) do not change it, nor does cutting
    the channels into pieces (``chunk``, ``split``: gated units), nor a channels-last
    stretch (a ``permute`` that moves the channels last, ``LayerNorm`` and ``Linear``
    over channels, and the ``permute`` back, as in ConvNeXt's block). Flattening and
    adaptive pooling end the spatial structure: the result then describes the units of
    the last spatial layer before them, and ``note`` says so. A gate pooled over every
    position and multiplied back (squeeze-and-excitation) makes every unit depend on
    the whole input as well; the field is then that of the spatial path, and ``note``
    says so too.

    References
    ----------
    .. [1] A. Araujo, W. Norris and J. Sim, "Computing receptive fields of
       convolutional neural networks", Distill, 2019, doi:10.23915/distill.00021.
    .. [2] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep
       learning", arXiv:1603.07285, 2016.

    Examples
    --------
    Two 3x3 convolutions see 5 pixels, three see 7; a stride multiplies what comes
    after it:

    >>> from convdocs import Conv, Pool, receptive_field
    >>> receptive_field([Conv(3), Conv(3)]).size
    5
    >>> rf = receptive_field([Conv(7, 2, 3), Pool(3, 2, 1), Conv(3, padding=1)], 224)
    >>> rf.size, rf.stride, rf.padding, rf.output_size
    (19, 4, 9, 56)
    >>> rf
    units of           conv3p1
    input size         224
    output size        56
    receptive field    19
    effective stride   4
    effective padding  9
    <BLANKLINE>
    layer      kind   output  stride  field  centre
    input      input     224       1      1       0
    conv7s2p3  Conv      112       2      7       0
    pool3s2p1  Pool       56       4     11       0
    conv3p1    Conv       56       4     19       0

    After a transposed convolution the field depends on the unit:

    >>> receptive_field("conv3,convT3s2,conv3").size
    SizeRange(smallest=4, largest=5)
    """
    if isinstance(model, str):
        model = parse_layers(model)
    if isinstance(model, (list, tuple)):
        return _from_specs(list(model), input_size)
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is installed with the extras
        torch = None
    if torch is not None and isinstance(model, torch.nn.Module):
        return _from_module(model, input_size)
    msg = (
        "model must be a list of layer specs (Conv, Pool, ConvTranspose, Upsample), a "
        f"layer string or a torch.nn.Module, got {_describe(model)}"
    )
    raise TypeError(msg)


def _spec_ndim(specs, input_size):
    """Number of spatial dimensions, and whether results are scalars (all ints)."""
    found = []  # (what, number of values)
    for i, spec in enumerate(specs):
        if not isinstance(spec, SPECS):
            msg = (
                f"layer {i} must be a Conv, Pool, ConvTranspose or Upsample spec, got "
                f"{_describe(spec)}"
            )
            raise TypeError(msg)
        for name in spec.__dataclass_fields__:
            value = getattr(spec, name)
            if not isinstance(value, tuple):
                continue
            flat_pair = len(value) == 2 and not any(isinstance(v, tuple) for v in value)
            if not (name == "padding" and flat_pair):
                # a flat padding pair is (before, after) in 1-D, per dimension in 2-D
                found.append((f"{name} of layer {i} ({_spec_name(spec)})", len(value)))
    if isinstance(input_size, (tuple, list)):
        found.append(("input_size", len(input_size)))
    if not found:
        return 1, True
    first, ndim = found[0]
    for what, count in found[1:]:
        if count != ndim:
            msg = f"{what} has {count} values but {first} has {ndim}: give one value per spatial dimension"
            raise ValueError(msg)
    return ndim, False


def _from_specs(specs, input_size):
    if not specs:
        msg = "model must contain at least one layer, got an empty list"
        raise ValueError(msg)
    ndim, scalar = _spec_ndim(specs, input_size)
    sizes = None if input_size is None else int_tuple("input_size", input_size, ndim)
    lens, key = _FieldLens(ndim, sizes, scalar), "input"
    for i, spec in enumerate(specs):
        try:
            columns = spec._columns(ndim)
            if sizes is not None:
                sizes = tuple(spec._out_size(n, c) for n, c in zip(sizes, columns))
        except (TypeError, ValueError) as err:
            msg = f"layer {i} ({spec}): {err}"
            raise type(err)(msg) from None
        branches = lens.step(i, spec._record(columns), [key], sizes or ())
        lens.rows.append(_row(_spec_name(spec), type(spec).__name__, branches, sizes))
        key = i
    return _result(lens, lens.fields[key], sizes, lens.rows[-1].name)


def _spec_name(spec) -> str:
    try:
        return str(spec)
    except ValueError:
        return repr(spec)


# --- torch modules: the field lens, reading the walk of the shape lens -------------------


@dataclass(frozen=True)
class _Ended:
    """A tensor after the spatial structure ended (flatten, adaptive pooling)."""

    at: str
    kind: str
    source: object  # the key of the last spatial tensor
    name: str
    # Pooled over every position (a global mean, adaptive pooling to 1): each of its
    # units depends on the whole input, so it may gate a spatial tensor.
    whole: bool = False


def _from_module(model, input_size):
    """Walk the traced model once at ``input_size`` with the shape lens (sizes, and what
    each node does to the grid), then read the walk with the field lens: no layer runs."""
    from convdocs.shapes import _shape_lens

    shapes = _shape_lens(model)
    if input_size is None:
        msg = "input_size is required for a torch.nn.Module (e.g. input_size=224)"
        raise ValueError(msg)
    sizes = int_tuple("input_size", input_size, shapes.ndim)
    walk = shapes.graph.runs(shapes, sizes)
    return _ModuleFields(shapes.graph, walk, sizes).run()


class _ModuleFields:
    """The field lens on a module: the field of every node of one walk, from the records
    and sizes the shape lens left, with what a graph adds to a list of specs (branches
    that end or gate, rows named after the graph's nodes)."""

    def __init__(self, graph, walk, sizes):
        self.graph, self.walk = graph, walk
        self.lens = _FieldLens(graph.ndim, sizes)
        self.keys = {}  # node -> its key in the lens, or an _Ended
        self.notes = []

    def where(self, node) -> str:
        if node.op == "call_module":
            return f"layer '{node.target}' ({self.graph.kinds[node]})"
        target = getattr(node.target, "__name__", node.target)
        return f"node '{node.name}' ({node.op} {target})"

    def fail(self, node, reason):
        return ValueError(f"{self.where(node)}: {reason}")

    def run(self) -> ReceptiveField:
        import torch.fx

        for node in self.graph.nodes:
            found = self.visit(node)
            if found is not None:
                self.keys[node] = found
        result = self.graph.output.args[0]
        if not isinstance(result, torch.fx.Node) or result not in self.keys:
            msg = "the model must return one tensor computed from its input"
            raise TypeError(msg)
        found = self.keys[result]
        if isinstance(found, _Ended):
            self.notes.append(
                f"'{found.at}' ({found.kind}) ends the spatial structure; the field "
                f"is that of the units of '{found.name}', its input"
            )
            found = found.source
        sizes = self.sizes(found)
        note = "; ".join(self.notes)
        return _result(self.lens, self.lens.fields[found], sizes, self.name(found), note)

    def name(self, key) -> str:
        return "input" if key == "input" else self.graph.name(key)

    def sizes(self, key) -> tuple:
        if key == "input":
            return self.lens.input_size
        value = self.walk.values[key]
        if isinstance(value, (tuple, list)):  # the pieces of a split share one grid
            value = value[0]
        return value.spatial(self.graph.ndim)

    def visit(self, node):
        """The key of ``node``'s field, an _Ended, or None (it depends on no input)."""
        if node.op == "placeholder":  # the input, or an argument's default (no field)
            return None if node.args else "input"
        sources = [self.keys[n] for n in node.all_input_nodes if n in self.keys]
        if not sources:
            return None
        value = self.walk.values.get(node)
        several = isinstance(value, (tuple, list)) and any(hasattr(v, "varies") for v in value)
        if several and node not in self.walk.records:  # a split's pieces have a record
            raise self.fail(node, "returns several tensors; convdocs follows single tensors")
        if not (several or hasattr(value, "varies")):
            return None  # a size, a shape, a number of dimensions
        record = self.walk.records.get(node) or self.graph.unsupported(node)
        ended = [s for s in sources if isinstance(s, _Ended)]
        if ended:
            return self.after_end(node, record, sources, ended)
        if isinstance(record, _fx.Unsupported):
            raise self.fail(node, record.reason)
        if isinstance(record, _fx.End):
            kind = self.graph.label(node)
            whole = self.pools_everything(node)
            return _Ended(self.graph.name(node), kind, sources[0], self.name(sources[0]), whole)
        return self.spatial(node, record, sources)

    def pools_everything(self, node) -> bool:
        """True for a pooling over every position (each unit sees the whole input)."""
        pooled = self.graph.op_kinds[node] in ("reduce", "adaptive_pool")
        return pooled and all(n == 1 for n in self.sizes(node))

    def after_end(self, node, record, sources, ended):
        first = ended[0]
        spatial = [s for s in sources if not isinstance(s, _Ended)]
        if spatial and isinstance(record, _fx.Join) and all(e.whole for e in ended):
            return self.gate(node, record, spatial, first)
        if spatial:
            raise self.fail(
                node,
                f"combines a spatial tensor with one whose spatial structure ended at "
                f"'{first.at}' ({first.kind}): its units depend on the whole input",
            )
        if isinstance(record, (_fx.Window, _fx.Transposed, _fx.Resize)) and not first.whole:
            raise self.fail(
                node,
                f"applies {self.graph.label(node)} to a tensor whose spatial structure ended "
                f"at '{first.at}' ({first.kind})",
            )
        if len({e.source for e in ended}) > 1:
            raise self.fail(node, "combines the pooled features of different layers")
        return first  # a layer on globally pooled units: they still see the whole input

    def gate(self, node, record, spatial, pooled):
        """A spatial tensor scaled by globally pooled units (squeeze-and-excitation): the
        units keep the field of their spatial input, and also see the whole input."""
        self.notes.append(
            f"'{self.graph.name(node)}' ({self.graph.label(node)}) combines its input with "
            f"'{pooled.at}' ({pooled.kind}), pooled over every position, so each unit also "
            "depends on the whole input; the field is that of its spatial input"
        )
        return self.spatial(node, record, spatial)

    def spatial(self, node, record, sources):
        sizes = self.sizes(node)
        for source in sources:
            if self.sizes(source) != sizes and isinstance(record, _fx.Join):
                raise self.fail(
                    node,
                    f"combines tensors of spatial sizes {self.sizes(source)} and {sizes} "
                    "(broadcasting one position over all)",
                )
        sources = list(dict.fromkeys(sources))
        try:
            branches = self.lens.step(node, record, sources, sizes)
        except _field.StrideMismatch as err:
            names = ", ".join(f"'{self.name(s)}'" for s in sources)
            raise self.fail(
                node,
                f"its inputs {names} have different effective strides ({err}) along "
                f"spatial dimension {err.axis}; branches that meet must share a grid",
            ) from None
        kind = self.row_kind(node, record, sources, sizes)
        if kind is not None:
            self.lens.rows.append(_row(self.graph.name(node), kind, branches, sizes))
        return node

    def row_kind(self, node, record, sources, sizes):
        """What the node's row in the table is called; None: it gets no row."""
        op = self.graph.op_kinds[node]
        if isinstance(record, _fx.Same):
            return None
        if isinstance(record, _fx.Join):
            if len(sources) < 2:
                return None
            offsets = self.lens.offsets(sources)
            if any(offsets):
                shown = _fmt(tuple(abs(round(o, 3)) for o in offsets))
                self.lens.misaligned.append(
                    f"{self.graph.name(node)}: the fields of its inputs are centred {shown} "
                    "pixels apart"
                )
            return "cat" if op == "cat" else self.graph.label(node)
        if op == "getitem":
            crops = record != _fx.Window(
                *[(1,) * self.graph.ndim] * 2, (0,) * self.graph.ndim, (1,) * self.graph.ndim
            )
            return "crop" if crops or sizes != self.sizes(sources[0]) else None
        if op in ("pad", "pad_copy"):
            return "pad"
        if isinstance(record, _fx.Resize):
            return f"{self.graph.label(node)} x{_fmt(record.factors)}"
        return self.graph.label(node)


# --- measuring the field with autograd ------------------------------------------------------


@dataclass(frozen=True, repr=False)
class EmpiricalField:
    """The result of :func:`convdocs.empirical_receptive_field`.

    Attributes
    ----------
    interval : tuple
        ``(start, stop)`` per spatial dimension (a single pair for one-dimensional
        specs): the first and one past the last input pixel with a non-zero gradient.
        None if no pixel has one.
    unit : tuple of int or int
        The output unit measured.
    mask : numpy.ndarray of bool
        The input pixels with a non-zero gradient, of the input's spatial shape.
    """

    interval: object
    unit: object
    mask: np.ndarray = field(compare=False)

    @property
    def size(self):
        """``stop - start`` per dimension (0 for an empty field)."""
        if self.interval is None:
            return None
        pairs = [self.interval] if isinstance(self.interval[0], int) else self.interval
        sizes = tuple(stop - start for start, stop in pairs)
        return sizes[0] if isinstance(self.interval[0], int) else sizes

    def __repr__(self) -> str:
        return f"EmpiricalField(interval={self.interval}, unit={self.unit})"


def _sum_pool(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """A max pool's geometry with every tap weighted alike, so every tap gets gradient."""
    import torch
    import torch.nn.functional as F

    if return_indices:
        msg = "empirical_receptive_field cannot follow max pooling with return_indices=True"
        raise ValueError(msg)
    nd = input.ndim - 2
    kernel = int_tuple("kernel_size", kernel_size, nd)
    stride = kernel if stride is None or stride == [] else int_tuple("stride", stride, nd)
    padding = int_tuple("padding", padding, nd, 0)
    dilation = int_tuple("dilation", dilation, nd)
    sizes = tuple(input.shape[2:])
    out = conv_output_size(sizes, kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    pairs = []
    for n, k, s, p, d, o in zip(sizes, kernel, stride, padding, dilation, out):
        pairs.append((p, max(0, _extent(o, k, s, d) - n - p)))
    padded = F.pad(input, [v for pair in reversed(pairs) for v in pair])
    channels = input.shape[1]
    weight = torch.full((), 1 / math.prod(kernel), dtype=input.dtype).expand(channels, 1, *kernel)
    conv = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    result = conv(padded, weight, stride=stride, dilation=dilation, groups=channels)
    return result[(..., *(slice(0, o) for o in out))]


def _all_paths_mode():
    """A TorchFunctionMode under which no activation or max pool masks a gradient.

    Its table is not ``_fx``'s kinds: it swaps functions for others with the same
    geometry and an all-positive gradient, at run time, in any module (traced or not).
    """
    import torch
    import torch.nn.functional as F
    from torch.overrides import TorchFunctionMode

    names = [*_fx.ELEMENTWISE_FUNCTIONS, "prelu", "rrelu", "softshrink", "hardshrink"]
    identity = {getattr(F, n) for n in names if hasattr(F, n) and "dropout" not in n}
    identity -= {F.batch_norm}
    identity |= {torch.relu, torch.relu_, torch.sigmoid, torch.tanh}
    identity |= {getattr(torch.Tensor, n) for n in ("relu", "relu_", "sigmoid", "tanh")}
    max_pools = {getattr(F, f"max_pool{n}d") for n in (1, 2, 3)}
    max_pools |= {getattr(F, f"max_pool{n}d_with_indices") for n in (1, 2, 3)}
    max_pools |= {getattr(torch, f"max_pool{n}d") for n in (1, 2, 3)}
    adaptive = {}
    for n in (1, 2, 3):
        avg = getattr(F, f"adaptive_avg_pool{n}d")
        adaptive[getattr(F, f"adaptive_max_pool{n}d")] = avg
        adaptive[getattr(F, f"adaptive_max_pool{n}d_with_indices")] = avg

    class AllPaths(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            if func in identity:
                return args[0] if args else kwargs["input"]
            if func in max_pools:
                return _sum_pool(*args, **kwargs)
            if func in adaptive:
                kwargs.pop("return_indices", None)
                return adaptive[func](*args[:2], **kwargs)
            return func(*args, **kwargs)

    return AllPaths()


def _constant_parameters(model, torch):
    """Positive constant weights (each unit averages its inputs), zero biases, and batch
    norms that are identities: every path from input to output carries gradient."""
    values = {}
    for prefix, module in model.named_modules():
        for name, tensor in [
            *module.named_parameters(recurse=False),
            *module.named_buffers(recurse=False),
        ]:
            key = f"{prefix}.{name}" if prefix else name
            if not tensor.is_floating_point():
                continue
            if tensor.ndim >= 2:
                fan = math.prod(tensor.shape[1:])
                if isinstance(module, torch.nn.modules.conv._ConvTransposeNd):
                    fan = tensor.shape[0] * math.prod(tensor.shape[2:])
                value = 1.0 / fan
            elif name in ("bias", "running_mean"):
                value = 0.0
            else:  # norm weights, running_var, PReLU slopes
                value = 1.0
            values[key] = torch.full((), value, dtype=torch.float64).expand(tensor.shape)
    return values


class _Stop(Exception):
    pass


def _spec_module(specs, input_size):
    """An ``nn.Sequential`` with one channel that has the geometry of ``specs``."""
    from torch import nn

    ndim, scalar = _spec_ndim(specs, input_size)
    layers = []
    for i, spec in enumerate(specs):
        columns = spec._columns(ndim)

        def get(name, columns=columns):
            return tuple(c[name] for c in columns)

        pairs = get("padding") if hasattr(spec, "padding") else ((0, 0),) * ndim
        before, after = (tuple(side) for side in zip(*pairs))
        pad = [v for b, a in zip(reversed(before), reversed(after)) for v in (b, a)]
        if before != after:
            if not isinstance(spec, Conv):
                msg = f"layer {i} ({spec!r}): asymmetric padding has no PyTorch equivalent here"
                raise ValueError(msg)
            layers.append(getattr(nn, f"ConstantPad{ndim}d")(pad, 0.0))
            before = (0,) * ndim
        if isinstance(spec, Conv):
            layers.append(
                getattr(nn, f"Conv{ndim}d")(
                    1, 1, get("kernel_size"), get("stride"), before, get("dilation")
                )
            )
        elif isinstance(spec, Pool):
            layers.append(
                getattr(nn, f"MaxPool{ndim}d")(
                    get("kernel_size"),
                    get("stride"),
                    before,
                    get("dilation"),
                    ceil_mode=spec.ceil_mode,
                )
            )
        elif isinstance(spec, ConvTranspose):
            layers.append(
                getattr(nn, f"ConvTranspose{ndim}d")(
                    1,
                    1,
                    get("kernel_size"),
                    get("stride"),
                    before,
                    get("output_padding"),
                    dilation=get("dilation"),
                )
            )
        else:
            layers.append(nn.Upsample(scale_factor=tuple(float(f) for f in get("scale_factor"))))
    return nn.Sequential(*layers), ndim, scalar


def empirical_receptive_field(model, input_size, unit=None, *, layer=None, channel=None):
    r"""Measure a receptive field with autograd: the input pixels one output unit feels.

    Parameters
    ----------
    model : torch.nn.Module, sequence of layer specs, or str
        The network. Specs and layer strings are built as a one-channel
        ``torch.nn.Sequential`` of the matching PyTorch layers.
    input_size : int or tuple of int
        Spatial size of the input.
    unit : int or tuple of int, optional
        The output unit, one index per spatial dimension. Default: the centre unit,
        ``(n - 1) // 2`` along each dimension.
    layer : str, optional
        Measure a unit of this submodule's output (its last call, if it runs more than
        once) instead of the model's output: ``"features"``, ``"layer4"``. Needed for
        classifiers, whose output has no spatial dimensions.
    channel : int, optional
        Measure the unit of this output channel only. Default: the unit of every
        channel (the sum of its channels), which is what :func:`convdocs.receptive_field`
        describes; a single channel can see less, e.g. after a concatenation.

    Returns
    -------
    EmpiricalField
        ``interval``: ``(start, stop)`` per dimension, half-open, of the input pixels
        whose gradient is non-zero (None if there are none); ``mask``: those pixels;
        ``unit``: the unit measured.

    Raises
    ------
    TypeError
        If ``model`` is not a module or specs.
    ValueError
        If the input does not fit the model, ``layer`` is not a submodule, its output
        is not spatial, or ``unit`` lies outside it.

    See Also
    --------
    receptive_field : Computes the field; ``interval(unit, clip=True)`` is what this
        function measures.

    Notes
    -----
    A gradient can be zero for reasons that have nothing to do with the field: a
    ReLU whose input is negative, a max pool that passes the gradient to one pixel of
    its window, weights that happen to cancel. So the model is run, without changing
    it, with every weight set to a positive constant (each unit averages its inputs),
    every bias to zero, batch norms as identities (evaluation mode, mean 0, variance
    1), activations replaced by the identity and max pools by average pools of the
    same geometry (through a ``torch.overrides.TorchFunctionMode``, so functional calls
    such as ``F.relu`` are caught too), in float64, on an input of ones. Every path
    from an input pixel to the unit then carries a positive gradient, and a pixel's
    gradient is non-zero exactly when the unit depends on it.

    References
    ----------
    .. [1] A. Araujo, W. Norris and J. Sim, "Computing receptive fields of
       convolutional neural networks", Distill, 2019, doi:10.23915/distill.00021.

    Examples
    --------
    >>> from convdocs import Conv, Pool, empirical_receptive_field, receptive_field
    >>> net = [Conv(3, padding=1), Pool(2), Conv(3, padding=1)]
    >>> measured = empirical_receptive_field(net, 16, unit=3)
    >>> measured.interval, measured.size
    ((3, 11), 8)
    >>> receptive_field(net, 16).interval(3, clip=True)
    (3, 11)
    >>> receptive_field(net, 16).interval(0)  # reaches 3 pixels into the padding
    (-3, 5)
    >>> empirical_receptive_field(net, 16, unit=0).interval  # padding does not count
    (0, 5)
    """
    import torch

    model, channels, ndim, scalar = _measurable(model, input_size, torch)
    sizes = int_tuple("input_size", input_size, ndim)
    if channel is not None:
        channel = check_int("channel", channel, 0)
    hooked = None
    if layer is not None:
        try:
            hooked = model.get_submodule(layer)
        except AttributeError:
            msg = f"layer must name a submodule of {type(model).__name__}, got {layer!r}"
            raise ValueError(msg) from None
    shape = (1, channels, *sizes)
    restore = eval_mode(model)
    try:
        calls = 0 if hooked is None else _count_calls(model, hooked, layer, shape, torch)
        x = torch.ones(shape, dtype=torch.float64, requires_grad=True)
        out = _all_paths_output(model, x, hooked, calls, torch)
    finally:
        restore()
    what = f"layer {layer!r}" if layer else "the model"
    units = _measured_unit(out, ndim, unit, channel, what, torch)
    out[(0, slice(None) if channel is None else channel, *units)].sum().backward()
    mask = (x.grad[0] != 0).any(dim=0).numpy()
    intervals = _hit_intervals(mask)
    if scalar:
        return EmpiricalField(None if intervals is None else intervals[0], units[0], mask)
    return EmpiricalField(intervals, units, mask)


def _measurable(model, input_size, torch):
    """(module, input channels, spatial dimensions, scalar results) for ``model``."""
    if isinstance(model, str):
        model = parse_layers(model)
    if isinstance(model, (list, tuple)):
        module, ndim, scalar = _spec_module(list(model), input_size)
        return module, 1, ndim, scalar
    if isinstance(model, torch.nn.Module):
        return (model, *input_layer(model), False)
    msg = f"model must be a torch.nn.Module or layer specs, got {_describe(model)}"
    raise TypeError(msg)


def _count_calls(model, hooked, layer, shape, torch) -> int:
    """How often ``hooked`` runs in one forward pass (the last call is measured)."""
    calls = [0]
    handle = hooked.register_forward_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
    try:
        with torch.no_grad():
            model(torch.zeros(shape, dtype=next(model.parameters()).dtype))
    finally:
        handle.remove()
    if not calls[0]:
        msg = f"layer {layer!r} does not run in the forward pass"
        raise ValueError(msg)
    return calls[0]


def _all_paths_output(model, x, hooked, calls, torch):
    """The output of the all-paths copy of ``model`` on ``x`` (or of ``hooked``'s last call)."""

    def forward(x):
        with _all_paths_mode():
            return torch.func.functional_call(model, _constant_parameters(model, torch), (x,))

    return _hooked_output(forward, x, hooked, calls, type(model).__name__)


def _hooked_output(forward, x, hooked, calls, name):
    """``forward(x)``, or the output of the ``calls``-th call of the module ``hooked``
    (the forward pass stops there)."""
    captured = []

    def stop(module, args, output):  # noqa: ARG001 (a forward hook's signature)
        captured.append(output)
        if len(captured) == calls:
            raise _Stop

    handle = hooked.register_forward_hook(stop) if hooked is not None else None
    try:
        return forward(x)
    except _Stop:
        return captured[-1]
    except RuntimeError as err:
        msg = f"running {name} on an input of shape {tuple(x.shape)} failed: {first_line(err)}"
        raise ValueError(msg) from err
    finally:
        if handle is not None:
            handle.remove()


def _measured_unit(out, ndim, unit, channel, what, torch) -> tuple:
    """The unit to measure (default: the centre one), checked against the output."""
    if not isinstance(out, torch.Tensor) or out.ndim != ndim + 2:
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        msg = (
            f"the output of {what} must have shape (N, C, *spatial) with {ndim} spatial "
            f"dimensions, got {got}; pass layer= to measure a spatial layer"
        )
        raise ValueError(msg)
    out_sizes = tuple(out.shape[2:])
    if unit is None:
        units = tuple((n - 1) // 2 for n in out_sizes)
    else:
        units = int_tuple("unit", unit, ndim, 0)
        if any(u >= n for u, n in zip(units, out_sizes)):
            msg = f"unit {unit} is outside the output of {what}, of spatial size {out_sizes}"
            raise ValueError(msg)
    if channel is not None and channel >= out.shape[1]:
        msg = f"channel must be below {out.shape[1]}, the channels of {what}, got {channel}"
        raise ValueError(msg)
    return units


def _hit_intervals(mask):
    """``(start, stop)`` per axis of the True pixels of ``mask``; None if there are none."""
    intervals = []
    for axis in range(mask.ndim):
        hits = np.flatnonzero(mask.any(axis=tuple(a for a in range(mask.ndim) if a != axis)))
        if not len(hits):
            return None
        intervals.append((int(hits[0]), int(hits[-1]) + 1))
    return tuple(intervals)
