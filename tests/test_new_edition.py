"""A new edition as a maintainer starts it: a scaffolded year folder, subjects the index added
later, and cross-file rules that stop a run before any notebook."""

import pandas as pd
import pytest

from analysis import runner
from analysis.data import CHECKLIST, DataError, load_year, scaffold_year, years_with_data


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
    names = [run.name for run in runner.plan(2022, data_copy)]
    health = next(n for n in names if n.endswith("risers-health-sciences"))
    biology = next(n for n in names if n.endswith("risers-biological-sciences"))
    assert names.index(health) == names.index(biology) + 1
    zh = runner.plan(2022, data_copy, lang="zh")
    assert any(run.title == "上升最快的城市：健康科学" for run in zh)
