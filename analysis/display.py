"""How a table is shown in the book: formatted HTML plus a link that downloads the same table as
CSV.

The link carries the CSV inside the page (a data: URI), so it works from the file system with no
server and no network, and the CSV is exactly what `python -m analysis tables` writes."""

from __future__ import annotations

import base64
import html

import pandas as pd
from IPython.display import HTML

from analysis import tables
from analysis.i18n import t
from analysis.tables import to_csv_text

# How each contract column is printed: header key (analysis.i18n) and number format.
COLUMNS = {
    "rank": ("rank", "{:d}"),
    "position": ("position", "{:d}"),
    "city": ("city", None),
    "country": ("country", None),
    "share": ("share", "{:,.2f}"),
    "count": ("count", "{:,d}"),
    "location_share_pct": ("location_share", "{:.2f}%"),
    "adjusted_share_prev": ("adjusted_share_in", "{:,.2f}"),
    "adjusted_share": ("adjusted_share_in", "{:,.2f}"),
    "change": ("change", "{:,.2f}"),
    "change_pct": ("change_pct", "{:.2f}"),
    "city1": ("city1", None),
    "city2": ("city2", None),
    "cs1": ("cs1", "{:,.2f}"),
    "cs2": ("cs2", "{:,.2f}"),
    "bcs": ("bcs", "{:,.2f}"),
    "institution1": ("institution1", None),
    "institution2": ("institution2", None),
    "change_rounded": ("change_rounded", "{:,.0f}"),
    # what changed since the last edition (tables.edition_changes)
    "rank_prev": ("rank_previous_edition", "{:d}"),
    "share_prev": ("share_previous_edition", "{:,.2f}"),
    "status": ("edition_status", "status"),
    # the worked examples of the methods chapter (tables.example_table)
    "year": ("year", "{:d}"),
    "institution": ("institution", None),
    "adjusted_share_any": ("adjusted_share", "{:,.2f}"),
    "sum_of_shares": ("sum_of_shares", "{:,.2f}"),
    "articles": ("articles", "{:,d}"),
}


def _header(column: str, lang: str, year: int | None) -> str:
    if column in COLUMNS:
        key = COLUMNS[column][0]
        label_year = (year - 1 if column == "adjusted_share_prev" else year) if year else ""
        return t(key, lang, year=label_year)
    if column.startswith("change_") and column.count("_") == 2:
        _, start, end = column.split("_")
        return t("rank_change", lang, start=start, end=end)
    if tables.is_rank_column(column):
        return str(tables.rank_year(column))
    return column


# Columns whose empty cells mean the supplement does not print the figure (elsewhere an empty cell
# means there is no such figure, e.g. a city absent from one edition).
UNPRINTED_WHEN_EMPTY = {"location_share_pct", "change_rounded"}


def _cell(value, column: str, lang: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return t("not_printed", lang) if column in UNPRINTED_WHEN_EMPTY else "—"
    fmt = COLUMNS.get(column, (None, None))[1]
    if fmt == "status":
        return t(f"edition_{value}", lang)
    if fmt is None:
        return str(value)
    if "d}" in fmt:
        value = int(value)
    return fmt.format(value)


def table_html(table: pd.DataFrame, lang: str = "en", year: int | None = None) -> str:
    """An HTML table with translated headers and numbers printed as the supplement prints them."""
    head = "".join(f"<th>{html.escape(_header(c, lang, year))}</th>" for c in table.columns)
    numeric = [
        c in COLUMNS
        and COLUMNS[c][1] is not None
        or tables.is_rank_column(c)
        or c.startswith("change_")
        for c in table.columns
    ]
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
    payload = base64.b64encode(to_csv_text(table).encode("utf-8")).decode("ascii")
    return (
        f'<p class="sc-download"><a download="{html.escape(filename)}" '
        f'href="data:text/csv;charset=utf-8;base64,{payload}">'
        f"{html.escape(t('download', lang))} ({html.escape(filename)})</a></p>"
    )


def show_table(
    table: pd.DataFrame,
    filename: str,
    lang: str = "en",
    year: int | None = None,
    csv_table: pd.DataFrame | None = None,
) -> HTML:
    """Display `table` (already restricted to the columns to show) with a CSV download of
    `csv_table` (default: the same table)."""
    csv_table = table if csv_table is None else csv_table
    return HTML(
        table_html(table, lang, year)
        + untranslated_note(table, lang)
        + "\n"
        + download_link(csv_table, filename, lang)
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
