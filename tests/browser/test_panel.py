"""One user journey through the Pipeline panel, in real Chromium against a real `jupyter lab`:
tag three stages by clicking, see the stripes and the flows, export, run, and look at it.

The tests share one lab server and one page and run in order (each builds on the previous)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from .conftest import ARTIFACTS, dvc

pytestmark = [pytest.mark.browser, pytest.mark.integration]

NOTEBOOK = "wine/wine.ipynb"
# (stage name, the cells the user selects for it): the second selection is a shift-click range.
ASSIGNMENTS = [("load", (4,)), ("features", (10,)), ("model", (14, 15))]


def cell(page, index: int):
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def select_cells(page, indices) -> None:
    """Click the prompt area like a user (command mode), shift-click the end of a range."""
    page.keyboard.press("Escape")
    cell(page, indices[0]).locator(".jp-InputPrompt").click()
    if len(indices) > 1:
        cell(page, indices[-1]).locator(".jp-InputPrompt").click(modifiers=["Shift"])


def generation(page) -> int:
    return int(page.locator("#nb2pipe-panel").get_attribute("data-generation") or 0)


def wait_for_render_after(page, before: int) -> None:
    page.wait_for_function(
        "n => Number(document.querySelector('#nb2pipe-panel')"
        ".getAttribute('data-generation')) > n", arg=before, timeout=15_000)


def stage_names(page) -> list[str]:
    return page.locator("#nb2pipe-panel .nb2pipe-stage").evaluate_all(
        "els => els.map(e => e.dataset.stage)")


def panel_vars(page, stage: str, kind: str) -> list[str]:
    return page.locator(f'#nb2pipe-panel .nb2pipe-stage[data-stage="{stage}"] '
                        f'.nb2pipe-{kind} .nb2pipe-var').all_inner_texts()


def analysis_of_saved_notebook(lab) -> dict:
    proc = subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", "show", NOTEBOOK,
                           "--json"], cwd=lab.root, capture_output=True, text=True, timeout=60)
    return json.loads(proc.stdout)


def test_the_panel_opens_from_its_sidebar_icon(page, lab):
    page.goto(lab.page_url(NOTEBOOK))
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputPrompt", timeout=60_000)
    page.locator('.jp-SideBar [data-id="nb2pipe-panel"]').click()
    panel = page.locator("#nb2pipe-panel")
    panel.wait_for(state="visible")
    page.wait_for_function("document.querySelector('#nb2pipe-panel')"
                           ".getAttribute('data-generation') >= 1")
    # Without stage tags the notebook is one stage, and the panel says so.
    assert len(stage_names(page)) == 1


def test_an_invalid_stage_name_disables_assign(page):
    select_cells(page, (4,))
    name = page.locator("#nb2pipe-panel input.nb2pipe-stage-name")
    name.fill("Bad Name")
    assert "nb2pipe-invalid" in (name.get_attribute("class") or "")
    assert page.locator("#nb2pipe-panel button.nb2pipe-assign").is_disabled()
    name.fill("load")
    assert "nb2pipe-invalid" not in (name.get_attribute("class") or "")
    assert page.locator("#nb2pipe-panel button.nb2pipe-assign").is_enabled()


def test_three_stages_assigned_by_clicking(page):
    for stage, indices in ASSIGNMENTS:
        select_cells(page, indices)
        before = generation(page)
        page.locator("#nb2pipe-panel input.nb2pipe-stage-name").fill(stage)
        page.locator("#nb2pipe-panel button.nb2pipe-assign").click()
        wait_for_render_after(page, before)
    page.wait_for_function(
        "names => JSON.stringify([...document.querySelectorAll('#nb2pipe-panel .nb2pipe-stage')]"
        ".map(e => e.dataset.stage)) === JSON.stringify(names)",
        arg=[s for s, _ in ASSIGNMENTS], timeout=15_000)


def test_cells_show_their_stage_with_a_stripe_per_stage(page):
    # Cells that follow a tagged cell belong to its stage (DESIGN.md §2) and show it too.
    expected = {4: "load", 8: "load", 10: "features", 12: "features", 14: "model", 18: "model"}
    for index, stage in expected.items():
        c = cell(page, index)
        assert c.get_attribute("data-nb2pipe-stage") == stage, index
        assert "nb2pipe-staged" in (c.get_attribute("class") or "")
        assert c.locator(".nb2pipe-cell-label").first.inner_text().strip() == stage
    assert "nb2pipe-parameters" in (cell(page, 2).get_attribute("class") or "")
    assert "nb2pipe-skip" in (cell(page, 5).get_attribute("class") or "")
    by_stage = {}
    for index, stage in expected.items():
        by_stage.setdefault(stage, set()).add(stripe_colour(cell(page, index)))
    assert all(len(c) == 1 for c in by_stage.values()), by_stage  # one colour per stage
    assert len({next(iter(c)) for c in by_stage.values()}) == 3, by_stage  # and all different


def stripe_colour(locator) -> str:
    """The colour of the stripe as painted: the left border, or the ::before bar."""
    return locator.evaluate("""el => {
        const own = getComputedStyle(el);
        if (own.borderLeftStyle !== 'none' && parseFloat(own.borderLeftWidth) >= 2) {
            return own.borderLeftColor;
        }
        const bar = getComputedStyle(el, '::before');
        if (bar.content !== 'none') { return bar.backgroundColor; }
        return own.boxShadow;
    }""")


def test_export_writes_the_pipeline_and_saves_the_tags(page, lab):
    page.locator('[data-jp-item-name="nb2pipe-export"]').first.click()
    toast = page.locator(".jp-toast-message, .Toastify__toast").filter(has_text="dvc.yaml")
    toast.first.wait_for(timeout=30_000)
    folder = lab.root / "wine"
    assert (folder / "dvc.yaml").exists()
    stages = sorted(p.stem for p in (folder / "pipelines" / "wine").glob("*.ipynb"))
    assert stages == sorted(s for s, _ in ASSIGNMENTS)
    saved = json.loads((folder / "wine.ipynb").read_text(encoding="utf-8"))
    tags = {i: c.get("metadata", {}).get("tags", []) for i, c in enumerate(saved["cells"])}
    for stage, indices in ASSIGNMENTS:
        assert f"stage:{stage}" in tags[indices[0]], tags
    assert "parameters" in tags[2] and "skip" in tags[5]


def test_the_panel_shows_the_flows_the_analysis_finds(page, lab):
    analysis = analysis_of_saved_notebook(lab)
    by_name = {s["name"]: s for s in analysis["stages"]}
    assert by_name["features"]["needs"], "the example hands variables from load to features"
    for stage in by_name:
        needs = {n["name"] for n in by_name[stage]["needs"]} | {
            f["path"] for f in by_name[stage].get("file_inputs", [])}
        assert needs <= set(panel_vars(page, stage, "needs")), stage
        assert set(by_name[stage]["hands_on"]) <= set(panel_vars(page, stage, "hands-on")), stage
    edges = page.locator("#nb2pipe-panel svg.nb2pipe-graph g.nb2pipe-edge text").all_text_contents()
    assert any("df" in label for label in edges), edges
    assert page.locator("#nb2pipe-panel svg.nb2pipe-graph g.nb2pipe-node").count() == 3


def test_clicking_a_cell_entry_selects_that_cell(page):
    chip = page.locator('#nb2pipe-panel .nb2pipe-stage[data-stage="features"] '
                        '.nb2pipe-cell[data-cell-index="11"]')
    # The chip names the cell by the number JupyterLab shows (1-based), as the CLI does.
    assert chip.inner_text().strip() == "12" and chip.get_attribute("title") == "Go to cell 12"
    chip.click()
    assert active_cell_index(page) == 11


def active_cell_index(page) -> int:
    """The index of the active cell in the notebook on screen."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").evaluate(
        "nb => [...nb.querySelectorAll(':scope .jp-Cell')]"
        ".findIndex(c => c.classList.contains('jp-mod-active'))")


def append_line(page, index: int, text: str) -> None:
    """Type a new last line into a cell's editor, as a user does."""
    cell(page, index).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(text)
    page.keyboard.press("Escape")


def export(page) -> None:
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                 '[data-jp-item-name="nb2pipe-export"]').first.click()


def test_run_from_the_panel_finishes_every_stage(page, lab):
    page.locator("#nb2pipe-panel button.nb2pipe-run").click()
    page.wait_for_function(
        "() => { const s = [...document.querySelectorAll('#nb2pipe-panel .nb2pipe-stage')];"
        " return s.length === 3 && s.every(e => e.dataset.state === 'done'); }",
        timeout=240_000)
    assert (lab.root / "wine" / "dvc.lock").exists()
    status = dvc(lab.root, "status")
    assert status.returncode == 0, status.stderr
    assert "up to date" in status.stdout, status.stdout


def test_the_panel_looks_native_in_light_and_dark_themes(page):
    ARTIFACTS.mkdir(exist_ok=True)
    panel = page.locator("#nb2pipe-panel")
    panel.screenshot(path=str(ARTIFACTS / "panel-light.png"))
    light = panel.evaluate("el => getComputedStyle(el).backgroundColor")
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu").get_by_text("JupyterLab Dark", exact=True).click()
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(500)  # the theme's stylesheet applies on the next frame
    panel.screenshot(path=str(ARTIFACTS / "panel-dark.png"))
    dark = panel.evaluate("el => getComputedStyle(el).backgroundColor")
    assert light != dark, "the panel follows JupyterLab's theme variables"


def wait_for_file_containing(path, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and text in path.read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, f"{path} never contained {text!r}"
        time.sleep(0.2)


def test_a_failing_stage_shows_its_error_beside_the_users_cell(page, lab):
    append_line(page, 15, 'raise ValueError("nb2pipe-boom")')
    export(page)
    wait_for_file_containing(lab.root / "wine" / "pipelines" / "wine" / "model.ipynb",
                             "nb2pipe-boom")
    page.locator("#nb2pipe-panel button.nb2pipe-run").click()
    model = page.locator('#nb2pipe-panel .nb2pipe-stage[data-stage="model"]')
    page.wait_for_function(
        "() => document.querySelector('#nb2pipe-panel .nb2pipe-stage[data-stage=\"model\"]')"
        "?.dataset.state === 'failed'", timeout=240_000)
    assert "nb2pipe-boom" in model.locator(".nb2pipe-error").inner_text()
    toast = page.locator(".jp-toast-message, .Toastify__toast").filter(has_text="nb2pipe-boom")
    assert toast.first.inner_text().count("model' ") <= 1, "the stage is named once"
    # The user's own notebook stays in front, at the cell that raised, with the error beside
    # it; the executed stage notebook (generated) is one click away.
    error = cell(page, 15).locator(".nb2pipe-cell-error")
    error.wait_for(timeout=30_000)
    assert "nb2pipe-boom" in error.inner_text()
    model.locator(".nb2pipe-open-failure").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab')]"
        ".some(t => t.textContent.includes('model.ipynb'))", timeout=30_000)


def test_an_error_blocks_the_export_and_its_diagnostic_leads_to_the_cell(page, lab):
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="wine.ipynb").first.click()
    page.locator("#nb2pipe-panel .nb2pipe-stage").first.wait_for()
    dvc_yaml = lab.root / "wine" / "dvc.yaml"
    before = dvc_yaml.read_bytes()
    append_line(page, 11, "x = = 1")
    diagnostic = page.locator('#nb2pipe-panel .nb2pipe-diagnostic[data-cell-index="11"]')
    diagnostic.first.wait_for(timeout=15_000)
    assert diagnostic.first.inner_text().startswith("cell 12, line "), \
        diagnostic.first.inner_text()
    cell(page, 4).locator(".jp-InputPrompt").click()
    diagnostic.first.click()
    assert active_cell_index(page) == 11
    export(page)
    page.locator(".jp-toast-message, .Toastify__toast").filter(
        has_text="Not exported").first.wait_for(timeout=30_000)
    assert dvc_yaml.read_bytes() == before


def test_skip_toggles_off_and_on_from_the_panel(page):
    select_cells(page, (5,))
    page.locator("#nb2pipe-panel button.nb2pipe-toggle-skip").click()
    page.wait_for_function("() => !document.querySelectorAll('.jp-Notebook .jp-Cell')[5]"
                           ".classList.contains('nb2pipe-skip')")
    page.locator("#nb2pipe-panel button.nb2pipe-toggle-skip").click()
    page.wait_for_function("() => document.querySelectorAll('.jp-Notebook .jp-Cell')[5]"
                           ".classList.contains('nb2pipe-skip')")


def test_renaming_a_stage_rewrites_its_tags(page):
    page.locator('#nb2pipe-panel .nb2pipe-stage[data-stage="features"] .nb2pipe-rename').click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator("input").fill("prepare")
    dialog.locator(".jp-Dialog-footer button.jp-mod-accept").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#nb2pipe-panel .nb2pipe-stage')]"
        ".map(e => e.dataset.stage).join() === 'load,prepare,model'", timeout=15_000)
    for index in (10, 11, 12):
        assert cell(page, index).get_attribute("data-nb2pipe-stage") == "prepare"


def test_no_errors_from_the_extension_in_the_page(page_errors):
    assert page_errors.ours() == []
