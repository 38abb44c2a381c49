"""The Fall 2018 California School Dashboard graduation rate indicator (docs/rules.md R8).

For every entity (state ``X``, LEA ``D``, school ``S``) and Dashboard student group,
the indicator compares the current class with the prior class:

* *status* = the current rate, rounded half up to one decimal (R8.1, R6.3);
* *change* = current − prior on the UNROUNDED rates, rounded half away from zero to
  one decimal (R8.1.1: −0.85 → −0.9), computed exactly in integers;
* *status level* and *change level* from the 2018 cut points applied to the rounded
  values (separate cut points for DASS schools and county offices of education,
  R8.1/R8.2), the *safety net* cap, the 5×5 *colour* grid and the *box* number.

Every threshold, cut point, grid cell and group code is data, in the rule set
``acgr/rules/rulesets/dashboard2018.toml`` loaded into :class:`DashboardRules`. Rates and
cut points are handled in integer tenths of a percentage point, so every published
boundary is exact. The result reproduces CDE's ``graddownload2018.txt`` row for row
(see ``tests/test_dashboard.py``).

Two ways in: :func:`indicator` from two ACGR tables (``read_cde_acgr`` shape), and
:func:`indicator_from_counts` from numerators and denominators already laid out per
Dashboard row. :func:`dashboard_text` writes the file exactly as CDE writes it and
:func:`read_dashboard` reads one back, typed.

Scope: CDE's Dashboard uses the DASS one-year graduation rate for DASS schools (and
an unpublished combination for LEAs, docs/rules.md R8.1); :func:`indicator` uses the
ACGR counts it is given for every row. Supply DASS counts through
:func:`indicator_from_counts` to reproduce those rows.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from acgr.publish.acgr_file import GRADUATES, KEY_HEADER, read_tab_text
from acgr.publish.fiveyear import FIFTH_YEAR_HEADER
from acgr.publish.rates import change_tenths, rate_tenths, signed_tenths_text
from acgr.read.values import flag_from_text
from acgr.rules.dashboard import CutPointSets, DashboardRules, load_dashboard_rules

#: Output columns of the 2018 file (R8.2), as its rule set lists them; each year's
#: are its rule set's ``columns``.
COLUMNS: tuple[str, ...] = load_dashboard_rules("dashboard2018").columns

#: Input columns of :func:`indicator_from_counts` (``prior_dass_flag`` is optional):
#: the identifying columns of the output, then the four counts.
COUNT_COLUMNS: tuple[str, ...] = (
    *COLUMNS[: COLUMNS.index("studentgroup") + 1],
    "currnumer",
    "currdenom",
    "priornumer",
    "priordenom",
)

#: ``rtype`` of each ACGR ``AggregateLevel`` kept by the Dashboard (R8.2).
RTYPES: dict[str, str] = {"T": "X", "D": "D", "S": "S"}
LEA, SCHOOL = "D", "S"

_FLAGS = ("charter_flag", "coe_flag", "dass_flag")
#: Columns written ``Y`` or ``N`` (R8.1.1 ``safetynet``; R8.3 the 2023-2025 columns).
_YES_NO = ("safetynet", "smalldenom", "currnsizemet", "priornsizemet", "accountabilitymet")
_NAMES = ("schoolname", "districtname", "countyname")
_COUNTS = ("currnumer", "currdenom", "priornumer", "priordenom")
_ALL_COUNTS = (*_COUNTS, "fiveyrnumer")
_RATES = ("currstatus", "priorstatus", "change")
_RATE_TYPE = pl.Decimal(4, 1)
_LEVEL_TYPES: dict[str, pl.DataType] = {
    "statuslevel": pl.Int8(),
    "changelevel": pl.Int8(),
    "color": pl.Int8(),
    "box": pl.Int16(),
}
_GRADS = GRADUATES.count_header


# ----------------------------------------------------------------------- expressions
def _flag(name: str, dtype: pl.DataType, *, keep_null: bool = False) -> pl.Expr:
    """A ``Y``/blank (or Boolean) flag column as Boolean; blank/null is False or null."""
    out = pl.col(name) if dtype == pl.Boolean else flag_from_text(pl.col(name))
    return (out if keep_null else out.fill_null(False)).alias(name)


def _tenths_decimal(tenths: pl.Expr) -> pl.Expr:
    """Signed integer tenths as an exact Decimal(4, 1): -9 -> -0.9."""
    return signed_tenths_text(tenths).cast(_RATE_TYPE)


def _level(value: pl.Expr, cuts: CutPointSets, kind: str, use_dass: pl.Expr) -> pl.Expr:
    """1 + number of cut points reached by ``value``; 0 when ``value`` is null (R8.1.1).

    ``kind`` is ``status`` or ``change``; the DASS cut points apply where ``use_dass``
    while the rule set has them (2018), else the standard ones everywhere (R8.3).
    """
    standard: tuple[int, ...] = getattr(cuts.standard, kind)
    dass: tuple[int, ...] = getattr(cuts.dass, kind) if cuts.dass is not None else standard
    reached = [
        (value >= pl.when(use_dass).then(pl.lit(d)).otherwise(pl.lit(s))).cast(pl.Int8)
        for s, d in zip(standard, dass, strict=True)
    ]
    return (
        pl.when(value.is_not_null()).then(pl.sum_horizontal(reached) + 1).otherwise(0).cast(pl.Int8)
    )


# ----------------------------------------------------------------------- computation
def indicator_from_counts(
    frame: pl.DataFrame, rules: DashboardRules | None = None, *, reporting_year: int | None = None
) -> pl.DataFrame:
    """Compute the Dashboard graduation indicator from counts laid out per Dashboard row (R8).

    ``frame`` has the columns :data:`COUNT_COLUMNS` (flags ``Y``/blank or Boolean;
    ``coe_flag`` may be omitted and is then derived from the district code, R8.2),
    ``fiveyrnumer`` when the rules combine the four- and five-year rates (R8.3; the
    counts already include those graduates), and optionally ``prior_dass_flag`` (the
    school's DASS status for the prior class; null = unknown, see
    ``prior_dass.when_unknown``). Numerators of suppressed rows may be null. A null
    current denominator (a starred public ACGR row, at most 10 students) is a small
    denominator without a status.

    Returns the columns of that year's file (``rules.columns``), typed (flags and the
    Y/N columns Boolean, counts Int64, rates Decimal(4, 1), levels Int8, box Int16),
    sorted by ``cds`` then ``studentgroup`` as CDE sorts the file. ``reportingyear`` is
    ``reporting_year`` when given, else the rules' ``reporting_year``.

    Examples:
        >>> counts = pl.DataFrame({
        ...     "cds": ["00000000000000"], "rtype": ["X"], "schoolname": [""],
        ...     "districtname": [""], "countyname": [""], "charter_flag": [""],
        ...     "coe_flag": [""], "dass_flag": [""], "studentgroup": ["ALL"],
        ...     "currnumer": [432963], "currdenom": [518317],
        ...     "priornumer": [422375], "priordenom": [500096]})
        >>> out = indicator_from_counts(counts)
        >>> out.select("currstatus", "change", "statuslevel", "changelevel", "color", "box").row(0)
        (Decimal('83.5'), Decimal('-0.9'), 3, 3, 3, 130)
    """
    r = rules or load_dashboard_rules()
    needed = [*COUNT_COLUMNS, *(("fiveyrnumer",) if r.combined_five_year else ())]
    missing = [c for c in needed if c != "coe_flag" and c not in frame.schema]
    if missing:
        raise ValueError(f"indicator_from_counts: missing columns {missing} ({r.name})")
    year = r.reporting_year if reporting_year is None else str(reporting_year)
    rows = indicator_rows(frame, r, year)
    return rows.select(r.columns).sort("cds", "studentgroup").collect()


def indicator_rows(frame: pl.DataFrame, rules: DashboardRules, year: str) -> pl.LazyFrame:
    """Every computed column of :func:`indicator_from_counts`, unsorted, with the input's
    other columns kept (the what-if calculator carries its own through)."""
    rows = _with_levels(_with_rates(_typed_counts(frame, rules), rules), rules)
    return _published(rows, rules, year)


def _typed_counts(frame: pl.DataFrame, r: DashboardRules) -> pl.LazyFrame:
    """The rows typed: text keys, Boolean flags, Int64 counts, ``_prior_dass`` (null: unknown).

    A missing ``coe_flag`` is derived from the district code (R8.2); a missing
    ``fiveyrnumer`` (four-year rules) is null.
    """
    schema = frame.schema
    coe = (
        _flag("coe_flag", schema["coe_flag"])
        if "coe_flag" in schema
        else (pl.col("rtype") == LEA)
        & pl.col("cds").str.slice(2, 5).str.starts_with(r.lea.coe_district_prefix)
    )
    prior_dass = (
        _flag("prior_dass_flag", schema["prior_dass_flag"], keep_null=True)
        if "prior_dass_flag" in schema
        else pl.lit(None, pl.Boolean)
    )
    five = pl.col("fiveyrnumer") if "fiveyrnumer" in schema else pl.lit(None)
    return frame.lazy().with_columns(
        *(
            pl.col(c).cast(pl.String).fill_null("")
            for c in ("cds", "rtype", "studentgroup", *_NAMES)
        ),
        *(_flag(c, schema[c]) for c in ("charter_flag", "dass_flag")),
        coe.alias("coe_flag"),
        prior_dass.alias("_prior_dass"),
        *(pl.col(c).cast(pl.Int64) for c in _COUNTS),
        five.cast(pl.Int64).alias("fiveyrnumer"),
    )


def _shown(denominator: pl.Expr, r: DashboardRules) -> pl.Expr:
    """Whether a status (and its numerator) is shown: its denominator is above the
    suppression maximum (R8.1); never when the denominator is null."""
    return (denominator > r.suppression_max_denominator).fill_null(False)


def _meets_n_size(denominator: pl.Expr, r: DashboardRules) -> pl.Expr:
    """The n-size (R8.1 colour threshold, R8.3 ``*nsizemet``): 30, or the LEA-level value
    of the student group (FOS, HOM: 15); never met by a null denominator."""
    n = r.n_size
    lea_min = pl.col("studentgroup").replace_strict(
        n.lea_groups, default=n.min_denominator, return_dtype=pl.Int64
    )
    minimum = pl.when(pl.col("rtype") == LEA).then(lea_min).otherwise(n.min_denominator)
    return (denominator >= minimum).fill_null(False)


def _with_rates(typed: pl.LazyFrame, r: DashboardRules) -> pl.LazyFrame:
    """Status and change in tenths (R8.1, R8.1.1), the small denominator, the n-sizes.

    ``_use_dass``: the DASS/COE cut points apply (2018). No change on a status-only
    Dashboard, nor (2018) when a school's DASS status differs from the prior class's.
    """
    n1, d1, n0, d0 = (pl.col(c) for c in _COUNTS)
    rtype, dass = pl.col("rtype"), pl.col("dass_flag")
    has_curr, has_prior = _shown(d1, r), _shown(d0, r) & pl.lit(r.reports_change)
    unknown = dass if r.prior_dass.when_unknown == "same_as_current" else ~dass
    use_dass = ((rtype == SCHOOL) & dass) | ((rtype == LEA) & pl.col("coe_flag"))
    same_dass = (dass == pl.col("_prior_dass").fill_null(unknown)).fill_null(True)
    if not r.prior_dass.different_status_blocks_change:
        same_dass = pl.lit(True)
    curr_n, prior_n = _meets_n_size(d1, r), _meets_n_size(d0, r) & pl.lit(r.reports_change)
    accountable = curr_n & prior_n if r.accountability_needs_prior else curr_n
    return typed.with_columns(
        pl.when(has_curr).then(rate_tenths(n1, d1)).alias("_curr_t"),
        pl.when(has_prior).then(rate_tenths(n0, d0)).alias("_prior_t"),
        pl.when(has_curr & has_prior & same_dass)
        .then(change_tenths(n1, d1, n0, d0))
        .alias("_change_t"),
        (d1 < r.small_denominator.below).fill_null(True).alias("_small"),
        use_dass.alias("_use_dass"),
        curr_n.alias("currnsizemet"),
        prior_n.alias("priornsizemet"),
        accountable.alias("accountabilitymet"),
    )


def _with_levels(rated: pl.LazyFrame, r: DashboardRules) -> pl.LazyFrame:
    """Status level and change level from the cut points; ``_capped``: the change level read
    on the small-denominator ("3x5") grid; ``_coloured``: a change exists and the row is
    accountable (both n-sizes met) (R8.1.1, R8.3)."""
    use, small = pl.col("_use_dass"), pl.col("_small")
    raw = _level(pl.col("_change_t"), r.cut_points, "change", use)
    capped = (
        pl.when(small)
        .then(raw.replace(r.small_denominator.change_level_caps))
        .otherwise(raw)
        .cast(pl.Int8)
    )
    shown = capped if r.small_denominator.shown_change_level == "capped" else raw
    shows_level = (
        pl.col("_change_t").is_not_null()
        if r.change_level_without_colour == "level"
        else pl.col("_coloured")
    )
    levelled = rated.with_columns(
        _level(pl.col("_curr_t"), r.cut_points, "status", use).alias("statuslevel"),
        raw.alias("_raw_change_level"),
        capped.alias("_capped"),
        shown.alias("_shown_change_level"),
        (pl.col("_change_t").is_not_null() & pl.col("accountabilitymet")).alias("_coloured"),
    )
    return levelled.with_columns(
        pl.when(shows_level)
        .then(pl.col("_shown_change_level"))
        .otherwise(0)
        .cast(pl.Int8)
        .alias("changelevel")
    )


def _colour_and_box(r: DashboardRules) -> tuple[pl.Expr, pl.Expr]:
    """The ``color`` and ``box`` of a coloured row, 0 otherwise (R8.1.1, R8.3).

    The colour is the grid cell at (status level, change level) of the regular grid, or
    of the small-denominator grid; the box is the cell's number, ``10 × (5 × (5 − status
    level) + change level)``, with the change level capped on the small-denominator grid.
    """
    sl, raw = pl.col("statuslevel").cast(pl.Int16), pl.col("_raw_change_level").cast(pl.Int16)
    cell = sl * 10 + raw
    colour = (
        pl.when(pl.col("_small"))
        .then(cell.replace_strict(r.grid_codes(small=True), default=0, return_dtype=pl.Int8))
        .otherwise(cell.replace_strict(r.grid_codes(), default=0, return_dtype=pl.Int8))
    )
    box = (5 - sl) * 50 + pl.col("_capped").cast(pl.Int16) * 10
    coloured = pl.col("_coloured")
    return (
        pl.when(coloured).then(colour).otherwise(0).cast(pl.Int8).alias("color"),
        pl.when(coloured).then(box).otherwise(0).cast(pl.Int16).alias("box"),
    )


def _published(levelled: pl.LazyFrame, r: DashboardRules, year: str) -> pl.LazyFrame:
    """Colour and box, numerators blank where the status is not shown, the prior
    denominator as that year's file shows an absent one, rates as exact decimals, the
    constant columns."""
    n1, d0, n0 = pl.col("currnumer"), pl.col("priordenom"), pl.col("priornumer")
    prior_denominator: pl.Expr = pl.when(pl.lit(r.reports_change)).then(d0)
    if r.absent_prior_denominator == "zero":
        prior_denominator = prior_denominator.fill_null(0)
    return levelled.with_columns(
        *_colour_and_box(r),
        pl.when(_shown(pl.col("currdenom"), r)).then(n1).alias("currnumer"),
        pl.when(_shown(d0, r) & pl.lit(r.reports_change)).then(n0).alias("priornumer"),
        prior_denominator.alias("priordenom"),
        _tenths_decimal(pl.col("_curr_t")).alias("currstatus"),
        _tenths_decimal(pl.col("_prior_t")).alias("priorstatus"),
        _tenths_decimal(pl.col("_change_t")).alias("change"),
        pl.col("_small").alias("safetynet"),
        pl.col("_small").alias("smalldenom"),
        pl.lit(r.indicator).alias("indicator"),
        pl.lit(year).alias("reportingyear"),
    )


#: Columns of an ACGR table that :func:`indicator` reads (R8.2): the class of each
#: file, the entity and its flags, the group, the cohort and its graduates.
ACGR_INPUT_COLUMNS: tuple[str, ...] = (*KEY_HEADER, _GRADS)


def _class_of(table: pl.DataFrame, name: str) -> int:
    """The class (end year) of the one AcademicYear of an ACGR table, e.g. ``2017-18`` -> 2018.

    ``YYYY-YY`` as CDE writes it (``YYYY-YYYY`` is accepted too); refuses a table
    holding several AcademicYears or rows without one (R8.2: one class per file).
    """
    if "AcademicYear" not in table.columns:
        raise ValueError(f"{name}: no AcademicYear column, so its class is unknown")
    labels = (
        table.select(pl.col("AcademicYear").cast(pl.String).str.strip_chars().fill_null(""))
        .unique()
        .sort("AcademicYear")
        .get_column("AcademicYear")
        .to_list()
    )
    if not labels:
        raise ValueError(f"{name}: no rows")
    if len(labels) > 1:
        shown = ", ".join(label or "(blank)" for label in labels[:5])
        more = ", ..." if len(labels) > 5 else ""
        raise ValueError(
            f"{name}: holds {len(labels)} AcademicYears ({shown}{more}); give one class per file"
        )
    label = labels[0]
    m = re.fullmatch(r"(\d{4})-(\d{2}|\d{4})", label)
    start = int(m.group(1)) if m else 0
    if m is None or int(m.group(2)) not in ((start + 1) % 100, start + 1):
        raise ValueError(f"{name}: AcademicYear {label[:20]!r} is not an academic year (YYYY-YY)")
    return start + 1


def _academic_year_label(class_of: int) -> str:
    return f"{class_of - 1}-{class_of % 100:02d}"


def reporting_year(
    current: pl.DataFrame, prior: pl.DataFrame, *, names: tuple[str, str] = ("current", "prior")
) -> int:
    """The Dashboard year of two ACGR tables: the end year of the current class (R8.1, R8.2).

    The indicator compares a class with the class just before it, so ``prior``
    must hold exactly the AcademicYear before ``current``'s (``2016-17`` for
    ``2017-18``, Dashboard 2018). ``names`` name the two tables in messages (the
    command line passes the file names).

    Raises:
        ValueError: a table without an AcademicYear or with several, the same
            class twice, the prior newer than the current, or a gap between them.

    Examples:
        >>> cur = pl.DataFrame({"AcademicYear": ["2017-18", "2017-18"]})
        >>> reporting_year(cur, pl.DataFrame({"AcademicYear": ["2016-17"]}))
        2018
    """
    cur_name, prior_name = names
    cur, pri = _class_of(current, cur_name), _class_of(prior, prior_name)
    cur_label, pri_label = _academic_year_label(cur), _academic_year_label(pri)
    expected = _academic_year_label(cur - 1)
    if pri == cur:
        raise ValueError(
            f"{cur_name} and {prior_name} are both {cur_label}; "
            f"the prior must be the class before ({expected})"
        )
    if pri > cur:
        raise ValueError(
            f"{prior_name} ({pri_label}) is newer than {cur_name} ({cur_label}); "
            "are the two swapped?"
        )
    if pri != cur - 1:
        raise ValueError(
            f"{prior_name} is {pri_label}, not the class before {cur_name} ({cur_label}): "
            f"expected {expected}"
        )
    return cur


def _acgr_rows(acgr: pl.DataFrame, rules: DashboardRules) -> pl.LazyFrame:
    """One row per Dashboard entity and group from an ACGR table (``read_cde_acgr`` shape).

    T and D rows: the ``All``/``All`` row. S rows: the school's row (the ``All``/``All``
    roll-up where the file has one), flagged charter/DASS when any of its rows says
    ``Yes``. Columns: cds, rtype, names, flags, studentgroup, numer, denom.
    """
    category_to_group = {c: g for g, c in rules.student_groups.items()}
    level = pl.col("AggregateLevel")
    both_all = (pl.col("CharterSchool") == "All") & (pl.col("DASS") == "All")
    keys = ["AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode", "ReportingCategory"]
    lf = (
        acgr.lazy()
        .filter(
            level.is_in(list(RTYPES)) & pl.col("ReportingCategory").is_in(list(category_to_group))
        )
        .filter((level == "S") | both_all)
        .with_columns(pl.when(both_all).then(0).otherwise(1).alias("_pref"))
        .group_by(keys)
        .agg(
            pl.col("CountyName", "DistrictName", "SchoolName", "CohortStudents", _GRADS)
            .sort_by("_pref")
            .first(),
            (pl.col("CharterSchool") == "Yes").any().alias("_charter"),
            (pl.col("DASS") == "Yes").any().alias("_dass"),
        )
    )
    county = pl.col("CountyCode").fill_null("00")
    district = pl.col("DistrictCode").fill_null("00000")
    school = pl.col("SchoolCode").fill_null("0000000")
    is_school, is_lea = level == "S", level == "D"
    return lf.select(
        pl.when(level == "T")
        .then(pl.lit("0" * 14))
        .when(is_lea)
        .then(pl.concat_str([county, district, pl.lit("0000000")]))
        .otherwise(pl.concat_str([county, district, school]))
        .alias("cds"),
        level.replace_strict(RTYPES, return_dtype=pl.String).alias("rtype"),
        pl.when(is_school).then(pl.col("SchoolName")).fill_null("").alias("schoolname"),
        pl.when(is_school | is_lea)
        .then(pl.col("DistrictName"))
        .fill_null("")
        .alias("districtname"),
        pl.when(is_school | is_lea).then(pl.col("CountyName")).fill_null("").alias("countyname"),
        (is_school & pl.col("_charter")).alias("charter_flag"),
        (is_lea & district.str.starts_with(rules.lea.coe_district_prefix)).alias("coe_flag"),
        (is_school & pl.col("_dass")).alias("dass_flag"),
        pl.col("ReportingCategory")
        .replace_strict(category_to_group, return_dtype=pl.String)
        .alias("studentgroup"),
        pl.col(_GRADS).cast(pl.Int64).alias("numer"),
        pl.col("CohortStudents").cast(pl.Int64).alias("denom"),
    )


def indicator(
    current: pl.DataFrame,
    prior: pl.DataFrame,
    rules: DashboardRules | None = None,
    *,
    names: tuple[str, str] = ("current", "prior"),
) -> pl.DataFrame:
    """The Dashboard graduation indicator from the current and prior classes' ACGR tables (R8).

    ``current`` and ``prior`` are in the shape :func:`acgr.read_cde_acgr` returns,
    with the columns :data:`ACGR_INPUT_COLUMNS` (AggregateLevel T/D/S). Each holds
    one class, ``prior`` the class just before ``current`` (:func:`reporting_year`
    checks this; ``names`` name the two in its messages), and ``reportingyear`` is
    the current class's end year (``2017-18`` -> ``2018``). One output row per
    entity and group present in ``current``; a group absent from ``prior`` has
    prior denominator 0.
    The prior DASS status of a school is the prior table's (R8.1.1); a school absent
    from it is unknown (``prior_dass.when_unknown``). COE rows are LEAs whose district
    code starts with ``lea.coe_district_prefix`` (R8.2).

    Raises:
        ValueError: a table lacks a column of :data:`ACGR_INPUT_COLUMNS`, or the
            two are not consecutive classes in order (:func:`reporting_year`).

    Examples:
        >>> def acgr(year, grads, cohort):
        ...     return pl.DataFrame({"AcademicYear": [year],
        ...         "AggregateLevel": ["T"], "CountyCode": ["00"], "DistrictCode": [None],
        ...         "SchoolCode": [None], "CountyName": ["State"], "DistrictName": [""],
        ...         "SchoolName": [""], "CharterSchool": ["All"], "DASS": ["All"],
        ...         "ReportingCategory": ["TA"], "CohortStudents": [cohort],
        ...         "Regular HS Diploma Graduates (Count)": [grads]},
        ...         schema_overrides={"DistrictCode": pl.String, "SchoolCode": pl.String})
        >>> out = indicator(acgr("2017-18", 29, 80), acgr("2016-17", 30, 80))
        >>> out.select("cds", "rtype", "currstatus", "change", "reportingyear").row(0)
        ('00000000000000', 'X', Decimal('36.3'), Decimal('-1.3'), '2018')
    """
    r = rules or load_dashboard_rules()
    for table, name in zip((current, prior), names, strict=True):
        missing = [c for c in ACGR_INPUT_COLUMNS if c not in table.columns]
        if missing:
            raise ValueError(f"{name}: not an ACGR table for the Dashboard: lacks {missing}")
    year = reporting_year(current, prior, names=names)
    counts = _paired_counts(_acgr_rows(current, r), _acgr_rows(prior, r))
    return indicator_from_counts(counts, r, reporting_year=year)


def combined_indicator(
    current: pl.DataFrame,
    prior: pl.DataFrame,
    current_fifth: pl.DataFrame,
    prior_fifth: pl.DataFrame,
    rules: DashboardRules,
    *,
    names: tuple[str, str] = ("current", "prior"),
) -> pl.DataFrame:
    """The combined four- and five-year indicator (R8.3) from four unsuppressed tables.

    ``current``/``prior``: the four-year ACGR tables of classes Y and Y−1 (acgr.txt
    shape, unsuppressed counts); ``current_fifth``/``prior_fifth``: the five-year tables
    of classes Y−1 and Y−2 (fiveyear.txt shape, unsuppressed), whose
    :data:`FIFTH_YEAR_HEADER` are counted at the school where they graduated (R9.3).
    Each Dashboard row's numerator and denominator both gain those graduates, and
    ``fiveyrnumer`` shows the current ones (R8.3).
    """
    year = reporting_year(current, prior, names=names)
    counts = _paired_counts(
        _plus_fifth_year(_acgr_rows(current, rules), _fifth_rows(current_fifth, rules)),
        _plus_fifth_year(_acgr_rows(prior, rules), _fifth_rows(prior_fifth, rules)),
    )
    return indicator_from_counts(counts, rules, reporting_year=year)


def _fifth_rows(table: pl.DataFrame, rules: DashboardRules) -> pl.LazyFrame:
    """Dashboard rows of a five-year table: ``numer`` = its fifth-year graduates."""
    as_acgr = table.drop(_GRADS, strict=False).rename({FIFTH_YEAR_HEADER: _GRADS})
    return _acgr_rows(as_acgr, rules)


def _plus_fifth_year(four: pl.LazyFrame, fifth: pl.LazyFrame) -> pl.LazyFrame:
    """Four-year rows with the fifth-year graduates added to both counts (R8.3).

    A school with fifth-year graduates but no four-year cohort gets a row of its own.
    """
    keys = ["cds", "studentgroup"]
    fifth = fifth.with_columns(pl.col("numer").alias("denom"), pl.col("numer").alias("five"))
    both = pl.concat([four.with_columns(pl.lit(0, pl.Int64).alias("five")), fifth])
    first = ("rtype", *_NAMES)
    return both.group_by(keys, maintain_order=True).agg(
        *(pl.col(c).first() for c in first),
        *(pl.col(c).any() for c in _FLAGS),
        pl.col("numer").sum(),
        pl.col("denom").sum(),
        pl.col("five").sum().alias("fiveyrnumer"),
    )


def _paired_counts(curr: pl.LazyFrame, prev: pl.LazyFrame) -> pl.DataFrame:
    """Each current row (:func:`_acgr_rows`) with the prior class's counts (null when
    absent) and, for a school, its prior DASS status (null when absent: unknown, R8.1.1)."""
    prior_counts = prev.select(
        "cds",
        "studentgroup",
        pl.col("numer").alias("priornumer"),
        pl.col("denom").alias("priordenom"),
    )
    prior_dass = (
        prev.filter(pl.col("rtype") == SCHOOL)
        .group_by("cds")
        .agg(pl.col("dass_flag").any().alias("prior_dass_flag"))
    )
    return (
        curr.rename({"numer": "currnumer", "denom": "currdenom"})
        .join(prior_counts, on=["cds", "studentgroup"], how="left")
        .join(prior_dass, on="cds", how="left")
        .collect()
    )


def prior_dass_from_previous(
    previous: pl.DataFrame, rules: DashboardRules | None = None
) -> pl.DataFrame:
    """``cds, prior_dass_flag`` of the schools a previous-year Dashboard file shows (R8.1.1).

    With a ``dass_flag`` column (Fall 2018 on) the flag is read from it. Without one
    (Fall 2017) and when ``prior_dass.listed_in_previous_without_flag_means_not_dass``
    (inferred from the data: that file lists no DASS school), every school it lists
    was not DASS; schools it does not list are absent here (unknown).

    Examples:
        >>> prev = pl.DataFrame({"cds": ["01611190130625", "01611190130625"],
        ...                      "rtype": ["S", "S"], "studentgroup": ["ALL", "HI"]})
        >>> prior_dass_from_previous(prev).rows()
        [('01611190130625', False)]
    """
    r = rules or load_dashboard_rules()
    lf = previous.lazy()
    if "rtype" in previous.columns:
        lf = lf.filter(pl.col("rtype") == SCHOOL)
    if "dass_flag" in previous.columns:
        flag = _flag("dass_flag", previous.schema["dass_flag"]).any()
    elif r.prior_dass.listed_in_previous_without_flag_means_not_dass:
        flag = pl.lit(False)
    else:
        return pl.DataFrame(schema={"cds": pl.String, "prior_dass_flag": pl.Boolean})
    return (
        lf.group_by("cds")
        .agg(flag.alias("prior_dass_flag"))
        .select("cds", pl.col("prior_dass_flag").cast(pl.Boolean))
        .sort("cds")
        .collect()
    )


# ------------------------------------------------------------------------------- I/O
def dashboard_text(df: pl.DataFrame) -> str:
    r"""The tab-delimited text of a Dashboard graduation file, exactly as CDE writes it.

    The columns of ``df`` in its order (a year's ``rules.columns``); header line, LF line
    ends, no quoting; flags ``Y`` or blank; ``safetynet``, ``smalldenom`` and the n-size
    columns ``Y`` or ``N``; suppressed cells blank; rates and change with one decimal except that
    whole numbers print without ``.0`` (``81``, ``100``, ``-1``, ``0``). Rows are
    written in the order given (:func:`indicator` sorts them as CDE does).

    Examples:
        >>> counts = pl.DataFrame({
        ...     "cds": ["00000000000000"], "rtype": ["X"], "schoolname": [""],
        ...     "districtname": [""], "countyname": [""], "charter_flag": [""],
        ...     "coe_flag": [""], "dass_flag": [""], "studentgroup": ["FOS"],
        ...     "currnumer": [3924], "currdenom": [6651],
        ...     "priornumer": [3672], "priordenom": [6333]})
        >>> dashboard_text(indicator_from_counts(counts)).splitlines()[1].split("\t")[8:]
        ['FOS', '3924', '6651', '59', '3672', '6333', '58', 'N', '1', '1', '4', '1', '240', '2018']
    """
    exprs: list[pl.Expr] = []
    for col in df.columns:
        c = pl.col(col)
        if col in _FLAGS:
            exprs.append(pl.when(c).then(pl.lit("Y")).otherwise(pl.lit("")).alias(col))
        elif col in _YES_NO:
            exprs.append(pl.when(c).then(pl.lit("Y")).otherwise(pl.lit("N")).alias(col))
        elif col in _RATES:
            exprs.append(c.cast(_RATE_TYPE).cast(pl.String).str.replace(r"\.0$", "").alias(col))
        else:
            exprs.append(c.cast(pl.String).alias(col))
    return df.select(exprs).write_csv(
        separator="\t", line_terminator="\n", quote_style="never", null_value=""
    )


def read_dashboard(path: str | Path) -> pl.DataFrame:
    """Read a Dashboard graduation download (``graddownloadYYYY.txt``), typed.

    The 22 columns of 2018 get the types :func:`indicator_from_counts` returns;
    other columns (the 2017 file's ``cal_method``, ``prioryearN_*``) stay text, with
    ``*_numer``/``*_denom`` as Int64 and ``*_status`` as Decimal(4, 1). Tolerates a
    BOM and CRLF; a ``cds`` that lost leading zeros is re-padded to 14 digits.
    """
    raw = read_tab_text(path)
    raw = raw.rename({c: c.lstrip("\ufeff").strip() for c in raw.columns})
    exprs: list[pl.Expr] = []
    for col in raw.columns:
        cell = pl.col(col).str.strip_chars()
        blank = cell.is_null() | (cell == "")
        if col == "cds":
            exprs.append(cell.str.zfill(14).alias(col))
        elif col in _FLAGS:
            exprs.append(_flag(col, pl.String()).alias(col))
        elif col in _YES_NO:
            exprs.append(_flag(col, pl.String(), keep_null=True).alias(col))
        elif col in _ALL_COUNTS or col.endswith(("_numer", "_denom")):
            exprs.append(pl.when(~blank).then(cell).cast(pl.Int64).alias(col))
        elif col in _RATES or col.endswith("_status"):
            exprs.append(pl.when(~blank).then(cell).cast(_RATE_TYPE).alias(col))
        elif col in _LEVEL_TYPES:
            exprs.append(pl.when(~blank).then(cell).cast(_LEVEL_TYPES[col]).alias(col))
        elif col in _NAMES:
            exprs.append(cell.fill_null("").alias(col))
        else:
            exprs.append(cell.alias(col))
    return raw.select(exprs)


__all__ = [
    "ACGR_INPUT_COLUMNS",
    "COLUMNS",
    "COUNT_COLUMNS",
    "RTYPES",
    "combined_indicator",
    "dashboard_text",
    "indicator",
    "indicator_from_counts",
    "indicator_rows",
    "prior_dass_from_previous",
    "read_dashboard",
    "reporting_year",
]
