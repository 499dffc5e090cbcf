"""Edge: run a notebook top to bottom as it is, with a probe cell after each stage that saves the
values the stage hands on (probes.py), in a kernel started as papermill starts one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import Nb2PipeError
from ..model.diagnostics import cell_number
from ..model.pipeline import Pipeline
from ..runner.kernels import KernelPool, KernelUnavailable
from .probes import probed_notebook


@dataclass
class WholeRun:
    """One top-to-bottom run: where it runs and what it leaves. `pool` is set while it runs, so
    that a Ctrl-C or a timeout elsewhere can stop its kernel."""
    notebook: Path  # the notebook inside the scratch folder the run works in
    probes: Path  # <probes>/<stage>: the values each stage hands on
    executed: Path  # the executed notebook, kept outside the folder the notebook lists
    pool: KernelPool | None = field(default=None, repr=False)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.kill_active()


def run_whole(run: WholeRun, pipeline: Pipeline, kernel: str | None = None,
              timeout: float | None = None, label: str | None = None) -> dict[str, Any]:
    """Run it; the executed notebook as JSON. Failures are Nb2PipeErrors saying what to do.
    `timeout`: seconds any one cell may take (None: no limit); `label`: the notebook's name
    in messages (the user's, not the scratch copy's)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    name = label or run.notebook.name
    folder = run.notebook.parent
    raw = json.loads(run.notebook.read_text(encoding="utf-8"))
    probed = run.executed.with_name(f"probed-{run.executed.name}")
    probed.write_text(json.dumps(probed_notebook(raw, pipeline, str(run.probes))),
                      encoding="utf-8")
    # The kernel is started as the runner starts a stage's (its start-up chatter kept out of
    # the report, a kernel that dies before answering started once more); papermill runs in it.
    pool = run.pool = KernelPool(workers=1)
    try:
        km = pool.start_checked(probed, folder, kernel, choose="pass '--kernel NAME' to verify",
                                plain=True)
    except KernelUnavailable as exc:
        pool.close()
        raise Nb2PipeError(f"'{name}' could not be run top to bottom: {exc}") from None
    try:
        if not pool.activate(km):
            raise Nb2PipeError(f"'{name}': stopped before the top-to-bottom run began")
        # the started kernel's name: papermill refuses a notebook without a kernelspec
        papermill.execute_notebook(str(probed), str(run.executed), kernel_name=km.kernel_name,
                                   km=km,
                                   progress_bar=False, log_output=False,
                                   execution_timeout=timeout)
    except PapermillExecutionError as exc:
        if exc.ename == "HandoffError":  # raised by a probe: the notebook ran, a value cannot
            raise Nb2PipeError(f"the pipeline cannot run '{name}': {exc.evalue}") from None
        raise Nb2PipeError(
            f"'{name}' itself fails when run top to bottom: {exc.ename}: {exc.evalue} "
            f"({_user_cell(raw, run.executed, probed)}). Fix the notebook first "
            "(a pipeline can only match a notebook that runs)") from None
    except Exception as exc:  # noqa: BLE001 - papermill's and nbclient's own types
        kind = type(exc).__name__
        if kind == "CellTimeoutError":
            raise Nb2PipeError(
                f"'{name}': a cell ran longer than {timeout:g} s when run top to bottom "
                f"({exc}). Give it more time with 'nb2pipe verify --timeout SECONDS' "
                "(0: no limit)") from None
        if kind not in ("DeadKernelError", "RuntimeError"):
            raise
        raise Nb2PipeError(
            f"'{name}' did not finish when run top to bottom: the kernel died or stopped "
            f"answering ({kind}: {exc}). Run the notebook on its own to see why "
            "(it may exit the process or run out of memory)") from None
    finally:
        pool.release(km)
        pool.close()
    return json.loads(run.executed.read_text(encoding="utf-8"))


def _user_cell(raw: dict[str, Any], executed: Path, probed: Path) -> str:
    """The failing cell as the user knows it, "cell 5, line 2 (`y = f('b')`)": the cell that
    holds the error (papermill's banner and the probe cells shift the executed notebook's
    positions, so it is found by its output and its id), numbered in the user's notebook."""
    from ..runner.cells import raising_cell

    where = raising_cell(executed, probed)
    if where is None:
        return "a cell"
    for index, cell in enumerate(raw.get("cells", [])):
        if cell.get("id", f"cell-{index}") == where.cell_id:
            return replace(where, number=cell_number(index)).describe()
    return "a cell"
