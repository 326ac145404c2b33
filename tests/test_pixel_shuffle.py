"""The graph walk on pixel shuffles: sizes against PyTorch, fields against autograd.

``PixelShuffle(r)`` moves each input pixel to an r x r block of output pixels (in
other channels), ``PixelUnshuffle(r)`` gathers each r x r block into the channels of
one pixel. Both lenses follow them: :func:`convdocs.explain_shapes` and
:func:`convdocs.valid_input_sizes` must agree with running the model, and every field
:func:`convdocs.receptive_field` computes with the one-hot gradients of
:func:`convdocs.empirical_receptive_field`.
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from convdocs import (
    empirical_receptive_field,
    explain_shapes,
    receptive_field,
    valid_input_sizes,
)

# --- families --------------------------------------------------------------------------------


class SubPixel(nn.Module):
    """Shi et al.'s upsampler: a convolution to C·r² channels, then PixelShuffle(r)."""

    def __init__(self, r, kernel):
        super().__init__()
        self.r = r
        self.conv = nn.Conv2d(1, 2 * r * r, kernel, padding=kernel // 2)
        self.shuffle = nn.PixelShuffle(r)
        self.smooth = nn.Conv2d(2, 1, 3, padding=1)

    def forward(self, x):
        return self.smooth(self.shuffle(self.conv(x)))


class SpaceToDepth(nn.Module):
    """Functional unshuffle, a convolution on the blocks, shuffle back, added to a skip."""

    def __init__(self, r):
        super().__init__()
        self.r = r
        self.stem = nn.Conv2d(1, 1, 3, padding=1)
        self.conv = nn.Conv2d(r * r, r * r, 3, padding=1)

    def forward(self, x):
        x = self.stem(x)
        y = self.conv(F.pixel_unshuffle(x, self.r))
        return x + F.pixel_shuffle(y, upscale_factor=self.r)


class StridedThenShuffle(nn.Module):
    """A stride-r convolution undone by a shuffle, joined to a stride-1 branch: only sizes
    divisible by r come back to their own size."""

    def __init__(self, r):
        super().__init__()
        self.r = r
        self.down = nn.Conv2d(1, r * r, 3, stride=r, padding=1)
        self.up = nn.PixelShuffle(r)
        self.side = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x):
        return self.side(x) + self.up(self.down(x))


factors = st.sampled_from([2, 3])
FAMILIES = {
    "subpixel": st.builds(SubPixel, factors, st.sampled_from([1, 3, 5])),
    "space_to_depth": st.builds(SpaceToDepth, factors),
    "strided_then_shuffle": st.builds(StridedThenShuffle, factors),
}


def units_to_measure(shape):
    """Every unit of a small output; of a larger one, the middle row and column and the
    corners (autograd takes a few milliseconds a unit)."""
    h, w = shape
    if h * w <= 49:
        return [(i, j) for i in range(h) for j in range(w)]
    cross = {(h // 2, j) for j in range(w)} | {(i, w // 2) for i in range(h)}
    return sorted(cross | {(0, 0), (0, w - 1), (h - 1, 0), (h - 1, w - 1)})


def runs(model, size):
    """PyTorch's output shape for a zero input of spatial ``size``, or None if it raises."""
    channels = next(m for m in model.modules() if isinstance(m, nn.Conv2d)).in_channels
    try:
        with torch.no_grad():
            return tuple(model(torch.zeros(1, channels, *size)).shape)
    except RuntimeError:
        return None


@pytest.mark.parametrize("family", list(FAMILIES))
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_every_field_equals_its_gradients(family, data):
    model = data.draw(FAMILIES[family])
    size = (model.r * data.draw(st.integers(1, 4)), model.r * data.draw(st.integers(1, 4)))
    rf = receptive_field(model, size)
    for unit in units_to_measure(rf.output_size):
        exact = rf.interval(unit, clip=True)
        assert empirical_receptive_field(model, size, unit).interval == exact, unit
        theory = rf.interval(unit)
        assert all(lo <= a < b <= hi for (a, b), (lo, hi) in zip(exact, theory))


@pytest.mark.parametrize("family", list(FAMILIES))
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_every_size_is_accepted_exactly_when_pytorch_runs_it(family, data):
    model = data.draw(FAMILIES[family])
    sizes = valid_input_sizes(model, range(1, 25))
    for n in range(1, 25):
        report = explain_shapes(model, n)
        shape = runs(model, (n, n))
        assert report.runs == (shape is not None), n
        assert report.ok == (n in sizes), n
        if report.runs and not report.ok:  # PyTorch broadcasts a 1-pixel map: misaligned
            assert "broadcast" in report.problem, n
        if shape is not None:
            assert report.steps[-1].shape == shape, n


@pytest.mark.parametrize("r", [2, 3, 4])
@pytest.mark.parametrize("size", [(1, 1), (2, 5), (6, 3)])
def test_shuffle_and_unshuffle_shapes_equal_pytorchs(r, size):
    h, w = size
    shuffle = nn.Sequential(nn.Conv2d(1, 3 * r * r, 1), nn.PixelShuffle(r))
    unshuffle = nn.Sequential(nn.Conv2d(1, 3, 1), nn.PixelUnshuffle(r))
    up = explain_shapes(shuffle, size).steps[-1]
    assert up.shape == runs(shuffle, size) == (1, 3, h * r, w * r)
    down = explain_shapes(unshuffle, (h * r, w * r)).steps[-1]
    assert down.shape == runs(unshuffle, (h * r, w * r)) == (1, 3 * r * r, h, w)


def test_the_explanation_shows_sizes_and_channels():
    model = nn.Sequential(
        nn.Conv2d(3, 3, 3, padding=1),
        nn.PixelUnshuffle(2),
        nn.Conv2d(12, 12, 1),
        nn.PixelShuffle(2),
    )
    steps = explain_shapes(model, (8, 6)).steps
    assert [(s.kind, s.arithmetic) for s in steps[2::2]] == [
        ("PixelUnshuffle", "8 / 2 = 4; 6 / 2 = 3; channels 3 x 2² = 12"),
        ("PixelShuffle", "4 x 2 = 8; 3 x 2 = 6; channels 12 / 2² = 3"),
    ]
    assert valid_input_sizes(model, [8, 9]).rule == "multiples of 2"


def test_a_channel_count_not_divisible_by_r_squared_is_refused_as_pytorch_does():
    model = nn.Sequential(nn.Conv2d(1, 6, 3, padding=1), nn.PixelShuffle(2))
    report = explain_shapes(model, 5)
    assert (report.runs, report.layer) == (False, "1")
    assert report.problem == (
        "PixelShuffle by 2 needs channels divisible by 2² = 4, got 6 (input shape (1, 6, 5, 5))"
    )
    assert runs(model, (5, 5)) is None
    with pytest.raises(ValueError, match="needs channels divisible by 2² = 4, got 6"):
        receptive_field(model, 5)


def test_an_unshuffle_of_an_odd_size_is_refused_and_the_nearest_sizes_given():
    model = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.PixelUnshuffle(3))
    report = explain_shapes(model, (9, 10))
    assert report.problem == (
        "PixelUnshuffle by 3 needs a height and width divisible by 3, got 9x10 "
        "(input shape (1, 1, 9, 10))"
    )
    assert runs(model, (9, 10)) is None
    assert explain_shapes(model, 10).nearest == (9, 12)
    assert valid_input_sizes(model, range(1, 13)).valid == (3, 6, 9, 12)


@pytest.mark.parametrize("layer", [nn.PixelShuffle(0), nn.PixelUnshuffle(-1)])
def test_a_factor_below_one_is_refused_as_pytorch_does(layer):
    model = nn.Sequential(nn.Conv2d(1, 4, 1), layer)
    report = explain_shapes(model, 4)
    name = "upscale_factor" if isinstance(layer, nn.PixelShuffle) else "downscale_factor"
    assert (report.runs, report.layer) == (False, "1")
    assert (
        report.problem
        == f"{type(layer).__name__} needs a positive {name}, got {layer.__dict__[name]}"
    )
    assert runs(model, (4, 4)) is None


def test_a_factor_that_is_not_an_int_is_left_to_pytorch():
    model = nn.Sequential(nn.Conv2d(1, 4, 1), nn.PixelShuffle(2.0))
    report = explain_shapes(model, 4)
    with pytest.raises(TypeError, match="must be int, not float"):
        model(torch.zeros(1, 1, 4, 4))
    assert not report.runs
    assert report.problem.startswith("PyTorch's shape rules reject it: TypeError")


class Shuffle3d(nn.Module):
    """A pixel shuffle in a 3-D network: it treats the depth as channels."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(1, 2, 1)

    def forward(self, x):
        return F.pixel_shuffle(self.conv(x), 2)


def test_a_shuffle_in_a_3d_network_gets_pytorchs_shape_and_no_field():
    model = Shuffle3d()
    assert explain_shapes(model, (8, 3, 5)).steps[-1].shape == (1, 2, 2, 6, 10)
    assert tuple(model(torch.zeros(1, 1, 8, 3, 5)).shape) == (1, 2, 2, 6, 10)
    with pytest.raises(ValueError, match=r"rearranges .* this model has 3 spatial dimensions"):
        receptive_field(model, (8, 3, 5))


def test_the_field_table_names_the_shuffles():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.PixelUnshuffle(2), nn.Conv2d(16, 4, 3, padding=1)
    )
    model.append(nn.PixelShuffle(2))
    rf = receptive_field(model, 8)
    kinds = [row.kind for row in rf.layers]
    assert kinds == ["input", "Conv2d", "PixelUnshuffle", "Conv2d", "PixelShuffle x2"]
    assert [row.stride[0] for row in rf.layers] == [1, 1, 2, 2, 1]
    # unit 3 <- unit 1 of the conv (3 // 2) <- blocks 0..2 <- pixels 0..5 <- pixels -1..6
    assert rf.interval((3, 3)) == ((-1, 7), (-1, 7))
    assert rf.interval((3, 3), clip=True) == empirical_receptive_field(model, 8, (3, 3)).interval
