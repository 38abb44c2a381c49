"""Caret text, Parquet tables and in-memory frames of the same records give the same run.

The three forms take different paths (caret text is staged and its SENR codes
normalised while staging; Parquet is read in place and normalised once in the
run; frames are read from memory), so this pins them together on the fixture.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from acgr.pipeline import AcgrResult, compute
from acgr.read.extracts import TABLES, read_inputs
from tests.helpers import ROOT

FIXTURES = ROOT / "fixtures"


def _run(inputs: object) -> AcgrResult:
    return compute(inputs, class_of=2018, schools=FIXTURES / "schools.csv")


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    extracts = read_inputs(FIXTURES / "extract")
    return {t: extracts.table(t).collect() for t in TABLES}


@pytest.fixture(scope="module")
def from_text() -> AcgrResult:
    return _run(FIXTURES / "extract")


def _same(a: AcgrResult, b: AcgrResult) -> None:
    assert_frame_equal(a.students, b.students)
    assert_frame_equal(a.rates, b.rates)
    # The fixture text has no line the reader rejects, so every finding must match.
    assert_frame_equal(a.findings, b.findings)
    assert a.findings.height > 0


def test_parquet_tables_give_the_text_run(
    from_text: AcgrResult, tables: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    for name, frame in tables.items():
        frame.write_parquet(tmp_path / f"{name}.parquet")
    _same(from_text, _run(tmp_path))


def test_in_memory_frames_give_the_text_run(
    from_text: AcgrResult, tables: dict[str, pl.DataFrame]
) -> None:
    _same(from_text, _run(tables))
    _same(from_text, _run({name: frame.to_arrow() for name, frame in tables.items()}))


def test_codes_a_spreadsheet_mangled_are_restored(
    from_text: AcgrResult, tables: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    # arrange: leading zeros cut from LEA, school and grade; codes lower-cased
    senr = (
        tables["senr"]
        .with_columns(
            pl.col(c).str.strip_chars_start("0")
            for c in ("reporting_lea", "school_of_attendance", "grade_level_code")
        )
        .with_columns(
            pl.col(c).str.to_lowercase()
            for c in ("student_exit_reason_code", "student_met_all_uc_csu_requirements_indicator")
        )
    )
    assert not senr.equals(tables["senr"])
    for name, frame in {**tables, "senr": senr}.items():
        frame.write_parquet(tmp_path / f"{name}.parquet")
    # act
    mangled = _run(tmp_path)
    # assert
    assert_frame_equal(from_text.students, mangled.students)
    assert_frame_equal(from_text.rates, mangled.rates)


def test_codes_lower_cased_in_caret_text_are_restored(
    from_text: AcgrResult, tmp_path: Path
) -> None:
    # arrange: the caret files with every E230 exit code lower-cased
    for source in sorted((FIXTURES / "extract").iterdir()):
        text = source.read_bytes()  # as written: not every fixture file is UTF-8
        (tmp_path / source.name).write_bytes(text.replace(b"^E230^", b"^e230^"))
    assert b"^e230^" in (tmp_path / "senr_a.txt").read_bytes()
    # act: staging normalises the codes on their distinct values
    mangled = _run(tmp_path)
    # assert: the same students (their record files sit elsewhere) and the same rates
    assert_frame_equal(from_text.students.drop("record_file"), mangled.students.drop("record_file"))
    assert_frame_equal(from_text.rates, mangled.rates)


def _padded(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text field wrapped in the padding a fixed-width export leaves."""
    return frame.with_columns(
        pl.concat_str([pl.lit(" "), pl.col(c), pl.lit("\u00a0 ")]).alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )


def test_padded_parquet_tables_give_the_text_run(
    from_text: AcgrResult, tables: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    # Typed tables are read in place; padding must still be stripped from
    # every table (SSIDs in SINF, SPRG and SELA must still match SENR's).
    for name, frame in tables.items():
        _padded(frame).write_parquet(tmp_path / f"{name}.parquet")
    padded = _run(tmp_path)
    assert_frame_equal(from_text.students, padded.students)
    assert_frame_equal(from_text.rates, padded.rates)
    assert "records" in padded.timings


def test_padded_frames_and_a_text_date_table_are_stripped_while_staged(
    from_text: AcgrResult, tables: dict[str, pl.DataFrame]
) -> None:
    # SELA with text dates sends the whole run through staging, which must
    # strip the padded typed tables it copies.
    sela = tables["sela"].with_columns(pl.col(pl.Date).dt.strftime("%Y%m%d"))
    inputs = {name: _padded(frame) for name, frame in {**tables, "sela": sela}.items()}
    staged = _run(inputs)
    assert_frame_equal(from_text.students, staged.students)
    assert_frame_equal(from_text.rates, staged.rates)
