"""The page declarations (analysis/pages.py): every name they use exists, every template takes the
parameters the runner hands it, and a new page kind is one entry, as notebooks/README.md says."""

import base64
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

from analysis import display, load_year, pages, uncertainty
from analysis.errors import RegistryError
from analysis.i18n import LANGS
from analysis.paths import DATA, REPO


def test_the_declarations_name_only_what_exists():
    pages.check_registry()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"needs": "city_shares"}, "needs = 'city_shares'"),
        (
            {"each": pages.Each("subject", "adjusted_shares", "subject_id", "subjects")},
            "unknown data file 'adjusted_shares'",
        ),
        (
            {"each": pages.Each("subject", "adjusted_share", "subject", "subjects")},
            "the column 'subject'",
        ),
        ({"columns": ("rank", "citty")}, "column 'citty' is not declared"),
        ({"template": "no-such-template"}, "no template no-such-template.ipynb"),
    ],
)
def test_a_typo_in_a_declaration_is_an_error_that_names_it(monkeypatch, change, message):
    kinds = dict(pages.KINDS)
    kinds["risers"] = dataclasses.replace(kinds["risers"], **change)
    monkeypatch.setattr(pages, "KINDS", kinds)
    with pytest.raises(RegistryError, match=re.escape(message)):
        pages.check_registry()


def test_every_template_takes_exactly_the_declared_parameters():
    for kind in pages.KINDS.values():
        nb = nbformat.read(kind.template_path, as_version=4)
        (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        names = {m.group(1) for m in re.finditer(r"^(\w+) =", cell.source, flags=re.M)}
        expected = set(pages.PARAMETERS) - ({"year"} if not kind.yearly else set())
        if not kind.yearly:
            expected -= {"data_dir"}
        if kind.each:
            expected.add(kind.each.parameter)
        assert names == expected, kind.name


def test_every_column_has_a_header_in_every_language_and_one_format():
    for name, column in pages.COLUMNS.items():
        assert set(column.header) == set(LANGS), name
        assert column.format is None or pages.column(name).numeric
    assert pages.column("r2019").header["en"] == "{year}"
    assert pages.header("change_2020_2022", "zh") == "排名变化 2020–2022"
    assert pages.header("adjusted_share_prev", "en", 2022) == "2021 Adjusted Share"
    with pytest.raises(KeyError, match="not declared"):
        pages.column("no_such_column")


NEW_TEMPLATE_CELLS = [
    ("markdown", "# Top three", []),
    ("code", 'year = 2022\nsubject = "overall"\nlang = "en"\ndata_dir = None', ["parameters"]),
    (
        "code",
        "from analysis import load_year, pages, display\n\ndata = load_year(year, data_dir, "
        "lazy=True)\npage = pages.page('top-three', data, subject, lang)",
        [],
    ),
    ("markdown", "The three cities with the largest Share.", ["lang-en"]),
    ("markdown", "贡献份额最大的三个城市。", ["lang-zh"]),
    ("code", "display.show_table(page)", []),
]
NEW_ENTRY = """        PageKind(
            "top-three",
            _h("Top three: {name}", "前三名：{name}"),
            needs="city_share",
            each=Each("subject", "city_share", "subject_id", "subjects"),
            table=tables.leading_cities,
            columns=("rank", "city", "share"),
            key=("city", "share"),
            top=3,
            stem="top-three-{slug}",
            csv="top-three-{slug}",
        ),
"""


@pytest.mark.book
def test_a_new_page_kind_is_a_template_and_one_entry(tmp_path):
    """In a copy of the project, add a page kind the way notebooks/README.md says (a template,
    one PageKind, its strings) and build both editions from a small data folder."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(".venv", ".git", "_build", "__pycache__", "*.egg-info")
    for name in ("analysis", "notebooks", "book"):
        shutil.copytree(REPO / name, copy / name, ignore=ignore)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, copy / name)
    data = copy / "data"
    shutil.copytree(DATA / "reference", data / "reference")
    shutil.copy(DATA / "datapackage.json", data / "datapackage.json")
    (data / "2022").mkdir()
    shutil.copy(DATA / "2022" / "city_share.csv", data / "2022" / "city_share.csv")

    guide = (REPO / "notebooks" / "README.md").read_text(encoding="utf-8")
    assert "analysis/pages.py" in guide and "PageKind" in guide
    nb = nbformat.v4.new_notebook()
    nb.metadata = nbformat.read(REPO / "notebooks" / "risers.ipynb", as_version=4).metadata
    for kind, source, tags in NEW_TEMPLATE_CELLS:
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source, metadata={"tags": tags}))
    nbformat.write(nb, copy / "notebooks" / "top-three.ipynb")
    registry = copy / "analysis" / "pages.py"
    text = registry.read_text(encoding="utf-8")
    anchor = '        PageKind("audit",'
    assert text.count(anchor) == 1
    registry.write_text(text.replace(anchor, NEW_ENTRY + anchor), encoding="utf-8")

    env = {**os.environ, "PYTHONPATH": str(copy)}
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "book", "--data", str(data), "--out", str(out)],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for page, rows in (
        (out / "html" / "book" / "generated" / "2022" / "top-three-overall.html", "Beijing"),
        (
            out / "html" / "zh" / "book" / "generated" / "2022-zh" / "top-three-overall.html",
            "北京",
        ),
    ):
        html = page.read_text(encoding="utf-8")
        table = html[html.index('<table class="sc-table">') : html.index("</table>")]
        assert table.count("<tr>") == 1 + 3 and rows in table, page
    assert "前三名：整体" in (
        out / "html" / "zh" / "book" / "generated" / "2022-zh" / "top-three-overall.html"
    ).read_text(encoding="utf-8")
    tables = subprocess.run(
        [sys.executable, "-m", "analysis", "tables", "--year", "2022", "--data", str(data)]
        + ["--out", str(tmp_path / "tables")],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert tables.returncode == 0, tables.stderr
    assert (tmp_path / "tables" / "top-three-overall.csv").read_text().splitlines()[0] == (
        "rank,city,share"
    )
    record = json.loads(
        (out / "src" / "book" / "generated" / "2022" / "top-three-overall.ipynb").read_text()
    )["metadata"]["science_cities"]
    assert record["inputs"]["files"][:1] == ["2022/city_share.csv"]


@pytest.mark.parametrize(
    "lang, hint",
    [("en", "Filter rows by any text, e.g. Beijing…"), ("zh", "筛选：输入任意文字，如“北京”…")],
)
def test_the_filter_hint_names_what_the_table_holds(lang, hint):
    """A table's filter suggests its own first name; a table of no names gets a plain hint."""
    city = "Beijing" if lang == "en" else "北京"
    named = pd.DataFrame({"rank": [1], "city": [city], "share": [3734.62]})
    assert f'data-filter-label="{hint}"' in display.table_html(named, lang)
    figures = pd.DataFrame({"what": ["a"], "printed": ["19.30"]})
    plain = "Filter rows by any text…" if lang == "en" else "筛选：输入任意文字…"
    assert f'data-filter-label="{plain}"' in display.table_html(figures, lang)


def test_an_identifier_in_a_table_breaks_only_after_a_colon_or_an_underscore():
    """The audit's figure ids wrap at their separators in a narrow column, not inside a word."""
    table = pd.DataFrame({"figure": ["en:leading-cities:1:location_share_pct"], "printed": ["1"]})
    assert (
        "en:<wbr>leading-cities:<wbr>1:<wbr>location_<wbr>share_<wbr>pct</td>"
        in display.table_html(table)
    )


def test_a_margin_is_shown_on_a_phone_wherever_a_table_has_one():
    """The ± column is what a rank set or a verdict rests on: a phone shows it at once (the
    browser tests check that the key columns fit at 390 px)."""
    with_margin = [k for k in pages.KINDS.values() if "half_width" in k.columns]
    assert with_margin and all("half_width" in k.key for k in with_margin)
    assert "half_width" in uncertainty.RISER_KEY


def test_the_abbreviation_key_spells_each_name_out_once():
    """ "PKU Peking University", not "PKU Peking University (PKU)"."""
    table = pd.DataFrame(
        {
            "institution1": ["Peking University (PKU)"],
            "institution2": ["Institute of Chemistry (ICCAS), CAS"],
        }
    )
    key = display.abbreviation_key(table, ["institution1", "institution2"]).data
    assert "<strong>PKU</strong> Peking University;" in key
    assert "<strong>ICCAS</strong> Institute of Chemistry, CAS</p>" in key


def test_the_margins_of_the_rises_can_be_downloaded():
    """The 'Which rises are real?' table comes with its CSV: the changes with their ± and verdict
    (a reader could otherwise copy the figures but not the margins)."""
    rises = uncertainty.riser_intervals(load_year(2022), "overall", top=20)
    shown = display.frame(rises[uncertainty.RISER_COLUMNS], filename="m.csv").data
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", shown).group(1)
    text = base64.b64decode(payload).decode("utf-8-sig")
    assert text.splitlines()[0] == "rank,city,change,half_width,verdict"
    assert text.splitlines()[1] == "1,Beijing,607.99,171.35,rise"
