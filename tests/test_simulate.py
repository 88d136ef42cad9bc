"""The simulator is seeded and deterministic, and a whole book builds on what it writes."""

import filecmp

import pytest

from analysis import load_year, pages, tables
from analysis.records import simulate


def test_same_seed_same_bytes(cli, tmp_path):
    for name in ("a", "b"):
        result = cli(
            "simulate",
            "--years",
            "2021-2022",
            "--articles",
            "400",
            "--seed",
            "9",
            "--out",
            str(tmp_path / name),
        )
        assert result.returncode == 0, result.stderr
    for sub in ("records", "data/2022", "data/reference"):
        cmp = filecmp.dircmp(tmp_path / "a" / sub, tmp_path / "b" / sub)
        assert cmp.left_list and not cmp.diff_files and not cmp.left_only and not cmp.right_only, (
            sub
        )
    assert "SYNTHETIC" in (tmp_path / "a/records/README.txt").read_text()


def test_heavy_tailed_authors_and_multiple_affiliations():
    world = simulate.make_world(3)
    records = simulate.simulate(world, [2022], 5000, 3)
    authors = records.authorships.groupby("article_id")["author_position"].nunique()
    assert 2 <= authors.median() <= 20
    assert authors.max() >= 200
    per_author = records.authorships.groupby(["article_id", "author_position"]).size()
    assert 0.05 < (per_author > 1).mean() < 0.25
    countries = (
        records.authorships.merge(records.affiliations, on="affiliation_id")
        .groupby("article_id")["country"]
        .nunique()
    )
    assert (countries > 1).mean() > 0.1  # international collaboration


@pytest.mark.book
def test_a_book_builds_from_simulated_data(cli, tmp_path):
    """End to end: simulate, validate, then a separate book in its own build folder."""
    assert (
        cli(
            "simulate",
            "--years",
            "2020-2023",
            "--articles",
            "1500",
            "--seed",
            "4",
            "--out",
            str(tmp_path / "sim"),
        ).returncode
        == 0
    )
    data = tmp_path / "sim" / "data"
    assert cli("validate", "--data", str(data)).returncode == 0
    d = load_year(2023, data)
    assert len(pages.page("leading-cities", d).table) == 20 and len(tables.rank_history(d)) == 10
    result = cli("book", "--data", str(data), "--out", str(tmp_path / "book"))
    assert result.returncode == 0, result.stderr[-2000:]
    html = tmp_path / "book" / "html"
    english = list((html / "book" / "generated").rglob("*.html"))
    chinese = list((html / "zh" / "book" / "generated").rglob("*.html"))
    assert len(english) >= 10 and len(chinese) == len(english)
    assert (
        "Synthetic" in (tmp_path / "book" / "html" / "book" / "intro.html").read_text()
        or "SYNTHETIC" in (tmp_path / "book" / "html" / "book" / "intro.html").read_text()
    )


def test_build_a_data_year_from_records_and_refuse_bad_records(cli, tmp_path):
    sim = tmp_path / "sim"
    assert (
        cli(
            "simulate",
            "--years",
            "2021-2022",
            "--articles",
            "600",
            "--seed",
            "2",
            "--out",
            str(sim),
        ).returncode
        == 0
    )
    out = tmp_path / "built"
    result = cli(
        "from-records",
        str(sim / "records"),
        "--year",
        "2022",
        "--data",
        str(sim / "data"),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    ours, theirs = load_year(2022, out), load_year(2022, sim / "data")
    assert (
        tables.leading_cities(ours)["city"].tolist()
        == tables.leading_cities(theirs)["city"].tolist()
    )

    import pandas as pd

    authorships = pd.read_csv(sim / "records" / "authorships.csv", dtype=str)
    authorships.loc[[3, 7], "affiliation_id"] = ["nowhere-1", "nowhere-2"]
    authorships.to_csv(sim / "records" / "authorships.csv", index=False)
    result = cli(
        "from-records",
        str(sim / "records"),
        "--year",
        "2022",
        "--data",
        str(sim / "data"),
        "--out",
        str(tmp_path / "never"),
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "unknown affiliation: nowhere-1, nowhere-2 (2 in all)" in result.stderr
    assert not (tmp_path / "never").exists()
