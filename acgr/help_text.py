"""Help text that reads as a command line: ``--class-of YEAR``, ``PATH...``, ``--help``.

typer (0.2x) labels every parameter of ``--help`` with its Python type: ``--help
<bool>``, ``paths... <list[Path]>``, ``--out <path>`` and a usage line ``{paths}...``.
:func:`plain_value_names` makes the help name each value by its metavar instead (the
word the command line's users read: ``YEAR``, ``DIR``, ``FILE``), show nothing after
a flag, and write a required argument's usage as ``PATH...``.
"""

from __future__ import annotations

from typing import Any

import typer.core

#: The word shown for an option's value when it names no metavar, by Python type.
_WORDS = {"int": "N", "str": "TEXT", "Path": "PATH", "float": "NUMBER"}


def _option_label(self: Any, ctx: Any) -> str | None:
    """A flag takes no value: nothing; an option its metavar, else its type's name."""
    del ctx  # the label does not depend on the context
    if getattr(self, "is_flag", False) or getattr(self, "count", False):
        return None
    if self.metavar is not None:
        return str(self.metavar)
    bare = str(self.bare_type()) if hasattr(self, "bare_type") else "value"
    return _WORDS.get(bare, bare.upper())


def _argument_label(self: Any, ctx: Any) -> str | None:
    """An argument's name (its metavar) already says what it is: no type after it."""
    del self, ctx
    return None


def _argument_usage(self: Any, ctx: Any) -> list[str]:
    """``PATH...`` for a required list argument, ``[PATH]...`` for an optional one."""
    del ctx
    name = str(self.metavar or self.name.upper())
    more = "..." if self.nargs != 1 and not name.endswith("...") else ""
    return [f"{name}{more}" if self.required else f"[{name}]{more}"]


def plain_value_names() -> None:
    """Name values by metavar in the help of every typer command (see module docstring).

    Idempotent; a typer without these display hooks (before 0.2x) is left as it is.
    """
    option = getattr(typer.core, "TyperOption", None)
    argument = getattr(typer.core, "TyperArgument", None)
    if option is not None and hasattr(option, "display_type_rich"):
        option.display_type_rich = _option_label
    if argument is not None and hasattr(argument, "display_type_rich"):
        argument.display_type_rich = _argument_label
        argument.get_usage_pieces = _argument_usage


__all__ = ["plain_value_names"]
