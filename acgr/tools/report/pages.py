"""``acgr report DIR`` on the folder of another command: the LCFF and DA pages.

``acgr report`` renders an ``acgr run`` folder (:func:`acgr.tools.report.write_reports`);
given the folder of ``acgr lcff`` (it holds ``upc.txt``) or of ``acgr da`` (``da.csv``),
it writes that command's pages instead (:func:`write_pages`). The pages are rendered
from the Jinja templates of ``page_templates/`` (``lcff_index.html.j2``, ``lcff.html.j2``,
``da.html.j2``, with ``pages.css`` inlined; package data): self-contained, no
script, nothing fetched. They show counts and dates only, never a student identifier:
the LCFF student list (``upc_students.parquet``) is confidential and never read here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import jinja2

from acgr.publish.output import write_atomically
from acgr.tools.report.html import template_environment

#: The kinds of folder with pages of their own, told by the file each command writes.
Kind = Literal["lcff", "da"]
KIND_FILES: dict[Kind, str] = {"lcff": "upc.txt", "da": "da.csv"}


def folder_kind(run_dir: str | Path) -> Kind | None:
    """``lcff`` for an ``acgr lcff`` folder, ``da`` for an ``acgr da`` folder, else None.

    Examples:
        >>> folder_kind("/nonexistent") is None
        True
    """
    for kind, name in KIND_FILES.items():
        if (Path(run_dir) / name).is_file():
            return kind
    return None


def write_pages(run_dir: str | Path, out_dir: str | Path | None = None) -> list[Path] | None:
    """The pages of an ``acgr lcff`` or ``acgr da`` folder, written atomically into
    ``out_dir`` (default ``run_dir/report``); None when the folder is neither.

    Raises:
        FileNotFoundError: an output the pages need is missing.
        acgr.errors.ExtractError: an output cannot be read.
    """
    from acgr.tools.report.da_page import da_pages
    from acgr.tools.report.lcff_page import lcff_pages

    kind = folder_kind(run_dir)
    if kind is None:
        return None
    run = Path(run_dir)
    target = Path(out_dir) if out_dir is not None else run / "report"
    writers = lcff_pages(run) if kind == "lcff" else da_pages(run)
    return write_atomically(target, writers)


@cache
def environment() -> jinja2.Environment:
    """The page templates (package data), as the run report's templates are loaded."""
    return template_environment("page_templates")


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` in percent to a tenth, halves rounded up; ``-`` for 0 of 0.

    Examples:
        >>> percent(1, 8), percent(2, 3), percent(0, 0)
        ('12.5', '66.7', '-')
    """
    if whole <= 0:
        return "-"
    tenths = (part * 2000 + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}"


__all__ = ["KIND_FILES", "Kind", "environment", "folder_kind", "percent", "write_pages"]
