"""Reading Nature Index table exports: header variants, the inferred adjustment factor, misfits,
the written input files, and corrupted exports."""

import csv
import json

import pytest

from analysis import load_year, tables

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
    "wrong encoding": (dict(encoding="utf-16"), "is not UTF-8"),
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
