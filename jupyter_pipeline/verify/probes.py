"""The notebook as run whole for `verify`: every cell as written, plus after each stage a cell
that saves the values the stage hands on (with the runtime the stages use). Pure."""

from __future__ import annotations

import copy
import json
from typing import Any

from ..model.pipeline import Pipeline, value_expression
from . import state

PROBE_TAG = "nb2pipe-probe"


def probed_notebook(raw: dict[str, Any], pipeline: Pipeline, probe_dir: str) -> dict[str, Any]:
    nb = copy.deepcopy(raw)
    needed_by: dict[str, dict[str, list[str]]] = {}
    for s in pipeline.stages:
        for n in s.needs:
            needed_by.setdefault(n.producer, {}).setdefault(n.name, []).append(s.name)
    firsts = {s.cells[0]: s for s in pipeline.stages if s.cells}
    # First: the hook that remembers which cell changed which process setting (state.py).
    cells: list[dict[str, Any]] = [_cell("nb2pipe-state-hook", state.HOOK)]
    current = None
    for index, cell in enumerate(nb["cells"]):
        cell.setdefault("id", f"cell-{index}")
        if cell.get("cell_type") == "code" and index in firsts:
            if current is not None:
                cells.append(_probe(current, probe_dir, needed_by.get(current.name, {})))
            # The state the next stage starts with (saved under the stage it starts).
            cells.append(_cell(f"nb2pipe-state-{firsts[index].name}", state.record(
                f"{probe_dir}/{firsts[index].name}.state.json", with_changes=True)))
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
    return _cell(f"nb2pipe-probe-{stage.name}", source)


def _cell(cell_id: str, source: str) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "id": cell_id,
            "metadata": {"tags": [PROBE_TAG]}, "outputs": [], "source": source}


def with_state_probe(stage_notebook: dict[str, Any], path: str) -> dict[str, Any]:
    """A generated stage notebook with a cell after its load cell (before the notebook's own
    cells) that saves the process state the stage's own cells start with."""
    nb = copy.deepcopy(stage_notebook)
    cells = nb["cells"]
    at = next((i + 1 for i in reversed(range(len(cells)))
               if cells[i].get("id") in ("nb2pipe-load", "nb2pipe-parameters",
                                         "nb2pipe-header")), 0)
    cells.insert(at, _cell("nb2pipe-state", state.record(path, with_changes=False)))
    return nb
