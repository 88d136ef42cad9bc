"""The numbers and names the book's prose quotes, computed from the tables.

Each `*_facts` function is pure and returns {key: value} with plain Python values; `glue_facts`
hands them to myst-nb so that pages quote them with {glue:text}. Nothing here is typed in by hand:
a new data year changes the prose with the data.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from myst_nb import glue

from analysis import pages, tables, uncertainty
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


# ---- how sure the figures are (analysis/uncertainty.py) ----------------------------------------

_EN_ORDINALS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
]  # fmt: skip


_ZH_ORDINALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]  # (two: 二, not 两)


def ordinal(n: int, lang: str = "en") -> str:
    """A rank in words: "second", "12th"; in Chinese "第二", "第12"."""
    if lang == "zh":
        return f"第{_ZH_ORDINALS[n - 1] if 0 < n <= 10 else n}"
    if 0 < n <= len(_EN_ORDINALS):
        return _EN_ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_set_words(rank_set: uncertainty.RankSet, lang: str = "en") -> str:
    """A rank set in words: "first", "second or third", "fourth to sixth", "18th or lower"."""
    low, high = rank_set.low, rank_set.high
    if lang == "zh":
        if high is None:
            return f"{ordinal(low, lang)}名或更低"
        if high == low:
            return f"{ordinal(low, lang)}名"
        joiner = "或" if high == low + 1 else "至"
        return f"{ordinal(low, lang)}{joiner}{ordinal(high, lang)}名"
    if high is None:
        return f"{ordinal(low)} or lower"
    if high == low:
        return ordinal(low)
    return f"{ordinal(low)} {'or' if high == low + 1 else 'to'} {ordinal(high)}"


def _sets(table: pd.DataFrame) -> list[uncertainty.RankSet]:
    return [uncertainty.rank_set_of(row) for _, row in table.iterrows()]


def certain_sentence(names: list[str], sets: list[uncertainty.RankSet], lang: str = "en") -> str:
    """Which entries of a ranked table hold a single rank: all, some (named with it) or none."""
    single = [(name, s) for name, s in zip(names, sets) if s.is_single]
    n = len(names)
    if lang == "zh":
        if not single:
            return f"{n}个排名没有一个是确定的：每个排名区间都包含不止一个名次。"
        if len(single) == n:
            return f"全部{n}个排名都是确定的。"
        listed = join_names([f"{name}（{rank_set_words(s, lang)}）" for name, s in single], lang)
        return f"只有{listed}的名次是确定的。"
    if not single:
        return f"None of the {n} ranks is certain: every set holds more than one rank."
    if len(single) == n:
        return f"All {n} ranks are certain."
    listed = join_names([f"{name} ({rank_set_words(s)})" for name, s in single])
    only = "Only the rank of" if len(single) == 1 else "Only the ranks of"
    return f"{only} {listed} {'is' if len(single) == 1 else 'are'} certain."


def _both(names: list[str], lang: str) -> str:
    """Two names joined as a pair ("A and B", "A与B"), more as a list."""
    return (
        f"{names[0]}与{names[1]}" if lang == "zh" and len(names) == 2 else join_names(names, lang)
    )


def runs_sentence(
    names: list[str], sets: list[uncertainty.RankSet], lang: str = "en", unit: str = "个城市"
) -> str:
    """Which neighbours cannot be told apart: each run of ranks whose sets overlap one into the
    next, with the ranks its members could hold; or that every neighbour is told apart. `unit`:
    the Chinese measure word and noun of what is ranked ("个城市", "组合作")."""
    runs = [(a, b) for a, b in uncertainty.overlapping_runs(sets) if b > a]
    if not runs:
        return (
            "每一项都与相邻者明显分开：先后顺序是确定的。"
            if lang == "zh"
            else "Every entry is clearly apart from its neighbours: the order is settled."
        )
    parts = []
    for a, b in runs:
        members, member_sets = names[a : b + 1], sets[a : b + 1]
        same = all(s == member_sets[0] for s in member_sets)
        if lang == "zh":
            ranks = f"{ordinal(a + 1, lang)}至{ordinal(b + 1, lang)}名"
            if same:
                words = rank_set_words(member_sets[0], lang)
                parts.append(f"{_both(members, lang)}无法区分，都可能排在{words}")
            elif len(members) <= 4:
                parts.append(
                    f"{_both(members, lang)}（{ranks}）的先后无法确定："
                    "每个排名区间都与下一个相重叠"
                )
            else:
                parts.append(
                    f"从{members[0]}到{members[-1]}（{ranks}），排名区间一个接一个相互重叠，"
                    f"这{len(members)}{unit}之间的先后并不确定"
                )
        elif same:
            parts.append(
                f"{join_names(members)} cannot be told apart: each could be "
                f"{rank_set_words(member_sets[0])}"
            )
        elif len(members) <= 4:
            parts.append(
                f"{join_names(members)} (ranks {a + 1} to {b + 1}) cannot be put in a sure order: "
                "each one's set overlaps the next one's"
            )
        else:
            parts.append(
                f"from {members[0]} to {members[-1]} (ranks {a + 1} to {b + 1}) the sets overlap "
                f"one into the next, so the order of these {len(members)} is not settled"
            )
    if lang == "zh":
        return "；".join(parts) + "。"
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def open_sentence(names: list[str], sets: list[uncertainty.RankSet], lang: str = "en") -> str:
    """Which sets are open below, and why: those entries are not clearly above the list's last
    one, so an entry outside the list could pass them."""
    opened = [(name, s) for name, s in zip(names, sets) if s.is_open]
    if not opened:
        return ""
    listed = [f"{name}（{rank_set_words(s, lang)}）" for name, s in opened]
    if lang == "zh":
        return (
            f"{join_names(listed, lang)}的排名区间下端开放：它们并不明显高于表中最后一名，"
            "表外的城市也可能超过它们。"
        )
    listed = join_names([f"{name} ({rank_set_words(s)})" for name, s in opened])
    if len(opened) == 1:
        return (
            f"The set of {listed} is open below: it is not clearly above the last entry of the "
            "list, so an entry outside the list could pass it."
        )
    return (
        f"The sets of {listed} are open below: none of them is clearly above the last entry of "
        "the list, so an entry outside the list could pass them."
    )


def basis_sentence(basis: str, lang: str = "en") -> str:
    """Where the standard errors come from: exact (article records) or the published bounds."""
    if basis == uncertainty.EXACT:
        return (
            "本版数据附有论文记录算出的方差与协方差，因此这里的标准误与排名区间是精确的。"
            if lang == "zh"
            else "This edition's data carry the variances and covariances computed from its "
            "article records, so the standard errors and rank sets here are exact."
        )
    return (
        "已公布的只有贡献份额和论文数，因此每个标准误只能给出上下限；凡作判断之处（区间、排名区间）"
        "一律采用上限，结论偏于保守。"
        if lang == "zh"
        else "Only the Share and the Count are published, so each standard error is known only "
        "between two bounds; every decision here (the intervals, the rank sets) uses the upper "
        "bound, which errs on the side of caution."
    )


def se_sentence(row: pd.Series, lang: str = "en") -> str:
    """One city's standard error and 95 % interval, in words (a row of share_intervals)."""
    name, share, low, high, half = (
        row["city"],
        row["share"],
        row["se_low"],
        row["se_high"],
        row["half_width"],
    )
    if row["basis"] == uncertainty.EXACT:
        return (
            f"{name}的贡献份额为{share:,.2f}，其标准误为{high:,.2f}，95%区间为±{half:,.2f}。"
            if lang == "zh"
            else f"{name}'s Share of {share:,.2f} has a standard error of {high:,.2f}, so its 95% "
            f"interval is ± {half:,.2f}."
        )
    return (
        f"{name}的贡献份额为{share:,.2f}，其标准误介于{low:,.2f}与{high:,.2f}之间，"
        f"因此95%区间至多为±{half:,.2f}。"
        if lang == "zh"
        else f"{name}'s Share of {share:,.2f} has a standard error between {low:,.2f} and "
        f"{high:,.2f}, so its 95% interval is at most ± {half:,.2f}."
    )


def interval_facts(table: pd.DataFrame, lang: str = "en") -> dict:
    """`table`: uncertainty.share_intervals(data, lang=lang), the table the page shows."""
    names, sets = list(table["city"]), _sets(table)
    first = table.iloc[0]
    facts = {
        "level_pct": uncertainty.LEVEL * 100,
        "n_cities": len(table),
        "comparisons": max(len(table) - 1, 0),
        "top_city": first["city"],
        "top_share": float(first["share"]),
        "top_se_low": float(first["se_low"]),
        "top_se_high": float(first["se_high"]),
        "top_half_width": float(first["half_width"]),
        "top_se_sentence": se_sentence(first, lang),
        "n_certain": sum(s.is_single for s in sets),
        "n_open": sum(s.is_open for s in sets),
        "basis_sentence": basis_sentence(table["basis"].iloc[0], lang),
        "certain_sentence": certain_sentence(names, sets, lang),
        "runs_sentence": runs_sentence(names, sets, lang),
        "open_sentence": open_sentence(names, sets, lang),
    }
    return facts


def factor_sentence(factor: uncertainty.Factor | None, names: dict, lang: str = "en") -> str:
    """Where the adjustment factor of a change's bound comes from (riser_intervals' attrs)."""
    if factor is None:
        return (
            "这里的标准误依据两年的论文记录精确计算。"
            if lang == "zh"
            else "The standard errors here are exact, from the article records of both years."
        )
    if factor.source == "previous edition":
        city = names.get(factor.city_id, factor.city_id)
        return (
            f"上限所用的调整系数取自上一版数据：本版所列{city}的调整后贡献份额与上一版印出的"
            f"贡献份额之比，在四舍五入允许的范围内至多为{factor.value:.4f}。"
            if lang == "zh"
            else "The bound uses the adjustment factor read from the previous edition: "
            f"{city}'s adjusted Share here over its Share printed there, at most "
            f"{factor.value:.4f} within the rounding."
        )
    return (
        f"数据中没有调整系数，也没有上一年未经调整的贡献份额，因此上限假定该系数不超过"
        f"{factor.value:.2f}，即指数的论文总量一年内增长不超过"
        f"{factor.value - 1:.0%}（增刊称其年度变化很小）。"
        if lang == "zh"
        else "The data hold neither the adjustment factor nor the earlier year's own Shares, so "
        f"the bound assumes the factor is at most {factor.value:.2f}: that the index's article "
        f"total grew by no more than {factor.value - 1:.0%} in a year (the supplement calls the "
        "yearly variation small)."
    )


def riser_interval_facts(table: pd.DataFrame, data: YearData, lang: str = "en") -> dict:
    """`table`: uncertainty.riser_intervals(data, subject, lang=lang), of the year `data`."""
    names = tables.localized_names(data.reference["cities"], "city_id", lang).to_dict()
    n = len(table)
    clear = table[table["verdict"] != "within"]
    within = table[table["verdict"] == "within"]
    facts = {
        "n_changes": n,
        "n_clear": len(clear),
        "n_within": len(within),
        "factor_sentence": factor_sentence(table.attrs.get("factor"), names, lang),
    }
    if lang == "zh":
        if within.empty:
            sentence = f"全部{n}个变化都超出了各自的不确定范围（95%）。"
        elif clear.empty:
            sentence = f"{n}个变化没有一个超出其不确定范围（95%）：都可能只是论文抽样的偶然。"
        else:
            sentence = (
                f"{n}个变化中有{len(clear)}个超出了各自的不确定范围（95%）；其余{len(within)}个"
                f"（{join_names(within['city'], lang)}）仅凭论文的随机变动也可能出现。"
            )
    elif within.empty:
        sentence = f"All {n} changes exceed their uncertainty (95%)."
    elif clear.empty:
        sentence = (
            f"None of the {n} changes exceeds its uncertainty (95%): each could come from the "
            "draw of articles alone."
        )
    else:
        sentence = (
            f"{len(clear)} of the {n} changes exceed their uncertainty (95%); the other "
            f"{len(within)} ({join_names(within['city'])}) could come from the draw of articles "
            "alone."
        )
    facts["clear_sentence"] = sentence if n else ""
    facts["noise_sentence"] = ""
    if len(within):
        loudest = within.loc[within["change_pct"].idxmax()]
        pct, city = float(loudest["change_pct"]), loudest["city"]
        if pct > 0:
            facts["noise_sentence"] = (
                f"即使是{city}的{pct:.1f}%增幅，也仍在不确定范围之内：贡献份额较小时，较大的百分比"
                "变化也可能只是偶然。"
                if lang == "zh"
                else f"Even {city}'s rise of {pct:.1f}% lies within its uncertainty: on a small "
                "Share, a large percentage can be chance."
            )
    return facts


def pair_interval_facts(table: pd.DataFrame, lang: str = "en") -> dict:
    """`table`: uncertainty.pair_intervals(data, country, lang=lang)."""
    names = [f"{a}–{b}" for a, b in zip(table["city1"], table["city2"])]
    sets = _sets(table)
    return {
        "pair_certain_sentence": certain_sentence(names, sets, lang),
        "pair_runs_sentence": runs_sentence(names, sets, lang, unit="组合作"),
    }


def edition_move_facts(moves: pd.DataFrame, lang: str = "en") -> dict:
    """`moves`: uncertainty.edition_rank_moves(data, lang=lang)."""
    moved = moves[moves["move"].isin(["up", "down", "within"])]
    clear = moved[moved["move"] != "within"]
    n = len(moved)

    def how(row) -> str:
        if lang == "zh":
            verb = "上升" if row["move"] == "up" else "下降"
            return f"{row['city']}（从第{row['rank_prev']}名{verb}至第{row['rank']}名）"
        verb = "up" if row["move"] == "up" else "down"
        return f"{row['city']} ({verb} from {row['rank_prev']} to {row['rank']})"

    listed = join_names([how(row) for _, row in clear.iterrows()], lang)
    if lang == "zh":
        if n == 0:
            sentence = "留在领先名单中的城市名次都没有变化。"
        elif clear.empty:
            sentence = f"{n}个名次变化没有一个超出不确定范围：每个城市两年的排名区间都相互重叠。"
        else:
            sentence = (
                f"{n}个名次变化中，有{len(clear)}个超出了不确定范围（两年的排名区间互不重叠）："
                f"{listed}。"
            )
    elif n == 0:
        sentence = "No city that stayed in the leading group changed rank."
    elif clear.empty:
        sentence = (
            f"None of the {n} rank changes exceeds its uncertainty: for each city the rank sets "
            "of the two years overlap."
        )
    else:
        sentence = (
            f"{len(clear)} of the {n} rank changes exceed their uncertainty (the two years' rank "
            f"sets do not overlap): {listed}."
        )
    return {"n_moved": n, "n_clear_moves": len(clear), "moves_sentence": sentence}


def interval_example_facts(data: YearData, lang: str = "en") -> dict:
    """The methods chapter's worked example of the uncertainty: the first city of `data`'s leading
    table (the standard error bounds from its Share and Count), the critical values, and where the
    adjustment factor of `data`'s risers comes from."""
    table = uncertainty.share_intervals(data, lang=lang, top=pages.LEADING)
    first = table.iloc[0]
    low, high = uncertainty.share_se_bounds(float(first["share"]), int(first["count"]))
    names = tables.localized_names(data.reference["cities"], "city_id", lang).to_dict()
    subjects = tables.riser_subjects(data)
    factor = (
        uncertainty.adjustment_factor(data, subjects[0])
        if subjects and data.has("adjusted_share")
        else None
    )
    return {
        "ex_year": data.year,
        "ex_city": first["city"],
        "ex_share": float(first["share"]),
        "ex_count": int(first["count"]),
        "ex_se_low": low,
        "ex_se_high": high,
        "ex_half": uncertainty.half_width(high),
        "z_one": uncertainty.z_value(),
        "ex_n": len(table),
        "z_bonferroni": uncertainty.z_value(comparisons=len(table) - 1),
        "factor_bound": uncertainty.FACTOR_BOUND,
        "factor_widening_pct": (math.sqrt(uncertainty.FACTOR_BOUND) - 1) * 100,
        "ex_factor_sentence": factor_sentence(factor, names, lang) if factor else "",
    }
