"""Read a Nature Index table export (cities) and turn it into the project's input files.

An export lists, per row: position, name, country/territory, Share of an earlier year, Share of the
latest year, Count of the latest year and the % change in *adjusted* Share between them. Header
spellings vary ("Change in Adjusted Share 2019–2020", "Change Adjusted in Share 2019-2020*", ...)
and extra columns may follow; they are matched by pattern, not by exact text.

The adjustment factor f (latest total / earlier total) is not printed, but each row constrains it:
    change% = (latest - f * earlier) / (f * earlier) * 100   =>   f = latest / (earlier * (1 +
    change%/100))
With every printed value known only to its rounding, each row gives an interval of possible f. The
factor is the intersection of the rows' intervals; rows that fit no common factor are reported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.data import DataError, Problem, read_text_file
from analysis.paths import DATA, shown
from analysis.words import first_few

COLUMN_PATTERNS = {
    "position": r"^(position|rank|#|no\.?)$",
    "name": r"^(institution|city|city/metro|city/metropolitan area|name|institution name"
    r"|city name)$",
    "country": r"^(country|country/territory|country/region|location)$",
}


def _norm(header: str) -> str:
    text = (
        unicodedata.normalize("NFKC", header)
        .replace("\u2013", "-")
        .replace("\u2014", "-")
        .replace("*", "")
    )
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass
class Export:
    path: Path
    rows: (
        pd.DataFrame
    )  # position, name, country, share_prev, share, count, change_pct, change_decimals
    prev_year: int
    year: int
    ignored_columns: list[str] = field(default_factory=list)


def _number(text: str) -> float:
    return float(str(text).replace(",", "").replace("%", "").strip())


def read_export(path: Path) -> Export:
    file = shown(path)
    text, problems = read_text_file(path, encoding="utf-8-sig")  # exports often start with a BOM
    if text is None:
        raise DataError(problems)
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    body = [row for row in reader if any(cell.strip() for cell in row)]
    roles, shares, counts, change, ignored = {}, {}, {}, None, []
    for i, raw in enumerate(header):
        h = _norm(raw)
        matched = next(
            (role for role, pattern in COLUMN_PATTERNS.items() if re.match(pattern, h)), None
        )
        if matched and matched not in roles:
            roles[matched] = i
        elif m := re.match(r"^share (\d{4})$", h):
            shares[int(m.group(1))] = i
        elif m := re.match(r"^count (\d{4})$", h):
            counts[int(m.group(1))] = i
        elif (
            "change" in h
            and "adjusted" in h
            and "share" in h
            and (m := re.search(r"(\d{4}) ?- ?(\d{4})", h))
        ):
            change = (int(m.group(1)), int(m.group(2)), i)
        else:
            ignored.append(raw)
    problems = [
        Problem(file, None, role, "required column is missing")
        for role in COLUMN_PATTERNS
        if role not in roles
    ]
    if len(shares) != 2:
        problems.append(
            Problem(
                file, None, "Share <year>", f"two Share columns are required (found {len(shares)})"
            )
        )
    if change is None:
        problems.append(
            Problem(
                file, None, "Change in Adjusted Share <year>-<year>", "required column is missing"
            )
        )
    if problems:
        raise DataError(problems)
    prev_year, year = sorted(shares)
    if (change[0], change[1]) != (prev_year, year):
        raise DataError(
            [
                Problem(
                    file,
                    None,
                    header[change[2]],
                    f"its years do not match the Share columns ({prev_year}, {year})",
                )
            ]
        )
    if year not in counts:
        raise DataError([Problem(file, None, f"Count {year}", "required column is missing")])
    records = []
    for n, row in enumerate(body, start=1):

        def get(index, column, kind=_number, row=row, n=n):
            value = row[index] if index < len(row) else ""
            try:
                out = kind(value)
            except ValueError:
                problems.append(Problem(file, n, column, f"must be a number; found {value!r}"))
                return None
            if kind is _number and out < 0 and column != "change":
                problems.append(Problem(file, n, column, f"must be >= 0; found {value!r}"))
            return out

        pct_text = row[change[2]] if change[2] < len(row) else ""
        record = {
            "position": get(roles["position"], "position"),
            "name": row[roles["name"]].strip(),
            "country": row[roles["country"]].strip(),
            "share_prev": get(shares[prev_year], f"Share {prev_year}"),
            "share": get(shares[year], f"Share {year}"),
            "count": get(counts[year], f"Count {year}"),
            "change_pct": get(change[2], "change"),
            "change_decimals": len(pct_text.replace("%", "").strip().split(".")[1])
            if "." in pct_text
            else 0,
        }
        if not record["name"]:
            problems.append(Problem(file, n, "name", "a value is required"))
        records.append(record)
    if not records:
        problems.append(Problem(file, None, None, "has no data rows"))
    if problems:
        raise DataError(problems)
    rows = pd.DataFrame(records)
    duplicated = rows[rows.duplicated("name", keep=False)]
    if len(duplicated):
        raise DataError(
            [
                Problem(file, int(i) + 1, "name", f"duplicate name {rows.at[i, 'name']!r}")
                for i in duplicated.index
            ]
        )
    return Export(path, rows, prev_year, year, ignored)


def factor_interval(row: pd.Series) -> tuple[float, float] | None:
    """The adjustment factors consistent with one row, given the printed rounding (None if the row
    cannot constrain it, e.g. an earlier Share of 0)."""
    h_share, h_pct = 0.005, 0.5 * 10 ** -int(row["change_decimals"])
    lo_prev, hi_prev = row["share_prev"] - h_share, row["share_prev"] + h_share
    lo_cur, hi_cur = max(row["share"] - h_share, 0.0), row["share"] + h_share
    lo_growth, hi_growth = (
        1 + (row["change_pct"] - h_pct) / 100,
        1 + (row["change_pct"] + h_pct) / 100,
    )
    if lo_prev <= 0 or lo_growth <= 0:
        return None
    return lo_cur / (hi_prev * hi_growth), hi_cur / (lo_prev * lo_growth)


def infer_factor(export: Export) -> dict:
    intervals = {i: factor_interval(row) for i, row in export.rows.iterrows()}
    usable = {i: iv for i, iv in intervals.items() if iv is not None}
    if not usable:
        raise DataError(
            [Problem(shown(export.path), None, None, "no row constrains the adjustment factor")]
        )
    # The point covered by the most rows' intervals (a sweep over the interval ends); rows that do
    # not cover it fit no common factor with the others.
    events = sorted(
        [(lo, 0, i) for i, (lo, _) in usable.items()]
        + [(hi, 1, i) for i, (_, hi) in usable.items()]
    )
    best, depth, best_depth = None, 0, -1
    for value, kind, _ in events:
        depth += 1 if kind == 0 else -1
        if kind == 0 and depth > best_depth:
            best, best_depth = value, depth
    fitting = {
        i: iv for i, iv in usable.items() if iv[0] <= best + 1e-15 and iv[1] >= best - 1e-15
    }
    lo, hi = max(iv[0] for iv in fitting.values()), min(iv[1] for iv in fitting.values())
    misfits = [
        {
            "row": int(i) + 1,
            "name": export.rows.at[i, "name"],
            "factor_interval": [round(a, 6), round(b, 6)],
        }
        for i, (a, b) in usable.items()
        if i not in fitting
    ]
    return {
        "year": export.year,
        "rows": len(export.rows),
        "factor": round((lo + hi) / 2, 6),
        "factor_interval": [round(lo, 6), round(hi, 6)],
        "misfits": misfits,
        "unconstraining_rows": [int(i) + 1 for i, iv in intervals.items() if iv is None],
    }


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def write_inputs(
    export: Export, subject: str, factor: float, out: Path, reference_dir: Path = DATA
) -> list[str]:
    """Write out/<year>/city_share.csv and adjusted_share.csv for `subject` (other subjects' rows
    are kept), adding unknown cities to out/reference/cities.csv. Returns notes for the user."""
    import shutil

    out = Path(out)
    notes = []
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "datapackage.json").exists():
        shutil.copy(reference_dir / "datapackage.json", out / "datapackage.json")
    (out / "reference").mkdir(parents=True, exist_ok=True)
    for name in ("countries", "cities", "institutions", "subjects"):
        if not (out / "reference" / f"{name}.csv").exists():
            shutil.copy(
                reference_dir / "reference" / f"{name}.csv", out / "reference" / f"{name}.csv"
            )
    cities = pd.read_csv(out / "reference" / "cities.csv", dtype=str, keep_default_na=False)
    countries = pd.read_csv(out / "reference" / "countries.csv", dtype=str, keep_default_na=False)
    country_id = countries.set_index("name_en")["country_id"]
    unknown = sorted(set(export.rows["country"]) - set(country_id.index))
    if unknown:
        raise DataError(
            [
                Problem(
                    shown(export.path),
                    None,
                    "country",
                    f"unknown country {c!r}: add it to reference/countries.csv",
                )
                for c in unknown
            ]
        )
    ids = cities.set_index("name_en")["city_id"].to_dict()
    new = []
    for name, country in zip(export.rows["name"], export.rows["country"]):
        if name not in ids:
            ids[name] = _slug(name)
            new.append(
                {
                    "city_id": ids[name],
                    "name_en": name,
                    "name_zh": name,
                    "country_id": country_id[country],
                }
            )
    if new:
        cities = pd.concat([cities, pd.DataFrame(new)], ignore_index=True)
        cities.to_csv(out / "reference" / "cities.csv", index=False, lineterminator="\n")
        notes.append(
            "new cities added to reference/cities.csv with their English name in name_zh (replace "
            f"it with the Chinese name): {first_few(c['name_en'] for c in new)}"
        )
    rows = export.rows.assign(city_id=export.rows["name"].map(ids), subject_id=subject)
    year_dir = out / str(export.year)
    year_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "city_share": rows.assign(count=rows["count"].astype(int))[
            ["subject_id", "city_id", "share", "count"]
        ],
        "adjusted_share": rows.assign(
            adjusted_share_prev=(rows["share_prev"] * factor).round(6),
            adjusted_share=rows["share"],
        )[["subject_id", "city_id", "adjusted_share_prev", "adjusted_share"]],
    }
    for name, frame in files.items():
        path = year_dir / f"{name}.csv"
        if path.exists():
            kept = pd.read_csv(path, dtype={"subject_id": str})
            frame = pd.concat([kept[kept["subject_id"] != subject], frame], ignore_index=True)
        frame.to_csv(path, index=False, lineterminator="\n")
        notes.append(f"wrote {shown(path)} ({len(frame)} rows)")
    return notes
