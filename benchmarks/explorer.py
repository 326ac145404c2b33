"""How fast the explorer redraws, and how much it ships, measured in Chromium.

For input sizes up to 32x32 (and a 64x64 grid, the largest the explorer draws), changes
one control the way a reader does (an ``input`` event on the kernel-size field) and
measures, in the page, the time from the event to the end of the widget's update
(``script``), to the end of the style and layout it causes (``+ layout``: the work that
must fit in one frame, 16 ms, for the next frame to show the change), and to the next
animation frame (``frame``, which also waits for the display's next tick, so about
16.7 ms is its floor). Also reports the
widget's weight: its JavaScript and CSS, gzip-compressed, against a 40 KB budget.

Usage (after ``nox -s docs``; needs Debian's chromium)::

    python benchmarks/explorer.py [SITE_DIR] [--rounds N]

Numbers are medians and 95th percentiles over the rounds; nothing is asserted, because
a busy machine slows a browser as much as anything else.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, LAUNCH_FLAGS  # after the path is set

CASES = [  # (label, query): the control changed is the kernel size, 3 <-> 5
    ("8x8, k3 s1 p1", "i=8&k=3&p=1"),
    ("16x16, k3 s2 p1", "i=16&k=3&s=2&p=1"),
    ("32x32, k3 s1 p1", "i=32&k=3&p=1"),
    ("32x32, k3 s2 d2 p2", "i=32&k=3&s=2&d=2&p=2"),
    ("32x32 transposed, k3 s2 p1 op1", "i=32&k=3&s=2&p=1&t=1&op=1"),
    ("62x62, k3 s1 p1 (64-cell grid)", "i=62&k=3&p=1"),
]
BUDGET_MS = 16.0
BUDGET_GZIP_KB = 40.0

# Runs in the page: time `rounds` updates of the kernel field, alternating 3 and 5.
MEASURE = """async (rounds) => {
    const field = document.querySelector('.cd-explorer [data-name="kernel"][data-axis="height"]');
    const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
    const script = [], layout = [], toFrame = [];
    for (let n = 0; n < rounds; n++) {
        await frame();
        field.value = n % 2 ? "3" : "5";
        const start = performance.now();
        field.dispatchEvent(new Event("input", { bubbles: true }));
        script.push(performance.now() - start);
        document.body.getBoundingClientRect();  // style and layout, now
        layout.push(performance.now() - start);
        await frame();
        toFrame.push(performance.now() - start);
    }
    return { script, layout, toFrame };
}"""


def serve(directory: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=directory)
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def weight(site: Path) -> list[tuple[str, int, int]]:
    files = sorted((site / "_static" / "explorer").glob("*.[jc]s*"))
    return [(f.name, f.stat().st_size, len(gzip.compress(f.read_bytes(), 9))) for f in files]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "docs" / "_build" / "html")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    if not (args.site / "explorer.html").exists():
        print(f"no built explorer page in {args.site}: run `nox -s docs` first")
        return 1
    from playwright.sync_api import sync_playwright

    base, server = serve(args.site)
    print(f"Explorer redraw after one control change ({args.rounds} rounds, ms)")
    print(
        f"{'layer':34} {'script':>7} {'p95':>6} {'+ layout':>9} {'p95':>6} {'frame':>7} {'p95':>6}"
    )
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS)
            tab = browser.new_page(viewport={"width": 1280, "height": 900})
            for label, query in CASES:
                tab.goto(f"{base}explorer.html?{query}", wait_until="load")
                tab.wait_for_load_state("networkidle")
                result = tab.evaluate(MEASURE, args.rounds)
                columns = [result[key] for key in ("script", "layout", "toFrame")]
                cells = "".join(
                    f" {statistics.median(values):{width}.2f} {percentile(values, 0.95):6.2f}"
                    for values, width in zip(columns, (7, 9, 7))
                )
                print(f"{label:34}{cells}")
            tab.wait_for_load_state("networkidle")
            browser.close()
    finally:
        server.shutdown()
    print(f"budget: script + layout within one frame, {BUDGET_MS:.0f} ms (medians, ms)")
    files = weight(args.site)
    print("\nExplorer weight (what the widget ships)")
    for name, raw, packed in files:
        print(f"{name:16} {raw / 1000:7.1f} KB raw {packed / 1000:7.1f} KB gzip")
    total = sum(packed for _, _, packed in files) / 1000
    print(
        f"{'total':16} {sum(raw for _, raw, _ in files) / 1000:7.1f} KB raw {total:7.1f} KB gzip"
    )
    print(f"budget: {BUDGET_GZIP_KB:.0f} KB gzip")
    return 0


if __name__ == "__main__":
    sys.exit(main())
