"""Reconcile a computed ``acgr.txt`` with a published CDE ACGR file, cell by cell.

Both files are read with the tolerant reader (:func:`acgr.acgr_file.read_cde_acgr`),
so zero-stripped codes, ``Y``/``N`` flags, ``0`` vs ``0.0`` and subsets with fewer
columns compare equal where the values are equal. Rows are matched on level,
codes, CharterSchool, DASS and reporting category (those present in both
files). A missing AggregateLevel is inferred from which codes are filled, and
codes made only of zeros count as empty, so ``0000000`` and an empty school code
on a district row match.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from acgr.acgr_file import read_cde_acgr

KEYS: tuple[str, ...] = (
    "AggregateLevel",
    "CountyCode",
    "DistrictCode",
    "SchoolCode",
    "CharterSchool",
    "DASS",
    "ReportingCategory",
)


@dataclass
class Reconciliation:
    """Cell differences and totals.

    Attributes:
        differences: one row per differing cell: keys, ``column``, ``ours``, ``theirs``.
        only_ours: keys of rows only in ours; ``only_theirs`` likewise.
        rows_compared: rows present in both.
        columns_compared: value columns present in both.
        ambiguous_keys: keys that occur more than once in either file (e.g. a
            subset without its DASS column); their rows are not compared.
    """

    differences: pl.DataFrame
    only_ours: pl.DataFrame
    only_theirs: pl.DataFrame
    rows_compared: int
    columns_compared: list[str]
    ambiguous_keys: int = 0

    def totals(self) -> pl.DataFrame:
        """Differing cells per column (every compared column listed, zeros included)."""
        counts = self.differences.group_by("column").len()
        return (
            pl.DataFrame({"column": self.columns_compared})
            .join(counts, on="column", how="left")
            .with_columns(pl.col("len").fill_null(0).alias("differing_cells"))
            .drop("len")
        )


def _normalised(df: pl.DataFrame) -> pl.DataFrame:
    def blank_zeros(col: str) -> pl.Expr:
        c = pl.col(col)
        return (
            pl.when(c.is_null() | c.str.contains(r"^0*$")).then(pl.lit("")).otherwise(c).alias(col)
        )

    out = df.with_columns(blank_zeros(c) for c in ("DistrictCode", "SchoolCode") if c in df.columns)
    if "AggregateLevel" not in out.columns:
        school = pl.col("SchoolCode") if "SchoolCode" in out.columns else pl.lit("")
        district = pl.col("DistrictCode") if "DistrictCode" in out.columns else pl.lit("")
        county = pl.col("CountyCode") if "CountyCode" in out.columns else pl.lit("00")
        out = out.with_columns(
            pl.when(school != "")
            .then(pl.lit("S"))
            .when(district != "")
            .then(pl.lit("D"))
            .when(county.fill_null("00") != "00")
            .then(pl.lit("C"))
            .otherwise(pl.lit("T"))
            .alias("AggregateLevel")
        )
    return out


def reconcile_frames(ours: pl.DataFrame, theirs: pl.DataFrame) -> Reconciliation:
    """Compare two typed ACGR tables (as :func:`read_cde_acgr` returns them)."""
    a, b = _normalised(ours), _normalised(theirs)
    keys = [k for k in KEYS if k in a.columns and k in b.columns]
    values = [
        c
        for c in a.columns
        if c in b.columns
        and c not in keys
        and c != "suppressed"
        and c != "AcademicYear"
        and c not in ("CountyName", "DistrictName", "SchoolName")
    ]
    dup_a = a.select(keys).filter(pl.struct(keys).is_duplicated())
    dup_b = b.select(keys).filter(pl.struct(keys).is_duplicated())
    ambiguous = pl.concat([dup_a, dup_b]).unique()
    a = a.join(ambiguous, on=keys, how="anti", nulls_equal=True)
    b = b.join(ambiguous, on=keys, how="anti", nulls_equal=True)
    joined = a.select(*keys, *values).join(
        b.select(*keys, *values),
        on=keys,
        how="full",
        coalesce=True,
        suffix="__theirs",
        nulls_equal=True,
    )
    in_a = a.select(keys).with_columns(pl.lit(True).alias("_a"))
    in_b = b.select(keys).with_columns(pl.lit(True).alias("_b"))
    marked = joined.join(in_a, on=keys, how="left", nulls_equal=True).join(
        in_b, on=keys, how="left", nulls_equal=True
    )
    both = marked.filter(pl.col("_a").fill_null(False) & pl.col("_b").fill_null(False))
    diffs = [
        both.filter(
            pl.col(v).cast(pl.String).fill_null("*")
            != pl.col(f"{v}__theirs").cast(pl.String).fill_null("*")
        ).select(
            *keys,
            pl.lit(v).alias("column"),
            pl.col(v).cast(pl.String).fill_null("*").alias("ours"),
            pl.col(f"{v}__theirs").cast(pl.String).fill_null("*").alias("theirs"),
        )
        for v in values
    ]
    differences = (
        pl.concat(diffs)
        if diffs
        else pl.DataFrame(
            schema={
                **dict.fromkeys(keys, pl.String),
                "column": pl.String,
                "ours": pl.String,
                "theirs": pl.String,
            }
        )
    )
    return Reconciliation(
        differences=differences,
        only_ours=marked.filter(pl.col("_b").is_null()).select(keys),
        only_theirs=marked.filter(pl.col("_a").is_null()).select(keys),
        rows_compared=both.height,
        columns_compared=values,
        ambiguous_keys=ambiguous.height,
    )


def reconcile(ours: str | Path, theirs: str | Path) -> Reconciliation:
    """Read both files tolerantly and compare them (see module docstring)."""
    return reconcile_frames(read_cde_acgr(ours), read_cde_acgr(theirs))
