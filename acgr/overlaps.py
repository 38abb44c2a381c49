"""Which enrollment records overlap an earlier record of the same student.

Two checks need this: the R3.3 concurrent-enrollment warning on qualifying
records (:func:`acgr.outcomes.outcome_findings`) and CALPADS SENR0027/SENR0028
on primary enrollments (:func:`acgr.validation.concurrent_enrollments`). A record
overlaps when it starts before the latest end among the student's earlier
records, in the order start, end, file, line; "latest so far", not only the
previous record's, so a long enrollment followed by two short ones flags both.

Window functions (``cum_max().over("ssid", order_by=...)``) say this most
directly but cost two grouped sorts per column on millions of rows. Here the
records are sorted once, students contiguous, and the running maximum restarts
for each student because every student's keys are offset past all earlier
students' (see :func:`overlapping_records`). Still partitionable by SSID: nothing
crosses a student boundary.
"""

from __future__ import annotations

import polars as pl

#: Days since 1970-01-01 shifted to be positive for any date from year 1 (-719,162).
_DAY_OFFSET = 1 << 20
#: Span of one student's keys: larger than any shifted day number (9999-12-31 -> 3.98 M).
_STUDENT_SPAN = 1 << 22


def overlapping_records(
    records: pl.LazyFrame, *, end: str, carry: str | None = None
) -> pl.LazyFrame:
    """The records that start before the latest end among the student's earlier records.

    "Earlier" is the order ``start``, ``end``, ``source_file``, ``source_line``.
    Each returned record keeps its columns and gains ``_prev_end`` (that latest
    end) and, with ``carry``, ``_prev_<carry>``: the ``carry`` value of the
    record holding it (the later one when ends are equal). ``end`` must be a
    date column without nulls (fill open records with a far date first).

    Only the sort keys and a row number are sorted; the few overlapping records
    get their other columns back by joins, so memory stays near the key size.
    """
    indexed = records.with_row_index("_rec")
    day = pl.col(end).cast(pl.Int32).cast(pl.Int64) + _DAY_OFFSET
    # Sort on small integers only: far faster, and far less memory, than on text.
    # Categorical codes number the students exactly (unlike a hash); files are
    # numbered in name order, so ties fall the same way in every process.
    student = pl.col("ssid").cast(pl.Categorical).to_physical().alias("_student")
    files = records.select(pl.col("source_file").unique()).with_columns(
        pl.col("source_file").cast(pl.String).rank("dense").alias("_file")
    )
    ordered = (
        indexed.select("_rec", student, "start", end, "source_file", "source_line")
        .join(files, on="source_file", how="left")
        .sort(["_student", "start", end, "_file", "source_line"], nulls_last=True)
    )
    new_student = (pl.col("_student").ne_missing(pl.col("_student").shift(1))).fill_null(True)
    number = new_student.cast(pl.Int64).cum_sum()
    key = number * _STUDENT_SPAN + day
    running = key.cum_max()
    same_student = number.shift(1) == number
    prev_day = running.shift(1) - number * _STUDENT_SPAN - _DAY_OFFSET
    # The row holding the running maximum, carried forward; each student's first
    # row holds its own maximum, so nothing carries over from the student before.
    holder = pl.when(key == running).then(pl.col("_rec")).forward_fill().shift(1)
    found = (
        ordered.with_columns(
            pl.when(same_student).then(prev_day.cast(pl.Int32).cast(pl.Date)).alias("_prev_end"),
            holder.alias("_holder"),
        )
        .filter(pl.col("start") < pl.col("_prev_end"))
        .select("_rec", "_prev_end", "_holder")
    )
    out = indexed.join(found, on="_rec", how="inner", maintain_order="none")
    if carry is not None:
        held = indexed.select(
            pl.col("_rec").alias("_holder"), pl.col(carry).alias(f"_prev_{carry}")
        )
        out = out.join(held, on="_holder", how="left", maintain_order="none")
    return out.drop("_rec", "_holder")


__all__ = ["overlapping_records"]
