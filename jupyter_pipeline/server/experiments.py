"""The experiments view's requests: GET /nb2pipe/experiments?path=NB (the pipeline's parameters,
its experiments as `dvc exp show --json` gives them, where the workspace's metrics come from) and
POST /nb2pipe/experiments (run one experiment, or a small grid, as `nb2pipe sweep` runs it).

A sweep is followed as a run of the pipeline is (GET /nb2pipe/run/<id>, runs.py): each
combination is one entry of the run's `stages`, named by its values, with the stage it is at."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import api
from ..errors import Nb2PipeError
from ..wire import ExperimentsReply, provenance_json
from . import work
from .paths import RequestError, relative_to_root
from .runs import Run, Runs

# How many experiments one click may start: the panel's grid is "small"; a larger one is a job
# for `nb2pipe sweep` in a terminal.
MAX_COMBINATIONS = 16
_SCALARS = (int, float, str, bool)


def read(root: str, path: str) -> work.Reply:
    """Runs in nb2pipe's worker process: the analysis (for provenance) holds the GIL."""
    return work.answer(root, 200, lambda base: dict(_experiments(base, path)))


def _experiments(base: Path, path: str) -> ExperimentsReply:
    notebook = work.notebook_path(base, {"path": path})
    folder = notebook.parent
    reply: ExperimentsReply = {
        "notebook": relative_to_root(base, notebook), "dvc_yaml": None, "params": [],
        "param_columns": [], "metric_columns": [], "experiments": [], "provenance": [],
        "message": None}
    if not (folder / "dvc.yaml").is_file():
        reply["message"] = ("No pipeline yet: export the notebook ('Export'), run it, commit, "
                            "then run experiments here")
        return reply
    reply["dvc_yaml"] = relative_to_root(base, folder / "dvc.yaml")
    shown = api.experiments(folder)
    reply["params"] = [{"name": n, "value": v} for n, v in shown.params]
    reply["param_columns"] = [n for n, _ in shown.params]
    metric_columns: dict[str, None] = {}
    for row in shown.rows:
        metric_columns.update((c, None) for c, _ in row.metrics)
        reply["experiments"].append({"name": row.name, "rev": row.rev, "params": dict(row.params),
                                     "metrics": dict(row.metrics)})
    reply["metric_columns"] = list(metric_columns)
    analysis = api.analyze_path(notebook)
    if analysis.ok:
        reply["provenance"] = provenance_json(analysis, api.metric_sources(analysis, notebook))
    return reply


@dataclass(frozen=True)
class SweepRequest:
    folder: Path
    grid: dict[str, list[Any]]
    jobs: int


def check(root: str, raw: bytes) -> work.Reply:
    """Runs in the worker process: the request and the grid checked against the pipeline; a 202
    holds what the handler starts the sweep with."""
    def checked(base: Path) -> dict[str, Any]:
        data = work.body(raw)
        notebook = work.notebook_path(base, data)
        folder = notebook.parent
        if not (folder / "dvc.yaml").is_file():
            raise RequestError(422, f"'{relative_to_root(base, folder) or '.'}' has no dvc.yaml "
                                    "yet: export the notebook first, then run experiments")
        grid = _grid(data.get("grid", {}))
        jobs = data.get("jobs", 2)
        if not isinstance(jobs, int) or isinstance(jobs, bool) or not 1 <= jobs <= 8:
            raise RequestError(400, "'jobs' must be a whole number from 1 to 8")
        api.sweep_grid(folder, grid, check_only=True)
        return {"folder": str(folder), "grid": grid, "jobs": jobs}
    return work.answer(root, 202, checked)


def _grid(grid: Any) -> dict[str, list[Any]]:
    if not isinstance(grid, dict):
        raise RequestError(400, "'grid' must map parameter names to lists of values")
    count = 1
    for name, values in grid.items():
        if not isinstance(values, list) or not values or \
                not all(isinstance(v, _SCALARS) for v in values):
            raise RequestError(400, f"'{name}' must have a list of one or more values (numbers, "
                                    "true/false or text)")
        count *= len(values)
    if count > MAX_COMBINATIONS:
        raise RequestError(422, f"that grid is {count} experiments; the panel runs at most "
                                f"{MAX_COMBINATIONS} at once: use 'nb2pipe sweep' in a terminal "
                                "for more")
    return grid


def start(runs: Runs, request: SweepRequest, log: logging.Logger) -> Run:
    return runs.begin(request.folder, api.grid_labels(request.grid),
                      lambda run: _sweep(run, request, log))


@dataclass(frozen=True)
class _Progress:
    """A sweep event in the shape Run.on_event reads (runner.run.Event's fields)."""

    stage: str
    state: str
    detail: str = ""
    seconds: float = 0.0


def _progress(event: Any) -> _Progress | None:
    label = event.label
    if event.state == "started":
        return _Progress(label, "running")
    if event.state == "stage" and event.detail == "running":
        return _Progress(label, "cell", f"stage {event.stage}")
    if event.state == "saving":
        return _Progress(label, "cell", "saving the experiment")
    if event.state == "saved":
        return _Progress(label, "done", event.name, event.seconds)
    if event.state == "failed":
        return _Progress(label, "failed", event.detail, event.seconds)
    return None


def _sweep(run: Run, request: SweepRequest, log: logging.Logger) -> None:
    def report(event: Any) -> None:
        progress = _progress(event)
        if progress is not None:
            run.on_event(progress)

    try:
        result = api.sweep_grid(request.folder, request.grid, request.jobs, report)
    except Nb2PipeError as exc:
        run.abandon(run.rooted(str(exc)))
        return
    except Exception as exc:  # noqa: BLE001 - a thread has no caller: report, don't vanish
        log.exception("nb2pipe: the experiments of '%s' failed", request.folder)
        run.abandon(f"nb2pipe failed unexpectedly ({exc!r}); the server's log has the details")
        return
    failed = result.failed
    with run.lock:
        run.state = "failed" if failed else "done"
        if failed:
            run.message = "; ".join(f"{o.combination.label()}: {run.rooted(o.problem or '')}"
                                    for o in failed)
