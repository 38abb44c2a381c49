"""Compare two rule sets on the same extract (R7): rates, differences, changed students.

The April 2018 CDE letter (https://www.cde.ca.gov/ds/sp/cl/gradcohortguidance18.asp)
predicted that the 2018 rules would lower the statewide rate by two to three
points, "and likely a decrease in graduation rates for many districts and high schools":
the change does not fall evenly. This module makes such statements checkable for any
extract: it runs the pipeline under both rule sets and reports

* per state, county, LEA and school (TA, All/All), each rate and the difference
  (:attr:`RuleComparison.rates`);
* per row of the CDE table, every reporting category, level and CharterSchool/DASS
  variant (:attr:`RuleComparison.groups`), the same, with the row suppressed (R6.4) when
  it is small under either rule set: :func:`public_groups` stars it for sharing;
* where the change hits hardest (:func:`hardest_hit`): the largest drops by student group,
  by LEA, by school and by group within a school, among rows not suppressed;
* every student whose outcome changed, with both reasons.

Counts are those of the run's own aggregation (:mod:`acgr.publish.aggregation`, the
``rates`` table of each result); each rate is rounded half up on the exact ratio (R6.3)
and the difference (second minus first) is rounded half away from zero on the exact
difference of the two ratios (:func:`acgr.publish.rates.change_tenths`), never from the
rounded rates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from acgr.pipeline import AcgrResult, compute
from acgr.publish.acgr_file import CATEGORY_LABELS, CATEGORY_ORDER, GRADUATES
from acgr.publish.aggregation import LEVEL_ORDER, VARIANTS
from acgr.publish.rates import change_tenths, rate_tenths, signed_tenths_text, tenths_text
from acgr.read.extracts import read_inputs
from acgr.rules.ruleset import RuleSet, load_rules

_KEYS = ("AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode")
#: Key of a row of the CDE table: entity, CharterSchool/DASS variant, reporting category.
_ROW_KEYS = (*_KEYS, "CharterSchool", "DASS", "ReportingCategory")
_NAMES = ("CountyName", "DistrictName", "SchoolName")

#: Rows in each list of :func:`hardest_hit` printed by ``acgr compare-rules`` (``--top``).
HARDEST_HIT_ROWS = 10

#: What :func:`hardest_hit` ranks: a student group statewide (over the whole extract),
#: an LEA, a school, or a student group within one school.
HardestBy = Literal["group", "lea", "school", "school_group"]


@dataclass
class RuleComparison:
    """Result of :func:`compare_rules`.

    Attributes:
        rates: per entity: cohort, graduates and rate under each rule set, ``difference``.
        groups: per row of the CDE table (every reporting category, level and
            CharterSchool/DASS variant): unsuppressed counts under each rule set
            (``cohort_first``, ``graduates_first``, ``cohort_second``, ...), rates and
            difference in tenths, and ``suppressed`` (R6.4 under either rule set). Confidential
            as it stands; :func:`public_groups` is the shareable form.
        students: students whose outcome differs (confidential: SSIDs).
        transitions: counts of students per (outcome_first, outcome_second).
        first, second: the two full results.
    """

    rates: pl.DataFrame
    students: pl.DataFrame
    transitions: pl.DataFrame
    first: AcgrResult
    second: AcgrResult
    groups: pl.DataFrame


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
        groups=_compared_groups(a, b),
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


def _table_side(result: AcgrResult, tag: str) -> pl.DataFrame:
    """Every row of a result's CDE table: names, cohort, graduates, suppressed (R6.4)."""
    return result.rates.select(
        *_ROW_KEYS,
        *(pl.col(n).alias(f"{n}_{tag}") for n in _NAMES),
        pl.col("CohortStudents").alias(f"cohort_{tag}"),
        pl.col(GRADUATES.count_header).alias(f"graduates_{tag}"),
        pl.col("suppressed").alias(f"suppressed_{tag}"),
    )


def _compared_groups(a: AcgrResult, b: AcgrResult) -> pl.DataFrame:
    """Every row of either CDE table under both rule sets (see :attr:`RuleComparison.groups`).

    A row absent under one rule set has no cohort student there (R6.4): cohort and graduates
    0, no rate, no difference, and suppressed.
    """
    g1, c1, g2, c2 = (pl.col(c) for c in _GROUP_COUNTS)
    return (
        _table_side(a, "first")
        .join(
            _table_side(b, "second"),
            on=list(_ROW_KEYS),
            how="full",
            coalesce=True,
            nulls_equal=True,
        )
        .with_columns(
            *(pl.coalesce(f"{n}_first", f"{n}_second").alias(n) for n in _NAMES),
            pl.col(*_GROUP_COUNTS).fill_null(0),
            (
                pl.col("suppressed_first").fill_null(True)
                | pl.col("suppressed_second").fill_null(True)
            ).alias("suppressed"),
        )
        .with_columns(
            pl.col("ReportingCategory")
            .replace_strict(CATEGORY_LABELS, default=pl.col("ReportingCategory"))
            .alias("StudentGroup"),
            rate_tenths(g1, c1).alias("rate_first"),
            rate_tenths(g2, c2).alias("rate_second"),
            change_tenths(g2, c2, g1, c1).alias("difference"),
        )
        .sort(*_table_order(), nulls_last=False)
        .select(
            *_KEYS,
            *_NAMES,
            "CharterSchool",
            "DASS",
            "ReportingCategory",
            "StudentGroup",
            "cohort_first",
            "graduates_first",
            "rate_first",
            "cohort_second",
            "graduates_second",
            "rate_second",
            "difference",
            "suppressed",
        )
    )


#: Graduates and cohort under the first rule set, then under the second.
_GROUP_COUNTS = ("graduates_first", "cohort_first", "graduates_second", "cohort_second")


def _table_order() -> list[pl.Expr]:
    """The CDE file's row order (R6.5): level, codes, CharterSchool/DASS, category."""
    variant = pl.concat_str("CharterSchool", "DASS", separator="/")
    return [
        pl.col("AggregateLevel").replace_strict(LEVEL_ORDER, default=len(LEVEL_ORDER)),
        pl.col("CountyCode"),
        pl.col("DistrictCode"),
        pl.col("SchoolCode"),
        variant.replace_strict(
            {f"{c}/{d}": i for i, (c, d) in enumerate(VARIANTS)}, default=len(VARIANTS)
        ),
        pl.col("ReportingCategory").replace_strict(
            {c: i for i, c in enumerate(CATEGORY_ORDER)}, default=len(CATEGORY_ORDER)
        ),
    ]


def public_groups(groups: pl.DataFrame, first: str, second: str) -> pl.DataFrame:
    """:attr:`RuleComparison.groups` as text to share: suppressed rows starred (R6.4).

    A row small under either rule set shows ``*`` in both cohorts, graduates, rates and the
    difference, so no count of it can be read from the other rule set's side. Rates print
    one decimal (R6.5), the difference a sign (``-2.3``); columns are named after the rule
    sets (``cohort_legacy``, ``rate_2018``, ``difference``).
    """
    star = pl.col("suppressed")

    def shown(expr: pl.Expr, name: str) -> pl.Expr:
        return pl.when(star).then(pl.lit("*")).otherwise(expr).alias(name)

    out: list[str | pl.Expr] = [
        *_KEYS,
        *_NAMES,
        "CharterSchool",
        "DASS",
        "ReportingCategory",
        "StudentGroup",
    ]
    for side, tag in (("first", first), ("second", second)):
        out += [
            shown(pl.col(f"cohort_{side}").cast(pl.String), f"cohort_{tag}"),
            shown(pl.col(f"graduates_{side}").cast(pl.String), f"graduates_{tag}"),
            shown(tenths_text(pl.col(f"rate_{side}")), f"rate_{tag}"),
        ]
    out.append(shown(signed_tenths_text(pl.col("difference")), "difference"))
    return groups.select(out)


def hardest_hit(
    groups: pl.DataFrame, by: HardestBy, *, top: int = HARDEST_HIT_ROWS
) -> pl.DataFrame:
    """The ``top`` largest drops (difference below zero, most negative first).

    Only rows not suppressed under either rule set (R6.4) are ranked, and only All/All rows:
    ``group`` ranks the student groups of the state row (the whole extract), ``lea`` the LEAs
    and ``school`` the schools (all students), ``school_group`` each group within a school.
    Ties keep the table order (level, codes, category), so the list is the same every run.
    """
    level, all_students = {
        "group": ("T", False),
        "lea": ("D", True),
        "school": ("S", True),
        "school_group": ("S", False),
    }[by]
    category = pl.col("ReportingCategory")
    return (
        groups.filter(
            (pl.col("AggregateLevel") == level)
            & ((category == "TA") if all_students else (category != "TA"))
            & ~pl.col("suppressed")
            & (pl.col("difference") < 0)
            & ((pl.col("AggregateLevel") == "S") | (pl.col("CharterSchool") == "All"))
            & ((pl.col("AggregateLevel") == "S") | (pl.col("DASS") == "All"))
        )
        .with_row_index("_order")
        .sort("difference", "_order")
        .drop("_order")
        .head(top)
    )


#: Width of the name column of :func:`hardest_hit_lines` (a longer name gets its own line).
_NAME_WIDTH = 40
_HEADINGS: dict[HardestBy, str] = {
    "group": "Largest drops by student group (the whole extract)",
    "lea": "Largest drops by LEA (all students)",
    "school": "Largest drops by school (all students)",
    "school_group": "Largest drops by student group within a school",
}


def hardest_hit_lines(cmp: RuleComparison, *, top: int = HARDEST_HIT_ROWS) -> list[str]:
    """Where the change hits hardest, as lines of at most 100 columns for the terminal.

    The all-students rate of the whole extract first (its scope named: the LEA, or how many
    LEAs), then each list of :func:`hardest_hit` with both rates, cohorts and the difference.
    Names come from ``--schools`` (else codes only). LEAs are listed only when there are
    several. Nothing here is suppressed (R6.4) or names a student.
    """
    ta, tb = cmp.first.rules.name, cmp.second.rules.name
    g = cmp.groups
    leas = g.filter((pl.col("AggregateLevel") == "D") & (pl.col("ReportingCategory") == "TA"))
    leas = leas.filter((pl.col("CharterSchool") == "All") & (pl.col("DASS") == "All"))
    lines: list[str] = []
    total = g.filter(
        (pl.col("AggregateLevel") == "T")
        & (pl.col("ReportingCategory") == "TA")
        & (pl.col("CharterSchool") == "All")
        & (pl.col("DASS") == "All")
    )
    if total.height:
        scope = _lea_label(leas.row(0, named=True)) if leas.height == 1 else f"{leas.height} LEAs"
        lines += [
            f"All students of the extract ({scope}):",
            _numbers(total.row(0, named=True), ta, tb),
        ]
    small = cmp.first.rules.suppression_max_cohort
    for by, heading in _HEADINGS.items():
        if by == "lea" and leas.height < 2:
            continue
        rows = hardest_hit(g, by, top=top)
        lines.append(f"{heading}:")
        if not rows.height:
            lines.append(f"  no drop among rows of more than {small} students")
        for row in rows.iter_rows(named=True):
            lines += _ranked_line(row, by, ta, tb)
    lines += [
        "Rates in %, each over its cohort; differences in percentage points, on the exact rates.",
        f"Rows of {small} or fewer students under either rule set are not ranked; they are",
        "starred in rates_by_group.csv (R6.4).",
    ]
    return lines


def _lea_label(row: dict[str, Any]) -> str:
    code = f"{row['CountyCode']}{row['DistrictCode']}"
    return f"{row['DistrictName']} ({code})" if row.get("DistrictName") else f"LEA {code}"


def _school_label(row: dict[str, Any]) -> str:
    code = f"{row['CountyCode']}{row['DistrictCode']}{row['SchoolCode']}"
    return f"{row['SchoolName']} ({code})" if row.get("SchoolName") else f"school {code}"


def _ranked_line(row: dict[str, Any], by: HardestBy, ta: str, tb: str) -> list[str]:
    """One ranked row: its name, then both rates and the difference (two lines if long)."""
    name = {
        "group": row["StudentGroup"],
        "lea": _lea_label(row),
        "school": _school_label(row),
        "school_group": f"{_school_label(row)}: {row['StudentGroup']}",
    }[by]
    numbers = _numbers(row, ta, tb)
    if len(name) < _NAME_WIDTH:
        return [f"  {name:<{_NAME_WIDTH}}{numbers.strip()}"]
    return [f"  {name}", f"  {'':<{_NAME_WIDTH}}{numbers.strip()}"]


def _numbers(row: dict[str, Any], ta: str, tb: str) -> str:
    """``legacy  87.0 of 23     2018  66.7 of 24      -20.3``: rates, cohorts, difference."""

    def rate(side: str) -> str:
        tenths = row[f"rate_{side}"]
        return "-" if tenths is None else f"{tenths // 10}.{tenths % 10}"

    diff = row["difference"]
    sign = "-" if diff is not None and diff < 0 else ("+" if diff else "")
    shown = "" if diff is None else f"{sign}{abs(diff) // 10}.{abs(diff) % 10}"
    return (
        f"  {ta} {rate('first'):>5} of {row['cohort_first']:<6,} "
        f"{tb} {rate('second'):>5} of {row['cohort_second']:<6,} {shown:>6}"
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
    "HARDEST_HIT_ROWS",
    "HardestBy",
    "RuleComparison",
    "compare_rules",
    "hardest_hit",
    "hardest_hit_lines",
    "public_groups",
]
