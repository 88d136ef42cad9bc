"""A page's fingerprint covers what the page used, and nothing else: the data files its kernel
opened, the folders it listed and the modules of `analysis` it imported (as the executed notebook
records them), its template and parameters, and the runner's notebook code."""

import json
import shutil

import pytest

from analysis.data import years_with_data
from analysis.paths import DATA, GENERATED, REPO
from analysis.pipeline import plan
from analysis.pipeline.notebook import METADATA_KEY


def records() -> dict[str, dict]:
    """What every committed notebook records of its run, by its path under book/generated."""
    return {
        str(p.relative_to(GENERATED)): json.loads(p.read_text(encoding="utf-8"))["metadata"][
            METADATA_KEY
        ]
        for p in sorted(GENERATED.glob("*/*.ipynb"))
    }


def stale_pages(planned) -> list[str]:
    return sorted(line.split(": ", 1)[1].split(" ")[0] for line in plan.stale(planned))


def test_a_page_records_the_data_files_it_opened_and_the_modules_it_imported():
    used = {path: record["inputs"] for path, record in records().items()}
    lead = used["2022/leading-cities.ipynb"]
    year_files = [f for f in lead["files"] if f.startswith("2022/")]
    assert year_files == [
        "2022/adjusted_share.csv",  # the leading cities among the risers
        "2022/city_share.csv",
        "2022/country_share.csv",
        "2022/location_share_input.csv",
    ]
    assert "analysis.tables" in lead["modules"] and "analysis.charts" in lead["modules"]
    # the rank history quotes this year's rank sets of its biggest movers: the leading table's
    assert [f for f in used["2022/rank-history.ipynb"]["files"] if f.startswith("2022/")] == [
        "2022/city_share.csv",
        "2022/country_share.csv",
        "2022/location_share_input.csv",
        "2022/rank_history.csv",
    ]
    assert "published/2022/text-figures.csv" in lead["files"]  # what it cannot check
    audit = used["2022/audit.ipynb"]["files"]
    assert "published/2022/errata.csv" in audit and "published/2022/zh/leading-cities.csv" in audit
    # The benchmark, the command line and the build machinery are no page's business.
    for record in used.values():
        assert not [
            m
            for m in record["modules"]
            if m.startswith("analysis.pipeline") or m in ("analysis.records.bench",)
        ]
    # Only the methods page and the audit use the records engine (worked examples, one rule).
    engine = sorted(p for p, r in used.items() if "analysis.records.metrics" in r["modules"])
    assert {p.split("/")[1] for p in engine} == {"methods.ipynb", "audit.ipynb"}


@pytest.fixture
def full_data_copy(tmp_path):
    """A copy of data/ with everything, ledger included, to change one file of."""
    shutil.copytree(DATA, tmp_path / "data", ignore=shutil.ignore_patterns("examples"))
    return tmp_path / "data"


def test_one_data_file_changed_makes_stale_exactly_the_pages_that_read_it(full_data_copy):
    planned = plan.plan_editions(years_with_data(full_data_copy), full_data_copy, GENERATED)
    assert stale_pages(planned) == []  # the copy is the data the committed pages were made from
    path = full_data_copy / "2022" / "rank_history.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    assert stale_pages(planned) == [
        "book/generated/2022-zh/audit.ipynb",
        "book/generated/2022-zh/rank-history.ipynb",
        "book/generated/2022/audit.ipynb",
        "book/generated/2022/rank-history.ipynb",
    ]


def test_a_module_changed_makes_stale_exactly_the_pages_that_import_it(monkeypatch, tmp_path):
    planned = plan.plan_editions(years_with_data())
    original = plan._module_file

    def edited(module: str):
        def module_file(name):
            if name != module:
                return original(name)
            changed = tmp_path / f"{name}.py"
            changed.write_bytes(original(name).read_bytes() + b"\n# an edit\n")
            return changed

        return module_file

    monkeypatch.setattr(plan, "_module_file", edited("analysis.audit"))
    assert stale_pages(planned) == [
        "book/generated/2022-zh/audit.ipynb",
        "book/generated/2022/audit.ipynb",
    ]
    for unused in ("analysis.records.bench", "analysis.records.simulate", "analysis.pipeline.cli"):
        monkeypatch.setattr(plan, "_module_file", edited(unused))
        assert stale_pages(planned) == [], unused
    monkeypatch.setattr(plan, "_module_file", edited("analysis.records.metrics"))
    assert {p.rsplit("/", 1)[1] for p in stale_pages(planned)} == {"audit.ipynb", "methods.ipynb"}


def test_the_runners_notebook_code_is_part_of_every_fingerprint(monkeypatch, tmp_path):
    run = plan.plan_common("en")[0]
    record = records()[f"common/{run.stem}.ipynb"]
    assert plan.fingerprint(run, record["inputs"]) == record["inputs_hash"]
    edited = tmp_path / "notebook.py"
    edited.write_bytes((REPO / "analysis" / "pipeline" / "notebook.py").read_bytes() + b"#\n")
    monkeypatch.setattr(plan, "RUNNER_CODE", edited)
    assert plan.fingerprint(run, record["inputs"]) != record["inputs_hash"]
