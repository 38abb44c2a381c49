"""Synthetic statewide LCFF extracts modelled school by school on CDE's count file (R10).

:func:`write_lcff_synthetic` reads CDE's school-level unduplicated pupil count sheet
(the ``cupc`` file, e.g. ``tests/data/cupc2324_schools.tsv``) and writes, for every
school of it, exactly ``Total Enrollment`` students enrolled on Census Day (R10.1,
R10.2) in grades spread over the school's low to high grade (TK-12), with the
program records R10.4 reads, so that ``acgr lcff`` on the files gives back every
school's published counts: Free & Reduced Meal Program, Foster, Tribal Foster Youth,
Homeless, Migrant Program, Direct Certification, Unduplicated FRPM Eligible, English
Learner and UPC.

How the counts are met, per school of ``T`` students numbered ``0 .. T-1`` (the
numbering is hidden by random grades, SSIDs and dates):

* students ``0 .. U-1`` are Unduplicated FRPM Eligible. The six source flags are
  arcs laid end to end round that circle of ``U`` (FRPM first, then direct
  certification, homeless, migrant, foster, tribal foster): flag *j* holds
  students ``(o_j + i) mod U`` for ``i < c_j``, ``o_j`` the sum of the earlier
  counts. Each flag has exactly its count, and their union is all ``U`` students
  because the counts sum to at least ``U``;
* English learners are ``U - x .. U - x + EL - 1`` with ``x = U + EL - UPC`` of
  them also unduplicated, so ``|Unduplicated ∪ EL| = UPC``. At a juvenile court
  school (R10.4: UPC = Total Enrollment) ``x`` is the least overlap.

A school whose published counts no set of students can give under R10 is not
written and is listed in ``skipped_schools.csv`` with the reason: no enrolled
student (R10.5 writes no row), a count above Unduplicated FRPM or Total Enrollment,
source flags summing to less than their union, a UPC outside ``max(U, EL) ..
min(U + EL, Total)``, or a juvenile court school whose UPC is not its total.

Noise R10 must ignore, drawn at small rates and each checked by the reproduce test:

* enrolled students: last year's record (exited in June); a transfer from another
  school that exited before the counted record started; a secondary (status 20) or
  short-term (status 30, started later) record open on Census Day elsewhere; an
  N470 no-show opening on Census Day elsewhere; a second primary record open
  elsewhere that started earlier (R10.2's tie order keeps the later start); an
  exit on Census Day followed by a record elsewhere starting the day after;
* students enrolled nowhere on Census Day, with every flag: exited the day
  before, starting the day after (or later), N470 only, secondary only, last year
  only, a short-term record ended before Census Day. Their foster-match rows are
  the "foster match for a student not enrolled" of ACGR0304;
* program records outside the academic year (FRPM, homeless and migrant ended by
  30 June of year A, FRPM starting the next July), disabilities (144) records,
  foster matches ended before 1 July, direct certification of the year before,
  English learners reclassified (RFEP) by Census Day, a TBD status on Census Day
  (EL only later), and English learners reclassified after Census Day (still EL).

Files written under ``out_dir``: ``calpads/senr.txt``, ``sprg.txt`` and
``sela.txt`` (caret submission layouts, no header; R10 reads no SINF, so none is
written), ``foster.csv`` (``ssid,start_date,end_date``), ``direct_cert.csv``
(``ssid,academic_year``), ``schools.csv`` (CDS code, names, charter flag, district
and school types, educational option type, charter number and funding type, low
and high grade, from the profile file), ``expected_upc.txt`` (the profile rows
written, in the profile file's columns: what ``acgr lcff`` must reproduce) and
``skipped_schools.csv``.

Everything is vectorised (NumPy columns, Polars strings); schools are cut into
blocks of about :data:`BLOCK_STUDENTS` students, each from its own seed, so the
same seed always gives byte-identical files.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import polars as pl

from acgr.errors import RefusedError
from acgr.publish.upc import COUNT_COLUMNS
from acgr.read.layouts import SELA, SENR, SPRG
from acgr.rules.lcff import load_lcff_rules, parse_academic_year
from acgr.synth.extract import _academic_year, _date_text, _days, _lines, _text, _write

__all__ = ["LCFF_GENERATOR_VERSION", "LcffSynthSummary", "solve_flags", "write_lcff_synthetic"]

#: Bumped whenever the same seed would give different files (benchmark cache key).
LCFF_GENERATOR_VERSION = 2
#: Students per block (whole schools; a block holds at least one school).
BLOCK_STUDENTS = 100_000
NONE = -1  # no date

#: Profile count columns by student-list flag (CDE's cupc sheet; R10.4, R10.5).
PROFILE_COLUMN = {flag or "total": name for name, flag in COUNT_COLUMNS.items()}
#: The source flags in the order their arcs are laid round the unduplicated students.
ARC_ORDER = ("frpm", "direct_certification", "homeless", "migrant", "foster", "tribal_foster")
#: Grade codes by index; the profile's low and high grades map onto them.
GRADES = ("TK", "KN", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")
_LOW = {"P": 0, "K": 0, "N/A": 1, "Adult": 13, "Post Secondary": 13}
_HIGH = {"P": 0, "K": 1, "N/A": 13, "Adult": 13, "Post Secondary": 13}

#: Shares of enrolled students carrying each kind of SENR noise.
ENROLLED_NOISE = {
    "last_year": 0.10,
    "transfer_in": 0.03,
    "secondary": 0.01,
    "short_term": 0.005,
    "no_show": 0.003,
    "second_primary": 0.002,
    "exit_later": 0.06,
    "exit_on_census_day": 0.004,
}
#: Students enrolled nowhere on Census Day, as a share of the enrolled ones.
NOT_ENROLLED_SHARE = 0.02
#: Kinds of those students (each equally likely).
NOT_ENROLLED_KINDS = (
    "exited_day_before",
    "starts_after",
    "no_show_only",
    "secondary_only",
    "last_year_only",
    "short_term_ended",
)


@dataclass(frozen=True)
class LcffSynthSummary:
    """What :func:`write_lcff_synthetic` wrote (counts only, never an identifier)."""

    year: int
    schools: int
    skipped: int
    students: int  # enrolled on Census Day
    not_enrolled: int  # noise students enrolled nowhere on Census Day
    senr_rows: int
    sprg_rows: int
    sela_rows: int
    foster_rows: int
    direct_cert_rows: int
    seconds: float
    extract_dir: Path
    schools_path: Path
    foster_path: Path
    direct_cert_path: Path
    expected_path: Path
    skipped_path: Path


# ---------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------
def _count(flag: str) -> pl.Expr:
    return pl.col(PROFILE_COLUMN[flag]).cast(pl.Int64)


def _skip_reason(juvenile: pl.Expr) -> pl.Expr:
    """Why no set of students can give a profile row's counts under R10 (null: none)."""
    t, u = _count("total"), _count("unduplicated_frpm")
    e, p = _count("english_learner"), _count("upc")
    sources = [_count(f) for f in ARC_ORDER]
    return (
        pl.when(pl.col("_cds").is_duplicated())
        .then(pl.lit("CDS code listed twice"))
        .when(t <= 0)
        .then(pl.lit("no student enrolled: R10.5 writes no row for it"))
        .when((pl.max_horizontal(sources) > u) | (u > t) | (e > t))
        .then(pl.lit("a count above Unduplicated FRPM Eligible or Total Enrollment (R10.4)"))
        .when(pl.sum_horizontal(sources) < u)
        .then(pl.lit("the six source flags sum to less than Unduplicated FRPM, their union"))
        .when(juvenile & (p != t))
        .then(pl.lit("juvenile court school whose UPC is not its Total Enrollment (R10.4)"))
        .when(~juvenile & ((p < pl.max_horizontal(u, e)) | (p > pl.min_horizontal(u + e, t))))
        .then(pl.lit("UPC is not the size of Unduplicated FRPM ∪ EL (R10.4)"))
        .otherwise(None)
        .alias("_skip")
    )


def _grade_index(col: str, table: dict[str, int]) -> pl.Expr:
    text = pl.col(col).cast(pl.String).str.strip_chars()
    number = text.cast(pl.Int64, strict=False) + 1
    return (
        text.replace_strict(table, default=None, return_dtype=pl.Int64)
        .fill_null(number.clip(0, 13))
        .fill_null(1 if col == "Low Grade" else 13)
    )


def _read_profiles(path: Path) -> pl.DataFrame:
    """The profile rows with ``_cds``, ``_juvenile``, ``_lo``, ``_hi`` and ``_skip``.

    Raises:
        acgr.errors.RefusedError: a column of CDE's sheet is missing.
    """
    raw = pl.read_csv(path, separator="\t", infer_schema=False, encoding="utf8-lossy")
    needed = ["County Code", "District Code", "School Code", *PROFILE_COLUMN.values()]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise RefusedError(f"{path}: not a cupc school-level sheet (no {', '.join(missing)})")
    types = list(load_lcff_rules().juvenile_court_types)
    juvenile = pl.any_horizontal(
        pl.col(c).is_in(types) for c in ("School Type", "Educational Option Type") if c in raw
    )
    lo, hi = _grade_index("Low Grade", _LOW), _grade_index("High Grade", _HIGH)
    for c in ("Low Grade", "High Grade"):
        if c not in raw.columns:
            raw = raw.with_columns(pl.lit("N/A").alias(c))
    return raw.with_columns(
        pl.concat_str("County Code", "District Code", "School Code").alias("_cds"),
        juvenile.fill_null(False).alias("_juvenile"),
        pl.min_horizontal(lo, hi).alias("_lo"),
        hi.alias("_hi"),
    ).with_columns(_skip_reason(pl.col("_juvenile")))


def _sample(usable: pl.DataFrame, scale: float, seed: int) -> pl.DataFrame:
    """All usable schools, or a seeded ``scale`` share that still holds one school of
    every school type, low grade, high grade and charter flag present."""
    if scale >= 1.0:
        return usable
    key = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(9,))).random(usable.height)
    strata = [
        c
        for c in ("School Type", "Low Grade", "High Grade", "Charter School (Y/N)")
        if c in usable.columns
    ]
    first = pl.any_horizontal(pl.col("_key") == pl.col("_key").min().over(c) for c in strata)
    return (
        usable.with_columns(pl.Series("_key", key))
        .filter((pl.col("_key") < scale) | first)
        .drop("_key")
    )


# ---------------------------------------------------------------------------------
# The flags of a school's students (the construction of the module docstring)
# ---------------------------------------------------------------------------------
def solve_flags(
    k: np.ndarray, counts: dict[str, np.ndarray], juvenile: np.ndarray
) -> dict[str, np.ndarray]:
    """Each R10.4 flag of the student numbered ``k`` at its school, element-wise.

    ``counts`` holds per student its school's published counts (keys: the source
    flags, ``unduplicated_frpm``, ``english_learner``, ``upc``, ``total``).

    Examples:
        >>> k = np.arange(4)
        >>> c = {f: np.full(4, 0) for f in ARC_ORDER}
        >>> c.update(frpm=np.full(4, 2), direct_certification=np.full(4, 2),
        ...          unduplicated_frpm=np.full(4, 3), english_learner=np.full(4, 2),
        ...          upc=np.full(4, 4), total=np.full(4, 4))
        >>> f = solve_flags(k, c, np.zeros(4, bool))
        >>> f["frpm"].tolist(), f["direct_certification"].tolist()
        ([True, True, False, False], [True, False, True, False])
        >>> f["english_learner"].tolist()
        [False, False, True, True]
    """
    u = counts["unduplicated_frpm"]
    unduplicated = k < u
    flags: dict[str, np.ndarray] = {}
    offset = np.zeros_like(u)
    for flag in ARC_ORDER:
        along = (k - offset) % np.maximum(u, 1)
        flags[flag] = unduplicated & (along < counts[flag])
        offset = offset + counts[flag]
    e, p, t = counts["english_learner"], counts["upc"], counts["total"]
    overlap = np.where(juvenile, np.maximum(u + e - t, 0), u + e - p)
    first_el = u - overlap
    flags["english_learner"] = (k >= first_el) & (k < first_el + e)
    flags["unduplicated_frpm"] = unduplicated
    return flags


# ---------------------------------------------------------------------------------
# Blocks of schools
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Schools:
    """The schools written, as arrays (index = row of the sample)."""

    counts: dict[str, np.ndarray]
    juvenile: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    first_day: np.ndarray  # days since 1970 of the school's first day of year A
    lea_text: pl.Series
    school_text: pl.Series


def _schools(sample: pl.DataFrame, year: int, rng: np.random.Generator) -> _Schools:
    n = sample.height
    counts = {f: sample[name].cast(pl.Int64).to_numpy() for f, name in PROFILE_COLUMN.items()}
    return _Schools(
        counts=counts,
        juvenile=sample["_juvenile"].to_numpy(),
        lo=sample["_lo"].to_numpy(),
        hi=sample["_hi"].to_numpy(),
        first_day=_days(year, 8, 8) + rng.integers(0, 21, n).astype(np.int32),
        lea_text=sample["County Code"] + sample["District Code"],
        school_text=sample["School Code"],
    )


@dataclass
class _Dates:
    """Key days of year A as days since 1970."""

    census: int
    july: int  # 1 July A
    june: int  # 30 June A+1
    last_july: int  # 1 July A-1

    @classmethod
    def of(cls, year: int, census: int) -> _Dates:
        d = _days(np.array([year, year + 1, year - 1]), np.array([7, 6, 7]), np.array([1, 30, 1]))
        return cls(census, int(d[0]), int(d[1]), int(d[2]))


def _between(rng: np.random.Generator, lo: Any, hi: Any, n: int) -> np.ndarray:
    """Days in [lo, hi] (inclusive), element-wise."""
    lo = np.asarray(lo, dtype=np.int64)
    span = np.maximum(np.asarray(hi, dtype=np.int64) - lo + 1, 1)
    out: np.ndarray = (lo + np.floor(rng.random(n) * span).astype(np.int64)).astype(np.int32)
    return out


def _other_school(rng: np.random.Generator, school: np.ndarray, n_schools: int) -> np.ndarray:
    """A school other than ``school`` (the same one when there is only one)."""
    shift = rng.integers(1, max(n_schools, 2), school.size)
    out: np.ndarray = (school + shift) % n_schools
    return out


Records = dict[str, np.ndarray]


def _records(who: np.ndarray, **cols: Any) -> Records:
    n = who.size
    return {"who": who, **{k: np.broadcast_to(np.asarray(v), (n,)).copy() for k, v in cols.items()}}


def _concat(parts: list[Records]) -> Records:
    keys = parts[0].keys()
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}


# ---------------------------------------------------------------------------------
# SENR
# ---------------------------------------------------------------------------------
_EXITS: tuple[str | None, ...] = (None, "T160", "E400", "T200", "N470", "E170")
_STATUS = ("10", "20", "30")


def _enrolled_senr(
    rng: np.random.Generator, sc: _Schools, school: np.ndarray, grade: np.ndarray, d: _Dates
) -> tuple[Records, np.ndarray]:
    """The counted record of each enrolled student and the SENR noise around it (R10.2).

    Returns the records (``who`` = block student) and each student's counted start."""
    n, c = school.size, d.census
    first = sc.first_day[school]
    kind = {k: rng.random(n) < share for k, share in ENROLLED_NOISE.items()}
    other = _other_school(rng, school, sc.first_day.size)
    start = first.copy()
    # A transfer in: the record elsewhere exits the day before the counted one starts.
    start[kind["transfer_in"]] = _between(rng, first + 10, c, n)[kind["transfer_in"]]
    # A second primary elsewhere started earlier: the counted record starts later (R10.2).
    kind["second_primary"] &= ~kind["transfer_in"]
    late = kind["second_primary"]
    start[late] = _between(rng, first + 2, c, n)[late]
    exit_day = np.full(n, NONE, np.int32)
    later = kind["exit_later"]
    exit_day[later] = _between(rng, c + 1, d.june - 20, n)[later]
    on_day = kind["exit_on_census_day"] & ~later
    exit_day[on_day] = c
    leaves = later | on_day
    counted = _records(np.arange(n), sch=school, grade=grade, status=0, start=start,
                       exit=exit_day, code=np.where(leaves, 1, 0))  # fmt: skip
    moved = np.nonzero(leaves)[0]  # a record elsewhere from the day after the exit
    after = _records(moved, sch=other[moved], grade=grade[moved], status=0,
                     start=exit_day[moved] + 1, exit=NONE, code=0)  # fmt: skip
    noise = _enrolled_noise(rng, sc, (school, other, grade, start), kind, d)
    return _concat([counted, after, *noise]), start


def _enrolled_noise(
    rng: np.random.Generator, sc: _Schools, who: tuple[np.ndarray, ...],
    kind: dict[str, np.ndarray], d: _Dates,
) -> list[Records]:  # fmt: skip
    """SENR records of enrolled students that R10.2 must not count or pick."""
    school, other, grade, start = who
    c, first = d.census, sc.first_day[school]

    def at(mask: np.ndarray, elsewhere: bool = True, **cols: Any) -> Records:
        i = np.nonzero(mask)[0]
        picked = {k: v[i] if isinstance(v, np.ndarray) else v for k, v in cols.items()}
        sch = other[i] if elsewhere else school[i]
        return _records(i, sch=sch, grade=grade[i], **picked)

    s = kind["secondary"]
    closed = rng.random(s.size) < 0.5  # closed with E170, or still open
    return [
        at(kind["last_year"] & (grade >= 2), elsewhere=False, status=0, start=first - 364,
           exit=d.july - 20, code=1),
        at(kind["transfer_in"], status=0, start=first, exit=start - 1, code=1),
        at(s, status=1, start=first, exit=np.where(closed, d.june - 25, NONE),
           code=np.where(closed, 5, 0)),
        at(kind["short_term"], status=2, start=np.maximum(start + 1, c - 5), exit=NONE, code=0),
        at(kind["no_show"], status=0, start=c, exit=c, code=4),
        at(kind["second_primary"], status=0, start=first, exit=NONE, code=0),
    ]  # fmt: skip


def _not_enrolled_senr(
    rng: np.random.Generator, sc: _Schools, school: np.ndarray, grade: np.ndarray, d: _Dates
) -> Records:
    """One record per noise student, none of them open on Census Day under R10.2."""
    n, c = school.size, d.census
    kind = rng.integers(0, len(NOT_ENROLLED_KINDS), n)
    first = sc.first_day[school]
    #                 exited_day_before, starts_after, no_show_only, secondary_only,
    #                 last_year_only, short_term_ended
    start = np.select(
        [kind == i for i in range(6)],
        [first, _between(rng, c + 1, c + 40, n), np.full(n, c), first, first - 364, first + 5],
    )
    exit_day = np.select([kind == i for i in range(6)], [c - 1, NONE, c, NONE, d.july - 20, c - 2])
    code = np.array([2, 0, 4, 0, 3, 1])[kind]
    status = np.array([0, 0, 0, 1, 0, 2])[kind]
    return _records(
        np.arange(n), sch=school, grade=grade, status=status, start=start, exit=exit_day, code=code
    )


def _person(ssid: np.ndarray, who: np.ndarray) -> dict[str, Any]:
    ids = ssid[who]
    return {
        "ssid": pl.Series(ids).cast(pl.String),
        "local_student_id": pl.Series(ids % 1_000_000_000).cast(pl.String).str.zfill(9),
        "student_legal_first_name": "Alba",
        "student_legal_last_name": "Quill",
        "student_gender_code": _text(("M", "F"), (ids % 2).astype(np.int64)),
    }


def _sorted_head(
    record_type: str, rec: Records, sc: _Schools, school: np.ndarray | None, ssid: np.ndarray
) -> tuple[Records, dict[str, Any]]:
    """``rec`` in file order (by student, then start date) and the columns every record
    type begins with; ``school`` maps a student to a school (None: ``rec["sch"]`` has it)."""
    order = np.lexsort((rec["start"], rec["who"]))
    r = {k: v[order] for k, v in rec.items()}
    index = r["sch"] if school is None else school[r["who"]]
    sch = pl.Series(index.astype(np.int64))
    return r, {
        "record_type_code": record_type,
        "reporting_lea": sc.lea_text.gather(sch),
        "school_of_attendance": sc.school_text.gather(sch),
        "academic_year_id": _academic_year(r["start"]),
        **_person(ssid, r["who"]),
    }


def _senr_lines(rec: Records, sc: _Schools, ssid: np.ndarray, birth: np.ndarray) -> pl.DataFrame:
    r, cols = _sorted_head("SENR", rec, sc, None, ssid)
    cols |= {
        "student_birth_date": _date_text(birth[r["who"]]),
        "student_birth_state_province_code": "CA",
        "student_birth_country_code": "US",
        "enrollment_start_date": _date_text(r["start"]),
        "enrollment_status_code": _text(_STATUS, r["status"].astype(np.int64)),
        "grade_level_code": _text(GRADES, r["grade"].astype(np.int64)),
        "enrollment_exit_date": _date_text(r["exit"]),
        "student_exit_reason_code": _text(_EXITS, r["code"].astype(np.int64)),
    }
    return _lines(SENR, cols, r["who"].size)


# ---------------------------------------------------------------------------------
# SPRG, SELA, foster match, direct certification
# ---------------------------------------------------------------------------------
_PROGRAMS = ("181", "182", "191", "135", "193", "144")


def _program(who: np.ndarray, program: np.ndarray | int, start: Any, end: Any) -> Records:
    return _records(who, program=program, start=start, end=end)


def _sprg_records(
    rng: np.random.Generator, flags: dict[str, np.ndarray], start: np.ndarray, d: _Dates
) -> Records:
    """SPRG rows: a membership overlapping year A per flag (R10.4), and records that do
    not (ended by 30 June A, or starting the next July), plus disabilities (144)."""
    n, u = start.size, rng.random
    parts = []
    f = np.nonzero(flags["frpm"])[0]
    meal = np.where(u(f.size) < 0.2, 1, 0)
    open_ = u(f.size) < 0.6
    parts.append(_program(f, meal, d.july, np.where(open_, NONE, d.june)))
    prior = f[u(f.size) < 0.4]  # last year's meal record too: harmless history
    parts.append(_program(prior, 0, d.last_july, d.july - 1))
    not_f = np.nonzero(~flags["frpm"])[0]
    ended = not_f[u(not_f.size) < 0.05]  # ended before 1 July A: ACGR0301, not counted
    parts.append(_program(ended, 0, d.last_july, d.july - 1 - rng.integers(0, 60, ended.size)))
    future = not_f[u(not_f.size) < 0.01]  # next year's record: outside year A
    parts.append(_program(future, 0, d.june + 1, NONE))
    for flag, code in (("homeless", 2), ("migrant", 3), ("tribal_foster", 4)):
        yes = np.nonzero(flags[flag])[0]
        begin = np.where(
            u(yes.size) < 0.5, d.july, _between(rng, start[yes], d.june - 30, yes.size)
        )
        parts.append(_program(yes, code, begin, np.where(u(yes.size) < 0.5, NONE, d.june)))
        no = np.nonzero(~flags[flag])[0]
        old = no[u(no.size) < 0.01]
        parts.append(_program(old, code, d.last_july + 30, d.july - 15))
    swd = np.nonzero(u(n) < 0.12)[0]
    parts.append(_program(swd, 5, d.last_july - 400, NONE))
    return _concat(parts)


def _sprg_lines(rec: Records, sc: _Schools, school: np.ndarray, ssid: np.ndarray) -> pl.DataFrame:
    r, cols = _sorted_head("SPRG", rec, sc, school, ssid)
    program = r["program"].astype(np.int64)
    cols |= {
        "education_program_code": _text(_PROGRAMS, program),
        "education_program_membership_code": pl.Series(np.where(program < 2, "1", "2")),
        "education_program_membership_start_date": _date_text(r["start"]),
        "education_program_membership_end_date": _date_text(r["end"]),
        "primary_disability_code": pl.Series(np.where(program == 5, "290", "")),
        "homeless_dwelling_type_code": pl.Series(np.where(program == 2, "100", "")),
        "unaccompanied_youth_indicator": pl.Series(np.where(program == 2, "N", "")),
        "runaway_youth_indicator": pl.Series(np.where(program == 2, "N", "")),
    }
    return _lines(SPRG, cols, r["who"].size)


_ELAS = ("EO", "IFEP", "EL", "RFEP", "TBD")


def _sela_records(
    rng: np.random.Generator, el: np.ndarray, grade: np.ndarray, d: _Dates
) -> Records:
    """ELAS statuses: EL on Census Day exactly for ``el`` (R10.4, R5.3 periods)."""
    n, u, c = el.size, rng.random, d.census
    entry = d.july + 45 - 365 * np.maximum(grade - 1, 0)  # when school began
    # Not EL on Census Day: EO, IFEP, EL then RFEP by Census Day, TBD on it, no record.
    kind = np.where(el, 2, rng.choice(5, n, p=[0.60, 0.10, 0.20, 0.02, 0.08]))
    who = np.arange(n)
    first_code = np.array([0, 1, 2, 4, 0])[kind]
    has = kind != 4
    parts = [_records(who[has], code=first_code[has], start=entry[has])]
    rfep = np.nonzero(kind == 2)[0]
    rfep = rfep[~el[rfep] | (u(rfep.size) < 0.2)]
    # Reclassified by Census Day (some on the day itself), or after it when still EL.
    day = np.where(
        el[rfep],
        _between(rng, c + 1, d.june, rfep.size),
        np.where(u(rfep.size) < 0.05, c, _between(rng, entry[rfep] + 1, c, rfep.size)),
    )
    parts.append(_records(rfep, code=3, start=day))
    tbd = np.nonzero((kind == 3) & (u(n) < 0.5))[0]  # EL only after Census Day
    parts.append(_records(tbd, code=2, start=_between(rng, c + 1, c + 60, tbd.size)))
    return _concat(parts)


def _sela_lines(rec: Records, sc: _Schools, school: np.ndarray, ssid: np.ndarray) -> pl.DataFrame:
    r, cols = _sorted_head("SELA", rec, sc, school, ssid)
    code = r["code"].astype(np.int64)
    cols |= {
        "english_acquisition_status_code": _text(_ELAS, code),
        "english_acquisition_status_start_date": _date_text(r["start"]),
        "primary_language_code": pl.Series(np.where(code == 0, "00", "01")),
    }
    return _lines(SELA, cols, r["who"].size)


def _foster_rows(rng: np.random.Generator, foster: np.ndarray, d: _Dates) -> pl.DataFrame:
    """Foster matches overlapping year A for ``foster`` students (some starting after
    Census Day: the year counts, not the day), and some ended before 1 July A."""
    u = rng.random
    yes = np.nonzero(foster)[0]
    start = _between(rng, d.last_july - 700, d.june - 60, yes.size)
    end = np.where(
        u(yes.size) < 0.7, NONE, _between(rng, np.maximum(start, d.july), d.june, yes.size)
    )
    no = np.nonzero(~foster)[0]
    old = no[u(no.size) < 0.003]
    old_start = _between(rng, d.last_july - 700, d.july - 60, old.size)
    who = np.concatenate([yes, old])
    return pl.DataFrame(
        {
            "who": who,
            "start_date": np.concatenate([start, old_start]),
            "end_date": np.concatenate([end, old_start + 30]),
        }
    )


def _direct_cert_rows(rng: np.random.Generator, certified: np.ndarray, year: int) -> pl.DataFrame:
    """Direct certification of year A (both spellings), and of the year before."""
    u = rng.random
    yes = np.nonzero(certified)[0]
    label = np.where(u(yes.size) < 0.7, f"{year}-{(year + 1) % 100:02d}", f"{year}-{year + 1}")
    before = np.nonzero(u(certified.size) < 0.05)[0]
    return pl.DataFrame(
        {
            "who": np.concatenate([yes, before]),
            "academic_year": np.concatenate(
                [label, np.full(before.size, f"{year - 1}-{year % 100:02d}")]
            ),
        }
    )


def _side_text(frame: pl.DataFrame, ssid: np.ndarray, dates: tuple[str, ...]) -> pl.DataFrame:
    who = frame["who"].to_numpy()
    cols = [pl.Series("ssid", ssid[who]).cast(pl.String)]
    for c in frame.columns[1:]:
        if c in dates:
            text = _date_text(frame[c].to_numpy()).str.strptime(pl.Date, "%Y%m%d").dt.to_string()
            cols.append(text.alias(c))
        else:
            cols.append(frame[c])
    return pl.DataFrame(cols)


# ---------------------------------------------------------------------------------
# One block
# ---------------------------------------------------------------------------------
@dataclass
class _Out:
    handles: Mapping[str, IO[bytes]]
    rows: dict[str, int]


def _ssids(gidx: np.ndarray, offset: int) -> np.ndarray:
    """Distinct 10-digit SSIDs (a multiplicative hash, prime to 9e9, of the index)."""
    out: np.ndarray = 1_000_000_000 + (gidx.astype(np.int64) * 2654435761 + offset) % 9_000_000_000
    return out


def _block(
    rng: np.random.Generator,
    sc: _Schools,
    schools: np.ndarray,
    first_student: int,
    d: _Dates,
    year: int,
    offset: int,
    out: _Out,
) -> None:
    """Write the students of ``schools`` (enrolled ones, then the noise students)."""
    total = sc.counts["total"][schools]
    school = np.repeat(schools, total)
    n = school.size
    k = np.arange(n) - np.repeat(np.cumsum(total) - total, total)
    grade = _between(rng, sc.lo[school], sc.hi[school], n)
    counts = {f: v[school] for f, v in sc.counts.items()}
    flags = solve_flags(k, counts, sc.juvenile[school])
    senr, start = _enrolled_senr(rng, sc, school, grade, d)
    # Noise students enrolled nowhere on Census Day, every flag set.
    m = round(n * NOT_ENROLLED_SHARE)
    x_school = school[rng.integers(0, n, m)] if n else school[:0]
    x_grade = _between(rng, sc.lo[x_school], sc.hi[x_school], m)
    x_senr = _not_enrolled_senr(rng, sc, x_school, x_grade, d)
    x_senr["who"] = x_senr["who"] + n
    all_school = np.concatenate([school, x_school])
    all_grade = np.concatenate([grade, x_grade])
    all_flags = {f: np.concatenate([v, np.ones(m, bool)]) for f, v in flags.items()}
    all_start = np.concatenate([start, sc.first_day[x_school]])
    gidx = np.concatenate(
        [first_student + np.arange(n), 8_000_000_000 + first_student + np.arange(m)]
    )
    ssid = _ssids(gidx, offset)
    birth = d.july - 365 * (all_grade + 5) - rng.integers(0, 365, n + m).astype(np.int32)
    _emit(out, "senr", _senr_lines(_concat([senr, x_senr]), sc, ssid, birth))
    sprg = _sprg_records(rng, all_flags, all_start, d)
    _emit(out, "sprg", _sprg_lines(sprg, sc, all_school, ssid))
    sela = _sela_records(rng, all_flags["english_learner"], all_grade, d)
    _emit(out, "sela", _sela_lines(sela, sc, all_school, ssid))
    foster = _foster_rows(rng, all_flags["foster"], d)
    _emit(out, "foster", _side_text(foster, ssid, ("start_date", "end_date")))
    certified = _direct_cert_rows(rng, all_flags["direct_certification"], year)
    _emit(out, "direct_cert", _side_text(certified, ssid, ()))


def _emit(out: _Out, name: str, frame: pl.DataFrame) -> None:
    if name in ("foster", "direct_cert"):
        frame.write_csv(out.handles[name], include_header=out.rows[name] == 0)
    else:
        _write(frame, out.handles[name])
    out.rows[name] += frame.height


def _block_bounds(total: np.ndarray) -> list[tuple[int, int]]:
    """Runs of whole schools of about :data:`BLOCK_STUDENTS` students."""
    block = (np.cumsum(total) - total) // BLOCK_STUDENTS
    cuts = np.flatnonzero(np.diff(block)) + 1
    edges = [0, *cuts.tolist(), total.size]
    return [(a, b) for a, b in itertools.pairwise(edges) if b > a]


# ---------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------
_SCHOOL_COLUMNS = {
    "County Name": "county_name",
    "District Name": "district_name",
    "School Name": "school_name",
    "Charter School (Y/N)": "charter",
    "District Type": "district_type",
    "School Type": "school_type",
    "Educational Option Type": "educational_option_type",
    "Charter Number": "charter_number",
    "Charter Funding Type": "charter_funding_type",
    "Low Grade": "low_grade",
    "High Grade": "high_grade",
}


def _schools_file(sample: pl.DataFrame) -> pl.DataFrame:
    return sample.select(
        pl.col("_cds").alias("cds_code"),
        *(pl.col(k).alias(v) for k, v in _SCHOOL_COLUMNS.items() if k in sample.columns),
    )


def write_lcff_synthetic(
    out_dir: str | Path,
    *,
    profiles: str | Path,
    seed: int,
    year: str | None = None,
    scale: float = 1.0,
) -> LcffSynthSummary:
    """Write a statewide LCFF extract reproducing ``profiles`` (see the module docstring).

    Args:
        out_dir: folder to create; existing files there are overwritten.
        profiles: CDE's school-level cupc sheet, tab-separated (as
            ``tests/data/cupc2324_schools.tsv``).
        seed: the same seed gives byte-identical files.
        year: academic year (``2023-24``); default the profile's Academic Year.
        scale: share of the usable schools written (1: all); a smaller share keeps
            one school of every school type, low grade, high grade and charter flag.

    Raises:
        acgr.errors.RefusedError: a profile file without CDE's columns, a bad year or
            scale.
    """
    t0 = time.perf_counter()
    if not 0.0 < scale <= 1.0:
        raise RefusedError(f"--scale {scale} is not a share in (0, 1]")
    table = _read_profiles(Path(profiles))
    label = year or (table["Academic Year"][0] if "Academic Year" in table.columns else "")
    a = parse_academic_year(str(label))
    out = Path(out_dir)
    extract_dir = out / "calpads"
    extract_dir.mkdir(parents=True, exist_ok=True)
    skipped = table.filter(pl.col("_skip").is_not_null())
    sample = _sample(table.filter(pl.col("_skip").is_null()), scale, seed).sort("_cds")
    root = np.random.SeedSequence(seed)
    school_seed, ssid_seed = root.spawn(2)
    sc = _schools(sample, a, np.random.default_rng(school_seed))
    offset = int(np.random.default_rng(ssid_seed).integers(0, 9_000_000_000))
    d = _Dates.of(a, int(_days(*_census(a))[()]))
    rows, paths = _write_blocks(out, sc, seed, (d, a, offset))
    _write_tables(out, table, sample, skipped)
    total = sc.counts["total"]
    return LcffSynthSummary(
        year=a, schools=sample.height, skipped=skipped.height, students=int(total.sum()),
        not_enrolled=_noise_students(total), senr_rows=rows["senr"], sprg_rows=rows["sprg"],
        sela_rows=rows["sela"], foster_rows=rows["foster"], direct_cert_rows=rows["direct_cert"],
        seconds=time.perf_counter() - t0, extract_dir=extract_dir,
        schools_path=out / "schools.csv", foster_path=paths["foster"],
        direct_cert_path=paths["direct_cert"], expected_path=out / "expected_upc.txt",
        skipped_path=out / "skipped_schools.csv",
    )  # fmt: skip


def _write_blocks(
    out: Path, sc: _Schools, seed: int, when: tuple[_Dates, int, int]
) -> tuple[dict[str, int], dict[str, Path]]:
    """The extracts and side tables, block by block; rows written and paths per file."""
    d, a, offset = when
    paths = {k: out / "calpads" / f"{k}.txt" for k in ("senr", "sprg", "sela")}
    paths |= {"foster": out / "foster.csv", "direct_cert": out / "direct_cert.csv"}
    handles = {k: p.open("wb") for k, p in paths.items()}
    written = _Out(handles, dict.fromkeys(paths, 0))
    total = sc.counts["total"]
    try:
        for b, (lo, hi) in enumerate(_block_bounds(total)):
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(11, b)))
            first = int(total[:lo].sum())
            _block(rng, sc, np.arange(lo, hi), first, d, a, offset, written)
    finally:
        for fh in handles.values():
            fh.close()
    return written.rows, paths


def _write_tables(
    out: Path, table: pl.DataFrame, sample: pl.DataFrame, skipped: pl.DataFrame
) -> None:
    """``schools.csv``, ``expected_upc.txt`` and ``skipped_schools.csv``."""
    _schools_file(sample).write_csv(out / "schools.csv")
    keep = [c for c in table.columns if not c.startswith("_")]
    sample.select(keep).write_csv(out / "expected_upc.txt", separator="\t")
    skipped.select(pl.col("_cds").alias("cds_code"), pl.col("_skip").alias("reason")).write_csv(
        out / "skipped_schools.csv"
    )


def _noise_students(total: np.ndarray) -> int:
    return sum(
        round(int(total[lo:hi].sum()) * NOT_ENROLLED_SHARE) for lo, hi in _block_bounds(total)
    )


def _census(year: int) -> tuple[int, int, int]:
    day = load_lcff_rules().census_day_for(year)
    return day.year, day.month, day.day
