"""What each LEA's report shows: a run folder read, split by LEA, and shaped into a :class:`Lea`.

Counts are recomputed from ``students.parquet`` with the counting of ``acgr.txt``
(:func:`acgr.publish.aggregation.school_counts`, R4.2, R6.1); ``acgr.txt`` gives the names
and the public value of each row, and every count it publishes must equal the recomputed one.
Rates are rounded half up on the exact ratio (R6.3); a group's gap is its exact rate minus the
LEA's, rounded half away from zero (:func:`acgr.publish.rates.change_tenths`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

import acgr
from acgr.checks.findings import FINDINGS_SCHEMA, sort_findings
from acgr.checks.impact import school_impact
from acgr.checks.summary import by_rule
from acgr.pipeline import STUDENT_COLUMNS
from acgr.publish.acgr_file import (
    CATEGORY_LABELS,
    CATEGORY_ORDER,
    Measure,
    measures_for,
    read_cde_acgr,
)
from acgr.publish.aggregation import school_counts
from acgr.publish.rates import change_tenths, rate_tenths, signed_tenths_text, tenths_text
from acgr.publish.student_list import student_list
from acgr.rules.groups import categories
from acgr.rules.ruleset import Outcome, RuleSet

#: Groups whose cohort is at most this many students are marked (CDE suppresses them).
SMALL_COHORT = 10

#: Findings shown one by one per school, with the impact table (acgr.checks.impact).
OUTCOME_SENSITIVE_RULES: tuple[str, ...] = ("ACGR0101", "ACGR0102", "ACGR0103")

_SHORT_LABELS = {"graduates": "Graduates"}
_COLOURS = {
    "graduates": "#1b7837",
    "chspe": "#5aae61",
    "adult_ed": "#7fbfbf",
    "sped": "#a6dba0",
    "ged": "#c2a5cf",
    "other_transfer": "#9e9e9e",
    "dropout": "#d73027",
    "still_enrolled": "#f4a582",
}


@dataclass(frozen=True)
class OutcomeColumn:
    """One outcome column of the school table: count column, label, chart colour."""

    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class Lea:
    """Everything one LEA's page and workbook show (confidential)."""

    cds7: str
    county_name: str
    district_name: str
    class_of: int
    academic_year: str
    rules_name: str
    run_dir: str
    #: The acgr version that wrote the report.
    acgr_version: str
    outcomes: tuple[OutcomeColumn, ...]
    #: One row per school: codes, name, counts, ``*_tenths`` and ``*_rate`` columns.
    schools: pl.DataFrame
    #: The LEA total, same columns as ``schools``.
    total: dict[str, Any]
    #: Per reporting category (TA excluded): cohort, graduates, rate, gap.
    groups: pl.DataFrame
    fatal: pl.DataFrame
    sensitive: pl.DataFrame
    impact: pl.DataFrame
    other_warnings: pl.DataFrame
    #: One row per student (:func:`_student_list`); ``name`` only when :attr:`with_names`.
    students: pl.DataFrame
    #: The student list of ``acgr run``'s students.csv (:mod:`acgr.publish.student_list`).
    student_list: pl.DataFrame
    #: The run was made with names (``students.parquet`` has the legal name columns).
    with_names: bool = False

    @property
    def name(self) -> str:
        """The district name, or ``LEA <CDS7>`` when acgr.txt names none."""
        return self.district_name or f"LEA {self.cds7}"


@dataclass(frozen=True)
class IndexEntry:
    """One LEA's line of the run's index page: names, totals, and its two files."""

    cds7: str
    county_name: str
    name: str
    schools: int
    students: int
    cohort: int
    graduates: int
    #: The LEA rate (R6.3), one decimal.
    rate: str
    #: The LEA row of acgr.txt as published (``*`` suppressed, ``(none)`` absent).
    public_rate: str
    fatal: int
    page: str
    workbook: str


def index_entry(lea: Lea, page: str, workbook: str) -> IndexEntry:
    """The index line of one LEA, whose page and workbook are named ``page`` and ``workbook``."""
    return IndexEntry(
        cds7=lea.cds7,
        county_name=lea.county_name,
        name=lea.name,
        schools=lea.schools.height,
        students=lea.students.height,
        cohort=int(lea.total["cohort"]),
        graduates=int(lea.total["graduates"]),
        rate=str(lea.total["graduates_rate"]),
        public_rate=str(lea.total["public_rate"]),
        fatal=lea.fatal.height,
        page=page,
        workbook=workbook,
    )


# ---------------------------------------------------------------------------------
# The run folder, split by LEA
# ---------------------------------------------------------------------------------
_PARTS = ("students", "findings", "public")


@dataclass(frozen=True)
class Run:
    """The outputs of one ``acgr run`` folder, each split by LEA (``cds7``)."""

    folder: Path
    academic_year: str
    #: Every LEA with a student, sorted.
    leas: tuple[str, ...]
    #: Per part (:data:`_PARTS`): the rows of each LEA, keyed ``(cds7,)``.
    by_lea: dict[str, dict[tuple[Any, ...], pl.DataFrame]]
    #: Per part: no rows, the columns of the part (for an LEA without any).
    empty: dict[str, pl.DataFrame]

    def lea(self, cds7: str, rules: RuleSet) -> Lea:
        """The report data of one LEA of the run."""

        def part(kind: str) -> pl.DataFrame:
            return self.by_lea[kind].get((cds7,), self.empty[kind]).drop("cds7")

        return lea_data(
            cds7,
            part("students"),
            part("findings"),
            part("public"),
            academic_year=self.academic_year,
            rules=rules,
            run_dir=self.folder,
        )


def read_run(folder: Path) -> Run:
    """Read ``students.parquet``, ``findings.csv`` and ``acgr.txt`` of a run, split by LEA.

    Raises:
        FileNotFoundError: a run output is missing.
        ValueError: ``students.parquet`` lacks a column of acgr's.
    """
    students = _read_students(folder / "students.parquet")
    findings = pl.read_csv(folder / "findings.csv", schema=FINDINGS_SCHEMA)
    acgr = read_cde_acgr(folder / "acgr.txt")
    year = acgr["AcademicYear"].drop_nulls().first() if "AcademicYear" in acgr.columns else None
    frames = {
        "students": students,
        "findings": _findings_by_lea(findings, students),
        "public": _public_rows(acgr).with_columns(
            pl.concat_str("CountyCode", "DistrictCode").alias("cds7")
        ),
    }
    return Run(
        folder=folder,
        academic_year=str(year or ""),
        leas=tuple(sorted(students["cds7"].unique().to_list())),
        by_lea={k: frames[k].partition_by("cds7", as_dict=True) for k in _PARTS},
        empty={k: frames[k].clear() for k in _PARTS},
    )


def _read_students(path: Path) -> pl.DataFrame:
    students = pl.read_parquet(path)
    missing = [c for c in STUDENT_COLUMNS if c not in students.columns]
    if missing:
        raise ValueError(f"{path}: not a students.parquet of acgr (missing {', '.join(missing)})")
    return students.with_columns(
        pl.concat_str("county_code", "district_code").alias("cds7")
    ).filter(pl.col("cds7").is_not_null())


def _findings_by_lea(findings: pl.DataFrame, students: pl.DataFrame) -> pl.DataFrame:
    """Add ``cds7``: a finding belongs to the LEA of its school, or else to that of its student."""
    return (
        findings.join(
            students.select("ssid", pl.col("cds7").alias("_student_lea")), on="ssid", how="left"
        )
        .with_columns(
            pl.coalesce(pl.col("cds_code").str.slice(0, 7), pl.col("_student_lea")).alias("cds7")
        )
        .drop("_student_lea")
    )


def _public_rows(acgr: pl.DataFrame) -> pl.DataFrame:
    """School (S) and LEA (D) rows of all students from ``acgr.txt``: names and public values."""
    rate = "Regular HS Diploma Graduates (Rate)"
    grads = "Regular HS Diploma Graduates (Count)"
    return (
        acgr.filter(
            pl.col("AggregateLevel").is_in(["D", "S"])
            & (pl.col("ReportingCategory") == "TA")
            & ((pl.col("AggregateLevel") == "S") | (pl.col("CharterSchool") == "All"))
            & ((pl.col("AggregateLevel") == "S") | (pl.col("DASS") == "All"))
        )
        .group_by("AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode")
        .agg(
            pl.col("CountyName").first(),
            pl.col("DistrictName").first(),
            pl.col("SchoolName").first(),
            pl.col("suppressed").any(),
            pl.col("CohortStudents").sum(),
            pl.col(grads).sum().alias("public_graduates"),
            pl.col(rate).first().cast(pl.String).alias("public_rate"),
            pl.len().alias("_rows"),
        )
        .with_columns(
            pl.when(pl.col("suppressed"))
            .then(pl.lit("*"))
            .when(pl.col("_rows") > 1)
            .then(pl.lit("(split)"))
            .otherwise(pl.col("public_rate"))
            .alias("public_rate")
        )
    )


# ---------------------------------------------------------------------------------
# One LEA
# ---------------------------------------------------------------------------------
def lea_data(
    cds7: str,
    students: pl.DataFrame,
    findings: pl.DataFrame,
    public: pl.DataFrame,
    *,
    academic_year: str,
    rules: RuleSet,
    run_dir: Path,
) -> Lea:
    """The report data of one LEA from its students, findings and public rows.

    Raises:
        ValueError: a count published in ``public`` differs from the recomputed one.
    """
    class_of = int(students.select(pl.col("class_of").max()).item() or 0)
    outcomes = _outcomes(class_of, rules)
    counted = _counts(students, outcomes)
    schools = _school_table(counted, students, public, outcomes)
    lea_public = public.filter(pl.col("AggregateLevel") == "D")
    total = _lea_total(schools, lea_public, outcomes, cds7)
    _check_public(schools, total, cds7)
    county_name, district_name = _lea_names(lea_public)
    names = schools.select("cds_code", "school_name")
    fatal, sensitive, others = _split_findings(findings, names)
    name_columns = legal_name_columns(students.columns)
    return Lea(
        cds7=cds7,
        county_name=county_name,
        district_name=district_name,
        class_of=class_of,
        academic_year=academic_year,
        rules_name=rules.name,
        run_dir=str(run_dir),
        acgr_version=acgr.__version__,
        outcomes=outcomes,
        schools=schools,
        total=total,
        groups=_group_table(counted, total),
        fatal=fatal,
        sensitive=sensitive,
        impact=school_impact(students, rules).join(names, on="cds_code", how="left"),
        other_warnings=by_rule(others),
        students=_student_list(students, names, name_columns),
        with_names=name_columns is not None,
        student_list=student_list(students, rules, names).collect(),
    )


def _outcomes(class_of: int, rules: RuleSet) -> tuple[OutcomeColumn, ...]:
    """The outcome columns over the cohort in the class's file layout, in its order."""
    cohort_measures: list[Measure] = [
        m for m in measures_for(class_of, rules) if m.denominator == "cohort"
    ]
    return tuple(
        OutcomeColumn(m.count, _SHORT_LABELS.get(m.count, m.label), _COLOURS[m.count])
        for m in cohort_measures
    )


def _counts(students: pl.DataFrame, outcomes: Sequence[OutcomeColumn]) -> pl.DataFrame:
    """Cohort and outcome counts per school (``cds_code``) and reporting category."""
    keys = [o.key for o in outcomes]
    return (
        school_counts(students.lazy().with_columns(categories=categories()))
        .group_by("county_code", "district_code", "school_code", "category")
        .agg(pl.col("cohort", *keys).sum())
        .collect()
        .with_columns(
            pl.concat_str("county_code", "district_code", "school_code").alias("cds_code")
        )
    )


def _school_table(
    counted: pl.DataFrame,
    students: pl.DataFrame,
    public: pl.DataFrame,
    outcomes: Sequence[OutcomeColumn],
) -> pl.DataFrame:
    """One row per school: counts and rates of all students, removals, name, public rate."""
    keys = [o.key for o in outcomes]
    removed = students.group_by("cds_code").agg(
        (pl.col("outcome") == str(Outcome.REMOVED)).sum().cast(pl.Int64).alias("removed")
    )
    school_public = public.filter(pl.col("AggregateLevel") == "S").select(
        pl.concat_str("CountyCode", "DistrictCode", "SchoolCode").alias("cds_code"),
        "SchoolName",
        "suppressed",
        "CohortStudents",
        "public_graduates",
        "public_rate",
    )
    schools = (
        counted.filter(pl.col("category") == "TA")
        .select("cds_code", "cohort", *keys)
        .join(removed, on="cds_code", how="full", coalesce=True)
        .with_columns(pl.col("cohort", *keys, "removed").fill_null(0))
        .join(school_public, on="cds_code", how="left")
        .with_columns(
            pl.col("cds_code").str.slice(7, 7).alias("school_code"),
            pl.when(pl.col("SchoolName").fill_null("") != "")
            .then(pl.col("SchoolName"))
            .otherwise(pl.concat_str(pl.lit("School "), pl.col("cds_code").str.slice(7, 7)))
            .alias("school_name"),
            pl.col("public_rate").fill_null("(none)"),
        )
        .sort("cds_code")
    )
    return _with_rates(schools, outcomes)


def _with_rates(df: pl.DataFrame, outcomes: Sequence[OutcomeColumn]) -> pl.DataFrame:
    """Add ``<count>_tenths`` (Int64) and ``<count>_rate`` (text) over the cohort (R6.3)."""
    exprs: list[pl.Expr] = []
    for o in outcomes:
        tenths = rate_tenths(pl.col(o.key), pl.col("cohort")).fill_null(0)
        exprs += [tenths.alias(f"{o.key}_tenths"), tenths_text(tenths).alias(f"{o.key}_rate")]
    return df.with_columns(exprs)


def _lea_total(
    schools: pl.DataFrame,
    lea_public: pl.DataFrame,
    outcomes: Sequence[OutcomeColumn],
    cds7: str,
) -> dict[str, Any]:
    """The LEA total row: the schools' counts summed, rates, and the LEA's public values."""
    keys = [o.key for o in outcomes]
    total_counts = schools.select(pl.col("cohort", *keys, "removed").sum())
    total = _with_rates(total_counts, outcomes).row(0, named=True)
    if lea_public.height:
        pub = lea_public.row(0, named=True)
        total.update(
            suppressed=pub["suppressed"],
            CohortStudents=pub["CohortStudents"],
            public_graduates=pub["public_graduates"],
            public_rate=pub["public_rate"],
        )
    else:
        total.update(suppressed=None, public_rate="(none)")
    total.update(cds_code=f"{cds7}0000000", school_code="", school_name="LEA total")
    return total


def _lea_names(lea_public: pl.DataFrame) -> tuple[str, str]:
    """County and district name of the LEA row of acgr.txt (empty when it has none)."""
    if not lea_public.height:
        return "", ""
    pub = lea_public.row(0, named=True)
    return str(pub["CountyName"] or ""), str(pub["DistrictName"] or "")


def _check_public(schools: pl.DataFrame, total: dict[str, Any], cds7: str) -> None:
    """Counts published in acgr.txt must equal the recomputed ones (same run)."""
    bad = schools.filter(
        ~pl.col("suppressed").fill_null(True)
        & (
            (pl.col("CohortStudents") != pl.col("cohort"))
            | (pl.col("public_graduates") != pl.col("graduates"))
        )
    )
    if bad.height:
        raise ValueError(
            "acgr.txt and students.parquet disagree (not from the same run?) for school "
            + ", ".join(bad["cds_code"].to_list())
        )
    if total.get("suppressed") is False and (
        total["CohortStudents"],
        total["public_graduates"],
    ) != (total["cohort"], total["graduates"]):
        raise ValueError(
            f"acgr.txt and students.parquet disagree (not from the same run?) for LEA {cds7}"
        )


def _group_table(counted: pl.DataFrame, total: dict[str, Any]) -> pl.DataFrame:
    """Per reporting category with a student (TA excluded): rate, gap to the LEA, small flag."""
    lea_g, lea_c = int(total["graduates"]), int(total["cohort"])
    cat_rank = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    return (
        counted.filter(pl.col("category") != "TA")
        .group_by("category")
        .agg(pl.col("cohort", "graduates").sum())
        .filter(pl.col("cohort") >= 1)
        .with_columns(
            pl.col("category").replace_strict(CATEGORY_LABELS, default=None).alias("label"),
            rate_tenths(pl.col("graduates"), pl.col("cohort")).alias("rate_tenths"),
            change_tenths(pl.col("graduates"), pl.col("cohort"), pl.lit(lea_g), pl.lit(lea_c))
            .fill_null(0)
            .alias("gap_tenths"),
            (pl.col("cohort") <= SMALL_COHORT).alias("small"),
            pl.col("category")
            .replace_strict(cat_rank, default=len(cat_rank), return_dtype=pl.Int16)
            .alias("_rank"),
        )
        .with_columns(
            pl.col("label").fill_null(pl.col("category")),
            tenths_text(pl.col("rate_tenths")).alias("rate"),
            signed_tenths_text(pl.col("gap_tenths"), plus="+", minus="−").alias("gap"),
        )
        .sort("_rank")
        .drop("_rank")
    )


def _split_findings(
    findings: pl.DataFrame, names: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The LEA's findings, named by school: fatal, outcome-sensitive by school, the others."""
    mine = sort_findings(findings.join(names, on="cds_code", how="left"))
    fatal = mine.filter(pl.col("severity") == "fatal")
    sensitive = mine.filter(
        (pl.col("severity") != "fatal") & pl.col("rule").is_in(OUTCOME_SENSITIVE_RULES)
    ).sort("cds_code", "rule", "file", "line")
    others = mine.filter(
        (pl.col("severity") != "fatal") & ~pl.col("rule").is_in(OUTCOME_SENSITIVE_RULES)
    )
    return fatal, sensitive, others


#: Endings of the legal name columns of ``students.parquet`` (``acgr run --with-names``):
#: ``student_legal_last_name`` as read from SINF, or ``legal_last_name``.
LEGAL_NAME_SUFFIXES: tuple[str, str] = ("legal_last_name", "legal_first_name")


def legal_name_columns(columns: Sequence[str]) -> tuple[str, str] | None:
    """The (last, first) legal name columns among ``columns``, or None when the run has none.

    Names are read only when asked for, so their absence is normal: detected, never required.
    """
    found = [next((c for c in columns if c.endswith(s)), None) for s in LEGAL_NAME_SUFFIXES]
    last, first = found
    return (last, first) if last is not None and first is not None else None


def _group_labels() -> pl.Expr:
    """The student's reporting categories other than TA, as names, ``; `` between (R5.7)."""
    return (
        pl.col("reporting_categories")
        .list.eval(pl.element().filter(pl.element() != "TA").replace(CATEGORY_LABELS))
        .list.join("; ")
        .alias("groups")
    )


def _full_name(last: str, first: str) -> pl.Expr:
    """``Last, First`` (either part may be blank), as on CALPADS student lists."""
    return (
        pl.concat_str(
            pl.col(last).fill_null("").str.strip_chars(),
            pl.lit(", "),
            pl.col(first).fill_null("").str.strip_chars(),
        )
        .str.strip_chars(", ")
        .alias("name")
    )


def _student_list(
    students: pl.DataFrame, names: pl.DataFrame, name_columns: tuple[str, str] | None = None
) -> pl.DataFrame:
    """Every student of the LEA, by school then outcome (:class:`Outcome` order) then SSID.

    Each with ``groups`` (the student's groups by name) and, when the run read names,
    ``name``.
    """
    outcome_rank = {str(o): i for i, o in enumerate(Outcome)}
    name = [] if name_columns is None else [_full_name(*name_columns)]
    return (
        students.join(names, on="cds_code", how="left")
        .with_columns(
            pl.col("outcome")
            .replace_strict(outcome_rank, default=len(outcome_rank), return_dtype=pl.Int16)
            .alias("_rank")
        )
        .sort("cds_code", "_rank", "ssid")
        .select(
            "ssid",
            *name,
            "cds_code",
            "school_name",
            "outcome",
            "reason",
            "record_file",
            "record_line",
            _group_labels(),
        )
    )
