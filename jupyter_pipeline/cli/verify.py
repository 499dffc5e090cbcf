"""`nb2pipe verify`: run the notebook whole and as a pipeline, and say where they differ."""

from __future__ import annotations

import argparse

from rich.console import Console

from .. import api
from .options import ExamplesFormatter, add_by_headings
from .output import console, print_diagnostics


def add_verify(sub: argparse._SubParsersAction) -> None:
    v = sub.add_parser(
        "verify", help="run notebook and pipeline, compare what they produce",
        description="Run the notebook top to bottom (twice) and as a pipeline, each in a "
                    "scratch copy of its folder, and compare cell outputs, files written, the "
                    "values handed between stages and the state each stage starts with. Where "
                    "the pipeline differs, up to 2 more top-to-bottom runs tell whether the "
                    "notebook itself varies there. Exit "
                    "0: the same; 3: the same except where the notebook itself varies between "
                    "runs; 1: they differ, or a run failed.",
        epilog="""examples:
  nb2pipe verify wine.ipynb
  nb2pipe verify wine.ipynb --by-headings
  nb2pipe verify wine.ipynb --timeout 3600 -j 2""",
        formatter_class=ExamplesFormatter)
    v.add_argument("notebook", help="the .ipynb to verify (it is not changed)")
    add_by_headings(v)
    v.add_argument("--kernel", metavar="NAME", help="Jupyter kernel for both runs")
    v.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="pipeline stages run at the same time (default: number of cores)")
    v.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="seconds any one cell may run (default: 900; 0: no limit)")
    v.set_defaults(handler=verify)


def verify(args: argparse.Namespace, out: Console) -> int:
    out.print(f"running '{args.notebook}' top to bottom (twice) and as a pipeline "
              "(in scratch copies)...", markup=False)
    result = api.verify(args.notebook, args.by_headings, args.kernel, args.jobs, args.timeout)
    for verdict in result.stages:
        if verdict.same:
            out.print(f"same       {verdict.stage}", markup=False)
        else:
            out.print(f"DIFFERENT  {verdict.stage}: {verdict.differences[0]}", markup=False)
            for more in verdict.differences[1:3]:
                out.print(f"           {more}", markup=False)
        for varying in verdict.varying[:3]:
            out.print(f"           the notebook itself differs between runs: {varying}",
                      markup=False)
        if len(verdict.varying) > 3:
            out.print(f"           (and {len(verdict.varying) - 3} more where it differs "
                      "between runs)", markup=False)
    if result.extra_runs:
        out.print(f"ran the notebook top to bottom {result.extra_runs} more time(s) to tell a "
                  "difference from the notebook's own variation", markup=False)
    if result.problem:
        console(stderr=True).print(f"nb2pipe: {result.problem}", markup=False)
    if not result.ok and result.warnings:
        out.print("the analysis warned about:", markup=False)
        print_diagnostics(out, args.notebook, result.warnings)
    if result.kept:
        out.print(f"the runs are kept in '{result.kept}': the pipeline's executed stages in "
                  f"pipeline/*/pipelines/*/executed/, the notebook's in nb-run-1.ipynb",
                  markup=False)
    if result.ok and result.varies:
        out.print("the pipeline computes what the notebook computes, except where the notebook "
                  "itself differs between runs (not compared: the parts listed above)",
                  markup=False)
    elif result.ok:
        out.print("the pipeline computes what the notebook computes", markup=False)
    return result.exit_code
