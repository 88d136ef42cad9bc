"""Execute the planned runs with papermill, several at a time, into a staging copy of the book's
notebooks that replaces them only when every run succeeded.

The whole folder of executed notebooks (book/generated) is staged and swapped at once, so the book
is never half new: a failure, Ctrl-C or SIGTERM leaves it as it was, and even a SIGKILL leaves
either the old or the new folder in place (analysis.pipeline.staging). One run at a time may
update a folder (a lock beside it); the next run removes what an interrupted one left behind.

Workers die with the run: each asks the kernel (Linux's PR_SET_PDEATHSIG) for SIGTERM when its
parent goes, and shuts its own kernel down on SIGTERM; the kernels end with their worker
(analysis.pipeline.kernels).
"""

from __future__ import annotations

import fcntl
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import nbformat
import papermill as pm

from analysis.charts import RENDERER_ENV
from analysis.paths import BUILD, REPO
from analysis.pipeline import kernels, notebook
from analysis.pipeline.plan import (
    Editions,
    Run,
    RunError,
    check_parameters,
    fingerprint,
    up_to_date,
)
from analysis.pipeline.processes import end_with_parent
from analysis.pipeline.staging import fresh_staging, replace


def execute(run: Run, out_path: Path, reuse_kernel: bool = False, log=print) -> Path:
    """Run one template with papermill into out_path. Raises RunError naming notebook, cell and
    cause. With reuse_kernel, this process's kernel serves one notebook after another (reset in
    between). A kernel that does not start is retried once, with a line to `log` saying so."""
    check_parameters(run)
    os.environ[RENDERER_ENV] = "offline"  # the kernels inherit it: charts for the book's pages
    for attempt in (1, 2):
        try:
            pm.execute_notebook(
                str(run.template_path),
                str(out_path),
                parameters=kernels.for_papermill(run.parameters),
                kernel_name="python3",
                cwd=str(REPO),
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                engine_name=kernels.ENGINE,
                reuse_kernel=reuse_kernel,
                data_dir=str(Path(run.data_dir).resolve()),
            )
            break
        except pm.PapermillExecutionError as e:
            kernels.shutdown()  # the next notebook gets a fresh kernel
            raise RunError(
                f"{run.describe()}: cell {e.cell_index} (execution count {e.exec_count}) failed: "
                f"{e.ename}: {e.evalue}"
            ) from None
        except Exception as e:  # kernel died or did not start, template missing, ...
            kernels.shutdown()
            if attempt == 1 and kernels.did_not_start(e):
                log(
                    f"  {run.describe()}: the kernel did not start ({type(e).__name__}: {e}); "
                    "retrying once"
                )
                continue
            raise RunError(f"{run.describe()}: {type(e).__name__}: {e}") from None
    nb = nbformat.read(out_path, as_version=4)
    used = nb.metadata.pop(kernels.USED_KEY)
    nbformat.write(notebook.clean(nb, run, used, fingerprint(run, used)), out_path)
    return out_path


# ---- workers ------------------------------------------------------------------------------------


def _worker_start(parent: int) -> None:
    """In each worker: die with the parent, leave Ctrl-C to it, stop the kernel on SIGTERM."""
    end_with_parent(parent)  # (not Linux: the kernels still check)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_stop)
    multiprocessing.util.Finalize(None, kernels.shutdown, exitpriority=10)  # workers skip atexit


def _worker_stop(signum, frame) -> None:
    try:
        kernels.kill()
    finally:
        os._exit(128 + signum)


def _execute_one(args: tuple[Run, str, str]) -> tuple[str, list[str]]:
    """Worker: execute one run; returns its path and the notes to show (a retried kernel start).
    The kernel inherits this process's stderr, where it logs start-up and shutdown chatter; that
    goes to a log file so the progress lines stay readable."""
    run, out, log_path = args
    notes: list[str] = []
    saved = os.dup(2)
    with open(log_path, "w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 2)
        try:
            execute(run, Path(out), reuse_kernel=True, log=notes.append)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return out, notes


def _pool_map(todo: list[tuple[Run, str, str]], jobs: int, log) -> None:
    pool = ProcessPoolExecutor(
        max(1, min(jobs, len(todo))),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_start,
        initargs=(os.getpid(),),
    )
    try:
        for done, (out, notes) in enumerate(pool.map(_execute_one, todo), start=1):
            for note in notes:
                log(note)
            log(f"  [{done}/{len(todo)}] {Path(out).parent.name}/{Path(out).name}")
    except BaseException:
        # Stop the workers now (each stops its kernel on SIGTERM), not after the runs under way;
        # the executor has no public way to (multiprocessing.Pool has, but it may start a
        # replacement worker while it terminates, and then waits for it forever).
        for process in list(pool._processes.values()):
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()


# ---- the folder of executed notebooks -----------------------------------------------------------


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """One run at a time updates `root`: wait for the lock beside it (what an interrupted run left
    is cleared by the staging that follows, see staging.clear_leftovers)."""
    root = Path(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def execute_editions(
    editions: Editions, root: Path, force: bool = False, jobs: int = 2, log=print
) -> dict[tuple, list[Path]]:
    """Execute every run of `editions` that is not up to date into a staging copy of `root`
    (runs that are up to date are copied; other editions under `root` are kept as they are) and
    swap it in once all succeeded. Returns each edition's notebooks, in book order."""
    root = Path(root)
    with locked(root):
        fresh = {
            key: [r for r in runs if force or not up_to_date(r, folder)]
            for key, (runs, folder) in editions.items()
        }
        extra = [
            p
            for runs, folder in editions.values()
            for p in folder.glob("*.ipynb")
            if p.stem not in {run.stem for run in runs}
        ]
        for key, (runs, folder) in editions.items():
            log(
                f"{folder.name}: {len(runs)} notebooks, {len(runs) - len(fresh[key])} unchanged, "
                f"{len(fresh[key])} to run"
            )
        if not any(fresh.values()) and not extra:
            return _notebooks(editions)
        staging = fresh_staging(root)
        try:
            planned_folders = {folder.name for _, folder in editions.values()}
            if root.is_dir():
                for kept in root.iterdir():
                    if (
                        kept.is_dir()
                        and kept.name not in planned_folders
                        and not kept.name.startswith(".")
                    ):
                        shutil.copytree(kept, staging / kept.name)
            todo = []
            logs = BUILD / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            for key, (runs, folder) in editions.items():
                target = staging / folder.name
                target.mkdir(parents=True, exist_ok=True)
                for run in runs:
                    if run not in fresh[key]:
                        shutil.copy2(folder / f"{run.stem}.ipynb", target / f"{run.stem}.ipynb")
                todo += [
                    (
                        run,
                        str(target / f"{run.stem}.ipynb"),
                        str(logs / f"{folder.name}-{run.stem}.log"),
                    )
                    for run in fresh[key]
                ]
            if todo:
                _pool_map(todo, jobs, log)
            replace(staging, root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return _notebooks(editions)


def _notebooks(editions: Editions) -> dict[tuple, list[Path]]:
    return {
        key: [folder / f"{run.stem}.ipynb" for run in runs]
        for key, (runs, folder) in editions.items()
    }
