"""The student list: one row per student of the class, in the words of CALPADS Report 15.2.

``acgr run`` writes it as ``students.csv`` beside ``students.parquet``; ``acgr report`` puts
it in each LEA's workbook (sheet Students). Both call :func:`student_list`, so the two never
differ. Confidential: it carries SSIDs, local IDs and, when the run read them
(``--with-names``), legal names.

Columns (:func:`list_columns`): ``SSID``, ``LocalStudentID``, the two legal names when read,
``CDSCode``, ``SchoolCode``, ``SchoolName`` (from the schools file, via ``acgr.txt``),
``CohortCategory`` (the rule set's ``student_list.categories`` word for the outcome, R3.6),
``Reason`` (the rule, e.g. ``R3.1:E230/100``), ``RecordFile`` and ``RecordLine`` (the
deciding record, R4), ``EthnicityRace`` and ``Gender`` as DataQuest labels (R5.1, R5.2),
then one ``Yes``/``No`` column per student group (R5.3-R5.6), empty when the run did not
measure it (ACGR0003).
"""

from __future__ import annotations

import polars as pl

from acgr.pipeline import NAME_COLUMNS
from acgr.publish.acgr_file import CATEGORY_LABELS
from acgr.rules.groups import GROUP_FLAGS
from acgr.rules.ruleset import RuleSet

#: Group flag of ``students.parquet`` -> its Yes/No column. The four 15.2 exports show
#: (StudentswithDisabilities, SocioEconomicallyDisadvantaged, EnglishLearner, Homeless)
#: are spelled as there; Migrant and FosterYouth after 15.2's filter names.
GROUP_COLUMNS: dict[str, str] = {
    "english_learner": "EnglishLearner",
    "disability": "StudentswithDisabilities",
    "socioeconomically_disadvantaged": "SocioEconomicallyDisadvantaged",
    "migrant": "Migrant",
    "foster": "FosterYouth",
    "homeless": "Homeless",
}

#: ``students.parquet`` name column -> its student-list column.
NAME_HEADERS: dict[str, str] = {
    "student_legal_first_name": "StudentLegalFirstName",
    "student_legal_last_name": "StudentLegalLastName",
}

_HEAD: tuple[str, ...] = ("SSID", "LocalStudentID")
_BODY: tuple[str, ...] = (
    "CDSCode",
    "SchoolCode",
    "SchoolName",
    "CohortCategory",
    "Reason",
    "RecordFile",
    "RecordLine",
    "EthnicityRace",
    "Gender",
)

assert set(GROUP_COLUMNS) == set(GROUP_FLAGS), "a student group without its list column"


def list_columns(*, names: bool) -> tuple[str, ...]:
    """The columns of the list, in order; the legal names only when they were read."""
    name_cols = tuple(NAME_HEADERS.values()) if names else ()
    return (*_HEAD, *name_cols, *_BODY, *GROUP_COLUMNS.values())


def school_names_from_rates(rates: pl.DataFrame) -> pl.DataFrame:
    """``cds_code``, ``school_name`` of each school row (S) of an ACGR table (acgr.txt).

    The run's ``rates`` (and its acgr.txt) name each school as the schools file does;
    a school the file lacks has an empty name there.
    """
    return (
        rates.filter(pl.col("AggregateLevel") == "S")
        .select(
            pl.concat_str("CountyCode", "DistrictCode", "SchoolCode").alias("cds_code"),
            pl.col("SchoolName").cast(pl.String).alias("school_name"),
        )
        .filter(pl.col("school_name").fill_null("") != "")
        .unique("cds_code", keep="first")
    )


def yes_no(flag: str) -> pl.Expr:
    """``Yes`` / ``No`` of a boolean column; null (not measured) stays null."""
    value = pl.col(flag).cast(pl.Boolean)  # a column of nulls only may have lost its type
    return pl.when(value).then(pl.lit("Yes")).when(~value).then(pl.lit("No"))


def category_word(rules: RuleSet) -> pl.Expr:
    """The Report 15.2 CohortCategory of each ``outcome`` (``student_list.categories``)."""
    words = {str(o): w for o, w in rules.student_list.categories.items()}
    return pl.col("outcome").replace_strict(words, default=None, return_dtype=pl.String)


def _label(col: str) -> pl.Expr:
    # A code without a label is shown as it is, never dropped.
    return pl.col(col).replace_strict(CATEGORY_LABELS, default=pl.col(col), return_dtype=pl.String)


def student_list(
    students: pl.DataFrame | pl.LazyFrame,
    rules: RuleSet,
    school_names: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """The student list of ``students`` (rows of ``students.parquet``), by school then SSID.

    Args:
        students: rows with the columns of ``students.parquet`` (names optional).
        rules: the rule set of the run (its ``student_list.categories``).
        school_names: ``cds_code``, ``school_name`` (e.g. :func:`school_names_from_rates`);
            without it ``SchoolName`` is empty.
    """
    lf = students.lazy()
    names = all(c in lf.collect_schema().names() for c in NAME_COLUMNS)
    directory = (
        school_names.lazy()
        if school_names is not None
        else pl.LazyFrame(schema={"cds_code": pl.String, "school_name": pl.String})
    )
    exprs = [
        pl.col("ssid").alias("SSID"),
        pl.col("local_student_id").alias("LocalStudentID"),
        *(pl.col(c).alias(NAME_HEADERS[c]) for c in (NAME_COLUMNS if names else ())),
        pl.col("cds_code").alias("CDSCode"),
        pl.col("school_code").alias("SchoolCode"),
        pl.col("school_name").alias("SchoolName"),
        category_word(rules).alias("CohortCategory"),
        pl.col("reason").alias("Reason"),
        pl.col("record_file").alias("RecordFile"),
        pl.col("record_line").alias("RecordLine"),
        _label("race").alias("EthnicityRace"),
        _label("gender").alias("Gender"),
        *(yes_no(flag).alias(column) for flag, column in GROUP_COLUMNS.items()),
    ]
    return (
        lf.join(directory, on="cds_code", how="left")
        .sort("cds_code", "ssid", nulls_last=True)
        .select(exprs)
    )


def write_student_list(frame: pl.DataFrame, path: str) -> None:
    """Write the list as CSV: UTF-8 with a byte-order mark, so Excel reads names with accents
    as UTF-8 (it takes a CSV without one for the machine's code page), comma-separated."""
    frame.write_csv(path, include_bom=True)


__all__ = [
    "GROUP_COLUMNS",
    "NAME_HEADERS",
    "category_word",
    "list_columns",
    "school_names_from_rates",
    "student_list",
    "write_student_list",
    "yes_no",
]
