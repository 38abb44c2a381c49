"""``acgr report`` on an ``acgr lcff`` folder (R10.5) and on an ``acgr da`` folder (R11).

LCFF, 2024-25 (Census Day 2 October 2024), LEA 1964733: school 0000002 (a district
school) has students 5901000001 (FRPM, SPRG 181) and 5901000002 (ELAS TBD: not EL, a
finding that could make the UPC 2); charter school 0000003 has 5901000003 (EL). So the
district's UPC is 1 of 2 (UPP 50.0 %, 2 if resolved) and the charter's 1 of 1.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from acgr.cli import app
from acgr.testing import record_line, write_extract
from acgr.tools.report.pages import folder_kind
from tests.helpers import LEA, ROOT, rec

runner = CliRunner()
START = dt.date(2024, 8, 20)
SSIDS = ("5901000001", "5901000002", "5901000003")


def _line(kind: str, ssid: str, school: str, **fields: object) -> str:
    return record_line(kind, {"ssid": ssid, "reporting_lea": LEA, "school_of_attendance": school,
                              **fields})  # fmt: skip


def _lcff_folder(tmp_path: Path) -> Path:
    ex = tmp_path / "ex"
    write_extract(ex / "senr.txt", [
        rec(SSIDS[0], START, "03", school="0000002"),
        rec(SSIDS[1], START, "04", school="0000002"),
        rec(SSIDS[2], START, "05", school="0000003"),
    ])  # fmt: skip
    write_extract(ex / "sprg.txt", [_line(
        "SPRG", SSIDS[0], "0000002", education_program_code="181",
        education_program_membership_start_date=START)])  # fmt: skip
    write_extract(ex / "sela.txt", [
        _line("SELA", SSIDS[1], "0000002", english_acquisition_status_code="TBD",
              english_acquisition_status_start_date=START),
        _line("SELA", SSIDS[2], "0000003", english_acquisition_status_code="EL",
              english_acquisition_status_start_date=START),
    ])  # fmt: skip
    schools = tmp_path / "schools.csv"
    schools.write_text(
        "cds_code,county_name,district_name,school_name,charter,dass\n"
        f"{LEA}0000002,Los Angeles,Plain Unified,Plain Elementary,N,N\n"
        f"{LEA}0000003,Los Angeles,Plain Unified,Bright Charter,Y,N\n",
        encoding="utf-8",
    )
    out = tmp_path / "lcff"
    res = runner.invoke(app, ["lcff", str(ex), "--year", "2024-25", "--out", str(out),
                              "--schools", str(schools)])  # fmt: skip
    assert res.exit_code == 0, res.output
    return out


def _cells(html: str, row_id: str) -> list[str]:
    """The cell texts of the table row holding ``row_id``."""
    row = next(r for r in html.split("<tr") if row_id in r)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_r10_5_report_of_an_lcff_folder_writes_index_and_lea_pages(tmp_path: Path) -> None:
    out = _lcff_folder(tmp_path)
    # The pages never need the confidential student list.
    (out / "upc_students.parquet").unlink()
    assert folder_kind(out) == "lcff"
    res = runner.invoke(app, ["report", str(out)])
    assert res.exit_code == 0, res.output
    assert "3 pages written" in res.output
    names = sorted(p.name for p in (out / "report").iterdir())
    assert names == ["lcff_1964733.html", f"lcff_{LEA}0000003.html", "lcff_index.html"]
    index = (out / "report" / "lcff_index.html").read_text(encoding="utf-8")
    # LEA table: name, code, charter, ten counts (Total, FRPM, ..., EL, UPC), UPP.
    assert _cells(index, 'href="lcff_1964733.html"') == [
        "Plain Unified", "1964733", "No", "2", "1", "0", "0", "0", "0", "0", "1", "0", "1",
        "50.0",
    ]  # fmt: skip
    assert _cells(index, f'href="lcff_{LEA}0000003.html"')[-3:] == ["1", "1", "100.0"]
    assert _cells(index, "<td>State</td>")[1] == "3"  # total enrollment of the state
    district = (out / "report" / "lcff_1964733.html").read_text(encoding="utf-8")
    school = _cells(district, f"{LEA}0000002")
    assert school[0] == "Plain Elementary"
    assert school[-3:] == ["1", "50.0", "2"]  # UPC, UPP, UPC if resolved (the TBD student)
    assert "up to\n1 more" in district
    assert "Bright Charter" not in district  # the charter is its own LEA


def test_r10_5_lcff_pages_name_no_student(tmp_path: Path) -> None:
    out = _lcff_folder(tmp_path)
    assert runner.invoke(app, ["report", str(out), "--out", str(tmp_path / "pages")]).exit_code == 0
    for page in (tmp_path / "pages").iterdir():
        text = page.read_text(encoding="utf-8")
        assert not any(s in text for s in SSIDS), page.name
        assert "<script" not in text
        assert "http" not in text  # self-contained: nothing fetched


def test_r11_report_of_a_da_folder_writes_da_html(tmp_path: Path) -> None:
    cert = tmp_path / "cert.csv"
    pl.DataFrame({
        "lea": [LEA] * 6 + ["0110017"] * 6,
        "academic_year": ["2025-26"] * 12,
        "submission": ["Fall 1", "Fall 2", "EOY 1", "EOY 2", "EOY 3", "EOY 4"] * 2,
        "deadline": [""] * 12,
        "certified_on": ["2026-01-10", "2026-03-02", *["2026-07-20"] * 4,
                         "2026-01-10", "2026-02-20", *["2026-07-20"] * 4],
    }).write_csv(cert)  # fmt: skip
    out = tmp_path / "da"
    assert (
        runner.invoke(app, ["da", "--certifications", str(cert), "--out", str(out)]).exit_code == 0
    )
    assert folder_kind(out) == "da"
    res = runner.invoke(app, ["report", str(out)])
    assert res.exit_code == 0, res.output
    page = (out / "report" / "da.html").read_text(encoding="utf-8")
    assert "1 of 2 LEA-years\neligible" in page
    late = _cells(page, f"<td>{LEA}</td>")
    assert late[:4] == [LEA, "2025-26", "district", "yes"]
    assert "Fall 2: deadline 2026-02-27, certified 2026-03-02 (late)" in late
    assert _cells(page, "<td>0110017</td>")[3] == "no"
    # The four blank EOY targets of 2025-26: one finding row, counted 4.
    assert _cells(page, "<td>ACGR0210</td>")[:3] == ["ACGR0210", "warning", "4"]


def test_report_of_an_acgr_run_folder_is_unchanged(tmp_path: Path) -> None:
    assert folder_kind(tmp_path) is None
    res = runner.invoke(app, ["report", str(tmp_path)])
    assert res.exit_code == 2  # no acgr.txt: the ACGR report's own refusal, as before


def test_lcff_and_da_page_templates_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["acgr"]
    folder = ROOT / "acgr" / "tools" / "report" / "page_templates"
    files = sorted(p.relative_to(ROOT / "acgr").as_posix() for p in folder.iterdir())
    assert [Path(f).name for f in files] == [
        "da.html.j2", "lcff.html.j2", "lcff_index.html.j2", "pages.css",
    ]  # fmt: skip
    for f in files:
        assert any(fnmatch(f, g) for g in globs), f"{f} is not in package-data"
