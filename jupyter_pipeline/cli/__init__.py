"""Edge: the `nb2pipe` command. Parses arguments, calls one api function, prints, sets the exit
code: 0 ok, 1 a problem with the input (one message, no traceback), 2 usage. Each command lives
in its own module here: `add_<command>(sub)` declares its options, its handler prints."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Sequence

# nbformat imports jsonschema, whose optional IRI format checker `rfc3987_syntax` builds a parser
# at import: 1.0-1.4 s measured here, paid by every stage `dvc repro` runs, once jupyter_server
# (jsonschema[format-nongpl]) is installed. nbformat never checks IRI formats: skip that checker
# in this process (jsonschema treats the module as absent).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from rich.text import Text

from .. import __version__
from ..errors import AnalysisFailed, Nb2PipeError
from .convert import add_convert, add_show
from .dag import add_dag
from .exec_stage import add_exec_stage
from .options import ExamplesFormatter, choose_heading_level
from .export import add_export
from .output import console
from .run import add_run
from .sweep import add_sweep
from .tag import add_tag
from .verify import add_verify

# The order `nb2pipe --help` lists the commands in.
_COMMANDS = (add_convert, add_show, add_dag, add_tag, add_run, add_sweep, add_verify,
             add_exec_stage, add_export)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="nb2pipe",
        description="Turn a tagged Jupyter notebook into a reproducible DVC pipeline.",
        epilog="""examples:
  nb2pipe show wine.ipynb        # the stages its 'stage:NAME' tags make
  nb2pipe convert wine.ipynb     # write dvc.yaml, params.yaml and the stage notebooks
  nb2pipe run                    # run them (or: dvc repro)
  nb2pipe verify wine.ipynb      # check the pipeline computes what the notebook does
'nb2pipe COMMAND --help' shows a command's options and examples.""",
        formatter_class=ExamplesFormatter)
    p.add_argument("--version", action="version", version=f"nb2pipe {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in _COMMANDS:
        add(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "needs_by_headings", False) and args.by_headings is None:
        # A missing option is a usage error (exit 2), not a problem with the notebook.
        parser.error("'nb2pipe tag' needs --by-headings[=LEVEL] (the only way it tags so far)")
    out, err = console(), console(stderr=True)
    # nbclient and jupyter_client log through traitlets' logger ("Kernel died while waiting for
    # execute reply." when nb2pipe stops a kernel itself); what matters of it reaches the user
    # as nb2pipe's own message, naming the stage and cell.
    logging.getLogger("traitlets").setLevel(logging.CRITICAL)
    try:
        choose_heading_level(args, err)
        return args.handler(args, out)
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


def console_main() -> None:
    """The `nb2pipe` command. After a run the interpreter's teardown waits ~0.3 s on kernel-client
    threads and sockets that have nothing left to do; every file is written and closed by now
    (atomically), so flush the terminal and leave at once."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
