"""Edge: helper processes that die with the process that started them.

The runner's kernels (runner/zygote.py) and the server's worker processes (server/worker.py)
must not outlive their parent, even one killed by SIGKILL, which runs no clean-up at all: a
forked kernel would go on computing, re-parented to PID 1, and a worker would hold its memory.
Linux's PR_SET_PDEATHSIG has the kernel send SIGKILL the moment the parent goes. Standard
library only; small enough for a process that must start fast to import.
"""

from __future__ import annotations

import os
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> bool:
    """Ask the kernel for SIGKILL when this process's parent exits (Linux; elsewhere a no-op
    returning False). `parent`: the pid the caller knows it was started by; if that parent
    already went before the request took effect, exit now instead.

    The signal follows the parent *thread* that started this process: start helpers from a
    thread that lives as long as the parent (its main thread, its event loop)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        asked = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        asked = False
    if parent is not None and os.getppid() != parent:
        os._exit(1)
    return asked


def is_alive(pid: int) -> bool:
    """Whether a process with this pid exists (one of another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
