"""Assemble the Jupyter Book: the table of contents from the run matrix, the offline chart bundle,
and a build that replaces _build/html only when it succeeded."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from analysis.paths import BOOK, BUILD, GENERATED, REPO

TOC = REPO / "_toc.yml"
STATIC = BOOK / "_static"
BUNDLE = STATIC / "altair-offline.js"
# Pages that do not depend on a data year, after the editions.
ABOUT_PAGES = ["book/rerun"]


class BuildError(Exception):
    pass


def toc_text(editions: dict[int, list[Path]]) -> str:
    """_toc.yml for the given editions (newest first), each a list of executed notebooks."""
    lines = ["# Written by `python -m analysis run` from notebooks/runs.toml; do not edit by hand.",
             "format: jb-book", "root: book/intro", "parts:"]
    for year in sorted(editions, reverse=True):
        lines += [f'  - caption: "Edition {year + 1} (data year {year})"', "    chapters:"]
        lines += [f"      - file: {path.relative_to(REPO).with_suffix('').as_posix()}" for path in editions[year]]
    pages = [p.relative_to(REPO).with_suffix("").as_posix() for p in sorted((GENERATED / "common").glob("*.ipynb"))]
    pages += [p for p in ABOUT_PAGES if (REPO / f"{p}.md").exists()]
    if pages:
        lines += ['  - caption: "About this reproduction"', "    chapters:"]
        lines += [f"      - file: {p}" for p in pages]
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
