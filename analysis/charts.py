"""Every chart of the book, as Altair charts built from the tables in analysis.tables.

Charts render offline: the book ships vega, vega-lite and vega-embed once in
_static/altair-offline.js (see `offline_bundle`), and the `offline` renderer below emits HTML that
calls the global `vegaEmbed` with an id derived from the chart itself, so executed notebooks are
byte-identical from one run to the next. It is used where RENDERER_ENV says so (see below).
"""

from __future__ import annotations

import collections
import html
import json
import math
import os
import re
import textwrap

import altair as alt
import pandas as pd
from altair.vegalite.v6 import display as vegalite_display

from analysis import pages, tables, uncertainty
from analysis.i18n import t

RENDERER_ENV = "SCIENCE_CITIES_CHARTS"  # "offline": draw with the book's offline renderer
WIDTH = "container"  # every chart takes the width of the text column (see science-cities.css)
NETWORK_HEIGHT = 460


# The charts' anchors used so far on the page being made (each page starts with a fresh import of
# this module, see analysis/pipeline/notebook.py): a second chart of one kind gets "-2".
_used_anchors: collections.Counter = collections.Counter()


def reset_chart_ids() -> None:
    """Name the charts of a new page from scratch (for a page made without the runner)."""
    _used_anchors.clear()


def _offline_renderer(spec: dict, **_metadata) -> dict:
    """A chart as the book's pages show it: a figure with a stable id a reader can link to (from
    the chart's kind), its text alternative, a link to itself and the chart's menu to save it as
    PNG or SVG (drawn by vega-embed from the book's offline bundle, see `offline_bundle`)."""
    meta = spec.get("usermeta", {})
    anchor = meta.get("anchor", "chart")
    _used_anchors[anchor] += 1
    chart_id = f"chart-{anchor}" + (
        f"-{_used_anchors[anchor]}" if _used_anchors[anchor] > 1 else ""
    )
    label = html.escape(spec.get("description", "chart"), quote=True)
    title = spec.get("title", {})
    title = title.get("text", "") if isinstance(title, dict) else title
    title = " ".join(title) if isinstance(title, list) else title
    options = {
        "renderer": "svg",
        "actions": {"export": True, "source": False, "compiled": False, "editor": False},
        "i18n": meta.get("menu", {}),
    }
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # The spec is embedded as JSON inside <script>; "</" must not close the tag early.
    embedded = text.replace("</", "<\\/")
    page = (
        f'<figure class="sc-chart" id="{chart_id}" aria-label="{label}" '
        f'data-title="{html.escape(title, quote=True)}">'
        f'<div class="sc-chart-canvas"></div>'
        f'<figcaption class="sc-chart-link"><a href="#{chart_id}">'
        f"{html.escape(meta.get('link', 'Link to this chart'))}</a></figcaption></figure>\n"
        "<script>\n(function () {\n"
        "  var figure = document.currentScript.previousElementSibling;\n"
        f"  var spec = {embedded};\n"
        '  function draw() { vegaEmbed(figure.querySelector(".sc-chart-canvas"), spec, '
        f"{json.dumps(options, sort_keys=True, ensure_ascii=False)})"
        # vega-embed's menu button shows only an icon: give it its name for screen readers
        '.then(function () { var menu = figure.querySelector("details > summary"); '
        'if (menu) { menu.setAttribute("aria-label", menu.parentNode.title); } }); }\n'
        '  if (typeof vegaEmbed === "function") { draw(); } '
        'else { document.addEventListener("DOMContentLoaded", draw); }\n'
        "})();\n</script>"
    )
    return {"text/html": page, "text/plain": f"<chart: {title}>"}


alt.renderers.register("offline", _offline_renderer)
# The book's renderer is switched on for the kernels the runner starts (and for nbval, by `make
# test`), never by this import: a template opened in JupyterLab draws with Altair's own renderer.
if os.environ.get(RENDERER_ENV) == "offline":
    alt.renderers.enable("offline")
alt.data_transformers.disable_max_rows()


def offline_bundle() -> str:
    """The JavaScript file that lets the book draw charts with no network: vega, vega-lite and
    vega-embed in one IIFE (a bare bundle clashes with a `const _` in Sphinx's own scripts)."""
    # vl-convert (a JavaScript engine, ~60 MB) is needed only when the bundle is written, once.
    import vl_convert

    bundle = vl_convert.javascript_bundle(
        vl_version=vegalite_display.VEGALITE_VERSION.rsplit(".", 1)[0]
    )
    return f"(function(){{\n{bundle}\n}})();\n"


def tip(column: str, lang: str, year: int | None = None) -> alt.Tooltip:
    """A tooltip line with the column's declared header and number format (analysis/pages.py).
    A whole number needs no format: d3 prints its digits, as the table does."""
    declared = pages.column(column)
    options = {"format": declared.format} if declared.numeric and declared.format != "d" else {}
    kind = "Q" if declared.numeric else "N"
    return alt.Tooltip(f"{column}:{kind}", title=pages.header(column, lang, year), **options)


def shown(table: pd.DataFrame, column: str, lang: str) -> pd.DataFrame:
    """`table` with `column` also as the table shows it, in `column`_shown ("or lower" where a
    rank set is open below, not Vega's "null"), for a tooltip: tip_shown."""
    declared = pages.column(column)
    return table.assign(**{f"{column}_shown": [declared.cell(v, lang) for v in table[column]]})


def tip_shown(column: str, lang: str) -> alt.Tooltip:
    """A tooltip line of a column prepared by `shown`."""
    return alt.Tooltip(f"{column}_shown:N", title=pages.header(column, lang))


def _font(lang: str) -> dict:
    return {"font": "Noto Sans CJK SC, sans-serif"} if lang == "zh" else {}


def is_cjk(text: str) -> bool:
    return any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


# Chinese text has no spaces, and a line may break between any two characters: inside a name
# that reads wrong (巴尔的摩-华盛 / 顿). A Chinese name breaks only after a hyphen or a full-width
# comma, or after the name of the academy its institutes belong to (中国科学院 / 化学研究所).
CJK_BREAKS_AFTER = re.compile(r"(?<=[-－、，：])|(?<=中国科学院)")


def wrap_text(text: str, width: int = 36) -> list[str]:
    """Text broken into lines of about `width` characters (half as many for Chinese, whose
    characters are twice as wide), so that titles and labels fit a phone's width. Chinese breaks
    only where CJK_BREAKS_AFTER allows, so a name is never cut inside a word."""
    if not is_cjk(text):
        return textwrap.wrap(text, width, break_on_hyphens=False) or [text]
    width //= 2
    lines: list[str] = []
    for piece in (p for chunk in text.split() for p in CJK_BREAKS_AFTER.split(chunk) if p):
        if lines and len(lines[-1]) + len(piece) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return lines or [text]


# vega-embed's words for the chart menu, in the page's language (analysis.i18n chart_<key>).
CHART_MENU = ("CLICK_TO_VIEW_ACTIONS", "PNG_ACTION", "SVG_ACTION")


def _finish(
    chart: alt.Chart, title: str, description: str, lang: str, anchor: str, subtitle: str = ""
) -> alt.Chart:
    """The settings every chart of the book shares: its title and text alternative, its size,
    fonts and legends, and `anchor`, the stable name of the id a reader links to
    (chart-<anchor>)."""
    # labelLimit/titleLimit 0: legend and axis texts are never cut short with "…"; long titles
    # are broken into lines instead.
    menu = {key: t(f"chart_{key.lower()}", lang) for key in CHART_MENU}
    return (
        chart.properties(
            # centred on the whole chart (not on the plot, which a phone makes narrow)
            title=alt.TitleParams(
                wrap_text(title),
                limit=0,
                frame="bounds",
                **({"subtitle": wrap_text(subtitle), "subtitleFontSize": 11} if subtitle else {}),
            ),
            description=description,
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
            usermeta={"anchor": anchor, "link": t("chart_link", lang), "menu": menu},
        )
        .configure(**_font(lang))
        .configure_view(stroke=None)
        .configure_legend(labelLimit=0, titleLimit=0, orient="bottom", direction="vertical")
        # labels that would stand closer than labelSeparation px are dropped (every other one),
        # or on a phone they read as one ("3,0004,000")
        .configure_axis(labelLimit=0, titleLimit=0, labelOverlap=True, labelSeparation=6)
    )


def contrast(colour: str, background: str = "#ffffff") -> float:
    """WCAG's contrast ratio of two colours (#rrggbb): graphical objects need 3:1 against the
    page."""

    def luminance(hex_colour: str) -> float:
        r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Colour-blind-safe categorical palette (Okabe & Ito, its orange, sky blue, yellow and grey
# darkened to reach 3:1 against the page); a country takes the colour of its place in
# reference/countries.csv, so it has the same colour in every chart and in both editions.
COUNTRY_PALETTE = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#A86800", "#6A51A3", "#000000", "#8A7A00",
    "#707070",
    # then Paul Tol's muted scheme (its light teal and sand darkened), for more countries
    "#882255", "#2F8A7C", "#117733", "#332288", "#8C7A2E", "#AA4499",
]  # fmt: skip
# One colour per line of the rank chart, which also writes each line's label: Tableau 10, its
# lighter members darkened to 4.5:1, what text needs.
LINE_PALETTE = [
    "#1f77b4", "#d62728", "#1e7b1e", "#7d4fae", "#8c564b", "#b8348f", "#6b6b6b", "#6b6b00",
    "#0b6e78", "#a84d00",
]  # fmt: skip
INK = "#08519c"  # the data year's marks; the year before is the same, hollow
PALE = "#c6dbef"  # the fill of a mark outlined in INK (the outline is what stands out)
RULE = "#767676"  # lines joining two marks


def country_colour(table: pd.DataFrame, lang: str, legend: bool = True) -> alt.Color:
    """Colour by country name (in the page's language), fixed by the country's reference order
    (for a mark's outline too, with legend=False)."""
    countries = table.drop_duplicates("country").sort_values("country_order")
    scale = alt.Scale(
        domain=list(countries["country"]),
        range=[COUNTRY_PALETTE[i % len(COUNTRY_PALETTE)] for i in countries["country_order"]],
    )
    if not legend:
        return alt.Stroke("country:N", scale=scale, legend=None)
    return alt.Color("country:N", title=pages.header("country", lang), scale=scale)


def leading_share_bars(table: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Horizontal bars of Share, one per leading city, coloured by country."""
    order = list(table["city"])
    base = alt.Chart(table).encode(
        y=alt.Y("city:N", sort=order, title=pages.header("city", lang)),
        x=alt.X("share:Q", title=pages.header("share", lang)),
        color=country_colour(table, lang),
        tooltip=[
            tip("rank", lang),
            tip("city", lang),
            tip("country", lang),
            tip("share", lang),
            tip("count", lang),
        ],
    )
    # Clicking a country in the legend isolates its cities (click on empty space to undo).
    country = alt.selection_point(fields=["country"], bind="legend")
    bars = base.mark_bar().encode(opacity=alt.condition(country, alt.value(1.0), alt.value(0.2)))
    top = table.iloc[0]
    desc = t("alt_leading", lang, n=len(table), city=top["city"], share=top["share"])
    return _finish(
        bars.add_params(country).properties(width=WIDTH),
        t("title_leading", lang),
        desc,
        lang,
        "leading-share",
    )


def location_share_bars(table: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Each leading city's Share as a % of its country's Share; printed inputs are drawn
    lighter."""
    df = table.assign(
        source=table["location_share_source"].map(
            {"computed": t("computed", lang), "printed input": t("printed_input", lang)}
        )
    )
    order = list(df["city"])
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("city:N", sort=order, title=pages.header("city", lang)),
            x=alt.X("location_share_pct:Q", title=wrap_text(t("location_share_axis", lang), 24)),
            color=country_colour(df, lang),
            # An explicit domain: the labels sort differently in each language, the opacities must
            # not.
            # The printed percentages are drawn lighter, with an outline in the country's colour
            # (so that they still stand out from the page); the legend shows dark and light in a
            # neutral grey, which is no country's colour (the country legend names those).
            opacity=alt.Opacity(
                "source:N",
                title=t("basis", lang),
                legend=alt.Legend(
                    orient="top",  # beside the country legend it would not fit a phone
                    symbolType="square",
                    symbolFillColor=RULE,
                    symbolStrokeColor=RULE,
                    symbolStrokeWidth=1.5,
                ),
                scale=alt.Scale(
                    domain=[t("computed", lang), t("printed_input", lang)], range=[1.0, 0.4]
                ),
            ),
            stroke=country_colour(df, lang, legend=False),
            tooltip=[
                tip("city", lang),
                tip("country", lang),
                tip("location_share_pct", lang),
                alt.Tooltip("source:N", title=t("basis", lang)),
            ],
        )
        .properties(width=WIDTH)
    )
    # (a year without percentages runs this cell too; the runner then drops it from the page)
    top = (
        df.loc[df["location_share_pct"].idxmax()]
        if df["location_share_pct"].notna().any()
        else df.iloc[0]
    )
    desc = t(
        "alt_location",
        lang,
        city=top["city"],
        pct=top["location_share_pct"],
        country=top["country"],
    )
    return _finish(chart, t("title_location", lang), desc, lang, "location-share")


def _dumbbell(
    table: pd.DataFrame,
    columns: tuple[str, str],
    labels: tuple[str, str],
    x_title: str,
    tooltip: list,
    lang: str,
) -> alt.LayerChart:
    """One row per city: a dot for each of two values (columns, labelled in the legend by
    `labels`), joined by a line where the city has both."""
    before, after = columns
    long = pd.concat(
        [
            table.assign(year=labels[0], value=table[before]),
            table.assign(year=labels[1], value=table[after]),
        ]
    ).dropna(subset=["value"])
    y = alt.Y("city:N", sort=list(table["city"]), title=pages.header("city", lang))
    rule = (
        alt.Chart(table.dropna(subset=list(columns)))
        .mark_rule(color=RULE)
        .encode(y=y, x=f"{before}:Q", x2=f"{after}:Q", tooltip=tooltip)
    )
    dots = (
        alt.Chart(long)
        .mark_point(size=80, opacity=1, filled=True, strokeWidth=1.5, stroke=INK)
        .encode(
            y=y,
            x=alt.X("value:Q", title=x_title),
            # the earlier value hollow, the later filled: told apart by shape, not by a pale tint
            fill=alt.Fill(
                "year:N",
                title=pages.header("year", lang),
                scale=alt.Scale(domain=list(labels), range=["#ffffff", INK]),
                legend=alt.Legend(symbolStrokeColor=INK, symbolType="circle"),
            ),
            tooltip=tooltip,
        )
    )
    return rule + dots


def risers_dumbbell(
    table: pd.DataFrame, subject_name: str, year: int, lang: str = "en"
) -> alt.Chart:
    """Adjusted Share of the previous year and of the data year, joined by a line, one row per
    city."""
    prev, cur = str(year - 1), str(year)
    tooltip = [
        tip("rank", lang),
        tip("city", lang),
        tip("country", lang),
        tip("adjusted_share_prev", lang, year),
        tip("adjusted_share", lang, year),
        tip("change", lang),
        tip("change_pct", lang),
    ]
    pair = _dumbbell(
        table,
        ("adjusted_share_prev", "adjusted_share"),
        (prev, cur),
        pages.header("adjusted_share_any", lang),
        tooltip,
        lang,
    )
    top = table.iloc[0]
    desc = t(
        "alt_risers",
        lang,
        subject=subject_name,
        city=top["city"],
        prev=top["adjusted_share_prev"],
        cur=top["adjusted_share"],
        change=top["change"],
    )
    return _finish(
        pair.properties(width=WIDTH),
        t("title_risers", lang, subject=subject_name, prev=prev, cur=cur),
        desc,
        lang,
        "risers",
    )


BUMP_HEIGHT = 460
LINE_PX = 14  # the space one line of an 11 px label takes (its line height, 12, and a gap)
LABEL_WIDTH = 14  # longer end labels are broken into lines of at most this many characters


def spread_labels(
    ranks: list[float],
    lines: list[int],
    top_rank: float,
    bottom_rank: float,
    height: float = BUMP_HEIGHT,
) -> list[float]:
    """Label positions (as ranks on the chart's log scale) for lines ending at `ranks`, moved apart
    where two would overlap: each keeps its order and sits below all the lines of text of the label
    above it (a label's first line is centred on its position, the others follow below). Returns
    one position per rank, in the input order."""
    px = (math.log(bottom_rank) - math.log(top_rank)) / height  # log-rank units per pixel
    order = sorted(range(len(ranks)), key=lambda i: ranks[i])
    placed: dict[int, float] = {}
    previous = None
    for i in order:
        y = math.log(ranks[i])
        if previous is not None:
            least = lines[previous[1]] * LINE_PX * px
            y = max(y, previous[0] + least)
        placed[i] = y
        previous = (y, i)
    return [round(math.exp(placed[i]), 6) for i in range(len(ranks))]


YEAR_LABEL_PX = 60  # the plot width a year's label needs beside the next (the axis runs on past
# the last year, to hold the end labels)


def rank_ticks(bottom: int) -> list[int]:
    """The ranks a log-scale rank axis from 1 to `bottom` labels: 1, 2, 3, 5, 10, 20, 30, 50, 100…
    within it, and `bottom` itself (where the lowest line starts, which a reader should be able to
    read off), in place of a round rank too close to it to be labelled apart."""
    steps = [m * 10**e for e in range(6) for m in (1, 2, 3, 5)]
    ticks = [v for v in steps if v < bottom and bottom / v >= 1.25]
    return ticks + [bottom]


def rank_bump(table: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Bump chart: global rank by year, one line per city, labelled at its end (labels moved apart
    where they would collide, long names on two lines). A menu picks a city to follow."""
    rank_cols = [c for c in table.columns if tables.is_rank_column(c)]
    long = table.melt(
        id_vars=["city", "country"], value_vars=rank_cols, var_name="year", value_name="rank"
    )
    long["year"] = long["year"].map(tables.rank_year)
    first, last = int(long["year"].min()), int(long["year"].max())
    bottom = int(long["rank"].max())
    # Years on a linear axis that runs on past the last year: that margin holds the end labels,
    # inside the chart at any width.
    x = alt.X(
        "year:Q",
        title=pages.header("year", lang),
        scale=alt.Scale(domain=[first - 0.3, last + 0.5 * (last - first)], nice=False, zero=False),
        # On a narrow plot, every other year counted back from the data year, which is always
        # labelled (Vega's own thinning, labelSeparation in _finish, would keep the first year
        # and could drop the last).
        axis=alt.Axis(
            values=list(range(first, last + 1)),
            format="d",
            labelAngle=0,
            labelExpr=f"width < {YEAR_LABEL_PX * (last - first + 1)} && ({last} - datum.value) % 2"
            " ? '' : datum.label",
        ),
    )
    # A log scale keeps the leading ranks apart while still showing where a climber started from;
    # the axis title says so.
    scale = alt.Scale(type="log", reverse=True, domain=[1, bottom], nice=False)
    y = alt.Y(
        "rank:Q",
        scale=scale,
        axis=alt.Axis(values=rank_ticks(bottom)),
        title=t("global_rank_log", lang),
    )
    follow = alt.selection_point(
        fields=["city"],
        bind=alt.binding_select(
            options=[None, *table["city"]],
            labels=[t("all_cities", lang), *table["city"]],
            name=t("follow_city", lang) + " ",
        ),
    )
    color = alt.Color(
        "city:N",
        legend=None,
        scale=alt.Scale(
            domain=list(table["city"]),
            range=[LINE_PALETTE[i % len(LINE_PALETTE)] for i in range(len(table))],
        ),
    )
    faded = alt.condition(follow, alt.value(1.0), alt.value(0.15))
    tooltip = [
        tip("city", lang),
        alt.Tooltip("year:O", title=pages.header("year", lang)),
        tip("rank", lang),
    ]
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(x=x, y=y, color=color, opacity=faded, tooltip=tooltip)
        .add_params(follow)
    )
    ends = long[long["year"] == last].copy()
    ends["label"] = ends["city"].map(lambda name: "\n".join(wrap_text(name, LABEL_WIDTH)))
    ends["label_rank"] = spread_labels(
        list(ends["rank"]), [label.count("\n") + 1 for label in ends["label"]], 1, bottom
    )
    labels = (
        alt.Chart(ends)
        .mark_text(align="left", dx=6, fontSize=11, lineHeight=12, lineBreak="\n")
        .encode(
            x=x, y=alt.Y("label_rank:Q", scale=scale), text="label:N", color=color, opacity=faded
        )
    )
    top = table.iloc[0]
    desc = t("alt_bump", lang, n=len(table), first=first, last=last, city=top["city"])
    return _finish(
        (lines + labels).properties(width=WIDTH, height=BUMP_HEIGHT),
        t("title_bump", lang, first=first, last=last),
        desc,
        lang,
        "rank-history",
    )


def edition_changes_chart(
    table: pd.DataFrame, prev: int, year: int, lang: str = "en"
) -> alt.Chart:
    """Each city's Share in the previous and the new edition, joined by a line (one dot where a
    city is in one year's data only), in the order of the table: the new ranking, then who left."""
    tooltip = [
        tip("city", lang),
        tip("country", lang),
        tip("share_prev", lang),
        tip("share", lang),
    ]
    pair = _dumbbell(
        table,
        ("share_prev", "share"),
        (str(prev), str(year)),
        pages.header("share", lang),
        tooltip,
        lang,
    )
    return _finish(
        pair.properties(width=WIDTH),
        t("title_edition_changes", lang, prev=prev, year=year),
        t("alt_edition_changes", lang, prev=prev, year=year),
        lang,
        "edition-changes",
    )


def legend_values(values: pd.Series, steps: int = 3) -> list[float]:
    """Round figures for a size legend that covers every value: from the smallest (rounded down)
    to the largest (rounded up), `steps` of them."""
    low, high = float(values.min()), float(values.max())
    if high <= low:
        return [math.floor(low)]
    unit = 10 ** max(0, math.floor(math.log10(high - low)) - 1)
    first, last = math.floor(low / unit) * unit, math.ceil(high / unit) * unit
    return sorted({round(first + (last - first) * i / (steps - 1)) for i in range(steps)})


def abbreviations(table: pd.DataFrame, columns: list[str]) -> list[tuple[str, str]]:
    """The abbreviations the network's labels use (node_label), with the names they stand for, in
    the order the table names them."""
    names = dict.fromkeys(n for c in columns for n in table[c])
    return [(node_label(n), n) for n in names if node_label(n) != n and "\n" not in node_label(n)]


def circle_layout(nodes: list[str]) -> pd.DataFrame:
    """Nodes evenly spaced on a unit circle, the first at the top, going clockwise."""
    n = len(nodes)
    angles = [math.pi / 2 - 2 * math.pi * i / n for i in range(n)]
    return pd.DataFrame(
        {
            "node": nodes,
            "x": [round(math.cos(a), 6) for a in angles],
            "y": [round(math.sin(a), 6) for a in angles],
        }
    )


def node_label(name: str, width: int = 10) -> str:
    """A network node's label: the abbreviation a name carries, "Peking University (PKU)" -> "PKU",
    else the name broken into short lines, so that no label runs past the chart's edge (the table
    beside the chart and the tooltips give the full names)."""
    abbreviation = re.search(r"\(([A-Z][A-Za-z&\-]{1,9})\)", name)
    return abbreviation.group(1) if abbreviation else "\n".join(wrap_text(name, width))


def pair_network(
    pairs: pd.DataFrame,
    a: str,
    b: str,
    weight: str,
    title: str,
    description: str,
    tooltips: list[alt.Tooltip],
    lang: str = "en",
    anchor: str = "network",
) -> alt.Chart:
    """Partners on a circle; an edge per pair, as thick as its weight (e.g. bilateral CS)."""
    nodes = list(dict.fromkeys(list(pairs[a]) + list(pairs[b])))
    pos = circle_layout(nodes).set_index("node")
    edges = pairs.assign(
        x=pairs[a].map(pos["x"]),
        y=pairs[a].map(pos["y"]),
        x2=pairs[b].map(pos["x"]),
        y2=pairs[b].map(pos["y"]),
    )
    strength = pairs.groupby(a)[weight].sum().add(pairs.groupby(b)[weight].sum(), fill_value=0)
    points = pos.reset_index().assign(total=lambda d: d["node"].map(strength))
    axis = dict(axis=None, scale=alt.Scale(domain=[-1.9, 1.9]))
    edge = (
        alt.Chart(edges)
        .mark_rule(opacity=0.9, color="#2166ac")
        .encode(
            x=alt.X("x:Q", **axis),
            y=alt.Y("y:Q", **axis),
            x2="x2:Q",
            y2="y2:Q",
            # The legend's lines run from the thinnest pair to the strongest, in round figures.
            strokeWidth=alt.StrokeWidth(
                f"{weight}:Q",
                title=pages.header(weight, lang),
                scale=alt.Scale(range=[1, 14]),
                legend=alt.Legend(values=legend_values(pairs[weight])),
            ),
            tooltip=tooltips,
        )
    )
    node = (
        alt.Chart(points)
        .mark_circle(size=160, color="#08306b", opacity=1)
        .encode(
            x=alt.X("x:Q", **axis),
            y=alt.Y("y:Q", **axis),
            tooltip=[
                alt.Tooltip("node:N", title=t("partner", lang)),
                alt.Tooltip("total:Q", title=t("bcs_total", lang), format=",.2f"),
            ],
        )
    )
    labelled = points.assign(
        lx=points["x"] * 1.12, ly=points["y"] * 1.12, label=points["node"].map(node_label)
    )
    side = labelled["x"].map(
        lambda v: "left" if v > 0.05 else ("right" if v < -0.05 else "center")
    )
    labels = [
        alt.Chart(labelled[side == align])
        .mark_text(fontSize=11, align=align, lineBreak="\n")
        .encode(x=alt.X("lx:Q", **axis), y=alt.Y("ly:Q", **axis), text="label:N")
        for align in ("left", "right", "center")
    ]
    return _finish(
        alt.layer(edge, node, *labels).properties(width=WIDTH, height=NETWORK_HEIGHT),
        title,
        description,
        lang,
        anchor,
    )


def city_partnership_network(
    table: pd.DataFrame, country_name: str, lang: str = "en"
) -> alt.Chart:
    top = table.iloc[0]
    return pair_network(
        table,
        "city1",
        "city2",
        "bcs",
        t("title_city_pairs", lang, country=country_name),
        t("alt_pairs", lang, n=len(table), a=top["city1"], b=top["city2"], bcs=top["bcs"]),
        [tip(c, lang) for c in ("city1", "city2", "cs1", "cs2", "bcs", "count")],
        lang,
        "partnerships",
    )


def institution_partnership_network(
    table: pd.DataFrame, city_name: str, lang: str = "en"
) -> alt.Chart:
    top = table.iloc[0]
    return pair_network(
        table,
        "institution1",
        "institution2",
        "bcs",
        t("title_inst_pairs", lang, city=city_name),
        t(
            "alt_pairs",
            lang,
            n=len(table),
            a=top["institution1"],
            b=top["institution2"],
            bcs=top["bcs"],
        ),
        [tip(c, lang) for c in ("institution1", "institution2", "bcs")],
        lang,
        "institutions",
    )


def share_interval_chart(table: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Each leading city's Share (a dot) with its 95 % interval (a line, coloured by country):
    from the exact standard error where the year has article records, else the widest the
    published Share and Count allow, with the narrowest they allow drawn thicker inside it.
    `table`: uncertainty.share_intervals."""
    table = shown(table, "rank_high", lang)
    z = uncertainty.z_value()
    exact = (table["basis"] == uncertainty.EXACT).all()
    bands = [("se_high", t("interval_exact" if exact else "interval_widest", lang), 2)]
    if not exact:
        bands.append(("se_low", t("interval_narrowest", lang), 6))
    long = pd.concat(
        [
            table.assign(
                band=label,
                low=table["share"] - z * table[se],
                high=table["share"] + z * table[se],
                thickness=width,
            )
            for se, label, width in bands
        ]
    )
    y = alt.Y("city:N", sort=list(table["city"]), title=pages.header("city", lang))
    tooltip = [
        tip(c, lang) for c in ("rank", "city", "country", "share", "half_width", "rank_low")
    ] + [tip_shown("rank_high", lang)]
    labels = [label for _, label, _ in bands]
    lines = (
        alt.Chart(long)
        .mark_rule()
        .encode(
            y=y,
            x=alt.X(
                "low:Q",
                title=pages.header("share", lang),
                scale=alt.Scale(zero=False),
                axis=alt.Axis(tickCount=6),
            ),
            x2="high:Q",
            color=country_colour(table, lang),
            strokeWidth=alt.StrokeWidth(
                "band:N",
                title=wrap_text(
                    t("interval_legend" if exact else "interval_legend_bounds", lang), 20
                ),
                scale=alt.Scale(domain=labels, range=[w for _, _, w in bands]),
                # beside the country legend it would not fit a phone
                legend=alt.Legend(orient="top"),
            ),
            tooltip=tooltip,
        )
    )
    dots = (
        alt.Chart(table)
        .mark_circle(size=30, color="#000000", opacity=1)
        .encode(y=y, x="share:Q", tooltip=tooltip)
    )
    top = table.iloc[0]
    desc = t(
        "alt_intervals",
        lang,
        n=len(table),
        city=top["city"],
        share=top["share"],
        half=top["half_width"],
    )
    return _finish(
        (lines + dots).properties(width=WIDTH), t("title_intervals", lang), desc, lang, "intervals"
    )


def rank_set_chart(table: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """The rank set of each leading city (a bar from the best to the worst rank it could hold; an
    open set runs past the last rank to an "or lower" mark), with the rank it holds (a dot).
    `table`: uncertainty.share_intervals."""
    n = len(table)
    df = shown(table, "rank_high", lang).assign(
        start=table["rank_low"].astype(float) - 0.4,
        end=table["rank_high"].astype("Float64").fillna(n + 1).astype(float) + 0.4,
        open_label=table["rank_high"].isna().map({True: t("open_below", lang), False: ""}),
    )
    y = alt.Y("city:N", sort=list(df["city"]), title=pages.header("city", lang))
    x = alt.X(
        "start:Q",
        title=t("rank_axis", lang),
        scale=alt.Scale(domain=[0.5, n + 3], nice=False, zero=False),
        axis=alt.Axis(values=list(range(1, n + 1)), format="d", labelOverlap=True),
    )
    tooltip = [tip(c, lang) for c in ("rank", "city", "rank_low")] + [tip_shown("rank_high", lang)]
    # a pale bar outlined in the dark ink (the outline stands out from the page), the rank held a
    # dark dot on it; an open set ends in an arrowhead past the last rank, which the subtitle reads
    # as "or lower" (a word beside the bar would not fit a phone's width)
    bars = (
        alt.Chart(df)
        .mark_bar(height=12, color=PALE, stroke=INK, strokeWidth=1)
        .encode(y=y, x=x, x2="end:Q", tooltip=tooltip)
    )
    held = (
        alt.Chart(df)
        .mark_circle(size=50, color=INK, opacity=1)
        .encode(y=y, x="rank:Q", tooltip=tooltip)
    )
    open_marks = (
        alt.Chart(df[df["open_label"] != ""])
        .mark_point(shape="triangle-right", filled=True, size=70, color=INK, opacity=1)
        .encode(y=y, x="end:Q", tooltip=tooltip)
    )
    singles = int((df["rank_low"] == df["rank_high"]).sum())
    desc = t("alt_rank_sets", lang, n=n, single=singles, open=int(df["rank_high"].isna().sum()))
    return _finish(
        (bars + held + open_marks).properties(width=WIDTH),
        t("title_rank_sets", lang),
        desc,
        lang,
        "rank-sets",
        subtitle=t("open_below_key", lang),
    )
