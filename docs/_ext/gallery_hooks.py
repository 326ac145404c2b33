"""sphinx-gallery hooks, referenced from conf.py by name so Sphinx can cache the config."""

import random

import numpy as np


def reset_seeds(gallery_conf, fname):
    """Seed every random generator an example may use, so each page is reproducible."""
    random.seed(0)
    np.random.seed(0)  # noqa: NPY002 (examples that use the legacy global state)
    import torch

    torch.manual_seed(0)


# The order of the gallery's topic folders, as a reader meets the ideas; topics not
# listed yet come after these, alphabetically.
TOPICS = [
    "padding",
    "stride",
    "dilation",
    "transposed",
    "arithmetic",
    "receptive_field",
    "architectures",
    "applications",
    "performance",
]


def topic_order(path):
    """Sort key for sphinx-gallery's ``subsection_order``: topic folders in TOPICS order."""
    name = str(path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return (TOPICS.index(name) if name in TOPICS else len(TOPICS), name)
