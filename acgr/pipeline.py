"""The library entry point: :func:`compute` runs the whole ACGR pipeline lazily.

Polars or Arrow tables (or paths) in, Polars DataFrames out. The pipeline is one
lazy query from the raw lines to the three results, so the optimiser sees all of
it; every per-student step groups by SSID only.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from acgr.checks.findings import concat_findings, sort_findings
from acgr.checks.impact import outcome_sensitive_findings, school_impact
from acgr.checks.validation import student_summary, validation_parts
from acgr.checks.verdict import (
    Coverage,
    RefusedError,
    Verdict,
    as_date,
    class_year,
    coverage_warnings,
    directory_warnings,
    missing_input_warnings,
    missing_start_findings,
    reads_by_file,
    refuse_empty_class,
    refuse_unusable_files,
    senr_coverage,
    table_summary,
    unmeasured_categories,
)
from acgr.publish.acgr_file import acgr_text, rates_table
from acgr.publish.aggregation import INDICATORS, all_levels, school_counts
from acgr.publish.suppression import with_suppression
from acgr.read.directory import empty_directory, read_directory
from acgr.read.extracts import PADDING, Engine, Extracts, read_inputs
from acgr.rules.attribution import assign_cds, attribute
from acgr.rules.cohort import CohortPeriods, cohort_members, of_students
from acgr.rules.groups import (
    DEMOGRAPHIC_FIELDS,
    GROUP_FLAGS,
    blank_unmeasured,
    categories,
    demographic_record,
    read_side_table,
    student_groups,
)
from acgr.rules.outcomes import (
    decide_outcomes,
    outcome_findings,
    record_flags,
    student_picks,
    with_decided_record,
)
from acgr.rules.qualifying import (
    CARRIED_COLUMNS,
    ENGINE_COLUMNS,
    enrollment_records,
    normalise_senr_codes,
    normalise_senr_codes_by_value,
    normalized_code,
    qualifying_from,
    tidy_senr,
    untidy_columns,
)
from acgr.rules.ruleset import COMPLETER_OUTCOMES, Outcome, RuleSet, load_rules

#: The school a student is counted at (R4): its CDS code, its parts and its flags.
SCHOOL_COLUMNS: tuple[str, ...] = (
    "cds_code",
    "county_code",
    "district_code",
    "school_code",
    "charter",
    "dass",
)

#: Columns of ``students.parquet`` / :attr:`AcgrResult.students`, in order.
STUDENT_COLUMNS: tuple[str, ...] = (
    "ssid",
    "local_student_id",
    "class_of",
    "in_cohort",
    "outcome",
    "completer_category",
    "reason",
    *SCHOOL_COLUMNS,
    "record_file",
    "record_line",
    "record_start_date",
    "record_exit_date",
    "record_exit_code",
    "record_completion",
    "initial_start_date",
    "initial_grade",
    "qualifying_records",
    *INDICATORS.values(),
    "race",
    "gender",
    *GROUP_FLAGS,
    "reporting_categories",
)


@dataclass
class AcgrResult:
    """What one run produces.

    Attributes:
        students: one row per student of the class, Removed included (confidential).
        rates: the CDE table, typed and unsuppressed, with a ``suppressed`` column.
        findings: data-quality findings (confidential: carries SSIDs).
        periods: the dates used.
        rules: the rule set used.
        senr_records: SENR records read (after the reader's own rejections).
        students_read: distinct SSIDs among them.
        verdict: what the run read and lacked, and its warnings
            (:class:`acgr.checks.verdict.Verdict`).
    """

    students: pl.DataFrame
    rates: pl.DataFrame
    findings: pl.DataFrame
    periods: CohortPeriods
    rules: RuleSet
    senr_records: int = 0
    students_read: int = 0
    #: ``lines_read``, ``records_parsed``, ``lines_rejected`` (see Extracts.accounting),
    #: ``senr_without_start`` and ``senr_after_extraction`` (parsed, never read: R2.4).
    accounting: dict[str, int] | None = None
    #: Wall seconds per phase of the run (see :class:`Phases`), in run order.
    timings: dict[str, float] = field(default_factory=dict)
    verdict: Verdict | None = None

    def impact(self) -> pl.DataFrame:
        """Per school: rates if outcome-sensitive findings were resolved either way."""
        return school_impact(self.students, self.rules)

    def state_row(self) -> dict[str, object]:
        """The unsuppressed state TA All/All row of :attr:`rates` (empty dict if none)."""
        row = self.rates.filter(
            (pl.col("AggregateLevel") == "T")
            & (pl.col("ReportingCategory") == "TA")
            & (pl.col("CharterSchool") == "All")
            & (pl.col("DASS") == "All")
        )
        return row.row(0, named=True) if row.height else {}

    def acgr_text(self) -> str:
        """The public ``acgr.txt`` content, suppressed (R6.4)."""
        return acgr_text(self.rates)


#: Phases of :func:`compute`, in run order, with what each does (CLI progress text).
PHASES: dict[str, str] = {
    "stage": "reading the extracts",
    "records": "checking and tidying enrollment records",
    "cohort": "finding qualifying records and the cohort",
    "students": "deciding cohort, outcomes and student groups",
    "findings": "checking records",
    "rates": "counting and rating",
}


class Phases:
    """Names and times the phases of a run (a lazy query runs where it is collected).

    ``progress`` is called with each phase's name as it starts (the CLI shows it);
    :attr:`timings` holds the wall seconds each took. Phase names carry no data.
    """

    def __init__(self, progress: Callable[[str], None] | None = None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        """Time phase ``name`` while the ``with`` block runs, announcing it first."""
        if self.progress is not None:
            self.progress(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started


def schools_directory(schools: Any) -> pl.DataFrame:
    """The schools directory of a run: read from a path, taken as given, or empty (R4.3)."""
    if schools is None:
        return empty_directory()
    if isinstance(schools, pl.DataFrame):
        return schools
    return read_directory(schools)


def student_table(students: pl.LazyFrame) -> pl.LazyFrame:
    """Shape decided, attributed students into :data:`STUDENT_COLUMNS` (docs/formats.md).

    Graduate indicators (R6.2) come from the graduating record's SENR flags; each
    count column of :data:`acgr.publish.aggregation.INDICATORS` is named after its flag.
    """
    grad = pl.col("outcome") == str(Outcome.GRADUATE)
    decided = pl.col("decided_by")
    return students.select(
        "ssid",
        # Carried as given (CARRIED_COLUMNS): padding a typed table may hold is cut here.
        decided.struct.field("local_student_id").str.strip_chars(PADDING),
        pl.col("class_of").cast(pl.Int32),
        (pl.col("outcome") != str(Outcome.REMOVED)).alias("in_cohort"),
        "outcome",
        pl.when(pl.col("outcome").is_in([str(o) for o in COMPLETER_OUTCOMES]))
        .then(pl.col("outcome"))
        .otherwise(None)
        .alias("completer_category"),
        "reason",
        *SCHOOL_COLUMNS,
        decided.struct.field("source_file").cast(pl.String).alias("record_file"),
        decided.struct.field("source_line").alias("record_line"),
        decided.struct.field("start").alias("record_start_date"),
        decided.struct.field("exit_date").alias("record_exit_date"),
        decided.struct.field("exit_code").alias("record_exit_code"),
        decided.struct.field("completion").alias("record_completion"),
        "initial_start_date",
        "initial_grade",
        pl.col("qualifying_records").cast(pl.Int32),
        *(
            (grad & (decided.struct.field(src) == "Y")).fill_null(False).alias(name)
            for src, name in INDICATORS.items()
        ),
        "race",
        "gender",
        *GROUP_FLAGS,
    ).with_columns(categories().alias("reporting_categories"))


#: The legal names a run reads only when asked (``with_names``), from SENR: they appear in
#: ``students.parquet`` and ``students.csv`` after :data:`STUDENT_COLUMNS`, never elsewhere.
NAME_COLUMNS: tuple[str, ...] = ("student_legal_first_name", "student_legal_last_name")

#: Columns of each canonical table the engine reads (R1-R5); staging keeps only these.
STAGED_COLUMNS: dict[str, tuple[str, ...]] = {
    "senr": (*ENGINE_COLUMNS, *CARRIED_COLUMNS),
    "sinf": ("effective_start_date", *DEMOGRAPHIC_FIELDS),
    "sprg": (
        "reporting_lea",
        "school_of_attendance",
        "education_program_code",
        "education_program_membership_start_date",
        "education_program_membership_end_date",
    ),
    "sela": (
        "english_acquisition_status_code",
        "english_acquisition_status_start_date",
        "primary_language_code",
    ),
}


#: Applied to tables once they are staged: SENR codes are normalised by value there.
PREPARE = {"senr": normalise_senr_codes_by_value}


def _materialise(frame: pl.LazyFrame, path: Path, engine: Engine) -> pl.LazyFrame:
    """Write ``frame`` once to Parquet (streaming) and scan it back.

    Used for the few intermediate tables many later steps read, so the
    optimiser does not recompute them for each reader.
    """
    # Private and short-lived: fast compression, no column statistics.
    frame.sink_parquet(path, compression="lz4", statistics=False, engine=engine)
    return pl.scan_parquet(path)


def _senr_records(
    extracts: Extracts,
    extraction_date: dt.date | None,
    *,
    workdir: Path,
    engine: Engine,
    phase: Phases,
) -> pl.LazyFrame:
    """SENR engine records, tidy: every later step reads them.

    Staged text was stripped while it was staged, and its codes normalised by value
    once it was written (:data:`PREPARE`). A table read in
    place (Parquet, frames) is checked first, on its distinct values (the
    ``records`` phase). When it is tidy it is read where it is: a copy costs
    more to write than the later passes save by reading it. Otherwise only
    its untidy columns are stripped and normalised as it is written once, as
    fast-to-read Parquet, since the later steps pass over it many times.
    """
    if "senr" in extracts.prepared:
        return enrollment_records(extracts.senr, extraction_date, codes_normalised=True)
    with phase("records"):
        if "senr" in extracts.padded:
            given = extracts.as_given("senr")
            untidy = untidy_columns(given, engine=engine)
            if not untidy:
                return enrollment_records(given, extraction_date, codes_normalised=True)
            senr = tidy_senr(given, untidy)
        else:
            senr = normalise_senr_codes(extracts.senr)
        records = enrollment_records(senr, extraction_date, codes_normalised=True)
        return _materialise(records, workdir / "senr_records.parquet", engine)


def read_senr_as_of(
    inputs: Any,
    extraction_date: dt.date,
    query: Callable[[pl.LazyFrame], pl.LazyFrame],
    *,
    engine: Engine = "auto",
) -> tuple[pl.DataFrame, Coverage]:
    """``query`` on the SENR engine records of ``inputs`` read as of ``extraction_date``
    (R2.4), collected, with the SENR coverage at that date.

    The inputs are staged as :func:`compute` stages them, in a private folder (it
    holds SSIDs) removed before this returns; so the query is collected inside
    it, and should keep its result small. The five-year run (R9.2) reads the
    fifth year this way.
    """
    with tempfile.TemporaryDirectory(prefix="acgr-stage-") as tmp:
        workdir = Path(tmp)
        extracts = read_inputs(inputs, line_store=workdir / "lines").stage(
            workdir, columns=STAGED_COLUMNS, engine=engine, prepare=PREPARE
        )
        records = _senr_records(
            extracts, extraction_date, workdir=workdir, engine=engine, phase=Phases()
        )
        coverage = senr_coverage(extracts.senr, extraction_date, engine=engine)
        return query(records).collect(engine=engine), coverage


def _collect_findings(parts: list[pl.LazyFrame], engine: Engine) -> pl.DataFrame:
    """Collect finding queries one at a time and stack them.

    Most parts pass over every record; run side by side they would hold their
    working sets at once, so peak memory is bounded by the largest part instead.
    """
    return pl.concat([concat_findings([p]).collect(engine=engine) for p in parts])


@dataclass(frozen=True)
class _Staged:
    """What the per-student phases give :func:`compute`.

    Attributes:
        students: :data:`STUDENT_COLUMNS` rows of the class.
        findings: every record-level finding.
        senr_records, students_read: SENR records read (R2.4) and their SSIDs.
        accounting: see :attr:`AcgrResult.accounting`.
    """

    students: pl.DataFrame
    findings: pl.DataFrame
    senr_records: int
    students_read: int
    accounting: dict[str, int]


def with_names(students: pl.DataFrame, senr: pl.LazyFrame, *, engine: Engine) -> pl.DataFrame:
    """``students`` with the legal names (:data:`NAME_COLUMNS`) of the record that decided
    each one's outcome (R4), as that SENR record gives them, after :data:`STUDENT_COLUMNS`.

    A student whose deciding record has none gets null; so does every student of a
    table without names (Parquet or CSV tables never carry them). Only ``--with-names``
    runs read names: the local student ID comes with the deciding record itself.
    """
    given = senr.collect_schema().names()
    deciding = students.lazy().select(
        "ssid", pl.col("record_file").alias("_file"), pl.col("record_line").alias("_line")
    )
    # The students' records first (a streaming filter), then their deciding ones.
    found = (
        of_students(senr, students)
        .select(
            "ssid",
            pl.col("source_file").cast(pl.String).alias("_file"),
            pl.col("source_line").alias("_line"),
            *(pl.col(c) if c in given else pl.lit(None, pl.String).alias(c) for c in NAME_COLUMNS),
        )
        .join(deciding, on=["ssid", "_file", "_line"], how="inner")
        .unique(["ssid", "_file", "_line"])
        .collect(engine=engine)
    )
    joined = students.join(found, left_on=["ssid", "record_file", "record_line"],
                           right_on=["ssid", "_file", "_line"], how="left")  # fmt: skip
    return joined.select(*STUDENT_COLUMNS, *NAME_COLUMNS)


def _compute_staged(
    extracts: Extracts,
    *,
    workdir: Path,
    periods: CohortPeriods,
    ruleset: RuleSet,
    directory: pl.DataFrame,
    foster: pl.LazyFrame | None,
    direct_cert: pl.LazyFrame | None,
    engine: Engine,
    phase: Phases,
    judged: bool = True,
    names: bool = False,
) -> _Staged:
    """Students, findings, read counts and line accounting from staged extracts, by phase.

    Raises:
        acgr.checks.verdict.RefusedError: no student of the class is in the inputs
            (only when ``judged``; see :func:`compute`).
    """
    records = _senr_records(
        extracts, periods.extraction_date, workdir=workdir, engine=engine, phase=phase
    )
    qualifying = qualifying_from(records, periods, ruleset)
    with phase("cohort"):
        members, flagged = _cohort(qualifying, periods, ruleset, directory, engine, judged)
    with phase("students"):
        students, decided = _decided_students(
            extracts,
            members=members,
            flagged=flagged,
            records=records,
            sprg=_cohort_programs(extracts.sprg, members, directory, ruleset),
            periods=periods,
            ruleset=ruleset,
            directory=directory,
            foster=foster,
            direct_cert=direct_cert,
            engine=engine,
        )
        students = with_names(students, extracts.senr, engine=engine) if names else students
    with phase("findings"):
        findings, per_student = _record_findings(
            extracts,
            records=records,
            flagged=flagged.lazy(),
            decided=decided.lazy(),
            students=students,
            periods=periods,
            ruleset=ruleset,
            engine=engine,
        )
        accounting = extracts.count_lines(engine)
    return _Staged(
        students=students,
        findings=findings,
        senr_records=int(per_student["_records"].sum()),
        students_read=per_student.height,
        accounting={k: int(v or 0) for k, v in accounting.row(0, named=True).items()},
    )


def _cohort(
    qualifying: pl.LazyFrame,
    periods: CohortPeriods,
    ruleset: RuleSet,
    directory: pl.DataFrame,
    engine: Engine,
    judged: bool,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The cohort's members (R2) and their qualifying records, attributed (R4.3) and flagged.

    Membership reads three columns of every qualifying record; everything after
    it only the cohort's records. Both results are small (one row per student,
    or per cohort record) and read by several later queries, so they are
    collected once rather than re-derived by each.

    Raises:
        acgr.checks.verdict.RefusedError: no student of the class (only when ``judged``).
    """
    members = cohort_members(qualifying, periods, ruleset).collect(engine=engine)
    if judged and members.height == 0:
        refuse_empty_class(qualifying, periods, ruleset, engine=engine)
    flagged = record_flags(
        assign_cds(of_students(qualifying, members), directory, ruleset), periods, ruleset
    ).collect(engine=engine)
    return members, flagged


def _cohort_programs(
    sprg: pl.LazyFrame, members: pl.DataFrame, directory: pl.DataFrame, ruleset: RuleSet
) -> pl.LazyFrame:
    """The cohort's program records, each with its school's CDS code (R4.3, R5.4)."""
    # Only the cohort's program records matter: filtered before any code is touched.
    return assign_cds(
        of_students(sprg, members).with_columns(
            normalized_code("reporting_lea", 7).alias("reporting_lea"),
            normalized_code("school_of_attendance", 7).alias("school_code"),
        ),
        directory,
        ruleset,
    )


def _decided_students(
    extracts: Extracts,
    *,
    members: pl.DataFrame,
    flagged: pl.DataFrame,
    records: pl.LazyFrame,
    sprg: pl.LazyFrame,
    periods: CohortPeriods,
    ruleset: RuleSet,
    directory: pl.DataFrame,
    foster: pl.LazyFrame | None,
    direct_cert: pl.LazyFrame | None,
    engine: Engine,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:data:`STUDENT_COLUMNS` rows (outcome R3, school R4, groups R5), and the decided rows.

    ``flagged`` holds the cohort's qualifying records with their flags (:func:`_cohort`).
    """
    decided = decide_outcomes(student_picks(flagged.lazy(), engine=engine), periods, ruleset)
    groups = _student_groups(
        extracts,
        members=members,
        flagged=flagged,
        records=records,
        sprg=sprg,
        periods=periods,
        ruleset=ruleset,
        foster=foster,
        direct_cert=direct_cert,
        engine=engine,
    )
    # Collected here on purpose: the outcome findings and, in compute(), every
    # count row read them.
    decided_df, groups_df = pl.collect_all([decided, groups], engine=engine)
    decided_df = with_decided_record(decided_df, flagged)
    students = student_table(
        attribute(decided_df.lazy(), directory)
        .join(members.lazy(), on="ssid", how="left")
        .join(groups_df.lazy(), on="ssid", how="left"),
    ).collect(engine=engine)
    return students, decided_df


def _student_groups(
    extracts: Extracts,
    *,
    members: pl.DataFrame,
    flagged: pl.DataFrame,
    records: pl.LazyFrame,
    sprg: pl.LazyFrame,
    periods: CohortPeriods,
    ruleset: RuleSet,
    foster: pl.LazyFrame | None,
    direct_cert: pl.LazyFrame | None,
    engine: Engine,
) -> pl.LazyFrame:
    """Each cohort student's race, gender and group flags (R5), as a query."""
    # Two steps read the demographic records: collected once.
    demographics = demographic_record(
        extracts.sinf, members.select("ssid"), periods, engine=engine
    ).collect(engine=engine)
    return student_groups(
        cohort=members.select("ssid"),
        demographics=demographics,
        qualifying=flagged,
        senr_records=records,
        sprg=sprg,
        sela=extracts.sela,
        periods=periods,
        rules=ruleset,
        foster=foster,
        direct_cert=direct_cert,
    )


def _record_findings(
    extracts: Extracts,
    *,
    records: pl.LazyFrame,
    flagged: pl.LazyFrame,
    decided: pl.LazyFrame,
    students: pl.DataFrame,
    periods: CohortPeriods,
    ruleset: RuleSet,
    engine: Engine,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every record-level finding, and the SENR records read per student (``ssid``, ``_records``).

    One grouping of the records by SSID (:func:`acgr.checks.validation.student_summary`)
    gives the read counts (records, students), the distinct SSIDs ACGR0002 needs
    and the students the graduation checks must look at.
    """
    per_student = student_summary(records, ruleset).collect(engine=engine)
    parts = [
        extracts.findings,
        missing_start_findings(extracts.senr),
        *validation_parts(
            records,
            ruleset,
            extraction_date=periods.extraction_date,
            sinf=extracts.sinf,
            summary=per_student,
            engine=engine,
        ),
        outcome_findings(flagged, decided, engine=engine),
        outcome_sensitive_findings(students.lazy(), ruleset),
    ]
    return _collect_findings(parts, engine), per_student


def stage_inputs(
    inputs: Any, folder: Path, *, engine: Engine = "auto", names: bool = False
) -> Extracts:
    """The inputs parsed once into private Parquet files in ``folder`` (SSIDs: keep it private).

    Every run can take the result as its ``inputs`` and reads it without parsing again:
    :func:`acgr.tools.dashboard_run.dashboard_from_extracts` runs several classes so.
    ``names``: also read and keep SENR's legal names (:data:`NAME_COLUMNS`), where the
    inputs have them; otherwise the readers never parse them.
    """
    extracts = read_inputs(inputs, with_pii=names, line_store=folder / "lines")
    columns = STAGED_COLUMNS
    if names:
        given = extracts.raw["senr"].collect_schema().names()
        extra = tuple(c for c in NAME_COLUMNS if c in given)
        columns = {**STAGED_COLUMNS, "senr": (*STAGED_COLUMNS["senr"], *extra)}
    return extracts.stage(folder, columns=columns, engine=engine, prepare=PREPARE)


def _stage_checked(
    inputs: Any,
    workdir: Path,
    periods: CohortPeriods,
    engine: Engine,
    judged: bool,
    names: bool = False,
) -> tuple[Extracts, pl.DataFrame, Coverage]:
    """Staged extracts, what each file gave each table, and the SENR coverage.

    Raises:
        acgr.checks.verdict.RefusedError: a file gave no record, or no SENR record was
            read (only when ``judged``).
    """
    extracts = stage_inputs(inputs, workdir, engine=engine, names=names)
    reads = reads_by_file(extracts, engine=engine)
    if judged:
        refuse_unusable_files(extracts, reads, engine=engine)
    coverage = senr_coverage(extracts.senr, periods.extraction_date, engine=engine)
    return extracts, reads, coverage


def _verdict(
    *,
    reads: pl.DataFrame,
    coverage: Coverage,
    side_inputs: dict[str, bool],
    periods: CohortPeriods,
    ruleset: RuleSet,
    directory: pl.DataFrame,
    students: pl.DataFrame,
    extraction_date_assumed: bool,
) -> Verdict:
    """The run's :class:`~acgr.checks.verdict.Verdict` (no data read here: all is in hand)."""
    tables = table_summary(reads)
    present = {t for t, records in tables.select("table", "records").iter_rows() if records}
    present |= {name for name, given in side_inputs.items() if given}
    warnings = [("ACGR0003", w) for w in missing_input_warnings(present, ruleset)]
    warnings += [("ACGR0004", w) for w in directory_warnings(directory, students)]
    warnings += [("ACGR0005", w) for w in coverage_warnings(coverage, periods, ruleset)]
    warnings += [("ACGR0006", w) for w in periods.early_extraction_warning()]
    return Verdict(
        tables=tables,
        inputs_read=tuple(sorted(present)),
        unmeasured=tuple(unmeasured_categories(present, ruleset)),
        warnings=tuple(warnings),
        rules=ruleset.provenance().summary(),
        extraction_date_assumed=extraction_date_assumed,
    )


def _staged_run(
    inputs: Any,
    *,
    periods: CohortPeriods,
    ruleset: RuleSet,
    directory: pl.DataFrame,
    foster: str | Path | pl.DataFrame | pl.LazyFrame | None,
    direct_cert: str | Path | pl.DataFrame | pl.LazyFrame | None,
    engine: Engine,
    phase: Phases,
    judged: bool,
    names: bool = False,
) -> tuple[_Staged, pl.DataFrame, Coverage]:
    """The per-student phases over staged inputs; what each file gave; the SENR coverage.

    The side tables are read once the inputs are staged (:func:`compute` arguments).
    """
    with tempfile.TemporaryDirectory(prefix="acgr-stage-") as tmp:
        # Parse the inputs once into private Parquet files; every later step
        # reads those (see Extracts.stage). The folder holds SSIDs and is
        # removed when the run ends, whatever happens.
        with phase("stage"):
            extracts, reads, coverage = _stage_checked(
                inputs, Path(tmp), periods, engine, judged, names
            )
        staged = _compute_staged(
            extracts,
            workdir=Path(tmp),
            periods=periods,
            ruleset=ruleset,
            directory=directory,
            foster=read_side_table(foster, ("start_date", "end_date")),
            direct_cert=read_side_table(direct_cert, ()),
            engine=engine,
            phase=phase,
            judged=judged,
            names=names,
        )
    return staged, reads, coverage


def _rates(
    students: pl.DataFrame,
    directory: pl.DataFrame,
    periods: CohortPeriods,
    ruleset: RuleSet,
    engine: Engine,
) -> pl.DataFrame:
    """The typed CDE table of ``students`` (R6): counts per school, every level, suppression."""
    # Collected once: every level rolls up from the school counts, and
    # streaming would recount the students for each level.
    schools = school_counts(
        students.lazy().with_columns(categories=pl.col("reporting_categories"))
    ).collect(engine=engine)
    rows = with_suppression(all_levels(schools.lazy()), ruleset)
    return rates_table(rows, directory, periods, ruleset).collect(engine=engine)


# Over 60 lines on purpose: the library's entry point documents each of its eleven
# arguments; the body is the run's steps, each a named function.
def compute(
    inputs: Any,
    *,
    class_of: int,
    rules: str | Path | RuleSet = "2018",
    extraction_date: dt.date | str | None = None,
    schools: str | Path | pl.DataFrame | None = None,
    foster: str | Path | pl.DataFrame | pl.LazyFrame | None = None,
    direct_cert: str | Path | pl.DataFrame | pl.LazyFrame | None = None,
    engine: Engine = "auto",
    progress: Callable[[str], None] | None = None,
    judged: bool = True,
    with_names: bool = False,
) -> AcgrResult:
    """Compute the four-year ACGR of ``class_of`` from CALPADS records.

    Args:
        inputs: paths to CALPADS extracts (files or folders; caret text, Parquet
            or CSV canonical tables), a mapping ``{"senr": frame, ...}`` of Polars
            or Arrow tables, or :class:`acgr.read.extracts.Extracts`.
        class_of: expected graduation year Y (2018 = the 2017-18 file).
        rules: ``"2018"`` (default), ``"legacy"``, a rule-set file, or a RuleSet.
        extraction_date: X (R2.3), a ``datetime.date`` or ISO text
            ``YYYY-MM-DD``; default the rule set's (15 September of ``class_of``).
        schools: optional schools directory (path or DataFrame, see
            :mod:`acgr.read.directory`).
        foster: optional foster-match table ``ssid, start_date, end_date`` (R5.5).
        direct_cert: optional direct-certification table ``ssid, academic_year`` (R5.6).
        engine: Polars engine for the final collect.
        progress: called with the name of each phase as it starts
            (``stage``, ``records``, ``cohort``, ``students``, ``findings``,
            ``rates``; ``records`` only when the SENR table was not staged, since
            staging normalises it); :attr:`AcgrResult.timings` has their wall times.
        judged: False for a part of the inputs, such as one student's records
            (``acgr explain``): the refusals about the inputs as a whole (a file
            that gave no record of this part, a class it is not in) are skipped.
        with_names: read each student's legal first and last name (SENR, the deciding
            record) into :attr:`AcgrResult.students` (confidential). Without it the
            readers never parse a name.

    Returns:
        :class:`AcgrResult` with ``students``, ``rates``, ``findings`` and the
        ``verdict`` (what was read, what was not measured, warnings).

    Raises:
        TypeError: ``class_of`` or ``extraction_date`` of the wrong type.
        ValueError: an impossible request (a date that is not one).
        acgr.read.extracts.ExtractError: an input cannot be read at all
            (:class:`acgr.errors.SchoolsFileError` for the schools file).
        acgr.checks.verdict.RefusedError: the inputs cannot support an answer (see README,
            "When acgr refuses to answer"); only when ``judged``.
    """
    ruleset = load_rules(rules)
    x = as_date(extraction_date, "extraction_date")
    periods = CohortPeriods.for_class(class_year(class_of), ruleset, x, check=True)
    directory = schools_directory(schools)
    side = {"foster": foster is not None, "direct_cert": direct_cert is not None}
    phase = Phases(progress)
    staged, reads, coverage = _staged_run(
        inputs,
        periods=periods,
        ruleset=ruleset,
        directory=directory,
        foster=foster,
        direct_cert=direct_cert,
        engine=engine,
        phase=phase,
        judged=judged,
        names=with_names,
    )
    verdict = _verdict(
        reads=reads,
        coverage=coverage,
        side_inputs=side,
        periods=periods,
        ruleset=ruleset,
        directory=directory,
        students=staged.students,
        extraction_date_assumed=x is None,
    )
    if judged and staged.students.filter(pl.col("in_cohort")).height == 0:
        raise RefusedError(
            f"every student of the class of {periods.class_of} left the cohort (Removed, R3.4): "
            "there is no rate to compute"
        )
    with phase("rates"):
        students = blank_unmeasured(staged.students, verdict.unmeasured).sort("ssid")
        rates = _rates(students, directory, periods, ruleset, engine)
    accounting = {
        **staged.accounting,
        "senr_without_start": coverage.without_start,
        "senr_after_extraction": coverage.after_extraction,
    }
    return AcgrResult(
        students=students,
        rates=rates,
        findings=sort_findings(pl.concat([staged.findings, verdict.findings()])),
        periods=periods,
        rules=ruleset,
        senr_records=staged.senr_records,
        students_read=staged.students_read,
        accounting=accounting,
        timings=phase.timings,
        verdict=verdict,
    )


@dataclass
class ValidationResult:
    """What ``acgr validate`` produces.

    Attributes:
        findings: every finding (confidential: carries SSIDs).
        accounting: ``lines_read``, ``records_parsed``, ``lines_rejected``.
        impact: per-school outcome-sensitive counts and rates (only with a class).
        result: the full ACGR result when a class was given.
    """

    findings: pl.DataFrame
    accounting: dict[str, int]
    impact: pl.DataFrame | None = None
    result: AcgrResult | None = None


def validate(
    inputs: Any,
    *,
    class_of: int | None = None,
    rules: str | Path | RuleSet = "2018",
    extraction_date: dt.date | str | None = None,
    schools: str | Path | pl.DataFrame | None = None,
    engine: Engine = "auto",
) -> ValidationResult:
    """Run the data-quality checks only (``class_of`` None) or with the cohort.

    Without a class every SENR record is checked whatever its start date, and
    the outcome-sensitive findings and impact table are not produced (they need
    a cohort). With a class this is :func:`compute` plus the impact table.
    """
    if class_of is not None:
        res = compute(
            inputs,
            class_of=class_of,
            rules=rules,
            extraction_date=extraction_date,
            schools=schools,
            engine=engine,
        )
        return ValidationResult(
            findings=res.findings,
            accounting=res.accounting or {},
            impact=res.impact(),
            result=res,
        )
    ruleset = load_rules(rules)
    with tempfile.TemporaryDirectory(prefix="acgr-stage-") as tmp:
        extracts = read_inputs(inputs, line_store=Path(tmp) / "lines").stage(
            Path(tmp), columns=STAGED_COLUMNS, engine=engine, prepare=PREPARE
        )
        records = _senr_records(extracts, None, workdir=Path(tmp), engine=engine, phase=Phases())
        findings = _collect_findings(
            [
                extracts.findings,
                missing_start_findings(extracts.senr),
                *validation_parts(
                    records, ruleset, extraction_date=None, sinf=extracts.sinf, engine=engine
                ),
            ],
            engine,
        )
        accounting = extracts.count_lines(engine)
        coverage = senr_coverage(extracts.senr, None, engine=engine)
    return ValidationResult(
        findings=sort_findings(findings),
        accounting={
            **{k: int(v or 0) for k, v in accounting.row(0, named=True).items()},
            "senr_without_start": coverage.without_start,
            "senr_after_extraction": 0,
        },
    )


__all__ = [
    "NAME_COLUMNS",
    "PHASES",
    "PREPARE",
    "SCHOOL_COLUMNS",
    "STAGED_COLUMNS",
    "STUDENT_COLUMNS",
    "AcgrResult",
    "Phases",
    "ValidationResult",
    "compute",
    "read_senr_as_of",
    "schools_directory",
    "stage_inputs",
    "student_table",
    "validate",
    "with_names",
]
