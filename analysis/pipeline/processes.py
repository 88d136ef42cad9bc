"""Processes that end with the run: the runner's workers (analysis.pipeline.execute) and Jupyter
Book's builds.

Each build runs in a new process forked from a server that imported Sphinx, MyST-NB, the theme
and the other extensions once (multiprocessing's forkserver).

A build started as a new interpreter spent about 1.3 s of its 2.3 s (a one-page book) importing
them, and `book` starts one build per language (the tests many more). A build still gets a process
of its own, never a used one: Sphinx and docutils keep registrations in module globals, which a
second build in the same process would meet (and, with warnings as errors, fail on).

The server is started on the first build, with the environment and the working folder of that
moment, and ends with the process that started it; a build ends with the server.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from pathlib import Path

# What a build imports and takes time to (the rest is quick): each is imported in the server if
# it is installed; a module missing from this list costs only its import in every build.
PRELOAD = [
    "jupyter_book.cli.main",
    "jupyter_book.sphinx",
    "sphinx.application",
    "sphinx.builders.html",
    "sphinx.search.zh",
    "myst_parser",
    "myst_nb",
    "myst_nb.sphinx_ext",
    "sphinx_book_theme",
    "pydata_sphinx_theme",
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx_togglebutton",
    "sphinx_thebe",
    "sphinx_comments",
    "sphinx_external_toc",
    "sphinx_multitoc_numbering",
    "sphinx_jupyterbook_latex",
    "bs4",
    "soupsieve.css_parser",
    "pygments.lexers.python",
]
PR_SET_PDEATHSIG = 1  # linux/prctl.h

_server = multiprocessing.get_context("forkserver")
_server.set_forkserver_preload([*PRELOAD, __name__])


def end_with_parent(parent: int) -> None:
    """Ask the kernel (Linux's PR_SET_PDEATHSIG) for SIGTERM when this process's parent goes; if
    the parent is already gone, end now. (Elsewhere than Linux the process runs on to its end.)"""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(1)


def build(args: list[str], cwd: Path, log: Path) -> int:
    """`jupyter-book <args>` run in `cwd`, its output written to `log`; returns its exit status
    (a negative one if a signal ended it)."""
    process = _server.Process(target=_build, args=(list(args), str(cwd), str(log)))
    process.start()
    process.join()
    return process.exitcode


def _build(args: list[str], cwd: str, log: str) -> None:
    """In the forked process: end with the server (which ends with the run), write to `log`,
    run Jupyter Book's command line (which ends the process with its exit status)."""
    end_with_parent(os.getppid())
    os.chdir(cwd)
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    # Imported here, where the server has it loaded already (PRELOAD), not in the run's own
    # process, which never builds a book itself.
    from jupyter_book.cli.main import main

    sys.argv = ["jupyter-book", *args]
    main(args=args, prog_name="jupyter-book")
