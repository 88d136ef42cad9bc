"""The numbers and names the book's prose quotes, computed from the tables.

Each `*_facts` function is pure and returns {key: value} with plain Python values; `glue_facts`
hands them to myst-nb so that pages quote them with {glue:text}. Nothing here is typed in by hand:
a new data year changes the prose with the data.
"""

from __future__ import annotations

import pandas as pd

from analysis import tables
from analysis.data import YearData
from analysis.words import join_names


class Words(str):
    """A string that glues without quotes (the text/plain form of a str is its repr)."""

    def __repr__(self) -> str:
        return str(self)


def _plain(value):
    if isinstance(value, str):
        return Words(value)
    if hasattr(value, "item"):  # numpy scalar -> Python number, so glue:text can format it
        value = value.item()
    return value


def glue_facts(facts: dict) -> None:
    from myst_nb import glue

    for key, value in facts.items():
        glue(key, _plain(value), display=False)


def leading_facts(data: YearData, lang: str = "en", top: int = 10) -> dict:
    lead = tables.leading_cities(data, lang=lang)
    first, second = lead.iloc[0], lead.iloc[1]
    top_n = lead.head(top)
    by_country = top_n["country"].value_counts()
    computed = lead[lead["location_share_source"] == "computed"]
    concentrated = lead.loc[lead["location_share_pct"].idxmax()]
    return {
        "year": data.year,
        "n_leading": len(lead),
        "top_city": first["city"],
        "top_share": float(first["share"]),
        "top_count": int(first["count"]),
        "top_pct_of_country": float(first["location_share_pct"]),
        "top_country": first["country"],
        "second_city": second["city"],
        "second_share": float(second["share"]),
        "top_n": top,
        "top_n_leading_country": by_country.index[0],
        "top_n_leading_country_cities": int(by_country.iloc[0]),
        "top_n_countries": len(by_country),
        "top_n_total_share": float(top_n["share"].sum()),
        "n_pct_computed": len(computed),
        "n_pct_printed": int((lead["location_share_source"] == "printed input").sum()),
        "most_concentrated_city": concentrated["city"],
        "most_concentrated_pct": float(concentrated["location_share_pct"]),
        "most_concentrated_country": concentrated["country"],
        "country_share_note": country_share_note(data, lang),
    }


def country_share_note(data: YearData, lang: str = "en") -> str:
    """One sentence naming where the country totals come from (they are not in the supplement);
    empty when the year has none."""
    if not data.has("country_share"):
        return ""
    shares = data["country_share"]
    names = data.reference["countries"].set_index("country_id")[f"name_{lang}"]
    colon = "：" if lang == "zh" else ": "
    parts = [
        f"{join_names([names[c] for c in group['country_id']], lang)}{colon}{source}"
        for source, group in shares[shares["subject_id"] == "overall"].groupby("source", sort=True)
    ]
    if not parts:
        return ""
    if lang == "zh":
        return f"这些国家总量并非印在增刊中，出处为：{'；'.join(parts)}。"
    return (
        "Those country totals are not printed in the supplement; "
        f"they come from {'; '.join(parts)}."
    )


def rank_history_facts(data: YearData, lang: str = "en", top: int = 10) -> dict:
    rh = tables.rank_history(data, lang=lang)
    year, prev = data.year, data.year - 1
    change = f"change_{year - 2}_{year}"
    climber = rh.loc[rh[change].idxmax()]
    faller = rh.loc[rh[change].idxmin()]
    first_year = min(y for y in map(tables.rank_year, rh.columns) if y is not None)
    r = tables.rank_column
    newcomers = rh[(rh[r(year)] <= top) & (rh[r(prev)] > top)]
    longest = rh.loc[(rh[r(first_year)] - rh[r(year)]).idxmax()]
    return {
        "first_year": first_year,
        "n_cities": len(rh),
        "top_city": rh.iloc[0]["city"],
        "climber": climber["city"],
        "climber_places": int(climber[change]),
        "faller": faller["city"],
        "faller_places": int(-faller[change]),
        "newcomers": join_names(newcomers["city"], lang)
        if len(newcomers)
        else ("none" if lang == "en" else "无"),
        "n_newcomers": len(newcomers),
        "longest_climb_city": longest["city"],
        "longest_climb_from": int(longest[r(first_year)]),
        "longest_climb_to": int(longest[r(year)]),
        "top_n_in_prev_from_country": int(
            ((rh[r(prev)] <= top) & (rh["country"] == rh.iloc[0]["country"])).sum()
        ),
        "top_n_now_from_country": int(
            ((rh[r(year)] <= top) & (rh["country"] == rh.iloc[0]["country"])).sum()
        ),
        "top_country": rh.iloc[0]["country"],
    }


def risers_facts(data: YearData, subject: str, lang: str = "en") -> dict:
    table = tables.risers(data, subject, lang=lang)
    if len(table) == 0:
        return {"n_risers": 0}
    first, second = table.iloc[0], table.iloc[1]
    by_country = table["country"].value_counts()
    fastest_pct = table.loc[table["change_pct"].idxmax()]
    outside = table[table["country"] != by_country.index[0]]
    return {
        "n_risers": len(table),
        "top_city": first["city"],
        "top_change": float(first["change"]),
        "top_change_pct": float(first["change_pct"]),
        "second_city": second["city"],
        "second_change": float(second["change"]),
        "main_country": by_country.index[0],
        "main_country_cities": int(by_country.iloc[0]),
        "n_outside": len(outside),
        "outside_cities": join_names(outside["city"], lang)
        if len(outside)
        else ("none" if lang == "en" else "无"),
        "fastest_pct_city": fastest_pct["city"],
        "fastest_pct": float(fastest_pct["change_pct"]),
        "top10_main_country": int((table.head(10)["country"] == by_country.index[0]).sum()),
    }


def partnership_facts(data: YearData, country: str, lang: str = "en") -> dict:
    table = tables.city_partnerships(data, country, lang=lang)
    first = table.iloc[0]
    appearances = pd.concat([table["city1"], table["city2"]]).value_counts()
    hub = appearances.index[0]
    without_hub = table[(table["city1"] != hub) & (table["city2"] != hub)]
    return {
        "n_pairs": len(table),
        "top_city1": first["city1"],
        "top_city2": first["city2"],
        "top_bcs": float(first["bcs"]),
        "top_count": int(first["count"]),
        "hub": hub,
        "hub_pairs": int(appearances.iloc[0]),
        "pairs_without_hub": join_names(
            [f"{a}–{b}" for a, b in zip(without_hub["city1"], without_hub["city2"])], lang
        ),
        "n_cities": len(appearances),
        "total_count": int(table["count"].sum()),
    }


def institution_facts(data: YearData, city: str, lang: str = "en") -> dict:
    table = tables.institution_partnerships(data, city, lang=lang)
    first = table.iloc[0]
    top3 = table.head(3)
    appearances = pd.concat([top3["institution1"], top3["institution2"]]).value_counts()
    return {
        "n_pairs": len(table),
        "top_inst1": first["institution1"],
        "top_inst2": first["institution2"],
        "top_bcs": float(first["bcs"]),
        "top3_hub": appearances.index[0],
        "top3_hub_pairs": int(appearances.iloc[0]),
        "n_institutions": len(pd.concat([table["institution1"], table["institution2"]]).unique()),
    }


def methods_facts() -> dict:
    """The results of the worked examples in the methods chapter, computed by analysis.metrics."""
    from analysis import metrics

    one = metrics.city_view(metrics.compute(metrics.example_supplement())).set_index("entity")[
        "share"
    ]
    multi = metrics.compute(metrics.example_multi_affiliation())
    shares = metrics.city_view(multi).set_index("entity")["share"]
    pairs = metrics.pair_view(multi).set_index(["entity_a", "entity_b"])
    two = metrics.compute(metrics.example_two_years())
    totals = two["totals"].query("subject == 'overall'").set_index("year")["articles"]
    return {
        "ex1_beijing": float(one["beijing"]),
        "ex1_other": float(one["boston-ma"]),
        "ex2_beijing": float(shares["beijing"]),
        "ex2_hong_kong": float(shares["hong-kong"]),
        "ex2_shanghai": float(shares["shanghai"]),
        "ex2_total": float(shares.sum()),
        "cs_beijing_shanghai": float(pairs.at[("beijing", "shanghai"), "cs1"]),
        "cs_shanghai_beijing": float(pairs.at[("beijing", "shanghai"), "cs2"]),
        "bcs_beijing_shanghai": float(pairs.at[("beijing", "shanghai"), "bcs"]),
        "bcs_beijing_hong_kong": float(pairs.at[("beijing", "hong-kong"), "bcs"]),
        "bcs_hong_kong_shanghai": float(pairs.at[("hong-kong", "shanghai"), "bcs"]),
        "articles_2021": int(totals[2021]),
        "articles_2022": int(totals[2022]),
    }


def audit_facts(card: dict) -> dict:
    errata = card["errata"]
    return {
        "audit_figures": card["figures"],
        "audit_reproduced": card["reproduced"],
        "audit_input": card["input"],
        "audit_not_checkable": card["not_checkable"],
        "audit_errata": len(errata),
        "audit_errata_distinct": len(
            {e["id"].split(":", 1)[-1].removeprefix("zh-") for e in errata}
        ),
    }
