"""A second implementation of the metrics engine (analysis.records.metrics) in plain pandas (merge
and groupby, no loop over articles): the tests compare the engine with it, and the benchmark times
it as the reference."""

import pandas as pd

LEVELS = {"city": "city_id", "institution": "institution_id", "country": "country"}


def _covariance(
    share: pd.DataFrame, per_article: pd.DataFrame, subj: pd.DataFrame, leading: int
) -> pd.DataFrame:
    """Sum of the products of two leading cities' parts over their joint articles, per year and
    subject (the leading: the first `leading` by Share, ties by id)."""
    city = share[share["level"] == "city"].sort_values(
        ["year", "subject", "share", "entity"], ascending=[True, True, False, True]
    )
    lead = city.groupby(["year", "subject"]).head(leading)[["year", "subject", "entity"]]
    parts = per_article.merge(subj, on="article_id").merge(lead, on=["year", "subject", "entity"])
    joined = parts.merge(parts, on=["article_id", "year", "subject"], suffixes=("_a", "_b"))
    joined = joined[joined["entity_a"] < joined["entity_b"]]
    joined = joined.assign(product=joined["share_a"] * joined["share_b"])
    out = joined.groupby(["year", "subject", "entity_a", "entity_b"], as_index=False).agg(
        sum_fafb=("product", "sum")
    )
    return out.assign(level="city")[
        ["level", "year", "subject", "entity_a", "entity_b", "sum_fafb"]
    ]


def compute(
    articles: pd.DataFrame,
    authorships: pd.DataFrame,
    affiliations: pd.DataFrame,
    pairs: bool = True,
    leading: int = 20,
) -> dict:
    subj = articles.assign(subject=articles["subjects"].fillna("").str.split(";")).explode(
        "subject"
    )
    subj["subject"] = subj["subject"].str.strip()
    subj = subj[subj["subject"] != ""][["article_id", "year", "subject"]]
    subj = pd.concat(
        [subj, articles[["article_id", "year"]].assign(subject="overall")], ignore_index=True
    )

    a = authorships.drop_duplicates(["article_id", "author_position", "affiliation_id"])
    n_authors = a.groupby("article_id")["author_position"].nunique().rename("n_authors")
    n_aff = a.groupby(["article_id", "author_position"]).size().rename("n_aff")
    part = a.join(n_authors, on="article_id").join(n_aff, on=["article_id", "author_position"])
    part["weight"] = 1.0 / (part["n_authors"] * part["n_aff"])
    part = part.merge(affiliations, on="affiliation_id")

    shares, per_article = [], {}
    for level, column in LEVELS.items():
        pa = (
            part.groupby(["article_id", column], as_index=False)["weight"]
            .sum()
            .rename(columns={column: "entity", "weight": "share"})
        )
        per_article[level] = pa
        s = (
            pa.assign(f2=pa["share"] ** 2)
            .merge(subj, on="article_id")
            .groupby(["year", "subject", "entity"], as_index=False)
            .agg(share=("share", "sum"), count=("article_id", "nunique"), sum_f2=("f2", "sum"))
        )
        shares.append(s.assign(level=level))
    share = pd.concat(shares, ignore_index=True)[
        ["level", "year", "subject", "entity", "share", "count", "sum_f2"]
    ]
    totals = (
        subj.groupby(["year", "subject"], as_index=False)
        .size()
        .rename(columns={"size": "articles"})
    )
    latest = (
        totals.sort_values("year")
        .groupby("subject")
        .tail(1)[["subject", "articles"]]
        .rename(columns={"articles": "latest"})
    )
    adjusted = share.merge(totals, on=["year", "subject"]).merge(latest, on="subject")
    adjusted["adjusted_share"] = adjusted["share"] * adjusted["latest"] / adjusted["articles"]
    out = {
        "share": share,
        "totals": totals,
        "adjusted": adjusted[["level", "year", "subject", "entity", "adjusted_share"]],
        "covariance": _covariance(share, per_article["city"], subj, leading),
    }
    if pairs:
        found = []
        for level, pa in per_article.items():
            joined = pa.merge(pa, on="article_id", suffixes=("_a", "_b"))
            joined = joined[joined["entity_a"] < joined["entity_b"]].merge(subj, on="article_id")
            c = joined.groupby(["year", "subject", "entity_a", "entity_b"], as_index=False).agg(
                cs1=("share_a", "sum"), cs2=("share_b", "sum"), count=("article_id", "size")
            )
            found.append(c.assign(level=level, bcs=c["cs1"] + c["cs2"]))
        out["pairs"] = pd.concat(found, ignore_index=True)[
            ["level", "year", "subject", "entity_a", "entity_b", "cs1", "cs2", "bcs", "count"]
        ]
    return out
