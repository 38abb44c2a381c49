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
from typing import Any

import polars as pl

from acgr.layouts import LAYOUTS, Layout

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


# ---------------------------------------------------------------------------------
# Hypothesis strategies (need the `test` extra: pip install acgr[test])
# ---------------------------------------------------------------------------------
#: Schools used by the strategies: (reporting LEA, school of attendance).
STRATEGY_SCHOOLS: tuple[tuple[str, str], ...] = (
    ("1964733", "1930001"),
    ("1964733", "1930002"),
    ("1964733", "0000001"),
    ("0161119", "0130003"),
    ("3768338", "3730004"),
)

#: Exit codes the strategies draw from (every code of the 2018 table, the excluded
#: ones, a few retired ones), weighted towards the common ones by repetition.
STRATEGY_EXIT_CODES: tuple[str, ...] = (
    "E230", "E230", "E230", "E230", "T160", "T160", "T165", "T167", "E140", "E140", "E155",
    "E150", "E300", "E400", "E410", "E490", "T380", "T180", "T200", "T240", "E130", "T370",
    "T260", "T280", "T270", "T310", "T460", "E156", "N420", "N470", "E125", "E170",
)  # fmt: skip


def senr_histories(
    class_of: int = 2018,
    *,
    max_students: int = 12,
    ssid_prefix: str = "90",
) -> Any:
    """Hypothesis strategy: a list of canonical SENR row dicts for several students.

    Each student gets 1-5 enrollment records spread over the four cohort years
    of ``class_of`` (and a little before and after), at a few schools in three
    LEAs, with every exit family, completion statuses, short-term and secondary
    records, open records, late completions and re-enrolments. The rows are
    valid input (no R3.4.1 rejections), so properties test the rules, not the
    reader.
    """
    from hypothesis import strategies as st

    year1 = dt.date(class_of - 4, 7, 1)
    horizon = (dt.date(class_of, 9, 30) - year1).days

    @st.composite
    def record(draw: Any, ssid: str, first_grade: int, offset: int) -> dict[str, object]:
        lea, school = draw(st.sampled_from(STRATEGY_SCHOOLS))
        start = year1 + dt.timedelta(days=offset)
        status = draw(st.sampled_from(["10", "10", "10", "10", "30", "20"]))
        years_in = (start - year1).days // 365
        grade = min(12, first_grade + years_in + draw(st.sampled_from([0, 0, 0, -1])))
        row: dict[str, object] = {
            "ssid": ssid,
            "reporting_lea": lea,
            "school_of_attendance": school,
            "enrollment_start_date": start,
            "enrollment_status_code": status,
            "grade_level_code": f"{max(grade, 8):02d}",
            "student_gender_code": draw(st.sampled_from(["M", "F", "X", ""])),
        }
        if draw(st.integers(0, 5)) > 0:  # most records are exited
            length = draw(st.integers(0, 500))
            row["enrollment_exit_date"] = start + dt.timedelta(days=length)
            code = draw(st.sampled_from(STRATEGY_EXIT_CODES))
            row["student_exit_reason_code"] = code
            if code == "E230":
                comp = draw(
                    st.sampled_from(["100", "100", "100", "120", "250", "320", "330", "360"])
                )
                row["student_school_completion_status"] = comp
                if comp == "100":
                    for col in (
                        "student_met_all_uc_csu_requirements_indicator",
                        "student_seal_of_biliteracy_indicator",
                        "student_golden_state_seal_merit_diploma_indicator",
                    ):
                        row[col] = draw(st.sampled_from(["Y", "N"]))
        return row

    @st.composite
    def student(draw: Any, index: int) -> list[dict[str, object]]:
        ssid = f"{ssid_prefix}{index:08d}"
        first_grade = draw(st.sampled_from([9, 9, 9, 10, 11, 12]))
        n = draw(st.integers(1, 5))
        offsets = sorted(draw(st.lists(st.integers(0, horizon), min_size=n, max_size=n)))
        return [draw(record(ssid, first_grade, o)) for o in offsets]

    @st.composite
    def histories(draw: Any) -> list[dict[str, object]]:
        n = draw(st.integers(1, max_students))
        rows: list[dict[str, object]] = []
        for i in range(n):
            rows.extend(draw(student(i)))
        return rows

    return histories()


def senr_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Canonical SENR DataFrame from row dicts (missing columns null)."""
    from acgr.extracts import canonical_schema

    schema = canonical_schema(LAYOUTS["SENR"])
    data = {c: [r.get(c) for r in rows] for c in schema}
    data["source_file"] = ["<senr>"] * len(rows)
    data["source_line"] = list(range(1, len(rows) + 1))
    return pl.DataFrame(data, schema=schema)
