"""The kinds of page the book is made of, one declaration each, and the columns their tables show.

A page kind (`PageKind`) says which template makes it, what it is run for (`Each`: once a year, or
once per subject, country or city the year's data lists), when it exists (`needs`), its title in
each language, and the table it shows: the function that computes it, its columns, how many rows,
its file names and whether the supplement printed it (the ledger). A column (`Column`) has one
header per language and one number format, used alike by the HTML table, the CSV, the chart
tooltips and the audit.

Everything that runs pages reads this module: the runner plans from `KINDS`, the tables command and
the audit take `contract_tables`, `display` shows a `Page`, `charts` takes headers and formats from
`COLUMNS`. Adding a page kind is a template in notebooks/, one `PageKind` below and its strings
(notebooks/README.md says how).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import tables, uncertainty
from analysis.data import FORMULA_STARTS, YearData, ledger_dir, plain_number, table_schemas
from analysis.errors import RegistryError
from analysis.i18n import LANGS, t
from analysis.paths import DATA, NOTEBOOKS

# ---- columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """How a column is printed everywhere. `header` per language may name {year} (the data year)
    and {prev} (the year before); a pattern column's header names its pattern's groups. `format`
    is a format spec that Python and d3 read alike (",.2f", "d"); None for text. `unit` follows the
    number in a table cell. `missing` is the i18n key shown for an empty cell (default "—").
    `labels` translates the values of a column of categories. A format without decimals is a
    whole number's (",": thousands separated)."""

    header: dict[str, str]
    format: str | None = None
    unit: str = ""
    missing: str | None = None
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def numeric(self) -> bool:
        return self.format is not None

    @property
    def decimals(self) -> int | None:
        """Decimals of a fixed-point format (".2f" -> 2), None for whole numbers and text."""
        found = re.search(r"\.(\d+)f$", self.format or "")
        return int(found.group(1)) if found else None

    def cell(self, value, lang: str) -> str:
        """The text of one table cell (or chart tooltip): an empty one says `missing`, or "—"."""
        if is_empty(value):
            return t(self.missing, lang) if self.missing else EMPTY
        if self.labels:
            return self.labels[value][lang]
        if self.format is None:
            return str(value)
        if self.decimals is None:  # a whole number, whatever type the frame holds it in
            value = int(value)
        return format(value, self.format) + self.unit


EMPTY = "—"  # an empty cell of a column that names no `missing` text


def is_empty(value) -> bool:
    """Whether a cell holds nothing (None, NaN, pd.NA); an empty string is text."""
    return value is None or (not isinstance(value, str) and pd.isna(value))


def cell_text(value, name: str, lang: str) -> str:
    """A cell as the book shows it: by its column's declaration, or as it is (EMPTY if empty)."""
    if is_declared(name):
        return column(name).cell(value, lang)
    return EMPTY if is_empty(value) else str(value)


def _h(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


MONEY = ",.2f"  # a Share-like figure: thousands separated, two decimals

COLUMNS: dict[str, Column] = {
    "rank": Column(_h("Rank", "排名"), "d"),
    "position": Column(_h("Position", "名次"), "d"),
    "city": Column(_h("City/Metro", "城市/都市圈")),
    "country": Column(_h("Country", "国家/地区")),
    "share": Column(_h("Share", "贡献份额"), MONEY),
    "count": Column(_h("Count", "论文数"), ","),
    "location_share_pct": Column(
        _h("% Location Share", "占地区贡献份额比重"), ".2f", unit="%", missing="not_printed"
    ),
    "adjusted_share_prev": Column(_h("{prev} Adjusted Share", "{prev}年调整后贡献份额"), MONEY),
    "adjusted_share": Column(_h("{year} Adjusted Share", "{year}年调整后贡献份额"), MONEY),
    "change": Column(_h("YOY Change", "同比变化"), MONEY),
    "change_pct": Column(_h("YOY % Change", "同比%变化"), ".2f"),
    "city1": Column(_h("City 1", "城市1")),
    "city2": Column(_h("City 2", "城市2")),
    "cs1": Column(_h("CS1", "合作分值1"), MONEY),
    "cs2": Column(_h("CS2", "合作分值2"), MONEY),
    "bcs": Column(_h("Bilateral CS", "双边合作分值"), MONEY),
    "institution1": Column(_h("Institution 1", "机构1")),
    "institution2": Column(_h("Institution 2", "机构2")),
    "change_rounded": Column(
        _h("Rise in adjusted Share (as printed, rounded)", "调整后贡献份额上升（印刷值，取整）"),
        ",.0f",
        missing="not_printed",
    ),
    "rank_prev": Column(_h("Rank, previous edition", "上一版排名"), "d"),
    "share_prev": Column(_h("Share, previous edition", "上一版贡献份额"), MONEY),
    "status": Column(
        _h("In the leading group", "领先城市名单"),
        labels={
            "entered": _h("entered", "新进入"),
            "left": _h("left", "退出"),
            "stayed": _h("stayed", "保留"),
        },
    ),
    # the worked examples of the methods chapter (tables.example_table)
    "year": Column(_h("Year", "年份"), "d"),
    "institution": Column(_h("Institution", "机构")),
    "adjusted_share_any": Column(_h("Adjusted Share", "调整后贡献份额"), MONEY),
    "sum_of_shares": Column(_h("Sum of the cities' Shares", "各城市贡献份额之和"), MONEY),
    "articles": Column(_h("Articles", "论文数"), ","),
    # how sure a figure is (analysis/uncertainty.py): standard errors, 95 % intervals, rank sets
    "city_id": Column(_h("City id", "城市编号")),
    "subject_id": Column(_h("Subject id", "学科编号")),
    "se_low": Column(_h("Standard error, at least", "标准误（下限）"), MONEY),
    "se_high": Column(_h("Standard error, at most", "标准误（上限）"), MONEY),
    "half_width": Column(_h("± (95% interval)", "±（95%区间）"), MONEY),
    # a rank set is a range at 95 % confidence, not a hard limit: its headers say "set"
    "rank_low": Column(_h("Rank set: from", "排名区间：自"), "d"),
    "rank_high": Column(_h("Rank set: to", "排名区间：至"), "d", missing="open_below"),
    "rank_low_prev": Column(_h("Rank set, previous edition: from", "上一版排名区间：自"), "d"),
    "rank_high_prev": Column(
        _h("Rank set, previous edition: to", "上一版排名区间：至"),
        "d",
        missing="open_below",
    ),
    "verdict": Column(
        _h("Beyond the uncertainty?", "是否超出不确定范围"),
        labels={
            "rise": _h("a clear rise", "明确上升"),
            "fall": _h("a clear fall", "明确下降"),
            "within": _h("within the uncertainty", "在不确定范围内"),
        },
    ),
    "move": Column(
        _h("Move beyond the uncertainty?", "名次变化是否超出不确定范围"),
        labels={
            "up": _h("clearly up", "明确上升"),
            "down": _h("clearly down", "明确下降"),
            "within": _h("within the uncertainty", "在不确定范围内"),
            "same": _h("same rank", "名次未变"),
        },
    ),
}
# Columns whose names carry years (the rank history): declared by a pattern, which is also the
# name a page kind lists in its columns; the header names the pattern's groups.
PATTERN_COLUMNS: dict[str, tuple[re.Pattern, Column]] = {
    "r{year}": (re.compile(r"^r(?P<year>\d{4})$"), Column(_h("{year}", "{year}"), "d")),
    "change_{start}_{end}": (
        re.compile(r"^change_(?P<start>\d{4})_(?P<end>\d{4})$"),
        Column(_h("Change {start}–{end}", "排名变化 {start}–{end}"), "d"),
    ),
}


def column(name: str) -> Column:
    """The declaration of a column, by its name or its pattern (KeyError naming it if none)."""
    if name in COLUMNS:
        return COLUMNS[name]
    for pattern_name, (pattern, declared) in PATTERN_COLUMNS.items():
        if name == pattern_name or pattern.match(name):
            return declared
    raise KeyError(f"column {name!r} is not declared in analysis/pages.py (COLUMNS)")


def is_declared(name: str) -> bool:
    try:
        column(name)
    except KeyError:
        return False
    return True


def header(name: str, lang: str = "en", year: int | None = None) -> str:
    """A column's header in `lang`; {year} and {prev} are the data year and the year before."""
    values: dict = {"year": year or "", "prev": year - 1 if year else ""}
    for pattern, _ in PATTERN_COLUMNS.values():
        if found := pattern.match(name):
            values |= found.groupdict()
    return column(name).header[lang].format(**values)


# ---- page kinds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Each:
    """A page kind runs once per value of `column` in the year's file `file` (leaving out values
    that the file `unless_in` lists too). The template receives the value as `parameter`; the
    reference table `names` names it, orders it (by its `order` column, else in the data's order)
    and gives the file-name slug (its `slug` column, else the id)."""

    parameter: str
    file: str
    column: str
    names: str
    unless_in: str | None = None


@dataclass(frozen=True)
class Instance:
    value: str | None  # what the template's parameter receives (None: a page run once)
    slug: str  # in file names
    name: str  # in titles, in the page's language


@dataclass(frozen=True)
class PageKind:
    """One kind of page. `needs`: the data file without which the page does not exist that year,
    or "published" (the year's ledger of printed figures) or "previous_edition" (an earlier year
    with data); None for a page of no data year. `stem` is the page's file name and `csv` its
    table's CSV name (the same name as the printed table in the ledger, if the supplement printed
    it): both may name {slug}. `key`: what a reader must see of a row on a phone, besides its rank
    (the names and the figures the page is about; the other columns are one tap away).
    `inputs`: columns transcribed from the source (the others are recomputed)."""

    name: str
    title: dict[str, str]
    needs: str | None
    each: Each | None = None
    template: str = ""
    table: Callable[..., pd.DataFrame] | None = None
    columns: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    top: int | None = None
    stem: str = ""
    csv: str | None = None
    group: str = ""  # kinds of one group are ordered together, by instance (risers, mentions)
    recent: int = 0  # of the key's year columns (r{year}), a phone shows only the last `recent`
    csv_columns: tuple[str, ...] = ()  # what its CSV holds, where that is not what the page shows

    @property
    def template_path(self) -> Path:
        return NOTEBOOKS / f"{self.template or self.name}.ipynb"

    @property
    def yearly(self) -> bool:
        return self.needs is not None

    def page_stem(self, instance: Instance) -> str:
        return (self.stem or self.name).format(slug=instance.slug)

    def page_title(self, instance: Instance, lang: str) -> str:
        return self.title[lang].format(name=instance.name)

    def csv_stem(self, instance: Instance) -> str | None:
        return self.csv.format(slug=instance.slug) if self.csv else None

    def compute(self, data: YearData, instance: str | None = None, lang: str = "en"):
        """The page's table, every column the function computes (ids too), `top` rows."""
        args = () if instance is None else (instance,)
        return self.table(data, *args, lang=lang, top=self.top)

    def is_input(self, column_name: str) -> bool:
        return any(
            column_name == declared
            or (declared in PATTERN_COLUMNS and PATTERN_COLUMNS[declared][0].match(column_name))
            for declared in self.inputs
        )


SUBJECT = Each("subject", "adjusted_share", "subject_id", "subjects")
# What share-intervals.csv holds: the records of intervals --json, with the city's and country's
# names in the page's language and the 95% margin the page shows (half_width), beside the
# standard error's bounds it comes from (a reader should not take se_high for the margin).
INTERVAL_FIELDS = (
    *uncertainty.RECORD_FIELDS[:1],
    "city",
    "country",
    *uncertainty.RECORD_FIELDS[1:4],
    "half_width",
    *uncertainty.RECORD_FIELDS[4:],
)
LEADING = 20  # the leading group, as the supplement prints it

KINDS: dict[str, PageKind] = {
    kind.name: kind
    for kind in (
        PageKind(
            "edition-changes",
            _h("What changed since the last edition", "与上一版相比的变化"),
            needs="previous_edition",
            table=tables.edition_changes,
            columns=("city", "country", "rank_prev", "rank", "share_prev", "share", "status"),
            key=("city", "rank_prev", "share", "status"),
            top=LEADING,
            csv="edition-changes",
        ),
        PageKind(
            "leading-cities",
            _h("Leading cities", "领先的科研城市"),
            needs="city_share",
            table=tables.leading_cities,
            columns=("rank", "city", "country", "share", "count", "location_share_pct"),
            key=("city", "share", "count", "location_share_pct"),
            inputs=("share", "count"),
            top=LEADING,
            csv="leading-cities",
        ),
        PageKind(
            "intervals",
            _h("How sure are these ranks?", "这些排名有多可靠？"),
            needs="city_share",
            table=uncertainty.share_intervals,
            columns=(
                "rank",
                "city",
                "country",
                "share",
                "half_width",
                "rank_low",
                "rank_high",
            ),  # fmt: skip
            csv_columns=INTERVAL_FIELDS,
            # the page is about the margins and the rank sets
            key=("city", "share", "half_width", "rank_low", "rank_high"),
            inputs=("share",),
            top=LEADING,
            csv="share-intervals",
        ),
        PageKind(
            "rank-history",
            _h("Rank history of the leading cities", "领先城市的排名变化"),
            needs="rank_history",
            table=tables.rank_history,
            columns=("city", "r{year}", "change_{start}_{end}"),
            key=("city", "r{year}", "change_{start}_{end}"),
            recent=4,
            inputs=("r{year}",),
            csv="rank-history",
        ),
        PageKind(
            "risers",
            _h("Fastest risers: {name}", "上升最快的城市：{name}"),
            needs="adjusted_share",
            each=SUBJECT,
            table=tables.risers,
            columns=(
                "rank",
                "city",
                "country",
                "adjusted_share_prev",
                "adjusted_share",
                "change",
                "change_pct",
            ),
            key=("city", "adjusted_share", "change", "change_pct"),
            inputs=("adjusted_share_prev", "adjusted_share"),
            top=LEADING,
            stem="risers-{slug}",
            csv="risers-{slug}",
        ),
        PageKind(
            "riser-mentions",
            _h("Fastest risers: {name}", "上升最快的城市：{name}"),
            needs="riser_mentions",
            each=Each(
                "subject", "riser_mentions", "subject_id", "subjects", unless_in="adjusted_share"
            ),
            table=tables.riser_mentions,
            columns=("position", "city", "country", "change_rounded"),
            key=("city", "change_rounded"),
            inputs=("change_rounded",),
            stem="risers-{slug}",
            group="risers",
        ),
        PageKind(
            "partnerships",
            _h("City partnerships: {name}", "城市合作：{name}"),
            needs="city_partnerships",
            each=Each("country", "city_partnerships", "country_id", "countries"),
            table=tables.city_partnerships,
            columns=("rank", "city1", "city2", "cs1", "cs2", "bcs", "count"),
            key=("city1", "city2", "bcs", "count"),
            inputs=("cs1", "cs2", "count"),
            top=10,
            stem="partnerships-{slug}",
            csv="partnerships-{slug}",
        ),
        PageKind(
            "institutions",
            _h("Institution partnerships within {name}", "{name}的机构合作"),
            needs="institution_partnerships",
            each=Each("city", "institution_partnerships", "city_id", "cities"),
            table=tables.institution_partnerships,
            columns=("rank", "institution1", "institution2", "city", "country", "bcs"),
            key=("institution1", "institution2", "bcs"),
            inputs=("bcs",),
            top=10,
            stem="institutions-{slug}",
            csv="institution-partnerships-{slug}",
        ),
        PageKind("audit", _h("Reproduction audit", "复现核查"), needs="published"),
        PageKind(
            "methods", _h("Methods: the metrics, worked out", "研究方法：指标的计算示例"), None
        ),
    )
}

# Cells a template tags `needs-<name>` are dropped from a page whose year lacks what the name says.
CELL_NEEDS: dict[str, tuple[str, ...]] = {
    "needs-published": ("published",),  # prose that links to the audit
    "needs-location-share": ("country_share", "location_share_input"),  # either will do
}
# What every template's parameters cell defines, with the type the runner hands it; a page kind
# run for each subject, country or city adds its Each.parameter (a str).
PARAMETERS: dict[str, type] = {"year": int, "lang": str, "data_dir": Path}
SPECIAL_NEEDS = ("published", "previous_edition")


def check_registry(data_dir: Path = DATA) -> None:
    """Every name the declarations use must exist: a typo is an error that names it, never a page
    silently left out. Raises RegistryError."""
    schemas = table_schemas(data_dir)
    problems = []
    where = "analysis/pages.py"
    for kind in KINDS.values():
        if not kind.template_path.is_file():
            problems.append(f"{kind.name}: no template {kind.template_path.name} in notebooks/")
        if (
            kind.needs is not None
            and kind.needs not in schemas
            and kind.needs not in SPECIAL_NEEDS
        ):
            problems.append(
                f"{kind.name}: needs = {kind.needs!r} is neither a data file of "
                f"data/datapackage.json nor one of {', '.join(SPECIAL_NEEDS)}"
            )
        if kind.each is not None:
            for file in filter(None, (kind.each.file, kind.each.unless_in)):
                fields = {f["name"] for f in schemas.get(file, {}).get("fields", [])}
                if not fields:
                    problems.append(f"{kind.name}: each names the unknown data file {file!r}")
                elif kind.each.column not in fields:
                    problems.append(
                        f"{kind.name}: each names the column {kind.each.column!r}, which "
                        f"{file}.csv does not have"
                    )
            if kind.each.names not in schemas:
                problems.append(
                    f"{kind.name}: each names the unknown reference {kind.each.names!r}"
                )
        for name in kind.columns + kind.key + kind.inputs:
            if not is_declared(name):
                problems.append(f"{kind.name}: column {name!r} is not declared in COLUMNS")
    stems = [(k.stem or k.name, k.name) for k in KINDS.values()]
    fixed = [s for s, _ in stems if "{" not in s]
    for stem in sorted({s for s in fixed if fixed.count(s) > 1}):
        problems.append(f"two page kinds have the file name {stem!r}")
    if problems:
        raise RegistryError(f"{where}: " + "; ".join(problems))


def instances(kind: PageKind, data: YearData, lang: str = "en") -> list[Instance]:
    """What a page kind runs for in a data year, in book order (one Instance for a yearly page)."""
    each = kind.each
    if each is None:
        return [Instance(None, "", "")]
    if not data.has(each.file):
        return []
    values = list(dict.fromkeys(data[each.file][each.column]))
    if each.unless_in and data.has(each.unless_in):
        values = [v for v in values if v not in set(data[each.unless_in][each.column])]
    reference = data.reference[each.names]
    key = reference.columns[0]
    if "order" in reference.columns:
        order = list(reference.sort_values("order")[key])
        values = sorted(values, key=order.index)
    names = tables.localized_names(reference, key, lang)
    slugs = reference.set_index(key)["slug"] if "slug" in reference.columns else None
    return [
        Instance(value, str(slugs[value]) if slugs is not None else value, names[value])
        for value in values
    ]


def has_need(data: YearData, need: str) -> bool:
    if need == "published":
        return bool(ledger_files(data))
    if need == "previous_edition":
        return data.previous_year is not None
    return data.has(need)


def ledger_files(data: YearData) -> list[Path]:
    """The ledger of the year's printed figures (data/published/<year>/), which the audit reads."""
    return sorted(ledger_dir(data.year, data.data_dir).rglob("*.csv"))


# ---- what a template shows -------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page's table: the kind, the instance, the language and the computed rows."""

    kind: PageKind
    year: int
    instance: Instance
    lang: str
    table: pd.DataFrame

    @property
    def columns(self) -> list[str]:
        """The page's contract columns, in order (pattern columns expanded)."""
        return expand_columns(self.kind, self.table)

    @property
    def csv_name(self) -> str:
        stem = self.kind.csv_stem(self.instance) or self.kind.page_stem(self.instance)
        return f"{stem}-{self.year}.csv"

    @property
    def contract(self) -> pd.DataFrame:
        """What the page's table shows."""
        return self.table[self.columns]

    @property
    def csv(self) -> pd.DataFrame:
        """What the page's CSV holds: what `tables` writes for it."""
        return self.table[csv_columns(self.kind, self.table)]

    @property
    def key_columns(self) -> list[str]:
        """The columns a phone shows at once: the rank and the kind's key columns."""
        key = expand_columns(dataclasses.replace(self.kind, columns=self.kind.key), self.table)
        if self.kind.recent:
            years = [c for c in key if tables.rank_year(c)]
            key = [c for c in key if c not in years[: -self.kind.recent]]
        return [c for c in self.columns if c in ("rank", "position") or c in key]


def csv_columns(kind: PageKind, table: pd.DataFrame) -> list[str]:
    """The columns of a kind's CSV, as `table` has them."""
    return (
        expand_columns(dataclasses.replace(kind, columns=kind.csv_columns), table)
        if kind.csv_columns
        else expand_columns(kind, table)
    )


def expand_columns(kind: PageKind, table: pd.DataFrame) -> list[str]:
    """The kind's columns as `table` has them: a pattern column stands for every column of the
    table it matches, in the table's order."""
    out = []
    for name in kind.columns:
        if name in PATTERN_COLUMNS:
            pattern = PATTERN_COLUMNS[name][0]
            out += [c for c in table.columns if pattern.match(c)]
        else:
            out.append(name)
    return out


def page(name: str, data: YearData, instance: str | None = None, lang: str = "en") -> Page:
    """The table a page of kind `name` shows, for one instance (a subject, country or city id)."""
    kind = KINDS[name]
    found = next(
        (i for i in instances(kind, data, lang) if i.value == instance),
        Instance(instance, instance or "", instance or ""),
    )
    return Page(kind, data.year, found, lang, kind.compute(data, instance, lang))


def _csv_tables(data: YearData, lang: str = "en"):
    """(kind, instance) of every table of the year that has a CSV, in book order."""
    for kind in KINDS.values():
        if kind.table is not None and kind.csv is not None and has_need(data, kind.needs):
            for instance in instances(kind, data, lang):
                yield kind, instance


def contract_tables(data: YearData, lang: str = "en") -> dict[str, tuple[PageKind, pd.DataFrame]]:
    """Every table of the year that has a CSV, by CSV stem: its kind and its contract columns."""
    out = {}
    for kind, instance in _csv_tables(data, lang):
        table = kind.compute(data, instance.value, lang)
        if len(table):
            out[kind.csv_stem(instance)] = (kind, table[csv_columns(kind, table)])
    return out


def table_titles(data: YearData, lang: str = "en") -> dict[str, str]:
    """The title of every table of the year that has a CSV (its page's title), by CSV stem."""
    return {
        kind.csv_stem(instance): kind.page_title(instance, lang)
        for kind, instance in _csv_tables(data, lang)
    }


def all_tables(data: YearData, lang: str = "en") -> dict[str, pd.DataFrame]:
    """Every table of the year that has a CSV, by CSV stem, restricted to its contract columns."""
    return {stem: table for stem, (_, table) in contract_tables(data, lang).items()}


# A spreadsheet opening a CSV file reads a text cell starting with one of these as a formula (the
# characters a name cannot start with, and a tab or a carriage return). OWASP's rule ("CSV
# Injection") is to start such a cell with a single quote, which shows it as text.
CELL_FORMULA_STARTS = (*FORMULA_STARTS, "\t", "\r")


def safe_cell(value):
    """A text cell as a CSV for readers holds it: one that a spreadsheet would run as a formula
    starts with a single quote; numbers, and text that is a signed number ("-6.5", "+3%"), which a
    spreadsheet reads as the number it is, stay as they are."""
    if not isinstance(value, str) or not value.startswith(CELL_FORMULA_STARTS):
        return value
    signed_number = value[0] in "+-" and plain_number(value.removesuffix("%")) is not None
    return value if signed_number else "'" + value


def csv_text(table: pd.DataFrame) -> str:
    """The CSV form of a table: UTF-8, a header row, each number with its column's decimals,
    '\\n' line ends, and no text cell that a spreadsheet would run as a formula (safe_cell). Every
    CSV written for readers is this text: the tables command and the book's downloads."""
    out = table.copy()
    for name in out.columns:
        if pd.api.types.is_float_dtype(out[name]):
            decimals = column(name).decimals
            if decimals is None:
                raise KeyError(f"column {name!r} holds decimals but its format has none")
            out[name] = out[name].map(lambda v, d=decimals: "" if pd.isna(v) else f"{v:.{d}f}")
        elif not pd.api.types.is_numeric_dtype(out[name]):
            out[name] = out[name].map(safe_cell)
    return out.to_csv(index=False, lineterminator="\n")


def write_tables(data: YearData, out_dir: Path) -> list[Path]:
    """Write every table as CSV into out_dir (a staging folder: see analysis.pipeline.staging)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, table in all_tables(data).items():
        path = out_dir / f"{stem}.csv"
        path.write_text(csv_text(table), encoding="utf-8")
        written.append(path)
    return written


assert set(LANGS) == {lang for c in COLUMNS.values() for lang in c.header}
