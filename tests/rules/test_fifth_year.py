"""Fifth-year graduates (docs/rules.md R9.1, R9.2): hand-worked students of the class of 2018.

The students and dates are in tests/fiveyear_cases.py; every expected value below is
worked out by hand from them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from acgr.errors import RefusedError
from acgr.five_year_run import FIFTH_YEAR_GRADUATE_COLUMNS, FiveYearResult, fifth_year_graduates
from acgr.rules.fifth_year import FifthYearPeriods
from acgr.rules.ruleset import load_rules
from tests.fiveyear_cases import (
    AFTER5,
    AUG16,
    CUTOFF5,
    FOUR_YEAR,
    LINES,
    OTHER_LEA,
    REMOVED,
    SAME_LEA,
    SPED_THEN_DIPLOMA,
    SPED_Y5,
    five_row,
    run_five_year,
)
from tests.helpers import D, grad, rec


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> FiveYearResult:
    return run_five_year(tmp_path_factory.mktemp("five"), LINES)


def test_r9_2_periods_of_the_class_of_2018() -> None:
    periods = FifthYearPeriods.for_class(2018, load_rules("2018"))
    assert periods.four_year.summer_cutoff == D(2018, 8, 15)
    assert periods.four_year.extraction_date == D(2018, 9, 15)  # R9.1: Y's own default
    assert (periods.cutoff, periods.extraction_date) == (D(2019, 8, 15), D(2019, 9, 15))
    assert periods.academic_year_label == "2018-19"


def test_r9_2_diploma_the_day_after_the_four_year_cutoff(five: FiveYearResult) -> None:
    row = five_row(five, AUG16)
    assert row["four_year_outcome"] == "Still Enrolled"  # R3.3: exited after the cutoff
    assert row["fifth_year_graduate"] is True
    assert row["graduating_exit_date"] == D(2018, 8, 16)
    assert row["reason"] == "R9.2:E230/100:same-school"
    assert (row["graduating_file"].endswith("senr.txt"), row["graduating_line"]) == (True, 1)


def test_r9_2_diploma_on_the_fifth_year_cutoff_counts(five: FiveYearResult) -> None:
    row = five_row(five, CUTOFF5)
    assert (row["four_year_outcome"], row["fifth_year_graduate"]) == ("Dropout", True)
    assert row["graduating_exit_date"] == D(2019, 8, 15)
    assert row["graduating_line"] == 3


def test_r9_2_diploma_after_the_fifth_year_cutoff_does_not(five: FiveYearResult) -> None:
    row = five_row(five, AFTER5)
    assert (row["fifth_year_graduate"], row["graduate"]) == (False, False)
    assert row["graduating_cds_code"] is None
    assert row["reason"] == "R9.2:no-fifth-year-diploma"


def test_r9_2_sped_certificate_then_diploma_is_a_fifth_year_graduate(five: FiveYearResult) -> None:
    row = five_row(five, SPED_THEN_DIPLOMA)
    assert (row["four_year_outcome"], row["fifth_year_graduate"]) == ("SPED Certificate", True)


def test_r9_2_sped_certificate_in_year_5_is_not_a_graduate(five: FiveYearResult) -> None:
    row = five_row(five, SPED_Y5)
    assert (row["four_year_outcome"], row["fifth_year_graduate"]) == ("Dropout", False)


def test_r9_1_removed_student_is_not_in_the_five_year_cohort(five: FiveYearResult) -> None:
    assert REMOVED in five.four_year.students["ssid"].to_list()
    assert REMOVED not in five.students["ssid"].to_list()
    assert five.students.height == five.four_year.students.filter(pl.col("in_cohort")).height


def test_r9_1_four_year_graduate_keeps_its_outcome(five: FiveYearResult) -> None:
    row = five_row(five, FOUR_YEAR)
    assert (row["graduate"], row["fifth_year_graduate"]) == (True, False)
    assert row["reason"] == "R9.1:four-year-graduate"


def test_r9_3_graduate_at_another_school_keeps_the_four_year_school(five: FiveYearResult) -> None:
    for ssid, cds in ((SAME_LEA, "19647331930002"), (OTHER_LEA, "19647341940001")):
        row = five_row(five, ssid)
        assert row["cds_code"] == "19647331930001"  # R9.1: the four-year school
        assert row["graduating_cds_code"] == cds
        assert row["reason"] == "R9.3:E230/100:another-school"


def test_r9_1_four_year_part_uses_the_class_default_extraction_date(tmp_path: Path) -> None:
    # A T160 in June 2018 and a record starting 2018-09-20: after the four-year X
    # (2018-09-15), so the four-year outcome stays Dropout (lost transfer) even
    # though the fifth year is read as of 2019-09-15.
    ssid = "5902000001"
    lines = [
        rec(ssid, exit=D(2018, 6, 1), code="T160", school="1930001"),
        rec(ssid, D(2018, 9, 20), "12", exit=D(2019, 6, 7), code="E230", completion="100",
            school="1930002"),
    ]  # fmt: skip
    row = five_row(run_five_year(tmp_path, lines), ssid)
    assert (row["four_year_outcome"], row["cds_code"]) == ("Dropout", "19647331930001")
    assert row["fifth_year_graduate"] is True


def test_r9_2_earliest_graduation_then_lower_school(tmp_path: Path) -> None:
    ssid = "5902000002"
    lines = [
        rec(ssid, exit=D(2018, 3, 1), code="E140", school="1930001"),
        rec(ssid, D(2018, 10, 1), "12", exit=D(2019, 6, 7), code="E230", completion="100",
            school="1930009"),
        rec(ssid, D(2018, 10, 1), "12", exit=D(2019, 6, 7), code="E230", completion="100",
            school="1930005"),
        rec(ssid, D(2018, 10, 1), "12", exit=D(2019, 6, 8), code="E230", completion="100",
            school="1930002"),
    ]  # fmt: skip
    row = five_row(run_five_year(tmp_path, lines), ssid)
    assert (row["graduating_school_code"], row["graduating_line"]) == ("1930005", 3)


def test_r9_2_extraction_date_hides_later_records_and_warns(tmp_path: Path) -> None:
    lines = [*LINES, rec("5902000003", D(2014, 8, 20), exit=D(2018, 9, 1), code="E140")]
    res = run_five_year(tmp_path, lines, extraction_date=dt.date(2019, 6, 1))
    assert five_row(res, CUTOFF5)["fifth_year_graduate"] is False  # its record exits 2019-08-15
    assert five_row(res, AUG16)["fifth_year_graduate"] is True
    assert [rule for rule, _ in res.warnings] == ["ACGR0007", "ACGR0008"]
    assert set(res.findings.filter(pl.col("rule") == "ACGR0007")["severity"]) == {"warning"}


def test_r9_2_refused_when_no_record_reaches_the_fifth_year(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="do not cover its fifth year"):
        run_five_year(tmp_path, [grad("5902000004"), rec("5902000005", exit=D(2018, 3, 1),
                                                        code="E140")])  # fmt: skip


def test_r9_2_refused_when_x_is_not_after_the_four_year_cutoff(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="not after 2018-08-15"):
        run_five_year(tmp_path, LINES, extraction_date="2018-08-15")


def test_r9_3_fifth_year_graduates_are_listed_at_the_graduating_school(
    five: FiveYearResult,
) -> None:
    grads = fifth_year_graduates(five)
    assert grads.columns == list(FIFTH_YEAR_GRADUATE_COLUMNS)
    by_ssid = dict(grads.select("ssid", "cds_code").iter_rows())
    assert by_ssid[SAME_LEA] == "19647331930002"
    assert by_ssid[OTHER_LEA] == "19647341940001"
    assert by_ssid[AUG16] == "19647331930001"
    assert AFTER5 not in by_ssid
    assert FOUR_YEAR not in by_ssid
    assert grads.height == five.students["fifth_year_graduate"].sum()
