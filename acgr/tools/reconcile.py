"""Reconcile a computed ``acgr.txt`` with a published CDE ACGR file, cell by cell.

Both files are read with the tolerant reader (:func:`acgr.publish.acgr_file.read_cde_acgr`),
so zero-stripped codes, ``Y``/``N`` flags, ``0`` vs ``0.0`` and subsets with fewer
columns compare equal where the values are equal (R6.5). Rows are matched on level,
codes, CharterSchool, DASS and reporting category: those of :data:`KEYS` present in
both files, so a subset without DASS is matched without it. A missing AggregateLevel
is inferred from which codes are filled, and codes made only of zeros count as empty,
so ``0000000`` and an empty school code on a district row match.

Rows identical in every key and every compared column are collapsed first (the
published ``cohort1718_Final`` subset repeats the DASS All/No variants of an entity
once DASS is dropped). Every key then falls in one kind:

* compared: one row in each file; each differing cell is listed as ``differs``;
* ``only_ours`` / ``only_theirs``: one row, in one file only;
* ``ambiguous``: more than one distinct row in either file (e.g. DASS variants
  with different counts in a subset without DASS); not compared, but listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from acgr.publish.acgr_file import read_cde_acgr

KEYS: tuple[str, ...] = (
    "AggregateLevel",
    "CountyCode",
    "DistrictCode",
    "SchoolCode",
    "CharterSchool",
    "DASS",
    "ReportingCategory",
)

#: Values of the ``kind`` column of :meth:`Reconciliation.listing`, in listing order.
KINDS: tuple[str, ...] = ("differs", "only_ours", "only_theirs", "ambiguous")

#: Columns never compared: derived (``suppressed``), the class label (two years are
#: compared on purpose when checking a method), and names (spellings change).
_NOT_COMPARED = ("suppressed", "AcademicYear", "CountyName", "DistrictName", "SchoolName")


@dataclass
class Reconciliation:
    """Cell differences, unmatched and ambiguous keys, and totals.

    Attributes:
        differences: one row per differing cell: keys, ``column``, ``ours``, ``theirs``.
        only_ours: keys of rows only in ours; ``only_theirs`` likewise.
        rows_compared: keys with exactly one row in each file, all compared.
        columns_compared: value columns present in both.
        ambiguous: keys with more than one distinct row in either file, with
            ``rows_ours`` and ``rows_theirs`` (distinct rows of the key in each
            file, 0 when absent); their rows are not compared.
        keys: the key columns matched on (those of :data:`KEYS` in both files).
        duplicates_collapsed: rows of ours and of theirs dropped as exact
            duplicates of another row (same keys and compared values).
    """

    differences: pl.DataFrame
    only_ours: pl.DataFrame
    only_theirs: pl.DataFrame
    rows_compared: int
    columns_compared: list[str]
    ambiguous: pl.DataFrame
    keys: list[str]
    duplicates_collapsed: tuple[int, int] = (0, 0)

    @property
    def ambiguous_keys(self) -> int:
        """Number of ambiguous keys."""
        return self.ambiguous.height

    @property
    def agrees(self) -> bool:
        """True when every row of both files was compared and no cell differs."""
        return all(n == 0 for n in self.counts().values())

    def counts(self) -> dict[str, int]:
        """Rows of :meth:`listing` per kind: differing cells, then keys."""
        return {
            "differs": self.differences.height,
            "only_ours": self.only_ours.height,
            "only_theirs": self.only_theirs.height,
            "ambiguous": self.ambiguous.height,
        }

    def totals(self) -> pl.DataFrame:
        """Differing cells per column (every compared column listed, zeros included)."""
        counts = self.differences.group_by("column").len()
        return (
            pl.DataFrame({"column": pl.Series(self.columns_compared, dtype=pl.String)})
            .join(counts, on="column", how="left")
            .with_columns(pl.col("len").fill_null(0).alias("differing_cells"))
            .drop("len")
        )

    def listing(self) -> pl.DataFrame:
        """Everything not shown to agree, one table: what ``acgr reconcile --out`` writes.

        Columns: ``kind`` (:data:`KINDS`), the keys as matched (district and
        school codes of only zeros empty, AggregateLevel inferred where a file
        lacks it), ``column``, ``ours``, ``theirs`` (set for ``differs`` only),
        ``rows_ours`` and ``rows_theirs`` (distinct rows of the key in each file).
        Ordered by kind, then by position in ours (in theirs for ``only_theirs``).
        """
        count_type = pl.Int64

        def part(frame: pl.DataFrame, kind: str, rows_ours: int, rows_theirs: int) -> pl.DataFrame:
            return frame.select(
                pl.lit(kind).alias("kind"),
                *self.keys,
                *(
                    pl.col(c) if c in frame.columns else pl.lit(None, pl.String).alias(c)
                    for c in ("column", "ours", "theirs")
                ),
                pl.lit(rows_ours, count_type).alias("rows_ours"),
                pl.lit(rows_theirs, count_type).alias("rows_theirs"),
            )

        ambiguous = self.ambiguous.select(
            pl.lit("ambiguous").alias("kind"),
            *self.keys,
            *(pl.lit(None, pl.String).alias(c) for c in ("column", "ours", "theirs")),
            pl.col("rows_ours").cast(count_type),
            pl.col("rows_theirs").cast(count_type),
        )
        return pl.concat(
            [
                part(self.differences, "differs", 1, 1),
                part(self.only_ours, "only_ours", 1, 0),
                part(self.only_theirs, "only_theirs", 0, 1),
                ambiguous,
            ],
            how="vertical_relaxed",
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


def _distinct(df: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, int]:
    """``df`` restricted to ``columns``, exact duplicates dropped, file order kept and numbered.

    Returns the rows (with ``_row``, the position among the distinct rows) and the
    number of rows dropped.
    """
    distinct = df.select(columns).unique(maintain_order=True).with_row_index("_row")
    return distinct, df.height - distinct.height


def _cell(col: str) -> pl.Expr:
    # A suppressed cell is null after reading; "*" is how the public file shows it.
    return pl.col(col).cast(pl.String).fill_null("*")


def reconcile_frames(ours: pl.DataFrame, theirs: pl.DataFrame) -> Reconciliation:
    """Compare two typed ACGR tables (as :func:`read_cde_acgr` returns them); R6.5 layout.

    See the module docstring for how rows are matched and what each kind means.
    """
    a, b = _normalised(ours), _normalised(theirs)
    keys = [k for k in KEYS if k in a.columns and k in b.columns]
    values = [c for c in a.columns if c in b.columns and c not in keys and c not in _NOT_COMPARED]
    a, dropped_a = _distinct(a, [*keys, *values])
    b, dropped_b = _distinct(b, [*keys, *values])

    per_key = _rows_per_key(a, b, keys)
    n_a, n_b = pl.col("rows_ours"), pl.col("rows_theirs")
    ambiguous = (
        per_key.filter((n_a > 1) | (n_b > 1))
        .sort("_first_ours", "_first_theirs", nulls_last=True)
        .select(*keys, "rows_ours", "rows_theirs")
    )
    matched = per_key.filter((n_a == 1) & (n_b == 1)).select(keys)
    only_ours = (
        a.join(per_key.filter((n_a == 1) & (n_b == 0)), on=keys, how="semi", nulls_equal=True)
        .sort("_row")
        .select(keys)
    )
    only_theirs = (
        b.join(per_key.filter((n_a == 0) & (n_b == 1)), on=keys, how="semi", nulls_equal=True)
        .sort("_row")
        .select(keys)
    )
    both = (
        a.join(matched, on=keys, how="semi", nulls_equal=True)
        .join(b.drop("_row"), on=keys, how="inner", suffix="__theirs", nulls_equal=True)
        .sort("_row")
    )
    return Reconciliation(
        differences=_differences(both, keys, values),
        only_ours=only_ours,
        only_theirs=only_theirs,
        rows_compared=both.height,
        columns_compared=values,
        ambiguous=ambiguous,
        keys=keys,
        duplicates_collapsed=(dropped_a, dropped_b),
    )


def _rows_per_key(a: pl.DataFrame, b: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Per key: rows in each table (0 when absent) and the first row of each."""
    return (
        a.group_by(keys)
        .agg(pl.len().alias("rows_ours"), pl.col("_row").min().alias("_first_ours"))
        .join(
            b.group_by(keys).agg(
                pl.len().alias("rows_theirs"), pl.col("_row").min().alias("_first_theirs")
            ),
            on=keys,
            how="full",
            coalesce=True,
            nulls_equal=True,
        )
        .with_columns(pl.col("rows_ours", "rows_theirs").fill_null(0))
    )


def _differences(both: pl.DataFrame, keys: list[str], values: list[str]) -> pl.DataFrame:
    """One row per cell that differs in the matched rows (``v`` ours, ``v__theirs`` theirs),
    in our row order, then column order."""
    diffs = [
        both.filter(_cell(v) != _cell(f"{v}__theirs")).select(
            "_row",
            *keys,
            pl.lit(v).alias("column"),
            pl.lit(i, pl.Int32).alias("_col"),
            _cell(v).alias("ours"),
            _cell(f"{v}__theirs").alias("theirs"),
        )
        for i, v in enumerate(values)
    ]
    if not diffs:
        return pl.DataFrame(
            schema={
                **dict.fromkeys(keys, pl.String),
                "column": pl.String,
                "ours": pl.String,
                "theirs": pl.String,
            }
        )
    return pl.concat(diffs).sort("_row", "_col").drop("_row", "_col")


def reconcile(ours: str | Path, theirs: str | Path) -> Reconciliation:
    """Read both files tolerantly and compare them (see module docstring).

    Raises:
        acgr.read.extracts.ExtractError: either file is not an ACGR file (R6.5 layout).
    """
    return reconcile_frames(read_cde_acgr(ours), read_cde_acgr(theirs))


__all__ = [
    "KEYS",
    "KINDS",
    "Reconciliation",
    "reconcile",
    "reconcile_frames",
]
