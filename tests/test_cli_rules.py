"""``--rules FILE`` errors as a user meets them: every problem on its own line, exit 2 (R7.3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from acgr.cli import app
from acgr.testing import senr_line, write_extract

runner = CliRunner()


def _run(tmp_path: Path, rules_text: str) -> tuple[int, str, Path]:
    """Run ``acgr run`` on a one-student extract with ``rules_text`` as the rules file."""
    src = write_extract(
        tmp_path / "in" / "senr.txt",
        [senr_line(ssid="1000000001", enrollment_start_date=dt.date(2014, 8, 15))],
    )
    rules = tmp_path / "v.toml"
    rules.write_text(rules_text, encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(
        app, ["run", str(src), "--class-of", "2018", "--out", str(out), "--rules", str(rules)]
    )
    return res.exit_code, res.output, rules


def test_cli_rules_file_problems_one_indented_line_each_exit_2(tmp_path: Path) -> None:
    # act: two wrong keys and one wrong value
    code, output, rules = _run(
        tmp_path,
        'base = "2018"\nsumer_cutoff = 3\naggregate_row_codes = "blank"\n'
        "[summer_cutoff]\nmnth = 6\n",
    )
    # assert
    assert code == 2
    lines = output.splitlines()
    assert lines[0] == f"acgr: error: rules file {rules}: 3 problems"
    assert lines[1] == (
        "  summer_cutoff.mnth: unknown key (did you mean month?); valid keys here: month, day"
    )
    assert (
        lines[2]
        == "  aggregate_row_codes: \"blank\" is not allowed; it should be 'empty' or 'zeros'"
    )
    assert lines[3].startswith("  sumer_cutoff: unknown key (did you mean summer_cutoff?); ")
    assert len(lines) == 4
    assert not (tmp_path / "out").exists()


def test_cli_rules_file_with_one_problem_is_one_line(tmp_path: Path) -> None:
    code, output, rules = _run(tmp_path, 'base = "2018"\nname = \n')
    assert code == 2
    assert output.splitlines() == [
        f"acgr: error: rules file {rules}: line 2, column 8: not valid TOML: Invalid value"
    ]


def test_cli_rules_that_are_no_file_keep_the_one_line_error(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        ["run", str(tmp_path), "--class-of", "2018", "--out", str(tmp_path / "o"),
         "--rules", "2O18"],
    )  # fmt: skip
    assert res.exit_code == 2
    assert (
        res.output
        == "acgr: error: --rules: rule set '2O18' is neither 2018 nor legacy nor a file\n"
    )
