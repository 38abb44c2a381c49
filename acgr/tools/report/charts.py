"""The two charts of an LEA's page, drawn with matplotlib as inline ``<svg>`` elements.

Bar lengths are floats, for geometry only; every number printed on a chart is the exact
text of the table it illustrates (:mod:`acgr.publish.rates`). Each SVG's element ids start
with the chart's id, so two charts can share a page, and the output is the same every run
(no date, ids hashed from the chart id).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import polars as pl
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

    from acgr.tools.report.data import Lea

_SVG_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 9,
    "hatch.color": "#ffffff",
}


def _svg(fig: Figure, chart_id: str) -> str:
    """The figure as an inline ``<svg>`` element whose ids all start with ``chart_id-``."""
    buf = io.StringIO()
    with mpl.rc_context({**_SVG_RC, "svg.hashsalt": chart_id}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{chart_id}-\1"', text)
    return re.sub(r"<svg ", f'<svg role="img" aria-labelledby="{chart_id}-caption" ', text, count=1)


def outcomes_chart(lea: Lea) -> str:
    """Each school's cohort split by outcome (100% stacked bars), the LEA total last."""
    cols = ["cds_code", "school_name", "cohort"]
    cols += [c for o in lea.outcomes for c in (o.key, f"{o.key}_rate")]
    total = pl.DataFrame([{c: lea.total[c] for c in cols}])
    rows = pl.concat([lea.schools.select(cols), total], how="vertical_relaxed").reverse()
    labels = [f"{n} (cohort {c:,})" for n, c in rows.select("school_name", "cohort").iter_rows()]
    ids = ["total", *rows["cds_code"].to_list()[1:]]  # the LEA total is drawn at the bottom
    cohorts = rows["cohort"].to_list()
    fig = Figure(figsize=(9.5, 1.6 + 0.4 * max(len(labels), 1)), layout="constrained")
    with mpl.rc_context(_SVG_RC):
        ax = fig.add_subplot()
        left = [0.0] * len(labels)
        for o in lea.outcomes:
            # Bar geometry only; every printed number is the exact text of acgr.publish.rates.
            shares = [100 * n / c if c else 0.0 for n, c in zip(rows[o.key], cohorts, strict=True)]
            bars = ax.barh(
                labels,
                shares,
                left=left,
                color=o.colour,
                edgecolor="white",
                linewidth=0.6,
                label=o.label,
                height=0.66,
            )
            texts = rows[f"{o.key}_rate"].to_list()
            for patch, key, share, x, text in zip(
                bars.patches, ids, shares, left, texts, strict=True
            ):
                patch.set_gid(f"bar-{o.key}-{key}")
                if share >= 7:  # wide enough to read
                    ax.text(
                        x + share / 2,
                        patch.get_y() + patch.get_height() / 2,
                        text,
                        ha="center",
                        va="center",
                        fontsize=7.5,
                        color="white" if o.key in ("graduates", "dropout") else "#222222",
                    )
            left = [a + b for a, b in zip(left, shares, strict=True)]
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of the adjusted cohort, % (Removed students are not in the cohort)")
        ax.spines[["top", "right"]].set_visible(False)
        ax.axhline(0.5, color="#333333", linewidth=0.8)  # schools above, LEA total below
        fig.legend(loc="outside lower center", ncols=min(len(lea.outcomes), 4), frameon=False)
    return _svg(fig, "chart-outcomes")


def gaps_chart(lea: Lea) -> str:
    """Each student group's rate minus the LEA rate (bars), small cohorts hatched and marked †."""
    rows = lea.groups.reverse()  # first category on top
    fig = Figure(figsize=(9.5, 1.3 + 0.34 * max(rows.height, 1)))
    with mpl.rc_context(_SVG_RC):
        ax = fig.add_subplot()
        labels, values = [], []
        for r in rows.iter_rows(named=True):
            mark = " †" if r["small"] else ""
            labels.append(f"{r['label']} (n={r['cohort']:,}){mark}")
            values.append(r["gap_tenths"] / 10)  # bar length only; labels are exact text
        bars = ax.barh(labels, values, height=0.62, color="#2166ac")
        span = max([abs(v) for v in values] + [1.0])
        for patch, r, v in zip(bars.patches, rows.iter_rows(named=True), values, strict=True):
            patch.set_gid(f"gap-{r['category']}" + ("-small" if r["small"] else ""))
            patch.set_facecolor("#2166ac" if v >= 0 else "#b2182b")
            if r["small"]:
                patch.set_alpha(0.45)
                patch.set_hatch("///")
            ax.text(
                v + (span * 0.02 if v >= 0 else -span * 0.02),
                patch.get_y() + patch.get_height() / 2,
                f"{r['gap']}  ({r['rate']}%)",
                va="center",
                ha="left" if v >= 0 else "right",
                fontsize=7.5,
                color="#222222",
            )
        ax.axvline(0, color="#333333", linewidth=1)
        ax.set_xlim(-span * 1.35, span * 1.35)
        rate = lea.total["graduates_rate"]
        ax.set_xlabel(
            f"graduation rate minus the LEA rate ({rate}%), percentage points"
            "   † cohort of 10 or fewer: not published, read with care"
        )
        ax.spines[["top", "right"]].set_visible(False)
        if not labels:
            ax.text(0.5, 0.5, "no cohort students", transform=ax.transAxes, ha="center")
    return _svg(fig, "chart-gaps")
