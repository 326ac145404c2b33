"""Every gallery script runs on its own, as a reader who downloaded it would run it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GALLERY = Path(__file__).parents[1] / "gallery"
SCRIPTS = sorted(GALLERY.glob("*/plot_*.py"))
# A hang guard, not a budget: each example's time against its 30 s budget is reported
# by benchmarks/gallery_times.py (CI prints it), because a busy machine is slow.
HANG_GUARD = 600


def test_every_topic_has_a_header_and_examples():
    topics = [p for p in GALLERY.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))]
    assert topics
    for topic in topics:
        assert (topic / "GALLERY_HEADER.rst").exists(), topic
        assert list(topic.glob("plot_*.py")), f"{topic.name} has no examples"


@pytest.mark.parametrize("script", SCRIPTS, ids=[f"{s.parent.name}/{s.name}" for s in SCRIPTS])
def test_example_runs_standalone(script, tmp_path):
    # A fresh interpreter in an empty directory, with no display: only the installed
    # packages are available, as for a downloaded example.
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "ignore::UserWarning"}
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert not list(tmp_path.iterdir()), "examples must not write files"
