import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.paths import DATA, REPO


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ (reference, every year, datapackage.json) to break on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("published"))
    return target


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """python -m analysis ... in a separate process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=REPO, capture_output=True, text=True)


@pytest.fixture
def cli():
    return run_cli
