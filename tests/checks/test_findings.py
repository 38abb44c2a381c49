"""acgr.checks.findings: the one pass that turns record checks into findings."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from acgr.checks.findings import Check, findings_from_checks


def _records(values: list[int]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "source_file": ["a.txt"] * len(values),
            "source_line": list(range(1, len(values) + 1)),
            "ssid": ["1234567890"] * len(values),
            "reporting_lea": ["0110017"] * len(values),
            "school_code": ["0112607"] * len(values),
            "v": values,
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(0, 150), min_size=1, max_size=8),
    n_checks=st.integers(1, 140),
)
def test_each_failed_check_of_each_record_is_one_finding_in_check_order(
    values: list[int], n_checks: int
) -> None:
    """Past 64 checks the bit masks go on in a second word: none is lost or shifted."""
    # arrange: check i fails on records whose value is i or i + 1 (and a null fails none)
    checks = [
        Check(
            rule=f"T{i:03d}",
            severity="warning",
            condition=pl.col("v").is_between(i, i + 1),
            message=f"check {i}",
        )
        for i in range(n_checks)
    ]
    # act
    found = findings_from_checks(_records(values), checks).collect()
    # assert
    expected = [
        (line, f"T{i:03d}", f"check {i}")
        for line, v in enumerate(values, start=1)
        for i in range(n_checks)
        if i <= v <= i + 1
    ]
    assert list(found.select("line", "rule", "message").iter_rows()) == expected
