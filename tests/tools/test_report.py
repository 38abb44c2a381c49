"""Per-LEA reports (acgr.tools.report): files, workbook numbers, pages as Chromium renders them.

The run is the bundled class-of-2018 fixture (two LEAs). Expected numbers are
recounted here from ``students.parquet`` with plain Polars and exact fractions,
not with the report's own code. The Chromium part renders each page in headless
Chromium with name resolution disabled (the page must need no network) and reads
the rendered DOM back; it is skipped only when no ``chromium`` binary exists
(CI installs the Debian package ``chromium``).
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from fnmatch import fnmatch
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import polars as pl
import pytest
from typer.testing import CliRunner

from acgr.cli import app
from acgr.pipeline import compute
from acgr.publish.output import write_run
from acgr.publish.rates import rate_half_up
from acgr.rules.ruleset import load_rules
from acgr.tools.report import CATEGORY_LABELS, SHEETS, SMALL_COHORT, write_reports
from tests.helpers import ROOT

FIXTURES = ROOT / "fixtures"

#: Outcome count columns of the class-of-2018 layout, in report order.
OUTCOMES = (
    "Graduate",
    "CHSPE Completer",
    "Adult Ed. HS Diploma",
    "SPED Certificate",
    "GED Completer",
    "Other Transfer",
    "Dropout",
    "Still Enrolled",
)
FLAGS = {
    "english_learner": "SE",
    "disability": "SD",
    "socioeconomically_disadvantaged": "SS",
    "migrant": "SM",
    "foster": "SF",
    "homeless": "SH",
}


# ---------------------------------------------------------------------------------
# Arrange: one run of the fixture, reported once per module
# ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = compute(FIXTURES / "extract", class_of=2018, schools=FIXTURES / "schools.csv")
    out = tmp_path_factory.mktemp("run")
    write_run(result, out)
    return out


@pytest.fixture(scope="module")
def reports(run_dir: Path) -> list[Path]:
    return write_reports(run_dir)


@pytest.fixture(scope="module")
def students(run_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(run_dir / "students.parquet").with_columns(
        pl.concat_str("county_code", "district_code").alias("cds7")
    )


@pytest.fixture(scope="module")
def findings(run_dir: Path) -> pl.DataFrame:
    return pl.read_csv(run_dir / "findings.csv", infer_schema=False)


def _leas(students: pl.DataFrame) -> list[str]:
    return sorted(students["cds7"].unique().to_list())


def _school_counts(students: pl.DataFrame) -> dict[str, dict[str, int]]:
    """Per CDS code: cohort, removed and each outcome, counted from the students."""
    out: dict[str, dict[str, int]] = {}
    for cds, outcome, n in students.group_by("cds_code", "outcome").len().iter_rows():
        row = out.setdefault(cds, dict.fromkeys((*OUTCOMES, "Removed", "cohort"), 0))
        row[outcome] += n
        if outcome != "Removed":
            row["cohort"] += n
    return out


def _group_counts(students: pl.DataFrame) -> dict[str, tuple[int, int]]:
    """Per reporting category (TA excluded): (cohort, graduates)."""
    out: dict[str, tuple[int, int]] = {}
    for row in students.filter(pl.col("outcome") != "Removed").iter_rows(named=True):
        cats = [row["race"], row["gender"], *(c for f, c in FLAGS.items() if row[f])]
        for cat in cats:
            c, g = out.get(cat, (0, 0))
            out[cat] = (c + 1, g + (row["outcome"] == "Graduate"))
    return out


def _gap_tenths(g: int, c: int, lea_g: int, lea_c: int) -> int:
    """Exact rate difference in tenths of a point, rounded half away from zero."""
    x = (Fraction(g, c) - Fraction(lea_g, lea_c)) * 1000
    magnitude = int(abs(x) + Fraction(1, 2))
    return magnitude if x >= 0 else -magnitude


def _dec(value: Any) -> Decimal:
    """A workbook number as an exact one-decimal Decimal."""
    return Decimal(str(value)).quantize(Decimal("0.1"))


# ---------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------
def test_one_page_and_one_workbook_per_lea_in_run_dir_report(
    run_dir: Path, reports: list[Path], students: pl.DataFrame
) -> None:
    # Arrange
    expected = {f"report_{lea}.{ext}" for lea in _leas(students) for ext in ("html", "xlsx")}

    # Assert: a page and a workbook per LEA, then the index of them
    assert {p.name for p in reports} == expected | {"index.html"}
    assert reports[-1].name == "index.html"
    assert len(expected) == 4  # the fixture has two LEAs
    for path in reports:
        assert path.parent == run_dir / "report"
        assert path.stat().st_size > 1000
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0  # confidential: owner only


def test_out_dir_is_honoured(run_dir: Path, tmp_path: Path) -> None:
    written = write_reports(run_dir, tmp_path / "elsewhere")
    assert written
    assert all(p.parent == tmp_path / "elsewhere" for p in written)


def test_cli_report_prints_counts_never_a_student(
    run_dir: Path, tmp_path: Path, students: pl.DataFrame
) -> None:
    # Act: the one command line (acgr report)
    res = CliRunner().invoke(app, ["report", str(run_dir), "--out", str(tmp_path)])

    # Assert
    assert res.exit_code == 0, res.output
    assert "2 LEA reports" in res.output
    assert "index.html" in res.output
    for ssid in students["ssid"].to_list():
        assert ssid not in res.output


def test_page_templates_are_package_data() -> None:
    # Arrange: the globs an installed (non-editable) package takes its data files from
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["acgr"]
    templates = ROOT / "acgr" / "tools" / "report" / "templates"

    # Act
    files = [p.relative_to(ROOT / "acgr").as_posix() for p in templates.iterdir()]

    # Assert
    assert sorted(Path(f).name for f in files) == ["index.html.j2", "report.css", "report.html.j2"]
    for f in files:
        assert any(fnmatch(f, g) for g in globs), f"{f} is not in package-data"


def test_outputs_of_different_runs_are_refused(run_dir: Path, tmp_path: Path) -> None:
    # Arrange: drop one graduate of a school whose row acgr.txt publishes (cohort 21).
    for name in ("acgr.txt", "findings.csv"):
        shutil.copy(run_dir / name, tmp_path / name)
    st = pl.read_parquet(run_dir / "students.parquet")
    drop = st.filter((pl.col("cds_code") == "19647331930000") & (pl.col("outcome") == "Graduate"))
    st.filter(pl.col("ssid") != drop["ssid"][0]).write_parquet(tmp_path / "students.parquet")

    # Act / Assert
    with pytest.raises(ValueError, match="disagree"):
        write_reports(tmp_path)


# ---------------------------------------------------------------------------------
# Workbook
# ---------------------------------------------------------------------------------
def _sheet_rows(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


def test_workbook_numbers_equal_the_students_counts(
    reports: list[Path], students: pl.DataFrame, findings: pl.DataFrame
) -> None:
    for lea in _leas(students):
        # Arrange
        mine = students.filter(pl.col("cds7") == lea)
        expected = _school_counts(mine)
        wb = openpyxl.load_workbook(next(p for p in reports if p.name == f"report_{lea}.xlsx"))

        # Assert: sheets
        assert wb.sheetnames == list(SHEETS)

        # Schools: every school, each outcome count and rate, the LEA total last.
        rows = _sheet_rows(wb["Schools"])
        total = rows.pop()
        assert total["School"] == "LEA total"
        assert {r["CDS code"] for r in rows} == set(expected)
        for r in rows:
            want = expected[r["CDS code"]]
            assert r["Cohort"] == want["cohort"]
            assert r["Removed"] == want["Removed"]
            for outcome in OUTCOMES:
                label = "Graduates" if outcome == "Graduate" else outcome
                assert r[label] == want[outcome], (r["CDS code"], outcome)
                assert _dec(r[f"{label} (%)"]) == Decimal(
                    rate_half_up(want[outcome], want["cohort"])
                )
        lea_cohort = sum(w["cohort"] for w in expected.values())
        lea_grads = sum(w["Graduate"] for w in expected.values())
        assert total["Cohort"] == lea_cohort == mine.filter(pl.col("in_cohort")).height
        assert total["Graduates"] == lea_grads
        assert _dec(total["Graduates (%)"]) == Decimal(rate_half_up(lea_grads, lea_cohort))
        assert wb["Schools"]._charts, "outcomes chart missing"

        # Groups: every category with a student, rate and exact gap to the LEA rate.
        groups = {r["Code"]: r for r in _sheet_rows(wb["Groups"])}
        want_groups = _group_counts(mine)
        assert set(groups) == set(want_groups)
        for cat, (c, g) in want_groups.items():
            r = groups[cat]
            assert r["Student group"] == CATEGORY_LABELS[cat]
            assert (r["Cohort"], r["Graduates"]) == (c, g)
            assert _dec(r["Rate (%)"]) == Decimal(rate_half_up(g, c))
            assert _dec(r["Gap to LEA (points)"]) == Decimal(
                _gap_tenths(g, c, lea_grads, lea_cohort)
            ).scaleb(-1)
            assert (r[f"Cohort <= {SMALL_COHORT}"] == "yes") == (c <= SMALL_COHORT)
        assert wb["Groups"]._charts, "gap chart missing"

        # Students: exactly the LEA's students, each with its outcome in 15.2's words.
        words = {str(o): w for o, w in load_rules("2018").student_list.categories.items()}
        listed = {r["SSID"]: r["CohortCategory"] for r in _sheet_rows(wb["Students"])}
        assert listed == {s: words[o] for s, o in mine.select("ssid", "outcome").iter_rows()}

        # Findings: the LEA's fatal findings first, then ACGR0101-0103.
        fnd = _sheet_rows(wb["Findings"])
        lea_findings = findings.filter(pl.col("cds_code").str.slice(0, 7) == lea)
        fatal = lea_findings.filter(pl.col("severity") == "fatal")
        sensitive = lea_findings.filter(pl.col("rule").is_in(["ACGR0101", "ACGR0102", "ACGR0103"]))
        assert [r["Severity"] for r in fnd] == ["fatal"] * fatal.height + ["warning"] * (
            sensitive.height
        )
        assert {r["Rule"] for r in fnd[fatal.height :]} <= {"ACGR0101", "ACGR0102", "ACGR0103"}

        # Impact: the schools with an outcome-sensitive record, rate now as the table says.
        impact = _sheet_rows(wb["Impact"])
        assert {r["CDS code"] for r in impact} == set(sensitive["cds_code"].to_list())
        for r in impact:
            want = expected[r["CDS code"]]
            assert _dec(r["Rate now (%)"]) == Decimal(
                rate_half_up(want["Graduate"], want["cohort"])
            )


# ---------------------------------------------------------------------------------
# HTML as written, and as Chromium renders it
# ---------------------------------------------------------------------------------
def _pages(reports: list[Path]) -> Iterator[tuple[str, Path]]:
    for p in reports:
        if p.suffix == ".html" and p.name.startswith("report_"):
            yield p.stem.removeprefix("report_"), p


#: A link out of the page other than to a section or to a file of the report folder.
_OUTSIDE_LINK = r"""(?:src|href)\s*=\s*["'](?!#|index\.html"|report_\d{7}\.(?:html|xlsx)")"""


def test_pages_are_self_contained(reports: list[Path]) -> None:
    for page in (p for p in reports if p.suffix == ".html"):
        html = page.read_text(encoding="utf-8")
        assert "<script" not in html.lower()
        assert re.search(_OUTSIDE_LINK, html) is None  # in-page links and the folder's files
        assert "@import" not in html
        assert "url(http" not in html
    for _, page in _pages(reports):
        html = page.read_text(encoding="utf-8")
        for element_id in ("school-table", "chart-outcomes", "chart-gaps", "findings", "students"):
            assert f'id="{element_id}"' in html
        assert 'href="index.html"' in html  # back to the index


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _Dom(HTMLParser):
    """Elements of a serialized DOM, each with the ids of its ancestors (itself included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.elements: list[tuple[str, dict[str, str | None], frozenset[str]]] = []
        self.texts: list[tuple[str, frozenset[str]]] = []

    def _ids(self) -> frozenset[str]:
        return frozenset(i for _, i in self.stack if i)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.stack.append((tag, a.get("id")))
        self.elements.append((tag, a, self._ids()))
        if tag in _VOID:
            self.stack.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append((data.strip(), self._ids()))

    def inside(self, element_id: str, tag: str | None = None) -> list[dict[str, str | None]]:
        return [a for t, a, ids in self.elements if element_id in ids and tag in (None, t)]

    def text_in(self, element_id: str) -> str:
        return " ".join(t for t, ids in self.texts if element_id in ids)


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("chromium")
    assert binary is not None
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # the page must need no network
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="no chromium binary on PATH (install the Debian package: apt-get install -y chromium)",
)


@needs_chromium
def test_pages_render_tables_and_charts_in_chromium(
    reports: list[Path], students: pl.DataFrame, findings: pl.DataFrame, tmp_path: Path
) -> None:
    for lea, page in _pages(reports):
        # Arrange
        mine = students.filter(pl.col("cds7") == lea)
        schools = _school_counts(mine)
        groups = _group_counts(mine)

        # Act
        done = _chromium("--dump-dom", page.as_uri(), profile=tmp_path / f"profile-{lea}")
        assert done.returncode == 0, done.stderr[-2000:]
        dom = _Dom()
        dom.feed(done.stdout)

        # Assert: school table, one row per school and the LEA total.
        rows = dom.inside("school-table", "tr")
        assert {r.get("data-cds") for r in rows if r.get("data-cds")} == set(schools)
        assert sum(r.get("class") == "total" for r in rows) == 1
        assert "LEA total" in dom.text_in("school-table")

        # Outcomes chart: an inline SVG with one bar segment per school and outcome.
        assert dom.inside("chart-outcomes", "svg")
        bars = {
            str(a["id"])
            for a in dom.inside("chart-outcomes")
            if str(a.get("id") or "").startswith("chart-outcomes-bar-")
        }
        assert len(bars) == (len(schools) + 1) * len(OUTCOMES)  # schools and the LEA total
        chart_text = dom.text_in("chart-outcomes")  # labels are SVG text, not paths
        for cohort in (w["cohort"] for w in schools.values()):
            assert f"(cohort {cohort})" in chart_text

        # Gap chart: one bar per group with a student, small cohorts marked.
        assert dom.inside("chart-gaps", "svg")
        gaps = {
            str(a["id"]).removeprefix("chart-gaps-gap-")
            for a in dom.inside("chart-gaps")
            if str(a.get("id") or "").startswith("chart-gaps-gap-")
        }
        assert gaps == {
            cat + ("-small" if c <= SMALL_COHORT else "") for cat, (c, _) in groups.items()
        }

        # Findings: every fatal finding of the LEA, and an impact block per affected school.
        lea_findings = findings.filter(pl.col("cds_code").str.slice(0, 7) == lea)
        fatal = lea_findings.filter(pl.col("severity") == "fatal").height
        assert len(dom.inside("findings-fatal", "tr")) == 1 + fatal  # header + rows
        sensitive = set(
            lea_findings.filter(pl.col("rule").str.starts_with("ACGR010"))["cds_code"].to_list()
        )
        blocks = {
            a.get("data-cds") for a in dom.inside("findings-impact", "div") if "data-cds" in a
        }
        assert blocks == sensitive

        # Students: one row per student of the LEA (plus the header row).
        assert len(dom.inside("students", "tr")) == 1 + mine.height
        listed = dom.text_in("students")
        assert all(ssid in listed for ssid in mine["ssid"].to_list())


@needs_chromium
def test_page_screenshot_is_drawn(reports: list[Path], tmp_path: Path) -> None:
    # Act
    _, page = next(_pages(reports))
    shot = tmp_path / "page.png"
    done = _chromium(
        "--hide-scrollbars",
        "--window-size=1280,2400",
        f"--screenshot={shot}",
        page.as_uri(),
        profile=tmp_path / "profile",
    )

    # Assert
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000  # a blank page is a few kilobytes


# ---------------------------------------------------------------------------------
# Workbook page layout: wrapped headers, print titles, landscape one page wide
# ---------------------------------------------------------------------------------
def _wrapped_lines(text: str, width: float) -> int:
    """Lines a header takes when Excel wraps it at about a character less than the width."""
    lines, line = 1, 0
    for word in text.split():
        if line and line + 1 + len(word) > width - 1:
            lines, line = lines + 1, len(word)
        else:
            line += (1 if line else 0) + len(word)
    return lines


def test_workbook_headers_wrap_and_pages_print_landscape_with_titles(
    reports: list[Path],
) -> None:
    for book in (p for p in reports if p.suffix == ".xlsx"):
        wb = openpyxl.load_workbook(book)
        for ws in wb.worksheets:
            # Assert: every header cell wraps, no header word is wider than its column,
            # and the row is tall enough for the longest wrapped header (15 points a line).
            header = [c for c in ws[1] if c.value is not None]
            assert header, ws.title
            lines = 1
            for cell in header:
                assert cell.alignment.wrap_text, (book.name, ws.title, cell.value)
                if ws.title == "About":  # the banner spans the merged A1:B1
                    continue
                width = ws.column_dimensions[cell.column_letter].width
                assert max(len(w) for w in str(cell.value).split()) <= width - 1, cell.value
                lines = max(lines, _wrapped_lines(str(cell.value), width))
            assert ws.row_dimensions[1].height >= 15 * lines, (ws.title, lines)

            # Assert: print titles, landscape, one page wide
            assert ws.print_title_rows == "$1:$1", ws.title
            assert ws.page_setup.orientation == "landscape"
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            assert ws.page_setup.fitToWidth == 1
            assert ws.page_setup.fitToHeight == 0  # as many pages tall as needed
            if ws.title != "About":
                assert ws.freeze_panes == "A2"


def test_schools_sheet_headers_were_clipped_and_are_now_wrapped(reports: list[Path]) -> None:
    # Arrange: the Schools sheet has 21 columns in the class-of-2018 layout
    ws = openpyxl.load_workbook(next(p for p in reports if p.suffix == ".xlsx"))["Schools"]
    header = [c for c in ws[1] if c.value is not None]

    # Assert: wider than a column would be, "Adult Ed. HS Diploma (%)" needs several lines
    assert len(header) == 21
    adult = next(c for c in header if c.value == "Adult Ed. HS Diploma (%)")
    width = ws.column_dimensions[adult.column_letter].width
    assert width < len(str(adult.value))
    assert ws.row_dimensions[1].height >= 15 * _wrapped_lines(str(adult.value), width) > 15


# ---------------------------------------------------------------------------------
# Index page and the student list's groups and names, as Chromium renders them
# ---------------------------------------------------------------------------------
class _Rows(HTMLParser):
    """Per table row with ``data-ssid`` or ``data-cds7``: the text of each classed cell
    (keyed by its last class) and the ``href`` of each classed link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, dict[str, str]] = {}
        self.headers: list[str] = []
        self._row: dict[str, str] | None = None
        self._cell: str | None = None
        self._in_th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        key = a.get("data-ssid") or a.get("data-cds7")
        if tag == "tr" and key:
            self._row = self.rows.setdefault(key, {})
        elif tag in ("td", "a") and self._row is not None and a.get("class"):
            self._cell = str(a["class"]).split()[-1]
            self._row.setdefault(self._cell, "")
            if tag == "a":
                self._row[f"{self._cell}:href"] = str(a.get("href"))
        self._in_th = tag == "th" or self._in_th

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None
        if tag in ("td", "a"):
            self._cell = None
        if tag == "th":
            self._in_th = False

    def handle_data(self, data: str) -> None:
        if self._row is not None and self._cell is not None:
            self._row[self._cell] += data.strip()
        elif self._in_th and data.strip():
            self.headers.append(data.strip())


def _rendered(page: Path, profile: Path) -> _Rows:
    done = _chromium("--dump-dom", page.as_uri(), profile=profile)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = _Rows()
    rows.feed(done.stdout)
    return rows


def _expected_groups(student: dict[str, Any]) -> str:
    """The student's groups by name, race, gender then programs (R5.7), worked here."""
    cats = [student["race"], student["gender"], *(c for f, c in FLAGS.items() if student[f])]
    return "; ".join(CATEGORY_LABELS[c] for c in cats if c is not None)


@needs_chromium
def test_index_links_every_lea_page_and_workbook_in_chromium(
    reports: list[Path], students: pl.DataFrame, tmp_path: Path
) -> None:
    # Act
    index = next(p for p in reports if p.name == "index.html")
    rows = _rendered(index, tmp_path / "profile").rows

    # Assert: one line per LEA of the run, linking its page and workbook, both written
    assert set(rows) == set(_leas(students))
    written = {p.name for p in reports}
    for lea, row in rows.items():
        assert row["lea-page:href"] == f"report_{lea}.html" in written
        assert row["lea-workbook:href"] == f"report_{lea}.xlsx" in written
        # the LEA's totals, counted here from its students
        mine = students.filter(pl.col("cds7") == lea)
        cohort = mine.filter(pl.col("in_cohort")).height
        graduates = mine.filter(pl.col("outcome") == "Graduate").height
        assert row["lea-students"] == str(mine.height)
        assert row["lea-schools"] == str(mine["cds_code"].n_unique())
        assert (row["lea-cohort"], row["lea-graduates"]) == (str(cohort), str(graduates))
        assert row["lea-rate"] == rate_half_up(graduates, cohort)
    # names from acgr.txt (fixture: fixtures/schools.csv)
    assert {r["lea-page"] for r in rows.values()} == {"Vista Ridge Unified", "Coastal Mesa Unified"}


@needs_chromium
def test_student_list_shows_each_students_groups_in_chromium(
    reports: list[Path], students: pl.DataFrame, tmp_path: Path
) -> None:
    for lea, page in _pages(reports):
        # Act
        rendered = _rendered(page, tmp_path / f"profile-{lea}")

        # Assert: every student of the LEA with the groups worked out from its flags
        mine = students.filter(pl.col("cds7") == lea)
        assert set(rendered.rows) == set(mine["ssid"].to_list())
        for student in mine.iter_rows(named=True):
            row = rendered.rows[student["ssid"]]
            assert row["student-groups"] == _expected_groups(student), student["ssid"]
        # A run without names: no name column, and a note saying how to get one
        assert "Name" not in rendered.headers
        assert all("student-name" not in r for r in rendered.rows.values())


@needs_chromium
def test_student_list_shows_names_when_the_run_read_them(
    run_dir: Path, students: pl.DataFrame, tmp_path: Path
) -> None:
    # Arrange: the run as if made with --with-names (legal names in students.parquet)
    named = tmp_path / "run"
    named.mkdir()
    for name in ("acgr.txt", "findings.csv"):
        shutil.copy(run_dir / name, named / name)
    st = pl.read_parquet(run_dir / "students.parquet")
    st.with_columns(
        pl.concat_str(pl.lit("Last"), pl.col("ssid").str.slice(-3)).alias(
            "student_legal_last_name"
        ),
        pl.lit("Ana").alias("student_legal_first_name"),
    ).write_parquet(named / "students.parquet")

    # Act
    written = write_reports(named)
    lea, page = next(_pages(written))
    rendered = _rendered(page, tmp_path / "profile")

    # Assert: a Name column, "Last, First" for every student, groups still there
    assert "Name" in rendered.headers
    mine = students.filter(pl.col("cds7") == lea)
    for student in mine.iter_rows(named=True):
        row = rendered.rows[student["ssid"]]
        assert row["student-name"] == f"Last{student['ssid'][-3:]}, Ana"
        assert row["student-groups"] == _expected_groups(student)


def test_legal_name_columns_are_detected_not_required() -> None:
    from acgr.tools.report.data import legal_name_columns

    assert legal_name_columns(["ssid", "student_legal_last_name", "student_legal_first_name"]) == (
        "student_legal_last_name",
        "student_legal_first_name",
    )
    assert legal_name_columns(["ssid", "legal_first_name", "legal_last_name"]) == (
        "legal_last_name",
        "legal_first_name",
    )
    assert legal_name_columns(["ssid", "student_legal_last_name"]) is None  # both or neither
    assert legal_name_columns(["ssid", "outcome"]) is None
