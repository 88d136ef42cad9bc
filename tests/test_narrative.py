"""The sentences the prose glues read right for any data: zero, one, many, and ties named as ties,
in English and in Chinese."""

import pandas as pd
import pytest

from analysis import narrative


def cities(*rows):
    return pd.DataFrame(rows, columns=["city", "country"])


@pytest.mark.parametrize(
    "rows, en, zh",
    [
        ([("A", "China"), ("B", "China")], "All 2 are in China.", "全部2个城市都位于China。"),
        (
            [("A", "China"), ("B", "China"), ("C", "Japan")],
            "2 of the 3 are in China, including 2 of the first ten; the one elsewhere is C.",
            "3个城市中有2个位于China，其中前十名占2个；另有1个城市位于其他国家：C。",
        ),
        (
            [("A", "China"), ("B", "China"), ("C", "China"), ("D", "Japan"), ("E", "France")],
            "3 of the 5 are in China, including 3 of the first ten; "
            "the 2 from elsewhere are D and E.",
            "5个城市中有3个位于China，其中前十名占3个；其余2个城市位于其他国家：D、E。",
        ),
    ],
)
def test_cities_outside_the_main_country(rows, en, zh):
    table = cities(*rows)
    assert narrative.elsewhere_sentence(table, "en") == en
    assert narrative.elsewhere_sentence(table, "zh") == zh


def test_the_country_majority_names_a_tie_as_a_tie():
    table = cities(("A", "China"), ("B", "USA"), ("C", "China"), ("D", "USA"), ("E", "Japan"))
    assert (
        narrative.country_majority_sentence(table, 4, "en")
        == "Of the first 4 cities, China and USA have 2 each."
    )
    assert narrative.country_majority_sentence(table, 5, "zh") == "前5名中China、USA各有2个城市。"
    assert (
        narrative.country_majority_sentence(table.head(1), 10, "en")
        == "All of the first 1 cities are in China."
    )


def pairs(*rows):
    return pd.DataFrame(rows, columns=["a", "b"])


def test_one_hub_a_tie_and_no_hub():
    one = pairs(("X", "Y"), ("X", "Z"), ("Y", "Z"))
    assert narrative.hub_sentence(one.head(2), "a", "b") == "X takes part in all 2 pairs."
    tie = pairs(("X", "Y"), ("X", "Z"), ("Y", "W"), ("V", "U"))
    assert narrative.hub_sentence(tie, "a", "b") == "X and Y each take part in 2 of the 4 pairs."
    assert narrative.hub_sentence(tie, "a", "b", "zh") == "X、Y各参与了4组合作中的2组。"
    hub = pairs(("X", "Y"), ("X", "Z"), ("Q", "R"))
    assert (
        narrative.hub_sentence(hub, "a", "b")
        == "X takes part in 2 of the 3 pairs; the others are Q–R."
    )
    assert (
        narrative.hub_sentence(pairs(("A", "B"), ("C", "D")), "a", "b")
        == "No partner appears in more than one pair."
    )


def test_the_strongest_three_pairs_in_words():
    assert (
        narrative.top_pairs_hub_sentence(pairs(("P", "Q"), ("P", "R"), ("P", "S")), "a", "b")
        == "P takes part in all three of the strongest pairs."
    )
    assert (
        narrative.top_pairs_hub_sentence(pairs(("P", "Q"), ("P", "R"), ("S", "T")), "a", "b")
        == "P takes part in two of the three strongest pairs."
    )
    assert (
        narrative.top_pairs_hub_sentence(pairs(("P", "Q"), ("P", "R"), ("Q", "R")), "a", "b", "zh")
        == "P、Q、R各参与了前三组合作中的两组。"
    )
    assert (
        narrative.top_pairs_hub_sentence(pairs(("P", "Q"), ("R", "S"), ("T", "U")), "a", "b")
        == "No institution is in more than one of the three strongest pairs."
    )


def test_newcomers_none_one_many():
    rh = pd.DataFrame({"city": ["A", "B", "C"], "r2021": [1, 11, 12], "r2022": [1, 2, 3]})
    assert narrative.newcomers_sentence(rh, 2022) == "B and C are new to the leading 10 this year."
    assert (
        narrative.newcomers_sentence(rh.head(2), 2022) == "B is new to the leading 10 this year."
    )
    assert (
        narrative.newcomers_sentence(rh.head(1), 2022)
        == "No city is new to the leading 10 this year."
    )
    assert (
        narrative.newcomers_sentence(rh.head(1), 2022, lang="zh") == "今年没有新进入前10的城市。"
    )


def test_the_rounding_sentence_names_a_difference_beyond_the_last_digit(tmp_path):
    printed = tmp_path / "risers-x.csv"
    printed.write_text("rank,city,change_pct\n1,A,10.01\n2,B,109.03\n", encoding="utf-8")
    table = pd.DataFrame({"rank": [1, 2], "city": ["A", "B"], "change_pct": [10.0149, 109.1402]})
    sentence = narrative.rounding_sentence(table, printed, {"change_pct": "% change"})
    assert sentence.startswith(
        "For B (rank 2) the recomputed % change, 109.14, differs from the printed 109.03"
    )
    assert "audit row en:risers-x:2:change_pct" in sentence
    within = table.assign(change_pct=[10.0149, 109.0351])
    assert "by one in the last digit" in narrative.rounding_sentence(
        within, printed, {"change_pct": "% change"}
    )
    assert narrative.rounding_sentence(table, tmp_path / "none.csv", {"change_pct": "x"}) == ""
