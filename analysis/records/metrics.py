"""Level-1 metrics (Count, Share, adjusted Share, collaboration scores) from article records, in
DuckDB.

Inputs (CSV or Parquet; schemas in data/datapackage.json under "article records"):
  articles(article_id, year, journal, subjects)        subjects: ";"-separated subject ids
  authorships(article_id, author_position, affiliation_id)  one row per author and affiliation
  affiliations(affiliation_id, institution_id, city_id, country)

Definitions (the supplement's note on the analysis): each article carries 1; each of its N authors
1/N; an author with k affiliations splits that 1/N equally over them; an entity's Share is the sum
over its affiliations' parts; its Count is the number of articles with at least one of its
affiliations. Cities and countries come from the affiliation's location. The collaboration score of
A with B is A's Share summed over the articles both contributed to; the bilateral score is CS(A
with B) + CS(B with A). Adjusted Share scales an earlier year by (articles in the latest year /
articles in that year), per subject.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from analysis.errors import RecordError
from analysis.words import first_few

# Parts are summed as whole numbers of 1e-13 (BIGINT): integer sums come out the same whatever
# order DuckDB's threads add them in, so the same records give the same bytes (double sums differed
# in the 11th decimal from run to run, enough to flip a rounded digit in the files `build` writes).
# Rounding a part moves it by at most 5e-14, so a Share made of a million parts moves by at most
# 5e-8. A part fits a BIGINT; every sum over articles is kept as DuckDB's 128-bit HUGEINT (what
# sum() of BIGINT returns), so no number of articles can overflow it.
UNIT = 10**13

LEVELS = {
    "city": "city_id",
    "country": "country",
    "institution": "institution_id",
}  # alphabetical: output order
OVERALL = "overall"


@dataclass
class Records:
    """The three record tables. Articles and authorships are DataFrames or Parquet files (a path,
    or a glob such as `authorships-*.parquet`), which DuckDB reads as it goes; affiliations are a
    DataFrame."""

    articles: pd.DataFrame | Path
    authorships: pd.DataFrame | Path
    affiliations: pd.DataFrame

    def rows(self, name: str) -> int:
        source = getattr(self, name)
        if isinstance(source, pd.DataFrame):
            return len(source)
        return duckdb.sql(
            f"SELECT count(*) FROM read_parquet({_sql_text(str(source))})"
        ).fetchall()[0][0]


@dataclass(frozen=True)
class MemoryBudget:
    """A cap on DuckDB's memory (MB) and the folder it spills to beyond it."""

    limit_mb: int
    spill_dir: Path


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def read_records(folder: Path) -> Records:
    """Read articles/authorships/affiliations from folder, as .parquet or .csv. Parquet articles
    and authorships stay on disk (DuckDB reads them natively, no pyarrow needed)."""
    frames = {}
    for name in ("articles", "authorships", "affiliations"):
        for suffix in (".parquet", ".csv"):
            path = Path(folder) / f"{name}{suffix}"
            if path.exists():
                if suffix == ".csv":
                    frames[name] = pd.read_csv(
                        path, dtype={"subjects": str, "article_id": str, "affiliation_id": str}
                    )
                else:
                    frames[name] = (
                        duckdb.read_parquet(str(path)).df() if name == "affiliations" else path
                    )
                break
        else:
            raise RecordError(f"{Path(folder) / name}.parquet or .csv: file is missing")
    return Records(**frames)


def _connect(
    records: Records, known_subjects: set[str] | None, memory: MemoryBudget | None = None
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    # A terminal progress bar would garble the CLI's output (in Jupyter DuckDB shows none anyway).
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    # Output rows are sorted explicitly; intermediate tables need not keep their input order.
    con.execute("SET preserve_insertion_order = false")
    if memory is not None:
        # DuckDB keeps its working set (temp tables, hash tables of joins and aggregates) within
        # the limit and writes the rest to the spill folder.
        con.execute(f"SET memory_limit = '{int(memory.limit_mb)}MB'")
        con.execute(f"SET temp_directory = {_sql_text(str(memory.spill_dir))}")
    for name in ("articles", "authorships", "affiliations"):
        source = getattr(records, name)
        if isinstance(source, pd.DataFrame):
            con.register(f"{name}_in", source)
        else:  # Parquet, read as the queries go: the records never need to fit in memory
            con.execute(
                f"CREATE VIEW {name}_in AS SELECT * FROM read_parquet({_sql_text(str(source))})"
            )
    # Integer codes for every id: hashing and grouping integers is several times faster than
    # strings. ys numbers each (year, subject combination): what every metric is first aggregated
    # by.
    con.execute("""
        CREATE TEMP TABLE article AS
        SELECT row_number() OVER (ORDER BY article_id) AS a, dense_rank() OVER (ORDER BY year,
        subjects) AS ys,
               article_id, year, subjects
        FROM (SELECT article_id, year, coalesce(subjects, '') AS subjects FROM articles_in)
    """)
    con.execute(
        "CREATE TEMP TABLE year_subjects AS SELECT DISTINCT ys, year, subjects FROM article"
    )
    for level, column in LEVELS.items():
        con.execute(f"""
            CREATE TEMP TABLE code_{level} AS
            SELECT row_number() OVER (ORDER BY {column}) AS code, {column} AS entity
            FROM (SELECT DISTINCT {column} FROM affiliations_in)
        """)
    con.execute("""
        CREATE TEMP TABLE affiliation AS
        SELECT row_number() OVER () AS f, f.affiliation_id, i.code AS institution, c.code AS city,
        n.code AS country
        FROM affiliations_in f
        JOIN code_institution i ON i.entity = f.institution_id
        JOIN code_city c ON c.entity = f.city_id
        JOIN code_country n ON n.entity = f.country
    """)
    # The one pass over the authorship strings; the checks below run on its integer codes (a or f
    # is NULL where the id is unknown) and fall back to the strings only to name the offending ids.
    con.execute("""
        CREATE TEMP TABLE authorship AS
        SELECT ar.a, ar.ys, w.author_position, f.f
        FROM authorships_in w LEFT JOIN article ar USING (article_id) LEFT JOIN affiliation f
        USING (affiliation_id)
    """)
    # Each authorship row's part of its article, in UNITs: 1 / (authors on the article *
    # affiliations of the author).
    con.execute(f"""
        CREATE TEMP TABLE part AS
        WITH multi AS (
            SELECT a, author_position, count(*) AS n_affiliations FROM authorship GROUP BY a,
            author_position
        ), sizes AS (
            SELECT a, count(*) AS n_authors FROM multi GROUP BY a
        )
        SELECT w.a, w.ys, w.author_position, w.f, m.n_affiliations, f.institution, f.city,
        f.country,
               round({UNIT} / (s.n_authors * m.n_affiliations))::BIGINT AS weight
        FROM authorship w JOIN sizes s USING (a) JOIN multi m USING (a, author_position) JOIN
        affiliation f USING (f)
    """)
    # The subjects of each distinct subject combination, plus 'overall' for every combination: an
    # article counts once overall even when it belongs to several subjects.
    con.execute("""
        CREATE TEMP TABLE subject_of AS
        SELECT DISTINCT subjects, trim(s) AS subject
        FROM (SELECT subjects, unnest(string_split(subjects, ';')) AS s FROM (SELECT DISTINCT
        subjects FROM article))
        WHERE trim(s) <> ''
        UNION ALL SELECT DISTINCT subjects, 'overall' FROM article
    """)
    _check(con, known_subjects)  # before anything leaves the engine
    return con


def _ids(rows: list[tuple]) -> str:
    return first_few(r[0] for r in rows)


def _check(con: duckdb.DuckDBPyConnection, known_subjects: set[str] | None) -> None:
    # label: (a cheap test on the coded tables that finds whether there is a problem, the query
    # naming the ids)
    checks = {
        "duplicated article ids": (
            None,
            "SELECT article_id FROM articles_in GROUP BY 1 HAVING count(*) > 1 ORDER BY 1",
        ),
        "duplicated affiliation ids": (
            None,
            "SELECT affiliation_id FROM affiliations_in GROUP BY 1 HAVING count(*) > 1 ORDER BY 1",
        ),
        "affiliations without a city or country": (
            None,
            """
            SELECT affiliation_id FROM affiliations_in
            WHERE city_id IS NULL OR country IS NULL OR trim(city_id) = '' OR trim(country) = ''
            ORDER BY 1""",
        ),
        "articles without authors": (
            "SELECT a FROM article ANTI JOIN authorship USING (a) LIMIT 1",
            "SELECT article_id FROM articles_in EXCEPT SELECT article_id FROM authorships_in "
            "ORDER BY 1",
        ),
        "authorships of unknown articles": (
            "SELECT 1 FROM authorship WHERE a IS NULL LIMIT 1",
            "SELECT DISTINCT article_id FROM authorships_in EXCEPT SELECT article_id FROM "
            "articles_in ORDER BY 1",
        ),
        "authorships pointing to an unknown affiliation": (
            "SELECT 1 FROM authorship WHERE f IS NULL LIMIT 1",
            "SELECT DISTINCT affiliation_id FROM authorships_in EXCEPT SELECT affiliation_id "
            "FROM affiliations_in ORDER BY 1",
        ),
        "duplicated authorship rows (article_id, author_position, affiliation_id)": (
            # a duplicated row gives its author two or more rows, so only those need looking at
            "SELECT 1 FROM part WHERE n_affiliations > 1 GROUP BY a, author_position, f HAVING "
            "count(*) > 1 LIMIT 1",
            """
            SELECT article_id || '/' || author_position || '/' || affiliation_id FROM (
                SELECT article_id, author_position, affiliation_id FROM authorships_in
                GROUP BY ALL HAVING count(*) > 1) ORDER BY 1""",
        ),
    }
    problems = []
    for label, (probe, naming) in checks.items():
        if probe is None or con.execute(probe).fetchall():
            rows = con.execute(naming).fetchall()
            if rows:
                problems.append(f"{label}: {_ids(rows)}")
    if known_subjects is not None:
        rows = con.execute("""SELECT DISTINCT trim(s) FROM (SELECT unnest(string_split(subjects,
        ';')) AS s FROM year_subjects)
                              WHERE trim(s) <> '' ORDER BY 1""").fetchall()
        unknown = [r for r in rows if r[0] not in known_subjects]
        if unknown:
            problems.append(f"unknown subjects: {_ids(unknown)}")
    if problems:
        raise RecordError("the article records are invalid:\n  " + "\n  ".join(problems))


def _covariance_query(leading: int) -> str:
    """Sum over the joint articles of the product of the two cities' parts, for each pair of the
    `leading` cities by Share of each year and subject (ties in Share broken by id): the covariance
    of their Shares when the year's articles are drawn again (see analysis.uncertainty). Summed in
    UNITs² as HUGEINT, like every sum here."""
    return f"""
        WITH lead AS (
            SELECT year, subject, code FROM share_city
            QUALIFY row_number() OVER (PARTITION BY year, subject ORDER BY share DESC, code)
                    <= {int(leading)}
        ), part_of AS (
            SELECT p.a, t.t, p.e, p.s FROM per_article_city p
            JOIN target t USING (ys)
            JOIN lead l ON l.year = t.year AND l.subject = t.subject AND l.code = p.e
        )
        SELECT 'city'::level_name AS level, t.year, t.subject, na.name AS entity_a,
               nb.name AS entity_b, g.s2::DOUBLE / {UNIT} / {UNIT} AS sum_fafb
        FROM (SELECT x.t, x.e AS ea, y.e AS eb, sum(x.s::HUGEINT * y.s) AS s2
              FROM part_of x JOIN part_of y ON x.a = y.a AND x.t = y.t AND x.e < y.e
              GROUP BY x.t, x.e, y.e) g
        JOIN (SELECT DISTINCT t, year, subject FROM target) t USING (t)
        JOIN name_city na ON na.code = g.ea
        JOIN name_city nb ON nb.code = g.eb
        ORDER BY g.t, g.ea, g.eb"""


LEADING_PAIRS = 20  # the covariances computed: among this many leading cities (analysis.pages)


def compute(
    records: Records,
    known_subjects: set[str] | None = None,
    pairs: bool = True,
    memory: MemoryBudget | None = None,
    leading: int = LEADING_PAIRS,
) -> dict[str, pd.DataFrame]:
    """Every level-1 metric, for every year, subject (and overall) and level.

    Returns DataFrames:
      share:     level, year, subject, entity, share, count, sum_f2 (the sum of the entity's
                 squared parts of each article: the variance of its Share, analysis.uncertainty)
      covariance: level (city), year, subject, entity_a, entity_b, sum_fafb: for each pair of the
                 `leading` cities by Share with a joint article (entity_a < entity_b), the sum
                 over their joint articles of the product of their parts
      adjusted:  level, year, subject, entity, adjusted_share   (scaled to the latest year)
      totals:    year, subject, articles
      pairs:     level, year, subject, entity_a, entity_b, cs1, cs2, bcs, count
                 one row per unordered pair (entity_a < entity_b) with a joint article: cs1 is
                 A's Share
                 summed over the joint articles (CS of A with B), cs2 the same for B, bcs = cs1 +
                 cs2
    Rows are sorted, so the output does not depend on the order of the input rows.

    Everything is first aggregated per (year, subject combination), which is small, and only then
    spread over the subjects of each combination.
    """
    con = _connect(records, known_subjects, memory)
    # Names leave as categoricals (DuckDB ENUM -> pandas Categorical): far cheaper than millions of
    # strings.
    con.execute(
        "CREATE TYPE entity_name AS ENUM (SELECT DISTINCT entity FROM ("
        + " UNION ALL ".join(f"SELECT entity FROM code_{level}" for level in LEVELS)
        + ") ORDER BY 1)"
    )
    con.execute("CREATE TYPE level_name AS ENUM ('city', 'country', 'institution')")
    con.execute(
        "CREATE TYPE subject_name AS ENUM (SELECT DISTINCT subject FROM subject_of ORDER BY 1)"
    )
    # Names and subjects are attached once per code, and only after the last aggregation (grouping
    # by strings is what made this slow).
    for level in LEVELS:
        con.execute(
            f"CREATE TEMP TABLE name_{level} AS SELECT code, entity::entity_name AS name FROM "
            f"code_{level}"
        )
    # t numbers the (year, subject) targets in output order; each subject combination feeds 2-3 of
    # them.
    con.execute("""CREATE TEMP TABLE target AS
                   SELECT y.ys, dense_rank() OVER (ORDER BY y.year, so.subject) AS t, y.year,
                   so.subject::subject_name AS subject
                   FROM year_subjects y JOIN subject_of so USING (subjects)""")
    t_bits = (con.execute("SELECT max(t) FROM target").fetchone()[0] or 1).bit_length()
    pair_queries = []
    for level in LEVELS:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE per_article_{level} AS
            SELECT a, ys, {level} AS e, sum(weight)::BIGINT AS s FROM part GROUP BY a, ys, {level}
        """)
        # sum_f2, the sum of the squared parts (the variance of a Share when the year's articles
        # are drawn again, see analysis.uncertainty), is summed exactly as well: a part squared is
        # at most UNIT² = 1e26 and a HUGEINT holds 1.7e38.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE share_{level} AS
            SELECT '{level}' AS level, y.year, so.subject, c.code, c.entity, sum(g.s)::DOUBLE /
            {UNIT} AS share, sum(g.n)::BIGINT AS count,
            sum(g.s2)::DOUBLE / {UNIT} / {UNIT} AS sum_f2
            FROM (SELECT ys, e, sum(s) AS s, count(*) AS n, sum(s::HUGEINT * s) AS s2
                  FROM per_article_{level} GROUP BY ys, e) g
            JOIN year_subjects y USING (ys) JOIN subject_of so USING (subjects) JOIN code_{level}
            c ON c.code = g.e
            GROUP BY ALL""")
        # Each unordered pair once (codes follow the ids' order, so ea < eb is entity_a <
        # entity_b), summed per (year, subject combination), then spread over the targets of the
        # combination. The spread groups by one packed integer (t, ea, eb): three times faster than
        # by four columns, and ordering by it is ordering by year, subject, entity_a, entity_b.
        bits = (con.execute(f"SELECT max(code) FROM code_{level}").fetchone()[0] or 1).bit_length()
        if t_bits + 2 * bits > 63:
            raise RecordError(
                f"too many {level} ids to pack a pair of them into 63 bits ({bits} bits each)"
            )
        pair_queries.append(f"""
                SELECT '{level}'::level_name AS level, t.year, t.subject, na.name AS entity_a,
                nb.name AS entity_b,
                       h.cs1::DOUBLE / {UNIT} AS cs1, h.cs2::DOUBLE / {UNIT} AS cs2, (h.cs1 +
                       h.cs2)::DOUBLE / {UNIT} AS bcs,
                       h.n AS count
                FROM (SELECT (t.t::BIGINT << {2 * bits}) | (g.ea::BIGINT << {bits}) | g.eb AS k,
                             sum(g.cs1) AS cs1, sum(g.cs2) AS cs2, sum(g.n)::BIGINT AS n
                      FROM (SELECT x.ys, x.e AS ea, y.e AS eb, sum(x.s) AS cs1,
                      sum(y.s) AS cs2, count(*) AS n
                            FROM per_article_{level} x JOIN per_article_{level} y ON x.a = y.a AND
                            x.e < y.e
                            GROUP BY x.ys, x.e, y.e) g
                      JOIN target t USING (ys)
                      GROUP BY k) h
                JOIN (SELECT DISTINCT t, year, subject FROM target) t ON t.t = h.k >> {2 * bits}
                JOIN name_{level} na ON na.code = (h.k >> {bits}) & {(1 << bits) - 1}
                JOIN name_{level} nb ON nb.code = h.k & {(1 << bits) - 1}
                ORDER BY h.k""")
    # Codes follow the sort order of the ids, so ordering by code orders by id, cheaply.
    share = con.execute(
        " UNION ALL ".join(
            f"SELECT level, year, subject, entity, share, count, sum_f2 FROM share_{level}"
            for level in LEVELS
        )
        + " ORDER BY level, year, subject, entity"
    ).df()
    totals = con.execute("""SELECT ar.year, so.subject, count(*) AS articles FROM article ar JOIN
    subject_of so USING (subjects)
                            GROUP BY ALL ORDER BY year, subject""").df()
    con.register("share_df", share)
    con.register("totals_df", totals)
    adjusted = con.execute("""
        WITH latest AS (SELECT subject, arg_max(articles, year) AS latest_articles FROM totals_df
        GROUP BY subject)
        SELECT s.level, s.year, s.subject, s.entity,
               s.share * l.latest_articles / t.articles AS adjusted_share
        FROM share_df s JOIN totals_df t USING (year, subject) JOIN latest l USING (subject)
        ORDER BY level, year, subject, entity
    """).df()
    out = {"share": share, "adjusted": adjusted, "totals": totals}
    out["covariance"] = con.execute(_covariance_query(leading)).df()
    if pairs:
        # One query per level, each with its own ORDER BY (a UNION ALL of ordered subqueries need
        # not keep their order); LEVELS is in alphabetical order, so the concatenation is sorted by
        # level.
        out["pairs"] = pd.concat([con.execute(q).df() for q in pair_queries], ignore_index=True)
    con.close()
    return out


def example_supplement() -> Records:
    """The supplement's own example: one article, 10 authors, 2 of them at an institution in
    Beijing."""
    return Records(
        pd.DataFrame(
            {
                "article_id": ["A1"],
                "year": [2022],
                "journal": ["Journal X"],
                "subjects": ["chemistry"],
            }
        ),
        pd.DataFrame(
            {
                "article_id": ["A1"] * 10,
                "author_position": list(range(1, 11)),
                "affiliation_id": ["pku"] * 2 + ["mit"] * 8,
            }
        ),
        pd.DataFrame(
            {
                "affiliation_id": ["pku", "mit"],
                "institution_id": ["pku", "mit"],
                "city_id": ["beijing", "boston-ma"],
                "country": ["CN", "US"],
            }
        ),
    )


def example_multi_affiliation() -> Records:
    """One article, 5 authors: two in Beijing, one with two affiliations (Beijing and Hong Kong),
    two in Shanghai. Each author carries 1/5; the third author's 1/5 is split 1/10 + 1/10."""
    return Records(
        pd.DataFrame(
            {
                "article_id": ["B1"],
                "year": [2022],
                "journal": ["Journal Y"],
                "subjects": ["physical-sciences"],
            }
        ),
        pd.DataFrame(
            {
                "article_id": ["B1"] * 6,
                "author_position": [1, 2, 3, 3, 4, 5],
                "affiliation_id": ["pku", "tsinghua", "pku", "hku", "fudan", "fudan"],
            }
        ),
        pd.DataFrame(
            {
                "affiliation_id": ["pku", "tsinghua", "hku", "fudan"],
                "institution_id": ["pku", "tsinghua", "hku", "fudan"],
                "city_id": ["beijing", "beijing", "hong-kong", "shanghai"],
                "country": ["CN", "CN", "CN", "CN"],
            }
        ),
    )


def example_two_years() -> Records:
    """Adjusted Share: 4 articles in 2021, 5 in 2022; one city's 2021 Share scaled by 5/4."""
    articles = pd.DataFrame(
        {
            "article_id": [f"C{i}" for i in range(1, 10)],
            "year": [2021] * 4 + [2022] * 5,
            "journal": ["Journal Z"] * 9,
            "subjects": ["biological-sciences"] * 9,
        }
    )
    authorships = pd.DataFrame(
        {
            "article_id": [f"C{i}" for i in range(1, 10)],
            "author_position": [1] * 9,
            "affiliation_id": [
                "pku",
                "pku",
                "fudan",
                "fudan",
                "pku",
                "fudan",
                "fudan",
                "fudan",
                "fudan",
            ],
        }
    )
    affiliations = pd.DataFrame(
        {
            "affiliation_id": ["pku", "fudan"],
            "institution_id": ["pku", "fudan"],
            "city_id": ["beijing", "shanghai"],
            "country": ["CN", "CN"],
        }
    )
    return Records(articles, authorships, affiliations)


# Names of the examples' institutions that the supplement does not print (the reference has the
# others): the examples are made up to show the arithmetic, so are these two entries.
EXAMPLE_NAMES = {
    "fudan": {"en": "Fudan University", "zh": "复旦大学"},
    "hku": {"en": "The University of Hong Kong", "zh": "香港大学"},
}


def adjusted_view(result: dict[str, pd.DataFrame], subject: str = OVERALL) -> pd.DataFrame:
    """Adjusted Share per city and year, for one subject (for the worked examples)."""
    a = result["adjusted"]
    a = a[(a["level"] == "city") & (a["subject"] == subject)]
    return a[["year", "entity", "adjusted_share"]].reset_index(drop=True)


def totals_view(result: dict[str, pd.DataFrame], subject: str = OVERALL) -> pd.DataFrame:
    """Per year: the sum of the cities' Shares and the number of articles (the index is
    zero-sum: the two agree)."""
    s = result["share"]
    shares = s[(s["level"] == "city") & (s["subject"] == subject)].groupby("year")["share"].sum()
    totals = result["totals"]
    articles = totals[totals["subject"] == subject].set_index("year")["articles"]
    return (
        pd.DataFrame({"sum_of_shares": shares, "articles": articles})
        .rename_axis("year")
        .reset_index()
    )


def city_view(result: dict[str, pd.DataFrame], subject: str = OVERALL) -> pd.DataFrame:
    """Share and Count per city and year, for one subject (for the worked examples)."""
    s = result["share"]
    return (
        s[(s["level"] == "city") & (s["subject"] == subject)]
        .drop(columns=["level", "subject", "sum_f2"])
        .reset_index(drop=True)
    )


def pair_view(
    result: dict[str, pd.DataFrame], level: str = "city", subject: str = OVERALL
) -> pd.DataFrame:
    b = result["pairs"]
    b = b[(b["level"] == level) & (b["subject"] == subject)]
    return b[["year", "entity_a", "entity_b", "cs1", "cs2", "bcs", "count"]].reset_index(drop=True)
