"""Helpers for tests and examples: CALPADS lines and frames, Hypothesis strategies.

* :mod:`acgr.testing.records`: :func:`record_line`, :func:`senr_line`,
  :func:`write_extract`, :func:`senr_frame`.
* :mod:`acgr.testing.strategies`: :func:`senr_histories` (needs the ``test`` extra).
"""

from acgr.testing.records import record_line, senr_frame, senr_line, write_extract
from acgr.testing.strategies import STRATEGY_EXIT_CODES, STRATEGY_SCHOOLS, senr_histories

__all__ = [
    "STRATEGY_EXIT_CODES",
    "STRATEGY_SCHOOLS",
    "record_line",
    "senr_frame",
    "senr_histories",
    "senr_line",
    "write_extract",
]
