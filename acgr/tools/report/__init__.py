"""Confidential per-LEA reports of a run: ``acgr report DIR`` (docs/formats.md).

For every LEA (county + district code) with a student in ``DIR/students.parquet``
this writes, next to each other in ``DIR/report/`` (or ``out_dir``):

* ``report_<CDS7>.html``: one self-contained page (inline CSS and SVG, no
  JavaScript, nothing fetched) with the school table, a stacked-bar chart of
  outcomes by school, a chart of each student group's rate gap to the LEA rate,
  the findings that matter most and the student list;
* ``report_<CDS7>.xlsx``: the same tables as sheets (``About``, ``Schools``,
  ``Groups``, ``Findings``, ``Impact``, ``Students``) with native Excel charts.

One workbook per LEA, not one for all, so an LEA's file never carries another
LEA's students. Both files list students: they are confidential, like
``students.parquet``, and are created readable by their owner only.

Numbers are the unsuppressed counts recomputed from ``students.parquet`` with
the same counting as ``acgr.txt`` (:func:`acgr.publish.aggregation.school_counts`, R4.2,
R6.1); ``acgr.txt`` (read with :func:`acgr.publish.acgr_file.read_cde_acgr`) gives the
names and the public, suppressed value of each row, and every count it does
publish must equal the recomputed one. Rates are rounded half up on the exact
ratio (R6.3, :mod:`acgr.publish.rates`); a group's gap is its exact rate minus the LEA's
exact rate, rounded half away from zero to a tenth of a point
(:func:`acgr.publish.rates.change_tenths`). Nothing here prints a student identifier.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import matplotlib as mpl
import openpyxl  # type: ignore[import-untyped]
import polars as pl
from markupsafe import Markup
from matplotlib.figure import Figure
from openpyxl.chart import BarChart, Reference  # type: ignore[import-untyped]
from openpyxl.chart.marker import DataPoint  # type: ignore[import-untyped]
from openpyxl.styles import Font, PatternFill  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from acgr.checks.findings import FINDINGS_SCHEMA, sort_findings
from acgr.checks.impact import IMPACT_COLUMNS, school_impact
from acgr.checks.summary import by_rule
from acgr.pipeline import STUDENT_COLUMNS
from acgr.publish.acgr_file import CATEGORY_ORDER, Measure, measures_for, read_cde_acgr
from acgr.publish.aggregation import school_counts
from acgr.publish.output import write_atomically, write_text
from acgr.publish.rates import change_tenths, rate_tenths, tenths_text
from acgr.rules.groups import categories
from acgr.rules.ruleset import Outcome, RuleSet, load_rules

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

#: Reporting category -> name, as CDE's DataQuest files name them (docs/formats.md, R5.7).
CATEGORY_LABELS: dict[str, str] = {
    "TA": "All students",
    "RB": "African American",
    "RI": "American Indian or Alaska Native",
    "RA": "Asian",
    "RF": "Filipino",
    "RH": "Hispanic or Latino",
    "RD": "Not Reported",
    "RP": "Pacific Islander",
    "RT": "Two or More Races",
    "RW": "White",
    "GM": "Male",
    "GF": "Female",
    "GX": "Non-Binary Gender",
    "GZ": "Missing Gender",
    "SE": "English Learners",
    "SD": "Students with Disabilities",
    "SS": "Socioeconomically Disadvantaged",
    "SM": "Migrant",
    "SF": "Foster",
    "SH": "Homeless",
}

#: Groups whose cohort is at most this many students are marked (CDE suppresses them).
SMALL_COHORT = 10

#: Findings shown one by one per school, with the impact table (acgr.checks.impact).
OUTCOME_SENSITIVE_RULES: tuple[str, ...] = ("ACGR0101", "ACGR0102", "ACGR0103")

#: Sheets of each workbook, in order.
SHEETS: tuple[str, ...] = ("About", "Schools", "Groups", "Findings", "Impact", "Students")

_SHORT_LABELS = {"graduates": "Graduates"}
_COLOURS = {
    "graduates": "#1b7837",
    "chspe": "#5aae61",
    "adult_ed": "#7fbfbf",
    "sped": "#a6dba0",
    "ged": "#c2a5cf",
    "other_transfer": "#9e9e9e",
    "dropout": "#d73027",
    "still_enrolled": "#f4a582",
}


@dataclass(frozen=True)
class _Outcome:
    """One outcome column of the school table: count column, label, chart colour."""

    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class _Lea:
    """Everything one LEA's page and workbook show (confidential)."""

    cds7: str
    county_name: str
    district_name: str
    class_of: int
    academic_year: str
    rules_name: str
    run_dir: str
    outcomes: tuple[_Outcome, ...]
    #: One row per school: codes, name, counts, ``*_tenths`` and ``*_rate`` columns.
    schools: pl.DataFrame
    #: The LEA total, same columns as ``schools``.
    total: dict[str, Any]
    #: Per reporting category (TA excluded): cohort, graduates, rate, gap.
    groups: pl.DataFrame
    fatal: pl.DataFrame
    sensitive: pl.DataFrame
    impact: pl.DataFrame
    other_warnings: pl.DataFrame
    students: pl.DataFrame

    @property
    def name(self) -> str:
        return self.district_name or f"LEA {self.cds7}"


# ---------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------
def _outcomes(class_of: int, rules: RuleSet) -> tuple[_Outcome, ...]:
    cohort_measures: list[Measure] = [
        m for m in measures_for(class_of, rules) if m.denominator == "cohort"
    ]
    return tuple(
        _Outcome(m.count, _SHORT_LABELS.get(m.count, m.label), _COLOURS[m.count])
        for m in cohort_measures
    )


def _read_students(path: Path) -> pl.DataFrame:
    students = pl.read_parquet(path)
    missing = [c for c in STUDENT_COLUMNS if c not in students.columns]
    if missing:
        raise ValueError(f"{path}: not a students.parquet of acgr (missing {', '.join(missing)})")
    return students.with_columns(
        pl.concat_str("county_code", "district_code").alias("cds7")
    ).filter(pl.col("cds7").is_not_null())


def _with_rates(df: pl.DataFrame, outcomes: Sequence[_Outcome]) -> pl.DataFrame:
    """Add ``<count>_tenths`` (Int64) and ``<count>_rate`` (text) over the cohort (R6.3)."""
    exprs: list[pl.Expr] = []
    for o in outcomes:
        tenths = rate_tenths(pl.col(o.key), pl.col("cohort")).fill_null(0)
        exprs += [tenths.alias(f"{o.key}_tenths"), tenths_text(tenths).alias(f"{o.key}_rate")]
    return df.with_columns(exprs)


def _public_rows(acgr: pl.DataFrame) -> pl.DataFrame:
    """School (S) and LEA (D) rows of all students from ``acgr.txt``: names and public values."""
    rate = "Regular HS Diploma Graduates (Rate)"
    grads = "Regular HS Diploma Graduates (Count)"
    return (
        acgr.filter(
            pl.col("AggregateLevel").is_in(["D", "S"])
            & (pl.col("ReportingCategory") == "TA")
            & ((pl.col("AggregateLevel") == "S") | (pl.col("CharterSchool") == "All"))
            & ((pl.col("AggregateLevel") == "S") | (pl.col("DASS") == "All"))
        )
        .group_by("AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode")
        .agg(
            pl.col("CountyName").first(),
            pl.col("DistrictName").first(),
            pl.col("SchoolName").first(),
            pl.col("suppressed").any(),
            pl.col("CohortStudents").sum(),
            pl.col(grads).sum().alias("public_graduates"),
            pl.col(rate).first().cast(pl.String).alias("public_rate"),
            pl.len().alias("_rows"),
        )
        .with_columns(
            pl.when(pl.col("suppressed"))
            .then(pl.lit("*"))
            .when(pl.col("_rows") > 1)
            .then(pl.lit("(split)"))
            .otherwise(pl.col("public_rate"))
            .alias("public_rate")
        )
    )


def _check_public(schools: pl.DataFrame, total: dict[str, Any], cds7: str) -> None:
    """Counts published in acgr.txt must equal the recomputed ones (same run)."""
    bad = schools.filter(
        ~pl.col("suppressed").fill_null(True)
        & (
            (pl.col("CohortStudents") != pl.col("cohort"))
            | (pl.col("public_graduates") != pl.col("graduates"))
        )
    )
    if bad.height:
        raise ValueError(
            "acgr.txt and students.parquet disagree (not from the same run?) for school "
            + ", ".join(bad["cds_code"].to_list())
        )
    if total.get("suppressed") is False and (
        total["CohortStudents"],
        total["public_graduates"],
    ) != (total["cohort"], total["graduates"]):
        raise ValueError(
            f"acgr.txt and students.parquet disagree (not from the same run?) for LEA {cds7}"
        )


def _lea_data(
    cds7: str,
    students: pl.DataFrame,
    findings: pl.DataFrame,
    public: pl.DataFrame,
    *,
    academic_year: str,
    rules: RuleSet,
    run_dir: Path,
) -> _Lea:
    class_of = int(students.select(pl.col("class_of").max()).item() or 0)
    outcomes = _outcomes(class_of, rules)
    keys = [o.key for o in outcomes]
    counted = (
        school_counts(students.lazy().with_columns(categories=categories()))
        .group_by("county_code", "district_code", "school_code", "category")
        .agg(pl.col("cohort", *keys).sum())
        .collect()
        .with_columns(
            pl.concat_str("county_code", "district_code", "school_code").alias("cds_code")
        )
    )
    removed = students.group_by("cds_code").agg(
        (pl.col("outcome") == str(Outcome.REMOVED)).sum().cast(pl.Int64).alias("removed")
    )
    school_public = public.filter(pl.col("AggregateLevel") == "S").select(
        pl.concat_str("CountyCode", "DistrictCode", "SchoolCode").alias("cds_code"),
        "SchoolName",
        "suppressed",
        "CohortStudents",
        "public_graduates",
        "public_rate",
    )
    schools = (
        counted.filter(pl.col("category") == "TA")
        .select("cds_code", "cohort", *keys)
        .join(removed, on="cds_code", how="full", coalesce=True)
        .with_columns(pl.col("cohort", *keys, "removed").fill_null(0))
        .join(school_public, on="cds_code", how="left")
        .with_columns(
            pl.col("cds_code").str.slice(7, 7).alias("school_code"),
            pl.when(pl.col("SchoolName").fill_null("") != "")
            .then(pl.col("SchoolName"))
            .otherwise(pl.concat_str(pl.lit("School "), pl.col("cds_code").str.slice(7, 7)))
            .alias("school_name"),
            pl.col("public_rate").fill_null("(none)"),
        )
        .sort("cds_code")
    )
    schools = _with_rates(schools, outcomes)

    lea_public = public.filter(pl.col("AggregateLevel") == "D")
    total_counts = schools.select(pl.col("cohort", *keys, "removed").sum())
    total_row = _with_rates(total_counts, outcomes).row(0, named=True)
    if lea_public.height:
        pub = lea_public.row(0, named=True)
        total_row.update(
            suppressed=pub["suppressed"],
            CohortStudents=pub["CohortStudents"],
            public_graduates=pub["public_graduates"],
            public_rate=pub["public_rate"],
        )
        county_name = str(pub["CountyName"] or "")
        district_name = str(pub["DistrictName"] or "")
    else:
        total_row.update(suppressed=None, public_rate="(none)")
        county_name = district_name = ""
    total_row.update(cds_code=f"{cds7}0000000", school_code="", school_name="LEA total")
    _check_public(schools, total_row, cds7)

    lea_g, lea_c = int(total_row["graduates"]), int(total_row["cohort"])
    cat_rank = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    groups = (
        counted.filter(pl.col("category") != "TA")
        .group_by("category")
        .agg(pl.col("cohort", "graduates").sum())
        .filter(pl.col("cohort") >= 1)
        .with_columns(
            pl.col("category").replace_strict(CATEGORY_LABELS, default=None).alias("label"),
            rate_tenths(pl.col("graduates"), pl.col("cohort")).alias("rate_tenths"),
            change_tenths(pl.col("graduates"), pl.col("cohort"), pl.lit(lea_g), pl.lit(lea_c))
            .fill_null(0)
            .alias("gap_tenths"),
            (pl.col("cohort") <= SMALL_COHORT).alias("small"),
            pl.col("category")
            .replace_strict(cat_rank, default=len(cat_rank), return_dtype=pl.Int16)
            .alias("_rank"),
        )
        .with_columns(
            pl.col("label").fill_null(pl.col("category")),
            tenths_text(pl.col("rate_tenths")).alias("rate"),
            _signed_text(pl.col("gap_tenths")).alias("gap"),
        )
        .sort("_rank")
        .drop("_rank")
    )

    names = schools.select("cds_code", "school_name")
    mine = sort_findings(findings.join(names, on="cds_code", how="left"))
    fatal = mine.filter(pl.col("severity") == "fatal")
    sensitive = mine.filter(
        (pl.col("severity") != "fatal") & pl.col("rule").is_in(OUTCOME_SENSITIVE_RULES)
    ).sort("cds_code", "rule", "file", "line")
    others = mine.filter(
        (pl.col("severity") != "fatal") & ~pl.col("rule").is_in(OUTCOME_SENSITIVE_RULES)
    )
    impact = school_impact(students, rules).join(names, on="cds_code", how="left")

    outcome_rank = {str(o): i for i, o in enumerate(Outcome)}
    student_list = (
        students.join(names, on="cds_code", how="left")
        .with_columns(
            pl.col("outcome")
            .replace_strict(outcome_rank, default=len(outcome_rank), return_dtype=pl.Int16)
            .alias("_rank")
        )
        .sort("cds_code", "_rank", "ssid")
        .select(
            "ssid", "cds_code", "school_name", "outcome", "reason", "record_file", "record_line"
        )
    )
    return _Lea(
        cds7=cds7,
        county_name=county_name,
        district_name=district_name,
        class_of=class_of,
        academic_year=academic_year,
        rules_name=rules.name,
        run_dir=str(run_dir),
        outcomes=outcomes,
        schools=schools,
        total=total_row,
        groups=groups,
        fatal=fatal,
        sensitive=sensitive,
        impact=impact,
        other_warnings=by_rule(others),
        students=student_list,
    )


def _signed_text(tenths: pl.Expr) -> pl.Expr:
    """``+4.3``, ``-2.0``, ``0.0`` from a signed number of tenths."""
    sign = (
        pl.when(tenths > 0)
        .then(pl.lit("+"))
        .when(tenths < 0)
        .then(pl.lit("−"))
        .otherwise(pl.lit(""))
    )
    return pl.concat_str(sign, tenths_text(tenths.abs()))


# ---------------------------------------------------------------------------------
# Charts (matplotlib to inline SVG)
# ---------------------------------------------------------------------------------
_SVG_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "hatch.color": "#ffffff",
}


def _svg(fig: Figure, chart_id: str) -> str:
    """The figure as an inline ``<svg>`` element whose ids all start with ``chart_id-``."""
    buf = io.StringIO()
    with mpl.rc_context({**_SVG_RC, "svg.hashsalt": chart_id}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{chart_id}-\1"', text)
    return re.sub(r"<svg ", f'<svg role="img" aria-labelledby="{chart_id}-caption" ', text, count=1)


def _outcomes_chart(lea: _Lea) -> str:
    """Each school's cohort split by outcome (100% stacked bars), the LEA total last."""
    cols = ["cds_code", "school_name", "cohort"]
    cols += [c for o in lea.outcomes for c in (o.key, f"{o.key}_rate")]
    total = pl.DataFrame([{c: lea.total[c] for c in cols}])
    rows = pl.concat([lea.schools.select(cols), total], how="vertical_relaxed").reverse()
    labels = [f"{n} (cohort {c:,})" for n, c in rows.select("school_name", "cohort").iter_rows()]
    ids = ["total", *rows["cds_code"].to_list()[1:]]  # the LEA total is drawn at the bottom
    cohorts = rows["cohort"].to_list()
    fig = Figure(figsize=(9.5, 1.6 + 0.4 * max(len(labels), 1)), layout="constrained")
    with mpl.rc_context(_SVG_RC):
        ax = fig.add_subplot()
        left = [0.0] * len(labels)
        for o in lea.outcomes:
            # Bar geometry only; every printed number is the exact text of acgr.publish.rates.
            shares = [100 * n / c if c else 0.0 for n, c in zip(rows[o.key], cohorts, strict=True)]
            bars = ax.barh(
                labels,
                shares,
                left=left,
                color=o.colour,
                edgecolor="white",
                linewidth=0.6,
                label=o.label,
                height=0.66,
            )
            texts = rows[f"{o.key}_rate"].to_list()
            for patch, key, share, x, text in zip(
                bars.patches, ids, shares, left, texts, strict=True
            ):
                patch.set_gid(f"bar-{o.key}-{key}")
                if share >= 7:  # wide enough to read
                    ax.text(
                        x + share / 2,
                        patch.get_y() + patch.get_height() / 2,
                        text,
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color="white" if o.key in ("graduates", "dropout") else "#222222",
                    )
            left = [a + b for a, b in zip(left, shares, strict=True)]
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of the adjusted cohort, % (Removed students are not in the cohort)")
        ax.spines[["top", "right"]].set_visible(False)
        ax.axhline(0.5, color="#333333", linewidth=0.8)  # schools above, LEA total below
        fig.legend(loc="outside lower center", ncols=min(len(lea.outcomes), 4), frameon=False)
    return _svg(fig, "chart-outcomes")


def _gaps_chart(lea: _Lea) -> str:
    rows = lea.groups.reverse()  # first category on top
    fig = Figure(figsize=(9.5, 1.3 + 0.34 * max(rows.height, 1)))
    with mpl.rc_context(_SVG_RC):
        ax = fig.add_subplot()
        labels, values = [], []
        for r in rows.iter_rows(named=True):
            mark = " †" if r["small"] else ""
            labels.append(f"{r['label']} (n={r['cohort']:,}){mark}")
            values.append(r["gap_tenths"] / 10)  # bar length only; labels are exact text
        bars = ax.barh(labels, values, height=0.62, color="#2166ac")
        span = max([abs(v) for v in values] + [1.0])
        for patch, r, v in zip(bars.patches, rows.iter_rows(named=True), values, strict=True):
            patch.set_gid(f"gap-{r['category']}" + ("-small" if r["small"] else ""))
            patch.set_facecolor("#2166ac" if v >= 0 else "#b2182b")
            if r["small"]:
                patch.set_alpha(0.45)
                patch.set_hatch("///")
            ax.text(
                v + (span * 0.02 if v >= 0 else -span * 0.02),
                patch.get_y() + patch.get_height() / 2,
                f"{r['gap']}  ({r['rate']}%)",
                va="center",
                ha="left" if v >= 0 else "right",
                fontsize=7.5,
                color="#222222",
            )
        ax.axvline(0, color="#333333", linewidth=1)
        ax.set_xlim(-span * 1.35, span * 1.35)
        rate = lea.total["graduates_rate"]
        ax.set_xlabel(
            f"graduation rate minus the LEA rate ({rate}%), percentage points"
            "   † cohort of 10 or fewer: not published, read with care"
        )
        ax.spines[["top", "right"]].set_visible(False)
        if not labels:
            ax.text(0.5, 0.5, "no cohort students", transform=ax.transAxes, ha="center")
    return _svg(fig, "chart-gaps")


# ---------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------
def _version() -> str:
    try:
        return _dist_version("acgr")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "(source tree)"


def _num(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


@cache
def _environment() -> jinja2.Environment:
    """The templates of ``acgr/tools/report/templates`` (package data), HTML-escaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("acgr.tools.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = _num
    return env


def _render_html(lea: _Lea) -> str:
    """The self-contained HTML page of one LEA."""
    sensitive: dict[str, list[dict[str, Any]]] = {}
    for row in lea.sensitive.iter_rows(named=True):
        sensitive.setdefault(row["cds_code"], []).append(row)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            lea=lea,
            total=lea.total,
            outcomes=lea.outcomes,
            schools=lea.schools.to_dicts(),
            groups=lea.groups.to_dicts(),
            fatal=lea.fatal.to_dicts(),
            impact=lea.impact.to_dicts(),
            sensitive_by_school=sensitive,
            other=lea.other_warnings.to_dicts(),
            students=lea.students.to_dicts(),
            outcomes_svg=Markup(_outcomes_chart(lea)),
            gaps_svg=Markup(_gaps_chart(lea)),
            small=SMALL_COHORT,
            version=_version(),
        )
    )


# ---------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F6F8FA")
_RATE_FORMAT = "0.0"


def _rate(tenths: int | None) -> Decimal | None:
    """Exact one-decimal value of a number of tenths (a rate as published)."""
    return None if tenths is None else Decimal(tenths).scaleb(-1)


def _sheet(
    wb: Any,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int],
    rate_columns: Sequence[int] = (),
) -> Any:
    ws = wb.create_sheet(title)
    ws.append(list(header))
    for cell in ws[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for row in rows:
        ws.append(list(row))
    for col in rate_columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = _RATE_FORMAT
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    return ws


def _bar_chart(title: str, x_title: str, height_rows: int) -> Any:
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.x_axis.title = None
    chart.y_axis.title = x_title
    chart.x_axis.delete = False  # openpyxl >= 3.1 hides axes unless told otherwise
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
    chart.width = 24
    chart.height = max(7.0, 0.75 * height_rows + 3)
    return chart


def _write_workbook(lea: _Lea, path: Path) -> None:
    """The workbook of one LEA (sheets :data:`SHEETS`)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    about = wb.create_sheet("About")
    for row in (
        ("CONFIDENTIAL: lists individual students.",),
        ("LEA", lea.name),
        ("CDS code", lea.cds7),
        ("County", lea.county_name),
        ("Class of", lea.class_of),
        ("Academic year", lea.academic_year),
        ("Rule set", lea.rules_name),
        ("Run", lea.run_dir),
        ("Rates", "count / cohort x 100, rounded half up on the exact ratio (R6.3)"),
        ("Gaps", "group rate minus LEA rate, exact, rounded half away from zero"),
        ("acgr", _version()),
    ):
        about.append(list(row))
    about["A1"].font = Font(bold=True, color="9C2A00")
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 16, 70

    # Schools: counts and rates, LEA total last.
    header = ["CDS code", "School", "Cohort"]
    for o in lea.outcomes:
        header += [o.label, f"{o.label} (%)"]
    header += ["Removed", "Public rate (acgr.txt)"]

    def school_row(s: dict[str, Any]) -> list[Any]:
        out: list[Any] = [s["cds_code"], s["school_name"], s["cohort"]]
        for o in lea.outcomes:
            out += [s[o.key], _rate(s[f"{o.key}_tenths"])]
        return [*out, s["removed"], s["public_rate"]]

    school_rows = [school_row(s) for s in lea.schools.to_dicts()]
    rate_cols = [5 + 2 * i for i in range(len(lea.outcomes))]
    ws = _sheet(
        wb,
        "Schools",
        header,
        [*school_rows, school_row(lea.total)],
        [16, 34, 9, *([12, 8] * len(lea.outcomes)), 9, 12],
        rate_cols,
    )
    for cell in ws[ws.max_row]:
        cell.font = _HEADER_FONT
    last = 1 + len(school_rows)
    if school_rows:
        chart = _bar_chart("Outcomes by school", "students", len(school_rows))
        chart.grouping, chart.overlap = "stacked", 100
        for i, o in enumerate(lea.outcomes):
            col = 4 + 2 * i
            chart.add_data(
                Reference(ws, min_col=col, min_row=1, max_row=last), titles_from_data=True
            )
            chart.series[-1].graphicalProperties.solidFill = o.colour.lstrip("#").upper()
        chart.set_categories(Reference(ws, min_col=2, min_row=2, max_row=last))
        ws.add_chart(chart, f"B{ws.max_row + 3}")

    # Groups: rate and gap per reporting category.
    gws = _sheet(
        wb,
        "Groups",
        [
            "Code",
            "Student group",
            "Cohort",
            "Graduates",
            "Rate (%)",
            "Gap to LEA (points)",
            f"Cohort <= {SMALL_COHORT}",
        ],
        [
            [
                g["category"],
                g["label"],
                g["cohort"],
                g["graduates"],
                _rate(g["rate_tenths"]),
                _rate(g["gap_tenths"]),
                "yes" if g["small"] else "",
            ]
            for g in lea.groups.to_dicts()
        ],
        [7, 34, 9, 10, 9, 18, 12],
        [5],
    )
    for (cell,) in gws.iter_rows(min_row=2, min_col=6, max_col=6):
        cell.number_format = "+0.0;-0.0;0.0"
    if lea.groups.height:
        chart = _bar_chart(
            f"Graduation rate minus LEA rate ({lea.total['graduates_rate']}%)",
            "percentage points",
            lea.groups.height,
        )
        chart.add_data(
            Reference(gws, min_col=6, min_row=1, max_row=1 + lea.groups.height),
            titles_from_data=True,
        )
        series = chart.series[0]
        series.graphicalProperties.solidFill = "2166AC"
        series.invertIfNegative = False
        for i, g in enumerate(lea.groups.iter_rows(named=True)):
            point = DataPoint(idx=i)
            colour = "2166AC" if g["gap_tenths"] >= 0 else "B2182B"
            point.graphicalProperties.solidFill = (
                {"2166AC": "A6BDDB", "B2182B": "E6A3A8"}[colour] if g["small"] else colour
            )
            series.dPt.append(point)
        chart.set_categories(Reference(gws, min_col=2, min_row=2, max_row=1 + lea.groups.height))
        chart.legend = None
        gws.add_chart(chart, f"B{gws.max_row + 3}")

    # Findings: fatal first, then the outcome-sensitive ones per school.
    cols = ("severity", "rule", "cds_code", "school_name", "file", "line", "ssid", "message")
    _sheet(
        wb,
        "Findings",
        ["Severity", "Rule", "CDS code", "School", "File", "Line", "SSID", "Message"],
        [
            list(r)
            for r in pl.concat([lea.fatal.select(cols), lea.sensitive.select(cols)]).iter_rows()
        ],
        [9, 10, 16, 30, 30, 7, 12, 100],
    )
    _sheet(
        wb,
        "Impact",
        [
            "CDS code",
            "School",
            "Cohort",
            "Graduates",
            "Rate now (%)",
            "Lost transfers",
            "Rate if transfers confirmed (%)",
            "Open past cutoff",
            "Rate if open graduated (%)",
            "Removals to document",
            "Rate if removals undocumented (%)",
        ],
        [
            [
                r["cds_code"],
                r["school_name"],
                r["cohort"],
                r["graduates"],
                Decimal(r["rate_now"]),
                r["lost_transfers"],
                Decimal(r["rate_if_transfers_confirmed"]),
                r["open_past_cutoff"],
                Decimal(r["rate_if_open_graduated"]),
                r["removals_to_document"],
                Decimal(r["rate_if_removals_undocumented"]),
            ]
            for r in lea.impact.select("cds_code", "school_name", *IMPACT_COLUMNS[1:]).to_dicts()
        ],
        [16, 30, 9, 10, 12, 12, 16, 12, 16, 14, 18],
        [5, 7, 9, 11],
    )
    _sheet(
        wb,
        "Students",
        ["SSID", "CDS code", "School", "Outcome", "Reason", "Record file", "Record line"],
        [list(r) for r in lea.students.iter_rows()],
        [12, 16, 30, 20, 34, 34, 11],
    )
    wb.save(path)


# ---------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------
def write_reports(
    run_dir: str | Path,
    out_dir: str | Path | None = None,
    *,
    rules: str | Path | RuleSet = "2018",
) -> list[Path]:
    """Write ``report_<CDS7>.html`` and ``report_<CDS7>.xlsx`` for each LEA of a run.

    Args:
        run_dir: the ``--out`` folder of ``acgr run`` (``acgr.txt``,
            ``students.parquet``, ``findings.csv``).
        out_dir: where to write; default ``run_dir / "report"``.
        rules: the rule set the run used (``acgr run`` default ``"2018"``): it
            names the outcome columns and the removal codes of the impact table.

    Returns:
        The files written, sorted by LEA (HTML then workbook), all written
        atomically: on failure none is replaced.

    Raises:
        FileNotFoundError: a run output is missing.
        ValueError: the outputs are not those of one acgr run.
    """
    run = Path(run_dir)
    target = Path(out_dir) if out_dir is not None else run / "report"
    ruleset = load_rules(rules)
    students = _read_students(run / "students.parquet")
    findings = pl.read_csv(run / "findings.csv", schema=FINDINGS_SCHEMA)
    acgr = read_cde_acgr(run / "acgr.txt")
    year = acgr["AcademicYear"].drop_nulls().first() if "AcademicYear" in acgr.columns else None
    public = _public_rows(acgr).with_columns(
        pl.concat_str("CountyCode", "DistrictCode").alias("cds7")
    )

    # A finding belongs to the LEA of its school, or else to the LEA of its student.
    findings = findings.join(
        students.select("ssid", pl.col("cds7").alias("_student_lea")), on="ssid", how="left"
    ).with_columns(
        pl.coalesce(pl.col("cds_code").str.slice(0, 7), pl.col("_student_lea")).alias("cds7")
    )
    by_lea = {
        "students": students.partition_by("cds7", as_dict=True),
        "findings": findings.drop("_student_lea").partition_by("cds7", as_dict=True),
        "public": public.partition_by("cds7", as_dict=True),
    }

    def part(kind: str, cds7: str, like: pl.DataFrame) -> pl.DataFrame:
        return by_lea[kind].get((cds7,), like.clear()).drop("cds7")

    writers: dict[str, Callable[[Path], None]] = {}
    for cds7 in sorted(students["cds7"].unique().to_list()):

        def build(cds7: str = cds7) -> _Lea:
            return _lea_data(
                cds7,
                part("students", cds7, students),
                part("findings", cds7, findings.drop("_student_lea")),
                part("public", cds7, public),
                academic_year=str(year or ""),
                rules=ruleset,
                run_dir=run,
            )

        html, xlsx = _lea_writers(build)
        writers[f"report_{cds7}.html"] = html
        writers[f"report_{cds7}.xlsx"] = xlsx
    return write_atomically(target, writers)


def _lea_writers(
    build: Callable[[], _Lea],
) -> tuple[Callable[[Path], None], Callable[[Path], None]]:
    """Writers of one LEA's page and workbook that build its data once, when first needed.

    :func:`acgr.publish.output.write_atomically` calls them in order, page then workbook,
    so only one LEA's data is held at a time.
    """
    held: list[_Lea] = []

    def html(path: Path) -> None:
        held.append(build())
        write_text(_render_html(held[-1]))(path)

    def xlsx(path: Path) -> None:
        _write_workbook(held.pop() if held else build(), path)

    return html, xlsx


__all__ = [
    "CATEGORY_LABELS",
    "OUTCOME_SENSITIVE_RULES",
    "SHEETS",
    "SMALL_COHORT",
    "write_reports",
]
