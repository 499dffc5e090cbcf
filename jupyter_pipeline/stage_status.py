"""Where each stage of a notebook's pipeline stands, read from disk without running anything:
the runner's own plan against dvc.lock (what `nb2pipe run --dry-run` prints), the executed
notebook each stage leaves, its metrics and plots, and the error a failed stage's executed
notebook holds. The panel shows this after a reload, when no run of this page is known."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from .errors import Nb2PipeError


@dataclass(frozen=True)
class StageError:
    """The error output of a failed stage, and the id of the cell that raised (the stage
    notebook keeps the original cell ids, so it names the cell of the user's notebook too)."""

    cell_id: str | None
    ename: str
    evalue: str


@dataclass(frozen=True)
class StageStatus:
    name: str
    state: str  # "up to date", "changed", "never run", "failed", "frozen"
    reason: str  # why it would run, or why it would not
    executed_notebook: Path | None
    metrics: tuple[Path, ...]
    plots: tuple[Path, ...]
    error: StageError | None


@dataclass(frozen=True)
class PipelineStatus:
    dvc_yaml: Path | None  # None: the notebook has not been exported yet
    stages: tuple[StageStatus, ...]
    message: str | None  # why there are no states (a dvc.yaml the runner refuses, say)


def pipeline_status(notebook: str | os.PathLike) -> PipelineStatus:
    """The state of every stage of the dvc.yaml beside `notebook` (the folder Export writes to
    and Run runs)."""
    from .runner.run import notebook_stage, plan

    folder = Path(notebook).parent
    dvc_yaml = folder / "dvc.yaml"
    if not dvc_yaml.is_file():
        return PipelineStatus(None, (), None)
    try:
        specs, _, decisions, _ = plan(folder)
    except Nb2PipeError as exc:
        return PipelineStatus(dvc_yaml, (), str(exc))
    raw = _stages_of(dvc_yaml)
    by_name = {s.name: s for s in specs}
    stages = []
    for decision in sorted(decisions, key=lambda d: [s.name for s in specs].index(d.stage)):
        spec = by_name[decision.stage]
        found = notebook_stage(spec, folder)
        executed = found.output if found is not None and found.output.is_file() else None
        error = _error_in(executed) if executed is not None and decision.run else None
        wdir = (folder / spec.wdir).resolve()
        files = raw.get(spec.name, {})
        stages.append(StageStatus(
            name=spec.name,
            state=_state(decision.run, decision.reason, found is not None and executed is None,
                         error),
            reason=decision.reason,
            executed_notebook=executed,
            metrics=tuple(wdir / p for p in _paths(files.get("metrics"))),
            plots=tuple(wdir / p for p in _paths(files.get("plots"))),
            error=error))
    return PipelineStatus(dvc_yaml, tuple(stages), None)


def _state(runs: bool, reason: str, no_report: bool, error: StageError | None) -> str:
    if not runs:
        return "frozen" if reason == "frozen" else "up to date"
    if error is not None:
        return "failed"
    # Every nb2pipe stage leaves an executed notebook; any stage that ran has a dvc.lock entry.
    if no_report or reason == "no entry in dvc.lock":
        return "never run"
    return "changed"


def _stages_of(dvc_yaml: Path) -> dict[str, dict]:
    try:
        data = YAML(typ="safe").load(dvc_yaml.read_text(encoding="utf-8")) or {}
    except Exception:  # noqa: BLE001 - the plan above read it already; be lenient here
        return {}
    stages = data.get("stages") if isinstance(data, dict) else None
    return {str(k): v for k, v in stages.items() if isinstance(v, dict)} \
        if isinstance(stages, dict) else {}


def _paths(entries: object) -> list[str]:
    """Paths of a dvc.yaml list whose entries are `path` or `{path: {options}}`."""
    out = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict) and len(entry) == 1:
            out.append(str(next(iter(entry))))
    return out


def _error_in(executed: Path) -> StageError | None:
    """The first error output of the executed notebook (papermill saves it with the error)."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for cell in cells:
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            if isinstance(output, dict) and output.get("output_type") == "error":
                return StageError(cell.get("id"), str(output.get("ename", "")),
                                  str(output.get("evalue", "")))
    return None
