"""The stage notebook papermill runs: parameters, loads, the original cells (ids kept), saves."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..model.diagnostics import cell_number
from ..model.notebook import Notebook
from .parameters import parameters_source
from .stage_parts import StageParts

_HEADER = "nb2pipe: generated from '{nb}', stage '{stage}'. Edit the notebook, not this file."


def _code(cell_id: str, source: str, tags: list[str] | None = None,
          metadata: dict | None = None) -> dict[str, Any]:
    meta = dict(metadata or {})
    if tags is not None:
        meta["tags"] = tags
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": meta,
            "outputs": [], "source": _lines(source)}


def _lines(source: str) -> list[str]:
    return source.splitlines(keepends=True)


def _original_metadata(metadata: Any) -> dict:
    """The cell's metadata minus the parameters tag (the stage has its own parameters cell)."""
    meta = {k: v for k, v in dict(metadata or {}).items() if k not in ("execution", "collapsed")}
    tags = [t for t in meta.get("tags", []) if t not in ("parameters", "pipeline-parameters")]
    if "tags" in meta:
        meta["tags"] = tags
    return meta


def render(notebook: Notebook, notebook_name: str, parts: StageParts) -> str:
    stage = parts.stage
    cells: list[dict[str, Any]] = [{
        "cell_type": "markdown", "id": "nb2pipe-header", "metadata": {},
        "source": _lines(_HEADER.format(nb=notebook_name, stage=stage.name)),
    }]
    if parts.params:
        cells.append(_code("nb2pipe-parameters", parameters_source(parts.params),
                           tags=["parameters"]))
    if parts.setup:
        cells.append(_code("nb2pipe-load", parts.setup, tags=["nb2pipe-load"]))
    used_ids = {"nb2pipe-header", "nb2pipe-parameters", "nb2pipe-load", "nb2pipe-save"}
    numbers: dict[str, int] = {}
    for cell, source in parts.cells:
        cell_id = cell.stable_id
        if cell_id in used_ids:
            cell_id = f"{cell_id}-{cell.index}"
        used_ids.add(cell_id)
        numbers[cell_id] = cell_number(cell.index)
        meta = _original_metadata(cell.metadata)
        if cell.cell_type == "markdown":
            cells.append({"cell_type": "markdown", "id": cell_id, "metadata": meta,
                          "source": _lines(source)})
        else:
            cells.append(_code(cell_id, source, metadata=meta))
    if parts.save:
        cells.append(_code("nb2pipe-save", parts.save, tags=["nb2pipe-save"]))
    metadata: dict[str, Any] = {
        k: notebook.metadata[k] for k in ("kernelspec", "language_info") if k in notebook.metadata
    }
    metadata["nb2pipe"] = {
        "notebook": notebook_name,
        "stage": stage.name,
        "params": [name for name, _ in parts.params],
        # The number JupyterLab shows for each of the user's cells: progress and failures name
        # the cell the user knows (runner/cells.py).
        "cell_numbers": numbers,
        "version": __version__,
    }
    document = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def with_kernel(metadata: dict, kernel: str | None) -> dict:
    if kernel:
        spec = dict(metadata.get("kernelspec") or {})
        spec.update({"name": kernel, "display_name": spec.get("display_name", kernel)})
        metadata = {**metadata, "kernelspec": spec}
    return metadata
