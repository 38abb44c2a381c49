"""Text cells to typed values: the one date reading and the one flag reading (acgr.read.values)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from acgr.read.values import date_from_text, flag_from_text


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("20180608", dt.date(2018, 6, 8)),
        ("2018-06-08", dt.date(2018, 6, 8)),
        ("20180230", None),  # not a calendar date
        ("2018-0608", None),  # a dash means YYYY-MM-DD, and this is not one
        ("-20180608", None),  # never a year before the common era
        ("", None),
        (None, None),
    ],
)
def test_date_is_ccyymmdd_or_iso_text(text: str | None, date: dt.date | None) -> None:
    # arrange
    frame = pl.DataFrame({"t": [text]}, schema={"t": pl.String})
    # act
    got = frame.select(date_from_text(pl.col("t"))).item()
    # assert
    assert got == date


@pytest.mark.parametrize(
    ("text", "flag"),
    [("Y", True), (" yes ", True), ("True", True), ("1", True), ("n", False), ("NO", False),
     ("false", False), ("0", False), ("", None), ("maybe", None), (None, None)],
)  # fmt: skip
def test_flag_reads_yes_and_no_words_whatever_the_case_and_padding(
    text: str | None, flag: bool | None
) -> None:
    # arrange
    frame = pl.DataFrame({"f": [text]}, schema={"f": pl.String})
    # act
    got = frame.select(flag_from_text(pl.col("f"))).item()
    # assert
    assert got is flag


def test_flag_words_can_be_narrowed() -> None:
    # arrange
    frame = pl.DataFrame({"f": ["Yes", "1", "N"]})
    # act
    got = frame.select(flag_from_text(pl.col("f"), yes=("Y", "YES"), no=("N", "NO")))
    # assert
    assert got.to_series().to_list() == [True, None, False]
