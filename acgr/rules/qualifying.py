"""Which SENR records count: qualifying records (docs/rules.md R1) and rejected records (R3.4.1).

Input is the canonical SENR table (:mod:`acgr.read.extracts`); output keeps the
columns the engine needs, under short names:

``source_file, source_line, ssid, reporting_lea, school_code, start, status,
grade, exit_date, exit_code, completion, uc_csu, gssmd, seal, exemption, gender``

A record is *read* only when it starts on or before the extraction date (R2.4).
Among high-school records (grade 09-12, status 10 or 30), those CALPADS would
reject at upload (R3.4.1) become fatal findings and are not used; the rest
qualify when R1.1-R1.3 say so.

Each of these rules is written once, here, as an expression on engine records,
and every other user calls it: the engine (:func:`qualifying_from`), the
record checks (:func:`rule_checks`, :mod:`acgr.checks.validation`) and
``acgr explain`` (:func:`not_counted`). R2.4 :func:`is_read`; R1.1
:func:`is_high_school` (:func:`has_high_school_grade`,
:func:`has_high_school_status`), :func:`has_excluded_exit`; R1.2
:func:`record_length`, :func:`is_long_short_term`; R1.1-R1.3
:func:`has_counting_status`, :func:`qualifies`; R1.4 :func:`is_ungraded`;
R3.4.1 :func:`is_rejected`, :func:`rejection_reason`.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass

import polars as pl

from acgr.checks.findings import Check, fmt
from acgr.read.extracts import PADDING, Engine
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

#: Canonical SENR columns engine records carry unread by any rule: the student list
#: names the deciding record's local ID. Not checked for padding (:func:`untidy_columns`):
#: whoever shows them strips them.
CARRIED_COLUMNS: tuple[str, ...] = ("local_student_id",)


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

    Every record is normalised: for a table written once and read many times,
    :func:`normalise_senr_codes_by_value` does the same work on distinct values.
    """
    return senr.with_columns(_normalised(c) for c in SENR_CODES)


def normalise_senr_codes_by_value(senr: pl.LazyFrame, engine: Engine = "auto") -> pl.LazyFrame:
    """:func:`normalise_senr_codes`, worked out on each code column's distinct values.

    A code's normal form depends on its value alone, so the distinct values of
    each :data:`SENR_CODES` column (a few hundred at most, collected on
    ``engine`` in one pass over those columns) are normalised, and only the
    values that change are replaced as ``senr`` is read: none in a tidy extract.
    For a table written once and read many times (staged SENR): statewide the
    pass costs about half of normalising every record while writing.
    """
    names = senr.collect_schema().names()
    present = [c for c in SENR_CODES if c in names]
    values = pl.collect_all([senr.select(pl.col(c).unique()) for c in present], engine=engine)
    fixes = []
    for col, distinct in zip(present, values, strict=True):
        changed = distinct.select(pl.col(col), _normalised(col).alias("_to")).filter(
            pl.col(col).ne_missing(pl.col("_to"))
        )
        if changed.height:
            fixes.append(pl.col(col).replace(changed[col], changed["_to"]))
    return senr.with_columns(fixes) if fixes else senr


def untidy_columns(senr: pl.LazyFrame, *, engine: Engine = "auto") -> frozenset[str]:
    """Text columns the engine reads that SENR as given has untidy (eager).

    A column is untidy when one of its values has padding
    (:data:`acgr.read.extracts.PADDING`) or a code :func:`normalise_senr_codes` would
    change. Codes are tested on their distinct values (a few hundred at most),
    the other text (SSIDs) row by row in bounded memory: far cheaper than
    tidying every record. Each column's test runs on ``engine``.
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
        return bool(test.collect(engine=engine).item())

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
    """Canonical SENR -> engine columns (short names) and :data:`CARRIED_COLUMNS`, codes
    normalised, nothing dropped.

    ``codes_normalised``: the codes already went through :func:`normalise_senr_codes` (or
    :func:`normalise_senr_codes_by_value`).
    """
    if not codes_normalised:
        senr = normalise_senr_codes(senr)
    return senr.select(*(pl.col(k).alias(v) for k, v in ENGINE_COLUMNS.items()), *CARRIED_COLUMNS)


def is_read(extraction_date: dt.date | None) -> pl.Expr:
    """True for an engine record this run reads (R2.4): it starts on or before X.

    With ``extraction_date`` None (``acgr validate`` without a class) every record
    with a start date is read.
    """
    read = pl.col("start").is_not_null()
    if extraction_date is not None:
        read = read & (pl.col("start") <= extraction_date)
    return read


def records_read(records: pl.LazyFrame, extraction_date: dt.date | None) -> pl.LazyFrame:
    """Engine records read for this run: start on or before X (R2.4, :func:`is_read`)."""
    return records.filter(is_read(extraction_date))


def enrollment_records(
    senr: pl.LazyFrame, extraction_date: dt.date | None, *, codes_normalised: bool = False
) -> pl.LazyFrame:
    """Canonical SENR -> engine records read for this run (see :func:`records_read`)."""
    return records_read(engine_records(senr, codes_normalised=codes_normalised), extraction_date)


def has_high_school_grade(rules: RuleSet) -> pl.Expr:
    """R1.1: the record's grade is a high-school grade (09-12, ``grade_levels``)."""
    return pl.col("grade").is_in(rules.grade_levels)


def has_high_school_status(rules: RuleSet) -> pl.Expr:
    """R1.1, R1.3: the record's status is primary (10) or short-term (30).

    Any other status (20 secondary, 50 non-ADA) never qualifies.
    """
    return pl.col("status").is_in([*rules.primary_statuses, *rules.short_term_statuses])


def is_high_school(rules: RuleSet) -> pl.Expr:
    """A *high-school record* (R1.1): grade 09-12 and status 10 or 30.

    Only these can qualify; R3.4.1 rejects among them, and the CALPADS code
    checks of :mod:`acgr.checks.validation` leave them to R3.4.1.
    """
    return has_high_school_grade(rules) & has_high_school_status(rules)


def is_ungraded(rules: RuleSet) -> pl.Expr:
    """R1.4: a grade US (ungraded secondary) record, which never qualifies."""
    return pl.col("grade") == rules.ungraded_secondary_grade


def record_length(until: dt.date) -> pl.Expr:
    """R1.2: a record's length in calendar days, start to exit date (``until`` if open).

    ``until`` is the extraction date X for the engine; the SENR0027/0028 checks of
    ``acgr validate`` without a class, which has no X, pass a far date.
    """
    return (pl.col("exit_date").fill_null(until) - pl.col("start")).dt.total_days()


def is_long_short_term(rules: RuleSet, until: dt.date) -> pl.Expr:
    """R1.2: a short-term record (status 30) longer than ``short_term_min_days`` days.

    The length is :func:`record_length` with an open record measured to ``until``.
    """
    return pl.col("status").is_in(rules.short_term_statuses) & (
        record_length(until) > rules.short_term_min_days
    )


def has_counting_status(rules: RuleSet, until: dt.date) -> pl.Expr:
    """R1.1-R1.3: status 10, or a short-term record long enough (:func:`is_long_short_term`).

    CALPADS calls these *primary enrollments* too (SENR0027/SENR0028).
    """
    return pl.col("status").is_in(rules.primary_statuses) | is_long_short_term(rules, until)


def has_excluded_exit(rules: RuleSet) -> pl.Expr:
    """R1.1: an exit code (N470, E125, E170) whose record is ignored entirely (never null)."""
    return pl.col("exit_code").fill_null("").is_in(rules.excluded_exit_codes)


def _rejection_tests(rules: RuleSet) -> list[tuple[pl.Expr, pl.Expr]]:
    """R3.4.1: each reason CALPADS would reject a high-school record, with its message.

    In the order they are reported: exit code without exit date, exit date
    without exit code, unknown exit code, E230 with a completion status outside
    the rule set. The one place these tests are written: :func:`is_rejected`
    joins the conditions, :func:`rejection_reason` names the first that holds.
    """
    code, date = pl.col("exit_code"), pl.col("exit_date")
    e230 = rules.completer_exit_code
    completion = pl.col("completion").fill_null("")
    return [
        (
            code.is_not_null() & date.is_null(),
            fmt("exit code {} has no exit date; record not used", code),
        ),
        (
            code.is_null() & date.is_not_null(),
            pl.lit("exit date has no exit code; record not used"),
        ),
        (
            code.is_not_null() & ~code.is_in(rules.known_exit_codes()),
            fmt("exit code {} is not a valid exit category; record not used", code),
        ),
        (
            (code == e230) & ~completion.is_in(list(rules.completion_outcomes)),
            fmt(
                "{} with completion status '{}' is not a valid combination; record not used",
                pl.lit(e230),
                completion,
            ),
        ),
    ]


def rejection_reason(rules: RuleSet) -> pl.Expr:
    """Why CALPADS would reject a high-school record (R3.4.1), or null.

    The first of the tests of :func:`is_rejected` that holds, in their order.
    """
    reason: pl.Expr = pl.lit(None, pl.String)
    for condition, message in reversed(_rejection_tests(rules)):
        reason = pl.when(condition).then(message).otherwise(reason)
    return reason


def is_rejected(rules: RuleSet) -> pl.Expr:
    """True when CALPADS would reject a high-school record (R3.4.1).

    The tests of :func:`rejection_reason` without building its message: this
    runs on every high-school record, the message only on rejected ones.
    """
    conditions = [condition for condition, _ in _rejection_tests(rules)]
    return functools.reduce(operator.or_, conditions).fill_null(False)


def qualifies(periods: CohortPeriods, rules: RuleSet) -> pl.Expr:
    """R1.1-R1.3 on a usable high-school record.

    Status 10 always qualifies; status 30 when ``(exit date or X) - start`` is
    more than ``short_term_min_days`` calendar days (R1.2); excluded exit codes
    never do.
    """
    return has_counting_status(rules, periods.extraction_date) & ~has_excluded_exit(rules)


@dataclass(frozen=True)
class NotCounted:
    """One reason a SENR record does not count, with the rule that gives it.

    Attributes:
        rule: the rule id (``R2.4``, ``R1.1`` ...).
        name: what the reason is about: ``not_read``, ``ungraded``, ``grade``,
            ``status``, ``rejected``, ``excluded_exit`` or ``short_term``.
        condition: true (never null) for a record this reason applies to, once
            every earlier reason of :func:`not_counted` failed.
    """

    rule: str
    name: str
    condition: pl.Expr


def not_counted(periods: CohortPeriods, rules: RuleSet) -> tuple[NotCounted, ...]:
    """Why an engine record does not count, in the order the reasons are tested.

    The first reason whose condition holds is the record's; a record none holds
    is qualifying: exactly the records :func:`qualifying_from` keeps of the
    records read. The conditions are the predicates the engine filters on
    (:func:`is_read`, :func:`is_high_school`, :func:`is_rejected`,
    :func:`qualifies`), taken apart and made true for a null value the engine's
    filter drops, so that whoever explains a record (``acgr explain``) says
    what the engine did.
    """
    x = periods.extraction_date
    grade_ok = has_high_school_grade(rules).fill_null(False)
    return (
        NotCounted("R2.4", "not_read", ~is_read(x)),
        NotCounted("R1.4", "ungraded", (is_ungraded(rules) & ~grade_ok).fill_null(False)),
        NotCounted("R1.1", "grade", ~grade_ok),
        NotCounted("R1.3", "status", ~has_high_school_status(rules).fill_null(False)),
        NotCounted("R3.4.1", "rejected", is_rejected(rules)),
        NotCounted("R1.1", "excluded_exit", has_excluded_exit(rules)),
        NotCounted("R1.2", "short_term", ~has_counting_status(rules, x).fill_null(False)),
    )


def is_qualifying(periods: CohortPeriods, rules: RuleSet) -> pl.Expr:
    """True for a record no reason of :func:`not_counted` holds for: a qualifying record.

    On any engine records, read or not; the same records :func:`qualifying_from`
    keeps of those read.
    """
    return ~pl.any_horizontal([reason.condition for reason in not_counted(periods, rules)])


def high_school_records(records: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """Grade 09-12 records of status 10 or 30, with ``_rejected`` (R3.4.1, boolean)."""
    return records.filter(is_high_school(rules)).with_columns(is_rejected(rules).alias("_rejected"))


def rule_checks(rules: RuleSet) -> list[Check]:
    """The record-level findings the R1/R3.4.1 rules raise, as checks on engine records.

    R3.4.1 (fatal, record rejected), R1.4 (grade US, warning), R1.5 (Academic
    Year ID not matching the start date, warning). :mod:`acgr.checks.validation` runs
    them in its single pass over the records.
    """
    hs = is_high_school(rules)
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
            is_ungraded(rules),
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
    """Qualifying records (R1) among engine records already read (R2.4).

    The records of which no reason of :func:`not_counted` holds, found the cheap
    way: high-school records first, the rest tested on those alone.
    """
    hs = high_school_records(records, rules)
    return hs.filter(~pl.col("_rejected") & qualifies(periods, rules)).drop(
        "_rejected", "academic_year_id"
    )


__all__ = [
    "CARRIED_COLUMNS",
    "ENGINE_COLUMNS",
    "SENR_CODES",
    "NotCounted",
    "engine_records",
    "enrollment_records",
    "has_counting_status",
    "has_excluded_exit",
    "has_high_school_grade",
    "has_high_school_status",
    "high_school_records",
    "is_high_school",
    "is_long_short_term",
    "is_qualifying",
    "is_read",
    "is_rejected",
    "is_ungraded",
    "normalise_senr_codes",
    "normalise_senr_codes_by_value",
    "normalized_code",
    "not_counted",
    "qualifies",
    "qualifying_from",
    "record_length",
    "records_read",
    "rejection_reason",
    "rule_checks",
    "tidy_senr",
    "untidy_columns",
]
