"""dvc.yaml: one DVC stage per notebook stage, spliced into an existing file as text so that
every stage nb2pipe did not generate for this notebook keeps its bytes."""

from __future__ import annotations

import json
from typing import Any, Mapping

from .. import __version__
from ..errors import HandEditedStages, PipelineFileError
from ..model.declared import PlotSpec, is_image
from ..model.notebook import Notebook
from ..model.pipeline import Pipeline, Stage
from ..model.stage_command import DEFAULT_PARAMS, StageCommand
from .layout import Layout
from .yaml_text import YAMLError, dump, load_roundtrip


def stage_command(layout: Layout, stage: str, params_file: str | None) -> str:
    return StageCommand(layout.in_wdir(layout.stage_notebook(stage)),
                        layout.in_wdir(layout.executed(stage)),
                        params_file or DEFAULT_PARAMS).render()


def params_file(layout: Layout) -> str:
    """params.yaml (beside dvc.yaml) as the stage's working directory sees it."""
    return layout.in_wdir("params.yaml")


def stage_entry(notebook: Notebook, pipeline: Pipeline, stage: Stage, layout: Layout) -> dict:
    rel = layout.in_wdir
    pfile = params_file(layout)
    deps = [rel(layout.stage_notebook(stage.name))]
    deps += sorted({rel(layout.handoffs(n.producer)) for n in stage.needs})
    deps += [f.path for f in stage.file_inputs]
    deps += list(stage.data_deps)
    deps += [rel(layout.executed(a)) for a in stage.after]
    entry: dict[str, Any] = {"cmd": [stage_command(layout, stage.name, pfile)]}
    if layout.wdir != ".":
        entry["wdir"] = layout.wdir
    entry["deps"] = _unique(deps)
    if stage.params:
        entry["params"] = list(stage.params) if pfile == "params.yaml" else [
            {pfile: list(stage.params)}]
    shown = set(stage.metrics_files) | {p.path for p in stage.plots}
    outs = []
    if stage.hands_on:
        outs.append(rel(layout.handoffs(stage.name)))
    outs += [o for o in stage.outs if not is_image(o) and o not in shown]
    outs.append(rel(layout.executed(stage.name)))
    entry["outs"] = _unique(outs)
    # Metrics and tables of points are kept in git (`cache: false`), as DVC advises: small,
    # and `dvc metrics diff` / `dvc plots diff` against a commit need no DVC cache.
    metrics = declared_metrics(stage, layout)
    if metrics:
        entry["metrics"] = [{m: {"cache": False}} for m in metrics]
    plots: list[Any] = [o for o in stage.outs if is_image(o)]  # cached, as any image out
    plots += [{p.path: _plot_properties(p.spec)} for p in stage.plots]
    if plots:  # `dvc plots show` renders them; they are outputs all the same
        entry["plots"] = plots
    cells = {c.index: c for c in notebook.cells}
    entry["meta"] = {"nb2pipe": {
        "notebook": layout.notebook_name,
        "cells": [cells[i].stable_id for i in stage.cells],
        "version": __version__,
    }}
    return entry


def declared_metrics(stage: Stage, layout: Layout) -> list[str]:
    """The stage's metrics files, relative to its working directory: those the notebook
    writes, and nb2pipe's own for the values a `metrics` cell names without writing a file."""
    found = list(stage.metrics_files)
    if stage.metrics:
        found.append(layout.in_wdir(layout.metrics(stage.name)))
    return _unique(found)


def _plot_properties(spec: PlotSpec) -> dict[str, Any]:
    """DVC's stage-level plot properties; what the tag leaves out DVC chooses."""
    props: dict[str, Any] = {}
    for key in ("x", "y", "template"):
        value = getattr(spec, key)
        if value is not None:
            props[key] = value
    props["cache"] = False
    return props


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def stage_entries(notebook: Notebook, pipeline: Pipeline, layout: Layout) -> dict[str, dict]:
    """This notebook's DVC stages as plain data; the manifest records them so that a later
    convert can tell a stage edited by hand from one nb2pipe wrote."""
    return {s.name: stage_entry(notebook, pipeline, s, layout) for s in pipeline.stages}


def render_stages(notebook: Notebook, pipeline: Pipeline, layout: Layout) -> str:
    """The `name: {...}` blocks of this notebook's stages, indented under `stages:`."""
    text = dump({"stages": stage_entries(notebook, pipeline, layout)})
    return text.split("\n", 1)[1]  # drop the "stages:" line


def merge(existing: str | None, notebook: Notebook, pipeline: Pipeline, layout: Layout,
          path: str = "dvc.yaml", recorded: Mapping[str, Any] | None = None,
          force: bool = False) -> str:
    """`existing` dvc.yaml text with this notebook's stages replaced (or added). A stage of ours
    changed by hand since the last convert (`recorded`: the entries written then) is refused
    without `force`: replacing it would silently drop the change."""
    ours = render_stages(notebook, pipeline, layout)
    if not existing or not existing.strip():
        return "stages:\n" + ours
    try:
        data = load_roundtrip(existing)
    except YAMLError as exc:
        raise PipelineFileError(path, f"is not valid YAML ({exc})",
                                "Fix it, or move it away and convert again") from None
    except RecursionError:
        raise PipelineFileError(path, "is nested too deeply to read",
                                "Fix it, or move it away and convert again") from None
    if not isinstance(data, dict):
        raise PipelineFileError(path, "is not a YAML mapping", "Fix it, or move it away")
    stages = data.get("stages")
    if stages is None:
        return existing.rstrip("\n") + "\nstages:\n" + ours
    if not isinstance(stages, dict) or not hasattr(stages, "lc"):
        raise PipelineFileError(path, "has a 'stages' entry that is not a mapping",
                                "Fix it, or move it away")
    lines = existing.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    top_keys = list(data.keys())
    after_stages = top_keys[top_keys.index("stages") + 1:]
    end_of_stages = data.lc.key(after_stages[0])[0] if after_stages else len(lines)
    names = list(stages.keys())
    mine = set()
    ours_names = {s.name for s in pipeline.stages}
    for name in names:
        meta = (stages.get(name) or {}).get("meta") if isinstance(stages.get(name), dict) else None
        owner = (meta or {}).get("nb2pipe", {}) if isinstance(meta, dict) else {}
        if isinstance(owner, dict) and owner.get("notebook") == layout.notebook_name and \
                _same_wdir(stages.get(name), layout):
            mine.add(name)
        elif name in ours_names:
            raise PipelineFileError(
                path, f"already has a stage '{name}' that this notebook did not generate",
                "Rename the stage in the notebook (tag 'stage:NEW_NAME') or the existing one")
    if not force:
        fresh = stage_entries(notebook, pipeline, layout)
        edits = [edit for name in names if name in mine
                 for edit in _hand_edits(name, stages[name], (recorded or {}).get(name),
                                         fresh.get(name))]
        if edits:
            raise HandEditedStages(path, edits)
    blocks: list[tuple[int, int]] = []
    for i, name in enumerate(names):
        start = stages.lc.key(name)[0]
        end = stages.lc.key(names[i + 1])[0] if i + 1 < len(names) else end_of_stages
        if name in mine:
            blocks.append((start, _leading_trivia_start(lines, start, end)))
    if blocks:
        drop = {i for start, end in blocks for i in range(start, end)}
        out: list[str] = []
        for i, line in enumerate(lines):
            if i == blocks[0][0]:
                out.append(ours)
            if i not in drop:
                out.append(line)
        return "".join(out)
    insert_at = end_of_stages
    while insert_at > 0 and not lines[insert_at - 1].strip():
        insert_at -= 1
    return "".join(lines[:insert_at]) + ours + "".join(lines[insert_at:])


def _hand_edits(name: str, current: Any, written: Any, fresh: Any) -> list[tuple[str, str, str]]:
    """What changed in stage `name` since nb2pipe `written` it. Without a record (a manifest of
    an older nb2pipe) only keys nb2pipe would not write at all count: the rest may simply be
    the notebook's own change."""
    if not isinstance(current, Mapping):
        return []
    if not isinstance(written, Mapping):
        if not isinstance(fresh, Mapping):  # a stage the notebook no longer has: no telling
            return []
        ours = set(fresh) | {"wdir"}
        return [(name, key, "added") for key in current if key not in ours]
    edits = []
    for key in dict.fromkeys([*written, *current]):
        if key not in written:
            edits.append((name, str(key), "added"))
        elif key not in current:
            edits.append((name, str(key), "removed"))
        elif _canonical(current[key]) != _canonical(written[key]):
            edits.append((name, str(key), "changed"))
    return edits


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _leading_trivia_start(lines: list[str], start: int, end: int) -> int:
    """Where the comments and blank lines just before line `end` begin: they introduce what
    follows (a hand-written stage, a top-level key), so replacing our stage must keep them."""
    while end > start + 1 and (not lines[end - 1].strip()
                               or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _same_wdir(entry: Any, layout: Layout) -> bool:
    wdir = entry.get("wdir", ".") if isinstance(entry, dict) else "."
    return str(wdir or ".") == layout.wdir
