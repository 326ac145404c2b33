"""Speed of convdocs' numpy operations against PyTorch and OpenCV, measured side by side.

Run with ``nox -s bench`` (or ``python benchmarks/bench.py --threads 2``). Each case
alternates the two implementations in rounds, so both see the same machine state, and
reports the median of the per-round time ratios. Fairness on a small machine:

* numpy's BLAS, PyTorch and OpenCV use the same number of threads (``--threads``);
* every function is warmed up before timing;
* a short pause separates each timed block: OpenBLAS threads spin for a while after a
  call and would otherwise steal PyTorch's second core (and vice versa);
* PyTorch runs without autograd (``torch.inference_mode``);
* both libraries reuse freed memory: the script restarts itself with glibc's malloc
  tuned to keep freed blocks of up to 32 MB (``MALLOC_MMAP_THRESHOLD_``,
  ``MALLOC_TRIM_THRESHOLD_``). With the defaults, each 13-26 MB result is a fresh
  ``mmap`` whose pages fault on first touch, and the time depends on the process's
  allocation history: PyTorch's float32 stride-1 convolution took 5-7 ms with ~6,200
  page faults per call in this script and 1.3-1.5 ms without them, so the ratio read
  0.3 instead of the steady-state 1.4.

The float64 target (no slower than PyTorch) is out of reach of im2col plus numpy's
matmul, and the second table shows why, measured in the same run: the matrix product
alone takes 0.8-1.15x PyTorch's whole stride-1 convolution and 0.6-0.75x its stride-2
one, while building the patch matrix costs another 0.25-0.4x of it. PyTorch runs the
same algorithm in float64 (its profiler shows ``aten::_slow_conv2d_forward``, im2col +
GEMM), but its ``torch.mm`` (MKL) computes the same product 1.15-1.45x faster than
numpy's OpenBLAS on two threads (1.0-1.5x on one; this machine's speed drifts). Two other layouts were measured and set aside: an output whose rows
are padded past the 4 KiB aliasing of 50176-element rows (1.23x at stride 1, and the
result is no longer contiguous), and one product per output row from a 3x smaller
lowering, split over two threads (0.89x at stride 1, but 1.49x at stride 2 and 1.1-6.7x
slower than now on deeper layers).

The last table is peak memory for large kernels, where convdocs builds its patch matrix
in blocks of output rows (``convdocs.conv.WORKSPACE_BYTES``): each case runs in a fresh
subprocess per library, which imports the same modules and builds the same input, then
resets the kernel's peak-RSS mark (``/proc/self/clear_refs``) and reads it after the one
call (``VmHWM`` in ``/proc/self/status``); the peak minus the resident memory before the
call is the memory the call added. (Not ``ru_maxrss``: a child inherits its parent's
peak through fork and exec, so a large parent hides a small child.) Before the blocks, the 600x600
case with a 50x50 kernel added 2.9 GB in convdocs (the whole patch matrix) against
16 MB in PyTorch.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from threadpoolctl import threadpool_info, threadpool_limits

import convdocs

PAUSE = 0.15  # seconds between timed blocks


def timed(function, repeat):
    """Best time of ``repeat`` calls, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def compare(ours, theirs, rounds, repeat):
    """Median per-round ratio ours/theirs, and median times, alternating the two."""
    ours(), theirs()  # warm up (allocations, BLAS and oneDNN kernel selection)
    ratios, ours_times, their_times = [], [], []
    for _ in range(rounds):
        time.sleep(PAUSE)
        a = timed(ours, repeat)
        time.sleep(PAUSE)
        b = timed(theirs, repeat)
        ours_times.append(a)
        their_times.append(b)
        ratios.append(a / b)
    return statistics.median(ratios), statistics.median(ours_times), statistics.median(their_times)


def outline_loop(image, kernel, stride):
    """The outline's slide-4 implementation: a Python loop over output pixels."""
    h, w = image.shape
    kh, kw = kernel.shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    output = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = image[i * stride : i * stride + kh, j * stride : j * stride + kw]
            output[i, j] = np.sum(window * kernel)
    return output


def cases(rng):
    """(name, ours, theirs, target, rounds, repeat) for every benchmark case."""
    out = []
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((1, 3, 224, 224)).astype(dtype)
        w = rng.standard_normal((64, 3, 3, 3)).astype(dtype)
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        target = "<= 1.5" if dtype == np.float32 else "<= 1.0"
        for stride in (1, 2):
            name = f"conv2d 224x224 3->64 k3 p1 s{stride} {np.dtype(dtype).name} vs torch"
            out.append((
                name,
                lambda x=x, w=w, s=stride: convdocs.conv2d(x, w, stride=s, padding=1),
                lambda tx=tx, tw=tw, s=stride: F.conv2d(tx, tw, stride=s, padding=1),
                target, 15, 3,
            ))  # fmt: skip
    image = rng.standard_normal((512, 512)).astype(np.float32)
    k = rng.standard_normal((3, 3)).astype(np.float32)
    out.append((
        "conv2d 512x512 k3 float32 vs cv2.filter2D",
        lambda: convdocs.conv2d(image, k, padding=1),
        lambda: cv2.filter2D(image, -1, k, borderType=cv2.BORDER_CONSTANT),
        "", 15, 3,
    ))  # fmt: skip
    out.append((
        "conv2d 512x512 k3 float32 vs outline loop",
        lambda: convdocs.conv2d(image, k),
        lambda: outline_loop(image, k, 1),
        ">= 300x faster", 3, 1,
    ))  # fmt: skip
    y = rng.standard_normal((1, 64, 56, 56)).astype(np.float32)
    wt = rng.standard_normal((64, 32, 3, 3)).astype(np.float32)
    ty, twt = torch.from_numpy(y), torch.from_numpy(wt)
    params = {"stride": 2, "padding": 1, "output_padding": 1}
    out.append((
        "conv_transpose2d 56x56 64->32 k3 s2 float32 vs torch",
        lambda: convdocs.conv_transpose2d(y, wt, **params),
        lambda: F.conv_transpose2d(ty, twt, **params),
        "", 15, 3,
    ))  # fmt: skip
    if hasattr(convdocs, "max_pool2d"):
        m = rng.standard_normal((1, 64, 112, 112)).astype(np.float32)
        tm = torch.from_numpy(m)
        out.append((
            "max_pool2d 112x112x64 k3 s2 p1 float32 vs torch",
            lambda: convdocs.max_pool2d(m, 3, 2, 1),
            lambda: F.max_pool2d(tm, 3, 2, 1),
            "", 15, 3,
        ))  # fmt: skip
    return out


MALLOC_TUNING = {  # glibc reads these at start-up only
    "MALLOC_MMAP_THRESHOLD_": str(32 * 2**20),
    "MALLOC_TRIM_THRESHOLD_": str(2**30),
}


def restart_with_malloc_tuning():
    """Re-run this script with MALLOC_TUNING in the environment, unless it is there."""
    if any(os.environ.get(k) != v for k, v in MALLOC_TUNING.items()):
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **MALLOC_TUNING})


def float64_products(rng):
    """The float64 cases reduced to their matrix products, as :func:`cases` rows.

    The patch matrix is built once, outside the timing, and ``W @ cols`` is checked
    against convdocs' convolution, so the product timed is the one conv2d runs.
    """
    x = rng.standard_normal((3, 224, 224))
    w = rng.standard_normal((64, 3, 3, 3))
    w2, tw2 = w.reshape(64, 27), torch.from_numpy(w.reshape(64, 27))
    tx, tw = torch.from_numpy(x[None]), torch.from_numpy(w)
    windows = np.lib.stride_tricks.sliding_window_view(
        np.pad(x, ((0, 0), (1, 1), (1, 1))), (3, 3), axis=(1, 2)
    )
    rows = []
    for stride in (1, 2):
        picked = windows[:, ::stride, ::stride].transpose(0, 3, 4, 1, 2)
        cols = np.ascontiguousarray(picked.reshape(27, -1))
        expected = convdocs.conv2d(x, w, stride=stride, padding=1).reshape(64, -1)
        np.testing.assert_allclose(w2 @ cols, expected, rtol=1e-12, atol=1e-12)
        tcols = torch.from_numpy(cols)
        shape = f"64x27 @ 27x{cols.shape[1]}"
        rows += [
            (f"s{stride}: numpy matmul {shape} vs torch.mm (same)",
             lambda w2=w2, cols=cols: w2 @ cols, lambda tcols=tcols: tw2 @ tcols, "", 15, 3),
            (f"s{stride}: numpy matmul (same) vs torch's whole conv2d",
             lambda w2=w2, cols=cols: w2 @ cols,
             lambda s=stride: F.conv2d(tx, tw, stride=s, padding=1), "", 15, 3),
        ]  # fmt: skip
    return rows


# name: (function, input shape, weight shape); float32, one channel, large kernels.
PEAK_CASES = {
    "conv2d 600x600 k50 float32": ("conv2d", (1, 1, 600, 600), (1, 1, 50, 50)),
    "conv_transpose2d 300x300 k50 float32": ("conv_transpose2d", (1, 1, 300, 300), (1, 1, 50, 50)),
}


def peak_child(library, case, threads):
    """In a fresh process: run one PEAK_CASES call, print its peak memory as JSON."""
    function, x_shape, w_shape = PEAK_CASES[case]
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    if library == "torch":
        run = getattr(F, function)
        x, w = torch.from_numpy(x), torch.from_numpy(w)  # shares the arrays' memory
    else:
        run = getattr(convdocs, function)
    torch.set_num_threads(threads)
    with threadpool_limits(limits=threads), torch.inference_mode():
        before = resident("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # the peak mark back to VmRSS
        start = time.perf_counter()
        run(x, w)
        seconds = time.perf_counter() - start
        after = resident("VmHWM")
    print(json.dumps({"before": before, "after": after, "seconds": seconds}))


def resident(field):
    """``VmRSS`` (resident now) or ``VmHWM`` (peak) of this process, in bytes (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024  # reported in kB
    msg = f"no {field} in /proc/self/status"
    raise RuntimeError(msg)


def peak_table(threads):
    """Run every PEAK_CASES case in one subprocess per library; one line per case."""
    header = (
        f"{'case (peak memory the call added)':42} {'convdocs':>10} {'torch':>10} {'ratio':>7}"
    )
    print(header + "   process peaks, times")
    print("-" * (len(header) + 24))
    for case in PEAK_CASES:
        runs = {}
        for library in ("convdocs", "torch"):
            command = [sys.executable, __file__, "--threads", str(threads)]
            command += ["--peak-child", library, case]
            output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            runs[library] = json.loads(output.splitlines()[-1])
        ours, theirs = (runs[k]["after"] - runs[k]["before"] for k in ("convdocs", "torch"))
        peaks = "/".join(f"{runs[k]['after'] / 2**20:.0f}" for k in runs)
        times = "/".join(f"{runs[k]['seconds']:.2f}" for k in runs)
        print(
            f"{case:42} {ours / 2**20:8.0f}MB {theirs / 2**20:8.0f}MB "
            f"{ours / max(theirs, 1):7.1f}   {peaks} MB, {times} s"
        )


def print_table(rows):
    """Time each row of :func:`cases` and print one line per row."""
    header = f"{'case':58} {'convdocs':>10} {'other':>10} {'ratio':>8}  target"
    print(header)
    print("-" * len(header))
    for name, ours, theirs, target, rounds, repeat in rows:
        ratio, a, b = compare(ours, theirs, rounds, repeat)
        shown = f"1/{1 / ratio:.0f}" if ratio < 0.01 else f"{ratio:.2f}"
        print(f"{name:58} {a * 1e3:8.2f}ms {b * 1e3:8.2f}ms {shown:>8}  {target}")


def main():
    restart_with_malloc_tuning()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="threads for every library")
    parser.add_argument("--peak-child", nargs=2, help=argparse.SUPPRESS)  # LIBRARY CASE
    parser.add_argument("--peak-only", action="store_true", help="only the peak memory table")
    args = parser.parse_args()
    if args.peak_child:
        peak_child(*args.peak_child, args.threads)
        return
    if args.peak_only:
        peak_table(args.threads)
        return
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    rng = np.random.default_rng(0)
    with threadpool_limits(limits=args.threads), torch.inference_mode():
        blas = ", ".join(f"{i['internal_api']} {i['version']}" for i in threadpool_info())
        print(f"threads: {args.threads} (numpy BLAS: {blas}; torch {torch.__version__}; "
              f"OpenCV {cv2.__version__})")  # fmt: skip
        tuning = ", ".join(f"{k}={v}" for k, v in MALLOC_TUNING.items())
        print(f"malloc: {tuning} (freed memory is reused, as in a steady state)")
        print_table(cases(rng))
        print("\nWhere the float64 time goes (convdocs' column: its matrix product alone):")
        products = float64_products(rng)
        print_table(products)
        with threadpool_limits(limits=1):
            torch.set_num_threads(1)
            print("\nThe stride-1 product again, one thread for both BLAS libraries:")
            print_table(products[:1])
    print("\nPeak memory for large kernels, one subprocess per library and case:")
    peak_table(args.threads)


if __name__ == "__main__":
    main()
