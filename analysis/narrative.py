"""The numbers and names the book's prose quotes, computed from the tables.

Each `*_facts` function is pure and returns {key: value} with plain Python values; `glue_facts`
hands them to myst-nb so that pages quote them with {glue:text}. Nothing here is typed in by hand:
a new data year changes the prose with the data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from myst_nb import glue

from analysis import pages, tables
from analysis.data import YearData, ledger_dir
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
    for key, value in facts.items():
        glue(key, _plain(value), display=False)


# ---- sentences that must read right for any data: zero, one, many, ties -------------------------

_EN_NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_ZH_NUMBERS = ["零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十"]


def number_words(n: int, lang: str = "en") -> str:
    """Small counts in words (as a publication writes them), larger ones in digits."""
    words = _ZH_NUMBERS if lang == "zh" else _EN_NUMBERS
    return words[n] if 0 <= n < len(words) else f"{n:,}"


def _leaders(counts: pd.Series) -> list[str]:
    """Every name that ties for the largest count (in the order of the table)."""
    return [name for name, n in counts.items() if n == counts.max()]


def country_majority_sentence(table: pd.DataFrame, top: int, lang: str = "en") -> str:
    """How the first `top` rows of a ranked table divide between countries, ties named as ties."""
    counts = table.head(top)["country"].value_counts(sort=False)
    leaders, most = _leaders(counts), int(counts.max())
    n = min(top, len(table))
    if lang == "zh":
        if len(counts) == 1:
            return f"前{n}名全部位于{leaders[0]}。"
        if len(leaders) == 1:
            return f"前{n}名中有{most}个城市位于{leaders[0]}。"
        return f"前{n}名中{join_names(leaders, lang)}各有{most}个城市。"
    if len(counts) == 1:
        return f"All of the first {n} cities are in {leaders[0]}."
    if len(leaders) == 1:
        return f"Of the first {n} cities, {most} are in {leaders[0]}."
    return f"Of the first {n} cities, {join_names(leaders)} have {most} each."


def elsewhere_sentence(table: pd.DataFrame, lang: str = "en") -> str:
    """Which cities of a table are outside its main country: none, one, or several."""
    counts = table["country"].value_counts(sort=False)
    main = _leaders(counts)[0]
    inside, outside = int(counts[main]), table[table["country"] != main]
    top10 = int((table.head(10)["country"] == main).sum())
    n = len(table)
    if lang == "zh":
        if outside.empty:
            return f"全部{n}个城市都位于{main}。"
        first = f"{n}个城市中有{inside}个位于{main}，其中前十名占{top10}个；"
        if len(outside) == 1:
            return first + f"另有1个城市位于其他国家：{outside.iloc[0]['city']}。"
        return (
            first + f"其余{len(outside)}个城市位于其他国家：{join_names(outside['city'], lang)}。"
        )
    if outside.empty:
        return f"All {n} are in {main}."
    ten = "all of the first ten" if top10 == min(10, n) else f"{top10} of the first ten"
    first = f"{inside} of the {n} are in {main}, including {ten}; "
    if len(outside) == 1:
        return first + f"the one elsewhere is {outside.iloc[0]['city']}."
    return first + f"the {len(outside)} from elsewhere are {join_names(outside['city'])}."


def hub_sentence(table: pd.DataFrame, a: str, b: str, lang: str = "en") -> str:
    """Which partner takes part in the most pairs of the table: one hub (and the pairs without it),
    a tie (named as a tie), or none when every partner appears once."""
    appearances = pd.concat([table[a], table[b]]).value_counts(sort=False)
    hubs, most, n = _leaders(appearances), int(appearances.max()), len(table)
    if most == 1:
        return (
            "各组合作的成员互不重复。"
            if lang == "zh"
            else "No partner appears in more than one pair."
        )
    if len(hubs) > 1:
        if lang == "zh":
            return f"{join_names(hubs, lang)}各参与了{n}组合作中的{most}组。"
        return f"{join_names(hubs)} each take part in {most} of the {n} pairs."
    hub = hubs[0]
    rest = table[(table[a] != hub) & (table[b] != hub)]
    pairs = join_names([f"{x}–{y}" for x, y in zip(rest[a], rest[b])], lang)
    if lang == "zh":
        if rest.empty:
            return f"全部{n}组合作都涉及{hub}。"
        return f"{n}组合作中有{most}组涉及{hub}；其余为：{pairs}。"
    if rest.empty:
        return f"{hub} takes part in all {n} pairs."
    return f"{hub} takes part in {most} of the {n} pairs; the others are {pairs}."


def top_pairs_hub_sentence(
    table: pd.DataFrame, a: str, b: str, lang: str = "en", top: int = 3
) -> str:
    """Who appears most often among the strongest `top` pairs, in words ("all three", "two of")."""
    head = table.head(top)
    appearances = pd.concat([head[a], head[b]]).value_counts(sort=False)
    hubs, most, n = _leaders(appearances), int(appearances.max()), len(head)
    if most == 1:
        return (
            f"前{number_words(n, lang)}组合作没有共同的机构。"
            if lang == "zh"
            else f"No institution is in more than one of the {number_words(n)} strongest pairs."
        )
    if lang == "zh":
        share = f"前{number_words(n, lang)}组合作" + (
            "都涉及" if most == n else f"中有{number_words(most, lang)}组涉及"
        )
        if len(hubs) > 1:
            names, k = join_names(hubs, lang), number_words(most, lang)
            return f"{names}各参与了前{number_words(n, lang)}组合作中的{k}组。"
        return f"{share}{hubs[0]}。"
    part = (
        f"all {number_words(n)} of the"
        if most == n
        else f"{number_words(most)} of the {number_words(n)}"
    )
    if len(hubs) > 1:
        return f"{join_names(hubs)} each take part in {part} strongest pairs."
    return f"{hubs[0]} takes part in {part} strongest pairs."


def newcomers_sentence(rh: pd.DataFrame, year: int, top: int = 10, lang: str = "en") -> str:
    r = tables.rank_column
    new = rh[(rh[r(year)] <= top) & (rh[r(year - 1)] > top)]["city"]
    if lang == "zh":
        return (
            f"今年没有新进入前{top}的城市。"
            if new.empty
            else f"今年新进入前{top}的是：{join_names(new, lang)}。"
        )
    if new.empty:
        return f"No city is new to the leading {top} this year."
    verb = "is" if len(new) == 1 else "are"
    return f"{join_names(new)} {verb} new to the leading {top} this year."


def _named_extreme(rh: pd.DataFrame, column: str, largest: bool, lang: str) -> tuple[str, int]:
    """The city (or the tied cities, joined) with the largest or smallest value of a column."""
    value = rh[column].max() if largest else rh[column].min()
    return join_names(rh[rh[column] == value]["city"], lang), int(value)


def rounding_facts(page: pages.Page, data: YearData, columns: list[str]) -> dict:
    """{"rounding_sentence": ...} for a page whose table the supplement printed (see
    rounding_sentence); the printed table is the ledger's table of the page's CSV name."""
    printed = ledger_dir(data.year, data.data_dir) / f"{page.kind.csv_stem(page.instance)}.csv"
    names = {c: pages.header(c, page.lang, data.year) for c in columns}
    return {"rounding_sentence": rounding_sentence(page.table, printed, names, page.lang)}


def rounding_sentence(
    table: pd.DataFrame, printed_csv: Path, columns: dict[str, str], lang: str = "en"
) -> str:
    """How far the page's recomputed figures are from the printed ones, in one sentence. Within the
    last printed digit: say that rounding explains it. Further (a percentage over a small Share
    magnifies the rounding of its inputs): name the largest case, its audit row and the reason.
    `columns`: derived column -> its name in the page's language; rows are matched by rank."""
    if not printed_csv.is_file():
        return ""
    printed = pd.read_csv(printed_csv, dtype=str, keep_default_na=False).set_index("rank")
    worst = None
    for column in columns:
        for rank, text in printed[column].items():
            number = text.replace(",", "")
            ours = table.loc[table["rank"] == int(rank), column]
            if ours.empty or not number.replace(".", "").lstrip("-").isdigit():
                continue
            decimals = len(number.split(".")[1]) if "." in number else 0
            units = abs(float(ours.iloc[0]) - float(number)) * 10**decimals
            if worst is None or units > worst[0]:
                worst = (units, column, int(rank), text, float(ours.iloc[0]), decimals)
    if worst is None or worst[0] <= 1 + 1e-9:
        if lang == "zh":
            return "由于输入值只印到小数点后两位，重新计算的数值与印刷值最多在最后一位上相差1。"
        return (
            "The inputs are printed with two decimals, so a recomputed figure can differ from "
            "the printed one by one in the last digit."
        )
    _, column, rank, text, ours, decimals = worst
    row = table.loc[table["rank"] == rank].iloc[0]
    name = row["city"] if "city" in row else f"{row['city1']}–{row['city2']}"
    audit_row = f"{lang}:{printed_csv.stem}:{rank}:{column}"
    value = f"{ours:,.{decimals}f}"
    if lang == "zh":
        return (
            f"第{rank}名（{name}）重新计算的{columns[column]}为{value}，与印刷值{text}相差超过"
            "最后一位：其输入值只印到小数点后两位，而在较小的贡献份额上，这一舍入误差会使百分比"
            f"明显变动（见复现核查中的 {audit_row}；印刷值仍在输入值允许的范围内）。"
        )
    return (
        f"For {name} (rank {rank}) the recomputed {columns[column]}, {value}, differs from the "
        f"printed {text} by more than the last digit: its inputs are printed with two decimals, "
        "and over a small Share that rounding moves a percentage visibly (audit row "
        f"{audit_row}; the printed figure is within the range the inputs allow)."
    )


# ---- the facts of each page, from the table the page shows -------------------------------------


def leading_facts(lead: pd.DataFrame, data: YearData, lang: str = "en", top: int = 10) -> dict:
    """`lead`: tables.leading_cities(data, lang=lang), the table the page shows."""
    first, second = lead.iloc[0], lead.iloc[1]
    top_n = lead.head(top)
    facts = {
        "year": data.year,
        "n_leading": len(lead),
        "top_city": first["city"],
        "top_share": float(first["share"]),
        "top_count": int(first["count"]),
        "top_country": first["country"],
        "second_city": second["city"],
        "second_share": float(second["share"]),
        "top_n": top,
        "top_n_countries_sentence": country_majority_sentence(lead, top, lang),
        "top_n_total_share": float(top_n["share"].sum()),
    }
    pct = lead["location_share_pct"]
    if pct.notna().any():  # a year with country Shares or printed percentages
        concentrated = lead.loc[pct.idxmax()]
        facts |= {
            "top_pct_of_country": float(first["location_share_pct"]),
            "n_pct_computed": int((lead["location_share_source"] == "computed").sum()),
            "n_pct_printed": int((lead["location_share_source"] == "printed input").sum()),
            "most_concentrated_city": concentrated["city"],
            "most_concentrated_pct": float(concentrated["location_share_pct"]),
            "most_concentrated_country": concentrated["country"],
            "country_share_note": country_share_note(data, lang),
        }
    return facts


def country_share_note(data: YearData, lang: str = "en") -> str:
    """One sentence naming where the country totals come from (they are not in the supplement);
    empty when the year has none."""
    if not data.has("country_share"):
        return ""
    shares = data["country_share"]
    names = tables.localized_names(data.reference["countries"], "country_id", lang)
    colon = "：" if lang == "zh" else ": "
    parts = [
        f"{join_names([names[c] for c in group['country_id']], lang)}{colon}{source}"
        for source, group in shares[shares["subject_id"] == "overall"].groupby("source", sort=True)
    ]
    if not parts:
        return ""
    if lang == "zh":
        return f"这些国家总量并非印在增刊中，出处为：{'；'.join(parts)}。"
    sources = "; ".join(parts)
    return f"Those country totals are not printed in the supplement; they come from {sources}."


def rank_history_facts(rh: pd.DataFrame, year: int, lang: str = "en", top: int = 10) -> dict:
    """`rh`: tables.rank_history(data, lang=lang), the table the page shows."""
    change = next(c for c in rh.columns if c.startswith("change_"))  # since two years before
    prev, r = year - 1, tables.rank_column
    first_year = min(y for y in map(tables.rank_year, rh.columns) if y is not None)
    climber, climb = _named_extreme(rh, change, largest=True, lang=lang)
    faller, fall = _named_extreme(rh, change, largest=False, lang=lang)
    ascent = rh[r(first_year)] - rh[r(year)]
    longest = rh.loc[ascent.idxmax()]
    country = rh.iloc[0]["country"]
    return {
        "first_year": first_year,
        "n_cities": len(rh),
        "top_city": rh.iloc[0]["city"],
        "climber": climber,
        "climber_places": climb,
        "faller": faller,
        "faller_places": -fall,
        "newcomers_sentence": newcomers_sentence(rh, year, top, lang),
        "longest_climb_city": longest["city"],
        "longest_climb_from": int(longest[r(first_year)]),
        "longest_climb_to": int(longest[r(year)]),
        "top_n_in_prev_from_country": int(
            ((rh[r(prev)] <= top) & (rh["country"] == country)).sum()
        ),
        "top_n_now_from_country": int(((rh[r(year)] <= top) & (rh["country"] == country)).sum()),
        "top_country": country,
    }


def risers_facts(table: pd.DataFrame, lang: str = "en") -> dict:
    """`table`: tables.risers(data, subject, lang=lang), the table the page shows."""
    if len(table) == 0:
        return {"n_risers": 0}
    first, second = table.iloc[0], table.iloc[1]
    fastest_pct = table.loc[table["change_pct"].idxmax()]
    return {
        "n_risers": len(table),
        "top_city": first["city"],
        "top_change": float(first["change"]),
        "top_change_pct": float(first["change_pct"]),
        "second_city": second["city"],
        "second_change": float(second["change"]),
        "countries_sentence": elsewhere_sentence(table, lang),
        "fastest_pct_city": fastest_pct["city"],
        "fastest_pct": float(fastest_pct["change_pct"]),
    }


def partnership_facts(table: pd.DataFrame, lang: str = "en") -> dict:
    """`table`: tables.city_partnerships(data, country, lang=lang), the table the page shows."""
    first = table.iloc[0]
    return {
        "n_pairs": len(table),
        "top_city1": first["city1"],
        "top_city2": first["city2"],
        "top_bcs": float(first["bcs"]),
        "top_count": int(first["count"]),
        "hub_sentence": hub_sentence(table, "city1", "city2", lang),
        "n_cities": len(pd.concat([table["city1"], table["city2"]]).unique()),
        "total_count": int(table["count"].sum()),
    }


def institution_facts(table: pd.DataFrame, lang: str = "en") -> dict:
    """`table`: tables.institution_partnerships(data, city, lang=lang), as the page shows it."""
    first = table.iloc[0]
    return {
        "n_pairs": len(table),
        "top_inst1": first["institution1"],
        "top_inst2": first["institution2"],
        "top_bcs": float(first["bcs"]),
        "top3_sentence": top_pairs_hub_sentence(table, "institution1", "institution2", lang),
        "n_institutions": len(pd.concat([table["institution1"], table["institution2"]]).unique()),
    }


def edition_change_facts(changes: pd.DataFrame, prev: int, year: int, lang: str = "en") -> dict:
    """`changes`: tables.edition_changes(data, previous, lang=lang), the table the page shows."""
    entered = list(changes.loc[changes["status"] == "entered", "city"])
    left = list(changes.loc[changes["status"] == "left", "city"])
    stayed = changes[changes["status"] == "stayed"]
    moves = (stayed["rank_prev"] - stayed["rank"]).astype(int)
    facts = {"prev_year": prev, "n_stayed": len(stayed)}
    if lang == "zh":
        came = (
            f"{len(entered)}个城市新进入领先名单（{join_names(entered, lang)}）"
            if entered
            else "没有城市新进入领先名单"
        )
        went = f"{len(left)}个城市退出（{join_names(left, lang)}）" if left else "没有城市退出"
        facts["turnover_sentence"] = f"与{prev}年相比，{came}，{went}。"
    else:

        def cities(names):
            return "one city" if len(names) == 1 else f"{len(names)} cities"

        came = (
            f"{cities(entered)} entered the leading group ({join_names(entered)})"
            if entered
            else "no city entered the leading group"
        )
        went = f"{cities(left)} left it ({join_names(left)})" if left else "none left it"
        facts["turnover_sentence"] = f"Compared with {prev}, {came} and {went}."
    if len(stayed) and moves.max() > 0:
        climbers = list(stayed.loc[moves == moves.max(), "city"])
        facts["climb_sentence"] = (
            f"{join_names(climbers, lang)}上升最多，前进{int(moves.max())}位。"
            if lang == "zh"
            else f"{join_names(climbers)} climbed furthest, {int(moves.max())} "
            f"place{'s' if moves.max() > 1 else ''}."
        )
    else:
        facts["climb_sentence"] = (
            "留在名单中的城市排名都没有上升。" if lang == "zh" else "No city that stayed moved up."
        )
    return facts


def methods_facts() -> dict:
    """The results of the worked examples in the methods chapter, computed by the records
    engine."""
    # Imported here, so that only the methods page depends on the records engine (see
    # tables.example_table).
    from analysis.records import metrics

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
