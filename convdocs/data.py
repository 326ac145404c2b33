"""Images for the examples: a photograph that matplotlib ships, and small test patterns.

Nothing here downloads anything: the photograph is read from matplotlib's sample data
(installed with matplotlib), and the patterns are made by numpy.
"""

from __future__ import annotations

import numpy as np

from convdocs._validate import check_bool, check_entries, check_int

__all__ = ["photograph", "small_image", "step_edge"]


def photograph(gray=True, downsample=1):
    """Grace Hopper's portrait from matplotlib's sample data, as floats in [0, 1].

    Parameters
    ----------
    gray : bool, default True
        Return a single-channel ``(H, W)`` image (the mean of the RGB channels)
        instead of ``(H, W, 3)``.
    downsample : int, default 1
        Average non-overlapping ``downsample x downsample`` blocks (area resampling),
        cropping the bottom and right edges to a multiple of it.

    Returns
    -------
    numpy.ndarray
        float64 array, ``(600, 512)`` (or ``(600, 512, 3)``) at ``downsample=1``.

    Raises
    ------
    ValueError
        If ``downsample`` is smaller than 1 or larger than the image's width (512),
        which would leave no pixel.
    TypeError
        If ``gray`` is not a bool or ``downsample`` is not an int.

    See Also
    --------
    small_image : A 5x5 binary image for grids with printed values.

    Examples
    --------
    >>> from convdocs.data import photograph
    >>> photograph().shape, photograph(downsample=4).shape
    ((600, 512), (150, 128))
    >>> image = photograph(gray=False)
    >>> image.shape, image.dtype, bool(0 <= image.min() <= image.max() <= 1)
    ((600, 512, 3), dtype('float64'), True)
    """
    import matplotlib.pyplot as plt
    from matplotlib.cbook import get_sample_data

    gray = check_bool("gray", gray)
    factor = check_int("downsample", downsample)
    with get_sample_data("grace_hopper.jpg") as file:
        image = plt.imread(file).astype(np.float64) / 255
    if factor > min(image.shape[:2]):
        msg = (
            f"downsample must be at most {min(image.shape[:2])} (the image is "
            f"{image.shape[0]}x{image.shape[1]}): a larger block leaves no pixel, got {factor}"
        )
        raise ValueError(msg)
    if gray:
        image = image.mean(axis=2)
    h, w = (n - n % factor for n in image.shape[:2])
    blocks = image[:h, :w].reshape(h // factor, factor, w // factor, factor, *image.shape[2:])
    return blocks.mean(axis=(1, 3))


def small_image():
    """A 5x5 binary image, small enough to print every value.

    Returns
    -------
    numpy.ndarray
        ``(5, 5)`` array of 0s and 1s, dtype int64: a thick diagonal stroke.

    See Also
    --------
    photograph : A real image.
    step_edge : A vertical edge.

    Examples
    --------
    >>> from convdocs.data import small_image
    >>> small_image()
    array([[1, 1, 1, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 1, 1, 1],
           [0, 0, 1, 1, 0],
           [0, 1, 1, 0, 0]])
    """
    return np.array(
        [
            [1, 1, 1, 0, 0],
            [0, 1, 1, 1, 0],
            [0, 0, 1, 1, 1],
            [0, 0, 1, 1, 0],
            [0, 1, 1, 0, 0],
        ]
    )


def step_edge(size=7, edge=None):
    """A square image, 0 left of column ``edge`` and 1 from it on: one vertical edge.

    Parameters
    ----------
    size : int, default 7
        Height and width.
    edge : int, optional
        First column of ones; defaults to the middle column ``size // 2``.

    Returns
    -------
    numpy.ndarray
        ``(size, size)`` float64 array.

    Raises
    ------
    ValueError
        If ``size`` is not positive or ``edge`` is outside ``0 .. size``, or the image
        would have more than 2**32 pixels (``size`` above 65536).
    TypeError
        If an argument is not an int.

    See Also
    --------
    small_image : A 5x5 binary image whose every value can be printed.

    Examples
    --------
    >>> from convdocs.data import step_edge
    >>> step_edge(4)
    array([[0., 0., 1., 1.],
           [0., 0., 1., 1.],
           [0., 0., 1., 1.],
           [0., 0., 1., 1.]])
    """
    size = check_int("size", size)
    edge = size // 2 if edge is None else check_int("edge", edge, minimum=0)
    if edge > size:
        msg = f"edge must be between 0 and size ({size}), got {edge}"
        raise ValueError(msg)
    check_entries("the image", (size, size), f"size {size}")
    image = np.zeros((size, size))
    image[:, edge:] = 1.0
    return image
