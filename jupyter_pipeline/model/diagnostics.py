"""Diagnostics: what the analysis has to say about the user's notebook, with a location.

Cells are held by their index (0-based, as nbformat lists them) and shown to the user by their
number as JupyterLab counts them (1-based, over all cells: "Cell 3/23" in its status bar is
index 2). Every text that names a cell goes through `cell_name`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"  # blocks a conversion: nothing is written
    WARNING = "warning"  # converted, but the user should look (a conservative choice was made)
    INFO = "info"


def cell_number(index: int) -> int:
    """The number JupyterLab shows for the cell at `index`."""
    return index + 1


def cell_name(index: int) -> str:
    """"cell 3" for the cell at index 2: how every message names a cell."""
    return f"cell {cell_number(index)}"


@dataclass(frozen=True)
class Diagnostic:
    code: str  # stable, machine-readable, e.g. "syntax-error", "star-import"
    severity: Severity
    message: str  # says what is wrong and what to do next
    cell: int | None = None  # index of the cell in the notebook (0-based, as nbformat lists them)
    line: int | None = None  # 1-based line within the cell
    column: int | None = None  # 1-based column
    excerpt: str | None = None  # the source line, with a caret under `column`, for syntax errors

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def where(self, notebook: str) -> str:
        parts = [notebook]
        if self.cell is not None:
            parts.append(cell_name(self.cell))
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)

    def render(self, notebook: str) -> str:
        text = f"{self.where(notebook)}: {self.severity.value}: {self.message}"
        if self.excerpt:
            text += "\n" + "\n".join("    " + ln for ln in self.excerpt.splitlines())
        return text

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "cell": self.cell,
            "number": cell_number(self.cell) if self.cell is not None else None,
            "line": self.line,
            "column": self.column,
        }
