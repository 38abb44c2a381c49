"""Cohort membership and periods (docs/rules.md R2.1-R2.3): hand-worked cases for the class of 2018.

Students of the tests share one extract (see :class:`tests.helpers.Scenario`),
computed once for the class of 2018 and once for 2019; each test reads only its SSIDs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acgr.pipeline import AcgrResult
from acgr.rules.cohort import CohortPeriods, academic_year_end, of_students, year_of_last
from acgr.rules.ruleset import MonthDay, load_rules
from tests.helpers import D, Scenario, grad, in_class, outcome, rec, run, student

S = Scenario()

# ---------------------------------------------------------------------------- R2.1


def _earliest_start(ssid: str) -> list[str]:
    # grade 10 in Year2 and grade 9 a year earlier
    return [
        rec(ssid, D(2015, 8, 20), "10", school="1930001", exit=D(2018, 6, 8), code="E230",
            completion="100"),
        rec(ssid, D(2014, 8, 20), "09", exit=D(2015, 6, 10), code="T160"),
    ]  # fmt: skip


EARLIEST = ("2101000001", "2101000002")
S.add(*_earliest_start(EARLIEST[0]), *_earliest_start(EARLIEST[1])[::-1])


def test_r2_1_initial_record_is_the_earliest_start(scenario: AcgrResult) -> None:
    # (the second student has the same records in the other file order)
    for ssid in EARLIEST:
        row = student(scenario, ssid)
        assert (row["initial_start_date"], row["initial_grade"]) == (D(2014, 8, 20), "09")


def _same_day(ssid: str) -> list[str]:
    # two records starting the same day in Year2, grades 11 and 10: grade 10 in Year2 is
    # class 2018, grade 11 would be class 2017
    return [
        rec(ssid, D(2015, 8, 20), "11", school="1930001"),
        rec(ssid, D(2015, 8, 20), "10", school="1930002", exit=D(2018, 6, 8), code="E230",
            completion="100"),
    ]  # fmt: skip


SAME_DAY = ("2101000011", "2101000012")
S.add(*_same_day(SAME_DAY[0]), *_same_day(SAME_DAY[1])[::-1])


def test_r2_1_same_day_tie_takes_the_lowest_grade(scenario: AcgrResult) -> None:
    for ssid in SAME_DAY:
        row = student(scenario, ssid)
        assert (row["initial_grade"], row["class_of"]) == ("10", 2018)


# ---------------------------------------------------------------------------- R2.2

ON_TIME = {
    "2102000009": rec("2102000009", D(2014, 8, 20), "09"),
    "2102000010": rec("2102000010", D(2015, 8, 20), "10"),
    "2102000011": rec("2102000011", D(2016, 8, 20), "11"),
    "2102000012": rec("2102000012", D(2017, 8, 20), "12"),
}
S.add(*ON_TIME.values())


def test_r2_2_initial_grade_and_year_give_class_2018(scenario: AcgrResult) -> None:
    # grade 9 in Year1, 10 in Year2, 11 in Year3, 12 in Year4: all class 2018
    for ssid in ON_TIME:
        assert student(scenario, ssid)["class_of"] == 2018


NINTH_IN_YEAR2 = "2102000100"
S.add(rec(NINTH_IN_YEAR2, D(2015, 8, 20), "09"))


def test_r2_2_grade_9_in_year2_belongs_to_class_2019(
    scenario: AcgrResult, class_2019: AcgrResult
) -> None:
    assert not in_class(scenario, NINTH_IN_YEAR2)
    assert student(class_2019, NINTH_IN_YEAR2)["class_of"] == 2019
    assert not in_class(class_2019, "2102000009")


JUNE_30, JULY_1 = "2102000200", "2102000201"
S.add(
    # grade 9 starting on 30 June 2014 is academic year 2013-14 (class 2017)
    rec(JUNE_30, D(2014, 6, 30), "09", academic_year_id="2014-2015"),
    rec(JULY_1, D(2014, 7, 1), "09", academic_year_id="2014-2015"),
)


def test_r2_2_year1_starts_on_1_july(scenario: AcgrResult) -> None:
    assert not in_class(scenario, JUNE_30)
    assert in_class(scenario, JULY_1)


RETAINED = "2102000300"
S.add(
    # grade 9 in Year1, retained in grade 9 in Year2, grade 10 in Year3 (open)
    rec(RETAINED, D(2014, 8, 20), "09", exit=D(2015, 6, 10), code="T160"),
    rec(RETAINED, D(2015, 8, 20), "09", school="1930001", exit=D(2016, 6, 10), code="T160"),
    rec(RETAINED, D(2016, 8, 20), "10", school="1930002"),
)


def test_r2_2_retention_does_not_move_the_student(
    scenario: AcgrResult, class_2019: AcgrResult
) -> None:
    row = student(scenario, RETAINED)
    assert (row["class_of"], row["outcome"]) == (2018, "Still Enrolled")
    assert not in_class(class_2019, RETAINED)


NO_SHOW_FIRST = "2102000400"
S.add(
    # a grade-9 no-show (N470, dated the day before its start) in Year1, then grade 9 in Year2
    rec(NO_SHOW_FIRST, D(2014, 8, 20), "09", exit=D(2014, 8, 19), code="N470"),
    rec(NO_SHOW_FIRST, D(2015, 8, 20), "09", school="1930001"),
)


def test_r2_2_excluded_record_does_not_start_the_cohort(
    scenario: AcgrResult, class_2019: AcgrResult
) -> None:
    assert not in_class(scenario, NO_SHOW_FIRST)
    assert student(class_2019, NO_SHOW_FIRST)["initial_start_date"] == D(2015, 8, 20)


# ---------------------------------------------------------------------------- R2.3


def test_r2_3_periods_of_the_class_of_2018() -> None:
    # act
    p = CohortPeriods.for_class(2018, load_rules("2018"))
    # assert
    assert p.class_of == 2018
    assert p.year1_start == D(2014, 7, 1)
    assert p.membership_end == D(2018, 6, 30)
    assert p.summer_cutoff == D(2018, 8, 15)
    assert p.extraction_date == D(2018, 9, 15)
    assert p.academic_year_label == "2017-18"


def test_r2_3_custom_extraction_date() -> None:
    p = CohortPeriods.for_class(2018, load_rules("2018"), D(2018, 10, 31))
    assert p.extraction_date == D(2018, 10, 31)
    assert p.summer_cutoff == D(2018, 8, 15)


def test_r2_3_extraction_date_before_the_school_year_ends_is_refused() -> None:
    # arrange: an extract of 1 January 2017 cannot show how the class of 2018 ended
    p = CohortPeriods.for_class(2018, load_rules("2018"), D(2017, 1, 1))
    # act / assert
    with pytest.raises(ValueError, match="before 2018-07-01") as caught:
        p.check_extraction_date()
    assert str(caught.value) == (
        "extraction date 2017-01-01 is before 2018-07-01, before the class of 2018's last "
        "school year is over (R2.3): an extract taken then cannot show the class's outcomes; "
        "give a date on or after 2018-07-01 (the summer cutoff is 2018-08-15)"
    )


@pytest.mark.parametrize(
    ("extraction", "accepted", "warned"),
    [
        (D(2018, 6, 30), False, False),
        (D(2018, 7, 1), True, True),
        (D(2018, 8, 14), True, True),
        (D(2018, 8, 15), True, False),
        (D(2018, 9, 15), True, False),
    ],
)
def test_r2_3_extraction_date_refused_before_1_july_warned_before_the_cutoff(
    extraction: D, accepted: bool, warned: bool
) -> None:
    rules = load_rules("2018")
    if not accepted:
        with pytest.raises(ValueError, match="last school year is over"):
            CohortPeriods.for_class(2018, rules, extraction, check=True)
        return
    periods = CohortPeriods.for_class(2018, rules, extraction, check=True)
    assert periods.extraction_date == extraction
    assert bool(periods.early_extraction_warning()) == warned


def test_r2_3_the_cutoff_of_a_variant_rule_set_is_the_one_warned_of(tmp_path: Path) -> None:
    # arrange: a 30 June cutoff makes a 1 August extract complete
    f = tmp_path / "june.toml"
    f.write_text('base = "2018"\n[summer_cutoff]\nmonth = 6\nday = 30\n')
    june, x = load_rules(f), D(2018, 8, 1)
    # act / assert
    assert CohortPeriods.for_class(2018, june, x).early_extraction_warning() == []
    (warning,) = CohortPeriods.for_class(2018, load_rules("2018"), x).early_extraction_warning()
    assert "before the summer cutoff 2018-08-15" in warning


@pytest.mark.parametrize(
    ("class_of", "expected"),
    [
        (2017, D(2017, 9, 15)),
        (2018, D(2018, 9, 15)),
        (2022, D(2022, 9, 15)),
        (2023, D(2023, 8, 25)),
        (2024, D(2024, 8, 16)),
        (2025, D(2025, 8, 8)),
        (2026, D(2026, 7, 31)),
        (2031, D(2031, 7, 31)),
    ],
)
def test_r2_3_default_extraction_date_per_class_from_cde_pull_dates(
    class_of: int, expected: D
) -> None:
    periods = CohortPeriods.for_class(class_of, load_rules("2018"), check=True)
    assert periods.extraction_date == expected
    # the pulls of 2025 and 2026 fall before the 15 August cutoff: said, not refused
    assert bool(periods.early_extraction_warning()) == (expected < D(class_of, 8, 15))


def test_r7_checked_periods_refuse_a_class_the_rule_set_does_not_cover() -> None:
    with pytest.raises(ValueError, match="give the four-digit year"):
        CohortPeriods.for_class(18, load_rules("2018"), check=True)
    with pytest.raises(ValueError, match="the legacy rule set covers it"):
        CohortPeriods.for_class(2016, load_rules("2018"), check=True)
    # compare-rules applies legacy to the class of 2018 on purpose
    assert CohortPeriods.for_class(2018, load_rules("legacy"), check=True).class_of == 2018


def test_r2_3_unchecked_periods_keep_what_they_are_given() -> None:
    # Without check=True nothing is refused (callers choose when to check).
    p = CohortPeriods.for_class(2018, load_rules("2018"), D(2017, 1, 1))
    assert (p.extraction_date, p.summer_cutoff) == (D(2017, 1, 1), D(2018, 8, 15))


LATE_REENROL = "2103000001"
LATE_REENROL_LINES = [
    # a Year4 dropout re-enrols on 1 Oct 2018 (after the default X, 15 Sept)
    rec(LATE_REENROL, exit=D(2018, 3, 1), code="E400"),
    rec(LATE_REENROL, D(2018, 10, 1), "12", school="1930001"),
]
S.add(*LATE_REENROL_LINES)


def test_r2_3_custom_extraction_date_reads_later_reenrolments(
    scenario: AcgrResult, tmp_path: Path
) -> None:
    # act
    later = run(tmp_path, LATE_REENROL_LINES, extraction_date=D(2018, 10, 31))
    # assert
    assert scenario.periods.extraction_date == D(2018, 9, 15)
    assert later.periods.extraction_date == D(2018, 10, 31)
    assert later.periods.summer_cutoff == D(2018, 8, 15)
    assert outcome(scenario, LATE_REENROL) == "Dropout"
    assert outcome(later, LATE_REENROL) == "Still Enrolled"
    assert scenario.rates["AcademicYear"].unique().to_list() == ["2017-18"]


AUG_15, AUG_16 = "2103000015", "2103000016"
S.add(grad(AUG_15, exit=D(2018, 8, 15)), grad(AUG_16, exit=D(2018, 8, 16)))


def test_r2_3_summer_cutoff_is_inclusive(scenario: AcgrResult) -> None:
    assert outcome(scenario, AUG_15) == "Graduate"
    assert outcome(scenario, AUG_16) == "Still Enrolled"


scenario = S.fixture()


@pytest.fixture(scope="module")
def class_2019(tmp_path_factory: pytest.TempPathFactory) -> AcgrResult:
    """The same students computed for the class of 2019."""
    return run(tmp_path_factory.mktemp("class_2019"), S.lines, class_of=2019)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9998, 12, 31)), max_size=40),
    st.sampled_from([(7, 1), (8, 15), (3, 1), (2, 28), (1, 1), (12, 31)]),
)
def test_r1_5_academic_year_end_matches_the_calendar(
    dates: list[dt.date], year_start: tuple[int, int]
) -> None:
    """The shifted-year shortcut equals "end year = year, plus one from the start day on"."""
    base = load_rules("2018")
    month, day = year_start
    rules = base.model_copy(update={"academic_year_start": MonthDay(month=month, day=day)})
    got = (
        pl.Series(dates, dtype=pl.Date).to_frame("d").select(academic_year_end(pl.col("d"), rules))
    )
    want = [d.year + ((d.month, d.day) >= (month, day)) for d in dates]
    assert got.to_series().to_list() == want


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9998, 12, 31)), max_size=40),
    st.sampled_from([(8, 16), (2, 28), (3, 1), (1, 1)]),
)
def test_year_of_last_matches_the_calendar(
    dates: list[dt.date], month_day: tuple[int, int]
) -> None:
    """SENR0317's deadline test: the year of the latest month/day on or before a date."""
    month, day = month_day
    got = (
        pl.Series(dates, dtype=pl.Date)
        .to_frame("d")
        .select(year_of_last(pl.col("d"), MonthDay(month=month, day=day)))
    )
    want = [d.year - ((d.month, d.day) < (month, day)) for d in dates]
    assert got.to_series().to_list() == want


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(st.sampled_from(["1", "2", "3", "01", None]), max_size=12),
    cohort=st.lists(st.sampled_from(["1", "3", "01", None]), max_size=4),
)
def test_of_students_keeps_exactly_what_a_semi_join_keeps(
    rows: list[str | None], cohort: list[str | None]
) -> None:
    """The cohort's rows by a membership filter: the rows a semi join on ``ssid`` keeps
    (a null SSID matches nothing, "01" is not "1"), in their order."""
    frame = pl.DataFrame(
        {"ssid": rows, "row": range(len(rows))}, schema_overrides={"ssid": pl.String}
    )
    students = pl.DataFrame({"ssid": cohort}, schema={"ssid": pl.String})
    got = of_students(frame.lazy(), students).collect()
    expected = frame.join(students, on="ssid", how="semi").sort("row")
    assert got.equals(expected)
    assert of_students(frame, students).equals(got)
