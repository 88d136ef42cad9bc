"""Open every page of the built book in Chromium with the network cut off: every chart draws, every
table is there, no request leaves the file system, no page error is raised."""

import json
import shutil
from pathlib import Path

import pytest

from analysis.paths import BUILD, REPO

HTML = BUILD / "html"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Page kinds that draw no chart: a subject with no printed riser table, and the audit.
CHARTLESS = ("riser-mentions", "audit")


def kind_of(path: Path) -> str | None:
    """The page kind of a generated page (from its executed notebook), None for a narrative one."""
    relative = path.relative_to(HTML / ("zh" if is_chinese(path) else ""))
    notebook = (REPO / relative).with_suffix(".ipynb")
    if not notebook.is_file():
        return None
    return json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["science_cities"]["kind"]


# One book per language: English at the top, Chinese in zh/.
PAGES = (
    sorted(HTML.glob("book/**/*.html")) + sorted(HTML.glob("zh/book/**/*.html"))
    if HTML.exists()
    else []
)


def is_chinese(path: Path) -> bool:
    return path.relative_to(HTML).parts[0] == "zh"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert HTML.exists(), "build the book first: make book"
    assert Path(CHROMIUM).exists(), "install Debian's chromium: make browser"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def open_offline(browser, path: Path):
    context = browser.new_context(offline=True)
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
LAPTOP, PHONE = 1280, 390


def layout_problems(page) -> list[str]:
    """What a reader would see wrong at the current width: code shown, a page that scrolls
    sideways, a chart wider than its column, text cut short with an ellipsis."""
    return page.evaluate("""() => {
        const out = [];
        document.querySelectorAll('.cell_input').forEach(e => {
            if (!e.closest('details:not([open])') && e.checkVisibility())
            out.push('visible code input');
        });
        const width = window.innerWidth;
        if (document.documentElement.scrollWidth > width) out.push('page scrolls sideways: ' +
        document.documentElement.scrollWidth + ' > ' + width);
        document.querySelectorAll('figure.sc-chart svg').forEach(svg => {
            const column = svg.closest('figure').parentElement.getBoundingClientRect().width;
            const w = svg.getBoundingClientRect().width;
            if (w > column + 1) out.push('chart wider than its column: ' + Math.round(w) + ' > ' +
            Math.round(column));
        });
        document.querySelectorAll('figure.sc-chart svg text').forEach(t => {
            if (t.textContent.includes('\u2026')) out.push('cut short: ' + t.textContent);
            const box = t.getBoundingClientRect();
            const frame = t.closest('svg').getBoundingClientRect();
            if (box.width && (box.left < frame.left - 1 || box.right > frame.right + 1))
                out.push('chart text cut at the edge: ' + t.textContent);
        });
        return out;
    }""")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(HTML)))
def test_page_works_offline_and_reads_well_on_a_laptop_and_a_phone(browser, path):
    context, page, errors, requests = open_offline(browser, path)
    try:
        page.set_viewport_size({"width": LAPTOP, "height": 900})
        charts = page.locator("figure.sc-chart")
        for i in range(charts.count()):
            charts.nth(i).locator("svg, canvas").first.wait_for(state="attached", timeout=10_000)
        source = path.read_text(encoding="utf-8")
        assert page.locator("table.sc-table").count() == source.count('<table class="sc-table">')
        if "generated" in path.parts and not any(part.startswith("common") for part in path.parts):
            assert page.locator("table.sc-table").count() >= 1
            if kind_of(path) not in CHARTLESS:
                assert charts.count() >= 1
        assert requests == [], f"network requests: {requests}"
        assert errors == [], f"page errors: {errors}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = str(path.relative_to(HTML).with_suffix("")).replace("/", "_")
        for width in (LAPTOP, PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(150)  # charts of width "container" redraw on resize
            assert layout_problems(page) == [], f"at {width} px"
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
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
            printed = [
                o
                for label, o in opacities
                if "(country Share unknown)" in label or "国家贡献份额未知" in label
            ]
            recomputed = [
                o
                for label, o in opacities
                if label
                and not ("(country Share unknown)" in label or "国家贡献份额未知" in label)
            ]
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


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_edition_has_a_pdf_with_its_fonts_and_a_page_per_chapter(lang):
    """The PDF is printed from the book by Chromium: it opens, has at least a page per chapter,
    carries its fonts (a CJK one for the Chinese edition), and the front page links to it."""
    import re
    import subprocess

    from analysis.pipeline.book import LANGUAGES
    from analysis.pipeline.pdf import FILE_NAMES, PDF_FOLDER

    pdf = HTML / PDF_FOLDER / FILE_NAMES[lang]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))
    chapters = [p for p in PAGES if is_chinese(p) == (lang == "zh")]
    assert pages >= len(chapters)
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded
    if lang == "zh":
        assert "WenQuanYiMicroHei" in fonts
    front = HTML / LANGUAGES[lang].html / f"{LANGUAGES[lang].pages[0]}.html"
    (href,) = re.findall(r'<a href="([^"]+\.pdf)">', front.read_text(encoding="utf-8"))
    assert (front.parent / href).resolve() == pdf.resolve()
