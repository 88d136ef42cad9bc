"""Reading Nature Index table exports: header variants, the inferred adjustment factor, misfits,
the written input files, and corrupted exports."""

import csv
import json

import pytest

from analysis import load_year, tables
from analysis.data import name_rule
from analysis.paths import DATA

FACTOR = 1.0312
HEADERS = [
    [
        "Position",
        "City",
        "Country/territory",
        "Share 2021",
        "Share 2022",
        "Count 2022",
        "Change in Adjusted Share 2021–2022*",
    ],
    [
        "Rank",
        "City/Metro",
        "Country",
        "Share 2021",
        "Share 2022",
        "Count 2022",
        "Change Adjusted in Share 2021-2022",
        "Notes",
    ],
    [
        "position",
        "Name",
        "Country/Territory",
        "Share  2021",
        "Share 2022",
        "Count 2022",
        "change in adjusted share 2021 — 2022 (%)",
        "Lat",
        "Lon",
    ],
]


def make_export(path, header=HEADERS[0], factor=FACTOR, spoil=None, encoding="utf-8"):
    data = load_year(2022)
    risers = tables.risers(data, "overall")
    rows = []
    for _, r in risers.iterrows():
        prev = round(r["adjusted_share_prev"] / factor, 2)
        pct = (r["adjusted_share"] - prev * factor) / (prev * factor) * 100
        rows.append(
            [
                r["rank"],
                r["city"],
                r["country"],
                f"{prev:.2f}",
                f"{r['adjusted_share']:.2f}",
                int(r["adjusted_share"] * 2) + 10,
                f"{pct:.2f}%",
            ]
            + ["x"] * (len(header) - 7)
        )
    if spoil:
        spoil(rows)
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("header", HEADERS, ids=["plain", "variant", "lowercase-em-dash-extra"])
def test_the_factor_is_inferred_whatever_the_header_spelling(cli, tmp_path, header):
    export = make_export(tmp_path / "export.csv", header)
    result = cli("ingest", str(export), "--year", "2022", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    lo, hi = out["factor_interval"]
    assert lo <= FACTOR <= hi and hi - lo < 1e-4
    assert lo <= out["factor"] <= hi and out["rows"] == 20 and out["misfits"] == []
    assert set(out) == {
        "year",
        "subject",
        "rows",
        "factor",
        "factor_interval",
        "misfits",
        "unconstraining_rows",
    }


def test_a_row_that_fits_no_common_factor_is_reported(cli, tmp_path):
    def spoil(rows):
        rows[4][6] = "45.00%"  # Xi'an: printed 38.18%

    export = make_export(tmp_path / "export.csv", spoil=spoil)
    out = json.loads(cli("ingest", str(export), "--year", "2022", "--json").stdout)
    assert [m["name"] for m in out["misfits"]] == ["Xi’an"]
    assert out["factor_interval"][0] <= FACTOR <= out["factor_interval"][1]


def test_write_makes_valid_inputs_with_adjusted_shares(cli, tmp_path):
    export = make_export(tmp_path / "export.csv")
    target = tmp_path / "data"
    result = cli("ingest", str(export), "--year", "2022", "--write", str(target))
    assert result.returncode == 0, result.stderr
    data = load_year(2022, target)
    risers = tables.risers(data, "overall").set_index("city_id")
    # adjusted_share_prev = Share 2021 x inferred factor, close to the original adjusted value
    assert abs(risers.at["beijing", "adjusted_share_prev"] - 3126.63) < 0.05
    assert risers["change"].is_monotonic_decreasing


def test_a_failed_write_leaves_the_folder_as_it_was(cli, tmp_path):
    target = tmp_path / "data"
    assert (
        cli(
            "ingest",
            str(make_export(tmp_path / "good.csv")),
            "--year",
            "2022",
            "--write",
            str(target),
        ).returncode
        == 0
    )
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}

    def spoil(rows):
        rows[0][5] = "3"  # a Count far below the Share

    bad = make_export(tmp_path / "bad.csv", spoil=spoil)
    result = cli("ingest", str(bad), "--year", "2022", "--write", str(target))
    assert (
        result.returncode == 1
        and "cannot exceed the Count" in result.stderr
        and "Traceback" not in result.stderr
    )
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before


def spoil_cell(row, column, value):
    def spoil(rows):
        rows[row][column] = value

    return spoil


EXPORT_FAULTS = {
    "missing Share column": (
        dict(
            header=[
                "Position",
                "City",
                "Country",
                "Share 2022",
                "Count 2022",
                "Change in Adjusted Share 2021–2022",
                "x",
            ]
        ),
        "two Share columns are required",
    ),
    "missing change column": (
        dict(
            header=[
                "Position",
                "City",
                "Country",
                "Share 2021",
                "Share 2022",
                "Count 2022",
                "Growth",
            ]
        ),
        "Change in Adjusted Share",
    ),
    "text in a Share": (dict(spoil=spoil_cell(2, 4, "lots")), "must be a number; found 'lots'"),
    "negative Share": (dict(spoil=spoil_cell(2, 3, "-4.00")), "must be >= 0"),
    "empty name": (dict(spoil=spoil_cell(2, 1, "")), "a value is required"),
    "duplicated city": (
        dict(spoil=spoil_cell(3, 1, "Beijing")),
        "rows 1, 4 repeat the same name and country: ('Beijing', 'China')",
    ),
    "Windows-1252": (
        dict(encoding="cp1252"),
        "is not UTF-8 text: it looks like Windows-1252",
    ),
    "years that disagree": (
        dict(
            header=[
                "Position",
                "City",
                "Country",
                "Share 2021",
                "Share 2022",
                "Count 2022",
                "Change in Adjusted Share 2020–2021",
            ]
        ),
        "do not match the Share columns",
    ),
}


@pytest.mark.parametrize("name", list(EXPORT_FAULTS))
def test_a_corrupted_export_is_refused_cleanly(cli, tmp_path, name):
    kwargs, message = EXPORT_FAULTS[name]
    export = make_export(tmp_path / "export.csv", **kwargs)
    result = cli("ingest", str(export), "--year", "2022")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error:") and message in result.stderr, result.stderr


def test_an_empty_export_and_a_wrong_year(cli, tmp_path):
    (tmp_path / "empty.csv").write_text("")
    result = cli("ingest", str(tmp_path / "empty.csv"), "--year", "2022")
    assert result.returncode == 1 and "file is empty" in result.stderr
    result = cli("ingest", str(make_export(tmp_path / "e.csv")), "--year", "2023")
    assert result.returncode == 1 and "is an export of 2022, not of 2023" in result.stderr


# ---- at the door: what spreadsheets save, what no real export holds ----------------------------

EXAMPLE = DATA / "examples" / "export-2023"
TORONTO, ZURICH = 20, 23  # rows of the worked example's overall export (cities-overall-2023.csv)


def ingest(cli, export, *options):
    return cli("ingest", str(export), "--year", "2023", *options)


def read_as_json(cli, export):
    result = ingest(cli, export, "--json")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return json.loads(result.stdout)


def refusal(result) -> str:
    """The one problem of a refused command, as it was said."""
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    first, *problems = result.stderr.splitlines()
    assert first == "error: the input data is invalid (1 problem):", result.stderr
    (problem,) = problems
    return problem.strip()


def with_cell(rows, row, column, value):
    rows[row][column] = value
    return rows


SPREADSHEET_SAVES = {
    "Excel's Unicode text (UTF-16, tabs)": dict(encoding="utf-16", delimiter="\t"),
    "UTF-16, commas": dict(encoding="utf-16"),
    "UTF-16 big-endian": dict(encoding="utf-16-be", delimiter="\t"),
    "semicolons, decimal commas": dict(delimiter=";", decimal=","),
    "UTF-16, semicolons, decimal commas, CRLF": dict(
        encoding="utf-16", delimiter=";", decimal=",", newline="\r\n"
    ),
    "a byte-order mark and CRLF": dict(encoding="utf-8-sig", newline="\r\n"),
    "tabs": dict(delimiter="\t"),
    "vertical bars": dict(delimiter="|"),
}


@pytest.mark.parametrize("name", list(SPREADSHEET_SAVES))
def test_what_a_spreadsheet_saves_reads_as_the_plain_export(
    cli, tmp_path, example_rows, spreadsheet, name
):
    options = SPREADSHEET_SAVES[name]
    if options.get("encoding") == "utf-16-be":  # Python's codec writes no byte-order mark
        example_rows[0][0] = "\ufeff" + example_rows[0][0]
    saved = spreadsheet(tmp_path / "export.csv", example_rows, **options)
    assert read_as_json(cli, saved) == read_as_json(cli, EXAMPLE / "cities-overall-2023.csv")


def test_thousands_separators_are_read_with_either_decimal_mark(
    cli, tmp_path, example_rows, spreadsheet
):
    plain = read_as_json(cli, EXAMPLE / "cities-overall-2023.csv")
    points = [
        row[:3] + [f"{float(c):,.2f}" for c in row[3:5]] + [f"{int(row[5]):,}", row[6]]
        for row in example_rows[1:]
    ]
    assert points[0][3:6] == ["3,734.62", "4,462.72", "9,374"]
    saved = spreadsheet(tmp_path / "points.csv", example_rows[:1] + points)
    assert read_as_json(cli, saved) == plain
    commas = [
        row[:3]
        + [c.replace(",", " ").replace(".", ",").replace(" ", ".") for c in row[3:6]]
        + [row[6].replace(".", ",")]
        for row in points
    ]
    assert commas[0][3:7] == ["3.734,62", "4.462,72", "9.374", "14,9%"]
    saved = spreadsheet(tmp_path / "commas.csv", example_rows[:1] + commas, delimiter=";")
    assert read_as_json(cli, saved) == plain


def test_a_windows_1252_file_is_refused_naming_its_encoding_and_the_fix(
    cli, tmp_path, example_rows, spreadsheet
):
    with_cell(example_rows, ZURICH, 1, "Zürich")
    saved = spreadsheet(tmp_path / "export.csv", example_rows, encoding="cp1252")
    assert refusal(ingest(cli, saved)) == (
        f"{saved}: is not UTF-8 text: it looks like Windows-1252, as Excel's \"CSV (Comma "
        f"delimited)\" saves text ('Zürich' on line {ZURICH + 1}); save it again as UTF-8 (in "
        'Excel: Save As, "CSV UTF-8") and run the command again'
    )


@pytest.mark.parametrize(
    "content, message",
    [
        (
            "\ufeffPosition,Name\n1,Zürich\n".encode("utf-16-le")[:-1],
            "starts with the byte-order mark of UTF-16 but is not UTF-16 text (byte 46)",
        ),
        (
            "Position,Name\n1,Zurich\n".encode("utf-16-le"),
            "holds a NUL character (line 1), which text never does; save it again as UTF-8 (in "
            'Excel: Save As, "CSV UTF-8") and run the command again',
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x90", "is not UTF-8 text (byte 0)"),
        (
            b"Position;Name;Country;Share 2022;Share 2023;Count 2023;"
            b"Change in Adjusted Share 2022-2023\n1;Beijing;China;3734,62;4462.72;9374;14,9%\n",
            "mixes decimal commas ('3734,62', row 1) and decimal points ('4462.72', row 1): "
            "save it again with one decimal mark",
        ),
    ],
    ids=["UTF-16 cut short", "UTF-16 without its byte-order mark", "a PNG", "two decimal marks"],
)
def test_what_is_not_csv_text_is_refused_in_one_sentence(cli, tmp_path, content, message):
    (tmp_path / "export.csv").write_bytes(content)
    assert refusal(ingest(cli, tmp_path / "export.csv")) == f"{tmp_path / 'export.csv'}: {message}"


def test_a_header_that_does_not_match_says_how_the_file_was_read(
    cli, tmp_path, example_rows, spreadsheet
):
    example_rows[0] = [h.replace("Share", "Anteil") for h in example_rows[0]]
    saved = spreadsheet(tmp_path / "export.csv", example_rows, delimiter=";", decimal=",")
    result = ingest(cli, saved)
    assert result.returncode == 1 and (
        "two Share columns are required (found 0) (read as UTF-8 text separated by semicolons, "
        "with decimal commas)" in result.stderr
    ), result.stderr


HOSTILE_NAMES = {
    "markup": (
        TORONTO,
        1,
        '<img src=x onerror="window.__pwned=1">Toronto',
        "column 'name': a name cannot hold the markup characters < or > "
        "(found '<img src=x onerror=\"window.__pwned=1\">To…')",
    ),
    "a formula": (
        ZURICH,
        1,
        '=HYPERLINK("http://example.invalid","Zurich")',
        "column 'name': a name cannot start with '=', which a spreadsheet reads as a formula "
        '(found \'=HYPERLINK("http://example.invalid","Zur…\')',
    ),
    "a control character": (
        TORONTO,
        1,
        "Toronto\x07",
        "column 'name': a name cannot hold a control or invisible character (U+0007 at "
        "character 8 of 'Toronto\\x07')",
    ),
    "5,000 characters": (
        TORONTO,
        1,
        "T" * 5000,
        "column 'name': a name is at most 120 characters long (found 5,000, starting "
        "'TTTTTTTTTTTTTTTTTTTT…')",
    ),
    "only punctuation": (
        TORONTO,
        1,
        "?!.",
        "column 'name': a name needs a letter or a digit (found only punctuation or spaces: "
        "'?!.')",
    ),
    "a country starting a formula": (
        TORONTO,
        2,
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "column 'country': a name cannot start with '@', which a spreadsheet reads as a formula "
        "(found \"@SUM(1+1)*cmd|' /C calc'!A0\")",
    ),
    "a right-to-left override": (
        TORONTO,
        1,
        "Toronto\u202egpj.exe",
        "column 'name': a name cannot hold a control or invisible character (U+202E at "
        "character 8 of 'Toronto\\u202egpj.exe')",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE_NAMES))
def test_a_name_no_export_holds_is_refused_and_nothing_is_written(
    cli, tmp_path, data_copy, example_rows, spreadsheet, snapshot, name
):
    row, column, value, message = HOSTILE_NAMES[name]
    export = spreadsheet(tmp_path / "export.csv", with_cell(example_rows, row, column, value))
    before = snapshot(data_copy)
    result = ingest(cli, export, "--write", str(data_copy), "--data", str(data_copy))
    assert refusal(result) == f"{export}, row {row} (line {row + 1}), {message}"
    assert snapshot(data_copy) == before


def test_the_names_of_the_worked_example_pass_the_name_rule(example_rows):
    assert [n for row in example_rows[1:] for n in row[1:3] if name_rule(n)] == []


ALREADY_HANDLED = {
    "a byte-order mark and CRLF": (
        lambda rows: rows,
        dict(encoding="utf-8-sig", newline="\r\n"),
        None,
    ),
    "thousands separators in a Count": (
        lambda rows: with_cell(rows, 1, 5, "9,374"),
        {},
        None,
    ),
    "blank rows and a column not used": (
        lambda rows: [r + ["note"] for r in rows[:5]] + [[], ["", ""]] + rows[5:] + [[]],
        {},
        None,
    ),
    "an empty name": (
        lambda rows: with_cell(rows, 3, 1, "  "),
        {},
        "row 3 (line 4), column 'name': a value is required",
    ),
    "n/a in a Share": (
        lambda rows: with_cell(rows, 4, 4, "n/a"),
        {},
        "row 4 (line 5), column 'Share 2023': must be a number; found 'n/a'",
    ),
    "n/a in a Count": (
        lambda rows: with_cell(rows, 4, 5, "n/a"),
        {},
        "row 4 (line 5), column 'Count 2023': must be a number; found 'n/a'",
    ),
    "a Count with decimals": (
        lambda rows: with_cell(rows, 4, 5, "3306.5"),
        {},
        "row 4 (line 5), column 'Count 2023': must be a whole number; found '3306.5'",
    ),
    "infinity in a Share": (
        lambda rows: with_cell(rows, 2, 3, "inf"),
        {},
        "row 2 (line 3), column 'Share 2022': must be a number; found 'inf'",
    ),
    "a number too large to hold": (
        lambda rows: with_cell(rows, 2, 3, "9" * 400),
        {},
        f"row 2 (line 3), column 'Share 2022': must be a number; found '{'9' * 400}'",
    ),
}


@pytest.mark.parametrize("name", list(ALREADY_HANDLED))
def test_what_was_already_handled_still_is(cli, tmp_path, example_rows, spreadsheet, name):
    """The exports of issue 21 that were already read, or refused in one sentence, before the
    door was rebuilt (and two it let through: infinity, a number beyond a float)."""
    spoil, options, message = ALREADY_HANDLED[name]
    export = spreadsheet(tmp_path / "export.csv", spoil(example_rows), **options)
    if message is None:
        assert read_as_json(cli, export) == read_as_json(cli, EXAMPLE / "cities-overall-2023.csv")
    else:
        assert refusal(ingest(cli, export)) == f"{export}, {message}"


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "Zurich,Switzerland,=1+1",
            "row 1 (line 2), column 'name_zh': a name cannot start with '=', which a spreadsheet "
            "reads as a formula (found '=1+1')",
        ),
        (
            "Zurich,Switzerland,<b>苏黎世</b>",
            "row 1 (line 2), column 'name_zh': a name cannot hold the markup characters < or > "
            "(found '<b>苏黎世</b>')",
        ),
        (
            "-Zurich,Switzerland,苏黎世",
            "row 1 (line 2), column 'name': a name cannot start with '-', which a spreadsheet "
            "reads as a formula (found '-Zurich')",
        ),
    ],
)
def test_a_names_file_is_held_to_the_name_rule(cli, tmp_path, data_copy, snapshot, row, message):
    names = tmp_path / "names.csv"
    names.write_text(f"name,country,name_zh\n{row}\n", encoding="utf-8")
    before = snapshot(data_copy)
    result = ingest(
        cli,
        EXAMPLE / "cities-overall-2023.csv",
        "--write",
        str(data_copy),
        "--data",
        str(data_copy),
        "--names",
        str(names),
    )
    assert refusal(result) == f"{names}, {message}"
    assert snapshot(data_copy) == before


def test_a_names_file_saved_by_a_spreadsheet_is_read_and_one_in_gbk_is_refused(
    cli, tmp_path, data_copy, spreadsheet, snapshot
):
    with open(EXAMPLE / "names-2023.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    options = ["--write", str(data_copy), "--data", str(data_copy), "--names"]
    gbk = spreadsheet(tmp_path / "gbk.csv", rows, encoding="gb18030")
    before = snapshot(data_copy)
    assert refusal(ingest(cli, EXAMPLE / "cities-overall-2023.csv", *options, str(gbk))) == (
        f"{gbk}: is not UTF-8 text: it looks like GBK (GB18030), as Chinese Windows saves text "
        "('苏黎世' on line 2); save it again as UTF-8 (in Excel: Save As, \"CSV UTF-8\") and run "
        "the command again"
    )
    assert snapshot(data_copy) == before
    unicode_text = spreadsheet(tmp_path / "names.txt", rows, encoding="utf-16", delimiter="\t")
    result = ingest(cli, EXAMPLE / "cities-overall-2023.csv", *options, str(unicode_text))
    assert result.returncode == 0, result.stderr
    assert f"Chinese names set from {unicode_text}: 6" in result.stdout
    cities = load_year(2023, data_copy).reference["cities"].set_index("name_en")
    assert cities.at["Zurich", "name_zh"] == "苏黎世"
