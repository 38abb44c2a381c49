"""The what-if calculator: additional graduates needed for the next colour (R8, ``--needed``)."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from acgr.rules.dashboard import load_dashboard_rules
from acgr.tools.dashboard import indicator_from_counts
from acgr.tools.what_if import NEEDED, graduates_needed


def _row(n1: int, d1: int, n0: int, d0: int, **extra: Any) -> dict[str, Any]:
    return {
        "cds": "19647330100000",
        "rtype": "S",
        "schoolname": "Test High",
        "districtname": "Test Unified",
        "countyname": "Los Angeles",
        "charter_flag": "",
        "coe_flag": "",
        "dass_flag": "",
        "studentgroup": "ALL",
        "currnumer": n1,
        "currdenom": d1,
        "priornumer": n0,
        "priordenom": d0,
        "fiveyrnumer": 0,
        **extra,
    }


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema_overrides={"fiveyrnumer": pl.Int64})


def _brute_force(n1: int, d1: int, n0: int, d0: int, year: str, dass: str) -> int | None:
    """The smallest k by trying every k: the definition the calculator must meet."""
    rules = load_dashboard_rules(year)
    rows = [_row(n1 + k, d1, n0, d0, dass_flag=dass, schoolname=str(k)) for k in range(d1 - n1 + 1)]
    out = indicator_from_counts(_frame(rows), rules).with_columns(
        pl.col("schoolname").cast(pl.Int64).alias("k")
    )
    base = out.filter(pl.col("k") == 0)["color"][0]
    if base in {0, 5}:
        return None
    better = out.filter(pl.col("color") > base)["k"]
    return int(better.min()) if better.len() else None  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    d1=st.integers(30, 260),
    d0=st.integers(30, 260),
    share1=st.floats(0.4, 1.0),
    share0=st.floats(0.4, 1.0),
    year=st.sampled_from(["2018", "2024"]),
    dass=st.sampled_from(["", "Y"]),
)
def test_needed_is_the_smallest_k_that_raises_the_colour(
    d1: int, d0: int, share1: float, share0: float, year: str, dass: str
) -> None:
    # arrange
    n1, n0 = int(d1 * share1), int(d0 * share0)
    frame = _frame([_row(n1, d1, n0, d0, dass_flag=dass)])
    # act
    got = graduates_needed(frame, load_dashboard_rules(year), year)[NEEDED][0]
    # assert
    assert got == _brute_force(n1, d1, n0, d0, year, dass)


def test_needed_is_blank_without_a_colour_and_for_blue() -> None:
    # arrange: a row under the n-size (no colour), a Blue row, a Red row
    frame = _frame(
        [
            _row(20, 25, 20, 25, studentgroup="AA"),
            _row(199, 200, 190, 200, studentgroup="ALL"),
            _row(100, 200, 150, 200, studentgroup="HI"),
        ]
    )
    # act
    out = graduates_needed(frame, load_dashboard_rules("2024"), "2024")
    # assert
    got = dict(zip(out["studentgroup"], out[NEEDED], strict=True))
    assert got["AA"] is None
    assert got["ALL"] is None
    assert got["HI"] is not None
    assert got["HI"] > 0
