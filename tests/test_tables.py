"""The tables are recomputed from primary inputs and agree with what the supplement printed."""

import math

import pandas as pd
import pytest

from analysis import load_year, pages, tables
from analysis.paths import DATA

PUBLISHED = DATA / "published" / "2022"


@pytest.fixture(scope="module")
def data():
    return load_year(2022)


def printed(name):
    return pd.read_csv(PUBLISHED / f"{name}.csv", dtype=str, keep_default_na=False)


def test_every_contract_table_is_produced(data):
    assert sorted(pages.all_tables(data)) == sorted(
        [
            "leading-cities",
            "risers-overall",
            "risers-earth-environmental-sciences",
            "risers-biological-sciences",
            "rank-history",
            "partnerships-china",
            "partnerships-usa",
            "institution-partnerships-beijing",
            "share-intervals",
        ]
    )


@pytest.mark.parametrize(
    "name",
    sorted(p.stem for p in PUBLISHED.glob("*.csv") if p.stem not in ("text-figures", "errata")),
)
def test_names_order_and_columns_match_the_printed_table(data, name):
    ours = pages.csv_text(pages.all_tables(data)[name])
    ours = pd.read_csv(__import__("io").StringIO(ours), dtype=str, keep_default_na=False)
    theirs = printed(name)
    assert list(ours.columns) == list(theirs.columns)
    text_columns = [c for c in theirs.columns if not theirs[c].str.match(r"^-?[\d.]+$").all()]
    assert text_columns, name
    pd.testing.assert_frame_equal(ours[text_columns], theirs[text_columns])
    if "rank" in theirs.columns:
        assert list(ours["rank"]) == list(theirs["rank"])


@pytest.mark.parametrize(
    "name",
    sorted(p.stem for p in PUBLISHED.glob("*.csv") if p.stem not in ("text-figures", "errata")),
)
def test_every_number_is_within_a_cent_of_the_printed_one(data, name):
    """Inputs are printed to 2 decimals (±0.005 each), so a derived sum or difference may differ
    from the printed value in the last digit; a % change of a small base may differ a little more.
    The audit states exactly which and why; here, nothing is off by more than that."""
    ours = pages.all_tables(data)[name]
    theirs = printed(name)
    for column in theirs.columns:
        if not theirs[column].str.match(r"^-?[\d.]+$").all():
            continue
        diff = ours[column].astype(float).to_numpy() - theirs[column].astype(float).to_numpy()
        tolerance = 0.15 if column in ("change_pct", "location_share_pct") else 0.011
        assert abs(diff).max() <= tolerance, (name, column, diff)


def test_location_share_is_recomputed_from_the_country_share(data):
    lead = tables.leading_cities(data).set_index("city_id")
    assert lead.at["beijing", "location_share_pct"] == pytest.approx(3734.62 / 19373.35 * 100)
    assert lead.at["new-york-ma", "location_share_source"] == "computed"
    assert lead.at["tokyo-ma", "location_share_source"] == "printed input"
    assert lead.at["tokyo-ma", "location_share_pct"] == 37.10


def test_risers_are_ranked_by_recomputed_change(data):
    r = tables.risers(data, "biological-sciences")
    assert (r["change"] == r["adjusted_share"] - r["adjusted_share_prev"]).all()
    assert r["change"].is_monotonic_decreasing
    assert r.iloc[7]["city"] == "New York MA"


def test_ranks_follow_the_data_not_the_file_order(data):
    shuffled = data.tables["city_share"].iloc[::-1].reset_index(drop=True)
    reversed_data = type(data)(
        data.year, data.data_dir, data.reference, {**data.tables, "city_share": shuffled}
    )
    assert list(tables.leading_cities(reversed_data)["city"][:3]) == [
        "Beijing",
        "New York MA",
        "Shanghai",
    ]


def test_rank_change_is_rank_two_years_earlier_minus_rank_now(data):
    rh = tables.rank_history(data).set_index("city_id")
    assert rh.at["guangzhou", "change_2020_2022"] == 14 - 8
    assert rh.at["tokyo-ma", "change_2020_2022"] == 7 - 9


def test_bilateral_score_is_the_sum_of_both_sides(data):
    cp = tables.city_partnerships(data, "US")
    assert (cp["bcs"] == cp["cs1"] + cp["cs2"]).all()
    assert cp["bcs"].is_monotonic_decreasing


def test_chinese_names_come_from_the_reference(data):
    assert list(tables.leading_cities(data, lang="zh")["city"][:3]) == [
        "北京",
        "纽约都市圈",
        "上海",
    ]
    assert (
        tables.institution_partnerships(data, "beijing", lang="zh").iloc[0]["institution1"]
        == "北京大学"
    )


def test_subjects_with_only_prose_get_no_invented_table(data):
    assert len(tables.risers(data, "chemistry")) == 0
    m = tables.riser_mentions(data, "physical-sciences")
    assert list(m["city"]) == ["Beijing", "Xi’an"]
    assert pd.isna(m.loc[0, "change_rounded"]) and m.loc[1, "change_rounded"] == 102


def test_csv_text_rounds_to_two_decimals(data):
    text = pages.csv_text(pages.page("leading-cities", data).contract)
    assert text.splitlines()[1] == "1,Beijing,China,3734.62,7841,19.28"


def test_end_labels_of_the_rank_chart_never_overlap():
    from analysis.charts import BUMP_HEIGHT, LINE_PX, spread_labels

    ranks, lines = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 1, 1, 1, 2, 1, 2, 1, 1, 1]
    placed = spread_labels(ranks, lines, 1, 50)
    px = math.log(50) / BUMP_HEIGHT
    for i in range(len(ranks) - 1):
        assert placed[i] <= placed[i + 1]
        assert math.log(placed[i + 1]) - math.log(placed[i]) >= lines[i] * LINE_PX * px - 1e-6
    assert placed[0] == 1 and all(p >= r for p, r in zip(placed, ranks))


def test_long_country_names_have_a_short_form_for_phones(data):
    from analysis.countries import short_name

    short = tables.short_country_names(data)
    assert short["US"] == "USA" and short["GB"] == "UK" and short["CN"] == "China"
    assert tables.short_country_names(data, "zh")["US"] == "美国"
    assert short_name("Republic of Korea", "KR") == "South Korea"  # CLDR's, where shorter
    assert short_name("Canada", "CA") == ""
    lead = pages.page("leading-cities", data).table.set_index("city_id")
    assert lead.at["new-york-ma", "country_short"] == "USA"
