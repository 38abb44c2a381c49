"""Old import path of :mod:`acgr.read.extracts`, kept for one release; import from there."""

from acgr.read.extracts import *  # noqa: F403
from acgr.read.extracts import __all__ as __all__
