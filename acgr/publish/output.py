"""Output files of a run, written atomically (docs/formats.md, outputs of acgr run).

* ``acgr.txt``: the public CDE-layout file (suppressed, R6.4).
* ``students.parquet``: one row per student of the class (confidential).
* ``students.csv``: the same students as a list in the words of CALPADS Report 15.2
  (:mod:`acgr.publish.student_list`; confidential).
* ``findings.csv``: data-quality findings (confidential: has SSIDs).
* ``summary.txt``: what the run read and lacked, the rule set and every setting
  it overrides, warnings, counts and findings per rule (no identifiers).

Every file is first written to a temporary name in the output folder; only when
all of them are complete are they renamed into place, so a failed run never
leaves a half-written file and keeps the previous outputs intact.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl

from acgr.checks.summary import run_summary
from acgr.pipeline import AcgrResult
from acgr.publish.student_list import school_names_from_rates, student_list, write_student_list


def _temp_in(folder: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(tmp)


def write_atomically(folder: Path, writers: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Run each ``writer(temp_path)`` then rename all temps to their names together.

    On any failure every temporary file is removed and no target is touched.
    """
    folder.mkdir(parents=True, exist_ok=True)
    temps: dict[str, Path] = {}
    try:
        for name, write in writers.items():
            temps[name] = _temp_in(folder, name)
            write(temps[name])
    except BaseException:
        for tmp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise
    done = []
    for name, tmp in temps.items():
        target = folder / name
        tmp.replace(target)
        done.append(target)
    return done


def write_text(text: str) -> Callable[[Path], None]:
    """A writer of UTF-8 text with LF line ends."""

    def write(path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)

    return write


def write_run(result: AcgrResult, out_dir: str | Path) -> list[Path]:
    """Write ``acgr.txt``, ``students.parquet``, ``students.csv``, ``findings.csv`` and
    ``summary.txt``."""

    def students(path: Path) -> None:
        result.students.write_parquet(path)

    def listed(path: Path) -> None:
        names = school_names_from_rates(result.rates)
        write_student_list(student_list(result.students, result.rules, names).collect(), str(path))

    def findings(path: Path) -> None:
        result.findings.write_csv(path)

    return write_atomically(
        Path(out_dir),
        {
            "acgr.txt": write_text(result.acgr_text()),
            "students.parquet": students,
            "students.csv": listed,
            "findings.csv": findings,
            "summary.txt": write_text("\n".join(run_summary(result)) + "\n"),
        },
    )


def findings_by_severity(findings: pl.DataFrame) -> dict[str, int]:
    """Counts of findings per severity (``fatal``, ``warning``)."""
    counts = {"fatal": 0, "warning": 0}
    for sev, n in findings.group_by("severity").len().iter_rows():
        counts[str(sev)] = int(n)
    return counts


__all__ = [
    "findings_by_severity",
    "write_atomically",
    "write_run",
    "write_text",
]
