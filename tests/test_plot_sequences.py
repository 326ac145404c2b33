"""convdocs.plot.draw_dilated_stack: the steps it draws against autograd and receptive_field."""

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from convdocs import Conv, receptive_field
from convdocs.plot import COLORS, STYLE, draw_dilated_stack
from tests.bad_calls import bad_input_test


def depends_on(kernel, dilations, pads, length, unit):
    """The steps of the input whose gradient reaches ``unit``: positive weights, so no
    path cancels, and zero padding with F.pad, as the layers of a real stack."""
    x = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
    y = x
    for d, pad in zip(dilations, pads):
        y = F.conv1d(F.pad(y, pad), torch.ones(1, 1, kernel, dtype=torch.float64), dilation=d)
    assert y.shape[-1] == length
    (grad,) = torch.autograd.grad(y[0, 0, unit], x)
    return np.flatnonzero(grad[0, 0].numpy()).tolist()


@settings(max_examples=60)
@given(
    kernel=st.integers(1, 4),
    dilations=st.lists(st.integers(1, 6), min_size=1, max_size=5),
    length=st.integers(1, 30),
    padding=st.sampled_from(["causal", "same"]),
    data=st.data(),
)
def test_drawn_steps_are_the_steps_the_unit_depends_on(kernel, dilations, length, padding, data):
    unit = data.draw(st.integers(0, length - 1))
    diagram = draw_dilated_stack(kernel, dilations, length, unit, padding=padding)
    plt.close(diagram.ax.figure)
    assert len(diagram.used) == len(dilations) + 1
    assert diagram.used[-1] == (unit,)
    # every level: the drawn real steps are exactly those with a gradient
    for level in range(len(dilations)):
        drawn = [t for t in diagram.used[level] if 0 <= t < length]
        rest = dilations[level:], diagram.pads[level:]
        assert drawn == depends_on(kernel, *rest, length, unit)
    specs = [Conv(kernel, padding=p, dilation=d) for d, p in zip(dilations, diagram.pads)]
    assert diagram.field == receptive_field(specs, length).interval(unit, clip=True)
    if padding == "causal":
        assert max(diagram.used[0]) == unit  # nothing from the future


def test_wavenet_figure():
    diagram = draw_dilated_stack(2, [1, 2, 4, 8], 16)
    assert diagram.field == (0, 16)
    assert diagram.used[0] == tuple(range(16))
    ax = diagram.ax
    assert "output 15 sees steps 0..15" in ax.get_title()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [
        "input",
        "layer 1, d = 1",
        "layer 2, d = 2",
        "layer 3, d = 4",
        "output, d = 8",
    ]
    # coloured circles: 16 inputs, 8 + 4 + 2 hidden units and the output unit
    input_face = matplotlib.colors.to_rgba(COLORS["input"])
    output_face = matplotlib.colors.to_rgba(COLORS["output"])
    faces = np.concatenate([c.get_facecolors() for c in ax.collections if len(c.get_offsets())])
    assert sum(np.allclose(f, input_face) for f in faces) == 16
    assert sum(np.allclose(f, output_face) for f in faces) == 8 + 4 + 2 + 1
    # the page's column, and text as large as the page's (tests/test_figure_text.py)
    assert ax.figure.get_size_inches()[0] <= STYLE["figure.figsize"][0]
    texts = [ax.title, ax.xaxis.label, *ax.get_xticklabels(), *ax.get_yticklabels()]
    assert min(t.get_fontsize() for t in texts) >= STYLE["font.size"]
    plt.close(ax.figure)


def test_same_padding_reaches_the_future():
    diagram = draw_dilated_stack(3, [1, 2], 12, unit=5, padding="same")
    assert diagram.field == (2, 9)
    assert max(diagram.used[0]) > 5
    plt.close("all")


test_bad_input_raises_a_clear_error = bad_input_test(
    [
        (draw_dilated_stack, (0, [1], 8), {}, ValueError, r"kernel_size must be a positive int"),
        (draw_dilated_stack, (2, 1, 8), {}, TypeError, r"dilations must be a non-empty list"),
        (draw_dilated_stack, (2, [], 8), {}, ValueError, r"dilations must be a non-empty list"),
        (draw_dilated_stack, (2, [1, 0], 8), {}, ValueError, r"dilations must be a positive"),
        (draw_dilated_stack, (2, [1] * 11, 8), {}, ValueError, r"at most 10 layers"),
        (draw_dilated_stack, (2, [1], 10**9), {}, ValueError, r"length must be at most 64"),
        (draw_dilated_stack, (2, [1], 8.0), {}, TypeError, r"length must be a positive int"),
        (draw_dilated_stack, (2, [1], 8, 8), {}, ValueError, r"unit must be an output step"),
        (draw_dilated_stack, (2, [1], 8, -1), {}, ValueError, r"unit must be a non-negative"),
        (draw_dilated_stack, (2, [1], 8), {"padding": "full"}, ValueError, r"'causal' or 'same'"),
        (draw_dilated_stack, (2, [1], 8), {"padding": 2}, TypeError, r"'causal' or 'same'"),
    ]
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
