"""`nb2pipe sweep`: every combination of a grid of parameters as a DVC experiment, with one line
of progress per experiment event and a table of params and metrics at the end, best first."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .. import api
from .output import console


def _axis(text: str) -> str:
    """Syntax checked while parsing the options (exit 2); names against params.yaml later."""
    from ..experiments.grid import GridError, parse_axis

    try:
        parse_axis(text)
    except GridError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_sweep(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "sweep", help="run every combination of parameter values as a DVC experiment",
        description="Run every combination of the -S values as a DVC experiment (recorded as "
                    "'dvc exp save' records one: 'dvc exp show', 'dvc exp apply' and 'dvc exp "
                    "push' work on them), in scratch clones, so your workspace, params.yaml "
                    "and dvc.lock stay as they are. Only the stages a parameter affects run; "
                    "stages already computed (by your last run, or another combination) are "
                    "restored from DVC's cache.")
    s.add_argument("folder", nargs="?", default=".", metavar="DIR",
                   help="folder with dvc.yaml and params.yaml (default: here)")
    s.add_argument("-S", "--set-param", dest="sets", action="append", type=_axis, default=[],
                   metavar="NAME=V1,V2", required=True,
                   help="a parameter of params.yaml and its values, comma-separated, read as "
                        "'dvc exp run -S' reads them (range(a,b,step) and choice(...) too); "
                        "repeat for a grid")
    s.add_argument("-j", "--jobs", type=int, default=None,
                   help="experiments run at the same time (default: number of cores)")
    s.add_argument("--sort-by", metavar="METRIC", default=None,
                   help="order the table by this metric ('key' or 'file:key'), best first")
    s.add_argument("--sort-order", choices=("desc", "asc"), default="desc",
                   help="desc (default): the highest value is best; asc: the lowest")
    s.add_argument("--to", choices=["airflow", "kfp"], default=None,
                   help="send the sweep to an engine instead of running it here: an Airflow "
                        "DAG (dags/NAME_sweep.py) or a KFP pipeline (kfp/NAME_sweep.py) whose "
                        "one run computes every combination, each in its own storage folder "
                        "(needs --storage)")
    from .export import add_engine_options

    add_engine_options(s)
    s.set_defaults(handler=sweep)


def _printer(out: Console):
    guard = threading.Lock()

    def report(ev) -> None:  # noqa: ANN001 - experiments.sweep.SweepEvent
        head = f"[{ev.index + 1}/{ev.total}] {ev.label}:"
        if ev.state == "started":
            line = "started" + (f" (reused: {', '.join(ev.reused)})" if ev.reused else "")
        elif ev.state == "stage" and ev.detail in ("running", "failed"):
            line = f"{ev.detail} {ev.stage}"
        elif ev.state == "stage" and ev.detail == "done":
            line = f"done {ev.stage} ({ev.seconds:.1f} s)"
        elif ev.state == "saved":
            line = f"saved as experiment '{ev.name}' ({ev.seconds:.1f} s"
            line += f"; ran {', '.join(ev.ran)}" if ev.ran else "; nothing to run"
            line += ")"
        elif ev.state == "failed":
            line = f"FAILED after {ev.seconds:.1f} s: {ev.detail}"
        else:
            return
        with guard:
            out.print(f"{head} {line}", markup=False, highlight=False)

    return report


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.5g}"
    from ..experiments.grid import format_value

    return format_value(value)


def _to_engine(args: argparse.Namespace, out: Console) -> int:
    from .export import print_exported

    if args.jobs is not None or args.sort_by is not None:
        console(stderr=True).print("nb2pipe: with --to, the engine runs the combinations and "
                                   "keeps their results: -j and --sort-by are for a sweep run "
                                   "here", markup=False)
        return 2
    result = api.export_engine(
        args.folder, args.to, storage=args.storage, retries=args.retries,
        retry_delay=args.retry_delay, timeout=args.timeout, force=args.force, sweep=args.sets)
    print_exported(result, args.to, out)
    out.print("each combination's results: STORAGE/RUN_ID/COMBINATION/, laid out as the project",
              markup=False)
    return 0


def sweep(args: argparse.Namespace, out: Console) -> int:
    from ..experiments.results import best_first, metric_columns, sort_column

    if args.to is not None:
        return _to_engine(args, out)
    if args.storage is not None:
        console(stderr=True).print("nb2pipe: --storage is for a sweep sent to an engine "
                                   "(--to airflow|kfp); a sweep run here keeps everything in "
                                   "DVC's cache", markup=False)
        return 2
    err = console(stderr=True)
    result = api.sweep(Path(args.folder), args.sets, args.jobs, _printer(out))
    table = result.table
    if args.sort_by and table:
        column = sort_column(table, args.sort_by)
        if column is None:
            err.print(f"nb2pipe: warning: no metric '{args.sort_by}' to sort by; the "
                      f"experiments' metrics: {', '.join(metric_columns(table)) or 'none'}",
                      markup=False)
        else:
            table = best_first(table, column, args.sort_order == "asc")
    if table:
        grid = Table(box=None, show_edge=False, pad_edge=False)
        grid.add_column("Experiment")
        for name, _ in table[0].params:
            grid.add_column(name, justify="right")
        metrics = metric_columns(table)
        for name in metrics:
            grid.add_column(name, justify="right")
        for row in table:
            values = dict(row.metrics)
            grid.add_row(row.name, *(_cell(v) for _, v in row.params),
                         *(_cell(values[m]) if m in values else "-" for m in metrics))
        out.print(grid)
    ok = len(result.outcomes) - len(result.failed)
    out.print(f"{ok} experiment(s) saved in {result.seconds:.1f} s"
              + (f", {len(result.failed)} failed" if result.failed else "")
              + ". 'dvc exp show' lists them; 'dvc exp apply NAME' takes one into the "
                "workspace.", markup=False, highlight=False)
    if result.failed:
        for o in result.failed:
            err.print(f"nb2pipe: {o.combination.label()}: {o.problem}", markup=False)
        return 1
    return 0
