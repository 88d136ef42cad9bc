"""The metrics engine: hand-worked examples, properties on random article sets, and agreement with
an independent pandas implementation."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.records import metrics, reference_metrics

KEYS = {
    "share": ["level", "year", "subject", "entity"],
    "adjusted": ["level", "year", "subject", "entity"],
    "totals": ["year", "subject"],
    "pairs": ["level", "year", "subject", "entity_a", "entity_b"],
    "covariance": ["level", "year", "subject", "entity_a", "entity_b"],
}


def sorted_frame(df, keys):
    return df.sort_values(keys).reset_index(drop=True)


def test_the_supplements_example():
    view = metrics.city_view(metrics.compute(metrics.example_supplement())).set_index("entity")
    assert view.at["beijing", "share"] == pytest.approx(0.2)
    assert view.at["beijing", "count"] == 1


def test_five_authors_one_with_two_affiliations():
    result = metrics.compute(metrics.example_multi_affiliation())
    city = metrics.city_view(result).set_index("entity")
    assert city["share"].to_dict() == pytest.approx(
        {"beijing": 0.5, "hong-kong": 0.1, "shanghai": 0.4}
    )
    # one article: each city's variance is its part squared, the covariance the product of parts
    squares = result["share"].query("level == 'city' and subject == 'overall'")
    assert squares.set_index("entity")["sum_f2"].to_dict() == pytest.approx(
        {"beijing": 0.25, "hong-kong": 0.01, "shanghai": 0.16}
    )
    cov = result["covariance"].query("subject == 'overall'")
    assert cov.set_index(["entity_a", "entity_b"])["sum_fafb"].to_dict() == pytest.approx(
        {
            ("beijing", "hong-kong"): 0.05,
            ("beijing", "shanghai"): 0.2,
            ("hong-kong", "shanghai"): 0.04,
        }
    )
    assert city["count"].to_dict() == {"beijing": 1, "hong-kong": 1, "shanghai": 1}
    inst = (
        result["share"]
        .query("level == 'institution' and subject == 'overall'")
        .set_index("entity")["share"]
    )
    assert inst.to_dict() == pytest.approx({"pku": 0.3, "tsinghua": 0.2, "hku": 0.1, "fudan": 0.4})
    pairs = metrics.pair_view(result).set_index(["entity_a", "entity_b"])
    expected = {
        ("beijing", "hong-kong"): (0.5, 0.1),
        ("beijing", "shanghai"): (0.5, 0.4),
        ("hong-kong", "shanghai"): (0.1, 0.4),
    }
    for pair, (cs1, cs2) in expected.items():
        assert (
            pairs.at[pair, "cs1"],
            pairs.at[pair, "cs2"],
            pairs.at[pair, "bcs"],
        ) == pytest.approx((cs1, cs2, cs1 + cs2))
        assert pairs.at[pair, "count"] == 1
    country = result["share"].query("level == 'country' and subject == 'overall'")
    assert country["share"].tolist() == pytest.approx([1.0])


def test_adjusted_share_scales_by_the_ratio_of_articles():
    result = metrics.compute(metrics.example_two_years())
    adj = (
        result["adjusted"]
        .query("level == 'city' and subject == 'overall'")
        .set_index(["year", "entity"])["adjusted_share"]
    )
    assert adj[(2021, "beijing")] == pytest.approx(2 * 5 / 4)
    assert adj[(2022, "beijing")] == pytest.approx(1.0)


# ---- random article sets ------------------------------------------------------------------------

CITIES = [("a", "X"), ("b", "X"), ("c", "Y"), ("d", "Z")]


@st.composite
def article_sets(draw):
    n = draw(st.integers(1, 8))
    affiliations = pd.DataFrame(
        {
            "affiliation_id": [f"f{i}" for i in range(6)],
            "institution_id": [f"i{i % 5}" for i in range(6)],
            "city_id": [CITIES[i % 4][0] for i in range(6)],
            "country": [CITIES[i % 4][1] for i in range(6)],
        }
    )
    subjects = [
        "chemistry",
        "physical-sciences",
        "earth-environmental-sciences",
        "biological-sciences",
    ]
    articles, rows = [], []
    for k in range(n):
        chosen = draw(st.lists(st.sampled_from(subjects), max_size=3, unique=True))
        articles.append(
            {
                "article_id": f"A{k}",
                "year": draw(st.sampled_from([2021, 2022])),
                "journal": "J",
                "subjects": ";".join(chosen),
            }
        )
        for position in range(1, draw(st.integers(1, 6)) + 1):
            for aff in draw(
                st.lists(
                    st.sampled_from(list(affiliations["affiliation_id"])),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            ):
                rows.append(
                    {"article_id": f"A{k}", "author_position": position, "affiliation_id": aff}
                )
    return metrics.Records(pd.DataFrame(articles), pd.DataFrame(rows), affiliations)


@given(article_sets(), st.randoms(use_true_random=False))
def test_the_engine_on_random_article_sets(records, rnd):
    """Each random article set is computed once, and that result checked four ways (computing it
    again for each would cost four times the engine's time for the same checks)."""
    result = metrics.compute(records)
    check_the_properties(records, result)
    check_agreement_with_the_pandas_reference(records, result)
    check_that_row_order_does_not_matter(records, result, rnd)
    check_that_pair_scores_swap_when_the_names_swap_order(records, result)


def check_the_properties(records, r):
    share, totals, pairs = r["share"], r["totals"], r["pairs"]
    sums = (
        share.groupby(["level", "year", "subject"])["share"]
        .sum()
        .reset_index()
        .merge(totals, on=["year", "subject"])
    )
    # zero-sum: Shares add up to articles; a Share is at most its Count
    assert (sums["share"] - sums["articles"]).abs().max() < 1e-9
    assert (share["share"] <= share["count"] + 1e-12).all()
    # an article counts once overall
    overall = totals[totals["subject"] == "overall"]["articles"].sum()
    assert overall == records.articles["article_id"].nunique()
    if len(pairs):
        # each unordered pair once, and the rows come sorted
        assert (pairs["entity_a"].astype(str) < pairs["entity_b"].astype(str)).all()
        assert not pairs.duplicated(KEYS["pairs"]).any()
        keyed = pairs.astype({"level": str, "subject": str, "entity_a": str, "entity_b": str})
        assert keyed.equals(keyed.sort_values(KEYS["pairs"]).reset_index(drop=True))
        # CS(A with B) <= Share(A)
        for side, entity in (("cs1", "entity_a"), ("cs2", "entity_b")):
            joined = pairs.merge(
                share,
                left_on=["level", "year", "subject", entity],
                right_on=["level", "year", "subject", "entity"],
            )
            assert len(joined) == len(pairs)
            assert (joined[side] <= joined["share"] + 1e-12).all()
        assert ((pairs["bcs"] - pairs["cs1"] - pairs["cs2"]).abs() < 1e-12).all()
    # a Share's variance, the sum of its squared parts, lies between Share²/Count and the Share;
    # two cities' covariance is at most the geometric mean of their variances (Cauchy-Schwarz)
    assert (share["sum_f2"] <= share["share"] + 1e-12).all()
    assert (share["sum_f2"] >= share["share"] ** 2 / share["count"] - 1e-12).all()
    cov = (
        r["covariance"]
        .merge(
            share.rename(columns={"entity": "entity_a", "sum_f2": "va"}),
            on=KEYS["covariance"][:3] + ["entity_a"],
        )
        .merge(
            share.rename(columns={"entity": "entity_b", "sum_f2": "vb"})[
                ["level", "year", "subject", "entity_b", "vb"]
            ],
            on=KEYS["covariance"][:3] + ["entity_b"],
        )
    )
    assert ((cov["sum_fafb"] > 0) & (cov["sum_fafb"] ** 2 <= cov["va"] * cov["vb"] + 1e-12)).all()
    # in the latest year the adjusted Share is the Share
    latest = share["year"].max()
    adj = r["adjusted"].merge(share, on=KEYS["share"])
    now = adj[adj["year"] == latest]
    assert ((now["adjusted_share"] - now["share"]).abs() < 1e-12).all()


def check_that_pair_scores_swap_when_the_names_swap_order(records, result):
    names = sorted(c for c, _ in CITIES)
    reverse = dict(zip(names, names[::-1]))  # a relabelling that reverses the order of the ids
    relabelled = metrics.Records(
        records.articles,
        records.authorships,
        records.affiliations.assign(city_id=records.affiliations["city_id"].map(reverse)),
    )
    before = metrics.pair_view(result)
    after = metrics.pair_view(metrics.compute(relabelled))
    assert len(before) == len(after)
    swapped = after.assign(
        entity_a=after["entity_b"].astype(str).map(reverse),
        entity_b=after["entity_a"].astype(str).map(reverse),
        cs1=after["cs2"],
        cs2=after["cs1"],
    )
    keys = ["year", "entity_a", "entity_b"]
    x = before.astype({"entity_a": str, "entity_b": str}).sort_values(keys).reset_index(drop=True)
    y = swapped.sort_values(keys).reset_index(drop=True)[x.columns]
    pd.testing.assert_frame_equal(x, y, check_exact=False, rtol=1e-12)


def check_that_row_order_does_not_matter(records, result, rnd):
    shuffled = metrics.Records(
        records.articles.sample(frac=1, random_state=rnd.randint(0, 999)),
        records.authorships.sample(frac=1, random_state=rnd.randint(0, 999)),
        records.affiliations.sample(frac=1, random_state=rnd.randint(0, 999)),
    )
    again = metrics.compute(shuffled)
    for name, keys in KEYS.items():
        pd.testing.assert_frame_equal(
            sorted_frame(result[name], keys),
            sorted_frame(again[name], keys),
            check_exact=False,
            rtol=1e-12,
        )


def check_agreement_with_the_pandas_reference(records, ours):
    ref = reference_metrics.compute(records.articles, records.authorships, records.affiliations)
    for name, keys in KEYS.items():
        x, y = sorted_frame(ours[name], keys), sorted_frame(ref[name], keys)
        assert len(x) == len(y), name
        for column in x.columns:
            if column in keys:
                same = x[column].astype(str).tolist() == y[column].astype(str).tolist()
                assert same, (name, column)
            else:
                close = (x[column].astype(float) - y[column].astype(float)).abs() < 1e-9
                assert close.all(), (name, column)


# ---- bad records --------------------------------------------------------------------------------


def broken(change):
    r = metrics.example_multi_affiliation()
    change(r)
    return r


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda r: setattr(
                r, "articles", pd.concat([r.articles, r.articles.assign(article_id="B2")])
            ),
            "articles without authors: B2",
        ),
        (
            lambda r: setattr(
                r,
                "authorships",
                pd.concat(
                    [r.authorships, r.authorships.iloc[[0]].assign(affiliation_id="nowhere")]
                ),
            ),
            "unknown affiliation: nowhere",
        ),
        (
            lambda r: setattr(
                r, "authorships", pd.concat([r.authorships, r.authorships.iloc[[0]]])
            ),
            "duplicated authorship rows",
        ),
        (
            lambda r: setattr(
                r, "authorships", pd.concat([r.authorships, r.authorships.iloc[[3]]])
            ),  # the author with two affiliations
            "duplicated authorship rows (article_id, author_position, affiliation_id): B1/3/hku",
        ),
        (
            lambda r: setattr(
                r,
                "authorships",
                pd.concat([r.authorships, r.authorships.iloc[[0]].assign(article_id="B9")]),
            ),
            "authorships of unknown articles: B9",
        ),
        (
            lambda r: setattr(r, "articles", pd.concat([r.articles, r.articles])),
            "duplicated article ids: B1",
        ),
        (
            lambda r: setattr(
                r, "affiliations", pd.concat([r.affiliations, r.affiliations.iloc[[1]]])
            ),
            "duplicated affiliation ids: tsinghua",
        ),
        (
            lambda r: setattr(
                r,
                "affiliations",
                r.affiliations.assign(city_id=[None, "beijing", "hong-kong", "shanghai"]),
            ),
            "affiliations without a city or country: pku",
        ),
        (
            lambda r: setattr(r, "articles", r.articles.assign(subjects="alchemy")),
            "unknown subjects: alchemy",
        ),
    ],
)
def test_bad_records_are_refused_with_their_ids(change, message):
    with pytest.raises(metrics.RecordError) as info:
        metrics.compute(
            broken(change),
            known_subjects={
                "chemistry",
                "physical-sciences",
                "earth-environmental-sciences",
                "biological-sciences",
            },
        )
    assert message in str(info.value)


def test_the_documented_example_records_read_and_compute():
    """data/examples/records holds the methods chapter's example in the documented schema."""
    from analysis.paths import DATA

    records = metrics.read_records(DATA / "examples" / "records")
    city = metrics.city_view(metrics.compute(records)).set_index("entity")["share"]
    assert city.to_dict() == pytest.approx({"beijing": 0.5, "hong-kong": 0.1, "shanghai": 0.4})


def test_the_same_records_give_the_same_numbers_to_the_last_bit():
    """DuckDB adds in parallel, in whatever order its threads finish; floating-point sums then
    differ in the last bits from run to run, enough to flip a rounded digit in the files `build`
    writes. The engine sums fixed-point integers instead, so the results are identical (this failed
    with doubles)."""
    from analysis.records import simulate

    records = simulate.simulate(simulate.make_world(5), [2022], 30_000, 5)
    first, second = metrics.compute(records), metrics.compute(records)
    for name in ("share", "adjusted", "pairs", "covariance"):
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)


def test_sums_beyond_64_bits_stay_exact(monkeypatch):
    """Every sum over articles is a 128-bit integer: with parts of 1e18 units, 20 articles sum to
    2e19, past the 64-bit range (9.2e18), and the Shares and scores still come out exact. (At the
    real unit, 1e-13, 64 bits would stop at 922,337 articles in one subject combination.)"""
    monkeypatch.setattr(metrics, "UNIT", 10**18)
    ids = [f"A{i}" for i in range(20)]
    records = metrics.Records(
        pd.DataFrame({"article_id": ids, "year": 2022, "journal": "J", "subjects": "chemistry"}),
        pd.DataFrame(
            {
                "article_id": ids * 2,
                "author_position": [1] * 20 + [2] * 20,
                "affiliation_id": ["pku"] * 20 + ["fudan"] * 20,
            }
        ),
        pd.DataFrame(
            {
                "affiliation_id": ["pku", "fudan"],
                "institution_id": ["pku", "fudan"],
                "city_id": ["beijing", "shanghai"],
                "country": ["CN", "CN"],
            }
        ),
    )
    result = metrics.compute(records)
    assert metrics.city_view(result).set_index("entity")["share"].to_dict() == {
        "beijing": 10.0,
        "shanghai": 10.0,
    }
    (pair,) = metrics.pair_view(result).itertuples()
    assert (pair.cs1, pair.cs2, pair.bcs, pair.count) == (10.0, 10.0, 20.0, 20)


def test_parquet_records_read_as_they_go_and_a_memory_budget_give_the_same_numbers(tmp_path):
    """Records on disk as Parquet (how a large set is read: DuckDB streams them, pandas never holds
    them) and a small DuckDB memory limit with a spill folder change nothing in the results."""
    import duckdb

    from analysis.records import simulate

    records = simulate.simulate(simulate.make_world(6), [2021, 2022], 2_000, 6)
    con = duckdb.connect()
    for name in ("articles", "authorships", "affiliations"):
        con.register("frame", getattr(records, name))
        con.execute(f"COPY frame TO '{tmp_path / f'{name}.parquet'}' (FORMAT parquet)")
    on_disk = metrics.read_records(tmp_path)
    assert isinstance(on_disk.authorships, type(tmp_path)) and isinstance(
        on_disk.affiliations, pd.DataFrame
    )
    assert (
        on_disk.rows("authorships") == len(records.authorships)
        and on_disk.rows("articles") == 4_000
    )
    budget = metrics.MemoryBudget(256, tmp_path / "spill")
    expected, got = metrics.compute(records), metrics.compute(on_disk, memory=budget)
    for name in ("share", "adjusted", "totals", "pairs", "covariance"):
        pd.testing.assert_frame_equal(expected[name], got[name], check_exact=True)


def test_covariances_are_kept_for_the_leading_cities_only():
    result = metrics.compute(metrics.example_multi_affiliation(), leading=2)
    cov = result["covariance"].query("subject == 'overall'")
    assert [tuple(map(str, pair)) for pair in zip(cov["entity_a"], cov["entity_b"])] == [
        ("beijing", "shanghai")
    ]
    ref = reference_metrics.compute(
        *(
            getattr(metrics.example_multi_affiliation(), name)
            for name in ("articles", "authorships", "affiliations")
        ),
        leading=2,
    )["covariance"]
    assert len(ref.query("subject == 'overall'")) == 1
