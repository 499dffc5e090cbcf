"""The panel on an untagged notebook and after a reload, in real Chromium against a real
`jupyter lab`: 'Split at headings' shows its stages before writing tags, each stage state has
its own mark, a reload shows the states from dvc.lock with links to each stage's reports, and a
failure leads to the failing cell of the user's own notebook.

The tests share one lab server and one page and run in order (each builds on the previous)."""

from __future__ import annotations

import json

import pytest

from .conftest import ARTIFACTS, dvc
from .test_panel import export, wait_for_file_containing

pytestmark = [pytest.mark.browser, pytest.mark.integration]

NOTEBOOK = "wine/wine.ipynb"
PANEL = "#nb2pipe-panel"


def cell(page, index: int):
    """Cell `index` of the notebook in front (an executed notebook may be open beside it)."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(index)


def append_line(page, index: int, text: str) -> None:
    """Type a new last line into a cell's editor, as a user does."""
    editor = cell(page, index).locator(".jp-InputArea-editor")
    editor.scroll_into_view_if_needed()
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(text)
    page.keyboard.press("Escape")


def saved_tags(lab) -> dict[int, list[str]]:
    nb = json.loads((lab.root / NOTEBOOK).read_text(encoding="utf-8"))
    return {i: c.get("metadata", {}).get("tags", []) for i, c in enumerate(nb["cells"])}


def marks(page) -> dict[str, str]:
    return dict(page.locator(f"{PANEL} .nb2pipe-stage").evaluate_all(
        "els => els.map(e => [e.dataset.stage, e.dataset.state])"))


def test_the_build_of_this_tree_is_the_one_loaded(page, lab):
    page.goto(lab.page_url(NOTEBOOK))
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputPrompt", timeout=60_000)
    loaded = page.evaluate("() => fetch('/lab/api/settings/nb2pipe:plugin?token=' + "
                           f"'{lab.token}').then(r => r.json()).then(j => j.schema.properties)")
    assert "pollInterval" in loaded and "debounceMs" in loaded, loaded


def test_an_untagged_notebook_says_there_are_no_stages_yet(page):
    page.locator('.jp-SideBar [data-id="nb2pipe-panel"]').click()
    box = page.locator(f"{PANEL} .nb2pipe-no-stages")
    box.wait_for(timeout=30_000)
    assert "No stages yet" in box.inner_text()


def test_assigning_says_which_cells_the_stage_will_hold_before_it_happens(page, lab):
    page.keyboard.press("Escape")
    cell(page, 4).locator(".jp-InputPrompt").click()
    page.locator(f"{PANEL} input.nb2pipe-stage-name").fill("load")
    preview = page.locator(f"{PANEL} .nb2pipe-assign-preview")
    preview.wait_for()
    text = preview.inner_text()
    assert "after the selection" in text and "18" in text, text
    assert not any(t.startswith("stage:") for tags in saved_tags(lab).values() for t in tags)
    page.locator(f"{PANEL} input.nb2pipe-stage-name").fill("")


def test_split_at_headings_shows_the_stages_before_writing_tags(page, lab):
    page.locator(f"{PANEL} button.nb2pipe-split").click()
    preview = page.locator(f"{PANEL} .nb2pipe-split-preview")
    preview.wait_for(timeout=30_000)
    names = preview.locator(".nb2pipe-split-stage").evaluate_all(
        "els => els.map(e => e.dataset.stage)")
    assert names == ["load", "clean", "features", "train", "evaluate"], names
    assert preview.get_attribute("data-level") == "2"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(PANEL).screenshot(path=str(ARTIFACTS / "panel-split-preview.png"))
    for index in (4, 7, 10):  # nothing written yet: the cells show no stage
        assert cell(page, index).get_attribute("data-nb2pipe-stage") is None
    page.locator(f"{PANEL} button.nb2pipe-split-apply").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#nb2pipe-panel .nb2pipe-stage')]"
        ".map(e => e.dataset.stage).join() === 'load,clean,features,train,evaluate'",
        timeout=30_000)
    assert cell(page, 7).get_attribute("data-nb2pipe-stage") == "clean"


def _overlap(a: dict, b: dict) -> bool:
    return not (a["y"] >= b["y"] + b["height"] or b["y"] >= a["y"] + a["height"] or
                a["x"] >= b["x"] + b["width"] or b["x"] >= a["x"] + a["width"])


@pytest.mark.parametrize("index", [5, 7])  # a one-line cell and a four-line one
def test_the_stage_label_leaves_the_cell_toolbar_buttons_alone(page, index):
    c = cell(page, index)
    c.scroll_into_view_if_needed()
    c.locator(".jp-InputPrompt").click()
    page.wait_for_function(
        "i => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')[i]"
        ".classList.contains('jp-mod-active')", arg=index)
    buttons = c.locator(".jp-cell-toolbar button, .jp-cell-toolbar .jp-ToolbarButtonComponent")
    buttons.first.wait_for(state="visible", timeout=10_000)
    label = c.locator(".nb2pipe-cell-label")
    assert label.is_visible()
    box = label.bounding_box()
    boxes = [b for b in (buttons.nth(i).bounding_box() for i in range(buttons.count())) if b]
    assert boxes, "the selected cell shows its toolbar buttons"
    covered = [b for b in boxes if _overlap(box, b)]
    assert covered == [], (box, covered)
    # Nor does the toolbar cover the label: the stage name is readable whole.
    assert label.evaluate("el => el.scrollWidth <= el.clientWidth"), label.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    c.screenshot(path=str(ARTIFACTS / f"cell-{index}-label-and-toolbar.png"))


def test_the_stage_name_field_shows_its_whole_placeholder(page):
    """The placeholder's own text measured in the field's font, against the width it has."""
    name = page.locator(f"{PANEL} input.nb2pipe-stage-name")
    fits = name.evaluate(
        """el => {
          const style = getComputedStyle(el);
          const context = document.createElement('canvas').getContext('2d');
          context.font = style.font;
          const text = context.measureText(el.placeholder).width;
          const room = el.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
          return [el.placeholder, text, room];
        }""")
    placeholder, text, room = fits
    assert placeholder == "stage name"
    assert text <= room, f"'{placeholder}' needs {text:.1f} px, the field has {room:.1f} px"


def test_after_a_run_and_a_reload_each_stage_shows_its_state_from_dvc_lock(page, lab):
    export(page)
    page.locator(".jp-toast-message, .Toastify__toast").filter(
        has_text="dvc.yaml").first.wait_for(timeout=60_000)
    page.locator(f"{PANEL} button.nb2pipe-run").click()
    page.wait_for_function(
        "() => { const s = [...document.querySelectorAll('#nb2pipe-panel .nb2pipe-stage')];"
        " return s.length === 5 && s.every(e => e.dataset.state === 'done'); }",
        timeout=300_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(PANEL).screenshot(path=str(ARTIFACTS / "panel-done-light.png"))
    assert "up to date" in dvc(lab.root, "status").stdout
    page.reload()
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputPrompt", timeout=60_000)
    page.wait_for_function(
        "() => { const s = [...document.querySelectorAll('#nb2pipe-panel .nb2pipe-stage')];"
        " return s.length === 5 && s.every(e => e.dataset.state === 'up-to-date'); }",
        timeout=60_000)
    evaluate = page.locator(f'{PANEL} .nb2pipe-stage[data-stage="evaluate"]')
    assert evaluate.locator(".nb2pipe-report-executed").count() == 1
    assert evaluate.locator(".nb2pipe-report-metrics").count() >= 1
    node = page.locator(f'{PANEL} svg.nb2pipe-graph g.nb2pipe-node[data-stage="evaluate"]')
    assert node.get_attribute("data-state") == "up-to-date"
    assert node.locator(".nb2pipe-mark").get_attribute("data-mark") == "up-to-date"
    page.locator(PANEL).screenshot(path=str(ARTIFACTS / "panel-states-light.png"))
    # A changed parameter: the stages that read it say so, the rest stay up to date.
    params = lab.root / "wine" / "params.yaml"
    params.write_text(params.read_text().replace("max_depth: 2", "max_depth: 3"))
    page.reload()
    page.wait_for_function(
        "() => document.querySelector('#nb2pipe-panel .nb2pipe-stage[data-stage=\"train\"]')"
        "?.dataset.state === 'changed'", timeout=60_000)
    states = marks(page)
    assert states["load"] == "up-to-date", states
    assert "max_depth" in page.locator(
        f'{PANEL} .nb2pipe-stage[data-stage="train"] .nb2pipe-reason').inner_text()
    evaluate.locator(".nb2pipe-report-executed").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab')]"
        ".some(t => t.textContent.includes('evaluate.ipynb'))", timeout=30_000)


def test_a_failure_leads_to_the_users_own_cell_with_the_error_beside_it(page, lab):
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="wine.ipynb").first.click()
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").wait_for()
    append_line(page, 15, 'raise ValueError("nb2pipe-boom")')
    export(page)
    wait_for_file_containing(lab.root / "wine" / "pipelines" / "wine" / "train.ipynb",
                             "nb2pipe-boom")
    page.locator(f"{PANEL} button.nb2pipe-run").click()
    page.wait_for_function(
        "() => document.querySelector('#nb2pipe-panel .nb2pipe-stage[data-stage=\"train\"]')"
        "?.dataset.state === 'failed'", timeout=300_000)
    error = cell(page, 15).locator(".nb2pipe-cell-error")
    error.wait_for(timeout=30_000)
    assert "nb2pipe-boom" in error.inner_text()
    title = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").first
    assert title.inner_text().strip() == "wine.ipynb", "the user's notebook, not the executed one"
    page.wait_for_function(
        "() => { const a = document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
        ".jp-Cell')[15]; return a && a.classList.contains('jp-mod-active'); }", timeout=30_000)
    assert error.locator(".nb2pipe-open-executed").count() == 1
    node = page.locator(f'{PANEL} svg.nb2pipe-graph g.nb2pipe-node[data-stage="train"]')
    assert node.locator(".nb2pipe-mark").get_attribute("data-mark") == "failed"
    # In the narrow panel a stage name is never cut in two: its state wraps under it instead.
    titles = page.locator(f"{PANEL} .nb2pipe-stage .nb2pipe-stage-title")
    heights = titles.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert max(heights) < 1.6 * min(heights), heights
    page.screenshot(path=str(ARTIFACTS / "failure-in-own-notebook.png"))
    page.locator(PANEL).screenshot(path=str(ARTIFACTS / "panel-failed-light.png"))
    train = page.locator(f'{PANEL} .nb2pipe-stage[data-stage="train"]')
    train.scroll_into_view_if_needed()
    assert train.locator(".nb2pipe-go-to-failure").count() == 1
    train.screenshot(path=str(ARTIFACTS / "stage-failed-light.png"))
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu").get_by_text("JupyterLab Dark", exact=True).click()
    page.wait_for_function("document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_timeout(500)
    page.locator(PANEL).screenshot(path=str(ARTIFACTS / "panel-failed-dark.png"))
    train.screenshot(path=str(ARTIFACTS / "stage-failed-dark.png"))
    page.screenshot(path=str(ARTIFACTS / "failure-in-own-notebook-dark.png"))
    error.locator(".nb2pipe-open-executed").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab')]"
        ".some(t => t.textContent.includes('train.ipynb'))", timeout=30_000)


def test_no_errors_from_the_extension_in_the_page(page_errors):
    assert page_errors.ours() == []
