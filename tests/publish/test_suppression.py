"""Small-cell suppression of public rows (docs/rules.md R6.4)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from acgr.publish.suppression import with_suppression
from acgr.rules.ruleset import load_rules
from tests.helpers import D, grad, rate_row, rec, run, text_rows

VALUE_START = "CohortStudents"


def _values(row: dict[str, str]) -> list[str]:
    keys = list(row)
    return [row[k] for k in keys[keys.index(VALUE_START) :]]


def test_r6_4_cohort_of_10_or_fewer_stars_every_cell(tmp_path: Path) -> None:
    n = 10
    # arrange: n graduates at one school
    result = run(tmp_path, [grad(f"10000000{i:02d}") for i in range(n)])
    # act
    rows = text_rows(result)
    # assert
    assert rows
    for row in rows:
        assert set(_values(row)) == {"*"}, row
    assert rate_row(result, "T")["suppressed"] is True
    assert rate_row(result, "T")["CohortStudents"] == n  # the typed table keeps the numbers


def test_r6_4_cohort_of_11_shows_numbers(tmp_path: Path) -> None:
    # arrange: 11 students at one school, 10 graduates and 1 dropout
    lines = [grad(f"10000000{i:02d}") for i in range(10)]
    lines.append(rec("2000000000", code="E400", exit=D(2017, 3, 1)))
    result = run(tmp_path, lines)
    # act
    rows = text_rows(result)
    # assert
    ta = [r for r in rows if r["ReportingCategory"] == "TA"]
    assert len(ta) == 10  # T, C, D: All/All, No/All, All/No; S
    for row in rows:
        assert "*" not in _values(row), row
    assert ta[0]["CohortStudents"] == "11"
    assert ta[0]["Regular HS Diploma Graduates (Rate)"] == "90.9"
    assert result.rates["suppressed"].any() is False


def test_r6_4_rows_exist_only_with_cohort_students(tmp_path: Path) -> None:
    # arrange: school ...02 has only a removed student
    lines = [
        grad(school="1930001"),
        rec("1000000002", school="1930002", code="T200", exit=D(2017, 3, 1)),
    ]
    result = run(tmp_path, lines)
    # assert
    assert result.rates.filter(pl.col("SchoolCode") == "1930002").height == 0
    assert result.rates["CohortStudents"].min() == 1


def _rows(entries: list[tuple[str, str, str, str, int]]) -> pl.LazyFrame:
    """Count rows: (level, school_code, charter, category, cohort) in county 19, LEA 64733."""
    return pl.LazyFrame(
        [
            {
                "level": level,
                "county_code": "19",
                "district_code": "64733" if level in ("D", "S") else None,
                "school_code": school or None,
                "charter": charter,
                "dass": "All" if level != "S" else "No",
                "category": category,
                "cohort": cohort,
            }
            for level, school, charter, category, cohort in entries
        ],
        schema={
            "level": pl.String,
            "county_code": pl.String,
            "district_code": pl.String,
            "school_code": pl.String,
            "charter": pl.String,
            "dass": pl.String,
            "category": pl.String,
            "cohort": pl.Int64,
        },
    )


def test_r6_4_rd_starred_when_another_race_row_is_starred() -> None:
    # arrange
    rows = _rows(
        [
            # school A: RB is small, so RD (large) is starred too; RW and TA are not
            ("S", "1930001", "No", "TA", 60),
            ("S", "1930001", "No", "RB", 5),
            ("S", "1930001", "No", "RD", 20),
            ("S", "1930001", "No", "RW", 35),
            # school B: every race row large: RD shown; a small gender row does not star RD
            ("S", "1930002", "No", "RB", 12),
            ("S", "1930002", "No", "RD", 20),
            ("S", "1930002", "No", "GM", 3),
            # LEA All/All: RH small -> RD starred; LEA Yes/All is another entity: RD shown
            ("D", "", "All", "RH", 10),
            ("D", "", "All", "RD", 40),
            ("D", "", "Yes", "RH", 15),
            ("D", "", "Yes", "RD", 40),
            # county: RD itself small, other races large: only RD starred
            ("C", "", "All", "RD", 4),
            ("C", "", "All", "RA", 40),
        ]
    )
    # act
    out = with_suppression(rows, load_rules("2018")).collect()
    # assert
    assert out.height == 13
    assert out["suppressed"].to_list() == [
        False, True, True, False,
        False, False, True,
        True, True, False, False,
        True, False,
    ]  # fmt: skip


def test_r6_4_threshold_is_at_most_10() -> None:
    rows = _rows([("S", "1930001", "No", "TA", n) for n in (0, 1, 10, 11, 12)])
    out = with_suppression(rows, load_rules("2018")).collect()
    assert out["suppressed"].to_list() == [True, True, True, False, False]
