"""How sure a Share, a change and a rank are: standard errors from the published figures (bounds)
or from article records (exact), tests of differences and changes, and confidence sets for ranks.

The model: a year's articles are one draw of many the same research systems could have published
(a Poisson resampling of articles, the model behind bootstrap stability intervals). A city's
Share S is a sum over its n articles of its part f of each (0 < f <= 1), so Var(S) = sum of f².
Knowing only S and n, that sum lies between S²/n (every part equal) and S (since f² <= f): the
standard error lies between S/sqrt(n) and sqrt(S). Article records give the sum exactly.

- Differences: Var(A - B) = Var(A) + Var(B) - 2 Cov(A, B). An article two cities share adds a
  positive term to the covariance (both parts are positive), so adding the variances, as the
  published figures force us to, overstates the variance: a conservative test.
- Changes in adjusted Share: A_prev = k * S_prev (k: the adjustment factor), so Var(A_prev) =
  k² * sum f² <= k * A_prev, and the change S - A_prev has SE <= sqrt(S + k * A_prev) (the two
  years' articles are different draws). `adjustment_factor` says where k comes from.
- A bilateral collaboration score is a sum over the pair's joint articles of a part in (0, 1]: the
  same bounds apply, with the joint Count.
- Rank sets follow Mogstad, Romano, Shaikh & Wilhelm (2023, "Inference for ranks"; the marginal
  sets of R's csranks): city j's set runs from 1 + (the cities significantly above j) to N - (the
  cities significantly below j), each comparison a two-sided test at level (1 - level) / (N - 1)
  (Bonferroni over j's N - 1 comparisons), so that the set holds j's true rank with probability at
  least `level`. A table lists only its leading N: a city not significantly above the list's last
  entry could be passed by a city outside the list, so its set is open below ("12 or lower").

The first part is plain arithmetic on numbers (the standard library only); the tables each page
shows follow (`share_intervals`, `riser_intervals`, `pair_intervals`, `edition_rank_moves`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import pandas as pd

from analysis import tables
from analysis.data import YearData
from analysis.errors import DataError, Problem
from analysis.paths import shown

LEVEL = 0.95  # the confidence level wherever none is asked for
# The largest adjustment factor assumed where the data cannot tell it (see adjustment_factor):
# the index's article total did not grow by more than a quarter from one year to the next.
FACTOR_BOUND = 1.25
PRINTED_HALF_UNIT = 0.005  # a figure printed with two decimals is known to within this

# ---- standard errors ----------------------------------------------------------------------------


def z_value(level: float = LEVEL, comparisons: int = 1) -> float:
    """The two-sided critical value of a normal test at `level`, Bonferroni-corrected for
    `comparisons` tests (1.96 for one test at 95 %)."""
    if not 0 < level < 1:
        raise ValueError(f"a confidence level is between 0 and 1 (got {level!r})")
    return NormalDist().inv_cdf(1 - (1 - level) / (2 * max(comparisons, 1)))


def share_se_bounds(share: float, count: int) -> tuple[float, float]:
    """(least, most) standard error of a Share S earned on Count n articles: S/sqrt(n) and
    sqrt(S). A Share of 0 has none."""
    if share < 0 or count < 0 or (count == 0 and share > 0):
        raise ValueError(f"no Share {share!r} can be earned on {count!r} articles")
    if share == 0:
        return 0.0, 0.0
    return share / math.sqrt(count), math.sqrt(share)


def se_exact(sum_f2: float) -> float:
    """The standard error of a Share from the sum of its squared parts (article records)."""
    return math.sqrt(max(sum_f2, 0.0))


def half_width(se: float, level: float = LEVEL) -> float:
    """Half the width of the two-sided interval at `level` around a figure with standard error
    `se`."""
    return z_value(level) * se


def difference_se(variance_a: float, variance_b: float, covariance: float = 0.0) -> float:
    """The standard error of A - B. Without the covariance (0), an upper bound for figures whose
    shared articles add to both (Shares, collaboration scores)."""
    return math.sqrt(max(variance_a + variance_b - 2 * covariance, 0.0))


def change_se_bound(share: float, adjusted_prev: float, factor: float) -> float:
    """An upper bound of the standard error of a change in adjusted Share, S - A_prev, where A_prev
    is the earlier year's Share times the adjustment factor: sqrt(S + factor * A_prev)."""
    return math.sqrt(max(share, 0.0) + factor * max(adjusted_prev, 0.0))


def is_clear(difference: float, se: float, level: float = LEVEL, comparisons: int = 1) -> bool:
    """Whether a difference exceeds its uncertainty: a two-sided test at `level`."""
    if se == 0:
        return difference != 0
    return abs(difference) > z_value(level, comparisons) * se


# ---- rank sets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankSet:
    """The ranks a figure may hold: `low` (the best) to `high` (the worst); `high` None when the
    set is open below (the figure could fall to a rank beyond the list)."""

    low: int
    high: int | None

    @property
    def is_open(self) -> bool:
        return self.high is None

    @property
    def is_single(self) -> bool:
        return self.high == self.low

    def contains(self, rank: int) -> bool:
        return self.low <= rank and (self.high is None or rank <= self.high)

    def overlaps(self, other: RankSet) -> bool:
        return (self.high is None or other.low <= self.high) and (
            other.high is None or self.low <= other.high
        )

    def width(self, last: int) -> int:
        """How many ranks it holds, an open set counted down to rank `last`."""
        return (self.high if self.high is not None else last) - self.low + 1


def rank_sets(
    values: Sequence[float],
    variances: Sequence[float],
    covariance: Callable[[int, int], float] | None = None,
    level: float = LEVEL,
    truncated: bool = True,
) -> list[RankSet]:
    """A confidence set for the rank of each of `values` (rank 1: the largest), at `level` for
    each figure (marginal sets). `variances`: each figure's variance (an upper bound, or exact);
    `covariance(i, j)`: their covariance (default 0: conservative for Shares). `truncated`: the
    figures are the leading entries of a longer list, so a figure not significantly above the
    last (smallest) of them gets an open set."""
    n = len(values)
    if len(variances) != n:
        raise ValueError("one variance per value")
    if n == 0:
        return []
    critical = z_value(level, n - 1)

    def above(i: int, j: int) -> bool:
        """Figure i is significantly larger than figure j."""
        gap = values[i] - values[j]
        if gap <= 0:
            return False
        cov = covariance(i, j) if covariance is not None else 0.0
        return gap > critical * difference_se(variances[i], variances[j], cov)

    last = min(range(n), key=lambda i: (values[i], -i))
    out = []
    for j in range(n):
        low = 1 + sum(above(k, j) for k in range(n) if k != j)
        high = n - sum(above(j, k) for k in range(n) if k != j)
        if truncated and not above(j, last):
            out.append(RankSet(low, None))
        else:
            out.append(RankSet(low, high))
    return out


def covariance_of(
    ids: Sequence[str], pairs: dict[frozenset, float]
) -> Callable[[int, int], float]:
    """The covariance function rank_sets takes, for figures of `ids`, from the covariances of the
    pairs that have one (`pairs`: {frozenset of two ids: covariance}; any other pair has none)."""

    def covariance(i: int, j: int) -> float:
        return pairs.get(frozenset((ids[i], ids[j])), 0.0)

    return covariance


def overlapping_runs(sets: Sequence[RankSet]) -> list[tuple[int, int]]:
    """The ranks (as positions 0..N-1 of `sets`, in rank order) that run together: maximal blocks
    of consecutive entries whose rank sets reach one into the next. Each block is (first, last);
    a block of one is an entry told apart from both neighbours."""
    runs, start = [], 0
    for i in range(1, len(sets) + 1):
        joined = i < len(sets) and any(sets[k].overlaps(sets[i]) for k in range(start, i))
        if not joined:
            runs.append((start, i - 1))
            start = i
    return runs


# ---- where the variances come from --------------------------------------------------------------


BOUNDS, EXACT = "bounds", "exact"  # the basis of a table's uncertainty


def _variances(data: YearData, subject: str, year: int) -> pd.Series:
    """sum f² per city for one subject and year, from the year's share_variance file (records);
    empty without one."""
    if not data.has("share_variance"):
        return pd.Series(dtype=float)
    v = data["share_variance"]
    v = v[(v["subject_id"] == subject) & (v["year"] == year)]
    return v.set_index("city_id")["sum_f2"]


def _covariances(data: YearData, subject: str) -> dict[frozenset, float]:
    if not data.has("share_covariance"):
        return {}
    c = data["share_covariance"]
    c = c[c["subject_id"] == subject]
    return {
        frozenset((a, b)): float(v) for a, b, v in zip(c["city1_id"], c["city2_id"], c["sum_fafb"])
    }


@dataclass(frozen=True)
class Factor:
    """The adjustment factor of a year's adjusted Shares (the largest it can be, which makes the
    bound of a change the widest) and where it comes from: "previous edition" (the earlier year's
    own Shares, in the data folder) or "assumed" (FACTOR_BOUND)."""

    value: float
    source: str
    city_id: str | None = None  # the city it was read from (previous edition)


def adjustment_factor(data: YearData, subject: str = "overall") -> Factor:
    """The adjustment factor k of `data`'s adjusted Shares in `subject`, at its largest. The data
    folder does not store k, but where it holds the previous year as an edition, a city's adjusted
    Share of that year over its Share printed then is k: read from the city with the largest
    Share (the least moved by rounding to two decimals), at the top of what the rounding allows.
    Otherwise k is not known and FACTOR_BOUND is assumed."""
    previous = tables.previous_edition(data)
    if (
        previous is not None
        and previous.year == data.year - 1
        and data.has("adjusted_share")
        and previous.has("city_share")
    ):
        adj = data["adjusted_share"]
        adj = adj[adj["subject_id"] == subject].set_index("city_id")["adjusted_share_prev"]
        then = previous["city_share"]
        then = then[then["subject_id"] == subject].set_index("city_id")["share"]
        both = then[then.index.isin(adj.index) & (then > PRINTED_HALF_UNIT)]
        if len(both):
            city = both.sort_values(ascending=False, kind="stable").index[0]
            k = (adj[city] + PRINTED_HALF_UNIT) / (both[city] - PRINTED_HALF_UNIT)
            return Factor(float(k), "previous edition", city)
    return Factor(FACTOR_BOUND, "assumed")


# ---- the tables the pages show ------------------------------------------------------------------


def _with_rank_sets(
    table: pd.DataFrame, value: str, variance: list[float], covariance=None, level=LEVEL
) -> pd.DataFrame:
    sets = rank_sets(list(table[value]), variance, covariance, level)
    out = table.copy()
    out["rank_low"] = pd.array([s.low for s in sets], dtype="Int64")
    out["rank_high"] = pd.array([s.high for s in sets], dtype="Int64")
    return out


def share_intervals(
    data: YearData,
    subject: str = "overall",
    lang: str = "en",
    top: int | None = None,
    level: float = LEVEL,
) -> pd.DataFrame:
    """The leading cities' table (tables.leading_cities) with each Share's standard error (least
    and most; both the exact one where the year has article records' variances), the half-width of
    its interval at `level` (from the largest SE) and its rank set among the listed cities."""
    lead = tables.leading_cities(data, subject, lang, top).reset_index(drop=True)
    exact = _variances(data, subject, data.year)
    basis = EXACT if len(lead) and lead["city_id"].isin(exact.index).all() else BOUNDS
    if basis == EXACT:
        se = [se_exact(exact[c]) for c in lead["city_id"]]
        low, high = se, se
        covariance = covariance_of(list(lead["city_id"]), _covariances(data, subject))
    else:
        bounds = [share_se_bounds(s, n) for s, n in zip(lead["share"], lead["count"])]
        low, high = [b[0] for b in bounds], [b[1] for b in bounds]
        covariance = None
    out = lead.assign(se_low=low, se_high=high)
    out["half_width"] = out["se_high"] * z_value(level)
    out = _with_rank_sets(out, "share", [s**2 for s in high], covariance, level)
    out["basis"] = basis
    out["subject_id"] = subject
    return out


def riser_intervals(
    data: YearData, subject: str, lang: str = "en", top: int | None = None, level: float = LEVEL
) -> pd.DataFrame:
    """The risers' table (tables.risers) with the standard error of each change, se_high (exact
    where the year has article records' variances of both years, else the bound with the
    adjustment factor at its largest), the half-width of its interval at `level` and whether the
    change exceeds it (verdict: "rise", "fall" or "within"). attrs["factor"]: the Factor the
    bound used (None when exact)."""
    risers = tables.risers(data, subject, lang, top).reset_index(drop=True)
    now, before = _variances(data, subject, data.year), _variances(data, subject, data.year - 1)
    ids = risers["city_id"]
    if len(risers) and ids.isin(now.index).all() and ids.isin(before.index).all():
        se = [math.sqrt(now[c] + before[c]) for c in ids]
        basis, factor = EXACT, None
    else:
        factor = adjustment_factor(data, subject)
        se = [
            change_se_bound(s, a, factor.value)
            for s, a in zip(risers["adjusted_share"], risers["adjusted_share_prev"])
        ]
        basis = BOUNDS
    out = risers.assign(se_high=se)
    out["half_width"] = out["se_high"] * z_value(level)
    clear = [is_clear(d, s, level) for d, s in zip(out["change"], out["se_high"])]
    out["verdict"] = [
        ("rise" if d > 0 else "fall") if c else "within" for d, c in zip(out["change"], clear)
    ]
    out["basis"] = basis
    out.attrs["factor"] = factor
    return out


def pair_intervals(
    data: YearData, country: str, lang: str = "en", top: int | None = None, level: float = LEVEL
) -> pd.DataFrame:
    """A country's leading city pairs (tables.city_partnerships) with the SE bounds of each
    bilateral score on its joint Count and the rank set of each pair among those listed."""
    pairs = tables.city_partnerships(data, country, lang, top).reset_index(drop=True)
    bounds = [share_se_bounds(b, n) for b, n in zip(pairs["bcs"], pairs["count"])]
    out = pairs.assign(se_low=[b[0] for b in bounds], se_high=[b[1] for b in bounds])
    out["half_width"] = out["se_high"] * z_value(level)
    out = _with_rank_sets(out, "bcs", [b[1] ** 2 for b in bounds], None, level)
    out["basis"] = BOUNDS
    return out


def edition_rank_moves(
    data: YearData,
    previous: YearData | None = None,
    lang: str = "en",
    top: int | None = None,
    level: float = LEVEL,
) -> pd.DataFrame:
    """The table of two editions (tables.edition_changes) with each city's rank set in each year
    and, for a city in both leading groups whose rank changed, whether the move exceeds its
    uncertainty: "up" or "down" when the two years' rank sets do not overlap, "within" when they
    do; "same" for an unchanged rank; empty for a city in one group only."""
    previous = tables.previous_edition(data) if previous is None else previous
    changes = tables.edition_changes(data, previous, lang, top)
    now = share_intervals(data, lang=lang, top=top, level=level).set_index("city_id")
    before = share_intervals(previous, lang=lang, top=top, level=level).set_index("city_id")
    out = changes.copy()
    for suffix, frame in (("", now), ("_prev", before)):
        for end in ("rank_low", "rank_high"):
            out[f"{end}{suffix}"] = out["city_id"].map(frame[end]).astype("Int64")
    verdicts = []
    for row in out.itertuples():
        if pd.isna(row.rank) or pd.isna(row.rank_prev):
            verdicts.append(pd.NA)
            continue
        if row.rank == row.rank_prev:
            verdicts.append("same")
            continue
        a = RankSet(int(row.rank_low_prev), _int_or_none(row.rank_high_prev))
        b = RankSet(int(row.rank_low), _int_or_none(row.rank_high))
        verdicts.append(
            "within" if a.overlaps(b) else ("up" if row.rank < row.rank_prev else "down")
        )
    out["move"] = verdicts
    return out


# What the risers' and the editions' pages show of these tables (display.frame), in order.
RISER_COLUMNS = ["rank", "city", "change", "half_width", "verdict"]
RISER_KEY = RISER_COLUMNS  # a phone shows them all: the margin is what the verdict rests on
MOVE_COLUMNS = [
    "city",
    "rank_prev",
    "rank_low_prev",
    "rank_high_prev",
    "rank",
    "rank_low",
    "rank_high",
    "move",
]


def moves_shown(moves: pd.DataFrame) -> pd.DataFrame:
    """The rows of edition_rank_moves with a rank set in both years (the cities that stayed),
    in MOVE_COLUMNS."""
    return moves[moves["status"] == "stayed"][MOVE_COLUMNS].reset_index(drop=True)


def _int_or_none(value) -> int | None:
    return None if pd.isna(value) else int(value)


def rank_set_of(row) -> RankSet:
    """The rank set of a row of one of the tables above."""
    return RankSet(int(row["rank_low"]), _int_or_none(row["rank_high"]))


RECORD_FIELDS = (
    "city_id",
    "subject_id",
    "share",
    "count",
    "se_low",
    "se_high",
    "rank",
    "rank_low",
    "rank_high",
)


def interval_records(
    data: YearData, subject: str = "overall", top: int | None = None, level: float = LEVEL
) -> list[dict]:
    """One record per city of the year's leading table in `subject` (`python -m analysis
    intervals`): RECORD_FIELDS, plain Python values, rank_high None where the set is open.
    A subject the year has no Shares for is a DataError naming the file."""
    shares = data["city_share"]
    if subject not in set(shares["subject_id"]):
        known = ", ".join(dict.fromkeys(shares["subject_id"]))
        raise DataError(
            [
                Problem(
                    shown(data.data_dir / str(data.year) / "city_share.csv"),
                    None,
                    "subject_id",
                    f"no Shares for subject {subject!r} in {data.year} (it has: {known})",
                )
            ]
        )
    table = share_intervals(data, subject, top=top, level=level)
    records = []
    for row in table[list(RECORD_FIELDS)].itertuples(index=False):
        record = dict(zip(RECORD_FIELDS, row))
        records.append(
            {
                key: (
                    None if pd.isna(value) else value.item() if hasattr(value, "item") else value
                )
                for key, value in record.items()
            }
        )
    return records
