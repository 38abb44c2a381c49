"""The self-contained HTML pages, rendered from the Jinja templates shipped with the package.

``templates/report.html.j2`` is an LEA's page, ``templates/index.html.j2`` the run's index of
them, and ``templates/report.css`` the style sheet inlined into both; the charts are inline
SVG (:mod:`acgr.tools.report.charts`). A page fetches nothing and runs no script; its only
links are to its own sections and to the other pages of the same folder.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from acgr.publish.rates import rate_half_up
from acgr.tools.report.charts import gaps_chart, outcomes_chart
from acgr.tools.report.data import SMALL_COHORT

if TYPE_CHECKING:
    from collections.abc import Sequence

    from acgr.tools.report.data import IndexEntry, Lea


def render_html(lea: Lea) -> str:
    """The self-contained HTML page of one LEA."""
    sensitive: dict[str, list[dict[str, Any]]] = {}
    for row in lea.sensitive.iter_rows(named=True):
        sensitive.setdefault(row["cds_code"], []).append(row)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            lea=lea,
            total=lea.total,
            outcomes=lea.outcomes,
            schools=lea.schools.to_dicts(),
            groups=lea.groups.to_dicts(),
            fatal=lea.fatal.to_dicts(),
            impact=lea.impact.to_dicts(),
            sensitive_by_school=sensitive,
            other=lea.other_warnings.to_dicts(),
            students=lea.students.to_dicts(),
            outcomes_svg=Markup(outcomes_chart(lea)),
            gaps_svg=Markup(gaps_chart(lea)),
            small=SMALL_COHORT,
            version=lea.acgr_version,
        )
    )


def render_index(
    entries: Sequence[IndexEntry], *, class_of: int, rules_name: str, run_dir: str, version: str
) -> str:
    """The run's index page: one line per LEA linking its page and workbook, and the total."""
    cohort = sum(e.cohort for e in entries)
    graduates = sum(e.graduates for e in entries)
    return (
        _environment()
        .get_template("index.html.j2")
        .render(
            entries=entries,
            cohort=cohort,
            graduates=graduates,
            rate=rate_half_up(graduates, cohort),
            students=sum(e.students for e in entries),
            schools=sum(e.schools for e in entries),
            fatal=sum(e.fatal for e in entries),
            class_of=class_of,
            rules_name=rules_name,
            run_dir=run_dir,
            version=version,
        )
    )


@cache
def _environment() -> jinja2.Environment:
    """The templates of ``acgr/tools/report/templates`` (package data), HTML-escaped."""
    return template_environment("templates")


def template_environment(folder: str) -> jinja2.Environment:
    """The templates of one package-data folder of ``acgr/tools/report``: HTML-escaped,
    strict about missing values, with the ``num`` filter (thousands separated)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("acgr.tools.report", folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["num"] = _num
    return env


def _num(value: object) -> str:
    """Thousands separated for an int (``1,234``), anything else as text."""
    return f"{value:,}" if isinstance(value, int) else str(value)
