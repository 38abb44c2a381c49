"""acgr compare-rules: legacy vs 2018 on the same extract (R7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
from typer.testing import CliRunner

from acgr.cli import app
from acgr.testing import senr_line, write_extract
from acgr.tools.compare_rules import compare_rules, hardest_hit, public_groups

D = dt.date


def _line(ssid: str, code: str, completion: str | None = None) -> str:
    return senr_line(
        ssid=ssid,
        enrollment_start_date=D(2014, 8, 15),
        enrollment_exit_date=D(2017, 3, 1),
        student_exit_reason_code=code,
        student_school_completion_status=completion,
    )


def test_changed_students_and_rates(tmp_path: Path) -> None:
    lines = [
        _line("1000000001", "E230", "100"),  # graduate under both
        _line("1000000002", "E230", "250"),  # Graduate (legacy) -> Adult Ed (2018)
        _line("1000000003", "T260"),  # Removed (legacy) -> Other Transfer (2018)
        _line("1000000004", "E140"),  # Dropout under both
    ]
    src = write_extract(tmp_path / "senr.txt", lines)
    cmp = compare_rules(src, class_of=2018)
    changed = dict(zip(cmp.students["ssid"], cmp.students["outcome_2018"], strict=True))
    assert changed == {"1000000002": "Adult Ed. HS Diploma", "1000000003": "Other Transfer"}
    state = cmp.rates.filter(pl.col("AggregateLevel") == "T").row(0, named=True)
    # legacy: 2 graduates of 3; 2018: 1 of 4 -> 66.7 vs 25.0, difference -41.7
    assert (state["rate_legacy"], state["rate_2018"]) == (
        pl.Series(["66.7"]).cast(pl.Decimal(4, 1))[0],
        pl.Series(["25.0"]).cast(pl.Decimal(4, 1))[0],
    )
    assert state["difference"] == "-41.7"


def test_transitions_tied_in_count_are_ordered_by_outcome(tmp_path: Path) -> None:
    # arrange: two transitions of one student each (a tie in count)
    lines = [
        _line("1000000001", "E230", "100"),
        _line("1000000002", "E230", "330"),  # Graduate (legacy) -> CHSPE Completer
        _line("1000000003", "T260"),  # Removed (legacy) -> Other Transfer
    ]
    src = write_extract(tmp_path / "senr.txt", lines)
    # act
    rows = compare_rules(src, class_of=2018).transitions.rows()
    # assert: most students first, ties by outcome names, every run alike
    assert rows == [("Graduate", "CHSPE Completer", 1), ("Removed", "Other Transfer", 1)]


# ---------------------------------------------------------------------------------
# By group and school: the 2018 change does not fall evenly
# ---------------------------------------------------------------------------------
#: Two schools of one LEA, 12 students each (hand-worked in the test below).
_SCHOOL_A, _SCHOOL_B = "1930000", "1931000"


def _student(ssid: int, school: str, gender: str, code: str, completion: str | None) -> str:
    return senr_line(
        ssid=f"{1000000000 + ssid}",
        school_of_attendance=school,
        student_gender_code=gender,
        enrollment_start_date=D(2014, 8, 15),
        enrollment_exit_date=D(2017, 3, 1),
        student_exit_reason_code=code,
        student_school_completion_status=completion,
    )


def _uneven_extract(tmp_path: Path) -> Path:
    """School A: boys 2 graduates + 4 adult-ed diplomas (250), girls 5 graduates + 1 dropout.
    School B: boys 4 graduates + 2 dropouts, girls 5 graduates + 1 adult-ed transfer (T260).
    """
    plan = [
        *[(_SCHOOL_A, "M", "E230", "100")] * 2,
        *[(_SCHOOL_A, "M", "E230", "250")] * 4,
        *[(_SCHOOL_A, "F", "E230", "100")] * 5,
        (_SCHOOL_A, "F", "E140", None),
        *[(_SCHOOL_B, "M", "E230", "100")] * 4,
        *[(_SCHOOL_B, "M", "E140", None)] * 2,
        *[(_SCHOOL_B, "F", "E230", "100")] * 5,
        (_SCHOOL_B, "F", "T260", None),
    ]
    lines = [_student(i, *p) for i, p in enumerate(plan, start=1)]
    return write_extract(tmp_path / "senr.txt", lines)


def _row(groups: pl.DataFrame, level: str, category: str, school: str | None = None) -> Any:
    """The one row of a school (its own CharterSchool/DASS flags) or of an All/All entity."""
    where = (pl.col("AggregateLevel") == level) & (pl.col("ReportingCategory") == category)
    if school is not None:
        where &= pl.col("SchoolCode") == school
    else:
        where &= (pl.col("CharterSchool") == "All") & (pl.col("DASS") == "All")
    return groups.filter(where).row(0, named=True)


def test_groups_fall_differently_from_all_students_r7_2(tmp_path: Path) -> None:
    # Arrange / Act
    cmp = compare_rules(_uneven_extract(tmp_path), class_of=2018)
    g = cmp.groups

    # Assert, hand-worked. Legacy (R7.2): 250 is a Graduate, T260 removes the student.
    # All students: legacy 20/23 = 87.0, 2018 16/24 = 66.7; 16/24 - 20/23 = -0.2029 -> -20.3
    ta = _row(g, "T", "TA")
    assert (ta["cohort_first"], ta["graduates_first"], ta["rate_first"]) == (23, 20, 870)
    assert (ta["cohort_second"], ta["graduates_second"], ta["rate_second"]) == (24, 16, 667)
    assert ta["difference"] == -203
    # Boys: legacy 10/12 = 83.3, 2018 6/12 = 50.0: -33.3, far more than all students
    gm = _row(g, "T", "GM")
    assert (gm["rate_first"], gm["rate_second"], gm["difference"]) == (833, 500, -333)
    # Girls: legacy 10/11 = 90.9, 2018 10/12 = 83.3; 10/12 - 10/11 = -0.07576 -> -7.6
    gf = _row(g, "T", "GF")
    assert (gf["rate_first"], gf["rate_second"], gf["difference"]) == (909, 833, -76)
    # School A: legacy 11/12 = 91.7, 2018 7/12 = 58.3: -33.3; School B: 9/11 = 81.8 ->
    # 9/12 = 75.0; 9/12 - 9/11 = -0.06818 -> -6.8
    a, b = _row(g, "S", "TA", _SCHOOL_A), _row(g, "S", "TA", _SCHOOL_B)
    assert (a["rate_first"], a["rate_second"], a["difference"]) == (917, 583, -333)
    assert (b["rate_first"], b["rate_second"], b["difference"]) == (818, 750, -68)
    # Gender rows of a school have 5 or 6 students: suppressed (R6.4)
    assert _row(g, "S", "GM", _SCHOOL_A)["suppressed"]
    assert not a["suppressed"]
    assert not b["suppressed"]


def test_hardest_hit_ranks_drops_among_rows_not_suppressed_r6_4(tmp_path: Path) -> None:
    # Arrange
    cmp = compare_rules(_uneven_extract(tmp_path), class_of=2018)

    # Act
    groups = hardest_hit(cmp.groups, "group")
    schools = hardest_hit(cmp.groups, "school")
    within = hardest_hit(cmp.groups, "school_group")

    # Assert: boys first; girls among the drops, below all students' -20.3
    ranked = list(zip(groups["ReportingCategory"], groups["difference"], strict=True))
    assert ranked[0] == ("GM", -333)
    assert ("GF", -76) in ranked
    assert [d for _, d in ranked] == sorted(d for _, d in ranked)
    assert list(zip(schools["SchoolCode"], schools["difference"], strict=True)) == [
        (_SCHOOL_A, -333),
        (_SCHOOL_B, -68),
    ]
    assert within.height == 0  # every gender row of a school is 6 students or fewer
    assert hardest_hit(cmp.groups, "school", top=1)["SchoolCode"].to_list() == [_SCHOOL_A]


def test_public_groups_star_small_rows_on_both_sides_r6_4(tmp_path: Path) -> None:
    # Arrange: a third school whose only student is an adult-ed transfer (T260): removed
    # under legacy (no row at all), Other Transfer under 2018 (cohort 1)
    extract = _uneven_extract(tmp_path)
    with extract.open("a", encoding="utf-8") as fh:
        fh.write(_student(99, "1932000", "F", "T260", None) + "\n")
    cmp = compare_rules(extract, class_of=2018)

    # Act
    public = public_groups(cmp.groups, "legacy", "2018")

    # Assert: the new school's row exists, zero under legacy, and is starred everywhere
    only_2018 = _row(cmp.groups, "S", "TA", "1932000")
    assert (only_2018["cohort_first"], only_2018["cohort_second"]) == (0, 1)
    shown = _row(public, "S", "TA", "1932000")
    numbers = [c for c in public.columns if c.startswith(("cohort_", "graduates_", "rate_"))]
    assert {shown[c] for c in [*numbers, "difference"]} == {"*"}
    # a school of 12 shows its numbers; the columns are named after the rule sets
    a = _row(public, "S", "TA", _SCHOOL_A)
    assert (a["rate_legacy"], a["rate_2018"], a["difference"]) == ("91.7", "58.3", "-33.3")
    assert (a["cohort_legacy"], a["graduates_2018"]) == ("12", "7")


def test_cli_prints_where_the_change_hits_hardest_within_100_columns(tmp_path: Path) -> None:
    # Act
    res = CliRunner().invoke(
        app,
        [
            "compare-rules",
            str(_uneven_extract(tmp_path)),
            "--class-of",
            "2018",
            "--out",
            str(tmp_path / "cmp"),
        ],
    )

    # Assert
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    head = lines.index("Largest drops by student group (the whole extract):")
    assert " ".join(lines[head + 1].split()) == "Male legacy 83.3 of 12 2018 50.0 of 12 -33.3"
    by_school = lines.index("Largest drops by school (all students):")
    assert lines[by_school + 1].split()[:2] == ["school", "19647331930000"]
    assert "All students of the extract (LEA 1964733):" in lines
    written = pl.read_csv(tmp_path / "cmp" / "rates_by_group.csv", infer_schema=False)
    assert {"ReportingCategory", "rate_legacy", "rate_2018", "difference"} <= set(written.columns)
    assert set(written["ReportingCategory"]) >= {"TA", "GM", "GF"}
