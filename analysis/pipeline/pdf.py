"""A PDF of each language's book, like the supplement itself: made from the book's own HTML in the
headless Chromium the tests use (no LaTeX, no network).

Jupyter Book's `singlehtml` builder puts every page of a language's book into one HTML page, with
the table of contents at the top; Chromium draws its charts (vector SVG), applies the print
styles of book/_static/science-cities.css (each chapter on a new page; no code toggles, search
boxes or menus) and prints it with page numbers in the footer and the headings as the PDF's
outline. Chinese text is set in a TrueType CJK font, which Chromium embeds by name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.errors import PdfError

CHROMIUM = "/usr/bin/chromium"
PDF_FOLDER = "pdf"  # inside _build/html
FILE_NAMES = {"en": "science-cities-reproduced-en.pdf", "zh": "science-cities-reproduced-zh.pdf"}
FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def print_page(html: Path, pdf: Path, timeout_ms: int = 60_000) -> Path:
    """Print one HTML page to `pdf` with Chromium once every chart on it has drawn."""
    # Playwright is needed only when a PDF is printed, not for the HTML book.
    from playwright.sync_api import Error, sync_playwright

    if not Path(CHROMIUM).exists():
        raise PdfError(
            f"{CHROMIUM} is missing: the PDFs are printed by Debian's Chromium (make browser)"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_context(offline=True).new_page()
            page.goto(html.resolve().as_uri())
            charts = page.locator("figure.sc-chart").count()
            page.wait_for_function(
                f"document.querySelectorAll('figure.sc-chart svg').length >= {charts}",
                timeout=timeout_ms,
            )
            page.emulate_media(media="print")
            pdf.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(pdf),
                format="A4",
                print_background=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
            )
        except Error as e:
            raise PdfError(f"printing {html.name} failed: {str(e).splitlines()[0]}") from None
        finally:
            browser.close()
    return pdf


def single_page(singlehtml: Path, root_doc: str) -> Path:
    """The singlehtml builder writes the book into the root document's page but resolves its links
    from the top folder; a copy at the top makes them resolve."""
    page = singlehtml / "print.html"
    shutil.copy(singlehtml / f"{root_doc}.html", page)
    return page
