"""The book's sources: the executed notebooks of every edition and the tables of contents that
order them. `update` plans, executes what changed and writes the contents; `check` says what is
out of date without executing anything. Every command that makes or checks the sources calls one
of the two (run, run --check, book, book --out, the benchmarks).
"""

from __future__ import annotations

import time
from pathlib import Path

from analysis.data import years_with_data
from analysis.i18n import LANGS
from analysis.paths import DATA, GENERATED, REPO, shown
from analysis.pipeline.editions import LANGUAGES, edition_folder
from analysis.pipeline.execute import execute_editions
from analysis.pipeline.plan import plan_editions, stale

HEADER = "# Written by `python -m analysis run` from analysis/pages.py; do not edit by hand."


def toc_text(
    editions: dict[tuple[int | None, str], list[Path]],
    lang: str,
    source: Path = REPO,
    pages: tuple[str, ...] | None = None,
) -> str:
    """One language's table of contents, from the executed notebooks keyed by (year, language)
    with year None for the common pages: the root page, the editions newest first, then the
    year-independent pages."""
    language = LANGUAGES[lang]
    pages = language.pages if pages is None else pages
    edition_title, about_title = language.part_titles
    lines = [HEADER, "format: jb-book", f"root: {pages[0]}", "parts:"]

    def doc(path: Path) -> str:
        return path.relative_to(source).with_suffix("").as_posix()

    for year in sorted((y for y, la in editions if la == lang and y is not None), reverse=True):
        lines += [
            f'  - caption: "{edition_title.format(edition=year + 1, year=year)}"',
            "    chapters:",
        ]
        lines += [f"      - file: {doc(p)}" for p in editions[(year, lang)]]
    about = [doc(p) for p in editions.get((None, lang), [])] + list(pages[1:])
    about = [p for p in about if (source / f"{p}.md").exists() or (source / f"{p}.ipynb").exists()]
    if about:
        lines += [f'  - caption: "{about_title}"', "    chapters:"]
        lines += [f"      - file: {p}" for p in about]
    return "\n".join(lines) + "\n"


def toc_texts(editions: dict, source: Path = REPO, pages: dict | None = None) -> dict[Path, str]:
    """Every language's table of contents: {file: text}."""
    return {
        source / LANGUAGES[lang].toc: toc_text(editions, lang, source, (pages or {}).get(lang))
        for lang in dict.fromkeys(lang for _, lang in editions)
    }


def _all_editions(done: dict, data_dir: Path, root: Path) -> dict:
    """The editions just made, and the notebooks the others have (editions not asked for keep
    theirs; one never run has none, and no place in the contents), in the order the tables of
    contents list them."""
    for lang in LANGS:
        for year in years_with_data(data_dir):
            notebooks = sorted(edition_folder(root, year, lang).glob("*.ipynb"))
            if (year, lang) not in done and notebooks:
                done[(year, lang)] = notebooks
    return {
        key: done[key]
        for key in sorted(done, key=lambda k: (k[1] != "en", k[1], k[0] is None, k[0] or 0))
    }


def update(
    data_dir: Path = DATA,
    years: list[int] | None = None,
    root: Path = GENERATED,
    source: Path = REPO,
    *,
    force: bool = False,
    jobs: int = 2,
    pages: dict | None = None,
    log=print,
) -> dict:
    """Plan the editions of `years` (every year with data by default), execute what is out of
    date, and write the tables of contents under `source`. Returns every edition's notebooks."""
    years = years_with_data(data_dir) if years is None else years
    start = time.perf_counter()
    done = execute_editions(plan_editions(years, data_dir, root), root, force, jobs, log)
    log(f"notebooks: {time.perf_counter() - start:.1f} s")
    editions = _all_editions(done, data_dir, root)
    for path, text in toc_texts(editions, source, pages).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return editions


def check(
    data_dir: Path = DATA, root: Path = GENERATED, source: Path = REPO
) -> tuple[int, list[str]]:
    """Execute nothing: how many notebooks the book has, and one line per notebook or table of
    contents that is missing, stale or extra."""
    planned = plan_editions(years_with_data(data_dir), data_dir, root)
    found = stale(planned)
    expected = {
        key: [folder / f"{run.stem}.ipynb" for run in runs]
        for key, (runs, folder) in planned.items()
    }
    for toc, text in toc_texts(expected, source).items():
        if not toc.is_file() or toc.read_text(encoding="utf-8") != text:
            found.append(f"stale: {shown(toc)} (written by `python -m analysis run`)")
    return sum(len(runs) for runs, _ in planned.values()), found
