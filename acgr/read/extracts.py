"""Reading CALPADS extracts into typed canonical Polars tables (docs/formats.md).

Input forms, all giving the same :class:`Extracts`:

* CALPADS caret-delimited text, submission or ODS layout, any file name, any
  mix of record types and academic years, UTF-8 (with or without BOM) or cp1252,
  LF or CRLF. The record type comes from field 1, never from the file name; a
  line's layout comes from its number of fields, never from the ``-R`` suffix
  alone (a plain ``SENR`` line of 41 fields is an ODS line).
* Canonical tables as Parquet (``.parquet``) or CSV with a header (``.csv``).
* Polars DataFrames/LazyFrames or Arrow tables from library callers.

Every table carries provenance columns ``source_file`` and ``source_line`` so
each outcome can name the record that decided it (R3.6). Lines that cannot be
used become findings (EXTR0001 unknown record type, EXTR0002 blank line,
EXTR0004 wrong field count, EXTR0006 control byte, FRMT0002 bad date); nothing
is dropped silently, and ``lines read == records parsed + lines rejected``.

One bad byte spoils its line, never its file: a line holding a NUL or another
C0 control byte (not TAB, CR, LF, VT, FF) is rejected whole (EXTR0006), the
other lines are read. Non-UTF-8 bytes (cp1252 accents) are legitimate in names;
they are decoded lossily and reject nothing by themselves (a bad byte in a date
fails that date's check, FRMT0002).

Folders are walked following links to folders, each real file read once; a
link that leads nowhere (broken, or a loop) is EXTR0007. A file in a folder
that is no extract (a schools directory, a foster-match or direct-certification
table, a spreadsheet, a document) is skipped with EXTR0005 saying what it looks
like; a file named explicitly must be an extract (:class:`ExtractError`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeAlias

import polars as pl

from acgr.checks.findings import (
    FINDINGS_SCHEMA,
    concat_findings,
    empty_findings,
    findings_where,
    fmt,
)
from acgr.errors import ExtractError
from acgr.read.layouts import LAYOUTS, MIN_FIELDS, ODS_TRAILING, Layout
from acgr.read.values import date_from_text

#: Provenance of every record. The file name is categorical: it repeats on every
#: row, and as text it would cost its full length per row in every copy.
PROVENANCE: dict[str, pl.DataType] = {
    "source_file": pl.Categorical(),
    "source_line": pl.Int64(),
}

#: What library callers may pass for one table.
FrameLike: TypeAlias = pl.DataFrame | pl.LazyFrame | Any  # Any: a pyarrow.Table

TABLES: tuple[str, ...] = ("senr", "sinf", "sprg", "sela")

#: Polars engines a run may use; resolved only in :func:`acgr.pipeline.compute`.
Engine = Literal["auto", "streaming", "in-memory"]


#: Reader findings that each stand for one line (or row) not used: unknown record
#: type, blank line, wrong field count, control byte, bad date.
REJECTING_RULES: tuple[str, ...] = ("EXTR0001", "EXTR0002", "EXTR0004", "EXTR0006", "FRMT0002")


#: Columns every raw table carries besides its canonical columns: why a record
#: was rejected at reading (a rule id such as FRMT0002) and what to fix; both null
#: for records that are read.
PROBLEM_COLUMNS: dict[str, pl.DataType] = {"_problem": pl.String(), "_message": pl.String()}


def _with_no_problem(frame: pl.LazyFrame) -> pl.LazyFrame:
    """``frame`` with null problem columns where it has none."""
    names = frame.collect_schema().names()
    return frame.with_columns(
        pl.lit(None, dt).alias(c) for c, dt in PROBLEM_COLUMNS.items() if c not in names
    )


@dataclass
class Extracts:
    """Canonical tables, lazily read, plus the findings raised while reading.

    ``raw`` holds, per table, every record read with two extra columns,
    ``_problem`` and ``_message``, set when the reader rejected the record (bad
    field count, bad date). :meth:`table` gives the records that were read;
    :attr:`findings` the rejected ones plus lines of no known record type,
    blank lines, lines spoiled by a control byte, empty and skipped files and
    dead links. :meth:`stage` materialises everything once.
    """

    raw: dict[str, pl.LazyFrame]
    other_findings: pl.LazyFrame = field(default_factory=empty_findings)
    sources: list[str] = field(default_factory=list)
    #: ``source_file``, ``lines``: physical lines (caret) or rows (tables) per input.
    line_counts: pl.LazyFrame = field(
        default_factory=lambda: pl.LazyFrame(
            schema={"source_file": pl.Categorical, "lines": pl.Int64}
        )
    )
    #: True when every table is already columnar and typed (Parquet files or
    #: in-memory frames): :meth:`stage` then only selects columns, since a copy
    #: would cost a full write and gain nothing.
    columnar: bool = False
    #: Tables a :meth:`stage` ``prepare`` step was applied to.
    prepared: frozenset[str] = frozenset()
    #: Tables read as given, their text not yet stripped of padding (typed
    #: Parquet or frames): :meth:`table` strips them as it reads and
    #: :meth:`stage` while it writes. A caller that has checked the text needs no
    #: stripping reads :meth:`as_given` instead and saves that work on every read.
    padded: frozenset[str] = frozenset()

    @classmethod
    def from_tables(cls, tables: Mapping[str, pl.LazyFrame], **kwargs: Any) -> Extracts:
        """Extracts from clean canonical tables (missing tables are empty)."""
        raw = {t: _with_no_problem(tables[t] if t in tables else empty_table(t)) for t in TABLES}
        return cls(raw=raw, **kwargs)

    def table(self, name: str) -> pl.LazyFrame:
        """The canonical table ``senr``, ``sinf``, ``sprg`` or ``sela`` (records read)."""
        frame = self.as_given(name)
        return strip_padding(frame) if name in self.padded else frame

    def as_given(self, name: str) -> pl.LazyFrame:
        """The records read of table ``name``, text as given (see :attr:`padded`)."""
        if self.columnar:  # typed tables: the reader rejects nothing
            return self.raw[name].drop(list(PROBLEM_COLUMNS))
        return self.raw[name].filter(pl.col("_problem").is_null()).drop(list(PROBLEM_COLUMNS))

    @property
    def senr(self) -> pl.LazyFrame:
        """Canonical SENR table."""
        return self.table("senr")

    @property
    def sinf(self) -> pl.LazyFrame:
        """Canonical SINF table."""
        return self.table("sinf")

    @property
    def sprg(self) -> pl.LazyFrame:
        """Canonical SPRG table."""
        return self.table("sprg")

    @property
    def sela(self) -> pl.LazyFrame:
        """Canonical SELA table."""
        return self.table("sela")

    def rejected(self, name: str) -> pl.LazyFrame:
        """Findings for the records of table ``name`` that the reader rejected."""
        if self.columnar:
            return empty_findings()
        raw = self.raw[name]
        names = set(raw.collect_schema().names())
        school = (
            pl.concat_str([pl.col("reporting_lea"), pl.col("school_of_attendance")])
            if {"reporting_lea", "school_of_attendance"} <= names
            else pl.lit(None, pl.String)
        )
        return raw.filter(pl.col("_problem").is_not_null()).select(
            pl.col("_problem").alias("rule"),
            pl.lit("fatal").alias("severity"),
            pl.col("source_file").cast(pl.String).alias("file"),
            pl.col("source_line").alias("line"),
            pl.lit(name.upper()).alias("record_type"),
            pl.col("ssid").cast(pl.String),
            school.alias("cds_code"),
            pl.col("_message").alias("message"),
        )

    @property
    def findings(self) -> pl.LazyFrame:
        """Every finding raised while reading."""
        return concat_findings([self.other_findings, *(self.rejected(t) for t in TABLES)])

    def accounting(self) -> pl.LazyFrame:
        """One row: ``lines_read``, ``records_parsed``, ``lines_rejected`` (at reading).

        Every line is either parsed into a table or rejected with a reader
        finding (:data:`REJECTING_RULES`), so
        ``lines_read == records_parsed + lines_rejected`` always holds.
        """
        parsed = pl.concat(
            [self.table(t).select(pl.len().cast(pl.Int64).alias("n")) for t in TABLES]
        ).select(pl.col("n").sum().alias("records_parsed"))
        read = self.line_counts.select(pl.col("lines").sum().cast(pl.Int64).alias("lines_read"))
        rejected = self.findings.filter(pl.col("rule").is_in(list(REJECTING_RULES))).select(
            pl.len().cast(pl.Int64).alias("lines_rejected")
        )
        return pl.concat([read, parsed, rejected], how="horizontal")

    def count_lines(self, engine: Engine = "auto") -> pl.DataFrame:
        """:meth:`accounting`, collected without shared sub-plans.

        Its parts scan the same tables; shared, Polars would read the tables
        once for all of them, where each part alone is answered from Parquet
        metadata.
        """
        return self.accounting().collect(
            engine=engine, optimizations=pl.QueryOptFlags(comm_subplan_elim=False)
        )

    def stage(
        self,
        folder: Path,
        *,
        columns: Mapping[str, Sequence[str]] | None = None,
        engine: Engine = "auto",
        prepare: Mapping[str, Callable[[pl.LazyFrame, Engine], pl.LazyFrame]] | None = None,
    ) -> Extracts:
        """Materialise every table once as Parquet in ``folder``; return Extracts over it.

        Reading caret text is the most expensive step of a run. Staging parses
        each table exactly once, with bounded memory (streaming sinks), and every
        later step reads the typed Parquet files (fast, columnar). Extracts that
        are already :attr:`columnar` are not copied. ``columns``
        limits each table to the columns a caller needs (provenance, ``ssid``
        and the problem columns are always kept). ``prepare`` maps a table to a
        step applied to it once it is written (columns and names kept; the step
        may read the written table on ``engine``, e.g. its distinct values, which
        costs less than a step on every row while writing), recorded in
        :attr:`prepared`; not applied to columnar extracts, which are not written.
        The files hold SSIDs: put ``folder`` somewhere private and delete it after
        use.
        """
        keep_always = ["source_file", "source_line", "ssid", *PROBLEM_COLUMNS]
        frames = {}
        for t in TABLES:
            frame = self.raw[t]
            if columns is not None and t in columns:
                wanted = [*keep_always, *(c for c in columns[t] if c not in keep_always)]
                frame = frame.select(wanted)
            frames[t] = frame
        if self.columnar:
            return replace(self, raw=frames)
        for t in self.padded:
            frames[t] = strip_padding(frames[t])
        folder.mkdir(parents=True, exist_ok=True)
        # Private and short-lived, written once and read many times: no compression
        # (statewide, whole runs 4% faster than with LZ4, for about 0.2 GB more on
        # disk), and no column statistics (a tenth of the write; no reader filters
        # on them).
        sinks = [
            frames[t].sink_parquet(
                folder / f"{t}.parquet", compression="uncompressed", statistics=False, lazy=True
            )
            for t in TABLES
        ]
        sinks.append(self.other_findings.sink_parquet(folder / "findings.parquet", lazy=True))
        sinks.append(self.line_counts.sink_parquet(folder / "lines.parquet", lazy=True))
        pl.collect_all(sinks, engine=engine)
        staged = {t: pl.scan_parquet(folder / f"{t}.parquet") for t in TABLES}
        for t, step in (prepare or {}).items():
            staged[t] = step(staged[t], engine)
        return Extracts(
            raw=staged,
            other_findings=pl.scan_parquet(folder / "findings.parquet"),
            sources=list(self.sources),
            line_counts=pl.scan_parquet(folder / "lines.parquet"),
            prepared=frozenset(prepare or ()),
        )


def canonical_schema(layout: Layout, *, with_pii: bool = False) -> dict[str, pl.DataType]:
    """Column -> dtype of a canonical table, provenance columns first."""
    schema: dict[str, pl.DataType] = dict(PROVENANCE)
    for f in layout.fields:
        if f.kind == "pii" and not with_pii:
            continue
        schema[f.column] = pl.Date() if f.kind == "date" else pl.String()
    return schema


def empty_table(name: str) -> pl.LazyFrame:
    """An empty canonical table."""
    return pl.LazyFrame(schema=canonical_schema(LAYOUTS[name.upper()]))


# ---------------------------------------------------------------------------------
# Caret text
# ---------------------------------------------------------------------------------
_SNIFF_BYTES = 1 << 16


class _UnusableFileError(ExtractError):
    """A file that holds no CALPADS extract nor canonical table, or cannot be read.

    The message is the one line a named file ends the run with; ``reason``
    completes the EXTR0005 finding of such a file found in a folder.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def _not_an_extract(path: Path, what: str) -> _UnusableFileError:
    return _UnusableFileError(
        f"{path}: line 1: not a CALPADS extract: {what}",
        f"file in the input folder is not a CALPADS extract: {what}; skipped",
    )


#: Columns that tell the side inputs of docs/formats.md ("Optional side inputs") and
#: this project's own outputs apart, as :func:`_norm` spells them, with what to
#: say of each. Tried in order; every listed column must be present.
_SIDE_FILES: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"cdscode"}), "a schools directory: pass it with --schools"),
    (frozenset({"cds"}), "a schools directory: pass it with --schools"),
    (frozenset({"ssid", "startdate", "enddate"}), "a foster-match table: pass it with --foster"),
    (
        frozenset({"ssid", "academicyear"}),
        "a direct-certification table: pass it with --direct-cert",
    ),
    (frozenset({"aggregatelevel", "reportingcategory"}), "an ACGR file (like acgr.txt)"),
    (frozenset({"rule", "severity", "file", "line"}), "a findings file (like findings.csv)"),
)


def _header(line: str) -> set[str]:
    """Column names of a header line (comma- or tab-delimited), as :func:`_norm` spells them."""
    separator = "\t" if line.count("\t") > line.count(",") else ","
    return {_norm(c) for c in line.split(separator)}


def _what_it_is(path: Path, head: bytes, first: str) -> str:
    """What a file that is no extract looks like, for its message (EXTR0005).

    ``head`` is the file's first bytes, ``first`` its first non-blank line.
    """
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):  # a zip: Office Open XML, OpenDocument, or an archive
        if suffix in (".xlsx", ".xlsm") or b"xl/" in head[:4096]:
            return "a spreadsheet (Excel workbook)"
        if suffix == ".ods" or b"opendocument.spreadsheet" in head[:4096]:
            return "a spreadsheet (OpenDocument)"
        return "a zip archive: unzip it first"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: Excel 97-2003 and its kin
        return "a spreadsheet (Excel 97-2003 workbook)" if suffix == ".xls" else "an Office file"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text: save it as UTF-8"
    columns = _header(first)
    for needed, what in _SIDE_FILES:
        if needed <= columns:
            return what
    if suffix in (".md", ".markdown", ".rst") or path.name.upper().startswith("README"):
        return "a document (README or notes)"
    if b"\x00" in head:
        return "binary content (NUL bytes)"
    if suffix == ".csv" and "," in first:
        return "a CSV table whose columns do not match any canonical table (SENR, SINF, SPRG, SELA)"
    delim = "tab" if "\t" in first else ("comma" if "," in first else "unknown")
    return (
        "no caret-delimited SENR/SINF/SPRG/SELA record in its first lines "
        f"({delim}-delimited text?)"
    )


def _sniff(path: Path) -> str:
    """Kind of a file: ``parquet``, ``csv`` (canonical, with header), ``caret`` or ``empty``.

    A file is a caret extract when one of its first non-blank lines begins with a
    known record type and carries ``^`` (docs/formats.md): a NUL or another bad byte
    elsewhere spoils only its line (EXTR0006). A Parquet or CSV file must hold a
    canonical table. Raises :class:`_UnusableFileError` for anything else (binary files,
    spreadsheets, documents, side tables such as a schools directory), saying
    what the file looks like where that can be told.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
            # Parquet begins and ends with its magic: a caret file whose first
            # line happens to begin with it is still read as text.
            parquet = len(head) >= 8 and head.startswith(b"PAR1")
            if parquet:
                fh.seek(-4, os.SEEK_END)
                parquet = fh.read(4) == b"PAR1"
    except OSError as exc:
        raise _UnusableFileError(
            f"{path}: cannot be read ({exc.strerror})",
            f"file in the input folder cannot be read ({exc.strerror}); skipped",
        ) from None
    if parquet:
        try:
            columns = pl.read_parquet_schema(path).keys()
        except (OSError, pl.exceptions.PolarsError):
            raise _not_an_extract(path, "a Parquet file that cannot be read") from None
        if _table_of(columns) is None:
            raise _not_an_extract(
                path,
                "a Parquet table whose columns do not match any canonical table "
                "(SENR, SINF, SPRG, SELA)",
            )
        return "parquet"
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        return "empty"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    # Lines as the reader splits them (at LF only: str.splitlines would also
    # split at the control bytes that spoil a line).
    first_lines = [ln for ln in text.split("\n")[:200] if ln.strip()]
    first = first_lines[0] if first_lines else ""
    if "^" not in first and _table_of(first.split(",")) is not None:
        return "csv"
    known = set(LAYOUTS)
    for ln in first_lines:
        rtype = ln.split("^", 1)[0].strip().upper().removesuffix("-R")
        if rtype in known and "^" in ln:
            return "caret"
    raise _not_an_extract(path, _what_it_is(path, head, first))


def _raw_lines(path: Path) -> pl.LazyFrame:
    """``source_file``, ``source_line``, ``text``: one row per physical line.

    Lines end at LF only: a CR before it is dropped, a lone CR stays in the line
    (as it does for the CSV reader of :func:`_parse_file`, so line numbers agree).
    """
    return pl.scan_csv(
        path,
        has_header=False,
        # The separator is the line end itself, so no byte of a line can split
        # it: any other byte would cut the line where it occurs, silently.
        separator="\n",
        quote_char=None,
        schema={"text": pl.String},
        encoding="utf8-lossy",
        row_index_name="source_line",
        row_index_offset=1,
        truncate_ragged_lines=True,
        empty_string_is_null=False,
        raise_if_empty=False,
    ).select(
        pl.lit(str(path)).cast(pl.Categorical).alias("source_file"),
        pl.col("source_line").cast(pl.Int64),
        pl.col("text"),
    )


#: What padding a field may carry: ASCII whitespace and the no-break space a
#: spreadsheet leaves. An explicit set strips about twice as fast as Unicode
#: whitespace, and this runs on every field of every record.
PADDING = " \t\r\n\x0b\x0c\u00a0"


#: C0 control bytes a line may not hold (docs/formats.md: "one bad byte spoils its
#: line"): all but TAB, LF, VT, FF and CR, which end lines or are :data:`PADDING`.
#: A NUL or an escape in a record is damage (a truncated copy, a binary paste),
#: so the whole line is rejected (EXTR0006) rather than some of its fields trusted.
_CONTROL_CLASS = r"\x00-\x08\x0e-\x1f"
_CONTROL = f"[{_CONTROL_CLASS}]"
#: ASCII names of the bytes of :data:`_CONTROL`, in byte order.
_CONTROL_ASCII = (
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "SO", "SI", "DLE", "DC1",
    "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
)  # fmt: skip
_CONTROL_NAMES: dict[str, str] = {
    chr(b): f"{name}, byte 0x{b:02X}"
    for b, name in zip([*range(0x00, 0x09), *range(0x0E, 0x20)], _CONTROL_ASCII, strict=True)
}


def _has_control(text: pl.Expr) -> pl.Expr:
    """Whether a line holds a byte of :data:`_CONTROL` (EXTR0006)."""
    return text.str.contains(_CONTROL)


def _control_columns(text: pl.Expr) -> list[pl.Expr]:
    """What an EXTR0006 finding tells of a spoiled line (docs/formats.md).

    Its record type (when known), the field holding its first control byte and
    that byte's name; never the content: a spoiled field may be an SSID or a name.
    """
    base = _record_type(text).str.strip_suffix("-R")
    before = text.str.extract(f"^([^{_CONTROL_CLASS}]*)", 1)
    return [
        pl.when(base.is_in(list(LAYOUTS))).then(base).otherwise(pl.lit("")).alias("_ctrl_type"),
        (before.str.count_matches("^", literal=True).cast(pl.Int64) + 1).alias("_ctrl_field"),
        text.str.extract(f"({_CONTROL})", 1)
        .replace_strict(_CONTROL_NAMES, return_dtype=pl.String)
        .alias("_ctrl_byte"),
    ]


#: Spoiled lines as :func:`_single_type_files` lists them (:func:`_control_columns`).
_SPOILED_SCHEMA: dict[str, pl.DataType] = {
    "source_line": pl.Int64(),
    "_ctrl_type": pl.String(),
    "_ctrl_field": pl.Int64(),
    "_ctrl_byte": pl.String(),
}


def _control_findings(spoiled: pl.LazyFrame) -> pl.LazyFrame:
    """EXTR0006 for lines with ``source_file``, ``source_line`` and :func:`_control_columns`."""
    return spoiled.select(
        pl.lit("EXTR0006").alias("rule"),
        pl.lit("fatal").alias("severity"),
        pl.col("source_file").cast(pl.String).alias("file"),
        pl.col("source_line").cast(pl.Int64).alias("line"),
        pl.col("_ctrl_type").alias("record_type"),
        pl.lit(None, pl.String).alias("ssid"),
        pl.lit(None, pl.String).alias("cds_code"),
        fmt(
            "line holds a control character ({}) at field {}; line not used",
            pl.col("_ctrl_byte"),
            pl.col("_ctrl_field"),
        ).alias("message"),
    )


def strip_padding(frame: pl.LazyFrame) -> pl.LazyFrame:
    """``frame`` with the :data:`PADDING` stripped from both ends of every text column."""
    return frame.with_columns(pl.col(pl.String).str.strip_chars(PADDING))


def _record_type(text: pl.Expr) -> pl.Expr:
    return (
        text.str.splitn("^", 2).struct.field("field_0").str.strip_chars(PADDING).str.to_uppercase()
    )


def _layout_fields(n_line: pl.Expr, ods_suffix: pl.Expr, layout: Layout) -> pl.Expr:
    """Layout fields on a line of ``n_line`` fields; null when that count is not allowed.

    The layout is told by the count, never by the ``-R`` suffix alone (docs/formats.md,
    "CALPADS extracts"): N = the layout's fields, MIN = :data:`MIN_FIELDS`.

    * N + 2 fields: ODS layout (UploadDate, LastDateUpdated last), whatever the suffix;
    * ``-R`` and MIN + 2 to N + 1 fields: ODS layout of a shorter (older) file;
    * MIN to N fields: submission layout (also under ``-R`` below MIN + 2);
    * any other count: not allowed (EXTR0004).

    Both reading paths call this, so they cannot disagree on a line's layout.
    """
    n, least, trailing = len(layout.fields), MIN_FIELDS[layout.record_type], len(ODS_TRAILING)
    return (
        pl.when(n_line == n + trailing)
        .then(pl.lit(n, pl.Int64))
        .when(ods_suffix & n_line.is_between(least + trailing, n + trailing - 1))
        .then(n_line - trailing)
        .when(n_line.is_between(least, n))
        .then(n_line)
    )


def _allowed_counts(layout: Layout, *, ods_suffix: bool) -> list[int]:
    """Field counts :func:`_layout_fields` allows on a line of ``layout``."""
    n, least, trailing = len(layout.fields), MIN_FIELDS[layout.record_type], len(ODS_TRAILING)
    counts = {*range(least, n + 1), n + trailing}
    if ods_suffix:
        counts |= set(range(least + trailing, n + trailing))
    return sorted(counts)


def _spell_counts(counts: list[int]) -> str:
    """``[33, ..., 39, 41]`` -> ``"33 to 39 or 41"`` (runs of three or more as ranges)."""
    runs: list[list[int]] = []
    for c in counts:
        if runs and c == runs[-1][-1] + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0]} to {run[-1]}")
        else:
            parts.extend(str(c) for c in run)
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"


def _count_message(layout: Layout, *, ods_suffix: bool) -> str:
    """EXTR0004 message template (``{}``: the fields on the line) for one record type."""
    record_type = layout.record_type + ("-R" if ods_suffix else "")
    n, least = len(layout.fields), MIN_FIELDS[layout.record_type]
    return (
        f"{record_type} line has {{}} fields; a {record_type} line may have "
        f"{_spell_counts(_allowed_counts(layout, ods_suffix=ods_suffix))} (the "
        f"{layout.record_type} layout's {least} to {n}, or all {n} and UploadDate, "
        "LastDateUpdated as ODS extracts write them); record not used"
    )


def _parse_lines(lines: pl.LazyFrame, layout: Layout, *, with_pii: bool) -> pl.LazyFrame:
    """Split the caret lines (``text``) of one record type into canonical columns.

    Every line becomes a row; see :func:`_parse_fields` for what a row carries.
    """
    n_layout = len(layout.fields)
    n_split = n_layout + len(ODS_TRAILING) + 1  # the last piece keeps any surplus
    parts = pl.col("_parts")
    # Fields on the line: the pieces present (absent ones are null), plus those
    # still inside the last piece, which keeps any surplus. Cheaper than counting
    # carets along every line.
    last = parts.struct.field(f"field_{n_split - 1}")
    n_all = pl.sum_horizontal(
        [parts.struct.field(f"field_{i}").is_not_null() for i in range(n_split - 1)]
    ).cast(pl.Int64) + pl.when(last.is_not_null()).then(
        last.str.count_matches("^", literal=True) + 1
    ).otherwise(0)
    split = lines.with_columns(pl.col("text").str.splitn("^", n_split).alias("_parts"))
    return _parse_fields(
        split.with_columns(
            n_all.alias("_n_line"), pl.col("_rtype").str.ends_with("-R").alias("_ods")
        ),
        layout,
        lambda i: parts.struct.field(f"field_{i}"),
        with_pii=with_pii,
    )


def _parse_fields(
    frame: pl.LazyFrame,
    layout: Layout,
    field_at: Callable[[int], pl.Expr],
    *,
    with_pii: bool,
    as_read: int | None = None,
) -> pl.LazyFrame:
    """Typed canonical columns from the raw fields of one record type.

    ``frame`` has the provenance columns, ``_n_line`` (the fields on the line) and
    ``_ods`` (whether its record type has the ``-R`` suffix); which of those
    fields are layout fields is :func:`_layout_fields`' rule. ``field_at(i)`` is
    field ``i`` (0-based) as text, null when absent. Rows the reader rejects carry
    ``_problem`` (EXTR0004 wrong field count, FRMT0002 bad date) and ``_message``.
    ``as_read``: every line is tidy, fills its first ``as_read`` fields and reads an
    empty field as null (a :attr:`_SingleTypeFile.tidy` file of one field count), so
    fields are taken as read: no per-record strip or presence test (statewide, those
    were about two fifths of SENR's parse and typing).
    """
    frame = frame.with_columns(
        _layout_fields(pl.col("_n_line"), pl.col("_ods"), layout).alias("_n_fields")
    )
    exprs, dates = _field_columns(layout, field_at, with_pii=with_pii, as_read=as_read)
    keep = list(canonical_schema(layout, with_pii=with_pii))
    # Each date is parsed once: the parsed column both types the field and tells
    # _bad_dates which texts are not calendar dates.
    parsed = [pl.col(c).str.to_date("%Y%m%d", strict=False).alias(f"_date_{c}") for c, _ in dates]
    return (
        frame.with_columns(*exprs)
        .with_columns(*parsed)
        .with_columns(_bad_dates(dates).alias("_bad_dates"))
        .with_columns(*(pl.col(f"_date_{c}").alias(c) for c, _ in dates), *_rejection(layout))
        .select(*keep, *PROBLEM_COLUMNS)
    )


def _field_columns(
    layout: Layout,
    field_at: Callable[[int], pl.Expr],
    *,
    with_pii: bool,
    as_read: int | None = None,
) -> tuple[list[pl.Expr], list[tuple[str, str]]]:
    """Each layout field's text, stripped (null when absent or empty), as its canonical
    column; and the date fields, ``(column, CALPADS name)``. ``as_read``: see
    :func:`_parse_fields`."""
    exprs: list[pl.Expr] = []
    dates: list[tuple[str, str]] = []
    for i, f in enumerate(layout.fields):
        if f.kind == "pii" and not with_pii:
            continue
        if as_read is not None:
            raw = field_at(i) if i < as_read else pl.lit(None, pl.String)
            exprs.append(raw.alias(f.column))
        else:
            exprs.append(_field_text(field_at(i), i).alias(f.column))
        if f.kind == "date":
            dates.append((f.column, f.calpads))
    return exprs, dates


def _field_text(piece: pl.Expr, i: int) -> pl.Expr:
    """Field ``i``'s text stripped of :data:`PADDING`; null when empty or not on the line."""
    stripped = piece.str.strip_chars(PADDING)
    # A rejected line's fields are still read, so its finding can name the SSID.
    present = pl.coalesce(pl.col("_n_fields"), pl.col("_n_line")) > i
    return pl.when(present & (stripped.str.len_bytes() > 0)).then(stripped)


def _bad_dates(dates: Sequence[tuple[str, str]]) -> pl.Expr:
    """The CALPADS names of the given date fields that are not CCYYMMDD calendar dates
    (the text in ``<column>``, its parse in ``_date_<column>``)."""
    return pl.concat_str(
        [
            pl.when(
                pl.col(c).is_not_null()
                & (~pl.col(c).str.contains(r"^\d{8}$") | pl.col(f"_date_{c}").is_null())
            ).then(pl.lit(name))
            for c, name in dates
        ],
        separator=", ",
        ignore_nulls=True,
    )


def _rejection(layout: Layout) -> tuple[pl.Expr, pl.Expr]:
    """``_problem`` and ``_message`` of a line: a field count the layout does not allow
    (EXTR0004), else a bad date (FRMT0002, from ``_bad_dates``); null when read."""
    bad_count = pl.col("_n_fields").is_null()
    problem = (
        pl.when(bad_count)
        .then(pl.lit("EXTR0004"))
        .when(pl.col("_bad_dates").str.len_bytes() > 0)
        .then(pl.lit("FRMT0002"))
    )
    message = (
        pl.when(bad_count & pl.col("_ods"))
        .then(fmt(_count_message(layout, ods_suffix=True), pl.col("_n_line")))
        .when(bad_count)
        .then(fmt(_count_message(layout, ods_suffix=False), pl.col("_n_line")))
        .when(pl.col("_bad_dates").str.len_bytes() > 0)
        .then(
            fmt(
                "date not in CCYYMMDD form or not a calendar date: {}; record not used",
                pl.col("_bad_dates"),
            )
        )
    )
    return problem.alias("_problem"), message.alias("_message")


@dataclass(frozen=True)
class _SingleTypeFile:
    """A caret file whose every line begins with one record type's exact field 1.

    ``native`` says whether the CSV reader can split the file (see
    :func:`_single_type_files`). Every line not listed in ``bad_counts``
    (``source_line``, ``_n_line``) has ``usual_count`` fields or, for what the
    layout needs, counts as having them: its first N fields are its layout
    fields, and its missing ones are empty. ``spoiled`` lists the lines holding
    a control byte (``source_line`` and :func:`_control_columns`), which are not
    split (EXTR0006). ``tidy``: no field of any line begins or ends with
    :data:`PADDING` (known only of a file :func:`_regular_files` passed), so its
    fields need no stripping.
    """

    record_type: str  # as on the lines, e.g. "SENR" or "SENR-R"
    lines: int
    native: bool
    usual_count: int
    bad_counts: pl.DataFrame
    spoiled: pl.DataFrame
    tidy: bool = False


def _parse_file(path: Path, file: _SingleTypeFile, *, with_pii: bool) -> pl.LazyFrame:
    """Canonical columns of a single-type file split by Polars' CSV reader.

    Much faster than splitting each line as text, and only the columns a query
    uses are split out. The reader cannot tell an empty field from a missing one,
    so field counts come from :func:`_single_type_files` (``file.usual_count``
    and ``file.bad_counts``); the layout rule is the line path's
    (:func:`_layout_fields`).
    """
    layout = LAYOUTS[file.record_type.removesuffix("-R")]
    n_layout = len(layout.fields)
    fields = pl.scan_csv(
        path,
        has_header=False,
        separator="^",
        quote_char=None,
        schema={f"field_{i}": pl.String for i in range(n_layout)},
        encoding="utf8-lossy",
        row_index_name="source_line",
        row_index_offset=1,
        truncate_ragged_lines=True,
        missing_columns="insert",
        extra_columns="ignore",
        raise_if_empty=False,
    )
    if file.spoiled.height:
        fields = fields.filter(~pl.col("source_line").is_in(file.spoiled["source_line"].implode()))
    ods = file.record_type.endswith("-R")
    bad = file.bad_counts
    n_line = (
        pl.col("source_line").replace_strict(
            bad["source_line"], bad["_n_line"], default=file.usual_count, return_dtype=pl.Int64
        )
        if bad.height
        else pl.lit(file.usual_count, pl.Int64)
    )
    return _parse_fields(
        fields.with_columns(
            pl.lit(str(path)).cast(pl.Categorical).alias("source_file"),
            pl.col("source_line").cast(pl.Int64),
        ).with_columns(n_line.alias("_n_line"), pl.lit(ods).alias("_ods")),
        layout,
        lambda i: pl.col(f"field_{i}"),
        with_pii=with_pii,
        as_read=_fields_present(file.usual_count, layout, ods=ods)
        if file.tidy and not bad.height
        else None,
    )


def _fields_present(n_line: int, layout: Layout, *, ods: bool) -> int:
    """How many leading fields a line of ``n_line`` fields fills: its layout fields, or
    all its fields when :func:`_layout_fields` allows no layout for that count."""
    n_fields = pl.select(_layout_fields(pl.lit(n_line, pl.Int64), pl.lit(ods), layout)).item()
    return int(n_line if n_fields is None else n_fields)


def read_caret(
    paths: Sequence[Path], *, with_pii: bool = False, line_store: Path | None = None
) -> Extracts:
    """Read CALPADS caret extracts (any record types, any number of files) lazily.

    Every table keeps only the lines of its record type, so each would scan all
    the text again. With ``line_store`` (a private folder), the lines and their
    record types are first written there once (one pass, compressed Parquet);
    each table then reads back only the row groups of its type. The store holds
    the raw lines, names included: keep it private and delete it after use.
    Also with ``line_store``, a file holding one record type only (the usual
    CALPADS extract) is not stored but split by Polars' CSV reader
    (:func:`_parse_file`), with the same results.
    """
    if not paths:
        return Extracts.from_tables({})
    single = _single_type_files(paths) if line_store is not None else {}
    # Files the CSV reader cannot split are read as lines like the rest.
    pure = {p: f for p, f in single.items() if f.native}
    mixed = [p for p in paths if p not in pure]
    lines = _typed_lines(mixed)
    if line_store is not None and mixed:
        line_store.mkdir(parents=True, exist_ok=True)
        lines.sink_parquet(line_store / "lines.parquet", compression="lz4")
        lines = pl.scan_parquet(line_store / "lines.parquet")
    line_counts = _lines_per_file(lines, pure)
    spoiled = _spoiled_lines(lines, pure)
    # A spoiled line is rejected whole (EXTR0006) and read no further.
    lines = lines.filter(~pl.col("_spoiled"))
    return Extracts(
        raw={
            name: _caret_table(name, lines, pure, some_as_lines=bool(mixed), with_pii=with_pii)
            for name in TABLES
        },
        other_findings=_line_findings(lines, spoiled),
        sources=[str(p) for p in paths],
        line_counts=line_counts,
    )


def _lines_per_file(lines: pl.LazyFrame, pure: Mapping[Path, _SingleTypeFile]) -> pl.LazyFrame:
    """``source_file``, ``lines``: the physical lines of every caret file."""
    line_counts = lines.group_by("source_file").agg(pl.len().cast(pl.Int64).alias("lines"))
    if not pure:
        return line_counts
    counted = pl.LazyFrame(
        {"source_file": [str(p) for p in pure], "lines": [f.lines for f in pure.values()]},
        schema={"source_file": pl.String, "lines": pl.Int64},
    ).with_columns(pl.col("source_file").cast(pl.Categorical))
    return pl.concat([line_counts, counted])


def _spoiled_lines(lines: pl.LazyFrame, pure: Mapping[Path, _SingleTypeFile]) -> list[pl.LazyFrame]:
    """The lines holding a control byte (EXTR0006), described by :func:`_control_columns`."""
    return [
        lines.filter(pl.col("_spoiled")).select(
            "source_file", "source_line", *_control_columns(pl.col("text"))
        ),
        *(
            pl.LazyFrame(f.spoiled).with_columns(pl.lit(str(p)).alias("source_file"))
            for p, f in pure.items()
            if f.spoiled.height
        ),
    ]


def _line_findings(lines: pl.LazyFrame, spoiled: Sequence[pl.LazyFrame]) -> pl.LazyFrame:
    """Findings of the lines no table reads: blank (EXTR0002), of no known record type
    (EXTR0001), holding a control byte (EXTR0006). ``lines`` are the unspoiled ones."""
    base_type = pl.col("_rtype").str.strip_suffix("-R")
    unknown = lines.filter(~base_type.is_in(list(LAYOUTS))).with_columns(
        pl.lit(None, pl.String).alias("ssid")
    )
    blank = pl.col("text").str.strip_chars().str.len_bytes() == 0
    return concat_findings(
        [
            findings_where(
                unknown,
                blank,
                rule="EXTR0002",
                severity="warning",
                message="blank line ignored",
                record_type="",
            ),
            findings_where(
                unknown,
                ~blank,
                rule="EXTR0001",
                severity="fatal",
                # Field 1 is not echoed: a line pasted without its record type
                # would put an SSID or a name into the message.
                message="field 1 is not a known record type (expected SENR, SINF, SPRG or "
                "SELA, or their ODS forms with -R); line not used",
                record_type="",
            ),
            *map(_control_findings, spoiled),
        ]
    )


def _caret_table(
    name: str,
    lines: pl.LazyFrame,
    pure: Mapping[Path, _SingleTypeFile],
    *,
    some_as_lines: bool,
    with_pii: bool,
) -> pl.LazyFrame:
    """Raw table ``name``: its record type's ``lines``, then its single-type files split
    by the CSV reader. The lines are left out only when no file was read as lines
    (``some_as_lines`` False) and some single-type file is of this type."""
    layout = LAYOUTS[name.upper()]
    own = {p: f for p, f in pure.items() if f.record_type.removesuffix("-R") == name.upper()}
    parts = [_parse_file(p, f, with_pii=with_pii) for p, f in own.items()]
    if some_as_lines or not parts:
        general = lines.filter(pl.col("_rtype").str.strip_suffix("-R") == layout.record_type)
        parts.insert(0, _parse_lines(general, layout, with_pii=with_pii))
    return pl.concat(parts) if len(parts) > 1 else parts[0]


def _typed_lines(paths: Sequence[Path]) -> pl.LazyFrame:
    """Lines of ``paths`` with their record type (``_rtype``, e.g. ``SENR-R``) and
    whether they hold a control byte (``_spoiled``, EXTR0006)."""
    if not paths:
        return pl.LazyFrame(
            schema={
                "source_file": pl.Categorical,
                "source_line": pl.Int64,
                "text": pl.String,
                "_rtype": pl.String,
                "_spoiled": pl.Boolean,
            }
        )
    lines = pl.concat([_raw_lines(p) for p in paths])
    return lines.with_columns(
        _record_type(pl.col("text")).alias("_rtype"), _has_control(pl.col("text")).alias("_spoiled")
    )


def _single_type_files(paths: Sequence[Path]) -> dict[Path, _SingleTypeFile]:
    """Files whose every line begins with one record type exactly (``SENR^`` …).

    Maps each to a :class:`_SingleTypeFile`: its record type, its number of
    lines (counted here so that nothing else reads the file just to count: a
    file read twice in one query would make Polars hold its whole text in memory
    to share it), and the lines whose field count the layout does not allow.

    One pass over the text tests each line with one regex against the first
    (:func:`_regular_files`: the usual file ends there); only a file where some
    line differs gets a second pass, testing a fixed prefix and counting each
    line's fields (:func:`_line_check`). Both are much cheaper than working out
    each line's record type. Anything else (blank
    lines, padding, lower case, mixed types) leaves the file to the general path.
    The CSV reader splits a file when the first N (layout) columns of each line
    are its layout fields, which holds for every count :func:`_layout_fields`
    allows except an ODS line short of full width (``-R``, MIN + 2 to N + 1
    fields), whose trailing UploadDate sits among them: a file with such lines is
    split natively only when every line has the same count.
    """
    candidates = _single_type_candidates(paths)
    if not candidates:
        return {}
    found = _regular_files(candidates)
    rest = [(p, c.record_type) for p, c in candidates.items() if p not in found]
    if rest:
        rows = pl.concat([_line_check(p, i, kind) for i, (p, kind) in enumerate(rest)]).collect()
        for i, (p, record_type) in enumerate(rest):
            row = rows.row(i, named=True)
            if row["ok"]:
                found[p] = _single_type_file(p, record_type, row)
    return {p: found[p] for p in candidates if p in found}


#: ``_SingleTypeFile.bad_counts``: a line and its field count.
_BAD_COUNTS_SCHEMA: dict[str, pl.DataType] = {"source_line": pl.Int64(), "_n_line": pl.Int64()}


class _Candidate(NamedTuple):
    """A file's record type as on its first line (``SENR-R`` for an ODS line), that
    line's field count (at least 2: field 1 ends at a caret) and whether no field of
    it begins or ends with :data:`PADDING`."""

    record_type: str
    first_count: int
    first_tidy: bool


def _single_type_candidates(paths: Sequence[Path]) -> dict[Path, _Candidate]:
    """Files whose first line begins with a record type's exact field 1 (``SENR^`` …)."""
    prefixes = {f"{t}{ods}^": f"{t}{ods}" for t in LAYOUTS for ods in ("", "-R")}
    candidates: dict[Path, _Candidate] = {}
    for p in paths:
        first = _raw_lines(p).head(1).collect()
        text = first["text"][0] if first.height else ""
        head = text[: text.find("^") + 1] if "^" in text else ""
        if head in prefixes:
            tidy = all(f == f.strip(PADDING) for f in text.split("^"))
            candidates[p] = _Candidate(prefixes[head], text.count("^") + 1, tidy)
    return candidates


def _regular_line(record_type: str, count: int, *, tidy: bool) -> str:
    """A regex matching a line that begins with ``record_type``'s field 1, has
    ``count`` fields and holds no byte of :data:`_CONTROL`; with ``tidy``, also no
    field that begins or ends with :data:`PADDING`."""
    field = rf"[^\^{_CONTROL_CLASS}]*"
    if tidy:
        # Empty, or one unpadded character, or unpadded at both ends: the same
        # cost per byte as the plain form (one automaton either way).
        edge = rf"[^\^{_CONTROL_CLASS}{_PADDING_CLASS}]"
        field = rf"(?:{edge}(?:{field}{edge})?)?"
    return rf"^{record_type}\^(?:{field}\^){{{count - 2}}}{field}$"


#: :data:`PADDING` as the body of a regex class.
_PADDING_CLASS = "".join(f"\\x{{{ord(c):04x}}}" for c in PADDING)


def _regular_files(candidates: Mapping[Path, _Candidate]) -> dict[Path, _SingleTypeFile]:
    """The candidates whose every line is like their first: its record type, its field
    count and no control byte, tested by one regex per line in one pass.

    The usual statewide file; it needs none of :func:`_line_check`'s per-line counts,
    which cost twice as much. When the first line has no padded field, the pass
    also asks that no field be padded (the usual file again: it is then read
    without stripping); a file that fails it gets a second pass without that
    test, as does at once a file whose first line is padded (one pass, as for a
    file padded throughout). Any file failing both goes on to :func:`_line_check`.
    """
    tidy = _matching_every_line({p: c for p, c in candidates.items() if c.first_tidy}, tidy=True)
    rest = {p: c for p, c in candidates.items() if p not in tidy}
    padded = _matching_every_line(rest, tidy=False)
    found = {**tidy, **padded}
    return {p: found[p] for p in candidates if p in found}


def _matching_every_line(
    candidates: Mapping[Path, _Candidate], *, tidy: bool
) -> dict[Path, _SingleTypeFile]:
    """The candidates whose every line matches :func:`_regular_line` (one pass)."""
    if not candidates:
        return {}
    checks = [
        _raw_lines(p).select(
            pl.col("text")
            .str.contains(_regular_line(c.record_type, c.first_count, tidy=tidy))
            .all()
            .alias("regular"),
            pl.len().cast(pl.Int64).alias("lines"),
        )
        for p, c in candidates.items()
    ]
    rows = pl.concat(checks).collect()
    return {
        p: _SingleTypeFile(
            record_type=c.record_type,
            lines=lines,
            native=True,
            usual_count=c.first_count,
            bad_counts=pl.DataFrame(schema=_BAD_COUNTS_SCHEMA),
            spoiled=pl.DataFrame(schema=_SPOILED_SCHEMA),
            tidy=tidy,
        )
        for (p, c), (regular, lines) in zip(candidates.items(), rows.iter_rows(), strict=True)
        if regular
    }


def _line_check(path: Path, i: int, record_type: str) -> pl.LazyFrame:
    """One row (``_file`` = ``i``) saying whether every line of ``path`` begins with
    ``record_type`` and counting its lines and fields, in one pass over the text.

    ``ok``; ``lines``; ``least``/``most`` fields on a line; ``shifted``: lines whose
    first N columns are not their layout fields; ``bad_lines``/``bad_n``: lines
    whose field count the layout does not allow, and those counts;
    ``spoiled_lines``: lines holding a control byte (their counts not taken).
    """
    head = f"{record_type}^"
    layout = LAYOUTS[record_type.removesuffix("-R")]
    n_layout = len(layout.fields)
    spoiled = pl.col("_spoiled")
    # Field counts of the lines that are not spoiled (a spoiled line is not split).
    n_line = pl.col("_n_line").filter(~spoiled)
    fields = _layout_fields(n_line, pl.lit(head.endswith("-R^")), layout)
    bad = fields.is_null()
    return (
        _raw_lines(path)
        # Per line first, then aggregated: far faster than aggregating
        # the per-line expressions directly.
        .select(
            "source_line",
            pl.col("text").str.starts_with(head).alias("_ok"),
            (pl.col("text").str.count_matches("^", literal=True).cast(pl.Int64) + 1).alias(
                "_n_line"
            ),
            _has_control(pl.col("text")).alias("_spoiled"),
        )
        .select(
            pl.lit(i).alias("_file"),
            # A spoiled line is rejected whatever it begins with.
            (pl.col("_ok") | spoiled).all().alias("ok"),
            pl.len().cast(pl.Int64).alias("lines"),
            n_line.min().alias("least"),
            n_line.max().alias("most"),
            ((fields != n_line) & (n_line != n_layout + len(ODS_TRAILING))).sum().alias("shifted"),
            # Few lines in a usable file: collected in this same pass.
            pl.col("source_line").filter(~spoiled).filter(bad).implode().alias("bad_lines"),
            n_line.filter(bad).implode().alias("bad_n"),
            pl.col("source_line").filter(spoiled).implode().alias("spoiled_lines"),
        )
    )


def _single_type_file(path: Path, record_type: str, row: dict[str, Any]) -> _SingleTypeFile:
    """The :class:`_SingleTypeFile` of ``path`` from its :func:`_line_check` row."""
    # A file whose lines all have one count needs no list: that count is the
    # usual one, whatever it is (even one the layout does not allow). No
    # count at all: every line is spoiled, and none is split.
    uniform = row["least"] == row["most"]
    listed = {"source_line": row["bad_lines"], "_n_line": row["bad_n"]}
    spoiled_lines = pl.Series("source_line", row["spoiled_lines"], pl.Int64)
    # Described by a second read of those lines alone, and only when there
    # are any: carrying every line's text through the pass would cost memory.
    described = (
        _raw_lines(path)
        .filter(pl.col("source_line").is_in(spoiled_lines.implode()))
        .select("source_line", *_control_columns(pl.col("text")))
        .collect()
        if spoiled_lines.len()
        else pl.DataFrame(schema=_SPOILED_SCHEMA)
    )
    return _SingleTypeFile(
        record_type=record_type,
        lines=int(row["lines"]),
        native=uniform or row["shifted"] == 0,
        usual_count=(
            int(row["least"] or 0)
            if uniform
            else len(LAYOUTS[record_type.removesuffix("-R")].fields)
        ),
        bad_counts=pl.DataFrame({} if uniform else listed, schema=_BAD_COUNTS_SCHEMA),
        spoiled=described.cast(pl.Schema(_SPOILED_SCHEMA)),
    )


# ---------------------------------------------------------------------------------
# Canonical tables (Parquet, CSV, frames)
# ---------------------------------------------------------------------------------
def _norm(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _table_of(columns: Iterable[str]) -> str | None:
    """Which canonical table a set of column names belongs to."""
    cols = {_norm(c) for c in columns}
    markers = {
        "senr": "enrollmentstartdate",
        "sinf": "effectivestartdate",
        "sprg": "educationprogramcode",
        "sela": "englishacquisitionstatuscode",
    }
    for table, marker in markers.items():
        if marker in cols or (table == "senr" and "enrollmentschoolstartdate" in cols):
            return table
    return None


def _as_lazy(frame: FrameLike) -> pl.LazyFrame:
    if isinstance(frame, pl.LazyFrame):
        return frame
    if isinstance(frame, pl.DataFrame):
        return frame.lazy()
    converted = pl.from_arrow(frame)
    if isinstance(converted, pl.Series):
        raise TypeError("an Arrow array is not a table")
    return converted.lazy()


#: Canonical column (normalised name) -> another name callers' tables use for it.
_ALIASES: dict[str, str] = {
    "enrollmentstartdate": "enrollmentschoolstartdate",
    "enrollmentexitdate": "enrollmentschoolexitdate",
}


def canonicalize(frame: FrameLike, table: str, *, source: str, strip: bool = True) -> pl.LazyFrame:
    """Bring a caller's table to the canonical schema of ``table``.

    Columns are matched by name ignoring case and punctuation, so both
    ``enrollment_start_date`` and ``EnrollmentSchoolStartDate`` work; missing
    columns become null; codes become strings, dates become ``pl.Date`` (from
    ``CCYYMMDD`` or ISO text). Without provenance columns, ``source_file`` is
    ``source`` and ``source_line`` the 1-based row number. The result carries the
    problem columns: a text date that is no date rejects the record (FRMT0002).
    ``strip`` False leaves text fields as given (see :attr:`Extracts.padded`);
    text dates are stripped whatever it says, to be parsed.
    """
    layout = LAYOUTS[table.upper()]
    lf = _as_lazy(frame)
    present = {_norm(c): c for c in lf.collect_schema().names()}
    if "source_line" not in lf.collect_schema().names():
        lf = lf.with_row_index("source_line", offset=1)
    schema = lf.collect_schema()
    exprs: list[pl.Expr] = []
    bad_dates: list[pl.Expr] = []
    for col, dtype in canonical_schema(layout).items():
        if col == "source_file":
            exprs.append(
                (
                    pl.col(present["sourcefile"]).cast(pl.String)
                    if "sourcefile" in present
                    else pl.lit(source)
                )
                .cast(pl.Categorical)
                .alias(col)
            )
        elif col == "source_line":
            exprs.append(pl.col("source_line").cast(pl.Int64))
        else:
            expr, bad_date = _canonical_column(layout, col, dtype, present, schema, strip=strip)
            exprs.append(expr)
            if bad_date is not None:
                bad_dates.append(bad_date)
    if not bad_dates:  # every date typed already: nothing can be rejected
        return _with_no_problem(lf.select(exprs))
    return lf.select(*exprs, *_text_date_rejection(bad_dates))


def _canonical_column(
    layout: Layout,
    col: str,
    dtype: pl.DataType,
    present: Mapping[str, str],
    schema: pl.Schema,
    *,
    strip: bool,
) -> tuple[pl.Expr, pl.Expr | None]:
    """Canonical column ``col`` from the caller's column of that name (:func:`_norm`), its
    CALPADS name or an alias; null when there is none. For a date given as text, also
    its CALPADS name where the text is no date (else null)."""
    f = layout.field(col)
    src = (
        present.get(_norm(col))
        or present.get(_norm(f.calpads))
        or present.get(_ALIASES.get(_norm(col), ""))
    )
    if src is None:
        return pl.lit(None, dtype).alias(col), None
    if dtype == pl.Date() and schema[src] == pl.Date():
        return pl.col(src).alias(col), None  # already typed (our own Parquet)
    if dtype == pl.Date():
        text = pl.col(src).cast(pl.String).str.strip_chars(PADDING)
        parsed = date_from_text(text)
        bad = pl.when((text.str.len_bytes() > 0) & parsed.is_null()).then(pl.lit(f.calpads))
        return parsed.alias(col), bad
    text = pl.col(src).cast(pl.String)
    return (text.str.strip_chars(PADDING) if strip else text).alias(col), None


def _text_date_rejection(bad_dates: list[pl.Expr]) -> tuple[pl.Expr, pl.Expr]:
    """``_problem`` and ``_message``: a date given as text that is not a date rejects the
    record (FRMT0002), as in caret text."""
    names = pl.concat_str(bad_dates, separator=", ", ignore_nulls=True)
    bad = names.str.len_bytes() > 0
    return (
        pl.when(bad).then(pl.lit("FRMT0002")).alias("_problem"),
        pl.when(bad)
        .then(
            fmt(
                "date not in CCYYMMDD or YYYY-MM-DD form or not a calendar date: {}; "
                "record not used",
                names,
            )
        )
        .alias("_message"),
    )


def has_text_dates(frame: pl.LazyFrame, table: str) -> bool:
    """Whether any date column of a caller's ``table`` holds text (so may be rejected)."""
    schema = frame.collect_schema()
    dates = {
        _norm(name)
        for f in LAYOUTS[table.upper()].fields
        if f.kind == "date"
        for name in (f.column, f.calpads)
    } | set(_ALIASES.values())
    return any(_norm(c) in dates and dtype != pl.Date() for c, dtype in schema.items())


def _read_canonical_file(path: Path, kind: str) -> tuple[str, pl.LazyFrame, bool]:
    """Table name, canonical frame, and whether its dates are typed already.

    :func:`_sniff` has made sure the columns are a canonical table's.
    """
    # A canonical CSV is read with every column as text, so codes keep their zeros.
    lf = pl.scan_parquet(path) if kind == "parquet" else pl.scan_csv(path, infer_schema=False)
    table = _table_of(lf.collect_schema().names())
    if table is None:
        raise ExtractError(
            f"{path}: line 1: columns do not match any canonical table (SENR, SINF, SPRG, SELA)"
        )
    typed = not has_text_dates(lf, table)
    # Typed tables are read in place: their text is stripped where it is read
    # (Extracts.padded), unless a caller shows it needs none.
    return table, canonicalize(lf, table, source=str(path), strip=not typed), typed


#: A file's or folder's identity: the same one reached by two paths has one.
_Identity: TypeAlias = tuple[int, int]


def _identity(st: os.stat_result) -> _Identity:
    return (st.st_dev, st.st_ino)


@dataclass
class _Found:
    """What :func:`_expand` found: ``(file, named)`` pairs (``named`` False for files
    found inside a folder), links that lead nowhere (EXTR0007) and folders that
    cannot be listed (EXTR0005), each with the error."""

    files: list[tuple[Path, bool]] = field(default_factory=list)
    dead_links: list[Path] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)


def _walk(root: Path, walked: set[_Identity], found: _Found) -> list[tuple[Path, _Identity]]:
    """Regular files under ``root``, sorted, following links to folders without looping.

    A folder is listed once however many links lead to it (``walked``), so each
    real file is reached once through folders. A link that leads nowhere (broken,
    or a loop of links) or back to a folder it sits in is recorded in ``found``,
    not followed. Hidden entries (``.name``: editors' lock links, caches) are not
    inputs.
    """
    files: list[tuple[Path, _Identity]] = []
    # Depth first in name order, so the first path to reach a folder is the least.
    stack: list[tuple[Path, frozenset[_Identity]]] = [(root, frozenset())]
    while stack:
        folder, above = stack.pop()
        key = _identity(folder.stat())
        if key in walked:
            continue
        walked.add(key)
        chain = above | {key}
        try:
            entries = sorted(folder.iterdir())
        except OSError as exc:
            found.unreadable[str(folder)] = exc.strerror or type(exc).__name__
            continue
        below: list[tuple[Path, frozenset[_Identity]]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                st = entry.stat()  # follows links
            except OSError:  # a broken link, or a loop of links (ELOOP)
                if entry.is_symlink():
                    found.dead_links.append(entry)
                continue
            if stat.S_ISDIR(st.st_mode):
                loops = entry.is_symlink() and (
                    _identity(st) in chain or folder.resolve().is_relative_to(entry.resolve())
                )
                if loops:
                    found.dead_links.append(entry)
                else:
                    below.append((entry, chain))
            elif stat.S_ISREG(st.st_mode):
                files.append((entry, _identity(st)))
        stack.extend(reversed(below))
    return sorted(files)


def _expand(paths: Iterable[str | Path]) -> _Found:
    """Files named, plus every regular file inside the folders named.

    Files of one folder are sorted by path; each real file is read once even if
    reached twice (a link to a file or a folder, a folder named twice, a file
    named and inside a folder named), under its first path, and counts as named
    if it was named once. Links that lead nowhere are listed (EXTR0007).
    """
    found = _Found()
    walked: set[_Identity] = set()
    seen: dict[_Identity, int] = {}
    for p in map(Path, paths):
        if p.is_dir():
            reached = [(f, key, False) for f, key in _walk(p, walked, found)]
        elif p.is_file():
            reached = [(p, _identity(p.stat()), True)]
        else:
            raise ExtractError(f"{p}: no such file or folder")
        for f, key, named in reached:
            if key in seen:
                i = seen[key]
                found.files[i] = (found.files[i][0], found.files[i][1] or named)
            else:
                seen[key] = len(found.files)
                found.files.append((f, named))
    found.dead_links.sort()
    return found


def _file_findings(files: Mapping[str, str], rule: str) -> pl.LazyFrame:
    """One warning per file (line 0); ``files`` maps each file to its message."""
    n = len(files)
    return pl.LazyFrame(
        {
            "rule": [rule] * n,
            "severity": ["warning"] * n,
            "file": list(files),
            "line": [0] * n,
            "record_type": [""] * n,
            "ssid": [None] * n,
            "cds_code": [None] * n,
            "message": list(files.values()),
        },
        schema=FINDINGS_SCHEMA,
    )


def read_inputs(inputs: Any, *, with_pii: bool = False, line_store: Path | None = None) -> Extracts:
    """Read any supported input form into :class:`Extracts` (see module docstring).

    ``inputs`` is an :class:`Extracts`, a mapping ``{"senr": frame, ...}``, or one
    or more paths to files or folders (caret extracts, Parquet or CSV tables).
    ``line_store``: see :func:`read_caret` (reads the caret text once, now).
    """
    if isinstance(inputs, Extracts):
        return inputs
    if isinstance(inputs, Mapping):
        return _from_frames(inputs)
    paths = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    expanded = _expand(paths)
    if not expanded.files:
        dead = f" ({len(expanded.dead_links)} link(s) lead nowhere)" if expanded.dead_links else ""
        raise ExtractError(f"{', '.join(map(str, paths))}: no input files found{dead}")
    files = _sort_files(expanded.files)
    ex = read_caret(files.caret, with_pii=with_pii, line_store=line_store)
    _add_canonical(ex, files.canonical)
    if len(files.empty) + len(files.skipped) == len(expanded.files):
        if files.empty:
            raise ExtractError(f"{files.empty[0]}: line 1: the file is empty (no records to read)")
        raise ExtractError(f"{next(iter(files.skipped.values()))} (no file to read)")
    ex.other_findings = concat_findings([ex.other_findings, *_file_notes(files, expanded)])
    ex.sources = [str(f) for f, _ in expanded.files if str(f) not in files.skipped]
    ex.columnar = files.kinds <= {"parquet", "empty"}
    ex.padded = frozenset(files.padded)
    return ex


def _from_frames(inputs: Mapping[str, FrameLike]) -> Extracts:
    """:class:`Extracts` over a caller's tables ``{"senr": frame, ...}`` (missing ones empty)."""
    unknown = set(inputs) - set(TABLES)
    if unknown:
        raise ValueError(f"unknown tables {sorted(unknown)}; expected {TABLES}")
    dates_typed = {t: not has_text_dates(_as_lazy(inputs[t]), t) for t in TABLES if t in inputs}
    tables = {
        t: canonicalize(inputs[t], t, source=f"<{t}>", strip=not ok)
        for t, ok in dates_typed.items()
    }
    # A caller's LazyFrame may be costly to evaluate (a database scan), and text
    # dates may be rejected: both are staged once.
    in_memory = not any(isinstance(f, pl.LazyFrame) for f in inputs.values())
    return Extracts.from_tables(
        tables,
        columnar=in_memory and all(dates_typed.values()),
        padded=frozenset(t for t, ok in dates_typed.items() if ok),
    )


@dataclass
class _Sorted:
    """The files found, by what :func:`_sniff` says each is."""

    caret: list[Path] = field(default_factory=list)
    #: Table -> its canonical files (Parquet or CSV), each with its frame.
    canonical: dict[str, list[tuple[Path, pl.LazyFrame]]] = field(
        default_factory=lambda: {t: [] for t in TABLES}
    )
    empty: list[str] = field(default_factory=list)
    #: Files in a folder that are no extract (EXTR0005), with why.
    skipped: dict[str, _UnusableFileError] = field(default_factory=dict)
    #: Kinds of the files read (``text dates`` for a canonical table with text dates).
    kinds: set[str] = field(default_factory=set)
    #: Tables read from typed files, their text not yet stripped (:attr:`Extracts.padded`).
    padded: set[str] = field(default_factory=set)


def _sort_files(found: Sequence[tuple[Path, bool]]) -> _Sorted:
    """Sort the ``(file, named)`` pairs by kind.

    Raises:
        ExtractError: a file named (not found in a folder) is empty or no extract.
    """
    files = _Sorted()
    for f, named in found:
        try:
            kind = _sniff(f)
        except _UnusableFileError as exc:
            if named:  # a file the user named must be readable
                raise
            # A folder may also hold a schools file, a README, a spreadsheet:
            # skipped, and said what it seems to be, rather than ending the run.
            files.skipped[str(f)] = exc
            continue
        files.kinds.add(kind)
        if kind == "empty" and named:
            # A file the user named must give records; in a folder it is only noted.
            raise ExtractError(f"{f}: line 1: the file is empty (no records to read)")
        if kind == "empty":
            files.empty.append(str(f))
        elif kind == "caret":
            files.caret.append(f)
        else:
            table, lf, typed = _read_canonical_file(f, kind)
            files.canonical[table].append((f, lf))
            if typed:
                files.padded.add(table)
            else:
                files.kinds.add("text dates")
    return files


def _add_canonical(ex: Extracts, canonical: Mapping[str, list[tuple[Path, pl.LazyFrame]]]) -> None:
    """Append the canonical tables' rows to ``ex`` and count them per file."""
    counts = [ex.line_counts]
    for t in TABLES:
        if canonical[t]:
            ex.raw[t] = pl.concat(
                [ex.raw[t], *(_with_no_problem(lf) for _, lf in canonical[t])], how="vertical"
            )
            # Counted per input file: a Parquet file's row count is in its
            # metadata, where grouping by the rows' own source_file reads them all.
            counts.extend(
                lf.select(
                    pl.lit(str(f)).cast(pl.Categorical).alias("source_file"),
                    pl.len().cast(pl.Int64).alias("lines"),
                )
                for f, lf in canonical[t]
            )
    ex.line_counts = pl.concat(counts, how="vertical")


def _file_notes(files: _Sorted, expanded: _Found) -> list[pl.LazyFrame]:
    """Findings of the inputs not read: empty files (EXTR0003), files that are no extract
    and folders that cannot be listed (EXTR0005), links that lead nowhere (EXTR0007)."""
    notes = []
    if files.empty:
        notes.append(
            _file_findings(
                dict.fromkeys(files.empty, "file is empty; nothing read from it"), "EXTR0003"
            )
        )
    if files.skipped:
        notes.append(_file_findings({f: e.reason for f, e in files.skipped.items()}, "EXTR0005"))
    if expanded.unreadable:
        notes.append(
            _file_findings(
                {
                    f: f"folder in the input folder cannot be read ({why}); skipped"
                    for f, why in expanded.unreadable.items()
                },
                "EXTR0005",
            )
        )
    if expanded.dead_links:
        notes.append(
            _file_findings(
                dict.fromkeys(
                    map(str, expanded.dead_links),
                    "link leads nowhere (broken, or a loop); skipped",
                ),
                "EXTR0007",
            )
        )
    return notes


__all__ = [
    "FINDINGS_SCHEMA",
    "PADDING",
    "PROBLEM_COLUMNS",
    "PROVENANCE",
    "REJECTING_RULES",
    "TABLES",
    "Engine",
    "ExtractError",
    "Extracts",
    "FrameLike",
    "canonical_schema",
    "canonicalize",
    "empty_table",
    "has_text_dates",
    "read_caret",
    "read_inputs",
    "strip_padding",
]
