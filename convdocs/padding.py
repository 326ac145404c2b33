r"""Padding: what the pixels outside an image contain, and what each library calls it.

:func:`convdocs.pad` wraps :func:`numpy.pad` for the last two axes of an image or batch;
:data:`convdocs.PADDING_MODES` says how numpy, PyTorch, OpenCV, scipy.ndimage and TensorFlow
name each mode (the same word means different things in different libraries), and
:func:`convdocs.canonical_mode` turns any accepted spelling into convdocs' name, or explains
the mistake.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from convdocs._text import aligned, column_widths, html_table
from convdocs._validate import _describe, _is_int, _pad_width2d, as_array, check_entries

__all__ = ["PADDING_MODES", "canonical_mode", "pad"]


@dataclass(frozen=True)
class PaddingMode:
    """One padding mode and the name each library gives it (``None``: it has none).

    Parameters
    ----------
    name : str
        The convdocs name of the mode, accepted by :func:`convdocs.pad` and ``conv2d``.
    aliases : tuple of str
        Other names :func:`convdocs.pad` accepts for it.
    pattern : str
        The mode on a row ``a b c d`` padded by 3 on each side (``|`` marks the
        borders of the input; letters are input pixels).
    numpy : str
        ``mode`` of :func:`numpy.pad`.
    torch_pad : str or None
        ``mode`` of ``torch.nn.functional.pad``.
    torch_conv : str or None
        ``padding_mode`` of ``torch.nn.Conv2d`` (and the other convolution layers).
    torch_layer : str or None
        The ``torch.nn`` padding layer.
    opencv : str or None
        The ``cv2`` border constant, for ``cv2.copyMakeBorder``, ``cv2.filter2D``...
    scipy : str or None
        ``mode`` of the ``scipy.ndimage`` filters (``correlate``, ``convolve``,
        ``uniform_filter``...).
    tensorflow : str or None
        ``mode`` of ``tf.pad`` (TensorFlow's convolutions pad with zeros only).

    Examples
    --------
    >>> from convdocs import PADDING_MODES
    >>> mode = PADDING_MODES["symmetric"]
    >>> mode.pattern, mode.numpy, mode.torch_pad, mode.opencv, mode.tensorflow
    ('c b a | a b c d | d c b', 'symmetric', None, 'BORDER_REFLECT', 'SYMMETRIC')
    """

    name: str
    aliases: tuple[str, ...]
    pattern: str
    numpy: str
    torch_pad: str | None
    torch_conv: str | None
    torch_layer: str | None
    opencv: str | None
    scipy: str | None
    tensorflow: str | None


# Column headers of PaddingModeTable.as_rows, by field of PaddingMode.
_HEADERS = {
    "name": "convdocs",
    "aliases": "aliases",
    "pattern": "pattern (pad 3)",
    "numpy": "numpy.pad",
    "torch_pad": "F.pad",
    "torch_conv": "Conv2d padding_mode",
    "torch_layer": "torch.nn layer",
    "opencv": "OpenCV (cv2.)",
    "scipy": "scipy.ndimage",
    "tensorflow": "tf.pad",
}


@dataclass(frozen=True, repr=False)
class PaddingModeTable:
    """How numpy, PyTorch, OpenCV, scipy.ndimage and TensorFlow name each padding mode.

    ``PADDING_MODES`` is the one instance: five rows (``zeros``, ``reflect``,
    ``replicate``, ``symmetric``, ``circular``), each a frozen ``PaddingMode`` with the
    fields ``name`` (convdocs' name), ``aliases`` (other names :func:`convdocs.pad`
    accepts), ``pattern`` (the mode on the row ``a b c d`` padded by 3), ``numpy``
    (``numpy.pad``), ``torch_pad`` (``torch.nn.functional.pad``), ``torch_conv``
    (``torch.nn.Conv2d(padding_mode=...)``), ``torch_layer`` (the ``torch.nn`` padding
    layer), ``opencv`` (the ``cv2.BORDER_*`` constant), ``scipy`` (the ``mode`` of the
    ``scipy.ndimage`` filters) and ``tensorflow`` (``tf.pad``); ``None`` where a library
    lacks the mode. Every entry for numpy, PyTorch, OpenCV and scipy is checked pixel
    for pixel by convdocs' tests.

    Iterate over it for the rows; index it by any name :func:`convdocs.pad` accepts
    (``PADDING_MODES["edge"]`` is the ``replicate`` row); ``as_rows(columns=None, *,
    header=True, missing="—")`` returns a header row and one row per mode as tuples of
    strings, for a table; ``print(PADDING_MODES)`` shows the table as text, and Jupyter
    and sphinx-gallery render it as HTML.

    See Also
    --------
    convdocs.pad : Pads an array in one of these modes.
    convdocs.canonical_mode : Turns a name into convdocs' name, or explains it.

    Examples
    --------
    >>> from convdocs import PADDING_MODES
    >>> PADDING_MODES["edge"].opencv, PADDING_MODES["reflect"].scipy
    ('BORDER_REPLICATE', 'mirror')
    >>> [mode.name for mode in PADDING_MODES if mode.torch_pad is None]
    ['symmetric']
    >>> PADDING_MODES["symmetric"].pattern
    'c b a | a b c d | d c b'
    """

    modes: tuple[PaddingMode, ...]

    def __iter__(self):
        return iter(self.modes)

    def __len__(self) -> int:
        return len(self.modes)

    def __getitem__(self, name: str) -> PaddingMode:
        if not isinstance(name, str):
            msg = (
                f"PADDING_MODES is indexed by mode name, e.g. PADDING_MODES['reflect'], "
                f"got {_describe(name)}; iterate over it for the rows"
            )
            raise TypeError(msg)
        canonical = canonical_mode(name)
        return next(mode for mode in self.modes if mode.name == canonical)

    def __contains__(self, name) -> bool:
        if isinstance(name, PaddingMode):
            return name in self.modes
        try:
            canonical_mode(name)
        except (TypeError, ValueError):
            return False
        return True

    def as_rows(self, columns=None, *, header=True, missing="—") -> list[tuple[str, ...]]:
        """Return rows of strings for a table: a header row, then one row per mode.

        Parameters
        ----------
        columns : sequence of str, optional
            Field names of ``PaddingMode`` to include, in order; all by default.
        header : bool, default True
            Start with a row of column headers.
        missing : str, default "—"
            Shown where a library lacks the mode.

        Returns
        -------
        list of tuple of str
            One tuple per row, one string per column.

        Examples
        --------
        >>> from convdocs import PADDING_MODES
        >>> for name, opencv, scipy in PADDING_MODES.as_rows(["name", "opencv", "scipy"]):
        ...     print(f"{name:10} {opencv:19} {scipy}")
        convdocs   OpenCV (cv2.)       scipy.ndimage
        zeros      BORDER_CONSTANT     constant
        reflect    BORDER_REFLECT_101  mirror
        replicate  BORDER_REPLICATE    nearest
        symmetric  BORDER_REFLECT      reflect
        circular   BORDER_WRAP         wrap
        """
        names = [f.name for f in fields(PaddingMode)] if columns is None else list(columns)
        unknown = [c for c in names if c not in _HEADERS]
        if unknown:
            msg = f"columns must be fields of PaddingMode {tuple(_HEADERS)}, got {unknown}"
            raise ValueError(msg)

        def cell(value) -> str:
            if value is None:
                return missing
            return ", ".join(value) if isinstance(value, tuple) else value

        rows = [tuple(cell(getattr(mode, c)) for c in names) for mode in self.modes]
        return [tuple(_HEADERS[c] for c in names), *rows] if header else rows

    def __str__(self) -> str:
        rows = self.as_rows()
        lines = aligned(rows)
        lines.insert(1, "  ".join("-" * w for w in column_widths(rows)))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"PaddingModeTable({', '.join(mode.name for mode in self.modes)})"

    def _repr_html_(self) -> str:
        head, *body = self.as_rows()
        return html_table(head, body)


# The table; documented by PaddingModeTable's docstring (what help(PADDING_MODES) shows).
PADDING_MODES = PaddingModeTable(
    (
        PaddingMode(
            name="zeros",
            aliases=("constant",),
            pattern="0 0 0 | a b c d | 0 0 0",
            numpy="constant",
            torch_pad="constant",
            torch_conv="zeros",
            torch_layer="ZeroPad2d",
            opencv="BORDER_CONSTANT",
            scipy="constant",
            tensorflow="CONSTANT",
        ),
        PaddingMode(
            name="reflect",
            aliases=(),
            pattern="d c b | a b c d | c b a",
            numpy="reflect",
            torch_pad="reflect",
            torch_conv="reflect",
            torch_layer="ReflectionPad2d",
            opencv="BORDER_REFLECT_101",
            scipy="mirror",
            tensorflow="REFLECT",
        ),
        PaddingMode(
            name="replicate",
            aliases=("edge",),
            pattern="a a a | a b c d | d d d",
            numpy="edge",
            torch_pad="replicate",
            torch_conv="replicate",
            torch_layer="ReplicationPad2d",
            opencv="BORDER_REPLICATE",
            scipy="nearest",
            tensorflow=None,
        ),
        PaddingMode(
            name="symmetric",
            aliases=(),
            pattern="c b a | a b c d | d c b",
            numpy="symmetric",
            torch_pad=None,
            torch_conv=None,
            torch_layer=None,
            opencv="BORDER_REFLECT",
            scipy="reflect",
            tensorflow="SYMMETRIC",
        ),
        PaddingMode(
            name="circular",
            aliases=("wrap",),
            pattern="b c d | a b c d | a b c",
            numpy="wrap",
            torch_pad="circular",
            torch_conv="circular",
            torch_layer="CircularPad2d",
            opencv="BORDER_WRAP",
            scipy="wrap",
            tensorflow=None,
        ),
    )
)

_MODES = {mode.name: mode for mode in PADDING_MODES}
_ACCEPTED = {alias: mode.name for mode in PADDING_MODES for alias in (mode.name, *mode.aliases)}
_ALLOWED = (
    f"{', '.join(repr(m) for m in _MODES)} (or the aliases "
    f"{', '.join(repr(a) for m in PADDING_MODES for a in m.aliases)})"
)

# Other libraries' names that are not ours, lower-cased: (convdocs name, whose name it is).
_FOREIGN = {
    "border_constant": ("zeros", "OpenCV's cv2.BORDER_CONSTANT"),
    "grid-constant": ("zeros", "scipy.ndimage's 'grid-constant'"),
    "zero": ("zeros", None),
    "border_reflect_101": ("reflect", "OpenCV's cv2.BORDER_REFLECT_101"),
    "border_reflect101": ("reflect", "OpenCV's cv2.BORDER_REFLECT101"),
    "border_default": ("reflect", "OpenCV's cv2.BORDER_DEFAULT (= BORDER_REFLECT_101)"),
    "reflect_101": ("reflect", "OpenCV's reflect-101"),
    "reflect101": ("reflect", "OpenCV's reflect-101"),
    "mirror": ("reflect", "scipy.ndimage's 'mirror'"),
    "reflection": ("reflect", "PyTorch's ReflectionPad2d"),
    "whole-symmetric": ("reflect", "whole-sample symmetric extension"),
    "border_reflect": ("symmetric", "OpenCV's cv2.BORDER_REFLECT"),
    "grid-mirror": ("symmetric", "scipy.ndimage's 'grid-mirror' (= its 'reflect')"),
    "half-symmetric": ("symmetric", "half-sample symmetric extension"),
    "half_symmetric": ("symmetric", "half-sample symmetric extension"),
    "border_replicate": ("replicate", "OpenCV's cv2.BORDER_REPLICATE"),
    "nearest": ("replicate", "scipy.ndimage's 'nearest'"),
    "replication": ("replicate", "PyTorch's ReplicationPad2d"),
    "clamp": ("replicate", None),
    "border_wrap": ("circular", "OpenCV's cv2.BORDER_WRAP"),
    "grid-wrap": ("circular", "scipy.ndimage's 'grid-wrap'"),
    "periodic": ("circular", None),
}
# cv2 border constants (checked against the installed OpenCV by the tests).
_OPENCV_INTS = {
    0: ("BORDER_CONSTANT", "zeros"),
    1: ("BORDER_REPLICATE", "replicate"),
    2: ("BORDER_REFLECT", "symmetric"),
    3: ("BORDER_WRAP", "circular"),
    4: ("BORDER_REFLECT_101", "reflect"),
}
_NUMPY_ONLY = ("linear_ramp", "maximum", "mean", "median", "minimum", "empty")


def canonical_mode(mode) -> str:
    """Return convdocs' name for a padding mode given by any accepted name.

    Parameters
    ----------
    mode : str
        ``"zeros"``, ``"reflect"``, ``"replicate"``, ``"symmetric"`` or
        ``"circular"``, or one of the aliases ``"constant"``, ``"edge"``, ``"wrap"``
        (numpy's names). Case does not matter.

    Returns
    -------
    str
        One of ``"zeros"``, ``"reflect"``, ``"replicate"``, ``"symmetric"``,
        ``"circular"``.

    Raises
    ------
    ValueError
        If ``mode`` is not an accepted name. When it is another library's name (an
        OpenCV ``BORDER_*`` name, scipy.ndimage's ``"mirror"`` or ``"nearest"``...)
        the message says which convdocs mode it means; ``"same"`` and ``"valid"`` are
        padding *amounts*, not modes.
    TypeError
        If ``mode`` is not a string; for an OpenCV border constant (an int such as
        ``cv2.BORDER_REFLECT_101``) the message names the string to use.

    See Also
    --------
    pad : Pads an array in one of these modes.
    PADDING_MODES : Each mode's name in numpy, PyTorch, OpenCV, scipy and TensorFlow.

    Notes
    -----
    Only names that mean the same thing everywhere they appear are accepted. Names
    that mean different things in different libraries are refused with an explanation,
    except ``"reflect"``, which here (as in numpy, PyTorch and TensorFlow) excludes the
    edge pixel: scipy.ndimage's ``"reflect"`` is ``"symmetric"`` here.

    Examples
    --------
    >>> from convdocs import canonical_mode
    >>> canonical_mode("edge"), canonical_mode("wrap"), canonical_mode("Reflect")
    ('replicate', 'circular', 'reflect')
    >>> canonical_mode("BORDER_REFLECT")
    Traceback (most recent call last):
    ...
    ValueError: mode 'BORDER_REFLECT' is OpenCV's cv2.BORDER_REFLECT, ... use mode='symmetric'...
    """
    if not isinstance(mode, str):
        msg = f"mode must be a str such as 'reflect', got {_describe(mode)}"
        if _is_int(mode) and int(mode) in _OPENCV_INTS:
            border, name = _OPENCV_INTS[int(mode)]
            also = " (= cv2.BORDER_DEFAULT)" if border == "BORDER_REFLECT_101" else ""
            msg += (
                f": {mode} is cv2.{border}{also}, which convdocs calls {name!r} "
                f"({_MODES[name].pattern}); use mode={name!r}"
            )
        raise TypeError(msg)
    key = mode.lower()
    if key in _ACCEPTED:
        return _ACCEPTED[key]
    if key in _FOREIGN:
        name, whose = _FOREIGN[key]
        what = f"is {whose}, which convdocs calls" if whose else "means"
        hint = f"{what} {name!r} ({_MODES[name].pattern}): use mode={name!r}"
    elif key in ("same", "valid", "full"):
        hint = (
            "is an amount of padding (how many pixels), not a mode (what they contain); "
            "pass it as conv2d's padding, or get the numbers from convdocs.same_padding"
        )
    elif key in _NUMPY_ONLY:
        hint = "is a numpy.pad mode that no convolution library uses; call numpy.pad"
    elif key in ("border_transparent", "border_isolated"):
        hint = "is an OpenCV flag with no convdocs equivalent"
    else:
        hint = "is not a padding mode"
    msg = f"mode {mode!r} {hint}. Allowed: {_ALLOWED}"
    raise ValueError(msg)


def pad(x, pad, mode="zeros", value=0.0):
    r"""Pad the last two axes (height and width) of an array, as a convolution does.

    A thin wrapper of :func:`numpy.pad` with the modes convolution libraries use,
    under names that do not depend on the library you come from (see Notes).

    Parameters
    ----------
    x : array_like
        Array of shape ``(..., H, W)``, at least two-dimensional: an image, a stack of
        channels ``(C, H, W)`` or a batch ``(N, C, H, W)``. Leading axes are not
        padded.
    pad : int or tuple
        Pixels to add, as in :func:`numpy.pad`: an int for every side; a
        ``(before, after)`` pair for both axes (``(0, 1)`` adds one row at the bottom
        and one column on the right, *not* one pixel per axis as ``conv2d``'s
        ``padding=(0, 1)`` would); or a pair per axis. Non-negative ints.
    mode : str, default "zeros"
        What the new pixels contain (the pattern on the row ``a b c d``, padded by 3):

        - ``"zeros"`` (alias ``"constant"``): ``value``; ``0 0 0 | a b c d | 0 0 0``
        - ``"reflect"``: mirror without repeating the edge;
          ``d c b | a b c d | c b a``
        - ``"replicate"`` (alias ``"edge"``): the edge pixel;
          ``a a a | a b c d | d d d``
        - ``"symmetric"``: mirror including the edge; ``c b a | a b c d | d c b``
        - ``"circular"`` (alias ``"wrap"``): the other side, as if the image tiled
          the plane; ``b c d | a b c d | a b c``
    value : scalar, default 0.0
        Fill value of ``"zeros"`` mode; other modes copy pixels and take none. It must
        be representable in ``x``'s dtype (no 300 or -1 for uint8, no 0.5 for ints).

    Returns
    -------
    numpy.ndarray
        A new array of shape ``(..., top + H + bottom, left + W + right)`` with the
        dtype of ``x``: padding copies pixels and computes nothing, so a uint8 image
        stays uint8 (unlike ``conv2d``, which computes in floating point).

    Raises
    ------
    TypeError
        If ``pad`` is not made of ints (bools and floats such as ``1.0`` included),
        ``mode`` is not a string, ``value`` is not a real number, or ``x`` is not
        numeric or is a masked array (whose mask numpy.pad would drop).
    ValueError
        If ``pad`` is negative or malformed, ``mode`` is unknown (another library's
        name is translated in the message: see :func:`convdocs.canonical_mode`), ``value`` is
        given with a mode other than ``"zeros"`` or does not fit ``x``'s dtype, ``x``
        has fewer than two dimensions or is ragged, an empty axis would be padded by
        copying, or the result would have more than 2**32 entries (checked before
        allocating).

    See Also
    --------
    canonical_mode : The mode names, and what other libraries call them.
    PADDING_MODES : The cross-library table of mode names.
    numpy.pad : The function this wraps.
    same_padding : How *much* to pad for TensorFlow's ``'SAME'`` rule.

    Notes
    -----
    **The same word means different things.** The one table to remember:

    =========  =========  ================  ==================  =============  =========
    convdocs   numpy.pad  PyTorch           OpenCV              scipy.ndimage  tf.pad
    =========  =========  ================  ==================  =============  =========
    zeros      constant   constant / zeros  BORDER_CONSTANT     constant       CONSTANT
    reflect    reflect    reflect           BORDER_REFLECT_101  mirror         REFLECT
    replicate  edge       replicate         BORDER_REPLICATE    nearest        —
    symmetric  symmetric  —                 BORDER_REFLECT      reflect        SYMMETRIC
    circular   wrap       circular          BORDER_WRAP         wrap           —
    =========  =========  ================  ==================  =============  =========

    (PyTorch: ``F.pad`` says ``"constant"``, ``nn.Conv2d(padding_mode=)`` says
    ``"zeros"``.) OpenCV's ``BORDER_REFLECT`` and scipy.ndimage's ``"reflect"``
    repeat the edge pixel: they are numpy's ``"symmetric"``, *not* numpy's or
    PyTorch's ``"reflect"``, which is OpenCV's ``BORDER_REFLECT_101`` (also
    ``BORDER_DEFAULT``, the default border of ``cv2.filter2D`` and ``cv2.GaussianBlur``)
    and scipy's ``"mirror"``. So ``"reflect"`` ported from scipy or ``BORDER_REFLECT``
    ported from OpenCV to PyTorch silently shifts every border pixel by one.
    :data:`convdocs.PADDING_MODES` has the full table, including the PyTorch layers.

    **Pads wider than the image.** For an input of size :math:`n`, padded pixel
    :math:`i` (:math:`i < 0` before the input, :math:`i \ge n` after it) copies input
    pixel :math:`j`, with :math:`\bmod` the non-negative remainder:

    .. math::

        \text{replicate: } j &= \min(\max(i, 0),\ n - 1) \\
        \text{circular: } j &= i \bmod n \\
        \text{symmetric: } j &= \min(r,\ 2n - 1 - r), \quad r = i \bmod 2n \\
        \text{reflect: } j &= \min(r,\ 2n - 2 - r), \quad r = i \bmod (2n - 2)

    (reflect with :math:`n = 1` copies the only pixel). Reflection and wrapping thus
    repeat periodically when the pad exceeds the image; numpy, OpenCV and
    scipy.ndimage all do this. PyTorch refuses: ``"reflect"`` needs pads smaller than
    the input size, ``"circular"`` at most the input size. TensorFlow documents the
    same limits for ``REFLECT`` and ``SYMMETRIC`` (at most :math:`n - 1` and
    :math:`n`).

    **Fill values.** Libraries disagree on a ``value`` that does not fit the dtype: on
    a uint8 image, ``numpy.pad`` stores 300 as 44 and -1 as 255 (wrap-around), OpenCV
    stores 255 and 0 (saturation) and rounds 1.6 to 2, PyTorch refuses 300 but
    truncates 1.6 to 1. convdocs refuses all of these.

    Examples
    --------
    >>> import numpy as np
    >>> from convdocs import pad
    >>> row = np.array([[1, 2, 3, 4]])
    >>> for mode in ["zeros", "reflect", "replicate", "symmetric", "circular"]:
    ...     print(f"{mode:9}", pad(row, ((0, 0), (3, 3)), mode=mode))
    zeros     [[0 0 0 1 2 3 4 0 0 0]]
    reflect   [[4 3 2 1 2 3 4 3 2 1]]
    replicate [[1 1 1 1 2 3 4 4 4 4]]
    symmetric [[3 2 1 1 2 3 4 4 3 2]]
    circular  [[2 3 4 1 2 3 4 1 2 3]]

    A 3x3 image padded by one pixel on each side:

    >>> x = np.arange(1, 10).reshape(3, 3)
    >>> pad(x, 1, mode="reflect")
    array([[5, 4, 5, 6, 5],
           [2, 1, 2, 3, 2],
           [5, 4, 5, 6, 5],
           [8, 7, 8, 9, 8],
           [5, 4, 5, 6, 5]])
    >>> pad(x, ((0, 1), (2, 0)), mode="constant", value=-1)
    array([[-1, -1,  1,  2,  3],
           [-1, -1,  4,  5,  6],
           [-1, -1,  7,  8,  9],
           [-1, -1, -1, -1, -1]])

    Batches keep their leading axes, and every array keeps its dtype:

    >>> batch = np.zeros((8, 3, 32, 32), dtype=np.uint8)
    >>> padded = pad(batch, 2, mode="replicate")
    >>> padded.shape, padded.dtype
    ((8, 3, 36, 36), dtype('uint8'))
    """
    name = canonical_mode(mode)
    (top, bottom), (left, right) = widths = _pad_width2d("pad", pad)
    array = as_array("x", x)
    if array.dtype.kind not in "biufc":
        msg = f"x must be a numeric array, got dtype {array.dtype}"
        raise TypeError(msg)
    if array.ndim < 2:
        msg = f"x must have at least 2 dimensions (..., H, W), got shape {array.shape}"
        raise ValueError(msg)
    fill = _fill_value(value, name, array.dtype)
    for axis, size, (before, after) in zip(("height", "width"), array.shape[-2:], widths):
        if name != "zeros" and size == 0 and before + after:
            msg = (
                f"x has shape {array.shape}: its {axis} is 0, so mode {name!r} has no "
                f"pixels to copy; only mode='zeros' can pad an empty axis"
            )
            raise ValueError(msg)
    height, width = array.shape[-2:]
    padded = (*array.shape[:-2], top + height + bottom, left + width + right)
    check_entries("the result", padded, f"pad {widths} on x of shape {array.shape}")
    pad_width = ((0, 0),) * (array.ndim - 2) + ((top, bottom), (left, right))
    if name == "zeros":
        return np.pad(array, pad_width, mode="constant", constant_values=fill)
    return np.pad(array, pad_width, mode=_MODES[name].numpy)


def _fill_value(value, mode: str, dtype: np.dtype):
    """Check ``value`` (a real scalar; non-zero only in zeros mode; fits ``dtype``)."""
    if type(value) is int:  # any size: np.asarray(10**30) would be an object array
        number = value
    else:
        scalar = np.asarray(value) if not isinstance(value, (str, bytes)) else None
        if scalar is None or scalar.ndim != 0 or scalar.dtype.kind not in "biuf":
            msg = f"value must be a real number, got {_describe(value)}"
            raise TypeError(msg)
        number = scalar.item()
    if mode != "zeros":
        if number != 0 or math.isnan(number):
            msg = (
                f"value={number!r} is the fill value of mode='zeros'; mode={mode!r} copies "
                f"pixels of x and takes no value"
            )
            raise ValueError(msg)
        return 0
    if dtype.kind in "biu":
        info = (0, 1) if dtype.kind == "b" else (np.iinfo(dtype).min, np.iinfo(dtype).max)
        integral = not isinstance(number, float) or number.is_integer()
        if not (integral and info[0] <= number <= info[1]):
            kind = "booleans" if dtype.kind == "b" else "integers"
            msg = (
                f"value={number!r} cannot be stored in x's dtype {dtype} ({kind} from "
                f"{info[0]} to {info[1]}) without changing it; convert x first, e.g. "
                f"x.astype(float)"
            )
            raise ValueError(msg)
        return number
    try:
        with np.errstate(over="ignore"):
            stored = np.asarray(float(number)).astype(dtype)
    except OverflowError:  # an int beyond every float
        stored = np.asarray(np.inf)
    finite = not isinstance(number, float) or math.isfinite(number)  # ints are finite
    if finite and not np.isfinite(stored):
        msg = (
            f"value={number!r} overflows x's dtype {dtype} (largest finite value "
            f"{np.finfo(dtype).max}); convert x first, e.g. x.astype(np.float64)"
        )
        raise ValueError(msg)
    return number
