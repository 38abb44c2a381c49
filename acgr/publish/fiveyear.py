"""Five-year counts per school, LEA, county and state, and ``fiveyear.txt`` (R9.3, R9.4).

A five-year cohort student counts where their four-year attribution put them
(R9.1). A fifth-year graduate whose graduating record is at another school is
also counted there, as a graduate, while the four-year school keeps them in its
denominator only (R9.3). So each student becomes one or two *placements*
(a school, and whether the student graduates there); every entity, at every
level and CharterSchool/DASS variant, then takes the placements at its schools
and counts each student once, as a graduate when any of those placements is one.
The state, holding every school, counts each student once.

Rates (R6.3), suppression (R6.4), names, codes and row order (R6.5) are those of
``acgr.txt``, from the same functions.
"""

from __future__ import annotations

import polars as pl

from acgr.publish.acgr_file import (
    GRADUATES,
    acgr_text,
    key_columns,
    rate_column,
    rows_in_file_order,
)
from acgr.publish.aggregation import KEY_COLUMNS, VARIANTS, of_variant
from acgr.publish.suppression import with_suppression
from acgr.rules.fifth_year import FifthYearPeriods
from acgr.rules.ruleset import RuleSet

#: Count columns of a five-year row: the denominator, every graduate counted
#: there (four-year and fifth-year, R9.4), and the fifth-year ones alone.
FIVE_YEAR_COUNTS: tuple[str, ...] = ("cohort", "graduates", "fifth_year")

#: Header of the fifth-year count column of ``fiveyear.txt`` (docs/formats.md).
FIFTH_YEAR_HEADER = "Fifth-Year Graduates (Count)"

_SCHOOL: tuple[str, ...] = ("county_code", "district_code", "school_code", "charter", "dass")

#: Level -> the codes that identify its entities (R4.2).
_LEVEL_KEYS: dict[str, list[str]] = {
    "T": [],
    "C": ["county_code"],
    "D": ["county_code", "district_code"],
}


def placements(students: pl.LazyFrame) -> pl.LazyFrame:
    """Each student's schools (R9.3): ``ssid``, the school's codes and flags,
    ``graduate``, ``fifth_year`` and ``categories``.

    ``students`` are rows of :attr:`acgr.five_year_run.FiveYearResult.students`.
    The four-year school always holds the student, as a graduate when the
    student graduated in four years or graduated there in the fifth. A graduating
    record at another school adds that school, as a (fifth-year) graduate.
    """
    elsewhere = pl.col("fifth_year_graduate") & (
        pl.col("graduating_cds_code") != pl.col("cds_code")
    )
    cats = pl.col("reporting_categories").alias("categories")
    home = students.select(
        "ssid",
        *_SCHOOL,
        (pl.col("graduate") & ~elsewhere).alias("graduate"),
        (pl.col("fifth_year_graduate") & ~elsewhere).alias("fifth_year"),
        cats,
    )
    away = students.filter(elsewhere).select(
        "ssid",
        *(pl.col(f"graduating_{c}").alias(c) for c in _SCHOOL),
        pl.lit(True).alias("graduate"),
        pl.lit(True).alias("fifth_year"),
        cats,
    )
    return pl.concat([home, away], how="vertical")


def _counted(rows: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """Count rows per ``keys`` and category, each student once: a graduate when any of
    their placements in the entity is (R9.3). A fifth-year placement is always a
    graduate one, and a four-year graduate has no other placement."""
    per_student = rows.group_by([*keys, "category", "ssid"]).agg(
        pl.col("graduate").any(), pl.col("fifth_year").any()
    )
    return per_student.group_by([*keys, "category"]).agg(
        pl.len().cast(pl.Int64).alias("cohort"),
        pl.col("graduate").sum().cast(pl.Int64).alias("graduates"),
        pl.col("fifth_year").sum().cast(pl.Int64).alias("fifth_year"),
    )


def five_year_counts(placed: pl.LazyFrame) -> pl.LazyFrame:
    """Count rows (:data:`acgr.publish.aggregation.KEY_COLUMNS` and
    :data:`FIVE_YEAR_COUNTS`) of every level and variant from :func:`placements`.

    A school row carries the school's own flags; an aggregate row of a variant
    counts the placements at the schools of that variant (R9.3).
    """
    rows = placed.explode("categories").rename({"categories": "category"})
    parts = [_counted(rows, list(_SCHOOL)).with_columns(pl.lit("S").alias("level"))]
    for level, keys in _LEVEL_KEYS.items():
        for charter, dass in VARIANTS:
            subset = of_variant(rows, charter, dass)
            blank = [pl.lit(None, pl.String).alias(c) for c in _SCHOOL[:3] if c not in keys]
            parts.append(
                _counted(subset, keys).with_columns(
                    *blank,
                    pl.lit(charter).alias("charter"),
                    pl.lit(dass).alias("dass"),
                    pl.lit(level).alias("level"),
                )
            )
    return pl.concat([p.select(*KEY_COLUMNS, *FIVE_YEAR_COUNTS) for p in parts])


def fiveyear_table(
    students: pl.LazyFrame,
    directory: pl.DataFrame,
    periods: FifthYearPeriods,
    rules: RuleSet,
) -> pl.LazyFrame:
    """The typed ``fiveyear.txt`` table, unsuppressed, with a ``suppressed`` column (R9.4).

    Columns: the key columns of ``acgr.txt`` (``AcademicYear`` the fifth year),
    then ``Regular HS Diploma Graduates (Count)`` and ``(Rate)`` (four-year plus
    fifth-year graduates counted there, over the cohort with the students added
    by R9.3), then ``Fifth-Year Graduates (Count)``. Rows as ``acgr.txt`` (R6.5).
    """
    rows = with_suppression(five_year_counts(placements(students)), rules)
    ordered = rows_in_file_order(rows, directory, rules)
    return ordered.select(
        *key_columns(periods.academic_year_label),
        pl.col("graduates").alias(GRADUATES.count_header),
        rate_column("graduates", "cohort", GRADUATES.rate_header),
        pl.col("fifth_year").alias(FIFTH_YEAR_HEADER),
        "suppressed",
    )


def fiveyear_text(table: pl.DataFrame) -> str:
    """The exact text of ``fiveyear.txt``: as ``acgr.txt``, ``*`` where suppressed (R6.4)."""
    return acgr_text(table)


__all__ = [
    "FIFTH_YEAR_HEADER",
    "FIVE_YEAR_COUNTS",
    "five_year_counts",
    "fiveyear_table",
    "fiveyear_text",
    "placements",
]
