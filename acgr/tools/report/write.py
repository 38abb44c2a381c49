"""The files of ``acgr report``, written atomically.

A page and a workbook per LEA of a run, and the run's index page linking them.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import acgr
from acgr.publish.output import write_atomically, write_text
from acgr.rules.ruleset import RuleSet, load_rules
from acgr.tools.report.data import IndexEntry, index_entry, read_run
from acgr.tools.report.html import render_html, render_index
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
    """Write ``report_<CDS7>.html`` and ``report_<CDS7>.xlsx`` for each LEA, and ``index.html``.

    ``index.html`` links every LEA's page and workbook, one line per LEA with its totals.

    Args:
        run_dir: the ``--out`` folder of ``acgr run`` (``acgr.txt``,
            ``students.parquet``, ``findings.csv``).
        out_dir: where to write; default ``run_dir / "report"``.
        rules: the rule set the run used (``acgr run`` default ``"2018"``): it
            names the outcome columns and the removal codes of the impact table.

    Returns:
        The files written, sorted by LEA (HTML then workbook), then ``index.html``,
        all written atomically: on failure none is replaced.

    Raises:
        FileNotFoundError: a run output is missing.
        ValueError: the outputs are not those of one acgr run.
    """
    run = Path(run_dir)
    target = Path(out_dir) if out_dir is not None else run / "report"
    ruleset = load_rules(rules)
    outputs = read_run(run)
    writers: dict[str, Callable[[Path], None]] = {}
    entries: list[IndexEntry] = []
    class_of: list[int] = []
    for cds7 in outputs.leas:
        page, workbook = f"report_{cds7}.html", f"report_{cds7}.xlsx"

        def seen(lea: Lea, page: str = page, workbook: str = workbook) -> None:
            entries.append(index_entry(lea, page, workbook))
            class_of.append(lea.class_of)

        html, xlsx = _lea_writers(partial(outputs.lea, cds7, ruleset), seen)
        writers[page] = html
        writers[workbook] = xlsx

    def index(path: Path) -> None:
        # Called last (write_atomically keeps the order): every LEA has been seen.
        text = render_index(
            entries,
            class_of=max(class_of, default=0),
            rules_name=ruleset.name,
            run_dir=str(run),
            version=acgr.__version__,
        )
        write_text(text)(path)

    writers["index.html"] = index
    return write_atomically(target, writers)


def _lea_writers(
    build: Callable[[], Lea],
    seen: Callable[[Lea], None],
) -> tuple[Callable[[Path], None], Callable[[Path], None]]:
    """Writers of one LEA's page and workbook that build its data once, when first needed.

    :func:`acgr.publish.output.write_atomically` calls them in order, page then workbook,
    so only one LEA's data is held at a time; ``seen`` is told of it (the index line).
    """
    held: list[Lea] = []

    def html(path: Path) -> None:
        held.append(build())
        seen(held[-1])
        write_text(render_html(held[-1]))(path)

    def xlsx(path: Path) -> None:
        write_workbook(held.pop() if held else build(), path)

    return html, xlsx
