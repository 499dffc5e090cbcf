"""The Experiments panel in real Chromium against a real `jupyter lab`, on a small pipeline
already exported, run and committed: run a grid of two experiments from the panel, see them in
the table (sorted, the best highlighted, a plot), apply the best one into the notebook's
parameters cell, and undo it. The tests share one page and run in order."""

from __future__ import annotations

import pytest

from tests.experiments.test_sweep import _project

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.integration]

NOTEBOOK = "proj/nb.ipynb"
PANEL = "#nb2pipe-experiments"


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    _project(root / "proj")
    return root


def count(page) -> int:
    return int(page.locator(PANEL).get_attribute("data-count") or -1)


def parameters_cell(page) -> str:
    return page.locator(".jp-Notebook .jp-Cell").first.locator(".cm-content").inner_text()


def test_the_panel_shows_the_parameters_and_the_workspace(page, lab):
    page.goto(lab.page_url(NOTEBOOK))
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputPrompt", timeout=60_000)
    page.locator(f'.jp-SideBar [data-id="{PANEL[1:]}"]').click()
    page.wait_for_function(f"Number(document.querySelector('{PANEL}').dataset.count) >= 1",
                           timeout=60_000)
    assert page.locator(f"{PANEL} input[data-param='scale']").input_value() == "2"
    assert page.locator(f"{PANEL} input[data-param='offset']").input_value() == "1"
    assert page.locator(f"{PANEL} .nb2pipe-exp-row").count() == 1  # the workspace
    # where the workspace's metric comes from
    source = page.locator(f"{PANEL} .nb2pipe-exp-source")
    source.locator("summary").click()
    assert "make → scaled → score" in source.inner_text()


def test_a_wrong_value_is_marked_and_cannot_run(page):
    scale = page.locator(f"{PANEL} input[data-param='scale']")
    scale.fill("three")
    assert "nb2pipe-invalid" in (scale.get_attribute("class") or "")
    assert page.locator(f"{PANEL} button.nb2pipe-exp-run").is_disabled()


def test_a_grid_runs_from_the_panel_and_lands_in_the_table(page, lab):
    page.locator(f"{PANEL} input[data-param='scale']").fill("3")
    page.locator(f"{PANEL} input[data-param='offset']").fill("0, 10")
    run = page.locator(f"{PANEL} button.nb2pipe-exp-run")
    assert run.inner_text() == "Run 2 experiments"
    run.click()
    # progress per experiment while they run, then the table read again from DVC
    page.wait_for_selector(f"{PANEL} .nb2pipe-exp-progress-row", timeout=30_000)
    page.wait_for_function(f"Number(document.querySelector('{PANEL}').dataset.count) === 3",
                           timeout=240_000)
    states = page.locator(f"{PANEL} .nb2pipe-exp-progress-row").evaluate_all(
        "rows => rows.map(r => r.dataset.state)")
    assert states == ["done", "done"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(PANEL).screenshot(path=str(ARTIFACTS / "experiments.png"))


def cells_of(page, rev_row) -> list[str]:
    return rev_row.locator("td").all_inner_texts()


def test_the_table_sorts_and_highlights_the_best(page):
    best = page.locator(f"{PANEL} .nb2pipe-exp-row.nb2pipe-best")
    # sorted by the metric, highest first: scale=3 offset=10 gives 3*45+10
    assert cells_of(page, best)[1:4] == ["3", "10", "145"]
    assert cells_of(page, page.locator(f"{PANEL} .nb2pipe-exp-row").first)[3] == "145"
    page.locator(f"{PANEL} th[data-column='total']").click()
    # lowest first now: the best is the lowest, the workspace's 91
    assert cells_of(page, page.locator(f"{PANEL} .nb2pipe-exp-row").first)[3] == "91"
    assert cells_of(page, best)[0] == "workspace"
    page.locator(f"{PANEL} th[data-column='total']").click()
    assert page.locator(f"{PANEL} svg.nb2pipe-exp-plot circle").count() == 3


def test_apply_writes_the_values_into_the_parameters_cell_and_undo_restores_it(page):
    assert parameters_cell(page) == "scale = 2\noffset = 1"
    # the best is chosen for Apply until another row is clicked
    apply = page.locator(f"{PANEL} button.nb2pipe-exp-apply")
    best = page.locator(f"{PANEL} .nb2pipe-exp-row.nb2pipe-best")
    assert apply.inner_text() == f"Apply {best.get_attribute('data-name')}"
    page.locator(f"{PANEL} .nb2pipe-exp-row").nth(1).click()
    assert apply.inner_text() != f"Apply {best.get_attribute('data-name')}"
    best.click()
    apply.click()
    page.wait_for_function("() => document.querySelector('.jp-Notebook .jp-Cell .cm-content')"
                           ".innerText === 'scale = 3\\noffset = 10'", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "experiments-applied.png"))
    page.locator(".jp-Notebook .jp-Cell").first.locator(".cm-content").click()
    page.keyboard.press("Control+z")
    page.wait_for_function("() => document.querySelector('.jp-Notebook .jp-Cell .cm-content')"
                           ".innerText === 'scale = 2\\noffset = 1'", timeout=15_000)


def test_the_view_reads_in_the_dark_theme(page):
    panel = page.locator(PANEL)
    best = page.locator(f"{PANEL} .nb2pipe-exp-row.nb2pipe-best td").first
    light = best.evaluate("el => getComputedStyle(el).color")
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu").get_by_text("JupyterLab Dark", exact=True).click()
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(500)  # the theme's stylesheet applies on the next frame
    panel.screenshot(path=str(ARTIFACTS / "experiments-dark.png"))
    assert best.evaluate("el => getComputedStyle(el).color") != light


def test_no_errors_from_the_extension_in_the_page(page_errors):
    assert page_errors.ours() == []
