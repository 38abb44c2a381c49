"""Explain one student: every record, why it counts or not, and how the outcome was decided.

Everything the engine decides is per student (grouped by SSID), so explaining a
student only needs that student's records: the inputs are filtered to the SSID
first and the ordinary pipeline runs on them, giving exactly the outcome the
full run gives. Why each record counts or not is the engine's decision as well:
the reasons, their order and their tests are
:func:`acgr.rules.qualifying.not_counted`, the initial record's class is
:func:`acgr.rules.cohort.initial_records`; this module only words them.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from acgr.checks.findings import fmt
from acgr.checks.verdict import as_date, class_year
from acgr.pipeline import STAGED_COLUMNS, AcgrResult, compute
from acgr.read.cds import cds_code
from acgr.read.extracts import TABLES, Extracts, read_inputs
from acgr.rules.cohort import CohortPeriods, initial_records
from acgr.rules.groups import GROUP_FLAGS
from acgr.rules.qualifying import (
    enrollment_records,
    is_qualifying,
    normalized_code,
    not_counted,
    record_length,
    rejection_reason,
)
from acgr.rules.ruleset import Outcome, RuleSet, load_rules


@dataclass
class Explanation:
    """One student's story.

    Attributes:
        timeline: every SENR record of the student, in start order, with
            ``status`` (why it counts or not, citing the rule) and ``role``
            (initial / final / deciding / attributed record).
        student: the student's row of ``students.parquet`` (empty if not in the class).
        findings: findings about the student's records.
        initial_class: class the student's initial HS record puts them in (or None).
        periods: the class's dates.
    """

    timeline: pl.DataFrame
    student: pl.DataFrame
    findings: pl.DataFrame
    initial_class: int | None
    periods: CohortPeriods


def _only(extracts: Extracts, ssid: str) -> Extracts:
    return Extracts(
        raw={t: extracts.raw[t].filter(pl.col("ssid").str.strip_chars() == ssid) for t in TABLES},
        other_findings=extracts.other_findings.filter(pl.col("ssid") == ssid),
    )


def _wording(periods: CohortPeriods, rules: RuleSet) -> dict[str, pl.Expr]:
    """What ``acgr explain`` says for each reason of :func:`acgr.rules.qualifying.not_counted`."""
    return {
        "not_read": pl.lit("not read: starts after the extraction date (R2.4)"),
        "ungraded": pl.lit("does not count: grade US (R1.4)"),
        "grade": fmt(
            "does not count: grade {} is not 09-12 (R1.1)", pl.col("grade").fill_null("(blank)")
        ),
        "status": fmt(
            "does not count: enrollment status {} (R1.3)", pl.col("status").fill_null("(blank)")
        ),
        "rejected": pl.concat_str([pl.lit("rejected (R3.4.1): "), rejection_reason(rules)]),
        "excluded_exit": fmt("does not count: exit {} is excluded (R1.1)", pl.col("exit_code")),
        "short_term": fmt(
            "does not count: short-term record of {} days (R1.2)",
            record_length(periods.extraction_date),
        ),
    }


def record_status(periods: CohortPeriods, rules: RuleSet) -> pl.Expr:
    """Why a SENR record counts or not, citing the rule (first reason that applies).

    The reasons, their order and their conditions are the engine's
    (:func:`acgr.rules.qualifying.not_counted`); only the wording is said here.
    A record no reason holds for is ``qualifying (R1.1)``.
    """
    wording = _wording(periods, rules)
    status: pl.Expr = pl.lit("qualifying (R1.1)")
    for reason in reversed(not_counted(periods, rules)):
        status = pl.when(reason.condition).then(wording[reason.name]).otherwise(status)
    return status


def _run_and_timeline(
    one: Extracts,
    periods: CohortPeriods,
    ruleset: RuleSet,
    extraction_date: dt.date | None,
    schools: str | Path | pl.DataFrame | None,
) -> tuple[AcgrResult, pl.DataFrame]:
    """The ordinary run on one student's staged records, and their timeline.

    The timeline has ``_qualifying``: the engine's R1 decision on each record
    (:func:`acgr.rules.qualifying.is_qualifying`).
    """
    result: AcgrResult = compute(
        one,
        class_of=periods.class_of,
        rules=ruleset,
        extraction_date=extraction_date,
        schools=schools,
        judged=False,
    )
    records = enrollment_records(one.senr, None).with_columns(
        normalized_code("reporting_lea", 7),
        record_status(periods, ruleset).alias("status_reason"),
        is_qualifying(periods, ruleset).alias("_qualifying"),
    )
    timeline = records.select(
        pl.col("source_file").cast(pl.String).alias("file"),
        pl.col("source_line").alias("line"),
        cds_code(pl.col("reporting_lea"), pl.col("school_code")).alias("lea_school"),
        "start",
        "status",
        "grade",
        "exit_date",
        "exit_code",
        "completion",
        "status_reason",
        "_qualifying",
    ).collect()
    return result, timeline


def explain(
    ssid: str,
    inputs: Any,
    *,
    class_of: int,
    rules: str | Path | RuleSet = "2018",
    extraction_date: dt.date | str | None = None,
    schools: str | Path | pl.DataFrame | None = None,
) -> Explanation:
    """Explain the outcome of student ``ssid`` in the class of ``class_of``."""
    ruleset = load_rules(rules)
    x = as_date(extraction_date, "extraction_date")
    periods = CohortPeriods.for_class(class_year(class_of), ruleset, x, check=True)
    with tempfile.TemporaryDirectory(prefix="acgr-explain-") as tmp:
        # Read the inputs once: the run and the timeline both use this student's
        # staged records (the text is not scanned a second time).
        one = _only(read_inputs(inputs), ssid.strip()).stage(Path(tmp), columns=STAGED_COLUMNS)
        result, timeline = _run_and_timeline(one, periods, ruleset, x, schools)
    timeline = timeline.sort("start", "file", "line")
    qualifying = timeline.filter(pl.col("_qualifying"))
    timeline = timeline.drop("_qualifying")
    initial_class: int | None = None
    if qualifying.height:
        # R2.1-R2.2 as the engine decides them (one student: one row).
        initial = initial_records(
            qualifying.lazy().select(pl.lit(ssid).alias("ssid"), "start", "grade"), ruleset
        )
        initial_class = int(initial.select("class_of").collect().item())
    roles = _roles(result.students, qualifying)
    return Explanation(
        timeline=timeline.with_columns(roles.alias("role")),
        student=result.students,
        findings=result.findings.drop("ssid"),
        initial_class=initial_class,
        periods=periods,
    )


def _roles(students: pl.DataFrame, qualifying: pl.DataFrame) -> pl.Expr:
    marks: list[pl.Expr] = []
    if qualifying.height:
        first = qualifying.sort("start", "grade").row(0, named=True)
        marks.append(
            pl.when((pl.col("file") == first["file"]) & (pl.col("line") == first["line"])).then(
                pl.lit("initial HS record (R2.1)")
            )
        )
    if students.height:
        s = students.row(0, named=True)
        marks.append(
            pl.when(
                (pl.col("file") == s["record_file"]) & (pl.col("line") == s["record_line"])
            ).then(pl.lit(f"decided the outcome ({s['reason'].split(':')[0]})"))
        )
    if not marks:
        return pl.lit("", pl.String)
    return pl.concat_str(marks, separator="; ", ignore_nulls=True)


def render(ex: Explanation, ssid: str) -> str:
    """Plain-text explanation for a terminal (the SSID is shown masked)."""
    masked = "…" + ssid.strip()[-4:]
    p = ex.periods
    lines = [
        f"Student {masked}, class of {p.class_of}: outcome period {p.year1_start} to "
        f"{p.summer_cutoff}, extraction date {p.extraction_date}",
        "",
        "Enrollment records (SENR), in start order:",
        *_record_lines(ex.timeline),
        "",
        *_student_lines(ex),
        *_finding_lines(ex.findings),
    ]
    return "\n".join(lines) + "\n"


def _record_lines(timeline: pl.DataFrame) -> list[str]:
    """Two lines per record: the record, then why it counts or not (R1) and its role."""
    lines = []
    for r in timeline.iter_rows(named=True):  # one student's handful of records
        completion = f"/{r['completion']}" if r["completion"] else ""
        exit_part = (
            f"exit {r['exit_date']} {r['exit_code'] or ''}{completion}"
            if r["exit_date"] or r["exit_code"]
            else "open"
        )
        lines.append(
            f"  {Path(r['file']).name}:{r['line']}  school {r['lea_school']}  start {r['start']}  "
            f"status {r['status']}  grade {r['grade']}  {exit_part}"
        )
        lines.append(f"      -> {r['status_reason']}" + (f"; {r['role']}" if r["role"] else ""))
    return lines


def _student_lines(ex: Explanation) -> list[str]:
    """The student's class (R2), outcome (R3), school (R4), groups (R5) and indicators (R6.2)."""
    if ex.student.height == 0:
        cls = ex.initial_class
        why = (
            f"the initial HS record puts the student in the class of {cls} (R2.2)"
            if cls is not None
            else "no qualifying high-school record (R1)"
        )
        return [f"Not in the class of {ex.periods.class_of}: {why}."]
    s = ex.student.row(0, named=True)
    flags = ", ".join(f"{k} {'yes' if s[k] else 'no'}" for k in GROUP_FLAGS)
    lines = [
        f"Cohort: class of {s['class_of']} by the initial HS record "
        f"(grade {s['initial_grade']} starting {s['initial_start_date']}, R2.1-R2.2)",
        f"Outcome: {s['outcome']}   rule: {s['reason']}",
        f"Attributed school (R4): {s['cds_code']}  charter {s['charter']}  DASS {s['dass']}"
        + ("" if s["in_cohort"] else "  (Removed: counted nowhere, R4.2)"),
        f"Groups (R5): race {s['race']}, gender {s['gender']}, {flags}",
    ]
    if s["outcome"] == str(Outcome.GRADUATE):
        lines.append(
            f"Graduate indicators (R6.2): UC/CSU {s['met_uc_csu']}, Seal of Biliteracy "
            f"{s['seal_of_biliteracy']}, Golden State Seal {s['golden_state_seal']}"
        )
    return lines


def _finding_lines(findings: pl.DataFrame) -> list[str]:
    """The findings about the student's records, one line each (no SSID)."""
    if not findings.height:
        return []
    return [
        "",
        "Findings about this student's records:",
        *(
            f"  {f['rule']} {f['severity']} {Path(str(f['file'])).name}:{f['line']}  {f['message']}"
            for f in findings.iter_rows(named=True)
        ),
    ]


__all__ = [
    "Explanation",
    "explain",
    "record_status",
    "render",
]
