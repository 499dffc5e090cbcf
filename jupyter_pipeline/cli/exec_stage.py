"""`nb2pipe exec-stage`: run one stage notebook; the command each dvc.yaml stage runs."""

from __future__ import annotations

import argparse

from rich.console import Console

from .. import api
from .options import ExamplesFormatter


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
    e.set_defaults(handler=exec_stage)


def exec_stage(args: argparse.Namespace, out: Console) -> int:
    api.execute_stage(args.stage_notebook, args.executed_notebook, args.params, args.kernel)
    return 0
