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
from pathlib import Path

import duckdb

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
