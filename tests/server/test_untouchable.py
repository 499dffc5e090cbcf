"""Through a real jupyter_server: nothing is written outside the root however a symlink leads,
a generated stage notebook is never exported, odd requests get a 4xx with a message, and the
work runs off the event loop (another request is answered while a big analysis runs)."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.cli.helpers import snapshot
from tests.nbbuild import notebook

from .conftest import TWO_STAGES


@pytest.fixture
def outside(tmp_path_factory):
    return tmp_path_factory.mktemp("outside")


async def test_export_does_not_write_through_a_pipelines_link_to_outside(
        call, write_notebook, jp_root_dir, outside):
    write_notebook("work/nb.ipynb")
    (jp_root_dir / "work" / "pipelines").symlink_to(outside, target_is_directory=True)
    before = snapshot(jp_root_dir)
    status, reply = await call("export", {"path": "work/nb.ipynb", "options": {}})
    assert status == 422, reply
    assert "leads outside" in reply["message"] and "symbolic link" in reply["message"]
    assert list(outside.iterdir()) == []
    assert snapshot(jp_root_dir) == before


@pytest.mark.parametrize("name", ["dvc.yaml", "params.yaml"])
async def test_export_does_not_read_a_dvc_or_params_link_to_outside(
        call, write_notebook, jp_root_dir, outside, name):
    write_notebook("nb.ipynb")
    (outside / name).write_text("stages: {}\n" if name == "dvc.yaml" else "secret: 42\n")
    (jp_root_dir / name).symlink_to(outside / name)
    status, reply = await call("export", {"path": "nb.ipynb", "options": {}})
    assert status == 422 and f"'{name}' leads outside" in reply["message"], reply
    assert not (jp_root_dir / "pipelines").exists()


async def test_run_refuses_a_pipeline_whose_outputs_lead_outside(
        call, write_notebook, jp_root_dir, outside):
    """A stage that writes (and, before running, clears) an out through a link to outside,
    or by '..': the run is refused before anything is written or deleted."""
    write_notebook("work/nb.ipynb")
    assert (await call("export", {"path": "work/nb.ipynb"}))[0] == 200
    victim = outside / "victim_dir"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me")
    dvc = jp_root_dir / "work" / "dvc.yaml"
    dvc.write_text(dvc.read_text() + "  wipe:\n    cmd: echo hi\n    outs:\n"
                   f"      - ../../{outside.name}/victim_dir\n")
    (jp_root_dir / "work" / "data").symlink_to(outside, target_is_directory=True)
    dvc.write_text(dvc.read_text() + "  through_link:\n    cmd: echo hi > data/x\n    outs:\n"
                   "      - data/x\n")
    before = snapshot(jp_root_dir / "work")
    status, reply = await call("run", {"path": "work/nb.ipynb", "options": {}})
    assert status == 422, reply
    assert "would write outside the folder JupyterLab was started in" in reply["message"]
    assert "(stage 'wipe')" in reply["message"] and "(stage 'through_link')" in reply["message"]
    assert (victim / "precious.txt").read_text() == "keep me"
    assert sorted(p.name for p in outside.iterdir()) == ["victim_dir"]
    assert snapshot(jp_root_dir / "work") == before


async def test_a_generated_stage_notebook_is_not_exported(call, write_notebook, jp_root_dir):
    write_notebook("work/nb.ipynb")
    assert (await call("export", {"path": "work/nb.ipynb"}))[0] == 200
    before = snapshot(jp_root_dir)
    stage_nb = "work/pipelines/nb/total.ipynb"
    status, reply = await call("export", {"path": stage_nb, "options": {}})
    assert status == 422, reply
    assert "is the notebook of stage 'total' that nb2pipe generated from 'nb.ipynb'" \
        in reply["message"] and "Open 'nb.ipynb'" in reply["message"]
    assert snapshot(jp_root_dir) == before
    # The panel learns it from the analysis, to refuse Assign there too.
    status, reply = await call("analyze", {"path": stage_nb})
    assert status == 200 and reply["generated_from"] == {"notebook": "nb.ipynb",
                                                         "stage": "total"}
    status, reply = await call("analyze", {"path": "work/nb.ipynb"})
    assert reply["generated_from"] is None


def _deep_body() -> bytes:
    return b'{"path": "nb.ipynb", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.mark.parametrize("route", ["analyze", "export", "run"])
@pytest.mark.parametrize("raw,expected", [
    pytest.param(json.dumps({"path": "a" * 300 + ".ipynb"}).encode(), "longer than a file name",
                 id="name-300"),
    pytest.param(json.dumps({"path": "a" * 5000 + ".ipynb"}).encode(), "longer than a file name",
                 id="name-5000"),
    pytest.param(b'{"path": "x\\ud800.ipynb"}', "not valid Unicode", id="lone-surrogate-path"),
    pytest.param(_deep_body(), "nested too deeply", id="json-nested-100000"),
])
async def test_odd_requests_get_400_with_a_message(call, jp_root_dir, route, raw, expected):
    before = snapshot(jp_root_dir)
    status, reply = await call(route, raw=raw)
    assert status == 400, reply
    assert expected in reply["message"], reply
    assert snapshot(jp_root_dir) == before


@pytest.mark.parametrize("cells,expected", [
    pytest.param([("parameters", "x = '\ud800'"), ("stage:a", "print(x)")],
                 "not valid Unicode", id="surrogate-parameter"),
])
async def test_odd_notebooks_get_422_with_their_place(call, cells, expected):
    status, reply = await call("analyze", {"path": "nb.ipynb", "notebook": notebook(cells)})
    assert status == 422, reply
    assert expected in reply["message"], reply


async def test_an_f_string_python_cannot_write_back_is_analysed(call):
    # (the analysis once crashed on it: ast.unparse of 3.11 and a backslash in an f-string)
    cells = [("stage:a", "import pandas as pd\n"
                         "pd.set_option('display.max_rows', f\"{'\x0c'}\")")]
    status, reply = await call("analyze", {"path": "nb.ipynb", "notebook": notebook(cells)})
    assert status == 200 and reply["ok"], reply


async def test_a_second_request_is_answered_while_a_big_analysis_runs(call, jp_fetch):
    """The analysis runs in nb2pipe's worker process: the server's event loop stays free."""
    big = "\n".join(f"v{i} = {i} + v{i - 1}" if i else "v0 = 0" for i in range(40_000))
    data = notebook([("stage:a", big), ("stage:b", "print(v39999)")])
    assert (await call("analyze", {"path": "warm.ipynb", "notebook": notebook(TWO_STAGES)}))[0] \
        == 200  # the worker is up
    loop = asyncio.get_running_loop()
    analysis = asyncio.ensure_future(call("analyze", {"path": "big.ipynb", "notebook": data}))
    await asyncio.sleep(0.3)
    answered = []
    for _ in range(3):
        started = loop.time()
        response = await jp_fetch("api", "status")
        answered.append((response.code, loop.time() - started, analysis.done()))
    status, reply = await analysis
    assert status == 200 and reply["ok"], reply
    assert all(code == 200 for code, _, _ in answered)
    assert not any(done for _, _, done in answered), (
        f"the big analysis finished before the other requests: make it bigger ({answered})")


async def test_work_that_overruns_its_time_is_stopped_and_the_next_request_is_served():
    import time

    from jupyter_pipeline.server.worker import Worker

    worker = Worker()
    try:
        status, reply, _ = await worker.call(time.sleep, 30, timeout=1.0, what="the analysis")
        assert status == 503 and "took longer than 1 s and was stopped" in reply["message"]
        assert await worker.call(sum, [1, 2], timeout=60, what="the analysis") == 3
    finally:
        worker.stop()


async def test_export_keeps_a_params_value_set_outside_and_refuses_a_hand_edited_stage(
        call, write_notebook, jp_root_dir):
    write_notebook("nb.ipynb")  # parameters: n = 3
    assert (await call("export", {"path": "nb.ipynb"}))[0] == 200
    params = jp_root_dir / "params.yaml"
    params.write_text(params.read_text().replace("n: 3", "n: 30"))
    status, reply = await call("export", {"path": "nb.ipynb"})
    assert status == 200, reply
    assert reply["kept_params"] == [{"name": "n", "value": 30, "notebook_value": 3}]
    assert "n: 30" in params.read_text()
    dvc = jp_root_dir / "dvc.yaml"
    dvc.write_text(dvc.read_text().replace("  total:\n", "  total:\n    metrics:\n"
                                                         "      - m.json\n"))
    before = snapshot(jp_root_dir)
    status, reply = await call("export", {"path": "nb.ipynb", "options": {"force": False}})
    assert status == 409 and reply["paths"] == ["dvc.yaml"], reply
    assert "stage 'total' has 'metrics' added by hand" in reply["message"]
    assert snapshot(jp_root_dir) == before
    status, reply = await call("export", {"path": "nb.ipynb", "options": {"force": True}})
    assert status == 200 and "metrics" not in dvc.read_text() and "n: 3\n" in params.read_text()
