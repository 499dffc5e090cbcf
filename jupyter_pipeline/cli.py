"""Edge: the `nb2pipe` command. Parses arguments, calls one api function, prints, sets the exit
code: 0 ok, 1 a problem with the input (one message, no traceback), 2 usage."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

# nbformat imports jsonschema, whose optional IRI format checker `rfc3987_syntax` builds a parser
# at import: 1.0-1.4 s measured here, paid by every stage `dvc repro` runs, once jupyter_server
# (jsonschema[format-nongpl]) is installed. nbformat never checks IRI formats: skip that checker
# in this process (jsonschema treats the module as absent).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import __version__, api
from .analysis.analyze import Analysis
from .errors import AnalysisFailed, Nb2PipeError, PipelineFileError
from .model.diagnostics import Diagnostic


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nb2pipe",
        description="Turn a tagged Jupyter notebook into a reproducible DVC pipeline.")
    p.add_argument("--version", action="version", version=f"nb2pipe {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def headings(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--by-headings", nargs="?", const=2, type=_heading_level, metavar="LEVEL",
                         help="split an untagged notebook at markdown headings (default level 2)")

    c = sub.add_parser("convert", help="write the pipeline: dvc.yaml, params.yaml, stage files")
    c.add_argument("notebook")
    c.add_argument("-o", "--output", metavar="DIR",
                   help="folder for dvc.yaml and the stage files (default: the notebook's folder)")
    headings(c)
    c.add_argument("--force", action="store_true", help="overwrite generated files edited by hand")
    c.add_argument("--dry-run", action="store_true", help="show what would be written")
    c.add_argument("--kernel", metavar="NAME", help="Jupyter kernel the stages run with")

    s = sub.add_parser("show", help="print the analysis without writing anything")
    s.add_argument("notebook")
    headings(s)
    s.add_argument("--json", action="store_true", help="machine-readable output")

    d = sub.add_parser("dag", help="print the stage graph")
    d.add_argument("target", metavar="NOTEBOOK|DIR")
    headings(d)
    d.add_argument("--format", choices=("ascii", "mermaid", "dot"), default="ascii")

    t = sub.add_parser("tag", help="write stage tags into the notebook")
    t.add_argument("notebook")
    headings(t)
    t.add_argument("--dry-run", action="store_true")

    r = sub.add_parser("run", help="run the pipeline: only the stages whose inputs changed")
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

    v = sub.add_parser("verify", help="run notebook and pipeline, compare what they produce")
    v.add_argument("notebook")
    headings(v)
    v.add_argument("--kernel", metavar="NAME", help="Jupyter kernel for both runs")
    v.add_argument("-j", "--jobs", type=int, default=None)
    v.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="seconds any one cell may run (default: 900; 0: no limit)")

    e = sub.add_parser("exec-stage", help="run one stage notebook (the command in dvc.yaml)")
    e.add_argument("stage_notebook")
    e.add_argument("executed_notebook")
    e.add_argument("--params", default="params.yaml", metavar="FILE")
    e.add_argument("--kernel", metavar="NAME")
    return p


def _heading_level(text: str) -> int:
    """Markdown has heading levels 1-6; any other level would silently match no heading and
    turn the whole notebook into one stage."""
    try:
        level = int(text)
    except ValueError:
        level = 0
    if not 1 <= level <= 6:
        raise argparse.ArgumentTypeError(f"'{text}' is not a heading level: use 1 to 6")
    return level


def console(stderr: bool = False) -> Console:
    """A console that prints text as given: notebook names, stage names, code and paths are
    user text, and rich would otherwise read '[x]' as markup and ':a:' as an emoji. Styles are
    applied with Text objects, never by markup inside a string."""
    return Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, emoji=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "tag" and args.by_headings is None:
        # A missing option is a usage error (exit 2), not a problem with the notebook.
        parser.error("'nb2pipe tag' needs --by-headings[=LEVEL] (the only way it tags so far)")
    out, err = console(), console(stderr=True)
    try:
        return _COMMANDS[args.command](args, out)
    except AnalysisFailed as exc:
        err.print(Text.assemble(("nb2pipe:", "bold red"), f" cannot convert '{exc.path}':"))
        for d in exc.diagnostics:
            err.print(d.render(exc.path), markup=False)
        err.print("Nothing was written.", markup=False)
        return 1
    except Nb2PipeError as exc:
        err.print(f"nb2pipe: {exc}", markup=False)
        return 1
    except KeyboardInterrupt:
        err.print("nb2pipe: interrupted", markup=False)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: a message, not a traceback
        if os.environ.get("NB2PIPE_DEBUG"):
            raise
        err.print(f"nb2pipe: failed unexpectedly ({type(exc).__name__}: {exc}). This is a bug "
                  "in nb2pipe or in a tool it runs: run the command again with NB2PIPE_DEBUG=1 "
                  "for the traceback, and report it.", markup=False)
        return 1


def _print_diagnostics(console: Console, path: str, diags: Sequence[Diagnostic]) -> None:
    for d in diags:
        style = "red" if d.is_error else "yellow"
        console.print(Text(d.severity.value, style=style), d.render(path).split(": ", 1)[0] + ":",
                      d.message)


def _table(analysis: Analysis) -> Table:
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


def _convert(args: argparse.Namespace, out: Console) -> int:
    result = api.convert(args.notebook, args.output, args.by_headings, args.force,
                         args.dry_run, args.kernel)
    out.print(_table(result.analysis))
    _print_diagnostics(out, args.notebook, result.analysis.diagnostics)
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
    return 0


def kept_param_message(kept) -> str:  # noqa: ANN001 - export.params_yaml.KeptParam
    return (f"params.yaml keeps '{kept.name}: {_yaml_value(kept.value)}', set outside the "
            f"notebook (by hand or by 'dvc exp'); the notebook says "
            f"{_yaml_value(kept.notebook_value)}. The pipeline runs with "
            f"{_yaml_value(kept.value)}: change it in params.yaml, or convert with --force to "
            "take the notebook's value")


def _yaml_value(value: object) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


def _show(args: argparse.Namespace, out: Console) -> int:
    from .wire import analysis_json

    analysis = api.analyze_path(args.notebook, args.by_headings)
    if args.json:
        sys.stdout.write(json.dumps(analysis_json(analysis), indent=2) + "\n")
    else:
        out.print(_table(analysis))
        _print_diagnostics(out, args.notebook, analysis.diagnostics)
    return 0 if analysis.ok else 1


def _dag(args: argparse.Namespace, out: Console) -> int:
    from .export import dag

    target = Path(args.target)
    if target.is_dir():
        dvc = target / "dvc.yaml"
        if not dvc.exists():
            raise Nb2PipeError(f"'{target}' has no dvc.yaml. Run 'nb2pipe convert NOTEBOOK' first,"
                               " or pass the notebook.")
        edges = dag.edges_from_dvc(_dvc_stages(dvc))
    else:
        analysis = api.analyze_path(target, args.by_headings)
        if not analysis.ok:
            raise AnalysisFailed(str(target), analysis.errors)
        edges = dag.edges_of(analysis.pipeline)
    sys.stdout.write(dag.render(edges, args.format))
    return 0


def _dvc_stages(dvc: Path) -> dict:
    """The `stages` of a dvc.yaml the user may have written by hand: a file DVC would refuse
    is a message naming it, not a traceback."""
    from .export.yaml_text import YAMLError, load_safe

    try:
        data = load_safe(dvc.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise PipelineFileError(str(dvc), "is not UTF-8 text", "Save it as UTF-8") from None
    except OSError as exc:
        raise PipelineFileError(str(dvc), f"cannot be read ({exc.strerror})",
                                "Check what it is and its permissions") from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PipelineFileError(str(dvc), f"is not valid YAML{where} ({problem})",
                                "Fix it") from None
    stages = data.get("stages") if isinstance(data, dict) else None
    if not isinstance(stages, dict) or not all(isinstance(s, dict) for s in stages.values()):
        raise PipelineFileError(str(dvc), "has no 'stages' mapping of stage names to stages",
                                "Fix it, or run 'nb2pipe convert NOTEBOOK' to write one")
    return stages


def _tag(args: argparse.Namespace, out: Console) -> int:
    tagged = api.tag_by_headings(args.notebook, args.by_headings, args.dry_run)
    verb = "would tag" if args.dry_run else "tagged"
    for cell, name in tagged:
        out.print(f"{verb} cell {cell}: stage:{name}", markup=False)
    return 0


def _run(args: argparse.Namespace, out: Console) -> int:
    folder = Path(args.folder)
    stages = list(args.stages)
    if not (folder / "dvc.yaml").exists() and (Path("dvc.yaml").exists()) and args.folder != ".":
        stages.insert(0, args.folder)  # `nb2pipe run train`: a stage, not a folder
        folder = Path(".")

    from .progress import LineLog, LiveTable

    names = [] if args.dry_run else api.stage_names(folder)
    display = LiveTable(out, names) if out.is_terminal and not args.dry_run else LineLog(out)
    with display:
        result = api.run(folder, stages or None, args.jobs, args.force, args.downstream,
                         args.dry_run, args.keep_going, display)
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


def _verify(args: argparse.Namespace, out: Console) -> int:
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
    if result.problem:
        console(stderr=True).print(f"nb2pipe: {result.problem}", markup=False)
    if not result.ok and result.warnings:
        out.print("the analysis warned about:", markup=False)
        _print_diagnostics(out, args.notebook, result.warnings)
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


def _exec_stage(args: argparse.Namespace, out: Console) -> int:
    api.execute_stage(args.stage_notebook, args.executed_notebook, args.params, args.kernel)
    return 0


_COMMANDS = {"convert": _convert, "show": _show, "dag": _dag, "tag": _tag, "run": _run,
             "verify": _verify, "exec-stage": _exec_stage}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def console_main() -> None:
    """The `nb2pipe` command. After a run the interpreter's teardown waits ~0.3 s on kernel-client
    threads and sockets that have nothing left to do; every file is written and closed by now
    (atomically), so flush the terminal and leave at once."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
