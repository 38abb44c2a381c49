"""Rule sets as data (R7): the default, the built-ins, and files of overrides."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import pickle
from pathlib import Path
from typing import get_args

import pytest

import acgr
from acgr.rules.ruleset import ExitOutcome, Outcome, RulesError, RuleSet, load_rules
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


def test_r3_4_exit_outcomes_are_outcomes() -> None:
    # ExitOutcome spells its values out (for pydantic's messages): each must be an Outcome
    assert set(get_args(ExitOutcome)) <= {str(o) for o in Outcome}


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


# ---------------------------------------------------------------- readable rule-file errors


def _problems(tmp_path: Path, name: str, text: str | bytes) -> RulesError:
    """Load ``text`` as the rule-set file ``name``; return the error it must raise."""
    f = tmp_path / name
    f.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(RulesError) as caught:
        load_rules(f)
    assert caught.value.source == str(f)
    return caught.value


def test_r7_3_toml_syntax_error_is_one_line_naming_file_and_line(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.toml", 'base = "2018"\nname = \nx = 1\n')
    assert (
        str(err)
        == f"rules file {tmp_path / 'v.toml'}: line 2, column 8: not valid TOML: Invalid value"
    )


def test_r7_3_toml_syntax_error_at_the_end_names_the_last_line(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.toml", 'base = "2018"\nexcluded_exit_codes = ["N470",\n')
    assert err.problems == ("line 2 (the end of the file): not valid TOML: Invalid value",)


def test_r7_3_json_syntax_error_is_one_line_naming_file_and_line(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.json", '{"base": "2018",\n "name": "v" "x": 1}')
    assert str(err) == (
        f"rules file {tmp_path / 'v.json'}: line 2, column 14: not valid JSON: "
        "Expecting ',' delimiter"
    )


def test_r7_3_file_not_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.toml", b'base = "2018"\n# caf\xe9\n')
    assert err.problems == ("line 2: not UTF-8 text (byte 0xE9); save it as UTF-8",)


def test_r7_3_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Windows editors may save UTF-8 with a byte-order mark; TOML would see a stray character.
    f = tmp_path / "v.toml"
    f.write_bytes(b'\xef\xbb\xbfbase = "2018"\nname = "v"\nshort_term_min_days = 45\n')
    assert load_rules(f).short_term_min_days == 45


def test_r7_3_file_that_cannot_be_read_is_a_rules_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (the tests may run as root, who reads any file: the refusal is simulated)
    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    f = tmp_path / "v.toml"
    f.write_text('base = "2018"\n')
    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(RulesError) as caught:
        load_rules(f)
    assert caught.value.problems == ("cannot be read (Permission denied)",)


def test_r7_3_file_must_hold_a_table(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.json", "[1, 2]")
    assert err.problems == ("the file holds a list, not a table of settings",)


def test_r7_3_wrong_key_names_its_dotted_path_a_suggestion_and_the_valid_keys(
    tmp_path: Path,
) -> None:
    err = _problems(tmp_path, "v.toml", 'base = "2018"\n[summer_cutoff]\nmnth = 6\n')
    assert err.problems == (
        "summer_cutoff.mnth: unknown key (did you mean month?); valid keys here: month, day",
    )


def test_r7_3_wrong_key_far_from_any_gets_no_suggestion(tmp_path: Path) -> None:
    text = 'base = "2018"\n[exit_outcomes.T260]\noutcome = "Removed"\nzzz = 1\n'
    err = _problems(tmp_path, "v.toml", text)
    assert err.problems == (
        "exit_outcomes.T260.zzz: unknown key; valid keys here: outcome, lost_transfer, decision",
    )


def test_r7_3_wrong_top_level_key_lists_base_among_the_valid_keys(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.toml", 'bsae = "2018"\n')
    (line,) = [p for p in err.problems if p.startswith("bsae:")]
    assert line.startswith("bsae: unknown key (did you mean base?); valid keys here: name, ")
    assert line.endswith(", data_should_reach, base")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "[summer_cutoff]\nmonth = 13\n",
            "summer_cutoff.month: 13 is not allowed; it should be less than or equal to 12",
        ),
        (
            '[summer_cutoff]\nmonth = "six"\n',
            'summer_cutoff.month: "six" is not allowed; it should be a valid integer, '
            "unable to parse string as an integer",
        ),
        (
            'aggregate_row_codes = "blank"\n',
            "aggregate_row_codes: \"blank\" is not allowed; it should be 'empty' or 'zeros'",
        ),
        (
            '[exit_outcomes]\nT260 = { outcome = "Removd" }\n',
            'exit_outcomes.T260.outcome: "Removd" is not allowed; '
            "it should be 'Removed', 'Other Transfer' or 'Dropout'",
        ),
        (
            '[exit_outcomes]\nT260 = "Removed"\n',
            'exit_outcomes.T260: "Removed" is not allowed; '
            "it should be a table with keys outcome, lost_transfer, decision",
        ),
        (
            "summer_cutoff = 3\n",
            "summer_cutoff: 3 is not allowed; it should be a table with keys month, day",
        ),
        (
            'grade_levels = "09"\n',
            'grade_levels: "09" is not allowed; it should be a list',
        ),
        (
            "grade_levels = [9]\n",
            "grade_levels[0]: 9 is not allowed; it should be a valid string",
        ),
        (
            "[summer_cutoff]\nmonth = 6\nday = 31\n",
            "summer_cutoff: month 6 has no day 31 in every year; the day must be 1-30",
        ),
        (
            "[summer_cutoff]\nmonth = 2\nday = 29\n",
            "summer_cutoff: month 2 has no day 29 in every year; the day must be 1-28",
        ),
    ],
)
def test_r7_3_wrong_value_names_key_value_and_what_is_allowed(
    tmp_path: Path, text: str, problem: str
) -> None:
    err = _problems(tmp_path, "v.toml", 'base = "2018"\n' + text)
    assert err.problems == (problem,)


def test_r7_3_every_problem_is_one_line_and_all_are_reported(tmp_path: Path) -> None:
    text = (
        'base = "2018"\nsumer_cutoff = 3\naggregate_row_codes = "blank"\n'
        '[summer_cutoff]\nmnth = 6\n[completion_outcomes]\n"100" = "Graduated"\n'
    )
    err = _problems(tmp_path, "v.toml", text)
    assert len(err.problems) == 4
    assert [p.split(":")[0] for p in err.problems] == [
        "summer_cutoff.mnth",
        "completion_outcomes.100",
        "aggregate_row_codes",
        "sumer_cutoff",
    ]
    lines = str(err).split("\n")
    assert lines[0] == f"rules file {tmp_path / 'v.toml'}: 4 problems"
    assert lines[1:] == [f"  {p}" for p in err.problems]
    assert all("\n" not in p for p in err.problems)


def test_r7_3_cross_setting_problem_names_the_settings(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.toml", 'base = "2018"\ncompleter_tie_order = ["999"]\n')
    assert err.problems == ("completer_tie_order names unknown completion codes ['999']",)


CHOICES = "; the built-in choices: 2018, legacy"


@pytest.mark.parametrize(
    ("base", "problem"),
    [
        ('"2016"', 'unknown base "2016" (for the class of 2016: legacy)' + CHOICES),
        ('"2019"', 'unknown base "2019" (for the class of 2019: 2018)' + CHOICES),
        ('"2009"', 'unknown base "2009" (no built-in rule set covers the class of 2009)' + CHOICES),
        ('"2O18"', 'unknown base "2O18" (did you mean 2018?)' + CHOICES),
        ('"Legacy"', 'unknown base "Legacy" (did you mean legacy?)' + CHOICES),
        ("2018", 'unknown base 2018 (a number: write base = "2018")' + CHOICES),
        ("[1]", "unknown base [1] (a list, not a name)" + CHOICES),
    ],
)
def test_r7_3_unknown_base_names_the_builtin_choices(
    tmp_path: Path, base: str, problem: str
) -> None:
    err = _problems(tmp_path, "v.toml", f"base = {base}\n")
    assert err.problems == (problem,)


def test_r7_3_file_without_base_lists_what_is_missing_in_one_line(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.toml", 'name = "full"\n')
    (line,) = err.problems
    assert line.startswith("missing first_class, grade_levels, primary_statuses, ")
    assert line.endswith(
        '; a file without base sets every setting (base = "2018" starts from a built-in)'
    )


def test_r7_3_rules_error_is_a_value_error_and_survives_pickling(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.toml", 'base = "2016"\n')
    assert isinstance(err, ValueError)
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.source, copy.problems, str(copy)) == (err.source, err.problems, str(err))


def test_r2_3_default_extraction_date_cannot_precede_the_earliest(tmp_path: Path) -> None:
    text = 'base = "2018"\n[default_extraction_date]\nmonth = 6\nday = 14\n'
    err = _problems(tmp_path, "v.toml", text)
    assert err.problems == (
        "default_extraction_date: 6-14 is before earliest_extraction_date 7-1 (R2.3)",
    )


# ---------------------------------------------------------------- provenance (R7.3)

JUNE = 'base = "2018"\nname = "2018-june-cutoff"\n[summer_cutoff]\nmonth = 6\nday = 30\n'


def test_r7_3_variant_records_its_base_file_and_every_override(tmp_path: Path) -> None:
    # arrange
    f = tmp_path / "june.toml"
    f.write_text(JUNE)
    # act
    p = load_rules(f).provenance()
    # assert
    assert (p.name, p.origin, p.base, p.file) == ("2018-june-cutoff", "file", "2018", str(f))
    assert [(o.key, o.change, o.value, o.base_value) for o in p.overrides] == [
        ("summer_cutoff.month", "changed", 6, 8),
        ("summer_cutoff.day", "changed", 30, 15),
    ]
    assert p.summary() == (
        f"2018-june-cutoff: base 2018, file {f}, 2 settings overridden "
        "(summer_cutoff.month 8 → 6, summer_cutoff.day 15 → 30)"
    )


def test_r7_3_provenance_as_plain_data_round_trips_through_json(tmp_path: Path) -> None:
    f = tmp_path / "june.toml"
    f.write_text(JUNE)
    data = load_rules(f).provenance().as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "name": "2018-june-cutoff",
        "origin": "file",
        "base": "2018",
        "file": str(f),
        "overrides": [
            {"key": "summer_cutoff.month", "change": "changed", "value": 6, "base_value": 8},
            {"key": "summer_cutoff.day", "change": "changed", "value": 30, "base_value": 15},
        ],
    }


@pytest.mark.parametrize("name", ["2018", "legacy"])
def test_r7_1_builtin_rule_sets_report_no_overrides(name: str) -> None:
    p = load_rules(name).provenance()
    assert (p.origin, p.base, p.file, p.overrides) == ("built-in", name, None, ())
    assert p.summary() == f"{name}: built-in rule set"


def test_r7_3_a_whole_new_code_is_one_override_and_none_values_are_said(tmp_path: Path) -> None:
    # arrange: legacy's own T260 row as a variant of 2018, and a code 2018 lacks
    f = tmp_path / "v.toml"
    f.write_text(
        'base = "2018"\nname = "v"\n[exit_outcomes]\n'
        'T260 = { outcome = "Removed", decision = "R7.2" }\nT999 = { outcome = "Dropout" }\n'
    )
    # act
    p = load_rules(f).provenance()
    # assert
    assert [o.text() for o in p.overrides] == [
        'exit_outcomes.T260.outcome "Other Transfer" → "Removed"',
        'exit_outcomes.T260.decision null → "R7.2"',
        'exit_outcomes.T999 (absent) → {"outcome": "Dropout", "lost_transfer": false, '
        '"decision": null}',
    ]
    assert p.overrides[2].change == "added"


def test_r7_3_a_file_that_overrides_nothing_says_so(tmp_path: Path) -> None:
    f = tmp_path / "same.toml"
    f.write_text('base = "2018"\nname = "same"\n[summer_cutoff]\nmonth = 8\n')
    assert (
        load_rules(f).provenance().summary() == f"same: base 2018, file {f}, no setting overridden"
    )


def test_r7_3_a_file_without_base_has_nothing_to_compare_with(tmp_path: Path) -> None:
    # arrange: the whole 2018 rule set written out, with no base
    data = load_rules("2018").model_dump(mode="json")
    data["name"] = "full"
    f = tmp_path / "full.json"
    f.write_text(json.dumps(data))
    # act
    p = load_rules(f).provenance()
    # assert
    assert (p.base, p.overrides) == (None, ())
    assert p.summary() == f"full: file {f}, no base (every setting from the file)"


def test_r7_3_changes_made_in_code_after_loading_are_reported() -> None:
    # model_copy keeps the origin; the overrides are worked out from the settings now
    rules = load_rules("2018").model_copy(
        update={"summer_cutoff": load_rules("2018").summer_cutoff.model_copy(update={"day": 1})}
    )
    assert rules.provenance().summary() == (
        "2018: built-in rule set, changed in code, 1 setting overridden (summer_cutoff.day 15 → 1)"
    )


def test_r7_3_rule_set_made_in_code_says_it_has_no_base() -> None:
    rules = RuleSet.model_validate(load_rules("2018").model_dump() | {"name": "mine"})
    p = rules.provenance()
    assert (p.origin, p.base, p.overrides) == ("code", None, ())
    assert p.summary() == "mine: made in code, not loaded by name or from a file (no base)"


@pytest.mark.parametrize(
    ("file_name", "name"),
    [("june.toml", "june"), ("2018.toml", "2018-file"), ("Legacy.json", "Legacy-file")],
)
def test_r7_3_a_file_without_a_name_is_named_after_the_file(
    tmp_path: Path, file_name: str, name: str
) -> None:
    # arrange: a variant that does not name itself must not inherit "2018" from its base
    f = tmp_path / file_name
    f.write_text(
        json.dumps({"base": "2018", "summer_cutoff": {"month": 6, "day": 30}})
        if file_name.endswith(".json")
        else 'base = "2018"\n[summer_cutoff]\nmonth = 6\nday = 30\n'
    )
    # act
    rules = load_rules(f)
    # assert
    assert rules.name == name
    assert rules.description == f"rule set 2018 with the overrides of {file_name}"
    assert rules.provenance().summary().startswith(f"{name}: base 2018, file {f}, 2 settings")


def test_r7_3_a_file_may_not_take_a_builtin_name_with_other_settings(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.toml", JUNE.replace("2018-june-cutoff", "LEGACY"))
    assert err.problems == (
        'name: "LEGACY" is the name of the built-in rule set legacy, but 13 settings differ '
        "from it (first_class first); give this rule set a name of its own, or "
        "leave name out to use the file's",
    )


def test_r7_3_a_file_may_take_a_builtin_name_when_it_is_that_rule_set(tmp_path: Path) -> None:
    f = tmp_path / "copy.toml"
    f.write_text('base = "2018"\nname = "2018"\n')
    p = load_rules(f).provenance()
    assert (p.name, p.origin, p.file, p.overrides) == ("2018", "file", str(f), ())


# ---------------------------------------------------------------- classes covered (R7.1, R7.2)


def test_r7_1_r7_2_classes_each_builtin_rule_set_covers() -> None:
    r2018, legacy = load_rules("2018"), load_rules("legacy")
    assert (r2018.first_class, r2018.last_class) == (2017, None)
    assert (legacy.first_class, legacy.last_class) == (2010, None)
    assert r2018.classes_text() == "classes of 2017 on"
    # legacy stays usable for later classes: compare-rules applies it to 2018 on purpose
    legacy.check_class_of(2018)
    legacy.check_class_of(2010)
    r2018.check_class_of(2017)
    r2018.check_class_of(2099)


def test_r7_a_two_digit_class_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError, match="four-digit") as caught:
        load_rules("2018").check_class_of(18)
    assert str(caught.value) == (
        "class of 18: the 2018 rule set covers classes of 2017 on; give the four-digit year"
    )


@pytest.mark.parametrize(
    ("rules", "class_of", "message"),
    [
        ("2018", 2016, "class of 2016: the 2018 rule set covers classes of 2017 on "
                       "(the legacy rule set covers it)"),
        ("legacy", 2009, "class of 2009: the legacy rule set covers classes of 2010 on"),
        ("2018", 20180, "class of 20180: the 2018 rule set covers classes of 2017 on; "
                        "give the four-digit year"),
        ("2018", -2018, "class of -2018: the 2018 rule set covers classes of 2017 on; "
                        "give the four-digit year"),
    ],
)  # fmt: skip
def test_r7_a_class_outside_the_rule_set_is_refused(
    rules: str, class_of: int, message: str
) -> None:
    with pytest.raises(ValueError, match=f"^class of {class_of}: ") as caught:
        load_rules(rules).check_class_of(class_of)
    assert str(caught.value) == message


def test_r7_a_last_class_bounds_the_range(tmp_path: Path) -> None:
    # arrange: a rule set for 2010-2016 only, as CDE applied legacy
    f = tmp_path / "legacy-only.toml"
    f.write_text('base = "legacy"\nlast_class = 2016\n')
    rules = load_rules(f)
    # act / assert
    assert rules.classes_text() == "classes of 2010-2016"
    rules.check_class_of(2016)
    with pytest.raises(ValueError, match="2010-2016") as caught:
        rules.check_class_of(2017)
    assert str(caught.value) == (
        "class of 2017: the legacy-only rule set covers classes of 2010-2016 "
        "(the 2018 rule set covers it)"
    )
    assert rules.provenance().overrides[0].text() == "last_class null → 2016"


def test_r7_last_class_before_first_class_is_refused(tmp_path: Path) -> None:
    err = _problems(tmp_path, "v.toml", 'base = "2018"\nlast_class = 2016\n')
    assert err.problems == ("last_class 2016 is before first_class 2017",)
