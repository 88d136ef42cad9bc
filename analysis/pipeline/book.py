"""Build the Jupyter Book from its sources: one Sphinx build per language (so that the theme's own
words, the search and the navigation are in the page's language), the offline chart bundle, the
PDFs, and a swap that replaces _build/html only when every language built.

The English book is _build/html/, the Chinese one _build/html/zh/ (analysis.pipeline.editions).
"""

from __future__ import annotations

import csv
import hashlib
import json
import posixpath
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from analysis import i18n
from analysis.errors import BuildError, PdfError
from analysis.paths import BOOK, BUILD, REPO, shown
from analysis.pipeline import pdf, processes, sources
from analysis.pipeline.editions import GENERATED_IN_SOURCE, LANGUAGES, cross_link
from analysis.pipeline.staging import fresh_staging, replace

STATIC = BOOK / "_static"
# (read as a file, not imported: importing it imports myst-nb, 0.8 s that only Sphinx needs)
SPHINX_EXTENSION = Path(__file__).with_name("sphinx_ext.py")
BUNDLE = STATIC / "altair-offline.js"


def write_bundle() -> Path:
    """Write the offline vega bundle unless it is already there (it depends only on pinned
    packages)."""
    if not BUNDLE.exists():
        # Altair and vl-convert (0.3 s to import) are needed only when the bundle is missing.
        from analysis.charts import offline_bundle

        STATIC.mkdir(parents=True, exist_ok=True)
        tmp = BUNDLE.with_suffix(".tmp")
        tmp.write_text(offline_bundle(), encoding="utf-8")
        tmp.replace(BUNDLE)
    return BUNDLE


def sources_hash(source: Path) -> str:
    """A hash of everything the HTML is built from: config, TOC, pages, executed notebooks, static
    files, and the two modules that shape the pages (the Sphinx extension, the print page)."""
    h = hashlib.sha256()
    files = (
        [source / "_config.yml", source / "book" / "moved.csv"]
        + [SPHINX_EXTENSION, Path(i18n.__file__), Path(pdf.__file__)]
        + [source / language.toc for language in LANGUAGES.values()]
        + _pages(source)
        + sorted((source / "book" / "_static").glob("*"))
    )
    for path in files:
        if path.is_file():
            name = path.relative_to(source) if path.is_relative_to(source) else path.name
            h.update(str(name).encode() + path.read_bytes())
    return h.hexdigest()


def _pages(source: Path) -> list[Path]:
    """The pages Sphinx reads: the narrative pages and the executed notebooks under book/."""
    book = source / "book"
    return [
        path
        for path in sorted(book.rglob("*.md")) + sorted(book.rglob("*.ipynb"))
        if not any(part.startswith((".staging", ".old")) for part in path.parts)
    ]


def _forget_unseen_changes(work: Path, source: Path) -> dict:
    """Sphinx reads a page again only when its file is newer than at the last build. A page whose
    content changed while its time did not move on (restored from a copy that keeps file times, as
    `bench --book` restores the notebooks) would keep its old text in the book: then the work
    folder is removed, and the language builds clean. Returns the pages' record for the next
    build (kept in the work folder)."""
    now = {
        str(path.relative_to(source)): [path.stat().st_mtime_ns, _sha256(path)]
        for path in _pages(source)
    }
    record = work / "pages.json"
    if record.is_file():
        before = json.loads(record.read_text(encoding="utf-8"))
        if any(
            name in before and before[name][1] != sha and mtime <= before[name][0]
            for name, (mtime, sha) in now.items()
        ):
            shutil.rmtree(work, ignore_errors=True)
    return now


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _config_for(lang: str, source: Path, out: Path) -> Path:
    """_config.yml with the language's own settings (its Sphinx language, its title), written
    beside the build for the languages that need any."""

    def merge(base: dict, update: dict) -> dict:
        for key, value in update.items():
            base[key] = merge(base.get(key) or {}, value) if isinstance(value, dict) else value
        return base

    config = merge(
        yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8")),
        LANGUAGES[lang].config,
    )
    path = out / f".config-{lang}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _docs(toc: Path) -> set[str]:
    return {chapter.doc for chapter in pdf.chapters(toc)} if toc.is_file() else set()


def _build_language(lang: str, source: Path, out: Path) -> Path:
    """One language's jupyter-book build, warnings as errors, in a work folder kept between builds
    (Sphinx reads again only the pages that changed). Returns its HTML folder."""
    work = out / f".work-{lang}"
    pages = _forget_unseen_changes(work, source)
    toc = source / LANGUAGES[lang].toc
    args = [
        "build",
        str(source),
        "--toc",
        str(toc),
        "--config",
        str(_config_for(lang, source, out)),
        "--path-output",
        str(work),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
    ]
    log = out / f".build-{lang}.log"
    if processes.build(args, source, log) != 0:
        # Sphinx saved its environment; an unchanged broken page would not be read (nor warn)
        # again.
        shutil.rmtree(work, ignore_errors=True)
        lines = (
            log.read_text(encoding="utf-8", errors="replace").splitlines() if log.is_file() else []
        )
        causes = [line for line in lines if "WARNING" in line or "ERROR" in line] or lines[-30:]
        raise BuildError(
            f"jupyter-book build ({lang}) failed; _build/html was left as it was.\n"
            + "\n".join(causes)
        )
    (work / "pages.json").write_text(json.dumps(pages, sort_keys=True), encoding="utf-8")
    html = work / "_build" / "html"
    # Sphinx writes pages, it never deletes them: a page that left the book (renamed, or a year
    # that lost its data) would stay in the kept HTML.
    docs = _docs(toc)
    for page in (html / GENERATED_IN_SOURCE).rglob("*.html"):
        if page.relative_to(html).with_suffix("").as_posix() not in docs:
            page.unlink()
    # (the book's static files are copied by analysis.pipeline.sphinx_ext, first)
    return html


def _print_page(lang: str, html: Path, source: Path) -> Path:
    """The language's whole book on one page (print.html, analysis.pipeline.pdf), in its HTML."""
    title = LANGUAGES[lang].config.get("title") or yaml.safe_load(
        (source / "_config.yml").read_text(encoding="utf-8")
    ).get("title", "")
    return pdf.assemble(html, source / LANGUAGES[lang].toc, lang, title)


def _pdf(lang: str, page: Path, html: Path, previous: Path, into: Path) -> str:
    """The PDF of one language's book, printed from `page` (print.html in the built `html`) into
    `into`: printed again only when that page changed; otherwise the previous book's PDF (in
    `previous`) is kept. Returns "printed" or "kept"."""
    digest = hashlib.sha256(page.read_bytes() + _static_bytes(html)).hexdigest()
    name = pdf.FILE_NAMES[lang]
    stamp = f".{name}.sha256"
    into.mkdir(parents=True, exist_ok=True)
    unchanged = (previous / stamp).is_file() and (previous / stamp).read_text() == digest
    if unchanged and (previous / name).is_file():
        for kept in (name, stamp, f".{name}.pages.json"):
            if (previous / kept).is_file():
                shutil.copy2(previous / kept, into / kept)
        return "kept"
    numbers = f".{name}.pages.json"
    before = (
        json.loads((previous / numbers).read_text()) if (previous / numbers).is_file() else None
    )
    try:
        pages = pdf.print_book(page, into / name, before)
    except PdfError as e:
        raise BuildError(f"{e}; _build/html was left as it was") from None
    (into / stamp).write_text(digest)
    (into / numbers).write_text(json.dumps(pages, sort_keys=True))
    return "printed"


def _static_bytes(html: Path) -> bytes:
    """What a printed page takes from the book's static folder (styles, the chart bundle)."""
    static = html / "_static"
    files = sorted(static.glob("*.css")) + sorted(static.glob("styles/*.css"))
    return b"".join(p.read_bytes() for p in files + [static / BUNDLE.name] if p.is_file())


def _redirects(source: Path, staging: Path) -> None:
    """A page for each URL the book used to have (book/moved.csv: old page, new page), sending the
    reader to the page's new name, so that links from before a renaming keep working."""
    moved = source / "book" / "moved.csv"
    if not moved.is_file():
        return
    for row in csv.DictReader(moved.open(encoding="utf-8")):
        for language in LANGUAGES.values():
            root = staging / language.html
            old, new = root / f"{row['old']}.html", root / f"{row['new']}.html"
            if new.is_file() and not old.exists():
                target = posixpath.relpath(f"{row['new']}.html", posixpath.dirname(row["old"]))
                old.parent.mkdir(parents=True, exist_ok=True)
                old.write_text(
                    f'<!DOCTYPE html><html><head><meta charset="utf-8">'
                    f'<meta http-equiv="refresh" content="0; url={target}">'
                    f'<link rel="canonical" href="{target}"><title>{target}</title></head>'
                    f'<body><p><a href="{target}">{target}</a></p></body></html>\n',
                    encoding="utf-8",
                )


def _languages(source: Path) -> list[str]:
    return [lang for lang, language in LANGUAGES.items() if (source / language.toc).is_file()]


def build_html(
    out: Path = BUILD, source: Path = REPO, force: bool = False, pdfs: bool = True, log=print
) -> Path:
    """Every language's book (and with `pdfs`, its PDF), side by side on the machine's cores, into
    one staging folder swapped into out/html when all of them were made. Skipped when out/html was
    made from exactly these sources."""
    write_bundle()
    digest = sources_hash(source) + ("+pdf" if pdfs else "")
    stamp = out / "html" / ".sources-sha256"
    if not force and stamp.is_file() and stamp.read_text() == digest:
        return out / "html"
    staging = fresh_staging(out / "html")
    try:

        def one(lang: str) -> str:
            start = time.perf_counter()
            html = _build_language(lang, source, out)
            page = _print_page(lang, html, source)
            shutil.copytree(html, staging / LANGUAGES[lang].html, dirs_exist_ok=True)
            note = f"{lang}: HTML {time.perf_counter() - start:.1f} s"
            if pdfs:
                start = time.perf_counter()
                previous = out / "html" / pdf.PDF_FOLDER
                done = _pdf(lang, page, html, previous, staging / pdf.PDF_FOLDER)
                note += f", PDF {done} {time.perf_counter() - start:.1f} s"
            return note

        with ThreadPoolExecutor(max_workers=2) as pool:  # (each waits on its own processes)
            for note in pool.map(one, _languages(source)):
                log(note)
        _redirects(source, staging)
        (staging / ".sources-sha256").write_text(digest)
        replace(staging, out / "html")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out / "html"


def rebuild_pdfs(out: Path = BUILD, source: Path = REPO) -> list[Path]:
    """Print the PDFs again into the built book (out/html/pdf), replacing them only once all are
    made. The HTML must be built (make book)."""
    html = out / "html"
    if not (html / "index.html").is_file():
        raise BuildError(f"{html} has no book yet: build it first with `make book`")
    staging = fresh_staging(html / pdf.PDF_FOLDER)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(
                pool.map(
                    lambda lang: _pdf(
                        lang,
                        _print_page(lang, html / LANGUAGES[lang].html, source),
                        html / LANGUAGES[lang].html,
                        staging / "none",
                        staging,
                    ),
                    _languages(source),
                )
            )
        replace(staging, html / pdf.PDF_FOLDER)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted((html / pdf.PDF_FOLDER).glob("*.pdf"))


def build_other_data(
    data_dir: Path, out: Path, years: list[int], jobs: int = 2, log=print
) -> Path:
    """A separate book built from another data folder (e.g. a simulated one), in every language of
    the book, into out/src (sources) and out/html. The repository's book is not touched."""
    source = out / "src"
    (source / "book").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "_config.yml", source / "_config.yml")
    shutil.copytree(STATIC, source / "book" / "_static", dirs_exist_ok=True)
    label = (
        (Path(data_dir) / "README.txt").read_text(encoding="utf-8").strip()
        if (Path(data_dir) / "README.txt").exists()
        else ""
    )
    where = shown(Path(data_dir))
    to_zh = cross_link("book/intro", "en", "book/intro-zh", "zh")
    to_en = cross_link("book/intro-zh", "zh", "book/intro", "en")
    (source / "book" / "intro.md").write_text(
        f'# Science Cities, built from another data folder\n\n*<a href="{to_zh}">中文版</a>*\n\n'
        f"The pages of this book were executed on the data folder `{where}`, not on the figures "
        f"transcribed from the supplement.\n\n{label}\n",
        encoding="utf-8",
    )
    (source / "book" / "intro-zh.md").write_text(
        f'# 科研城市：基于其他数据文件夹构建\n\n*<a href="{to_en}">English edition</a>*\n\n'
        f"本书各页基于数据文件夹 `{where}` 执行，而非转录自增刊的数字。\n\n{label}\n",
        encoding="utf-8",
    )
    pages = {"en": ("book/intro",), "zh": ("book/intro-zh",)}
    sources.update(
        data_dir, years, source / "book" / "generated", source, jobs=jobs, pages=pages, log=log
    )
    return build_html(out, source, pdfs=False)  # the repository's book has the PDFs
