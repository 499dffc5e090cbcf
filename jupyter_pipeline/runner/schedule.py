"""Run stages as soon as their upstream stages are done, up to `jobs` at a time. Knows nothing
of DVC, kernels or files: the step that runs one stage and the hooks around it are given, so
-j, --keep-going, blocking and interruption are tested with fake stages (tests/runner)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, InvalidStateError, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Mapping


@dataclass(frozen=True)
class StageFailure:
    """Why a stage failed, with the fields a user looks at. `cell`, `exception`, `value`: the
    failing cell of a notebook stage (its id in the user's notebook) and what it raised;
    `executed`: the executed notebook to open."""

    message: str
    cell: str | None = None
    exception: str | None = None
    value: str | None = None
    executed: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What one step returned: ok, or the failure."""

    failure: StageFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def detail(self) -> str:
        return self.failure.message if self.failure else ""


def failed(message: str, **fields: str | None) -> Outcome:
    return Outcome(StageFailure(message, **fields))


SUCCEEDED = Outcome()


@dataclass
class Event:
    stage: str
    # "skipped", "running", "done", "failed", "not started"; while a stage runs, "cell" (a cell
    # started: "cell 2/4", "loading inputs") and "output" (the last line it printed).
    state: str
    detail: str = ""
    seconds: float = 0.0
    failure: StageFailure | None = None  # with state "failed"


@dataclass
class Scheduled:
    events: list[Event] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class Cancelled(KeyboardInterrupt):
    """The run was cancelled from another thread (the panel's Cancel): handled as Ctrl-C."""


class Cancel:
    """A request, from any thread, to stop a run as Ctrl-C stops it. A future rather than an
    event, so that the scheduler, waiting for its running stages, wakes at the request."""

    def __init__(self) -> None:
        self.future: Future = Future()

    def request(self) -> None:
        try:
            self.future.set_result(True)
        except InvalidStateError:  # asked twice
            pass

    @property
    def requested(self) -> bool:
        return self.future.done()


@dataclass(frozen=True)
class Hooks:
    """What the scheduler calls around each step, all in the scheduling thread except `step`.

    prepare(stage): before the step; a message fails the stage without running it.
    finish(stage): after a step that succeeded (record it: dvc.lock); a message fails the
        stage after all (what it left cannot be recorded).
    launched(stage): after a step started (warm the next kernels).
    interrupt(): Ctrl-C or SIGTERM arrived: make the running steps return now; `stop` is set."""

    step: Callable[[str], Outcome]
    prepare: Callable[[str], str | None] = lambda stage: None
    finish: Callable[[str], str | None] = lambda stage: None
    launched: Callable[[str], None] = lambda stage: None
    interrupt: Callable[[], None] = lambda: None


def run_stages(stages: list[str], upstream: Mapping[str, list[str]], hooks: Hooks, jobs: int,
               keep_going: bool = False, report: Callable[[Event], None] = lambda e: None,
               stop: threading.Event | None = None, cancel: Cancel | None = None) -> Scheduled:
    """Run `stages` (in run order) once each. A stage starts when its upstream stages among
    `stages` are done; after a failure nothing new starts unless `keep_going`, and a stage
    whose upstream failed never starts. KeyboardInterrupt (Ctrl-C, or SIGTERM turned into one)
    sets `stop`, calls `hooks.interrupt` and propagates once the running steps returned;
    `cancel` requested ends the run the same way, with Cancelled."""
    out = Scheduled()
    stop = stop or threading.Event()
    cancel = cancel or Cancel()
    wanted = set(stages)
    done: set[str] = set()
    blocked: set[str] = set()
    pending = list(stages)
    running: dict[Future, tuple[str, float]] = {}

    def emit(ev: Event) -> None:
        out.events.append(ev)
        report(ev)

    def fail(name: str, outcome: Outcome, seconds: float = 0.0) -> None:
        out.failed.append(name)
        blocked.add(name)
        emit(Event(name, "failed", outcome.detail, seconds, outcome.failure))

    def launch(workers: ThreadPoolExecutor, name: str) -> None:
        problem = hooks.prepare(name)
        if problem:
            fail(name, failed(problem))
            return
        emit(Event(name, "running"))
        running[workers.submit(hooks.step, name)] = (name, time.monotonic())
        hooks.launched(name)

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="stage") as workers:
        try:
            while pending or running:
                if cancel.requested:
                    raise Cancelled()
                for name in list(pending):
                    if len(running) >= jobs:
                        break
                    ups = [u for u in upstream.get(name, []) if u in wanted]
                    if any(u in blocked for u in ups):
                        pending.remove(name)
                        blocked.add(name)
                        emit(Event(name, "not started", "an upstream stage failed"))
                    elif all(u in done for u in ups) and not (out.failed and not keep_going):
                        pending.remove(name)
                        launch(workers, name)
                if not running:
                    if out.failed and not keep_going:
                        for name in pending:
                            emit(Event(name, "not started", "an earlier stage failed"))
                        break
                    if not pending:
                        break
                    continue
                finished, _ = wait([*running, cancel.future], return_when=FIRST_COMPLETED)
                for fut in finished:
                    if fut is cancel.future:
                        continue  # the running stages that ended with it are recorded first
                    name, started = running.pop(fut)
                    outcome = fut.result()
                    seconds = time.monotonic() - started
                    problem = hooks.finish(name) if outcome.ok else None
                    if problem:
                        fail(name, failed(problem), seconds)
                    elif outcome.ok:
                        done.add(name)
                        emit(Event(name, "done", "", seconds))
                    else:
                        fail(name, outcome, seconds)
        except KeyboardInterrupt:
            # Stop the running steps before the executor waits for their threads.
            stop.set()
            hooks.interrupt()
            raise
    return out
