"""The command line as a user meets it: exit codes, atomic outputs, privacy, bad input."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from acgr.cli import app
from acgr.testing import senr_line, write_extract

D = dt.date
runner = CliRunner()

#: Identifiers planted in the bad-input extract; none may ever be printed.
SECRET_SSIDS = ("7000000001", "7000000002", "7000000003")
SECRET_NAMES = ("Zyxwquorth", "Qavlinder")
SECRET_BIRTH = "20010417"


def _extract(tmp_path: Path) -> Path:
    """A small extract with good records and every kind of bad record."""
    good = [
        senr_line(
            ssid=SECRET_SSIDS[0],
            enrollment_start_date=D(2014, 8, 15),
            student_legal_first_name=SECRET_NAMES[0],
            student_birth_date=SECRET_BIRTH,
            enrollment_exit_date=D(2018, 6, 8),
            student_exit_reason_code="E230",
            student_school_completion_status="100",
        ),
        senr_line(
            ssid=SECRET_SSIDS[1],
            enrollment_start_date=D(2014, 8, 15),
            student_legal_last_name=SECRET_NAMES[1],
            enrollment_exit_date=D(2016, 1, 5),
            student_exit_reason_code="T160",
        ),
    ]
    bad = [
        senr_line(
            ssid=SECRET_SSIDS[2],
            enrollment_start_date=D(2014, 8, 15),
            enrollment_exit_date=D(2017, 6, 1),
            student_exit_reason_code="E230",
            student_school_completion_status="104",
        ),  # R3.4.1
        senr_line(ssid=SECRET_SSIDS[2], enrollment_start_date="20180231"),  # FRMT0002
        "SENR^^" + SECRET_SSIDS[2],  # EXTR0004
        "BOGUS^" + SECRET_SSIDS[0],  # EXTR0001
    ]
    return write_extract(tmp_path / "in" / "senr.txt", good + bad)


def test_run_writes_five_outputs_and_exits_0(tmp_path: Path) -> None:
    src = _extract(tmp_path)
    res = runner.invoke(app, ["run", str(src), "--class-of", "2018", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "acgr.txt",
        "findings.csv",
        "students.csv",
        "students.parquet",
        "summary.txt",
    ]
    students = pl.read_parquet(tmp_path / "o" / "students.parquet")
    assert set(students["ssid"]) == {SECRET_SSIDS[0], SECRET_SSIDS[1]}


def test_strict_exits_2_on_fatal_findings(tmp_path: Path) -> None:
    src = _extract(tmp_path)
    res = runner.invoke(
        app, ["run", str(src), "--class-of", "2018", "--out", str(tmp_path / "o"), "--strict"]
    )
    assert res.exit_code == 2


def test_validate_exits_1_with_fatal_and_0_without(tmp_path: Path) -> None:
    src = _extract(tmp_path)
    assert runner.invoke(app, ["validate", str(src)]).exit_code == 1
    clean = write_extract(
        tmp_path / "clean.txt", [senr_line(ssid="1234567890", enrollment_start_date=D(2014, 8, 15))]
    )
    assert runner.invoke(app, ["validate", str(clean)]).exit_code == 0


def test_validate_line_accounting_balances(tmp_path: Path) -> None:
    src = _extract(tmp_path)
    res = runner.invoke(app, ["validate", str(src), "--out", str(tmp_path / "v")])
    m = re.search(r"lines read (\d+) = records used (\d+) \+ lines rejected (\d+)", res.output)
    assert m, res.output
    read, used, rejected = map(int, m.groups())
    assert (read, used, rejected) == (6, 3, 3)
    assert "balanced: yes" in (tmp_path / "v" / "summary.txt").read_text()


def test_nothing_printed_carries_an_identifier(tmp_path: Path) -> None:
    src = _extract(tmp_path)
    outputs = [
        runner.invoke(app, ["run", str(src), "--class-of", "2018", "--out", str(tmp_path / "o")]),
        runner.invoke(app, ["validate", str(src), "--class-of", "2018"]),
        runner.invoke(app, ["validate", str(src), "--out", str(tmp_path / "v")]),
    ]
    printed = "".join(r.output for r in outputs)
    printed += (tmp_path / "v" / "summary.txt").read_text()
    for secret in (*SECRET_SSIDS, *SECRET_NAMES, SECRET_BIRTH):
        assert secret not in printed
    # and the confidential files do carry them, so the scan above could fail
    assert SECRET_SSIDS[2] in (tmp_path / "o" / "findings.csv").read_text()


def test_unreadable_input_is_one_line_error_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b,c\n1,2,3\n")
    res = runner.invoke(
        app, ["run", str(tmp_path / "x.csv"), "--class-of", "2018", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2
    assert "x.csv: line 1:" in res.output
    assert "Traceback" not in res.output


def test_failed_run_keeps_previous_outputs(tmp_path: Path) -> None:
    src = _extract(tmp_path)
    out = tmp_path / "o"
    assert (
        runner.invoke(app, ["run", str(src), "--class-of", "2018", "--out", str(out)]).exit_code
        == 0
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01\x02" * 100)
    res = runner.invoke(
        app, ["run", str(tmp_path / "bin.dat"), "--class-of", "2018", "--out", str(out)]
    )
    assert res.exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize(
    "content",
    [
        b"",  # empty
        b"\x00\xff\xfe binary",  # binary
        b"a,b,c\n1,2,3\n",  # CSV where caret is expected
        b"a\tb\n1\t2\n",  # tab file
        ("SENR^" + "x" * 1_000_000 + "\n").encode(),  # a line of a megabyte
        b"SENR^A^1^1964733^1930000^^2014-2015^123",  # truncated last line
        b"SENR^A^1\n" * 3,  # wrong field counts
        senr_line(ssid="1", enrollment_start_date="20180231").encode(),  # impossible date
        senr_line(ssid="1", student_legal_first_name="J\xe9r\xf4me").encode("cp1252"),
        b"SQRL^1^2^3\n",  # unknown record type
        b"\xef\xbb\xbf"
        + senr_line(ssid="1", enrollment_start_date=D(2015, 1, 1)).encode()
        + b"\r\n",  # BOM and CRLF
    ],
)
def test_bad_input_never_ends_in_a_traceback(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "in.txt"
    f.write_bytes(content)
    for args in (
        ["validate", str(f)],
        ["run", str(f), "--class-of", "2018", "--out", str(tmp_path / "o")],
    ):
        res = runner.invoke(app, args)
        assert res.exit_code in (0, 1, 2), res.output
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception


_GOOD = senr_line(
    ssid="5550000001",
    enrollment_start_date=D(2014, 8, 15),
    enrollment_exit_date=D(2018, 6, 8),
    student_exit_reason_code="E230",
    student_school_completion_status="100",
)


@st.composite
def mutated_lines(draw: st.DrawFn) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        base = draw(st.sampled_from([_GOOD, "SINF^A^1", "SELA-R^x", ""]))
        kind = draw(st.sampled_from(["keep", "cut", "insert", "replace", "random"]))
        if kind == "cut":
            base = base[: draw(st.integers(0, len(base)))]
        elif kind == "insert":
            i = draw(st.integers(0, len(base)))
            base = base[:i] + draw(st.text(max_size=8)) + base[i:]
        elif kind == "replace":
            fields = base.split("^")
            i = draw(st.integers(0, len(fields) - 1))
            fields[i] = draw(st.text(alphabet="0123456789ETN^-/ ", max_size=10))
            base = "^".join(fields)
        elif kind == "random":
            base = draw(st.text(max_size=60))
        lines.append(base.replace("\n", " ").replace("\r", " "))
    return lines


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(mutated_lines())
def test_fuzzed_extracts_exit_cleanly_and_lines_balance(tmp_path: Path, lines: list[str]) -> None:
    f = tmp_path / "fuzz.txt"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="replace")
    res = runner.invoke(app, ["validate", str(f)])
    assert res.exit_code in (0, 1, 2), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    assert "5550000001" not in res.output
    m = re.search(r"lines read (\d+) = records used (\d+) \+ lines rejected (\d+)", res.output)
    if res.exit_code != 2:
        assert m, res.output
        read, used, rejected = map(int, m.groups())
        assert read == used + rejected


def test_non_extract_files_in_a_folder_are_skipped_with_a_finding(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    src = _extract(tmp_path)  # writes in/senr.txt
    assert src.parent == folder
    (folder / "schools.csv").write_text("cds_code,county_name\n19647330000000,Los Angeles\n")
    (folder / "foster.csv").write_text("ssid,start_date,end_date\n7000000001,20150101,\n")
    (folder / "dc.csv").write_text("ssid,academic_year\n7000000001,2015-16\n")
    (folder / "book.xlsx").write_bytes(b"PK\x03\x04\x00\x00binary")
    res = runner.invoke(
        app, ["run", str(folder), "--class-of", "2018", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 0, res.output
    findings = pl.read_csv(tmp_path / "o" / "findings.csv")
    skipped = findings.filter(pl.col("rule") == "EXTR0005").sort("file")
    assert [Path(f).name for f in skipped["file"]] == [
        "book.xlsx",
        "dc.csv",
        "foster.csv",
        "schools.csv",
    ]
    hints = ["a spreadsheet", "--direct-cert", "--foster", "--schools"]
    assert all(h in m for h, m in zip(hints, skipped["message"], strict=True))
    assert set(skipped["severity"]) == {"warning"}
    # a file named on the command line must be readable: that stays an error
    named = runner.invoke(
        app, ["run", str(folder / "book.xlsx"), "--class-of", "2018", "--out", str(tmp_path / "o2")]
    )
    assert named.exit_code == 2
    foster = runner.invoke(
        app,
        ["run", str(folder / "foster.csv"), "--class-of", "2018", "--out", str(tmp_path / "o3")],
    )
    assert foster.exit_code == 2
    assert "foster.csv: line 1: not a CALPADS extract: a foster-match table" in foster.output
    assert "7000000001" not in foster.output


@pytest.mark.parametrize("named", [True, False])
def test_a_nul_byte_spoils_its_line_not_the_run(tmp_path: Path, named: bool) -> None:
    """EXTR0006: a NUL in one line (here in a name) no longer ends or empties the run."""
    # arrange: the two good students of the bad-input extract, then a line with a NUL
    src = _extract(tmp_path)
    text = src.read_bytes().splitlines(keepends=True)
    spoiled = text[0].replace(SECRET_NAMES[0].encode(), b"Zyx\x00quorth")
    src.write_bytes(b"".join([*text[:2], spoiled]))
    # act
    target = src if named else src.parent
    res = runner.invoke(
        app, ["run", str(target), "--class-of", "2018", "--out", str(tmp_path / "o")]
    )
    # assert: both students read; the NUL line is one fatal finding, no name printed
    assert res.exit_code == 0, res.output
    students = pl.read_parquet(tmp_path / "o" / "students.parquet")
    assert set(students["ssid"]) == {SECRET_SSIDS[0], SECRET_SSIDS[1]}
    findings = pl.read_csv(tmp_path / "o" / "findings.csv", schema_overrides={"ssid": pl.String})
    row = findings.filter(pl.col("rule") == "EXTR0006").select("severity", "line").rows()
    assert row == [("fatal", 3)]
    assert "quorth" not in res.output
    assert not findings["message"].str.contains("quorth").any()


def test_a_link_loop_and_a_broken_link_in_the_folder_are_warnings(tmp_path: Path) -> None:
    """EXTR0007: `ln -s loop DIR/loop` and a dangling link are said, not silently passed."""
    # arrange
    folder = _extract(tmp_path).parent
    (folder / "loop").symlink_to("loop")
    (folder / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    # act
    res = runner.invoke(
        app, ["run", str(folder), "--class-of", "2018", "--out", str(tmp_path / "o")]
    )
    # assert
    assert res.exit_code == 0, res.output
    findings = pl.read_csv(tmp_path / "o" / "findings.csv")
    links = findings.filter(pl.col("rule") == "EXTR0007").sort("file")
    assert links.select("severity", "file").rows() == [
        ("warning", str(folder / "gone.txt")),
        ("warning", str(folder / "loop")),
    ]
