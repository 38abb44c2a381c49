"""Findings that move the LCFF count (docs/rules.md R10.2, R10.4): records a fix would change.

Each is a warning row of ``LcffResult.findings`` naming the record behind it:

* ``ACGR0301`` (R10.2, R10.4): an FRPM membership (SPRG 181/182) that ended before the
  academic year, of a Census Day student whose FRPM flag is not set (R10.4).
* ``ACGR0302`` (R10.2, R10.4): an ELAS status of TBD on Census Day (R10.4: not EL).
* ``ACGR0303`` (R10.2, R10.4): a second primary enrollment open on Census Day, the one
  R10.2's tie order did not choose.
* ``ACGR0304`` (R10.2, R10.4): a foster-match row overlapping the year for a student not
  enrolled on Census Day.

Each reuses R10's expressions (``acgr/rules/lcff.py``); none restates a rule.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from acgr.checks.findings import empty_findings, findings_where
from acgr.rules.lcff import (
    LcffRules,
    academic_year_bounds,
    open_primary_on,
    overlaps_year,
    program_code,
)

FRPM_ENDED = "ACGR0301"
EL_PENDING = "ACGR0302"
SECOND_PRIMARY = "ACGR0303"
FOSTER_NOT_ENROLLED = "ACGR0304"
#: Findings whose students would count in the UPC if resolved in their favour (R10.2, R10.4).
RESOLVABLE: tuple[str, ...] = (FRPM_ENDED, EL_PENDING)
#: Every finding id of R10.2, R10.4, in order.
LCFF_FINDINGS: tuple[str, ...] = (FRPM_ENDED, EL_PENDING, SECOND_PRIMARY, FOSTER_NOT_ENROLLED)


def _school(students: pl.LazyFrame) -> pl.LazyFrame:
    return students.select("ssid", "cds_code")


def frpm_ended(
    sprg: pl.LazyFrame, students: pl.LazyFrame, year: int, rules: LcffRules
) -> pl.LazyFrame:
    """R10.2, R10.4: per student without FRPM (R10.4), the latest-ending FRPM membership
    that ended before 1 July of year A (file and line break a tie)."""
    first, _ = academic_year_bounds(year)
    end = pl.col("education_program_membership_end_date")
    records = (
        sprg.drop("cds_code", strict=False)
        .join(_school(students.filter(~pl.col("frpm"))), on="ssid", how="inner")
        .filter(program_code().is_in(rules.meal_programs) & end.is_not_null() & (end < first))
        .with_columns(pl.col("source_file").cast(pl.String), pl.col("source_line").cast(pl.Int64))
        .sort(["ssid", end, "source_file", "source_line"], descending=[False, True, False, False])
        .unique("ssid", keep="first", maintain_order=True)
    )
    return findings_where(
        records, pl.lit(True), rule=FRPM_ENDED, severity="warning", record_type="SPRG",
        message="FRPM record ended before the year: the student is not counted as FRPM",
    )  # fmt: skip


def el_pending(statuses: pl.LazyFrame, students: pl.LazyFrame, rules: LcffRules) -> pl.LazyFrame:
    """R10.2, R10.4: the SELA record giving a Census Day student an ELAS status of TBD
    (R10.4's status on Census Day, ``statuses`` as
    :func:`~acgr.rules.groups.english_status_holding_on` gives it; TBD is never EL)."""
    records = statuses.filter(pl.col("status") == rules.pending_english_status).join(
        _school(students), on="ssid", how="inner"
    )
    return findings_where(
        records, pl.lit(True), rule=EL_PENDING, severity="warning", record_type="SELA",
        message="ELAS status TBD on Census Day: the student is not counted as EL",
    )  # fmt: skip


def second_primary(
    records: pl.LazyFrame, students: pl.LazyFrame, census_day: dt.date, rules: LcffRules
) -> pl.LazyFrame:
    """R10.2, R10.4: each primary enrollment open on Census Day (R10.2) of a student with
    two or more, other than the one R10.2's tie order chose (``enrollment_file/line``)."""
    chosen = students.select(
        pl.col("enrollment_file").alias("source_file"),
        pl.col("enrollment_line").alias("source_line"),
    )
    others = (
        records.filter(open_primary_on(census_day, rules))
        .join(students.select("ssid"), on="ssid", how="semi")
        .with_columns(pl.col("source_file").cast(pl.String), pl.col("source_line").cast(pl.Int64))
        .filter(pl.len().over("ssid") >= 2)
        .join(chosen, on=["source_file", "source_line"], how="anti")
    )
    return findings_where(
        others, pl.lit(True), rule=SECOND_PRIMARY, severity="warning",
        message="another primary enrollment open on Census Day: the student counts at "
        "one school only (R10.2 tie order)",
    )  # fmt: skip


def foster_not_enrolled(
    foster: pl.LazyFrame | None, students: pl.LazyFrame, year: int
) -> pl.LazyFrame:
    """R10.2, R10.4: foster-match rows overlapping the academic year (R10.4) of a student
    not enrolled on Census Day (R10.2)."""
    if foster is None:
        return empty_findings()
    rows = foster.join(students.select("ssid"), on="ssid", how="anti").filter(
        overlaps_year(pl.col("start_date"), pl.col("end_date"), year)
    )
    return findings_where(
        rows.drop("cds_code", strict=False), pl.lit(True), rule=FOSTER_NOT_ENROLLED,
        severity="warning", record_type="foster",
        message="foster-match row of a student not enrolled on Census Day",
    )  # fmt: skip


__all__ = [
    "EL_PENDING",
    "FOSTER_NOT_ENROLLED",
    "FRPM_ENDED",
    "LCFF_FINDINGS",
    "RESOLVABLE",
    "SECOND_PRIMARY",
    "el_pending",
    "foster_not_enrolled",
    "frpm_ended",
    "second_primary",
]
