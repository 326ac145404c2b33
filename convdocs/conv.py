r"""Convolution, transposed convolution and the convolution matrix, as PyTorch computes them.

Every function here is a cross-correlation in PyTorch's NCHW layout (the kernel is not
flipped, as in every deep-learning framework), vectorised with numpy: the input's
windows are gathered into a patch matrix (``im2col``, one strided copy per kernel tap)
and multiplied with the weights by BLAS. The patch matrix holds ``kh * kw`` copies of
the input, so it is built for a block of output rows at a time, each block at most
:data:`WORKSPACE_BYTES`: the peak memory is the input, the output and that workspace,
whatever the kernel size. Output sizes come from :mod:`convdocs.arithmetic`.
"""

from __future__ import annotations

import functools

import numpy as np

from convdocs._validate import (
    check_entries,
    check_int,
    copied_padding_limit,
    float_array,
    int_tuple,
    padding_pairs,
)
from convdocs.arithmetic import (
    _cached_conv_output_size,
    _cached_same_padding,
    _tap_slices,
    conv_output_size,
    conv_transpose_output_size,
)
from convdocs.padding import canonical_mode, pad

__all__ = ["conv2d", "conv_matrix", "conv_transpose2d"]

# conv_matrix builds a dense matrix; beyond this many entries it would take gigabytes.
MAX_MATRIX_ENTRIES = 50_000_000

# The largest patch matrix (or block of a transposed convolution's products) built at
# once. Every case of benchmarks/bench.py fits in one block (the largest, 224x224 3->64
# k3 in float64, needs 10.8 MB), so their speed is that of the unblocked code; a larger
# one (600x600 with a 50x50 kernel would need 3 GB in float32) is computed in blocks
# of output rows, one row split into column blocks if a single row is larger.
WORKSPACE_BYTES = 32 * 2**20


def _as_batch(x, weight, groups: int, *, transposed: bool = False):
    """Check ``x`` and ``weight`` and bring them to ``(N, C, H, W)`` / 4-D weights.

    Returns ``(x4, w4, restore)`` where ``restore`` turns a 4-D result back into the
    input's rank.
    """
    x = float_array("x", x, ndims=(2, 3, 4))
    weight = float_array("weight", weight, ndims=(2, 4))
    if weight.ndim == 2:
        weight = weight[None, None]
    if 0 in x.shape[-2:]:
        msg = f"x must have at least one row and one column, got shape {x.shape}"
        raise ValueError(msg)
    if 0 in weight.shape[-2:]:
        msg = f"weight must have at least one kernel tap (kh, kw >= 1), got shape {weight.shape}"
        raise ValueError(msg)
    x4 = x.reshape((1,) * (4 - x.ndim) + x.shape)
    channels = x4.shape[1]
    if channels % groups:
        msg = f"groups={groups} must divide the input channels, got {channels} channels"
        raise ValueError(msg)
    # conv2d weights are (out, in / groups, kh, kw); transposed ones (in, out / groups, kh, kw)
    expected = channels if transposed else channels // groups
    got = weight.shape[0] if transposed else weight.shape[1]
    if got != expected:
        layout = (
            "(in_channels, out_channels // groups, kh, kw)"
            if transposed
            else ("(out_channels, in_channels // groups, kh, kw)")
        )
        msg = (
            f"weight of shape {weight.shape} does not match x of shape {x.shape}: "
            f"the weight layout is {layout}, so its "
            f"{'first' if transposed else 'second'} axis must be {expected}"
        )
        raise ValueError(msg)
    out_channels = weight.shape[1] * groups if transposed else weight.shape[0]
    if not transposed and out_channels % groups:
        msg = f"groups={groups} must divide the output channels, got {out_channels}"
        raise ValueError(msg)
    if x.ndim == 2 and out_channels != 1:
        msg = (
            f"x of shape {x.shape} is a single 2-D image, so weight must have one output "
            f"channel to keep that rank, got weight of shape {weight.shape}; "
            "give x as (C, H, W) for several output channels"
        )
        raise ValueError(msg)
    dtype = np.result_type(x4.dtype, weight.dtype)
    x4, weight = x4.astype(dtype, copy=False), weight.astype(dtype, copy=False)

    def restore(y):
        return y.reshape(y.shape[4 - x.ndim :])

    return x4, weight, restore


def _add_bias(out, bias):
    """Add one bias per output channel to an ``(N, O, H, W)`` result, in place."""
    if bias is None:
        return out
    out_channels = out.shape[1]
    bias = float_array("bias", bias, ndims=(1,))
    if bias.shape != (out_channels,):
        msg = f"bias must have shape ({out_channels},) (one per output channel), got {bias.shape}"
        raise ValueError(msg)
    with np.errstate(invalid="ignore", over="ignore"):
        out += bias.astype(out.dtype, copy=False)[:, None, None]
    return out


def _padding(padding, size, kernel, stride, dilation):
    """Normalise conv2d's ``padding`` to ``((top, bottom), (left, right))``."""
    if isinstance(padding, str):
        rule = padding.lower()
        if rule == "valid":
            return ((0, 0), (0, 0))
        if rule == "same":
            return _cached_same_padding(size, kernel, stride, dilation)
        msg = f"padding must be an int, a pair, 'valid' or 'same', got {padding!r}"
        raise ValueError(msg)
    return padding_pairs(padding, 2)


def _check_copied_padding(mode, pads, size):
    """Refuse the paddings PyTorch refuses for ``padding_mode`` 'reflect' and 'circular'."""
    for axis, n, pair in zip(("height", "width"), size, pads):
        limit = copied_padding_limit(mode, n)
        if limit is not None and max(pair) > limit:
            msg = (
                f"padding {pair} along the {axis} with padding_mode={mode!r} needs each pad "
                f"at most {limit} for the input {axis} {n} (PyTorch's rule); got padding "
                f"{pads} for an input of size {tuple(size)}"
            )
            raise ValueError(msg)


@functools.lru_cache(maxsize=1024)  # every convolution asks again for the same few taps
def _taps(offset: int, stride: int, count: int, size: int) -> tuple[int, int, int]:
    """Output positions ``[first, stop)`` whose tap at ``offset + o * stride`` is inside
    an input of ``size`` pixels (the others read zero padding), and the first input
    index they read."""
    first = min(max(0, -(offset // stride)), count)
    stop = max(min(count, -((offset - size) // stride)), first)
    return first, stop, offset + first * stride


def _im2col(x4, kernel, stride, dilation, pads, out_size, start=(0, 0)):
    """Patch matrix ``(N, C, kh, kw, Ho, Wo)`` of the input, zero padded by ``pads``.

    ``out_size`` windows from window ``start`` on: a block of the output, or all of it.
    Built one kernel tap at a time: tap ``(i, j)`` of every window is a strided slice
    of the input, and the positions that fall in the padding are set to zero. This avoids
    copying the input into a padded array first. The layout lets the product with the
    weights write the output directly in NCHW order.
    """
    n, c, h, w = x4.shape
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_size
    (top, _), (left, _) = pads
    top, left = top - start[0] * sh, left - start[1] * sw  # the block's first window
    rows = [_taps(i * dh - top, sh, oh, h) for i in range(kh)]
    columns = [_taps(j * dw - left, sw, ow, w) for j in range(kw)]
    # Not np.zeros: clearing the whole matrix first is an extra pass over it (about 40%
    # of the time here for a 224x224 input); only the strips that read padding need zeros.
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x4.dtype)
    _zero_padding(cols, rows, columns)
    for i, (r0, r1, y) in enumerate(rows):
        if r1 == r0:  # the whole tap reads padding
            continue
        source = x4[:, :, y : y + (r1 - r0 - 1) * sh + 1 : sh]
        for j, (c0, c1, x) in enumerate(columns):
            if c1 > c0:
                cols[:, :, i, j, r0:r1, c0:c1] = source[..., x : x + (c1 - c0 - 1) * sw + 1 : sw]
    return cols


def _blocks(rows: int, row_bytes: int, columns: int):
    """``(y0, y1, x0, x1)`` blocks of a ``rows x columns`` output, in reading order,
    each needing at most WORKSPACE_BYTES when one output row needs ``row_bytes``.

    Blocks of whole rows; a row needing more than the workspace alone is split into
    blocks of columns (at least one column each).
    """
    per_block = WORKSPACE_BYTES // max(row_bytes, 1)
    if per_block >= 1:
        for y0 in range(0, rows, per_block):
            yield y0, min(rows, y0 + per_block), 0, columns
        return
    width = max(1, WORKSPACE_BYTES * columns // row_bytes)
    for y0 in range(rows):
        for x0 in range(0, columns, width):
            yield y0, y0 + 1, x0, min(columns, x0 + width)


def _zero_padding(cols, rows, columns):
    """Zero the patch-matrix entries outside the ``[first, stop)`` ranges of each tap."""
    oh, ow = cols.shape[-2:]
    for i, (first, stop, _) in enumerate(rows):
        if first > 0 or stop < oh:  # skip the no-op assignments: each costs a microsecond
            cols[:, :, i, :, :first] = 0
            cols[:, :, i, :, stop:] = 0
    for j, (first, stop, _) in enumerate(columns):
        if first > 0 or stop < ow:
            cols[:, :, :, j, :, :first] = 0
            cols[:, :, :, j, :, stop:] = 0


def _correlate(x4, weight, stride, dilation, groups, pads, out_size):
    """Grouped cross-correlation of an ``(N, C, H, W)`` batch, zero padded by ``pads``.

    One patch matrix and one product when the patch matrix fits in WORKSPACE_BYTES;
    otherwise one per block of output rows, each product written into its rows of
    the output. Each output value is the same dot product either way.
    """
    n, channels = x4.shape[:2]
    out_channels, per_group, kh, kw = weight.shape
    oh, ow = out_size
    w = weight.reshape(groups, out_channels // groups, per_group * kh * kw)
    row_bytes = n * channels * kh * kw * ow * x4.dtype.itemsize
    if row_bytes * oh <= WORKSPACE_BYTES:
        cols = _im2col(x4, (kh, kw), stride, dilation, pads, out_size)
        cols = cols.reshape(n, groups, per_group * kh * kw, oh * ow)
        with np.errstate(invalid="ignore", over="ignore"):  # inf and nan propagate
            out = np.matmul(w, cols)  # (N, G, O/G, Ho*Wo)
        return out.reshape(n, out_channels, *out_size)
    out = np.empty((n, out_channels, oh, ow), dtype=x4.dtype)
    for y0, y1, x0, x1 in _blocks(oh, row_bytes, ow):
        size = (y1 - y0, x1 - x0)
        cols = _im2col(x4, (kh, kw), stride, dilation, pads, size, start=(y0, x0))
        cols = cols.reshape(n, groups, per_group * kh * kw, size[0] * size[1])
        # A view: whole rows, or columns of a single row.
        block = out[:, :, y0:y1, x0:x1].reshape(n, groups, out_channels // groups, -1)
        with np.errstate(invalid="ignore", over="ignore"):
            np.matmul(w, cols, out=block)
        del cols  # before the next block's exists: one block at a time
    return out


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros"):
    r"""2-D cross-correlation with PyTorch's semantics (``torch.nn.functional.conv2d``).

    Parameters
    ----------
    x : array_like
        Input of shape ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``.
    weight : array_like
        Kernel of shape ``(kh, kw)`` (one input and one output channel) or
        ``(out_channels, in_channels // groups, kh, kw)``, PyTorch's layout.
    bias : array_like, optional
        One value per output channel, added to the result.
    stride : int or pair of int, default 1
        Step between windows, ``(sh, sw)``.
    padding : int, tuple, "valid" or "same", default 0
        Pixels added on each side: an int, ``(ph, pw)``, or
        ``((top, bottom), (left, right))``. ``"valid"`` is no padding; ``"same"`` is
        TensorFlow's rule (output size ``ceil(size / stride)``, the odd pixel after),
        which, unlike PyTorch's ``padding="same"``, also works for strides above 1.
    dilation : int or pair of int, default 1
        Spacing between kernel taps.
    groups : int, default 1
        Split the channels into this many independent groups (``groups == C`` is a
        depthwise convolution).
    padding_mode : str, default "zeros"
        What the padding contains: any mode of :func:`convdocs.pad` ("zeros",
        "reflect", "replicate", "circular", "symmetric", or their aliases). As in
        PyTorch, "reflect" needs each pad smaller than the input size along its axis
        and "circular" at most the input size; "symmetric", which PyTorch lacks, repeats
        periodically like :func:`numpy.pad`.

    Returns
    -------
    numpy.ndarray
        The result, with the input's rank: ``(Ho, Wo)``, ``(O, Ho, Wo)`` or
        ``(N, O, Ho, Wo)``. Floating inputs keep their precision (float32 stays
        float32); integer inputs such as uint8 images are computed in float64, so
        negative responses neither wrap around nor saturate.

    Raises
    ------
    ValueError
        If ranks or channel counts do not match, ``groups`` does not divide the
        channels, a parameter is out of range, the kernel is larger than the padded
        input, a "reflect" or "circular" padding is wider than PyTorch allows, or the
        output (or the padded input) would have more than 2**32 entries (32 GiB in
        float64: refused before allocating). The message names the parameter and the
        value received.
    TypeError
        If a parameter is not an integer or an array is not real-valued.

    See Also
    --------
    conv_output_size : The output size this function produces.
    conv_transpose2d : The transposed (adjoint) operation.
    conv_matrix : The same operation as a matrix.
    pad : The padding modes.

    Notes
    -----
    For output channel :math:`o` in group :math:`g` (with :math:`C_g = C / G` input
    channels per group), the output at :math:`(y, x)` is

    .. math::

        \mathrm{out}[o, y, x] = b_o + \sum_{c=0}^{C_g - 1} \sum_{i=0}^{k_h - 1}
        \sum_{j=0}^{k_w - 1} w[o, c, i, j]\;
        x_p[g C_g + c,\ y s_h + i d_h,\ x s_w + j d_w]

    where :math:`x_p` is the padded input. The kernel is not flipped: this is a
    cross-correlation, which deep-learning libraries call convolution. The output size
    is :func:`convdocs.conv_output_size` of each spatial dimension.

    Examples
    --------
    >>> import numpy as np
    >>> from convdocs import conv2d
    >>> x = np.arange(16).reshape(4, 4)
    >>> conv2d(x, np.ones((2, 2)))  # sums of 2x2 windows
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]])
    >>> conv2d(x, np.ones((3, 3)), stride=2, padding=1)
    array([[10., 24.],
           [51., 90.]])

    Shapes follow PyTorch's layout:

    >>> rgb = np.zeros((2, 3, 32, 32), dtype=np.float32)
    >>> conv2d(rgb, np.zeros((16, 3, 3, 3), dtype=np.float32), stride=2, padding="same").shape
    (2, 16, 16, 16)
    """
    groups = check_int("groups", groups)
    x4, weight, restore = _as_batch(x, weight, groups)
    kernel = weight.shape[2:]
    stride = int_tuple("stride", stride, 2)
    dilation = int_tuple("dilation", dilation, 2)
    mode = canonical_mode(padding_mode)
    pads = _padding(padding, x4.shape[2:], kernel, stride, dilation)
    out_size = _cached_conv_output_size(x4.shape[2:], kernel, stride, pads, dilation)
    cause = f"x of shape {x4.shape} with padding {pads}"
    check_entries("the output", (x4.shape[0], weight.shape[0], *out_size), cause)
    if mode != "zeros":  # fill the padding; zero padding is left implicit in _im2col
        _check_copied_padding(mode, pads, x4.shape[2:])
        padded = [n + before + after for n, (before, after) in zip(x4.shape[2:], pads)]
        check_entries("the padded input", (*x4.shape[:2], *padded), cause)
        x4, pads = pad(x4, pads, mode=mode), ((0, 0), (0, 0))
    out = _correlate(x4, weight, stride, dilation, groups, pads, out_size)
    return restore(_add_bias(out, bias))


def conv_transpose2d(
    x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    r"""2-D transposed convolution with PyTorch's semantics (``conv_transpose2d``).

    The adjoint of :func:`conv2d`: it maps a feature map back to the shape of the
    convolution's input. Often (misleadingly) called deconvolution.

    Parameters
    ----------
    x : array_like
        Input of shape ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``.
    weight : array_like
        Kernel of shape ``(kh, kw)`` or ``(in_channels, out_channels // groups, kh, kw)``
        (PyTorch's ``ConvTranspose2d.weight`` layout: input channels first).
    bias : array_like, optional
        One value per output channel.
    stride : int or pair of int, default 1
        Stride of the convolution this one transposes: the input pixels are spread
        ``stride`` apart in the output.
    padding : int or tuple, default 0
        Padding of the convolution this one transposes: crops ``padding`` pixels from
        each side of the full output (PyTorch allows symmetric padding only; the
        ``(before, after)`` form is convdocs' extension).
    output_padding : int or pair of int, default 0
        Pixels added after the output (bottom and right) to reach the exact input size
        of the forward convolution; smaller than ``stride`` or ``dilation``.
    groups : int, default 1
        Independent channel groups.
    dilation : int or pair of int, default 1
        Spacing between kernel taps.

    Returns
    -------
    numpy.ndarray
        The result with the input's rank; its spatial size is
        :func:`convdocs.conv_transpose_output_size`. Dtype rule as :func:`conv2d`.

    Raises
    ------
    ValueError
        If shapes do not match, ``groups`` does not divide the channels,
        ``output_padding >= max(stride, dilation)``, the padding crops everything, or
        the output would have more than 2**32 entries.
    TypeError
        If a parameter is not an integer or an array is not real-valued.

    See Also
    --------
    conv2d : The forward operation.
    conv_transpose_output_size : The output size.
    conv_matrix : ``conv_matrix(...).T`` is this operation as a matrix.

    Notes
    -----
    Each input pixel :math:`(y, x)` adds the kernel, scaled by its value, to the output
    at :math:`(y s + i d,\ x s + j d)` for every tap :math:`(i, j)`; ``padding`` then
    crops the borders and ``output_padding`` extends the bottom and right. Dumoulin &
    Visin (section 4) describe the same result as a direct convolution: insert
    :math:`s - 1` zeros between the input pixels, pad with :math:`d(k - 1) - p` zeros,
    and correlate with the kernel rotated by 180 degrees. The output size is

    .. math:: o = (i - 1)\,s - p_b - p_a + d(k - 1) + a + 1 .

    Examples
    --------
    >>> import numpy as np
    >>> from convdocs import conv_transpose2d
    >>> x = np.array([[1, 2], [3, 4]])
    >>> conv_transpose2d(x, np.ones((2, 2)), stride=2)  # each pixel becomes a 2x2 block
    array([[1., 1., 2., 2.],
           [1., 1., 2., 2.],
           [3., 3., 4., 4.],
           [3., 3., 4., 4.]])
    >>> conv_transpose2d(x, np.ones((3, 3)), stride=2, padding=1, output_padding=1).shape
    (4, 4)
    """
    groups = check_int("groups", groups)
    x4, weight, restore = _as_batch(x, weight, groups, transposed=True)
    kernel = weight.shape[2:]
    stride = int_tuple("stride", stride, 2)
    dilation = int_tuple("dilation", dilation, 2)
    extra = int_tuple("output_padding", output_padding, 2, minimum=0)
    pads = padding_pairs(padding, 2)
    out_size = conv_transpose_output_size(x4.shape[2:], kernel, stride, pads, extra, dilation)
    out_channels = weight.shape[1] * groups
    full = conv_transpose_output_size(x4.shape[2:], kernel, stride, 0, extra, dilation)
    cause = f"x of shape {x4.shape} with stride {stride} and dilation {dilation}"
    check_entries("the output before cropping", (x4.shape[0], out_channels, *full), cause)
    out = _scatter(x4, weight, stride, dilation, groups, pads, out_size)
    return restore(_add_bias(out, bias))


def _scatter(x4, weight, stride, dilation, groups, pads, out_size):
    """Transposed convolution as matrix product then scatter-add (``col2im``).

    Each input pixel times each kernel tap lands at ``y * s + i * d`` in the full
    output; the loop runs over the kernel taps only, each one a strided block add.
    The products of every tap with every input pixel are ``kh * kw`` times the input:
    beyond WORKSPACE_BYTES they are computed one kernel row at a time, for the input
    rows that reach a block of output rows (:func:`_scatter_blocks`).
    """
    n, c_in, h, w = x4.shape
    _, per_out, kh, kw = weight.shape
    (top, _), (left, _) = pads
    # The uncropped output, extended where output_padding reaches past it.
    uncropped = conv_transpose_output_size((h, w), (kh, kw), stride, 0, 0, dilation)
    full = [max(u, before + o) for u, before, o in zip(uncropped, (top, left), out_size)]
    out = np.zeros((n, groups * per_out, *full), dtype=x4.dtype)
    if n * groups * per_out * kh * kw * h * w * x4.dtype.itemsize > WORKSPACE_BYTES:
        _scatter_blocks(out, x4, weight, stride, dilation, groups)
        return out[:, :, top : top + out_size[0], left : left + out_size[1]]
    # (G, C_in/G, O/G * kh * kw)^T @ (N, G, C_in/G, H * W) -> (N, G, O/G * kh * kw, H * W)
    taps = weight.reshape(groups, c_in // groups, per_out * kh * kw).transpose(0, 2, 1)
    with np.errstate(invalid="ignore", over="ignore"):  # inf and nan propagate
        cols = np.matmul(taps, x4.reshape(n, groups, c_in // groups, h * w))
    cols = cols.reshape(n, groups * per_out, kh, kw, h, w)
    for i in range(kh):
        for j in range(kw):
            rows, columns = _tap_slices(i, j, stride, dilation, (h, w))
            with np.errstate(invalid="ignore", over="ignore"):
                out[:, :, rows, columns] += cols[:, :, i, j]
    return out[:, :, top : top + out_size[0], left : left + out_size[1]]


def _scatter_blocks(out, x4, weight, stride, dilation, groups):
    """:func:`_scatter`'s sums into ``out``, for one block of output rows at a time.

    For output rows ``[a, b)`` and kernel row ``i``, the input rows ``r`` with
    ``a <= r * s + i * d < b`` are multiplied by that kernel row's taps and added in
    the same tap order as the unblocked loop, so every output value is the same sum.
    """
    n, c_in, h, w = x4.shape
    _, per_out, kh, kw = weight.shape
    (sh, sw), (dh, dw) = stride, dilation
    x5 = x4.reshape(n, groups, c_in // groups, h, w)
    # Kernel row i: (G, O/G * kw, C_in/G), times (N, G, C_in/G, rows * W).
    rows_of = [
        weight[:, :, i].reshape(groups, c_in // groups, per_out * kw).transpose(0, 2, 1)
        for i in range(kh)
    ]
    row_bytes = n * groups * per_out * kw * w * x4.dtype.itemsize
    per_block = max(1, WORKSPACE_BYTES // row_bytes) * sh  # about that many input rows
    height = out.shape[2]
    for a in range(0, height, per_block):
        b = min(height, a + per_block)
        for i in range(kh):
            # -(-m // s) is ceil(m / s): the first input row at or after a given output row
            r0 = max(0, -(-(a - i * dh) // sh))
            r1 = min(h, -(-(b - i * dh) // sh))
            if r1 <= r0:
                continue
            rows = x5[:, :, :, r0:r1].reshape(n, groups, c_in // groups, (r1 - r0) * w)
            with np.errstate(invalid="ignore", over="ignore"):
                cols = np.matmul(rows_of[i], rows)
            cols = cols.reshape(n, groups * per_out, kw, r1 - r0, w)
            y = r0 * sh + i * dh
            for j in range(kw):
                target = out[:, :, y : y + (r1 - r0 - 1) * sh + 1 : sh]
                with np.errstate(invalid="ignore", over="ignore"):
                    target[..., j * dw : j * dw + (w - 1) * sw + 1 : sw] += cols[:, :, j]
            del cols  # before the next block's exists


def conv_matrix(input_shape, weight, stride=1, padding=0, dilation=1):
    r"""The matrix of a convolution: ``C @ x.ravel() == conv2d(x, weight, ...).ravel()``.

    A convolution is linear in its input, so it is a (sparse) matrix. Its transpose is
    the transposed convolution: ``C.T @ y.ravel()`` equals :func:`conv_transpose2d`
    of ``y`` with the same weight (Dumoulin & Visin, section 4.1).

    Parameters
    ----------
    input_shape : tuple of int
        ``(H, W)`` or ``(C, H, W)``: the shape of one input.
    weight : array_like
        ``(kh, kw)`` or ``(out_channels, C, kh, kw)``.
    stride, padding, dilation
        As in :func:`conv2d` (zero padding: an int, a pair, or
        ``((top, bottom), (left, right))``).

    Returns
    -------
    numpy.ndarray
        Dense matrix of shape ``(out_channels * Ho * Wo, C * H * W)``, rows and columns
        in C order (the order of ``ravel``).

    Raises
    ------
    ValueError
        If the shapes do not match, a parameter is out of range, or the matrix would
        have more than 50 million entries (it is dense: use :func:`conv2d` instead);
        the size is checked before any array is allocated.
    TypeError
        If a parameter is not an integer.

    See Also
    --------
    conv2d : The same operation, computed directly.
    conv_transpose2d : The operation of ``C.T``.

    Notes
    -----
    Row :math:`(o, y, x)` holds the weights :math:`w[o, c, i, j]` in the columns of the
    input pixels :math:`(c,\ y s_h + i d_h - p_t,\ x s_w + j d_w - p_l)` that the window
    reads; taps that fall in the zero padding have no column. Dumoulin & Visin's
    4x4 input with a 3x3 kernel gives the 4x16 matrix of their figure 4.1.

    Examples
    --------
    >>> import numpy as np
    >>> from convdocs import conv_matrix
    >>> C = conv_matrix((3, 3), np.array([[1, 2], [3, 4]]))
    >>> C.astype(int)
    array([[1, 2, 0, 3, 4, 0, 0, 0, 0],
           [0, 1, 2, 0, 3, 4, 0, 0, 0],
           [0, 0, 0, 1, 2, 0, 3, 4, 0],
           [0, 0, 0, 0, 1, 2, 0, 3, 4]])
    >>> x = np.arange(9).reshape(3, 3)
    >>> C @ x.ravel()
    array([27., 37., 57., 67.])
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) not in (2, 3):
        msg = f"input_shape must be (H, W) or (C, H, W), got {input_shape!r}"
        raise ValueError(msg)
    shape = int_tuple("input_shape", tuple(input_shape), len(input_shape))
    channels, h, w = (1, *shape) if len(shape) == 2 else shape
    # Each output gives a row, so the matrix has at least C * H * W entries: check them
    # before anything of that size exists.
    _check_matrix_size(1, channels * h * w, input_shape)
    # A read-only view stands for the input: its shape is checked, nothing is allocated.
    x = np.broadcast_to(np.zeros(()), (channels, h, w))
    _, weight, _ = _as_batch(x, weight, 1)
    out_channels, _, kh, kw = weight.shape
    stride = int_tuple("stride", stride, 2)
    dilation = int_tuple("dilation", dilation, 2)
    (top, _), (left, _) = pads = padding_pairs(padding, 2)
    oh, ow = conv_output_size((h, w), (kh, kw), stride, pads, dilation)
    rows, cols = out_channels * oh * ow, channels * h * w
    _check_matrix_size(rows, cols, input_shape, weight.shape, stride, pads, dilation)
    # Every (output pixel, tap) pair as broadcast index arrays: o, y, x, c, i, j; the
    # input row and column each tap reads come from per-axis tables, -1 in the padding.
    o, y, x, c, i, j = np.ix_(*map(np.arange, (out_channels, oh, ow, channels, kh, kw)))
    in_y = _tap_index(oh, kh, stride[0], dilation[0], top, h)[y, i]
    in_x = _tap_index(ow, kw, stride[1], dilation[1], left, w)[x, j]
    inside = (in_y >= 0) & (in_x >= 0)
    shape6 = (out_channels, oh, ow, channels, kh, kw)
    row = np.broadcast_to((o * oh + y) * ow + x, shape6)[np.broadcast_to(inside, shape6)]
    col = np.broadcast_to((c * h + in_y) * w + in_x, shape6)[np.broadcast_to(inside, shape6)]
    value = np.broadcast_to(weight[:, None, None], shape6)[np.broadcast_to(inside, shape6)]
    matrix = np.zeros((rows, cols), dtype=weight.dtype)
    matrix[row, col] = value
    return matrix


def _check_matrix_size(rows, cols, input_shape, *params):
    """Refuse a conv_matrix of more than MAX_MATRIX_ENTRIES entries, naming its causes."""
    if rows * cols <= MAX_MATRIX_ENTRIES:
        return
    if params:
        weight_shape, stride, pads, dilation = params
        cause = (
            f"input_shape {tuple(input_shape)} with a weight of shape {weight_shape}, "
            f"stride {stride}, padding {pads} and dilation {dilation}"
        )
    else:
        cause = f"input_shape {tuple(input_shape)}"
    size = f"{rows} x {cols} = {rows * cols:,}" if params else f"at least {rows * cols:,}"
    msg = (
        f"{cause} gives a conv_matrix of {size} entries (dense); allowed: at most "
        f"{MAX_MATRIX_ENTRIES:,}. Use conv2d for inputs this large"
    )
    raise ValueError(msg)


def _tap_index(out: int, kernel: int, stride: int, dilation: int, before: int, size: int):
    """``(out, kernel)`` table of the input index that tap ``i`` of window ``y`` reads
    along one axis, ``y * stride + i * dilation - before``, or -1 in the padding.

    Computed with Python ints (an object array) when the padded extent exceeds int64,
    so that no stride or padding, however large, overflows.
    """
    reach = (out - 1) * stride + (kernel - 1) * dilation
    dtype = np.int64 if max(reach, before, stride, dilation) < 2**62 else object
    index = (
        np.arange(out, dtype=dtype)[:, None] * stride
        + np.arange(kernel, dtype=dtype)[None, :] * dilation
        - before
    )
    return np.where((index >= 0) & (index < size), index, -1).astype(np.int64)
