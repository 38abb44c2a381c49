"""The page of an ``acgr da`` folder (docs/rules.md R11): ``da.html``.

Every row of ``da.csv`` (eligible LEA-years highlighted) and the findings of
``da_findings.csv`` counted by id, with the first message of each. The certification
table names LEAs and dates only; no student appears.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from acgr.publish.output import write_text
from acgr.tools.differentiated_assistance import read_text_csv
from acgr.tools.report.pages import environment


def da_pages(run: Path) -> dict[str, Callable[[Path], None]]:
    """The writer of ``da.html`` from ``da.csv`` and, when present, ``da_findings.csv``."""
    table = read_text_csv(run / "da.csv", "da.csv").with_columns(pl.all().fill_null(""))
    found = run / "da_findings.csv"
    findings = (
        read_text_csv(found, "da_findings.csv")
        .group_by("rule", "severity", maintain_order=True)
        .agg(pl.len().alias("n"), pl.col("message").first())
        .sort("rule")
        .to_dicts()
        if found.is_file()
        else []
    )
    rules = ", ".join(sorted(set(table["rules"]))) if "rules" in table.columns else ""
    page = (
        environment()
        .get_template("da.html.j2")
        .render(
            rows=table.to_dicts(),
            eligible=table.filter(pl.col("eligible") == "yes").height,
            findings=findings,
            rules=rules,
        )
    )
    return {"da.html": write_text(page)}


__all__ = ["da_pages"]
