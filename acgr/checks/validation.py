"""Data-quality checks on SENR records, named by CALPADS rule id where one exists.

Every check is a :class:`acgr.checks.findings.Check`: an id, a severity, a condition on
one record and a message that says what to fix. Checks that compare a record
with the rest of the student's records (graduation, duplicates, overlaps) run
as their own passes. The checks run on every SENR record read, whatever its
class, because a bad record of any grade can move a student in or out of a
cohort.

Ids are CALPADS input-validation rules (``SENR0018`` …, see
https://documentation.calpads.org/Troubleshooting/SENR/) where one exists, and
``ACGR``-prefixed ids of this project otherwise. Record-level checks that the
engine needs for a decision (R3.4.1 rejections, R1.4, R1.5, R3.3) live with the
rule they serve; this module adds the rest.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import polars as pl

from acgr.checks.findings import (
    Check,
    Severity,
    empty_findings,
    findings_from_checks,
    findings_where,
    fmt,
)
from acgr.read.extracts import Engine
from acgr.rules.cohort import academic_year_end, of_students, year_of_last
from acgr.rules.overlaps import overlapping_records, prev_column
from acgr.rules.qualifying import has_counting_status, is_high_school, rule_checks
from acgr.rules.ruleset import RuleSet

#: Column of :func:`student_summary`: the student's earliest regular-diploma exit date.
FIRST_GRADUATION = "_first_graduation"


def _diploma(rules: RuleSet) -> str:
    """The regular-diploma completion status (100): CALPADS ties SENR0175/0315/0316/0586 to it.

    Taken from the 2018 meaning of Graduate, so a legacy rule set that also counts
    250/330 as graduates does not change what CALPADS validates.
    """
    return min(rules.graduate_completions())


def duplicate_records(records: pl.LazyFrame, *, engine: Engine = "auto") -> pl.LazyFrame:
    """Records repeating an earlier record's SSID, school and start date (ACGR0001).

    "Earlier" is file order: file name, then line; the first record of each key
    is not returned. The key is first grouped as a 64-bit hash, far cheaper than
    three text columns on millions of rows; the few candidate keys are collected
    (eager, on ``engine``), and only when there are some are their records read
    again (a membership filter, which streams) to check them on the real key.
    """
    dup_key = ["ssid", "school_code", "start"]
    key = pl.struct(dup_key).hash(seed=20180915).alias("_key")
    candidates = (
        records.select(key)
        .group_by("_key")
        .agg(pl.len().alias("_n"))
        .filter(pl.col("_n") > 1)
        .select("_key")
        .collect(engine=engine)
    )
    if candidates.height == 0:
        return records.clear()
    # Text that sorts as file order; built on the candidates' few records only.
    position = pl.concat_str(
        pl.col("source_file").cast(pl.String),
        pl.col("source_line").cast(pl.String).str.zfill(20),
        separator="\x00",
    )
    suspects = records.filter(key.is_in(candidates["_key"].implode())).with_columns(
        position.alias("_pos")
    )
    firsts = (
        suspects.group_by(dup_key)
        .agg(pl.len().alias("_n"), pl.col("_pos").min().alias("_first_pos"))
        .filter(pl.col("_n") > 1)
    )
    return (
        suspects.join(firsts, on=dup_key, how="inner", maintain_order="none")
        .filter(pl.col("_pos") != pl.col("_first_pos"))
        .drop("_n", "_pos", "_first_pos")
    )


def _code_checks(rules: RuleSet) -> list[Check]:
    """GERR0002, GERR0001: codes CALPADS does not know, a missing SSID or school."""
    code, status, grade = pl.col("exit_code"), pl.col("status"), pl.col("grade")
    cp = rules.calpads
    known_exits = [*rules.known_exit_codes(), *cp.lower_grade_exit_codes]
    return [
        Check(
            "GERR0002",
            "fatal",
            status.is_not_null() & ~status.is_in(cp.status_codes),
            fmt("enrollment status '{}' is not a CALPADS status code", status),
        ),
        Check(
            "GERR0002",
            "fatal",
            grade.is_not_null() & ~grade.is_in(cp.grade_codes),
            fmt("grade level '{}' is not a CALPADS grade code", grade),
        ),
        # High-school records are R3.4.1's (rejected by the engine); every other
        # record with an unknown exit code is reported here.
        Check(
            "GERR0002",
            "fatal",
            code.is_not_null() & ~code.is_in(known_exits) & ~is_high_school(rules),
            fmt("exit code '{}' is not a CALPADS exit category", code),
        ),
        Check(
            "GERR0001",
            "fatal",
            pl.col("ssid").is_null() | pl.col("school_code").is_null(),
            "SSID or School of Attendance is missing",
        ),
    ]


def _exit_date_checks(rules: RuleSet) -> list[Check]:
    """SENR0018: an exit date before the start (N470: the start date or the day before)."""
    code, start, exit_date = pl.col("exit_code"), pl.col("start"), pl.col("exit_date")
    return [
        Check(
            "SENR0018",
            "fatal",
            exit_date.is_not_null()
            & pl.when(code == rules.calpads.no_show_exit)
            .then((exit_date > start) | (exit_date < start - dt.timedelta(days=1)))
            .otherwise(exit_date < start),
            "exit date is before the start date (N470: must be the start date or the day before)",
        ),
    ]


def _completion_checks(rules: RuleSet) -> list[Check]:
    """SENR0175, SENR0022: a completion status only with exit code E230."""
    code, comp = pl.col("exit_code"), pl.col("completion")
    e230, diploma = rules.completer_exit_code, _diploma(rules)
    return [
        Check(
            "SENR0175",
            "fatal",
            (comp == diploma) & (code.is_null() | (code != e230)),
            fmt("completion status 100 requires exit code E230, found {}", code.fill_null("none")),
        ),
        Check(
            "SENR0022",
            "fatal",
            comp.is_not_null() & (comp != diploma) & (code.is_null() | (code != e230)),
            fmt("completion status {} may only be posted with exit code E230", comp),
        ),
    ]


def _secondary_exit_checks(rules: RuleSet) -> list[Check]:
    """SENR0302: a secondary enrollment (status 20) exits only with E170."""
    code, cp = pl.col("exit_code"), rules.calpads
    return [
        Check(
            "SENR0302",
            "fatal",
            (pl.col("status") == cp.secondary_status)
            & code.is_not_null()
            & ~code.is_in(cp.secondary_exits),
            fmt("secondary enrollment (status 20) may only exit with E170, found {}", code),
        ),
    ]


def _diploma_indicator_checks(rules: RuleSet) -> list[Check]:
    """SENR0315, SENR0316: the Golden State Seal and the Seal of Biliteracy need a diploma."""
    comp, diploma = pl.col("completion"), _diploma(rules)
    return [
        Check(
            "SENR0315",
            "fatal",
            (pl.col("gssmd") == "Y") & (comp.is_null() | (comp != diploma)),
            "Golden State Seal Merit Diploma indicator Y requires completion status 100",
        ),
        Check(
            "SENR0316",
            "fatal",
            (pl.col("seal") == "Y") & (comp.is_null() | (comp != diploma)),
            "Seal of Biliteracy indicator Y requires completion status 100",
        ),
    ]


def _non_primary_checks(rules: RuleSet) -> list[Check]:
    """SENR0522, SENR0523: non-ADA (status 50) exits, and E170 only from status 20 or 50."""
    code, status, cp = pl.col("exit_code"), pl.col("status"), rules.calpads
    return [
        Check(
            "SENR0522",
            "fatal",
            (status == cp.non_ada_status) & code.is_not_null() & ~code.is_in(cp.non_ada_exits),
            fmt(
                "non-ADA enrollment (status 50) may only exit with E170, N470 or E150, found {}",
                code,
            ),
        ),
        Check(
            "SENR0523",
            "fatal",
            (code == cp.non_primary_exit) & ~status.is_in(cp.non_primary_statuses),
            fmt("exit code E170 requires status 20 or 50, found {}", status),
        ),
    ]


def _prior_year_checks(rules: RuleSet, extraction_date: dt.date | None) -> list[Check]:
    """SENR0317 (with an extraction date only): a prior-year enrollment left open.

    SENR0317 / CERT112: a prior-year enrollment must be exited before the rule
    set's deadline after its academic year; one still open then inflates Still
    Enrolled.
    """
    if extraction_date is None:
        return []
    start, exit_date, cp = pl.col("start"), pl.col("exit_date"), rules.calpads
    by = cp.prior_year_exit_deadline
    # The deadline is ``by`` in the end year Y of the start's academic year.
    # Compared as years, not built as a date per record: an exit is on or
    # after the deadline when the latest ``by`` before it falls in Y or later,
    # and the deadline has passed when the latest ``by`` before X does: Y may be
    # at most the smaller of those two years (an open record has only X's), so
    # Y is worked out once per record.
    year_limit = pl.min_horizontal(
        year_of_last(exit_date, by), year_of_last(pl.lit(extraction_date), by)
    )
    return [
        Check(
            "SENR0317",
            "warning",
            (academic_year_end(start, rules) <= year_limit)
            & (pl.col("status") != cp.secondary_status),
            # The day named comes from the rule set, like the test itself.
            f"prior-year enrollment was not exited before {by.day} "
            f"{calendar.month_name[by.month]} of the next year "
            "(exit it with the right code and date)",
        ),
    ]


def record_checks(rules: RuleSet, extraction_date: dt.date | None) -> list[Check]:
    """The record-level checks, in id order: one group of related checks after another.

    Codes and identifiers (GERR0002, GERR0001), the exit date (SENR0018),
    completion statuses (SENR0175, SENR0022), secondary exits (SENR0302), the
    diploma indicators (SENR0315, SENR0316), non-ADA and E170 exits (SENR0522,
    SENR0523) and, with an extraction date, prior-year enrollments (SENR0317).
    """
    return [
        *_code_checks(rules),
        *_exit_date_checks(rules),
        *_completion_checks(rules),
        *_secondary_exit_checks(rules),
        *_diploma_indicator_checks(rules),
        *_non_primary_checks(rules),
        *_prior_year_checks(rules, extraction_date),
    ]


@dataclass(frozen=True)
class GraduationCheck:
    """A check of a record against the student's first regular-diploma graduation.

    It fails when the record meets ``record`` (a condition on the record alone)
    and its date column ``date`` is after that graduation (on or after, with
    ``inclusive``). Written so, one grouping of every record by SSID finds the
    students who can fail it (:func:`student_summary`): the latest ``date``
    among their records meeting ``record``, against their first graduation.
    """

    rule: str
    severity: Severity
    record: pl.Expr
    date: str
    inclusive: bool
    message: str

    def check(self) -> Check:
        """The record-level check (reads ``_first_graduation``)."""
        first, date = pl.col(FIRST_GRADUATION), pl.col(self.date)
        after = date >= first if self.inclusive else date > first
        return Check(self.rule, self.severity, self.record & after, self.message)

    def candidate(self, name: str) -> pl.Expr:
        """Per record: ``date`` when the record meets ``record``, else null.

        Its maximum per student (a plain ``max`` in the grouping, which Polars
        streams; a filter inside the aggregation would not) is the latest date
        the check compares with the graduation.
        """
        return pl.when(self.record.fill_null(False)).then(pl.col(self.date)).alias(name)

    def may_fail(self, name: str) -> pl.Expr:
        """On a :func:`student_summary` row: some record of the student fails the check."""
        first = pl.col(FIRST_GRADUATION)
        return (pl.col(name) >= first) if self.inclusive else (pl.col(name) > first)


def graduation_checks(rules: RuleSet) -> list[GraduationCheck]:
    """Checks of records against the student's regular-diploma graduation (SENR0586/0587).

    They read ``_first_graduation`` (see :func:`student_summary`), so they run only
    on the records of students who graduated, and only of those
    :func:`student_summary` finds may fail one.
    """
    code, status = pl.col("exit_code"), pl.col("status")
    comp = pl.col("completion")
    cp = rules.calpads
    secondary, no_show = cp.secondary_status, cp.no_show_exit
    e230, diploma = rules.completer_exit_code, _diploma(rules)
    return [
        GraduationCheck(
            "SENR0586",
            "fatal",
            (status != secondary)
            & (code.is_null() | (code != no_show))
            & ~((code == e230) & (comp == diploma))
            & pl.col("exit_date").is_not_null(),
            "exit_date",
            inclusive=False,
            message="exit date is after the student's regular-diploma graduation; a graduate "
            "cannot have later enrollments (fix the graduation or this record)",
        ),
        GraduationCheck(
            "SENR0587",
            "fatal",
            pl.col("exit_date").is_null() & code.is_null() & (status != secondary),
            "start",
            inclusive=True,
            message="open enrollment after the student's regular-diploma graduation",
        ),
    ]


def student_summary(records: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """One grouping of the records by SSID: what the per-student checks need.

    Per SSID: ``_records`` (records read), :data:`FIRST_GRADUATION` (the
    earliest E230/100 exit date, null for a student who did not graduate) and,
    per :func:`graduation_checks` entry, the latest date it compares with that
    graduation (``_latest_0`` ...). Partitioned by SSID only.
    """
    grad = (pl.col("exit_code") == rules.completer_exit_code) & (
        pl.col("completion") == _diploma(rules)
    )
    latest = [f"_latest_{i}" for i in range(len(graduation_checks(rules)))]
    return (
        records.select(
            "ssid",
            pl.when(grad.fill_null(False)).then(pl.col("exit_date")).alias(FIRST_GRADUATION),
            *(g.candidate(n) for g, n in zip(graduation_checks(rules), latest, strict=True)),
        )
        .group_by("ssid")
        .agg(
            pl.len().alias("_records"),
            pl.col(FIRST_GRADUATION).min(),
            *(pl.col(n).max() for n in latest),
        )
    )


def graduation_findings(
    records: pl.LazyFrame, summary: pl.DataFrame, rules: RuleSet
) -> pl.LazyFrame:
    """SENR0586/0587 findings: the records of the students who may fail a graduation check.

    ``summary`` is :func:`student_summary` collected. Records are read again only
    for those students (a handful in a clean extract), with their graduation.
    """
    checks = graduation_checks(rules)
    may_fail = pl.any_horizontal([g.may_fail(f"_latest_{i}") for i, g in enumerate(checks)])
    suspects = summary.filter(may_fail.fill_null(False)).select("ssid", FIRST_GRADUATION)
    if suspects.height == 0:
        return empty_findings()
    graduates = records.join(suspects.lazy(), on="ssid", how="inner", maintain_order="none")
    return findings_from_checks(graduates, [g.check() for g in checks])


def concurrent_enrollments(
    records: pl.LazyFrame,
    rules: RuleSet,
    extraction_date: dt.date | None,
    *,
    engine: Engine = "auto",
) -> pl.LazyFrame:
    """Primary enrollments of one student that overlap (SENR0027/SENR0028).

    A primary enrollment is status 10, or short-term (30) lasting more than
    ``short_term_min_days`` (R1.2; :func:`acgr.rules.qualifying.has_counting_status`),
    and never an N470 no-show. SENR0027 (fatal)
    when the record overlaps an earlier one of the same LEA; SENR0028 (warning,
    a concurrent-enrollment anomaly) when it overlaps one of another LEA. The
    earlier record is the one with the latest end so far, not only the
    previous one, so any overlap is caught; each record is reported once.
    The overlaps are found eagerly, on ``engine``
    (:func:`acgr.rules.overlaps.overlapping_records`).
    """
    open_end = dt.date(9999, 12, 31)
    # R1.2's length, measured to X, or without one (no class) to the far date.
    primary = records.filter(
        has_counting_status(rules, extraction_date or open_end)
        & (pl.col("exit_code").fill_null("") != rules.calpads.no_show_exit)
    ).with_columns(pl.col("exit_date").fill_null(open_end).alias("_end"))
    same_lea = pl.col("reporting_lea") == pl.col(prev_column("reporting_lea"))
    carry = ("reporting_lea", "source_file", "source_line")
    # One findings pass over the sorted records: two filtered branches would
    # each sort all primary enrollments again.
    return findings_where(
        overlapping_records(primary, end="_end", carry=carry, engine=engine),
        pl.lit(True),
        rule=pl.when(same_lea).then(pl.lit("SENR0027")).otherwise(pl.lit("SENR0028")),
        severity=pl.when(same_lea).then(pl.lit("fatal")).otherwise(pl.lit("warning")),
        message=pl.concat_str(
            pl.when(same_lea)
            .then(pl.lit("primary enrollment overlaps another primary enrollment in the same LEA"))
            .otherwise(
                pl.lit(
                    "primary enrollment overlaps a primary enrollment in another LEA "
                    "(concurrent enrollment anomaly)"
                )
            ),
            _partner(),
        ),
    )


def _partner() -> pl.Expr:
    """Where the earlier overlapping record is, for an SENR0027/0028 message.

    ``: overlaps line 31``, or ``: overlaps line 31 of FILE`` when that record is
    in another file than the finding's (FILE by its name only: the message stays the
    same wherever the extract sits, and the ``file`` column has the whole path).
    """
    line, file = pl.col(prev_column("source_line")), pl.col(prev_column("source_file"))
    same_file = file.cast(pl.String) == pl.col("source_file").cast(pl.String)
    return (
        pl.when(same_file)
        .then(fmt(": overlaps line {}", line))
        .otherwise(
            fmt(": overlaps line {} of {}", line, file.cast(pl.String).str.extract(r"([^/\\]+)$"))
        )
    )


def students_without_demographics(
    ssids: pl.DataFrame, sinf: pl.LazyFrame, *, engine: Engine = "auto"
) -> pl.DataFrame:
    """The SSIDs among ``ssids`` (distinct, from SENR) that no SINF record has.

    Empty when no SINF record was supplied at all: then every student would be
    flagged for a file the user simply did not pass. A missing SSID is
    GERR0001's, not this.
    """
    sinf_ids = sinf.select("ssid").unique().collect(engine=engine)
    if sinf_ids.height == 0:
        return ssids.clear()
    return ssids.drop_nulls("ssid").join(sinf_ids, on="ssid", how="anti")


def missing_demographics(records: pl.LazyFrame, without: pl.DataFrame) -> pl.LazyFrame:
    """One ACGR0002 finding per student of ``without`` (see
    :func:`students_without_demographics`), at the student's first record in
    file order. Records are read again only when some student lacks SINF.
    """
    if without.height == 0:
        return empty_findings()
    order = ["source_file", "source_line"]
    first = (
        of_students(records, without)
        .group_by("ssid")
        .agg(
            pl.col("source_file").sort_by(order).first(),
            pl.col("source_line").sort_by(order).first(),
        )
    )
    return findings_where(
        first,
        pl.lit(True),
        rule="ACGR0002",
        severity="warning",
        message="student has enrollment records but no SINF record: race and gender "
        "will be Not Reported / Missing",
    )


def validation_parts(
    records: pl.LazyFrame,
    rules: RuleSet,
    *,
    extraction_date: dt.date | None,
    sinf: pl.LazyFrame | None = None,
    summary: pl.DataFrame | None = None,
    engine: Engine = "auto",
) -> list[pl.LazyFrame]:
    """Every record-level finding of SENR engine records, as queries, one per pass.

    Collecting them one after another bounds peak memory by the largest pass,
    where one union would run them side by side. Small intermediate results
    (the per-student summary, candidate duplicate keys, overlapping records,
    students without SINF) are collected here, so a pass that has nothing to
    report does not read the records again, on ``engine``. ``summary``: the
    :func:`student_summary` of ``records``, when the caller has it already.
    """
    # One pass over the records for every record-level check, the rule checks
    # of R1/R3.4.1 included (see acgr.rules.qualifying.rule_checks).
    checks = [*rule_checks(rules), *record_checks(rules, extraction_date)]
    if summary is None:
        summary = student_summary(records, rules).collect(engine=engine)
    parts = [
        findings_from_checks(records, checks),
        graduation_findings(records, summary, rules),
        findings_where(
            duplicate_records(records, engine=engine),
            pl.lit(True),
            rule="ACGR0001",
            severity="warning",
            message="duplicate record: same student, school and start date as an earlier "
            "record (CALPADS keeps one; the engine uses both)",
        ),
    ]
    parts.append(concurrent_enrollments(records, rules, extraction_date, engine=engine))
    if sinf is not None:
        without = students_without_demographics(summary.select("ssid"), sinf, engine=engine)
        parts.append(missing_demographics(records, without))
    return parts


__all__ = [
    "FIRST_GRADUATION",
    "GraduationCheck",
    "concurrent_enrollments",
    "duplicate_records",
    "graduation_checks",
    "graduation_findings",
    "missing_demographics",
    "record_checks",
    "student_summary",
    "students_without_demographics",
    "validation_parts",
]
