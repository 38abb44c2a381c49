"""Every published rate of two real CDE ACGR subsets, recomputed (docs/rules.md R6.2, R6.3, R6.4).

The files (``tests/data/cohort1718_Final.tsv`` and ``cohort1819_Final.tsv``, see
PROVENANCE.md there) keep CohortStudents, graduates, UC/CSU and Seal of Biliteracy
counts and rates for GF, GM, RH, RW and RA rows.
Excel dropped trailing ``.0`` (``100``, ``65``, ``0``), so rates are compared as
normalised numbers. CDE writes the indicator rates as ``0`` when there are no
graduates.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from acgr.publish.rates import rate_half_up, rate_text
from acgr.publish.suppression import with_suppression
from acgr.rules.ruleset import load_rules
from tests.helpers import DATA

#: file -> published rows
FILES: dict[str, int] = {"cohort1718_Final.tsv": 44_548, "cohort1819_Final.tsv": 44_601}

GRADS = "Regular HS Diploma Graduates"
#: rate column -> (numerator count column, denominator column)
RATES: dict[str, tuple[str, str]] = {
    f"{GRADS} (Rate)": (f"{GRADS} (Count)", "CohortStudents"),
    "Met UC/CSU Grad Req's (Rate)": ("Met UC/CSU Grad Req's (Count)", f"{GRADS} (Count)"),
    "Seal of Biliteracy (Rate)": ("Seal of Biliteracy (Count)", f"{GRADS} (Count)"),
}

_CACHE: dict[str, pl.DataFrame] = {}


def published(name: str) -> pl.DataFrame:
    """One converted CDE file, every column as text, counts cast to Int64."""
    if name not in _CACHE:
        raw = pl.read_csv(DATA / name, separator="\t", infer_schema=False)
        counts = ["CohortStudents", *(n for n, _ in RATES.values())]
        _CACHE[name] = raw.with_columns(pl.col(c).cast(pl.Int64) for c in set(counts))
    return _CACHE[name]


def _normalised(text: pl.Expr) -> pl.Expr:
    """``36.0`` -> ``36``, ``0.0`` -> ``0``: the form Excel left in the files."""
    return text.str.strip_chars().str.replace(r"\.0$", "")


def _half_even(n: int, d: int) -> Decimal:
    """n / d x 100 to one decimal, rounding half to even (exact integer arithmetic)."""
    if d == 0:
        return Decimal(0)
    q, r = divmod(n * 1000, d)
    if 2 * r > d or (2 * r == d and q % 2 == 1):
        q += 1
    return Decimal(q) / 10


@pytest.mark.parametrize("name", sorted(FILES))
def test_r6_3_rate_text_reproduces_every_published_rate(name: str) -> None:
    # arrange
    df = published(name)
    assert df.height == FILES[name]
    # act: the Polars expression over the whole file at once
    ours = df.select(
        *(
            (_normalised(rate_text(pl.col(num), pl.col(den))) == _normalised(pl.col(rate))).alias(
                rate
            )
            for rate, (num, den) in RATES.items()
        )
    )
    # assert
    for rate in RATES:
        mismatches = ours.height - ours[rate].sum()
        assert mismatches == 0, f"{name}: {rate}: {mismatches} rows differ"


@pytest.mark.parametrize("name", sorted(FILES))
def test_r6_3_rate_half_up_reproduces_every_published_rate(name: str) -> None:
    # arrange
    df = published(name)
    # act / assert: the Python twin, compared as Decimal numbers
    checked = 0
    for rate, (num, den) in RATES.items():
        bad = [
            (n, d, text)
            for n, d, text in zip(df[num], df[den], df[rate], strict=True)
            if Decimal(rate_half_up(n, d)) != Decimal(text)
        ]
        assert bad == [], f"{name}: {rate}: {len(bad)} rows differ, e.g. {bad[:3]}"
        checked += df.height
    assert checked == 3 * FILES[name]


@pytest.mark.parametrize("name", sorted(FILES))
def test_r6_2_indicator_rates_are_zero_without_graduates(name: str) -> None:
    df = published(name).filter(pl.col(f"{GRADS} (Count)") == 0)
    assert df.height > 0
    for rate in list(RATES)[1:]:
        assert set(df[rate].to_list()) == {"0"}
        ours = df.select(rate_text(pl.lit(0), pl.col(f"{GRADS} (Count)")).alias("r"))["r"]
        assert set(ours.to_list()) == {"0.0"}


@pytest.mark.parametrize("name", sorted(FILES))
def test_r6_3_round_half_even_would_not_match(name: str) -> None:
    # the published rates pin the rounding: half-to-even disagrees on exact ties
    df = published(name)
    num, den = RATES[f"{GRADS} (Rate)"]
    wrong = sum(
        _half_even(n, d) != Decimal(text)
        for n, d, text in zip(df[num], df[den], df[f"{GRADS} (Rate)"], strict=True)
    )
    assert wrong > 100, wrong


@pytest.mark.parametrize("name", sorted(FILES))
def test_r6_4_published_rows_are_never_starred(name: str) -> None:
    # arrange: the published (unsuppressed) rows as count rows keyed by entity
    df = published(name)
    rows = df.lazy().select(
        pl.when(pl.col("SchoolCode").cast(pl.Int64) == 0)
        .then(pl.lit("D"))
        .otherwise(pl.lit("S"))
        .alias("level"),
        pl.col("CountyCode").str.zfill(2).alias("county_code"),
        pl.col("DistrictCode").str.zfill(5).alias("district_code"),
        pl.col("SchoolCode").str.zfill(7).alias("school_code"),
        pl.col("CharterSchool").str.strip_chars().alias("charter"),
        pl.lit("All").alias("dass"),
        pl.col("ReportingCategory").alias("category"),
        pl.col("CohortStudents").alias("cohort"),
    )
    # act
    out = with_suppression(rows, load_rules("2018")).collect()
    # assert
    assert out.height == FILES[name]
    assert out["cohort"].min() == 11
    assert out["suppressed"].sum() == 0
