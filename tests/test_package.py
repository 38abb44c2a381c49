"""The package as a whole: the version it reports, and how long its functions are."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import acgr
from tests.helpers import ROOT

#: A function longer than this (``def`` line to last line, docstring included) hides
#: its steps: split it into named functions, or list it below with its reason.
MAX_LINES = 60

#: Every function of ``acgr/`` over MAX_LINES lines, each with why it stays long. The
#: test fails on a long function not listed here, and on a listed one that is gone
#: or short now (then delete its line), so the list cannot grow or rot unseen.
LONG_FUNCTIONS: dict[str, str] = {
    # Its docstring documents each of the ten arguments of the library's entry point;
    # the body is the run's steps, each a named function (the reason stands beside it).
    "acgr/pipeline.py:compute": "entry point: every argument documented",
}


def test_version_is_the_one_pyproject_sets() -> None:
    # arrange
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # act
    version = acgr.__version__
    # assert: a mismatch means a stale install (pip install -e . again), never a second copy
    assert version == pyproject["project"]["version"]


def _functions(path: Path) -> Iterator[tuple[str, int]]:
    """``(qualified name, lines)`` of every function in ``path``, nested ones included."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                assert child.end_lineno is not None
                yield f"{prefix}{child.name}", child.end_lineno - child.lineno + 1
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    yield from walk(ast.parse(path.read_text(encoding="utf-8")), "")


def test_no_function_over_60_lines_without_a_listed_reason() -> None:
    # arrange
    package = ROOT / "acgr"
    # act
    long = {
        f"{path.relative_to(ROOT).as_posix()}:{name}": lines
        for path in sorted(package.rglob("*.py"))
        for name, lines in _functions(path)
        if lines > MAX_LINES
    }
    # assert
    unlisted = {f: n for f, n in long.items() if f not in LONG_FUNCTIONS}
    assert not unlisted, f"split these into named steps, or list them with a reason: {unlisted}"
    stale = sorted(set(LONG_FUNCTIONS) - set(long))
    assert not stale, f"gone or {MAX_LINES} lines or fewer now, delete from LONG_FUNCTIONS: {stale}"
