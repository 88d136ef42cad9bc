"""Benchmark of the metrics engine against the vectorised pandas reference (tests/reference_metrics.py).

Each measurement runs in its own process, so that its peak memory (ru_maxrss) is its own. The timed
work is a whole data year: Count, Share and adjusted Share of cities, institutions and countries in
every subject and overall, and every pair's collaboration score. Generating the articles is not timed.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time

from analysis.paths import REPO

ARTICLES_1X = 80_000  # about one Nature Index year


def measure(kind: str, scale: int, repeats: int = 1, seed: int = 2022) -> dict:
    """Run in a child process: simulate, then time the engine or the reference `repeats` times; the
    median is reported (a single run on this 2-core machine varies by about ±15%)."""
    from analysis import metrics, simulate

    # The machine has 24 GB and no swap: a capped child fails with MemoryError instead of
    # calling the kernel's OOM killer on whatever is largest.
    limit = 18 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    world = simulate.make_world(seed)
    records = simulate.simulate(world, [2022], ARTICLES_1X * scale, seed)
    if kind == "engine":
        work = lambda: metrics.compute(records)  # noqa: E731
    else:
        sys.path.insert(0, str(REPO / "tests"))
        import reference_metrics

        work = lambda: reference_metrics.compute(records.articles, records.authorships, records.affiliations)  # noqa: E731
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": len(records.authorships), "articles": len(records.articles), "seconds": statistics.median(times),
            "runs": times, "peak_mb": peak_mb}


def _child(kind: str, scale: int, repeats: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "analysis", "bench", "--measure", kind, "--scale", str(scale), "--repeats", str(repeats)],
                         capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        last = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"
        return {"error": "out of memory (capped at 18 GB)" if "MemoryError" in last else last}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(scales: list[int], reference: bool = True, repeats: int = 3, log=print) -> None:
    """Engine seconds are the median of `repeats` runs; the reference, 10-50 times slower, runs once."""
    log(f"{'size':>5} {'articles':>9} {'rows':>10} {'engine_s':>9} {'engine_mb':>9} {'reference_s':>11} {'reference_mb':>12} {'ratio':>6}")
    first = None
    for scale in scales:
        engine = _child("engine", scale, repeats)
        ref = _child("reference", scale, 1) if reference else {"seconds": float("nan"), "peak_mb": float("nan")}
        if "error" in engine:
            log(f"{scale:>4}x engine failed: {engine['error']}")
            continue
        ratio = ref.get("seconds", float("nan")) / engine["seconds"]
        log(f"{scale:>4}x {engine['articles']:>9,} {engine['rows']:>10,} {engine['seconds']:>9.2f} {engine['peak_mb']:>9.0f} "
            f"{ref.get('seconds', float('nan')):>11.2f} {ref.get('peak_mb', float('nan')):>12.0f} {ratio:>6.1f}"
            + (f"  (reference failed: {ref['error']})" if "error" in ref else "")
            + (f"  engine runs: {', '.join(f'{t:.2f}' for t in engine['runs'])}" if len(engine["runs"]) > 1 else ""))
        if scale == 1:
            first = (engine, ref, ratio)
    if first:
        engine, ref, ratio = first
        log(f"bench: rows={engine['rows']} engine_s={engine['seconds']:.2f} reference_s={ref.get('seconds', float('nan')):.2f} "
            f"ratio={ratio:.1f} peak_mb={engine['peak_mb']:.0f}")
