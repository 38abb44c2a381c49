"""Small-cell suppression of public rows (docs/rules.md R6.4).

A row whose cohort is at most ``suppression_max_cohort`` (10) students is
starred in CohortStudents and in every count and rate. The Not Reported race
row (RD) is also starred in an entity (level, codes, CharterSchool, DASS) where
any other race row is starred, so it cannot be recovered by subtraction.
Student-level outputs are never public and never suppressed.
"""

from __future__ import annotations

import polars as pl

from acgr.publish.aggregation import ENTITY
from acgr.rules.ruleset import RuleSet


def small_cell(cohort: pl.Expr, rules: RuleSet) -> pl.Expr:
    """True where a cohort is small enough to star (R6.4).

    Examples:
        >>> from acgr.rules.ruleset import load_rules
        >>> df = pl.DataFrame({"n": [10, 11, 1]})
        >>> df.select(small_cell(pl.col("n"), load_rules("2018")))["n"].to_list()
        [True, False, True]
    """
    return cohort <= rules.suppression_max_cohort


def with_suppression(rows: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """Add boolean ``suppressed`` to count rows keyed by :data:`ENTITY` and ``category``."""
    small = small_cell(pl.col("cohort"), rules)
    race_starred = (
        (small & pl.col("category").is_in(rules.race_categories))
        .any()
        .over(list(ENTITY), mapping_strategy="group_to_rows")
    )
    rd = pl.col("category") == rules.not_reported_category
    return rows.with_columns((small | (rd & race_starred)).alias("suppressed"))


__all__ = [
    "small_cell",
    "with_suppression",
]
