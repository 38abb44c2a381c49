"""The Dashboard straight from extracts (docs/rules.md R8.3, acgr.tools.dashboard_run).

The synthetic extract holds three consecutive classes; each Dashboard count must be the
four-year run's and the five-year run's own numbers, read as the Dashboard reads them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import acgr
from acgr.cli import app
from acgr.errors import RefusedError
from acgr.publish.fiveyear import FIFTH_YEAR_HEADER
from acgr.synth import write_synthetic
from acgr.tools.dashboard import read_dashboard
from acgr.tools.dashboard_run import dashboard_from_extracts

runner = CliRunner()


@pytest.fixture(scope="module")
def three_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Classes of 2022, 2023 and 2024, 300 students each, with a schools file."""
    out = tmp_path_factory.mktemp("syn")
    write_synthetic(out, class_of=2022, students=300, seed=11, classes=3)
    return out


def _state(table: pl.DataFrame, column: str) -> int:
    return int(
        table.filter(pl.col("AggregateLevel") == "T", pl.col("ReportingCategory") == "TA")[column][
            0
        ]
    )


def _state_all(table: pl.DataFrame) -> dict[str, object]:
    return table.filter(pl.col("rtype") == "X", pl.col("studentgroup") == "ALL").row(0, named=True)


def test_r8_3_dashboard_counts_are_the_runs_own_numbers(three_classes: Path) -> None:
    # arrange: each part on its own, as the Dashboard reads it
    inputs, schools = three_classes / "calpads", three_classes / "schools.csv"
    four = {y: acgr.compute(inputs, class_of=y, schools=schools) for y in (2023, 2024)}
    five = {
        2023: acgr.five_year(
            inputs, class_of=2023, schools=schools, extraction_date=dt.date(2024, 8, 16)
        ),
        2022: acgr.five_year(
            inputs, class_of=2022, schools=schools, extraction_date=dt.date(2023, 8, 25)
        ),
    }
    # act
    run = dashboard_from_extracts(inputs, class_of=2024, schools=schools)
    # assert: current = class 2024 + class 2023's fifth-year graduates; prior one class earlier
    row = _state_all(run.table)
    fifth = {y: _state(f.table, FIFTH_YEAR_HEADER) for y, f in five.items()}
    assert fifth[2023] > 0
    assert row["fiveyrnumer"] == fifth[2023]
    assert row["currdenom"] == _state(four[2024].rates, "CohortStudents") + fifth[2023]
    grads = "Regular HS Diploma Graduates (Count)"
    assert row["currnumer"] == _state(four[2024].rates, grads) + fifth[2023]
    assert row["priordenom"] == _state(four[2023].rates, "CohortStudents") + fifth[2022]
    assert row["priornumer"] == _state(four[2023].rates, grads) + fifth[2022]
    assert run.table.columns == list(run.rules.columns)
    assert sorted(run.four_year) == [2022, 2023, 2024]


def test_r8_3_dashboard_refuses_when_the_extract_lacks_a_class_it_needs(
    three_classes: Path,
) -> None:
    # the class of 2025's Dashboard needs the classes of 2023-2025: 2025 is not there
    with pytest.raises(RefusedError, match="class of 2025"):
        dashboard_from_extracts(three_classes / "calpads", class_of=2025)


def test_r8_2018_dashboard_from_extracts_has_no_fifth_year(tmp_path: Path) -> None:
    # arrange
    write_synthetic(tmp_path, class_of=2017, students=200, seed=5, classes=2)
    inputs = tmp_path / "calpads"
    # act
    run = dashboard_from_extracts(inputs, class_of=2018, schools=tmp_path / "schools.csv")
    # assert: four-year counts of 2018 and 2017, the 22 columns of 2018
    row = _state_all(run.table)
    run18 = acgr.compute(inputs, class_of=2018, schools=tmp_path / "schools.csv")
    assert row["currdenom"] == _state(run18.rates, "CohortStudents")
    assert "fiveyrnumer" not in run.table.columns
    assert run.five_year == {}


def test_cli_dashboard_from_extracts(three_classes: Path, tmp_path: Path) -> None:
    # arrange
    out = tmp_path / "d.txt"
    args = ["dashboard", str(three_classes / "calpads"), "--class-of", "2024", "--out", str(out)]
    # act
    res = runner.invoke(app, [*args, "--schools", str(three_classes / "schools.csv")])
    missing = runner.invoke(app, [*args[:2], "--out", str(out)])
    mixed = runner.invoke(app, [*args, "--year", "2024"])
    # assert
    assert res.exit_code == 0, res.output
    assert "classes measured: 2022, 2023, 2024" in res.stdout
    assert read_dashboard(out)["reportingyear"].unique().to_list() == ["2024"]
    assert missing.exit_code == 2
    assert "PATH... and --class-of go together" in missing.stderr
    assert mixed.exit_code == 2
