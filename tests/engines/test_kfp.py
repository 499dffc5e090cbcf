"""The exported Kubeflow Pipelines (v2) pipeline, compiled with the kfp SDK and run with
kfp.local's subprocess runner, handoffs on an S3 server (moto): every stage computes what
`nb2pipe run` computes, a run's arguments reach the stages typed, and a failing stage fails the
run with the message `nb2pipe run` gives."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from jupyter_pipeline.runtime import handoff
from tests.nbbuild import notebook

from .compare import WINE, assert_same_as_nb2pipe_run, nb2pipe, ok, only_run
from .conftest import BUCKET, kfp_run
from .test_airflow import CELLS

pytestmark = pytest.mark.integration


def test_wine_on_kfp_computes_what_nb2pipe_run_computes(tmp_path, s3, monkeypatch):
    on_kfp, local = tmp_path / "kfp", tmp_path / "local"
    for project in (on_kfp, local):
        shutil.copytree(WINE, project)
    storage = f"s3://{BUCKET}/wine-kfp"
    exported = ok(nb2pipe("export", "--to", "kfp", "wine.ipynb", "--storage", storage,
                          cwd=on_kfp))
    assert "kfp/wine.py" in exported.stdout
    ok(nb2pipe("convert", "wine.ipynb", cwd=local))
    ok(nb2pipe("run", cwd=local))

    run = kfp_run(on_kfp, "wine", tmp_path / "kfp-root", s3)
    assert run.returncode == 0, run.stdout[-4000:]
    assert_same_as_nb2pipe_run(on_kfp, local, only_run(storage, s3, monkeypatch), s3,
                               monkeypatch)


def test_arguments_reach_the_stages_typed_and_a_failing_stage_fails_the_run(
        tmp_path, s3, monkeypatch):
    on_kfp, local = tmp_path / "kfp", tmp_path / "local"
    for project in (on_kfp, local):
        project.mkdir()
        (project / "typed.ipynb").write_text(json.dumps(notebook(CELLS)), encoding="utf-8")
    storage = f"s3://{BUCKET}/typed-kfp"
    ok(nb2pipe("export", "--to", "kfp", "typed.ipynb", "--storage", storage, cwd=on_kfp))
    run = kfp_run(on_kfp, "typed", tmp_path / "root-1", s3, flag=True, tol=1e-4,
                  label="three small words", cols=["x"], count=2)
    assert run.returncode == 0, run.stdout[-4000:]
    with monkeypatch.context() as m:
        for key, value in {**s3, "NB2PIPE_STORAGE": only_run(storage, s3, monkeypatch),
                           "NB2PIPE_PROJECT_ROOT": str(on_kfp)}.items():
            m.setenv(key, value)
        handoff._loaded.clear()
        seen = handoff.load(str(on_kfp / "pipelines" / "typed" / "data" / "check"), "seen")
    assert seen == {"flag": ["bool", True], "tol": ["float", 0.0001],
                    "label": ["str", "three small words"], "cols": ["list", ["x"]]}

    failed = kfp_run(on_kfp, "typed", tmp_path / "root-2", s3, count=-1)
    assert failed.returncode != 0
    ok(nb2pipe("convert", "typed.ipynb", cwd=local))
    params = local / "params.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("count: 4", "count: -1"),
                      encoding="utf-8")
    local_run = nb2pipe("run", cwd=local)
    assert local_run.returncode == 1
    message = next(line.split("nb2pipe: ", 1)[1] for line in failed.stdout.splitlines()
                   if "nb2pipe: stage" in line).strip()
    assert "count must not be negative, got -1" in message
    said = (local_run.stdout + local_run.stderr).replace(f"{local}{os.sep}", "")
    assert message in said, (message, said)
