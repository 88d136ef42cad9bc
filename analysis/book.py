"""Assemble the Jupyter Book: the table of contents from the run matrix, the offline chart bundle,
and a build that replaces _build/html only when it succeeded."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from analysis.paths import BOOK, BUILD, REPO
from analysis.staging import replace

TOC = REPO / "_toc.yml"
STATIC = BOOK / "_static"
BUNDLE = STATIC / "altair-offline.js"
# Narrative pages, by language: the first opens the language's part of the book, the others close
# it.
PAGES = {"en": ["book/intro", "book/rerun"], "zh": ["book/intro-zh", "book/rerun-zh"]}
PART_TITLES = {
    "en": ("Edition {edition} (data year {year})", "About this reproduction"),
    "zh": ("{edition} 年版（{year} 数据年）", "关于本复现"),
}


class BuildError(Exception):
    """The book build failed; the previous _build/html is untouched."""


def toc_text(
    editions: dict[tuple[int | None, str], list[Path]], source: Path = REPO, pages: dict = PAGES
) -> str:
    """_toc.yml for the given editions, keyed by (year, language) with year None for the common
    pages: per language, its editions newest first, then its year-independent pages."""
    lines = [
        "# Written by `python -m analysis run` from notebooks/runs.toml; do not edit by hand.",
        "format: jb-book",
        f"root: {pages['en'][0]}",
        "parts:",
    ]

    def doc(path: Path) -> str:
        return path.relative_to(source).with_suffix("").as_posix()

    languages = list(dict.fromkeys(lang for _, lang in editions))
    for lang in languages:
        edition_title, about_title = PART_TITLES[lang]
        opening = [] if lang == "en" else pages[lang][:1]
        for year in sorted(
            (y for y, la in editions if la == lang and y is not None), reverse=True
        ):
            files = opening + [doc(p) for p in editions[(year, lang)]]
            opening = []
            lines += [
                f'  - caption: "{edition_title.format(edition=year + 1, year=year)}"',
                "    chapters:",
            ]
            lines += [f"      - file: {f}" for f in files]
        about = [doc(p) for p in editions.get((None, lang), [])] + pages[lang][1:]
        about = [
            p for p in about if (source / f"{p}.md").exists() or (source / f"{p}.ipynb").exists()
        ]
        if about:
            lines += [f'  - caption: "{about_title}"', "    chapters:"]
            lines += [f"      - file: {p}" for p in about]
    return "\n".join(lines) + "\n"


def write_toc(editions: dict[int, list[Path]]) -> None:
    text = toc_text(editions)
    if not TOC.exists() or TOC.read_text(encoding="utf-8") != text:
        TOC.write_text(text, encoding="utf-8")


def write_bundle() -> Path:
    """Write the offline vega bundle unless it is already there (it depends only on pinned
    packages)."""
    from analysis.charts import offline_bundle

    if not BUNDLE.exists():
        STATIC.mkdir(parents=True, exist_ok=True)
        tmp = BUNDLE.with_suffix(".tmp")
        tmp.write_text(offline_bundle(), encoding="utf-8")
        tmp.replace(BUNDLE)
    return BUNDLE


def sources_hash(source: Path) -> str:
    """A hash of everything the HTML is built from: config, TOC, pages, executed notebooks, static
    files."""
    import hashlib

    h = hashlib.sha256()
    files = (
        [source / "_config.yml", source / "_toc.yml"]
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


def build_html(out: Path = BUILD, source: Path = REPO, force: bool = False) -> Path:
    """jupyter-book build of `source` with warnings as errors, into a staging folder swapped into
    out/html. Skipped when out/html was built from exactly these sources."""
    write_bundle()
    stamp, digest = out / "html" / ".sources-sha256", sources_hash(source)
    if not force and stamp.is_file() and stamp.read_text() == digest:
        return out / "html"
    # Sphinx builds incrementally in a persistent work folder (only changed pages are read again);
    # the result is copied to a staging folder and swapped into out/html only when the build
    # passed.
    work, staging = out / ".work", out / ".staging-html"
    cmd = [
        sys.executable,
        "-c",
        "from jupyter_book.cli.main import main; main()",
        "build",
        str(source),
        "--path-output",
        str(work),
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
            "jupyter-book build failed; _build/html was left as it was.\n" + "\n".join(causes)
        )
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(work / "_build" / "html", staging)
    (staging / ".sources-sha256").write_text(digest)
    replace(staging, out / "html")
    return out / "html"


def build_other_data(data_dir: Path, out: Path, years: list[int], log=print) -> Path:
    """A separate book built from another data folder (e.g. a simulated one), in every language of
    the run matrix, into out/src (sources) and out/html. The repository's book is not touched."""
    from analysis import runner
    from analysis.paths import shown

    source = out / "src"
    generated = source / "book" / "generated"
    planned = runner.plan_editions(years, data_dir, generated)
    editions = dict(zip(planned, runner.execute_editions(list(planned.values()), log=log)))
    shutil.copy(REPO / "_config.yml", source / "_config.yml")
    shutil.copytree(STATIC, source / "book" / "_static", dirs_exist_ok=True)
    label = (
        (Path(data_dir) / "README.txt").read_text(encoding="utf-8").strip()
        if (Path(data_dir) / "README.txt").exists()
        else ""
    )
    where = shown(Path(data_dir))
    (source / "book" / "intro.md").write_text(
        "# Science Cities, built from another data folder\n\n*[中文版](intro-zh.md)*\n\nThe pages "
        "of this book were "
        f"executed on the data folder `{where}`, not on the figures transcribed from the "
        f"supplement.\n\n{label}\n",
        encoding="utf-8",
    )
    (source / "book" / "intro-zh.md").write_text(
        "# 科研城市：基于其他数据文件夹构建\n\n*[English edition](intro.md)*\n\n"
        f"本书各页基于数据文件夹 `{where}` 执行，"
        f"而非转录自增刊的数字。\n\n{label}\n",
        encoding="utf-8",
    )
    pages = {"en": ["book/intro"], "zh": ["book/intro-zh"]}
    (source / "_toc.yml").write_text(toc_text(editions, source, pages), encoding="utf-8")
    return build_html(out, source)
