"""acgr reconcile: cell-by-cell comparison with a published file."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from acgr.acgr_file import read_cde_acgr
from acgr.reconcile import reconcile, reconcile_frames

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "fixtures" / "expected" / "acgr.txt"


def test_a_file_reconciles_with_itself() -> None:
    rec = reconcile(EXPECTED, EXPECTED)
    assert rec.differences.height == 0
    assert rec.rows_compared == read_cde_acgr(EXPECTED).height


def test_one_changed_cell_is_reported_with_its_keys(tmp_path: Path) -> None:
    lines = EXPECTED.read_text().splitlines()
    cells = lines[1].split("\t")
    cells[12] = str(int(cells[12]) + 1) if cells[12] != "*" else "5"  # graduates count
    changed = tmp_path / "theirs.txt"
    changed.write_text("\n".join([lines[0], "\t".join(cells), *lines[2:]]) + "\n")
    rec = reconcile(EXPECTED, changed)
    assert rec.differences.height == 1
    row = rec.differences.row(0, named=True)
    assert row["column"] == "Regular HS Diploma Graduates (Count)"
    assert row["AggregateLevel"] == "T"


def test_zero_stripped_codes_and_yes_no_spellings_match() -> None:
    ours = pl.DataFrame(
        {
            "AggregateLevel": ["S"],
            "CountyCode": ["01"],
            "DistrictCode": ["10017"],
            "SchoolCode": ["0130401"],
            "CharterSchool": ["No"],
            "DASS": ["No"],
            "ReportingCategory": ["TA"],
            "CohortStudents": [20],
        }
    )
    theirs = ours.with_columns(
        pl.lit("1").alias("CountyCode"),
        pl.lit("130401").alias("SchoolCode"),
        pl.lit("N").alias("CharterSchool"),
        pl.lit("N").alias("DASS"),
    )
    # what the tolerant reader makes of the published spellings:
    norm = theirs.with_columns(
        pl.col("CountyCode").str.zfill(2),
        pl.col("SchoolCode").str.zfill(7),
        pl.lit("No").alias("CharterSchool"),
        pl.lit("No").alias("DASS"),
    )
    assert reconcile_frames(ours, norm).differences.height == 0
    assert (
        reconcile_frames(
            ours, norm.with_columns(pl.lit(21).alias("CohortStudents"))
        ).differences.height
        == 1
    )


def test_district_rows_with_zero_school_code_match_empty_codes() -> None:
    base = {
        "AggregateLevel": ["D"],
        "CountyCode": ["01"],
        "DistrictCode": ["10017"],
        "CharterSchool": ["All"],
        "DASS": ["All"],
        "ReportingCategory": ["TA"],
        "CohortStudents": [20],
    }
    ours = pl.DataFrame({**base, "SchoolCode": [None]}, schema_overrides={"SchoolCode": pl.String})
    theirs = pl.DataFrame({**base, "SchoolCode": ["0000000"]})
    rec = reconcile_frames(ours, theirs)
    assert rec.rows_compared == 1
    assert rec.differences.height == 0
