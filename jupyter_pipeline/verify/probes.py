"""The notebook as run whole for `verify`: every cell as written, plus after each stage a cell
that saves the values the stage hands on (with the runtime the stages use). Pure."""

from __future__ import annotations

import copy
import json
from typing import Any

from ..model.pipeline import Pipeline, value_expression

PROBE_TAG = "nb2pipe-probe"


def probed_notebook(raw: dict[str, Any], pipeline: Pipeline, probe_dir: str) -> dict[str, Any]:
    nb = copy.deepcopy(raw)
    needed_by: dict[str, dict[str, list[str]]] = {}
    for s in pipeline.stages:
        for n in s.needs:
            needed_by.setdefault(n.producer, {}).setdefault(n.name, []).append(s.name)
    firsts = {s.cells[0]: s for s in pipeline.stages if s.cells}
    cells: list[dict[str, Any]] = []
    current = None
    for index, cell in enumerate(nb["cells"]):
        cell.setdefault("id", f"cell-{index}")
        if cell.get("cell_type") == "code" and index in firsts:
            if current is not None:
                cells.append(_probe(current, probe_dir, needed_by.get(current.name, {})))
            current = firsts[index]
        cells.append(cell)
    if current is not None:
        cells.append(_probe(current, probe_dir, needed_by.get(current.name, {})))
    nb["cells"] = cells
    nb["nbformat"], nb["nbformat_minor"] = 4, max(5, int(nb.get("nbformat_minor", 5)))
    return nb


def _probe(stage, probe_dir: str, needed_by: dict[str, list[str]]) -> dict[str, Any]:
    values = ", ".join(f"{json.dumps(n)}: {value_expression(n, '_nb2pipe_probe')}"
                       for n in stage.hands_on)
    source = ("from jupyter_pipeline.runtime import handoff as _nb2pipe_probe\n"
              f"_nb2pipe_probe.save({json.dumps(f'{probe_dir}/{stage.name}')}, {{{values}}}, "
              f"stage={json.dumps(stage.name)}, needed_by={json.dumps(needed_by)})")
    return {"cell_type": "code", "execution_count": None, "id": f"nb2pipe-probe-{stage.name}",
            "metadata": {"tags": [PROBE_TAG]}, "outputs": [], "source": source}
