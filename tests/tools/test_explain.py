"""acgr explain: one student's records, rules and outcome."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acgr.pipeline import compute
from acgr.read.extracts import read_inputs
from acgr.rules.cohort import CohortPeriods
from acgr.rules.qualifying import enrollment_records, qualifying_from, records_read
from acgr.rules.ruleset import RuleSet, load_rules
from acgr.testing import senr_frame, senr_histories
from acgr.tools.explain import explain, record_status, render
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


# ------------------------------------------------- one place per rule (R1, R2.4, R3.4.1)
#
# ``acgr explain`` says why each record counts or not; the engine decides it. The two
# must never disagree: a record is "qualifying" in the timeline exactly when the
# engine's qualifying_from keeps it. A re-implemented R1 test in explain fails here.

#: Changes that move a valid record out of (or into) the qualifying records, each
#: one rule of R1, R2.4 or R3.4.1, including values the engine drops as null.
MUTATIONS: tuple[dict[str, object], ...] = (
    {},
    {"grade_level_code": None},
    {"grade_level_code": "US"},
    {"grade_level_code": "08"},
    {"enrollment_status_code": None},
    {"enrollment_status_code": "50"},
    {"enrollment_status_code": "30"},
    {"student_exit_reason_code": None},
    {"student_exit_reason_code": "X999"},
    {"enrollment_exit_date": None},
    {"student_school_completion_status": "104"},
    {"enrollment_start_date": dt.date(2018, 9, 16)},
)


def _engine_flags(senr: pl.LazyFrame, periods: CohortPeriods, rules: RuleSet) -> pl.DataFrame:
    """``file``, ``line``, ``engine``: whether the engine's R1 keeps each record."""
    records = enrollment_records(senr, None)
    kept = qualifying_from(records_read(records, periods.extraction_date), periods, rules)
    keys = [
        pl.col("source_file").cast(pl.String).alias("file"),
        pl.col("source_line").alias("line"),
    ]
    return (
        records.select(*keys, record_status(periods, rules).alias("status_reason"))
        .join(kept.select(*keys, pl.lit(True).alias("engine")), on=["file", "line"], how="left")
        .with_columns(pl.col("engine").fill_null(False))
        .collect()
    )


def _assert_agree(flags: pl.DataFrame) -> None:
    said = flags["status_reason"].str.starts_with("qualifying")
    assert flags["status_reason"].null_count() == 0
    assert said.to_list() == flags["engine"].to_list(), flags.filter(said != flags["engine"])


@pytest.mark.parametrize("rules", ["2018", "legacy"])
@pytest.mark.parametrize("x", [None, dt.date(2018, 8, 15), dt.date(2019, 6, 30)])
def test_explain_status_is_the_engines_qualifying_flag_on_the_fixture(
    rules: str, x: dt.date | None
) -> None:
    # arrange: every fixture SENR record, the rules and an extraction date
    ruleset = load_rules(rules)
    periods = CohortPeriods.for_class(2018, ruleset, x)
    # act
    flags = _engine_flags(read_inputs(EXTRACT).senr, periods, ruleset)
    # assert: record by record, explain's "qualifying" is the engine's decision
    assert flags.height > 100
    _assert_agree(flags)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    senr_histories(),
    st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=40),
    st.sampled_from(["2018", "legacy"]),
)
def test_explain_status_is_the_engines_qualifying_flag_on_any_history(
    rows: list[dict[str, object]], mutations: list[dict[str, object]], rules: str
) -> None:
    # arrange: valid histories, some records spoiled one rule at a time
    spoiled = [{**row, **mutations[i % len(mutations)]} for i, row in enumerate(rows)]
    ruleset = load_rules(rules)
    periods = CohortPeriods.for_class(2018, ruleset)
    # act
    flags = _engine_flags(senr_frame(spoiled).lazy(), periods, ruleset)
    # assert
    _assert_agree(flags)


def test_explain_timeline_marks_the_engines_qualifying_records() -> None:
    # arrange: the engine's qualifying records of a few students of the fixture
    ruleset = load_rules("2018")
    periods = CohortPeriods.for_class(2018, ruleset)
    flags = _engine_flags(read_inputs(EXTRACT).senr, periods, ruleset)
    students = compute(EXTRACT, class_of=2018, schools=SCHOOLS).students
    for ssid in students["ssid"].gather([0, 30, 60]).to_list():
        # act
        ex = explain(ssid, EXTRACT, class_of=2018, schools=SCHOOLS)
        # assert: the same records, and the same count as students.parquet
        mine = ex.timeline.filter(pl.col("status_reason").str.starts_with("qualifying"))
        theirs = flags.filter(pl.col("engine")).join(
            ex.timeline.select("file", "line"), on=["file", "line"], how="semi"
        )
        assert sorted(mine.select("file", "line").rows()) == sorted(
            theirs.select("file", "line").rows()
        )
        row = students.filter(pl.col("ssid") == ssid)
        assert mine.height == row["qualifying_records"].item()
