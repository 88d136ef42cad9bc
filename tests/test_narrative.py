"""The sentences the prose glues read right for any data: zero, one, many, and ties named as ties,
in English and in Chinese."""

import re

import nbformat
import pandas as pd
import pytest
from markdown_it import MarkdownIt

from analysis import load_year, narrative, tables
from analysis.paths import NOTEBOOKS, REPO
from analysis.uncertainty import RankSet
from analysis.words import in_prose


def cities(*rows):
    return pd.DataFrame(rows, columns=["city", "country"])


def places(*countries):
    """A ranked table of cities C1, C2, … in the given countries."""
    return cities(*[(f"C{i}", c) for i, c in enumerate(countries, 1)])


@pytest.mark.parametrize(
    "rows, en, zh",
    [
        ([("A", "China"), ("B", "China")], "All 2 are in China.", "这2个城市全部位于China。"),
        (
            [("A", "China"), ("B", "China"), ("C", "Japan")],
            "Two of the 3 are in China. The one city elsewhere is C.",
            "3个城市中有2个位于China。唯一来自其他国家/地区的城市是C。",
        ),
        (
            [("A", "China"), ("B", "China"), ("C", "China"), ("D", "Japan"), ("E", "France")],
            "Three of the 5 are in China. The two cities elsewhere are D and E.",
            "5个城市中有3个位于China。来自其他国家/地区的2个城市是D和E。",
        ),
    ],
)
def test_cities_outside_the_main_country(rows, en, zh):
    table = cities(*rows)
    assert narrative.elsewhere_sentence(table, "en") == en
    assert narrative.elsewhere_sentence(table, "zh") == zh


def test_a_name_two_cities_share_carries_its_country():
    table = cities(
        ("A", "CN"), ("B", "CN"), ("C", "CN"), ("Birmingham", "UK"), ("Birmingham", "US")
    )
    assert narrative.elsewhere_sentence(table) == (
        "Three of the 5 are in CN. "
        "The two cities elsewhere are Birmingham (UK) and Birmingham (US)."
    )


def test_the_first_ten_all_some_or_none_in_the_main_country():
    """A table longer than ten: the first ten are all, some or none in its main country, and those
    of the first ten outside it are named by country."""
    all_ten = places(*["CN"] * 18, "UK", "NO")
    assert narrative.elsewhere_sentence(all_ten) == (
        "18 of the 20 are in CN, including all of the first ten. "
        "The two cities elsewhere are C19 and C20."
    )
    assert narrative.elsewhere_sentence(all_ten, "zh") == (
        "20个城市中有18个位于CN，前十名全部在内。来自其他国家/地区的2个城市是C19和C20。"
    )
    some = places(*["CN"] * 7, "US", "CN", "US", "CN", "JP", *["CN"] * 4, "SE", "DE", "CN", "CN")
    assert narrative.elsewhere_sentence(some) == (
        "15 of the 20 are in CN, including eight of the first ten. "
        "Of the first ten, two are in US: C8 and C10. "
        "The other three cities elsewhere are C12, C17 and C18."
    )
    assert narrative.elsewhere_sentence(some, "zh") == (
        "20个城市中有15个位于CN，其中8个进入前十名。前十名中另有2个位于US（C8和C10）。"
        "其余来自其他国家/地区的城市是C12、C17和C18。"
    )
    none = places(*["US"] * 9, "JP", *["CN"] * 11)
    assert narrative.elsewhere_sentence(none) == (
        "11 of the 21 are in CN, none of them among the first ten. Of the first ten, nine are in "
        "US: C1, C2, C3, C4, C5, C6, C7, C8 and C9; one is in JP: C10."
    )
    assert narrative.elsewhere_sentence(none, "zh").startswith(
        "21个城市中有11个位于CN，但没有一个进入前十名。前十名中另有9个位于US（"
    )


def test_the_leading_group_by_country_names_every_country_and_ties():
    table = places("China", "USA", "China", "USA", "Japan")
    assert (
        narrative.country_majority_sentence(table, 4, "en")
        == "The first four cities are in two countries: two in China and two in USA."
    )
    assert (
        narrative.country_majority_sentence(table, 5, "zh")
        == "前5名城市分布在3个国家/地区：China2个、USA2个和Japan1个。"
    )
    assert (
        narrative.country_majority_sentence(places("China", "China"), 10, "en")
        == "All of the first two cities are in China."
    )
    assert narrative.country_majority_sentence(table.head(1), 10) == "The first city is in China."
    assert narrative.country_majority_sentence(places("C", "C"), 2, "zh") == "前2名城市全部位于C。"


def test_the_country_totals_are_said_to_come_from_their_source_not_from_the_countries():
    data = load_year(2022)
    assert narrative.country_share_note(data) == (
        "The supplement does not print these country totals; the book takes those of China and "
        "the United States of America (USA) from Nature Index Research Leaders 2023 "
        "(country Share 2022)."
    )
    assert narrative.country_share_note(data, "zh") == (
        "增刊没有印出这些国家的总贡献份额，本书采用的中国和美国的总量取自"
        "Nature Index Research Leaders 2023 (country Share 2022)。"
    )


def pairs(*rows):
    return pd.DataFrame(rows, columns=["a", "b"])


def test_one_hub_a_tie_and_no_hub():
    one = pairs(("X", "Y"), ("X", "Z"), ("Y", "Z"))
    assert narrative.hub_sentence(one.head(2), "a", "b") == "X takes part in all 2 pairs."
    tie = pairs(("X", "Y"), ("X", "Z"), ("Y", "W"), ("V", "U"))
    assert narrative.hub_sentence(tie, "a", "b") == "X and Y each take part in 2 of the 4 pairs."
    assert narrative.hub_sentence(tie, "a", "b", "zh") == "X和Y各参与了4组合作中的2组。"
    hub = pairs(("X", "Y"), ("X", "Z"), ("Q", "R"))
    assert (
        narrative.hub_sentence(hub, "a", "b")
        == "X takes part in 2 of the 3 pairs; the others are Q / R."
    )
    assert narrative.hub_sentence(hub, "a", "b", "zh") == "3组合作中有2组涉及X，其余1组是Q与R。"
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
        == "P、Q和R各参与了前三组合作中的两组。"
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
        narrative.newcomers_sentence(rh.head(1), 2022, lang="zh") == "今年没有城市新进入前10名。"
    )
    assert narrative.newcomers_sentence(rh, 2022, lang="zh") == "今年新进入前10名的是B和C。"


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


def ranks(*rows):
    """A rank history: (city, country, rank a year earlier, rank in 2022)."""
    return pd.DataFrame(rows, columns=["city", "country", "r2021", "r2022"])


def test_the_leading_ten_by_country_a_year_earlier_and_now():
    rh = ranks(("A", "CN", 1, 1), ("B", "US", 2, 2), ("C", "CN", 12, 3), ("D", "US", 4, 4))
    assert narrative.top_n_by_country_sentence(rh, 2022, top=4) == (
        "CN had one of these cities in the leading 4 a year earlier and has two now; "
        "US had two and still has two. "
        "Last year one more place in the leading 4 was held by a city that is not in this table."
    )
    assert narrative.top_n_by_country_sentence(rh, 2022, top=4, lang="zh") == (
        "CN上一年有1个城市位列前4名，今年有2个；US上一年有2个，今年仍为2个。"
        "上一年前4名中另有1席属于本表以外的城市。"
    )
    same = ranks(("A", "CN", 1, 1), ("B", "US", 2, 2))
    assert narrative.top_n_by_country_sentence(same, 2022, top=2) == (
        "CN had one of these cities in the leading 2 a year earlier and still has one; "
        "US had one and still has one."
    )
    fell = ranks(("A", "CN", 1, 1), ("B", "US", 3, 2), ("C", "US", 2, 5))
    assert narrative.top_n_by_country_sentence(fell, 2022, top=3) == (
        "CN had one of these cities in the leading 3 a year earlier and still has one; "
        "US had two and has one now."
    )


def leading(*rows):
    """Leading cities: (city id, country, Share)."""
    return pd.DataFrame(
        [(c, c.upper(), country, share) for c, country, share in rows],
        columns=["city_id", "city", "country", "share"],
    )


def riser_table(*rows):
    """A riser table: (city id, change, change %)."""
    return pd.DataFrame(rows, columns=["city_id", "change", "change_pct"])


def test_the_leading_cities_among_the_risers_all_some_none():
    lead = leading(("a", "CN", 1000.0), ("b", "US", 900.0), ("c", "CN", 500.0))
    risers = riser_table(("c", 100.0, 25.0), ("a", 90.0, 9.0), ("x", 10.0, 50.0))
    # b, outside the table, gained at most 10 on a Share of 900: up to 10 / 890 = 1.12 %
    assert narrative.leading_risers_sentence(lead, risers, top=2) == (
        "Two of the 3 leading cities are among the 3 fastest risers overall, all of them in CN. "
        "The other one, B, is not in that table, so it gained no more than 10.00 (the smallest "
        "rise in that table). Among the leading cities, the largest relative rises are those of "
        "C (25.00%) and A (9.00%); no leading city outside the riser table can have risen by "
        "more than 1.12%."
    )
    assert narrative.leading_risers_sentence(lead, risers, "zh", top=2) == (
        "3个领先城市中有2个位列整体上升最快的3个城市，全部位于CN。其余的B不在上升榜上，"
        "因此其调整后贡献份额的增量不超过10.00（榜上最小的增量）。领先城市中相对增幅最大的是"
        "C（25.00%）和A（9.00%）；榜外的领先城市增幅最多为1.12%。"
    )
    everyone = narrative.leading_risers_sentence(
        lead, riser_table(*[(c, 5.0, 1.0) for c in "abc"])
    )
    assert everyone == (
        "All 3 leading cities are among the 3 fastest risers overall. Among the leading cities, "
        "the largest relative rises are those of A (1.00%), B (1.00%) and C (1.00%)."
    )
    nobody = narrative.leading_risers_sentence(lead, riser_table(("x", 50.0, 10.0)))
    assert nobody == (
        "None of the 3 leading cities is the fastest riser overall. So each of them "
        "gained no more than 50.00 (the smallest rise in that table)."
    )
    two_countries = leading(("a", "CN", 1000.0), ("b", "US", 900.0))
    assert narrative.leading_risers_sentence(
        two_countries, riser_table(("a", 9.0, 1.0), ("b", 8.0, 1.0))
    ).startswith("All 2 leading cities are among the 2 fastest risers overall.")


def test_the_largest_relative_rises_are_only_said_to_lead_when_no_outsider_can_beat_them():
    lead = leading(("a", "CN", 1000.0), ("b", "US", 120.0))
    risers = riser_table(("a", 60.0, 6.38), ("x", 50.0, 80.0))
    unsettled = narrative.leading_risers_sentence(lead, risers, top=1)
    # b, outside the table, gained at most 50 on a Share of 120: up to 50 / 70 = 71.43 %
    assert (
        "Among the leading cities in the riser table, the largest relative rise is that of "
        "A (6.38%); one outside it could have risen by as much as 71.43%" in unsettled
    )
    assert "无法确定" in narrative.leading_risers_sentence(lead, risers, "zh", top=1)
    fallers = narrative.leading_risers_sentence(lead, riser_table(("a", -5.0, -0.5)))
    assert fallers == (
        "One of the 2 leading cities, A (CN), is the fastest riser overall. The other "
        "one, B, is not in that table, so it lost at least 5.00."
    )


def test_what_the_subjects_say_together_all_some_none_and_named_only():
    risers = {
        "Earth": (places(*["CN"] * 10, "UK"), True),
        "Biology": (places(*["CN"] * 7, "US", "CN", "US", "CN"), True),
        "Physics": (places(*["US"] * 10), True),
        "Chemistry": (places("CN", "CN"), False),
    }
    sentence = narrative.subjects_sentence(2022, risers)
    assert sentence.startswith(
        "Besides the overall ranking, the 2022 data cover four subject areas: "
        "Earth, Biology, Physics and Chemistry. C1 rose the most in every one of them; second "
        "came C2 in Earth, Biology, Physics and Chemistry."
    )
    assert (
        "In Earth, the ten fastest risers are all in CN; in Biology, eight of the ten are in CN "
        "and two are not (C8 and C10); in Physics, none of the ten is in CN." in sentence
    )
    assert sentence.endswith(
        "For Chemistry, the supplement names only the first two risers, so the book cannot "
        "check where the others are."
    )
    # a subject whose page quotes what the supplement says of its risers is pointed to, so that
    # the two pages do not seem to disagree
    quoted = narrative.subjects_sentence(2022, risers, quoted={"Chemistry"})
    assert quoted.endswith(
        "so the book cannot check where the others are; the Chemistry page quotes what the "
        "supplement says of them."
    )
    assert narrative.subjects_sentence(2022, risers, "zh", quoted={"Chemistry"}).endswith(
        "本书无法核查其余城市位于何处；增刊对此的说法见Chemistry的页面。"
    )
    zh = narrative.subjects_sentence(2022, risers, "zh")
    assert zh.startswith(
        "除整体排名外，2022年的数据涵盖4个学科类别：Earth、Biology、Physics和Chemistry。"
    )
    assert (
        "Earth上升最快的前十名全部位于CN；Biology的前十名中有8个位于CN，另有2个不在CN（C8和C10）"
        in zh
    )
    assert "Physics的前十名中没有CN城市" in zh


def test_the_first_and_second_places_of_the_subjects():
    two = {
        "A": (cities(("X", "CN"), ("Y", "CN")), True),
        "B": (cities(("Z", "CN"), ("W", "CN")), True),
    }
    sentence = narrative.subjects_sentence(2022, two)
    assert (
        "The largest rise was X's in A and Z's in B, and a different city came second in each: "
        "Y in A and W in B." in sentence
    )
    assert "增量最大的城市：A是X，B是Z；第二名各不相同：A是Y，B是W" in narrative.subjects_sentence(
        2022, two, "zh"
    )
    assert narrative.subjects_sentence(2022, {}) == ""
    one = narrative.subjects_sentence(2023, {"Health": (cities(("X", "CN"), ("Y", "US")), True)})
    assert one == (
        "Besides the overall ranking, the 2023 data cover one subject area: Health. In it, X rose "
        "the most, ahead of Y. In Health, one of the two is in CN and one is not (Y)."
    )


def city_pairs(*pairs):
    return pd.DataFrame(
        [(a.upper(), b.upper(), a, b) for a, b in pairs],
        columns=["city1", "city2", "city1_id", "city2_id"],
    )


def leading_overall(*rows):
    """The leading cities overall: (city id, country id), in rank order."""
    return pd.DataFrame(
        [(c, c.upper(), country) for c, country in rows], columns=["city_id", "city", "country_id"]
    )


def test_the_countrys_leading_cities_in_its_partnerships_all_some_none():
    lead = leading_overall(("a", "US"), ("b", "CN"), ("c", "US"), ("d", "US"))
    all_three = city_pairs(("a", "c"), ("d", "e"))
    assert narrative.leaders_sentence(all_three, lead, "US") == (
        "All three of this country's cities in the leading ten overall take part in these pairs "
        "(A, C and D); these pairs also involve E."
    )
    assert narrative.leaders_sentence(all_three, lead, "US", "zh") == (
        "该国进入整体前十名的3个城市（A、C和D）都参与了这些合作；参与合作的其他城市是E。"
    )
    some = city_pairs(("a", "e"), ("a", "f"))
    assert narrative.leaders_sentence(some, lead, "US") == (
        "One of this country's three cities in the leading ten overall takes part in these pairs "
        "(A); C and D do not; these pairs also involve E and F."
    )
    assert narrative.leaders_sentence(some, lead, "US", "zh") == (
        "该国进入整体前十名的3个城市中，A参与了这些合作，C和D没有；参与合作的其他城市是E和F。"
    )
    assert narrative.leaders_sentence(city_pairs(("e", "f")), lead, "US") == (
        "None of this country's three cities in the leading ten overall takes part in these "
        "pairs; these pairs also involve E and F."
    )
    assert narrative.leaders_sentence(city_pairs(("b", "f")), lead, "CN") == (
        "B, this country's one city in the leading ten overall, takes part in these pairs; these "
        "pairs also involve F."
    )
    assert narrative.leaders_sentence(city_pairs(("e", "f")), lead, "JP") == (
        "No city of this country is in the leading ten overall."
    )
    assert narrative.leaders_sentence(city_pairs(("e", "f")), lead, "JP", "zh") == (
        "该国没有城市进入整体前十名。"
    )


def test_abbreviations_are_explained_once_each_and_only_where_they_occur():
    texts = ["New York MA", "YOY Change", "Bilateral CS", "CS1"]
    assert narrative.abbreviations_sentence(texts) == (
        "MA stands for metropolitan area, CS for collaboration score and YOY for year on year."
    )
    assert narrative.abbreviations_sentence(texts, explained=["CS", "YOY"]) == (
        "MA stands for metropolitan area."
    )
    assert narrative.abbreviations_sentence(["CS1", "MAP", "Beijing"]) == ""
    assert narrative.abbreviations_sentence(["北京", "纽约都市圈"], "zh") == ""
    assert narrative.abbreviations_sentence(["Seoul MA†"], "zh") == "MA指都市圈。"


def ledger_rows():
    def row(
        id, edition, printed, page="", statement="", note="", note_zh="", rule="not_checkable"
    ):
        return dict(
            id=id,
            edition=edition,
            printed=printed,
            page=page,
            statement=statement,
            note=note,
            note_zh=note_zh,
            rule=rule,
        )

    return [
        row("size", "en", "20", rule="count:leading-cities"),
        row("n", "en", "six", "p", "{n} of the leading {size} are in X", "needs a list"),
        row("m", "en", "5%", "p", "Y fell by {m}", "needs last year"),
        row("k", "en", "4", "q", "Z has {k}", "needs Z"),
        row("zh-size", "zh", "前 20 名", rule="count:leading-cities"),
        row("zh-n", "zh", "6个", "p", "{size}中有{n}位于X", note_zh="需要名单"),
    ]


def test_what_a_page_cannot_check_none_one_many_from_the_ledger():
    rows = ledger_rows()
    assert narrative.unchecked_sentence(rows, "p") == (
        "The supplement makes two further statements that the book cannot check: that six of the "
        "leading 20 are in X (needs a list); and that Y fell by 5% (needs last year)."
    )
    assert narrative.unchecked_sentence(rows, "q") == (
        "The supplement also states that Z has 4; the book cannot check this (needs Z)."
    )
    # the Chinese page: the Chinese edition's rows, its printed figures without the print's spaces
    assert narrative.unchecked_sentence(rows, "p", "zh") == (
        "增刊还指出，前20名中有6个位于X；本书无法核查这一点（需要名单）。"
    )
    assert narrative.unchecked_sentence(rows, "r") == ""
    assert narrative.unchecked_sentence([], "p") == ""


def prose(lang: str | None = None) -> list[tuple[str, str]]:
    """(where, markdown) of every prose cell of the templates and every narrative page, or of
    those of one language."""
    out = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            tags = cell.metadata.get("tags", [])
            if cell.cell_type == "markdown" and (lang is None or f"lang-{lang}" in tags):
                out.append((f"{path.name} cell {i}", cell.source))
    for path in sorted((REPO / "book").glob("*.md")):
        if lang is None or path.stem.endswith("-zh") == (lang == "zh"):
            out.append((path.name, path.read_text(encoding="utf-8")))
    return out


def test_what_the_prose_marks_bold_is_bold():
    """Emphasis next to a Chinese character or a glued value only opens or closes where the
    CommonMark rules let it (a `**` before `{glue:…}` right after a Chinese character stays two
    asterisks on the page): every `**` of the prose must become bold."""
    md = MarkdownIt("commonmark")
    for where, text in prose():
        html = re.sub(r"<code>.*?</code>", "", md.render(text), flags=re.S)
        assert "**" not in html, where


CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"


def test_chinese_prose_has_no_line_break_inside_a_paragraph():
    """A line break inside a paragraph is a space in HTML: between Chinese words it is a stray
    space ("占 中国"), and so is one after a full-width comma."""
    for where, text in prose("zh"):
        text = re.sub(r"```.*?```", "", text, flags=re.S)
        broken = re.search(rf".{{0,12}}(?:{CJK}\n(?=[^\n#\-*\d])|(?<=[^\n])\n{CJK})", text)
        assert not broken, f"{where}: {broken.group(0)!r}"


def test_a_first_place_within_the_margin_is_said_to_be_unsettled():
    """The biological-sciences risers of 2022: Beijing 73.83 ahead of Shanghai 73.70, each ± about
    60: the page must not present that order as a fact; a clear lead gets no sentence."""
    close = pd.DataFrame(
        {"city": ["Beijing", "Shanghai"], "change": [73.83, 73.70], "se_high": [30.0, 33.0]}
    )
    assert narrative.first_place_sentence(close) == (
        "But Beijing's lead over Shanghai, 0.13, lies within the margin of their difference "
        "(±87.41 at 95%), so which of the two rose more is not settled."
    )
    assert "尚无定论" in narrative.first_place_sentence(close, "zh")
    clear = close.assign(change=[607.99, 273.07])
    assert narrative.first_place_sentence(clear) == (
        "Beijing's lead over Shanghai, 334.92, exceeds the margin of their difference "
        "(±87.41 at 95%): the first place is settled."
    )
    risers = {"Biology": (places("CN", "CN"), True), "Earth": (places("CN", "CN"), True)}
    sentence = narrative.subjects_sentence(2022, risers, unsettled={"Biology"})
    assert "In Biology, the first two are closer than the margin of their difference" in sentence
    assert "Earth, the first two" not in sentence


def test_a_country_that_takes_the_article_has_it_in_a_sentence():
    """ "four in the United States of America (USA)", "five in China"; a table and a title keep the
    name as it is, and a Chinese sentence has no article."""
    table = places("CN", "US", "US", "CN", "CN")
    table["country"] = table["country"].replace({"US": "United States of America (USA)"})
    sentence = narrative.country_majority_sentence(table, 5)
    assert sentence.endswith("three in CN and two in the United States of America (USA).")
    assert in_prose("United Kingdom (UK)") == "the United Kingdom (UK)"
    assert in_prose("China") == "China" and in_prose("United Kingdom (UK)", "zh").startswith("U")


def test_the_leading_page_says_which_of_its_first_two_places_is_not_settled():
    """New York MA (1,924.53) and Shanghai (1,919.13) cannot be told apart: the sentence after
    "New York MA follows" says so, from the rank sets the intervals page shows."""
    data = load_year(2022)
    assert narrative.top_places_facts(data)["top_places_sentence"] == (
        "New York MA's place is not settled: within the margins of the Shares (95%) it could be "
        "second or third."
    )
    assert "第二或第三名" in narrative.top_places_facts(data, "zh")["top_places_sentence"]


def test_the_strongest_pair_says_whether_its_first_place_is_settled():
    """Boston MA / New York MA leads the American pairs, but could rank first to third."""
    assert narrative.first_pair_sentence(RankSet(1, 3)) == (
        "Its first place is not settled, though: within the margins (95%) it could rank first "
        "to third."
    )
    assert narrative.first_pair_sentence(RankSet(1, 1), "zh") == "这一第一名是确定的（95%）。"
    assert narrative.first_pair_sentence(None) == ""


def test_the_rank_history_says_when_its_biggest_moves_may_lie_within_the_uncertainty():
    """Tokyo MA's fall of two places: its rank set this year runs from seventh to tenth."""
    data = load_year(2022)
    sentence = narrative.rank_move_facts(tables.rank_history(data), data)["moves_caveat_sentence"]
    assert "Tokyo MA could rank seventh to tenth" in sentence
    assert "a move of a few places may lie within the uncertainty" in sentence
