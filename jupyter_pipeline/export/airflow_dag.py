"""The Airflow DAG of one pipeline, as the text of a Python file. Pure.

One BashOperator per stage running the command dvc.yaml runs for it (`nb2pipe exec-stage`) in
the project root, the stages' dependencies those of dvc.yaml, params.yaml's values as DAG params.
With a storage, each run's handoffs go to a folder of its own (`STORAGE/RUN_ID/...`), so runs
with different params never read each other's values; without one, they share the project
folder and the DAG allows one active run. With a storage, a task also downloads the files an
earlier stage wrote that its stage reads (`--pull`) and uploads what its stage writes
(`--push`: files, executed notebook, metrics), so workers share nothing but the storage and a
run's results are in `STORAGE/RUN_ID/`. A run's params reach a stage as a params file written
for that task (JSON, which the stage reads as YAML 1.2, so `1e-3`, booleans and lists keep their
types), passed with `--params`: the stage sees exactly what `nb2pipe run` would pass it from
params.yaml. The text depends on nothing but
its inputs (no dates, no machine paths): the same pipeline gives the same bytes.
"""

from __future__ import annotations

import json
import keyword
import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from .. import __version__
from ..errors import Nb2PipeError
from ..model.stage_command import StageCommand

if TYPE_CHECKING:
    from .engine_sweep import SweepPlan

DEFAULT_RETRIES = 0
DEFAULT_RETRY_DELAY = 300  # seconds
DEFAULT_TIMEOUT = 0  # seconds a task may run; 0: no limit (a training stage may take hours)

_TASK_ID = re.compile(r"^[A-Za-z0-9_.-]+$")  # what Airflow accepts as a task or DAG id


@dataclass(frozen=True)
class StageTask:
    stage: str
    command: str  # the stage's dvc.yaml command
    wdir: str  # relative to the folder of dvc.yaml
    upstream: tuple[str, ...]  # stages of this DAG whose outputs it reads
    params: tuple[str, ...]  # the params.yaml keys it reads
    # With a storage (relative to wdir): files and folders earlier stages of this DAG write that
    # it reads, and those it writes (its executed notebook and metrics too); handoffs aside,
    # which the stage's own load and save steps move.
    pulls: tuple[str, ...] = ()
    pushes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DagOptions:
    storage: str | None = None  # fsspec URL of the handoffs (NB2PIPE_STORAGE), None: local
    retries: int = DEFAULT_RETRIES
    retry_delay: int = DEFAULT_RETRY_DELAY
    timeout: int = DEFAULT_TIMEOUT


class DagError(Nb2PipeError):
    """The pipeline cannot be written as an Airflow DAG; the message says what to change."""


def dag_id(notebook_name: str) -> str:
    stem = notebook_name.rsplit(".", 1)[0]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.-") or "notebook"


def run_command(task: StageTask) -> str:
    """The task's command: the stage's own, its params file replaced by this run's."""
    if not task.params:
        return task.command
    return f'{command_without_params(task)} --params "$params_file"'


def storage_words(task: StageTask) -> str:
    """The exec-stage options moving the task's files through the storage (` --pull A ...`)."""
    if not (task.pulls or task.pushes):
        return ""
    _exec_stage(task)  # options of exec-stage: only after its command
    words = [w for p in task.pulls for w in ("--pull", p)]
    words += [w for p in task.pushes for w in ("--push", p)]
    return " " + shlex.join(words)


def command_without_params(task: StageTask) -> str:
    """The stage's command without its params file, for a run to name its own."""
    if not task.params:
        return task.command
    parsed = _exec_stage(task)
    return StageCommand(parsed.notebook, parsed.executed, kernel=parsed.kernel).render()


def _exec_stage(task: StageTask) -> StageCommand:
    parsed = StageCommand.parse(task.command)
    if parsed is None:
        raise DagError(f"stage '{task.stage}' in dvc.yaml runs '{task.command}', not the "
                       "'nb2pipe exec-stage' command nb2pipe wrote: convert the notebook again "
                       "(or with --force, to drop the change by hand)")
    return parsed


def _literal(value: Any, where: str) -> str:
    """A params.yaml value as a Python literal (JSON types only: Airflow keeps params as JSON)."""
    try:
        return repr(json.loads(json.dumps(value, allow_nan=False)))
    except (TypeError, ValueError):
        raise DagError(f"params.yaml: '{where}' is {value!r}, which Airflow cannot keep as a "
                       "DAG param (numbers, strings, booleans, null, lists and mappings can)"
                       ) from None


def _check_id(kind: str, value: str) -> None:
    if not _TASK_ID.match(value) or len(value) > 250:
        raise DagError(f"the {kind} '{value}' is not an Airflow id (letters, digits, '_', "
                       "'-' and '.'; at most 250): rename it (tag 'stage:NEW_NAME')")


def render(notebook_name: str, dag: str, tasks: list[StageTask],
           param_values: Mapping[str, Any], options: DagOptions = DagOptions(),
           sweep: SweepPlan | None = None) -> str:
    """The DAG file. `tasks` in dvc.yaml's order; `param_values` from params.yaml. `sweep`:
    the DAG of a sweep (engine_sweep.py), every combination in one run."""
    _check_id("DAG id", dag)
    for t in tasks:
        _check_id("stage name", t.stage)
    used = list(dict.fromkeys(p for t in tasks for p in t.params))
    missing = [p for p in used if p not in param_values]
    if missing:
        raise DagError(f"params.yaml has no {', '.join(repr(m) for m in missing)}, which the "
                       "stages read: convert the notebook again")
    if sweep is not None and not options.storage:
        raise DagError("a sweep's combinations run at the same time, each with its own "
                       "handed-on values and files: give --storage (an fsspec URL, or an "
                       "absolute folder when every task runs on this machine)")
    what = "one task per stage of its pipeline" if sweep is None else \
        f"the sweep of {len(sweep.combinations)} combinations of {', '.join(sweep.swept)}"
    lines = [
        f'"""Airflow DAG of the notebook {notebook_name!r}: {what}.',
        "",
        f"Written by nb2pipe {__version__} (`nb2pipe {'export' if sweep is None else 'sweep'} "
        "--to airflow`). Do not edit: export",
        "again after changing the notebook (a hand-edited file is refused without --force).",
        "Each task runs the stage's dvc.yaml command in the project root; the DAG params are",
        "params.yaml's values, overridable per run (airflow dags trigger -c '{\"name\": value}').",
        "Workers need nb2pipe and the notebook's libraries, this project's files (at",
        "NB2PIPE_PROJECT_ROOT, by default the folder above this file's) and, for the storage,",
        "its credentials (e.g. AWS_* for s3://). With a storage, each run's handed-on values,",
        "files, executed notebooks and metrics are in STORAGE/RUN_ID/, laid out as in the project.",
        *([] if sweep is None else [
            "A sweep's run holds a folder per combination, STORAGE/RUN_ID/COMBINATION/; the",
            "stages no swept value changes run once and write a copy into each."]),
        '"""',
        "",
        "import json",
        "import os",
        "import shlex",
        "from datetime import timedelta",
        "from pathlib import Path",
        "",
        "from airflow.providers.standard.operators.bash import BashOperator",
        "from airflow.sdk import DAG" + ("" if sweep is None else ", TaskGroup"),
        "",
        'PROJECT_ROOT = os.environ.get("NB2PIPE_PROJECT_ROOT") or str(Path(__file__).resolve()'
        ".parents[1])",
        f"STORAGE = {options.storage!r}  # where tasks hand values on (None: the project folder)",
        "",
        "# A run's params reach the stage as a params file of its own, which `--params` names.",
        "WRITE_PARAMS = (",
        '    "params_file=$(mktemp)\\n"',
        '    "trap \'rm -f \\"$params_file\\"\' EXIT\\n"',
        '    "printf \'%s\' \\"$NB2PIPE_RUN_PARAMS\\" > \\"$params_file\\"\\n"',
        ")",
        "",
        *(_plain_stage_task() if sweep is None else _sweep_stage_task(sweep, param_values)),
        "",
        "",
        "with DAG(",
        f"    dag_id={dag!r},",
        "    schedule=None,",
        "    params={",
        *(f"        {p!r}: {_literal(param_values[p], p)}," for p in used
          if sweep is None or p not in sweep.swept),
        "    },",
        "    default_args={",
        f'        "retries": {options.retries},',
        f'        "retry_delay": timedelta(seconds={options.retry_delay}),',
        f'        "execution_timeout": '
        f"{f'timedelta(seconds={options.timeout})' if options.timeout else 'None'},",
        "    },",
        "    # Without a storage, runs share the project folder's handoffs: one run at a time.",
        f"    max_active_runs={16 if options.storage else 1},",
        '    tags=["nb2pipe"],',
        "):",
    ]
    names: dict[str, str] = {}
    for i, t in enumerate(tasks):
        name = _variable(t.stage)
        names[t.stage] = name if name not in names.values() else f"stage_{i}"
    once = [t for t in tasks if sweep is None or t.stage in sweep.shared]
    lines += _task_lines(once, names, options, "    ", "")
    if sweep is not None:
        each = [t for t in tasks if t.stage not in sweep.shared]
        lines += ["", "    for combination in COMBINATIONS:",
                  "        with TaskGroup(combination, tooltip=LABELS[combination]):"]
        lines += _task_lines(each, names, options, "            ", ", combination=combination",
                             edges=False)
        lines += [f"        {names[u]} >> {names[t.stage]}" for t in each for u in t.upstream
                  if u in names]
    return "\n".join(lines) + "\n"


def _task_lines(tasks: list[StageTask], names: Mapping[str, str], options: DagOptions,
                indent: str, extra: str, edges: bool = True) -> list[str]:
    lines = []
    for t in tasks:
        args = [repr(t.stage), repr(run_command(t))]
        if t.wdir != ".":
            args.append(f"wdir={t.wdir!r}")
        if t.params:
            args.append(f"params={list(t.params)!r}")
        if options.storage and (t.pulls or t.pushes):
            storage_words(t)  # refuses a command that is not exec-stage's
            args += [f"pull={list(t.pulls)!r}"] if t.pulls else []
            args += [f"push={list(t.pushes)!r}"] if t.pushes else []
        lines.append(f"{indent}{names[t.stage]} = stage_task({', '.join(args)}{extra})")
    if not edges:
        return lines
    pairs = [(u, t.stage) for t in tasks for u in t.upstream if u in names]
    return lines + ([""] if pairs else []) + [f"{indent}{names[u]} >> {names[d]}"
                                              for u, d in pairs]


def _plain_stage_task() -> list[str]:
    return [
        "",
        "def stage_task(stage, command, wdir=\".\", params=(), pull=(), push=()):",
        '    """One stage: its dvc.yaml command, run where dvc.yaml is, with this run\'s params."""',
        '    env = {"NB2PIPE_PROJECT_ROOT": PROJECT_ROOT}',
        "    if STORAGE:  # each run hands values on in a folder of its own: runs never mix",
        '        env["NB2PIPE_STORAGE"] = STORAGE.rstrip("/") + "/{{ run_id }}"',
        "        # The files stages write for each other (and the run's results) go there too.",
        '        command += "".join(f" --pull {shlex.quote(p)}" for p in pull)',
        '        command += "".join(f" --push {shlex.quote(p)}" for p in push)',
        '    script = f"set -e\\ncd \\"$NB2PIPE_PROJECT_ROOT\\"/{shlex.quote(wdir)}\\n"',
        "    if params:  # rendered by Airflow for each run: {\"name\": value, ...}",
        '        env["NB2PIPE_RUN_PARAMS"] = "{" + ", ".join(',
        "            f'{json.dumps(p)}: {{{{ params[{p!r}] | tojson }}}}' for p in params) + \"}\"",
        "        script += WRITE_PARAMS",
        "    return BashOperator(task_id=stage, bash_command=script + command, env=env,",
        "                        append_env=True)",
    ]


def _sweep_stage_task(sweep: SweepPlan, param_values: Mapping[str, Any]) -> list[str]:
    return [
        "# The sweep: each combination's values (they override params.yaml's) and its storage",
        "# folder, STORAGE/RUN_ID/COMBINATION.",
        "COMBINATIONS = {",
        *(f"    {folder!r}: {{{', '.join(f'{n!r}: {_literal(v, n)}' for n, v in values)}}},"
          for folder, values in sweep.combinations),
        "}",
        "LABELS = {",
        *(f"    {folder!r}: {label!r}," for (folder, _), label in
          zip(sweep.combinations, sweep.labels)),
        "}",
        "",
        "",
        "def stage_task(stage, command, wdir=\".\", params=(), pull=(), push=(), "
        "combination=None):",
        '    """One stage: its dvc.yaml command, run where dvc.yaml is, with this run\'s params',
        "    and `combination`'s values; without one, a stage no swept value changes: run once,",
        '    its results copied into every combination\'s folder."""',
        '    run = STORAGE.rstrip("/") + "/{{ run_id }}/"',
        "    folders = [combination] if combination else list(COMBINATIONS)",
        '    env = {"NB2PIPE_PROJECT_ROOT": PROJECT_ROOT, "NB2PIPE_STORAGE": run + folders[0]}',
        "    if folders[1:]:",
        '        env["NB2PIPE_STORAGE_COPIES"] = json.dumps([run + f for f in folders[1:]])',
        "    # The files stages write for each other (and the run's results) go there too.",
        '    command += "".join(f" --pull {shlex.quote(p)}" for p in pull)',
        '    command += "".join(f" --push {shlex.quote(p)}" for p in push)',
        '    script = f"set -e\\ncd \\"$NB2PIPE_PROJECT_ROOT\\"/{shlex.quote(wdir)}\\n"',
        "    values = COMBINATIONS.get(combination, {})",
        "    if params:  # rendered by Airflow for each run: {\"name\": value, ...}",
        '        env["NB2PIPE_RUN_PARAMS"] = "{" + ", ".join(',
        "            f'{json.dumps(p)}: ' + (",
        "                '{% raw %}' + json.dumps(values[p]) + '{% endraw %}' if p in values",
        "                else f'{{{{ params[{p!r}] | tojson }}}}') for p in params) + \"}\"",
        "        script += WRITE_PARAMS",
        "    return BashOperator(task_id=stage, bash_command=script + command, env=env,",
        "                        append_env=True)",
    ]


_TAKEN = frozenset({"json", "os", "shlex", "timedelta", "Path", "BashOperator", "DAG",
                    "stage_task", "PROJECT_ROOT", "STORAGE", "WRITE_PARAMS", "TaskGroup",
                    "COMBINATIONS", "LABELS", "combination"})


def _variable(stage: str) -> str:
    """The stage's name as the DAG file's variable for its task (readable `a >> b` lines)."""
    name = re.sub(r"\W", "_", stage)
    if not name.isidentifier() or keyword.iskeyword(name) or name in _TAKEN:
        name = f"stage_{name}"
    return name if name.isidentifier() else "stage_"
