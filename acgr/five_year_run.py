"""The five-year run: :func:`five_year` (docs/rules.md R9).

1. R9.1: the four-year engine (:func:`acgr.pipeline.compute`) runs for class Y
   with class Y's own default extraction date, on the same inputs: its cohort
   (Removed left out), outcomes, attribution and groups are held fixed.
2. R9.2: the SENR records are read again as of the fifth year's extraction
   date, and each four-year non-graduate's graduating record is picked
   (:mod:`acgr.rules.fifth_year`).
3. R9.3, R9.4: counts per entity with the double attribution, rates and
   suppression (:mod:`acgr.publish.fiveyear`).

Nothing here prints or raises a student identifier: messages carry dates,
counts and rule ids only.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from acgr.checks.findings import sort_findings
from acgr.checks.verdict import Coverage, Verdict, as_date, class_year, input_findings
from acgr.errors import RefusedError
from acgr.pipeline import (
    SCHOOL_COLUMNS,
    AcgrResult,
    compute,
    read_senr_as_of,
    schools_directory,
    stage_inputs,
)
from acgr.publish.fiveyear import fiveyear_table, fiveyear_text
from acgr.read.cds import cds_parts
from acgr.read.extracts import Engine
from acgr.rules.attribution import assign_cds
from acgr.rules.fifth_year import FifthYearPeriods, graduating_records
from acgr.rules.groups import GROUP_FLAGS
from acgr.rules.ruleset import Outcome, RuleSet, load_rules

#: Columns of :attr:`FiveYearResult.students` (``fiveyear_students.parquet``), in order.
FIVE_YEAR_STUDENT_COLUMNS: tuple[str, ...] = (
    "ssid",
    "class_of",
    "four_year_outcome",
    "four_year_reason",
    *SCHOOL_COLUMNS,
    "fifth_year_graduate",
    "graduate",
    "reason",
    *(f"graduating_{c}" for c in SCHOOL_COLUMNS),
    "graduating_exit_date",
    "graduating_completion",
    "graduating_file",
    "graduating_line",
    "race",
    "gender",
    *GROUP_FLAGS,
    "reporting_categories",
)

#: Columns of :func:`fifth_year_graduates`, in order.
FIFTH_YEAR_GRADUATE_COLUMNS: tuple[str, ...] = (
    "ssid",
    "class_of",
    *SCHOOL_COLUMNS,
    "graduating_exit_date",
    "race",
    "gender",
    *GROUP_FLAGS,
    "reporting_categories",
)


@dataclass
class FiveYearResult:
    """What one five-year run produces (R9).

    Attributes:
        students: one row per five-year cohort student (confidential):
            :data:`FIVE_YEAR_STUDENT_COLUMNS`.
        table: the typed ``fiveyear.txt`` table, unsuppressed, with ``suppressed``.
        findings: the four-year run's findings and the fifth year's warnings
            (confidential: carries SSIDs).
        periods: the fifth year's dates (the four-year ones inside).
        four_year: the four-year result of R9.1.
        warnings: the fifth year's ``(finding id, message)`` pairs.
    """

    students: pl.DataFrame
    table: pl.DataFrame
    findings: pl.DataFrame
    periods: FifthYearPeriods
    four_year: AcgrResult
    warnings: tuple[tuple[str, str], ...] = ()

    @property
    def rules(self) -> RuleSet:
        """The rule set used."""
        return self.four_year.rules

    @property
    def verdict(self) -> Verdict | None:
        """What the four-year run read and lacked (:class:`acgr.checks.verdict.Verdict`)."""
        return self.four_year.verdict

    def text(self) -> str:
        """The public ``fiveyear.txt`` content, suppressed (R6.4)."""
        return fiveyear_text(self.table)

    def graduates(self) -> pl.DataFrame:
        """:func:`fifth_year_graduates` of this run."""
        return fifth_year_graduates(self.students)


def fifth_year_graduates(students: pl.DataFrame | FiveYearResult) -> pl.DataFrame:
    """Per fifth-year graduate, the graduating school and the group flags (R9.2, R9.3).

    The Dashboard from 2019 (R8.3) counts class Y-1's fifth-year graduates at the
    school where they graduated, in the groups class Y-1 had (R9.1): in both its
    denominator and its numerator. ``cds_code`` and its parts here are the
    *graduating* school's; the flags and ``reporting_categories`` the four-year
    ones. Confidential: one row per student, with the SSID.

    Args:
        students: :attr:`FiveYearResult.students`, or the result itself.

    Returns:
        :data:`FIFTH_YEAR_GRADUATE_COLUMNS`, one row per fifth-year graduate.
    """
    frame = students.students if isinstance(students, FiveYearResult) else students
    school = ("cds_code", "county_code", "district_code", "school_code", "charter", "dass")
    return frame.filter(pl.col("fifth_year_graduate")).select(
        "ssid",
        "class_of",
        *(pl.col(f"graduating_{c}").alias(c) for c in school),
        *FIFTH_YEAR_GRADUATE_COLUMNS[8:],
    )


def _reason(rules: RuleSet) -> pl.Expr:
    """The rule behind each student's five-year row (R9.1-R9.3)."""
    code = pl.concat_str(
        [pl.lit(rules.five_year.graduating_exit_code), pl.lit("/"), pl.col("graduating_completion")]
    )
    return (
        pl.when(pl.col("four_year_outcome") == str(Outcome.GRADUATE))
        .then(pl.lit("R9.1:four-year-graduate"))
        .when(pl.col("fifth_year_graduate") & (pl.col("graduating_cds_code") == pl.col("cds_code")))
        .then(pl.concat_str([pl.lit("R9.2:"), code, pl.lit(":same-school")]))
        .when(pl.col("fifth_year_graduate"))
        .then(pl.concat_str([pl.lit("R9.3:"), code, pl.lit(":another-school")]))
        .otherwise(pl.lit("R9.2:no-fifth-year-diploma"))
    )


def five_year_students(
    four_year: pl.DataFrame, graduating: pl.DataFrame, directory: pl.DataFrame, rules: RuleSet
) -> pl.LazyFrame:
    """:data:`FIVE_YEAR_STUDENT_COLUMNS` rows: the four-year cohort (R9.1) with each
    student's graduating record (R9.2), if any, and that school's flags (R9.3)."""
    flags = directory.lazy().select(
        pl.col("cds_code").alias("graduating_cds_code"),
        pl.col("charter").alias("graduating_charter"),
        pl.col("dass").alias("graduating_dass"),
    )
    grads = (
        graduating.lazy()
        .select(
            "ssid",
            pl.col("cds_code").alias("graduating_cds_code"),
            pl.col("exit_date").alias("graduating_exit_date"),
            pl.col("completion").alias("graduating_completion"),
            pl.col("source_file").cast(pl.String).alias("graduating_file"),
            pl.col("source_line").alias("graduating_line"),
        )
        .with_columns(
            c.name.prefix("graduating_") for c in cds_parts(pl.col("graduating_cds_code"))
        )
        .join(flags, on="graduating_cds_code", how="left")
        .with_columns(pl.col("graduating_charter", "graduating_dass").fill_null("No"))
    )
    joined = (
        four_year.lazy()
        .filter(pl.col("in_cohort"))
        .rename({"outcome": "four_year_outcome", "reason": "four_year_reason"})
        .join(grads, on="ssid", how="left")
        .with_columns(pl.col("graduating_cds_code").is_not_null().alias("fifth_year_graduate"))
    )
    return joined.with_columns(
        (pl.col("four_year_outcome") == str(Outcome.GRADUATE))
        .or_(pl.col("fifth_year_graduate"))
        .alias("graduate"),
        _reason(rules).alias("reason"),
    ).select(FIVE_YEAR_STUDENT_COLUMNS)


def _fifth_year_warnings(periods: FifthYearPeriods, coverage: Coverage) -> list[tuple[str, str]]:
    """ACGR0007 (X before the fifth-year cutoff) and ACGR0008 (records end early).

    Raises:
        acgr.errors.RefusedError: no SENR record read is dated after the four-year
            summer cutoff: the inputs say nothing about the fifth year.
    """
    cutoff4 = periods.four_year.summer_cutoff
    last = coverage.last_date
    if last is None or last <= cutoff4:
        raise RefusedError(
            f"no enrollment record read is dated after {cutoff4.isoformat()}, the summer cutoff "
            f"of the class of {periods.class_of}: the inputs do not cover its fifth year "
            f"(R9.2); give extracts taken after {periods.cutoff.isoformat()}"
        )
    out = [("ACGR0007", w) for w in periods.warnings()]
    if last < min(periods.cutoff, periods.extraction_date):
        out.append(
            (
                "ACGR0008",
                f"the enrollment records read end on {last.isoformat()}, before the fifth-year "
                f"cutoff {periods.cutoff.isoformat()}: later fifth-year graduations of the "
                f"class of {periods.class_of} may be missing (R9.2)",
            )
        )
    return out


def five_year(
    inputs: Any,
    *,
    class_of: int,
    extraction_date: dt.date | str | None = None,
    rules: str | Path | RuleSet = "2018",
    schools: str | Path | pl.DataFrame | None = None,
    foster: str | Path | pl.DataFrame | pl.LazyFrame | None = None,
    direct_cert: str | Path | pl.DataFrame | pl.LazyFrame | None = None,
    engine: Engine = "auto",
) -> FiveYearResult:
    """The five-year cohort graduation rate of ``class_of`` (R9), as a :class:`FiveYearResult`.

    Args:
        inputs: as :func:`acgr.pipeline.compute`; they must reach into the fifth year.
        class_of: the class Y (the class of 2017's five-year rate is ``2017-18``).
        extraction_date: X of the fifth year (R9.2); default the rule set's,
            15 September of Y+1. The four-year part always uses class Y's own
            default (R9.1).
        rules: ``"2018"`` (default), ``"legacy"``, a rule-set file, or a RuleSet.
        schools: optional schools directory (names, charter and DASS flags, R4.3).
        foster: optional foster-match table (R5.5), as :func:`acgr.pipeline.compute`.
        direct_cert: optional direct-certification table (R5.6), likewise.
        engine: Polars engine of the collects.

    Raises:
        acgr.errors.RefusedError: the four-year run refuses, the extraction date
            is not after the four-year cutoff, or no record reaches the fifth year.
        ValueError, acgr.read.extracts.ExtractError: as :func:`acgr.pipeline.compute`.

    Examples:
        >>> import datetime as dt  # a student of 2017 whose diploma came in October 2017
        >>> from acgr.testing import senr_frame
        >>> senr = senr_frame([
        ...     dict(ssid="1", enrollment_start_date=dt.date(2013, 8, 20),
        ...          enrollment_status_code="10", grade_level_code="09",
        ...          reporting_lea="1964733", school_of_attendance="1930000",
        ...          enrollment_exit_date=dt.date(2017, 10, 20),
        ...          student_exit_reason_code="E230", student_school_completion_status="100"),
        ... ])
        >>> result = five_year({"senr": senr}, class_of=2017, engine="in-memory")
        >>> result.students.select("four_year_outcome", "fifth_year_graduate", "reason").row(0)
        ('Still Enrolled', True, 'R9.2:E230/100:same-school')
    """
    ruleset = load_rules(rules)
    periods = FifthYearPeriods.for_class(
        class_year(class_of), ruleset, as_date(extraction_date, "extraction_date")
    )
    directory = schools_directory(schools)
    with tempfile.TemporaryDirectory(prefix="acgr-five-year-") as tmp:
        # Parsed once for both readings (SSIDs: removed when the run ends, whatever happens).
        staged = stage_inputs(inputs, Path(tmp), engine=engine)
        four_year = compute(
            staged, class_of=periods.class_of, rules=ruleset, schools=directory,
            foster=foster, direct_cert=direct_cert, engine=engine,
        )  # fmt: skip
        return _with_fifth_year(staged, four_year, periods, directory, engine)


def five_year_after(
    inputs: Any,
    four_year: AcgrResult,
    *,
    extraction_date: dt.date | None = None,
    schools: str | Path | pl.DataFrame | None = None,
    engine: Engine = "auto",
) -> FiveYearResult:
    """The five-year run of a class whose four-year result is in hand (R9.2-R9.4).

    ``four_year`` must be class Y's run at its own default extraction date (R9.1),
    on the same ``inputs``; the Dashboard (R8.3) reuses the prior class's run so.
    ``extraction_date``: X of the fifth year (default per R9.2).
    """
    periods = FifthYearPeriods.for_class(
        four_year.periods.class_of, four_year.rules, extraction_date
    )
    return _with_fifth_year(inputs, four_year, periods, schools_directory(schools), engine)


def _with_fifth_year(
    inputs: Any,
    four_year: AcgrResult,
    periods: FifthYearPeriods,
    directory: pl.DataFrame,
    engine: Engine,
) -> FiveYearResult:
    """R9.2-R9.4 on top of the four-year run: read the fifth year, pick, count."""
    ruleset = four_year.rules
    candidates = four_year.students.lazy().filter(
        pl.col("in_cohort") & (pl.col("outcome") != str(Outcome.GRADUATE))
    )
    graduating, coverage = read_senr_as_of(
        inputs,
        periods.extraction_date,
        lambda records: graduating_records(
            assign_cds(records, directory, ruleset), candidates, periods, ruleset
        ),
        engine=engine,
    )
    warnings = _fifth_year_warnings(periods, coverage)
    students = (
        five_year_students(four_year.students, graduating, directory, ruleset)
        .sort("ssid")
        .collect(engine=engine)
    )
    extra = [input_findings(rule, [msg]) for rule, msg in warnings]
    return FiveYearResult(
        students=students,
        table=fiveyear_table(students.lazy(), directory, periods, ruleset).collect(engine=engine),
        findings=sort_findings(pl.concat([four_year.findings, *extra])),
        periods=periods,
        four_year=four_year,
        warnings=tuple(warnings),
    )


__all__ = [
    "FIFTH_YEAR_GRADUATE_COLUMNS",
    "FIVE_YEAR_STUDENT_COLUMNS",
    "FiveYearResult",
    "fifth_year_graduates",
    "five_year",
    "five_year_after",
    "five_year_students",
]
