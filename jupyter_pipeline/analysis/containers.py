"""New containers of the same elements (`list(a)`, `sorted(a)`, `dict(zip(k, rows))`): the
names whose elements they hold (facts.Alias with elements=True)."""

from __future__ import annotations

import ast

from .knowledge import CONTAINER_BUILTINS
from .scopes import root_name
from .syntax import alias_roots


def container_of(value: ast.AST | None) -> frozenset[str]:
    """`list(a)`, `sorted(a, key=k)`, `dict(zip(a, b))`: the names whose elements the new
    container holds."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
            and value.func.id in CONTAINER_BUILTINS and value.args:
        args = [a for a in value.args if not _labels(a)]
        return alias_roots(ast.Tuple(elts=args, ctx=ast.Load()), elements=True) \
            | _zipped(args)
    return frozenset()


# Attributes whose elements are labels (strings, numbers) that nothing can change in place:
# `features = list(df.columns)` shares nothing with df.
_LABELS = frozenset({"columns", "index", "dtypes", "names", "shape", "keys"})


def _labels(arg: ast.expr) -> bool:
    if isinstance(arg, ast.Call) and not arg.args:  # d.keys()
        arg = arg.func
    return isinstance(arg, ast.Attribute) and arg.attr in _LABELS


def _zipped(args: list[ast.expr]) -> frozenset[str]:
    names: set[str] = set()
    for a in args:
        if isinstance(a, ast.Call) and isinstance(a.func, ast.Name) \
                and a.func.id in ("zip", "enumerate", "reversed", "iter", "filter", "map"):
            for inner in a.args:
                r = root_name(inner)
                if r:
                    names.add(r)
    return frozenset(names)
