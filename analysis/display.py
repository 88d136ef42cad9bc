"""How a table is shown in the book: formatted HTML plus a link that downloads the same table as
CSV.

The link carries the CSV inside the page (a data: URI), so it works from the file system with no
server and no network, and the CSV is exactly what `python -m analysis tables` writes. Headers and
number formats are the columns' declarations (analysis/pages.py)."""

from __future__ import annotations

import base64
import html
import re

import pandas as pd
from IPython.display import HTML

from analysis import charts, pages, tables
from analysis.i18n import t


def _header(column: str, lang: str, year: int | None) -> str:
    return pages.header(column, lang, year) if pages.is_declared(column) else column


# A figure written as text (the audit's printed and recomputed values: "19.30",
# "10.9283 至 10.9284"): it may break at a space, never inside a number.
FIGURE_TEXT = re.compile(r"[-+−]?[\d.,]+%?(\s*(to|至)\s*[-+−]?[\d.,]+%?)?")
# An identifier (the audit's "en:leading-cities:1:location_share_pct"): it may break after a colon
# or an underscore, rather than anywhere in a word when the column is narrow.
IDENTIFIER = re.compile(r"[\w.-]*[:_][\w:.-]*")
IDENTIFIER_BREAKS = re.compile(r"(?<=[:_])(?=.)")
CARD_TEXT = 40  # a table with longer texts than this shows each row as a card on a phone
CARD_COLUMNS = 4  # so does a table of more columns than this that names no key columns


def table_html(
    table: pd.DataFrame,
    lang: str = "en",
    year: int | None = None,
    key: list[str] | None = None,
    short: dict[str, pd.Series] | None = None,
) -> str:
    """An HTML table with translated headers and numbers printed as the supplement prints them.

    On a phone (book/_static/science-cities.css, sc-tables.js) the `key` columns show at once
    and the others one tap away; `short` gives a column's short forms ("USA"), shown on narrow
    screens; a table of long texts (the audit's), or of many columns and no key, shows each row as
    a card. A name (a cell of a declared text column) never breaks inside a word, only where
    charts.CJK_BREAKS_AFTER allows."""
    columns = list(table.columns)
    wide = key is None and len(columns) > CARD_COLUMNS
    hidden_columns = key is not None and set(columns) - set(key)
    key = set(columns if key is None else key)
    short = short or {}
    numeric = [pages.is_declared(c) and pages.column(c).numeric for c in columns]
    headers = [_header(c, lang, year) for c in columns]
    names = [pages.is_declared(c) and not pages.column(c).numeric for c in columns]
    classes = [
        f"{'num' if n else 'text'}{' sc-name' if name else ''} "
        f"{'sc-key' if c in key else 'sc-detail'}"
        for c, n, name in zip(columns, numeric, names)
    ]
    texts = [
        [pages.cell_text(v, c, lang) for c, v in zip(columns, row)]
        for row in table.itertuples(index=False)
    ]
    long_texts = any(len(t) > CARD_TEXT for row in texts for t, n in zip(row, numeric) if not n)
    cards = wide or (long_texts and not hidden_columns)

    below = t("open_below", lang)
    open_below = [
        pages.is_declared(c) and pages.column(c).missing == "open_below" for c in columns
    ]

    def cell(i: int, j: int) -> str:
        text = html.escape(texts[i][j])
        if names[j]:  # where a long name may break
            text = charts.CJK_BREAKS_AFTER.sub("<wbr>", text)
        elif IDENTIFIER.fullmatch(texts[i][j]):
            text = IDENTIFIER_BREAKS.sub("<wbr>", text)
        brief = short.get(columns[j])
        if brief is not None and str(brief.iloc[i]) != texts[i][j]:
            text = (
                f'<span class="sc-long">{text}</span> '
                f'<span class="sc-short">{html.escape(str(brief.iloc[i]))}</span>'
            )
        figure = " sc-figure" if not numeric[j] and FIGURE_TEXT.fullmatch(texts[i][j]) else ""
        # a rank set open below ("or lower") sorts after every rank (sc-tables.js)
        sort = ' data-sort="Infinity"' if open_below[j] and texts[i][j] == below else ""
        return (
            f'<td class="{classes[j]}{figure}"{sort} data-label="{html.escape(headers[j])}">'
            f"{text}</td>"
        )

    # Cells are joined by a space: Sphinx's search indexes a table's text with its tags stripped,
    # and "<td>Beijing</td><td>2</td>" would otherwise become the one word "Beijing2".
    head = " ".join(
        f'<th class="{c}" scope="col">{html.escape(h)}</th>' for c, h in zip(classes, headers)
    )
    body = "\n".join(
        "<tr>" + " ".join(cell(i, j) for j in range(len(columns))) + "</tr>"
        for i in range(len(texts))
    )
    hidden = len(columns) - len(key & set(columns))
    # the filter's hint names what this table holds: its first name ("Beijing", an institution)
    example = next((texts[0][j] for j in range(len(columns)) if names[j] and texts), None)
    filter_label = (
        t("filter_rows_example", lang, example=example) if example else t("filter_rows", lang)
    )
    labels = " ".join(
        f'data-{name}="{html.escape(text)}"'
        for name, text in (
            ("filter-label", filter_label),
            ("empty-label", t("filter_no_rows", lang)),
            ("sort-label", t("sort_by_column", lang)),
            ("all-label", t("show_all_columns", lang, n=len(columns))),
            ("key-label", t("show_key_columns", lang)),
            ("scroll-label", t("scroll_sideways", lang)),
        )
    )
    kind = " sc-cards" if cards else (" sc-has-detail" if hidden else "")
    return (
        f'<div class="sc-table-wrap{kind}" {labels}><table class="sc-table">\n'
        f"<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}\n</tbody>\n</table></div>"
    )


def download_link(table: pd.DataFrame, filename: str, lang: str = "en") -> str:
    # with a byte-order mark: a spreadsheet then reads the file as UTF-8 (Excel on a Chinese
    # Windows would read it as GBK, and the names as mojibake); the tables command writes none
    payload = base64.b64encode(pages.csv_text(table).encode("utf-8-sig")).decode("ascii")
    return (
        f'<p class="sc-download"><a download="{html.escape(filename)}" '
        f'href="data:text/csv;charset=utf-8;base64,{payload}">'
        f"{html.escape(t('download', lang, filename=filename))}</a></p>"
    )


def show_table(page: pages.Page) -> HTML:
    """A page's table (its declared columns) with a link that downloads the same as CSV."""
    table = page.contract
    short = {"country": page.table["country_short"]} if "country_short" in page.table else {}
    return HTML(
        table_html(table, page.lang, page.year, page.key_columns, short)
        + untranslated_note(table, page.lang)
        + "\n"
        + download_link(page.csv, page.csv_name, page.lang)
    )


def abbreviation_key(table: pd.DataFrame, columns: list[str], lang: str = "en") -> HTML | None:
    """The abbreviations a network chart labels its nodes with, spelled out (None: none used)."""
    used = charts.abbreviations(table, columns)
    if not used:
        return None
    # "PKU Peking University", not "PKU Peking University (PKU)": the name without its abbreviation
    items = "; ".join(
        f"<strong>{html.escape(a)}</strong> {html.escape(n.replace(f' ({a})', '', 1))}"
        for a, n in used
    )
    return HTML(f'<p class="sc-key">{html.escape(t("abbreviations", lang))} {items}</p>')


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


def frame(
    table: pd.DataFrame,
    lang: str = "en",
    key: list[str] | None = None,
    filename: str | None = None,
) -> HTML:
    """Display any table (e.g. the audit's) the way the book shows tables; `key`: the columns a
    phone shows at once (table_html); `filename`: a link that downloads it as CSV, if given."""
    link = "\n" + download_link(table, filename, lang) if filename else ""
    return HTML(table_html(table, lang, key=key) + link)
