"""acgr.extracts: what the caret reader tolerates in a field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from acgr.extracts import read_inputs
from acgr.testing import record_line, senr_line, write_extract


def test_fields_lose_spaces_tabs_and_no_break_spaces(tmp_path: Path) -> None:
    # arrange: a SENR record whose codes carry the padding spreadsheets and fixed-width
    # exports leave (spaces, a tab, a no-break space)
    line = senr_line(
        ssid=" 1234567890\t",
        reporting_lea="\u00a00110000 ",
        school_of_attendance="  0110001",
        enrollment_start_date=dt.date(2014, 8, 20),
        enrollment_status_code=" 10 ",
        grade_level_code="09\u00a0",
    )
    path = write_extract(tmp_path / "senr.txt", [line], crlf=True)
    # act
    senr = read_inputs(path).senr.collect()
    # assert
    row = senr.row(0, named=True)
    assert (row["ssid"], row["reporting_lea"], row["school_of_attendance"]) == (
        "1234567890",
        "0110000",
        "0110001",
    )
    assert (row["enrollment_status_code"], row["grade_level_code"]) == ("10", "09")
    assert row["enrollment_start_date"] == dt.date(2014, 8, 20)


def test_field_count_is_reported_for_short_and_long_lines(tmp_path: Path) -> None:
    """EXTR0004: the count in the message is the line's real number of fields."""
    # arrange: a good line, one cut after 5 fields, one with 12 surplus fields
    good = senr_line(ssid="1234567890", enrollment_start_date=dt.date(2014, 8, 20))
    fields = good.split("^")
    short = "^".join(fields[:5])
    long = "^".join([*fields, *["X"] * 12])
    path = write_extract(tmp_path / "senr.txt", [good, short, long])
    # act
    ex = read_inputs(path)
    found = ex.findings.collect().sort("line")
    # assert
    assert ex.senr.collect().height == 1
    assert found["rule"].to_list() == ["EXTR0004", "EXTR0004"]
    assert "has 5 fields" in found["message"][0]
    assert f"has {len(fields) + 12} fields" in found["message"][1]


def test_a_text_date_in_a_table_that_is_no_date_rejects_the_record(tmp_path: Path) -> None:
    """FRMT0002 for canonical tables too: a bad date is a finding, never a silent null."""
    # arrange: a canonical SENR table with text dates, one of them impossible
    table = pl.DataFrame(
        {
            "ssid": ["1234567890", "1234567891", "1234567892"],
            "reporting_lea": ["0110000"] * 3,
            "school_of_attendance": ["0110001"] * 3,
            "enrollment_start_date": ["20140820", "2014-08-20", "20140231"],
            "enrollment_exit_date": ["", None, ""],
        }
    )
    table.write_parquet(tmp_path / "senr.parquet")
    # act
    ex = read_inputs(tmp_path / "senr.parquet")
    # assert
    assert not ex.columnar  # text dates are checked, so the table is staged
    read = ex.senr.collect()
    assert read["enrollment_start_date"].to_list() == [dt.date(2014, 8, 20)] * 2
    found = ex.findings.collect()
    assert found["rule"].to_list() == ["FRMT0002"]
    assert found["line"].to_list() == [3]
    assert found["message"][0].endswith("date: EnrollmentSchoolStartDate; record not used")
    assert ex.accounting().collect().row(0, named=True) == {
        "lines_read": 3,
        "records_parsed": 2,
        "lines_rejected": 1,
    }


def test_a_later_line_of_another_type_is_read_whatever_the_first_line_says(
    tmp_path: Path,
) -> None:
    """Files that hold one record type are read directly; a stray type must still count."""
    # arrange: a file that starts like a SENR-only file but also carries a SINF line,
    # and a file of SENR lines only
    senr = senr_line(ssid="1234567890", enrollment_start_date=dt.date(2014, 8, 20))
    sinf = record_line("SINF", {"ssid": "1234567890", "effective_start_date": dt.date(2014, 8, 1)})
    folder = tmp_path / "in"
    folder.mkdir()
    write_extract(folder / "a_mixed.txt", [senr, senr, sinf])
    write_extract(folder / "b_senr.txt", [senr, senr])
    # act: with and without the line store (the store path sorts files out first)
    stored = read_inputs(folder, line_store=tmp_path / "store")
    plain = read_inputs(folder)
    # assert
    for ex in (stored, plain):
        assert ex.senr.collect().height == 4
        assert ex.sinf.collect()["source_line"].to_list() == [3]
        assert ex.accounting().collect().row(0, named=True)["lines_read"] == 5
    assert (
        stored.senr.collect()
        .sort("source_file", "source_line")
        .equals(plain.senr.collect().sort("source_file", "source_line"))
    )
