"""Old import path of :mod:`acgr.pipeline`, kept for one release; import from there."""

from acgr.pipeline import *  # noqa: F403
from acgr.pipeline import __all__ as __all__
