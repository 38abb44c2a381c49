"""Old import path of :mod:`acgr.publish.acgr_file`, kept for one release; import from there."""

from acgr.publish.acgr_file import *  # noqa: F403
from acgr.publish.acgr_file import __all__ as __all__
