"""The student list (students.csv, the Report 15.2 equivalent) and --with-names.

Hand-worked rows check each column's words (R3.6 category, R5.1/R5.2 labels, Yes/No groups,
empty when not measured); the fixture run checks the file acgr run writes, with and without
names, and that names are never read unless asked; the report's workbook shows the same list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import polars as pl
import pytest
from typer.testing import CliRunner

import acgr
import acgr.pipeline
from acgr.cli import app
from acgr.publish.student_list import list_columns, student_list
from acgr.rules.ruleset import load_rules
from acgr.tools.report import write_reports
from tests.helpers import FIXTURES

runner = CliRunner()
RULES = load_rules("2018")


def _student(ssid: str, outcome: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ssid": ssid,
        "local_student_id": "L" + ssid[-3:],
        "cds_code": "19647331930000",
        "school_code": "1930000",
        "outcome": outcome,
        "reason": "R3.1:E230/100",
        "record_file": "senr.txt",
        "record_line": 7,
        "race": "RH",
        "gender": "GF",
        "english_learner": True,
        "disability": False,
        "socioeconomically_disadvantaged": True,
        "migrant": False,
        "foster": None,
        "homeless": False,
    }
    return row | kw


def test_each_column_in_report_15_2_words_r3_6_r5() -> None:
    # arrange: a graduate with names and a removed student at a school the directory lacks
    students = pl.DataFrame(
        [
            _student(
                "2018000002",
                "Removed",
                cds_code="19647330000002",
                school_code="0000002",
                reason="R3.4:T370",
                race="RT",
                gender="GX",
            ),
            _student("2018000001", "Graduate"),
        ]
    )
    names = pl.DataFrame({"cds_code": ["19647331930000"], "school_name": ["Vista Ridge High"]})
    # act
    rows = student_list(students, RULES, names).collect().to_dicts()
    # assert: sorted by school then SSID; the 15.2 words; labels; Yes/No; empty = not measured
    assert list(rows[0]) == list(list_columns(names=False))
    assert [r["SSID"] for r in rows] == ["2018000002", "2018000001"]
    removed, graduate = rows
    assert removed["CohortCategory"] == "RemovedFromCohort"
    assert (removed["SchoolCode"], removed["SchoolName"]) == ("0000002", None)
    assert (removed["EthnicityRace"], removed["Gender"]) == (
        "Two or More Races",
        "Non-Binary Gender",
    )
    assert graduate == {
        "SSID": "2018000001",
        "LocalStudentID": "L001",
        "CDSCode": "19647331930000",
        "SchoolCode": "1930000",
        "SchoolName": "Vista Ridge High",
        "CohortCategory": "HSDiplomaGraduate",
        "Reason": "R3.1:E230/100",
        "RecordFile": "senr.txt",
        "RecordLine": 7,
        "EthnicityRace": "Hispanic or Latino",
        "Gender": "Female",
        "EnglishLearner": "Yes",
        "StudentswithDisabilities": "No",
        "SocioEconomicallyDisadvantaged": "Yes",
        "Migrant": "No",
        "FosterYouth": None,
        "Homeless": "No",
    }


def test_every_outcome_has_a_category_word_in_each_builtin_rule_set() -> None:
    for name in ("2018", "legacy"):
        words = load_rules(name).student_list.categories
        assert {str(o) for o in words} == {str(o) for o in acgr.Outcome}
        assert words[acgr.Outcome.OTHER_TRANSFER] == "OtherTransfers"


def test_a_rule_set_file_without_a_word_for_an_outcome_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "r.toml"
    f.write_text('base = "2018"\nname = "x"\n[student_list.categories]\nDropout = "Dropout"\n')
    # a base's table is replaced key by key; one that drops an outcome must not load
    rules = acgr.load_rules(f)
    assert rules.student_list.categories[acgr.Outcome.DROPOUT] == "Dropout"
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'base = "2018"\nname = "y"\n[student_list.categories]\nDropout = "StillEnrolled"\n'
    )
    with pytest.raises(acgr.RulesError, match="same word"):
        acgr.load_rules(bad)


# ---------------------------------------------------------------------------------
# acgr run on the fixture
# ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for label, extra in (("plain", []), ("names", ["--with-names"])):
        folder = tmp_path_factory.mktemp(label)
        args = ["run", str(FIXTURES / "extract"), "--class-of", "2018", "--out", str(folder),
                "--schools", str(FIXTURES / "schools.csv"), *extra]  # fmt: skip
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        out[label] = folder
    return out


def test_students_csv_is_utf8_with_bom_one_row_per_student(runs: dict[str, Path]) -> None:
    raw = (runs["plain"] / "students.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel then reads the file as UTF-8
    listed = pl.read_csv(runs["plain"] / "students.csv", infer_schema=False)
    parquet = pl.read_parquet(runs["plain"] / "students.parquet")
    assert tuple(listed.columns) == list_columns(names=False)
    assert sorted(listed["SSID"]) == sorted(parquet["ssid"])
    one = listed.filter(pl.col("SSID") == "2018000001").row(0, named=True)
    # fixtures/README.md: student 1 graduates at Vista Ridge High on senr_a.txt line 1
    assert one["LocalStudentID"] == "000001"  # zeros kept
    assert (one["SchoolName"], one["CohortCategory"]) == ("Vista Ridge High", "HSDiplomaGraduate")
    assert one["RecordFile"].endswith("senr_a.txt")
    assert one["RecordLine"] == "1"
    expected = pl.read_csv(FIXTURES / "expected" / "students.csv", infer_schema=False)
    words = {str(o): w for o, w in RULES.student_list.categories.items()}
    got = dict(listed.select("SSID", "CohortCategory").iter_rows())
    assert got == {s: words[o] for s, o in expected.select("ssid", "outcome").iter_rows()}


def test_names_only_with_the_option(runs: dict[str, Path]) -> None:
    plain = (runs["plain"] / "students.csv").read_text(encoding="utf-8-sig")
    assert "Avery" not in plain  # student 1's legal name
    assert "Alder" not in plain
    assert "Avery" not in str(pl.read_parquet(runs["plain"] / "students.parquet").rows())
    named = pl.read_csv(runs["names"] / "students.csv", infer_schema=False)
    assert tuple(named.columns) == list_columns(names=True)
    one = named.filter(pl.col("SSID") == "2018000001").row(0, named=True)
    assert (one["StudentLegalFirstName"], one["StudentLegalLastName"]) == ("Avery", "Alder")
    parquet = pl.read_parquet(runs["names"] / "students.parquet")
    assert parquet.columns[-2:] == ["student_legal_first_name", "student_legal_last_name"]


def test_names_are_never_parsed_without_with_names(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    real = acgr.read_inputs  # the function acgr.pipeline calls, spied on there

    def spy(inputs: Any, **kw: Any) -> Any:
        seen.append(bool(kw.get("with_pii")))
        return real(inputs, **kw)

    monkeypatch.setattr(acgr.pipeline, "read_inputs", spy)
    plain = acgr.compute(FIXTURES / "extract", class_of=2018)
    named = acgr.compute(FIXTURES / "extract", class_of=2018, with_names=True)
    assert seen == [False, True]
    assert "student_legal_first_name" not in plain.students.columns
    assert named.students["student_legal_first_name"].null_count() == 0


def test_names_from_tables_without_them_are_empty_not_an_error() -> None:
    # Parquet/CSV canonical tables never carry names: the columns are there, empty.
    frames = acgr.read_inputs(FIXTURES / "extract").raw
    result = acgr.compute({"senr": frames["senr"]}, class_of=2018, with_names=True)
    assert result.students["student_legal_first_name"].null_count() == result.students.height
    assert result.students["local_student_id"].null_count() == 0


def test_the_workbook_students_sheet_is_the_same_list(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    written = write_reports(runs["names"], tmp_path)
    books = [p for p in written if p.suffix == ".xlsx"]
    listed = pl.read_csv(runs["names"] / "students.csv", infer_schema=False)
    rows = []
    for book in books:
        ws = openpyxl.load_workbook(book)["Students"]
        header, *body = list(ws.iter_rows(values_only=True))
        assert header == list_columns(names=True)
        rows += [dict(zip(header, r, strict=True)) for r in body]
    assert sorted(r["SSID"] for r in rows) == sorted(listed["SSID"])
    one = next(r for r in rows if r["SSID"] == "2018000001")
    assert (one["LocalStudentID"], one["StudentLegalFirstName"]) == ("000001", "Avery")
    assert one["SchoolCode"] == "1930000"  # text: the zeros of codes are kept
    assert isinstance(one["RecordLine"], int)


def test_local_student_id_of_a_padded_table_is_shown_stripped(tmp_path: Path) -> None:
    """The deciding record's local ID travels with it unchecked (CARRIED_COLUMNS); padding a
    typed Parquet table holds is cut where the student list shows it."""
    senr = acgr.read_inputs(FIXTURES / "extract").raw["senr"].collect()
    senr.write_parquet(tmp_path / "plain.parquet")
    padded = senr.with_columns(
        (" " + pl.col("local_student_id") + "\u00a0").alias("local_student_id")
    )
    padded.write_parquet(tmp_path / "padded.parquet")
    plain = acgr.compute(tmp_path / "plain.parquet", class_of=2018).students
    got = acgr.compute(tmp_path / "padded.parquet", class_of=2018).students
    assert got["local_student_id"].null_count() == 0
    assert got["local_student_id"].to_list() == plain["local_student_id"].to_list()
