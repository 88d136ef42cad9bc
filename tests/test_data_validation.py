"""Bad input: one clear message per problem (file, row, column, rule), exit 1, no traceback."""

import csv

import pandas as pd
import pytest

from analysis import DataError, load_year
from analysis.data import NAME_COLUMNS, load_reference, name_rule


def edit_csv(path, change):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = change(df)
    df.to_csv(path, index=False)


def problems_of(data_dir, year=2022):
    with pytest.raises(DataError) as info:
        load_year(year, data_dir)
    return info.value.problems


def test_the_published_data_is_valid():
    data = load_year(2022)
    assert set(data.tables) >= {
        "city_share",
        "adjusted_share",
        "rank_history",
        "city_partnerships",
    }


def test_a_missing_required_file_is_named(data_copy):
    (data_copy / "2022" / "city_share.csv").unlink()
    (p,) = problems_of(data_copy)
    assert p.file.endswith("2022/city_share.csv") and p.rule == "file is missing"


def test_a_missing_column_is_named(data_copy):
    edit_csv(data_copy / "2022" / "city_share.csv", lambda df: df.drop(columns=["count"]))
    (p,) = problems_of(data_copy)
    assert (p.column, p.rule, p.row) == ("count", "required column is missing", None)


def test_a_non_numeric_share_names_row_column_and_value(data_copy):
    edit_csv(
        data_copy / "2022" / "city_share.csv",
        lambda df: df.assign(share=df["share"].where(df.index != 4, "lots")),
    )
    (p,) = problems_of(data_copy)
    assert (
        (p.row, p.column) == (5, "share") and "must be a number" in p.rule and "'lots'" in p.rule
    )
    assert "city_share.csv, row 5 (line 6), column 'share': must be a number" in str(p)


def test_a_negative_share_breaks_the_minimum(data_copy):
    edit_csv(
        data_copy / "2022" / "adjusted_share.csv",
        lambda df: df.assign(adjusted_share=df["adjusted_share"].where(df.index != 0, "-3.5")),
    )
    (p,) = problems_of(data_copy)
    assert (p.row, p.column) == (1, "adjusted_share") and p.rule.startswith("must be >= 0")


def test_a_duplicate_city_is_reported_on_both_rows(data_copy):
    edit_csv(
        data_copy / "2022" / "city_share.csv",
        lambda df: pd.concat([df, df.iloc[[2]]], ignore_index=True),
    )
    problems = problems_of(data_copy)
    assert {p.row for p in problems} == {3, 21} and all(
        p.rule.startswith("duplicate key") for p in problems
    )


def test_an_unknown_city_id_is_reported(data_copy):
    edit_csv(
        data_copy / "2022" / "rank_history.csv",
        lambda df: df.assign(city_id=df["city_id"].replace("wuhan", "atlantis")),
    )
    problems = problems_of(data_copy)
    assert len(problems) == 8  # one per year of Wuhan's rank history
    assert all(p.column == "city_id" and "unknown id 'atlantis'" in p.rule for p in problems)


def test_an_unknown_subject_is_reported(data_copy):
    edit_csv(
        data_copy / "2022" / "adjusted_share.csv",
        lambda df: df.assign(subject_id=df["subject_id"].where(df.index != 7, "alchemy")),
    )
    (p,) = problems_of(data_copy)
    assert (p.row, p.column) == (8, "subject_id") and "unknown id 'alchemy'" in p.rule


def test_an_empty_file_is_reported(data_copy):
    (data_copy / "2022" / "country_share.csv").write_text("")
    (p,) = problems_of(data_copy)
    assert p.file.endswith("country_share.csv") and "empty" in p.rule


def test_wrong_encoding_is_reported(data_copy):
    path = data_copy / "reference" / "cities.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    problems = problems_of(data_copy)
    assert any(p.file.endswith("cities.csv") and "UTF-8" in p.rule for p in problems)


def test_a_pair_listed_twice_in_either_order_is_reported(data_copy):
    edit_csv(
        data_copy / "2022" / "city_partnerships.csv",
        lambda df: pd.concat(
            [df, df.iloc[[0]].assign(city1_id="beijing", city2_id="shanghai")], ignore_index=True
        ),
    )
    (p,) = problems_of(data_copy)
    assert p.row == 21 and "duplicate pair" in p.rule


def test_two_cities_cannot_share_a_rank_in_one_year(data_copy):
    edit_csv(
        data_copy / "2022" / "rank_history.csv",
        lambda df: df.assign(
            rank=df["rank"].where(~((df["city_id"] == "wuhan") & (df["year"] == "2022")), "9")
        ),
    )
    problems = problems_of(data_copy)
    assert {p.column for p in problems} == {"rank"} and all(
        "rank 9 in 2022" in p.rule for p in problems
    )


def test_every_problem_is_reported_at_once(data_copy):
    edit_csv(data_copy / "2022" / "city_share.csv", lambda df: df.assign(share="x"))
    (data_copy / "2022" / "country_share.csv").write_text("")
    problems = problems_of(data_copy)
    assert len(problems) == 21


def test_a_file_without_a_schema_is_refused(data_copy):
    (data_copy / "2022" / "notes.csv").write_text("a,b\n1,2\n")
    (p,) = problems_of(data_copy)
    assert "no schema" in p.rule


def test_a_missing_year_folder_is_named(data_copy):
    (p,) = problems_of(data_copy, 2031)
    assert "no data folder for year 2031" in p.rule


def test_the_cli_reports_without_a_traceback(data_copy, cli_process):
    edit_csv(
        data_copy / "2022" / "city_share.csv",
        lambda df: df.assign(share=df["share"].where(df.index != 1, "-1")),
    )
    result = cli_process("validate", "--year", "2022", "--data", str(data_copy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "city_share.csv, row 2 (line 3), column 'share': must be >= 0" in result.stderr


def test_frictionless_agrees_that_the_data_is_valid():
    """A second opinion on the same schema from the Frictionless reference implementation."""
    from frictionless import Package

    from analysis.paths import DATA

    report = Package(str(DATA / "datapackage.json")).validate()
    assert report.valid, [e.message for t in report.tasks for e in t.errors]


# ---- the door: files as spreadsheets save them, and names that are names -----------------------


def test_the_committed_names_pass_the_name_rule():
    reference = load_reference()
    names = [n for table in reference.values() for c in NAME_COLUMNS for n in table[c].dropna()]
    assert [n for n in names if name_rule(n)] == []
    assert {"Xi’an", "Baltimore - Washington", "巴尔的摩-华盛顿", "北京"} <= set(names)
    for name in ("Baltimore-Washington", "St. John's", "Zürich", "São Paulo", "中国香港"):
        assert name_rule(name) is None, name


@pytest.mark.parametrize(
    "name, rule",
    [
        ("Toronto\x07", "a name cannot hold a control or invisible character (U+0007 at"),
        ("Tor\u200bonto", "a name cannot hold a control or invisible character (U+200B at"),
        ("Toronto\nCanada", "a name cannot hold a control or invisible character (U+000A at"),
        ("<b>Toronto</b>", "a name cannot hold the markup characters < or >"),
        ("Toronto > Ottawa", "a name cannot hold the markup characters < or >"),
        ("=1+1", "a name cannot start with '='"),
        ("+1", "a name cannot start with '+'"),
        ("-Toronto", "a name cannot start with '-'"),
        ("@Toronto", "a name cannot start with '@'"),
        ("＝1+1", "a name cannot start with '='"),  # a full-width equals sign
        (" =1+1", "a name cannot start with '='"),
        ("x" * 121, "a name is at most 120 characters long (found 121"),
        ("...", "a name needs a letter or a digit"),
        ("——", "a name needs a letter or a digit"),
    ],
)
def test_the_name_rule_says_what_a_name_cannot_be(name, rule):
    assert name_rule(name).startswith(rule)
    assert name_rule("x" * 120) is None


@pytest.mark.parametrize(
    "file, row, column, value, rule",
    [
        ("cities", 2, "name_en", '<script>alert("x")</script>', "markup characters"),
        ("cities", 5, "name_zh", "=HYPERLINK(1)", "cannot start with '='"),
        ("countries", 1, "name_en", "China\x1b[31m", "U+001B"),
        ("institutions", 0, "name_zh", "北" * 121, "at most 120 characters"),
        ("subjects", 0, "name_en", "-", "cannot start with '-'"),
    ],
)
def test_a_hand_edited_reference_name_is_refused_by_validate_and_every_load(
    data_copy, cli, file, row, column, value, rule
):
    edit_csv(
        data_copy / "reference" / f"{file}.csv",
        lambda df: df.assign(**{column: df[column].where(df.index != row, value)}),
    )
    (p,) = problems_of(data_copy)
    assert p.file.endswith(f"reference/{file}.csv") and (p.row, p.column) == (row + 1, column)
    assert rule in p.rule
    with pytest.raises(DataError) as lazily:
        load_year(2022, data_copy, lazy=True)
    assert lazily.value.problems == [p]
    result = cli("validate", "--data", str(data_copy))
    assert result.returncode == 1 and f"row {row + 1} (line {row + 2}), column '{column}'" in (
        result.stderr
    )


@pytest.mark.parametrize(
    "options",
    [
        dict(delimiter=";", decimal=","),
        dict(encoding="utf-16", delimiter="\t"),
        dict(encoding="utf-8-sig", newline="\r\n"),
    ],
    ids=["semicolons, decimal commas", "UTF-16, tabs", "a byte-order mark, CRLF"],
)
def test_a_data_file_saved_by_a_spreadsheet_reads_as_before(data_copy, cli, spreadsheet, options):
    original = load_year(2022, data_copy)
    files = ("city_share", "adjusted_share", "riser_mentions", "cities")  # with an empty cell
    for name in files:
        path = data_copy / ("reference" if name == "cities" else "2022") / f"{name}.csv"
        with open(path, newline="", encoding="utf-8") as fh:
            spreadsheet(path, list(csv.reader(fh)), **options)
    again = load_year(2022, data_copy)
    for name in files:
        pd.testing.assert_frame_equal(again[name], original[name])
    assert cli("validate", "--data", str(data_copy)).returncode == 0


def test_a_windows_1252_data_file_is_refused_naming_the_encoding(data_copy):
    path = data_copy / "reference" / "cities.csv"
    text = path.read_text(encoding="utf-8").replace("Zhengzhou", "Zürich")
    path.write_bytes(text.encode("cp1252", errors="replace"))
    (p,) = problems_of(data_copy)
    assert p.rule.startswith("is not UTF-8 text: it looks like Windows-1252")
    assert "('Zürich' on line 31); save it again as UTF-8" in p.rule
