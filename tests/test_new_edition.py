"""A new edition as a maintainer starts it: a scaffolded year folder, subjects the index added
later, and cross-file rules that stop a run before any notebook."""

import pandas as pd
import pytest

from analysis.data import CHECKLIST, DataError, load_year, years_with_data
from analysis.paths import DATA
from analysis.pipeline.new_year import scaffold_year
from analysis.pipeline.plan import plan


def test_new_year_scaffolds_every_input_file_and_a_checklist(data_copy, cli):
    result = cli("new-year", "2023", "--data", str(data_copy))
    assert result.returncode == 0, result.stderr
    folder = data_copy / "2023"
    assert (folder / CHECKLIST).is_file()
    assert (folder / "city_share.csv").read_text() == "subject_id,city_id,share,count\n"
    checklist = (folder / CHECKLIST).read_text()
    assert "`rank_history.csv` (optional)" in checklist and "usually from:" in checklist
    assert years_with_data(data_copy) == [2022]  # not an edition until it holds data
    again = cli("new-year", "2023", "--data", str(data_copy))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_a_scaffolded_year_becomes_an_edition_once_it_has_data(data_copy):
    scaffold_year(2023, data_copy)
    rows = (data_copy / "2022" / "city_share.csv").read_text().splitlines()[1:3]
    (data_copy / "2023" / "city_share.csv").write_text(
        "subject_id,city_id,share,count\n" + "\n".join(rows) + "\n"
    )
    assert years_with_data(data_copy) == [2022, 2023]


def test_a_rank_history_that_misses_the_year_is_a_validation_problem(data_copy):
    path = data_copy / "2022" / "rank_history.csv"
    history = pd.read_csv(path)
    history[history["year"] != 2022].to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        load_year(2022, data_copy)
    rules = [str(p) for p in info.value.problems]
    assert any(
        "has no rank for 2022" in r and "rank_history.csv" in r and "column 'year'" in r
        for r in rules
    )


def test_a_subject_the_index_added_gets_its_riser_page_in_reference_order(data_copy):
    path = data_copy / "2022" / "adjusted_share.csv"
    shares = pd.read_csv(path)
    added = shares[shares["subject_id"] == "overall"].head(5).assign(subject_id="health-sciences")
    pd.concat([shares, added]).to_csv(path, index=False)
    names = [run.stem for run in plan(load_year(2022, data_copy))]
    health = next(n for n in names if n.endswith("risers-health-sciences"))
    biology = next(n for n in names if n.endswith("risers-biological-sciences"))
    assert names.index(health) == names.index(biology) + 1
    zh = plan(load_year(2022, data_copy), lang="zh")
    assert any(run.title == "上升最快的城市：健康科学" for run in zh)


EXAMPLE = DATA / "examples" / "export-2023"


def ingest_2023(cli, data, example_file, *options):
    """`ingest` one file of the 2023 example into the data folder `data` (--write and --data)."""
    return cli(
        "ingest",
        str(EXAMPLE / example_file),
        "--year",
        "2023",
        "--write",
        str(data),
        "--data",
        str(data),
        *options,
    )


def tree(folder):
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.book
def test_the_worked_example_goes_from_real_exports_to_a_book_of_both_editions(
    data_copy, cli, tmp_path
):
    """data/examples/export-2023: an overall city table with countries and cities the 2022
    supplement never printed and a name two countries share, a health-sciences table, and Chinese
    names for the new cities. ingest --write takes them in; the data validates; a book of both
    editions builds."""
    overall = ingest_2023(cli, data_copy, "cities-overall-2023.csv")
    assert overall.returncode == 0, overall.stderr
    assert "new countries added" in overall.stdout and "Argentina" in overall.stdout
    health = ingest_2023(
        cli, data_copy, "cities-health-sciences-2023.csv", "--subject", "health-sciences"
    )
    assert health.returncode == 0, health.stderr
    cities = pd.read_csv(data_copy / "reference" / "cities.csv", dtype=str, keep_default_na=False)
    birmingham = (
        cities[cities["name_en"] == "Birmingham"].set_index("country_id")["city_id"].to_dict()
    )
    assert birmingham == {"GB": "birmingham-gb", "US": "birmingham-us"}
    warned = cli("validate", "--data", str(data_copy))
    assert warned.returncode == 0 and warned.stderr.count("warning:") == 6
    named = ingest_2023(
        cli, data_copy, "cities-overall-2023.csv", "--names", str(EXAMPLE / "names-2023.csv")
    )
    assert named.returncode == 0, named.stderr
    assert cli("validate", "--data", str(data_copy)).stderr == ""
    book = cli("book", "--data", str(data_copy), "--year", "2023", "--out", str(tmp_path / "book"))
    assert book.returncode == 0, book.stderr[-2000:]
    html = tmp_path / "book" / "html"
    for folder in (
        html / "book" / "generated" / "2023",
        html / "zh" / "book" / "generated" / "2023-zh",
    ):
        assert {p.name for p in folder.glob("*.html")} == {
            "edition-changes.html",
            "intervals.html",
            "leading-cities.html",
            "risers-overall.html",
            "risers-health-sciences.html",
        }
    chinese = (html / "zh" / "book" / "generated" / "2023-zh" / "leading-cities.html").read_text()
    assert "多伦多" in chinese and "加拿大" in chinese


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--subject", "alchemy"], "unknown subject 'alchemy'"),
        (
            ["--names", str(EXAMPLE / "names-bad.csv")],
            "no city 'Atlantis' in 'Greece' in the reference",
        ),
    ],
)
def test_a_bad_new_input_gives_one_error_and_leaves_the_data_folder_untouched(
    data_copy, cli, argv, message
):
    bad_names = data_copy.parent / "names-bad.csv"
    bad_names.write_text("name,country,name_zh\nAtlantis,Greece,亚特兰蒂斯\n", encoding="utf-8")
    argv = [a.replace(str(EXAMPLE / "names-bad.csv"), str(bad_names)) for a in argv]
    before = tree(data_copy)
    result = ingest_2023(cli, data_copy, "cities-overall-2023.csv", *argv)
    assert (
        result.returncode == 1 and result.stderr.startswith("error:") and message in result.stderr
    ), result.stderr
    assert "Traceback" not in result.stderr
    assert tree(data_copy) == before


def test_an_unknown_country_is_named_and_two_rows_of_one_name_and_country_are_refused(
    tmp_path, cli, data_copy
):
    export = tmp_path / "export.csv"
    lines = (EXAMPLE / "cities-overall-2023.csv").read_text(encoding="utf-8").splitlines()
    export.write_text(
        "\n".join(
            [lines[0], lines[1], lines[2].replace("United States of America (USA)", "Narnia")]
        )
        + "\n",
        encoding="utf-8",
    )
    result = cli(
        "ingest",
        str(export),
        "--year",
        "2023",
        "--write",
        str(data_copy),
        "--data",
        str(data_copy),
    )
    assert result.returncode == 1 and "unknown country 'Narnia'" in result.stderr
    export.write_text(
        "\n".join([lines[0], lines[1], lines[1].replace("1,", "2,", 1)]) + "\n", encoding="utf-8"
    )
    result = cli("ingest", str(export), "--year", "2023")
    assert (
        result.returncode == 1
        and "rows 1, 2 repeat the same name and country: ('Beijing', 'China')" in result.stderr
    )


def test_what_changed_since_the_last_edition_is_a_table_with_a_status_per_city(
    data_copy, cli, tmp_path
):
    ingest_2023(cli, data_copy, "cities-overall-2023.csv")
    result = cli(
        "tables", "--year", "2023", "--out", str(tmp_path / "t"), "--data", str(data_copy)
    )
    assert result.returncode == 0, result.stderr
    changes = pd.read_csv(tmp_path / "t" / "edition-changes.csv", dtype=str, keep_default_na=False)
    assert list(changes.columns) == [
        "city",
        "country",
        "rank_prev",
        "rank",
        "share_prev",
        "share",
        "status",
    ]
    by_city = changes.set_index("city")
    assert by_city.loc["Toronto", ["rank_prev", "share_prev", "status"]].tolist() == [
        "",
        "",
        "entered",
    ]
    assert by_city.loc["Tianjin", ["rank_prev", "rank", "status"]].tolist() == ["18", "", "left"]
    assert (by_city["status"] == "stayed").sum() == 19 and len(changes) == 21
    # the 2022 edition has no earlier year: no such table, and its files are as before
    assert (
        cli(
            "tables", "--year", "2022", "--out", str(tmp_path / "u"), "--data", str(data_copy)
        ).returncode
        == 0
    )
    assert not (tmp_path / "u" / "edition-changes.csv").exists()


def test_the_adjustment_factor_and_the_rank_moves_come_from_the_previous_edition(data_copy, cli):
    """With 2022 in the data folder, the 2023 risers' bound reads the adjustment factor off the
    2022 Shares (the example's exports use 1.04), and the edition changes say which rank moves
    exceed their uncertainty; a subject 2022 has no Shares for falls back to the assumed bound."""
    from analysis import narrative, uncertainty

    assert ingest_2023(cli, data_copy, "cities-overall-2023.csv").returncode == 0
    health = ingest_2023(
        cli, data_copy, "cities-health-sciences-2023.csv", "--subject", "health-sciences"
    )
    assert health.returncode == 0, health.stderr
    data = load_year(2023, data_copy)
    factor = uncertainty.adjustment_factor(data, "overall")
    assert factor.source == "previous edition" and factor.city_id == "beijing"
    assert factor.value == pytest.approx(1.04, abs=2e-4) and factor.value >= 1.04 - 1e-4
    assert uncertainty.adjustment_factor(data, "health-sciences").source == "assumed"
    moves = uncertainty.edition_rank_moves(data, top=20)
    stayed = uncertainty.moves_shown(moves)
    assert len(stayed) == 19 and set(stayed["move"]) <= {"up", "down", "within", "same"}
    assert moves.loc[moves["status"] != "stayed", "move"].isna().all()
    facts = narrative.edition_move_facts(moves)
    moved = int((stayed["rank"] != stayed["rank_prev"]).sum())
    assert facts["n_moved"] == moved and str(moved) in facts["moves_sentence"]
