"""Level-1 metrics (Count, Share, adjusted Share, collaboration scores) from article records, in DuckDB.

Inputs (CSV or Parquet; schemas in data/datapackage.json under "article records"):
  articles(article_id, year, journal, subjects)        subjects: ";"-separated subject ids
  authorships(article_id, author_position, affiliation_id)  one row per author and affiliation
  affiliations(affiliation_id, institution_id, city_id, country)

Definitions (the supplement's note on the analysis):
  each article carries 1; each of its N authors 1/N; an author with k affiliations splits that 1/N
  equally over them; an entity's Share is the sum over its affiliations' parts; its Count is the number
  of articles with at least one of its affiliations. Cities and countries come from the affiliation's
  location. The collaboration score of A with B is A's Share summed over the articles both contributed
  to; the bilateral score is CS(A with B) + CS(B with A). Adjusted Share scales an earlier year by
  (articles in the latest year / articles in that year), per subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

LEVELS = {"city": "city_id", "institution": "institution_id", "country": "country"}
OVERALL = "overall"


class RecordError(Exception):
    """Article records break a rule: the message lists the offending ids (first few and how many)."""


@dataclass
class Records:
    articles: pd.DataFrame
    authorships: pd.DataFrame
    affiliations: pd.DataFrame


def read_records(folder: Path) -> Records:
    """Read articles/authorships/affiliations from folder, as .parquet or .csv."""
    frames = {}
    for name in ("articles", "authorships", "affiliations"):
        for suffix in (".parquet", ".csv"):
            path = Path(folder) / f"{name}{suffix}"
            if path.exists():
                # DuckDB reads Parquet natively (no pyarrow needed).
                frames[name] = duckdb.read_parquet(str(path)).df() if suffix == ".parquet" else \
                    pd.read_csv(path, dtype={"subjects": str, "article_id": str, "affiliation_id": str})
                break
        else:
            raise RecordError(f"{Path(folder) / name}.parquet or .csv: file is missing")
    return Records(**frames)


def _connect(records: Records, known_subjects: set[str] | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    try:  # a terminal progress bar would garble the CLI's output; in Jupyter DuckDB shows none anyway
        con.execute("SET enable_progress_bar = false")
    except duckdb.InvalidInputException:
        pass
    con.register("articles_in", records.articles)
    con.register("authorships_in", records.authorships)
    con.register("affiliations_in", records.affiliations)
    _check(con, known_subjects)
    # Integer codes for every id: hashing and grouping integers is several times faster than strings.
    con.execute("""
        CREATE TEMP TABLE article AS
        SELECT row_number() OVER (ORDER BY article_id) AS a, article_id, year, coalesce(subjects, '') AS subjects
        FROM articles_in
    """)
    # One integer per (year, subject combination): what every metric is first aggregated by.
    con.execute("""
        CREATE TEMP TABLE year_subjects AS
        SELECT row_number() OVER (ORDER BY year, subjects) AS ys, year, subjects
        FROM (SELECT DISTINCT year, subjects FROM article)
    """)
    for level, column in LEVELS.items():
        con.execute(f"""
            CREATE TEMP TABLE code_{level} AS
            SELECT row_number() OVER (ORDER BY {column}) AS code, {column} AS entity
            FROM (SELECT DISTINCT {column} FROM affiliations_in)
        """)
    con.execute("""
        CREATE TEMP TABLE affiliation AS
        SELECT f.affiliation_id, i.code AS institution, c.code AS city, n.code AS country
        FROM affiliations_in f
        JOIN code_institution i ON i.entity = f.institution_id
        JOIN code_city c ON c.entity = f.city_id
        JOIN code_country n ON n.entity = f.country
    """)
    # Each authorship row's part of its article: 1 / (authors on the article * affiliations of the author).
    con.execute("""
        CREATE TEMP TABLE part AS
        WITH x AS (  -- no DISTINCT needed: _check refuses duplicated authorship rows
            SELECT ar.a, w.author_position, w.affiliation_id
            FROM authorships_in w JOIN article ar USING (article_id)
        ), sizes AS (
            SELECT a, count(DISTINCT author_position) AS n_authors FROM x GROUP BY a
        ), multi AS (
            SELECT a, author_position, count(*) AS n_affiliations FROM x GROUP BY a, author_position
        )
        SELECT x.a, f.institution, f.city, f.country, 1.0 / (s.n_authors * m.n_affiliations) AS weight
        FROM x JOIN sizes s USING (a) JOIN multi m USING (a, author_position) JOIN affiliation f USING (affiliation_id)
    """)
    # The subjects of each distinct subject combination, plus 'overall' for every combination: an article
    # counts once overall even when it belongs to several subjects.
    con.execute("""
        CREATE TEMP TABLE subject_of AS
        SELECT DISTINCT subjects, trim(s) AS subject
        FROM (SELECT subjects, unnest(string_split(subjects, ';')) AS s FROM (SELECT DISTINCT subjects FROM article))
        WHERE trim(s) <> ''
        UNION ALL SELECT DISTINCT subjects, 'overall' FROM article
    """)
    return con


def _ids(rows: list[tuple], limit: int = 5) -> str:
    shown = ", ".join(str(r[0]) for r in rows[:limit])
    return f"{shown}{' …' if len(rows) > limit else ''} ({len(rows)} in all)"


def _check(con: duckdb.DuckDBPyConnection, known_subjects: set[str] | None) -> None:
    problems = []
    checks = {
        "articles without authors": "SELECT article_id FROM articles_in EXCEPT SELECT article_id FROM authorships_in ORDER BY 1",
        "authorships of unknown articles": "SELECT DISTINCT article_id FROM authorships_in EXCEPT SELECT article_id FROM articles_in ORDER BY 1",
        "authorships pointing to an unknown affiliation": "SELECT DISTINCT affiliation_id FROM authorships_in EXCEPT SELECT affiliation_id FROM affiliations_in ORDER BY 1",
        "duplicated authorship rows (article_id, author_position, affiliation_id)": """
            SELECT article_id || '/' || author_position || '/' || affiliation_id FROM (
                SELECT article_id, author_position, affiliation_id FROM authorships_in
                GROUP BY ALL HAVING count(*) > 1) ORDER BY 1""",
        "affiliations without a city or country": """
            SELECT affiliation_id FROM affiliations_in
            WHERE city_id IS NULL OR country IS NULL OR trim(city_id) = '' OR trim(country) = '' ORDER BY 1""",
        "duplicated article ids": "SELECT article_id FROM articles_in GROUP BY 1 HAVING count(*) > 1 ORDER BY 1",
    }
    for label, sql in checks.items():
        rows = con.execute(sql).fetchall()
        if rows:
            problems.append(f"{label}: {_ids(rows)}")
    if known_subjects is not None:
        rows = con.execute("""SELECT DISTINCT trim(s) FROM (SELECT unnest(string_split(subjects, ';')) AS s FROM articles_in)
                              WHERE trim(s) <> '' ORDER BY 1""").fetchall()
        unknown = [r for r in rows if r[0] not in known_subjects]
        if unknown:
            problems.append(f"unknown subjects: {_ids(unknown)}")
    if problems:
        raise RecordError("the article records are invalid:\n  " + "\n  ".join(problems))


def compute(records: Records, known_subjects: set[str] | None = None, pairs: bool = True) -> dict[str, pd.DataFrame]:
    """Every level-1 metric, for every year, subject (and overall) and level.

    Returns DataFrames:
      share:     level, year, subject, entity, share, count
      adjusted:  level, year, subject, entity, adjusted_share   (scaled to the latest year)
      totals:    year, subject, articles
      cs:        level, year, subject, entity_a, entity_b, cs, count   (A's Share on articles shared with B)
    Rows are sorted, so the output does not depend on the order of the input rows.

    Everything is first aggregated per (year, subject combination), which is small, and only then
    spread over the subjects of each combination.
    """
    con = _connect(records, known_subjects)
    for level in LEVELS:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE per_article AS
            SELECT p.a, y.ys, p.{level} AS e, sum(p.weight) AS s
            FROM part p JOIN article ar USING (a) JOIN year_subjects y USING (year, subjects)
            GROUP BY p.a, y.ys, p.{level}
        """)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE share_{level} AS
            SELECT '{level}' AS level, y.year, so.subject, c.code, c.entity, sum(g.s) AS share, sum(g.n)::BIGINT AS count
            FROM (SELECT ys, e, sum(s) AS s, count(*) AS n FROM per_article GROUP BY ys, e) g
            JOIN year_subjects y USING (ys) JOIN subject_of so USING (subjects) JOIN code_{level} c ON c.code = g.e
            GROUP BY ALL""")
        if pairs:
            # Each unordered pair once (ea < eb), with both directions' scores; unfolded afterwards.
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE pair_{level} AS
                SELECT '{level}' AS level, y.year, so.subject, g.ea, g.eb, sum(g.cs_ab) AS cs_ab, sum(g.cs_ba) AS cs_ba,
                       sum(g.n)::BIGINT AS count
                FROM (SELECT x.ys, x.e AS ea, y.e AS eb, sum(x.s) AS cs_ab, sum(y.s) AS cs_ba, count(*) AS n
                      FROM per_article x JOIN per_article y ON x.a = y.a AND x.e < y.e
                      GROUP BY x.ys, x.e, y.e) g
                JOIN year_subjects y USING (ys) JOIN subject_of so USING (subjects)
                GROUP BY ALL
            """)
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE cs_{level} AS
                SELECT level, year, subject, ea, eb, cs_ab AS cs, count FROM pair_{level}
                UNION ALL SELECT level, year, subject, eb, ea, cs_ba, count FROM pair_{level}
            """)
    # Names leave as categoricals (DuckDB ENUM -> pandas Categorical): far cheaper than millions of strings.
    con.execute("CREATE TYPE entity_name AS ENUM (SELECT DISTINCT entity FROM (" +
                " UNION ALL ".join(f"SELECT entity FROM code_{level}" for level in LEVELS) + ") ORDER BY 1)")
    con.execute("CREATE TYPE level_name AS ENUM ('city', 'country', 'institution')")
    con.execute("CREATE TYPE subject_name AS ENUM (SELECT DISTINCT subject FROM subject_of ORDER BY 1)")
    # Codes follow the sort order of the ids, so ordering by code orders by id, cheaply.
    share = con.execute(" UNION ALL ".join(f"SELECT level, year, subject, entity, share, count FROM share_{level}" for level in LEVELS)
                        + " ORDER BY level, year, subject, entity").df()
    totals = con.execute("""SELECT ar.year, so.subject, count(*) AS articles FROM article ar JOIN subject_of so USING (subjects)
                            GROUP BY ALL ORDER BY year, subject""").df()
    con.register("share_df", share)
    con.register("totals_df", totals)
    adjusted = con.execute("""
        WITH latest AS (SELECT subject, arg_max(articles, year) AS latest_articles FROM totals_df GROUP BY subject)
        SELECT s.level, s.year, s.subject, s.entity,
               s.share * l.latest_articles / t.articles AS adjusted_share
        FROM share_df s JOIN totals_df t USING (year, subject) JOIN latest l USING (subject)
        ORDER BY level, year, subject, entity
    """).df()
    out = {"share": share, "adjusted": adjusted, "totals": totals}
    if pairs:
        out["cs"] = con.execute(" UNION ALL ".join(
            f"""SELECT * FROM (SELECT g.level::level_name AS level, g.year, g.subject::subject_name AS subject, a.entity::entity_name AS entity_a,
                       b.entity::entity_name AS entity_b, g.cs, g.count
                FROM cs_{level} g JOIN code_{level} a ON a.code = g.ea JOIN code_{level} b ON b.code = g.eb
                ORDER BY g.year, g.subject, g.ea, g.eb)""" for level in LEVELS)).df()
    con.close()
    return out


def bilateral(cs: pd.DataFrame) -> pd.DataFrame:
    """One row per unordered pair: cs1 (of the first entity), cs2, bilateral CS and joint-article count."""
    a = cs[cs["entity_a"] < cs["entity_b"]]
    b = cs[cs["entity_a"] > cs["entity_b"]].rename(columns={"entity_a": "entity_b", "entity_b": "entity_a", "cs": "cs2"})
    merged = a.rename(columns={"cs": "cs1"}).merge(b.drop(columns="count"), on=["level", "year", "subject", "entity_a", "entity_b"])
    merged["bcs"] = merged["cs1"] + merged["cs2"]
    return merged


def example_supplement() -> Records:
    """The supplement's own example: one article, 10 authors, 2 of them at an institution in Beijing."""
    return Records(
        pd.DataFrame({"article_id": ["A1"], "year": [2022], "journal": ["Journal X"], "subjects": ["chemistry"]}),
        pd.DataFrame({"article_id": ["A1"] * 10, "author_position": list(range(1, 11)),
                      "affiliation_id": ["pku"] * 2 + ["mit"] * 8}),
        pd.DataFrame({"affiliation_id": ["pku", "mit"], "institution_id": ["pku", "mit"],
                      "city_id": ["beijing", "boston-ma"], "country": ["CN", "US"]}),
    )


def example_multi_affiliation() -> Records:
    """One article, 5 authors: two in Beijing, one with two affiliations (Beijing and Hong Kong), two in
    Shanghai. Each author carries 1/5; the third author's 1/5 is split 1/10 + 1/10."""
    return Records(
        pd.DataFrame({"article_id": ["B1"], "year": [2022], "journal": ["Journal Y"], "subjects": ["physical-sciences"]}),
        pd.DataFrame({"article_id": ["B1"] * 6, "author_position": [1, 2, 3, 3, 4, 5],
                      "affiliation_id": ["pku", "tsinghua", "pku", "hku", "fudan", "fudan"]}),
        pd.DataFrame({"affiliation_id": ["pku", "tsinghua", "hku", "fudan"], "institution_id": ["pku", "tsinghua", "hku", "fudan"],
                      "city_id": ["beijing", "beijing", "hong-kong", "shanghai"], "country": ["CN", "CN", "CN", "CN"]}),
    )


def example_two_years() -> Records:
    """Adjusted Share: 4 articles in 2021, 5 in 2022; one city's 2021 Share scaled by 5/4."""
    articles = pd.DataFrame({"article_id": [f"C{i}" for i in range(1, 10)], "year": [2021] * 4 + [2022] * 5,
                             "journal": ["Journal Z"] * 9, "subjects": ["biological-sciences"] * 9})
    authorships = pd.DataFrame({"article_id": [f"C{i}" for i in range(1, 10)], "author_position": [1] * 9,
                                "affiliation_id": ["pku", "pku", "fudan", "fudan", "pku", "fudan", "fudan", "fudan", "fudan"]})
    affiliations = pd.DataFrame({"affiliation_id": ["pku", "fudan"], "institution_id": ["pku", "fudan"],
                                 "city_id": ["beijing", "shanghai"], "country": ["CN", "CN"]})
    return Records(articles, authorships, affiliations)


def city_view(result: dict[str, pd.DataFrame], subject: str = OVERALL) -> pd.DataFrame:
    """Share and Count per city and year, for one subject (for the worked examples)."""
    s = result["share"]
    return s[(s["level"] == "city") & (s["subject"] == subject)].drop(columns=["level", "subject"]).reset_index(drop=True)


def pair_view(result: dict[str, pd.DataFrame], level: str = "city", subject: str = OVERALL) -> pd.DataFrame:
    b = bilateral(result["cs"])
    b = b[(b["level"] == level) & (b["subject"] == subject)]
    return b[["year", "entity_a", "entity_b", "cs1", "cs2", "bcs", "count"]].reset_index(drop=True)
