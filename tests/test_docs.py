"""The documentation in ``docs/`` stays true to the code, and the code cites only it.

* ``docs/findings.md`` is exactly what ``docs/build_findings.py`` writes from the
  finding catalogue now (regenerate it with ``python docs/build_findings.py``);
* ``docs/rules.md`` states every rule id, names only modules and rule-set settings
  that exist, and defines every source it links to;
* no file of the package cites a document outside the repository, and neither do the
  tests, fixtures, benchmarks or docs;
* every ``Examples:`` section of a package docstring is a doctest, and the test command
  runs them (``--doctest-modules`` over ``acgr``).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from acgr.checks.catalogue import CATALOGUE
from acgr.rules.dashboard import load_dashboard_rules
from acgr.rules.ruleset import load_rules

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Every rule id, in the order docs/rules.md states them.
RULE_IDS: tuple[str, ...] = (
    *(f"R1.{i}" for i in range(1, 6)),
    *(f"R2.{i}" for i in range(1, 5)),
    "R3.1", "R3.2", "R3.3", "R3.4", "R3.4.1", "R3.5", "R3.6",
    "R4.1", "R4.1.1", "R4.2", "R4.3",
    *(f"R5.{i}" for i in range(1, 8)),
    *(f"R6.{i}" for i in range(1, 6)),
    *(f"R7.{i}" for i in range(1, 4)),
    "R8.1", "R8.1.1", "R8.2", "R8.3",
    *(f"R9.{i}" for i in range(1, 5)),
    *(f"R10.{i}" for i in range(1, 6)),
    *(f"R11.{i}" for i in range(1, 4)),
)  # fmt: skip

#: Citations of documents that are not in the repository: the specification and
#: research notes kept beside it, and any path into that folder.
OUTSIDE = re.compile(
    r"RULES\.md|FORMATS\.md|acgr-rules\.md|data-formats\.md|SOURCES\.md|STYLE\.md"
    r"|(?<![\w.-])shared/|reference/cde|/work/"
)


#: A file of the repository named in a page, e.g. `acgr/rules/outcomes.py`.
MODULE_PATH = r"`((?:acgr|tests|docs|fixtures)/[\w/.-]+\.(?:py|toml|md))`"


def build_findings() -> ModuleType:
    """``docs/build_findings.py``, loaded from its path (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_findings", DOCS / "build_findings.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outside_citations(text: str) -> list[str]:
    """The citations of outside documents in ``text``, as found."""
    return [m.group(0) for m in OUTSIDE.finditer(text)]


# ------------------------------------------------------------------ findings.md
def test_findings_page_is_what_the_catalogue_gives_now() -> None:
    page = (DOCS / "findings.md").read_text(encoding="utf-8")
    assert page == build_findings().render(), (
        "docs/findings.md is out of date: run python docs/build_findings.py"
    )


def test_findings_page_lists_every_id_once() -> None:
    page = (DOCS / "findings.md").read_text(encoding="utf-8")
    for finding_id in CATALOGUE:
        assert page.count(f"| `{finding_id}` |") == 1, finding_id


def test_findings_page_changes_when_the_catalogue_does() -> None:
    # the drift test can fail: one changed meaning gives another page
    build = build_findings()
    kinds = list(CATALOGUE.values())
    kinds[0] = replace(kinds[0], meaning=kinds[0].meaning + " (changed)")
    assert build.render(kinds) != build.render()
    with pytest.raises(ValueError, match="fits no section"):
        build.render([replace(kinds[0], id="ZZZZ0001")])


def test_build_findings_check_mode_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_findings().main(["--check"]) == 0
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------ rules.md
def test_rules_page_states_every_rule_id_in_order() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    stated = re.findall(r"^\*\*(R\d+(?:\.\d+)+) ", text, flags=re.MULTILINE)
    assert tuple(stated) == RULE_IDS


def test_docs_name_only_modules_that_exist() -> None:
    for page in DOCS.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        for path in set(re.findall(MODULE_PATH, text)):
            assert (ROOT / path).is_file(), f"{page.name} names {path}"


def _has_key(data: Any, dotted: str) -> bool:
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


def test_decision_settings_exist_in_the_rule_sets() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    decisions = text.split("## Decisions", 1)[1].split("## Sources", 1)[0]
    engine, rest = decisions.split("Decisions of the Dashboard rule set", 1)
    dashboard = rest.split("Decisions the code makes", 1)[0]
    settings_2018 = load_rules("2018").model_dump(mode="json")
    settings_dashboard = load_dashboard_rules().model_dump(mode="json")
    for table, settings in ((engine, settings_2018), (dashboard, settings_dashboard)):
        rows = [r for r in table.splitlines() if r.startswith(("| R", "| —"))]
        assert len(rows) >= 5
        for row in rows:
            setting_cell = row.split(" | ")[2]
            names = re.findall(r"`([\w.]+)`", setting_cell)
            assert names, row
            for name in names:
                assert _has_key(settings, name), f"{name} is not a setting ({row})"


def test_rules_page_defines_every_source_it_links() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\]\[([\w-]+)\]", text))
    defined = set(re.findall(r"^\[([\w-]+)\]: https?://\S+$", text, flags=re.MULTILINE))
    assert used
    assert used <= defined, sorted(used - defined)


# ------------------------------------------------------------------ citations
def test_the_citation_check_can_fail() -> None:
    cited = "see RULES.md R3.4, FORMATS.md and ``shared/domain/data-formats.md``"
    assert outside_citations(cited) == ["RULES.md", "FORMATS.md", "shared/", "data-formats.md"]
    assert outside_citations("see docs/rules.md R3.4 and docs/formats.md") == []


def test_package_cites_no_document_outside_the_repository() -> None:
    files = [p for p in sorted((ROOT / "acgr").rglob("*")) if p.suffix in (".py", ".toml")]
    assert len(files) > 30
    found = {
        str(p.relative_to(ROOT)): hits
        for p in files
        if (hits := outside_citations(p.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_tests_fixtures_benchmarks_and_docs_cite_no_outside_document() -> None:
    roots = ("tests", "fixtures", "benchmarks", "docs")
    files = [
        p
        for r in roots
        for p in sorted((ROOT / r).rglob("*"))
        if p.suffix in (".py", ".md", ".toml") and p != Path(__file__).resolve()
    ]
    files.append(ROOT / "README.md")
    found = {
        str(p.relative_to(ROOT)): hits
        for p in files
        if (hits := outside_citations(p.read_text(encoding="utf-8")))
    }
    assert found == {}


# ------------------------------------------------------------------ docstring examples
def _docstrings(path: Path) -> list[tuple[str, str]]:
    """``(name, docstring)`` of the module, each class and each function in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=True)
            if doc is not None:
                found.append((getattr(node, "name", "<module>"), doc))
    return found


def test_every_examples_section_is_a_doctest() -> None:
    # an Examples: section without a >>> prompt is prose: --doctest-modules would not run it
    sections = {
        f"{p.relative_to(ROOT)}::{name}": doc.split("Examples:", 1)[1]
        for p in sorted((ROOT / "acgr").rglob("*.py"))
        for name, doc in _docstrings(p)
        if re.search(r"^Examples?:$", doc, flags=re.MULTILINE)
    }
    assert len(sections) >= 10
    assert [where for where, text in sections.items() if ">>>" not in text] == []


def test_the_test_command_runs_the_package_doctests() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = pyproject["tool"]["pytest"]["ini_options"]
    assert "acgr" in options["testpaths"]
    assert "--doctest-modules" in options["addopts"].split()
