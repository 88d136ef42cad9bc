"""python -m analysis: the command line. Every sub-command has --help.

Exit status: 0 done; 1 the input data, a notebook or the build failed (one clear message, no
traceback); 2 a bad command line (one sentence naming the argument, before any work); 70 an
internal error (one line; --debug or ANALYSIS_DEBUG=1 shows the traceback). A command that fails
leaves its output folder exactly as it was (see analysis.pipeline.staging)."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from analysis.errors import (
    BuildError,
    DataError,
    PdfError,
    Problem,
    RecordError,
    RegistryError,
    RunError,
    Terminated,
)
from analysis.paths import DATA, shown
from analysis.pipeline import arguments as kind
from analysis.pipeline.staging import staged

# Each command imports the modules it works with when it runs, and only those: they are heavy
# (pandas, pandera, DuckDB, papermill, Altair, Playwright: about 3 s together) and each command
# needs a different few, so `--help`, a mistyped argument and a book with nothing to rebuild
# answer at once.

INTERNAL_ERROR = 70  # EX_SOFTWARE (sysexits.h)


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line naming the argument, not a usage block."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def _add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        type=kind.existing_folder,
        default=DATA,
        help="data folder (default: the repository's data/)",
    )


def _years_of(args) -> list[int]:
    """The data years a command works on: --year, or every year folder of --data (there must be
    one)."""
    from analysis.data import years_with_data

    years = years_with_data(args.data)
    if args.year and args.year not in years:
        raise DataError(
            [
                Problem(
                    shown(args.data / str(args.year)),
                    None,
                    None,
                    f"no data folder for year {args.year}",
                )
            ]
        )
    if not years:
        raise DataError(
            [
                Problem(
                    shown(args.data), None, None, "holds no data year: no folder named like 2022"
                )
            ]
        )
    return [args.year] if args.year else years


def cmd_validate(args) -> int:
    from analysis.data import load_year, untranslated

    years = _years_of(args)
    problems = []
    for year in years:
        try:
            load_year(year, args.data)
            print(f"{shown(args.data / str(year))}: valid")
        except DataError as e:
            problems += e.problems
    if problems:
        raise DataError(problems)
    for warning in untranslated(args.data):
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_tables(args) -> int:
    from analysis.data import load_year
    from analysis.pages import write_tables

    data = load_year(args.year, args.data)
    with staged(args.out) as staging:
        names = [path.name for path in write_tables(data, staging)]
    for name in names:
        print(shown(args.out / name))
    return 0


def cmd_run(args) -> int:
    from analysis.pipeline import sources

    if args.check:
        return _check(args)
    sources.update(args.data, [args.year] if args.year else None, force=args.force, jobs=args.jobs)
    return 0


def _check(args) -> int:
    """run --check: execute nothing; list what is not what the code and data make."""
    from analysis.pipeline import sources

    count, found = sources.check(args.data)
    if found:
        print(
            f"error: the committed book is not what the code and data make ({len(found)} of "
            f"{count} notebooks and the tables of contents differ):",
            file=sys.stderr,
        )
        for line in found:
            print(f"  {line}", file=sys.stderr)
        print(
            "Re-run them with `make book` (or `python -m analysis run`) and commit "
            "book/generated, _toc.yml and book/_toc-zh.yml.",
            file=sys.stderr,
        )
        return 1
    print(f"book/generated: all {count} notebooks and the tables of contents are up to date")
    return 0


def cmd_book(args) -> int:
    from analysis.pipeline import inputs

    key = f"book year={args.year} data={args.data.resolve()}"
    if not (args.out or args.force) and inputs.unchanged(key):
        print("book: nothing changed since the last build: _build/html/index.html")
        return 0
    from analysis.pipeline import book, sources

    if args.out:
        years = _years_of(args)
        with staged(args.out) as staging:
            book.build_other_data(args.data, staging, years, jobs=args.jobs)
        print(f"book: {shown(args.out / 'html' / 'index.html')}")
        return 0
    sources.update(args.data, [args.year] if args.year else None, force=args.force, jobs=args.jobs)
    html = book.build_html(force=args.force)
    inputs.record(key)
    print(f"book: {shown(html / 'index.html')}")
    return 0


def cmd_new_year(args) -> int:
    from analysis.data import CHECKLIST
    from analysis.pipeline.new_year import scaffold_year

    folder = scaffold_year(args.year, args.data)
    print(f"{shown(folder)}: every input file with its header, and {CHECKLIST} (what each needs)")
    return 0


def cmd_pdf(args) -> int:
    from analysis.pipeline.book import rebuild_pdfs

    for path in rebuild_pdfs():
        print(shown(path))
    return 0


def cmd_audit(args) -> int:
    import json

    from analysis import audit

    figures = audit.audit(args.year, args.data)
    card = audit.scorecard(args.year, figures)
    print(
        json.dumps(card, ensure_ascii=False, indent=2) if args.json else audit.scorecard_text(card)
    )
    missing = audit.unexplained(figures)
    if missing:
        print(
            f"error: {len(missing)} printed figure(s) differ from the recomputation with no "
            "explanation in "
            f"data/published/{args.year}/errata.csv: {', '.join(f.id for f in missing[:5])}",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_intervals(args) -> int:
    import json

    from analysis import pages, uncertainty
    from analysis.data import load_year

    data = load_year(args.year, args.data)
    records = uncertainty.interval_records(
        data, args.subject, top=pages.KINDS["intervals"].top, level=args.level
    )
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    print(
        f"{args.subject} {args.year}: standard error of each Share (least to most) and its rank "
        f"set at {args.level:.0%}, Bonferroni over the other {len(records) - 1} cities"
    )
    print(f"{'rank':>4}  {'city':<28} {'share':>10} {'count':>7} {'se':>17}  rank set")
    for r in records:
        ranks = (
            f"{r['rank_low']} or lower"
            if r["rank_high"] is None
            else f"{r['rank_low']}"
            if r["rank_low"] == r["rank_high"]
            else f"{r['rank_low']}-{r['rank_high']}"
        )
        se = f"{r['se_low']:,.2f}-{r['se_high']:,.2f}"
        print(
            f"{r['rank']:>4}  {r['city_id']:<28} {r['share']:>10,.2f} {r['count']:>7,} "
            f"{se:>17}  {ranks}"
        )
    return 0


def cmd_ingest(args) -> int:
    import json

    from analysis import ingest
    from analysis.data import load_year

    export = ingest.read_export(args.file)
    if export.year != args.year:
        raise DataError(
            [
                Problem(
                    shown(args.file),
                    None,
                    None,
                    f"is an export of {export.year}, not of {args.year}",
                )
            ]
        )
    result = {
        "year": export.year,
        "subject": args.subject,
        **{k: v for k, v in ingest.infer_factor(export).items() if k != "year"},
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        lo, hi = result["factor_interval"]
        print(
            f"{shown(args.file)}: {result['rows']} rows, Share {export.prev_year} and "
            f"{export.year}"
        )
        print(
            f"adjustment factor {export.year}/{export.prev_year}: {result['factor']} (consistent "
            f"with every fitting row: {lo} to {hi})"
        )
        for m in result["misfits"]:
            print(
                f"  misfit: row {m['row']} ({m['name']}) allows only {m['factor_interval'][0]} "
                f"to {m['factor_interval'][1]}"
            )
        if export.ignored_columns:
            print(f"  columns not used: {', '.join(export.ignored_columns)}")
    if args.write:
        # Edit a copy of the folder; it replaces the folder only if the result is valid input.
        with staged(args.write, seed=True) as staging:
            notes = ingest.write_inputs(
                export, args.subject, result["factor"], staging, args.data, args.names
            )
            load_year(args.year, staging)
        for note in notes:
            print(note.replace(str(staging), str(args.write)))
    return 0


def cmd_simulate(args) -> int:
    from analysis.records import from_records, simulate

    world = simulate.make_world(args.seed)
    records = simulate.simulate(world, args.years, args.articles, args.seed)
    with staged(args.out) as staging:
        records_dir, data_dir = staging / "records", staging / "data"
        records_dir.mkdir()
        for name in ("articles", "authorships", "affiliations"):
            getattr(records, name).to_csv(
                records_dir / f"{name}.csv", index=False, lineterminator="\n"
            )
        from_records.write_data_folder(
            records, world, args.years[-1], data_dir, source=simulate.LABEL
        )
        for folder in (records_dir, data_dir):
            (folder / "README.txt").write_text(
                f"{simulate.LABEL}\nyears={args.years[0]}-{args.years[-1]} "
                f"articles={args.articles} seed={args.seed}\n",
                encoding="utf-8",
            )
    print(
        f"{shown(args.out / 'records')}: {records.rows('articles'):,} articles, "
        f"{records.rows('authorships'):,} authorship rows"
    )
    print(
        f"{shown(args.out / 'data')}: data year {args.years[-1]} (use --data "
        f"{shown(args.out / 'data')})"
    )
    return 0


def cmd_from_records(args) -> int:
    from analysis.data import load_year
    from analysis.records import from_records, metrics

    records = metrics.read_records(args.records)
    reference = from_records.reference_of(records, args.data)
    with staged(args.out, seed=True) as staging:
        from_records.write_data_folder(
            records, reference, args.year, staging, source=f"computed from {shown(args.records)}"
        )
        load_year(args.year, staging)
    print(
        f"{shown(args.out / str(args.year))}: data year {args.year} computed from "
        f"{records.rows('articles'):,} articles"
    )
    return 0


def cmd_build_alias(args) -> int:
    # "build" also meant the HTML book and the _build/ folder: the command has its own name now.
    print("note: `build` is now called `from-records`; the old name will go", file=sys.stderr)
    return cmd_from_records(args)


def cmd_bench(args) -> int:
    import json

    from analysis.records import bench

    if args.prepare:
        folder = bench.records_folder(args.scale)
        print(json.dumps({"records": str(folder)}))
        return 0
    if args.measure:
        print(json.dumps(bench.measure(args.measure, args.scale, args.repeats, args.memory_limit)))
        return 0
    if args.coverage:
        bench.coverage()
        return 0
    if args.book or args.stress:
        from analysis.pipeline import bench_book

        if args.stress:
            return bench_book.stress(args.stress)
        bench_book.run()
        return 0
    return bench.run(
        args.scales,
        reference=not args.no_reference,
        repeats=args.repeats,
        memory_limit_mb=args.memory_limit,
    )


# Bounds of the counts: generous for real use, small enough that a typo is not taken for a request.
JOBS = kind.whole_number(1, 64)
ARTICLES = kind.whole_number(1, 10_000_000)
SEED = kind.whole_number(0, 2**32 - 1)  # numpy's seeds
SCALES = kind.whole_numbers(1, 256)
REPEATS = kind.whole_number(1, 100)
STRESS_RUNS = kind.whole_number(1, 1000)
MEMORY_MB = kind.whole_number(256, 1_048_576)


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="python -m analysis", description=__doc__.splitlines()[0])
    p.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    # Also accepted after the command; SUPPRESS keeps the command's default from undoing a --debug
    # before it.
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the traceback of an internal error",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(
        name: str, func, help: str, description: str | None = None
    ) -> argparse.ArgumentParser:
        c = sub.add_parser(
            name,
            help=help,
            description=description or help[0].upper() + help[1:] + ".",
            parents=[debug],
        )
        c.set_defaults(func=func)
        return c

    _data_commands(command)
    _book_commands(command)
    _records_commands(command)
    _bench_command(command)
    return p


def _data_commands(command) -> None:
    """validate, tables, audit: reading the data and what is computed from it."""
    v = command(
        "validate",
        cmd_validate,
        "check the data folder and report every problem",
        "Check data/reference and each data year against data/datapackage.json; report every "
        "problem "
        "(file, row, column, rule).",
    )
    v.add_argument(
        "--year", type=kind.year, help="only this data year (default: every year folder)"
    )
    _add_data(v)

    t = command(
        "tables",
        cmd_tables,
        "write every reproduced table of a year as CSV",
        "Recompute every table of a data year and write one CSV per table into --out.",
    )
    t.add_argument("--year", type=kind.year, required=True)
    t.add_argument(
        "--out", type=kind.output_folder, required=True, help="folder for the CSV files"
    )
    _add_data(t)

    i = command(
        "intervals",
        cmd_intervals,
        "print how sure each Share and rank of a year's leading table is",
        "For every city of the year's leading table: its Share and Count, the least and the most "
        "standard error of its Share (both the exact one where the year has article records' "
        "variances) and the set of ranks it may hold at --level (rank_high null when open below).",
    )
    i.add_argument("--year", type=kind.year, required=True)
    i.add_argument(
        "--subject",
        type=kind.identifier,
        default="overall",
        help="subject id of the leading table (default: overall)",
    )
    i.add_argument(
        "--level",
        type=kind.level,
        default=0.95,
        help="confidence level of the rank sets (default 0.95)",
    )
    i.add_argument("--json", action="store_true", help="print the records as one JSON array")
    _add_data(i)

    a = command(
        "audit",
        cmd_audit,
        "compare every printed figure with its recomputed value",
        "Classify every figure the supplement prints (reproduced, input, not checkable, erratum) "
        "and exit 1 "
        "on a difference the ledger does not explain.",
    )
    a.add_argument("--year", type=kind.year, required=True)
    a.add_argument("--json", action="store_true", help="print the scorecard as one JSON object")
    _add_data(a)


def _book_commands(command) -> None:
    """run, book, new-year, pdf: the notebooks, the book and its editions."""
    for name, func, text in (
        ("run", cmd_run, "execute the notebooks with papermill into book/generated/"),
        ("book", cmd_book, "run the notebooks, then build the HTML book into _build/html"),
    ):
        r = command(name, func, text, text[0].upper() + text[1:] + ". Unchanged runs are skipped.")
        r.add_argument(
            "--year",
            type=kind.year,
            help="only this edition (default: every year folder under --data)",
        )
        r.add_argument("--force", action="store_true", help="re-execute even unchanged notebooks")
        # A worker per core: each keeps its kernel and the kernel's client from page to page, so
        # it hardly waits. (One more worker than cores paid while every page started a client;
        # now the 26 pages of 2022 take 11.1-12.0 s on 2 cores with 2 workers, 12.3-14.0 s
        # with 3.)
        r.add_argument(
            "--jobs",
            type=JOBS,
            default=os.cpu_count() or 1,
            help="notebooks executed in parallel (default: the number of cores)",
        )
        _add_data(r)
        if name == "run":
            r.add_argument(
                "--check",
                action="store_true",
                help="execute nothing: exit 1 and list every notebook "
                "(and table of contents) that is missing, extra or stale",
            )
        else:
            r.add_argument(
                "--out",
                type=kind.output_folder,
                help="build a separate book from --data into this folder (every year the data "
                "folder "
                "holds); the repository's book is untouched",
            )

    n = command(
        "new-year",
        cmd_new_year,
        "start a data year: every input file's header and a checklist",
        "Create DATA/<year>/ with each input file of a data year (header only) and CHECKLIST.md "
        "saying what each needs and where it usually comes from. The folder becomes an edition "
        "once city_share.csv has rows.",
    )
    n.add_argument("year", type=kind.year)
    _add_data(n)

    command(
        "pdf",
        cmd_pdf,
        "print the PDF of each language's book again from its pages",
        "Build each language's book as one page (Jupyter Book's singlehtml) and print it with "
        "Chromium into _build/html/pdf/. `book` makes the PDFs too; this re-makes only them.",
    )


def _records_commands(command) -> None:
    """ingest, simulate, from-records (and its old name, build): making a data year."""
    g = command(
        "ingest",
        cmd_ingest,
        "read a Nature Index table export and infer its adjustment factor",
        "Read a city table export (position, name, country, two Shares, Count, % change in "
        "adjusted Share), "
        "infer the adjustment factor from its rows, and with --write turn it into input files "
        "for that year.",
    )
    g.add_argument("file", type=kind.existing_file)
    g.add_argument("--year", type=kind.year, required=True, help="the latest year of the export")
    g.add_argument(
        "--subject",
        type=kind.identifier,
        default="overall",
        help="subject id of the export (default: overall)",
    )
    g.add_argument("--json", action="store_true", help="print the result as one JSON object")
    g.add_argument(
        "--write",
        type=kind.output_folder,
        metavar="DIR",
        help="write DIR/<year>/city_share.csv and adjusted_share.csv",
    )
    g.add_argument(
        "--names",
        type=kind.existing_file,
        metavar="FILE",
        help="with --write: Chinese names for cities (CSV: name, country, name_zh)",
    )
    _add_data(g)

    s = command(
        "simulate",
        cmd_simulate,
        "write a seeded synthetic article set and the data year built from it",
        "Write OUT/records (articles, authorships, affiliations; SYNTHETIC) and OUT/data, a data "
        "folder for "
        "the last year built from them by the metrics engine.",
    )
    s.add_argument("--years", type=kind.year_range, required=True, help="e.g. 2015-2023")
    s.add_argument(
        "--articles", type=ARTICLES, default=80_000, help="articles per year (default 80,000)"
    )
    s.add_argument("--seed", type=SEED, default=1)
    s.add_argument("--out", type=kind.output_folder, required=True)

    for name, func, text in (
        (
            "from-records",
            cmd_from_records,
            "compute a data year from article records (articles, authorships, affiliations)",
        ),
        ("build", cmd_build_alias, "old name of from-records"),
    ):
        d = command(
            name,
            func,
            text,
            "Read RECORDS/{articles,authorships,affiliations}.csv or .parquet, compute every "
            "metric with the DuckDB engine and write a data folder (reference/, <year>/) to "
            "--out.",
        )
        d.add_argument("records", type=kind.existing_folder)
        d.add_argument(
            "--year",
            type=kind.year,
            required=True,
            help="the data year (earlier years in the records give adjusted Shares)",
        )
        d.add_argument("--out", type=kind.output_folder, required=True)
        _add_data(d)


def _bench_command(command) -> None:
    """bench: the benchmarks (they print figures)."""
    b = command(
        "bench",
        cmd_bench,
        "time the metrics engine against the pandas reference (prints figures)",
        "One row per size (multiples of ~80,000 articles); the last line sums up the first size.",
    )
    b.add_argument("--scales", type=SCALES, default=[1, 4, 16], help="default 1,4,16")
    b.add_argument("--no-reference", action="store_true", help="time the engine only")
    b.add_argument(
        "--repeats",
        type=REPEATS,
        default=3,
        help="engine runs per size; the median is reported (default 3)",
    )
    b.add_argument(
        "--book",
        action="store_true",
        help="time the book pipeline instead: clean, no-change and "
        "one-file rebuilds, and Jupyter Book's execute_notebooks: force",
    )
    b.add_argument(
        "--memory-limit",
        type=MEMORY_MB,
        metavar="MB",
        help="hold the engine's process to MB megabytes: "
        "DuckDB gets MB less a fixed headroom and spills the rest to disk",
    )
    b.add_argument(
        "--stress",
        type=STRESS_RUNS,
        metavar="N",
        help="build the whole book N times, each into a fresh "
        "output folder, and report every failure with its cause",
    )
    b.add_argument(
        "--coverage",
        action="store_true",
        help="measure the intervals instead: over a few hundred simulated years of one "
        "population, how often the rank sets and Share intervals hold the truth (bounds and "
        "exact), and how wide the sets are",
    )
    b.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    b.add_argument("--measure", choices=["engine", "reference"], help=argparse.SUPPRESS)
    b.add_argument("--scale", type=kind.whole_number(1, 256), default=1, help=argparse.SUPPRESS)


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as e:  # --help, or a bad command line (already said in one line)
        return e.code if isinstance(e.code, int) else 2

    def terminate(signum, frame):
        raise Terminated()

    # SIGTERM (a CI timeout, a service manager) ends the command as Ctrl-C does: all unwinds.
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        return args.func(args)
    except DataError as e:
        print(
            f"error: the input data is invalid ({len(e.problems)} "
            f"problem{'s' if len(e.problems) != 1 else ''}):",
            file=sys.stderr,
        )
        for problem in e.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except (RecordError, RunError, BuildError, PdfError, RegistryError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader closed the pipe (e.g. `| head`): stop quietly. Python's docs recipe: point
        # stdout at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted: nothing was replaced", file=sys.stderr)
        return 130
    except Terminated:
        print("terminated: nothing was replaced", file=sys.stderr)
        return 143
    except OSError as e:  # the machine said no: a full disk, a folder that vanished, a permission
        print(
            f"error: {e.strerror or e}{f': {e.filename}' if e.filename else ''}", file=sys.stderr
        )
        return 1
    except Exception as e:
        if args.debug or os.environ.get("ANALYSIS_DEBUG") == "1":
            raise
        first_line = (str(e).strip().splitlines() or [""])[0]
        print(f"internal error (please report): {type(e).__name__}: {first_line}", file=sys.stderr)
        return INTERNAL_ERROR
    finally:
        signal.signal(signal.SIGTERM, previous)
