"""The exported DAG on the real Airflow (`airflow dags test`, SQLite), handoffs on an S3 server
(moto) started here: every stage computes what `nb2pipe run` computes on the same notebook, a
run's params reach the stages with their types, and a failing stage fails its task with the
message `nb2pipe run` gives."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from jupyter_pipeline.runtime import handoff
from tests.nbbuild import notebook

from .compare import WINE, assert_same_as_nb2pipe_run, nb2pipe, ok, only_run
from .conftest import BUCKET, dags_test

pytestmark = pytest.mark.integration


def test_wine_on_airflow_computes_what_nb2pipe_run_computes(tmp_path, s3, airflow_home,
                                                             monkeypatch):
    on_airflow, local = tmp_path / "airflow", tmp_path / "local"
    for project in (on_airflow, local):
        shutil.copytree(WINE, project)
    storage = f"s3://{BUCKET}/wine-run"
    exported = ok(nb2pipe("export", "--to", "airflow", "wine.ipynb", "--storage", storage,
                          cwd=on_airflow))
    assert "dags/wine.py" in exported.stdout
    ok(nb2pipe("convert", "wine.ipynb", cwd=local))
    ok(nb2pipe("run", cwd=local))

    run = dags_test(airflow_home, on_airflow, "wine", s3)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]

    assert_same_as_nb2pipe_run(on_airflow, local, only_run(storage, s3, monkeypatch), s3,
                               monkeypatch)


CELLS = [
    ("parameters", "flag = False\ntol = 1e-3\nlabel = 'two words'\ncols = ['a', 'b']\n"
                   "count = 4"),
    ("stage:check", "seen = {name: [type(value).__name__, value] for name, value in [\n"
                    "    ('flag', flag), ('tol', tol), ('label', label), ('cols', cols)]}"),
    ("stage:after", "if count < 0:\n"
                    "    raise ValueError(f'count must not be negative, got {count}')\n"
                    "total = count * len(seen)"),
]


def test_run_params_reach_the_stages_typed_and_a_failing_stage_fails_its_task(
        tmp_path, s3, airflow_home, monkeypatch):
    on_airflow, local = tmp_path / "airflow", tmp_path / "local"
    for project in (on_airflow, local):
        project.mkdir()
        (project / "typed.ipynb").write_text(json.dumps(notebook(CELLS)), encoding="utf-8")
    storage = f"s3://{BUCKET}/typed-run"
    ok(nb2pipe("export", "--to", "airflow", "typed.ipynb", "--storage", storage, "--retries",
               "0", "--timeout", "600", cwd=on_airflow))
    dag_text = (on_airflow / "dags" / "typed.py").read_text(encoding="utf-8")
    assert '"execution_timeout": timedelta(seconds=600)' in dag_text

    conf = json.dumps({"flag": True, "tol": 1e-4, "label": "three small words",
                       "cols": ["x"], "count": 2})
    run = dags_test(airflow_home, on_airflow, "typed", s3, conf)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    with monkeypatch.context() as m:
        for key, value in {**s3, "NB2PIPE_STORAGE": only_run(storage, s3, monkeypatch),
                           "NB2PIPE_PROJECT_ROOT": str(on_airflow)}.items():
            m.setenv(key, value)
        handoff._loaded.clear()
        seen = handoff.load(str(on_airflow / "pipelines" / "typed" / "data" / "check"), "seen")
    assert seen == {"flag": ["bool", True], "tol": ["float", 0.0001],
                    "label": ["str", "three small words"], "cols": ["list", ["x"]]}
    # params.yaml itself is untouched by a run's params.
    assert "count: 4" in (on_airflow / "params.yaml").read_text(encoding="utf-8")

    failed = dags_test(airflow_home, on_airflow, "typed", s3, json.dumps({"count": -1}))
    assert failed.returncode != 0

    ok(nb2pipe("convert", "typed.ipynb", cwd=local))
    params = local / "params.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("count: 4", "count: -1"),
                      encoding="utf-8")
    local_run = nb2pipe("run", cwd=local)
    assert local_run.returncode == 1
    # The task's log line: Airflow's prefix, exec-stage's stderr, Airflow's logger suffix.
    message = next(line.split("nb2pipe: ", 1)[1].split(" [airflow.", 1)[0] for line in
                   (failed.stdout + failed.stderr).splitlines() if "nb2pipe: stage" in line)
    assert "count must not be negative, got -1" in message
    # The same words; nb2pipe run names the executed notebook by its absolute path.
    said = (local_run.stdout + local_run.stderr).replace(f"{local}{os.sep}", "")
    assert "FAILED   after after" in said
    assert message in said, (message, said)
