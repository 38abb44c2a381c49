"""Rule sets as data (R7): the default, the built-ins, and files of overrides."""

from __future__ import annotations

import datetime as dt
import inspect
import json
from pathlib import Path

import pytest

import acgr
from acgr.rules import Outcome, load_rules
from acgr.testing import senr_line, write_extract


def test_r7_1_2018_is_the_default_rule_set(tmp_path: Path) -> None:
    assert inspect.signature(acgr.compute).parameters["rules"].default == "2018"
    src = write_extract(
        tmp_path / "s.txt",
        [senr_line(ssid="1000000001", enrollment_start_date=dt.date(2014, 8, 15))],
    )
    assert acgr.compute(src, class_of=2018).rules.name == "2018"


def test_r7_1_2018_tables_match_rules_md() -> None:
    r = load_rules("2018")
    assert r.graduate_completions() == ["100"]
    assert r.completion_outcomes["250"] is Outcome.ADULT_ED_DIPLOMA
    assert r.exit_outcomes["T260"].outcome == "Other Transfer"
    assert r.exit_outcomes["T460"].outcome == "Dropout"
    assert (r.summer_cutoff.month, r.summer_cutoff.day) == (8, 15)


def test_r7_3_json_file_overrides_one_setting(tmp_path: Path) -> None:
    f = tmp_path / "variant.json"
    f.write_text(json.dumps({"base": "2018", "name": "v", "short_term_min_days": 45}))
    r = load_rules(f)
    assert r.short_term_min_days == 45
    assert r.exit_outcomes == load_rules("2018").exit_outcomes  # the rest is inherited


def test_r7_3_unknown_settings_and_bases_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('base = "2018"\nname = "x"\nsumer_cutoff = 3\n')
    with pytest.raises(ValueError, match="sumer_cutoff"):
        load_rules(bad)
    bad.write_text('base = "2016"\nname = "x"\n')
    with pytest.raises(ValueError, match="unknown base"):
        load_rules(bad)
