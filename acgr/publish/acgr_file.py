"""The CDE downloadable ACGR file layout, ``acgr.txt`` (docs/formats.md, docs/rules.md R6).

Classes up to 2023 use 34 columns (CHSPE Completer); from 2024, 36 columns
(Graduates Meeting Local Requirements Exemption and CPP Completer). CDE's real
header spells the Golden State rate column without its closing parenthesis, and
so do we. Outcome rates are over CohortStudents; graduate-indicator rates are
over Regular HS Diploma Graduates and ``0.0`` when there are none (R6.2). Every
rate is rounded half up on the exact ratio and printed with one decimal (R6.3,
R6.5). Suppressed rows print ``*`` in every count and rate (R6.4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from acgr.publish.aggregation import LEVEL_ORDER, VARIANTS
from acgr.publish.rates import rate_tenths, tenths_text
from acgr.read.cds import cds_parts
from acgr.read.extracts import ExtractError
from acgr.read.values import flag_from_text
from acgr.rules.cohort import CohortPeriods
from acgr.rules.ruleset import RuleSet

#: Reporting categories in file order (R6.5).
CATEGORY_ORDER: tuple[str, ...] = (
    "TA",
    "RB",
    "RI",
    "RA",
    "RF",
    "RH",
    "RD",
    "RP",
    "RT",
    "RW",
    "GM",
    "GF",
    "GX",
    "GZ",
    "SE",
    "SD",
    "SS",
    "SM",
    "SF",
    "SH",
)

#: Reporting category -> name, as CDE's DataQuest files name them (docs/formats.md, R5.7).
CATEGORY_LABELS: dict[str, str] = {
    "TA": "All students",
    "RB": "African American",
    "RI": "American Indian or Alaska Native",
    "RA": "Asian",
    "RF": "Filipino",
    "RH": "Hispanic or Latino",
    "RD": "Not Reported",
    "RP": "Pacific Islander",
    "RT": "Two or More Races",
    "RW": "White",
    "GM": "Male",
    "GF": "Female",
    "GX": "Non-Binary Gender",
    "GZ": "Missing Gender",
    "SE": "English Learners",
    "SD": "Students with Disabilities",
    "SS": "Socioeconomically Disadvantaged",
    "SM": "Migrant",
    "SF": "Foster",
    "SH": "Homeless",
}

KEY_HEADER: tuple[str, ...] = (
    "AcademicYear",
    "AggregateLevel",
    "CountyCode",
    "DistrictCode",
    "SchoolCode",
    "CountyName",
    "DistrictName",
    "SchoolName",
    "CharterSchool",
    "DASS",
    "ReportingCategory",
    "CohortStudents",
)


@dataclass(frozen=True)
class Measure:
    """One (Count)/(Rate) pair of the file: label, count column, rate denominator."""

    label: str
    count: str
    denominator: str  # "cohort" or "graduates"
    #: What closes the rate header: CDE's real header lacks it on one column.
    rate_close: str = ")"

    @property
    def count_header(self) -> str:
        """The header of the count column, e.g. ``Dropout (Count)``."""
        return f"{self.label} (Count)"

    @property
    def rate_header(self) -> str:
        """The header of the rate column, e.g. ``Dropout (Rate)`` (see ``rate_close``)."""
        return f"{self.label} (Rate{self.rate_close}"


#: The graduates' measure: its headers name the count and rate other tools read.
GRADUATES = Measure("Regular HS Diploma Graduates", "graduates", "cohort")
_GSSMD = Measure("Golden State Seal Merit Diploma", "gssmd", "graduates", rate_close="")
_INDICATORS = (
    Measure("Met UC/CSU Grad Req's", "uc_csu", "graduates"),
    Measure("Seal of Biliteracy", "seal", "graduates"),
    _GSSMD,
)
_TAIL = (
    Measure("Adult Ed. HS Diploma", "adult_ed", "cohort"),
    Measure("SPED Certificate", "sped", "cohort"),
    Measure("GED Completer", "ged", "cohort"),
    Measure("Other Transfer", "other_transfer", "cohort"),
    Measure("Dropout", "dropout", "cohort"),
    Measure("Still Enrolled", "still_enrolled", "cohort"),
)
MEASURES_34: tuple[Measure, ...] = (
    GRADUATES,
    *_INDICATORS,
    Measure("CHSPE Completer", "chspe", "cohort"),
    *_TAIL,
)
MEASURES_36: tuple[Measure, ...] = (
    GRADUATES,
    *_INDICATORS,
    Measure("Graduates Meeting Local Requirements Exemption", "exemption", "graduates"),
    Measure("CPP Completer", "chspe", "cohort"),
    *_TAIL,
)


def measures_for(class_of: int, rules: RuleSet) -> tuple[Measure, ...]:
    """The measure columns of the file for ``class_of`` (34 or 36 columns in all)."""
    return MEASURES_36 if class_of >= rules.wide_layout_from_class else MEASURES_34


def _names(directory: pl.DataFrame) -> tuple[pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    d = directory.lazy().with_columns(cds_parts(pl.col("cds_code")))
    nonempty = pl.col("county_name").filter(pl.col("county_name") != "").first()
    county = d.group_by("county_code").agg(nonempty.alias("county_name"))
    district = d.group_by("county_code", "district_code").agg(
        pl.col("district_name").filter(pl.col("district_name") != "").first()
    )
    school = d.select("county_code", "district_code", "school_code", "school_name")
    return county, district, school


def rates_table(
    rows: pl.LazyFrame, directory: pl.DataFrame, periods: CohortPeriods, rules: RuleSet
) -> pl.LazyFrame:
    """Typed CDE table: header names as columns, counts Int64, rates Decimal(4, 1).

    ``rows`` are count rows with ``suppressed`` (:mod:`acgr.publish.suppression`). The
    result is unsuppressed (it keeps ``suppressed`` as a column) and sorted in
    file order (R6.5). Codes that do not apply to a row are null ("empty") or
    zeros, per ``rules.aggregate_row_codes``.
    """
    return _file_columns(rows_in_file_order(rows, directory, rules), periods, rules)


def rows_in_file_order(rows: pl.LazyFrame, directory: pl.DataFrame, rules: RuleSet) -> pl.LazyFrame:
    """Count rows named from ``directory``, their codes as each level shows them, in file
    order (R6.5); every public file of count rows (``acgr.txt``, ``fiveyear.txt``) uses it."""
    return _in_file_order(_with_names_and_codes(rows, directory, rules))


def key_columns(academic_year: str) -> list[pl.Expr]:
    """The :data:`KEY_HEADER` columns of a row from :func:`rows_in_file_order` (R6.5).

    ``academic_year`` is the ``AcademicYear`` label the file carries.
    """
    values = [
        pl.lit(academic_year),
        pl.col("level"),
        *map(pl.col, ("county_code", "district_code", "school_code", "county_name")),
        *map(pl.col, ("district_name", "school_name", "charter", "dass", "category", "cohort")),
    ]
    return [value.alias(name) for value, name in zip(values, KEY_HEADER, strict=True)]


def rate_column(numerator: str, denominator: str, header: str) -> pl.Expr:
    """A rate column of a public file: half up on the exact ratio (R6.3), ``0.0`` over none."""
    tenths = rate_tenths(pl.col(numerator), pl.col(denominator)).fill_null(0)
    return tenths_text(tenths).cast(pl.Decimal(4, 1)).alias(header)


def _with_names_and_codes(
    rows: pl.LazyFrame, directory: pl.DataFrame, rules: RuleSet
) -> pl.LazyFrame:
    """Names from the directory and codes as each level shows them (R6.5): ``State`` and
    county 00 on the state row; codes that do not apply null or zeros; ``_lvl`` the
    level's rank."""
    county, district, school = _names(directory)
    level = pl.col("level")
    zeros = rules.aggregate_row_codes == "zeros"
    return (
        rows.join(county, on="county_code", how="left")
        .join(district, on=["county_code", "district_code"], how="left")
        .join(school, on=["county_code", "district_code", "school_code"], how="left")
        .with_columns(
            pl.when(level == "T")
            .then(pl.lit("State"))
            .otherwise(pl.col("county_name"))
            .fill_null("")
            .alias("county_name"),
            pl.when(level.is_in(["D", "S"]))
            .then(pl.col("district_name"))
            .otherwise(pl.lit(""))
            .fill_null("")
            .alias("district_name"),
            pl.when(level == "S")
            .then(pl.col("school_name"))
            .otherwise(pl.lit(""))
            .fill_null("")
            .alias("school_name"),
            pl.when(level == "T")
            .then(pl.lit("00"))
            .otherwise(pl.col("county_code"))
            .alias("county_code"),
            pl.when(level == "C")
            .then(pl.lit("00000" if zeros else None, pl.String))
            .otherwise(pl.col("district_code"))
            .alias("district_code"),
            pl.when(level.is_in(["C", "D"]))
            .then(pl.lit("0000000" if zeros else None, pl.String))
            .otherwise(pl.col("school_code"))
            .alias("school_code"),
            level.replace_strict(LEVEL_ORDER, return_dtype=pl.Int8).alias("_lvl"),
        )
    )


def _in_file_order(named: pl.LazyFrame) -> pl.LazyFrame:
    """Rows in file order (R6.5): level, codes, charter/DASS variant, reporting category."""
    variant_rank = pl.lit(len(VARIANTS))
    for i, (c, d) in enumerate(VARIANTS):
        variant_rank = (
            pl.when((pl.col("charter") == c) & (pl.col("dass") == d))
            .then(pl.lit(i))
            .otherwise(variant_rank)
        )
    cat_rank = pl.col("category").replace_strict(
        {c: i for i, c in enumerate(CATEGORY_ORDER)},
        default=len(CATEGORY_ORDER),
        return_dtype=pl.Int16,
    )
    return named.with_columns(variant_rank.alias("_var"), cat_rank.alias("_cat")).sort(
        ["_lvl", "county_code", "district_code", "school_code", "_var", "_cat"],
        nulls_last=False,
    )


def _file_columns(ordered: pl.LazyFrame, periods: CohortPeriods, rules: RuleSet) -> pl.LazyFrame:
    """The header's columns (R6.5): keys, then a count and a rate per measure (R6.2, R6.3)."""
    cols = key_columns(periods.academic_year_label)
    for m in measures_for(periods.class_of, rules):
        cols.append(pl.col(m.count).alias(m.count_header))
        cols.append(rate_column(m.count, m.denominator, m.rate_header))
    cols.append(pl.col("suppressed"))
    return ordered.select(cols)


def public_text(table: pl.DataFrame) -> pl.DataFrame:
    """All-text frame of the public file: codes as written, ``*`` where suppressed (R6.4)."""
    value_cols = [c for c in table.columns[11:] if c != "suppressed"]
    star = pl.col("suppressed")
    return table.select(
        *(pl.col(c).cast(pl.String).fill_null("") for c in table.columns[:11]),
        *(
            pl.when(star).then(pl.lit("*")).otherwise(pl.col(c).cast(pl.String)).alias(c)
            for c in value_cols
        ),
    )


def acgr_text(table: pl.DataFrame) -> str:
    """The exact text of ``acgr.txt``: tab-delimited, one header line, LF, no quoting."""
    return public_text(table).write_csv(
        separator="\t", line_terminator="\n", quote_style="never", null_value=""
    )


# ---------------------------------------------------------------------------------
# Reading published CDE ACGR files back (issue #3 item 4)
# ---------------------------------------------------------------------------------
_CODE_WIDTHS: dict[str, int] = {"CountyCode": 2, "DistrictCode": 5, "SchoolCode": 7}
_TEXT_COLUMNS: tuple[str, ...] = (
    "AcademicYear",
    "AggregateLevel",
    "CountyName",
    "DistrictName",
    "SchoolName",
    "ReportingCategory",
)


def _canonical_header(name: str) -> str:
    """Map a header cell to this module's spelling (BOM, spaces, the GSSMD typo)."""
    n = name.replace("\ufeff", "").strip().strip('"')
    if n.startswith(_GSSMD.rate_header):
        return _GSSMD.rate_header
    return n


def read_tab_text(path: str | Path) -> pl.DataFrame:
    """A CDE tab-delimited download as all-text columns (BOM, CRLF, stray bytes tolerated)."""
    return pl.read_csv(
        path,
        separator="\t",
        infer_schema=False,
        quote_char=None,
        encoding="utf8-lossy",
        truncate_ragged_lines=True,
    )


#: Columns without which a file is not an ACGR file (docs/formats.md): the codes
#: and reporting category that identify a row and the cohort every rate is over. Every
#: year's layout and the published subsets (``cohort1718_Final``) carry them.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "CountyCode",
    "DistrictCode",
    "SchoolCode",
    "ReportingCategory",
    "CohortStudents",
)
_SNIFF_BYTES = 1 << 16


def _check_header(path: Path, required: Iterable[str]) -> None:
    """Refuse, before parsing, a file that cannot be an ACGR file (R6.5 layout).

    Only the first 64 KiB are read, so a multi-gigabyte caret extract given by
    mistake is refused at once. Messages name the file, the line and the missing
    columns, never a cell: a wrong file may hold student records.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError as exc:
        raise ExtractError(f"{path}: cannot be read ({exc.strerror})") from None
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ExtractError(f"{path}: line 1: empty file, not an ACGR file")
    if b"\x00" in head:
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        raise ExtractError(f"{path}: line {line}: binary content (NUL byte), not an ACGR file")
    first = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0]
    cells = {_canonical_header(c) for c in first.split("\t")}
    missing = [c for c in dict.fromkeys(required) if c not in cells]
    if not missing:
        return
    if {"cds", "rtype"} <= cells:
        hint = " (a Dashboard file?)"
    elif "\t" in first:
        hint = ""
    elif "^" in first:
        hint = " (caret-delimited: a CALPADS extract?)"
    elif "," in first:
        hint = " (comma-separated, not tab-delimited?)"
    else:
        hint = " (no tab-delimited header)"
    raise ExtractError(f"{path}: line 1: not an ACGR file: header lacks {', '.join(missing)}{hint}")


def read_cde_acgr(path: str | Path, *, require: Iterable[str] = ()) -> pl.DataFrame:
    """Read a CDE ACGR download (any year's layout) or an ``acgr.txt`` of ours, typed.

    Tolerates what real copies contain: a UTF-8 BOM, CRLF, the
    ``Golden State Seal Merit Diploma (Rate`` header, ``Yes``/``No`` or ``Y``/``N``
    (normalised to ``Yes``/``No``; ``All`` kept), ``0`` or ``0.0``, ``*`` cells,
    codes that lost leading zeros (re-padded to 2/5/7 digits), subsets with fewer
    columns. Counts become Int64, rates Decimal(4, 1), ``*`` becomes null, and
    ``suppressed`` is true where CohortStudents is ``*`` (R6.4). Columns are kept in
    file order; reading what :func:`acgr_text` wrote gives :attr:`AcgrResult.rates`
    with the suppressed cells nulled.

    Args:
        path: the tab-delimited file.
        require: columns the caller needs beyond :data:`REQUIRED_COLUMNS`
            (the Dashboard needs AcademicYear, AggregateLevel, DASS, ...).

    Raises:
        acgr.read.extracts.ExtractError: the file is not an ACGR file (empty, binary,
            a header without a required column, no row after the header) or
            cannot be read; the one-line message names the file, the line and
            what is missing.
    """
    p = Path(path)
    _check_header(p, (*REQUIRED_COLUMNS, *require))
    try:
        raw = read_tab_text(p)
    except pl.exceptions.PolarsError as exc:
        # Polars messages may quote cells; name the kind of failure only.
        raise ExtractError(
            f"{p}: not a readable tab-delimited ACGR file ({type(exc).__name__})"
        ) from None
    if raw.height == 0:
        raise ExtractError(f"{p}: line 2: no rows after the ACGR header")
    raw = raw.rename({c: _canonical_header(c) for c in raw.columns})
    suppressed = pl.col("CohortStudents").str.strip_chars() == "*"
    return raw.select(*map(_typed_column, raw.columns), suppressed.alias("suppressed"))


def _typed_column(col: str) -> pl.Expr:
    """Column ``col`` of an ACGR file typed as :func:`read_cde_acgr` says, from its text."""
    cell = pl.col(col).str.strip_chars()
    if col in _CODE_WIDTHS:
        return (
            pl.when(cell.str.contains(r"^\d+$"))
            .then(cell.str.zfill(_CODE_WIDTHS[col]))
            .otherwise(pl.when(cell.str.len_bytes() > 0).then(cell))
            .alias(col)
        )
    if col in ("CharterSchool", "DASS"):
        # CDE writes Yes/No (older copies Y/N); other text is kept as written.
        flag = flag_from_text(cell, yes=("Y", "YES"), no=("N", "NO"))
        return (
            pl.when(flag)
            .then(pl.lit("Yes"))
            .when(~flag)
            .then(pl.lit("No"))
            .when(cell.str.to_uppercase() == "ALL")
            .then(pl.lit("All"))
            .otherwise(cell)
            .alias(col)
        )
    if col.endswith("(Count)") or col == "CohortStudents":
        return cell.cast(pl.Int64, strict=False).alias(col)
    if "(Rate" in col:
        return cell.cast(pl.Decimal(4, 1), strict=False).alias(col)
    if col in _TEXT_COLUMNS:
        return pl.when(cell.str.len_bytes() > 0).then(cell).otherwise(pl.lit("")).alias(col)
    return cell.alias(col)


__all__ = [
    "CATEGORY_LABELS",
    "CATEGORY_ORDER",
    "GRADUATES",
    "KEY_HEADER",
    "MEASURES_34",
    "MEASURES_36",
    "REQUIRED_COLUMNS",
    "Measure",
    "acgr_text",
    "key_columns",
    "measures_for",
    "public_text",
    "rate_column",
    "rates_table",
    "read_cde_acgr",
    "read_tab_text",
    "rows_in_file_order",
]
