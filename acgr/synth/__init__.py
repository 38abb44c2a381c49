"""Synthetic CALPADS extracts for tests and benchmarks (no real student).

:func:`write_synthetic` (in :mod:`acgr.synth.extract`) writes a statewide-looking,
deterministic set of caret-delimited extracts and a schools file.
"""

from acgr.synth.extract import GENERATOR_VERSION, SynthSummary, write_synthetic

__all__ = ["GENERATOR_VERSION", "SynthSummary", "write_synthetic"]
