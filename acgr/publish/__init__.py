"""Publishing: counts, rates, suppression and the CDE files (R6).

* :mod:`acgr.publish.aggregation`: counts per school, LEA, county and state.
* :mod:`acgr.publish.rates`: half-up rates on exact ratios (R6.3).
* :mod:`acgr.publish.suppression`: small-cell suppression (R6.4).
* :mod:`acgr.publish.acgr_file`: the CDE ACGR file, written and read.
* :mod:`acgr.publish.output`: the output files of a run, written atomically.
"""
