"""Hand-worked findings that move the LCFF count (docs/rules.md R10.2, R10.4) and ``upc_impact``.

Academic year 2024-25: Census Day 2 October 2024; the year runs 1 July 2024 - 30 June 2025.
Extract lines are numbered from 1 (no header); a side table's header is line 1.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from acgr.lcff_run import LcffResult
from acgr.publish.upc import IMPACT_COLUMNS
from tests.helpers import LEA, SCHOOL, rec
from tests.rules.test_lcff import elas, prog, run

D = dt.date
START = D(2024, 8, 20)
OTHER = "0000009"


def found(result: LcffResult, rule: str) -> list[dict[str, Any]]:
    """The findings of ``rule``, as dicts, in file-line order."""
    rows = result.findings.filter(pl.col("rule") == rule).sort("file", "line")
    return rows.select("ssid", "file", "line", "record_type", "cds_code", "severity").to_dicts()


def test_r10_6_1_frpm_ended_before_the_year(tmp_path: Path) -> None:
    senr = [rec(s, START, "06") for s in "123"]
    sprg = [
        prog("1", "181", D(2023, 8, 1), D(2024, 6, 30)),  # line 1: ended before 1 July
        prog("1", "182", D(2022, 8, 1), D(2023, 6, 30)),  # line 2: earlier still; not named
        prog("2", "181", D(2023, 8, 1), D(2024, 6, 30)),  # line 3: but FRPM set by line 4
        prog("2", "182", D(2024, 7, 1)),
        prog("3", "191", D(2023, 8, 1), D(2024, 6, 30)),  # line 5: homeless, not FRPM
    ]
    result = run(tmp_path, senr, sprg)
    rows = found(result, "ACGR0301")
    assert [(r["ssid"], r["line"], r["record_type"]) for r in rows] == [("1", 1, "SPRG")]
    assert rows[0]["file"].endswith("sprg.txt")
    assert rows[0]["cds_code"] == f"{LEA}{SCHOOL}"
    assert rows[0]["severity"] == "warning"


def test_r10_6_2_elas_tbd_on_census_day(tmp_path: Path) -> None:
    senr = [rec(s, START, "03") for s in "123"]
    sela = [
        elas("1", "TBD", D(2024, 8, 20)),  # line 1: TBD on Census Day
        elas("2", "TBD", D(2024, 8, 20)),  # line 2: EL from 1 October: not TBD that day
        elas("2", "EL", D(2024, 10, 1)),
        elas("3", "TBD", D(2024, 10, 3)),  # line 4: TBD only after Census Day
    ]
    result = run(tmp_path, senr, sela=sela)
    rows = found(result, "ACGR0302")
    assert [(r["ssid"], r["line"], r["record_type"]) for r in rows] == [("1", 1, "SELA")]
    assert rows[0]["file"].endswith("sela.txt")


def test_r10_6_3_second_primary_enrollment_on_census_day(tmp_path: Path) -> None:
    senr = [
        rec("1", START, "04"),  # line 1: the earlier start loses the tie
        rec("1", D(2024, 9, 1), "04", school=OTHER),  # line 2: counted
        rec("2", START, "04"),  # line 3: primary
        rec("2", START, "04", status="30", school=OTHER),  # line 4: short-term, no finding
        rec("3", START, "04", exit=D(2024, 9, 30), code="T160"),  # line 5: closed before
        rec("3", D(2024, 10, 1), "04", school=OTHER),
    ]
    result = run(tmp_path, senr)
    rows = found(result, "ACGR0303")
    assert [(r["ssid"], r["line"], r["record_type"]) for r in rows] == [("1", 1, "SENR")]
    assert rows[0]["file"].endswith("senr.txt")
    assert rows[0]["cds_code"] == f"{LEA}{SCHOOL}"  # the school of the record not chosen


def test_r10_6_4_foster_match_of_a_student_not_enrolled(tmp_path: Path) -> None:
    foster = pl.DataFrame(
        {
            "ssid": ["1", "8", "9"],
            "start_date": ["2024-01-01", "2024-01-01", "2020-01-01"],
            "end_date": [None, None, "2021-06-30"],
        }
    )
    result = run(tmp_path, [rec("1", START, "08")], foster=foster)
    rows = found(result, "ACGR0304")
    # Line 3 (SSID 8): not enrolled. SSID 1 is enrolled; SSID 9's row is of another year.
    assert [(r["ssid"], r["file"], r["line"], r["record_type"]) for r in rows] == [
        ("8", "<foster>", 3, "foster")
    ]
    assert rows[0]["cds_code"] is None


def test_r10_6_upc_if_resolved_counts_findings_1_and_2_per_school(tmp_path: Path) -> None:
    senr = [
        rec("1", START, "05"),  # FRPM ended before the year: resolvable
        rec("2", START, "05"),  # ELAS TBD: resolvable
        rec("3", START, "05"),  # EL: already in the UPC
        rec("4", START, "05"),  # nothing
        rec("5", START, "05", school=OTHER),  # FRPM ended, but already EL
        rec("6", START, "05", school=OTHER),  # second primary only: not resolvable
        rec("6", START, "05", school=OTHER),
    ]
    sprg = [
        prog("1", "181", D(2023, 8, 1), D(2024, 6, 30)),
        prog("5", "181", D(2023, 8, 1), D(2024, 6, 30)),
    ]
    sela = [elas("2", "TBD", START), elas("3", "EL", START), elas("5", "EL", START)]
    result = run(tmp_path, senr, sprg, sela)
    assert result.impact.columns == list(IMPACT_COLUMNS)
    assert result.impact.rows() == [  # sorted by CDS code: 0000009 first
        (f"{LEA}{OTHER}", 1, 1),
        (f"{LEA}{SCHOOL}", 1, 3),
    ]
    assert result.impact_text().splitlines()[0] == "cds_code,upc,upc_if_resolved"
    assert "ACGR0301 2, ACGR0302 1, ACGR0303 1, ACGR0304 0" in result.summary_lines()[1]
