"""Shared helpers for the hand-worked rule tests (one small test per rule id).

Every test describes a few students as SENR records with :func:`rec`, writes them
with :func:`acgr.testing.write_extract` and runs :func:`acgr.pipeline.compute` for the
class of 2018 (Year1 = 2014-15 ... Year4 = 2017-18; summer cutoff 2018-08-15;
default extraction date 2018-09-15).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from acgr.pipeline import AcgrResult, compute
from acgr.testing import senr_line, write_extract

D = dt.date

#: Default identity of a test record: county 19, district 64733, school 1930000.
LEA = "1964733"
SCHOOL = "1930000"
SSID = "1000000001"

#: Real CDE files the tests read (provenance, conversion and sizes in its PROVENANCE.md).
#: The repository root, its fixtures and the real CDE files of the tests.
ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
DATA = ROOT / "tests" / "data"

#: Dates of the class of 2018 used throughout.
YEAR1_START = D(2014, 8, 20)
CUTOFF = D(2018, 8, 15)
X = D(2018, 9, 15)
GRADUATION_DAY = D(2018, 6, 8)


def rec(
    ssid: str = SSID,
    start: dt.date | None = YEAR1_START,
    grade: str = "09",
    *,
    exit: dt.date | None = None,
    code: str | None = None,
    completion: str | None = None,
    school: str = SCHOOL,
    lea: str = LEA,
    status: str = "10",
    **extra: object,
) -> str:
    """One SENR line of a student's enrollment, with only the fields a rule looks at."""
    return senr_line(
        ssid=ssid,
        enrollment_start_date=start,
        grade_level_code=grade,
        enrollment_exit_date=exit,
        student_exit_reason_code=code,
        student_school_completion_status=completion,
        school_of_attendance=school,
        reporting_lea=lea,
        enrollment_status_code=status,
        **extra,
    )


def grad(
    ssid: str = SSID,
    exit: dt.date = GRADUATION_DAY,
    *,
    start: dt.date = YEAR1_START,
    completion: str = "100",
    **kw: Any,
) -> str:
    """A record from grade 9 in Year1 to an E230 completion on ``exit``."""
    return rec(ssid, start, "09", exit=exit, code="E230", completion=completion, **kw)


def extract_dir(tmp_path: Path) -> Path:
    """The folder the extract is written to (kept apart from other test files)."""
    return tmp_path / "extracts"


def run(tmp_path: Path, lines: Iterable[str], **kw: Any) -> AcgrResult:
    """Write ``lines`` as one SENR extract and compute the class of 2018 (or ``class_of``)."""
    write_extract(extract_dir(tmp_path) / "senr.txt", list(lines))
    kw.setdefault("class_of", 2018)
    # The rules do not depend on the engine; in-memory is about twice as fast on
    # a few rows, which keeps the suite quick.
    kw.setdefault("engine", "in-memory")
    return compute(extract_dir(tmp_path), **kw)


def student(result: AcgrResult, ssid: str = SSID) -> dict[str, Any]:
    """The students row of ``ssid`` (fails when the student is not in the class)."""
    rows = result.students.filter(pl.col("ssid") == ssid)
    assert rows.height == 1, f"{ssid} has {rows.height} rows in students"
    return rows.row(0, named=True)


def outcome(result: AcgrResult, ssid: str = SSID) -> str:
    """The outcome of ``ssid``."""
    value: str = student(result, ssid)["outcome"]
    return value


def ssids(result: AcgrResult) -> set[str]:
    """Every SSID of the class (Removed included)."""
    return set(result.students["ssid"].to_list())


def findings(result: AcgrResult, rule: str) -> pl.DataFrame:
    """Findings of one rule id."""
    return result.findings.filter(pl.col("rule") == rule)


def rate_row(
    result: AcgrResult,
    level: str,
    *,
    county: str | None = None,
    district: str | None = None,
    school: str | None = None,
    charter: str = "All",
    dass: str = "All",
    category: str = "TA",
) -> dict[str, Any]:
    """The single rates row of one entity / variant / category."""
    cond = (
        (pl.col("AggregateLevel") == level)
        & (pl.col("CharterSchool") == charter)
        & (pl.col("DASS") == dass)
        & (pl.col("ReportingCategory") == category)
    )
    if county is not None:
        cond &= pl.col("CountyCode") == county
    if district is not None:
        cond &= pl.col("DistrictCode") == district
    if school is not None:
        cond &= pl.col("SchoolCode") == school
    rows = result.rates.filter(cond)
    assert rows.height == 1, f"{rows.height} rows match {level} {county} {district} {school}"
    return rows.row(0, named=True)


def text_rows(result: AcgrResult) -> list[dict[str, str]]:
    """The public ``acgr.txt`` parsed into dicts (header -> cell text)."""
    lines = result.acgr_text().split("\n")
    assert lines[-1] == "", "acgr.txt must end with a newline"
    header = lines[0].split("\t")
    return [dict(zip(header, ln.split("\t"), strict=True)) for ln in lines[1:-1]]


class Scenario:
    """Students of many tests written to one extract and computed once per module.

    A compute call costs about half a second of query planning, so each test module
    gathers the students of its default-settings tests (unique SSIDs per test) in one
    scenario; each test then looks only at its own students. Tests that need other
    settings (extraction date, rule set, directory) or whole-table rates run alone.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        """Append one test's records."""
        self.lines.extend(lines)

    def line(self, ssid: str, k: int = 1) -> int:
        """The 1-based file line of the ``k``-th record of ``ssid``."""
        found = [i for i, ln in enumerate(self.lines, 1) if ln.split("^")[7] == ssid]
        return found[k - 1]

    def fixture(self) -> Any:
        """A module-scoped pytest fixture ``scenario`` computing these lines once."""

        @pytest.fixture(scope="module", name="scenario")
        def _scenario(tmp_path_factory: pytest.TempPathFactory) -> AcgrResult:
            return run(tmp_path_factory.mktemp("scenario"), self.lines)

        return _scenario


def in_class(result: AcgrResult, ssid: str) -> bool:
    """Whether ``ssid`` is a student of the computed class (Removed included)."""
    return ssid in ssids(result)


#: The 34 columns of CDE's 2017-18 ACGR file, as CDE spells them (the GSSMD rate
#: header has no closing parenthesis). Written out here, not taken from acgr, so
#: tests check the package against CDE rather than against itself.
HEADER_34 = [
    "AcademicYear", "AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode",
    "CountyName", "DistrictName", "SchoolName", "CharterSchool", "DASS",
    "ReportingCategory", "CohortStudents",
    "Regular HS Diploma Graduates (Count)", "Regular HS Diploma Graduates (Rate)",
    "Met UC/CSU Grad Req's (Count)", "Met UC/CSU Grad Req's (Rate)",
    "Seal of Biliteracy (Count)", "Seal of Biliteracy (Rate)",
    "Golden State Seal Merit Diploma (Count)", "Golden State Seal Merit Diploma (Rate",
    "CHSPE Completer (Count)", "CHSPE Completer (Rate)",
    "Adult Ed. HS Diploma (Count)", "Adult Ed. HS Diploma (Rate)",
    "SPED Certificate (Count)", "SPED Certificate (Rate)",
    "GED Completer (Count)", "GED Completer (Rate)",
    "Other Transfer (Count)", "Other Transfer (Rate)",
    "Dropout (Count)", "Dropout (Rate)",
    "Still Enrolled (Count)", "Still Enrolled (Rate)",
]  # fmt: skip
