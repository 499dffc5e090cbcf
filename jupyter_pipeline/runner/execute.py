"""Edge: run one stage notebook with papermill, passing typed parameters from params.yaml.

papermill's own `-p` / `-f` routes lose types (FACTS.md: "true" stays a string, YAML 1.1 reads
`1e-3` as a string), so the stage command reads params.yaml as YAML 1.2 and hands papermill the
typed values through its Python API.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from ..errors import Nb2PipeError


class StageFailed(Nb2PipeError):
    """A stage notebook failed. `cell` (its id in the user's notebook), `ename` and `evalue`:
    the failing cell and what it raised, when a cell raised; `output`: the executed notebook."""

    def __init__(self, notebook: str, output: str, detail: str, fix: str,
                 cell: str | None = None, ename: str | None = None,
                 evalue: str | None = None) -> None:
        self.notebook, self.output = notebook, output
        self.cell, self.ename, self.evalue = cell, ename, evalue
        super().__init__(f"{_stage_label(notebook)} failed: {detail}. {fix}")


def _stage_label(notebook: str) -> str:
    """"stage 'train' of 'wine.ipynb'", from the stage notebook's own metadata."""
    try:
        meta = json.loads(Path(notebook).read_text(encoding="utf-8"))["metadata"]["nb2pipe"]
        return f"stage '{meta['stage']}' of '{meta['notebook']}'"
    except (OSError, ValueError, KeyError, TypeError):
        return f"stage notebook '{notebook}'"


def stage_parameters(notebook: str, params_file: str) -> dict:
    """The values of the stage's parameters (listed in its metadata) from params.yaml."""
    meta = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    names = meta.get("nb2pipe", {}).get("params", [])
    if not names:
        return {}
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(Path(params_file).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise StageFailed(notebook, "", f"'{params_file}' does not exist",
                          "Convert the notebook again to write it") from None
    missing = [n for n in names if n not in data]
    if missing:
        raise StageFailed(notebook, "", f"'{params_file}' has no key {', '.join(map(repr, missing))}",
                          "Add it, or convert the notebook again")
    return {n: data[n] for n in names}


def kernel_of(notebook: dict, kernel: str | None = None) -> str:
    """The kernel a notebook runs with: the one given, else its kernelspec's (as papermill)."""
    spec = (notebook.get("metadata") or {}).get("kernelspec") or {}
    name = spec.get("name") if isinstance(spec, dict) else None
    return kernel or (name if isinstance(name, str) and name else "python3")


def stage_kernel(notebook: str | Path, kernel: str | None = None) -> str:
    """kernel_of the stage notebook at `notebook`."""
    if kernel:
        return kernel
    try:
        return kernel_of(json.loads(Path(notebook).read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError):
        return "python3"


def installed_kernels() -> list[str] | None:
    """The Jupyter kernels installed here, sorted; None when Jupyter cannot say."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        return sorted(KernelSpecManager().find_kernel_specs())
    except Exception:  # noqa: BLE001 - only ever a hint
        return None


def kernel_start_problem(exc: BaseException, kernel: str,
                         choose: str = "convert the notebook again with '--kernel NAME'"
                         ) -> str | None:
    """What to tell the user when the stage's kernel could not be started, or None when `exc`
    is not about starting a kernel (jupyter_client's own types, matched by name). `choose`: how
    the user names another kernel here."""
    name = repr(kernel)
    kind = type(exc).__name__
    if kind == "NoSuchKernel":
        installed = ", ".join(repr(k) for k in installed_kernels() or [])
        listed = f" (installed: {installed})" if installed else ""
        return (f"there is no Jupyter kernel named {name}{listed}. Install it, or {choose} "
                "naming an installed one")
    text = str(exc)
    if kind == "RuntimeError" and ("before replying to kernel_info" in text
                                   or "respond to heartbeats" in text):
        return (f"the kernel {name} did not start ({text}). Check that it starts on its own: "
                f"'jupyter console --kernel={kernel}'")
    return None


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


class _Lines:
    """A file papermill writes a stage's printed text to (its `stdout_file`): passed on to
    `echo` as written, and the last line that is not blank to `on_line` (progress)."""

    def __init__(self, echo=None, on_line=None) -> None:  # noqa: ANN001
        self.echo, self.on_line = echo, on_line

    def write(self, text: str) -> None:
        if self.echo is not None:
            self.echo.write(text)
        if self.on_line is not None:
            # Progress shows it in a table cell or a log line: no colours or cursor movements.
            plain = _CONTROL.sub("", _ANSI.sub("", text.replace("\r", "\n")))
            lines = [ln for ln in plain.splitlines() if ln.strip()]
            if lines:
                self.on_line(lines[-1].strip())

    def flush(self) -> None:
        if self.echo is not None:
            self.echo.flush()


def execute_stage(notebook: str, output: str, params_file: str = "params.yaml",
                  kernel: str | None = None, km=None, on_cell=None,  # noqa: ANN001
                  on_output=None, echo: bool = False) -> None:  # noqa: ANN001
    """Run the stage notebook. `km`: a kernel already started in the stage's folder (the
    embedded runner's warm kernels); without it one is started here, in the cwd, as the
    runner starts its own (ipykernel's start-up warnings kept out of the stage's output).
    `on_cell(label)` is called as each cell starts ("cell 2/4", "loading inputs");
    `on_output(line)` with the last line each printed text ends with (progress); `echo`: the
    text the stage prints goes to this process's stdout and stderr, as it would in a terminal
    (`nb2pipe exec-stage`, under `dvc repro`)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from ..runtime.atomic import LeadsOutside
    from .cells import CellPlaces
    from .executed_writes import output_path

    parameters = stage_parameters(notebook, params_file)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    extra: dict = {}
    if on_cell is not None:
        places = CellPlaces.of(json.loads(Path(notebook).read_text(encoding="utf-8")))

        def cell_started(cell, cell_index):  # noqa: ANN001 - papermill's hook
            label = places.label(cell)
            if label is not None:
                on_cell(label)

        extra["on_cell_start"] = cell_started
    if echo or on_output is not None:
        extra["stdout_file"] = _Lines(sys.stdout if echo else None, on_output)
        extra["stderr_file"] = _Lines(sys.stderr if echo else None, on_output)
    pool = None
    if km is None:
        km, pool = _start_kernel(notebook, output, kernel)
    try:
        papermill.execute_notebook(
            # the started kernel's name: papermill refuses a notebook without a kernelspec
            notebook, output_path(output), parameters=parameters, kernel_name=km.kernel_name,
            progress_bar=False, log_output=False, report_mode=False, km=km, **extra,
        )
    except PapermillExecutionError as exc:
        from .cells import raising_cell

        where = raising_cell(Path(output), Path(notebook))
        raise StageFailed(
            notebook, output,
            f"{where.describe() if where else 'a cell'} raised {exc.ename}: {exc.evalue}",
            f"Open '{output}' to see the failing cell and its traceback",
            cell=where.cell_id if where else None, ename=exc.ename, evalue=exc.evalue) from None
    except LeadsOutside as exc:
        raise StageFailed(notebook, output, f"its executed notebook cannot be written: {exc}",
                          "Nothing was written there") from None
    except Exception as exc:  # noqa: BLE001 - a dead kernel, a timeout: papermill's own types
        kind = type(exc).__name__
        problem = kernel_start_problem(exc, stage_kernel(notebook, kernel))
        if problem is not None:
            raise StageFailed(notebook, output, problem, "Nothing ran") from None
        if kind == "DeadKernelError":
            raise StageFailed(notebook, output, "the kernel died while running a cell (killed by "
                              "a signal, out of memory, or the code exited the process)",
                              f"Open '{output}' to see how far it got") from None
        if kind in ("CellTimeoutError", "RuntimeError"):
            raise StageFailed(notebook, output, f"the kernel stopped answering ({exc})",
                              f"Open '{output}' to see how far it got") from None
        raise
    finally:
        if pool is not None:
            pool.release(km)
            pool.close()


def _start_kernel(notebook: str, output: str, kernel: str | None):  # noqa: ANN202
    """A kernel for `nb2pipe exec-stage`, started in the cwd as the runner starts a stage's: its
    own stderr (ipykernel's "running over TCP without encryption" warning) is not the stage's
    output, and it is asked to exit when the stage is over rather than interrupted first (which
    made ipykernel log "KeyboardInterrupt caught in kernel" after a stage that succeeded)."""
    from .kernels import KernelPool, KernelUnavailable

    pool = KernelPool(workers=1)
    try:
        km = pool.start_checked(Path(notebook), Path(os.getcwd()), kernel, plain=True)
    except KernelUnavailable as exc:
        pool.close()
        raise StageFailed(notebook, output, str(exc), "Nothing ran") from None
    return km, pool
