"""Build the Jupyter Book from its sources: one Sphinx build per language (so that the theme's own
words, the search and the navigation are in the page's language), the offline chart bundle, the
PDFs, and a swap that replaces _build/html only when every language built.

The English book is _build/html/, the Chinese one _build/html/zh/ (analysis.pipeline.editions).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from analysis.charts import offline_bundle
from analysis.errors import BuildError
from analysis.paths import BOOK, BUILD, REPO, shown
from analysis.pipeline import pdf, sources
from analysis.pipeline.editions import LANGUAGES, cross_link
from analysis.pipeline.staging import replace

STATIC = BOOK / "_static"
BUNDLE = STATIC / "altair-offline.js"


def write_bundle() -> Path:
    """Write the offline vega bundle unless it is already there (it depends only on pinned
    packages)."""
    if not BUNDLE.exists():
        STATIC.mkdir(parents=True, exist_ok=True)
        tmp = BUNDLE.with_suffix(".tmp")
        tmp.write_text(offline_bundle(), encoding="utf-8")
        tmp.replace(BUNDLE)
    return BUNDLE


def sources_hash(source: Path) -> str:
    """A hash of everything the HTML is built from: config, TOC, pages, executed notebooks, static
    files."""
    h = hashlib.sha256()
    files = (
        [source / "_config.yml"]
        + [source / language.toc for language in LANGUAGES.values()]
        + sorted((source / "book").rglob("*.md"))
        + sorted((source / "book").rglob("*.ipynb"))
        + sorted((source / "book" / "_static").glob("*"))
    )
    for path in files:
        if path.is_file() and not any(
            part.startswith((".staging", ".old")) for part in path.parts
        ):
            h.update(str(path.relative_to(source)).encode() + path.read_bytes())
    return h.hexdigest()


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


def _build_language(lang: str, source: Path, out: Path, builder: str = "html") -> Path:
    """One language's jupyter-book build, warnings as errors, in a persistent work folder (Sphinx
    reads again only the pages that changed). Returns its output folder. `builder`: html, or
    singlehtml (the whole book in one page, for the PDF)."""
    work = out / (f".work-{lang}" if builder == "html" else f".work-{lang}-{builder}")
    cmd = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        "build",
        str(source),
        "--toc",
        str(source / LANGUAGES[lang].toc),
        "--config",
        str(_config_for(lang, source, out)),
        "--path-output",
        str(work),
        "--builder",
        builder,
        "-W",
        "-n",
        "--keep-going",
    ]
    result = subprocess.run(cmd, cwd=source, capture_output=True, text=True)
    if result.returncode != 0:
        # Sphinx saved its environment; an unchanged broken page would not be read (nor warn)
        # again.
        shutil.rmtree(work, ignore_errors=True)
        lines = (result.stdout + result.stderr).splitlines()
        causes = [line for line in lines if "WARNING" in line or "ERROR" in line] or lines[-30:]
        raise BuildError(
            f"jupyter-book build ({lang}, {builder}) failed; _build/html was left as it was.\n"
            + "\n".join(causes)
        )
    return work / "_build" / builder


def _write_pdfs(source: Path, out: Path, staging: Path, languages: list[str]) -> None:
    """The PDF of each language's book into staging/pdf/ (analysis.pipeline.pdf)."""
    for lang in languages:
        single = _build_language(lang, source, out, builder="singlehtml")
        page = pdf.single_page(single, LANGUAGES[lang].pages[0])
        try:
            pdf.print_page(page, staging / pdf.PDF_FOLDER / pdf.FILE_NAMES[lang])
        except pdf.PdfError as e:
            raise BuildError(f"{e}; _build/html was left as it was") from None


def build_html(
    out: Path = BUILD, source: Path = REPO, force: bool = False, pdfs: bool = True
) -> Path:
    """Every language's book (and with `pdfs`, its PDF), into one staging folder swapped into
    out/html when all of them were made. Skipped when out/html was made from exactly these
    sources."""
    write_bundle()
    digest = sources_hash(source) + ("+pdf" if pdfs else "")
    stamp = out / "html" / ".sources-sha256"
    if not force and stamp.is_file() and stamp.read_text() == digest:
        return out / "html"
    languages = [lang for lang, language in LANGUAGES.items() if (source / language.toc).is_file()]
    built = {lang: _build_language(lang, source, out) for lang in languages}
    staging = out / ".staging-html"
    shutil.rmtree(staging, ignore_errors=True)
    for lang, html in built.items():
        shutil.copytree(html, staging / LANGUAGES[lang].html, dirs_exist_ok=True)
    if pdfs:
        _write_pdfs(source, out, staging, languages)
    (staging / ".sources-sha256").write_text(digest)
    replace(staging, out / "html")
    return out / "html"


def rebuild_pdfs(out: Path = BUILD, source: Path = REPO) -> list[Path]:
    """Print the PDFs again into the built book (out/html/pdf), replacing them only once all are
    made. The HTML must be built (make book)."""
    html = out / "html"
    if not (html / "index.html").is_file():
        raise BuildError(f"{html} has no book yet: build it first with `make book`")
    languages = [lang for lang, language in LANGUAGES.items() if (source / language.toc).is_file()]
    staging = out / ".staging-pdf"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _write_pdfs(source, out, staging, languages)
        replace(staging / pdf.PDF_FOLDER, html / pdf.PDF_FOLDER)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
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
