"""`nb2pipe convert` and `nb2pipe show`: the analysis as a table, then what was written."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import api
from ..analysis.analyze import Analysis
from ..export.layout import Layout
from .options import add_by_headings
from .output import print_diagnostics, yaml_value


def add_convert(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("convert", help="write the pipeline: dvc.yaml, params.yaml, stage files")
    c.add_argument("notebook")
    c.add_argument("-o", "--output", metavar="DIR",
                   help="folder for dvc.yaml and the stage files (default: the notebook's folder)")
    add_by_headings(c)
    c.add_argument("--force", action="store_true", help="overwrite generated files edited by hand")
    c.add_argument("--dry-run", action="store_true", help="show what would be written")
    c.add_argument("--kernel", metavar="NAME", help="Jupyter kernel the stages run with")
    c.set_defaults(handler=convert)


def add_show(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("show", help="print the analysis without writing anything")
    s.add_argument("notebook")
    add_by_headings(s)
    s.add_argument("--json", action="store_true", help="machine-readable output")
    s.set_defaults(handler=show)


def analysis_table(analysis: Analysis) -> Table:
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for col in ("stage", "cells", "needs", "hands on", "params", "files"):
        table.add_column(col)
    for s in analysis.pipeline.stages:
        needs = ", ".join(f"{n.name} ({n.producer})" for n in s.needs)
        files = [f"< {p}" for p in s.data_deps] + [f"< {f.path}" for f in s.file_inputs] + [
            f"> {p}" for p in s.outs]
        cells = (s.name, _ranges(s.cells), needs or "-", ", ".join(s.hands_on) or "-",
                 ", ".join(s.params) or "-", ", ".join(files) or "-")
        table.add_row(*(Text(c) for c in cells))  # user text: never markup
    return table


def _ranges(cells: Sequence[int]) -> str:
    parts, start, prev = [], None, None
    for c in cells:
        if start is None:
            start = prev = c
        elif c == prev + 1:
            prev = c
        else:
            parts.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = c
    if start is not None:
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ",".join(parts)


def convert(args: argparse.Namespace, out: Console) -> int:
    result = api.convert(args.notebook, args.output, args.by_headings, args.force,
                         args.dry_run, args.kernel)
    out.print(analysis_table(result.analysis))
    print_diagnostics(out, args.notebook, result.analysis.diagnostics)
    verb = "would write" if result.dry_run else "wrote"
    where = result.out_dir
    if result.written:
        out.print(f"{verb} {len(result.written)} file(s) in '{where}':", markup=False)
        for path in result.written:
            out.print(f"  {path}", markup=False)
    else:
        out.print(f"'{where}' is up to date: nothing to write", markup=False)
    for path in result.removed:
        out.print(f"  removed {path} (stage no longer in the notebook)", markup=False)
    if result.kernel_missing:
        out.print(Text("warning", style="yellow"), f"the stages run with the kernel "
                  f"'{result.kernel_missing}', which is not installed here: 'nb2pipe run' and "
                  "'dvc repro' cannot start them. Convert again with '--kernel NAME' "
                  "('jupyter kernelspec list' shows the installed ones)")
    for kept in result.kept_params:
        out.print(Text("note", style="yellow"), kept_param_message(kept))
    if not result.dry_run:
        out.print("next: 'dvc repro' (or 'nb2pipe run') in that folder", markup=False)
        drop = Layout(Path(args.notebook).name).exp_show_drop
        out.print(f"compare experiments: 'dvc exp show --drop \"{drop}\"' (params and metrics, "
                  "without a column per file nb2pipe generated)", markup=False)
    return 0


def kept_param_message(kept) -> str:  # noqa: ANN001 - export.params_yaml.KeptParam
    return (f"params.yaml keeps '{kept.name}: {yaml_value(kept.value)}', set outside the "
            f"notebook (by hand or by 'dvc exp'); the notebook says "
            f"{yaml_value(kept.notebook_value)}. The pipeline runs with "
            f"{yaml_value(kept.value)}: change it in params.yaml, or convert with --force to "
            "take the notebook's value")


def show(args: argparse.Namespace, out: Console) -> int:
    from ..wire import analysis_json

    from ..wire import provenance_json

    analysis = api.analyze_path(args.notebook, args.by_headings)
    if args.json:
        reply = analysis_json(analysis)
        if analysis.ok:  # where each metric comes from, with what dvc.lock recorded
            reply["provenance"] = provenance_json(
                analysis, api.metric_sources(analysis, args.notebook))
        sys.stdout.write(json.dumps(reply, indent=2) + "\n")
    else:
        out.print(analysis_table(analysis))
        print_diagnostics(out, args.notebook, analysis.diagnostics)
    return 0 if analysis.ok else 1
