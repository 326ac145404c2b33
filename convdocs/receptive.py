r"""Receptive fields: which input pixels each output unit of a network sees.

Layer specs (:class:`Conv`, :class:`Pool`, :class:`ConvTranspose`, :class:`Upsample`)
describe a network as data; :func:`convdocs.receptive_field` computes, exactly, the receptive
field of such a list or of a real ``torch.nn.Module`` (traced with ``torch.fx``), and
:func:`convdocs.empirical_receptive_field` measures it with autograd, to prove the answer.

How it works: for each spatial dimension, every tensor of the network carries a map
from its unit index to the interval of input pixels the unit depends on. A layer turns
the map of its input into the map of its output with integer arithmetic (the windows of
a convolution, the taps that reach an output of a transposed convolution, the source
pixel of an upsampling), so the answer is exact for every unit, including after
transposed convolutions and upsampling, where the field differs between neighbouring
units. Two maps are kept: the *theoretical* one, where the padding of every layer is
extended as if the input went on for ever (the textbook receptive field, which may
reach beyond the image), and the *exact* one, where only real input pixels count.
Output sizes come from :mod:`convdocs.arithmetic`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from html import escape
from typing import NamedTuple

import numpy as np

from convdocs import _fx
from convdocs._fx import eval_mode, first_line, input_layer, trace
from convdocs._validate import _describe, check_int, int_tuple, padding_pairs
from convdocs.arithmetic import conv_output_size, conv_transpose_output_size

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


def _token(value) -> str:
    """``3`` -> ``"3"``; ``(3, 5)`` -> ``"3x5"`` (the layer-string form of a value)."""
    if isinstance(value, tuple):
        if any(isinstance(v, tuple) for v in value):
            msg = f"padding {value} has (before, after) pairs, which layer strings cannot show"
            raise ValueError(msg)
        return "x".join(map(str, value))
    return str(value)


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

    def _map(self, m, c, n_out):
        return _conv_map(m, c["kernel_size"], c["stride"], c["padding"][0], c["dilation"], n_out)


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

    def _map(self, m, c, n_out):
        return _conv_map(m, c["kernel_size"], c["stride"], c["padding"][0], c["dilation"], n_out)


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

    def _map(self, m, c, n_out):
        k, s, d = c["kernel_size"], c["stride"], c["dilation"]
        return _transpose_map(m, k, s, c["padding"][0], d, n_out)


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

    def _map(self, m, c, n_out):
        return _nearest_map(m, c["scale_factor"], n_out)


SPECS = (Conv, Pool, ConvTranspose, Upsample)


def _spec_string(kind, spec, *optional) -> str:
    text = kind + _token(spec.kernel_size)
    for name, letter, default in optional:
        value = getattr(spec, name)
        if value != default and value is not None:
            text += letter + _token(value)
    return text


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
_TOKEN = re.compile(r"(convT|conv|pool|up)((?:[ksdpo]?\d+(?:x\d+)*|c)*)", re.IGNORECASE)
_PART = re.compile(r"([ksdpo]?)(\d+(?:x\d+)*)|(c)", re.IGNORECASE)

LAYER_GRAMMAR = """\
Layers are separated by commas. Each layer is a kind followed by its parameters:
  kind: conv (convolution), pool (max/avg pooling), convT (transposed convolution),
        up (nearest-neighbour upsampling; its number is the scale factor)
  k<n> or a bare <n>: kernel size   s<n>: stride (pool: default = kernel)
  p<n>: padding   d<n>: dilation   o<n>: output padding (convT)   c: ceil_mode (pool)
  <n> may be HxW for different values per dimension, e.g. conv3x5.
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
        If a layer cannot be read; the message quotes it.

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


def _parse_one(position, part):
    def error(reason):
        return ValueError(f"cannot read layer {position}, {part!r}: {reason}")

    match = _TOKEN.fullmatch(part)
    if match is None:
        reason = (
            "expected conv, pool, convT or up followed by parameters k<n>, s<n>, p<n>, "
            "d<n>, o<n>, c (see convdocs rf --help)"
        )
        raise error(reason)
    kind = _KINDS[match.group(1).lower()]
    first = "scale_factor" if kind is Upsample else "kernel_size"
    kwargs = {}
    for letter, number, ceil in _PART.findall(match.group(2)):
        if ceil:
            name, value = "ceil_mode", True
        else:
            name = _LETTERS[letter.lower()] if letter else first
            if letter.lower() == "k" and kind is Upsample:
                name = "scale_factor"
            values = tuple(int(v) for v in number.split("x"))
            value = values[0] if len(values) == 1 else values
        if name in kwargs:
            reason = f"{name} given twice"
            raise error(reason)
        kwargs[name] = value
    if first not in kwargs:
        reason = f"no {first.replace('_', ' ')}: write e.g. {match.group(1)}3"
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


# --- per-dimension maps: unit index -> interval of input pixels -----------------------------


@dataclass(frozen=True)
class _Map:
    """For one spatial dimension: unit ``u`` of a tensor depends on pixels lo[u]..hi[u].

    ``period`` None: a bounded map over ``len(lo)`` units (units outside depend on
    nothing: the *exact* map). Otherwise a quasi-periodic map defined for every integer
    (the *theoretical* map): ``lo(u + period) = lo(u) + step``. Empty fields are
    ``(inf, -inf)``.
    """

    lo: np.ndarray
    hi: np.ndarray
    period: int | None = None
    step: int = 0

    @property
    def jump(self) -> Fraction:
        return Fraction(self.step, self.period)

    def at(self, u):
        u = np.asarray(u, dtype=np.int64)
        if self.period is None:
            n = len(self.lo)
            inside = (u >= 0) & (u < n)
            k = np.clip(u, 0, n - 1)
            return np.where(inside, self.lo[k], np.inf), np.where(inside, self.hi[k], -np.inf)
        q, r = np.divmod(u, self.period)
        return self.lo[r] + q * self.step, self.hi[r] + q * self.step


def _identity(n=None) -> _Map:
    if n is None:
        return _Map(np.zeros(1), np.zeros(1), 1, 1)
    return _Map(np.arange(n, dtype=float), np.arange(n, dtype=float))


def _build(m: _Map, taps, n_out, period, step) -> _Map:
    """The map whose unit ``u`` is the union of the fields of its input taps.

    ``taps(u)`` yields ``(index, valid)`` pairs: the input units unit ``u`` reads.
    """
    units = np.arange(period if n_out is None else n_out)
    lo = np.full(len(units), np.inf)
    hi = np.full(len(units), -np.inf)
    for index, valid in taps(units):
        tap_lo, tap_hi = m.at(index)
        lo = np.minimum(lo, np.where(valid, tap_lo, np.inf))
        hi = np.maximum(hi, np.where(valid, tap_hi, -np.inf))
    if n_out is not None:
        return _Map(lo, hi)
    return _shortest_period(_Map(lo, hi, period, step))


def _shortest_period(m: _Map) -> _Map:
    for d in range(1, m.period):
        if m.period % d or (m.step * d) % m.period:
            continue
        inc = m.step * d // m.period
        if np.array_equal(m.lo[d:], m.lo[:-d] + inc) and np.array_equal(m.hi[d:], m.hi[:-d] + inc):
            return _Map(m.lo[:d], m.hi[:d], d, inc)
    return m


def _conv_map(m, kernel_size, stride, before, dilation, n_out=None) -> _Map:
    """Unit ``u`` of a convolution reads units ``u*s - p + j*d``, j = 0 .. k-1."""

    def taps(u):
        return [(u * stride - before + j * dilation, True) for j in range(kernel_size)]

    period = step = None
    if m.period is not None:
        period = m.period // math.gcd(m.period, stride)
        step = m.step * (period * stride // m.period)
    return _build(m, taps, n_out, period, step)


def _transpose_map(m, kernel_size, stride, before, dilation, n_out=None) -> _Map:
    """Unit ``v`` of a transposed convolution is reached by units ``u`` with
    ``v = u*s - p + j*d`` for some tap j = 0 .. k-1."""

    def taps(v):
        result = []
        for j in range(kernel_size):
            num = v + before - j * dilation
            result.append((num // stride, num % stride == 0))
        return result

    period = None if m.period is None else m.period * stride
    return _build(m, taps, n_out, period, m.step)


def _nearest_map(m, factor, n_out=None) -> _Map:
    """Unit ``v`` of a nearest-neighbour upsampling by ``f`` copies unit ``v // f``."""
    period = None if m.period is None else m.period * factor
    return _build(m, lambda v: [(v // factor, True)], n_out, period, m.step)


def _linear_map(m, factor, n_in, n_out=None) -> _Map:
    """(Bi)linear upsampling by an even factor ``f`` (``align_corners=False``).

    Output ``v`` samples the input at ``x = (v + 1/2)/f - 1/2``: pixels ``floor(x)`` and
    ``floor(x) + 1``. PyTorch clamps ``x`` at 0 and the second pixel at the last one;
    the theoretical map does not.
    """

    def taps(v):
        num, den = 2 * v + 1 - factor, 2 * factor
        if n_out is not None:  # the exact map: PyTorch's clamps
            num = np.maximum(num, 0)
            first = num // den
            return [(first, True), (np.minimum(first + 1, n_in - 1), num % den != 0)]
        first = num // den
        return [(first, True), (first + 1, num % den != 0)]

    period = None if m.period is None else m.period * factor
    return _build(m, taps, n_out, period, m.step)


def _slice_map(m, start, step, n_out=None) -> _Map:
    """Unit ``u`` of ``x[start::step]`` (or of a padded ``x``, for ``start < 0``)."""
    return _conv_map(m, 1, step, -start, 1, n_out)


class _StrideMismatch(ValueError):
    pass


def _union(maps) -> _Map:
    if maps[0].period is None:
        lo = np.minimum.reduce([m.lo for m in maps])
        hi = np.maximum.reduce([m.hi for m in maps])
        return _Map(lo, hi)
    jumps = {m.jump for m in maps}
    if len(jumps) > 1:
        raise _StrideMismatch(", ".join(str(_number(j)) for j in sorted(jumps)))
    period = math.lcm(*(m.period for m in maps))
    units = np.arange(period)
    bounds = [m.at(units) for m in maps]
    lo = np.minimum.reduce([b[0] for b in bounds])
    hi = np.maximum.reduce([b[1] for b in bounds])
    step = int(maps[0].jump * period)
    return _shortest_period(_Map(lo, hi, period, step))


def _centre_offset(maps) -> float:
    """How far apart the branches' fields are centred, on average over the units.

    After an upsampling the centres of neighbouring units move in steps that differ
    from the other branch's, so per unit they differ even when the branches are
    aligned; the average over one period of the pattern is the systematic offset.
    """
    units = np.arange(math.lcm(*(m.period for m in maps)))
    centres = []
    for m in maps:
        lo, hi = m.at(units)
        centres.append(np.where(np.isfinite(lo), (lo + hi) / 2, np.nan))
    means = [float(np.nanmean(c - centres[0])) for c in centres[1:]]
    return max(means, key=abs, default=0.0)


def _number(value):
    """An int when whole, else the Fraction (effective strides after upsampling)."""
    value = Fraction(value)
    return int(value) if value.denominator == 1 else value


def _half(value):
    """A pixel coordinate: an int when whole, else a float ending in .5."""
    return int(value) if float(value).is_integer() else float(value)


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
    _theory: tuple = field(default=(), compare=False)
    _exact: tuple | None = field(default=None, compare=False)
    _scalar: bool = field(default=False, compare=False)

    @property
    def uniform(self) -> bool:
        """True when every output unit has a field of the same size."""
        sizes = (self.size,) if self._scalar else self.size
        return not any(isinstance(s, SizeRange) for s in sizes)

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
        ndim = len(self._theory)
        units = int_tuple("unit", unit, ndim, minimum=0)
        if not isinstance(clip, bool):
            msg = f"clip must be a bool, got {_describe(clip)}"
            raise TypeError(msg)
        if self.output_size is not None:
            sizes = (self.output_size,) if self._scalar else self.output_size
            for axis, (u, n) in enumerate(zip(units, sizes)):
                if u >= n:
                    where = "" if ndim == 1 else f" along spatial dimension {axis}"
                    msg = f"unit {unit} is outside the output{where}: allowed 0 .. {n - 1}"
                    raise ValueError(msg)
        if clip and self._exact is None:
            msg = (
                "interval(..., clip=True) needs the input size: pass input_size to receptive_field"
            )
            raise ValueError(msg)
        maps = self._exact if clip else self._theory
        result = []
        for m, u in zip(maps, units):
            lo, hi = m.at(u)
            if not np.isfinite(lo):
                return None
            result.append((int(lo), int(hi) + 1))
        return result[0] if self._scalar else tuple(result)

    # --- display ---

    def _summary(self) -> list[tuple[str, str]]:
        size = _fmt(self.size, self._scalar)
        if not self.uniform:
            size += " (differs between output units: smallest..largest; see interval())"
        rows = [
            ("receptive field", size),
            ("effective stride", _fmt(self.stride, self._scalar)),
            ("effective padding", _fmt(self.padding, self._scalar)),
        ]
        if self.input_size is not None:
            rows.insert(0, ("input size", _fmt_size(self.input_size, self._scalar)))
            rows.insert(1, ("output size", _fmt_size(self.output_size, self._scalar)))
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
                "-" if row.output_size is None else _fmt_size(row.output_size, False),
                _fmt(row.stride, False),
                _fmt(row.size, False),
                _fmt(row.center, False),
            ]
            for row in self.layers
        ]
        return header, body

    def __str__(self) -> str:
        summary = self._summary()
        width = max(len(k) for k, _ in summary)
        lines = [f"{key:<{width}}  {value}" for key, value in summary]
        header, body = self._table()
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
        lines.append("")
        for row in [header, *body]:
            cells = [
                c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))
            ]
            lines.append("  ".join(cells).rstrip())
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        summary = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>"
            f"{escape(v)}</td></tr>"
            for k, v in self._summary()
        )
        header, body = self._table()
        head = "".join(f"<th>{escape(h)}</th>" for h in header)
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in body
        )
        return (
            f"<div class='convdocs-receptive-field'><table>{summary}</table>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
        )


def _fmt(value, scalar) -> str:
    """One value per dimension, shown once when all are equal: 212, 7x5, 188..204."""
    values = (value,) if scalar else value
    texts = [str(_half(v)) if isinstance(v, float) else str(v) for v in values]
    if len(set(texts)) == 1:
        return texts[0]
    return " x ".join(texts) if any(".." in t for t in texts) else "x".join(texts)


def _fmt_size(value, scalar) -> str:
    return str(value) if scalar else "x".join(map(str, value))


def _size_of(m: _Map, count) -> int | SizeRange:
    units = np.arange(m.period if count is None else count)
    lo, hi = m.at(units)
    sizes = (hi - lo + 1)[np.isfinite(lo)]
    if not len(sizes):
        return 0
    smallest, largest = int(sizes.min()), int(sizes.max())
    return smallest if smallest == largest else SizeRange(smallest, largest)


def _row(name, kind, theory, sizes) -> LayerField:
    counts = sizes if sizes is not None else (None,) * len(theory)
    centres = []
    for m in theory:
        lo, hi = m.at(0)
        centres.append(_half((lo + hi) / 2) if np.isfinite(lo) else None)
    return LayerField(
        name=name,
        kind=kind,
        output_size=None if sizes is None else tuple(sizes),
        stride=tuple(_number(m.jump) for m in theory),
        size=tuple(_size_of(m, n) for m, n in zip(theory, counts)),
        center=tuple(centres),
    )


def _result(rows, theory, exact, sizes, input_size, name, scalar, note="", misaligned=()):
    last = _row(name, "", theory, sizes)
    padding = []
    for m in theory:
        lo, _ = m.at(0)
        padding.append(int(-lo) if np.isfinite(lo) else None)

    def one(values):
        return values[0] if scalar else tuple(values)

    return ReceptiveField(
        size=one(last.size),
        stride=one(last.stride),
        padding=one(padding),
        layers=tuple(rows),
        input_size=None if input_size is None else one(input_size),
        output_size=None if sizes is None else one(sizes),
        name=name,
        note=note,
        misaligned=tuple(misaligned),
        _theory=tuple(theory),
        _exact=None if exact is None else tuple(exact),
        _scalar=scalar,
    )


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
        Required for a module (tracing runs it once on zeros); for specs it adds the
        output sizes and the exact, image-bounded fields (``interval(u, clip=True)``).

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
        guesses), or branches that meet have different effective strides.

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
    batch norm in evaluation mode, dropout, ...) do not change it. Flattening and
    adaptive pooling end the spatial structure: the result then describes the units of
    the last spatial layer before them, and ``note`` says so.

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
        return _Tracer(model, input_size).run()
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
    sizes = None if input_size is None else list(int_tuple("input_size", input_size, ndim))
    theory = [_identity()] * ndim
    exact = None if sizes is None else [_identity(n) for n in sizes]
    rows = [_row("input", "input", theory, sizes)]
    for i, spec in enumerate(specs):
        try:
            columns = spec._columns(ndim)
            if sizes is not None:
                sizes = [spec._out_size(n, c) for n, c in zip(sizes, columns)]
        except (TypeError, ValueError) as err:
            msg = f"layer {i} ({spec}): {err}"
            raise type(err)(msg) from None
        theory = [spec._map(m, c, None) for m, c in zip(theory, columns)]
        if exact is not None:
            exact = [spec._map(m, c, n) for m, c, n in zip(exact, columns, sizes)]
        rows.append(_row(_spec_name(spec), type(spec).__name__, theory, sizes))
    first = None if input_size is None else int_tuple("input_size", input_size, ndim)
    return _result(rows, theory, exact, sizes, first, rows[-1].name, scalar)


def _spec_name(spec) -> str:
    try:
        return str(spec)
    except ValueError:
        return repr(spec)


# --- torch modules: trace the graph ---------------------------------------------------------


class _Shape(tuple):
    """The recorded shape of a tensor a traced node produced."""


@dataclass(frozen=True)
class _Spatial:
    """What a tensor of the traced graph depends on, per spatial dimension."""

    theory: tuple
    exact: tuple
    sizes: tuple
    name: str


@dataclass(frozen=True)
class _Ended:
    """A tensor after the spatial structure ended (flatten, adaptive pooling)."""

    at: str
    kind: str
    source: _Spatial


_CONST = object()  # a tensor that does not depend on the input (a parameter, a constant)


class _Tracer:
    def __init__(self, model, input_size):
        import torch
        import torch.fx

        self.torch = torch
        label = type(model).__name__
        self.graph_module = trace(model)
        channels, self.ndim = input_layer(model, self.graph_module)
        if input_size is None:
            msg = "input_size is required for a torch.nn.Module (e.g. input_size=224)"
            raise ValueError(msg)
        self.input_size = int_tuple("input_size", input_size, self.ndim)
        self.values = self._record(model, label, (1, channels, *self.input_size))
        self.fields = {}
        self.rows = []
        self.misaligned = []

    def _record(self, model, label, shape):
        torch = self.torch
        values = {}

        class Recorder(torch.fx.Interpreter):
            def run_node(self, node):
                out = super().run_node(node)
                values[node] = _summarise(out, torch)
                return out

        parameter = next((p for p in model.parameters() if p.is_floating_point()), None)
        dtype = torch.float32 if parameter is None else parameter.dtype
        restore = eval_mode(model)
        try:
            with torch.no_grad():
                Recorder(self.graph_module).run(torch.zeros(shape, dtype=dtype))
        except Exception as err:  # the model's own error, whatever its type
            msg = f"running {label} on an input of shape {shape} failed: {first_line(err)}"
            raise ValueError(msg) from err
        finally:
            restore()
        return values

    # --- helpers ---

    def name(self, node) -> str:
        return node.target if node.op == "call_module" else node.name

    def where(self, node) -> str:
        if node.op == "call_module":
            kind = type(self.graph_module.get_submodule(node.target)).__name__
            return f"layer '{node.target}' ({kind})"
        target = getattr(node.target, "__name__", node.target)
        return f"node '{node.name}' ({node.op} {target})"

    def fail(self, node, reason, error=ValueError):
        return error(f"{self.where(node)}: {reason}")

    def concrete(self, value):
        import torch.fx

        return torch.fx.node.map_arg(value, lambda n: self.values[n])

    def arguments(self, node, names, skip=1):
        """Bind a call's arguments (after the first ``skip``) to ``names``, as values."""
        bound = dict(zip(names, node.args[skip:]))
        bound.update(node.kwargs)
        return dict(self.concrete(bound))

    def spatial_shape(self, node):
        shape = self.values[node]
        return tuple(shape[len(shape) - self.ndim :])

    def spatial(self, node, theory, exact, kind, row=True):
        sizes = self.spatial_shape(node)
        out = _Spatial(tuple(theory), tuple(exact), sizes, self.name(node))
        if row:
            self.rows.append(_row(out.name, kind, out.theory, sizes))
        return out

    # --- the walk ---

    def run(self):
        output = None
        for node in self.graph_module.graph.nodes:
            if node.op == "output":
                output = node
                break
            self.fields[node] = self.visit(node)
        result = output.args[0]
        if not isinstance(result, self.torch.fx.Node) or not isinstance(
            self.fields.get(result), (_Spatial, _Ended)
        ):
            msg = (
                "the model must return one tensor computed from its input, got "
                f"{type(self.concrete(result)).__name__}"
            )
            raise TypeError(msg)
        field_out = self.fields[result]
        note = ""
        if isinstance(field_out, _Ended):
            note = (
                f"'{field_out.at}' ({field_out.kind}) ends the spatial structure; the field "
                f"is that of the units of '{field_out.source.name}', its input"
            )
            field_out = field_out.source
        return _result(
            self.rows,
            field_out.theory,
            field_out.exact,
            field_out.sizes,
            self.input_size,
            field_out.name,
            False,
            note,
            self.misaligned,
        )

    def visit(self, node):
        value = self.values.get(node)
        if node.op == "placeholder":
            if self.rows:
                raise self.fail(node, "a second input: only models with one input are supported")
            theory = [_identity()] * self.ndim
            exact = [_identity(n) for n in self.input_size]
            return self.spatial(node, theory, exact, "input")
        inputs = [self.fields.get(n) for n in node.all_input_nodes]
        dependent = [f for f in inputs if isinstance(f, (_Spatial, _Ended))]
        has_tensor = isinstance(value, _Shape)
        if isinstance(value, (tuple, list)) and not has_tensor:
            has_tensor = any(isinstance(v, _Shape) for v in value)
            if has_tensor and dependent:
                raise self.fail(node, "returns several tensors; convdocs follows single tensors")
        if not dependent:
            return _CONST if has_tensor else None
        if not has_tensor:
            return None  # a size, a shape, a number of dimensions
        ended = [f for f in dependent if isinstance(f, _Ended)]
        spatial = [f for f in dependent if isinstance(f, _Spatial)]
        handler, kind = self.classify(node)
        if ended:
            if spatial:
                raise self.fail(
                    node,
                    f"combines a spatial tensor with one whose spatial structure ended at "
                    f"'{ended[0].at}' ({ended[0].kind}): its units depend on the whole input",
                )
            if handler not in (self.elementwise, self.union, self.view, self.reduce, None):
                raise self.fail(
                    node,
                    f"applies {kind} to a tensor whose spatial structure ended at "
                    f"'{ended[0].at}' ({ended[0].kind})",
                )
            if len({id(e.source) for e in ended}) > 1:
                raise self.fail(node, "combines the pooled features of different layers")
            return ended[0]
        if handler is None:
            raise self.fail(node, f"{kind}; convdocs cannot compute its receptive field")
        return handler(node, spatial, kind)

    def classify(self, node):
        """The handler of a node and a short description (its kind)."""
        handlers = {
            "conv": self.conv,
            "conv_transpose": self.conv_transpose,
            "pool": self.pool,
            "adaptive_pool": self.end,
            "interpolate": self.interpolate,
            "view": self.view,
            "pad": self.pad,
            "softmax": self.softmax,
            "elementwise": self.elementwise,
            "batch_norm": self.elementwise,
            "binary": self.union,
            "cat": self.union,
            "getitem": self.getitem,
            "reduce": self.reduce,
        }
        kind = _fx.op_kind(self.graph_module, node)
        handler = handlers.get(kind)
        if node.op == "call_module":
            name = type(self.graph_module.get_submodule(node.target)).__name__
            if kind == "linear":
                return None, "Linear applied to a spatial tensor mixes its last (width) dimension"
            return handler, name if handler else f"{name} is not a layer convdocs knows"
        if node.op == "call_method":
            if handler is None:
                return None, f"method .{node.target}() is not an operation convdocs knows"
            return handler, f"method {node.target}"
        name = getattr(node.target, "__name__", str(node.target))
        if handler is None:
            return None, f"{name} is not an operation convdocs knows"
        if kind in ("cat", "getitem"):
            return handler, kind
        return handler, name.strip("_") if kind == "binary" else name

    # --- handlers: each returns the field of the node's output ---

    def elementwise(self, node, spatial, kind):
        (source,) = spatial if len(spatial) == 1 else (None,)
        if source is None:
            return self.union(node, spatial, kind)
        return self.spatial(node, source.theory, source.exact, kind, row=False)

    def softmax(self, node, spatial, kind):
        if node.op == "call_module":
            dim = self.graph_module.get_submodule(node.target).dim
        else:
            dim = self.arguments(node, ["dim"]).get("dim")
        rank = len(self.values[node])
        if dim is None or dim % rank >= rank - self.ndim:
            raise self.fail(node, f"{kind} over a spatial dimension mixes every position")
        return self.elementwise(node, spatial, kind)

    def union(self, node, spatial, kind):
        sizes = self.spatial_shape(node)
        for source in spatial:
            if source.sizes != sizes:
                raise self.fail(
                    node,
                    f"combines tensors of spatial sizes {source.sizes} and {sizes} (broadcasting "
                    "one position over all)",
                )
        if kind == "cat":
            dim = self.arguments(node, ["dim"]).get("dim", 0)
            rank = len(self.values[node])
            if dim % rank >= rank - self.ndim:
                raise self.fail(node, "concatenates along a spatial dimension")
        if len(spatial) == 1:
            return self.spatial(node, spatial[0].theory, spatial[0].exact, kind, False)
        theory, offsets = [], []
        for axis in range(self.ndim):
            maps = [s.theory[axis] for s in spatial]
            try:
                theory.append(_union(maps))
            except _StrideMismatch as err:
                names = ", ".join(f"'{s.name}'" for s in spatial)
                raise self.fail(
                    node,
                    f"its inputs {names} have different effective strides ({err}) along "
                    f"spatial dimension {axis}; branches that meet must share a grid",
                ) from None
            offsets.append(_centre_offset(maps))
        if any(offsets):
            shown = _fmt(tuple(abs(round(o, 3)) for o in offsets), False)
            self.misaligned.append(
                f"{self.name(node)}: the fields of its inputs are centred {shown} pixels apart"
            )
        exact = [_union([s.exact[axis] for s in spatial]) for axis in range(self.ndim)]
        return self.spatial(node, theory, exact, kind)

    def geometry(self, node):
        """The layer's kernel, stride, padding pairs, dilation, ceil_mode, output_padding."""
        args, kwargs = self.concrete((node.args, node.kwargs))
        layer = _fx.geometry(self.graph_module, node, args, kwargs, self.ndim)
        if layer.padding_mode != "zeros":
            raise self.fail(
                node,
                f"padding_mode={layer.padding_mode!r} pads with copies of input pixels; "
                "convdocs handles zero padding only",
            )
        if kwargs.get("return_indices"):
            raise self.fail(node, "return_indices=True returns several tensors")
        return layer

    def check_sizes(self, node, computed):
        recorded = self.spatial_shape(node)
        if tuple(computed) != recorded:
            raise self.fail(
                node,
                f"convdocs computes output size {tuple(computed)} but PyTorch produced {recorded}",
            )

    def conv(self, node, spatial, kind):
        (source,) = spatial
        g = self.geometry(node)
        kernel, stride, pads, dilation = g.kernel, g.stride, g.pads, g.dilation
        sizes = [
            conv_output_size(n, k, s, p, d, ceil_mode=g.ceil_mode)
            for n, k, s, p, d in zip(source.sizes, kernel, stride, pads, dilation)
        ]
        self.check_sizes(node, sizes)
        params = list(zip(kernel, stride, (p[0] for p in pads), dilation))
        theory = [_conv_map(m, *c) for m, c in zip(source.theory, params)]
        exact = [_conv_map(m, *c, n) for m, c, n in zip(source.exact, params, sizes)]
        return self.spatial(node, theory, exact, kind)

    pool = conv

    def conv_transpose(self, node, spatial, kind):
        (source,) = spatial
        g = self.geometry(node)
        kernel, stride, pads, dilation = g.kernel, g.stride, g.pads, g.dilation
        sizes = self.spatial_shape(node)
        for n, k, s, p, d, out in zip(source.sizes, kernel, stride, pads, dilation, sizes):
            # output_padding (or forward's output_size) picks one of max(s, d) sizes
            full = conv_transpose_output_size(n, k, s, dilation=d, output_padding=0)
            if not 0 <= out - (full - sum(p)) < max(s, d):
                raise self.fail(node, f"output size {out} does not follow from input size {n}")
        params = list(zip(kernel, stride, (p[0] for p in pads), dilation))
        theory = [_transpose_map(m, *c) for m, c in zip(source.theory, params)]
        exact = [_transpose_map(m, *c, n) for m, c, n in zip(source.exact, params, sizes)]
        return self.spatial(node, theory, exact, kind)

    def interpolate(self, node, spatial, kind):
        (source,) = spatial
        if node.op == "call_module":
            module = self.graph_module.get_submodule(node.target)
            options = {
                "mode": module.mode,
                "scale_factor": module.scale_factor,
                "align_corners": module.align_corners,
            }
        else:
            names = [
                "size",
                "scale_factor",
                "mode",
                "align_corners",
                "recompute_scale_factor",
                "antialias",
            ]
            options = self.arguments(node, names)
        mode = options.get("mode", "nearest")
        sizes = self.spatial_shape(node)
        factors = []
        for n, out in zip(source.sizes, sizes):
            if out % n:
                raise self.fail(node, f"resizes {n} to {out}, not by an integer factor")
            factors.append(out // n)
        scale = options.get("scale_factor")
        if scale is not None:
            scales = scale if isinstance(scale, (tuple, list)) else [scale] * self.ndim
            if [float(s) for s in scales] != [float(f) for f in factors]:
                raise self.fail(node, f"scale_factor {scale} is not an integer")
        if mode in ("nearest", "nearest-exact"):
            theory = [_nearest_map(m, f) for m, f in zip(source.theory, factors)]
            exact = [_nearest_map(m, f, n) for m, f, n in zip(source.exact, factors, sizes)]
        elif mode in ("linear", "bilinear", "trilinear") and not options.get("align_corners"):
            if any(f % 2 and f > 1 for f in factors):
                raise self.fail(
                    node,
                    f"{mode} upsampling by the odd factor {factors} puts output pixels exactly "
                    "on input pixels, where rounding decides whether a neighbour counts",
                )
            theory = [_linear_map(m, f, None) for m, f in zip(source.theory, factors)]
            exact = [
                _linear_map(m, f, n_in, n)
                for m, f, n_in, n in zip(source.exact, factors, source.sizes, sizes)
            ]
        else:
            corners = ", align_corners=True" if options.get("align_corners") else ""
            raise self.fail(
                node, f"mode={mode!r}{corners} is not supported (use nearest or bilinear)"
            )
        return self.spatial(node, theory, exact, f"{kind} x{_fmt(tuple(factors), False)}")

    def pad(self, node, spatial, kind):  # noqa: ARG002 (every handler takes the kind)
        (source,) = spatial
        if node.op == "call_module":
            pad = self.graph_module.get_submodule(node.target).padding
        else:
            options = self.arguments(node, ["pad", "mode", "value"])
            if options.get("mode", "constant") != "constant":
                raise self.fail(
                    node, f"mode={options['mode']!r}: only constant padding is supported"
                )
            pad = options["pad"]
        pad = list(pad) + [0] * (2 * self.ndim - len(pad))
        befores = [pad[2 * (self.ndim - 1 - axis)] for axis in range(self.ndim)]
        sizes = self.spatial_shape(node)
        theory = [_slice_map(m, -b, 1) for m, b in zip(source.theory, befores)]
        exact = [_slice_map(m, -b, 1, n) for m, b, n in zip(source.exact, befores, sizes)]
        return self.spatial(node, theory, exact, "pad")

    def getitem(self, node, spatial, kind):  # noqa: ARG002
        (source,) = spatial
        index = self.concrete(node.args[1])
        index = index if isinstance(index, tuple) else (index,)
        rank = len(self.values[node.args[0]])
        if any(i is Ellipsis for i in index):
            at = index.index(Ellipsis)
            index = index[:at] + (slice(None),) * (rank - len(index) + 1) + index[at + 1 :]
        index = index + (slice(None),) * (rank - len(index))
        if len(index) != rank or any(i is None or isinstance(i, _Shape) for i in index):
            raise self.fail(node, f"indexing with {index} is not a crop convdocs can follow")
        theory, exact, cropped = [], [], False
        out_sizes = self.spatial_shape(node)
        for axis, item in enumerate(index[rank - self.ndim :]):
            if not isinstance(item, slice):
                raise self.fail(
                    node, f"indexing spatial dimension {axis} with {item!r} removes it"
                )
            start, _, step = item.indices(source.sizes[axis])
            if step < 1:
                raise self.fail(
                    node, f"slicing with step {step} reverses spatial dimension {axis}"
                )
            cropped |= (start, step, out_sizes[axis]) != (0, 1, source.sizes[axis])
            theory.append(_slice_map(source.theory[axis], start, step))
            exact.append(_slice_map(source.exact[axis], start, step, out_sizes[axis]))
        return self.spatial(node, theory, exact, "crop", row=cropped)

    def view(self, node, spatial, kind):
        (source,) = spatial
        before = self.values[node.all_input_nodes[0]]
        after = self.values[node]
        if tuple(after[len(after) - self.ndim :]) == source.sizes and math.prod(
            after
        ) == math.prod(before):
            return self.spatial(node, source.theory, source.exact, kind, row=False)
        return self.end(node, spatial, kind)

    def reduce(self, node, spatial, kind):
        (source,) = spatial
        dims = self.arguments(node, ["dim"]).get("dim")
        rank = len(self.values[node.all_input_nodes[0]])
        dims = range(rank) if dims is None else dims if isinstance(dims, (tuple, list)) else [dims]
        if any(d % rank >= rank - self.ndim for d in dims):
            return self.end(node, spatial, kind)
        return self.spatial(node, source.theory, source.exact, kind, row=False)

    def end(self, node, spatial, kind):
        (source,) = spatial
        return _Ended(self.name(node), kind, source)


def _summarise(value, torch):
    if isinstance(value, torch.Tensor):
        return _Shape(value.shape)
    if isinstance(value, (tuple, list)) and not isinstance(value, torch.Size):
        return type(value)(_summarise(v, torch) for v in value)
    return value


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
        pairs.append((p, max(0, (o - 1) * s + d * (k - 1) + 1 - n - p)))
    padded = F.pad(input, [v for pair in reversed(pairs) for v in pair])
    channels = input.shape[1]
    weight = torch.full((), 1 / math.prod(kernel), dtype=input.dtype).expand(channels, 1, *kernel)
    conv = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    result = conv(padded, weight, stride=stride, dilation=dilation, groups=channels)
    return result[(..., *(slice(0, o) for o in out))]


def _all_paths_mode():
    """A TorchFunctionMode under which no activation or max pool masks a gradient."""
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

    scalar = False
    if isinstance(model, str):
        model = parse_layers(model)
    if isinstance(model, (list, tuple)):
        model, ndim, scalar = _spec_module(list(model), input_size)
        channels = 1
    elif isinstance(model, torch.nn.Module):
        channels, ndim = input_layer(model)
    else:
        msg = f"model must be a torch.nn.Module or layer specs, got {_describe(model)}"
        raise TypeError(msg)
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
        calls = [0]
        if hooked is not None:  # count the calls, to stop after the last one
            handle = hooked.register_forward_hook(lambda *_: calls.__setitem__(0, calls[0] + 1))
            try:
                with torch.no_grad():
                    model(torch.zeros(shape, dtype=next(model.parameters()).dtype))
            finally:
                handle.remove()
            if not calls[0]:
                msg = f"layer {layer!r} does not run in the forward pass"
                raise ValueError(msg)
        captured = []

        def stop(module, args, output):  # noqa: ARG001 (a forward hook's signature)
            captured.append(output)
            if len(captured) == calls[0]:
                raise _Stop

        x = torch.ones(shape, dtype=torch.float64, requires_grad=True)
        handle = hooked.register_forward_hook(stop) if hooked is not None else None
        try:
            with _all_paths_mode():
                out = torch.func.functional_call(model, _constant_parameters(model, torch), (x,))
        except _Stop:
            out = captured[-1]
        except RuntimeError as err:
            msg = f"running {type(model).__name__} on an input of shape {shape} failed: {first_line(err)}"
            raise ValueError(msg) from err
        finally:
            if handle is not None:
                handle.remove()
    finally:
        restore()
    what = f"layer {layer!r}" if layer else "the model"
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
    channels = slice(None) if channel is None else channel
    out[(0, channels, *units)].sum().backward()
    mask = (x.grad[0] != 0).any(dim=0).numpy()
    intervals = []
    for axis in range(ndim):
        hits = np.flatnonzero(mask.any(axis=tuple(a for a in range(ndim) if a != axis)))
        if not len(hits):
            intervals = None
            break
        intervals.append((int(hits[0]), int(hits[-1]) + 1))
    if scalar:
        return EmpiricalField(None if intervals is None else intervals[0], units[0], mask)
    return EmpiricalField(None if intervals is None else tuple(intervals), units, mask)
