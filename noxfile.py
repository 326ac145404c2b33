"""Maintainer tasks: ``nox -l`` lists them, ``nox -s NAME`` runs one.

Every session installs through constraints.txt, which pins the CPU build of PyTorch
(an unpinned ``torch`` would pull a multi-GB CUDA build) and the tested versions of
everything else; ``tests_oldest`` installs through constraints-oldest.txt instead, the
oldest versions pyproject.toml allows.
"""

import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "virtualenv"  # pip finds the local torch wheel; uv does not
nox.options.sessions = ["lint", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
CONSTRAINTS = ("-c", str(ROOT / "constraints.txt"))
OLDEST = ("-c", str(ROOT / "constraints-oldest.txt"))
DOCS = ROOT / "docs"
HTML = DOCS / "_build" / "html"
# Written by the build; never edited by hand, and ignored by the live preview.
GENERATED = ["_build", "auto_examples", "gen_modules", "generated", "sg_execution_times.rst"]
BUILD_ARGS = ["-n", "-W", "--keep-going", "-T", "-b", "html", str(DOCS), str(HTML)]


PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")


def install(session, group, constraints=CONSTRAINTS):
    """The package (editable) and one of pyproject.toml's dependency groups (PEP 735),
    read here so that any pip version in the session's virtualenv can install them."""
    requirements = nox.project.dependency_groups(PYPROJECT, group)
    session.install("-e", ".", *requirements, *constraints)


@nox.session
def tests(session):
    """Run pytest over tests/ and the doctests in every convdocs docstring."""
    install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session(default=False)
def tests_oldest(session):
    """The tests on the oldest numpy, matplotlib and test tools pyproject.toml allows
    (constraints-oldest.txt; their own dependencies float). Run it on Python 3.11."""
    install(session, "test", OLDEST)
    session.run("pytest", *session.posargs)


@nox.session
def docs(session):
    """Build the site into docs/_build/html (warnings are errors). ``-- --clean`` first
    removes everything a previous build generated."""
    install(session, "docs")
    args = list(session.posargs)
    if "--clean" in args:
        args.remove("--clean")
        for name in GENERATED:
            path = DOCS / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    session.run("sphinx-build", *BUILD_ARGS, *args)
    session.log(f"open {HTML / 'index.html'}")


@nox.session(default=False)
def serve(session):
    """Live preview at http://127.0.0.1:8000, rebuilding on every saved change."""
    install(session, "docs")
    ignores = [arg for name in GENERATED for arg in ("--ignore", str(DOCS / name))]
    # sphinx-gallery writes "<name>.new" files beside its outputs, then renames them.
    ignores += ["--re-ignore", r"\.new$|\.ipynb$|\.md5$|jupyter_execute|jupyter_cache|pycache"]
    session.run(
        "sphinx-autobuild",
        *BUILD_ARGS,
        *ignores,
        "--watch",
        str(ROOT / "convdocs"),
        "--watch",
        str(ROOT / "gallery"),
        *session.posargs,
    )


@nox.session
def lint(session):
    """ruff: lint and formatting."""
    session.install("ruff", *CONSTRAINTS)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(default=False)
def bench(session):
    """Time convdocs against PyTorch and OpenCV in one process; prints a ratio table.
    Then how the cost of a traced model's receptive field scales with the input size,
    and, if the site is built, the explorer's redraw time and weight in Chromium."""
    built = (HTML / "explorer.html").exists()
    install(session, "browser" if built else "test")  # the explorer's timing needs playwright
    session.install("threadpoolctl", *CONSTRAINTS)
    session.run("python", str(ROOT / "benchmarks" / "bench.py"), *session.posargs)
    session.run("python", str(ROOT / "benchmarks" / "graph.py"))
    if built:
        session.run("python", str(ROOT / "benchmarks" / "explorer.py"), str(HTML))
    else:
        session.log("no built site: run `nox -s docs` to time the explorer too")


@nox.session(default=False)
def browser(session):
    """Open every page of the built site in headless Chromium (build it first).

    Needs Debian's chromium (apt-get install chromium); .ci/run installs it.
    """
    if not (HTML / "index.html").exists():
        session.error("no built site: run `nox -s docs` first")
    install(session, "browser")  # the test group, playwright and Keras
    session.run("pytest", "-m", "browser", "-p", "no:cacheprovider", *session.posargs)
