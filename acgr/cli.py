"""The ``acgr`` command line (docs/formats.md, "The other commands").

Exit codes: 0 success; 2 when an input cannot be read at all (one line on
stderr naming the file and line) or, with ``--strict``, when any fatal finding
exists. Nothing printed here ever carries a student identifier: summaries are
counts, and errors name files and lines only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, cast

import polars as pl
import typer
from rich.console import Console

from acgr.checks.summary import (
    five_year_lines,
    run_summary,
    validation_lines,
    validation_texts,
)
from acgr.help_text import plain_value_names
from acgr.pipeline import PHASES, AcgrResult, compute, validate
from acgr.publish.acgr_file import read_cde_acgr
from acgr.publish.output import findings_by_severity, write_atomically, write_run, write_text
from acgr.read.extracts import ExtractError
from acgr.rules.dashboard import (
    BUILTIN_DASHBOARD_RULES,
    DashboardRules,
    dashboard_rules_name,
    load_dashboard_rules,
)
from acgr.rules.ruleset import RulesError, RuleSet, SettingsT, load_rules
from acgr.tools.compare_rules import HARDEST_HIT_ROWS
from acgr.tools.dashboard import (
    ACGR_INPUT_COLUMNS,
    COUNT_COLUMNS,
    dashboard_text,
    indicator,
    indicator_from_counts,
    read_dashboard,
    reporting_year,
)
from acgr.tools.what_if import graduates_needed

app = typer.Typer(
    name="acgr",
    help="California four-year adjusted cohort graduation rate from CALPADS extracts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)
plain_value_names()  # `--class-of YEAR`, `--help`: not typer's `<int>`, `<bool>`


def _print_version(value: bool) -> None:
    if value:
        from acgr import __version__

        sys.stdout.write(f"acgr {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    """California four-year adjusted cohort graduation rate from CALPADS extracts."""
    del version  # handled by its callback


EXIT_UNREADABLE = 2
EXIT_STRICT = 2


def _fail(message: str, code: int = EXIT_UNREADABLE) -> typer.Exit:
    # Plain write, not rich: the message must stay on one line for scripts.
    sys.stderr.write(f"acgr: error: {' '.join(message.split())}\n")
    return typer.Exit(code)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--extraction-date {value!r} is not a date (YYYY-MM-DD)") from None


# Options shared by several commands (one definition, one help text).
Paths = Annotated[
    list[Path], typer.Argument(help="CALPADS extract files or folders.", metavar="PATH...")
]
ClassOf = Annotated[
    int, typer.Option("--class-of", help="Expected graduation year Y.", metavar="YEAR")
]
ExtractionDate = Annotated[
    str | None,
    typer.Option("--extraction-date", help="YYYY-MM-DD; default 15 Sep of Y.", metavar="DATE"),
]
Rules = Annotated[
    str, typer.Option("--rules", help="2018, legacy, or a rule-set file.", metavar="RULES")
]
Schools = Annotated[
    Path | None,
    typer.Option(
        "--schools",
        help="Schools directory (CSV or CDE TSV): school and LEA names, charter and DASS flags.",
        metavar="FILE",
    ),
]
Foster = Annotated[
    Path | None,
    typer.Option("--foster", help="Foster match CSV: ssid,start_date,end_date.", metavar="FILE"),
]
DirectCert = Annotated[
    Path | None,
    typer.Option(
        "--direct-cert", help="Direct certification CSV: ssid,academic_year.", metavar="FILE"
    ),
]


@contextlib.contextmanager
def _guard(what: str = "the input") -> Iterator[None]:
    """Turn every expected failure into one line on stderr and exit code 2.

    Polars messages may quote record values, so only the kind of failure is
    named for them; our own errors name files and lines, never identifiers.
    """
    try:
        yield
    except ExtractError as exc:
        raise _fail(str(exc)) from None
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc)) from None
    except pl.exceptions.PolarsError as exc:
        raise _fail(
            f"{what} could not be processed ({type(exc).__name__}); "
            "run `acgr validate` on it to locate bad records"
        ) from None
    except OSError as exc:
        raise _fail(f"{exc.filename or what}: {exc.strerror}") from None


def _settings_or_exit(load: Callable[[str], SettingsT], spec: str) -> SettingsT:
    """``load(spec)`` (a rule set of any family), or exit 2 with every problem of the file.

    Not _fail's single line: every problem of the file on a line of its own (one line
    when there is one), so all of them are fixed in one pass.
    """
    try:
        return load(spec)
    except RulesError as exc:
        head, *rest = exc.lines()
        sys.stderr.write("".join(f"{line}\n" for line in [f"acgr: error: {head}", *rest]))
        raise typer.Exit(EXIT_UNREADABLE) from None
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(f"--rules: {exc}") from None


def _rules(spec: str) -> RuleSet:
    return _settings_or_exit(load_rules, spec)


def _summary(result: AcgrResult, seconds: float, out_dir: Path) -> None:
    # Plain writes: the terminal's width must not re-wrap lines already fitted to 100.
    for line in run_summary(result):
        sys.stdout.write(line + "\n")
    sys.stdout.write(f"outputs in {out_dir}  ({seconds:.1f} s)\n")


@app.command("run")
def run(
    paths: Paths,
    class_of: ClassOf,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the output files.")],
    extraction_date: ExtractionDate = None,
    rules: Rules = "2018",
    schools: Schools = None,
    foster: Foster = None,
    direct_cert: DirectCert = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 2 when any fatal finding exists.")
    ] = False,
    with_names: Annotated[
        bool,
        typer.Option(
            "--with-names",
            help="Read students' legal names into students.parquet/.csv (confidential).",
        ),
    ] = False,
) -> None:
    """Compute the ACGR of one class: writes acgr.txt, students.parquet, students.csv,
    findings.csv, summary.txt."""
    x = _date(extraction_date)
    ruleset = _rules(rules)
    started = time.perf_counter()
    with _guard():
        with err.status("computing the cohort…") as status:
            result = compute(
                paths,
                class_of=class_of,
                rules=ruleset,
                extraction_date=x,
                schools=schools,
                foster=foster,
                direct_cert=direct_cert,
                progress=lambda name: status.update(f"computing: {PHASES.get(name, name)}…"),
                with_names=with_names,
            )
        with err.status("writing outputs…"):
            write_run(result, out_dir)
    _summary(result, time.perf_counter() - started, out_dir)
    if strict and findings_by_severity(result.findings)["fatal"] > 0:
        err.print("acgr: --strict: fatal findings exist (see findings.csv)")
        raise typer.Exit(EXIT_STRICT)


@app.command("five-year")
def five_year_cmd(
    paths: Paths,
    class_of: ClassOf,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the output files.")],
    extraction_date: Annotated[
        str | None,
        typer.Option("--extraction-date", help="YYYY-MM-DD of the fifth year; default 15 Sep Y+1."),
    ] = None,
    rules: Rules = "2018",
    schools: Schools = None,
    foster: Foster = None,
    direct_cert: DirectCert = None,
) -> None:
    """The five-year graduation rate of a class (R9): fiveyear.txt, fiveyear_students.parquet."""
    from acgr.five_year_run import five_year

    x = _date(extraction_date)
    ruleset = _rules(rules)
    with _guard():
        with err.status("computing the five-year cohort…"):
            result = five_year(
                paths,
                class_of=class_of,
                extraction_date=x,
                rules=ruleset,
                schools=schools,
                foster=foster,
                direct_cert=direct_cert,
            )

        def students(path: Path) -> None:
            result.students.write_parquet(path)

        write_atomically(
            out_dir,
            {"fiveyear.txt": write_text(result.text()), "fiveyear_students.parquet": students},
        )
    for line in five_year_lines(result):
        sys.stdout.write(line + "\n")
    sys.stdout.write(f"outputs in {out_dir}\n")


@app.command("lcff")
def lcff_cmd(
    paths: Paths,
    year: Annotated[str, typer.Option("--year", help="Academic year, e.g. 2024-25.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the output files.")],
    schools: Schools = None,
    foster: Foster = None,
    direct_cert: DirectCert = None,
    census_day: Annotated[
        str | None,
        typer.Option("--census-day", help="YYYY-MM-DD; default the first Wednesday of October."),
    ] = None,
    rules: Annotated[
        str, typer.Option("--rules", help='lcff, or a rules file with base = "lcff".')
    ] = "lcff",
) -> None:
    """The LCFF unduplicated pupil count on Census Day (R10).

    Writes upc.txt, upc_lea.txt, upc_impact.csv, and the confidential
    upc_findings.csv (the findings that move the count) and upc_students.parquet.
    """
    from acgr.lcff_run import lcff
    from acgr.rules.lcff import load_lcff_rules

    settings = _settings_or_exit(load_lcff_rules, rules)
    with _guard():
        with err.status("counting the students enrolled on Census Day…"):
            result = lcff(
                paths,
                year=year,
                census_day=census_day,
                schools=schools,
                foster=foster,
                direct_cert=direct_cert,
                rules=settings,
            )

        def students(path: Path) -> None:
            result.students.write_parquet(path)

        write_atomically(
            out_dir,
            {
                "upc.txt": write_text(result.upc_text()),
                "upc_lea.txt": write_text(result.lea_text()),
                "upc_impact.csv": write_text(result.impact_text()),
                "upc_findings.csv": _csv_writer(result.findings),
                "upc_students.parquet": students,
            },
        )
    for line in result.summary_lines():
        sys.stdout.write(line + "\n")
    sys.stdout.write(f"outputs in {out_dir}\n")


@app.command("validate")
def validate_cmd(
    paths: Paths,
    class_of: Annotated[
        int | None,
        typer.Option("--class-of", help="Also build this class's cohort (outcome checks)."),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write findings.csv and summary.txt here.")
    ] = None,
    extraction_date: ExtractionDate = None,
    rules: Rules = "2018",
    schools: Schools = None,
) -> None:
    """Check extracts for errors that would distort the rate. Exit 1 if any is fatal."""
    x = _date(extraction_date)
    ruleset = _rules(rules)
    with _guard():
        with err.status("checking records…"):
            res = validate(
                paths, class_of=class_of, rules=ruleset, extraction_date=x, schools=schools
            )
        text, impact = validation_texts(res, schools)
        if out_dir is not None:
            writers = {"findings.csv": _csv_writer(res.findings), "summary.txt": write_text(text)}
            if impact is not None:
                writers["impact.csv"] = _csv_writer(impact)
            write_atomically(out_dir, writers)
    for line in validation_lines(res, out_dir):
        sys.stdout.write(line + "\n")
    raise typer.Exit(1 if findings_by_severity(res.findings)["fatal"] else 0)


@app.command("explain")
def explain_cmd(
    ssid: Annotated[str, typer.Argument(help="The student's SSID.")],
    paths: Paths,
    class_of: ClassOf,
    extraction_date: ExtractionDate = None,
    rules: Rules = "2018",
    schools: Schools = None,
    foster: Foster = None,
    direct_cert: DirectCert = None,
) -> None:
    """Show one student's records, cohort, outcome and the rule that decided it."""
    from acgr.tools.explain import explain, render

    x = _date(extraction_date)
    with _guard():
        ex = explain(
            ssid,
            paths,
            class_of=class_of,
            rules=_rules(rules),
            extraction_date=x,
            schools=schools,
            foster=foster,
            direct_cert=direct_cert,
        )
    if ex.timeline.height == 0:
        raise _fail("no enrollment record of that student in the input", code=1)
    sys.stdout.write(render(ex, ssid))


@app.command("dashboard")
def dashboard_cmd(
    out_file: Annotated[Path, typer.Option("--out", help="Dashboard file to write.")],
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="CALPADS extract files or folders (with --class-of)."),
    ] = None,
    class_of: Annotated[
        int | None, typer.Option("--class-of", help="From extracts: the Dashboard year Y.")
    ] = None,
    schools: Schools = None,
    foster: Foster = None,
    direct_cert: DirectCert = None,
    current: Annotated[
        Path | None, typer.Option("--current", help="acgr.txt of the current class.")
    ] = None,
    prior: Annotated[
        Path | None, typer.Option("--prior", help="acgr.txt of the class just before it.")
    ] = None,
    counts_file: Annotated[
        Path | None,
        typer.Option("--counts", help="A Dashboard file whose count columns are filled."),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Dashboard year of --counts (2018, 2022-2025).")
    ] = None,
    needed: Annotated[
        bool,
        typer.Option("--needed", help="Add per row the graduates needed for the next colour."),
    ] = False,
    rules_spec: Annotated[
        str | None,
        typer.Option("--rules", help="Dashboard rules: a year, a built-in name or a file."),
    ] = None,
) -> None:
    """The Dashboard graduation indicator (R8) of a Dashboard year.

    From extracts (PATH... --class-of Y), from a file of counts (--counts FILE --year D,
    the what-if calculator; --needed: the graduates each row needs for its next colour),
    or from two classes' ACGR files (--current --prior, four-year Dashboards). Exit 2
    (one line) when an input cannot support the year asked for.
    """
    way = _dashboard_way(paths, class_of, counts_file, (current, prior), year=year, needed=needed)
    with _guard("a Dashboard counts file" if counts_file else "the input"):
        if way == "extracts" and paths and class_of is not None:
            sides = {"schools": schools, "foster": foster, "direct_cert": direct_cert}
            table = _dashboard_from_extracts(paths, class_of, rules_spec, sides)
        elif counts_file is not None:
            table = _dashboard_from_counts(counts_file, year, rules_spec, needed=needed)
        else:  # _dashboard_way checked that both are given
            table = _dashboard_from_acgr(cast(Path, current), cast(Path, prior), rules_spec)
        write_atomically(out_file.parent, {out_file.name: write_text(dashboard_text(table))})
    colours = table.filter(pl.col("color") > 0).height
    out.print(
        f"Dashboard {table.get_column('reportingyear')[0]}: {table.height:,} rows "
        f"({colours:,} with a colour) written to {out_file}",
        markup=False,
        soft_wrap=True,
    )


def _dashboard_way(
    paths: list[Path] | None,
    class_of: int | None,
    counts_file: Path | None,
    acgr_files: tuple[Path | None, Path | None],
    *,
    year: int | None,
    needed: bool,
) -> str:
    """Which of the three ways in the options name; exactly one, with its own options."""
    named = {"extracts": bool(paths) or class_of is not None, "counts": counts_file is not None}
    named["acgr"] = any(p is not None for p in acgr_files)
    if sum(named.values()) != 1:
        raise _fail(
            "give one of: PATH... --class-of YEAR; --counts FILE --year YEAR; "
            "--current FILE --prior FILE"
        )
    way = next(w for w, given in named.items() if given)
    if way == "extracts" and (not paths or class_of is None or needed or year is not None):
        raise _fail("PATH... and --class-of go together, without --year or --needed")
    if way == "acgr" and (None in acgr_files or needed or year is not None):
        raise _fail("--current and --prior go together, without --year or --needed")
    return way


def _dashboard_from_extracts(
    paths: list[Path], class_of: int, spec: str | None, sides: dict[str, Path | None]
) -> pl.DataFrame:
    """R8 from extracts (:func:`acgr.tools.dashboard_run.dashboard_from_extracts`);
    every warning of the runs behind it is printed with its class."""
    from acgr.tools.dashboard_run import dashboard_from_extracts

    rules = _dashboard_rules(spec if spec is not None else dashboard_rules_name(str(class_of)))
    run = dashboard_from_extracts(
        paths,
        class_of=class_of,
        dashboard_rules=rules,
        schools=sides["schools"],
        foster=sides["foster"],
        direct_cert=sides["direct_cert"],
    )
    for y, rule, message in run.warnings():
        err.print(f"acgr: class of {y}: {rule} {message}", markup=False, soft_wrap=True)
    classes = ", ".join(str(y) for y in sorted({*run.four_year, *run.five_year}))
    out.print(
        f"classes measured: {classes} (four-year: {', '.join(map(str, sorted(run.four_year)))};"
        f" fifth-year graduates: {', '.join(map(str, sorted(run.five_year))) or 'none'})",
        markup=False,
        soft_wrap=True,
    )
    return run.table


def _dashboard_rules(spec: str) -> DashboardRules:
    """Dashboard rules by year, name or file; a bad file is one line per problem."""
    return _settings_or_exit(load_dashboard_rules, spec)


def _dashboard_from_counts(
    path: Path, year: int | None, spec: str | None, *, needed: bool
) -> pl.DataFrame:
    """R8 from a counts file: the year's rules (or ``--rules``), every column computed."""
    if year is None and spec is None:
        raise _fail("--counts needs --year (the Dashboard year whose rules apply)")
    rules = _dashboard_rules(spec if spec is not None else dashboard_rules_name(str(year)))
    frame = read_dashboard(path)
    if frame.height == 0:
        raise _fail(f"--counts {path}: no row")
    wanted = [*COUNT_COLUMNS, *(["fiveyrnumer"] if rules.combined_five_year else [])]
    missing = [c for c in wanted if c != "coe_flag" and c not in frame.columns]
    if missing:
        raise _fail(
            f"--counts {path}: lacks {', '.join(missing)} (Dashboard {rules.reporting_year}"
            " counts: cds ... studentgroup, currnumer, currdenom, priornumer, priordenom"
            + (", fiveyrnumer" if rules.combined_five_year else "")
            + ")"
        )
    keep = [c for c in (*wanted, "prior_dass_flag") if c in frame.columns]
    counts = frame.select(keep)
    label = str(year) if year is not None else rules.reporting_year
    if needed:
        return graduates_needed(counts, rules, label)
    return indicator_from_counts(counts, rules, reporting_year=int(label))


def _dashboard_from_acgr(current: Path, prior: Path, spec: str | None) -> pl.DataFrame:
    """R8 from two acgr.txt files: the rules of the current class's Dashboard year."""
    now, before = (read_cde_acgr(p, require=ACGR_INPUT_COLUMNS) for p in (current, prior))
    names = (f"--current {current}", f"--prior {prior}")
    year = reporting_year(now, before, names=names)
    name = f"dashboard{year}"
    if spec is None and name not in BUILTIN_DASHBOARD_RULES:
        # Cut points of another year would give a plausible, unmeasured colour.
        raise _fail(
            f"no Dashboard rule set for {year} (built in: "
            f"{', '.join(n.removeprefix('dashboard') for n in BUILTIN_DASHBOARD_RULES)}); "
            "pass --rules with the year or file whose rules to apply"
        )
    rules = _dashboard_rules(spec if spec is not None else name)
    if rules.combined_five_year:
        # acgr.txt holds four-year counts; a combined rate without the fifth-year
        # graduates would look right and be wrong (R8.3).
        raise _fail(
            f"Dashboard {year} uses the combined four- and five-year rate (R8.3), which "
            "acgr.txt files cannot give: run `acgr dashboard PATH... --class-of "
            f"{year}` on the extracts, or `--counts FILE --year {year}`"
        )
    if rules.reporting_year != str(year):
        err.print(
            f"acgr: note: Dashboard {year} computed with the {rules.name} rules (cut points"
            f" of Dashboard {rules.reporting_year})",
            markup=False,
            soft_wrap=True,
        )
    table = indicator(now, before, rules, names=names)
    if table.height == 0:
        # An empty file would look like a result; nothing was measured.
        raise _fail(
            f"--current {current}: no state (T), LEA (D) or school (S) row of a "
            "Dashboard student group (R8.2)"
        )
    return table


@app.command("reconcile")
def reconcile_cmd(
    ours: Annotated[Path, typer.Argument(help="acgr.txt computed by acgr.")],
    theirs: Annotated[Path, typer.Argument(help="A published CDE ACGR file.")],
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write every differing cell, unmatched key and ambiguous key to this CSV.",
        ),
    ] = None,
) -> None:
    """List every cell where two ACGR files differ, with totals.

    Exit 0 only when every row of both files was compared and no cell differs;
    exit 1 when a cell differs or a key is in one file only or ambiguous; exit 2
    (one line) when a file is not an ACGR file.
    """
    from acgr.tools.reconcile import KEYS, reconcile

    with _guard("an ACGR file"):
        rec = reconcile(ours, theirs)
        totals = rec.totals()
        if out_file is not None:
            write_atomically(out_file.parent, {out_file.name: _csv_writer(rec.listing())})
    dup_ours, dup_theirs = rec.duplicates_collapsed
    counts = rec.counts()
    unused = [k for k in KEYS if k not in rec.keys]
    out.print(f"matched on: {', '.join(rec.keys)}", markup=False, soft_wrap=True)
    if unused:
        out.print(f"  not on {', '.join(unused)} (not in both files)", markup=False, soft_wrap=True)
    if dup_ours or dup_theirs:
        out.print(f"exact duplicate rows collapsed: ours {dup_ours:,}, theirs {dup_theirs:,}")
    out.print(f"rows compared (one row per key in each file): {rec.rows_compared:,}")
    differing_rows = rec.differences.select(rec.keys).unique().height
    out.print(f"  differs      {counts['differs']:>8,} cells in {differing_rows:,} rows")
    out.print(f"  only_ours    {counts['only_ours']:>8,} keys")
    out.print(f"  only_theirs  {counts['only_theirs']:>8,} keys")
    rows_a = int(rec.ambiguous.get_column("rows_ours").sum())
    rows_b = int(rec.ambiguous.get_column("rows_theirs").sum())
    out.print(
        f"  ambiguous    {counts['ambiguous']:>8,} keys ({rows_a:,} rows of ours, "
        f"{rows_b:,} of theirs; same key, different values: not compared)",
        soft_wrap=True,
    )
    for column, n in totals.filter(pl.col("differing_cells") > 0).iter_rows():
        out.print(f"  {column:<55} {n:>8,}", markup=False, soft_wrap=True)
    for row in rec.differences.head(20).iter_rows(named=True):
        where = " ".join(str(row[k]) for k in row if k not in ("column", "ours", "theirs"))
        out.print(
            f"  {where}  {row['column']}: ours {row['ours']} theirs {row['theirs']}",
            markup=False,
            soft_wrap=True,
        )
    if out_file is not None:
        out.print(f"listed by kind in {out_file}", markup=False, soft_wrap=True)
    elif not rec.agrees:
        out.print("use --out FILE.csv to list every one of them")
    raise typer.Exit(0 if rec.agrees else 1)


@app.command("reconcile-students")
def reconcile_students_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of `acgr run`.")],
    fifteen_two: Annotated[
        Path, typer.Argument(help="CALPADS Report 15.2 export (.csv or .xlsx).")
    ],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="TOML naming their columns and category spellings."),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write every difference to this CSV.")
    ] = None,
    rules: Rules = "2018",
) -> None:
    """Compare a run's students with a CALPADS Report 15.2 export, student by student.

    Exit 0 when the two lists agree, 1 when any student differs or is in one list only,
    2 (one line) when a file cannot be reconciled.
    """
    from acgr.tools.reconcile_students import reconcile_students

    ruleset = _rules(rules)
    with _guard("the 15.2 file"):
        rec = reconcile_students(run_dir, fifteen_two, ruleset, mapping)
        if out_file is not None:
            write_atomically(out_file.parent, {out_file.name: _csv_writer(rec.listing())})
    for line in rec.summary_lines(fifteen_two):
        sys.stdout.write(line + "\n")
    if out_file is not None:
        sys.stdout.write(f"every difference listed in {out_file}\n")
    elif not rec.agrees:
        sys.stdout.write("use --out FILE.csv to list every one, with our rule and record\n")
    raise typer.Exit(0 if rec.agrees else 1)


@app.command("compare-rules")
def compare_rules_cmd(
    paths: Paths,
    class_of: ClassOf,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the comparison files.")],
    first: Annotated[str, typer.Option("--first", help="Rule set compared from.")] = "legacy",
    second: Annotated[str, typer.Option("--second", help="Rule set compared to.")] = "2018",
    extraction_date: ExtractionDate = None,
    schools: Schools = None,
    top: Annotated[
        int, typer.Option("--top", min=1, help="Rows in each list of largest drops.")
    ] = HARDEST_HIT_ROWS,
) -> None:
    """Rates under two rule sets (default legacy vs 2018) by group and school, differences,
    where the change hits hardest, changed students."""
    from acgr.tools.compare_rules import compare_rules, hardest_hit_lines, public_groups

    x = _date(extraction_date)
    with _guard():
        with err.status("computing the cohort under both rule sets…"):
            cmp = compare_rules(
                paths,
                class_of=class_of,
                first=_rules(first),
                second=_rules(second),
                extraction_date=x,
                schools=schools,
            )
        a, b = cmp.first.rules.name, cmp.second.rules.name
        write_atomically(
            out_dir,
            {
                "rates.csv": _csv_writer(cmp.rates),
                "rates_by_group.csv": _csv_writer(public_groups(cmp.groups, a, b)),
                "students.csv": _csv_writer(cmp.students),
                "transitions.csv": _csv_writer(cmp.transitions),
            },
        )
    for line in hardest_hit_lines(cmp, top=top):
        out.print(line, markup=False, soft_wrap=True)
    out.print(f"Students whose outcome changed: {cmp.students.height:,}")
    for before, after, n in cmp.transitions.head(10).iter_rows():
        out.print(
            f"  {before or '(not in class)'} -> {after or '(not in class)'}: {n:,}", markup=False
        )
    out.print(f"Details in {out_dir}", markup=False, soft_wrap=True)


@app.command("report")
def report_cmd(
    run_dir: Annotated[
        Path, typer.Argument(help="Output folder of `acgr run`, `acgr lcff` or `acgr da`.")
    ],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Report folder (default RUN_DIR/report).")
    ] = None,
    rules: Rules = "2018",
) -> None:
    """Confidential per-LEA HTML pages and Excel workbooks of a run, and an index page."""
    from acgr.tools.report import write_reports

    if _other_pages(run_dir, out_dir):
        return
    with _guard("the run folder"):
        written = write_reports(run_dir, out_dir, rules=_rules(rules))
    pages = [p for p in written if p.name.startswith("report_") and p.suffix == ".html"]
    folder = out_dir or run_dir / "report"
    out.print(f"{len(pages):,} LEA reports written to {folder}", markup=False, soft_wrap=True)
    out.print(f"start at {folder / 'index.html'}", markup=False, soft_wrap=True)


@app.command("synth")
def synth_cmd(
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write.")],
    class_of: Annotated[
        int | None, typer.Option("--class-of", help="Expected graduation year Y (cohort mode).")
    ] = None,
    students: Annotated[
        int | None, typer.Option("--students", help="Students of the class (cohort mode).")
    ] = None,
    schools: Annotated[
        int | None, typer.Option("--schools", help="High schools (default N/350).")
    ] = None,
    leas: Annotated[int | None, typer.Option("--lea", help="LEAs (default schools/3).")] = None,
    classes: Annotated[int, typer.Option("--classes", help="Consecutive classes.")] = 1,
    lcff: Annotated[
        bool,
        typer.Option("--lcff", help="LCFF mode: every grade TK-12 of every school of --profiles."),
    ] = False,
    profiles: Annotated[
        Path | None,
        typer.Option("--profiles", help="CDE's school-level cupc sheet (tab-separated; --lcff)."),
    ] = None,
    year: Annotated[
        str | None,
        typer.Option("--year", help="Academic year, e.g. 2023-24 (--lcff; default the file's)."),
    ] = None,
    scale: Annotated[
        float, typer.Option("--scale", help="Share of the schools written (--lcff; 1 = all).")
    ] = 1.0,
) -> None:
    """Write realistic synthetic CALPADS extracts (no real student) for tests and benchmarks.

    Cohort mode (``--class-of``, ``--students``) writes the classes' high-school years;
    LCFF mode (``--lcff --profiles FILE``) writes every grade of every school of CDE's
    cupc sheet so that ``acgr lcff`` reproduces its counts (R10).
    """
    if lcff:
        _synth_lcff(out_dir, profiles=profiles, year=year, scale=scale, seed=seed)
        return
    if class_of is None or students is None:
        raise _fail("acgr synth needs --class-of and --students (or --lcff --profiles FILE)")
    from acgr.synth import write_synthetic

    with _guard("the synthetic extract"):
        summary = write_synthetic(
            out_dir,
            class_of=class_of,
            students=students,
            seed=seed,
            schools=schools,
            leas=leas,
            classes=classes,
        )
    out.print(
        f"{summary.students:,} students, {summary.senr_rows:,} SENR rows written to "
        f"{out_dir} in {summary.seconds:.1f} s"
    )


def _synth_lcff(
    out_dir: Path, *, profiles: Path | None, year: str | None, scale: float, seed: int
) -> None:
    """``acgr synth --lcff``: the statewide LCFF extract of :mod:`acgr.synth.lcff`."""
    if profiles is None:
        raise _fail("acgr synth --lcff needs --profiles FILE (CDE's school-level cupc sheet)")
    from acgr.synth import write_lcff_synthetic

    with _guard("the profile file"):
        s = write_lcff_synthetic(out_dir, profiles=profiles, year=year, scale=scale, seed=seed)
    out.print(
        f"LCFF {s.year}-{(s.year + 1) % 100:02d}: {s.students:,} students enrolled on Census Day "
        f"at {s.schools:,} schools ({s.skipped:,} skipped, listed in {s.skipped_path.name}), "
        f"{s.not_enrolled:,} noise students, {s.senr_rows:,} SENR rows written to {out_dir} "
        f"in {s.seconds:.1f} s"
    )


@app.command("da")
def da_cmd(
    certifications: Annotated[
        Path,
        typer.Option(
            "--certifications",
            help="CSV lea,academic_year,submission,deadline,certified_on[,lea_type].",
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for da.csv.")],
    findings: Annotated[
        Path | None,
        typer.Option("--findings", help="findings.csv of acgr validate/run (data quality)."),
    ] = None,
    rules: Annotated[
        str, typer.Option("--rules", help='da, or a rules file with base = "da".')
    ] = "da",
) -> None:
    """CALPADS Differentiated Assistance readiness per LEA and year (R11): da.csv."""
    from acgr.rules.differentiated_assistance import BUILTIN_DA_RULES, load_da_rules
    from acgr.rules.ruleset import settings_provenance
    from acgr.tools.differentiated_assistance import assess

    settings = _settings_or_exit(load_da_rules, rules)
    with _guard("the certification table"):
        result = assess(certifications, findings=findings, rules=settings)
        write_atomically(
            out_dir,
            {
                "da.csv": _csv_writer(result.table),
                "da_findings.csv": _csv_writer(result.findings),
            },
        )
    eligible = result.table.filter(pl.col("eligible") == "yes").height
    provenance = settings_provenance(settings, rules, BUILTIN_DA_RULES)
    # Plain writes, as for `acgr run`: the rules line must not be re-wrapped.
    sys.stdout.write(f"rules: {provenance.summary()}\n")
    sys.stdout.write(
        f"{result.table.height:,} LEA-years, {eligible:,} eligible, "
        f"{result.findings.height:,} findings; written to {out_dir}\n"
    )


def _other_pages(run_dir: Path, out_dir: Path | None) -> bool:
    """``acgr report`` on an ``acgr lcff`` or ``acgr da`` folder: its pages (R10, R11)."""
    from acgr.tools.report.pages import write_pages

    with _guard("the run folder"):
        written = write_pages(run_dir, out_dir)
    if written is None:
        return False
    sys.stdout.write(f"{len(written):,} pages written to {out_dir or run_dir / 'report'}\n")
    return True


def _csv_writer(frame: pl.DataFrame) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame.write_csv(path)

    return write


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("acgr: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()


__all__ = [
    "app",
    "main",
]
