"""The run matrix, the committed notebooks and the table of contents are what the code produces."""

import json

import nbformat
import pytest

from analysis import runner
from analysis.book import toc_texts
from analysis.data import DataError, years_with_data
from analysis.paths import GENERATED, REPO


@pytest.fixture(scope="module")
def runs():
    return runner.plan(2022)


def test_the_matrix_expands_to_one_run_per_table(runs):
    assert [r.name for r in runs] == [
        "01-01-leading-cities",
        "02-02-rank-history",
        "03-03-risers-overall",
        "03-04-riser-mentions-chemistry",
        "03-05-riser-mentions-physical-sciences",
        "03-06-risers-earth-environmental-sciences",
        "03-07-risers-biological-sciences",
        "04-08-partnerships-china",
        "04-09-partnerships-usa",
        "05-10-institutions-beijing",
        "06-11-audit",
    ]
    assert runs[7].parameters == {"year": 2022, "country": "CN", "lang": "en"}


def test_committed_notebooks_were_made_by_the_current_code_and_data(runs):
    """Each executed notebook records the hash of its inputs; a stale one means `make book` was
    not run."""
    committed = sorted(p.stem for p in (GENERATED / "2022").glob("*.ipynb"))
    assert committed == [r.name for r in runs]
    for run in runs:
        meta = json.loads((GENERATED / "2022" / f"{run.name}.ipynb").read_text())["metadata"][
            runner.METADATA_KEY
        ]
        assert meta["inputs_hash"] == run.inputs_hash, (
            f"{run.name} is stale: run `make book` and commit"
        )
    for run in runner.plan(2022, lang="zh") + runner.plan_common("zh") + runner.plan_common("en"):
        folder = runner.edition_folder(GENERATED, run.year, run.parameters["lang"])
        meta = json.loads((folder / f"{run.name}.ipynb").read_text())["metadata"][
            runner.METADATA_KEY
        ]
        assert meta["inputs_hash"] == run.inputs_hash, (
            f"{run.name} is stale: run `make book` and commit"
        )


def test_the_toc_lists_every_generated_notebook():
    matrix = runner.read_matrix()
    editions = {
        (year, lang): sorted(runner.edition_folder(GENERATED, year, lang).glob("*.ipynb"))
        for lang in matrix["languages"]
        for year in years_with_data() + [None]
    }
    assert all(editions.values())
    texts = toc_texts(editions)
    assert set(texts) == {REPO / "_toc.yml", REPO / "book" / "_toc-zh.yml"}
    for path, text in texts.items():
        assert path.read_text() == text
    assert (
        "2022-zh" not in texts[REPO / "_toc.yml"]
        and "generated/2022/" not in texts[REPO / "book" / "_toc-zh.yml"]
    )


def test_each_language_keeps_only_its_own_prose():
    for lang, other in (("en", "zh"), ("zh", "en")):
        for path in runner.edition_folder(GENERATED, 2022, lang).glob("*.ipynb"):
            nb = nbformat.read(path, as_version=4)
            tags = {t for c in nb.cells for t in c.metadata.get("tags", [])}
            assert f"lang-{other}" not in tags, path


def test_the_chinese_edition_has_every_table_of_the_chinese_supplement():
    from analysis.paths import DATA

    printed = {p.stem for p in (DATA / "published/2022/zh").glob("*.csv")}
    zh_pages = " ".join(
        p.read_text(encoding="utf-8")
        for p in runner.edition_folder(GENERATED, 2022, "zh").glob("*.ipynb")
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
    runner.execute(run, first)
    runner.execute(run, second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == (GENERATED / "2022" / f"{run.name}.ipynb").read_bytes()


def test_a_reused_kernel_gives_the_bytes_of_a_fresh_one(runs, tmp_path):
    """The runner executes notebook after notebook in one kernel per worker. A page that changes
    the kernel's state (the methods page sets pandas' display precision; charts count their ids)
    must not change the pages after it, and a failure must not leave a broken kernel behind."""
    methods = runner.plan_common("en")[0]
    charts = runs[0]  # leading cities: two charts
    try:
        runner.execute(charts, tmp_path / "first.ipynb", reuse_kernel=True)
        runner.execute(methods, tmp_path / "methods.ipynb", reuse_kernel=True)
        with pytest.raises(runner.RunError):
            runner.execute(
                runner.Run(
                    2022,
                    "risers",
                    {"year": 2022, "subject": "no-such-subject", "lang": "en"},
                    "x",
                    "X",
                ),
                tmp_path / "x.ipynb",
                reuse_kernel=True,
            )
        runner.execute(charts, tmp_path / "after-failure.ipynb", reuse_kernel=True)
        runner.execute(methods, tmp_path / "methods-again.ipynb", reuse_kernel=True)
        runner.execute(charts, tmp_path / "after-methods.ipynb", reuse_kernel=True)
    finally:
        runner._shutdown_kernel()
    fresh_charts = (GENERATED / "2022" / f"{charts.name}.ipynb").read_bytes()
    fresh_methods = (GENERATED / "common" / f"{methods.name}.ipynb").read_bytes()
    for name in ("first", "after-failure", "after-methods"):
        assert (tmp_path / f"{name}.ipynb").read_bytes() == fresh_charts, name
    for name in ("methods", "methods-again"):
        assert (tmp_path / f"{name}.ipynb").read_bytes() == fresh_methods, name


def test_a_failing_notebook_names_the_notebook_and_cell(runs, tmp_path, monkeypatch):
    broken = runner.Run(
        2022, "risers", {"year": 2022, "subject": "no-such-subject", "lang": "en"}, "x", "X"
    )
    with pytest.raises(runner.RunError) as info:
        runner.execute(broken, tmp_path / "x.ipynb")
    assert "risers (2022, subject=no-such-subject)" in str(info.value) and "cell" in str(
        info.value
    )


def test_a_failed_year_leaves_the_last_good_notebooks(tmp_path, monkeypatch, data_copy):
    out = tmp_path / "generated"
    (out / "2022").mkdir(parents=True)
    keep = out / "2022" / "01-01-leading-cities.ipynb"
    keep.write_text("the last good notebook")
    (data_copy / "2022" / "rank_history.csv").write_text("city_id,year,rank\nbeijing,2022,0\n")
    with pytest.raises(DataError):
        runner.run_year(2022, data_copy, out, log=lambda *_: None)
    assert keep.read_text() == "the last good notebook"
    assert sorted(p.name for p in out.iterdir()) == ["2022"]


@pytest.fixture
def tiny_book(tmp_path):
    """A one-page book source (the repository's config and static files), to build and break."""
    import shutil

    source = tmp_path / "src"
    shutil.copytree(REPO / "book" / "_static", source / "book" / "_static")
    shutil.copy(REPO / "_config.yml", source / "_config.yml")
    (source / "_toc.yml").write_text("format: jb-book\nroot: book/intro\n")
    (source / "book" / "intro.md").write_text("# Fine\n\nAll good.\n")
    return source


def test_a_failed_book_build_keeps_the_last_good_html_and_is_not_forgotten(tmp_path, tiny_book):
    """A page with a warning fails the build; the last good HTML stays; fixing nothing and building
    again fails again (the incremental work folder must not hide the broken page)."""

    from analysis.book import BuildError, build_html

    source = tiny_book
    out = tmp_path / "build"
    html = build_html(out, source, pdfs=False)  # the HTML build is what this test is about
    good = (html / "book" / "intro.html").read_bytes()
    (source / "book" / "intro.md").write_text("# Broken\n\nA link to {doc}`nowhere`.\n")
    for _ in range(2):
        with pytest.raises(BuildError, match="nowhere"):
            build_html(out, source, pdfs=False)
        assert (out / "html" / "book" / "intro.html").read_bytes() == good


def test_a_failure_in_one_edition_swaps_in_no_edition(runs, tmp_path):
    """English and Chinese are staged together: if the Chinese run fails, the English folder
    (already executed successfully) is not swapped in either."""
    en, zh = tmp_path / "2022", tmp_path / "2022-zh"
    for folder in (en, zh):
        folder.mkdir()
        (folder / "marker").write_text("last good")
    broken = runner.Run(
        2022, "risers", {"year": 2022, "subject": "no-such-subject", "lang": "zh"}, "x", "X"
    )
    with pytest.raises(runner.RunError):
        runner.execute_editions([([runs[1]], en), ([broken], zh)], log=lambda *_: None)
    assert (en / "marker").read_text() == "last good" and (
        zh / "marker"
    ).read_text() == "last good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2022", "2022-zh"]


def test_a_template_run_outside_the_book_draws_with_altairs_own_renderer(monkeypatch):
    """Opened in JupyterLab (or run by papermill outside the runner), a template's charts come out
    from Altair's own renderer, which loads Vega itself and so draws in Jupyter; the book's offline
    renderer, which relies on a script only the book's pages load, is switched on by the runner."""
    from nbclient import NotebookClient

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

    from analysis import pdf
    from analysis.book import BuildError, build_html

    source = tiny_book
    out = tmp_path / "build"
    good = build_html(out, source, pdfs=False)
    before = sorted(p.relative_to(good) for p in good.rglob("*"))

    def no_chromium(html, target, timeout_ms=0):
        raise pdf.PdfError("/usr/bin/chromium is missing")

    monkeypatch.setattr(pdf, "print_page", no_chromium)
    (source / "book" / "intro.md").write_text("# Changed\n\nStill fine.\n")
    with pytest.raises(BuildError, match="chromium is missing.*left as it was"):
        build_html(out, source)
    assert sorted(p.relative_to(good) for p in good.rglob("*")) == before
    assert "Fine" in (good / "book" / "intro.html").read_text()
