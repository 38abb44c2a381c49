"""The cohort rules R1-R5 and the rule sets that hold their data (R7).

* :mod:`acgr.rules.ruleset`: the rule-set model, its loader and ``rulesets/*.toml``.
* :mod:`acgr.rules.qualifying` R1, :mod:`acgr.rules.cohort` R2,
  :mod:`acgr.rules.outcomes` R3 (with :mod:`~acgr.rules.picking` and
  :mod:`~acgr.rules.overlaps`), :mod:`acgr.rules.attribution` R4,
  :mod:`acgr.rules.groups` R5.

The rule-set names are re-exported here, so ``from acgr.rules import load_rules``
keeps working.
"""

from acgr.rules.ruleset import (
    COMPLETER_OUTCOMES,
    CalpadsCodes,
    ExitRule,
    GroupRules,
    InputNeeds,
    MonthDay,
    Outcome,
    RulesError,
    RuleSet,
    load_rules,
)

__all__ = [
    "COMPLETER_OUTCOMES",
    "CalpadsCodes",
    "ExitRule",
    "GroupRules",
    "InputNeeds",
    "MonthDay",
    "Outcome",
    "RuleSet",
    "RulesError",
    "load_rules",
]
