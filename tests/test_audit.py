"""The audit classifies every printed figure, catches a wrong one, and is rounding-aware."""

import csv
import json
import re
import shutil

import pandas as pd
import pytest

from analysis import audit
from analysis.paths import DATA, REPO


@pytest.fixture(scope="module")
def figures():
    return audit.audit(2022)


@pytest.fixture(scope="module")
def recomputed():
    return audit._Recomputed(audit.load_year(2022))


@pytest.fixture(scope="module")
def spoiled(tmp_path_factory):
    """A copy of data/ whose ledger has three wrong printed figures (a table cell, a Chinese name,
    a figure of the text), and its audit: computed once for the tests that each look for one."""
    ledger = tmp_path_factory.mktemp("spoiled") / "data"
    shutil.copytree(DATA, ledger)
    path = ledger / "published/2022/risers-overall.csv"
    df = pd.read_csv(path, dtype=str)
    df.loc[2, "change"] = "252.61"  # printed 252.51
    df.to_csv(path, index=False)
    path = ledger / "published/2022/zh/partnerships-usa.csv"
    df = pd.read_csv(path, dtype=str)
    df.loc[7, "city2"] = "纽约"
    df.to_csv(path, index=False)
    path = ledger / "published/2022/text-figures.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[df["id"] == "nanjing-rise", "value"] = "274"
    df.to_csv(path, index=False)
    wrong = audit.unexplained(audit.audit(2022, ledger))
    assert len(wrong) == 3, [f.id for f in wrong]  # the three spoiled figures and nothing else
    return ledger, by_id(wrong)


def by_id(figures):
    return {f.id: f for f in figures}


def test_every_printed_table_cell_of_both_editions_is_in_the_audit(figures):
    cells = 0
    for folder in (DATA / "published/2022", DATA / "published/2022/zh"):
        for path in folder.glob("*.csv"):
            if path.stem in ("text-figures", "errata"):
                continue
            df = pd.read_csv(path, dtype=str)
            cells += df.size
    assert sum(f.id.count(":") >= 3 for f in figures) == cells


def test_the_known_errata_and_only_those(figures):
    errata = sorted(f.id for f in figures if f.status == "erratum")
    assert errata == sorted(
        [
            "en:leading-cities:1:location_share_pct",
            "en:leading-cities:2:location_share_pct",
            "zh:leading-cities:1:location_share_pct",
            "zh:leading-cities:2:location_share_pct",
            "zh:risers-earth-environmental-sciences:15:city",
            "beijing-adj-pct",
            "zh-beijing-adj-pct",
        ]
    )
    assert audit.unexplained(figures) == []


def test_rounding_in_the_last_digit_is_reproduced_not_an_erratum(figures):
    f = by_id(figures)
    # 183.70 - 142.87 = 40.83, printed 40.84: possible when the inputs were 183.704 and 142.865.
    assert f["en:risers-overall:20:change"].status == "reproduced"
    # 15.76 / 12.24 = 128.76 %, printed 128.84: within what the rounded inputs allow.
    assert f["en:risers-biological-sciences:11:change_pct"].status == "reproduced"


def test_statuses_of_inputs_and_unknowns(figures):
    f = by_id(figures)
    assert (
        f["en:leading-cities:9:location_share_pct"].status == "input"
    )  # Tokyo: Japan's Share unknown
    assert (
        f["ny-adj-fall"].status == "not_checkable"
        and "not printed" in f["ny-adj-fall"].explanation
    )
    assert f["zh:rank-history:beijing:city"].status == "input"
    assert f["cn-top10-prev"].status == "reproduced"


def test_the_interval_check():
    assert audit.consistent(19.45, 2, *audit.pct_change_interval(3126.63, 3734.62))
    assert not audit.consistent(19.5, 1, *audit.pct_change_interval(3126.63, 3734.62))
    assert audit.consistent(40.84, 2, *audit.change_interval(142.87, 183.70))
    assert not audit.consistent(40.86, 2, *audit.change_interval(142.87, 183.70))


def test_a_deliberately_wrong_printed_value_is_caught(spoiled, cli):
    ledger, wrong = spoiled
    assert wrong["en:risers-overall:3:change"].printed == "252.61"
    result = cli("audit", "--year", "2022", "--data", str(ledger))
    assert result.returncode == 1 and "en:risers-overall:3:change" in result.stderr


def test_a_wrong_chinese_name_is_caught(spoiled):
    _, wrong = spoiled
    assert wrong["zh:partnerships-usa:8:city2"].recomputed == "伊萨卡"


def test_a_wrong_text_figure_is_caught(spoiled):
    _, wrong = spoiled
    assert wrong["nanjing-rise"].recomputed.startswith("273.")


def test_the_cli_scorecard_and_json(cli):
    result = cli("audit", "--year", "2022", "--json")
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    assert set(card) == {"year", "figures", "reproduced", "input", "not_checkable", "errata"}
    assert card["figures"] == card["reproduced"] + card["input"] + card["not_checkable"] + len(
        card["errata"]
    )
    assert all(e["explanation"] for e in card["errata"])
    text = cli("audit", "--year", "2022")
    assert text.returncode == 0 and "errata         7" in text.stdout


def test_the_readme_quotes_the_current_audit(figures):
    """The README states the audit's figures; they must be the ones the audit computes."""
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    card = audit.scorecard(2022, figures)
    numbers = re.search(
        r"checks ([\d,]+) printed figures .*?: ([\d,]+) reproduced, ([\d,]+) inputs, "
        r"([\d,]+) not checkable"
        r".*?and ([\d,]+) errata \(([\d,]+) distinct",
        text,
    )
    assert numbers, "README no longer quotes the audit"
    quoted = [int(n.replace(",", "")) for n in numbers.groups()]
    distinct = len({e["id"].split(":", 1)[-1].removeprefix("zh-") for e in card["errata"]})
    assert quoted == [
        card["figures"],
        card["reproduced"],
        card["input"],
        card["not_checkable"],
        len(card["errata"]),
        distinct,
    ]


def documented_rules() -> dict[str, str]:
    """kind -> example, from the rule table of data/published/README.md."""
    text = (DATA / "published" / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9_]+)[^`]*` \| .*? \| `([^`]+)` \(", text, flags=re.M)
    return dict(rows)


def test_every_rule_is_documented_once_with_an_example():
    documented = documented_rules()
    assert sorted(documented) == sorted(audit.RULES)
    assert all(example.split(":")[0] == kind for kind, example in documented.items())


@pytest.mark.parametrize("kind", sorted(audit.RULES))
def test_each_documented_rule_example_agrees_with_its_ledger_row(kind, figures, recomputed):
    """The example is evaluated, and the ledger row that uses it is classified as documented."""
    example = documented_rules()[kind]
    rows = [
        r
        for r in csv.DictReader((DATA / "published/2022/text-figures.csv").open(encoding="utf-8"))
        if r["rule"] == example
    ]
    assert rows, f"no ledger row uses the documented example {example!r}"
    status, lo, hi, _ = audit.evaluate_rule(recomputed, example)
    assert status in ("reproduced", "input", "not_checkable")
    if lo is not None:
        assert audit.consistent(float(rows[0]["value"]), int(rows[0]["decimals"]), lo, hi)
    assert by_id(figures)[rows[0]["id"]].status == status


def test_an_unknown_rule_names_the_rules():
    with pytest.raises(ValueError, match="unknown audit rule 'sharez:x'.*count, example_share"):
        audit.evaluate_rule(None, "sharez:x")


def test_every_explanation_of_the_ledger_is_in_both_languages(figures):
    """The Chinese edition's audit chapter shows where each figure is and why, in Chinese."""
    shown = [f for f in figures if f.status in ("erratum", "not_checkable")]
    assert shown and all(f.where_zh and f.explanation_zh for f in shown)
    for f in shown:  # Chinese text; names, ids and numbers may stay as they are
        assert re.search(r"[\u4e00-\u9fff]", f.where_zh) and re.search(
            r"[\u4e00-\u9fff]", f.explanation_zh
        ), f.id
    for frame in (audit.errata_frame(figures, "zh"), audit.not_checkable_frame(figures, "zh")):
        assert not frame.iloc[:, 1].str.contains("row|column|opening", regex=True).any()
        # no English word in a Chinese cell (ids, names, numbers and file names may stay)
        for column in frame.columns[1:]:
            words = frame[column].str.findall(r"\b(?:to|first|four|six|table|transcribed)\b")
            assert not words.map(len).any(), (column, frame[column][words.map(len) > 0].tolist())


def test_a_table_cell_is_placed_by_the_tables_title_and_header_in_each_language(figures):
    f = by_id(figures)["zh:risers-earth-environmental-sciences:15:city"]
    assert f.where == (
        "table “Fastest risers: Earth & Environmental Sciences”, row 15 (Xi’an), "
        "column “City/Metro”"
    )
    assert f.where_zh == "“上升最快的城市：地球与环境科学”表第15行（西安），“城市/都市圈”列"


def test_an_interval_is_written_in_the_pages_language_and_once_when_its_ends_agree(figures):
    assert audit._fmt(10.92831, 10.92834, 2) == "10.9283"
    assert audit._fmt(10.92831, 10.92841, 2) == "10.9283 to 10.9284"
    assert audit._fmt(10.92831, 10.92841, 2, "zh") == "10.9283至10.9284"
    assert audit._fmt(4.0, 4.0, 0) == "4"
    beijing = by_id(figures)["en:leading-cities:1:location_share_pct"]
    assert beijing.recomputed == "19.2771"
    new_york = by_id(figures)["zh:leading-cities:2:location_share_pct"]
    assert (new_york.recomputed, new_york.recomputed_zh) == (
        "10.9283 to 10.9284",
        "10.9283至10.9284",
    )
    assert audit.errata_frame(figures, "zh").iloc[:, 3].tolist()[:2] == [
        "19.2771",
        "10.9283至10.9284",
    ]


def test_the_chinese_audit_lists_what_the_chinese_edition_prints(figures):
    """What cannot be checked, as the Chinese supplement prints it ("前4席", not "first four")."""
    en = audit.not_checkable_frame(figures, "en")
    zh = audit.not_checkable_frame(figures, "zh")
    assert len(en) == len(zh)
    assert "first four" in set(en.iloc[:, 2]) and "前4席" in set(zh.iloc[:, 2])
    assert all(i.startswith("zh-") for i in zh.iloc[:, 0])
