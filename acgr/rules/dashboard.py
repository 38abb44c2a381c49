"""The Dashboard graduation rate indicator's rule sets, one per Dashboard year (docs/rules.md R8).

Every cut point, grid cell, n-size, column and code of a Dashboard year is data: the
files ``acgr/rules/rulesets/dashboard<YEAR>.toml`` (2018, 2022, 2023, 2024, 2025), each
value beside its source or its Decision. :func:`load_dashboard_rules` loads one by name,
by Dashboard year, or from a user's file that names a built-in ``base`` and overrides a
few keys. :mod:`acgr.tools.dashboard` computes the indicator from them.

Rates and cut points are integer tenths of a percentage point, so every boundary is
exact: a level is ``1 +`` the number of cut points the ROUNDED value reaches (``>=``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from acgr.rules.ruleset import (
    load_settings,
)

#: Every column a Dashboard graduation file of some year has; a rule set's ``columns``
#: pick and order a subset (R8.2: 2018's 22, R8.3: 2023-2025's 27).
KNOWN_COLUMNS: frozenset[str] = frozenset(
    {
        "cds",
        "rtype",
        "schoolname",
        "districtname",
        "countyname",
        "charter_flag",
        "coe_flag",
        "dass_flag",
        "studentgroup",
        "currnumer",
        "currdenom",
        "currstatus",
        "priornumer",
        "priordenom",
        "priorstatus",
        "safetynet",
        "change",
        "statuslevel",
        "changelevel",
        "color",
        "box",
        "smalldenom",
        "fiveyrnumer",
        "currnsizemet",
        "priornsizemet",
        "accountabilitymet",
        "indicator",
        "reportingyear",
    }
)

Grid = tuple[tuple[str, ...], ...]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CutPoints(_Frozen):
    """Cut points of one regime, in tenths: the lowest ROUNDED value of levels 2-5 (R8.1).

    A level is ``1 +`` the number of cut points the rounded value reaches (``>=``).
    """

    status: tuple[int, int, int, int]
    change: tuple[int, int, int, int]

    @model_validator(mode="after")
    def _increasing(self) -> CutPoints:
        for name, cuts in (("status", self.status), ("change", self.change)):
            if list(cuts) != sorted(set(cuts)):
                raise ValueError(f"{name} cut points must increase strictly: {cuts}")
        return self


class CutPointSets(_Frozen):
    """``standard``: every row, or, while ``dass`` is set, the rows it does not cover.

    ``dass`` (2018 only): DASS school rows and county-office LEA rows (R8.1); from the
    2022 Dashboard DASS schools have no cut points of their own (R8.3), so it is absent.
    """

    standard: CutPoints
    dass: CutPoints | None = None


class NSize(_Frozen):
    """The n-size (R8.1 colour threshold; R8.3 ``currnsizemet``/``priornsizemet``).

    A denominator meets it when it is at least ``min_denominator``, or at LEA level the
    value ``lea_groups`` gives the student group (FOS and HOM: 15).
    """

    min_denominator: int = Field(ge=1)
    lea_groups: dict[str, int] = Field(default_factory=dict)


class SmallDenominator(_Frozen):
    """Rows whose current denominator is below ``below`` (2018 ``safetynet``, R8.3 ``smalldenom``).

    Their colour comes from ``colour_grid`` (CDE's "3x5" grid: change levels 1 and 5
    count as 2 and 4), and their ``box`` from the change level capped by
    ``change_level_caps``. ``shown_change_level``: whether the file's ``changelevel``
    shows the capped level (2018) or the level the cut points give (2023 on).
    """

    below: int = Field(ge=0)
    change_level_caps: dict[int, int]
    shown_change_level: Literal["capped", "raw"]
    colour_grid: Grid


class PriorDass(_Frozen):
    """How the prior class's DASS status of a school is known and used (R8.1.1)."""

    #: Whether a school whose DASS status differs between the two classes gets no
    #: change (2018: it was not a DASS school for the prior class).
    different_status_blocks_change: bool = True
    #: What a missing/null ``prior_dass_flag`` means: the status did not change
    #: (``same_as_current``), or it did (``changed``: no change is computed).
    when_unknown: Literal["same_as_current", "changed"] = "same_as_current"
    #: Inferred from the 2017f/2018 files: a previous-year Dashboard file without a
    #: ``dass_flag`` column lists no DASS school, so a school it lists was not DASS.
    listed_in_previous_without_flag_means_not_dass: bool = True


class LeaRules(_Frozen):
    """R8.2: county offices of education are LEAs whose district code starts with this."""

    coe_district_prefix: str


class DashboardRules(_Frozen):
    """Everything one Dashboard year's graduation indicator needs (R8), loaded from TOML.

    Load one with :func:`load_dashboard_rules`; every field is documented beside its
    value in ``acgr/rules/rulesets/dashboard<YEAR>.toml``.
    """

    name: str
    description: str = ""
    #: The Dashboard year: the ``reportingyear`` column unless told otherwise.
    reporting_year: str
    #: The output columns of that year's file, in order (R8.2, R8.3).
    columns: tuple[str, ...]
    #: The ``indicator`` column's value (2023 on: ``GRAD``).
    indicator: str = "GRAD"
    #: R8.3: the combined four- and five-year rate (2019 on): the counts carry the
    #: prior class's fifth-year graduates and ``fiveyrnumer``.
    combined_five_year: bool
    #: False for a status-only Dashboard (2022): no prior, change, level of change or colour.
    reports_change: bool = True
    #: Numerator and status are blank when the denominator is at most this (1-10).
    suppression_max_denominator: int = Field(ge=0)
    #: How a row without a prior-class row shows its prior denominator: ``zero`` (2018)
    #: or ``blank`` (2023 on).
    absent_prior_denominator: Literal["zero", "blank"]
    #: ``accountabilitymet`` (and a colour) needs the n-size met in both years, or in
    #: the current year alone (a status-only Dashboard).
    accountability_needs_prior: bool = True
    #: Change level of a row with a change but no colour: its (capped) ``level``, as
    #: the 2018 file shows, or ``zero`` (the wording of R8.1.1).
    change_level_without_colour: Literal["level", "zero"] = "level"
    small_denominator: SmallDenominator
    n_size: NSize
    prior_dass: PriorDass
    lea: LeaRules
    cut_points: CutPointSets
    #: Colour name -> code in the ``color`` column (1 Red ... 5 Blue).
    colours: dict[str, int]
    #: Colour name per status level (rows, 1 first) and change level (columns, 1 first).
    colour_grid: Grid
    #: Dashboard student group -> ACGR ReportingCategory (R8.2); ``""`` for a group no
    #: ACGR file has (LTEL, 2024 on): its rows come only from counts.
    student_groups: dict[str, str]

    @model_validator(mode="after")
    def _consistent(self) -> DashboardRules:
        for name, grid in (
            ("colour_grid", self.colour_grid),
            ("small_denominator.colour_grid", self.small_denominator.colour_grid),
        ):
            if len(grid) != 5 or any(len(row) != 5 for row in grid):
                raise ValueError(f"{name} must have 5 rows (status levels) of 5 (change levels)")
            unknown = {c for row in grid for c in row} - set(self.colours)
            if unknown:
                raise ValueError(f"{name} names colours not in colours: {sorted(unknown)}")
        categories = [c for c in self.student_groups.values() if c]
        if len(set(categories)) != len(categories):
            raise ValueError("student_groups maps two groups to one reporting category")
        unknown_columns = sorted(set(self.columns) - KNOWN_COLUMNS)
        if unknown_columns:
            raise ValueError(f"columns: unknown {unknown_columns}; known: {sorted(KNOWN_COLUMNS)}")
        return self

    def grid_codes(self, *, small: bool = False) -> dict[int, int]:
        """``10 * status level + change level`` -> colour code, for every cell of a grid.

        ``small``: the small-denominator grid instead of the regular one.
        """
        grid = self.small_denominator.colour_grid if small else self.colour_grid
        return {
            10 * (s + 1) + (c + 1): self.colours[name]
            for s, row in enumerate(grid)
            for c, name in enumerate(row)
        }


#: The built-in Dashboard rule sets, by name; ``dashboard<YEAR>`` is Dashboard YEAR's.
BUILTIN_DASHBOARD_RULES: tuple[str, ...] = (
    "dashboard2018",
    "dashboard2022",
    "dashboard2023",
    "dashboard2024",
    "dashboard2025",
)


def dashboard_rules_name(year: int | str) -> str:
    """The built-in rule-set name of a Dashboard year, refusing a year none covers.

    Raises:
        ValueError: no built-in rule set for that year (the message lists them).

    Examples:
        >>> dashboard_rules_name(2024)
        'dashboard2024'
    """
    name = f"dashboard{year}"
    if name not in BUILTIN_DASHBOARD_RULES:
        years = ", ".join(n.removeprefix("dashboard") for n in BUILTIN_DASHBOARD_RULES)
        raise ValueError(
            f"no Dashboard rule set for {year}: built in are {years} "
            "(or pass a rules file with a base)"
        )
    return name


def load_dashboard_rules(spec: str | Path | DashboardRules = "dashboard2018") -> DashboardRules:
    """Return Dashboard rules by built-in name (or year) or from a TOML or JSON file.

    A file may name a built-in ``base`` and override only some keys, e.g. an n-size
    of 20. Files are read as rule-set files are
    (:func:`acgr.rules.ruleset.read_settings_file`), with the same messages.

    Raises:
        FileNotFoundError: ``spec`` is neither a built-in name nor a file.
        acgr.rules.ruleset.RulesError: the file cannot be used (syntax, unknown
            keys, wrong values, unknown base); one line per problem.

    Examples:
        >>> rules = load_dashboard_rules()
        >>> rules.cut_points.standard.status
        (670, 800, 900, 950)
        >>> rules.grid_codes()[43]  # High status, Maintained -> Green
        4
        >>> load_dashboard_rules("2024").cut_points.standard.status
        (680, 800, 905, 950)
    """
    if isinstance(spec, str) and spec.isdigit():
        spec = f"dashboard{spec}"  # a Dashboard year names its rule set
    return load_settings(DashboardRules, spec, BUILTIN_DASHBOARD_RULES, "Dashboard")


__all__ = [
    "BUILTIN_DASHBOARD_RULES",
    "KNOWN_COLUMNS",
    "CutPointSets",
    "CutPoints",
    "DashboardRules",
    "LeaRules",
    "NSize",
    "PriorDass",
    "SmallDenominator",
    "dashboard_rules_name",
    "load_dashboard_rules",
]
