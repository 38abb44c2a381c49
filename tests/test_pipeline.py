"""acgr.pipeline: every collect of a run honours the engine the caller chose."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import acgr
from acgr.pipeline import validate
from tests.helpers import FIXTURES, ROOT

PACKAGE = ROOT / "acgr"
#: Owned elsewhere for now: the readers collect a few line counts on the default engine.
NOT_YET = {PACKAGE / "read" / "extracts.py"}


def _spy_on_collects(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, int, object]]:
    """Record (module, line, engine) of every ``LazyFrame.collect`` called from the package."""
    calls: list[tuple[Path, int, object]] = []
    collect = pl.LazyFrame.collect

    def spy(self: pl.LazyFrame, *args: Any, **kwargs: Any) -> Any:
        caller = sys._getframe(1)
        path = Path(caller.f_code.co_filename).resolve()
        if path.is_relative_to(PACKAGE):
            calls.append((path, caller.f_lineno, kwargs.get("engine", "<default>")))
        return collect(self, *args, **kwargs)

    monkeypatch.setattr(pl.LazyFrame, "collect", spy)
    return calls


@pytest.mark.parametrize("engine", ["in-memory", "streaming"])
def test_every_collect_of_a_run_uses_the_callers_engine(
    monkeypatch: pytest.MonkeyPatch, engine: Any
) -> None:
    # arrange
    calls = _spy_on_collects(monkeypatch)
    # act: a run with every input, and validation without a class
    acgr.compute(
        FIXTURES / "extract",
        class_of=2018,
        schools=FIXTURES / "schools.csv",
        foster=FIXTURES / "foster.csv",
        engine=engine,
    )
    validate(FIXTURES / "extract", engine=engine)
    # assert
    assert calls
    other = {
        f"{path.relative_to(ROOT)}:{line} {used}"
        for path, line, used in calls
        if used != engine and path not in NOT_YET
    }
    assert not other
