"""The worker processes that do the server's real work, off its event loop.

jupyter_server answers every request of a JupyterLab (saves, kernel messages) on one asyncio
loop. Analysing a big notebook holds the GIL for seconds (`ast.parse` of a huge cell), so a
thread is not enough (measured: /api/status blocked ~6 s); a separate process is. One pool is
started once, with the server, and kept: its processes keep nb2pipe imported and the analysis's
per-cell cache warm between the panel's live requests. Started with "spawn": forking a server
that runs threads and an event loop is not safe. The processes die with the server, also one
killed by SIGKILL (lifetime.py): they are started from the server's main thread (its event
loop, or the extension's loading), which lives as long as the server."""

from __future__ import annotations

import asyncio
import atexit
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

from ..lifetime import die_with_parent
from .work import Reply, warm


def _die_with_server(server: int) -> None:
    """Each worker's first act: SIGKILL when the server exits (exit now if it already did)."""
    die_with_parent(server)


class Worker:
    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_die_with_server, initargs=(os.getpid(),))
            return self._pool

    def start(self) -> None:
        """Start the processes now (they import nb2pipe, ~1 s), not at the first request."""
        pool = self.pool()
        for _ in range(self.workers):
            pool.submit(warm)

    async def call(self, fn: Callable[..., Reply], *args: Any, timeout: float | None,
                   what: str) -> Reply:
        pool = self.pool()
        try:
            future = pool.submit(fn, *args)
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except asyncio.TimeoutError:
            self._restart(pool)
            return 503, {"message": f"{what} took longer than {timeout:.0f} s and was stopped; "
                                    "for a notebook this big use the nb2pipe command in a "
                                    "terminal"}, None
        except BrokenProcessPool:
            self._restart(pool)
            return 503, {"message": f"nb2pipe's worker process stopped during {what} (out of "
                                    "memory?); it has been restarted: try again"}, None

    def _restart(self, pool: ProcessPoolExecutor) -> None:
        """A worker that overran its time is killed (the only way to stop work that holds the
        GIL); the next request gets a fresh pool. Requests that shared the old pool answer 503."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        # ProcessPoolExecutor has no public way to stop a running task: end its processes.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def stop(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


# Two lanes of one process each. Live analysis always reaches the same process, whose per-cell
# cache then holds the notebook being edited (an edit re-analyses one cell); an export or a
# run's checks, which may take long, never hold up the analysis of the next edit. A notebook
# server rarely has more cores to spare than that.
ANALYSIS = Worker()
EXPORTS = Worker()
atexit.register(ANALYSIS.stop)
atexit.register(EXPORTS.stop)
