"""The Airflow DAG text (export/airflow_dag.py), executed against stand-in Airflow classes that
record what each task is given; the real Airflow runs it in tests/engines."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import types

import jinja2
import pytest

from jupyter_pipeline.export.airflow_dag import DagError, DagOptions, StageTask, render

CMD = "nb2pipe exec-stage pipelines/nb/{0}.ipynb pipelines/nb/executed/{0}.ipynb"
TASKS = [
    StageTask("load", CMD.format("load"), ".", (), ()),
    StageTask("train", CMD.format("train"), ".", ("load",), ("alpha", "cols")),
    StageTask("report", CMD.format("report") + " --kernel py-old", "nb dir", ("train", "load"),
              ("alpha",)),
]
PARAMS = {"alpha": 1e-3, "cols": ["a", "b c"], "unused": True}


def _execute(text: str, monkeypatch) -> tuple[dict, list[dict], list[tuple[str, str]]]:
    """Run the DAG file with stand-ins for Airflow: (DAG kwargs, tasks' kwargs, edges)."""
    tasks: list[dict] = []
    edges: list[tuple[str, str]] = []
    dag: dict = {}

    class BashOperator:
        def __init__(self, **kwargs):
            self.kwargs = kwargs
            tasks.append(kwargs)

        def __rshift__(self, other):
            edges.append((self.kwargs["task_id"], other.kwargs["task_id"]))
            return other

    class DAG:
        def __init__(self, **kwargs):
            dag.update(kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    groups: list[str] = []

    class TaskGroup(DAG):  # a sweep's combination: its tasks' ids are GROUP.TASK
        def __init__(self, group_id, tooltip=""):
            self.group_id = group_id

        def __enter__(self):
            groups.append(self.group_id)
            return self

        def __exit__(self, *exc):
            groups.pop()
            return False

    class GroupedOperator(BashOperator):
        def __init__(self, **kwargs):
            if groups:
                kwargs["task_id"] = f"{groups[-1]}.{kwargs['task_id']}"
            super().__init__(**kwargs)

    bash = types.ModuleType("airflow.providers.standard.operators.bash")
    bash.BashOperator = GroupedOperator
    sdk = types.ModuleType("airflow.sdk")
    sdk.DAG = DAG
    sdk.TaskGroup = TaskGroup
    for name in ("airflow", "airflow.providers", "airflow.providers.standard",
                 "airflow.providers.standard.operators"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, bash.__name__, bash)
    monkeypatch.setitem(sys.modules, sdk.__name__, sdk)
    monkeypatch.setenv("NB2PIPE_PROJECT_ROOT", "/srv/project")
    exec(compile(text, "/srv/project/dags/nb.py", "exec"), {"__file__": "/srv/project/dags/nb.py"})
    return dag, tasks, edges


def test_the_dag_has_a_task_per_stage_with_dvc_yaml_dependencies_and_params(monkeypatch):
    text = render("nb.ipynb", "nb", TASKS, PARAMS, DagOptions(storage="s3://b/p", retries=2,
                                                              retry_delay=30, timeout=3600))
    assert text == render("nb.ipynb", "nb", TASKS, PARAMS, DagOptions(
        storage="s3://b/p", retries=2, retry_delay=30, timeout=3600))  # deterministic
    ast.parse(text)
    dag, tasks, edges = _execute(text, monkeypatch)
    assert dag["dag_id"] == "nb" and dag["schedule"] is None
    assert dag["max_active_runs"] == 16  # runs never share handoffs
    assert dag["params"] == {"alpha": 1e-3, "cols": ["a", "b c"]}  # the keys stages read
    assert dag["default_args"]["retries"] == 2
    assert dag["default_args"]["retry_delay"].total_seconds() == 30
    assert dag["default_args"]["execution_timeout"].total_seconds() == 3600
    assert [t["task_id"] for t in tasks] == ["load", "train", "report"]
    assert edges == [("load", "train"), ("train", "report"), ("load", "report")]
    for t in tasks:
        assert t["append_env"] is True  # PATH, credentials: the worker's environment is kept
        assert t["env"]["NB2PIPE_STORAGE"] == "s3://b/p/{{ run_id }}"  # a folder per run
        assert t["env"]["NB2PIPE_PROJECT_ROOT"] == "/srv/project"
    assert tasks[0]["bash_command"].endswith(CMD.format("load"))
    assert "NB2PIPE_RUN_PARAMS" not in tasks[0]["env"]
    assert tasks[2]["bash_command"].splitlines()[1] == 'cd "$NB2PIPE_PROJECT_ROOT"/\'nb dir\''
    assert tasks[2]["bash_command"].endswith(
        CMD.format("report") + ' --kernel py-old --params "$params_file"')


def test_a_runs_params_reach_the_stage_as_a_typed_params_file(monkeypatch, tmp_path):
    _, tasks, _ = _execute(render("nb.ipynb", "nb", TASKS, PARAMS), monkeypatch)
    train = tasks[1]
    # What Airflow renders for a run whose conf overrides the params.
    run_params = {"alpha": 1e-4, "cols": ["x"], "unused": False}
    env = jinja2.Environment().from_string(train["env"]["NB2PIPE_RUN_PARAMS"]).render(
        params=run_params)
    assert json.loads(env) == {"alpha": 1e-4, "cols": ["x"]}
    # The shell part writes it to the file `--params` names (the stage command replaced by a
    # printout of that file).
    script = train["bash_command"].replace('cd "$NB2PIPE_PROJECT_ROOT"/', "cd ")
    script = script.rsplit("\n", 1)[0] + '\ncat "$params_file"'
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          env={"NB2PIPE_RUN_PARAMS": env, "PATH": "/usr/bin:/bin"}, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"alpha": 1e-4, "cols": ["x"]}


def test_with_a_storage_a_task_moves_the_files_stages_write_for_each_other(monkeypatch):
    files = [StageTask("write", CMD.format("write"), ".", (), (),
                       pushes=("reports/scores.json", "pipelines/nb/executed/write.ipynb")),
             StageTask("read", CMD.format("read"), "nb dir", ("write",), ("alpha",),
                       pulls=("../reports/scores.json",),
                       pushes=("../pipelines/nb/executed/read.ipynb",))]
    _, tasks, _ = _execute(render("nb.ipynb", "nb", files, PARAMS, DagOptions("s3://b")),
                           monkeypatch)
    assert tasks[0]["bash_command"].endswith(
        CMD.format("write") + " --push reports/scores.json --push "
        "pipelines/nb/executed/write.ipynb")
    assert tasks[1]["bash_command"].endswith(
        CMD.format("read") + ' --params "$params_file" --pull ../reports/scores.json --push '
        "../pipelines/nb/executed/read.ipynb")
    # Without a storage the files stay where the stages write them: the same commands as dvc.yaml.
    _, local, _ = _execute(render("nb.ipynb", "nb", files, PARAMS), monkeypatch)
    assert local[0]["bash_command"].endswith(CMD.format("write"))
    # A stage command that is not exec-stage's cannot take the options.
    with pytest.raises(DagError, match="not the 'nb2pipe exec-stage' command"):
        render("nb.ipynb", "nb", [StageTask("a", "python a.py", ".", (), (), pushes=("x",))],
               {}, DagOptions("s3://b"))


def test_no_storage_and_default_options(monkeypatch):
    dag, tasks, _ = _execute(render("nb.ipynb", "nb", TASKS[:1], {}), monkeypatch)
    assert "NB2PIPE_STORAGE" not in tasks[0]["env"]
    assert dag["max_active_runs"] == 1  # runs share the project folder's handoffs
    assert dag["default_args"]["retries"] == 0
    assert dag["default_args"]["execution_timeout"] is None


@pytest.mark.parametrize("tasks, params, expected", [
    ([StageTask("bad name", CMD.format("a"), ".", (), ())], {}, "'bad name' is not an Airflow id"),
    ([StageTask("a", "python train.py", ".", (), ("alpha",))], {"alpha": 1},
     "not the 'nb2pipe exec-stage' command"),
    ([StageTask("a", CMD.format("a"), ".", (), ("alpha",))], {}, "params.yaml has no 'alpha'"),
    ([StageTask("a", CMD.format("a"), ".", (), ("when",))], {"when": float("nan")},
     "Airflow cannot keep as a DAG param"),
])
def test_what_cannot_be_a_dag_is_refused_with_what_to_change(tasks, params, expected):
    with pytest.raises(DagError) as err:
        render("nb.ipynb", "nb", tasks, params)
    assert expected in str(err.value)
