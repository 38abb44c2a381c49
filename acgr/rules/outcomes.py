"""One outcome per cohort student, with the rule that decided it (docs/rules.md R3).

Evaluated in order (R3.1 -> R3.5):

1. **Graduate** (R3.1): a qualifying E230 record whose completion maps to
   Graduate, exited in the outcome period. A later record never undoes it.
2. **Non-graduate completer** (R3.2): else an E230 completer record in the
   period; several -> the latest exit date, then the rule set's tie order.
3. Else the **final record** (R3.3): the qualifying record with the latest start
   on or before the summer cutoff (ties: later exit, open counting as latest;
   then lower school code, then CDS code; a tie is a warning finding). Open or
   exited after the cutoff -> **Still Enrolled**.
4. Else its exit code decides (R3.4): Removed, Other Transfer or Dropout
   (T16x: lost transfer).
5. **Re-enrolment by extraction** (R3.5): a Dropout or Other Transfer becomes
   Still Enrolled when a qualifying record starts after the final exit date
   (and on or before X), or a completion is dated after the cutoff and on or
   before X.

Everything per student is one ``group_by("ssid")``: partitionable by SSID.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from acgr.checks.findings import concat_findings, findings_where, fmt
from acgr.read.extracts import Engine
from acgr.rules.cohort import CohortPeriods
from acgr.rules.overlaps import PREV_END, overlapping_records
from acgr.rules.picking import (
    date_key,
    first_by,
    order_key,
    rank_key,
    same_fields_key,
    with_tie_rank,
)
from acgr.rules.ruleset import COMPLETER_OUTCOMES, Outcome, RuleSet

#: Fields of the record that decided a student's outcome (``decided_by``).
RECORD_FIELDS: tuple[str, ...] = (
    "source_file",
    "source_line",
    "local_student_id",
    "cds_code",
    "school_code",
    "start",
    "exit_date",
    "exit_code",
    "completion",
    "grade",
    "uc_csu",
    "gssmd",
    "seal",
    "exemption",
)

_OPEN_END = dt.date(9999, 12, 31)  # an open record counts as exiting last (R3.3)


#: Column of a pick struct: the picked record's row in the cohort's records.
PICK_ROW = "_row"

#: Fields of each pick the rules read besides its row: R3.2 the completion,
#: R3.3/R3.4 the final exit (and its place, for the tie finding), R4.1 the
#: school, R3.5 the latest start. The deciding record gets every field of
#: :data:`RECORD_FIELDS` (see :func:`with_decided_record`).
PICK_FIELDS: dict[str, tuple[str, ...]] = {
    "graduation": ("completion",),
    "completion": ("completion",),
    "final": ("source_file", "source_line", "exit_date", "exit_code", "completion", "cds_code"),
    "open_latest": ("cds_code",),
    "latest": ("start",),
    "late_completion": (),
}


#: Last tie-breaks of every pick, after the rule's own order: lower school code,
#: then CDS code, then file and line, so a pick never depends on row order.
TIE_BREAK: list[str] = ["school_code", "cds_code", "source_file", "source_line"]


def completion_outcome(completion: pl.Expr, rules: RuleSet) -> pl.Expr:
    """The outcome an E230 exit with this completion status gives (R3.1, R3.2, R3.4), or null.

    The rule set's ``completion_outcomes``: 100 Graduate, 120 SPED Certificate ...,
    360 Dropout; a status it does not list gives null.
    """
    return completion.replace_strict(
        {k: str(v) for k, v in rules.completion_outcomes.items()},
        default=None,
        return_dtype=pl.String,
    )


def record_flags(records: pl.LazyFrame, periods: CohortPeriods, rules: RuleSet) -> pl.LazyFrame:
    """Per-record facts the outcome rules test (R3.1-R3.5)."""
    comp = (
        pl.when(pl.col("exit_code") == rules.completer_exit_code)
        .then(completion_outcome(pl.col("completion"), rules))
        .otherwise(None)
    )
    in_period = pl.col("exit_date").is_between(periods.year1_start, periods.summer_cutoff)
    completer_order = pl.col("completion").replace_strict(
        {c: i for i, c in enumerate(rules.completer_tie_order)},
        default=len(rules.completer_tie_order),
        return_dtype=pl.Int32,
    )
    return records.with_columns(
        (in_period & (comp == str(Outcome.GRADUATE))).alias("_graduates"),
        (in_period & comp.is_in([str(o) for o in COMPLETER_OUTCOMES])).alias("_completes"),
        completer_order.alias("_completer_order"),  # R3.2 tie order
        (pl.col("start") <= periods.summer_cutoff).alias("_by_cutoff"),
        pl.col("exit_date").fill_null(_OPEN_END).alias("_exit_eff"),
        pl.col("exit_date").is_null().alias("_open"),
        (
            (pl.col("exit_code") == rules.completer_exit_code)
            & pl.col("completion").is_in(rules.late_completion_codes())
            & (pl.col("exit_date") > periods.summer_cutoff)
            & (pl.col("exit_date") <= periods.extraction_date)
        ).alias("_late_completion"),
    )


def student_picks(flagged: pl.LazyFrame, *, engine: Engine = "auto") -> pl.LazyFrame:
    """One row per student with the records each rule looks at (structs).

    ``graduation`` R3.1 (latest exit), ``completion`` R3.2 (latest exit, then the
    rule set's completer tie order), ``final`` R3.3 (latest start by the
    cutoff, then latest exit, open last), ``open_latest`` R4.1 and ``latest``
    R3.5 (latest start), ``late_completion`` R3.5 (latest exit); ties end on
    :data:`TIE_BREAK`. Each pick is a struct of :data:`PICK_ROW` (the record's
    row in ``flagged``) and its :data:`PICK_FIELDS`, null when no record
    qualifies. ``final_ties`` counts the records indistinguishable from the
    final one but for :data:`TIE_BREAK` (R3.3 tie finding).

    Eager inside: per student only the row of each pick is found (``min_by``
    of a packed key, which Polars streams), then the few fields are gathered
    from the records in memory; gathering whole records for six picks was most
    of the cost. The collects run on ``engine``.
    """
    records = flagged.collect(engine=engine)
    wanted = _pick_orders()
    final_key = pl.col("_final_key")
    # Collected: the picks and the tie count below both read the ranked records.
    ranked = (
        with_tie_rank(records.with_row_index(PICK_ROW), TIE_BREAK)
        .with_columns(order_key(*wanted["final"]).alias("_final_key"))
        .collect(engine=engine)
        .lazy()
    )
    rows = ranked.group_by("ssid").agg(
        *(
            first_by(
                pl.col(PICK_ROW), final_key if name == "final" else order_key(want, fields), want
            ).alias(name)
            for name, (want, fields) in wanted.items()
        ),
        pl.len().alias("qualifying_records"),
    )
    picked = (
        rows.join(_final_ties(ranked, final_key), on="ssid", how="left")
        .with_columns(pl.col("final_ties").fill_null(0).cast(pl.UInt32))
        .collect(engine=engine)
    )
    # The structs replace the bare row numbers of the same names.
    return (
        picked.with_columns(_pick_structs(picked, records))
        .select(
            "ssid",
            "graduation",
            "completion",
            "final",
            "final_ties",
            "open_latest",
            "latest",
            "late_completion",
            "qualifying_records",
        )
        .lazy()
    )


def _pick_orders() -> dict[str, tuple[pl.Expr, list[tuple[pl.Expr, int]]]]:
    """Each pick of :func:`student_picks`: which records compete, and their order."""
    start_desc = date_key("start", descending=True)
    exit_desc = date_key("exit_date", descending=True)
    return {
        "graduation": (pl.col("_graduates"), [exit_desc]),
        "completion": (pl.col("_completes"), [exit_desc, rank_key(pl.col("_completer_order"))]),
        "final": (
            pl.col("_by_cutoff"),
            [start_desc, date_key("_exit_eff", descending=True)],
        ),
        "open_latest": (pl.col("_open"), [start_desc]),
        "latest": (pl.lit(True), [start_desc]),
        "late_completion": (pl.col("_late_completion"), [exit_desc]),
    }


def _final_ties(ranked: pl.LazyFrame, final_key: pl.Expr) -> pl.LazyFrame:
    """``ssid``, ``final_ties``: records sharing the final record's ordering fields (R3.3).

    Those are the records with the final record's key but for the tie rank.
    """
    return (
        ranked.filter(pl.col("_by_cutoff"))
        .group_by("ssid", same_fields_key(final_key).alias("_fields"))
        .agg(pl.len().alias("_n"))
        .group_by("ssid")
        .agg(pl.col("_n").min_by("_fields").alias("final_ties"))
    )


def _pick_structs(picked: pl.DataFrame, records: pl.DataFrame) -> list[pl.Series]:
    """Each pick's row number and :data:`PICK_FIELDS`, gathered from ``records``, as a struct."""
    structs = []
    for name, fields in PICK_FIELDS.items():
        row = picked[name]
        values = row.alias(PICK_ROW).to_frame()
        if fields:
            values = values.hstack(records.select(pl.col(list(fields)).gather(row)))
        struct = pl.when(pl.col(PICK_ROW).is_not_null()).then(pl.struct(PICK_ROW, *fields))
        structs.append(values.select(struct.alias(name)).to_series())
    return structs


def with_decided_record(decided: pl.DataFrame, flagged: pl.DataFrame) -> pl.DataFrame:
    """Add ``decided_by``: every field of the record that decided the outcome.

    :func:`decide_outcomes` names that record by its row in ``flagged`` (the
    records :func:`student_picks` read); its :data:`RECORD_FIELDS` are
    gathered here once, for one record per student.
    """
    row = decided["_decided_row"]
    record = flagged.select(pl.struct(list(RECORD_FIELDS)).gather(row).alias("decided_by"))
    return decided.with_columns(record.to_series())


def _exit_outcome(rules: RuleSet) -> pl.Expr:
    """R3.4: outcome of the final record's exit code (E230 via its completion)."""
    code = pl.col("final").struct.field("exit_code")
    completion = pl.col("final").struct.field("completion")
    by_code = code.replace_strict(
        {c: r.outcome for c, r in rules.exit_outcomes.items()}, default=None, return_dtype=pl.String
    )
    by_completion = completion_outcome(completion, rules)
    return pl.when(code == rules.completer_exit_code).then(by_completion).otherwise(by_code)


def _exit_label(rules: RuleSet) -> pl.Expr:
    """``T260``, ``E230/360`` or ``T160:lost-transfer`` for reasons."""
    code = pl.col("final").struct.field("exit_code")
    lost = [c for c, r in rules.exit_outcomes.items() if r.lost_transfer]
    plain = _plain_exit_label(rules)
    return pl.when(code.is_in(lost)).then(fmt("{}:lost-transfer", plain)).otherwise(plain)


def _plain_exit_label(rules: RuleSet) -> pl.Expr:
    """``T260`` or ``E230/360``: the final exit without the lost-transfer tag."""
    code = pl.col("final").struct.field("exit_code")
    return (
        pl.when(code == rules.completer_exit_code)
        .then(fmt("{}/{}", code, pl.col("final").struct.field("completion")))
        .otherwise(code)
    )


@dataclass(frozen=True)
class _Branches:
    """The conditions R3 tests, in its order (R3.1 ... R3.5), over :func:`student_picks` rows."""

    grad: pl.Expr
    comp: pl.Expr
    final: pl.Expr
    final_exit: pl.Expr
    still_at_cutoff: pl.Expr
    reenrolled: pl.Expr
    r35: pl.Expr

    @classmethod
    def of(cls, periods: CohortPeriods, rules: RuleSet) -> _Branches:
        final = pl.col("final")
        final_exit = final.struct.field("exit_date")
        still_at_cutoff = final_exit.is_null() | (final_exit > periods.summer_cutoff)
        reenrolled = pl.col("latest").struct.field("start") > final_exit
        late = pl.col("late_completion").is_not_null()
        reopenable = _exit_outcome(rules).is_in([str(Outcome.DROPOUT), str(Outcome.OTHER_TRANSFER)])
        return cls(
            grad=pl.col("graduation"),
            comp=pl.col("completion"),
            final=final,
            final_exit=final_exit,
            still_at_cutoff=still_at_cutoff,
            reenrolled=reenrolled,
            r35=~still_at_cutoff & reopenable & (reenrolled | late),
        )


def decide_outcomes(picks: pl.LazyFrame, periods: CohortPeriods, rules: RuleSet) -> pl.LazyFrame:
    """Add ``outcome``, ``reason`` and ``_decided_row`` (see :func:`with_decided_record`) (R3.6)."""
    b = _Branches.of(periods, rules)
    return picks.with_columns(
        _outcome(b, rules).alias("outcome"),
        _reason(b, rules).alias("reason"),
        _decided_row(b).alias("_decided_row"),
    )


def _outcome(b: _Branches, rules: RuleSet) -> pl.Expr:
    """R3.1-R3.5: the outcome."""
    return (
        pl.when(b.grad.is_not_null())
        .then(pl.lit(str(Outcome.GRADUATE)))
        .when(b.comp.is_not_null())
        .then(completion_outcome(b.comp.struct.field("completion"), rules))
        .when(b.still_at_cutoff)
        .then(pl.lit(str(Outcome.STILL_ENROLLED)))
        .when(b.r35)
        .then(pl.lit(str(Outcome.STILL_ENROLLED)))
        .otherwise(_exit_outcome(rules))
    )


def _reason(b: _Branches, rules: RuleSet) -> pl.Expr:
    """R3.6: the rule and the exit that decided the outcome, e.g. ``R3.4:T160:lost-transfer``."""

    def e230(rec: pl.Expr) -> pl.Expr:
        return fmt("E230/{}", rec.struct.field("completion"))

    return (
        pl.when(b.grad.is_not_null())
        .then(fmt("R3.1:{}", e230(b.grad)))
        .when(b.comp.is_not_null())
        .then(fmt("R3.2:{}", e230(b.comp)))
        .when(b.final_exit.is_null())
        .then(pl.lit("R3.3:open"))
        .when(b.still_at_cutoff)
        .then(fmt("R3.3:{}:exit-after-cutoff", _exit_label(rules)))
        .when(b.r35 & b.reenrolled)
        # R3.5 names the plain exit: a re-enrolled T16x was no lost transfer.
        .then(fmt("R3.5:{}:re-enrolled", _plain_exit_label(rules)))
        .when(b.r35)
        .then(fmt("R3.5:{}:late-completion", _plain_exit_label(rules)))
        .otherwise(fmt("R3.4:{}", _exit_label(rules)))
    )


def _decided_row(b: _Branches) -> pl.Expr:
    """R3.6: the row (in the flagged records) of the record that decided the outcome."""

    def row(pick: pl.Expr) -> pl.Expr:
        return pick.struct.field(PICK_ROW)

    return (
        pl.when(b.grad.is_not_null())
        .then(row(b.grad))
        .when(b.comp.is_not_null())
        .then(row(b.comp))
        .when(b.still_at_cutoff)
        .then(row(b.final))
        .when(b.r35 & b.reenrolled)
        .then(row(pl.col("latest")))
        .when(b.r35)
        .then(row(pl.col("late_completion")))
        .otherwise(row(b.final))
    )


def outcome_findings(
    flagged: pl.LazyFrame, students: pl.LazyFrame, *, engine: Engine = "auto"
) -> pl.LazyFrame:
    """Warnings about cohort students' records (R3.3): final-record ties (ACGR0104) and
    concurrent enrollments of qualifying records (ACGR0105).

    ``flagged`` are the qualifying records of cohort students (after
    :func:`record_flags`); ``students`` the output of :func:`decide_outcomes`.
    The overlaps are found eagerly, on ``engine``
    (:func:`acgr.rules.overlaps.overlapping_records`).
    """
    ties = students.filter(pl.col("final_ties") > 1).select(
        "ssid",
        pl.col("final").struct.field("source_file").alias("source_file"),
        pl.col("final").struct.field("source_line").alias("source_line"),
        pl.col("final_ties"),
    )
    overlaps = overlapping_records(flagged, end="_exit_eff", engine=engine)
    return concat_findings(
        [
            findings_where(
                ties,
                pl.lit(True),
                rule="ACGR0104",
                severity="warning",
                message=fmt(
                    "final-record tie: {} qualifying records share the latest start and exit "
                    "dates; the lowest school code was taken as final",
                    pl.col("final_ties"),
                ),
            ),
            findings_where(
                overlaps,
                pl.col("start") < pl.col(PREV_END),
                rule="ACGR0105",
                severity="warning",
                message="concurrent enrollment: this qualifying record starts before an earlier "
                "record of the same student ends",
            ),
        ]
    )


__all__ = [
    "PICK_FIELDS",
    "PICK_ROW",
    "RECORD_FIELDS",
    "TIE_BREAK",
    "completion_outcome",
    "decide_outcomes",
    "outcome_findings",
    "record_flags",
    "student_picks",
    "with_decided_record",
]
