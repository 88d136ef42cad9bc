"""The numbers and names the book's prose quotes, computed from the tables.

Each `*_facts` function is pure and returns {key: value} with plain Python values; `glue_facts`
hands them to myst-nb so that pages quote them with {glue:text}. Nothing here is typed in by hand:
a new data year changes the prose with the data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from myst_nb import glue

from analysis import pages, tables, uncertainty
from analysis.data import YearData, ledger_dir, read_text_figures
from analysis.i18n import ABBREVIATIONS, t
from analysis.words import in_prose, join_names, pair_name


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


def _largest_first(values: pd.Series) -> pd.Series:
    """How often each value occurs, the most frequent first, ties in the order they appear."""
    return values.value_counts(sort=False).sort_values(ascending=False, kind="stable")


def _in_countries(cities: pd.DataFrame, lang: str = "en") -> str:
    """How many of `cities` are in each country, largest first (ties in the table's order):
    "five in China, four in USA and one in Japan"; in Chinese "中国5个、美国4个和日本1个"."""
    counts = _largest_first(cities["country"])
    if lang == "zh":
        parts = [f"{country}{n}个" for country, n in counts.items()]
    else:
        parts = [f"{number_words(n)} in {in_prose(country)}" for country, n in counts.items()]
    return join_names(parts, lang)


def country_majority_sentence(table: pd.DataFrame, top: int, lang: str = "en") -> str:
    """Where the first `top` rows of a ranked table are: every country, with its number of cities
    (so that a tie reads as a tie and a country alone in its place is seen to be alone)."""
    head = table.head(top)
    n, countries = len(head), head["country"].nunique()
    if lang == "zh":
        if countries == 1:
            return f"前{n}名城市全部位于{head.iloc[0]['country']}。"
        return f"前{n}名城市分布在{countries}个国家/地区：{_in_countries(head, lang)}。"
    if countries == 1:
        where = in_prose(head.iloc[0]["country"])
        if n == 1:
            return f"The first city is in {where}."
        return f"All of the first {number_words(n)} cities are in {where}."
    return (
        f"The first {number_words(n)} cities are in {number_words(countries)} countries: "
        f"{_in_countries(head)}."
    )


def _named(cities: pd.DataFrame, table: pd.DataFrame, lang: str = "en") -> str:
    """The names of some rows of `table`, joined; a name that two cities of the table share
    (Birmingham, UK and USA) carries its country."""
    shared = table["city"].value_counts()
    names = [
        f"{c} ({country})" if shared.get(c, 0) > 1 and lang != "zh" else c
        for c, country in zip(cities["city"], cities["country"])
    ]
    return join_names(names, lang)


TOP_TEN = 10  # "the leading 10", "the first ten": the group the supplement's prose looks at


def elsewhere_sentence(table: pd.DataFrame, lang: str = "en") -> str:
    """Which cities of a table are outside its main country (the country with the most cities):
    how many of the first ten are inside it, the first ten outside it by country, then the rest
    from elsewhere. Zero, one or many of each."""
    counts = table["country"].value_counts(sort=False)
    main = _leaders(counts)[0]
    n, inside = len(table), int(counts[main])
    outside = table[table["country"] != main]
    head = table.head(TOP_TEN)
    head_out = head[head["country"] != main]
    head_in = len(head) - len(head_out)
    if n <= TOP_TEN:  # no "first ten" to speak of: every city elsewhere is simply elsewhere
        head_out = head_out.head(0)
    rest = outside[~outside.index.isin(head_out.index)]
    if lang == "zh":
        return _elsewhere_zh(n, inside, main, len(head), head_in, head_out, rest)
    if outside.empty:
        return f"All {n} are in {in_prose(main)}."
    sentences = [f"{number_words(inside)} of the {n} are in {in_prose(main)}"]
    if n > TOP_TEN:
        if head_in == len(head):
            sentences[0] += ", including all of the first ten"
        elif head_in == 0:
            sentences[0] += ", none of them among the first ten"
        else:
            sentences[0] += f", including {number_words(head_in)} of the first ten"
        if not head_out.empty:
            groups = [
                f"{number_words(len(g))} {'is' if len(g) == 1 else 'are'} in {in_prose(country)}: "
                f"{_named(g, table)}"
                for country, g in head_out.groupby("country", sort=False)
            ]
            sentences.append(f"Of the first ten, {'; '.join(groups)}")
    others = "" if head_out.empty else "other "
    if len(rest) == 1:
        sentences.append(f"The {others or 'one '}city elsewhere is {_named(rest, table)}")
    elif len(rest) > 1:
        listed = _named(rest, table)
        sentences.append(f"The {others}{number_words(len(rest))} cities elsewhere are {listed}")
    return ". ".join(s[0].upper() + s[1:] for s in sentences) + "."


def _elsewhere_zh(n, inside, main, n_head, head_in, head_out, rest) -> str:
    """elsewhere_sentence in Chinese (Chinese names need no country to tell two cities apart)."""
    if inside == n:
        return f"这{n}个城市全部位于{main}。"
    first = f"{n}个城市中有{inside}个位于{main}"
    if n > TOP_TEN:
        if head_in == n_head:
            first += "，前十名全部在内"
        elif head_in == 0:
            first += "，但没有一个进入前十名"
        else:
            first += f"，其中{head_in}个进入前十名"
    sentences = [first]
    if not head_out.empty:
        groups = [
            f"{len(g)}个位于{country}（{join_names(g['city'], 'zh')}）"
            for country, g in head_out.groupby("country", sort=False)
        ]
        sentences.append(f"前十名中另有{'，'.join(groups)}")
    if len(rest):
        names = join_names(rest["city"], "zh")
        if not head_out.empty:
            sentences.append(f"其余来自其他国家/地区的城市是{names}")
        elif len(rest) == 1:
            sentences.append(f"唯一来自其他国家/地区的城市是{names}")
        else:
            sentences.append(f"来自其他国家/地区的{len(rest)}个城市是{names}")
    return "。".join(sentences) + "。"


def hub_sentence(table: pd.DataFrame, a: str, b: str, lang: str = "en") -> str:
    """Which partner takes part in the most pairs of the table: one hub (and the pairs without it),
    a tie (named as a tie), or none when every partner appears once."""
    appearances = pd.concat([table[a], table[b]]).value_counts(sort=False)
    hubs, most, n = _leaders(appearances), int(appearances.max()), len(table)
    if most == 1:
        return (
            "没有哪个合作方参与一组以上的合作。"
            if lang == "zh"
            else "No partner appears in more than one pair."
        )
    if len(hubs) > 1:
        if lang == "zh":
            return f"{join_names(hubs, lang)}各参与了{n}组合作中的{most}组。"
        return f"{join_names(hubs)} each take part in {most} of the {n} pairs."
    hub = hubs[0]
    rest = table[(table[a] != hub) & (table[b] != hub)]
    named = [pair_name(x, y, lang) for x, y in zip(rest[a], rest[b])]
    # (in Chinese the pairs stand apart with 、 alone: "上海与南京和深圳与香港" reads as one list)
    pairs = "、".join(named) if lang == "zh" else join_names(named)
    if lang == "zh":
        if rest.empty:
            return f"全部{n}组合作都涉及{hub}。"
        return f"{n}组合作中有{most}组涉及{hub}，其余{len(rest)}组是{pairs}。"
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
            f"前{number_words(n, lang)}组合作中没有机构出现两次。"
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


def newcomers_sentence(rh: pd.DataFrame, year: int, top: int = TOP_TEN, lang: str = "en") -> str:
    r = tables.rank_column
    new = rh[(rh[r(year)] <= top) & (rh[r(year - 1)] > top)]["city"]
    if lang == "zh":
        return (
            f"今年没有城市新进入前{top}名。"
            if new.empty
            else f"今年新进入前{top}名的是{join_names(new, lang)}。"
        )
    if new.empty:
        return f"No city is new to the leading {top} this year."
    verb = "is" if len(new) == 1 else "are"
    return f"{join_names(new)} {verb} new to the leading {top} this year."


def _named_extreme(rh: pd.DataFrame, column: str, largest: bool, lang: str) -> tuple[str, int]:
    """The city (or the tied cities, joined) with the largest or smallest value of a column."""
    value = rh[column].max() if largest else rh[column].min()
    return join_names(rh[rh[column] == value]["city"], lang), int(value)


def _leading_rank_sets(data: YearData, lang: str) -> list[tuple[str, str, uncertainty.RankSet]]:
    """(city id, city, rank set) of each city of the leading table, in its order: the rank sets
    of the whole table, as the intervals page shows them (a set depends on every city it is
    compared with)."""
    table = uncertainty.share_intervals(data, lang=lang, top=pages.LEADING)
    return list(zip(table["city_id"], table["city"], _sets(table)))


def rank_move_facts(rh: pd.DataFrame, data: YearData, lang: str = "en") -> dict:
    """{"moves_caveat_sentence": ...}: the rank sets, this year, of the cities with the biggest
    climb and the steepest fall of the rank history (rank_history_facts), where a set holds more
    than one rank: a move of a few places may then lie within the uncertainty. Empty when both
    are settled, or for a year without Shares."""
    if not data.has("city_share"):
        return {"moves_caveat_sentence": ""}
    change = next(c for c in rh.columns if c.startswith("change_"))
    movers = rh[(rh[change] == rh[change].max()) | (rh[change] == rh[change].min())]
    sets = {city_id: rank_set for city_id, _, rank_set in _leading_rank_sets(data, lang)}
    loose = [
        (city, sets[city_id])
        for city, city_id in zip(movers["city"], movers["city_id"])
        if city_id in sets and not sets[city_id].is_single
    ]
    if not loose:
        return {"moves_caveat_sentence": ""}
    if lang == "zh":
        listed = "，".join(f"{city}可能排在{rank_set_words(s, lang)}" for city, s in loose)
        return {
            "moves_caveat_sentence": f"不过这些名次并不精确：考虑本年度贡献份额的误差范围"
            f"（95%），{listed}，因此几个名次的变化可能仍在不确定范围之内。"
        }
    listed = join_names([f"{city} could rank {rank_set_words(s)}" for city, s in loose])
    return {
        "moves_caveat_sentence": "Ranks are not exact to the place, though: within the margins "
        f"of this year's Shares (95%), {listed}, so a move of a few places may lie within the "
        "uncertainty."
    }


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
            return (
                "由于输入值只印到小数点后两位，本表重新计算的数值与印刷值最多在最后一位上相差1。"
            )
        return (
            "The inputs are printed with two decimals, so a recomputed figure in this table can "
            "differ from the printed one by one in the last digit, and none differs by more."
        )
    _, column, rank, text, ours, decimals = worst
    row = table.loc[table["rank"] == rank].iloc[0]
    name = row["city"] if "city" in row else pair_name(row["city1"], row["city2"], lang)
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


def abbreviations_sentence(
    texts: Iterable[str], lang: str = "en", explained: Iterable[str] = ()
) -> str:
    """What the abbreviations of i18n.ABBREVIATIONS that occur (as words) in `texts` stand for, in
    one sentence; those in `explained` are left out (the page's prose spells them out)."""
    texts, skip = list(texts), set(explained)
    found = [
        (abbreviation, meaning[lang])
        for abbreviation, meaning in ABBREVIATIONS.items()
        if abbreviation not in skip and any(re.search(rf"\b{abbreviation}\b", t) for t in texts)
    ]
    if not found:
        return ""
    if lang == "zh":
        return "，".join(f"{a}指{meaning}" for a, meaning in found) + "。"
    (a, meaning), rest = found[0], found[1:]
    return f"{a} stands for {join_names([meaning] + [f'{b} for {m}' for b, m in rest])}."


def abbreviation_facts(
    frames: Iterable[pd.DataFrame], lang: str = "en", explained: Iterable[str] = ()
) -> dict:
    """{"abbreviations_sentence": ...} for the abbreviations in the headers and cells of the
    tables a page shows."""
    texts = []
    for frame in frames:
        texts += [str(c) for c in frame.columns]
        texts += [v for v in frame.to_numpy().ravel() if isinstance(v, str)]
    return {"abbreviations_sentence": abbreviations_sentence(texts, lang, explained)}


def page_abbreviation_facts(page: pages.Page, explained: Iterable[str] = ()) -> dict:
    """abbreviation_facts for a page's table as it shows it (its headers, its cells)."""
    headers = {c: pages.header(c, page.lang, page.year) for c in page.columns}
    return abbreviation_facts([page.contract.rename(columns=headers)], page.lang, explained)


def unchecked_facts(page: pages.Page, data: YearData) -> dict:
    """{"unchecked_sentence": ...}: what the supplement's text says on this page's subject that the
    book cannot check, and why (unchecked_sentence); empty for a year without a ledger."""
    rows = read_text_figures(data.year, data.data_dir)
    return {
        "unchecked_sentence": unchecked_sentence(
            rows, page.kind.page_stem(page.instance), page.lang
        )
    }


def unchecked_sentence(rows: list[dict], page_stem: str, lang: str = "en") -> str:
    """The not-checkable figures and claims of the ledger (text-figures.csv) that belong to one
    page, in the edition of the page's language: each row's `statement`, its {id} placeholders
    filled with the printed figures of the same edition, and the reason it cannot be checked
    (`note`, `note_zh`)."""
    zh = lang == "zh"
    edition = [r for r in rows if r["edition"] == lang]
    printed = {
        r["id"].removeprefix(f"{lang}-"): "".join(r["printed"].split()) if zh else r["printed"]
        for r in edition
    }
    claims = [
        (r["statement"].format_map(printed), r["note_zh" if zh else "note"])
        for r in edition
        if r.get("page") == page_stem and r["rule"] == "not_checkable" and r.get("statement")
    ]
    if not claims:
        return ""
    if zh:
        if len(claims) == 1:
            return f"增刊还指出，{claims[0][0]}；本书无法核查这一点（{claims[0][1]}）。"
        listed = "；".join(f"{claim}（{why}）" for claim, why in claims)
        return f"增刊中还有{len(claims)}处说法本书无法核查：{listed}。"
    if len(claims) == 1:
        return (
            f"The supplement also states that {claims[0][0]}; the book cannot check this "
            f"({claims[0][1]})."
        )
    listed = [f"that {claim} ({why})" for claim, why in claims]
    return (
        f"The supplement makes {number_words(len(claims))} further statements that the book "
        f"cannot check: {'; '.join(listed[:-1])}; and {listed[-1]}."
    )


# ---- the facts of each page, from the table the page shows -------------------------------------


def leading_facts(
    lead: pd.DataFrame, data: YearData, lang: str = "en", top: int = TOP_TEN
) -> dict:
    """`lead`: tables.leading_cities(data, lang=lang), the table the page shows."""
    first, second = lead.iloc[0], lead.iloc[1]
    top_n = lead.head(top)
    facts = {
        "year": data.year,
        "n_leading": len(lead),
        "top_city": first["city"],
        "top_share": float(first["share"]),
        "top_count": int(first["count"]),
        "top_country": in_prose(first["country"], lang),
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
            "most_concentrated_country": in_prose(concentrated["country"], lang),
            # a printed percentage is said to be one (the supplement may have padded it: audit),
            # in the words of the chart's legend
            "most_concentrated_basis": (
                (f"（{t('printed_input', lang)}）" if lang == "zh" else f" ({t('printed_input')})")
                if concentrated["location_share_source"] == "printed input"
                else ""
            ),
            # what the supplement's table calls this percentage (its column's header)
            "location_share_header": pages.header("location_share_pct", lang, data.year),
            "country_share_note": country_share_note(data, lang),
        }
    return facts


def top_places_facts(data: YearData, lang: str = "en") -> dict:
    """{"top_places_sentence": ...}: whether the first two places of the leading table are
    settled at 95% (their rank sets: uncertainty.share_intervals), for each that is not, the
    ranks it could hold; empty for a year without Shares."""
    if not data.has("city_share"):
        return {"top_places_sentence": ""}
    open_ = [
        (city, rank_set)
        for _, city, rank_set in _leading_rank_sets(data, lang)[:2]
        if not rank_set.is_single
    ]
    if not open_:
        sentence = (
            "这两个名次都是确定的：考虑贡献份额的误差范围（95%），两者都不可能排在别的名次。"
            if lang == "zh"
            else "Both places are settled: within the margins of the Shares (95%), neither city "
            "could hold another rank."
        )
    elif lang == "zh":
        sentence = "".join(
            f"{city}的名次并不确定：考虑贡献份额的误差范围（95%），它可能排在"
            f"{rank_set_words(rank_set, lang)}。"
            for city, rank_set in open_
        )
    else:
        sentence = " ".join(
            f"{city}'s place is not settled: within the margins of the Shares (95%) it could be "
            f"{rank_set_words(rank_set)}."
            for city, rank_set in open_
        )
    return {"top_places_sentence": sentence}


def country_share_note(data: YearData, lang: str = "en") -> str:
    """One sentence naming where the country totals come from (they are not in the supplement);
    empty when the year has none."""
    if not data.has("country_share"):
        return ""
    shares = data["country_share"]
    names = tables.localized_names(data.reference["countries"], "country_id", lang)
    by_source = [
        (join_names([in_prose(names[c], lang) for c in group["country_id"]], lang), source)
        for source, group in shares[shares["subject_id"] == "overall"].groupby("source", sort=True)
    ]
    if not by_source:
        return ""
    if lang == "zh":
        parts = "；".join(f"{countries}的总量取自{source}" for countries, source in by_source)
        return f"增刊没有印出这些国家的总贡献份额，本书采用的{parts}。"
    parts = ", and ".join(f"those of {countries} from {source}" for countries, source in by_source)
    return f"The supplement does not print these country totals; the book takes {parts}."


def rank_history_facts(rh: pd.DataFrame, year: int, lang: str = "en", top: int = TOP_TEN) -> dict:
    """`rh`: tables.rank_history(data, lang=lang), the table the page shows."""
    change = next(c for c in rh.columns if c.startswith("change_"))  # since two years before
    r = tables.rank_column
    first_year = min(y for y in map(tables.rank_year, rh.columns) if y is not None)
    climber, climb = _named_extreme(rh, change, largest=True, lang=lang)
    faller, fall = _named_extreme(rh, change, largest=False, lang=lang)
    ascent = rh[r(first_year)] - rh[r(year)]
    longest = rh.loc[ascent.idxmax()]
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
        "top_n_by_country_sentence": top_n_by_country_sentence(rh, year, top, lang),
    }


def top_n_by_country_sentence(
    rh: pd.DataFrame, year: int, top: int = TOP_TEN, lang: str = "en"
) -> str:
    """For each country of the leading `top`, how many of the table's cities it had there a year
    earlier and has now; and how many places of last year's leading `top` belonged to cities
    outside the table (whose country the table cannot say)."""
    r = tables.rank_column
    now, before = rh[rh[r(year)] <= top], rh[rh[r(year - 1)] <= top]
    countries = list(_largest_first(now["country"]).index)
    countries += [c for c in dict.fromkeys(before["country"]) if c not in countries]
    parts = []
    for country in countries:
        had = int((before["country"] == country).sum())
        has = int((now["country"] == country).sum())
        if lang == "zh":
            first = f"上一年有{had}个城市位列前{top}名" if not parts else f"上一年有{had}个"
            parts.append(f"{country}{first}，今年{'仍为' if had == has else '有'}{has}个")
        elif not parts:
            still = (
                f"still has {number_words(has)}" if had == has else f"has {number_words(has)} now"
            )
            named = in_prose(country)
            parts.append(
                f"{named[0].upper() + named[1:]} had {number_words(had)} of these cities in the "
                f"leading {top} a year earlier and {still}"
            )
        else:
            still = "still has" if had == has else "has"
            parts.append(
                f"{in_prose(country)} had {number_words(had)} and {still} {number_words(has)}"
                + ("" if had == has else " now")
            )
    unknown = top - len(before)
    if lang == "zh":
        sentence = "；".join(parts) + "。"
        if unknown > 0:
            sentence += f"上一年前{top}名中另有{unknown}席属于本表以外的城市。"
        return sentence
    sentence = "; ".join(parts) + "."
    if unknown == 1:
        sentence += (
            f" Last year one more place in the leading {top} was held by a city that is not in "
            "this table."
        )
    elif unknown > 1:
        sentence += (
            f" Last year {number_words(unknown)} more places in the leading {top} were held by "
            "cities that are not in this table."
        )
    return sentence


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


def leading_risers_facts(
    lead: pd.DataFrame, data: YearData, lang: str = "en", top: int = 3
) -> dict:
    """{"leading_risers_sentence": ...}: the leading cities among the fastest risers overall (see
    leading_risers_sentence); empty for a year without an overall riser table."""
    if not data.has("adjusted_share") or "overall" not in set(
        data["adjusted_share"]["subject_id"]
    ):
        return {"leading_risers_sentence": ""}
    risers = tables.risers(data, "overall", lang)
    return {"leading_risers_sentence": leading_risers_sentence(lead, risers, lang, top)}


def leading_risers_sentence(
    lead: pd.DataFrame, risers: pd.DataFrame, lang: str = "en", top: int = 3
) -> str:
    """Which leading cities are in the riser table, by country; what that table says of the others
    (none rose by more than its smallest rise); and the `top` largest relative rises among the
    leading cities, said to hold for all of them only when no city outside the table can have
    risen as much (its rise is at most the table's smallest, on a Share of its own)."""
    zh = lang == "zh"
    n, m = len(lead), len(risers)
    in_table = lead["city_id"].isin(risers["city_id"])
    among, others = lead[in_table], lead[~in_table]
    floor = float(risers["change"].min())
    countries = among["country"].unique()

    def among_risers(verb: str) -> str:
        return (
            f"{verb} the fastest riser overall"
            if m == 1
            else f"{verb} among the {m} fastest risers overall"
        )

    if among.empty:
        first = (
            f"{n}个领先城市中没有一个位列整体上升最快的{m}个城市"
            if zh
            else f"None of the {n} leading cities {among_risers('is')}"
        )
    elif others.empty:
        first = (
            f"{n}个领先城市全部位列整体上升最快的{m}个城市"
            if zh
            else f"All {n} leading cities {among_risers('are')}"
        )
    elif zh:
        where = f"位于{countries[0]}" if len(countries) == 1 else _in_countries(among, lang)
        where = ("全部" if len(countries) == 1 and len(among) > 1 else "") + where
        first = f"{n}个领先城市中有{len(among)}个位列整体上升最快的{m}个城市，{where}"
    elif len(among) == 1:
        city, country = among.iloc[0]["city"], among.iloc[0]["country"]
        first = f"One of the {n} leading cities, {city} ({country}), {among_risers('is')}"
    else:
        where = (
            f"all of them in {in_prose(countries[0])}"
            if len(countries) == 1
            else _in_countries(among)
        )
        first = (
            f"{number_words(len(among)).capitalize()} of the {n} leading cities "
            f"{among_risers('are')}, {where}"
        )
    sentences = [first]
    if not others.empty:
        if zh:
            one = len(others) == 1 and not among.empty
            bound = (
                f"调整后贡献份额的增量{'' if one else '都'}不超过{floor:,.2f}（榜上最小的增量）"
                if floor > 0
                else f"调整后贡献份额{'' if one else '都'}至少下降了{-floor:,.2f}"
            )
            if among.empty:
                who = "因此它们"
            elif one:
                who = f"其余的{others.iloc[0]['city']}不在上升榜上，因此其"
            else:
                who = f"其余{len(others)}个不在上升榜上，因此"
            sentences.append(f"{who}{bound}")
        else:
            one = len(others) == 1 and not among.empty
            subject = "it" if one else "each of them"
            bound = (
                f"{subject} gained no more than {floor:,.2f} (the smallest rise in that table)"
                if floor > 0
                else f"{subject} lost at least {-floor:,.2f}"
            )
            if among.empty:
                who = "So "
            elif one:
                who = f"The other one, {others.iloc[0]['city']}, is not in that table, so "
            else:
                who = f"The other {number_words(len(others))} are not in that table, so "
            sentences.append(who + bound)
    relative = _largest_relative_rises(among, risers, others, floor, lang, top)
    if relative:
        sentences.append(relative)
    stop = "。" if zh else ". "
    return stop.join(sentences) + ("。" if zh else ".")


def _largest_relative_rises(among, risers, others, floor, lang, top) -> str:
    zh = lang == "zh"
    rising = among.merge(risers[["city_id", "change", "change_pct"]], on="city_id")
    rising = rising[rising["change"] > 0].sort_values("change_pct", ascending=False, kind="stable")
    if rising.empty:
        return ""
    cut = rising["change_pct"].iloc[min(top, len(rising)) - 1]
    best = rising[rising["change_pct"] >= cut]  # a tie at the last place is kept whole
    if zh:
        names = join_names([f"{r.city}（{r.change_pct:.2f}%）" for r in best.itertuples()], lang)
    else:
        names = join_names([f"{r.city} ({r.change_pct:.2f}%)" for r in best.itertuples()])
    possible = others[others["share"] > floor]
    bound = (
        float((floor / (possible["share"] - floor) * 100).max())
        if floor > 0 and not possible.empty
        else None
    )
    one = len(best) == 1
    if bound is not None and bound >= cut:
        if zh:
            return (
                f"在上升榜上的领先城市中，相对增幅最大的是{names}；但榜外的领先城市增幅最高可达"
                f"{bound:.2f}%，因此无法确定它们在全部领先城市中是否居首"
            )
        return (
            f"Among the leading cities in the riser table, the largest relative "
            f"{'rise is that' if one else 'rises are those'} of {names}; one outside it could "
            f"have risen by as much as {bound:.2f}%, so the table cannot say whether "
            f"{'it leads' if one else 'they lead'} all the leading cities"
        )
    if zh:
        limit = f"；榜外的领先城市增幅最多为{bound:.2f}%" if bound is not None else ""
        return f"领先城市中相对增幅最大的是{names}{limit}"
    limit = (
        f"; no leading city outside the riser table can have risen by more than {bound:.2f}%"
        if bound is not None
        else ""
    )
    return (
        f"Among the leading cities, the largest relative "
        f"{'rise is that' if one else 'rises are those'} of {names}{limit}"
    )


def subjects_facts(data: YearData, subject: str, lang: str = "en") -> dict:
    """{"subjects_sentence": ...}: on the overall riser page, what the subjects' riser tables and
    mentions say together (subjects_sentence); empty on a subject's own page."""
    if subject != "overall":
        return {"subjects_sentence": ""}
    names = tables.localized_names(data.reference["subjects"], "subject_id", lang)
    risers = {names[s]: _subject_risers(data, s, lang) for s in tables.subjects_covered(data)}
    # the subjects whose own page quotes what the supplement says of their risers
    claimed = {
        r["page"]
        for r in read_text_figures(data.year, data.data_dir)
        if r["edition"] == lang and r["rule"] == "not_checkable" and r.get("statement")
    }
    mentions = pages.KINDS["riser-mentions"]
    quoted = {
        i.name for i in pages.instances(mentions, data, lang) if mentions.page_stem(i) in claimed
    }
    # the subjects whose first two risers' order lies within the margin (first_place_sentence)
    unsettled = {
        names[s]
        for s in tables.subjects_covered(data)
        if risers[names[s]][1]
        and len(two := uncertainty.riser_intervals(data, s, lang, top=2)) == 2
        and not first_place_settled(two)
    }
    return {"subjects_sentence": subjects_sentence(data.year, risers, lang, quoted, unsettled)}


def _subject_risers(data: YearData, subject: str, lang: str) -> tuple[pd.DataFrame, bool]:
    """A subject's risers in order, and whether that is a whole table (else the cities the
    supplement names in prose, by position)."""
    if data.has("adjusted_share") and subject in set(data["adjusted_share"]["subject_id"]):
        return tables.risers(data, subject, lang), True
    return tables.riser_mentions(data, subject, lang), False


def subjects_sentence(
    year: int,
    risers: dict[str, tuple[pd.DataFrame, bool]],
    lang: str = "en",
    quoted: Iterable[str] = (),
    unsettled: Iterable[str] = (),
) -> str:
    """Which subject areas the year covers; which city rose most and which second in each; and
    where the first ten of each subject's riser table are (all, some or none in the country that
    has the most of them), or that the supplement names too few risers to tell. `risers`: subject
    name -> (its risers in order, with city and country; whether that is a whole table); `quoted`:
    the subjects whose page quotes what the supplement says of their risers; `unsettled`: those
    whose first two risers are closer than the margin of their difference."""
    zh = lang == "zh"
    if not risers:
        return ""
    k, listed = len(risers), join_names(risers, lang)
    if zh:
        sentences = [f"除整体排名外，{year}年的数据涵盖{k}个学科类别：{listed}"]
    else:
        areas = f"{number_words(k)} subject area{'' if k == 1 else 's'}"
        sentences = [f"Besides the overall ranking, the {year} data cover {areas}: {listed}"]
    places = _places_sentence(
        {s: list(r["city"].head(2)) for s, (r, _) in risers.items() if len(r)}, lang
    )
    if places:
        sentences.append(places)
    close = [s for s in risers if s in set(unsettled)]
    if close:
        listed_close = join_names(close, lang)
        sentences.append(
            f"{listed_close}的前两名之差在误差范围之内，先后尚无定论"
            if zh
            else f"In {listed_close}, the first two are closer than the margin of their "
            "difference, so their order is not settled"
        )
    sentences += _first_ten_sentences(
        {s: r for s, (r, whole) in risers.items() if whole and len(r)},
        {s: len(r) for s, (r, whole) in risers.items() if not whole and len(r)},
        lang,
        set(quoted),
    )
    stop = "。" if zh else ". "
    return stop.join(sentences) + ("。" if zh else ".")


def _grouped(by_subject: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Subjects grouped by a value (a city), the most frequent value first."""
    groups: dict[str, list[str]] = {}
    for subject, value in by_subject.items():
        groups.setdefault(value, []).append(subject)
    return sorted(groups.items(), key=lambda item: -len(item[1]))


def _places_sentence(first_two: dict[str, list[str]], lang: str) -> str:
    """Who rose most in each subject and who came second, a shared winner said once."""
    zh = lang == "zh"
    firsts = _grouped({s: cities[0] for s, cities in first_two.items()})
    seconds = _grouped({s: cities[1] for s, cities in first_two.items() if len(cities) > 1})
    if not firsts:
        return ""
    if len(first_two) == 1:  # one subject: no need to name it again
        (cities,) = first_two.values()
        if zh:
            return f"其中增量最大的是{cities[0]}" + (f"，其次是{cities[1]}" if cities[1:] else "")
        return f"In it, {cities[0]} rose the most" + (
            f", ahead of {cities[1]}" if cities[1:] else ""
        )

    def subjects_of(group):
        return join_names(group, lang)

    if zh:
        if len(firsts) == 1:
            first = f"各学科增量最大的都是{firsts[0][0]}"
        else:
            first = "增量最大的城市：" + "，".join(
                f"{subjects_of(g)}是{city}" for city, g in firsts
            )
        if not seconds:
            return first
        distinct = len(seconds) == sum(len(g) for _, g in seconds) > 1
        second = "，".join(f"{subjects_of(g)}是{city}" for city, g in seconds)
        return f"{first}；第二名{'各不相同' if distinct else ''}：{second}"
    if len(firsts) == 1:
        first = f"{firsts[0][0]} rose the most in every one of them"
    else:
        first = "The largest rise was " + join_names(
            [f"{city}'s in {subjects_of(g)}" for city, g in firsts]
        )
    if not seconds:
        return first
    distinct = len(seconds) == sum(len(g) for _, g in seconds) > 1
    listed = join_names([f"{city} in {subjects_of(g)}" for city, g in seconds])
    if distinct:
        return f"{first}, and a different city came second in each: {listed}"
    return f"{first}; second came {listed}"


def _first_ten_sentences(
    whole: dict[str, pd.DataFrame], named: dict[str, int], lang: str, quoted: set[str]
) -> list[str]:
    """For each subject with a riser table, whether its first ten are all, some or none in the
    country with the most of them across the subjects; for subjects named in prose only, that
    the supplement names too few for the book to check, and where their pages quote what the
    supplement says of them (`quoted`)."""
    zh = lang == "zh"
    out = []
    heads = {s: r.head(TOP_TEN) for s, r in whole.items()}
    if heads:
        main = _leaders(pd.concat(heads.values())["country"].value_counts(sort=False))[0]
        clauses, all_in = [], {}
        for s, head in heads.items():
            outside = head[head["country"] != main]
            if outside.empty:
                all_in.setdefault(len(head), []).append(s)
                continue
            ten, inside = number_words(len(head), lang), len(head) - len(outside)
            if zh:
                clauses.append(
                    f"{s}的前{ten}名中没有{main}城市"
                    if inside == 0
                    else f"{s}的前{ten}名中有{inside}个位于{main}，"
                    f"另有{len(outside)}个不在{main}"
                    f"（{join_names(outside['city'], lang)}）"
                )
            else:
                verb = "is" if len(outside) == 1 else "are"
                clauses.append(
                    f"in {s}, none of the {ten} is in {in_prose(main)}"
                    if inside == 0
                    else f"in {s}, {number_words(inside)} of the {ten} "
                    f"{'is' if inside == 1 else 'are'} in {in_prose(main)} and "
                    f"{number_words(len(outside))} {verb} not ({_named(outside, head)})"
                )
        for size, group in all_in.items():
            listed = join_names(group, lang)
            ten = number_words(size, lang)
            clauses.insert(
                0,
                f"{listed}上升最快的前{ten}名全部位于{main}"
                if zh
                else f"in {listed}, the {ten} fastest risers are all in {in_prose(main)}",
            )
        sentence = ("；" if zh else "; ").join(clauses)
        out.append(sentence if zh else sentence[0].upper() + sentence[1:])
    if named:
        listed = join_names(named, lang)
        sizes = set(named.values())
        few = number_words(sizes.pop(), lang) if len(sizes) == 1 else None
        # (what the supplement says of the others is quoted on the subject's page, as a claim
        # the book cannot check: unchecked_sentence)
        with_claims = [s for s in named if s in quoted]
        pages_of = join_names(with_claims, lang)
        if zh:
            first = f"前{few}名" if few else "前几名"
            out.append(
                f"{listed}方面，增刊只列出了上升最快的{first}，本书无法核查其余城市位于何处"
                + (f"；增刊对此的说法见{pages_of}的页面" if with_claims else "")
            )
        else:
            first = f"first {few}" if few else "first few"
            out.append(
                f"For {listed}, the supplement names only the {first} risers, so the book "
                "cannot check where the others are"
                + (
                    f"; the {pages_of} page{'s quote' if len(with_claims) > 1 else ' quotes'} "
                    "what the supplement says of them"
                    if with_claims
                    else ""
                )
            )
    return out


def partnership_facts(
    table: pd.DataFrame,
    lang: str = "en",
    leading: pd.DataFrame | None = None,
    country: str | None = None,
) -> dict:
    """`table`: tables.city_partnerships(data, country, lang=lang), the table the page shows;
    `leading` (the leading cities overall) and `country` (its id), for leaders_sentence."""
    first = table.iloc[0]
    facts = {
        "n_pairs": len(table),
        "top_city1": first["city1"],
        "top_city2": first["city2"],
        "top_bcs": float(first["bcs"]),
        "top_count": int(first["count"]),
        "hub_sentence": hub_sentence(table, "city1", "city2", lang),
        "n_cities": len(pd.concat([table["city1"], table["city2"]]).unique()),
        "total_count": int(table["count"].sum()),
    }
    if leading is not None:
        facts["leaders_sentence"] = leaders_sentence(table, leading, country, lang)
    return facts


def leaders_sentence(
    pairs: pd.DataFrame, leading: pd.DataFrame, country: str, lang: str = "en"
) -> str:
    """Which of the country's cities in the overall leading ten take part in its partnerships
    (all, some or none), and which other cities do. `leading`: the leading cities overall, in
    the page's language; `country`: the id of the country whose pairs these are."""
    zh = lang == "zh"
    ids = set(pairs["city1_id"]) | set(pairs["city2_id"])
    top = leading.head(TOP_TEN)
    home = top[top["country_id"] == country]
    if home.empty:
        if zh:
            return "该国没有城市进入整体前十名。"
        return "No city of this country is in the leading ten overall."
    taking = join_names(home.loc[home["city_id"].isin(ids), "city"], lang)
    missing = home[~home["city_id"].isin(ids)]
    in_pairs = dict.fromkeys(pd.concat([pairs["city1"], pairs["city2"]]))
    rest = join_names([c for c in in_pairs if c not in set(home["city"])], lang)
    n, k = len(home), len(home) - len(missing)
    if zh:
        group = f"该国进入整体前十名的{n}个城市"
        if k == n:
            first = f"{group}（{taking}）都参与了这些合作"
        elif k == 0:
            first = f"{group}都没有出现在这些合作中"
        else:
            first = f"{group}中，{taking}参与了这些合作，{join_names(missing['city'], lang)}没有"
        return first + (f"；参与合作的其他城市是{rest}" if rest else "") + "。"
    group = f"this country's {number_words(n)} cities in the leading ten overall"
    if n == 1:
        group = "this country's one city in the leading ten overall"
        first = (
            f"{taking}, {group}, takes part in these pairs"
            if k
            else f"{group} takes no part in these pairs"
        )
        first = first[0].upper() + first[1:]
    elif k == n:
        first = (
            f"All {number_words(n)} of this country's cities in the leading ten overall take "
            f"part in these pairs ({taking})"
        )
    elif k == 0:
        first = f"None of {group} takes part in these pairs"
    else:
        take, do = "takes" if k == 1 else "take", "does" if len(missing) == 1 else "do"
        first = (
            f"{number_words(k).capitalize()} of {group} {take} part in these pairs ({taking}); "
            f"{join_names(missing['city'])} {do} not"
        )
    return first + (f"; these pairs also involve {rest}." if rest else ".")


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


def _zh_ranks(low: int, high: int, joiner: str) -> str:
    """A range of ranks in Chinese, both ends in one form: 第四至第六名, 第7至第20名 (not
    第七至第20名)."""
    if high > len(_ZH_ORDINALS):
        return f"第{low}{joiner}第{high}名"
    return f"{ordinal(low, 'zh')}{joiner}{ordinal(high, 'zh')}名"


def rank_set_words(rank_set: uncertainty.RankSet, lang: str = "en") -> str:
    """A rank set in words: "first", "second or third", "fourth to sixth", "18th or lower"."""
    low, high = rank_set.low, rank_set.high
    if lang == "zh":
        if high is None:
            return f"{ordinal(low, lang)}名或更低"
        if high == low:
            return f"{ordinal(low, lang)}名"
        return _zh_ranks(low, high, "或" if high == low + 1 else "至")
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
            return f"{n}个排名区间都包含不止一个名次：没有一个名次是唯一确定的。"
        if len(single) == n:
            return f"全部{n}个排名区间都只含一个名次。"
        listed = join_names([f"{name}（{rank_set_words(s, lang)}）" for name, s in single], lang)
        return f"只有{listed}的排名区间只含一个名次。"
    if not single:
        return f"None of the {n} ranks is settled: every set holds more than one rank."
    if len(single) == n:
        return f"All {n} ranks are settled: each set holds a single rank."
    listed = join_names([f"{name} ({rank_set_words(s)})" for name, s in single])
    if len(single) == 1:
        return f"Only the rank of {listed} is settled: its set holds that rank alone."
    return f"Only the ranks of {listed} are settled: each of their sets holds a single rank."


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
            ranks = _zh_ranks(a + 1, b + 1, "至")
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


def apart_sentence(table: pd.DataFrame, sets: list[uncertainty.RankSet], lang: str = "en") -> str:
    """The first neighbours whose 95 % margins do not meet although their rank sets share a rank
    (a rank set's comparisons are stricter than a margin), with both margins and the ranks they
    share; "" when no neighbours are such."""
    rows = list(table.itertuples(index=False))
    for i in range(len(rows) - 1):
        upper, lower = rows[i], rows[i + 1]
        apart = upper.share - upper.half_width > lower.share + lower.half_width
        highs = [s.high for s in sets[i : i + 2] if s.high is not None]
        shared = uncertainty.RankSet(max(sets[i].low, sets[i + 1].low), min(highs, default=None))
        if not apart or (shared.high is not None and shared.high < shared.low):
            continue
        margins = [
            (f"{r.share - r.half_width:,.2f}", f"{r.share + r.half_width:,.2f}")
            for r in (upper, lower)
        ]
        if lang == "zh":
            return (
                f"{upper.city}与{lower.city}就是一例：两者的误差范围（{margins[0][0]}至"
                f"{margins[0][1]}与{margins[1][0]}至{margins[1][1]}）互不重叠，但两者都可能排在"
                f"{rank_set_words(shared, lang)}。"
            )
        return (
            f"{upper.city} and {lower.city} are a case in point: their margins "
            f"({margins[0][0]} to {margins[0][1]} and {margins[1][0]} to {margins[1][1]}) do not "
            f"meet, yet either could rank {rank_set_words(shared)}."
        )
    return ""


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
    neither = "neither" if len(opened) == 2 else "none of them"
    return (
        f"The sets of {listed} are open below: {neither} is clearly above the last entry of "
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
        # a Share's own margin, and the stricter test of a rank set's comparisons
        "z_one": uncertainty.z_value(uncertainty.LEVEL),
        "z_rank": uncertainty.z_value(uncertainty.LEVEL, max(len(table) - 1, 1)),
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
        "apart_sentence": apart_sentence(table, sets, lang),
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


def _first_lead(table: pd.DataFrame) -> tuple[float, float]:
    """The first riser's lead over the second, and the standard error of that difference (the
    two changes taken as independent: se = √(se₁² + se₂²)). `table`: uncertainty.riser_intervals,
    largest change first, two rows at least."""
    first, second = table.iloc[0], table.iloc[1]
    return float(first["change"] - second["change"]), math.hypot(
        first["se_high"], second["se_high"]
    )


def first_place_settled(table: pd.DataFrame) -> bool:
    """Whether the first riser's lead over the second exceeds its margin (at 95%)."""
    return uncertainty.is_clear(*_first_lead(table))


def first_place_sentence(table: pd.DataFrame, lang: str = "en") -> str:
    """Whether the first riser's lead over the second is settled (first_place_settled), with the
    lead and the margin of the difference, in one sentence; empty with fewer than two risers."""
    if len(table) < 2:
        return ""
    lead, se = _first_lead(table)
    margin = se * uncertainty.z_value()
    a, b = table.iloc[0]["city"], table.iloc[1]["city"]
    if uncertainty.is_clear(lead, se):
        if lang == "zh":
            return (
                f"{a}领先{b}的{lead:,.2f}超出两者之差的误差范围（95%：±{margin:,.2f}），"
                "第一名是确定的。"
            )
        return (
            f"{a}'s lead over {b}, {lead:,.2f}, exceeds the margin of their difference "
            f"(±{margin:,.2f} at 95%): the first place is settled."
        )
    if lang == "zh":
        return (
            f"不过{a}领先{b}的{lead:,.2f}在两者之差的误差范围（95%：±{margin:,.2f}）之内，"
            "两者谁的增量更大尚无定论。"
        )
    return (
        f"But {a}'s lead over {b}, {lead:,.2f}, lies within the margin of their difference "
        f"(±{margin:,.2f} at 95%), so which of the two rose more is not settled."
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
    facts["first_place_sentence"] = first_place_sentence(table, lang)
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
    names = [pair_name(a, b, lang) for a, b in zip(table["city1"], table["city2"])]
    sets = _sets(table)
    return {
        "pair_first_sentence": first_pair_sentence(sets[0] if sets else None, lang),
        "pair_certain_sentence": certain_sentence(names, sets, lang),
        "pair_runs_sentence": runs_sentence(names, sets, lang, unit="组合作"),
    }


def first_pair_sentence(rank_set: uncertainty.RankSet | None, lang: str = "en") -> str:
    """Whether the strongest pair's first place is settled, beside the claim that it is the
    strongest (the rank sets of all the pairs follow on the page)."""
    if rank_set is None:
        return ""
    if rank_set.is_single:
        return (
            "这一第一名是确定的（95%）。" if lang == "zh" else "Its first place is settled (95%)."
        )
    if lang == "zh":
        words = rank_set_words(rank_set, lang)
        return f"不过这一第一名并不确定：考虑误差范围（95%），它可能排在{words}。"
    return (
        f"Its first place is not settled, though: within the margins (95%) it could rank "
        f"{rank_set_words(rank_set)}."
    )


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
