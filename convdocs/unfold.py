r"""The patch matrix of a convolution (im2col, ``torch.nn.functional.unfold``), by arithmetic.

A convolution is a matrix multiply once the input's windows are laid out as the columns
of a matrix: ``weight.view(C_out, -1) @ unfold(x)``. That matrix holds every input
pixel once per kernel tap that reads it, so it costs up to :math:`k_h k_w / (s_h s_w)`
times the input's memory. :func:`unfold_shape` and :func:`unfold_nbytes` give its
shape and size without building it.
"""

from __future__ import annotations

import math

import numpy as np

from convdocs._validate import _describe, check_int, int_tuple
from convdocs.arithmetic import conv_output_size

__all__ = ["unfold_nbytes", "unfold_shape"]


def _input_shape(input_shape):
    """``(N or None, C, H, W)`` from ``(N, C, H, W)`` or ``(C, H, W)``, checked."""
    if not isinstance(input_shape, (tuple, list)):
        msg = (
            f"input_shape must be a tuple (N, C, H, W) or (C, H, W), got {_describe(input_shape)}"
        )
        raise TypeError(msg)
    if len(input_shape) not in (3, 4):
        msg = (
            f"input_shape must have 4 entries (N, C, H, W) or 3 (C, H, W), as "
            f"torch.nn.functional.unfold takes, got {tuple(input_shape)}"
        )
        raise ValueError(msg)
    shape = int_tuple("input_shape", tuple(input_shape), len(input_shape), minimum=1)
    return (None, *shape) if len(shape) == 3 else shape


def unfold_shape(input_shape, kernel_size, stride=1, padding=0, dilation=1):
    r"""Shape of the patch matrix ``torch.nn.functional.unfold`` builds (im2col).

    Parameters
    ----------
    input_shape : tuple of int
        ``(N, C, H, W)``, or ``(C, H, W)`` for one unbatched input.
    kernel_size : int or pair of int
        Kernel size, at least 1.
    stride : int or pair of int, default 1
        Step between windows.
    padding : int or pair of int, default 0
        Zeros added on both sides of each spatial dimension.
    dilation : int or pair of int, default 1
        Spacing between kernel taps.

    Returns
    -------
    tuple of int
        ``(N, C * kh * kw, H_o * W_o)``, or ``(C * kh * kw, H_o * W_o)`` for an
        unbatched input: one row per (channel, kernel tap), one column per window.

    Raises
    ------
    TypeError
        If an argument is not an int or a tuple of ints.
    ValueError
        If a value is out of range, ``input_shape`` has not 3 or 4 entries, or the
        kernel does not fit the padded input.

    See Also
    --------
    unfold_nbytes : The memory the matrix takes.
    convdocs.conv_matrix : The convolution as one matrix acting on the flattened input.
    convdocs.conv_output_size : The output sizes :math:`H_o`, :math:`W_o`.

    Notes
    -----
    Column :math:`(y, x)` of the matrix holds the window of output pixel
    :math:`(y, x)`: row :math:`(c, i, j)` is input pixel
    :math:`(c,\ y s_h + i d_h - p_h,\ x s_w + j d_w - p_w)`, zero in the padding. So

    .. math::

        \operatorname{unfold}(x) \in \mathbb{R}^{N \times C k_h k_w \times H_o W_o},
        \qquad
        \operatorname{conv}(x) = W_{C_\text{out} \times C k_h k_w}\,
        \operatorname{unfold}(x),

    the second as a batched matrix product, reshaped to
    :math:`(N, C_\text{out}, H_o, W_o)`.

    Examples
    --------
    A 3x3 kernel on a 4x4 image has 2x2 windows of 9 pixels each:

    >>> from convdocs import unfold_shape
    >>> unfold_shape((1, 1, 4, 4), 3)
    (1, 9, 4)
    >>> unfold_shape((64, 56, 56), 3, padding=1)  # a ResNet layer, unbatched
    (576, 3136)
    """
    batch, channels, h, w = _input_shape(input_shape)
    kernel = int_tuple("kernel_size", kernel_size, 2)
    stride = int_tuple("stride", stride, 2)
    padding = int_tuple("padding", padding, 2, minimum=0)
    dilation = int_tuple("dilation", dilation, 2)
    oh, ow = conv_output_size((h, w), kernel, stride, padding, dilation)
    shape = (channels * kernel[0] * kernel[1], oh * ow)
    return shape if batch is None else (batch, *shape)


def unfold_nbytes(input_shape, kernel_size, stride=1, padding=0, dilation=1, dtype="float32"):
    r"""Bytes of the patch matrix ``torch.nn.functional.unfold`` builds (im2col).

    Parameters
    ----------
    input_shape, kernel_size, stride, padding, dilation
        As for :func:`unfold_shape`.
    dtype : str or numpy.dtype, default "float32"
        Element type (``"float32"``, ``"float16"``, ``np.float64``, ...), anything
        :class:`numpy.dtype` accepts.

    Returns
    -------
    int
        ``prod(unfold_shape(...)) * itemsize``: an exact Python int, whatever its size
        (nothing is allocated).

    Raises
    ------
    TypeError
        If ``dtype`` is not a numpy data type, or as :func:`unfold_shape`.
    ValueError
        As :func:`unfold_shape`.

    See Also
    --------
    unfold_shape : The shape of the matrix.

    Notes
    -----
    The matrix has :math:`N C k_h k_w H_o W_o` entries, against :math:`N C H W` for
    the input: with padding that keeps the size (:math:`H_o W_o \approx HW/(s_h
    s_w)`) it is about :math:`k_h k_w / (s_h s_w)` times the input, 9 times for a
    3x3 kernel at stride 1.

    Examples
    --------
    >>> from convdocs import unfold_nbytes
    >>> unfold_nbytes((1, 64, 56, 56), 3, padding=1)  # 9 x the input's 802,816 bytes
    7225344
    >>> unfold_nbytes((1, 64, 56, 56), 3, padding=1, dtype="float16")
    3612672
    """
    shape = unfold_shape(input_shape, kernel_size, stride, padding, dilation)
    try:
        itemsize = np.dtype(dtype).itemsize
    except TypeError:
        msg = f"dtype must be a numpy data type such as 'float32', got {_describe(dtype)}"
        raise TypeError(msg) from None
    check_int("the dtype's itemsize", itemsize)
    return math.prod(shape) * itemsize
