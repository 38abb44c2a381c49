"""The Fall 2018 Dashboard graduation rate indicator (docs/rules.md R8, acgr.tools.dashboard).

The reconciliation test feeds the numerators, denominators, flags and names of every
row of CDE's ``graddownload2018.txt`` into :func:`indicator_from_counts` and checks
every published value; the others are hand-worked cases named after the rule.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from acgr.cli import app
from acgr.publish.acgr_file import read_cde_acgr
from acgr.publish.fiveyear import FIFTH_YEAR_HEADER
from acgr.publish.rates import change_tenths
from acgr.rules.dashboard import DashboardRules, load_dashboard_rules
from acgr.rules.ruleset import RulesError
from acgr.tools.dashboard import (
    COLUMNS,
    COUNT_COLUMNS,
    combined_indicator,
    dashboard_text,
    indicator,
    indicator_from_counts,
    prior_dass_from_previous,
    read_dashboard,
    reporting_year,
)
from tests.helpers import DATA, HEADER_34

FILE_2018 = DATA / "graddownload2018.txt"
#: The school ALL rows of CDE's graddownload2017f.txt: every school that file lists,
#: which is all :func:`prior_dass_from_previous` reads of it (tests/data/PROVENANCE.md).
FILE_2017F = DATA / "graddownload2017f_school_all.txt"
SUBSET_1718 = DATA / "cohort1718_Final.tsv"
runner = CliRunner()

_COUNTS = ("currnumer", "currdenom", "priornumer", "priordenom")
CHECKED = (
    "currstatus",
    "priorstatus",
    "change",
    "statuslevel",
    "changelevel",
    "safetynet",
    "color",
    "box",
)


def counts(**overrides: Any) -> pl.DataFrame:
    """One input row of :func:`indicator_from_counts`: a plain school, ALL, 100 vs 100."""
    row: dict[str, Any] = {
        "cds": "19647330100000",
        "rtype": "S",
        "schoolname": "Test High",
        "districtname": "Test Unified",
        "countyname": "Los Angeles",
        "charter_flag": "",
        "coe_flag": "",
        "dass_flag": "",
        "studentgroup": "ALL",
        "currnumer": 80,
        "currdenom": 100,
        "priornumer": 80,
        "priordenom": 100,
    }
    row.update(overrides)
    return pl.DataFrame(
        [row],
        schema_overrides=dict.fromkeys(_COUNTS, pl.Int64),
    )


def one(**overrides: Any) -> dict[str, Any]:
    """The single output row for one input row."""
    return indicator_from_counts(counts(**overrides)).row(0, named=True)


# ------------------------------------------------------------------- reconciliation
@pytest.fixture(scope="module")
def published() -> pl.DataFrame:
    return read_dashboard(FILE_2018)


def test_r8_reproduces_every_row_of_graddownload2018(published: pl.DataFrame) -> None:
    # arrange: the file's own counts, flags and names; the prior DASS status of each
    # school from the Fall 2017 file (R8.1.1, prior_dass rule inferred from the data)
    prior_dass = prior_dass_from_previous(read_dashboard(FILE_2017F))
    inputs = published.select(COUNT_COLUMNS).join(prior_dass, on="cds", how="left")
    assert published.height == 31_447
    # act
    result = indicator_from_counts(inputs)
    # assert: same rows in the same order, then every computed column
    assert result.select("cds", "studentgroup").equals(published.select("cds", "studentgroup"))
    mismatches = {c: int((~result[c].eq_missing(published[c])).sum()) for c in CHECKED}
    assert sum(mismatches.values()) == 0, f"mismatches per column: {mismatches}"
    assert result.columns == list(COLUMNS)


def test_r8_writes_graddownload2018_byte_for_byte(published: pl.DataFrame) -> None:
    # arrange
    prior_dass = prior_dass_from_previous(read_dashboard(FILE_2017F))
    inputs = published.select(COUNT_COLUMNS).join(prior_dass, on="cds", how="left")
    expected = FILE_2018.read_text("ascii")
    # act
    text = dashboard_text(indicator_from_counts(inputs))
    # assert
    assert text == expected
    assert dashboard_text(published) == expected  # read_dashboard round-trips too
    # the year of the class of 2018 (2017-18), as indicator() passes it, changes nothing
    assert dashboard_text(indicator_from_counts(inputs, reporting_year=2018)) == expected


def test_r8_2_reporting_year_fills_only_its_column(published: pl.DataFrame) -> None:
    inputs = published.select(COUNT_COLUMNS).join(
        prior_dass_from_previous(read_dashboard(FILE_2017F)), on="cds", how="left"
    )
    out = indicator_from_counts(inputs, reporting_year=2019)
    assert out["reportingyear"].unique().to_list() == ["2019"]
    assert out.drop("reportingyear").equals(published.drop("reportingyear"))


def test_r8_1_1_without_prior_dass_only_the_dass_changed_schools_differ(
    published: pl.DataFrame,
) -> None:
    # arrange: no prior_dass_flag -> unknown -> "same_as_current"
    inputs = published.select(COUNT_COLUMNS)
    # act
    result = indicator_from_counts(inputs)
    # assert: only the 86 rows of the 20 schools that were not DASS for the class of 2017
    differs = ~result["change"].eq_missing(published["change"])
    assert int(differs.sum()) == 86
    assert published.filter(differs)["dass_flag"].all()
    assert published.filter(differs)["cds"].n_unique() == 20


# --------------------------------------------------------------------- rounding
def test_r8_1_1_change_rounds_half_away_from_zero() -> None:
    # arrange: 1000/2000 = 50.0 % now, 1017/2000 = 50.85 % before: change -0.85
    down = one(currnumer=1000, currdenom=2000, priornumer=1017, priordenom=2000)
    up = one(currnumer=1017, currdenom=2000, priornumer=1000, priordenom=2000)
    # assert
    assert down["change"] == Decimal("-0.9")
    assert up["change"] == Decimal("0.9")


def test_r8_1_change_uses_the_unrounded_rates() -> None:
    # arrange: 29/80 = 36.25 -> 36.3 and 1/3 = 33.33 -> 33.3; rounded difference 3.0,
    # exact difference 2.9166... -> 2.9
    row = one(currnumer=29, currdenom=80, priornumer=1000, priordenom=3000)
    # assert
    assert (row["currstatus"], row["priorstatus"], row["change"]) == (
        Decimal("36.3"),
        Decimal("33.3"),
        Decimal("2.9"),
    )


def test_r6_3_status_rounds_half_up_on_the_exact_ratio() -> None:
    # 29/80 = 36.25 exactly: half up gives 36.3 (half even would give 36.2)
    assert one(currnumer=29, currdenom=80)["currstatus"] == Decimal("36.3")


def test_change_tenths_is_exact_for_the_largest_denominators() -> None:
    # state ALL 2018: 432963/518317 - 422375/500096 = -0.9 (R8 reference row)
    df = pl.DataFrame({"n1": [432963], "d1": [518317], "n0": [422375], "d0": [500096]})
    out = df.select(change_tenths(pl.col("n1"), pl.col("d1"), pl.col("n0"), pl.col("d0")))
    assert out.item() == -9


# ------------------------------------------------------------ levels and colours
@pytest.mark.parametrize(
    ("numer", "level"),
    [(669, 1), (670, 2), (799, 2), (800, 3), (899, 3), (900, 4), (949, 4), (950, 5)],
)
def test_r8_1_status_cut_points_standard(numer: int, level: int) -> None:
    assert one(currnumer=numer, currdenom=1000)["statuslevel"] == level


@pytest.mark.parametrize(
    ("numer", "level"),
    [(669, 1), (670, 2), (699, 2), (700, 3), (799, 3), (800, 4), (899, 4), (900, 5)],
)
def test_r8_1_status_cut_points_dass_school(numer: int, level: int) -> None:
    assert one(currnumer=numer, currdenom=1000, dass_flag="Y")["statuslevel"] == level


def test_r8_2_coe_lea_rows_use_the_dass_cut_points() -> None:
    # 75.0 %: Low for an ordinary LEA, Medium for a county office of education
    lea = {"rtype": "D", "schoolname": "", "currnumer": 750, "currdenom": 1000}
    assert one(cds="19647330000000", **lea)["statuslevel"] == 2
    assert one(cds="19101990000000", coe_flag="Y", **lea)["statuslevel"] == 3


def test_r8_2_coe_flag_is_derived_from_the_district_code_when_absent() -> None:
    frame = counts(cds="19101990000000", rtype="D", currnumer=750, currdenom=1000).drop("coe_flag")
    row = indicator_from_counts(frame).row(0, named=True)
    assert row["coe_flag"] is True
    assert row["statuslevel"] == 3


@pytest.mark.parametrize(
    ("prior", "level"),
    [(851, 1), (850, 2), (810, 2), (809, 3), (791, 3), (790, 4), (751, 4), (750, 5)],
)
def test_r8_1_change_cut_points_standard(prior: int, level: int) -> None:
    # current 80.0 % of 1000 (no safety net); prior varies: change = 80.0 - prior
    row = one(currnumer=800, currdenom=1000, priornumer=prior, priordenom=1000)
    assert row["changelevel"] == level


def test_r8_1_1_safety_net_caps_change_levels_below_150() -> None:
    # arrange: +10.0 and -10.0 points with a current denominator of 149 and 150
    small_up = one(currnumer=119, currdenom=149, priornumer=70, priordenom=100)
    big_up = one(currnumer=135, currdenom=150, priornumer=80, priordenom=100)
    small_down = one(currnumer=89, currdenom=149, priornumer=70, priordenom=100)
    # assert
    assert (small_up["safetynet"], small_up["changelevel"]) == (True, 4)
    assert (big_up["safetynet"], big_up["changelevel"]) == (False, 5)
    assert (small_down["safetynet"], small_down["changelevel"]) == (True, 2)


def test_r8_1_colour_box_and_codes() -> None:
    # High status (90.0-94.9) and Maintained: Green (4), box 10 * (5 * 1 + 3) = 80
    row = one(currnumer=920, currdenom=1000, priornumer=920, priordenom=1000)
    assert (row["statuslevel"], row["changelevel"], row["color"], row["box"]) == (4, 3, 4, 80)


@pytest.mark.parametrize(
    ("rtype", "group", "denom", "coloured"),
    [
        ("D", "FOS", 15, True),
        ("D", "HOM", 15, True),
        ("D", "FOS", 14, False),
        ("D", "ALL", 29, False),
        ("D", "ALL", 30, True),
        ("S", "FOS", 15, False),
        ("S", "FOS", 30, True),
    ],
)
def test_r8_1_colour_threshold_15_for_foster_and_homeless_at_lea_level(
    rtype: str, group: str, denom: int, coloured: bool
) -> None:
    # arrange: both years at the same denominator, 60 % -> 80 %
    cur, pri = denom * 8 // 10, denom * 6 // 10
    row = one(
        rtype=rtype,
        studentgroup=group,
        currnumer=cur,
        currdenom=denom,
        priornumer=pri,
        priordenom=denom,
    )
    # assert: a change exists either way; only the colour depends on the threshold
    assert row["change"] is not None
    assert (row["color"] != 0) is coloured
    assert (row["box"] != 0) is coloured


def test_r8_1_colour_needs_both_denominators() -> None:
    row = one(currnumer=80, currdenom=100, priornumer=20, priordenom=29)
    assert (row["change"], row["color"], row["box"]) == (Decimal("11.0"), 0, 0)
    # the 2018 file shows the (capped) change level even without a colour
    assert row["changelevel"] == 4


def test_change_level_without_colour_can_follow_the_r8_1_1_wording() -> None:
    rules = load_dashboard_rules().model_copy(update={"change_level_without_colour": "zero"})
    frame = counts(currnumer=80, currdenom=100, priornumer=20, priordenom=29)
    assert indicator_from_counts(frame, rules)["changelevel"].item() == 0


def test_r8_1_suppression_blanks_numerator_and_status_up_to_10() -> None:
    # arrange
    small = one(currnumer=7, currdenom=10, priornumer=3, priordenom=4)
    shown = one(currnumer=7, currdenom=11, priornumer=None, priordenom=None)
    # assert
    assert (small["currnumer"], small["currstatus"], small["currdenom"]) == (None, None, 10)
    assert (small["priornumer"], small["priorstatus"], small["statuslevel"]) == (None, None, 0)
    assert (small["change"], small["changelevel"], small["color"], small["box"]) == (None, 0, 0, 0)
    assert (shown["currstatus"], shown["priordenom"], shown["change"]) == (Decimal("63.6"), 0, None)
    assert shown["statuslevel"] == 1


def test_r8_1_1_dass_status_change_means_no_change() -> None:
    # arrange: a DASS school that was not DASS for the prior class
    changed = counts(dass_flag="Y", priornumer=50).with_columns(prior_dass_flag=pl.lit(False))
    unknown = counts(dass_flag="Y", priornumer=50).with_columns(
        prior_dass_flag=pl.lit(None, pl.Boolean)
    )
    # act
    a = indicator_from_counts(changed).row(0, named=True)
    b = indicator_from_counts(unknown).row(0, named=True)
    # assert
    assert (a["change"], a["statuslevel"], a["changelevel"], a["color"]) == (None, 4, 0, 0)
    assert (b["change"], b["color"]) == (Decimal("30.0"), 4)


def test_prior_dass_from_a_file_with_a_dass_flag() -> None:
    prev = pl.DataFrame(
        {"cds": ["a", "b", "c"], "rtype": ["S", "S", "D"], "dass_flag": [True, False, False]}
    )
    assert prior_dass_from_previous(prev).rows() == [("a", True), ("b", False)]


# --------------------------------------------------------------------------- text
def test_r8_text_prints_whole_numbers_without_decimal() -> None:
    # arrange: 81.0 % now, 82.0 % before -> "81", "82", "-1"
    out = indicator_from_counts(counts(currnumer=81, priornumer=82, charter_flag="Y"))
    # act
    lines = dashboard_text(out).splitlines()
    # assert
    assert lines[0].split("\t") == list(COLUMNS)
    cells = dict(zip(COLUMNS, lines[1].split("\t"), strict=True))
    assert (cells["currstatus"], cells["priorstatus"], cells["change"]) == ("81", "82", "-1")
    assert (cells["charter_flag"], cells["coe_flag"], cells["safetynet"]) == ("Y", "", "Y")


def test_read_dashboard_types(tmp_path: Path) -> None:
    # arrange
    out = indicator_from_counts(counts(currnumer=7, currdenom=9))
    path = tmp_path / "g.txt"
    path.write_text(dashboard_text(out), encoding="ascii")
    # act
    back = read_dashboard(path)
    # assert
    assert back.equals(out)


# ------------------------------------------------------------------ from ACGR frames
#: Key columns and the graduates' count and rate, as CDE spells them (tests/helpers).
_ACGR_HEADER = "\t".join(HEADER_34[:14])


def _acgr_file(path: Path, year: str, rows: list[str]) -> pl.DataFrame:
    """Write ``|``-separated ACGR rows (AggregateLevel onwards) and read them back."""
    lines = [_ACGR_HEADER, *("\t".join((year, *r.split("|"))) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_cde_acgr(path)


def test_indicator_from_two_acgr_tables(tmp_path: Path) -> None:
    # arrange: state, a COE LEA, its DASS school (DASS now, not before), a plain LEA
    # and a charter school; gender rows are not Dashboard groups
    coe, lausd = "19|10199|", "19|64733|"
    coe_names, lausd_names = "|Los Angeles|LA County Office|", "|Los Angeles|Los Angeles Unified|"
    cur = _acgr_file(
        tmp_path / "cur.txt",
        "2017-18",
        [
            "T|00|||State|||All|All|TA|1000|830|83.0",
            "T|00|||State|||All|All|GM|500|400|80.0",
            f"D|{coe}{coe_names}|All|All|TA|40|30|75.0",
            f"S|{coe}1995596{coe_names}Alt High|All|All|TA|40|30|75.0",
            f"S|{coe}1995596{coe_names}Alt High|All|Yes|TA|40|30|75.0",
            f"S|{coe}1995596{coe_names}Alt High|No|All|TA|40|30|75.0",
            f"D|{lausd}{lausd_names}|All|All|SF|20|10|50.0",
            f"S|{lausd}0100000{lausd_names}Charter A|Yes|No|SS|200|190|95.0",
        ],
    )
    pri = _acgr_file(
        tmp_path / "pri.txt",
        "2016-17",
        [
            "T|00|||State|||All|All|TA|1000|840|84.0",
            f"D|{coe}{coe_names}|All|All|TA|40|20|50.0",
            f"S|{coe}1995596{coe_names}Alt High|All|No|TA|40|20|50.0",
            f"D|{lausd}{lausd_names}|All|All|SF|16|12|75.0",
        ],
    )
    # act
    out = indicator(cur, pri)
    # assert
    got = {(r["cds"], r["studentgroup"]): r for r in out.iter_rows(named=True)}
    assert list(got) == [
        ("00000000000000", "ALL"),
        ("19101990000000", "ALL"),
        ("19101991995596", "ALL"),
        ("19647330000000", "FOS"),
        ("19647330100000", "SED"),
    ]
    state = got[("00000000000000", "ALL")]
    assert (state["rtype"], state["countyname"], state["change"], state["color"]) == (
        "X",
        "",
        Decimal("-1.0"),
        2,
    )
    lea = got[("19101990000000", "ALL")]
    # COE: 75.0 is Medium on the DASS cuts; +25.0 Increased significantly, capped to 4
    assert (lea["rtype"], lea["coe_flag"], lea["statuslevel"]) == ("D", True, 3)
    assert (lea["changelevel"], lea["color"], lea["box"]) == (4, 4, 140)
    alt = got[("19101991995596", "ALL")]
    # DASS now, not DASS in the prior table: no change (R8.1.1)
    assert (alt["dass_flag"], alt["charter_flag"]) == (True, False)
    assert (alt["change"], alt["changelevel"], alt["color"]) == (None, 0, 0)
    fos = got[("19647330000000", "FOS")]
    # LEA foster youth: 20 and 16 >= 15 -> coloured; 50.0 - 75.0 = -25.0
    assert (fos["coe_flag"], fos["change"], fos["color"]) == (False, Decimal("-25.0"), 1)
    charter = got[("19647330100000", "SED")]
    assert (charter["charter_flag"], charter["dass_flag"]) == (True, False)
    assert (charter["priordenom"], charter["priornumer"], charter["change"]) == (0, None, None)
    assert (charter["currstatus"], charter["statuslevel"], charter["color"]) == (
        Decimal("95.0"),
        5,
        0,
    )
    assert all(r["reportingyear"] == "2018" for r in got.values())


# --------------------------------------------------------------------------- rules
def test_rules_load_with_a_base_and_overrides(tmp_path: Path) -> None:
    # arrange
    path = tmp_path / "variant.toml"
    path.write_text(
        'base = "dashboard2018"\nname = "variant"\n[n_size]\nmin_denominator = 20\n',
        encoding="utf-8",
    )
    # act
    rules = load_dashboard_rules(path)
    # assert
    assert isinstance(rules, DashboardRules)
    assert rules.n_size.min_denominator == 20
    assert rules.n_size.lea_groups == {"FOS": 15, "HOM": 15}
    assert rules.student_groups["ALL"] == "TA"
    assert len(rules.grid_codes()) == 25


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            'base = "dashboard2018"\n[n_size]\nmin_denominatr = 20\n',
            "n_size.min_denominatr: unknown key (did you mean min_denominator?); "
            "valid keys here: min_denominator, lea_groups",
        ),
        (
            'base = "dashboard2018"\n[small_denominator]\nbelow = "many"\n',
            'small_denominator.below: "many" is not allowed; it should be a valid integer, '
            "unable to parse string as an integer",
        ),
        (
            'base = "dashbord2018"\n',
            'unknown base "dashbord2018" (did you mean dashboard2018?); '
            "the built-in choices: dashboard2018, dashboard2022, dashboard2023, dashboard2024, "
            "dashboard2025",
        ),
        ('base = "dashboard2018"\nname = \n', "line 2, column 8: not valid TOML: Invalid value"),
    ],
)
def test_rules_file_problems_are_rules_errors_one_line_each(
    tmp_path: Path, text: str, problem: str
) -> None:
    # arrange: the rule-set loader reads Dashboard rules too, with its messages
    path = tmp_path / "variant.toml"
    path.write_text(text, encoding="utf-8")
    # act
    with pytest.raises(RulesError) as caught:
        load_dashboard_rules(path)
    # assert
    assert caught.value.problems == (problem,)
    assert str(caught.value) == f"rules file {path}: {problem}"


def test_rules_file_without_base_names_the_dashboard_base_in_its_hint(tmp_path: Path) -> None:
    # arrange
    path = tmp_path / "full.toml"
    path.write_text('name = "full"\n', encoding="utf-8")
    # act
    with pytest.raises(RulesError) as caught:
        load_dashboard_rules(path)
    # assert
    (line,) = caught.value.problems
    assert line.startswith("missing reporting_year, ")
    assert line.endswith('(base = "dashboard2018" starts from a built-in)')


# ------------------------------------------------- classes of the two ACGR files
#: State TA row (AggregateLevel onwards) of a small ACGR file.
STATE_TA = "T|00|||State|||All|All|TA|1000|830|83.0"


def _pair(tmp_path: Path, current: str, prior: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    return (
        _acgr_file(tmp_path / "cur.txt", current, [STATE_TA]),
        _acgr_file(tmp_path / "pri.txt", prior, [STATE_TA]),
    )


@pytest.mark.parametrize(
    ("current", "prior", "year"),
    [
        ("2017-18", "2016-17", "2018"),
        ("2018-19", "2017-18", "2019"),
        ("1999-00", "1998-99", "2000"),
    ],
)
def test_r8_2_reporting_year_is_the_end_year_of_the_current_class(
    tmp_path: Path, current: str, prior: str, year: str
) -> None:
    # act
    out = indicator(*_pair(tmp_path, current, prior))
    # assert
    assert out["reportingyear"].to_list() == [year]


@pytest.mark.parametrize(
    ("current", "prior", "message"),
    [
        ("2017-18", "2017-18", "current and prior are both 2017-18; the prior must be the class "
         "before (2016-17)"),
        ("2016-17", "2017-18", "prior (2017-18) is newer than current (2016-17); are the two "
         "swapped?"),
        ("2017-18", "2015-16", "prior is 2015-16, not the class before current (2017-18): "
         "expected 2016-17"),
        ("2017-18", "2018-19", "prior (2018-19) is newer than current (2017-18)"),
        ("2017/18", "2016-17", "current: AcademicYear '2017/18' is not an academic year (YYYY-YY)"),
        ("2017-19", "2016-17", "current: AcademicYear '2017-19' is not an academic year (YYYY-YY)"),
    ],
)  # fmt: skip
def test_r8_1_indicator_refuses_classes_not_consecutive_in_order(
    tmp_path: Path, current: str, prior: str, message: str
) -> None:
    cur, pri = _pair(tmp_path, current, prior)
    with pytest.raises(ValueError, match=re.escape(message)):
        indicator(cur, pri)


def test_r8_1_indicator_refuses_a_table_of_several_academic_years(tmp_path: Path) -> None:
    # arrange: a current table holding two classes, and one with a blank year
    mixed = pl.concat(
        [
            _acgr_file(tmp_path / "a.txt", "2017-18", [STATE_TA]),
            _acgr_file(tmp_path / "b.txt", "2016-17", [STATE_TA]),
        ]
    )
    blank = _acgr_file(tmp_path / "c.txt", "2017-18", [STATE_TA]).with_columns(
        pl.lit(None, pl.String).alias("AcademicYear")
    )
    prior = _acgr_file(tmp_path / "p.txt", "2016-17", [STATE_TA])
    # act / assert
    with pytest.raises(
        ValueError, match=re.escape("current: holds 2 AcademicYears (2016-17, 2017-18)")
    ):
        indicator(mixed, prior)
    with pytest.raises(
        ValueError, match=re.escape("prior: holds 2 AcademicYears ((blank), 2017-18)")
    ):
        reporting_year(mixed.head(1), pl.concat([blank, mixed.head(1)]))


def test_r8_indicator_refuses_a_table_without_the_columns_it_reads(tmp_path: Path) -> None:
    cur, pri = _pair(tmp_path, "2017-18", "2016-17")
    with pytest.raises(
        ValueError, match=r"prior: not an ACGR table .* lacks \['AcademicYear', 'DASS'\]"
    ):
        indicator(cur, pri.drop("DASS", "AcademicYear"))


# ------------------------------------------------------------------ command line
def _cli_files(tmp_path: Path, **years: str) -> dict[str, Path]:
    """One small ACGR file (state and one LEA) per keyword, of that AcademicYear."""
    rows = [STATE_TA, "D|19|64733||Los Angeles|Los Angeles Unified||All|All|TA|300|250|83.3"]
    paths = {}
    for name, year in years.items():
        paths[name] = tmp_path / f"{name}.txt"
        _acgr_file(paths[name], year, rows)
    return paths


def test_cli_dashboard_writes_the_indicator_of_the_current_class(tmp_path: Path) -> None:
    # arrange
    f = _cli_files(tmp_path, c18="2017-18", c17="2016-17", c19="2018-19")
    out = tmp_path / "dash.txt"
    # act
    res = runner.invoke(
        app, ["dashboard", "--current", str(f["c18"]), "--prior", str(f["c17"]), "--out", str(out)]
    )
    args = ["dashboard", "--current", str(f["c19"]), "--prior", str(f["c18"]), "--out", str(out)]
    refused = runner.invoke(app, args)
    later = runner.invoke(app, [*args, "--rules", "2018"])
    combined = runner.invoke(app, [*args, "--rules", "2024"])
    # assert: 2018 as before; 2019 has no rule set of its own: refused unless the rules
    # are named, then computed with a note on whose cut points; never a combined rate
    # (R8.3) from four-year counts
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("Dashboard 2018: 2 rows")
    assert res.stderr == ""
    assert refused.exit_code == 2
    assert refused.stderr.startswith("acgr: error: no Dashboard rule set for 2019")
    assert later.exit_code == 0, later.output
    assert read_dashboard(out)["reportingyear"].to_list() == ["2019", "2019"]
    assert later.stderr.startswith("acgr: note: Dashboard 2019 computed with the dashboard2018")
    assert combined.exit_code == 2
    assert "combined four- and five-year rate (R8.3)" in combined.stderr


def test_cli_dashboard_counts_computes_every_column_and_the_needed_graduates(
    tmp_path: Path,
) -> None:
    # arrange: the published 2024 rows as a counts file
    source = LATER_YEARS["dashboard2024"]
    out = tmp_path / "whatif.txt"
    # act
    res = runner.invoke(
        app, ["dashboard", "--counts", str(source), "--year", "2024", "--needed", "--out", str(out)]
    )
    # assert: the published cells, plus `needed` on coloured rows that are not Blue
    assert res.exit_code == 0, res.output
    got = read_dashboard(out)
    assert got.columns == [*load_dashboard_rules("2024").columns, "needed"]
    published = read_dashboard(source).sort("cds", "studentgroup")
    assert got.drop("needed").equals(published)
    has_need = got.filter(pl.col("needed").is_not_null())
    assert has_need.height > 0
    assert has_need.filter((pl.col("color") == 0) | (pl.col("color") == 5)).height == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2019"], "no Dashboard rule set for 2019"),
        ([], "--counts needs --year"),
        (["--year", "2024", "--current", "x"], "give one of: PATH... --class-of YEAR; --counts"),
    ],
)
def test_cli_dashboard_counts_refusals(tmp_path: Path, args: list[str], message: str) -> None:
    source = LATER_YEARS["dashboard2024"]
    res = runner.invoke(
        app, ["dashboard", "--counts", str(source), "--out", str(tmp_path / "o.txt"), *args]
    )
    assert res.exit_code == 2
    assert message in res.stderr
    assert not (tmp_path / "o.txt").exists()


def test_cli_dashboard_counts_without_the_fifth_year_column_is_refused(tmp_path: Path) -> None:
    # arrange: 2024 counts without fiveyrnumer
    source = tmp_path / "c.txt"
    read_dashboard(LATER_YEARS["dashboard2024"]).drop("fiveyrnumer").write_csv(
        source, separator="\t"
    )
    # act
    res = runner.invoke(
        app, ["dashboard", "--counts", str(source), "--year", "2024", "--out", str(tmp_path / "o")]
    )
    # assert
    assert res.exit_code == 2
    assert "lacks fiveyrnumer" in res.stderr


@pytest.mark.parametrize(
    ("current", "prior", "message"),
    [
        ("c18", "c18", "--current {c18} and --prior {c18} are both 2017-18"),
        ("c17", "c18", "--prior {c18} (2017-18) is newer than --current {c17} (2016-17)"),
        ("c18", "c16", "--prior {c16} is 2015-16, not the class before --current {c18}"),
        ("mixed", "c17", "--current {mixed}: holds 2 AcademicYears (2016-17, 2017-18)"),
        ("c18", "schools", "{schools}: line 1: not an ACGR file: header lacks CountyCode"),
        ("c18", "empty", "{empty}: line 1: empty file, not an ACGR file"),
        ("dash", "c17", "{dash}: line 1: not an ACGR file: header lacks CountyCode"),
        ("no_dass", "c17", "{no_dass}: line 1: not an ACGR file: header lacks DASS"),
        ("county", "c17", "--current {county}: no state (T), LEA (D) or school (S) row"),
    ],
)
def test_cli_dashboard_refuses_inputs_that_are_not_two_consecutive_classes(
    tmp_path: Path, current: str, prior: str, message: str
) -> None:
    # arrange
    f = _cli_files(tmp_path, c18="2017-18", c17="2016-17", c16="2015-16")
    f["mixed"] = tmp_path / "mixed.txt"
    f["mixed"].write_text(f["c18"].read_text() + f["c17"].read_text().split("\n", 1)[1])
    f["schools"] = tmp_path / "schools.csv"
    f["schools"].write_text("cds_code,county_name\n19647330000000,Los Angeles\n")
    f["empty"] = tmp_path / "empty.txt"
    f["empty"].write_bytes(b"")
    f["dash"] = tmp_path / "graddownload.txt"
    f["dash"].write_text("\t".join(COLUMNS) + "\n" + "\t".join(["0"] * len(COLUMNS)) + "\n")
    f["no_dass"] = tmp_path / "no_dass.txt"
    header, *body = f["c18"].read_text().splitlines()
    keep = [i for i, c in enumerate(header.split("\t")) if c != "DASS"]
    f["no_dass"].write_text(
        "\n".join("\t".join(line.split("\t")[i] for i in keep) for line in [header, *body])
    )
    f["county"] = tmp_path / "county.txt"
    _acgr_file(f["county"], "2017-18", ["C|19|||Los Angeles|||All|All|TA|300|250|83.3"])
    out = tmp_path / "dash.txt"
    # act
    res = runner.invoke(
        app,
        ["dashboard", "--current", str(f[current]), "--prior", str(f[prior]), "--out", str(out)],
    )
    # assert: one line, exit 2, nothing written
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("acgr: error: " + message.format(**f)), res.stderr
    assert res.stderr.count("\n") == 1
    assert "Traceback" not in res.output
    assert not out.exists()


def test_cli_dashboard_refuses_the_published_subset_naming_what_it_lacks(tmp_path: Path) -> None:
    f = _cli_files(tmp_path, c18="2017-18")
    res = runner.invoke(
        app,
        ["dashboard", "--current", str(f["c18"]), "--prior", str(SUBSET_1718), "--out",
         str(tmp_path / "d.txt")],
    )  # fmt: skip
    assert res.exit_code == 2
    assert res.stderr == (
        f"acgr: error: {SUBSET_1718}: line 1: not an ACGR file: header lacks AcademicYear, "
        "AggregateLevel, CountyName, DistrictName, SchoolName, DASS\n"
    )


# ------------------------------------------------------- later Dashboard years (R8.3)
#: The published rows of 2023 and 2024 kept in tests/data (Monterey County), each with
#: the rule set of its year.
LATER_YEARS = {
    "dashboard2023": DATA / "graddownload2023_monterey_subset.tsv",
    "dashboard2024": DATA / "graddownload2024_monterey_subset.tsv",
}
LATER_CHECKED = (
    *(c for c in CHECKED if c != "safetynet"),
    "currnumer",
    "priornumer",
    "priordenom",
    "smalldenom",
    "currnsizemet",
    "priornsizemet",
    "accountabilitymet",
    "indicator",
    "reportingyear",
)


@pytest.mark.parametrize(("name", "path"), LATER_YEARS.items(), ids=list(LATER_YEARS))
def test_r8_3_reproduces_every_published_row_from_its_counts(name: str, path: Path) -> None:
    # arrange: only the identifying columns and the counts of each published row
    published = read_dashboard(path)
    rules = load_dashboard_rules(name)
    inputs = published.select(*COUNT_COLUMNS, "fiveyrnumer")
    # act
    result = indicator_from_counts(inputs, rules)
    # assert: every row, every computed column, the year's 27 columns in order
    assert result.columns == list(rules.columns) == list(published.columns)
    assert result.height == published.height == {"dashboard2023": 137, "dashboard2024": 141}[name]
    ordered = published.sort("cds", "studentgroup")
    mismatches = {c: int((~result[c].eq_missing(ordered[c])).sum()) for c in LATER_CHECKED}
    assert sum(mismatches.values()) == 0, f"mismatches per column: {mismatches}"


@pytest.mark.parametrize(("name", "path"), LATER_YEARS.items(), ids=list(LATER_YEARS))
def test_r8_3_writes_the_published_cells_as_cde_does(name: str, path: Path) -> None:
    # arrange: the published text, rows in CDE's order (cds, then student group)
    lines = path.read_text("utf-8").splitlines()
    header, body = lines[0], sorted(lines[1:], key=lambda x: (x.split("\t")[0], x.split("\t")[8]))
    inputs = read_dashboard(path).select(*COUNT_COLUMNS, "fiveyrnumer")
    # act
    text = dashboard_text(indicator_from_counts(inputs, load_dashboard_rules(name)))
    # assert
    assert text.splitlines() == [header, *body]


def test_r8_3_the_combined_rate_needs_the_fifth_year_graduates() -> None:
    # arrange: 2024 counts without fiveyrnumer
    rules = load_dashboard_rules("2024")
    # act / assert: refused, never computed as if there were none
    with pytest.raises(ValueError, match="fiveyrnumer"):
        indicator_from_counts(counts(), rules)


def one_2024(**overrides: Any) -> dict[str, Any]:
    """The single output row for one input row under the 2024 rules."""
    frame = counts(**overrides).with_columns(pl.lit(0).alias("fiveyrnumer"))
    return indicator_from_counts(frame, load_dashboard_rules("2024")).row(0, named=True)


@pytest.mark.parametrize(
    ("numer", "level"), [(679, 1), (680, 2), (799, 2), (800, 3), (904, 3), (905, 4), (950, 5)]
)
def test_r8_3_status_cut_points_from_2023(numer: int, level: int) -> None:
    # 68.0 / 80.0 / 90.5 / 95.0 on the rounded status (1000 students: tenths exact)
    assert one_2024(currnumer=numer, currdenom=1000)["statuslevel"] == level


def test_r8_3_dass_schools_and_coe_leas_use_the_standard_cut_points() -> None:
    # 72.0: Low (2) for every row from 2022; in 2018 a DASS school's 72.0 was Medium (3)
    row = one_2024(currnumer=720, currdenom=1000, dass_flag="Y")
    assert row["statuslevel"] == 2
    assert one(currnumer=720, currdenom=1000, dass_flag="Y")["statuslevel"] == 3


def test_r8_3_small_denominator_reads_the_3x5_grid_but_shows_the_raw_change_level() -> None:
    # arrange: 100 students, High status (92.0), change +10.0 (Increased significantly)
    row = one_2024(currnumer=92, currdenom=100, priornumer=82, priordenom=100)
    # assert: level 5 shown, colour and box of level 4 (Green, 90), smalldenom Y
    assert (row["statuslevel"], row["changelevel"], row["color"], row["box"]) == (4, 5, 4, 90)
    assert row["smalldenom"] is True
    # with 150 students the regular grid: Blue, box 100
    big = one_2024(currnumer=138, currdenom=150, priornumer=123, priordenom=150)
    assert (big["changelevel"], big["color"], big["box"], big["smalldenom"]) == (5, 5, 100, False)


def test_r8_3_accountability_needs_the_n_size_both_years() -> None:
    # 29 prior students: no colour, accountabilitymet N; LTEL at LEA level needs 15
    row = one_2024(priornumer=20, priordenom=29)
    assert (row["currnsizemet"], row["priornsizemet"], row["accountabilitymet"]) == (
        True,
        False,
        False,
    )
    assert row["color"] == 0
    lea = one_2024(
        rtype="D",
        cds="19647330000000",
        studentgroup="LTEL",
        currnumer=20,
        currdenom=25,
        priornumer=15,
        priordenom=20,
    )
    assert (lea["accountabilitymet"], lea["color"] > 0) == (True, True)


def test_r8_3_a_group_without_prior_row_leaves_priordenom_blank() -> None:
    row = one_2024(priornumer=None, priordenom=None)
    assert row["priordenom"] is None
    assert row["change"] is None
    assert one(priornumer=None, priordenom=None)["priordenom"] == 0  # 2018 wrote 0


def test_r8_3_2022_is_status_only() -> None:
    # arrange
    frame = counts().with_columns(pl.lit(3).alias("fiveyrnumer"))
    # act
    row = indicator_from_counts(frame, load_dashboard_rules("2022")).row(0, named=True)
    # assert: a status and its level; no prior, change or colour
    assert (row["currstatus"], row["statuslevel"]) == (Decimal("80"), 3)
    assert (row["priordenom"], row["change"], row["changelevel"], row["color"]) == (
        None,
        None,
        0,
        0,
    )
    assert (row["accountabilitymet"], row["reportingyear"], row["fiveyrnumer"]) == (True, "2022", 3)


def test_r8_3_every_dashboard_year_has_a_rule_set() -> None:
    for year in (2018, 2022, 2023, 2024, 2025):
        rules = load_dashboard_rules(str(year))
        assert rules.reporting_year == str(year)
        assert rules.combined_five_year == (year >= 2019)
    assert "LTEL" in load_dashboard_rules("2025").student_groups
    assert "LTEL" not in load_dashboard_rules("2023").student_groups
    with pytest.raises(FileNotFoundError):
        load_dashboard_rules("2019")


@pytest.mark.parametrize("name", ["dashboard2018", "dashboard2023", "dashboard2024"])
def test_small_denominator_grid_is_the_regular_grid_at_the_capped_level(name: str) -> None:
    # Decision (found in the data): CDE's "3x5 grid" reads change levels 1 and 5 as 2 and 4
    r = load_dashboard_rules(name)
    caps = r.small_denominator.change_level_caps
    for s in range(5):
        for c in range(5):
            capped = caps.get(c + 1, c + 1) - 1
            assert r.small_denominator.colour_grid[s][c] == r.colour_grid[s][capped]


def _fifth_table(path: Path, year: str, rows: list[str]) -> pl.DataFrame:
    """A five-year table: ACGR key rows whose graduates column holds fifth-year graduates."""
    return _acgr_file(path, year, rows).rename(
        {"Regular HS Diploma Graduates (Count)": FIFTH_YEAR_HEADER}
    )


def test_r8_3_combined_rate_adds_fifth_year_graduates_to_both_counts(tmp_path: Path) -> None:
    # arrange: class 2024 at a school of 100 (80 graduates); class 2023's fifth year: 5
    # graduates at that school and 2 at a school with no class-2024 cohort; the prior
    # pair: class 2023 (90/100) plus class 2022's 4 fifth-year graduates at the school
    d, a, b = (
        "19|64733|",
        "1900001|Los Angeles|LA Unified|A High",
        "1900002|Los Angeles|LA Unified|B High",
    )
    state = "T|00|||State|||All|All|TA"
    cur = _acgr_file(
        tmp_path / "c.txt", "2023-24", [f"{state}|100|80|80.0", f"S|{d}{a}|All|All|TA|100|80|80.0"]
    )
    pri = _acgr_file(
        tmp_path / "p.txt", "2022-23", [f"{state}|100|90|90.0", f"S|{d}{a}|All|All|TA|100|90|90.0"]
    )
    cur5 = _fifth_table(
        tmp_path / "c5.txt",
        "2023-24",
        [f"{state}|100|7|0", f"S|{d}{a}|All|All|TA|100|5|0", f"S|{d}{b}|All|All|TA|2|2|0"],
    )
    pri5 = _fifth_table(
        tmp_path / "p5.txt", "2022-23", [f"{state}|100|4|0", f"S|{d}{a}|All|All|TA|100|4|0"]
    )
    # act
    out = combined_indicator(cur, pri, cur5, pri5, load_dashboard_rules("2024"))
    # assert: (80 + 5) / (100 + 5); the school of only fifth-year graduates: 2 / 2
    got = {r["cds"]: r for r in out.iter_rows(named=True)}
    school_a, school_b = got["19647331900001"], got["19647331900002"]
    assert (school_a["currnumer"], school_a["currdenom"], school_a["fiveyrnumer"]) == (85, 105, 5)
    assert (school_a["priornumer"], school_a["priordenom"]) == (94, 104)
    assert (school_b["currdenom"], school_b["fiveyrnumer"], school_b["priordenom"]) == (2, 2, None)
    state_row = got["00000000000000"]
    assert (state_row["currnumer"], state_row["currdenom"]) == (87, 107)
