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
from analysis.data import YearData, load_year
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
    drop_tags: tuple[str, ...] = ()  # cells with these tags are removed (e.g. links to an audit that does not exist)

    @property
    def template_path(self) -> Path:
        return NOTEBOOKS / f"{self.template}.ipynb"

    def describe(self) -> str:
        extra = [f"{k}={v}" for k, v in self.parameters.items() if k not in ("year", "lang", "data_dir")]
        return f"{self.template} ({', '.join(([str(self.year)] if self.year else []) + extra)})"


def read_matrix(path: Path = MATRIX) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _subject_names(data: YearData, lang: str) -> dict:
    return data.reference["subjects"].set_index("subject_id")[f"name_{lang}"].to_dict()


def _instances(data: YearData, each: str, lang: str) -> list[tuple[dict, str, str]]:
    """(extra parameters, file-name slug, display name) for each instance of a run."""
    subjects = _subject_names(data, lang)
    table_subjects = set(data["adjusted_share"]["subject_id"]) if data.has("adjusted_share") else set()
    if each == "year":
        return [({}, "", "")]
    if each == "riser_table_subject":
        return [({"subject": s}, s, subjects[s]) for s in tables.riser_subjects(data) if s in table_subjects]
    if each == "riser_mention_subject":
        return [({"subject": s}, s, subjects[s]) for s in tables.riser_subjects(data) if s not in table_subjects]
    if each == "partnership_country":
        countries = data.reference["countries"].set_index("country_id")
        return [({"country": c}, countries.at[c, "slug"], countries.at[c, f"name_{lang}"]) for c in tables.partnership_countries(data)]
    if each == "partnership_city":
        return [({"city": c}, c, tables.city_name(data, c, lang)) for c in tables.partnership_cities(data)]
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
    return [p for p in data.files_read() if p.parent.name == "reference"] + [data.data_dir / "datapackage.json"] + chosen


def _inputs_hash(template: Path, parameters: dict, data: YearData | None, code: str, extra: list[Path] = (),
                 reads: list[str] = ("*",)) -> str:
    h = hashlib.sha256()
    h.update(template.read_bytes())
    h.update(json.dumps({k: v for k, v in parameters.items() if k != "data_dir"}, sort_keys=True).encode())
    for path in (_files_of(data, list(reads)) if data else []) + list(extra):
        h.update(str(path.relative_to(data.data_dir)).encode() + path.read_bytes())
    h.update(code.encode())
    return h.hexdigest()


def plan(year: int, data_dir: Path = DATA, lang: str = "en", matrix: dict | None = None) -> list[Run]:
    """Every run of one year, in book order. Validates the year's data first (raises DataError)."""
    matrix = matrix or read_matrix()
    data = load_year(year, data_dir)
    code = code_fingerprint()
    subject_order = {s: i for i, s in enumerate(data.reference["subjects"].sort_values("order")["subject_id"])}
    published = ledger_files(data)
    # Without a ledger there is no audit page, so prose that links to it is dropped.
    drop = () if published else ("needs-published",)
    runs = []
    for spec in matrix["run"]:
        if not (published if spec["needs"] == "published" else data.has(spec["needs"])):
            continue
        ledger = published if spec["needs"] == "published" else []
        for extra, slug, name in _instances(data, spec["each"], lang):
            order = subject_order.get(extra.get("subject"), 0)
            parameters = {"year": year, **extra, "lang": lang}
            if Path(data_dir).resolve() != DATA.resolve():
                parameters["data_dir"] = str(Path(data_dir).resolve())
            stem = f"{spec['template']}-{slug}" if slug else spec["template"]
            runs.append((spec["chapter"], order, Run(
                year, spec["template"], parameters, stem, spec.get(f"title_{lang}", spec["title"]).format(name=name),
                _inputs_hash(NOTEBOOKS / f"{spec['template']}.ipynb", parameters, data, code, ledger, spec.get("reads", ["*"])), drop)))
    runs.sort(key=lambda r: (r[0], r[1]))
    numbered = []
    for i, (chapter, _, run) in enumerate(runs, start=1):
        numbered.append(Run(run.year, run.template, run.parameters, f"{chapter:02d}-{i:02d}-{run.name}", run.title,
                            run.inputs_hash, run.drop_tags))
    return numbered


def plan_common(lang: str = "en", matrix: dict | None = None) -> list[Run]:
    """The pages that do not depend on a data year ([[common]] in runs.toml)."""
    matrix = matrix or read_matrix()
    code = code_fingerprint()
    runs = []
    for i, spec in enumerate(matrix.get("common", []), start=1):
        parameters = {"lang": lang}
        template = NOTEBOOKS / f"{spec['template']}.ipynb"
        runs.append(Run(None, spec["template"], parameters, f"{i:02d}-{spec['template']}", spec.get(f"title_{lang}", spec["title"]),
                        _inputs_hash(template, parameters, None, code)))
    return runs


def _other_editions(run: Run) -> str:
    """Links to the same page in the other languages of the matrix."""
    names = {"en": "English edition", "zh": "中文版"}
    lang = run.parameters.get("lang", "en")
    links = [f"[{names.get(other, other)}](../{edition_folder(Path('.'), run.year, other).name}/{run.name}.ipynb)"
             for other in read_matrix().get("languages", ["en"]) if other != lang]
    return f"\n\n*{' · '.join(links)}*" if links else ""


def _clean(nb: nbformat.NotebookNode, run: Run) -> nbformat.NotebookNode:
    """Make an executed notebook deterministic and fit for the book: no papermill timestamps, stable
    cell ids, the page title and label set, links to the other languages, other languages' prose removed."""
    nb.metadata.pop("papermill", None)
    nb.metadata[METADATA_KEY] = {"template": run.template, "parameters": run.parameters, "inputs_hash": run.inputs_hash}
    lang = run.parameters.get("lang", "en")
    kept = []
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if any(tag.startswith("lang-") and tag != f"lang-{lang}" for tag in tags) or set(tags) & set(run.drop_tags):
            continue
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "parameters" in tags and "remove-cell" not in tags:
            # The template's defaults; the page shows the injected values that follow instead.
            cell.metadata["tags"] = tags + ["remove-cell"]
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
    once_a_year = run.year and not any(k not in ("year", "lang", "data_dir") for k in run.parameters)
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
    from analysis.i18n import LANGS

    p = run.parameters
    year = p.get("year")
    if run.year is not None and not (isinstance(year, int) and not isinstance(year, bool) and 1900 < year < 2200):
        raise RunError(f"{run.describe()}: parameter year={year!r} is not a year (a whole number such as 2022)")
    if p.get("lang", "en") not in LANGS:
        raise RunError(f"{run.describe()}: parameter lang={p.get('lang')!r} is not one of {', '.join(LANGS)}")
    for key in ("subject", "country", "city"):
        value = p.get(key)
        if value is not None and not (isinstance(value, str) and value.replace("-", "").isalnum()):
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


def _shutdown_kernel() -> None:
    global _kernel
    if _kernel is not None and _kernel.has_kernel:
        from jupyter_core.utils import run_sync

        run_sync(_kernel.shutdown_kernel)(now=True)
    _kernel = None


@functools.cache
def _engine() -> str:
    """A papermill engine that executes in this process's kernel, starting it on first use."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class ReusedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, **kwargs):
            global _kernel
            from jupyter_client.manager import AsyncKernelManager

            if _kernel is None:
                _kernel = AsyncKernelManager(kernel_name=kernel_name)
                import multiprocessing.util

                multiprocessing.util.Finalize(None, _shutdown_kernel, exitpriority=10)  # pool workers skip atexit
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            client = PapermillNotebookClient(nb_man, km=_kernel, **merge_kwargs(
                kwargs, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                log=logger, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file))

            async def reset(notebook):
                reply = await client.kc.execute_interactive(RESET_KERNEL, silent=True, store_history=False, timeout=60)
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(f"resetting the kernel failed: {reply['content'].get('evalue')}")

            client.on_notebook_start = reset
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register("science-cities", ReusedKernelEngine)
    return "science-cities"


def execute(run: Run, out_path: Path, reuse_kernel: bool = False) -> Path:
    """Run one template with papermill into out_path. Raises RunError naming notebook, cell and cause.
    With reuse_kernel, this process's kernel serves one notebook after another (reset in between)."""
    import papermill as pm

    check_parameters(run)
    try:
        pm.execute_notebook(str(run.template_path), str(out_path), parameters=run.parameters, kernel_name="python3",
                            cwd=str(REPO), progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                            engine_name=_engine() if reuse_kernel else None)
    except pm.PapermillExecutionError as e:
        _shutdown_kernel()  # the next notebook gets a fresh kernel
        raise RunError(f"{run.describe()}: cell {e.cell_index} (execution count {e.exec_count}) failed: "
                       f"{e.ename}: {e.evalue}") from None
    except Exception as e:  # kernel died, template missing, ...
        _shutdown_kernel()
        raise RunError(f"{run.describe()}: {type(e).__name__}: {e}") from None
    nb = nbformat.read(out_path, as_version=4)
    nbformat.write(_clean(nb, run), out_path)
    return out_path


def _up_to_date(run: Run, folder: Path) -> bool:
    path = folder / f"{run.name}.ipynb"
    if not path.is_file():
        return False
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))["metadata"].get(METADATA_KEY, {})
    except (ValueError, KeyError):
        return False
    return meta.get("inputs_hash") == run.inputs_hash


def _execute_one(args: tuple[Run, str, str]) -> str:
    """Worker: execute one run. The kernel inherits this process's stderr, where it logs start-up and
    shutdown chatter; that goes to a log file so the progress lines stay readable."""
    run, out, log_path = args
    saved = os.dup(2)
    with open(log_path, "w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 2)
        try:
            execute(run, Path(out), reuse_kernel=True)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return out


def stage_runs(editions: list[tuple[list[Run], Path]], force: bool = False, jobs: int = 2, log=print) -> list[Path]:
    """Execute the runs of every edition into staging folders beside their folders, copying unchanged
    ones; one process pool serves all editions, so small editions do not run alone. Returns the
    staging folders (all removed again if anything fails)."""
    stagings = [folder.parent / f".staging-{folder.name}" for _, folder in editions]
    try:
        todo = []
        for (runs, folder), staging in zip(editions, stagings):
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            fresh = [run for run in runs if force or not _up_to_date(run, folder)]
            for run in runs:
                if run not in fresh:
                    shutil.copy2(folder / f"{run.name}.ipynb", staging / f"{run.name}.ipynb")
            todo += [(run, staging, folder) for run in fresh]
            log(f"{folder.name}: {len(runs)} notebooks, {len(runs) - len(fresh)} unchanged, {len(fresh)} to run")
        if todo:
            logs = BUILD / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            args = [(run, str(staging / f"{run.name}.ipynb"), str(logs / f"{folder.name}-{run.name}.log"))
                    for run, staging, folder in todo]
            with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool:
                for done, ((run, _, folder), _) in enumerate(zip(todo, pool.map(_execute_one, args)), start=1):
                    log(f"  [{done}/{len(todo)}] {folder.name}/{run.name}")
    except BaseException:
        for staging in stagings:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return stagings


def swap_in(staging: Path, folder: Path) -> None:
    """Replace `folder` by `staging`; the old folder is kept until the new one is in place."""
    old = folder.parent / f".old-{folder.name}"
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def execute_editions(editions: list[tuple[list[Run], Path]], force: bool = False, jobs: int = 2, log=print) -> list[list[Path]]:
    """Stage every edition first and swap them all in only when all succeeded: a failure anywhere
    leaves every folder as it was."""
    staged = stage_runs(editions, force, jobs, log)
    for staging, (_, folder) in zip(staged, editions):
        swap_in(staging, folder)
    return [[folder / f"{run.name}.ipynb" for run in runs] for runs, folder in editions]


def edition_folder(out_root: Path, year: int | None, lang: str = "en") -> Path:
    name = str(year) if year else "common"
    return out_root / (name if lang == "en" else f"{name}-{lang}")


def run_year(year: int, data_dir: Path = DATA, out_root: Path = GENERATED, lang: str = "en",
             force: bool = False, jobs: int = 2, log=print) -> list[Path]:
    """Execute every run of a year into out_root/<year>/ (or <year>-<lang>/)."""
    return execute_editions([(plan(year, data_dir, lang), edition_folder(out_root, year, lang))], force, jobs, log)[0]


def run_common(out_root: Path = GENERATED, lang: str = "en", force: bool = False, jobs: int = 2, log=print) -> list[Path]:
    """Execute the year-independent pages into out_root/common/ (or common-<lang>/)."""
    return execute_editions([(plan_common(lang), edition_folder(out_root, None, lang))], force, jobs, log)[0]
