"""Hand-worked five-year students of the class of 2018 (docs/rules.md R9), shared by the
rule tests (tests/rules/test_fifth_year.py) and the count tests (tests/publish/test_fiveyear.py).

Dates: four-year summer cutoff 2018-08-15, four-year extraction date 2018-09-15 (R9.1);
fifth-year cutoff 2019-08-15, fifth-year extraction date 2019-09-15 (R9.2).

Schools: S1 = 19 64733 1930001 and S2 = 19 64733 1930002 in LEA 64733 of county 19;
S3 = 19 64734 1940001 in LEA 64734 of the same county; S4 = 30 66464 3030001 in county 30.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from acgr.five_year_run import FiveYearResult, five_year
from acgr.testing import write_extract
from tests.helpers import D, grad, rec

LEA_A, LEA_B, LEA_C = "1964733", "1964734", "3066464"
S1, S2, S3, S4 = "1930001", "1930002", "1940001", "3030001"
DROPPED = D(2018, 3, 1)  # an E140 exit in Year4: a four-year Dropout
BACK = D(2018, 10, 1)  # a return after the four-year extraction date
JUNE_Y5 = D(2019, 6, 7)


def dropout(ssid: str) -> str:
    """Year1 to an E140 exit at S1 in March of Year4."""
    return rec(ssid, exit=DROPPED, code="E140", school=S1)


def back(
    ssid: str, exit: Any = JUNE_Y5, completion: str = "100", *, lea: str = LEA_A, school: str = S1
) -> str:
    """A grade-12 record starting after the four-year X, exiting E230 with ``completion``."""
    return rec(ssid, BACK, "12", exit=exit, code="E230", completion=completion, lea=lea,
               school=school)  # fmt: skip


AUG16 = "5901000001"  # diploma 16 Aug 2018 at S1: fifth-year graduate (day after the cutoff)
CUTOFF5 = "5901000002"  # dropout, back at S1, diploma 15 Aug 2019: fifth-year graduate
AFTER5 = "5901000003"  # dropout, back at S1, diploma 16 Aug 2019: not a graduate
SAME_LEA = "5901000004"  # dropout at S1, diploma at S2 (same LEA)
OTHER_LEA = "5901000005"  # dropout at S1, diploma at S3 (LEA 64734, county 19)
SPED_THEN_DIPLOMA = "5901000006"  # SPED certificate June 2018, diploma at S1 June 2019
REMOVED = "5901000007"  # T200 (removed) in Year4, then a diploma in year 5: not in the cohort
SPED_Y5 = "5901000008"  # dropout, then a SPED certificate (E230/120) in year 5: not a graduate
FOUR_YEAR = "5901000009"  # four-year graduate at S1
OTHER_COUNTY = "5901000010"  # dropout at S1, diploma at S4 (county 30)

LINES: list[str] = [
    grad(AUG16, exit=D(2018, 8, 16), school=S1),
    dropout(CUTOFF5), back(CUTOFF5, exit=D(2019, 8, 15)),
    dropout(AFTER5), back(AFTER5, exit=D(2019, 8, 16)),
    dropout(SAME_LEA), back(SAME_LEA, school=S2),
    dropout(OTHER_LEA), back(OTHER_LEA, lea=LEA_B, school=S3),
    grad(SPED_THEN_DIPLOMA, completion="120", school=S1),
    rec(SPED_THEN_DIPLOMA, D(2018, 8, 20), "12", exit=JUNE_Y5, code="E230", completion="100",
        school=S1),
    rec(REMOVED, exit=DROPPED, code="T200", school=S1), back(REMOVED),
    dropout(SPED_Y5), back(SPED_Y5, completion="120"),
    grad(FOUR_YEAR, school=S1),
    dropout(OTHER_COUNTY), back(OTHER_COUNTY, lea=LEA_C, school=S4),
]  # fmt: skip


def run_five_year(folder: Path, lines: list[str], **kw: Any) -> FiveYearResult:
    """Write ``lines`` as one SENR extract and compute the class of 2018's five-year rate."""
    write_extract(folder / "extracts" / "senr.txt", lines)
    kw.setdefault("class_of", 2018)
    kw.setdefault("engine", "in-memory")
    return five_year(folder / "extracts", **kw)


def five_row(result: FiveYearResult, ssid: str) -> dict[str, Any]:
    """The five-year students row of ``ssid`` (fails unless exactly one)."""
    rows = result.students.filter(pl.col("ssid") == ssid)
    assert rows.height == 1, f"{ssid} has {rows.height} rows"
    return rows.row(0, named=True)


def counts(
    result: FiveYearResult,
    level: str,
    *,
    county: str | None = None,
    district: str | None = None,
    school: str | None = None,
    charter: str | None = None,
    dass: str | None = None,
    category: str = "TA",
) -> tuple[int, int, int]:
    """(CohortStudents, graduates, fifth-year graduates) of one row of the typed table.

    ``charter`` and ``dass`` default to ``All`` on aggregate rows, to the school's own
    flags on school rows.
    """
    if level != "S":
        charter, dass = charter or "All", dass or "All"
    cond = (pl.col("AggregateLevel") == level) & (pl.col("ReportingCategory") == category)
    given = {"CountyCode": county, "DistrictCode": district, "SchoolCode": school}
    given |= {"CharterSchool": charter, "DASS": dass}
    for col, value in given.items():
        if value is not None:
            cond &= pl.col(col) == value
    rows = result.table.filter(cond)
    assert rows.height == 1, f"{rows.height} rows match {level} {county} {district} {school}"
    row = rows.row(0, named=True)
    return (
        row["CohortStudents"],
        row["Regular HS Diploma Graduates (Count)"],
        row["Fifth-Year Graduates (Count)"],
    )
