"""The errors acgr raises on purpose: one hierarchy, each message one line.

Every message names files, lines, settings or counts, never a student
identifier, so a caller may print it or log it as it is.

* :class:`AcgrError`: the base; catch it to catch any of them.
* :class:`ExtractError`: an input cannot be read at all (the message names the
  file and line).
* :class:`SchoolsFileError`: the schools directory, a side table, cannot be read
  or has no CDS code column; an ``ExtractError``, so one ``except`` catches every
  input that cannot be read.
* :class:`RefusedError`: the request or the inputs cannot support an answer
  (README, "When acgr refuses to answer"); also a ``ValueError``.
* :class:`acgr.rules.RulesError`: a rule-set file with wrong keys or values
  (one line per problem); also a ``ValueError``.
"""

from __future__ import annotations


class AcgrError(Exception):
    """Base of the errors acgr raises on purpose."""


class ExtractError(AcgrError):
    """An input that cannot be read at all. The message names the file and line."""


class SchoolsFileError(ExtractError):
    """A schools directory (``--schools``) that cannot be read, or has no CDS code column.

    A side table, not a CALPADS extract, so it has its own class; still an
    :class:`ExtractError`, since an input that cannot be read is one whatever its kind.
    """


class RefusedError(AcgrError, ValueError):
    """The request or the inputs cannot support an answer; the message says why, in one line."""


__all__ = ["AcgrError", "ExtractError", "RefusedError", "SchoolsFileError"]
