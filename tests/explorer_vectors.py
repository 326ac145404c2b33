"""Test vectors for the explorer's arithmetic module (docs/_static/explorer/arith.js).

Every expected value comes from calling convdocs (and PyTorch, for PyTorch's own
refusals), never from a formula written here, so a change in the Python package that
the JavaScript does not follow fails tests/test_explorer_arith.py. The few texts that
convdocs has no message for (PyTorch refusals convdocs never meets) and the layout of
the filled-in formula are the module's specification and are spelled out below.

Usage: ``python tests/explorer_vectors.py OUT.json``; or ``generate(seed)`` from Python.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

from convdocs import (
    Conv,
    colliding_input_sizes,
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    parse_layers,
    receptive_field,
    same_padding,
    solve_padding,
)
from convdocs.arithmetic import torch_padding
from convdocs.plot import _geometry
from convdocs.receptive import ConvTranspose, Pool, Upsample

# convdocs' explanations where it has no message of its own (arith.js MESSAGES).
SAME_STRIDE = (
    'PyTorch\'s padding="same" needs stride 1: with a larger stride the padding that keeps '
    'ceil(i / s) outputs depends on the input size (TensorFlow\'s "SAME" computes it per '
    "input size)"
)
STRING_TRANSPOSED = (
    "a transposed convolution (ConvTranspose2d) takes integer padding only: its padding "
    "crops the output instead of padding the input"
)
ROLE_LETTERS = np.array(list("piz"))  # plot._ROLES: padding, input, inserted zero
FULL_ROLES = 400  # grids up to this many cells are compared whole, larger ones sampled


def _error(function, *args):
    """``(value, None)`` or ``(None, message)`` for a call that may raise ValueError."""
    try:
        return function(*args), None
    except ValueError as err:
        return None, str(err)


def _pair(value):
    return list(value) if isinstance(value, tuple) else value


# --- per-axis calls -----------------------------------------------------------------------


def _scalar_vectors(rng: random.Random) -> list:
    """One-dimensional calls: ``[name, args, expected, error]``."""
    out = []

    def add(name, args, function, *call_args):
        value, error = _error(function, *call_args)
        if isinstance(value, range):
            value = [value.start, value.stop - 1]
        out.append([name, args, _pair(value), error])

    for _ in range(1500):
        i, k, s, d = rng.randint(1, 40), rng.randint(1, 9), rng.randint(1, 4), rng.randint(1, 4)
        b, a, o, extra = (
            rng.randint(0, 5),
            rng.randint(0, 5),
            rng.randint(1, 40),
            rng.randint(0, 4),
        )
        ceil = rng.random() < 0.3
        add("effectiveKernelSize", [k, d], effective_kernel_size, k, d)
        add(
            "convOutputSize",
            [i, k, s, [b, a], d, ceil],
            conv_output_size,
            i,
            k,
            s,
            (b, a),
            d,
            ceil,
        )
        add("convTransposeOutputSize", [i, k, s, [b, a], extra, d],
            conv_transpose_output_size, i, k, s, (b, a), extra, d)  # fmt: skip
        add("samePadding", [i, k, s, d], same_padding, i, k, s, d)
        add("solvePadding", [i, o, k, s, d], solve_padding, i, o, k, s, d)
        add("collidingInputSizes", [o, k, s, [b, a], d],
            colliding_input_sizes, o, k, s, (b, a), d)  # fmt: skip
    for k, d in itertools.product(range(1, 10), range(1, 5)):
        add("torchSamePadding", [k, d], lambda k, d: torch_padding("same", (k,), (d,))[0], k, d)
    return out


def _check_torch_same_padding():
    """PyTorch's padding="same" is F.pad with torch_padding's pair, then no padding."""
    x = torch.arange(23, dtype=torch.float64).reshape(1, 1, 23) ** 2
    for k, d in itertools.product(range(1, 10), range(1, 5)):
        w = torch.arange(1, k + 1, dtype=torch.float64).reshape(1, 1, k)
        (pair,) = torch_padding("same", (k,), (d,))
        with warnings.catch_warnings():  # even kernels: PyTorch warns that it copies
            warnings.simplefilter("ignore", UserWarning)
            same = F.conv1d(x, w, padding="same", dilation=d)
        assert torch.equal(same, F.conv1d(F.pad(x, pair), w, dilation=d)), (k, d)


# --- one layer in 2-D ---------------------------------------------------------------------


def _torch_refusal(st, run=True) -> str | None:
    """The first line of PyTorch's message for these settings, or None if it runs
    (``run=False``: None without running the layer, when convdocs accepts a large input)."""
    pad = st["padding"]
    if pad == "SAME" and not st["transposed"]:  # TensorFlow's rule, applied with F.pad
        return None
    pad = tuple(pad) if isinstance(pad, list) else pad
    common = {
        "kernel_size": tuple(st["kernel"]),
        "stride": tuple(st["stride"]),
        "dilation": tuple(st["dilation"]),
        "padding": pad,
    }
    try:
        if st["transposed"]:
            layer = torch.nn.ConvTranspose2d(
                1, 1, output_padding=tuple(st["outputPadding"]), **common
            )
        else:
            layer = torch.nn.Conv2d(1, 1, **common)
        if not run:
            return None
        # oneDNN returns an empty tensor for an output size of 0 and fails without naming
        # the sizes for negative ones; PyTorch's own CPU path names them.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            with torch.no_grad(), torch.backends.mkldnn.flags(False):
                layer(torch.zeros(1, 1, *st["input"]))
    except (RuntimeError, ValueError, TypeError) as err:
        return str(err).strip().splitlines()[0]
    return None


def _pads(st):
    pad, kernel, dilation = st["padding"], tuple(st["kernel"]), tuple(st["dilation"])
    if pad == "SAME":
        return same_padding(tuple(st["input"]), kernel, tuple(st["stride"]), dilation)
    return torch_padding(pad if isinstance(pad, str) else tuple(pad), kernel, dilation)


def _formula(i, k, s, d, before, after, out, transposed):
    """The filled-in output-size formula (the widget's layout: see arith.js formula)."""
    if transposed:
        return f"({i} − 1)·{s} − 2·{before} + {d}·({k} − 1) + {after} + 1 = {out}"  # noqa: RUF001
    pad = f"2·{before}" if before == after else f"{before} + {after}"
    return f"⌊({i} + {pad} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {out}"  # noqa: RUF001


def _unread(i, k, s, pads, d, out):
    """Real input rows after the last one any window reads, from the exact field."""
    rf = receptive_field([Conv(k, s, pads, d)], i)
    best = 0
    for u in reversed(range(out)):
        if rf.interval(u)[1] <= best:  # the theoretical field bounds the exact one
            break
        clipped = rf.interval(u, clip=True)
        if clipped is not None:
            best = max(best, clipped[1])
    return i - best


def _grid(st, pads, rng):
    extra = tuple(st["outputPadding"]) if st["transposed"] else (0, 0)
    g = _geometry(tuple(st["input"]), tuple(st["kernel"]), tuple(st["stride"]), pads,
                  tuple(st["dilation"]), st["transposed"], extra)  # fmt: skip
    letters = ROLE_LETTERS[g.codes]
    shape = g.grid_shape
    grid = {
        "shape": list(shape),
        "pads": [list(p) for p in g.padding],
        "stride": list(g.stride),
        "dilation": list(g.dilation),
        "kernel": list(g.kernel),
    }
    if shape[0] * shape[1] <= FULL_ROLES:
        grid["roles"] = ["".join(row) for row in letters]
    samples = []
    for _ in range(4):
        r, c = rng.randrange(shape[0]), rng.randrange(shape[1])
        samples.append([r, c, "".join(letters[r, c : c + 48])])
    grid["roleSamples"] = samples
    oh, ow = g.output_shape
    cells = [(rng.randrange(oh), rng.randrange(ow)) for _ in range(2)]
    # flat [row, col, row, col, ...] lists keep the file small
    grid["taps"] = [[r, c, [v for t in g.taps(r * ow + c) for v in t]] for r, c in cells]
    # feeds: the output cells whose taps include a grid cell; taps are a product of
    # per-axis positions, so the rows come from column 0's taps and the columns from row 0's.
    tap_rows = [{t[0] for t in g.taps(r * ow)} for r in range(oh)] if oh * ow <= 4096 else None
    tap_cols = [{t[1] for t in g.taps(c)} for c in range(ow)] if oh * ow <= 4096 else None
    feeds = []
    for _ in range(2 if tap_rows else 0):
        r, c = rng.randrange(shape[0]), rng.randrange(shape[1])
        rows = [row for row in range(oh) if r in tap_rows[row]]
        cols = [col for col in range(ow) if c in tap_cols[col]]
        feeds.append([r, c, [v for row in rows for col in cols for v in (row, col)]])
    grid["feeds"] = feeds
    # inputCell, where no input row or column is cropped away: the grid rows and columns
    # that hold input cells, in order.
    in_rows = np.flatnonzero((g.codes == 1).any(axis=1))
    in_cols = np.flatnonzero((g.codes == 1).any(axis=0))
    if len(in_rows) == st["input"][0] and len(in_cols) == st["input"][1]:
        pixels = [(0, 0), (st["input"][0] - 1, st["input"][1] - 1)]
        pixels.append((rng.randrange(st["input"][0]), rng.randrange(st["input"][1])))
        grid["inputCells"] = [[y, x, [int(in_rows[y]), int(in_cols[x])]] for y, x in pixels]
    return grid


def expect_layer(st, rng=None) -> dict:
    """What ``analyse(st)`` must return, from convdocs and PyTorch."""
    rng = rng or random.Random(0)
    I, K, S, D = (tuple(st[n]) for n in ("input", "kernel", "stride", "dilation"))
    pad = st["padding"]
    if isinstance(pad, str) and (st["transposed"] or (pad == "same" and max(S) > 1)):
        refused = _torch_refusal(st)
    if st["transposed"] and isinstance(pad, str):
        assert refused is not None
        return {"ok": False, "torch": refused, "message": STRING_TRANSPOSED, "axis": None}
    if not st["transposed"] and pad == "same" and max(S) > 1:
        assert refused is not None
        return {
            "ok": False,
            "torch": refused,
            "message": SAME_STRIDE,
            "axis": 0 if S[0] > 1 else 1,
        }
    pads = _pads(st)
    if st["transposed"]:
        extra = tuple(st["outputPadding"])
        out, message = _error(conv_transpose_output_size, I, K, S, pads, extra, D)
    else:
        out, message = _error(conv_output_size, I, K, S, pads, D)
    # PyTorch runs every small layer, and every one that convdocs refuses (it fails
    # before it computes); convdocs accepts a large one (up to 4096) alike, unrun.
    refused = _torch_refusal(st, run=message is not None or max(I) <= 64)
    if message is not None:
        assert refused is not None, (st, message)
        axis = 1 if "spatial dimension 1" in message else 0
        return {"ok": False, "torch": refused, "message": message, "axis": axis}
    assert refused is None, (st, refused)
    axes = []
    for x in (0, 1):
        i, k, s, d, (b, a) = I[x], K[x], S[x], D[x], pads[x]
        entry = {"output": out[x], "pads": [b, a], "span": effective_kernel_size(k, d)}
        if st["transposed"]:
            extra = st["outputPadding"][x]
            entry["formula"] = _formula(i, k, s, d, b, extra, out[x], True)
            entry["unread"] = 0
            found, error = _error(colliding_input_sizes, i, k, s, (b, a), d)
            entry["colliding"] = {"error": error} if error else [found.start, found.stop - 1]
        else:
            entry["formula"] = _formula(i, k, s, d, b, a, out[x], False)
            entry["unread"] = _unread(i, k, s, (b, a), d, out[x])
            found = colliding_input_sizes(out[x], k, s, (b, a), d)
            entry["colliding"] = [found.start, found.stop - 1]
        entry["tfSame"] = list(same_padding(i, k, s, d))
        keep, error = _error(solve_padding, i, i, k, s, d)
        entry["keep"] = {"error": error} if error else list(keep)
        entry["target"] = None
        if st.get("target") and not st["transposed"]:
            target, error = _error(solve_padding, i, st["target"][x], k, s, d)
            entry["target"] = {"error": error} if error else list(target)
        axes.append(entry)
    grid = _grid(st, pads, rng)
    for x in (0, 1):
        axes[x]["padded"] = grid["shape"][x]
    return {"ok": True, "output": list(out), "pads": [list(p) for p in pads], "axes": axes,
            "grid": grid}  # fmt: skip


def _random_setting(rng: random.Random) -> dict:
    def two(low, high, square=0.6):
        a = rng.randint(low, high)
        return [a, a] if rng.random() < square else [a, rng.randint(low, high)]

    size = two(1, 40)
    if rng.random() < 0.03:
        size = two(41, 4096, 0.5)
    transposed = rng.random() < 0.35
    form = rng.random()
    if form < 0.7:
        padding = two(0, 5)
    else:
        padding = rng.choice(["valid", "same", "SAME"])
        if transposed and rng.random() < 0.8:  # keep the string refusal rare
            padding = two(0, 3)
    st = {
        "input": size,
        "kernel": two(1, 9),
        "stride": two(1, 4, 0.7) if rng.random() < 0.6 else [1, 1],
        "padding": padding,
        "dilation": two(1, 4, 0.8) if rng.random() < 0.35 else [1, 1],
        "transposed": transposed,
        "outputPadding": [0, 0],
        "target": None,
    }
    if transposed:
        st["outputPadding"] = two(0, 4, 0.7) if rng.random() < 0.5 else [0, 0]
    elif rng.random() < 0.3:
        st["target"] = two(1, 45)
    return st


def _layer_vectors(rng: random.Random, count: int = 5000) -> list:
    vectors = []
    kinds = {}
    while len(vectors) < count:
        st = _random_setting(rng)
        expected = expect_layer(st, rng)
        if not expected["ok"]:
            kind = expected["torch"] and expected["torch"][:24]
            kinds[kind] = kinds.get(kind, 0) + 1
        vectors.append([st, expected])
    # every refusal kind, deliberately
    st = _random_setting(random.Random(1))
    st.update(transposed=False, outputPadding=[0, 0], target=None)
    extra = [
        dict(st, input=[5, 5], kernel=[7, 7], padding=[0, 0], dilation=[1, 1]),
        dict(st, input=[5, 5], kernel=[3, 4], padding=[0, 0], dilation=[2, 2]),
        dict(st, input=[4, 9], kernel=[7, 3], padding=[1, 0], dilation=[1, 1]),
        dict(st, input=[9, 3], kernel=[3, 9], padding="valid", dilation=[1, 1]),
        dict(st, input=[9, 9], kernel=[3, 3], stride=[2, 1], padding="same"),
        dict(st, input=[9, 9], kernel=[3, 3], stride=[1, 3], padding="same"),
        dict(
            st,
            input=[3, 3],
            kernel=[3, 3],
            stride=[2, 2],
            padding=[1, 1],
            transposed=True,
            outputPadding=[2, 2],
            dilation=[1, 1],
        ),
        dict(
            st,
            input=[3, 3],
            kernel=[3, 3],
            stride=[1, 1],
            padding=[0, 0],
            transposed=True,
            outputPadding=[2, 1],
            dilation=[2, 3],
        ),
        dict(
            st,
            input=[2, 2],
            kernel=[3, 3],
            stride=[1, 1],
            padding=[2, 2],
            transposed=True,
            dilation=[1, 1],
        ),
        dict(
            st,
            input=[2, 2],
            kernel=[3, 3],
            stride=[1, 1],
            padding=[1, 5],
            transposed=True,
            dilation=[1, 1],
        ),
        dict(
            st,
            input=[2, 2],
            kernel=[3, 3],
            stride=[1, 1],
            padding=[5, 1],
            transposed=True,
            outputPadding=[0, 1],
            dilation=[1, 1],
        ),
        dict(st, input=[3, 3], kernel=[3, 3], stride=[1, 1], padding="valid", transposed=True),
        dict(st, input=[3, 3], kernel=[3, 3], stride=[2, 2], padding="same", transposed=True),
        dict(st, input=[3, 3], kernel=[3, 3], stride=[1, 1], padding="SAME", transposed=True),
        dict(st, input=[3, 3], kernel=[3, 3], stride=[1, 1], padding=[5, 5], dilation=[1, 1]),
        dict(
            st,
            input=[4096, 4000],
            kernel=[9, 9],
            stride=[4, 3],
            padding="SAME",
            dilation=[4, 1],
            target=[1024, 2000],
        ),
    ]
    vectors.extend([s, expect_layer(s, rng)] for s in extra)
    return vectors


# --- layer strings ------------------------------------------------------------------------


def spec_dict(spec) -> dict:
    """A layer spec as arith.js's parseLayers gives it."""
    if isinstance(spec, Upsample):
        return {"kind": "up", "scale": _pair(spec.scale_factor)}
    d = {"kind": {Conv: "conv", Pool: "pool", ConvTranspose: "convT"}[type(spec)]}
    d["kernel"] = _pair(spec.kernel_size)
    d["stride"] = _pair(spec.stride)
    d["padding"] = _pair(spec.padding)
    if isinstance(spec, ConvTranspose):
        d["outputPadding"] = _pair(spec.output_padding)
    d["dilation"] = _pair(spec.dilation)
    if isinstance(spec, Pool):
        d["ceilMode"] = spec.ceil_mode
    return d


def _number(rng, low, high, ndim):
    if ndim == 1:
        return str(rng.randint(low, high))
    return "x".join(str(rng.randint(low, high)) for _ in range(ndim))


def _random_layer(rng: random.Random, ndim_bias: float) -> str:
    kind = rng.choices(["conv", "pool", "convT", "up"], [5, 2, 1.5, 1])[0]

    def num(low, high):
        return _number(rng, low, high, 2 if rng.random() < ndim_bias else 1)

    if kind == "up":
        return rng.choice(["up", "Up", "UP"]) + rng.choice(["", "k"]) + num(1, 3)
    parts = [rng.choice(["", "k", "K"]) + num(1, 7)]
    if rng.random() < 0.5:
        parts.append("s" + num(1, 3))
    if rng.random() < 0.4:
        parts.append(rng.choice("pP") + num(0, 3))
    if rng.random() < 0.2:
        parts.append("d" + num(1, 3))
    if kind == "convT" and rng.random() < 0.4:
        parts.append("o" + num(0, 2))
    if kind == "pool" and rng.random() < 0.4:
        parts.append(rng.choice("cC"))
    rng.shuffle(parts[1:])
    head = parts[0]
    if head.startswith(("k", "K")) and rng.random() < 0.5:
        parts = [*parts[1:], head]
    spelled = {"convT": rng.choice(["convT", "convt", "CONVT"])}.get(kind, kind)
    if rng.random() < 0.1:
        spelled = spelled.upper()
    return spelled + "".join(parts)


def _mutate(rng: random.Random, text: str) -> str:
    """A small typo; digit runs stay short, so Python's regex cannot backtrack for long."""
    pos = rng.randrange(len(text) + 1)
    op = rng.random()
    junk = rng.choice("qzx,Xc 0ks-.")
    if op < 0.4:
        return text[:pos] + junk + text[pos:]
    if op < 0.7 and text:
        return text[:pos] + text[pos + 1 :]
    return text[:pos] + junk + text[pos + 1 :]


def _table(text, size):
    try:
        rf = receptive_field(text, size)
    except ValueError as err:
        return {"error": str(err)}
    header, rows = rf._table()
    return {"summary": [list(r) for r in rf._summary()], "header": header, "rows": rows}


def _smallest_input(specs):
    """The least square input size the stack accepts, checking that every size after it
    is accepted too and that the output sizes never shrink as the input grows."""
    accepted, last, smallest = [], None, None
    for n in range(1, 600):
        try:
            out = receptive_field(specs, n).output_size
        except ValueError:
            accepted.append(False)
            continue
        accepted.append(True)
        smallest = smallest or n
        out = out if isinstance(out, tuple) else (out,)
        assert last is None or all(a >= b for a, b in zip(out, last)), (specs, n)
        last = out
        if n > smallest + 60:
            break
    if smallest is None:
        return None
    assert all(accepted[smallest - 1 :]), specs
    return smallest


def _string_vectors(rng: random.Random, count: int = 420) -> list:
    fixed = [
        "conv7s2p3,pool3s2p1,conv3p1,conv3p1", "conv3,convT3s2,conv3", "conv3,conv3q1",
        "conv3X5", "up2s2", "conv3,,conv3", "", "   ", "conv", "pool3s2c", "conv0",
        "conv3k3", "CONV3S2", "convT2s2o1", "convT3s2o2", "conv3p1x2", "conv3x3x3p1x2",
        "conv3x5,conv3x3x3", "up2,conv3x3", "conv3 s2", " conv3 , pool2 ", "conv3c",
        "pool3cc", "convT3x", "conv3p", "conv5,conv5,conv5", "pool2s0", "convT3o0x1",
        "conv3s2,conv3s2,conv3s2,conv3s2", "up3,convT4s3p1,pool2c", "conv3d2x3",
        "conv3,convt3s2o1d2,up2", "convT1s4", "conv'3", 'conv"3', "conv\\3", "conv\t3",
    ]  # fmt: skip
    texts = list(fixed)
    while len(texts) < count:
        ndim_bias = rng.choice([0.0, 0.0, 0.25])
        layers = [_random_layer(rng, ndim_bias) for _ in range(rng.randint(1, 5))]
        text = rng.choice([",", ", ", " ,"]).join(layers)
        if rng.random() < 0.3:
            text = _mutate(rng, text)
        texts.append(text)
    vectors = []
    for text in texts:
        entry = {"text": text}
        try:
            specs = parse_layers(text)
        except ValueError as err:
            entry["error"] = str(err)
            vectors.append(entry)
            continue
        entry["specs"] = [spec_dict(s) for s in specs]
        sizes = [None, rng.randint(1, 64), [rng.randint(1, 64), rng.randint(1, 64)]]
        entry["tables"] = [[size, _table(text, size)] for size in sizes]
        try:
            entry["smallest"] = _smallest_input(specs)
        except ValueError as err:
            entry["smallest"] = {"error": str(err)}
        vectors.append(entry)
    return vectors


def generate(seed: int = 0) -> dict:
    """All the vectors: deterministic for a seed."""
    _check_torch_same_padding()
    rng = random.Random(seed)
    return {
        "seed": seed,
        "torch": torch.__version__,
        "scalar": _scalar_vectors(rng),
        "layers": _layer_vectors(rng),
        "strings": _string_vectors(rng),
    }


if __name__ == "__main__":
    vectors = generate()
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(vectors, out, ensure_ascii=False, separators=(",", ":"))
    print(
        f"{len(vectors['scalar'])} scalar calls, {len(vectors['layers'])} layer settings, "
        f"{len(vectors['strings'])} layer strings"
    )
