"""Stage order: the dependency graph between stages and its topological order."""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from typing import Iterable, Mapping


def topological(edges: Mapping[str, Iterable[str]]) -> list[str] | None:
    """Stages in an order where each follows its upstream stages; None when there is a cycle.

    Ties are broken by the order of `edges`, so the result is deterministic.
    """
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for stage, upstream in edges.items():
        sorter.add(stage, *upstream)
    rank = {name: i for i, name in enumerate(edges)}
    try:
        sorter.prepare()
    except CycleError:
        return None
    out: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=lambda n: rank.get(n, len(rank)))
        out.extend(ready)
        sorter.done(*ready)
    return out


def levels(edges: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Longest distance from a source stage: stages of one level can run at the same time."""
    depth: dict[str, int] = {}
    for stage in topological(edges) or list(edges):
        depth[stage] = 1 + max((depth.get(u, 0) for u in edges.get(stage, ())), default=-1)
    return depth
