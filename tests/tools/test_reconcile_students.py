"""acgr reconcile-students: the fixture run against 15.2-style lists made from it.

Each list (CSV and XLSX) is the run's own students.csv with one planted difference of each
kind, headers in odd case and spacing, and a column of no use; each difference must be
reported with our rule and record. Files that cannot be reconciled are refused in one line.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import polars as pl
import pytest
from typer.testing import CliRunner

from acgr.cli import app
from acgr.rules.ruleset import load_rules
from acgr.tools.reconcile_students import ReconcileInputError, reconcile_students
from tests.helpers import FIXTURES

runner = CliRunner()
RULES = load_rules("2018")

#: Planted: (kind, SSID). Students 1-5 of the fixture graduate (fixtures/README.md).
DROPPED, ADDED = "2018000001", "2099000001"
CATEGORY, SCHOOL, GROUP = "2018000002", "2018000003", "2018000004"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    args = ["run", str(FIXTURES / "extract"), "--class-of", "2018", "--out", str(out),
            "--schools", str(FIXTURES / "schools.csv")]  # fmt: skip
    assert runner.invoke(app, args).exit_code == 0
    return out


def _theirs(run_dir: Path, *, planted: bool = True) -> pl.DataFrame:
    """A 15.2-style list from the run: odd headers, an extra column, planted differences."""
    ours = pl.read_csv(run_dir / "students.csv", infer_schema=False)
    theirs = ours.select(
        pl.col("SSID").alias("ssid"),
        pl.col("SchoolCode").str.strip_chars_start("0").alias("School Code"),  # Excel-cut zeros
        pl.col("SchoolName").alias("SCHOOL_NAME"),
        pl.col("CohortCategory").alias(" Cohort category "),
        pl.col("EthnicityRace").alias("Ethnicity Race"),
        pl.col("StudentswithDisabilities").alias("students_with_disabilities"),
        pl.col("Homeless").str.to_uppercase().alias("homeless"),
        "SocioEconomicallyDisadvantaged",
        "EnglishLearner",
        pl.lit("12").alias("Grade Level"),
    )
    if not planted:
        return theirs
    added = theirs.head(1).with_columns(pl.lit(ADDED).alias("ssid"))
    return pl.concat([theirs.filter(pl.col("ssid") != DROPPED), added]).with_columns(
        pl.when(pl.col("ssid") == CATEGORY)
        .then(pl.lit("Dropout"))
        .otherwise(pl.col(" Cohort category "))
        .alias(" Cohort category "),
        pl.when(pl.col("ssid") == SCHOOL)
        .then(pl.lit("1931000"))
        .otherwise(pl.col("School Code"))
        .alias("School Code"),
        pl.when(pl.col("ssid") == GROUP)
        .then(pl.lit("YES"))
        .otherwise(pl.col("homeless"))
        .alias("homeless"),
    )


def _write_xlsx(frame: pl.DataFrame, path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Report 15.2 - Cohort Outcome - Student Details"])  # a title row above
    ws.append(frame.columns)
    for row in frame.iter_rows():
        # an SSID typed as a number, as Excel keeps it
        ws.append([int(row[0]), *row[1:]])
    wb.save(path)


@pytest.fixture(params=["csv", "xlsx"])
def planted(request: pytest.FixtureRequest, run_dir: Path, tmp_path: Path) -> Path:
    path = tmp_path / f"fifteen_two.{request.param}"
    if request.param == "csv":
        _theirs(run_dir).write_csv(path)
    else:
        _write_xlsx(_theirs(run_dir), path)
    return path


def test_each_planted_difference_is_reported_with_our_rule_and_record(
    run_dir: Path, planted: Path, tmp_path: Path
) -> None:
    # act
    out = tmp_path / "diff.csv"
    res = runner.invoke(app, ["reconcile-students", str(run_dir), str(planted), "--out", str(out)])
    # assert: exit 1; one row per planted difference, nothing else
    assert res.exit_code == 1, res.output
    rows = pl.read_csv(out, infer_schema=False).fill_null("")
    got = {(r["kind"], r["ssid"], r["field"], r["ours"], r["theirs"]) for r in rows.to_dicts()}
    assert got == {
        ("only_ours", DROPPED, "", "HSDiplomaGraduate", ""),
        ("only_theirs", ADDED, "", "", "HSDiplomaGraduate"),
        ("category", CATEGORY, "CohortCategory", "HSDiplomaGraduate", "Dropout"),
        ("school", SCHOOL, "SchoolCode", "1930000", "1931000"),
        ("group", GROUP, "Homeless", "No", "Yes"),
    }
    # our side explained: student 2 graduates on senr_b.txt line 1 (fixtures/README.md)
    two = rows.filter(pl.col("ssid") == CATEGORY).row(0, named=True)
    assert two["our_rule"] == "R3.1:E230/100"
    assert two["our_record"].endswith("senr_b.txt:1")
    # the summary: counts per kind, the unused column named, no SSID on the terminal
    assert "Grade Level" in res.output
    assert "Migrant, FosterYouth" in res.output  # absent from theirs: not compared
    for ssid in (DROPPED, ADDED, CATEGORY, SCHOOL, GROUP):
        assert ssid not in res.output
    for kind in ("only_ours", "only_theirs", "category", "school", "group"):
        line = next(ln for ln in res.output.splitlines() if ln.split()[:1] == [kind])
        assert line.split()[1] == "1"
    assert all(len(ln) <= 100 for ln in res.output.splitlines())


def test_the_same_list_agrees_exit_0(run_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "same.csv"
    _theirs(run_dir, planted=False).write_csv(path)
    res = runner.invoke(app, ["reconcile-students", str(run_dir), str(path)])
    assert res.exit_code == 0, res.output
    assert "no difference" in res.output


def test_a_student_twice_with_different_rows_is_ambiguous(run_dir: Path, tmp_path: Path) -> None:
    theirs = _theirs(run_dir, planted=False)
    twice = theirs.filter(pl.col("ssid") == CATEGORY).with_columns(
        pl.lit("Dropout").alias(" Cohort category ")
    )
    path = tmp_path / "twice.csv"
    pl.concat([theirs, twice]).write_csv(path)
    rec = reconcile_students(run_dir, path, RULES)
    assert rec.differences.select("kind", "ssid").rows() == [("ambiguous", CATEGORY)]


def test_a_needed_column_missing_is_a_one_line_refusal(run_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "no_category.csv"
    _theirs(run_dir, planted=False).rename({" Cohort category ": "Outcome"}).write_csv(path)
    res = runner.invoke(app, ["reconcile-students", str(run_dir), str(path)])
    assert res.exit_code == 2
    assert len(res.output.strip().splitlines()) == 1
    assert "no column for CohortCategory" in res.output
    assert "--mapping" in res.output


def test_a_mapping_file_names_the_column_and_the_spellings(run_dir: Path, tmp_path: Path) -> None:
    # arrange: their own header and their own word for a graduate
    theirs = (
        _theirs(run_dir, planted=False)
        .rename({" Cohort category ": "Outcome"})
        .with_columns(pl.col("Outcome").replace({"HSDiplomaGraduate": "Graduated (diploma)"}))
    )
    path = tmp_path / "mapped.csv"
    theirs.write_csv(path)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[columns]\nCohortCategory = "Outcome"\n\n[categories]\n'
        '"Graduated (diploma)" = "HSDiplomaGraduate"\n'
    )
    # act / assert: with the mapping they agree; without it, the unknown word is refused
    res = runner.invoke(
        app, ["reconcile-students", str(run_dir), str(path), "--mapping", str(mapping)]
    )
    assert res.exit_code == 0, res.output
    mapping.write_text('[columns]\nCohortCategory = "Outcome"\n')
    with pytest.raises(ReconcileInputError, match="'Graduated \\(diploma\\)'"):
        reconcile_students(run_dir, path, RULES, mapping)


def test_a_mapping_to_a_word_we_do_not_have_is_refused(run_dir: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('[categories]\nGrad = "Graduated"\n')
    path = tmp_path / "same.csv"
    _theirs(run_dir, planted=False).write_csv(path)
    res = runner.invoke(
        app, ["reconcile-students", str(run_dir), str(path), "--mapping", str(mapping)]
    )
    assert res.exit_code == 2
    assert "not a category" in res.output


def test_a_flag_that_is_not_yes_or_no_is_refused(run_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "flags.csv"
    theirs = _theirs(run_dir, planted=False).with_columns(pl.lit("maybe").alias("homeless"))
    theirs.write_csv(path)
    with pytest.raises(ReconcileInputError, match="'homeless' holds a value other than Yes/No"):
        reconcile_students(run_dir, path, RULES)


def test_an_xlsx_whose_ssid_header_a_mapping_names_skips_its_title_row(
    run_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "mapped.xlsx"
    _write_xlsx(_theirs(run_dir, planted=False).rename({"ssid": "Statewide Student ID"}), path)
    mapping = tmp_path / "m.toml"
    mapping.write_text('[columns]\nSSID = "Statewide Student ID"\n')
    rec = reconcile_students(run_dir, path, RULES, mapping)
    assert rec.agrees
    assert rec.students_in_both == rec.students_ours


def test_an_old_xls_workbook_is_refused_in_one_line(run_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    res = runner.invoke(app, ["reconcile-students", str(run_dir), str(path)])
    assert res.exit_code == 2
    assert "save it as .xlsx or .csv" in res.output
