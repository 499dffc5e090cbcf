"""The parameters cell, split: its literal assignments become the stage's papermill parameters,
the rest of the cell (comments, computed values) stays as code. libcst keeps that rest exactly
as the user wrote it."""

from __future__ import annotations

import ast
from typing import Any, Iterable


def python_literal(value: Any) -> str:
    """Python source for a parameter value (repr is exact for floats and round-trips)."""
    return repr(value)


def parameters_source(params: Iterable[tuple[str, Any]]) -> str:
    return "".join(f"{name} = {python_literal(value)}\n" for name, value in params)


def without_literal_assignments(source: str, names: set[str]) -> str:
    """`source` minus the top-level `name = <literal>` statements for `names`."""
    import libcst as cst  # here, not at the top: importing libcst costs ~170 ms

    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return source
    kept = []
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
            small = stmt.body[0]
            target = value = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                target, value = small.target, small.value
            if isinstance(target, cst.Name) and target.value in names and _is_literal(
                    module.code_for_node(value)):
                continue
        kept.append(stmt)
    rest = module.with_changes(body=kept).code
    return rest if rest.strip() and any(
        not ln.strip().startswith("#") for ln in rest.splitlines() if ln.strip()) else ""


def _is_literal(code: str) -> bool:
    try:
        ast.literal_eval(code.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True
