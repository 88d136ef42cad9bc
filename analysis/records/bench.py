"""Benchmark of the metrics engine against the vectorised pandas reference
(analysis.records.reference_metrics).

The simulated article set of each size is made once, part by part (one part = ~80,000 articles,
about one Nature Index year), and kept as Parquet files in _build/bench/; making it is not timed.
Each measurement runs in its own process, so that its peak memory (ru_maxrss) is its own: the
engine reads the Parquet files as it goes (as it reads a real records folder), the reference loads
them into pandas. The timed work is a whole data year: Count, Share and adjusted Share of cities,
institutions and countries in every subject and overall, and every pair's collaboration score.

With --memory-limit MB, the engine's process is held to that budget: DuckDB gets the budget less
what Python, the libraries and the results need (HEADROOM_MB) and spills the rest to a folder on
disk.

With --coverage, the benchmark is of the intervals instead (`coverage`): how often the book's
intervals and rank sets hold the truth, over many simulated years of one fixed population.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from analysis import uncertainty
from analysis.paths import BUILD, REPO
from analysis.records import metrics, reference_metrics, simulate

ARTICLES_1X = 80_000  # about one Nature Index year
SEED = 2022
CACHE = BUILD / "bench"
# What the engine's process needs besides DuckDB's own memory: the interpreter and pandas, numpy
# and DuckDB loaded (~250 MB), the records' affiliations, and the result frames (~250 MB at 16x).
HEADROOM_MB = 1024


def duckdb_mb(process_mb: int) -> int:
    """DuckDB's share of a process budget: the budget less the headroom (at least 256 MB)."""
    return max(process_mb - HEADROOM_MB, 256)


def records_folder(scale: int, seed: int = SEED) -> Path:
    """The simulated records of `scale` parts, written once (part by part) as Parquet files."""
    folder = CACHE / f"records-seed{seed}-{scale}x"
    if (folder / "done").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    world = simulate.make_world(seed)
    con = duckdb.connect()
    for part in range(scale):
        records = simulate.simulate(world, [2022], ARTICLES_1X, seed, part=part)
        for name in ("articles", "authorships"):
            con.register("frame", getattr(records, name))
            con.execute(
                f"COPY frame TO '{folder / f'{name}-{part:04d}.parquet'}' (FORMAT parquet)"
            )
        if part == 0:
            con.register("frame", records.affiliations)
            con.execute(f"COPY frame TO '{folder / 'affiliations.parquet'}' (FORMAT parquet)")
        del records
    (folder / "done").write_text("")
    return folder


def _records(folder: Path, in_memory: bool):
    glob = {name: str(folder / f"{name}-*.parquet") for name in ("articles", "authorships")}
    affiliations = duckdb.read_parquet(str(folder / "affiliations.parquet")).df()
    if in_memory:
        return metrics.Records(
            duckdb.read_parquet(glob["articles"]).df(),
            duckdb.read_parquet(glob["authorships"]).df(),
            affiliations,
        )
    return metrics.Records(Path(glob["articles"]), Path(glob["authorships"]), affiliations)


def measure(kind: str, scale: int, repeats: int = 1, memory_limit_mb: int | None = None) -> dict:
    """Run in a child process: time the engine or the reference `repeats` times on the records of
    `scale`; the median is reported (a single run on this 2-core machine varies by about ±15%)."""
    # The machine has 24 GB and no swap: a capped child fails with MemoryError instead of
    # calling the kernel's OOM killer on whatever is largest.
    limit = 18 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    records = _records(records_folder(scale), in_memory=kind == "reference")
    spill = Path(tempfile.mkdtemp(prefix="spill-", dir=CACHE))
    budget = None
    if memory_limit_mb:
        budget = metrics.MemoryBudget(duckdb_mb(memory_limit_mb), spill)

    def work():
        if kind == "engine":
            return metrics.compute(records, memory=budget)
        return reference_metrics.compute(
            records.articles, records.authorships, records.affiliations
        )

    times = []
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "rows": records.rows("authorships"),
        "articles": records.rows("articles"),
        "seconds": statistics.median(times),
        "runs": times,
        "peak_mb": peak_mb,
    }


def _child(args: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "analysis", "bench", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if out.returncode != 0:
        last = (
            out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"
        )
        return {
            "error": "out of memory (capped at 18 GB)"
            if "MemoryError" in last or "Out of Memory" in last
            else last
        }
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(
    scales: list[int],
    reference: bool = True,
    repeats: int = 3,
    memory_limit_mb: int | None = None,
    log=print,
) -> int:
    """Engine seconds are the median of `repeats` runs; the reference, 10-50 times slower, runs
    once. Returns 1 if any engine run failed."""
    nan = float("nan")
    budget = (
        f" (engine held to {memory_limit_mb:,} MB: DuckDB "
        f"{duckdb_mb(memory_limit_mb):,} MB + spill)"
        if memory_limit_mb
        else ""
    )
    log(
        f"{'size':>5} {'articles':>9} {'rows':>10} {'engine_s':>9} {'engine_mb':>9} "
        f"{'reference_s':>11} "
        f"{'reference_mb':>12} {'ratio':>6}{budget}"
    )
    first, failed = None, False
    for scale in scales:
        prepared = _child(["--prepare", "--scale", str(scale)])
        if "error" in prepared:
            log(f"{scale:>4}x simulating the records failed: {prepared['error']}")
            failed = True
            continue
        limit = ["--memory-limit", str(memory_limit_mb)] if memory_limit_mb else []
        engine = _child(
            ["--measure", "engine", "--scale", str(scale), "--repeats", str(repeats), *limit]
        )
        ref = (
            _child(["--measure", "reference", "--scale", str(scale), "--repeats", "1"])
            if reference
            else {"seconds": nan, "peak_mb": nan}
        )
        if "error" in engine:
            log(f"{scale:>4}x engine failed: {engine['error']}")
            failed = True
            continue
        ratio = ref.get("seconds", nan) / engine["seconds"]
        log(
            f"{scale:>4}x {engine['articles']:>9,} {engine['rows']:>10,} "
            f"{engine['seconds']:>9.2f} {engine['peak_mb']:>9.0f} "
            f"{ref.get('seconds', nan):>11.2f} {ref.get('peak_mb', nan):>12.0f} {ratio:>6.1f}"
            + (f"  (reference failed: {ref['error']})" if "error" in ref else "")
            + (
                f"  engine runs: {', '.join(f'{t:.2f}' for t in engine['runs'])}"
                if len(engine["runs"]) > 1
                else ""
            )
        )
        if first is None:
            first = (engine, ref, ratio)
    if first:
        engine, ref, ratio = first
        log(
            f"bench: rows={engine['rows']} engine_s={engine['seconds']:.2f} "
            f"reference_s={ref.get('seconds', nan):.2f} "
            f"ratio={ratio:.1f} peak_mb={engine['peak_mb']:.0f}"
        )
    return 1 if failed else 0


# ---- coverage of the intervals and rank sets (analysis.uncertainty) ---------------------------

COVERAGE_YEARS = 200
COVERAGE_ARTICLES = 20_000  # a quarter of a Nature Index year, so that 200 take a few minutes
COVERAGE_LEADING = 20  # the leading table's length (analysis.pages.LEADING)
COVERAGE_BATCH = 10  # simulated years per run of the engine


@dataclass
class Tally:
    """What one variant's intervals and rank sets got right, over every listed city of every
    simulated year."""

    cities: int = 0
    ranks_covered: int = 0
    shares_covered: int = 0
    width: int = 0
    open_sets: int = 0

    def add(self, sets, true_ranks, shares, truths, se, critical, last) -> None:
        for rank_set, true_rank, share, truth, s in zip(sets, true_ranks, shares, truths, se):
            self.cities += 1
            self.ranks_covered += rank_set.contains(true_rank)
            self.shares_covered += abs(share - truth) <= critical * s
            self.width += rank_set.width(last)
            self.open_sets += rank_set.is_open


def _one_year(result: dict, year: int, leading: int):
    """The leading cities of one simulated year: ids, Shares, Counts, sum f² and covariances."""
    share = result["share"].astype({"level": str, "subject": str, "entity": str})
    city = share[
        (share["level"] == "city")
        & (share["subject"] == metrics.OVERALL)
        & (share["year"] == year)
    ]
    city = city.sort_values(["share", "entity"], ascending=[False, True]).head(leading)
    cov = result["covariance"].astype({"subject": str, "entity_a": str, "entity_b": str})
    cov = cov[(cov["subject"] == metrics.OVERALL) & (cov["year"] == year)]
    pairs = {
        frozenset((a, b)): v for a, b, v in zip(cov["entity_a"], cov["entity_b"], cov["sum_fafb"])
    }
    return city, pairs


def tally_year(tallies: dict, city, pairs, true_rank, truth, z: float, level: float) -> None:
    """Add one simulated year's leading cities to each variant's tally."""
    ids, shares = list(city["entity"]), list(city["share"])
    bounds = [uncertainty.share_se_bounds(s, n) for s, n in zip(shares, city["count"])]
    exact = [uncertainty.se_exact(v) for v in city["sum_f2"]]
    ranks, truths = [true_rank[c] for c in ids], [truth[c] for c in ids]
    for name, se, covariance in (
        ("most", [b[1] for b in bounds], None),
        ("least", [b[0] for b in bounds], None),
        ("exact", exact, uncertainty.covariance_of(ids, pairs)),
    ):
        sets = uncertainty.rank_sets(shares, [s**2 for s in se], covariance, level)
        tallies[name].add(sets, ranks, shares, truths, se, z, len(ids))


def coverage(
    years: int = COVERAGE_YEARS,
    articles: int = COVERAGE_ARTICLES,
    seed: int = SEED,
    level: float = uncertainty.LEVEL,
    leading: int = COVERAGE_LEADING,
    log=print,
) -> dict:
    """Simulate `years` years of `articles` articles from one fixed population of cities (no
    drift), take each year's leading `leading` cities as the supplement would, and count how often
    their 95 % intervals hold the true (expected) Share and their rank sets the true rank among
    all cities, for the SE bounds from Share and Count (most: the conservative sets the book
    shows; least: what the smallest possible SE would claim) and for the exact SE and covariances
    of the records. Prints a table and a summary line; returns the figures."""
    start = time.perf_counter()
    world = simulate.make_world(seed)
    truth = simulate.expected_shares(world, articles)
    true_rank = truth.rank(ascending=False, method="first").astype(int)
    z = uncertainty.z_value(level)
    tallies = {"most": Tally(), "least": Tally(), "exact": Tally()}
    # Simulated years are numbered 0, 1, ... (each its own random stream) and computed by the
    # engine a batch at a time: one DuckDB run per year would spend most of its time starting up.
    for first in range(0, years, COVERAGE_BATCH):
        batch = list(range(first, min(first + COVERAGE_BATCH, years)))
        result = metrics.compute(
            simulate.simulate(world, batch, articles, seed, drift=False), pairs=False
        )
        for year in batch:
            tally_year(tallies, *_one_year(result, year, leading), true_rank, truth, z, level)
    seconds = time.perf_counter() - start
    labels = {
        "most": "SE at most, sqrt(S) (the book's sets)",
        "least": "SE at least, S/sqrt(n)",
        "exact": "exact SE and covariances (records)",
    }
    log(
        f"coverage at {level:.0%}: {years} simulated years of {articles:,} articles from one "
        f"population (seed {seed}), the leading {leading} cities of each; truth: the expected "
        "Shares and their ranks among all cities"
    )
    log(
        f"{'variant':<40} {'rank sets':>9} {'width':>6} {'open':>6} {'Shares':>7}"
        f"   (share covered; mean width, open sets counted to rank {leading}; share open)"
    )
    figures = {"years": years, "articles": articles, "level": level, "seconds": seconds}
    for name, tally in tallies.items():
        n = max(tally.cities, 1)
        figures[name] = {
            "rank_coverage": tally.ranks_covered / n,
            "share_coverage": tally.shares_covered / n,
            "mean_width": tally.width / n,
            "open": tally.open_sets / n,
            "cities": tally.cities,
        }
        f = figures[name]
        log(
            f"{labels[name]:<40} {f['rank_coverage']:>9.2%} {f['mean_width']:>6.2f} "
            f"{f['open']:>6.1%} {f['share_coverage']:>7.2%}"
        )
    most = figures["most"]
    log(
        f"the conservative sets over-cover by {100 * (most['rank_coverage'] - level):+.2f} points "
        f"(ranks) and {100 * (most['share_coverage'] - level):+.2f} points (Shares); "
        f"{seconds:.0f} s"
    )
    log(
        f"coverage: years={years} articles={articles} "
        + " ".join(
            f"{name}_ranks={figures[name]['rank_coverage']:.4f} "
            f"{name}_shares={figures[name]['share_coverage']:.4f} "
            f"{name}_width={figures[name]['mean_width']:.2f}"
            for name in tallies
        )
        + f" seconds={seconds:.0f}"
    )
    return figures
