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

import math
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import countries as cldr
from analysis.data import (
    DataError,
    Problem,
    load_reference,
    name_problems,
    plain_number,
    read_table,
    read_text_file,
    table_schemas,
)
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


def _number(text: str, decimal: str = ".") -> float:
    """A number of an export as a spreadsheet writes it ("1,924.53", "14.9%"; with decimal commas
    "1.924,53", "14,9 %"); ValueError if the cell is not a finite number."""
    plain = plain_number(text.strip().removesuffix("%"), decimal)
    if plain is None or not math.isfinite(value := float(plain)):
        raise ValueError(text)
    return value


def _decimals(text: str, decimal: str) -> int:
    """How many decimals a printed number has (its rounding)."""
    plain = plain_number(text.strip().removesuffix("%"), decimal) or ""
    return len(plain.split(".")[1]) if "." in plain else 0


def _match_columns(header: list[str]) -> tuple[dict, dict, dict, tuple | None, list[str]]:
    """What each column of an export is, whatever its spelling: the position/name/country roles,
    the Share and Count columns by year, the % change column with its two years, and the columns
    not used."""
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
    return roles, shares, counts, change, ignored


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""  # a short row's missing cells are empty


def read_export(path: Path) -> Export:
    file = shown(path)
    text, problems = read_text_file(path)
    if text is None:
        raise DataError(problems)
    header = text.rows[0] if text.rows else []
    roles, shares, counts, change, ignored = _match_columns(header)
    problems = [
        Problem(file, None, role, f"required column is missing{text.read_as}")
        for role in COLUMN_PATTERNS
        if role not in roles
    ]
    if len(shares) != 2:
        problems.append(
            Problem(
                file,
                None,
                "Share <year>",
                f"two Share columns are required (found {len(shares)}){text.read_as}",
            )
        )
    if change is None:
        problems.append(
            Problem(
                file,
                None,
                "Change in Adjusted Share <year>-<year>",
                f"required column is missing{text.read_as}",
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

    def number(row: list[str], n: int, index: int, column: str, whole: bool = False):
        value = _cell(row, index)
        try:
            out = _number(value, text.decimal)
        except ValueError:
            problems.append(Problem(file, n, column, f"must be a number; found {value!r}"))
            return None
        if out < 0 and column != "change":
            problems.append(Problem(file, n, column, f"must be >= 0; found {value!r}"))
        elif whole and out != int(out):
            problems.append(Problem(file, n, column, f"must be a whole number; found {value!r}"))
        return out

    records, numbers = [], []
    # n: the row's number in the file (the header is row 0), so that a message points at its line
    # even when blank rows come before it.
    for n, row in enumerate(text.rows[1:], start=1):
        if not any(cell.strip() for cell in row):
            continue
        record = {
            "position": number(row, n, roles["position"], "position"),
            "name": _cell(row, roles["name"]).strip(),
            "country": _cell(row, roles["country"]).strip(),
            "share_prev": number(row, n, shares[prev_year], f"Share {prev_year}"),
            "share": number(row, n, shares[year], f"Share {year}"),
            "count": number(row, n, counts[year], f"Count {year}", whole=True),
            "change_pct": number(row, n, change[2], "change"),
            "change_decimals": _decimals(_cell(row, change[2]), text.decimal),
        }
        if not record["name"]:
            problems.append(Problem(file, n, "name", "a value is required"))
        for column in ("name", "country"):
            problems += name_problems([record[column]], file, column, first_row=n)
        records.append(record)
        numbers.append(n)
    if not records:
        problems.append(Problem(file, None, None, "has no data rows"))
    if problems:
        raise DataError(problems)
    # Indexed by data row (from 0), as the file numbers them: misfits name the row of the file.
    rows = pd.DataFrame(records, index=[n - 1 for n in numbers])
    # A row is known by its name and its country: two institutions called "Northeastern University
    # (NEU)", in the USA and in China, are two rows; only a row repeating both is a duplicate.
    duplicated = rows[rows.duplicated(["name", "country"], keep=False)]
    if len(duplicated):
        problems = []
        for (name, country), group in duplicated.groupby(["name", "country"], sort=False):
            numbers = [int(i) + 1 for i in group.index]
            problems.append(
                Problem(
                    file,
                    numbers[0],
                    "name",
                    f"rows {', '.join(map(str, numbers))} repeat the "
                    f"same name and country: ({name!r}, {country!r})",
                )
            )
        raise DataError(problems)
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


def _resolve_countries(
    export: Export, countries: pd.DataFrame
) -> tuple[dict[str, str], list[dict]]:
    """Each country name of the export -> its id: the reference's row of that English name, else
    the ISO code CLDR or a Nature Index spelling gives (a new reference row, with CLDR's Chinese
    name). Raises DataError naming each name that is neither."""
    by_name = countries.set_index("name_en")["country_id"].to_dict()
    known_ids = set(countries["country_id"])
    ids, new, unknown = {}, [], []
    for name in sorted(set(export.rows["country"])):
        code = by_name.get(name) or cldr.code_of(name)
        if code is None:
            unknown.append(name)
            continue
        if code not in known_ids:
            new.append(
                {
                    "country_id": code,
                    "name_en": name,
                    "name_zh": cldr.chinese_name(code),
                    "slug": _slug(name),
                    "short_en": cldr.short_name(name, code),
                }
            )
            known_ids.add(code)
        ids[name] = code
    if unknown:
        raise DataError(
            [
                Problem(
                    shown(export.path),
                    None,
                    "country",
                    f"unknown country {c!r}: neither a country or territory that Unicode "
                    "CLDR names nor a Nature Index spelling; add it to reference/countries.csv",
                )
                for c in unknown
            ]
        )
    return ids, new


def city_id_for(name: str, country_id: str) -> str:
    """A stable id for a city that came in with an export: its name and its country, so that two
    cities of one name (Birmingham, UK and USA) never share an id."""
    return f"{_slug(name)}-{country_id.lower()}"


def apply_names(cities: pd.DataFrame, countries: pd.DataFrame, names_file: Path) -> int:
    """Chinese names from a CSV (name, country, name_zh) into the cities table, in place. Every row
    must name a city of the reference (by English name and country). Returns how many were set."""
    file = shown(names_file)
    text, problems = read_text_file(names_file)
    if text is None:
        raise DataError(problems)
    try:
        table = text.frame().fillna("")  # a short row's missing cells are empty
    except (pd.errors.ParserError, ValueError) as e:
        raise DataError(
            [Problem(file, None, None, f"is not a readable CSV file ({str(e).strip()})")]
        ) from None
    missing = [c for c in ("name", "country", "name_zh") if c not in table.columns]
    if missing:
        raise DataError(
            [Problem(file, None, c, f"required column is missing{text.read_as}") for c in missing]
        )
    problems = [
        problem
        for column in ("name", "country", "name_zh")
        for problem in name_problems(table[column], file, column)
    ]
    not_names = {problem.row for problem in problems}  # rows said already: not looked up
    by_country_name = countries.set_index("name_en")["country_id"].to_dict()
    index = {(n, c): i for i, n, c in zip(cities.index, cities["name_en"], cities["country_id"])}
    for row, (name, country, name_zh) in enumerate(
        zip(table["name"], table["country"], table["name_zh"]), 1
    ):
        code = by_country_name.get(country) or cldr.code_of(country)
        if row in not_names:
            continue
        if (name, code) not in index:
            problems.append(
                Problem(file, row, "name", f"no city {name!r} in {country!r} in the reference")
            )
        elif not name_zh.strip():
            problems.append(Problem(file, row, "name_zh", "a value is required"))
        else:
            cities.loc[index[(name, code)], "name_zh"] = name_zh.strip()
    if problems:
        raise DataError(problems)
    return len(table)


def write_inputs(
    export: Export,
    subject: str,
    factor: float,
    out: Path,
    reference_dir: Path = DATA,
    names_file: Path | None = None,
) -> list[str]:
    """Write out/<year>/city_share.csv and adjusted_share.csv for `subject` (other subjects' rows
    are kept), adding the countries and cities the reference does not know to out/reference (a
    city is known by its English name and its country). `names_file` supplies Chinese names.
    Returns notes for the user."""
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
    # The reference as every load reads it (its dialect, its schema, the name rule): a broken one
    # stops the write here, before anything is added to it.
    reference = {name: table.fillna("") for name, table in load_reference(out).items()}
    subjects, cities, countries = (reference[n] for n in ("subjects", "cities", "countries"))
    if subject not in set(subjects["subject_id"]):
        raise DataError(
            [
                Problem(
                    shown(out / "reference" / "subjects.csv"),
                    None,
                    "subject_id",
                    f"unknown subject {subject!r}: one of {', '.join(subjects['subject_id'])}",
                )
            ]
        )
    country_ids, new_countries = _resolve_countries(export, countries)
    if new_countries:
        countries = pd.concat([countries, pd.DataFrame(new_countries)], ignore_index=True)
        countries.to_csv(out / "reference" / "countries.csv", index=False, lineterminator="\n")
        notes.append(
            "new countries added to reference/countries.csv (Chinese names from Unicode "
            f"CLDR): {first_few(c['name_en'] for c in new_countries)}"
        )
    ids = {
        (n, c): i for n, c, i in zip(cities["name_en"], cities["country_id"], cities["city_id"])
    }
    new = []
    for name, country in zip(export.rows["name"], export.rows["country"]):
        key = (name, country_ids[country])
        if key not in ids:
            ids[key] = city_id_for(*key)
            new.append({"city_id": ids[key], "name_en": name, "name_zh": "", "country_id": key[1]})
    if new:
        cities = pd.concat([cities, pd.DataFrame(new)], ignore_index=True)
        notes.append(
            "new cities added to reference/cities.csv without a Chinese name (supply them "
            f"with --names; Chinese pages show the English name, marked): "
            f"{first_few(c['name_en'] for c in new)}"
        )
    if names_file is not None:
        count = apply_names(cities, countries, names_file)
        notes.append(f"Chinese names set from {shown(names_file)}: {count}")
    if new or names_file is not None:
        cities.to_csv(out / "reference" / "cities.csv", index=False, lineterminator="\n")
    export_ids = [
        ids[(n, country_ids[c])] for n, c in zip(export.rows["name"], export.rows["country"])
    ]
    rows = export.rows.assign(city_id=export_ids, subject_id=subject)
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
            kept, problems = read_table(path, table_schemas(out)[name])
            if kept is None:
                raise DataError(problems)
            frame = pd.concat([kept[kept["subject_id"] != subject], frame], ignore_index=True)
        frame.to_csv(path, index=False, lineterminator="\n")
        notes.append(f"wrote {shown(path)} ({len(frame)} rows)")
    return notes
