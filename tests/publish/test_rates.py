"""Printing signed tenths (acgr.publish.rates); test_rates_real_data checks the rounding."""

from __future__ import annotations

import polars as pl

from acgr.publish.rates import signed_tenths_text


def test_signed_tenths_print_one_decimal_with_the_signs_asked_for() -> None:
    # arrange
    frame = pl.DataFrame({"t": [12, -4, 0, -1000, None]})
    t = pl.col("t")
    # act
    plain = frame.select(signed_tenths_text(t)).to_series().to_list()
    report = frame.select(signed_tenths_text(t, plus="+", minus="−")).to_series().to_list()
    # assert
    assert plain == ["1.2", "-0.4", "0.0", "-100.0", None]
    assert report == ["+1.2", "−0.4", "0.0", "−100.0", None]
