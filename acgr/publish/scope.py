"""The scope of a run: the LEAs or counties its cohort's schools lie in, or the state.

A CALPADS extract is usually one LEA's; the rate of all its students is that LEA's
rate, not the state's. The summaries name the scope from the rate table's LEA (``D``)
and county (``C``) rows, so the words follow the schools actually counted:

* one LEA: its name and code (``Vista Ridge Unified (LEA 1964733)``);
* up to :data:`NAMED_LEAS` LEAs: each by name and code;
* more LEAs: how many, in how many counties, the counties named;
* "the state" only when the schools lie in at least ``statewide_min_counties``
  counties (a rule-set setting, Decision in docs/rules.md: the state's cohort spans
  57 of California's 58 counties, Alpine having no high school).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from acgr.publish.text import plural
from acgr.rules.ruleset import RuleSet

#: At most this many LEAs are named one by one; more are counted by county.
NAMED_LEAS = 5
#: At most this many counties are named when the LEAs are only counted.
NAMED_COUNTIES = 8


@dataclass(frozen=True)
class Scope:
    """What a run's students cover.

    Attributes:
        label: a few words for a rate line (``Vista Ridge Unified (LEA 1964733)``,
            ``2 LEAs``, ``the state``).
        description: the whole scope for a ``scope:`` line, every named LEA or county.
        statewide: True only when the schools span the state (see module docstring).
    """

    label: str
    description: str
    statewide: bool = False


def _total_rows(rates: pl.DataFrame, level: str) -> pl.DataFrame:
    return rates.filter(
        (pl.col("AggregateLevel") == level)
        & (pl.col("ReportingCategory") == "TA")
        & (pl.col("CharterSchool") == "All")
        & (pl.col("DASS") == "All")
    )


def _lea(code: str, name: str, *, listed: bool = False) -> str:
    """``Name (LEA code)``; in a list after ``N LEAs:`` the word LEA goes: ``Name (code)``."""
    if listed:
        return f"{name} ({code})" if name else code
    return f"{name} (LEA {code})" if name else f"LEA {code}"


def _county(code: str, name: str) -> str:
    return f"{name} ({code})" if name else f"county {code}"


def scope_of(rates: pl.DataFrame, rules: RuleSet) -> Scope:
    """The scope of the rate table ``rates`` (the CDE table of a run, R6).

    Examples:
        >>> import polars as pl
        >>> from acgr.rules.ruleset import load_rules
        >>> rows = pl.DataFrame({
        ...     "AggregateLevel": ["T", "C", "D"], "ReportingCategory": ["TA"] * 3,
        ...     "CharterSchool": ["All"] * 3, "DASS": ["All"] * 3,
        ...     "CountyCode": ["00", "19", "19"], "DistrictCode": [None, None, "64733"],
        ...     "CountyName": ["State", "Los Angeles", "Los Angeles"],
        ...     "DistrictName": ["", "", "Vista Ridge Unified"]})
        >>> scope_of(rows, load_rules("2018")).label
        'Vista Ridge Unified (LEA 1964733)'
    """
    leas = _total_rows(rates, "D").sort("CountyCode", "DistrictCode")
    counties = _total_rows(rates, "C").sort("CountyCode")
    named_leas = [
        _lea(f"{c}{d}", n or "")
        for c, d, n in leas.select("CountyCode", "DistrictCode", "DistrictName").iter_rows()
    ]
    named_counties = [
        _county(c, n or "") for c, n in counties.select("CountyCode", "CountyName").iter_rows()
    ]
    n_counties = plural(len(named_counties), "county", "counties")
    in_counties = f"{plural(len(named_leas), 'LEA')} in {n_counties}"
    if not named_leas:
        return Scope("the students read", "the students read (no school attributed)")
    if len(named_counties) >= rules.statewide_min_counties:
        return Scope("the state", f"the state: {in_counties}", statewide=True)
    if len(named_leas) == 1:
        name = counties["CountyName"][0] if counties.height else ""
        county = f", {name} County" if name else ""
        return Scope(named_leas[0], f"one LEA: {named_leas[0]}{county}")
    if len(named_leas) <= NAMED_LEAS:
        listed = ", ".join(
            _lea(f"{c}{d}", n or "", listed=True)
            for c, d, n in leas.select("CountyCode", "DistrictCode", "DistrictName").iter_rows()
        )
        return Scope(plural(len(named_leas), "LEA"), f"{in_counties}: {listed}")
    shown = named_counties[:NAMED_COUNTIES]
    more = len(named_counties) - len(shown)
    listed = ", ".join(shown) + (f" and {more:,} more" if more else "")
    return Scope(in_counties, f"{in_counties}: {listed}")


def rate_subject(scope: Scope) -> str:
    """Whose rate it is, for a sentence: ``the state``, ``the 2 LEAs``, an LEA's name.

    Examples:
        >>> rate_subject(Scope("2 LEAs", "")), rate_subject(Scope("the state", "", True))
        ('the 2 LEAs', 'the state')
    """
    return f"the {scope.label}" if scope.label[:1].isdigit() else scope.label


__all__ = [
    "NAMED_COUNTIES",
    "NAMED_LEAS",
    "Scope",
    "rate_subject",
    "scope_of",
]
