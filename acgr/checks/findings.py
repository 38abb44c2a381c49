"""Data-quality findings: every rejected or suspicious record becomes one row.

A finding names the rule (a rule id of docs/rules.md such as ``R3.4.1`` or a CALPADS id such
as ``FRMT0002``), its severity, where the record is (file, line, record type) and
what to fix. The SSID sits in its own column only: ``findings.csv`` is
confidential, and messages never carry identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from acgr.read.cds import cds_code

Severity = Literal["fatal", "warning"]

FINDINGS_SCHEMA: dict[str, pl.DataType] = {
    "rule": pl.String(),
    "severity": pl.String(),
    "file": pl.String(),
    "line": pl.Int64(),
    "record_type": pl.String(),
    "ssid": pl.String(),
    "cds_code": pl.String(),
    "message": pl.String(),
}


def fmt(template: str, *args: pl.Expr) -> pl.Expr:
    """``pl.format`` built on ``concat_str``: null when any argument is null.

    Polars 2.1's streaming engine panics on ``pl.format`` over multi-chunk
    input after a filter; ``concat_str`` does not, and gives the same text.

    Examples:
        >>> pl.DataFrame({"c": ["T160"]}).select(fmt("exit {} here", pl.col("c"))).item()
        'exit T160 here'
    """
    pieces = template.split("{}")
    if len(pieces) != len(args) + 1:
        raise ValueError("template placeholders and arguments differ in number")
    parts: list[pl.Expr] = []
    for i, piece in enumerate(pieces):
        if piece:
            parts.append(pl.lit(piece))
        if i < len(args):
            parts.append(args[i].cast(pl.String))
    return pl.concat_str(parts)


def empty_findings() -> pl.LazyFrame:
    """A findings frame with no rows."""
    return pl.LazyFrame(schema=FINDINGS_SCHEMA)


def findings_where(
    records: pl.LazyFrame,
    condition: pl.Expr,
    *,
    rule: str | pl.Expr,
    severity: Severity | pl.Expr,
    message: str | pl.Expr,
    record_type: str = "SENR",
) -> pl.LazyFrame:
    """One finding per record of ``records`` that meets ``condition``.

    ``records`` must carry ``source_file``, ``source_line`` and ``ssid``; the
    school (``cds_code``) comes from ``cds_code`` or ``reporting_lea`` +
    ``school_code`` when the records have them. ``message`` may be an expression
    over the record's codes (never its identifiers or names).
    """
    msg = pl.lit(message) if isinstance(message, str) else message
    # An expression rule or severity lets one pass raise related rules (SENR0027/0028).
    rule_expr = pl.lit(rule) if isinstance(rule, str) else rule
    severity_expr = pl.lit(severity) if isinstance(severity, str) else severity
    names = set(records.collect_schema().names())
    if "cds_code" in names:
        school = pl.col("cds_code")
    elif {"reporting_lea", "school_code"} <= names:
        school = cds_code(pl.col("reporting_lea"), pl.col("school_code"))
    else:
        school = pl.lit(None, pl.String)
    return records.filter(condition).select(
        rule_expr.alias("rule"),
        severity_expr.alias("severity"),
        pl.col("source_file").cast(pl.String).alias("file"),
        pl.col("source_line").cast(pl.Int64).alias("line"),
        pl.lit(record_type).alias("record_type"),
        pl.col("ssid").cast(pl.String),
        school.cast(pl.String).alias("cds_code"),
        msg.cast(pl.String).alias("message"),
    )


@dataclass(frozen=True)
class Check:
    """A named data-quality rule on one record: a condition and what to fix."""

    rule: str
    severity: Severity
    condition: pl.Expr
    message: str | pl.Expr


def findings_from_checks(records: pl.LazyFrame, checks: list[Check]) -> pl.LazyFrame:
    """One finding per record and failed check, in one pass over ``records``.

    Each record gets the indices of the checks it fails; only failing records are
    exploded into findings, so messages are built for them alone. ``records``
    carry ``source_file``, ``source_line``, ``ssid``, ``reporting_lea`` and
    ``school_code`` plus whatever the conditions read.
    """
    failed = pl.concat_list(
        [pl.when(c.condition.fill_null(False)).then(pl.lit(i)) for i, c in enumerate(checks)]
    ).list.drop_nulls()
    flagged = (
        records.with_columns(failed.alias("_failed"))
        .filter(pl.col("_failed").list.len() > 0)
        .explode("_failed")
    )
    rule = pl.col("_failed").replace_strict(
        {i: c.rule for i, c in enumerate(checks)}, return_dtype=pl.String
    )
    severity = pl.col("_failed").replace_strict(
        {i: c.severity for i, c in enumerate(checks)}, return_dtype=pl.String
    )
    message: pl.Expr = pl.lit(None, pl.String)
    for i, c in reversed(list(enumerate(checks))):
        text = pl.lit(c.message) if isinstance(c.message, str) else c.message
        message = pl.when(pl.col("_failed") == i).then(text).otherwise(message)
    return flagged.select(
        rule.alias("rule"),
        severity.alias("severity"),
        pl.col("source_file").cast(pl.String).alias("file"),
        pl.col("source_line").cast(pl.Int64).alias("line"),
        pl.lit("SENR").alias("record_type"),
        pl.col("ssid").cast(pl.String),
        cds_code(pl.col("reporting_lea"), pl.col("school_code")).alias("cds_code"),
        message.cast(pl.String).alias("message"),
    )


def concat_findings(parts: list[pl.LazyFrame]) -> pl.LazyFrame:
    """Stack finding frames (any number, possibly none)."""
    if not parts:
        return empty_findings()
    schema = pl.Schema(FINDINGS_SCHEMA)
    return pl.concat([p.select(list(FINDINGS_SCHEMA)).cast(schema) for p in parts])


def sort_findings(findings: pl.DataFrame) -> pl.DataFrame:
    """Deterministic order: fatal first, then file, line, rule."""
    return findings.sort(
        [pl.col("severity") != "fatal", "file", "line", "rule"], maintain_order=True
    )


__all__ = [
    "FINDINGS_SCHEMA",
    "Check",
    "Severity",
    "concat_findings",
    "empty_findings",
    "findings_from_checks",
    "findings_where",
    "fmt",
    "sort_findings",
]
