"""The notebook as nb2pipe sees it: an ordered list of cells with their tags.

Built from the JSON dict nbformat reads; no disk access here (files.py does the reading).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import NotebookReadError


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
        if major != 4:
            raise NotebookReadError(
                path,
                f"is in nbformat {major}, and nb2pipe reads nbformat 4",
                "Open and save it in JupyterLab, or run "
                f"'jupyter nbconvert --to notebook --nbformat 4 --inplace {path}'.",
            )
        raw_cells = data.get("cells")
        if not isinstance(raw_cells, list):
            raise NotebookReadError(
                path, "has no 'cells' list", "Pass an .ipynb file saved by Jupyter."
            )
        cells = []
        for index, raw in enumerate(raw_cells):
            if not isinstance(raw, Mapping) or "cell_type" not in raw:
                raise NotebookReadError(
                    path,
                    f"has a malformed cell {index} (no 'cell_type')",
                    "Repair the notebook in JupyterLab or with 'nbformat.validate'.",
                )
            source = raw.get("source", "")
            if isinstance(source, list):
                source = "".join(source)
            metadata = raw.get("metadata") or {}
            tags = metadata.get("tags") or ()
            if not isinstance(tags, (list, tuple)):
                tags = ()
            cells.append(
                Cell(
                    index=index,
                    cell_type=str(raw["cell_type"]),
                    source=str(source),
                    id=raw.get("id"),
                    tags=tuple(str(t) for t in tags),
                    metadata=metadata,
                )
            )
        return cls(
            path=path,
            cells=tuple(cells),
            metadata=data.get("metadata") or {},
            nbformat_minor=int(data.get("nbformat_minor", 0) or 0),
        )
