"""Confidential per-LEA reports of a run: ``acgr report DIR`` (docs/formats.md).

For every LEA (county + district code) with a student in ``DIR/students.parquet``
this writes, next to each other in ``DIR/report/`` (or ``out_dir``):

* ``report_<CDS7>.html``: one self-contained page (inline CSS and SVG, no
  JavaScript, nothing fetched) with the school table, a stacked-bar chart of
  outcomes by school, a chart of each student group's rate gap to the LEA rate,
  the findings that matter most and the student list;
* ``report_<CDS7>.xlsx``: the same tables as sheets (``About``, ``Schools``,
  ``Groups``, ``Findings``, ``Impact``, ``Students``) with native Excel charts; every
  header row wrapped and frozen, every sheet printing landscape, one page wide, with its
  header row repeated on each page;
* ``index.html``: one line per LEA of the run (names, totals, fatal findings) linking its
  page and workbook, and the total of all of them.

The student list shows each student's groups (race, gender, programs: R5.7) and, when the
run read them (``students.parquet`` has the legal name columns), the student's legal name.

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

Modules, one job each:

* :mod:`acgr.tools.report.data`: the run folder read and split by LEA, each LEA's tables;
* :mod:`acgr.tools.report.charts`: the page's two charts as inline SVG (matplotlib);
* :mod:`acgr.tools.report.html`: the pages, from ``templates/report.html.j2``,
  ``templates/index.html.j2`` and ``templates/report.css`` (Jinja, package data);
* :mod:`acgr.tools.report.workbook`: the Excel workbook, one function per sheet;
* :mod:`acgr.tools.report.write`: :func:`write_reports`, both files of every LEA and the
  index, atomically.
"""

from __future__ import annotations

from acgr.publish.acgr_file import CATEGORY_LABELS
from acgr.tools.report.data import OUTCOME_SENSITIVE_RULES, SMALL_COHORT
from acgr.tools.report.workbook import SHEETS
from acgr.tools.report.write import write_reports

__all__ = [
    "CATEGORY_LABELS",
    "OUTCOME_SENSITIVE_RULES",
    "SHEETS",
    "SMALL_COHORT",
    "write_reports",
]
