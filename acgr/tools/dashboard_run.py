"""The Dashboard graduation indicator straight from extracts (docs/rules.md R8.3).

``acgr dashboard PATH... --class-of Y``: the Dashboard of year Y from the CALPADS
extracts that hold class Y. Its counts come from the same engine as every other number:

* the current pair: class Y's four-year run and, from 2019 (``combined_five_year``),
  class Y−1's fifth-year graduates, read as of class Y's extraction date (the pull the
  Dashboard is made from; R9.2);
* the prior pair: the same one class earlier (class Y−1's four-year run, reused for its
  five-year run, and class Y−2's fifth-year graduates).

The extract must cover every class the Dashboard needs (class Y−2 from 2019) from its
first year to its last: when the enrollment records begin after a class's first year or
end before its last year is half over (ACGR0005), the run refuses, naming the class (never
a colour from a partial cohort).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from acgr.errors import RefusedError
from acgr.five_year_run import FiveYearResult, five_year_after
from acgr.pipeline import AcgrResult, compute, schools_directory, stage_inputs
from acgr.read.extracts import Engine, Extracts
from acgr.rules.dashboard import DashboardRules, dashboard_rules_name, load_dashboard_rules
from acgr.rules.ruleset import RuleSet, load_rules
from acgr.tools.dashboard import combined_indicator, indicator

#: Input arguments passed on to every run (schools, foster, direct-cert, engine).
_Options = dict[str, Any]


@dataclass(frozen=True)
class DashboardRun:
    """A Dashboard computed from extracts: the file's rows and how they were measured.

    Attributes:
        table: the Dashboard rows (``rules.columns``), as :func:`indicator_from_counts`.
        rules: the Dashboard rule set used.
        four_year: the four-year runs, by class (Y, Y−1, and from 2019 Y−2).
        five_year: the five-year runs, by class (Y−1 and Y−2; empty before 2019).
    """

    table: pl.DataFrame
    rules: DashboardRules
    four_year: dict[int, AcgrResult]
    five_year: dict[int, FiveYearResult]

    def warnings(self) -> list[tuple[int, str, str]]:
        """``(class, finding id, message)`` of every input-level warning of the runs."""
        out: list[tuple[int, str, str]] = []
        for y, run in sorted(self.four_year.items()):
            verdict = run.verdict
            out += [(y, rule, msg) for rule, msg in (verdict.warnings if verdict else ())]
        for y, five in sorted(self.five_year.items()):
            out += [(y, rule, msg) for rule, msg in five.warnings]
        return out


def _four_year(inputs: Any, class_of: int, rules: RuleSet, options: _Options) -> AcgrResult:
    """Class ``class_of``'s four-year run; refused when the enrollment records begin after
    its first year or end before its last is half over (ACGR0005): ``acgr run`` says so
    and goes on, but a Dashboard colour from such a cohort would look measured."""
    try:
        run = compute(inputs, class_of=class_of, rules=rules, **options)
    except RefusedError as exc:
        raise RefusedError(f"the Dashboard needs the class of {class_of}: {exc}") from None
    late = [m for rule, m in (run.verdict.warnings if run.verdict else ()) if rule == "ACGR0005"]
    if late:
        raise RefusedError(
            f"the inputs cannot support the Dashboard's class of {class_of}: {late[0]}"
        )
    return run


def dashboard_from_extracts(
    inputs: Any,
    *,
    class_of: int,
    dashboard_rules: str | Path | DashboardRules | None = None,
    rules: str | Path | RuleSet = "2018",
    schools: str | Path | pl.DataFrame | None = None,
    foster: str | Path | pl.DataFrame | pl.LazyFrame | None = None,
    direct_cert: str | Path | pl.DataFrame | pl.LazyFrame | None = None,
    engine: Engine = "auto",
) -> DashboardRun:
    """The Dashboard of year ``class_of`` from extracts (R8.3): four-year runs of classes
    Y and Y−1 and, when the year's rules combine rates, five-year runs of Y−1 and Y−2.

    Raises:
        acgr.errors.RefusedError: the inputs cannot measure a class the Dashboard needs.
        ValueError: no Dashboard rule set for the year (pass ``dashboard_rules``).
    """
    dash = load_dashboard_rules(dashboard_rules or dashboard_rules_name(class_of))
    acgr_rules = load_rules(rules)
    with tempfile.TemporaryDirectory(prefix="acgr-dashboard-") as tmp:
        # Parsed once; the three or five runs read the private Parquet files (SSIDs:
        # removed when the run ends, whatever happens).
        staged = stage_inputs(inputs, Path(tmp), engine=engine)
        sides = {"foster": foster, "direct_cert": direct_cert}
        return _measured(staged, class_of, dash, acgr_rules, schools, sides, engine)


def _measured(
    inputs: Extracts,
    year: int,
    dash: DashboardRules,
    acgr_rules: RuleSet,
    schools: str | Path | pl.DataFrame | None,
    sides: _Options,
    engine: Engine,
) -> DashboardRun:
    """The runs of :func:`dashboard_from_extracts` over staged inputs, and the table."""
    directory = schools_directory(schools)
    options: _Options = {
        "schools": directory,
        **sides,
        "engine": engine,
    }
    four = {y: _four_year(inputs, y, acgr_rules, options) for y in (year, year - 1)}
    if not dash.combined_five_year:
        table = indicator(four[year].rates, four[year - 1].rates, dash)
        return DashboardRun(table, dash, four, {})
    # The prior class's fifth year is read from the same pull as the current class.
    earlier = four[year - 2] = _four_year(inputs, year - 2, acgr_rules, options)
    five = {
        year - 1: five_year_after(
            inputs,
            four[year - 1],
            extraction_date=four[year].periods.extraction_date,
            schools=directory,
            engine=engine,
        ),
        year - 2: five_year_after(
            inputs,
            earlier,
            extraction_date=four[year - 1].periods.extraction_date,
            schools=directory,
            engine=engine,
        ),
    }
    table = combined_indicator(
        four[year].rates, four[year - 1].rates, five[year - 1].table, five[year - 2].table, dash
    )
    return DashboardRun(table, dash, four, five)


__all__ = ["DashboardRun", "dashboard_from_extracts"]
