"""Assemble the Jupyter Book: the table of contents from the run matrix, the offline chart bundle,
and a build that replaces _build/html only when it succeeded."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from analysis.paths import BOOK, BUILD, REPO

TOC = REPO / "_toc.yml"
STATIC = BOOK / "_static"
BUNDLE = STATIC / "altair-offline.js"
# Narrative pages, by language: the first opens the language's part of the book, the others close it.
PAGES = {"en": ["book/intro", "book/rerun"], "zh": ["book/intro-zh", "book/rerun-zh"]}
PART_TITLES = {
    "en": ("Edition {edition} (data year {year})", "About this reproduction"),
    "zh": ("{edition} 年版（{year} 数据年）", "关于本复现"),
}


class BuildError(Exception):
    """The book build failed; the previous _build/html is untouched."""


def toc_text(editions: dict[tuple[int | None, str], list[Path]]) -> str:
    """_toc.yml for the given editions, keyed by (year, language) with year None for the common pages:
    per language, its editions newest first, then its year-independent pages."""
    lines = ["# Written by `python -m analysis run` from notebooks/runs.toml; do not edit by hand.",
             "format: jb-book", f"root: {PAGES['en'][0]}", "parts:"]
    doc = lambda path: path.relative_to(REPO).with_suffix("").as_posix()
    languages = list(dict.fromkeys(lang for _, lang in editions))
    for lang in languages:
        edition_title, about_title = PART_TITLES[lang]
        opening = [] if lang == "en" else PAGES[lang][:1]
        for year in sorted((y for y, l in editions if l == lang and y is not None), reverse=True):
            files = opening + [doc(p) for p in editions[(year, lang)]]
            opening = []
            lines += [f'  - caption: "{edition_title.format(edition=year + 1, year=year)}"', "    chapters:"]
            lines += [f"      - file: {f}" for f in files]
        about = [doc(p) for p in editions.get((None, lang), [])] + PAGES[lang][1:]
        about = [p for p in about if (REPO / f"{p}.md").exists() or (REPO / f"{p}.ipynb").exists()]
        if about:
            lines += [f'  - caption: "{about_title}"', "    chapters:"]
            lines += [f"      - file: {p}" for p in about]
    return "\n".join(lines) + "\n"


def write_toc(editions: dict[int, list[Path]]) -> None:
    text = toc_text(editions)
    if not TOC.exists() or TOC.read_text(encoding="utf-8") != text:
        TOC.write_text(text, encoding="utf-8")


def write_bundle() -> Path:
    """Write the offline vega bundle unless it is already there (it depends only on pinned packages)."""
    from analysis.charts import offline_bundle

    if not BUNDLE.exists():
        STATIC.mkdir(parents=True, exist_ok=True)
        tmp = BUNDLE.with_suffix(".tmp")
        tmp.write_text(offline_bundle(), encoding="utf-8")
        tmp.replace(BUNDLE)
    return BUNDLE


def build_html(out: Path = BUILD) -> Path:
    """jupyter-book build with warnings as errors, into a staging folder swapped into out/html."""
    write_bundle()
    staging = out / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()", "build", str(REPO), "--path-output", str(staging),
           "-W", "-n", "--keep-going"]
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        lines = (result.stdout + result.stderr).splitlines()
        causes = [line for line in lines if "WARNING" in line or "ERROR" in line] or lines[-30:]
        raise BuildError("jupyter-book build failed; _build/html was left as it was.\n" + "\n".join(causes))
    html, old = out / "html", out / ".old-html"
    shutil.rmtree(old, ignore_errors=True)
    if html.exists():
        html.rename(old)
    (staging / "_build" / "html").rename(html)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    return html
