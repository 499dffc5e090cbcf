"""The notebook as nb2pipe sees it: an ordered list of cells with their tags.

Built from the JSON dict nbformat reads; no disk access here (files.py does the reading).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, NoReturn

from ..errors import NotebookReadError
from .diagnostics import cell_name


@dataclass(frozen=True)
class Cell:
    index: int  # position in the notebook, counting every cell (markdown too)
    cell_type: str  # "code", "markdown" or "raw"
    source: str
    id: str | None  # nbformat >= 4.5 cell id; None in older notebooks
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_code(self) -> bool:
        return self.cell_type == "code"

    @property
    def stable_id(self) -> str:
        """The cell id, or a deterministic stand-in for notebooks older than nbformat 4.5."""
        return self.id or f"cell-{self.index}"


@dataclass(frozen=True)
class Notebook:
    path: str  # as the user named it; used in every message
    cells: tuple[Cell, ...]
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    nbformat_minor: int = 5

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.is_code)

    @property
    def kernel_name(self) -> str | None:
        spec = self.metadata.get("kernelspec") or {}
        return spec.get("name") if isinstance(spec, Mapping) else None

    @property
    def generated_stage(self) -> tuple[str, str] | None:
        """(source notebook's file name, stage) when this is a stage notebook nb2pipe generated,
        or the executed copy of one (papermill keeps the metadata); else None."""
        mark = self.metadata.get("nb2pipe")
        if isinstance(mark, Mapping) and isinstance(mark.get("stage"), str):
            source = mark.get("notebook")
            return (source if isinstance(source, str) else "the source notebook"), mark["stage"]
        return None

    @classmethod
    def from_dict(cls, path: str, data: Any) -> "Notebook":
        """Validate the shape nb2pipe relies on and build the value; raise NotebookReadError."""
        if not isinstance(data, Mapping) or "cells" not in data and "worksheets" not in data:
            raise NotebookReadError(
                path,
                "is JSON but not a Jupyter notebook (no 'cells' list)",
                "Pass an .ipynb file saved by Jupyter.",
            )
        major = data.get("nbformat")
        if isinstance(major, int) and not isinstance(major, bool) and major != 4:
            raise NotebookReadError(
                path,
                f"is in nbformat {major}, and nb2pipe reads nbformat 4",
                "Open and save it in JupyterLab, or run "
                f"'jupyter nbconvert --to notebook --nbformat 4 --inplace {path}'.",
            )
        if major != 4 or isinstance(major, bool):
            _malformed(path, f"has {_shown('nbformat', major)} where Jupyter writes the number 4")
        minor = data.get("nbformat_minor", 0)
        if not isinstance(minor, int) or isinstance(minor, bool) or minor < 0:
            _malformed(path, f"has {_shown('nbformat_minor', minor)} where Jupyter writes a "
                             "whole number")
        metadata = data.get("metadata", {})
        if not isinstance(metadata, Mapping):
            _malformed(path, f"has {_shown('metadata', metadata)} where Jupyter writes an object")
        _check_values(path, "the notebook's metadata", metadata)
        raw_cells = data.get("cells")
        if not isinstance(raw_cells, list):
            raise NotebookReadError(
                path, "has no 'cells' list", "Pass an .ipynb file saved by Jupyter."
            )
        cells = tuple(_cell(path, index, raw) for index, raw in enumerate(raw_cells))
        return cls(path=path, cells=cells, metadata=metadata, nbformat_minor=minor)


def _cell(path: str, index: int, raw: Any) -> Cell:
    where = cell_name(index)
    if not isinstance(raw, Mapping) or "cell_type" not in raw:
        _malformed(path, f"has a malformed {where} (no 'cell_type')")
    cell_type = raw["cell_type"]
    if not isinstance(cell_type, str):
        _malformed(path, f"has {_shown('cell_type', cell_type)} in {where}, where Jupyter writes "
                         "'code', 'markdown' or 'raw'")
    source = raw.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    if not isinstance(source, str):
        _malformed(path, f"has {_shown('source', source)} in {where}, where Jupyter writes text "
                         "or a list of lines")
    metadata = raw.get("metadata", {})
    if not isinstance(metadata, Mapping):
        _malformed(path, f"has {_shown('metadata', metadata)} in {where}, where Jupyter writes "
                         "an object")
    tags = metadata.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        _malformed(path, f"has {_shown('tags', tags)} in {where}, where Jupyter writes a list of "
                         "strings")
    _check_source(path, index, source)
    _check_values(path, f"the metadata of {where}", metadata)
    cell_id = raw.get("id")
    if cell_id is not None and not isinstance(cell_id, str):
        _malformed(path, f"has {_shown('id', cell_id)} in {where}, where Jupyter writes a string")
    return Cell(index=index, cell_type=cell_type, source=source, id=cell_id, tags=tuple(tags),
                metadata=metadata)


# Deeper than any metadata a tool writes, shallow enough that copying it into a stage notebook
# and serialising it again cannot exhaust Python's recursion limit.
_MAX_DEPTH = 100


def _bad_text(text: str) -> int | None:
    """Offset of the first lone surrogate in `text` (JSON can spell one, '\\ud800'; UTF-8
    cannot, so no generated file could hold it), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def _check_source(path: str, index: int, source: str) -> None:
    offset = _bad_text(source)
    if offset is not None:
        line = source.count("\n", 0, offset) + 1
        char = ascii(source[offset])
        _not_unicode(path, f"{cell_name(index)}, line {line}", char)


def _not_unicode(path: str, where: str, char: str) -> NoReturn:
    raise NotebookReadError(
        path, f"has a character that is not valid Unicode ({char}, a lone surrogate) in "
              f"{where}", "Delete or retype that character in the notebook, then convert again")


def _check_values(path: str, where: str, value: Any) -> None:
    """Every string in `value` is valid Unicode and it nests at most _MAX_DEPTH levels; checked
    without recursion, so a hostile notebook cannot crash the check itself."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > _MAX_DEPTH:
            _malformed(path, f"has {where} nested deeper than {_MAX_DEPTH} levels")
        if isinstance(item, str):
            if _bad_text(item) is not None:
                _not_unicode(path, where, ascii(item[_bad_text(item)]))
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                stack.append((key, depth + 1))
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)


def _shown(key: str, value: Any) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"'{key}': {text} (a {type(value).__name__})"


def _malformed(path: str, problem: str) -> NoReturn:
    raise NotebookReadError(
        path, problem,
        "Fix that value in the .ipynb file (it is JSON text), or restore the notebook from "
        "version control.")
