"""The PDFs as a reader holds them, checked in the PDF itself: every chart whole on its page (each
of its labels printed whole, its axis reaching its largest value), no heading stranded at the foot
of a page, the contents numbered with the pages the chapters start on, the Chinese title unbroken,
every font embedded."""

import functools
import json
import re
import subprocess
from collections import Counter
from html import unescape
from pathlib import Path

import pytest

from analysis.paths import BUILD, REPO
from analysis.pipeline import pdf
from analysis.pipeline.editions import LANGUAGES

HTML = BUILD / "html"
PX = 0.75  # points per CSS pixel
LANGS = [lang for lang, language in LANGUAGES.items() if (REPO / language.toc).is_file()]


def print_page(lang: str) -> Path:
    root = pdf.chapters(REPO / LANGUAGES[lang].toc)[0].doc
    return HTML / LANGUAGES[lang].html / Path(root).parent / pdf.PRINT_PAGE


def pdf_file(lang: str) -> Path:
    return HTML / pdf.PDF_FOLDER / pdf.FILE_NAMES[lang]


@functools.cache
def bbox_layout(path: Path) -> str:
    """pdftotext's words and lines of a PDF with their boxes (read once per test run: the PDFs
    do not change while the tests run)."""
    return subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def words(path: Path) -> dict[int, list[tuple[float, float, float, float, str]]]:
    """Every word of a PDF with its box (xMin, yMin, xMax, yMax in points), by page from 1."""
    out = bbox_layout(path)
    found: dict[int, list] = {}
    for number, page in enumerate(re.findall(r"<page [^>]*>(.*?)</page>", out, re.S), start=1):
        found[number] = [
            (float(a), float(b), float(c), float(d), unescape(text))
            for a, b, c, d, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)'
                r"</word>",
                page,
            )
        ]
    return found


def lines(path: Path) -> dict[int, list[tuple[float, str]]]:
    """Every line of a PDF (its top in points and its text), by page from 1."""
    out = bbox_layout(path)
    found = {}
    for number, page in enumerate(re.findall(r"<page [^>]*>(.*?)</page>", out, re.S), start=1):
        found[number] = [
            (float(top), " ".join(unescape(w) for w in re.findall(r">([^<]*)</word>", body)))
            for top, body in re.findall(
                r'<line xMin="[\d.]+" yMin="([\d.]+)"[^>]*>(.*?)</line>', page, re.S
            )
        ]
    return found


def specs(page: Path) -> dict[str, dict]:
    """The Vega-Lite spec of every chart of print.html, by its figure's id."""
    text = page.read_text(encoding="utf-8")
    found = re.findall(
        r'<figure class="sc-chart" id="([^"]+)".*?</figure>\s*<script>.*?var spec = (\{.*?\});\n',
        text,
        re.S,
    )
    return {chart: json.loads(spec.replace("<\\/", "</")) for chart, spec in found}


def x_maximum(spec: dict) -> float | None:
    """The largest value a chart draws on a quantitative x axis of its own making (None: it has
    none, or fixes the axis's domain itself)."""
    datasets = spec.get("datasets", {})
    best = None
    for view in [spec, *spec.get("layer", [])]:
        x = view.get("encoding", {}).get("x", {})
        if x.get("type") != "quantitative" or "domain" in x.get("scale", {}) or "axis" in x:
            continue
        data = datasets.get(view.get("data", spec.get("data", {})).get("name", ""), [])
        for field in filter(None, (x.get("field"), view["encoding"].get("x2", {}).get("field"))):
            values = [row[field] for row in data if isinstance(row.get(field), int | float)]
            if values:
                best = max([best or values[0], *values])
    return best


@pytest.fixture(scope="module")
def laid_out():
    """Each language's print.html as Chromium lays it out for paper (the width and media the PDF
    is printed with): for every chart, its box and the text of every label it draws."""
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=pdf.CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for lang in LANGS:
            context = browser.new_context(
                offline=True, viewport={"width": pdf.COLUMN_PX, "height": 1000}
            )
            page = context.new_page()
            page.emulate_media(media="print")
            page.goto(print_page(lang).as_uri())
            count = page.locator("figure.sc-chart").count()
            page.wait_for_function(
                f"document.querySelectorAll('figure.sc-chart svg').length >= {count}"
            )
            out[lang] = page.evaluate(
                """() => [...document.querySelectorAll('figure.sc-chart')].map(f => {
                    const svg = f.querySelector('svg'), box = svg.getBoundingClientRect();
                    const axes = [...svg.querySelectorAll('g[aria-label^="X-axis"]')]
                        .map(g => g.getAttribute('aria-label'));
                    return {id: f.id, top: f.getBoundingClientRect().top,
                            width: box.width, height: box.height, right: box.right,
                            // each line of each label, but those Vega hides where labels would
                            // overlap (drawn transparent) and the rotated axis titles (which a PDF
                            // reader's text does not keep whole)
                            labels: [...svg.querySelectorAll('text')]
                                .filter(t => t.getAttribute('opacity') !== '0' &&
                                        t.checkVisibility({opacityProperty: true}) &&
                                        !/rotate/.test(t.getAttribute('transform') || ''))
                                .flatMap(t => t.querySelector('tspan') ?
                                    [...t.querySelectorAll('tspan')].map(s => s.textContent) :
                                    [t.textContent]),
                            axes};
                })"""
            )
            context.close()
        browser.close()
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_is_whole_on_paper(lang, laid_out):
    """Every chart fits the printed column and every label it draws is printed whole on the page
    the chart stands on; its x axis reaches the chart's largest value."""
    document = pdf_file(lang)
    where = pdf.destinations(document.read_bytes())
    printed = words(document)
    chart_specs = specs(print_page(lang))
    assert laid_out[lang], "no charts in print.html"
    starts = sorted(where[chart["id"]] for chart in laid_out[lang])
    for chart in laid_out[lang]:
        assert chart["right"] <= pdf.COLUMN_PX + 1, (chart["id"], chart["right"])
        number, top = where[chart["id"]]
        # the chart's part of its page: down to the next chart's top, or the page's foot
        bottom = min([t for n, t in starts if n == number and t > top] or [float("inf")])
        on_page = Counter(w[4] for w in printed[number] if top - 2 <= w[1] < bottom)
        expected = Counter(word for label in chart["labels"] for word in label.split())
        missing = expected - on_page
        assert not missing, (chart["id"], number, sorted(missing)[:10])
        largest = x_maximum(chart_specs[chart["id"]])
        if largest is not None:
            ends = [
                float(m.group(1).replace(",", ""))
                for axis in chart["axes"]
                if (m := re.search(r"to (-?[\d,.]+)$", axis))
            ]
            assert ends and max(ends) >= largest - 1e-9, (chart["id"], chart["axes"], largest)


@pytest.mark.parametrize("lang", LANGS)
def test_no_heading_is_left_at_the_foot_of_a_page(lang):
    headings = {
        pdf.visible_text(h)
        for h in re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", print_page(lang).read_text(), re.S)
    }
    footer = re.compile(r"^\d+ / \d+$")
    for number, page_lines in lines(pdf_file(lang)).items():
        body = [text for _, text in sorted(page_lines) if not footer.match(text.strip())]
        if body:
            assert body[-1].strip() not in headings, (number, body[-1])


@pytest.mark.parametrize("lang", LANGS)
def test_the_contents_give_the_page_each_chapter_and_chart_starts_on(lang):
    page = print_page(lang).read_text(encoding="utf-8")
    targets = re.findall(r'<span class="sc-toc-page" data-target="([^"]+)">', page)
    where = pdf.destinations(pdf_file(lang).read_bytes())
    expected = [where[t][0] for t in targets]
    first_chapter = min(where[t][0] for t in targets if t.startswith("page-"))
    numbers = [
        int(m.group(1))
        for n, page_lines in lines(pdf_file(lang)).items()
        if n < first_chapter
        for _, text in sorted(page_lines)
        if (m := re.search(r"(\d+)$", text.strip())) and not re.match(r"^\d+ / \d+$", text)
    ]
    assert numbers == expected


def test_the_chinese_title_breaks_only_between_words():
    cover = lines(pdf_file("zh"))[1]
    title = LANGUAGES["zh"].config["title"]
    # (pdftotext puts spaces where the script changes; the line breaks are what matters)
    text = [re.sub(r"\s+", "", line) for _, line in sorted(cover)]
    for word in re.split(r"[\s：]+", title):
        assert any(word in line for line in text), (word, text)


@pytest.mark.parametrize("lang", LANGS)
def test_each_edition_has_a_pdf_with_its_fonts_and_a_page_per_chapter(lang):
    """The PDF is printed from the book by Chromium: it opens, has at least a page per chapter,
    carries its fonts (a CJK one for the Chinese edition), and the front page links to it."""
    document = pdf_file(lang)
    info = subprocess.run(
        ["pdfinfo", str(document)], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, flags=re.M).group(1))
    assert pages >= len(pdf.chapters(REPO / LANGUAGES[lang].toc))
    fonts = subprocess.run(
        ["pdffonts", str(document)], capture_output=True, text=True, check=True
    ).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded
    if lang == "zh":
        assert "WenQuanYiMicroHei" in fonts
    front = HTML / LANGUAGES[lang].html / f"{LANGUAGES[lang].pages[0]}.html"
    (href,) = re.findall(r'<a href="([^"]+\.pdf)">', front.read_text(encoding="utf-8"))
    assert (front.parent / href).resolve() == document.resolve()


def first_cells(page: Path) -> list[list[str]]:
    """The first two cells of every body row of every table of print.html, as printed text."""
    found = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", page.read_text(encoding="utf-8"), re.S):
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[:2]
            found.append([pdf.visible_text(cell) for cell in cells])
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_a_table_that_runs_onto_a_new_page_repeats_its_header_there(lang):
    """No page begins with a table's body row: a table split across pages shows its column
    headers again at the top of the next (Chromium repeats a table's header only when it holds no
    form control: the sort buttons are unboxed for print). A page begins with a body row when its
    top line starts with a row's first two cells (a rank and a name), or when the topmost word at
    the column's left edge begins a row's first cell (an id, which may wrap, in a row whose other
    cells stand taller)."""
    rows = first_cells(print_page(lang))
    left = pdf.MARGIN_MM["left"] * 72 / 25.4  # the column's left edge (points)
    headless = []
    for number, page_words in words(pdf_file(lang)).items():
        if not page_words:
            continue
        top = min(w[1] for w in page_words)
        line = " ".join(w[4] for w in sorted(w for w in page_words if w[1] < top + 2))
        edge = min(((w[1], w[4]) for w in page_words if w[0] < left + 12), default=(0, ""))[1]
        for cells in rows:
            first = cells[0]
            if (line + " ").startswith(" ".join(cells) + " ") or (
                len(edge) >= 4 and first.startswith(edge)
            ):
                headless.append((number, line[:40], edge))
                break
    assert headless == []
