"""acgr.read.directory: the schools file, and the error an unreadable one raises."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from acgr.cli import app
from acgr.errors import ExtractError, SchoolsFileError
from acgr.read.directory import read_directory
from tests.helpers import FIXTURES


def test_schools_file_is_read_with_flags_spelled_yes_no() -> None:
    directory = read_directory(FIXTURES / "schools.csv")
    assert directory["cds_code"].str.contains(r"^\d{14}$").all()
    assert set(directory["charter"].drop_nulls()) <= {"Yes", "No"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, r"schools\.csv: cannot be read"),
        ("name,charter\nVista Ridge,Y\n", r"schools\.csv: line 1: schools file has no cds_code"),
    ],
)
def test_unreadable_schools_file_is_a_schools_file_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    # arrange: a schools file that is absent, or lacks its CDS code column
    path = tmp_path / "schools.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    # act / assert: its own class, and an ExtractError like every unreadable input
    with pytest.raises(SchoolsFileError, match=message) as raised:
        read_directory(path)
    assert isinstance(raised.value, ExtractError)


def test_cli_names_an_unreadable_schools_file_in_one_line(tmp_path: Path) -> None:
    # arrange
    path = tmp_path / "schools.csv"
    path.write_text("name,charter\nVista Ridge,Y\n", encoding="utf-8")
    # act
    result = CliRunner().invoke(
        app,
        [
            "run",
            str(FIXTURES / "extract"),
            "--class-of",
            "2018",
            "--schools",
            str(path),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    # assert: exit 2, one line naming the file
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"acgr: error: {path}: line 1: schools file has no cds_code / CDSCode column"
    ]
