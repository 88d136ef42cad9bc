"""The book in Chromium with the network cut off: every English page as a reader meets it
(tests/pagecheck.py: tests/test_browser_zh.py checks the Chinese ones), search in both languages,
the charts' menu and links, sorting, filtering, following a city, fonts and cross links."""

import contextlib
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import pagecheck
from analysis.i18n import t
from analysis.pipeline.editions import LANGUAGES, page_doc
from pagecheck import (
    HTML,
    PAGES,
    PHONE,
    Tab,
    check_page,
    is_chinese,
    wait_for_charts,
)


def test_the_book_has_pages():
    assert len(PAGES) >= 28  # 13 pages in each language, and the two introductions


@pytest.mark.parametrize(
    "path", [p for p in PAGES if not is_chinese(p)], ids=lambda p: str(p.relative_to(HTML))
)
def test_page_works_offline_and_reads_well_on_a_laptop_and_a_phone(tab, axe, path):
    check_page(tab, axe, path)


@pytest.mark.parametrize(
    "lang, query, expected",
    [
        # rank-history names Beijing in its table only: table text is searched too
        (
            "en",
            "Beijing",
            ["leading-cities", "institutions-beijing", "partnerships-china", "rank-history"],
        ),
        ("en", "chemistry", ["risers-chemistry"]),
        ("zh", "北京", ["leading-cities", "institutions-beijing", "partnerships-china"]),
        ("zh", "西安", ["leading-cities", "risers-physical-sciences"]),
        ("zh", "化学", ["risers-chemistry"]),
        # a query of several words: the index holds 上升 and 最快, 都市 (jieba's words)
        ("zh", "上升最快", ["risers-overall", "risers-chemistry", "risers-biological-sciences"]),
        ("zh", "都市圈", ["leading-cities", "partnerships-usa"]),
    ],
)
def test_search_finds_the_pages_that_name_a_city_or_a_subject(tab, lang, query, expected):
    """Sphinx's search in both books (the Chinese index is segmented into words by jieba)."""
    search = HTML / LANGUAGES[lang].html / "search.html"
    page = tab.open(search)
    errors = tab.errors
    page.goto(f"{search.as_uri()}?q={query}")
    # Sphinx lists the results one by one, 5 ms apart, and writes its summary line only when it
    # is done. (Not its pulse: Sphinx 7.4's pulse timer, firing after the search stopped it,
    # starts it again, so "_pulse_status === -1" holds for under 500 ms and a busy CI missed it.)
    page.wait_for_function(
        "() => document.querySelector('#search-results p.search-summary')?.innerText",
        timeout=30_000,  # (a wait, not a measure: the machine may be busy with other tests)
    )
    found = page.locator("#search-results ul.search li a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    pages = {Path(href.split("?")[0].split("#")[0]).stem for href in found}
    assert set(expected) <= pages, (query, sorted(pages))
    # Sphinx's search fetches each result page for a snippet, which a browser refuses from
    # file:// (the results are listed all the same); any other error counts.
    snippets = ("Access to fetch at 'file://", "Failed to load resource", "Failed to fetch")
    assert [e for e in errors if not any(s in e for s in snippets)] == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("toggle, dialog", [("primary", 10), ("secondary", 1)])
def test_the_menu_buttons_open_the_navigation_on_a_phone(tab, lang, toggle, dialog):
    """The visible menu button (the chapters) and contents button (the page's sections) open
    their dialog at 390 px (book/_static/sc-theme.js: the theme bound only a hidden copy)."""
    path = HTML / LANGUAGES[lang].html / f"{page_doc(2022, lang, 'leading-cities')}.html"
    page = tab.open(path, PHONE)
    errors = tab.errors
    buttons = page.locator(f".{toggle}-toggle")
    visible = [i for i in range(buttons.count()) if buttons.nth(i).is_visible()]
    assert visible, f"no visible {toggle} toggle"
    buttons.nth(visible[0]).click()
    modal = page.locator(f"#pst-{toggle}-sidebar-modal")
    page.wait_for_function(
        f"() => document.querySelector('#pst-{toggle}-sidebar-modal').open", timeout=5_000
    )
    assert modal.locator("a").count() >= dialog  # the links a reader came for
    assert errors == []


def test_a_reader_can_link_to_a_chart_and_save_it(tab):
    path = HTML / "book" / "generated" / "2022" / "leading-cities.html"
    page = tab.open(path)
    wait_for_charts(page)
    figure = page.locator("figure#chart-leading-share")
    assert figure.locator("figcaption a").get_attribute("href") == "#chart-leading-share"
    figure.locator("details summary").click()
    actions = figure.locator(".vega-actions a").all_inner_texts()
    assert actions == ["Save as SVG", "Save as PNG"]
    with page.expect_download() as download:
        figure.locator(".vega-actions a", has_text="PNG").click()
    assert download.value.suggested_filename.endswith(".png")


def test_printed_inputs_are_drawn_lighter_than_recomputed_values(tab):
    """The sentence says the printed percentages are the lighter bars: so they must be, in both
    editions."""
    for path in (p for p in PAGES if p.name == "leading-cities.html"):
        page = tab.open(path)
        chart = page.locator("figure.sc-chart").nth(1)
        chart.locator("svg").first.wait_for(state="attached")
        opacities = chart.evaluate("""f =>
        [...f.querySelectorAll('path[role="graphics-symbol"]')]
            .map(e => [e.getAttribute('aria-label') || '',
            parseFloat(e.getAttribute('fill-opacity') ?? e.getAttribute('opacity') ??
            '1')])""")
        lang = "zh" if is_chinese(path) else "en"
        as_printed = f"{t('basis', lang)}: {t('printed_input', lang)}"
        printed = [o for label, o in opacities if as_printed in label]
        recomputed = [o for label, o in opacities if label and as_printed not in label]
        assert len(printed) == 4 and len(recomputed) == 16, path
        assert max(printed) < min(recomputed), (path, printed, recomputed)


def test_charts_have_a_text_alternative_and_tooltips(tab):
    path = next(p for p in PAGES if p.name == "leading-cities.html")
    page = tab.open(path)
    figure = page.locator("figure.sc-chart").first
    assert "Bar chart" in figure.get_attribute("aria-label")
    figure.locator("svg").first.wait_for(state="attached")
    page.locator("figure.sc-chart path[role='graphics-symbol']").first.hover()
    page.locator("#vg-tooltip-element.visible").wait_for(timeout=5_000)
    assert "Share" in page.locator("#vg-tooltip-element").inner_text()


def test_every_page_links_to_its_other_edition():
    """Each language is a book of its own; every page links to the same page in the other one."""

    for path in PAGES:
        html = path.read_text(encoding="utf-8")
        label = "English edition" if is_chinese(path) else "中文版"
        (href,) = re.findall(rf'<a href="([^"]+)">{label}</a>', html)
        target = (path.parent / href).resolve()
        assert target.is_file() and is_chinese(target) != is_chinese(path), (path, href)


def test_chinese_pages_are_chinese_throughout_and_english_pages_english():
    """The theme's own words (search, previous/next, code toggles, footer) follow the page's
    language: one Sphinx build per language."""
    theme_words = {"en": ["Search this book", "Copyright"], "zh": ["搜索本书…", "作者："]}
    neighbours = {"en": (">previous<", ">next<"), "zh": (">上一页<", ">下一页<")}
    english_only = [
        "Search this book",
        "Show code cell",
        "Hide code cell",
        "Copyright",
        "Previous",
        "Next",
    ]
    for path in PAGES:
        html = path.read_text(encoding="utf-8")
        lang = "zh" if is_chinese(path) else "en"
        assert all(word in html for word in theme_words[lang]), (path, theme_words[lang])
        assert any(word in html for word in neighbours[lang]), path
        if lang == "zh":
            assert 'lang="zh-CN"' in html
            assert [w for w in english_only if w in html] == [], path


def test_chinese_charts_have_a_cjk_font(tab):
    """Without a CJK font the labels draw as boxes; the font must be there and chosen by the
    chart."""
    path = next(p for p in PAGES if "2022-zh" in p.parts and "partnerships-china" in p.name)
    page = tab.open(path)
    page.locator("figure.sc-chart svg").first.wait_for(state="attached")
    assert page.evaluate("document.fonts.check('12px \"Noto Sans CJK SC\"', '北京')")
    label = page.locator("figure.sc-chart svg text", has_text="北京").first
    assert "Noto Sans CJK SC" in label.evaluate(
        "e => getComputedStyle(e).fontFamily + (e.getAttribute('font-family') || '')"
    )


def test_a_table_sorts_by_any_column_and_filters_by_city_or_country(tab):
    path = next(p for p in PAGES if p.name == "leading-cities.html" and "2022" in p.parts)
    page = tab.open(path)
    table = page.locator("table.sc-table").first
    first_column = lambda: table.locator("tbody tr:visible td:nth-child(2)").all_inner_texts()  # noqa: E731
    assert first_column()[0] == "Beijing"
    table.locator("th button.sc-sort").nth(1).click()  # City/Metro, A to Z
    names = first_column()
    assert names == sorted(names, key=str.lower) and names[0] != "Beijing"
    table.locator("th button.sc-sort").nth(4).click()  # Count, smallest first
    counts = [
        int(c.replace(",", ""))
        for c in table.locator("tbody tr td:nth-child(5)").all_inner_texts()
    ]
    assert counts == sorted(counts)
    page.locator("input.sc-filter").first.fill("Japan")
    assert first_column() == ["Tokyo MA"]
    # the data spell Xi’an with a curly apostrophe; a reader types a straight one, or none
    for typed in ("xi'an", "Xian", "XI’AN"):
        page.locator("input.sc-filter").first.fill(typed)
        assert first_column() == ["Xi’an"], typed
    assert page.locator("p.sc-no-rows").first.is_hidden()
    page.locator("input.sc-filter").first.fill("Atlantis")  # no row: the table says so
    assert first_column() == [] and page.locator("p.sc-no-rows").first.is_visible()
    assert page.locator("p.sc-no-rows").first.inner_text() == "No row holds this text."


def test_a_rank_set_open_below_sorts_after_every_rank(tab):
    """ "or lower" is the worst end a rank set can have: it sorts last, not first."""
    path = next(p for p in PAGES if p.name == "intervals.html" and "2022" in p.parts)
    page = tab.open(path)
    table = page.locator("table.sc-table").first
    headers = table.locator("th").all_inner_texts()
    column = next(i for i, h in enumerate(headers) if h.startswith("Rank set: to"))
    table.locator("th button.sc-sort").nth(column).click()  # best first
    ends = table.locator(f"tbody tr td:nth-child({column + 1})").all_inner_texts()
    assert "or lower" in ends and ends[0] != "or lower"
    assert ends[ends.index("or lower") :] == ["or lower"] * ends.count("or lower")


def test_the_rank_chart_labels_the_data_year_on_a_phone(tab):
    """At 390 px the years are labelled every other one, counted back from the data year."""
    path = next(p for p in PAGES if p.name == "rank-history.html" and "2022" in p.parts)
    page = tab.open(path, PHONE)
    wait_for_charts(page)
    shown = """() => [...(document.querySelector('figure.sc-chart svg g.role-axis-label')
                         ?.querySelectorAll('text') || [])]
        .filter(t => t.getAttribute('opacity') !== '0' && t.textContent)
        .map(t => t.textContent)"""
    expected = ["2016", "2018", "2020", "2022"]
    # (the chart may draw once more as it takes its container's width: wait for what it settles to)
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            f"() => ({shown})().join() === {json.dumps(','.join(expected))}", timeout=5_000
        )
    assert page.evaluate(shown) == expected


def test_the_rank_chart_lets_a_reader_follow_one_city(tab):
    path = next(p for p in PAGES if p.name == "rank-history.html" and "2022" in p.parts)
    page = tab.open(path)
    menu = page.locator("figure.sc-chart select").first
    menu.wait_for(state="attached")
    options = menu.locator("option").all_inner_texts()
    assert options[0] == "all cities" and "Wuhan" in options
    menu.select_option(label="Wuhan")
    faded = "figure.sc-chart path[role='graphics-symbol'][opacity='0.15']"
    # every other city's line fades (Vega redraws asynchronously after the choice)
    page.wait_for_function(
        f'() => document.querySelectorAll("{faded}").length >= 9', timeout=5_000
    )


def test_the_old_address_of_a_page_sends_the_reader_to_its_new_one(tab):
    """Pages were once named by their place in the book (book/moved.csv): a link from before the
    renaming still arrives."""
    old = HTML / "zh" / "book" / "generated" / "2022-zh" / "03-04-riser-mentions-chemistry.html"
    page = tab.open(old)
    page.wait_for_url("**/risers-chemistry.html", timeout=5_000)
    assert page.locator("h1").first.inner_text().startswith("上升最快的城市：化学")


@pytest.mark.parametrize(
    "planted, complaint",
    [
        ('<div style="width:1600px">a line too wide</div>', "page scrolls sideways"),
        ('<img src="https://example.org/logo.png" alt="logo">', "network requests"),
    ],
)
def test_the_page_check_fails_a_page_that_a_reader_would_see_broken(
    browser, axe, planted, complaint, monkeypatch
):
    """check_page can fail: a page with something planted in it (by a script in a tab of its own,
    so that no file of the shared build is touched) fails for that reason."""
    monkeypatch.setattr(pagecheck, "SETTLE_MS", 500)  # the planted fault never settles
    tab = Tab(browser)
    tab.context.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => "
        f"document.body.insertAdjacentHTML('afterbegin', {json.dumps(planted)}))"
    )
    try:
        with pytest.raises(AssertionError, match=complaint):
            check_page(tab, axe, HTML / f"{page_doc(2022, 'en', 'leading-cities')}.html")
    finally:
        tab.close()
