"""Per-cell facts (facts.py) from a cell's source: IPython syntax turned into Python by IPython's
own transformer, then one walk of the syntax tree (statements.py, expressions.py).

Each code cell is analysed alone, so results are cached by source; analysis/flows.py folds the
effects of a stage's cells in order."""

from __future__ import annotations

import ast

from . import ipython
from .facts import CellFacts, Problem
from .statements import CellVisitor
from .syntax import named_in, parse, syntax_problem


def analyse_cell(source: str) -> CellFacts:
    """Facts about one code cell. Never raises on user code: problems are in the result."""
    python = ipython.to_python(source)
    try:
        tree = parse(python)
    except SyntaxError as exc:
        return CellFacts(problems=(syntax_problem(source, python, exc),))
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return CellFacts(problems=(Problem("syntax-error", "error", f"cannot be parsed: {exc}"),))
    visitor = CellVisitor(python)
    visitor.statements(tree.body)
    return CellFacts(
        effects=tuple(visitor.effects),
        calls=tuple(visitor.calls),
        writes_files=tuple(visitor.writes_files),
        problems=tuple(visitor.problems),
        uses_ipython=python != source and "get_ipython()" in python,
        named=tuple(dict.fromkeys(named_in(tree.body))),
        shows_result=bool(tree.body) and isinstance(tree.body[-1], ast.Expr)
        and not python.rstrip().endswith(";"),
    )
