"""Counting cohort outcomes per school, LEA, county and state (docs/rules.md R4.2, R6.1, R6.2).

Counts are exact integers; rates are derived from them only when the file is
written (:mod:`acgr.publish.acgr_file`). Removed students are in no count (R4.2). School
rows are counted from students; LEA, county and state rows are sums of school
rows, so a student who moved counts once, at the last school (R4.2), and school
sums equal LEA sums by construction.

Aggregate rows come in five CharterSchool/DASS variants (All/All, Yes/All,
No/All, All/Yes, All/No), each only where it has students; a school row carries
the school's own flags (R6.5).
"""

from __future__ import annotations

import polars as pl

from acgr.rules.ruleset import Outcome

#: Count columns, in the order of the CDE file (the layout picks which are written).
COUNT_COLUMNS: tuple[str, ...] = (
    "cohort",
    "graduates",
    "uc_csu",
    "seal",
    "gssmd",
    "exemption",
    "chspe",
    "adult_ed",
    "sped",
    "ged",
    "other_transfer",
    "dropout",
    "still_enrolled",
)

#: Count column -> the outcome it counts (indicators are counted among graduates).
_OUTCOME_COUNTS: dict[str, Outcome] = {
    "graduates": Outcome.GRADUATE,
    "chspe": Outcome.CHSPE_COMPLETER,
    "adult_ed": Outcome.ADULT_ED_DIPLOMA,
    "sped": Outcome.SPED_CERTIFICATE,
    "ged": Outcome.GED_COMPLETER,
    "other_transfer": Outcome.OTHER_TRANSFER,
    "dropout": Outcome.DROPOUT,
    "still_enrolled": Outcome.STILL_ENROLLED,
}

#: Graduate indicator count -> students.parquet boolean column (R6.2).
INDICATORS: dict[str, str] = {
    "uc_csu": "met_uc_csu",
    "seal": "seal_of_biliteracy",
    "gssmd": "golden_state_seal",
    "exemption": "local_requirements_exemption",
}

#: (CharterSchool, DASS) variants of aggregate rows, in file order (R6.5).
VARIANTS: tuple[tuple[str, str], ...] = (
    ("All", "All"),
    ("Yes", "All"),
    ("No", "All"),
    ("All", "Yes"),
    ("All", "No"),
)

LEVEL_ORDER: dict[str, int] = {"T": 0, "C": 1, "D": 2, "S": 3}

#: One reporting entity: a level and its codes, split by charter school and DASS.
ENTITY: tuple[str, ...] = (
    "level",
    "county_code",
    "district_code",
    "school_code",
    "charter",
    "dass",
)
#: Key of a count row: the entity and the reporting category.
KEY_COLUMNS: tuple[str, ...] = (*ENTITY, "category")


def _counts() -> list[pl.Expr]:
    out = [pl.len().cast(pl.Int64).alias("cohort")]
    grad = pl.col("outcome") == str(Outcome.GRADUATE)
    for col, outcome in _OUTCOME_COUNTS.items():
        out.append((pl.col("outcome") == str(outcome)).sum().cast(pl.Int64).alias(col))
        if col == "graduates":
            out.extend(
                (grad & pl.col(flag)).sum().cast(pl.Int64).alias(ind)
                for ind, flag in INDICATORS.items()
            )
    return out


def school_counts(students: pl.LazyFrame) -> pl.LazyFrame:
    """Count rows of level S, one per school and reporting category.

    ``students`` holds one row per student with ``outcome``, ``county_code``,
    ``district_code``, ``school_code``, ``charter``, ``dass``, the indicator
    booleans and ``categories`` (a list of reporting categories, ``TA`` first).
    """
    keys = ["county_code", "district_code", "school_code", "charter", "dass", "category"]
    return (
        students.filter(pl.col("outcome") != str(Outcome.REMOVED))
        .explode("categories")
        .rename({"categories": "category"})
        .group_by(keys)
        .agg(_counts())
        .with_columns(pl.lit("S").alias("level"))
        .select(*KEY_COLUMNS, *COUNT_COLUMNS)
    )


def of_variant(rows: pl.LazyFrame, charter: str, dass: str) -> pl.LazyFrame:
    """The rows of the schools a CharterSchool/DASS variant covers (``All`` keeps all)."""
    if charter != "All":
        rows = rows.filter(pl.col("charter") == charter)
    if dass != "All":
        rows = rows.filter(pl.col("dass") == dass)
    return rows


def _roll_up(schools: pl.LazyFrame, level: str, keys: list[str]) -> pl.LazyFrame:
    parts = []
    for charter, dass in VARIANTS:
        rows = of_variant(schools, charter, dass)
        parts.append(
            rows.group_by([*keys, "category"])
            .agg(pl.col(c).sum() for c in COUNT_COLUMNS)
            .with_columns(pl.lit(charter).alias("charter"), pl.lit(dass).alias("dass"))
        )
    blank = [
        pl.lit(None, pl.String).alias(c)
        for c in ("county_code", "district_code", "school_code")
        if c not in keys
    ]
    return (
        pl.concat(parts, how="vertical")
        .with_columns(*blank, pl.lit(level).alias("level"))
        .select(*KEY_COLUMNS, *COUNT_COLUMNS)
    )


def all_levels(schools: pl.LazyFrame) -> pl.LazyFrame:
    """School rows plus LEA (D), county (C) and state (T) rows summed from them."""
    return pl.concat(
        [
            _roll_up(schools, "T", []),
            _roll_up(schools, "C", ["county_code"]),
            _roll_up(schools, "D", ["county_code", "district_code"]),
            schools,
        ],
        how="vertical",
    )


__all__ = [
    "COUNT_COLUMNS",
    "ENTITY",
    "INDICATORS",
    "KEY_COLUMNS",
    "LEVEL_ORDER",
    "VARIANTS",
    "all_levels",
    "of_variant",
    "school_counts",
]
