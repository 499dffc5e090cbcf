"""New containers of the same elements (`list(a)`, `sorted(a)`, `dict(zip(k, rows))`): the
names whose elements they hold (facts.Alias with elements=True)."""

from __future__ import annotations

import ast

from .knowledge import CONTAINER_BUILTINS
from .scopes import root_name
from .syntax import alias_roots, dotted


def container_of(value: ast.AST | None) -> frozenset[str]:
    """`list(a)`, `sorted(a, key=k)`, `dict(zip(a, b))`: the names whose elements the new
    container holds."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
            and value.func.id in CONTAINER_BUILTINS and value.args:
        args = [a for a in value.args if not _labels(a)]
        return alias_roots(ast.Tuple(elts=args, ctx=ast.Load()), elements=True) \
            | _zipped(args)
    copied = _shallow_copy_of(value)
    if copied is not None and not _labels(copied):
        root = root_name(copied)
        return frozenset({root}) if root else frozenset()
    return frozenset()


def _shallow_copy_of(value: ast.AST | None) -> ast.expr | None:
    """What `rows.copy()`, `copy.copy(rows)`, `df.copy(deep=False)` copy: a new container of
    the same elements (a list's, a dict's; pandas' and numpy's `copy()` copy the elements too,
    which nb2pipe cannot tell apart by the syntax, so they count as shallow)."""
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    if isinstance(func, ast.Attribute) and func.attr == "copy" and not value.args and all(
            k.arg == "deep" and isinstance(k.value, ast.Constant) and k.value.value is False
            for k in value.keywords):
        if isinstance(func.value, ast.Name) and func.value.id == "copy":
            return None  # `copy.copy` without an argument
        return func.value
    if dotted(func) in ("copy.copy", "copy") and len(value.args) == 1 and not value.keywords:
        return value.args[0]
    return None


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
