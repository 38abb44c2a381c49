"""CALPADS Differentiated Assistance readiness rules, as data (docs/rules.md R11).

Which LEAs can be eligible (R11.1), the criterion of each academic year, its
submissions, their final deadlines and zero-fatal-error targets (R11.2), and the
setting that stands in for CDE's unpublished data-quality parameters: all of it lives
in ``acgr/rules/rulesets/da.toml``, each value beside its source. :func:`load_da_rules`
loads it, or a user's file naming ``base = "da"`` that overrides a few keys, with the
same reader and messages as every rule set (R7.3). :mod:`acgr.tools.differentiated_assistance`
applies it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, model_validator

from acgr.rules.ruleset import (
    load_settings,
)

#: The CALPADS submissions a certification table may name, in calendar order (R11.2).
SUBMISSIONS: tuple[str, ...] = ("Fall 1", "Fall 2", "EOY 1", "EOY 2", "EOY 3", "EOY 4")

#: The built-in DA rule sets, by name.
BUILTIN_DA_RULES: tuple[str, ...] = ("da",)

Submission = Literal["Fall 1", "Fall 2", "EOY 1", "EOY 2", "EOY 3", "EOY 4"]
_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
#: Why a submission without dates in the rule set has no zero-fatal-error target.
_NO_DATES = "no date in the rule set for this year and submission"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SubmissionDates(_Frozen):
    """A submission's dates in one academic year (R11.2, R11.3), with their source."""

    #: The last day a certification counts as on time (the amendment window's close
    #: where the submission has one); a certification on that day is on time.
    final_deadline: dt.date | None = None
    #: The day by which CDE asks for zero fatal errors, where published.
    zero_fatal_target: dt.date | None = None
    #: Why ``zero_fatal_target`` is blank (not published, not found), said in the run.
    zero_fatal_target_missing: str = ""
    source: str = ""

    @model_validator(mode="after")
    def _target_or_reason(self) -> SubmissionDates:
        if self.zero_fatal_target is not None and self.zero_fatal_target_missing:
            raise ValueError("a zero_fatal_target and a zero_fatal_target_missing reason")
        return self


class YearRules(_Frozen):
    """One academic year's DA criterion (R11.2)."""

    #: ``none_certified``: eligible when none of ``submissions`` was certified (2023-24);
    #: ``any_missed``: when any was certified after its final deadline or never.
    criterion: Literal["none_certified", "any_missed"]
    submissions: tuple[Submission, ...] = Field(min_length=1)
    #: Whether the year also has the data-quality criterion (2025-26 on).
    data_quality: bool = False
    dates: dict[Submission, SubmissionDates] = Field(default_factory=dict)
    source: str = ""


class LeaKinds(_Frozen):
    """How the kind of an LEA is told and which kinds can be eligible (R11.1)."""

    #: The optional certification-table column holding the kind (any case).
    column: str = "lea_type"
    eligible: tuple[str, ...] = ("district", "coe")
    never_eligible: tuple[str, ...] = ("charter",)
    #: Without a kind: a 14-digit LEA code whose school part is not ``0000000`` is a charter.
    school_code_means_charter: bool = True
    #: The kind of an LEA the column and the code say nothing about.
    default: str = "district"

    @model_validator(mode="after")
    def _disjoint(self) -> LeaKinds:
        if set(self.eligible) & set(self.never_eligible):
            raise ValueError("a kind cannot be both eligible and never_eligible")
        if self.default not in {*self.eligible, *self.never_eligible}:
            raise ValueError(f"default {self.default!r} is neither eligible nor never_eligible")
        return self


class DataQuality(_Frozen):
    """The stand-in for CDE's unpublished data-quality parameters (R11.2 Decision)."""

    #: ``risk``: fatal findings are reported, never eligibility; ``eligibility``: at
    #: least ``min_fatal_findings`` make the LEA eligible in a data-quality year.
    fatal_findings: Literal["risk", "eligibility"] = "risk"
    min_fatal_findings: int = Field(default=1, ge=1)


class DaRules(_Frozen):
    """Everything R11 needs, loaded from ``da.toml`` by :func:`load_da_rules`."""

    name: str
    description: str = ""
    years: dict[str, YearRules] = Field(min_length=1)
    #: The listed year whose criterion later, unlisted years use (without its dates).
    later_years_from: str
    lea_kinds: LeaKinds = LeaKinds()
    data_quality: DataQuality = DataQuality()

    @model_validator(mode="after")
    def _years(self) -> DaRules:
        for year in self.years:
            if not academic_year_ok(year):
                raise ValueError(f"years: {year!r} is not an academic year like 2024-25")
        if self.later_years_from not in self.years:
            raise ValueError(f"later_years_from {self.later_years_from!r} is not in years")
        return self

    def year_rules(self, academic_year: str) -> YearRules | None:
        """The rules of ``academic_year`` (``2024-25``), or None before the first listed year.

        Examples:
            >>> rules = load_da_rules()
            >>> rules.year_rules("2023-24").criterion
            'none_certified'
            >>> rules.year_rules("2027-28").data_quality
            True
            >>> rules.year_rules("2022-23") is None
            True
        """
        if academic_year in self.years:
            return self.years[academic_year]
        if academic_year > self.later_years_from:
            return self.years[self.later_years_from].model_copy(update={"dates": {}})
        return None

    def frame(self, academic_years: list[str]) -> pl.DataFrame:
        """One row per (year, required submission) of ``academic_years`` (R11.2).

        Columns: ``academic_year, submission, criterion, data_quality, rule_deadline,
        zero_fatal_target, zero_fatal_missing`` (why the target is blank; a year
        listed without dates says so); years without rules have no row.
        """
        rows = []
        for year in sorted(set(academic_years)):
            rules = self.year_rules(year)
            if rules is None:
                continue
            for sub in rules.submissions:
                dates = rules.dates.get(sub, SubmissionDates())
                missing = dates.zero_fatal_target_missing or _NO_DATES
                rows.append(
                    (year, sub, rules.criterion, rules.data_quality, dates.final_deadline,
                     dates.zero_fatal_target,
                     None if dates.zero_fatal_target is not None else missing)
                )  # fmt: skip
        schema = {
            "academic_year": pl.String,
            "submission": pl.String,
            "criterion": pl.String,
            "data_quality": pl.Boolean,
            "rule_deadline": pl.Date,
            "zero_fatal_target": pl.Date,
            "zero_fatal_missing": pl.String,
        }
        return pl.DataFrame(rows, schema=schema, orient="row")


def academic_year_ok(year: str) -> bool:
    """Whether ``year`` is spelled ``YYYY-YY`` with consecutive years.

    Examples:
        >>> academic_year_ok("2024-25"), academic_year_ok("2024-26")
        (True, False)
    """
    match = _YEAR.match(year)
    return bool(match) and (int(match.group(1)) + 1) % 100 == int(match.group(2))  # type: ignore[union-attr]


def load_da_rules(spec: str | Path | DaRules = "da") -> DaRules:
    """DA rules by built-in name or from a TOML/JSON file (``base = "da"`` plus overrides).

    Raises:
        FileNotFoundError: ``spec`` is neither a built-in name nor a file.
        acgr.rules.ruleset.RulesError: the file cannot be used; one line per problem.

    Examples:
        >>> load_da_rules().years["2024-25"].dates["Fall 2"].final_deadline
        datetime.date(2025, 2, 28)
    """
    return load_settings(DaRules, spec, BUILTIN_DA_RULES, "DA")


__all__ = [
    "BUILTIN_DA_RULES",
    "SUBMISSIONS",
    "DaRules",
    "DataQuality",
    "LeaKinds",
    "SubmissionDates",
    "YearRules",
    "academic_year_ok",
    "load_da_rules",
]
