"""Fifth-year graduates of a class (docs/rules.md R9.1, R9.2).

The five-year cohort of class Y is class Y's four-year cohort after R3, Removed
students left out, held fixed (R9.1). A member who was not a four-year Graduate
graduates in the fifth year when one of their qualifying records (R1, the one
implementation in :mod:`acgr.rules.qualifying`) exits with the graduating exit
and completion (E230/100) dated after the four-year summer cutoff and on or
before the fifth-year cutoff, as the records stood on the fifth year's extraction
date (R9.2). Of several, the earliest is the graduating record; on the same day
the lower school code, then the CDS code (then file and line, so the pick never
depends on row order).

Every step here is an expression or a per-SSID grouping on lazy frames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import polars as pl

from acgr.errors import RefusedError
from acgr.rules.cohort import CohortPeriods
from acgr.rules.outcomes import TIE_BREAK
from acgr.rules.qualifying import qualifying_from
from acgr.rules.ruleset import RuleSet

#: Fields of the graduating record kept for each fifth-year graduate (R9.2).
GRADUATING_FIELDS: tuple[str, ...] = (
    "source_file",
    "source_line",
    "cds_code",
    "start",
    "exit_date",
    "exit_code",
    "completion",
)


@dataclass(frozen=True)
class FifthYearPeriods:
    """The dates of class Y's fifth year (R9.1, R9.2).

    Attributes:
        four_year: class Y's own four-year periods, with the rule set's default
            extraction date for Y whatever the fifth-year run uses (R9.1).
        cutoff: the last day a fifth-year graduation may be dated (15 August Y+1).
        extraction_date: X of the fifth year: records starting after it are not
            read (R2.4), and a graduation dated after it cannot be known at it.
    """

    four_year: CohortPeriods
    cutoff: dt.date
    extraction_date: dt.date

    @classmethod
    def for_class(
        cls, class_of: int, rules: RuleSet, extraction_date: dt.date | None = None
    ) -> FifthYearPeriods:
        """The fifth year of ``class_of``; ``extraction_date`` defaults per R9.2 (Decision).

        Raises:
            ValueError: the rule set does not cover the class (R7.1, R7.2).
            acgr.errors.RefusedError: ``extraction_date`` is on or before the
                four-year summer cutoff: no fifth-year record can be read by then.
        """
        four_year = CohortPeriods.for_class(class_of, rules, check=True)
        x = extraction_date or rules.five_year.extraction_date_for(class_of)
        periods = cls(four_year, rules.five_year.cutoff_for(class_of), x)
        if x <= four_year.summer_cutoff:
            raise RefusedError(
                f"fifth-year extraction date {x.isoformat()} is not after "
                f"{four_year.summer_cutoff.isoformat()}, the four-year summer cutoff of the "
                f"class of {class_of}: no fifth-year graduation can be read by then (R9.2)"
            )
        return periods

    @property
    def class_of(self) -> int:
        """The class Y."""
        return self.four_year.class_of

    @property
    def academic_year_label(self) -> str:
        """``AcademicYear`` of ``fiveyear.txt``: the fifth year (``2017-18`` for 2017).

        Examples:
            >>> from acgr.rules.ruleset import load_rules
            >>> FifthYearPeriods.for_class(2017, load_rules("2018")).academic_year_label
            '2017-18'
        """
        return replace(self.four_year, class_of=self.cutoff.year).academic_year_label

    @property
    def reading(self) -> CohortPeriods:
        """The four-year periods read as of the fifth year's extraction date.

        What :func:`acgr.rules.qualifying.qualifying_from` needs to judge records
        as of X of the fifth year (R2.4, and R1.2's length of an open record).
        """
        return replace(self.four_year, extraction_date=self.extraction_date)

    def warnings(self) -> list[str]:
        """ACGR0007: an extraction date before the fifth-year cutoff (counts and dates only)."""
        if self.extraction_date >= self.cutoff:
            return []
        return [
            f"the fifth-year extraction date {self.extraction_date.isoformat()} is before the "
            f"fifth-year cutoff {self.cutoff.isoformat()} of the class of {self.class_of}: "
            "graduations dated between the two cannot be in the data (R9.2)"
        ]


def is_fifth_year_graduation(periods: FifthYearPeriods, rules: RuleSet) -> pl.Expr:
    """R9.2 on a qualifying record: the graduating exit and completion, dated after the
    four-year cutoff and on or before both the fifth-year cutoff and X (never null)."""
    fifth = rules.five_year
    last_day = min(periods.cutoff, periods.extraction_date)
    return (
        (pl.col("exit_code") == fifth.graduating_exit_code)
        & pl.col("completion").is_in(fifth.graduating_completions)
        & (pl.col("exit_date") > periods.four_year.summer_cutoff)
        & (pl.col("exit_date") <= last_day)
    ).fill_null(False)


def graduating_records(
    records: pl.LazyFrame,
    candidates: pl.LazyFrame,
    periods: FifthYearPeriods,
    rules: RuleSet,
) -> pl.LazyFrame:
    """Each candidate's graduating record (R9.2): one row per fifth-year graduate.

    Args:
        records: SENR engine records read as of the fifth year's X (R2.4), with
            ``cds_code`` (R4.3); the qualifying ones are found here (R1).
        candidates: ``ssid`` of the five-year cohort's four-year non-graduates.
        periods: the fifth year's dates.
        rules: the rule set.

    Returns:
        ``ssid`` and :data:`GRADUATING_FIELDS`: the earliest graduation, then the
        lower school code, then CDS code, file and line.
    """
    qualifying = qualifying_from(records, periods.reading, rules)
    graduations = qualifying.join(candidates.select("ssid"), on="ssid", how="semi").filter(
        is_fifth_year_graduation(periods, rules)
    )
    order = ["exit_date", *TIE_BREAK]
    return graduations.group_by("ssid").agg(
        pl.col(f).sort_by(order).first() for f in GRADUATING_FIELDS
    )


__all__ = [
    "GRADUATING_FIELDS",
    "FifthYearPeriods",
    "graduating_records",
    "is_fifth_year_graduation",
]
