"""Hypothesis properties of the five-year rate (docs/rules.md R9.1-R9.4)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import acgr
from acgr.checks.verdict import RefusedError
from acgr.testing import STRATEGY_SCHOOLS, senr_frame, senr_histories

PROPS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIFTH_YEAR = "Fifth-Year Graduates (Count)"
GRADS = "Regular HS Diploma Graduates (Count)"


def _fifth_year_row(
    ssid: str, school: tuple[str, str], days: int, completion: str
) -> dict[str, Any]:
    """A grade-12 record from 1 October 2018 to an E230 exit ``days`` later."""
    return {
        "ssid": ssid,
        "reporting_lea": school[0],
        "school_of_attendance": school[1],
        "enrollment_start_date": dt.date(2018, 10, 1),
        "enrollment_status_code": "10",
        "grade_level_code": "12",
        "enrollment_exit_date": dt.date(2018, 10, 1) + dt.timedelta(days=days),
        "student_exit_reason_code": "E230",
        "student_school_completion_status": completion,
    }


@st.composite
def five_year_histories(draw: Any) -> list[dict[str, Any]]:
    """Four-year histories of the class of 2018, and fifth-year diplomas for some students."""
    rows: list[dict[str, Any]] = draw(senr_histories(2018, max_students=8))
    ssids = sorted({str(r["ssid"]) for r in rows})
    for ssid in draw(st.lists(st.sampled_from(ssids), max_size=len(ssids), unique=True)):
        school = draw(st.sampled_from(STRATEGY_SCHOOLS))
        days = draw(st.integers(0, 330))  # up to 2019-08-27, past the fifth-year cutoff
        rows.append(_fifth_year_row(ssid, school, days, draw(st.sampled_from(["100", "120"]))))
    # One record dated in the fifth year, so every example reaches it.
    rows.append(_fifth_year_row("8800000001", STRATEGY_SCHOOLS[0], 100, "100") | {
        "grade_level_code": "10"})  # fmt: skip
    return rows


def _five(rows: list[dict[str, Any]]) -> acgr.FiveYearResult:
    try:
        return acgr.five_year({"senr": senr_frame(rows)}, class_of=2018, engine="in-memory")
    except RefusedError:
        reject()


@PROPS
@given(five_year_histories())
def test_r9_4_fifth_year_graduates_never_exceed_four_year_non_graduates(
    rows: list[dict[str, Any]],
) -> None:
    five = _five(rows)
    table = five.table
    four_year_grads = table[GRADS] - table[FIFTH_YEAR]
    assert (table[FIFTH_YEAR] <= table["CohortStudents"] - four_year_grads).all()
    assert (four_year_grads >= 0).all()
    non_graduates = five.students.filter(pl.col("four_year_outcome") != "Graduate").height
    assert int(five.students["fifth_year_graduate"].sum()) <= non_graduates


@PROPS
@given(five_year_histories())
def test_r9_3_state_counts_each_student_once(rows: list[dict[str, Any]]) -> None:
    five = _five(rows)
    state = five.table.filter(
        (pl.col("AggregateLevel") == "T")
        & (pl.col("ReportingCategory") == "TA")
        & (pl.col("CharterSchool") == "All")
        & (pl.col("DASS") == "All")
    )
    assert state["CohortStudents"].item() == five.students.height
    assert state[GRADS].item() == int(five.students["graduate"].sum())


@PROPS
@given(five_year_histories())
def test_r9_1_another_class_changes_nothing(rows: list[dict[str, Any]]) -> None:
    five = _five(rows)
    other = [  # a student of the class of 2020, graduating in the window of class 2018's fifth year
        {**_fifth_year_row("7700000001", STRATEGY_SCHOOLS[0], 200, "100"),
         "enrollment_start_date": dt.date(2016, 8, 20), "grade_level_code": "09"},
    ]  # fmt: skip
    assert_frame_equal(_five([*rows, *other]).table, five.table)
