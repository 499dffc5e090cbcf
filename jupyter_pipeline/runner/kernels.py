"""Warm kernels: start the kernel of a stage that will run soon and import its libraries while
earlier stages compute, so a stage pays neither the kernel start (~0.5 s) nor the imports
(pandas + scikit-learn ~1.2 s) on the critical path (FACTS.md: papermill costs ~1.2 s a stage).

Only imports of installed packages are run early: a module of the user's own folder is left to
its cell, since importing it may print or change state."""

from __future__ import annotations

import ast
import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..analysis.ipython import to_python


def warmup_code(notebook: dict[str, Any], wdir: Path) -> str:
    """The stage's top-level imports of installed packages, each guarded."""
    lines: dict[str, None] = {}
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        try:
            tree = ast.parse(to_python(source))
        except SyntaxError:
            continue
        for stmt in tree.body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)) and not getattr(stmt, "level", 0):
                names = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [
                    stmt.module or ""]
                if any(_is_local(n, wdir) for n in names) or "jupyter_pipeline" in names[0]:
                    continue
                lines[ast.unparse(stmt)] = None
    return "\n".join(f"try:\n    {line}\nexcept Exception:\n    pass" for line in lines)


def _is_local(module: str, wdir: Path) -> bool:
    top = module.split(".")[0]
    return (wdir / f"{top}.py").exists() or (wdir / top).is_dir()


class KernelPool:
    """Kernels started ahead of need, one per stage, handed out once."""

    def __init__(self, workers: int = 2) -> None:
        self._starting = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="warm")
        self._stopping = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stop")
        self._ready: dict[str, Future] = {}
        self._lock = threading.Lock()
        self.active: set = set()  # kernels running a stage now

    def warm(self, key: str, notebook_path: Path, wdir: Path, kernel: str | None) -> None:
        with self._lock:
            if key not in self._ready:
                self._ready[key] = self._starting.submit(
                    self._start, notebook_path, wdir, kernel)

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
        with self._lock:
            self.active.discard(km)
        self._stopping.submit(_shutdown, km)

    def kill_active(self) -> None:
        """Ctrl-C: stop the kernels of running stages now, so their threads return at once."""
        with self._lock:
            kernels = list(self.active)
        for km in kernels:
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
        self._stopping.shutdown(wait=True)

    @staticmethod
    def _start(notebook_path: Path, wdir: Path, kernel: str | None):  # noqa: ANN205
        # An async manager, as nbclient's own: with a blocking client nbclient waits on iopub
        # without yielding, never sees a kernel that died, and the stage hangs forever.
        from jupyter_client.blocking import BlockingKernelClient
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        nb = json.loads(notebook_path.read_text(encoding="utf-8"))
        name = kernel or (nb.get("metadata", {}).get("kernelspec") or {}).get("name") or "python3"
        km = AsyncKernelManager(kernel_name=name)
        run_sync(km.start_kernel)(cwd=str(wdir))
        code = warmup_code(nb, wdir)
        kc = BlockingKernelClient(connection_file=km.connection_file)
        kc.load_connection_file()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            if code:
                kc.execute_interactive(code, timeout=600, output_hook=lambda msg: None)
        finally:
            kc.stop_channels()
        return km


def _shutdown(km, now: bool = False) -> None:  # noqa: ANN001
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=now)
    except Exception:  # noqa: BLE001 - already gone
        pass
