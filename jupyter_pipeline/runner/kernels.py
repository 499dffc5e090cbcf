"""Warm kernels: start the kernel of a stage that will run soon and import its libraries while
earlier stages compute, so a stage pays neither the kernel start (~0.5 s) nor the imports
(pandas + scikit-learn ~1.2 s) on the critical path (FACTS.md: papermill costs ~1.2 s a stage).

Only imports of installed packages are run early: a module of the user's own folder is left to
its cell, since importing it may print or change state."""

from __future__ import annotations

import ast
import functools
import json
import os
import signal
import subprocess
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..analysis.ipython import to_python
from ..errors import Nb2PipeError
from ..lifetime import die_with_parent
from .execute import kernel_of, kernel_start_problem, stage_kernel
from .ready import ready_client_class
from .zygote import ForkedProcess, Zygote, kernel_environment, preloadable, provisioner_class


def _installed_imports(notebook: dict[str, Any], wdir: Path) -> dict[str, list[str]]:
    """The stage's top-level imports of installed packages: statement → modules it loads."""
    found: dict[str, list[str]] = {}
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        try:
            tree = ast.parse(to_python(source))
        except SyntaxError:
            continue
        for stmt in tree.body:
            if isinstance(stmt, ast.Import):
                modules = [a.name for a in stmt.names]
            elif isinstance(stmt, ast.ImportFrom) and not stmt.level and stmt.module:
                # `from sklearn import metrics` may name a submodule: try loading it too
                modules = [stmt.module] + [f"{stmt.module}.{a.name}" for a in stmt.names
                                           if a.name != "*"]
            else:
                continue
            if any(_is_local(m, wdir) for m in modules) or modules[0].startswith("jupyter_pipeline"):
                continue
            found[ast.unparse(stmt)] = modules
    return found


def warmup_code(notebook: dict[str, Any], wdir: Path) -> str:
    """The stage's imports of installed packages, each guarded."""
    return "\n".join(f"try:\n    {line}\nexcept Exception:\n    pass"
                     for line in _installed_imports(notebook, wdir))


def preload_modules(notebook_path: Path, wdir: Path) -> list[str]:
    """What the fork server imports for this stage: its libraries and the handoff runtime."""
    nb = json.loads(notebook_path.read_text(encoding="utf-8"))
    modules = [m for ms in _installed_imports(nb, wdir).values() for m in ms]
    modules.append("jupyter_pipeline.runtime.handoff")
    if any(m.split(".")[0] == "pandas" for m in modules):
        modules.append("pyarrow.parquet")  # DataFrames are handed over as parquet
    return modules


def _is_local(module: str, wdir: Path) -> bool:
    top = module.split(".")[0]
    return (wdir / f"{top}.py").exists() or (wdir / top).is_dir()


class KernelPool:
    """Kernels started ahead of need, one per stage, handed out once."""

    def __init__(self, workers: int = 2, preload: list[str] | None = None) -> None:
        """`preload`: modules a fork server imports once for every kernel; None: no server."""
        # NB2PIPE_FORK_KERNELS=0: every kernel starts the usual way (a library that misbehaves
        # when imported before the kernel it runs in exists).
        self._preload = None if os.environ.get("NB2PIPE_FORK_KERNELS") == "0" else preload
        self._fork_server: Zygote | None = None
        self._started_any = False
        self._starting = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="warm")
        self._stopping = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stop")
        self._ready: dict[str, Future] = {}
        self._lock = threading.Lock()
        self.active: set = set()  # kernels running a stage now
        self._stopped = False  # Ctrl-C: no kernel becomes active any more

    @property
    def forks(self) -> bool:
        """Will kernels after the first be forks of the server (cheap to start ahead)?"""
        return self._preload is not None

    def warm(self, key: str, notebook_path: Path, wdir: Path, kernel: str | None) -> None:
        with self._lock:
            if key not in self._ready:
                self._ready[key] = self._starting.submit(
                    self.start, notebook_path, wdir, kernel)

    def take(self, key: str):  # noqa: ANN201 - a started KernelManager, or None
        with self._lock:
            future = self._ready.pop(key, None)
        if future is None:
            return None
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - a kernel that failed to warm: start one cold
            return None

    def release(self, km) -> None:  # noqa: ANN001
        """The stage is over: ask the kernel to exit (as papermill does) and let it go. Its outputs
        are on disk, so nothing waits for it to finish exiting; it does so on its own."""
        with self._lock:
            self.active.discard(km)
        from jupyter_core.utils import run_sync

        try:
            run_sync(km.request_shutdown)()
            km.cleanup_connection_file()  # read by the kernel when it started
        except Exception:  # noqa: BLE001 - already gone
            return
        self._stopping.submit(_finish_shutdown, km)

    def activate(self, km) -> bool:  # noqa: ANN001
        """A stage is about to run in `km`. False (and the kernel stopped) after Ctrl-C: a stage
        whose kernel was still starting when the user pressed it must not begin computing."""
        with self._lock:
            if not self._stopped:
                self.active.add(km)
                return True
        _kill(km)
        _shutdown(km, now=True)
        return False

    def kill_active(self) -> None:
        """Ctrl-C: stop the kernels of running stages now, so their threads return at once, and
        refuse to activate any other. Only the processes are killed here: the stage's thread
        sees its kernel die and cleans its manager up itself. Shutting the manager down from
        this thread as well closed its sockets under that thread's feet, and libzmq aborted the
        whole run now and then (`Assertion failed: pfd.revents & POLLIN`, exit -6 instead of
        130)."""
        with self._lock:
            self._stopped = True
            kernels = list(self.active)
        for km in kernels:
            if not _kill(km):  # no process to signal: the manager's own shutdown is all there is
                _shutdown(km, now=True)

    def close(self) -> None:
        with self._lock:
            pending = list(self._ready.values())
            self._ready.clear()
        for future in pending:
            try:
                km = future.result(timeout=120)
            except Exception:  # noqa: BLE001
                continue
            self.release(km)
        self._starting.shutdown(wait=True)
        self._stopping.shutdown(wait=False)
        if self._fork_server is not None:
            self._fork_server.close()

    def start_checked(self, notebook_path: Path, wdir: Path, kernel: str | None,
                      choose: str = "convert the notebook again with '--kernel NAME'",
                      plain: bool = False):  # noqa: ANN201
        """start(), with the failures a user can act on turned into messages: a kernel that is
        not installed, or one that died before it answered. The latter is tried once more: no
        cell ran yet, and on a busy machine a port can be taken between choosing and binding it.
        `choose`: how the user names another kernel (kernel_start_problem); `plain`: see start."""
        for attempt in (1, 2):
            try:
                return self.start(notebook_path, wdir, kernel, plain)
            except Exception as exc:  # noqa: BLE001 - jupyter_client's types, told apart by name
                problem = kernel_start_problem(exc, stage_kernel(notebook_path, kernel), choose)
                if problem is None:
                    raise
                if attempt == 2 or type(exc).__name__ == "NoSuchKernel":
                    raise KernelUnavailable(problem) from None
        raise AssertionError("unreachable")

    def start(self, notebook_path: Path, wdir: Path, kernel: str | None,
              plain: bool = False):  # noqa: ANN201
        """A started kernel for the notebook. `plain`: exactly as papermill would start it (no
        fork, nothing imported ahead), for runs that are the reference, such as verify's
        top-to-bottom run: importing a library ahead can change what the notebook computes
        (scikit-learn draws from `random` when imported, after or before the notebook seeds)."""
        # An async manager, as nbclient's own: with a blocking client nbclient waits on iopub
        # without yielding, never sees a kernel that died, and the stage hangs forever.
        from jupyter_client.blocking import BlockingKernelClient
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        nb = json.loads(notebook_path.read_text(encoding="utf-8"))
        name = kernel_of(nb, kernel)
        km = AsyncKernelManager(kernel_name=name)
        km.client_factory = ready_client_class()  # the client nbclient will use
        km.kernel_id = str(uuid.uuid4())
        provisioner = provisioner_class()(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec,
                                        parent=km)
        # A stage that continues a seeded global generator imports its libraries after the
        # generator is restored, as the notebook did: some draw from it at import (scikit-learn
        # from `random`), so neither a fork with them imported nor a warm-up import will do.
        fresh = plain or "set_module_state(" in json.dumps(nb)
        provisioner.zygote = None if fresh else self._zygote()
        km.provisioner = provisioner
        # The kernel's own stderr carries only ipykernel's start-up warnings; what the code prints
        # reaches the stage notebook through iopub.
        # A kernel started the usual way dies with the thread that started it (Linux's
        # PR_SET_PDEATHSIG, set in the child), even when nb2pipe is killed outright: ipykernel's
        # own parent poller needs the GIL, which a long C call holds, and until the kernel
        # exits its inherited stdout keeps the caller's pipe open (a CI step that never ends).
        # Those threads outlive their kernels: the pool's warm-up workers live until close(),
        # verify's whole runs and exec-stage use their kernel in the thread that starts it.
        # (The pid given: a parent killed between the fork and the request is noticed.)
        # Its stdout too: ipykernel captures what the code writes to file descriptor 1 (C and
        # Fortran libraries: scipy's L-BFGS-B prints its iterations there) into the notebook
        # and echoes it to the kernel's own stdout, which would otherwise be verify's report.
        launch: dict[str, Any] = {"cwd": str(wdir), "stderr": subprocess.DEVNULL,
                                  "stdout": subprocess.DEVNULL, "env": kernel_environment(),
                                  "preexec_fn": functools.partial(die_with_parent, os.getpid())}
        run_sync(km.start_kernel)(**launch)
        forked = isinstance(provisioner.process, ForkedProcess)
        # A forked kernel has the imports in sys.modules already; a kernel started the usual
        # way gets them run now, while an earlier stage computes.
        code = "" if forked or fresh else warmup_code(nb, wdir)
        # Liveness from the manager's process, not the heartbeat: a kernel that starts slowly
        # (a loaded machine, an environment importing old libraries) answers its first
        # heartbeat after jupyter_client's 1 s, which wait_for_ready reads as "died".
        kc = BlockingKernelClient(connection_file=km.connection_file, parent=km)
        kc.load_connection_file()
        kc.start_channels(hb=False)
        try:
            kc.wait_for_ready(timeout=120)
            if code:
                kc.execute_interactive(code, timeout=600, output_hook=lambda msg: None)
        finally:
            kc.stop_channels()
        return km

    def _zygote(self) -> Zygote | None:
        """The fork server for this kernel, or None for a kernel started the usual way.

        The first kernel starts the usual way while the server imports the libraries on the
        other core: forking it would wait for those imports, which the first stage does not
        need all of."""
        with self._lock:
            if self._preload is None:
                return None
            if self._fork_server is None:
                try:
                    self._fork_server = Zygote(preloadable(self._preload))
                except OSError:
                    self._preload = None
                    return None
            first, self._started_any = not self._started_any, True
            return None if first else self._fork_server


class KernelUnavailable(Nb2PipeError):
    pass


def _kill(km) -> bool:  # noqa: ANN001
    """Kill the kernel and what it started (its process group: every kernel starts a session of
    its own) at once. Ctrl-C calls this from the main thread while the stage's thread drives the
    manager in its own event loop; the manager's shutdown_kernel, called across loops, can fail
    silently and leave the kernel computing (a stage sleeping for a minute kept the run alive
    that long), so the processes are signalled directly first. False: there was no process
    to signal (the manager knows no process of its kernel)."""
    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    if process is None:
        return False
    if process.poll() is not None:
        return True
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:  # not a group leader after all, or gone: the process alone
        try:
            process.kill()
        except OSError:
            pass
    return True


def _shutdown(km, now: bool = False) -> None:  # noqa: ANN001
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=now)
    except Exception:  # noqa: BLE001 - already gone
        pass


def _finish_shutdown(km) -> None:  # noqa: ANN001
    """Wait for a kernel asked to shut down (once: a second request reaches a kernel that is
    exiting and makes it print a traceback) and free what its manager holds."""
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.finish_shutdown)()
        run_sync(km.cleanup_resources)()
    except Exception:  # noqa: BLE001 - already gone
        pass
