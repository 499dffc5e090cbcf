"""nb2pipe's worker processes (server/worker.py) die with their jupyter server, also one killed
by SIGKILL, which runs no clean-up: a real `jupyter server` process, killed."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="PR_SET_PDEATHSIG is Linux's")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers(server: psutil.Process) -> list[psutil.Process]:
    found = []
    for child in server.children(recursive=True):
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def _wait(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} (waited {seconds:.0f} s)")
        time.sleep(0.2)


def test_the_worker_processes_die_when_the_server_is_killed(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
           f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.root_dir={tmp_path}",
           f"--IdentityProvider.token={token}",
           "--ServerApp.jpserver_extensions=jupyter_pipeline=True"]
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ), start_new_session=True)
    workers: list[psutil.Process] = []
    try:
        server = psutil.Process(proc.pid)

        def answering() -> bool:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/status",
                                             headers={"Authorization": f"token {token}"})
            try:
                urllib.request.urlopen(request, timeout=5).close()
                return True
            except (OSError, urllib.error.URLError):
                assert proc.poll() is None, (tmp_path / "server.log").read_text()
                return False

        _wait(answering, 180, "the server did not answer")
        _wait(lambda: len(_workers(server)) == 2, 120, "nb2pipe's two workers did not start")
        workers = _workers(server)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        _wait(lambda: not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE
                              for w in workers), 15, "the workers were still running after the server was killed")
    finally:
        for w in workers:  # on failure: leave nothing behind for the next test
            try:
                w.kill()
            except psutil.NoSuchProcess:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        log.close()
