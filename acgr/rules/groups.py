"""Student groups of each cohort student (docs/rules.md R5).

"Cohort period" here is the membership period, 1 July Year1 - 30 June Year4. A
record *overlaps* it when it starts on or before the period's end and has no end
date or ends on or after the period's start.

* R5.1 race/ethnicity and R5.2 gender from the student's latest SINF record
  effective in the outcome period (latest effective start on or before the
  summer cutoff; same date: the later record in file order). Gender falls back
  to the SENR record with the latest start when SINF has none.
* R5.3 SE: an SELA status EL overlapping the cohort period (each status lasts
  until the day before the next one starts), primary language not 00/37.
* R5.4 SD, SM, SH: SPRG 144, 135, 191 overlapping the cohort period at a school
  where the student has a qualifying record.
* R5.5 SF: the optional foster-match input, or SPRG 193, overlapping the period.
* R5.6 SS: parent education 14 on the R5.1 record; SPRG 181/182 (175 if it
  started by 30 June 2012) overlapping the period at any school; SM; SH; SF; or
  the optional direct-certification input for one of the class's four years.

Every step groups by SSID only.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterable

import polars as pl

from acgr.read.extracts import Engine
from acgr.read.values import date_from_text
from acgr.rules.cohort import CohortPeriods, of_students
from acgr.rules.picking import date_key, first_by, order_key, with_tie_rank
from acgr.rules.ruleset import RuleSet

#: Boolean group columns of ``students.parquet`` -> reporting category.
GROUP_FLAGS: dict[str, str] = {
    "english_learner": "SE",
    "disability": "SD",
    "socioeconomically_disadvantaged": "SS",
    "migrant": "SM",
    "foster": "SF",
    "homeless": "SH",
}


def _overlaps(start: pl.Expr, end: pl.Expr, periods: CohortPeriods) -> pl.Expr:
    return (start <= periods.membership_end) & (end.is_null() | (end >= periods.year1_start))


def _code(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().str.to_uppercase()


#: SINF fields R5.1, R5.2 and R5.6 read from the student's demographic record.
DEMOGRAPHIC_FIELDS: tuple[str, ...] = (
    "student_hispanic_ethnicity_indicator",
    "student_race_1_code",
    "student_race_2_code",
    "student_race_3_code",
    "student_race_4_code",
    "student_race_5_code",
    "student_gender_code",
    "parent_guardian_highest_education_level_code",
)


def demographic_record(
    sinf: pl.LazyFrame, cohort: pl.DataFrame, periods: CohortPeriods, *, engine: Engine = "auto"
) -> pl.LazyFrame:
    """Per cohort student (``cohort``: their ``ssid``), the SINF record R5.1/R5.2 use
    (fields of interest only).

    Eager inside: the cohort's effective records (a few per student) are
    collected first (on ``engine``), so their tie ranks come from a lookup rather
    than joins (see :func:`acgr.rules.picking.with_tie_rank`); about 2.5 times
    faster statewide.
    """
    cols = list(DEMOGRAPHIC_FIELDS)
    # R5.1 defines "effective in the outcome period" as the latest effective start
    # on or before the cutoff; the end date is not consulted.
    effective = (
        of_students(sinf, cohort)
        .filter(
            pl.col("effective_start_date").is_not_null()
            & (pl.col("effective_start_date") <= periods.summer_cutoff)
        )
        .collect(engine=engine)
    )
    return (
        with_tie_rank(effective, ["source_file", "source_line"], descending=True)
        .group_by("ssid")
        # ``get(arg_min)``, not ``first_by``: min_by of a whole struct is slow.
        .agg(pl.struct(cols).get(_latest("effective_start_date").arg_min()).alias("_record"))
        .unnest("_record")
    )


def _latest(date: str) -> pl.Expr:
    """Order key: latest ``date`` first, then the later record in file order."""
    return order_key(pl.lit(True), [date_key(date, descending=True)])


def race_category(rules: RuleSet) -> pl.Expr:
    """R5.1 reporting category from a demographic record's columns.

    Each race code becomes one bit per race group, OR-ed over the five codes,
    plus a bit for Hispanic ethnicity; one lookup in :func:`race_lookup` maps the
    bits to the category. Every code is read once: an expression that compares
    each code with the first one reported re-evaluated the codes many times
    over (Polars does not share sub-expressions in streaming).
    """
    g = rules.groups
    groups = sorted(set(g.race_codes.values()))
    bit = {group: 1 << i for i, group in enumerate(groups)}
    masks = [
        _code(f"student_race_{i}_code")
        .replace_strict({c: bit[group] for c, group in g.race_codes.items()}, default=0)
        .cast(pl.Int64)
        .fill_null(0)
        for i in range(1, 6)
    ]
    hispanic = (_code("student_hispanic_ethnicity_indicator") == "Y").fill_null(False)
    bits = functools.reduce(operator.or_, masks) | (hispanic.cast(pl.Int64) * (1 << len(groups)))
    return bits.replace_strict(race_lookup(rules), return_dtype=pl.String)


def race_lookup(rules: RuleSet) -> dict[int, str]:
    """R5.1 category of every combination of race-group bits and the Hispanic bit.

    Bit ``i`` is the ``i``-th race group of the rule set in sorted order; the bit
    above them all is Hispanic ethnicity. Hispanic wins; else two or more groups
    are the multiple category, one group is itself, none is not reported.
    """
    g = rules.groups
    groups = sorted(set(g.race_codes.values()))
    if len(groups) > 16:
        raise ValueError(f"at most 16 race groups, the rule set has {len(groups)}")
    lookup: dict[int, str] = {}
    for bits in range(1 << (len(groups) + 1)):
        reported = [group for i, group in enumerate(groups) if bits >> i & 1]
        if bits >> len(groups) & 1:
            lookup[bits] = g.hispanic_category
        elif len(reported) > 1:
            lookup[bits] = g.multiple_category
        elif reported:
            lookup[bits] = reported[0]
        else:
            lookup[bits] = g.not_reported_category
    return lookup


def gender_category(code: pl.Expr, rules: RuleSet) -> pl.Expr:
    """R5.2 reporting category of a gender code."""
    g = rules.groups
    return (
        code.str.strip_chars()
        .str.to_uppercase()
        .replace_strict(g.gender_codes, default=g.gender_missing)
        .fill_null(g.gender_missing)
    )


#: R5.3 same-day tie: of statuses starting the same day, the first by status code
#: (CALPADS EL glossary); file and line last, so row order never decides.
_SAME_DAY_ORDER: tuple[str, ...] = ("status", "source_file", "source_line")


def _status_records(sela: pl.LazyFrame) -> pl.LazyFrame:
    """Dated SELA records as ``ssid``, ``start``, ``status``, ``language`` and the record."""
    return sela.filter(pl.col("english_acquisition_status_start_date").is_not_null()).select(
        "ssid",
        pl.col("english_acquisition_status_start_date").alias("start"),
        _code("english_acquisition_status_code").alias("status"),
        pl.col("primary_language_code").str.strip_chars().alias("language"),
        "source_file",  # kept as read (a categorical sorts by its text)
        pl.col("source_line").cast(pl.Int64),
    )


def english_status_periods(sela: pl.LazyFrame, students: pl.DataFrame) -> pl.LazyFrame:
    """ELAS status periods of ``students`` (R5.3): ``ssid``, ``start``, ``end``, ``status``,
    ``language`` and the record behind each (``source_file``, ``source_line``).

    A status lasts until the day before the student's next status starts (``end``
    null: still current). Same-day statuses: the first by :data:`_SAME_DAY_ORDER`
    is kept, so one status holds each day.
    """
    statuses = (
        _status_records(of_students(sela, students))
        .sort(["ssid", "start", *_SAME_DAY_ORDER])
        .unique(["ssid", "start"], keep="first", maintain_order=True)
    )
    # ``statuses`` is sorted by student then start: the next row of the same
    # student is the next status (a plain shift, no per-student window).
    same_student = pl.col("ssid").shift(-1) == pl.col("ssid")
    next_start = pl.when(same_student).then(pl.col("start").shift(-1))
    return statuses.with_columns((next_start - dt.timedelta(days=1)).alias("end"))


def english_status_holding_on(sela: pl.LazyFrame, day: dt.date) -> pl.LazyFrame:
    """Each student's ELAS status on ``day`` (R5.3; R10.4 reads it on Census Day):
    ``ssid``, ``start``, ``status`` and the record behind it.

    The same period :func:`english_status_periods` holds on the day: the latest
    status started by then, same-day ties by :data:`_SAME_DAY_ORDER`. Found as a
    minimum per student (``min_by``) rather than by sorting every record.
    """
    latest_first = pl.struct((-pl.col("start").cast(pl.Int32)).alias("_later"), *_SAME_DAY_ORDER)
    # min_by per column: a struct arg_min in a group_by gives null in Polars 2.1.
    columns = ("start", "status", "source_file", "source_line")
    return (
        _status_records(sela)
        .filter(pl.col("start") <= day)
        .group_by("ssid")
        .agg(pl.col(c).min_by(latest_first) for c in columns)
    )


def english_learners(
    sela: pl.LazyFrame, cohort: pl.DataFrame, periods: CohortPeriods, rules: RuleSet
) -> pl.LazyFrame:
    """SSIDs with an EL status overlapping the cohort period (R5.3).

    The periods are :func:`english_status_periods` (same-day tie rule there).
    """
    g = rules.groups
    return (
        english_status_periods(sela, cohort)
        .filter(
            (pl.col("status") == g.english_learner_status)
            & ~pl.col("language").fill_null("").is_in(g.english_only_languages)
            & _overlaps(pl.col("start"), pl.col("end"), periods)
        )
        .select("ssid")
        .unique()
    )


def program_memberships(
    sprg: pl.LazyFrame,
    cohort_schools: pl.DataFrame,
    periods: CohortPeriods,
    rules: RuleSet,
) -> pl.LazyFrame:
    """Per cohort student, booleans for SD, SM, SH, tribal foster and meal programs.

    ``sprg`` carries each record's ``cds_code`` (R4.3, see
    :func:`acgr.rules.attribution.assign_cds`). ``cohort_schools`` has ``ssid`` and
    ``cds_code`` of every qualifying record of each cohort student (R5.4
    same-school test).
    """
    g = rules.groups
    prog = (
        of_students(sprg, cohort_schools.select("ssid").unique())
        .with_columns(
            _code("education_program_code").alias("program"),
            pl.col("education_program_membership_start_date").alias("start"),
            pl.col("education_program_membership_end_date").alias("end"),
        )
        .filter(pl.col("start").is_not_null() & _overlaps(pl.col("start"), pl.col("end"), periods))
    )
    same_school = prog.join(
        cohort_schools.lazy().select("ssid", "cds_code").unique(),
        on=["ssid", "cds_code"],
        how="semi",
    )
    at_school = same_school.group_by("ssid").agg(
        (pl.col("program") == g.disability_program).any().alias("disability"),
        (pl.col("program") == g.migrant_program).any().alias("migrant"),
        (pl.col("program") == g.homeless_program).any().alias("homeless"),
    )
    meal = pl.col("program").is_in(g.meal_programs) | (
        (pl.col("program") == g.legacy_meal_program)
        & (pl.col("start") <= g.legacy_meal_program_until)
    )
    anywhere = prog.group_by("ssid").agg(
        (pl.col("program") == g.tribal_foster_program).any().alias("tribal_foster"),
        meal.any().alias("meal_program"),
    )
    return at_school.join(anywhere, on="ssid", how="full", coalesce=True)


def foster_matches(
    foster: pl.LazyFrame | None, cohort: pl.DataFrame, periods: CohortPeriods
) -> pl.LazyFrame:
    """SSIDs of the optional foster-match input overlapping the period (R5.5)."""
    if foster is None:
        return pl.LazyFrame(schema={"ssid": pl.String})
    return (
        of_students(foster, cohort)
        .filter(
            pl.col("start_date").is_not_null()
            & _overlaps(pl.col("start_date"), pl.col("end_date"), periods)
        )
        .select("ssid")
        .unique()
    )


def directly_certified(
    direct_cert: pl.LazyFrame | None, cohort: pl.DataFrame, periods: CohortPeriods
) -> pl.LazyFrame:
    """SSIDs directly certified in one of the class's four academic years (R5.6)."""
    if direct_cert is None:
        return pl.LazyFrame(schema={"ssid": pl.String})
    first_year = pl.col("academic_year").str.extract(r"(\d{4})", 1).cast(pl.Int32, strict=False)
    y1 = periods.year1_start.year
    return (
        of_students(direct_cert, cohort)
        .filter(first_year.is_between(y1, y1 + 3))
        .select("ssid")
        .unique()
    )


def _side_table(
    frame: pl.LazyFrame | pl.DataFrame | None, dates: tuple[str, ...]
) -> pl.LazyFrame | None:
    if frame is None:
        return None
    lf = frame.lazy()
    names = lf.collect_schema().names()
    exprs = [pl.col("ssid").cast(pl.String).str.strip_chars()]
    for c in names:
        if c == "ssid":
            continue
        if c in dates:
            text = pl.col(c).cast(pl.String).str.strip_chars()
            exprs.append(date_from_text(text).alias(c))
        else:
            exprs.append(pl.col(c).cast(pl.String))
    return lf.select(exprs)


def read_side_table(path: object, dates: tuple[str, ...]) -> pl.LazyFrame | None:
    """Read the optional foster-match or direct-certification CSV (all text)."""
    if path is None:
        return None
    if isinstance(path, pl.DataFrame | pl.LazyFrame):
        return _side_table(path, dates)
    return _side_table(pl.scan_csv(str(path), infer_schema=False), dates)


def student_groups(
    *,
    cohort: pl.DataFrame,
    demographics: pl.DataFrame,
    qualifying: pl.DataFrame,
    senr_records: pl.LazyFrame,
    sprg: pl.LazyFrame,
    sela: pl.LazyFrame,
    periods: CohortPeriods,
    rules: RuleSet,
    foster: pl.LazyFrame | None = None,
    direct_cert: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """One row per cohort student: ``race``, ``gender`` and the :data:`GROUP_FLAGS`.

    Args:
        cohort: ``ssid`` of every cohort student.
        demographics: their :func:`demographic_record` rows. Two steps read
            them, so a caller collects them once rather than have each
            re-derive them from SINF.
        qualifying: qualifying records with ``ssid`` and ``cds_code``.
        senr_records: SENR records read (``ssid``, ``start``, ``gender``,
            ``source_file``, ``source_line``) for the R5.2 fallback.
        sela: canonical table.
        sprg: canonical SPRG table with ``cds_code`` added (R4.3).
        periods: the run's dates.
        rules: the run's rule set.
        foster: optional foster-match table (see :func:`read_side_table`).
        direct_cert: optional direct-certification table (see :func:`read_side_table`).
    """
    ids = cohort.select("ssid").unique()
    schools = of_students(qualifying, ids).select("ssid", "cds_code")
    joined = (
        ids.lazy()
        .join(demographics.lazy(), on="ssid", how="left")
        .join(senr_gender_fallback(senr_records, ids, demographics), on="ssid", how="left")
        .join(program_memberships(sprg, schools, periods, rules), on="ssid", how="left")
        .join(
            _marked(english_learners(sela, ids, periods, rules), "english_learner"),
            on="ssid",
            how="left",
        )
        .join(_marked(foster_matches(foster, ids, periods), "foster_match"), on="ssid", how="left")
        .join(
            _marked(directly_certified(direct_cert, ids, periods), "direct_cert"),
            on="ssid",
            how="left",
        )
        .with_columns(pl.col(f).fill_null(False) for f in _SOURCE_FLAGS)
    )
    return joined.select("ssid", *_group_columns(rules))


#: Boolean columns :func:`student_groups` joins from the group sources (absent: False).
_SOURCE_FLAGS: tuple[str, ...] = (
    "disability",
    "migrant",
    "homeless",
    "tribal_foster",
    "meal_program",
    "english_learner",
    "foster_match",
    "direct_cert",
)


def _marked(ssids: pl.LazyFrame, flag: str) -> pl.LazyFrame:
    """``ssids`` with a True column ``flag``, to be joined onto the cohort."""
    return ssids.with_columns(pl.lit(True).alias(flag))


def senr_gender_fallback(
    senr_records: pl.LazyFrame, ids: pl.DataFrame, demographics: pl.DataFrame
) -> pl.LazyFrame:
    """``ssid``, ``senr_gender``: R5.2's SENR gender, for students whose SINF has none.

    The SENR record with the latest start (same day: the later in file order).
    Usually few students lack a SINF gender, so few of the many SENR records are
    grouped.
    """
    sinf_gendered = demographics.filter(
        pl.col("student_gender_code").str.strip_chars().str.len_bytes() > 0
    ).select("ssid")
    return (
        with_tie_rank(
            of_students(senr_records, ids.join(sinf_gendered, on="ssid", how="anti")),
            ["source_file", "source_line"],
            descending=True,
        )
        .group_by("ssid")
        .agg(first_by(pl.col("gender"), _latest("start"), pl.lit(True)).alias("senr_gender"))
    )


def _group_columns(rules: RuleSet) -> list[pl.Expr]:
    """``race``, ``gender`` and the :data:`GROUP_FLAGS` from the joined sources (R5.1-R5.6)."""
    g = rules.groups
    sinf_gender = pl.col("student_gender_code").str.strip_chars()
    foster_flag = pl.col("foster_match") | pl.col("tribal_foster")
    parent = pl.col("parent_guardian_highest_education_level_code").str.strip_chars()
    sed = (
        (parent == g.parent_not_hs_graduate).fill_null(False)
        | pl.col("meal_program")
        | pl.col("migrant")
        | pl.col("homeless")
        | foster_flag
        | pl.col("direct_cert")
    )
    return [
        race_category(rules).alias("race"),
        gender_category(
            pl.when(sinf_gender.str.len_bytes() > 0)
            .then(sinf_gender)
            .otherwise(pl.col("senr_gender")),
            rules,
        ).alias("gender"),
        pl.col("english_learner"),
        pl.col("disability"),
        sed.alias("socioeconomically_disadvantaged"),
        pl.col("migrant"),
        foster_flag.alias("foster"),
        pl.col("homeless"),
    ]


#: Joins category codes into one text while :func:`categories` builds its list;
#: a control character, so never part of a code.
_CATEGORY_SEPARATOR = "\x1f"


def categories(flags: dict[str, str] = GROUP_FLAGS) -> pl.Expr:
    """List of reporting categories of a student row: TA, race, gender, then flags (R5.7).

    Built as text and split: ``concat_list(...).list.drop_nulls()`` says the
    same but is over ten times slower on half a million students.
    """
    parts = [pl.lit("TA"), pl.col("race"), pl.col("gender")]
    parts += [pl.when(pl.col(col)).then(pl.lit(cat)) for col, cat in flags.items()]
    joined = pl.concat_str(parts, separator=_CATEGORY_SEPARATOR, ignore_nulls=True)
    return joined.str.split(_CATEGORY_SEPARATOR)


def blank_unmeasured(
    students: pl.DataFrame,
    unmeasured: Iterable[str],
) -> pl.DataFrame:
    """``students`` with every unmeasured reporting category made unknown (null).

    A category whose inputs were not read (rule set ``groups.inputs``) is not
    a group of zero: its flag column is null, ``race``/``gender`` are null where
    they name it, and ``reporting_categories`` no longer lists it, so no count
    row of it exists. TA is always measured.
    """
    gone = set(unmeasured)
    if not gone:
        return students
    by_category = {category: column for column, category in GROUP_FLAGS.items()}
    blanks = [
        pl.lit(None, pl.Boolean).alias(by_category[c]) for c in sorted(gone & set(by_category))
    ]
    blanks += [
        pl.when(pl.col(col).is_in(sorted(gone))).then(None).otherwise(pl.col(col)).alias(col)
        for col in ("race", "gender")
    ]
    return students.with_columns(blanks).with_columns(categories().alias("reporting_categories"))


__all__ = [
    "DEMOGRAPHIC_FIELDS",
    "GROUP_FLAGS",
    "blank_unmeasured",
    "categories",
    "demographic_record",
    "directly_certified",
    "english_learners",
    "english_status_holding_on",
    "english_status_periods",
    "foster_matches",
    "gender_category",
    "program_memberships",
    "race_category",
    "race_lookup",
    "read_side_table",
    "senr_gender_fallback",
    "student_groups",
]
