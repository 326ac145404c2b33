"""convdocs.plot.draw_effective_field: it draws what effective_receptive_field computed."""

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

from convdocs import effective_receptive_field
from convdocs.effective import EffectiveField
from convdocs.plot import STYLE, draw_effective_field


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_draws_the_map_the_field_and_the_radius():
    erf = effective_receptive_field("conv3p1,conv3s2p1,conv3p1", (20, 20), samples=3)
    ax = draw_effective_field(erf, 0.9)
    np.testing.assert_array_equal(ax.images[0].get_array(), erf.map / erf.map.max())
    patches = {p.get_gid(): p for p in ax.patches}
    (r0, r1), (c0, c1) = erf.theoretical
    outline = patches["theoretical"]
    assert outline.get_xy() == (c0 - 0.5, r0 - 0.5)
    assert (outline.get_width(), outline.get_height()) == (c1 - c0, r1 - r0)
    circle = patches["radius"]
    assert circle.get_radius() == erf.radius(0.9)
    assert circle.center == pytest.approx(erf.center[::-1])
    assert patches["input"].get_width() == 20
    assert "90% of the gradient\nwithin r = " in ax.get_title()
    assert "theoretical field 9" in ax.get_title()


def test_axes_grow_to_show_a_field_larger_than_the_input():
    erf = effective_receptive_field("conv7p3," * 4 + "conv7p3", (12, 12), samples=1)
    (r0, r1), (c0, c1) = erf.theoretical
    assert r0 < 0
    assert r1 > 12
    ax = draw_effective_field(erf, title="mine")
    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()
    assert left < c0 - 0.5
    assert right > c1 - 0.5
    assert top < r0 - 0.5
    assert bottom > r1 - 0.5
    assert ax.get_title() == "mine"


def test_draws_on_a_given_axes_without_a_theoretical_field():
    values = np.zeros((5, 5))
    values[2, 2] = 1
    field = EffectiveField(values, (0, 0), "layer", None, 1, 0)
    _, ax = plt.subplots()
    assert draw_effective_field(field, ax=ax) is ax
    assert [p.get_gid() for p in ax.patches] == ["input", "radius"]
    assert "theoretical" not in ax.get_title()


@pytest.mark.parametrize(
    ("field", "share", "error", "message"),
    [
        (np.ones((3, 3)), 0.95, TypeError, "field must be an EffectiveField, got ndarray"),
        (EffectiveField(np.ones(3), 0, None, None, 1, 0), 0.95, ValueError, "two-dimensional"),
        (EffectiveField(np.zeros((3, 3)), (0, 0), None, None, 1, 0), 0.9, ValueError, "zero"),
        (EffectiveField(np.ones((3, 3)), (0, 0), None, None, 1, 0), 2, ValueError, "share"),
    ],
)
def test_bad_input_raises_a_clear_error(field, share, error, message):
    with pytest.raises(error, match=message):
        draw_effective_field(field, share)


def test_text_is_at_least_the_site_style_size():
    erf = effective_receptive_field("conv3p1,conv3p1", (9, 9), samples=1)
    with plt.rc_context(STYLE):
        ax = draw_effective_field(erf)
        ax.figure.canvas.draw()
    try:
        texts = [t for t in ax.figure.findobj(Text) if t.get_visible() and t.get_text()]
        assert texts
        assert min(t.get_fontsize() for t in texts) >= STYLE["font.size"]
    finally:
        plt.close(ax.figure)
