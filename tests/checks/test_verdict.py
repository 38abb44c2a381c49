"""What a run read and lacked, and when it refuses (acgr.checks.verdict), as a user meets it.

Each case is one an analyst really meets: a single SENR file, a file of
another kind, a class year or extraction date the data cannot support, a run
without a schools file, a variant rule set. Every one either gives the correct
answer and says what it assumed, or refuses in one line (exit 2).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import acgr
from acgr.checks.verdict import RefusedError
from acgr.cli import app
from acgr.testing import record_line, write_extract
from tests.helpers import CUTOFF, LEA, ROOT, SCHOOL, D, extract_dir, grad, rec, run, text_rows

runner = CliRunner()
FIXTURES = ROOT / "fixtures"

RACES = {"RB", "RI", "RA", "RF", "RH", "RD", "RP", "RT", "RW"}
GENDERS = {"GM", "GF", "GX", "GZ"}


def _senr_only(tmp_path: Path) -> Path:
    """Twelve graduates and a dropout in one SENR file: no SINF, SPRG or SELA."""
    lines = [grad(f"10000000{i:02d}") for i in range(12)]
    lines.append(rec("1000000099", exit=D(2016, 3, 1), code="E400"))
    return write_extract(extract_dir(tmp_path) / "senr.txt", lines)


def _cli(*args: str | Path) -> tuple[int, str]:
    res = runner.invoke(app, [str(a) for a in args])
    return res.exit_code, res.output


# --------------------------------------------------------------------------- case 3
def test_senr_alone_omits_the_groups_it_cannot_measure(tmp_path: Path) -> None:
    # arrange: SENR only
    src = _senr_only(tmp_path)
    # act
    result = acgr.compute(src, class_of=2018)
    # assert: race and program groups are not measured, so no row of them exists
    categories = {row["ReportingCategory"] for row in text_rows(result)}
    assert not categories & (RACES | {"SE", "SD", "SS", "SM", "SH", "SF"})
    # gender falls back to SENR (R5.2) and TA is always there
    assert {"TA", "GF"} <= categories
    assert result.verdict is not None
    assert set(result.verdict.unmeasured) == RACES | {"SE", "SD", "SS", "SM", "SH", "SF"}


def test_senr_alone_leaves_unmeasured_student_flags_null(tmp_path: Path) -> None:
    students = acgr.compute(_senr_only(tmp_path), class_of=2018).students
    for flag in ("english_learner", "disability", "socioeconomically_disadvantaged", "homeless"):
        assert students[flag].null_count() == students.height, flag
    assert students["race"].null_count() == students.height
    assert students["gender"].null_count() == 0  # measured from SENR
    assert students["reporting_categories"].list.len().max() == 2  # TA and gender only


def test_senr_alone_warns_once_per_missing_record_type(tmp_path: Path) -> None:
    result = acgr.compute(_senr_only(tmp_path), class_of=2018)
    warned = result.findings.filter(pl.col("rule") == "ACGR0003")["message"].to_list()
    assert [m.split(":")[0] for m in warned] == [
        "no SINF records",
        "no SPRG records",
        "no SELA records",
        "no foster-match file (--foster)",
    ]
    assert all(f == "" for f in result.findings.filter(pl.col("rule") == "ACGR0003")["file"])
    # a category left out is never also called "counted without" another input
    foster = warned[3]
    assert "SF not measured" in foster
    assert "SS" not in foster


def test_cli_run_of_senr_alone_names_each_record_type_read_and_absent(tmp_path: Path) -> None:
    src = _senr_only(tmp_path)
    code, output = _cli("run", src, "--class-of", "2018", "--out", tmp_path / "o")
    assert code == 0, output
    assert "SENR  read" in output
    for absent in ("SINF  absent", "SPRG  absent", "SELA  absent"):
        assert absent in output
    assert "not measured (rows left out): RB, RI" in output
    # the same verdict is kept beside the outputs
    kept = (tmp_path / "o" / "summary.txt").read_text()
    assert "SINF  absent" in kept
    assert "1000000001" not in output + kept  # counts only, never an SSID


def test_a_category_measured_by_another_input_stays(tmp_path: Path) -> None:
    # arrange: SENR plus a foster file: SF is measured by the foster match alone
    src = _senr_only(tmp_path)
    foster = tmp_path / "foster.csv"
    foster.write_text("ssid,start_date,end_date\n1000000001,2015-01-01,\n")
    # act
    result = acgr.compute(src, class_of=2018, foster=foster)
    # assert
    assert "SF" not in (result.verdict.unmeasured if result.verdict else ())
    assert result.students.filter(pl.col("ssid") == "1000000001")["foster"].item() is True


# --------------------------------------------------------------------------- case 4
def test_no_senr_record_is_refused(tmp_path: Path) -> None:
    sinf = record_line("SINF", {"ssid": "1000000001", "effective_start_date": D(2014, 8, 1)})
    src = write_extract(tmp_path / "in" / "sinf.txt", [sinf])
    with pytest.raises(RefusedError, match="no SENR"):
        acgr.compute(src, class_of=2018)
    code, output = _cli("run", src, "--class-of", "2018", "--out", tmp_path / "o")
    assert code == 2
    assert output.count("\n") == 1
    assert "no SENR" in output
    assert not (tmp_path / "o").exists()


def test_a_file_with_no_usable_line_is_refused(tmp_path: Path) -> None:
    # arrange: one good file and one whose every line has a field count no layout has
    _senr_only(tmp_path)
    bad = write_extract(extract_dir(tmp_path) / "senr_bad.txt", ["SENR^^x^1964733"] * 3)
    # act / assert: library
    with pytest.raises(RefusedError, match=r"senr_bad\.txt: none of its 3 lines"):
        acgr.compute(extract_dir(tmp_path), class_of=2018)
    # act / assert: command line, one line naming the file and the first problem
    code, output = _cli("run", extract_dir(tmp_path), "--class-of", "2018", "--out", tmp_path / "o")
    assert code == 2
    assert f"{bad}: none of its 3 lines" in output
    assert "line 1: EXTR0004" in output


def test_a_named_empty_file_is_refused_one_in_a_folder_noted(tmp_path: Path) -> None:
    src = _senr_only(tmp_path)
    empty = extract_dir(tmp_path) / "sinf.txt"
    empty.write_text("\n")
    code, output = _cli("run", src, empty, "--class-of", "2018", "--out", tmp_path / "o")
    assert code == 2
    assert f"{empty}: line 1: the file is empty" in output
    # the same file found inside a folder is an EXTR0003 warning and the run goes on
    result = acgr.compute(extract_dir(tmp_path), class_of=2018)
    assert result.findings.filter(pl.col("rule") == "EXTR0003")["file"].to_list() == [str(empty)]


def test_no_student_of_the_class_is_refused_naming_the_classes_held(tmp_path: Path) -> None:
    _senr_only(tmp_path)
    with pytest.raises(RefusedError, match=r"class of 2019 .* classes of 2018 \(13\)"):
        acgr.compute(extract_dir(tmp_path), class_of=2019)


def test_a_class_whose_every_student_was_removed_is_refused(tmp_path: Path) -> None:
    lines = [rec(f"10000000{i:02d}", exit=D(2016, 3, 1), code="T200") for i in range(3)]
    with pytest.raises(RefusedError, match="left the cohort"):
        run(tmp_path, lines)


def test_explain_is_not_refused_for_a_student_of_another_class(tmp_path: Path) -> None:
    # `acgr explain` runs the pipeline on one student's records, unjudged
    src = _senr_only(tmp_path)
    result = acgr.compute(src, class_of=2019, judged=False)
    assert result.students.height == 0


# --------------------------------------------------------------------------- case 5
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--class-of", "18"], "four-digit year"),
        (["--class-of", "2030"], "no student of the class of 2030"),
        (["--class-of", "2018", "--extraction-date", "2017-01-01"], "before 2018-07-01"),
        (["--class-of", "2018", "--extraction-date", "15/09/2018"], "YYYY-MM-DD"),
    ],
)
def test_impossible_requests_are_refused_in_one_line(
    tmp_path: Path, args: list[str], says: str
) -> None:
    src = _senr_only(tmp_path)
    code, output = _cli("run", src, *args, "--out", tmp_path / "o")
    assert code == 2, output
    assert output.count("\n") == 1, output
    assert says in output


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"class_of": 18}, ValueError),
        ({"class_of": "2018"}, TypeError),
        ({"class_of": 2018.0}, TypeError),
        ({"class_of": 2018, "extraction_date": "2017-01-01"}, ValueError),
        ({"class_of": 2018, "extraction_date": "2018/09/15"}, ValueError),
        ({"class_of": 2018, "extraction_date": 20180915}, TypeError),
    ],
)
def test_library_rejects_wrong_arguments_plainly(
    tmp_path: Path, kwargs: dict[str, object], error: type[Exception]
) -> None:
    src = _senr_only(tmp_path)
    with pytest.raises(error) as caught:
        acgr.compute(src, **kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "\n" not in message
    assert "polars" not in message.lower()


@pytest.mark.parametrize("x", [D(2018, 9, 15), "2018-09-15", dt.datetime(2018, 9, 15, 8, 30)])
def test_library_accepts_an_extraction_date_as_date_or_iso_text(
    tmp_path: Path, x: dt.date | str
) -> None:
    src = _senr_only(tmp_path)
    result = acgr.compute(src, class_of=2018, extraction_date=x)
    assert result.periods.extraction_date == D(2018, 9, 15)


def test_an_extraction_date_on_the_cutoff_is_accepted(tmp_path: Path) -> None:
    result = run(tmp_path, [grad()], extraction_date=CUTOFF)
    assert result.periods.extraction_date == CUTOFF
    assert result.findings.filter(pl.col("rule") == "ACGR0006").height == 0


def test_r2_3_an_extraction_date_before_the_cutoff_is_a_warning(tmp_path: Path) -> None:
    # arrange: pulled 31 July 2018, as CDE pulls from 2026
    # act
    result = run(tmp_path, [grad()], extraction_date=D(2018, 7, 31))
    # assert: computed, and the gap said
    (warned,) = result.findings.filter(pl.col("rule") == "ACGR0006")["message"].to_list()
    assert "2018-07-31 is before the summer cutoff 2018-08-15" in warned
    assert result.students.height == 1


def test_inputs_ending_before_year4_is_half_over_are_a_warning(tmp_path: Path) -> None:
    # arrange: the latest date in the data is 1 March 2016, two years early
    lines = [rec(exit=D(2016, 3, 1), code="E400"), rec("1000000002")]
    # act
    result = run(tmp_path, lines)
    # assert
    warned = result.findings.filter(pl.col("rule") == "ACGR0005")["message"].to_list()
    assert any("end on 2016-03-01" in m for m in warned)


def test_inputs_beginning_after_year1_are_a_warning(tmp_path: Path) -> None:
    result = run(tmp_path, [rec(start=D(2016, 8, 17), grade="11")])
    warned = result.findings.filter(pl.col("rule") == "ACGR0005")["message"].to_list()
    assert any("begin on 2016-08-17" in m for m in warned)


def test_full_coverage_raises_no_coverage_warning(tmp_path: Path) -> None:
    result = run(tmp_path, [grad()])
    assert result.findings.filter(pl.col("rule") == "ACGR0005").height == 0


# --------------------------------------------------------------------------- case 7
def test_no_schools_file_says_charter_and_dass_were_assumed(tmp_path: Path) -> None:
    result = run(tmp_path, [grad()])
    warned = result.findings.filter(pl.col("rule") == "ACGR0004")["message"].to_list()
    assert warned == [
        "no schools file (--schools): every school counted as CharterSchool No and DASS No, "
        "without names (R4.3)"
    ]


def test_schools_file_without_dass_and_missing_schools_are_said(tmp_path: Path) -> None:
    # arrange: a directory with a charter column but no DASS column, lacking one school
    schools = tmp_path / "schools.csv"
    schools.write_text(f"cds_code,school_name,charter\n{LEA}{SCHOOL},Vista,N\n")
    lines = [grad(), grad("1000000002", school="1930009")]
    # act
    result = run(tmp_path, lines, schools=schools)
    # assert
    warned = result.findings.filter(pl.col("rule") == "ACGR0004")["message"].to_list()
    assert warned == [
        "the schools file has no dass column: every school counted as DASS No",
        "1 of 2 schools of the class are not in the schools file: counted as CharterSchool "
        "No and DASS No, without names",
    ]


def test_a_complete_schools_file_raises_no_flag_warning() -> None:
    result = acgr.compute(
        FIXTURES / "extract",
        class_of=2018,
        schools=FIXTURES / "schools.csv",
        foster=FIXTURES / "foster.csv",
    )
    assert result.findings.filter(pl.col("rule").is_in(["ACGR0003", "ACGR0004"])).height == 0


def test_cli_run_names_the_rule_set_and_every_override(tmp_path: Path) -> None:
    # arrange: a variant with a 30 June summer cutoff
    src = _senr_only(tmp_path)
    variant = tmp_path / "june.toml"
    variant.write_text('base = "2018"\n[summer_cutoff]\nmonth = 6\nday = 30\n')
    # act
    code, output = _cli(
        "run", src, "--class-of", "2018", "--rules", variant, "--out", tmp_path / "o"
    )
    # assert: printed and stored, never announced as the built-in set
    assert code == 0, output
    rules_line = next(ln for ln in output.splitlines() if ln.startswith("rules:"))
    assert "base 2018" in rules_line
    assert "summer_cutoff.month 8 → 6" in rules_line
    assert "summer_cutoff.day 15 → 30" in rules_line
    assert rules_line in (tmp_path / "o" / "summary.txt").read_text()


# --------------------------------------------------------------------------- case 11
def test_every_line_is_accounted_for_records_after_x_included(tmp_path: Path) -> None:
    # arrange: a graduate, a record starting after X (R2.4), one without a start
    # date, and one starting on X itself (read: "on or before X")
    lines = [
        grad(),
        rec("1000000002", start=D(2018, 9, 20), grade="12"),
        rec("1000000003", start=None),
        rec("1000000004", start=D(2018, 9, 15), grade="12"),
    ]
    # act
    result = run(tmp_path, lines)
    # assert
    acc = result.accounting or {}
    assert acc["lines_read"] == 4
    assert acc["senr_after_extraction"] == 1
    assert acc["senr_without_start"] == 1
    assert acc["lines_read"] == acc["records_parsed"] + acc["lines_rejected"]
    missing = result.findings.filter(pl.col("rule") == "GERR0001")
    assert missing["line"].to_list() == [3]
    assert missing["severity"].to_list() == ["fatal"]


def test_cli_accounting_line_names_the_records_after_the_extraction_date(tmp_path: Path) -> None:
    src = write_extract(
        extract_dir(tmp_path) / "senr.txt",
        [grad(), rec("1000000002", start=D(2018, 9, 20), grade="12")],
    )
    code, output = _cli("run", src, "--class-of", "2018", "--out", tmp_path / "o")
    assert code == 0, output
    assert (
        "lines read 2 = records used 1 + lines rejected 0 + starting after the extraction "
        "date 1 (R2.4)" in output
    )


# --------------------------------------------------------------------------- case 1
def test_cli_run_reads_ods_fields_under_the_plain_record_type(tmp_path: Path) -> None:
    # arrange: the same records written as submission lines and as 41-field SENR
    # lines carrying the two ODS upload dates without the -R suffix
    plain = [grad(f"10000000{i:02d}") for i in range(12)]
    reexported = [line + "^20180920^20180921" for line in plain]
    assert {ln.count("^") + 1 for ln in reexported} == {41}
    a = write_extract(tmp_path / "a" / "senr.txt", plain)
    b = write_extract(tmp_path / "b" / "senr.txt", reexported)
    # act
    code_a, _ = _cli("run", a, "--class-of", "2018", "--out", tmp_path / "oa")
    code_b, output = _cli("run", b, "--class-of", "2018", "--out", tmp_path / "ob")
    # assert: read alike, nothing rejected
    assert (code_a, code_b) == (0, 0), output
    assert (tmp_path / "oa" / "acgr.txt").read_text() == (tmp_path / "ob" / "acgr.txt").read_text()
    assert "EXTR0004" not in (tmp_path / "ob" / "findings.csv").read_text()
