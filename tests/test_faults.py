"""Fault injection: corrupted inputs of every kind. Each one must stop `python -m analysis run`
with one clear message (exit 1, no traceback) that names the file, and leave the last good build
byte-identical."""

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import RunError
from analysis.paths import BUILD, DATA, GENERATED
from analysis.pipeline.execute import execute
from analysis.pipeline.plan import Run, check_parameters


def tree_digest(*folders):
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(str(path).encode() + path.read_bytes())
    return h.hexdigest()


def edit(file, change):
    def apply(data):
        path = data / file
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        change(df).to_csv(path, index=False)

    return apply


def cell(file, row, column, value):
    def change(df):
        df.loc[row, column] = value
        return df

    return edit(file, change)


def write(file, content: bytes):
    def apply(data):
        (data / file).write_bytes(content)

    return apply


def remove(file):
    def apply(data):
        (data / file).unlink()

    return apply


def reencode(file, encoding):
    def apply(data):
        path = data / file
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))

    return apply


CS, ADJ, RH = "2022/city_share.csv", "2022/adjusted_share.csv", "2022/rank_history.csv"
CP, IP, CO = (
    "2022/city_partnerships.csv",
    "2022/institution_partnerships.csv",
    "2022/country_share.csv",
)

FAULTS = {
    "city_share: missing column": (
        edit(CS, lambda df: df.drop(columns="count")),
        "city_share.csv",
    ),
    "city_share: renamed column": (
        edit(CS, lambda df: df.rename(columns={"share": "Share"})),
        "column 'share'",
    ),
    "city_share: text in a number": (cell(CS, 3, "share", "n/a"), "must be a number"),
    "city_share: NaN share": (cell(CS, 3, "share", ""), "a value is required"),
    "city_share: negative share": (cell(CS, 3, "share", "-1"), "must be >= 0"),
    "city_share: Share above Count": (cell(CS, 3, "share", "99999"), "cannot exceed the Count"),
    "city_share: fractional count": (cell(CS, 3, "count", "12.5"), "whole number"),
    "city_share: duplicated city": (
        edit(CS, lambda df: pd.concat([df, df.iloc[[0]]])),
        "duplicate key",
    ),
    "city_share: unknown city": (cell(CS, 3, "city_id", "gotham"), "unknown id 'gotham'"),
    "city_share: unknown subject": (cell(CS, 3, "subject_id", "alchemy"), "unknown id 'alchemy'"),
    "city_share: empty file": (write(CS, b""), "file is empty"),
    "city_share: missing file": (remove(CS), "file is missing"),
    "city_share: not a CSV": (
        write(CS, b'subject_id,city_id,share,count\n"overall,beijing,1,1\n'),
        "city_share.csv",
    ),
    "country_share: negative": (cell(CO, 0, "share", "-5"), "must be >= 0"),
    "country_share: unknown country": (cell(CO, 0, "country_id", "ZZ"), "unknown id 'ZZ'"),
    "country_share: smaller than a city": (
        cell(CO, 0, "share", "100"),
        "cannot exceed its country's",
    ),
    "location_share_input: above 100%": (
        cell("2022/location_share_input.csv", 0, "location_share_pct", "137.1"),
        "must be <= 100",
    ),
    "adjusted_share: missing column": (
        edit(ADJ, lambda df: df.drop(columns="adjusted_share_prev")),
        "required column is missing",
    ),
    "adjusted_share: text": (cell(ADJ, 5, "adjusted_share", "lots"), "must be a number"),
    "adjusted_share: duplicated key": (
        edit(ADJ, lambda df: pd.concat([df, df.iloc[[4]]])),
        "duplicate key",
    ),
    "riser_mentions: position 0": (
        cell("2022/riser_mentions.csv", 0, "position", "0"),
        "must be >= 1",
    ),
    "riser_mentions: unknown city": (
        cell("2022/riser_mentions.csv", 1, "city_id", "atlantis"),
        "unknown id 'atlantis'",
    ),
    "rank_history: rank 0": (cell(RH, 0, "rank", "0"), "must be >= 1"),
    "rank_history: year as text": (cell(RH, 0, "year", "twenty"), "must be a integer"),
    "rank_history: shared rank": (cell(RH, 7, "rank", "2"), "hold rank 2 in 2022"),
    "city_partnerships: CS above the city's Share": (
        cell(CP, 0, "cs1", "5000"),
        "cannot exceed the city's Share",
    ),
    "city_partnerships: more joint articles than articles": (
        cell(CP, 0, "count", "99999"),
        "more joint articles",
    ),
    "city_partnerships: a city with itself": (
        cell(CP, 0, "city2_id", "shanghai"),
        "cannot partner itself",
    ),
    "city_partnerships: pair listed twice": (
        edit(
            CP,
            lambda df: pd.concat(
                [df, df.iloc[[1]].rename(columns={"city1_id": "city2_id", "city2_id": "city1_id"})]
            ),
        ),
        "duplicate pair",
    ),
    "institution_partnerships: unknown institution": (
        cell(IP, 0, "institution2_id", "hogwarts"),
        "unknown id 'hogwarts'",
    ),
    "institution_partnerships: institution of another city": (
        cell(IP, 0, "city_id", "shanghai"),
        "is in 'beijing'",
    ),
    "reference/cities: unknown country": (
        cell("reference/cities.csv", 0, "country_id", "ZZ"),
        "unknown id 'ZZ'",
    ),
    "reference/subjects: duplicated id": (
        edit("reference/subjects.csv", lambda df: pd.concat([df, df.iloc[[0]]])),
        "duplicate key",
    ),
    "reference/cities: empty English name": (
        cell("reference/cities.csv", 0, "name_en", ""),
        "name_en",
    ),
    "reference/cities: wrong encoding": (
        reencode("reference/cities.csv", "gb18030"),
        "is not UTF-8",
    ),
    "datapackage.json: not JSON": (
        write("datapackage.json", b"{ not json"),
        "not a readable data package",
    ),
    "datapackage.json: missing": (remove("datapackage.json"), "datapackage.json: file is missing"),
    "year folder: missing": (
        lambda data: __import__("shutil").rmtree(data / "2022"),
        "no data folder for year 2022",
    ),
    "year folder: a file with no schema": (write("2022/notes.csv", b"a,b\n1,2\n"), "no schema"),
}


@pytest.fixture(scope="module")
def last_good_build():
    return tree_digest(GENERATED, BUILD / "html")


def test_there_are_enough_faults():
    assert len(FAULTS) >= 30


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_is_refused_cleanly(name, data_copy, cli, last_good_build):
    corrupt, expected = FAULTS[name]
    corrupt(data_copy)
    result = cli("run", "--year", "2022", "--data", str(data_copy))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error:") and expected in result.stderr, result.stderr
    assert tree_digest(GENERATED, BUILD / "html") == last_good_build


@pytest.mark.parametrize("year", ["2022; import os", "2022.0", "'2022'"])
def test_a_bad_year_parameter_never_reaches_a_kernel(cli, year, last_good_build):
    result = cli("run", "--year", year)
    assert (
        result.returncode == 2
        and "needs a year: four digits" in result.stderr
        and "Traceback" not in result.stderr
    )
    run = Run(year, "en", "leading-cities", None, "x", "X")
    with pytest.raises(RunError, match="is not a year"):
        execute(run, BUILD / "never.ipynb")
    assert not (BUILD / "never.ipynb").exists()
    assert tree_digest(GENERATED, BUILD / "html") == last_good_build


@pytest.mark.parametrize(
    "lang, subject, data_dir, message",
    [
        ("fr", "overall", DATA, "lang='fr'"),
        ("en", "x'); import os; ('", DATA, "is not an id"),
        ("en", "overall", Path("/no/such/folder"), "is not a folder"),
    ],
)
def test_bad_parameters_are_refused(lang, subject, data_dir, message):
    with pytest.raises(RunError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_parameters(Run(2022, lang, "risers", subject, "x", "X", data_dir))
