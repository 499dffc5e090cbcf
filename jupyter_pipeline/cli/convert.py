"""`nb2pipe convert` and `nb2pipe show`: the analysis as a table, then what was written."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from rich.console import Console
from rich.text import Text

from .. import api
from ..analysis.analyze import Analysis
from ..export.layout import Layout
from ..model.diagnostics import cell_number
from ..model.tags import read_tags
from .options import ExamplesFormatter, add_by_headings
from .output import print_diagnostics, yaml_value


def add_convert(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser(
        "convert", help="write the pipeline: dvc.yaml, params.yaml, stage files",
        description="Write the pipeline of a notebook tagged with 'stage:NAME' cells: dvc.yaml, "
                    "params.yaml and a stage notebook and script per stage.",
        epilog="""examples:
  nb2pipe convert wine.ipynb                  # the stages its tags say
  nb2pipe convert wine.ipynb --by-headings    # untagged: split at its headings
  nb2pipe convert wine.ipynb --by-headings=3  # split at its '###' headings
  nb2pipe convert wine.ipynb --dry-run        # say what would be written
  nb2pipe convert wine.ipynb -o pipeline/ --kernel py311""",
        formatter_class=ExamplesFormatter)
    c.add_argument("notebook", help="the .ipynb to convert")
    c.add_argument("-o", "--output", metavar="DIR",
                   help="folder for dvc.yaml and the stage files (default: the notebook's folder)")
    add_by_headings(c)
    c.add_argument("--force", action="store_true", help="overwrite generated files edited by hand")
    c.add_argument("--dry-run", action="store_true", help="show what would be written")
    c.add_argument("--kernel", metavar="NAME", help="Jupyter kernel the stages run with")
    c.set_defaults(handler=convert)


def add_show(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "show", help="print the analysis without writing anything",
        description="Print the stages, what each needs and hands on, its params and files, "
                    "and the diagnostics. Nothing is written.",
        epilog="""examples:
  nb2pipe show wine.ipynb
  nb2pipe show wine.ipynb --by-headings
  nb2pipe show wine.ipynb --json | jq '.stages[].name'""",
        formatter_class=ExamplesFormatter)
    s.add_argument("notebook", help="the .ipynb to analyse")
    add_by_headings(s)
    s.add_argument("--json", action="store_true",
                   help="machine-readable output (cells as 0-based 'cell' indices and the "
                        "1-based 'number' JupyterLab shows)")
    s.set_defaults(handler=show)


def print_stages(out: Console, analysis: Analysis) -> None:
    """A block per stage: its name and cells, then one line per kind of item (needs, hands on,
    params) and one line per file, so it reads at 80 columns and a path is never cut. Kinds
    with nothing in them are left out; a notebook without stages prints nothing."""
    width = max(40, out.width)
    for s in analysis.pipeline.stages:
        cells = _ranges(s.cells)
        word = "cell" if len(s.cells) == 1 else "cells"
        out.print(Text.assemble((s.name, "bold"), f"  ({word} {cells})" if cells else ""))
        by_producer: dict[str, list[str]] = {}
        for n in s.needs:
            by_producer.setdefault(n.producer, []).append(n.name)
        needs = [name + (f" (from {producer})" if k == len(names) - 1 else "")
                 for producer, names in by_producer.items() for k, name in enumerate(names)]
        for label, items in (("needs", needs), ("hands on", list(s.hands_on)),
                             ("params", list(s.params))):
            if items:
                for line in _wrapped(label, items, width):
                    out.print(Text(line))  # user text: never markup
        reads = list(s.data_deps) + [f.path if not f.producer else f"{f.path} (from {f.producer})"
                                     for f in s.file_inputs]
        for label, paths in (("reads", reads), ("writes", list(s.outs))):
            for k, path in enumerate(paths):
                out.print(Text(f"  {label if k == 0 else '':<{_LABEL}}{path}"))


_LABEL = 10  # "hands on" and two spaces


def _wrapped(label: str, items: list[str], width: int) -> list[str]:
    """`label` and its items joined by commas, wrapped between items (never inside one)."""
    head = line = f"  {label:<{_LABEL}}"
    lines, indent = [], " " * len(head)
    for k, item in enumerate(items):
        piece = item + ("," if k < len(items) - 1 else "")
        if line not in (head, indent) and len(line) + len(piece) > width:
            lines.append(line.rstrip())
            line = indent
        line += piece + " "
    lines.append(line.rstrip())
    return lines


def _ranges(cells: Sequence[int]) -> str:
    """"2-4,7": the cells by the numbers JupyterLab shows."""
    parts, start, prev = [], None, None
    for c in (cell_number(i) for i in cells):
        if start is None:
            start = prev = c
        elif c == prev + 1:
            prev = c
        else:
            parts.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = c
    if start is not None:
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ", ".join(parts)


def convert(args: argparse.Namespace, out: Console) -> int:
    result = api.convert(args.notebook, args.output, args.by_headings, args.force,
                         args.dry_run, args.kernel)
    print_stages(out, result.analysis)
    print_diagnostics(out, args.notebook, result.analysis.diagnostics)
    if args.by_headings is None and _untagged(result.analysis):
        out.print(Text("note", style="yellow"), untagged_message(args.notebook,
                                                                 result.analysis))
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


def _untagged(analysis: Analysis) -> bool:
    """No cell names a stage: the whole notebook became the one stage 'main'."""
    return bool(analysis.pipeline.stages) and not any(
        read_tags(c.tags).stage for c in analysis.notebook.cells)


def untagged_message(notebook: str, analysis: Analysis) -> str:
    from ..analysis.stages import heading_names, split_level

    said = (f"'{notebook}' has no stage tags, so the whole notebook is one stage "
            f"'{analysis.pipeline.stages[0].name}'. To split it into stages, ")
    level = split_level(analysis.notebook)
    if level is not None:
        count = len(heading_names(analysis.notebook, level))
        said += (f"convert with --by-headings (its level-{level} headings make {count} "
                 f"stage{'s' if count != 1 else ''}; 'nb2pipe tag --by-headings' writes them "
                 "as tags), or ")
    return said + ("tag cells 'stage:NAME' (a stage runs from its tagged cell to the next "
                   "tag; JupyterLab's Pipeline panel assigns them)")


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
        print_stages(out, analysis)
        print_diagnostics(out, args.notebook, analysis.diagnostics)
    return 0 if analysis.ok else 1
