"""acgr.read.cds: a record's CDS code, and its county, district and school (R4.3)."""

from __future__ import annotations

import polars as pl

from acgr.read.cds import cds_code, cds_parts


def test_r4_3_cds_code_is_lea_then_school_and_splits_back() -> None:
    # arrange: a record's 7-digit LEA (county and district) and 7-digit school
    records = pl.DataFrame(
        {"lea": ["1964733", "0161119", None], "school": ["1930000", "0130003", "1"]}
    )
    # act
    cds = records.select(cds_code(pl.col("lea"), pl.col("school")).alias("cds"))
    parts = cds.select(cds_parts(pl.col("cds")))
    # assert: 2 + 5 + 7 digits; no code without an LEA
    assert cds["cds"].to_list() == ["19647331930000", "01611190130003", None]
    assert parts.rows() == [
        ("19", "64733", "1930000"),
        ("01", "61119", "0130003"),
        (None, None, None),
    ]
