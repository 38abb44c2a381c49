"""The LCFF count files (docs/rules.md R10.5, docs/formats.md output 6).

* ``upc.txt``: one row per school with a student enrolled on Census Day, in the
  columns of CDE's school-level ``cupc`` sheet (tests/data/cupc2324_schools.tsv).
* ``upc_lea.txt``: one row per LEA in the columns of CDE's LEA-level sheet (a district
  counts its non-charter schools, a charter school is its own row), then one per county
  and one for the state, told apart by a last ``Aggregate Level`` column.
* ``upc_impact.csv``: per school, the UPC and the UPC were the findings that move
  it resolved in the students' favour (R10.2, R10.4).

Counts are not suppressed: CDE publishes its cupc files unsuppressed (R10.5).
"""

from __future__ import annotations

import polars as pl

from acgr.read.cds import cds_parts

#: Directory columns of the school-level sheet (text; empty without a schools file).
SCHOOL_INFO_COLUMNS: tuple[str, ...] = (
    "Academic Year",
    "County Code",
    "District Code",
    "School Code",
    "County Name",
    "District Name",
    "School Name",
    "District Type",
    "School Type",
    "Educational Option Type",
    "Charter School (Y/N)",
    "Charter Number",
    "Charter Funding Type",
    "IRC",
    "Low Grade",
    "High Grade",
)

#: Count column -> student-list flag it counts (None: every enrolled student), R10.4.
COUNT_COLUMNS: dict[str, str | None] = {
    "Total Enrollment": None,
    "Free & Reduced Meal Program": "frpm",
    "Foster": "foster",
    "Tribal Foster Youth": "tribal_foster",
    "Homeless": "homeless",
    "Migrant Program": "migrant",
    "Direct Certification": "direct_certification",
    "Unduplicated FRPM Eligible Count": "unduplicated_frpm",
    "English Learner (EL)": "english_learner",
    "CALPADS Unduplicated Pupil Count (UPC)": "upc",
}

#: The 26 columns of ``upc.txt`` (CDE's sheet also has a Fall 1 certification column,
#: which no extract can tell; it is left out).
UPC_COLUMNS: tuple[str, ...] = (*SCHOOL_INFO_COLUMNS, *COUNT_COLUMNS)

#: Columns of ``upc_lea.txt``: those of CDE's LEA-level sheet, which are the school-level
#: sheet's (``UPC_COLUMNS``; CDE's last, the Fall 1 certification status, left out), then
#: ``Aggregate Level`` (D district, S charter school, C county, T state) to tell the
#: county and state totals R10.5 adds from the LEA rows.
LEA_COLUMNS: tuple[str, ...] = (*UPC_COLUMNS, "Aggregate Level")

#: R10.5 Decision: on a district's row, the directory columns that describe one school
#: hold ``N/A``, as CDE's sheets write ``N/A`` where a column does not apply.
NOT_APPLICABLE: tuple[str, ...] = (
    "School Name",
    "School Type",
    "Educational Option Type",
    "Charter Number",
    "Charter Funding Type",
    "Low Grade",
    "High Grade",
)

#: The school code of a district's row in CDE's LEA-level sheet.
DISTRICT_SCHOOL_CODE = "0000000"


def _counts() -> list[pl.Expr]:
    return [
        (pl.len() if flag is None else pl.col(flag).sum()).cast(pl.Int64).alias(name)
        for name, flag in COUNT_COLUMNS.items()
    ]


def school_counts(students: pl.LazyFrame) -> pl.LazyFrame:
    """Per ``cds_code``: every count column of :data:`COUNT_COLUMNS` (R10.5)."""
    return students.group_by("cds_code").agg(_counts())


def _text(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String).fill_null("")


def upc_table(counts: pl.LazyFrame, schools: pl.DataFrame, year_label: str) -> pl.LazyFrame:
    """``upc.txt`` rows: ``counts`` (:func:`school_counts`) with the school's directory
    columns (``schools``: the directory and its details by ``cds_code``), sorted by CDS code."""
    charter = pl.col("charter").replace_strict({"Yes": "Yes", "No": "No"}, default="No")
    return (
        counts.join(schools.lazy(), on="cds_code", how="left")
        .with_columns(cds_parts(pl.col("cds_code")))
        .sort("cds_code")
        .select(
            pl.lit(year_label).alias("Academic Year"),
            pl.col("county_code").alias("County Code"),
            pl.col("district_code").alias("District Code"),
            pl.col("school_code").alias("School Code"),
            _text("county_name").alias("County Name"),
            _text("district_name").alias("District Name"),
            _text("school_name").alias("School Name"),
            _text("district_type").alias("District Type"),
            _text("school_type").alias("School Type"),
            _text("educational_option_type").alias("Educational Option Type"),
            charter.fill_null("No").alias("Charter School (Y/N)"),
            _text("charter_number").alias("Charter Number"),
            _text("charter_funding_type").alias("Charter Funding Type"),
            pl.lit("").alias("IRC"),
            _text("low_grade").alias("Low Grade"),
            _text("high_grade").alias("High Grade"),
            *COUNT_COLUMNS,
        )
    )


def _lea_rows(upc: pl.LazyFrame) -> pl.LazyFrame:
    """One row per district (its non-charter schools, school code ``0000000``) and per
    charter school (its own directory columns), sorted by CDS code (R10.5)."""
    charter = pl.col("Charter School (Y/N)") == "Yes"
    keys = ["County Code", "District Code", "School Code"]
    info = [c for c in SCHOOL_INFO_COLUMNS if c not in keys]
    district = {c: pl.lit("N/A") for c in NOT_APPLICABLE}
    return (
        upc.with_columns(
            pl.when(charter).then(pl.lit("S")).otherwise(pl.lit("D")).alias("Aggregate Level"),
            pl.when(charter).then(pl.col("School Code")).otherwise(pl.lit(DISTRICT_SCHOOL_CODE)),
            *(pl.when(charter).then(pl.col(c)).otherwise(v).alias(c) for c, v in district.items()),
        )
        .group_by("Aggregate Level", *keys)
        .agg(
            # The first non-empty value: a district's type from whichever school has it.
            *(pl.col(c).filter(pl.col(c) != "").first() for c in info),
            *(pl.col(c).sum() for c in COUNT_COLUMNS),
        )
        .sort(keys)
    )


def lea_table(upc: pl.LazyFrame) -> pl.LazyFrame:
    """``upc_lea.txt`` rows from the ``upc.txt`` rows (R10.5).

    Decision: a district's row sums its non-charter schools (school code ``0000000``);
    each charter school is a row of its own (level S, its directory columns kept); then
    county (C) and state (T, county code ``00``) totals of every school, whose code and
    directory columns other than the county's are empty. Sorted D/S by CDS code, then C, T.
    """
    county = (
        upc.group_by("County Code")
        .agg(
            pl.col("Academic Year", "County Name").first(),
            *(pl.col(c).sum() for c in COUNT_COLUMNS),
        )
        .with_columns(pl.lit("C").alias("Aggregate Level"))
        .sort("County Code")
    )
    state = upc.select(
        pl.col("Academic Year").first(), *(pl.col(c).sum() for c in COUNT_COLUMNS)
    ).with_columns(pl.lit("T").alias("Aggregate Level"), pl.lit("00").alias("County Code"))
    frames = [
        f.with_columns(pl.col(c).cast(pl.Int64) for c in COUNT_COLUMNS)
        for f in (_lea_rows(upc), county, state)
    ]
    return pl.concat(frames, how="diagonal").select(
        pl.col(c).fill_null("") if c not in COUNT_COLUMNS else pl.col(c) for c in LEA_COLUMNS
    )


#: Columns of ``upc_impact.csv`` (R10.2, R10.4): the school, its UPC, and its UPC were every
#: resolvable finding (FRPM ended before the year, ELAS TBD) resolved for the student.
IMPACT_COLUMNS: tuple[str, ...] = ("cds_code", "upc", "upc_if_resolved")


def upc_impact(students: pl.LazyFrame, resolvable: pl.LazyFrame) -> pl.LazyFrame:
    """``upc_impact.csv`` rows (R10.2, R10.4): per ``cds_code`` of ``students``, ``upc`` and
    ``upc_if_resolved``, counting also the students of ``resolvable`` (an ``ssid``
    column; duplicates allowed) as unduplicated. Sorted by CDS code."""
    marked = resolvable.select("ssid").unique().with_columns(pl.lit(True).alias("_resolved"))
    resolved = pl.col("upc") | pl.col("_resolved").fill_null(False)
    return (
        students.join(marked, on="ssid", how="left")
        .group_by("cds_code")
        .agg(
            pl.col("upc").sum().cast(pl.Int64),
            resolved.sum().cast(pl.Int64).alias("upc_if_resolved"),
        )
        .sort("cds_code")
        .select(IMPACT_COLUMNS)
    )


def table_text(table: pl.DataFrame) -> str:
    """A table as tab-delimited text, one header line, LF line ends (docs/formats.md)."""
    return table.write_csv(separator="\t", line_terminator="\n", quote_style="never")


__all__ = [
    "COUNT_COLUMNS",
    "DISTRICT_SCHOOL_CODE",
    "IMPACT_COLUMNS",
    "LEA_COLUMNS",
    "NOT_APPLICABLE",
    "SCHOOL_INFO_COLUMNS",
    "UPC_COLUMNS",
    "lea_table",
    "school_counts",
    "table_text",
    "upc_impact",
    "upc_table",
]
