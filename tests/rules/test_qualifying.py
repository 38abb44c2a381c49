"""Which records count (docs/rules.md R1, R2.4, R3.4.1): hand-worked cases for the class of 2018.

Students of the tests that use default settings share one extract (see
:class:`tests.helpers.Scenario`); each test reads only its own SSIDs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from acgr.pipeline import AcgrResult
from acgr.read.extracts import canonicalize, strip_padding
from acgr.rules.cohort import CohortPeriods
from acgr.rules.qualifying import (
    enrollment_records,
    is_qualifying,
    is_rejected,
    normalise_senr_codes,
    normalise_senr_codes_by_value,
    qualifying_from,
    records_read,
    rejection_reason,
    tidy_senr,
    untidy_columns,
)
from acgr.rules.ruleset import load_rules
from acgr.testing import senr_frame, senr_histories
from tests.helpers import (
    ROOT,
    D,
    Scenario,
    findings,
    grad,
    in_class,
    outcome,
    rec,
    run,
    student,
)

S = Scenario()

# ---------------------------------------------------------------------------- R1.1

GRADES = {"1101000008": "08", "1101000009": "09", "1101000013": "AD", "1101000014": "KN"}
S.add(
    *(rec(s, grade=g, exit=D(2018, 6, 8), code="E230", completion="100") for s, g in GRADES.items())
)


def test_r1_1_only_grades_09_to_12_qualify(scenario: AcgrResult) -> None:
    # arrange: each student's only record is a Year1 record of one grade, ending in a diploma
    # assert
    assert [s for s in GRADES if in_class(scenario, s)] == ["1101000009"]


GRADE_8_FIRST = "1101000100"
S.add(
    rec(GRADE_8_FIRST, D(2013, 8, 20), "08", exit=D(2014, 6, 10), code="E400"),
    grad(GRADE_8_FIRST),
)


def test_r1_1_grade_8_record_before_grade_9_does_not_make_initial_record(
    scenario: AcgrResult,
) -> None:
    # arrange: grade 8 in 2013-14, then grade 9 in Year1 (class of 2018)
    row = student(scenario, GRADE_8_FIRST)
    # assert
    assert (row["initial_grade"], row["initial_start_date"]) == ("09", D(2014, 8, 20))
    assert row["qualifying_records"] == 1


STATUS_10, STATUS_30 = "1101000210", "1101000230"
S.add(
    rec(STATUS_10, status="10"),
    # short-term record of 42 days, exited as a dropout
    rec(STATUS_30, status="30", start=D(2014, 8, 20), exit=D(2014, 10, 1), code="E400"),
)


def test_r1_1_status_10_and_status_30_longer_than_30_days_qualify(scenario: AcgrResult) -> None:
    assert outcome(scenario, STATUS_10) == "Still Enrolled"
    assert outcome(scenario, STATUS_30) == "Dropout"


EXCLUDED = {"1101000301": "N470", "1101000302": "E125", "1101000303": "E170"}
NOT_EXCLUDED = "1101000304"
S.add(
    # N470 is dated the day before the start, as CALPADS requires
    rec("1101000301", exit=D(2014, 8, 19), code="N470"),
    rec("1101000302", exit=D(2015, 3, 1), code="E125"),
    rec("1101000303", exit=D(2015, 3, 1), code="E170"),
    rec(NOT_EXCLUDED, exit=D(2015, 3, 1), code="E400"),
)


def test_r1_1_excluded_exit_codes_do_not_qualify(scenario: AcgrResult) -> None:
    # arrange: students whose only record is closed with N470, E125 or E170; one with E400
    # assert
    assert [s for s in EXCLUDED if in_class(scenario, s)] == []
    assert in_class(scenario, NOT_EXCLUDED)
    # excluded codes are known codes: nothing is rejected under R3.4.1
    assert findings(scenario, "R3.4.1").filter(pl.col("ssid").is_in(list(EXCLUDED))).height == 0


EXCLUDED_LATER = "1101000400"
S.add(
    rec(EXCLUDED_LATER, exit=D(2017, 3, 1), code="E400"),
    # a later record closed with N470 (no show) on its start date
    rec(EXCLUDED_LATER, D(2017, 8, 20), "12", school="1930001", exit=D(2017, 8, 20), code="N470"),
)


def test_r1_1_excluded_exit_record_is_not_the_final_record(scenario: AcgrResult) -> None:
    row = student(scenario, EXCLUDED_LATER)
    assert (row["outcome"], row["record_exit_code"]) == ("Dropout", "E400")
    assert row["qualifying_records"] == 1


# ---------------------------------------------------------------------------- R1.2

DAYS_30, DAYS_31 = "1102000030", "1102000031"
S.add(
    # status 30 from 1 Sept 2014 to 1 Oct (30 days) and to 2 Oct (31 days)
    rec(DAYS_30, status="30", start=D(2014, 9, 1), exit=D(2014, 10, 1), code="E400"),
    rec(DAYS_31, status="30", start=D(2014, 9, 1), exit=D(2014, 10, 2), code="E400"),
)


def test_r1_2_short_term_30_days_exactly_does_not_qualify_31_does(scenario: AcgrResult) -> None:
    assert not in_class(scenario, DAYS_30)
    assert in_class(scenario, DAYS_31)


@pytest.mark.parametrize(
    ("extraction", "qualifies"), [(D(2018, 9, 15), False), (D(2018, 9, 16), True)]
)
def test_r1_2_open_short_term_record_measured_to_extraction_date(
    tmp_path: Path, extraction: D, qualifies: bool
) -> None:
    # arrange: a student of the class with an open status-30 grade-12 record from
    # 16 August 2018 (after the cutoff, so it never decides the outcome)
    lines = [
        rec(exit=D(2018, 6, 1), code="E400"),
        rec(status="30", grade="12", start=D(2018, 8, 16), school="1930001"),
    ]
    # act: X - start = 30 days (X = 15 September) or 31 days (X = 16 September)
    result = run(tmp_path, lines, extraction_date=extraction)
    # assert: the short-term record counts as qualifying only at 31 days
    assert student(result)["qualifying_records"] == (2 if qualifies else 1)


SHORT_REENROL = "1102000100"
SHORT_REENROL_LINES = [
    rec(SHORT_REENROL, exit=D(2017, 6, 1), code="E400"),
    # an open short-term record from 20 Aug 2018: 26 days to the default X
    rec(SHORT_REENROL, D(2018, 8, 20), "12", status="30", school="1930001"),
]
S.add(*SHORT_REENROL_LINES)


def test_r1_2_open_short_term_reenrolment_counts_only_with_a_later_extraction(
    scenario: AcgrResult, tmp_path: Path
) -> None:
    # act: 36 days to X = 25 Sept
    later = run(tmp_path, SHORT_REENROL_LINES, extraction_date=D(2018, 9, 25))
    # assert
    assert outcome(scenario, SHORT_REENROL) == "Dropout"
    assert outcome(later, SHORT_REENROL) == "Still Enrolled"


# ---------------------------------------------------------------------------- R1.3

SECONDARY_ONLY = {"20": "1103000020", "50": "1103000050"}
SECONDARY_LATER = {"20": "1103000120", "50": "1103000150"}
for _status in ("20", "50"):
    S.add(
        # only a status-20/50 diploma record
        rec(SECONDARY_ONLY[_status], status=_status, exit=D(2018, 6, 8), code="E230",
            completion="100"),
        # a primary dropout record, then a later status-20/50 record
        rec(SECONDARY_LATER[_status], exit=D(2017, 3, 1), code="E400"),
        rec(SECONDARY_LATER[_status], D(2017, 8, 20), "12", status=_status, school="1930001"),
    )  # fmt: skip


@pytest.mark.parametrize("status", ["20", "50"])
def test_r1_3_secondary_and_non_ada_statuses_never_qualify(
    scenario: AcgrResult, status: str
) -> None:
    assert not in_class(scenario, SECONDARY_ONLY[status])
    row = student(scenario, SECONDARY_LATER[status])
    assert (row["outcome"], row["qualifying_records"]) == ("Dropout", 1)


# ---------------------------------------------------------------------------- R1.4

GRADE_US = "1104000001"
S.add(
    rec(GRADE_US, grade="US", exit=D(2018, 6, 8), code="E230", completion="100"),
    rec(GRADE_US, D(2015, 8, 20), "US", status="20", school="1930001"),
)


def test_r1_4_grade_us_never_qualifies_and_is_one_warning(scenario: AcgrResult) -> None:
    assert not in_class(scenario, GRADE_US)
    us = findings(scenario, "R1.4")
    # one warning per grade-US record
    assert us.select("severity", "line", "record_type", "ssid").rows() == [
        ("warning", S.line(GRADE_US, 1), "SENR", GRADE_US),
        ("warning", S.line(GRADE_US, 2), "SENR", GRADE_US),
    ]


# ---------------------------------------------------------------------------- R1.5

AY_MISMATCH, AY_MATCH = "1105000001", "1105000002"
S.add(
    # grade 9 starting 20 June 2015 (academic year 2014-15) labelled 2015-2016: by the
    # label the student would be class 2019, by the date class 2018
    rec(AY_MISMATCH, D(2015, 6, 20), academic_year_id="2015-2016", exit=D(2018, 6, 8),
        code="E230", completion="100"),
    rec(AY_MATCH, D(2014, 7, 1), academic_year_id="2014-2015"),
)  # fmt: skip


def test_r1_5_academic_year_from_start_date_and_mismatch_is_a_warning(
    scenario: AcgrResult,
) -> None:
    assert student(scenario, AY_MISMATCH)["class_of"] == 2018
    assert in_class(scenario, AY_MATCH)
    mismatch = findings(scenario, "R1.5")
    assert mismatch.select("severity", "line", "ssid").rows() == [
        ("warning", S.line(AY_MISMATCH), AY_MISMATCH)
    ]


# ---------------------------------------------------------------------------- R2.4

LATE_GRADUATION = "1204000001"
S.add(
    rec(LATE_GRADUATION, exit=D(2018, 3, 1), code="E400"),
    # an E230/100 record starting 16 Sept 2018, after X
    rec(LATE_GRADUATION, D(2018, 9, 16), "12", school="1930001", exit=D(2018, 9, 20),
        code="E230", completion="100"),
)  # fmt: skip


def test_r2_4_graduation_record_starting_after_x_is_not_read(scenario: AcgrResult) -> None:
    row = student(scenario, LATE_GRADUATION)
    assert (row["outcome"], row["qualifying_records"]) == ("Dropout", 1)


UNREAD = "1204000002"
S.add(
    grad(UNREAD),
    # records after X that would otherwise be rejected (unknown exit code) or warned (US)
    rec(UNREAD, D(2018, 9, 16), "12", exit=D(2018, 9, 20), code="Z999"),
    rec(UNREAD, D(2018, 9, 16), "US"),
)


def test_r2_4_record_starting_after_x_raises_no_findings(scenario: AcgrResult) -> None:
    unread = [S.line(UNREAD, 2), S.line(UNREAD, 3)]
    # no finding of any rule names the unread lines
    assert scenario.findings.filter(pl.col("line").is_in(unread)).height == 0
    assert outcome(scenario, UNREAD) == "Graduate"


# ---------------------------------------------------------------------------- R3.4.1

#: What CALPADS rejects (R3.4.1): label -> fields of the rejected record.
REJECTED: dict[str, dict[str, Any]] = {
    "E230/104": {"exit": D(2018, 6, 8), "code": "E230", "completion": "104"},
    "E230/480": {"exit": D(2018, 6, 8), "code": "E230", "completion": "480"},
    "E230/blank": {"exit": D(2018, 6, 8), "code": "E230", "completion": None},
    "unknown exit code": {"exit": D(2018, 6, 8), "code": "Z999"},
    "exit code without date": {"exit": None, "code": "E400"},
    "exit date without code": {"exit": D(2018, 6, 8), "code": None},
}
REJECTED_SSID = {label: f"134100000{i}" for i, label in enumerate(REJECTED)}
for _label, _fields in REJECTED.items():
    S.add(
        # a Year3 dropout, then a later Year4 record CALPADS rejects
        rec(REJECTED_SSID[_label], exit=D(2017, 3, 1), code="E400"),
        rec(REJECTED_SSID[_label], D(2017, 8, 20), "12", school="1930001", **_fields),
    )


@pytest.mark.parametrize("label", list(REJECTED))
def test_r3_4_1_invalid_record_is_fatal_and_not_used(scenario: AcgrResult, label: str) -> None:
    ssid = REJECTED_SSID[label]
    # one fatal finding on the student's second line
    fatal = findings(scenario, "R3.4.1").filter(pl.col("ssid") == ssid)
    assert fatal.select("severity", "line").rows() == [("fatal", S.line(ssid, 2))]
    # the record is not used: the student is still a dropout at the first record
    row = student(scenario, ssid)
    assert (row["outcome"], row["record_line"]) == ("Dropout", S.line(ssid, 1))
    assert row["qualifying_records"] == 1


VALID_COMPLETIONS = {c: f"1341000{c}" for c in ("100", "120", "250", "320", "330", "360")}
S.add(*(grad(ssid, completion=c) for c, ssid in VALID_COMPLETIONS.items()))


def test_r3_4_1_valid_e230_completions_are_not_findings(scenario: AcgrResult) -> None:
    valid = list(VALID_COMPLETIONS.values())
    assert findings(scenario, "R3.4.1").filter(pl.col("ssid").is_in(valid)).height == 0
    for c, ssid in VALID_COMPLETIONS.items():
        assert student(scenario, ssid)["record_completion"] == c


scenario = S.fixture()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([None, "E230", "T160", "E150", "X999", "T260", "N470"]),
            st.sampled_from([None, dt.date(2017, 6, 1)]),
            st.sampled_from([None, "", "100", "120", "250", "330", "999"]),
        ),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from(["2018", "legacy"]),
)
def test_r3_4_1_flag_and_message_agree(
    rows: list[tuple[str | None, dt.date | None, str | None]], name: str
) -> None:
    """R3.4.1: the cheap rejection flag is true exactly when a reason message exists."""
    rules = load_rules(name)
    frame = pl.DataFrame(
        rows,
        schema={"exit_code": pl.String, "exit_date": pl.Date, "completion": pl.String},
        orient="row",
    )
    got = frame.select(
        is_rejected(rules).alias("flag"), rejection_reason(rules).is_not_null().alias("reason")
    )
    assert got["flag"].to_list() == got["reason"].to_list()


def test_untidy_columns_are_those_where_a_value_would_change() -> None:
    clean = pl.LazyFrame(
        {
            "ssid": ["1000000001", "1000000002"],
            "enrollment_status_code": ["10", "30"],
            "grade_level_code": ["12", "KN"],
            "student_exit_reason_code": ["E230", None],
            "student_met_all_uc_csu_requirements_indicator": ["Y", "N"],
        }
    )
    assert untidy_columns(canonicalize(clean, "senr", source="<senr>", strip=False)) == set()
    for col, value in [
        ("ssid", "1000000002 "),  # padding on a field that is only stripped
        ("grade_level_code", "9"),  # a leading zero cut
        ("student_exit_reason_code", "e230"),  # lower case
        ("student_met_all_uc_csu_requirements_indicator", "\u00a0N"),
    ]:
        second = pl.int_range(pl.len()) == 1
        dirty = clean.with_columns(
            pl.when(second).then(pl.lit(value)).otherwise(pl.col(col)).alias(col)
        )
        assert untidy_columns(canonicalize(dirty, "senr", source="<senr>", strip=False)) == {col}


def test_tidying_the_untidy_columns_equals_tidying_all() -> None:
    given = canonicalize(
        pl.LazyFrame(
            {
                "ssid": [" 1000000001", "1000000002"],
                "grade_level_code": ["9", "12"],
                "enrollment_status_code": ["10", "10"],
                "student_exit_reason_code": ["e230", "T160"],
            }
        ),
        "senr",
        source="<senr>",
        strip=False,
    )
    everything = normalise_senr_codes(strip_padding(given)).collect()
    untidy = untidy_columns(given)
    assert untidy == {"ssid", "grade_level_code", "student_exit_reason_code"}
    assert_frame_equal(tidy_senr(given, untidy).collect(), everything)


def test_codes_normalised_by_value_fix_only_what_changes() -> None:
    """Staged SENR's codes are normalised on their distinct values: a cut leading zero
    and lower case are fixed as the table is read; a tidy table is left as it is."""
    given = canonicalize(
        pl.LazyFrame(
            {
                "ssid": ["1000000001", "1000000002", "1000000003"],
                "grade_level_code": ["9", "12", None],
                "enrollment_status_code": ["10", "10", "30"],
                "student_exit_reason_code": ["e230", "T160", None],
                "reporting_lea": ["123456", "0123456", "0123456"],
            }
        ),
        "senr",
        source="<senr>",
    )
    got = normalise_senr_codes_by_value(given).collect()
    assert got["grade_level_code"].to_list() == ["09", "12", None]
    assert got["student_exit_reason_code"].to_list() == ["E230", "T160", None]
    assert got["reporting_lea"].to_list() == ["0123456"] * 3
    tidy = given.filter(pl.col("ssid") == "1000000002")
    assert normalise_senr_codes_by_value(tidy) is tidy


@settings(max_examples=40, deadline=None)
@given(
    codes=st.lists(
        st.tuples(
            st.sampled_from(["9", "09", "12", "us", "US", "1", None]),
            st.sampled_from(["e230", "E230", "t160", "100", None]),
            st.sampled_from(["y", "Y", "n", None]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_codes_normalised_by_value_equal_normalising_every_record(
    codes: list[tuple[str | None, str | None, str | None]],
) -> None:
    """The distinct-value path gives exactly what normalising each record gives."""
    grade, exit_code, uc = (list(c) for c in zip(*codes, strict=True))
    given = canonicalize(
        pl.LazyFrame(
            {
                "ssid": [str(1000000000 + i) for i in range(len(codes))],
                "grade_level_code": grade,
                "student_exit_reason_code": exit_code,
                "student_met_all_uc_csu_requirements_indicator": uc,
            },
            schema_overrides={
                "grade_level_code": pl.String,
                "student_exit_reason_code": pl.String,
                "student_met_all_uc_csu_requirements_indicator": pl.String,
            },
        ),
        "senr",
        source="<senr>",
    )
    assert_frame_equal(
        normalise_senr_codes_by_value(given).collect(), normalise_senr_codes(given).collect()
    )


# ------------------------------------------------------------- one place per rule
#
# R1 is written once, in acgr/rules/qualifying.py; every other module calls its
# expressions (is_high_school, has_counting_status, not_counted ...). A module that
# reads an R1 setting of the rule set is writing an R1 test again.

#: Rule-set settings of R1 (docs/rules.md); only the rule set and R1's module read them.
R1_SETTINGS = (
    "grade_levels",
    "primary_statuses",
    "short_term_statuses",
    "short_term_min_days",
    "excluded_exit_codes",
    "ungraded_secondary_grade",
)
R1_HOMES = {Path("acgr/rules/qualifying.py"), Path("acgr/rules/ruleset.py")}


def test_r1_settings_are_read_only_where_r1_is_written() -> None:
    # arrange: every module of the package but the synthetic-data generator, which
    # draws realistic records and may use the settings to do so
    package = ROOT / "acgr"
    modules = [
        p
        for p in sorted(package.rglob("*.py"))
        if "synth" not in p.relative_to(package).parts and p.relative_to(ROOT) not in R1_HOMES
    ]
    # act
    readers = {
        f"{p.relative_to(ROOT)}: {setting}"
        for p in modules
        for setting in R1_SETTINGS
        if f".{setting}" in p.read_text(encoding="utf-8")
    }
    # assert
    assert not readers, "R1 written again outside acgr/rules/qualifying.py"


@settings(max_examples=40, deadline=None)
@given(senr_histories(), st.sampled_from(["2018", "legacy"]))
def test_qualifying_from_keeps_the_records_no_reason_of_not_counted_holds_for(
    rows: list[dict[str, Any]], name: str
) -> None:
    # arrange: the engine's filter and the reasons explain words
    rules = load_rules(name)
    periods = CohortPeriods.for_class(2018, rules)
    records = enrollment_records(senr_frame(rows).lazy(), None)
    # act
    kept = qualifying_from(records_read(records, periods.extraction_date), periods, rules)
    flagged = records.filter(is_qualifying(periods, rules))
    # assert
    key = ["source_file", "source_line"]
    assert_frame_equal(
        kept.select(key).collect(), flagged.select(key).collect(), check_row_order=False
    )
