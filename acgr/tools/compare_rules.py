"""Compare two rule sets on the same extract (R7): rates, differences, changed students.

The April 2018 CDE letter (https://www.cde.ca.gov/ds/sp/cl/gradcohortguidance18.asp)
predicted that the 2018 rules would lower the statewide rate by two to three
points. This module makes such a statement checkable for any extract: it runs
the pipeline under both rule sets and reports, per state, county, LEA and
school (TA, All/All), each rate, the difference (second minus first, rounded
half away from zero on the exact difference), and every student whose outcome
changed, with both reasons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from acgr.pipeline import AcgrResult, compute
from acgr.publish.acgr_file import GRADUATES
from acgr.publish.rates import change_tenths, signed_tenths_text
from acgr.read.extracts import read_inputs
from acgr.rules.ruleset import RuleSet, load_rules

_KEYS = ("AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode")


@dataclass
class RuleComparison:
    """Result of :func:`compare_rules`.

    Attributes:
        rates: per entity: cohort, graduates and rate under each rule set, ``difference``.
        students: students whose outcome differs (confidential: SSIDs).
        transitions: counts of students per (outcome_first, outcome_second).
        first, second: the two full results.
    """

    rates: pl.DataFrame
    students: pl.DataFrame
    transitions: pl.DataFrame
    first: AcgrResult
    second: AcgrResult


def _entities(result: AcgrResult, tag: str) -> pl.DataFrame:
    r = result.rates
    ta = r.filter(pl.col("ReportingCategory") == "TA")
    aggregate = ta.filter(
        (pl.col("AggregateLevel") != "S")
        & (pl.col("CharterSchool") == "All")
        & (pl.col("DASS") == "All")
    )
    schools = ta.filter(pl.col("AggregateLevel") == "S")
    return pl.concat([aggregate, schools]).select(
        *_KEYS,
        "CountyName",
        "DistrictName",
        "SchoolName",
        pl.col("CohortStudents").alias(f"cohort_{tag}"),
        pl.col(GRADUATES.count_header).alias(f"graduates_{tag}"),
        pl.col(GRADUATES.rate_header).alias(f"rate_{tag}"),
    )


def compare_rules(
    inputs: Any,
    *,
    class_of: int,
    first: str | Path | RuleSet = "legacy",
    second: str | Path | RuleSet = "2018",
    extraction_date: dt.date | None = None,
    schools: str | Path | pl.DataFrame | None = None,
) -> RuleComparison:
    """Run both rule sets on the same input and compare (see module docstring)."""
    a_rules, b_rules = load_rules(first), load_rules(second)
    extracts = read_inputs(inputs)
    a = compute(
        extracts, class_of=class_of, rules=a_rules, extraction_date=extraction_date, schools=schools
    )
    b = compute(
        extracts, class_of=class_of, rules=b_rules, extraction_date=extraction_date, schools=schools
    )
    ta, tb = a_rules.name, b_rules.name
    students = _changed_students(a, b, ta, tb)
    return RuleComparison(
        rates=_compared_rates(a, b, ta, tb),
        students=students,
        transitions=_transitions(students, ta, tb),
        first=a,
        second=b,
    )


def _compared_rates(a: AcgrResult, b: AcgrResult, ta: str, tb: str) -> pl.DataFrame:
    """Per entity: cohort, graduates and rate under each rule set (named ``ta``, ``tb``),
    and the ``difference`` of the rates (second minus first)."""
    ea, eb = _entities(a, "first"), _entities(b, "second")
    return (
        ea.join(
            eb.drop("CountyName", "DistrictName", "SchoolName"),
            on=list(_KEYS),
            how="full",
            coalesce=True,
            nulls_equal=True,
        )
        .with_columns(
            signed_tenths_text(
                change_tenths(
                    pl.col("graduates_second"),
                    pl.col("cohort_second"),
                    pl.col("graduates_first"),
                    pl.col("cohort_first"),
                )
            ).alias("difference")
        )
        .rename(
            {
                "cohort_first": f"cohort_{ta}",
                "graduates_first": f"graduates_{ta}",
                "rate_first": f"rate_{ta}",
                "cohort_second": f"cohort_{tb}",
                "graduates_second": f"graduates_{tb}",
                "rate_second": f"rate_{tb}",
            }
        )
    )


def _changed_students(a: AcgrResult, b: AcgrResult, ta: str, tb: str) -> pl.DataFrame:
    """The students whose outcome differs (or who are of the class under one rule set only)."""
    cols = ["ssid", "outcome", "reason", "cds_code"]
    return (
        a.students.select(cols)
        .join(b.students.select(cols), on="ssid", how="full", coalesce=True, suffix="_second")
        .rename(
            {
                "outcome": f"outcome_{ta}",
                "reason": f"reason_{ta}",
                "cds_code": f"cds_code_{ta}",
                "outcome_second": f"outcome_{tb}",
                "reason_second": f"reason_{tb}",
                "cds_code_second": f"cds_code_{tb}",
            }
        )
        .filter(
            pl.col(f"outcome_{ta}").fill_null("(not in class)")
            != pl.col(f"outcome_{tb}").fill_null("(not in class)")
        )
        .sort("ssid")
    )


def _transitions(students: pl.DataFrame, ta: str, tb: str) -> pl.DataFrame:
    """Students per (outcome under ``ta``, outcome under ``tb``), most first."""
    return (
        students.group_by(f"outcome_{ta}", f"outcome_{tb}")
        .len("students")
        # Ties in count ordered by the outcomes, so the file is the same every run.
        .sort(
            ["students", f"outcome_{ta}", f"outcome_{tb}"],
            descending=[True, False, False],
            nulls_last=True,
        )
    )


__all__ = [
    "RuleComparison",
    "compare_rules",
]
