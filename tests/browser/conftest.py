"""A real `jupyter lab` (with nb2pipe's extensions as installed in this environment) in a fresh
git + DVC repository, driven by Playwright in Debian's Chromium (see FACTS.md: Playwright's own
browser download is not available everywhere)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.integration.harness import BIN, copy_folder, env, make_repo

from .lab import VIEWPORT, Lab, chromium, running_lab

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


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


# pytest-jupyter (loaded for tests/server) gives every test a fresh asyncio loop and an
# in-process server cleanup, both autouse; they break Playwright's own loop at teardown, and these
# tests start their own `jupyter lab`, so the browser tests opt out of both.
@pytest.fixture(autouse=True)
def jp_asyncio_loop():
    yield None


@pytest.fixture(autouse=True)
def jp_server_cleanup():
    yield


@pytest.fixture(scope="module")
def lab(lab_root: Path) -> Lab:
    with running_lab(lab_root) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    try:
        with chromium() as instance:
            yield instance
    except RuntimeError as exc:
        pytest.fail(str(exc))


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
