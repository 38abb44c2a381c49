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


def school_impact(students: pl.DataFrame, rules: RuleSet) -> pl.DataFrame:
    """Per school with at least one such student: counts and the rate each way.

    * ``rate_if_transfers_confirmed``: lost transfers leave the cohort;
    * ``rate_if_open_graduated``: open students graduated by the cutoff;
    * ``rate_if_removals_undocumented``: removed students return as dropouts.
    """
    kinds = _kinds(rules)
    in_cohort = pl.col("outcome") != str(Outcome.REMOVED)
    grad = pl.col("outcome") == str(Outcome.GRADUATE)
    per_school = students.group_by("cds_code").agg(
        in_cohort.sum().alias("cohort"),
        grad.sum().alias("graduates"),
        *(k.sum().alias(name) for name, k in kinds.items()),
    )
    c, g = pl.col("cohort"), pl.col("graduates")
    return (
        per_school.filter(
            (pl.col("lost_transfers") + pl.col("open_past_cutoff") + pl.col("removals_to_document"))
            > 0
        )
        .with_columns(
            rate_text(g, c).alias("rate_now"),
            rate_text(g, c - pl.col("lost_transfers")).alias("rate_if_transfers_confirmed"),
            rate_text(g + pl.col("open_past_cutoff"), c).alias("rate_if_open_graduated"),
            rate_text(g, c + pl.col("removals_to_document")).alias("rate_if_removals_undocumented"),
        )
        .sort(
            pl.col("lost_transfers") + pl.col("open_past_cutoff") + pl.col("removals_to_document"),
            "cds_code",
            descending=[True, False],
        )
        .select(IMPACT_COLUMNS)
    )


__all__ = [
    "IMPACT_COLUMNS",
    "outcome_sensitive_findings",
    "school_impact",
]
