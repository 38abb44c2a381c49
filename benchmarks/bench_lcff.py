"""Benchmark ``acgr lcff`` (R10) on the statewide synthetic LCFF extract.

Usage (from the repository root, after ``pip install -e .``)::

    python benchmarks/bench_lcff.py [--seed 2324]

Every grade TK-12 of every school of CDE's 2023-24 count file (about six million
students) is built once by :func:`acgr.synth.write_lcff_synthetic` and cached under
``benchmarks/.cache/lcff-s<seed>-v<version>``. ``acgr lcff`` then runs in a child
process; the script prints its wall seconds and peak RSS (``os.wait4`` rusage) and the
number of schools whose counts differ from CDE's published ones (exit 1 when any do).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
PROFILES = HERE.parent / "tests" / "data" / "cupc2324_schools.tsv"


def prepare(seed: int) -> Path:
    """The cached extract, built when missing."""
    from acgr.synth import LCFF_GENERATOR_VERSION, write_lcff_synthetic

    data = HERE / ".cache" / f"lcff-s{seed}-v{LCFF_GENERATOR_VERSION}"
    if not (data / "expected_upc.txt").exists():
        started = time.perf_counter()
        write_lcff_synthetic(data, profiles=PROFILES, seed=seed)
        print(f"built {data} in {time.perf_counter() - started:.0f} s", flush=True)
    return data


def mismatches(upc: Path, expected: Path) -> int:
    """Schools whose count columns differ from the published ones (either side missing too)."""
    from acgr.publish.upc import COUNT_COLUMNS

    key, counts = ["County Code", "District Code", "School Code"], list(COUNT_COLUMNS)
    got = pl.read_csv(upc, separator="\t", infer_schema=False).select(*key, *counts)
    want = pl.read_csv(expected, separator="\t", infer_schema=False).select(*key, *counts)
    both = got.join(want, on=key, how="full", suffix="_cde", coalesce=True)
    differ = pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_cde")) for c in counts)
    return both.filter(differ).height


def main(argv: list[str] | None = None) -> int:
    """Build (once), time ``acgr lcff``, check the counts; 0 when every school matches."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=2324)
    args = parser.parse_args(argv)
    data = prepare(args.seed)
    with tempfile.TemporaryDirectory() as out_dir:
        cmd = [sys.executable, "-m", "acgr.cli", "lcff", str(data / "calpads"), "--year",
               "2023-24", "--out", out_dir, "--schools", str(data / "schools.csv"),
               "--foster", str(data / "foster.csv"), "--direct-cert",
               str(data / "direct_cert.csv")]  # fmt: skip
        started = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        if status:
            print(f"acgr lcff failed (status {status})")
            return 1
        bad = mismatches(Path(out_dir) / "upc.txt", data / "expected_upc.txt")
    size = sum(f.stat().st_size for f in (data / "calpads").iterdir()) / 1e6
    print(f"acgr lcff: {wall:.1f} s wall, peak {usage.ru_maxrss / 1e6:.2f} GB, "
          f"extract {size:,.0f} MB; schools differing from CDE's counts: {bad}")  # fmt: skip
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
