"""What a run read, what it lacked, and when it refuses to answer.

An accountability number that is silently wrong is worse than none. So every
run states which inputs it read (per record type: files, records, rejected
lines) and which it lacked, and what that means for the published file:

* a reporting category none of whose inputs was read is *not measured*: its
  rows are left out of ``acgr.txt`` and its student flags are null, never
  published as zeros (rule set ``groups.inputs``);
* anything that weakens the answer without voiding it is a warning, in the
  summary and as a finding: a missing optional table (ACGR0003), charter and
  DASS flags assumed ``No`` (ACGR0004), SENR dates that begin after the
  class's Year1 or end early in its Year4 (ACGR0005);
* anything that voids it is a :class:`RefusedError`: the run stops with one line
  saying why (the CLI exits 2). See README "When acgr refuses to answer".

Every message carries counts, codes, dates and file names only, never a
student identifier.
"""

from __future__ import annotations

import datetime as dt
import numbers
from dataclasses import dataclass

import polars as pl

from acgr.checks.findings import FINDINGS_SCHEMA, findings_where
from acgr.errors import RefusedError
from acgr.publish.text import wrap
from acgr.read.directory import flags_given
from acgr.read.extracts import TABLES, Engine, Extracts
from acgr.rules.cohort import CohortPeriods, initial_records
from acgr.rules.ruleset import RuleSet

#: How each input is named in the summary.
INPUT_LABELS: dict[str, str] = {
    "senr": "SENR",
    "sinf": "SINF",
    "sprg": "SPRG",
    "sela": "SELA",
    "foster": "foster-match file (--foster)",
    "direct_cert": "direct-certification file (--direct-cert)",
}


# ---------------------------------------------------------------------------------
# The request
# ---------------------------------------------------------------------------------
def class_year(value: object) -> int:
    """``class_of`` as an int; a wrong type is a :class:`TypeError` (never a Polars error).

    Examples:
        >>> class_year(2018)
        2018
        >>> class_year("2018")
        Traceback (most recent call last):
        ...
        TypeError: class_of must be a year as an int (e.g. 2018), not str
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"class_of must be a year as an int (e.g. 2018), not {type(value).__name__}"
        )
    return int(value)


def as_date(value: object, name: str) -> dt.date | None:
    """A date argument given as ``datetime.date`` (or datetime) or ISO text ``YYYY-MM-DD``.

    Examples:
        >>> as_date("2018-09-15", "extraction_date")
        datetime.date(2018, 9, 15)
        >>> as_date("15/09/2018", "extraction_date")
        Traceback (most recent call last):
        ...
        ValueError: extraction_date '15/09/2018' is not a date in the form YYYY-MM-DD
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{name} {value!r} is not a date in the form YYYY-MM-DD") from None
    raise TypeError(
        f"{name} must be a datetime.date or ISO text YYYY-MM-DD, not {type(value).__name__}"
    )


# ---------------------------------------------------------------------------------
# What was read
# ---------------------------------------------------------------------------------
def reads_by_file(extracts: Extracts, *, engine: Engine = "auto") -> pl.DataFrame:
    """``source_file``, ``table``, ``records``, ``rejected``: what each file gave each table.

    Collected (on ``engine``): a few rows per input file, read by the verdict and
    the refusals.
    """
    parts = [
        extracts.raw[t]
        .group_by("source_file")
        .agg(
            pl.col("_problem").is_null().sum().cast(pl.Int64).alias("records"),
            pl.col("_problem").is_not_null().sum().cast(pl.Int64).alias("rejected"),
        )
        .select(
            pl.col("source_file").cast(pl.String),
            pl.lit(t).alias("table"),
            "records",
            "rejected",
        )
        for t in TABLES
    ]
    return pl.concat(parts).collect(engine=engine).sort("source_file", "table")


def refuse_unusable_files(
    extracts: Extracts, reads: pl.DataFrame, *, engine: Engine = "auto"
) -> None:
    """Refuse a run where an input file gave no record at all, or no SENR record was read.

    A file that was read but gave nothing is never what its owner meant (a
    layout the reader does not know, a file of another kind): its records
    would be missing from the answer without a word. A file is barren when it
    has lines and every one was rejected or not a record (blank, unknown
    type); an empty table is only absent (the verdict says so).
    Canonical tables may carry the names of the files they came from, so a
    file is judged by the lines accounted under its own name only. The few
    counts it needs are collected on ``engine``.
    """
    lines = (
        extracts.line_counts.group_by(pl.col("source_file").cast(pl.String))
        .agg(pl.col("lines").sum())
        .collect(engine=engine)
    )
    not_records = (
        extracts.other_findings.filter(pl.col("line") > 0)
        .group_by(pl.col("file").alias("source_file"))
        .agg(pl.len().cast(pl.Int64).alias("other"))
        .collect(engine=engine)
    )
    per_file = reads.group_by("source_file").agg(pl.col("records").sum(), pl.col("rejected").sum())
    barren = (
        lines.join(per_file, on="source_file", how="left")
        .join(not_records, on="source_file", how="left")
        .fill_null(0)
        .filter(
            (pl.col("lines") > 0)
            & (pl.col("records") == 0)
            & (pl.col("rejected") + pl.col("other") >= pl.col("lines"))
        )
        .sort("source_file")
    )
    if barren.height:
        file, n = barren.select("source_file", "lines").row(0)
        first = (
            extracts.findings.filter(pl.col("file") == file)
            .sort("line")
            .head(1)
            .select("line", "rule", "message")
            .collect(engine=engine)
        )
        why = (
            f"; line {first['line'][0]}: {first['rule'][0]} {first['message'][0]}"
            if first.height
            else ""
        )
        raise RefusedError(
            f"{file}: none of its {n:,} lines gave a usable record{why} "
            "(fix or remove the file; `acgr validate` without --class-of lists every problem)"
        )
    if int(reads.filter(pl.col("table") == "senr")["records"].sum()) == 0:
        raise RefusedError(
            "no SENR (enrollment) record could be read from the inputs: there is no cohort "
            "to compute"
        )


def table_summary(reads: pl.DataFrame) -> pl.DataFrame:
    """Per record type (every one, in layout order): ``files``, ``records``, ``rejected``."""
    per_table = reads.group_by("table").agg(
        (pl.col("records") + pl.col("rejected") > 0).sum().cast(pl.Int64).alias("files"),
        pl.col("records").sum(),
        pl.col("rejected").sum(),
    )
    return (
        pl.DataFrame({"table": list(TABLES)}).join(per_table, on="table", how="left").fill_null(0)
    )


# ---------------------------------------------------------------------------------
# What the SENR dates cover
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    """What the SENR records' dates show (all records the reader accepted).

    Attributes:
        first_start: earliest enrollment start date.
        last_date: latest start or exit date on or before the extraction date.
        without_start: records with no start date (never read; GERR0001).
        after_extraction: records starting after the extraction date (not read, R2.4).
    """

    first_start: dt.date | None
    last_date: dt.date | None
    without_start: int
    after_extraction: int


def senr_coverage(
    senr: pl.LazyFrame, extraction_date: dt.date | None, *, engine: Engine = "auto"
) -> Coverage:
    """:class:`Coverage` of the canonical SENR table, in one pass (on ``engine``)."""
    start, exit_date = pl.col("enrollment_start_date"), pl.col("enrollment_exit_date")
    x = extraction_date or dt.date.max
    read = start <= x
    # An exit after X cannot be in data pulled at X (a typo or a future date):
    # it does not show how far the data reaches.
    seen_exit = pl.when(read & (exit_date <= x)).then(exit_date)
    row = (
        senr.select(
            start.min().alias("first_start"),
            pl.max_horizontal(start.filter(read).max(), seen_exit.max()).alias("last_date"),
            start.is_null().sum().cast(pl.Int64).alias("without_start"),
            (start > x).sum().cast(pl.Int64).alias("after_extraction"),
        )
        .collect(engine=engine)
        .row(0, named=True)
    )
    return Coverage(**row)


def coverage_warnings(coverage: Coverage, periods: CohortPeriods, rules: RuleSet) -> list[str]:
    """ACGR0005: SENR dates that begin late or end early for the class.

    An extract carries no date of its own, and a few hand-made records may
    rightly stop anywhere, so thin coverage is said, not refused: data that
    begins after the class's Year1 misses early leavers and may class students
    by a later first record (R2.2); data that ends before
    ``rules.data_should_reach`` of year Y (Decision) cannot show most of the
    class's outcomes.
    """
    y, out = periods.class_of, []
    year1_end = periods.year1_start.replace(year=periods.year1_start.year + 1) - dt.timedelta(
        days=1
    )
    first, last = coverage.first_start, coverage.last_date
    if first is not None and first > year1_end:
        out.append(
            f"the inputs' enrollment records begin on {first.isoformat()}, after the class of "
            f"{y}'s first year ({y - 4}-{(y - 3) % 100:02d}): earlier leavers are missing and "
            "students are classed by their first record here (R2.1, R2.2)"
        )
    should_reach = rules.data_should_reach.in_year(y)
    if last is not None and last < should_reach:
        out.append(
            f"the inputs' enrollment dates end on {last.isoformat()}, before "
            f"{should_reach.isoformat()}: the class of {y}'s outcomes up to its summer cutoff "
            f"({periods.summer_cutoff.isoformat()}) are mostly not in them (was the extract "
            "pulled for another class?)"
        )
    return out


def missing_start_findings(senr: pl.LazyFrame) -> pl.LazyFrame:
    """GERR0001: SENR records without a start date, which no rule can place (never read)."""
    return findings_where(
        senr.with_columns(pl.col("school_of_attendance").alias("school_code")),
        pl.col("enrollment_start_date").is_null(),
        rule="GERR0001",
        severity="fatal",
        message="enrollment start date is missing; record not used",
    )


def refuse_empty_class(
    qualifying: pl.LazyFrame, periods: CohortPeriods, rules: RuleSet, *, engine: Engine = "auto"
) -> None:
    """Refuse a class with no student, naming the classes the inputs do hold (counts only).

    The classes are counted on ``engine``.
    """
    classes = (
        initial_records(qualifying, rules)
        .group_by("class_of")
        .len()
        .sort("class_of")
        .collect(engine=engine)
    )
    held = (
        "; the students read belong to the classes of "
        + ", ".join(f"{c} ({n:,})" for c, n in classes.iter_rows() if c is not None)
        if classes.height
        else "; no student read has a qualifying high-school record (R1)"
    )
    raise RefusedError(f"no student of the class of {periods.class_of} is in the inputs{held}")


# ---------------------------------------------------------------------------------
# What is measured
# ---------------------------------------------------------------------------------
def unmeasured_categories(present: set[str], rules: RuleSet) -> list[str]:
    """Reporting categories none of whose inputs was read (``groups.inputs``)."""
    return [
        category
        for category, needs in rules.groups.inputs.items()
        if not present.intersection(needs.measured_by)
    ]


def missing_input_warnings(present: set[str], rules: RuleSet) -> list[str]:
    """ACGR0003: one warning per absent input that a reporting category relies on."""
    out = []
    unmeasured = unmeasured_categories(present, rules)
    for name, label in INPUT_LABELS.items():
        if name in present or name == "senr":
            continue
        needs = rules.groups.inputs
        omitted = [c for c in unmeasured if name in needs[c].measured_by]
        weakened = [c for c, n in needs.items() if name in n.completed_by and c not in unmeasured]
        if not omitted and not weakened:
            continue
        what = "records" if name in TABLES else ""
        parts = []
        if omitted:
            parts.append(f"rows {', '.join(omitted)} not measured, left out of acgr.txt")
        if weakened:
            parts.append(f"{', '.join(weakened)} counted without it (R5)")
        out.append(f"no {label} {what}".replace("  ", " ").strip() + ": " + "; ".join(parts))
    return out


def directory_warnings(directory: pl.DataFrame, students: pl.DataFrame) -> list[str]:
    """ACGR0004: where charter and DASS flags (R4.3) were assumed ``No``."""
    if directory.height == 0:
        return [
            "no schools file (--schools): every school counted as CharterSchool No and DASS No, "
            "without names (R4.3)"
        ]
    out = [
        f"the schools file has no {flag} column: every school counted as {label} No"
        for flag, label in (("charter", "CharterSchool"), ("dass", "DASS"))
        if not flags_given(directory)[flag]
    ]
    schools = students.filter(pl.col("in_cohort")).select("cds_code").unique()
    absent = schools.join(directory.select("cds_code"), on="cds_code", how="anti").height
    if absent:
        out.append(
            f"{absent:,} of {schools.height:,} schools of the class are not in the schools file: "
            "counted as CharterSchool No and DASS No, without names"
        )
    return out


def input_findings(rule: str, messages: list[str]) -> pl.DataFrame:
    """Findings (warning, no file or line) for input-level warnings."""
    n = len(messages)
    return pl.DataFrame(
        {
            "rule": [rule] * n,
            "severity": ["warning"] * n,
            "file": [""] * n,
            "line": [0] * n,
            "record_type": [""] * n,
            "ssid": [None] * n,
            "cds_code": [None] * n,
            "message": messages,
        },
        schema=FINDINGS_SCHEMA,
    )


# ---------------------------------------------------------------------------------
# The verdict
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """What a run read and lacked, and the warnings that weaken its answer.

    Attributes:
        tables: per record type ``table``, ``files``, ``records``, ``rejected``.
        inputs_read: the inputs that gave records (record types and side files).
        unmeasured: reporting categories left out of the published file.
        warnings: ``(finding id, message)`` pairs, in the order they arose.
        rules: the rule set in one line (name, base, overridden settings).
        extraction_date_assumed: True when X is the rule set's default (R2.3).
    """

    tables: pl.DataFrame
    inputs_read: tuple[str, ...]
    unmeasured: tuple[str, ...]
    warnings: tuple[tuple[str, str], ...]
    rules: str
    extraction_date_assumed: bool

    def findings(self) -> pl.DataFrame:
        """The warnings as findings rows (no file or line: they concern the inputs)."""
        by_rule: dict[str, list[str]] = {}
        for rule, message in self.warnings:
            by_rule.setdefault(rule, []).append(message)
        frames = [input_findings(rule, msgs) for rule, msgs in by_rule.items()]
        return pl.concat(frames) if frames else input_findings("", [])

    def lines(self) -> list[str]:
        """The verdict as summary lines (counts and codes only)."""
        out = [f"rules: {self.rules}"]
        for table, files, records, rejected in self.tables.iter_rows():
            label = INPUT_LABELS[table]
            if records:
                out.append(
                    f"  {label:<5} read     {records:>12,} records from {files:,} file(s)"
                    + (f", {rejected:,} lines rejected" if rejected else "")
                )
            else:
                out.append(
                    f"  {label:<5} absent" + (f" ({rejected:,} lines rejected)" if rejected else "")
                )
        for name in ("foster", "direct_cert"):
            state = "given" if name in self.inputs_read else "not given"
            out.append(f"  {INPUT_LABELS[name]}: {state}")
        if self.unmeasured:
            out += wrap(f"not measured (rows left out): {', '.join(self.unmeasured)}", hang="  ")
        for rule, message in self.warnings:
            # Between words only: a file path in a message stays whole.
            out += wrap(f"warning {rule}: {message}", hang=" " * 17)
        return out


__all__ = [
    "INPUT_LABELS",
    "Coverage",
    "RefusedError",
    "Verdict",
    "as_date",
    "class_year",
    "coverage_warnings",
    "directory_warnings",
    "input_findings",
    "missing_input_warnings",
    "missing_start_findings",
    "reads_by_file",
    "refuse_empty_class",
    "refuse_unusable_files",
    "senr_coverage",
    "table_summary",
    "unmeasured_categories",
]
