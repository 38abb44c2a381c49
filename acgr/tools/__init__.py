"""Analyst tools built on the pipeline.

* :mod:`acgr.tools.explain`: one student's records, outcome and the rule behind it.
* :mod:`acgr.tools.compare_rules`: a class under two rule sets.
* :mod:`acgr.tools.reconcile`: two ACGR files, cell by cell.
* :mod:`acgr.tools.dashboard`: the Dashboard graduation indicator (R8) from counts or
  ACGR tables; :mod:`acgr.tools.dashboard_run`: from extracts (R8.3);
  :mod:`acgr.tools.what_if`: the graduates a row needs for its next colour.
* :mod:`acgr.tools.report`: per-LEA HTML pages and Excel workbooks.
"""
