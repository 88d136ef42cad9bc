"""A run that is stopped cleans up after itself: SIGTERM and SIGINT end it with one sentence and
exit 143 / 130, SIGKILL too leaves no worker or kernel running, and what a killed run could not
remove the next write of the same folder does. Nothing is half-replaced."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.paths import DATA, REPO
from analysis.pipeline import staging

pytestmark = pytest.mark.book  # each run starts a real (small) book


def small_data(tmp_path) -> Path:
    """A data folder with one file of 2022 (a book of four pages: quick to start, slow enough
    to stop in the middle)."""
    data = tmp_path / "data"
    shutil.copytree(DATA / "reference", data / "reference")
    shutil.copy(DATA / "datapackage.json", data / "datapackage.json")
    (data / "2022").mkdir()
    shutil.copy(DATA / "2022" / "city_share.csv", data / "2022" / "city_share.csv")
    return data


def processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, command line) of every process on the machine."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), fields[0], command)
    return found


def descendants(pid: int) -> set[int]:
    table, out, todo = processes(), set(), [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, (ppid, _, _) in table.items() if ppid == parent}
        todo += list(children - out)
        out |= children
    return out


def running(pids: set[int]) -> set[int]:
    table = processes()
    return {p for p in pids if p in table and table[p][1] != "Z"}  # a zombie has ended


def start_and_stop(tmp_path, how):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "analysis", "book"]
    command += ["--data", str(small_data(tmp_path)), "--out", str(out)]
    child = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal would give it
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until kernels run under the workers
        family = descendants(child.pid)
        if any("ipykernel" in processes().get(p, (0, "", ""))[2] for p in family):
            break
        if child.poll() is not None:
            pytest.fail(f"the run ended before it could be stopped: {child.communicate()}")
        time.sleep(0.1)
    else:
        child.kill()
        pytest.fail(f"no kernel started within 60 s: {child.communicate()}")
    family = descendants(child.pid)
    how(child)
    stdout, stderr = child.communicate(timeout=60)
    return child.returncode, stderr, family, out


def assert_nothing_is_left_running(family):
    deadline = time.monotonic() + 10
    while running(family) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = running(family)
    assert not left, [processes()[p][2][:120] for p in left]


@pytest.mark.parametrize(
    "how, code, sentence",
    [
        (lambda child: child.send_signal(signal.SIGTERM), 143, "terminated: nothing was replaced"),
        (
            lambda child: os.killpg(child.pid, signal.SIGINT),
            130,
            "interrupted: nothing was replaced",
        ),
    ],
    ids=["SIGTERM", "Ctrl-C"],
)
def test_a_stopped_run_says_so_and_leaves_nothing_behind(tmp_path, how, code, sentence):
    returncode, stderr, family, out = start_and_stop(tmp_path, how)
    assert returncode == code, stderr
    assert stderr.strip().splitlines()[-1] == sentence and "Traceback" not in stderr
    assert_nothing_is_left_running(family)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".staging")] == []


def test_a_killed_run_leaves_no_process_and_its_leftovers_go_with_the_next_write(tmp_path):
    returncode, _, family, out = start_and_stop(tmp_path, lambda child: child.kill())
    assert returncode == -signal.SIGKILL
    assert_nothing_is_left_running(family)
    assert not out.exists()
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".staging-out-")]
    assert leftovers  # a killed process removes nothing ...
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "tables", "--year", "2022"]
        + ["--data", str(tmp_path / "data"), "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert not any(p.exists() for p in leftovers)  # ... the next write of the folder does
    assert (out / "leading-cities.csv").is_file()


def test_a_swap_cut_short_is_put_back_and_a_write_under_way_is_left_alone(tmp_path):
    target = tmp_path / "generated"
    aside = tmp_path / ".old-generated-999999999"  # a process id no process has
    aside.mkdir()
    (aside / "page.ipynb").write_text("the last good page")
    mine = staging.fresh_staging(target)  # this process's own staging: alive, so kept
    staging.clear_leftovers(target)
    assert (target / "page.ipynb").read_text() == "the last good page" and not aside.exists()
    assert mine.is_dir()
    new = tmp_path / "new"
    new.mkdir()
    (new / "page.ipynb").write_text("the new page")
    staging.replace(new, target)
    assert (target / "page.ipynb").read_text() == "the new page"
    assert sorted(p.name for p in tmp_path.iterdir()) == [mine.name, "generated"]
