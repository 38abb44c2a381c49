"""Synthetic CALPADS extracts for tests and benchmarks (no real student).

:func:`write_synthetic` (in :mod:`acgr.synth.extract`) writes a statewide-looking,
deterministic set of caret-delimited extracts and a schools file;
:func:`write_lcff_synthetic` (in :mod:`acgr.synth.lcff`) writes every grade of every
school of CDE's LCFF count file, so that ``acgr lcff`` reproduces its counts (R10).
"""

from acgr.synth.extract import GENERATOR_VERSION, SynthSummary, write_synthetic
from acgr.synth.lcff import LCFF_GENERATOR_VERSION, LcffSynthSummary, write_lcff_synthetic

__all__ = [
    "GENERATOR_VERSION",
    "LCFF_GENERATOR_VERSION",
    "LcffSynthSummary",
    "SynthSummary",
    "write_lcff_synthetic",
    "write_synthetic",
]
