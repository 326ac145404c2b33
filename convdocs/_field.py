"""The field lens: which input pixels each unit depends on, from the records of ``_fx``.

Per spatial dimension, a tensor's *theoretical* field is a map from unit index to an
interval of input pixels, kept as one period of a quasi-periodic map
(``lo(u + period) = lo(u) + step``): its cost depends on the product of the upsampling
factors, never on the input size. A tensor whose branches may be empty along one axis
where they are not along another (the holes of a transposed convolution, a one-sided
pad) keeps its branches apart, so that a branch that reads nothing contributes nothing
along any axis. The *exact* field of a unit (only real input pixels count) is computed
on demand, unit by unit, over the ranges of units the unit depends on. Every number is a
Python int: exact at any magnitude.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from convdocs import _fx

PERIOD_LIMIT = 4096  # the longest period of a field convdocs computes
SPAN_LIMIT = 10**6  # the most units of one layer an exact field is computed over


class StrideMismatch(ValueError):
    """Branches that meet have different effective strides (the jumps, in the message)."""


@dataclass(frozen=True)
class Map:
    """One spatial dimension: unit ``u`` depends on pixels ``lo(u) .. hi(u)`` (None: none).

    ``lo[r]``, ``hi[r]`` for ``r < period``; ``lo(u + period) = lo(u) + step``.
    """

    lo: tuple
    hi: tuple
    period: int
    step: int

    def at(self, u):
        q, r = divmod(u, self.period)
        lo = self.lo[r]
        return None if lo is None else (lo + q * self.step, self.hi[r] + q * self.step)

    def intervals(self, count):
        """``(start, stop)`` int64 arrays for units ``0 .. count - 1``, half-open: ``at``
        for every unit in one numpy pass (``0, 0`` in holes). Callers check that the
        coordinates fit in 64 bits."""
        q, r = np.divmod(np.arange(count, dtype=np.int64), self.period)
        holes = np.array([lo is None for lo in self.lo])
        lo = np.array([0 if v is None else v for v in self.lo], dtype=np.int64)
        hi = np.array([-1 if v is None else v for v in self.hi], dtype=np.int64)
        start = np.where(holes[r], 0, lo[r] + q * self.step)
        stop = np.where(holes[r], 0, hi[r] + 1 + q * self.step)
        return start, stop

    @property
    def jump(self) -> Fraction:
        return Fraction(self.step, self.period)

    @functools.cached_property
    def holes(self) -> bool:
        return None in self.lo

    @functools.cached_property
    def simple(self) -> bool:
        """No holes, and ``lo``, ``hi`` never decrease: a window's extremes are its ends."""
        if self.holes:
            return False
        return all(
            all(a <= b for a, b in zip(seq, (*seq[1:], seq[0] + self.step)))
            for seq in (self.lo, self.hi)
        )


IDENTITY = Map((0,), (0,), 1, 1)


def _make(lo, hi, period, step) -> Map:
    """The map, with the shortest period that describes it."""
    for d in range(1, period):
        if period % d or (step * d) % period:
            continue
        inc = step * d // period
        if all(
            (a is None and b is None) or (a is not None and b is not None and b == a + inc)
            for seq in (lo, hi)
            for a, b in zip(seq[:-d], seq[d:])
        ):
            return Map(tuple(lo[:d]), tuple(hi[:d]), d, inc)
    return Map(tuple(lo), tuple(hi), period, step)


def _check_period(period):
    if period > PERIOD_LIMIT:
        msg = (
            f"the field repeats only every {period} units (the product of the upsampling "
            f"and transposed strides); convdocs computes periods up to {PERIOD_LIMIT}"
        )
        raise ValueError(msg)


def _extremes(m: Map, first_taps, last_taps):
    """(smallest lo over ``first_taps``, largest hi over ``last_taps``), skipping holes."""
    los = [iv[0] for iv in map(m.at, first_taps) if iv is not None]
    his = [iv[1] for iv in map(m.at, last_taps) if iv is not None]
    return (min(los), max(his)) if los else (None, None)


def window(m: Map, k, s, before, d) -> Map:
    """Unit ``u`` reads units ``u*s - before + j*d``, ``0 <= j < k``."""
    period = m.period // math.gcd(m.period, s)
    _check_period(period)
    cycle = m.period // math.gcd(m.period, d)  # taps j and j + cycle: same residue
    lo, hi = [], []
    for u in range(period):
        first = u * s - before
        if m.simple:
            lo.append(m.at(first)[0])
            hi.append(m.at(first + (k - 1) * d)[1])
            continue
        n = min(k, cycle)
        a, b = _extremes(
            m, (first + j * d for j in range(n)), (first + j * d for j in range(k - n, k))
        )
        lo.append(a)
        hi.append(b)
    return _make(lo, hi, period, m.step * (period * s // m.period))


def transposed(m: Map, k, s, before, d) -> Map:
    """Unit ``v`` is reached by units ``u`` with ``v = u*s - before + j*d``."""
    period = m.period * s
    _check_period(period)
    lo, hi = [], []
    for v in range(period):
        taps = _transposed_taps(v + before, k, s, d)
        if taps is None:
            lo.append(None)
            hi.append(None)
            continue
        j0, jl, s1 = taps
        count = (jl - j0) // s1 + 1
        if m.simple:
            lo.append(m.at((v + before - jl * d) // s)[0])
            hi.append(m.at((v + before - j0 * d) // s)[1])
            continue
        n = min(count, m.period // math.gcd(m.period, d // math.gcd(d, s)))
        a, b = _extremes(
            m,
            ((v + before - (jl - i * s1) * d) // s for i in range(n)),
            ((v + before - (j0 + i * s1) * d) // s for i in range(n)),
        )
        lo.append(a)
        hi.append(b)
    return _make(lo, hi, period, m.step)


def _transposed_taps(x, k, s, d):
    """The valid taps ``j`` with ``j*d = x (mod s)``: (first, last, spacing), or None."""
    g = math.gcd(d, s)
    if x % g:
        return None
    s1 = s // g
    j0 = (x // g) * pow(d // g, -1, s1) % s1 if s1 > 1 else 0
    if j0 > k - 1:
        return None
    return j0, j0 + s1 * ((k - 1 - j0) // s1), s1


def nearest(m: Map, f) -> Map:
    """Unit ``v`` copies unit ``v // f``."""
    period = m.period * f
    _check_period(period)
    pairs = [m.at(v // f) for v in range(period)]
    return _make(*_split(pairs), period, m.step)


def linear(m: Map, f) -> Map:
    """Linear upsampling by an even ``f``: unit ``v`` samples ``x = (v + 1/2)/f - 1/2``."""
    period = m.period * f
    _check_period(period)
    pairs = []
    for v in range(period):
        num, den = 2 * v + 1 - f, 2 * f
        taps = [num // den] + ([num // den + 1] if num % den else [])
        pairs.append(_hull([m.at(t) for t in taps]))
    return _make(*_split(pairs), period, m.step)


def _split(pairs):
    return [p and p[0] for p in pairs], [p and p[1] for p in pairs]


def _hull(intervals):
    """The smallest interval holding every one of ``intervals`` (None: empty)."""
    present = [iv for iv in intervals if iv is not None]
    if not present:
        return None
    return min(iv[0] for iv in present), max(iv[1] for iv in present)


def union(maps) -> Map:
    """Per unit, the hull of the maps' intervals; the effective strides must agree."""
    jumps = {m.jump for m in maps}
    if len(jumps) > 1:
        raise StrideMismatch(", ".join(str(number(j)) for j in sorted(jumps)))
    if len(maps) == 1:
        return maps[0]
    period = math.lcm(*(m.period for m in maps))
    _check_period(period)
    pairs = [_hull([m.at(u) for m in maps]) for u in range(period)]
    return _make(*_split(pairs), period, int(maps[0].jump * period))


def number(value):
    """An int when whole, else the Fraction (effective strides after upsampling)."""
    value = Fraction(value)
    return int(value) if value.denominator == 1 else value


def centre_offset(maps) -> float:
    """How far apart the maps' fields are centred, on average over the units where both
    have a field (per unit they differ after an upsampling even when aligned)."""
    period = math.lcm(*(m.period for m in maps))
    best = Fraction(0)
    for m in maps[1:]:
        diffs = []
        for u in range(period):
            a, b = maps[0].at(u), m.at(u)
            if a is not None and b is not None:
                diffs.append(Fraction(b[0] + b[1] - a[0] - a[1], 2))
        mean = sum(diffs, Fraction(0)) / len(diffs) if diffs else Fraction(0)
        best = mean if abs(mean) > abs(best) else best
    return float(best)


def apply(record, m: Map, axis) -> Map:
    """The theoretical map after ``record`` (a Window, Transposed or Resize)."""
    if isinstance(record, _fx.Window):
        k, s, b, d = (getattr(record, a)[axis] for a in ("kernel", "stride", "before", "dilation"))
        return window(m, k, s, b, d)
    if isinstance(record, _fx.Transposed):
        k, s, b, d = (getattr(record, a)[axis] for a in ("kernel", "stride", "before", "dilation"))
        return transposed(m, k, s, b, d)
    f = record.factors[axis]
    return nearest(m, f) if record.mode == "nearest" else linear(m, f)


# --- a tensor's field: branches --------------------------------------------------------------


def merge(branches) -> tuple:
    """Branches (tuples of per-axis maps) as few as exactness allows: when no branch has a
    hole, the hull of their fields is the hull along each axis. Raises StrideMismatch
    (with the axis as ``err.axis``) when the effective strides differ."""
    ndim = len(branches[0])
    for axis in range(ndim):
        try:
            union([b[axis] for b in branches])
        except StrideMismatch as err:
            err.axis = axis
            raise
    unique = tuple(dict.fromkeys(branches))
    if len(unique) == 1 or any(m.holes for b in unique for m in b):
        return unique
    return (tuple(union([b[axis] for b in unique]) for axis in range(ndim)),)


def hull_maps(branches) -> tuple:
    """One map per axis: the hull of the branches (for sizes, strides and centres)."""
    return tuple(union([b[axis] for b in branches]) for axis in range(len(branches[0])))


def interval(branches, unit):
    """``(start, stop)`` per axis of ``unit``: the hull of the branches that see something
    along every axis; None when none does."""
    return _box_hull(([m.at(u) for m, u in zip(branch, unit)] for branch in branches), len(unit))


def _box_hull(boxes, ndim):
    """``(start, stop)`` per axis of the hull of the boxes (one inclusive ``(lo, hi)`` per
    axis) that see something along every axis; None when none does."""
    boxes = [box for box in boxes if None not in box]
    if not boxes:
        return None
    hulls = (_hull([box[axis] for box in boxes]) for axis in range(ndim))
    return tuple((lo, hi + 1) for lo, hi in hulls)


def size_of(m: Map, count):
    """(smallest, largest) field size over the first ``count`` units (all: None)."""
    units = range(m.period if count is None else min(count, m.period))
    sizes = [iv[1] - iv[0] + 1 for iv in map(m.at, units) if iv is not None]
    return (min(sizes), max(sizes)) if sizes else (0, 0)


# --- the exact field of one unit, on demand ------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One node of the walk, for the exact fields: ``record`` turns the fields of
    ``sources`` (keys of earlier steps) into this one's; ``sizes`` is its spatial size."""

    key: object
    record: object
    sources: tuple
    sizes: tuple


def exact_interval(steps, unit):
    """``(start, stop)`` per axis of the real input pixels ``unit`` of the last step
    depends on (None: none). ``steps[0]`` is the input (record None)."""
    demand = _demand(steps, unit)
    values = {}
    sizes = {step.key: step.sizes for step in steps}
    for step in steps:
        ranges = demand.get(step.key)
        if ranges is None:
            continue
        if step.record is None:
            values[step.key] = (tuple((a, [(t, t) for t in range(a, b + 1)]) for a, b in ranges),)
            continue
        sources = [values[s] for s in step.sources]
        in_sizes = [sizes[s] for s in step.sources]
        values[step.key] = _exact_step(step.record, sources, in_sizes, ranges)
    last = values[steps[-1].key]
    return interval_of(last, unit)


def interval_of(branches, unit):
    """As :func:`interval`, for branches of exact fields: per axis, the first unit and the
    list of its fields."""
    boxes = ([seq[u - a] for (a, seq), u in zip(branch, unit)] for branch in branches)
    return _box_hull(boxes, len(unit))


def _demand(steps, unit):
    """For each step, per axis, the range of its units the unit depends on."""
    demand = {steps[-1].key: [(u, u) for u in unit]}
    sizes = {step.key: step.sizes for step in steps}
    for step in reversed(steps):
        ranges = demand.get(step.key)
        if ranges is None or step.record is None:
            continue
        for source in step.sources:
            n_in = sizes[source]
            wanted = [
                _source_range(step.record, axis, a, b, n)
                for axis, ((a, b), n) in enumerate(zip(ranges, n_in))
            ]
            old = demand.get(source, wanted)
            demand[source] = [_cover(x, y) for x, y in zip(wanted, old)]
            _check_span(demand[source])
    return demand


def _check_span(ranges):
    """Refuse, rather than allocate, an exact field over more than ``SPAN_LIMIT`` units."""
    span = max(b - a + 1 for a, b in ranges)
    if span > SPAN_LIMIT:
        msg = (
            f"the exact field of this unit depends on {span} units of one layer; convdocs "
            f"computes exact fields over at most {SPAN_LIMIT} (interval(unit) gives the "
            "theoretical field at any size)"
        )
        raise ValueError(msg)


def _cover(x, y):
    """The smallest range holding ranges ``x`` and ``y`` (``a > b``: empty)."""
    if x[0] > x[1]:
        return y
    if y[0] > y[1]:
        return x
    return min(x[0], y[0]), max(x[1], y[1])


def _source_range(record, axis, a, b, n):
    """The input units that units ``a .. b`` of ``record`` read, clipped to ``0 .. n-1``."""
    if isinstance(record, _fx.Window):
        k, s, p, d = (getattr(record, x)[axis] for x in ("kernel", "stride", "before", "dilation"))
        lo, hi = a * s - p, b * s - p + (k - 1) * d
    elif isinstance(record, _fx.Transposed):
        k, s, p, d = (getattr(record, x)[axis] for x in ("kernel", "stride", "before", "dilation"))
        lo, hi = -((-(a + p - (k - 1) * d)) // s), (b + p) // s
    elif isinstance(record, _fx.Resize):
        f = record.factors[axis]
        lo, hi = (2 * a + 1 - f) // (2 * f), b // f + 1
    else:  # Join, Same
        lo, hi = a, b
    return max(lo, 0), min(hi, n - 1)


def _exact_step(record, sources, in_sizes, ranges):
    if isinstance(record, (_fx.Join, _fx.Same)):
        branches = [
            tuple(_slice(seq, r) for seq, r in zip(branch, ranges))
            for value in sources
            for branch in value
        ]
        return _merge_exact(branches)
    (value,) = sources
    (n_in,) = in_sizes
    return tuple(
        tuple(
            (a, [_exact_unit(record, axis, u, seq, n_in[axis]) for u in range(a, b + 1)])
            for axis, ((a, b), seq) in enumerate(zip(ranges, branch))
        )
        for branch in value
    )


def _slice(entry, wanted):
    a, seq = entry
    lo, hi = wanted
    return lo, seq[lo - a : hi - a + 1]


def _merge_exact(branches):
    if len(branches) == 1 or any(None in seq for b in branches for _, seq in b):
        return tuple(branches)
    merged = []
    for axis in range(len(branches[0])):
        a = branches[0][axis][0]
        columns = zip(*(b[axis][1] for b in branches))
        merged.append((a, [(min(c[0] for c in col), max(c[1] for c in col)) for col in columns]))
    return (tuple(merged),)


def _exact_unit(record, axis, u, entry, n):
    """The hull of the exact fields of the real input units that unit ``u`` reads."""
    a, seq = entry

    def get(t):
        return seq[t - a] if 0 <= t < n and 0 <= t - a < len(seq) else None

    if isinstance(record, _fx.Window):
        k, s, p, d = (getattr(record, x)[axis] for x in ("kernel", "stride", "before", "dilation"))
        first = u * s - p
        j_lo = 0 if first >= 0 else -(first // d)
        j_hi = min(k - 1, (n - 1 - first) // d)
        return _hull([get(first + j * d) for j in range(j_lo, j_hi + 1)])
    if isinstance(record, _fx.Transposed):
        k, s, p, d = (getattr(record, x)[axis] for x in ("kernel", "stride", "before", "dilation"))
        taps = _transposed_taps(u + p, k, s, d)
        if taps is None:
            return None
        j0, jl, s1 = taps
        return _hull([get((u + p - j * d) // s) for j in range(j0, jl + 1, s1)])
    f = record.factors[axis]
    if record.mode == "nearest":
        return get(u // f)
    num, den = max(2 * u + 1 - f, 0), 2 * f  # PyTorch clamps the source at 0 ...
    first = num // den
    taps = [first] + ([min(first + 1, n - 1)] if num % den else [])  # ... and at the last
    return _hull([get(t) for t in taps])
