"""Picking one record per student by an ordering, without sorting each student's records.

Several rules take "the first record of a student" in some order: the final
record (R3.3), the graduating record (R3.1), the demographic record (R5.1). A
per-student multi-column sort is slow over millions of records, so each
ordering becomes one 128-bit integer per record (:func:`order_key`) and a pick
is the row holding that key's minimum within the student (``min_by``), which
Polars computes in one streaming pass.

A key packs, most significant first: whether the record is wanted at all, the
ordering's own fields (dates, small ranks), then :data:`TIE_RANK`, a rank
unique to each record that orders records by the tie-break columns (school
code, file, line ...). The rank is computed over all records at once, but
only its order within one student matters, so a pick is the same however the
records are split by SSID.
"""

from __future__ import annotations

import polars as pl

#: Column :func:`with_tie_rank` adds: each record's 0-based place in the
#: tie-break order (unique per record, ``UInt32``).
TIE_RANK = "_tie_break"

_WORD = 1 << 32  # a rank or a shifted date fits in 32 bits
_DATE_BITS = 33  # a date, plus one value above all dates for null
_INT128 = pl.Int128()
#: Bits of a key left for the ordering's own fields: 127 (signed) less the
#: wanted bit and the 32-bit tie rank.
FIELD_BITS = 127 - 1 - 32


def _dense_rank(
    frame: pl.LazyFrame, source: pl.LazyFrame | pl.DataFrame, col: str
) -> tuple[pl.LazyFrame, pl.Expr, list[str]]:
    """``frame``, ``col``'s dense rank (0-based, nulls last) and the columns it added.

    Text is ranked through its sorted distinct values in ``source``: ranking
    the text column itself sorts every record's value. When ``source`` is in
    memory the values are looked up (``replace_strict``, several times faster);
    otherwise a small table of them is joined back, within the same query.
    """
    dtype = source.collect_schema()[col]
    if dtype.is_numeric() or dtype.is_temporal():
        return frame, (pl.col(col).rank("dense") - 1).fill_null(_WORD - 1), []
    distinct = pl.col(col).cast(pl.String).unique().drop_nulls().sort()
    if isinstance(source, pl.DataFrame):
        values = source.select(distinct).to_series()
        ranks = pl.Series(range(values.len()), dtype=pl.Int64)
        rank = pl.col(col).cast(pl.String).replace_strict(values, ranks, default=None)
        return frame, rank.fill_null(_WORD - 1), []
    rank_col, value = f"_{col}_rank", f"_{col}_value"
    table = source.select(distinct.alias(value)).with_row_index(rank_col)
    joined = frame.join(table, left_on=pl.col(col).cast(pl.String), right_on=value, how="left")
    added = [c for c in (rank_col, value) if c in joined.collect_schema()]
    return joined, pl.col(rank_col).fill_null(_WORD - 1), added


def with_tie_rank(
    frame: pl.LazyFrame | pl.DataFrame, columns: list[str], *, descending: bool = False
) -> pl.LazyFrame:
    """``frame`` with :data:`TIE_RANK`: records ordered by ``columns`` (nulls last).

    Records that tie on every column (one file line read twice) are
    interchangeable: which comes first is unspecified. ``descending`` reverses
    the order of every column (nulls still last). At most four columns: their
    ranks share one 128-bit key. A ``frame`` in memory ranks its text faster
    (see :func:`_dense_rank`).
    """
    if len(columns) > 4:
        raise ValueError(f"at most four tie-break columns, got {len(columns)}")
    key = pl.lit(0, pl.UInt128())
    added: list[str] = []
    out = frame.lazy()
    for col in columns:
        out, rank, extra = _dense_rank(out, frame, col)
        if descending:
            rank = pl.when(pl.col(col).is_null()).then(rank).otherwise(_WORD - 2 - rank)
        key = key * pl.lit(_WORD, pl.UInt128()) + rank.cast(pl.UInt128())
        added += extra
    rank_of_row = (key.rank("ordinal") - 1).cast(pl.UInt32)
    return out.with_columns(rank_of_row.alias(TIE_RANK)).drop(added)


def date_key(col: str, *, descending: bool) -> tuple[pl.Expr, int]:
    """A date column as an ordering field (nulls last), for :func:`order_key`."""
    days = pl.col(col).cast(pl.Int32).cast(_INT128) + (1 << 31)  # 0 .. 2**32 - 1
    if descending:
        days = pl.lit(_WORD - 1, _INT128) - days
    return days.fill_null(_WORD), _DATE_BITS


def rank_key(expr: pl.Expr) -> tuple[pl.Expr, int]:
    """A small non-negative integer (below 2**32) as an ascending ordering field."""
    return expr.cast(_INT128), 32


def order_key(wanted: pl.Expr, fields: list[tuple[pl.Expr, int]]) -> pl.Expr:
    """One integer ordering records: wanted first, then ``fields``, then :data:`TIE_RANK`.

    ``fields`` come from :func:`date_key` and :func:`rank_key`; they share
    :data:`FIELD_BITS` bits (two dates, or a date and a rank). A null ``wanted``
    counts as not wanted.
    """
    bits = sum(b for _, b in fields)
    if bits > FIELD_BITS:
        raise ValueError(f"ordering fields need {bits} bits; a key has room for {FIELD_BITS}")
    key = (~wanted.fill_null(False)).cast(_INT128)
    for expr, bits in fields:
        key = key * pl.lit(1 << bits, _INT128) + expr
    return key * pl.lit(_WORD, _INT128) + pl.col(TIE_RANK).cast(_INT128)


def same_fields_key(key: pl.Expr) -> pl.Expr:
    """An :func:`order_key` without its tie rank: equal for records that tie."""
    return key // _WORD


def first_by(value: pl.Expr, key: pl.Expr, wanted: pl.Expr) -> pl.Expr:
    """In a ``group_by`` context: ``value`` of the row with the least ``key``.

    Null when no row of the group is ``wanted``. Meant for a plain column such
    as a row number, which Polars' ``min_by`` streams; a struct of many fields
    is far cheaper gathered afterwards by that row number.
    """
    return pl.when(wanted.fill_null(False).any()).then(value.min_by(key))


__all__ = [
    "FIELD_BITS",
    "TIE_RANK",
    "date_key",
    "first_by",
    "order_key",
    "rank_key",
    "same_fields_key",
    "with_tie_rank",
]
