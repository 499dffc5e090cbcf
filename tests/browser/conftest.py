"""A real `jupyter lab` (with nb2pipe's extensions as installed in this environment) in a fresh
git + DVC repository, driven by Playwright in Debian's Chromium (see FACTS.md: Playwright's own
browser download is not available everywhere)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.integration.harness import BIN, copy_folder, env, make_repo

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("NB2PIPE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 800}  # narrower moves toolbar buttons into an overflow menu


def strip_stage_tags(path: Path) -> None:
    """The user assigns the stages through the panel: start from the notebook without them."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags")
        if tags is not None:
            kept = [t for t in tags if not t.startswith("stage:")]
            if kept:
                cell["metadata"]["tags"] = kept
            else:
                del cell["metadata"]["tags"]
    path.write_text(json.dumps(nb, indent=1, sort_keys=True) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lab")
    copy_folder(ROOT / "example_notebooks" / "wine", root / "wine")
    strip_stage_tags(root / "wine" / "wine.ipynb")
    make_repo(root)
    return root


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, root: Path, url: str, token: str, log: Path) -> None:
        self.root, self.url, self.token, self.log = root, url, token, log

    def page_url(self, path: str) -> str:
        return f"{self.url}/lab/tree/{path}?token={self.token}&reset"


@pytest.fixture(scope="module")
def lab(lab_root: Path, tmp_path_factory) -> Lab:
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path_factory.mktemp("lab-log") / "jupyter-lab.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
           f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.root_dir={lab_root}",
           f"--IdentityProvider.token={token}", "--LabApp.news_url=",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--ServerApp.open_browser=False", "--LabServerApp.workspaces_dir=" + str(log.parent)]
    e = env()
    e["JUPYTER_CONFIG_DIR"] = str(log.parent / "config")  # the user's own settings stay out
    e["JUPYTERLAB_SETTINGS_DIR"] = str(log.parent / "settings")
    news = log.parent / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)  # no "get notified about Jupyter news?" toast over the panel
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=lab_root, env=e, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, token, proc, log)
        yield Lab(lab_root, url, token, log)
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
            raise AssertionError(f"jupyter lab exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"jupyter lab did not answer within 90 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run 'make browser-deps' "
                    "(tools/install_chromium.sh) or set NB2PIPE_CHROMIUM")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield instance
        finally:
            instance.close()


class PageErrors:
    """Uncaught exceptions in the page and console errors, to fail the test on."""

    def __init__(self) -> None:
        self.uncaught: list[str] = []
        self.console: list[str] = []

    def attach(self, page) -> None:
        page.on("pageerror", lambda exc: self.uncaught.append(str(exc)))
        page.on("console", lambda msg: self.console.append(msg.text)
                if msg.type == "error" else None)

    def ours(self) -> list[str]:
        return self.uncaught + [m for m in self.console if "nb2pipe" in m.lower()]


@pytest.fixture(scope="module")
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture(scope="module")
def page(browser, lab: Lab, page_errors: PageErrors):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page_errors.attach(page)
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / "last-page.png"))
        except Exception:  # noqa: BLE001 - a screenshot of a crashed page is only a nicety
            pass
        context.close()


def dvc(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "dvc"), *args], cwd=root, env=env(),
                          capture_output=True, text=True, timeout=300)

