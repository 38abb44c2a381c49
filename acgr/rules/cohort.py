"""Cohort periods and cohort membership (docs/rules.md R2).

The class of Y has Year1 = academic year (Y-4)-(Y-3) ... Year4 = (Y-1)-Y. A
student belongs to the class fixed by their *initial HS record*, the earliest
qualifying record (R2.1): class = end year of that record's academic year +
(12 - grade) (R2.2). Retention never moves a student to another class.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

import polars as pl

from acgr.rules.ruleset import MonthDay, RuleSet

#: A table in memory or a query: :func:`of_students` keeps its kind.
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)


@dataclass(frozen=True)
class CohortPeriods:
    """The dates that bound one class (R2.3).

    Attributes:
        class_of: expected graduation year Y.
        year1_start: 1 July of Year1, first day of the membership and outcome periods.
        membership_end: 30 June of Year4, last day of the membership period.
        summer_cutoff: last day of the outcome period (15 August of Year4, inclusive).
        extraction_date: X; records that start after it are not read at all (R2.4).
        earliest_extraction: the earliest X accepted (R2.3 Decision: 1 July of Year4's end).
    """

    class_of: int
    year1_start: dt.date
    membership_end: dt.date
    summer_cutoff: dt.date
    extraction_date: dt.date
    earliest_extraction: dt.date

    @property
    def academic_year_label(self) -> str:
        """The published ``AcademicYear`` label, e.g. ``2017-18`` for the class of 2018."""
        return f"{self.class_of - 1}-{self.class_of % 100:02d}"

    @classmethod
    def for_class(
        cls,
        class_of: int,
        rules: RuleSet,
        extraction_date: dt.date | None = None,
        *,
        check: bool = False,
    ) -> CohortPeriods:
        """Periods of ``class_of`` under ``rules``; ``extraction_date`` defaults per R2.3.

        With ``check``, first refuse a class the rule set does not cover
        (:meth:`acgr.rules.ruleset.RuleSet.check_class_of`, R7.1/R7.2), then an extraction
        date before the class's last school year is over (:meth:`check_extraction_date`,
        R2.3).

        Raises:
            ValueError: with ``check``, when either check fails.
        """
        if check:
            # Before any date is built: class 18 would give the year 14, not an error.
            rules.check_class_of(class_of)
        start = rules.academic_year_start.in_year(class_of - 4)
        membership_end = rules.academic_year_start.in_year(class_of) - dt.timedelta(days=1)
        x = extraction_date or rules.extraction_date_for(class_of)
        periods = cls(
            class_of=class_of,
            year1_start=start,
            membership_end=membership_end,
            summer_cutoff=rules.summer_cutoff.in_year(class_of),
            extraction_date=x,
            earliest_extraction=rules.earliest_extraction_date.in_year(class_of),
        )
        if check:
            periods.check_extraction_date()
        return periods

    def check_extraction_date(self) -> None:
        """Raise ``ValueError`` when the extraction date falls before the end of the
        class's last school year (``earliest_extraction_date``, R2.3 Decision).

        An extract taken then cannot show how the class's Year4 ended, so every
        outcome read from it would be stated as final when it is not. From that day
        to the summer cutoff CDE itself pulls the data in some years (31 July 2026):
        accepted, with warning ACGR0006 (:meth:`early_extraction_warning`).
        """
        if self.extraction_date < self.earliest_extraction:
            earliest = self.earliest_extraction.isoformat()
            raise ValueError(
                f"extraction date {self.extraction_date.isoformat()} is before {earliest}, "
                f"before the class of {self.class_of}'s last school year is over (R2.3): an "
                f"extract taken then cannot show the class's outcomes; give a date on or "
                f"after {earliest} (the summer cutoff is {self.summer_cutoff.isoformat()})"
            )

    def early_extraction_warning(self) -> list[str]:
        """ACGR0006: an extraction date before the summer cutoff (R2.3)."""
        if self.extraction_date >= self.summer_cutoff:
            return []
        return [
            f"the extraction date {self.extraction_date.isoformat()} is before the summer "
            f"cutoff {self.summer_cutoff.isoformat()}: completions and exits dated between "
            "them cannot be in the data, so some summer graduates count as Still Enrolled "
            "(R2.3)"
        ]


def year_of_last(date: pl.Expr, day: MonthDay) -> pl.Expr:
    """Calendar year of the latest ``day`` (month and day) on or before ``date``.

    Runs on every SENR record, so it avoids taking month and day apart: when
    ``day`` falls after February, the days from it to the next 1 January are
    the same every year (184 from 1 July), and the year of ``date`` shifted by
    them is one past the answer.
    """
    if day.month >= 3:
        shift = (dt.date(2001, 1, 1) - dt.date(2000, day.month, day.day)).days
        return (date + pl.duration(days=shift)).dt.year().cast(pl.Int32) - 1
    before = (date.dt.month() < day.month) | (
        (date.dt.month() == day.month) & (date.dt.day() < day.day)
    )
    return date.dt.year().cast(pl.Int32) - before.cast(pl.Int32)


def academic_year_end(date: pl.Expr, rules: RuleSet) -> pl.Expr:
    """End year of the academic year that contains ``date`` (R1.5): 2014-08-15 -> 2015."""
    return year_of_last(date, rules.academic_year_start) + 1


def expected_class(start_date: pl.Expr, grade: pl.Expr, rules: RuleSet) -> pl.Expr:
    """Class of a student whose initial HS record is this one (R2.2)."""
    return academic_year_end(start_date, rules) + (12 - grade.cast(pl.Int32, strict=False))


def initial_records(qualifying: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """Every student's initial HS record and the class it puts them in (R2.1, R2.2).

    Input: qualifying records (R1) with ``ssid``, ``start`` and ``grade``.
    Output: one row per student with ``ssid``, ``initial_start_date``,
    ``initial_grade`` and ``class_of``.
    """
    initial = qualifying.group_by("ssid").agg(
        pl.col("start").min().alias("initial_start_date"),
        pl.col("grade").sort_by(["start", "grade"]).first().alias("initial_grade"),
    )
    return initial.with_columns(
        expected_class(pl.col("initial_start_date"), pl.col("initial_grade"), rules).alias(
            "class_of"
        )
    )


def cohort_members(
    qualifying: pl.LazyFrame, periods: CohortPeriods, rules: RuleSet
) -> pl.LazyFrame:
    """The students of the class, with their initial HS record (see :func:`initial_records`)."""
    return initial_records(qualifying, rules).filter(pl.col("class_of") == periods.class_of)


def of_students(frame: FrameT, students: pl.DataFrame) -> FrameT:
    """The rows of ``frame`` whose ``ssid`` is one of ``students``' (null never matches).

    ``students`` is in memory (a cohort, a few hundred thousand SSIDs): a
    membership filter streams ``frame`` and keeps its row order, where Polars'
    semi join holds the whole of ``frame`` first (statewide: half the time and
    a third of the memory). Still partitioned by SSID: each row is kept on its own.
    """
    return frame.filter(pl.col("ssid").is_in(students.get_column("ssid").implode()))


__all__ = [
    "CohortPeriods",
    "academic_year_end",
    "cohort_members",
    "expected_class",
    "initial_records",
    "of_students",
    "year_of_last",
]
