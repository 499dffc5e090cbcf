"""dvclive, DVC's logger for notebooks: where a `Live(...)` writes, so that its summary and its
step plots are declared as the stage's metrics and plots (dvclive's own layout: DIR/metrics.json
from `log_metric` / `summary`, DIR/plots/metrics/*.tsv from every `log_metric` that plots)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from .artifacts import normalise, resolve_path
from .facts import CallSite

DEFAULT_DIR = "dvclive"
_LOGGING_METHODS = ("log_metric",)


@dataclass(frozen=True)
class LiveLogger:
    """One `Live(...)` of a stage."""

    dir: str | None  # relative to the stage's working directory; None: not a literal path
    cell: int
    line: int
    # No `dvcyaml=` was given: dvclive then writes metrics and plots entries into a dvc.yaml
    # itself at every step and at the end, also while `dvc repro` runs the stage.
    writes_dvcyaml: bool


@dataclass(frozen=True)
class LiveLogging:
    """What a stage's calls to a Live's `log_metric` promise to write."""

    metrics: bool = False  # DIR/metrics.json (dvclive writes its summary at next_step / end)
    plots: bool = False  # DIR/plots/metrics (a `log_metric` without `plot=`)


def loggers(calls: Iterable[CallSite], cell: int, is_dvclive: Callable[[str], bool],
            literal: Callable[[str], str | None]) -> list[LiveLogger]:
    """The `Live(...)` calls among `calls` (`is_dvclive` tells whether a dotted name refers
    to dvclive's Live, by the cell's imports)."""
    found = []
    for call in calls:
        if call.func.rsplit(".", 1)[-1] != "Live" or not is_dvclive(call.func):
            continue
        kwargs = dict(call.kwargs)
        if "dir" in kwargs:
            where = kwargs["dir"]
            folder = normalise(resolve_path(where, literal) or "") if where is not None else None
        elif call.args:
            folder = normalise(resolve_path(call.args[0], literal) or "") \
                if call.args[0] is not None else None
        else:
            folder = DEFAULT_DIR
        # dvcyaml=None / False keeps dvclive from writing; a string names the file it writes.
        writes = "dvcyaml" not in kwargs or kwargs["dvcyaml"] is not None
        found.append(LiveLogger(folder, cell, call.line, writes))
    return found


def logging(calls: Iterable[CallSite]) -> LiveLogging:
    """Whether the calls log metrics, and whether any of them plots (no `plot=` given)."""
    metrics = plots = False
    for call in calls:
        if call.func.rsplit(".", 1)[-1] in _LOGGING_METHODS:
            metrics = True
            plots |= "plot" not in dict(call.kwargs)
    return LiveLogging(metrics, plots)
