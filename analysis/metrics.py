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
                frames[name] = pd.read_parquet(path) if suffix == ".parquet" else pd.read_csv(path, dtype={"subjects": str})
                break
        else:
            raise RecordError(f"{Path(folder) / name}.parquet or .csv: file is missing")
    return Records(**frames)


def _connect(records: Records, known_subjects: set[str] | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("articles_in", records.articles)
    con.register("authorships_in", records.authorships)
    con.register("affiliations_in", records.affiliations)
    _check(con, known_subjects)
    # One row per (article, subject) plus the overall row: an article counts once overall even when it
    # belongs to several subjects.
    con.execute("""
        CREATE TEMP TABLE article_subject AS
        SELECT article_id, year, trim(s) AS subject
        FROM (SELECT article_id, year, unnest(string_split(subjects, ';')) AS s FROM articles_in)
        WHERE trim(s) <> ''
        UNION ALL SELECT article_id, year, 'overall' FROM articles_in
    """)
    con.execute("""
        CREATE TEMP TABLE part AS
        WITH a AS (
            SELECT DISTINCT article_id, author_position, affiliation_id FROM authorships_in
        ), sizes AS (
            SELECT article_id, count(DISTINCT author_position) AS n_authors FROM a GROUP BY article_id
        ), multi AS (
            SELECT article_id, author_position, count(*) AS n_affiliations FROM a GROUP BY article_id, author_position
        )
        SELECT a.article_id, f.institution_id, f.city_id, f.country,
               1.0 / (s.n_authors * m.n_affiliations) AS weight
        FROM a
        JOIN sizes s USING (article_id)
        JOIN multi m USING (article_id, author_position)
        JOIN affiliations_in f USING (affiliation_id)
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
            SELECT article_id || '/' || author_position || '/' || affiliation_id FROM authorships_in
            GROUP BY ALL HAVING count(*) > 1 ORDER BY 1""",
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
      cs:        level, year, subject, entity_a, entity_b, cs   (A's Share on articles shared with B)
    Rows are sorted, so the output does not depend on the order of the input rows.
    """
    con = _connect(records, known_subjects)
    share_sql = " UNION ALL ".join(f"""
        SELECT '{level}' AS level, s.year, s.subject, p.{column} AS entity,
               sum(p.weight) AS share, count(DISTINCT p.article_id) AS count
        FROM part p JOIN article_subject s USING (article_id)
        GROUP BY ALL""" for level, column in LEVELS.items())
    share = con.execute(f"SELECT * FROM ({share_sql}) ORDER BY level, year, subject, entity").df()
    totals = con.execute("SELECT year, subject, count(*) AS articles FROM article_subject GROUP BY ALL ORDER BY year, subject").df()
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
        cs_sql = " UNION ALL ".join(f"""
            SELECT '{level}' AS level, article_id, {column} AS entity, sum(weight) AS share
            FROM part GROUP BY article_id, {column}""" for level, column in LEVELS.items())
        out["cs"] = con.execute(f"""
            WITH per_article AS ({cs_sql})
            SELECT a.level, s.year, s.subject, a.entity AS entity_a, b.entity AS entity_b, sum(a.share) AS cs,
                   count(*) AS count
            FROM per_article a
            JOIN per_article b ON a.article_id = b.article_id AND a.level = b.level AND a.entity <> b.entity
            JOIN article_subject s ON s.article_id = a.article_id
            GROUP BY ALL
            ORDER BY level, year, subject, entity_a, entity_b
        """).df()
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
