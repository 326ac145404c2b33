"""Max and average pooling with PyTorch's exact semantics, in numpy.

Both functions reduce a padded copy of the input one kernel tap at a time: tap
``(i, j)`` of every window is one strided slice of the padded input, so a 3x3 pool is
nine whole-array ``maximum`` (or ``add``) operations, with no loop over pixels or
windows. A padded input larger than ``convdocs.conv.WORKSPACE_BYTES`` is padded and
reduced for a block of output rows at a time, so the peak memory is the input, the
output and that workspace. Output sizes come from ``convdocs.arithmetic.conv_output_size``, the one place
that formula lives.
"""

from __future__ import annotations

import numpy as np

from convdocs._validate import (
    check_bool,
    check_entries,
    check_pool_padding,
    float_array,
    int_tuple,
)
from convdocs.arithmetic import _extent, _tap_slices, conv_output_size
from convdocs.conv import WORKSPACE_BYTES

__all__ = ["avg_pool2d", "max_pool2d"]


def _normalise(x, kernel_size, stride, padding, dilation, ceil_mode):
    """Check the arguments of a 2-D pooling call once.

    Returns the input as a float array, the (height, width) pairs of kernel, stride,
    padding and dilation, and the output (height, width).
    """
    ceil_mode = check_bool("ceil_mode", ceil_mode)
    array = float_array("x", x, ndims=(2, 3, 4))
    kernel = int_tuple("kernel_size", kernel_size, 2)
    stride = kernel if stride is None else int_tuple("stride", stride, 2)
    padding = int_tuple("padding", padding, 2, minimum=0)
    dilation = int_tuple("dilation", dilation, 2)
    check_pool_padding(kernel, padding)
    size = array.shape[-2:]
    if 0 in size:
        msg = f"x must have at least one row and one column, got shape {array.shape}"
        raise ValueError(msg)
    try:
        out = conv_output_size(size, kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    except ValueError as err:
        msg = f"x of shape {array.shape}: {err}"
        raise ValueError(msg) from None
    # The padded copy the taps are read from, checked before it exists.
    padded = [
        max(n + p, _extent(o, k, s, d))
        for n, p, o, k, s, d in zip(size, padding, out, kernel, stride, dilation)
    ]
    cause = f"x of shape {array.shape} with kernel_size {kernel} and padding {padding}"
    check_entries("the padded input", (*array.shape[:-2], *padded), cause)
    return array, kernel, stride, padding, dilation, out


def _pad(array, before, extents, value):
    """Pad the last two axes with ``value``: ``before`` pixels, then up to ``extents``.

    Pixels after the last window (never read in floor mode) are cropped; in ceil mode
    the last window may overhang the padded input, and the overhang is filled too.
    """
    shape = array.shape[-2:]
    widths = [(0, 0)] * (array.ndim - 2)
    widths += [(b, max(0, e - n - b)) for b, e, n in zip(before, extents, shape)]
    padded = np.pad(array, widths, constant_values=value)
    return padded[..., : extents[0], : extents[1]]


def _reduce(padded, kernel, stride, dilation, out, combine, result=None):
    """Combine the taps of every window: ``combine`` over ``kh * kw`` strided slices.

    Into ``result`` if given (a block of the output), else into a new array.
    """
    first = True
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            rows, cols = _tap_slices(i, j, stride, dilation, out)
            tap = padded[..., rows, cols]
            if not first:
                combine(result, tap, out=result)
            elif result is None:
                result = tap.copy()
            else:
                result[...] = tap
            first = False
    return result


def _pool(array, before, kernel, stride, dilation, out, value, combine):
    """:func:`_reduce` over the input padded with ``value`` (:func:`_pad`).

    The padded input is built whole when it fits in WORKSPACE_BYTES; otherwise only
    the padded rows of a block of output rows exist at a time, and each block's result
    is written into its rows of the output (the same values: each is the same
    ``combine`` of the same taps).
    """
    extents = [_extent(*args) for args in zip(out, kernel, stride, dilation)]
    batch = array.shape[:-2]
    row_bytes = int(np.prod(batch, dtype=np.int64)) * extents[1] * array.dtype.itemsize
    if row_bytes * extents[0] <= WORKSPACE_BYTES:
        return _reduce(_pad(array, before, extents, value), kernel, stride, dilation, out, combine)
    (h, w), (top, left), (s, d) = array.shape[-2:], before, (stride[0], dilation[0])
    reach = (kernel[0] - 1) * d + 1  # padded rows one output row reads
    per_block = max(1, (WORKSPACE_BYTES // row_bytes - reach) // s + 1)
    result = np.empty((*batch, *out), dtype=array.dtype)
    width = min(w, extents[1] - left)  # input columns inside the padded extent
    for y0 in range(0, out[0], per_block):
        y1 = min(out[0], y0 + per_block)
        p0, p1 = y0 * s, (y1 - 1) * s + reach  # the block's padded rows
        padded = np.full((*batch, p1 - p0, extents[1]), value, dtype=array.dtype)
        r0, r1 = max(p0 - top, 0), min(p1 - top, h)  # the input rows among them
        if r1 > r0:
            padded[..., r0 + top - p0 : r1 + top - p0, left : left + width] = array[
                ..., r0:r1, :width
            ]
        block = result[..., y0:y1, :]
        _reduce(padded, kernel, stride, dilation, (y1 - y0, out[1]), combine, block)
        del padded  # before the next block's exists
    return result


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    r"""2-D max pooling, as ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    x : array_like
        Input of shape ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``. Integer and
        boolean inputs are computed in float64; float32 stays float32.
    kernel_size : int or tuple of int
        Window size, an int or a ``(height, width)`` pair, at least 1.
    stride : int or tuple of int, optional
        Step between windows; defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or tuple of int, default 0
        Pixels added on both sides of each dimension, an int or a
        ``(pad_h, pad_w)`` pair; at most ``kernel_size // 2`` along each dimension.
        Padding is never selected: it acts as :math:`-\infty`.
    dilation : int or tuple of int, default 1
        Spacing between the taps of a window.
    ceil_mode : bool, default False
        Keep a last, partial window that overhangs the padded input (see Notes).

    Returns
    -------
    numpy.ndarray
        The maximum of each window, with the input's number of dimensions: shape
        ``(..., H_out, W_out)``.

    Raises
    ------
    TypeError
        If ``x`` is not real-valued (complex, say), a size is not an integer, or
        ``ceil_mode`` is not a bool.
    ValueError
        If ``x`` does not have 2, 3 or 4 dimensions or is empty along H or W, a
        kernel size, stride or dilation is smaller than 1, the padding is negative or
        more than half the kernel size, the dilated window does not fit in the
        padded input, or the padded input would have more than 2**32 entries
        (checked before allocating).

    See Also
    --------
    avg_pool2d : The mean of each window instead of its maximum.
    conv_output_size : The output size used here.

    Notes
    -----
    With input size :math:`i`, padding :math:`p`, kernel size :math:`k`, dilation
    :math:`d` and stride :math:`s` along one dimension, the output size is

    .. math::

        o = \left\lfloor \frac{i + 2p - d(k - 1) - 1}{s} \right\rfloor + 1 .

    With ``ceil_mode`` the floor becomes a ceiling, and a last window that would start
    at or after :math:`i + p` (in the padding after the input) is dropped, so every
    window starts in the input or the padding before it. The last window may then
    overhang the padded input by up to :math:`s - 1` pixels; those pixels, like the
    padding, are :math:`-\infty` and never the maximum.

    The padding limit :math:`p \le \lfloor k / 2 \rfloor` is PyTorch's, on the
    undilated kernel size whatever the dilation. It guarantees that every window holds
    at least one input pixel.

    The gallery example :ref:`sphx_glr_auto_examples_stride_plot_04_pooling.py` draws
    the windows.

    Examples
    --------
    >>> import numpy as np
    >>> from convdocs import max_pool2d
    >>> x = np.arange(16).reshape(4, 4)
    >>> x
    array([[ 0,  1,  2,  3],
           [ 4,  5,  6,  7],
           [ 8,  9, 10, 11],
           [12, 13, 14, 15]])
    >>> max_pool2d(x, 2)
    array([[ 5.,  7.],
           [13., 15.]])

    A 3x3 window at stride 2 fits once in 4 pixels; ``ceil_mode`` adds a second,
    partial window over the last two rows (columns):

    >>> max_pool2d(x, 3, stride=2)
    array([[10.]])
    >>> max_pool2d(x, 3, stride=2, ceil_mode=True)
    array([[10., 11.],
           [14., 15.]])

    With padding 1 the windows start one pixel before the input:

    >>> max_pool2d(x, 3, stride=2, padding=1)
    array([[ 5.,  7.],
           [13., 15.]])
    >>> max_pool2d(x, 2, dilation=2)
    array([[10.]])
    """
    array, kernel, stride, padding, dilation, out = _normalise(
        x, kernel_size, stride, padding, dilation, ceil_mode
    )
    return _pool(array, padding, kernel, stride, dilation, out, -np.inf, np.maximum)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    r"""2-D average pooling, as ``torch.nn.functional.avg_pool2d``.

    Parameters
    ----------
    x : array_like
        Input of shape ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``. Integer and
        boolean inputs are computed in float64; float32 stays float32.
    kernel_size : int or tuple of int
        Window size, an int or a ``(height, width)`` pair, at least 1.
    stride : int or tuple of int, optional
        Step between windows; defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or tuple of int, default 0
        Zeros added on both sides of each dimension, an int or a ``(pad_h, pad_w)``
        pair; at most ``kernel_size // 2`` along each dimension.
    ceil_mode : bool, default False
        Keep a last, partial window that overhangs the padded input (see Notes).
    count_include_pad : bool, default True
        Divide by the number of window pixels in the padded input (True) or by the
        number of input pixels only (False).

    Returns
    -------
    numpy.ndarray
        The mean of each window, with the input's number of dimensions: shape
        ``(..., H_out, W_out)``.

    Raises
    ------
    TypeError
        If ``x`` is not real-valued (complex, say), a size is not an integer, or
        ``ceil_mode`` or ``count_include_pad`` is not a bool.
    ValueError
        If ``x`` does not have 2, 3 or 4 dimensions or is empty along H or W, a
        kernel size or stride is smaller than 1, the padding is negative or more than
        half the kernel size, the window does not fit in the padded input, or the
        padded input would have more than 2**32 entries (checked before allocating).

    See Also
    --------
    max_pool2d : The maximum of each window instead of its mean.
    conv_output_size : The output size used here.

    Notes
    -----
    The output size along each dimension is, with input size :math:`i`, padding
    :math:`p`, kernel size :math:`k` and stride :math:`s`,

    .. math::

        o = \left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1 ,

    with the floor made a ceiling by ``ceil_mode`` (the last window then may overhang
    the padded input; one that would start in the padding after the input is dropped,
    as in :func:`max_pool2d`).

    The sum of each window is divided by a count that depends on where the window
    lies. Along one dimension, the window of output :math:`j` starts at input position
    :math:`a_j = js - p` (negative in the padding before the input). With
    ``count_include_pad=True`` the count is the part of the window inside the padded
    input,

    .. math:: n_j = \min(a_j + k,\ i + p) - a_j ,

    and with ``count_include_pad=False`` the part inside the input,

    .. math:: n_j = \min(a_j + k,\ i) - \max(a_j,\ 0) ;

    the divisor is the product of the counts along the height and along the width.
    Either way, the part of a ``ceil_mode`` window beyond the padding is not counted:
    with ``count_include_pad=True`` padded zeros lower the mean of a border window, the
    overhang does not. The gallery example
    :ref:`sphx_glr_auto_examples_stride_plot_04_pooling.py` shows both rules.

    Examples
    --------
    >>> import numpy as np
    >>> from convdocs import avg_pool2d
    >>> x = np.arange(16).reshape(4, 4)
    >>> avg_pool2d(x, 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])

    The partial windows of ``ceil_mode`` are averaged over the pixels they cover:
    (2 + 3 + 6 + 7 + 10 + 11) / 6 = 6.5 at the top right.

    >>> avg_pool2d(x, 3, stride=2, ceil_mode=True)
    array([[ 5. ,  6.5],
           [11. , 12.5]])

    Padding 1 with 2x2 windows: the top-right window holds 3 and three padded zeros.
    It counts them by default, and not with ``count_include_pad=False``:

    >>> avg_pool2d(x, 2, padding=1)
    array([[0.  , 0.75, 0.75],
           [3.  , 7.5 , 4.5 ],
           [3.  , 6.75, 3.75]])
    >>> avg_pool2d(x, 2, padding=1, count_include_pad=False)
    array([[ 0. ,  1.5,  3. ],
           [ 6. ,  7.5,  9. ],
           [12. , 13.5, 15. ]])
    """
    count_include_pad = check_bool("count_include_pad", count_include_pad)
    array, kernel, stride, padding, dilation, out = _normalise(
        x, kernel_size, stride, padding, 1, ceil_mode
    )
    with np.errstate(invalid="ignore", over="ignore"):  # inf + -inf is nan, as in PyTorch
        total = _pool(array, padding, kernel, stride, dilation, out, 0, np.add)
    extents = [_extent(*args) for args in zip(out, kernel, stride, dilation)]
    # The divisor: a mask of the pixels that count, summed over each window.
    if count_include_pad:  # the padded input counts, the overhang does not
        size = [n + 2 * p for n, p in zip(array.shape[-2:], padding)]
        mask = _pad(np.ones(size, dtype=array.dtype), (0, 0), extents, 0)
    else:  # only the input counts
        mask = _pad(np.ones(array.shape[-2:], dtype=array.dtype), padding, extents, 0)
    count = _reduce(mask, kernel, stride, dilation, out, np.add)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is nan, as in PyTorch
        return np.divide(total, count, out=total)  # in place: no second output
