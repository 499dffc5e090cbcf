"""A sweep sent to each real engine (`nb2pipe sweep -S ... --to airflow|kfp`): one run of the
exported DAG or pipeline computes every combination, each equal, stage for stage, to `nb2pipe
run` with those params, and the stages no swept value changes run once for all of them."""

from __future__ import annotations

import pytest

from .compare import (WINE, assert_same_as_nb2pipe_run, nb2pipe, new_run, ok, projects,
                      storage_for, with_params)

pytestmark = pytest.mark.integration


def test_each_combination_of_a_sweep_equals_nb2pipe_run_with_its_params(
        engine, workers, tmp_path, s3):
    on_engine, local = projects(tmp_path, engine.name, WINE)
    storage = storage_for(tmp_path)
    ok(nb2pipe("convert", "wine.ipynb", cwd=on_engine))
    sent = ok(nb2pipe("sweep", "-S", "n_estimators=10,20", "--to", engine.name, "--storage",
                      storage, cwd=on_engine))
    assert f"{engine.folder}/wine_sweep.py" in sent.stdout

    run = engine.run(on_engine, "wine_sweep", None)
    assert run.returncode == 0, run.stdout[-6000:]

    results = new_run(storage, s3, set(), tmp_path / "results")
    assert sorted(p.name for p in results.iterdir()) == ["n_estimators-10", "n_estimators-20"]
    # load, clean and features read no swept value: they ran once, for both combinations;
    # train and evaluate once per combination (each task had a worker, a folder, of its own).
    assert len(list((tmp_path / "workers").iterdir())) == 3 + 2 * 2

    ok(nb2pipe("convert", "wine.ipynb", cwd=local))
    for n_estimators in (10, 20):
        with_params(local, {"n_estimators": n_estimators})
        ok(nb2pipe("run", cwd=local))
        assert_same_as_nb2pipe_run(results / f"n_estimators-{n_estimators}", local, "wine")


def test_a_sweep_to_an_engine_needs_a_storage_and_a_parameter_the_stages_read(tmp_path):
    project, _ = projects(tmp_path, "airflow", WINE)
    ok(nb2pipe("convert", "wine.ipynb", cwd=project))
    no_storage = nb2pipe("sweep", "-S", "n_estimators=10,20", "--to", "airflow", cwd=project)
    assert no_storage.returncode == 1
    assert "give --storage" in no_storage.stderr
    unknown = nb2pipe("sweep", "-S", "depth=1,2", "--to", "kfp", "--storage", "s3://b/x",
                      cwd=project)
    assert unknown.returncode == 1
    assert "no stage of the pipeline reads a parameter 'depth'" in unknown.stderr
    assert "max_depth" in unknown.stderr  # what they do read
    assert not (project / "dags").exists() and not (project / "kfp").exists()
