"""Hypothesis strategies of CALPADS SENR histories (need the ``test`` extra).

:func:`senr_histories` draws a few students' enrollment histories of one class;
:func:`senr_frame` turns them into a canonical SENR table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

#: Schools used by the strategies: (reporting LEA, school of attendance).
STRATEGY_SCHOOLS: tuple[tuple[str, str], ...] = (
    ("1964733", "1930001"),
    ("1964733", "1930002"),
    ("1964733", "0000001"),
    ("0161119", "0130003"),
    ("3768338", "3730004"),
)

#: Exit codes the strategies draw from (every code of the 2018 table, the excluded
#: ones, a few retired ones), weighted towards the common ones by repetition.
STRATEGY_EXIT_CODES: tuple[str, ...] = (
    "E230", "E230", "E230", "E230", "T160", "T160", "T165", "T167", "E140", "E140", "E155",
    "E150", "E300", "E400", "E410", "E490", "T380", "T180", "T200", "T240", "E130", "T370",
    "T260", "T280", "T270", "T310", "T460", "E156", "N420", "N470", "E125", "E170",
)  # fmt: skip


def senr_histories(
    class_of: int = 2018,
    *,
    max_students: int = 12,
    ssid_prefix: str = "90",
) -> Any:
    """Hypothesis strategy: a list of canonical SENR row dicts for several students.

    Each student gets 1-5 enrollment records spread over the four cohort years
    of ``class_of`` (and a little before and after), at a few schools in three
    LEAs, with every exit family, completion statuses, short-term and secondary
    records, open records, late completions and re-enrolments. The rows are
    valid input (no R3.4.1 rejections), so properties test the rules, not the
    reader.
    """
    from hypothesis import strategies as st

    year1 = dt.date(class_of - 4, 7, 1)
    horizon = (dt.date(class_of, 9, 30) - year1).days
    student = st.composite(_student)

    @st.composite
    def histories(draw: Any) -> list[dict[str, object]]:
        n = draw(st.integers(1, max_students))
        rows: list[dict[str, object]] = []
        for i in range(n):
            rows.extend(draw(student(f"{ssid_prefix}{i:08d}", year1, horizon)))
        return rows

    return histories()


def _student(draw: Any, ssid: str, year1: dt.date, horizon: int) -> list[dict[str, object]]:
    """One student's 1-5 records, starting in order from ``year1`` to ``horizon`` days on."""
    from hypothesis import strategies as st

    first_grade = draw(st.sampled_from([9, 9, 9, 10, 11, 12]))
    n = draw(st.integers(1, 5))
    offsets = sorted(draw(st.lists(st.integers(0, horizon), min_size=n, max_size=n)))
    record = st.composite(_record)
    return [draw(record(ssid, first_grade, year1, o)) for o in offsets]


def _record(
    draw: Any, ssid: str, first_grade: int, year1: dt.date, offset: int
) -> dict[str, object]:
    """One SENR record starting ``offset`` days after ``year1``; most are exited."""
    from hypothesis import strategies as st

    lea, school = draw(st.sampled_from(STRATEGY_SCHOOLS))
    start = year1 + dt.timedelta(days=offset)
    status = draw(st.sampled_from(["10", "10", "10", "10", "30", "20"]))
    years_in = (start - year1).days // 365
    grade = min(12, first_grade + years_in + draw(st.sampled_from([0, 0, 0, -1])))
    row: dict[str, object] = {
        "ssid": ssid,
        "reporting_lea": lea,
        "school_of_attendance": school,
        "enrollment_start_date": start,
        "enrollment_status_code": status,
        "grade_level_code": f"{max(grade, 8):02d}",
        "student_gender_code": draw(st.sampled_from(["M", "F", "X", ""])),
    }
    if draw(st.integers(0, 5)) > 0:  # most records are exited
        length = draw(st.integers(0, 500))
        row["enrollment_exit_date"] = start + dt.timedelta(days=length)
        code = draw(st.sampled_from(STRATEGY_EXIT_CODES))
        row["student_exit_reason_code"] = code
        if code == "E230":
            comp = draw(st.sampled_from(["100", "100", "100", "120", "250", "320", "330", "360"]))
            row["student_school_completion_status"] = comp
            if comp == "100":
                for col in (
                    "student_met_all_uc_csu_requirements_indicator",
                    "student_seal_of_biliteracy_indicator",
                    "student_golden_state_seal_merit_diploma_indicator",
                ):
                    row[col] = draw(st.sampled_from(["Y", "N"]))
    return row


__all__ = [
    "STRATEGY_EXIT_CODES",
    "STRATEGY_SCHOOLS",
    "senr_histories",
]
