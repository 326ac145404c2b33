"""The cost of a traced model's receptive field must not grow with the input size.

``receptive_field`` walks the traced graph once with the output-size formulas and runs
the field lens over the records the walk leaves: no layer runs, so the cost depends on
the graph, not on the input. This prints the time at two input sizes and their ratio
(issue 13 asks for at most 2x), the time to answer or refuse layer strings with huge
parameters and to refuse strings that made the old regex backtrack (well under a second
is the aim), and the line counts of the modules involved.

``nox -s bench`` runs it, or ``python benchmarks/graph.py`` (nothing is timed in the test
suite).
"""

import contextlib
import time
from pathlib import Path

from convdocs import parse_layers, receptive_field
from convdocs.models import resnet50, unet

ROOT = Path(__file__).resolve().parent.parent
MODULES = ["receptive.py", "shapes.py", "_fx.py", "_field.py"]


def best_of(repeats, function, *args):
    """The fastest of ``repeats`` runs, in seconds (the least disturbed by other work)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def answer(function, text):
    """``function(text)``, an answer or a refusal (a ValueError) alike."""
    with contextlib.suppress(ValueError):
        function(text)


def main():
    cases = [
        ("resnet50", resnet50(), 224, 2048),
        ("unet", unet(), 572, 1148),
    ]
    print(f"{'model':10} {'small':>6} {'time':>9} {'large':>6} {'time':>9} {'ratio':>6}")
    for name, model, small, large in cases:
        receptive_field(model, small)  # trace once, warm the caches of both sizes' path
        a = best_of(3, receptive_field, model, small)
        b = best_of(3, receptive_field, model, large)
        print(f"{name:10} {small:>6} {a:>8.3f}s {large:>6} {b:>8.3f}s {b / a:>5.2f}x")
    print()
    for text in ["conv1000000000", "convT1000000000s1000000000", "up2," * 29 + "up2"]:
        print(f"{text[:28]:30} {best_of(3, answer, receptive_field, text) * 1000:8.2f} ms")
    for text in ["conv" + "1" * 44 + "!", "conv" + "3x" * 20000 + "!"]:
        print(f"{text[:28]:30} {best_of(3, answer, parse_layers, text) * 1000:8.2f} ms")
    print()
    for module in MODULES:
        path = ROOT / "convdocs" / module
        if path.exists():
            print(f"{module:14} {len(path.read_text().splitlines()):>5} lines")


if __name__ == "__main__":
    main()
