"""How every command prints: a console that never reads user text as markup, and the analysis'
diagnostics as one line each."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from rich.console import Console

    from ..model.diagnostics import Diagnostic


def console(stderr: bool = False) -> Console:
    """A console that prints text as given: notebook names, stage names, code and paths are
    user text, and rich would otherwise read '[x]' as markup and ':a:' as an emoji. Styles are
    applied with Text objects, never by markup inside a string."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, emoji=False)


def print_diagnostics(console: Console, path: str, diags: Sequence[Diagnostic]) -> None:
    from rich.text import Text

    for d in diags:
        style = "red" if d.is_error else "yellow"
        console.print(Text(d.severity.value, style=style), d.render(path).split(": ", 1)[0] + ":",
                      d.message)


def yaml_value(value: object) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)
