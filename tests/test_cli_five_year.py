"""``acgr five-year`` (docs/formats.md, docs/rules.md R9): outputs, counts only, refusals."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from acgr.cli import app
from acgr.testing import write_extract
from tests.fiveyear_cases import LINES
from tests.helpers import grad

runner = CliRunner()


def _extract(tmp_path: Path, lines: list[str]) -> Path:
    write_extract(tmp_path / "ex" / "senr.txt", lines)
    return tmp_path / "ex"


def test_r9_five_year_writes_fiveyear_txt_and_the_student_list(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(
        app, ["five-year", str(_extract(tmp_path, LINES)), "--class-of", "2018", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["fiveyear.txt", "fiveyear_students.parquet"]
    text = (out / "fiveyear.txt").read_text(encoding="utf-8")
    assert text.startswith("AcademicYear\tAggregateLevel")
    assert pl.read_parquet(out / "fiveyear_students.parquet").height == 9
    assert "fifth-year graduates            6" in res.output
    assert "59010000" not in res.output  # counts only: never an SSID


def test_r9_2_refusal_is_one_line_exit_2_without_ssids(tmp_path: Path) -> None:
    ex = _extract(tmp_path, [grad("5903000001")])
    res = runner.invoke(app, ["five-year", str(ex), "--class-of", "2018", "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "do not cover its fifth year" in res.output
    assert "5903000001" not in res.output


def test_r9_2_extraction_date_before_the_fifth_year_cutoff_warns(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "five-year", str(_extract(tmp_path, LINES)), "--class-of", "2018",
            "--out", str(tmp_path / "out"), "--extraction-date", "2019-06-01",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "warning ACGR0007" in res.output
