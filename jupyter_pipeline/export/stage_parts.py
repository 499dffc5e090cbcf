"""The parts every rendering of a stage shares: parameters, what it loads, its cells, what it saves.

The stage notebook and the stage script are two renderings of these parts, so they cannot drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..model.notebook import Cell, Notebook
from ..model.pipeline import Need, Pipeline, Stage, is_module_state, load_statement, saved_values
from .layout import Layout
from .parameters import without_literal_assignments

RUNTIME_IMPORT = ("from jupyter_pipeline.runtime import handoff as _nb2pipe\n"
                  "_nb2pipe.start_here()  # handoff paths are relative to this folder")
GUARD_IMPORT = "from jupyter_pipeline.runtime import guard as _nb2pipe_guard"


@dataclass(frozen=True)
class StageParts:
    stage: Stage
    params: tuple[tuple[str, Any], ...]
    setup: str  # imports, re-defined functions/classes, loaded values
    cells: tuple[tuple[Cell, str], ...]  # original cells with the source to use
    save: str  # code that saves handed-on values and metrics ("" when nothing to save)


def _needed_by(pipeline: Pipeline) -> dict[str, dict[str, list[str]]]:
    """producer -> {name: [consumer stages]}"""
    out: dict[str, dict[str, list[str]]] = {}
    for stage in pipeline.stages:
        for need in stage.needs:
            out.setdefault(need.producer, {}).setdefault(need.name, []).append(stage.name)
    return out


def _read_again_later(pipeline: Pipeline, stage: Stage) -> dict[str, list[str]]:
    """Values this stage loads and does not hand on that a later stage loads from an earlier
    stage: if this stage changes one, the later stage reads the old version (runtime/guard)."""
    order = {s.name: i for i, s in enumerate(pipeline.stages)}
    here = order[stage.name]
    loaded = {n.name for n in stage.needs if not is_module_state(n.name)} - set(stage.hands_on)
    readers: dict[str, list[str]] = {}
    for later in pipeline.stages[here + 1:]:
        for need in later.needs:
            if need.name in loaded and order.get(need.producer, here) < here:
                readers.setdefault(need.name, []).append(later.name)
    return {name: readers[name] for name in sorted(readers)}


def _load(need: Need, layout: Layout) -> str:
    statement = load_statement(
        need.name,
        f'_nb2pipe.load("{layout.in_wdir(layout.handoffs(need.producer))}", "{need.name}")')
    if not need.maybe_unbound:
        return statement
    # Bound on some paths only: the producer saved it only if bound; unbound here as well
    # when it did not (a read of it then fails where the notebook's does).
    return (f"try:  # '{need.name}' is bound on some paths only\n    {statement}\n"
            f"except _nb2pipe.HandoffError:\n    pass")


def stage_parts(notebook: Notebook, pipeline: Pipeline, stage: Stage, layout: Layout) -> StageParts:
    values = pipeline.param_values
    params = tuple((name, values[name]) for name in stage.params if name in values)

    setup: list[str] = []
    if stage.needs or stage.hands_on or stage.metrics:
        # First: it notes the folder the stage starts in, before a setting's `os.chdir`.
        setup.append(RUNTIME_IMPORT)
    if stage.settings:  # `sys.path.append(...)` may be what the imports need
        setup.append("\n".join(stage.settings))
    imports = [i for i in stage.imports if i not in stage.settings]
    if imports:
        setup.append("\n".join(imports))
    early = [d.source.rstrip("\n") for d in stage.definitions if not d.after_loads]
    late = [d.source.rstrip("\n") for d in stage.definitions if d.after_loads]
    if early:
        setup.append("\n\n".join(early))
    def loads(needs: list) -> str:
        return "\n".join(_load(n, layout) for n in needs)

    values = [n for n in stage.needs if not is_module_state(n.name)]
    states = [n for n in stage.needs if is_module_state(n.name)]
    if values:
        setup.append(loads(values))
    if late:
        setup.append("\n\n".join(late))
    if stage.settings_after_loads:  # they read loaded values
        setup.append("\n".join(stage.settings_after_loads))
    watched = _read_again_later(pipeline, stage)
    if watched:
        producers = {n.name: n.producer for n in stage.needs if n.name in watched}
        setup.append(f"{GUARD_IMPORT}\n_nb2pipe_watch = _nb2pipe_guard.watch(\n"
                     f'    "{stage.name}", {json.dumps(watched)}, {json.dumps(producers)}, '
                     "globals())")
    if states:
        # Last: loading a value may import a library, and an import may draw from a global
        # generator; in the notebook that happened before the previous stage ended.
        setup.append(loads(states))

    cells_by_index = {c.index: c for c in notebook.cells}
    chosen = sorted(set(stage.cells) | set(stage.markdown))
    param_names = {p.name for p in pipeline.params}
    cells: list[tuple[Cell, str]] = []
    for index in chosen:
        cell = cells_by_index[index]
        source = cell.source
        if index == pipeline.parameters_cell:
            source = without_literal_assignments(source, param_names)
            if not source:
                continue
        cells.append((cell, source))

    save: list[str] = []
    if watched:
        save.append("_nb2pipe_guard.unchanged(_nb2pipe_watch, globals())")
    if stage.hands_on:
        needed_by = _needed_by(pipeline).get(stage.name, {})
        values_text = saved_values(stage.hands_on, stage.maybe_unbound)
        by_text = ", ".join(f'"{n}": {json.dumps(needed_by.get(n, []))}' for n in stage.hands_on)
        save.append(
            f'_nb2pipe.save(\n    "{layout.in_wdir(layout.handoffs(stage.name))}",\n'
            f"    {values_text},\n"
            f'    stage="{stage.name}",\n'
            f"    needed_by={{{by_text}}},\n)")
    if stage.metrics:
        metrics_text = saved_values(stage.metrics, stage.maybe_unbound)
        save.append(
            f'_nb2pipe.save_metrics("{layout.in_wdir(layout.metrics(stage.name))}", '
            f"{metrics_text})")
    return StageParts(stage, params, "\n\n".join(setup), tuple(cells), "\n".join(save))
