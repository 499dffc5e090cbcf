"""The `parameters` cell: its top-level assignments of literals are the pipeline's parameters."""

from __future__ import annotations

import ast

from ..model.pipeline import Param
from . import ipython
from .syntax import parse


def literal_assignments(source: str, cell: int) -> tuple[Param, ...]:
    """`name = <literal>` statements at the top level of the cell, in order (last one wins)."""
    try:
        tree = parse(ipython.to_python(source))
    except SyntaxError:
        return ()  # the symbol analysis reports the syntax error
    found: dict[str, Param] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        try:
            literal = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        if _yaml_safe(literal):
            found.pop(target.id, None)
            found[target.id] = Param(target.id, literal, cell, stmt.lineno)
    return tuple(found.values())


def _yaml_safe(value: object) -> bool:
    """Values params.yaml can hold and give back with the same type."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(_yaml_safe(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _yaml_safe(v) for k, v in value.items())
    return False
