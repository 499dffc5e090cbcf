"""`nb2pipe dag`: the stage graph of a notebook or of a folder's dvc.yaml."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

from .. import api
from ..errors import AnalysisFailed, Nb2PipeError, PipelineFileError
from .options import ExamplesFormatter, add_by_headings


def add_dag(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser(
        "dag", help="print the stage graph",
        description="Print the stage graph of a notebook, or of the dvc.yaml in a folder.",
        epilog="""examples:
  nb2pipe dag wine.ipynb
  nb2pipe dag .                          # the dvc.yaml here
  nb2pipe dag wine.ipynb --format mermaid > pipeline.mmd
  nb2pipe dag wine.ipynb --format dot | dot -Tsvg > pipeline.svg""",
        formatter_class=ExamplesFormatter)
    d.add_argument("target", metavar="NOTEBOOK|DIR",
                   help="a notebook, or a folder with dvc.yaml")
    add_by_headings(d)
    d.add_argument("--format", choices=("ascii", "mermaid", "dot"), default="ascii",
                   help="ascii: a line per stage with what it gets from which stage (default); "
                        "mermaid or dot (Graphviz): for a diagram")
    d.set_defaults(handler=dag_command)


def dag_command(args: argparse.Namespace, out: Console) -> int:
    from ..export import dag

    target = Path(args.target)
    if target.is_dir():
        dvc = target / "dvc.yaml"
        if not dvc.exists():
            raise Nb2PipeError(f"'{target}' has no dvc.yaml. Run 'nb2pipe convert NOTEBOOK' first,"
                               " or pass the notebook.")
        edges = dag.edges_from_dvc(dvc_stages(dvc))
    else:
        analysis = api.analyze_path(target, args.by_headings)
        if not analysis.ok:
            raise AnalysisFailed(str(target), analysis.errors)
        edges = dag.edges_of(analysis.pipeline)
    sys.stdout.write(dag.render(edges, args.format))
    return 0


def dvc_stages(dvc: Path) -> dict:
    """The `stages` of a dvc.yaml the user may have written by hand: a file DVC would refuse
    is a message naming it, not a traceback."""
    from ..export.yaml_text import YAMLError, load_safe

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
