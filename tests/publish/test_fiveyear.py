"""Five-year counts, rates and ``fiveyear.txt`` (docs/rules.md R9.3, R9.4; docs/formats.md).

Counts of the hand-worked students of tests/fiveyear_cases.py, worked out by hand:

* S1 (19 64733 1930001) holds every five-year cohort student by the four-year
  attribution (9: all but the Removed one); graduates there: the four-year
  graduate and the three fifth-year graduates whose diploma is at S1.
* S2, S3, S4 each gain one student, as a graduate (R9.3).
* LEA 64733 holds S1 and S2: 9 students, the S2 graduate counted once, as a graduate.
* County 19 holds S1, S2, S3; county 30 only S4; the state counts each student once.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from acgr.five_year_run import FiveYearResult
from acgr.publish.fiveyear import FIFTH_YEAR_HEADER, five_year_counts, placements
from tests.fiveyear_cases import LINES, counts, run_five_year


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> FiveYearResult:
    return run_five_year(tmp_path_factory.mktemp("five"), LINES)


def test_r9_3_four_year_school_keeps_leavers_in_its_denominator(five: FiveYearResult) -> None:
    assert counts(five, "S", school="1930001") == (9, 4, 3)


def test_r9_3_graduating_school_gains_the_student_as_a_graduate(five: FiveYearResult) -> None:
    assert counts(five, "S", school="1930002") == (1, 1, 1)
    assert counts(five, "S", school="1940001") == (1, 1, 1)
    assert counts(five, "S", school="3030001") == (1, 1, 1)


def test_r9_3_lea_holding_both_schools_counts_the_student_once(five: FiveYearResult) -> None:
    assert counts(five, "D", district="64733") == (9, 5, 4)
    assert counts(five, "D", district="64734") == (1, 1, 1)


def test_r9_3_county_and_state_count_each_student_once(five: FiveYearResult) -> None:
    assert counts(five, "C", county="19") == (9, 6, 5)
    assert counts(five, "C", county="30") == (1, 1, 1)
    assert counts(five, "T") == (9, 7, 6)
    assert counts(five, "T")[0] == five.students.height


def test_r9_4_rate_over_the_cohort_with_added_students(five: FiveYearResult) -> None:
    row = five.table.filter(
        pl.col("AggregateLevel") == "T",
        pl.col("ReportingCategory") == "TA",
        pl.col("CharterSchool") == "All",
        pl.col("DASS") == "All",
    )
    assert str(row["Regular HS Diploma Graduates (Rate)"].item()) == "77.8"  # 7/9


def test_r9_4_fiveyear_txt_layout(five: FiveYearResult) -> None:
    text = five.text()
    assert "\r" not in text
    assert text.endswith("\n")
    header, first, *_ = text.split("\n")
    assert header.split("\t") == [
        "AcademicYear", "AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode",
        "CountyName", "DistrictName", "SchoolName", "CharterSchool", "DASS",
        "ReportingCategory", "CohortStudents", "Regular HS Diploma Graduates (Count)",
        "Regular HS Diploma Graduates (Rate)", FIFTH_YEAR_HEADER,
    ]  # fmt: skip
    # R6.4: nine students is a small cohort: starred; R6.5: the state row first.
    assert first.split("\t") == [
        "2018-19", "T", "00", "", "", "State", "", "", "All", "All", "TA", "*", "*", "*", "*",
    ]  # fmt: skip


def test_r9_3_charter_rows_are_the_set_of_their_schools(tmp_path: Path) -> None:
    # S2 is a charter: the LEA's charter row holds only the student who graduated
    # there; its non-charter row holds every student at S1, that one as a non-graduate.
    (tmp_path / "schools.csv").write_text(
        "cds_code,county_name,district_name,school_name,charter,dass\n"
        "19647331930001,Los Angeles,Unified,One High,N,N\n"
        "19647331930002,Los Angeles,Unified,Two Charter,Y,N\n",
        encoding="utf-8",
    )
    five = run_five_year(tmp_path, LINES, schools=tmp_path / "schools.csv")
    assert counts(five, "D", district="64733", charter="Yes") == (1, 1, 1)
    assert counts(five, "D", district="64733", charter="No") == (9, 4, 3)
    assert counts(five, "D", district="64733") == (9, 5, 4)
    assert counts(five, "T", charter="Yes") == (1, 1, 1)
    names = five.table.filter(pl.col("SchoolCode") == "1930002")["SchoolName"].unique()
    assert names.to_list() == ["Two Charter"]


def test_r9_3_placements_one_or_two_per_student(five: FiveYearResult) -> None:
    placed = placements(five.students.lazy()).collect()
    per_student = placed.group_by("ssid").len()
    moved = five.students.filter(
        pl.col("fifth_year_graduate") & (pl.col("graduating_cds_code") != pl.col("cds_code"))
    ).height
    assert placed.height == five.students.height + moved
    assert per_student["len"].max() == 2


def test_r9_4_counts_per_category_drop_no_student(five: FiveYearResult) -> None:
    rows = five_year_counts(placements(five.students.lazy())).collect()
    state = rows.filter(pl.col("level") == "T", pl.col("charter") == "All", pl.col("dass") == "All")
    ta = state.filter(pl.col("category") == "TA").row(0, named=True)
    assert (ta["cohort"], ta["graduates"], ta["fifth_year"]) == (9, 7, 6)
