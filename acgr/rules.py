"""Rule sets: every code table, date and threshold of RULES.md as data (R7).

A rule set is a pydantic model. The two built-in sets, ``2018`` (R7.1, the
default) and ``legacy`` (R7.2), live as TOML files in ``acgr/rulesets/``. A user
runs a variant without code changes by writing a TOML or JSON file that names a
``base`` rule set and overrides some keys, for example a 30 June summer cutoff::

    base = "2018"
    name = "2018-june-cutoff"
    [summer_cutoff]
    month = 6
    day = 30

Every *Decision* of RULES.md is a named field here, documented where it is
declared, never a hidden branch in the engine (R7.3).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


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

#: Outcomes a final exit code may map to under R3.4.
ExitOutcome = Literal["Removed", "Other Transfer", "Dropout"]


class MonthDay(BaseModel):
    """A day of the year, e.g. the 15 August summer cutoff (R2.3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    def in_year(self, year: int) -> dt.date:
        """This day in calendar ``year``."""
        return dt.date(year, self.month, self.day)


class ExitRule(BaseModel):
    """What a final exit code means (R3.4), and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    outcome: ExitOutcome
    #: True for T160/T165/T167: a dropout only when no later enrollment exists
    #: (a *lost transfer*, R3.4); the later record decides otherwise.
    lost_transfer: bool = False
    #: The RULES.md Decision this row rests on, when CDE documentation is silent.
    decision: str | None = None


class GroupRules(BaseModel):
    """Student-group definitions (RULES.md R5), as data."""

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


class CalpadsCodes(BaseModel):
    """CALPADS code sets and code roles the data-quality checks use (validation.py).

    Sources: the CALPADS code sets and input-validation rules cited in
    ``shared/domain/data-formats.md`` section 5 (SENR0302, SENR0522, SENR0523, SENR0018).
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


class RuleSet(BaseModel):
    """All data the ACGR engine needs; see RULES.md R1-R4, R6 and R7.

    Field names say what each value means; the docstring of each field cites its
    rule id. Load one with :func:`load_rules`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    description: str = ""

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
    #: R2.3 Decision: default extraction date, in the calendar year of the class.
    default_extraction_date: MonthDay

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

    # Data-quality checks (CALPADS code sets)
    calpads: CalpadsCodes

    # R6 - output
    #: R6.4 a row whose cohort is at most this many students is starred.
    suppression_max_cohort: int = Field(ge=0)
    #: R6.4 race reporting categories; RD is starred when any of these is.
    race_categories: tuple[str, ...]
    #: R6.4 the Not Reported race category.
    not_reported_category: str
    #: FORMATS.md: classes from this year on use the 36-column layout (CPP).
    wide_layout_from_class: int
    #: Decision (RULES.md silent): codes that do not apply to an aggregate row.
    #: ``empty`` leaves them blank (as on the state row, R6.5); ``zeros``
    #: writes 00000 / 0000000 as some older CDE files did.
    aggregate_row_codes: Literal["empty", "zeros"] = "empty"

    @model_validator(mode="after")
    def _tables_agree(self) -> RuleSet:
        missing = [c for c in self.completer_tie_order if c not in self.completion_outcomes]
        if missing:
            raise ValueError(f"completer_tie_order names unknown completion codes {missing}")
        overlap = set(self.excluded_exit_codes) & set(self.exit_outcomes)
        if overlap:
            raise ValueError(f"codes both excluded and mapped: {sorted(overlap)}")
        return self

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


def _read_mapping(text: str, suffix: str) -> dict[str, Any]:
    data: Any = json.loads(text) if suffix == ".json" else tomllib.loads(text)
    if not isinstance(data, dict):
        raise ValueError("a rule-set file must hold a table of settings")
    return data


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


def _builtin_mapping(name: str) -> dict[str, Any]:
    text = resources.files("acgr.rulesets").joinpath(f"{name}.toml").read_text("utf-8")
    return _resolve(_read_mapping(text, ".toml"))


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    base = data.pop("base", None)
    if base is None:
        return data
    if base not in BUILTIN_RULE_SETS:
        raise ValueError(f"unknown base rule set {base!r}; choose one of {BUILTIN_RULE_SETS}")
    return merge_settings(_builtin_mapping(base), data)


def load_rules(spec: str | Path | RuleSet = "2018") -> RuleSet:
    """Return a rule set by built-in name (``2018``, ``legacy``) or from a TOML/JSON file.

    A file may name a built-in ``base`` and override only some keys (R7.3).
    """
    if isinstance(spec, RuleSet):
        return spec
    if isinstance(spec, str) and spec in BUILTIN_RULE_SETS:
        return RuleSet.model_validate(_builtin_mapping(spec))
    path = Path(spec)
    if not path.is_file():
        raise FileNotFoundError(
            f"rule set {str(spec)!r} is neither {' nor '.join(BUILTIN_RULE_SETS)} nor a file"
        )
    data = _resolve(_read_mapping(path.read_text("utf-8"), path.suffix.lower()))
    return RuleSet.model_validate(data)
