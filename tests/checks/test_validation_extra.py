"""Validation edge cases: SENR0522, ACGR0002, SENR0586/0587 (added after test_validation.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from acgr.pipeline import validate
from acgr.testing import record_line, senr_line, write_extract
from tests.helpers import grad, rec

D = dt.date


def _rules_by_line(tmp_path: Path, lines: list[str]) -> dict[int, set[str]]:
    src = write_extract(tmp_path / "x.txt", lines)
    found = validate(src).findings
    out: dict[int, set[str]] = {}
    for rule, line in found.select("rule", "line").iter_rows():
        out.setdefault(int(line), set()).add(str(rule))
    return out


def test_senr0522_status_50_exit_other_than_e170_n470_e150_is_fatal(tmp_path: Path) -> None:
    bad = senr_line(
        ssid="3000000001",
        enrollment_start_date=D(2015, 1, 5),
        enrollment_status_code="50",
        enrollment_exit_date=D(2015, 3, 1),
        student_exit_reason_code="E140",
    )
    good = senr_line(
        ssid="3000000002",
        enrollment_start_date=D(2015, 1, 5),
        enrollment_status_code="50",
        enrollment_exit_date=D(2015, 3, 1),
        student_exit_reason_code="E150",
    )
    rules = _rules_by_line(tmp_path, [bad, good])
    assert "SENR0522" in rules.get(1, set())
    assert "SENR0522" not in rules.get(2, set())


def test_acgr0002_not_raised_for_a_record_without_ssid(tmp_path: Path) -> None:
    no_ssid = senr_line(ssid="", enrollment_start_date=D(2015, 1, 5))
    sinf = record_line("SINF", {"ssid": "3000000009", "effective_start_date": D(2014, 7, 1)})
    rules = _rules_by_line(tmp_path, [no_ssid, sinf])
    assert "GERR0001" in rules.get(1, set())
    assert "ACGR0002" not in rules.get(1, set())


def test_senr0586_senr0587_records_on_the_boundary_of_the_only_graduation(
    tmp_path: Path,
) -> None:
    """Records starting on, or exiting the day after, the earliest graduation are checked.

    The graduation checks skip records that neither start on or after nor exit
    after the earliest graduation of all; with one graduate the bound is exact.
    """
    # arrange: one graduate (E230/100 on 2018-06-01), then an open record starting
    # on that very day and a closed one exiting the day after it
    day = D(2018, 6, 1)
    graduation = grad("3000000011", exit=day)
    open_same_day = rec("3000000011", day, "12")
    exits_next_day = rec("3000000011", D(2018, 5, 1), "12", exit=D(2018, 6, 2), code="E400")
    # act
    rules = _rules_by_line(tmp_path, [graduation, open_same_day, exits_next_day])
    # assert
    assert "SENR0587" in rules.get(2, set())
    assert "SENR0586" in rules.get(3, set())
    assert not {"SENR0586", "SENR0587"} & rules.get(1, set())
