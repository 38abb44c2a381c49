"""Reconcile a run's students with a CALPADS Report 15.2 export, student by student.

Ours is the student list of a run folder (:mod:`acgr.publish.student_list`, from
``students.parquet``); theirs is a 15.2 export saved as CSV (header on the first line) or
XLSX (the first sheet; the header is the first row naming the SSID column). Their column
headers are matched to ours ignoring case, spaces, underscores and punctuation
(:data:`HEADERS`); a mapping file (:func:`read_mapping`) names any other header and any
other spelling of a cohort category. Nothing is guessed: a needed column (SSID,
CohortCategory) that is not found, a category or Yes/No value that is not understood, is a
:class:`ReconcileInputError` naming it; optional columns that are absent are not compared,
and every column of theirs that is not used is listed.

Each difference is one row of :meth:`StudentReconciliation.listing` of a kind (:data:`KINDS`):

* ``only_ours`` / ``only_theirs``: the student is in one list only;
* ``category``: the CohortCategory differs; ``school``: the school code differs;
* ``group``: a Yes/No group column differs (``field`` names it);
* ``ambiguous``: their list has the SSID on several different rows (not compared).

Every row carries our reason (rule) and deciding record (file:line), which explain our side.
"""

from __future__ import annotations

import re
import textwrap
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from acgr.errors import AcgrError
from acgr.pipeline import STUDENT_COLUMNS
from acgr.publish.student_list import GROUP_COLUMNS, student_list
from acgr.rules.ruleset import RuleSet

#: Our column -> the headers of theirs it matches (compared after :func:`normalise_header`).
HEADERS: dict[str, tuple[str, ...]] = {
    "SSID": ("ssid", "statestudentid"),
    "CohortCategory": ("cohortcategory",),
    "SchoolCode": ("schoolcode",),
    "SchoolName": ("schoolname",),
    "EthnicityRace": ("ethnicityrace",),
    "EnglishLearner": ("englishlearner",),
    "StudentswithDisabilities": ("studentswithdisabilities", "studentwithdisabilities"),
    "SocioEconomicallyDisadvantaged": ("socioeconomicallydisadvantaged",),
    "Migrant": ("migrant", "title1partcmigrant"),
    "FosterYouth": ("fosteryouth", "foster"),
    "Homeless": ("homeless", "homelessprogrameligible"),
}

#: Columns without which there is nothing to reconcile.
NEEDED: tuple[str, ...] = ("SSID", "CohortCategory")

#: Columns recognised but not compared: names are spelled differently from one source to
#: another, and race is compared through no rule of ours (it is listed, not reconciled).
NOT_COMPARED: tuple[str, ...] = ("SchoolName", "EthnicityRace")

#: Values of the ``kind`` column, in listing order.
KINDS: tuple[str, ...] = ("only_ours", "only_theirs", "category", "school", "group", "ambiguous")

_KIND_TEXT: dict[str, str] = {
    "only_ours": "in our cohort list, not in theirs",
    "only_theirs": "in theirs, not in our list",
    "category": "CohortCategory differs",
    "school": "SchoolCode differs",
    "group": "a Yes/No group column differs (one row per column)",
    "ambiguous": "on several different rows of theirs (not compared)",
}

#: Columns of the listing.
LISTING_COLUMNS: tuple[str, ...] = (
    "kind",
    "ssid",
    "field",
    "ours",
    "theirs",
    "our_rule",
    "our_record",
)

#: Their Yes/No spellings (compared in lower case); an empty cell stays empty.
_YES = ("yes", "y", "true", "1")
_NO = ("no", "n", "false", "0")


class ReconcileInputError(AcgrError, ValueError):
    """A 15.2 file or mapping file that cannot be reconciled (one line, no student data)."""


def normalise_header(text: str) -> str:
    """A header as compared: lower case, letters and digits (``School_Code``, ``schoolcode``)."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


# ---------------------------------------------------------------------------------
# The mapping file
# ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mapping:
    """What a mapping file adds: headers for our columns, spellings of categories."""

    #: Our column -> their header, as written in their file.
    columns: dict[str, str] = field(default_factory=dict)
    #: Their category value -> our CohortCategory word.
    categories: dict[str, str] = field(default_factory=dict)


def read_mapping(path: Path | None, rules: RuleSet) -> Mapping:
    """Read a mapping file (TOML): ``[columns]`` our column = their header, and
    ``[categories]`` their value = our CohortCategory word.

    Raises:
        ReconcileInputError: bad TOML, an unknown table or column, or a word that is
            not one of the rule set's categories.
    """
    if path is None:
        return Mapping()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ReconcileInputError(f"--mapping {path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"columns", "categories"})
    if unknown:
        raise ReconcileInputError(
            f"--mapping {path}: unknown table {', '.join(unknown)} (known: columns, categories)"
        )
    columns = {str(k): str(v) for k, v in data.get("columns", {}).items()}
    bad = sorted(set(columns) - set(HEADERS))
    if bad:
        raise ReconcileInputError(
            f"--mapping {path}: [columns] names {', '.join(bad)}, not ours "
            f"(ours: {', '.join(HEADERS)})"
        )
    categories = {str(k): str(v) for k, v in data.get("categories", {}).items()}
    words = set(rules.student_list.categories.values())
    wrong = sorted({v for v in categories.values() if v not in words})
    if wrong:
        raise ReconcileInputError(
            f"--mapping {path}: [categories] maps to {', '.join(wrong)}, not a category "
            f"(categories: {', '.join(sorted(words))})"
        )
    return Mapping(columns, categories)


# ---------------------------------------------------------------------------------
# Their file
# ---------------------------------------------------------------------------------
def read_fifteen_two(path: Path, ssid_header: str | None = None) -> pl.DataFrame:
    """Every cell of a 15.2 export as text, with its header row as column names.

    CSV: UTF-8 (a byte-order mark is dropped), header on the first line. XLSX: the first
    sheet; the header is the first of its first 20 rows with a cell naming the SSID
    (:data:`HEADERS`, or ``ssid_header`` from a mapping), so title rows above it are skipped.

    Raises:
        ReconcileInputError: an old-style ``.xls`` workbook (openpyxl reads ``.xlsx`` only).
    """
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ReconcileInputError(f"{path}: an .xls workbook; save it as .xlsx or .csv")
    if suffix in (".xlsx", ".xlsm"):
        ssid = {*HEADERS["SSID"], *([normalise_header(ssid_header)] if ssid_header else [])}
        return _read_xlsx(path, ssid)
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    return frame.rename({c: c.removeprefix("\ufeff") for c in frame.columns})


def _cell_text(value: Any) -> str | None:
    # Excel stores an SSID typed as a number as a float; 2018000001.0 is the same SSID.
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, ssid: set[str]) -> pl.DataFrame:
    import openpyxl  # type: ignore[import-untyped]

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [
            [_cell_text(v) for v in row] for row in wb.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        wb.close()
    start = next(
        (i for i, r in enumerate(rows[:20]) if any(normalise_header(c or "") in ssid for c in r)),
        0,
    )
    if not rows:
        raise ReconcileInputError(f"{path}: the first sheet is empty")
    # Blank and repeated headers are named by place, so every column keeps one name.
    header: list[str] = []
    for i, c in enumerate(rows[start]):
        header.append(f"(column {i + 1})" if not c or c in header else c)
    width = len(header)
    body = [(r + [None] * width)[:width] for r in rows[start + 1 :]]
    return pl.DataFrame(body, schema=dict.fromkeys(header, pl.String), orient="row")


@dataclass(frozen=True)
class Matched:
    """Which of their headers gives each of our columns, and which of theirs is unused."""

    #: Our column -> their header.
    columns: dict[str, str]
    #: Our optional columns their file lacks (not compared).
    absent: tuple[str, ...]
    #: Their headers that give none of our columns (listed, not compared).
    unrecognised: tuple[str, ...]


def match_headers(headers: list[str], mapping: Mapping, source: str) -> Matched:
    """Match their ``headers`` to our columns (mapping first, then :data:`HEADERS`).

    Raises:
        ReconcileInputError: a mapped header their file lacks, two headers that match one
            column, or a needed column (:data:`NEEDED`) not found.
    """
    by_norm: dict[str, list[str]] = {}
    for h in headers:
        by_norm.setdefault(normalise_header(h), []).append(h)
    found: dict[str, str] = {}
    for ours, theirs in mapping.columns.items():
        hits = by_norm.get(normalise_header(theirs), [])
        if not hits:
            raise ReconcileInputError(f"{source}: no column {theirs!r} (mapped to {ours})")
        found[ours] = hits[0]
    for ours, spellings in HEADERS.items():
        if ours in found:
            continue
        hits = [h for s in spellings for h in by_norm.get(s, [])]
        if len(hits) > 1:
            raise ReconcileInputError(
                f"{source}: columns {', '.join(map(repr, hits))} all look like {ours}; "
                "name the one to use in a --mapping file"
            )
        if hits:
            found[ours] = hits[0]
    missing = [c for c in NEEDED if c not in found]
    if missing:
        raise ReconcileInputError(
            f"{source}: no column for {', '.join(missing)} (headers: {', '.join(headers)}); "
            'name it in a --mapping file, e.g. [columns] CohortCategory = "Outcome"'
        )
    used = set(found.values())
    return Matched(
        columns=found,
        absent=tuple(c for c in HEADERS if c not in found and c not in NOT_COMPARED),
        unrecognised=tuple(h for h in headers if h not in used),
    )


def _school_code(col: str) -> pl.Expr:
    """A school code as ours: digits only, the last seven of a CDS code, zeros restored."""
    digits = pl.col(col).str.replace_all(r"[^0-9]", "")
    return (
        pl.when(digits.str.len_chars() > 0).then(digits.str.slice(-7).str.zfill(7)).otherwise(None)
    )


def _flag(col: str) -> pl.Expr:
    v = pl.col(col).str.strip_chars().str.to_lowercase()
    return (
        pl.when(v.is_in(_YES))
        .then(pl.lit("Yes"))
        .when(v.is_in(_NO))
        .then(pl.lit("No"))
        .when(v.fill_null("") == "")
        .then(None)
        .otherwise(pl.lit("?"))
    )


def _category(col: str, mapping: Mapping, rules: RuleSet) -> pl.Expr:
    """Their category as our word: the mapping's spelling, else ours ignoring case and spaces."""
    words = {normalise_header(w): w for w in rules.student_list.categories.values()}
    words |= {normalise_header(k): v for k, v in mapping.categories.items()}
    key = pl.col(col).fill_null("").str.to_lowercase().str.replace_all(r"[^0-9a-z]", "")
    return key.replace_strict(words, default=None, return_dtype=pl.String)


def theirs_table(raw: pl.DataFrame, matched: Matched, mapping: Mapping, rules: RuleSet,
                 source: str) -> pl.DataFrame:  # fmt: skip
    """Their rows in our columns (SSID, CohortCategory, SchoolCode, the group columns found).

    Raises:
        ReconcileInputError: a category or Yes/No value that is not understood (named,
            with how many rows have it; never an SSID).
    """
    cols = matched.columns
    groups = [c for c in GROUP_COLUMNS.values() if c in cols]
    frame = raw.select(
        pl.col(cols["SSID"]).str.strip_chars().alias("SSID"),
        pl.col(cols["CohortCategory"]).str.strip_chars().alias("_given"),
        _category(cols["CohortCategory"], mapping, rules).alias("CohortCategory"),
        *([_school_code(cols["SchoolCode"]).alias("SchoolCode")] if "SchoolCode" in cols else []),
        *(_flag(cols[g]).alias(g) for g in groups),
    ).filter(pl.col("SSID").fill_null("") != "")
    unknown = frame.filter(pl.col("CohortCategory").is_null())["_given"].unique().sort()
    if unknown.len():
        raise ReconcileInputError(
            f"{source}: CohortCategory value(s) {', '.join(map(repr, unknown.fill_null('')))} "
            "are no category of ours; map each in a --mapping file ([categories])"
        )
    for g in groups:
        bad = frame.filter(pl.col(g) == "?").height
        if bad:
            raise ReconcileInputError(
                f"{source}: column {cols[g]!r} holds a value other than Yes/No/Y/N on "
                f"{bad:,} row(s)"
            )
    return frame.drop("_given")


# ---------------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------------
@dataclass
class StudentReconciliation:
    """The differences, and what was compared."""

    #: :data:`LISTING_COLUMNS` rows, in :data:`KINDS` order then SSID then field.
    differences: pl.DataFrame
    matched: Matched
    students_ours: int
    students_theirs: int
    students_in_both: int
    #: Columns compared (ours and theirs).
    compared: tuple[str, ...]
    #: Group columns of theirs that our run did not measure (not compared).
    unmeasured: tuple[str, ...] = ()

    @property
    def agrees(self) -> bool:
        """True when no student differs and none is in one list only or ambiguous."""
        return self.differences.height == 0

    def counts(self) -> dict[str, int]:
        """Differences per kind (every kind, zeros included)."""
        got = dict(self.differences.group_by("kind").len().iter_rows())
        return {k: int(got.get(k, 0)) for k in KINDS}

    def counts_by_field(self) -> pl.DataFrame:
        """``kind``, ``field``, ``n`` for the kinds that name a field."""
        return (
            self.differences.filter(pl.col("field") != "")
            .group_by("kind", "field")
            .len("n")
            .sort("kind", "field")
        )

    def listing(self) -> pl.DataFrame:
        """Every difference (:data:`LISTING_COLUMNS`)."""
        return self.differences

    def summary_lines(self, theirs: Path | str) -> list[str]:
        """What was matched and the counts per kind (no SSID: safe for a terminal or log)."""
        m = self.matched
        lines = [
            f"ours: {self.students_ours:,} students; theirs ({theirs}): "
            f"{self.students_theirs:,} students; in both: {self.students_in_both:,}",
            "columns matched: " + ", ".join(f"{o} = {t!r}" for o, t in m.columns.items()),
            f"compared: {', '.join(self.compared)}",
        ]
        if m.absent:
            lines.append(f"not in their file (not compared): {', '.join(m.absent)}")
        if self.unmeasured:
            lines.append(f"not measured by our run (not compared): {', '.join(self.unmeasured)}")
        if m.unrecognised:
            lines.append(
                f"their columns not recognised (not compared): {', '.join(m.unrecognised)}"
            )
        by_field = self.counts_by_field()
        lines.append("differences:" if not self.agrees else "no difference")
        for kind, n in self.counts().items():
            lines.append(f"  {kind:<12} {n:>8,}  {_KIND_TEXT[kind]}")
            for _kind, fld, k in by_field.filter(pl.col("kind") == kind).iter_rows():
                if kind == "group":
                    lines.append(f"    {fld:<34} {k:>8,}")
        # Header lists can be long: wrapped at spaces to fit 100 columns, never mid-word.
        return [
            textwrap.fill(line, 100, subsequent_indent="    ", break_long_words=False,
                          break_on_hyphens=False)
            for line in lines
        ]  # fmt: skip


def _ours(run_dir: Path, rules: RuleSet) -> pl.DataFrame:
    path = run_dir / "students.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no students.parquet (give the folder of `acgr run`)")
    scan = pl.scan_parquet(path)
    missing = [c for c in STUDENT_COLUMNS if c not in scan.collect_schema().names()]
    if missing:
        raise ReconcileInputError(
            f"{path}: not a students.parquet of this acgr (missing {', '.join(missing)}); "
            "run `acgr run` again"
        )
    listed = student_list(scan, rules).collect()
    return listed.with_columns(
        pl.concat_str("RecordFile", pl.lit(":"), pl.col("RecordLine").cast(pl.String))
        .fill_null("")
        .alias("our_record"),
        pl.col("Reason").fill_null("").alias("our_rule"),
    )


def _rows(frame: pl.DataFrame, kind: str, fld: str, ours: pl.Expr, theirs: pl.Expr) -> pl.DataFrame:
    return frame.select(
        pl.lit(kind).alias("kind"),
        pl.col("SSID").alias("ssid"),
        pl.lit(fld).alias("field"),
        ours.cast(pl.String).fill_null("").alias("ours"),
        theirs.cast(pl.String).fill_null("").alias("theirs"),
        *(
            (pl.col(c).fill_null("") if c in frame.columns else pl.lit("")).alias(c)
            for c in ("our_rule", "our_record")
        ),
    )


def _field_differences(both: pl.DataFrame, compared: list[str]) -> list[pl.DataFrame]:
    """One row per student and compared column whose values differ."""
    kind = {"CohortCategory": "category", "SchoolCode": "school"}
    out = []
    for col in compared:
        differs = both.filter(pl.col(col).ne_missing(pl.col(f"{col}_theirs")))
        out.append(
            _rows(differs, kind.get(col, "group"), col, pl.col(col), pl.col(f"{col}_theirs"))
        )
    return out


def _listing(parts: list[pl.DataFrame]) -> pl.DataFrame:
    rank = {k: i for i, k in enumerate(KINDS)}
    schema = dict.fromkeys(LISTING_COLUMNS, pl.String)
    frames = [p.select(LISTING_COLUMNS) for p in parts if p.height]
    stacked = pl.concat(frames) if frames else pl.DataFrame(schema=schema)
    return stacked.sort(pl.col("kind").replace_strict(rank, return_dtype=pl.Int8), "ssid", "field")


def reconcile_students(
    run_dir: Path, fifteen_two: Path, rules: RuleSet, mapping_file: Path | None = None
) -> StudentReconciliation:
    """Compare the students of ``run_dir`` with a 15.2 export (see the module docstring).

    Raises:
        ReconcileInputError: their file or the mapping cannot be reconciled.
        FileNotFoundError: ``run_dir`` has no students.parquet.
    """
    mapping = read_mapping(mapping_file, rules)
    raw = read_fifteen_two(fifteen_two, mapping.columns.get("SSID"))
    matched = match_headers(raw.columns, mapping, str(fifteen_two))
    theirs = theirs_table(raw, matched, mapping, rules, str(fifteen_two)).unique()
    ours = _ours(run_dir, rules)
    per_ssid = theirs.group_by("SSID").len("_n")
    ambiguous = per_ssid.filter(pl.col("_n") > 1).select("SSID")
    single = theirs.join(ambiguous, on="SSID", how="anti")
    present = [c for c in ("CohortCategory", "SchoolCode", *GROUP_COLUMNS.values())
               if c in single.columns]  # fmt: skip
    # A group our run did not measure (ACGR0003: every flag null) is not compared.
    unmeasured = tuple(c for c in present if ours[c].null_count() == ours.height)
    compared = [c for c in present if c not in unmeasured]
    both = ours.join(single, on="SSID", how="inner", suffix="_theirs")
    category, none = pl.col("CohortCategory"), pl.lit(None)
    parts = [
        _rows(ours.join(theirs, on="SSID", how="anti"), "only_ours", "", category, none),
        _rows(single.join(ours, on="SSID", how="anti"), "only_theirs", "", none, category),
        *_field_differences(both, compared),
        _rows(
            ambiguous.join(ours, on="SSID", how="left"),
            "ambiguous",
            "",
            category,
            pl.lit("(several rows)"),
        ),
    ]
    return StudentReconciliation(
        differences=_listing(parts),
        matched=matched,
        students_ours=ours.height,
        students_theirs=per_ssid.height,
        students_in_both=both.height,
        compared=tuple(compared),
        unmeasured=unmeasured,
    )


__all__ = [
    "HEADERS",
    "KINDS",
    "LISTING_COLUMNS",
    "NEEDED",
    "NOT_COMPARED",
    "Mapping",
    "Matched",
    "ReconcileInputError",
    "StudentReconciliation",
    "match_headers",
    "normalise_header",
    "read_fifteen_two",
    "read_mapping",
    "reconcile_students",
    "theirs_table",
]
