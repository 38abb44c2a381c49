"""Text for people: wrapping at word boundaries, plurals, tables that fit 100 columns,
school and LEA names from the schools file, and the scope an extract covers.

Every terminal line and every line of ``summary.txt`` is at most :data:`WIDTH`
characters; a line too long is wrapped between words, never cut inside one.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

#: Width of every line printed or written to a summary: a 100-column terminal.
WIDTH = 100


def wrap(text: str, width: int = WIDTH, indent: str = "", hang: str | None = None) -> list[str]:
    """``text`` as lines of at most ``width`` characters, broken between words.

    ``indent`` starts the first line, ``hang`` (default ``indent``) the others. A word
    longer than a line (a long file path) stands on a line of its own, whole.

    Examples:
        >>> wrap("exit it with the right code and date", 21, "  ")
        ['  exit it with the', '  right code and date']
        >>> wrap("see /a/very/long/path/to/findings.csv now", 12)
        ['see', '/a/very/long/path/to/findings.csv', 'now']
    """
    lines = textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent if hang is None else hang,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return lines or [indent.rstrip()]


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` and the noun agreeing with it, ``n`` with thousands separators.

    Examples:
        >>> plural(1, "finding"), plural(2, "finding"), plural(1_000, "LEA", "LEAs")
        ('1 finding', '2 findings', '1,000 LEAs')
    """
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


@dataclass(frozen=True)
class Column:
    """A column of :func:`text_table`: header, alignment, and whether it may wrap."""

    header: str
    right: bool = False
    wraps: bool = False


def text_table(
    columns: Sequence[Column], rows: Sequence[Sequence[object]], width: int = WIDTH
) -> list[str]:
    """A plain-text table indented two spaces, at most ``width`` wide.

    The one column marked ``wraps`` takes the width the others leave and wraps its
    text between words (continuation lines leave the other cells empty). A table
    whose fixed columns alone are too wide keeps them whole: nothing is cut.

    Examples:
        >>> for line in text_table(
        ...     [Column("rule"), Column("n", right=True), Column("example", wraps=True)],
        ...     [("R1.4", 1, "grade US record does not count toward any cohort")],
        ...     width=40,
        ... ):
        ...     print(line.rstrip())
          rule  n  example
          ----  -  ------------------------
          R1.4  1  grade US record does not
                   count toward any cohort
    """
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max([len(c.header), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    flexible = [i for i, c in enumerate(columns) if c.wraps]
    if flexible:
        i = flexible[0]
        fixed = 2 + sum(w + 2 for j, w in enumerate(widths) if j != i)
        longest_word = max([len(columns[i].header), *(len(w) for r in cells for w in r[i].split())])
        room = max(min(widths[i], width - fixed), longest_word)
        # As wide as its longest wrapped line, so the dashes end where the text does.
        widths[i] = max(
            [len(columns[i].header), *(len(x) for r in cells for x in wrap(r[i], room))]
        )

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(widths[j]) if columns[j].right else v.ljust(widths[j])
            for j, v in enumerate(values)
        ]
        return ("  " + "  ".join(parts)).rstrip()

    out = [line([c.header for c in columns]), line(["-" * w for w in widths])]
    for row in cells:
        pieces = [wrap(v, widths[j]) if columns[j].wraps and v else [v] for j, v in enumerate(row)]
        out.extend(
            line([p[k] if k < len(p) else "" for p in pieces])
            for k in range(max(len(p) for p in pieces))
        )
    return out


def school_names(directory: pl.DataFrame | None) -> dict[str, str]:
    """School name by 14-digit CDS code, from a schools directory (empty without one)."""
    if directory is None or directory.height == 0:
        return {}
    named = directory.filter(pl.col("school_name").fill_null("") != "")
    return dict(zip(named["cds_code"], named["school_name"], strict=True))


def lea_names(directory: pl.DataFrame | None) -> dict[str, str]:
    """LEA (district) name by 7-digit LEA code (county and district codes), first listed."""
    if directory is None or directory.height == 0:
        return {}
    named = (
        directory.filter(pl.col("district_name").fill_null("") != "")
        .select(pl.col("cds_code").str.slice(0, 7).alias("lea"), "district_name")
        .unique("lea", keep="first", maintain_order=True)
    )
    return dict(zip(named["lea"], named["district_name"], strict=True))


def school_label(cds: str | None, names: dict[str, str]) -> str:
    """``CDS name`` when the schools file names the school, else the CDS code alone.

    Examples:
        >>> school_label("19647331930000", {"19647331930000": "Vista Ridge High"})
        '19647331930000 Vista Ridge High'
        >>> school_label("19647331931000", {})
        '19647331931000'
    """
    if cds is None:
        return ""
    name = names.get(cds, "")
    return f"{cds} {name}" if name else cds


__all__ = [
    "WIDTH",
    "Column",
    "lea_names",
    "plural",
    "school_label",
    "school_names",
    "text_table",
    "wrap",
]
