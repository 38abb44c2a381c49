"""Data-quality findings: one failing and one passing record per finding rule id.

Rules covered: the reader (EXTR0001-EXTR0003, EXTR0004, FRMT0002), the record
checks of :mod:`acgr.checks.validation` (CALPADS ids and ACGR0001/ACGR0002), the R1/R3.4.1
record findings of :mod:`acgr.rules.qualifying` and the R3.3 warnings of
:mod:`acgr.rules.outcomes`. Sources: docs/rules.md and docs/findings.md.

Every record of this module is written once to one folder of extracts and read by
``validate(folder)`` (no class: every record checked) and ``compute(folder,
class_of=2018)`` (default X = 2018-09-15), each run once per module. Each test
owns its SSIDs and looks only at its own lines. The outcome-sensitive findings
(ACGR0101-ACGR0103) and ``school_impact`` are in ``test_impact.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acgr.checks.catalogue import CATALOGUE
from acgr.checks.validation import concurrent_enrollments, record_checks
from acgr.pipeline import AcgrResult, ValidationResult, compute, validate
from acgr.rules.ruleset import MonthDay, RuleSet, load_rules
from acgr.testing import record_line, write_extract
from tests.helpers import D, grad, rec

#: Names and birth date planted in every record (the privacy test looks for them).
FIRST, LAST, BIRTH = "Wilhelmina", "Throckmorton", "20011231"
PII: dict[str, Any] = {
    "student_legal_first_name": FIRST,
    "student_legal_last_name": LAST,
    "student_birth_date": BIRTH,
}
OTHER_LEA, OTHER_LEA_SCHOOL = "0161119", "0130003"

A_SENR, B_SENR, C_SINF, D_EMPTY = "a_senr.txt", "b_senr.txt", "c_sinf.txt", "d_empty.txt"


class Folder:
    """The extract files of this module, built line by line at import time."""

    def __init__(self) -> None:
        self.files: dict[str, list[str]] = {A_SENR: [], B_SENR: []}
        #: SSIDs that get no SINF record (ACGR0002).
        self.no_sinf: set[str] = set()

    def add(self, *lines: str, file: str = A_SENR) -> list[int]:
        """Append lines to ``file``; return their 1-based line numbers."""
        first = len(self.files[file]) + 1
        self.files[file].extend(lines)
        return list(range(first, first + len(lines)))

    def ssids(self) -> list[str]:
        found: list[str] = []
        for name in (A_SENR, B_SENR):
            for ln in self.files[name]:
                parts = ln.split("^")
                if (
                    parts[0] in ("SENR", "SENR-R")
                    and len(parts) > 7
                    and parts[7]
                    and parts[7] not in found
                ):
                    found.append(parts[7])
        return found

    def write(self, folder: Path) -> Path:
        for name, lines in self.files.items():
            write_extract(folder / name, lines)
        sinf = [
            record_line(
                "SINF",
                {
                    "ssid": s,
                    "effective_start_date": D(2014, 7, 1),
                    "student_hispanic_ethnicity_indicator": "N",
                    "student_race_1_code": "700",
                    "student_gender_code": "F",
                    **PII,
                },
            )
            for s in self.ssids()
            if s not in self.no_sinf
        ]
        write_extract(folder / C_SINF, sinf)
        (folder / D_EMPTY).write_bytes(b"")
        return folder


F = Folder()


YEAR1 = D(2014, 8, 20)


def r(ssid: str, start: dt.date = YEAR1, grade: str = "09", **kw: Any) -> str:
    """A SENR line (see tests.helpers.rec) with the planted names and birth date."""
    return rec(ssid, start, grade, **{**PII, **kw})


def closed(ssid: str, **kw: Any) -> str:
    """A clean Year1 grade-9 record exited as a dropout (E400) on 10 June 2015."""
    kw.setdefault("exit", D(2015, 6, 10))
    kw.setdefault("code", "E400")
    return r(ssid, **kw)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return F.write(tmp_path_factory.mktemp("validation") / "extracts")


@pytest.fixture(scope="module")
def checked(folder: Path) -> ValidationResult:
    """``acgr validate`` without a class: every record checked."""
    return validate(folder, engine="in-memory")


@pytest.fixture(scope="module")
def computed(folder: Path) -> AcgrResult:
    return compute(folder, class_of=2018, engine="in-memory")


@pytest.fixture(scope="module")
def senr_only(folder: Path) -> ValidationResult:
    """Validation of the SENR file alone (no SINF supplied)."""
    return validate(folder / A_SENR, engine="in-memory")


RUNS = ["validate", "compute"]


def findings_of(request: pytest.FixtureRequest, run: str) -> pl.DataFrame:
    value: ValidationResult | AcgrResult = request.getfixturevalue(
        "checked" if run == "validate" else "computed"
    )
    return value.findings


def at(findings: pl.DataFrame, folder: Path, line: int, file: str = A_SENR) -> pl.DataFrame:
    return findings.filter((pl.col("file") == str(folder / file)) & (pl.col("line") == line))


def rules_at(findings: pl.DataFrame, folder: Path, line: int, file: str = A_SENR) -> set[str]:
    return set(at(findings, folder, line, file)["rule"].to_list())


def raised(
    findings: pl.DataFrame, folder: Path, rule: str, line: int, file: str = A_SENR
) -> list[tuple[Any, ...]]:
    """(severity, record_type, ssid) of each finding of ``rule`` on one line."""
    rows = at(findings, folder, line, file).filter(pl.col("rule") == rule)
    return rows.select("severity", "record_type", "ssid").rows()


def assert_only(
    findings: pl.DataFrame,
    folder: Path,
    rule: str,
    severity: str,
    line: int,
    ssid: str | None,
    file: str = A_SENR,
) -> None:
    """Exactly one finding of ``rule`` on the line, and no finding of another rule."""
    assert raised(findings, folder, rule, line, file) == [(severity, "SENR", ssid)]
    assert rules_at(findings, folder, line, file) == {rule}


# --------------------------------------------------------------------------- GERR0002

BAD_STATUS, GOOD_STATUS = "2000700001", "2000700002"
(L_BAD_STATUS,) = F.add(closed(BAD_STATUS, status="40"))
(L_GOOD_STATUS,) = F.add(closed(GOOD_STATUS, status="10"))


@pytest.mark.parametrize("run", RUNS)
def test_gerr0007_status_not_in_code_set_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert raised(found, folder, "GERR0002", L_BAD_STATUS) == [("fatal", "SENR", BAD_STATUS)]
    if run == "validate":
        assert_only(found, folder, "GERR0002", "fatal", L_BAD_STATUS, BAD_STATUS)


def test_gerr0007_status_10_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_GOOD_STATUS) == set()


BAD_GRADE, GOOD_GRADE = "2000700011", "2000700012"
(L_BAD_GRADE,) = F.add(closed(BAD_GRADE, grade="13"))
(L_GOOD_GRADE,) = F.add(closed(GOOD_GRADE, grade="12"))


def test_gerr0007_grade_13_is_fatal(checked: ValidationResult, folder: Path) -> None:
    assert_only(checked.findings, folder, "GERR0002", "fatal", L_BAD_GRADE, BAD_GRADE)


def test_gerr0007_grade_12_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_GOOD_GRADE) == set()


BAD_EXIT_G8, GOOD_EXIT_G8 = "2000700021", "2000700022"
(L_BAD_EXIT_G8,) = F.add(closed(BAD_EXIT_G8, start=D(2013, 8, 20), grade="08", code="Z999",
                                exit=D(2014, 6, 10)))  # fmt: skip
(L_GOOD_EXIT_G8,) = F.add(closed(GOOD_EXIT_G8, start=D(2013, 8, 20), grade="08", code="E400",
                                 exit=D(2014, 6, 10)))  # fmt: skip


@pytest.mark.parametrize("run", RUNS)
def test_gerr0007_unknown_exit_code_below_grade_9_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert raised(found, folder, "GERR0002", L_BAD_EXIT_G8) == [("fatal", "SENR", BAD_EXIT_G8)]
    if run == "validate":
        assert_only(found, folder, "GERR0002", "fatal", L_BAD_EXIT_G8, BAD_EXIT_G8)


def test_gerr0007_known_exit_code_below_grade_9_passes(
    checked: ValidationResult, folder: Path
) -> None:
    assert rules_at(checked.findings, folder, L_GOOD_EXIT_G8) == set()


# A status-50 (non-ADA) grade-10 record is neither R3.4.1's business (status 10/30
# only) nor the GERR0002 exit check's (grades below 9 only): its invalid exit code
# must still be reported, since CALPADS rejects any code outside its code set.
BAD_EXIT_S50 = "2000700031"
(L_BAD_EXIT_S50,) = F.add(closed(BAD_EXIT_S50, grade="10", status="50", code="Z999"))


def test_gerr0007_unknown_exit_code_on_status_50_high_school_record_is_fatal(
    checked: ValidationResult, folder: Path
) -> None:
    assert raised(checked.findings, folder, "GERR0002", L_BAD_EXIT_S50) == [
        ("fatal", "SENR", BAD_EXIT_S50)
    ]


# --------------------------------------------------------------------------- GERR0001

NO_SCHOOL, WITH_SCHOOL = "2000100001", "2000100002"
(L_NO_SSID,) = F.add(closed(""))
(L_NO_SCHOOL,) = F.add(closed(NO_SCHOOL, school=""))
(L_WITH_SCHOOL,) = F.add(closed(WITH_SCHOOL))


@pytest.mark.parametrize("run", RUNS)
def test_gerr0001_missing_ssid_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    assert raised(findings_of(request, run), folder, "GERR0001", L_NO_SSID) == [
        ("fatal", "SENR", None)
    ]


def test_gerr0001_missing_school_of_attendance_is_fatal(
    checked: ValidationResult, folder: Path
) -> None:
    assert_only(checked.findings, folder, "GERR0001", "fatal", L_NO_SCHOOL, NO_SCHOOL)


def test_gerr0001_ssid_and_school_present_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_WITH_SCHOOL) == set()


# --------------------------------------------------------------------------- SENR0018

START = D(2014, 8, 20)
S18 = {
    "exit_before_start": ("2001800001", START - dt.timedelta(days=1), "E400"),
    "exit_on_start": ("2001800002", START, "E400"),
    "n470_two_days_before": ("2001800003", START - dt.timedelta(days=2), "N470"),
    "n470_day_after": ("2001800004", START + dt.timedelta(days=1), "N470"),
    "n470_day_before": ("2001800005", START - dt.timedelta(days=1), "N470"),
    "n470_same_day": ("2001800006", START, "N470"),
}
L18 = {k: F.add(closed(s, exit=e, code=c))[0] for k, (s, e, c) in S18.items()}


@pytest.mark.parametrize("run", RUNS)
def test_senr0018_exit_before_start_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    ssid = S18["exit_before_start"][0]
    found = findings_of(request, run)
    assert raised(found, folder, "SENR0018", L18["exit_before_start"]) == [("fatal", "SENR", ssid)]
    if run == "validate":
        assert_only(found, folder, "SENR0018", "fatal", L18["exit_before_start"], ssid)


def test_senr0018_exit_on_start_date_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L18["exit_on_start"]) == set()


@pytest.mark.parametrize("case", ["n470_two_days_before", "n470_day_after"])
def test_senr0018_n470_not_on_or_day_before_start_is_fatal(
    checked: ValidationResult, folder: Path, case: str
) -> None:
    assert_only(checked.findings, folder, "SENR0018", "fatal", L18[case], S18[case][0])


@pytest.mark.parametrize("case", ["n470_day_before", "n470_same_day"])
def test_senr0018_n470_day_before_or_on_start_passes(
    checked: ValidationResult, folder: Path, case: str
) -> None:
    assert rules_at(checked.findings, folder, L18[case]) == set()


# --------------------------------------------------------------------------- SENR0175

C100_E400, C100_E230, C100_OPEN = "2017500001", "2017500002", "2017500003"
(L_C100_E400,) = F.add(closed(C100_E400, completion="100"))
(L_C100_E230,) = F.add(grad(C100_E230, **PII))
# completion 100 on a record with no exit code (and no exit date)
(L_C100_OPEN,) = F.add(r(C100_OPEN, completion="100"))


@pytest.mark.parametrize("run", RUNS)
def test_senr0175_completion_100_with_e400_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert raised(found, folder, "SENR0175", L_C100_E400) == [("fatal", "SENR", C100_E400)]
    if run == "validate":
        assert_only(found, folder, "SENR0175", "fatal", L_C100_E400, C100_E400)


def test_senr0175_completion_100_with_e230_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_C100_E230) == set()


def test_senr0175_completion_100_without_exit_code_is_fatal(
    checked: ValidationResult, folder: Path
) -> None:
    # SENR0175: completion 100 requires exit code E230; a blank exit code is not E230
    assert raised(checked.findings, folder, "SENR0175", L_C100_OPEN) == [
        ("fatal", "SENR", C100_OPEN)
    ]


# --------------------------------------------------------------------------- SENR0022

C120_E400, C120_OPEN, C120_E230 = "2002200001", "2002200002", "2002200003"
(L_C120_E400,) = F.add(closed(C120_E400, completion="120"))
(L_C120_OPEN,) = F.add(r(C120_OPEN, completion="120"))
(L_C120_E230,) = F.add(grad(C120_E230, completion="120", **PII))


@pytest.mark.parametrize("run", RUNS)
def test_senr0022_completion_with_exit_other_than_e230_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert raised(found, folder, "SENR0022", L_C120_E400) == [("fatal", "SENR", C120_E400)]
    if run == "validate":
        assert_only(found, folder, "SENR0022", "fatal", L_C120_E400, C120_E400)


def test_senr0022_completion_without_exit_code_is_fatal(
    checked: ValidationResult, folder: Path
) -> None:
    assert_only(checked.findings, folder, "SENR0022", "fatal", L_C120_OPEN, C120_OPEN)


def test_senr0022_completion_120_with_e230_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_C120_E230) == set()


# --------------------------------------------------------------------------- SENR0302

S20_E400, S20_E170, S20_OPEN = "2030200001", "2030200002", "2030200003"
(L_S20_E400,) = F.add(closed(S20_E400, status="20"))
(L_S20_E170,) = F.add(closed(S20_E170, status="20", code="E170"))
(L_S20_OPEN,) = F.add(r(S20_OPEN, status="20"))


@pytest.mark.parametrize("run", RUNS)
def test_senr0302_secondary_enrollment_exited_e400_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert raised(found, folder, "SENR0302", L_S20_E400) == [("fatal", "SENR", S20_E400)]
    if run == "validate":
        assert_only(found, folder, "SENR0302", "fatal", L_S20_E400, S20_E400)


@pytest.mark.parametrize("case", ["E170", "open"])
def test_senr0302_secondary_enrollment_exited_e170_or_open_passes(
    checked: ValidationResult, folder: Path, case: str
) -> None:
    line = L_S20_E170 if case == "E170" else L_S20_OPEN
    assert rules_at(checked.findings, folder, line) == set()


# --------------------------------------------------------------------------- SENR0315/0316

SEALS = {
    "SENR0315": "student_golden_state_seal_merit_diploma_indicator",
    "SENR0316": "student_seal_of_biliteracy_indicator",
}
SEAL_BAD = {"SENR0315": "2031500001", "SENR0316": "2031600001"}
SEAL_GOOD = {"SENR0315": "2031500002", "SENR0316": "2031600002"}
L_SEAL_BAD = {k: F.add(closed(SEAL_BAD[k], **{col: "Y"}))[0] for k, col in SEALS.items()}
L_SEAL_GOOD = {k: F.add(grad(SEAL_GOOD[k], **{col: "Y", **PII}))[0] for k, col in SEALS.items()}


@pytest.mark.parametrize("run", RUNS)
def test_senr0315_golden_state_seal_without_completion_100_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    line, ssid = L_SEAL_BAD["SENR0315"], SEAL_BAD["SENR0315"]
    assert raised(found, folder, "SENR0315", line) == [("fatal", "SENR", ssid)]
    if run == "validate":
        assert_only(found, folder, "SENR0315", "fatal", line, ssid)


def test_senr0315_golden_state_seal_with_completion_100_passes(
    checked: ValidationResult, folder: Path
) -> None:
    assert rules_at(checked.findings, folder, L_SEAL_GOOD["SENR0315"]) == set()


@pytest.mark.parametrize("run", RUNS)
def test_senr0316_seal_of_biliteracy_without_completion_100_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    line, ssid = L_SEAL_BAD["SENR0316"], SEAL_BAD["SENR0316"]
    assert raised(found, folder, "SENR0316", line) == [("fatal", "SENR", ssid)]
    if run == "validate":
        assert_only(found, folder, "SENR0316", "fatal", line, ssid)


def test_senr0316_seal_of_biliteracy_with_completion_100_passes(
    checked: ValidationResult, folder: Path
) -> None:
    assert rules_at(checked.findings, folder, L_SEAL_GOOD["SENR0316"]) == set()


# --------------------------------------------------------------------------- SENR0523

E170_S10, E170_S50 = "2052300001", "2052300002"
(L_E170_S10,) = F.add(closed(E170_S10, code="E170", status="10"))
(L_E170_S50,) = F.add(closed(E170_S50, code="E170", status="50"))


@pytest.mark.parametrize("run", RUNS)
def test_senr0523_e170_on_primary_enrollment_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert raised(found, folder, "SENR0523", L_E170_S10) == [("fatal", "SENR", E170_S10)]
    if run == "validate":
        assert_only(found, folder, "SENR0523", "fatal", L_E170_S10, E170_S10)


def test_senr0523_e170_on_non_ada_enrollment_passes(
    checked: ValidationResult, folder: Path
) -> None:
    assert rules_at(checked.findings, folder, L_E170_S50) == set()


# --------------------------------------------------------------------------- SENR0586

# A diploma on 8 June 2018, then a record at another school exited on 1 July 2018.
AFTER_GRAD = {"SENR0586": "2058600001", "cert": "2058600002", "secondary": "2058600003"}
L586: dict[str, int] = {}
for _case, _ssid in AFTER_GRAD.items():
    _first = grad(_ssid, completion="120" if _case == "cert" else "100", **PII)
    _later = r(_ssid, D(2018, 6, 20), "12", exit=D(2018, 7, 1), school="1930001",
               code="E170" if _case == "secondary" else "E400",
               status="20" if _case == "secondary" else "10")  # fmt: skip
    L586[_case] = F.add(_first, _later)[1]


@pytest.mark.parametrize("run", RUNS)
def test_senr0586_exit_after_regular_diploma_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    ssid, line = AFTER_GRAD["SENR0586"], L586["SENR0586"]
    assert raised(found, folder, "SENR0586", line) == [("fatal", "SENR", ssid)]
    if run == "validate":
        assert_only(found, folder, "SENR0586", "fatal", line, ssid)
        # the graduation record itself is not flagged
        assert rules_at(found, folder, line - 1) == set()


@pytest.mark.parametrize("case", ["cert", "secondary"])
def test_senr0586_exit_after_certificate_or_secondary_exit_after_diploma_passes(
    checked: ValidationResult, folder: Path, case: str
) -> None:
    # cert: the earlier completion is 120, not a regular diploma; secondary: status 20 / E170
    assert rules_at(checked.findings, folder, L586[case]) == set()


# --------------------------------------------------------------------------- SENR0587

OPEN_AFTER = {"SENR0587": "2058700001", "cert": "2058700002", "secondary": "2058700003"}
L587: dict[str, int] = {}
for _case, _ssid in OPEN_AFTER.items():
    _first = grad(_ssid, completion="120" if _case == "cert" else "100", **PII)
    _later = r(_ssid, D(2018, 6, 20), "12", school="1930001",
               status="20" if _case == "secondary" else "10")  # fmt: skip
    L587[_case] = F.add(_first, _later)[1]


@pytest.mark.parametrize("run", RUNS)
def test_senr0587_open_enrollment_after_regular_diploma_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    ssid, line = OPEN_AFTER["SENR0587"], L587["SENR0587"]
    assert raised(found, folder, "SENR0587", line) == [("fatal", "SENR", ssid)]
    if run == "validate":
        assert_only(found, folder, "SENR0587", "fatal", line, ssid)


@pytest.mark.parametrize("case", ["cert", "secondary"])
def test_senr0587_open_enrollment_after_certificate_or_secondary_passes(
    checked: ValidationResult, folder: Path, case: str
) -> None:
    assert rules_at(checked.findings, folder, L587[case]) == set()


# --------------------------------------------------------------------------- ACGR0001

DUP, DUP_X, DUP_SCHOOL, DUP_START = "2000010001", "2000010002", "2000010003", "2000010004"
L_DUP = F.add(closed(DUP), closed(DUP), closed(DUP))
(L_DUP_X_A,) = F.add(closed(DUP_X))
(L_DUP_X_B,) = F.add(closed(DUP_X), file=B_SENR)
L_DUP_SCHOOL = F.add(closed(DUP_SCHOOL), closed(DUP_SCHOOL, school="1930001"))
L_DUP_START = F.add(closed(DUP_START), closed(DUP_START, start=D(2015, 6, 11), exit=D(2015, 9, 1)))


@pytest.mark.parametrize("run", RUNS)
def test_acgr0001_later_duplicates_are_warnings_first_is_not(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert [raised(found, folder, "ACGR0001", ln) for ln in L_DUP] == [
        [],
        [("warning", "SENR", DUP)],
        [("warning", "SENR", DUP)],
    ]


def test_acgr0001_first_in_file_order_across_files_is_kept(
    checked: ValidationResult, folder: Path
) -> None:
    # a_senr.txt comes before b_senr.txt: the copy in b_senr.txt is the duplicate
    assert raised(checked.findings, folder, "ACGR0001", L_DUP_X_A) == []
    assert raised(checked.findings, folder, "ACGR0001", L_DUP_X_B, B_SENR) == [
        ("warning", "SENR", DUP_X)
    ]


@pytest.mark.parametrize("case", ["other school", "other start"])
def test_acgr0001_same_student_other_school_or_start_passes(
    checked: ValidationResult, folder: Path, case: str
) -> None:
    lines = L_DUP_SCHOOL if case == "other school" else L_DUP_START
    assert [raised(checked.findings, folder, "ACGR0001", ln) for ln in lines] == [[], []]


# --------------------------------------------------------------------------- SENR0317

P317 = {
    "open 2016-17": "2031700001",
    "open 2018-19": "2031700002",
    "closed 2016-17": "2031700003",
    "exited after 16 Aug 2017": "2031700004",
}
L317 = {
    "open 2016-17": F.add(r(P317["open 2016-17"], D(2016, 9, 1), "11"))[0],
    "open 2018-19": F.add(r(P317["open 2018-19"], D(2018, 8, 20), "12"))[0],
    "closed 2016-17": F.add(
        r(P317["closed 2016-17"], D(2016, 9, 1), "11", exit=D(2017, 6, 9), code="E400")
    )[0],
    # a 2016-17 enrollment whose exit is dated after 16 August 2017
    "exited after 16 Aug 2017": F.add(
        r(P317["exited after 16 Aug 2017"], D(2016, 9, 1), "11", exit=D(2017, 9, 5), code="E400")
    )[0],
}


def test_senr0317_prior_year_enrollment_open_at_extraction_is_warning(
    computed: AcgrResult, folder: Path
) -> None:
    line = L317["open 2016-17"]
    assert raised(computed.findings, folder, "SENR0317", line) == [
        ("warning", "SENR", P317["open 2016-17"])
    ]


def test_senr0317_not_raised_without_an_extraction_date(checked: ValidationResult) -> None:
    assert checked.findings.filter(pl.col("rule") == "SENR0317").height == 0


@pytest.mark.parametrize("case", ["open 2018-19", "closed 2016-17"])
def test_senr0317_current_year_open_or_exited_prior_year_passes(
    computed: AcgrResult, folder: Path, case: str
) -> None:
    assert raised(computed.findings, folder, "SENR0317", L317[case]) == []


def test_senr0317_prior_year_enrollment_exited_after_16_august_is_warning(
    computed: AcgrResult, folder: Path
) -> None:
    # CALPADS: a prior-year enrollment "not exited prior to August 16" of the next year
    line = L317["exited after 16 Aug 2017"]
    assert raised(computed.findings, folder, "SENR0317", line) == [
        ("warning", "SENR", P317["exited after 16 Aug 2017"])
    ]


@pytest.mark.parametrize(("extraction", "flagged"), [(D(2017, 8, 15), False),
                                                     (D(2017, 8, 16), True)])  # fmt: skip
def test_senr0317_only_once_extraction_reaches_16_august_of_the_following_year(
    tmp_path: Path, extraction: dt.date, flagged: bool
) -> None:
    # a 2016-17 grade-12 enrollment still open; the class of 2017
    path = write_extract(tmp_path / "senr.txt", [r("2031700010", D(2016, 9, 1), "12")])
    res = compute(path, class_of=2017, extraction_date=extraction, engine="in-memory")
    rows = res.findings.filter(pl.col("rule") == "SENR0317")
    assert rows.select("severity", "line").rows() == ([("warning", 1)] if flagged else [])


def test_senr0317_deadline_comes_from_the_rule_set(tmp_path: Path) -> None:
    # arrange: a 2016-17 enrollment exited 20 August 2017 (after 16 Aug: flagged), then
    # a rule set that moves the deadline to 1 September
    path = write_extract(
        tmp_path / "senr.txt",
        [r("2031700011", D(2016, 9, 1), "12", exit=D(2017, 8, 20), code="E400")],
    )
    rules = load_rules("2018")
    later = rules.model_copy(
        update={
            "calpads": rules.calpads.model_copy(
                update={"prior_year_exit_deadline": MonthDay(month=9, day=1)}
            )
        }
    )

    def flagged(ruleset: RuleSet) -> int:
        res = compute(path, class_of=2017, rules=ruleset, engine="in-memory")
        return res.findings.filter(pl.col("rule") == "SENR0317").height

    # act / assert
    assert (flagged(rules), flagged(later)) == (1, 0)


def test_senr0317_message_names_the_rule_sets_deadline(tmp_path: Path) -> None:
    # arrange: a 2016-17 enrollment still open, and a deadline moved to 1 September
    path = write_extract(tmp_path / "senr.txt", [r("2031700012", D(2016, 9, 1), "12")])
    rules = load_rules("2018")
    later = rules.model_copy(
        update={
            "calpads": rules.calpads.model_copy(
                update={"prior_year_exit_deadline": MonthDay(month=9, day=1)}
            )
        }
    )
    # act
    res = compute(path, class_of=2017, rules=later, engine="in-memory")
    # assert
    (message,) = res.findings.filter(pl.col("rule") == "SENR0317")["message"].to_list()
    assert "before 1 September of the next year" in message


@pytest.mark.parametrize(("extraction", "last"), [(None, []), (D(2018, 9, 15), ["SENR0317"])])
def test_record_checks_run_in_id_order_group_after_group(
    extraction: dt.date | None, last: list[str]
) -> None:
    # act
    checks = record_checks(load_rules("2018"), extraction)
    # assert: the order of the checks (the three GERR0002 share an id: their order
    # is the order of their findings on one line)
    assert [(c.rule, c.severity) for c in checks] == [
        ("GERR0002", "fatal"),
        ("GERR0002", "fatal"),
        ("GERR0002", "fatal"),
        ("GERR0001", "fatal"),
        *((rule, "fatal") for rule in ("SENR0018", "SENR0175", "SENR0022", "SENR0302")),
        *((rule, "fatal") for rule in ("SENR0315", "SENR0316", "SENR0522", "SENR0523")),
        *((rule, "warning") for rule in last),
    ]
    assert "status" in str(checks[0].message)
    assert "grade" in str(checks[1].message)
    assert "exit code" in str(checks[2].message)


_DAYS = st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2022, 12, 31))


@settings(max_examples=100, deadline=None)
@given(_DAYS, st.one_of(st.none(), _DAYS), _DAYS)
def test_senr0317_compares_with_16_august_after_the_academic_year(
    start: dt.date, exit_date: dt.date | None, extraction: dt.date
) -> None:
    """The year arithmetic of SENR0317 equals building the deadline date per record."""
    rules = load_rules("2018")
    (check,) = [c for c in record_checks(rules, extraction) if c.rule == "SENR0317"]
    frame = pl.DataFrame(
        {"start": [start], "exit_date": [exit_date], "status": ["10"]},
        schema={"start": pl.Date, "exit_date": pl.Date, "status": pl.String},
    )
    got = frame.select(check.condition).item()
    end_year = start.year + ((start.month, start.day) >= (7, 1))
    deadline = dt.date(end_year, 8, 16)
    want = (exit_date is None or exit_date >= deadline) and deadline <= extraction
    assert got == want


# --------------------------------------------------------------------------- SENR0027/0028

OVERLAP = {
    "same LEA": "2002700001",
    "other LEA": "2002800001",
    "next day": "2002700002",
    "secondary": "2002700003",
    "short-term 60 days": "2002700004",
    "N470 no-show": "2002700005",
    "nested": "2002700006",
}
L_OVERLAP: dict[str, list[int]] = {}
for _case, _ssid in OVERLAP.items():
    _a = r(_ssid, exit=D(2015, 6, 10), code="T160")
    if _case == "same LEA":
        _rest = [r(_ssid, D(2015, 3, 2), exit=D(2015, 6, 10), code="E400", school="1930001")]
    elif _case == "other LEA":
        _rest = [r(_ssid, D(2015, 3, 2), exit=D(2015, 6, 10), code="E400",
                   lea=OTHER_LEA, school=OTHER_LEA_SCHOOL)]  # fmt: skip
    elif _case == "next day":
        _rest = [r(_ssid, D(2015, 6, 11), exit=D(2016, 6, 10), code="E400", school="1930001")]
    elif _case == "secondary":
        _rest = [r(_ssid, D(2015, 3, 2), exit=D(2015, 6, 10), code="E170", status="20",
                   school="1930001")]  # fmt: skip
    elif _case == "short-term 60 days":
        # status 30 lasting more than 30 days is a primary enrollment (CALPADS)
        _rest = [r(_ssid, D(2015, 1, 5), exit=D(2015, 3, 6), code="E400", status="30",
                   school="1930001")]  # fmt: skip
    elif _case == "N470 no-show":
        # N470 dated the day before the start: not a primary enrollment (CALPADS)
        _rest = [r(_ssid, D(2015, 3, 2), exit=D(2015, 3, 1), code="N470", school="1930001")]
    else:  # nested: a short stay in another LEA inside the first record, then a third
        _a = r(_ssid, exit=D(2016, 6, 10), code="E400")
        _rest = [
            r(_ssid, D(2015, 1, 5), exit=D(2015, 2, 2), code="E400", lea=OTHER_LEA,
              school=OTHER_LEA_SCHOOL),
            r(_ssid, D(2015, 3, 2), exit=D(2015, 6, 10), code="E400", school="1930001"),
        ]  # fmt: skip
    L_OVERLAP[_case] = F.add(_a, *_rest)


@pytest.mark.parametrize("run", RUNS)
def test_senr0027_overlapping_primary_enrollment_in_same_lea_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    first, second = L_OVERLAP["same LEA"]
    ssid = OVERLAP["same LEA"]
    assert raised(found, folder, "SENR0027", second) == [("fatal", "SENR", ssid)]
    assert raised(found, folder, "SENR0028", second) == []
    assert raised(found, folder, "SENR0027", first) == []
    if run == "validate":
        assert_only(found, folder, "SENR0027", "fatal", second, ssid)


@pytest.mark.parametrize("run", RUNS)
def test_senr0028_overlapping_primary_enrollment_in_other_lea_is_warning(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    first, second = L_OVERLAP["other LEA"]
    ssid = OVERLAP["other LEA"]
    assert raised(found, folder, "SENR0028", second) == [("warning", "SENR", ssid)]
    assert raised(found, folder, "SENR0027", second) == []
    assert raised(found, folder, "SENR0028", first) == []
    if run == "validate":
        assert_only(found, folder, "SENR0028", "warning", second, ssid)


@pytest.mark.parametrize("case", ["next day", "secondary"])
def test_senr0027_senr0028_enrollment_starting_after_exit_or_secondary_passes(
    checked: ValidationResult, folder: Path, case: str
) -> None:
    assert [rules_at(checked.findings, folder, ln) for ln in L_OVERLAP[case]] == [set(), set()]


def test_senr0027_short_term_over_30_days_overlapping_primary_is_fatal(
    checked: ValidationResult, folder: Path
) -> None:
    line = L_OVERLAP["short-term 60 days"][1]
    assert raised(checked.findings, folder, "SENR0027", line) == [
        ("fatal", "SENR", OVERLAP["short-term 60 days"])
    ]


def test_senr0027_n470_no_show_is_not_a_primary_enrollment_and_passes(
    checked: ValidationResult, folder: Path
) -> None:
    line = L_OVERLAP["N470 no-show"][1]
    assert rules_at(checked.findings, folder, line) == set()


def test_senr0027_overlap_with_a_non_adjacent_earlier_record_is_fatal(
    checked: ValidationResult, folder: Path
) -> None:
    # the third record (same LEA) starts while the first is still open
    _, middle, third = L_OVERLAP["nested"]
    ssid = OVERLAP["nested"]
    assert raised(checked.findings, folder, "SENR0028", middle) == [("warning", "SENR", ssid)]
    assert raised(checked.findings, folder, "SENR0027", third) == [("fatal", "SENR", ssid)]


def message_at(findings: pl.DataFrame, folder: Path, rule: str, line: int) -> list[str]:
    return findings.filter(
        (pl.col("rule") == rule)
        & (pl.col("file") == str(folder / A_SENR))
        & (pl.col("line") == line)
    )["message"].to_list()


def test_senr0027_names_the_earlier_record_it_overlaps(
    checked: ValidationResult, folder: Path
) -> None:
    first, second = L_OVERLAP["same LEA"]
    assert message_at(checked.findings, folder, "SENR0027", second) == [
        f"primary enrollment overlaps another primary enrollment in the same LEA: "
        f"overlaps line {first}"
    ]


def test_senr0027_senr0028_name_the_record_holding_the_latest_end(
    checked: ValidationResult, folder: Path
) -> None:
    # both later records overlap the first (open until 2016-06-10), not each other
    first, middle, third = L_OVERLAP["nested"]
    assert message_at(checked.findings, folder, "SENR0028", middle)[0].endswith(
        f": overlaps line {first}"
    )
    assert message_at(checked.findings, folder, "SENR0027", third)[0].endswith(
        f": overlaps line {first}"
    )


def test_senr0027_names_the_other_file_when_the_earlier_record_is_in_one() -> None:
    records = pl.LazyFrame(
        {
            "source_file": ["b.txt", "a.txt"],
            "source_line": [7, 31],
            "ssid": ["2002700009", "2002700009"],
            "reporting_lea": ["1964733", "1964733"],
            "school_code": ["1930001", "1930000"],
            "start": [D(2015, 3, 2), D(2014, 8, 20)],
            "status": ["10", "10"],
            "exit_date": [D(2015, 6, 10), D(2015, 6, 10)],
            "exit_code": ["E400", "T160"],
        },
        schema_overrides={"source_file": pl.Categorical},
    )
    found = concurrent_enrollments(records, load_rules("2018"), D(2018, 9, 15)).collect()
    assert found.select("rule", "file", "line", "message").rows() == [
        (
            "SENR0027",
            "b.txt",
            7,
            "primary enrollment overlaps another primary enrollment in the same LEA: "
            "overlaps line 31 of a.txt",
        )
    ]


# --------------------------------------------------------------------------- ACGR0002

NO_SINF, WITH_SINF = "2000020001", "2000020002"
F.no_sinf.add(NO_SINF)
# file order, not date order, names the first record
L_NO_SINF = F.add(
    r(NO_SINF, D(2015, 8, 20), "10", exit=D(2016, 6, 10), code="E400", school="1930001"),
    closed(NO_SINF),
)
L_WITH_SINF = F.add(closed(WITH_SINF))


@pytest.mark.parametrize("run", RUNS)
def test_acgr0002_student_without_sinf_is_one_warning_on_first_line(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run).filter(pl.col("rule") == "ACGR0002")
    mine = found.filter(pl.col("ssid") == NO_SINF)
    assert mine.select("severity", "file", "line", "record_type").rows() == [
        ("warning", str(folder / A_SENR), L_NO_SINF[0], "SENR")
    ]
    assert rules_at(found, folder, L_NO_SINF[1]) == set()


def test_acgr0002_student_with_sinf_passes(checked: ValidationResult, folder: Path) -> None:
    assert raised(checked.findings, folder, "ACGR0002", L_WITH_SINF[0]) == []


def test_acgr0002_not_raised_when_no_sinf_was_supplied(senr_only: ValidationResult) -> None:
    assert senr_only.findings.filter(pl.col("rule") == "ACGR0002").height == 0
    # the run did check the records (other findings are there)
    assert senr_only.findings.filter(pl.col("rule") == "SENR0018").height > 0


# --------------------------------------------------------------------------- R3.4.1

R341_BAD, R341_OK, R341_LATE = "2341000001", "2341000002", "2341000003"
(L_R341_BAD,) = F.add(closed(R341_BAD, grade="12", start=D(2017, 8, 20), exit=D(2018, 6, 8),
                             code="E230", completion="480"))  # fmt: skip
(L_R341_OK,) = F.add(closed(R341_OK, grade="12", start=D(2017, 8, 20), exit=D(2018, 6, 8),
                            code="E230", completion="120"))  # fmt: skip
# a record starting after X (2018-09-15): read by validate without a class only
(L_R341_LATE,) = F.add(closed(R341_LATE, grade="12", start=D(2019, 1, 7), exit=D(2019, 6, 7),
                              code="Z999"))  # fmt: skip


@pytest.mark.parametrize("run", RUNS)
def test_r3_4_1_e230_with_completion_480_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert raised(found, folder, "R3.4.1", L_R341_BAD) == [("fatal", "SENR", R341_BAD)]
    if run == "validate":
        assert_only(found, folder, "R3.4.1", "fatal", L_R341_BAD, R341_BAD)


def test_r3_4_1_e230_with_completion_120_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_R341_OK) == set()


def test_r3_4_1_validate_without_class_checks_records_after_the_extraction_date(
    checked: ValidationResult, computed: AcgrResult, folder: Path
) -> None:
    assert raised(checked.findings, folder, "R3.4.1", L_R341_LATE) == [("fatal", "SENR", R341_LATE)]
    assert rules_at(computed.findings, folder, L_R341_LATE) == set()


# --------------------------------------------------------------------------- R1.4 / R1.5

US, G12 = "2104000001", "2104000002"
(L_US,) = F.add(closed(US, grade="US"))
(L_G12,) = F.add(closed(G12, grade="12", start=D(2017, 8, 20), exit=D(2018, 3, 1)))


@pytest.mark.parametrize("run", RUNS)
def test_r1_4_grade_us_record_is_warning(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert raised(found, folder, "R1.4", L_US) == [("warning", "SENR", US)]
    if run == "validate":
        assert_only(found, folder, "R1.4", "warning", L_US, US)


def test_r1_4_grade_12_record_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_G12) == set()


AY_BAD, AY_OK = "2105000001", "2105000002"
(L_AY_BAD,) = F.add(closed(AY_BAD, academic_year_id="2015-2016"))
(L_AY_OK,) = F.add(closed(AY_OK, academic_year_id="2014-2015"))


@pytest.mark.parametrize("run", RUNS)
def test_r1_5_academic_year_id_not_matching_start_date_is_warning(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert raised(found, folder, "R1.5", L_AY_BAD) == [("warning", "SENR", AY_BAD)]
    if run == "validate":
        assert_only(found, folder, "R1.5", "warning", L_AY_BAD, AY_BAD)


def test_r1_5_matching_academic_year_id_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_AY_OK) == set()


# --------------------------------------------------------------------------- R3.3

TIE, NO_TIE, OVERLAP33, ADJACENT33 = "2330000001", "2330000002", "2330000003", "2330000004"
# same start and exit at two schools: the lower school code (1930000, 2nd line) is final
L_TIE = F.add(closed(TIE, exit=D(2016, 3, 1), school="1930001"), closed(TIE, exit=D(2016, 3, 1)))
L_NO_TIE = F.add(
    closed(NO_TIE, exit=D(2016, 3, 1), school="1930001"), closed(NO_TIE, exit=D(2016, 4, 1))
)
L_OVERLAP33 = F.add(
    closed(OVERLAP33, exit=D(2016, 3, 1)),
    r(OVERLAP33, D(2016, 1, 4), "10", exit=D(2016, 6, 10), code="E400", school="1930001",
      lea=OTHER_LEA),
)  # fmt: skip
L_ADJACENT33 = F.add(
    closed(ADJACENT33, exit=D(2016, 3, 1)),
    r(ADJACENT33, D(2016, 3, 2), "10", exit=D(2016, 6, 10), code="E400", school="1930001",
      lea=OTHER_LEA),
)  # fmt: skip


#: R3.3's two warnings and the start of their messages.
TIE_ID, CONCURRENT_ID = "ACGR0104", "ACGR0105"
R33_IDS = {"final-record tie": TIE_ID, "concurrent enrollment": CONCURRENT_ID}


def r33(result: AcgrResult, ssid: str, kind: str) -> list[tuple[Any, ...]]:
    rows = result.findings.filter(
        (pl.col("rule") == R33_IDS[kind])
        & (pl.col("ssid") == ssid)
        & pl.col("message").str.starts_with(kind)
    )
    return rows.select("severity", "file", "line", "record_type").rows()


def test_r3_3_final_record_tie_is_warning_on_final_record(
    computed: AcgrResult, folder: Path
) -> None:
    assert r33(computed, TIE, "final-record tie") == [
        ("warning", str(folder / A_SENR), L_TIE[1], "SENR")
    ]


def test_r3_3_same_start_different_exit_is_no_tie(computed: AcgrResult) -> None:
    assert r33(computed, NO_TIE, "final-record tie") == []


def test_r3_3_overlapping_qualifying_records_are_warning(
    computed: AcgrResult, folder: Path
) -> None:
    assert r33(computed, OVERLAP33, "concurrent enrollment") == [
        ("warning", str(folder / A_SENR), L_OVERLAP33[1], "SENR")
    ]


def test_r3_3_record_starting_after_previous_exit_passes(computed: AcgrResult) -> None:
    assert r33(computed, ADJACENT33, "concurrent enrollment") == []


def test_r3_3_findings_need_a_class(checked: ValidationResult) -> None:
    assert checked.findings.filter(pl.col("rule").is_in([TIE_ID, CONCURRENT_ID])).height == 0


def test_r3_3_tie_and_concurrent_enrollment_have_their_own_ids(computed: AcgrResult) -> None:
    """One finding id per kind of R3.3 warning; the catalogue cites R3.3 for both."""
    ids = {kind: CATALOGUE[i] for kind, i in R33_IDS.items()}
    assert {k.enforces.split()[0] for k in ids.values()} == {"R3.3"}
    assert "R3.3" not in CATALOGUE
    raised = set(computed.findings.filter(pl.col("rule").is_in(list(R33_IDS.values())))["rule"])
    assert raised == {TIE_ID, CONCURRENT_ID}


# --------------------------------------------------------------------------- reader

READ_OK = "2900000001"
(L_UNKNOWN,) = F.add("XXXX^^^1964733^1930000")
(L_ODS,) = F.add(
    record_line(
        "SENR",
        {"ssid": READ_OK, "enrollment_start_date": D(2014, 8, 20), "grade_level_code": "09",
         "enrollment_exit_date": D(2015, 6, 10), "student_exit_reason_code": "E400",
         "academic_year_id": "2014-2015", **PII},
        ods=True,
    )
)  # fmt: skip
L_BLANK = F.add("", "   ")
(L_AFTER_BLANK,) = F.add(closed("2900000002"))
_FULL = closed("2900000003").split("^")
(L_20_FIELDS,) = F.add("^".join(_FULL[:20]))
(L_40_FIELDS,) = F.add("^".join([*_FULL, "X"]))
(L_33_FIELDS,) = F.add("^".join(closed("2900000005").split("^")[:33]))
(L_39_FIELDS,) = F.add(closed("2900000006"))
(L_ISO_DATE,) = F.add(closed("2900000007", start="2014-08-20"))
(L_FEB_30,) = F.add(closed("2900000008", exit="20150230"))
(L_GOOD_DATE,) = F.add(closed("2900000009", start="20140820"))


def reader_rows(found: pl.DataFrame, folder: Path, rule: str, line: int) -> list[tuple[Any, ...]]:
    rows = at(found, folder, line).filter(pl.col("rule") == rule)
    return rows.select("severity", "record_type", "ssid").rows()


@pytest.mark.parametrize("run", RUNS)
def test_extr0001_unknown_record_type_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert reader_rows(found, folder, "EXTR0001", L_UNKNOWN) == [("fatal", "", None)]
    assert rules_at(found, folder, L_UNKNOWN) == {"EXTR0001"}


def test_extr0001_ods_senr_r_record_type_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_ODS) == set()


@pytest.mark.parametrize("run", RUNS)
def test_extr0002_blank_lines_are_warnings(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    assert [reader_rows(found, folder, "EXTR0002", ln) for ln in L_BLANK] == [
        [("warning", "", None)],
        [("warning", "", None)],
    ]


def test_extr0002_record_after_blank_line_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_AFTER_BLANK) == set()


@pytest.mark.parametrize("run", RUNS)
def test_extr0003_empty_file_is_warning(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    rows = findings_of(request, run).filter(pl.col("rule") == "EXTR0003")
    assert rows.select("severity", "file", "line").rows() == [("warning", str(folder / D_EMPTY), 0)]


def test_extr0003_non_empty_files_pass(checked: ValidationResult, folder: Path) -> None:
    files = checked.findings.filter(pl.col("rule") == "EXTR0003")["file"].to_list()
    assert str(folder / A_SENR) not in files
    assert str(folder / C_SINF) not in files


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("case", ["20 fields", "40 fields"])
def test_frmt0001_wrong_field_count_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str, case: str
) -> None:
    found = findings_of(request, run)
    line = L_20_FIELDS if case == "20 fields" else L_40_FIELDS
    assert [r_[0:2] for r_ in reader_rows(found, folder, "EXTR0004", line)] == [("fatal", "SENR")]
    assert rules_at(found, folder, line) == {"EXTR0004"}


@pytest.mark.parametrize("case", ["33 fields (older layout)", "39 fields", "ODS 39 + 2"])
def test_frmt0001_field_count_of_a_known_layout_passes(
    checked: ValidationResult, folder: Path, case: str
) -> None:
    line = {"33 fields (older layout)": L_33_FIELDS, "39 fields": L_39_FIELDS,
            "ODS 39 + 2": L_ODS}[case]  # fmt: skip
    assert rules_at(checked.findings, folder, line) == set()


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("case", ["ISO start date", "30 February exit date"])
def test_frmt0002_bad_date_is_fatal(
    request: pytest.FixtureRequest, folder: Path, run: str, case: str
) -> None:
    found = findings_of(request, run)
    line, ssid = (
        (L_ISO_DATE, "2900000007") if case == "ISO start date" else (L_FEB_30, "2900000008")
    )
    assert reader_rows(found, folder, "FRMT0002", line) == [("fatal", "SENR", ssid)]
    assert rules_at(found, folder, line) == {"FRMT0002"}


def test_frmt0002_ccyymmdd_date_passes(checked: ValidationResult, folder: Path) -> None:
    assert rules_at(checked.findings, folder, L_GOOD_DATE) == set()


def test_reader_accounting_counts_every_line(checked: ValidationResult, folder: Path) -> None:
    lines = sum(len(F.files[f]) for f in (A_SENR, B_SENR)) + len(
        (folder / C_SINF).read_text().splitlines()
    )
    acc = checked.accounting
    assert acc["lines_read"] == lines
    assert acc["lines_read"] == acc["records_parsed"] + acc["lines_rejected"]
    # 3 x EXTR0001 (one unknown type, two pasted lines), 2 x EXTR0002, 2 x EXTR0004,
    # 2 x FRMT0002
    assert acc["lines_rejected"] == 9


# --------------------------------------------------------------------------- privacy

# Lines pasted without their record type: field 1 holds an SSID or a last name.
PASTED_SSID, PASTED_NAME = "2999999999", "Quackenbush"
L_PASTED = F.add(f"{PASTED_SSID}^{FIRST}^{LAST}^{BIRTH}", f"{PASTED_NAME}^{FIRST}^{BIRTH}")


def leaks(messages: list[str | None], ssids: list[str]) -> list[str]:
    """Messages that carry an SSID, a planted name or the planted birth date."""
    birth = dt.datetime.strptime(BIRTH, "%Y%m%d").date()
    needles = [
        *ssids,
        FIRST.lower(),
        LAST.lower(),
        PASTED_NAME.lower(),
        BIRTH,
        birth.isoformat(),
        birth.strftime("%m/%d/%Y"),
    ]
    pattern = re.compile("|".join(re.escape(n) for n in needles))
    return [m for m in messages if m is not None and pattern.search(m.lower())]


@pytest.mark.parametrize("run", RUNS)
def test_messages_never_carry_ssid_name_or_birth_date(
    request: pytest.FixtureRequest, folder: Path, run: str
) -> None:
    found = findings_of(request, run)
    pasted = (pl.col("file") == str(folder / A_SENR)) & pl.col("line").is_in(L_PASTED)
    others = found.filter(~pasted)
    # the run raises many rules, each with a message
    assert others["rule"].n_unique() >= 15
    assert others["message"].null_count() == 0
    assert leaks(others["message"].to_list(), [*F.ssids(), PASTED_SSID]) == []


def test_extr0001_message_does_not_echo_an_ssid_or_name_from_field_1(
    checked: ValidationResult, folder: Path
) -> None:
    rows = checked.findings.filter(
        (pl.col("file") == str(folder / A_SENR)) & pl.col("line").is_in(L_PASTED)
    )
    assert rows["rule"].to_list() == ["EXTR0001", "EXTR0001"]
    assert leaks(rows["message"].to_list(), [PASTED_SSID]) == []


# --------------------------------------------------------------------------- self-check

PASSING_LINES: list[tuple[int, str]] = [
    (L_GOOD_STATUS, GOOD_STATUS),
    (L_GOOD_GRADE, GOOD_GRADE),
    (L_GOOD_EXIT_G8, GOOD_EXIT_G8),
    (L_WITH_SCHOOL, WITH_SCHOOL),
    *((L18[k], S18[k][0]) for k in ("exit_on_start", "n470_day_before", "n470_same_day")),
    (L_C100_E230, C100_E230),
    (L_C120_E230, C120_E230),
    (L_S20_E170, S20_E170),
    (L_S20_OPEN, S20_OPEN),
    *((L_SEAL_GOOD[k], SEAL_GOOD[k]) for k in SEALS),
    (L_E170_S50, E170_S50),
    *((L586[k], AFTER_GRAD[k]) for k in ("cert", "secondary")),
    *((L587[k], OPEN_AFTER[k]) for k in ("cert", "secondary")),
    *((ln, DUP_SCHOOL) for ln in L_DUP_SCHOOL),
    *((ln, DUP_START) for ln in L_DUP_START),
    *((L317[k], P317[k]) for k in ("open 2018-19", "closed 2016-17")),
    *((ln, OVERLAP[k]) for k in ("next day", "secondary") for ln in L_OVERLAP[k]),
    (L_WITH_SINF[0], WITH_SINF),
    (L_R341_OK, R341_OK),
    (L_G12, G12),
    (L_AY_OK, AY_OK),
    (L_ODS, READ_OK),
    (L_33_FIELDS, "2900000005"),
    (L_39_FIELDS, "2900000006"),
    (L_GOOD_DATE, "2900000009"),
]


def test_passing_records_are_read_and_sit_on_the_lines_the_tests_check(
    checked: ValidationResult, folder: Path
) -> None:
    # a passing test looking at a wrong line would pass for nothing
    text = (folder / A_SENR).read_text().splitlines()
    assert [text[ln - 1].split("^")[7] for ln, _ in PASSING_LINES] == [s for _, s in PASSING_LINES]
    # and the reader parsed each of them (no reader finding on any file line)
    reader = checked.findings.filter(pl.col("rule").str.contains("^(EXTR|FRMT)"))
    assert not set(reader["line"].to_list()) & {ln for ln, _ in PASSING_LINES}
