"""Readable summaries of findings, for the terminal and ``summary.txt``.

Grouped by rule and by school, worst first (fatal before warning, then by
count). Only counts, rule ids, school codes and file names appear: never a
student identifier.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from acgr.checks.catalogue import explain_rule
from acgr.checks.impact import IMPACT_FILE_COLUMNS, IMPACT_ORDER, impact_table
from acgr.five_year_run import FiveYearResult
from acgr.pipeline import AcgrResult, ValidationResult, schools_directory
from acgr.publish.acgr_file import GRADUATES
from acgr.publish.scope import Scope, rate_subject, scope_of
from acgr.publish.text import WIDTH, Column, school_label, school_names, text_table, wrap
from acgr.rules.ruleset import Outcome


def by_rule(findings: pl.DataFrame) -> pl.DataFrame:
    """Findings per rule: severity, count, distinct students, one sample message (whole)."""
    return (
        findings.group_by("rule", "severity")
        .agg(
            pl.len().alias("findings"),
            pl.col("ssid").drop_nulls().n_unique().alias("students"),
            pl.col("message").first().alias("example"),
        )
        .sort(
            [pl.col("severity") != "fatal", pl.col("findings"), "rule"],
            descending=[False, True, False],
        )
    )


#: The school of findings no one school's record holds (``cds_code`` empty): a student
#: as a whole (ACGR0002, no SINF record) or the inputs (ACGR0003, an absent file).
NO_SCHOOL = "(no school)"


def by_school(findings: pl.DataFrame, limit: int = 50) -> pl.DataFrame:
    """Findings per school (CDS code), worst first; :data:`NO_SCHOOL` for the rest."""
    return (
        findings.with_columns(pl.col("cds_code").fill_null(NO_SCHOOL))
        .group_by("cds_code")
        .agg(
            (pl.col("severity") == "fatal").sum().alias("fatal"),
            (pl.col("severity") == "warning").sum().alias("warning"),
            pl.col("ssid").drop_nulls().n_unique().alias("students"),
        )
        .sort(["fatal", "warning", "cds_code"], descending=[True, True, False])
        .head(limit)
    )


def _rule_table(findings: pl.DataFrame) -> list[str]:
    rows = by_rule(findings)
    if rows.height == 0:
        return ["By rule", "  (none)", ""]
    return [
        "By rule (fatal first, then most findings first)",
        *text_table(
            [
                Column("rule"),
                Column("severity"),
                Column("findings", right=True),
                Column("students", right=True),
                Column("example", wraps=True),
            ],
            [(r, sev, f"{n:,}", f"{k:,}", ex) for r, sev, n, k, ex in rows.iter_rows()],
        ),
        "",
    ]


def _school_table(findings: pl.DataFrame, names: dict[str, str]) -> list[str]:
    rows = by_school(findings)
    if rows.height == 0:
        return ["By school", "  (none)", ""]
    lines = [
        "By school (most fatal findings first, then most warnings)",
        *text_table(
            [
                Column("school", wraps=True),
                Column("fatal", right=True),
                Column("warning", right=True),
                Column("students", right=True),
            ],
            [
                (school_label(c, names), f"{f:,}", f"{w:,}", f"{k:,}")
                for c, f, w, k in rows.iter_rows()
            ],
        ),
    ]
    unplaced = findings.filter(pl.col("cds_code").is_null())
    if unplaced.height:
        counts = unplaced.group_by("rule").len().sort("len", "rule", descending=[True, False])
        listed = ", ".join(f"{r} {n:,}" for r, n in counts.iter_rows())
        lines += wrap(
            f"{NO_SCHOOL}: findings about a student as a whole or about the inputs, which no "
            f"one school's record holds ({listed})",
            indent="  ",
            hang="    ",
        )
    return [*lines, ""]


#: The summary's impact table: short headers, explained in :data:`_IMPACT_LEGEND`.
_IMPACT_COLUMNS = (
    Column("school", wraps=True),
    Column("cohort", right=True),
    Column("grads", right=True),
    Column("rate", right=True),
    Column("lost", right=True),
    Column("->rate", right=True),
    Column("open", right=True),
    Column("->rate", right=True),
    Column("undoc", right=True),
    Column("->rate", right=True),
)
_IMPACT_LEGEND = (
    "lost: lost transfers (ACGR0101), ->rate if each was a confirmed transfer; open: records "
    "open past the cutoff (ACGR0102), ->rate if each student graduated; undoc: removals "
    "needing documentation (ACGR0103), ->rate if each became a dropout."
)


def _impact_table(impact: pl.DataFrame, limit: int = 60) -> list[str]:
    """The impact table (:func:`acgr.checks.impact.impact_table`) fitted to 100 columns."""
    rows = []
    for r in impact.head(limit).iter_rows(named=True):
        if r["level"] == "LEA total":
            who = f"LEA total {r['lea_code']} {r['lea_name']}".strip()
        else:
            who = f"{r['cds_code']} {r['school_name']}".strip()
        rows.append(
            (
                who,
                *(f"{r[c]:,}" if isinstance(r[c], int) else r[c] for c in IMPACT_FILE_COLUMNS[5:]),
            )
        )
    lines = [
        "Outcome-sensitive records: each school's rate now and if they were resolved",
        *wrap(f"Order: {IMPACT_ORDER}.", indent="  ", hang="  "),
        *text_table(_IMPACT_COLUMNS, rows),
        *wrap(_IMPACT_LEGEND, indent="  ", hang="  "),
    ]
    if impact.height > limit:
        lines.append(f"  … and {impact.height - limit:,} more rows (impact.csv)")
    return [*lines, ""]


def summary_text(
    findings: pl.DataFrame,
    accounting: dict[str, int],
    impact: pl.DataFrame | None = None,
    *,
    directory: pl.DataFrame | None = None,
    scope: Scope | None = None,
) -> str:
    """The whole ``summary.txt`` of ``acgr validate``, every line at most 100 wide.

    ``impact``: :func:`acgr.checks.impact.impact_table` (with a class); ``directory``:
    the schools file, whose names the tables show beside the CDS codes; ``scope``:
    the LEAs the class's students cover (with a class).
    """
    read = accounting.get("lines_read", 0)
    parsed = accounting.get("records_parsed", 0)
    rejected = accounting.get("lines_rejected", 0)
    balanced = "yes" if read == parsed + rejected else "NO (please report)"
    fatal = int((findings["severity"] == "fatal").sum())
    lines = ["acgr validation summary", ""]
    if scope is not None:
        lines += wrap(f"scope: {scope.description}", hang="  ")
    lines += [
        *wrap(f"{accounting_line(accounting)} (balanced: {balanced})", hang="  "),
        f"findings: {fatal:,} fatal, {int((findings['severity'] == 'warning').sum()):,} warning",
        "",
    ]
    lines += _rule_table(findings)
    lines += _school_table(findings, school_names(directory))
    if impact is not None:
        lines += _impact_table(impact)
    return "\n".join(lines) + "\n"


def validation_texts(
    res: ValidationResult, schools: str | Path | pl.DataFrame | None = None
) -> tuple[str, pl.DataFrame | None]:
    """``summary.txt`` and ``impact.csv`` (None without a class) of ``acgr validate``.

    ``schools``: the schools file, whose school and LEA names both show (R4.3).
    """
    directory = schools_directory(schools)
    impact = scope = None
    if res.result is not None:
        impact = impact_table(res.result.students, res.result.rules, directory)
        scope = scope_of(res.result.rates, res.result.rules)
    text = summary_text(res.findings, res.accounting, impact, directory=directory, scope=scope)
    return text, impact


def validation_lines(res: ValidationResult, out_dir: Path | None, limit: int = 15) -> list[str]:
    """What ``acgr validate`` prints: the accounting, counts per rule, where the files are."""
    sev = {"fatal": 0, "warning": 0}
    for severity, n in res.findings.group_by("severity").len().iter_rows():
        sev[str(severity)] = int(n)
    rules = by_rule(res.findings)
    lines = [
        *wrap(accounting_line(res.accounting), hang="  "),
        f"findings: {sev['fatal']:,} fatal, {sev['warning']:,} warning",
        *(
            f"  {rule:<10} {severity:<8} {count_pair(n, students)}"
            for rule, severity, n, students, _example in rules.head(limit).iter_rows()
        ),
    ]
    if rules.height > limit:
        lines.append(f"  … and {rules.height - limit:,} more rules (summary.txt)")
    if out_dir is not None:
        # One line: a folder path is one word, never wrapped inside.
        impact = ", impact.csv" if res.result is not None else ""
        lines.append(f"details in {out_dir}: findings.csv, summary.txt{impact}")
    return lines


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


def count_pair(findings: int, students: int) -> str:
    """``4 findings   3 students`` in aligned columns, each noun agreeing with its count.

    Examples:
        >>> count_pair(1, 1)
        '       1 finding         1 student'
        >>> count_pair(81, 75)
        '      81 findings       75 students'
    """
    nouns = ("finding" if findings == 1 else "findings", "student" if students == 1 else "students")
    return f"{findings:>8,} {nouns[0]:<8} {students:>8,} {nouns[1]}"


def _of(scope: Scope) -> str:
    """The rate line's note: whose students the rate counts."""
    return f"all students of {rate_subject(scope)}"


def findings_explained(findings: pl.DataFrame, limit: int = 20) -> list[str]:
    """Findings per rule, worst first, each with what it means and what to fix."""
    rows = by_rule(findings).head(limit)
    lines = []
    for rule, severity, n, students, _example in rows.iter_rows():
        lines.append(f"  {rule:<9} {severity:<7} {count_pair(n, students)}")
        meaning = explain_rule(rule)
        if meaning:
            lines += wrap(meaning, WIDTH, indent=" " * 12)
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
    scope = scope_of(result.rates, result.rules)
    lines += [
        *wrap(accounting_line(result.accounting or {}), hang="  "),
        *wrap(f"scope: {scope.description}", hang="  "),
        f"  SENR records read      {result.senr_records:>10,}",
        f"  students read          {result.students_read:>10,}",
        f"  cohort students        {cohort.height:>10,}   (removed: "
        f"{result.students.height - cohort.height:,})",
        f"  graduates              {grads:>10,}",
        f"  graduation rate        {rate!s:>10}   ({_of(scope)})",
        f"  findings               {sev['fatal']:>10,} fatal, {sev['warning']:,} warning",
    ]
    if result.findings.height:
        lines += ["findings by rule (fatal first, then most findings first):"]
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
    scope = scope_of(result.four_year.rates, result.four_year.rules)
    four_grads = students.filter(pl.col("four_year_outcome") == str(Outcome.GRADUATE)).height
    lines = [
        *wrap(
            f"acgr five-year: class of {periods.class_of} ({periods.academic_year_label}); "
            f"four-year part as of {four.extraction_date.isoformat()} (R9.1), fifth year as of "
            f"{periods.extraction_date.isoformat()}, cutoff {periods.cutoff.isoformat()} (R9.2)",
            hang="  ",
        ),
        *wrap(f"scope: {scope.description}", hang="  "),
        f"  five-year cohort       {students.height:>10,}",
        f"  four-year graduates    {four_grads:>10,}",
        f"  fifth-year graduates   {int(students['fifth_year_graduate'].sum()):>10,}",
        f"  five-year rate         {rate!s:>10}   ({_of(scope)})",
    ]
    for rule, message in result.warnings:
        lines += wrap(f"warning {rule}: {message}", indent="  ", hang="    ")
    return lines


__all__ = [
    "NO_SCHOOL",
    "accounting_line",
    "by_rule",
    "by_school",
    "count_pair",
    "findings_explained",
    "five_year_lines",
    "run_summary",
    "summary_text",
    "validation_lines",
    "validation_texts",
]
