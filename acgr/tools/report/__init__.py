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

from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import polars as pl
from openpyxl.chart import BarChart, Reference  # type: ignore[import-untyped]
from openpyxl.chart.marker import DataPoint  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from acgr.checks.impact import IMPACT_COLUMNS
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

#: Sheets of each workbook, in order.
SHEETS: tuple[str, ...] = ("About", "Schools", "Groups", "Findings", "Impact", "Students")

# ---------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F6F8FA")
_RATE_FORMAT = "0.0"


def _rate(tenths: int | None) -> Decimal | None:
    """Exact one-decimal value of a number of tenths (a rate as published)."""
    return None if tenths is None else Decimal(tenths).scaleb(-1)


def _sheet(
    wb: Any,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
    rate_columns: Sequence[int] = (),
) -> Any:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for cell in ws[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for row in rows:
        ws.append(list(row))
    for col in rate_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = _RATE_FORMAT
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    return ws


def _bar_chart(title: str, x_title: str, height_rows: int) -> Any:
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.x_axis.title = None
    chart.y_axis.title = x_title
    chart.x_axis.delete = False  # openpyxl >= 3.1 hides axes unless told otherwise
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    chart.width = 24
    chart.height = max(7.0, 0.75 * height_rows + 3)
    return chart


def _write_workbook(lea: Lea, path: Path) -> None:
    """The workbook of one LEA (sheets :data:`SHEETS`)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    about = wb.create_sheet("About")
    for row in (
        ("CONFIDENTIAL: lists individual students.",),
        ("LEA", lea.name),
        ("CDS code", lea.cds7),
        ("County", lea.county_name),
        ("Class of", lea.class_of),
        ("Academic year", lea.academic_year),
        ("Rule set", lea.rules_name),
        ("Run", lea.run_dir),
        ("Rates", "count / cohort x 100, rounded half up on the exact ratio (R6.3)"),
        ("Gaps", "group rate minus LEA rate, exact, rounded half away from zero"),
        ("acgr", lea.acgr_version),
    ):
        about.append(list(row))
    about["A1"].font = Font(bold=True, color="9C2A00")
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 16, 70

    # Schools: counts and rates, LEA total last.
    header = ["CDS code", "School", "Cohort"]
    for o in lea.outcomes:
        header += [o.label, f"{o.label} (%)"]
    header += ["Removed", "Public rate (acgr.txt)"]

    def school_row(s: dict[str, Any]) -> list[Any]:
        out: list[Any] = [s["cds_code"], s["school_name"], s["cohort"]]
        for o in lea.outcomes:
            out += [s[o.key], _rate(s[f"{o.key}_tenths"])]
        return [*out, s["removed"], s["public_rate"]]

    school_rows = [school_row(s) for s in lea.schools.to_dicts()]
    rate_cols = [5 + 2 * i for i in range(len(lea.outcomes))]
    ws = _sheet(
        wb,
        "Schools",
        header,
        [*school_rows, school_row(lea.total)],
        [16, 34, 9, *([12, 8] * len(lea.outcomes)), 9, 12],
        rate_cols,
    )
    for cell in ws[ws.max_row]:
        cell.font = _HEADER_FONT
    last = 1 + len(school_rows)
    if school_rows:
        chart = _bar_chart("Outcomes by school", "students", len(school_rows))
        chart.grouping, chart.overlap = "stacked", 100
        for i, o in enumerate(lea.outcomes):
            col = 4 + 2 * i
            chart.add_data(
                Reference(ws, min_col=col, min_row=1, max_row=last), titles_from_data=True
            )
            chart.series[-1].graphicalProperties.solidFill = o.colour.lstrip("#").upper()
        chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=last))
        ws.add_chart(chart, f"B{ws.max_row + 3}")

    # Groups: rate and gap per reporting category.
    gws = _sheet(
        wb,
        "Groups",
        [
            "Code",
            "Student group",
            "Cohort",
            "Graduates",
            "Rate (%)",
            "Gap to LEA (points)",
            f"Cohort <= {SMALL_COHORT}",
        ],
        [
            [
                g["category"],
                g["label"],
                g["cohort"],
                g["graduates"],
                _rate(g["rate_tenths"]),
                _rate(g["gap_tenths"]),
                "yes" if g["small"] else "",
            ]
            for g in lea.groups.to_dicts()
        ],
        [7, 34, 9, 10, 9, 18, 12],
        [5],
    )
    for (cell,) in gws.iter_rows(min_row=2, min_col=6, max_col=6):
        cell.number_format = "+0.0;-0.0;0.0"
    if lea.groups.height:
        chart = _bar_chart(
            f"Graduation rate minus LEA rate ({lea.total['graduates_rate']}%)",
            "percentage points",
            lea.groups.height,
        )
        chart.add_data(
            Reference(gws, min_col=6, min_row=1, max_row=1 + lea.groups.height),
            titles_from_data=True,
        )
        series = chart.series[0]
        series.graphicalProperties.solidFill = "2166AC"
        series.invertIfNegative = False
        for i, g in enumerate(lea.groups.iter_rows(named=True)):
            point = DataPoint(idx=i)
            colour = "2166AC" if g["gap_tenths"] >= 0 else "B2182B"
            point.graphicalProperties.solidFill = (
                {"2166AC": "A6BDDB", "B2182B": "E6A3A8"}[colour] if g["small"] else colour
            )
            series.dPt.append(point)
        chart.set_categories(Reference(gws, min_col=2, min_row=2, max_row=1 + lea.groups.height))
        chart.legend = None
        gws.add_chart(chart, f"B{gws.max_row + 3}")

    # Findings: fatal first, then the outcome-sensitive ones per school.
    cols = ("severity", "rule", "cds_code", "school_name", "file", "line", "ssid", "message")
    _sheet(
        wb,
        "Findings",
        ["Severity", "Rule", "CDS code", "School", "File", "Line", "SSID", "Message"],
        [
            list(r)
            for r in pl.concat([lea.fatal.select(cols), lea.sensitive.select(cols)]).iter_rows()
        ],
        [9, 10, 16, 30, 30, 7, 12, 100],
    )
    _sheet(
        wb,
        "Impact",
        [
            "CDS code",
            "School",
            "Cohort",
            "Graduates",
            "Rate now (%)",
            "Lost transfers",
            "Rate if transfers confirmed (%)",
            "Open past cutoff",
            "Rate if open graduated (%)",
            "Removals to document",
            "Rate if removals undocumented (%)",
        ],
        [
            [
                r["cds_code"],
                r["school_name"],
                r["cohort"],
                r["graduates"],
                Decimal(r["rate_now"]),
                r["lost_transfers"],
                Decimal(r["rate_if_transfers_confirmed"]),
                r["open_past_cutoff"],
                Decimal(r["rate_if_open_graduated"]),
                r["removals_to_document"],
                Decimal(r["rate_if_removals_undocumented"]),
            ]
            for r in lea.impact.select("cds_code", "school_name", *IMPACT_COLUMNS[1:]).to_dicts()
        ],
        [16, 30, 9, 10, 12, 12, 16, 12, 16, 14, 18],
        [5, 7, 9, 11],
    )
    _sheet(
        wb,
        "Students",
        ["SSID", "CDS code", "School", "Outcome", "Reason", "Record file", "Record line"],
        [list(r) for r in lea.students.iter_rows()],
        [12, 16, 30, 20, 34, 34, 11],
    )
    wb.save(path)


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
        _write_workbook(held.pop() if held else build(), path)

    return html, xlsx


__all__ = [
    "CATEGORY_LABELS",
    "OUTCOME_SENSITIVE_RULES",
    "SHEETS",
    "SMALL_COHORT",
    "write_reports",
]
