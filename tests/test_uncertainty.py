"""How sure a figure is (analysis/uncertainty.py): the standard error bounds, the tests of
differences and changes, the rank sets (properties on random tables), their sentences for any data,
the exact variances from article records, and the command and table that publish them."""

import json
import math
import shutil

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from analysis import load_year, narrative, pages, uncertainty
from analysis.data import DataError
from analysis.records import bench, from_records, simulate
from analysis.uncertainty import RankSet

# ---- standard errors ----------------------------------------------------------------------------


def test_the_worked_example_of_the_methods_chapter():
    low, high = uncertainty.share_se_bounds(3734.62, 7841)
    assert (round(low, 1), round(high, 1)) == (42.2, 61.1)
    assert uncertainty.half_width(high) == pytest.approx(1.96 * high, rel=1e-3)


@given(st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=60))
def test_the_exact_standard_error_lies_within_the_bounds_of_share_and_count(parts):
    share, count = sum(parts), len(parts)
    low, high = uncertainty.share_se_bounds(share, count)
    exact = uncertainty.se_exact(sum(f * f for f in parts))
    assert low <= exact * (1 + 1e-9) and exact <= high * (1 + 1e-9)


@given(st.floats(0, 1e5), st.integers(1, 10**6))
def test_the_bounds_are_ordered(share, count):
    assume(share <= count)
    low, high = uncertainty.share_se_bounds(share, count)
    assert 0 <= low <= high * (1 + 1e-12)


def test_a_share_that_cannot_be_earned_is_refused():
    with pytest.raises(ValueError):
        uncertainty.share_se_bounds(5.0, 0)
    assert uncertainty.share_se_bounds(0.0, 0) == (0.0, 0.0)


def test_critical_values_grow_with_the_level_and_the_number_of_comparisons():
    assert uncertainty.z_value(0.95) == pytest.approx(1.95996, abs=1e-4)
    assert uncertainty.z_value(0.99) > uncertainty.z_value(0.95) > uncertainty.z_value(0.9)
    assert uncertainty.z_value(0.95, 19) == pytest.approx(3.0078, abs=1e-3)
    with pytest.raises(ValueError):
        uncertainty.z_value(1.0)


def test_differences_and_changes():
    # adding the variances overstates a difference's variance when the covariance is positive
    assert uncertainty.difference_se(4, 9) == pytest.approx(math.sqrt(13))
    assert uncertainty.difference_se(4, 9, covariance=2) == pytest.approx(3.0)
    assert uncertainty.change_se_bound(100, 80, 1.25) == pytest.approx(math.sqrt(200))
    assert uncertainty.is_clear(10, 5) and not uncertainty.is_clear(9, 5)
    assert uncertainty.is_clear(-10, 5)  # a clear fall is clear too
    assert uncertainty.is_clear(1, 0) and not uncertainty.is_clear(0, 0)


# ---- rank sets ----------------------------------------------------------------------------------


@st.composite
def tables(draw):
    """A leading table: Shares sorted from the largest (ties likely), each with its largest
    variance (the Share itself, as the published figures give it)."""
    n = draw(st.integers(1, 12))
    values = draw(st.lists(st.sampled_from([5.0, 40.0, 41.0, 90.0, 400.0, 2000.0]), min_size=n))
    values = sorted(values[:n], reverse=True)
    return values, list(values)


def ranked(sets):
    """The rank each entry holds (its place in the table) and its set."""
    return [(i + 1, s) for i, s in enumerate(sets)]


@given(tables(), st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_the_rank_a_city_holds_is_in_its_set(table, level):
    values, variances = table
    for rank, rank_set in ranked(uncertainty.rank_sets(values, variances, level=level)):
        assert rank_set.contains(rank)
        assert rank_set.high is None or rank_set.low <= rank_set.high


@given(tables(), st.sampled_from([(0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.8, 0.999)]))
def test_sets_only_widen_as_the_level_rises(table, levels):
    values, variances = table
    lower, higher = (uncertainty.rank_sets(values, variances, level=lv) for lv in levels)
    for a, b in zip(lower, higher):
        assert b.low <= a.low
        assert b.high is None or (a.high is not None and b.high >= a.high)


@given(tables())
def test_tied_shares_hold_the_same_set(table):
    values, variances = table
    sets = uncertainty.rank_sets(values, variances)
    for i in range(len(values)):
        for j in range(len(values)):
            if values[i] == values[j]:
                assert sets[i] == sets[j]
                assert sets[i].contains(j + 1)


@given(tables())
def test_the_last_entry_of_a_leading_table_is_open_below_and_a_whole_list_is_not(table):
    values, variances = table
    assert uncertainty.rank_sets(values, variances)[-1].is_open
    whole = uncertainty.rank_sets(values, variances, truncated=False)
    assert not any(s.is_open for s in whole) and whole[-1].high == len(values)


@given(tables(), st.floats(0, 1))
def test_a_positive_covariance_only_narrows_the_sets(table, strength):
    """Shared articles make two Shares move together: counted (exactly), the differences are
    less uncertain, so the conservative sets (covariance 0) hold the exact ones."""
    values, variances = table

    def covariance(i, j):
        return strength * math.sqrt(variances[i] * variances[j]) * 0.5

    exact = uncertainty.rank_sets(values, variances, covariance)
    conservative = uncertainty.rank_sets(values, variances)
    for e, c in zip(exact, conservative):
        assert c.low <= e.low
        assert c.high is None or (e.high is not None and e.high <= c.high)


def test_a_city_far_ahead_gets_a_single_rank_and_close_ones_share_theirs():
    sets = uncertainty.rank_sets([10_000, 2_000, 1_990, 500], [10_000, 2_000, 1_990, 500])
    assert sets[0] == RankSet(1, 1)
    assert sets[1] == sets[2] == RankSet(2, 3)
    assert sets[3] == RankSet(4, None)
    assert uncertainty.rank_sets([], []) == []


def test_runs_of_overlapping_sets():
    sets = [RankSet(1, 1), RankSet(2, 3), RankSet(2, 3), RankSet(4, 6), RankSet(5, None)]
    assert uncertainty.overlapping_runs(sets) == [(0, 0), (1, 2), (3, 4)]
    assert uncertainty.overlapping_runs([RankSet(1, 1), RankSet(2, 2)]) == [(0, 0), (1, 1)]
    assert RankSet(4, None).width(20) == 17 and RankSet(2, 3).width(20) == 2


# ---- the 2022 edition ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def year_2022():
    return load_year(2022)


def test_the_2022_leading_table(year_2022):
    table = pages.page("intervals", year_2022).table.set_index("city_id")
    assert len(table) == 20 and set(table["basis"]) == {uncertainty.BOUNDS}
    assert uncertainty.rank_set_of(table.loc["beijing"]) == RankSet(1, 1)
    for city in ("new-york-ma", "shanghai"):
        assert uncertainty.rank_set_of(table.loc[city]) == RankSet(2, 3)
    assert uncertainty.rank_set_of(table.loc["shenzhen"]) == RankSet(18, None)
    ny = table.loc["new-york-ma"]
    assert (round(1.96 * ny["se_low"]), round(ny["half_width"])) == (55, 86)
    facts = narrative.interval_facts(pages.page("intervals", year_2022).table)
    assert (
        "New York MA and Shanghai cannot be told apart: each could be second or third"
        in (facts["runs_sentence"])
    )
    assert (
        facts["certain_sentence"]
        == "Only the rank of Beijing (first) is settled: its set holds that rank alone."
    )
    zh = narrative.interval_facts(pages.page("intervals", year_2022, lang="zh").table, "zh")
    assert "纽约都市圈与上海无法区分，都可能排在第二或第三名" in zh["runs_sentence"]


def test_the_2022_risers_and_partnerships(year_2022):
    overall = uncertainty.riser_intervals(year_2022, "overall", top=20)
    assert overall.attrs["factor"] == uncertainty.Factor(uncertainty.FACTOR_BOUND, "assumed")
    assert (overall["verdict"] == "rise").all()
    earth = uncertainty.riser_intervals(year_2022, "earth-environmental-sciences", top=20)
    assert 0 < (earth["verdict"] == "within").sum() < 20
    facts = narrative.riser_interval_facts(earth, year_2022)
    assert facts["clear_sentence"].startswith(f"{facts['n_clear']} of the 20 changes exceed")
    china = uncertainty.pair_intervals(year_2022, "CN", top=10)
    assert uncertainty.rank_set_of(china.iloc[0]) == RankSet(1, 1)
    assert narrative.pair_interval_facts(china)["pair_certain_sentence"] == (
        "Only the rank of Shanghai / Beijing (first) is settled: its set holds that rank alone."
    )


# ---- sentences for any data: all, some, none ----------------------------------------------------


@pytest.mark.parametrize(
    "sets, en, zh",
    [
        (
            [RankSet(1, 1), RankSet(2, 2)],
            "All 2 ranks are settled: each set holds a single rank.",
            "全部2个排名区间都只含一个名次。",
        ),
        (
            [RankSet(1, 1), RankSet(2, 3), RankSet(2, 3)],
            "Only the rank of A (first) is settled: its set holds that rank alone.",
            "只有A（第一名）的排名区间只含一个名次。",
        ),
        (
            [RankSet(1, 2), RankSet(1, 2)],
            "None of the 2 ranks is settled: every set holds more than one rank.",
            "2个排名区间都包含不止一个名次：没有一个名次是唯一确定的。",
        ),
    ],
)
def test_which_ranks_are_certain(sets, en, zh):
    names = ["A", "B", "C"][: len(sets)]
    assert narrative.certain_sentence(names, sets) == en
    assert narrative.certain_sentence(names, sets, "zh") == zh


def test_runs_and_open_sets_in_words():
    apart = [RankSet(1, 1), RankSet(2, 2)]
    assert narrative.runs_sentence(["A", "B"], apart) == (
        "Every entry is clearly apart from its neighbours: the order is settled."
    )
    long = [RankSet(1, 2), RankSet(1, 3), RankSet(2, 4), RankSet(3, 5), RankSet(4, None)]
    words = narrative.runs_sentence(list("ABCDE"), long)
    assert words == (
        "From A to E (ranks 1 to 5) the sets overlap one into the next, so the order of these "
        "5 is not settled."
    )
    assert narrative.open_sentence(["A", "B"], apart) == ""
    one = narrative.open_sentence(["A", "B"], [RankSet(1, 1), RankSet(2, None)])
    assert one.startswith("The set of B (second or lower) is open below")
    assert narrative.rank_set_words(RankSet(12, None)) == "12th or lower"
    assert narrative.rank_set_words(RankSet(4, 6), "zh") == "第四至第六名"
    assert narrative.rank_set_words(RankSet(7, 20), "zh") == "第7至第20名"  # one form, not two
    assert narrative.ordinal(21) == "21st" and narrative.ordinal(12) == "12th"


def _risers(verdicts):
    n = len(verdicts)
    return pd.DataFrame(
        {
            "city": [f"City {i}" for i in range(n)],
            "change": [10.0] * n,
            "change_pct": [30.0 + i for i in range(n)],
            "se_high": [4.0] * n,
            "verdict": verdicts,
        }
    )


@pytest.mark.parametrize(
    "verdicts, start",
    [
        (["rise", "rise"], "All 2 changes exceed their uncertainty"),
        (["rise", "within"], "1 of the 2 changes exceed their uncertainty"),
        (["within", "within"], "None of the 2 changes exceeds its uncertainty"),
    ],
)
def test_how_many_rises_are_real(year_2022, verdicts, start):
    facts = narrative.riser_interval_facts(_risers(verdicts), year_2022)
    assert facts["clear_sentence"].startswith(start)
    assert bool(facts["noise_sentence"]) == ("within" in verdicts)
    assert narrative.riser_interval_facts(_risers(verdicts), year_2022, "zh")["clear_sentence"]


def test_which_moves_are_real_in_words():
    moves = pd.DataFrame(
        {
            "city": ["A", "B", "C"],
            "rank_prev": [1, 3, 2],
            "rank": [1, 2, 3],
            "move": ["same", "up", "within"],
        }
    )
    facts = narrative.edition_move_facts(moves)
    assert facts["moves_sentence"] == (
        "1 of the 2 rank changes exceed their uncertainty (the two years' rank sets do not "
        "overlap): B (up from 3 to 2)."
    )
    none = narrative.edition_move_facts(moves.assign(move=["same", "within", "within"]))
    assert none["moves_sentence"].startswith("None of the 2 rank changes exceeds")
    still = narrative.edition_move_facts(moves.assign(move="same"), "zh")
    assert still["moves_sentence"] == "留在领先名单中的城市名次都没有变化。"


# ---- exact intervals from article records -------------------------------------------------------


@pytest.fixture(scope="module")
def simulated():
    world = simulate.make_world(8)
    return world, simulate.simulate(world, [2021, 2022], 3_000, 8)


@pytest.fixture(scope="module")
def records_edition(simulated, tmp_path_factory):
    """A data year built from simulated records (two years, so that the risers are exact too)."""
    world, records = simulated
    out = tmp_path_factory.mktemp("records") / "data"
    from_records.write_data_folder(records, world, 2022, out, source=simulate.LABEL)
    return load_year(2022, out)


def test_the_exact_standard_error_of_every_city_lies_within_its_bounds(simulated):
    from analysis.records import metrics

    share = metrics.compute(simulated[1], pairs=False)["share"]
    city = share[share["level"] == "city"]
    assert len(city) > 1000
    for row in city.itertuples():
        low, high = uncertainty.share_se_bounds(row.share, row.count)
        exact = uncertainty.se_exact(row.sum_f2)
        assert low * (1 - 1e-9) <= exact <= high * (1 + 1e-9), row


def test_the_variances_a_records_edition_stores_are_its_cities(records_edition):
    """Every city of the data year has its sum of squared parts, stored to the files' six
    decimals, within what its Share and Count allow (the rule `validate` checks)."""
    shares = records_edition["city_share"].set_index(["subject_id", "city_id"])
    variance = records_edition["share_variance"]
    now = variance[variance["year"] == 2022].set_index(["subject_id", "city_id"])["sum_f2"]
    assert sorted(now.index) == sorted(shares.index)
    for key, sum_f2 in now.items():
        share, count = shares.at[key, "share"], shares.at[key, "count"]
        assert share**2 / count - 1e-6 <= sum_f2 <= share + 1e-6, key
    assert set(variance["year"]) == {2021, 2022}


def test_a_records_edition_shows_exact_intervals(records_edition):
    table = uncertainty.share_intervals(records_edition, top=20)
    assert set(table["basis"]) == {uncertainty.EXACT}
    assert (table["se_low"] == table["se_high"]).all()
    assert (table["se_high"] <= table["share"] ** 0.5 + 1e-6).all()
    risers = uncertainty.riser_intervals(records_edition, "overall", top=20)
    assert set(risers["basis"]) == {uncertainty.EXACT} and risers.attrs["factor"] is None
    bounds = uncertainty.rank_sets(list(table["share"]), list(table["share"]))
    for exact, conservative in zip(map(uncertainty.rank_set_of, table.to_dict("records")), bounds):
        assert conservative.low <= exact.low
        assert conservative.high is None or exact.high <= conservative.high
    assert "exact" in narrative.basis_sentence(uncertainty.EXACT)


def test_the_example_variance_files_are_what_the_engine_makes_of_the_example_records():
    """data/examples/variances (where datapackage.json points the two resources) cannot go stale:
    they are the engine's output for data/examples/records."""
    from analysis.paths import DATA
    from analysis.records import metrics

    records = metrics.read_records(DATA / "examples" / "records")
    result = metrics.compute(records) | {"affiliations": records.affiliations}
    files = from_records.year_files(result, 2022, "example")
    for name in ("share_variance", "share_covariance"):
        expected = files[name].to_csv(
            index=False, float_format=f"%.{from_records.DECIMALS}f", lineterminator="\n"
        )
        assert (DATA / "examples" / "variances" / f"{name}.csv").read_text() == expected


@pytest.mark.parametrize(
    "file, edit, message",
    [
        ("share_variance", lambda v: v.assign(sum_f2=v["sum_f2"] * 0 + 1e9), "cannot exceed"),
        (
            "share_variance",
            lambda v: v.assign(year=[1999, *v["year"][1:]]),
            "must be 2022 or 2021",
        ),
        (
            "share_covariance",
            lambda c: pd.concat(
                [c, c.head(1).rename(columns={"city1_id": "city2_id", "city2_id": "city1_id"})]
            ),
            "duplicate pair",
        ),
    ],
)
def test_bad_variances_are_named(records_edition, tmp_path, file, edit, message):
    folder = tmp_path / "data"
    shutil.copytree(records_edition.data_dir, folder)
    path = folder / "2022" / f"{file}.csv"
    edit(pd.read_csv(path)).to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        load_year(2022, folder)
    assert any(message in str(p) and f"{file}.csv" in str(p) for p in info.value.problems)


# ---- the command line and the table -------------------------------------------------------------


def test_intervals_prints_one_record_per_city(cli):
    result = cli("intervals", "--year", "2022", "--json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert len(records) == 20 and list(records[0]) == list(uncertainty.RECORD_FIELDS)
    by_city = {r["city_id"]: r for r in records}
    assert by_city["beijing"]["rank_low"] == by_city["beijing"]["rank_high"] == 1
    assert by_city["xian"]["rank_high"] is None and by_city["xian"]["subject_id"] == "overall"
    text = cli("intervals", "--year", "2022", "--level", "0.99")
    assert text.returncode == 0 and "at 99%" in text.stdout and "or lower" in text.stdout


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["--year", "2022", "--subject", "chemistry"],
            "no Shares for subject 'chemistry' in 2022",
        ),
        (["--year", "2030"], "no data folder for year 2030"),
    ],
)
def test_intervals_refuses_a_year_or_subject_without_data(cli, argv, message):
    result = cli("intervals", *argv)
    assert result.returncode == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_tables_writes_the_share_intervals(cli, tmp_path):
    assert cli("tables", "--year", "2022", "--out", str(tmp_path)).returncode == 0
    table = pd.read_csv(tmp_path / "share-intervals.csv", dtype=str, keep_default_na=False)
    assert list(table.columns) == list(pages.INTERVAL_FIELDS) == [
        "city_id", "city", "country", "subject_id", "share", "count", "half_width", "se_low",
        "se_high", "rank", "rank_low", "rank_high",
    ]  # fmt: skip
    # the margin the page shows (± 119.78) is in the CSV too, beside the standard error's bounds
    assert table.iloc[0].tolist() == [
        "beijing", "Beijing", "China", "overall", "3734.62", "7841", "119.78", "42.18", "61.11",
        "1", "1", "1",
    ]  # fmt: skip
    assert table.iloc[-1]["rank_high"] == ""  # open below


# ---- the coverage benchmark ---------------------------------------------------------------------


def test_the_simulators_expected_shares_are_what_its_years_average_to():
    world = simulate.make_world(4)
    truth = simulate.expected_shares(world, 2_000)
    assert truth.sum() == pytest.approx(2_000)
    years = 12
    drawn = [
        simulate.simulate(world, [year], 2_000, 4, drift=False)
        for year in range(2000, 2000 + years)
    ]
    from analysis.records import metrics

    shares = pd.concat(
        [
            metrics.city_view(metrics.compute(r, pairs=False)).set_index("entity")["share"]
            for r in drawn
        ],
        axis=1,
    ).reindex(truth.index, fill_value=0.0)
    leading = truth.sort_values(ascending=False).index[:5]
    for city in leading:
        spread = shares.loc[city].std() / math.sqrt(years)
        assert abs(shares.loc[city].mean() - truth[city]) < 5 * spread + 1e-9, city


def test_the_coverage_benchmark_prints_its_figures():
    lines = []
    figures = bench.coverage(years=2, articles=1_500, log=lines.append)
    assert set(figures) >= {"most", "least", "exact"}
    for name in ("most", "least", "exact"):
        assert 0 <= figures[name]["rank_coverage"] <= 1 and figures[name]["cities"] == 40
        assert figures[name]["mean_width"] >= 1
    assert lines[-1].startswith("coverage: years=2 articles=1500 most_ranks=")
    assert "over-cover" in lines[-2]


def test_neighbours_apart_in_their_margins_can_share_a_rank():
    """The page names the first neighbours whose margins do not meet yet whose rank sets share a
    rank (the sets' comparisons are stricter); none such, no sentence."""
    table = pd.DataFrame(
        {"city": ["A", "B", "C"], "share": [100.0, 80.0, 79.0], "half_width": [5.0, 5.0, 5.0]}
    )
    shared = [RankSet(1, 2), RankSet(1, 3), RankSet(2, 3)]
    assert narrative.apart_sentence(table, shared) == (
        "A and B are a case in point: their margins (95.00 to 105.00 and 75.00 to 85.00) do not "
        "meet, yet either could rank first or second."
    )
    assert narrative.apart_sentence(table, shared, "zh") == (
        "A与B就是一例：两者的误差范围（95.00至105.00与75.00至85.00）互不重叠，但两者都可能排在"
        "第一或第二名。"
    )
    told_apart = [RankSet(1, 1), RankSet(2, 3), RankSet(2, 3)]  # B and C: their margins meet
    assert narrative.apart_sentence(table, told_apart) == ""
