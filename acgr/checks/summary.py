"""Readable summaries of findings, for the terminal and ``summary.txt``.

Grouped by rule and by school, worst first (fatal before warning, then by
count). Only counts, rule ids, school codes and file names appear: never a
student identifier.
"""

from __future__ import annotations

import textwrap

import polars as pl

from acgr.checks.catalogue import explain_rule
from acgr.five_year_run import FiveYearResult
from acgr.pipeline import AcgrResult
from acgr.publish.acgr_file import GRADUATES
from acgr.rules.ruleset import Outcome


def _table(df: pl.DataFrame, title: str) -> list[str]:
    if df.height == 0:
        return [title, "  (none)", ""]
    widths = {c: max(len(c), *(len(str(v)) for v in df[c].to_list())) for c in df.columns}
    head = "  " + "  ".join(c.ljust(widths[c]) for c in df.columns)
    lines = [title, head, "  " + "  ".join("-" * widths[c] for c in df.columns)]
    lines.extend(
        "  " + "  ".join(str(v).ljust(widths[c]) for c, v in zip(df.columns, row, strict=True))
        for row in df.iter_rows()  # a few dozen summary rows, never records
    )
    lines.append("")
    return lines


def by_rule(findings: pl.DataFrame) -> pl.DataFrame:
    """Findings per rule: severity, count, distinct students, one sample message."""
    return (
        findings.group_by("rule", "severity")
        .agg(
            pl.len().alias("findings"),
            pl.col("ssid").drop_nulls().n_unique().alias("students"),
            pl.col("message").first().str.slice(0, 90).alias("example"),
        )
        .sort(
            [pl.col("severity") != "fatal", pl.col("findings"), "rule"],
            descending=[False, True, False],
        )
    )


def by_school(findings: pl.DataFrame, limit: int = 50) -> pl.DataFrame:
    """Findings per school (CDS code), worst first."""
    return (
        findings.with_columns(pl.col("cds_code").fill_null("(unknown)"))
        .group_by("cds_code")
        .agg(
            (pl.col("severity") == "fatal").sum().alias("fatal"),
            (pl.col("severity") == "warning").sum().alias("warning"),
            pl.col("ssid").drop_nulls().n_unique().alias("students"),
        )
        .sort(["fatal", "warning", "cds_code"], descending=[True, True, False])
        .head(limit)
    )


def summary_text(
    findings: pl.DataFrame,
    accounting: dict[str, int],
    impact: pl.DataFrame | None = None,
) -> str:
    """The whole ``summary.txt``."""
    read = accounting.get("lines_read", 0)
    parsed = accounting.get("records_parsed", 0)
    rejected = accounting.get("lines_rejected", 0)
    balanced = "yes" if read == parsed + rejected else "NO (please report)"
    lines = [
        "acgr validation summary",
        "",
        f"{accounting_line(accounting)} (balanced: {balanced})",
        f"findings: {int((findings['severity'] == 'fatal').sum()):,} fatal, "
        f"{int((findings['severity'] == 'warning').sum()):,} warning",
        "",
    ]
    lines += _table(by_rule(findings), "By rule (fatal first, most frequent first)")
    lines += _table(by_school(findings), "By school (worst first)")
    if impact is not None:
        lines += _table(
            impact.head(50),
            "Outcome-sensitive records per school: graduation rate now and if resolved",
        )
    return "\n".join(lines) + "\n"


#: Width of the summary's wrapped lines: fits a 100-column terminal.
WIDTH = 100


def accounting_line(accounting: dict[str, int]) -> str:
    """Where every line went: used, rejected, or parsed but not read (R2.4, GERR0001).

    Examples:
        >>> line = accounting_line({"lines_read": 10, "records_parsed": 8, "lines_rejected": 2,
        ...                         "senr_after_extraction": 1, "senr_without_start": 0})
        >>> for part in line.split(" + "):
        ...     print(part)
        lines read 10 = records used 7
        lines rejected 2
        starting after the extraction date 1 (R2.4)
    """
    read = accounting.get("lines_read", 0)
    parsed = accounting.get("records_parsed", 0)
    rejected = accounting.get("lines_rejected", 0)
    later = accounting.get("senr_after_extraction", 0)
    no_start = accounting.get("senr_without_start", 0)
    text = (
        f"lines read {read:,} = records used {parsed - later - no_start:,} "
        f"+ lines rejected {rejected:,}"
    )
    if later:
        text += f" + starting after the extraction date {later:,} (R2.4)"
    if no_start:
        text += f" + without a start date {no_start:,} (GERR0001)"
    if read != parsed + rejected:
        text += "  (NOT BALANCED: please report)"
    return text


def findings_explained(findings: pl.DataFrame, limit: int = 20) -> list[str]:
    """Findings per rule, worst first, each with what it means and what to fix."""
    rows = by_rule(findings).head(limit)
    lines = []
    for rule, severity, n, students, _example in rows.iter_rows():
        lines.append(f"  {rule:<9} {severity:<7} {n:>8,} findings {students:>8,} students")
        meaning = explain_rule(rule)
        if meaning:
            lines += textwrap.wrap(
                meaning, WIDTH, initial_indent=" " * 12, subsequent_indent=" " * 12
            )
    if by_rule(findings).height > limit:
        lines.append(f"  … and {by_rule(findings).height - limit} more rules (findings.csv)")
    return lines


def run_summary(result: AcgrResult) -> list[str]:
    """The summary of ``acgr run``: what was read and lacked, counts, the rate, findings.

    Counts, codes, dates and file names only: never a student identifier.
    """
    periods, verdict = result.periods, result.verdict
    cohort = result.students.filter(pl.col("in_cohort"))
    grads = cohort.filter(pl.col("outcome") == str(Outcome.GRADUATE)).height
    rate = result.state_row().get(GRADUATES.rate_header, "")
    assumed = (
        " (default of the rule set, R2.3)" if verdict and verdict.extraction_date_assumed else ""
    )
    lines = [
        f"acgr: class of {periods.class_of} ({periods.academic_year_label}), "
        f"extraction date {periods.extraction_date.isoformat()}{assumed}",
    ]
    if verdict is not None:
        lines += verdict.lines()
    sev = {"fatal": 0, "warning": 0}
    for severity, n in result.findings.group_by("severity").len().iter_rows():
        sev[str(severity)] = int(n)
    lines += [
        accounting_line(result.accounting or {}),
        f"  SENR records read      {result.senr_records:>10,}",
        f"  students read          {result.students_read:>10,}",
        f"  cohort students        {cohort.height:>10,}   (removed: "
        f"{result.students.height - cohort.height:,})",
        f"  graduates              {grads:>10,}",
        f"  graduation rate, all   {rate!s:>10}   (all students of every school read)",
        f"  findings               {sev['fatal']:>10,} fatal, {sev['warning']:,} warning",
    ]
    if result.findings.height:
        lines += ["findings by rule (fatal first, most frequent first):"]
        lines += findings_explained(result.findings)
    return lines


def five_year_lines(result: FiveYearResult) -> list[str]:
    """What ``acgr five-year`` prints (R9): dates, counts, the state rate, warnings.

    Counts, dates and rule ids only: never a student identifier.
    """
    periods, students = result.periods, result.students
    four = periods.four_year
    state = result.table.filter(
        (pl.col("AggregateLevel") == "T")
        & (pl.col("ReportingCategory") == "TA")
        & (pl.col("CharterSchool") == "All")
        & (pl.col("DASS") == "All")
    )
    rate = state[GRADUATES.rate_header].item() if state.height else ""
    four_grads = students.filter(pl.col("four_year_outcome") == str(Outcome.GRADUATE)).height
    lines = [
        f"acgr five-year: class of {periods.class_of} ({periods.academic_year_label}); four-year "
        f"part as of {four.extraction_date.isoformat()} (R9.1), fifth year as of "
        f"{periods.extraction_date.isoformat()}, cutoff {periods.cutoff.isoformat()} (R9.2)",
        f"  five-year cohort       {students.height:>10,}",
        f"  four-year graduates    {four_grads:>10,}",
        f"  fifth-year graduates   {int(students['fifth_year_graduate'].sum()):>10,}",
        f"  five-year rate, state  {rate!s:>10}",
    ]
    lines += [f"  warning {rule}: {message}" for rule, message in result.warnings]
    return lines


__all__ = [
    "WIDTH",
    "accounting_line",
    "by_rule",
    "by_school",
    "findings_explained",
    "five_year_lines",
    "run_summary",
    "summary_text",
]
