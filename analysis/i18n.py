"""Every label the notebooks and charts print, in English and Chinese.

Names of cities, countries, institutions and subjects are data (data/reference/); this holds only
the words around them. Strings are str.format templates."""

from __future__ import annotations

LANGS = ("en", "zh")

TEXT: dict[str, dict[str, str]] = {
    "location": {"en": "Location", "zh": "地区"},
    "location_share_axis": {
        "en": "Share as % of the country's Share",
        "zh": "占所在国家/地区贡献份额的百分比",
    },
    "basis": {"en": "Basis of the %", "zh": "百分比来源"},
    # short: they label the chart's legend, which must fit a phone; the page's prose explains
    "computed": {"en": "recomputed", "zh": "重新计算"},
    "printed_input": {"en": "as printed", "zh": "印刷值"},
    "title_edition_changes": {
        "en": "Share in {prev} and {year}",
        "zh": "{prev}年与{year}年的贡献份额",
    },
    "alt_edition_changes": {
        "en": "Dot plot of each leading city's Share in {prev} and {year}.",
        "zh": "点图：各领先城市{prev}年与{year}年的贡献份额。",
    },
    "global_rank_log": {
        "en": "Global rank by Share (logarithmic scale)",
        "zh": "贡献份额全球排名（对数刻度）",
    },
    "follow_city": {"en": "Follow a city:", "zh": "追踪城市："},
    "all_cities": {"en": "all cities", "zh": "全部城市"},
    "bcs_total": {"en": "Bilateral CS, all pairs shown", "zh": "图中所有合作的双边合作分值合计"},
    "partner": {"en": "Partner", "zh": "合作方"},
    "not_printed": {"en": "not printed", "zh": "未公布"},
    "open_below": {"en": "or lower", "zh": "或更低"},
    "open_below_key": {
        "en": "▶ the set is open below: the city could also rank lower",
        "zh": "▶ 排名区间下端开放：该城市的名次也可能更低",
    },
    "download": {
        "en": "Download this table as CSV ({filename})",
        "zh": "下载此表的CSV文件（{filename}）",
    },
    "untranslated_note": {
        "en": "† No translation of this name yet: shown as printed in English.",
        "zh": "† 该名称暂无中文译名，暂按英文原名显示。",
    },
    "abbreviations": {"en": "Abbreviations in the chart:", "zh": "图中缩写："},
    "show_all_columns": {"en": "Show all {n} columns", "zh": "显示全部{n}列"},
    "show_key_columns": {"en": "Show the key columns only", "zh": "只显示主要列"},
    "scroll_sideways": {"en": "Scroll sideways for more columns", "zh": "左右滑动查看更多列"},
    # the filter keeps the rows that hold the text typed, in any column
    "filter_rows": {"en": "Filter rows by any text…", "zh": "筛选：输入任意文字…"},
    "filter_no_rows": {"en": "No row holds this text.", "zh": "没有一行包含这段文字。"},
    "filter_rows_example": {
        "en": "Filter rows by any text, e.g. {example}…",
        "zh": "筛选：输入任意文字，如“{example}”…",
    },
    "sort_by_column": {
        "en": "Sort by this column (click again to reverse)",
        "zh": "按此列排序（再次点击可倒序）",
    },
    "chart_link": {"en": "Link to this chart", "zh": "本图链接"},
    "chart_click_to_view_actions": {"en": "Save this chart", "zh": "保存本图"},
    "chart_png_action": {"en": "Save as PNG", "zh": "保存为 PNG"},
    "chart_svg_action": {"en": "Save as SVG", "zh": "保存为 SVG"},
    "title_leading": {"en": "Leading cities by Share", "zh": "贡献份额领先的城市"},
    "title_location": {
        "en": "Each city's part of its country's Share",
        "zh": "各城市占所在国家/地区贡献份额的比重",
    },
    "title_risers": {
        "en": "Adjusted Share {prev} → {cur}: {subject}",
        "zh": "调整后贡献份额 {prev} → {cur}：{subject}",
    },
    "title_bump": {
        "en": "Global rank by Share, {first}–{last}",
        "zh": "贡献份额全球排名，{first}–{last}",
    },
    "title_city_pairs": {
        "en": "Leading city partnerships: {country}",
        "zh": "领先的城市合作：{country}",
    },
    "title_inst_pairs": {
        "en": "Leading institution partnerships in {city}",
        "zh": "{city}领先的机构合作",
    },
    # The audit chapter's tables.
    "edition": {"en": "Edition", "zh": "版本"},
    "edition_en": {"en": "English", "zh": "英文版"},
    "edition_zh": {"en": "Chinese", "zh": "中文版"},
    "kind": {"en": "Kind of figure", "zh": "数字类别"},
    "kind_table": {"en": "table cell", "zh": "表格单元格"},
    "kind_text": {"en": "running text", "zh": "正文"},
    "status_reproduced": {"en": "Reproduced", "zh": "复现"},
    "status_input": {"en": "Input", "zh": "输入"},
    "status_not_checkable": {"en": "Not checkable", "zh": "无法核查"},
    "status_erratum": {"en": "Erratum", "zh": "勘误"},
    "total": {"en": "Total", "zh": "合计"},
    "figure_id": {"en": "Figure", "zh": "数字编号"},
    "where": {"en": "Where", "zh": "位置"},
    "printed": {"en": "Printed", "zh": "印刷值"},
    "recomputed": {"en": "Recomputed", "zh": "重新计算值"},
    "explanation": {"en": "Explanation", "zh": "说明"},
    "needed": {"en": "What would be needed", "zh": "核查所需数据"},
    "alt_leading": {
        "en": "Bar chart of the Share of the {n} leading cities; the largest is {city} with "
        "{share:,.2f}.",
        "zh": "条形图：{n}个领先城市的贡献份额；最高的是{city}，为{share:,.2f}。",
    },
    "alt_location": {
        "en": "Bar chart of each leading city's Share as a percentage of its country's; the "
        "highest is {city} with {pct:.2f}% of {country}.",
        "zh": "条形图：各领先城市占所在国家贡献份额的百分比；"
        "最高的是{city}，占{country}的{pct:.2f}%。",
    },
    "alt_risers": {
        "en": "Dumbbell chart of adjusted Share in two years for the fastest risers in {subject}; "
        "{city} rose from {prev:,.2f} to {cur:,.2f} (+{change:,.2f}).",
        "zh": "哑铃图：{subject}上升最快城市两年的调整后贡献份额；"
        "{city}从{prev:,.2f}升至{cur:,.2f}（+{change:,.2f}）。",
    },
    "alt_bump": {
        "en": "Bump chart of the global rank of {n} cities from {first} to {last}; {city} ranks "
        "first in {last}.",
        "zh": "排名变化图：{n}个城市{first}至{last}年的全球排名；{last}年排名第一的是{city}。",
    },
    "title_intervals": {
        "en": "Share with its 95% interval",
        "zh": "贡献份额及其95%区间",
    },
    # (short: they label a legend, which must fit a phone; the page's prose explains)
    "interval_legend": {"en": "95% interval", "zh": "95%区间"},
    "interval_legend_bounds": {
        "en": "95% interval, from Share and Count",
        "zh": "95%区间（据贡献份额与论文数）",
    },
    "interval_widest": {"en": "widest", "zh": "最宽"},
    "interval_narrowest": {"en": "narrowest", "zh": "最窄"},
    "interval_exact": {"en": "exact, from article records", "zh": "依据论文记录精确计算"},
    "alt_intervals": {
        "en": "Dot plot of the Share of the {n} leading cities, each with its 95% interval; "
        "{city} leads with {share:,.2f} ± {half:,.2f}.",
        "zh": "点图：{n}个领先城市的贡献份额及其95%区间；"
        "{city}居首，为{share:,.2f} ± {half:,.2f}。",
    },
    "title_rank_sets": {
        "en": "The ranks each could hold (95% rank sets)",
        "zh": "各自可能的名次（95%排名区间）",
    },
    "rank_axis": {"en": "Rank", "zh": "名次"},
    "alt_rank_sets": {
        "en": "Bar chart of the rank set of each of {n} entries, from the best to the worst rank "
        "it could hold; {single} hold a single rank, {open} are open below.",
        "zh": "条形图：{n}个条目各自的排名区间（从可能的最好名次到最差名次）；"
        "其中{single}个只有一个名次，{open}个区间下端开放。",
    },
    "alt_pairs": {
        "en": "Network of the {n} leading partnerships; edge width is the bilateral collaboration "
        "score; the strongest pair is {a} and {b} ({bcs:,.2f}).",
        "zh": "网络图：{n}组领先合作，连线粗细表示双边合作分值；"
        "最强的合作是{a}与{b}（{bcs:,.2f}）。",
    },
}

# The abbreviations that names and column headers use, with what each stands for in each language;
# a page explains those it shows (narrative.abbreviations_sentence). Chinese names and headers
# spell them out, so a Chinese page meets one only in a name not yet translated.
ABBREVIATIONS: dict[str, dict[str, str]] = {
    "MA": {"en": "metropolitan area", "zh": "都市圈"},
    "CS": {"en": "collaboration score", "zh": "合作分值"},
    "CAS": {"en": "Chinese Academy of Sciences", "zh": "中国科学院"},
    "YOY": {"en": "year on year", "zh": "同比"},
}

# The words of the theme's own controls (tooltips and screen-reader labels), as the HTML shows
# them, with what a page in each other language says instead: the theme writes some in English
# whatever the language, and its Chinese catalogue has Taiwanese usage (列印 for 打印).
# Applied to every page of the build by analysis/pipeline/sphinx_ext.py.
THEME_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "Link to this heading": "链接到此标题",
        "Toggle hidden content": "显示或隐藏内容",
        "Toggle primary sidebar": "显示或隐藏全书目录",
        "Toggle secondary sidebar": "显示或隐藏本页目录",
        "Color mode": "颜色模式",
        "System Settings": "跟随系统设置",
        "Main": "全书目录",
        "Page": "本页",
        "列印成 PDF": "打印为 PDF",
    },
}


def t(key: str, lang: str = "en", **values) -> str:
    """The label `key` in `lang`, with `values` filled in."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGS)}")
    return TEXT[key][lang].format(**values)
