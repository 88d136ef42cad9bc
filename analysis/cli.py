"""python -m analysis: the command line. Every sub-command has --help.

Errors in the input data, in a notebook or in the build are printed as one clear message (no
traceback) and give exit status 1."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from analysis.data import DataError, Problem, load_year, years_with_data
from analysis.paths import DATA, GENERATED, shown


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"a year is four digits, like 2022 (got {text!r})")
    return int(text)


def _add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", type=Path, default=DATA, help="data folder (default: the repository's data/)")


def cmd_validate(args) -> int:
    years = [args.year] if args.year else years_with_data(args.data)
    problems = []
    for year in years:
        try:
            load_year(year, args.data)
            print(f"{shown(args.data / str(year))}: valid")
        except DataError as e:
            problems += e.problems
    if problems:
        raise DataError(problems)
    return 0


def cmd_tables(args) -> int:
    from analysis.tables import write_tables

    data = load_year(args.year, args.data)
    for path in write_tables(data, args.out):
        print(shown(path))
    return 0


def _editions(args) -> dict[tuple[int | None, str], list[Path]]:
    """Run the notebooks of the requested years (all by default) in every language of the matrix;
    return every edition's executed notebooks, keyed by (year, language); year None = common pages."""
    from analysis import runner

    matrix = runner.read_matrix()
    years = [args.year] if getattr(args, "year", None) else matrix["years"]
    unlisted = [y for y in years if y not in matrix["years"]]
    if unlisted:
        raise runner.RunError(f"{unlisted[0]} is not in `years` of notebooks/runs.toml {matrix['years']}: "
                              "add it there to build that edition")
    # Plan (and so validate) everything first, then stage all editions and swap them in together.
    planned, editions = {}, {}
    for lang in matrix.get("languages", ["en"]):
        for year in matrix["years"]:
            folder = runner.edition_folder(GENERATED, year, lang)
            if year in years:
                planned[(year, lang)] = (runner.plan(year, args.data, lang), folder)
            else:
                editions[(year, lang)] = sorted(folder.glob("*.ipynb"))
        planned[(None, lang)] = (runner.plan_common(lang), runner.edition_folder(GENERATED, None, lang))
    done = runner.execute_editions(list(planned.values()), args.force, args.jobs)
    editions.update(zip(planned, done))
    return {key: editions[key] for key in sorted(editions, key=lambda k: (k[1] != "en", k[1], k[0] is None, k[0] or 0))}


def cmd_run(args) -> int:
    from analysis.book import write_toc

    write_toc(_editions(args))
    return 0


def cmd_book(args) -> int:
    from analysis.book import build_html, build_other_data, write_toc

    if args.out:
        years = [args.year] if args.year else years_with_data(args.data)
        html = build_other_data(args.data, args.out, years)
        print(f"book: {shown(html / 'index.html')}")
        return 0
    write_toc(_editions(args))
    html = build_html(force=args.force)
    print(f"book: {shown(html / 'index.html')}")
    return 0


def cmd_audit(args) -> int:
    import json

    from analysis import audit

    figures = audit.audit(args.year, args.data)
    card = audit.scorecard(args.year, figures)
    print(json.dumps(card, ensure_ascii=False, indent=2) if args.json else audit.scorecard_text(card))
    missing = audit.unexplained(figures)
    if missing:
        print(f"error: {len(missing)} printed figure(s) differ from the recomputation with no explanation in "
              f"data/published/{args.year}/errata.csv: {', '.join(f.id for f in missing[:5])}", file=sys.stderr)
        return 1
    return 0


def cmd_ingest(args) -> int:
    import json

    from analysis import ingest

    export = ingest.read_export(args.file)
    if export.year != args.year:
        raise DataError([Problem(shown(args.file), None, None, f"is an export of {export.year}, not of {args.year}")])
    result = {"year": export.year, "subject": args.subject, **{k: v for k, v in ingest.infer_factor(export).items() if k != "year"}}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        lo, hi = result["factor_interval"]
        print(f"{shown(args.file)}: {result['rows']} rows, Share {export.prev_year} and {export.year}")
        print(f"adjustment factor {export.year}/{export.prev_year}: {result['factor']} (consistent with every fitting row: {lo} to {hi})")
        for m in result["misfits"]:
            print(f"  misfit: row {m['row']} ({m['name']}) allows only {m['factor_interval'][0]} to {m['factor_interval'][1]}")
        if export.ignored_columns:
            print(f"  columns not used: {', '.join(export.ignored_columns)}")
    if args.write:
        # Write into a staging copy; the folder is replaced only if the result is valid input.
        import shutil

        target = args.write
        staging = target.parent / f".{target.name}.staging"
        shutil.rmtree(staging, ignore_errors=True)
        if target.exists():
            shutil.copytree(target, staging)
        try:
            notes = ingest.write_inputs(export, args.subject, result["factor"], staging, args.data)
            load_year(args.year, staging)
        except DataError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        old = target.parent / f".{target.name}.old"
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        for note in notes:
            print(note.replace(str(staging), str(target)))
    return 0


def _years(text: str) -> list[int]:
    first, _, last = text.partition("-")
    years = list(range(_year(first), _year(last or first) + 1))
    if not years:
        raise argparse.ArgumentTypeError(f"an empty range of years: {text!r}")
    return years


def cmd_simulate(args) -> int:
    from analysis import build, simulate

    world = simulate.make_world(args.seed)
    records = simulate.simulate(world, args.years, args.articles, args.seed)
    records_dir = args.out / "records"
    records_dir.mkdir(parents=True, exist_ok=True)
    for name in ("articles", "authorships", "affiliations"):
        getattr(records, name).to_csv(records_dir / f"{name}.csv", index=False, lineterminator="\n")
    data_dir = args.out / "data"
    build.write_data_folder(records, world, args.years[-1], data_dir, source=simulate.LABEL)
    for folder in (records_dir, data_dir):
        (folder / "README.txt").write_text(f"{simulate.LABEL}\nyears={args.years[0]}-{args.years[-1]} "
                                           f"articles={args.articles} seed={args.seed}\n", encoding="utf-8")
    print(f"{shown(records_dir)}: {len(records.articles):,} articles, {len(records.authorships):,} authorship rows")
    print(f"{shown(data_dir)}: data year {args.years[-1]} (use --data {shown(data_dir)})")
    return 0


def cmd_build(args) -> int:
    from analysis import build, metrics

    records = metrics.read_records(args.records)
    reference = build.reference_of(records, args.data)
    build.write_data_folder(records, reference, args.year, args.out, source=f"computed from {shown(args.records)}")
    load_year(args.year, args.out)
    print(f"{shown(args.out / str(args.year))}: data year {args.year} built from {len(records.articles):,} articles")
    return 0


def cmd_bench(args) -> int:
    import json

    from analysis import bench

    if args.measure:
        print(json.dumps(bench.measure(args.measure, args.scale, args.repeats)))
        return 0
    if args.book:
        from analysis import bench_book

        bench_book.run()
        return 0
    bench.run(args.scales, reference=not args.no_reference, repeats=args.repeats)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="check the data folder and report every problem", description="Check data/reference and each data year against data/datapackage.json; report every problem (file, row, column, rule).")
    v.add_argument("--year", type=_year, help="only this data year (default: every year folder)")
    _add_data(v)
    v.set_defaults(func=cmd_validate)

    t = sub.add_parser("tables", help="write every reproduced table of a year as CSV", description="Recompute every table of a data year and write one CSV per table into --out.")
    t.add_argument("--year", type=_year, required=True)
    t.add_argument("--out", type=Path, required=True, help="folder for the CSV files")
    _add_data(t)
    t.set_defaults(func=cmd_tables)

    a = sub.add_parser("audit", help="compare every printed figure with its recomputed value",
                       description="Classify every figure the supplement prints (reproduced, input, not checkable, "
                                   "erratum) and exit 1 on a difference the ledger does not explain.")
    a.add_argument("--year", type=_year, required=True)
    a.add_argument("--json", action="store_true", help="print the scorecard as one JSON object")
    _add_data(a)
    a.set_defaults(func=cmd_audit)

    for name, func, text in (("run", cmd_run, "execute the notebooks with papermill into book/generated/"),
                             ("book", cmd_book, "run the notebooks, then build the HTML book into _build/html")):
        r = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ". Unchanged runs are skipped.")
        r.add_argument("--year", type=_year, help="only this edition (default: every year in notebooks/runs.toml)")
        r.add_argument("--force", action="store_true", help="re-execute even unchanged notebooks")
        # One more worker than cores: a kernel spends part of its start-up waiting, not computing.
        r.add_argument("--jobs", type=int, default=(os.cpu_count() or 1) + 1,
                       help="notebooks executed in parallel (default: cores + 1)")
        _add_data(r)
        if name == "book":
            r.add_argument("--out", type=Path, help="build a separate book from --data into this folder "
                                                     "(every year the data folder holds); the repository's book is untouched")
        r.set_defaults(func=func)

    g = sub.add_parser("ingest", help="read a Nature Index table export and infer its adjustment factor",
                       description="Read a city table export (position, name, country, two Shares, Count, % change in "
                                   "adjusted Share), infer the adjustment factor from its rows, and with --write turn it "
                                   "into input files for that year.")
    g.add_argument("file", type=Path)
    g.add_argument("--year", type=_year, required=True, help="the latest year of the export")
    g.add_argument("--subject", default="overall", help="subject id of the export (default: overall)")
    g.add_argument("--json", action="store_true", help="print the result as one JSON object")
    g.add_argument("--write", type=Path, metavar="DIR", help="write DIR/<year>/city_share.csv and adjusted_share.csv")
    _add_data(g)
    g.set_defaults(func=cmd_ingest)

    s = sub.add_parser("simulate", help="write a seeded synthetic article set and the data year built from it",
                       description="Write OUT/records (articles, authorships, affiliations; SYNTHETIC) and OUT/data, a data "
                                   "folder for the last year built from them by the metrics engine.")
    s.add_argument("--years", type=_years, required=True, help="e.g. 2015-2023")
    s.add_argument("--articles", type=int, default=80_000, help="articles per year (default 80,000)")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--out", type=Path, required=True)
    s.set_defaults(func=cmd_simulate)

    d = sub.add_parser("build", help="compute a data year from article records (articles, authorships, affiliations)",
                       description="Read RECORDS/{articles,authorships,affiliations}.csv or .parquet, compute every metric "
                                   "with the DuckDB engine and write a data folder (reference/, <year>/) to --out.")
    d.add_argument("records", type=Path)
    d.add_argument("--year", type=_year, required=True, help="the data year (earlier years in the records give adjusted Shares)")
    d.add_argument("--out", type=Path, required=True)
    _add_data(d)
    d.set_defaults(func=cmd_build)

    b = sub.add_parser("bench", help="time the metrics engine against the pandas reference (prints figures)",
                       description="One row per size (multiples of ~80,000 articles); the last line is a summary of 1x.")
    b.add_argument("--scales", type=lambda t: [int(x) for x in t.split(",")], default=[1, 4, 16], help="default 1,4,16")
    b.add_argument("--no-reference", action="store_true", help="time the engine only")
    b.add_argument("--repeats", type=int, default=3, help="engine runs per size; the median is reported (default 3)")
    b.add_argument("--book", action="store_true", help="time the book pipeline instead: clean, no-change and "
                                                        "one-file rebuilds, and Jupyter Book's execute_notebooks: force")
    b.add_argument("--measure", choices=["engine", "reference"], help=argparse.SUPPRESS)
    b.add_argument("--scale", type=int, default=1, help=argparse.SUPPRESS)
    b.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from analysis import metrics
    from analysis.book import BuildError
    from analysis.runner import RunError

    try:
        return args.func(args)
    except DataError as e:
        print(f"error: the input data is invalid ({len(e.problems)} problem{'s' if len(e.problems) != 1 else ''}):", file=sys.stderr)
        for problem in e.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except metrics.RecordError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except (RunError, BuildError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader closed the pipe (e.g. `| head`): stop quietly. Python's docs recipe: point stdout
        # at devnull so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
