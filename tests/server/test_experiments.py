"""The experiments view's routes on a real jupyter_server, with real DVC experiments: the
pipeline's parameters and DVC's experiments (`dvc exp show --json`), a run of one experiment
followed as a pipeline run is, and the workspace's provenance; bad requests answered 4xx."""

from __future__ import annotations

import json

import pytest

from tests.experiments.test_sweep import _project
from tests.integration import harness

from .test_handlers import _wait_for_end

pytestmark = pytest.mark.integration


@pytest.fixture
def project(jp_root_dir, monkeypatch):
    # pytest-jupyter gives the server a fresh HOME: git needs a name to commit experiments by
    for key, value in harness.GIT_ENV.items():
        monkeypatch.setenv(key, value)
    return _project(jp_root_dir / "proj")


@pytest.fixture
def shown(jp_fetch):
    """GET /nb2pipe/experiments?path=…: the status and JSON answer."""
    async def get(path: str):
        response = await jp_fetch("nb2pipe", "experiments", params={"path": path}, method="GET",
                                  raise_error=False)
        return response.code, json.loads(response.body)
    return get


def _rows(reply: dict) -> dict[str, dict]:
    return {e["name"]: e for e in reply["experiments"]}


async def test_experiments_run_from_the_panel_are_dvc_experiments(call, shown, project):
    status, reply = await shown("proj/nb.ipynb")
    assert status == 200, reply
    assert reply["params"] == [{"name": "scale", "value": 2}, {"name": "offset", "value": 1}]
    assert reply["dvc_yaml"] == "proj/dvc.yaml"
    assert _rows(reply)["workspace"]["metrics"] == {"total": 91}
    # Where the workspace's metric comes from: the stages, cells and parameter values
    [source] = reply["provenance"]
    assert source["stage"] == "score" and source["stages"] == ["make", "scaled", "score"]
    assert {(p["name"], p["value"]) for p in source["params"]} == {("scale", 2), ("offset", 1)}

    status, started = await call("experiments", {"path": "proj/nb.ipynb",
                                                 "grid": {"scale": [3], "offset": [0, 10]}})
    assert status == 202, started
    final = await _wait_for_end(call, started["run_id"], timeout=240)
    assert final["state"] == "done", final
    # one progress entry per experiment, named by its values, with DVC's name once saved
    assert sorted(s["name"] for s in final["stages"]) == ["scale=3 offset=0", "scale=3 offset=10"]
    assert all(s["state"] == "done" and s["detail"] for s in final["stages"])

    status, reply = await shown("proj/nb.ipynb")
    got = sorted((e["params"]["scale"], e["params"]["offset"], e["metrics"]["total"])
                 for e in reply["experiments"] if e["rev"] != "workspace")
    assert got == [(3, 0, 135), (3, 10, 145)]
    assert reply["metric_columns"] == ["total"]
    # DVC's own view has them, and the workspace was left as it was
    dvc_shows = json.loads(harness.run([str(harness.BIN / "dvc"), "exp", "show", "--json"],
                                       project).stdout)
    names = {e["name"] for b in dvc_shows for e in b.get("experiments") or []}
    assert {e["name"] for e in reply["experiments"]} - {"workspace"} <= names
    assert "scale: 2" in (project / "params.yaml").read_text()


@pytest.mark.parametrize("body, status, said", [
    ({"grid": {"nope": [1]}}, 422, "nope"),
    ({"grid": {"scale": []}}, 400, "one or more values"),
    ({"grid": {"scale": [{"a": 1}]}}, 400, "one or more values"),
    ({"grid": {"scale": list(range(5)), "offset": list(range(5))}}, 422, "at most 16"),
    ({"grid": {"scale": [3]}, "jobs": 0}, 400, "'jobs'"),
])
async def test_a_bad_grid_is_refused_with_a_message(call, project, body, status, said):
    got, reply = await call("experiments", {"path": "proj/nb.ipynb", **body})
    assert got == status, reply
    assert said in reply["message"]


async def test_before_export_the_view_says_what_to_do(call, shown, write_notebook):
    write_notebook("fresh/nb.ipynb")
    status, reply = await shown("fresh/nb.ipynb")
    assert status == 200 and reply["experiments"] == [] and "export" in reply["message"].lower()
    status, reply = await call("experiments", {"path": "fresh/nb.ipynb", "grid": {}})
    assert status == 422 and "dvc.yaml" in reply["message"]
