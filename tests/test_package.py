"""The package as a whole: the version it reports."""

from __future__ import annotations

import tomllib

import acgr
from tests.helpers import ROOT


def test_version_is_the_one_pyproject_sets() -> None:
    # arrange
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # act
    version = acgr.__version__
    # assert: a mismatch means a stale install (pip install -e . again), never a second copy
    assert version == pyproject["project"]["version"]
