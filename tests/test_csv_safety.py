"""CSVs that are safe to open: every CSV written for readers (the tables command, the book's
downloads, edition-changes.csv, the audit's ledger) holds no text cell that a spreadsheet would run
as a formula, and its numbers stay numbers. The name rule keeps such a name out of data/; this is
the second lock, tried by putting hostile names into a year already loaded."""

import base64
import codecs
import csv
import io
import re
import shutil

import pandas as pd
import pytest

from analysis import audit, display, ingest, load_year, pages
from analysis.audit import Figure
from analysis.paths import DATA

FORMULA = '=HYPERLINK("http://example.invalid","Beijing")'
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB = "\t=1+1"
NUMBER = re.compile(r"-?\d+(\.\d+)?")


@pytest.fixture(scope="module")
def hostile_2023(tmp_path_factory):
    """Data year 2023 (the worked example, with 2022 as its previous edition), read, and then
    given a city, a country and an institution whose names start formulas."""
    data_dir = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(DATA, data_dir, ignore=shutil.ignore_patterns("published", "examples"))
    export = ingest.read_export(DATA / "examples" / "export-2023" / "cities-overall-2023.csv")
    ingest.write_inputs(export, "overall", ingest.infer_factor(export)["factor"], data_dir)
    data = load_year(2023, data_dir)
    cities, countries = data.reference["cities"], data.reference["countries"]
    cities.loc[cities["city_id"] == "beijing", "name_en"] = FORMULA
    cities.loc[cities["city_id"] == "toronto-ca", "name_en"] = TAB
    countries.loc[countries["country_id"] == "CN", "name_en"] = AT
    return data


def cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def assert_safe(text: str, numeric: set[str]) -> None:
    """No text cell starts a formula; the hostile names are there, quoted; a number column's
    cells, negative ones included, are plain numbers."""
    rows = cells(text)
    values = [v for row in rows for v in row.values()]
    assert [
        v for v in values if v.startswith(pages.CELL_FORMULA_STARTS) and not NUMBER.fullmatch(v)
    ] == []
    for row in rows:
        for column, value in row.items():
            if column in numeric and value:
                assert NUMBER.fullmatch(value), (column, value)
    assert "'" + FORMULA in values


def numeric_columns(table: pd.DataFrame) -> set[str]:
    return {c for c in table.columns if pages.is_declared(c) and pages.column(c).numeric}


def test_the_tables_command_writes_hostile_names_as_text(hostile_2023, tmp_path):
    written = {p.stem: p for p in pages.write_tables(hostile_2023, tmp_path)}
    assert {"leading-cities", "risers-overall", "edition-changes"} <= set(written)
    tables = pages.all_tables(hostile_2023)
    for stem, path in written.items():
        text = path.read_text(encoding="utf-8")
        if FORMULA in text:
            assert_safe(text, numeric_columns(tables[stem]))
    changes = {row["city"]: row for row in cells(written["edition-changes"].read_text())}
    assert changes["'" + FORMULA]["country"] == "'" + AT
    assert changes["'" + TAB]["status"] == "entered"
    risers = cells(written["risers-overall"].read_text())
    assert any(row["change"].startswith("-") for row in risers)  # negative, and a number


@pytest.mark.parametrize("kind", ["leading-cities", "risers", "edition-changes"])
def test_a_page_download_writes_hostile_names_as_text(hostile_2023, kind):
    page = pages.page(kind, hostile_2023, "overall" if kind == "risers" else None)
    link = display.download_link(page.contract, page.csv_name)
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", link).group(1)
    raw = base64.b64decode(payload)
    assert raw.startswith(codecs.BOM_UTF8)  # so that a spreadsheet reads it as UTF-8
    text = raw.decode("utf-8-sig")
    assert text == pages.csv_text(page.contract)
    assert_safe(text, numeric_columns(page.contract))


def test_the_audit_ledger_download_writes_hostile_text_as_text():
    figures = [
        Figure(
            "x:1",
            "en",
            FORMULA,
            "-6.5",
            "reproduced",
            "-6.52 to -6.48",
            "@x",
            TAB,
            "+1",
            "-6.52至-6.48",
        ),
        Figure("x:2", "zh", "领先城市", "3,734.62", "input"),
    ]
    link = display.download_link(audit.figures_frame(figures), "audit-2022.csv")
    text = base64.b64decode(re.search(r"base64,(\S+?)\"", link).group(1)).decode("utf-8-sig")
    (row,) = [r for r in cells(text) if r["id"] == "x:1"]
    assert row == {
        "id": "x:1",
        "edition": "en",
        "where": "'" + FORMULA,
        "printed": "-6.5",  # a number, negative, is not a formula
        "status": "reproduced",
        "recomputed": "'-6.52 to -6.48",
        "explanation": "'@x",
        "where_zh": "'" + TAB,
        "explanation_zh": "+1",
        "recomputed_zh": "'-6.52至-6.48",
    }


def test_csv_text_leaves_numbers_and_ordinary_text_as_they_were():
    table = pd.DataFrame(
        {
            "city": ["Beijing", "-", "Xi’an"],
            "change": [-3.5, 0.0, 12.25],
            "rank": [1, 2, 3],
            "country": ["-1", "+2%", "China"],
        }
    )
    assert pages.csv_text(table).splitlines() == [
        "city,change,rank,country",
        "Beijing,-3.50,1,-1",
        "'-,0.00,2,+2%",
        "Xi’an,12.25,3,China",
    ]
