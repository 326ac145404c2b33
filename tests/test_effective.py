"""convdocs.effective: the effective receptive field against autograd, the box-kernel
oracle and the theoretical field."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.signal import convolve
from torch import nn

from convdocs import Conv, effective_receptive_field, empirical_receptive_field, receptive_field
from convdocs.effective import MAX_INPUT_ENTRIES, MAX_SAMPLES, EffectiveField
from convdocs.models import resnet18
from tests.bad_calls import bad_input_test


def averaging_stack(n, k, ndim):
    """``n`` one-channel convolutions whose ``k``-tap kernels all hold ``1 / k**ndim``."""
    conv = (nn.Conv1d, nn.Conv2d)[ndim - 1]
    layers = [conv(1, 1, k, padding=k // 2, bias=False, dtype=torch.float64) for _ in range(n)]
    with torch.no_grad():
        for layer in layers:
            layer.weight.fill_(1 / k**ndim)
    return nn.Sequential(*layers)


def box_power(n, k):
    """The ``n``-fold convolution of a box of ``k`` taps of ``1/k``: numpy, not torch."""
    result = np.ones(1)
    for _ in range(n):
        result = convolve(result, np.full(k, 1 / k))
    return result


def output_size(size, k, s, p, d):
    """Dumoulin & Visin's output size, written out here (not convdocs')."""
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


# --- the oracle: uniform weights give the n-fold convolution of a box --------------------


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 6), k=st.integers(1, 5), ndim=st.sampled_from([1, 2]))
def test_averaging_stack_is_the_n_fold_box_convolution(n, k, ndim):
    size = n * (k - 1) + 5
    erf = effective_receptive_field(
        averaging_stack(n, k, ndim), (size,) * ndim, samples=1, reinitialize=False
    )
    rf = receptive_field(averaging_stack(n, k, ndim), (size,) * ndim)
    assert erf.theoretical == rf.interval(erf.unit)
    profile = box_power(n, k)
    assert erf.theoretical_size == (profile.size,) * ndim == rf.size
    expected = np.zeros((size,) * ndim)
    window = tuple(slice(start, stop) for start, stop in erf.theoretical)
    expected[window] = profile if ndim == 1 else np.outer(profile, profile)
    np.testing.assert_allclose(erf.map, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(erf.variance, (n * (k * k - 1) / 12,) * ndim, atol=1e-9)


def test_deep_averaging_stack_is_gaussian_with_the_predicted_radius():
    n, k = 32, 3
    erf = effective_receptive_field(averaging_stack(n, k, 2), 73, samples=1, reinitialize=False)
    sigma = math.sqrt(n * (k * k - 1) / 12)
    assert erf.std == pytest.approx((sigma, sigma))
    # a 2-D Gaussian holds 95% of its mass within sigma * sqrt(-2 ln 0.05)
    assert erf.radius(0.95) == pytest.approx(sigma * math.sqrt(-2 * math.log(0.05)), rel=0.05)
    assert erf.theoretical_size == (2 * n + 1, 2 * n + 1)


# --- the definition, against autograd written out -----------------------------------------


def direct_map(model, shape, samples, seed, out_index):
    """The mean over random inputs of sum_c |d out[out_index] / d x|, by hand."""
    torch.manual_seed(seed)
    model = model.double().eval()
    total = 0
    for _ in range(samples):
        x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
        model(x)[out_index].sum().backward()
        total = total + x.grad[0].abs().sum(dim=0)
    return (total / samples).numpy()


@pytest.mark.parametrize("channel", [None, 2])
def test_fixed_weights_match_autograd_by_hand(channel):
    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 5, 3, padding=1)
    )
    erf = effective_receptive_field(
        model, 12, (1, 2), channel=channel, samples=3, seed=7, reinitialize=False
    )
    index = (0, slice(None) if channel is None else channel, 1, 2)
    reference = nn.Sequential(*list(model))  # the same layers (and weights)
    expected = direct_map(reference, (1, 3, 12, 12), 3, 7, index)
    np.testing.assert_allclose(erf.map, expected, rtol=1e-12)
    assert erf.unit == (1, 2)
    assert erf.layer is None


# --- the support is the theoretical field --------------------------------------------------


@st.composite
def conv_stacks(draw):
    size = draw(st.integers(8, 24))
    specs, n = [], size
    for _ in range(draw(st.integers(1, 4))):
        k, s, d = draw(st.integers(1, 4)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
        p = draw(st.integers(0, 2))
        n = output_size(n, k, s, p, d)
        assume(n >= 1)
        specs.append(Conv(k, stride=s, padding=p, dilation=d))
    unit = (draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1)))
    return specs, size, unit


@settings(max_examples=40, deadline=None)
@given(conv_stacks())
def test_support_is_the_receptive_field(case):
    specs, size, unit = case
    erf = effective_receptive_field(specs, (size, size), unit, samples=2, seed=3)
    rf = receptive_field(specs, (size, size))
    assert erf.theoretical == rf.interval(unit)
    support = erf.map > 0
    # random weights leave no path at zero: the support is the measured field, pixel by
    # pixel (holes of dilated stacks included), within the exact interval
    assert np.array_equal(support, empirical_receptive_field(specs, (size, size), unit).mask)
    rows, cols = np.flatnonzero(support.any(1)), np.flatnonzero(support.any(0))
    clipped = rf.interval(unit, clip=True)
    if clipped is None:  # the unit reads padding only
        assert not support.any()
        return
    assert ((rows[0], rows[-1] + 1), (cols[0], cols[-1] + 1)) == clipped


def test_support_of_an_undilated_stack_fills_the_theoretical_field():
    specs = [Conv(3, padding=1)] * 5
    erf = effective_receptive_field(specs, (31, 31), samples=1)
    (top, bottom), (left, right) = erf.theoretical
    assert (top, bottom, left, right) == (10, 21, 10, 21)
    assert (erf.map[top:bottom, left:right] > 0).all()
    assert np.count_nonzero(erf.map) == 11 * 11


def test_one_dimensional_specs_give_scalars():
    erf = effective_receptive_field("conv3,conv3", 11, samples=2)
    assert erf.unit == 3
    assert erf.theoretical == (3, 8)
    assert erf.theoretical_size == 5
    assert isinstance(erf.std, float)
    assert isinstance(erf.center, float)
    assert np.flatnonzero(erf.map).tolist() == [3, 4, 5, 6, 7]


def test_classifier_defaults_to_its_last_spatial_layer():
    model = resnet18()
    erf = effective_receptive_field(model, 64, samples=1)
    rf = receptive_field(model, 64)
    assert erf.layer == rf.name == "layer4.1.relu"
    assert erf.unit == (0, 0)
    assert erf.theoretical == rf.interval((0, 0))
    assert erf.map.shape == (64, 64)
    assert erf.map.sum() > 0
    # a leaf layer: its field from its row of the table, checked against autograd
    named = effective_receptive_field(model, 128, layer="layer2.1.conv2", samples=1)
    measured = empirical_receptive_field(model, 128, (7, 7), layer="layer2.1.conv2")
    assert named.unit == (7, 7)
    assert named.theoretical_size == (99, 99)
    assert named.theoretical == measured.interval == ((7, 106), (7, 106))
    # a container or an activation has no row of its own: no theoretical field
    for layer in ("layer2", "layer2.1.relu"):
        assert effective_receptive_field(model, 64, layer=layer, samples=1).theoretical is None


# --- seeds and the caller's model ----------------------------------------------------------


def small_net():
    return nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(), nn.Conv2d(3, 2, 3))


def test_seeds_reproduce_and_differ():
    torch.manual_seed(0)
    model = small_net()
    first = effective_receptive_field(model, 10, samples=3, seed=5)
    again = effective_receptive_field(model, 10, samples=3, seed=5)
    other = effective_receptive_field(model, 10, samples=3, seed=6)
    assert np.array_equal(first.map, again.map)
    assert not np.array_equal(first.map, other.map)
    assert (first.seed, first.samples) == (5, 3)


def test_callers_model_and_random_state_are_left_alone():
    torch.manual_seed(0)
    model = small_net().train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    state = torch.get_rng_state()
    effective_receptive_field(model, 10, samples=2, reinitialize=True)
    effective_receptive_field(model, 10, samples=2, reinitialize=False)
    assert torch.equal(torch.get_rng_state(), state)
    after = model.state_dict()
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert all(m.training for m in model.modules())
    assert next(model.parameters()).dtype == torch.float32


# --- radius and area -------------------------------------------------------------------------


def result(values):
    values = np.asarray(values, dtype=np.float64)
    scalar = values.ndim == 1
    unit = 0 if scalar else (0,) * values.ndim
    return EffectiveField(values, unit, None, None, 1, 0)


def test_radius_and_area_of_small_maps():
    flat = result([1, 1, 1, 1])
    assert flat.center == 1.5
    assert flat.variance == 1.25
    assert flat.radius(0.5) == 0.5
    assert flat.radius(1) == 1.5
    assert flat.area(0.5) == 2
    assert flat.area(1) == 4
    assert flat.area(0.26) == 2
    delta = result(np.eye(5)[2:3].repeat(5, axis=0) * np.eye(5)[2][:, None])
    assert delta.radius(0.99) == 0
    assert delta.area(1) == 1
    assert delta.std == (0.0, 0.0)
    ramp = result([[0, 0, 0], [0, 3, 1], [0, 0, 0]])
    assert ramp.center == (1.0, 1.25)
    assert ramp.area(0.75) == 1
    assert ramp.area(0.8) == 2
    assert ramp.theoretical_size is None
    assert "EffectiveField(unit=(0, 0)" in repr(ramp)


# --- hostile input ---------------------------------------------------------------------------

NET = "conv3,conv3"

test_bad_input_raises_a_clear_error = bad_input_test(
    [
        (effective_receptive_field, (NET, 8), {"samples": 0}, ValueError, r"samples must be"),
        (
            effective_receptive_field,
            (NET, 8),
            {"samples": MAX_SAMPLES + 1},
            ValueError,
            r"samples must be at most 10,000, got 10,001",
        ),
        (effective_receptive_field, (NET, 8), {"samples": 2.0}, TypeError, r"samples must be"),
        (effective_receptive_field, (NET, 8), {"samples": True}, TypeError, r"samples must be"),
        (effective_receptive_field, (NET, 8), {"seed": -1}, ValueError, r"seed must be"),
        (
            effective_receptive_field,
            (NET, 8),
            {"reinitialize": "yes"},
            TypeError,
            r"reinitialize must be a bool",
        ),
        (effective_receptive_field, (NET, 8), {"layer": 3}, TypeError, r"layer must be a str"),
        (effective_receptive_field, (NET, 8), {"channel": -1}, ValueError, r"channel must be"),
        (
            effective_receptive_field,
            (NET, 8),
            {"channel": 1},
            ValueError,
            r"channel must be below",
        ),
        (effective_receptive_field, (NET, 8, 4), {}, ValueError, r"unit 4 is outside"),
        (effective_receptive_field, (NET, 3), {}, ValueError, r"layer 1"),
        (effective_receptive_field, (NET, 0), {}, ValueError, r"input_size must be"),
        (effective_receptive_field, (NET, 2**40), {}, ValueError, r"allowed: at most 4,194,304"),
        (
            effective_receptive_field,
            (NET, (10**6, 10**6)),
            {},
            ValueError,
            r"input_size \(1000000, 1000000\) with 1 channels",
        ),
        (effective_receptive_field, (3, 8), {}, TypeError, r"model must be"),
        (effective_receptive_field, ("conv3q", 8), {}, ValueError, r"cannot read layer 1"),
        (
            effective_receptive_field,
            (nn.Sequential(nn.Conv2d(1, 1, 3)), 8),
            {"layer": "nope"},
            ValueError,
            r"layer must name a submodule",
        ),
        (result([1.0, 2.0]).radius, (0,), {}, ValueError, r"share must be in \(0, 1\], got 0"),
        (result([1.0, 2.0]).radius, (1.5,), {}, ValueError, r"share must be in"),
        (result([1.0, 2.0]).radius, (float("nan"),), {}, ValueError, r"share must be in"),
        (result([1.0, 2.0]).area, ("half",), {}, TypeError, r"share must be a number"),
        (result([1.0, 2.0]).area, (True,), {}, TypeError, r"share must be a number"),
        (result([0.0, 0.0]).area, (), {}, ValueError, r"zero everywhere"),
        (result([0.0, 0.0]).radius, (), {}, ValueError, r"zero everywhere"),
    ]
)


def test_input_limit_is_checked_before_the_model_runs():
    # one entry over the limit is refused; the limit itself would be allowed
    side = math.isqrt(MAX_INPUT_ENTRIES)
    with pytest.raises(ValueError, match="4,194,305 entries"):
        effective_receptive_field(NET, (side * side + 1,), samples=1)


def test_reinitialize_draws_from_the_models_own_weights():
    torch.manual_seed(0)
    linear = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Conv2d(2, 1, 3))
    # a linear model's gradient does not depend on the input: only new weights change it
    fixed = [
        effective_receptive_field(linear, 9, samples=1, seed=s, reinitialize=False) for s in (1, 2)
    ]
    np.testing.assert_allclose(fixed[0].map, fixed[1].map, rtol=1e-12)
    drawn = [effective_receptive_field(linear, 9, samples=1, seed=s) for s in (1, 2)]
    assert not np.allclose(drawn[0].map, drawn[1].map)
    # constant tensors are kept (the box oracle still holds)
    box = averaging_stack(3, 3, 2)
    kept = effective_receptive_field(box, 11, samples=2, reinitialize=True)
    again = effective_receptive_field(box, 11, samples=1, reinitialize=False)
    np.testing.assert_allclose(kept.map, again.map, rtol=1e-12)


def test_reinitialize_keeps_each_tensors_scale():
    torch.manual_seed(0)
    small = nn.Sequential(nn.Conv2d(1, 3, 3), nn.Conv2d(3, 1, 3))
    large = nn.Sequential(nn.Conv2d(1, 3, 3), nn.Conv2d(3, 1, 3))
    with torch.no_grad():
        for a, b in zip(small.parameters(), large.parameters()):
            b.copy_(10 * a)
    # the same normal draws, at ten times the spread: a linear two-layer network's
    # gradient grows a hundredfold
    maps = [effective_receptive_field(m, 9, samples=3, seed=4).map for m in (small, large)]
    np.testing.assert_allclose(maps[1], 100 * maps[0], rtol=1e-6)  # float32 weights


def test_every_draw_is_at_the_original_scale():
    # one sample or many, a linear network's map is the mean of draws at one scale: a
    # draw scaled from the previous draw (a drifting scale) would fail this
    torch.manual_seed(0)
    model = nn.Sequential(*[nn.Conv2d(1, 1, 3, padding=1, bias=False) for _ in range(4)])
    many = effective_receptive_field(model, 13, samples=200, seed=0).map.sum()
    single = [
        effective_receptive_field(model, 13, samples=1, seed=s).map.sum() for s in range(200)
    ]
    assert many == pytest.approx(np.mean(single), rel=0.5)
    assert many < 10 * np.median(single)


def test_a_module_with_an_absurd_input_is_refused_before_it_is_copied(monkeypatch):
    import convdocs.effective

    def no_copy(_):
        msg = "copied before the size check"
        raise AssertionError(msg)

    monkeypatch.setattr(convdocs.effective, "copy", SimpleNamespace(deepcopy=no_copy))
    model = nn.Sequential(nn.Conv2d(3, 4, 3))
    with pytest.raises(ValueError, match=r"with 3 channels is an input of 3,000,000,000,000"):
        effective_receptive_field(model, (10**6, 10**6))
