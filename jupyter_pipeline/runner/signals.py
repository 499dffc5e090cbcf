"""Edge: SIGTERM (`kill`, a CI time-out, a closed terminal's SIGHUP) ends a run as Ctrl-C does:
running stages are stopped, their kernels killed, dvc.lock keeps only finished stages."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator


class Terminated(KeyboardInterrupt):
    """The run was stopped by SIGTERM or SIGHUP; handled wherever Ctrl-C is."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated(signal.Signals(signum).name)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While a run is going in the main thread, SIGTERM and SIGHUP raise Terminated there.
    (A run in another thread, the server's, leaves the process's signals to the server.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # A signal the caller ignores stays ignored: `nohup nb2pipe run` survives its terminal.
    previous = {s: signal.signal(s, _raise_terminated) for s in (signal.SIGTERM, signal.SIGHUP)
                if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
