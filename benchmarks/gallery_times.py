"""How long each gallery example took in the last docs build, against its 30 s budget.

sphinx-gallery records every example's run time in ``docs/sg_execution_times.rst``;
this prints them, slowest first, and marks those over the budget. It only reports:
the time depends on how busy the machine is, so no test asserts it (CI prints it).

Usage::

    python benchmarks/gallery_times.py [docs/sg_execution_times.rst] [--budget S]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

DEFAULT = Path(__file__).parents[1] / "docs" / "sg_execution_times.rst"
# "   * - :ref:`...` (``../gallery/topic/plot_01_name.py``)" then "     - 01:02.345"
_ROW = re.compile(r"\(``\.\./gallery/([^`]+)``\)\n\s+- (\d+):(\d+\.\d+)")


def times(path: Path) -> list[tuple[str, float]]:
    """(script, seconds) for every example the build recorded, slowest first."""
    found = [(name, int(m) * 60 + float(s)) for name, m, s in _ROW.findall(path.read_text())]
    return sorted(found, key=lambda row: -row[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--budget", type=float, default=30.0)
    args = parser.parse_args()
    if not args.path.exists():
        print(f"no {args.path}: build the site first (nox -s docs)")
        return 1
    rows = times(args.path)
    print(f"Gallery examples, time in the last build (budget {args.budget:.0f} s each)")
    for name, seconds in rows:
        flag = "  over budget" if seconds > args.budget else ""
        print(f"{seconds:7.1f} s  {name}{flag}")
    over = sum(seconds > args.budget for _, seconds in rows)
    print(f"{len(rows)} examples, {sum(s for _, s in rows):.0f} s in all, {over} over budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
