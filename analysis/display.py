"""How a table is shown in the book: formatted HTML plus a link that downloads the same table as
CSV.

The link carries the CSV inside the page (a data: URI), so it works from the file system with no
server and no network, and the CSV is exactly what `python -m analysis tables` writes. Headers and
number formats are the columns' declarations (analysis/pages.py)."""

from __future__ import annotations

import base64
import html

import pandas as pd
from IPython.display import HTML

from analysis import pages, tables
from analysis.i18n import t


def _header(column: str, lang: str, year: int | None) -> str:
    return pages.header(column, lang, year) if pages.is_declared(column) else column


def _cell(value, column: str, lang: str) -> str:
    declared = pages.column(column) if pages.is_declared(column) else None
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return t(declared.missing, lang) if declared and declared.missing else "—"
    return declared.cell(value, lang) if declared else str(value)


def table_html(table: pd.DataFrame, lang: str = "en", year: int | None = None) -> str:
    """An HTML table with translated headers and numbers printed as the supplement prints them."""
    head = "".join(f"<th>{html.escape(_header(c, lang, year))}</th>" for c in table.columns)
    numeric = [pages.is_declared(c) and pages.column(c).numeric for c in table.columns]
    body = "\n".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if n else "text"}">{html.escape(_cell(v, c, lang))}</td>'
            for c, v, n in zip(table.columns, row, numeric)
        )
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    labels = (
        f'data-filter-label="{html.escape(t("filter_rows", lang))}" '
        f'data-sort-label="{html.escape(t("sort_by_column", lang))}"'
    )
    return (
        f'<div class="sc-table-wrap" {labels}><table class="sc-table">\n'
        f"<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}\n</tbody>\n</table></div>"
    )


def download_link(table: pd.DataFrame, filename: str, lang: str = "en") -> str:
    payload = base64.b64encode(pages.csv_text(table).encode("utf-8")).decode("ascii")
    return (
        f'<p class="sc-download"><a download="{html.escape(filename)}" '
        f'href="data:text/csv;charset=utf-8;base64,{payload}">'
        f"{html.escape(t('download', lang, filename=filename))}</a></p>"
    )


def show_table(page: pages.Page) -> HTML:
    """A page's table (its declared columns) with a link that downloads the same as CSV."""
    table = page.contract
    return HTML(
        table_html(table, page.lang, page.year)
        + untranslated_note(table, page.lang)
        + "\n"
        + download_link(table, page.csv_name, page.lang)
    )


def untranslated_note(table: pd.DataFrame, lang: str) -> str:
    """A note under a table that shows a name in English, marked, for want of a translation."""
    marked = (
        table.astype(str)
        .apply(lambda column: column.str.endswith(tables.UNTRANSLATED))
        .any()
        .any()
    )
    return (
        f'\n<p class="sc-note">{html.escape(t("untranslated_note", lang))}</p>' if marked else ""
    )


def frame(table: pd.DataFrame, lang: str = "en") -> HTML:
    """Display any table (e.g. the audit's) the way the book shows tables, without a download
    link."""
    return HTML(table_html(table, lang))
