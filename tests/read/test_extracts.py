"""acgr.read.extracts: what the caret reader tolerates in a field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import acgr
import acgr.read.extracts as extracts_module
from acgr.read.extracts import (
    PADDING,
    TABLES,
    ExtractError,
    Extracts,
    _expand,
    _line_check,
    _parse_file,
    _raw_lines,
    _regular_files,
    _single_type_candidates,
    _single_type_file,
    _single_type_files,
    read_inputs,
)
from acgr.read.layouts import LAYOUTS, MIN_FIELDS
from acgr.testing import record_line, senr_histories, senr_line, write_extract
from tests.helpers import ROOT

FIXTURES = ROOT / "fixtures"


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


def _both_paths(path: Path, store: Path) -> tuple[Extracts, Extracts]:
    """The same input read with a line store (single-type files by the CSV reader) and not."""
    return read_inputs(path, line_store=store), read_inputs(path)


#: One record of each type with an SSID and a date, in canonical columns.
_RECORDS: dict[str, dict[str, object]] = {
    "SENR": {"ssid": "1234567890", "enrollment_start_date": dt.date(2014, 8, 20)},
    "SINF": {"ssid": "1234567890", "effective_start_date": dt.date(2014, 8, 1)},
    "SPRG": {
        "ssid": "1234567890",
        "education_program_code": "190",
        "education_program_membership_start_date": dt.date(2014, 9, 1),
    },
    "SELA": {
        "ssid": "1234567890",
        "english_acquisition_status_code": "EL",
        "english_acquisition_status_start_date": dt.date(2014, 8, 1),
    },
}


@pytest.mark.parametrize("record_type", ["SENR", "SINF", "SPRG", "SELA"])
def test_a_plain_record_type_with_the_two_ods_fields_is_read_as_ods(
    tmp_path: Path, record_type: str
) -> None:
    """docs/formats.md: layout by field count, never by the -R suffix alone (41/44/28/17 fields)."""
    # arrange: the ODS line of each type, re-exported under the plain record type
    values = _RECORDS[record_type]
    ods = record_line(record_type, values, ods=True).split("^")
    ods[0] = record_type
    assert len(ods) == len(LAYOUTS[record_type].fields) + 2
    path = write_extract(tmp_path / "in" / "x.txt", ["^".join(ods)] * 2)
    # act
    for ex in _both_paths(path, tmp_path / "store"):
        table = ex.table(record_type.lower()).collect()
        # assert: both lines read, with the layout's values; the trailing
        # UploadDate/LastDateUpdated are no layout field
        assert ex.findings.collect().height == 0
        assert table.height == 2
        row = table.row(0, named=True)
        assert {c: row[c] for c in values} == values
        assert ex.accounting().collect().row(0) == (2, 2, 0)


@pytest.mark.parametrize("record_type", ["SENR", "SINF", "SPRG", "SELA"])
@pytest.mark.parametrize("extra", [0, 1])
def test_an_ods_record_type_with_a_submission_field_count_is_read_as_submitted(
    tmp_path: Path, record_type: str, extra: int
) -> None:
    """``-R`` lines of MIN or MIN + 1 fields cannot hold the two ODS fields: submission layout."""
    # arrange: SENR-R ... with the fewest fields a submission line may have (and one more)
    values = _RECORDS[record_type]
    fields = record_line(record_type, values).split("^")
    n = min(MIN_FIELDS[record_type] + extra, len(fields))
    line = "^".join([f"{record_type}-R", *fields[1:n]])
    # a second, full-width ODS line keeps the file's counts apart (the CSV reader's case)
    full = record_line(record_type, values, ods=True)
    path = write_extract(tmp_path / "in" / "x.txt", [line, full])
    # act
    for ex in _both_paths(path, tmp_path / "store"):
        # assert
        assert ex.findings.collect().height == 0
        table = ex.table(record_type.lower()).collect()
        assert table["source_line"].to_list() == [1, 2]
        assert table["ssid"].to_list() == ["1234567890"] * 2


def test_an_older_ods_file_keeps_its_upload_dates_out_of_the_layout_fields(
    tmp_path: Path,
) -> None:
    """SENR-R lines of 33 SENR fields + 2: fields 34 and 35 are UploadDate, LastDateUpdated."""
    # arrange: every line 35 fields (one count: the CSV reader's case)
    fields = senr_line(ssid="1234567890", enrollment_start_date=dt.date(2014, 8, 20)).split("^")
    line = "^".join(["SENR-R", *fields[1:33], "20180920", "20180921"])
    path = write_extract(tmp_path / "in" / "senr.txt", [line, line])
    # act
    for ex in _both_paths(path, tmp_path / "store"):
        senr = ex.senr.collect()
        # assert: read as the 33-field layout; the fields after it stay empty
        assert ex.findings.collect().height == 0
        assert senr["ssid"].to_list() == ["1234567890"] * 2
        assert senr["postsecondary_transition_status_indicator"].to_list() == [None, None]
        assert senr["graduation_exemption_indicator"].to_list() == [None, None]


@pytest.mark.parametrize(
    ("record_type", "n", "allowed"),
    [
        ("SENR", 40, "33 to 39 or 41"),
        ("SENR", 42, "33 to 39 or 41"),
        ("SENR-R", 42, "33 to 41"),
        ("SENR-R", 32, "33 to 41"),
        ("SELA", 16, "15 or 17"),
        ("SELA-R", 16, "15 or 17"),
        ("SPRG", 27, "25, 26 or 28"),
        ("SPRG-R", 29, "25 to 28"),
    ],
)
def test_a_field_count_no_layout_allows_states_the_count_and_the_allowed_ones(
    tmp_path: Path, record_type: str, n: int, allowed: str
) -> None:
    """EXTR0004: the message states the count on the line and the counts allowed."""
    # arrange: a good line, then one of n fields
    base = record_type.removesuffix("-R")
    good = record_line(base, _RECORDS[base])
    line = "^".join([record_type, *["X"] * (n - 1)])
    path = write_extract(tmp_path / "in" / "x.txt", [good, line])
    # act
    for ex in _both_paths(path, tmp_path / "store"):
        found = ex.findings.collect()
        # assert
        assert found.select("rule", "line").rows() == [("EXTR0004", 2)]
        assert f"{record_type} line has {n} fields" in found["message"][0]
        assert f"may have {allowed} (" in found["message"][0]
        assert ex.table(base.lower()).collect()["source_line"].to_list() == [1]


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


# ---------------------------------------------------------------------------------
# Single-type files are split by Polars' CSV reader (acgr.read.extracts._parse_file); the
# results must equal those of the general line-splitting path.
# ---------------------------------------------------------------------------------
#: Field values that exercise the reader: padding of every kind, empty and blank
#: fields, good and bad dates, codes, a non-ASCII name, control bytes.
_FIELD_VALUES = (
    "",
    " ",
    "10",
    " 10 ",
    "\t09",
    "09\u00a0",
    "20140820",
    " 20150610\t",
    "2014082",
    "20140231",
    "1234567890",
    "E230",
    "Y",
    "Zoë",
    "Mary Ann ",
    # bytes that spoil a line (EXTR0006) and a lone CR, which does not
    "12345\x0067890",
    "\x1b",
    "Y\x1f",
    "a\rb",
    "\x0b09\x0c",
)


_SPOILING = {chr(b) for b in [*range(0x00, 0x09), *range(0x0E, 0x20)]}


def _padded(value: str) -> bool:
    return value != value.strip(PADDING)


#: The values no reader rejects, and those of them no strip would change.
_CLEAN_VALUES = tuple(v for v in _FIELD_VALUES if not _SPOILING & set(v))
_TIDY_VALUES = tuple(v for v in _CLEAN_VALUES if not _padded(v))


@st.composite
def _single_type_lines(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A record type and lines of it, field counts mostly allowed, sometimes not."""
    record_type = draw(
        st.sampled_from(["SENR", "SENR-R", "SINF", "SINF-R", "SPRG", "SPRG-R", "SELA", "SELA-R"])
    )
    layout = LAYOUTS[record_type.removesuffix("-R")]
    n = len(layout.fields)
    # Either layout's full width under either suffix, and every count around them
    # (docs/formats.md: the layout is told by the count, never by the suffix alone).
    count = st.one_of(
        st.sampled_from([n, n + 2]), st.integers(MIN_FIELDS[layout.record_type] - 2, n + 4)
    )
    # Often one count and no control byte, as in a usual extract (one regex pass),
    # with or without padding (read as is only without).
    values = draw(st.sampled_from([_FIELD_VALUES, _CLEAN_VALUES, _TIDY_VALUES]))
    counts = draw(st.lists(count, min_size=1, max_size=6))
    lines = []
    for n in [counts[0]] * len(counts) if draw(st.booleans()) else counts:
        fields = draw(st.lists(st.sampled_from(values), min_size=n - 1, max_size=n - 1))
        lines.append("^".join([record_type, *fields]))
    return record_type, lines


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    typed=_single_type_lines(),
    stray=st.sampled_from(["", "   ", "SINF^x", "senr^1"]) | st.none(),
    crlf=st.booleans(),
    final_newline=st.booleans(),
    encoding=st.sampled_from(["utf-8", "cp1252"]),
)
def test_single_type_files_read_by_the_csv_reader_equal_the_line_path(
    tmp_path_factory: pytest.TempPathFactory,
    typed: tuple[str, list[str]],
    stray: str | None,
    crlf: bool,
    final_newline: bool,
    encoding: str,
) -> None:
    """EXTR0004/FRMT0002 and every field: same tables, findings and counts either way."""
    # arrange: one file of one record type (or spoiled by a stray line), written
    # with either line ending and encoding, with or without a final newline
    _, lines = typed
    if stray is not None:
        lines = [*lines, stray]
    folder = tmp_path_factory.mktemp("in")
    end = "\r\n" if crlf else "\n"
    text = end.join(lines) + (end if final_newline else "")
    (folder / "extract.txt").write_bytes(text.encode(encoding))
    # act: with the line store (single-type files go to the CSV reader) and without
    stored = read_inputs(folder, line_store=folder.parent / f"{folder.name}-store")
    plain = read_inputs(folder)
    # assert
    for table in TABLES:
        assert_frame_equal(
            stored.table(table).collect().sort("source_line"),
            plain.table(table).collect().sort("source_line"),
        )
    assert_frame_equal(
        stored.findings.collect().sort("line", "rule"),
        plain.findings.collect().sort("line", "rule"),
    )
    assert_frame_equal(stored.accounting().collect(), plain.accounting().collect())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=_single_type_lines(), crlf=st.booleans())
def test_regular_files_take_the_one_regex_pass_with_the_line_checks_result(
    tmp_path_factory: pytest.TempPathFactory, typed: tuple[str, list[str]], crlf: bool
) -> None:
    """A file whose lines all match its first (type, field count, no control byte) skips
    the per-line counts; what it gets is what the full line check would give it."""
    # arrange
    record_type, lines = typed
    path = tmp_path_factory.mktemp("in") / "x.txt"
    path.write_bytes(("\r\n" if crlf else "\n").join(lines).encode("utf-8"))
    candidates = _single_type_candidates([path])
    # act
    regular = _regular_files(candidates)
    row = _line_check(path, 0, record_type).collect().row(0, named=True)
    # assert: regular exactly when every line is like the first
    expected = all(
        line.count("^") == lines[0].count("^") and not _SPOILING & set(line) for line in lines
    )
    assert (path in regular) is expected
    if expected:
        fast, full = regular[path], _single_type_file(path, record_type, row)
        assert row["ok"]
        assert (fast.record_type, fast.lines, fast.native, fast.usual_count) == (
            full.record_type, full.lines, full.native, full.usual_count,
        )  # fmt: skip
        assert fast.bad_counts.equals(full.bad_counts)
        assert fast.spoiled.equals(full.spoiled)
        # tidy exactly when no field is padded
        assert fast.tidy is not any(_padded(f) for line in lines for f in line.split("^"))


@pytest.mark.parametrize(
    ("lines", "native"),
    [
        (["SENR^1", "SENR^2"], True),
        # ODS: 39 SENR fields and two more, then one line 4 fields short
        (["SENR-R" + "^" * 40, "SENR-R" + "^" * 40], True),
        (["SENR-R" + "^" * 40, "SENR-R" + "^" * 36], False),
        # every line one count, the ODS dates among the first 39 columns: still split
        (["SENR-R" + "^" * 36, "SENR-R" + "^" * 36], True),
        # plain SENR with the two ODS fields, and older lines: the first 39 are layout fields
        (["SENR" + "^" * 40, "SENR" + "^" * 32, "SENR" + "^" * 38], True),
        # a line spoiled by a control byte is left out, whatever it begins with
        (["SENR^1", "x\x00y", "SENR^2"], True),
    ],
)
def test_which_single_type_files_the_csv_reader_splits(
    tmp_path: Path, lines: list[str], native: bool
) -> None:
    """ODS lines short of full width keep their last two fields in varying places."""
    # arrange
    path = write_extract(tmp_path / "x.txt", lines)
    # act
    found = _single_type_files([path])
    # assert
    assert found[path].native is native
    assert found[path].lines == len(lines)


def test_the_csv_reader_reports_each_bad_lines_real_field_count(tmp_path: Path) -> None:
    """EXTR0004 on the CSV reader's path: counts come from the text, per line."""
    # arrange: good lines around a short one and a long one with empty surplus fields
    good = senr_line(ssid="1234567890", enrollment_start_date=dt.date(2014, 8, 20))
    fields = good.split("^")
    short = "^".join(fields[:30])
    long = "^".join([*fields, "", "", ""])
    path = write_extract(tmp_path / "in" / "senr.txt", [good, short, good, long])
    # act
    ex = read_inputs(path, line_store=tmp_path / "store")
    found = ex.findings.collect().sort("line")
    # assert
    assert _single_type_files([path])[path].bad_counts["source_line"].to_list() == [2, 4]
    assert ex.senr.collect()["source_line"].to_list() == [1, 3]
    assert found["line"].to_list() == [2, 4]
    assert "has 30 fields" in found["message"][0]
    assert f"has {len(fields) + 3} fields" in found["message"][1]


# ---------------------------------------------------------------------------------
# One bad byte spoils its line, never its file (docs/formats.md; EXTR0006).
# ---------------------------------------------------------------------------------
def _lines_of(*ssids: str) -> list[str]:
    return [senr_line(ssid=s, enrollment_start_date=dt.date(2014, 8, 20)) for s in ssids]


def _with_field(line: str, index: int, value: str) -> str:
    fields = line.split("^")
    fields[index] = value
    return "^".join(fields)


@pytest.mark.parametrize("byte", ["\x00", "\x1b", "\x1f", "\x08"])
def test_a_control_byte_spoils_its_line_and_the_other_lines_are_read(
    tmp_path: Path, byte: str
) -> None:
    """EXTR0006 on both reading paths; the field is named, its content never echoed."""
    # arrange: the SSID of line 2 holds a control byte (field 8), line 4 ends with one
    lines = _lines_of("1234567801", "1234567802", "1234567803", "1234567804", "1234567805")
    lines[1] = _with_field(lines[1], 7, f"12345{byte}67802")
    lines[3] = lines[3] + byte
    path = write_extract(tmp_path / "in" / "senr.txt", lines)
    # act
    for ex in _both_paths(path, tmp_path / "store"):
        senr = ex.senr.collect()
        found = ex.findings.collect()
        # assert: the three good lines are read, whole
        assert senr["ssid"].to_list() == ["1234567801", "1234567803", "1234567805"]
        assert found.select("rule", "severity", "line", "record_type", "ssid").rows() == [
            ("EXTR0006", "fatal", 2, "SENR", None),
            ("EXTR0006", "fatal", 4, "SENR", None),
        ]
        assert " at field 8; line not used" in found["message"][0]
        assert " at field 39; line not used" in found["message"][1]
        assert not found["message"].str.contains("12345").any()
        assert ex.accounting().collect().row(0) == (5, 3, 2)


def test_the_control_byte_is_named_in_the_finding(tmp_path: Path) -> None:
    # arrange
    lines = _lines_of("1234567801", "1234567802")
    lines[1] = _with_field(lines[1], 9, "Zo\x00e")
    path = write_extract(tmp_path / "in" / "senr.txt", lines)
    # act
    message = read_inputs(path).findings.collect()["message"].to_list()
    # assert
    assert message == ["line holds a control character (NUL, byte 0x00) at field 10; line not used"]


def test_a_nul_in_the_first_line_no_longer_makes_the_file_binary(tmp_path: Path) -> None:
    """Named or found in a folder, a file with a NUL byte is read, save that line."""
    # arrange: a NUL at the very start of the file, another in line 3
    lines = _lines_of("1234567801", "1234567802", "1234567803")
    lines[0] = "\x00" + lines[0]
    lines[2] = _with_field(lines[2], 10, "\x00")
    path = write_extract(tmp_path / "in" / "senr.txt", lines)
    # act: the file named, and the folder holding it
    for ex in (read_inputs(path), read_inputs(path.parent, line_store=tmp_path / "store")):
        # assert: line 1 is not of a known type, so its finding has none
        assert ex.senr.collect()["source_line"].to_list() == [2]
        assert ex.findings.collect().select("rule", "line", "record_type").rows() == [
            ("EXTR0006", 1, ""),
            ("EXTR0006", 3, "SENR"),
        ]


def test_a_binary_file_is_still_refused_named_and_skipped_in_a_folder(tmp_path: Path) -> None:
    # arrange: a binary file (NULs, no caret record) beside an extract
    folder = tmp_path / "in"
    write_extract(folder / "senr.txt", _lines_of("1234567801"))
    (folder / "image.bin").write_bytes(bytes(range(256)) * 8)
    # act / assert: named, it ends the read with one line naming the file
    with pytest.raises(ExtractError, match=r"image\.bin: line 1: .*binary"):
        read_inputs(folder / "image.bin")
    # act / assert: in a folder, it is skipped and said so
    found = read_inputs(folder).findings.collect()
    assert found.select("rule", "file").rows() == [("EXTR0005", str(folder / "image.bin"))]


def test_invalid_utf8_rejects_no_line_by_itself(tmp_path: Path) -> None:
    """cp1252 bytes in a name are read (lossily); in a date they fail that date's check."""
    # arrange: a cp1252 name on line 1, a cp1252 byte inside the start date of line 2
    lines = _lines_of("1234567801", "1234567802")
    text = "\n".join([_with_field(lines[0], 9, "Zoë"), _with_field(lines[1], 21, "2014é820")])
    path = tmp_path / "in" / "senr.txt"
    path.parent.mkdir()
    path.write_bytes((text + "\n").encode("cp1252"))
    # act
    for ex in _both_paths(path, tmp_path / "store"):
        # assert
        assert ex.senr.collect()["ssid"].to_list() == ["1234567801"]
        found = ex.findings.collect()
        assert found.select("rule", "line", "ssid").rows() == [("FRMT0002", 2, "1234567802")]
        assert found["message"][0].endswith(": EnrollmentSchoolStartDate; record not used")


def test_polars_keeps_a_lone_cr_and_a_nul_inside_their_line(tmp_path: Path) -> None:
    """What both reading paths rely on: lines end at LF (a CR before it dropped); a lone
    CR, a NUL and a unit separator (0x1F) are bytes of the line, on either Polars reader."""
    # arrange: a lone CR in a code (line 1), a NUL (line 2), 0x1F (line 3), CRLF ends
    lines = _lines_of("1234567801", "1234567802", "1234567803", "1234567804")
    for i, byte in enumerate(["\r", "\x00", "\x1f"]):
        lines[i] = _with_field(lines[i], 8, f"L{byte}{i}")
    path = write_extract(tmp_path / "in" / "senr.txt", lines, crlf=True)
    # act: the line reader of the general path, and the CSV reader of single-type
    # files told of no spoiled line, so that it splits every line
    text = _raw_lines(path).collect()
    single = _single_type_files([path])[path]
    unfiltered = replace(single, spoiled=single.spoiled.clear())
    fields = _parse_file(path, unfiltered, with_pii=False).collect()
    # assert: four lines, each whole, on both
    assert text["text"].to_list() == lines
    assert fields["source_line"].to_list() == [1, 2, 3, 4]
    assert fields["local_student_id"].to_list() == ["L\r0", "L\x001", "L\x1f2", None]
    assert fields["ssid"].to_list() == ["1234567801", "1234567802", "1234567803", "1234567804"]
    # and the reader proper splits the CR line and leaves the spoiled ones out
    assert (single.lines, single.native) == (4, True)
    assert single.spoiled["source_line"].to_list() == [2, 3]
    assert _parse_file(path, single, with_pii=False).collect()["source_line"].to_list() == [1, 4]


def test_a_lone_cr_neither_ends_a_line_nor_spoils_it(tmp_path: Path) -> None:
    """CR is no line end of its own: the line is read on both paths, its fields in place."""
    # arrange: a lone CR inside the local student id (field 9), LF line ends
    lines = _lines_of("1234567801", "1234567802")
    lines[0] = _with_field(lines[0], 8, "L\r1")
    path = write_extract(tmp_path / "in" / "senr.txt", lines)
    # act
    for ex in _both_paths(path, tmp_path / "store"):
        senr = ex.senr.collect()
        # assert
        assert ex.findings.collect().height == 0
        assert senr["source_line"].to_list() == [1, 2]
        assert senr["local_student_id"].to_list() == ["L\r1", None]
        assert senr["enrollment_start_date"].to_list() == [dt.date(2014, 8, 20)] * 2


#: C0 control bytes the reader rejects (all but TAB, LF, VT, FF, CR).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20)])


@st.composite
def _spoiled_extract(draw: st.DrawFn) -> tuple[list[bytes], int, bytes]:
    """A valid SENR extract (submission or ODS lines), a line index and that line's
    replacement: random bytes, or the line with a control byte put in anywhere.

    Random bytes may hold CR: Polars ends lines at LF only (a lone CR stays in its
    line, see test_polars_keeps_a_lone_cr_and_a_nul_inside_their_line), so a CR
    cannot split the replaced line; only LF is left out.
    """
    rows = draw(senr_histories(max_students=4))
    lines = [senr_line(**row) for row in rows]
    if draw(st.booleans()):  # the ODS layout: -R, and the two trailing dates
        lines = ["SENR-R" + line.removeprefix("SENR") + "^20180920^20180921" for line in lines]
    if len(lines) == 1:
        lines.append(lines[0])
    index = draw(st.integers(0, len(lines) - 1))
    original = lines[index].encode()
    at = draw(st.integers(0, len(original)))
    byte = draw(st.sampled_from(list(_CONTROL_BYTES)))
    replacement = draw(
        st.one_of(
            st.binary(max_size=120).map(lambda b: b.replace(b"\n", b"")),
            st.just(original[:at] + bytes([byte]) + original[at:]),
        )
    )
    return [line.encode() for line in lines], index, replacement


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=_spoiled_extract())
def test_a_line_of_random_bytes_spoils_that_line_only(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[list[bytes], int, bytes]
) -> None:
    """Any one line replaced: every other line gives the same record, and that line a finding."""
    # arrange: the valid extract, and the same with one line replaced
    lines, index, replacement = case
    spoiled = [*lines[:index], replacement, *lines[index + 1 :]]
    root = tmp_path_factory.mktemp("extract")
    for name, content in (("valid", lines), ("spoiled", spoiled)):
        (root / name).mkdir()
        (root / name / "senr.txt").write_bytes(b"".join(line + b"\n" for line in content))
    line_no = index + 1
    # act / assert, with a line store (the CSV reader's path when it can) and without
    for store in (True, False):

        def read(name: str, store: bool = store) -> Extracts:
            return read_inputs(root / name, line_store=root / f"{name}-store" if store else None)

        valid, damaged = read("valid"), read("spoiled")
        for table in TABLES:
            expected = valid.table(table).collect().filter(pl.col("source_line") != line_no)
            got = damaged.table(table).collect()
            assert_frame_equal(got.drop("source_file"), expected.drop("source_file"))
        found = damaged.findings.collect()
        assert found.filter(pl.col("line") == line_no).height >= 1
        assert found.filter(pl.col("line") != line_no).height == 0
        assert valid.findings.collect().height == 0
        read_, parsed, rejected = damaged.accounting().collect().row(0)
        assert read_ == len(lines) == parsed + rejected


# ---------------------------------------------------------------------------------
# Files beside the extracts in a folder (EXTR0005)
# ---------------------------------------------------------------------------------
#: Files a CALPADS download folder holds besides the extracts, and what the
#: reader must say each looks like.
_SIDE_FILES: dict[str, tuple[bytes, str]] = {
    "schools.csv": (
        b"cds_code,county_name,district_name,school_name,charter,dass\n"
        b"19647330000000,Los Angeles,LAUSD,A High,N,N\n",
        "a schools directory: pass it with --schools",
    ),
    "pubschls.txt": (
        b"CDSCode\tNCESDist\tNCESSchool\tStatusType\tCounty\tDistrict\tSchool\n"
        b"01100170000000\t0691051\t\tActive\tAlameda\tAlameda COE\t\n",
        "a schools directory: pass it with --schools",
    ),
    "foster.csv": (
        b"ssid,start_date,end_date\n1234567890,2015-01-01,2016-06-30\n",
        "a foster-match table: pass it with --foster",
    ),
    "direct_cert.csv": (
        b"ssid,academic_year\n1234567890,2015-16\n",
        "a direct-certification table: pass it with --direct-cert",
    ),
    "book.xlsx": (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml xl/workbook.xml", "Excel"),
    "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "Excel 97-2003"),
    "sheet.ods": (
        b"PK\x03\x04\x00\x00mimetypeapplication/vnd.oasis.opendocument.spreadsheet",
        "a spreadsheet (OpenDocument)",
    ),
    "README.md": (b"# SENR extracts\n\nDownloaded 2018-09-20.\n", "a document"),
    "guide.pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF document"),
    "other.csv": (b"ssid,score\n1234567890,12\n", "columns do not match any canonical table"),
}


@pytest.mark.parametrize("name", sorted(_SIDE_FILES))
def test_a_side_file_in_a_folder_is_skipped_saying_what_it_looks_like(
    tmp_path: Path, name: str
) -> None:
    """EXTR0005 (warning): the extracts are read; the side file is named with a hint."""
    # arrange
    folder = tmp_path / "in"
    write_extract(folder / "senr.txt", _lines_of("1234567801"))
    content, what = _SIDE_FILES[name]
    (folder / name).write_bytes(content)
    # act
    ex = read_inputs(folder)
    # assert
    assert ex.senr.collect()["ssid"].to_list() == ["1234567801"]
    found = ex.findings.collect()
    assert found.select("rule", "severity", "file", "line").rows() == [
        ("EXTR0005", "warning", str(folder / name), 0)
    ]
    assert what in found["message"][0]
    assert found["message"][0].endswith("; skipped")
    assert ex.sources == [str(folder / "senr.txt")]


@pytest.mark.parametrize("name", sorted(_SIDE_FILES))
def test_a_named_side_file_is_a_one_line_error_saying_what_it_looks_like(
    tmp_path: Path, name: str
) -> None:
    # arrange
    content, what = _SIDE_FILES[name]
    (tmp_path / name).write_bytes(content)
    # act / assert
    with pytest.raises(ExtractError) as raised:
        read_inputs(tmp_path / name)
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / name}: line 1: not a CALPADS extract: ")
    assert what in message
    assert "\n" not in message
    assert "1234567890" not in message


def test_a_folder_of_side_files_only_is_an_error(tmp_path: Path) -> None:
    # arrange
    for name in ("foster.csv", "schools.csv"):
        (tmp_path / name).write_bytes(_SIDE_FILES[name][0])
    # act / assert
    with pytest.raises(ExtractError, match=r"foster\.csv: .*foster-match.*\(no file to read\)"):
        read_inputs(tmp_path)


def test_a_parquet_file_of_no_canonical_table_in_a_folder_is_skipped(tmp_path: Path) -> None:
    """A run's own students.parquet left in the input folder is no extract."""
    # arrange
    write_extract(tmp_path / "senr.txt", _lines_of("1234567801"))
    pl.DataFrame({"ssid": ["1234567801"], "outcome": ["Graduate"]}).write_parquet(
        tmp_path / "students.parquet"
    )
    # act
    found = read_inputs(tmp_path).findings.collect()
    # assert
    assert found.select("rule", "file").rows() == [("EXTR0005", str(tmp_path / "students.parquet"))]
    assert "Parquet table whose columns do not match any canonical table" in found["message"][0]


def test_a_caret_file_whose_first_line_begins_like_parquet_is_read_as_text(
    tmp_path: Path,
) -> None:
    """Parquet has its magic at both ends; a damaged first line is one finding."""
    # arrange
    lines = ["PAR1^x", *_lines_of("1234567801")]
    path = write_extract(tmp_path / "senr.txt", lines)
    # act
    ex = read_inputs(path)
    # assert
    assert ex.senr.collect()["source_line"].to_list() == [2]
    assert ex.findings.collect().select("rule", "line").rows() == [("EXTR0001", 1)]


def test_compute_on_a_folder_with_side_files_skips_them(tmp_path: Path) -> None:
    """``acgr.compute("DIR/")`` over a folder that also holds the usual side files."""
    # arrange: the fixture extract plus a schools file and a foster table
    folder = tmp_path / "in"
    folder.mkdir()
    for f in (FIXTURES / "extract").iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    for name in ("schools.csv", "foster.csv"):
        (folder / name).write_bytes(_SIDE_FILES[name][0])
    # act
    result = acgr.compute(f"{folder}/", class_of=2018)
    plain = acgr.compute(FIXTURES / "extract", class_of=2018)
    # assert: the same students as from the extract alone, two files skipped
    key = ["ssid", "in_cohort", "outcome", "reason", "cds_code"]
    assert result.students.height == plain.students.height > 0
    assert_frame_equal(result.students.select(key), plain.students.select(key))
    skipped = result.findings.filter(pl.col("rule") == "EXTR0005")
    assert sorted(Path(f).name for f in skipped["file"]) == ["foster.csv", "schools.csv"]


# ---------------------------------------------------------------------------------
# Links inside input folders (EXTR0007)
# ---------------------------------------------------------------------------------
def _linked_folder(tmp_path: Path) -> Path:
    """``in/`` with two extracts in subfolders and every kind of link beside them."""
    folder = tmp_path / "in"
    write_extract(folder / "a" / "senr.txt", _lines_of("1234567801", "1234567802"))
    write_extract(folder / "b" / "senr.txt", _lines_of("1234567803"))
    write_extract(tmp_path / "outside" / "senr.txt", _lines_of("1234567804"))
    (folder / "loop").symlink_to("loop")  # a link to itself
    (folder / "broken").symlink_to("nowhere")
    (folder / "self").symlink_to(".")  # back to the folder it sits in
    (folder / "up").symlink_to("..")  # to a folder holding it
    (folder / "a" / "to_b").symlink_to("../b")  # a and b link to each other
    (folder / "b" / "to_a").symlink_to("../a")
    (folder / "z_alias").symlink_to("a")  # a second way to a folder
    (folder / "a_file.txt").symlink_to("a/senr.txt")  # a second way to a file
    (folder / "ext").symlink_to("../outside")  # a folder outside
    (folder / ".#lock").symlink_to("user@host.1234")  # an editor's lock: hidden
    return folder


def test_links_in_a_folder_are_followed_once_and_dead_ones_reported(tmp_path: Path) -> None:
    """EXTR0007 (warning) for each link that leads nowhere; each real file read once."""
    # arrange
    folder = _linked_folder(tmp_path)
    # act
    ex = read_inputs(folder)
    senr = ex.senr.collect()
    found = ex.findings.collect()
    # assert: every student once, from the first path (in name order) to each file
    assert sorted(senr["ssid"]) == ["1234567801", "1234567802", "1234567803", "1234567804"]
    assert ex.sources == [
        str(folder / "a" / "senr.txt"),
        str(folder / "a" / "to_b" / "senr.txt"),
        str(folder / "ext" / "senr.txt"),
    ]
    assert found.select("rule", "severity", "file", "line").rows() == [
        ("EXTR0007", "warning", str(folder / p), 0)
        for p in ("a/to_b/to_a", "broken", "loop", "self", "up")
    ]
    assert set(found["message"]) == {"link leads nowhere (broken, or a loop); skipped"}
    assert ex.accounting().collect().row(0) == (4, 4, 0)


def test_walking_linked_folders_is_deterministic(tmp_path: Path) -> None:
    # arrange
    folder = _linked_folder(tmp_path)
    # act
    first, second = _expand([folder]), _expand([folder])
    # assert
    assert first == second
    assert [f for f, _ in first.files] == sorted(f for f, _ in first.files)
    assert first.dead_links == sorted(first.dead_links)


def test_a_file_named_and_inside_a_named_folder_is_read_once(tmp_path: Path) -> None:
    # arrange
    path = write_extract(tmp_path / "in" / "senr.txt", _lines_of("1234567801"))
    # act
    found = _expand([tmp_path / "in", path, tmp_path / "in"])
    ex = read_inputs([tmp_path / "in", path])
    # assert: once, and named (so it must be readable)
    assert found.files == [(path, True)]
    assert ex.senr.collect().height == 1


def test_a_folder_that_cannot_be_listed_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is dropped silently: an unreadable subfolder is an EXTR0005 warning."""
    # arrange: the subfolder "locked" cannot be listed (as without read permission)
    write_extract(tmp_path / "in" / "senr.txt", _lines_of("1234567801"))
    (tmp_path / "in" / "locked").mkdir()
    iterdir = Path.iterdir

    def refuse(self: Path) -> Iterator[Path]:
        if self.name == "locked":
            raise PermissionError(13, "Permission denied")
        return iterdir(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    # act
    ex = read_inputs(tmp_path / "in")
    # assert
    found = ex.findings.collect()
    assert found.select("rule", "file").rows() == [("EXTR0005", str(tmp_path / "in" / "locked"))]
    assert "cannot be read (Permission denied)" in found["message"][0]
    assert ex.senr.collect().height == 1


def test_a_folder_of_dead_links_only_is_an_error(tmp_path: Path) -> None:
    # arrange
    (tmp_path / "loop").symlink_to("loop")
    # act / assert
    with pytest.raises(ExtractError, match=r"no input files found \(1 link\(s\) lead nowhere\)"):
        read_inputs(tmp_path)


def test_a_file_padded_from_its_first_line_skips_the_no_padding_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A padded first line sends the file straight to the pass that allows padding, so a
    file padded throughout is read in one pass; padding found later costs a second."""
    # arrange
    tidy = write_extract(tmp_path / "tidy.txt", ["SENR^1^2", "SENR^3^4"])
    padded = write_extract(tmp_path / "padded.txt", ["SENR^ 1^2", "SENR^3^4"])
    later = write_extract(tmp_path / "later.txt", ["SENR^1^2", "SENR^3\u00a0^4"])
    asked: list[tuple[list[str], bool]] = []
    real = extracts_module._matching_every_line

    def spy(candidates: Mapping[Path, Any], *, tidy: bool) -> dict[Path, Any]:
        asked.append((sorted(p.name for p in candidates), tidy))
        return real(candidates, tidy=tidy)

    monkeypatch.setattr(extracts_module, "_matching_every_line", spy)
    # act
    found = _regular_files(_single_type_candidates([tidy, padded, later]))
    # assert
    assert asked == [(["later.txt", "tidy.txt"], True), (["later.txt", "padded.txt"], False)]
    assert {p.name: f.tidy for p, f in found.items()} == {
        "tidy.txt": True,
        "padded.txt": False,
        "later.txt": False,
    }
