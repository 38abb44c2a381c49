"""The optional schools directory: names, charter and DASS flags, CDS overrides (R4.3).

Two forms are read (docs/formats.md, side tables):

* the project's CSV: ``cds_code, county_name, district_name, school_name,
  charter, dass`` (flags ``Y``/``N`` or ``Yes``/``No``);
* the CDE public schools directory (tab-delimited, columns ``CDSCode``,
  ``County``, ``District``, ``School``, ``Charter``); it has no DASS column, so
  DASS is assumed ``No`` there, and said so.

The result has one row per 14-digit CDS code with flags spelled ``Yes``/``No``;
a flag column the file lacks stays null, so a run can say that it assumed ``No``
(attribution fills it, :func:`acgr.rules.attribution.attribute`).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from acgr.errors import SchoolsFileError
from acgr.read.values import flag_from_text

DIRECTORY_SCHEMA: dict[str, pl.DataType] = {
    "cds_code": pl.String(),
    "county_name": pl.String(),
    "district_name": pl.String(),
    "school_name": pl.String(),
    "charter": pl.String(),
    "dass": pl.String(),
}

_ALIASES: dict[str, tuple[str, ...]] = {
    "cds_code": ("cds_code", "cdscode", "cds"),
    "county_name": ("county_name", "county", "countyname"),
    "district_name": ("district_name", "district", "districtname"),
    "school_name": ("school_name", "school", "schoolname"),
    "charter": ("charter", "charter_school", "charterschool"),
    "dass": ("dass",),
}


def empty_directory() -> pl.DataFrame:
    """A directory with no schools: names empty, flags ``No`` (issue #2)."""
    return pl.DataFrame(schema=DIRECTORY_SCHEMA)


def _flag(col: pl.Expr) -> pl.Expr:
    """``Yes``/``No`` from a flag column; null when the file has no such column."""
    if col.meta.is_literal():
        return pl.lit(None, pl.String)
    return pl.when(flag_from_text(col)).then(pl.lit("Yes")).otherwise(pl.lit("No"))


def flags_given(directory: pl.DataFrame) -> dict[str, bool]:
    """Whether ``directory`` states each school's ``charter`` and ``dass`` flag.

    A flag column that is entirely null was missing from the schools file.
    """
    return {
        flag: directory.height > 0 and directory[flag].null_count() < directory.height
        for flag in ("charter", "dass")
    }


def _read_raw(p: Path) -> tuple[pl.DataFrame, dict[str, str]]:
    """The schools file as text columns, and its column names by normalised name."""
    try:
        head = p.read_bytes()[:4096].decode("utf-8", errors="replace").lstrip("\ufeff")
    except OSError as exc:
        raise SchoolsFileError(f"{p}: cannot be read ({exc.strerror})") from None
    first = head.splitlines()[0] if head.strip() else ""
    sep = "\t" if first.count("\t") > first.count(",") else ","
    try:
        raw = pl.read_csv(
            p, separator=sep, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True
        )
    except pl.exceptions.PolarsError as exc:
        raise SchoolsFileError(
            f"{p}: line 1: not a readable schools file ({type(exc).__name__})"
        ) from None
    return raw, {c.strip().lower().replace(" ", "_"): c for c in raw.columns}


def _picked(by_norm: dict[str, str], aliases: dict[str, tuple[str, ...]]) -> dict[str, pl.Expr]:
    picked: dict[str, pl.Expr] = {}
    for col, names in aliases.items():
        src = next((by_norm[n] for n in names if n in by_norm), None)
        picked[col] = pl.col(src) if src is not None else pl.lit(None, pl.String)
    return picked


def _cds(p: Path, picked: dict[str, pl.Expr]) -> pl.Expr:
    if picked["cds_code"].meta.is_literal():
        raise SchoolsFileError(f"{p}: line 1: schools file has no cds_code / CDSCode column")
    return picked["cds_code"].cast(pl.String).str.strip_chars().str.zfill(14).alias("cds_code")


def _one_per_school(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("cds_code").str.contains(r"^\d{14}$")).unique(
        "cds_code", keep="first", maintain_order=True
    )


def read_directory(path: str | Path) -> pl.DataFrame:
    """Read a schools file in either supported form (see module docstring).

    Raises:
        acgr.errors.SchoolsFileError: the file cannot be read, is not delimited
            text, or has no ``cds_code`` / ``CDSCode`` column (the message names
            the file and line).
    """
    p = Path(path)
    raw, by_norm = _read_raw(p)
    picked = _picked(by_norm, _ALIASES)
    out = raw.select(
        _cds(p, picked),
        *(
            picked[c].cast(pl.String).str.strip_chars().fill_null("").alias(c)
            for c in ("county_name", "district_name", "school_name")
        ),
        _flag(picked["charter"]).alias("charter"),
        _flag(picked["dass"]).alias("dass"),
    )
    return _one_per_school(out)


#: Optional descriptive columns of a schools file (R10.4, R10.5) -> accepted names
#: (the project's CSV, the CDE public schools directory).
DETAIL_ALIASES: dict[str, tuple[str, ...]] = {
    "district_type": ("district_type", "doctype"),
    "school_type": ("school_type", "soctype"),
    "educational_option_type": ("educational_option_type", "edopsname"),
    "charter_number": ("charter_number", "charternum"),
    "charter_funding_type": ("charter_funding_type", "fundingtype"),
    "low_grade": ("low_grade", "lowgrade"),
    "high_grade": ("high_grade", "highgrade"),
}


def read_school_details(path: str | Path) -> pl.DataFrame:
    """``cds_code`` and the :data:`DETAIL_ALIASES` columns of a schools file (empty
    text where the file lacks one): the school type columns R10.4 and R10.5 read.

    Raises:
        acgr.errors.SchoolsFileError: as :func:`read_directory`.
    """
    p = Path(path)
    raw, by_norm = _read_raw(p)
    picked = _picked(by_norm, {"cds_code": _ALIASES["cds_code"], **DETAIL_ALIASES})
    out = raw.select(
        _cds(p, picked),
        *(
            picked[c].cast(pl.String).str.strip_chars().fill_null("").alias(c)
            for c in DETAIL_ALIASES
        ),
    )
    return _one_per_school(out)


__all__ = [
    "DETAIL_ALIASES",
    "DIRECTORY_SCHEMA",
    "empty_directory",
    "flags_given",
    "read_directory",
    "read_school_details",
]
