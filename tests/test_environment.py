"""environment.yml and requirements.lock carry the same pins as pyproject.toml."""

import re
import tomllib

from analysis.paths import REPO


def pins_of(lines):
    return dict(
        re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)$", line).groups() for line in lines if "==" in line
    )


def pyproject_pins():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return pins_of(project["dependencies"] + project["optional-dependencies"]["test"])


def test_environment_yml_has_the_pyproject_pins():
    yml = [
        line.strip().lstrip("- ").strip()
        for line in (REPO / "environment.yml").read_text().splitlines()
    ]
    assert pins_of(yml) == pyproject_pins()


def test_the_lock_file_agrees_with_pyproject():
    def norm(name):
        return name.lower().replace("_", "-")

    lock = {
        norm(k): v
        for k, v in pins_of((REPO / "requirements.lock").read_text().splitlines()).items()
    }
    for name, version in pyproject_pins().items():
        assert lock.get(norm(name)) == version, name


def test_jupyter_book_is_version_1():
    assert pyproject_pins()["jupyter-book"].startswith("1.")
