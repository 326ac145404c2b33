"""Argument checks shared by every convdocs module.

Every public function normalises its arguments here, once, before computing. The
messages name the parameter, quote what the caller passed and say what is allowed,
so that a mistake surfaces at the call site instead of deep inside numpy.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence

import numpy as np

_KIND = {0: "a non-negative int", 1: "a positive int"}

MAX_ENTRIES = 2**32
"""The most entries convdocs' operations allocate for one result or padded input.

4,294,967,296 entries: 32 GiB in float64. Larger requests are refused with a
``ValueError`` before any memory is allocated, instead of numpy's ``MemoryError`` (or
its "array is too big" and "Maximum allowed dimension exceeded").
"""


def _is_int(value) -> bool:
    if type(value) is int:  # the common case, answered without a try block
        return True
    # bool is an int subclass, but ``stride=True`` is a bug, not a stride of 1. numpy's
    # bool is refused here too: numpy 1.x would index it with a DeprecationWarning.
    if isinstance(value, (bool, np.bool_)):
        return False
    try:
        operator.index(value)
    except TypeError:
        return False
    return True


def _type_name(value) -> str:
    kind = type(value)
    # numpy 2 names its bool scalar type "bool": say numpy.bool, not bool, next to np.True_
    return f"numpy.{kind.__name__}" if kind.__module__ == "numpy" else kind.__name__


def _describe(value) -> str:
    if isinstance(value, (tuple, list)):
        return repr(tuple(value))
    return f"{value!r} (type {_type_name(value)})" if not _is_int(value) else repr(value)


def check_bool(name: str, value) -> bool:
    """Return ``value`` as a ``bool``: True or False, numpy's ``np.True_`` and ``np.False_`` too.

    Examples
    --------
    >>> check_bool("ceil_mode", np.True_)
    True
    >>> check_bool("ceil_mode", 1)
    Traceback (most recent call last):
    ...
    TypeError: ceil_mode must be a bool, got 1 (type int)
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    msg = f"{name} must be a bool, got {value!r} (type {_type_name(value)})"
    raise TypeError(msg)


def check_entries(what: str, shape, cause: str) -> None:
    """Refuse, before allocating it, an array of more than :data:`MAX_ENTRIES` entries.

    ``cause`` names the parameters that make the array this large.

    Examples
    --------
    >>> check_entries("the output", (1, 1, 2000002, 2000002), "padding 1000000")
    Traceback (most recent call last):
    ...
    ValueError: padding 1000000 gives the output a shape of (1, 1, 2000002, 2000002), 4,000,008,000,004 entries; allowed: at most 4,294,967,296 (2**32)
    """
    count = math.prod(shape)
    if count > MAX_ENTRIES:
        msg = (
            f"{cause} gives {what} a shape of {tuple(shape)}, {count:,} entries; "
            f"allowed: at most {MAX_ENTRIES:,} (2**32)"
        )
        raise ValueError(msg)


def check_int(name: str, value, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` after checking it is an integer >= ``minimum``.

    Examples
    --------
    >>> check_int("stride", 2)
    2
    >>> check_int("stride", 0)
    Traceback (most recent call last):
    ...
    ValueError: stride must be a positive int, got 0
    """
    kind = _KIND.get(minimum, f"an int >= {minimum}")
    if not _is_int(value):
        msg = f"{name} must be {kind}, got {_describe(value)}"
        raise TypeError(msg)
    value = operator.index(value)
    if value < minimum:
        msg = f"{name} must be {kind}, got {value}"
        raise ValueError(msg)
    return value


def spatial_ndim(**params) -> int | None:
    """Number of spatial dimensions implied by the tuple-valued parameters.

    Returns ``None`` when every parameter is a scalar (a one-dimensional call that
    returns scalars). Raises ``ValueError`` when two tuples disagree in length.

    Examples
    --------
    >>> spatial_ndim(size=(32, 32), kernel_size=3) is None, spatial_ndim(size=(8, 8), stride=2)
    (False, 2)
    >>> spatial_ndim(size=(8, 8), kernel_size=(3, 3, 3))
    Traceback (most recent call last):
    ...
    ValueError: kernel_size has 3 values but size has 2: give one value per spatial dimension
    """
    first = None
    for name, value in params.items():
        if not isinstance(value, (tuple, list)):
            continue
        if not value:
            msg = f"{name} must have one value per spatial dimension, got an empty {value!r}"
            raise ValueError(msg)
        if first is None:
            first = name, len(value)
        elif len(value) != first[1]:
            msg = (
                f"{name} has {len(value)} values but {first[0]} has {first[1]}: "
                "give one value per spatial dimension"
            )
            raise ValueError(msg)
    return None if first is None else first[1]


def int_tuple(name: str, value, ndim: int, minimum: int = 1) -> tuple[int, ...]:
    """Normalise an int or a tuple of ints to a tuple of ``ndim`` checked ints.

    Examples
    --------
    >>> int_tuple("stride", 2, ndim=2)
    (2, 2)
    >>> int_tuple("stride", (2, 0), ndim=2)
    Traceback (most recent call last):
    ...
    ValueError: stride must be a positive int or a tuple of them, got (2, 0)
    """

    if type(value) is int and value >= minimum:  # the common case, checked cheaply
        return (value,) * ndim

    def error(kind_of_error):  # built only on failure: this check runs on every call
        kind = _KIND.get(minimum, f"an int >= {minimum}")
        return kind_of_error(f"{name} must be {kind} or a tuple of them, got {_describe(value)}")

    if isinstance(value, (tuple, list)):
        if len(value) != ndim or not value:
            raise error(ValueError)
        if not all(_is_int(v) for v in value):
            raise error(TypeError)
        values = tuple(operator.index(v) for v in value)
    elif _is_int(value):
        values = (operator.index(value),) * ndim
    else:
        raise error(TypeError)
    if min(values) < minimum:
        raise error(ValueError)
    return values


def _is_pair(value) -> bool:
    return isinstance(value, (tuple, list)) and len(value) == 2 and all(map(_is_int, value))


def padding_pairs(value, ndim: int, name: str = "padding") -> tuple[tuple[int, int], ...]:
    """Normalise ``padding`` to one ``(before, after)`` pair per spatial dimension.

    Accepted forms: an int (the same on both sides of every dimension); a
    ``(before, after)`` pair when there is one spatial dimension; or a sequence with
    one entry per dimension, each an int or a ``(before, after)`` pair.

    Examples
    --------
    >>> padding_pairs(1, ndim=2)
    ((1, 1), (1, 1))
    >>> padding_pairs((0, 1), ndim=1)
    ((0, 1),)
    >>> padding_pairs((1, (0, 1)), ndim=2)
    ((1, 1), (0, 1))
    """

    if type(value) is int and value >= 0:  # the common case, checked cheaply
        return ((value, value),) * ndim

    def error(kind_of_error):  # built only on failure
        return kind_of_error(
            f"{name} must be a non-negative int, a (before, after) pair, or one int or "
            f"pair per spatial dimension ({ndim} here), got {_describe(value)}"
        )

    if _is_int(value):
        pairs = ((value, value),) * ndim
    elif ndim == 1 and _is_pair(value):
        pairs = (tuple(value),)
    elif isinstance(value, (tuple, list)) and len(value) == ndim:
        if not all(_is_int(v) or _is_pair(v) for v in value):
            raise error(TypeError)
        pairs = tuple((v, v) if _is_int(v) else tuple(v) for v in value)
    elif isinstance(value, (tuple, list)):
        raise error(ValueError)
    else:
        raise error(TypeError)
    pairs = tuple((operator.index(b), operator.index(a)) for b, a in pairs)
    if any(p < 0 for pair in pairs for p in pair):
        raise error(ValueError)
    return pairs


def check_pool_padding(kernel_size, padding) -> None:
    """PyTorch's rule for pooling: at most half the kernel on each side, whatever the
    dilation. Both arguments already checked: ints or one entry per dimension (a padding
    entry may be a ``(before, after)`` pair).

    Examples
    --------
    >>> check_pool_padding((3, 2), (1, (0, 1)))
    >>> check_pool_padding(2, 2)
    Traceback (most recent call last):
    ...
    ValueError: padding must be at most half the kernel size, kernel_size // 2 = 1 for kernel_size 2, got 2
    """
    ndim = max(len(v) if isinstance(v, tuple) else 1 for v in (kernel_size, padding))
    kernels = kernel_size if isinstance(kernel_size, tuple) else (kernel_size,) * ndim
    pads = padding if isinstance(padding, tuple) else (padding,) * ndim
    widest = [max(p) if isinstance(p, tuple) else p for p in pads]
    if any(p > k // 2 for k, p in zip(kernels, widest)):
        limit = (
            tuple(k // 2 for k in kernels) if isinstance(kernel_size, tuple) else kernel_size // 2
        )
        msg = (
            f"padding must be at most half the kernel size, kernel_size // 2 = {limit} "
            f"for kernel_size {kernel_size}, got {padding}"
        )
        raise ValueError(msg)


def copied_padding_limit(mode, size) -> int | None:
    """PyTorch's widest pad for an axis of ``size`` pixels in a mode that copies pixels:
    a reflection must be narrower than the input, a circular pad may wrap around once
    (``"reflect"``: ``size - 1``, ``"circular"``: ``size``); None for other modes.

    Examples
    --------
    >>> copied_padding_limit("reflect", 4), copied_padding_limit("circular", 4)
    (3, 4)
    """
    return {"reflect": size - 1, "circular": size}.get(mode)


def padding_ndim(value) -> int | None:
    """Dimensions implied by a padding given as one ``(before, after)`` pair per axis."""
    if isinstance(value, Sequence) and any(isinstance(v, (tuple, list)) for v in value):
        return len(value)
    return None


def float_array(name: str, value, ndims: tuple[int, ...]):
    """Return ``value`` as a floating-point numpy array with one of ``ndims`` dimensions.

    The dtype rule of every convdocs operation: floating inputs keep their precision
    (float32 stays float32, float16 is promoted to float32); integer and boolean inputs
    (uint8 images, say) are computed in float64, so nothing saturates or overflows.

    Examples
    --------
    >>> float_array("x", np.arange(4, dtype=np.uint8).reshape(2, 2), ndims=(2,)).dtype
    dtype('float64')
    >>> float_array("x", np.zeros(3), ndims=(2, 3, 4))
    Traceback (most recent call last):
    ...
    ValueError: x must have 2, 3 or 4 dimensions, got shape (3,)
    """
    array = as_array(name, value)
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    elif array.dtype == np.float16:
        array = array.astype(np.float32)
    elif array.dtype.kind != "f":
        msg = f"{name} must be a real numeric array, got dtype {array.dtype}"
        raise TypeError(msg)
    if array.ndim not in ndims:
        *rest, last = map(str, ndims)
        allowed = f"{', '.join(rest)} or {last}" if rest else last
        msg = f"{name} must have {allowed} dimensions, got shape {array.shape}"
        raise ValueError(msg)
    return array


def as_array(name: str, value):
    """``numpy.asarray(value)``, refusing masked and ragged arrays with a clear message.

    A masked array is refused rather than silently unmasked: ``numpy.asarray`` would
    drop the mask and compute with whatever the masked entries hold.

    Examples
    --------
    >>> as_array("x", [[1, 2], [3]])
    Traceback (most recent call last):
    ...
    ValueError: x must be a rectangular array (every row the same length), got a ragged sequence
    >>> as_array("x", np.ma.masked_array([1.0, 2.0], mask=[0, 1]))
    Traceback (most recent call last):
    ...
    TypeError: x is a masked array: convdocs does not handle masks; fill the masked entries first, e.g. x.filled(0)
    """
    if isinstance(value, np.ma.MaskedArray) or value is np.ma.masked:
        msg = (
            f"{name} is a masked array: convdocs does not handle masks; fill the masked "
            f"entries first, e.g. {name}.filled(0)"
        )
        raise TypeError(msg)
    try:
        return np.asarray(value)
    except ValueError as err:
        if "inhomogeneous" not in str(err) and "sequence" not in str(err):
            raise
        msg = f"{name} must be a rectangular array (every row the same length), got a ragged sequence"
        raise ValueError(msg) from None
    except (TypeError, RuntimeError) as err:  # a tensor that requires grad, say
        msg = f"{name} cannot be read as a numpy array: {err}"
        raise TypeError(msg) from None


def _pad_width2d(name: str, value) -> tuple[tuple[int, int], tuple[int, int]]:
    """Normalise numpy.pad-style widths of the last two axes to ``((top, bottom), (left, right))``.

    Accepted forms, as in :func:`numpy.pad`: an int (every side); a ``(before, after)``
    pair (the same pair for both axes, *not* one int per axis); or one pair per axis.

    Examples
    --------
    >>> _pad_width2d("pad", 2)
    ((2, 2), (2, 2))
    >>> _pad_width2d("pad", (0, 1))
    ((0, 1), (0, 1))
    >>> _pad_width2d("pad", ((1, 2), (3, 4)))
    ((1, 2), (3, 4))
    >>> _pad_width2d("pad", (1, -1))
    Traceback (most recent call last):
    ...
    ValueError: pad must be a non-negative int, a (before, after) pair, or ... got (1, -1)
    """
    allowed = (
        f"{name} must be a non-negative int, a (before, after) pair, or "
        f"((top, bottom), (left, right)), got {_describe(value)}"
    )
    if _is_int(value):
        pairs = ((value, value),) * 2
    elif not isinstance(value, (tuple, list)):
        raise TypeError(allowed)
    elif len(value) != 2:
        raise ValueError(allowed)
    elif all(map(_is_int, value)):
        pairs = (tuple(value),) * 2
    elif all(isinstance(v, (tuple, list)) for v in value):
        if any(len(v) != 2 for v in value):
            raise ValueError(allowed)
        if not all(map(_is_pair, value)):
            raise TypeError(allowed)
        pairs = tuple(value)
    else:  # a mix of ints and pairs, or floats, strings, ...
        raise TypeError(allowed)
    pairs = tuple((operator.index(b), operator.index(a)) for b, a in pairs)
    if any(p < 0 for pair in pairs for p in pair):
        raise ValueError(allowed)
    return pairs
