"""A sweep sent to an engine, as the exported DAG (or KFP pipeline) holds it: every combination
of the swept values in one run of the engine. Pure.

The stages no swept value changes (they read none, and read nothing from a stage one changes)
run once, for every combination; each combination runs the rest with its values, in parallel
with the others. Each combination's results are in a storage folder of its own
(`STORAGE/RUN_ID/COMBINATION/`, laid out as the project); a stage run once for all of them writes
a copy into each (NB2PIPE_STORAGE_COPIES), so every combination's folder holds its whole run, as
a run of the plain DAG with those params would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .airflow_dag import DagError, StageTask

_FOLDER = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class SweepPlan:
    # (folder and group name, the values it overrides), in the grid's order
    combinations: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    labels: tuple[str, ...]  # each combination as `-S` would give it: "n_estimators=10"
    swept: tuple[str, ...]  # the parameter names the combinations set
    shared: frozenset[str]  # stages run once, for every combination

    def values(self, combination: str) -> dict[str, Any]:
        return dict(dict(self.combinations)[combination])


def _folder(label: str) -> str:
    """A combination's storage folder and task-group name: its label with '=' as '-' and
    anything an Airflow id cannot hold as '_' ("n_estimators=10 max_depth=2" ->
    "n_estimators-10_max_depth-2")."""
    return _FOLDER.sub("_", label.replace("=", "-")).strip("_")[:180]


def plan_sweep(tasks: Sequence[StageTask], combinations: Sequence[Mapping[str, Any]],
               labels: Sequence[str], param_values: Mapping[str, Any]) -> SweepPlan:
    """`combinations` each {name: value} (the same names in each), `labels` how to show them."""
    if not combinations:
        raise DagError("nothing to sweep: give at least one -S NAME=VALUE[,VALUE...]")
    swept = tuple(combinations[0])
    read = {p for t in tasks for p in t.params}
    for name in swept:
        if name not in read:
            listed = ", ".join(sorted(read)) or "none"
            known = " (params.yaml has it, but no stage of this pipeline reads it)" \
                if name in param_values else ""
            raise DagError(f"-S '{name}=...': no stage of the pipeline reads a parameter "
                           f"'{name}'{known}, so every combination would compute the same. "
                           f"The stages read: {listed}")
    changed: set[str] = set()
    grew = True
    while grew:  # dvc.yaml's order is the run order, but do not rely on it
        grew = False
        for t in tasks:
            if t.stage not in changed and (set(t.params) & set(swept)
                                           or set(t.upstream) & changed):
                changed.add(t.stage)
                grew = True
    folders: list[str] = []
    for i, label in enumerate(labels, 1):
        folder = _folder(label) or f"combination_{i}"
        folders.append(folder if folder not in folders else f"combination_{i}")
    return SweepPlan(
        tuple((f, tuple((n, c[n]) for n in swept)) for f, c in zip(folders, combinations)),
        tuple(labels), swept, frozenset(t.stage for t in tasks) - frozenset(changed))
