"""``acgr lcff`` (docs/formats.md output 6, docs/rules.md R10): outputs, counts only, refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from acgr.cli import app
from acgr.testing import write_extract
from tests.helpers import rec

runner = CliRunner()
START = dt.date(2024, 8, 20)


def _extract(tmp_path: Path, lines: list[str]) -> Path:
    write_extract(tmp_path / "ex" / "senr.txt", lines)
    return tmp_path / "ex"


def test_r10_5_lcff_writes_upc_files_and_the_student_list(tmp_path: Path) -> None:
    ex = _extract(tmp_path, [rec("5901000001", START, "KN"), rec("5901000002", START, "11")])
    out = tmp_path / "out"
    res = runner.invoke(app, ["lcff", str(ex), "--year", "2024-25", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == [
        "upc.txt",
        "upc_findings.csv",
        "upc_impact.csv",
        "upc_lea.txt",
        "upc_students.parquet",
    ]
    assert (out / "upc.txt").read_text(encoding="utf-8").startswith("Academic Year\tCounty Code")
    assert pl.read_parquet(out / "upc_students.parquet").height == 2
    assert "2 students enrolled at 1 schools" in res.output
    assert "findings that move the count (R10.2, R10.4): ACGR0301 0" in res.output
    assert (out / "upc_impact.csv").read_text(encoding="utf-8").startswith("cds_code,upc,")
    findings = pl.read_csv(out / "upc_findings.csv", infer_schema=False)
    assert findings.columns[:4] == ["rule", "severity", "file", "line"]
    assert "59010000" not in res.output  # counts only: never an SSID


def test_r10_refusals_are_one_line_exit_2(tmp_path: Path) -> None:
    ex = _extract(tmp_path, [rec("5901000001", dt.date(2024, 11, 1), "03")])
    for args in (
        ["--year", "2024-26"],
        ["--year", "2024-25"],
        ["--year", "2024-25", "--census-day", "2023-10-04"],
    ):
        res = runner.invoke(app, ["lcff", str(ex), *args, "--out", str(tmp_path / "o")])
        assert res.exit_code == 2, res.output
        assert len(res.stderr.strip().splitlines()) == 1
        assert "5901000001" not in res.output + res.stderr
    assert not (tmp_path / "o").exists()


def test_r10_3_rules_file_turns_the_age_filter_on(tmp_path: Path) -> None:
    ex = _extract(
        tmp_path,
        [
            rec("5901000001", START, "KN", student_birth_date=dt.date(2019, 12, 3)),
            rec("5901000002", START, "KN", student_birth_date=dt.date(2019, 6, 1)),
        ],
    )
    kg = tmp_path / "kg.toml"
    kg.write_text('base = "lcff"\n[kindergarten_age_cutoff]\nmonth = 12\nday = 2\n')
    out = tmp_path / "out"
    args = ["lcff", str(ex), "--year", "2024-25", "--out", str(out), "--rules", str(kg)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "1 students enrolled" in res.output
    kg.write_text('base = "lcff"\n[kindergarten_age_cutoff]\nmonth = 13\nday = 2\n')
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert "kindergarten_age_cutoff.month" in res.stderr
