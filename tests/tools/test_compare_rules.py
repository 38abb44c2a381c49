"""acgr compare-rules: legacy vs 2018 on the same extract (R7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from acgr.testing import senr_line, write_extract
from acgr.tools.compare_rules import compare_rules

D = dt.date


def _line(ssid: str, code: str, completion: str | None = None) -> str:
    return senr_line(
        ssid=ssid,
        enrollment_start_date=D(2014, 8, 15),
        enrollment_exit_date=D(2017, 3, 1),
        student_exit_reason_code=code,
        student_school_completion_status=completion,
    )


def test_changed_students_and_rates(tmp_path: Path) -> None:
    lines = [
        _line("1000000001", "E230", "100"),  # graduate under both
        _line("1000000002", "E230", "250"),  # Graduate (legacy) -> Adult Ed (2018)
        _line("1000000003", "T260"),  # Removed (legacy) -> Other Transfer (2018)
        _line("1000000004", "E140"),  # Dropout under both
    ]
    src = write_extract(tmp_path / "senr.txt", lines)
    cmp = compare_rules(src, class_of=2018)
    changed = dict(zip(cmp.students["ssid"], cmp.students["outcome_2018"], strict=True))
    assert changed == {"1000000002": "Adult Ed. HS Diploma", "1000000003": "Other Transfer"}
    state = cmp.rates.filter(pl.col("AggregateLevel") == "T").row(0, named=True)
    # legacy: 2 graduates of 3; 2018: 1 of 4 -> 66.7 vs 25.0, difference -41.7
    assert (state["rate_legacy"], state["rate_2018"]) == (
        pl.Series(["66.7"]).cast(pl.Decimal(4, 1))[0],
        pl.Series(["25.0"]).cast(pl.Decimal(4, 1))[0],
    )
    assert state["difference"] == "-41.7"


def test_transitions_tied_in_count_are_ordered_by_outcome(tmp_path: Path) -> None:
    # arrange: two transitions of one student each (a tie in count)
    lines = [
        _line("1000000001", "E230", "100"),
        _line("1000000002", "E230", "330"),  # Graduate (legacy) -> CHSPE Completer
        _line("1000000003", "T260"),  # Removed (legacy) -> Other Transfer
    ]
    src = write_extract(tmp_path / "senr.txt", lines)
    # act
    rows = compare_rules(src, class_of=2018).transitions.rows()
    # assert: most students first, ties by outcome names, every run alike
    assert rows == [("Graduate", "CHSPE Completer", 1), ("Removed", "Other Transfer", 1)]
