"""Golden files: the text a user reads, on the bundled fixture, byte for byte.

Each command runs as a user runs it, in a 100-column terminal; its output (and the
files it writes) must equal ``tests/golden/<name>``. After a deliberate change of
wording, regenerate them and read the diff before committing:

    ACGR_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

Every line of every golden file fits 100 columns and no word is cut: each test checks
both, so a regenerated file cannot bring back a mid-word cut ("(exit it with the r").
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from acgr.cli import app
from tests.helpers import FIXTURES

GOLDEN = Path(__file__).parent / "golden"
EXTRACT = str(FIXTURES / "extract")
SCHOOLS = str(FIXTURES / "schools.csv")
FOSTER = str(FIXTURES / "foster.csv")
runner = CliRunner()


def _run(args: list[str]) -> str:
    result = runner.invoke(app, args, env={"COLUMNS": "100", "TERM": "dumb"})
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def _same_as_golden(name: str, text: str, out_dir: Path | None = None) -> None:
    if out_dir is not None:
        text = text.replace(str(out_dir), "OUT")
    path = GOLDEN / name
    if os.environ.get("ACGR_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    if not name.endswith(".csv"):  # a CSV is read by a program, not in a terminal
        assert [line for line in text.splitlines() if len(line) > 100] == []


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("validate")
    args = ["validate", EXTRACT, "--class-of", "2018", "--schools", SCHOOLS, "--out", str(out)]
    return _run(args), out


def test_validate_terminal_output(validated: tuple[str, Path]) -> None:
    stdout, out = validated
    _same_as_golden("validate_terminal.txt", stdout, out)


def test_validate_summary_txt(validated: tuple[str, Path]) -> None:
    _, out = validated
    _same_as_golden("validate_summary.txt", (out / "summary.txt").read_text(encoding="utf-8"))


def test_validate_impact_csv(validated: tuple[str, Path]) -> None:
    _, out = validated
    _same_as_golden("validate_impact.csv", (out / "impact.csv").read_text(encoding="utf-8"))


def test_run_summary_txt(tmp_path: Path) -> None:
    args = ["run", EXTRACT, "--class-of", "2018", "--schools", SCHOOLS, "--foster", FOSTER]
    _run([*args, "--out", str(tmp_path)])
    _same_as_golden("run_summary.txt", (tmp_path / "summary.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "ssid",
    [
        "2018000005",  # Still Enrolled (R3.3), no SINF record: ACGR0002 as in findings.csv
        "2018000053",  # a rejected record (R3.4.1) and an open one in another LEA (SENR0028)
        "2018000001",  # a graduate (R3.1): indicators in words, not True/False
    ],
)
def test_explain_output(ssid: str) -> None:
    args = ["explain", ssid, EXTRACT, "--class-of", "2018", "--schools", SCHOOLS]
    _same_as_golden(f"explain_{ssid}.txt", _run([*args, "--foster", FOSTER]))


@pytest.mark.parametrize("command", ["", "run", "validate", "explain"])
def test_help_reads_cleanly(command: str) -> None:
    """No typer type labels (``--help <bool>``, ``<list[Path]>``) in any help."""
    text = _run([*([command] if command else []), "--help"])
    assert re.search(r"<(bool|int|str|path|list\[Path\])>", text) is None
    assert "--help" in text
    assert all(len(line) <= 100 for line in text.splitlines())


def test_version_prints_the_package_version() -> None:
    from acgr import __version__

    assert _run(["--version"]) == f"acgr {__version__}\n"


def test_validate_and_explain_document_schools() -> None:
    for command in ("validate", "explain"):
        assert "--schools" in _run([command, "--help"])
    assert "--foster" in _run(["explain", "--help"])
