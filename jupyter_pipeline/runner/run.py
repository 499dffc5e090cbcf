"""Edge: run a dvc.yaml pipeline without DVC, reading and writing dvc.lock as DVC does.

Plan (plan.py, pure; every stage that will run checked for its inputs, its outs for staying
inside the repository: boundary.py), then run with the repository held (run_lock.py): the
scheduler (schedule.py) runs each stage (steps.py) as soon as its upstream stages are done, up
to `jobs` at a time; a stage's lock entry, cache objects and .gitignore entries are written only
when it succeeded; the lock file is replaced atomically, so an interruption never leaves a
broken one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ruamel.yaml import YAML

from . import lock as lockfile
from ..runtime import atomic
from .boundary import check_outputs, out_problem, repository_root
from .dvc_cache import store_in_dvc_cache
from .gitignore import git_root, ignore_outputs, tracked_outputs
from .hashing import HashCache
from .kernels import KernelPool, preload_modules
from .plan import Decision, decide, dependencies
from .run_lock import exclusive_run
from .schedule import Cancel, Cancelled, Event, Hooks, run_stages
from .signals import terminate_as_interrupt
from .spec import PipelineError, StageSpec, parse_stages
from .steps import NotebookStage, notebook_stage, run_stage

__all__ = ["Cancel", "Cancelled", "Event", "NotebookStage", "RunResult", "execute", "load_specs",
           "notebook_stage", "plan"]


@dataclass
class RunResult:
    decisions: list[Decision]
    events: list[Event] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def load_specs(root: Path) -> list[StageSpec]:
    path = root / "dvc.yaml"
    if not path.exists():
        raise PipelineError(f"'{root}' has no dvc.yaml. Run 'nb2pipe convert NOTEBOOK' first, "
                            "or pass the folder that holds dvc.yaml")
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - any YAML problem is the user's file
        raise PipelineError(f"'{path}' is not valid YAML: {exc}") from None
    variables: dict = {}
    params = root / "params.yaml"
    if params.exists():
        try:
            variables = dict(YAML(typ="safe").load(params.read_text(encoding="utf-8")) or {})
        except Exception:  # noqa: BLE001 - reported where a stage reads the parameters
            variables = {}
    for extra in (data or {}).get("vars") or [] if isinstance(data, dict) else []:
        if isinstance(extra, dict):
            variables.update(extra)
    return parse_stages(data, variables)


def plan(root: Path, targets: list[str] | None = None, force: bool = False,
         downstream: bool = False) -> tuple[list[StageSpec], dict, list[Decision], list[str]]:
    specs = load_specs(root)
    check_outputs(specs, root)
    edges = dependencies(specs)
    locked, warning = lockfile.read_lock(root / "dvc.lock")
    cache = HashCache(root)

    def changes(spec: StageSpec) -> str | None:
        return lockfile.differences(spec, locked.get(spec.name), root, cache)

    decisions = decide(specs, edges, changes, set(targets) if targets else None, force,
                       downstream)
    _check_inputs(specs, decisions, root, edges)
    cache.save()
    return specs, edges, decisions, [warning] if warning else []


def _check_inputs(specs: list[StageSpec], decisions: list[Decision], root: Path,
                  edges: dict[str, list[str]]) -> None:
    """Every stage that will run, whatever the reason (changed, forced, its upstream runs), has
    its dependencies and parameters, as `dvc repro` demands: a stage run only because its
    upstream ran must not write a dvc.lock entry that DVC, and the next run, then refuse.
    A missing file no stage declares is looked for again when the stage starts (_missing_now)
    if a stage before it runs now: that one may make it under a name only its run knows, and
    `dvc repro`, which looks when it reaches the stage, then runs it too."""
    by_name = {s.name: s for s in specs}
    running = [by_name[d.stage] for d in decisions if d.run]
    runs_now = {s.name for s in running}

    def runs_after_another(name: str) -> bool:
        seen, stack = set(), list(edges.get(name, ()))
        while stack:
            up = stack.pop()
            if up in runs_now:
                return True
            if up not in seen:
                seen.add(up)
                stack.extend(edges.get(up, ()))
        return False
    made_now = {s.root_path(o.path): s.name for s in running for o in s.outs}
    made_by = {s.root_path(o.path): s.name for s in specs for o in s.outs}

    def writer(full: str, among: dict[str, str]) -> str | None:
        return next((who for p, who in among.items() if full == p or full.startswith(p + "/")),
                    None)

    for spec in running:
        for d in spec.deps:
            full = spec.root_path(d)
            if (root / full).exists() or writer(full, made_now):
                continue
            other = writer(full, made_by)
            if other:
                raise PipelineError(
                    f"stage '{spec.name}' depends on '{d}', which does not exist; stage "
                    f"'{other}' writes it but does not run now. Run it too ('nb2pipe run "
                    f"{other}'). Nothing was run")
            if runs_after_another(spec.name):
                continue
            raise PipelineError(
                f"stage '{spec.name}' depends on '{d}', which does not exist and no stage "
                "writes; restore the file or remove it from the stage's deps. Nothing was run")
        _, missing = lockfile.param_values(spec, root)
        if missing:
            raise PipelineError(f"stage '{spec.name}' reads parameter(s) "
                                f"{', '.join(missing)}, missing from the params file; add "
                                "them or convert the notebook again. Nothing was run")


def _missing_now(spec: StageSpec, root: Path) -> str | None:
    """The first of the stage's dependencies that does not exist as it starts (DVC's check)."""
    return next((d for d in spec.deps if not (root / spec.root_path(d)).exists()), None)


def _remove_outputs(spec: StageSpec, root: Path, repository: Path) -> str | None:
    """DVC deletes a stage's outputs before running it: no stale output survives a run.

    Each out is checked again just before: an earlier stage of this run may have made a folder
    on its path a symlink leading outside the repository. Returns why nothing was removed."""
    problems = [p for o in spec.outs if (p := out_problem(spec, o.path, root, repository))]
    if problems:
        return problems[0]
    for o in spec.outs:  # through the folder's descriptor, checked again (runtime/atomic.py)
        try:
            atomic.remove(root / spec.root_path(o.path), repository)
        except atomic.LeadsOutside as exc:
            return f"stage '{spec.name}' has the output '{o.path}': {exc}"
    return None


def _not_recorded(problem: str) -> str:
    return (f"{problem}. It ran, but nb2pipe did not hash, cache or record its outputs (not in "
            "dvc.lock), and wrote nothing through the link")


def _cannot_record(stage: str, exc: OSError) -> str:
    why = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else "it failed"
    return (f"stage '{stage}' ran, but it cannot be recorded: {why} ({exc.strerror or exc}). "
            "dvc.lock is as it was before the stage (every file nb2pipe writes is replaced "
            "whole or not at all); free some space, then run again")


def execute(root: Path, targets: list[str] | None = None, jobs: int | None = None,
            force: bool = False, downstream: bool = False, dry_run: bool = False,
            keep_going: bool = False, report: Callable[[Event], None] = lambda e: None,
            cancel: Cancel | None = None) -> RunResult:
    """Plan and run. The repository is held from planning to the last dvc.lock write
    (run_lock.py); SIGTERM stops the run as Ctrl-C does (KeyboardInterrupt), and so does
    `cancel` requested from another thread (Cancelled, a KeyboardInterrupt)."""
    if dry_run:
        _, _, decisions, warnings = plan(root, targets, force, downstream)
        return RunResult(decisions, warnings=warnings)
    # Refusals (no dvc.yaml, a cycle, an out outside the repository, a missing dependency)
    # come before the lock is made, so a refused run leaves nothing behind; the plan is made
    # again under the lock, with the hashes just computed.
    plan(root, targets, force, downstream)
    with exclusive_run(root), terminate_as_interrupt():
        return _execute(root, targets, jobs, force, downstream, keep_going, report,
                        cancel or Cancel())


def _execute(root: Path, targets: list[str] | None, jobs: int | None, force: bool,
             downstream: bool, keep_going: bool, report: Callable[[Event], None],
             cancel: Cancel) -> RunResult:
    specs, edges, decisions, warnings = plan(root, targets, force, downstream)
    result = RunResult(decisions, warnings=warnings)
    by_name = {s.name: s for s in specs}
    to_run = [d.stage for d in decisions if d.run]
    work_tree = git_root(root)
    repository = repository_root(root, specs)
    tracked = tracked_outputs([by_name[n] for n in to_run], root, work_tree)
    if tracked:
        stage, out, path = tracked[0]
        raise PipelineError(
            f"stage '{stage}' has the output '{out}', which git tracks; DVC refuses to manage "
            f"it ('output is already tracked by SCM'). Stop tracking it with "
            f"'git rm -r --cached {shlex.quote(path)}' (in '{root}') and commit; the run then "
            "adds it to .gitignore. Nothing was run")
    for d in decisions:
        if not d.run:
            ev = Event(d.stage, "skipped", d.reason)
            result.events.append(ev)
            report(ev)
    locked, _ = lockfile.read_lock(root / "dvc.lock")
    order = [s.name for s in specs]
    lock_guard = threading.Lock()
    cache = HashCache(root)
    stop = threading.Event()
    children: set[subprocess.Popen] = set()
    pending = set(to_run)
    jobs = max(1, jobs or os.cpu_count() or 1)
    # Kernels warming beyond the running ones. Warming is CPU work (importing pandas, sklearn):
    # more warm kernels than spare cores only slow the running stage (measured: BENCHMARKS.md).
    ahead = max(1, (os.cpu_count() or 2) - 1)
    notebook_stages = {n: notebook_stage(by_name[n], root) for n in to_run}
    pool = KernelPool(workers=max(ahead, jobs), preload=list(dict.fromkeys(  # in run order
        m for n, stage in notebook_stages.items() if stage is not None
        for m in preload_modules(stage.notebook, (root / by_name[n].wdir).resolve()))))
    if pool.forks:
        ahead = max(ahead, jobs)  # a forked kernel costs little CPU: have one ready per job
    warmed: list[str] = []

    def warm_ahead(started: str | None = None) -> None:
        """Keep `ahead` kernels warming for the next stages in run order."""
        pending.discard(started)
        idle = [n for n in warmed if n in pending]
        for name in to_run:
            if len(idle) >= ahead:
                return
            stage = notebook_stages.get(name)
            if name in pending and stage is not None and name not in warmed:
                pool.warm(name, stage.notebook, (root / by_name[name].wdir).resolve(),
                          stage.kernel)
                warmed.append(name)
                idle.append(name)

    def prepare(name: str) -> str | None:
        missing = _missing_now(by_name[name], root)
        if missing:
            return (f"it depends on '{missing}', which does not exist: no stage declares it, "
                    "and the stages before it did not make it. Restore the file, or write it "
                    "by its name in the notebook; it did not run")
        problem = _remove_outputs(by_name[name], root, repository)
        return f"{problem}; nothing was deleted and it did not run" if problem else None

    def finish(name: str) -> str | None:
        """Record the stage. What it left is checked again as each file is read or written:
        a stage that made its output, or a folder on the way, a link to outside the repository
        fails here, with nothing hashed, cached or written through the link."""
        spec = by_name[name]
        with lock_guard:
            try:
                problem = next((p for o in spec.outs
                                if (p := out_problem(spec, o.path, root, repository))), None)
                if problem:
                    return _not_recorded(problem)
                for o in spec.outs:
                    if o.cache:
                        store_in_dvc_cache(root, root / spec.root_path(o.path), cache,
                                           repository)
                entry = lockfile.stage_entry(spec, root, cache, repository)
                ignore_outputs(spec, root, work_tree)
            except atomic.LeadsOutside as exc:
                return _not_recorded(f"stage '{name}' left {exc}")
            except OSError as exc:  # a full disk: the cache or .gitignore cannot be written
                return _cannot_record(name, exc)
            try:
                lockfile.write_lock(root / "dvc.lock", {**locked, name: entry}, order,
                                    repository)
            except OSError as exc:
                return _cannot_record(name, exc)
            locked[name] = entry
            with contextlib.suppress(OSError):  # only a cache of hashes: computed again later
                cache.save()
        return None

    def interrupt() -> None:
        pool.kill_active()
        for proc in list(children):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except OSError:
                pass

    def seen(event: Event) -> None:
        if event.state in ("not started", "failed"):
            pending.discard(event.stage)  # no kernel is warmed for a stage that will not run
        report(event)

    hooks = Hooks(step=lambda name: run_stage(by_name[name], root, stop, children, pool, report),
                  prepare=prepare, finish=finish, launched=warm_ahead, interrupt=interrupt)
    try:
        warm_ahead()
        scheduled = run_stages(to_run, edges, hooks, jobs, keep_going, seen, stop, cancel)
    finally:
        pool.close()
    result.events.extend(scheduled.events)
    result.failed.extend(scheduled.failed)
    return result
