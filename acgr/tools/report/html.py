"""An LEA's self-contained HTML page, rendered from the Jinja templates shipped with the package.

``templates/report.html.j2`` is the page and ``templates/report.css`` its style sheet,
inlined into it; the charts are inline SVG (:mod:`acgr.tools.report.charts`). The page
fetches nothing and runs no script.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from acgr.tools.report.charts import gaps_chart, outcomes_chart
from acgr.tools.report.data import SMALL_COHORT

if TYPE_CHECKING:
    from acgr.tools.report.data import Lea


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


@cache
def _environment() -> jinja2.Environment:
    """The templates of ``acgr/tools/report/templates`` (package data), HTML-escaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("acgr.tools.report", "templates"),
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
