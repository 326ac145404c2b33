"""Test configuration shared by every test module."""

import os

from hypothesis import settings

# The browser tests' fixtures: the built site served locally, and Chromium.
pytest_plugins = ["tests.browser"]

# Fixed seeds: hypothesis runs the same examples on every machine, so a failure in CI
# reproduces locally. HYPOTHESIS_PROFILE=explore searches with fresh random examples.
settings.register_profile("convdocs", derandomize=True, deadline=None, max_examples=150)
settings.register_profile("explore", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "convdocs"))
