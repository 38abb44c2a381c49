"""The pages of an ``acgr lcff`` folder (docs/rules.md R10.5): counts only, public.

``lcff_index.html`` has the state, county and LEA rows of ``upc_lea.txt`` with each
LEA's unduplicated pupil percentage (UPC ÷ Total Enrollment) and a link to its page;
``lcff_<key>.html`` (key: the district's seven-digit county-district code, or a charter
school's 14-digit CDS code) has the LEA's row and its schools from ``upc.txt``, each
with its UPC were the findings that move it resolved (``upc_impact.csv``, R10.2, R10.4).
The confidential student list is never read: no page names a student.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from acgr.publish.output import write_text
from acgr.publish.upc import COUNT_COLUMNS, DISTRICT_SCHOOL_CODE
from acgr.tools.differentiated_assistance import read_text_csv
from acgr.tools.report.pages import environment, percent

#: The files of an ``acgr lcff`` folder the pages read (never ``upc_students.parquet``).
LCFF_INPUTS: tuple[str, ...] = ("upc.txt", "upc_lea.txt", "upc_impact.csv")
_UPC = "CALPADS Unduplicated Pupil Count (UPC)"
_TOTAL = "Total Enrollment"


def _read(run: Path, name: str, separator: str = "\t") -> pl.DataFrame:
    path = run / name
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not found; is {run} the folder of acgr lcff?")
    frame = read_text_csv(path, name, separator=separator)
    counts = [c for c in (*COUNT_COLUMNS, "upc", "upc_if_resolved") if c in frame.columns]
    return frame.with_columns(pl.col(c).cast(pl.Int64) for c in counts)


def _key() -> pl.Expr:
    """The page key of a row: county-district for a district, the CDS code for a charter."""
    cd = pl.concat_str(pl.col("County Code"), pl.col("District Code"))
    charter = pl.col("School Code").fill_null("").is_in(["", DISTRICT_SCHOOL_CODE]).not_()
    return pl.when(charter).then(pl.concat_str(cd, pl.col("School Code"))).otherwise(cd)


def _with_percent(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "upp": percent(r[_UPC], r[_TOTAL])} for r in rows]


def _schools(run: Path) -> pl.DataFrame:
    """``upc.txt`` with each school's page key and its UPC if resolved."""
    impact = _read(run, "upc_impact.csv", ",").select("cds_code", "upc_if_resolved")
    charter = pl.col("Charter School (Y/N)") == "Yes"
    cd = pl.concat_str(pl.col("County Code"), pl.col("District Code"))
    return (
        _read(run, "upc.txt")
        .with_columns(
            pl.concat_str(cd, pl.col("School Code")).alias("cds_code"),
            pl.when(charter)
            .then(pl.concat_str(cd, pl.col("School Code")))
            .otherwise(cd)
            .alias("key"),
        )
        .join(impact, on="cds_code", how="left")
        .with_columns(pl.col("upc_if_resolved").fill_null(pl.col(_UPC)))
    )


def lcff_pages(run: Path) -> dict[str, Callable[[Path], None]]:
    """Writers of ``lcff_index.html`` and one ``lcff_<key>.html`` per LEA (R10.5)."""
    leas = _read(run, "upc_lea.txt").with_columns(_key().alias("key"))
    schools = _schools(run)
    lea_rows = leas.filter(pl.col("Aggregate Level").is_in(["D", "S"]))
    year = leas["Academic Year"][0] if leas.height else ""
    env = environment()
    by_key = {str(k[0]): part for k, part in schools.partition_by("key", as_dict=True).items()}
    writers: dict[str, Callable[[Path], None]] = {
        "lcff_index.html": write_text(
            env.get_template("lcff_index.html.j2").render(
                year=year,
                state=_with_percent(leas.filter(pl.col("Aggregate Level") == "T").to_dicts()),
                counties=_with_percent(leas.filter(pl.col("Aggregate Level") == "C").to_dicts()),
                leas=_with_percent(lea_rows.to_dicts()),
                count_columns=list(COUNT_COLUMNS),
            )
        )
    }
    for lea in _with_percent(lea_rows.to_dicts()):
        part = by_key.get(lea["key"], schools.clear())
        writers[f"lcff_{lea['key']}.html"] = write_text(
            env.get_template("lcff.html.j2").render(
                year=year,
                lea=lea,
                schools=_with_percent(part.sort("cds_code").to_dicts()),
                count_columns=list(COUNT_COLUMNS),
                resolved_gain=int((part["upc_if_resolved"] - part[_UPC]).sum()),
            )
        )
    return writers


__all__ = ["LCFF_INPUTS", "lcff_pages"]
