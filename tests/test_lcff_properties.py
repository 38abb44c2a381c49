"""Properties of the LCFF count (docs/rules.md R10.2, R10.4, R10.5) on drawn students.

Each drawn student has a few SENR records around Census Day 2024 (2 October), SPRG
memberships of the R10.4 codes and ELAS statuses; the inputs go in as frames.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acgr import RefusedError, lcff
from acgr.lcff_run import LcffResult
from acgr.publish.upc import COUNT_COLUMNS

PROPS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCHOOLS = (("1964733", "1930001"), ("1964733", "1930002"), ("0161119", "0130003"))
DAY0 = dt.date(2024, 6, 1)
days = st.integers(0, 250).map(lambda n: DAY0 + dt.timedelta(days=n))
COUNTS = list(COUNT_COLUMNS)
SINGLE = COUNTS[1:7]


def _after(start: dt.date) -> Any:
    """Dates on or after ``start`` (an exit never precedes its start)."""
    return st.integers(0, 200).map(lambda n: start + dt.timedelta(days=n))


@st.composite
def inputs(draw: Any) -> dict[str, pl.DataFrame]:
    senr: list[dict[str, object]] = []
    sprg: list[dict[str, object]] = []
    sela: list[dict[str, object]] = []
    for i in range(draw(st.integers(1, 10))):
        ssid = f"8{i:09d}"
        for _ in range(draw(st.integers(1, 3))):
            lea, school = draw(st.sampled_from(SCHOOLS))
            start = draw(days)
            senr.append({
                "ssid": ssid, "reporting_lea": lea, "school_of_attendance": school,
                "enrollment_start_date": start,
                "enrollment_exit_date": draw(st.none() | _after(start)),
                "student_exit_reason_code": draw(st.sampled_from(["T160", "N470", "E230"])),
                "enrollment_status_code": draw(st.sampled_from(["10", "10", "20", "30"])),
                "grade_level_code": draw(st.sampled_from(["TK", "KN", "03", "09", "12", "US"])),
            })  # fmt: skip
        codes = draw(st.lists(st.sampled_from(["181", "182", "191", "135", "193"]), max_size=3))
        sprg.extend(
            {"ssid": ssid, "education_program_code": code,
             "education_program_membership_start_date": draw(days)}
            for code in codes
        )  # fmt: skip
        statuses = draw(st.lists(st.sampled_from(["EL", "RFEP", "TBD", "EO"]), max_size=2))
        sela.extend(
            {"ssid": ssid, "english_acquisition_status_code": status,
             "english_acquisition_status_start_date": draw(days)}
            for status in statuses
        )  # fmt: skip
    return {"senr": pl.DataFrame(senr), "sprg": _frame(sprg), "sela": _frame(sela)}


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows) if rows else pl.DataFrame({"ssid": []}, schema={"ssid": pl.String})


def _run(tables: dict[str, pl.DataFrame]) -> LcffResult | None:
    try:
        return lcff(tables, year="2024-25")
    except RefusedError:  # nobody enrolled on Census Day: refused
        return None


@PROPS
@given(inputs())
def test_r10_5_school_counts_sum_to_lea_county_and_state(tables: dict[str, pl.DataFrame]) -> None:
    result = _run(tables)
    if result is None:
        return
    leas = result.leas
    for level in ("C", "T"):
        got = leas.filter(pl.col("Aggregate Level") == level).select(COUNTS).sum()
        assert got.row(0) == result.schools.select(COUNTS).sum().row(0)
    lea = leas.filter(pl.col("Aggregate Level").is_in(["D", "S"])).select(COUNTS).sum()
    assert lea.row(0) == result.schools.select(COUNTS).sum().row(0)
    assert result.schools["Total Enrollment"].sum() == result.students.height


@PROPS
@given(inputs())
def test_r10_4_flags_nest_inside_the_upc_and_the_enrollment(
    tables: dict[str, pl.DataFrame],
) -> None:
    result = _run(tables)
    if result is None:
        return
    for row in result.schools.iter_rows(named=True):
        undup, el = row["Unduplicated FRPM Eligible Count"], row["English Learner (EL)"]
        upc, total = row["CALPADS Unduplicated Pupil Count (UPC)"], row["Total Enrollment"]
        for col in SINGLE:
            assert row[col] <= undup
        assert undup <= sum(row[c] for c in SINGLE)
        assert max(undup, el) <= upc <= undup + el  # no juvenile court school drawn
        assert upc <= total
    assert result.students["ssid"].n_unique() == result.students.height  # R10.2 one school


@PROPS
@given(inputs(), st.randoms(use_true_random=False))
def test_r10_2_row_order_changes_nothing(tables: dict[str, pl.DataFrame], rnd: Any) -> None:
    result = _run(tables)
    shuffled = {}
    for name, frame in tables.items():
        order = list(range(frame.height))
        rnd.shuffle(order)
        shuffled[name] = frame[order] if order else frame
    again = _run(shuffled)
    if result is None:
        assert again is None
        return
    assert again is not None
    assert result.schools.equals(again.schools)
    flags = ["ssid", "cds_code", "grade", "status", "upc", "english_learner", "unduplicated_frpm"]
    assert result.students.select(flags).equals(again.students.select(flags))
