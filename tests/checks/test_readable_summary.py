"""impact.csv with names and LEA totals, and the validate summary's school table, on the
bundled fixture (fixtures/README.md works each student out by hand)."""

from __future__ import annotations

import polars as pl
import pytest

from acgr.checks.impact import IMPACT_FILE_COLUMNS, IMPACT_ORDER, impact_table
from acgr.checks.summary import NO_SCHOOL, validation_texts
from acgr.pipeline import ValidationResult, validate
from acgr.read.directory import read_directory
from tests.helpers import FIXTURES


@pytest.fixture(scope="module")
def checked() -> ValidationResult:
    return validate(FIXTURES / "extract", class_of=2018, schools=FIXTURES / "schools.csv")


@pytest.fixture(scope="module")
def impact(checked: ValidationResult) -> pl.DataFrame:
    assert checked.result is not None
    return impact_table(
        checked.result.students, checked.result.rules, read_directory(FIXTURES / "schools.csv")
    )


def test_impact_csv_columns_name_the_lea_and_school(impact: pl.DataFrame) -> None:
    assert impact.columns == list(IMPACT_FILE_COLUMNS)
    row = impact.filter(pl.col("cds_code") == "19647331930000").row(0, named=True)
    assert (row["school_name"], row["lea_name"], row["lea_code"]) == (
        "Vista Ridge High",
        "Vista Ridge Unified",
        "1964733",
    )


def test_lea_total_counts_every_school_of_the_lea(
    impact: pl.DataFrame, checked: ValidationResult
) -> None:
    """Vista Ridge Unified: 42 cohort students, 19 graduates (the acgr.txt D row), 45.2;
    its 2 lost transfers confirmed: 19 / 40 = 47.5; 7 open graduated: 26 / 42 = 61.9."""
    total = impact.filter(pl.col("level") == "LEA total", pl.col("lea_code") == "1964733")
    row = total.row(0, named=True)
    assert (row["cohort"], row["graduates"], row["rate_now"]) == (42, 19, "45.2")
    assert (row["lost_transfers"], row["rate_if_transfers_confirmed"]) == (2, "47.5")
    assert (row["open_past_cutoff"], row["rate_if_open_graduated"]) == (7, "61.9")
    assert row["cds_code"] == "19647330000000"
    assert row["school_name"] is None
    assert checked.result is not None
    d_row = checked.result.rates.filter(
        (pl.col("AggregateLevel") == "D")
        & (pl.col("DistrictCode") == "64733")
        & (pl.col("ReportingCategory") == "TA")
        & (pl.col("CharterSchool") == "All")
        & (pl.col("DASS") == "All")
    )
    assert d_row["CohortStudents"].item() == row["cohort"]


def test_impact_order_is_lea_then_schools_most_sensitive_first_then_total(
    impact: pl.DataFrame,
) -> None:
    assert "LEA-code order" in IMPACT_ORDER
    assert impact.select("level", "cds_code").rows() == [
        ("school", "19647331930000"),  # 7 outcome-sensitive students
        ("school", "19647331931000"),  # 3, then by CDS code
        ("school", "19647330112345"),  # 2
        ("LEA total", "19647330000000"),
        ("school", "37735513730100"),
        ("school", "37735513730200"),
        ("LEA total", "37735510000000"),
    ]


def test_impact_without_schools_file_keeps_codes_and_empty_names(
    checked: ValidationResult,
) -> None:
    assert checked.result is not None
    bare = impact_table(checked.result.students, checked.result.rules)
    assert set(bare["lea_name"].to_list()) == {""}
    assert bare.height == 7


def test_summary_names_schools_says_why_some_have_none_and_states_the_order(
    checked: ValidationResult,
) -> None:
    text, _ = validation_texts(checked, FIXTURES / "schools.csv")
    assert "19647331930000 Vista Ridge High" in text
    assert "(unknown)" not in text
    assert f"{NO_SCHOOL}: findings about a student as a whole or about the inputs" in text
    assert "Order: LEAs in LEA-code order" in text
    assert "scope: 2 LEAs in 2 counties" in text
    assert "state" not in text.split("By rule")[0]
    assert all(len(line) <= 100 for line in text.splitlines())
