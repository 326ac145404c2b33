r"""Learned upsampling: how evenly a transposed convolution covers its output, ICNR, and the
sub-pixel convolution as a transposed one.

Three layers upsample by a factor :math:`r` in convolutional networks: a transposed
convolution of stride :math:`r`, a convolution to :math:`C r^2` channels followed by
``PixelShuffle(r)`` (the *sub-pixel* convolution of Shi et al.), and a resize followed by
a convolution. :func:`overlap_counts` says how many kernel taps reach each output pixel of
a transposed convolution, the source of its checkerboard artefacts; :func:`icnr`
initialises a sub-pixel convolution so that it starts as nearest-neighbour upsampling,
with no artefact; :func:`subpixel_to_transposed` rewrites a sub-pixel convolution as the
transposed convolution it equals.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from convdocs._validate import (
    _describe,
    _is_int,
    as_array,
    check_entries,
    check_int,
    int_tuple,
)
from convdocs.arithmetic import _transpose_sizes

__all__ = ["icnr", "overlap_counts", "subpixel_to_transposed"]

MAX_COUNTS = 2**24  # the most output pixels overlap_counts computes counts for


def overlap_counts(size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    r"""How many kernel taps of a transposed convolution reach each output pixel.

    A transposed convolution adds one copy of its kernel per input pixel, ``stride``
    pixels apart. The count of an output pixel is the number of (input pixel, kernel
    tap) pairs that land on it: the output of the transposed convolution of an input of
    ones with a kernel of ones. Where the counts differ from pixel to pixel, so does the
    output of a constant input: the checkerboard artefact.

    Parameters
    ----------
    size : int or tuple of int
        Input size per spatial dimension, at least 1.
    kernel_size : int or tuple of int
        Kernel size, at least 1.
    stride : int or tuple of int, default 1
        Stride (the upsampling factor), at least 1.
    padding : int, pair or tuple, default 0
        Pixels cropped from each side of the output, as in
        :func:`convdocs.conv_transpose_output_size` (``(before, after)`` pairs allowed).
    output_padding : int or tuple of int, default 0
        Extra pixels after the output (bottom/right); smaller than ``stride`` or
        ``dilation``.
    dilation : int or tuple of int, default 1
        Spacing between kernel taps.

    Returns
    -------
    numpy.ndarray
        The counts (int64), of the transposed convolution's output shape:
        one-dimensional when every argument is an int, else one dimension per spatial
        dimension.

    Raises
    ------
    TypeError
        If an argument is not an integer.
    ValueError
        If a value is out of range (as in :func:`convdocs.conv_transpose_output_size`),
        or the output has more than 2**24 pixels.

    See Also
    --------
    convdocs.plot.draw_overlap : Draws the counts of a 2-D transposed convolution.
    convdocs.conv_transpose2d : The counts are ``conv_transpose2d(ones, ones)``.
    icnr : An initialisation that removes the pattern of a sub-pixel convolution.

    Notes
    -----
    Output pixel :math:`y` of the uncropped output (:math:`z = y + p` with padding
    :math:`p` cropped before) receives tap :math:`j` of input pixel :math:`x` when
    :math:`z = x s + j d`, :math:`0 \le x < n`, :math:`0 \le j < k`. Away from the
    borders every :math:`x` is available, and with :math:`d = 1` the taps are those
    with :math:`j \equiv z \pmod s`:

    .. math::

        c(z) = \left\lceil \frac{k - (z \bmod s)}{s} \right\rceil ,

    which is :math:`\lceil k/s \rceil` for the first :math:`k \bmod s` residues and
    :math:`\lfloor k/s \rfloor` for the others: the counts are uniform exactly when
    :math:`s` divides :math:`k`. In several dimensions the count is the product of the
    counts along each axis. The counts are computed from this arithmetic, one vector per
    axis: the memory is that of the output.

    References
    ----------
    .. [1] A. Odena, V. Dumoulin and C. Olah, "Deconvolution and Checkerboard
       Artifacts", Distill, 2016, doi:10.23915/distill.00003.

    Examples
    --------
    Kernel 3, stride 2: the counts alternate between 1 and 2 inside.

    >>> from convdocs import overlap_counts
    >>> overlap_counts(4, kernel_size=3, stride=2).tolist()
    [1, 1, 2, 1, 2, 1, 2, 1, 1]

    Kernel 4, stride 2: every interior pixel gets 2 taps per axis.

    >>> overlap_counts(4, kernel_size=4, stride=2).tolist()
    [1, 1, 2, 2, 2, 2, 2, 2, 1, 1]
    >>> overlap_counts((3, 3), kernel_size=3, stride=2, padding=1)
    array([[1, 2, 1, 2, 1],
           [2, 4, 2, 4, 2],
           [1, 2, 1, 2, 1],
           [2, 4, 2, 4, 2],
           [1, 2, 1, 2, 1]])
    """
    scalar, columns, shape = _transpose_sizes(
        size, kernel_size, stride, padding, output_padding, dilation
    )
    if math.prod(shape) > MAX_COUNTS:
        msg = (
            f"the transposed convolution's output has shape {tuple(shape)}, "
            f"{math.prod(shape):,} pixels; overlap_counts computes at most {MAX_COUNTS:,} "
            "(2**24): the counts repeat with period stride, so a smaller size shows them all"
        )
        raise ValueError(msg)
    counts = [_axis_counts(c, o) for c, o in zip(columns, shape)]
    return counts[0] if scalar else math.prod(np.ix_(*counts))


def _axis_counts(c, out):
    """The counts along one axis: for each output pixel, the taps ``j`` with
    ``z = x*s + j*d``, counted as an arithmetic progression of ``j`` (no loop over taps)."""
    n, k, s, d = c["size"], c["kernel_size"], c["stride"], c["dilation"]
    z = np.arange(out, dtype=np.int64) + c["padding"][0]
    g = math.gcd(d, s)
    step = s // g  # j*d = z (mod s) holds for one residue of j modulo s // g
    first = (z // g) * (pow(d // g, -1, step) if step > 1 else 0) % step
    lo = np.maximum(0, -(-(z - (n - 1) * s) // d))  # x <= n - 1
    hi = np.minimum(k - 1, z // d)  # x >= 0
    # taps first + m*step in [lo, hi]
    count = (hi - first) // step - (-((first - lo) // step)) + 1
    return np.where((z % g == 0) & (hi >= lo), np.maximum(count, 0), 0)


_INITS = {
    # name: the bound of the uniform, or the std of the normal, from fan_in
    "kaiming_normal": ("normal", lambda fan_in: math.sqrt(2 / fan_in)),
    "kaiming_uniform": ("uniform", lambda fan_in: math.sqrt(6 / fan_in)),
    "pytorch": ("uniform", lambda fan_in: 1 / math.sqrt(fan_in)),
}


def icnr(weight_or_shape, scale, init="kaiming_normal", seed=None):
    r"""ICNR: weights for a convolution feeding ``PixelShuffle(scale)`` that make the pair
    start as nearest-neighbour upsampling, free of checkerboard artefacts.

    A sub-pixel convolution computes :math:`C r^2` channels and ``PixelShuffle(r)``
    spreads each group of :math:`r^2` consecutive channels over the :math:`r \times r`
    pixels of one output channel. Initialised at random, the :math:`r^2` kernels of a
    group differ, and so do the pixels of every block: a periodic pattern. ICNR (Aitken
    et al.) draws one kernel per output channel and copies it to the :math:`r^2`
    channels of its group, so that every block starts constant.

    Parameters
    ----------
    weight_or_shape : tuple of int, numpy.ndarray or torch.Tensor
        The shape of the convolution's weight, ``(C·scale², in_channels, kh, kw)``, or a
        weight (numpy array, ``torch.Tensor``) whose shape is used; it is not modified.
    scale : int
        The factor of the ``PixelShuffle`` that follows, at least 1.
    init : str or callable, default "kaiming_normal"
        How the :math:`C` distinct kernels are drawn, with ``fan_in = in_channels · kh ·
        kw``: ``"kaiming_normal"`` (normal, std :math:`\sqrt{2/\mathrm{fan\_in}}`, He et
        al.; fastai's default for ICNR), ``"kaiming_uniform"`` (uniform in
        :math:`\pm\sqrt{6/\mathrm{fan\_in}}`), ``"pytorch"`` (uniform in
        :math:`\pm 1/\sqrt{\mathrm{fan\_in}}`, what ``torch.nn.Conv2d`` draws), or a
        function ``init(shape, rng)`` returning an array of ``shape`` from a
        ``numpy.random.Generator``.
    seed : None, int or numpy.random.Generator, optional
        Seed of the random numbers (``numpy.random.default_rng(seed)``).

    Returns
    -------
    numpy.ndarray
        The weight (float64), of the given shape, with ``weight[c·r² + i] ==
        weight[c·r²]`` for every ``i < r²``. Copy it into a layer with
        ``conv.weight.copy_(torch.from_numpy(w))`` under ``torch.no_grad()``.

    Raises
    ------
    TypeError
        If the shape is not a sequence of ints (or has no ``shape``), ``scale`` is not an
        int, ``init`` is neither a known name nor callable, or ``seed`` is not a seed.
    ValueError
        If the shape does not have 4 entries (PixelShuffle is two-dimensional), an entry
        is below 1, the output channels are not a multiple of ``scale²``, the weight would
        have more than 2**32 entries, or ``init`` is an unknown name or returns an array of
        another shape.

    See Also
    --------
    overlap_counts : The uneven coverage of a transposed convolution.
    subpixel_to_transposed : The transposed convolution a sub-pixel convolution equals.

    Notes
    -----
    With weights :math:`W_{c r^2 + i} = W'_c` for :math:`0 \le i < r^2` (and biases equal
    within each group, e.g. zero), the convolution's channels :math:`c r^2 + i` are all
    :math:`W'_c \star x`, and ``PixelShuffle`` puts them on the :math:`r \times r` block of
    every pixel:

    .. math::

        \operatorname{PS}_r(W \star x) = \operatorname{NN}_r(W' \star x),

    where :math:`\operatorname{NN}_r` is nearest-neighbour upsampling by :math:`r`. The
    layer starts as "convolve, then resize", the remedy of Odena et al., and training can
    move the :math:`r^2` kernels apart.

    References
    ----------
    .. [1] A. Aitken, C. Ledig, L. Theis, J. Caballero, Z. Wang and W. Shi,
       "Checkerboard artifact free sub-pixel convolution: A note on sub-pixel
       convolution, resize convolution and convolution resize", arXiv:1707.02937, 2017.
    .. [2] W. Shi et al., "Real-Time Single Image and Video Super-Resolution Using an
       Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016, arXiv:1609.05158.

    Examples
    --------
    >>> from convdocs import icnr
    >>> w = icnr((8, 3, 3, 3), scale=2, seed=0)  # 2 output channels after PixelShuffle(2)
    >>> w.shape
    (8, 3, 3, 3)
    >>> bool((w[0] == w[3]).all()), bool((w[3] == w[4]).all())  # groups of 4 equal kernels
    (True, False)
    """
    shape = _weight_shape(weight_or_shape)
    r = check_int("scale", scale)
    out = shape[0]
    if out % (r * r):
        msg = (
            f"the weight's output channels must be a multiple of scale² = {r * r} (one group "
            f"of scale² channels per channel after PixelShuffle), got shape {shape}"
        )
        raise ValueError(msg)
    check_entries("the weight", shape, f"weight_or_shape {shape}")
    draw = _initialiser(init)
    rng = _generator(seed)
    distinct = (out // (r * r), *shape[1:])
    kernels = np.asarray(draw(distinct, rng), dtype=np.float64)
    if kernels.shape != distinct:
        msg = f"init must return an array of shape {distinct}, got shape {kernels.shape}"
        raise ValueError(msg)
    return np.repeat(kernels, r * r, axis=0)


def _weight_shape(value) -> tuple:
    """The weight shape ``(out, in, kh, kw)`` of a shape or of an object with a shape."""
    shape = getattr(value, "shape", value)
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__"):
        msg = (
            "weight_or_shape must be a weight shape such as (12, 3, 3, 3) or an array with "
            f"one, got {_describe(value)}"
        )
        raise TypeError(msg)
    if len(shape) != 4:
        msg = (
            "weight_or_shape must be the 4-D shape of a Conv2d weight, (out_channels, "
            f"in_channels, kh, kw) (PixelShuffle is two-dimensional), got {tuple(shape)}"
        )
        raise ValueError(msg)
    if not all(_is_int(n) for n in shape):
        msg = f"weight_or_shape must hold ints, got {_describe(tuple(shape))}"
        raise TypeError(msg)
    return int_tuple("weight_or_shape", tuple(operator.index(n) for n in shape), 4)


def _initialiser(init):
    """``init`` as a function ``(shape, rng) -> array``."""
    if callable(init):
        return init
    if not isinstance(init, str):
        msg = f"init must be one of {sorted(_INITS)} or a function (shape, rng), got {_describe(init)}"
        raise TypeError(msg)
    if init not in _INITS:
        msg = f"init must be one of {sorted(_INITS)} or a function (shape, rng), got {init!r}"
        raise ValueError(msg)
    kind, scale_of = _INITS[init]

    def draw(shape, rng):
        spread = scale_of(math.prod(shape[1:]))
        if kind == "normal":
            return rng.normal(0.0, spread, shape)
        return rng.uniform(-spread, spread, shape)

    return draw


def _generator(seed):
    if seed is None or isinstance(seed, np.random.Generator) or _is_int(seed):
        try:
            return np.random.default_rng(seed)
        except ValueError as err:  # a negative seed
            msg = f"seed must be None, a non-negative int or a numpy Generator: {err}"
            raise ValueError(msg) from None
    msg = f"seed must be None, a non-negative int or a numpy Generator, got {_describe(seed)}"
    raise TypeError(msg)


def subpixel_to_transposed(weight, scale, padding=0):
    r"""The transposed convolution that equals a sub-pixel convolution.

    A stride-1 convolution with weight ``weight`` and ``padding``, followed by
    ``PixelShuffle(scale)``, computes exactly what a transposed convolution of stride
    ``scale`` computes with the kernel and padding returned here (Shi et al.,
    "Is the deconvolution layer the same as a convolutional layer?").

    Parameters
    ----------
    weight : array_like
        The convolution's weight, ``(C·scale², in_channels, kh, kw)`` (groups 1,
        dilation 1).
    scale : int
        The factor of the ``PixelShuffle``, at least 1.
    padding : int or pair of int, default 0
        The convolution's (symmetric) padding per axis, from 0 to ``kernel - 1``.

    Returns
    -------
    weight : numpy.ndarray
        The transposed convolution's weight, ``(in_channels, C, kh·scale, kw·scale)``, in
        ``torch.nn.ConvTranspose2d``'s layout.
    padding : tuple of int
        Its padding, ``((kh - 1 - p_h)·scale, (kw - 1 - p_w)·scale)``.

    Raises
    ------
    TypeError
        If ``weight`` is not numeric or ``scale`` and ``padding`` are not ints.
    ValueError
        If ``weight`` is not 4-D, its output channels are not a multiple of ``scale²``,
        or ``padding`` is larger than ``kernel - 1``.

    See Also
    --------
    icnr : Initialises the sub-pixel convolution without a checkerboard.
    convdocs.conv_transpose2d : Runs the transposed convolution.

    Notes
    -----
    The sub-pixel output at pixel :math:`(h r + \alpha, w r + \beta)` of channel :math:`c`
    is :math:`\sum w_{c r^2 + \alpha r + \beta,\, c',\, m,\, n}\;
    x_{c',\, h + m - p,\, w + n - p}`. A transposed convolution of stride :math:`r` sends
    input pixel :math:`u` through tap :math:`t` to output :math:`u r + t - p_t`; with
    :math:`u = h + m - p` and :math:`p_t = (k - 1 - p) r` this is :math:`h r + \alpha` for

    .. math::

        t = (k - 1 - m)\, r + \alpha, \qquad
        v_{c',\, c,\, (k-1-m) r + \alpha,\, (k-1-n) r + \beta}
        = w_{c r^2 + \alpha r + \beta,\, c',\, m,\, n} ,

    a kernel of :math:`k r` taps. Both outputs have :math:`r (i + 2p - k + 1)` pixels for
    :math:`i` input pixels.
    The converse holds for any transposed convolution of stride :math:`r` whose kernel
    is a multiple of :math:`r` (pad the kernel with zeros otherwise): it is a sub-pixel
    convolution of the input with :math:`r^2` small kernels.

    References
    ----------
    .. [1] W. Shi, J. Caballero, L. Theis, F. Huszar, A. Aitken, C. Ledig and Z. Wang,
       "Is the deconvolution layer the same as a convolutional layer?",
       arXiv:1609.07009, 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from convdocs import conv2d, conv_transpose2d, subpixel_to_transposed
    >>> w = np.arange(4.0).reshape(4, 1, 1, 1)  # 1x1 kernels, 4 channels, scale 2
    >>> v, p = subpixel_to_transposed(w, 2)
    >>> v[0, 0], p
    (array([[0., 1.],
           [2., 3.]]), (0, 0))
    >>> conv_transpose2d(np.ones((2, 2)), v[0, 0], stride=2)
    array([[0., 1., 0., 1.],
           [2., 3., 2., 3.],
           [0., 1., 0., 1.],
           [2., 3., 2., 3.]])
    """
    w = as_array("weight", weight)
    if w.dtype.kind not in "biuf":
        msg = f"weight must be a real numeric array, got dtype {w.dtype}"
        raise TypeError(msg)
    if w.ndim != 4:
        msg = f"weight must have 4 dimensions (out, in, kh, kw), got shape {w.shape}"
        raise ValueError(msg)
    r = check_int("scale", scale)
    out, cin, kh, kw = w.shape
    if out % (r * r) or not out or not cin:
        msg = (
            f"weight's output channels must be a positive multiple of scale² = {r * r}, "
            f"got shape {w.shape}"
        )
        raise ValueError(msg)
    pads = int_tuple("padding", padding, 2, minimum=0)
    for p, k in zip(pads, (kh, kw)):
        if p > k - 1:
            msg = (
                f"padding must be at most kernel - 1 = {k - 1} along each axis (the "
                f"transposed padding (k - 1 - p)·scale cannot be negative), got {padding!r}"
            )
            raise ValueError(msg)
    c = out // (r * r)
    flipped = w.reshape(c, r, r, cin, kh, kw)[..., ::-1, ::-1]
    # [c, i, j, c', a', b'] -> [c', c, a', i, b', j]: tap (a' r + i, b' r + j)
    v = flipped.transpose(3, 0, 4, 1, 5, 2).reshape(cin, c, kh * r, kw * r)
    return np.ascontiguousarray(v), tuple((k - 1 - p) * r for k, p in zip((kh, kw), pads))
