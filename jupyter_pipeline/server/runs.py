"""Pipeline runs started from the browser: one background thread each, with a state object the
browser polls. The embedded runner reports events from its own threads, so every change to a
run's state holds that run's lock."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import api
from ..errors import Nb2PipeError

# Runner events that end a stage's progress; "cell" only says which cell is running now.
_FINAL = {"skipped", "done", "failed", "not started"}


@dataclass
class StageProgress:
    name: str
    state: str = "waiting"
    seconds: float = 0.0
    cell: str | None = None
    detail: str = ""


@dataclass
class Run:
    run_id: str
    folder: Path
    stages: dict[str, StageProgress]
    state: str = "running"
    message: str | None = None
    failure: dict[str, Any] | None = None
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_event(self, event) -> None:  # noqa: ANN001 - runner.run.Event
        with self.lock:
            stage = self.stages.setdefault(event.stage, StageProgress(event.stage))
            if event.state == "cell":
                stage.state, stage.cell = "running", event.detail or None
                return
            stage.state, stage.detail = event.state, event.detail
            if event.state in _FINAL:
                stage.cell = None
                stage.seconds = round(event.seconds, 2)

    def to_json(self) -> dict[str, Any]:
        with self.lock:
            return {
                "run_id": self.run_id,
                "state": self.state,
                "stages": [vars(s).copy() for s in self.stages.values()],
                "message": self.message,
                "failure": dict(self.failure) if self.failure else None,
            }


class Runs:
    """The runs this server started; at most one at a time per pipeline folder."""

    def __init__(self, root: Path, relative: Callable[[Path], str]) -> None:
        self.root, self.relative = root, relative
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()

    def get(self, run_id: str) -> Run | None:
        with self._lock:
            return self._runs.get(run_id)

    def start(self, folder: Path, force: bool) -> Run:
        """Plan-level problems (no dvc.yaml, a stage DVC would refuse) raise here, before a
        thread starts, so the browser gets them as the answer to its request."""
        names = api.stage_names(folder)
        with self._lock:
            busy = [r for r in self._runs.values() if r.folder == folder and r.state == "running"]
            if busy:
                raise RunConflict(busy[0].run_id)
            run = Run(uuid.uuid4().hex, folder, {n: StageProgress(n) for n in names})
            self._runs[run.run_id] = run
        threading.Thread(target=self._run, args=(run, force), name=f"nb2pipe-run-{run.run_id}",
                         daemon=True).start()
        return run

    def _run(self, run: Run, force: bool) -> None:
        try:
            result = api.run(run.folder, force=force, report=run.on_event)
        except Nb2PipeError as exc:
            with run.lock:
                run.state, run.message = "failed", str(exc)
            return
        except Exception as exc:  # noqa: BLE001 - a thread has no caller: report, don't vanish
            with run.lock:
                run.state, run.message = "failed", f"nb2pipe failed unexpectedly: {exc!r}"
            return
        failure = self._failure(run, result.failed[0]) if result.failed else None
        with run.lock:
            run.failure = failure
            run.state = "failed" if result.failed else "done"
            if failure:
                run.message = f"stage '{failure['stage']}' failed: {failure['message']}"

    def _failure(self, run: Run, stage: str) -> dict[str, Any]:
        with run.lock:
            detail = run.stages[stage].detail if stage in run.stages else ""
        try:
            executed, cell = api.failure_location(run.folder, stage)
        except Nb2PipeError:
            executed, cell = None, None
        return {"stage": stage, "message": detail,
                "executed_notebook": self.relative(executed) if executed else None,
                "cell_index": cell}


class RunConflict(Exception):
    def __init__(self, run_id: str) -> None:
        super().__init__(run_id)
        self.run_id = run_id
