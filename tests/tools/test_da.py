"""CALPADS Differentiated Assistance readiness (docs/rules.md R11), worked by hand.

Final deadlines of the built-in rule set (acgr/rules/rulesets/da.toml): 2023-24 EOY
2024-08-16; 2024-25 Fall 1 2025-01-24, Fall 2 2025-02-28, EOY 2025-08-08; 2025-26 Fall 1
2026-01-23 (zero fatal errors by 2025-11-21), Fall 2 2026-02-27, EOY 2026-07-31.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import acgr
from acgr.cli import app
from acgr.errors import ExtractError
from acgr.rules.differentiated_assistance import SUBMISSIONS, load_da_rules
from acgr.tools.differentiated_assistance import assess

LEA = "1964733"
EOY = ("EOY 1", "EOY 2", "EOY 3", "EOY 4")
ON_TIME = {"2024-25": ("2025-01-10", "2025-02-20", *(["2025-08-01"] * 4))}
ON_TIME["2025-26"] = ("2026-01-10", "2026-02-20", *(["2026-07-20"] * 4))


def table(rows: Sequence[tuple[str, str, str, str]], **extra: list[str]) -> pl.DataFrame:
    """``(lea, academic_year, submission, certified_on)`` rows, deadlines left to the rules."""
    frame = pl.DataFrame(
        {
            "lea": [r[0] for r in rows],
            "academic_year": [r[1] for r in rows],
            "submission": [r[2] for r in rows],
            "deadline": [""] * len(rows),
            "certified_on": [r[3] for r in rows],
            **extra,
        }
    )
    return frame


def year(year: str, dates: tuple[str, ...], lea: str = LEA) -> list[tuple[str, str, str, str]]:
    return [(lea, year, s, d) for s, d in zip(SUBMISSIONS, dates, strict=True)]


def one(frame: pl.DataFrame, **kw: Any) -> dict[str, Any]:
    out = acgr.da(frame, **kw)
    assert out.height == 1
    return out.row(0, named=True)


def test_r11_2_2023_24_none_of_the_eoy_submissions_certified_is_eligible() -> None:
    row = one(table([(LEA, "2023-24", s, "") for s in EOY]))
    assert (row["eligible"], row["certification"]) == ("yes", "missed")
    assert row["criterion"] == "none_certified"
    assert "none of the submissions certified" in row["reason"]


def test_r11_2_2023_24_one_eoy_certified_even_late_is_not_eligible() -> None:
    rows = [(LEA, "2023-24", s, "") for s in EOY[:3]] + [(LEA, "2023-24", "EOY 4", "2024-09-30")]
    row = one(table(rows))
    assert (row["eligible"], row["certification"]) == ("no", "met")


@pytest.mark.parametrize("late", range(6))
def test_r11_2_2024_25_each_submission_certified_late_is_eligible(late: int) -> None:
    dates = list(ON_TIME["2024-25"])
    dates[late] = "2025-09-01"
    row = one(table(year("2024-25", tuple(dates))))
    assert row["eligible"] == "yes"
    assert row["missed_submissions"].startswith(f"{SUBMISSIONS[late]}: deadline ")
    assert row["missed_submissions"].endswith("certified 2025-09-01 (late)")


@pytest.mark.parametrize("never", range(6))
def test_r11_2_2024_25_each_submission_never_certified_is_eligible(never: int) -> None:
    dates = list(ON_TIME["2024-25"])
    dates[never] = ""
    row = one(table(year("2024-25", tuple(dates))))
    assert row["eligible"] == "yes"
    assert "certified never (never certified)" in row["missed_submissions"]


def test_r11_2_2024_25_on_time_and_exactly_on_the_deadline_is_not_eligible() -> None:
    on_deadline = ("2025-01-24", "2025-02-28", *(["2025-08-08"] * 4))
    for dates in (ON_TIME["2024-25"], on_deadline):
        row = one(table(year("2024-2025", dates)))
        assert (row["academic_year"], row["eligible"], row["missed_submissions"]) == (
            "2024-25",
            "no",
            "",
        )
        assert row["data_quality"] == "not_a_criterion"


def test_r11_2_2024_25_the_tables_own_deadline_is_used() -> None:
    frame = table(year("2024-25", ON_TIME["2024-25"])).with_columns(
        pl.when(pl.col("submission") == "Fall 2")
        .then(pl.lit("2025-02-10"))
        .otherwise(pl.col("deadline"))
        .alias("deadline")
    )
    assert one(frame)["missed_submissions"].startswith("Fall 2: deadline 2025-02-10")


def test_r11_2_2025_26_deadline_missed_and_data_quality_risk() -> None:
    dates = list(ON_TIME["2025-26"])
    dates[0] = "2026-01-24"
    findings = pl.DataFrame(
        {"rule": ["SENR0018", "EXTR0002"], "severity": ["fatal", "warning"],
         "cds_code": [f"{LEA}1930000", f"{LEA}1930000"]}
    )  # fmt: skip
    row = one(table(year("2025-26", tuple(dates))), findings=findings)
    assert (row["eligible"], row["certification"]) == ("yes", "missed")
    assert (row["data_quality"], row["fatal_findings"]) == ("risk", 1)
    assert row["zero_fatal_targets"] == (
        "Fall 1 2025-11-21; Fall 2 2026-02-13; EOY 1 not published; EOY 2 not published; "
        "EOY 3 not published; EOY 4 not published"
    )


def test_r11_3_2025_26_targets_and_sources_from_the_calendar() -> None:
    # CDE's 2025-26 CALPADS calendar: zero fatal errors by 21 Nov 2025 (Fall 1) and by
    # 13 Feb 2026 (Fall 2); the EOY amendment window closes 31 Jul 2026 (Flash #312).
    dates = load_da_rules().years["2025-26"].dates
    assert dates["Fall 2"].zero_fatal_target == dt.date(2026, 2, 13)
    assert dates["EOY 3"].final_deadline == dt.date(2026, 7, 31)
    assert dates["EOY 3"].zero_fatal_target is None
    assert dates["EOY 3"].zero_fatal_target_missing
    assert all(d.source.startswith("https://") for y in load_da_rules().years.values()
               for d in y.dates.values())  # fmt: skip


def test_r11_3_a_blank_target_is_a_finding_once_per_year_and_submission() -> None:
    # Two LEAs of 2025-26: the four EOY targets are blank, four findings (not eight),
    # each giving the reason; 2024-25 has every target, so none there.
    rows = [*year("2025-26", ON_TIME["2025-26"]), *year("2025-26", ON_TIME["2025-26"], "0110017"),
            *year("2024-25", ON_TIME["2024-25"])]  # fmt: skip
    found = assess(table(rows)).findings.filter(pl.col("rule") == "ACGR0210")
    assert found["message"].to_list() == [
        f"2025-26 {s}: no zero-fatal-error target (not found in CDE's 2025-26 CALPADS "
        "calendar or Flashes as stored (Flash #312, calendar)); none is assumed"
        for s in EOY
    ]
    assert found["line"].null_count() == 4


def test_r11_3_a_year_without_dates_says_its_targets_are_unknown() -> None:
    found = assess(table(year("2027-28", ON_TIME["2025-26"]))).findings
    blank = found.filter(pl.col("rule") == "ACGR0210")["message"]
    assert blank.len() == 6
    assert blank[0] == (
        "2027-28 Fall 1: no zero-fatal-error target (no date in the rule set for this year "
        "and submission); none is assumed"
    )


def test_r11_3_rules_file_may_give_a_target_and_cli_prints_provenance(tmp_path: Path) -> None:
    rules = tmp_path / "targets.toml"
    rules.write_text(
        'base = "da"\nname = "da-eoy"\n[years."2025-26".dates."EOY 1"]\n'
        "final_deadline = 2026-07-31\nzero_fatal_target = 2026-07-10\n"
        'zero_fatal_target_missing = ""\n'
    )
    src = tmp_path / "cert.csv"
    table(year("2025-26", ON_TIME["2025-26"])).write_csv(src)
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app, ["da", "--certifications", str(src), "--out", str(out), "--rules", str(rules)]
    )
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == (
        f"rules: da-eoy: base da, file {rules}, 2 settings overridden "
        '(years.2025-26.dates.EOY 1.zero_fatal_target null → "2026-07-10", '
        "years.2025-26.dates.EOY 1.zero_fatal_target_missing "
        "\"not found in CDE's 2025-26 CALPADS calendar or Flashes as stored (Flash #312, "
        'calendar)" → "")'
    )
    written = pl.read_csv(out / "da.csv", infer_schema=False).row(0, named=True)
    assert "EOY 1 2026-07-10; EOY 2 not published" in written["zero_fatal_targets"]
    assert written["rules"] == "da-eoy"


def test_r11_3_cli_bad_rules_file_is_exit_2_naming_the_key(tmp_path: Path) -> None:
    rules = tmp_path / "bad.toml"
    rules.write_text('base = "da"\n[data_quality]\nfatal_findings = "maybe"\n')
    src = tmp_path / "cert.csv"
    table(year("2024-25", ON_TIME["2024-25"])).write_csv(src)
    res = CliRunner().invoke(
        app, ["da", "--certifications", str(src), "--out", str(tmp_path / "o"), "--rules",
              str(rules)]
    )  # fmt: skip
    assert res.exit_code == 2
    assert "data_quality.fatal_findings" in res.stderr
    assert not (tmp_path / "o").exists()


def test_r11_2_2025_26_risk_is_not_eligibility_by_default_and_none_without_findings() -> None:
    frame = table(year("2025-26", ON_TIME["2025-26"]))
    findings = pl.DataFrame({"severity": ["fatal"], "cds_code": [f"{LEA}0000000"]})
    row = one(frame, findings=findings)
    assert (row["eligible"], row["data_quality"], row["fatal_findings"]) == ("no", "risk", 1)
    row = one(frame)
    assert (row["eligible"], row["data_quality"], row["fatal_findings"]) == (
        "no",
        "no_findings_given",
        None,
    )
    clean = pl.DataFrame({"severity": ["warning"], "cds_code": [f"{LEA}0000000"]})
    assert one(frame, findings=clean)["data_quality"] == "none"


def test_r11_2_data_quality_eligibility_setting_and_later_years(tmp_path: Path) -> None:
    rules = tmp_path / "dq.toml"
    rules.write_text('base = "da"\nname = "dq"\n[data_quality]\nfatal_findings = "eligibility"\n')
    frame = table(year("2027-28", ON_TIME["2025-26"]))
    findings = pl.DataFrame({"severity": ["fatal"], "cds_code": [f"{LEA}0000000"]})
    row = one(frame, findings=findings, rules=rules)
    assert (row["eligible"], row["data_quality"], row["rules"]) == ("yes", "missed", "dq")
    # 2027-28 inherits 2025-26's criterion, without its dates: deadlines unknown.
    assert "deadline unknown" in row["submissions"]


def test_r11_1_charter_is_never_eligible_by_column_or_code() -> None:
    rows = [(LEA, "2023-24", s, "") for s in EOY]
    row = one(table(rows, lea_type=["Charter"] * 4))
    assert (row["lea_type"], row["eligible"], row["certification"]) == ("charter", "no", "missed")
    assert row["reason"].startswith("charter: never eligible (R11.1)")
    code = "19647330123456"
    row = one(table([(code, "2023-24", s, "") for s in EOY]))
    assert (row["lea_type"], row["eligible"]) == ("charter", "no")
    assert one(table(rows, lea_type=["coe"] * 4))["eligible"] == "yes"


def test_r11_3_bad_rows_become_findings() -> None:
    rows = [
        ("", "2024-25", "Fall 1", ""),
        (LEA, "2024-26", "Fall 1", ""),
        (LEA, "2024-25", "Spring 9", ""),
        (LEA, "2024-25", "fall1", "13/01/2025"),
        (LEA, "2022-23", "EOY 1", ""),
        *year("2024-25", ON_TIME["2024-25"]),
        (LEA, "2024-25", "EOY 4", ""),
    ]
    result = assess(table(rows))
    rules = result.findings["rule"].to_list()
    assert rules == ["ACGR0201", "ACGR0202", "ACGR0203", "ACGR0204", "ACGR0207", "ACGR0206"]
    assert result.findings["line"].to_list()[:5] == [2, 3, 4, 5, 6]
    assert result.table["eligible"].to_list() == ["no"]


def test_r11_3_unreadable_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "c.csv"
    bad.write_text("lea,academic_year\n1,2\n")
    with pytest.raises(ExtractError, match=r"c\.csv: line 1: .*missing"):
        acgr.da(bad)


def test_r11_3_cli_writes_da_csv(tmp_path: Path) -> None:
    src = tmp_path / "cert.csv"
    table(year("2024-25", ON_TIME["2024-25"])).write_csv(src)
    found = tmp_path / "findings.csv"
    pl.DataFrame({"rule": ["X"], "severity": ["fatal"], "file": ["f"], "line": [1],
                  "cds_code": [f"{LEA}0000000"]}).write_csv(found)  # fmt: skip
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app, ["da", "--certifications", str(src), "--findings", str(found), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "1 LEA-years, 0 eligible" in res.output
    assert res.output.startswith("rules: da: built-in rule set\n")
    written = pl.read_csv(out / "da.csv", infer_schema=False)
    assert written.columns[:4] == ["lea", "academic_year", "lea_type", "eligible"]
    assert (out / "da_findings.csv").exists()


def test_r11_3_cli_unreadable_file_is_exit_2_one_line(tmp_path: Path) -> None:
    src = tmp_path / "cert.csv"
    src.write_text("lea,academic_year,submission,deadline,certified_on\n1,2024-25,Fall 1,,\n"
                   '2,"2024-25,Fall 1,,\n')  # fmt: skip
    res = CliRunner().invoke(app, ["da", "--certifications", str(src), "--out", str(tmp_path)])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "cert.csv: line " in lines[0]
    assert not (tmp_path / "da.csv").exists()


_DATE = st.dates(min_value=dt.date(2024, 6, 1),
                 max_value=dt.date(2026, 12, 31))  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1964733", "0110017", "19647330123456"]),
            st.sampled_from(["2023-24", "2024-25", "2025-2026"]),
            st.sampled_from(SUBMISSIONS),
            st.one_of(st.just(""), _DATE.map(str)),
        ),
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_r11_2_row_order_changes_nothing(rows: list[tuple[str, str, str, str]], rnd: Any) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert acgr.da(table(rows)).equals(acgr.da(table(shuffled)))


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["2024-25", "2025-26", "2023-24"]),
    st.lists(st.integers(min_value=0, max_value=60), min_size=6, max_size=6),
)
def test_r11_2_everything_certified_on_time_is_never_eligible(year_: str, early: list[int]) -> None:
    rules = load_da_rules().years[year_]
    rows: list[tuple[str, str, str, str]] = []
    for sub, days in zip(rules.submissions, early, strict=False):
        deadline = rules.dates[sub].final_deadline
        assert deadline is not None
        rows.append((LEA, year_, sub, str(deadline - dt.timedelta(days))))
    assert one(table(rows))["eligible"] == "no"
