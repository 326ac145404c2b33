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
