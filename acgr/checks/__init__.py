"""Data-quality checks: findings, what a run read and lacked, and summaries.

* :mod:`acgr.checks.catalogue`: every finding id, what it means and what to fix.
* :mod:`acgr.checks.findings`: the findings table and how checks become rows.
* :mod:`acgr.checks.validation`: CALPADS record checks, overlaps, duplicates.
* :mod:`acgr.checks.impact`: outcome-sensitive findings and their effect on rates.
* :mod:`acgr.checks.verdict`: what was read and lacked, refusals and warnings.
* :mod:`acgr.checks.summary`: the summaries printed and written.
"""
