"""Rule sets: every code table, date and threshold of docs/rules.md as data (R7).

A rule set is a pydantic model. The two built-in sets, ``2018`` (R7.1, the
default) and ``legacy`` (R7.2), live as TOML files in ``acgr/rules/rulesets/``. A user
runs a variant without code changes by writing a TOML or JSON file that names a
``base`` rule set and overrides some keys, for example a 30 June summer cutoff::

    base = "2018"
    name = "2018-june-cutoff"
    [summer_cutoff]
    month = 6
    day = 30

Every *Decision* of docs/rules.md is meant to be a named field here, documented
where it is declared, never a hidden branch in the engine (R7.3); the few still
fixed in code are listed there.

A file that cannot be used raises :class:`RulesError`, one line per problem. A
loaded rule set says where it came from and what it overrides
(:meth:`RuleSet.provenance`), and which classes it covers
(:meth:`RuleSet.check_class_of`, R7.1/R7.2). The same reader
(:func:`read_settings_file`, :func:`validate_settings`) reads the Dashboard rules of
:mod:`acgr.tools.dashboard`, with the same messages.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import functools
import json
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from acgr.errors import AcgrError

#: A settings model read from TOML/JSON by the one loader (:func:`read_settings_file`).
SettingsT = TypeVar("SettingsT", bound=BaseModel)


class Outcome(StrEnum):
    """The outcome of a cohort student (R3.6), spelled as in ``students.parquet``."""

    GRADUATE = "Graduate"
    SPED_CERTIFICATE = "SPED Certificate"
    ADULT_ED_DIPLOMA = "Adult Ed. HS Diploma"
    GED_COMPLETER = "GED Completer"
    CHSPE_COMPLETER = "CHSPE Completer"
    OTHER_TRANSFER = "Other Transfer"
    DROPOUT = "Dropout"
    STILL_ENROLLED = "Still Enrolled"
    REMOVED = "Removed"


#: Non-graduate completer sub-categories (R3.2), in no particular order.
COMPLETER_OUTCOMES: tuple[Outcome, ...] = (
    Outcome.SPED_CERTIFICATE,
    Outcome.ADULT_ED_DIPLOMA,
    Outcome.GED_COMPLETER,
    Outcome.CHSPE_COMPLETER,
)

#: Outcomes a final exit code may map to under R3.4: values of :class:`Outcome`, spelled
#: out because a Literal of enum members would make pydantic's messages (R7.3) name
#: ``<Outcome.REMOVED: 'Removed'>``; tests/rules/test_rules.py checks they are outcomes.
ExitOutcome = Literal["Removed", "Other Transfer", "Dropout"]

#: The inputs of a run: the four record types and the optional side tables.
InputName = Literal["senr", "sinf", "sprg", "sela", "foster", "direct_cert"]


class MonthDay(BaseModel):
    """A day of the year, e.g. the 15 August summer cutoff (R2.3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @model_validator(mode="after")
    def _exists_every_year(self) -> MonthDay:
        # in_year() builds this day in every class's calendar year, so a day that
        # some years lack (31 June, 29 February) would fail in the middle of a run.
        # 2001 is a common year: its months have the days that every year has.
        days = calendar.monthrange(2001, self.month)[1]
        if self.day > days:
            raise ValueError(
                f"month {self.month} has no day {self.day} in every year; the day must be 1-{days}"
            )
        return self

    def in_year(self, year: int) -> dt.date:
        """This day in calendar ``year``."""
        return dt.date(year, self.month, self.day)


class ExtractionFrom(MonthDay):
    """A default extraction day of the year that applies from ``from_class`` on (R2.3)."""

    from_class: int = Field(ge=1000, le=9999)


class ExitRule(BaseModel):
    """What a final exit code means (R3.4), and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: ExitOutcome
    #: True for T160/T165/T167: a dropout only when no later enrollment exists
    #: (a *lost transfer*, R3.4); the later record decides otherwise.
    lost_transfer: bool = False
    #: The Decision (docs/rules.md) this row rests on, when CDE documentation is silent.
    decision: str | None = None


class InputNeeds(BaseModel):
    """Which inputs measure one reporting category (R5), so a run knows what it lacks.

    Decision (docs/rules.md, Decisions): a category none of whose ``measured_by`` inputs
    was read is not measured; its rows are left out of the published file,
    never published as zeros, and the run says so. A missing ``completed_by``
    input leaves the rows standing with a warning (the group is undercounted).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    measured_by: tuple[InputName, ...]
    completed_by: tuple[InputName, ...] = ()


class GroupRules(BaseModel):
    """Student-group definitions (docs/rules.md R5), as data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: R5.1 SINF race code -> race reporting category.
    race_codes: dict[str, str]
    #: R5.1 category of a Hispanic student, of two or more groups, of none.
    hispanic_category: str
    multiple_category: str
    not_reported_category: str
    #: R5.2 SINF/SENR gender code -> category; anything else -> ``gender_missing``.
    gender_codes: dict[str, str]
    gender_missing: str
    #: R5.3 the English-learner status and the primary languages that exclude it.
    english_learner_status: str
    english_only_languages: tuple[str, ...]
    #: R5.4 program codes: disabilities (SD), migrant (SM), homeless (SH).
    disability_program: str
    migrant_program: str
    homeless_program: str
    #: R5.5 tribal foster youth program (SF).
    tribal_foster_program: str
    #: R5.6 meal programs, the older code and the last day it counts from.
    meal_programs: tuple[str, ...]
    legacy_meal_program: str
    legacy_meal_program_until: dt.date
    #: R5.6 parent/guardian education code meaning "not a high-school graduate".
    parent_not_hs_graduate: str
    #: Reporting category -> the inputs that measure it (see :class:`InputNeeds`).
    inputs: dict[str, InputNeeds]


class CalpadsCodes(BaseModel):
    """CALPADS code sets and code roles the data-quality checks use (validation.py).

    Sources: the CALPADS code sets and input-validation rules (SENR0302, SENR0522,
    SENR0523, SENR0018: https://documentation.calpads.org/Troubleshooting/SENR/);
    docs/findings.md lists the findings they raise.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Enrollment status code set (GERR0002).
    status_codes: tuple[str, ...]
    #: Grade level code set (GERR0002; UE/US/UU retired but still readable).
    grade_codes: tuple[str, ...]
    #: Exit codes valid only below grade 9 (not in the ACGR exit table).
    lower_grade_exit_codes: tuple[str, ...]
    #: Secondary enrollment status and the exits it allows (SENR0302).
    secondary_status: str
    secondary_exits: tuple[str, ...]
    #: Non-ADA status and the exits it allows (SENR0522).
    non_ada_status: str
    non_ada_exits: tuple[str, ...]
    #: The non-primary exit and the statuses it requires (SENR0523).
    non_primary_exit: str
    non_primary_statuses: tuple[str, ...]
    #: The no-show exit: dated on or the day before the start (SENR0018), never
    #: a primary enrollment (SENR0027), never a later enrollment (SENR0586).
    no_show_exit: str
    #: A prior-year enrollment must be exited before this day of the calendar year
    #: its academic year ends in (SENR0317 / CERT112: 16 August).
    prior_year_exit_deadline: MonthDay


class FiveYearRules(BaseModel):
    """The fifth year of a class (docs/rules.md R9), as data.

    Each date is a day of the year plus a year offset counted from the class's
    year Y, so the class of 2017's fifth-year cutoff is 15 August 2018.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: R9.2 last day (inclusive) a fifth-year graduation may be dated, in year Y + offset.
    cutoff: MonthDay
    cutoff_year_offset: int = Field(ge=1)
    #: R9.2 Decision: the fifth year's extraction date when none is given, in year Y + offset.
    default_extraction_date: MonthDay
    extraction_year_offset: int = Field(ge=1)
    #: R9.2 the exit code and completion statuses of a fifth-year graduation (E230/100).
    graduating_exit_code: str
    graduating_completions: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _extraction_not_before_cutoff(self) -> FiveYearRules:
        # Like R2.3's default: a default X before the cutoff would, on every run
        # relying on it, hide graduations dated between X and the cutoff.
        x = (self.extraction_year_offset, self.default_extraction_date.month,
             self.default_extraction_date.day)  # fmt: skip
        cutoff = (self.cutoff_year_offset, self.cutoff.month, self.cutoff.day)
        if x < cutoff:
            raise ValueError(
                "five_year.default_extraction_date falls before five_year.cutoff; the "
                "fifth year's extract must be taken on or after its cutoff (R9.2)"
            )
        return self

    def cutoff_for(self, class_of: int) -> dt.date:
        """The fifth-year cutoff of ``class_of`` (R9.2): 15 August of Y+1 under ``2018``."""
        return self.cutoff.in_year(class_of + self.cutoff_year_offset)

    def extraction_date_for(self, class_of: int) -> dt.date:
        """The default fifth-year extraction date of ``class_of`` (R9.2 Decision)."""
        return self.default_extraction_date.in_year(class_of + self.extraction_year_offset)


class StudentListRules(BaseModel):
    """The student list's words (``students.csv``, the Report 15.2 equivalent), as data.

    Source: CALPADS Report 15.2, Cohort Outcome - Student Details
    (https://documentation.calpads.org/Reports/Accountability/Report15.2_CohortOutcomeStudentDetails/),
    whose export names each student's ``CohortCategory``. Where a word has not been seen in an
    export, the rule set says so beside it (a Decision).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Outcome (R3.6) -> the CohortCategory word of Report 15.2; every outcome has one.
    categories: dict[Outcome, str]

    @model_validator(mode="after")
    def _every_outcome_named(self) -> StudentListRules:
        # A student with an outcome the table lacks would get no category: refused at load.
        missing = [str(o) for o in Outcome if o not in self.categories]
        if missing:
            raise ValueError(f"student_list.categories lacks {', '.join(missing)}")
        words = list(self.categories.values())
        if len(set(words)) != len(words):
            raise ValueError("student_list.categories gives two outcomes the same word")
        return self


@dataclass(frozen=True)
class _Origin:
    """How a rule set was made: by name, from a file, or in code (R7.3)."""

    kind: Literal["built-in", "file", "code"]
    #: The built-in rule set the settings are compared with: a file's ``base``,
    #: or the built-in itself. None when there is nothing to compare with.
    base: str | None = None
    #: The file, as it was given to the loader.
    file: str | None = None


class Override(BaseModel):
    """One setting of a rule set that differs from its base (R7.3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Dotted key, e.g. ``summer_cutoff.month`` or ``exit_outcomes.T260.outcome``.
    key: str
    #: ``changed``: both have the key; ``added``: a new entry of a code table;
    #: ``removed``: the base has a key this rule set lacks.
    change: Literal["changed", "added", "removed"]
    #: The value here and in the base, as JSON values (None where absent).
    value: Any = None
    base_value: Any = None

    def text(self) -> str:
        """``summer_cutoff.month 8 → 6``; absent sides read ``(absent)``."""
        old = "(absent)" if self.change == "added" else _shown(self.base_value, None)
        new = "(absent)" if self.change == "removed" else _shown(self.value, None)
        return f"{self.key} {old} → {new}"


class Provenance(BaseModel):
    """Where a loaded rule set came from and every setting it overrides (R7.3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    #: ``built-in`` (loaded by name), ``file`` (read from a TOML/JSON file) or
    #: ``code`` (built in Python, not through :func:`load_rules`).
    origin: Literal["built-in", "file", "code"]
    #: The built-in rule set the settings are compared with: a file's ``base``,
    #: or for a built-in the rule set itself. None for a file without a base and
    #: for a rule set made in code: nothing to compare with.
    base: str | None
    #: The file it was read from, as given; None unless ``origin`` is ``file``.
    file: str | None
    #: Every setting that differs from ``base`` (``name`` and ``description``
    #: are labels, not settings, and are left out).
    overrides: tuple[Override, ...] = ()

    def summary(self) -> str:
        """One line for a run summary, e.g.

        ``2018-june-cutoff: base 2018, file june.toml, 2 settings overridden
        (summer_cutoff.month 8 → 6, summer_cutoff.day 15 → 30)`` (on one line).
        """
        if self.origin == "built-in":
            said = "built-in rule set"
            if self.base != self.name:
                said += f" {self.base}"
            if not self.overrides:
                return f"{self.name}: {said}"
            said += ", changed in code"
        elif self.origin == "file":
            said = f"file {self.file}, no base (every setting from the file)"
            if self.base is not None:
                said = f"base {self.base}, file {self.file}"
        else:
            return f"{self.name}: made in code, not loaded by name or from a file (no base)"
        if self.base is None:
            return f"{self.name}: {said}"
        n = len(self.overrides)
        if n == 0:
            return f"{self.name}: {said}, no setting overridden"
        changes = ", ".join(o.text() for o in self.overrides)
        return f"{self.name}: {said}, {n} setting{'s' if n > 1 else ''} overridden ({changes})"

    def as_dict(self) -> dict[str, Any]:
        """The same as plain JSON data, for a JSON or CSV output."""
        return self.model_dump(mode="json")


class RuleSet(BaseModel):
    """All data the ACGR engine needs; see docs/rules.md R1-R4, R6 and R7.

    Field names say what each value means; the docstring of each field cites its
    rule id. Load one with :func:`load_rules`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""

    # R7.1, R7.2 - the classes a rule set applies to
    #: The first class (expected graduation year Y) the rule set applies to.
    first_class: int = Field(ge=1000, le=9999)
    #: The last class it applies to; None (the key left out of the file) for no
    #: upper bound.
    last_class: int | None = Field(default=None, ge=1000, le=9999)

    # R1 - which records count
    #: R1.1 grade levels of high-school records.
    grade_levels: tuple[str, ...]
    #: R1.1 enrollment statuses that always qualify (10 primary).
    primary_statuses: tuple[str, ...]
    #: R1.1 statuses that qualify only when the enrollment lasted long enough (30).
    short_term_statuses: tuple[str, ...]
    #: R1.2 Decision: a short-term record qualifies when its length in calendar
    #: days, (exit date or extraction date) - start date, is greater than this.
    short_term_min_days: int = Field(ge=0)
    #: R1.1 exit codes whose records are ignored altogether.
    excluded_exit_codes: tuple[str, ...]
    #: R1.4 Decision: this grade (ungraded secondary) never qualifies; each such
    #: record is a warning finding.
    ungraded_secondary_grade: str

    # R2 - cohort membership and periods
    #: First day of an academic year (1 July).
    academic_year_start: MonthDay
    #: R2.3 last day of the outcome period in Year4 (the summer cutoff, inclusive).
    summer_cutoff: MonthDay
    #: R2.3 Decision: default extraction date, in the calendar year of the class, for
    #: classes before the first entry of ``extraction_dates``.
    default_extraction_date: MonthDay
    #: R2.3 CDE's published pull dates: from each class on (until the next entry) the
    #: default extraction date is this day of the class's calendar year.
    extraction_dates: tuple[ExtractionFrom, ...] = ()
    #: R2.3 Decision: an extraction date before this day of year Y (the school year not
    #: yet over) is refused; from it up to the summer cutoff it is a warning (ACGR0006).
    earliest_extraction_date: MonthDay = MonthDay(month=7, day=1)

    # R3 - outcomes
    #: The exit code of a completer record (E230).
    completer_exit_code: str
    #: R3.1/R3.2/R3.4 completion status on an E230 record -> outcome. Codes
    #: absent from this table make the record a fatal finding (R3.4.1).
    completion_outcomes: dict[str, Outcome]
    #: R3.2 Decision: when several completer records compete, the latest exit
    #: date wins, then the code listed first here.
    completer_tie_order: tuple[str, ...]
    #: R3.4 final exit code -> outcome; codes absent (and not excluded by R1.1)
    #: make the record a fatal finding (R3.4.1).
    exit_outcomes: dict[str, ExitRule]

    # R4 - attribution
    #: R4.3 school codes that are placeholders, never looked up in a directory
    #: (0000000 district office, 0000001 nonpublic school).
    placeholder_school_codes: tuple[str, ...] = ("0000000", "0000001")

    # R5 - student groups
    groups: GroupRules

    # R9 - five-year graduates
    five_year: FiveYearRules

    # The student list (students.csv, Report 15.2 words)
    student_list: StudentListRules

    # Data-quality checks (CALPADS code sets)
    calpads: CalpadsCodes

    # R6 - output
    #: R6.4 a row whose cohort is at most this many students is starred.
    suppression_max_cohort: int = Field(ge=0)
    #: R6.4 race reporting categories; RD is starred when any of these is.
    race_categories: tuple[str, ...]
    #: R6.4 the Not Reported race category.
    not_reported_category: str
    #: docs/formats.md: classes from this year on use the 36-column layout (CPP).
    wide_layout_from_class: int
    #: Decision (docs/rules.md, Decisions): codes that do not apply to an aggregate row.
    #: ``empty`` leaves them blank (as on the state row, R6.5); ``zeros``
    #: writes 00000 / 0000000 as some older CDE files did.
    aggregate_row_codes: Literal["empty", "zeros"] = "empty"
    #: Decision (docs/rules.md, Decisions): the summaries call the extract's scope "the state"
    #: only when its cohort's schools lie in at least this many counties (the state's cohort
    #: spans 57 of the 58: Alpine has no high school); otherwise they name the LEAs or counties.
    statewide_min_counties: int = Field(default=57, ge=1)

    #: Where the rule set came from (see :meth:`provenance`); set by the loader,
    #: never by a file, so a file cannot claim to be something it is not.
    _origin: _Origin = PrivateAttr(default_factory=lambda: _Origin("code"))

    # What the inputs must show for a class to be answered at all
    #: Decision (docs/rules.md, Decisions): SENR records whose latest date (start or exit,
    #: on or before X) falls before this day of year Y end before the class's
    #: Year4 is half over; the run warns (ACGR0005) that most outcomes are not
    #: in them.
    data_should_reach: MonthDay

    @model_validator(mode="after")
    def _tables_agree(self) -> RuleSet:
        missing = [c for c in self.completer_tie_order if c not in self.completion_outcomes]
        if missing:
            raise ValueError(f"completer_tie_order names unknown completion codes {missing}")
        overlap = set(self.excluded_exit_codes) & set(self.exit_outcomes)
        if overlap:
            raise ValueError(f"codes both excluded and mapped: {sorted(overlap)}")
        if self.last_class is not None and self.last_class < self.first_class:
            raise ValueError(
                f"last_class {self.last_class} is before first_class {self.first_class}"
            )
        # R2.3: the days fall in the calendar year of the class. A default X before the
        # school year is over would make every run that relies on it read half a year.
        earliest = self.earliest_extraction_date
        for where, x in (
            ("default_extraction_date", self.default_extraction_date),
            *((f"extraction_dates from {e.from_class}", e) for e in self.extraction_dates),
        ):
            if (x.month, x.day) < (earliest.month, earliest.day):
                raise ValueError(
                    f"{where}: {x.month}-{x.day} is before earliest_extraction_date "
                    f"{earliest.month}-{earliest.day} (R2.3)"
                )
        froms = [e.from_class for e in self.extraction_dates]
        if froms != sorted(set(froms)):
            raise ValueError(f"extraction_dates must be in increasing from_class order: {froms}")
        return self

    def extraction_date_for(self, class_of: int) -> dt.date:
        """The default extraction date X of ``class_of`` (R2.3): the latest entry of
        ``extraction_dates`` whose ``from_class`` is not after it, else
        ``default_extraction_date``, in the calendar year of the class.

        Examples:
            >>> rules = load_rules("2018")
            >>> [rules.extraction_date_for(y).isoformat() for y in (2018, 2024, 2030)]
            ['2018-09-15', '2024-08-16', '2030-07-31']
        """
        day: MonthDay = self.default_extraction_date
        for entry in self.extraction_dates:
            if entry.from_class <= class_of:
                day = entry
        return day.in_year(class_of)

    # ---- the classes it applies to (R7.1, R7.2) ---------------------------------------
    def classes_text(self) -> str:
        """The classes covered, in words: ``classes of 2017 on``, ``classes of 2010-2016``."""
        if self.last_class is None:
            return f"classes of {self.first_class} on"
        if self.last_class == self.first_class:
            return f"the class of {self.first_class}"
        return f"classes of {self.first_class}-{self.last_class}"

    def covers(self, class_of: int) -> bool:
        """True when ``class_of`` is among the classes this rule set applies to (R7.1, R7.2)."""
        return self.first_class <= class_of and (
            self.last_class is None or class_of <= self.last_class
        )

    def check_class_of(self, class_of: int) -> None:
        """Raise ``ValueError`` unless this rule set applies to ``class_of`` (R7.1, R7.2).

        ``class_of`` is the four-digit expected graduation year Y; a two-digit
        year (``18``) is refused with that advice rather than read as 2018, since
        guessing the century would be an answer nobody asked for.
        """
        covered = f"the {self.name} rule set covers {self.classes_text()}"
        if not 1000 <= class_of <= 9999:
            raise ValueError(f"class of {class_of}: {covered}; give the four-digit year")
        if self.covers(class_of):
            return
        other = _builtin_for(class_of)
        hint = f" (the {other} rule set covers it)" if other not in (None, self.name) else ""
        raise ValueError(f"class of {class_of}: {covered}{hint}")

    # ---- where it came from (R7.3) ----------------------------------------------------
    def provenance(self) -> Provenance:
        """Where this rule set came from and what it changes in its base (R7.3).

        The overrides are worked out now, from the settings as they are, against
        the built-in base: a rule set changed in code after loading
        (``model_copy(update=...)``) reports those changes too.
        """
        origin = self._origin
        overrides: tuple[Override, ...] = ()
        if origin.base is not None:
            overrides = _differences(_builtin_settings(origin.base), _settings(self))
        return Provenance(
            name=self.name,
            origin=origin.kind,
            base=origin.base,
            file=origin.file,
            overrides=overrides,
        )

    # ---- derived views used by the engine -------------------------------------------
    def graduate_completions(self) -> list[str]:
        """Completion codes that make an E230 record a graduation (R3.1)."""
        return sorted(c for c, o in self.completion_outcomes.items() if o is Outcome.GRADUATE)

    def completer_completions(self) -> list[str]:
        """Completion codes of non-graduate completers (R3.2)."""
        return sorted(c for c, o in self.completion_outcomes.items() if o in COMPLETER_OUTCOMES)

    def late_completion_codes(self) -> list[str]:
        """Completions that re-open a Dropout/Other Transfer as Still Enrolled (R3.5)."""
        return sorted(self.graduate_completions() + self.completer_completions())

    def known_exit_codes(self) -> list[str]:
        """Every exit code the rule set understands (R3.4.1)."""
        return sorted({*self.exit_outcomes, *self.excluded_exit_codes, self.completer_exit_code})


BUILTIN_RULE_SETS: tuple[str, ...] = ("2018", "legacy")


class RulesError(AcgrError, ValueError):
    """A rule-set file that cannot be used, with one line per problem (R7.3).

    ``problems`` holds every problem found, each one line that names its dotted
    key (``summer_cutoff.mnth``), or the line of a syntax error, so a user fixes
    them all in one pass. ``str()`` is :meth:`lines` joined by newlines.
    """

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        # One line each: a multi-line problem would break "one line per problem".
        self.problems: tuple[str, ...] = tuple(" ".join(p.split()) for p in problems)
        super().__init__("\n".join(self.lines()))

    def __reduce__(self) -> tuple[type[RulesError], tuple[str, tuple[str, ...]]]:
        # The default would call RulesError(message) and fail (two arguments).
        return (RulesError, (self.source, self.problems))

    def lines(self) -> list[str]:
        """``rules file F: PROBLEM`` for one problem; else a count, then one per problem."""
        head = f"rules file {self.source}"
        if len(self.problems) == 1:
            return [f"{head}: {self.problems[0]}"]
        return [f"{head}: {len(self.problems)} problems", *(f"  {p}" for p in self.problems)]

    @classmethod
    def syntax(
        cls, source: str, exc: tomllib.TOMLDecodeError | json.JSONDecodeError, text: str
    ) -> RulesError:
        """The file is not valid TOML or JSON: the line (and column) and the parser's words."""
        if isinstance(exc, json.JSONDecodeError):
            where = f"line {exc.lineno}, column {exc.colno}"
            return cls(source, [f"{where}: not valid JSON: {exc.msg}"])
        # tomllib (3.11-3.13) gives the place only inside its message.
        message = str(exc)
        at = re.search(r" \(at line (\d+), column (\d+)\)$", message)
        if at:
            where = f"line {at[1]}, column {at[2]}"
            message = message[: at.start()]
        else:
            message = message.removesuffix(" (at end of document)")
            where = f"line {max(len(text.splitlines()), 1)} (the end of the file)"
        return cls(source, [f"{where}: not valid TOML: {message}"])

    @classmethod
    def encoding(cls, source: str, raw: bytes, exc: UnicodeDecodeError) -> RulesError:
        """The file is not UTF-8 text: the line of the first bad byte."""
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex().upper()
        return cls(source, [f"line {line}: not UTF-8 text (byte 0x{byte}); save it as UTF-8"])

    @classmethod
    def unknown_base(
        cls, source: str, base: object, builtins: Sequence[str] = BUILTIN_RULE_SETS
    ) -> RulesError:
        """``base`` names none of the ``builtins``: say which ones exist."""
        choices = ", ".join(builtins)
        by_class = tuple(builtins) == BUILTIN_RULE_SETS  # only ACGR rule sets cover classes
        if by_class and isinstance(base, str) and base.isdigit() and len(base) == 4:
            # A year ("2016") means the rules of that class, not the nearest spelling.
            close = _for_class(int(base))
        elif isinstance(base, str):
            close = _did_you_mean(base, builtins)
        elif str(base) in builtins:
            # TOML reads base = 2018 as a number; the name is the text "2018".
            close = f' (a number: write base = "{base}")'
        else:
            close = f" (a {type(base).__name__}, not a name)"
        return cls(source, [f"unknown base {_shown(base)}{close}; the built-in choices: {choices}"])

    @classmethod
    def invalid(
        cls,
        source: str,
        exc: ValidationError,
        *,
        has_base: bool,
        model: type[BaseModel] | None = None,
        builtins: Sequence[str] = BUILTIN_RULE_SETS,
    ) -> RulesError:
        """Every key and value pydantic refused, one line each, in the file's terms.

        ``model`` is the settings model the file was validated as (default
        :class:`RuleSet`), ``builtins`` the names its ``base`` may take.
        """
        root = RuleSet if model is None else model
        problems: list[str] = []
        missing: dict[tuple[str | int, ...], list[str]] = {}
        for err in exc.errors(include_url=False):
            loc: tuple[str | int, ...] = tuple(err["loc"])
            kind = err["type"]
            if kind == "missing":
                # Grouped by level: a file without a base may miss dozens of keys.
                missing.setdefault(loc[:-1], []).append(_dotted(loc))
            elif kind == "extra_forbidden":
                problems.append(_unknown_key(root, loc))
            else:
                problems.append(_wrong_value(root, loc, kind, err["msg"], err.get("input")))
        hint = (
            ""
            if has_base
            else "; a file without base sets every setting "
            f'(base = "{builtins[0]}" starts from a built-in)'
        )
        problems += [f"missing {', '.join(keys)}{hint}" for keys in missing.values()]
        return cls(source, problems)


def _shown(value: Any, limit: int | None = 60) -> str:
    """A value as the user would write it in JSON (close to TOML), cut at ``limit`` characters.

    Error lines cut long values (a whole table) to stay readable; provenance
    passes ``limit=None`` since what a rule set changed must be said in full.
    """
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _dotted(loc: Sequence[str | int]) -> str:
    """``("summer_cutoff", "month")`` -> ``summer_cutoff.month``; list items as ``[0]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _builtin_for(class_of: int) -> str | None:
    """The built-in rule set for ``class_of``: of those that cover it, the one starting latest.

    legacy covers every class from 2010 (R7.2 Decision, for compare-rules), so
    "covers" alone would offer it for the class of 2019 too.
    """
    covering = [r for r in map(load_rules, BUILTIN_RULE_SETS) if r.covers(class_of)]
    return max(covering, key=lambda r: r.first_class).name if covering else None


def _for_class(class_of: int) -> str:
    """`` (for the class of 2016: legacy)``, said of a base that looks like a year."""
    name = _builtin_for(class_of)
    if name is None:
        return f" (no built-in rule set covers the class of {class_of})"
    return f" (for the class of {class_of}: {name})"


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model whose keys sit at ``loc`` of ``root`` (None: a code table, a list)."""
    current: Any = root
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) is dict:
            current = get_args(current)[1]  # one entry of a code table
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _keys_at(root: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    model = _model_at(root, loc)
    keys = list(model.model_fields) if model is not None else []
    return [*keys, "base"] if not loc else keys  # base is read before validation


def _unknown_key(root: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    keys = _keys_at(root, loc[:-1])
    close = _did_you_mean(str(loc[-1]), keys)
    return f"{_dotted(loc)}: unknown key{close}; valid keys here: {', '.join(keys)}"


def _wrong_value(
    root: type[BaseModel], loc: tuple[str | int, ...], kind: str, msg: str, value: Any
) -> str:
    where = f"{_dotted(loc)}: " if loc else ""
    if kind in ("value_error", "assertion_error"):
        # Our own validators: their message already names the values.
        return where + msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        keys = _keys_at(root, loc)
        allowed = f"a table with keys {', '.join(keys)}" if keys else "a table"
        return f"{where}{_shown(value)} is not allowed; it should be {allowed}"
    # pydantic says "Input should be ..."; a TOML user writes lists, not tuples.
    allowed = msg.removeprefix("Input ").replace("a valid tuple", "a list")
    return f"{where}{_shown(value)} is not allowed; it {allowed}"


def merge_settings(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Override ``base`` key by key; nested tables (code tables) are merged recursively."""
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        merged[key] = (
            merge_settings(old, value)
            if isinstance(value, dict) and isinstance(old, dict)
            else value
        )
    return merged


def _parse(source: str, raw: bytes, suffix: str) -> dict[str, Any]:
    """The table of settings in a TOML or JSON file (R7.3), or a :class:`RulesError`."""
    try:
        # utf-8-sig: Windows editors may start the file with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RulesError.encoding(source, raw, exc) from None
    try:
        data: Any = json.loads(text) if suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RulesError.syntax(source, exc, text) from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise RulesError(source, [f"the file holds a {kind}, not a table of settings"])
    return data


def builtin_source(name: str) -> str:
    """Where the built-in settings file ``name`` lives, as error messages name it."""
    return f"acgr/rules/rulesets/{name}.toml"


def builtin_settings(name: str) -> dict[str, Any]:
    """The settings of the built-in file ``name`` (rule set or Dashboard rules), base merged in."""
    raw = resources.files("acgr.rules.rulesets").joinpath(f"{name}.toml").read_bytes()
    data = _parse(builtin_source(name), raw, ".toml")
    base = data.pop("base", None)
    return data if base is None else merge_settings(builtin_settings(base), data)


@dataclass(frozen=True)
class SettingsFile:
    """A TOML or JSON settings file as read, before validation (R7.3)."""

    #: The file, as it was given (error messages name it so).
    source: str
    #: The file's own settings, ``base`` taken out.
    own: dict[str, Any]
    #: The built-in it names as ``base``, if any.
    base: str | None
    #: ``own`` merged over the base's settings (``own`` itself without a base).
    data: dict[str, Any]


def read_settings_file(path: Path, builtins: Sequence[str]) -> SettingsFile:
    """Read a settings file whose ``base``, if any, is one of ``builtins`` (R7.3).

    The one reader of rule-set and Dashboard-rules files.

    Raises:
        RulesError: the file cannot be read, is not UTF-8 TOML/JSON holding a
            table, or names an unknown base; one line per problem.
    """
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesError(source, [f"cannot be read ({exc.strerror or exc})"]) from None
    own = _parse(source, raw, path.suffix.lower())
    base = own.pop("base", None)
    data = own
    if base is not None:
        if not isinstance(base, str) or base not in builtins:
            raise RulesError.unknown_base(source, base, builtins)
        data = merge_settings(builtin_settings(base), own)
    return SettingsFile(source=source, own=own, base=base, data=data)


def load_settings(
    model: type[SettingsT], spec: str | Path | SettingsT, builtins: Sequence[str], what: str
) -> SettingsT:
    """A rule family's settings (Dashboard, LCFF, DA …) by built-in name or from a file.

    A file may name one of ``builtins`` as its ``base`` and override some keys; it is read
    and checked as rule-set files are (R7.3). ``what`` names the family in messages.

    Raises:
        FileNotFoundError: ``spec`` is neither a built-in name nor a file.
        RulesError: the file cannot be used (syntax, unknown keys, wrong values,
            unknown base); one line per problem.
    """
    if isinstance(spec, model):
        return spec
    if isinstance(spec, str) and spec in builtins:
        source, data, has_base = builtin_source(spec), builtin_settings(spec), True
    else:
        path = Path(str(spec))
        if not path.is_file():
            raise FileNotFoundError(f"{what} rules {str(spec)!r} are neither built in nor a file")
        read = read_settings_file(path, builtins)
        source, data, has_base = read.source, read.data, read.base is not None
    return validate_settings(model, source, data, has_base=has_base, builtins=builtins)


def settings_provenance(
    settings: BaseModel, spec: str | Path | BaseModel, builtins: Sequence[str]
) -> Provenance:
    """Where a rule family's ``settings`` (loaded from ``spec``) came from and every
    setting they override in their base (R7.3), for the families loaded by
    :func:`load_settings` (Dashboard, LCFF, DA); :meth:`RuleSet.provenance` for rule sets.

    Raises:
        RulesError: ``spec`` is a file that can no longer be read.
    """
    name = str(getattr(settings, "name", "settings"))
    if isinstance(spec, BaseModel):
        return Provenance(name=name, origin="code", base=None, file=None)
    if isinstance(spec, str) and spec in builtins:
        return Provenance(name=name, origin="built-in", base=spec, file=None)
    base = read_settings_file(Path(str(spec)), builtins).base
    overrides: tuple[Override, ...] = ()
    if base is not None:
        built = validate_settings(
            type(settings), builtin_source(base), builtin_settings(base), has_base=True,
            builtins=builtins,
        )  # fmt: skip
        labels = {"name", "description"}
        overrides = _differences(
            built.model_dump(mode="json", exclude=labels),
            settings.model_dump(mode="json", exclude=labels),
        )
    return Provenance(name=name, origin="file", base=base, file=str(spec), overrides=overrides)


def validate_settings(
    model: type[SettingsT],
    source: str,
    data: dict[str, Any],
    *,
    has_base: bool,
    builtins: Sequence[str],
) -> SettingsT:
    """``data`` as a ``model``, or a :class:`RulesError` naming every problem of ``source``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RulesError.invalid(
            source, exc, has_base=has_base, model=model, builtins=builtins
        ) from None


def _builtin(name: str) -> RuleSet:
    rules = validate_settings(
        RuleSet,
        builtin_source(name),
        builtin_settings(name),
        has_base=True,
        builtins=BUILTIN_RULE_SETS,
    )
    rules._origin = _Origin("built-in", base=name)
    return rules


def _settings(rules: RuleSet) -> dict[str, Any]:
    """The settings as JSON values; ``name`` and ``description`` are labels, not settings."""
    return rules.model_dump(mode="json", exclude={"name", "description"})


@functools.cache
def _builtin_settings_json(name: str) -> str:
    # Cached as text, so no caller can change the cached settings.
    return json.dumps(_settings(_builtin(name)))


def _builtin_settings(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_builtin_settings_json(name))
    return loaded


def _differences(base: Any, here: Any, key: str = "") -> tuple[Override, ...]:
    """Every setting of ``here`` that differs from ``base``, as dotted keys (R7.3).

    Tables are compared key by key; an entry only one side has is reported once,
    at its own key (``exit_outcomes.T999``), not once per key inside it.
    """
    if not (isinstance(base, dict) and isinstance(here, dict)):
        if base == here:
            return ()
        return (Override(key=key, change="changed", value=here, base_value=base),)
    out: list[Override] = []
    for k, value in here.items():
        sub = f"{key}.{k}" if key else k
        if k in base:
            out += _differences(base[k], value, sub)
        else:
            out.append(Override(key=sub, change="added", value=value))
    for k, value in base.items():
        if k not in here:
            out.append(Override(key=f"{key}.{k}" if key else k, change="removed", base_value=value))
    return tuple(out)


def _default_name(path: Path) -> str:
    # The file's stem says where the rules came from; a stem that is a built-in's
    # name (a copied 2018.toml) would pass the variant off as that built-in.
    taken = {b.casefold() for b in BUILTIN_RULE_SETS}
    return f"{path.stem}-file" if path.stem.strip().casefold() in taken else path.stem


def _refuse_builtin_name(source: str, rules: RuleSet) -> None:
    """A file may call itself ``2018`` only if it is the 2018 rule set (R7.3)."""
    names = {b.casefold(): b for b in BUILTIN_RULE_SETS}
    taken = names.get(rules.name.strip().casefold())
    if taken is None:
        return
    differ = _differences(_builtin_settings(taken), _settings(rules))
    if differ:
        n = len(differ)
        raise RulesError(
            source,
            [
                f"name: {_shown(rules.name)} is the name of the built-in rule set {taken}, "
                f"but {n} setting{'s' if n > 1 else ''} differ from it ({differ[0].key} first); "
                "give this rule set a name of its own, or leave name out to use the file's"
            ],
        )


def _from_file(path: Path) -> RuleSet:
    read = read_settings_file(path, BUILTIN_RULE_SETS)
    source, own, base, data = read.source, read.own, read.base, read.data
    # A file that does not name itself must not inherit the base's name and
    # description: the run would announce "2018 rules" for other rules.
    if "name" not in own:
        data["name"] = _default_name(path)
    if "description" not in own and base is not None:
        data["description"] = f"rule set {base} with the overrides of {path.name}"
    rules = validate_settings(
        RuleSet, source, data, has_base=base is not None, builtins=BUILTIN_RULE_SETS
    )
    _refuse_builtin_name(source, rules)
    rules._origin = _Origin("file", base=base, file=source)
    return rules


def load_rules(spec: str | Path | RuleSet = "2018") -> RuleSet:
    """Return a rule set by built-in name (``2018``, ``legacy``) or from a TOML/JSON file.

    A file may name a built-in ``base`` and override only some keys (R7.3); the
    result records where it came from (:meth:`RuleSet.provenance`). A file that
    sets no ``name`` is named after the file.

    Raises:
        FileNotFoundError: ``spec`` is neither a built-in name nor a file.
        RulesError: the file cannot be used (syntax, unknown keys, wrong values,
            unknown base); one line per problem.
    """
    if isinstance(spec, RuleSet):
        return spec
    if isinstance(spec, str) and spec in BUILTIN_RULE_SETS:
        return _builtin(spec)
    path = Path(spec)
    if not path.is_file():
        raise FileNotFoundError(
            f"rule set {str(spec)!r} is neither {' nor '.join(BUILTIN_RULE_SETS)} nor a file"
        )
    return _from_file(path)


__all__ = [
    "BUILTIN_RULE_SETS",
    "COMPLETER_OUTCOMES",
    "CalpadsCodes",
    "ExitOutcome",
    "ExitRule",
    "FiveYearRules",
    "GroupRules",
    "InputName",
    "InputNeeds",
    "MonthDay",
    "Outcome",
    "Override",
    "Provenance",
    "RuleSet",
    "RulesError",
    "SettingsFile",
    "SettingsT",
    "StudentListRules",
    "builtin_settings",
    "builtin_source",
    "load_rules",
    "load_settings",
    "merge_settings",
    "read_settings_file",
    "settings_provenance",
    "validate_settings",
]
