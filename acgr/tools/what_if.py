"""How many more graduates would raise a Dashboard colour? (docs/rules.md R8, ``--needed``).

For each coloured row that is not already Blue, the smallest number ``k`` of additional
graduates (the denominator stays: they are students of the cohort who did not graduate)
whose colour is higher than the row's. A colour changes only where the status level or
the change level does, so the candidates are the smallest numerators that reach each
status and each change cut point (solved exactly in integers, with the numerator on either
side of the solution as a guard); each candidate is then judged by the indicator itself
(:func:`acgr.tools.dashboard.indicator_rows`), so the answer uses the one implementation
of the rules and no search over every possible ``k``.
"""

from __future__ import annotations

import polars as pl

from acgr.rules.dashboard import DashboardRules
from acgr.tools.dashboard import indicator_rows

#: The column the calculator adds: additional graduates needed for the next colour.
NEEDED = "needed"
_KEY = ("cds", "studentgroup")
_COUNTS = ("currnumer", "currdenom", "priornumer", "priordenom")


def _ceil_div(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    """Exact ceiling of ``num / den`` for integer expressions (``den > 0``)."""
    return -((-num) // den)


def _candidate_numerators(rules: DashboardRules) -> list[pl.Expr]:
    """The smallest current numerators reaching each cut point (R8.1 levels).

    Status (tenths, rounded half up): ``n >= ceil((2 cut - 1) d / 2000)``. Change: the
    rounded difference reaches ``cut`` when ``1000 (n/d - n0/d0) >= cut - 1/2``, i.e.
    ``n >= ceil(((2 cut - 1) d d0 + 2000 n0 d) / (2000 d0))``; the neighbours of each
    solution are candidates too, for the half-away-from-zero rounding of negative changes.
    """
    n0, d0, d = pl.col("priornumer"), pl.col("priordenom"), pl.col("currdenom")
    cuts = [rules.cut_points.standard]
    if rules.cut_points.dass is not None:
        cuts.append(rules.cut_points.dass)
    out: list[pl.Expr] = []
    for regime in cuts:
        out.extend(_ceil_div((2 * s - 1) * d, pl.lit(2000)) for s in regime.status)
        for c in regime.change:
            base = _ceil_div((2 * c - 1) * d * d0 + 2000 * n0 * d, 2000 * d0)
            out.extend((base - 1, base, base + 1))
    return out


def graduates_needed(frame: pl.DataFrame, rules: DashboardRules, year: str) -> pl.DataFrame:
    """``frame`` (counts per Dashboard row) with :data:`NEEDED` beside the computed columns.

    ``needed`` is null for a row without a colour, a Blue row, or one that no number of
    additional graduates up to its whole denominator would lift.

    Examples:
        >>> from acgr.rules.dashboard import load_dashboard_rules
        >>> counts = pl.DataFrame({
        ...     "cds": ["19647330100000"], "rtype": ["S"], "schoolname": ["A"],
        ...     "districtname": ["B"], "countyname": ["C"], "charter_flag": [""],
        ...     "coe_flag": [""], "dass_flag": [""], "studentgroup": ["ALL"],
        ...     "currnumer": [160], "currdenom": [200], "priornumer": [170],
        ...     "priordenom": [200], "fiveyrnumer": [0]})
        >>> out = graduates_needed(counts, load_dashboard_rules("2024"), "2024")
        >>> out.select("currstatus", "change", "color", "needed").row(0)
        (Decimal('80.0'), Decimal('-5.0'), 2, 9)

        Status 80.0 and a change of -5.0 are Orange; 9 more graduates (169 of 200) make
        the change -0.5, Maintained, and the colour Yellow.
    """
    computed = indicator_rows(frame, rules, year).collect()
    # Collected: the rows are read twice, for the result and for the candidates.
    colours = computed.lazy().select(*_KEY, pl.col("color").alias("_colour"))
    candidates = (
        frame.lazy()
        .with_columns(pl.col(_COUNTS).cast(pl.Int64))
        .with_columns(pl.concat_list(_candidate_numerators(rules)).alias("_try"))
        .explode("_try")
        .join(colours, on=list(_KEY))
        .filter(
            (pl.col("_colour") > 0)
            & (pl.col("_colour") < max(rules.colours.values()))
            & (pl.col("_try") > pl.col("currnumer"))
            & (pl.col("_try") <= pl.col("currdenom"))
        )
        .with_columns(
            (pl.col("_try") - pl.col("currnumer")).alias("_k"),
            pl.col("_try").alias("currnumer"),
            (pl.col("fiveyrnumer") if "fiveyrnumer" in frame.columns else pl.lit(None)).alias(
                "fiveyrnumer"
            ),
        )
        .unique([*_KEY, "_k"])
        .collect()
    )
    judged = indicator_rows(candidates, rules, year).filter(pl.col("color") > pl.col("_colour"))
    needed = judged.group_by(list(_KEY)).agg(pl.col("_k").min().alias(NEEDED))
    return (
        computed.lazy()
        .join(needed, on=list(_KEY), how="left")
        .select(*rules.columns, NEEDED)
        .sort(*_KEY)
        .collect()
    )


__all__ = ["NEEDED", "graduates_needed"]
