"""Attribution of each cohort student to one school and LEA (docs/rules.md R4).

R4.3 School identity is the 14-digit CDS code: Reporting LEA (7-digit
county-district) + School of Attendance (7 digits). A supplied schools
directory overrides it by the 7-digit school code (independently reporting
charters report under their own code), except for placeholder codes.

R4.1 The student counts at the school of the record that decided the outcome:
the graduating or completing record; for Still Enrolled, the open qualifying
record with the latest start, else the final record; otherwise the final
record. R4.2 LEA, county and state follow from that school; Removed students
count nowhere (they are dropped in :mod:`acgr.publish.aggregation`).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from acgr.read.cds import cds_code, cds_parts
from acgr.rules.ruleset import Outcome, RuleSet


def assign_cds(records: pl.LazyFrame, directory: pl.DataFrame, rules: RuleSet) -> pl.LazyFrame:
    """Add ``cds_code`` to SENR engine records (R4.3)."""
    return assign_cds_codes(records, directory, rules.placeholder_school_codes)


def assign_cds_codes(
    records: pl.LazyFrame, directory: pl.DataFrame, placeholders: Sequence[str]
) -> pl.LazyFrame:
    """Add ``cds_code`` to SENR engine records (R4.3); ``placeholders`` are never overridden.

    Shared by the ACGR rule sets and the LCFF rule family (R10.2).
    """
    own = cds_code(pl.col("reporting_lea"), pl.col("school_code"))
    if directory.height == 0:
        return records.with_columns(own.alias("cds_code"))
    by_school = (
        directory.select(
            pl.col("cds_code").alias("_dir_cds"), pl.col("cds_code").str.slice(7).alias("_school")
        )
        .filter(~pl.col("_school").is_in(list(placeholders)))
        .filter(pl.len().over("_school") == 1)  # ambiguous codes are not overridden
    )
    # A lookup in the (small, in-memory) directory: cheaper than a join on
    # millions of records, and it keeps their order.
    listed = pl.col("school_code").replace_strict(
        by_school["_school"], by_school["_dir_cds"], default=None, return_dtype=pl.String
    )
    return records.with_columns(pl.coalesce(listed, own).alias("cds_code"))


def attributed_school() -> pl.Expr:
    """CDS code of the record whose school the student counts at (R4.1)."""
    outcome = pl.col("outcome")

    def cds(pick: str) -> pl.Expr:
        return pl.col(pick).struct.field("cds_code")

    return (
        pl.when(pl.col("graduation").is_not_null() | pl.col("completion").is_not_null())
        .then(cds("decided_by"))
        .when(outcome == str(Outcome.STILL_ENROLLED))
        .then(pl.coalesce(cds("open_latest"), cds("final")))
        .otherwise(cds("final"))
    )


def attribute(students: pl.LazyFrame, directory: pl.DataFrame) -> pl.LazyFrame:
    """Add ``cds_code``, ``county_code``, ``district_code``, ``school_code`` and the
    school's ``charter`` and ``dass`` flags (``Yes``/``No``; ``No`` without a directory)."""
    out = students.with_columns(attributed_school().alias("cds_code")).with_columns(
        cds_parts(pl.col("cds_code"))
    )
    flags = directory.lazy().select("cds_code", "charter", "dass")
    return out.join(flags, on="cds_code", how="left").with_columns(
        pl.col("charter").fill_null("No"), pl.col("dass").fill_null("No")
    )


__all__ = [
    "assign_cds",
    "assign_cds_codes",
    "attribute",
    "attributed_school",
]
