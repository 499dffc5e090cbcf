"""A long run in the panel, in real Chromium against a real `jupyter lab`: while a stage runs the
panel shows its cell and the last line it printed, Cancel stops it (the stage marked cancelled,
not failed; the stage done before stays recorded) and the next Run works; a stage notebook
nb2pipe generated refuses Export and Assign, saying which notebook to open instead.

The tests share one lab server and one page and run in order (each builds on the previous)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest
from ruamel.yaml import YAML

from tests.integration.harness import make_repo
from tests.nbbuild import notebook

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.integration]

NOTEBOOK = "slow/slow.ipynb"
PANEL = "#nb2pipe-panel"
# `slow` prints a line a second for `pause` seconds: long enough to look at, and to cancel.
CELLS = [("parameters", "pause = 120"),
         ("stage:quick", "numbers = list(range(3))"),
         ("stage:slow", "import time\nstarted = time.time()"),
         (None, "for tick in range(pause):\n    print(f'tick {tick}', flush=True)\n"
                "    time.sleep(1)\nslept = len(numbers)"),
         ("stage:after", "total = slept + 1\nprint(total)")]


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lab")
    (root / "slow").mkdir()
    nbformat.write(nbformat.from_dict(notebook(CELLS)), root / NOTEBOOK)
    make_repo(root)
    return root


def marks(page) -> dict[str, str]:
    return dict(page.locator(f"{PANEL} .nb2pipe-stage").evaluate_all(
        "els => els.map(e => [e.dataset.stage, e.dataset.state])"))


def wait_for_marks(page, expected: dict[str, str], timeout: float = 120_000) -> None:
    page.wait_for_function(
        "want => { const got = Object.fromEntries([...document.querySelectorAll("
        "'#nb2pipe-panel .nb2pipe-stage')].map(e => [e.dataset.stage, e.dataset.state]));"
        " return Object.entries(want).every(([k, v]) => got[k] === v); }",
        arg=expected, timeout=timeout)


def toast(page, text: str):
    found = page.locator(".jp-toast-message, .Toastify__toast").filter(has_text=text).first
    found.wait_for(timeout=60_000)
    return found


def test_the_panel_shows_the_exported_pipeline(page, lab):
    page.goto(lab.page_url(NOTEBOOK))
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputPrompt", timeout=60_000)
    page.locator('.jp-SideBar [data-id="nb2pipe-panel"]').click()
    page.locator(f"{PANEL} button.nb2pipe-export").click()
    toast(page, "dvc.yaml")
    wait_for_marks(page, {"quick": "never-run", "slow": "never-run", "after": "never-run"})
    assert page.locator(f"{PANEL} .nb2pipe-progress").is_hidden()


def test_a_running_stage_shows_its_cell_and_last_line_and_offers_cancel(page, lab):
    page.locator(f"{PANEL} button.nb2pipe-run").click()
    progress = page.locator(f"{PANEL} .nb2pipe-progress")
    row = progress.locator('.nb2pipe-progress-stage[data-stage="slow"]')
    row.locator(".nb2pipe-progress-output").filter(has_text="tick 2").wait_for(timeout=120_000)
    assert row.locator(".nb2pipe-progress-cell").inner_text() == "cell 2/2"
    assert "1 of 3 stages finished" in progress.locator(".nb2pipe-progress-summary").inner_text()
    # The stage's own entry says where it is too.
    detail = page.locator(f'{PANEL} .nb2pipe-stage[data-stage="slow"] .nb2pipe-running-detail')
    assert detail.inner_text().startswith("cell 2/2 · tick ")
    assert marks(page) == {"quick": "done", "slow": "running", "after": "waiting"}
    assert page.locator(f"{PANEL} button.nb2pipe-run").is_disabled()
    cancel = progress.locator("button.nb2pipe-cancel")
    assert cancel.is_visible() and cancel.is_enabled()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(PANEL).screenshot(path=str(ARTIFACTS / "panel-running.png"))


def test_cancel_stops_the_stage_and_marks_it_cancelled_not_failed(page, lab):
    cancel = page.locator(f"{PANEL} .nb2pipe-progress button.nb2pipe-cancel")
    asked = time.monotonic()
    cancel.click()
    wait_for_marks(page, {"quick": "done", "slow": "cancelled", "after": "not-started"},
                   timeout=30_000)
    assert time.monotonic() - asked < 25, "the cancel waited for the stage to finish"
    slow = page.locator(f'{PANEL} .nb2pipe-stage[data-stage="slow"]')
    assert slow.locator(".nb2pipe-state").get_attribute("data-mark") == "cancelled"
    assert slow.locator(".nb2pipe-state-text").inner_text().startswith("cancelled")
    assert slow.locator(".nb2pipe-error").count() == 0, "a cancelled stage is no failure"
    node = page.locator(f'{PANEL} svg.nb2pipe-graph g.nb2pipe-node[data-stage="slow"]')
    assert node.locator(".nb2pipe-mark").get_attribute("data-mark") == "cancelled"
    message = page.locator(f"{PANEL} .nb2pipe-run-cancelled")
    assert "Cancelled: stage 'slow' stopped" in message.inner_text()
    toast(page, "Cancelled: stage 'slow' stopped")
    assert page.locator(f"{PANEL} .nb2pipe-progress").is_hidden()
    assert page.locator(f"{PANEL} button.nb2pipe-run").is_enabled()
    lock = YAML(typ="safe").load((lab.root / "slow" / "dvc.lock").read_text())
    assert set(lock["stages"]) == {"quick"}, "the stage done before the cancel stays recorded"
    page.locator(PANEL).screenshot(path=str(ARTIFACTS / "panel-cancelled.png"))


def test_the_next_run_after_a_cancel_works(page, lab):
    params = lab.root / "slow" / "params.yaml"
    params.write_text(params.read_text().replace("pause: 120", "pause: 1"))
    page.locator(f"{PANEL} button.nb2pipe-run").click()
    wait_for_marks(page, {"quick": "up-to-date", "slow": "done", "after": "done"})
    lock = YAML(typ="safe").load((lab.root / "slow" / "dvc.lock").read_text())
    assert set(lock["stages"]) == {"quick", "slow", "after"}
    page.locator(PANEL).screenshot(path=str(ARTIFACTS / "panel-after-cancel-rerun.png"))


GENERATED = "slow/pipelines/slow/slow.ipynb"
EXECUTED = "slow/pipelines/slow/executed/slow.ipynb"


def test_a_generated_stage_notebook_refuses_assign_and_export_naming_the_notebook(page, lab):
    before = (lab.root / GENERATED).read_bytes()
    page.goto(lab.page_url(GENERATED))
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputPrompt", timeout=60_000)
    page.locator('.jp-SideBar [data-id="nb2pipe-panel"]').click()
    banner = page.locator(f"{PANEL} .nb2pipe-generated")
    banner.wait_for(timeout=30_000)
    assert "generated from 'slow.ipynb': open 'slow.ipynb' to assign cells or export" in \
        banner.inner_text()
    assert page.locator(f"{PANEL} .nb2pipe-assign-form").is_hidden(), "no assigning offered"
    # Assigning by the command (palette, shortcut) is refused with the same words.
    page.locator(".jp-Notebook .jp-Cell").nth(3).locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Shift+C")
    page.keyboard.type("Assign selected cells to a stage")
    page.keyboard.press("Enter")
    page.locator(".jp-Dialog input").fill("other")
    page.keyboard.press("Enter")
    toast(page, "open 'slow.ipynb' to assign")
    page.locator(f"{PANEL} button.nb2pipe-export").click()
    toast(page, "open 'slow.ipynb' to export its pipeline")
    page.wait_for_timeout(1000)
    assert (lab.root / GENERATED).read_bytes() == before, "refused before anything was saved"
    tags = [c.get("metadata", {}).get("tags", []) for c in
            json.loads(before)["cells"]]
    assert not any("stage:other" in t for t in tags)
    page.locator(PANEL).screenshot(path=str(ARTIFACTS / "panel-generated-notebook.png"))


def test_the_executed_notebook_refuses_export_from_its_toolbar(page, lab):
    before = (lab.root / EXECUTED).read_bytes()
    page.goto(lab.page_url(EXECUTED))
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputPrompt", timeout=60_000)
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                 '[data-jp-item-name="nb2pipe-export"]').first.click()
    toast(page, "open 'slow.ipynb' to export its pipeline")
    page.wait_for_timeout(1000)
    assert (lab.root / EXECUTED).read_bytes() == before
    assert not (lab.root / "slow" / "pipelines" / "slow" / "pipelines").exists(), \
        "no pipeline inside the pipeline"


def test_no_errors_from_the_extension_in_the_page(page_errors):
    assert page_errors.ours() == []
