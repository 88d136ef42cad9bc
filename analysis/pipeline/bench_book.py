"""Benchmark of the book pipeline: clean build, no-change rebuild, one data file changed, and
Jupyter Book's own `execute_notebooks: force` over the same templates and parameters, for
comparison; and a stress run that builds the whole book again and again from a fresh output folder.

It works on the repository in place and puts everything back: book/generated/, _build/html and the
changed data file are restored at the end, whatever happens."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from analysis.data import years_with_data
from analysis.paths import BUILD, DATA, GENERATED, REPO
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


def run(log=print) -> dict:
    py = sys.executable
    book = [py, "-m", "analysis", "book"]
    changed_file = DATA / "2022" / "rank_history.csv"
    original = changed_file.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(GENERATED, tmp / "generated")
        if (BUILD / "html").exists():
            shutil.copytree(BUILD / "html", tmp / "html")
        try:
            shutil.rmtree(GENERATED)
            shutil.rmtree(BUILD / "html", ignore_errors=True)
            shutil.rmtree(BUILD / ".work", ignore_errors=True)
            clean, _ = _timed(book)
            no_change, _ = _timed(book)
            changed_file.write_bytes(
                original + b"\n"
            )  # same content, new bytes: its readers re-run
            one_file, out = _timed(book)
            rerun = sum(
                int(line.split(", ")[2].split()[0])
                for line in out.splitlines()
                if "to run" in line
            )
            source = _force_source(tmp)
            force, _ = _timed(
                [
                    py,
                    "-c",
                    "from jupyter_book.cli.main import main; main()",
                    "build",
                    str(source),
                    "--path-output",
                    str(tmp / "force-out"),
                ]
            )
        finally:
            changed_file.write_bytes(original)
            shutil.rmtree(GENERATED, ignore_errors=True)
            shutil.copytree(tmp / "generated", GENERATED)
            if (tmp / "html").exists():
                shutil.rmtree(BUILD / "html", ignore_errors=True)
                shutil.copytree(tmp / "html", BUILD / "html")
    result = {
        "clean_s": round(clean, 2),
        "no_change_s": round(no_change, 2),
        "one_file_changed_s": round(one_file, 2),
        "one_file_notebooks_rerun": rerun,
        "jupyter_book_force_s": round(force, 2),
        "force_over_clean": round(force / clean, 2),
    }
    log(json.dumps(result))
    log(
        f"bench-book: clean_s={result['clean_s']} no_change_s={result['no_change_s']} "
        f"one_file_changed_s={result['one_file_changed_s']} ({rerun} notebooks re-run) "
        f"force_s={result['jupyter_book_force_s']} force/clean={result['force_over_clean']}"
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
