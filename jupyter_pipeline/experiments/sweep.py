"""Edge: `nb2pipe sweep`: every combination of a grid, up to `jobs` at a time, each run in a
scratch worktree (scratch.py) with what is already known restored (reuse.py), run and recorded
as a DVC experiment by a worker process (worker.py). The user's workspace is only read.

Held for the whole sweep: the repository's lock (as `nb2pipe run` holds it), so no `dvc repro`
or `dvc exp run` changes the workspace or DVC's refs meanwhile. Ctrl-C / SIGTERM stop every
combination (their kernels too) and remove the scratch worktrees; experiments already saved are
kept, complete (a git ref is written at once). A combination that fails is reported and the
others go on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from ruamel.yaml import YAML

from ..runner.plan import dependencies
from ..runner.repository import dvc_cache_dir, dvc_repo
from ..runner.run import load_specs
from ..runner.run_lock import exclusive_run
from ..runner.signals import terminate_as_interrupt
from ..runner.spec import StageSpec
from . import scratch
from .grid import Axis, Combination, GridError, check_names, combinations
from .order import StageParams, next_combination, swept_inputs, work_keys
from .results import ExperimentRow, rows
from .reuse import StageMemo, restore_locked, topological
from .worker import MARK


@dataclass(frozen=True)
class SweepEvent:
    """Progress of one combination: "waiting", "started", "stage" (a stage event: `stage`,
    `detail` = running/done/skipped/failed), "saving", "saved" or "failed"."""

    index: int
    total: int
    label: str
    state: str
    stage: str = ""
    detail: str = ""
    seconds: float = 0.0
    name: str = ""
    reused: tuple[str, ...] = ()
    ran: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    combination: Combination
    name: str | None  # the experiment's name, None when it failed
    rev: str | None
    problem: str | None
    seconds: float
    ran: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()


@dataclass
class SweepResult:
    outcomes: list[Outcome] = field(default_factory=list)
    table: list[ExperimentRow] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problem]


def _params_data(folder: Path) -> dict[str, Any]:
    path = folder / "params.yaml"
    if not path.is_file():
        raise GridError(f"'{folder}' has no params.yaml: nothing to sweep. Convert a notebook "
                        "with a 'parameters' cell first")
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise GridError(f"'{path}' is not a mapping of parameters")
    return data


def _lookup(params: dict[str, Any], dotted: str) -> Any:
    node: Any = params
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _stage_params(specs: list[StageSpec]) -> list[StageParams]:
    edges = dependencies(specs)
    found = []
    for s in specs:
        reads: list[str] | None = []
        for file, keys in s.params:
            if file != "params.yaml":
                continue
            if keys is None:
                reads = None
                break
            reads.extend(keys)
        found.append(StageParams(s.name, tuple(edges.get(s.name, [])),
                                 None if reads is None else tuple(reads)))
    return found


def prepare(folder: Path, axes: Sequence[Axis]) -> tuple[list[StageSpec], list[StageParams]]:
    """Check the grid against the pipeline before anything runs."""
    specs = load_specs(folder)
    stage_params = _stage_params(specs)
    reads: set[str] | None = set()
    for sp in stage_params:
        if sp.reads is None:
            reads = None
            break
        reads.update(sp.reads)
    check_names(axes, _params_data(folder), reads)
    return specs, stage_params


class _Sweep:
    def __init__(self, folder: Path, axes: Sequence[Axis], jobs: int,
                 report: Callable[[SweepEvent], None]) -> None:
        self.folder = folder
        self.specs, stage_params = prepare(folder, axes)
        root = dvc_repo(folder)
        self.repo = scratch.find_repository(folder, root,
                                            dvc_cache_dir(root) if root else None)
        self.combos = combinations(axes)
        inputs = swept_inputs(stage_params, [a.name for a in axes])
        self.keys = {i: work_keys(c, inputs) for i, c in enumerate(self.combos)}
        self.jobs = max(1, jobs)
        self.report = report
        self.memo = StageMemo(self.repo.cache_dir)
        self.order = topological(self.specs, dependencies(self.specs))
        self.changed = threading.Condition()
        # What the workspace's values give is computed already (when its dvc.lock is current)
        params = _params_data(folder)
        current = Combination(tuple((a.name, _lookup(params, a.name)) for a in axes))
        self.done_keys: set = set(work_keys(current, inputs))
        self.running: dict[int, subprocess.Popen | None] = {}
        self.outcomes: dict[int, Outcome] = {}
        self.stopping = False
        self.git_lock = threading.Lock()  # `git worktree add/remove` one at a time

    def event(self, index: int, state: str, **kw: Any) -> None:
        self.report(SweepEvent(index, len(self.combos), self.combos[index].label(), state, **kw))

    def run(self) -> list[Outcome]:
        scratch.remove_stale(self.repo)
        waiting = list(range(len(self.combos)))
        threads: list[threading.Thread] = []
        for i in waiting:
            self.event(i, "waiting")
        try:
            with self.changed:
                while waiting or self.running:
                    while waiting and len(self.running) < self.jobs:
                        running_keys = set().union(*(self.keys[i] for i in self.running))
                        pick = next_combination(waiting, self.keys, self.done_keys,
                                                running_keys, bool(self.running))
                        if pick is None:
                            break
                        waiting.remove(pick)
                        self.running[pick] = None
                        t = threading.Thread(target=self._one, args=(pick,), daemon=True)
                        threads.append(t)
                        t.start()
                    self.changed.wait(0.5)
        except KeyboardInterrupt:
            self._stop(threads)
            raise
        return [self.outcomes[i] for i in sorted(self.outcomes)]

    def _stop(self, threads: list[threading.Thread]) -> None:
        with self.changed:
            self.stopping = True
            procs = [p for p in self.running.values() if p is not None]
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except OSError:
                pass
        deadline = time.monotonic() + 20
        for t in threads:
            t.join(max(0.1, deadline - time.monotonic()))
        for proc in procs:  # a worker that did not stop in time
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
        scratch.remove_stale(self.repo, own=True)

    def _one(self, index: int) -> None:
        combo = self.combos[index]
        start = time.monotonic()
        folder = None
        outcome = Outcome(combo, None, None, "interrupted", 0.0)
        try:
            with self.git_lock:
                if self.stopping:
                    return
                folder = scratch.create(self.repo, index)
            scratch.set_params(folder, combo.as_dict())
            restore_locked(folder, self.specs, self.repo.cache_dir)
            reused = tuple(self.memo.apply(folder, self.specs, self.order))
            self.event(index, "started", reused=reused)
            outcome = self._work(index, folder, reused, start)
            if outcome.problem is None:
                self.memo.record(folder, self.specs)
        except Exception as exc:  # noqa: BLE001 - one combination's failure, the others go on
            outcome = Outcome(combo, None, None, f"{type(exc).__name__}: {exc}",
                              time.monotonic() - start)
            self.event(index, "failed", detail=outcome.problem, seconds=outcome.seconds)
        finally:
            if folder is not None:
                with self.git_lock:
                    scratch.remove(self.repo, scratch.tree_of(self.repo, folder))
            with self.changed:
                self.outcomes[index] = outcome
                if outcome.problem is None:
                    self.done_keys |= self.keys[index]
                self.running.pop(index, None)
                self.changed.notify_all()

    def _work(self, index: int, folder: Path, reused: tuple[str, ...], start: float) -> Outcome:
        combo = self.combos[index]
        lock = self.repo.scratch_base / "save.lock"
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_pipeline.experiments.worker", str(folder),
             str(lock)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True, cwd=folder)
        with self.changed:
            if self.stopping:
                os.killpg(proc.pid, signal.SIGTERM)
            self.running[index] = proc
        errors: list[str] = []
        drain = threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)
        drain.start()
        saved: dict[str, Any] = {}
        problem = None
        for line in proc.stdout:
            if not line.startswith(MARK):
                continue
            msg = json.loads(line[len(MARK):])
            if msg.get("stage"):
                self.event(index, "stage", stage=msg["stage"], detail=msg["state"],
                           seconds=msg.get("seconds") or 0.0)
                if msg["state"] == "failed":
                    problem = f"stage '{msg['stage']}' failed: {msg.get('detail')}"
            elif msg["state"] == "saving":
                self.event(index, "saving")
            elif msg["state"] == "saved":
                saved = msg
            elif msg["state"] == "failed":
                problem = problem or msg.get("detail") or "failed"
        code = proc.wait()
        drain.join(5)
        took = time.monotonic() - start
        if code != 0 or not saved:
            if not problem:
                tail = "".join(errors).strip().splitlines()[-1:] or [f"exit code {code}"]
                problem = tail[0]
            self.event(index, "failed", detail=problem, seconds=took)
            return Outcome(combo, None, None, problem, took, reused=reused)
        ran = tuple(s for s in saved.get("ran") or [])
        self.event(index, "saved", name=saved["name"], seconds=took, reused=reused, ran=ran)
        return Outcome(combo, saved["name"], saved["rev"], None, took, ran, reused)


def shown_experiments(folder: Path) -> list:
    """`dvc exp show --json` of the repository (DVC's own view of params and metrics)."""
    proc = subprocess.run([sys.executable, "-m", "dvc", "exp", "show", "--json"],
                          cwd=folder, capture_output=True, text=True)
    if proc.returncode != 0:
        return []
    try:
        return json.loads(proc.stdout)
    except ValueError:
        return []


def sweep(folder: Path, axes: Sequence[Axis], jobs: int | None = None,
          report: Callable[[SweepEvent], None] = lambda e: None) -> SweepResult:
    start = time.monotonic()
    work = _Sweep(folder, axes, jobs or os.cpu_count() or 1, report)
    with exclusive_run(folder), terminate_as_interrupt():
        outcomes = work.run()
    revs = [o.rev for o in outcomes if o.rev]
    params_file = Path(os.path.relpath(folder.resolve() / "params.yaml", work.repo.dvc_root))
    table = (rows(shown_experiments(folder), revs, [a.name for a in axes],
                  params_file.as_posix()) if revs else [])
    return SweepResult(outcomes, table, time.monotonic() - start)
