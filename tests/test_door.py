"""The door, fuzzed: exports as spreadsheets, mail and hand edits leave them. Headers in the
spellings Nature Index uses, in any order, some missing, some extra; cells spoiled at random;
saved in UTF-8, UTF-8 with a byte-order mark, UTF-16 or Windows-1252, separated by commas,
semicolons or tabs, with decimal commas or points; sometimes cut short. `ingest --write` either
reads the export or refuses it (exit 1) with one line per problem; it never shows a traceback or
an internal error (exit 70), and a refusal leaves the data folder byte-identical.

Examples: the hypothesis profile's (tests/conftest.py: `ci` for make test, ten times as many for
make test-thorough)."""

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analysis.paths import DATA

# Each column of the worked example's export (cities-overall-2023.csv), in its order, with the
# spellings of its header that Nature Index tables use (analysis/ingest.py matches them).
SPELLINGS = {
    "position": ["Position", "Rank", "#", "No.", "position"],
    "name": ["City", "City/Metro", "City/metropolitan area", "Name", "City name", "Institution"],
    "country": ["Country", "Country/territory", "Country/Region", "Location"],
    "share_prev": ["Share 2022", "Share  2022", "share 2022"],
    "share": ["Share 2023", "SHARE 2023"],
    "count": ["Count 2023", "count 2023"],
    "change": [
        "Change in Adjusted Share 2022–2023",
        "Change Adjusted in Share 2022-2023*",
        "change in adjusted share 2022 — 2023 (%)",
    ],
}
EXTRA_COLUMNS = ["Notes", "Lat", "Share 2021", "Count 2022", ""]
# What a cell may become: anything, and the things spreadsheets and people put in number columns.
CELLS = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        ["", "n/a", "-", "1,234.5", "1.234,5", "12 %", "-0.5", "1e3", "inf", "nan", "=1+1"]
        + ["<b>x</b>", "Toronto\x07", '"', "\x00", "9" * 400, "T" * 200, "Zürich", "北京"]
    ),
    st.integers(-(10**6), 10**20).map(str),
    st.floats().map(str),
)


@st.composite
def exports(draw, example: list[list[str]]):
    """(rows with the header first, how they are saved, where the bytes are cut or None)."""
    roles = list(SPELLINGS)
    missing = draw(st.sampled_from(roles)) if draw(st.integers(0, 3)) == 0 else None
    order = [r for r in draw(st.permutations(roles)) if r != missing]
    extra = draw(st.lists(st.sampled_from(EXTRA_COLUMNS), max_size=2))
    taken = draw(st.lists(st.integers(1, len(example) - 1), min_size=1, max_size=8, unique=True))
    rows = [[draw(st.sampled_from(SPELLINGS[r])) for r in order] + extra]
    rows += [[example[i][roles.index(r)] for r in order] + ["x"] * len(extra) for i in taken]
    spoils = st.lists(st.tuples(st.integers(0), st.integers(0), CELLS), min_size=1, max_size=3)
    for row, column, value in draw(spoils) if draw(st.booleans()) else []:
        spoiled = rows[row % len(rows)]
        if spoiled:
            spoiled[column % len(spoiled)] = value
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    saved = {
        "delimiter": delimiter,
        "decimal": "." if delimiter == "," else draw(st.sampled_from([".", ","])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"])),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
    }
    return rows, saved, draw(st.floats(0, 1)) if draw(st.integers(0, 3)) == 0 else None


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A data folder to copy for each example (as the data_copy fixture makes one)."""
    target = tmp_path_factory.mktemp("door") / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("published", "examples"))
    return target


@settings(
    suppress_health_check=[*settings().suppress_health_check, HealthCheck.function_scoped_fixture]
)
@given(draws=st.data())
def test_ingest_reads_an_export_or_refuses_it_in_sentences(
    cli, pristine, example_rows, spreadsheet, snapshot, tmp_path, draws
):
    rows, saved, cut = draws.draw(exports(example_rows))
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        target = Path(folder) / "data"
        shutil.copytree(pristine, target)
        export = spreadsheet(Path(folder) / "export.csv", rows, **saved)
        if cut is not None:
            raw = export.read_bytes()
            export.write_bytes(raw[: int(len(raw) * cut)])
        before = snapshot(target)
        result = cli("ingest", export, "--year", "2023", "--write", target, "--data", target)
        assert result.returncode in (0, 1), result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        if result.returncode == 0:  # and what it wrote was validated before it replaced data/
            event("read")
            assert f"wrote {target / '2023' / 'city_share.csv'}" in result.stdout
            return
        event("refused")
        first, *problems = result.stderr.splitlines()
        count = len(problems)
        assert first == f"error: the input data is invalid ({count} problem{'s' * (count != 1)}):"
        # One line per problem, naming its file: the export, the reference or a file written.
        assert problems and all(p.startswith("  ") and ": " in p for p in problems)
        assert snapshot(target) == before
