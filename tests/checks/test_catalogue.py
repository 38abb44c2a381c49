"""The finding catalogue and the code agree on the set of finding ids."""

from __future__ import annotations

import re

from acgr.checks.catalogue import CATALOGUE, explain_rule
from tests.helpers import ROOT

PACKAGE = ROOT / "acgr"

#: A finding id written as a string in the code: a CALPADS-style id anywhere, or a
#: rule id (docs/rules.md) where a check or finding is built (``Check("R1.4"`` / ``rule="R3.3"``).
_IDS = re.compile(r'"((?:EXTR|FRMT|GERR|SENR|ACGR)\d{4})"|(?:Check\(\s*|rule=)"(R\d(?:\.\d)+)"')


def _ids_in_code() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "catalogue.py":
            continue
        for calpads, rule in _IDS.findall(path.read_text(encoding="utf-8")):
            found.add(calpads or rule)
    return found


def test_every_finding_id_raised_is_in_the_catalogue_and_nothing_else() -> None:
    assert _ids_in_code() == set(CATALOGUE)


def test_every_entry_says_what_it_means_and_what_to_fix() -> None:
    for rule, kind in CATALOGUE.items():
        assert kind.id == rule
        assert kind.meaning
        assert kind.fix
        assert explain_rule(rule).startswith(kind.meaning)
    assert explain_rule("NOPE0000") == ""
