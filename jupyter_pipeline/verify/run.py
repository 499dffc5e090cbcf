"""Edge: run the notebook top to bottom twice and as a pipeline, each in its own scratch copy of
the user's folder (never touching the user's files), and compare outputs cell by cell, files
written and values handed between stages. What differs between the two whole runs is the
notebook's own variation: reported as such and left out (judge.py). Where the pipeline differs
at a place the whole runs agree on, up to EXTRA_WHOLE_RUNS more whole runs tell whether the
notebook itself varies there (randomness with few outcomes)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import files
from ..analysis.analyze import Analysis, analyze
from ..errors import AnalysisFailed, Nb2PipeError
from ..model.pipeline import Stage
from .compare import cell_outputs
from .scratch import SIBLINGS_LIMIT, Scratch, add_run, make_scratch
from . import judge, state
from .kernel_values import judge_values, kernel_python
from .probes import with_state_probe
from .stage_verdicts import cell_verdicts, file_verdicts
from .whole import WholeRun, run_whole

DEFAULT_TIMEOUT = 900.0  # seconds one cell may take, in any of the runs
_WHOLE_RUNS = ("nb-run-1", "nb-run-2")  # as long as "pipeline": len(os.getcwd()) agrees
_PIPELINE = "pipeline"
EXTRA_WHOLE_RUNS = 2  # at most, and only when the pipeline differs somewhere

# Exit codes of `nb2pipe verify` (README): 0 the same; 3 the same except where the notebook
# itself differs between two runs; 1 the pipeline differs, or a run failed.
SAME, SAME_EXCEPT_VARYING, DIFFERENT = 0, 3, 1


@dataclass
class StageVerdict:
    stage: str
    differences: list[str] = field(default_factory=list)
    varying: list[str] = field(default_factory=list)  # the notebook itself differs there

    @property
    def same(self) -> bool:
        return not self.differences


@dataclass
class VerifyResult:
    notebook: str
    stages: list[StageVerdict]
    problem: str | None = None  # a run that failed outright
    # The analysis's warnings: where the notebook and the pipeline may part (a skipped cell
    # that changes a value, dynamic code...), shown when they do.
    warnings: tuple = ()
    kept: str | None = None  # the scratch folder, kept when verify fails so the user can look
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each run
    extra_runs: int = 0  # whole runs beyond the first two, made because something differed

    @property
    def ok(self) -> bool:
        return self.problem is None and all(v.same for v in self.stages)

    @property
    def varies(self) -> bool:
        return any(v.varying for v in self.stages)

    @property
    def exit_code(self) -> int:
        if not self.ok:
            return DIFFERENT
        return SAME_EXCEPT_VARYING if self.varies else SAME


def verify(path: str, by_headings: int | None = None, kernel: str | None = None,
           jobs: int | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> VerifyResult:
    """`timeout`: seconds any one cell may run (None or 0: no limit)."""
    nb_path = Path(path).resolve()
    notebook = files.read_notebook(nb_path)
    # As convert analyses it (the notebook's own modules beside it included): the whole runs'
    # probes save what the converted stages hand on.
    modules = files.local_modules(nb_path)
    analysis = analyze(notebook, by_headings=by_headings, local_modules=modules,
                       module_sources=files.module_sources(nb_path, modules, notebook))
    if not analysis.ok:
        raise AnalysisFailed(str(path), analysis.errors)
    scratch = make_scratch(nb_path.parent, [*_WHOLE_RUNS, _PIPELINE])
    keep = False
    try:
        result = _verify_in(scratch, nb_path, str(path), analysis, by_headings, kernel, jobs,
                            timeout or None)
        keep = not result.ok
        if keep:
            result.kept = str(scratch.root)
        return result
    except Nb2PipeError as exc:
        keep = True
        note = "" if scratch.siblings else (
            f"; the folders beside '{nb_path.parent.name}' hold more than "
            f"{SIBLINGS_LIMIT // 1_000_000} MB, so verify did not copy them: a path through "
            "'../' finds nothing")
        raise Nb2PipeError(f"{exc} (the runs are kept in '{scratch.root}'{note})") from None
    finally:
        if not keep:
            scratch.remove()


def _verify_in(scratch: Scratch, nb_path: Path, label: str, analysis: Analysis,
               by_headings: int | None, kernel: str | None, jobs: int | None,
               timeout: float | None) -> VerifyResult:
    from .. import api

    wholes = [WholeRun(scratch.folder(r) / nb_path.name, scratch.root / f"{r}-probes",
                       scratch.root / f"{r}.ipynb") for r in _WHOLE_RUNS]
    pipe = scratch.folder(_PIPELINE)
    seconds: dict[str, float] = {}
    # The whole runs go beside the pipeline run, on the cores it leaves: on two cores one after
    # the other in one thread (both beside the pipeline), on more at the same time.
    parallel = 2 if (os.cpu_count() or 1) >= 4 else 1

    def whole(run: WholeRun) -> dict[str, Any]:
        start = time.monotonic()
        try:
            return run_whole(run, analysis.pipeline, kernel, timeout, label=nb_path.name)
        finally:
            seconds[run.notebook.parents[1].name] = time.monotonic() - start

    _import_ahead()
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="whole") as workers:
        futures = [workers.submit(whole, run) for run in wholes]
        try:
            start = time.monotonic()
            converted = api.convert(pipe / nb_path.name, pipe, by_headings, kernel=kernel)
            _add_state_probes(pipe, scratch.root / "pipeline-state")
            result = _run_pipeline(pipe, jobs, timeout, api)
            seconds[_PIPELINE] = time.monotonic() - start
            failure = _pipeline_failure(result, analysis, label, seconds)
            if failure is not None:
                # A notebook that fails on its own is the first thing to say (a kernel that is
                # not installed, a cell that raises): the first whole run tells; the second
                # is not needed.
                futures[1].cancel()
                wholes[1].stop()
                futures[0].result()
                return failure
            executed_wholes = [f.result() for f in futures]
        except BaseException:
            _stop(futures, wholes)
            raise
    verdicts = _judge(scratch, wholes, executed_wholes, pipe, converted.analysis, analysis,
                      kernel)
    # Randomness with few outcomes (a coin flip) draws alike in both whole runs now and then,
    # and a correct pipeline that drew the other outcome would look different. So a difference
    # costs up to EXTRA_WHOLE_RUNS more whole runs, until every difference turns out to be the
    # notebook's own variation (an extra run differs there too) or the runs are used up.
    extra = 0
    while extra < EXTRA_WHOLE_RUNS and any(not v.same for v in verdicts):
        extra += 1
        name = f"nb-run-{len(wholes) + 1}"
        add_run(scratch, name)
        run = WholeRun(scratch.folder(name) / nb_path.name, scratch.root / f"{name}-probes",
                       scratch.root / f"{name}.ipynb")
        executed_wholes.append(whole(run))
        wholes.append(run)
        verdicts = _judge(scratch, wholes, executed_wholes, pipe, converted.analysis, analysis,
                          kernel)
    return VerifyResult(label, verdicts, warnings=analysis.diagnostics, seconds=seconds,
                        extra_runs=extra)


def _judge(scratch: Scratch, wholes: list[WholeRun], executed_wholes: list[dict[str, Any]],
           pipe: Path, converted: Analysis, analysis: Analysis, kernel: str | None
           ) -> list[StageVerdict]:
    """Each stage's verdict from what the whole runs and the pipeline's run left on disk."""
    runs = [w.notebook.parents[1].name for w in wholes]
    base = pipe / "pipelines" / next(p.name for p in (pipe / "pipelines").iterdir() if p.is_dir())
    paths = scratch.paths([*runs, _PIPELINE])
    whole_cells = [{c.get("id"): cell_outputs(c.get("outputs", []), paths)
                    for c in nb["cells"]} for nb in executed_wholes]
    stages = converted.pipeline.stages
    python = kernel_python(kernel or converted.pipeline.kernel or "python3")
    requests = {s.name: (s.name, s.hands_on, [w.probes / s.name for w in wholes],
                         base / "data" / s.name) for s in stages if s.hands_on}
    values = judge_values(python, list(requests.values()), paths)
    varying = {(stage, name) for stage, name, _, v in values if v.varies}
    downstream = _downstream_of_variation(stages, varying)
    if downstream:  # their values are compared by structure only
        values = [found for found in values if found[0] not in downstream] + judge_values(
            python, [requests[n] for n in downstream if n in requests], paths,
            structure_only=True)
    by_stage: dict[str, list[tuple[str, judge.Verdict]]] = {}
    for stage_name, _, where, v in values:
        by_stage.setdefault(stage_name, []).append((where, v))
    verdicts = []
    for stage in stages:
        executed = json.loads((base / "executed" / f"{stage.name}.ipynb").read_text(
            encoding="utf-8"))
        verdict = StageVerdict(stage.name)
        found_state = _state_difference(stage.name, wholes, scratch.root / "pipeline-state",
                                        analysis, paths)
        if found_state:
            verdict.differences.append(f"process state at the start: {found_state}")
        shown = [*cell_verdicts(executed, whole_cells, analysis.notebook, paths),
                 *file_verdicts(stage, [scratch.folder(r) for r in runs], pipe, paths)]
        # A stage downstream of the notebook's own variation: what its cells show and the
        # files it writes may differ by chance; its values were judged by structure, so what
        # still differs there is a difference.
        by_chance = downstream.get(stage.name)
        judged = [(w, v, by_chance) for w, v in shown] + \
            [(w, v, None) for w, v in by_stage.get(stage.name, [])]
        for where, v, cause in judged:
            if v.varies:
                verdict.varying.append(f"{where}: {v.varies}")
            if v.difference and cause:
                verdict.varying.append(f"{where}: {v.difference}, and the stage loads {cause}")
            elif v.difference:
                verdict.differences.append(f"{where}: {v.difference}")
        verdicts.append(verdict)
    return verdicts


def _add_state_probes(pipe: Path, folder: Path) -> None:
    """Each generated stage notebook (this scratch copy's) saves the state its cells start with."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in (pipe / "pipelines").glob("*/*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        stage = (nb.get("metadata", {}).get("nb2pipe") or {}).get("stage")
        if stage:
            path.write_text(json.dumps(with_state_probe(nb, str(folder / f"{stage}.json"))),
                            encoding="utf-8")


def _state_difference(stage: str, wholes: list[WholeRun], piped: Path, analysis: Analysis,
                      paths: Any) -> str | None:
    try:
        seen = [json.loads((w.probes / f"{stage}.state.json").read_text(encoding="utf-8"))
                for w in wholes]
        mine = json.loads((piped / f"{stage}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # a stage without cells of its own, or a probe that could not write
    cells = {state.cell_hash(c.source): i for i, c in enumerate(analysis.notebook.cells)}
    return state.first_difference(seen, mine, cells, paths)


def _downstream_of_variation(stages: list[Stage], varying: set[tuple[str, str]]
                             ) -> dict[str, str]:
    """The stages that load a value the notebook itself varies, directly or through an earlier
    such stage, each with the first such value. Two whole runs that happen to agree on what such
    a stage computes (a training score) prove nothing: the pipeline's run drew other numbers
    before it, so what it computes there may differ without any fault of the pipeline."""
    found: dict[str, str] = {}
    for stage in stages:  # notebook order: producers come first
        for need in stage.needs:
            if (need.producer, need.name) in varying:
                found[stage.name] = f"'{need.name}', which the notebook itself varies"
                break
            if need.producer in found:
                found[stage.name] = (f"'{need.name}' from stage '{need.producer}', which depends "
                                     "on values the notebook itself varies")
                break
    return found


def _import_ahead() -> None:
    """The libraries the runs import, imported once here: two threads importing jupyter_client
    at the same time deadlock on its module locks or see it half initialised."""
    import jupyter_client.blocking  # noqa: F401
    import jupyter_client.kernelspec  # noqa: F401
    import jupyter_client.manager  # noqa: F401
    import nbclient  # noqa: F401
    import papermill  # noqa: F401
    import papermill.exceptions  # noqa: F401

    from ..runner import execute, run  # noqa: F401


def _stop(futures: list[Any], wholes: list[WholeRun]) -> None:
    for f in futures:
        f.cancel()
    for run in wholes:
        run.stop()


def _pipeline_failure(result: Any, analysis: Analysis, label: str,
                      seconds: dict[str, float]) -> VerifyResult | None:
    if isinstance(result, str):  # a cell timed out
        return VerifyResult(label, [], problem=result, warnings=analysis.diagnostics,
                            seconds=seconds)
    if result.ok:
        return None
    failed = result.failed[0]
    detail = next((e.detail for e in result.events if e.stage == failed
                   and e.state == "failed"), "")
    return VerifyResult(label, [StageVerdict(failed, [f"the stage failed: {detail}"])],
                        problem=f"stage '{failed}' failed in the pipeline: {detail}",
                        warnings=analysis.diagnostics, seconds=seconds)


def _run_pipeline(pipe: Path, jobs: int | None, timeout: float | None, api: Any) -> Any:
    """api.run with a watchdog on each running stage's current cell: past `timeout` it stops
    the run (as Ctrl-C does) and says which cell. A message string when it did."""
    started: dict[str, tuple[str, float]] = {}  # stage -> (its cell, when it started)
    lock, done = threading.Lock(), threading.Event()
    late: list[str] = []

    def report(event: Any) -> None:
        with lock:
            if event.state == "cell":
                started[event.stage] = (event.detail, time.monotonic())
            elif event.state in ("done", "failed"):
                started.pop(event.stage, None)

    def watch() -> None:
        while timeout and not done.wait(1.0):
            with lock:
                over = [(s, c) for s, (c, t) in started.items() if time.monotonic() - t > timeout]
            if over:
                # Where the runner says the stage is: "cell 2/4", "loading inputs".
                late.append(f"stage '{over[0][0]}': a cell ({over[0][1]}) ran longer than "
                            f"{timeout:g} s. Give it more time with 'nb2pipe verify --timeout "
                            "SECONDS' (0: no limit)")
                # The stage's kernel is stopped, so its stage fails and the run ends as after
                # any failure; where processes cannot be found, as after Ctrl-C.
                if not _kill_kernels_in(pipe):
                    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
                return

    watchdog = threading.Thread(target=watch, daemon=True, name="cell-timeout")
    watchdog.start()
    try:
        result = api.run(pipe, jobs=jobs, report=report)
    except KeyboardInterrupt:
        if late:
            return late[0]
        raise
    finally:
        done.set()
    return late[0] if late else result


def _kill_kernels_in(folder: Path) -> bool:
    """Stop this process's kernels that work in `folder` (the pipeline's stage kernels, started
    or forked there). False where /proc does not tell."""
    proc, me, target = Path("/proc"), os.getpid(), os.path.realpath(folder)
    if not (proc / str(me)).exists():
        return False
    parents: dict[int, int] = {}
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1]
                                               .split()[1])
            except (OSError, ValueError, IndexError):
                continue

    def mine(pid: int) -> bool:
        for _ in range(8):  # kernels are children, or children of the fork server
            pid = parents.get(pid, 0)
            if pid == me:
                return True
            if pid <= 1:
                return False
        return False

    killed = False
    for pid in parents:
        try:
            if mine(pid) and os.path.realpath(proc / str(pid) / "cwd") == target:
                os.kill(pid, signal.SIGKILL)
                killed = True
        except OSError:
            continue
    return killed
