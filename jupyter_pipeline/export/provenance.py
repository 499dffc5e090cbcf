"""Where each metric comes from: the stages, notebook cells, parameters and data files that
produced it, with the parameter values and data hashes the last run recorded in dvc.lock (the
experiment in the workspace). Pure: the caller reads dvc.lock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..model.pipeline import Pipeline, Stage
from .dvc_yaml import declared_metrics
from .layout import Layout


@dataclass(frozen=True)
class DataFile:
    path: str  # relative to the notebook's folder, as the stage's deps
    md5: str | None  # DVC's hash from dvc.lock; None when the stage has not run


@dataclass(frozen=True)
class ParamUsed:
    name: str
    value: Any  # the value the last run used (dvc.lock); None when the stage has not run
    recorded: bool  # whether dvc.lock has it (a None value can be a real one)


@dataclass(frozen=True)
class MetricSource:
    metrics: str  # the metrics file, relative to the notebook's folder
    stage: str  # the stage that writes it
    stages: tuple[str, ...]  # it and every stage it runs after, in pipeline order
    cells: tuple[int, ...]  # their code cells
    params: tuple[ParamUsed, ...]
    data: tuple[DataFile, ...]  # files read that no stage writes


def sources(pipeline: Pipeline, layout: Layout, locked: Mapping[str, Any]
            ) -> tuple[MetricSource, ...]:
    """One entry per declared metrics file. `locked`: dvc.lock's `stages` mapping (or {})."""
    by_name = {s.name: s for s in pipeline.stages}
    order = [s.name for s in pipeline.stages]
    found = []
    for stage in pipeline.stages:
        files = declared_metrics(stage, layout)
        if not files:
            continue
        chain = _upstream(stage.name, by_name)
        stages = [by_name[n] for n in order if n in chain]
        params = sorted({p for s in stages for p in s.params})
        used = _locked_params(locked, [s.name for s in stages])
        data = sorted({d for s in stages for d in s.data_deps})
        hashes = _locked_deps(locked, [s.name for s in stages])
        for path in files:
            found.append(MetricSource(
                metrics=path, stage=stage.name, stages=tuple(s.name for s in stages),
                cells=tuple(sorted(c for s in stages for c in s.cells)),
                params=tuple(ParamUsed(p, used.get(p), p in used) for p in params),
                data=tuple(DataFile(d, hashes.get(d)) for d in data)))
    return tuple(found)


def _upstream(name: str, by_name: Mapping[str, Stage]) -> set[str]:
    seen, stack = {name}, [name]
    while stack:
        for up in by_name[stack.pop()].upstream:
            if up in by_name and up not in seen:
                seen.add(up)
                stack.append(up)
    return seen


def _locked_params(locked: Mapping[str, Any], stages: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in stages:
        entry = locked.get(name)
        by_file = entry.get("params") if isinstance(entry, Mapping) else None
        for keys in (by_file or {}).values() if isinstance(by_file, Mapping) else ():
            if isinstance(keys, Mapping):
                values.update(keys)
    return values


def _locked_deps(locked: Mapping[str, Any], stages: list[str]) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for name in stages:
        entry = locked.get(name)
        for dep in (entry.get("deps") or []) if isinstance(entry, Mapping) else []:
            if isinstance(dep, Mapping) and isinstance(dep.get("md5"), str):
                hashes[str(dep.get("path"))] = dep["md5"]
    return hashes
