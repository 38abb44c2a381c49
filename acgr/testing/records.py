"""Helpers to build CALPADS extract lines for tests and examples.

:func:`senr_line` and friends write one caret-delimited record in the
submission layout from canonical column names (dates as ``datetime.date`` or
``CCYYMMDD`` text), filling every other field with a harmless default, so a test
states only what its rule is about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

import polars as pl

from acgr.read.extracts import canonical_schema
from acgr.read.layouts import LAYOUTS, Layout

_DEFAULTS: dict[str, dict[str, str]] = {
    "SENR": {
        "record_type_code": "SENR",
        "transaction_type_code": "",
        "reporting_lea": "1964733",
        "school_of_attendance": "1930000",
        "enrollment_status_code": "10",
        "grade_level_code": "09",
        "student_legal_first_name": "Test",
        "student_legal_last_name": "Student",
        "student_birth_date": "20000101",
        "student_gender_code": "F",
        "student_birth_country_code": "US",
        "student_met_all_uc_csu_requirements_indicator": "N",
        "student_golden_state_seal_merit_diploma_indicator": "N",
        "student_seal_of_biliteracy_indicator": "N",
    },
    "SINF": {"record_type_code": "SINF"},
    "SPRG": {"record_type_code": "SPRG"},
    "SELA": {"record_type_code": "SELA"},
}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return str(value)


def record_line(record_type: str, values: Mapping[str, object], *, ods: bool = False) -> str:
    """One caret line of ``record_type`` from canonical ``values`` (others defaulted)."""
    layout: Layout = LAYOUTS[record_type]
    merged: dict[str, object] = {**_DEFAULTS[record_type], **values}
    unknown = set(values) - {f.column for f in layout.fields}
    if unknown:
        raise KeyError(f"not {record_type} columns: {sorted(unknown)}")
    fields = [_text(merged.get(f.column)) for f in layout.fields]
    if ods:
        fields[0] = f"{record_type}-R"
        fields += ["20180920", "20180920"]
    return "^".join(fields)


def senr_line(**values: object) -> str:
    """One SENR submission line; ``academic_year_id`` defaults from the start date."""
    start = values.get("enrollment_start_date")
    if "academic_year_id" not in values and isinstance(start, dt.date):
        y = start.year if start.month >= 7 else start.year - 1
        values["academic_year_id"] = f"{y}-{y + 1}"
    return record_line("SENR", values)


def write_extract(path: str | Path, lines: Iterable[str], *, crlf: bool = False) -> Path:
    """Write caret lines to ``path`` (UTF-8), one record per line."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    end = "\r\n" if crlf else "\n"
    p.write_text("".join(line + end for line in lines), encoding="utf-8")
    return p


def senr_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Canonical SENR DataFrame from row dicts (missing columns null)."""
    schema = canonical_schema(LAYOUTS["SENR"])
    data = {c: [r.get(c) for r in rows] for c in schema}
    data["source_file"] = ["<senr>"] * len(rows)
    data["source_line"] = list(range(1, len(rows) + 1))
    return pl.DataFrame(data, schema=schema)


__all__ = [
    "record_line",
    "senr_frame",
    "senr_line",
    "write_extract",
]
