r"""Working backwards: the padding, ``output_padding`` or input sizes behind a shape.

The questions readers actually ask: which padding maps 112 to 56 under stride 2?
Which ``ConvTranspose2d`` undoes this ``Conv2d`` exactly? Which input sizes give this
output size? Each answer comes from the formulas in :mod:`convdocs.arithmetic`, solved
for the unknown, and the tests check every answer with PyTorch.
"""

from __future__ import annotations

from dataclasses import dataclass

from convdocs._fx import torch_padding
from convdocs._validate import int_tuple, padding_pairs, spatial_ndim
from convdocs.arithmetic import (
    _per_dim,
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
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


def _conv2d_params(conv):
    """Size parameters of an ``nn.Conv2d``, with string paddings resolved."""
    pads = torch_padding(conv.padding, conv.kernel_size, conv.dilation)
    if any(before != after for before, after in pads):
        msg = (
            f"{conv} pads asymmetrically (padding='same' with an even kernel), "
            "which ConvTranspose2d cannot undo"
        )
        raise ValueError(msg)
    return conv.kernel_size, conv.stride, tuple(before for before, _ in pads), conv.dilation


def inverse_conv(input_size, kernel_size, stride=1, padding=0, dilation=1, *, module=False):
    r"""The transposed convolution that restores a convolution's input size exactly.

    Parameters
    ----------
    input_size : int or tuple of int
        The convolution's input size (height, width).
    kernel_size : int, tuple of int or torch.nn.Conv2d
        The convolution's kernel size, or the ``nn.Conv2d`` itself (its kernel size,
        stride, padding and dilation are then used, and the arguments below ignored).
    stride, padding, dilation : int or tuple of int
        The convolution's parameters (symmetric padding, as PyTorch's).
    module : bool, default False
        Return a ready ``torch.nn.ConvTranspose2d`` (with the ``Conv2d``'s channels
        swapped and its groups) instead of the parameters; needs an ``nn.Conv2d``.

    Returns
    -------
    convdocs.solve.TransposeParams or torch.nn.ConvTranspose2d
        The same kernel size, stride, padding and dilation, and the
        ``output_padding`` that selects ``input_size`` among the sizes the
        convolution maps to the same output.

    Raises
    ------
    ValueError
        If the convolution cannot run on ``input_size``, its padding is asymmetric,
        or ``module=True`` without an ``nn.Conv2d``.
    TypeError
        If an argument is not an integer.

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
    """
    conv = None
    if hasattr(kernel_size, "kernel_size") and hasattr(kernel_size, "out_channels"):
        conv = kernel_size
        kernel_size, stride, padding, dilation = _conv2d_params(conv)
    elif module:
        msg = "module=True needs an nn.Conv2d as kernel_size, got a kernel size"
        raise ValueError(msg)
    ndim = spatial_ndim(
        input_size=input_size, kernel_size=kernel_size, stride=stride, dilation=dilation
    ) or (len(padding) if isinstance(padding, (tuple, list)) else 1)
    pads = padding_pairs(padding, ndim)
    if any(before != after for before, after in pads):
        msg = f"padding must be symmetric for ConvTranspose2d, got {padding!r}"
        raise ValueError(msg)
    sizes = int_tuple("input_size", input_size, ndim)
    kernel = int_tuple("kernel_size", kernel_size, ndim)
    strides = int_tuple("stride", stride, ndim)
    dilations = int_tuple("dilation", dilation, ndim)
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

    return torch.nn.ConvTranspose2d(
        conv.out_channels, conv.in_channels, groups=conv.groups, bias=conv.bias is not None,
        **params.kwargs,
    )  # fmt: skip
