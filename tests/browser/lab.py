"""A real `jupyter lab` on a free port in a given folder, and Debian's Chromium through
Playwright: shared by the browser tests and bench/bench_panel.py."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from tests.integration.harness import env

CHROMIUM = os.environ.get("NB2PIPE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 800}  # narrower moves toolbar buttons into an overflow menu
# The extension as built in this source tree (jlpm build), whatever the environment has linked.
BUILT_EXTENSION = Path(__file__).resolve().parents[2] / "jupyter_pipeline" / "labextension"


class Lab:
    def __init__(self, root: Path, url: str, token: str, log: Path) -> None:
        self.root, self.url, self.token, self.log = root, url, token, log

    def page_url(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?token={self.token}&reset"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_lab(root: Path) -> Iterator[Lab]:
    """`jupyter lab` serving `root`, with its own settings (none of the user's), stopped after."""
    port, token = _free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="nb2pipe-lab-") as scratch:
        home = Path(scratch)
        log = home / "jupyter-lab.log"
        news = home / "settings" / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True)  # no "get notified about Jupyter news?" toast over the panel
        (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
        extensions = home / "labextensions"
        extensions.mkdir()
        (extensions / "nb2pipe").symlink_to(BUILT_EXTENSION, target_is_directory=True)
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.root_dir={root}",
               f"--IdentityProvider.token={token}", "--LabApp.news_url=",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               f"--LabServerApp.workspaces_dir={home / 'workspaces'}",
               f"--LabApp.extra_labextensions_path={extensions}"]
        e = env()
        e["JUPYTERLAB_SETTINGS_DIR"] = str(home / "settings")
        e["JUPYTERLAB_WORKSPACES_DIR"] = str(home / "workspaces")
        with log.open("wb") as out:
            proc = subprocess.Popen(cmd, cwd=root, env=e, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, token, proc, log)
            yield Lab(root, url, token, log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_until_up(url: str, token: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"jupyter lab did not answer within 90 s:\n{log.read_text()}")


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium browser (Playwright), closed after."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium is missing at {CHROMIUM}: run 'make browser-deps' "
                           "(tools/install_chromium.sh) or set NB2PIPE_CHROMIUM")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
