"""CDS codes: the 14-digit identity of a school (docs/rules.md R4.3).

A CDS code is the county (2 digits), the district (5) and the school (7). In
CALPADS records it is the Reporting LEA (7-digit county-district) followed by the
School of Attendance (7 digits). Plain string work on the code, kept here so
that every layer (rules, checks, publishing, tools) builds and splits it the
same way without depending on a rule module for it.
"""

from __future__ import annotations

import polars as pl


def cds_code(lea: pl.Expr, school: pl.Expr) -> pl.Expr:
    """The CDS code of a record: its 7-digit LEA and 7-digit school, joined (null if either is).

    Examples:
        >>> df = pl.DataFrame({"lea": ["1964733"], "school": ["1930000"]})
        >>> df.select(cds_code(pl.col("lea"), pl.col("school"))).item()
        '19647331930000'
    """
    return pl.concat_str([lea, school])


def cds_parts(cds: pl.Expr) -> list[pl.Expr]:
    """``county_code``, ``district_code`` and ``school_code`` of a 14-digit CDS code.

    Examples:
        >>> df = pl.DataFrame({"cds": ["19647331930000"]})
        >>> df.select(cds_parts(pl.col("cds"))).row(0)
        ('19', '64733', '1930000')
    """
    return [
        cds.str.slice(0, 2).alias("county_code"),
        cds.str.slice(2, 5).alias("district_code"),
        cds.str.slice(7, 7).alias("school_code"),
    ]


__all__ = ["cds_code", "cds_parts"]
