"""The reproduction audit: every figure the supplement prints, compared with its recomputed value.

Each figure gets one status:
  reproduced     the recomputed value agrees with the printed one at the printed precision;
  input          the figure is a primary input (or a name), cross-checked where something can check it;
  not_checkable  the supplement prints no data behind it (the ledger says what would be needed);
  erratum        it disagrees; the evidence is the recomputed value, and the ledger's explanation says why.

Rounding: an input printed to 2 decimals is only known to ±0.005, so a derived value is known only to an
interval. A printed figure is reproduced when the interval of values that round to it meets the interval
of values the inputs allow. Prose figures printed with fewer decimals are compared at their own
precision, from the exact inputs, never from another rounded figure.

The ledger lives in data/published/<year>/: the printed tables (English, and Chinese under zh/),
text-figures.csv (every number in the running text, with its recomputation rule) and errata.csv
(the explanation of each known erratum; an id may start with '*:' to cover both editions).
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from analysis import metrics, tables
from analysis.data import YearData, load_year
from analysis.i18n import t
from analysis.paths import DATA

STATUSES = ("reproduced", "input", "not_checkable", "erratum")
INPUT_HALF_WIDTH = 0.005  # inputs are printed to 2 decimals

# Columns of the printed tables, by role.
NAME_COLUMNS = {"city", "country", "city1", "city2", "institution1", "institution2"}
PRIMARY_COLUMNS = {"share", "count", "adjusted_share_prev", "adjusted_share", "cs1", "cs2"}


@dataclass(frozen=True)
class Figure:
    id: str
    edition: str
    where: str
    printed: str
    status: str
    recomputed: str = ""
    explanation: str = ""


def _fmt(lo: float, hi: float, decimals: int) -> str:
    if abs(hi - lo) < 1e-9:
        return f"{lo:.{decimals}f}"
    return f"{lo:.{decimals + 2}f} to {hi:.{decimals + 2}f}"


def consistent(printed: float, decimals: int, lo: float, hi: float) -> bool:
    """Do the values that round to `printed` (at `decimals`) meet the interval [lo, hi]?"""
    half = 0.5 * 10 ** -decimals
    return lo <= printed + half + 1e-9 and hi >= printed - half - 1e-9


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


# ---- intervals of derived values, from inputs known to ±0.005 -------------------------------------

def change_interval(prev: float, cur: float) -> tuple[float, float]:
    d = cur - prev
    return d - 2 * INPUT_HALF_WIDTH, d + 2 * INPUT_HALF_WIDTH


def pct_change_interval(prev: float, cur: float) -> tuple[float, float]:
    lo, hi = change_interval(prev, cur)
    return lo / (prev + INPUT_HALF_WIDTH) * 100 if lo >= 0 else lo / (prev - INPUT_HALF_WIDTH) * 100, \
        hi / (prev - INPUT_HALF_WIDTH) * 100 if hi >= 0 else hi / (prev + INPUT_HALF_WIDTH) * 100


def ratio_pct_interval(part: float, whole: float) -> tuple[float, float]:
    return ((part - INPUT_HALF_WIDTH) / (whole + INPUT_HALF_WIDTH) * 100,
            (part + INPUT_HALF_WIDTH) / (whole - INPUT_HALF_WIDTH) * 100)


def sum_interval(a: float, b: float) -> tuple[float, float]:
    return a + b - 2 * INPUT_HALF_WIDTH, a + b + 2 * INPUT_HALF_WIDTH


def point_interval(x: float) -> tuple[float, float]:
    return x - INPUT_HALF_WIDTH, x + INPUT_HALF_WIDTH


# ---- the ledger ----------------------------------------------------------------------------------

def ledger_dir(year: int, data_dir: Path = DATA) -> Path:
    return data_dir / "published" / str(year)


def read_errata(year: int, data_dir: Path = DATA) -> dict[str, str]:
    path = ledger_dir(year, data_dir) / "errata.csv"
    if not path.exists():
        return {}
    return {r["id"]: r["explanation"] for r in csv.DictReader(path.open(encoding="utf-8"))}


def _explain(figure_id: str, errata: dict[str, str]) -> str:
    edition, _, rest = figure_id.partition(":")
    return errata.get(figure_id) or errata.get(f"*:{rest}", "")


# ---- tables --------------------------------------------------------------------------------------

class _Recomputed:
    """Every recomputed table the audit compares against, computed once per audit."""

    def __init__(self, data: YearData):
        self.data = data
        self.by_lang = {lang: tables.all_tables(data, lang) for lang in ("en", "zh")}
        self.leading = tables.leading_cities(data)
        self.risers = {s: tables.risers(data, s).set_index("city_id") for s in tables.riser_subjects(data)}


def _audit_table(rc: _Recomputed, name: str, edition: str, printed: pd.DataFrame, printed_en: pd.DataFrame) -> list[Figure]:
    """Compare one printed table (either edition) with the recomputed one, cell by cell. Rows are
    matched through the English edition's names, so that a wrong Chinese name is caught, not skipped."""
    data = rc.data
    ours_en = rc.by_lang["en"][name].reset_index(drop=True)
    ours = rc.by_lang[edition][name].reset_index(drop=True)
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
        label = f"{name}, row {i + 1} ({en_row[key]}{' – ' + en_row[second] if second else ''})"
        row_id = en_row["rank"] if "rank" in printed.columns else city_ids.get(en_row["city"], en_row["city"])
        if match.empty:
            figures += [Figure(f"{edition}:{name}:{row_id}:{c}", edition, label, str(row[c]), "erratum",
                               "no such row in the recomputed table") for c in printed.columns]
            continue
        j = match.index[0]
        for column in printed.columns:
            text = str(row[column])
            fid = f"{edition}:{name}:{row_id}:{column}"
            where = f"{label}, column {column}"
            figures.append(_audit_cell(rc, name, column, text, ours_en, ours, j, fid, edition, where))
    return figures


def _audit_cell(rc: _Recomputed, name, column, text, ours_en, ours, j, fid, edition, where) -> Figure:
    data = rc.data
    fig = lambda status, recomputed="": Figure(fid, edition, where, text, status, recomputed)
    row = ours_en.loc[j]
    if column in NAME_COLUMNS or (name.startswith("institution") and column in ("city", "country")):
        expected = str(ours.loc[j, column])
        return fig("input", expected) if text == expected else fig("erratum", expected)
    if column == "rank":
        recomputed = int(row["rank"])
        if int(text) == recomputed:
            return fig("reproduced", str(recomputed))
        return fig("erratum", str(recomputed))
    value = float(text)
    if name == "rank-history":
        expected = row[column]
        status = "input" if column.startswith("r") else "reproduced"
        return fig(status, str(int(expected))) if int(value) == int(expected) else fig("erratum", str(int(expected)))
    if column in PRIMARY_COLUMNS or (name.startswith("institution") and column == "bcs"):
        expected = float(row[column])
        return fig("input", text) if abs(value - expected) < 1e-9 else fig("erratum", f"{expected:.2f} (transcribed input)")
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
        raise KeyError(f"no audit rule for column {column!r} of {name}")
    status = "reproduced" if consistent(value, _decimals(text), lo, hi) else "erratum"
    return fig(status, _fmt(lo, hi, _decimals(text)))


# ---- text figures --------------------------------------------------------------------------------

def _text_interval(rc: _Recomputed, rule: str) -> tuple[str, float | None, float | None, str]:
    """(status, lo, hi, note) for a text figure's rule; lo/hi None for input and not_checkable."""
    data = rc.data
    kind, *args = rule.split(":")
    if kind in ("input", "not_checkable"):
        return kind, None, None, ""
    if kind == "share":
        subject, city = args
        cs = data["city_share"].set_index(["subject_id", "city_id"])
        return ("reproduced", *point_interval(cs.at[(subject, city), "share"]), "")
    if kind == "riser":
        subject, city, column = args
        r = rc.risers[subject].loc[city]
        if column == "change":
            return ("reproduced", *change_interval(r["adjusted_share_prev"], r["adjusted_share"]), "")
        if column == "change_pct":
            return ("reproduced", *pct_change_interval(r["adjusted_share_prev"], r["adjusted_share"]), "")
        return ("reproduced", *point_interval(r[column]), "")
    if kind == "location_pct":
        (city,) = args
        lead = rc.leading.set_index("city_id").loc[city]
        if lead["location_share_source"] == "printed input":
            return ("input", *point_interval(lead["location_share_pct"]), "cross-checked against the printed table")
        country = data.reference["cities"].set_index("city_id").at[city, "country_id"]
        return ("reproduced", *ratio_pct_interval(lead["share"], tables.country_shares(data).at[country]), "")
    if kind == "rank":
        city, year = args
        rh = data["rank_history"].set_index(["city_id", "year"])
        r = float(rh.at[(city, int(year)), "rank"])
        return "reproduced", r, r, ""
    if kind in ("count", "rows"):
        table = rc.by_lang["en"][args[0]] if args[0] != "leading-cities" else rc.leading
        for condition in args[1:]:
            field, value = condition.replace("!=", "=!").split("=", 1)
            if field == "top":
                table = table.head(int(value))
            elif field in ("country", "country!"):
                names = data.reference["countries"].set_index("country_id")["name_en"]
                negate = value.startswith("!")
                keep = table["country"] == names[value.lstrip("!")]
                table = table[~keep if negate else keep]
            elif field in ("with", "without"):
                entity = tables.city_name(data, value) if field == "without" else \
                    data.reference["institutions"].set_index("institution_id").at[value, "name_en"]
                cols = [c for c in table.columns if c in ("city1", "city2", "institution1", "institution2")]
                involved = table[cols].eq(entity).any(axis=1)
                table = table[involved if field == "with" else ~involved]
        n = float(len(table))
        return "reproduced", n, n, ""
    if kind == "prev_top10":
        (country,) = args
        rh = tables.rank_history(data)
        prev = f"r{data.year - 1}"
        names = data.reference["countries"].set_index("country_id")["name_en"]
        known = rh[rh[prev] <= 10]
        lo = float((known["country"] == names[country]).sum())
        unknown = 10 - len(known)  # places of the previous top 10 held by cities not in this table
        return "reproduced", lo, lo + unknown, (f"{int(lo)} known; {unknown} place(s) of that top 10 belong to cities "
                                                "outside the table, whose country is not printed")
    if kind == "pair_bcs":
        country, a, b = args
        cp = data["city_partnerships"]
        row = cp[(cp["country_id"] == country) & (((cp["city1_id"] == a) & (cp["city2_id"] == b)) |
                                                  ((cp["city1_id"] == b) & (cp["city2_id"] == a)))].iloc[0]
        return ("reproduced", *sum_interval(row["cs1"], row["cs2"]), "")
    if kind == "inst_bcs":
        city, a, b = args
        ip = data["institution_partnerships"]
        row = ip[(ip["city_id"] == city) & (((ip["institution1_id"] == a) & (ip["institution2_id"] == b)) |
                                            ((ip["institution1_id"] == b) & (ip["institution2_id"] == a)))].iloc[0]
        return ("reproduced", *point_interval(row["bcs"]), "")
    if kind == "mention":
        subject, position = args
        m = data["riser_mentions"].set_index(["subject_id", "position"])
        v = float(m.at[(subject, int(position)), "change_rounded"])
        return "input", v, v, "the only source of this figure; no table is printed"
    if kind == "subjects":
        n = float((data.reference["subjects"]["subject_id"] != "overall").sum())
        return "reproduced", n, n, ""
    if kind == "example_share":
        share = metrics.city_view(metrics.compute(metrics.example_supplement())).set_index("entity").at["beijing", "share"]
        return "reproduced", float(share), float(share), "computed by analysis.metrics from the example's articles"
    raise ValueError(f"unknown audit rule {rule!r}")


def _audit_text(rc: _Recomputed, ledger: Path) -> list[Figure]:
    figures = []
    for r in csv.DictReader((ledger / "text-figures.csv").open(encoding="utf-8")):
        where = f"{r['section']}: {r['claim']}"
        status, lo, hi, note = _text_interval(rc, r["rule"])
        decimals = int(r["decimals"])
        if status == "not_checkable":
            figures.append(Figure(r["id"], r["edition"], where, r["printed"], status, "", r["note"]))
            continue
        if lo is None:
            figures.append(Figure(r["id"], r["edition"], where, r["printed"], status, "", r["note"]))
            continue
        ok = consistent(float(r["value"]), decimals, lo, hi)
        recomputed = _fmt(lo, hi, decimals)
        figures.append(Figure(r["id"], r["edition"], where, r["printed"], status if ok else "erratum", recomputed, note or r["note"]))
    return figures


# ---- the whole audit -----------------------------------------------------------------------------

def audit(year: int, data_dir: Path = DATA) -> list[Figure]:
    """Every printed figure of the year's supplement with its status. Errata carry the ledger's
    explanation (empty when the ledger has none: an unexplained difference)."""
    data = load_year(year, data_dir)
    rc = _Recomputed(data)
    ledger = ledger_dir(year, data_dir)
    errata = read_errata(year, data_dir)
    figures = []
    for edition, folder in (("en", ledger), ("zh", ledger / "zh")):
        for path in sorted(folder.glob("*.csv")):
            if path.stem in ("text-figures", "errata"):
                continue
            printed = pd.read_csv(path, dtype=str, keep_default_na=False)
            printed_en = pd.read_csv(ledger / path.name, dtype=str, keep_default_na=False)
            figures += _audit_table(rc, path.stem, edition, printed, printed_en)
    figures += _audit_text(rc, ledger)
    out = []
    for f in figures:
        if f.status == "erratum":
            f = Figure(f.id, f.edition, f.where, f.printed, f.status, f.recomputed, _explain(f.id, errata))
        out.append(f)
    return out


def unexplained(figures: list[Figure]) -> list[Figure]:
    return [f for f in figures if f.status == "erratum" and not f.explanation]


def scorecard(year: int, figures: list[Figure]) -> dict:
    counts = {s: sum(f.status == s for f in figures) for s in STATUSES}
    return {"year": year, "figures": len(figures), "reproduced": counts["reproduced"], "input": counts["input"],
            "not_checkable": counts["not_checkable"],
            "errata": [{"id": f.id, "where": f.where, "printed": f.printed, "recomputed": f.recomputed,
                        "explanation": f.explanation} for f in figures if f.status == "erratum"]}


def scorecard_text(card: dict) -> str:
    lines = [f"audit {card['year']}: {card['figures']} printed figures",
             f"  reproduced     {card['reproduced']}", f"  input          {card['input']}",
             f"  not checkable  {card['not_checkable']}", f"  errata         {len(card['errata'])}"]
    for e in card["errata"]:
        lines.append(f"\n  {e['id']}  ({e['where']})\n    printed {e['printed']}, recomputed {e['recomputed']}"
                     f"\n    {e['explanation'] or 'UNEXPLAINED: no explanation in the ledger'}")
    return "\n".join(lines)


def figures_frame(figures: list[Figure]) -> pd.DataFrame:
    return pd.DataFrame([asdict(f) for f in figures])


def summary(figures: list[Figure], lang: str = "en") -> pd.DataFrame:
    """Counts of each status, by edition and by kind of figure (table cell or running text)."""
    df = figures_frame(figures)
    df["kind"] = df["id"].map(lambda i: "table" if i.count(":") >= 3 else "text")
    out = df.pivot_table(index=["edition", "kind"], columns="status", values="id", aggfunc="count", fill_value=0)
    out = out.reindex(columns=list(STATUSES), fill_value=0)
    out["total"] = out.sum(axis=1)
    out.columns.name = None
    out = out.reset_index()
    out["edition"] = out["edition"].map(lambda e: t(f"edition_{e}", lang))
    out["kind"] = out["kind"].map(lambda k: t(f"kind_{k}", lang))
    return out.rename(columns={"edition": t("edition", lang), "kind": t("kind", lang), "total": t("total", lang),
                               **{s: t(f"status_{s}", lang) for s in STATUSES}})


def errata_frame(figures: list[Figure], lang: str = "en") -> pd.DataFrame:
    df = figures_frame([f for f in figures if f.status == "erratum"])
    columns = {"id": "figure_id", "where": "where", "printed": "printed", "recomputed": "recomputed", "explanation": "explanation"}
    return df[list(columns)].rename(columns={c: t(k, lang) for c, k in columns.items()}) if len(df) else df


def not_checkable_frame(figures: list[Figure], lang: str = "en") -> pd.DataFrame:
    df = figures_frame([f for f in figures if f.status == "not_checkable" and f.edition == "en"])
    columns = {"id": "figure_id", "where": "where", "printed": "printed", "explanation": "needed"}
    return df[list(columns)].rename(columns={c: t(k, lang) for c, k in columns.items()})
