"""Plan the book's runs from the page kinds (analysis/pages.py), and tell which executed notebooks
are out of date.

A run is one page: a page kind, a data year (or none), a language and an instance (a subject,
country or city id). Its file name comes from its kind and instance, never from its place in the
book (the tables of contents hold the order).

A run is out of date when its fingerprint changed. The fingerprint covers what the page is made
of, and nothing else: its template, its parameters and title, the runner's own treatment of a
notebook (analysis/pipeline/notebook.py), and what its kernel used the last time it ran, as the
executed notebook records it: the data files it opened, the folders it listed, and the modules of
`analysis` it imported. Editing a module no page imports (the benchmark, the CLI) re-runs nothing;
editing a data file re-runs the pages that read it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from analysis import pages
from analysis.data import YearData, load_year
from analysis.errors import RunError
from analysis.i18n import LANGS
from analysis.paths import DATA, GENERATED, REPO, shown
from analysis.pipeline import notebook
from analysis.pipeline.arguments import FIRST_YEAR, ID, LAST_YEAR, is_year
from analysis.pipeline.editions import edition_folder
from analysis.pipeline.notebook import METADATA_KEY


@dataclass(frozen=True)
class Run:
    year: int | None  # None: a page of no data year (the methods)
    lang: str
    kind: str
    instance: str | None  # the subject, country or city id; None for a page run once
    stem: str  # the page's file name
    title: str
    data_dir: Path = field(default=DATA, compare=False)
    drop_tags: tuple[str, ...] = ()  # cells with these tags are left out (see pages.CELL_NEEDS)

    @property
    def page_kind(self) -> pages.PageKind:
        return pages.KINDS[self.kind]

    @property
    def template_path(self) -> Path:
        return self.page_kind.template_path

    @property
    def parameters(self) -> dict:
        """What papermill hands the template, typed as pages.PARAMETERS declares."""
        out: dict = {}
        if self.year is not None:
            out["year"] = self.year
        each = self.page_kind.each
        if each is not None:
            out[each.parameter] = self.instance
        out["lang"] = self.lang
        if Path(self.data_dir).resolve() != DATA.resolve():
            out["data_dir"] = Path(self.data_dir).resolve()
        return out

    def describe(self) -> str:
        extra = [str(self.year)] if self.year else []
        extra += [f"{self.page_kind.each.parameter}={self.instance}"] if self.instance else []
        return f"{self.kind} ({', '.join(extra + [self.lang])})"


def _position(kind: pages.PageKind, data: YearData, value: str | None) -> int:
    """Where an instance stands in its reference's order (kinds of one group interleave by it)."""
    if value is None:
        return 0
    reference = data.reference[kind.each.names]
    key = reference.columns[0]
    if "order" in reference.columns:
        reference = reference.sort_values("order")
    ids = list(reference[key])
    return ids.index(value) if value in ids else len(ids)


def plan(data: YearData, lang: str = "en") -> list[Run]:
    """Every run of one data year in one language, in book order."""
    drop = tuple(
        tag
        for tag, needs in pages.CELL_NEEDS.items()
        if not any(pages.has_need(data, need) for need in needs)
    )
    groups = [kind.group or kind.name for kind in pages.KINDS.values()]
    group_index: dict[str, int] = {}
    ordered = []
    for kind in pages.KINDS.values():
        if not kind.yearly or not pages.has_need(data, kind.needs):
            continue
        name = kind.group or kind.name
        group = group_index.setdefault(name, len(group_index))
        shared = groups.count(name) > 1  # kinds of one group interleave by their instances
        for position, instance in enumerate(pages.instances(kind, data, lang)):
            place = _position(kind, data, instance.value) if shared else position
            run = Run(
                data.year,
                lang,
                kind.name,
                instance.value,
                kind.page_stem(instance),
                kind.page_title(instance, lang),
                data.data_dir,
                drop,
            )
            ordered.append(((group, place), run))
    return [run for _, run in sorted(ordered, key=lambda item: item[0])]


def plan_common(lang: str = "en") -> list[Run]:
    """The pages of no data year, in the order the page kinds are declared."""
    return [
        Run(
            None,
            lang,
            kind.name,
            None,
            kind.page_stem(pages.Instance(None, "", "")),
            kind.title[lang],
        )
        for kind in pages.KINDS.values()
        if not kind.yearly
    ]


Editions = dict  # (year or None for the common pages, language) -> (runs, folder)


def plan_editions(years: list[int], data_dir: Path = DATA, root: Path = GENERATED) -> Editions:
    """Every edition to execute: each of `years` in every language, and the common pages of each
    language. Checks the page declarations and validates every year (DataError) before anything
    runs."""
    years_data = {year: load_year(year, data_dir) for year in years}
    pages.check_registry(data_dir)  # (after the data, whose schema it reads, was validated)
    planned: Editions = {}
    for lang in LANGS:
        for year, data in years_data.items():
            planned[(year, lang)] = (plan(data, lang), edition_folder(root, year, lang))
        planned[(None, lang)] = (plan_common(lang), edition_folder(root, None, lang))
    return planned


# ---- fingerprints -------------------------------------------------------------------------------


RUNNER_CODE = Path(notebook.__file__)  # what the runner does to every page besides executing it


def _module_file(name: str) -> Path:
    """The source file of a module of analysis (its __init__.py for a package)."""
    path = REPO / Path(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def fingerprint(run: Run, used: dict) -> str:
    """The hash of everything a page is made of, given what its kernel used (`used`: files,
    folders and modules, as notebook.REPORT records them)."""
    h = hashlib.sha256()
    h.update(run.template_path.read_bytes())
    stated = {
        "parameters": {k: v for k, v in run.parameters.items() if k != "data_dir"},
        "title": run.title,
        "stem": run.stem,
        "drop": list(run.drop_tags),
    }
    h.update(json.dumps(stated, sort_keys=True, default=str).encode())
    h.update(RUNNER_CODE.read_bytes())
    root = Path(run.data_dir)

    def content(path: Path) -> bytes:
        return path.read_bytes() if path.is_file() else b"<missing>"

    for name in used.get("files", []):
        h.update(b"\0file " + name.encode() + b"\0" + content(root / name))
    for name in used.get("folders", []):
        folder = root / name
        listing = "\n".join(sorted(os.listdir(folder))) if folder.is_dir() else "<missing>"
        h.update(b"\0folder " + name.encode() + b"\0" + listing.encode())
    for name in used.get("modules", []):
        h.update(b"\0module " + name.encode() + b"\0" + content(_module_file(name)))
    return h.hexdigest()


def stored(path: Path) -> dict | None:
    """What an executed notebook records of its run (None: missing or unreadable)."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))["metadata"][METADATA_KEY]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return meta if isinstance(meta, dict) and "inputs_hash" in meta else None


def up_to_date(run: Run, folder: Path) -> bool:
    record = stored(folder / f"{run.stem}.ipynb")
    return record is not None and record["inputs_hash"] == fingerprint(run, record["inputs"])


def stale(planned: Editions) -> list[str]:
    """What the executed notebooks lack to be what the code and data make: one line per notebook
    that is missing, stale (what it was made of changed) or extra (no run makes it)."""
    found = []
    for runs, folder in planned.values():
        expected = {f"{run.stem}.ipynb": run for run in runs}
        for name, run in expected.items():
            record = stored(folder / name)
            if record is None:
                found.append(f"missing: {shown(folder / name)}")
            elif record["inputs_hash"] != fingerprint(run, record.get("inputs", {})):
                found.append(f"stale: {shown(folder / name)} ({run.describe()})")
        found += [
            f"extra: {shown(p)}" for p in sorted(folder.glob("*.ipynb")) if p.name not in expected
        ]
    return found


def check_parameters(run: Run) -> None:
    """Refuse parameter values a template cannot take, before a kernel is started: papermill writes
    them into code, so only plain values of the declared types (pages.PARAMETERS) may pass."""
    p = run.parameters
    if run.year is not None and not is_year(p.get("year")):
        raise RunError(
            f"{run.describe()}: parameter year={p.get('year')!r} is not a year (a whole number "
            f"from {FIRST_YEAR} to {LAST_YEAR})"
        )
    if run.lang not in LANGS:
        raise RunError(
            f"{run.describe()}: parameter lang={run.lang!r} is not one of {', '.join(LANGS)}"
        )
    each = run.page_kind.each
    if each is not None and not (
        isinstance(run.instance, str) and (ID.match(run.instance) or run.instance.isalnum())
    ):
        raise RunError(
            f"{run.describe()}: parameter {each.parameter}={run.instance!r} is not an id"
        )
    if not Path(run.data_dir).is_dir():
        raise RunError(
            f"{run.describe()}: parameter data_dir={str(run.data_dir)!r} is not a folder"
        )
    declared = dict(pages.PARAMETERS) | ({each.parameter: str} if each else {})
    for key, value in p.items():
        if not isinstance(value, declared.get(key, ())):
            raise RunError(f"{run.describe()}: parameter {key}={value!r} is not declared so")
