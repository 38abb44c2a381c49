"""CALPADS Differentiated Assistance readiness per LEA and academic year (docs/rules.md R11).

Reads a certification table (R11.3: ``lea, academic_year, submission, deadline,
certified_on``, optionally the kind column of R11.1), judges each required submission
against its final deadline (R11.2) and reports per LEA and year whether it is eligible,
each criterion's result with the submissions and dates behind it, the data-quality risk
from a findings file, and the zero-fatal-error targets. Everything year-specific comes
from :class:`acgr.rules.differentiated_assistance.DaRules`; the code holds no year.
Bad rows become findings (``ACGR0201``-``ACGR0209``) and are left out; a file that
cannot be read at all is an :class:`acgr.errors.ExtractError` naming file and line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from acgr.checks.findings import FINDINGS_SCHEMA
from acgr.errors import ExtractError
from acgr.rules.differentiated_assistance import SUBMISSIONS, DaRules, load_da_rules

#: The columns a certification table must have (R11.3).
CERTIFICATION_COLUMNS: tuple[str, ...] = (
    "lea",
    "academic_year",
    "submission",
    "deadline",
    "certified_on",
)

#: The columns of ``da.csv``, in order (docs/formats.md output 7).
DA_COLUMNS: tuple[str, ...] = (
    "lea",
    "academic_year",
    "lea_type",
    "eligible",
    "reason",
    "criterion",
    "certification",
    "missed_submissions",
    "submissions",
    "not_in_table",
    "data_quality",
    "fatal_findings",
    "zero_fatal_targets",
    "rules",
)

_SUBMISSION_KEYS = {s.upper().replace(" ", ""): s for s in SUBMISSIONS}
_ORDER = {s: i for i, s in enumerate(SUBMISSIONS)}


@dataclass(frozen=True)
class DaResult:
    """``table``: the rows of ``da.csv``; ``findings``: the certification table's bad rows."""

    table: pl.DataFrame
    findings: pl.DataFrame


def _bad_line(path: Path, separator: str = ",") -> int:
    """The first line whose field count differs from the header's (1 when none does)."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=separator)
        width = len(next(reader, []))
        for row in reader:
            if row and len(row) != width:
                return reader.line_num
    return 1


def read_text_csv(p: Path, what: str, *, separator: str = ",") -> pl.DataFrame:
    """A CSV file as text columns, or one :class:`ExtractError` line naming file and line.

    A tab-delimited file is read unquoted, as ``upc.txt`` is written (docs/formats.md).
    """
    quote = None if separator == "\t" else '"'
    try:
        return pl.read_csv(
            p, infer_schema=False, encoding="utf8-lossy", separator=separator, quote_char=quote
        )
    except OSError as exc:
        raise ExtractError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    except pl.exceptions.PolarsError as exc:
        line = _bad_line(p, separator)
        kind = type(exc).__name__
        raise ExtractError(f"{p}: line {line}: not a readable {what} ({kind})") from None


def read_certifications(path: str | Path) -> pl.DataFrame:
    """The certification table as text, with its ``line`` (R11.3).

    Raises:
        acgr.errors.ExtractError: unreadable, not CSV, or lacking a column; the message
            names the file and the line.
    """
    p = Path(path)
    raw = read_text_csv(p, "certification table")
    raw = raw.rename({c: c.lstrip("\ufeff").strip().lower() for c in raw.columns})
    missing = [c for c in CERTIFICATION_COLUMNS if c not in raw.columns]
    if missing:
        raise ExtractError(
            f"{p}: line 1: a certification table needs the columns "
            f"{', '.join(CERTIFICATION_COLUMNS)}; missing {', '.join(missing)}"
        )
    # Line 1 is the header: the first data row is line 2.
    return raw.with_row_index("line", offset=2).with_columns(pl.col("line").cast(pl.Int64))


def _academic_year(text: pl.Expr) -> pl.Expr:
    """``2024-25`` from ``2024-25`` or ``2024-2025``; null for anything else (R11.3)."""
    start = text.str.slice(0, 4).cast(pl.Int32, strict=False)
    tail = text.str.slice(-2).cast(pl.Int32, strict=False)
    long_ok = text.str.contains(r"^\d{4}-\d{4}$") & (
        text.str.slice(5, 4).cast(pl.Int32, strict=False) == start + 1
    )
    ok = (text.str.contains(r"^\d{4}-\d{2}$") | long_ok) & ((start + 1) % 100 == tail)
    return pl.when(ok).then(pl.concat_str(text.str.slice(0, 4), pl.lit("-"), text.str.slice(-2)))


def _normalised(raw: pl.DataFrame, rules: DaRules) -> pl.LazyFrame:
    """Trimmed text, canonical year and submission, parsed dates, the kind given (R11.1)."""
    kind_column = rules.lea_kinds.column
    text = {c: pl.col(c).cast(pl.String).str.strip_chars().replace("", None) for c in raw.columns}
    kind = text[kind_column].str.to_lowercase() if kind_column in raw.columns else pl.lit(None)
    return raw.lazy().select(
        "line",
        text["lea"].alias("lea"),
        text["academic_year"].alias("year_text"),
        _academic_year(text["academic_year"].fill_null("")).alias("academic_year"),
        text["submission"].alias("submission_text"),
        text["submission"]
        .str.to_uppercase()
        .str.replace_all(r"[^A-Z0-9]", "")
        .replace_strict(_SUBMISSION_KEYS, default=None)
        .alias("submission"),
        *(text[c].alias(f"{c}_text") for c in ("deadline", "certified_on")),
        *(
            text[c].str.to_date("%Y-%m-%d", strict=False).alias(c)
            for c in ("deadline", "certified_on")
        ),
        kind.cast(pl.String).alias("kind_given"),
    )


def _checks(rules: DaRules) -> list[tuple[str, str, pl.Expr, pl.Expr]]:
    """Each bad-row finding as data: id, severity, condition, message (R11.3)."""
    kinds = [*rules.lea_kinds.eligible, *rules.lea_kinds.never_eligible]
    first = min(rules.years)
    bad_date = pl.lit(False)
    for c in ("deadline", "certified_on"):
        bad_date = bad_date | (pl.col(f"{c}_text").is_not_null() & pl.col(c).is_null())
    return [
        ("ACGR0201", "fatal", pl.col("lea").is_null(), pl.lit("no LEA code")),
        ("ACGR0202", "fatal", pl.col("lea").is_not_null() & pl.col("academic_year").is_null(),
         pl.lit("academic_year is not a year like 2024-25 or 2024-2025")),
        ("ACGR0203", "fatal", pl.col("submission").is_null(),
         pl.lit(f"submission is not one of {', '.join(SUBMISSIONS)}")),
        ("ACGR0204", "fatal", bad_date,
         pl.lit("deadline or certified_on is not a date (YYYY-MM-DD)")),
        ("ACGR0205", "warning",
         pl.col("kind_given").is_not_null() & ~pl.col("kind_given").is_in(kinds),
         pl.lit(f"LEA kind not one of {', '.join(kinds)}; told from the LEA code")),
        ("ACGR0207", "warning", pl.col("academic_year") < first,
         pl.lit(f"an academic year before {first}, the first with a DA criterion; not used")),
    ]  # fmt: skip


def _findings(
    rows: pl.LazyFrame, source: str, rule: str, severity: str, message: pl.Expr
) -> pl.LazyFrame:
    return rows.select(
        pl.lit(rule).alias("rule"),
        pl.lit(severity).alias("severity"),
        pl.lit(source).alias("file"),
        pl.col("line").cast(pl.Int64),
        pl.lit("DA").alias("record_type"),
        pl.lit(None, pl.String).alias("ssid"),
        pl.col("lea").cast(pl.String).alias("cds_code"),
        message.cast(pl.String).alias("message"),
    )


def _usable(rows: pl.LazyFrame, rules: DaRules, source: str) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The rows R11.2 can judge, one per LEA, year and submission, and the findings (R11.3)."""
    found: list[pl.LazyFrame] = []
    unusable = pl.lit(False)
    for rule, severity, condition, message in _checks(rules):
        found.append(_findings(rows.filter(condition), source, rule, severity, message))
        if rule != "ACGR0205":
            unusable = unusable | condition.fill_null(False)
    kept = rows.filter(~unusable)
    # One row per key: the earliest certification, so the row order never matters and a
    # resubmitted certification row does not hide an on-time one.
    key = pl.struct("lea", "academic_year", "submission")
    kept = kept.sort(["certified_on", "deadline", "line"], nulls_last=True)
    first = key.is_first_distinct()
    found.append(
        _findings(kept.filter(~first), source, "ACGR0206", "warning",
                  pl.lit("a second row for the same LEA, year and submission; "
                         "the earliest certification is used"))
    )  # fmt: skip
    return kept.filter(first), pl.concat(found)


def _kinds(rows: pl.LazyFrame, rules: DaRules) -> pl.LazyFrame:
    """Each LEA's kind (R11.1): the column's, a never-eligible kind first, else from the code."""
    kinds = rules.lea_kinds
    school_part = pl.col("lea").str.slice(7)
    from_code = (
        pl.when(
            pl.lit(kinds.school_code_means_charter)
            & pl.col("lea").str.contains(r"^\d{14}$")
            & (school_part != "0000000")
        )
        .then(pl.lit(kinds.never_eligible[0] if kinds.never_eligible else kinds.default))
        .otherwise(pl.lit(kinds.default))
    )
    given = pl.col("kind_given")
    return rows.group_by("lea").agg(
        pl.coalesce(
            given.filter(given.is_in(list(kinds.never_eligible))).min(),
            given.filter(given.is_in(list(kinds.eligible))).min(),
            from_code.first(),
        ).alias("lea_type")
    )


def _judged(rows: pl.LazyFrame, rules: DaRules, source: str) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Every required submission of each LEA and year with its status (R11.2)."""
    years = rows.select(pl.col("academic_year").unique()).collect().to_series().to_list()
    required = rules.frame([y for y in years if y is not None]).lazy()
    lea_years = rows.select("lea", "academic_year").unique()
    skeleton = lea_years.join(required, on="academic_year", how="inner")
    joined = skeleton.join(
        rows.select("lea", "academic_year", "submission", "line", "deadline", "certified_on"),
        on=["lea", "academic_year", "submission"],
        how="left",
    ).with_columns(pl.coalesce("deadline", "rule_deadline").alias("deadline"))
    status = (
        pl.when(pl.col("line").is_null())
        .then(pl.lit("not in table"))
        .when(pl.col("certified_on").is_null())
        .then(pl.lit("never certified"))
        .when(pl.col("deadline").is_null())
        .then(pl.lit("deadline unknown"))
        # R11.2: certified ON the final deadline is on time.
        .when(pl.col("certified_on") <= pl.col("deadline"))
        .then(pl.lit("on time"))
        .otherwise(pl.lit("late"))
    )
    judged = joined.with_columns(status.alias("status"))
    absent = judged.filter(pl.col("status") == "not in table")
    unknown = judged.filter(
        (pl.col("status") == "deadline unknown") & (pl.col("criterion") == "any_missed")
    )
    findings = pl.concat([
        _no_target(required, source),
        _findings(absent, source, "ACGR0208", "warning",
                  pl.format("{} {} has no row; the year is judged on the rows given",
                            pl.col("academic_year"), pl.col("submission"))),
        _findings(unknown, source, "ACGR0209", "warning",
                  pl.lit("certified, but no deadline in the table or the rule set; "
                         "counted as on time")),
    ])  # fmt: skip
    return judged, findings


def _no_target(required: pl.LazyFrame, source: str) -> pl.LazyFrame:
    """ACGR0210: one finding per year and submission of the table whose zero-fatal-error
    target the rule set leaves blank, with its reason (R11.3); no LEA, no line."""
    blank = required.filter(pl.col("zero_fatal_missing").is_not_null()).with_columns(
        pl.lit(None, pl.Int64).alias("line"), pl.lit(None, pl.String).alias("lea")
    )
    message = pl.format(
        "{} {}: no zero-fatal-error target ({}); none is assumed",
        pl.col("academic_year"), pl.col("submission"), pl.col("zero_fatal_missing"),
    )  # fmt: skip
    return _findings(blank, source, "ACGR0210", "warning", message)


def fatal_counts(findings: str | Path | pl.DataFrame) -> pl.LazyFrame:
    """Fatal findings per LEA key of an ``acgr validate``/``acgr run`` findings.csv (R11.2).

    A finding counts under its CDS code's county and district (7 digits) and, for an
    independently reporting charter school certifying under its own code, under the
    14-digit code too; the two keys never collide.

    Raises:
        acgr.errors.ExtractError: the file cannot be read or lacks ``severity``/``cds_code``.
    """
    if isinstance(findings, pl.DataFrame):
        frame = findings
    else:
        p = Path(findings)
        frame = read_text_csv(p, "findings file")
        if not {"severity", "cds_code"} <= set(frame.columns):
            raise ExtractError(f"{p}: line 1: a findings file needs severity and cds_code columns")
    fatal = frame.lazy().filter(pl.col("severity").str.strip_chars() == "fatal")
    code = pl.col("cds_code").cast(pl.String).str.strip_chars()
    return (
        pl.concat(
            [
                fatal.select(code.str.slice(0, 7).alias("key")),
                fatal.select(code.alias("key")).filter(pl.col("key").str.len_chars() == 14),
            ]
        )
        .group_by("key")
        .agg(pl.len().cast(pl.Int64).alias("fatal_findings"))
    )


def _detail() -> pl.Expr:
    """One submission's line of ``submissions``: what it was judged on (R11.3)."""
    return pl.concat_str(
        pl.col("submission"),
        pl.lit(": deadline "),
        pl.col("deadline").cast(pl.String).fill_null("unknown"),
        pl.lit(", certified "),
        pl.col("certified_on").cast(pl.String).fill_null("never"),
        pl.lit(" ("),
        pl.col("status"),
        pl.lit(")"),
    )


def _per_lea_year(judged: pl.LazyFrame) -> pl.LazyFrame:
    """The criterion of each LEA and year, met, missed or unknown, and its evidence (R11.2)."""
    order = pl.col("submission").replace_strict(_ORDER, return_dtype=pl.Int32)
    present = pl.col("status") != "not in table"
    missed = pl.col("status").is_in(["never certified", "late"])
    # A target CDE has not published is said plainly, never left out silently (R11.3).
    target = pl.concat_str(
        pl.col("submission"),
        pl.lit(" "),
        pl.col("zero_fatal_target").cast(pl.String).fill_null(pl.lit("not published")),
    )
    grouped = (
        judged.sort("lea", "academic_year", order)
        .group_by("lea", "academic_year", maintain_order=True)
        .agg(
            pl.col("criterion").first(),
            pl.col("data_quality").first(),
            present.sum().alias("present"),
            (present & pl.col("certified_on").is_not_null()).any().alias("any_certified"),
            _detail().filter(missed).str.join("; ").alias("missed_submissions"),
            _detail().filter(present).str.join("; ").alias("submissions"),
            pl.col("submission").filter(~present).str.join(", ").alias("not_in_table"),
            target.drop_nulls().str.join("; ").alias("zero_fatal_targets"),
        )
    )
    by_criterion = (
        pl.when(pl.col("present") == 0)
        .then(pl.lit("unknown"))
        .when(pl.col("criterion") == "none_certified")
        .then(pl.when(pl.col("any_certified")).then(pl.lit("met")).otherwise(pl.lit("missed")))
        .when(pl.col("missed_submissions") != "")
        .then(pl.lit("missed"))
        .otherwise(pl.lit("met"))
    )
    return grouped.with_columns(by_criterion.alias("certification"))


def _data_quality(rules: DaRules, given: bool) -> pl.Expr:
    """``not_a_criterion``, ``no_findings_given``, ``none``, ``risk`` or ``missed`` (R11.2)."""
    settings = rules.data_quality
    counts = pl.col("fatal_findings")
    decides = settings.fatal_findings == "eligibility"
    return (
        pl.when(~pl.col("data_quality"))
        .then(pl.lit("not_a_criterion"))
        .when(pl.lit(not given))
        .then(pl.lit("no_findings_given"))
        .when(pl.lit(decides) & (counts >= settings.min_fatal_findings))
        .then(pl.lit("missed"))
        .when(counts > 0)
        .then(pl.lit("risk"))
        .otherwise(pl.lit("none"))
    )


def _decided(frame: pl.LazyFrame, rules: DaRules, given: bool) -> pl.LazyFrame:
    """Eligible yes/no and the reason (R11.1, R11.2)."""
    kinds = rules.lea_kinds
    can_be = pl.col("lea_type").is_in(list(kinds.eligible))
    with_dq = frame.with_columns(_data_quality(rules, given).alias("data_quality"))
    cert = pl.col("certification") == "missed"
    quality = pl.col("data_quality") == "missed"
    reason = pl.concat_str(
        pl.when(~can_be).then(pl.format("{}: never eligible (R11.1)", pl.col("lea_type"))),
        pl.when(cert).then(
            pl.when(pl.col("criterion") == "none_certified")
            .then(pl.lit("none of the submissions certified (R11.2)"))
            .otherwise(pl.lit("missed a final certification deadline (R11.2)"))
        ),
        pl.when(quality).then(pl.format("{} fatal findings (R11.2)", pl.col("fatal_findings"))),
        pl.when(pl.col("certification") == "unknown").then(
            pl.lit("no required submission in the table (R11.3)")
        ),
        separator="; ",
        ignore_nulls=True,
    )
    eligible = pl.when(can_be & (cert | quality)).then(pl.lit("yes")).otherwise(pl.lit("no"))
    return with_dq.with_columns(
        eligible.alias("eligible"),
        reason.alias("reason"),
        pl.lit(rules.name).alias("rules"),
    )


def _lea_key() -> pl.Expr:
    """The key an LEA's fatal findings are counted under (see :func:`fatal_counts`)."""
    lea = pl.col("lea")
    charter_code = lea.str.contains(r"^\d{14}$") & (lea.str.slice(7) != "0000000")
    return pl.when(charter_code).then(lea).otherwise(lea.str.slice(0, 7))


def assess(
    certifications: str | Path | pl.DataFrame,
    *,
    findings: str | Path | pl.DataFrame | None = None,
    rules: str | Path | DaRules = "da",
) -> DaResult:
    """R11 per LEA and academic year, and the certification table's findings.

    ``certifications``: a CSV path or a frame of text columns (R11.3); ``findings``: a
    findings.csv of ``acgr validate``/``acgr run`` (or its frame) whose fatal findings
    feed the data-quality criterion (R11.2); ``rules``: ``da`` or a rules file.
    """
    da_rules = load_da_rules(rules)
    if isinstance(certifications, pl.DataFrame):
        source, raw = "certifications", certifications.with_row_index("line", offset=2)
        raw = raw.with_columns(pl.col("line").cast(pl.Int64))
    else:
        source, raw = str(certifications), read_certifications(certifications)
    missing = [c for c in CERTIFICATION_COLUMNS if c not in raw.columns]
    if missing:
        raise ExtractError(f"{source}: line 1: missing column(s) {', '.join(missing)}")
    rows, bad = _usable(_normalised(raw, da_rules), da_rules, source)
    judged, absent = _judged(rows, da_rules, source)
    counts = fatal_counts(findings) if findings is not None else None
    frame = _per_lea_year(judged).join(_kinds(rows, da_rules), on="lea", how="left")
    frame = frame.with_columns(_lea_key().alias("key"))
    if counts is not None:
        frame = frame.join(counts, on="key", how="left").with_columns(
            pl.col("fatal_findings").fill_null(0)
        )
    else:
        frame = frame.with_columns(pl.lit(None, pl.Int64).alias("fatal_findings"))
    table = _decided(frame, da_rules, counts is not None).select(DA_COLUMNS)
    found = pl.concat([bad, absent]).cast(FINDINGS_SCHEMA)  # type: ignore[arg-type]
    return DaResult(
        table=table.sort("lea", "academic_year").collect(),
        findings=found.sort("line", "rule", "cds_code", nulls_last=True).collect(),
    )


def da(
    certifications: str | Path | pl.DataFrame,
    *,
    findings: str | Path | pl.DataFrame | None = None,
    rules: str | Path | DaRules = "da",
) -> pl.DataFrame:
    """The rows of ``da.csv``: CALPADS DA readiness per LEA and academic year (R11).

    Examples:
        >>> table = pl.DataFrame({
        ...     "lea": ["1964733"] * 2, "academic_year": ["2024-2025"] * 2,
        ...     "submission": ["Fall 1", "Fall 2"], "deadline": ["", ""],
        ...     "certified_on": ["2025-01-24", "2025-03-03"],
        ... })
        >>> row = da(table).row(0, named=True)
        >>> row["eligible"], row["missed_submissions"]
        ('yes', 'Fall 2: deadline 2025-02-28, certified 2025-03-03 (late)')
    """
    return assess(certifications, findings=findings, rules=rules).table


__all__ = [
    "CERTIFICATION_COLUMNS",
    "DA_COLUMNS",
    "DaResult",
    "assess",
    "da",
    "fatal_counts",
    "read_certifications",
    "read_text_csv",
]
