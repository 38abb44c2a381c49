"""acgr.rules.overlaps: overlapping records found by one sort equal a row-by-row reference."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from acgr.rules.overlaps import (
    PREV_END,
    _key_parts,
    _packed_overlaps,
    overlapping_records,
    prev_column,
)

DAYS = st.integers(min_value=0, max_value=40)
BASE = dt.date(2015, 8, 1)
PREV_LEA = prev_column("lea")

records = st.lists(
    st.tuples(
        # "012" and "12" are different students; "X7" is not all digits, so a
        # frame holding it is sorted by columns instead of one packed key.
        st.sampled_from(["1000000001", "1000000002", "2000000003", "012", "12", "X7", None]),
        DAYS,
        st.one_of(DAYS, st.just(10_000)),  # 10,000 days: an open record filled far
        st.sampled_from(["a.txt", "b.txt"]),
        st.sampled_from(["0110000", "0220000", None]),
    ),
    max_size=30,
)


def _frame(rows: list[tuple[str | None, int, int, str, str | None]]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "ssid": [r[0] for r in rows],
            "start": [BASE + dt.timedelta(days=r[1]) for r in rows],
            "_end": [BASE + dt.timedelta(days=r[1] + r[2]) for r in rows],
            "source_file": [r[3] for r in rows],
            "source_line": list(range(1, len(rows) + 1)),
            "lea": [r[4] for r in rows],
        },
        schema={
            "ssid": pl.String,
            "start": pl.Date,
            "_end": pl.Date,
            "source_file": pl.Categorical,
            "source_line": pl.Int64,
            "lea": pl.String,
        },
    )


def _reference(frame: pl.LazyFrame) -> pl.DataFrame:
    """The contract spelled out row by row: per student, in order, the latest end
    so far and the LEA of the record holding it (the later record on equal ends)."""
    rows = frame.collect().with_columns(pl.col("source_file").cast(pl.String)).to_dicts()
    rows.sort(
        key=lambda r: (r["ssid"] or "", r["start"], r["_end"], r["source_file"], r["source_line"])
    )
    state: dict[str | None, tuple[dt.date, str | None]] = {}
    for r in rows:
        prev = state.get(r["ssid"])
        r[PREV_END], r[PREV_LEA] = prev if prev else (None, None)
        if prev is None or r["_end"] >= prev[0]:
            state[r["ssid"]] = (r["_end"], r["lea"])
    return pl.DataFrame(
        rows,
        schema={
            **frame.collect_schema(),
            "source_file": pl.String,
            PREV_END: pl.Date,
            PREV_LEA: pl.String,
        },
    )


@settings(max_examples=60, deadline=None)
@given(records)
def test_earlier_end_matches_per_student_window(
    rows: list[tuple[str | None, int, int, str, str | None]],
) -> None:
    frame = _frame(rows)
    got = overlapping_records(frame, end="_end", carry="lea").collect()
    got = got.with_columns(pl.col("source_file").cast(pl.String))
    want = _reference(frame).filter(pl.col("start") < pl.col(PREV_END))
    key = ["source_file", "source_line"]
    assert_frame_equal(got.sort(key), want.sort(key))


def test_long_enrollment_flags_every_record_inside_it() -> None:
    """R3.3 / SENR0027: the running maximum, not only the previous record's end."""
    frame = _frame(
        [("1", 0, 100, "a.txt", "X"), ("1", 10, 5, "a.txt", "Y"), ("1", 20, 5, "a.txt", "Z")]
    )
    got = overlapping_records(frame, end="_end", carry="lea").collect().sort("source_line")
    assert got["source_line"].to_list() == [2, 3]
    assert got[PREV_END].to_list() == [BASE + dt.timedelta(days=100)] * 2
    assert got[PREV_LEA].to_list() == ["X", "X"]


@pytest.mark.parametrize(
    ("ssid", "days", "packed"),
    [
        ("1000000001", 0, True),
        ("X7", 0, False),  # not all digits
        ("+12", 0, False),  # a sign is not a digit
        ("123456789012", 0, False),  # longer than the packed key holds
    ],
)
def test_packed_key_only_when_every_record_fits(ssid: str, days: int, packed: bool) -> None:
    """Both sort paths exist; the packed one is taken only when it is exact."""
    frame = _frame([(ssid, 0, days, "a.txt", "X"), ("1000000002", 0, 5, "b.txt", "Y")])
    parts = frame.with_row_index("_rec").select(_key_parts("_end")).collect()
    assert (_packed_overlaps(parts) is not None) is packed


def test_far_dates_are_sorted_by_columns() -> None:
    """A date far past year 10,500 (possible in a Parquet input) does not fit a packed
    key; the column sort still keeps each student's latest end to that student."""
    far = 20_000_000  # days after 1970-01-01
    frame = _frame(
        [
            ("1000000001", 0, 5, "a.txt", "X"),  # ends far in the future
            ("1000000001", 1, 5, "a.txt", "Y"),  # overlaps it
            ("1000000002", 0, 5, "a.txt", "Z"),
            ("1000000002", 10, 5, "a.txt", "Z"),  # after the record before: no overlap
        ]
    )
    frame = frame.with_columns(
        pl.when(pl.col("source_line") == 1)
        .then(pl.lit(far).cast(pl.Date))
        .otherwise(pl.col("_end"))
        .alias("_end")
    )
    parts = frame.with_row_index("_rec").select(_key_parts("_end")).collect()
    assert _packed_overlaps(parts) is None
    got = overlapping_records(frame, end="_end").collect()
    assert got["source_line"].to_list() == [2]


def test_leading_zeros_make_different_students() -> None:
    """SSIDs "012" and "12" share a number but are two students: no overlap."""
    frame = _frame([("012", 0, 100, "a.txt", "X"), ("12", 10, 5, "a.txt", "Y")])
    assert overlapping_records(frame, end="_end").collect().height == 0


def test_equal_records_are_ordered_by_file_name_then_line() -> None:
    """Ties on start and end fall by file name, then line: the later one is reported."""
    frame = _frame(
        [
            ("1000000001", 0, 9, "b.txt", "X"),
            ("1000000001", 0, 9, "a.txt", "Y"),
            ("1000000001", 0, 9, "a.txt", "Z"),
        ]
    )
    got = overlapping_records(frame, end="_end", carry="lea").collect().sort("source_line")
    # Order: a.txt:2, a.txt:3, b.txt:1; the first is not reported.
    assert got.select("source_file", "source_line", PREV_LEA).rows() == [
        ("b.txt", 1, "Z"),
        ("a.txt", 3, "Y"),
    ]
