"""Readable summaries of findings, for the terminal and ``summary.txt``.

Grouped by rule and by school, worst first (fatal before warning, then by
count). Only counts, rule ids, school codes and file names appear: never a
student identifier.
"""

from __future__ import annotations

import polars as pl


def _table(df: pl.DataFrame, title: str) -> list[str]:
    if df.height == 0:
        return [title, "  (none)", ""]
    widths = {c: max(len(c), *(len(str(v)) for v in df[c].to_list())) for c in df.columns}
    head = "  " + "  ".join(c.ljust(widths[c]) for c in df.columns)
    lines = [title, head, "  " + "  ".join("-" * widths[c] for c in df.columns)]
    for row in df.iter_rows():  # a few dozen summary rows, never records
        lines.append(
            "  " + "  ".join(str(v).ljust(widths[c]) for c, v in zip(df.columns, row, strict=True))
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
        f"lines read: {read:,} = records used {parsed:,} + lines rejected {rejected:,} "
        f"(balanced: {balanced})",
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
