"""Convolution arithmetic: output sizes, "same" padding and effective kernel sizes.

Pure integer formulas, one place for each. Every other part of convdocs (the numpy
operations, the diagrams, the receptive-field code) takes its sizes from here.

Each function accepts plain ints for one spatial dimension and returns an int, or
tuples with one value per spatial dimension (any argument may be a tuple; ints are
broadcast) and returns a tuple.
"""

from __future__ import annotations

import functools

from convdocs._validate import int_tuple, padding_ndim, padding_pairs, spatial_ndim

__all__ = [
    "causal_padding",
    "conv_output_size",
    "conv_transpose_output_size",
    "effective_kernel_size",
    "same_padding",
]


_NO_PADDING = object()  # a call that takes no padding; None is a wrong padding value


def _per_dim(padding=_NO_PADDING, *, padding_name="padding", minimums, **params):
    """Normalise the arguments of a one- or n-dimensional call.

    Returns ``(scalar, columns)``: ``scalar`` is True when every argument was a
    scalar (so the caller returns scalars), ``columns`` holds one dict per spatial
    dimension with the checked ints (and ``padding`` as a ``(before, after)`` pair,
    when the call takes a padding).
    """
    has_padding = padding is not _NO_PADDING
    padding_dims = padding_ndim(padding) if has_padding else None
    ndim = spatial_ndim(**params)
    scalar = ndim is None and padding_dims is None
    if ndim is None:
        ndim = padding_dims or 1
    elif padding_dims not in (None, ndim):
        spatial_ndim(padding=padding, **params)  # raises with the standard message
    values = {name: int_tuple(name, value, ndim, minimums[name]) for name, value in params.items()}
    if has_padding:
        values["padding"] = padding_pairs(padding, ndim, padding_name)
    columns = [{name: v[i] for name, v in values.items()} for i in range(ndim)]
    return scalar, columns


def _where(axis: int, columns: list) -> str:
    return "" if len(columns) == 1 else f" along spatial dimension {axis}"


def _result(scalar: bool, values: list):
    return values[0] if scalar else tuple(values)


def effective_kernel_size(kernel_size, dilation=1):
    r"""Number of input pixels a dilated kernel spans along each dimension.

    Parameters
    ----------
    kernel_size : int or tuple of int
        Number of kernel taps per dimension, at least 1.
    dilation : int or tuple of int, default 1
        Spacing between taps; 1 is an ordinary (dense) kernel.

    Returns
    -------
    int or tuple of int
        ``dilation * (kernel_size - 1) + 1``; a tuple when any argument is a tuple.

    Raises
    ------
    TypeError
        If an argument is not an integer (floats such as ``3.0`` included).
    ValueError
        If an argument is smaller than 1, or tuples differ in length.

    See Also
    --------
    conv_output_size : Uses the effective size in place of the kernel size.

    Notes
    -----
    A kernel with :math:`k` taps and dilation :math:`d` leaves :math:`d - 1` skipped
    pixels between neighbouring taps, so it covers

    .. math:: \hat{k} = d\,(k - 1) + 1

    pixels. Dilation enlarges the span without adding weights (Dumoulin & Visin,
    relationship 15).

    Examples
    --------
    >>> from convdocs import effective_kernel_size
    >>> effective_kernel_size(3, dilation=2)
    5
    >>> effective_kernel_size((3, 5), dilation=(1, 3))
    (3, 13)
    """
    scalar, columns = _per_dim(
        minimums={"kernel_size": 1, "dilation": 1}, kernel_size=kernel_size, dilation=dilation
    )
    return _result(scalar, [_span(c["kernel_size"], c["dilation"]) for c in columns])


def _span(kernel_size: int, dilation: int) -> int:
    return dilation * (kernel_size - 1) + 1


def _extent(out: int, kernel_size: int, stride: int, dilation: int) -> int:
    """Length of (padded) input ``out`` windows read, from the first tap to the last."""
    return (out - 1) * stride + _span(kernel_size, dilation)


def _tap_slices(i, j, stride, dilation, count):
    """Slices of a padded map read by kernel tap ``(i, j)`` of ``count`` windows.

    Window ``(y, x)`` reads tap ``(i, j)`` at ``(y * s + i * d, x * s + j * d)``; the
    two slices select that pixel for every window at once.
    """
    return tuple(
        slice(t * d, t * d + (n - 1) * s + 1, s)
        for t, s, d, n in zip((i, j), stride, dilation, count)
    )


def conv_output_size(size, kernel_size, stride=1, padding=0, dilation=1, ceil_mode=False):
    r"""Output size of a convolution or pooling layer.

    The same rule as ``torch.nn.Conv2d`` and, with ``ceil_mode``, as
    ``torch.nn.MaxPool2d``/``AvgPool2d``.

    Parameters
    ----------
    size : int or tuple of int
        Input size per spatial dimension (height, width, ...), at least 1.
    kernel_size : int or tuple of int
        Kernel (or pooling window) size, at least 1.
    stride : int or tuple of int, default 1
        Step between neighbouring windows, at least 1.
    padding : int, pair or tuple, default 0
        Zeros added to the input: an int for the same amount on both sides of every
        dimension; a ``(before, after)`` pair for one spatial dimension; or one entry
        per dimension, each an int or a ``(before, after)`` pair (asymmetric padding,
        as TensorFlow's ``'SAME'`` produces).
    dilation : int or tuple of int, default 1
        Spacing between kernel taps.
    ceil_mode : bool, default False
        Round the division up instead of down, as pooling layers do with
        ``ceil_mode=True``; a last window that would start in the right padding is
        dropped (PyTorch's rule).

    Returns
    -------
    int or tuple of int
        The output size; a tuple when any argument is a tuple or ``padding`` has one
        pair per dimension.

    Raises
    ------
    TypeError
        If a size, kernel, stride, padding or dilation is not an integer, or
        ``ceil_mode`` is not a bool.
    ValueError
        If a value is out of range (sizes, kernels, strides and dilations must be at
        least 1, padding at least 0), tuples disagree in length, or the dilated kernel
        is larger than the padded input.

    See Also
    --------
    conv_transpose_output_size : The size a transposed convolution produces.
    same_padding : The padding that makes the output size ``ceil(size / stride)``.
    effective_kernel_size : The span of a dilated kernel.

    Notes
    -----
    With input size :math:`i`, padding :math:`p_b` before and :math:`p_a` after,
    kernel size :math:`k`, dilation :math:`d` and stride :math:`s`, the windows start
    at :math:`0, s, 2s, \dots` in the padded input and each spans
    :math:`\hat{k} = d(k-1)+1` pixels, so

    .. math::

        o = \left\lfloor \frac{i + p_b + p_a - d(k-1) - 1}{s} \right\rfloor + 1 .

    The floor drops the last rows when :math:`s` does not divide
    :math:`i + p_b + p_a - \hat{k}`: those input pixels are never read. With
    ``ceil_mode`` the floor becomes a ceiling, and the count is reduced by one when
    the last window would start at or after :math:`i + p_b` (inside the padding after
    the input), so every window starts in the input or the padding before it; the last
    window may then overhang the end of the padded input by up to :math:`s - 1` pixels,
    which pooling treats as missing values.

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep
       learning", arXiv:1603.07285, 2016, relationships 1-6 and 15.

    Examples
    --------
    >>> from convdocs import conv_output_size
    >>> conv_output_size(28, kernel_size=3, padding=1, stride=2)
    14
    >>> conv_output_size((224, 224), kernel_size=7, stride=2, padding=3)
    (112, 112)

    The floor at work: inputs 5 and 6 give the same output under stride 2.

    >>> [conv_output_size(n, kernel_size=3, stride=2) for n in (5, 6, 7)]
    [2, 2, 3]

    Pooling with ``ceil_mode`` keeps the partial last window:

    >>> conv_output_size(6, kernel_size=3, stride=2, ceil_mode=True)
    3

    Asymmetric padding (one pixel before, two after):

    >>> conv_output_size(10, kernel_size=4, padding=(1, 2))
    10
    """
    if not isinstance(ceil_mode, bool):
        msg = f"ceil_mode must be a bool, got {ceil_mode!r} (type {type(ceil_mode).__name__})"
        raise TypeError(msg)
    scalar, columns = _per_dim(
        padding,
        minimums={"size": 1, "kernel_size": 1, "stride": 1, "dilation": 1},
        size=size,
        kernel_size=kernel_size,
        stride=stride,
        dilation=dilation,
    )
    return _result(scalar, [_conv_size(axis, columns, ceil_mode) for axis in range(len(columns))])


def _conv_size(axis: int, columns: list, ceil_mode: bool) -> int:
    c = columns[axis]
    (before, after), stride = c["padding"], c["stride"]
    span = _span(c["kernel_size"], c["dilation"])
    padded = c["size"] + before + after
    # In ceil_mode the last window may overhang the padded input by up to stride - 1.
    overhang = stride - 1 if ceil_mode else 0
    if span > padded + overhang:
        reach = f" plus the {overhang} pixels a ceil_mode window may overhang" if overhang else ""
        msg = (
            f"kernel_size {c['kernel_size']} with dilation {c['dilation']} spans {span} "
            f"pixels{_where(axis, columns)}, more than the padded input of {padded} "
            f"(size {c['size']} + padding {before} + {after}){reach}; allowed: a span of "
            f"at most {padded + overhang}"
        )
        raise ValueError(msg)
    out = (padded - span + overhang) // stride + 1
    # PyTorch drops a last window that would start inside the padding after the input.
    if ceil_mode and (out - 1) * stride >= c["size"] + before:
        out -= 1
    return out


def conv_transpose_output_size(
    size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1
):
    r"""Output size of a transposed convolution (``torch.nn.ConvTranspose2d``).

    Parameters
    ----------
    size : int or tuple of int
        Input size per spatial dimension, at least 1.
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    stride : int or tuple of int, default 1
        Stride of the convolution this one transposes, at least 1.
    padding : int, pair or tuple, default 0
        Padding of the convolution this one transposes; here it *crops* the output
        (``padding`` pixels before and after). Same forms as in
        :func:`conv_output_size`, including ``(before, after)`` pairs.
    output_padding : int or tuple of int, default 0
        Extra pixels added after the output (bottom/right) to choose among the input
        sizes that the forward convolution maps to the same size. Must be smaller than
        ``stride`` or than ``dilation``.
    dilation : int or tuple of int, default 1
        Spacing between kernel taps.

    Returns
    -------
    int or tuple of int
        The output size; a tuple when any argument is a tuple.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If a value is out of range, ``output_padding >= max(stride, dilation)``, tuples
        disagree in length, or the padding crops the whole output (where PyTorch
        fails or returns an empty tensor).

    See Also
    --------
    conv_output_size : The forward convolution whose shape this inverts.

    Notes
    -----
    A transposed convolution computes the gradient of a convolution with respect to its
    input, so it maps size :math:`i` back to the smallest input size the convolution
    with the same parameters maps to :math:`i`, plus ``output_padding`` :math:`a`:

    .. math::

        o = (i - 1)\,s - p_b - p_a + d(k - 1) + a + 1 .

    With :math:`s > 1` the forward floor maps :math:`s` different input sizes to one
    output size; :math:`a \in \{0, \dots, s - 1\}` selects which of them to
    produce (Dumoulin & Visin, relationship 14, call it :math:`a`).

    References
    ----------
    .. [1] V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep
       learning", arXiv:1603.07285, 2016, section 4.

    Examples
    --------
    >>> from convdocs import conv_output_size, conv_transpose_output_size
    >>> conv_transpose_output_size(4, kernel_size=3, stride=2, padding=1)
    7
    >>> conv_transpose_output_size(4, kernel_size=3, stride=2, padding=1, output_padding=1)
    8

    Both 7 and 8 go to 4 under the forward convolution, which is why
    ``output_padding`` exists:

    >>> conv_output_size(7, 3, stride=2, padding=1), conv_output_size(8, 3, stride=2, padding=1)
    (4, 4)
    >>> conv_transpose_output_size((16, 16), kernel_size=2, stride=2)
    (32, 32)
    """
    scalar, _, sizes = _transpose_sizes(
        size, kernel_size, stride, padding, output_padding, dilation
    )
    return _result(scalar, sizes)


def _transpose_sizes(size, kernel_size, stride, padding, output_padding, dilation):
    """``(scalar, columns, output sizes)`` of a transposed convolution, checked."""
    scalar, columns = _per_dim(
        padding,
        minimums={"size": 1, "kernel_size": 1, "stride": 1, "output_padding": 0, "dilation": 1},
        size=size,
        kernel_size=kernel_size,
        stride=stride,
        output_padding=output_padding,
        dilation=dilation,
    )
    return scalar, columns, [_transpose_size(axis, columns) for axis in range(len(columns))]


def _check_output_padding(output_padding, stride, dilation, where="") -> None:
    """PyTorch's rule for one axis: ``output_padding`` picks one of the
    ``max(stride, dilation)`` output sizes the same input maps to, so it is smaller."""
    limit = max(stride, dilation)
    if output_padding >= limit:
        msg = (
            f"output_padding must be smaller than stride or dilation{where} "
            f"(here max(stride, dilation) = {limit}), got {output_padding}"
        )
        raise ValueError(msg)


def _transpose_size(axis: int, columns: list) -> int:
    c = columns[axis]
    (before, after), extra = c["padding"], c["output_padding"]
    _check_output_padding(extra, c["stride"], c["dilation"], _where(axis, columns))
    full = (c["size"] - 1) * c["stride"] + _span(c["kernel_size"], c["dilation"]) + extra
    out = full - before - after
    if out < 1:
        msg = (
            f"padding ({before}, {after}) crops the whole output{_where(axis, columns)}: "
            f"the uncropped transposed convolution is {full} pixels; allowed: padding "
            f"that totals at most {full - 1}"
        )
        raise ValueError(msg)
    return out


def same_padding(size, kernel_size, stride=1, dilation=1):
    r"""Padding for TensorFlow's ``'SAME'`` rule: output size ``ceil(size / stride)``.

    Unlike PyTorch's ``padding="same"``, this works for any stride and for even
    kernels; when the total padding is odd the extra pixel goes after (bottom/right).

    Parameters
    ----------
    size : int or tuple of int
        Input size per spatial dimension, at least 1.
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    stride : int or tuple of int, default 1
        Stride, at least 1.
    dilation : int or tuple of int, default 1
        Dilation, at least 1.

    Returns
    -------
    tuple
        ``(before, after)`` for a one-dimensional call; one such pair per spatial
        dimension when any argument is a tuple. Pass it as ``padding`` to
        :func:`conv_output_size` to get ``ceil(size / stride)``.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If a value is smaller than 1, or tuples differ in length.

    See Also
    --------
    conv_output_size : Output size for a given padding.

    Notes
    -----
    TensorFlow (``tf.nn.conv2d``, ``padding='SAME'``) fixes the output size and derives
    the padding from it:

    .. math::

        o = \left\lceil \frac{i}{s} \right\rceil, \qquad
        p = \max\bigl((o - 1)\,s + d(k-1) + 1 - i,\ 0\bigr), \qquad
        p_b = \left\lfloor \frac{p}{2} \right\rfloor, \quad p_a = p - p_b .

    The padding is symmetric only when :math:`p` is even. At stride 1 that is when the
    effective kernel size is odd, and then :math:`p_b = p_a = \lfloor \hat{k}/2
    \rfloor`, which PyTorch's ``padding="same"`` also uses. At stride 2 and above the
    padding depends on the input size, which is why PyTorch refuses ``"same"`` there.

    Examples
    --------
    >>> from convdocs import conv_output_size, same_padding
    >>> same_padding(7, kernel_size=3)
    (1, 1)
    >>> same_padding(8, kernel_size=4)
    (1, 2)
    >>> same_padding(112, kernel_size=3, stride=2)
    (0, 1)
    >>> conv_output_size(112, 3, stride=2, padding=same_padding(112, 3, stride=2))
    56
    >>> same_padding((5, 6), kernel_size=3, stride=2)
    ((1, 1), (0, 1))
    """
    scalar, columns = _per_dim(
        minimums={"size": 1, "kernel_size": 1, "stride": 1, "dilation": 1},
        size=size,
        kernel_size=kernel_size,
        stride=stride,
        dilation=dilation,
    )
    return _result(scalar, [_same_pair(c) for c in columns])


def _same_pair(c: dict) -> tuple[int, int]:
    out = -(-c["size"] // c["stride"])
    total = max(_extent(out, c["kernel_size"], c["stride"], c["dilation"]) - c["size"], 0)
    return total // 2, total - total // 2


def torch_padding(padding, kernel, dilation) -> tuple:
    """``(before, after)`` per spatial dimension for the ``padding`` argument of a PyTorch
    convolution or pooling layer: an int, one int per dimension, ``"valid"`` or
    ``"same"`` (stride 1: the odd pixel after the input, where PyTorch puts it)."""
    if padding == "valid":
        return ((0, 0),) * len(kernel)
    if padding == "same":
        return tuple(
            _same_pair({"size": 1, "stride": 1, "kernel_size": k, "dilation": d})
            for k, d in zip(kernel, dilation)
        )
    return tuple((p, p) for p in int_tuple("padding", padding, len(kernel), 0))


def _memoised(function, size):
    """``function`` behind an ``lru_cache`` of ``size`` answers (hashable arguments only)."""
    cached = functools.lru_cache(maxsize=size)(function)
    # lru_cache copies the docstring; without this, its examples would run twice as doctests
    cached.__doc__ = f"{function.__name__}, memoised ({size} answers kept)."
    return cached


# Memoised forms for callers that ask again and again with hashable, already-checked
# arguments (conv2d on every call, the shape lens on every layer of every input size):
# the public functions re-validate everything, which costs more than a small
# convolution. Errors are not cached: a bad call raises the same message every time.
_cached_conv_output_size = _memoised(conv_output_size, 4096)
_cached_conv_transpose_output_size = _memoised(conv_transpose_output_size, 4096)
_cached_same_padding = _memoised(same_padding, 256)


def causal_padding(kernel_size, dilation=1):
    r"""Padding that makes a convolution causal: every pad before the input, none after.

    Output unit :math:`u` then reads only inputs :math:`\le u` (inputs :math:`\le u s`
    with stride :math:`s`), and at stride 1 the output is as long
    as the input: the padding of WaveNet's and TCN's dilated causal convolutions and of
    Keras's ``Conv1D(padding="causal")``. PyTorch's layers pad both sides equally, so
    pad with ``torch.nn.functional.pad(x, causal_padding(k, d))`` before a
    ``Conv1d(..., padding=0)``.

    Parameters
    ----------
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    dilation : int or tuple of int, default 1
        Spacing between kernel taps, at least 1.

    Returns
    -------
    tuple
        ``(before, after) = (dilation * (kernel_size - 1), 0)`` for a one-dimensional
        call; one such pair per spatial dimension when any argument is a tuple. Pass
        it as ``padding`` to :func:`conv_output_size` or to a :class:`convdocs.Conv`
        spec. (:func:`torch.nn.functional.pad` lists the *last* dimension first: for
        a video causal in time only, ``F.pad(x, (0, 0, 0, 0, before, 0))``.)

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If a value is smaller than 1, or tuples differ in length.

    See Also
    --------
    same_padding : Padding split between both sides, for a centred field.
    conv_output_size : The output size for a given padding.
    convdocs.receptive_field : The field of a stack of causal layers.

    Notes
    -----
    A window of :math:`k` taps with dilation :math:`d` spans
    :math:`\hat{k} = d(k-1)+1` inputs. Padding :math:`p_b` before the input and none
    after, unit :math:`u` of a stride-:math:`s` convolution reads inputs
    :math:`us - p_b` to :math:`us - p_b + d(k-1)`. None comes after :math:`us` (the
    unit sees the present and the past, nothing later) when :math:`p_b \ge d(k-1)`,
    and at stride 1 the output keeps the input's length when
    :math:`p_b + p_a = d(k-1)`. Both hold only for

    .. math:: p_b = d\,(k - 1), \qquad p_a = 0 ,

    and then the output size is

    .. math::

        o = \left\lfloor \frac{i + d(k-1) - d(k-1) - 1}{s} \right\rfloor + 1
          = \left\lceil \frac{i}{s} \right\rceil ,

    :math:`i` at stride 1, the same size as ``"same"`` padding gives, with the field
    moved to end at :math:`u` instead of being centred on it. The padding does not
    depend on the stride: a strided causal layer keeps unit :math:`u` at input step
    :math:`us` (Keras pads the same :math:`d(k-1)` for every stride; it refuses a
    stride and a dilation both above 1). Its last :math:`(i - 1) \bmod s` inputs are
    never read.

    A stack of :math:`L` causal layers at stride 1 sees

    .. math:: r = 1 + \sum_{l=1}^{L} d_l\,(k_l - 1)

    inputs, the present and :math:`r - 1` steps of the past;
    :func:`convdocs.receptive_field` computes it. With dilations
    :math:`1, 2, 4, \dots, 2^{L-1}` and kernel 2 (WaveNet), :math:`r = 2^L`.

    References
    ----------
    .. [1] A. van den Oord et al., "WaveNet: A generative model for raw audio",
       arXiv:1609.03499, 2016, section 2.1.
    .. [2] S. Bai, J. Z. Kolter and V. Koltun, "An empirical evaluation of generic
       convolutional and recurrent networks for sequence modeling", arXiv:1803.01271,
       2018, section 3.

    Examples
    --------
    >>> from convdocs import Conv, causal_padding, conv_output_size, receptive_field
    >>> causal_padding(3), causal_padding(2, dilation=4)
    ((2, 0), (4, 0))
    >>> conv_output_size(10, 3, padding=causal_padding(3))
    10
    >>> conv_output_size(10, 3, stride=2, padding=causal_padding(3))
    5

    Unit 9 of a causal layer reads inputs 7, 8 and 9; of a WaveNet stack of kernel 2 and
    dilations 1, 2, 4, 8, the 16 inputs 0 to 15 for unit 15:

    >>> receptive_field([Conv(3, padding=causal_padding(3))], 10).interval(9)
    (7, 10)
    >>> stack = [Conv(2, padding=causal_padding(2, d), dilation=d) for d in (1, 2, 4, 8)]
    >>> rf = receptive_field(stack, 16)
    >>> rf.size, rf.interval(15)
    (16, (0, 16))

    One pair per dimension for a tuple, here a video causal in time (``same_padding``
    would centre the 3x3 window in space):

    >>> causal_padding((3, 1, 1))
    ((2, 0), (0, 0), (0, 0))
    """
    scalar, columns = _per_dim(
        minimums={"kernel_size": 1, "dilation": 1}, kernel_size=kernel_size, dilation=dilation
    )
    return _result(scalar, [(_span(c["kernel_size"], c["dilation"]) - 1, 0) for c in columns])
