"""The command line: every sub-command has --help; tables writes the contract; bad input is refused
without a traceback and without touching earlier output."""

import pytest

EXPECTED = {
    "leading-cities.csv",
    "risers-overall.csv",
    "risers-earth-environmental-sciences.csv",
    "risers-biological-sciences.csv",
    "rank-history.csv",
    "partnerships-china.csv",
    "partnerships-usa.csv",
    "institution-partnerships-beijing.csv",
    "share-intervals.csv",
}


@pytest.mark.parametrize(
    "command",
    [
        "validate",
        "tables",
        "run",
        "book",
        "pdf",
        "audit",
        "simulate",
        "bench",
        "ingest",
        "from-records",
        "build",
        "intervals",
    ],
)
def test_every_command_has_help(cli, command):
    result = cli(command, "--help")
    assert result.returncode == 0 and "usage:" in result.stdout


def test_validate_passes_on_the_repository_data(cli):
    result = cli("validate")
    assert result.returncode == 0, result.stderr
    assert "data/2022: valid" in result.stdout


def test_tables_writes_the_contract_files(cli, tmp_path):
    result = cli("tables", "--year", "2022", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert {p.name for p in tmp_path.iterdir()} == EXPECTED
    header = (tmp_path / "risers-overall.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "rank,city,country,adjusted_share_prev,adjusted_share,change,change_pct"


def test_tables_is_byte_identical_between_runs(cli, tmp_path):
    cli("tables", "--year", "2022", "--out", str(tmp_path / "a"))
    cli("tables", "--year", "2022", "--out", str(tmp_path / "b"))
    for name in EXPECTED:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_tables_refuses_bad_data_and_leaves_earlier_output(cli, tmp_path, data_copy):
    out = tmp_path / "out"
    assert (
        cli("tables", "--year", "2022", "--out", str(out), "--data", str(data_copy)).returncode
        == 0
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (data_copy / "2022" / "city_share.csv").write_text(
        "subject_id,city_id,share,count\noverall,beijing,many,1\n"
    )
    result = cli("tables", "--year", "2022", "--out", str(out), "--data", str(data_copy))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "row 1 (line 2), column 'share': must be a number; found 'many'" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("year", ["22", "2022; import os", "twenty"])
def test_a_bad_year_is_refused_by_the_parser(cli, year):
    result = cli("tables", "--year", year, "--out", "/tmp/never")
    assert (
        result.returncode == 2
        and "needs a year: four digits" in result.stderr
        and "Traceback" not in result.stderr
    )


def test_tables_never_reads_the_published_figures(cli, tmp_path, data_copy):
    assert not (data_copy / "published").exists()
    assert (
        cli(
            "tables", "--year", "2022", "--out", str(tmp_path), "--data", str(data_copy)
        ).returncode
        == 0
    )


def test_a_closed_pipe_ends_quietly():
    import subprocess
    import sys

    from analysis.paths import REPO

    result = subprocess.run(
        f"{sys.executable} -m analysis audit --year 2022 | head -1",
        shell=True,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.stdout.startswith("audit 2022") and result.stderr == ""


def test_the_old_build_command_still_works_and_says_its_new_name(cli, tmp_path):
    from analysis.paths import DATA

    result = cli(
        "build",
        str(DATA / "examples" / "records"),
        "--year",
        "2022",
        "--out",
        str(tmp_path / "out"),
    )
    new = cli(
        "from-records",
        str(DATA / "examples" / "records"),
        "--year",
        "2022",
        "--out",
        str(tmp_path / "o"),
    )
    assert (
        result.stderr.splitlines()[0]
        == "note: `build` is now called `from-records`; the old name will go"
    )
    # then exactly what from-records does (the example names institutions the reference lacks)
    assert (result.returncode, result.stderr.splitlines()[1:]) == (
        new.returncode,
        new.stderr.splitlines(),
    )
