"""Pure: the params and metrics of a sweep's experiments, from `dvc exp show --json` (DVC's own
view: metrics declared `metrics:` in dvc.yaml, cached or not), as a table best first."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence


@dataclass(frozen=True)
class ExperimentRow:
    name: str
    rev: str
    params: tuple[tuple[str, Any], ...]
    metrics: tuple[tuple[str, Any], ...]  # (column, value); column "key" or "file:key"


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, Mapping):
        out = []
        for key, value in data.items():
            out.extend(_flatten(value, f"{prefix}{key}."))
        return out
    return [(prefix[:-1], data)]


def _lookup(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def experiment_revs(shown: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """rev -> its data, for every experiment in `dvc exp show --json`."""
    found: dict[str, Mapping[str, Any]] = {}
    for baseline in shown or []:
        for exp in baseline.get("experiments") or []:
            for rev in exp.get("revs") or []:
                data = dict(rev.get("data") or {})
                data["name"] = exp.get("name") or rev.get("name")
                found[rev.get("rev")] = data
    return found


def rows(shown: Sequence[Mapping[str, Any]], revs: Iterable[str], swept: Sequence[str],
         params_file: str = "params.yaml") -> list[ExperimentRow]:
    """One row per experiment of `revs`: the swept params and every metric DVC shows.
    `params_file`: the pipeline's params.yaml as DVC names it (relative to its repository)."""
    known = experiment_revs(shown)
    raw: list[tuple[str, str, tuple, list[tuple[str, str, Any]]]] = []
    for rev in revs:
        data = known.get(rev)
        if data is None:
            continue
        params = (((data.get("params") or {}).get(params_file) or {}).get("data") or {})
        metrics = []
        for file, content in (data.get("metrics") or {}).items():
            for key, value in _flatten((content or {}).get("data") or {}):
                metrics.append((file, key, value))
        raw.append((data["name"] or rev[:7], rev,
                    tuple((p, _lookup(params, p)) for p in swept), metrics))
    files_of: dict[str, set[str]] = {}
    for *_, metrics in raw:
        for file, key, _ in metrics:
            files_of.setdefault(key, set()).add(file)

    def column(file: str, key: str) -> str:
        return key if len(files_of[key]) == 1 else f"{file}:{key}"

    return [ExperimentRow(name, rev, params,
                          tuple((column(f, k), v) for f, k, v in metrics))
            for name, rev, params, metrics in raw]


def metric_columns(table: Sequence[ExperimentRow]) -> list[str]:
    return list(dict.fromkeys(c for row in table for c, _ in row.metrics))


def sort_column(table: Sequence[ExperimentRow], wanted: str) -> str | None:
    """The column `--sort-by` names: exactly, or as the key part of `file:key`."""
    columns = metric_columns(table)
    if wanted in columns:
        return wanted
    matches = [c for c in columns if c.rsplit(":", 1)[-1] == wanted
               or c == wanted.rsplit(":", 1)[-1]]
    return matches[0] if len(matches) == 1 else None


def best_first(table: Sequence[ExperimentRow], column: str, ascending: bool = False
               ) -> list[ExperimentRow]:
    """Sorted by a metric, best first (highest, or lowest with `ascending`); rows without a
    number in that column last."""
    def key(row: ExperimentRow) -> tuple[int, float]:
        value = dict(row.metrics).get(column)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            return (1, 0.0)
        return (0, value if ascending else -value)

    return sorted(table, key=key)
