"""Text cells to typed values, each spelled once: dates and yes/no flags (docs/formats.md).

Every reader that takes a date or a flag from text a person or another program
wrote goes through here, so one file's ``2018-06-08`` or ``yes`` means what
another's does.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

#: Flag text read as yes and as no (compared stripped and upper-cased).
YES_WORDS: tuple[str, ...] = ("Y", "YES", "TRUE", "1")
NO_WORDS: tuple[str, ...] = ("N", "NO", "FALSE", "0")


def date_from_text(text: pl.Expr) -> pl.Expr:
    """A date from ``CCYYMMDD`` or ``YYYY-MM-DD`` text; null when it is neither.

    Text with a ``-`` is read as ``YYYY-MM-DD`` only, so a stray sign never makes
    a ``CCYYMMDD`` date of a year before the common era. The caller strips the text.

    Examples:
        >>> df = pl.DataFrame({"t": ["20180608", "2018-06-08", "2018-02-30", "-20180608", ""]})
        >>> df.select(date_from_text(pl.col("t"))).to_series().to_list()
        [datetime.date(2018, 6, 8), datetime.date(2018, 6, 8), None, None, None]
    """
    return (
        pl.when(text.str.contains("-", literal=True))
        .then(text.str.to_date("%Y-%m-%d", strict=False))
        .otherwise(text.str.to_date("%Y%m%d", strict=False))
    )


def flag_from_text(
    text: pl.Expr, *, yes: Sequence[str] = YES_WORDS, no: Sequence[str] = NO_WORDS
) -> pl.Expr:
    """A flag cell as Boolean: True for a ``yes`` word, False for a ``no`` word, else null.

    Cells are compared stripped and upper-cased, so ``" y "`` and ``Yes`` are yes.

    Examples:
        >>> df = pl.DataFrame({"f": ["Y", " yes", "True", "1", "n", "0", "", None, "maybe"]})
        >>> df.select(flag_from_text(pl.col("f"))).to_series().to_list()
        [True, True, True, True, False, False, None, None, None]
    """
    cell = text.cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.when(cell.is_in(list(yes))).then(True).when(cell.is_in(list(no))).then(False)


__all__ = ["NO_WORDS", "YES_WORDS", "date_from_text", "flag_from_text"]
