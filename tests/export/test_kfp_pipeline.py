"""The Kubeflow Pipelines file (export/kfp_pipeline.py) read as Python: one component per stage
named after it, typed pipeline parameters from params.yaml, dvc.yaml's order; the kfp SDK
compiles and runs it in tests/engines."""

from __future__ import annotations

import ast

import pytest

from jupyter_pipeline.export.airflow_dag import DagError, DagOptions
from jupyter_pipeline.export.kfp_pipeline import render

from .test_airflow_dag import CMD, PARAMS, TASKS


def _functions(text: str) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}


def test_a_component_per_stage_and_typed_parameters():
    text = render("nb.ipynb", "nb", TASKS, PARAMS, DagOptions(storage="s3://b/p"))
    assert text == render("nb.ipynb", "nb", TASKS, PARAMS, DagOptions(storage="s3://b/p"))
    functions = _functions(text)
    assert list(functions) == ["stage_load", "stage_train", "stage_report", "pipeline"]
    train = functions["stage_train"]
    assert [(a.arg, ast.unparse(a.annotation)) for a in train.args.args] == [
        ("project_root", "str"), ("run_id", "str"), ("alpha", "float"), ("cols", "list")]
    pipeline = functions["pipeline"]
    assert [(a.arg, ast.unparse(a.annotation)) for a in pipeline.args.args] == [
        ("alpha", "float"), ("cols", "list")]
    assert [ast.literal_eval(d) for d in pipeline.args.defaults] == [1e-3, ["a", "b c"]]
    assert "stage_report_task.set_display_name('report').set_caching_options(False)" \
        ".after(stage_train_task).after(stage_load_task)" in text
    assert "env['NB2PIPE_STORAGE'] = 's3://b/p' + '/' + run_id" in text  # a folder per run
    assert "run_id=dsl.PIPELINE_JOB_NAME_PLACEHOLDER" in text
    assert repr(CMD.format("report") + " --kernel py-old") in text  # its params: the run's own
    assert "os.path.join(project_root, 'nb dir')" in text


def test_no_storage_no_storage_variable():
    assert "NB2PIPE_STORAGE" not in render("nb.ipynb", "nb", TASKS[:1], {})


def test_a_value_kfp_cannot_hold_is_refused():
    with pytest.raises(DagError) as err:
        render("nb.ipynb", "nb", TASKS[1:2], {"alpha": None, "cols": []})
    assert "'alpha' is None, which a KFP pipeline parameter cannot hold" in str(err.value)
