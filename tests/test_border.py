"""convdocs.border: the share of each unit's field in the padding, against autograd.

The oracle: a unit's theoretical field is what it depends on when the image lies in a
much larger canvas, so that no layer's padding is reached. Shifting the input by ``c``
times the total stride shifts the output by ``c`` units, so unit ``u`` of the network
on the image is unit ``u + c`` of the same network on an image padded explicitly by a
margin of ``c`` strides on each side; autograd measures that unit's field
(:func:`convdocs.empirical_receptive_field`), and the pixels of it outside the image
are counted, with no convdocs arithmetic involved.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch import nn

from convdocs import Conv, ConvTranspose, Pool, padding_share, receptive_field
from convdocs.border import PaddingShare
from convdocs.models import resnet18
from convdocs.receptive import empirical_receptive_field
from tests.bad_calls import bad_input_test
from tests.strategies import extreme_ints, span

# --- the oracle ------------------------------------------------------------------------------


def _per_axis(value, axis):
    return value[axis] if isinstance(value, tuple) else value


def output_size(specs, size, axis=0):
    """PyTorch's output size of a stack of Conv/Pool specs along one axis; None: no fit."""
    for spec in specs:
        k, d = _per_axis(spec.kernel_size, axis), _per_axis(spec.dilation, axis)
        stride = spec.kernel_size if spec.stride is None else spec.stride
        s, p = _per_axis(stride, axis), _per_axis(spec.padding, axis)
        if size + 2 * p < span(k, d):
            return None
        size = (size + 2 * p - span(k, d)) // s + 1
    return size


def margin(specs, axis=0):
    """(c, M): a margin of ``M = c * J`` pixels, more than any field reaches (J: the
    product of the strides)."""
    jump, reach = 1, 1
    for spec in specs:
        stride = spec.kernel_size if spec.stride is None else spec.stride
        k, d = _per_axis(spec.kernel_size, axis), _per_axis(spec.dilation, axis)
        reach += (span(k, d) + _per_axis(spec.padding, axis)) * jump
        jump *= _per_axis(stride, axis)
    c = -(-reach // jump)
    return c, c * jump


def measured_field(model, size, unit, c, m):
    """The theoretical field of ``unit``, measured with autograd on the canvas."""
    if isinstance(size, int):
        measured = empirical_receptive_field(model, size + 2 * m, unit=unit + c)
        start, stop = measured.interval
        return start - m, stop - m
    canvas = tuple(n + 2 * mi for n, mi in zip(size, m))
    units = tuple(u + ci for u, ci in zip(unit, c))
    measured = empirical_receptive_field(model, canvas, unit=units)
    return tuple((a - mi, b - mi) for (a, b), mi in zip(measured.interval, m))


def outside_share(intervals, sizes):
    """1 - (pixels inside the image) / (pixels of the box)."""
    inside = math.prod(max(0, min(b, n) - max(a, 0)) for (a, b), n in zip(intervals, sizes))
    return 1 - inside / math.prod(b - a for a, b in intervals)


# --- property tests -----------------------------------------------------------------------


@st.composite
def layer_stacks(draw, ndim=1):
    """One to three Conv/Pool specs (ints for 1-D, pairs for 2-D), padding included."""

    def value(elements):
        return draw(elements) if ndim == 1 else draw(st.tuples(elements, elements))

    specs = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            kernel = value(st.integers(1, 5))
            specs.append(
                Conv(
                    kernel,
                    value(st.integers(1, 3)),
                    value(st.integers(0, 3)),
                    value(st.integers(1, 2)),
                )
            )
        else:
            kernel = value(st.integers(1, 4))
            half = kernel // 2 if ndim == 1 else min(kernel) // 2
            specs.append(Pool(kernel, value(st.integers(1, 3)), draw(st.integers(0, half))))
    return specs


@settings(max_examples=60)
@given(layer_stacks(), st.integers(1, 24), st.data())
def test_share_along_one_axis_equals_autograd(specs, size, data):
    out = output_size(specs, size)
    assume(out is not None and out >= 1)
    result = padding_share(specs, size)
    assert result.share.shape == (out,) == result.axes[0].shape
    c, m = margin(specs)
    for unit in sorted({0, out - 1, data.draw(st.integers(0, out - 1))}):
        start, stop = measured_field(specs, size, unit, c, m)
        assert (result.start[0][unit], result.stop[0][unit]) == (start, stop)
        assert result.share[unit] == pytest.approx(outside_share([(start, stop)], [size]))
    assert np.array_equal(result.share, result.axes[0])


@settings(max_examples=25)
@given(layer_stacks(ndim=2), st.tuples(st.integers(1, 16), st.integers(1, 16)), st.data())
def test_share_of_a_box_equals_autograd(specs, size, data):
    outs = tuple(output_size(specs, n, axis) for axis, n in enumerate(size))
    assume(None not in outs and min(outs) >= 1)
    result = padding_share(specs, size)
    assert result.share.shape == outs
    (ch, mh), (cw, mw) = margin(specs, 0), margin(specs, 1)
    unit = tuple(data.draw(st.integers(0, n - 1)) for n in outs)
    intervals = measured_field(specs, size, unit, (ch, cw), (mh, mw))
    assert result.share[unit] == pytest.approx(outside_share(intervals, size))
    per_axis = [outside_share([iv], [n]) for iv, n in zip(intervals, size)]
    assert [result.axes[a][unit[a]] for a in range(2)] == pytest.approx(per_axis)
    # the box: 1 - share = (1 - share_h)(1 - share_w), for every unit
    np.testing.assert_allclose(1 - result.share, np.outer(1 - result.axes[0], 1 - result.axes[1]))


def test_a_residual_module_equals_autograd():
    """Branches that meet: the field is the hull of a 3x3 path and a 1x1 shortcut."""

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(1, 2, 5, stride=2, padding=2)
            self.conv = nn.Conv2d(2, 2, 3, stride=2, padding=1)
            self.shortcut = nn.Conv2d(2, 2, 1, stride=2)
            self.head = nn.Conv2d(2, 1, 3, padding=1)

        def forward(self, x):
            x = self.stem(x)
            return self.head(torch.relu(self.conv(x) + self.shortcut(x)))

    model, size = Block(), (10, 13)
    result = padding_share(model, size)
    c, m = 8, 32  # a margin of 8 output units, 32 pixels: more than the field (17)
    assert receptive_field(model, size).size == (17, 17)
    for unit in np.ndindex(result.output_size):
        intervals = measured_field(model, size, unit, (c, c), (m, m))
        assert (
            tuple(
                zip(
                    (s[u] for s, u in zip(result.start, unit)),
                    (s[u] for s, u in zip(result.stop, unit)),
                )
            )
            == intervals
        )
        assert result.share[unit] == pytest.approx(outside_share(intervals, size))


# --- examples the site shows -------------------------------------------------------------


def test_resnet_units_see_mostly_padding():
    result = padding_share(resnet18(), 224)
    rf = receptive_field(resnet18(), 224)
    assert result.output_size == (7, 7)
    assert rf.size == (435, 435)
    # unit u along one axis sees [32 u - P, 32 u - P + 435)
    u = np.arange(7)
    assert np.array_equal(result.start[0], 32 * u - rf.padding[0])
    assert np.array_equal(result.stop[1], 32 * u - rf.padding[1] + 435)
    assert result.sees_padding.all()
    assert result.share.min() == pytest.approx(1 - (224 / 435) ** 2)


def test_small_example_by_hand():
    result = padding_share([Conv(3, padding=1), Conv(3, stride=2, padding=1)], 8)
    # units 0..3 see [-2, 3), [0, 5), [2, 7), [4, 9): 2, 0, 0, 1 pixels of padding
    assert result.start[0].tolist() == [-2, 0, 2, 4]
    assert result.inside[0].tolist() == [3, 5, 5, 4]
    assert result.share.tolist() == pytest.approx([0.4, 0, 0, 0.2])
    assert result.sees_padding.tolist() == [True, False, False, True]
    assert "units seeing padding: 2 of 4" in repr(result)
    assert isinstance(result, PaddingShare)


def test_no_padding_no_share():
    result = padding_share("conv3,pool2,conv3d2", (20, 30))
    assert result.share.shape == result.output_size == (5, 10)
    assert not result.share.any()


def test_holes_have_no_share():
    """A transposed convolution with kernel 1 < stride 2 leaves every other unit empty."""
    result = padding_share([Conv(3, padding=1), ConvTranspose(1, stride=2)], 4)
    assert np.isnan(result.share[1::2]).all()
    assert result.share[0::2].tolist() == pytest.approx([1 / 3, 0, 0, 1 / 3])
    assert result.start[0][1] == result.stop[0][1] == 0


def test_branches_with_holes_are_refused():
    class Holes(nn.Module):
        def __init__(self):
            super().__init__()
            self.sparse = nn.ConvTranspose2d(1, 1, 1, stride=2, output_padding=1)
            self.dense = nn.Upsample(scale_factor=2)

        def forward(self, x):
            return self.sparse(x) + self.dense(x)

    with pytest.raises(ValueError, match="branches with holes"):
        padding_share(Holes(), 8)


# --- hostile input ---------------------------------------------------------------------------

test_bad_input = bad_input_test(
    [
        (padding_share, ([Conv(3)], None), {}, ValueError, "input_size is required"),
        (padding_share, (3.5, 8), {}, TypeError, "model must be a list of layer specs"),
        (padding_share, ("conv3", "8"), {}, TypeError, "input_size must be"),
        (padding_share, ("conv3", 0), {}, ValueError, "input_size must be a positive int"),
        (padding_share, ("conv5", 3), {}, ValueError, "layer 0"),
        (padding_share, ([Conv((3, 3))], (8, 8, 8)), {}, ValueError, "input_size has 3 values"),
        (padding_share, ("conv1", (4097, 4096)), {}, ValueError, "maps at most 16,777,216"),
        (padding_share, ("conv1", 2**70), {}, ValueError, "maps at most"),
        (
            padding_share,
            ([Conv(3, stride=2**62, padding=2**62)], 1),
            {},
            ValueError,
            "64-bit integers",
        ),
    ]
)


@settings(max_examples=40)
@given(extreme_ints, extreme_ints, extreme_ints)
def test_extreme_ints_answer_or_refuse(size, stride, padding):
    """Any ints: an answer, or a TypeError/ValueError, in bounded memory."""
    try:
        result = padding_share([Conv(3, stride=max(stride, 1), padding=max(padding, 0))], size)
    except (TypeError, ValueError):
        return
    assert result.share.size <= 2**24
