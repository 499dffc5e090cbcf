"""Pure: which combination of a sweep runs next.

A stage's result depends on the swept parameters it, or a stage upstream of it, reads: its *work
key* in a combination is (stage, those parameters' values). Combinations with equal keys for a
stage share that stage's outputs (reuse.py restores them instead of running it again), but only
once one of them has finished. So the next combination is one that waits on nothing running and
needs the fewest stages not yet computed; when every waiting combination would compute again
what a running one is computing, it is better to wait for that one than to start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .grid import Combination

WorkKey = tuple[str, tuple]


@dataclass(frozen=True)
class StageParams:
    """A stage, its upstream stages, and the (dotted) parameter names it reads itself."""

    name: str
    upstream: tuple[str, ...]
    reads: tuple[str, ...] | None  # None: the whole params file


def _affects(swept: str, reads: tuple[str, ...] | None) -> bool:
    if reads is None:
        return True
    return any(swept == r or swept.startswith(r + ".") or r.startswith(swept + ".")
               for r in reads)


def swept_inputs(stages: Sequence[StageParams], swept: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """stage -> the swept names its result depends on (read by it or by a stage upstream)."""
    by_name = {s.name: s for s in stages}
    memo: dict[str, frozenset[str]] = {}

    def inputs(name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        if name in memo:
            return memo[name]
        stage = by_name[name]
        found = {p for p in swept if _affects(p, stage.reads)}
        for up in stage.upstream:
            if up in by_name and up not in seen:
                found |= inputs(up, seen | {name})
        memo[name] = frozenset(found)
        return memo[name]

    return {s.name: tuple(p for p in swept if p in inputs(s.name)) for s in stages}


def work_keys(combination: Combination, inputs: Mapping[str, tuple[str, ...]]
              ) -> frozenset[WorkKey]:
    values = combination.as_dict()
    return frozenset((stage, tuple(repr(values[p]) for p in names))
                     for stage, names in inputs.items() if names)


def next_combination(waiting: Sequence[int], keys: Mapping[int, frozenset[WorkKey]],
                     done: Iterable[WorkKey], running: Iterable[WorkKey],
                     anything_running: bool) -> int | None:
    """The index of the combination to start now, or None to wait for a running one."""
    done_set, running_set = set(done), set(running)
    best = None
    for index in waiting:
        new = keys[index] - done_set
        clash = bool(new & running_set)
        rank = (clash, len(new))
        if best is None or rank < best[0]:
            best = (rank, index)
    if best is None:
        return None
    (clash, _), index = best
    return None if clash and anything_running else index
