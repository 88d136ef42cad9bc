"""The kernels that execute the pages: a papermill engine whose kernel may serve one page after
another, talks over sockets of its own, records what each page used, and goes away with its
process.

Kernels talk to their client over Unix sockets in a folder of their own, not over TCP ports. With
TCP, jupyter_client picks free ports by binding and releasing them, and two processes starting
kernels at once can be handed the same port: one client then talks to the other kernel, which
rejects its messages ("Invalid Signature"), and the start ends in "Kernel didn't respond in 60
seconds" (seen once in six clean builds of 42 notebooks on 3 workers). jupyter_client's own IPC
default is no better: every kernel's sockets are named kernel-ipc-<n> in the working folder, <n>
picked by looking for a free name, which races the same way. A folder per kernel cannot collide.

A kernel outlives no one: jupyter_client starts it in a session of its own, and ipykernel ends it
within a second of its parent process going away (JPY_PARENT_PID); `shutdown` stops it at once.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import PurePath

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.translators import PythonTranslator, papermill_translators
from papermill.utils import merge_kwargs, remove_args

from analysis.pipeline import notebook

TRANSPORT = "ipc"
# What a kernel that never came up says; such a start is retried once (analysis.pipeline.execute).
START_FAILURES = ("Kernel didn't respond", "Kernel died before replying", "Address already in use")
ENGINE = "science-cities"
USED_KEY = "_science_cities_used"  # where the engine leaves the record for execute() to take

_kernel: AsyncKernelManager | None = None  # this process's kernel, kept between pages
# and its client, kept too: a new client waits for the kernel's reply and then 0.2 s more for
# silence on its message channel (jupyter_client's wait_for_ready), about 0.4 s a page.
_client: AsyncKernelClient | None = None


def with_own_sockets(manager_class=AsyncKernelManager, **options):
    """A kernel manager (of jupyter_client's manager_class) whose kernel talks over Unix sockets
    in a new folder of its own (removed by _stop). The tests give it to nbval too."""
    sockets = tempfile.mkdtemp(prefix="sc-kernel-")
    return manager_class(transport=TRANSPORT, ip=os.path.join(sockets, "s"), **options)


def _manager(kernel_name: str) -> AsyncKernelManager:
    return with_own_sockets(kernel_name=kernel_name)


def _stop(km: AsyncKernelManager) -> None:
    """Shut down km's kernel (if it runs) and remove its socket folder."""
    if km.has_kernel:
        run_sync(km.shutdown_kernel)(now=True)
    shutil.rmtree(os.path.dirname(km.ip), ignore_errors=True)


def shutdown() -> None:
    """Stop this process's kernel; the next page gets a fresh one."""
    global _kernel, _client
    if _client is not None:
        _client.stop_channels()
    if _kernel is not None:
        _stop(_kernel)
    _kernel = _client = None


def kill() -> None:
    """Kill this process's kernel at once (from a signal handler, where no event loop may run):
    its process and its socket folder."""
    if _kernel is None:
        return
    process = getattr(getattr(_kernel, "provisioner", None), "process", None)
    if process is not None and process.poll() is None:
        process.kill()
    shutil.rmtree(os.path.dirname(_kernel.ip), ignore_errors=True)


def did_not_start(error: Exception) -> bool:
    return any(text in str(error) for text in START_FAILURES)


class PathText(str):
    """A path as papermill carries it: text (papermill also stores the parameters as JSON in the
    notebook), which the injected cell turns back into a path."""


def for_papermill(parameters: dict) -> dict:
    return {k: PathText(v) if isinstance(v, PurePath) else v for k, v in parameters.items()}


class _Translator(PythonTranslator):
    """Parameters as papermill writes them into the injected cell, with paths as paths: a data
    folder arrives in the template as a pathlib.Path, as pages.PARAMETERS declares it."""

    @classmethod
    def translate(cls, val):
        if isinstance(val, PathText):
            return f"pathlib.Path({str(val)!r})"
        return super().translate(val)

    @classmethod
    def codify(cls, parameters, comment="Parameters"):
        content = super().codify(parameters, comment)
        if any(isinstance(v, PathText) for v in parameters.values()):
            content = "import pathlib\n" + content
        return content


class _Engine(NBClientEngine):
    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        reuse_kernel=False,
        data_dir=None,
        **kwargs,
    ):
        global _kernel, _client
        if reuse_kernel and _kernel is None:
            _kernel = _manager(kernel_name)
        km = _kernel if reuse_kernel else _manager(kernel_name)
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        client = PapermillNotebookClient(
            nb_man,
            km=km,
            **merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            ),
        )

        async def quietly(code: str, **options) -> dict:
            reply = await client.kc.execute_interactive(
                code, silent=True, store_history=False, timeout=60, **options
            )
            if reply["content"]["status"] != "ok":
                raise RuntimeError(
                    f"the kernel refused the runner's code: {reply['content'].get('evalue')}"
                )
            return reply["content"]

        async def setup(**_):
            await quietly(notebook.setup_code(data_dir))

        client.on_notebook_start = setup  # (papermill's client runs no on_notebook_complete)
        try:
            if reuse_kernel and _client is not None:
                # The kept client: nbclient starts none, and so runs no on_notebook_start either.
                client.kc = _client
                run_sync(setup)()
            nb = client.execute(cleanup_kc=False)
            failed = any(
                o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", [])
            )
            if not failed:  # (a failed page is reported by papermill; it has nothing to record)
                content = run_sync(quietly)("", user_expressions={"used": notebook.REPORT})
                nb.metadata[USED_KEY] = notebook.parse_report(content["user_expressions"])
            return nb
        finally:
            if reuse_kernel:
                _client = client.kc  # (stopped by shutdown(), as after a failure)
            else:  # also a kernel that started but never answered
                if client.kc is not None:
                    client.kc.stop_channels()
                _stop(km)


papermill_engines.register(ENGINE, _Engine)
papermill_translators.register("python", _Translator)
