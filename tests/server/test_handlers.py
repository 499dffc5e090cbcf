"""The HTTP API the JupyterLab panel uses, against a real jupyter_server: what a browser sends,
what it gets back, and that nothing is written on any error."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

from tests.cli.helpers import snapshot
from tests.nbbuild import notebook

from .conftest import TWO_STAGES


async def test_analyze_a_saved_notebook_by_path(call, write_notebook):
    write_notebook("work/nb.ipynb")
    status, reply = await call("analyze", {"path": "work/nb.ipynb"})
    assert status == 200, reply
    assert reply["notebook"] == "work/nb.ipynb" and reply["ok"] is True
    stages = {s["name"]: s for s in reply["stages"]}
    assert stages["total"]["needs"] == [{"name": "numbers", "from": "make"}]
    assert stages["make"]["cell_ids"] == ["c0", "c1"]  # the parameters cell runs first
    assert reply["edges"] == [{"from": "make", "to": "total", "label": "numbers"}]


async def test_analyze_unsaved_content_sees_the_edit(call, write_notebook, jp_root_dir):
    data = write_notebook("nb.ipynb")
    data["cells"][2]["source"] = "total = sum(numbers) + n_extra"
    data["cells"][1]["source"] = "numbers = list(range(n))\nn_extra = 1"
    before = snapshot(jp_root_dir)
    status, reply = await call("analyze", {"path": "nb.ipynb", "notebook": data})
    assert status == 200, reply
    needs = {n["name"] for n in reply["stages"][1]["needs"]}
    assert needs == {"numbers", "n_extra"}
    assert snapshot(jp_root_dir) == before, "analysing writes nothing"


async def test_live_analysis_sees_the_notebook_s_own_modules_beside_it(call, write_notebook,
                                                                       jp_root_dir):
    # As `nb2pipe convert` does: the module is each importing stage's dependency, its globals
    # cross stages, and the names a star import of it binds are known.
    data = write_notebook("work/nb.ipynb", [
        ("stage:a", "import helpers\nhelpers.register('a')"), ("stage:b", "x = 1"),
        ("stage:c", "from helpers import *\nprint(REGISTRY)")])
    (jp_root_dir / "work" / "helpers.py").write_text(
        "REGISTRY = []\ndef register(x):\n    REGISTRY.append(x)\n", encoding="utf-8")
    for request in ({"path": "work/nb.ipynb", "notebook": data}, {"path": "work/nb.ipynb"}):
        status, reply = await call("analyze", request)
        assert status == 200, reply
        stages = {s["name"]: s for s in reply["stages"]}
        assert stages["a"]["deps"] == stages["c"]["deps"] == ["helpers.py"], request
        assert stages["c"]["needs"] == [{"name": "@module:helpers", "from": "a"}], request


async def test_live_analysis_of_a_long_notebook_answers_an_edit_quickly(call):
    """The panel posts the whole notebook on every (debounced) edit; the answer, with the
    edit's new flow in it, must come well within a typing pause."""
    cells = []
    for i in range(50):
        previous = f" + v{i - 1}" if i else ""
        cells += [(f"stage:s{i}", f"import math\nv{i} = math.sqrt({i}){previous}"),
                  (None, f"def f{i}(x):\n    return x * v{i}\n\nw{i} = [f{i}(k) for k in "
                         "range(10)]"),
                  (None, f"total{i} = sum(w{i})\nprint(total{i})"),
                  (None, f"with open('out{i}.txt', 'w') as fh:\n    fh.write(str(total{i}))")]
    data = notebook(cells)
    loop = asyncio.get_running_loop()
    assert (await call("analyze", {"path": "long.ipynb", "notebook": data}))[0] == 200
    for k in range(3):
        data["cells"][198]["source"] += f"\nextra{k} = total0 + v48"
        started = loop.time()
        status, reply = await call("analyze", {"path": "long.ipynb", "notebook": data})
        elapsed = loop.time() - started
        assert status == 200 and reply["ok"], reply["diagnostics"]
        needs = {n["name"]: n["from"] for n in reply["stages"][49]["needs"]}
        assert needs.get("total0") == "s0" and needs.get("v48") == "s48", needs
        assert elapsed < 0.5, f"analysing an edit of a 200-cell notebook took {elapsed:.2f} s"


async def test_analyze_reports_a_syntax_error_as_a_diagnostic(call, write_notebook):
    write_notebook("nb.ipynb", [("stage:a", "x = (1,\n")])
    status, reply = await call("analyze", {"path": "nb.ipynb"})
    assert status == 200 and reply["ok"] is False
    [diag] = [d for d in reply["diagnostics"] if d["severity"] == "error"]
    assert diag["code"] == "syntax-error" and diag["cell"] == 0 and diag["line"] == 1


async def test_analyze_by_headings(call, write_notebook):
    write_notebook("nb.ipynb", [(None, "# md: ## Load data"), (None, "x = 1"),
                                (None, "# md: ## Use it"), (None, "print(x)")])
    status, reply = await call("analyze", {"path": "nb.ipynb", "by_headings": 2})
    assert status == 200, reply
    assert [s["name"] for s in reply["stages"]] == ["load-data", "use-it"]


async def test_export_writes_the_pipeline_beside_the_notebook(call, write_notebook, jp_root_dir):
    write_notebook("work/nb.ipynb")
    status, reply = await call("export", {"path": "work/nb.ipynb", "options": {}})
    assert status == 200, reply
    assert reply["dvc_yaml"] == "work/dvc.yaml" and reply["out_dir"] == "work"
    assert "work/dvc.yaml" in reply["written"]
    assert "work/pipelines/nb/make.ipynb" in reply["written"]
    assert (jp_root_dir / "work" / "dvc.yaml").exists()
    assert (jp_root_dir / "work" / "pipelines" / "nb" / "total.ipynb").exists()
    status, again = await call("export", {"path": "work/nb.ipynb", "options": {"force": False}})
    assert status == 200 and again["written"] == [] and "work/dvc.yaml" in again["unchanged"]


async def test_export_with_errors_is_refused_and_writes_nothing(call, write_notebook,
                                                               jp_root_dir):
    write_notebook("nb.ipynb", [("stage:a", "x = (1,\n")])
    before = snapshot(jp_root_dir)
    status, reply = await call("export", {"path": "nb.ipynb", "options": {}})
    assert status == 422
    assert "cannot be parsed" in reply["message"] and reply["diagnostics"][0]["cell"] == 0
    assert reply["message"].startswith("nb.ipynb, cell 1, line 1"), reply["message"]
    assert snapshot(jp_root_dir) == before


async def test_export_over_a_hand_edited_file_needs_force(call, write_notebook, jp_root_dir):
    write_notebook("work/nb.ipynb")
    assert (await call("export", {"path": "work/nb.ipynb"}))[0] == 200
    edited = jp_root_dir / "work" / "pipelines" / "nb" / "make.ipynb"
    edited.write_text(edited.read_text() + " ", encoding="utf-8")
    before = snapshot(jp_root_dir)
    status, reply = await call("export", {"path": "work/nb.ipynb", "options": {"force": False}})
    assert status == 409 and reply["paths"] == ["work/pipelines/nb/make.ipynb"], reply
    assert "'work/pipelines/nb/make.ipynb' changed" in reply["message"], reply
    assert snapshot(jp_root_dir) == before
    status, reply = await call("export", {"path": "work/nb.ipynb", "options": {"force": True}})
    assert status == 200 and reply["written"] == ["work/pipelines/nb/make.ipynb"], reply


@pytest.mark.parametrize("route", ["analyze", "export", "run"])
async def test_requests_without_a_token_are_refused(call, write_notebook, jp_root_dir, route):
    write_notebook("nb.ipynb")
    before = snapshot(jp_root_dir)
    status, _ = await call(route, {"path": "nb.ipynb"}, headers={"Authorization": ""})
    assert status in (401, 403)
    assert snapshot(jp_root_dir) == before


async def test_run_status_without_a_token_is_refused(call):
    status, _ = await call("run/0123", method="GET", headers={"Authorization": ""})
    assert status in (401, 403)


@pytest.mark.parametrize("route", ["analyze", "export", "run"])
@pytest.mark.parametrize("path", ["../outside.ipynb", "work/../../outside.ipynb",
                                  "/etc/outside.ipynb", "link/outside.ipynb"])
async def test_paths_that_leave_the_root_are_refused(call, write_notebook, jp_root_dir,
                                                    tmp_path_factory, route, path):
    outside = tmp_path_factory.mktemp("outside")
    (jp_root_dir / "link").symlink_to(outside, target_is_directory=True)
    (outside / "outside.ipynb").write_text(json.dumps({"cells": [], "nbformat": 4,
                                                        "nbformat_minor": 5, "metadata": {}}))
    before, before_out = snapshot(jp_root_dir), snapshot(outside)
    status, reply = await call(route, {"path": path, "options": {}})
    assert status == 403, reply
    assert "outside the folder" in reply["message"] or "absolute path" in reply["message"]
    assert snapshot(jp_root_dir) == before and snapshot(outside) == before_out


@pytest.mark.parametrize("raw,expected", [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (b'{"path": 3}', "'path' must be a non-empty string"),
    (b'{"path": "nb.ipynb", "options": []}', "'options' must be a JSON object"),
    (b'{"path": "nb.ipynb", "options": {"force": "yes"}}', "'force' must be true or false"),
    (b'{"path": "nb.ipynb", "options": {"by_headings": 9}}', "heading level from 1 to 6"),
    (b'{"path": "data.csv"}', "is not a notebook"),
])
async def test_malformed_requests_get_400(call, write_notebook, jp_root_dir, raw, expected):
    write_notebook("nb.ipynb")
    before = snapshot(jp_root_dir)
    status, reply = await call("export", raw=raw)
    assert status == 400 and expected in reply["message"], reply
    assert snapshot(jp_root_dir) == before


async def test_live_content_that_is_not_a_notebook_gets_a_clear_message(call):
    status, reply = await call("analyze", {"path": "nb.ipynb", "notebook": {"cells": "x"}})
    assert status == 422 and "'nb.ipynb'" in reply["message"], reply


async def test_a_missing_notebook_is_404(call):
    status, reply = await call("export", {"path": "nope.ipynb"})
    assert status == 404 and "does not exist" in reply["message"]


async def test_run_without_a_pipeline_says_to_export_first(call, write_notebook, jp_root_dir):
    write_notebook("nb.ipynb")
    status, reply = await call("run", {"path": "nb.ipynb"})
    assert status == 422 and "has no dvc.yaml" in reply["message"], reply
    assert str(jp_root_dir) not in reply["message"], "the browser names files from the root"


async def test_a_pipeline_the_runner_refuses_ends_the_run_with_its_message(call, write_notebook,
                                                                           jp_root_dir):
    write_notebook("nb.ipynb")
    (jp_root_dir / "dvc.yaml").write_text(
        "stages:\n"
        "  a: {cmd: cp b.txt a.txt, deps: [b.txt], outs: [a.txt]}\n"
        "  b: {cmd: cp a.txt b.txt, deps: [a.txt], outs: [b.txt]}\n", encoding="utf-8")
    before = snapshot(jp_root_dir)
    status, reply = await call("run", {"path": "nb.ipynb"})
    assert status == 202, reply
    final = await _wait_for_end(call, reply["run_id"], timeout=30)
    assert final["state"] == "failed" and "cycle" in final["message"], final
    assert [(s["name"], s["state"]) for s in final["stages"]] == [("a", "not started"),
                                                                   ("b", "not started")]
    assert snapshot(jp_root_dir) == before


async def test_an_unknown_run_is_404(call):
    status, reply = await call("run/ffffffffffffffffffffffffffffffff", method="GET")
    assert status == 404 and "no run" in reply["message"]


async def _wait_for_end(call, run_id: str, timeout: float = 180, seen: set | None = None
                        ) -> dict:
    """The run's final state; `seen` collects each (stage, state, cell) the polls showed."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        status, reply = await call(f"run/{run_id}", method="GET")
        assert status == 200, reply
        if seen is not None:
            seen.update((s["name"], s["state"], s["cell"]) for s in reply["stages"])
        if reply["state"] != "running":
            return reply
        await asyncio.sleep(0.1)
    raise AssertionError(f"run {run_id} did not end in {timeout} s: {reply}")


@pytest.mark.integration
async def test_a_run_of_a_notebook_in_a_subfolder_finishes_every_stage(call, write_notebook,
                                                                       jp_root_dir):
    cwd = os.getcwd()
    write_notebook("work/nb.ipynb", [
        TWO_STAGES[0],
        ("stage:make", "import time\ntime.sleep(1)\nnumbers = list(range(n))"),
        (None, "with open('numbers.txt', 'w') as f:\n    f.write(str(numbers))"),
        TWO_STAGES[2]])
    assert (await call("export", {"path": "work/nb.ipynb"}))[0] == 200
    status, reply = await call("run", {"path": "work/nb.ipynb", "options": {"force": False}})
    assert status == 202, reply
    run_id = reply["run_id"]
    status, conflict = await call("run", {"path": "work/nb.ipynb"})
    assert status == 409 and conflict["run_id"] == run_id, conflict
    seen: set = set()
    final = await _wait_for_end(call, run_id, seen=seen)
    assert final["state"] == "done" and final["failure"] is None, final
    assert [(s["name"], s["state"]) for s in final["stages"]] == [("make", "done"),
                                                                   ("total", "done")]
    assert ("make", "running", "cell 1/2") in seen, "the sleeping cell was shown as running"
    assert final["stages"][0]["seconds"] >= 1
    assert (jp_root_dir / "work" / "dvc.lock").exists()
    assert (jp_root_dir / "work" / "numbers.txt").read_text() == "[0, 1, 2]"
    assert not (jp_root_dir / "numbers.txt").exists(), "the stage ran in the notebook's folder"
    assert os.getcwd() == cwd, "the server's own working folder did not change"
    status, again = await call("run", {"path": "work/nb.ipynb"})
    final = await _wait_for_end(call, again["run_id"])
    assert [s["state"] for s in final["stages"]] == ["skipped", "skipped"]


@pytest.mark.integration
async def test_a_failed_stage_points_at_its_executed_notebook_and_cell(call, write_notebook,
                                                                      jp_root_dir):
    write_notebook("nb.ipynb", [*TWO_STAGES[:2],
                                ("stage:total", "total = sum(numbers)\nraise ValueError('bad')")])
    assert (await call("export", {"path": "nb.ipynb"}))[0] == 200
    status, reply = await call("run", {"path": "nb.ipynb"})
    final = await _wait_for_end(call, reply["run_id"])
    assert final["state"] == "failed", final
    failure = final["failure"]
    assert failure["stage"] == "total" and "ValueError" in failure["message"], failure
    assert failure["executed_notebook"] == "pipelines/nb/executed/total.ipynb", failure
    cells = json.loads((jp_root_dir / failure["executed_notebook"]).read_text())["cells"]
    failing = cells[failure["cell_index"]]
    assert "raise ValueError" in "".join(failing["source"])
    assert [o["ename"] for o in failing["outputs"] if o["output_type"] == "error"] == ["ValueError"]
    assert [s["state"] for s in final["stages"]] == ["done", "failed"]
    assert str(jp_root_dir) not in json.dumps(final), "the browser names files from the root"
