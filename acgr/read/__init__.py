"""Reading: CALPADS extracts and side tables into typed canonical Polars tables.

* :mod:`acgr.read.layouts`: the field layouts of SENR, SINF, SPRG and SELA.
* :mod:`acgr.read.extracts`: caret text, Parquet, CSV and frames into :class:`Extracts`.
* :mod:`acgr.read.directory`: the schools directory (names, charter and DASS flags).
* :mod:`acgr.read.cds`: CDS codes built from a record's LEA and school, and split.
"""
