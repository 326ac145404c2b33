"""convdocs.padding against numpy.pad, PyTorch, OpenCV and scipy.ndimage, pixel for pixel.

Every non-None entry of PADDING_MODES for an installed library is checked by padding
the same random arrays with that library; TensorFlow is not installed, so only its
documented names are pinned.
"""

import re
from dataclasses import dataclass, fields

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage

from convdocs import PADDING_MODES, canonical_mode, pad
from tests.bad_calls import bad_input_test

MODES = [mode.name for mode in PADDING_MODES]
DTYPES = ["uint8", "int16", "int64", "float16", "float32", "float64", "bool", "complex128"]


@dataclass(frozen=True)
class Case:
    """A random array, a padding ((top, bottom), (left, right)), a mode and a fill value."""

    x: np.ndarray
    pads: tuple[tuple[int, int], tuple[int, int]]
    mode: str
    value: float

    @property
    def entry(self):
        return PADDING_MODES[self.mode]

    def expected_shape(self):
        (top, bottom), (left, right) = self.pads
        h, w = self.x.shape[-2:]
        return (*self.x.shape[:-2], top + h + bottom, left + w + right)


def random_array(seed: int, shape, dtype: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(
            max(info.min, -1000), min(info.max, 1000), shape, endpoint=True
        ).astype(dtype)
    values = rng.standard_normal(shape) * 10
    if dtype.kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    return values.astype(dtype)


def wide(_mode: str, size: int) -> int:
    """Largest pad drawn for numpy-like libraries: more than twice the size (repeats)."""
    return 2 * size + 1


def torch_limit(mode: str, size: int) -> int:
    """PyTorch's limits: reflect needs pad < size, circular pad <= size."""
    return {"reflect": size - 1, "circular": size}.get(mode, 2 * size + 1)


@st.composite
def cases(draw, modes=tuple(MODES), dtypes=tuple(DTYPES), ranks=(2, 3, 4), limit=wide):
    mode = draw(st.sampled_from(modes))
    rank = draw(st.sampled_from(ranks))
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    lead = draw(st.lists(st.integers(1, 3), min_size=rank - 2, max_size=rank - 2))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    x = random_array(draw(st.integers(0, 2**32 - 1)), (*lead, h, w), dtype)
    pads = tuple(
        (draw(st.integers(0, limit(mode, n))), draw(st.integers(0, limit(mode, n))))
        for n in (h, w)
    )
    value = 0
    if mode == "zeros" and draw(st.booleans()):
        if dtype.kind == "b":
            value = draw(st.booleans())
        elif dtype.kind in "iu":
            info = np.iinfo(dtype)
            value = draw(st.integers(max(info.min, -1000), min(info.max, 1000)))
        else:
            value = draw(st.floats(-1e4, 1e4, width=16))
    return Case(x, pads, mode, value)


def index_formula(n: int, i: np.ndarray, mode: str) -> np.ndarray:
    """The source pixel of padded index i, as the Notes of ``pad`` state it."""
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    if mode == "circular":
        return i % n
    if mode == "symmetric":
        r = i % (2 * n)
        return np.minimum(r, 2 * n - 1 - r)
    if n == 1:  # reflect
        return np.zeros_like(i)
    r = i % (2 * n - 2)
    return np.minimum(r, 2 * n - 2 - r)


def valid_correlation(padded: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    windows = sliding_window_view(padded, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


# --- numpy ---------------------------------------------------------------------------


@given(cases())
def test_pad_matches_numpy_pad_on_the_last_two_axes(case):
    got = pad(case.x, case.pads, mode=case.mode, value=case.value)
    width = ((0, 0),) * (case.x.ndim - 2) + case.pads
    kwargs = {"constant_values": case.value} if case.mode == "zeros" else {}
    expected = np.pad(case.x, width, mode=case.entry.numpy, **kwargs)
    assert got.dtype == case.x.dtype
    assert got.shape == case.expected_shape()
    np.testing.assert_array_equal(got, expected)


@given(cases(modes=("reflect", "replicate", "symmetric", "circular")))
def test_pad_follows_the_index_formula_of_the_docs(case):
    """An implementation independent of numpy.pad: the formulas in pad's Notes."""
    (top, bottom), (left, right) = case.pads
    h, w = case.x.shape[-2:]
    rows = index_formula(h, np.arange(-top, h + bottom), case.mode)
    cols = index_formula(w, np.arange(-left, w + right), case.mode)
    expected = case.x[..., rows[:, None], cols[None, :]]
    np.testing.assert_array_equal(pad(case.x, case.pads, mode=case.mode), expected)


@given(cases(ranks=(2, 3)))
def test_the_three_forms_of_pad(case):
    (top, bottom), (left, right) = case.pads
    nested = pad(case.x, case.pads, mode=case.mode, value=case.value)
    np.testing.assert_array_equal(
        pad(case.x, [[top, bottom], [left, right]], case.mode, case.value), nested
    )
    if (top, bottom) == (left, right):
        np.testing.assert_array_equal(pad(case.x, (top, bottom), case.mode, case.value), nested)
        if top == bottom:
            np.testing.assert_array_equal(pad(case.x, top, case.mode, case.value), nested)


def test_a_pair_pads_both_axes_unlike_conv2d_padding():
    x = np.ones((2, 2), dtype=int)
    assert pad(x, (0, 1)).tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]
    assert pad(x, np.int64(1)).shape == (4, 4)


# --- PyTorch -----------------------------------------------------------------------


def as_4d(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(x.reshape((1,) * (4 - x.ndim) + x.shape))


@given(cases(("zeros", "reflect", "replicate", "circular"), ("float64",), limit=torch_limit))
def test_torch_functional_pad_and_padding_layers(case):
    (top, bottom), (left, right) = case.pads
    expected = pad(case.x, case.pads, mode=case.mode, value=case.value)
    t = as_4d(case.x)
    kwargs = {"value": case.value} if case.mode == "zeros" else {}
    got = F.pad(t, (left, right, top, bottom), mode=case.entry.torch_pad, **kwargs)
    np.testing.assert_array_equal(got.numpy().reshape(expected.shape), expected)
    layer_class = getattr(torch.nn, case.entry.torch_layer)
    layer = layer_class((left, right, top, bottom))
    if case.mode == "zeros" and case.value:
        layer = torch.nn.ConstantPad2d((left, right, top, bottom), case.value)
    np.testing.assert_array_equal(layer(t).numpy().reshape(expected.shape), expected)


def conv2d_padded(x: np.ndarray, padding: tuple[int, int], padding_mode: str) -> np.ndarray:
    """The padded input Conv2d(padding_mode=...) sees, read through identity kernels.

    Output channel (i, j) has a single 1 at tap (i, j), so it returns the padded input
    shifted by (i, j); together the channels cover every padded pixel.
    """
    ph, pw = padding
    kh, kw = 2 * ph + 1, 2 * pw + 1
    conv = torch.nn.Conv2d(
        1, kh * kw, (kh, kw), padding=padding, padding_mode=padding_mode, bias=False
    ).double()
    h, w = x.shape[-2:]
    batch = torch.from_numpy(x.reshape(-1, 1, h, w))
    with torch.no_grad():
        conv.weight.copy_(torch.eye(kh * kw, dtype=torch.float64).reshape(kh * kw, 1, kh, kw))
        shifted = conv(batch).numpy().reshape(-1, kh, kw, h, w)
    padded = np.full((len(batch), h + 2 * ph, w + 2 * pw), np.nan)
    for i in range(kh):
        for j in range(kw):
            padded[:, i : i + h, j : j + w] = shifted[:, i, j]
    return padded.reshape((*x.shape[:-2], h + 2 * ph, w + 2 * pw))


@given(cases(("zeros", "reflect", "replicate", "circular"), ("float64",), limit=torch_limit))
def test_torch_conv2d_padding_mode(case):
    padding = tuple(before for before, _ in case.pads)  # Conv2d pads symmetrically
    got = conv2d_padded(case.x, padding, case.entry.torch_conv)
    expected = pad(case.x, tuple((p, p) for p in padding), mode=case.mode)
    np.testing.assert_array_equal(got, expected)


def test_torch_refuses_pads_that_numpy_repeats():
    """The limits pad's Notes state; convdocs (like numpy and OpenCV) has none."""
    t = torch.zeros(1, 1, 3, 3, dtype=torch.float64)
    F.pad(t, (2, 2, 0, 0), mode="reflect")  # pad < size: fine
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        F.pad(t, (3, 3, 0, 0), mode="reflect")
    F.pad(t, (3, 3, 0, 0), mode="circular")  # pad == size: fine
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(t, (4, 4, 0, 0), mode="circular")
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        torch.nn.Conv2d(1, 1, 7, padding=3, padding_mode="reflect").double()(t)
    x = np.arange(1, 4)[None]
    assert pad(x, ((0, 0), (3, 3)), mode="reflect").tolist() == [[2, 3, 2, 1, 2, 3, 2, 1, 2]]
    assert pad(x, ((0, 0), (4, 4)), mode="circular").tolist() == [
        [3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1]
    ]


# --- OpenCV ------------------------------------------------------------------------


@given(cases(dtypes=("uint8", "float32", "float64")))
def test_opencv_copy_make_border(case):
    (top, bottom), (left, right) = case.pads
    border = getattr(cv2, case.entry.opencv)
    h, w = case.x.shape[-2:]
    slices = [
        cv2.copyMakeBorder(image, top, bottom, left, right, border, value=case.value)
        for image in case.x.reshape(-1, h, w)
    ]
    expected = np.stack(slices).reshape(case.expected_shape())
    got = pad(case.x, case.pads, mode=case.mode, value=case.value)
    assert got.dtype == expected.dtype == case.x.dtype
    np.testing.assert_array_equal(got, expected)


def test_opencv_border_constants_are_the_ints_canonical_mode_explains():
    for entry in PADDING_MODES:
        constant = getattr(cv2, entry.opencv)
        with pytest.raises(TypeError, match=rf"got {constant}: .* use mode='{entry.name}'$"):
            canonical_mode(constant)
    assert cv2.BORDER_DEFAULT == cv2.BORDER_REFLECT101 == cv2.BORDER_REFLECT_101


# Other libraries' names that canonical_mode refuses, checked with the library itself:
# the mode its message recommends must give the library's pixels.
OPENCV_NAMES = [
    "BORDER_CONSTANT",
    "BORDER_REFLECT_101",
    "BORDER_REFLECT101",
    "BORDER_DEFAULT",
    "BORDER_REFLECT",
    "BORDER_REPLICATE",
    "BORDER_WRAP",
]
SCIPY_NAMES = ["grid-constant", "mirror", "grid-mirror", "nearest", "grid-wrap"]


def recommended_mode(name) -> str:
    with pytest.raises((TypeError, ValueError)) as info:
        canonical_mode(name)
    return re.search(r"use mode='(\w+)'", str(info.value)).group(1)


@pytest.mark.parametrize("name", OPENCV_NAMES)
@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_opencv_names_are_translated_correctly(name, dtype):
    x = random_array(1, (5, 4), dtype)
    border = getattr(cv2, name)
    for spelling in (name, name.lower(), border):
        mode = recommended_mode(spelling)
        for pads in [(1, 2, 3, 0), (6, 7, 9, 8)]:
            expected = cv2.copyMakeBorder(x, *pads, border)
            got = pad(x, (pads[:2], pads[2:]), mode=mode)
            np.testing.assert_array_equal(got, expected)


# --- scipy.ndimage ------------------------------------------------------------------


def scipy_correlate(x, pads, scipy_mode, value, seed):
    """ndimage.correlate with a random kernel whose origin reproduces ``pads``."""
    kernel = np.random.default_rng(seed).standard_normal([b + a + 1 for b, a in pads])
    origin = [before - k // 2 for (before, _), k in zip(pads, kernel.shape)]
    expected = ndimage.correlate(x, kernel, mode=scipy_mode, cval=value, origin=origin)
    return expected, kernel


@given(cases(dtypes=("float64",), ranks=(2,)), st.integers(0, 2**32 - 1))
def test_scipy_ndimage_filter_modes(case, seed):
    """correlate(x, k, mode=m) == valid correlation of pad(x) with an asymmetric kernel."""
    expected, kernel = scipy_correlate(case.x, case.pads, case.entry.scipy, case.value, seed)
    padded = pad(case.x, case.pads, mode=case.mode, value=case.value)
    np.testing.assert_allclose(valid_correlation(padded, kernel), expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("name", SCIPY_NAMES)
def test_scipy_names_are_translated_correctly(name):
    x = random_array(2, (5, 4), "float64")
    mode = recommended_mode(name)
    for pads in [((1, 2), (3, 0)), ((6, 7), (9, 8))]:
        expected, kernel = scipy_correlate(x, pads, name, 0.0, seed=3)
        got = valid_correlation(pad(x, pads, mode=mode), kernel)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)


def test_scipy_reflect_is_convdocs_symmetric():
    """The trap: the same word, a different mode; convdocs cannot catch it, so it is pinned."""
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    kernel = np.zeros((1, 7))
    kernel[0, 0] = 1  # picks the pixel three to the left
    assert ndimage.correlate(x, kernel, mode="reflect")[0, 0] == 3  # c b a | a ...
    assert pad(x, ((0, 0), (3, 3)), mode="symmetric")[0, 0] == 3
    assert pad(x, ((0, 0), (3, 3)), mode="reflect")[0, 0] == 4  # d c b | a ...
    assert ndimage.correlate(x, kernel, mode="mirror")[0, 0] == 4


# --- TensorFlow (not installed: its documented names) --------------------------------


def test_tensorflow_names_are_the_documented_ones():
    # tf.pad(tensor, paddings, mode='CONSTANT'): "One of 'CONSTANT', 'REFLECT', or
    # 'SYMMETRIC' (case-insensitive)"; REFLECT excludes the edge, SYMMETRIC repeats it.
    names = {mode.name: mode.tensorflow for mode in PADDING_MODES}
    assert names == {
        "zeros": "CONSTANT",
        "reflect": "REFLECT",
        "replicate": None,
        "symmetric": "SYMMETRIC",
        "circular": None,
    }
    for name in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        assert PADDING_MODES[name].tensorflow == name  # TF's names are accepted as they are


# The worked example of tf.pad's documentation: t = [[1, 2, 3], [4, 5, 6]] padded with
# paddings [[1, 1], [2, 2]] in each mode.
TF_DOCUMENTED_EXAMPLES = {
    "CONSTANT": [[0] * 7, [0, 0, 1, 2, 3, 0, 0], [0, 0, 4, 5, 6, 0, 0], [0] * 7],
    "REFLECT": [[6, 5, 4, 5, 6, 5, 4], [3, 2, 1, 2, 3, 2, 1]] * 2,
    "SYMMETRIC": [[2, 1, 1, 2, 3, 3, 2]] * 2 + [[5, 4, 4, 5, 6, 6, 5]] * 2,
}


@pytest.mark.parametrize("tf_mode", TF_DOCUMENTED_EXAMPLES)
def test_tensorflow_documented_examples(tf_mode):
    (entry,) = [mode for mode in PADDING_MODES if mode.tensorflow == tf_mode]
    t = np.array([[1, 2, 3], [4, 5, 6]])
    assert pad(t, ((1, 1), (2, 2)), mode=entry.name).tolist() == TF_DOCUMENTED_EXAMPLES[tf_mode]


# --- the table ------------------------------------------------------------------------


def test_table_rows_names_and_patterns():
    assert MODES == ["zeros", "reflect", "replicate", "symmetric", "circular"]
    letters = {"0": 0, "a": 1, "b": 2, "c": 3, "d": 4}
    for entry in PADDING_MODES:
        assert canonical_mode(entry.name) == entry.name
        assert PADDING_MODES[entry.name] is entry
        for alias in entry.aliases:
            assert canonical_mode(alias) == canonical_mode(alias.upper()) == entry.name
            assert PADDING_MODES[alias] is entry
        assert canonical_mode(entry.numpy) == entry.name  # every numpy name is accepted
        assert entry.pattern.split(" | ")[1] == "a b c d"
        row = pad(np.array([[1, 2, 3, 4]]), ((0, 0), (3, 3)), mode=entry.name)
        assert row[0].tolist() == [letters[c] for c in entry.pattern.split() if c != "|"]
    assert "edge" in PADDING_MODES
    assert PADDING_MODES["reflect"] in PADDING_MODES
    assert "mirror" not in PADDING_MODES
    assert 4 not in PADDING_MODES
    assert len(PADDING_MODES) == 5


def test_table_as_rows_str_and_html():
    rows = PADDING_MODES.as_rows()
    assert len(rows) == 6
    assert all(len(row) == len(fields(PADDING_MODES["zeros"])) for row in rows)
    assert rows[0][:4] == ("convdocs", "aliases", "pattern (pad 3)", "numpy.pad")
    assert rows[4][rows[0].index("F.pad")] == "—"  # PyTorch has no symmetric mode
    assert PADDING_MODES.as_rows(["name", "opencv"], header=False, missing="-") == [
        ("zeros", "BORDER_CONSTANT"),
        ("reflect", "BORDER_REFLECT_101"),
        ("replicate", "BORDER_REPLICATE"),
        ("symmetric", "BORDER_REFLECT"),
        ("circular", "BORDER_WRAP"),
    ]
    text = str(PADDING_MODES)
    assert text.splitlines()[0].split()[:2] == ["convdocs", "aliases"]
    assert "BORDER_REFLECT_101  mirror" in text
    html = PADDING_MODES._repr_html_()
    assert html.count("<tr>") == 6
    assert "<th>tf.pad</th>" in html
    assert repr(PADDING_MODES) == (
        "PaddingModeTable(zeros, reflect, replicate, symmetric, circular)"
    )


def test_canonical_mode_is_case_insensitive_for_its_own_names():
    assert canonical_mode("ZEROS") == "zeros"
    assert canonical_mode("Circular") == "circular"
    assert canonical_mode("Edge") == "replicate"
    assert canonical_mode("constant") == "zeros"


# --- pinned examples (the numbers a reader sees) ------------------------------------
ROW_EXAMPLES = {
    "zeros": [0, 0, 0, 1, 2, 3, 4, 0, 0, 0],
    "reflect": [4, 3, 2, 1, 2, 3, 4, 3, 2, 1],
    "replicate": [1, 1, 1, 1, 2, 3, 4, 4, 4, 4],
    "symmetric": [3, 2, 1, 1, 2, 3, 4, 4, 3, 2],
    "circular": [2, 3, 4, 1, 2, 3, 4, 1, 2, 3],
}
GRID_EXAMPLES = {  # np.arange(1, 10).reshape(3, 3) padded by 1
    "zeros": [[0, 0, 0, 0, 0], [0, 1, 2, 3, 0], [0, 4, 5, 6, 0], [0, 7, 8, 9, 0], [0] * 5],
    "reflect": [
        [5, 4, 5, 6, 5],
        [2, 1, 2, 3, 2],
        [5, 4, 5, 6, 5],
        [8, 7, 8, 9, 8],
        [5, 4, 5, 6, 5],
    ],
    "replicate": [
        [1, 1, 2, 3, 3],
        [1, 1, 2, 3, 3],
        [4, 4, 5, 6, 6],
        [7, 7, 8, 9, 9],
        [7, 7, 8, 9, 9],
    ],
    "symmetric": [
        [1, 1, 2, 3, 3],
        [1, 1, 2, 3, 3],
        [4, 4, 5, 6, 6],
        [7, 7, 8, 9, 9],
        [7, 7, 8, 9, 9],
    ],
    "circular": [
        [9, 7, 8, 9, 7],
        [3, 1, 2, 3, 1],
        [6, 4, 5, 6, 4],
        [9, 7, 8, 9, 7],
        [3, 1, 2, 3, 1],
    ],
}


@pytest.mark.parametrize("mode", MODES)
def test_pinned_row_and_grid(mode):
    row = pad(np.array([[1, 2, 3, 4]]), ((0, 0), (3, 3)), mode=mode)
    assert row.tolist() == [ROW_EXAMPLES[mode]]
    grid = pad(np.arange(1, 10).reshape(3, 3), 1, mode=mode)
    assert grid.tolist() == GRID_EXAMPLES[mode]


def test_symmetric_differs_from_replicate_only_beyond_one_pixel():
    x = np.arange(1, 10).reshape(3, 3)
    assert pad(x, 2, mode="symmetric")[0].tolist() == [5, 4, 4, 5, 6, 6, 5]
    assert pad(x, 2, mode="replicate")[0].tolist() == [1, 1, 1, 2, 3, 3, 3]


def test_fill_value_and_asymmetric_pad():
    x = np.arange(1, 10).reshape(3, 3)
    assert pad(x, ((0, 1), (2, 0)), mode="constant", value=-1).tolist() == [
        [-1, -1, 1, 2, 3],
        [-1, -1, 4, 5, 6],
        [-1, -1, 7, 8, 9],
        [-1, -1, -1, -1, -1],
    ]


@pytest.mark.parametrize("mode", MODES)
def test_uint8_image_keeps_its_dtype_and_values(mode):
    image = np.array([[0, 255, 17], [128, 1, 254]], dtype=np.uint8)
    value = 255 if mode == "zeros" else 0
    padded = pad(image, ((2, 3), (4, 1)), mode=mode, value=value)
    assert padded.dtype == np.uint8
    assert padded.shape == (7, 8)
    np.testing.assert_array_equal(padded[2:4, 4:7], image)
    assert set(padded.ravel()) <= set(image.ravel()) | {value}
    np.testing.assert_array_equal(
        padded,
        cv2.copyMakeBorder(
            image, 2, 3, 4, 1, getattr(cv2, PADDING_MODES[mode].opencv), value=value
        ),
    )


def test_pad_returns_a_new_array_and_accepts_lists():
    x = np.ones((2, 2))
    y = pad(x, 0)
    y[0, 0] = 5
    assert x[0, 0] == 1
    assert pad([[1, 2]], 1, mode="edge").tolist() == [[1, 1, 2, 2]] * 3
    assert pad(np.zeros((0, 3)), 1).shape == (2, 5)  # zeros can pad an empty axis
    assert pad(np.zeros((2, 0)), ((1, 1), (0, 0)), mode="reflect").shape == (4, 0)


def test_libraries_disagree_on_fill_values_that_do_not_fit():
    """The claim in pad's Notes: wrap-around, saturation and refusal; convdocs refuses."""
    x = np.zeros((1, 1), dtype=np.uint8)
    assert np.pad(x, 1, constant_values=300)[0, 0] == 44
    assert np.pad(x, 1, constant_values=-1)[0, 0] == 255
    assert cv2.copyMakeBorder(x, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=300)[0, 0] == 255
    assert cv2.copyMakeBorder(x, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=-1)[0, 0] == 0
    assert cv2.copyMakeBorder(x, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=1.6)[0, 0] == 2
    with pytest.raises(RuntimeError, match="without overflow"):
        F.pad(torch.from_numpy(x), (1, 1, 1, 1), value=300)
    assert F.pad(torch.from_numpy(x), (1, 1, 1, 1), value=1.6)[0, 0] == 1
    for value in (300, -1, 1.6):
        with pytest.raises(ValueError, match="cannot be stored in x's dtype uint8"):
            pad(x, 1, value=value)


# --- bad input ---------------------------------------------------------------------------
X = np.arange(12, dtype=np.uint8).reshape(3, 4)
ALLOWED_PAD = (
    r"pad must be a non-negative int, a \(before, after\) pair, "
    r"or \(\(top, bottom\), \(left, right\)\), got "
)
ALLOWED_MODES = (
    r"Allowed: 'zeros', 'reflect', 'replicate', 'symmetric', 'circular' "
    r"\(or the aliases 'constant', 'edge', 'wrap'\)$"
)


def hint(name, convdocs_name):
    """The message for another library's name: what it is here, and what to write."""
    return (
        rf"mode '{name}' is .* convdocs calls '{convdocs_name}' .*: use mode='{convdocs_name}'\."
    )


BAD_CALLS = [
    # pad
    (pad, (X, 1.0), {}, TypeError, ALLOWED_PAD + r"1.0 \(type float\)"),
    (pad, (X, True), {}, TypeError, ALLOWED_PAD + r"True \(type bool\)"),
    (pad, (X, "1"), {}, TypeError, ALLOWED_PAD + r"'1' \(type str\)"),
    (pad, (X, None), {}, TypeError, ALLOWED_PAD + r"None \(type NoneType\)"),
    (pad, (X, np.array([1, 1])), {}, TypeError, ALLOWED_PAD + r"array\(\[1, 1\]\)"),
    (pad, (X, -1), {}, ValueError, ALLOWED_PAD + r"-1$"),
    (pad, (X, (1, -2)), {}, ValueError, ALLOWED_PAD + r"\(1, -2\)$"),
    (pad, (X, ((0, 0), (0, -1))), {}, ValueError, ALLOWED_PAD + r"\(\(0, 0\), \(0, -1\)\)$"),
    (pad, (X, (1, 2, 3)), {}, ValueError, ALLOWED_PAD + r"\(1, 2, 3\)$"),
    (pad, (X, ((1,), (1, 1))), {}, ValueError, ALLOWED_PAD + r"\(\(1,\), \(1, 1\)\)$"),
    (pad, (X, ((1, 1), 2)), {}, TypeError, ALLOWED_PAD + r"\(\(1, 1\), 2\)$"),
    (pad, (X, (1, 1.5)), {}, TypeError, ALLOWED_PAD + r"\(1, 1.5\)$"),
    (pad, (X, ((1, 1), (0, 2.0))), {}, TypeError, ALLOWED_PAD + r"\(\(1, 1\), \(0, 2.0\)\)$"),
    # mode: other libraries' names
    (pad, (X, 1, "BORDER_REFLECT_101"), {}, ValueError, hint("BORDER_REFLECT_101", "reflect")),
    (pad, (X, 1, "BORDER_DEFAULT"), {}, ValueError, hint("BORDER_DEFAULT", "reflect")),
    (pad, (X, 1, "reflect_101"), {}, ValueError, hint("reflect_101", "reflect")),
    (
        pad,
        (X, 1, "mirror"),
        {},
        ValueError,
        r"scipy\.ndimage's 'mirror', which convdocs calls 'reflect'",
    ),
    (pad, (X, 1, "reflection"), {}, ValueError, hint("reflection", "reflect")),
    (
        pad,
        (X, 1, "BORDER_REFLECT"),
        {},
        ValueError,
        (
            r"OpenCV's cv2\.BORDER_REFLECT, which convdocs calls 'symmetric' "
            r"\(c b a \| a b c d \| d c b\)"
        ),
    ),
    (pad, (X, 1, "half-symmetric"), {}, ValueError, hint("half-symmetric", "symmetric")),
    (pad, (X, 1, "grid-mirror"), {}, ValueError, hint("grid-mirror", "symmetric")),
    (pad, (X, 1, "BORDER_REPLICATE"), {}, ValueError, hint("BORDER_REPLICATE", "replicate")),
    (pad, (X, 1, "nearest"), {}, ValueError, hint("nearest", "replicate")),
    (pad, (X, 1, "BORDER_WRAP"), {}, ValueError, hint("BORDER_WRAP", "circular")),
    (pad, (X, 1, "grid-wrap"), {}, ValueError, hint("grid-wrap", "circular")),
    (pad, (X, 1, "periodic"), {}, ValueError, r"mode 'periodic' means 'circular'"),
    (pad, (X, 1, "BORDER_CONSTANT"), {}, ValueError, hint("BORDER_CONSTANT", "zeros")),
    (pad, (X, 1, "grid-constant"), {}, ValueError, hint("grid-constant", "zeros")),
    (
        pad,
        (X, 1, "same"),
        {},
        ValueError,
        r"'same' is an amount of padding .* not a mode .*convdocs\.same_padding",
    ),
    (pad, (X, 1, "valid"), {}, ValueError, r"'valid' is an amount of padding"),
    (pad, (X, 1, "mean"), {}, ValueError, r"'mean' is a numpy\.pad mode .*call numpy\.pad"),
    (
        pad,
        (X, 1, "BORDER_TRANSPARENT"),
        {},
        ValueError,
        r"OpenCV flag with no convdocs equivalent",
    ),
    (pad, (X, 1, "foo"), {}, ValueError, r"mode 'foo' is not a padding mode\. " + ALLOWED_MODES),
    (pad, (X, 1, ""), {}, ValueError, r"mode '' is not a padding mode"),
    # mode: not a string
    (
        pad,
        (X, 1, 4),
        {},
        TypeError,
        (
            r"mode must be a str such as 'reflect', got 4: 4 is cv2\.BORDER_REFLECT_101 "
            r"\(= cv2\.BORDER_DEFAULT\), which convdocs calls 'reflect'"
        ),
    ),
    (
        pad,
        (X, 1, 2),
        {},
        TypeError,
        (
            r"got 2: 2 is cv2\.BORDER_REFLECT, which convdocs calls 'symmetric' "
            r".*use mode='symmetric'$"
        ),
    ),
    (pad, (X, 1, 0), {}, TypeError, r"cv2\.BORDER_CONSTANT, which convdocs calls 'zeros'"),
    (pad, (X, 1, 7), {}, TypeError, r"mode must be a str such as 'reflect', got 7$"),
    (pad, (X, 1, True), {}, TypeError, r"got True \(type bool\)$"),
    (pad, (X, 1, None), {}, TypeError, r"got None \(type NoneType\)$"),
    # value
    (
        pad,
        (X, 1, "reflect", 1),
        {},
        ValueError,
        (
            r"value=1 is the fill value of mode='zeros'; "
            r"mode='reflect' copies pixels of x and takes no value"
        ),
    ),
    (
        pad,
        (X, 1),
        {"mode": "wrap", "value": np.nan},
        ValueError,
        r"value=nan .*mode='circular' copies",
    ),
    (
        pad,
        (X, 1),
        {"value": 300},
        ValueError,
        (
            r"value=300 cannot be stored in x's dtype uint8 \(integers from 0 to 255\) "
            r"without changing it; convert x first"
        ),
    ),
    (pad, (X, 1), {"value": -1}, ValueError, r"value=-1 cannot be stored in x's dtype uint8"),
    (
        pad,
        (X.astype(np.int32), 1),
        {"value": 0.5},
        ValueError,
        r"value=0.5 cannot be stored in x's dtype int32",
    ),
    (pad, (X.astype(np.int32), 1), {"value": np.inf}, ValueError, r"value=inf cannot be stored"),
    (pad, (X > 5, 1), {"value": 2}, ValueError, r"dtype bool \(booleans from 0 to 1\)"),
    (
        pad,
        (X.astype(np.float16), 1),
        {"value": 1e6},
        ValueError,
        r"value=1000000.0 overflows x's dtype float16 \(largest finite value 65504.0\)",
    ),
    (pad, (X, 1), {"value": "0"}, TypeError, r"value must be a real number, got '0' \(type str\)"),
    (pad, (X, 1), {"value": [0]}, TypeError, r"value must be a real number, got \(0,\)"),
    (
        pad,
        (X, 1),
        {"value": 1j},
        TypeError,
        r"value must be a real number, got 1j \(type complex\)",
    ),
    (pad, (X, 1), {"value": None}, TypeError, r"value must be a real number, got None"),
    # x
    (
        pad,
        (np.arange(3), 1),
        {},
        ValueError,
        r"x must have at least 2 dimensions \(\.\.\., H, W\), got shape \(3,\)",
    ),
    (pad, (np.float64(1), 1), {}, ValueError, r"got shape \(\)"),
    (pad, (np.array([["a", "b"]]), 1), {}, TypeError, r"x must be a numeric array, got dtype <U1"),
    (
        pad,
        (np.zeros((0, 3)), 1, "reflect"),
        {},
        ValueError,
        (
            r"x has shape \(0, 3\): its height is 0, so mode 'reflect' has no pixels to copy; "
            r"only mode='zeros'"
        ),
    ),
    (
        pad,
        (np.zeros((2, 0)), ((0, 0), (1, 0)), "wrap"),
        {},
        ValueError,
        r"its width is 0, so mode 'circular'",
    ),
    # canonical_mode and the table
    (canonical_mode, ("BORDER_REFLECT101",), {}, ValueError, hint("BORDER_REFLECT101", "reflect")),
    (
        canonical_mode,
        ("zero",),
        {},
        ValueError,
        r"mode 'zero' means 'zeros' \(0 0 0 \| a b c d \| 0 0 0\)",
    ),
    (canonical_mode, (b"reflect",), {}, TypeError, r"got b'reflect' \(type bytes\)"),
    (
        PADDING_MODES.__getitem__,
        (0,),
        {},
        TypeError,
        (
            r"PADDING_MODES is indexed by mode name, e\.g\. PADDING_MODES\['reflect'\], "
            r"got 0; iterate"
        ),
    ),
    (PADDING_MODES.__getitem__, ("mirror",), {}, ValueError, hint("mirror", "reflect")),
    (
        PADDING_MODES.as_rows,
        (["name", "keras"],),
        {},
        ValueError,
        r"columns must be fields of PaddingMode .*got \['keras'\]",
    ),
]


test_bad_input_raises_a_clear_error = bad_input_test(BAD_CALLS)
