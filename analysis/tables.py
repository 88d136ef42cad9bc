"""Every table of the supplement, recomputed from the primary inputs of one data year.

Each function is pure: it takes a validated YearData and returns a DataFrame with the columns it
computes, names in English or, with lang="zh", in Chinese (the reference's names), and, with `top`,
only the first rows. Which of those columns a page and its CSV show, in which order, and how many
rows, is declared in analysis/pages.py. Derived values (ranks, changes, percentages, sums) are
computed here and never read from data/published/.
"""

from __future__ import annotations

import pandas as pd

from analysis.data import YearData, load_reference, load_year

UNTRANSLATED = "†"  # marks an English name shown on a Chinese page for want of a translation


def localized_names(ref: pd.DataFrame, key: str, lang: str) -> pd.Series:
    """Names by id in `lang`; a name with no translation yet is its English name, marked."""
    names = ref.set_index(key)[f"name_{lang}"]
    if lang != "en":
        missing = names.isna() | (names.astype(str).str.strip() == "")
        names = names.astype(object).where(~missing, ref.set_index(key)["name_en"] + UNTRANSLATED)
    return names


def name_of(data: YearData, table: str, item: str, lang: str = "en") -> str:
    """The name of one subject, country, city or institution in `lang` (see localized_names)."""
    key = {
        "subjects": "subject_id",
        "countries": "country_id",
        "cities": "city_id",
        "institutions": "institution_id",
    }[table]
    return localized_names(data.reference[table], key, lang)[item]


def _names(data: YearData, table: str, key: str, lang: str) -> pd.Series:
    return localized_names(data.reference[table], key, lang)


def city_name(data: YearData, city_id: str, lang: str = "en") -> str:
    return _names(data, "cities", "city_id", lang)[city_id]


def short_country_names(data: YearData, lang: str = "en") -> pd.Series:
    """Countries' names for narrow screens, by id: the reference's short form where it has one
    ("USA"), else the name (Chinese names are short already)."""
    names = _names(data, "countries", "country_id", lang)
    if lang != "en" or "short_en" not in data.reference["countries"]:
        return names
    short = data.reference["countries"].set_index("country_id")["short_en"]
    return short.where(short.notna() & (short.astype(str).str.strip() != ""), names)


def _with_city_and_country(
    df: pd.DataFrame, data: YearData, lang: str, id_col: str = "city_id"
) -> pd.DataFrame:
    """`df` with the names of its cities and their countries (and the countries' short names, in
    `country_short`, for the tables of a phone)."""
    cities = data.reference["cities"].set_index("city_id")
    out = df.copy()
    country = out[id_col].map(cities["country_id"])
    out["city"] = out[id_col].map(_names(data, "cities", "city_id", lang))
    out["country"] = country.map(_names(data, "countries", "country_id", lang))
    out["country_short"] = country.map(short_country_names(data, lang))
    return out


def _ranked(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rank 1 = largest value. Ties keep the input order (the supplement's row order), which is
    the only information left once values are rounded to two decimals."""
    out = df.sort_values(by, ascending=False, kind="stable").reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def country_shares(data: YearData, subject: str = "overall") -> pd.Series:
    """Known Share of each country in the data year, by country id."""
    if not data.has("country_share"):
        return pd.Series(dtype=float)
    cs = data["country_share"]
    return cs[cs["subject_id"] == subject].set_index("country_id")["share"]


def leading_cities(
    data: YearData, subject: str = "overall", lang: str = "en", top: int | None = None
) -> pd.DataFrame:
    """Leading cities by Share, with each city's Share as a % of its country's Share.

    The % is recomputed wherever the country's Share is known; otherwise the printed % is used as
    an input and `location_share_source` says so."""
    cs = data["city_share"]
    df = cs[cs["subject_id"] == subject]
    df = _with_city_and_country(df, data, lang)
    city_country = data.reference["cities"].set_index("city_id")["country_id"]
    country_share = df["city_id"].map(city_country).map(country_shares(data, subject))
    df["location_share_pct"] = df["share"] / country_share * 100
    df["location_share_source"] = pd.Series("computed", index=df.index).where(
        country_share.notna(), pd.NA
    )
    if data.has("location_share_input"):
        given = data["location_share_input"]
        given = given[given["subject_id"] == subject].set_index("city_id")["location_share_pct"]
        printed = df["location_share_pct"].isna() & df["city_id"].isin(given.index)
        df.loc[printed, "location_share_pct"] = df.loc[printed, "city_id"].map(given)
        df.loc[printed, "location_share_source"] = "printed input"
    df = _ranked(df, "share").head(top)
    df["country_id"] = df["city_id"].map(city_country)
    # A country's place in reference/countries.csv fixes its colour in every chart and edition.
    df["country_order"] = df["country_id"].map(
        {c: i for i, c in enumerate(data.reference["countries"]["country_id"])}
    )
    return df[
        ["rank", "city", "country", "share", "count", "location_share_pct"]
        + ["location_share_source", "city_id", "country_id", "country_order", "country_short"]
    ]


def riser_subjects(data: YearData) -> list[str]:
    """Subjects the year says anything about risers for (a table or a prose mention), in display
    order."""
    named = set()
    for table in ("adjusted_share", "riser_mentions"):
        if data.has(table):
            named |= set(data[table]["subject_id"])
    subjects = data.reference["subjects"].sort_values("order")
    return [s for s in subjects["subject_id"] if s in named]


def subjects_covered(data: YearData) -> list[str]:
    """The subjects besides overall that the year's data say anything about (a Share, a riser
    table or a riser named in prose), in display order. The reference also knows subjects the
    index added later."""
    covered = set()
    for table in ("city_share", "adjusted_share", "riser_mentions"):
        if data.has(table):
            covered |= set(data[table]["subject_id"])
    subjects = data.reference["subjects"].sort_values("order")["subject_id"]
    return [s for s in subjects if s in covered and s != "overall"]


RISER_COLUMNS = [
    "rank",
    "city",
    "country",
    "adjusted_share_prev",
    "adjusted_share",
    "change",
    "change_pct",
    "city_id",
    "country_short",
]


def risers(data: YearData, subject: str, lang: str = "en", top: int | None = None) -> pd.DataFrame:
    """Cities ranked by their rise in adjusted Share from the previous year to the data year."""
    if not data.has("adjusted_share"):
        return pd.DataFrame(columns=RISER_COLUMNS)
    adj = data["adjusted_share"]
    df = adj[adj["subject_id"] == subject]
    df = _with_city_and_country(df, data, lang)
    df["change"] = df["adjusted_share"] - df["adjusted_share_prev"]
    df["change_pct"] = df["change"] / df["adjusted_share_prev"] * 100
    return _ranked(df, "change").head(top)[RISER_COLUMNS]


def riser_mentions(
    data: YearData, subject: str, lang: str = "en", top: int | None = None
) -> pd.DataFrame:
    """Riser positions the supplement states only in prose: position, city, rounded change (or
    NA)."""
    if not data.has("riser_mentions"):
        return pd.DataFrame(columns=["position", "city", "country", "change_rounded", "city_id"])
    m = data["riser_mentions"]
    df = _with_city_and_country(m[m["subject_id"] == subject], data, lang).sort_values("position")
    columns = ["position", "city", "country", "change_rounded", "city_id", "country_short"]
    return df[columns].head(top).reset_index(drop=True)


def rank_column(year: int) -> str:
    """The rank-history column of a year: r2022. The one place that spells it."""
    return f"r{year}"


def rank_year(column: str) -> int | None:
    """The year of a rank-history column (r2022 -> 2022), None for any other column."""
    return int(column[1:]) if column.startswith("r") and column[1:].isdigit() else None


def is_rank_column(column: str) -> bool:
    return rank_year(column) is not None


def rank_history(data: YearData, lang: str = "en", top: int | None = None) -> pd.DataFrame:
    """Global rank by Share of each city in each year, with the change over the last two years
    (rank two years before minus rank in the data year: positive = moved up)."""
    rh = data["rank_history"]
    wide = rh.pivot(index="city_id", columns="year", values="rank")
    years = sorted(wide.columns)
    start = max(years[0], data.year - 2)  # the last two years' move, where the history has them
    wide.columns = [rank_column(y) for y in years]
    wide = wide.reset_index()
    change = f"change_{start}_{data.year}"
    wide[change] = wide.get(rank_column(start)) - wide[rank_column(data.year)]
    wide = _with_city_and_country(wide, data, lang).sort_values(
        rank_column(data.year), kind="stable"
    )
    columns = ["city", *(rank_column(y) for y in years), change, "country", "city_id"]
    return wide[columns].head(top).reset_index(drop=True)


def partnership_countries(data: YearData) -> list[str]:
    """Countries with a city-partnership table, in the order the data lists them."""
    return (
        list(dict.fromkeys(data["city_partnerships"]["country_id"]))
        if data.has("city_partnerships")
        else []
    )


def city_partnerships(
    data: YearData, country: str, lang: str = "en", top: int | None = None
) -> pd.DataFrame:
    """Leading domestic city pairs of one country by bilateral collaboration score (CS1 + CS2)."""
    cp = data["city_partnerships"]
    df = cp[cp["country_id"] == country].copy()
    names = _names(data, "cities", "city_id", lang)
    df["city1"], df["city2"] = df["city1_id"].map(names), df["city2_id"].map(names)
    df["bcs"] = df["cs1"] + df["cs2"]
    df = _ranked(df, "bcs").head(top)
    return df[["rank", "city1", "city2", "cs1", "cs2", "bcs", "count", "city1_id", "city2_id"]]


def partnership_cities(data: YearData) -> list[str]:
    """Cities with an institution-partnership table."""
    return (
        list(dict.fromkeys(data["institution_partnerships"]["city_id"]))
        if data.has("institution_partnerships")
        else []
    )


def institution_partnerships(
    data: YearData, city: str, lang: str = "en", top: int | None = None
) -> pd.DataFrame:
    """Leading pairs of institutions within one city by bilateral collaboration score."""
    ip = data["institution_partnerships"]
    df = _with_city_and_country(ip[ip["city_id"] == city], data, lang)
    names = _names(data, "institutions", "institution_id", lang)
    df["institution1"], df["institution2"] = (
        df["institution1_id"].map(names),
        df["institution2_id"].map(names),
    )
    df = _ranked(df, "bcs").head(top)
    columns = ["rank", "institution1", "institution2", "city", "country", "bcs"]
    return df[columns + ["institution1_id", "institution2_id", "country_short"]]


def country_slug(data: YearData, country_id: str) -> str:
    return data.reference["countries"].set_index("country_id").at[country_id, "slug"]


def previous_edition(data: YearData) -> YearData | None:
    """The edition before `data`'s in the same data folder (see data.previous_year), or None."""
    year = data.previous_year
    return None if year is None else load_year(year, data.data_dir, lazy=data.lazy)


def edition_changes(
    data: YearData,
    previous: YearData | None = None,
    lang: str = "en",
    top: int | None = None,
) -> pd.DataFrame:
    """The leading cities of two editions side by side: each city in either year's leading group,
    its rank and Share in each year (empty where it was not in that year's data), and whether it
    entered, left or stayed in the leading group (the `top` leading cities). `previous` defaults to
    the edition before `data`'s."""
    previous = previous_edition(data) if previous is None else previous

    def year_of(d: YearData) -> pd.DataFrame:
        shares = d["city_share"]
        shares = shares[shares["subject_id"] == "overall"].set_index("city_id")["share"]
        ranks = leading_cities(d, lang=lang, top=top).set_index("city_id")["rank"]
        return pd.DataFrame({"share": shares}).join(ranks, how="left")

    now, before = year_of(data), year_of(previous)
    cities = sorted(
        set(now.index[now["rank"].notna()]) | set(before.index[before["rank"].notna()])
    )
    out = pd.DataFrame({"city_id": cities})
    out["rank_prev"] = out["city_id"].map(before["rank"]).astype("Int64")
    out["rank"] = out["city_id"].map(now["rank"]).astype("Int64")
    out["share_prev"] = out["city_id"].map(before["share"])
    out["share"] = out["city_id"].map(now["share"])
    out["status"] = "stayed"
    out.loc[out["rank_prev"].isna(), "status"] = "entered"
    out.loc[out["rank"].isna(), "status"] = "left"
    out = _with_city_and_country(out, data, lang)
    order = (
        out["rank"].astype("Float64").fillna(1000)
        + out["rank_prev"].astype("Float64").fillna(0) / 1000
    )
    return (
        out.assign(_order=order)
        .sort_values("_order", kind="stable")
        .drop(columns="_order")[
            ["city", "country", "rank_prev", "rank", "share_prev", "share", "status"]
            + ["city_id", "country_short"]
        ]
        .reset_index(drop=True)
    )


def example_table(frame: pd.DataFrame, lang: str = "en", level: str = "city") -> pd.DataFrame:
    """A worked example of the methods chapter (analysis.records.metrics.*_view) with names
    instead of ids, in the page's language, and the book's column names."""
    # Only the methods page needs the records engine: imported here, so that no other page
    # depends on it (analysis.pipeline.plan fingerprints each page by the modules it imports).
    from analysis.records.metrics import EXAMPLE_NAMES

    reference = load_reference()
    table = "cities" if level == "city" else "institutions"
    names = localized_names(reference[table], f"{level}_id", lang).to_dict()
    names.update({key: value[lang] for key, value in EXAMPLE_NAMES.items()})
    out = frame.copy()
    for column in ("entity", "entity_a", "entity_b"):
        if column in out:
            out[column] = out[column].astype(str).map(lambda e: names.get(e, e))
    return out.rename(
        columns={
            "entity": level,
            "entity_a": f"{level}1",
            "entity_b": f"{level}2",
            "adjusted_share": "adjusted_share_any",
        }
    )
