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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from acgr.checks.findings import fmt
from acgr.checks.verdict import as_date, class_year
from acgr.pipeline import STAGED_COLUMNS, AcgrResult, compute, schools_directory
from acgr.publish.text import WIDTH, school_label, school_names, wrap
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
        schools: school names by CDS code (from ``--schools``).
    """

    timeline: pl.DataFrame
    student: pl.DataFrame
    findings: pl.DataFrame
    initial_class: int | None
    periods: CohortPeriods
    #: School name by CDS code, from the schools file (empty without one).
    schools: dict[str, str] = field(default_factory=dict)


def _only(extracts: Extracts, ssid: str) -> Extracts:
    """The student's records, and for each table the student lacks but the input has,
    one record of another student (a witness, never shown).

    The witness keeps the table *present*, as it is in the full run: without it the
    run on one student would call the table absent (ACGR0003), leave the groups it
    measures blank and skip ACGR0002 (no SINF record), unlike the full run.
    """
    own = pl.col("ssid").str.strip_chars() == ssid
    raw = {}
    for t in TABLES:
        mine = extracts.raw[t].filter(own)
        if t != "senr" and mine.select(pl.len()).collect().item() == 0:
            witness = extracts.raw[t].filter(~own & pl.col("_problem").is_null()).head(1)
            mine = pl.concat([mine, witness])
        raw[t] = mine
    return Extracts(raw=raw, other_findings=extracts.other_findings.filter(pl.col("ssid") == ssid))


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
    sides: dict[str, Any],
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
        schools=sides["schools"],
        foster=sides["foster"],
        direct_cert=sides["direct_cert"],
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
    foster: str | Path | pl.DataFrame | pl.LazyFrame | None = None,
    direct_cert: str | Path | pl.DataFrame | pl.LazyFrame | None = None,
) -> Explanation:
    """Explain the outcome of student ``ssid`` in the class of ``class_of``.

    ``schools``, ``foster`` and ``direct_cert`` are those of :func:`acgr.compute`: the
    student's groups and school flags are then the full run's, and the schools file's
    names are shown beside the CDS codes.
    """
    ruleset = load_rules(rules)
    x = as_date(extraction_date, "extraction_date")
    periods = CohortPeriods.for_class(class_year(class_of), ruleset, x, check=True)
    with tempfile.TemporaryDirectory(prefix="acgr-explain-") as tmp:
        # Read the inputs once: the run and the timeline both use this student's
        # staged records (the text is not scanned a second time).
        one = _only(read_inputs(inputs), ssid.strip()).stage(Path(tmp), columns=STAGED_COLUMNS)
        directory = schools_directory(schools)
        sides = {"schools": directory, "foster": foster, "direct_cert": direct_cert}
        result, timeline = _run_and_timeline(one, periods, ruleset, x, sides)
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
    student = result.students.filter(pl.col("ssid") == ssid.strip())
    roles = _roles(student, qualifying)
    # ACGR0005 judges how far the whole extract's dates reach: one student's records
    # always look thin, so the part's own ACGR0005 would be wrong.
    mine = (pl.col("ssid").is_null() & (pl.col("rule") != "ACGR0005")) | (
        pl.col("ssid") == ssid.strip()
    )
    return Explanation(
        timeline=timeline.with_columns(roles.alias("role")),
        student=student,
        findings=result.findings.filter(mine).drop("ssid"),
        initial_class=initial_class,
        periods=periods,
        schools=school_names(directory),
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
    """Plain-text explanation for a terminal (the SSID is shown masked).

    Every line fits :data:`acgr.publish.text.WIDTH` (100) columns, wrapped between words.
    """
    masked = "…" + ssid.strip()[-4:]
    p = ex.periods
    lines = [
        *wrap(
            f"Student {masked}, class of {p.class_of}: outcome period {p.year1_start} to "
            f"{p.summer_cutoff}, extraction date {p.extraction_date}",
            hang="  ",
        ),
        "",
        "Enrollment records (SENR), in start order:",
        *_record_lines(ex.timeline, ex.schools),
        "",
        *_student_lines(ex),
        *_finding_lines(ex.findings),
    ]
    return "\n".join(lines) + "\n"


def _record_lines(timeline: pl.DataFrame, names: dict[str, str]) -> list[str]:
    """Per record: its file, line and school; its dates and codes; why it counts or not
    (R1) and its role."""
    lines = []
    for r in timeline.iter_rows(named=True):  # one student's handful of records
        completion = f"/{r['completion']}" if r["completion"] else ""
        exit_part = (
            f"exit {r['exit_date'] or '(no date)'} {r['exit_code'] or ''}{completion}".rstrip()
            if r["exit_date"] or r["exit_code"]
            else "open"
        )
        lines += wrap(
            f"{Path(r['file']).name}:{r['line']}  school {school_label(r['lea_school'], names)}",
            indent="  ",
            hang="      ",
        )
        lines += wrap(
            f"start {r['start']}  status {r['status']}  grade {r['grade']}  {exit_part}",
            indent="      ",
        )
        why = r["status_reason"] + (f"; {r['role']}" if r["role"] else "")
        lines += wrap(f"-> {why}", indent="      ", hang="         ")
    return lines


def _yes_no(value: object) -> str:
    """A flag in words: ``yes``/``no``; ``not measured`` when its input was absent (R5).

    Examples:
        >>> _yes_no(True), _yes_no(False), _yes_no(None), _yes_no("Y")
        ('yes', 'no', 'not measured', 'yes')
    """
    if value is None:
        return "not measured"
    if isinstance(value, str):
        return "yes" if value.strip().upper() in {"Y", "YES", "TRUE"} else "no"
    return "yes" if value else "no"


def _student_lines(ex: Explanation) -> list[str]:
    """The student's class (R2), outcome (R3), school (R4), groups (R5) and indicators (R6.2)."""
    if ex.student.height == 0:
        cls = ex.initial_class
        why = (
            f"the initial HS record puts the student in the class of {cls} (R2.2)"
            if cls is not None
            else "no qualifying high-school record (R1)"
        )
        return wrap(f"Not in the class of {ex.periods.class_of}: {why}.", hang="  ")
    s = ex.student.row(0, named=True)
    flags = ", ".join(f"{k.replace('_', ' ')} {_yes_no(s[k])}" for k in GROUP_FLAGS)
    race = s["race"] if s["race"] is not None else "not measured (no SINF records)"
    gender = s["gender"] if s["gender"] is not None else "not measured"
    lines = [
        *wrap(
            f"Cohort: class of {s['class_of']} by the initial HS record "
            f"(grade {s['initial_grade']} starting {s['initial_start_date']}, R2.1-R2.2)",
            hang="  ",
        ),
        f"Outcome: {s['outcome']}   rule: {s['reason']}",
        *wrap(
            f"Attributed school (R4): {school_label(s['cds_code'], ex.schools)}  "
            f"charter {_yes_no(s['charter'])}  DASS {_yes_no(s['dass'])}"
            + ("" if s["in_cohort"] else "  (Removed: counted nowhere, R4.2)"),
            hang="  ",
        ),
        *wrap(f"Groups (R5): race {race}, gender {gender}, {flags}", hang="  "),
    ]
    if s["outcome"] == str(Outcome.GRADUATE):
        lines += wrap(
            f"Graduate indicators (R6.2): UC/CSU {_yes_no(s['met_uc_csu'])}, Seal of Biliteracy "
            f"{_yes_no(s['seal_of_biliteracy'])}, Golden State Seal "
            f"{_yes_no(s['golden_state_seal'])}",
            hang="  ",
        )
    return lines


def _finding_lines(findings: pl.DataFrame) -> list[str]:
    """The findings about the student's records (file:line) or the inputs (no SSID)."""
    if not findings.height:
        return []
    lines = ["", "Findings about this student's records and the inputs:"]
    for f in findings.iter_rows(named=True):
        where = f"{Path(str(f['file'])).name}:{f['line']}" if f["file"] else "inputs"
        lines += wrap(
            f"{f['rule']} {f['severity']} {where}  {f['message']}",
            WIDTH,
            indent="  ",
            hang="      ",
        )
    return lines


__all__ = [
    "Explanation",
    "explain",
    "record_status",
    "render",
]
