"""Rates rounded half up on exact ratios (R6.1-R6.3).

Published CDE rates are ``count / denominator x 100`` rounded half up to one
decimal on the exact ratio: 29/80 = 36.25 -> 36.3. Polars' ``round`` rounds half to
even and floating point cannot hold 36.25 exactly for every ratio, so every rate
here is computed in integer tenths of a percent.
"""

from __future__ import annotations

import polars as pl


def rate_tenths(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """Rate in tenths of a percent, rounded half up (R6.3); null when the denominator is 0.

    ``floor((2 * 1000 * n + d) / (2 * d))`` is ``n / d * 1000`` rounded half up, exactly.

    Examples:
        >>> df = pl.DataFrame({"n": [29, 1, 0], "d": [80, 3, 5]})
        >>> df.select(rate_tenths(pl.col("n"), pl.col("d")))["n"].to_list()
        [363, 333, 0]
    """
    n = numerator.cast(pl.Int64)
    d = denominator.cast(pl.Int64)
    return pl.when(d > 0).then((n * 2000 + d) // (d * 2)).otherwise(None)


def tenths_text(tenths: pl.Expr) -> pl.Expr:
    """Print a non-negative number of tenths with exactly one decimal (R6.5): 363 -> ``36.3``."""
    t = tenths.cast(pl.Int64)
    return pl.concat_str([(t // 10).cast(pl.String), pl.lit("."), (t % 10).cast(pl.String)])


def signed_tenths_text(tenths: pl.Expr, *, plus: str = "", minus: str = "-") -> pl.Expr:
    """Print a signed number of tenths with one decimal: -9 -> ``-0.9``, 12 -> ``1.2``.

    ``plus`` goes before a positive number (``"+"`` gives ``+1.2``), ``minus``
    before a negative one (a report may want the typographic ``−``); zero is
    ``0.0`` and null stays null.

    Examples:
        >>> df = pl.DataFrame({"t": [12, -4, 0, None]})
        >>> df.select(signed_tenths_text(pl.col("t"), plus="+")).to_series().to_list()
        ['+1.2', '-0.4', '0.0', None]
    """
    t = tenths.cast(pl.Int64)
    sign = pl.when(t > 0).then(pl.lit(plus)).when(t < 0).then(pl.lit(minus)).otherwise(pl.lit(""))
    return pl.concat_str([sign, tenths_text(t.abs())])


def rate_text(numerator: pl.Expr, denominator: pl.Expr, *, when_zero: str = "0.0") -> pl.Expr:
    """Rate printed with one decimal; ``when_zero`` when the denominator is 0 (R6.2)."""
    return tenths_text(rate_tenths(numerator, denominator)).fill_null(pl.lit(when_zero))


def rate_half_up(numerator: int, denominator: int) -> str:
    """Python twin of :func:`rate_text` for single values (tests, messages).

    Examples:
        >>> rate_half_up(29, 80)
        '36.3'
        >>> rate_half_up(0, 0)
        '0.0'
    """
    if denominator <= 0:
        return "0.0"
    tenths = (numerator * 2000 + denominator) // (denominator * 2)
    return f"{tenths // 10}.{tenths % 10}"


def change_tenths(
    curr_numer: pl.Expr, curr_denom: pl.Expr, prior_numer: pl.Expr, prior_denom: pl.Expr
) -> pl.Expr:
    """Change in tenths of a point, rounded half away from zero on the exact difference (R8.1.1).

    ``n1/d1 - n0/d0`` in tenths of a percent is ``1000 (n1 d0 - n0 d1) / (d0 d1)``;
    rounding ``|x|`` half up and restoring the sign rounds half away from zero.
    Null when a denominator is 0 or null.

    Examples:
        >>> df = pl.DataFrame({"n1": [83, 1, 2], "d1": [100, 3, 3], "n0": [8385, 1, 1],
        ...                    "d0": [10000, 3, 3]})
        >>> df.select(change_tenths(*(pl.col(c) for c in df.columns)))["n1"].to_list()
        [-9, 0, 333]
    """
    n1, d1, n0, d0 = (e.cast(pl.Int64) for e in (curr_numer, curr_denom, prior_numer, prior_denom))
    num = (n1 * d0 - n0 * d1) * 1000
    den = d0 * d1
    magnitude = (num.abs() * 2 + den) // (den * 2)
    return pl.when(den > 0).then(pl.when(num < 0).then(-magnitude).otherwise(magnitude))


__all__ = [
    "change_tenths",
    "rate_half_up",
    "rate_tenths",
    "rate_text",
    "signed_tenths_text",
    "tenths_text",
]
