"""Edge: run one stage: a notebook stage in-process on a warm kernel, any other command in a
shell as DVC runs it (`$SHELL -c` in its wdir, DVC_ROOT and DVC_STAGE set)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import Nb2PipeError
from ..model.stage_command import StageCommand
from .kernels import KernelPool
from .schedule import SUCCEEDED, Event, Outcome, failed
from .spec import StageSpec


@dataclass(frozen=True)
class NotebookStage:
    """A stage whose command is `nb2pipe exec-stage ...`: the runner runs it in-process on a
    warm kernel instead of starting a fresh `nb2pipe` and kernel (same function, same result)."""

    notebook: Path
    output: Path
    params: Path
    kernel: str | None


def notebook_stage(spec: StageSpec, root: Path) -> NotebookStage | None:
    command = StageCommand.parse(spec.cmd[0]) if len(spec.cmd) == 1 else None
    if command is None:
        return None
    wdir = (root / spec.wdir).resolve()
    return NotebookStage(wdir / command.notebook, wdir / command.executed,
                         wdir / command.params, command.kernel)


def _run_notebook_stage(spec: StageSpec, root: Path, stage: NotebookStage,
                        pool: KernelPool, report: Callable[[Event], None]) -> Outcome:
    from .execute import StageFailed, execute_stage

    wdir = (root / spec.wdir).resolve()
    km = pool.take(spec.name)
    try:
        if km is None:
            km = pool.start_checked(stage.notebook, wdir, stage.kernel)
        if not pool.activate(km):
            km = None  # stopped by activate
            return failed("interrupted before it started")
        execute_stage(str(stage.notebook), str(stage.output), str(stage.params), stage.kernel,
                      km=km, on_cell=lambda where: report(Event(spec.name, "cell", where)),
                      on_output=lambda line: report(Event(spec.name, "output", line)))
    except StageFailed as exc:
        return failed(str(exc), cell=exc.cell, exception=exc.ename, value=exc.evalue,
                      executed=exc.output or None)
    except Nb2PipeError as exc:
        return failed(str(exc))
    finally:
        if km is not None:
            pool.release(km)
    return _created_outputs(spec, root)


def _created_outputs(spec: StageSpec, root: Path) -> Outcome:
    missing = [o.path for o in spec.outs if not (root / spec.root_path(o.path)).exists()]
    if missing:
        return failed(f"it did not create {', '.join(repr(m) for m in missing)}")
    return SUCCEEDED


def run_stage(spec: StageSpec, root: Path, stop: threading.Event,
              children: set[subprocess.Popen], pool: KernelPool | None = None,
              report: Callable[[Event], None] = lambda e: None) -> Outcome:
    """Run the stage's command. `children`: its shell processes while they run (Ctrl-C stops
    them); `pool`: warm kernels for notebook stages (None: every command in a shell)."""
    stage = notebook_stage(spec, root) if pool is not None else None
    if stage is not None:
        return _run_notebook_stage(spec, root, stage, pool, report)
    env = dict(os.environ, DVC_ROOT=str(root.resolve()), DVC_STAGE=spec.name)
    # The stage command is `nb2pipe exec-stage ...`: find the nb2pipe that is running now,
    # even when it was started by its full path from an environment that is not activated.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    shell = os.environ.get("SHELL") or "/bin/sh"
    cwd = root / spec.wdir
    for cmd in spec.cmd:
        if stop.is_set():
            return failed("interrupted")
        proc = subprocess.Popen([shell, "-c", cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, start_new_session=True)
        children.add(proc)
        output, _ = proc.communicate()
        children.discard(proc)
        if proc.returncode != 0:
            if proc.returncode < 0:
                name = signal.Signals(-proc.returncode).name
                return failed(f"killed by {name}")
            lines = [ln for ln in output.strip().splitlines() if "TCP without encryption" not in ln]
            detail = lines[-1] if lines else f"exit {proc.returncode}"
            if proc.returncode == 138:
                detail = f"the kernel died ({detail})"
            return failed(detail)
    return _created_outputs(spec, root)
