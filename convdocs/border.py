r"""Border effects: how much of each output unit's receptive field lies in the padding.

A unit's *theoretical* receptive field (:func:`convdocs.receptive_field`) is the
interval of input pixels it would depend on if the input went on for ever. Near the
border, and for a network whose field is larger than its input everywhere (ResNet-50's
427 pixels at 224), part of that interval lies outside the image: there the unit reads
the zeros that some layer padded in instead of pixels. :func:`padding_share` computes,
for every output unit, the share of its field that lies outside the image, by integer
arithmetic on the intervals: no layer runs, and the cost grows with the number of
output units only.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from convdocs import _field
from convdocs.receptive import receptive_field

__all__ = ["PaddingShare", "padding_share"]

# The most output units a share map is computed for: 4096x4096, 128 MiB per float64
# array (the map and a few temporaries of its size).
MAX_UNITS = 2**24


@dataclass(frozen=True, repr=False)
class PaddingShare:
    """The result of :func:`convdocs.padding_share`: per output unit, the share of its
    theoretical receptive field that lies in the padding.

    Made by :func:`convdocs.padding_share`; each parameter is an attribute of the
    same name.

    Parameters
    ----------
    share : numpy.ndarray of float
        Per output unit (an array of the output's spatial shape), the share of its
        theoretical receptive field, counted in pixels (a box of
        :math:`r_h \\times r_w` for 2-D), that lies outside the image. 0 for a unit
        that sees no padding; NaN for a unit that depends on no input pixel (a hole
        of a transposed convolution whose kernel is smaller than its stride).
    axes : tuple of numpy.ndarray
        The same share along each spatial dimension alone: ``axes[0][y]`` for the
        rows of output row ``y``.
    start, stop : tuple of numpy.ndarray of int
        Per spatial dimension, the theoretical field of each unit, half-open as in
        slicing (``start < 0`` or ``stop > input size`` reach into the padding); both 0
        for a unit with no field.
    input_size, output_size : tuple of int
        Spatial sizes of the input and of the output described.
    name : str
        The layer whose units are described (see
        :class:`convdocs.receptive.ReceptiveField`).

    Examples
    --------
    >>> from convdocs import padding_share
    >>> result = padding_share("conv3p1,conv3s2p1", (6, 8))
    >>> result
    PaddingShare(input_size=(6, 8), output_size=(3, 4), units seeing padding: 10 of 12, share 0.000 .. 0.640)
    >>> result.inside[1], result.sees_padding[1]
    (array([3, 5, 5, 4]), array([ True, False, False,  True]))
    """

    share: np.ndarray = field(compare=False)
    axes: tuple = field(compare=False)
    start: tuple = field(compare=False)
    stop: tuple = field(compare=False)
    input_size: tuple
    output_size: tuple
    name: str

    @property
    def inside(self) -> tuple:
        """Per spatial dimension, how many pixels of each unit's field lie in the image."""
        return tuple(
            np.clip(stop, 0, n) - np.clip(start, 0, n)
            for start, stop, n in zip(self.start, self.stop, self.input_size)
        )

    @property
    def sees_padding(self) -> np.ndarray:
        """Per output unit, True when some of its theoretical field lies in the padding."""
        return self.share > 0

    def __repr__(self) -> str:
        with np.errstate(invalid="ignore"):
            low, high = np.nanmin(self.share), np.nanmax(self.share)
        touched = int(self.sees_padding.sum())
        return (
            f"PaddingShare(input_size={self.input_size}, output_size={self.output_size}, "
            f"units seeing padding: {touched} of {self.share.size}, "
            f"share {low:.3f} .. {high:.3f})"
        )


def _check_reach(maps, counts):
    """Refuse pixel coordinates that numpy's int64 cannot hold (the map's are exact ints)."""
    for m, count in zip(maps, counts):
        ends = [abs(v) for v in (*m.lo, *m.hi) if v is not None] or [0]
        reach = max(ends) + (count // m.period + 1) * abs(m.step) + 1
        if reach >= 2**62:
            msg = (
                f"the fields of this network reach pixel {reach:,}: padding_share computes "
                "with 64-bit integers, up to 2**62"
            )
            raise ValueError(msg)


def _tuple(value):
    return value if isinstance(value, tuple) else (value,)


def padding_share(model, input_size):
    r"""Per output unit, the share of its theoretical receptive field in the padding.

    Parameters
    ----------
    model : sequence of layer specs, str, or torch.nn.Module
        The network, as for :func:`convdocs.receptive_field`: specs, a layer string
        such as ``"conv3p1,conv3s2p1"``, or a module (traced with ``torch.fx``; no
        layer runs).
    input_size : int or tuple of int
        Spatial size of the input, an int for every dimension or one per dimension.

    Returns
    -------
    convdocs.border.PaddingShare
        ``share``: an array of the output's spatial shape; ``axes``: the share along
        each dimension; ``start``, ``stop``: each unit's theoretical field.

    Raises
    ------
    TypeError
        If ``model`` or ``input_size`` is of the wrong type (as for
        :func:`convdocs.receptive_field`).
    ValueError
        If the network does not fit the input or its field cannot be computed (as for
        :func:`convdocs.receptive_field`), if branches with holes meet (the fields are
        then not boxes one axis at a time), or if the output has more than
        :math:`2^{24}` units (4096x4096).

    See Also
    --------
    receptive_field : The fields themselves; ``interval(u)`` is the field of one unit.
    empirical_receptive_field : Measures a field with autograd.

    Notes
    -----
    Unit :math:`u` along one dimension sees the theoretical interval of
    :math:`r_u` pixels from :math:`x_u` to :math:`x_u + r_u - 1` (for a stack of
    convolutions and poolings :math:`x_u = u\,j_L - P_L` and :math:`r_u = r_L`), of which

    .. math::

        n_u = \max\bigl(0, \min(x_u + r_u, i) - \max(x_u, 0)\bigr)

    lie in an input of :math:`i` pixels; the rest are the padding of some layer (a
    pixel outside the image can only reach the unit through a padded zero). In two
    dimensions the field is a box, so the share in the padding is

    .. math::

        \rho(u, v) = 1 - \frac{n^{(h)}_u\, n^{(w)}_v}{r^{(h)}_u\, r^{(w)}_v},

    and along one dimension alone :math:`1 - n_u / r_u`. This counts pixels of the
    theoretical field, each alike; it says nothing of how much each contributes,
    which depends on the weights (the *effective* receptive field is concentrated
    near the centre of the theoretical one).

    Examples
    --------
    Two 3x3 convolutions with padding 1 on a 6-pixel signal: the end units reach two
    pixels into the padding, their neighbours one.

    >>> from convdocs import padding_share
    >>> result = padding_share("conv3p1,conv3p1", 6)
    >>> result.start, result.stop
    ((array([-2, -1,  0,  1,  2,  3]),), (array([3, 4, 5, 6, 7, 8]),))
    >>> result.share
    array([0.4, 0.2, 0. , 0. , 0.2, 0.4])

    ResNet-50's output units at 224x224 each see a 427x427 field: at least 72% of
    every field, and 75% of the corner units', is padding.

    >>> from convdocs.models import resnet50
    >>> result = padding_share(resnet50(), 224)
    >>> result.output_size, result.share.shape
    ((7, 7), (7, 7))
    >>> print(result.share[[0, 3, 6]][:, [0, 3, 6]].round(3))
    [[0.749 0.737 0.737]
     [0.737 0.725 0.725]
     [0.737 0.725 0.725]]
    """
    if input_size is None:
        msg = "input_size is required: padding_share needs the image's extent"
        raise ValueError(msg)
    rf = receptive_field(model, input_size)
    sizes, out = _tuple(rf.input_size), _tuple(rf.output_size)
    units = math.prod(out)
    if units > MAX_UNITS:
        msg = (
            f"input_size {input_size} gives {rf.name!r} an output of {out} = {units:,} "
            f"units; padding_share maps at most {MAX_UNITS:,} (2**24); for one unit, "
            "use receptive_field(model, input_size).interval(unit)"
        )
        raise ValueError(msg)
    branches = rf._branches
    if len(branches) > 1:
        msg = (
            "padding_share needs fields that are boxes, one interval per axis; in this "
            "network branches with holes (a transposed convolution whose kernel is "
            "smaller than its stride, or a one-sided pad) meet other branches"
        )
        raise ValueError(msg)
    maps = _field.hull_maps(branches)
    _check_reach(maps, out)
    starts, stops, inside, widths = [], [], [], []
    for m, count, n in zip(maps, out, sizes):
        start, stop = m.intervals(count)
        starts.append(start)
        stops.append(stop)
        inside.append(np.clip(stop, 0, n) - np.clip(start, 0, n))
        widths.append(stop - start)
    with np.errstate(invalid="ignore", divide="ignore"):
        axes = tuple(1 - n_in / width for n_in, width in zip(inside, widths))
        share = 1 - _outer(inside) / _outer(widths)
    return PaddingShare(
        share=share,
        axes=axes,
        start=tuple(starts),
        stop=tuple(stops),
        input_size=sizes,
        output_size=out,
        name=rf.name,
    )


def _outer(vectors):
    """The outer product of one vector per axis, as floats (the box's pixel counts)."""
    return functools.reduce(np.multiply, np.ix_(*(v.astype(np.float64) for v in vectors)))
