"""The files of ``acgr report``: one page and one workbook per LEA of a run, written atomically."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from acgr.publish.output import write_atomically, write_text
from acgr.rules.ruleset import RuleSet, load_rules
from acgr.tools.report.data import read_run
from acgr.tools.report.html import render_html
from acgr.tools.report.workbook import write_workbook

if TYPE_CHECKING:
    from collections.abc import Callable

    from acgr.tools.report.data import Lea


def write_reports(
    run_dir: str | Path,
    out_dir: str | Path | None = None,
    *,
    rules: str | Path | RuleSet = "2018",
) -> list[Path]:
    """Write ``report_<CDS7>.html`` and ``report_<CDS7>.xlsx`` for each LEA of a run.

    Args:
        run_dir: the ``--out`` folder of ``acgr run`` (``acgr.txt``,
            ``students.parquet``, ``findings.csv``).
        out_dir: where to write; default ``run_dir / "report"``.
        rules: the rule set the run used (``acgr run`` default ``"2018"``): it
            names the outcome columns and the removal codes of the impact table.

    Returns:
        The files written, sorted by LEA (HTML then workbook), all written
        atomically: on failure none is replaced.

    Raises:
        FileNotFoundError: a run output is missing.
        ValueError: the outputs are not those of one acgr run.
    """
    run = Path(run_dir)
    target = Path(out_dir) if out_dir is not None else run / "report"
    ruleset = load_rules(rules)
    outputs = read_run(run)
    writers: dict[str, Callable[[Path], None]] = {}
    for cds7 in outputs.leas:
        html, xlsx = _lea_writers(partial(outputs.lea, cds7, ruleset))
        writers[f"report_{cds7}.html"] = html
        writers[f"report_{cds7}.xlsx"] = xlsx
    return write_atomically(target, writers)


def _lea_writers(
    build: Callable[[], Lea],
) -> tuple[Callable[[Path], None], Callable[[Path], None]]:
    """Writers of one LEA's page and workbook that build its data once, when first needed.

    :func:`acgr.publish.output.write_atomically` calls them in order, page then workbook,
    so only one LEA's data is held at a time.
    """
    held: list[Lea] = []

    def html(path: Path) -> None:
        held.append(build())
        write_text(render_html(held[-1]))(path)

    def xlsx(path: Path) -> None:
        write_workbook(held.pop() if held else build(), path)

    return html, xlsx
