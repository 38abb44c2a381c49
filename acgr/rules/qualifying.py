"""Which SENR records count: qualifying records (docs/rules.md R1) and rejected records (R3.4.1).

Input is the canonical SENR table (:mod:`acgr.read.extracts`); output keeps the
columns the engine needs, under short names:

``source_file, source_line, ssid, reporting_lea, school_code, start, status,
grade, exit_date, exit_code, completion, uc_csu, gssmd, seal, exemption, gender``

A record is *read* only when it starts on or before the extraction date (R2.4).
Among high-school records (grade 09-12, status 10 or 30), those CALPADS would
reject at upload (R3.4.1) become fatal findings and are not used; the rest
qualify when R1.1-R1.3 say so.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from acgr.checks.findings import Check, fmt
from acgr.read.extracts import PADDING
from acgr.rules.cohort import CohortPeriods, academic_year_end
from acgr.rules.ruleset import RuleSet

#: Canonical SENR column -> engine column.
ENGINE_COLUMNS: dict[str, str] = {
    "source_file": "source_file",
    "source_line": "source_line",
    "ssid": "ssid",
    "reporting_lea": "reporting_lea",
    "school_of_attendance": "school_code",
    "academic_year_id": "academic_year_id",
    "enrollment_start_date": "start",
    "enrollment_status_code": "status",
    "grade_level_code": "grade",
    "enrollment_exit_date": "exit_date",
    "student_exit_reason_code": "exit_code",
    "student_school_completion_status": "completion",
    "student_met_all_uc_csu_requirements_indicator": "uc_csu",
    "student_golden_state_seal_merit_diploma_indicator": "gssmd",
    "student_seal_of_biliteracy_indicator": "seal",
    "graduation_exemption_indicator": "exemption",
    "student_gender_code": "gender",
}


def normalized_code(col: str, width: int) -> pl.Expr:
    """Upper-case a code and restore leading zeros a spreadsheet may have cut.

    Only all-digit codes shorter than ``width`` are padded; ``E230`` or ``US`` are
    left alone. The readers strip every field, so no whitespace is expected here.
    (This runs on every SENR record: the cheap length test comes first.)
    """
    c = pl.col(col)
    cut = (c.str.len_bytes() < width) & c.str.contains(r"^\d+$")
    return pl.when(cut).then(c.str.zfill(width)).otherwise(c.str.to_uppercase())


#: Canonical SENR code columns the engine compares -> width of an all-digit code
#: (leading zeros restored), or None for Y/N indicators (upper-cased only).
SENR_CODES: dict[str, int | None] = {
    "reporting_lea": 7,
    "school_of_attendance": 7,
    "enrollment_status_code": 2,
    "grade_level_code": 2,
    "student_exit_reason_code": 4,
    "student_school_completion_status": 3,
    "student_met_all_uc_csu_requirements_indicator": None,
    "student_golden_state_seal_merit_diploma_indicator": None,
    "student_seal_of_biliteracy_indicator": None,
    "graduation_exemption_indicator": None,
}


def _normalised(col: str) -> pl.Expr:
    """Column ``col`` of canonical SENR with its code normalised (as is if no code)."""
    if col not in SENR_CODES:
        return pl.col(col)
    width = SENR_CODES[col]
    return normalized_code(col, width) if width else pl.col(col).str.to_uppercase()


def normalise_senr_codes(senr: pl.LazyFrame) -> pl.LazyFrame:
    """Canonical SENR with its :data:`SENR_CODES` normalised in place (names kept).

    Run once, e.g. while staging (:meth:`acgr.read.extracts.Extracts.stage`), so that
    :func:`engine_records` need not repeat it on every read.
    """
    return senr.with_columns(_normalised(c) for c in SENR_CODES)


def untidy_columns(senr: pl.LazyFrame) -> frozenset[str]:
    """Text columns the engine reads that SENR as given has untidy (eager).

    A column is untidy when one of its values has padding
    (:data:`acgr.read.extracts.PADDING`) or a code :func:`normalise_senr_codes` would
    change. Codes are tested on their distinct values (a few hundred at most),
    the other text (SSIDs) row by row in bounded memory: far cheaper than
    tidying every record.
    """
    schema = senr.select(list(ENGINE_COLUMNS)).collect_schema()
    text = [c for c, dtype in schema.items() if dtype == pl.String]
    if not text:
        return frozenset()

    def changed(col: str) -> bool:
        # One column per query, run one after another: queries collected
        # together would share one scan and hold every column at once.
        values = senr.select(pl.col(col).unique() if col in SENR_CODES else pl.col(col))
        test = (
            values.with_columns(pl.col(col).alias("_given"))
            .with_columns(pl.col(col).str.strip_chars(PADDING))
            .select(_normalised(col).ne_missing(pl.col("_given")).any())
        )
        return bool(test.collect().item())

    return frozenset(c for c in text if changed(c))


def tidy_senr(senr: pl.LazyFrame, columns: frozenset[str]) -> pl.LazyFrame:
    """SENR as given with ``columns`` stripped and their codes normalised.

    With every untidy column (:func:`untidy_columns`) this equals canonical SENR
    with :func:`normalise_senr_codes` applied; clean columns are left untouched.
    """
    ordered = [c for c in ENGINE_COLUMNS if c in columns]
    return senr.with_columns(pl.col(ordered).str.strip_chars(PADDING)).with_columns(
        _normalised(c) for c in ordered
    )


def engine_records(senr: pl.LazyFrame, *, codes_normalised: bool = False) -> pl.LazyFrame:
    """Canonical SENR -> engine columns (short names), codes normalised, nothing dropped.

    ``codes_normalised``: the codes already went through :func:`normalise_senr_codes`.
    """
    if not codes_normalised:
        senr = normalise_senr_codes(senr)
    return senr.select([pl.col(k).alias(v) for k, v in ENGINE_COLUMNS.items()])


def records_read(records: pl.LazyFrame, extraction_date: dt.date | None) -> pl.LazyFrame:
    """Engine records read for this run: start on or before X (R2.4).

    With ``extraction_date`` None (``acgr validate`` without a class) every record
    with a start date is kept.
    """
    read = pl.col("start").is_not_null()
    if extraction_date is not None:
        read = read & (pl.col("start") <= extraction_date)
    return records.filter(read)


def enrollment_records(
    senr: pl.LazyFrame, extraction_date: dt.date | None, *, codes_normalised: bool = False
) -> pl.LazyFrame:
    """Canonical SENR -> engine records read for this run (see :func:`records_read`)."""
    return records_read(engine_records(senr, codes_normalised=codes_normalised), extraction_date)


def _is_high_school(rules: RuleSet) -> pl.Expr:
    return pl.col("grade").is_in(rules.grade_levels) & pl.col("status").is_in(
        [*rules.primary_statuses, *rules.short_term_statuses]
    )


def rejection_reason(rules: RuleSet) -> pl.Expr:
    """Why CALPADS would reject a high-school record (R3.4.1), or null.

    Checked in this order: exit code without exit date, exit date without exit
    code, unknown exit code, E230 with a completion status outside the rule set.
    """
    code, date = pl.col("exit_code"), pl.col("exit_date")
    e230 = rules.completer_exit_code
    return (
        pl.when(code.is_not_null() & date.is_null())
        .then(fmt("exit code {} has no exit date; record not used", code))
        .when(code.is_null() & date.is_not_null())
        .then(pl.lit("exit date has no exit code; record not used"))
        .when(~code.is_in(rules.known_exit_codes()))
        .then(fmt("exit code {} is not a valid exit category; record not used", code))
        .when(
            (code == e230)
            & ~pl.col("completion").fill_null("").is_in(list(rules.completion_outcomes))
        )
        .then(
            fmt(
                "{} with completion status '{}' is not a valid combination; record not used",
                pl.lit(e230),
                pl.col("completion").fill_null(""),
            )
        )
        .otherwise(None)
    )


def is_rejected(rules: RuleSet) -> pl.Expr:
    """True when CALPADS would reject a high-school record (R3.4.1).

    The same tests as :func:`rejection_reason`, without building its message:
    this runs on every high-school record, the message only on rejected ones.
    """
    code, date = pl.col("exit_code"), pl.col("exit_date")
    return (
        (code.is_not_null() & date.is_null())
        | (code.is_null() & date.is_not_null())
        | (code.is_not_null() & ~code.is_in(rules.known_exit_codes()))
        | (
            (code == rules.completer_exit_code)
            & ~pl.col("completion").fill_null("").is_in(list(rules.completion_outcomes))
        )
    ).fill_null(False)


def qualifies(periods: CohortPeriods, rules: RuleSet) -> pl.Expr:
    """R1.1-R1.3 on a usable high-school record.

    Status 10 always qualifies; status 30 when ``(exit date or X) - start`` is
    more than ``short_term_min_days`` calendar days (R1.2); excluded exit codes
    never do.
    """
    length = (
        pl.col("exit_date").fill_null(periods.extraction_date) - pl.col("start")
    ).dt.total_days()
    status_ok = pl.col("status").is_in(rules.primary_statuses) | (
        pl.col("status").is_in(rules.short_term_statuses) & (length > rules.short_term_min_days)
    )
    return status_ok & ~pl.col("exit_code").fill_null("").is_in(rules.excluded_exit_codes)


def high_school_records(records: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """Grade 09-12 records of status 10 or 30, with ``_rejected`` (R3.4.1, boolean)."""
    return records.filter(_is_high_school(rules)).with_columns(
        is_rejected(rules).alias("_rejected")
    )


def rule_checks(rules: RuleSet) -> list[Check]:
    """The record-level findings the R1/R3.4.1 rules raise, as checks on engine records.

    R3.4.1 (fatal, record rejected), R1.4 (grade US, warning), R1.5 (Academic
    Year ID not matching the start date, warning). :mod:`acgr.checks.validation` runs
    them in its single pass over the records.
    """
    hs = _is_high_school(rules)
    # The first year of ``CCYY-CCYY``: a slice and a cast (no regex on every record).
    first_four = pl.col("academic_year_id").str.slice(0, 4)
    ay_start = pl.when(first_four.str.len_bytes() == 4).then(
        first_four.cast(pl.Int32, strict=False)
    )
    ay_from_date = academic_year_end(pl.col("start"), rules) - 1
    return [
        Check("R3.4.1", "fatal", hs & is_rejected(rules), rejection_reason(rules)),
        Check(
            "R1.4",
            "warning",
            pl.col("grade") == rules.ungraded_secondary_grade,
            "grade US (ungraded secondary) record does not count toward any cohort",
        ),
        Check(
            "R1.5",
            "warning",
            hs & ay_start.is_not_null() & (ay_start != ay_from_date),
            fmt(
                "Academic Year ID {} does not match the start date's academic year {}-{}; "
                "the start date is used",
                pl.col("academic_year_id"),
                ay_from_date,
                ay_from_date + 1,
            ),
        ),
    ]


def qualifying_from(records: pl.LazyFrame, periods: CohortPeriods, rules: RuleSet) -> pl.LazyFrame:
    """Qualifying records (R1) among engine records already read (R2.4)."""
    hs = high_school_records(records, rules)
    return hs.filter(~pl.col("_rejected") & qualifies(periods, rules)).drop(
        "_rejected", "academic_year_id"
    )


__all__ = [
    "ENGINE_COLUMNS",
    "SENR_CODES",
    "engine_records",
    "enrollment_records",
    "high_school_records",
    "is_rejected",
    "normalise_senr_codes",
    "normalized_code",
    "qualifies",
    "qualifying_from",
    "records_read",
    "rejection_reason",
    "rule_checks",
    "tidy_senr",
    "untidy_columns",
]
