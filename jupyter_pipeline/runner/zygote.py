"""A fork server for stage kernels: one process imports the stages' libraries once, and every
stage kernel is a fresh fork of it, so a stage pays neither the interpreter and ipykernel start
nor its imports (pandas + scikit-learn: ~1.2 s of CPU per fresh process, FACTS.md).

Each kernel is still a separate process with an empty namespace, as under `dvc repro`; only
`sys.modules` is shared. Used for kernels whose command is this interpreter's own ipykernel;
any other kernel (another environment's python, another language) starts the usual way.

Protocol: the runner writes one JSON request per line to the server's stdin
(`{"connection_file", "cwd"}`) and reads one JSON answer per line (`{"pid"}` or `{"error"}`).
The server exits when its stdin closes, and its kernels exit when it does (PR_SET_PDEATHSIG on
Linux, ipykernel's parent poller as well), so nothing outlives the run, even one killed by
SIGKILL.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from ..lifetime import die_with_parent

# Libraries that start threads or devices at import and are not safe to fork: their stages get
# a kernel of their own.
FORK_UNSAFE = frozenset({"tensorflow", "torch", "jax", "jaxlib", "ray", "pyspark", "cupy",
                         "mxnet", "paddle", "dask", "distributed", "multiprocess"})


def preloadable(modules: list[str]) -> list[str]:
    return [m for m in dict.fromkeys(modules) if m.split(".")[0] not in FORK_UNSAFE]


def kernel_environment() -> dict[str, str]:
    """The environment every kernel nb2pipe starts runs with (stages, and verify's whole run):
    one fixed hash seed, unless the user set one. Python salts the hash of strings per process,
    so each stage (a process of its own) would order a set of strings differently and see
    `hash("a")` change from the stage that saved it, where the notebook, one process, does not.
    Forked kernels inherit it from the fork server, which is started with it."""
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


class Zygote:
    """The runner's handle on the fork server."""

    def __init__(self, modules: list[str]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_pipeline.runner.zygote", *modules],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=kernel_environment(),
            # Kernels inherit this stderr: ipykernel's start-up warnings would flood the terminal;
            # a kernel's own output reaches the stage notebook through iopub.
            stderr=subprocess.DEVNULL, text=True, bufsize=1, start_new_session=True)
        self._lock = threading.Lock()

    def fork(self, connection_file: str, cwd: str) -> int:
        with self._lock:
            self._proc.stdin.write(json.dumps({"connection_file": connection_file,
                                               "cwd": cwd}) + "\n")
            self._proc.stdin.flush()
            answer = self._proc.stdout.readline()
        if not answer:
            raise RuntimeError("the nb2pipe fork server exited")
        data = json.loads(answer)
        if "pid" not in data:
            raise RuntimeError(f"the nb2pipe fork server could not start a kernel: {data}")
        return int(data["pid"])

    def close(self) -> None:
        try:
            self._proc.stdin.close()
            self._proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self._proc.kill()


def runs_here(cmd: list[str]) -> bool:
    """Is `cmd` this interpreter's own ipykernel, which a fork of the server can stand in for?"""
    if not hasattr(os, "pidfd_open"):  # Linux only: elsewhere kernels start the usual way
        return False
    try:
        same = os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
    except (IndexError, OSError):
        return False
    return same and cmd[1:3] == ["-m", "ipykernel_launcher"] and cmd[3:4] == ["-f"] and len(cmd) == 5


class ForkedProcess:
    """A kernel forked by the server: not our child, so watched through a pidfd."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._fd = os.pidfd_open(pid)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._fd], [], [], 0)[0]:
            self.returncode = -1  # the exit status belongs to the server, which reaped it
            os.close(self._fd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            select.select([self._fd], [], [], timeout)
        return self.poll()

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


@functools.lru_cache(maxsize=None)
def provisioner_class() -> type:
    """jupyter_client's local provisioner, launching by fork when it can. Built on first use:
    jupyter_client costs ~0.1 s to import, and `nb2pipe run` with nothing to do needs none of it."""
    from jupyter_client.provisioning import LocalProvisioner

    class ZygoteProvisioner(LocalProvisioner):
        zygote: Zygote | None = None

        async def launch_kernel(self, cmd: list[str], **kwargs: Any):  # noqa: ANN202
            if self.zygote is None or not runs_here(cmd):
                return await super().launch_kernel(cmd, **kwargs)
            cwd = str(kwargs.get("cwd") or Path.cwd())
            self.process = ForkedProcess(self.zygote.fork(cmd[4], cwd))
            self.pid = self.pgid = self.process.pid  # the fork starts its own session
            self.cwd = cwd
            return self.connection_info

    return ZygoteProvisioner


# --- the server side -----------------------------------------------------------------------

def _serve(modules: list[str]) -> None:
    # `python -m` put the runner's folder first on sys.path; a kernel starts without it
    # (ipykernel_launcher drops it) and adds its own folder back as ''.
    del sys.path[0]
    import ipykernel.kernelapp  # noqa: F401 - the part of a kernel start worth sharing

    # What ipykernel sets before the user's code runs, set before the libraries are imported
    # here, so that a preloaded matplotlib draws inline as in a kernel of its own.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the system
    with _looking_like_a_kernel():
        for name in modules:
            _try_import(name)
    buffered = b""
    while True:
        chunk = os.read(0, 65536)
        if not chunk:  # the runner is done (or gone); nothing here needs a tidy teardown
            os._exit(0)
        buffered += chunk
        while b"\n" in buffered:
            line, buffered = buffered.split(b"\n", 1)
            _fork_kernel(line)


class ZMQInteractiveShell:
    """Stands in for the kernel's shell while the libraries are imported: libraries look at it
    at import time to choose how to display (pandas picks its column limit by `hasattr(shell,
    'kernel')`, others by the class name or the IPKernelApp config). A library that wants more
    of it fails to import here and is imported by the kernel itself."""

    kernel = None
    config = {"IPKernelApp": {}}


@contextlib.contextmanager
def _looking_like_a_kernel():  # noqa: ANN202
    shell = ZMQInteractiveShell()
    builtins.get_ipython = lambda: shell
    builtins.__IPYTHON__ = True
    try:
        yield
    finally:
        del builtins.get_ipython, builtins.__IPYTHON__


def _try_import(name: str) -> None:
    try:
        importlib.import_module(name)
    except BaseException:  # noqa: BLE001 - the stage's own import will say what is wrong
        pass


def _fork_kernel(line: bytes) -> None:
    try:
        request = json.loads(line)
        pid = os.fork()
    except (ValueError, OSError) as exc:
        _answer({"error": str(exc)})
        return
    if pid == 0:
        _become_kernel(request["connection_file"], request["cwd"])
    _answer({"pid": pid})


def _answer(data: dict) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def _become_kernel(connection_file: str, cwd: str) -> None:
    try:
        # SIGKILL the moment the server exits, even mid-cell; the server exits when the runner
        # does (its stdin closes), whether the runner ended, was killed by SIGKILL, or crashed.
        # Elsewhere than Linux ipykernel's parent poller (below) does it within a second.
        server = os.getppid()
        die_with_parent(server)  # exits at once if the server went since the fork
        os.setsid()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)  # stdout is the server's answer pipe
        os.chdir(cwd)
        if "numpy" in sys.modules:  # a fork copies the random state: reseed as a new process would
            sys.modules["numpy"].random.seed()
        # ipykernel's parent poller: exit when the server does (the server exits with the run).
        # Its default was read from JPY_PARENT_PID when the server imported ipykernel (unset
        # there: no poller at all), so it is given on the command line.
        os.environ["JPY_PARENT_PID"] = str(server)
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=["-f", connection_file,
                                          f"--IPKernelApp.parent_handle={server}"])
    finally:
        os._exit(0)


if __name__ == "__main__":
    _serve(sys.argv[1:])
