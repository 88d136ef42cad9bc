"""A PDF of each language's book, like the supplement itself: printed by the headless Chromium the
tests use (no LaTeX, no network) from the book's own HTML.

`assemble` puts the pages of a language's book, in the order of its table of contents, into one
HTML page (print.html, beside the root page): a title page, the contents and a list of charts,
then every page from a new page. `print_book` lays that page out at the printed column's width
before any chart draws, so that every chart is drawn for the paper it is printed on (Vega-Lite's
`width: container` follows the column), prints it, reads from the PDF on which page each chapter
and each chart fell (their named destinations, through pypdf), writes those page numbers into the
contents and prints again. Both prints have the same layout: the numbers take the room their
placeholders held. The numbers of the last print are tried first: when no page moved (most
edits), one print is enough.
"""

from __future__ import annotations

import html as html_text
import io
import math
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import pypdf
import yaml

from analysis.errors import PdfError

CHROMIUM = "/usr/bin/chromium"
PDF_FOLDER = "pdf"  # inside _build/html
FILE_NAMES = {"en": "science-cities-reproduced-en.pdf", "zh": "science-cities-reproduced-zh.pdf"}
PRINT_PAGE = "print.html"  # beside the root page of each language's HTML
PAGE_MM = (210, 297)  # A4
MARGIN_MM = {"top": 16, "bottom": 18, "left": 16, "right": 16}
# The printed column in CSS pixels (96 per inch), rounded down: a chart drawn this wide fits.
COLUMN_PX = math.floor((PAGE_MM[0] - MARGIN_MM["left"] - MARGIN_MM["right"]) * 96 / 25.4)
PLACEHOLDER = "000"  # the room a page number takes in the contents before it is known
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)
WORDS = {
    "en": {"contents": "Contents", "charts": "Charts", "edition": "Printed from the book's pages"},
    "zh": {"contents": "目录", "charts": "图表", "edition": "由本书网页打印"},
}


@dataclass(frozen=True)
class Chapter:
    doc: str  # as the table of contents names it: book/generated/2022/leading-cities
    part: str  # the caption of its part ("" for the root page)


def chapters(toc_file: Path) -> list[Chapter]:
    """The pages of a language's book in order, from its table of contents."""
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    found = [Chapter(toc["root"], "")]
    for part in toc.get("parts", []):
        found += [Chapter(entry["file"], part.get("caption", "")) for entry in part["chapters"]]
    return found


_ARTICLE = re.compile(r'<article class="bd-article">(.*?)</article>', re.S)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_ID = re.compile(r'\bid="([^"]+)"')
_URL = re.compile(r'\b(href|src)="([^"]*)"')
_HEAD_LINKS = re.compile(r'<link[^>]*rel="stylesheet"[^>]*>')
_HTML_LANG = re.compile(r'<html[^>]*\blang="([^"]+)"')


def visible_text(fragment: str) -> str:
    """The visible text of an HTML fragment (the permalink sign of a heading left out)."""
    text = html_text.unescape(_TAG.sub("", fragment.replace('class="headerlink"', "")))
    return re.sub(r"\s+", " ", text.replace("#", " ")).strip()


def _anchor(index: int) -> str:
    return f"page-{index}"


def _rewrite(article: str, doc: str, index: int, anchors: dict[str, int], here: str) -> str:
    """One page's article as a part of print.html: its ids made unique (prefixed with its page),
    links to pages of the book made links inside print.html, other relative URLs re-rooted at
    print.html's folder `here`, and links to anything else (the other language's book) left as
    plain text."""
    prefix = f"{_anchor(index)}-"

    def new_id(found: re.Match) -> str:
        return f'id="{prefix}{found.group(1)}"'

    def new_url(found: re.Match) -> str:
        attribute, url = found.groups()
        if re.match(r"^[a-z][a-z0-9+.-]*:", url) or url.startswith("//"):
            return found.group(0)  # http:, data:, mailto:
        if url.startswith("#"):
            return f'{attribute}="#{prefix}{url[1:]}"'
        path, _, fragment = url.partition("#")
        target = posixpath.normpath(posixpath.join(posixpath.dirname(doc), path))
        page = anchors.get(target.removesuffix(".html"))
        if attribute == "href" and path.endswith(".html"):
            if page is None:
                return 'data-sc-link="elsewhere"'  # (an <a> without href is plain text)
            return (
                f'href="#{_anchor(page)}-{fragment}"' if fragment else f'href="#{_anchor(page)}"'
            )
        return f'{attribute}="{posixpath.relpath(target, here)}"'

    return _URL.sub(new_url, _ID.sub(new_id, article))


def assemble(html_root: Path, toc_file: Path, lang: str, title: str) -> Path:
    """print.html: the language's whole book on one page, ready to print (see the module)."""
    pages = chapters(toc_file)
    root = pages[0].doc
    here = posixpath.dirname(root)
    root_html = (html_root / f"{root}.html").read_text(encoding="utf-8")
    anchors = {chapter.doc: i for i, chapter in enumerate(pages)}
    words = WORDS[lang]
    sections, entries, charts = [], [], []
    part = None
    for i, chapter in enumerate(pages):
        page_html = (html_root / f"{chapter.doc}.html").read_text(encoding="utf-8")
        found = _ARTICLE.search(page_html)
        if found is None:
            raise PdfError(f"{chapter.doc}.html has no article to print")
        article = _rewrite(found.group(1), chapter.doc, i, anchors, here)
        heading = _H1.search(article)
        page_title = visible_text(heading.group(1)) if heading else chapter.doc
        if i and chapter.part != part:
            part = chapter.part
            entries.append(f'<li class="sc-toc-part">{html_text.escape(part)}</li>')
        if i:
            entries.append(_entry(_anchor(i), page_title))
        for chart_id, chart_title in re.findall(
            r'<figure class="sc-chart" id="([^"]+)"[^>]*data-title="([^"]*)"', article
        ):
            charts.append(_entry(chart_id, f"{html_text.unescape(chart_title)} · {page_title}"))
        sections.append(
            f'<section class="sc-print-page" id="{_anchor(i)}"><article class="bd-article">'
            f"{article}</article></section>"
        )
    language = _HTML_LANG.search(root_html)
    head = "\n".join(
        link.group(0) for link in _HEAD_LINKS.finditer(root_html)
    )  # the book's own styles, as the root page links them
    # the charts' bundle, and the tables' script (on paper it marks where a Chinese header may
    # break; its screen-only controls are hidden by the print styles)
    scripts = "\n".join(
        f'<script src="{found.group(1)}"></script>'
        for name in ("altair-offline", "sc-tables")
        if (found := re.search(rf'<script src="([^"]*{name}\.js[^"]*)"', root_html))
    )
    page = f"""<!DOCTYPE html>
<html lang="{language.group(1) if language else lang}">
<head><meta charset="utf-8"><title>{html_text.escape(title)}</title>
{head}
{scripts}
</head>
<body class="sc-print">
<section class="sc-print-cover"><h1 class="sc-print-title">{html_text.escape(title)}</h1>
<p>{html_text.escape(words["edition"])}</p></section>
<nav class="sc-print-contents" aria-label="{words["contents"]}">
<h2>{words["contents"]}</h2><ol>{"".join(entries)}</ol>
<h2>{words["charts"]}</h2><ol>{"".join(charts)}</ol></nav>
{"".join(sections)}
</body></html>
"""
    out = html_root / here / PRINT_PAGE
    out.write_text(page, encoding="utf-8")
    return out


def _entry(target: str, label: str) -> str:
    return (
        f'<li><a href="#{target}"><span class="sc-toc-title">{html_text.escape(label)}</span>'
        f'<span class="sc-toc-page" data-target="{target}">{PLACEHOLDER}</span></a></li>'
    )


def destinations(pdf: bytes) -> dict[str, tuple[int, float]]:
    """Where each named destination of a PDF lies: (page number from 1, distance from the page's
    top in points)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = {}
    for name, destination in reader.named_destinations.items():
        number = reader.get_destination_page_number(destination)
        height = float(reader.pages[number].mediabox.height)
        found[name.lstrip("/")] = (number + 1, height - float(destination.get("/Top") or 0))
    return found


def print_book(
    page: Path, pdf: Path, numbers: dict[str, int] | None = None, timeout_ms: int = 60_000
) -> dict[str, int]:
    """Print print.html (see `assemble`) to `pdf`, its charts drawn at the printed column's width
    and its contents numbered. `numbers`: the page numbers of the last print, tried first (when
    the pages did not move, one print is enough). Returns the page numbers."""
    # Playwright is needed only when a PDF is printed, not for the HTML book.
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        raise PdfError(
            f"{CHROMIUM} is missing: the PDFs are printed by Debian's Chromium (make browser)"
        )
    options = dict(
        width=f"{PAGE_MM[0]}mm",
        height=f"{PAGE_MM[1]}mm",
        print_background=True,
        outline=True,
        tagged=True,
        display_header_footer=True,
        header_template="<span></span>",
        footer_template=FOOTER,
        margin={side: f"{mm}mm" for side, mm in MARGIN_MM.items()},
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(
                offline=True, viewport={"width": COLUMN_PX, "height": 1000}
            )
            view = context.new_page()
            view.emulate_media(media="print")  # laid out for paper before the charts draw
            view.goto(page.resolve().as_uri())
            charts = view.locator("figure.sc-chart").count()
            view.wait_for_function(
                f"document.querySelectorAll('figure.sc-chart svg').length >= {charts}",
                timeout=timeout_ms,
            )
            number = """numbers => {
                const missing = [];
                document.querySelectorAll('.sc-toc-page').forEach(span => {
                    const n = numbers[span.dataset.target];
                    if (n === undefined) missing.push(span.dataset.target);
                    else span.textContent = String(n);
                });
                return missing;
            }"""
            if numbers:
                view.evaluate(number, numbers)
            printed = view.pdf(**options)
            found = {name: where[0] for name, where in destinations(printed).items()}
            targets = view.evaluate(
                "() => [...document.querySelectorAll('.sc-toc-page')].map(s => s.dataset.target)"
            )
            if any(numbers is None or numbers.get(t) != found.get(t) for t in targets):
                missing = view.evaluate(number, found)
                if missing:
                    raise PdfError(f"printing {page.name}: no page for {', '.join(missing[:5])}")
                printed = view.pdf(**options)
            pdf.parent.mkdir(parents=True, exist_ok=True)
            pdf.write_bytes(printed)
        except Error as e:
            raise PdfError(f"printing {page.name} failed: {str(e).splitlines()[0]}") from None
        finally:
            browser.close()
    return {t: found[t] for t in targets}
