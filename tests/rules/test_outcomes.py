"""Outcome of each cohort student (docs/rules.md R3.1-R3.6, R7.2, R7.3), class of 2018.

Students of the tests that use default settings share one extract (see
:class:`tests.helpers.Scenario`); each test reads only its own SSIDs.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from acgr.pipeline import AcgrResult
from acgr.rules.ruleset import load_rules
from tests.helpers import D, Scenario, findings, grad, outcome, rec, run, student

S = Scenario()

# ---------------------------------------------------------------------------- R3.1

GRAD_THEN_DROPOUT = "3101000001"
S.add(
    # graduates early (June 2016), then enrols elsewhere and drops out
    grad(GRAD_THEN_DROPOUT, exit=D(2016, 6, 10)),
    rec(GRAD_THEN_DROPOUT, D(2016, 8, 20), "11", school="1930001", exit=D(2017, 1, 10),
        code="E400"),
)  # fmt: skip


def test_r3_1_graduate_any_time_later_dropout_does_not_undo(scenario: AcgrResult) -> None:
    row = student(scenario, GRAD_THEN_DROPOUT)
    assert row["outcome"] == "Graduate"
    assert row["reason"].startswith("R3.1")
    assert row["record_line"] == S.line(GRAD_THEN_DROPOUT, 1)


GRAD_THEN_GED = "3101000002"
S.add(
    # diploma in June 2017, a GED record in June 2018
    grad(GRAD_THEN_GED, exit=D(2017, 6, 9)),
    rec(GRAD_THEN_GED, D(2017, 8, 20), "12", school="1930001", exit=D(2018, 6, 1), code="E230",
        completion="320"),
)  # fmt: skip


def test_r3_1_graduate_beats_a_later_completer_record(scenario: AcgrResult) -> None:
    assert outcome(scenario, GRAD_THEN_GED) == "Graduate"


# ---------------------------------------------------------------------------- R3.2

COMPLETERS = {
    "120": "SPED Certificate",
    "250": "Adult Ed. HS Diploma",
    "320": "GED Completer",
    "330": "CHSPE Completer",
}
S.add(*(grad(f"3102000{c}", completion=c) for c in COMPLETERS))


@pytest.mark.parametrize(("completion", "expected"), sorted(COMPLETERS.items()))
def test_r3_2_completer_code_gives_its_outcome(
    scenario: AcgrResult, completion: str, expected: str
) -> None:
    row = student(scenario, f"3102000{completion}")
    assert row["outcome"] == expected
    assert row["completer_category"] == expected
    assert row["reason"].startswith("R3.2")
    assert row["in_cohort"] is True


TWO_COMPLETERS = "3102001000"
S.add(
    # GED on 1 May 2018, SPED certificate on 1 June 2018 (concurrent records)
    grad(TWO_COMPLETERS, exit=D(2018, 5, 1), completion="320"),
    rec(TWO_COMPLETERS, D(2017, 8, 20), "12", school="1930001", exit=D(2018, 6, 1),
        code="E230", completion="120"),
)  # fmt: skip


def test_r3_2_two_completer_records_latest_exit_wins(scenario: AcgrResult) -> None:
    row = student(scenario, TWO_COMPLETERS)
    assert (row["outcome"], row["record_line"]) == ("SPED Certificate", S.line(TWO_COMPLETERS, 2))


def _same_day_completers(ssid: str) -> list[str]:
    # CHSPE (330) and adult-ed diploma (250) on the same day
    return [
        grad(ssid, exit=D(2018, 6, 1), completion="330"),
        rec(ssid, D(2017, 8, 20), "12", school="1930001", exit=D(2018, 6, 1), code="E230",
            completion="250"),
    ]  # fmt: skip


SAME_DAY_COMPLETERS = ("3102002001", "3102002002")
S.add(
    *_same_day_completers(SAME_DAY_COMPLETERS[0]),
    *_same_day_completers(SAME_DAY_COMPLETERS[1])[::-1],
)


def test_r3_2_two_completer_records_same_date_lowest_code_wins(scenario: AcgrResult) -> None:
    # (the second student has the same records in the other file order)
    for ssid in SAME_DAY_COMPLETERS:
        assert outcome(scenario, ssid) == "Adult Ed. HS Diploma"


# ---------------------------------------------------------------------------- R3.3

OPEN_FINAL = "3103000001"
S.add(
    rec(OPEN_FINAL, exit=D(2016, 3, 1), code="E400"),
    rec(OPEN_FINAL, D(2016, 8, 20), "11", school="1930001"),
)


def test_r3_3_open_final_record_is_still_enrolled(scenario: AcgrResult) -> None:
    row = student(scenario, OPEN_FINAL)
    assert (row["outcome"], row["reason"]) == ("Still Enrolled", "R3.3:open")
    assert row["record_line"] == S.line(OPEN_FINAL, 2)


EXIT_AFTER_CUTOFF = "3103000002"
S.add(rec(EXIT_AFTER_CUTOFF, exit=D(2018, 8, 20), code="E400"))


def test_r3_3_exit_after_cutoff_is_still_enrolled(scenario: AcgrResult) -> None:
    row = student(scenario, EXIT_AFTER_CUTOFF)
    assert row["outcome"] == "Still Enrolled"
    assert row["reason"].startswith("R3.3")


GRAD_AUG_16 = "3103000003"
S.add(grad(GRAD_AUG_16, exit=D(2018, 8, 16), student_met_all_uc_csu_requirements_indicator="Y"))


def test_r3_3_graduation_the_day_after_cutoff_is_not_a_graduate(scenario: AcgrResult) -> None:
    row = student(scenario, GRAD_AUG_16)
    assert (row["outcome"], row["met_uc_csu"]) == ("Still Enrolled", False)


START_AFTER_CUTOFF = "3103000004"
S.add(
    # Other Transfer in March; a record starting after the cutoff (and after X)
    rec(START_AFTER_CUTOFF, exit=D(2018, 3, 1), code="T280"),
    rec(START_AFTER_CUTOFF, D(2018, 9, 20), "12", school="1930001"),
)


def test_r3_3_final_record_is_latest_start_on_or_before_cutoff(scenario: AcgrResult) -> None:
    row = student(scenario, START_AFTER_CUTOFF)
    assert (row["outcome"], row["record_exit_code"]) == ("Other Transfer", "T280")


LATER_EXIT = "3103000005"
S.add(
    rec(LATER_EXIT, exit=D(2017, 6, 1), code="T160"),
    # two records with the same start; the later exit (T280) decides
    rec(LATER_EXIT, D(2017, 8, 20), "12", exit=D(2018, 5, 1), code="T280", school="1930001"),
    rec(LATER_EXIT, D(2017, 8, 20), "12", exit=D(2018, 3, 1), code="E400", school="1930002"),
)


def test_r3_3_same_start_later_exit_is_final(scenario: AcgrResult) -> None:
    assert outcome(scenario, LATER_EXIT) == "Other Transfer"


FINAL_TIE = "3103000006"
S.add(
    rec(FINAL_TIE, exit=D(2017, 6, 1), code="T160"),
    # two Year4 records with the same start and exit at schools ...02 and ...01
    rec(FINAL_TIE, D(2017, 8, 20), "12", exit=D(2018, 3, 1), code="E400", school="1930002"),
    rec(FINAL_TIE, D(2017, 8, 20), "12", exit=D(2018, 3, 1), code="T280", school="1930001"),
)


def test_r3_3_final_record_tie_is_a_warning_lowest_school_decides(scenario: AcgrResult) -> None:
    row = student(scenario, FINAL_TIE)
    assert (row["outcome"], row["school_code"]) == ("Other Transfer", "1930001")
    tie = findings(scenario, "ACGR0104").filter(
        (pl.col("ssid") == FINAL_TIE) & pl.col("message").str.contains("tie")
    )
    assert tie["severity"].to_list() == ["warning"]


OPEN_TIE = "3103000009"
S.add(
    rec(OPEN_TIE, exit=D(2017, 6, 1), code="T160"),
    # same start: a closed record at ...01 and an open one at ...02; open counts as latest
    rec(OPEN_TIE, D(2017, 8, 20), "12", exit=D(2018, 3, 1), code="E400", school="1930001"),
    rec(OPEN_TIE, D(2017, 8, 20), "12", school="1930002"),
)


def test_r3_3_open_record_counts_as_latest_exit(scenario: AcgrResult) -> None:
    row = student(scenario, OPEN_TIE)
    assert (row["outcome"], row["reason"], row["school_code"]) == (
        "Still Enrolled",
        "R3.3:open",
        "1930002",
    )


SCHOOL_CODE_FIRST = "3103000010"
S.add(
    rec(SCHOOL_CODE_FIRST, exit=D(2017, 6, 1), code="T160"),
    # same start and exit: school 1930009 in LEA 01-10017 (lower CDS code) and school
    # 1930001 in LEA 19-64733 (lower 7-digit school code, which is compared first)
    rec(SCHOOL_CODE_FIRST, D(2017, 8, 20), "12", exit=D(2018, 3, 1), code="E400",
        lea="0110017", school="1930009"),
    rec(SCHOOL_CODE_FIRST, D(2017, 8, 20), "12", exit=D(2018, 3, 1), code="T280",
        lea="1964733", school="1930001"),
)  # fmt: skip


def test_r3_3_tie_lower_school_code_before_cds_code(scenario: AcgrResult) -> None:
    row = student(scenario, SCHOOL_CODE_FIRST)
    assert (row["outcome"], row["cds_code"]) == ("Other Transfer", "19647331930001")


REMOVED_AFTER_CUTOFF = "3103000011"
# a removal code (E130) dated after the summer cutoff: still enrolled at the end of the period
S.add(rec(REMOVED_AFTER_CUTOFF, exit=D(2018, 8, 20), code="E130"))


def test_r3_3_exit_after_cutoff_is_still_enrolled_whatever_its_code(scenario: AcgrResult) -> None:
    row = student(scenario, REMOVED_AFTER_CUTOFF)
    assert (row["outcome"], row["in_cohort"]) == ("Still Enrolled", True)


OVERLAP, NO_OVERLAP = "3103000007", "3103000008"
S.add(
    # the second record starts before the first one ends
    rec(OVERLAP, exit=D(2016, 6, 10), code="T160"),
    rec(OVERLAP, D(2016, 3, 1), "10", school="1930001"),
    rec(NO_OVERLAP, exit=D(2016, 6, 10), code="T160"),
    rec(NO_OVERLAP, D(2016, 8, 20), "11", school="1930001"),
)


def test_r3_3_overlapping_records_are_a_warning(scenario: AcgrResult) -> None:
    r3_3 = findings(scenario, "ACGR0105")
    overlap = r3_3.filter(pl.col("ssid") == OVERLAP)
    assert overlap.select("severity", "line").rows() == [("warning", S.line(OVERLAP, 2))]
    assert r3_3.filter(pl.col("ssid") == NO_OVERLAP).height == 0


# ---------------------------------------------------------------------------- R3.4

#: docs/rules.md R3.4, written out here (not read from the rule set) so the test can fail.
R3_4_TABLE: dict[str, str] = {
    **dict.fromkeys(["E130", "T180", "T200", "T240", "T370"], "Removed"),
    **dict.fromkeys(["T260", "T280"], "Other Transfer"),
    **dict.fromkeys(["T160", "T165", "T167"], "Dropout"),
    **dict.fromkeys(["E140", "E150", "E155", "E300", "E400", "E410", "E490", "T380"], "Dropout"),
    **dict.fromkeys(["E156", "N420", "T270", "T310"], "Dropout"),
    "T460": "Dropout",
    "E230/360": "Dropout",
}
CODES = sorted(R3_4_TABLE)


def _code_ssid(label: str) -> str:
    return f"31040000{CODES.index(label):02d}"


for _label in CODES:
    _code, _, _completion = _label.partition("/")
    # one student per exit code, each with a single record exiting on 1 March 2017
    S.add(rec(_code_ssid(_label), exit=D(2017, 3, 1), code=_code, completion=_completion or None))


def test_r3_4_rule_set_table_is_the_rules_md_table() -> None:
    rules = load_rules("2018")
    table: dict[str, str] = {c: r.outcome for c, r in rules.exit_outcomes.items()}
    table["E230/360"] = str(rules.completion_outcomes["360"])
    assert table == R3_4_TABLE


@pytest.mark.parametrize("label", CODES)
def test_r3_4_final_exit_code_gives_outcome(scenario: AcgrResult, label: str) -> None:
    row = student(scenario, _code_ssid(label))
    assert row["outcome"] == R3_4_TABLE[label]
    assert row["reason"].startswith(f"R3.4:{label}")
    assert row["in_cohort"] is (R3_4_TABLE[label] != "Removed")


def test_r3_4_t260_is_other_transfer(scenario: AcgrResult) -> None:
    row = student(scenario, _code_ssid("T260"))
    assert (row["outcome"], row["reason"]) == ("Other Transfer", "R3.4:T260")


def test_r3_4_t160_without_later_record_is_lost_transfer_dropout(scenario: AcgrResult) -> None:
    row = student(scenario, _code_ssid("T160"))
    assert row["outcome"] == "Dropout"
    assert row["reason"].startswith("R3.4:T160")


T160_THEN_T260 = "3104001000"
S.add(
    # T160 in 2016, then a record elsewhere ending in T260
    rec(T160_THEN_T260, exit=D(2016, 3, 1), code="T160"),
    rec(T160_THEN_T260, D(2016, 3, 10), "10", school="1930001", exit=D(2017, 1, 10), code="T260"),
)


def test_r3_4_t160_followed_by_later_record_is_not_final(scenario: AcgrResult) -> None:
    row = student(scenario, T160_THEN_T260)
    assert (row["outcome"], row["record_line"]) == ("Other Transfer", S.line(T160_THEN_T260, 2))


def test_r3_4_e230_360_is_dropout(scenario: AcgrResult) -> None:
    row = student(scenario, _code_ssid("E230/360"))
    assert row["outcome"] == "Dropout"
    assert row["reason"].startswith("R3.4:E230/360")


# ---------------------------------------------------------------------------- R3.5

REENROLMENTS = {
    "3105000001": ("E400", D(2018, 8, 16), "Still Enrolled"),  # day after the cutoff
    "3105000002": ("E400", D(2018, 9, 15), "Still Enrolled"),  # on X
    "3105000003": ("T280", D(2018, 9, 1), "Still Enrolled"),  # Other Transfer re-opened too
    "3105000004": ("T200", D(2018, 9, 1), "Removed"),  # Removed stays Removed
    "3105000005": ("E400", D(2018, 9, 16), "Dropout"),  # after X: not read
}
for _ssid, (_code, _restart, _) in REENROLMENTS.items():
    # exit in March 2018, then a new record after the cutoff
    S.add(
        rec(_ssid, exit=D(2018, 3, 1), code=_code),
        rec(_ssid, _restart, "12", school="1930001"),
    )


@pytest.mark.parametrize("ssid", list(REENROLMENTS))
def test_r3_5_reenrolment_after_cutoff_by_x(scenario: AcgrResult, ssid: str) -> None:
    code, _, expected = REENROLMENTS[ssid]
    row = student(scenario, ssid)
    assert row["outcome"] == expected
    if expected == "Still Enrolled":
        assert row["reason"].startswith("R3.5")
    else:
        assert row["reason"] == f"R3.4:{code}"


LATE_DIPLOMA_ONLY = "3105001000"
# the only record ends with a diploma on 20 Aug 2018 (after the cutoff, before X)
S.add(grad(LATE_DIPLOMA_ONLY, exit=D(2018, 8, 20)))


def test_r3_5_late_completion_alone_is_still_enrolled(scenario: AcgrResult) -> None:
    assert outcome(scenario, LATE_DIPLOMA_ONLY) == "Still Enrolled"


def _late_diploma(ssid: str, diploma: D) -> list[str]:
    # a diploma record exiting on ``diploma``, and a later-starting concurrent record that
    # is final (latest start) and ends in a dropout in March 2018
    return [
        rec(ssid, D(2017, 8, 20), "12", exit=diploma, code="E230", completion="100"),
        rec(ssid, D(2018, 1, 10), "12", school="1930001", exit=D(2018, 3, 1), code="E400"),
        rec(ssid, D(2014, 8, 20), "09", school="1930002", exit=D(2017, 6, 1), code="T160"),
    ]


LATE_DIPLOMA, DIPLOMA_AFTER_X = "3105001001", "3105001002"
S.add(*_late_diploma(LATE_DIPLOMA, D(2018, 8, 20)), *_late_diploma(DIPLOMA_AFTER_X, D(2018, 9, 20)))


def test_r3_5_late_completion_reopens_a_dropout(scenario: AcgrResult) -> None:
    row = student(scenario, LATE_DIPLOMA)
    assert row["outcome"] == "Still Enrolled"
    assert row["reason"].startswith("R3.5")


def test_r3_5_late_completion_after_x_does_not_reopen(scenario: AcgrResult) -> None:
    assert outcome(scenario, DIPLOMA_AFTER_X) == "Dropout"


EARLIER_RECORD = "3105002000"
S.add(
    # the other record starts (and ends) before the final exit
    rec(EARLIER_RECORD, exit=D(2018, 3, 1), code="E400"),
    rec(EARLIER_RECORD, D(2014, 7, 15), "09", school="1930001", exit=D(2014, 8, 1), code="T160"),
)


def test_r3_5_reenrolment_must_start_after_the_final_exit(scenario: AcgrResult) -> None:
    assert outcome(scenario, EARLIER_RECORD) == "Dropout"


# ---------------------------------------------------------------------------- R3.6

OUTCOMES = {
    "Graduate",
    "SPED Certificate",
    "Adult Ed. HS Diploma",
    "GED Completer",
    "CHSPE Completer",
    "Other Transfer",
    "Dropout",
    "Still Enrolled",
    "Removed",
}


def test_r3_6_every_cohort_student_has_exactly_one_outcome_and_a_reason(
    scenario: AcgrResult,
) -> None:
    # arrange: every student of this module's scenario in the class of 2018
    expected = {ln.split("^")[7] for ln in S.lines}
    s = scenario.students
    # assert
    assert set(s["ssid"].to_list()) == expected
    assert s["ssid"].is_unique().all()
    assert s["outcome"].null_count() == 0
    assert set(s["outcome"].to_list()) == OUTCOMES
    for reason in s["reason"].to_list():
        assert reason.split(":")[0] in {"R3.1", "R3.2", "R3.3", "R3.4", "R3.5"}, reason
    assert s["record_line"].null_count() == 0
    assert s["record_file"].null_count() == 0


# ---------------------------------------------------------------------------- R7.2

#: exit code or E230/completion -> (outcome under "2018", outcome under "legacy")
R7_2_CASES: dict[str, tuple[str, str]] = {
    "E230/250": ("Adult Ed. HS Diploma", "Graduate"),
    "E230/330": ("CHSPE Completer", "Graduate"),
    "T260": ("Other Transfer", "Removed"),
    "T280": ("Other Transfer", "Removed"),
    "T310": ("Dropout", "Removed"),
    "T460": ("Dropout", "Removed"),
    "E400": ("Dropout", "Dropout"),
    "E230/100": ("Graduate", "Graduate"),
}
R7_2_LABELS = sorted(R7_2_CASES)
R7_2_LINES = [
    rec(f"37020000{i:02d}", exit=D(2017, 6, 1), code=code, completion=completion or None)
    for i, (code, _, completion) in enumerate(label.partition("/") for label in R7_2_LABELS)
]
S.add(*R7_2_LINES)


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> AcgrResult:
    """The R7.2 students under the legacy rule set."""
    return run(tmp_path_factory.mktemp("legacy"), R7_2_LINES, rules="legacy")


@pytest.mark.parametrize("label", R7_2_LABELS)
def test_r7_2_legacy_rule_set(scenario: AcgrResult, legacy: AcgrResult, label: str) -> None:
    ssid = f"37020000{R7_2_LABELS.index(label):02d}"
    expected_2018, expected_legacy = R7_2_CASES[label]
    assert outcome(scenario, ssid) == expected_2018
    assert outcome(legacy, ssid) == expected_legacy


# ---------------------------------------------------------------------------- R7.3

JULY_GRADUATE = "3703000001"
S.add(grad(JULY_GRADUATE, exit=D(2018, 7, 10)))


def test_r7_3_rule_set_file_with_june_30_cutoff(scenario: AcgrResult, tmp_path: Path) -> None:
    # arrange: a July 2018 graduate, and a variant rule set ending the period on 30 June
    rules_file = tmp_path / "june.toml"
    rules_file.write_text(
        'base = "2018"\nname = "2018-june-cutoff"\n[summer_cutoff]\nmonth = 6\nday = 30\n',
        encoding="utf-8",
    )
    # act
    june = run(tmp_path, [grad(JULY_GRADUATE, exit=D(2018, 7, 10))], rules=rules_file)
    # assert
    assert outcome(scenario, JULY_GRADUATE) == "Graduate"
    assert outcome(june, JULY_GRADUATE) == "Still Enrolled"
    assert june.periods.summer_cutoff == D(2018, 6, 30)
    assert june.rules.name == "2018-june-cutoff"


scenario = S.fixture()
