"""Benchmark of the book pipeline: clean build, no-change rebuild, one data file changed, Jupyter
Book's own `execute_notebooks: force` over the same templates and parameters, for comparison, and
the worked example's book with one and with two editions (how the time grows with editions); and a
stress run that builds the whole book again and again from a fresh output folder.

It works on the repository in place and puts everything back: book/generated/, _build/html and the
changed data file are restored at the end, whatever happens."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from analysis.data import years_with_data
from analysis.paths import BUILD, DATA, GENERATED, REPO
from analysis.pipeline import inputs
from analysis.pipeline.editions import LANGUAGES
from analysis.pipeline.plan import plan_editions


def _timed(cmd: list[str], cwd: Path = REPO) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return seconds, out.stdout


def _force_source(tmp: Path) -> Path:
    """A Jupyter Book source whose notebooks are the templates with their parameters written in, to
    be executed by Jupyter Book itself."""
    source = tmp / "force"
    lines = ["format: jb-book", "root: intro", "chapters:"]
    (source).mkdir(parents=True)
    (source / "intro.md").write_text("# Force\n", encoding="utf-8")
    for runs, folder in plan_editions(years_with_data()).values():
        for run in runs:
            nb = nbformat.read(run.template_path, as_version=4)
            cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
            cell.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in run.parameters.items())
            for c in nb.cells:
                if c.cell_type == "markdown":
                    c.source = c.source.replace("@YEAR@", str(run.year))
                    c.source = "\n".join(
                        line for line in c.source.splitlines() if "{ref}" not in line
                    )
            name = f"{folder.name}-{run.stem}"
            nbformat.write(nb, source / f"{name}.ipynb")
            lines.append(f"  - file: {name}")
    (source / "_toc.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = (
        (REPO / "_config.yml")
        .read_text(encoding="utf-8")
        .replace('execute_notebooks: "off"', "execute_notebooks: force")
    )
    config = config.replace(
        'html_static_path: ["book/_static"]', f'html_static_path: ["{REPO / "book" / "_static"}"]'
    )
    (source / "_config.yml").write_text(config, encoding="utf-8")
    return source


SHARES = re.compile(r"^(notebooks|en|zh): (.*)$")


def _shares(out: str) -> str:
    """Each step's time, as the book command reports it (notebooks; each language's HTML and
    PDF, which run side by side)."""
    return "; ".join(
        f"{m.group(1)} {m.group(2)}" for m in map(SHARES.match, out.splitlines()) if m
    )


def _example_books(tmp: Path) -> tuple[float, float, str]:
    """The worked example's books, built clean into fresh folders (no PDFs: `book --out`): the
    2022 edition alone, then 2022 and the 2023 edition made from data/examples/export-2023."""
    py = [sys.executable, "-m", "analysis"]
    one, two = tmp / "one-edition", tmp / "two-editions"
    for folder in (one, two):
        shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("examples"))
    example = DATA / "examples" / "export-2023"
    for name, options in (
        ("cities-overall-2023.csv", ["--names", str(example / "names-2023.csv")]),
        ("cities-health-sciences-2023.csv", ["--subject", "health-sciences"]),
    ):
        _timed(
            py + ["ingest", str(example / name), "--year", "2023", "--write", str(two)] + options
        )
    single, _ = _timed(py + ["book", "--data", str(one), "--out", str(tmp / "book-one")])
    double, out = _timed(py + ["book", "--data", str(two), "--out", str(tmp / "book-two")])
    return single, double, _shares(out)


def _corrected(rank_history: bytes) -> bytes:
    """The rank history with one figure corrected, as a maintainer would: the first row's rank
    moves by 50, so that the pages that show it, and both PDFs, change (a file whose bytes change
    but whose figures do not re-runs its notebooks but prints no PDF again)."""
    header, first, *rest = rank_history.decode("utf-8").splitlines(keepends=True)
    city, year, rank = first.rstrip("\r\n").split(",")
    return (header + f"{city},{year},{int(rank) + 50}\n" + "".join(rest)).encode("utf-8")


def run(log=print) -> dict:
    """Time the book as a maintainer builds it: clean, with nothing changed, with one data file
    changed; Jupyter Book's own execution of the same pages; and the worked example with one
    edition and with two. The repository's notebooks, book and data are put back afterwards."""
    py = sys.executable
    book = [py, "-m", "analysis", "book"]
    changed_file = DATA / "2022" / "rank_history.csv"
    original = changed_file.read_bytes()
    works = [BUILD / f".work-{lang}" for lang in LANGUAGES]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(GENERATED, tmp / "generated")
        if (BUILD / "html").exists():
            shutil.copytree(BUILD / "html", tmp / "html")
        try:
            shutil.rmtree(GENERATED)
            for folder in [BUILD / "html", *works]:
                shutil.rmtree(folder, ignore_errors=True)
            inputs.STAMP.unlink(missing_ok=True)
            clean, clean_out = _timed(book)
            no_change, _ = _timed(book)
            changed_file.write_bytes(_corrected(original))
            one_file, out = _timed(book)
            rerun = sum(
                int(line.split(", ")[2].split()[0])
                for line in out.splitlines()
                if "to run" in line
            )
            source = _force_source(tmp)
            force, _ = _timed(
                [py, "-c", "from jupyter_book.cli.main import main; main()", "build"]
                + [str(source), "--path-output", str(tmp / "force-out")]
            )
            single, double, double_out = _example_books(tmp)
        finally:
            changed_file.write_bytes(original)
            shutil.rmtree(GENERATED, ignore_errors=True)
            shutil.copytree(tmp / "generated", GENERATED)
            if (tmp / "html").exists():
                shutil.rmtree(BUILD / "html", ignore_errors=True)
                shutil.copytree(tmp / "html", BUILD / "html")
            # Sphinx's work folders hold the pages of the corrected data: the next build of the
            # restored notebooks starts clean (book._forget_unseen_changes would find them too)
            for folder in works:
                shutil.rmtree(folder, ignore_errors=True)
            inputs.STAMP.unlink(missing_ok=True)
    result = {
        "clean_s": round(clean, 2),
        "clean_steps": _shares(clean_out),
        "no_change_s": round(no_change, 2),
        "one_file_changed_s": round(one_file, 2),
        "one_file_steps": _shares(out),
        "one_file_notebooks_rerun": rerun,
        "jupyter_book_force_s": round(force, 2),
        "force_over_clean": round(force / clean, 2),
        # Jupyter Book makes no PDF: against the same book's HTML alone (book --out, clean)
        "force_over_clean_html": round(force / single, 2),
        "example_one_edition_s": round(single, 2),
        "example_two_editions_s": round(double, 2),
        "example_two_editions_steps": double_out,
    }
    log(json.dumps(result, ensure_ascii=False))
    log(
        f"bench-book: clean_s={result['clean_s']} no_change_s={result['no_change_s']} "
        f"one_file_changed_s={result['one_file_changed_s']} ({rerun} notebooks re-run) "
        f"force_s={result['jupyter_book_force_s']} force/clean={result['force_over_clean']} "
        f"force/clean_html={result['force_over_clean_html']} "
        f"example: one edition {result['example_one_edition_s']} s, two editions "
        f"{result['example_two_editions_s']} s"
    )
    return result


def stress(runs: int, log=print) -> int:
    """Build the whole book (every edition, every language) `runs` times, each into a fresh output
    folder with `python -m analysis book --out`, as a user would; report every failure with its
    cause and every kernel start that had to be retried. Returns 1 if any run failed."""
    failures, retried = 0, 0
    for i in range(1, runs + 1):
        with tempfile.TemporaryDirectory(prefix="stress-") as tmp:
            cmd = [
                sys.executable,
                "-m",
                "analysis",
                "book",
                "--data",
                str(DATA),
                "--out",
                str(Path(tmp) / "book"),
            ]
            start = time.perf_counter()
            out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
            seconds = time.perf_counter() - start
        retries = [line.strip() for line in out.stdout.splitlines() if "retrying once" in line]
        retried += len(retries)
        if out.returncode == 0:
            log(f"run {i}/{runs}: ok in {seconds:.1f} s" + "".join(f"\n  {r}" for r in retries))
        else:
            failures += 1
            cause = "\n  ".join(out.stderr.strip().splitlines()[-5:]) or f"exit {out.returncode}"
            log(
                f"run {i}/{runs}: FAILED after {seconds:.1f} s (exit {out.returncode}):\n  {cause}"
            )
    log(f"stress: runs={runs} failures={failures} kernel_start_retries={retried}")
    return 1 if failures else 0
