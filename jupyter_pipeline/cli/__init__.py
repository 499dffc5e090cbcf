"""Edge: the `nb2pipe` command. Parses arguments, calls one api function, prints, sets the exit
code: 0 ok, 1 a problem with the input (one message, no traceback), 2 usage. Each command lives
in its own module here: `add_<command>(sub)` declares its options, its handler prints.

A command's module is imported only when that command runs (or for `nb2pipe --help`, which
lists them all): `nb2pipe exec-stage` is what every dvc.yaml stage and every Airflow or KFP task
runs, and must not pay for the analysis, DVC or rich's tables it never uses."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Sequence

# nbformat imports jsonschema, whose optional IRI format checker `rfc3987_syntax` builds a parser
# at import: 1.0-1.4 s measured here, paid by every stage `dvc repro` runs, once jupyter_server
# (jsonschema[format-nongpl]) is installed. nbformat never checks IRI formats: skip that checker
# in this process (jsonschema treats the module as absent).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from .. import __version__
from ..errors import AnalysisFailed, Nb2PipeError
from .options import ExamplesFormatter, choose_heading_level
from .output import console

# (command, its module in cli/, the function there that declares it), in the order
# `nb2pipe --help` lists them.
_COMMANDS = (
    ("convert", "convert", "add_convert"),
    ("show", "convert", "add_show"),
    ("dag", "dag", "add_dag"),
    ("tag", "tag", "add_tag"),
    ("run", "run", "add_run"),
    ("sweep", "sweep", "add_sweep"),
    ("verify", "verify", "add_verify"),
    ("exec-stage", "exec_stage", "add_exec_stage"),
    ("export", "export", "add_export"),
)


def _chosen(argv: Sequence[str]) -> str | None:
    """The command `argv` names (its first word, as argparse reads it), or None."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if any(first == name for name, _, _ in _COMMANDS) else None


def _parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser of the command `argv` names alone, or of every command (for --help, or a
    word that names none: argparse's message then lists them)."""
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
    chosen = _chosen(argv)
    for name, module, add in _COMMANDS:
        if chosen is None or name == chosen:
            getattr(importlib.import_module(f"{__name__}.{module}"), add)(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(argv)
    args = parser.parse_args(argv)
    if getattr(args, "needs_by_headings", False) and args.by_headings is None:
        # A missing option is a usage error (exit 2), not a problem with the notebook.
        parser.error("'nb2pipe tag' needs --by-headings[=LEVEL] (the only way it tags so far)")
    # A command that prints nothing itself (exec-stage: the stage's own output is its output)
    # gets no console, and rich is not imported (~30 ms a stage) unless there is a message.
    out = None if getattr(args, "prints_nothing", False) else console()
    # nbclient and jupyter_client log through traitlets' logger ("Kernel died while waiting for
    # execute reply." when nb2pipe stops a kernel itself); what matters of it reaches the user
    # as nb2pipe's own message, naming the stage and cell.
    logging.getLogger("traitlets").setLevel(logging.CRITICAL)
    try:
        choose_heading_level(args)
        return args.handler(args, out)
    except AnalysisFailed as exc:
        from rich.text import Text

        err = console(stderr=True)
        err.print(Text.assemble(("nb2pipe:", "bold red"), f" cannot convert '{exc.path}':"))
        for d in exc.diagnostics:
            err.print(d.render(exc.path), markup=False)
        err.print("Nothing was written.", markup=False)
        return 1
    except Nb2PipeError as exc:
        console(stderr=True).print(f"nb2pipe: {exc}", markup=False)
        return 1
    except KeyboardInterrupt:
        console(stderr=True).print("nb2pipe: interrupted", markup=False)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last resort: a message, not a traceback
        if os.environ.get("NB2PIPE_DEBUG"):
            raise
        console(stderr=True).print(
            f"nb2pipe: failed unexpectedly ({type(exc).__name__}: {exc}). This is a bug in "
            "nb2pipe or in a tool it runs: run the command again with NB2PIPE_DEBUG=1 for the "
            "traceback, and report it.", markup=False)
        return 1


def console_main() -> None:
    """The `nb2pipe` command. After a run the interpreter's teardown waits ~0.3 s on kernel-client
    threads and sockets that have nothing left to do; every file is written and closed by now
    (atomically), so flush the terminal and leave at once."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
