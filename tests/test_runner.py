"""The page plan, the committed notebooks and the tables of contents are what the code produces."""

import json
import os
import shutil

import nbformat
import pytest

from analysis import load_year
from analysis.data import years_with_data
from analysis.errors import BuildError, DataError, PdfError, RunError
from analysis.paths import DATA, GENERATED, REPO
from analysis.pipeline import kernels, pdf, sources
from analysis.pipeline.book import build_html
from analysis.pipeline.editions import edition_folder
from analysis.pipeline.execute import execute, execute_editions
from analysis.pipeline.notebook import METADATA_KEY
from analysis.pipeline.plan import Run, fingerprint, plan, plan_common, plan_editions


@pytest.fixture(scope="module")
def runs():
    return plan(load_year(2022))


def test_the_plan_expands_to_one_page_per_table_named_by_kind_and_instance(runs):
    assert [r.stem for r in runs] == [
        "leading-cities",
        "intervals",
        "rank-history",
        "risers-overall",
        "risers-chemistry",
        "risers-physical-sciences",
        "risers-earth-environmental-sciences",
        "risers-biological-sciences",
        "partnerships-china",
        "partnerships-usa",
        "institutions-beijing",
        "audit",
    ]
    assert runs[8].parameters == {"year": 2022, "country": "CN", "lang": "en"}
    assert [r.stem for r in plan_common("zh")] == ["methods"]


def test_committed_notebooks_were_made_by_the_current_code_and_data():
    """Each executed notebook records what it was made of and its hash; a stale one means `make
    book` was not run."""
    for runs, folder in plan_editions(years_with_data()).values():
        committed = sorted(p.stem for p in folder.glob("*.ipynb"))
        assert committed == sorted(r.stem for r in runs), folder
        for run in runs:
            meta = json.loads((folder / f"{run.stem}.ipynb").read_text())["metadata"][METADATA_KEY]
            assert meta["inputs_hash"] == fingerprint(run, meta["inputs"]), (
                f"{folder.name}/{run.stem} is stale: run `make book` and commit"
            )


def test_the_toc_lists_every_generated_notebook_in_book_order():
    editions = {
        key: [folder / f"{run.stem}.ipynb" for run in runs]
        for key, (runs, folder) in plan_editions(years_with_data()).items()
    }
    assert all(p.is_file() for notebooks in editions.values() for p in notebooks)
    assert all(editions.values())
    texts = sources.toc_texts(editions)
    assert set(texts) == {REPO / "_toc.yml", REPO / "book" / "_toc-zh.yml"}
    for path, text in texts.items():
        assert path.read_text() == text
    assert (
        "2022-zh" not in texts[REPO / "_toc.yml"]
        and "generated/2022/" not in texts[REPO / "book" / "_toc-zh.yml"]
    )


def test_each_language_keeps_only_its_own_prose():
    for lang, other in (("en", "zh"), ("zh", "en")):
        for path in edition_folder(GENERATED, 2022, lang).glob("*.ipynb"):
            nb = nbformat.read(path, as_version=4)
            tags = {t for c in nb.cells for t in c.metadata.get("tags", [])}
            assert f"lang-{other}" not in tags, path


def test_the_chinese_edition_has_every_table_of_the_chinese_supplement():
    printed = {p.stem for p in (DATA / "published/2022/zh").glob("*.csv")}
    zh_pages = " ".join(
        p.read_text(encoding="utf-8")
        for p in edition_folder(GENERATED, 2022, "zh").glob("*.ipynb")
    )
    for stem in printed:
        assert f"{stem}-2022.csv" in zh_pages, stem
    assert "纽约都市圈" in zh_pages and "中国科学院化学研究所" in zh_pages


def test_executed_notebooks_carry_no_timestamps_and_stable_ids():
    for path in (GENERATED / "2022").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert "papermill" not in nb.metadata
        assert [c.id for c in nb.cells] == [f"cell-{i:02d}" for i in range(len(nb.cells))]
        for cell in nb.cells:
            assert not {"papermill", "execution"} & set(cell.metadata)


def test_a_notebook_runs_to_the_same_bytes_twice(runs, tmp_path):
    run = runs[1]
    first, second = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    execute(run, first)
    execute(run, second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == (GENERATED / "2022" / f"{run.stem}.ipynb").read_bytes()


def test_a_reused_kernel_gives_the_bytes_of_a_fresh_one(runs, tmp_path):
    """The runner executes notebook after notebook in one kernel per worker. A page that changes
    the kernel's state (the methods page sets pandas' display precision; charts count their ids)
    must not change the pages after it, and a failure must not leave a broken kernel behind."""
    methods = plan_common("en")[0]
    charts = runs[0]  # leading cities: two charts
    try:
        execute(charts, tmp_path / "first.ipynb", reuse_kernel=True)
        execute(methods, tmp_path / "methods.ipynb", reuse_kernel=True)
        with pytest.raises(RunError):
            execute(
                Run(2022, "en", "risers", "no-such-subject", "x", "X"),
                tmp_path / "x.ipynb",
                reuse_kernel=True,
            )
        execute(charts, tmp_path / "after-failure.ipynb", reuse_kernel=True)
        execute(methods, tmp_path / "methods-again.ipynb", reuse_kernel=True)
        execute(charts, tmp_path / "after-methods.ipynb", reuse_kernel=True)
    finally:
        kernels.shutdown()
    fresh_charts = (GENERATED / "2022" / f"{charts.stem}.ipynb").read_bytes()
    fresh_methods = (GENERATED / "common" / f"{methods.stem}.ipynb").read_bytes()
    for name in ("first", "after-failure", "after-methods"):
        assert (tmp_path / f"{name}.ipynb").read_bytes() == fresh_charts, name
    for name in ("methods", "methods-again"):
        assert (tmp_path / f"{name}.ipynb").read_bytes() == fresh_methods, name


def test_a_failing_notebook_names_the_notebook_and_cell(tmp_path):
    broken = Run(2022, "en", "risers", "no-such-subject", "x", "X")
    with pytest.raises(RunError) as info:
        execute(broken, tmp_path / "x.ipynb")
    assert "risers (2022, subject=no-such-subject, en)" in str(info.value)
    assert "cell" in str(info.value)


def test_a_failed_year_leaves_the_last_good_notebooks(tmp_path, data_copy):
    out = tmp_path / "generated"
    (out / "2022").mkdir(parents=True)
    keep = out / "2022" / "leading-cities.ipynb"
    keep.write_text("the last good notebook")
    (data_copy / "2022" / "rank_history.csv").write_text("city_id,year,rank\nbeijing,2022,0\n")
    with pytest.raises(DataError):
        sources.update(data_copy, [2022], out, tmp_path, log=lambda *_: None)
    assert keep.read_text() == "the last good notebook"
    assert sorted(p.name for p in out.iterdir()) == ["2022"]


@pytest.fixture
def tiny_book(tmp_path):
    """A one-page book source (the repository's config and static files), to build and break."""
    source = tmp_path / "src"
    shutil.copytree(REPO / "book" / "_static", source / "book" / "_static")
    shutil.copy(REPO / "_config.yml", source / "_config.yml")
    (source / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    (source / "book" / "intro.md").write_text("# Fine\n\nAll good.\n")
    return source


def test_a_failed_book_build_keeps_the_last_good_html_and_is_not_forgotten(tmp_path, tiny_book):
    """A page with a warning fails the build; the last good HTML stays; fixing nothing and building
    again fails again (the incremental work folder must not hide the broken page)."""
    source = tiny_book
    out = tmp_path / "build"
    html = build_html(out, source, pdfs=False)  # the HTML build is what this test is about
    good = (html / "book" / "intro.html").read_bytes()
    (source / "book" / "intro.md").write_text("# Broken\n\nA link to {doc}`nowhere`.\n")
    for _ in range(2):
        with pytest.raises(BuildError, match="nowhere"):
            build_html(out, source, pdfs=False)
        assert (out / "html" / "book" / "intro.html").read_bytes() == good


def test_a_page_restored_with_its_old_file_time_is_read_again(tmp_path, tiny_book):
    """Sphinx reads again only the pages whose files are newer than at its last build; a page put
    back from a copy that keeps file times (as `bench --book` puts back the notebooks) must not
    keep the text of the build before."""
    page = tiny_book / "book" / "intro.md"
    built = build_html(tmp_path / "build", tiny_book, pdfs=False)
    old_time = page.stat().st_mtime_ns
    page.write_text("# Fine\n\nRestored.\n")
    os.utime(page, ns=(old_time, old_time))
    built = build_html(tmp_path / "build", tiny_book, pdfs=False)
    assert "Restored." in (built / "book" / "intro.html").read_text()


def test_a_failure_in_one_edition_swaps_in_no_edition(runs, tmp_path):
    """English and Chinese are staged together: if the Chinese run fails, the English folder
    (already executed successfully) is not swapped in either, and nothing is left beside it."""
    root = tmp_path / "generated"
    en, zh = root / "2022", root / "2022-zh"
    for folder in (en, zh):
        folder.mkdir(parents=True)
        (folder / "marker").write_text("last good")
    broken = Run(2022, "zh", "risers", "no-such-subject", "x", "X")
    with pytest.raises(RunError):
        execute_editions(
            {(2022, "en"): ([runs[1]], en), (2022, "zh"): ([broken], zh)},
            root,
            log=lambda *_: None,
        )
    assert (en / "marker").read_text() == "last good" and (
        zh / "marker"
    ).read_text() == "last good"
    assert sorted(p.name for p in root.iterdir()) == ["2022", "2022-zh"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".generated.lock", "generated"]


def test_a_template_run_outside_the_book_draws_with_altairs_own_renderer(monkeypatch):
    """Opened in JupyterLab (or run by papermill outside the runner), a template's charts come out
    from Altair's own renderer, which loads Vega itself and so draws in Jupyter; the book's offline
    renderer, which relies on a script only the book's pages load, is switched on by the runner."""
    from nbclient import NotebookClient  # (the test's own client, not the runner's)

    from analysis.charts import RENDERER_ENV

    monkeypatch.delenv(RENDERER_ENV, raising=False)
    nb = nbformat.read(REPO / "notebooks" / "leading-cities.ipynb", as_version=4)
    NotebookClient(
        nb, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}
    ).execute()
    bundles = [o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    charts = [b["text/html"] for b in bundles if "altair-viz" in b.get("text/html", "")]
    assert len(charts) == 2 and all("vega-embed" in html for html in charts)
    assert not any("sc-chart" in b.get("text/html", "") for b in bundles)


def test_a_pdf_that_cannot_be_printed_keeps_the_last_good_book(tmp_path, tiny_book, monkeypatch):
    """The PDFs are made into the same staging folder as the HTML: if printing fails, nothing is
    swapped in and the error says why."""
    source = tiny_book
    out = tmp_path / "build"
    good = build_html(out, source, pdfs=False)
    before = sorted(p.relative_to(good) for p in good.rglob("*"))

    def no_chromium(html, target, timeout_ms=0):
        raise PdfError("/usr/bin/chromium is missing")

    monkeypatch.setattr(pdf, "print_book", no_chromium)
    (source / "book" / "intro.md").write_text("# Changed\n\nStill fine.\n")
    with pytest.raises(BuildError, match="chromium is missing.*left as it was"):
        build_html(out, source)
    assert sorted(p.relative_to(good) for p in good.rglob("*")) == before
    assert "Fine" in (good / "book" / "intro.html").read_text()
