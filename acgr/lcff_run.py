"""The LCFF unduplicated pupil count of one academic year from CALPADS extracts (R10).

:func:`lcff` stages the inputs once (every grade: staging keeps all SENR records),
finds each student's one enrollment on Census Day (R10.2), adds the R10.4 flags
with the records behind them, and counts per school and LEA (R10.5).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from acgr.checks.findings import concat_findings, sort_findings
from acgr.checks.lcff_findings import (
    LCFF_FINDINGS,
    RESOLVABLE,
    el_pending,
    foster_not_enrolled,
    frpm_ended,
    second_primary,
)
from acgr.checks.verdict import as_date
from acgr.errors import RefusedError
from acgr.pipeline import PREPARE, STAGED_COLUMNS, schools_directory, stage_inputs
from acgr.publish.upc import lea_table, school_counts, table_text, upc_impact, upc_table
from acgr.read.cds import cds_parts
from acgr.read.directory import DETAIL_ALIASES, read_school_details
from acgr.read.extracts import Engine, Extracts, read_inputs
from acgr.read.values import date_from_text
from acgr.rules.attribution import assign_cds_codes
from acgr.rules.groups import english_status_holding_on, read_side_table
from acgr.rules.lcff import (
    FLAGS,
    RECORDED_FLAGS,
    LcffRules,
    census_day_enrollments,
    direct_cert_of_year,
    english_learner_on,
    load_lcff_rules,
    overlaps_year,
    parse_academic_year,
    program_flags,
    side_flag,
    too_young,
    upc_flags,
    year_label,
)
from acgr.rules.qualifying import enrollment_records

SideInput = str | Path | pl.DataFrame | pl.LazyFrame | None


@dataclass(frozen=True)
class LcffResult:
    """One LCFF run (R10): the confidential student list, the school and LEA counts."""

    #: Academic year A (2024 for 2024-25) and its Census Day (R10.1).
    year: int
    census_day: dt.date
    #: One row per student enrolled on Census Day, flags and records behind them.
    students: pl.DataFrame
    #: ``upc.txt`` rows (R10.5) and ``upc_lea.txt`` rows.
    schools: pl.DataFrame
    leas: pl.DataFrame
    #: Findings raised while reading the inputs, and those that move the count (R10.2, R10.4).
    findings: pl.DataFrame
    #: ``upc_impact.csv`` rows: per school ``cds_code, upc, upc_if_resolved`` (R10.2, R10.4).
    impact: pl.DataFrame

    def upc_text(self) -> str:
        """``upc.txt`` (docs/formats.md output 6)."""
        return table_text(self.schools)

    def lea_text(self) -> str:
        """``upc_lea.txt`` (docs/formats.md output 6)."""
        return table_text(self.leas)

    def impact_text(self) -> str:
        """``upc_impact.csv`` (docs/formats.md output 6; R10.2, R10.4)."""
        return self.impact.write_csv(line_terminator="\n")

    def summary_lines(self) -> list[str]:
        """Counts only, never an identifier: for the command line."""
        total = self.students.height
        upc = int(self.students["upc"].sum())
        rules = self.findings["rule"]
        counts = ", ".join(f"{r} {int((rules == r).sum())}" for r in LCFF_FINDINGS)
        resolved = int(self.impact["upc_if_resolved"].sum())
        return [
            f"LCFF {year_label(self.year)}, Census Day {self.census_day.isoformat()}: "
            f"{total} students enrolled at {self.schools.height} schools, UPC {upc}",
            f"findings that move the count (R10.2, R10.4): {counts}; UPC if resolved {resolved}",
        ]


def _details(schools: Any) -> pl.DataFrame:
    """The schools' directory and type columns by ``cds_code`` (R10.4, R10.5)."""
    directory = schools_directory(schools)
    if isinstance(schools, str | Path):
        return directory.join(read_school_details(schools), on="cds_code", how="left")
    missing = [c for c in DETAIL_ALIASES if c not in directory.columns]
    return directory.with_columns(pl.lit("", pl.String).alias(c) for c in missing)


def _side(table: SideInput, dates: tuple[str, ...], label: str) -> pl.LazyFrame | None:
    """A side table with ``source_file`` and ``source_line`` (line 1: the header)."""
    read = read_side_table(table, dates)
    if read is None:
        return None
    name = str(table) if isinstance(table, str | Path) else label
    return read.with_row_index("source_line", offset=2).with_columns(
        pl.col("source_line").cast(pl.Int64), pl.lit(name).alias("source_file")
    )


def _juvenile_court(details: pl.DataFrame, rules: LcffRules) -> pl.LazyFrame:
    """``cds_code`` of the schools whose directory type is Juvenile Court School (R10.4)."""
    types = list(rules.juvenile_court_types)
    return (
        details.lazy()
        .filter(pl.col("school_type").is_in(types) | pl.col("educational_option_type").is_in(types))
        .select("cds_code", pl.lit(True).alias("juvenile_court"))
    )


def _records(extracts: Extracts, details: pl.DataFrame, rules: LcffRules) -> pl.LazyFrame:
    """SENR engine records of every grade, with ``cds_code`` (R4.3 via R10.2)."""
    records = enrollment_records(extracts.senr, None, codes_normalised="senr" in extracts.prepared)
    return assign_cds_codes(records, details, rules.placeholder_school_codes)


def _flagged(
    extracts: Extracts,
    enrolled: pl.DataFrame,
    *,
    year: int,
    statuses: pl.LazyFrame,
    rules: LcffRules,
    details: pl.DataFrame,
    foster: pl.LazyFrame | None,
    direct_cert: pl.LazyFrame | None,
) -> pl.LazyFrame:
    """The enrolled students with every R10.4 flag and the record behind each
    (``statuses``: each student's ELAS status on Census Day)."""
    foster_keep = overlaps_year(pl.col("start_date"), pl.col("end_date"), year)
    # Each flag frame holds only students with the flag; the left joins keep the
    # enrolled ones, so the sources need no semi join of their own.
    parts = [
        *program_flags(extracts.sprg, year, rules),
        side_flag(foster, foster_keep, "foster"),
        side_flag(direct_cert, direct_cert_of_year(year), "direct_certification"),
        english_learner_on(statuses, rules),
    ]
    joined = enrolled.lazy()
    for part in parts:
        joined = joined.join(part, on="ssid", how="left")
    joined = joined.join(_juvenile_court(details, rules), on="cds_code", how="left")
    court = pl.col("juvenile_court").fill_null(False)
    recorded = [c for f in RECORDED_FLAGS for c in (f"{f}_file", f"{f}_line")]
    return joined.with_columns(court, *upc_flags(court)).select(
        "ssid",
        *cds_parts(pl.col("cds_code")),
        "cds_code",
        "grade",
        "status",
        pl.col("start").alias("enrollment_start_date"),
        pl.col("exit_date").alias("enrollment_exit_date"),
        "enrollment_file",
        "enrollment_line",
        "juvenile_court",
        *FLAGS,
        *recorded,
    )


_BIRTH_DATE = "student_birth_date"


def _stage(inputs: Any, folder: Path, rules: LcffRules, engine: Engine) -> Extracts:
    """The inputs staged once; with R10.3's filter on, SENR birth dates staged too.

    The birth date is read for R10.3 alone: it stays in the private staging folder
    and is never written out.

    Raises:
        acgr.errors.RefusedError: the filter is on and the SENR input has no birth dates.
    """
    if rules.kindergarten_age_cutoff is None:
        return stage_inputs(inputs, folder, engine=engine)
    read = read_inputs(inputs, with_pii=True, line_store=folder / "lines")
    if _BIRTH_DATE not in read.raw["senr"].collect_schema().names():
        raise RefusedError(
            "the kindergarten age filter (R10.3) needs SENR birth dates, which only "
            "caret extracts carry"
        )
    columns = {**STAGED_COLUMNS, "senr": (*STAGED_COLUMNS["senr"], _BIRTH_DATE)}
    return read.stage(folder, columns=columns, engine=engine, prepare=PREPARE)


def _age_filtered(
    extracts: Extracts, enrolled: pl.DataFrame, year: int, rules: LcffRules, engine: Engine
) -> pl.DataFrame:
    """R10.3: the enrolled students without the TK/KN children too young on the cutoff."""
    if rules.kindergarten_age_cutoff is None:
        return enrolled
    births = extracts.senr.select(
        pl.col("source_file").cast(pl.String).alias("enrollment_file"),
        pl.col("source_line").cast(pl.Int64).alias("enrollment_line"),
        date_from_text(pl.col(_BIRTH_DATE).str.strip_chars()).alias("_birth"),
    )
    cutoff = rules.kindergarten_age_cutoff.in_year(year)
    return (
        enrolled.lazy()
        .join(births, on=["enrollment_file", "enrollment_line"], how="left")
        .filter(~too_young(pl.col("_birth"), cutoff, rules))
        .drop("_birth")
        .collect(engine=engine)
    )


def _findings(
    extracts: Extracts, students: pl.DataFrame, *, year: int, day: dt.date,
    statuses: pl.LazyFrame, rules: LcffRules, details: pl.DataFrame,
    foster: pl.LazyFrame | None, engine: Engine,
) -> pl.DataFrame:  # fmt: skip
    """The reading findings and the R10.2, R10.4 findings of a staged run, sorted."""
    enrolled = students.lazy()
    parts = [
        extracts.findings,
        frpm_ended(extracts.sprg, enrolled, year, rules),
        el_pending(statuses, enrolled, rules),
        second_primary(_records(extracts, details, rules), enrolled, day, rules),
        foster_not_enrolled(foster, enrolled, year),
    ]
    return sort_findings(concat_findings(parts).collect(engine=engine))


def _census_day(year: int, census_day: dt.date | str | None, rules: LcffRules) -> dt.date:
    if census_day is None:
        return rules.census_day_for(year)
    day = as_date(census_day, "census_day")
    assert day is not None  # census_day is not None here
    first, last = dt.date(year, 7, 1), dt.date(year + 1, 6, 30)
    if not first <= day <= last:
        raise RefusedError(
            f"Census Day {day.isoformat()} is outside the academic year {year_label(year)}"
        )
    return day


def _students(
    extracts: Extracts, *, year: int, day: dt.date, statuses: pl.LazyFrame, rules: LcffRules,
    details: pl.DataFrame, foster: pl.LazyFrame | None, direct_cert: pl.LazyFrame | None,
    engine: Engine,
) -> pl.DataFrame:  # fmt: skip
    """The student list of a staged run (R10.2, R10.4).

    Raises:
        acgr.errors.RefusedError: no SENR record was read, or none is open on Census Day.
    """
    if extracts.senr.select(pl.len()).collect(engine=engine).item() == 0:
        raise RefusedError("no SENR record was read: the LCFF count needs enrollments")
    # Collected once: each flag source joins on these students (semi joins), and
    # the list is small beside the extracts.
    enrolled = census_day_enrollments(_records(extracts, details, rules), day, rules).collect(
        engine=engine
    )
    enrolled = _age_filtered(extracts, enrolled, year, rules, engine)
    if enrolled.height == 0:
        raise RefusedError(f"no student is enrolled on Census Day {day.isoformat()}")
    return _flagged(
        extracts, enrolled, year=year, statuses=statuses, rules=rules, details=details,
        foster=foster, direct_cert=direct_cert,
    ).sort("ssid").collect(engine=engine)  # fmt: skip


def _counted(
    inputs: Any, *, year: int, day: dt.date, rules: LcffRules, details: pl.DataFrame,
    foster: SideInput, direct_cert: SideInput, engine: Engine,
) -> tuple[pl.DataFrame, pl.DataFrame]:  # fmt: skip
    """The student list and the findings, from inputs staged for this run alone."""
    with tempfile.TemporaryDirectory(prefix="acgr-lcff-") as tmp:
        # The staged Parquet holds SSIDs; it is removed when the run ends.
        extracts = _stage(inputs, Path(tmp), rules, engine)
        foster_rows = _side(foster, ("start_date", "end_date"), "<foster>")
        # Collected once: the EL flag and the ACGR0302 finding both read it (R10.4).
        statuses = english_status_holding_on(extracts.sela, day).collect(engine=engine).lazy()
        students = _students(
            extracts, year=year, day=day, statuses=statuses, rules=rules, details=details,
            foster=foster_rows, direct_cert=_side(direct_cert, (), "<direct_cert>"),
            engine=engine,
        )  # fmt: skip
        findings = _findings(
            extracts, students, year=year, day=day, statuses=statuses, rules=rules,
            details=details, foster=foster_rows, engine=engine,
        )  # fmt: skip
    return students, findings


def lcff(
    inputs: Any,
    *,
    year: str = "2024-25",
    census_day: dt.date | str | None = None,
    schools: str | Path | pl.DataFrame | None = None,
    foster: SideInput = None,
    direct_cert: SideInput = None,
    rules: str | Path | LcffRules = "lcff",
    engine: Engine = "auto",
) -> LcffResult:
    """The LCFF unduplicated pupil count of academic year ``year`` (docs/rules.md R10).

    Args:
        inputs: CALPADS extracts as :func:`acgr.compute` takes them (every grade is read).
        year: ``2024-25`` or ``2024-2025``.
        census_day: overrides R10.1's first Wednesday of October.
        schools: schools file or directory frame (names, charter flag, school types).
        foster: foster-match table (``ssid, start_date, end_date``).
        direct_cert: direct-certification table (``ssid, academic_year``).
        rules: the LCFF rule family (built-in ``lcff`` or a file with ``base = "lcff"``).
        engine: Polars engine.

    Raises:
        acgr.errors.RefusedError: a bad year or Census Day, no SENR record, nobody enrolled
            on Census Day, or the age filter (R10.3) on inputs without birth dates.

    Examples:
        Two students at one school on Census Day 2024, one with free meals (SPRG 181):

        >>> day = dt.date(2024, 8, 20)
        >>> senr = pl.DataFrame({"ssid": ["1000000001", "1000000002"], "reporting_lea":
        ...     "1964733", "school_of_attendance": "1930001", "enrollment_start_date": day,
        ...     "enrollment_status_code": "10", "grade_level_code": ["KN", "05"]})
        >>> sprg = pl.DataFrame({"ssid": ["1000000001"], "education_program_code": ["181"],
        ...     "education_program_membership_start_date": [day]})
        >>> upc = lcff({"senr": senr, "sprg": sprg}, year="2024-25")
        >>> upc.census_day, upc.schools.row(0)[16:]  # Total, FRPM, ..., EL, UPC
        (datetime.date(2024, 10, 2), (2, 1, 0, 0, 0, 0, 0, 1, 0, 1))
    """
    settings, a = load_lcff_rules(rules), parse_academic_year(year)
    day, details = _census_day(a, census_day, settings), _details(schools)
    students, findings = _counted(
        inputs, year=a, day=day, rules=settings, details=details, foster=foster,
        direct_cert=direct_cert, engine=engine,
    )  # fmt: skip
    upc = upc_table(school_counts(students.lazy()), details, year_label(a)).collect()
    leas = lea_table(upc.lazy()).collect()
    resolvable = findings.lazy().filter(pl.col("rule").is_in(RESOLVABLE))
    impact = upc_impact(students.lazy(), resolvable).collect()
    return LcffResult(a, day, students, upc, leas, findings, impact)


__all__ = ["LcffResult", "lcff"]
