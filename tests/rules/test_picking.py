"""acgr.rules.picking: a pick by packed integer keys equals a plain sort of the records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acgr.rules.picking import (
    TIE_RANK,
    date_key,
    first_by,
    order_key,
    rank_key,
    same_fields_key,
    with_tie_rank,
)

_DATES = st.none() | st.dates(dt.date(1900, 1, 1), dt.date(9999, 12, 31))
_ROW = st.fixed_dictionaries(
    {
        "ssid": st.sampled_from(["A", "B", "C"]),
        "wanted": st.none() | st.booleans(),
        "day": _DATES,
        "other_day": _DATES,
        "rank": st.integers(0, 5),
        "school": st.none() | st.sampled_from(["0100001", "0100002", "10", "9"]),
        "file": st.sampled_from(["b.txt", "a.txt", "c/senr.txt"]),
        "line": st.integers(1, 6),
    }
)
#: Records as files give them: a file and line names one record.
_RECORDS = st.lists(_ROW, min_size=1, max_size=12, unique_by=lambda r: (r["file"], r["line"]))


def _frame(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    return pl.LazyFrame(
        rows,
        schema={
            "ssid": pl.String,
            "wanted": pl.Boolean,
            "day": pl.Date,
            "other_day": pl.Date,
            "rank": pl.Int32,
            "school": pl.String,
            "file": pl.Categorical,
            "line": pl.Int64,
        },
    ).with_row_index("row")


def _reference(rows: list[dict[str, Any]], *, by_rank: bool) -> dict[str, int | None]:
    """Per student, the row a plain sort picks: wanted, day desc, then other_day
    asc (``rank`` None) or rank asc, then school, file, line ascending; nulls
    last."""

    def nulls_last(value: Any, *, descending: bool = False) -> tuple[bool, Any]:
        if value is None:
            return (True, 0)
        if descending:
            return (False, -value.toordinal())
        return (False, value)

    picks: dict[str, int | None] = {}
    for ssid in {r["ssid"] for r in rows}:
        mine = [(i, r) for i, r in enumerate(rows) if r["ssid"] == ssid]
        if not any(r["wanted"] for _, r in mine):
            picks[ssid] = None
            continue
        best = min(
            mine,
            key=lambda ir: (
                not ir[1]["wanted"],
                nulls_last(ir[1]["day"], descending=True),
                ir[1]["rank"] if by_rank else nulls_last(ir[1]["other_day"]),
                nulls_last(ir[1]["school"]),
                ir[1]["file"],
                ir[1]["line"],
            ),
        )
        picks[ssid] = best[0]
    return picks


@settings(max_examples=150, deadline=None)
@given(_RECORDS, st.booleans(), st.booleans())
def test_first_by_equals_a_plain_sort(
    rows: list[dict[str, Any]], by_rank: bool, in_memory: bool
) -> None:
    """Text tie columns ranked by lookup (frame in memory) or by a join (lazy)."""
    second = rank_key(pl.col("rank")) if by_rank else date_key("other_day", descending=False)
    key = order_key(pl.col("wanted"), [date_key("day", descending=True), second])
    frame = _frame(rows).collect() if in_memory else _frame(rows)
    picked = (
        with_tie_rank(frame, ["school", "file", "line"])
        .group_by("ssid")
        .agg(first_by(pl.col("row"), key, pl.col("wanted")).alias("row"))
        .collect()
    )
    assert dict(picked.iter_rows()) == _reference(rows, by_rank=by_rank)


def test_a_key_without_room_for_its_fields_is_refused() -> None:
    day = date_key("day", descending=True)
    with pytest.raises(ValueError, match="bits"):
        order_key(pl.lit(True), [day, day, rank_key(pl.col("rank"))])


@settings(max_examples=100, deadline=None)
@given(_RECORDS, st.booleans())
def test_tie_rank_is_a_permutation_ordered_by_the_columns(
    rows: list[dict[str, Any]], in_memory: bool
) -> None:
    frame = _frame(rows).collect() if in_memory else _frame(rows)
    ranked = with_tie_rank(frame, ["file", "line"], descending=True).collect()
    assert sorted(ranked[TIE_RANK].to_list()) == list(range(len(rows)))
    in_order = ranked.sort(TIE_RANK)
    pairs = [(str(f), ln) for f, ln in in_order.select("file", "line").iter_rows()]
    assert pairs == sorted(pairs, reverse=True)


def test_same_fields_ignores_only_the_tie_rank() -> None:
    frame = pl.LazyFrame(
        {"day": [dt.date(2018, 6, 1), dt.date(2018, 6, 1), dt.date(2018, 6, 2)]}
    ).with_columns(pl.Series(TIE_RANK, [0, 1, 2], dtype=pl.UInt32))
    key = order_key(pl.lit(True), [date_key("day", descending=False)])
    fields = same_fields_key(key)
    same = frame.select(fields == fields.first()).collect().to_series()
    assert same.to_list() == [True, True, False]


def test_more_than_four_tie_columns_is_refused() -> None:
    frame = pl.LazyFrame({c: [1] for c in "abcde"})
    with pytest.raises(ValueError, match="at most four"):
        with_tie_rank(frame, list("abcde"))
