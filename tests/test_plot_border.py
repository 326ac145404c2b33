"""convdocs.plot.draw_padding_share: what is drawn is padding_share's result."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from convdocs import padding_share
from convdocs.plot import draw_padding_share


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_the_image_is_the_share_map():
    result = padding_share("conv3p1,conv3s2p1,conv3p1", (9, 12))
    ax = draw_padding_share(result)
    np.testing.assert_array_equal(ax.images[0].get_array(), result.share)
    texts = [t.get_text() for t in ax.texts]
    assert texts == [f"{100 * v:.0f}%" for v in result.share.ravel()]
    assert ax.get_xlabel() == "output column"
    assert ax.get_ylabel() == "output row"


def test_large_maps_have_no_numbers_and_holes_no_text():
    ax = draw_padding_share(padding_share("conv3p1", (20, 20)))
    assert not ax.texts
    _, ax = plt.subplots()
    result = padding_share("conv3p1,convT1s2", (3, 3))
    draw_padding_share(result, ax=ax)
    assert len(ax.texts) == int(np.isfinite(result.share).sum()) == 9


def test_bad_input():
    with pytest.raises(TypeError, match="must be a PaddingShare"):
        draw_padding_share(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="two-dimensional"):
        draw_padding_share(padding_share("conv3p1", 8))


def test_text_at_the_style_size_and_figure_in_the_column():
    # The site's figure-text gate: no text under STYLE's size, no figure wider than
    # the text column; the numbers stop where they would no longer fit their cells.
    from convdocs.plot import STYLE

    for size in (4, 16):  # outputs of 2x2 and 8x8 units: numbered
        result = padding_share("conv3p1,conv3s2p1", (size, size))
        ax = draw_padding_share(result)  # matplotlib's default 10 points
        assert len(ax.texts) == (size // 2) ** 2
        assert min(t.get_fontsize() for t in ax.texts) >= STYLE["font.size"]
        with plt.rc_context(STYLE):
            ax = draw_padding_share(result)
        texts = [ax.title, *ax.texts, ax.xaxis.label, ax.yaxis.label]
        assert min(t.get_fontsize() for t in texts) >= STYLE["font.size"]
        assert ax.figure.get_size_inches()[0] <= STYLE["figure.figsize"][0]
    ax = draw_padding_share(padding_share("conv3p1", (9, 9)))  # 9x9: not numbered
    assert not ax.texts
