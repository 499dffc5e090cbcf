"""What to run, in which order, and why: pure decisions over stage specs and observed state.

Plan first, execute second (the step function is injected in execute.py), so ordering and
skipping are tested on tiny graphs without running anything.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Callable, Mapping

from ..analysis.graph import topological
from .spec import PipelineError, StageSpec


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def dependencies(specs: list[StageSpec]) -> dict[str, list[str]]:
    """stage -> upstream stages (a dep that is, or is inside, another stage's out)."""
    owner: dict[str, str] = {}
    for s in specs:
        for o in s.outs:
            path = s.root_path(o.path)
            for other, who in owner.items():
                if who != s.name and (_inside(path, other) or _inside(other, path)):
                    if path == other:
                        raise PipelineError(
                            f"dvc.yaml: '{path}' is an output of both '{who}' and '{s.name}'; "
                            "a file can have one producing stage")
                    raise PipelineError(
                        f"dvc.yaml: outputs '{other}' ('{who}') and '{path}' ('{s.name}') "
                        "overlap; give them separate folders")
            owner[path] = s.name
    edges: dict[str, list[str]] = {}
    for s in specs:
        ups: list[str] = []
        own = {s.root_path(o.path) for o in s.outs}
        for d in s.deps:
            dep = s.root_path(d)
            if dep in own:
                raise PipelineError(f"dvc.yaml: stage '{s.name}' lists '{dep}' as both a "
                                    "dependency and an output")
            for out, who in owner.items():
                if who != s.name and (_inside(dep, out) or _inside(out, dep)) and who not in ups:
                    ups.append(who)
        edges[s.name] = ups
    if topological(edges) is None:
        raise PipelineError("dvc.yaml: the stages depend on each other in a cycle")
    return edges


@dataclass(frozen=True)
class Decision:
    stage: str
    run: bool
    reason: str  # why it runs, or why it is skipped


def decide(specs: list[StageSpec], edges: Mapping[str, list[str]],
           changes: Callable[[StageSpec], str | None], targets: set[str] | None = None,
           force: bool = False, downstream: bool = False) -> list[Decision]:
    """Decisions in run order. `changes(stage)` says what differs from dvc.lock (None: nothing).

    A stage whose upstream will run also runs (its deps are about to change)."""
    order = topological(edges) or [s.name for s in specs]
    by_name = {s.name: s for s in specs}
    wanted = _selection(order, edges, targets, downstream)
    running: set[str] = set()
    decisions = []
    for name in order:
        if name not in wanted:
            continue
        spec = by_name[name]
        ups = [u for u in edges[name] if u in running]
        if spec.frozen:
            decisions.append(Decision(name, False, "frozen"))
            continue
        if force and (targets is None or name in targets or downstream):
            reason = "forced"
        elif ups:
            reason = f"upstream stage '{ups[0]}' runs"
        elif spec.always_changed:
            reason = "always_changed"
        else:
            reason = changes(spec)
        if reason:
            running.add(name)
            decisions.append(Decision(name, True, reason))
        else:
            decisions.append(Decision(name, False, "up to date"))
    return decisions


def _selection(order: list[str], edges: Mapping[str, list[str]], targets: set[str] | None,
               downstream: bool) -> set[str]:
    if not targets:
        return set(order)
    unknown = targets - set(order)
    if unknown:
        raise PipelineError(f"no stage named {', '.join(sorted(map(repr, unknown)))}; the stages "
                            f"are: {', '.join(order)}")
    chosen = set(targets)
    if downstream:
        for name in order:
            if set(edges[name]) & chosen:
                chosen.add(name)
    else:  # like `dvc repro STAGE`: the stage and what it needs
        stack = list(targets)
        while stack:
            for up in edges[stack.pop()]:
                if up not in chosen:
                    chosen.add(up)
                    stack.append(up)
    return chosen


def params_file_path(spec: StageSpec, file: str) -> str:
    return posixpath.normpath(posixpath.join(spec.wdir, file))
