"""GET /nb2pipe/status: what the panel shows after a reload, read from dvc.lock and the executed
notebooks, against a real jupyter_server and real runs; and every reply of the API has exactly
the keys wire.py declares (which tests/test_wire_contract.py ties to types.ts)."""

from __future__ import annotations

import json

import pytest
import yaml

from jupyter_pipeline import wire

from .conftest import TWO_STAGES
from .test_handlers import _wait_for_end
from ..wire_shapes import assert_shape


@pytest.fixture
def status(jp_fetch):
    async def get(path: str):
        response = await jp_fetch("nb2pipe", "status", params={"path": path}, method="GET",
                                  raise_error=False)
        return response.code, json.loads(response.body.decode())
    return get


async def test_a_notebook_not_exported_yet_has_no_pipeline(status, write_notebook):
    write_notebook("nb.ipynb")
    code, reply = await status("nb.ipynb")
    assert code == 200, reply
    assert reply == {"notebook": "nb.ipynb", "dvc_yaml": None, "stages": [], "message": None}
    assert_shape(reply, wire.PipelineStatusReply)


async def test_a_path_outside_the_root_is_refused(status):
    code, reply = await status("../elsewhere/nb.ipynb")
    assert code == 403, reply
    assert_shape(reply, wire.ErrorBody)


@pytest.mark.integration
async def test_after_a_run_every_stage_is_up_to_date_and_links_its_reports(
        status, call, write_notebook, jp_root_dir):
    write_notebook("work/nb.ipynb", [*TWO_STAGES[:2],
                                     ("stage:total", "total = sum(numbers)"),
                                     ("metrics", "accuracy = 0.5")])
    code, exported = await call("export", {"path": "work/nb.ipynb"})
    assert code == 200, exported
    assert_shape(exported, wire.ExportReply)
    code, reply = await status("work/nb.ipynb")
    assert [(s["name"], s["state"]) for s in reply["stages"]] == [("make", "never run"),
                                                                   ("total", "never run")]
    code, started = await call("run", {"path": "work/nb.ipynb"})
    assert_shape(started, wire.RunStarted)
    final = await _wait_for_end(call, started["run_id"])
    assert_shape(final, wire.RunStatus)
    code, reply = await status("work/nb.ipynb")
    assert code == 200, reply
    assert_shape(reply, wire.PipelineStatusReply)
    assert reply["dvc_yaml"] == "work/dvc.yaml"
    by_name = {s["name"]: s for s in reply["stages"]}
    assert {s["state"] for s in reply["stages"]} == {"up to date"}, reply
    for stage in by_name.values():
        assert stage["executed_notebook"] == f"work/pipelines/nb/executed/{stage['name']}.ipynb"
        assert (jp_root_dir / stage["executed_notebook"]).is_file()
    assert by_name["total"]["metrics"], "the metrics file of the stage with the metrics cell"
    assert all((jp_root_dir / m).is_file() for m in by_name["total"]["metrics"])

    # A changed parameter: both stages read it or depend on one that does, and say why.
    params = jp_root_dir / "work" / "params.yaml"
    params.write_text(params.read_text().replace("n: 3", "n: 4"))
    code, reply = await status("work/nb.ipynb")
    states = {s["name"]: (s["state"], s["reason"]) for s in reply["stages"]}
    assert states["make"] == ("changed", "parameter 'n' changed"), states
    assert states["total"] == ("changed", "upstream stage 'make' runs"), states


@pytest.mark.integration
async def test_a_failed_stage_names_the_cell_of_the_users_notebook(status, call, write_notebook):
    write_notebook("nb.ipynb", [*TWO_STAGES[:2],
                                ("stage:total", "total = sum(numbers)"),
                                (None, "raise ValueError('bad total')")])
    assert (await call("export", {"path": "nb.ipynb"}))[0] == 200
    code, started = await call("run", {"path": "nb.ipynb"})
    final = await _wait_for_end(call, started["run_id"])
    assert final["state"] == "failed", final
    assert_shape(final, wire.RunStatus)
    code, reply = await status("nb.ipynb")
    total = next(s for s in reply["stages"] if s["name"] == "total")
    assert total["state"] == "failed", reply
    # The cell ids of the stage notebook are the user's: c3 is the 4th cell of nb.ipynb.
    assert total["error"] == {"cell_id": "c3", "ename": "ValueError", "evalue": "bad total"}
    assert total["executed_notebook"] == "pipelines/nb/executed/total.ipynb"
    make = next(s for s in reply["stages"] if s["name"] == "make")
    assert make["state"] == "up to date" and make["error"] is None


async def test_a_dvc_yaml_the_runner_refuses_is_said_in_the_message(status, write_notebook,
                                                                   jp_root_dir):
    write_notebook("nb.ipynb")
    (jp_root_dir / "dvc.yaml").write_text(yaml.safe_dump(
        {"stages": {"a": {"cmd": "true", "deps": ["missing.csv"]}}}))
    code, reply = await status("nb.ipynb")
    assert code == 200, reply
    assert reply["stages"] == [] and "missing.csv" in reply["message"], reply


async def test_a_stage_of_another_tool_has_a_state_too(status, write_notebook, jp_root_dir):
    """dvc.yaml may hold stages nb2pipe did not write: they get a state, with no reports."""
    write_notebook("nb.ipynb")
    (jp_root_dir / "dvc.yaml").write_text(yaml.safe_dump(
        {"stages": {"shell": {"cmd": "echo hi > out.txt", "outs": ["out.txt"]}}}))
    code, reply = await status("nb.ipynb")
    assert code == 200, reply
    assert reply["stages"] == [{"name": "shell", "state": "never run",
                                "reason": "no entry in dvc.lock", "executed_notebook": None,
                                "metrics": [], "plots": [], "error": None}]
