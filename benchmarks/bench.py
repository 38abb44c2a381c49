"""Benchmark ``acgr.pipeline.compute`` on a statewide synthetic CALPADS extract.

Usage (from the repository root, after ``pip install -e .``)::

    python benchmarks/bench.py                      # 500,000 class students, class of 2018
    python benchmarks/bench.py --students 20000     # quick run
    python benchmarks/bench.py --classes 3          # 3 classes in one folder, streaming engine

The extract is generated once by :func:`acgr.synth.write_synthetic` and cached
under ``benchmarks/.cache/`` keyed by (students, classes, seed, generator version), with
its canonical Parquet tables. Every case then runs in a fresh subprocess; the
parent measures its wall time and peak RSS (``os.wait4`` rusage of that child)
and kills it when its RSS passes ``--max-rss-gb`` (reported as ``killed``), so a
runaway case cannot take the machine down.

Cases:

* ``floor-read-caret``: Polars alone reading the four caret files as
  caret-separated text into string columns (no validation, no types): the floor
  a run from caret text cannot beat;
* ``read-senr-caret``: acgr's SENR parse as a run does it: ``read_inputs`` with a
  line store (single-type files by the CSV reader, after one pass over every
  file), the columns a run stages;
* ``floor-read-parquet``: Polars alone reading the four Parquet tables;
* ``compute-caret`` / ``compute-parquet``: ``acgr.pipeline.compute`` end to end for
  the first class, from the caret text and from the Parquet tables;
* ``run-caret``: the command ``acgr run`` on the caret text, writing its output
  files (acgr.txt, students.parquet, findings.csv) to a temporary folder;
* ``lcff``: the command ``acgr lcff`` (R10) on its own statewide extract: every
  grade TK-12 of every school of CDE's 2023-24 count file (about six million
  students), built once by :func:`acgr.synth.write_lcff_synthetic` and cached
  under ``benchmarks/.cache/lcff-s<seed>-v<version>``; the case also compares
  ``upc.txt`` with the published counts school by school (``mismatches``).
  Run alone (``--cases lcff``) it builds no cohort extract.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from acgr.read.extracts import Engine

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
CLASS_OF = 2018
CASES = (
    "floor-read-caret",
    "read-senr-caret",
    "floor-read-parquet",
    "compute-caret",
    "compute-parquet",
    "run-caret",
    "lcff",
)
#: Cases run on the LCFF extract (:func:`prepare_lcff`), not the cohort one.
LCFF_CASES = ("lcff",)
PROFILES = HERE.parent / "tests" / "data" / "cupc2324_schools.tsv"
TABLES = ("senr", "sinf", "sprg", "sela")


# ---------------------------------------------------------------------------------
# Children: each runs one step and prints one JSON line
# ---------------------------------------------------------------------------------
def _child(step: str, data: Path, engine: Engine, seed: int, students: int, classes: int) -> None:
    import polars as pl

    extract = data / "extract" / "calpads"
    parquet = data / "parquet"
    out: dict[str, Any] = {}
    if step == "generate":
        from acgr.synth import write_synthetic

        s = write_synthetic(
            data / "extract", class_of=CLASS_OF, students=students, seed=seed, classes=classes
        )
        out = {
            "rows": s.senr_rows,
            "students": s.students,
            "senr_rows": s.senr_rows,
            "sinf_rows": s.sinf_rows,
            "sprg_rows": s.sprg_rows,
            "sela_rows": s.sela_rows,
            "cohort_students": s.cohort_students,
            "expected_outcomes": {str(k): dict(v) for k, v in s.expected_outcomes.items()},
        }
    elif step == "to-parquet":
        from acgr.read.extracts import read_inputs

        ex = read_inputs(extract)
        parquet.mkdir(parents=True, exist_ok=True)
        for t in TABLES:
            ex.table(t).sink_parquet(parquet / f"{t}.parquet")
        out = {"rows": pl.scan_parquet(parquet / "senr.parquet").select(pl.len()).collect().item()}
    elif step == "floor-read-caret":
        # 46 columns: wider than any layout (SINF has 42 fields, plus 2 in ODS form).
        schema = {f"f{i}": pl.String for i in range(46)}
        rows = 0
        for f in sorted(extract.iterdir()):
            rows += (
                pl.scan_csv(
                    f,
                    has_header=False,
                    separator="^",
                    quote_char=None,
                    schema=schema,
                    missing_columns="insert",
                    truncate_ragged_lines=True,
                )
                .collect()
                .height
            )
        out = {"rows": rows}
    elif step == "read-senr-caret":
        from acgr.pipeline import STAGED_COLUMNS
        from acgr.read.extracts import read_inputs

        with tempfile.TemporaryDirectory() as store:
            senr = read_inputs(extract, line_store=Path(store)).senr
            out = {"rows": senr.select(STAGED_COLUMNS["senr"]).collect().height}
    elif step == "floor-read-parquet":
        out = {"rows": sum(pl.read_parquet(parquet / f"{t}.parquet").height for t in TABLES)}
    elif step in ("compute-caret", "compute-parquet"):
        from acgr.pipeline import compute

        src = extract if step == "compute-caret" else parquet
        peaks: dict[str, float] = {}
        current: list[str] = []

        def phase_peak(name: str) -> None:
            # Peak RSS per phase: read this process's high-water mark, then reset it
            # (Linux: writing 5 to clear_refs resets VmHWM).
            if current:
                peaks[current[-1]] = _hwm_mb()
            current.append(name)
            with contextlib.suppress(OSError):
                Path("/proc/self/clear_refs").write_text("5")

        res = compute(
            src,
            class_of=CLASS_OF,
            schools=data / "extract" / "schools.csv",
            engine=engine,
            progress=phase_peak,
        )
        if current:
            peaks[current[-1]] = _hwm_mb()
        # The resets above also reset the kernel's figure the parent reads.
        out["peak_mb"] = max(peaks.values(), default=0.0)
        counts = dict(res.students["outcome"].value_counts().iter_rows())
        out |= {
            "rows": res.students.height,
            "findings": res.findings.height,
            "outcomes": {k: int(v) for k, v in counts.items()},
            "phases": {k: round(v, 2) for k, v in res.timings.items()},
            "phase_peak_mb": {k: round(v) for k, v in peaks.items()},
        }
    elif step == "run-caret":
        from acgr.cli import app

        with tempfile.TemporaryDirectory() as out_dir:
            app(
                [
                    "run",
                    str(extract),
                    "--class-of",
                    str(CLASS_OF),
                    "--schools",
                    str(data / "extract" / "schools.csv"),
                    "--out",
                    out_dir,
                ],
                standalone_mode=False,
            )
            out = {
                "rows": pl.scan_parquet(Path(out_dir) / "students.parquet")
                .select(pl.len())
                .collect()
                .item()
            }
    elif step in ("lcff-generate", "lcff"):
        out = _lcff_child(step, data, seed)
    else:
        raise SystemExit(f"unknown step {step}")
    print("RESULT " + json.dumps(out), flush=True)


def _lcff_child(step: str, data: Path, seed: int) -> dict[str, Any]:
    """Build the LCFF extract, or run ``acgr lcff`` on it and count the schools whose
    counts differ from CDE's published ones."""
    import polars as pl

    if step == "lcff-generate":
        from acgr.synth import write_lcff_synthetic

        s = write_lcff_synthetic(data, profiles=PROFILES, seed=seed)
        return {
            "rows": s.senr_rows,
            "students": s.students,
            "schools": s.schools,
            "skipped": s.skipped,
            "not_enrolled": s.not_enrolled,
            "senr_rows": s.senr_rows,
            "sprg_rows": s.sprg_rows,
            "sela_rows": s.sela_rows,
        }
    from acgr.cli import app
    from acgr.publish.upc import COUNT_COLUMNS

    with tempfile.TemporaryDirectory() as out_dir:
        args = ["lcff", str(data / "calpads"), "--year", "2023-24", "--out", out_dir]
        for option, name in (("--schools", "schools.csv"), ("--foster", "foster.csv"),
                             ("--direct-cert", "direct_cert.csv")):  # fmt: skip
            args += [option, str(data / name)]
        app(args, standalone_mode=False)
        got = pl.read_csv(Path(out_dir) / "upc.txt", separator="\t", infer_schema=False)
    want = pl.read_csv(data / "expected_upc.txt", separator="\t", infer_schema=False)
    key, counts = ["County Code", "District Code", "School Code"], list(COUNT_COLUMNS)
    both = got.select(*key, *counts).join(
        want.select(*key, *counts), on=key, how="full", suffix="_cde", coalesce=True
    )
    differ = pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_cde")) for c in counts)
    total = got["Total Enrollment"].cast(pl.Int64).sum()
    return {"rows": int(total), "schools": got.height, "mismatches": both.filter(differ).height}


def _status_kb(pid: int | str, key: str) -> int:
    """A ``/proc/<pid>/status`` figure in kB (``VmRSS``, ``VmHWM``), 0 where missing."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _hwm_mb() -> float:
    """This process's peak RSS (VmHWM) in MB."""
    return _status_kb("self", "VmHWM") / 1024


# ---------------------------------------------------------------------------------
# Parent
# ---------------------------------------------------------------------------------
def _rss_kb(pid: int) -> int:
    return _status_kb(pid, "VmRSS")


def run_step(step: str, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run one step in a fresh interpreter; wall time, peak RSS, its JSON result."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        step,
        "--data",
        str(data),
        "--engine",
        args.engine,
        "--seed",
        str(args.seed),
        "--students",
        str(args.students),
        "--classes",
        str(args.classes),
    ]
    cap_kb = int(args.max_rss_gb * 1024 * 1024)
    killed: list[str] = []
    with tempfile.TemporaryFile("w+") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.25):
                if _rss_kb(proc.pid) > cap_kb:
                    killed.append(f"RSS > {args.max_rss_gb:g} GB")
                    proc.kill()
                    return
                if time.perf_counter() - t0 > args.timeout:
                    killed.append(f"timeout {args.timeout:g} s")
                    proc.kill()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        watcher.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        text = log.read()
    result: dict[str, Any] = {"step": step, "wall": wall, "peak_mb": usage.ru_maxrss / 1024}
    lines = [ln for ln in text.splitlines() if ln.startswith("RESULT ")]
    if lines and proc.returncode == 0:
        child = json.loads(lines[-1][len("RESULT ") :])
        child["peak_mb"] = max(result["peak_mb"], child.get("peak_mb", 0.0))
        result.update(child)
        result["status"] = "ok"
    else:
        result["status"] = killed[0] if killed else f"failed (exit {proc.returncode})"
        tail = "\n".join(text.splitlines()[-15:])
        print(f"--- {step} failed; last output:\n{tail}\n---", file=sys.stderr)
    return result


def prepare(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    """The cached extract (generated and converted to Parquet when missing)."""
    from acgr.synth import GENERATOR_VERSION

    data = CACHE / f"n{args.students}-k{args.classes}-s{args.seed}-v{GENERATOR_VERSION}"
    meta_path = data / "meta.json"
    if meta_path.exists() and not args.regenerate:
        return data, json.loads(meta_path.read_text())
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    meta: dict[str, Any] = {}
    for step in ("generate", "to-parquet"):
        print(f"[bench] {step} ...", flush=True)
        res = run_step(step, data, args)
        if res["status"] != "ok":
            raise SystemExit(f"{step} failed: {res['status']}")
        meta[step] = res
    meta["bytes"] = {
        "caret": sum(p.stat().st_size for p in (data / "extract" / "calpads").iterdir()),
        "parquet": sum(p.stat().st_size for p in (data / "parquet").iterdir()),
    }
    meta_path.write_text(json.dumps(meta, indent=1))
    return data, meta


def prepare_lcff(args: argparse.Namespace) -> tuple[Path, dict[str, Any]]:
    """The cached LCFF extract (generated when missing) and its sizes."""
    from acgr.synth import LCFF_GENERATOR_VERSION

    data = CACHE / f"lcff-s{args.seed}-v{LCFF_GENERATOR_VERSION}"
    meta_path = data / "meta.json"
    if meta_path.exists() and not args.regenerate:
        return data, json.loads(meta_path.read_text())
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    print("[bench] lcff-generate ...", flush=True)
    res = run_step("lcff-generate", data, args)
    if res["status"] != "ok":
        raise SystemExit(f"lcff-generate failed: {res['status']}")
    files = [*sorted((data / "calpads").iterdir()), data / "foster.csv", data / "direct_cert.csv"]
    meta = {"generate": res, "bytes": {p.name: p.stat().st_size for p in files}}
    meta_path.write_text(json.dumps(meta, indent=1))
    return data, meta


def _print_lcff_extract(data: Path, meta: dict[str, Any]) -> None:
    gen = meta["generate"]
    sizes = ", ".join(f"{k} {v / 2**20:,.0f} MB" for k, v in meta["bytes"].items())
    print(f"\nLCFF extract: {data}")
    print(
        f"  {gen['students']:,} students enrolled on Census Day at {gen['schools']:,} schools "
        f"({gen['skipped']} skipped), {gen['not_enrolled']:,} noise students; SENR "
        f"{gen['senr_rows']:,}, SPRG {gen['sprg_rows']:,}, SELA {gen['sela_rows']:,} rows"
    )
    print(f"  {sizes}; generator {gen['wall']:.1f} s, peak {gen['peak_mb']:,.0f} MB\n")


def _fmt_row(cells: list[str], widths: list[int]) -> str:
    pairs = enumerate(zip(cells, widths, strict=True))
    return "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in pairs)


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) the extract, time each case in a child process, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=500_000, help="students per class")
    p.add_argument("--classes", type=int, default=1, help="classes generated in one folder")
    p.add_argument("--seed", type=int, default=2018)
    p.add_argument(
        "--engine",
        default=None,
        choices=["auto", "streaming", "in-memory"],
        help="auto (default, 1 class) or streaming",
    )
    p.add_argument("--cases", default=",".join(CASES), help="comma-separated subset of cases")
    p.add_argument("--max-rss-gb", type=float, default=16.0, help="kill a case above this RSS")
    p.add_argument("--timeout", type=float, default=7200.0, help="kill a case after seconds")
    p.add_argument("--regenerate", action="store_true", help="ignore the cache")
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.engine is None:
        args.engine = "streaming" if args.classes > 1 else "auto"
    if args.child:
        _child(args.child, args.data, args.engine, args.seed, args.students, args.classes)
        return 0

    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    lcff_data: Path | None = None
    if any(c in LCFF_CASES for c in cases):
        lcff_data, lcff_meta = prepare_lcff(args)
        _print_lcff_extract(lcff_data, lcff_meta)
    if set(cases) <= set(LCFF_CASES):
        print("[bench] lcff ...", flush=True)
        return _report([run_step(c, lcff_data or CACHE, args) for c in cases], args, {})
    data, meta = prepare(args)
    gen, conv = meta["generate"], meta["to-parquet"]
    print(f"\nextract: {data}")
    print(
        f"  {args.classes} class(es) of {args.students:,} from {CLASS_OF}; {gen['students']:,} "
        f"students; SENR {gen['senr_rows']:,}, SINF {gen['sinf_rows']:,}, SPRG "
        f"{gen['sprg_rows']:,}, SELA {gen['sela_rows']:,} rows"
    )
    print(
        f"  caret {meta['bytes']['caret'] / 2**20:,.0f} MB, Parquet "
        f"{meta['bytes']['parquet'] / 2**20:,.0f} MB"
    )
    print(
        f"  generator: {gen['wall']:.1f} s, peak {gen['peak_mb']:,.0f} MB; to Parquet: "
        f"{conv['wall']:.1f} s, peak {conv['peak_mb']:,.0f} MB"
    )
    want = gen["expected_outcomes"].get(str(CLASS_OF), {})
    cohort = sum(v for k, v in want.items() if k != "Removed")
    print(
        f"  compute: class of {CLASS_OF}, engine={args.engine}, expected cohort {cohort:,}\n",
        flush=True,
    )

    results = []
    for case in cases:
        if case not in CASES:
            raise SystemExit(f"unknown case {case}; choose from {', '.join(CASES)}")
        print(f"[bench] {case} ...", flush=True)
        res = run_step(case, lcff_data if lcff_data and case in LCFF_CASES else data, args)
        results.append(res)
        if "outcomes" in res:
            res["matches_expected"] = res["outcomes"] == want
    return _report(results, args, meta)


def _report(results: list[dict[str, Any]], args: argparse.Namespace, meta: dict[str, Any]) -> int:
    """Print the table of ``results`` (and write ``--json``); 0 when every case passed."""
    for r in results:
        if r.get("mismatches"):  # the lcff case: schools whose counts are not CDE's
            r["status"] = f"{r['mismatches']:,} schools differ from CDE's counts"
    header = ["case", "wall s", "peak MB", "rows", "status"]
    rows = [
        [
            r["step"],
            f"{r['wall']:.1f}",
            f"{r['peak_mb']:,.0f}",
            f"{r['rows']:,}" if "rows" in r else "-",
            r["status"] + ("" if r.get("matches_expected", True) else " (outcomes differ!)"),
        ]
        for r in results
    ]
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    print()
    print(_fmt_row(header, widths))
    print(_fmt_row(["-" * w for w in widths], widths))
    for row in rows:
        print(_fmt_row(row, widths))
    for r in results:
        if r.get("phases"):
            peaks = r.get("phase_peak_mb", {})
            parts = ", ".join(
                f"{k} {v:.1f} s/{peaks.get(k, 0):,} MB" for k, v in r["phases"].items()
            )
            print(f"  {r['step']} phases (wall/peak RSS): {parts}")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    return 0 if all(r["status"] == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
