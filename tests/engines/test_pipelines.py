"""The exported pipeline on each real engine (Airflow's `airflow dags test`, kfp.local), every
task on a worker of its own, the storage on an S3 server (moto): each stage computes what
`nb2pipe run` computes on the same notebook, files a stage writes for a later one go through
the storage, a run's params reach the stages with their types, and a failing stage fails its
task with the message `nb2pipe run` gives."""

from __future__ import annotations

import os

import pytest

from .compare import (WINE, assert_same_as_nb2pipe_run, files_of, new_run, nb2pipe, ok,
                      projects, runs, storage_for, values, with_params)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("source", ["wine", "files"])
def test_the_engine_computes_what_nb2pipe_run_computes(source, engine, tmp_path, s3):
    on_engine, local = projects(tmp_path, engine.name, WINE if source == "wine" else None)
    storage = storage_for(tmp_path)
    exported = ok(nb2pipe("export", "--to", engine.name, f"{source}.ipynb", "--storage",
                          storage, cwd=on_engine))
    assert f"{engine.folder}/{source}.py" in exported.stdout
    ok(nb2pipe("convert", f"{source}.ipynb", cwd=local))
    ok(nb2pipe("run", cwd=local))
    exported_files = files_of(on_engine)

    run = engine.run(on_engine, source, None)
    assert run.returncode == 0, run.stdout[-6000:]

    # Each task ran in a scratch copy of the project: nothing reached the exported one, so
    # what a later stage read of an earlier one's came through the storage.
    assert files_of(on_engine) == exported_files
    results = new_run(storage, s3, set(), tmp_path / "results")
    assert_same_as_nb2pipe_run(results, local, source)


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
        engine, tmp_path, s3):
    on_engine, local = projects(tmp_path, engine.name, CELLS, "typed")
    storage = storage_for(tmp_path)
    ok(nb2pipe("export", "--to", engine.name, "typed.ipynb", "--storage", storage,
               "--retries", "0", "--timeout", "600", cwd=on_engine))
    if engine.name == "airflow":
        dag_text = (on_engine / "dags" / "typed.py").read_text(encoding="utf-8")
        assert '"execution_timeout": timedelta(seconds=600)' in dag_text

    run = engine.run(on_engine, "typed", {"flag": True, "tol": 1e-4,
                                          "label": "three small words", "cols": ["x"],
                                          "count": 2})
    assert run.returncode == 0, run.stdout[-6000:]
    results = new_run(storage, s3, set(), tmp_path / "results")
    assert values(results, "typed", "check")["seen"] == {
        "flag": ["bool", True], "tol": ["float", 0.0001],
        "label": ["str", "three small words"], "cols": ["list", ["x"]]}
    # params.yaml itself is untouched by a run's params.
    assert "count: 4" in (on_engine / "params.yaml").read_text(encoding="utf-8")

    before = runs(storage, s3)
    failed = engine.run(on_engine, "typed", {"count": -1})
    assert failed.returncode != 0
    # The failed stage's executed notebook, with its traceback, is in the storage, and says so.
    kept = new_run(storage, s3, before, tmp_path / "failed")
    executed = (kept / "pipelines" / "typed" / "executed" / "after.ipynb").read_text()
    assert "count must not be negative, got -1" in executed
    assert "its executed notebook, with the failing cell, is in 's3://" in failed.stdout

    ok(nb2pipe("convert", "typed.ipynb", cwd=local))
    with_params(local, {"count": -1})
    local_run = nb2pipe("run", cwd=local)
    assert local_run.returncode == 1
    message = engine.message(failed)
    assert "count must not be negative, got -1" in message
    # The same words; nb2pipe run names the executed notebook by its absolute path.
    said = (local_run.stdout + local_run.stderr).replace(f"{local}{os.sep}", "")
    assert "FAILED   after after" in said
    assert message in said, (message, said)


def test_a_stage_whose_input_file_is_not_in_the_storage_says_which_and_why(tmp_path, s3):
    on_engine, _ = projects(tmp_path, "airflow")
    storage = storage_for(tmp_path)
    ok(nb2pipe("export", "--to", "airflow", "files.ipynb", "--storage", storage,
               cwd=on_engine))
    # The read stage alone, as a worker whose earlier task did not run would: nothing to read.
    proc = nb2pipe("exec-stage", "pipelines/files/read.ipynb",
                   "pipelines/files/executed/read.ipynb", "--pull", "reports/scores.json",
                   cwd=on_engine, env={**s3, "NB2PIPE_STORAGE": f"{storage}/no-such-run",
                                       "NB2PIPE_PROJECT_ROOT": str(on_engine)})
    assert proc.returncode == 1
    said = proc.stderr.replace("\n", " ")
    assert "stage 'read' of 'files.ipynb' failed: 'reports/scores.json' is not in the storage" \
        in said, said
    assert "Nothing ran" in said
    assert not (on_engine / "pipelines" / "files" / "executed").exists()
    assert runs(storage, s3) == set()
    assert "Traceback" not in said
