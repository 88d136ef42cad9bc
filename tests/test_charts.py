"""The charts as the executed pages carry them: every mark and line stands out from the page
(WCAG 1.4.11: 3:1 for graphical objects), the legends show what is drawn, a size legend covers the
thinnest line, and Chinese labels break only between words."""

import json
import re

import pandas as pd
import pytest

from analysis import charts
from analysis.paths import GENERATED

WHITE = "#ffffff"
SPEC = re.compile(r"var spec = (\{.*?\});\n", re.S)


def chart_specs() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(GENERATED.glob("*/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                page = "".join(output.get("data", {}).get("text/html", ""))
                for spec in SPEC.findall(page):
                    found.append((path.name, json.loads(spec.replace("<\\/", "</"))))
    return found


def views(spec: dict):
    yield spec
    for layer in spec.get("layer", []):
        yield from views(layer)


def blend(colour: str, opacity: float) -> str:
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(opacity * c + (1 - opacity) * 255):02x}" for c in rgb)


def test_the_palettes_stand_out_from_the_page():
    for colour in charts.COUNTRY_PALETTE + [charts.INK, charts.RULE]:
        assert charts.contrast(colour) >= 3, colour
    for colour in charts.LINE_PALETTE:  # the rank chart writes its labels in its lines' colours
        assert charts.contrast(colour) >= 4.5, colour


def test_chart_colours():
    """Every colour a chart draws a mark with, and every colour of its colour scales, reaches 3:1
    against the page, at the mark's own opacity; a lighter fill is outlined (the outline
    counts)."""
    specs = chart_specs()
    assert len(specs) >= 16
    for page, spec in specs:
        for view in views(spec):
            mark = view.get("mark", {})
            mark = {"type": mark} if isinstance(mark, str) else mark
            encoding = view.get("encoding", {})
            outlined = "stroke" in encoding or "stroke" in mark
            opacity = mark.get("opacity", 1)
            # a mark's outline, where it has one, is what stands out; else its colour
            key = "stroke" if isinstance(mark.get("stroke"), str) else "color"
            if mark.get("type") != "text" and str(mark.get(key, "")).startswith("#"):
                assert charts.contrast(blend(mark[key], opacity)) >= 3, (page, key, mark)
            for channel in ("color", "fill", "stroke"):
                colours = encoding.get(channel, {}).get("scale", {}).get("range", [])
                for colour in colours:
                    if colour.lower() == WHITE and outlined:
                        continue  # a hollow mark: its outline is what stands out
                    assert charts.contrast(colour) >= 3, (page, channel, colour)
            floor = encoding.get("opacity", {}).get("scale", {}).get("range", [1])
            if min(floor) < 1:
                assert outlined, (page, "a lighter mark needs an outline")


def test_a_size_legend_covers_the_thinnest_and_the_strongest_line():
    values = pd.Series([203.09, 828.2, 412.5])
    legend = charts.legend_values(values)
    assert legend[0] <= values.min() and legend[-1] >= values.max()
    checked = 0
    for page, spec in chart_specs():
        for view in views(spec):
            width = view.get("encoding", {}).get("strokeWidth")
            # A legend of named bands (the intervals chart) shows every band by itself.
            if width and "legend" in width and width.get("type") == "quantitative":
                data = spec["datasets"][view["data"]["name"]]
                field = [row[width["field"]] for row in data]
                shown = width["legend"]["values"]
                assert min(shown) <= min(field) and max(shown) >= max(field), page
                checked += 1
    assert checked, "no chart has a line-width legend to check"


@pytest.mark.parametrize(
    "name, lines",
    [
        ("巴尔的摩-华盛顿", ["巴尔的摩-", "华盛顿"]),
        ("中国科学院化学研究所", ["中国科学院", "化学研究所"]),
        ("旧金山湾区", ["旧金山湾区"]),
        ("San Francisco Bay Area", ["San Francisco", "Bay Area"]),
    ],
)
def test_chinese_labels_break_only_between_words(name, lines):
    assert charts.wrap_text(name, 14) == lines


def test_the_network_key_spells_out_every_abbreviation_it_draws():
    table = pd.DataFrame(
        {
            "institution1": ["Peking University (PKU)", "Tsinghua University"],
            "institution2": ["Institute of Physics (IOP), CAS", "Peking University (PKU)"],
        }
    )
    used = charts.abbreviations(table, ["institution1", "institution2"])
    assert used == [
        ("PKU", "Peking University (PKU)"),
        ("IOP", "Institute of Physics (IOP), CAS"),
    ]


@pytest.mark.parametrize("bottom", [1, 2, 3, 12, 30, 37, 42, 58, 120])
def test_a_rank_axis_labels_its_lowest_rank(bottom):
    """The log-scale rank axis of the bump chart labels the lowest rank a line reaches (the
    supplement's Guangzhou starts at 42), and no two of its labels are closer than a factor of
    1.25 (they would be set on top of each other)."""
    ticks = charts.rank_ticks(bottom)
    assert ticks[0] == 1 and ticks[-1] == bottom
    assert all(b / a >= 1.25 for a, b in zip(ticks, ticks[1:]))


def test_no_tooltip_shows_null():
    """Every tooltip line of every chart of the executed pages has a value in every row of its
    data (an open rank set reads "or lower", as in the table, not Vega's "null")."""
    empty = []
    for name, spec in chart_specs():
        datasets = spec.get("datasets", {})
        for view in views(spec):
            data = datasets.get(view.get("data", spec.get("data", {})).get("name", ""), [])
            tooltip = view.get("encoding", {}).get("tooltip", [])
            for line in tooltip if isinstance(tooltip, list) else [tooltip]:
                field = line.get("field")
                if field and any(row.get(field) is None for row in data if field in row):
                    empty.append((name, field))
    assert sorted(set(empty)) == []
