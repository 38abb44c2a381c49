"""acgr: California's four-year adjusted cohort graduation rate from CALPADS records.

Computes the ACGR exactly as the California Department of Education does
(business rules in docs/rules.md, cited by rule id throughout) and explains every
number: each student's outcome carries the rule and the record that decided it.

Typical use::

    import acgr
    result = acgr.compute("extracts/", class_of=2018, schools="schools.csv")
    result.students   # one row per student, outcome + reason (confidential)
    result.rates      # the CDE ACGR table, typed
    result.findings   # data-quality findings
    five = acgr.five_year("extracts/", class_of=2017)   # the five-year rate (R9)
    five.table        # fiveyear.txt, typed
    dash = acgr.dashboard_from_extracts("extracts/", class_of=2024)  # Dashboard 2024 (R8.3)
    dash.table        # the rows of graddownload2024.txt
    acgr.da("certifications.csv")  # CALPADS DA readiness per LEA and year (R11)
    upc = acgr.lcff("extracts/", year="2024-25")   # LCFF count on Census Day (R10)
    upc.schools       # the rows of upc.txt
"""

from importlib import metadata

from acgr.checks.verdict import RefusedError, Verdict
from acgr.errors import SchoolsFileError
from acgr.five_year_run import FiveYearResult, fifth_year_graduates, five_year
from acgr.lcff_run import LcffResult, lcff
from acgr.pipeline import AcgrResult, compute
from acgr.publish.acgr_file import read_cde_acgr
from acgr.read.extracts import ExtractError, Extracts, read_inputs
from acgr.rules.cohort import CohortPeriods
from acgr.rules.ruleset import Outcome, RulesError, RuleSet, load_rules
from acgr.tools.dashboard_run import DashboardRun, dashboard_from_extracts
from acgr.tools.differentiated_assistance import da


def _installed_version() -> str:
    """The version of the installed distribution, which ``pyproject.toml`` alone sets.

    Imported from a source tree that was never installed, there is no such record:
    ``0+unknown`` (PEP 440, below every release) says so, where a number typed here
    would go stale and name a release this code may not be.
    """
    try:
        return metadata.version("acgr")
    except metadata.PackageNotFoundError:
        return "0+unknown"


__version__ = _installed_version()

__all__ = [
    "AcgrResult",
    "CohortPeriods",
    "DashboardRun",
    "ExtractError",
    "Extracts",
    "FiveYearResult",
    "LcffResult",
    "Outcome",
    "RefusedError",
    "RuleSet",
    "RulesError",
    "SchoolsFileError",
    "Verdict",
    "__version__",
    "compute",
    "da",
    "dashboard_from_extracts",
    "fifth_year_graduates",
    "five_year",
    "lcff",
    "load_rules",
    "read_cde_acgr",
    "read_inputs",
]
