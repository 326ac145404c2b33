"""convdocs.data: the example images, offline."""

import numpy as np
import pytest
from matplotlib.cbook import get_sample_data

from convdocs.data import photograph, small_image, step_edge


def test_photograph_is_matplotlibs_sample_in_unit_range():
    with get_sample_data("grace_hopper.jpg") as file:
        import matplotlib.pyplot as plt

        raw = plt.imread(file)
    color = photograph(gray=False)
    np.testing.assert_allclose(color, raw / 255)
    np.testing.assert_allclose(photograph(), color.mean(axis=2))


def test_downsample_averages_blocks():
    full, quarter = photograph(), photograph(downsample=4)
    assert quarter.shape == (150, 128)
    np.testing.assert_allclose(quarter[3, 5], full[12:16, 20:24].mean())
    assert photograph(downsample=7).shape == (600 // 7, 512 // 7)


def test_patterns():
    assert small_image().shape == (5, 5)
    assert set(np.unique(small_image())) == {0, 1}
    np.testing.assert_array_equal(step_edge(5, edge=0), np.ones((5, 5)))
    assert step_edge(6)[:, 3:].all()
    assert not step_edge(6)[:, :3].any()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: photograph(downsample=0), ValueError, "downsample must be a positive int, got 0"),
        (lambda: photograph(gray="yes"), TypeError, "gray must be a bool, got 'yes'"),
        (lambda: step_edge(0), ValueError, "size must be a positive int, got 0"),
        (
            lambda: step_edge(4, edge=5),
            ValueError,
            r"edge must be between 0 and size \(4\), got 5",
        ),
        (lambda: step_edge(4.0), TypeError, "size must be a positive int, got 4.0"),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
