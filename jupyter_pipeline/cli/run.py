"""`nb2pipe run`: run the stages whose inputs changed, with live progress."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from .. import api
from .options import ExamplesFormatter
from .output import console


def add_run(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser(
        "run", help="run the pipeline: only the stages whose inputs changed",
        description="Run the pipeline of dvc.yaml without DVC: only the stages whose command, "
                    "deps, params or outs changed, independent ones in parallel. Reads and "
                    "writes dvc.lock and DVC's cache as 'dvc repro' does.",
        epilog="""examples:
  nb2pipe run                      # the pipeline in this folder
  nb2pipe run pipeline/            # the one in pipeline/
  nb2pipe run train                # stage train and what it needs
  nb2pipe run train --downstream   # train and every stage after it
  nb2pipe run --force evaluate     # run evaluate even if nothing changed
  nb2pipe run --dry-run            # say what would run and why""",
        formatter_class=ExamplesFormatter)
    r.add_argument("folder", nargs="?", default=".", metavar="DIR",
                   help="folder with dvc.yaml (default: here)")
    r.add_argument("stages", nargs="*", metavar="STAGE", help="run these (and what they need)")
    r.add_argument("-j", "--jobs", type=int, default=None,
                   help="stages run at the same time (default: number of cores)")
    r.add_argument("--force", action="store_true", help="run even if nothing changed")
    r.add_argument("--downstream", action="store_true",
                   help="with STAGE: also run the stages after it")
    r.add_argument("--dry-run", action="store_true", help="say what would run and why")
    r.add_argument("--keep-going", action="store_true",
                   help="after a failure, finish the stages that do not depend on it")
    r.set_defaults(handler=run)


def run(args: argparse.Namespace, out: Console) -> int:
    folder = Path(args.folder)
    stages = list(args.stages)
    if not (folder / "dvc.yaml").exists() and (Path("dvc.yaml").exists()) and args.folder != ".":
        stages.insert(0, args.folder)  # `nb2pipe run train`: a stage, not a folder
        folder = Path(".")

    from ..progress import LineLog, LiveTable

    names = [] if args.dry_run else api.stage_names(folder)
    display = LiveTable(out, names) if out.is_terminal and not args.dry_run else LineLog(out)
    with display:
        result = api.run(folder, stages or None, args.jobs, args.force, args.downstream,
                         args.dry_run, args.keep_going, display)
        decided = {d.stage for d in result.decisions}
        display.not_selected([n for n in names if n not in decided])
    err = console(stderr=True)
    for w in result.warnings:
        err.print(f"nb2pipe: warning: {w}", markup=False)
    if args.dry_run:
        for d in result.decisions:
            verb = "would run" if d.run else "skip"
            out.print(f"{verb:9} {d.stage}: {d.reason}", markup=False)
        return 0
    if result.failed:
        err.print(f"nb2pipe: {len(result.failed)} stage(s) failed: {', '.join(result.failed)}. "
                  "Stages that succeeded keep their outputs and dvc.lock entries.", markup=False)
        return 1
    ran = sum(1 for d in result.decisions if d.run)
    out.print(f"{ran} stage(s) ran, {len(result.decisions) - ran} up to date", markup=False)
    return 0
