"""Outcome-sensitive findings (ACGR0101-ACGR0103) and ``school_impact``, class of 2018.

A hand-worked school (1939990) of nine students:

| students | outcome | finding |
|---|---|---|
| 3 | Graduate (E230/100) | - |
| 1 | Dropout, T160 lost transfer (R3.4) | ACGR0101 |
| 1 | Still Enrolled, record open (R3.3) | ACGR0102 |
| 1 | Still Enrolled, E400 dated after the cutoff (R3.3) | ACGR0102 |
| 1 | Removed, T200 (R3.4) | ACGR0103 |
| 1 | Dropout, E400 | - |

Cohort 7 (Removed excluded), graduates 3:

* rate now 3/7 = 42.857 -> 42.9
* transfers confirmed (the lost transfer leaves the cohort): 3/6 = 50.0
* open graduated (both Still Enrolled graduate): 5/7 = 71.428 -> 71.4
* removals undocumented (the T200 returns as a dropout): 3/8 = 37.5

School 1939991 holds the near-identical valid cases (T160 followed by a later
enrollment, T280, a graduate) and has no row in the impact table; school 1939993
holds one student per removal code. Everything is one ``validate(folder,
class_of=2018)`` run.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from acgr.checks.impact import school_impact
from acgr.pipeline import ValidationResult, validate
from acgr.testing import write_extract
from tests.helpers import D, grad, rec

LEA = "1964733"
IMPACT, OTHER, REMOVALS = "1939990", "1939991", "1939993"

LINES: list[str] = []


def add(*lines: str) -> list[int]:
    """Append lines to the extract; return their 1-based line numbers."""
    first = len(LINES) + 1
    LINES.extend(lines)
    return list(range(first, first + len(lines)))


def year1(ssid: str, school: str, exit: dt.date | None = None, code: str | None = None) -> str:
    """A grade-9 record from 20 Aug 2014 (class of 2018)."""
    return rec(ssid, D(2014, 8, 20), "09", exit=exit, code=code, school=school)


# --------------------------------------------------------------------------- school 1939990

GRADS = ["3100000001", "3100000002", "3100000003"]
LOST, OPEN, LATE_EXIT, REMOVED, DROPOUT = (
    "3101010001",
    "3101020001",
    "3101020002",
    "3101030001",
    "3100000004",
)
for _g in GRADS:
    add(grad(_g, school=IMPACT))
(L_LOST,) = add(year1(LOST, IMPACT, D(2017, 3, 1), "T160"))
(L_OPEN,) = add(year1(OPEN, IMPACT))
(L_LATE_EXIT,) = add(year1(LATE_EXIT, IMPACT, D(2018, 8, 20), "E400"))
(L_REMOVED,) = add(year1(REMOVED, IMPACT, D(2016, 5, 2), "T200"))
(L_DROPOUT,) = add(year1(DROPOUT, IMPACT, D(2016, 5, 2), "E400"))

# --------------------------------------------------------------------------- school 1939991

OTHER_GRAD, REENROLLED_GRAD, REENROLLED_DROP, OTHER_TRANSFER = (
    "3102000001",
    "3102000002",
    "3102000003",
    "3102000004",
)
add(grad(OTHER_GRAD, school=OTHER))
L_REENROLLED_GRAD = add(
    year1(REENROLLED_GRAD, OTHER, D(2016, 6, 10), "T160"),
    rec(REENROLLED_GRAD, D(2016, 8, 20), "11", exit=D(2018, 6, 8), code="E230",
        completion="100", school=OTHER),
)  # fmt: skip
L_REENROLLED_DROP = add(
    year1(REENROLLED_DROP, OTHER, D(2016, 6, 10), "T160"),
    rec(REENROLLED_DROP, D(2016, 8, 20), "11", exit=D(2017, 3, 1), code="E400", school=OTHER),
)
(L_OTHER_TRANSFER,) = add(year1(OTHER_TRANSFER, OTHER, D(2017, 3, 1), "T280"))

# --------------------------------------------------------------------------- school 1939993

REMOVAL_CODES = ["E130", "T180", "T200", "T240", "T370"]
REMOVAL_SSID = {c: f"31030000{i:02d}" for i, c in enumerate(REMOVAL_CODES)}
L_REMOVAL = {c: add(year1(s, REMOVALS, D(2016, 5, 2), c))[0] for c, s in REMOVAL_SSID.items()}


def extract_ssids() -> list[str]:
    return sorted({ln.split("^")[7] for ln in LINES})


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_extract(tmp_path_factory.mktemp("impact") / "senr.txt", LINES)


@pytest.fixture(scope="module")
def checked(extract: Path) -> ValidationResult:
    return validate(extract, class_of=2018, engine="in-memory")


def outcome_findings(res: ValidationResult, rule: str, ssid: str) -> list[tuple[Any, ...]]:
    rows = res.findings.filter((pl.col("rule") == rule) & (pl.col("ssid") == ssid))
    return rows.select("severity", "file", "line", "record_type", "cds_code").rows()


def one(extract: Path, line: int, school: str) -> list[tuple[Any, ...]]:
    return [("warning", str(extract), line, "SENR", LEA + school)]


def student(res: ValidationResult, ssid: str) -> dict[str, Any]:
    assert res.result is not None
    rows = res.result.students.filter(pl.col("ssid") == ssid)
    assert rows.height == 1
    return rows.row(0, named=True)


def half_up(numerator: int, denominator: int) -> str:
    """Rate in tenths, rounded half up in integers (R6.3)."""
    tenths = (2000 * numerator + denominator) // (2 * denominator)
    return f"{tenths // 10}.{tenths % 10}"


# --------------------------------------------------------------------------- ACGR0101


def test_acgr0101_t160_with_no_later_enrollment_is_warning(
    checked: ValidationResult, extract: Path
) -> None:
    assert student(checked, LOST)["outcome"] == "Dropout"
    assert outcome_findings(checked, "ACGR0101", LOST) == one(extract, L_LOST, IMPACT)


@pytest.mark.parametrize("ssid", [REENROLLED_GRAD, REENROLLED_DROP, DROPOUT])
def test_acgr0101_t160_followed_by_later_enrollment_or_plain_dropout_passes(
    checked: ValidationResult, ssid: str
) -> None:
    # the T160 students re-enrolled (one graduated, one dropped out with E400)
    assert outcome_findings(checked, "ACGR0101", ssid) == []
    assert student(checked, ssid)["outcome"] in {"Graduate", "Dropout"}


# --------------------------------------------------------------------------- ACGR0102


@pytest.mark.parametrize(("ssid", "line"), [(OPEN, L_OPEN), (LATE_EXIT, L_LATE_EXIT)])
def test_acgr0102_open_or_exited_after_cutoff_is_warning(
    checked: ValidationResult, extract: Path, ssid: str, line: int
) -> None:
    assert student(checked, ssid)["outcome"] == "Still Enrolled"
    assert outcome_findings(checked, "ACGR0102", ssid) == one(extract, line, IMPACT)


@pytest.mark.parametrize("ssid", [GRADS[0], DROPOUT])
def test_acgr0102_graduate_or_dropout_passes(checked: ValidationResult, ssid: str) -> None:
    assert outcome_findings(checked, "ACGR0102", ssid) == []


# --------------------------------------------------------------------------- ACGR0103


def test_acgr0103_t200_removal_is_warning(checked: ValidationResult, extract: Path) -> None:
    assert student(checked, REMOVED)["outcome"] == "Removed"
    assert outcome_findings(checked, "ACGR0103", REMOVED) == one(extract, L_REMOVED, IMPACT)


@pytest.mark.parametrize("code", REMOVAL_CODES)
def test_acgr0103_every_removal_code_is_warning(
    checked: ValidationResult, extract: Path, code: str
) -> None:
    ssid = REMOVAL_SSID[code]
    assert outcome_findings(checked, "ACGR0103", ssid) == one(extract, L_REMOVAL[code], REMOVALS)


def test_acgr0103_t280_other_transfer_passes(checked: ValidationResult) -> None:
    assert student(checked, OTHER_TRANSFER)["outcome"] == "Other Transfer"
    assert outcome_findings(checked, "ACGR0103", OTHER_TRANSFER) == []


def test_outcome_sensitive_findings_are_one_per_student(checked: ValidationResult) -> None:
    rows = checked.findings.filter(pl.col("rule").is_in(["ACGR0101", "ACGR0102", "ACGR0103"]))
    expected = {LOST, OPEN, LATE_EXIT, REMOVED, *REMOVAL_SSID.values()}
    assert sorted(rows["ssid"].to_list()) == sorted(expected)


def test_outcome_sensitive_findings_need_a_class(extract: Path) -> None:
    res = validate(extract, engine="in-memory")
    assert res.impact is None
    assert res.findings.filter(pl.col("rule").str.starts_with("ACGR01")).height == 0


def test_outcome_sensitive_messages_carry_no_ssid(checked: ValidationResult) -> None:
    rows = checked.findings.filter(pl.col("rule").str.starts_with("ACGR01"))
    assert rows.height == 9
    ssids = set(extract_ssids())
    assert [m for m in rows["message"].to_list() if any(s in m for s in ssids)] == []


# --------------------------------------------------------------------------- school_impact


def impact_row(checked: ValidationResult, school: str) -> dict[str, Any]:
    assert checked.impact is not None
    rows = checked.impact.filter(pl.col("cds_code") == LEA + school)
    assert rows.height == 1, f"{rows.height} impact rows for {school}"
    return rows.row(0, named=True)


def test_school_impact_counts_of_hand_worked_school(checked: ValidationResult) -> None:
    row = impact_row(checked, IMPACT)
    counts = {k: row[k] for k in ("cohort", "graduates", "lost_transfers", "open_past_cutoff",
                                  "removals_to_document")}  # fmt: skip
    assert counts == {
        "cohort": 7,
        "graduates": 3,
        "lost_transfers": 1,
        "open_past_cutoff": 2,
        "removals_to_document": 1,
    }


def test_school_impact_rates_of_hand_worked_school(checked: ValidationResult) -> None:
    row = impact_row(checked, IMPACT)
    names = ("rate_now", "rate_if_transfers_confirmed", "rate_if_open_graduated",
             "rate_if_removals_undocumented")  # fmt: skip
    rates = {k: row[k] for k in names}
    # integer arithmetic: 3/7, 3/(7-1), (3+2)/7, 3/(7+1)
    assert rates == {
        "rate_now": half_up(3, 7),
        "rate_if_transfers_confirmed": half_up(3, 6),
        "rate_if_open_graduated": half_up(5, 7),
        "rate_if_removals_undocumented": half_up(3, 8),
    }
    assert list(rates.values()) == ["42.9", "50.0", "71.4", "37.5"]


def test_school_impact_rate_now_matches_the_published_school_rate(
    checked: ValidationResult,
) -> None:
    assert checked.result is not None
    rates = checked.result.rates.filter(
        (pl.col("AggregateLevel") == "S")
        & (pl.col("SchoolCode") == IMPACT)
        & (pl.col("ReportingCategory") == "TA")
    )
    assert rates.height == 1
    published = rates["Regular HS Diploma Graduates (Rate)"].cast(pl.String)[0]
    assert (rates["CohortStudents"][0], published) == (7, impact_row(checked, IMPACT)["rate_now"])


def test_school_impact_leaves_out_schools_without_such_students(
    checked: ValidationResult,
) -> None:
    assert checked.impact is not None
    assert LEA + OTHER not in checked.impact["cds_code"].to_list()


def test_school_impact_function_matches_validate_impact(checked: ValidationResult) -> None:
    assert checked.result is not None
    assert checked.impact is not None
    direct = school_impact(checked.result.students, checked.result.rules)
    assert direct.equals(checked.impact)
    # most affected school first: 5 removals at 1939993, 4 findings at 1939990
    assert direct["cds_code"].to_list() == [LEA + REMOVALS, LEA + IMPACT]
