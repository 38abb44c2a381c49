"""acgr explain as a reader meets it: the full run's findings and groups, names, words."""

from __future__ import annotations

import polars as pl
import pytest

import acgr
from acgr.tools.explain import explain, render
from tests.helpers import FIXTURES

EXTRACT = FIXTURES / "extract"
SCHOOLS = FIXTURES / "schools.csv"
FOSTER = FIXTURES / "foster.csv"


@pytest.fixture(scope="module")
def full_run() -> acgr.AcgrResult:
    return acgr.compute(EXTRACT, class_of=2018, schools=SCHOOLS, foster=FOSTER)


@pytest.mark.parametrize("ssid", ["2018000005", "2018000053"])
def test_explain_lists_the_findings_the_full_run_has_for_the_student(
    ssid: str, full_run: acgr.AcgrResult
) -> None:
    """ACGR0002 (no SINF record) was missing: the one-student run saw no SINF at all."""
    ex = explain(ssid, EXTRACT, class_of=2018, schools=SCHOOLS, foster=FOSTER)
    mine = full_run.findings.filter(pl.col("ssid") == ssid)
    assert sorted(ex.findings.filter(pl.col("file") != "")["rule"].to_list()) == sorted(
        mine["rule"].to_list()
    )
    assert "ACGR0002" in ex.findings["rule"].to_list()
    # The inputs have SINF records: no "no SINF records" ACGR0003 for this student.
    absent = ex.findings.filter(pl.col("rule") == "ACGR0003")["message"].to_list()
    assert not [m for m in absent if m.startswith("no SINF")]


@pytest.mark.parametrize("ssid", ["2018000005", "2018000053"])
def test_explain_groups_are_the_full_runs(ssid: str, full_run: acgr.AcgrResult) -> None:
    ex = explain(ssid, EXTRACT, class_of=2018, schools=SCHOOLS, foster=FOSTER)
    full = full_run.students.filter(pl.col("ssid") == ssid).drop("record_file")
    assert ex.student.drop("record_file").rows() == full.rows()


def test_explain_shows_school_names_and_flags_in_words() -> None:
    text = render(explain("2018000005", EXTRACT, class_of=2018, schools=SCHOOLS), "2018000005")
    assert "19647331930000 Vista Ridge High" in text
    for raw in ("True", "False", "None"):
        assert raw not in text
    assert "charter no  DASS no" in text
    assert all(len(line) <= 100 for line in text.splitlines())


def test_explain_with_foster_file_counts_the_student_as_foster_youth() -> None:
    """2018000005 is in fixtures/foster.csv (R5.5): foster yes only when it is read."""
    with_file = explain("2018000005", EXTRACT, class_of=2018, foster=FOSTER)
    without = explain("2018000005", EXTRACT, class_of=2018)
    assert with_file.student["foster"].item() is True
    assert without.student["foster"].item() is not True
