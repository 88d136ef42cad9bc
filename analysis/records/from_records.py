"""Compute a data year (the files of data/<year>/) from article records with the metrics engine
(analysis.records.metrics).

The output folder is a complete data folder (datapackage.json, reference/, <year>/) that
`validate`, `tables`, `run` and `book` accept with --data, so the notebooks run on it unchanged.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from analysis.data import REFERENCE_FILES
from analysis.paths import DATA
from analysis.records import metrics
from analysis.records.simulate import World
from analysis.words import first_few

DECIMALS = 6  # what is kept of each computed value in the CSV files


def _write(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, float_format=f"%.{DECIMALS}f", lineterminator="\n")


def year_files(result: dict[str, pd.DataFrame], year: int, source: str) -> dict[str, pd.DataFrame]:
    """The data/<year>/ tables from the engine's output (see analysis.records.metrics.compute)."""
    share = result["share"].astype({"level": str, "subject": str, "entity": str})
    now = share[share["year"] == year]
    city = now[now["level"] == "city"].rename(
        columns={"subject": "subject_id", "entity": "city_id"}
    )
    files = {
        "city_share": city[["subject_id", "city_id", "share", "count"]].sort_values(
            ["subject_id", "share", "city_id"], ascending=[True, False, True]
        )
    }
    country = now[now["level"] == "country"].rename(
        columns={"subject": "subject_id", "entity": "country_id"}
    )
    files["country_share"] = (
        country[["subject_id", "country_id", "share"]]
        .assign(source=source)
        .sort_values(["subject_id", "country_id"])
    )

    adjusted = result["adjusted"].astype({"level": str, "subject": str, "entity": str})
    adjusted = adjusted[adjusted["level"] == "city"]
    prev = adjusted[adjusted["year"] == year - 1][["subject", "entity", "adjusted_share"]].rename(
        columns={"adjusted_share": "adjusted_share_prev"}
    )
    cur = adjusted[adjusted["year"] == year][["subject", "entity", "adjusted_share"]]
    both = prev.merge(cur, on=["subject", "entity"]).rename(
        columns={"subject": "subject_id", "entity": "city_id"}
    )
    if len(both):
        both = both.assign(
            change=both["adjusted_share"] - both["adjusted_share_prev"]
        ).sort_values(["subject_id", "change", "city_id"], ascending=[True, False, True])
        files["adjusted_share"] = both[
            ["subject_id", "city_id", "adjusted_share_prev", "adjusted_share"]
        ]

    overall = share[(share["level"] == "city") & (share["subject"] == "overall")].copy()
    overall["rank"] = (
        overall.groupby("year")["share"].rank(ascending=False, method="first").astype(int)
    )
    top10 = overall[(overall["year"] == year) & (overall["rank"] <= 10)]["entity"]
    files["rank_history"] = (
        overall[overall["entity"].isin(top10)]
        .rename(columns={"entity": "city_id"})[["city_id", "year", "rank"]]
        .sort_values(["city_id", "year"])
    )

    files.update(_variances(result, year))

    if "pairs" in result:
        pairs = result["pairs"].astype(
            {"level": str, "subject": str, "entity_a": str, "entity_b": str}
        )
        pairs = pairs[(pairs["year"] == year) & (pairs["subject"] == "overall")]
        files.update(_partnerships(pairs, city, result))
    return files


def _variances(result: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """share_variance (every city's sum of squared parts in the data year, and in the year before
    on the scale of its adjusted Share: times the adjustment factor squared) and share_covariance
    (the leading cities' pairs), for exact intervals (analysis.uncertainty)."""
    share = result["share"].astype({"level": str, "subject": str, "entity": str})
    city = share[(share["level"] == "city") & share["year"].isin([year, year - 1])]
    totals = result["totals"].astype({"subject": str}).set_index(["year", "subject"])["articles"]
    now = city["subject"].map(lambda s: totals.get((year, s))).astype(float)
    then = [totals.get((y, s)) for y, s in zip(city["year"], city["subject"])]
    factor = (now / pd.Series(then, index=city.index, dtype=float)).where(
        city["year"] == year - 1, 1.0
    )
    variance = city.assign(sum_f2=city["sum_f2"] * factor**2).rename(
        columns={"subject": "subject_id", "entity": "city_id"}
    )
    variance = variance.dropna(subset=["sum_f2"])
    out = {
        "share_variance": variance[["subject_id", "city_id", "year", "sum_f2"]].sort_values(
            ["subject_id", "city_id", "year"]
        )
    }
    covariance = result["covariance"].astype(
        {"level": str, "subject": str, "entity_a": str, "entity_b": str}
    )
    covariance = covariance[(covariance["level"] == "city") & (covariance["year"] == year)]
    out["share_covariance"] = covariance.rename(
        columns={"subject": "subject_id", "entity_a": "city1_id", "entity_b": "city2_id"}
    )[["subject_id", "city1_id", "city2_id", "sum_fafb"]].sort_values(
        ["subject_id", "city1_id", "city2_id"]
    )
    return out


def _partnerships(
    pairs: pd.DataFrame, city: pd.DataFrame, result: dict
) -> dict[str, pd.DataFrame]:
    """Domestic city pairs of the two countries with the largest Share; institution pairs within
    the leading city (both institutions there), 10 of each by bilateral CS."""
    out = {}
    affiliations = result["affiliations"]
    city_country = affiliations.drop_duplicates("city_id").set_index("city_id")["country"]
    inst_city = affiliations.drop_duplicates("institution_id").set_index("institution_id")[
        "city_id"
    ]
    country_share = result["share"].astype({"level": str, "subject": str})
    country_share = country_share[
        (country_share["level"] == "country")
        & (country_share["subject"] == "overall")
        & (country_share["year"] == pairs["year"].max())
    ].sort_values("share", ascending=False)
    cp = pairs[pairs["level"] == "city"].copy()
    cp["country_id"] = cp["entity_a"].map(city_country)
    cp = cp[cp["country_id"] == cp["entity_b"].map(city_country)]
    chosen = [c for c in country_share["entity"].astype(str) if c in set(cp["country_id"])][:2]
    cp = (
        cp[cp["country_id"].isin(chosen)]
        .sort_values(["country_id", "bcs"], ascending=[True, False])
        .groupby("country_id")
        .head(10)
    )
    cp["order"] = cp["country_id"].map({c: i for i, c in enumerate(chosen)})
    out["city_partnerships"] = cp.sort_values(["order", "bcs"], ascending=[True, False]).rename(
        columns={"entity_a": "city1_id", "entity_b": "city2_id"}
    )[["country_id", "city1_id", "city2_id", "cs1", "cs2", "count"]]
    lead = (
        city[city["subject_id"] == "overall"]
        .sort_values("share", ascending=False)["city_id"]
        .iloc[0]
    )
    ip = pairs[pairs["level"] == "institution"]
    ip = (
        ip[(ip["entity_a"].map(inst_city) == lead) & (ip["entity_b"].map(inst_city) == lead)]
        .sort_values("bcs", ascending=False)
        .head(10)
    )
    if len(ip):
        out["institution_partnerships"] = ip.assign(city_id=lead).rename(
            columns={"entity_a": "institution1_id", "entity_b": "institution2_id"}
        )[["city_id", "institution1_id", "institution2_id", "bcs"]]
    return out


def reference_of(records: metrics.Records, data_dir: Path = DATA) -> dict[str, pd.DataFrame]:
    """The reference tables (names) for real records: those of data_dir, which must know every
    city, institution and country the records use."""
    ref = {
        name: pd.read_csv(data_dir / "reference" / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("countries", "cities", "institutions")
    }
    missing = []
    for column, table, key in (
        ("city_id", "cities", "city_id"),
        ("institution_id", "institutions", "institution_id"),
        ("country", "countries", "country_id"),
    ):
        unknown = sorted(set(records.affiliations[column].astype(str)) - set(ref[table][key]))
        if unknown:
            missing.append(f"{column} not in reference/{table}.csv: {first_few(unknown)}")
    if missing:
        raise metrics.RecordError(
            "the records use ids the reference does not name:\n  " + "\n  ".join(missing)
        )
    return ref


def write_data_folder(
    records: metrics.Records, world: World | dict, year: int, out: Path, source: str
) -> Path:
    """A complete data folder for `year` at `out`, built from `records`. `world` gives the
    reference tables: a simulated World, or a dict of DataFrames (see reference_of)."""
    reference = (
        world
        if isinstance(world, dict)
        else {
            "countries": world.countries,
            "cities": world.cities.drop(columns="weight"),
            "institutions": world.institutions,
        }
    )
    # The subjects the records may use are those of the reference (the one list of subjects).
    subjects = reference.get("subjects")
    if subjects is None:
        subjects = pd.read_csv(DATA / "reference" / "subjects.csv", dtype=str)
    result = metrics.compute(
        records, known_subjects=set(subjects["subject_id"]) - {metrics.OVERALL}
    )
    result["affiliations"] = records.affiliations
    out = Path(out)
    shutil.rmtree(out / str(year), ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "datapackage.json", out / "datapackage.json")
    for name in REFERENCE_FILES:
        frame = reference.get(name)
        if frame is None:
            shutil.copy(DATA / "reference" / f"{name}.csv", out / "reference" / f"{name}.csv")
        else:
            _write(frame, out / "reference" / f"{name}.csv")
    for name, frame in year_files(result, year, source).items():
        _write(frame, out / str(year) / f"{name}.csv")
    return out
