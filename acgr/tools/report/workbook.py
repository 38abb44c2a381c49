"""An LEA's Excel workbook: one sheet per table of the page (:data:`SHEETS`), native charts.

Rates are exact one-decimal numbers (``Decimal``), shown with one decimal; the header row of
every table is bold, wrapped (no header is clipped) and frozen, with a filter when the table
has rows. Every sheet prints landscape, one page wide, its header row repeated on each page.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import openpyxl  # type: ignore[import-untyped]
import polars as pl
from openpyxl.chart import BarChart, Reference  # type: ignore[import-untyped]
from openpyxl.chart.marker import DataPoint  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from acgr.checks.impact import IMPACT_COLUMNS
from acgr.tools.report.data import SMALL_COHORT

if TYPE_CHECKING:
    from pathlib import Path

    from acgr.tools.report.data import Lea, OutcomeColumn

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F6F8FA")
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
#: Points per line of wrapped header text (Calibri 11 needs 15).
_LINE_HEIGHT = 15
#: Narrowest column, in characters: a code or a count still reads.
_MIN_WIDTH = 8
_RATE_FORMAT = "0.0"
_GAP_FORMAT = "+0.0;-0.0;0.0"
#: Gap bars: above (blue) or below (red) the LEA rate, paler for a small cohort.
_GAP_ABOVE, _GAP_BELOW = "2166AC", "B2182B"
_PALE = {_GAP_ABOVE: "A6BDDB", _GAP_BELOW: "E6A3A8"}


def write_workbook(lea: Lea, path: Path) -> None:
    """The workbook of one LEA (sheets :data:`SHEETS`)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, fill in _SHEETS.items():
        fill(wb.create_sheet(title), lea)
    wb.save(path)


def _rate(tenths: int | None) -> Decimal | None:
    """Exact one-decimal value of a number of tenths (a rate as published)."""
    return None if tenths is None else Decimal(tenths).scaleb(-1)


def _table(
    ws: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
    rate_columns: Sequence[int] = (),
) -> None:
    """Fill an empty sheet with a table: wrapped bold header row, frozen, filtered, rates.

    ``widths`` are each column's widest (characters): a column is as wide as its longest
    value or the longest word of its header, whichever is wider, up to that.
    """
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for col in rate_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = _RATE_FORMAT
    fitted = [
        _fitted_width(h, [r[i] for r in rows], w)
        for i, (h, w) in enumerate(zip(header, widths, strict=True))
    ]
    for i, w in enumerate(fitted, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    _header_row(ws, 1, fitted)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    _page_setup(ws, header_rows=1)


def _fitted_width(header: str, values: Sequence[Any], widest: int) -> int:
    """Column width: its longest value up to ``widest``, never narrower than a header word."""
    longest_word = max((len(w) for w in header.split()), default=0)
    longest_value = max((len(_shown(v)) for v in values), default=0)
    return max(_MIN_WIDTH, longest_word + 2, min(widest, longest_value + 2))


def _shown(value: Any) -> str:
    """Roughly the text Excel shows for a cell value (for its width)."""
    return "" if value is None else str(value)


def _header_row(ws: Any, row: int, widths: Sequence[float]) -> None:
    """Bold, shaded, wrapped header cells, the row tall enough for the longest wrapped one."""
    lines = 1
    for cell, width in zip(ws[row], widths, strict=False):
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGNMENT
        text = _shown(cell.value)
        # Excel wraps at about a character less than the column width.
        lines = max(lines, len(textwrap.wrap(text, max(1, math.floor(width) - 1))) or 1)
    ws.row_dimensions[row].height = _LINE_HEIGHT * lines


def _page_setup(ws: Any, header_rows: int) -> None:
    """Print landscape, one page wide (as many tall as needed), header rows on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_rows}"
    ws.print_options.gridLines = False


def _bar_chart(title: str, x_title: str, height_rows: int) -> Any:
    """A horizontal bar chart, first row on top, tall enough for ``height_rows`` bars."""
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


# ---------------------------------------------------------------------------------
# Sheets, in order
# ---------------------------------------------------------------------------------
def _about(ws: Any, lea: Lea) -> None:
    """What the workbook is: the LEA, class, rule set, run, how rates and gaps are rounded."""
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
        ws.append(list(row))
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 16, 70
    for (label,) in ws.iter_rows(min_row=2, max_col=1):
        label.font, label.alignment = _HEADER_FONT, _HEADER_ALIGNMENT
    for (value,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        value.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A1:B1")  # the banner spans the sheet, on one line
    _header_row(ws, 1, [16 + 70])
    ws["A1"].font, ws["A1"].fill = Font(bold=True, color="9C2A00"), PatternFill()
    _page_setup(ws, header_rows=1)


def _schools(ws: Any, lea: Lea) -> None:
    """Counts and rates of each school, the LEA total last (bold), and the outcomes chart."""
    header = ["CDS code", "School", "Cohort"]
    for o in lea.outcomes:
        header += [o.label, f"{o.label} (%)"]
    header += ["Removed", "Public rate (acgr.txt)"]
    school_rows = [_school_row(s, lea.outcomes) for s in lea.schools.to_dicts()]
    _table(
        ws,
        header,
        [*school_rows, _school_row(lea.total, lea.outcomes)],
        [16, 34, 9, *([12, 8] * len(lea.outcomes)), 9, 12],
        [5 + 2 * i for i in range(len(lea.outcomes))],
    )
    for cell in ws[ws.max_row]:
        cell.font = _HEADER_FONT
    if school_rows:
        chart = _outcomes_chart(ws, lea.outcomes, len(school_rows))
        ws.add_chart(chart, f"B{ws.max_row + 3}")


def _school_row(s: dict[str, Any], outcomes: Sequence[OutcomeColumn]) -> list[Any]:
    """One row of the Schools sheet: codes, name, cohort, each count and rate, public rate."""
    out: list[Any] = [s["cds_code"], s["school_name"], s["cohort"]]
    for o in outcomes:
        out += [s[o.key], _rate(s[f"{o.key}_tenths"])]
    return [*out, s["removed"], s["public_rate"]]


def _outcomes_chart(ws: Any, outcomes: Sequence[OutcomeColumn], schools: int) -> Any:
    """Stacked bars of each school's outcome counts (rows 2 to ``1 + schools``)."""
    last = 1 + schools
    chart = _bar_chart("Outcomes by school", "students", schools)
    chart.grouping, chart.overlap = "stacked", 100
    for i, o in enumerate(outcomes):
        col = 4 + 2 * i
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=last), titles_from_data=True)
        chart.series[-1].graphicalProperties.solidFill = o.colour.lstrip("#").upper()
    chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=last))
    return chart


def _groups(ws: Any, lea: Lea) -> None:
    """Rate and gap to the LEA per reporting category, and the gap chart."""
    _table(
        ws,
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
    for (cell,) in ws.iter_rows(min_row=2, min_col=6, max_col=6):
        cell.number_format = _GAP_FORMAT
    if lea.groups.height:
        ws.add_chart(_gaps_chart(ws, lea), f"B{ws.max_row + 3}")


def _gaps_chart(ws: Any, lea: Lea) -> Any:
    """One bar per group (column 6), coloured by sign, paler for a small cohort."""
    chart = _bar_chart(
        f"Graduation rate minus LEA rate ({lea.total['graduates_rate']}%)",
        "percentage points",
        lea.groups.height,
    )
    chart.add_data(
        Reference(ws, min_col=6, min_row=1, max_row=1 + lea.groups.height),
        titles_from_data=True,
    )
    series = chart.series[0]
    series.graphicalProperties.solidFill = _GAP_ABOVE
    series.invertIfNegative = False
    for i, g in enumerate(lea.groups.iter_rows(named=True)):
        point = DataPoint(idx=i)
        colour = _GAP_ABOVE if g["gap_tenths"] >= 0 else _GAP_BELOW
        point.graphicalProperties.solidFill = _PALE[colour] if g["small"] else colour
        series.dPt.append(point)
    chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=1 + lea.groups.height))
    chart.legend = None
    return chart


def _findings(ws: Any, lea: Lea) -> None:
    """Fatal findings first, then the outcome-sensitive ones per school."""
    cols = ("severity", "rule", "cds_code", "school_name", "file", "line", "ssid", "message")
    _table(
        ws,
        ["Severity", "Rule", "CDS code", "School", "File", "Line", "SSID", "Message"],
        [
            list(r)
            for r in pl.concat([lea.fatal.select(cols), lea.sensitive.select(cols)]).iter_rows()
        ],
        [9, 10, 16, 30, 30, 7, 12, 100],
    )


def _impact(ws: Any, lea: Lea) -> None:
    """Each school's rate now and if each kind of outcome-sensitive record were resolved."""
    _table(
        ws,
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


def _students(ws: Any, lea: Lea) -> None:
    """The LEA's student list, as ``acgr run`` writes students.csv (confidential).

    Every cell is text but the record line, so SSIDs, local IDs and codes keep their
    leading zeros.
    """
    frame = lea.student_list
    widths = [max(10, min(40, len(c) + 2)) for c in frame.columns]
    _table(ws, frame.columns, [list(r) for r in frame.iter_rows()], widths)


_SHEETS: dict[str, Callable[[Any, Lea], None]] = {
    "About": _about,
    "Schools": _schools,
    "Groups": _groups,
    "Findings": _findings,
    "Impact": _impact,
    "Students": _students,
}

#: Sheets of each workbook, in order.
SHEETS: tuple[str, ...] = tuple(_SHEETS)
