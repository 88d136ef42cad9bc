"""Load one data year and validate it against data/datapackage.json.

The Frictionless Table Schema in data/datapackage.json is the single statement of the rules; this
module turns it into pandera schemas (types, required, ranges, patterns, unique keys) and checks
the foreign keys itself. Every problem is collected, so that one run reports all of them, each
naming the file, the row, the column and the rule.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.errors import DataError, Problem
from analysis.paths import DATA, shown

REFERENCE_FILES = ("countries", "cities", "institutions", "subjects")
# A data year needs the leading-cities table; every other table is optional, and a missing one
# simply means the book has no chapter for it that year.
REQUIRED_YEAR_FILES = ("city_share",)


@dataclass(frozen=True)
class YearData:
    """A data year: the reference tables plus the year's own tables (missing ones absent).

    Read eagerly (`load_year`), every file is read and every rule checked before it is returned.
    Read lazily (`load_year(..., lazy=True)`, what the pages do), a file of the year is read, and
    checked against its schema and the reference, only when a page first uses it: a page then
    opens only the files it uses, which is what decides when it must run again (the runner has
    checked the whole year, cross-file rules included, before any page runs)."""

    year: int
    data_dir: Path
    reference: dict[str, pd.DataFrame]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    unread: dict[str, Path] = field(default_factory=dict)  # lazily: files not read yet

    @property
    def lazy(self) -> bool:
        return bool(self.unread) or not self.tables

    @property
    def previous_year(self) -> int | None:
        """The edition before this one: the latest earlier year of its data folder with data."""
        earlier = [y for y in years_with_data(self.data_dir) if y < self.year]
        return earlier[-1] if earlier else None

    def has(self, name: str) -> bool:
        return name in self.tables or name in self.unread

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name in self.unread:
            self.tables[name] = _read_checked(name, self.unread.pop(name), self.data_dir, self)
        return self.tables[name] if name in self.tables else self.reference[name]


@cache
def package(data_dir: Path = DATA) -> dict:
    return json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))


def table_schemas(data_dir: Path = DATA) -> dict[str, dict]:
    """Table Schema of each resource, by resource name (= file name without .csv)."""
    return {r["name"]: r["schema"] for r in package(data_dir)["resources"]}


def _rule_text(check: str) -> str:
    """pandera's check names, said the way the schema says them."""
    for prefix, text in (
        ("greater_than_or_equal_to", "must be >= "),
        ("less_than_or_equal_to", "must be <= "),
        ("str_matches", "must match the pattern "),
        ("str_length", "must not be empty"),
    ):
        if check.startswith(prefix):
            arg = check[len(prefix) + 1 : -1]
            return text + (arg if "empty" not in text else "")
    return {
        "not_nullable": "a value is required",
        "column_in_dataframe": "required column is missing",
        "column_in_schema": "column is not in the schema",
        "multiple_fields_uniqueness": "duplicate key",
        "field_uniqueness": "duplicate key",
    }.get(check, check)


def _pandera_schema(schema: dict) -> pa.DataFrameSchema:
    columns = {}
    for f in schema["fields"]:
        c = f.get("constraints", {})
        checks = []
        if "minimum" in c:
            checks.append(pa.Check.ge(c["minimum"]))
        if "maximum" in c:
            checks.append(pa.Check.le(c["maximum"]))
        if "pattern" in c:
            checks.append(pa.Check.str_matches(f"^(?:{c['pattern']})$"))
        if c.get("minLength"):
            checks.append(pa.Check.str_length(min_value=c["minLength"]))
        dtype = {"number": float, "integer": "Int64", "string": str}[f["type"]]
        columns[f["name"]] = pa.Column(dtype, checks, nullable=not c.get("required", False))
    return pa.DataFrameSchema(
        columns, unique=schema.get("primaryKey"), strict=True, report_duplicates="all"
    )


def _parse_types(
    df: pd.DataFrame, schema: dict, file: str, decimal: str = "."
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn the text of numeric columns into numbers (written with the file's decimal mark); name
    every cell that is not one."""
    problems = []
    df = df.copy()
    for f in schema["fields"]:
        name, kind = f["name"], f["type"]
        if name not in df.columns or kind == "string":
            continue
        text = plain = df[name]
        if decimal != ".":  # "3.734,62" -> "3734.62"; an empty cell, or not a number, as it is
            plain = text.map(lambda t: (isinstance(t, str) and plain_number(t, decimal)) or t)
        numbers = pd.to_numeric(plain, errors="coerce")
        for i in df.index[text.notna() & numbers.isna()]:
            problems.append(Problem(file, i + 1, name, f"must be a {kind}; found {text[i]!r}"))
        if kind == "integer":
            whole = numbers.isna() | (numbers == numbers.round())
            for i in df.index[~whole]:
                problems.append(
                    Problem(file, i + 1, name, f"must be a whole number; found {text[i]!r}")
                )
            numbers = numbers.where(whole).astype("Int64")
        df[name] = numbers
    return df, problems


# ---- reading a CSV file: what spreadsheets write, or exactly what to do -------------------------

# A byte-order mark says the encoding outright (Excel's "Unicode text" is UTF-16 with one).
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# Encodings a file that is not UTF-8 is recognised in, to say which one it is, most specific
# first: (codec that must decode it, codec that reads it, the name a user is told). GB2312 needs
# both bytes of every character high, which Latin text almost never has; Windows-1252 decodes
# nearly any bytes, so it comes last.
LEGACY_ENCODINGS = (
    ("gb2312", "gb18030", "GBK (GB18030), as Chinese Windows saves text"),
    ("cp1252", "cp1252", 'Windows-1252, as Excel\'s "CSV (Comma delimited)" saves text'),
)
RESAVE = 'save it again as UTF-8 (in Excel: Save As, "CSV UTF-8") and run the command again'
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}
# A number as a spreadsheet writes it, by decimal mark: "1,924.53" or "1.924,53" (also with a
# space or a no-break space between thousands, as French settings write them).
NUMBER_FORMS = {
    ".": re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?"),
    ",": re.compile(r"([+-]?)(\d{1,3}(?:[. \u00a0\u202f]\d{3})+|\d+)(?:,(\d+))?"),
}


@dataclass(frozen=True)
class TextFile:
    """A CSV file as it was read: its text, decoded, and the dialect it is written in (the
    delimiter its header row uses; decimal commas when its numbers have them)."""

    text: str
    rows: list[list[str]] = field(repr=False)  # every row, header first, as the csv module reads
    encoding: str = "UTF-8"
    delimiter: str = ","
    decimal: str = "."

    @property
    def plain(self) -> bool:
        return (self.encoding, self.delimiter, self.decimal) == ("UTF-8", ",", ".")

    @property
    def dialect(self) -> str:
        """How the file was read, in words ("UTF-16 text separated by tabs")."""
        marks = ", with decimal commas" if self.decimal == "," else ""
        return f"{self.encoding} text separated by {DELIMITERS[self.delimiter]}{marks}"

    @property
    def read_as(self) -> str:
        """ " (read as <dialect>)" for a message about a header that does not match, when the
        file is not UTF-8 separated by commas: the header may be what was misread."""
        return "" if self.plain else f" (read as {self.dialect})"

    def frame(self, **options) -> pd.DataFrame:
        """The table, every cell as text (pandas' reader, in the file's dialect)."""
        return pd.read_csv(
            io.StringIO(self.text), sep=self.delimiter, dtype=str, keep_default_na=False, **options
        )


def plain_number(text: str, decimal: str = ".") -> str | None:
    """A number as a spreadsheet writes it, in the form Python reads ("1.924,53" with decimal
    commas, "1,924.53" without: "1924.53"), or None if the text is not one."""
    found = NUMBER_FORMS[decimal].fullmatch(text.strip())
    if found is None:
        return None
    sign, whole, fraction = found.groups()
    return sign + re.sub(r"\D", "", whole) + ("" if fraction is None else f".{fraction}")


def _decode(raw: bytes) -> tuple[str | None, str, str | None]:
    """(text, encoding, None), or (None, encoding, why the bytes are not text in it)."""
    for mark, codec, encoding in BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            try:
                return raw.decode(codec), encoding, None
            except UnicodeDecodeError as e:
                return (
                    None,
                    encoding,
                    (
                        f"starts with the byte-order mark of {encoding} but is not "
                        f"{encoding} text (byte {e.start})"
                    ),
                )
    try:
        return raw.decode("utf-8"), "UTF-8", None
    except UnicodeDecodeError as e:
        return None, "UTF-8", _not_utf8(raw, e.start)


def _not_utf8(raw: bytes, at: int) -> str:
    """Why a file is refused that is not UTF-8: the encoding it looks like, where it shows, and the
    fix; else where it stops being UTF-8."""
    for test, codec, name in LEGACY_ENCODINGS:
        try:
            raw.decode(test)
        except UnicodeDecodeError:
            continue
        text = raw.decode(codec)
        if any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text):
            continue  # control characters: not text in this encoding either
        if codec == "gb18030" and not any("\u4e00" <= c <= "\u9fff" for c in text):
            continue  # no Chinese character: not Chinese text
        # Where it shows: the first word with a letter outside ASCII ("Zürich"), else with any
        # character outside it.
        outside = [i for i, c in enumerate(text) if ord(c) > 127]
        first = next((i for i in outside if text[i].isalpha()), outside[0])
        start, end = first, first + 1
        while start > 0 and text[start - 1] not in ' \t\r\n,;|"':
            start -= 1
        while end < len(text) and text[end] not in ' \t\r\n,;|"':
            end += 1
        line = text.count("\n", 0, first) + 1
        return (
            f"is not UTF-8 text: it looks like {name} ({text[start:end][:40]!r} on line {line});"
            f" {RESAVE}"
        )
    return f"is not UTF-8 text (byte {at})"


def _delimiter(header_line: str) -> str:
    """The delimiter of a CSV file: the one that splits its header row into the most cells (a
    tie, as in a file of one column, is a comma)."""
    cells = {d: len(next(csv.reader([header_line], delimiter=d))) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: cells[d])  # max keeps the first of a tie


def _decimal_mark(rows: list[list[str]], file: str) -> tuple[str, list[Problem]]:
    """ "," if the file's numbers are written with decimal commas, else "."; a file that has both
    ("3734,62" and "1924.53") is refused, naming one of each."""
    seen: dict[str, tuple[int, str]] = {}
    for n, row in enumerate(rows[1:], start=1):
        for cell in row:
            number = cell.strip().removesuffix("%").strip()
            as_point, as_comma = plain_number(number, "."), plain_number(number, ",")
            if as_comma and "." in as_comma and as_point is None:
                seen.setdefault(",", (n, cell))
            elif as_point and "." in as_point and as_comma is None:
                seen.setdefault(".", (n, cell))
    if len(seen) == 2:
        (comma_row, comma), (point_row, point) = seen[","], seen["."]
        return ".", [
            Problem(
                file,
                None,
                None,
                f"mixes decimal commas ({comma!r}, row {comma_row}) and decimal points "
                f"({point!r}, row {point_row}): save it again with one decimal mark",
            )
        ]
    return ("," if "," in seen else "."), []


def read_text_file(path: Path) -> tuple[TextFile | None, list[Problem]]:
    """A CSV file as text and dialect, or the problems that stop it being read: missing, not text
    (UTF-8, or UTF-16 or UTF-8 by a byte-order mark; a file in an older encoding is refused,
    naming the encoding and the fix), empty, not CSV. The delimiter is the header's (commas,
    semicolons, tabs or vertical bars) and, in a file not separated by commas, numbers may have
    decimal commas. The one pre-check of every file this project reads (data files, exports,
    names files): each then parses `rows` or `frame()`, never the file again."""
    file = shown(path)
    if not path.is_file():
        return None, [Problem(file, None, None, "file is missing")]
    text, encoding, why = _decode(path.read_bytes())
    if text is None:
        return None, [Problem(file, None, None, why)]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [
            Problem(
                file,
                None,
                None,
                f"holds a NUL character (line {line}), which text never does; {RESAVE}",
            )
        ]
    if not text.strip():
        return None, [Problem(file, None, None, "file is empty (a header row is required)")]
    delimiter = _delimiter(next(line for line in text.splitlines() if line.strip()))
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as e:
        return None, [Problem(file, None, None, f"is not a readable CSV file ({e})")]
    decimal = "."
    if delimiter != ",":  # a comma-separated file cannot have decimal commas unquoted
        decimal, problems = _decimal_mark(rows, file)
        if problems:
            return None, problems
    return TextFile(text, rows, encoding, delimiter, decimal), []


# ---- names --------------------------------------------------------------------------------------

NAME_MAX_LENGTH = 120
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@")
# Characters no name shows: controls, invisible formatting (bidirectional overrides, zero-width
# marks, a stray byte-order mark), line and paragraph separators, surrogates.
INVISIBLE = ("Cc", "Cf", "Cs", "Zl", "Zp")
# The columns of the reference that hold names (every file of it that has them).
NAME_COLUMNS = ("name_en", "name_zh")


def _excerpt(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[:width] + "…")


def name_rule(name: str) -> str | None:
    """The rule a name breaks, or None: a name of a city, institution, country or subject, in any
    language, wherever it comes from (an export, a names file, the reference). A name is shown on
    pages and in spreadsheets, so it holds no control or invisible character, no markup, nothing
    that starts a formula; and it is a name, not a paragraph or a row of dashes. An empty name is
    the rule of the column it is in (required or not), not this one."""
    for i, c in enumerate(name):
        if unicodedata.category(c) in INVISIBLE:
            return (
                f"a name cannot hold a control or invisible character (U+{ord(c):04X} at "
                f"character {i + 1} of {_excerpt(name)})"
            )
    if "<" in name or ">" in name:
        return f"a name cannot hold the markup characters < or > (found {_excerpt(name)})"
    # Full-width forms (＝, ＋) count as what they stand for.
    first = unicodedata.normalize("NFKC", name.lstrip()[:1])
    if first in FORMULA_STARTS:
        return (
            f"a name cannot start with {first!r}, which a spreadsheet reads as a formula "
            f"(found {_excerpt(name)})"
        )
    if len(name) > NAME_MAX_LENGTH:
        return (
            f"a name is at most {NAME_MAX_LENGTH} characters long (found {len(name):,}, "
            f"starting {_excerpt(name, 20)})"
        )
    if not any(unicodedata.category(c)[0] in "LN" for c in name):
        return (
            "a name needs a letter or a digit (found only punctuation or spaces: "
            f"{_excerpt(name)})"
        )
    return None


def name_problems(names, file: str, column: str, first_row: int = 1) -> list[Problem]:
    """The names of one column that break the name rule, each named by file, row and column
    (rows numbered from `first_row`); empty cells are left to the column's own rule."""
    return [
        Problem(file, row, column, rule)
        for row, name in enumerate(names, start=first_row)
        if isinstance(name, str) and name and (rule := name_rule(name))
    ]


def read_table(path: Path, schema: dict) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read one CSV file and check it against its Table Schema (all but foreign keys)."""
    file = shown(path)
    text, problems = read_text_file(path)
    if text is None:
        return None, problems
    try:
        df = text.frame(na_values=[""])
    except (pd.errors.ParserError, ValueError) as e:
        return None, [Problem(file, None, None, f"is not a readable CSV file ({str(e).strip()})")]
    df, problems = _parse_types(df, schema, file, text.decimal)
    if problems:
        return None, problems
    try:
        _pandera_schema(schema).validate(df, lazy=True)
    except pa.errors.SchemaErrors as e:
        for case in e.failure_cases.itertuples():
            column = case.column if isinstance(case.column, str) else None
            rule = _rule_text(str(case.check))
            if case.check in ("column_in_dataframe", "column_in_schema"):
                column = str(case.failure_case)
                rule += text.read_as
            elif pd.notna(case.failure_case) and case.check != "not_nullable":
                rule += f"; found {case.failure_case!r}"
            row = None if case.index is None or pd.isna(case.index) else int(case.index) + 1
            problems.append(Problem(file, row, column, rule))
        return None, problems
    return df, []


def _check_foreign_keys(
    name: str, df: pd.DataFrame, schema: dict, tables: dict[str, pd.DataFrame], file: str
) -> list[Problem]:
    problems = []
    for fk in schema.get("foreignKeys", []):
        (column,), target = fk["fields"], fk["reference"]
        target_table = tables.get(target["resource"])
        if target_table is None:
            continue  # the referenced file is itself broken and already reported
        known = set(target_table[target["fields"][0]])
        for i, value in df[column].items():
            if value not in known:
                problems.append(
                    Problem(
                        file,
                        i + 1,
                        column,
                        f"unknown id {value!r} (not in {target['resource']}.csv)",
                    )
                )
    return problems


def _check_pairs(
    df: pd.DataFrame, a: str, b: str, file: str, within: str | None = None
) -> list[Problem]:
    """A partnership is between two different partners and is listed once, in either order (once
    per value of the column `within`, if given)."""
    problems, seen = [], {}
    groups = df[within] if within else [None] * len(df)
    for i, (x, y, group) in enumerate(zip(df[a], df[b], groups)):
        if x == y:
            problems.append(Problem(file, i + 1, b, f"a partner cannot partner itself ({x!r})"))
        key = (group, frozenset((x, y)))
        if key in seen:
            problems.append(
                Problem(file, i + 1, a, f"duplicate pair: the same pair as row {seen[key]}")
            )
        seen.setdefault(key, i + 1)
    return problems


def _check_rank_history(df: pd.DataFrame, file: str, year: int) -> list[Problem]:
    duplicated = df.duplicated(["year", "rank"], keep=False)
    problems = [
        Problem(file, i + 1, "rank", f"two cities hold rank {r} in {y}")
        for i, y, r in zip(df.index[duplicated], df["year"][duplicated], df["rank"][duplicated])
    ]
    # The rank-history chapter ranks the cities of the data year and shows how they moved since an
    # earlier year (two years before, or the first the history has): every city needs a rank in the
    # data year, and the history needs an earlier year.
    for city in sorted(set(df["city_id"]) - set(df.loc[df["year"] == year, "city_id"])):
        problems.append(
            Problem(file, None, "year", f"{city!r} has no rank for {year}, the data year")
        )
    if not (df["year"] < year).any():
        problems.append(
            Problem(
                file,
                None,
                "year",
                f"no year before {year}: the chapter shows how "
                "ranks moved, which needs an earlier year",
            )
        )
    return problems


def _check_across_files(
    tables: dict[str, pd.DataFrame], paths: dict[str, Path], year: int
) -> list[Problem]:
    """Rules that tie files together: what the definitions of the metrics make impossible."""
    problems = []
    cs = tables.get("city_share")
    if cs is not None:
        file = shown(paths["city_share"])
        for i in cs.index[cs["share"] > cs["count"]]:
            problems.append(
                Problem(
                    file,
                    i + 1,
                    "share",
                    f"a Share cannot exceed the Count ({cs.at[i, 'share']} > {cs.at[i, 'count']})",
                )
            )
    cities = tables.get("cities")
    if cs is not None and cities is not None and "country_share" in tables:
        country_of = cities.set_index("city_id")["country_id"]
        total = tables["country_share"].set_index(["subject_id", "country_id"])["share"]
        for i, row in cs.iterrows():
            key = (row["subject_id"], country_of.get(row["city_id"]))
            if key in total.index and row["share"] > total[key] + 1e-9:
                problems.append(
                    Problem(
                        shown(paths["city_share"]),
                        i + 1,
                        "share",
                        f"a city's Share cannot exceed its country's ({row['share']} > "
                        f"{total[key]} for {key[1]})",
                    )
                )
    variance = tables.get("share_variance")
    if variance is not None and cs is not None:
        problems += _check_variances(variance, cs, year, shown(paths["share_variance"]))
    cp = tables.get("city_partnerships")
    if cp is not None and cs is not None:
        overall = cs[cs["subject_id"] == "overall"].set_index("city_id")
        file = shown(paths["city_partnerships"])
        for i, row in cp.iterrows():
            for side in ("1", "2"):
                city = row[f"city{side}_id"]
                if city in overall.index:
                    if row[f"cs{side}"] > overall.at[city, "share"] + 1e-9:
                        problems.append(
                            Problem(
                                file,
                                i + 1,
                                f"cs{side}",
                                f"a collaboration score cannot exceed the city's Share "
                                f"({row[f'cs{side}']} > {overall.at[city, 'share']} for {city})",
                            )
                        )
                    if row["count"] > overall.at[city, "count"]:
                        problems.append(
                            Problem(
                                file,
                                i + 1,
                                "count",
                                f"a pair cannot have more joint articles than one of its "
                                f"cities has articles ({row['count']} > "
                                f"{overall.at[city, 'count']} for {city})",
                            )
                        )
    ip, institutions = tables.get("institution_partnerships"), tables.get("institutions")
    if ip is not None and institutions is not None:
        city_of = institutions.set_index("institution_id")["city_id"]
        file = shown(paths["institution_partnerships"])
        for i, row in ip.iterrows():
            for column in ("institution1_id", "institution2_id"):
                where = city_of.get(row[column])
                if where is not None and where != row["city_id"]:
                    problems.append(
                        Problem(
                            file,
                            i + 1,
                            column,
                            f"{row[column]!r} is in {where!r}, not in {row['city_id']!r}",
                        )
                    )
    return problems


def _check_variance_years(df: pd.DataFrame, file: str, year: int) -> list[Problem]:
    """share_variance.csv holds the data year and the year before (the risers' earlier year)."""
    return [
        Problem(
            file,
            i + 1,
            "year",
            f"must be {year} or {year - 1}, the data year or the one before; found {y}",
        )
        for i, y in df["year"].items()
        if y not in (year, year - 1)
    ]


def _check_variances(
    variance: pd.DataFrame, shares: pd.DataFrame, year: int, file: str
) -> list[Problem]:
    """A Share S on n articles has a variance (sum of its squared parts) between S²/n and S."""
    problems = []
    known = shares.set_index(["subject_id", "city_id"])
    tolerance = 1e-6  # what the 6 decimals `from-records` writes allow
    for i, row in variance[variance["year"] == year].iterrows():
        key = (row["subject_id"], row["city_id"])
        if key not in known.index:
            continue
        share, count = known.at[key, "share"], known.at[key, "count"]
        if row["sum_f2"] > share + tolerance:
            problems.append(
                Problem(
                    file,
                    i + 1,
                    "sum_f2",
                    f"cannot exceed the city's Share ({row['sum_f2']} > {share})",
                )
            )
        elif count and row["sum_f2"] < share**2 / count - tolerance:
            problems.append(
                Problem(
                    file,
                    i + 1,
                    "sum_f2",
                    f"cannot be less than Share²/Count ({row['sum_f2']} < {share**2 / count:.6f})",
                )
            )
    return problems


def _file_rules(name: str, df: pd.DataFrame, file: str, year: int | None) -> list[Problem]:
    """The rules of one file beyond its schema and foreign keys."""
    if name in REFERENCE_FILES:
        return [
            problem
            for column in NAME_COLUMNS
            if column in df.columns
            for problem in name_problems(df[column], file, column)
        ]
    if name == "share_variance":
        return _check_variance_years(df, file, year)
    if name == "share_covariance":
        return _check_pairs(df, "city1_id", "city2_id", file, within="subject_id")
    if name == "city_partnerships":
        return _check_pairs(df, "city1_id", "city2_id", file)
    if name == "institution_partnerships":
        return _check_pairs(df, "institution1_id", "institution2_id", file)
    if name == "rank_history":
        return _check_rank_history(df, file, year)
    return []


def _read_checked(name: str, path: Path, data_dir: Path, data: YearData) -> pd.DataFrame:
    """One file of a lazily read year, checked against its schema, the reference and its own rules
    (raises DataError)."""
    schema = table_schemas(data_dir)[name]
    df, problems = read_table(path, schema)
    if df is not None:
        problems = _check_foreign_keys(name, df, schema, data.reference, shown(path))
        problems += _file_rules(name, df, shown(path), data.year)
    if problems:
        raise DataError(problems)
    return df


def load_reference(data_dir: Path = DATA) -> dict[str, pd.DataFrame]:
    """The validated reference tables alone: the names of cities, countries, institutions and
    subjects, in English and Chinese."""
    schemas = table_schemas(data_dir)
    tables, problems = {}, []
    for name in REFERENCE_FILES:
        path = data_dir / "reference" / f"{name}.csv"
        df, found = read_table(path, schemas[name])
        if df is not None:
            found = _file_rules(name, df, shown(path), None)
        tables[name], problems = df, problems + found
    if problems:
        raise DataError(problems)
    return tables


def untranslated(data_dir: Path = DATA) -> list[Problem]:
    """Reference rows with no Chinese name yet (they came in with an export): not an error, but the
    Chinese edition shows them in English, marked, until a name is supplied (ingest --names)."""
    found, reference = [], load_reference(data_dir)
    for name in ("countries", "cities", "institutions"):
        path, table = data_dir / "reference" / f"{name}.csv", reference[name]
        for i in table.index[table["name_zh"].fillna("").str.strip() == ""]:
            found.append(
                Problem(
                    shown(path),
                    i + 1,
                    "name_zh",
                    f"no Chinese name for {table.at[i, 'name_en']!r} "
                    "(Chinese pages show the English name, marked †)",
                )
            )
    return found


def load_year(year: int, data_dir: Path | str | None = None, lazy: bool = False) -> YearData:
    """Read and validate data_dir/reference and data_dir/<year>; raise DataError listing every
    problem. With `lazy`, only the reference is read now and each file of the year when it is
    first used (see YearData)."""
    data_dir = Path(data_dir) if data_dir is not None else DATA
    problems: list[Problem] = []
    if not (data_dir / "datapackage.json").is_file():
        raise DataError(
            [Problem(shown(data_dir / "datapackage.json"), None, None, "file is missing")]
        )
    try:
        schemas = table_schemas(data_dir)
    except (ValueError, KeyError, TypeError) as e:
        raise DataError(
            [
                Problem(
                    shown(data_dir / "datapackage.json"),
                    None,
                    None,
                    f"is not a readable data package ({e})",
                )
            ]
        ) from None
    year_dir = data_dir / str(year)
    if not isinstance(year, int) or not year_dir.is_dir():
        raise DataError(
            [Problem(shown(year_dir), None, None, f"no data folder for year {year!r}")]
        )

    tables: dict[str, pd.DataFrame] = {}
    paths: dict[str, Path] = {n: data_dir / "reference" / f"{n}.csv" for n in REFERENCE_FILES}
    for path in sorted(year_dir.glob("*.csv")):
        if path.stem not in schemas or path.stem in REFERENCE_FILES:
            problems.append(
                Problem(
                    shown(path), None, None, "no schema for this file in data/datapackage.json"
                )
            )
            continue
        paths[path.stem] = path
    for name in REQUIRED_YEAR_FILES:
        paths.setdefault(name, year_dir / f"{name}.csv")
    if lazy and not problems:
        reference = load_reference(data_dir)
        return YearData(
            year, data_dir, reference, {}, {n: p for n, p in paths.items() if n not in reference}
        )

    for name, path in paths.items():
        df, found = read_table(path, schemas[name])
        problems += found
        if df is not None:
            tables[name] = df
    for name, df in tables.items():
        problems += _check_foreign_keys(name, df, schemas[name], tables, shown(paths[name]))
        problems += _file_rules(name, df, shown(paths[name]), year)
    if not problems:
        problems += _check_across_files(tables, paths, year)
    if problems:
        raise DataError(problems)
    reference = {n: tables.pop(n) for n in REFERENCE_FILES}
    return YearData(year, data_dir, reference, tables)


CHECKLIST = "CHECKLIST.md"  # written by `new-year` into a new year folder


def years_with_data(data_dir: Path = DATA) -> list[int]:
    """The editions: every year folder data/<yyyy>/, except one that `new-year` scaffolded and that
    holds no data yet (its checklist is there and its city_share.csv has no rows)."""

    def scaffold_only(folder: Path) -> bool:
        path = folder / "city_share.csv"
        if not (folder / CHECKLIST).is_file() or not path.is_file():
            return (folder / CHECKLIST).is_file()
        shares, _ = read_text_file(path)
        if shares is None:  # empty, or unreadable: then it holds something, for validate to report
            return not path.read_bytes().strip()
        return sum(1 for row in shares.rows if any(cell.strip() for cell in row)) < 2

    return sorted(
        int(p.name)
        for p in data_dir.iterdir()
        if p.is_dir() and p.name.isdigit() and len(p.name) == 4 and not scaffold_only(p)
    )


def ledger_dir(year: int, data_dir: Path = DATA) -> Path:
    """Where the ledger of a year's printed figures lives (the audit's; never a source of a table):
    the printed tables, English at the top and each other edition of the supplement in a folder of
    its language, text-figures.csv and errata.csv."""
    return Path(data_dir) / "published" / str(year)


def read_text_figures(year: int, data_dir: Path = DATA) -> list[dict[str, str]]:
    """The rows of the year's text-figures.csv (every figure and claim of the running text, see
    data/published/README.md); none for a year without a ledger."""
    path = ledger_dir(year, data_dir) / "text-figures.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
