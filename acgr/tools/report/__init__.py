"""Confidential per-LEA reports of a run: ``acgr report DIR`` (docs/formats.md).

For every LEA (county + district code) with a student in ``DIR/students.parquet``
this writes, next to each other in ``DIR/report/`` (or ``out_dir``):

* ``report_<CDS7>.html``: one self-contained page (inline CSS and SVG, no
  JavaScript, nothing fetched) with the school table, a stacked-bar chart of
  outcomes by school, a chart of each student group's rate gap to the LEA rate,
  the findings that matter most and the student list;
* ``report_<CDS7>.xlsx``: the same tables as sheets (``About``, ``Schools``,
  ``Groups``, ``Findings``, ``Impact``, ``Students``) with native Excel charts.

One workbook per LEA, not one for all, so an LEA's file never carries another
LEA's students. Both files list students: they are confidential, like
``students.parquet``, and are created readable by their owner only.

Numbers are the unsuppressed counts recomputed from ``students.parquet`` with
the same counting as ``acgr.txt`` (:func:`acgr.publish.aggregation.school_counts`, R4.2,
R6.1); ``acgr.txt`` (read with :func:`acgr.publish.acgr_file.read_cde_acgr`) gives the
names and the public, suppressed value of each row, and every count it does
publish must equal the recomputed one. Rates are rounded half up on the exact
ratio (R6.3, :mod:`acgr.publish.rates`); a group's gap is its exact rate minus the LEA's
exact rate, rounded half away from zero to a tenth of a point
(:func:`acgr.publish.rates.change_tenths`). Nothing here prints a student identifier.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from acgr.publish.output import write_atomically, write_text
from acgr.rules.ruleset import RuleSet, load_rules
from acgr.tools.report.data import (
    CATEGORY_LABELS,
    OUTCOME_SENSITIVE_RULES,
    SMALL_COHORT,
    Lea,
    read_run,
)
from acgr.tools.report.html import render_html
from acgr.tools.report.workbook import SHEETS, write_workbook


# ---------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------
def write_reports(
    run_dir: str | Path,
    out_dir: str | Path | None = None,
    *,
    rules: str | Path | RuleSet = "2018",
) -> list[Path]:
    """Write ``report_<CDS7>.html`` and ``report_<CDS7>.xlsx`` for each LEA of a run.

    Args:
        run_dir: the ``--out`` folder of ``acgr run`` (``acgr.txt``,
            ``students.parquet``, ``findings.csv``).
        out_dir: where to write; default ``run_dir / "report"``.
        rules: the rule set the run used (``acgr run`` default ``"2018"``): it
            names the outcome columns and the removal codes of the impact table.

    Returns:
        The files written, sorted by LEA (HTML then workbook), all written
        atomically: on failure none is replaced.

    Raises:
        FileNotFoundError: a run output is missing.
        ValueError: the outputs are not those of one acgr run.
    """
    run = Path(run_dir)
    target = Path(out_dir) if out_dir is not None else run / "report"
    ruleset = load_rules(rules)
    outputs = read_run(run)
    writers: dict[str, Callable[[Path], None]] = {}
    for cds7 in outputs.leas:
        html, xlsx = _lea_writers(partial(outputs.lea, cds7, ruleset))
        writers[f"report_{cds7}.html"] = html
        writers[f"report_{cds7}.xlsx"] = xlsx
    return write_atomically(target, writers)


def _lea_writers(
    build: Callable[[], Lea],
) -> tuple[Callable[[Path], None], Callable[[Path], None]]:
    """Writers of one LEA's page and workbook that build its data once, when first needed.

    :func:`acgr.publish.output.write_atomically` calls them in order, page then workbook,
    so only one LEA's data is held at a time.
    """
    held: list[Lea] = []

    def html(path: Path) -> None:
        held.append(build())
        write_text(render_html(held[-1]))(path)

    def xlsx(path: Path) -> None:
        write_workbook(held.pop() if held else build(), path)

    return html, xlsx


__all__ = [
    "CATEGORY_LABELS",
    "OUTCOME_SENSITIVE_RULES",
    "SHEETS",
    "SMALL_COHORT",
    "write_reports",
]
