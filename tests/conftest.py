import contextlib
import csv
import functools
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from jupyter_client.manager import KernelManager

from analysis.paths import DATA, REPO
from analysis.pipeline.kernels import with_own_sockets


def pytest_configure(config):
    """nbval's kernels talk over Unix sockets of their own, as the runner's do: over TCP, kernels
    started at once on two workers can be handed the same port, and one then dies before it
    answers ("Kernel died before replying to kernel_info", seen in a fresh clone's make test)."""
    if config.pluginmanager.hasplugin("nbval"):
        import nbval.kernel

        nbval.kernel.KernelManager = functools.partial(with_own_sockets, _NbvalKernelManager)


def pytest_collection_modifyitems(config, items):
    """The longest files first, the many short ones last. make test runs the files on the cores
    with pytest-xdist in this order (--dist loadfile --no-loadscope-reorder; xdist's own order, by
    number of tests, left the one-test book builds for last, when one core waits for the other):
    the files that build a book, then those that open a browser, then the other tests, then the
    notebooks nbval re-runs, which even out the cores' ends. Items keep their order in a file."""

    def weight(item) -> int:
        if item.path.suffix == ".ipynb":
            return 3
        if item.get_closest_marker("book"):
            return 0
        return 1 if {"browser", "laid_out"} & set(item.fixturenames) else 2

    first: dict = {}  # file -> (its weight, where it was collected)
    for index, item in enumerate(items):
        w, at = first.get(item.path, (3, index))
        first[item.path] = (min(w, weight(item)), at)
    items.sort(key=lambda item: first[item.path])


class _NbvalKernelManager(KernelManager):
    def cleanup_ipc_files(self) -> None:  # (called when nbval shuts the kernel down)
        super().cleanup_ipc_files()
        shutil.rmtree(os.path.dirname(self.ip), ignore_errors=True)


# Property tests: `ci` (the default, for make test) and `thorough` (make test-thorough: ten times
# the examples). Select with HYPOTHESIS_PROFILE.
settings.register_profile(
    "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ (reference, every year, datapackage.json) to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("published", "examples"))
    return target


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """python -m analysis ... in a separate process, as a user runs it (for the few end-to-end
    tests where a new process proves something: exit status of the interpreter, output to a
    pipe)."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], cwd=REPO, capture_output=True, text=True
    )


def call_cli(*args: str) -> subprocess.CompletedProcess:
    """The same command line, run in this process (analysis.pipeline.cli.main): the same parser,
    commands and messages, without paying ~0.8 s for a new interpreter and its imports."""
    from analysis.pipeline.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.chdir(REPO):
        code = main([str(a) for a in args])
    return subprocess.CompletedProcess(
        ["python", "-m", "analysis", *args], code, out.getvalue(), err.getvalue()
    )


@pytest.fixture
def cli():
    return call_cli


@pytest.fixture
def cli_process():
    return run_cli


EXAMPLE_EXPORT = DATA / "examples" / "export-2023" / "cities-overall-2023.csv"


def save_as(path, rows, delimiter=",", decimal=".", encoding="utf-8", newline="\n") -> Path:
    """`rows` (the header first) saved as a spreadsheet saves a CSV file: with its delimiter, its
    decimal mark on every number ("1924.53" -> "1924,53"), its encoding (UTF-16 with a byte-order
    mark, as Excel's "Unicode text"; what an encoding cannot hold becomes "?") and its line
    ends."""
    if decimal == ",":
        number = re.compile(r"^(-?\d+)\.(\d+)(%?)$")
        rows = rows[:1] + [[number.sub(r"\1,\2\3", cell) for cell in row] for row in rows[1:]]
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator=newline).writerows(rows)
    Path(path).write_bytes(text.getvalue().encode(encoding, errors="replace"))
    return Path(path)


@pytest.fixture
def example_rows() -> list[list[str]]:
    """The cells of the worked example's overall export of 2023 (the header first), to spoil."""
    with open(EXAMPLE_EXPORT, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="session")
def spreadsheet():
    return save_as


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path: equal before and after means untouched."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="session")
def snapshot():
    return folder_bytes


# The browser tests' Chromium (one per test file and worker) and axe-core (tests/pagecheck.py).
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from pagecheck import CHROMIUM, HTML

    assert HTML.exists(), "build the book first: make book"
    assert Path(CHROMIUM).exists(), "install Debian's chromium: make browser"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def tab(browser):
    """One tab that the page checks take from page to page (tests/pagecheck.py)."""
    from pagecheck import Tab

    tab = Tab(browser)
    yield tab
    tab.close()


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()
