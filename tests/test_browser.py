"""Open every page of the built book in Chromium with the network cut off, at a laptop's and a
phone's width, and check what a reader sees: every chart draws inside its box, every table is
there and on a phone shows its rank, names and key figures without scrolling, no Chinese name or
label breaks inside a word, no request leaves the file system, no page error is raised, axe-core
finds no WCAG 2.1 A/AA violation, and search finds pages in both languages."""

import json
import os
import shutil
from pathlib import Path

import pytest

from analysis.i18n import t
from analysis.paths import BUILD, REPO
from analysis.pipeline import pdf as print_module
from analysis.pipeline.editions import LANGUAGES

HTML = BUILD / "html"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Page kinds that draw no chart: a subject with no printed riser table, and the audit.
CHARTLESS = ("riser-mentions", "audit")
# The pages of each language's book, as its table of contents lists them.
PAGES = [
    HTML / language.html / f"{chapter.doc}.html"
    for language in LANGUAGES.values()
    if (REPO / language.toc).is_file()
    for chapter in print_module.chapters(REPO / language.toc)
]


def is_chinese(path: Path) -> bool:
    return path.relative_to(HTML).parts[0] == "zh"


def kind_of(path: Path) -> str | None:
    """The page kind of a generated page (from its executed notebook), None for a narrative one."""
    relative = path.relative_to(HTML / ("zh" if is_chinese(path) else ""))
    notebook = (REPO / relative).with_suffix(".ipynb")
    if not notebook.is_file():
        return None
    return json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["science_cities"]["kind"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert HTML.exists(), "build the book first: make book"
    assert Path(CHROMIUM).exists(), "install Debian's chromium: make browser"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def open_offline(browser, path: Path, width: int = 1280):
    context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None
    )

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return context, page, errors, requests


def test_the_book_has_pages():
    assert len(PAGES) >= 28  # 13 pages in each language, and the two introductions


SHOTS = BUILD / "screenshots"  # full-page screenshots at both widths, for a person to look at
TAKE_SHOTS = os.environ.get("SCREENSHOTS") == "1"  # make screenshots
LAPTOP, PHONE = 1280, 390

LAYOUT = """() => {
    const out = [];
    document.querySelectorAll('.cell_input').forEach(e => {
        if (!e.closest('details:not([open])') && e.checkVisibility())
            out.push('visible code input');
    });
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth > width)
        out.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + width);
    document.querySelectorAll('figure.sc-chart svg').forEach(svg => {
        const column = svg.closest('figure').parentElement.getBoundingClientRect().width;
        const box = svg.getBoundingClientRect();
        if (box.width > column + 1)
            out.push('chart wider than its column: ' + Math.round(box.width) + ' > ' +
                     Math.round(column));
        svg.querySelectorAll('text, [role="graphics-symbol"]').forEach(mark => {
            const r = mark.getBoundingClientRect();
            if (!r.width && !r.height) return;
            if (mark.tagName === 'text' && mark.textContent.includes('\u2026'))
                out.push('cut short: ' + mark.textContent);
            if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 ||
                r.bottom > box.bottom + 1)
                out.push('outside its chart: ' + (mark.textContent ||
                         mark.getAttribute('aria-label') || mark.tagName).slice(0, 60));
        });
    });
    return out;
}"""

# At a phone's width: the key cells (rank, names, the figures the page is about) of the header and
# the first rows of every table lie inside the screen and inside the table's own box, unscrolled;
# in a table shown as cards, every cell does.
KEY_CELLS = """() => {
    const out = [];
    const width = window.innerWidth;
    document.querySelectorAll('table.sc-table').forEach((table, n) => {
        const wrap = table.closest('.sc-table-wrap');
        const box = wrap.getBoundingClientRect();
        const right = Math.min(width, box.right), left = Math.max(0, box.left);
        const cards = wrap.classList.contains('sc-cards');
        const rows = [table.tHead.rows[0], ...Array.from(table.tBodies[0].rows).slice(0, 3)];
        rows.forEach(row => Array.from(row.cells).forEach(cell => {
            if (!cards && !cell.classList.contains('sc-key')) return;
            if (cards && row.parentElement.tagName === 'THEAD') return;
            const r = cell.getBoundingClientRect();
            if (!r.width || r.left < left - 1 || r.right > right + 1)
                out.push('table ' + n + ': "' + cell.textContent.trim().slice(0, 30) + '" at ' +
                         Math.round(r.left) + '-' + Math.round(r.right) + ' of ' +
                         Math.round(right));
        }));
    });
    return out;
}"""

# Chinese: a table cell or a chart label breaks only where a name allows it (after a hyphen or a
# full-width comma, or after 中国科学院: analysis.charts.CJK_BREAKS_AFTER), never inside a word.
CJK_BREAKS = """() => {
    const cjk = /[\u3000-\u9fff]/;
    const allowed = line => /[-－、，：\\s]$/.test(line) || line.endsWith('中国科学院');
    const out = [];
    document.querySelectorAll('table.sc-table td.sc-name').forEach(td => {
        if (!cjk.test(td.textContent)) return;
        const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
        let top = null, line = '', node;
        while ((node = walker.nextNode())) {
            if (!node.parentElement.checkVisibility()) continue;
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i); range.setEnd(node, i + 1);
                const r = range.getBoundingClientRect();
                if (!r.height) continue;
                if (top !== null && r.top > top + r.height / 2) {
                    if (cjk.test(line) && !allowed(line))
                        out.push('cell breaks after "' + line + '": ' + td.textContent.trim());
                    line = '';
                }
                top = r.top; line += node.data[i];
            }
        }
    });
    document.querySelectorAll('figure.sc-chart svg text').forEach(text => {
        const lines = Array.from(text.querySelectorAll('tspan')).map(t => t.textContent);
        lines.slice(0, -1).forEach(line => {
            if (cjk.test(line) && !allowed(line)) out.push('label breaks after "' + line + '"');
        });
    });
    return out;
}"""

# axe-core's rules for WCAG 2.1 levels A and AA, on everything but the charts' drawings: axe has
# no rule for a chart's marks (WCAG 1.4.11, tested by test_chart_colours in tests/test_charts.py),
# and its text contrast check, which costs seconds per chart, is CHART_TEXT below, for each label.
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
NOT_THE_DRAWINGS = {"exclude": [["figure.sc-chart svg"]]}

# Every label of a chart is drawn in a colour of at least 4.5:1 against the page (WCAG 1.4.3).
CHART_TEXT = r"""() => {
    const channel = c => {
        c /= 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    const out = [];
    document.querySelectorAll('figure.sc-chart svg text').forEach(text => {
        const rgb = getComputedStyle(text).fill.match(/[\d.]+/g);
        if (!rgb || text.getAttribute('opacity') === '0') return;
        const [r, g, b] = rgb.map(Number), alpha = rgb.length > 3 ? Number(rgb[3]) : 1;
        const blend = c => alpha * c + (1 - alpha) * 255;
        const l = 0.2126 * channel(blend(r)) + 0.7152 * channel(blend(g)) +
                  0.0722 * channel(blend(b));
        const ratio = 1.05 / (l + 0.05);
        if (ratio < 4.5) out.push(text.textContent.slice(0, 30) + ': ' + ratio.toFixed(2));
    });
    return out;
}"""


REDRAWN = """() => [...document.querySelectorAll('figure.sc-chart')].every(f => {
    const svg = f.querySelector('svg');
    return svg && svg.getBoundingClientRect().width <= f.getBoundingClientRect().width + 1;
})"""


def wait_for_charts(page) -> None:
    charts = page.locator("figure.sc-chart")
    for i in range(charts.count()):
        charts.nth(i).locator("svg, canvas").first.wait_for(state="attached", timeout=10_000)


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(HTML)))
def test_page_works_offline_and_reads_well_on_a_laptop_and_a_phone(browser, axe, path):
    context, page, errors, requests = open_offline(browser, path)
    try:
        wait_for_charts(page)
        charts = page.locator("figure.sc-chart")
        source = path.read_text(encoding="utf-8")
        assert page.locator("table.sc-table").count() == source.count('<table class="sc-table">')
        if "generated" in path.parts and not any(part.startswith("common") for part in path.parts):
            assert page.locator("table.sc-table").count() >= 1
            if kind_of(path) not in CHARTLESS:
                assert charts.count() >= 1
        assert requests == [], f"network requests: {requests}"
        assert errors == [], f"page errors: {errors}"
        violations = axe.run(page, NOT_THE_DRAWINGS, WCAG).response["violations"]
        assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == [], (
            "axe-core"
        )
        assert page.evaluate(CHART_TEXT) == [], "chart labels too faint"
        name = str(path.relative_to(HTML).with_suffix("")).replace("/", "_")
        for width in (LAPTOP, PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            # charts of width "container" redraw on resize: wait until each has its new width
            page.wait_for_function(REDRAWN, timeout=5_000)
            page.wait_for_timeout(100)  # (the marks follow the chart's new width a frame later)
            assert page.evaluate(LAYOUT) == [], f"at {width} px"
            if is_chinese(path):
                assert page.evaluate(CJK_BREAKS) == [], f"at {width} px"
            assert page.evaluate(KEY_CELLS) == [], f"at {width} px"
            if TAKE_SHOTS:
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize(
    "lang, query, expected",
    [
        ("en", "Beijing", ["leading-cities", "institutions-beijing", "partnerships-china"]),
        ("en", "chemistry", ["risers-chemistry"]),
        ("zh", "北京", ["leading-cities", "institutions-beijing", "partnerships-china"]),
        ("zh", "西安", ["leading-cities", "risers-physical-sciences"]),
        ("zh", "化学", ["risers-chemistry"]),
    ],
)
def test_search_finds_the_pages_that_name_a_city_or_a_subject(browser, lang, query, expected):
    """Sphinx's search in both books (the Chinese index is segmented into words by jieba)."""
    search = HTML / LANGUAGES[lang].html / "search.html"
    context, page, errors, _ = open_offline(browser, search)
    try:
        page.goto(f"{search.as_uri()}?q={query}")
        page.locator("#search-results ul.search li").first.wait_for(timeout=10_000)
        found = page.locator("#search-results ul.search li a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        pages = {Path(href.split("?")[0].split("#")[0]).stem for href in found}
        assert set(expected) <= pages, (query, sorted(pages))
        # Sphinx's search fetches each result page for a snippet, which a browser refuses from
        # file:// (the results are listed all the same); any other error counts.
        snippets = ("Access to fetch at 'file://", "Failed to load resource", "Failed to fetch")
        assert [e for e in errors if not any(s in e for s in snippets)] == []
    finally:
        context.close()


def test_a_reader_can_link_to_a_chart_and_save_it(browser):
    path = HTML / "book" / "generated" / "2022" / "leading-cities.html"
    context, page, _, _ = open_offline(browser, path)
    try:
        wait_for_charts(page)
        figure = page.locator("figure#chart-leading-share")
        assert figure.locator("figcaption a").get_attribute("href") == "#chart-leading-share"
        figure.locator("details summary").click()
        actions = figure.locator(".vega-actions a").all_inner_texts()
        assert actions == ["Save as SVG", "Save as PNG"]
        with page.expect_download() as download:
            figure.locator(".vega-actions a", has_text="PNG").click()
        assert download.value.suggested_filename.endswith(".png")
    finally:
        context.close()


def test_printed_inputs_are_drawn_lighter_than_recomputed_values(browser):
    """The sentence says the printed percentages are the lighter bars: so they must be, in both
    editions."""
    for path in (p for p in PAGES if p.name == "leading-cities.html"):
        context, page, _, _ = open_offline(browser, path)
        try:
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
        finally:
            context.close()


def test_charts_have_a_text_alternative_and_tooltips(browser):
    path = next(p for p in PAGES if p.name == "leading-cities.html")
    context, page, _, _ = open_offline(browser, path)
    try:
        figure = page.locator("figure.sc-chart").first
        assert "Bar chart" in figure.get_attribute("aria-label")
        figure.locator("svg").first.wait_for(state="attached")
        page.locator("figure.sc-chart path[role='graphics-symbol']").first.hover()
        page.locator("#vg-tooltip-element.visible").wait_for(timeout=5_000)
        assert "Share" in page.locator("#vg-tooltip-element").inner_text()
    finally:
        context.close()


def test_every_page_links_to_its_other_edition():
    """Each language is a book of its own; every page links to the same page in the other one."""
    import re

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


def test_chinese_charts_have_a_cjk_font(browser):
    """Without a CJK font the labels draw as boxes; the font must be there and chosen by the
    chart."""
    path = next(p for p in PAGES if "2022-zh" in p.parts and "partnerships-china" in p.name)
    context, page, _, _ = open_offline(browser, path)
    try:
        page.locator("figure.sc-chart svg").first.wait_for(state="attached")
        assert page.evaluate("document.fonts.check('12px \"Noto Sans CJK SC\"', '北京')")
        label = page.locator("figure.sc-chart svg text", has_text="北京").first
        assert "Noto Sans CJK SC" in label.evaluate(
            "e => getComputedStyle(e).fontFamily + (e.getAttribute('font-family') || '')"
        )
    finally:
        context.close()


def test_a_table_sorts_by_any_column_and_filters_by_city_or_country(browser):
    path = next(p for p in PAGES if p.name == "leading-cities.html" and "2022" in p.parts)
    context, page, _, _ = open_offline(browser, path)
    try:
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
    finally:
        context.close()


def test_the_rank_chart_lets_a_reader_follow_one_city(browser):
    path = next(p for p in PAGES if p.name == "rank-history.html" and "2022" in p.parts)
    context, page, _, _ = open_offline(browser, path)
    try:
        menu = page.locator("figure.sc-chart select").first
        menu.wait_for(state="attached")
        options = menu.locator("option").all_inner_texts()
        assert options[0] == "all cities" and "Wuhan" in options
        menu.select_option(label="Wuhan")
        page.wait_for_timeout(200)
        faded = page.locator(
            "figure.sc-chart path[role='graphics-symbol'][opacity='0.15']"
        ).count()
        assert faded >= 9  # every other city's line
    finally:
        context.close()


def test_the_old_address_of_a_page_sends_the_reader_to_its_new_one(browser):
    """Pages were once named by their place in the book (book/moved.csv): a link from before the
    renaming still arrives."""
    old = HTML / "zh" / "book" / "generated" / "2022-zh" / "03-04-riser-mentions-chemistry.html"
    context, page, _, _ = open_offline(browser, old)
    try:
        page.wait_for_url("**/risers-chemistry.html", timeout=5_000)
        assert page.locator("h1").first.inner_text().startswith("上升最快的城市：化学")
    finally:
        context.close()
