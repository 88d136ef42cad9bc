import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from analysis.paths import DATA, REPO

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
