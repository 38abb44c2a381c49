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

Cases (the default set: the two floors and the two runs):

* ``floor-caret``: the streaming read floor. Polars' streaming CSV scan of each
  caret file (caret-separated, every field a string, no quoting, lossy UTF-8),
  each column reduced to one number (its total byte length), all files
  collected together: every field of every file is parsed, nothing is typed,
  checked or kept, so no run reading the same files can be faster. Every ratio
  of a run from caret text is taken against it;
* ``floor-parquet``: the same for the Parquet tables (a text column reduced to
  its byte length, any other to the sum of its physical values); the floor of a
  run from Parquet;
* ``run-caret`` / ``run-parquet``: what ``acgr run`` does, from the caret text and
  from the Parquet tables: ``acgr.pipeline.compute`` for the first class, then
  its output files (acgr.txt, students.parquet, findings.csv) written to a
  temporary folder; timed per phase (``AcgrResult.timings``, plus ``write``);
* ``alloc-read-caret`` (not a floor): Polars reading the four caret files into
  46 string columns held in memory: it measures allocation more than parsing;
* ``read-senr-caret``: acgr's SENR parse as a run does it: ``read_inputs`` with a
  line store (single-type files by the CSV reader, after one pass over every
  file), the columns a run stages;
* ``alloc-read-parquet``: Polars reading the four Parquet tables into memory.

``--repeat N`` runs the cases N times, interleaved (floor, run, floor, run ...) so
that load from elsewhere on the machine falls on all of them alike, and reports
medians. The summary gives each run's ratio to its floor, its phases' shares
of the wall time, its peak memory, and which targets it meets: at most 2x its
floor; peak at most 2 GB (one class) or 3 GB (several); no phase above 35 % of
the run; the findings phase at most 25 %.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
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
    "floor-caret",
    "floor-parquet",
    "run-caret",
    "run-parquet",
    "alloc-read-caret",
    "read-senr-caret",
    "alloc-read-parquet",
)
DEFAULT_CASES = CASES[:4]
#: Each run case and the floor its ratio is taken against.
FLOOR_OF = {"run-caret": "floor-caret", "run-parquet": "floor-parquet"}
#: Targets: ratio to the floor, peak GB (one class, several), largest phase share,
#: findings share.
MAX_RATIO = 2.0
MAX_PEAK_GB = {False: 2.0, True: 3.0}
MAX_PHASE_SHARE = 0.35
MAX_FINDINGS_SHARE = 0.25
TABLES = ("senr", "sinf", "sprg", "sela")


# ---------------------------------------------------------------------------------
# Children: each runs one step and prints one JSON line
# ---------------------------------------------------------------------------------
def _child(step: str, data: Path, engine: Engine, seed: int, students: int, classes: int) -> None:
    import polars as pl

    extract = data / "extract" / "calpads"
    parquet = data / "parquet"
    out: dict[str, Any] = {}
    started = time.perf_counter()
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
    elif step == "floor-caret":
        out = {"files": _stream_floor(sorted(extract.iterdir()), caret=True)}
    elif step == "floor-parquet":
        out = {"files": _stream_floor(sorted(parquet.iterdir()), caret=False)}
    elif step == "alloc-read-caret":
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
    elif step == "alloc-read-parquet":
        out = {"rows": sum(pl.read_parquet(parquet / f"{t}.parquet").height for t in TABLES)}
    elif step in FLOOR_OF:
        out = _run(extract if step == "run-caret" else parquet, data, engine)
    else:
        raise SystemExit(f"unknown step {step}")
    # The work alone, without starting the interpreter and importing Polars.
    out["seconds"] = time.perf_counter() - started
    print("RESULT " + json.dumps(out), flush=True)


def _stream_floor(files: list[Path], *, caret: bool) -> int:
    """Stream every field of every file, each column reduced to one number; files read."""
    import polars as pl

    frames = []
    for f in files:
        if caret:
            frame = pl.scan_csv(
                f,
                separator="^",
                has_header=False,
                infer_schema=False,
                quote_char=None,
                encoding="utf8-lossy",
                truncate_ragged_lines=True,
            )
        else:
            frame = pl.scan_parquet(f)
        frames.append(
            frame.select(
                pl.col(pl.String).str.len_bytes().sum(),
                pl.exclude(pl.String).to_physical().cast(pl.Int64).sum(),
            )
        )
    pl.collect_all(frames, engine="streaming")
    return len(frames)


def _run(src: Path, data: Path, engine: Engine) -> dict[str, Any]:
    """``acgr run`` on ``src``: compute the first class, write its outputs; timed per phase."""
    from acgr.pipeline import compute
    from acgr.publish.output import write_run

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
    phase_peak("write")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out_dir:
        write_run(res, Path(out_dir))
    written = time.perf_counter() - started
    peaks["write"] = _hwm_mb()
    counts = dict(res.students["outcome"].value_counts().iter_rows())
    return {
        # The resets above also reset the kernel's figure the parent reads.
        "peak_mb": max(peaks.values(), default=0.0),
        "rows": res.students.height,
        "findings": res.findings.height,
        "outcomes": {k: int(v) for k, v in counts.items()},
        "phases": {**{k: round(v, 3) for k, v in res.timings.items()}, "write": round(written, 3)},
        "phase_peak_mb": {k: round(v) for k, v in peaks.items()},
    }


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
    p.add_argument(
        "--cases", default=",".join(DEFAULT_CASES), help=f"comma-separated, of {', '.join(CASES)}"
    )
    p.add_argument("--repeat", type=int, default=1, help="runs per case, interleaved (medians)")
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

    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    for case in cases:
        if case not in CASES:
            raise SystemExit(f"unknown case {case}; choose from {', '.join(CASES)}")
    runs: dict[str, list[dict[str, Any]]] = {c: [] for c in cases}
    # Interleaved (A B A B ...): load from elsewhere falls on every case alike.
    for i in range(args.repeat):
        for case in cases:
            print(f"[bench] {case} ({i + 1}/{args.repeat}) ...", flush=True)
            res = run_step(case, data, args)
            if "outcomes" in res:
                res["matches_expected"] = res["outcomes"] == want
            runs[case].append(res)
    results = [_median_result(runs[case]) for case in cases]
    _print_table(results, args.repeat)
    _print_targets(results, several=args.classes > 1)
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results, "runs": runs}, indent=1))
    return 0 if all(r["status"] == "ok" for r in results) else 1


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _median_result(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One case's runs summed up: medians of its times, phases and peaks."""
    ok = [r for r in runs if r["status"] == "ok"]
    failed = [r["status"] for r in runs if r["status"] != "ok"]
    out: dict[str, Any] = dict(ok[-1]) if ok else dict(runs[-1])
    out["status"] = failed[0] if failed else "ok"
    out["runs"] = len(runs)
    if ok:
        out["wall"] = _median([r["wall"] for r in ok])
        out["seconds"] = _median([r.get("seconds", r["wall"]) for r in ok])
        out["peak_mb"] = _median([r["peak_mb"] for r in ok])
        if any("phases" in r for r in ok):
            names = list(ok[-1].get("phases", {}))
            out["phases"] = {k: _median([r["phases"].get(k, 0.0) for r in ok]) for k in names}
        out["matches_expected"] = all(r.get("matches_expected", True) for r in ok)
    return out


def _print_table(results: list[dict[str, Any]], repeat: int) -> None:
    """The cases: median seconds (the work; and the process), peak, rows, ratio, status."""
    by_step = {r["step"]: r for r in results}
    header = ["case", "s (work)", "s (process)", "peak MB", "rows", "x floor", "status"]
    rows = []
    for r in results:
        floor = by_step.get(FLOOR_OF.get(r["step"], ""))
        ratio = (
            f"{r['seconds'] / floor['seconds']:.2f}"
            if floor and floor["status"] == "ok" and floor["seconds"]
            else "-"
        )
        rows.append(
            [
                r["step"],
                f"{r.get('seconds', r['wall']):.2f}",
                f"{r['wall']:.2f}",
                f"{r['peak_mb']:,.0f}",
                f"{r['rows']:,}" if "rows" in r else "-",
                ratio,
                r["status"] + ("" if r.get("matches_expected", True) else " (outcomes differ!)"),
            ]
        )
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    print(f"\nmedians of {repeat} run(s) per case, interleaved")
    print(_fmt_row(header, widths))
    print(_fmt_row(["-" * w for w in widths], widths))
    for row in rows:
        print(_fmt_row(row, widths))
    for r in results:
        if r.get("phases"):
            total = sum(r["phases"].values()) or 1.0
            peaks = r.get("phase_peak_mb", {})
            parts = ", ".join(
                f"{k} {v:.2f} s ({v / total:.0%}, {peaks.get(k, 0):,} MB)"
                for k, v in r["phases"].items()
            )
            print(f"  {r['step']} phases (wall, share, peak RSS): {parts}")


def _print_targets(results: list[dict[str, Any]], *, several: bool) -> None:
    """Each run against the targets: ratio to its floor, peak, largest phase, findings."""
    by_step = {r["step"]: r for r in results}
    peak_gb = MAX_PEAK_GB[several]
    for r in results:
        floor = by_step.get(FLOOR_OF.get(r["step"], ""))
        if r["status"] != "ok" or not r.get("phases") or not floor or floor["status"] != "ok":
            continue
        total = sum(r["phases"].values()) or 1.0
        name, largest = max(r["phases"].items(), key=lambda kv: kv[1])
        findings = r["phases"].get("findings", 0.0) / total
        checks = [
            (f"<= {MAX_RATIO:g}x {floor['step']}", r["seconds"] / floor["seconds"] <= MAX_RATIO,
             f"{r['seconds'] / floor['seconds']:.2f}x"),
            (f"peak <= {peak_gb:g} GB", r["peak_mb"] <= peak_gb * 1024,
             f"{r['peak_mb'] / 1024:.2f} GB"),
            (f"no phase > {MAX_PHASE_SHARE:.0%}", largest / total <= MAX_PHASE_SHARE,
             f"{name} {largest / total:.0%}"),
            (f"findings <= {MAX_FINDINGS_SHARE:.0%}", findings <= MAX_FINDINGS_SHARE,
             f"{findings:.0%}"),
        ]  # fmt: skip
        print(f"  {r['step']} targets:")
        for what, met, value in checks:
            print(f"    {'met    ' if met else 'NOT met'}  {what}: {value}")


if __name__ == "__main__":
    sys.exit(main())
