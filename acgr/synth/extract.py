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

For the LCFF count (R10: every grade of every school on Census Day), see
:mod:`acgr.synth.lcff` (``acgr synth --lcff``).
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
    """One block of students: their stories, then their SENR records, step by step.

    Every step draws from ``rng`` in turn, so the same seed gives the same files
    only while the steps keep this order (else bump :data:`GENERATOR_VERSION`).
    """
    n = gidx.size
    story = _story(rng, n)
    first_school = _any_hs(rng, sc, n)
    marks = _graduate_marks(rng, n)
    slots = _middle_school_slots(rng, sc, story, sc.lea_of[first_school], cls)
    years = _high_school_years(rng, sc, story, cls, first_school, marks)
    slots += years.slots
    slots.append(_late_graduation_slot(rng, story, cls, years, marks))
    slots += _summer_and_secondary_slots(rng, sc, story, cls, years)
    senr, student = _flatten(slots, horizon)
    return _Block(
        gidx=gidx,
        cls=cls,
        category=story.category,
        comp_final=np.where(story.category == COMPLETER, story.term_comp, 0).astype(np.int8),
        first_school=first_school,
        first_start=years.first_start,
        first_t=story.first_t,
        last_t=story.last_t,
        year_school=years.school,
        senr=senr,
        student=student,
    )


@dataclass
class _Story:
    """What becomes of each student of a block (R3), drawn before any record is made."""

    category: np.ndarray  # GRAD ... REMOVED
    g0: np.ndarray  # grade of entry into high school (9-12)
    first_t: np.ndarray  # first high-school year (0 = Year1)
    last_t: np.ndarray  # last high-school year (4: a fifth year)
    mode: np.ndarray  # terminal record: 0 open, 1 exit at year end, 2 mid-year
    term_code: np.ndarray  # exit code of the terminal record (index into EXIT_CODES)
    term_comp: np.ndarray  # its completion status (index into COMPLETIONS)
    extra_day: np.ndarray  # a one-day E230/100 record after the last year
    extra_lo: np.ndarray  # its date range, days after 1 July of the class year
    extra_hi: np.ndarray
    retained_at: np.ndarray  # year after which a grade is repeated (99: never)
    force_move: np.ndarray  # changes school before a fifth year elsewhere


def _story(rng: np.random.Generator, n: int) -> _Story:
    """Draw each student's story: category, years in high school and terminal record."""
    removed = rng.random(n) < REMOVED_SHARE
    category = np.where(removed, REMOVED, _draw(rng, list(COHORT_MIX.values()), n)).astype(np.int8)
    g0 = np.array([9, 10, 11, 12], np.int8)[_draw(rng, [0.86, 0.07, 0.045, 0.025], n)]
    story = _Story(
        category=category,
        g0=g0,
        first_t=(g0 - 9).astype(np.int8),
        last_t=np.full(n, 3, np.int8),
        mode=np.ones(n, np.int8),
        term_code=np.full(n, _X["E230"], np.int8),
        term_comp=np.full(n, _C["100"], np.int8),
        extra_day=np.zeros(n, bool),
        extra_lo=np.zeros(n, np.int32),
        extra_hi=np.zeros(n, np.int32),
        retained_at=np.full(n, 99, np.int8),
        force_move=np.zeros(n, bool),
    )
    # Each step draws from rng: in another order the same seed would give other files.
    _graduates(rng, story)
    _leavers(rng, story)
    _still_enrolled(rng, story)
    _retained_dropouts(rng, story)
    return story


def _graduates(rng: np.random.Generator, s: _Story) -> None:
    """Graduates: a few leave mid-year or finish a year early; summer graduates exit E156."""
    grad = s.category == GRAD
    early = _draw(rng, [0.97, 0.02, 0.01], s.category.size)
    s.mode[grad & (early == 1)] = 2
    s.last_t[grad & (early == 2) & (s.first_t <= 2)] = 2
    summer = s.category == SUMMER_GRAD
    s.term_code[summer], s.term_comp[summer] = _X["E156"], 0
    s.extra_day |= summer
    s.extra_lo[summer], s.extra_hi[summer] = 0, 45  # 1 July .. 15 August


def _terminal(
    rng: np.random.Generator,
    s: _Story,
    mask: np.ndarray,
    mix: tuple[tuple[str, str | None, float], ...],
    years: list[float],
) -> np.ndarray:
    """Give ``mask`` students an exit of ``mix`` mid-year in one of the last ``years``."""
    n = s.category.size
    pick = _draw(rng, [share for _, _, share in mix], n)
    code, comp = _codes(mix, pick)
    s.term_code[mask], s.term_comp[mask] = code[mask], comp[mask]
    tt = _draw(rng, years, n) + (4 - len(years))
    s.last_t[mask] = np.maximum(tt, s.first_t)[mask]
    s.mode[mask] = 2
    return pick


def _leavers(rng: np.random.Generator, s: _Story) -> None:
    """Dropouts, other transfers, completers and removed students: their terminal exit."""
    u = rng.random
    n = s.category.size
    drop = s.category == DROPOUT
    pick = _terminal(rng, s, drop, DROPOUT_MIX, [0.1, 0.2, 0.3, 0.4])
    e230_360 = drop & (pick == 6)
    s.last_t[e230_360], s.mode[e230_360] = 3, 1
    s.mode[drop & (pick == 5) & (u(n) < 0.5)] = 1  # lost transfers at year end
    _terminal(rng, s, s.category == OTHER_TRANSFER, OTHER_TRANSFER_MIX, [0.5, 0.5])
    comp_mask = s.category == COMPLETER
    pick = _terminal(rng, s, comp_mask, COMPLETER_MIX, [0.5, 0.5])
    sped = comp_mask & (pick == 0)
    s.last_t[sped], s.mode[sped] = 3, 1
    adult = comp_mask & (pick == 1)
    s.last_t[adult] = 3
    rem = s.category == REMOVED
    _terminal(rng, s, rem, REMOVED_MIX, [0.25, 0.25, 0.25, 0.25])
    s.mode[rem & (u(n) < 0.3)] = 1


def _still_enrolled(rng: np.random.Generator, s: _Story) -> None:
    """Still enrolled: retained, a fifth year here or elsewhere, or graduated after the cutoff."""
    u = rng.random
    n = s.category.size
    still = s.category == STILL
    kind = _draw(rng, STILL_MIX, n)
    kind[still & (kind == 0) & (s.first_t >= 3)] = 1  # cannot repeat a grade
    fifth = still & (kind <= 2)  # a fifth high-school year, which ends after the cutoff
    s.last_t[fifth] = 4
    fifth_grad = fifth & (u(n) < 0.7)
    s.term_code[fifth] = np.where(fifth_grad, _X["E230"], _X["E140"])[fifth]
    s.term_comp[fifth] = np.where(fifth_grad, _C["100"], 0)[fifth]
    s.mode[fifth] = np.where(fifth_grad, 1, 2)[fifth]
    retained = still & (kind == 0)
    s.retained_at[retained] = _uniform_int(rng, s.first_t, 2, n)[retained]
    s.force_move = still & (kind == 2)
    late = still & (kind == 3)
    s.term_code[late], s.term_comp[late] = _X["E156"], 0
    s.extra_day |= late
    s.extra_lo[late], s.extra_hi[late] = 46, 71  # 16 August .. 10 September


def _retained_dropouts(rng: np.random.Generator, s: _Story) -> None:
    """Some dropouts repeated a grade too."""
    drop = s.category == DROPOUT
    rdrop = drop & (rng.random(s.category.size) < 0.05) & (s.first_t <= 1) & (s.last_t >= 2)
    s.retained_at[rdrop] = s.first_t[rdrop]


#: Graduate indicators of the E230/100 record (slot field -> share marked Y): UC/CSU
#: requirements met, Seal of Biliteracy, Golden State Seal Merit Diploma.
_MARK_SHARES = (("uc", 0.50), ("seal", 0.10), ("gssmd", 0.15))


def _graduate_marks(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Slot field -> the indicator (2 = Y, 1 = N) each student's graduation record carries."""
    return {f: np.where(rng.random(n) < share, 2, 1).astype(np.int8) for f, share in _MARK_SHARES}


def _middle_school_slots(
    rng: np.random.Generator, sc: _Schools, story: _Story, lea: np.ndarray, cls: np.ndarray
) -> list[dict[str, np.ndarray]]:
    """Grade 7 and 8 at a middle school of the LEA, for most grade-9 entrants."""
    u = rng.random
    n = cls.size
    middle = (story.g0 == 9) & (u(n) < 0.9)
    ms = (sc.ms_lo[lea] + np.floor(u(n) * sc.ms_cnt[lea])).astype(np.int32)
    slots = []
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
    return slots


@dataclass
class _Years:
    """The high-school years of a block's students: their SENR slots and, per year, where."""

    slots: list[dict[str, np.ndarray]]
    school: np.ndarray  # (n, 5) school at the end of each high-school year
    end: np.ndarray  # (n, 5) last day there that year
    grade: np.ndarray  # (n, 5) grade that year
    first_start: np.ndarray  # first day in high school


@dataclass
class _Chain:
    """One high-school year of a block: one record, or two when it is split."""

    start: np.ndarray  # first day of the year's first record
    split: np.ndarray  # 0 one record; 1 a mid-year transfer, 2 a leave and return
    target: np.ndarray  # the school a transfer (or a summer move) goes to
    d_split: np.ndarray  # exit date of the first record of a split year
    b_start: np.ndarray  # the second record: start, school
    b_school: np.ndarray
    last_start: np.ndarray  # the year's last record: start, school, last school day
    last_school: np.ndarray
    last_end: np.ndarray


def _high_school_years(
    rng: np.random.Generator,
    sc: _Schools,
    story: _Story,
    cls: np.ndarray,
    first_school: np.ndarray,
    marks: dict[str, np.ndarray],
) -> _Years:
    """One or two primary records per high-school year, from entry to the terminal exit."""
    n = cls.size
    years = _Years(
        slots=[],
        school=np.zeros((n, 5), np.int32),
        end=np.zeros((n, 5), np.int32),
        grade=np.zeros((n, 5), np.int8),
        first_start=np.full(n, NONE, np.int32),
    )
    late_entry = (story.g0 > 9) & (rng.random(n) < 0.3)
    cur = first_school.copy()
    for t in range(5):
        active = (story.first_t <= t) & (t <= story.last_t)
        entry = late_entry & (story.first_t == t)
        chain = _year_chain(rng, sc, cls - 4 + t, cur, entry, active)
        years.first_start = np.where(story.first_t == t, chain.start, years.first_start)
        grade = np.minimum(9 + t - (t > story.retained_at), 12).astype(np.int8)
        years.slots += _year_slots(rng, story, t, active, grade, chain, cur, marks)
        years.school[:, t] = chain.last_school
        years.end[:, t] = chain.last_end
        years.grade[:, t] = grade
        # Moving over the summer: a new school next year.
        move = (
            active & (t < story.last_t) & ((rng.random(n) < 0.04) | (story.force_move & (t == 3)))
        )
        cur = np.where(move, chain.target, chain.last_school).astype(np.int32)
    return years


def _year_chain(
    rng: np.random.Generator,
    sc: _Schools,
    ay: np.ndarray,
    cur: np.ndarray,
    entry: np.ndarray,
    active: np.ndarray,
) -> _Chain:
    """The records of academic year ``ay`` at school ``cur``: dates, and where a split goes on.

    ``entry`` students enter late in the year. For ``active`` students (in high
    school that year) a mid-year transfer (6%) or a leave and return (1%) splits
    the year in two records, unless the second would be short.
    """
    u = rng.random
    n = cur.size
    a_start = _year_start(sc, cur, ay)
    a_start = np.where(entry, a_start + _uniform_int(rng, 0, 120, n), a_start)
    a_end = _year_end(sc, cur, ay)
    r = u(n)
    split = np.where(r < 0.06, 1, np.where(r < 0.07, 2, 0)).astype(np.int8)
    within = u(n) < 0.6
    target = np.where(within, _other_hs(rng, sc, cur), _any_hs(rng, sc, n))
    d_split = (
        a_start + 20 + np.floor(u(n) * np.maximum((a_end - a_start) // 2 - 20, 1)).astype(np.int32)
    )
    gap = np.where(split == 1, _uniform_int(rng, 1, 7, n), _uniform_int(rng, 20, 60, n))
    b_start = d_split + gap
    b_school = np.where(split == 1, target, cur).astype(np.int32)
    b_end = _year_end(sc, b_school, ay)
    split[b_start + 30 >= b_end] = 0
    split[~active] = 0
    return _Chain(
        start=a_start,
        split=split,
        target=target,
        d_split=d_split,
        b_start=b_start,
        b_school=b_school,
        last_start=np.where(split > 0, b_start, a_start),
        last_school=np.where(split > 0, b_school, cur).astype(np.int32),
        last_end=np.where(split > 0, b_end, a_end),
    )


def _year_slots(
    rng: np.random.Generator,
    story: _Story,
    t: int,
    active: np.ndarray,
    grade: np.ndarray,
    chain: _Chain,
    cur: np.ndarray,
    marks: dict[str, np.ndarray],
) -> list[dict[str, np.ndarray]]:
    """The two SENR slots of year ``t``: the first record and, in a split year, the second.

    The year's last record carries the terminal exit in the student's last year
    (open, at year end or mid-year, per ``story.mode``), else T160 at year end;
    the first record of a split year exits T160 (transfer) or E140/E400 (leave).
    """
    u = rng.random
    n = cur.size
    is_last = t == story.last_t
    start, end_of_year = chain.last_start, chain.last_end
    term_date = start + np.floor((0.2 + 0.75 * u(n)) * (end_of_year - start)).astype(np.int32)
    term_date = np.where(story.mode == 2, term_date, end_of_year)
    end = np.where(is_last, np.where(story.mode == 0, NONE, term_date), end_of_year)
    code = np.where(is_last, story.term_code, _X["T160"]).astype(np.int8)
    comp = np.where(is_last, story.term_comp, 0).astype(np.int8)
    grad_rec = is_last & (story.term_code == _X["E230"]) & (story.term_comp == _C["100"])
    leave_code = np.where(u(n) < 0.7, _X["E140"], _X["E400"]).astype(np.int8)

    has_b = chain.split > 0
    sa, sb = _slot(n), _slot(n)
    for s in (sa, sb):
        s["grade"] = grade
        s["uc"][:] = s["seal"][:] = s["gssmd"][:] = 1
    sa["act"] = active
    sa["sch"] = cur.copy()
    sa["start"] = chain.start
    sa["exit"] = np.where(has_b, chain.d_split, end)
    sa["code"] = np.where(has_b, np.where(chain.split == 1, _X["T160"], leave_code), code)
    sa["comp"] = np.where(has_b, 0, comp)
    sb["act"] = active & has_b
    sb["sch"] = chain.b_school
    sb["start"] = chain.b_start
    sb["exit"] = end
    sb["code"] = code
    sb["comp"] = comp
    last_rec = np.where(has_b, 1, 0)
    for which, s in enumerate((sa, sb)):
        m = grad_rec & (last_rec == which)
        for f, mark in marks.items():
            s[f] = np.where(m, mark, s[f])
    return [sa, sb]


def _late_graduation_slot(
    rng: np.random.Generator,
    story: _Story,
    cls: np.ndarray,
    years: _Years,
    marks: dict[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """A one-day E230/100 record after the last year (summer and late graduates)."""
    n = cls.size
    s = _slot(n)
    last_idx = np.minimum(story.last_t, 4).astype(np.int64)
    rows = np.arange(n)
    day = _days(cls, 7, 1) + _uniform_int(rng, story.extra_lo, story.extra_hi, n)
    s["act"] = story.extra_day
    s["sch"] = years.school[rows, last_idx]
    s["start"] = s["exit"] = day
    s["code"][:], s["comp"][:] = _X["E230"], _C["100"]
    s["grade"] = years.grade[rows, last_idx]
    s.update(marks)
    return s


def _summer_and_secondary_slots(
    rng: np.random.Generator, sc: _Schools, story: _Story, cls: np.ndarray, years: _Years
) -> list[dict[str, np.ndarray]]:
    """A summer short-term record (status 30) and a concurrent secondary one (status 20).

    Both at another high school, in one year before the last: the short-term
    record after that year's end (most 30 days or shorter), the secondary one from
    September, exiting E170.
    """
    u = rng.random
    n = cls.size
    rows = np.arange(n)
    span = story.last_t.astype(np.int64) - story.first_t
    ts = np.minimum(story.first_t + np.floor(u(n) * np.maximum(span, 1)).astype(np.int64), 2)
    ok = (span >= 1) & (ts < story.last_t) & (ts >= story.first_t)
    summer = _slot(n)
    summer["act"] = ok & (u(n) < 0.04)
    summer["sch"] = _other_hs(rng, sc, years.school[rows, ts])
    summer["start"] = years.end[rows, ts] + _uniform_int(rng, 3, 7, n)
    length = np.where(u(n) < 0.8, _uniform_int(rng, 10, 25, n), _uniform_int(rng, 35, 45, n))
    summer["exit"] = summer["start"] + length
    summer["code"][:] = _X["T160"]
    summer["grade"] = years.grade[rows, ts]
    summer["status"][:] = 2
    summer["uc"][:] = summer["seal"][:] = summer["gssmd"][:] = 1
    secondary = _slot(n)
    secondary["act"] = ok & (u(n) < 0.04)
    secondary["sch"] = _other_hs(rng, sc, years.school[rows, ts])
    secondary["start"] = _days(cls - 4 + ts, 9, 1) + _uniform_int(rng, 0, 60, n)
    secondary["exit"] = secondary["start"] + _uniform_int(rng, 30, 150, n)
    secondary["code"][:] = _X["E170"]
    secondary["grade"] = years.grade[rows, ts]
    secondary["status"][:] = 1
    secondary["uc"][:] = secondary["seal"][:] = secondary["gssmd"][:] = 1
    return [summer, secondary]


def _flatten(
    slots: list[dict[str, np.ndarray]], horizon: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """SENR rows (student-major) of the active slots starting by ``horizon``, and each
    row's block student; records still running at ``horizon`` are written open."""
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
    return senr, student


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


def _membership_rows(
    mask: np.ndarray,
    program: str,
    member: str,
    start: np.ndarray,
    end: np.ndarray,
    school: np.ndarray,
    horizon: int,
    extra: str = "",
) -> dict[str, np.ndarray]:
    """Memberships of ``program`` for the ``mask`` students that start by ``horizon``.

    One row each, in block-student order; an end after ``horizon`` is left open.
    ``extra`` marks the rows that carry a disability (SWD) or a dwelling (HOM).
    """
    idx = np.nonzero(mask & (start <= horizon))[0]
    return {
        "who": idx,
        "program": np.full(idx.size, program),
        "member": np.full(idx.size, member),
        "start": start[idx],
        "end": np.where(end[idx] > horizon, NONE, end[idx]),
        "school": school[idx],
        "extra": np.full(idx.size, extra),
    }


def _program_memberships(
    rng: np.random.Generator, block: _Block, horizon: int
) -> dict[str, np.ndarray]:
    """SPRG rows of a block, chronological per student: disabilities (144), migrant (135),
    homeless (191), tribal foster youth (193) and a meal program (181/182) each year."""
    n = block.gidx.size
    u = rng.random
    rows = np.arange(n)
    span = np.maximum(block.last_t.astype(np.int64) - block.first_t + 1, 1)
    t_any = np.minimum(block.first_t + np.floor(u(n) * span).astype(np.int64), 4)
    ay_any = block.cls - 4 + t_any
    sch_any = block.year_school[rows, t_any]
    june = _days(ay_any + 1, 6, 30)
    # In this order: each line draws from rng.
    parts = [
        _membership_rows(
            u(n) < 0.12,
            "144",
            "2",
            _days(block.cls - 10, 1, 15) + rng.integers(0, 2000, n),
            np.full(n, NONE, np.int32),
            block.first_school,
            horizon,
            "SWD",
        ),
        _membership_rows(u(n) < 0.03, "135", "2", _days(ay_any, 7, 1), june, sch_any, horizon),
        _membership_rows(
            u(n) < 0.04,
            "191",
            "2",
            _days(ay_any, 8, 20) + rng.integers(0, 200, n),
            june,
            sch_any,
            horizon,
            "HOM",
        ),
        _membership_rows(u(n) < 0.002, "193", "2", _days(ay_any, 9, 1), june, sch_any, horizon),
    ]
    frpm = u(n) < 0.55
    reduced = u(n) < 0.2
    for t in range(5):
        ay = block.cls - 4 + t
        in_year = frpm & (block.first_t <= t) & (t <= block.last_t)
        year = (_days(ay, 7, 1), _days(ay + 1, 6, 30), block.year_school[:, t], horizon)
        parts.append(_membership_rows(in_year & ~reduced, "181", "1", *year))
        parts.append(_membership_rows(in_year & reduced, "182", "1", *year))
    rec = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((rec["start"], rec["who"]))
    return {k: v[order] for k, v in rec.items()}


def _write_sprg(
    rng: np.random.Generator,
    block: _Block,
    sc: _Schools,
    demo: dict[str, np.ndarray],
    horizon: int,
    fh: IO[bytes],
) -> int:
    rec = _program_memberships(rng, block, horizon)
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


@dataclass
class _Written:
    """What :func:`_write_extracts` wrote."""

    students: int  # every class
    rows: dict[str, int]  # record type -> records
    expected: dict[int, dict[str, int]]  # class -> outcome -> students (requested classes)


def _write_extracts(
    extract_dir: Path,
    sc: _Schools,
    requested: range,
    students: int,
    seed: int,
    ssid_offset: int,
) -> _Written:
    """Write the four extracts of the ``requested`` classes and their neighbours, block by block.

    Students are numbered class by class (the one before, the requested ones, the
    one after); each block of :data:`BLOCK_STUDENTS` draws from its own seed.
    """
    first, last = requested[0], requested[-1]
    horizon = int(_days(last, *HORIZON_MONTH_DAY)[()])
    neighbour = round(students * NEIGHBOUR_FACTOR)
    sizes = [neighbour, *([students] * len(requested)), neighbour]
    class_list = list(range(first - 1, last + 2))
    bounds = np.cumsum(sizes)
    total = int(bounds[-1])
    counts = {"senr": 0, "sinf": 0, "sprg": 0, "sela": 0}
    expected: dict[int, dict[str, int]] = {}
    handles = {k: (extract_dir / f"{k}.txt").open("wb") for k in counts}
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
            _expected(block, (cls >= first) & (cls <= last), expected)
    finally:
        for fh in handles.values():
            fh.close()
    return _Written(students=total, rows=counts, expected=expected)


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
    written = _write_extracts(
        extract_dir, sc, range(class_of, class_of + classes), students, seed, ssid_offset
    )
    schools_path = out / "schools.csv"
    sc.directory.write_csv(schools_path)
    class_students = students * classes
    counts, expected = written.rows, written.expected
    removed = sum(v.get(Outcome.REMOVED, 0) for v in expected.values())
    return SynthSummary(
        students=written.students,
        class_students=class_students,
        cohort_students=class_students - removed,
        senr_rows=counts["senr"],
        sinf_rows=counts["sinf"],
        sprg_rows=counts["sprg"],
        sela_rows=counts["sela"],
        files=len(counts) + 1,
        seconds=time.perf_counter() - t0,
        extract_dir=extract_dir,
        schools_path=schools_path,
        expected_outcomes={k: dict(sorted(v.items())) for k, v in sorted(expected.items())},
    )
