"""Readable text: wrapping between words, plurals, tables within 100 columns, the scope."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from acgr.publish.scope import NAMED_LEAS, rate_subject, scope_of
from acgr.publish.text import WIDTH, Column, plural, text_table, wrap
from acgr.rules.ruleset import load_rules

RULES = load_rules("2018")
words = st.lists(st.text("abcdefghij", min_size=1, max_size=15), min_size=1, max_size=40)


@given(words, st.integers(20, 100))
def test_wrap_never_cuts_a_word_and_keeps_every_word(ws: list[str], width: int) -> None:
    lines = wrap(" ".join(ws), width, indent="  ")
    assert all(len(line) <= width for line in lines)  # no word here is longer than a line
    assert " ".join(lines).split() == ws


def test_wrap_leaves_a_word_longer_than_the_line_whole() -> None:
    path = "/very/long/folder/name/findings.csv"
    assert path in wrap(f"details in {path} now", 20)


def test_wrap_of_the_message_cut_mid_word_before() -> None:
    message = (
        "prior-year enrollment was not exited before 16 August of the next year "
        "(exit it with the right code and date)"
    )
    lines = wrap(message, 60)
    assert lines == [
        "prior-year enrollment was not exited before 16 August of the",
        "next year (exit it with the right code and date)",
    ]


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 findings"), (1, "1 finding"), (2, "2 findings"), (1234, "1,234 findings")],
)
def test_plural_agrees_with_the_count(n: int, text: str) -> None:
    assert plural(n, "finding") == text


def test_text_table_wraps_its_flexible_column_within_the_width() -> None:
    long = "word " * 60
    lines = text_table(
        [Column("id"), Column("n", right=True), Column("text", wraps=True)], [("R1.4", 7, long)]
    )
    assert all(len(line) <= WIDTH for line in lines)
    assert lines[2].startswith("  R1.4  7  word")
    assert lines[3].startswith("           word")  # continuation under its column
    assert " ".join(lines[2:]).split()[2:] == long.split()


def _rates(leas: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    """TA All/All rows of a rate table: a state row, county rows, LEA (D) rows."""
    counties = sorted({(c, cn) for c, _, cn, _ in leas})
    rows: list[tuple[str, str, str | None, str, str]] = [("T", "00", None, "State", "")]
    rows += [("C", c, None, cn, "") for c, cn in counties]
    rows += [("D", c, d, cn, dn) for c, d, cn, dn in leas]
    return pl.DataFrame(
        rows,
        schema=["AggregateLevel", "CountyCode", "DistrictCode", "CountyName", "DistrictName"],
        orient="row",
    ).with_columns(ReportingCategory=pl.lit("TA"), CharterSchool=pl.lit("All"), DASS=pl.lit("All"))


def test_scope_of_one_lea_names_it_with_its_county() -> None:
    scope = scope_of(_rates([("19", "64733", "Los Angeles", "Vista Ridge Unified")]), RULES)
    assert scope.label == "Vista Ridge Unified (LEA 1964733)"
    assert scope.description == "one LEA: Vista Ridge Unified (LEA 1964733), Los Angeles County"
    assert not scope.statewide
    assert rate_subject(scope) == "Vista Ridge Unified (LEA 1964733)"


def test_scope_of_an_lea_without_names_gives_its_code() -> None:
    assert scope_of(_rates([("19", "64733", "", "")]), RULES).label == "LEA 1964733"


def test_scope_of_two_leas_in_two_counties_names_both_and_is_not_the_state() -> None:
    scope = scope_of(
        _rates(
            [
                ("19", "64733", "Los Angeles", "Vista Ridge Unified"),
                ("37", "73551", "San Diego", "Coastal Mesa Unified"),
            ]
        ),
        RULES,
    )
    assert scope.label == "2 LEAs"
    assert scope.description == (
        "2 LEAs in 2 counties: Vista Ridge Unified (1964733), Coastal Mesa Unified (3773551)"
    )
    assert rate_subject(scope) == "the 2 LEAs"


def test_scope_of_many_leas_names_the_counties() -> None:
    leas = [(f"{c:02d}", f"{60000 + c}", f"County{c}", f"D{c}") for c in range(1, NAMED_LEAS + 3)]
    scope = scope_of(_rates(leas), RULES)
    assert scope.label == f"{NAMED_LEAS + 2} LEAs in {NAMED_LEAS + 2} counties"
    assert "County1 (01)" in scope.description
    assert "D1" not in scope.description


def test_scope_is_the_state_from_statewide_min_counties_counties() -> None:
    """Decision statewide_min_counties (57: every county but Alpine has a cohort)."""
    leas = [(f"{c:02d}", f"{60000 + c}", f"County{c}", f"D{c}") for c in range(1, 58)]
    assert scope_of(_rates(leas), RULES).statewide
    assert scope_of(_rates(leas), RULES).label == "the state"
    assert not scope_of(_rates(leas[:-1]), RULES).statewide
    fewer = RULES.model_copy(update={"statewide_min_counties": 56})
    assert scope_of(_rates(leas[:-1]), fewer).statewide
