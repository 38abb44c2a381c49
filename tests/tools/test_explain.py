"""acgr explain: one student's records, rules and outcome."""

from __future__ import annotations

import polars as pl

from acgr.pipeline import compute
from acgr.tools.explain import explain, render
from tests.helpers import ROOT

EXTRACT = ROOT / "fixtures" / "extract"
SCHOOLS = ROOT / "fixtures" / "schools.csv"


def test_explanation_agrees_with_the_full_run() -> None:
    full = compute(EXTRACT, class_of=2018, schools=SCHOOLS).students
    for ssid in full["ssid"].gather([0, 20, 40, 60]).to_list():
        ex = explain(ssid, EXTRACT, class_of=2018, schools=SCHOOLS)
        mine = ex.student.select("ssid", "outcome", "reason", "cds_code")
        theirs = full.filter(pl.col("ssid") == ssid).select("ssid", "outcome", "reason", "cds_code")
        assert mine.equals(theirs), ssid
        assert ex.timeline["role"].str.contains("decided the outcome").any()


def test_every_record_gets_a_status_citing_a_rule() -> None:
    full = compute(EXTRACT, class_of=2018).students
    ssid = full["ssid"][0]
    ex = explain(ssid, EXTRACT, class_of=2018)
    assert ex.timeline["status_reason"].str.contains(r"\(R[0-9.]+\)").all()


def test_student_of_another_class_is_explained_and_ssid_masked() -> None:
    ex = explain("2019000001", EXTRACT, class_of=2018)
    assert ex.student.height == 0
    assert ex.initial_class == 2019
    text = render(ex, "2019000001")
    assert "class of 2019 (R2.2)" in text
    assert "2019000001" not in text
