"""Execute the notebook templates with papermill, per the run matrix in notebooks/runs.toml.

A run is skipped when nothing it depends on changed: its template, its parameters, the data files
of its year and the analysis code are hashed into the executed notebook's metadata. All outputs of
a year are written to a staging folder and swapped into book/generated/<year>/ only when every run
succeeded, so a failure leaves the last good book as it was.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tomllib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from analysis import tables
from analysis.data import YearData, load_year, years_with_data
from analysis.paths import BUILD, DATA, GENERATED, NOTEBOOKS, REPO, shown

MATRIX = NOTEBOOKS / "runs.toml"
METADATA_KEY = "science_cities"


class RunError(Exception):
    """A notebook failed: names the notebook, the cell and the cause."""


@dataclass(frozen=True)
class Run:
    year: int | None  # None: a page that does not depend on a data year (e.g. the methods)
    template: str
    parameters: dict = field(hash=False)
    name: str  # output file stem
    title: str
    inputs_hash: str = field(default="", compare=False)
    drop_tags: tuple[
        str, ...
    ] = ()  # cells with these tags are removed (e.g. links to an audit that does not exist)

    @property
    def template_path(self) -> Path:
        return NOTEBOOKS / f"{self.template}.ipynb"

    def describe(self) -> str:
        extra = [
            f"{k}={v}" for k, v in self.parameters.items() if k not in ("year", "lang", "data_dir")
        ]
        return f"{self.template} ({', '.join(([str(self.year)] if self.year else []) + extra)})"


def read_matrix(path: Path = MATRIX) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _subject_names(data: YearData, lang: str) -> dict:
    return tables.localized_names(data.reference["subjects"], "subject_id", lang).to_dict()


def _instances(data: YearData, each: str, lang: str) -> list[tuple[dict, str, str]]:
    """(extra parameters, file-name slug, display name) for each instance of a run."""
    subjects = _subject_names(data, lang)
    table_subjects = (
        set(data["adjusted_share"]["subject_id"]) if data.has("adjusted_share") else set()
    )
    if each == "year":
        return [({}, "", "")]
    if each == "riser_table_subject":
        return [
            ({"subject": s}, s, subjects[s])
            for s in tables.riser_subjects(data)
            if s in table_subjects
        ]
    if each == "riser_mention_subject":
        return [
            ({"subject": s}, s, subjects[s])
            for s in tables.riser_subjects(data)
            if s not in table_subjects
        ]
    if each == "partnership_country":
        countries = data.reference["countries"].set_index("country_id")
        return [
            ({"country": c}, countries.at[c, "slug"], tables.name_of(data, "countries", c, lang))
            for c in tables.partnership_countries(data)
        ]
    if each == "partnership_city":
        return [
            ({"city": c}, c, tables.city_name(data, c, lang))
            for c in tables.partnership_cities(data)
        ]
    raise ValueError(f"{shown(MATRIX)}: unknown `each = {each!r}`")


def code_fingerprint() -> str:
    h = hashlib.sha256()
    for path in sorted((REPO / "analysis").glob("*.py")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def ledger_files(data: YearData) -> list[Path]:
    """The printed figures of the year (data/published/<year>/), which the audit reads."""
    return sorted((data.data_dir / "published" / str(data.year)).rglob("*.csv"))


def _files_of(data: YearData, reads: list[str]) -> list[Path]:
    """The reference files, the schema, and the year's files named in `reads` ("*": all)."""
    year_files = [p for p in data.files_read() if p.parent.name == str(data.year)]
    chosen = year_files if "*" in reads else [p for p in year_files if p.stem in reads]
    return (
        [p for p in data.files_read() if p.parent.name == "reference"]
        + [data.data_dir / "datapackage.json"]
        + chosen
    )


def _inputs_hash(
    template: Path,
    parameters: dict,
    data: YearData | None,
    code: str,
    extra: list[Path] = (),
    reads: list[str] = ("*",),
) -> str:
    h = hashlib.sha256()
    h.update(template.read_bytes())
    h.update(
        json.dumps(
            {k: v for k, v in parameters.items() if k != "data_dir"}, sort_keys=True
        ).encode()
    )
    for path in (_files_of(data, list(reads)) if data else []) + list(extra):
        h.update(str(path.relative_to(data.data_dir)).encode() + path.read_bytes())
    h.update(code.encode())
    return h.hexdigest()


def plan(
    year: int, data_dir: Path = DATA, lang: str = "en", matrix: dict | None = None
) -> list[Run]:
    """Every run of one year, in book order. Validates the year's data first (raises DataError)."""
    matrix = matrix or read_matrix()
    data = load_year(year, data_dir)
    code = code_fingerprint()
    subject_order = {
        s: i for i, s in enumerate(data.reference["subjects"].sort_values("order")["subject_id"])
    }
    published = ledger_files(data)
    # Without a ledger there is no audit page, so prose that links to it is dropped.
    drop = () if published else ("needs-published",)
    # Without country Shares or printed percentages there is no "weight in the home country".
    if not (data.has("country_share") or data.has("location_share_input")):
        drop += ("needs-location-share",)
    # What a page needs beyond the year's own files, and the files of it that its hash covers:
    # "published" (the ledger of printed figures) and "previous_edition" (an earlier year's data).
    previous = [y for y in years_with_data(data.data_dir) if y < year]
    beyond = {
        "published": published,
        "previous_edition": sorted((data.data_dir / str(previous[-1])).glob("*.csv"))
        if previous
        else [],
    }
    runs = []
    for spec in matrix["run"]:
        if not (beyond[spec["needs"]] if spec["needs"] in beyond else data.has(spec["needs"])):
            continue
        ledger = beyond.get(spec["needs"], [])
        for extra, slug, name in _instances(data, spec["each"], lang):
            order = subject_order.get(extra.get("subject"), 0)
            parameters = {"year": year, **extra, "lang": lang}
            if Path(data_dir).resolve() != DATA.resolve():
                parameters["data_dir"] = str(Path(data_dir).resolve())
            stem = f"{spec['template']}-{slug}" if slug else spec["template"]
            runs.append(
                (
                    spec["chapter"],
                    order,
                    Run(
                        year,
                        spec["template"],
                        parameters,
                        stem,
                        spec.get(f"title_{lang}", spec["title"]).format(name=name),
                        _inputs_hash(
                            NOTEBOOKS / f"{spec['template']}.ipynb",
                            parameters,
                            data,
                            code,
                            ledger,
                            spec.get("reads", ["*"]),
                        ),
                        drop,
                    ),
                )
            )
    runs.sort(key=lambda r: (r[0], r[1]))
    numbered = []
    for i, (chapter, _, run) in enumerate(runs, start=1):
        numbered.append(
            Run(
                run.year,
                run.template,
                run.parameters,
                f"{chapter:02d}-{i:02d}-{run.name}",
                run.title,
                run.inputs_hash,
                run.drop_tags,
            )
        )
    return numbered


def plan_common(lang: str = "en", matrix: dict | None = None) -> list[Run]:
    """The pages that do not depend on a data year ([[common]] in runs.toml)."""
    matrix = matrix or read_matrix()
    code = code_fingerprint()
    runs = []
    for i, spec in enumerate(matrix.get("common", []), start=1):
        parameters = {"lang": lang}
        template = NOTEBOOKS / f"{spec['template']}.ipynb"
        runs.append(
            Run(
                None,
                spec["template"],
                parameters,
                f"{i:02d}-{spec['template']}",
                spec.get(f"title_{lang}", spec["title"]),
                _inputs_hash(template, parameters, None, code),
            )
        )
    return runs


def _other_editions(run: Run) -> str:
    """Links to the same page in the other languages of the matrix. Each language is a book of its
    own (analysis.book), so these are plain HTML links between the two builds."""
    from analysis.book import cross_link

    names = {"en": "English edition", "zh": "中文版"}
    lang = run.parameters.get("lang", "en")

    def doc(language: str) -> str:
        return f"book/generated/{edition_folder(Path('.'), run.year, language).name}/{run.name}"

    links = [
        f'<a href="{cross_link(doc(lang), lang, doc(other), other)}">{names.get(other, other)}</a>'
        for other in read_matrix().get("languages", ["en"])
        if other != lang
    ]
    return f"\n\n*{' · '.join(links)}*" if links else ""


def _clean(nb: nbformat.NotebookNode, run: Run) -> nbformat.NotebookNode:
    """Make an executed notebook deterministic and fit for the book: no papermill timestamps,
    stable cell ids, the page title and label set, links to the other languages, other languages'
    prose removed."""
    nb.metadata.pop("papermill", None)
    nb.metadata[METADATA_KEY] = {
        "template": run.template,
        "parameters": run.parameters,
        "inputs_hash": run.inputs_hash,
    }
    lang = run.parameters.get("lang", "en")
    kept = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if any(tag.startswith("lang-") and tag != f"lang-{lang}" for tag in tags) or set(
            tags
        ) & set(run.drop_tags):
            continue
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if ("parameters" in tags or "injected-parameters" in tags) and "remove-cell" not in tags:
            # Parameters are for the runner, not the reader: the page title says the year and
            # subject.
            cell.metadata["tags"] = tags + ["remove-cell"]
        elif cell.cell_type == "code" and not {"remove-cell", "remove-input", "hide-input"} & set(
            tags
        ):
            # Readers see tables, charts and prose, not code. A cell that shows something keeps its
            # code one click away ("Show code cell source"); one that only loads data or glues
            # numbers for the prose is left out of the page (it stays in the notebook, behind the
            # download button).
            visible = [
                o for o in cell.get("outputs", []) if "scrapbook" not in o.get("metadata", {})
            ]
            cell.metadata["tags"] = tags + (["hide-input"] if visible else ["remove-cell"])
        kept.append(cell)
    count = 0
    for i, cell in enumerate(kept):
        cell.id = f"cell-{i:02d}"
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            # as a fresh kernel numbers them, whichever kernel ran the notebook
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = count
    first_markdown = next(c for c in kept if c.cell_type == "markdown")
    # A label per page lets other pages link to it: (<template>-<year>)= e.g. {ref}`audit-2022`.
    suffix = "" if lang == "en" else f"-{lang}"
    once_a_year = run.year and not any(
        k not in ("year", "lang", "data_dir") for k in run.parameters
    )
    label = f"({run.template}-{run.year}{suffix})=\n" if once_a_year else ""
    year = (f" ({run.year})" if lang == "en" else f"（{run.year}）") if run.year else ""
    first_markdown.source = f"{label}# {run.title}{year}{_other_editions(run)}"
    for cell in kept:
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace("@YEAR@", str(run.year))
    nb.cells = kept
    return nb


def check_parameters(run: Run) -> None:
    """Refuse parameter values a template cannot take, before a kernel is started: papermill writes
    them into code, so only plain, expected values may pass."""
    from analysis.arguments import FIRST_YEAR, ID, LAST_YEAR, is_year
    from analysis.i18n import LANGS

    p = run.parameters
    year = p.get("year")
    if run.year is not None and not is_year(year):
        raise RunError(
            f"{run.describe()}: parameter year={year!r} is not a year (a whole number from "
            f"{FIRST_YEAR} to {LAST_YEAR})"
        )
    if p.get("lang", "en") not in LANGS:
        raise RunError(
            f"{run.describe()}: parameter lang={p.get('lang')!r} is not one of {', '.join(LANGS)}"
        )
    for key in ("subject", "country", "city"):
        value = p.get(key)
        if value is not None and not (
            isinstance(value, str) and (ID.match(value) or value.isalnum())
        ):
            raise RunError(f"{run.describe()}: parameter {key}={value!r} is not an id")
    if p.get("data_dir") is not None and not Path(p["data_dir"]).is_dir():
        raise RunError(f"{run.describe()}: parameter data_dir={p['data_dir']!r} is not a folder")


# Run silently in a reused kernel before each notebook, so that it starts as a fresh kernel would:
# an empty namespace, pandas' display options at their defaults, chart ids counted from 1. Imported
# modules stay loaded, which is the point: a kernel start and the imports cost ~2.4 s a notebook.
# Execution counts are renumbered by _clean; nbval (make test) re-runs every page in a fresh kernel
# and compares, so anything a reused kernel carried over would fail the tests.
RESET_KERNEL = """\
get_ipython().run_line_magic("reset", "-f")
import sys as _sys, pandas as _pd
_pd.reset_option("display")
if "analysis.charts" in _sys.modules:
    _sys.modules["analysis.charts"].reset_chart_ids()
del _sys, _pd
"""

_kernel = None  # this process's kernel manager, kept between notebooks (see _engine)

# Kernels talk to their client over Unix sockets in a folder of their own, not over TCP ports. With
# TCP, jupyter_client picks free ports by binding and releasing them, and two processes starting
# kernels at once can be handed the same port: one client then talks to the other kernel, which
# rejects its messages ("Invalid Signature"), and the start ends in "Kernel didn't respond in 60
# seconds" (seen once in six clean builds of 42 notebooks on 3 workers). jupyter_client's own IPC
# default is no better: every kernel's sockets are named kernel-ipc-<n> in the working folder, <n>
# picked by looking for a free name, which races the same way. A folder per kernel cannot collide.
KERNEL_TRANSPORT = "ipc"
# What a kernel that never came up says; such a start is retried once (see execute).
KERNEL_START_FAILURES = (
    "Kernel didn't respond",
    "Kernel died before replying",
    "Address already in use",
)


def _kernel_manager(kernel_name: str):
    """A kernel manager whose sockets live in a new folder of their own (see KERNEL_TRANSPORT)."""
    import tempfile

    from jupyter_client.manager import AsyncKernelManager

    sockets = tempfile.mkdtemp(prefix="sc-kernel-")
    return AsyncKernelManager(
        kernel_name=kernel_name, transport=KERNEL_TRANSPORT, ip=os.path.join(sockets, "s")
    )


def _stop(km) -> None:
    """Shut down km's kernel (if it runs) and remove its socket folder."""
    if km.has_kernel:
        from jupyter_core.utils import run_sync

        run_sync(km.shutdown_kernel)(now=True)
    shutil.rmtree(os.path.dirname(km.ip), ignore_errors=True)


def _shutdown_kernel() -> None:
    global _kernel
    if _kernel is not None:
        _stop(_kernel)
    _kernel = None


@functools.cache
def _engine() -> str:
    """A papermill engine whose kernels use KERNEL_TRANSPORT; with reuse_kernel=True it executes in
    this process's kernel (started on first use, reset before each notebook)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class ScienceCitiesEngine(NBClientEngine):
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
            **kwargs,
        ):
            global _kernel
            if reuse_kernel and _kernel is None:
                _kernel = _kernel_manager(kernel_name)
                import multiprocessing.util

                multiprocessing.util.Finalize(
                    None, _shutdown_kernel, exitpriority=10
                )  # pool workers skip atexit
            km = _kernel if reuse_kernel else _kernel_manager(kernel_name)
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

            async def reset(notebook):
                reply = await client.kc.execute_interactive(
                    RESET_KERNEL, silent=True, store_history=False, timeout=60
                )
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(
                        f"resetting the kernel failed: {reply['content'].get('evalue')}"
                    )

            if reuse_kernel:
                client.on_notebook_start = reset
            try:
                return client.execute(cleanup_kc=not reuse_kernel)
            finally:
                if reuse_kernel:
                    if client.kc is not None:
                        client.kc.stop_channels()
                else:  # also a kernel that started but never answered
                    _stop(km)

    papermill_engines.register("science-cities", ScienceCitiesEngine)
    return "science-cities"


def _kernel_did_not_start(error: Exception) -> bool:
    return any(text in str(error) for text in KERNEL_START_FAILURES)


def execute(run: Run, out_path: Path, reuse_kernel: bool = False, log=print) -> Path:
    """Run one template with papermill into out_path. Raises RunError naming notebook, cell and
    cause. With reuse_kernel, this process's kernel serves one notebook after another (reset in
    between). A kernel that does not start is retried once, with a line to `log` saying so."""
    import papermill as pm

    from analysis.charts import RENDERER_ENV

    check_parameters(run)
    os.environ[RENDERER_ENV] = "offline"  # the kernels inherit it: charts for the book's pages
    for attempt in (1, 2):
        try:
            pm.execute_notebook(
                str(run.template_path),
                str(out_path),
                parameters=run.parameters,
                kernel_name="python3",
                cwd=str(REPO),
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                engine_name=_engine(),
                reuse_kernel=reuse_kernel,
            )
            break
        except pm.PapermillExecutionError as e:
            _shutdown_kernel()  # the next notebook gets a fresh kernel
            raise RunError(
                f"{run.describe()}: cell {e.cell_index} (execution count {e.exec_count}) failed: "
                f"{e.ename}: {e.evalue}"
            ) from None
        except Exception as e:  # kernel died or did not start, template missing, ...
            _shutdown_kernel()
            if attempt == 1 and _kernel_did_not_start(e):
                log(
                    f"  {run.describe()}: the kernel did not start ({type(e).__name__}: {e}); "
                    "retrying once"
                )
                continue
            raise RunError(f"{run.describe()}: {type(e).__name__}: {e}") from None
    nb = nbformat.read(out_path, as_version=4)
    nbformat.write(_clean(nb, run), out_path)
    return out_path


def _up_to_date(run: Run, folder: Path) -> bool:
    return _stored_hash(folder / f"{run.name}.ipynb") == run.inputs_hash


def _stored_hash(path: Path) -> str | None:
    """The inputs hash an executed notebook records (None: missing or unreadable)."""
    try:
        return (
            json.loads(path.read_text(encoding="utf-8"))["metadata"]
            .get(METADATA_KEY, {})
            .get("inputs_hash")
        )
    except (OSError, ValueError, KeyError):
        return None


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


Editions = dict  # (year or None for the common pages, language) -> (runs, folder)


def plan_editions(years: list[int], data_dir: Path = DATA, out_root: Path = GENERATED) -> Editions:
    """Every edition to execute: each of `years` in every language of the run matrix, and the
    common pages per language. Plans (and so validates) everything before anything runs."""
    matrix = read_matrix()
    planned = {}
    for lang in matrix.get("languages", ["en"]):
        for year in years:
            planned[(year, lang)] = (
                plan(year, data_dir, lang, matrix),
                edition_folder(out_root, year, lang),
            )
        planned[(None, lang)] = (plan_common(lang, matrix), edition_folder(out_root, None, lang))
    return planned


def stale(planned: Editions) -> list[str]:
    """What the executed notebooks lack to be what the code and data make: one line per notebook
    that is missing, stale (its recorded inputs hash differs) or extra (no run makes it)."""
    found = []
    for runs, folder in planned.values():
        expected = {f"{run.name}.ipynb": run for run in runs}
        for name, run in expected.items():
            stored = _stored_hash(folder / name)
            if stored is None:
                found.append(f"missing: {shown(folder / name)}")
            elif stored != run.inputs_hash:
                found.append(f"stale: {shown(folder / name)} ({run.describe()})")
        found += [
            f"extra: {shown(p)}" for p in sorted(folder.glob("*.ipynb")) if p.name not in expected
        ]
    return found


def stage_runs(
    editions: list[tuple[list[Run], Path]], force: bool = False, jobs: int = 2, log=print
) -> list[Path]:
    """Execute the runs of every edition into staging folders beside their folders, copying
    unchanged ones; one process pool serves all editions, so small editions do not run alone.
    Returns the staging folders (all removed again if anything fails)."""
    from analysis.staging import fresh_staging

    stagings = []
    try:
        todo = []
        for runs, folder in editions:
            stagings.append(fresh_staging(folder))
            fresh = [run for run in runs if force or not _up_to_date(run, folder)]
            for run in runs:
                if run not in fresh:
                    shutil.copy2(folder / f"{run.name}.ipynb", stagings[-1] / f"{run.name}.ipynb")
            todo += [(run, stagings[-1], folder) for run in fresh]
            log(
                f"{folder.name}: {len(runs)} notebooks, {len(runs) - len(fresh)} unchanged, "
                f"{len(fresh)} to run"
            )
        if todo:
            logs = BUILD / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            args = [
                (
                    run,
                    str(staging / f"{run.name}.ipynb"),
                    str(logs / f"{folder.name}-{run.name}.log"),
                )
                for run, staging, folder in todo
            ]
            with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool:
                for done, ((run, _, folder), (_, notes)) in enumerate(
                    zip(todo, pool.map(_execute_one, args)), start=1
                ):
                    for note in notes:
                        log(note)
                    log(f"  [{done}/{len(todo)}] {folder.name}/{run.name}")
    except BaseException:
        for staging in stagings:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return stagings


def execute_editions(
    editions: list[tuple[list[Run], Path]], force: bool = False, jobs: int = 2, log=print
) -> list[list[Path]]:
    """Stage every edition first and swap them all in only when all succeeded: a failure anywhere
    leaves every folder as it was."""
    from analysis.staging import replace

    staged = stage_runs(editions, force, jobs, log)
    for staging, (_, folder) in zip(staged, editions):
        replace(staging, folder)
    return [[folder / f"{run.name}.ipynb" for run in runs] for runs, folder in editions]


def edition_folder(out_root: Path, year: int | None, lang: str = "en") -> Path:
    name = str(year) if year else "common"
    return out_root / (name if lang == "en" else f"{name}-{lang}")


def run_year(
    year: int,
    data_dir: Path = DATA,
    out_root: Path = GENERATED,
    lang: str = "en",
    force: bool = False,
    jobs: int = 2,
    log=print,
) -> list[Path]:
    """Execute every run of a year into out_root/<year>/ (or <year>-<lang>/)."""
    return execute_editions(
        [(plan(year, data_dir, lang), edition_folder(out_root, year, lang))], force, jobs, log
    )[0]
