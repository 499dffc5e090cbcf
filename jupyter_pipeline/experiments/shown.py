"""What the panel's Experiments view shows: the pipeline's parameters now (params.yaml) and its
experiments as DVC shows them (`dvc exp show --json`, read by the sweep's own reader), and the
panel's typed grid as the sweep's axes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ruamel.yaml import YAML

from ..runner.repository import dvc_repo
from .grid import Axis, GridError, combinations, format_value, parameter_names
from .results import ExperimentRow, experiment_revs, rows


@dataclass(frozen=True)
class ExperimentsShown:
    """The pipeline's parameters now (params.yaml, leaves by dotted name) and its experiments as
    DVC shows them; the first row is the workspace (name and rev "workspace")."""

    params: tuple[tuple[str, object], ...]
    rows: tuple[ExperimentRow, ...]
    params_file: str  # params.yaml as DVC names it, from the repository's root


def experiments_of(folder: Path) -> ExperimentsShown:
    """The experiments of the pipeline in `folder`, from `dvc exp show --json` (DVC's own data:
    baseline, workspace and experiments of HEAD), read by the sweep's own reader."""
    base = Path(folder)
    path = base / "params.yaml"
    values = YAML(typ="safe").load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    values = values if isinstance(values, dict) else {}
    root = dvc_repo(base) or base
    params_file = Path(os.path.relpath(base.resolve() / "params.yaml", root.resolve())).as_posix()
    names = [n for n in parameter_names(values) if not isinstance(_dotted(values, n), dict)]
    shown = shown_experiments(base)
    # The workspace as one more experiment, so the one reader names its columns as the others'.
    workspace = next((b for b in shown if b.get("rev") == "workspace"), None)
    wrapped = [{"experiments": [{"name": "workspace",
                                 "revs": [{"rev": "workspace", "data": workspace["data"]}]}]}
               ] if workspace and workspace.get("data") else []
    ours = [rev for rev, data in experiment_revs(wrapped + shown).items()
            if params_file in (data.get("params") or {})]
    return ExperimentsShown(tuple((n, _dotted(values, n)) for n in names),
                            tuple(rows(wrapped + shown, ours, names, params_file)), params_file)


def _dotted(data: object, name: str) -> object:
    for part in name.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def grid_axes(grid: dict[str, Sequence[object]]) -> list:
    """The grid the panel sends (name -> typed values) as the sweep's axes."""
    axes = []
    for name, values in grid.items():
        if not values or any(isinstance(v, (dict, list)) for v in values):
            raise GridError(f"'{name}' needs one or more plain values (numbers, true/false, "
                            "text) to run an experiment with")
        axes.append(Axis(name, tuple(values),
                         f"{name}={','.join(format_value(v) for v in values)}"))
    return axes


def grid_labels(grid: dict[str, Sequence[object]]) -> list[str]:
    """Each combination of `grid` as the sweep's progress names it (`lr=0.01 n=50`)."""
    return [c.label() for c in combinations(grid_axes(grid))]


def shown_experiments(folder: Path) -> list:
    """`dvc exp show --json` of the repository (DVC's own view of params and metrics); nothing
    when DVC cannot show it (no commit yet, say): the view then lists no experiments."""
    proc = subprocess.run([sys.executable, "-m", "dvc", "exp", "show", "--json"],
                          cwd=folder, capture_output=True, text=True)
    if proc.returncode != 0:
        return []
    try:
        return json.loads(proc.stdout)
    except ValueError:
        return []
