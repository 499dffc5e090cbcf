"""`nb2pipe exec-stage`: run one stage notebook; the command each dvc.yaml stage runs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .options import ExamplesFormatter

if TYPE_CHECKING:
    from rich.console import Console


def add_exec_stage(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser(
        "exec-stage", help="run one stage notebook (the command in dvc.yaml)",
        description="Run one stage notebook with papermill, its parameters read from "
                    "params.yaml with their types. This is the command each dvc.yaml stage "
                    "runs; what the stage prints is its output.",
        epilog="""example (a stage's cmd in dvc.yaml):
  nb2pipe exec-stage pipelines/wine/train.ipynb \\
      pipelines/wine/executed/train.ipynb""",
        formatter_class=ExamplesFormatter)
    e.add_argument("stage_notebook", help="the stage notebook nb2pipe convert wrote")
    e.add_argument("executed_notebook", help="where to write it executed, with its outputs")
    e.add_argument("--params", default="params.yaml", metavar="FILE",
                   help="the params file to read the stage's parameters from "
                        "(default: params.yaml)")
    e.add_argument("--kernel", metavar="NAME",
                   help="Jupyter kernel to run it with (default: the notebook's own)")
    # An engine's task (the exported Airflow DAG, the KFP pipeline) passes these with a storage:
    # the stage's workers share nothing but the storage, so the files stages write for each
    # other go through it, as the handed-on values do.
    e.add_argument("--pull", action="append", default=[], metavar="PATH",
                   help="with NB2PIPE_STORAGE set: first download PATH, a file or folder an "
                        "earlier stage wrote, from the storage (repeatable)")
    e.add_argument("--push", action="append", default=[], metavar="PATH",
                   help="with NB2PIPE_STORAGE set: afterwards upload PATH, a file or folder "
                        "the stage wrote, to the storage (repeatable)")
    e.set_defaults(handler=exec_stage, prints_nothing=True)


def exec_stage(args: argparse.Namespace, out: Console | None) -> int:
    # papermill imports pyarrow.fs at import, only for its hdfs:// handler, and with it pyarrow
    # and numpy: ~0.4 s of the ~0.8 s papermill's import takes, paid by every stage `dvc repro`
    # or an Airflow task runs. A stage reads and writes local notebooks: skip it in this process
    # (papermill treats it as absent). The kernel is a process of its own and imports freely.
    sys.modules.setdefault("pyarrow.fs", None)  # type: ignore[arg-type]
    # Not through api, which imports the analysis (~80 ms) a stage never needs: this command
    # runs once per stage of every `dvc repro` and every engine task. api.execute_stage is this
    # same call.
    from ..runner.stage_task import run_stage_task

    run_stage_task(args.stage_notebook, args.executed_notebook, args.params, args.kernel,
                   pull=args.pull, push=args.push)
    return 0
