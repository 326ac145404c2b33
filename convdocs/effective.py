r"""Effective receptive fields: where, inside its receptive field, a unit really looks.

The receptive field of :func:`convdocs.receptive_field` is the set of input pixels a unit
*can* depend on; it follows from the geometry of the layers alone. Luo, Li, Urtasun and
Zemel (2016) measure instead how *much* each pixel moves the unit, the magnitude of the
gradient of the unit with respect to the input, averaged over random inputs and random
weights: the *effective* receptive field. Its mass gathers near the centre in a roughly
Gaussian bump whose width grows like the square root of the depth, while the field
itself grows linearly. :func:`effective_receptive_field` measures it with autograd on a
copy of the model; the model passed in is never changed.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np

from convdocs._validate import _describe, check_bool, check_int, int_tuple
from convdocs.receptive import (
    _count_calls,
    _hooked_output,
    _measurable,
    _measured_unit,
    receptive_field,
)

__all__ = ["MAX_INPUT_ENTRIES", "MAX_SAMPLES", "EffectiveField", "effective_receptive_field"]

MAX_INPUT_ENTRIES = 2**22
"""The largest input (channels times pixels) :func:`effective_receptive_field` runs a model on.

4,194,304 entries: a 2048x2048 one-channel image, or a 1182x1182 colour one. Autograd keeps
every activation of the model for the backward pass, many times the input's size, so
larger inputs are refused before anything is allocated.
"""

MAX_SAMPLES = 10_000
"""The most forward and backward passes :func:`effective_receptive_field` averages."""


@dataclass(frozen=True, repr=False)
class EffectiveField:
    """The result of :func:`convdocs.effective_receptive_field`.

    Built by that function; the parameters are its fields, read back as attributes.

    Parameters
    ----------
    map : numpy.ndarray
        The effective receptive field, of the input's spatial shape (float64): the
        magnitude of the gradient of the unit with respect to each input pixel, summed
        over the input channels and averaged over the samples. Not normalised.
    unit : int or tuple of int
        The output unit measured (an int for one-dimensional layer specs).
    layer : str or None
        The submodule whose output the unit belongs to; None for the model's output.
    theoretical : tuple or None
        The unit's theoretical receptive field from :func:`convdocs.receptive_field`:
        ``(start, stop)`` per dimension, half-open, possibly reaching into the padding
        (before 0 or past the input). It depends on the layers' geometry only, not on
        the weights. None for a ``layer`` the table of :func:`convdocs.receptive_field`
        has no row of its own for (a container such as ``"layer2"``, an activation),
        or whose field differs between units.
    samples : int
        How many random inputs (and weights) were averaged.
    seed : int
        The seed of the random numbers.

    Examples
    --------
    A map of four equal pixels: the centre lies between the middle two, half the mass
    within half a pixel of it, all of it within one and a half.

    >>> import numpy as np
    >>> from convdocs.effective import EffectiveField
    >>> flat = EffectiveField(np.ones(4), 0, None, (0, 4), samples=1, seed=0)
    >>> flat.center, flat.variance, flat.radius(0.5), flat.radius(1.0), flat.area(0.5)
    (1.5, 1.25, 0.5, 1.5, 2)
    """

    map: np.ndarray = field(compare=False)
    unit: object
    layer: str | None
    theoretical: object
    samples: int
    seed: int

    @property
    def _scalar(self) -> bool:
        return isinstance(self.unit, int)

    def _one(self, values):
        return values[0] if self._scalar else tuple(values)

    @property
    def theoretical_size(self):
        """Pixels per dimension of the theoretical field (``stop - start``), or None."""
        if self.theoretical is None:
            return None
        pairs = [self.theoretical] if self._scalar else self.theoretical
        return self._one([stop - start for start, stop in pairs])

    def _weights(self) -> np.ndarray:
        total = self.map.sum()
        if not total > 0:
            msg = "the effective field is zero everywhere: the unit depends on no input pixel"
            raise ValueError(msg)
        return self.map / total

    def _moments(self):
        weights = self._weights()
        means, variances = [], []
        for axis in range(weights.ndim):
            others = tuple(a for a in range(weights.ndim) if a != axis)
            marginal = weights.sum(axis=others)
            index = np.arange(marginal.size, dtype=np.float64)
            mean = float(marginal @ index)
            means.append(mean)
            variances.append(float(marginal @ (index - mean) ** 2))
        return means, variances

    @property
    def center(self):
        """The centre of mass of the map, per dimension, in input pixel indices."""
        return self._one(self._moments()[0])

    @property
    def variance(self):
        """The variance of the map about its centre, per dimension, in pixels squared.

        The map is read as a distribution of mass over the pixels: for a stack of
        :math:`L` averaging :math:`k \\times k` convolutions it is
        :math:`L (k^2 - 1) / 12` along each axis.
        """
        return self._one(self._moments()[1])

    @property
    def std(self):
        """The standard deviation of the map, per dimension: ``sqrt(variance)``."""
        return self._one([math.sqrt(v) for v in self._moments()[1]])

    def radius(self, share=0.95) -> float:
        r"""The radius of the smallest disc about the centre holding ``share`` of the mass.

        Parameters
        ----------
        share : float, default 0.95
            The share of the map's total mass, in (0, 1].

        Returns
        -------
        float
            The distance, in pixels, from :attr:`center` to the farthest pixel the disc
            must include (in one dimension, the half-width of an interval).

        Raises
        ------
        TypeError, ValueError
            If ``share`` is not a number in (0, 1]; ValueError if the map is zero.

        Notes
        -----
        For a two-dimensional Gaussian of standard deviation :math:`\sigma` per axis the
        disc holding a share :math:`q` has radius :math:`\sigma\sqrt{-2\ln(1 - q)}`,
        :math:`2.45\,\sigma` for :math:`q = 0.95`.
        """
        share = _check_share(share)
        weights = self._weights()
        grids = np.meshgrid(*(np.arange(n) for n in weights.shape), indexing="ij")
        centre = self._moments()[0]
        distance = np.sqrt(sum((g - c) ** 2 for g, c in zip(grids, centre))).ravel()
        order = np.argsort(distance, kind="stable")
        held = np.cumsum(weights.ravel()[order])
        return float(distance[order][_first_reaching(held, share)])

    def area(self, share=0.95) -> int:
        """The fewest pixels that hold ``share`` of the mass (the largest values first).

        Parameters
        ----------
        share : float, default 0.95
            The share of the map's total mass, in (0, 1].

        Returns
        -------
        int
            A number of pixels; its square root is a side length comparable with the
            theoretical field's size.

        Raises
        ------
        TypeError, ValueError
            If ``share`` is not a number in (0, 1]; ValueError if the map is zero.
        """
        share = _check_share(share)
        values = np.sort(self._weights().ravel())[::-1]
        return int(_first_reaching(np.cumsum(values), share)) + 1

    def __repr__(self) -> str:
        where = "" if self.layer is None else f", layer={self.layer!r}"
        return (
            f"EffectiveField(unit={self.unit}{where}, theoretical={self.theoretical}, "
            f"map shape={self.map.shape}, samples={self.samples}, seed={self.seed})"
        )


def _check_share(share) -> float:
    if isinstance(share, bool) or not isinstance(share, (int, float, np.integer, np.floating)):
        msg = f"share must be a number in (0, 1], got {_describe(share)}"
        raise TypeError(msg)
    if not 0 < share <= 1:  # also refuses nan
        msg = f"share must be in (0, 1], got {share!r}"
        raise ValueError(msg)
    return float(share)


def _first_reaching(cumulative, share) -> int:
    """Index of the first cumulative share that reaches ``share`` (rounding forgiven)."""
    return min(int(np.searchsorted(cumulative, share * (1 - 1e-12))), cumulative.size - 1)


def effective_receptive_field(
    model,
    input_size,
    unit=None,
    *,
    layer=None,
    channel=None,
    samples=16,
    seed=0,
    reinitialize=True,
):
    r"""Measure the effective receptive field of one unit: how much each input pixel moves it.

    Parameters
    ----------
    model : torch.nn.Module, sequence of layer specs, or str
        The network. Specs and layer strings are built, as in
        :func:`convdocs.empirical_receptive_field`, as a one-channel
        ``torch.nn.Sequential`` of the matching PyTorch layers. It is copied: its
        weights, modes and the caller's random state are left as they were.
    input_size : int or tuple of int
        Spatial size of the input.
    unit : int or tuple of int, optional
        The output unit, one index per spatial dimension. Default: the centre unit,
        ``(n - 1) // 2`` along each dimension.
    layer : str, optional
        Measure a unit of this submodule's output (its last call) instead of the
        model's. Default: the model's output or, for a classifier, the last spatial
        layer :func:`convdocs.receptive_field` describes (``"layer4.2.relu"`` for a
        ResNet).
    channel : int, optional
        Measure this output channel only. Default: the sum of the unit's channels.
    samples : int, default 16
        How many random inputs (standard normal) to average, each with freshly drawn
        weights when ``reinitialize`` is True; at most 10,000.
    seed : int, default 0
        Seed of the inputs and weights: the same seed gives the same map.
    reinitialize : bool, default True
        Give every sample new random weights at the model's own scale: each parameter
        tensor is redrawn from a normal distribution with mean 0 and that tensor's
        standard deviation (a tensor of equal values, such as batch norm's initial
        weights and biases, is kept). False: keep the model's weights and average over
        random inputs only.

    Returns
    -------
    convdocs.effective.EffectiveField
        ``map``, the averaged gradient magnitudes, of the input's spatial shape;
        ``radius(share)`` and ``area(share)``, the disc and the pixels that hold a
        share of its mass; ``variance`` and ``std`` per axis; and ``theoretical``, the
        unit's receptive field from :func:`convdocs.receptive_field`, for comparison.

    Raises
    ------
    TypeError
        If ``model`` is not a module or specs, or an argument has the wrong type.
    ValueError
        If ``samples`` is not in 1 .. 10,000, the input holds more than 2**22
        entries (refused before anything is allocated: ``MAX_INPUT_ENTRIES``), the
        input does not fit the model, ``layer`` is not a submodule or not spatial, or
        ``unit`` lies outside it.

    See Also
    --------
    receptive_field : The theoretical field, from the layers' geometry.
    empirical_receptive_field : The theoretical field measured with autograd: the
        pixels whose gradient can be non-zero, the support of this map.

    Notes
    -----
    For unit :math:`u` with output :math:`y_u` (summed over its channels), input
    channels :math:`c` and samples :math:`t = 1, \dots, T`, each with its own input
    :math:`x^{(t)}` and weights :math:`w^{(t)}`, the map at input pixel :math:`i` is

    .. math::

        E_u(i) = \frac{1}{T} \sum_{t=1}^{T} \sum_c
        \left| \frac{\partial y_u}{\partial x_{c,i}}\big(x^{(t)}; w^{(t)}\big) \right|,

    the gradient that back-propagating 1 at unit :math:`u` and 0 everywhere else
    brings to the input, as Luo et al. compute it. The gradient is a sum over the
    paths from pixel :math:`i` to the unit of the products of the weights (and, with
    ReLUs, of the 0 or 1 slopes) along each path. For :math:`L` one-dimensional
    convolutions with uniform weights :math:`1/k` it is the :math:`L`-fold
    convolution of a box of width :math:`k`: the distribution of a sum of :math:`L`
    independent uniform steps, with variance :math:`L(k^2 - 1)/12`, which the central
    limit theorem turns into a Gaussian whose width grows like :math:`\sqrt{L}`,
    while the field, :math:`L(k - 1) + 1` pixels, grows like :math:`L`.

    The map depends on the weights, and on their scale: ResNet-50 initialised as
    torchvision does (normal weights scaled to each layer's fan-out) has a wider
    effective field than with PyTorch's default layer initialisation, whose residual
    branches are weaker. Redrawing each tensor at its own standard deviation keeps
    whatever scale the model's initialisation chose (the usual schemes draw weights
    with mean 0, and only their variance enters the analysis above). For a trained
    model it keeps each tensor's spread but not its values, so pass
    ``reinitialize=False`` to measure the trained weights themselves.
    ``theoretical`` does not depend on the weights at all. The model is run in
    evaluation mode (batch norm with its running statistics, no dropout), in float64,
    on a deep copy, inside ``torch.random.fork_rng`` so the global random state is
    restored. Its support (the pixels where it is non-zero) is the field
    :func:`convdocs.empirical_receptive_field` measures, unless a ReLU or a max pool
    blocks every path to a pixel in every sample.

    References
    ----------
    .. [1] W. Luo, Y. Li, R. Urtasun and R. Zemel, "Understanding the effective
       receptive field in deep convolutional neural networks", NeurIPS 2016,
       arXiv:1701.04128.

    Examples
    --------
    Two 3-tap averaging convolutions: the map is the box convolved with itself,
    1, 2, 3, 2, 1 (over 9), within the theoretical field of 5 pixels:

    >>> import torch
    >>> from convdocs import effective_receptive_field
    >>> net = torch.nn.Sequential(*[torch.nn.Conv1d(1, 1, 3, bias=False) for _ in range(2)])
    >>> with torch.no_grad():
    ...     for conv in net:
    ...         _ = conv.weight.fill_(1 / 3)
    >>> erf = effective_receptive_field(net, 9, samples=1, reinitialize=False)
    >>> (9 * erf.map).round(6).tolist()
    [0.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0, 0.0, 0.0]
    >>> erf.unit, erf.theoretical, erf.theoretical_size, round(erf.variance[0], 6)
    ((2,), ((2, 7),), (5,), 1.333333)

    Random weights: the mass gathers in the middle of the field.

    >>> erf = effective_receptive_field("conv3p1," * 7 + "conv3p1", (33, 33), samples=4)
    >>> erf.theoretical_size, erf.radius(0.95) < 8
    ((17, 17), True)
    """
    import torch

    samples = check_int("samples", samples, 1)
    if samples > MAX_SAMPLES:
        msg = f"samples must be at most {MAX_SAMPLES:,}, got {samples:,}"
        raise ValueError(msg)
    seed = check_int("seed", seed, 0)
    reinitialize = check_bool("reinitialize", reinitialize)
    if channel is not None:
        channel = check_int("channel", channel, 0)
    if layer is not None and not isinstance(layer, str):
        msg = f"layer must be a str naming a submodule, got {_describe(layer)}"
        raise TypeError(msg)
    with torch.random.fork_rng(devices=[]):  # the caller's random state is restored
        torch.manual_seed(seed)
        module, channels, ndim, scalar = _measurable(model, input_size, torch)
        sizes = int_tuple("input_size", input_size, ndim)
        _check_input_entries(channels, sizes)  # before anything is copied or run
        rf = receptive_field(model, input_size)
        if module is model:  # the weights are about to change: never the caller's
            module = copy.deepcopy(model)
        layer = _default_layer(module, layer, rf)
        total, units = _gradient_sum(
            module, (1, channels, *sizes), layer, (unit, channel), samples, reinitialize, torch
        )
    return EffectiveField(
        map=(total / samples).numpy(),
        unit=units[0] if scalar else units,
        layer=layer,
        theoretical=_theoretical(rf, layer, units, scalar),
        samples=samples,
        seed=seed,
    )


def _gradient_sum(module, shape, layer, selection, samples, reinitialize, torch):
    """Sum over the samples of |d unit / d input| (over input channels), and the unit."""
    unit, channel = selection
    hooked = None if layer is None else _submodule(module, layer)
    module.double().eval()
    calls = 0 if hooked is None else _count_calls(module, hooked, layer, shape, torch)
    redraw = _reinitializer(module, torch) if reinitialize else None
    what = f"layer {layer!r}" if layer else "the model"
    total, units = None, None
    for _ in range(samples):
        if redraw is not None:
            redraw()
        x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
        out = _output(module, x, hooked, calls)
        units = _measured_unit(out, len(shape) - 2, unit, channel, what, torch)
        out[(0, slice(None) if channel is None else channel, *units)].sum().backward()
        magnitude = x.grad[0].abs().sum(dim=0)
        total = magnitude if total is None else total + magnitude
    return total, units


def _check_input_entries(channels, sizes):
    entries = channels * math.prod(sizes)
    if entries > MAX_INPUT_ENTRIES:
        msg = (
            f"input_size {sizes} with {channels} channels is an input of {entries:,} "
            f"entries; allowed: at most {MAX_INPUT_ENTRIES:,} (2**22), since autograd keeps "
            "every activation for the backward pass"
        )
        raise ValueError(msg)


def _default_layer(module, layer, rf):
    """The layer to measure: the one asked for, else the last spatial one of a classifier."""
    if layer is not None or not rf.note:
        return layer
    try:
        module.get_submodule(rf.name)
    except AttributeError:
        msg = (
            f"the output of {type(module).__name__} is not spatial and its last spatial "
            f"layer, {rf.name!r}, is not a submodule: pass layer= to name one"
        )
        raise ValueError(msg) from None
    return rf.name


def _submodule(module, layer):
    try:
        return module.get_submodule(layer)
    except AttributeError:
        msg = f"layer must name a submodule of {type(module).__name__}, got {layer!r}"
        raise ValueError(msg) from None


def _reinitializer(module, torch):
    """A function giving ``module`` fresh random weights at its own scale: each parameter
    tensor redrawn from a normal distribution with mean 0 and the standard deviation
    the tensor has now (every draw at the original scale; constant tensors kept)."""
    with torch.no_grad():
        scales = [(p, p.std()) for p in module.parameters() if p.numel() > 1]
    scales = [(p, std) for p, std in scales if std > 0]

    def reinitialize():
        with torch.no_grad():
            for parameter, std in scales:
                parameter.copy_(torch.randn_like(parameter) * std)

    return reinitialize


def _output(model, x, hooked, calls):
    """The output of ``model`` on ``x``, or of ``hooked``'s last call (then stop)."""
    return _hooked_output(model, x, hooked, calls, type(model).__name__)


def _theoretical(rf, layer, units, scalar):
    """The unit's theoretical interval: of the result itself, or of ``layer``'s last row."""
    if layer is None or layer == rf.name:
        return rf.interval(units[0] if scalar else units)
    rows = [row for row in rf.layers if row.name == layer]
    if not rows or not all(isinstance(v, int) for v in (*rows[-1].size, *rows[-1].stride)):
        return None
    row = rows[-1]
    pairs = []
    for u, size, jump, centre in zip(units, row.size, row.stride, row.center):
        start = round(centre + u * jump - (size - 1) / 2)
        pairs.append((start, start + size))
    return pairs[0] if scalar else tuple(pairs)
