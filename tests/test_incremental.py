"""An incremental build gives the bytes of a clean one (issue 22): the book's sources are copied,
built once without PDFs, then one data file is changed, the notebooks that read it are re-run and
the book is built again in the same folder (Sphinx reads again only the changed pages, each PDF is
printed again only when its pages changed); a clean build of the same sources into a new folder
must give every HTML page byte for byte, and the PDFs' text word for word.

A stylesheet is edited too: Sphinx links a static file with the checksum of the copy already in
its output, which after an edit was the last build's (analysis.pipeline.sphinx_ext).

The data change moves Beijing's Share, which the front page quotes from the leading-cities
notebook: a page that only glues a figure from a changed notebook must be read again too."""

import shutil
import subprocess

import pytest

from analysis.paths import DATA, REPO
from analysis.pipeline import sources
from analysis.pipeline.book import build_html

pytestmark = pytest.mark.book


def book_sources(target):
    """What `book` builds from: the configuration, the tables of contents and book/."""
    target.mkdir()
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, target / name)
    shutil.copytree(
        REPO / "book",
        target / "book",
        ignore=shutil.ignore_patterns(".staging-*", ".old-*", "*.lock"),
    )
    return target


def html_files(html):
    return {
        str(p.relative_to(html)): p.read_bytes()
        for p in sorted(html.rglob("*"))
        if p.is_file() and p.suffix != ".pdf"
    }


def pdf_texts(html):
    return {
        p.name: subprocess.run(
            ["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True
        ).stdout
        for p in sorted((html / "pdf").glob("*.pdf"))
    }


def test_an_incremental_build_gives_the_bytes_of_a_clean_one(tmp_path):
    source = book_sources(tmp_path / "src")
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    incremental, clean = tmp_path / "incremental", tmp_path / "clean"
    before = build_html(incremental, source, pdfs=False)
    front = (before / "book" / "intro.html").read_text(encoding="utf-8")
    assert "3,734.62" in front  # Beijing's Share, as the front page quotes it

    # One data file changed: Beijing's Share (the leading-cities input) moves by 100.
    path = data / "2022" / "city_share.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count("3734.62") == 1
    path.write_text(text.replace("3734.62", "3834.62"), encoding="utf-8")
    sources.update(data, [2022], source / "book" / "generated", source, jobs=2, log=lambda _: None)
    # and one stylesheet edited: every page links it with its new checksum
    css = source / "book" / "_static" / "science-cities.css"
    css.write_text(css.read_text(encoding="utf-8") + "/* edited */\n", encoding="utf-8")

    after = build_html(incremental, source, pdfs=True)
    fresh = build_html(clean, source, pdfs=True)
    assert "3,834.62" in (after / "book" / "intro.html").read_text(encoding="utf-8")
    built, expected = html_files(after), html_files(fresh)
    assert sorted(built) == sorted(expected)
    differ = [name for name in expected if built[name] != expected[name]]
    assert not differ, f"the incremental build differs from a clean one in {differ[:10]}"
    texts = pdf_texts(after)
    assert texts and texts == pdf_texts(fresh)
    assert all("3,834.62" in text for text in texts.values())
