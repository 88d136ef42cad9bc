"""The catalogue of bad command lines: every sub-command, every kind of option, many bad values.
Each must end with exit 2 (a bad argument) or 1 (the data it names is refused), one line naming the
argument, no traceback, and nothing written anywhere. Run in-process (analysis.pipeline.cli.main);
a few end-to-end checks in a new process follow."""

import os
import shutil

import pytest

from analysis.paths import DATA, REPO

# Placeholders, filled in per test: a fresh tmp folder, a file that exists, a folder that exists.
MISSING = "{tmp}/no/such/place"
A_FILE = "{tmp}/a-file.txt"
A_FOLDER = "{tmp}/a-folder"
UNWRITABLE = "/proc/no-such-place/out"  # no one, not even root, can create a folder there
INJECTION = [
    "2022; rm -rf /",
    "$(touch {tmp}/pwned)",
    "`touch {tmp}/pwned`",
    "../../etc/passwd\0x",
]

OUT_FOLDER = [MISSING.replace("no/such/place", "a-file.txt/below"), A_FILE, UNWRITABLE, "", " "]
IN_FOLDER = [MISSING, A_FILE, "", " ", "$(touch {tmp}/pwned)"]
IN_FILE = [MISSING, A_FOLDER, "", "$(touch {tmp}/pwned)"]
YEAR = [
    "",
    "22",
    "20222",
    "twenty",
    "-2022",
    "2022.0",
    "0000",
    "1900",
    "2200",
    "9999",
    "２０２２",
    *INJECTION[:2],
]
YEARS = [
    "",
    "2023-2015",
    "2015-",
    "-2015",
    "2015-20x3",
    "1800-2022",
    "2015--2016",
    "x",
    "2015,2016",
]
COUNT = [
    "",
    "0",
    "-1",
    "-5",
    "1.5",
    "x",
    "1e3",
    "99999999999999",
    "10000000000000000000000",
    *INJECTION[:1],
]
SUBJECT = ["", "Health Sciences", "x; rm -rf /", "../../etc", "UPPER", "a--b", "-lead"]
LEVEL = ["", "95", "95%", "1", "1.0", "0", "0.4", "-0.95", "x", "0.95.1", "nan", "1e-1"]

# (sub-command, the other arguments it needs to get as far as the option, option, bad values, exit
# code)
BASE = {
    "tables": ["tables", "--year", "2022", "--out", "{tmp}/tables-out"],
    "validate": ["validate"],
    "audit": ["audit", "--year", "2022"],
    "run": ["run", "--year", "2022"],
    "book": ["book", "--year", "2022", "--out", "{tmp}/book-out"],
    "ingest": ["ingest", "{export}", "--year", "2022"],
    "simulate": ["simulate", "--years", "2021-2022", "--articles", "50", "--out", "{tmp}/sim-out"],
    "from-records": ["from-records", "{records}", "--year", "2022", "--out", "{tmp}/records-out"],
    "bench": ["bench"],
    "intervals": ["intervals", "--year", "2022"],
}
OPTIONS = [
    ("tables", "--year", YEAR),
    ("tables", "--out", OUT_FOLDER),
    ("tables", "--data", IN_FOLDER),
    ("validate", "--year", YEAR),
    ("validate", "--data", IN_FOLDER),
    ("audit", "--year", YEAR),
    ("audit", "--data", IN_FOLDER),
    ("run", "--year", YEAR),
    ("run", "--jobs", COUNT),
    ("run", "--data", IN_FOLDER),
    ("book", "--year", YEAR),
    ("book", "--jobs", COUNT),
    ("book", "--data", IN_FOLDER),
    ("book", "--out", OUT_FOLDER),
    ("ingest", "file", IN_FILE),
    ("ingest", "--year", YEAR),
    ("ingest", "--subject", SUBJECT),
    ("ingest", "--write", OUT_FOLDER),
    ("ingest", "--data", IN_FOLDER),
    ("simulate", "--years", YEARS),
    ("simulate", "--articles", COUNT),
    ("simulate", "--seed", ["", "-1", "x", "1.5", "4294967296"]),
    ("simulate", "--out", OUT_FOLDER),
    ("from-records", "records", IN_FOLDER),
    ("from-records", "--year", YEAR),
    ("from-records", "--out", OUT_FOLDER),
    ("from-records", "--data", IN_FOLDER),
    ("bench", "--scales", ["", "0", "-1", "x", "1,,4", "1,0", "257", "1;4"]),
    ("bench", "--repeats", COUNT),
    ("bench", "--memory-limit", ["", "0", "-1", "x", "10", "99999999999"]),
    ("bench", "--stress", COUNT),
    ("intervals", "--year", YEAR),
    ("intervals", "--subject", SUBJECT),
    ("intervals", "--level", LEVEL),
    ("intervals", "--data", IN_FOLDER),
]
CASES = [(command, option, value) for command, option, values in OPTIONS for value in values]


def with_option(base: list[str], option: str, value: str) -> list[str]:
    """The base command line with `option` set to `value`: a positional replaced in place, an
    option given as `--option=value` (so that a value such as -5 stays a value, as a user would
    type it)."""
    args = list(base)
    if not option.startswith("--"):
        args[1] = value
        return args
    if option in args:
        i = args.index(option)
        del args[i : i + 2]
    return args + [f"{option}={value}"]


def snapshot(*folders):
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns)
        for folder in folders
        if folder.exists()
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def places(tmp_path):
    (tmp_path / "a-file.txt").write_text("not a folder")
    (tmp_path / "a-folder").mkdir()
    export = tmp_path / "export.csv"
    export.write_text(
        "Position,Name,Country,Share 2021,Share 2022,Count 2022,Change in Adjusted Share "
        "2021-2022\n"
        "1,Beijing,China,100.00,110.00,200,10.0%\n",
        encoding="utf-8",
    )
    shutil.copytree(DATA / "examples" / "records", tmp_path / "records")
    return {"tmp": str(tmp_path), "export": str(export), "records": str(tmp_path / "records")}


def test_the_catalogue_is_large_enough():
    assert len(CASES) >= 60
    assert {command for command, _, _ in CASES} == set(BASE)


@pytest.mark.parametrize(
    "command, option, value", CASES, ids=[f"{c} {o}={v!r}" for c, o, v in CASES]
)
def test_a_bad_argument_gets_one_sentence_and_writes_nothing(cli, places, command, option, value):
    tmp = places["tmp"]
    argv = [a.format(**places) for a in with_option(BASE[command], option, value)]
    watched = [REPO / "book" / "generated", REPO / "_build" / "html", REPO / "data"]
    before_repo, before_tmp = snapshot(*watched), sorted(os.listdir(tmp))
    result = cli(*argv)
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (
        result.stderr
    )
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: argument {option}: needs "), result.stderr
    assert sorted(os.listdir(tmp)) == before_tmp, "something was written"
    assert snapshot(*watched) == before_repo
    assert not (REPO / "pwned").exists()


def test_every_bad_value_is_refused_by_the_parser_before_any_work(cli, places):
    late = [
        (command, option, value)
        for command, option, value in CASES
        if cli(*[a.format(**places) for a in with_option(BASE[command], option, value)]).returncode
        != 2
    ]
    assert late == []


@pytest.mark.parametrize("command", ["validate", "tables", "audit", "run", "book"])
def test_a_data_folder_with_no_data_is_refused(cli, tmp_path, command):
    """A folder that exists but holds no data: an error naming it, not a silent success."""
    (tmp_path / "empty").mkdir()
    argv = [a.format(tmp=tmp_path) for a in BASE[command]] + ["--data", str(tmp_path / "empty")]
    result = cli(*argv)
    assert (
        result.returncode == 1 and result.stderr.startswith("error:") and "empty" in result.stderr
    ), result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_a_failing_command_leaves_its_output_folder_absent(cli, tmp_path):
    """`book --data` an empty folder fails (no datapackage.json) and leaves no --out folder
    behind."""
    (tmp_path / "empty").mkdir()
    result = cli("book", "--data", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and result.stderr.startswith("error:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_a_failing_command_leaves_an_existing_output_folder_as_it_was(cli, tmp_path, data_copy):
    out = tmp_path / "out"
    assert cli("tables", "--year", "2022", "--out", str(out)).returncode == 0
    (out / "mine.txt").write_text("a file of the user's")
    before = snapshot(out)
    (data_copy / "2022" / "city_share.csv").write_text("subject_id,city_id,share,count\n")
    assert (
        cli("tables", "--year", "2022", "--out", str(out), "--data", str(data_copy)).returncode
        == 1
    )
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_an_internal_error_is_one_line_with_exit_70_and_debug_shows_the_traceback(
    cli, monkeypatch
):
    from analysis import pages

    monkeypatch.setattr(pages, "write_tables", lambda *a, **k: 1 / 0)
    result = cli("tables", "--year", "2022", "--out", "/tmp/never-written")
    assert result.returncode == 70
    assert result.stderr == "internal error (please report): ZeroDivisionError: division by zero\n"
    with pytest.raises(ZeroDivisionError):
        cli("--debug", "tables", "--year", "2022", "--out", "/tmp/never-written")
    monkeypatch.setenv("ANALYSIS_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli("tables", "--year", "2022", "--out", "/tmp/never-written")
    assert not os.path.exists("/tmp/never-written")


def test_bench_reports_a_failed_engine_with_a_non_zero_exit(monkeypatch):
    from analysis.records import bench

    monkeypatch.setattr(bench, "_child", lambda args: {"error": "boom"})
    assert bench.run([1], log=lambda *_: None) == 1


@pytest.mark.parametrize(
    "argv, needs",
    [
        (["simulate", "--years", "2022", "--articles", "-5", "--out", "/tmp/never"], "--articles"),
        (["tables", "--year", "2022", "--out", "/etc/hostname"], "--out"),
    ],
)
def test_end_to_end_in_a_new_process(cli_process, argv, needs):
    result = cli_process(*argv)
    assert result.returncode == 2 and result.stdout == ""
    assert (
        result.stderr.count("\n") == 1
        and needs in result.stderr
        and "Traceback" not in result.stderr
    )
