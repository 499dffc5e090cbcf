"""Where a stage notebook is, named for the user: the cell running now ("cell 2/4") and the cell
that raised (its number in the user's notebook, the line and that line's source), read from
the stage notebook papermill runs and the executed notebook it leaves.

The stage notebook lists the number JupyterLab shows for each of the user's cells it holds
(`metadata.nb2pipe.cell_numbers`, by cell id); nb2pipe's own cells (loading inputs, saving
outputs) and papermill's parameters cell are named by what they do."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

# nb2pipe's own cells of a stage notebook, by id, as progress names them.
_OWN_CELLS = {"nb2pipe-parameters": "parameters", "nb2pipe-load": "loading inputs",
              "nb2pipe-save": "saving outputs"}
# IPython names a frame of a cell "Cell In[7], line 3" (colours stripped first).
_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class CellPlaces:
    """How progress names each code cell of a stage notebook as it starts."""

    labels: Mapping[str, str]  # cell id -> "cell 2/4", "loading inputs", ...

    @classmethod
    def of(cls, notebook: Mapping[str, Any]) -> "CellPlaces":
        numbers = cell_numbers(notebook)
        code = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
        # Before cell_numbers were written, every code cell counts.
        own = [str(c.get("id", "")) for c in code
               if (str(c.get("id", "")) in numbers) or not numbers]
        labels = {cell_id: f"cell {n}/{len(own)}" for n, cell_id in enumerate(own, 1)}
        for cell in code:
            cell_id = str(cell.get("id", ""))
            if cell_id not in labels:
                labels[cell_id] = _OWN_CELLS.get(cell_id, "setup")
        return cls(labels)

    def label(self, cell: Mapping[str, Any]) -> str | None:
        """None for a markdown cell (papermill reports those starting too)."""
        if cell.get("cell_type") != "code":
            return None
        found = self.labels.get(str(cell.get("id", "")))
        if found is not None:
            return found
        # The cell papermill adds after the parameters cell has an id of its own.
        tags = (cell.get("metadata") or {}).get("tags") or []
        return "parameters" if "injected-parameters" in tags else "setup"


def cell_numbers(notebook: Mapping[str, Any]) -> dict[str, int]:
    """{cell id: its number in the user's notebook} from a stage notebook's metadata."""
    meta = ((notebook.get("metadata") or {}).get("nb2pipe") or {}).get("cell_numbers")
    if not isinstance(meta, dict):
        return {}
    return {str(k): v for k, v in meta.items() if isinstance(v, int)}


@dataclass(frozen=True)
class RaisingCell:
    """The cell whose code raised, as the user finds it in their notebook."""

    cell_id: str
    number: int | None  # as JupyterLab shows it; None when the stage notebook does not say
    line: int | None  # 1-based, within the cell
    source: str | None  # that line of the cell, stripped

    def describe(self) -> str:
        """"cell 5, line 2 (`y = f('b')`)"; "cell 'c0ffee'" when the number is not known."""
        where = f"cell {self.number}" if self.number is not None else f"cell {self.cell_id!r}"
        if self.line is not None:
            where += f", line {self.line}"
        if self.source:
            where += f" (`{self.source}`)"
        return where


def raising_cell(executed: Path, stage_notebook: Path) -> RaisingCell | None:
    """The cell of the executed notebook holding the error output (papermill puts an error
    banner at its top, so positions shift: find the output), or None."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        numbers = cell_numbers(json.loads(stage_notebook.read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError):
        numbers = {}
    for cell in cells:
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            cell_id = str(cell.get("id", "?"))
            line = _raising_line(errors[0].get("traceback") or [], cell.get("execution_count"))
            source = _source_line(cell.get("source", ""), line)
            return RaisingCell(cell_id, numbers.get(cell_id), line, source)
    return None


def _raising_line(traceback: list[str], execution_count: object) -> int | None:
    """The line of the cell itself in IPython's traceback (the frame "Cell In[<its count>]"),
    not that of a function it called from another cell."""
    frames = [(int(m.group(1)), int(m.group(2)))
              for text in traceback for m in _FRAME.finditer(_ANSI.sub("", str(text)))]
    own = [line for count, line in frames if count == execution_count]
    return own[0] if own else None


def _source_line(source: object, line: int | None) -> str | None:
    text = "".join(source) if isinstance(source, list) else str(source)
    lines = text.splitlines()
    if line is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1].strip()[:120] or None
