"""Outcome-sensitive findings: records whose correction would change a rate.

Three situations decide many students' outcomes and are often data errors an
LEA can still fix before certification:

* ``ACGR0101`` lost transfer (R3.4): a T160/T165/T167 exit with no later
  enrollment counts as Dropout. If the student did enroll elsewhere in
  California, the receiving school's record is missing and the student would
  leave this school's cohort.
* ``ACGR0102`` open past the cutoff (R3.3): a record still open (or exited after
  15 August) makes the student Still Enrolled; a missing exit or graduation
  record is the usual cause.
* ``ACGR0103`` removal that needs documentation (R3.4): E130, T180, T200, T240
  and T370 remove a student only with documentation on file; without it the
  exit must become a dropout code (CALPADS Data Guide 3.1.9.2).

:func:`school_impact` gives, per school, the rate now and the rate if each kind
were resolved the other way.
"""

from __future__ import annotations

import polars as pl

from acgr.checks.findings import concat_findings, findings_where, fmt
from acgr.publish.rates import rate_text
from acgr.rules.ruleset import Outcome, RuleSet

IMPACT_COLUMNS: tuple[str, ...] = (
    "cds_code",
    "cohort",
    "graduates",
    "rate_now",
    "lost_transfers",
    "rate_if_transfers_confirmed",
    "open_past_cutoff",
    "rate_if_open_graduated",
    "removals_to_document",
    "rate_if_removals_undocumented",
)


def _kinds(rules: RuleSet) -> dict[str, pl.Expr]:
    removal_codes = [c for c, r in rules.exit_outcomes.items() if r.outcome == str(Outcome.REMOVED)]
    return {
        "lost_transfers": (pl.col("outcome") == str(Outcome.DROPOUT))
        & pl.col("reason").str.contains(":lost-transfer", literal=True),
        "open_past_cutoff": (pl.col("outcome") == str(Outcome.STILL_ENROLLED))
        & pl.col("reason").str.starts_with("R3.3"),
        "removals_to_document": (pl.col("outcome") == str(Outcome.REMOVED))
        & pl.col("record_exit_code").is_in(removal_codes),
    }


def outcome_sensitive_findings(students: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """One warning per student in one of the three situations (see module docstring)."""
    kinds = _kinds(rules)
    rows = students.rename({"record_file": "source_file", "record_line": "source_line"})
    return concat_findings(
        [
            findings_where(
                rows,
                kinds["lost_transfers"],
                rule="ACGR0101",
                severity="warning",
                message=fmt(
                    "lost transfer: {} exit with no later enrollment counts as Dropout (R3.4); "
                    "if the student enrolled elsewhere in California, that record is missing",
                    pl.col("record_exit_code"),
                ),
            ),
            findings_where(
                rows,
                kinds["open_past_cutoff"],
                rule="ACGR0102",
                severity="warning",
                message="enrollment open (or exited after the summer cutoff) makes the student "
                "Still Enrolled (R3.3); post the exit or graduation record if one is missing",
            ),
            findings_where(
                rows,
                kinds["removals_to_document"],
                rule="ACGR0103",
                severity="warning",
                message=fmt(
                    "{} removes the student from the cohort only with documentation on file "
                    "(R3.4); without it the exit must be a dropout code",
                    pl.col("record_exit_code"),
                ),
            ),
        ]
    )


def _counts(students: pl.DataFrame, rules: RuleSet, by: pl.Expr) -> pl.DataFrame:
    """Cohort, graduates and each kind's students per ``by`` (a school or LEA code)."""
    kinds = _kinds(rules)
    in_cohort = pl.col("outcome") != str(Outcome.REMOVED)
    grad = pl.col("outcome") == str(Outcome.GRADUATE)
    return students.group_by(by.alias("cds_code")).agg(
        in_cohort.sum().alias("cohort"),
        grad.sum().alias("graduates"),
        *(k.sum().alias(name) for name, k in kinds.items()),
    )


#: Outcome-sensitive students of a row: the three kinds together.
_SENSITIVE = pl.col("lost_transfers") + pl.col("open_past_cutoff") + pl.col("removals_to_document")


def _rated(counts: pl.DataFrame) -> pl.DataFrame:
    c, g = pl.col("cohort"), pl.col("graduates")
    return counts.with_columns(
        rate_text(g, c).alias("rate_now"),
        rate_text(g, c - pl.col("lost_transfers")).alias("rate_if_transfers_confirmed"),
        rate_text(g + pl.col("open_past_cutoff"), c).alias("rate_if_open_graduated"),
        rate_text(g, c + pl.col("removals_to_document")).alias("rate_if_removals_undocumented"),
    )


def school_impact(students: pl.DataFrame, rules: RuleSet) -> pl.DataFrame:
    """Per school with at least one such student: counts and the rate each way.

    * ``rate_if_transfers_confirmed``: lost transfers leave the cohort;
    * ``rate_if_open_graduated``: open students graduated by the cutoff;
    * ``rate_if_removals_undocumented``: removed students return as dropouts.
    """
    per_school = _counts(students, rules, pl.col("cds_code"))
    return (
        _rated(per_school.filter(_SENSITIVE > 0))
        .sort(_SENSITIVE, "cds_code", descending=[True, False])
        .select(IMPACT_COLUMNS)
    )


#: Columns of ``impact.csv`` (docs/formats.md): the row's level, the LEA and school by
#: code and name, then :data:`IMPACT_COLUMNS` after ``cds_code``.
IMPACT_FILE_COLUMNS: tuple[str, ...] = (
    "level",
    "lea_code",
    "lea_name",
    "cds_code",
    "school_name",
    *IMPACT_COLUMNS[1:],
)

#: How ``impact.csv`` and the summary's impact table are ordered (said in both).
IMPACT_ORDER = (
    "LEAs in LEA-code order; in each LEA its schools with outcome-sensitive students, "
    "most such students first (then by CDS code), then the LEA total (every school of the LEA)"
)


def impact_table(
    students: pl.DataFrame, rules: RuleSet, directory: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``impact.csv``: :func:`school_impact` with names, and a total row per LEA.

    An LEA's total counts every student of the LEA (schools without such students
    too), so its ``rate_now`` is the LEA's rate. Ordered as :data:`IMPACT_ORDER`.
    Names come from ``directory`` (the schools file); empty without one.
    """
    schools = school_impact(students, rules).with_columns(
        pl.lit("school").alias("level"), pl.int_range(pl.len()).alias("_order")
    )
    lea = pl.col("cds_code").str.slice(0, 7)
    listed = schools["cds_code"].str.slice(0, 7).implode()
    leas = _counts(students.filter(lea.is_in(listed)), rules, lea + "0000000")
    totals = (
        _rated(leas)
        .select(IMPACT_COLUMNS)
        .with_columns(pl.lit("LEA total").alias("level"), pl.lit(None, pl.Int64).alias("_order"))
    )
    names = directory if directory is not None and directory.height else None
    return (
        pl.concat([schools, totals], how="vertical_relaxed")
        .with_columns(pl.col("cds_code").str.slice(0, 7).alias("lea_code"))
        .with_columns(
            _name(names, "school_name", pl.col("cds_code")).alias("school_name"),
            _lea_name(names).alias("lea_name"),
        )
        .with_columns(
            pl.when(pl.col("level") == "LEA total")
            .then(pl.lit(None, pl.String))
            .otherwise(pl.col("school_name"))
            .alias("school_name")
        )
        .sort("lea_code", pl.col("_order").is_null(), "_order")
        .select(IMPACT_FILE_COLUMNS)
    )


def _name(directory: pl.DataFrame | None, column: str, cds: pl.Expr) -> pl.Expr:
    """The directory's ``column`` for the CDS code ``cds`` (empty when not listed)."""
    if directory is None:
        return pl.lit("")
    lookup = dict(zip(directory["cds_code"], directory[column].fill_null(""), strict=True))
    return cds.replace_strict(lookup, default="", return_dtype=pl.String)


def _lea_name(directory: pl.DataFrame | None) -> pl.Expr:
    """The LEA's name: the district name of its first school in the directory."""
    if directory is None:
        return pl.lit("")
    firsts = directory.filter(pl.col("district_name").fill_null("") != "").unique(
        pl.col("cds_code").str.slice(0, 7), keep="first", maintain_order=True
    )
    lookup = dict(zip(firsts["cds_code"].str.slice(0, 7), firsts["district_name"], strict=True))
    return pl.col("lea_code").replace_strict(lookup, default="", return_dtype=pl.String)


__all__ = [
    "IMPACT_COLUMNS",
    "IMPACT_FILE_COLUMNS",
    "IMPACT_ORDER",
    "impact_table",
    "outcome_sensitive_findings",
    "school_impact",
]
