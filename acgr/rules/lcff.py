"""The LCFF unduplicated pupil count on Census Day (docs/rules.md R10), as data and expressions.

The rule family lives in ``acgr/rules/rulesets/lcff.toml``, each value beside its
source or Decision; :func:`load_lcff_rules` reads it (or a user's file naming
``base = "lcff"``) through the same loader as the ACGR and Dashboard rule sets.

* R10.1 :meth:`LcffRules.census_day_for`: the first Wednesday of October of year A.
* R10.2 :func:`census_day_enrollments`: one enrollment per student open on Census
  Day (status 10 or 30, grade TK-12/UE/US, no N470), picked by the Decision's tie order.
* R10.4 :func:`upc_flags`: each counted flag as a column, with the record behind it.

Every step groups by SSID only, so a run may be partitioned by student.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator

from acgr.errors import RefusedError
from acgr.rules.ruleset import (
    MonthDay,
    load_settings,
)

#: The built-in LCFF rule family files.
BUILTIN_LCFF_RULES: tuple[str, ...] = ("lcff",)

#: Boolean flag columns of the student list (R10.4), in the order of CDE's cupc sheet.
SOURCE_FLAGS: tuple[str, ...] = (
    "frpm",
    "foster",
    "tribal_foster",
    "homeless",
    "migrant",
    "direct_certification",
)
#: Every flag column of the student list, the derived ones last (R10.4).
FLAGS: tuple[str, ...] = (
    *SOURCE_FLAGS,
    "unduplicated_frpm",
    "english_learner",
    "upc",
)
#: Flags whose record is kept beside them (``<flag>_file``, ``<flag>_line``).
RECORDED_FLAGS: tuple[str, ...] = (*SOURCE_FLAGS, "english_learner")


class LcffRules(BaseModel):
    """Every code, date rule and Decision of R10 (see ``lcff.toml`` for the sources)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    #: R10.1 Census Day: the ``occurrence``-th ISO ``weekday`` of ``month`` in year A.
    census_day_month: int = Field(ge=1, le=12)
    census_day_weekday: int = Field(ge=1, le=7)
    census_day_occurrence: int = Field(ge=1, le=4)
    #: R10.2 enrollment statuses counted; primary ones win the one-school tie.
    counted_primary_statuses: tuple[str, ...] = Field(min_length=1)
    counted_short_term_statuses: tuple[str, ...]
    #: R10.2 grades counted and the exit code that never counts.
    grades: tuple[str, ...] = Field(min_length=1)
    uncounted_exit_codes: tuple[str, ...]
    #: R10.2 via R4.3: school codes a schools file never overrides.
    placeholder_school_codes: tuple[str, ...]
    #: R10.4 SPRG program codes.
    meal_programs: tuple[str, ...]
    tribal_foster_program: str
    homeless_program: str
    migrant_program: str
    #: R10.4 the ELAS code that counts as English learner on Census Day.
    english_learner_status: str
    #: R10.4 the ELAS code of a status still to be determined (never EL; a finding).
    pending_english_status: str = "TBD"
    #: R10.4 directory school types whose UPC is the total enrollment.
    juvenile_court_types: tuple[str, ...]
    #: R10.3 Decision: the kindergarten age filter (None: off) and its grades.
    kindergarten_age_cutoff: MonthDay | None = None
    kindergarten_age_grades: tuple[str, ...] = ()
    #: R10.4 the first academic year (``2020-21``) each listed program code counts in.
    program_first_years: dict[str, str] = Field(default_factory=dict)

    @field_validator("program_first_years")
    @classmethod
    def _academic_years(cls, value: dict[str, str]) -> dict[str, str]:
        for code, first in value.items():
            if _YEAR.match(first) is None:
                raise ValueError(f"program {code}: {first!r} is not an academic year like 2020-21")
            if code != code.strip().upper():
                raise ValueError(f"program code {code!r}: write it trimmed, as in CALPADS")
        return value

    def programs_not_yet_counted(self, year: int) -> list[str]:
        """R10.4: the program codes whose first counted year comes after year ``year``.

        Examples:
            >>> load_lcff_rules().programs_not_yet_counted(2019)
            ['193']
            >>> load_lcff_rules().programs_not_yet_counted(2020)
            []
        """
        return sorted(
            code
            for code, first in self.program_first_years.items()
            if parse_academic_year(first) > year
        )

    def census_day_for(self, year: int) -> dt.date:
        """R10.1 Census Day of academic year ``year``-(``year``+1).

        Examples:
            >>> load_lcff_rules().census_day_for(2024)
            datetime.date(2024, 10, 2)
            >>> load_lcff_rules().census_day_for(2025)
            datetime.date(2025, 10, 1)
        """
        first = dt.date(year, self.census_day_month, 1)
        ahead = (self.census_day_weekday - first.isoweekday()) % 7
        return first + dt.timedelta(days=ahead + 7 * (self.census_day_occurrence - 1))


def load_lcff_rules(spec: str | Path | LcffRules = "lcff") -> LcffRules:
    """The LCFF rule family by built-in name or from a TOML/JSON file naming a ``base``.

    Raises:
        FileNotFoundError: ``spec`` is neither built in nor a file.
        acgr.rules.ruleset.RulesError: the file cannot be used; one line per problem.
    """
    return load_settings(LcffRules, spec, BUILTIN_LCFF_RULES, "LCFF")


_YEAR = re.compile(r"^(\d{4})-(\d{2}|\d{4})$")


def parse_academic_year(text: str) -> int:
    """Year A of an academic year written ``2024-25`` or ``2024-2025`` (R10.1).

    Raises:
        acgr.errors.RefusedError: anything else (the message quotes the text given).

    Examples:
        >>> parse_academic_year("2024-25"), parse_academic_year("2024-2025")
        (2024, 2024)
    """
    m = _YEAR.match(text.strip())
    if m is not None:
        a = int(m.group(1))
        if m.group(2) in (f"{(a + 1) % 100:02d}", str(a + 1)):
            return a
    raise RefusedError(f"--year {text!r} is not an academic year such as 2024-25")


def year_label(year: int) -> str:
    """``2024-2025``: the Academic Year column of CDE's cupc files (R10.5)."""
    return f"{year}-{year + 1}"


def academic_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """R10.4: 1 July A and 30 June A+1, the period a flag's record must overlap."""
    return dt.date(year, 7, 1), dt.date(year + 1, 6, 30)


def overlaps_year(start: pl.Expr, end: pl.Expr, year: int) -> pl.Expr:
    """R10.4: a period (blank end = still open) overlapping 1 July A - 30 June A+1."""
    first, last = academic_year_bounds(year)
    return start.is_not_null() & (start <= last) & (end.is_null() | (end >= first))


def open_on(day: dt.date, rules: LcffRules) -> pl.Expr:
    """R10.2: an engine record (``status``, ``grade``, ``start``, ``exit_date``,
    ``exit_code``) counted as an enrollment on ``day``: started by it, not exited before
    it (an exit on the day still counts), a counted status and grade, no N470 exit."""
    statuses = [*rules.counted_primary_statuses, *rules.counted_short_term_statuses]
    return (
        pl.col("status").is_in(statuses)
        & pl.col("grade").is_in(rules.grades)
        & pl.col("start").is_not_null()
        & (pl.col("start") <= day)
        & (pl.col("exit_date").is_null() | (pl.col("exit_date") >= day))
        & ~pl.col("exit_code").fill_null("").is_in(rules.uncounted_exit_codes)
    )


#: R10.2 Decision's one-school order, student first (file and line last, so the pick
#: never depends on row order); only ``start`` is sorted latest first.
_TIE_ORDER = ["ssid", "_short_term", "start", "school_code", "cds_code", "source_file",
              "source_line"]  # fmt: skip


def open_primary_on(day: dt.date, rules: LcffRules) -> pl.Expr:
    """R10.2: an engine record open on ``day`` (:func:`open_on`) with a primary status."""
    return open_on(day, rules) & pl.col("status").is_in(rules.counted_primary_statuses)


def census_day_enrollments(
    records: pl.LazyFrame, census_day: dt.date, rules: LcffRules
) -> pl.LazyFrame:
    """One row per student enrolled on Census Day, at one school (R10.2).

    ``records`` are SENR engine records with ``cds_code`` (R4.3). Decision (R10.2):
    of several open records, a primary one before a short-term one, then the latest
    start, then the lower school code, then the lower CDS code (file and line last,
    so the pick never depends on row order).
    """
    primary_first = pl.col("status").is_in(rules.counted_primary_statuses).not_().cast(pl.Int8)
    return (
        records.filter(open_on(census_day, rules))
        .with_columns(primary_first.alias("_short_term"))
        .sort(_TIE_ORDER, descending=[k == "start" for k in _TIE_ORDER], nulls_last=True)
        .unique("ssid", keep="first", maintain_order=True)
        .select(
            "ssid",
            "cds_code",
            "grade",
            "status",
            "start",
            "exit_date",
            pl.col("source_file").cast(pl.String).alias("enrollment_file"),
            pl.col("source_line").cast(pl.Int64).alias("enrollment_line"),
        )
    )


def too_young(birth_date: pl.Expr, cutoff: dt.date, rules: LcffRules) -> pl.Expr:
    """R10.3: a TK or KN enrollment (``grade``) of a child whose fifth birthday falls
    after ``cutoff`` (the setting's day in year A). An unknown birth date is never too
    young (Decision: a blank date cannot prove the child ineligible)."""
    fifth = birth_date.dt.offset_by("5y")
    return (pl.col("grade").is_in(rules.kindergarten_age_grades) & (fifth > cutoff)).fill_null(
        False
    )


def program_code() -> pl.Expr:
    """R10.4: an SPRG record's program code, trimmed and upper-cased."""
    return pl.col("education_program_code").str.strip_chars().str.to_uppercase()


def program_flag_codes(rules: LcffRules) -> pl.LazyFrame:
    """R10.4: each SPRG flag beside each program code that sets it (``code``, ``flag``);
    a code listed under two flags sets both."""
    pairs = [
        *((code, "frpm") for code in rules.meal_programs),
        (rules.tribal_foster_program, "tribal_foster"),
        (rules.homeless_program, "homeless"),
        (rules.migrant_program, "migrant"),
    ]
    return pl.LazyFrame(
        {"code": [c for c, _ in pairs], "flag": [f for _, f in pairs]},
        schema={"code": pl.String, "flag": pl.String},
    )


#: The flags an SPRG membership sets (R10.4), as :func:`program_flag_codes` names them.
PROGRAM_FLAGS: tuple[str, ...] = ("frpm", "tribal_foster", "homeless", "migrant")


def _flag_frame(records: pl.LazyFrame, flag: str) -> pl.LazyFrame:
    """``ssid``, ``flag`` (True) and its record as ``<flag>_file``/``<flag>_line``."""
    return records.select(
        pl.col("ssid"),
        pl.lit(True).alias(flag),
        pl.col("source_file").cast(pl.String).alias(f"{flag}_file"),
        pl.col("source_line").cast(pl.Int64).alias(f"{flag}_line"),
    )


def _first_records(frame: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """The first record (lowest file, then line) of each ``keys`` group; a minimum,
    not the row order, picks it, and ``min_by`` finds it without sorting each group
    (a categorical file name orders by its text, so it need not be cast first)."""
    order = pl.struct("source_file", "source_line")
    # min_by, not get(arg_min): a struct arg_min in a group_by gives null (Polars 2.1).
    return frame.group_by(keys).agg(
        pl.col("source_file").min_by(order), pl.col("source_line").min_by(order)
    )


def program_flags(sprg: pl.LazyFrame, year: int, rules: LcffRules) -> list[pl.LazyFrame]:
    """R10.4 SPRG flags (FRPM, tribal foster, homeless, migrant), one frame per flag in
    :data:`PROGRAM_FLAGS` order, each with a row for every student holding it and the
    first record behind it: a membership overlapping the academic year at any school,
    of a program code counted in that year (``program_first_years``)."""
    counted = overlaps_year(
        pl.col("education_program_membership_start_date"),
        pl.col("education_program_membership_end_date"),
        year,
    ) & ~program_code().is_in(rules.programs_not_yet_counted(year))
    memberships = _first_records(
        sprg.filter(counted)
        .with_columns(program_code().alias("code"))
        .join(program_flag_codes(rules), on="code", how="inner"),
        ["ssid", "flag"],
    )
    return [_flag_frame(memberships.filter(pl.col("flag") == f), f) for f in PROGRAM_FLAGS]


def side_flag(table: pl.LazyFrame | None, keep: pl.Expr, flag: str) -> pl.LazyFrame:
    """A flag from a side table (foster match, direct certification; R10.4): a row for
    every SSID with a row passing ``keep``, and the first such row's file and line."""
    if table is None:
        schema = {"ssid": pl.String, flag: pl.Boolean, f"{flag}_file": pl.String,
                  f"{flag}_line": pl.Int64}  # fmt: skip
        return pl.LazyFrame(schema=schema)
    return _flag_frame(_first_records(table.filter(keep), ["ssid"]), flag)


def direct_cert_of_year(year: int) -> pl.Expr:
    """R10.4: a direct-certification row for academic year A (``2024-25`` or ``2024-2025``)."""
    text = pl.col("academic_year").str.strip_chars()
    return text.is_in([f"{year}-{(year + 1) % 100:02d}", f"{year}-{year + 1}"]).fill_null(False)


def english_learner_on(statuses: pl.LazyFrame, rules: LcffRules) -> pl.LazyFrame:
    """R10.4: students whose ELAS status on Census Day is EL, with the SELA record
    behind it. ``statuses`` are :func:`~acgr.rules.groups.english_status_holding_on`
    on Census Day (R5.3's periods and same-day tie rule; no primary-language filter)."""
    return statuses.filter(pl.col("status") == rules.english_learner_status).select(
        "ssid",
        pl.lit(True).alias("english_learner"),
        pl.col("source_file").cast(pl.String).alias("english_learner_file"),
        pl.col("source_line").alias("english_learner_line"),
    )


def upc_flags(juvenile_court: pl.Expr) -> list[pl.Expr]:
    """R10.4 derived flags from the source flags (absent = False): Unduplicated FRPM
    Eligible (any of six), and UPC (that or EL; every student at a juvenile court school)."""
    unduplicated = pl.any_horizontal(pl.col(f).fill_null(False) for f in SOURCE_FLAGS)
    el = pl.col("english_learner").fill_null(False)
    return [
        *(pl.col(f).fill_null(False) for f in SOURCE_FLAGS),
        unduplicated.alias("unduplicated_frpm"),
        el,
        (unduplicated | el | juvenile_court).alias("upc"),
    ]


__all__ = [
    "BUILTIN_LCFF_RULES",
    "FLAGS",
    "PROGRAM_FLAGS",
    "RECORDED_FLAGS",
    "SOURCE_FLAGS",
    "LcffRules",
    "academic_year_bounds",
    "census_day_enrollments",
    "direct_cert_of_year",
    "english_learner_on",
    "load_lcff_rules",
    "open_on",
    "open_primary_on",
    "overlaps_year",
    "parse_academic_year",
    "program_code",
    "program_flag_codes",
    "program_flags",
    "side_flag",
    "too_young",
    "upc_flags",
    "year_label",
]
