"""Attribution of each cohort student to one school and LEA (docs/rules.md R4.1-R4.3)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from acgr.pipeline import AcgrResult
from tests.helpers import D, Scenario, grad, rate_row, rec, run, student

# ---------------------------------------------------------------------------- R4.1

S = Scenario()

GRAD_THEN_SUMMER = "4101000001"
S.add(
    # diploma at school ...01 in June 2018, then a summer record at ...02
    grad(GRAD_THEN_SUMMER, school="1930001", exit=D(2018, 6, 8)),
    rec(GRAD_THEN_SUMMER, D(2018, 7, 10), "12", school="1930002"),
)


def test_r4_1_graduate_counts_at_the_graduating_school(scenario: AcgrResult) -> None:
    row = student(scenario, GRAD_THEN_SUMMER)
    assert (row["outcome"], row["cds_code"]) == ("Graduate", "19647331930001")


TWO_DIPLOMAS, SAME_DAY_DIPLOMAS = "4101000002", "4101000003"
S.add(
    # graduates at ...01 (2017) and ...02 (2018): the latest exit wins
    grad(TWO_DIPLOMAS, exit=D(2017, 6, 9), school="1930001"),
    rec(TWO_DIPLOMAS, D(2017, 8, 20), "12", exit=D(2018, 6, 8), code="E230", completion="100",
        school="1930002"),
    # graduates at ...05 and ...04 the same day: the lower school code wins and supplies
    # the indicators (UC/CSU met only on that record)
    grad(SAME_DAY_DIPLOMAS, school="1930005", student_met_all_uc_csu_requirements_indicator="N"),
    rec(SAME_DAY_DIPLOMAS, D(2017, 8, 20), "12", exit=D(2018, 6, 8), code="E230",
        completion="100", school="1930004", student_met_all_uc_csu_requirements_indicator="Y"),
)  # fmt: skip


def test_r4_1_several_graduations_latest_exit_then_lower_school(scenario: AcgrResult) -> None:
    assert student(scenario, TWO_DIPLOMAS)["school_code"] == "1930002"
    row = student(scenario, SAME_DAY_DIPLOMAS)
    assert (row["school_code"], row["met_uc_csu"]) == ("1930004", True)


COMPLETER_THEN_OPEN = "4101000008"
S.add(
    # a GED at school ...01 in May 2018, then an open record at ...02
    grad(COMPLETER_THEN_OPEN, exit=D(2018, 5, 1), completion="320", school="1930001"),
    rec(COMPLETER_THEN_OPEN, D(2018, 5, 10), "12", school="1930002"),
)


def test_r4_1_completer_counts_at_the_completing_school(scenario: AcgrResult) -> None:
    row = student(scenario, COMPLETER_THEN_OPEN)
    assert (row["outcome"], row["school_code"]) == ("GED Completer", "1930001")


REENROLLED, TWO_OPEN = "4101000004", "4101000005"
S.add(
    # a dropout at ...01, then re-enrolment after the cutoff at ...02 (open)
    rec(REENROLLED, exit=D(2018, 3, 1), code="E400", school="1930001"),
    rec(REENROLLED, D(2018, 9, 1), "12", school="1930002"),
    # two open concurrent records, the later start at ...04
    rec(TWO_OPEN, D(2016, 8, 20), "11", school="1930004"),
    rec(TWO_OPEN, D(2014, 8, 20), "09", school="1930003"),
)


def test_r4_1_still_enrolled_at_the_open_record_with_latest_start(scenario: AcgrResult) -> None:
    one, two = student(scenario, REENROLLED), student(scenario, TWO_OPEN)
    assert (one["outcome"], one["school_code"]) == ("Still Enrolled", "1930002")
    assert (two["outcome"], two["school_code"]) == ("Still Enrolled", "1930004")


CLOSED_AFTER_CUTOFF = "4101000006"
S.add(
    # the final record at ...02 exits after the cutoff; the earlier one at ...01 is closed
    rec(CLOSED_AFTER_CUTOFF, exit=D(2016, 6, 10), code="T160", school="1930001"),
    rec(CLOSED_AFTER_CUTOFF, D(2016, 8, 20), "11", exit=D(2018, 8, 30), code="E400",
        school="1930002"),
)  # fmt: skip


def test_r4_1_still_enrolled_without_open_record_is_at_the_final_record(
    scenario: AcgrResult,
) -> None:
    row = student(scenario, CLOSED_AFTER_CUTOFF)
    assert (row["outcome"], row["school_code"]) == ("Still Enrolled", "1930002")


DROPOUT = "4101000007"
S.add(
    # ...01 for grades 9-10 (T160), then ...02 where the student drops out
    rec(DROPOUT, exit=D(2016, 6, 10), code="T160", school="1930001"),
    rec(DROPOUT, D(2016, 8, 20), "11", exit=D(2017, 3, 1), code="E400", school="1930002"),
)


def test_r4_1_dropout_counts_at_the_final_record(scenario: AcgrResult) -> None:
    row = student(scenario, DROPOUT)
    assert (row["outcome"], row["school_code"]) == ("Dropout", "1930002")
    assert row["record_line"] == S.line(DROPOUT, 2)


scenario = S.fixture()


# ---------------------------------------------------------------------------- R4.2


def test_r4_2_student_who_moved_lea_counts_once_at_the_last_lea(tmp_path: Path) -> None:
    # arrange: grade 9-10 in LEA 19-64733, then a diploma in LEA 01-10017
    lines = [
        rec(exit=D(2016, 6, 10), code="T160", lea="1964733", school="1930001"),
        rec(
            start=D(2016, 8, 20),
            grade="11",
            exit=D(2018, 6, 8),
            code="E230",
            completion="100",
            lea="0110017",
            school="0130401",
        ),
    ]
    # act
    result = run(tmp_path, lines)
    # assert
    ta_all = result.rates.filter(
        (pl.col("ReportingCategory") == "TA")
        & (pl.col("CharterSchool") == "All")
        & (pl.col("DASS") == "All")
    )
    d_rows = ta_all.filter(pl.col("AggregateLevel") == "D")
    assert d_rows.select("CountyCode", "DistrictCode", "CohortStudents").rows() == [
        ("01", "10017", 1)
    ]
    assert ta_all.filter(pl.col("AggregateLevel") == "C")["CountyCode"].to_list() == ["01"]
    assert rate_row(result, "T")["CohortStudents"] == 1
    assert rate_row(result, "T")["Regular HS Diploma Graduates (Count)"] == 1


def test_r4_2_removed_students_count_nowhere(tmp_path: Path) -> None:
    # arrange: one graduate in LEA 01-10017, one removed student (T200) in LEA 19-64733
    lines = [
        grad("1000000001", lea="0110017", school="0130401"),
        rec("1000000002", exit=D(2017, 3, 1), code="T200", lea="1964733", school="1930001"),
    ]
    # act
    result = run(tmp_path, lines)
    # assert
    assert result.rates.filter(pl.col("CountyCode") == "19").height == 0
    assert result.rates.filter(pl.col("DistrictCode") == "64733").height == 0
    assert rate_row(result, "T")["CohortStudents"] == 1
    assert student(result, "1000000002")["outcome"] == "Removed"


def test_r4_2_lea_county_state_are_those_of_the_school(tmp_path: Path) -> None:
    # arrange: two students at two schools of LEA 19-64733
    lines = [grad("1000000001", school="1930001"), grad("1000000002", school="1930002")]
    # act
    result = run(tmp_path, lines)
    # assert
    row = student(result, "1000000002")
    assert (row["county_code"], row["district_code"], row["school_code"]) == (
        "19",
        "64733",
        "1930002",
    )
    assert rate_row(result, "D", county="19", district="64733")["CohortStudents"] == 2
    assert rate_row(result, "S", school="1930001", charter="No", dass="No")["CohortStudents"] == 1


# ---------------------------------------------------------------------------- R4.3


def test_r4_3_cds_is_reporting_lea_plus_school(tmp_path: Path) -> None:
    row = student(run(tmp_path, [grad(lea="0110017", school="0130401")]))
    assert row["cds_code"] == "01100170130401"


def test_r4_3_directory_overrides_charter_reporting_under_its_own_code(tmp_path: Path) -> None:
    # arrange: a charter (school 0125401, authorised by 01-10017) whose records carry the
    # charter's own reporting LEA 0176869; a nonpublic-school placeholder 0000001 that the
    # directory also lists under another LEA
    schools = tmp_path / "schools.csv"
    schools.write_text(
        "cds_code,county_name,district_name,school_name,charter,dass\n"
        "01100170125401,Alameda,Oakland Unified,Test Charter,Y,N\n"
        "01100170000001,Alameda,Oakland Unified,Nonpublic,N,N\n",
        encoding="utf-8",
    )
    lines = [
        grad("1000000001", lea="0176869", school="0125401"),
        grad("1000000002", lea="1964733", school="0000001"),
    ]
    # act
    result = run(tmp_path, lines, schools=schools)
    # assert
    charter = student(result, "1000000001")
    assert (charter["cds_code"], charter["charter"]) == ("01100170125401", "Yes")
    assert student(result, "1000000002")["cds_code"] == "19647330000001"
    s_row = rate_row(result, "S", school="0125401", charter="Yes", dass="No")
    assert (s_row["SchoolName"], s_row["DistrictName"], s_row["CountyName"]) == (
        "Test Charter",
        "Oakland Unified",
        "Alameda",
    )
    assert rate_row(result, "D", county="01", district="10017")["CohortStudents"] == 1
