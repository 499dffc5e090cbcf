"""The Kubeflow Pipelines (v2) pipeline of one pipeline, as the text of a Python file. Pure.

One lightweight component per stage, `stage_NAME` (KFP names a task after its component, so
one function per stage keeps the stage names; the display name is the stage's), each running the command dvc.yaml runs for the stage in the
project root, ordered by dvc.yaml's dependencies (`.after`). params.yaml's values are the
pipeline's typed parameters; a stage gets the ones it reads, written to a params file of its
own for `--params`, as the Airflow DAG does; with a storage, a run's handoffs go to
STORAGE/JOB_NAME, a folder of its own, and so do the files stages write (the task's `--pull`
and `--push`, as in the Airflow DAG). Running the file in an environment with the kfp
SDK compiles it (`python kfp/NAME.py` writes kfp/NAME.yaml); a component body stands alone (KFP
ships its source), hence each repeats the few lines that run the command.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Mapping

from .. import __version__
from .airflow_dag import (DagError, DagOptions, StageTask, _check_id, _variable,
                          command_without_params, storage_words)

if TYPE_CHECKING:
    from .engine_sweep import SweepPlan

_TYPES = {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}


def _annotation(name: str, value: Any) -> str:
    kind = _TYPES.get(type(value))
    if kind is None:
        raise DagError(f"params.yaml: '{name}' is {value!r}, which a KFP pipeline parameter "
                       "cannot hold (numbers, strings, booleans, lists and mappings can)")
    return kind


def _component(task: StageTask, function: str, options: DagOptions,
               types: Mapping[str, str], sweep: bool = False) -> list[str]:
    args = ", ".join(["project_root: str", "run_id: str", *(["folders: list"] if sweep else []),
                      *(f"{p}: {types[p]}" for p in task.params)])
    params = "{" + ", ".join(f"{json.dumps(p)}: {p}" for p in task.params) + "}"
    command = command_without_params(task) + (storage_words(task) if options.storage else "")
    lines = [
        "@dsl.component(base_image=IMAGE)",
        f"def {function}({args}):",
        f'    """Stage {task.stage!r}: its dvc.yaml command, in the project root."""',
        "    import json, os, shlex, subprocess, tempfile",
        "",
        "    env = dict(os.environ, NB2PIPE_PROJECT_ROOT=project_root)",
    ]
    if options.storage and sweep:
        # A folder per combination; a stage no swept value changes writes into each.
        lines += [f"    run = {options.storage.rstrip('/')!r} + '/' + run_id + '/'",
                  "    env['NB2PIPE_STORAGE'] = run + folders[0]",
                  "    env['NB2PIPE_STORAGE_COPIES'] = json.dumps([run + f for f in folders[1:]])"]
    elif options.storage:
        # Each run hands values on in a folder of its own: runs never mix.
        lines.append(f"    env['NB2PIPE_STORAGE'] = {options.storage.rstrip('/')!r} + '/' + run_id")
    lines.append(f"    command = {command!r}")
    if task.params:
        lines += [
            "    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:",
            f"        json.dump({params}, f)",
            "    command += ' --params ' + shlex.quote(f.name)",
        ]
    lines += [
        f"    folder = os.path.join(project_root, {task.wdir!r})",
        "    done = subprocess.run(['bash', '-c', command], cwd=folder, env=env)",
    ]
    if task.params:
        lines.append("    os.unlink(f.name)")
    lines += [
        "    if done.returncode:",
        f'        raise RuntimeError(f"stage {task.stage!r} failed (exit {{done.returncode}}): '
        'its message is above")',
    ]
    return lines


def render(notebook_name: str, name: str, tasks: list[StageTask],
           param_values: Mapping[str, Any], options: DagOptions = DagOptions(),
           sweep: SweepPlan | None = None) -> str:
    """The pipeline file; `sweep`: every combination of a sweep in one run (engine_sweep.py)."""
    _check_id("pipeline name", name)
    if sweep is not None and not options.storage:
        raise DagError("a sweep's combinations run at the same time, each with its own "
                       "handed-on values and files: give --storage (an fsspec URL)")
    used = list(dict.fromkeys(p for t in tasks for p in t.params))
    missing = [p for p in used if p not in param_values]
    if missing:
        raise DagError(f"params.yaml has no {', '.join(repr(m) for m in missing)}, which the "
                       "stages read: convert the notebook again")
    types: dict[str, str] = {}
    for p in used:
        if not p.isidentifier() or p == "project_root":
            raise DagError(f"params.yaml: '{p}' is not a Python name, which a KFP pipeline "
                           "parameter must be")
        types[p] = _annotation(p, param_values[p])
    lines = [
        f'"""Kubeflow Pipelines (v2) pipeline of the notebook {notebook_name!r}: one component per',
        "stage of its pipeline.",
        "",
        f"Written by nb2pipe {__version__} (`nb2pipe export --to kfp`). Do not edit: export again",
        "after changing the notebook (a hand-edited file is refused without --force). Compile it",
        "with the kfp SDK: `python THIS_FILE` writes the pipeline YAML beside it. The image (IMAGE)",
        "must hold nb2pipe, the notebook's libraries and this project's files at PROJECT_ROOT;",
        "without --storage, every task must see the same project folder.",
        '"""',
        "",
        "import os",
        "from pathlib import Path",
        "",
        "from kfp import compiler, dsl",
        "",
        'PROJECT_ROOT = os.environ.get("NB2PIPE_PROJECT_ROOT") or str(Path(__file__).resolve()'
        ".parents[1])",
        'IMAGE = os.environ.get("NB2PIPE_KFP_IMAGE", "python:3.11")',
        "",
    ]
    functions = {}
    for t in tasks:
        _check_id("stage name", t.stage)
        # Not the stage's bare name: a parameter of the pipeline function may have it.
        functions[t.stage] = f"stage_{_variable(t.stage)}"
        lines += ["", *_component(t, functions[t.stage], options, types, sweep is not None),
                  ""]
    signature = ", ".join(f"{p}: {types[p]} = {param_values[p]!r}" for p in used
                          if sweep is None or p not in sweep.swept)
    lines += [
        "",
        f"@dsl.pipeline(name={name.replace('_', '-').lower()!r})",
        f"def pipeline({signature}):",
    ]
    if sweep is None:
        lines += _calls(tasks, functions, None, {}, "")
    else:
        folders = [f for f, _ in sweep.combinations]
        lines += _calls([t for t in tasks if t.stage in sweep.shared], functions, folders, {},
                        "")
        for i, ((folder, values), label) in enumerate(zip(sweep.combinations, sweep.labels), 1):
            lines += ["", f"    # {label}"]
            lines += _calls([t for t in tasks if t.stage not in sweep.shared], functions,
                            [folder], dict(values), f"_{i}", label, sweep.shared)
    lines += [
        "",
        "",
        'if __name__ == "__main__":',
        "    compiler.Compiler().compile(pipeline, str(Path(__file__).with_suffix('.yaml')))",
    ]
    return "\n".join(lines) + "\n"


def _calls(tasks: list[StageTask], functions: Mapping[str, str], folders: list[str] | None,
           values: Mapping[str, Any], suffix: str, label: str = "",
           shared: frozenset[str] = frozenset()) -> list[str]:
    """The pipeline's calls of the stages' components. A sweep's (`folders` given): each
    combination's tasks are `..._task_N` with its values; a stage run once for all of them
    (`shared`) is `..._task`."""
    lines = []
    for t in tasks:
        call_args = ", ".join([
            "project_root=PROJECT_ROOT", "run_id=dsl.PIPELINE_JOB_NAME_PLACEHOLDER",
            *([f"folders={folders!r}"] if folders is not None else []),
            *(f"{p}={values[p]!r}" if p in values else f"{p}={p}" for p in t.params)])
        after = "".join(f".after({functions[u]}_task{'' if u in shared else suffix})"
                        for u in t.upstream if u in functions)
        shown = f"{t.stage} ({label})" if label else t.stage
        lines.append(f"    {functions[t.stage]}_task{suffix} = {functions[t.stage]}({call_args})")
        lines.append(f"    {functions[t.stage]}_task{suffix}.set_display_name({shown!r})"
                     f".set_caching_options(False){after}")
    return lines
