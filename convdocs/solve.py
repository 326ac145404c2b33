r"""Working backwards: the padding, ``output_padding`` or input sizes behind a shape.

The questions readers actually ask: which padding maps 112 to 56 under stride 2?
Which ``ConvTranspose2d`` undoes this ``Conv2d`` exactly? Which input sizes give this
output size? Each answer comes from the formulas in :mod:`convdocs.arithmetic`, solved
for the unknown, and the tests check every answer with PyTorch.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from convdocs.arithmetic import (
    _per_dim,
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    torch_padding,
)

_POSITIVE = {"input_size": 1, "output_size": 1, "kernel_size": 1, "stride": 1, "dilation": 1}

__all__ = ["TransposeParams", "colliding_input_sizes", "inverse_conv", "solve_padding"]


def solve_padding(input_size, output_size, kernel_size, stride=1, dilation=1):
    r"""The padding that maps ``input_size`` to ``output_size``.

    Parameters
    ----------
    input_size, output_size : int or tuple of int
        The sizes, per spatial dimension, at least 1.
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    stride : int or tuple of int, default 1
        Stride, at least 1.
    dilation : int or tuple of int, default 1
        Dilation, at least 1.

    Returns
    -------
    tuple
        ``(before, after)`` for a one-dimensional call, one such pair per dimension
        otherwise: the symmetric padding (``before == after``, which PyTorch's
        ``padding=`` can express) with the least total when one exists, else the
        smallest total padding with the odd pixel after the input, where TensorFlow's
        "SAME" puts it.

    Raises
    ------
    ValueError
        If no padding gives ``output_size`` (padding can only add outputs: the message
        gives the reachable sizes), or an argument is out of range.
    TypeError
        If an argument is not an integer.

    See Also
    --------
    same_padding : The padding for ``output_size = ceil(input_size / stride)``.
    conv_output_size : The forward formula this solves.

    Notes
    -----
    The output size is :math:`\lfloor (i + P - \hat{k}) / s \rfloor + 1` for a total
    padding :math:`P = p_b + p_a`, so the paddings giving :math:`o` are

    .. math:: (o - 1)\,s + \hat{k} - i \;\le\; P \;\le\; o\,s + \hat{k} - i - 1,

    :math:`s` consecutive totals of which at least one is even when :math:`s \ge 2`.

    Examples
    --------
    >>> from convdocs import solve_padding
    >>> solve_padding(112, 56, kernel_size=3, stride=2)  # PyTorch's padding=1
    (1, 1)
    >>> solve_padding(8, 8, kernel_size=4)  # even kernel: asymmetric
    (1, 2)
    >>> solve_padding((224, 224), (112, 112), kernel_size=7, stride=2)
    ((3, 3), (3, 3))
    >>> solve_padding(112, 40, kernel_size=3, stride=2)
    Traceback (most recent call last):
    ...
    ValueError: no padding maps input_size 112 to output_size 40 with kernel_size 3, stride 2, dilation 1: padding only adds outputs; reachable output sizes are 55 and up (55 without padding)
    """
    scalar, rows = _per_dim(
        minimums=_POSITIVE,
        input_size=input_size,
        output_size=output_size,
        kernel_size=kernel_size,
        stride=stride,
        dilation=dilation,
    )
    pairs = [_solve_one(**row) for row in rows]
    return pairs[0] if scalar else tuple(pairs)


def _solve_one(input_size, output_size, kernel_size, stride, dilation):
    span = effective_kernel_size(kernel_size, dilation)
    least = max(0, (output_size - 1) * stride + span - input_size)
    most = output_size * stride + span - input_size - 1
    if most < least:  # only when the kernel fits unpadded: o = 1 is always reachable
        fewest = conv_output_size(input_size, kernel_size, stride, 0, dilation)
        msg = (
            f"no padding maps input_size {input_size} to output_size {output_size} with "
            f"kernel_size {kernel_size}, stride {stride}, dilation {dilation}: padding only "
            f"adds outputs; reachable output sizes are {fewest} and up ({fewest} without "
            "padding)"
        )
        raise ValueError(msg)
    even = least + least % 2
    total = even if even <= most else least
    return total // 2, total - total // 2


def colliding_input_sizes(output_size, kernel_size, stride=1, padding=0, dilation=1):
    r"""Every input size that a convolution maps to ``output_size``.

    Under stride :math:`s` the floor in the output-size formula maps up to :math:`s`
    consecutive input sizes to the same output size: the reason
    ``ConvTranspose2d`` needs ``output_padding`` to know which one to restore.

    Parameters
    ----------
    output_size : int or tuple of int
        Output size, at least 1.
    kernel_size, stride : int or tuple of int
        As in :func:`conv_output_size`.
    padding : int, pair or tuple, default 0
        As in :func:`conv_output_size` (``(before, after)`` pairs allowed).
    dilation : int or tuple of int, default 1
        As in :func:`conv_output_size`.

    Returns
    -------
    range or tuple of range
        The input sizes, consecutive; a tuple with one range per dimension when any
        argument is a tuple.

    Raises
    ------
    ValueError
        If no input size gives ``output_size`` (the padding alone produces more
        outputs), or an argument is out of range.
    TypeError
        If an argument is not an integer.

    See Also
    --------
    inverse_conv : The ``output_padding`` that restores one of them.
    conv_output_size : The forward formula.

    Notes
    -----
    :math:`\lfloor (i + p_b + p_a - \hat{k}) / s \rfloor + 1 = o` exactly when

    .. math:: (o - 1)\,s + \hat{k} - p_b - p_a \;\le\; i \;\le\; o\,s + \hat{k} - p_b - p_a - 1 .

    Examples
    --------
    >>> from convdocs import colliding_input_sizes
    >>> colliding_input_sizes(4, kernel_size=3, stride=2, padding=1)
    range(7, 9)
    >>> list(colliding_input_sizes(14, kernel_size=3, stride=3))
    [42, 43, 44]
    """
    scalar, rows = _per_dim(
        padding,
        minimums=_POSITIVE,
        output_size=output_size,
        kernel_size=kernel_size,
        stride=stride,
        dilation=dilation,
    )
    ranges = []
    for row in rows:
        before, after = row["padding"]
        span = effective_kernel_size(row["kernel_size"], row["dilation"])
        low = (row["output_size"] - 1) * row["stride"] + span - before - after
        high = low + row["stride"] - 1
        if high < 1:
            least = conv_output_size(1, row["kernel_size"], row["stride"], (before, after),
                                     row["dilation"])  # fmt: skip
            msg = (
                f"no input size gives output_size {row['output_size']}: padding "
                f"({before}, {after}) alone gives at least {least} outputs"
            )
            raise ValueError(msg)
        ranges.append(range(max(low, 1), high + 1))
    return ranges[0] if scalar else tuple(ranges)


@dataclass(frozen=True)
class TransposeParams:
    """Arguments of a ``ConvTranspose2d`` (or ``conv_transpose2d``) layer.

    Returned by :func:`convdocs.inverse_conv`; ``kwargs`` is ready for
    ``torch.nn.ConvTranspose2d(in_channels, out_channels, **params.kwargs)``.

    Parameters
    ----------
    kernel_size, stride, padding, output_padding, dilation : tuple of int
        One value per spatial dimension.

    Examples
    --------
    >>> from convdocs import inverse_conv
    >>> inverse_conv((7, 8), 3, stride=2, padding=1).kwargs["output_padding"]
    (0, 1)
    """

    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]

    @property
    def kwargs(self) -> dict:
        """The parameters as keyword arguments."""
        return {
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "dilation": self.dilation,
        }


def _torch_conv(value):
    """``(conv, ndim)`` when ``value`` is a PyTorch convolution module, else ``(None, 0)``.

    The module's type is checked (a transposed convolution or any other module is
    refused), not the presence of a ``kernel_size`` attribute.
    """
    torch = sys.modules.get("torch")  # a module can only exist once torch is imported
    if torch is None or not isinstance(value, torch.nn.Module):
        return None, 0
    nn = torch.nn
    if isinstance(value, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
        msg = (
            f"kernel_size is {value}, a transposed convolution; inverse_conv inverts a "
            "convolution (nn.Conv1d, nn.Conv2d or nn.Conv3d): give the convolution whose "
            "input size the transposed one should restore"
        )
        raise TypeError(msg)
    ndim = {nn.Conv1d: 1, nn.Conv2d: 2, nn.Conv3d: 3}
    found = next((n for kind, n in ndim.items() if isinstance(value, kind)), None)
    if found is None:
        msg = (
            "kernel_size must be an int, a tuple of ints, or an nn.Conv1d, nn.Conv2d or "
            f"nn.Conv3d, got a {type(value).__name__} module"
        )
        raise TypeError(msg)
    if value.in_channels == 0:  # an uninitialised lazy module
        msg = f"{value} does not know its input channels yet: run it once first"
        raise ValueError(msg)
    return value, found


def _conv_params(conv):
    """Size parameters of a PyTorch convolution, with string paddings resolved."""
    pads = torch_padding(conv.padding, conv.kernel_size, conv.dilation)
    if any(before != after for before, after in pads):
        msg = (
            f"{conv} pads asymmetrically (padding='same' with an even kernel), "
            "which a transposed convolution cannot undo"
        )
        raise ValueError(msg)
    return conv.kernel_size, conv.stride, tuple(before for before, _ in pads), conv.dilation


def inverse_conv(input_size, kernel_size, stride=1, padding=0, dilation=1, *, module=False):
    r"""The transposed convolution that restores a convolution's input size exactly.

    Parameters
    ----------
    input_size : int or tuple of int
        The convolution's input size, per spatial dimension (height, width).
    kernel_size : int, tuple of int, torch.nn.Conv1d, torch.nn.Conv2d or torch.nn.Conv3d
        The convolution's kernel size, or the convolution module itself (its kernel
        size, stride, padding and dilation are then used, and the arguments below
        ignored).
    stride : int or tuple of int, default 1
        The convolution's stride.
    padding : int, pair or tuple, default 0
        The convolution's padding, read as in :func:`conv_output_size`: a pair is
        ``(before, after)`` when every other argument is a scalar (one spatial
        dimension), and one value per dimension otherwise. It must be symmetric, as
        a transposed convolution crops the same amount on both sides.
    dilation : int or tuple of int, default 1
        The convolution's dilation.
    module : bool, default False
        Return a ready ``torch.nn.ConvTranspose1d``, ``2d`` or ``3d`` (matching the
        convolution's dimensions, with its channels swapped, its groups, bias, dtype
        and device) instead of the parameters; needs a convolution module.

    Returns
    -------
    convdocs.solve.TransposeParams or torch.nn.ConvTranspose1d/2d/3d
        The same kernel size, stride, padding and dilation, and the
        ``output_padding`` that selects ``input_size`` among the sizes the
        convolution maps to the same output.

    Raises
    ------
    ValueError
        If the convolution cannot run on ``input_size``, its padding is asymmetric,
        ``module=True`` without a convolution module, or ``input_size`` has a number
        of dimensions other than the module's.
    TypeError
        If an argument is not an integer, ``module`` is not a bool, or
        ``kernel_size`` is a module other than ``nn.Conv1d``, ``nn.Conv2d`` or
        ``nn.Conv3d`` (a ``ConvTranspose2d`` included).

    See Also
    --------
    colliding_input_sizes : The input sizes ``output_padding`` chooses among.
    conv_transpose_output_size : The transposed output size.

    Notes
    -----
    With forward output :math:`o`, the transposed convolution without
    ``output_padding`` gives :math:`(o - 1)s - 2p + \hat{k}`, the smallest input size
    that maps to :math:`o`; the difference to :math:`i`,
    :math:`a = (i + 2p - \hat{k}) \bmod s`, is the ``output_padding``.

    Examples
    --------
    >>> from convdocs import inverse_conv
    >>> inverse_conv(8, kernel_size=3, stride=2, padding=1).output_padding
    (1,)
    >>> import torch
    >>> down = torch.nn.Conv2d(3, 16, kernel_size=3, stride=2, padding=1)
    >>> up = inverse_conv((28, 27), down, module=True)
    >>> up
    ConvTranspose2d(16, 3, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 0))
    >>> up(down(torch.zeros(1, 3, 28, 27))).shape
    torch.Size([1, 3, 28, 27])

    A ``Conv1d`` gets a ``ConvTranspose1d``:

    >>> inverse_conv(100, torch.nn.Conv1d(4, 8, kernel_size=5, stride=3), module=True)
    ConvTranspose1d(8, 4, kernel_size=(5,), stride=(3,), output_padding=(2,))
    """
    if not isinstance(module, bool):
        msg = f"module must be a bool, got {module!r} (type {type(module).__name__})"
        raise TypeError(msg)
    conv, conv_ndim = _torch_conv(kernel_size)
    if conv is not None:
        if isinstance(input_size, (tuple, list)) and len(input_size) != conv_ndim:
            msg = (
                f"input_size {tuple(input_size)} has {len(input_size)} values but {conv} "
                f"has {conv_ndim} spatial dimension{'s' if conv_ndim > 1 else ''}"
            )
            raise ValueError(msg)
        kernel_size, stride, padding, dilation = _conv_params(conv)
    elif module:
        msg = (
            "module=True needs an nn.Conv1d, nn.Conv2d or nn.Conv3d as kernel_size, "
            f"got {kernel_size!r}"
        )
        raise ValueError(msg)
    _, rows = _per_dim(
        padding,
        minimums=_POSITIVE,
        input_size=input_size,
        kernel_size=kernel_size,
        stride=stride,
        dilation=dilation,
    )
    pads = tuple(row["padding"] for row in rows)
    if any(before != after for before, after in pads):
        msg = (
            f"padding must be symmetric for a transposed convolution, got {padding!r} "
            f"(as (before, after) per dimension: {pads})"
        )
        raise ValueError(msg)
    sizes, kernel, strides, dilations = (
        tuple(row[name] for row in rows)
        for name in ("input_size", "kernel_size", "stride", "dilation")
    )
    out = conv_output_size(sizes, kernel, strides, pads, dilations)
    extra = tuple(
        (n + 2 * p - effective_kernel_size(k, d)) % s
        for n, k, s, d, (p, _) in zip(sizes, kernel, strides, dilations, pads)
    )
    params = TransposeParams(kernel, strides, tuple(p for p, _ in pads), extra, dilations)
    restored = conv_transpose_output_size(out, kernel, strides, pads, extra, dilations)
    assert restored == sizes, (restored, sizes)  # the two formulas agree by construction
    if not module:
        return params
    import torch

    transposed = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d,
                  3: torch.nn.ConvTranspose3d}[conv_ndim]  # fmt: skip
    return transposed(
        conv.out_channels, conv.in_channels, groups=conv.groups, bias=conv.bias is not None,
        device=conv.weight.device, dtype=conv.weight.dtype, **params.kwargs,
    )  # fmt: skip
