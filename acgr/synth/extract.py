"""Synthetic CALPADS extracts for tests, demos and benchmarks (never real data).

:func:`write_synthetic` writes a statewide-looking set of caret-delimited CALPADS
files in the *submission* layouts of :mod:`acgr.read.layouts` (no header row, LF,
UTF-8): ``calpads/senr.txt``, ``sinf.txt``, ``sprg.txt`` and ``sela.txt``, plus a
schools directory ``schools.csv`` (docs/formats.md, side tables) *beside* the
``calpads/`` folder, so ``acgr.pipeline.compute(out_dir / "calpads", ...)`` reads the
extracts only.

Who is in the files. ``students`` students of the class ``class_of`` (with
``classes=K``: of each class ``class_of`` … ``class_of + K - 1``) plus 1.5 times
as many students of each neighbouring class (``class_of - 1`` and the class after
the last), so a statewide run of 500,000 class students writes about two million
students and more than ten million SENR records. Each student has a story drawn
from a state-like mix: about 83% of cohort students graduate (some in the summer:
an E156 year-end exit, then a one-day E230/100 record by 15 August), 9% drop out
(E140, E300, E400, E410, T380, E150, E155, E230/360, or a T160 lost transfer),
2.5% transfer to adult education or college (T260/T280), 0.5% complete without a
diploma (E230 with 120/250/320/330), 5% are still enrolled (open records,
retained students, fifth-year seniors, graduates after the summer cutoff), and 5%
of all students are removed (T200, T240, T180, T370, E130).

Records. One primary record (status 10) per school year from grade 7 (at a
middle school, for most grade-9 entrants) to the last high-school year;
continuing students are exited at each year end with T160 and re-enrolled in
August (a simplification: the rules only need a later record to follow a T16x
exit). Mid-year transfers within and across LEAs split a year into two records
(T160 then a new enrollment a few days later); a few students leave and come
back (E140/E400 then re-enrollment); some enter in grade 10-12; some repeat a
grade; a few have a summer short-term record (status 30, most of them 30 days
or shorter) and a concurrent secondary record (status 20, exit E170). Grade
codes are two digits, every exit code has an exit date and every E230 a valid
completion status, the academic year ID matches the start date, and qualifying
records of one student never overlap, so the files raise no findings under the
2018 rule set. Records that would start after the extraction date of the last
class (15 September) are not written; records that would end after it are
written open.

SINF carries race, Hispanic ethnicity, gender and parent education (a second,
later record for some students); SPRG programs 144 (disabilities), 135
(migrant), 191 (homeless), 193 (tribal foster youth) and 181/182 (free or
reduced-price meals, one record per year); SELA English acquisition statuses
(EO, IFEP, EL, and EL then RFEP). Names come from a tiny fixed list of made-up
words; birth dates and SSIDs are random.

Everything is vectorised (NumPy columns, Polars strings); students are made in
fixed-size blocks, each from its own seed, so the same seed always gives
byte-identical files, whatever the machine.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import polars as pl

from acgr.read.layouts import SELA, SENR, SINF, SPRG, Layout
from acgr.rules.ruleset import Outcome

__all__ = ["GENERATOR_VERSION", "SynthSummary", "write_synthetic"]

#: Bumped whenever the same seed would give different files (benchmark cache key).
GENERATOR_VERSION = 1

#: Students made per block: fixed, so output does not depend on memory or size.
BLOCK_STUDENTS = 100_000
#: Neighbouring classes get this many students per class student.
NEIGHBOUR_FACTOR = 1.5
#: Records are written only when they start on or before 15 September of the last class.
HORIZON_MONTH_DAY = (9, 15)

NONE = -1  # no date

FIRST_NAMES = ("Alba", "Bruno", "Cielo", "Dario", "Elian", "Fable", "Galen", "Hollis")
LAST_NAMES = ("Quill", "Rowan", "Sable", "Thorne", "Umber", "Vale", "Wren", "Yarrow")

# Code tables: arrays of small ints index into these (0 = blank).
EXIT_CODES: tuple[str | None, ...] = (
    None,
    "T160",
    "E230",
    "E156",
    "E140",
    "E300",
    "E400",
    "E410",
    "T380",
    "E150",
    "E155",
    "T260",
    "T280",
    "T200",
    "T240",
    "T180",
    "E130",
    "T370",
    "E170",
)
_X = {code: i for i, code in enumerate(EXIT_CODES) if code}
COMPLETIONS: tuple[str | None, ...] = (None, "100", "120", "250", "320", "330", "360")
_C = {code: i for i, code in enumerate(COMPLETIONS) if code}
STATUSES: tuple[str, ...] = ("10", "20", "30")
GRADES: tuple[str, ...] = tuple(f"{g:02d}" for g in range(13))
INDICATOR: tuple[str | None, ...] = (None, "N", "Y")

# Story categories of a student.
GRAD, SUMMER_GRAD, DROPOUT, OTHER_TRANSFER, COMPLETER, STILL, REMOVED = range(7)
#: Cohort mix (removed students come on top, as a share of all students).
COHORT_MIX = {
    GRAD: 0.80,
    SUMMER_GRAD: 0.03,
    DROPOUT: 0.09,
    OTHER_TRANSFER: 0.025,
    COMPLETER: 0.005,
    STILL: 0.05,
}
REMOVED_SHARE = 0.05

# Sub-mixes: (exit code, completion, share).
DROPOUT_MIX = (
    ("E140", None, 0.26),
    ("E300", None, 0.12),
    ("E400", None, 0.10),
    ("E410", None, 0.06),
    ("T380", None, 0.05),
    ("T160", None, 0.25),
    ("E230", "360", 0.10),
    ("E150", None, 0.03),
    ("E155", None, 0.03),
)
OTHER_TRANSFER_MIX = (("T260", None, 0.5), ("T280", None, 0.5))
COMPLETER_MIX = (
    ("E230", "120", 0.45),
    ("E230", "250", 0.15),
    ("E230", "320", 0.15),
    ("E230", "330", 0.25),
)
REMOVED_MIX = (
    ("T200", None, 0.45),
    ("T240", None, 0.25),
    ("T180", None, 0.15),
    ("T370", None, 0.10),
    ("E130", None, 0.05),
)
#: Still enrolled: retained (grade 11 in Year4), a fifth year at the same school, a
#: fifth year at another school (the fifth year ends with E230/100 or E140, open while
#: it runs), a graduation after the summer cutoff (before the extraction date).
STILL_MIX = (0.35, 0.30, 0.25, 0.10)

COMPLETER_OUTCOME = {
    "120": Outcome.SPED_CERTIFICATE,
    "250": Outcome.ADULT_ED_DIPLOMA,
    "320": Outcome.GED_COMPLETER,
    "330": Outcome.CHSPE_COMPLETER,
}


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`write_synthetic` wrote.

    Attributes:
        students: students in the files, every class.
        class_students: students of the requested class(es).
        cohort_students: of those, the students expected in the adjusted cohort
            (not Removed).
        senr_rows: SENR records written (also ``sinf_rows``, ``sprg_rows``, ``sela_rows``).
        files: files written (four extracts and ``schools.csv``).
        seconds: wall time.
        extract_dir: the folder holding the four CALPADS files.
        schools_path: the schools directory CSV.
        expected_outcomes: class -> outcome -> students, by construction.
    """

    students: int
    class_students: int
    cohort_students: int
    senr_rows: int
    sinf_rows: int
    sprg_rows: int
    sela_rows: int
    files: int
    seconds: float
    extract_dir: Path
    schools_path: Path
    expected_outcomes: Mapping[int, Mapping[str, int]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------
# Small vectorised helpers
# ---------------------------------------------------------------------------------
def _i32(values: Any) -> np.ndarray:
    out: np.ndarray = np.asarray(values).astype(np.int32)
    return out


def _days(year: Any, month: Any, day: Any = 1) -> np.ndarray:
    """Days since 1970-01-01 of (year, month, day), element-wise."""
    months = (np.asarray(year, dtype=np.int64) - 1970) * 12 + (np.asarray(month) - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return _i32(first + np.asarray(day) - 1)


def _draw(rng: np.random.Generator, shares: Any, n: int) -> np.ndarray:
    """Category index per row with the given shares (normalised)."""
    p = np.asarray(shares, dtype=np.float64)
    cum = np.cumsum(p / p.sum())
    cum[-1] = 1.0
    return np.searchsorted(cum, rng.random(n), side="right").astype(np.int8)


def _uniform_int(rng: np.random.Generator, lo: Any, hi: Any, n: int) -> np.ndarray:
    """Integers in [lo, hi] (inclusive), element-wise bounds."""
    lo = np.asarray(lo, dtype=np.int64)
    span = np.maximum(np.asarray(hi, dtype=np.int64) - lo + 1, 1)
    return _i32(lo + np.floor(rng.random(n) * span).astype(np.int64))


def _codes(
    mix: tuple[tuple[str, str | None, float], ...], pick: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    exit_idx = np.array([_X[c] for c, _, _ in mix], dtype=np.int8)[pick]
    comp_idx = np.array([_C[k] if k else 0 for _, k, _ in mix], dtype=np.int8)[pick]
    return exit_idx, comp_idx


def _text(table: tuple[str | None, ...], idx: np.ndarray) -> pl.Series:
    return pl.Series(list(table), dtype=pl.String).gather(pl.Series(idx.astype(np.int64)))


# ---------------------------------------------------------------------------------
# Schools
# ---------------------------------------------------------------------------------
@dataclass
class _Schools:
    """High schools ``0 .. n_hs-1`` (grouped by LEA) then middle schools."""

    n_hs: int
    lea_of: np.ndarray  # per school
    cal_start: np.ndarray  # per school: first day = 1 Aug + this
    cal_end: np.ndarray  # per school: last day = 1 Jun + this
    hs_lo: np.ndarray  # per LEA: first high school
    hs_cnt: np.ndarray
    ms_lo: np.ndarray  # per LEA: first middle school
    ms_cnt: np.ndarray
    hs_cum_weight: np.ndarray  # for a size-weighted pick of a high school
    lea_text: pl.Series  # per school: 7-digit Reporting LEA
    school_text: pl.Series  # per school: 7-digit school code
    directory: pl.DataFrame


def _make_schools(rng: np.random.Generator, n_hs: int, n_leas: int) -> _Schools:
    n_leas = max(1, min(n_leas, n_hs))
    n_ms = n_leas + n_hs // 2
    n_counties = min(58, n_leas)
    # LEA -> county, district code. A few LEAs are county offices (district 10xxx).
    county = np.concatenate(
        [np.arange(1, n_counties + 1), rng.integers(1, n_counties + 1, n_leas - n_counties)]
    )
    n_coe = min(n_counties, n_leas // 20)
    district = rng.choice(np.arange(61000, 78000), size=n_leas, replace=False)
    district[:n_coe] = 10000 + county[:n_coe] * 10 + 1
    lea_code = np.char.add(
        np.char.zfill(county.astype(str), 2), np.char.zfill(district.astype(str), 5)
    )
    # Schools -> LEA, every LEA with at least one high and one middle school.
    hs_lea = np.sort(np.concatenate([np.arange(n_leas), rng.integers(0, n_leas, n_hs - n_leas)]))
    ms_lea = np.sort(np.concatenate([np.arange(n_leas), rng.integers(0, n_leas, n_ms - n_leas)]))
    lea_of = np.concatenate([hs_lea, ms_lea])
    n_all = n_hs + n_ms
    codes = rng.choice(np.arange(100000, 7000000), size=n_all, replace=False)
    school_code = np.char.zfill(codes.astype(str), 7)
    hs_cnt = np.bincount(hs_lea, minlength=n_leas)
    ms_cnt = np.bincount(ms_lea, minlength=n_leas)
    hs_lo = np.concatenate([[0], np.cumsum(hs_cnt)[:-1]])
    ms_lo = n_hs + np.concatenate([[0], np.cumsum(ms_cnt)[:-1]])
    weight = rng.lognormal(0.0, 0.7, n_hs)
    coe_school = lea_of < n_coe
    charter = ~coe_school & (rng.random(n_all) < 0.10)
    dass = coe_school | (rng.random(n_all) < 0.03)
    weight[dass[:n_hs]] *= 0.15  # alternative schools are small
    kind = np.where(np.arange(n_all) < n_hs, "High", "Middle")
    directory = pl.DataFrame(
        {
            "cds_code": np.char.add(lea_code[lea_of], school_code),
            "county_name": np.char.add(
                "Synthetic County ", np.char.zfill(county[lea_of].astype(str), 2)
            ),
            "district_name": np.char.add("Synthetic District ", district[lea_of].astype(str)),
            "school_name": np.char.add(
                np.char.add(np.char.add("Synthetic ", kind), " "), school_code
            ),
            "charter": np.where(charter, "Y", "N"),
            "dass": np.where(dass, "Y", "N"),
        }
    ).sort("cds_code")
    return _Schools(
        n_hs=n_hs,
        lea_of=lea_of,
        cal_start=rng.integers(10, 28, n_all).astype(np.int32),
        cal_end=rng.integers(0, 15, n_all).astype(np.int32),
        hs_lo=hs_lo,
        hs_cnt=hs_cnt,
        ms_lo=ms_lo,
        ms_cnt=ms_cnt,
        hs_cum_weight=np.cumsum(weight) / weight.sum(),
        lea_text=pl.Series(lea_code[lea_of].tolist(), dtype=pl.String),
        school_text=pl.Series(school_code.tolist(), dtype=pl.String),
        directory=directory,
    )


def _any_hs(rng: np.random.Generator, sc: _Schools, n: int) -> np.ndarray:
    pick = np.searchsorted(sc.hs_cum_weight, rng.random(n), side="right")
    return _i32(np.minimum(pick, sc.n_hs - 1))


def _other_hs(rng: np.random.Generator, sc: _Schools, school: np.ndarray) -> np.ndarray:
    """Another high school, in the same LEA when it has several (for concurrent records)."""
    lea = sc.lea_of[school]
    cnt = sc.hs_cnt[lea]
    off = np.floor(rng.random(school.size) * np.maximum(cnt - 1, 1)).astype(np.int64)
    own = school - sc.hs_lo[lea]
    in_lea = sc.hs_lo[lea] + np.where(off >= own, off + 1, off)
    elsewhere = (school + 1) % sc.n_hs
    return np.where(cnt > 1, in_lea, elsewhere).astype(np.int32)


def _year_start(sc: _Schools, school: np.ndarray, ay: np.ndarray) -> np.ndarray:
    """First school day of academic year ``ay``-``ay+1`` at ``school``."""
    return _i32(_days(ay, 8, 1) + sc.cal_start[school])


def _year_end(sc: _Schools, school: np.ndarray, ay: np.ndarray) -> np.ndarray:
    """Last school day of academic year ``ay``-``ay+1`` at ``school``."""
    return _i32(_days(ay + 1, 6, 1) + sc.cal_end[school])


# ---------------------------------------------------------------------------------
# Students of one block
# ---------------------------------------------------------------------------------
_SLOT_FIELDS = (
    "act",
    "sch",
    "start",
    "exit",
    "code",
    "comp",
    "grade",
    "status",
    "uc",
    "seal",
    "gssmd",
)


def _slot(n: int) -> dict[str, np.ndarray]:
    return {
        "act": np.zeros(n, bool),
        "sch": np.zeros(n, np.int32),
        "start": np.full(n, NONE, np.int32),
        "exit": np.full(n, NONE, np.int32),
        "code": np.zeros(n, np.int8),
        "comp": np.zeros(n, np.int8),
        "grade": np.zeros(n, np.int8),
        "status": np.zeros(n, np.int8),
        "uc": np.zeros(n, np.int8),
        "seal": np.zeros(n, np.int8),
        "gssmd": np.zeros(n, np.int8),
    }


@dataclass
class _Block:
    """One block of students: per-student arrays and their SENR slots."""

    gidx: np.ndarray
    cls: np.ndarray
    category: np.ndarray
    comp_final: np.ndarray  # completion of the deciding E230 (completers)
    first_school: np.ndarray
    first_start: np.ndarray
    first_t: np.ndarray
    last_t: np.ndarray
    year_school: np.ndarray  # (n, 5) school at the end of each high-school year
    senr: dict[str, np.ndarray]
    student: np.ndarray  # SENR row -> block student index


def _students(
    rng: np.random.Generator, sc: _Schools, gidx: np.ndarray, cls: np.ndarray, horizon: int
) -> _Block:
    n = gidx.size
    u = rng.random  # shorthand
    # -- story -------------------------------------------------------------------
    removed = u(n) < REMOVED_SHARE
    category = np.where(removed, REMOVED, _draw(rng, list(COHORT_MIX.values()), n)).astype(np.int8)
    g0 = np.array([9, 10, 11, 12], np.int8)[_draw(rng, [0.86, 0.07, 0.045, 0.025], n)]
    first_t = (g0 - 9).astype(np.int8)
    last_t = np.full(n, 3, np.int8)
    mode = np.ones(n, np.int8)  # terminal record: 0 open, 1 exit at year end, 2 mid-year
    term_code = np.full(n, _X["E230"], np.int8)
    term_comp = np.full(n, _C["100"], np.int8)
    extra_day = np.zeros(n, bool)  # a one-day E230/100 record after the last year
    extra_lo = np.zeros(n, np.int32)  # its date range, days after 1 July of the class year
    extra_hi = np.zeros(n, np.int32)
    retained_at = np.full(n, 99, np.int8)  # year after which a grade is repeated

    grad = category == GRAD
    early = _draw(rng, [0.97, 0.02, 0.01], n)
    mode[grad & (early == 1)] = 2
    last_t[grad & (early == 2) & (first_t <= 2)] = 2

    summer = category == SUMMER_GRAD
    term_code[summer], term_comp[summer] = _X["E156"], 0
    extra_day |= summer
    extra_lo[summer], extra_hi[summer] = 0, 45  # 1 July .. 15 August

    def terminal(
        mask: np.ndarray, mix: tuple[tuple[str, str | None, float], ...], years: list[float]
    ) -> np.ndarray:
        pick = _draw(rng, [s for _, _, s in mix], n)
        code, comp = _codes(mix, pick)
        term_code[mask], term_comp[mask] = code[mask], comp[mask]
        tt = _draw(rng, years, n) + (4 - len(years))
        last_t[mask] = np.maximum(tt, first_t)[mask]
        mode[mask] = 2
        return pick

    drop = category == DROPOUT
    pick = terminal(drop, DROPOUT_MIX, [0.1, 0.2, 0.3, 0.4])
    e230_360 = drop & (pick == 6)
    last_t[e230_360], mode[e230_360] = 3, 1
    mode[drop & (pick == 5) & (u(n) < 0.5)] = 1  # lost transfers at year end
    terminal(category == OTHER_TRANSFER, OTHER_TRANSFER_MIX, [0.5, 0.5])
    comp_mask = category == COMPLETER
    pick = terminal(comp_mask, COMPLETER_MIX, [0.5, 0.5])
    sped = comp_mask & (pick == 0)
    last_t[sped], mode[sped] = 3, 1
    adult = comp_mask & (pick == 1)
    last_t[adult] = 3
    rem = category == REMOVED
    terminal(rem, REMOVED_MIX, [0.25, 0.25, 0.25, 0.25])
    mode[rem & (u(n) < 0.3)] = 1

    still = category == STILL
    kind = _draw(rng, STILL_MIX, n)
    kind[still & (kind == 0) & (first_t >= 3)] = 1  # cannot repeat a grade
    fifth = still & (kind <= 2)  # a fifth high-school year, which ends after the cutoff
    last_t[fifth] = 4
    fifth_grad = fifth & (u(n) < 0.7)
    term_code[fifth] = np.where(fifth_grad, _X["E230"], _X["E140"])[fifth]
    term_comp[fifth] = np.where(fifth_grad, _C["100"], 0)[fifth]
    mode[fifth] = np.where(fifth_grad, 1, 2)[fifth]
    retained = still & (kind == 0)
    retained_at[retained] = _uniform_int(rng, first_t, 2, n)[retained]
    force_move = still & (kind == 2)
    late = still & (kind == 3)
    term_code[late], term_comp[late] = _X["E156"], 0
    extra_day |= late
    extra_lo[late], extra_hi[late] = 46, 71  # 16 August .. 10 September
    # Some dropouts repeated a grade too.
    rdrop = drop & (u(n) < 0.05) & (first_t <= 1) & (last_t >= 2)
    retained_at[rdrop] = first_t[rdrop]

    comp_final = np.where(category == COMPLETER, term_comp, 0).astype(np.int8)
    first_school = _any_hs(rng, sc, n)
    lea = sc.lea_of[first_school]
    # Graduate indicators (on the E230/100 record).
    ind_uc = np.where(u(n) < 0.50, 2, 1).astype(np.int8)
    ind_seal = np.where(u(n) < 0.10, 2, 1).astype(np.int8)
    ind_gssmd = np.where(u(n) < 0.15, 2, 1).astype(np.int8)

    slots: list[dict[str, np.ndarray]] = []
    # -- grade 7 and 8 at a middle school ------------------------------------------
    middle = (g0 == 9) & (u(n) < 0.9)
    ms = (sc.ms_lo[lea] + np.floor(u(n) * sc.ms_cnt[lea])).astype(np.int32)
    for t, grade in ((-2, 7), (-1, 8)):
        s = _slot(n)
        ay = cls - 4 + t
        s["act"] = middle.copy()
        s["sch"] = ms
        s["start"] = _year_start(sc, ms, ay)
        s["exit"] = _year_end(sc, ms, ay)
        s["code"][:] = _X["T160"]
        s["grade"][:] = grade
        slots.append(s)

    # -- high-school years -------------------------------------------------------
    cur = first_school.copy()
    year_school = np.zeros((n, 5), np.int32)
    year_end = np.zeros((n, 5), np.int32)
    year_grade = np.zeros((n, 5), np.int8)
    late_entry = (g0 > 9) & (u(n) < 0.3)
    first_start = np.full(n, NONE, np.int32)
    for t in range(5):
        ay = cls - 4 + t
        active = (first_t <= t) & (t <= last_t)
        is_last = t == last_t
        a_start = _year_start(sc, cur, ay)
        entry = late_entry & (first_t == t)
        a_start = np.where(entry, a_start + _uniform_int(rng, 0, 120, n), a_start)
        a_end = _year_end(sc, cur, ay)
        first_start = np.where(first_t == t, a_start, first_start)
        grade = np.minimum(9 + t - (t > retained_at), 12).astype(np.int8)
        # A mid-year transfer (1) or a leave and return (2) splits the year in two records.
        r = u(n)
        split = np.where(r < 0.06, 1, np.where(r < 0.07, 2, 0)).astype(np.int8)
        within = u(n) < 0.6
        target = np.where(within, _other_hs(rng, sc, cur), _any_hs(rng, sc, n))
        d_split = (
            a_start
            + 20
            + np.floor(u(n) * np.maximum((a_end - a_start) // 2 - 20, 1)).astype(np.int32)
        )
        gap = np.where(split == 1, _uniform_int(rng, 1, 7, n), _uniform_int(rng, 20, 60, n))
        b_start = d_split + gap
        b_school = np.where(split == 1, target, cur).astype(np.int32)
        b_end = _year_end(sc, b_school, ay)
        split[b_start + 30 >= b_end] = 0
        split[~active] = 0
        has_b = split > 0
        chain_start = np.where(has_b, b_start, a_start)
        chain_school = np.where(has_b, b_school, cur).astype(np.int32)
        chain_end = np.where(has_b, b_end, a_end)
        term_date = chain_start + np.floor((0.2 + 0.75 * u(n)) * (chain_end - chain_start)).astype(
            np.int32
        )
        term_date = np.where(mode == 2, term_date, chain_end)
        end = np.where(is_last, np.where(mode == 0, NONE, term_date), chain_end)
        code = np.where(is_last, term_code, _X["T160"]).astype(np.int8)
        comp = np.where(is_last, term_comp, 0).astype(np.int8)
        grad_rec = is_last & (term_code == _X["E230"]) & (term_comp == _C["100"])
        leave_code = np.where(u(n) < 0.7, _X["E140"], _X["E400"]).astype(np.int8)

        sa, sb = _slot(n), _slot(n)
        for s in (sa, sb):
            s["grade"] = grade
            s["uc"][:] = s["seal"][:] = s["gssmd"][:] = 1
        sa["act"] = active
        sa["sch"] = cur.copy()
        sa["start"] = a_start
        sa["exit"] = np.where(has_b, d_split, end)
        sa["code"] = np.where(has_b, np.where(split == 1, _X["T160"], leave_code), code)
        sa["comp"] = np.where(has_b, 0, comp)
        sb["act"] = active & has_b
        sb["sch"] = b_school
        sb["start"] = b_start
        sb["exit"] = end
        sb["code"] = code
        sb["comp"] = comp
        last_rec = np.where(has_b, 1, 0)
        for which, s in enumerate((sa, sb)):
            m = grad_rec & (last_rec == which)
            s["uc"] = np.where(m, ind_uc, s["uc"])
            s["seal"] = np.where(m, ind_seal, s["seal"])
            s["gssmd"] = np.where(m, ind_gssmd, s["gssmd"])
        slots += [sa, sb]
        year_school[:, t] = chain_school
        year_end[:, t] = chain_end
        year_grade[:, t] = grade
        # Moving over the summer: a new school next year.
        move = active & (t < last_t) & ((u(n) < 0.04) | (force_move & (t == 3)))
        cur = np.where(move, target, chain_school).astype(np.int32)

    # -- one-day graduation record after the last year (summer / late graduates) -----
    s = _slot(n)
    last_idx = np.minimum(last_t, 4).astype(np.int64)
    rows = np.arange(n)
    day = _days(cls, 7, 1) + _uniform_int(rng, extra_lo, extra_hi, n)
    s["act"] = extra_day
    s["sch"] = year_school[rows, last_idx]
    s["start"] = s["exit"] = day
    s["code"][:], s["comp"][:] = _X["E230"], _C["100"]
    s["grade"] = year_grade[rows, last_idx]
    s["uc"], s["seal"], s["gssmd"] = ind_uc, ind_seal, ind_gssmd
    slots.append(s)

    # -- summer short-term record (status 30) and a secondary record (status 20) ----
    span = last_t.astype(np.int64) - first_t
    ts = np.minimum(first_t + np.floor(u(n) * np.maximum(span, 1)).astype(np.int64), 2)
    ok = (span >= 1) & (ts < last_t) & (ts >= first_t)
    s = _slot(n)
    s["act"] = ok & (u(n) < 0.04)
    s["sch"] = _other_hs(rng, sc, year_school[rows, ts])
    s["start"] = year_end[rows, ts] + _uniform_int(rng, 3, 7, n)
    length = np.where(u(n) < 0.8, _uniform_int(rng, 10, 25, n), _uniform_int(rng, 35, 45, n))
    s["exit"] = s["start"] + length
    s["code"][:] = _X["T160"]
    s["grade"] = year_grade[rows, ts]
    s["status"][:] = 2
    s["uc"][:] = s["seal"][:] = s["gssmd"][:] = 1
    slots.append(s)
    s = _slot(n)
    s["act"] = ok & (u(n) < 0.04)
    s["sch"] = _other_hs(rng, sc, year_school[rows, ts])
    s["start"] = _days(cls - 4 + ts, 9, 1) + _uniform_int(rng, 0, 60, n)
    s["exit"] = s["start"] + _uniform_int(rng, 30, 150, n)
    s["code"][:] = _X["E170"]
    s["grade"] = year_grade[rows, ts]
    s["status"][:] = 1
    s["uc"][:] = s["seal"][:] = s["gssmd"][:] = 1
    slots.append(s)

    # -- flatten student-major, cut at the horizon ----------------------------------
    act = np.stack([s["act"] for s in slots], axis=1) & (
        np.stack([s["start"] for s in slots], axis=1) <= horizon
    )
    student = np.nonzero(act)[0].astype(np.int32)
    senr = {f: np.stack([s[f] for s in slots], axis=1)[act] for f in _SLOT_FIELDS if f != "act"}
    after = senr["exit"] > horizon
    senr["exit"][after] = NONE
    senr["code"][after] = 0
    senr["comp"][after] = 0
    graded = senr["grade"] >= 9
    for f in ("uc", "seal", "gssmd"):
        senr[f][after & graded] = 1
    return _Block(
        gidx=gidx,
        cls=cls,
        category=category,
        comp_final=comp_final,
        first_school=first_school,
        first_start=first_start,
        first_t=first_t,
        last_t=last_t,
        year_school=year_school,
        senr=senr,
        student=student,
    )


# ---------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------
def _date_text(days: np.ndarray) -> pl.Series:
    d = pl.col("d")
    return (
        pl.DataFrame({"d": days.astype(np.int32)})
        .select(pl.when(d >= 0).then(d).otherwise(None).cast(pl.Date).dt.strftime("%Y%m%d"))
        .to_series()
    )


def _academic_year(days: np.ndarray) -> pl.Series:
    d = days.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    y = year - (month < 7)
    return pl.Series(y).cast(pl.String) + "-" + pl.Series(y + 1).cast(pl.String)


def _lines(layout: Layout, columns: Mapping[str, pl.Series | str], n: int) -> pl.DataFrame:
    """One ``line`` column: the caret records of ``layout`` (blank where not given)."""
    frame = pl.DataFrame({k: v for k, v in columns.items() if isinstance(v, pl.Series)})
    if frame.width == 0:
        frame = pl.DataFrame({"_": pl.repeat(None, n, dtype=pl.String, eager=True)})
    exprs = []
    for f in layout.fields:
        v = columns.get(f.column)
        if v is None:
            exprs.append(pl.lit(""))
        elif isinstance(v, str):
            exprs.append(pl.lit(v))
        else:
            exprs.append(pl.col(f.column).cast(pl.String).fill_null(""))
    return frame.select(pl.concat_str(exprs, separator="^").alias("line"))


def _write(frame: pl.DataFrame, fh: IO[bytes]) -> None:
    frame.write_csv(fh, include_header=False, quote_style="never")


def _person(block: _Block, who: np.ndarray, demo: dict[str, np.ndarray]) -> dict[str, Any]:
    """Identity columns shared by every record type, for block students ``who``."""
    g = block.gidx[who]
    return {
        "ssid": pl.Series(demo["ssid"][who]).cast(pl.String),
        "local_student_id": pl.Series(g + 1).cast(pl.String).str.zfill(9),
        "student_legal_first_name": _text(FIRST_NAMES, g % len(FIRST_NAMES)),
        "student_legal_last_name": _text(LAST_NAMES, (g // 7) % len(LAST_NAMES)),
        "student_birth_date": _date_text(demo["birth"][who]),
        "student_gender_code": _text(("M", "F", "X"), demo["gender"][who]),
    }


def _write_senr(block: _Block, sc: _Schools, demo: dict[str, np.ndarray], fh: IO[bytes]) -> int:
    r = block.senr
    n = r["start"].size
    # Chronological within a student (stable: slots are already nearly in order).
    order = np.lexsort((r["start"], block.student))
    r = {k: v[order] for k, v in r.items()}
    who = block.student[order]
    sch = pl.Series(r["sch"].astype(np.int64))
    cols: dict[str, Any] = {
        "record_type_code": "SENR",
        "reporting_lea": sc.lea_text.gather(sch),
        "school_of_attendance": sc.school_text.gather(sch),
        "academic_year_id": _academic_year(r["start"]),
        **_person(block, who, demo),
        "student_birth_state_province_code": "CA",
        "student_birth_country_code": "US",
        "enrollment_start_date": _date_text(r["start"]),
        "enrollment_status_code": _text(STATUSES, r["status"]),
        "grade_level_code": _text(GRADES, r["grade"]),
        "enrollment_exit_date": _date_text(r["exit"]),
        "student_exit_reason_code": _text(EXIT_CODES, r["code"]),
        "student_school_completion_status": _text(COMPLETIONS, r["comp"]),
        "student_met_all_uc_csu_requirements_indicator": _text(INDICATOR, r["uc"]),
        "student_golden_state_seal_merit_diploma_indicator": _text(INDICATOR, r["gssmd"]),
        "student_seal_of_biliteracy_indicator": _text(INDICATOR, r["seal"]),
    }
    _write(_lines(SENR, cols, n), fh)
    return n


def _demographics(
    rng: np.random.Generator, block: _Block, ssid_offset: int
) -> dict[str, np.ndarray]:
    n = block.gidx.size
    u = rng.random
    return {
        "ssid": 1_000_000_000
        + (block.gidx.astype(np.int64) * 2654435761 + ssid_offset) % 9_000_000_000,
        "birth": _days(block.cls - 19, 9, 2) + np.floor(u(n) * 365).astype(np.int32),
        "gender": _draw(rng, [0.505, 0.49, 0.005], n),
        # race group: H, W, A, B, F, I, P, T (two or more), D (not reported)
        "race": _draw(rng, [0.54, 0.22, 0.12, 0.05, 0.025, 0.005, 0.005, 0.025, 0.01], n),
        "race_detail": rng.integers(0, 9, n).astype(np.int8),
        "parent_ed": _draw(rng, [0.12, 0.18, 0.25, 0.22, 0.15, 0.08], n),
        "parent_ed2": _draw(rng, [0.12, 0.18, 0.25, 0.22, 0.15, 0.08], n),
        "second_sinf": (u(n) < 0.2) & (block.first_t <= 1),
    }


_ASIAN = ("201", "202", "203", "204", "205", "206", "207", "208", "299")
_PACIFIC = ("301", "302", "303", "304", "399", "301", "302", "303", "304")
_PARENT_ED = ("10", "11", "12", "13", "14", "15")


def _write_sinf(
    block: _Block, sc: _Schools, demo: dict[str, np.ndarray], horizon: int, fh: IO[bytes]
) -> int:
    n = block.gidx.size
    two = demo["second_sinf"]
    change = _days(block.cls - 4 + block.first_t + 1, 10, 1)
    two &= change <= horizon
    who = np.concatenate([np.arange(n), np.nonzero(two)[0]])
    second = np.concatenate([np.zeros(n, bool), np.ones(int(two.sum()), bool)])
    order = np.lexsort((second, who))
    who, second = who[order], second[order]
    start = np.where(second, change[who], np.minimum(block.first_start[who], horizon))
    end = np.where(~second & two[who], change[who] - 1, NONE)
    race, detail = demo["race"][who], demo["race_detail"][who]
    race1 = np.select(
        [race == 0, race == 1, race == 2, race == 3, race == 4, race == 5, race == 6, race == 7],
        [
            np.where(detail < 7, "700", "100"),
            "700",
            np.array(_ASIAN)[detail],
            "600",
            "400",
            "100",
            np.array(_PACIFIC)[detail],
            "700",
        ],
        default="",
    )
    race2 = np.where(race == 7, np.where(detail < 5, "201", "600"), "")
    sch = pl.Series(block.first_school[who].astype(np.int64))
    parent = np.where(second, demo["parent_ed2"][who], demo["parent_ed"][who])
    cols: dict[str, Any] = {
        "record_type_code": "SINF",
        "effective_start_date": _date_text(start),
        "effective_end_date": _date_text(end),
        "reporting_lea": sc.lea_text.gather(sch),
        "school_of_attendance": sc.school_text.gather(sch),
        "academic_year_id": _academic_year(start),
        **_person(block, who, demo),
        "student_birth_state_province_code": "CA",
        "student_birth_country_code": "US",
        "student_hispanic_ethnicity_indicator": pl.Series(np.where(race == 0, "Y", "N")),
        "student_ethnicity_missing_indicator": pl.Series(np.where(race == 8, "Y", "N")),
        "student_race_1_code": pl.Series(race1),
        "student_race_2_code": pl.Series(race2),
        "student_race_missing_indicator": pl.Series(np.where(race == 8, "Y", "N")),
        "address_state_province_code": "CA",
        "student_initial_us_school_enrollment_date_k12": _date_text(
            _days(block.cls[who] - 13, 8, 20)
        ),
        "enrolled_in_us_school_less_than_three_cumulative_years_indicator": "N",
        "parent_guardian_highest_education_level_code": _text(_PARENT_ED, parent),
    }
    _write(_lines(SINF, cols, who.size), fh)
    return int(who.size)


def _write_sprg(
    rng: np.random.Generator,
    block: _Block,
    sc: _Schools,
    demo: dict[str, np.ndarray],
    horizon: int,
    fh: IO[bytes],
) -> int:
    n = block.gidx.size
    u = rng.random
    rows = np.arange(n)
    parts: list[dict[str, np.ndarray]] = []

    def add(
        mask: np.ndarray,
        program: str,
        member: str,
        start: np.ndarray,
        end: np.ndarray,
        school: np.ndarray,
        extra: str = "",
    ) -> None:
        idx = np.nonzero(mask & (start <= horizon))[0]
        parts.append(
            {
                "who": idx,
                "program": np.full(idx.size, program),
                "member": np.full(idx.size, member),
                "start": start[idx],
                "end": np.where(end[idx] > horizon, NONE, end[idx]),
                "school": school[idx],
                "extra": np.full(idx.size, extra),
            }
        )

    span = np.maximum(block.last_t.astype(np.int64) - block.first_t + 1, 1)
    t_any = np.minimum(block.first_t + np.floor(u(n) * span).astype(np.int64), 4)
    ay_any = block.cls - 4 + t_any
    sch_any = block.year_school[rows, t_any]
    add(
        u(n) < 0.12,
        "144",
        "2",
        _days(block.cls - 10, 1, 15) + rng.integers(0, 2000, n),
        np.full(n, NONE, np.int32),
        block.first_school,
        "SWD",
    )
    add(u(n) < 0.03, "135", "2", _days(ay_any, 7, 1), _days(ay_any + 1, 6, 30), sch_any)
    add(
        u(n) < 0.04,
        "191",
        "2",
        _days(ay_any, 8, 20) + rng.integers(0, 200, n),
        _days(ay_any + 1, 6, 30),
        sch_any,
        "HOM",
    )
    add(u(n) < 0.002, "193", "2", _days(ay_any, 9, 1), _days(ay_any + 1, 6, 30), sch_any)
    frpm = u(n) < 0.55
    reduced = u(n) < 0.2
    for t in range(5):
        ay = block.cls - 4 + t
        in_year = frpm & (block.first_t <= t) & (t <= block.last_t)
        add(
            in_year & ~reduced,
            "181",
            "1",
            _days(ay, 7, 1),
            _days(ay + 1, 6, 30),
            block.year_school[:, t],
        )
        add(
            in_year & reduced,
            "182",
            "1",
            _days(ay, 7, 1),
            _days(ay + 1, 6, 30),
            block.year_school[:, t],
        )
    rec = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((rec["start"], rec["who"]))
    rec = {k: v[order] for k, v in rec.items()}
    who = rec["who"]
    sch = pl.Series(rec["school"].astype(np.int64))
    disability = np.array(["290", "240", "280", "320", "260"])[rng.integers(0, 5, who.size)]
    dwelling = np.array(["100", "110", "120", "130"])[rng.integers(0, 4, who.size)]
    cols: dict[str, Any] = {
        "record_type_code": "SPRG",
        "reporting_lea": sc.lea_text.gather(sch),
        "school_of_attendance": sc.school_text.gather(sch),
        "academic_year_id": _academic_year(rec["start"]),
        **_person(block, who, demo),
        "education_program_code": pl.Series(rec["program"]),
        "education_program_membership_code": pl.Series(rec["member"]),
        "education_program_membership_start_date": _date_text(rec["start"]),
        "education_program_membership_end_date": _date_text(rec["end"]),
        "primary_disability_code": pl.Series(np.where(rec["extra"] == "SWD", disability, "")),
        "homeless_dwelling_type_code": pl.Series(np.where(rec["extra"] == "HOM", dwelling, "")),
        "unaccompanied_youth_indicator": pl.Series(np.where(rec["extra"] == "HOM", "N", "")),
        "runaway_youth_indicator": pl.Series(np.where(rec["extra"] == "HOM", "N", "")),
    }
    _write(_lines(SPRG, cols, who.size), fh)
    return int(who.size)


_LANGUAGES = ("01", "02", "03", "04", "05", "07", "11", "12")


def _write_sela(
    rng: np.random.Generator,
    block: _Block,
    sc: _Schools,
    demo: dict[str, np.ndarray],
    horizon: int,
    fh: IO[bytes],
) -> int:
    n = block.gidx.size
    status = _draw(rng, [0.58, 0.10, 0.14, 0.18], n)  # EO, IFEP, EL, RFEP
    language = np.where(
        status == 0, "00", np.array(_LANGUAGES)[_draw(rng, [75, 5, 3, 3, 4, 4, 3, 3], n)]
    )
    k_start = _days(block.cls - 13, 8, 20)
    reclass = _days(block.cls - 9, 1, 15) + np.floor(rng.random(n) * 2900).astype(np.int32)
    rfep = (status == 3) & (reclass <= horizon)
    who = np.concatenate([np.arange(n), np.nonzero(rfep)[0]])
    second = np.concatenate([np.zeros(n, bool), np.ones(int(rfep.sum()), bool)])
    order = np.lexsort((second, who))
    who, second = who[order], second[order]
    start = np.where(second, reclass[who], k_start[who])
    code = np.where(second, "RFEP", np.array(["EO", "IFEP", "EL", "EL"])[status[who]])
    sch = pl.Series(block.first_school[who].astype(np.int64))
    cols: dict[str, Any] = {
        "record_type_code": "SELA",
        "reporting_lea": sc.lea_text.gather(sch),
        "school_of_attendance": sc.school_text.gather(sch),
        "academic_year_id": _academic_year(start),
        **_person(block, who, demo),
        "english_acquisition_status_code": pl.Series(code),
        "english_acquisition_status_start_date": _date_text(start),
        "primary_language_code": pl.Series(language[who]),
    }
    _write(_lines(SELA, cols, who.size), fh)
    return int(who.size)


def _expected(block: _Block, main: np.ndarray, counts: dict[int, dict[str, int]]) -> None:
    """Add the outcome each main-class student has by construction (R3)."""
    # By story category (GRAD ... REMOVED); completers are filled in below.
    names = np.array(
        [
            Outcome.GRADUATE,
            Outcome.GRADUATE,
            Outcome.DROPOUT,
            Outcome.OTHER_TRANSFER,
            "",
            Outcome.STILL_ENROLLED,
            Outcome.REMOVED,
        ],
        dtype=object,
    )
    outcome = names[block.category]
    comp = block.category == COMPLETER
    outcome[comp] = [COMPLETER_OUTCOME[str(COMPLETIONS[c])] for c in block.comp_final[comp]]
    frame = pl.DataFrame({"cls": block.cls[main], "outcome": outcome[main].astype(str)})
    for cls, out, k in frame.group_by(["cls", "outcome"]).len().iter_rows():
        per_class = counts.setdefault(int(cls), {})
        per_class[out] = per_class.get(out, 0) + int(k)


def write_synthetic(
    out_dir: str | Path,
    *,
    class_of: int,
    students: int,
    seed: int,
    schools: int | None = None,
    leas: int | None = None,
    classes: int = 1,
) -> SynthSummary:
    """Write a synthetic statewide CALPADS extract (see the module docstring).

    Args:
        out_dir: folder to create; the extracts go to ``out_dir/calpads/``, the
            schools directory to ``out_dir/schools.csv``. Existing files there
            are overwritten.
        class_of: expected graduation year of the (first) class.
        students: students of each requested class.
        seed: the same seed gives byte-identical files.
        schools: high schools (default one per 350 class students, at least 2).
        leas: LEAs (default a third of the schools).
        classes: number of consecutive classes from ``class_of``.

    Returns:
        :class:`SynthSummary` with the counts written and the expected outcomes.
    """
    t0 = time.perf_counter()
    if students < 1 or classes < 1:
        raise ValueError("students and classes must be positive")
    out = Path(out_dir)
    extract_dir = out / "calpads"
    extract_dir.mkdir(parents=True, exist_ok=True)
    n_hs = schools or max(2, students // 350)
    n_leas = leas or max(1, n_hs // 3)
    root = np.random.SeedSequence(seed)
    school_seed, ssid_seed = root.spawn(2)
    sc = _make_schools(np.random.default_rng(school_seed), n_hs, n_leas)
    ssid_offset = int(np.random.default_rng(ssid_seed).integers(0, 9_000_000_000))
    last_class = class_of + classes - 1
    horizon = int(_days(last_class, *HORIZON_MONTH_DAY)[()])
    # Classes in index order: the one before, the requested ones, the one after.
    neighbour = round(students * NEIGHBOUR_FACTOR)
    sizes = [neighbour, *([students] * classes), neighbour]
    class_list = list(range(class_of - 1, last_class + 2))
    bounds = np.cumsum(sizes)
    total = int(bounds[-1])

    counts = {"senr": 0, "sinf": 0, "sprg": 0, "sela": 0}
    expected: dict[int, dict[str, int]] = {}
    paths = {k: extract_dir / f"{k}.txt" for k in counts}
    handles = {k: p.open("wb") for k, p in paths.items()}
    try:
        for b, lo in enumerate(range(0, total, BLOCK_STUDENTS)):
            gidx = np.arange(lo, min(lo + BLOCK_STUDENTS, total), dtype=np.int64)
            cls = np.array(class_list, np.int64)[np.searchsorted(bounds, gidx, side="right")]
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(3, b)))
            block = _students(rng, sc, gidx, cls, horizon)
            demo = _demographics(rng, block, ssid_offset)
            counts["senr"] += _write_senr(block, sc, demo, handles["senr"])
            counts["sinf"] += _write_sinf(block, sc, demo, horizon, handles["sinf"])
            counts["sprg"] += _write_sprg(rng, block, sc, demo, horizon, handles["sprg"])
            counts["sela"] += _write_sela(rng, block, sc, demo, horizon, handles["sela"])
            main = (cls >= class_of) & (cls <= last_class)
            _expected(block, main, expected)
    finally:
        for fh in handles.values():
            fh.close()
    schools_path = out / "schools.csv"
    sc.directory.write_csv(schools_path)
    class_students = students * classes
    removed = sum(v.get(Outcome.REMOVED, 0) for v in expected.values())
    return SynthSummary(
        students=total,
        class_students=class_students,
        cohort_students=class_students - removed,
        senr_rows=counts["senr"],
        sinf_rows=counts["sinf"],
        sprg_rows=counts["sprg"],
        sela_rows=counts["sela"],
        files=len(paths) + 1,
        seconds=time.perf_counter() - t0,
        extract_dir=extract_dir,
        schools_path=schools_path,
        expected_outcomes={k: dict(sorted(v.items())) for k, v in sorted(expected.items())},
    )
