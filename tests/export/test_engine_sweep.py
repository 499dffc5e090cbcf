"""A sweep sent to an engine (export/engine_sweep.py and the DAG it renders, executed against
the stand-in Airflow classes of test_airflow_dag): the stages no swept value changes run once
for every combination and write into each combination's folder, the others once per
combination with its values; the real engines run it in tests/engines/test_sweep.py."""

from __future__ import annotations

import json

import jinja2
import pytest

from jupyter_pipeline.export.airflow_dag import DagError, DagOptions, render
from jupyter_pipeline.export.engine_sweep import plan_sweep
from jupyter_pipeline.export.kfp_pipeline import render as render_kfp

from .test_airflow_dag import PARAMS, TASKS, _execute

GRID = [{"alpha": 0.1}, {"alpha": 0.2}]
LABELS = ["alpha=0.1", "alpha=0.2"]


def test_stages_no_swept_value_changes_run_once_for_every_combination(monkeypatch):
    plan = plan_sweep(TASKS, GRID, LABELS, PARAMS)
    assert plan.shared == {"load"}  # train reads alpha; report reads it, and train's values
    assert [f for f, _ in plan.combinations] == ["alpha-0_1", "alpha-0_2"]
    text = render("nb.ipynb", "nb_sweep", TASKS, PARAMS, DagOptions("s3://b/p"), plan)
    dag, tasks, edges = _execute(text, monkeypatch)
    assert "alpha" not in dag["params"] and dag["params"]["cols"] == ["a", "b c"]
    assert [t["task_id"] for t in tasks] == [
        "load", "alpha-0_1.train", "alpha-0_1.report", "alpha-0_2.train", "alpha-0_2.report"]
    assert ("load", "alpha-0_2.train") in edges and ("alpha-0_2.train", "alpha-0_2.report") \
        in edges
    load, train = tasks[0], tasks[3]
    assert load["env"]["NB2PIPE_STORAGE"] == "s3://b/p/{{ run_id }}/alpha-0_1"
    assert json.loads(load["env"]["NB2PIPE_STORAGE_COPIES"]) == ["s3://b/p/{{ run_id }}/alpha-0_2"]
    assert train["env"]["NB2PIPE_STORAGE"] == "s3://b/p/{{ run_id }}/alpha-0_2"
    assert "NB2PIPE_STORAGE_COPIES" not in train["env"]
    # The combination's value, the run's params for the rest.
    rendered = jinja2.Environment().from_string(train["env"]["NB2PIPE_RUN_PARAMS"]).render(
        params={"cols": ["x"]})
    assert json.loads(rendered) == {"alpha": 0.2, "cols": ["x"]}


def test_the_kfp_sweep_has_a_task_per_stage_and_combination():
    plan = plan_sweep(TASKS, GRID, LABELS, PARAMS)
    text = render_kfp("nb.ipynb", "nb_sweep", TASKS, PARAMS, DagOptions("s3://b/p"), plan)
    assert "stage_load_task = stage_load(project_root=PROJECT_ROOT, " \
           "run_id=dsl.PIPELINE_JOB_NAME_PLACEHOLDER, folders=['alpha-0_1', 'alpha-0_2'])" in text
    assert "stage_train_task_2 = stage_train(project_root=PROJECT_ROOT, " \
           "run_id=dsl.PIPELINE_JOB_NAME_PLACEHOLDER, folders=['alpha-0_2'], alpha=0.2, " \
           "cols=cols)" in text
    assert "stage_report_task_2.set_display_name('report (alpha=0.2)').set_caching_options(" \
           "False).after(stage_train_task_2).after(stage_load_task)" in text
    assert "def pipeline(cols: list = ['a', 'b c']):" in text


@pytest.mark.parametrize("grid, options, expected", [
    ([{"beta": 1}], DagOptions("s3://b"), "no stage of the pipeline reads a parameter 'beta'"),
    ([{"unused": False}], DagOptions("s3://b"), "params.yaml has it, but no stage"),
    (GRID, DagOptions(), "give --storage"),
])
def test_what_cannot_be_swept_on_an_engine_is_refused(grid, options, expected):
    with pytest.raises(DagError, match=expected):
        render("nb.ipynb", "nb_sweep", TASKS, PARAMS, options,
               plan_sweep(TASKS, grid, ["x"] * len(grid), PARAMS))
