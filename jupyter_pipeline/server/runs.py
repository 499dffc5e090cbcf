"""Pipeline runs started from the browser: one background thread each, with a state object the
browser polls. The embedded runner reports events from its own threads, so every change to a
run's state holds that run's lock. A pipeline run can be cancelled (the panel's Cancel): it ends
as Ctrl-C ends `nb2pipe run`, its running stages marked "cancelled"."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import api
from ..errors import Nb2PipeError
from .paths import relative_to_root, rooted

# Runner events that end a stage's progress; "cell" only says which cell is running now.
_FINAL = {"skipped", "done", "failed", "not started"}
# Finished runs kept for the browser to read; older ones are forgotten (a long-lived server
# must not grow with every click on "Run pipeline").
_KEEP_FINISHED = 50


@dataclass
class StageProgress:
    name: str
    state: str = "waiting"
    seconds: float = 0.0
    cell: str | None = None  # while it runs: "cell 2/4", "loading inputs"
    output: str | None = None  # while it runs: the last line it printed
    detail: str = ""
    since: float | None = None  # when it started running: a running stage's seconds tick

    def to_json(self) -> dict[str, Any]:
        seconds = time.monotonic() - self.since if self.since is not None else self.seconds
        return {"name": self.name, "state": self.state, "seconds": round(seconds, 2),
                "cell": self.cell, "output": self.output, "detail": self.detail}


@dataclass
class Run:
    run_id: str
    folder: Path
    stages: dict[str, StageProgress]
    state: str = "running"
    message: str | None = None
    failure: dict[str, Any] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    rooted: Callable[[str], str] = field(default=lambda text: text)
    # How to stop it early; None for a run that cannot be cancelled (a sweep of experiments).
    cancel: api.Cancel | None = None

    def on_event(self, event) -> None:  # noqa: ANN001 - runner.run.Event
        with self.lock:
            stage = self.stages.setdefault(event.stage, StageProgress(event.stage))
            if event.state == "cell":
                stage.state, stage.cell = "running", event.detail or None
                return
            if event.state == "output":
                stage.output = self.rooted(event.detail)[:200] or None
                return
            stage.state, stage.detail = event.state, self.rooted(event.detail)
            if event.state == "running":
                stage.since = time.monotonic()
            elif event.state in _FINAL:
                stage.cell, stage.output, stage.since = None, None, None
                stage.seconds = round(event.seconds, 2)

    def abandon(self, message: str) -> None:
        """The runner stopped without finishing: stages it never ended did not run."""
        with self.lock:
            self.state, self.message = "failed", message
            for stage in self.stages.values():
                if stage.state in ("waiting", "running"):
                    stage.state, stage.cell, stage.since = "not started", None, None

    def end_cancelled(self) -> None:
        """The runner stopped at the user's request: the stages it was running were cancelled
        (their kernels killed), the ones waiting did not start; finished ones stay recorded."""
        with self.lock:
            stopped = []
            for stage in self.stages.values():
                if stage.state == "running":
                    stopped.append(stage.name)
                    at = f" at {stage.cell}" if stage.cell else ""
                    stage.state, stage.detail = "cancelled", f"cancelled{at}"
                    stage.seconds = round(time.monotonic() - stage.since, 2) \
                        if stage.since is not None else stage.seconds
                    stage.cell, stage.output, stage.since = None, None, None
                elif stage.state == "waiting":
                    stage.state, stage.detail = "not started", "the run was cancelled"
            which = ", ".join(f"'{n}'" for n in stopped)
            self.state = "cancelled"
            self.message = (f"Cancelled: stage {which} stopped" if stopped else "Cancelled") + \
                "; the stages that had finished stay recorded in dvc.lock"

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {
                "run_id": self.run_id,
                "state": self.state,
                "stages": [s.to_json() for s in self.stages.values()],
                "message": self.message,
                "failure": dict(self.failure) if self.failure else None,
            }


class Runs:
    """The runs this server started; at most one at a time per pipeline folder."""

    def __init__(self, root: str | Path, log: logging.Logger) -> None:
        self.root, self.log = Path(root).resolve(), log
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()

    def get(self, run_id: str) -> Run | None:
        with self._lock:
            return self._runs.get(run_id)

    def start(self, folder: Path, force: bool) -> Run:
        """A dvc.yaml that cannot be read raises here, as the answer to the browser's request;
        the plan (which hashes data files, possibly large) is made in the run's thread, and its
        problems end the run as failed with their message."""
        return self.begin(folder, api.stage_names(folder), lambda run: self._run(run, force),
                          api.Cancel())

    def begin(self, folder: Path, names: list[str], work: Callable[[Run], None],
              cancel: api.Cancel | None = None) -> Run:
        """A run of `folder` whose progress entries are `names`, done by `work` in its own
        thread (a pipeline run, or a sweep of experiments: see experiments.py); `cancel`, when
        given, is what `work` stops at."""
        with self._lock:
            busy = [r for r in self._runs.values() if r.folder == folder and r.state == "running"]
            if busy:
                raise RunConflict(busy[0].run_id)
            run = Run(uuid.uuid4().hex, folder, {n: StageProgress(n) for n in names},
                      rooted=lambda text: rooted(self.root, text), cancel=cancel)
            self._forget_old_runs()
            self._runs[run.run_id] = run
        threading.Thread(target=work, args=(run,), name=f"nb2pipe-run-{run.run_id}",
                         daemon=True).start()
        return run

    def _forget_old_runs(self) -> None:
        finished = [k for k, r in self._runs.items() if r.state != "running"]
        for run_id in finished[:max(0, len(finished) - _KEEP_FINISHED + 1)]:
            del self._runs[run_id]

    def _run(self, run: Run, force: bool) -> None:
        try:
            result = api.run(run.folder, force=force, report=run.on_event, cancel=run.cancel)
        except api.Cancelled:
            run.end_cancelled()
            return
        except Nb2PipeError as exc:
            run.abandon(run.rooted(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - a thread has no caller: report, don't vanish
            self.log.exception("nb2pipe: the run of '%s' failed", run.folder)
            run.abandon(f"nb2pipe failed unexpectedly ({exc!r}); the server's log has the "
                        "details")
            return
        failure = self._failure(run, result.failed[0]) if result.failed else None
        with run.lock:
            run.failure = failure
            run.state = "failed" if result.failed else "done"
            if failure:
                said = failure["message"]
                run.message = said if f"stage '{failure['stage']}'" in said \
                    else f"stage '{failure['stage']}' failed: {said}"

    def _failure(self, run: Run, stage: str) -> dict[str, Any]:
        with run.lock:
            detail = run.stages[stage].detail if stage in run.stages else ""
        try:
            executed, cell = api.failure_location(run.folder, stage)
        except Nb2PipeError:
            executed, cell = None, None
        return {"stage": stage, "message": detail,
                "executed_notebook": relative_to_root(self.root, executed) if executed else None,
                "cell_index": cell}


class NotCancellable(Exception):
    """The run has ended already, or is of a kind that cannot be cancelled."""


def cancel(run: Run) -> None:
    """Ask `run` to stop; it ends (state "cancelled") once its running stages are stopped."""
    with run.lock:
        if run.state != "running":
            raise NotCancellable(f"the run has ended already ({run.state})")
    if run.cancel is None:
        raise NotCancellable("a run of experiments cannot be cancelled from the panel; "
                             "its experiments end on their own")
    run.cancel.request()


class RunConflict(Exception):
    def __init__(self, run_id: str) -> None:
        super().__init__(run_id)
        self.run_id = run_id
