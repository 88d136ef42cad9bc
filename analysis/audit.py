"""The reproduction audit: every figure the supplement prints, compared with its recomputed value.

Each figure gets one status:
  reproduced     the recomputed value agrees with the printed one at the printed precision;
  input          the figure is a primary input (or a name), cross-checked where something can
  check it;
  not_checkable  the supplement prints no data behind it (the ledger says what would be needed);
  erratum        it disagrees; the evidence is the recomputed value, and the
  ledger's explanation says why.

Rounding: an input printed to 2 decimals is only known to ±0.005, so a derived value is known only
to an interval. A printed figure is reproduced when the interval of values that round to it meets
the interval of values the inputs allow. Prose figures printed with fewer decimals are compared at
their own precision, from the exact inputs, never from another rounded figure.

The ledger lives in data/published/<year>/: the printed tables (English, and Chinese under zh/),
text-figures.csv (every number in the running text, with its recomputation rule) and errata.csv
(the explanation of each known erratum; an id may start with '*:' to cover both editions).
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pandas as pd

from analysis import pages, tables
from analysis.data import YearData, ledger_dir, load_year, read_text_figures
from analysis.errors import DataError, Problem
from analysis.i18n import LANGS, t
from analysis.paths import DATA, shown
from analysis.records import metrics
from analysis.words import pair_name

STATUSES = ("reproduced", "input", "not_checkable", "erratum")
INPUT_HALF_WIDTH = 0.005  # inputs are printed to 2 decimals


@dataclass(frozen=True)
class Figure:
    id: str
    edition: str
    where: str
    printed: str
    status: str
    recomputed: str = ""
    explanation: str = ""
    where_zh: str = ""  # the same, for the Chinese edition of the book
    explanation_zh: str = ""
    recomputed_zh: str = ""  # where the Chinese page writes it otherwise (an interval: "x至y")


def _fmt(lo: float, hi: float, decimals: int, lang: str = "en") -> str:
    """The recomputed value as the audit prints it: exact at the printed precision, or the
    interval the rounded inputs allow, two more decimals, as one number when its ends agree."""
    if abs(hi - lo) < 1e-9:
        return f"{lo:.{decimals}f}"
    low, high = f"{lo:.{decimals + 2}f}", f"{hi:.{decimals + 2}f}"
    if low == high:
        return low
    return f"{low}至{high}" if lang == "zh" else f"{low} to {high}"


def consistent(printed: float, decimals: int, lo: float, hi: float) -> bool:
    """Do the values that round to `printed` (at `decimals`) meet the interval [lo, hi]?"""
    half = 0.5 * 10**-decimals
    return lo <= printed + half + 1e-9 and hi >= printed - half - 1e-9


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


# ---- intervals of derived values, from inputs known to ±0.005 -----------------------------------


def change_interval(prev: float, cur: float) -> tuple[float, float]:
    d = cur - prev
    return d - 2 * INPUT_HALF_WIDTH, d + 2 * INPUT_HALF_WIDTH


def pct_change_interval(prev: float, cur: float) -> tuple[float, float]:
    lo, hi = change_interval(prev, cur)
    return lo / (prev + INPUT_HALF_WIDTH) * 100 if lo >= 0 else lo / (
        prev - INPUT_HALF_WIDTH
    ) * 100, hi / (prev - INPUT_HALF_WIDTH) * 100 if hi >= 0 else hi / (
        prev + INPUT_HALF_WIDTH
    ) * 100


def ratio_pct_interval(part: float, whole: float) -> tuple[float, float]:
    return (
        (part - INPUT_HALF_WIDTH) / (whole + INPUT_HALF_WIDTH) * 100,
        (part + INPUT_HALF_WIDTH) / (whole - INPUT_HALF_WIDTH) * 100,
    )


def sum_interval(a: float, b: float) -> tuple[float, float]:
    return a + b - 2 * INPUT_HALF_WIDTH, a + b + 2 * INPUT_HALF_WIDTH


def point_interval(x: float) -> tuple[float, float]:
    return x - INPUT_HALF_WIDTH, x + INPUT_HALF_WIDTH


# ---- the ledger ---------------------------------------------------------------------------------


def read_errata(year: int, data_dir: Path = DATA) -> dict[str, tuple[str, str]]:
    """Figure id -> (explanation, its Chinese translation)."""
    path = ledger_dir(year, data_dir) / "errata.csv"
    if not path.exists():
        return {}
    return {
        r["id"]: (r["explanation"], r.get("explanation_zh", ""))
        for r in csv.DictReader(path.open(encoding="utf-8"))
    }


def table_cell(figure_id: str) -> tuple[str, str, str, str] | None:
    """The parts of a table cell's id, edition:table:row:column (data/published/README.md); None
    for a figure of the running text, whose id is its ledger row's."""
    parts = figure_id.split(":")
    return (parts[0], parts[1], parts[2], parts[3]) if len(parts) == 4 else None


def _explain(figure_id: str, errata: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """The ledger's explanation of a figure: by its id, or for a table cell by the id with `*` for
    the edition (one explanation for both editions)."""
    cell = table_cell(figure_id)
    either_edition = ":".join(("*", *cell[1:])) if cell else None
    return errata.get(figure_id) or errata.get(either_edition, ("", ""))


# ---- tables -------------------------------------------------------------------------------------


class _Recomputed:
    """Every recomputed table the audit compares against, computed once per audit."""

    def __init__(self, data: YearData):
        self.data = data
        self.by_lang = {lang: pages.contract_tables(data, lang) for lang in LANGS}
        self.leading = pages.page("leading-cities", data).table
        self.titles = {lang: pages.table_titles(data, lang) for lang in LANGS}
        risers = pages.KINDS["risers"]
        self.risers = {
            s: risers.compute(data, s).set_index("city_id") for s in tables.riser_subjects(data)
        }

    def table(self, name: str, lang: str, path: Path) -> tuple[pages.PageKind, pd.DataFrame]:
        """The recomputed table that a printed one (the ledger file `path`) is compared with."""
        if name not in self.by_lang[lang]:
            raise DataError(
                [
                    Problem(
                        shown(path),
                        None,
                        None,
                        "no page kind of analysis/pages.py makes this table",
                    )
                ]
            )
        return self.by_lang[lang][name]


def _audit_table(
    rc: _Recomputed, path: Path, edition: str, printed: pd.DataFrame, printed_en: pd.DataFrame
) -> list[Figure]:
    """Compare one printed table (either edition) with the recomputed one, cell by cell. Rows are
    matched through the English edition's names, so that a wrong Chinese name is caught, not
    skipped."""
    data, name = rc.data, path.stem
    kind, ours_en = rc.table(name, "en", path)
    ours_en = ours_en.reset_index(drop=True)
    ours = rc.table(name, edition, path)[1].reset_index(drop=True)
    city_ids = data.reference["cities"].set_index("name_en")["city_id"]
    key_cols = [c for c in ("city1", "institution1", "city") if c in printed_en.columns]
    key = key_cols[0]
    second = {"city1": "city2", "institution1": "institution2"}.get(key)
    figures = []
    for i, row in printed.iterrows():
        en_row = printed_en.iloc[i]
        match = ours_en[ours_en[key] == en_row[key]]
        if second:
            match = match[match[second] == en_row[second]]
        shown = (
            rc.by_lang["zh"][name][1].reset_index(drop=True).loc[match.index[0]]
            if len(match)
            else en_row
        )
        names_en = pair_name(en_row[key], en_row[second]) if second else en_row[key]
        names_zh = pair_name(shown[key], shown[second], "zh") if second else shown[key]
        label = f"table “{rc.titles['en'][name]}”, row {i + 1} ({names_en})"
        label_zh = f"“{rc.titles['zh'][name]}”表第{i + 1}行（{names_zh}）"
        row_id = (
            en_row["rank"]
            if "rank" in printed.columns
            else city_ids.get(en_row["city"], en_row["city"])
        )
        if match.empty:
            figures += [
                Figure(
                    f"{edition}:{name}:{row_id}:{c}",
                    edition,
                    label,
                    str(row[c]),
                    "erratum",
                    "no such row in the recomputed table",
                    where_zh=label_zh,
                    explanation_zh="重新计算的表格中没有这一行",
                )
                for c in printed.columns
            ]
            continue
        j = match.index[0]
        for column in printed.columns:
            cell = _Cell(
                kind,
                name,
                column,
                str(row[column]),
                f"{edition}:{name}:{row_id}:{column}",
                edition,
                f"{label}, column “{pages.header(column, 'en', rc.data.year)}”",
                f"{label_zh}，“{pages.header(column, 'zh', rc.data.year)}”列",
            )
            figures.append(_audit_cell(rc, cell, ours_en.loc[j], ours.loc[j]))
    return figures


@dataclass(frozen=True)
class _Cell:
    """One printed table cell: where it is and what it says."""

    kind: pages.PageKind
    table: str
    column: str
    printed: str
    figure_id: str
    edition: str
    where: str
    where_zh: str

    def figure(self, status: str, recomputed: str = "", recomputed_zh: str = "") -> Figure:
        return Figure(
            self.figure_id,
            self.edition,
            self.where,
            self.printed,
            status,
            recomputed,
            where_zh=self.where_zh,
            recomputed_zh=recomputed_zh,
        )


def _audit_cell(rc: _Recomputed, cell: _Cell, row: pd.Series, row_shown: pd.Series) -> Figure:
    """Classify one printed cell against the recomputed row (`row`: English names, for the
    arithmetic; `row_shown`: the same row in the cell's edition, for names)."""
    data, column, text, fig = rc.data, cell.column, cell.printed, cell.figure
    declared = pages.column(column)
    if not declared.numeric:  # a name: checked against the reference, in the cell's edition
        expected = str(row_shown[column])
        return fig("input", expected) if text == expected else fig("erratum", expected)
    if column == "rank":
        recomputed = int(row["rank"])
        return fig("reproduced" if int(text) == recomputed else "erratum", str(recomputed))
    value = float(text)
    whole = declared.decimals is None
    if cell.kind.is_input(column):
        expected = float(row[column])
        if abs(value - expected) < 1e-9:
            return fig("input", text)
        if whole:
            return fig("erratum", str(int(expected)))
        return fig(
            "erratum", f"{expected:.2f} (transcribed input)", f"{expected:.2f}（转录的输入值）"
        )
    if whole:  # a derived whole number (the change in rank) must be exact
        expected = int(row[column])
        return fig("reproduced" if int(value) == expected else "erratum", str(expected))
    if column == "location_share_pct":
        lead = rc.leading.set_index("city")
        if lead.at[row["city"], "location_share_source"] == "printed input":
            return fig("input", f"{row[column]:.2f}")
        country = data.reference["cities"].set_index("name_en").at[row["city"], "country_id"]
        lo, hi = ratio_pct_interval(row["share"], tables.country_shares(data).at[country])
    elif column == "change":
        lo, hi = change_interval(row["adjusted_share_prev"], row["adjusted_share"])
    elif column == "change_pct":
        lo, hi = pct_change_interval(row["adjusted_share_prev"], row["adjusted_share"])
    elif column == "bcs":
        lo, hi = sum_interval(row["cs1"], row["cs2"])
    else:
        raise KeyError(f"no audit rule for column {column!r} of {cell.table}")
    decimals = _decimals(text)
    status = "reproduced" if consistent(value, decimals, lo, hi) else "erratum"
    return fig(status, _fmt(lo, hi, decimals), _fmt(lo, hi, decimals, "zh"))


# ---- text figures -------------------------------------------------------------------------------


# The rule language of data/published/<year>/text-figures.csv, column `rule`: `kind:arg:arg…`.
# Each kind is one function below, registered in RULES; data/published/README.md documents every
# kind with an example (tests/test_audit.py evaluates each example). A rule returns (status, lo,
# hi, note): the interval the recomputation allows (None for `input` and `not_checkable`).
Interval = tuple[str, float | None, float | None, str]
RULES: dict[str, callable] = {}


def rule(kind: str):
    def register(function):
        RULES[kind] = function
        return function

    return register


@rule("input")
def _input(rc: _Recomputed) -> Interval:
    """A primary value with nothing to check it against (e.g. the data year)."""
    return "input", None, None, ""


@rule("not_checkable")
def _not_checkable(rc: _Recomputed) -> Interval:
    """A figure the supplement's data cannot confirm (the note says what would be needed)."""
    return "not_checkable", None, None, ""


@rule("share")
def _share(rc: _Recomputed, subject: str, city: str) -> Interval:
    """share:<subject>:<city>: the city's Share in the data year."""
    cs = rc.data["city_share"].set_index(["subject_id", "city_id"])
    return ("reproduced", *point_interval(cs.at[(subject, city), "share"]), "")


@rule("riser")
def _riser(rc: _Recomputed, subject: str, city: str, column: str) -> Interval:
    """riser:<subject>:<city>:<column>: a riser-table column (change, change_pct derived)."""
    r = rc.risers[subject].loc[city]
    derived = {"change": change_interval, "change_pct": pct_change_interval}
    if column in derived:
        return ("reproduced", *derived[column](r["adjusted_share_prev"], r["adjusted_share"]), "")
    return ("reproduced", *point_interval(r[column]), "")


@rule("location_pct")
def _location_pct(rc: _Recomputed, city: str) -> Interval:
    """location_pct:<city>: the city's Share as a % of its country's."""
    lead = rc.leading.set_index("city_id").loc[city]
    if lead["location_share_source"] == "printed input":
        note = "cross-checked against the printed table"
        return ("input", *point_interval(lead["location_share_pct"]), note)
    country = rc.data.reference["cities"].set_index("city_id").at[city, "country_id"]
    whole = tables.country_shares(rc.data).at[country]
    return ("reproduced", *ratio_pct_interval(lead["share"], whole), "")


@rule("rank")
def _rank(rc: _Recomputed, city: str, year: str) -> Interval:
    """rank:<city>:<year>: the city's global rank in that year."""
    rh = rc.data["rank_history"].set_index(["city_id", "year"])
    r = float(rh.at[(city, int(year)), "rank"])
    return "reproduced", r, r, ""


def _rows_where(rc: _Recomputed, table_name: str, conditions: tuple[str, ...]) -> pd.DataFrame:
    """The rows of a recomputed table that meet every condition: top=<n>, country=<id>,
    country!=<id>, with=<institution id>, without=<city id>."""
    data = rc.data
    table = rc.leading if table_name == "leading-cities" else rc.by_lang["en"][table_name][1]
    for condition in conditions:
        field, value = condition.replace("!=", "=!").split("=", 1)
        if field == "top":
            table = table.head(int(value))
        elif field in ("country", "country!"):
            names = data.reference["countries"].set_index("country_id")["name_en"]
            keep = table["country"] == names[value.lstrip("!")]
            table = table[~keep if value.startswith("!") else keep]
        elif field in ("with", "without"):
            entity = (
                tables.city_name(data, value)
                if field == "without"
                else data.reference["institutions"]
                .set_index("institution_id")
                .at[value, "name_en"]
            )
            cols = [
                c for c in table.columns if c in ("city1", "city2", "institution1", "institution2")
            ]
            involved = table[cols].eq(entity).any(axis=1)
            table = table[involved if field == "with" else ~involved]
        else:
            raise ValueError(f"unknown condition {condition!r}")
    return table


@rule("count")
def _count(rc: _Recomputed, table_name: str, *conditions: str) -> Interval:
    """count:<table>[:<condition>…]: how many rows of a recomputed table meet the conditions."""
    n = float(len(_rows_where(rc, table_name, conditions)))
    return "reproduced", n, n, ""


@rule("prev_top10")
def _prev_top10(rc: _Recomputed, country: str) -> Interval:
    """prev_top10:<country>: cities of the country in the previous year's top 10 (an interval when
    some of those places belong to cities outside the printed table)."""
    rh = tables.rank_history(rc.data)
    names = rc.data.reference["countries"].set_index("country_id")["name_en"]
    known = rh[rh[tables.rank_column(rc.data.year - 1)] <= 10]
    lo = float((known["country"] == names[country]).sum())
    unknown = 10 - len(known)
    note = (
        f"{int(lo)} known; {unknown} place(s) of that top 10 belong to cities outside the table, "
        "whose country is not printed"
    )
    return "reproduced", lo, lo + unknown, note


def _pair_row(frame: pd.DataFrame, scope: tuple[str, str], a_col: str, b_col: str, a: str, b: str):
    column, value = scope
    either = ((frame[a_col] == a) & (frame[b_col] == b)) | (
        (frame[a_col] == b) & (frame[b_col] == a)
    )
    return frame[(frame[column] == value) & either].iloc[0]


@rule("pair_bcs")
def _pair_bcs(rc: _Recomputed, country: str, a: str, b: str) -> Interval:
    """pair_bcs:<country>:<city>:<city>: the bilateral CS of two cities (CS1 + CS2)."""
    row = _pair_row(
        rc.data["city_partnerships"], ("country_id", country), "city1_id", "city2_id", a, b
    )
    return ("reproduced", *sum_interval(row["cs1"], row["cs2"]), "")


@rule("inst_bcs")
def _inst_bcs(rc: _Recomputed, city: str, a: str, b: str) -> Interval:
    """inst_bcs:<city>:<institution>:<institution>: the bilateral CS of two institutions."""
    frame = rc.data["institution_partnerships"]
    row = _pair_row(frame, ("city_id", city), "institution1_id", "institution2_id", a, b)
    return ("reproduced", *point_interval(row["bcs"]), "")


@rule("mention")
def _mention(rc: _Recomputed, subject: str, position: str) -> Interval:
    """mention:<subject>:<position>: a riser named in prose only (its rounded change is input)."""
    m = rc.data["riser_mentions"].set_index(["subject_id", "position"])
    v = float(m.at[(subject, int(position)), "change_rounded"])
    return "input", v, v, "the only source of this figure; no table is printed"


@rule("subjects")
def _subjects(rc: _Recomputed) -> Interval:
    """subjects: the number of subjects (besides overall) the year's data covers (the reference
    also knows subjects the index added later)."""
    n = float(len(tables.subjects_covered(rc.data)))
    return "reproduced", n, n, ""


@rule("example_share")
def _example_share(rc: _Recomputed) -> Interval:
    """example_share: Beijing's Share in the supplement's worked example, from the engine."""
    result = metrics.compute(metrics.example_supplement())
    share = float(metrics.city_view(result).set_index("entity").at["beijing", "share"])
    return "reproduced", share, share, "computed by the metrics engine from the example's articles"


def evaluate_rule(rc: _Recomputed, text: str) -> Interval:
    kind, *args = text.split(":")
    if kind not in RULES:
        raise ValueError(f"unknown audit rule {text!r} (the rules: {', '.join(sorted(RULES))})")
    return RULES[kind](rc, *args)


def _audit_text(rc: _Recomputed) -> list[Figure]:
    figures = []
    for r in read_text_figures(rc.data.year, rc.data.data_dir):
        where = f"{r['section']}: {r['claim']}"
        status, lo, hi, note = evaluate_rule(rc, r["rule"])
        if lo is None:  # input or not checkable: nothing to compare
            figure = Figure(
                r["id"],
                r["edition"],
                where,
                r["printed"],
                status,
                "",
                r["note"],
                r.get("where_zh", ""),
                r.get("note_zh", ""),
            )
        else:
            decimals = int(r["decimals"])
            ok = consistent(float(r["value"]), decimals, lo, hi)
            figure = Figure(
                r["id"],
                r["edition"],
                where,
                r["printed"],
                status if ok else "erratum",
                _fmt(lo, hi, decimals),
                note or r["note"],
                r.get("where_zh", ""),
                r.get("note_zh", "") if not note else "",
                _fmt(lo, hi, decimals, "zh"),
            )
        figures.append(figure)
    return figures


# ---- the whole audit ----------------------------------------------------------------------------


def audit(year: int, data_dir: Path | None = None) -> list[Figure]:
    """Every printed figure of the year's supplement with its status. Errata carry the ledger's
    explanation (empty when the ledger has none: an unexplained difference)."""
    data_dir = DATA if data_dir is None else Path(data_dir)
    data = load_year(year, data_dir)
    rc = _Recomputed(data)
    ledger = ledger_dir(year, data_dir)
    errata = read_errata(year, data_dir)
    figures = []
    # English at the top of the ledger, each other edition of the supplement in a folder of its
    # language
    for edition in LANGS:
        folder = ledger if edition == "en" else ledger / edition
        for path in sorted(folder.glob("*.csv")):
            if path.stem in ("text-figures", "errata"):
                continue
            printed = pd.read_csv(path, dtype=str, keep_default_na=False)
            printed_en = pd.read_csv(ledger / path.name, dtype=str, keep_default_na=False)
            figures += _audit_table(rc, path, edition, printed, printed_en)
    figures += _audit_text(rc)
    out = []
    for f in figures:
        if f.status == "erratum":
            explanation, explanation_zh = _explain(f.id, errata)
            f = replace(f, explanation=explanation, explanation_zh=explanation_zh)
        out.append(f)
    return out


def unexplained(figures: list[Figure]) -> list[Figure]:
    return [f for f in figures if f.status == "erratum" and not f.explanation]


def scorecard(year: int, figures: list[Figure]) -> dict:
    counts = {s: sum(f.status == s for f in figures) for s in STATUSES}
    return {
        "year": year,
        "figures": len(figures),
        "reproduced": counts["reproduced"],
        "input": counts["input"],
        "not_checkable": counts["not_checkable"],
        "errata": [
            {
                "id": f.id,
                "where": f.where,
                "printed": f.printed,
                "recomputed": f.recomputed,
                "explanation": f.explanation,
            }
            for f in figures
            if f.status == "erratum"
        ],
    }


def scorecard_text(card: dict) -> str:
    lines = [
        f"audit {card['year']}: {card['figures']} printed figures",
        f"  reproduced     {card['reproduced']}",
        f"  input          {card['input']}",
        f"  not checkable  {card['not_checkable']}",
        f"  errata         {len(card['errata'])}",
    ]
    for e in card["errata"]:
        lines.append(
            f"\n  {e['id']}  ({e['where']})\n    printed {e['printed']}, recomputed "
            f"{e['recomputed']}"
            f"\n    {e['explanation'] or 'UNEXPLAINED: no explanation in the ledger'}"
        )
    return "\n".join(lines)


def figures_frame(figures: list[Figure]) -> pd.DataFrame:
    return pd.DataFrame([asdict(f) for f in figures])


def summary(figures: list[Figure], lang: str = "en") -> pd.DataFrame:
    """Counts of each status, by edition and by kind of figure (table cell or running text)."""
    df = figures_frame(figures)
    df["kind"] = df["id"].map(lambda i: "table" if table_cell(i) else "text")
    out = df.pivot_table(
        index=["edition", "kind"], columns="status", values="id", aggfunc="count", fill_value=0
    )
    out = out.reindex(columns=list(STATUSES), fill_value=0)
    out["total"] = out.sum(axis=1)
    out.columns.name = None
    out = out.reset_index()
    out["edition"] = out["edition"].map(lambda e: t(f"edition_{e}", lang))
    out["kind"] = out["kind"].map(lambda k: t(f"kind_{k}", lang))
    return out.rename(
        columns={
            "edition": t("edition", lang),
            "kind": t("kind", lang),
            "total": t("total", lang),
            **{s: t(f"status_{s}", lang) for s in STATUSES},
        }
    )


def _in_language(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The free-text columns (where, explanation, and the recomputed value where it is written
    otherwise) in the page's language."""
    if lang == "zh" and len(df):
        recomputed = df["recomputed_zh"].where(df["recomputed_zh"] != "", df["recomputed"])
        return df.assign(
            where=df["where_zh"], explanation=df["explanation_zh"], recomputed=recomputed
        )
    return df


def errata_frame(figures: list[Figure], lang: str = "en") -> pd.DataFrame:
    df = _in_language(figures_frame([f for f in figures if f.status == "erratum"]), lang)
    columns = {
        "id": "figure_id",
        "where": "where",
        "printed": "printed",
        "recomputed": "recomputed",
        "explanation": "explanation",
    }
    return (
        df[list(columns)].rename(columns={c: t(k, lang) for c, k in columns.items()})
        if len(df)
        else df
    )


def not_checkable_frame(figures: list[Figure], lang: str = "en") -> pd.DataFrame:
    """The figures and claims of the running text that cannot be checked, as the edition of the
    page's language prints them (the English edition's where the ledger has no other)."""
    edition = lang if any(f.edition == lang for f in figures) else "en"
    df = figures_frame(
        [f for f in figures if f.status == "not_checkable" and f.edition == edition]
    )
    df = _in_language(df, lang)
    columns = {"id": "figure_id", "where": "where", "printed": "printed", "explanation": "needed"}
    return df[list(columns)].rename(columns={c: t(k, lang) for c, k in columns.items()})
