"""Counts, rates and the acgr.txt layout (docs/rules.md R6.1-R6.3, R6.5), class of 2018."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from acgr.pipeline import AcgrResult
from acgr.publish.rates import rate_half_up, rate_text
from acgr.testing import senr_line
from tests.helpers import HEADER_34, D, grad, rate_row, rec, run, student, text_rows

# ---------------------------------------------------------------------------- R6.1


def test_r6_1_counts_and_rates_per_outcome(tmp_path: Path) -> None:
    # arrange: 16 cohort students (+1 removed) at one school
    lines = [grad(f"10000000{i:02d}") for i in range(5)]  # 5 graduates
    lines += [grad(f"11000000{c}", completion=c) for c in ("120", "250", "320", "330")]
    lines += [rec(f"12000000{i:02d}", exit=D(2017, 3, 1), code="T280") for i in range(2)]
    lines += [rec(f"13000000{i:02d}", exit=D(2017, 3, 1), code="E400") for i in range(3)]
    lines += [rec(f"14000000{i:02d}") for i in range(2)]  # still enrolled (open)
    lines += [rec("1500000000", exit=D(2017, 3, 1), code="T200")]  # removed
    # act
    result = run(tmp_path, lines)
    # assert: rate = count / 16, half up (5/16 = 31.25 -> 31.3, 1/16 = 6.25 -> 6.3)
    row = rate_row(result, "T")
    expected = {
        "Regular HS Diploma Graduates": (5, "31.3"),
        "SPED Certificate": (1, "6.3"),
        "Adult Ed. HS Diploma": (1, "6.3"),
        "GED Completer": (1, "6.3"),
        "CHSPE Completer": (1, "6.3"),
        "Other Transfer": (2, "12.5"),
        "Dropout": (3, "18.8"),
        "Still Enrolled": (2, "12.5"),
    }
    assert row["CohortStudents"] == 16
    for label, (count, rate) in expected.items():
        assert (row[f"{label} (Count)"], row[f"{label} (Rate)"]) == (count, Decimal(rate)), label
    for level, kw in (("D", {}), ("S", {"charter": "No", "dass": "No"})):
        assert rate_row(result, level, **kw)["Dropout (Count)"] == 3


# ---------------------------------------------------------------------------- R6.2


def test_r6_2_graduate_indicators_among_graduates_only(tmp_path: Path) -> None:
    # arrange: 4 graduates (UC/CSU on 3, Seal on 1, Golden State on 2) and non-graduates
    # whose records carry every flag
    flags: dict[str, Any] = {
        "student_met_all_uc_csu_requirements_indicator": "Y",
        "student_seal_of_biliteracy_indicator": "Y",
        "student_golden_state_seal_merit_diploma_indicator": "Y",
    }
    uc, seal, gs = flags
    only: dict[str, dict[str, Any]] = {
        "1000000001": {uc: "Y", seal: "Y", gs: "Y"},
        "1000000002": {uc: "Y", gs: "Y"},
        "1000000003": {uc: "Y"},
    }
    lines = [
        *(grad(ssid, **kw) for ssid, kw in only.items()),
        grad("1000000004"),
        grad("1000000005", completion="120", **flags),
        rec("1000000006", exit=D(2017, 3, 1), code="E400", **flags),
        grad("1000000007", exit=D(2018, 8, 20), **flags),  # after the cutoff
    ]
    # act
    result = run(tmp_path, lines)
    # assert
    row = rate_row(result, "T")
    assert row["CohortStudents"] == 7
    assert row["Regular HS Diploma Graduates (Count)"] == 4
    assert (row["Met UC/CSU Grad Req's (Count)"], row["Met UC/CSU Grad Req's (Rate)"]) == (
        3,
        Decimal("75.0"),
    )
    assert (row["Seal of Biliteracy (Count)"], row["Seal of Biliteracy (Rate)"]) == (
        1,
        Decimal("25.0"),
    )
    assert (
        row["Golden State Seal Merit Diploma (Count)"],
        row["Golden State Seal Merit Diploma (Rate"],
    ) == (2, Decimal("50.0"))
    assert result.students.filter(pl.col("met_uc_csu"))["ssid"].to_list() == [
        "1000000001",
        "1000000002",
        "1000000003",
    ]


def test_r6_2_indicator_rates_are_zero_without_graduates(layout: AcgrResult) -> None:
    # arrange: the DASS school 19-64733-1930002 of the layout fixture has 11 dropouts whose
    # records carry every graduate flag
    row = rate_row(layout, "S", school="1930002", charter="No", dass="Yes")
    # assert
    assert (row["CohortStudents"], row["Regular HS Diploma Graduates (Count)"]) == (11, 0)
    for label in ("Met UC/CSU Grad Req's", "Seal of Biliteracy"):
        assert (row[f"{label} (Count)"], row[f"{label} (Rate)"]) == (0, Decimal("0.0"))
    assert row["Golden State Seal Merit Diploma (Rate"] == Decimal("0.0")
    dass_text = next(
        r
        for r in text_rows(layout)
        if (r["AggregateLevel"], r["DASS"], r["ReportingCategory"]) == ("T", "Yes", "TA")
    )
    assert dass_text["Met UC/CSU Grad Req's (Rate)"] == "0.0"
    assert dass_text["Regular HS Diploma Graduates (Rate)"] == "0.0"


def test_r6_2_class_2024_wide_layout_with_exemption_and_cpp(tmp_path: Path) -> None:
    # arrange: class of 2024 (Year1 = 2020-21): 2 graduates (1 exempt), 1 CPP (330) completer
    start = D(2020, 8, 20)
    exempt = senr_line(
        ssid="1000000001",
        enrollment_start_date=start,
        grade_level_code="09",
        enrollment_exit_date=D(2024, 6, 7),
        student_exit_reason_code="E230",
        student_school_completion_status="100",
        graduation_exemption_indicator="Y",
    )
    assert exempt.split("^")[34] == "Y"  # field 35, the Graduation Exemption Indicator
    lines = [
        exempt,
        grad("1000000002", start=start, exit=D(2024, 6, 7)),
        grad("1000000003", start=start, exit=D(2024, 6, 7), completion="330"),
    ]
    # act
    result = run(tmp_path, lines, class_of=2024)
    # assert
    header = result.acgr_text().split("\n")[0].split("\t")
    assert len(header) == 36
    assert header[20:24] == [
        "Graduates Meeting Local Requirements Exemption (Count)",
        "Graduates Meeting Local Requirements Exemption (Rate)",
        "CPP Completer (Count)",
        "CPP Completer (Rate)",
    ]
    assert "CHSPE Completer (Count)" not in header
    row = rate_row(result, "T")
    assert row["AcademicYear"] == "2023-24"
    assert row["Graduates Meeting Local Requirements Exemption (Count)"] == 1
    assert row["Graduates Meeting Local Requirements Exemption (Rate)"] == Decimal("50.0")
    assert (row["CPP Completer (Count)"], row["CPP Completer (Rate)"]) == (1, Decimal("33.3"))
    assert student(result, "1000000001")["local_requirements_exemption"] is True


# ---------------------------------------------------------------------------- R6.3


def test_r6_3_school_of_80_with_29_graduates_rounds_half_up(tmp_path: Path) -> None:
    # arrange: 29 graduates and 51 dropouts: 36.25 -> 36.3 and 63.75 -> 63.8
    lines = [grad(f"10000000{i:02d}") for i in range(29)]
    lines += [rec(f"20000000{i:02d}", exit=D(2017, 3, 1), code="E400") for i in range(51)]
    # act
    result = run(tmp_path, lines)
    # assert
    row = rate_row(result, "S", charter="No", dass="No")
    assert row["CohortStudents"] == 80
    assert row["Regular HS Diploma Graduates (Rate)"] == Decimal("36.3")
    assert row["Dropout (Rate)"] == Decimal("63.8")
    school_text = next(
        r
        for r in text_rows(result)
        if r["AggregateLevel"] == "S" and r["ReportingCategory"] == "TA"
    )
    assert school_text["Regular HS Diploma Graduates (Rate)"] == "36.3"
    assert school_text["Dropout (Rate)"] == "63.8"


@pytest.mark.parametrize(
    ("n", "d", "expected"),
    [
        (29, 80, "36.3"),  # 36.25: half even would give 36.2
        (1, 16, "6.3"),  # 6.25
        (1, 8, "12.5"),
        (3, 80, "3.8"),  # 3.75
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (1, 2000, "0.1"),  # 0.05
        (1, 2001, "0.0"),
        (7, 7, "100.0"),
        (0, 9, "0.0"),
        (0, 0, "0.0"),
    ],
)
def test_r6_3_rate_half_up(n: int, d: int, expected: str) -> None:
    assert rate_half_up(n, d) == expected
    frame = pl.DataFrame({"n": [n], "d": [d]})
    assert frame.select(rate_text(pl.col("n"), pl.col("d")))["n"].item() == expected


# ---------------------------------------------------------------------------- R6.5


CATEGORY_ORDER = [
    "TA", "RB", "RI", "RA", "RF", "RH", "RD", "RP", "RT", "RW",
    "GM", "GF", "GX", "GZ", "SE", "SD", "SS", "SM", "SF", "SH",
]  # fmt: skip


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> AcgrResult:
    """Three schools: charter 19-64733-1930001 (11 graduates), DASS 19-64733-1930002
    (11 dropouts, gender M, every graduate flag set), plain 01-10017-0130401 (11 graduates
    with UC/CSU)."""
    tmp = tmp_path_factory.mktemp("r6_5")
    schools = tmp / "schools.csv"
    schools.write_text(
        "cds_code,county_name,district_name,school_name,charter,dass\n"
        "19647331930001,Los Angeles,LA Unified,Charter High,Y,N\n"
        "19647331930002,Los Angeles,LA Unified,Continuation High,N,Y\n"
        "01100170130401,Alameda,Oakland Unified,Oakland High,N,N\n",
        encoding="utf-8",
    )
    flags: dict[str, Any] = {
        "student_met_all_uc_csu_requirements_indicator": "Y",
        "student_seal_of_biliteracy_indicator": "Y",
        "student_golden_state_seal_merit_diploma_indicator": "Y",
    }
    lines = [grad(f"10000000{i:02d}", school="1930001") for i in range(11)]
    lines += [
        rec(f"20000000{i:02d}", exit=D(2017, 3, 1), code="E400", school="1930002",
            student_gender_code="M", **flags)
        for i in range(11)
    ]  # fmt: skip
    lines += [
        grad(f"30000000{i:02d}", lea="0110017", school="0130401",
             student_met_all_uc_csu_requirements_indicator="Y")
        for i in range(11)
    ]  # fmt: skip
    return run(tmp, lines, schools=schools)


@pytest.fixture(scope="module")
def layout_rows(layout: AcgrResult) -> list[dict[str, str]]:
    """The public acgr.txt of :func:`layout`, parsed."""
    return text_rows(layout)


def test_r6_5_header_is_exact(layout: AcgrResult) -> None:
    assert layout.acgr_text().split("\n")[0] == "\t".join(HEADER_34)
    assert layout.rates.columns[:34] == HEADER_34


def test_r6_5_rates_print_one_decimal_everywhere(layout_rows: list[dict[str, str]]) -> None:
    rates = [v for row in layout_rows for k, v in row.items() if k.endswith(("(Rate)", "(Rate"))]
    assert rates
    assert all(re.fullmatch(r"\d{1,3}\.\d", v) for v in rates), sorted(set(rates))
    assert {"0.0", "100.0"} <= set(rates)


def test_r6_5_state_row_codes_and_name(layout_rows: list[dict[str, str]]) -> None:
    state = layout_rows[0]
    assert (
        state["AcademicYear"], state["AggregateLevel"], state["CountyCode"],
        state["DistrictCode"], state["SchoolCode"], state["CountyName"],
        state["DistrictName"], state["SchoolName"],
    ) == ("2017-18", "T", "00", "", "", "State", "", "")  # fmt: skip
    assert state["CohortStudents"] == "33"


def test_r6_5_row_order_levels_codes_variants(layout_rows: list[dict[str, str]]) -> None:
    # act: the TA rows' keys in file order
    keys = [
        (r["AggregateLevel"], r["CountyCode"], r["DistrictCode"], r["SchoolCode"],
         r["CharterSchool"], r["DASS"])
        for r in layout_rows
        if r["ReportingCategory"] == "TA"
    ]  # fmt: skip
    # assert
    five = [("All", "All"), ("Yes", "All"), ("No", "All"), ("All", "Yes"), ("All", "No")]
    plain = [("All", "All"), ("No", "All"), ("All", "No")]
    expected = (
        [("T", "00", "", "", *v) for v in five]
        + [("C", "01", "", "", *v) for v in plain]
        + [("C", "19", "", "", *v) for v in five]
        + [("D", "01", "10017", "", *v) for v in plain]
        + [("D", "19", "64733", "", *v) for v in five]
        + [
            ("S", "01", "10017", "0130401", "No", "No"),
            ("S", "19", "64733", "1930001", "Yes", "No"),
            ("S", "19", "64733", "1930002", "No", "Yes"),
        ]
    )
    assert keys == expected


def test_r6_5_categories_in_order_within_each_entity(layout_rows: list[dict[str, str]]) -> None:
    entity = ("AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode", "CharterSchool", "DASS")
    seen: dict[tuple[str, ...], list[str]] = {}
    order: list[tuple[str, ...]] = []
    for r in layout_rows:
        key = tuple(r[k] for k in entity)
        if key not in seen:
            order.append(key)
            seen[key] = []
        seen[key].append(r["ReportingCategory"])
    # each entity's rows are contiguous, TA first, then the R6.5 order
    assert len(order) == len(set(order))
    blocks = [tuple(r[k] for k in entity) for r in layout_rows]
    assert blocks == [k for k in order for _ in seen[k]]
    for key, cats in seen.items():
        assert cats[0] == "TA", key
        assert cats == sorted(cats, key=CATEGORY_ORDER.index), key
    state = seen["T", "00", "", "", "All", "All"]
    assert [c for c in state if c in ("TA", "GM", "GF")] == ["TA", "GM", "GF"]
