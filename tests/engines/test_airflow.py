"""The exported DAG on the real Airflow (`airflow dags test`, SQLite), handoffs on an S3 server
(moto) started here: every stage computes what `nb2pipe run` computes on the same notebook, a
run's params reach the stages with their types, and a failing stage fails its task with the
message `nb2pipe run` gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_pipeline.runtime import handoff
from jupyter_pipeline.verify.compare import Paths, cell_outputs
from jupyter_pipeline.verify.values import same
from tests.nbbuild import notebook

from .conftest import BUCKET, dags_test

pytestmark = pytest.mark.integration

WINE = Path(__file__).resolve().parents[2] / "example_notebooks" / "wine"


def nb2pipe(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _outputs(project: Path, stage: str, paths: Paths) -> list[list[str]]:
    executed = project / "pipelines" / "wine" / "executed" / f"{stage}.ipynb"
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    return [cell_outputs(c.get("outputs", []), paths) for c in cells if c["cell_type"] == "code"]


def _values(project: Path, stage: str, storage: str | None, monkeypatch) -> dict:
    """A stage's handed-on values, read as a later stage reads them (from storage, when set)."""
    folder = project / "pipelines" / "wine" / "data" / stage
    with monkeypatch.context() as m:
        if storage:
            m.setenv("NB2PIPE_STORAGE", storage)
            m.setenv("NB2PIPE_PROJECT_ROOT", str(project))
        handoff._loaded.clear()
        names = handoff.remote.fetch(handoff.remote.url_of(str(folder), None)) if storage \
            else str(folder)
        index = json.loads((Path(names) / handoff.INDEX).read_text(encoding="utf-8"))
        return {n: handoff.load(str(folder), n, stand_ins=True) for n in sorted(index)}


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

    stages = ["load", "clean", "features", "train", "evaluate"]
    # Handoffs went through the storage only: no worker needs another's folder.
    assert not (on_airflow / "pipelines" / "wine" / "data").exists()
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3["AWS_ENDPOINT_URL"])
    for key, value in s3.items():
        monkeypatch.setenv(key, value)
    paths = Paths.of({str(on_airflow): "<project>", str(local): "<project>"})
    for stage in stages:
        assert _outputs(on_airflow, stage, paths) == _outputs(local, stage, paths), stage
        metrics = on_airflow / "pipelines" / "wine" / "metrics" / f"{stage}.json"
        if metrics.exists() or (local / "pipelines/wine/metrics" / f"{stage}.json").exists():
            assert json.loads(metrics.read_text()) == json.loads(
                (local / "pipelines/wine/metrics" / f"{stage}.json").read_text()), stage
        if (local / "pipelines" / "wine" / "data" / stage).exists():
            remote_values = _values(on_airflow, stage, storage, monkeypatch)
            local_values = _values(local, stage, None, monkeypatch)
            assert sorted(remote_values) == sorted(local_values), stage
            for name in local_values:
                assert same(remote_values[name], local_values[name]) is None, (stage, name)


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
        for key, value in {**s3, "NB2PIPE_STORAGE": storage,
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
